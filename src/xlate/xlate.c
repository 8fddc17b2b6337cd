/* SPDX-License-Identifier: Apache-2.0 */
/* Translation of OpenFlow actions into datapath actions; see xlate.h. */

#include <string.h>

#include <rte_byteorder.h>

#include "classifier/cls.h"
#include "l2/fdb.h"
#include "xlate/xlate.h"
#include "xlate/xlate_int.h"

static bool
is_ip_any(struct xctx *x)
{
    x->wc->dl_type = 0xffff;
    return vsw_flow_is_ip_any(x->flow);
}

static bool
is_dl_type(struct xctx *x, uint16_t type)
{
    x->wc->dl_type = 0xffff;
    return x->flow->dl_type == BE16(type);
}

/* ---- VLAN tags. ---- */

static int
count_tags(const struct xtag *t)
{
    return t[0].present ? (t[1].present ? 2 : 1) : 0;
}

static bool
tag_equal(const struct xtag *a, const struct xtag *b)
{
    if (a->from_pkt != b->from_pkt || a->known != b->known) {
        return false;
    }
    if (!a->from_pkt && a->tpid != b->tpid) {
        return false;
    }
    return !((a->tci ^ b->tci) & a->known);
}

static void
commit_vlans(struct xctx *x)
{
    struct xtag *b = x->base, *v = x->v.vlans;
    int bn = count_tags(b), fn = count_tags(v);

    /* Keep the common innermost tags; pop the rest of the base, push the
     * rest of the view (innermost first). */
    for (bn--, fn--; bn >= 0 && fn >= 0; bn--, fn--) {
        if (!tag_equal(&b[bn], &v[fn])) {
            break;
        }
    }
    bool set_in_place = bn >= 0 && fn >= 0 && v[fn].from_pkt && b[bn].from_pkt;
    for (int i = set_in_place ? bn - 1 : bn; i >= 0; i--) {
        vsw_odp_put(x->out, VSW_ODP_POP_VLAN, sizeof(struct vsw_odp_hdr));
    }
    for (; fn >= 0; fn--, set_in_place = false) {
        struct vsw_odp_vlan *a;
        if (v[fn].from_pkt && set_in_place) {
            /* The packet's tag with a new TCI: a pop and a push with its own
             * TPID would give the same bytes.  Bits an earlier commit wrote
             * that the view no longer knows (NORMAL retagged a copy, then
             * the actions go on with the packet as it came) get the
             * packet's own values back, which the megaflow must then match. */
            uint16_t restore = (uint16_t) (b[bn].known & ~v[fn].known
                                           & ~BE16(VSW_VLAN_CFI));
            uint16_t tci = v[fn].tci;
            if (restore) {
                x->wc->vlan_tci |= restore;
                tci = (uint16_t) ((tci & ~restore) | (x->flow->vlan_tci & restore));
            }
            a = vsw_odp_put(x->out, VSW_ODP_SET_VLAN, sizeof *a);
            if (a) {
                a->tci = tci & ~BE16(VSW_VLAN_CFI);
                a->mask = v[fn].known | restore | BE16(VSW_VLAN_CFI);
            }
        } else if (v[fn].from_pkt) {
            /* The packet's tag, popped for an earlier output (NORMAL untags
             * a copy for one port and not for another): back as it came,
             * with the bits the actions wrote. */
            a = vsw_odp_put(x->out, VSW_ODP_PUSH_VLAN, sizeof *a);
            if (a) {
                a->h.flags = VSW_ODPF_VLAN_ORIG;
                a->tci = v[fn].tci & ~BE16(VSW_VLAN_CFI);
                a->mask = v[fn].known & ~BE16(VSW_VLAN_CFI);
            }
        } else {
            a = vsw_odp_put(x->out, VSW_ODP_PUSH_VLAN, sizeof *a);
            if (a) {
                a->tpid = v[fn].tpid;
                a->tci = v[fn].tci & ~BE16(VSW_VLAN_CFI);
            }
        }
    }
    memcpy(x->base, v, sizeof x->base);
}

/* ---- Commit: what changed since the last output. ---- */

