/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control command on the control socket itself: ctl-stats.  Its usage
 * line is in ctl_cmd_info.c.
 */

#include <inttypes.h>

#include "ctl/ctl_cmd.h"
#include "ctl/ctl_server.h"
#include "util.h"

static int
cmd_ctl_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ctl_config *cfg = vsw_ctl_get_config(d->ctl);
    struct vsw_ctl_stats s;

    (void) argc;
    (void) argv;
    vsw_ctl_get_stats(d->ctl, &s);
    vsw_buf_printf(out, "control socket:\n");
    vsw_buf_printf(out, "  clients: %u open (limit %u), idle timeout %.1f s\n", s.n_clients,
                   cfg->max_clients, (double) cfg->idle_ms / 1000.0);
    vsw_buf_printf(out, "  reply bytes held: %zu (limit %zu per client, %zu in all)\n",
                   s.out_bytes, cfg->client_out_max, cfg->total_out_max);
    vsw_buf_printf(out, "  accepted: %" PRIu64 "\n", s.accepted);
    vsw_buf_printf(out, "  served: %" PRIu64 "\n", s.served);
    vsw_buf_printf(out, "  refused, too many clients: %" PRIu64 "\n", s.refused_busy);
    vsw_buf_printf(out, "  closed, request idle timeout: %" PRIu64 "\n", s.idle_timeouts);
    vsw_buf_printf(out, "  closed, reply not read (write stall): %" PRIu64 "\n",
                   s.write_stalls);
    vsw_buf_printf(out, "  reply over per-client limit: %" PRIu64 "\n", s.reply_too_big);
    vsw_buf_printf(out, "  reply refused, output buffers full: %" PRIu64 "\n", s.output_full);
    vsw_buf_printf(out, "  bad requests: %" PRIu64 "\n", s.bad_requests);
    vsw_buf_printf(out, "  client left early: %" PRIu64 "\n", s.peer_gone);
    vsw_buf_printf(out, "  monitors: %u now (limit %u, %zu bytes of buffer each), "
                   "%" PRIu64 " subscribed, %" PRIu64 " refused\n", s.monitors,
                   VSW_CTL_MAX_MONITORS, VSW_CTL_MONITOR_BUF, s.subscribed, s.monitor_refused);
    vsw_buf_printf(out, "  monitor records queued: %" PRIu64 ", dropped (buffer full): %" PRIu64
                   "\n", s.monitor_records, s.monitor_drops);
    return 0;
}

void
vsw_ctl_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "ctl-stats", cmd_ctl_stats },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
