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

static void
commit(struct xctx *x)
{
    struct xview *v = &x->v;
    const struct vsw_flow *f = x->flow;

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
    commit(x);
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

/* Records what action 'i' did, judged by the output and the view before
 * it ('len0', 'v0'). */
static void
trace_step(struct xlate_trace *t, const struct xctx *x, uint32_t i, uint16_t len0,
           const struct xview *v0, enum xlate_step_result stopped)
{
    if (t->n == XLATE_TRACE_MAX) {
        return;
    }
    t->steps[t->n].action = i;
    t->steps[t->n].start = len0;
    t->steps[t->n].end = x->out->len;
    if (stopped == XLATE_STOPPED) {
        t->steps[t->n].result = XLATE_STOPPED;
    } else if (x->out->len != len0) {
        t->steps[t->n].result = XLATE_EMITTED;
    } else if (memcmp(v0, &x->v, sizeof *v0)) {
        t->steps[t->n].result = XLATE_PENDING;
    } else {
        t->steps[t->n].result = XLATE_NO_EFFECT;
    }
    t->n++;
}

/* The translation; 'do_trace' is a compile-time constant at each call, so
 * the untraced instance carries no tracing code (VPP's do_trace idea). */
static inline __attribute__((always_inline)) void
xlate_actions__(const struct vsw_actions *acts, const struct vsw_flow *flow,
                const struct xlate_bridge *br, struct vsw_odp_buf *out,
                struct vsw_flow *wc, struct xlate_learn *learn,
                const bool do_trace, struct xlate_trace *trace)
{
    struct xctx x = { .flow = flow, .wc = wc, .out = out, .br = br, .learn = learn };
    struct xview *v = &x.v;
    struct xview v0;
    uint16_t len0 = 0;

    out->len = 0;
    out->overflow = false;
    out->xflags = 0;
    if (do_trace) {
        trace->n = 0;
    }
    if (!acts) {
        return;
    }
    view_init(&x);
    for (uint32_t i = 0; i < acts->n; i++) {
        const struct vsw_action *a = &acts->a[i];

        if (do_trace) {
            v0 = *v;
            len0 = out->len;
        }

        switch ((enum vsw_action_type) a->type) {
        case VSW_ACT_OUTPUT:
            if (a->port != flow->in_port) {
                xlate_output(&x, a->port);
            }
            break;
        case VSW_ACT_IN_PORT:
            xlate_output(&x, flow->in_port);
            break;
        case VSW_ACT_ALL:
        case VSW_ACT_FLOOD:
            xlate_flood(&x);
            break;
        case VSW_ACT_NORMAL:
            xlate_normal(&x);
            break;
        case VSW_ACT_SET_ETH_SRC:
            memcpy(v->dl_src, a->mac, 6);
            v->src_dirty = true;
            break;
        case VSW_ACT_SET_ETH_DST:
            memcpy(v->dl_dst, a->mac, 6);
            v->dst_dirty = true;
            break;
        case VSW_ACT_SET_IPV4_SRC:
            if (is_dl_type(&x, VSW_ETH_TYPE_IP)) {
                v->nw_src = a->be32;
                v->nw_src_dirty = true;
            }
            break;
        case VSW_ACT_SET_IPV4_DST:
            if (is_dl_type(&x, VSW_ETH_TYPE_IP)) {
                v->nw_dst = a->be32;
                v->nw_dst_dirty = true;
            }
            break;
        case VSW_ACT_SET_IP_DSCP:
            if (is_ip_any(&x)) {
                view_set_tos(&x, a->u8, VSW_IP_DSCP_MASK);
            }
            break;
        case VSW_ACT_SET_IP_ECN:
            if (is_ip_any(&x)) {
                view_set_tos(&x, a->u8, VSW_IP_ECN_MASK);
            }
            break;
        case VSW_ACT_SET_IP_TTL:
            if (is_ip_any(&x)) {
                v->ttl = a->u8;
                v->ttl_known = v->ttl_dirty = true;
            }
            break;
        case VSW_ACT_DEC_TTL:
            if (is_ip_any(&x)) {
                wc->nw_proto = 0xff;
                if (!v->ttl_known && !flow->nw_proto) {
                    /* No L3 commit for such a packet (see commit()): decide
                     * here, on the flow's TTL. */
                    wc->nw_ttl = 0xff;
                    v->ttl = flow->nw_ttl;
                    v->ttl_known = true;
                }
                if (v->ttl_known) {
                    if (v->ttl <= 1) {
                        /* OVS sends the packet to the controllers named by
                         * dec_ttl (none here) and ends the action list. */
                        if (do_trace) {
                            trace_step(trace, &x, i, len0, &v0, XLATE_STOPPED);
                        }
                        return;
                    }
                    v->ttl--;
                } else {
                    /* Decided per packet at the next commit, so megaflows
                     * need not match the TTL. */
                    v->ttl_dec++;
                    v->ttl_check = v->ttl_dec;
                }
                v->ttl_dirty = true;
            }
            break;
        case VSW_ACT_SET_L4_SRC:
            if (l4_settable(&x)) {
                v->tp_src = a->be16;
                v->tp_src_dirty = true;
            }
            break;
        case VSW_ACT_SET_L4_DST:
            if (l4_settable(&x)) {
                v->tp_dst = a->be16;
                v->tp_dst_dirty = true;
            }
            break;
        case VSW_ACT_PUSH_VLAN:
            view_push_vlan(&x, a->be16);
            break;
        case VSW_ACT_SET_VLAN_VID:
            view_set_vid(&x, a->u16);
            break;
        case VSW_ACT_SET_VLAN_PCP:
            view_set_pcp(&x, a->u8);
            break;
        case VSW_ACT_POP_VLAN:
            view_pop_vlan(&x);
            break;
        case VSW_ACT_SET_IPV6_SRC:
            if (is_dl_type(&x, VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_src, a->ip6, 16);
                v->ipv6_src_dirty = true;
            }
            break;
        case VSW_ACT_SET_IPV6_DST:
            if (is_dl_type(&x, VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_dst, a->ip6, 16);
                v->ipv6_dst_dirty = true;
            }
            break;
        case VSW_ACT_SET_IPV6_LABEL:
            if (is_dl_type(&x, VSW_ETH_TYPE_IPV6)) {
                v->label = a->be32 & rte_cpu_to_be_32(0xfffff);
                v->label_dirty = true;
            }
            break;
        case VSW_ACT_N_TYPES:
            break;
        }
        if (do_trace) {
            trace_step(trace, &x, i, len0, &v0, XLATE_NO_EFFECT);
        }
    }
}

void
xlate_actions(const struct vsw_actions *acts, const struct vsw_flow *flow,
              const uint32_t *ports, unsigned n_ports,
              struct vsw_odp_buf *out, struct vsw_flow *wc)
{
    struct xlate_bridge br = { .ofports = ports, .n_ports = n_ports };

    xlate_actions__(acts, flow, &br, out, wc, NULL, false, NULL);
}

void
xlate_actions_br(const struct vsw_actions *acts, const struct vsw_flow *flow,
                 const struct xlate_bridge *br, struct vsw_odp_buf *out,
                 struct vsw_flow *wc, struct xlate_learn *learn)
{
    xlate_actions__(acts, flow, br, out, wc, learn, false, NULL);
}

bool
xlate_megaflow_valid(const struct vsw_cls *cls, const struct xlate_bridge *br,
                     const struct vsw_flow *key, const struct vsw_flow *mask,
                     const struct vsw_rule *rule, const uint8_t *acts, uint16_t len)
{
    struct vsw_odp_buf now;
    struct vsw_flow now_mask;
    struct xlate_learn learn;
    const vsw_flow_word *m, *old = vsw_flow_cwords(mask);

    if (xlate_flow(cls, br, key, &now, &now_mask, &learn, NULL) != rule || now.overflow
        || now.len != len || (len && memcmp(now.data, acts, len))) {
        return false;
    }
    if (learn.valid && br->fdb
        && vsw_fdb_would_move(br->fdb, learn.mac, learn.vlan, learn.port)) {
        /* Its packets would now teach the MAC table something (the source
         * MAC moved away or aged out): they must reach the handler. */
        return false;
    }
    m = vsw_flow_cwords(&now_mask);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if (m[i] & ~old[i]) {
            return false;   /* The translation now reads a bit the megaflow ignores. */
        }
    }
    return true;
}