static uint16_t
ttl_flags(const struct xview *v)
{
    if (!v->ttl_dirty) {
        return 0;
    }
    return (uint16_t) ((v->ttl_known ? VSW_ODPF_TTL : VSW_ODPF_TTL_DEC)
                       | (v->ttl_check ? VSW_ODPF_TTL_CHECK : 0));
}

void
xlate_commit(struct xctx *x)
{
    struct xview *v = &x->v;
    const struct vsw_flow *f = x->flow;

    if (x->wc_pending_any) {
        xlate_group_commit_wc(x);
    }
    if (v->src_dirty || v->dst_dirty) {
        struct vsw_odp_eth *a = vsw_odp_put(x->out, VSW_ODP_SET_ETH, sizeof *a);
        if (a) {
            a->h.flags = (uint16_t) ((v->src_dirty ? VSW_ODPF_SRC : 0)
                                     | (v->dst_dirty ? VSW_ODPF_DST : 0));
            memcpy(a->src, v->dl_src, 6);
            memcpy(a->dst, v->dl_dst, 6);
        }
        v->src_dirty = v->dst_dirty = false;
    }

    bool l3 = v->nw_src_dirty || v->nw_dst_dirty || v->ipv6_src_dirty || v->ipv6_dst_dirty
              || v->label_dirty || v->tos_dirty || v->ttl_dirty;
    bool l4 = v->tp_src_dirty || v->tp_dst_dirty;
    if (l3 || l4) {
        /* The datapath rewrites L3/L4 only for a packet with an IP protocol
         * (OVS treats nw_proto 0 as "no L3 to commit"). */
        x->wc->nw_proto = 0xff;
        x->wc->dl_type = 0xffff;
    }
    if ((l3 || l4) && f->nw_proto) {
        if (l3 && f->dl_type == BE16(VSW_ETH_TYPE_IP)) {
            struct vsw_odp_ipv4 *a = vsw_odp_put(x->out, VSW_ODP_SET_IPV4, sizeof *a);
            if (a) {
                a->h.flags = (uint16_t) ((v->nw_src_dirty ? VSW_ODPF_SRC : 0)
                                         | (v->nw_dst_dirty ? VSW_ODPF_DST : 0)
                                         | (v->tos_dirty ? VSW_ODPF_TOS : 0)
                                         | ttl_flags(v));
                a->src = v->nw_src;
                a->dst = v->nw_dst;
                a->tos = v->tos;
                a->tos_mask = v->tos_dirty;
                a->ttl = v->ttl_known ? v->ttl : v->ttl_dec;
                a->ttl_check = v->ttl_check;
            }
        } else if (l3 && f->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
            struct vsw_odp_ipv6 *a = vsw_odp_put(x->out, VSW_ODP_SET_IPV6, sizeof *a);
            if (a) {
                a->h.flags = (uint16_t) ((v->ipv6_src_dirty ? VSW_ODPF_SRC : 0)
                                         | (v->ipv6_dst_dirty ? VSW_ODPF_DST : 0)
                                         | (v->tos_dirty ? VSW_ODPF_TOS : 0)
                                         | ttl_flags(v)
                                         | (v->label_dirty ? VSW_ODPF_LABEL : 0));
                memcpy(a->src, v->ipv6_src, 16);
                memcpy(a->dst, v->ipv6_dst, 16);
                a->label = v->label;
                a->tclass = v->tos;
                a->tclass_mask = v->tos_dirty;
                a->hlimit = v->ttl_known ? v->ttl : v->ttl_dec;
                a->ttl_check = v->ttl_check;
            }
        }
        if (l4 && vsw_flow_is_ip_any(f)) {
            uint16_t proto = f->nw_proto == VSW_IPPROTO_TCP ? VSW_ODPF_L4_TCP
                             : f->nw_proto == VSW_IPPROTO_UDP ? VSW_ODPF_L4_UDP
                             : f->nw_proto == VSW_IPPROTO_SCTP ? VSW_ODPF_L4_SCTP : 0;
            struct vsw_odp_l4 *a = proto ? vsw_odp_put(x->out, VSW_ODP_SET_L4, sizeof *a) : NULL;
            if (a) {
                a->h.flags = (uint16_t) (proto | (v->tp_src_dirty ? VSW_ODPF_SRC : 0)
                                         | (v->tp_dst_dirty ? VSW_ODPF_DST : 0));
                a->src = v->tp_src;
                a->dst = v->tp_dst;
            }
        }
    }
    v->nw_src_dirty = v->nw_dst_dirty = v->ipv6_src_dirty = v->ipv6_dst_dirty = false;
    v->label_dirty = v->ttl_dirty = false;
    v->ttl_dec = v->ttl_check = 0;
    v->tos_dirty = 0;
    v->tp_src_dirty = v->tp_dst_dirty = false;

    if (memcmp(x->base, v->vlans, sizeof x->base)) {
        commit_vlans(x);
    }
}

