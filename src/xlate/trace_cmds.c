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
#include "vsw/ofp_parse.h"
#include "xlate/xlate.h"

/* Parses 'hex' (spaces and colons allowed between bytes) into 'buf'. */
static int
parse_hex(const char *hex, uint8_t *buf, size_t size, size_t *len)
{
    size_t n = 0;

    for (const char *p = hex; *p;) {
        if (isspace((unsigned char) *p) || *p == ':') {
            p++;
            continue;
        }
        if (!isxdigit((unsigned char) p[0]) || !isxdigit((unsigned char) p[1]) || n == size) {
            return EINVAL;
        }
        char byte[3] = { p[0], p[1], 0 };
        buf[n++] = (uint8_t) strtoul(byte, NULL, 16);
        p += 2;
    }
    *len = n;
    return 0;
}

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
    if (parse_hex(argv[2], frame, sizeof frame, &len) || len < 14) {
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
    case XLATE_EMITTED:
        break;
    }
    return "";
}

/* Prints the rule's actions one by one with what each did. */
static void
print_steps(const struct vsw_rule *rule, const struct vsw_odp_buf *acts,
            const struct xlate_trace *t, struct vsw_buf *out)
{
    union {
        struct vsw_actions list;
        uint8_t room[sizeof(struct vsw_actions) + sizeof(struct vsw_action)];
    } one;
    char text[512];

    for (unsigned s = 0; s < t->n; s++) {
        one.list.n = 1;
        one.list.n_outputs = 0;
        one.list.a[0] = rule->actions->a[t->steps[s].action];
        vsw_actions_format(&one.list, text, sizeof text);
        vsw_buf_printf(out, "    %s\n        -> ", text);
        if (t->steps[s].result == XLATE_EMITTED) {
            vsw_odp_format(acts->data + t->steps[s].start,
                           (uint16_t) (t->steps[s].end - t->steps[s].start), out);
        } else {
            vsw_buf_printf(out, "%s", step_text(t->steps[s].result));
        }
        vsw_buf_printf(out, "\n");
    }
    if (t->n < rule->actions->n && (!t->n || t->steps[t->n - 1].result != XLATE_STOPPED)) {
        vsw_buf_printf(out, "    (%u more actions not shown)\n", rule->actions->n - t->n);
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
    struct xlate_trace t;
    char text[2048];
    int error = trace_flow(argc, argv, &flow, out);

    if (error) {
        return error;
    }
    vsw_flow_format(&flow, text, sizeof text);
    vsw_buf_printf(out, "Flow: %s\n\n", text);

    struct xlate_bridge br;
    upcall_bridge(d->dp, ps, &br);
    if (br.fdb) {
        vsw_fdb_lock(d->dp->fdb);
    }
    const struct vsw_rule *rule = xlate_flow(d->dp->cls, &br, &flow, &acts, &mask, NULL, &t);
    if (br.fdb) {
        vsw_fdb_unlock(d->dp->fdb);
    }
    if (!rule) {
        vsw_buf_printf(out, "table 0: no rule matches: drop\n");
    } else {
        vsw_match_format(&rule->match, rule->priority, text, sizeof text);
        vsw_buf_printf(out, "table %u: cookie=%#" PRIx64 ", %s\n", rule->table_id,
                       rule->cookie, text);
        print_steps(rule, &acts, &t, out);
    }

    vsw_buf_printf(out, "\nDatapath actions: ");
    if (acts.overflow) {
        vsw_buf_printf(out, "(more than %d bytes: not cached, packets dropped)", VSW_ODP_MAX);
    } else {
        vsw_odp_format(acts.data, acts.len, out);
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
