/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control commands on the PMD threads' counters: pmd-stats and
 * pmd-stats-clear.  Their usage lines are in ctl/ctl_cmd_info.c.
 */

#include <inttypes.h>

#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "util.h"

static void
pct(struct vsw_buf *out, const char *what, uint64_t part, uint64_t whole)
{
    vsw_buf_printf(out, "  %s: %" PRIu64 " (%.1f %%)\n", what, part,
                   whole ? 100.0 * (double) part / (double) whole : 0.0);
}

static int
cmd_pmd_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        const struct vsw_pmd *pmd = &d->dp->pmds[i];
        const struct vsw_pmd_stats *s = &pmd->stats;
        uint64_t p = s->packets;
        double cpp = p ? 1.0 / (double) p : 0.0;

        vsw_buf_printf(out, "pmd %u (lcore %u):\n", i, pmd->lcore);
        vsw_buf_printf(out, "  packets received: %" PRIu64 "\n", p);
        pct(out, "emc hits", s->emc_hits, p);
        pct(out, "smc hits", s->smc_hits, p);
        pct(out, "megaflow hits", s->megaflow_hits, p);
        vsw_buf_printf(out, "  avg subtables probed per megaflow hit: %.2f\n",
                       s->megaflow_hits ? (double) s->probes / (double) s->megaflow_hits : 0.0);
        pct(out, "forwarded after a shallow parse only", s->shallow, p);
        pct(out, "upcalls", s->upcalls, p);
        vsw_buf_printf(out, "  megaflows: %u (limit %u), expired %" PRIu64 ", subtables %u\n",
                       pmd->dpcls->n_flows, d->dp->flow_limit, s->megaflows_expired,
                       pmd->dpcls->n_subtables);
        vsw_buf_printf(out, "  emc: %s, %s mode, %" PRIu64 " mode switches\n",
                       d->dp->emc_enabled ? d->dp->emc_impl : "off",
                       pmd->emc->bypass ? "bypass" : "normal", pmd->emc->mode_switches);
        vsw_buf_printf(out, "  dropped, no matching rule: %" PRIu64 "\n", s->missed);
        vsw_buf_printf(out, "  upcall queue full: %" PRIu64 " (%s)\n", s->upcall_full,
                       d->dp->upcall_overflow_inline ? "translated by the PMD" : "dropped");
        vsw_buf_printf(out, "  dropped, output port missing: %" PRIu64 "\n", s->no_port);
        vsw_buf_printf(out, "  dropped, copy for multiple outputs failed: %" PRIu64 "\n",
                       s->copy_failed);
        vsw_buf_printf(out, "  dropped, no headroom for a VLAN tag: %" PRIu64 "\n",
                       s->no_headroom);
        vsw_buf_printf(out, "  dropped, chained and could not be made contiguous: %" PRIu64
                       " (counted in the rx port's drop too)\n", s->nonlinear);
        vsw_buf_printf(out, "  chained frames copied into one jumbo mbuf: %" PRIu64 "\n",
                       s->chained);
        vsw_buf_printf(out, "  dropped, shorter than an Ethernet header: %" PRIu64 "\n", s->runt);
        vsw_buf_printf(out, "  not cached, flow limit: %" PRIu64 "\n", s->flow_limit);
        vsw_buf_printf(out, "  upcalls redone after a rule change: %" PRIu64 "\n",
                       s->upcall_stale);
        vsw_buf_printf(out, "  busy iterations: %" PRIu64 " of %" PRIu64 "\n",
                       s->busy_iterations, s->iterations);
        vsw_buf_printf(out, "  avg cycles per packet: %.1f\n", (double) s->cycles_busy * cpp);
        vsw_buf_printf(out, "    parse: %.1f, emc: %.1f, megaflow: %.1f, upcall: %.1f, "
                       "execute+tx: %.1f\n",
                       (double) s->cycles_parse * cpp, (double) s->cycles_emc * cpp,
                       (double) s->cycles_dpcls * cpp, (double) s->cycles_upcall * cpp,
                       (double) s->cycles_execute * cpp);
    }
    return 0;
}

static int
cmd_pmd_stats_clear(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    (void) out;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        d->dp->pmds[i].clear_stats = true;
    }
    /* The PMDs clear at their next iteration boundary; wait for it. */
    vsw_dp_synchronize(d->dp);
    return 0;
}

void
vsw_pmd_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "pmd-stats", cmd_pmd_stats },
        { "pmd-stats-clear", cmd_pmd_stats_clear },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