void
xlate_output(struct xctx *x, uint32_t port)
{
    xlate_commit(x);
    struct vsw_odp_output *o = vsw_odp_put(x->out, VSW_ODP_OUTPUT, sizeof *o);
    if (o) {
        o->port = port;
    }
}

/* ---- View updates. ---- */

static void
view_init(struct xctx *x)
{
    const struct vsw_flow *f = x->flow;
    struct xview *v = &x->v;

    memset(v, 0, sizeof *v);
    memcpy(v->dl_dst, f->dl_dst, 6);
    memcpy(v->dl_src, f->dl_src, 6);
    if (f->vlan_tci & BE16(VSW_VLAN_CFI)) {
        v->vlans[0].present = true;
        v->vlans[0].from_pkt = true;
        v->vlans[0].tci = BE16(VSW_VLAN_CFI);
    }
    memcpy(x->base, v->vlans, sizeof x->base);
}

/* The outer tag exists?  For the packet's own tag that is a question about
 * the flow, so the megaflow must match the tag's presence. */
bool
xlate_outer_tagged(struct xctx *x)
{
    x->wc->vlan_tci |= BE16(VSW_VLAN_CFI);
    return x->v.vlans[0].present;
}

static void
view_push_vlan(struct xctx *x, uint16_t tpid)
{
    struct xview *v = &x->v;

    x->wc->vlan_tci |= BE16(VSW_VLAN_CFI);
    v->vlan_changed = true;
    v->vlans[1] = v->vlans[0];
    memset(&v->vlans[0], 0, sizeof v->vlans[0]);
    v->vlans[0].present = true;
    v->vlans[0].tpid = tpid;
    v->vlans[0].tci = BE16(VSW_VLAN_CFI);
    v->vlans[0].known = 0xffff;
}

static void
view_pop_vlan(struct xctx *x)
{
    struct xview *v = &x->v;
    int n = (xlate_outer_tagged(x), count_tags(v->vlans));

    v->vlan_changed = true;

    if (n > 1) {
        v->vlans[0] = v->vlans[1];
    }
    if (n > 0) {
        memset(&v->vlans[n - 1], 0, sizeof v->vlans[n - 1]);
    }
}

static void
view_set_vid(struct xctx *x, uint16_t vid)
{
    struct xtag *t = &x->v.vlans[0];
    uint16_t bits = BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);

    x->v.vlan_changed = true;
    if (!xlate_outer_tagged(x)) {
        /* No tag to set: as the executor always did, the VID makes one
         * (with no TPID; the parser puts a push_vlan first wherever the
         * rule does not guarantee a tag). */
        t->present = true;
        t->from_pkt = false;
        t->tpid = 0;
        t->tci = 0;
        t->known = 0xffff;
    }
    t->tci = (uint16_t) ((t->tci & ~bits) | BE16((uint16_t) ((vid & VSW_VLAN_VID_MASK) | VSW_VLAN_CFI)));
    t->known |= bits;
}

static void
view_set_pcp(struct xctx *x, uint8_t pcp)
{
    struct xtag *t = &x->v.vlans[0];
    uint16_t bits = BE16(VSW_VLAN_PCP_MASK | VSW_VLAN_CFI);

    x->v.vlan_changed = true;
    if (xlate_outer_tagged(x)) {
        t->tci = (uint16_t) ((t->tci & ~bits)
                             | BE16((uint16_t) (((pcp & 7) << VSW_VLAN_PCP_SHIFT) | VSW_VLAN_CFI)));
        t->known |= bits;
    }
}

