/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The controller action: the packet, as the actions so far left it, goes to
 * the slow path as a packet-in (OVS's xlate_controller_action()).
 *
 * The translation commits what the actions changed (so the copy the PMD
 * takes is the packet as the action sees it), then emits one
 * VSW_ODP_USERSPACE entry that carries what the packet-in reports besides
 * the packet: the reason, the table and cookie of the rule whose action it
 * is, the pipeline fields (metadata and the non-zero registers, compactly),
 * max_len, the controller id and the userdata (vsw/odp.h).  All of these
 * follow from the rules and from flow fields the translation already read,
 * so the entry is as cacheable as an output.
 *
 * The reason is reported as OVS 3.1 reports it to an OpenFlow 1.3
 * connection: a controller action in a table-miss rule (priority 0,
 * matching everything) is an explicit miss, "no_match"; a packet-out's and
 * a group bucket's controller output are "action" (their own reasons exist
 * only from OpenFlow 1.4).
 *
 * Thread safety: part of a translation (xlate.h).
 */

#include <string.h>

#include "classifier/rule.h"
#include "xlate/xlate_int.h"

/* OVS rule_is_table_miss(): priority 0 and a match on nothing. */
static bool
rule_is_table_miss(const struct vsw_rule *r)
{
    const vsw_flow_word *m = vsw_flow_cwords(&r->match.mask);
    const vsw_flow_word *pm = vsw_pipe_cwords(&r->match.pmask);

    if (r->priority != 0) {
        return false;
    }
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if (m[i]) {
            return false;
        }
    }
    for (size_t i = 0; i < VSW_PIPE_U64S; i++) {
        if (pm[i]) {
            return false;
        }
    }
    return true;
}

/* The reason an OpenFlow 1.3 monitor sees. */
static uint8_t
reported_reason(const struct xctx *x, uint8_t reason)
{
    switch (reason) {
    case VSW_PIN_ACTION:
        return x->rule && rule_is_table_miss(x->rule) ? VSW_PIN_NO_MATCH : VSW_PIN_ACTION;
    case VSW_PIN_ACTION_SET:
    case VSW_PIN_GROUP:
    case VSW_PIN_PACKET_OUT:
        return VSW_PIN_ACTION;
    default:
        return reason;
    }
}

void
xlate_controller(struct xctx *x, const struct vsw_action *a, const struct vsw_actions *acts)
{
    uint8_t var[8 + 16 * 4 + VSW_CTRL_USERDATA_MAX];
    size_t n_var = 0;
    uint16_t reg_map = 0;
    uint64_t md = rte_be_to_cpu_64(x->pipe.metadata);
    uint64_t cookie = x->rule ? x->rule->cookie : UINT64_MAX;
    /* A plain controller action is output:CONTROLLER on the wire, whose
     * reason in a group bucket's own action list is "group" (not in what
     * the bucket resubmits to); an NX controller action keeps its own
     * reason. */
    bool plain = a->ctrl.reason == VSW_PIN_ACTION && !a->ctrl.id && !a->ctrl.userdata_len;
    uint8_t reason = reported_reason(x, x->in_group && plain ? VSW_PIN_GROUP : a->ctrl.reason);
    uint8_t ud_len = a->ctrl.userdata_len;
    struct vsw_odp_userspace *u;

    xlate_commit(x);
    if (md) {
        memcpy(var, &md, 8);
        n_var = 8;
    }
    for (unsigned i = 0; i < VSW_N_REGS && i < 16; i++) {
        uint32_t r = rte_be_to_cpu_32(x->pipe.regs[i]);
        if (r) {
            reg_map = (uint16_t) (reg_map | (1u << i));
            memcpy(var + n_var, &r, 4);
            n_var += 4;
        }
    }
    if (ud_len > VSW_CTRL_USERDATA_MAX
        || (size_t) a->ctrl.userdata_ofs + ud_len > acts->blob_len) {
        ud_len = 0;   /* Cannot happen: the parser checks it. */
    }
    if (ud_len) {
        memcpy(var + n_var, vsw_actions_blob(acts) + a->ctrl.userdata_ofs, ud_len);
        n_var += ud_len;
    }
    u = vsw_odp_put(x->out, VSW_ODP_USERSPACE, sizeof *u + n_var);
    if (u) {
        u->h.flags = md ? VSW_ODPF_PIN_METADATA : 0;
        u->in_port = x->flow->in_port;
        u->cookie_hi = (uint32_t) (cookie >> 32);
        u->cookie_lo = (uint32_t) cookie;
        u->max_len = a->ctrl.max_len;
        u->controller_id = a->ctrl.id;
        u->reason = reason;
        u->table_id = x->table_id;
        u->userdata_len = ud_len;
        u->reg_map = reg_map;
        memcpy(u + 1, var, n_var);
    }
    xlate_trace_add(x, XEV_CONTROLLER, reason, a->ctrl.max_len, NULL);
}
