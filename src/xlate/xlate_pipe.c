/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OpenFlow pipeline inside a translation: table lookups (the first one,
 * resubmit and goto_table), OVS's limits on them, and the actions on the
 * pipeline fields (write_metadata, load/set_field, move).
 *
 * Lookups see the packet as the actions so far left it and the pipeline
 * fields now.  What a lookup reads is un-wildcarded in the megaflow only
 * where the value came from the packet: a header bit an action wrote is
 * known without looking at the packet, and the pipeline fields are not in
 * the datapath's key at all, their values following from header bits the
 * translation read (a move un-wildcards its source) or from constants.
 *
 * Limits are OVS 3.1's (ofproto-dpif-xlate.c): a translation may nest at
 * most XLATE_MAX_DEPTH deep (a resubmit to a table not above the current
 * one, a group bucket) and look up tables at most XLATE_MAX_RESUBMITS
 * times; past either, it gives up and the whole packet is dropped, counted
 * by reason.  So a loop in the rules costs bounded work.
 *
 * Thread safety: part of a translation (xlate.h).
 */

#include <string.h>

#include <rte_byteorder.h>

#include "classifier/cls.h"
#include "xlate/xlate.h"
#include "xlate/xlate_int.h"

/* ORs into the megaflow mask the bits of 'read' that came from the packet
 * (not in 'set', what the actions wrote). */
static void
wc_read(struct xctx *x, const struct vsw_flow *read, const struct vsw_flow *set)
{
    vsw_flow_word *w = vsw_flow_words(x->wc);
    const vsw_flow_word *r = vsw_flow_cwords(read);
    const vsw_flow_word *k = vsw_flow_cwords(set);

    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        w[i] |= r[i] & ~k[i];
    }
}

/* wc_read() of header field 'f' (nothing for a pipeline field). */
static void
wc_field(struct xctx *x, const struct vsw_field *f, const struct vsw_flow *set)
{
    struct vsw_flow fw;

    memset(&fw, 0, sizeof fw);
    vsw_field_wildcard(f, &fw);
    wc_read(x, &fw, set);
}

bool
xlate_resource_check(struct xctx *x)
{
    if (x->depth >= XLATE_MAX_DEPTH) {
        x->error = XLATE_RECURSION_TOO_DEEP;
    } else if (x->resubmits >= XLATE_MAX_RESUBMITS) {
        x->error = XLATE_TOO_MANY_RESUBMITS;
    } else {
        return true;
    }
    return false;
}

const struct vsw_rule *
xlate_lookup(struct xctx *x, uint32_t in_port, uint8_t table, enum xlate_lookup_why why)
{
    struct vsw_ofkey key;
    struct vsw_flow set, lwc;
    const struct vsw_rule *rule = NULL;
    struct xlate_trace_ev *ev;

    xlate_view_flow(x, &key.flow, &set);
    if (key.flow.nw_frag & VSW_FRAG_ANY) {
        /* frags=normal: fragments are looked up with ports 0. */
        key.flow.tp_src = 0;
        key.flow.tp_dst = 0;
    }
    key.flow.in_port = in_port;
    key.pipe = x->pipe;
    if (x->cls) {
        memset(&lwc, 0, sizeof lwc);
        rule = vsw_cls_lookup_wc(x->cls, table, &key, &lwc);
        if (key.flow.nw_frag & VSW_FRAG_ANY) {
            /* The lookup read zeros, not the packet's ports: a fragment's
             * megaflow does not match them (and revalidation, which tests
             * a new rule against the megaflow's key, does not test the
             * ports the lookup never saw). */
            lwc.tp_src = 0;
            lwc.tp_dst = 0;
        }
        wc_read(x, &lwc, &set);
    }
    if (why != XLOOKUP_START && x->deps) {
        x->deps->tables[table / 64] |= UINT64_C(1) << (table % 64);
    }
    ev = xlate_trace_add(x, XEV_TABLE, table, why, rule);
    if (ev) {
        ev->table = table;
    }
    if (rule) {
        xlate_add_dep(x, (struct vsw_counted *) &rule->c);
    } else if (why != XLOOKUP_START && x->cls) {
        /* Table 0's misses are the PMDs' "missed" drops; the others are
         * counted here, for dump-tables. */
        struct vsw_counted *miss = vsw_cls_miss_counter(x->cls, table);
        if (miss) {
            xlate_add_dep(x, miss);
        }
    }
    return rule;
}