static void
view_set_tos(struct xctx *x, uint8_t value, uint8_t mask)
{
    x->v.tos = (uint8_t) ((x->v.tos & ~mask) | (value & mask));
    x->v.tos_dirty |= mask;
    x->v.tos_set |= mask;
}

static bool
l4_settable(struct xctx *x)
{
    const struct vsw_flow *f = x->flow;

    /* set_field:...->tcp/udp/sctp_*: not on later fragments. */
    x->wc->nw_proto = 0xff;
    x->wc->nw_frag |= VSW_FRAG_LATER;
    return is_ip_any(x) && !(f->nw_frag & VSW_FRAG_LATER)
           && (f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_UDP
               || f->nw_proto == VSW_IPPROTO_SCTP);
}

/* ---- Tracing. ---- */

struct xlate_trace_ev *
xlate_trace_add(struct xctx *x, enum xlate_ev_kind kind, uint32_t idx, uint32_t arg,
                const void *obj)
{
    struct xlate_trace *t = x->trace;
    struct xlate_trace_ev *e;

    if (!t) {
        return NULL;
    }
    if (t->n == XLATE_TRACE_MAX) {
        t->truncated = true;
        return NULL;
    }
    e = &t->ev[t->n++];
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t) kind;
    e->depth = x->nest;
    e->table = x->table_id;
    e->idx = idx;
    e->arg = arg;
    e->obj = obj;
    return e;
}

/* Completes the XEV_ACTION event 'ev' of an action, judged by the output
 * and the view before it ('len0', 'v0'). */
static void
trace_done(struct xctx *x, struct xlate_trace_ev *ev, uint16_t len0, const struct xview *v0,
           const struct vsw_pipe *p0, enum xlate_step_result stopped)
{
    if (!ev) {
        return;
    }
    ev->start = len0;
    ev->end = x->out->len;
    if (stopped == XLATE_STOPPED) {
        ev->result = XLATE_STOPPED;
    } else if (x->out->len != len0) {
        ev->result = XLATE_EMITTED;
    } else if (memcmp(v0, &x->v, sizeof *v0)) {
        ev->result = XLATE_PENDING;
    } else if (memcmp(p0, &x->pipe, sizeof *p0)) {
        ev->result = XLATE_PIPE_SET;
    } else {
        ev->result = XLATE_NO_EFFECT;
    }
}

void
xlate_add_dep(struct xctx *x, struct vsw_counted *c)
{
    struct xlate_deps *d = x->deps;

    if (!d) {
        return;
    }
    if (d->n == VSW_MAX_DEPS) {
        d->overflow = true;
        return;
    }
    d->d[d->n++] = c;
}

/* ---- The action loop. ---- */

