/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vswctl trace`: how the switch handles a packet, step by step, without
 * sending one.
 *
 *   trace FLOW                  e.g. 'in_port=1,tcp,nw_dst=10.0.0.1,tp_dst=80'
 *                               (ovs-ofctl match syntax; fields not given are 0)
 *   trace IN_PORT HEXPACKET     a whole frame, parsed as the PMD would
 *
 * Prints the parsed flow, the rule matched (table, cookie, priority, match,
 * actions), each OpenFlow action with what it did (the datapath actions it
 * produced, "pending until the next output", "no effect on this flow", or
 * the end of the list), the datapath actions, the megaflow the slow path
 * would install (key and mask, in dump-megaflows' format) and which PMD's
 * megaflow cache holds that megaflow now.  It runs the same translation as
 * an upcall (xlate_flow() with a trace record), against the published rules
 * and ports, so what it prints is what the next such packet gets; nothing
 * is installed or counted.
 *
 * Thread safety: control thread (the publisher of the rules and ports).
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "classifier/megaflow_format.h"
#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "l2/fdb.h"
#include "pmd/upcall.h"
#include "util.h"
#include "vsw/match.h"
#include "vsw/ofp_actions.h"
#include "vsw/ofp_parse.h"
#include "group/group.h"
#include "xlate/xlate.h"

/* The flow to trace, from the command's arguments. */
static int
trace_flow(int argc, char **argv, struct vsw_flow *flow, struct vsw_buf *out)
{
    if (argc == 2) {
        struct vsw_flow_mod fm;
        char err[256];

        if (vsw_flow_mod_parse(argv[1], VSW_FM_DELETE, &fm, err, sizeof err)) {
            vsw_buf_printf(out, "%s", err);
            return EINVAL;
        }
        *flow = fm.match.key;
        vsw_flow_mod_uninit(&fm);
        return 0;
    }

    char *end;
    unsigned long port = strtoul(argv[1], &end, 10);
    static uint8_t frame[VSW_MTU_MAX + 64];
    struct vsw_layout lay;
    size_t len;

    if (!argv[1][0] || *end || port == 0 || port > UINT32_MAX) {
        vsw_buf_printf(out, "\"%s\" is not a port number", argv[1]);
        return EINVAL;
    }
    if (vsw_parse_hex(argv[2], frame, sizeof frame, &len) || len < 14) {
        vsw_buf_printf(out, "the packet must be an Ethernet frame in hex "
                       "(at least 14 bytes, at most %zu)", sizeof frame);
        return EINVAL;
    }
    vsw_flow_extract(frame, (uint32_t) len, (uint32_t) port, flow, &lay);
    return 0;
}

static const char *
step_text(uint8_t result)
{
    switch ((enum xlate_step_result) result) {
    case XLATE_PENDING:
        return "pending until the next output";
    case XLATE_NO_EFFECT:
        return "no effect on this flow";
    case XLATE_STOPPED:
        return "TTL is 0 or 1: the action list ends here";
    case XLATE_PIPE_SET:
        return "metadata/registers set (never on the wire)";
    case XLATE_EMITTED:
        break;
    }
    return "";
}

/* ofproto/trace's layout: a table at 4 spaces per nesting level, the
 * actions under it 4 further in (8 per level), details one more. */
static void
indent_table(struct vsw_buf *out, unsigned nest)
{
    vsw_buf_printf(out, "%*s", (int) (4 * nest), "");
}

static void
indent_action(struct vsw_buf *out, unsigned nest)
{
    vsw_buf_printf(out, "%*s", (int) (4 + 8 * nest), "");
}

/* Action 'idx' of 'list' in ovs-ofctl syntax. */
static void
format_action(const struct vsw_actions *list, uint32_t idx, char *text, size_t size)
{
    size_t bytes = vsw_actions_size2(1, list->blob_len);
    struct vsw_actions *one = calloc(1, bytes);

    if (!one) {
        snprintf(text, size, "?");
        return;
    }
    one->n = 1;
    one->blob_len = list->blob_len;
    one->a[0] = list->a[idx];
    memcpy((uint8_t *) &one->a[1], vsw_actions_blob(list), list->blob_len);
    vsw_actions_format(one, text, size);
    free(one);
}

static const char *
normal_text(uint32_t why)
{
    switch ((enum xlate_normal_why) why) {
    case XNORMAL_LEARNED:
        return "forwarding to learned port";
    case XNORMAL_FLOOD:
        return "no learned MAC for the destination (or multicast): flooding";
    case XNORMAL_SAME_PORT:
        return "learned port is the input port: drop";
    case XNORMAL_DROP:
        break;
    }
    return "drop";
}

/* Prints the translation's events as ovs-appctl ofproto/trace does: each
 * table visited with the rule it matched, each action of that rule, and
 * nested under a resubmit, goto_table or group what they led to; each
 * action annotated with the datapath actions it produced. */
static void
print_events(const struct xlate_trace *t, const struct vsw_odp_buf *acts,
             struct vsw_buf *out)
{
    char text[2048];

    for (unsigned s = 0; s < t->n; s++) {
        const struct xlate_trace_ev *e = &t->ev[s];
        const struct vsw_rule *rule;
        const struct vsw_action *a;

        switch ((enum xlate_ev_kind) e->kind) {
        case XEV_TABLE:
            rule = e->obj;
            indent_table(out, e->depth);
            if (!rule) {
                vsw_buf_printf(out, "%2u. No match.\n", e->idx);
                indent_action(out, e->depth);
                vsw_buf_printf(out, "drop\n");
                break;
            }
            vsw_match_format(&rule->match, VSW_DEFAULT_PRIORITY, text, sizeof text);
            vsw_buf_printf(out, "%2u. %s%spriority %u", e->idx, text, text[0] ? ", " : "",
                           rule->priority);
            if (rule->cookie) {
                vsw_buf_printf(out, ", cookie %#" PRIx64, rule->cookie);
            }
            vsw_buf_printf(out, "\n");
            break;
        case XEV_ACTION: {
            const struct vsw_actions *list = e->obj;
            format_action(list, e->idx, text, sizeof text);
            indent_action(out, e->depth);
            vsw_buf_printf(out, "%s\n", text);
            a = &list->a[e->idx];
            if (a->type == VSW_ACT_RESUBMIT || a->type == VSW_ACT_GOTO_TABLE
                || a->type == VSW_ACT_GROUP) {
                break;   /* What they did is nested below them. */
            }
            indent_action(out, e->depth);
            vsw_buf_printf(out, " -> ");
            if (e->result == XLATE_EMITTED) {
                vsw_buf_printf(out, "datapath: ");
                vsw_odp_format(acts->data + e->start, (uint16_t) (e->end - e->start), out);
            } else {
                vsw_buf_printf(out, "%s", step_text(e->result));
            }
            vsw_buf_printf(out, "\n");
            break;
        }
        case XEV_GROUP: {
            const struct vsw_group *g = e->obj;
            indent_action(out, e->depth);
            if (!g) {
                vsw_buf_printf(out, " >> output to nonexistent group %u\n", e->idx);
            } else if (g->type == VSW_GT_ALL || g->type == VSW_GT_INDIRECT) {
                vsw_buf_printf(out, " -> group %u\n", e->idx);
            } else if (e->arg == UINT32_MAX || e->arg >= g->n_buckets) {
                vsw_buf_printf(out, " -> group %u: no live bucket\n", e->idx);
            } else {
                vsw_buf_printf(out, " -> group %u: using bucket %u\n", e->idx,
                               g->buckets[e->arg]->bucket_id);
            }
            break;
        }
        case XEV_BUCKET:
            indent_action(out, e->depth);
            vsw_buf_printf(out, "bucket %u\n", e->idx);
            break;
        case XEV_NORMAL:
            indent_action(out, e->depth);
            vsw_buf_printf(out, " -> NORMAL: %s", normal_text(e->arg));
            if (e->arg == XNORMAL_LEARNED) {
                vsw_buf_printf(out, " %u", e->idx);
            }
            vsw_buf_printf(out, "\n");
            break;
        case XEV_CONTROLLER:
            indent_action(out, e->depth);
            vsw_buf_printf(out, " -> to the controller (reason %u, max_len %u)\n", e->idx,
                           e->arg);
            break;
        case XEV_ERROR:
            vsw_buf_printf(out, "\nTranslation failed (%s): the packet is dropped\n",
                           xlate_error_name((enum xlate_error) e->idx));
            break;
        }
    }
    if (t->truncated) {
        vsw_buf_printf(out, "\n(trace truncated after %u events)\n", t->n);
    }
}

/* Says which PMD's megaflow cache answers 'flow' now. */
static void
print_cache(struct vsw_dp *dp, const struct vsw_flow *flow, struct vsw_buf *out)
{
    bool found = false;

    for (unsigned i = 0; i < dp->n_pmds; i++) {
        struct vsw_mf_dump *e;
        uint32_t n;

        if (vsw_dp_dump_megaflows(dp, i, &e, &n)) {
            continue;
        }
        for (uint32_t k = 0; k < n; k++) {
            struct vsw_match m = { .key = e[k].key, .mask = e[k].mask };
            if (vsw_match_flow(&m, flow)) {
                vsw_buf_printf(out, "Cache: pmd %u has this megaflow (%" PRIu64 " packets); "
                               "its EMC or SMC may answer first\n", i, e[k].packets);
                found = true;
                break;
            }
        }
        free(e);
    }
    if (!found) {
        vsw_buf_printf(out, "Cache: not cached: the next such packet goes to the slow path\n");
    }
}

static int
cmd_trace(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ports_snap *ps = d->dp->ports;
    struct vsw_flow flow, mask;
    struct vsw_odp_buf acts;
    struct xlate_trace *t;
    struct xlate_result r;
    char text[2048];
    int error = trace_flow(argc, argv, &flow, out);

    if (error) {
        return error;
    }
    t = malloc(sizeof *t);
    if (!t) {
        vsw_buf_printf(out, "out of memory");
        return ENOMEM;
    }
    vsw_flow_format(&flow, text, sizeof text);
    vsw_buf_printf(out, "Flow: %s\n\nbridge(\"vsw\")\n-------------\n", text);

    struct xlate_bridge br;
    upcall_bridge(d->dp, ps, &br);
    if (br.fdb) {
        vsw_fdb_lock(d->dp->fdb);
    }
    r = xlate_flow(d->dp->cls, &br, &flow, &acts, &mask, NULL, NULL, t);
    if (br.fdb) {
        vsw_fdb_unlock(d->dp->fdb);
    }
    print_events(t, &acts, out);
    free(t);

    vsw_buf_printf(out, "\nDatapath actions: ");
    if (acts.overflow) {
        vsw_buf_printf(out, "(more than %d bytes: packets dropped)", VSW_ODP_BUF_MAX);
    } else {
        vsw_odp_format(acts.data, acts.len, out);
    }
    if (!acts.overflow && acts.len > VSW_ODP_MAX) {
        vsw_buf_printf(out, " (%u bytes, over a megaflow's %d: executed, not cached)", acts.len,
                       VSW_ODP_MAX);
    }
    if (r.error == XLATE_TOO_MANY_DEPS) {
        vsw_buf_printf(out, " (not cached: passes over %d rules and groups)", VSW_MAX_DEPS);
    }
    struct vsw_flow key = flow;
    vsw_flow_word *k = vsw_flow_words(&key);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        k[i] &= vsw_flow_cwords(&mask)[i];
    }
    vsw_buf_printf(out, "\nMegaflow: ");
    vsw_megaflow_format_key(&key, &mask, out);
    vsw_buf_printf(out, "\n");
    print_cache(d->dp, &flow, out);
    return 0;
}

void
vsw_xlate_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "trace", cmd_trace },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