void
xlate_run_rule(struct xctx *x, const struct vsw_rule *rule, bool deepens)
{
    const struct vsw_rule *old_rule = x->rule;
    uint8_t old_table = x->table_id, old_in_group = x->in_group;

    x->resubmits++;
    x->depth = (uint8_t) (x->depth + deepens);
    x->rule = rule;
    x->table_id = rule->table_id;
    /* A rule's own actions are not a bucket's, even when a bucket resubmitted
     * to it (OVS's group_bucket_action): a controller action there has
     * reason "action" (or, in a table-miss rule, "no_match"). */
    x->in_group = 0;
    xlate_do_actions(x, rule->actions);
    x->in_group = old_in_group;
    x->rule = old_rule;
    x->table_id = old_table;
    x->depth = (uint8_t) (x->depth - deepens);
}

void
xlate_table(struct xctx *x, uint32_t in_port, uint8_t table, enum xlate_lookup_why why)
{
    const struct vsw_rule *rule;

    if (!xlate_resource_check(x)) {
        return;
    }
    rule = xlate_lookup(x, in_port, table, why);
    if (rule) {
        /* As OVS: only going back (or staying) in the pipeline nests. */
        xlate_run_rule(x, rule, table <= x->table_id);
    }
}

/* ---- Pipeline fields. ---- */

void
xlate_write_metadata(struct xctx *x, const struct vsw_action *a)
{
    uint64_t md = rte_be_to_cpu_64(x->pipe.metadata);

    md = (md & ~a->md.mask) | (a->md.value & a->md.mask);
    x->pipe.metadata = rte_cpu_to_be_64(md);
}

/* Writes 'bits' (host order, under 'mask', both within the field) into the
 * pipeline field 'f'. */
static void
pipe_write(struct xctx *x, const struct vsw_field *f, uint64_t bits, uint64_t mask)
{
    uint8_t *p = (uint8_t *) &x->pipe + f->offset;

    for (unsigned i = 0; i < f->width; i++) {
        unsigned sh = 8 * (f->width - 1 - i);
        uint8_t m = (uint8_t) (mask >> sh);
        p[i] = (uint8_t) ((p[i] & ~m) | ((uint8_t) (bits >> sh) & m));
    }
}

void
xlate_set_header_field(struct xctx *x, const struct vsw_field *f, const uint8_t *value)
{
    /* A one-action list; the union gives the flexible array its room
     * without reading a byte array through another type. */
    union {
        struct vsw_actions list;
        uint8_t room[sizeof(struct vsw_actions) + sizeof(struct vsw_action)];
    } one;
    struct vsw_action *a;
    uint32_t v32 = 0;

    if (f->set_action == VSW_FIELD_NO_SET || f->pipe) {
        return;
    }
    memset(&one, 0, sizeof one);
    one.list.n = 1;
    a = &one.list.a[0];
    a->type = f->set_action;
    a->flags = (uint8_t) (f->set_flags | VSW_ACTF_SET_FIELD);
    for (unsigned i = 0; i < f->width && i < 4; i++) {
        v32 = v32 << 8 | value[i];
    }
    switch ((enum vsw_action_type) f->set_action) {
    case VSW_ACT_SET_ETH_SRC:
    case VSW_ACT_SET_ETH_DST:
        memcpy(a->mac, value, 6);
        break;
    case VSW_ACT_SET_IPV4_SRC:
    case VSW_ACT_SET_IPV4_DST:
    case VSW_ACT_SET_IPV6_LABEL:
        a->be32 = rte_cpu_to_be_32(v32);
        break;
    case VSW_ACT_SET_IPV6_SRC:
    case VSW_ACT_SET_IPV6_DST:
        memcpy(a->ip6, value, 16);
        break;
    case VSW_ACT_SET_L4_SRC:
    case VSW_ACT_SET_L4_DST:
        a->be16 = rte_cpu_to_be_16((uint16_t) v32);
        break;
    case VSW_ACT_SET_VLAN_VID:
        a->u16 = (uint16_t) (v32 & VSW_VLAN_VID_MASK);
        break;
    case VSW_ACT_SET_IP_DSCP:
        /* nw_tos holds the DSCP in place; ip_dscp is the shifted value. */
        a->u8 = (uint8_t) (f->id == VSW_F_IP_DSCP ? v32 << 2 : v32 & VSW_IP_DSCP_MASK);
        break;
    case VSW_ACT_SET_IP_ECN:
    case VSW_ACT_SET_IP_TTL:
    case VSW_ACT_SET_VLAN_PCP:
        a->u8 = (uint8_t) v32;
        break;
    default:
        return;
    }
    /* One action through the dispatcher: the same prerequisites (no such
     * header, no effect) and the same view updates as a set_field. */
    /* Untraced: the list lives on this stack frame, and the load or move
     * that called us is the step the trace shows. */
    struct xlate_trace *trace = x->trace;
    x->trace = NULL;
    xlate_do_actions(x, &one.list);
    x->trace = trace;
}