static void
do_actions(struct xctx *x, const struct vsw_actions *acts)
{
    const struct vsw_flow *flow = x->flow;
    struct vsw_flow *wc = x->wc;
    struct xview *v = &x->v;
    struct xview v0;
    struct vsw_pipe p0;
    uint16_t len0 = 0;
    const bool tail = x->tail;

    if (!acts) {
        return;
    }
    for (uint32_t i = 0; i < acts->n && !x->error; i++) {
        const struct vsw_action *a = &acts->a[i];
        struct xlate_trace_ev *ev = NULL;
        /* What a resubmit, goto or group leads to nests in the trace
         * unless nothing follows it. */
        const bool last = tail && i == acts->n - 1;
        const bool leads = a->type == VSW_ACT_RESUBMIT || a->type == VSW_ACT_GOTO_TABLE
                           || a->type == VSW_ACT_GROUP;
        bool stop = false;

        if (x->trace) {
            ev = xlate_trace_add(x, XEV_ACTION, i, 0, acts);
            v0 = *v;
            p0 = x->pipe;
            len0 = x->out->len;
        }

        if (leads) {
            x->tail = last;
            x->nest = (uint8_t) (x->nest + !last);
        }
        switch ((enum vsw_action_type) a->type) {
        case VSW_ACT_OUTPUT:
            if (a->port != flow->in_port) {
                xlate_output(x, a->port);
            }
            break;
        case VSW_ACT_IN_PORT:
            xlate_output(x, flow->in_port);
            break;
        case VSW_ACT_ALL:
        case VSW_ACT_FLOOD:
            xlate_flood(x);
            break;
        case VSW_ACT_NORMAL:
            xlate_normal(x);
            break;
        case VSW_ACT_SET_ETH_SRC:
            memcpy(v->dl_src, a->mac, 6);
            v->src_dirty = v->src_set = true;
            break;
        case VSW_ACT_SET_ETH_DST:
            memcpy(v->dl_dst, a->mac, 6);
            v->dst_dirty = v->dst_set = true;
            break;
        case VSW_ACT_SET_IPV4_SRC:
            if (is_dl_type(x, VSW_ETH_TYPE_IP)) {
                v->nw_src = a->be32;
                v->nw_src_dirty = v->nw_src_set = true;
            }
            break;
        case VSW_ACT_SET_IPV4_DST:
            if (is_dl_type(x, VSW_ETH_TYPE_IP)) {
                v->nw_dst = a->be32;
                v->nw_dst_dirty = v->nw_dst_set = true;
            }
            break;
        case VSW_ACT_SET_IP_DSCP:
            if (is_ip_any(x)) {
                view_set_tos(x, a->u8, VSW_IP_DSCP_MASK);
            }
            break;
        case VSW_ACT_SET_IP_ECN:
            if (is_ip_any(x)) {
                view_set_tos(x, a->u8, VSW_IP_ECN_MASK);
            }
            break;
        case VSW_ACT_SET_IP_TTL:
            if (is_ip_any(x)) {
                v->ttl = a->u8;
                v->ttl_known = v->ttl_dirty = true;
            }
            break;
        case VSW_ACT_DEC_TTL:
            if (is_ip_any(x)) {
                wc->nw_proto = 0xff;
                if (!v->ttl_known && !flow->nw_proto) {
                    /* No L3 commit for such a packet (see commit()): decide
                     * here, on the flow's TTL. */
                    wc->nw_ttl = 0xff;
                    v->ttl = flow->nw_ttl;
                    v->ttl_known = true;
                }
                if (!v->ttl_known && x->lists > 1) {
                    /* In a nested list (a resubmit's, goto_table's, a
                     * bucket's) a TTL that runs out ends only this list
                     * and the caller goes on, as in OVS: decide now, on
                     * the packet's TTL less the decrements so far (the
                     * megaflow matches it, as OVS's always does).  If an
                     * earlier decrement ran out, the check it left drops
                     * the packet at the next commit anyway. */
                    wc->nw_ttl = 0xff;
                    if (flow->nw_ttl <= v->ttl_total_dec + 1u) {
                        trace_done(x, ev, len0, &v0, &p0, XLATE_STOPPED);
                        return;
                    }
                }
                if (v->ttl_known) {
                    if (v->ttl <= 1) {
                        /* OVS sends the packet to the controllers named by
                         * dec_ttl (none here) and ends the action list. */
                        trace_done(x, ev, len0, &v0, &p0, XLATE_STOPPED);
                        return;
                    }
                    v->ttl--;
                } else {
                    /* Decided per packet at the next commit, so megaflows
                     * need not match the TTL. */
                    v->ttl_dec++;
                    v->ttl_total_dec++;
                    v->ttl_check = v->ttl_dec;
                }
                v->ttl_dirty = true;
            }
            break;
        case VSW_ACT_SET_L4_SRC:
            if (l4_settable(x)) {
                v->tp_src = a->be16;
                v->tp_src_dirty = v->tp_src_set = true;
            }
            break;
        case VSW_ACT_SET_L4_DST:
            if (l4_settable(x)) {
                v->tp_dst = a->be16;
                v->tp_dst_dirty = v->tp_dst_set = true;
            }
            break;
        case VSW_ACT_PUSH_VLAN:
            view_push_vlan(x, a->be16);
            break;
        case VSW_ACT_SET_VLAN_VID:
            view_set_vid(x, a->u16);
            break;
        case VSW_ACT_SET_VLAN_PCP:
            view_set_pcp(x, a->u8);
            break;
        case VSW_ACT_POP_VLAN:
            view_pop_vlan(x);
            break;
        case VSW_ACT_SET_IPV6_SRC:
            if (is_dl_type(x, VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_src, a->ip6, 16);
                v->ipv6_src_dirty = v->ipv6_src_set = true;
            }
            break;
        case VSW_ACT_SET_IPV6_DST:
            if (is_dl_type(x, VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_dst, a->ip6, 16);
                v->ipv6_dst_dirty = v->ipv6_dst_set = true;
            }
            break;
        case VSW_ACT_SET_IPV6_LABEL:
            if (is_dl_type(x, VSW_ETH_TYPE_IPV6)) {
                v->label = a->be32 & rte_cpu_to_be_32(0xfffff);
                v->label_dirty = v->label_set = true;
            }
            break;
        case VSW_ACT_RESUBMIT:
            xlate_table(x, a->resubmit.port == VSW_OFPP_IN_PORT ? flow->in_port
                                                                 : a->resubmit.port,
                        a->resubmit.table == 255 ? x->table_id : a->resubmit.table,
                        XLOOKUP_RESUBMIT);
            break;
        case VSW_ACT_GOTO_TABLE:
            xlate_table(x, flow->in_port, a->resubmit.table, XLOOKUP_GOTO);
            break;
        case VSW_ACT_WRITE_METADATA:
            xlate_write_metadata(x, a);
            break;
        case VSW_ACT_LOAD:
            xlate_load(x, a);
            break;
        case VSW_ACT_MOVE:
            xlate_move(x, a);
            break;
        case VSW_ACT_GROUP:
            /* A group that does not exist ends the list (OVS). */
            stop = xlate_group(x, a->group);
            break;
        case VSW_ACT_CONTROLLER:
            xlate_controller(x, a, acts);
            break;
        case VSW_ACT_N_TYPES:
            break;
        }
        if (leads) {
            x->tail = tail;
            x->nest = (uint8_t) (x->nest - !last);
        }
        trace_done(x, ev, len0, &v0, &p0, XLATE_NO_EFFECT);
        if (stop) {
            return;
        }
    }
}