const struct vsw_rule *
xlate_flow(const struct vsw_cls *cls, const struct xlate_bridge *br,
           const struct vsw_flow *flow, struct vsw_odp_buf *out, struct vsw_flow *mask,
           struct xlate_learn *learn, struct xlate_trace *trace)
{
    struct vsw_flow key = *flow;
    const struct vsw_rule *rule;

    memset(mask, 0, sizeof *mask);
    if (key.nw_frag & VSW_FRAG_ANY) {
        /* frags=normal: fragments are looked up with ports 0. */
        key.tp_src = 0;
        key.tp_dst = 0;
    }
    rule = vsw_cls_lookup_wc(cls, 0, &key, mask);
    if (learn) {
        learn->valid = false;
    }
    if (trace) {
        xlate_actions__(rule ? rule->actions : NULL, flow, br, out, mask, learn, true, trace);
    } else {
        xlate_actions__(rule ? rule->actions : NULL, flow, br, out, mask, learn, false, NULL);
    }
    /* Always part of a megaflow: the port (megaflows are per in_port) and
     * the fragment bit, because a fragment's lookup key differs from its
     * flow (ports zeroed). */
    mask->in_port = UINT32_MAX;
    mask->nw_frag |= VSW_FRAG_ANY;
    return rule;
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