void
xlate_load(struct xctx *x, const struct vsw_action *a)
{
    const struct vsw_field *f = vsw_field_get((enum vsw_field_id) a->field);

    if (f->pipe) {
        pipe_write(x, f, a->load.value, a->load.mask);
    } else {
        /* A load into part of a header field: the rest of the field keeps
         * the packet's value (read, so un-wildcarded). */
        struct vsw_flow cur, set;
        uint8_t value[16];
        uint8_t mask_bytes[16];
        bool whole = true;

        memset(mask_bytes, 0, sizeof mask_bytes);
        for (unsigned i = 0; i < f->width && i < 8; i++) {
            mask_bytes[f->width - 1 - i] = (uint8_t) (a->load.mask >> (8 * i));
        }
        for (unsigned i = 0; i < f->width; i++) {
            whole &= mask_bytes[i] == 0xff;
        }
        xlate_view_flow(x, &cur, &set);
        vsw_field_get_value(f, &cur, &x->pipe, value);
        if (!whole) {
            wc_field(x, f, &set);
        }
        for (unsigned i = 0; i < f->width && i < 8; i++) {
            unsigned b = f->width - 1 - i;
            uint8_t m = mask_bytes[b];
            value[b] = (uint8_t) ((value[b] & ~m) | ((uint8_t) (a->load.value >> (8 * i)) & m));
        }
        xlate_set_header_field(x, f, value);
    }
}

void
xlate_move(struct xctx *x, const struct vsw_action *a)
{
    const struct vsw_field *src = vsw_field_get((enum vsw_field_id) a->move.src);
    const struct vsw_field *dst = vsw_field_get((enum vsw_field_id) a->move.dst);
    struct vsw_flow cur, set;
    uint8_t sv[16];
    uint64_t bits, mask;

    xlate_view_flow(x, &cur, &set);
    vsw_field_get_value(src, &cur, &x->pipe, sv);
    bits = vsw_bits_get(sv, src->width, a->move.src_ofs, a->move.n_bits);
    if (!src->pipe) {
        /* The destination now depends on the source's bits (OVS un-wildcards
         * the whole source field). */
        wc_field(x, src, &set);
    }
    mask = a->move.n_bits == 64 ? UINT64_MAX : (UINT64_C(1) << a->move.n_bits) - 1;
    if (dst->pipe) {
        pipe_write(x, dst, bits << a->move.dst_ofs, mask << a->move.dst_ofs);
    } else {
        struct vsw_action ld;

        memset(&ld, 0, sizeof ld);
        ld.type = VSW_ACT_LOAD;
        ld.field = dst->id;
        if (dst->width > 8) {
            /* A 128-bit destination (IPv6 address): write it byte-wise. */
            uint8_t dv[16];
            vsw_field_get_value(dst, &cur, &x->pipe, dv);
            vsw_bits_set(dv, dst->width, a->move.dst_ofs, a->move.n_bits, bits);
            if (a->move.n_bits < dst->width * 8) {
                wc_field(x, dst, &set);
            }
            xlate_set_header_field(x, dst, dv);
            return;
        }
        ld.load.value = bits << a->move.dst_ofs;
        ld.load.mask = mask << a->move.dst_ofs;
        xlate_load(x, &ld);
    }
}