void
xlate_do_actions(struct xctx *x, const struct vsw_actions *acts)
{
    x->lists++;
    do_actions(x, acts);
    x->lists--;
}

/* ---- The headers as the actions left them. ---- */

void
xlate_current_flow(struct xctx *x, struct vsw_flow *f)
{
    struct vsw_flow set;

    xlate_view_flow(x, f, &set);
}

void
xlate_view_flow(struct xctx *x, struct vsw_flow *f, struct vsw_flow *set)
{
    const struct xview *v = &x->v;
    const struct xtag *t = &v->vlans[0];

    *f = *x->flow;
    memset(set, 0, sizeof *set);
    if (v->src_set) {
        memcpy(f->dl_src, v->dl_src, 6);
        memset(set->dl_src, 0xff, 6);
    }
    if (v->dst_set) {
        memcpy(f->dl_dst, v->dl_dst, 6);
        memset(set->dl_dst, 0xff, 6);
    }
    if (!v->vlan_changed) {
        /* The packet's own tag (or none): read from the packet. */
    } else if (!t->present) {
        /* No tag left (popped: the pop read the tag's presence). */
        f->vlan_tci = 0;
        set->vlan_tci = 0xffff;
    } else if (!t->from_pkt) {
        f->vlan_tci = t->tci;
        set->vlan_tci = 0xffff;
    } else {
        f->vlan_tci = (uint16_t) ((f->vlan_tci & ~t->known) | (t->tci & t->known));
        set->vlan_tci = t->known;
    }
    if (v->nw_src_set) {
        f->nw_src = v->nw_src;
        set->nw_src = UINT32_MAX;
    }
    if (v->nw_dst_set) {
        f->nw_dst = v->nw_dst;
        set->nw_dst = UINT32_MAX;
    }
    if (v->ipv6_src_set) {
        memcpy(f->ipv6_src, v->ipv6_src, 16);
        memset(set->ipv6_src, 0xff, 16);
    }
    if (v->ipv6_dst_set) {
        memcpy(f->ipv6_dst, v->ipv6_dst, 16);
        memset(set->ipv6_dst, 0xff, 16);
    }
    if (v->label_set) {
        f->ipv6_label = v->label;
        set->ipv6_label = UINT32_MAX;
    }
    f->nw_tos = (uint8_t) ((f->nw_tos & ~v->tos_set) | (v->tos & v->tos_set));
    set->nw_tos = v->tos_set;
    if (v->ttl_known) {
        f->nw_ttl = v->ttl;
        set->nw_ttl = 0xff;
    } else if (v->ttl_total_dec) {
        /* Known only relative to the packet's own TTL: a lookup that reads
         * it reads the packet's (not in 'set'). */
        f->nw_ttl = (uint8_t) (f->nw_ttl - v->ttl_total_dec);
    }
    if (v->tp_src_set) {
        f->tp_src = v->tp_src;
        set->tp_src = 0xffff;
    }
    if (v->tp_dst_set) {
        f->tp_dst = v->tp_dst;
        set->tp_dst = 0xffff;
    }
}

/* ---- Entry points. ---- */

static void
xctx_init(struct xctx *x, const struct vsw_cls *cls, const struct xlate_bridge *br,
          const struct vsw_flow *flow, struct vsw_odp_buf *out, struct vsw_flow *wc,
          struct xlate_learn *learn, struct xlate_deps *deps, struct xlate_trace *trace)
{
    memset(x, 0, sizeof *x);
    x->flow = flow;
    x->wc = wc;
    x->out = out;
    x->br = br;
    x->learn = learn;
    x->cls = cls;
    x->deps = deps;
    x->trace = trace;
    x->tail = true;
    out->len = 0;
    out->overflow = false;
    out->xflags = 0;
    if (learn) {
        learn->n = 0;
    }
    if (deps) {
        deps->n = 0;
        deps->overflow = false;
        memset(deps->tables, 0, sizeof deps->tables);
    }
    if (trace) {
        trace->n = 0;
        trace->truncated = false;
    }
    view_init(x);
}

/* What every megaflow matches besides what the translation read: the port
 * (megaflows are per in_port) and the fragment bit, because a fragment's
 * lookup key differs from its flow (ports zeroed). */
static void
xctx_finish(struct xctx *x)
{
    if (x->error) {
        /* OVS: a translation that hit a limit drops the packet, all of it. */
        x->out->len = 0;
        x->out->overflow = false;
        xlate_trace_add(x, XEV_ERROR, x->error, 0, NULL);
    }
    x->wc->in_port = UINT32_MAX;
    x->wc->nw_frag |= VSW_FRAG_ANY;
}

void
xlate_actions(const struct vsw_actions *acts, const struct vsw_flow *flow,
              const uint32_t *ports, unsigned n_ports,
              struct vsw_odp_buf *out, struct vsw_flow *wc)
{
    struct xlate_bridge br = { .ofports = ports, .n_ports = n_ports };
    struct xctx x;

    xctx_init(&x, NULL, &br, flow, out, wc, NULL, NULL, NULL);
    xlate_do_actions(&x, acts);
}

void
xlate_actions_br(const struct vsw_actions *acts, const struct vsw_flow *flow,
                 const struct xlate_bridge *br, struct vsw_odp_buf *out,
                 struct vsw_flow *wc, struct xlate_learn *learn)
{
    struct xctx x;

    xctx_init(&x, NULL, br, flow, out, wc, learn, NULL, NULL);
    xlate_do_actions(&x, acts);
}

bool
xlate_megaflow_valid(const struct vsw_cls *cls, const struct xlate_bridge *br,
                     const struct vsw_flow *key, const struct vsw_flow *mask,
                     struct vsw_counted *const *deps, unsigned n_deps,
                     const uint8_t *acts, uint16_t len)
{
    struct vsw_odp_buf now;
    struct vsw_flow now_mask;
    struct xlate_learn learn;
    struct xlate_deps now_deps;
    struct xlate_result r;
    const vsw_flow_word *m, *old = vsw_flow_cwords(mask);

    r = xlate_flow(cls, br, key, &now, &now_mask, &learn, &now_deps, NULL);
    if (r.error || now.overflow || now_deps.overflow || now_deps.n != n_deps
        || (n_deps && memcmp(now_deps.d, deps, n_deps * sizeof deps[0]))
        || now.len != len || (len && memcmp(now.data, acts, len))) {
        return false;
    }
    for (unsigned i = 0; br->fdb && i < learn.n; i++) {
        const struct xlate_learn_entry *e = &learn.e[i];
        if (vsw_fdb_would_move(br->fdb, e->mac, e->vlan, e->port)) {
            /* Its packets would now teach the MAC table something (the
             * source MAC moved away or aged out): they must reach the
             * handler. */
            return false;
        }
    }
    m = vsw_flow_cwords(&now_mask);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if (m[i] & ~old[i]) {
            return false;   /* The translation now reads a bit the megaflow ignores. */
        }
    }
    return true;
}

struct xlate_result
xlate_flow(const struct vsw_cls *cls, const struct xlate_bridge *br,
           const struct vsw_flow *flow, struct vsw_odp_buf *out, struct vsw_flow *mask,
           struct xlate_learn *learn, struct xlate_deps *deps, struct xlate_trace *trace)
{
    struct xlate_result r;
    struct xctx x;

    memset(mask, 0, sizeof *mask);
    xctx_init(&x, cls, br, flow, out, mask, learn, deps, trace);
    r.rule = xlate_lookup(&x, flow->in_port, 0, XLOOKUP_START);
    if (r.rule) {
        xlate_run_rule(&x, r.rule, false);
    }
    xctx_finish(&x);
    r.error = (enum xlate_error) x.error;
    if (deps && deps->overflow && !r.error) {
        r.error = XLATE_TOO_MANY_DEPS;
    }
    return r;
}

enum xlate_error
xlate_packet_out(const struct vsw_cls *cls, const struct xlate_bridge *br,
                 const struct vsw_flow *flow, const struct vsw_actions *acts,
                 struct vsw_odp_buf *out, struct vsw_flow *mask,
                 struct xlate_learn *learn, struct xlate_trace *trace)
{
    struct xctx x;

    memset(mask, 0, sizeof *mask);
    xctx_init(&x, cls, br, flow, out, mask, learn, NULL, trace);
    x.packet_out = true;
    xlate_do_actions(&x, acts);
    xctx_finish(&x);
    return (enum xlate_error) x.error;
}

const char *
xlate_error_name(enum xlate_error e)
{
    switch (e) {
    case XLATE_OK:
        return "ok";
    case XLATE_RECURSION_TOO_DEEP:
        return "recursion_too_deep";
    case XLATE_TOO_MANY_RESUBMITS:
        return "too_many_resubmits";
    case XLATE_TOO_MANY_DEPS:
        return "too_many_dependencies";
    case XLATE_N_ERRORS:
        break;
    }
    return "?";
}

void
xlate_execute(const struct vsw_actions *acts, struct rte_mbuf *m,
              const struct vsw_flow *flow, const struct vsw_layout *layout,
              const uint32_t *ports, unsigned n_ports, const struct vsw_exec_env *env,
              struct vsw_exec_out *outs, unsigned *n_outs, unsigned max_outs,
              struct vsw_exec_stats *stats)
{
    struct vsw_odp_buf buf;
    struct vsw_flow wc;

    memset(&wc, 0, sizeof wc);
    xlate_actions(acts, flow, ports, n_ports, &buf, &wc);
    if (buf.overflow) {
        stats->outs_overflow++;
        rte_pktmbuf_free(m);
        return;
    }
    vsw_odp_execute(buf.data, buf.len, m, layout, env, outs, n_outs, max_outs, stats);
}
