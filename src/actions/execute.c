/* SPDX-License-Identifier: Apache-2.0 */
/* Action execution with OVS-compatible commit semantics; see execute.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "actions/execute.h"
#include "bytes.h"

/* Header fields that actions can change, as OVS's translation tracks them. */
struct xview {
    uint8_t dl_dst[6];
    uint8_t dl_src[6];
    struct {
        uint16_t tpid;             /* be16; 0 if unknown. */
        uint16_t tci;              /* be16, CFI set when the tag exists. */
    } vlans[2];
    uint32_t nw_src, nw_dst;       /* be32. */
    uint8_t ipv6_src[16], ipv6_dst[16];
    uint32_t ipv6_label;           /* be32, low 20 bits. */
    uint8_t nw_tos, nw_ttl;
    uint16_t tp_src, tp_dst;       /* be16. */
};

/* Per-packet execution state. */
struct xctx {
    struct rte_mbuf *m;
    const struct vsw_flow *flow;   /* Immutable parts: dl_type, nw_proto... */
    struct vsw_layout lay;         /* Current header offsets. */
    struct xview view;             /* What the actions want. */
    struct xview base;             /* What the packet bytes hold. */
};

#define BE16(x) rte_cpu_to_be_16(x)

/* ---- Checksums. ---- */

uint16_t
vsw_csum_update16(uint16_t csum, uint16_t old16, uint16_t new16)
{
    /* RFC 1624 eqn. 3 on raw 16-bit words: endianness-independent. */
    uint32_t sum = (uint16_t) ~csum + (uint32_t) (uint16_t) ~old16 + new16;

    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

uint16_t
vsw_csum_update32(uint16_t csum, uint32_t old32, uint32_t new32)
{
    /* The word at the lower address first, as OVS does (little-endian). */
    csum = vsw_csum_update16(csum, (uint16_t) old32, (uint16_t) new32);
    return vsw_csum_update16(csum, (uint16_t) (old32 >> 16), (uint16_t) (new32 >> 16));
}

/* Not rte_hash_crc(): it loads 8 bytes at a time through a 'uint64_t *',
 * and an SCTP header sits at any offset in a frame (34 bytes in after a
 * plain IPv4 header), so that is a misaligned load: undefined behaviour
 * that UBSan reports and that a compiler may turn into an aligned vector
 * load.  Copying each word out with memcpy costs nothing on x86. */
uint32_t
vsw_crc32c(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffff;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, sizeof w);
        crc = rte_hash_crc_8byte(w, crc);
    }
    for (; i < len; i++) {
        crc = rte_hash_crc_1byte(data[i], crc);
    }
    return ~crc;
}


static inline bool
is_ip_any(const struct vsw_flow *f)
{
    return vsw_flow_is_ip_any(f);
}

static inline bool
is_vlan_tpid(uint16_t be_type)
{
    return be_type == BE16(VSW_ETH_TYPE_VLAN) || be_type == BE16(VSW_ETH_TYPE_VLAN_8021AD);
}

/* ---- View initialisation. ---- */

static void
view_init(struct xctx *x)
{
    const struct vsw_flow *f = x->flow;
    const uint8_t *pkt = rte_pktmbuf_mtod(x->m, const uint8_t *);
    struct xview *v = &x->view;

    memset(v, 0, sizeof *v);
    memcpy(v->dl_dst, f->dl_dst, 6);
    memcpy(v->dl_src, f->dl_src, 6);
    if (x->lay.n_vlans >= 1) {
        v->vlans[0].tpid = vsw_get16(pkt + 12);
        v->vlans[0].tci = f->vlan_tci;
    }
    if (x->lay.n_vlans >= 2) {
        v->vlans[1].tpid = vsw_get16(pkt + 16);
        v->vlans[1].tci = f->vlan_tci2;
    }
    v->nw_src = f->nw_src;
    v->nw_dst = f->nw_dst;
    memcpy(v->ipv6_src, f->ipv6_src, 16);
    memcpy(v->ipv6_dst, f->ipv6_dst, 16);
    v->ipv6_label = f->ipv6_label;
    v->nw_tos = f->nw_tos;
    v->nw_ttl = f->nw_ttl;
    v->tp_src = f->tp_src;
    v->tp_dst = f->tp_dst;
    x->base = *v;
}

/* ---- Commit: write view changes into the packet. ---- */

static uint32_t
l4_size(const struct xctx *x)
{
    if (x->lay.l4_ofs == VSW_OFS_NONE || x->lay.l4_ofs > x->lay.l3_end) {
        return 0;
    }
    return (uint32_t) x->lay.l3_end - x->lay.l4_ofs;
}

static void
set_ipv4_addr(struct xctx *x, uint8_t *nh, uint8_t *addr, uint32_t new_addr)
{
    uint32_t old_addr = vsw_get32(addr);
    uint32_t l4len = l4_size(x);
    uint8_t *l4 = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l4_ofs;

    if (nh[9] == VSW_IPPROTO_TCP && l4len >= 20) {
        vsw_put16(l4 + 16, vsw_csum_update32(vsw_get16(l4 + 16), old_addr, new_addr));
    } else if (nh[9] == VSW_IPPROTO_UDP && l4len >= 8) {
        uint16_t c = vsw_get16(l4 + 6);
        if (c) {
            c = vsw_csum_update32(c, old_addr, new_addr);
            vsw_put16(l4 + 6, c ? c : 0xffff);
        }
    }
    vsw_put16(nh + 10, vsw_csum_update32(vsw_get16(nh + 10), old_addr, new_addr));
    vsw_put32(addr, new_addr);
}

static void
commit_ipv4(struct xctx *x)
{
    const struct xview *v = &x->view, *b = &x->base;
    uint8_t *nh = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l3_ofs;

    if (v->nw_src != b->nw_src && vsw_get32(nh + 12) != v->nw_src) {
        set_ipv4_addr(x, nh, nh + 12, v->nw_src);
    }
    if (v->nw_dst != b->nw_dst && vsw_get32(nh + 16) != v->nw_dst) {
        set_ipv4_addr(x, nh, nh + 16, v->nw_dst);
    }
    if (v->nw_tos != b->nw_tos && nh[1] != v->nw_tos) {
        vsw_put16(nh + 10, vsw_csum_update16(vsw_get16(nh + 10), BE16(nh[1]), BE16(v->nw_tos)));
        nh[1] = v->nw_tos;
    }
    if (v->nw_ttl != b->nw_ttl && nh[8] != v->nw_ttl) {
        vsw_put16(nh + 10, vsw_csum_update16(vsw_get16(nh + 10), BE16((uint16_t) (nh[8] << 8)),
                                        BE16((uint16_t) (v->nw_ttl << 8))));
        nh[8] = v->nw_ttl;
    }
}

/* Walks the IPv6 extension headers between L3 and L4 as OVS's datapath does
 * before rewriting an address: finds the final protocol, whether a routing
 * header with segments left exists, and whether L4 checksums may be updated
 * (not for fragments other than a first fragment). */
static bool
ipv6_rh_present(const struct xctx *x, uint8_t *protop, bool *recalc)
{
    const uint8_t *pkt = rte_pktmbuf_mtod(x->m, const uint8_t *);
    const uint8_t *p = pkt + x->lay.l3_ofs;
    uint32_t remaining;

    if (x->lay.l4_ofs == VSW_OFS_NONE || x->lay.l4_ofs < x->lay.l3_ofs + 40) {
        return false;
    }
    remaining = x->lay.l4_ofs - x->lay.l3_ofs - 40;
    *protop = p[6];
    p += 40;
    for (;;) {
        uint8_t nh = *protop;
        uint32_t len;

        if (nh != 0 && nh != 43 && nh != 60 && nh != 51 && nh != 44) {
            return false;
        }
        if (remaining < 8) {
            return false;
        }
        if (nh == 51) {
            *protop = p[0];
            len = (p[1] + 2u) * 4;
        } else if (nh == 44) {
            uint16_t offlg = vsw_get16(p + 2);
            *recalc = !(offlg & BE16(0xfff8)) && (offlg & BE16(0x0001));
            *protop = p[0];
            len = 8;
        } else if (nh == 43) {
            if (p[3] > 0) {
                return true;
            }
            *protop = p[0];
            len = (p[1] + 1u) * 8;
        } else {
            *protop = p[0];
            len = (p[1] + 1u) * 8;
        }
        if (remaining < len) {
            return false;
        }
        remaining -= len;
        p += len;
    }
}

static void
update_csum128(struct xctx *x, uint8_t proto, const uint8_t *old, const uint8_t *new)
{
    uint32_t l4len = l4_size(x);
    uint8_t *l4 = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l4_ofs;
    uint8_t *csum_p;

    if (proto == VSW_IPPROTO_TCP && l4len >= 20) {
        csum_p = l4 + 16;
    } else if (proto == VSW_IPPROTO_UDP && l4len >= 8) {
        csum_p = l4 + 6;
        if (!vsw_get16(csum_p)) {
            return;
        }
    } else if (proto == VSW_IPPROTO_ICMPV6 && l4len >= 4) {
        csum_p = l4 + 2;
    } else {
        return;
    }
    uint16_t c = vsw_get16(csum_p);
    for (int i = 0; i < 4; i++) {
        c = vsw_csum_update32(c, vsw_get32(old + 4 * i), vsw_get32(new + 4 * i));
    }
    if (proto == VSW_IPPROTO_UDP && !c) {
        c = 0xffff;
    }
    vsw_put16(csum_p, c);
}

static void
commit_ipv6(struct xctx *x)
{
    const struct xview *v = &x->view, *b = &x->base;
    uint8_t *nh = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l3_ofs;

    if (!memcmp(v->ipv6_src, b->ipv6_src, 16) && !memcmp(v->ipv6_dst, b->ipv6_dst, 16)
        && v->ipv6_label == b->ipv6_label && v->nw_tos == b->nw_tos
        && v->nw_ttl == b->nw_ttl) {
        return;
    }

    bool recalc = true;
    uint8_t proto = 0;
    bool rh = ipv6_rh_present(x, &proto, &recalc);
    const uint8_t *new_src = memcmp(v->ipv6_src, b->ipv6_src, 16) ? v->ipv6_src : nh + 8;
    const uint8_t *new_dst = memcmp(v->ipv6_dst, b->ipv6_dst, 16) ? v->ipv6_dst : nh + 24;

    if (memcmp(nh + 8, new_src, 16)) {
        if (recalc) {
            update_csum128(x, proto, nh + 8, new_src);
        }
        memmove(nh + 8, new_src, 16);
    }
    if (memcmp(nh + 24, new_dst, 16)) {
        if (!rh && recalc) {
            update_csum128(x, proto, nh + 24, new_dst);
        }
        memmove(nh + 24, new_dst, 16);
    }

    uint32_t w = rte_be_to_cpu_32(vsw_get32(nh));
    uint8_t tc = v->nw_tos != b->nw_tos ? v->nw_tos : (uint8_t) (w >> 20);
    uint32_t fl = v->ipv6_label != b->ipv6_label ? rte_be_to_cpu_32(v->ipv6_label) : (w & 0xfffff);
    w = (w & 0xf0000000) | ((uint32_t) tc << 20) | (fl & 0xfffff);
    vsw_put32(nh, rte_cpu_to_be_32(w));
    if (v->nw_ttl != b->nw_ttl) {
        nh[7] = v->nw_ttl;
    }
}

static void
set_port(uint8_t *port, uint16_t new_port, uint8_t *csum)
{
    uint16_t old = vsw_get16(port);
    if (old != new_port) {
        vsw_put16(csum, vsw_csum_update16(vsw_get16(csum), old, new_port));
        vsw_put16(port, new_port);
    }
}

static void
commit_ports(struct xctx *x)
{
    const struct xview *v = &x->view, *b = &x->base;
    uint8_t proto = x->flow->nw_proto;
    uint32_t l4len = l4_size(x);
    uint8_t *l4;

    if (v->tp_src == b->tp_src && v->tp_dst == b->tp_dst) {
        return;
    }
    if (x->lay.l4_ofs == VSW_OFS_NONE) {
        return;
    }
    l4 = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l4_ofs;
    uint16_t src = v->tp_src != b->tp_src ? v->tp_src : vsw_get16(l4);
    uint16_t dst = v->tp_dst != b->tp_dst ? v->tp_dst : vsw_get16(l4 + 2);

    if (proto == VSW_IPPROTO_TCP) {
        if (l4len >= 20) {
            uint32_t hlen = (l4[12] >> 4) * 4u;
            if (hlen >= 20 && hlen <= l4len) {
                set_port(l4, src, l4 + 16);
                set_port(l4 + 2, dst, l4 + 16);
            }
        }
    } else if (proto == VSW_IPPROTO_UDP) {
        if (l4len >= 8) {
            if (vsw_get16(l4 + 6)) {
                set_port(l4, src, l4 + 6);
                set_port(l4 + 2, dst, l4 + 6);
                if (!vsw_get16(l4 + 6)) {
                    vsw_put16(l4 + 6, 0xffff);
                }
            } else {
                vsw_put16(l4, src);
                vsw_put16(l4 + 2, dst);
            }
        }
    } else if (proto == VSW_IPPROTO_SCTP) {
        if (l4len >= 12) {
            uint32_t old_csum = vsw_get32(l4 + 8);
            vsw_put32(l4 + 8, 0);
            uint32_t old_correct = vsw_crc32c(l4, l4len);
            vsw_put16(l4, src);
            vsw_put16(l4 + 2, dst);
            uint32_t new_csum = vsw_crc32c(l4, l4len);
            vsw_put32(l4 + 8, old_csum ^ old_correct ^ new_csum);
        }
    }
}

static void
shift_layout(struct xctx *x, int delta)
{
    if (x->lay.l3_ofs != VSW_OFS_NONE) {
        x->lay.l3_ofs = (uint16_t) (x->lay.l3_ofs + delta);
    }
    if (x->lay.l4_ofs != VSW_OFS_NONE) {
        x->lay.l4_ofs = (uint16_t) (x->lay.l4_ofs + delta);
    }
    x->lay.l3_end = (uint16_t) (x->lay.l3_end + delta);
}

static void
packet_pop_vlan(struct xctx *x)
{
    uint8_t *p = rte_pktmbuf_mtod(x->m, uint8_t *);

    if (rte_pktmbuf_data_len(x->m) >= 18 && is_vlan_tpid(vsw_get16(p + 12))) {
        memmove(p + 4, p, 12);
        rte_pktmbuf_adj(x->m, 4);
        shift_layout(x, -4);
    }
}

static bool
packet_push_vlan(struct xctx *x, uint16_t tpid, uint16_t tci)
{
    uint8_t *p = (uint8_t *) rte_pktmbuf_prepend(x->m, 4);

    if (!p) {
        return false;
    }
    memmove(p, p + 4, 12);
    vsw_put16(p + 12, tpid);
    vsw_put16(p + 14, tci & BE16((uint16_t) ~VSW_VLAN_CFI));
    shift_layout(x, 4);
    return true;
}

static int
count_vlans(const struct xview *v)
{
    int i;
    for (i = 0; i < 2; i++) {
        if (!(v->vlans[i].tci & BE16(VSW_VLAN_CFI))) {
            break;
        }
    }
    return i;
}

static bool
commit_vlans(struct xctx *x, struct vsw_exec_stats *stats)
{
    struct xview *v = &x->view, *b = &x->base;
    int bn = count_vlans(b), fn = count_vlans(v);

    for (bn--, fn--; bn >= 0 && fn >= 0; bn--, fn--) {
        if (b->vlans[bn].tpid != v->vlans[fn].tpid || b->vlans[bn].tci != v->vlans[fn].tci) {
            break;
        }
    }
    for (; bn >= 0; bn--) {
        packet_pop_vlan(x);
    }
    for (; fn >= 0; fn--) {
        if (!packet_push_vlan(x, v->vlans[fn].tpid, v->vlans[fn].tci)) {
            stats->no_headroom++;
            return false;
        }
    }
    return true;
}

/* Makes the packet bytes reflect the view.  Returns false if the packet
 * cannot be emitted (no headroom for a tag). */
static bool
commit(struct xctx *x, struct vsw_exec_stats *stats)
{
    struct xview *v = &x->view, *b = &x->base;
    uint8_t *p = rte_pktmbuf_mtod(x->m, uint8_t *);

    if (rte_pktmbuf_data_len(x->m) >= 14) {
        if (memcmp(v->dl_dst, b->dl_dst, 6)) {
            memcpy(p, v->dl_dst, 6);
        }
        if (memcmp(v->dl_src, b->dl_src, 6)) {
            memcpy(p + 6, v->dl_src, 6);
        }
    }
    if (x->flow->nw_proto) {
        if (x->flow->dl_type == BE16(VSW_ETH_TYPE_IP)) {
            commit_ipv4(x);
        } else if (x->flow->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
            commit_ipv6(x);
        }
        if (is_ip_any(x->flow)) {
            commit_ports(x);
        }
    }
    bool ok = true;
    if (memcmp(v->vlans, b->vlans, sizeof v->vlans)) {
        ok = commit_vlans(x, stats);
    }
    *b = *v;
    return ok;
}

/* ---- View updates. ---- */

static void
view_push_vlan(struct xview *v, uint16_t tpid)
{
    v->vlans[1] = v->vlans[0];
    v->vlans[0].tpid = tpid;
    v->vlans[0].tci = BE16(VSW_VLAN_CFI);
}

static void
view_pop_vlan(struct xview *v)
{
    int n = count_vlans(v);
    if (n > 1) {
        v->vlans[0] = v->vlans[1];
    }
    if (n > 0) {
        v->vlans[n - 1].tpid = 0;
        v->vlans[n - 1].tci = 0;
    }
}

/* ---- Output. ---- */

static void
emit(struct xctx *x, uint32_t port, bool last, const struct vsw_exec_env *env,
     struct vsw_exec_out *outs, unsigned *n_outs, unsigned max_outs,
     struct vsw_exec_stats *stats)
{
    struct rte_mbuf *m;

    if (*n_outs >= max_outs) {
        stats->outs_overflow++;
        return;
    }
    if (last) {
        m = x->m;
        x->m = NULL;
    } else {
        m = rte_pktmbuf_copy(x->m, env->mp, 0, UINT32_MAX);
        if (!m) {
            stats->copy_failed++;
            return;
        }
    }
    outs[*n_outs].port = port;
    outs[*n_outs].m = m;
    (*n_outs)++;
}

static inline bool
is_output(uint8_t type)
{
    return type == VSW_ACT_OUTPUT || type == VSW_ACT_IN_PORT || type == VSW_ACT_ALL;
}

void
vsw_execute(const struct vsw_actions *acts, struct rte_mbuf *m,
            const struct vsw_flow *flow, const struct vsw_layout *layout,
            const struct vsw_exec_env *env, struct vsw_exec_out *outs,
            unsigned *n_outs, unsigned max_outs, struct vsw_exec_stats *stats)
{
    struct xctx x;
    uint32_t last_out = UINT32_MAX;
    bool rewrites = false;

    for (uint32_t i = 0; i < acts->n; i++) {
        if (is_output(acts->a[i].type)) {
            last_out = i;
        } else {
            rewrites = true;
        }
    }
    if (last_out == UINT32_MAX) {
        rte_pktmbuf_free(m);
        return;
    }
    if (!rewrites && acts->n == 1 && acts->a[0].type == VSW_ACT_OUTPUT) {
        /* The common case, "output:N": nothing to commit. */
        if (acts->a[0].port != flow->in_port && *n_outs < max_outs) {
            outs[*n_outs].port = acts->a[0].port;
            outs[*n_outs].m = m;
            (*n_outs)++;
        } else {
            stats->outs_overflow += acts->a[0].port != flow->in_port;
            rte_pktmbuf_free(m);
        }
        return;
    }

    x.m = m;
    x.flow = flow;
    x.lay = *layout;
    view_init(&x);
    struct xview *v = &x.view;
    bool ip = is_ip_any(flow);

    for (uint32_t i = 0; i <= last_out && x.m; i++) {
        const struct vsw_action *a = &acts->a[i];
        bool last = i == last_out;

        switch ((enum vsw_action_type) a->type) {
        case VSW_ACT_OUTPUT:
            if (a->port != flow->in_port && commit(&x, stats)) {
                emit(&x, a->port, last, env, outs, n_outs, max_outs, stats);
            }
            break;
        case VSW_ACT_IN_PORT:
            if (commit(&x, stats)) {
                emit(&x, flow->in_port, last, env, outs, n_outs, max_outs, stats);
            }
            break;
        case VSW_ACT_ALL:
            if (commit(&x, stats)) {
                unsigned n_targets = 0, done = 0;
                for (unsigned p = 0; p < env->n_ports; p++) {
                    n_targets += env->ports[p] != flow->in_port;
                }
                for (unsigned p = 0; p < env->n_ports && x.m; p++) {
                    if (env->ports[p] != flow->in_port) {
                        done++;
                        emit(&x, env->ports[p], last && done == n_targets, env, outs,
                             n_outs, max_outs, stats);
                    }
                }
            }
            break;
        case VSW_ACT_SET_ETH_SRC:
            memcpy(v->dl_src, a->mac, 6);
            break;
        case VSW_ACT_SET_ETH_DST:
            memcpy(v->dl_dst, a->mac, 6);
            break;
        case VSW_ACT_SET_IPV4_SRC:
            if (flow->dl_type == BE16(VSW_ETH_TYPE_IP)) {
                v->nw_src = a->be32;
            }
            break;
        case VSW_ACT_SET_IPV4_DST:
            if (flow->dl_type == BE16(VSW_ETH_TYPE_IP)) {
                v->nw_dst = a->be32;
            }
            break;
        case VSW_ACT_SET_IP_DSCP:
            if (ip) {
                v->nw_tos = (uint8_t) ((v->nw_tos & ~VSW_IP_DSCP_MASK) | (a->u8 & VSW_IP_DSCP_MASK));
            }
            break;
        case VSW_ACT_SET_IP_ECN:
            if (ip) {
                v->nw_tos = (uint8_t) ((v->nw_tos & ~VSW_IP_ECN_MASK) | (a->u8 & VSW_IP_ECN_MASK));
            }
            break;
        case VSW_ACT_SET_IP_TTL:
            if (ip) {
                v->nw_ttl = a->u8;
            }
            break;
        case VSW_ACT_DEC_TTL:
            if (ip) {
                if (v->nw_ttl > 1) {
                    v->nw_ttl--;
                } else {
                    /* OVS sends the packet to the controllers named by
                     * dec_ttl (none here) and stops the action list. */
                    goto done;
                }
            }
            break;
        case VSW_ACT_SET_L4_SRC:
            /* set_field:...->tcp/udp/sctp_*: not on later fragments. */
            if (ip && !(flow->nw_frag & VSW_FRAG_LATER) && (flow->nw_proto == VSW_IPPROTO_TCP || flow->nw_proto == VSW_IPPROTO_UDP
                       || flow->nw_proto == VSW_IPPROTO_SCTP)) {
                v->tp_src = a->be16;
            }
            break;
        case VSW_ACT_SET_L4_DST:
            /* set_field:...->tcp/udp/sctp_*: not on later fragments. */
            if (ip && !(flow->nw_frag & VSW_FRAG_LATER) && (flow->nw_proto == VSW_IPPROTO_TCP || flow->nw_proto == VSW_IPPROTO_UDP
                       || flow->nw_proto == VSW_IPPROTO_SCTP)) {
                v->tp_dst = a->be16;
            }
            break;
        case VSW_ACT_PUSH_VLAN:
            view_push_vlan(v, a->be16);
            break;
        case VSW_ACT_SET_VLAN_VID:
            /* set_field:...->vlan_vid: the parser put a push_vlan before it
             * where the rule does not guarantee a tag (OpenFlow 1.3 form). */
            v->vlans[0].tci = (uint16_t) ((v->vlans[0].tci & ~BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI))
                                          | BE16((uint16_t) ((a->u16 & VSW_VLAN_VID_MASK) | VSW_VLAN_CFI)));
            break;
        case VSW_ACT_SET_VLAN_PCP:
            if (v->vlans[0].tci & BE16(VSW_VLAN_CFI)) {   /* Only on a tagged packet. */
                v->vlans[0].tci = (uint16_t) ((v->vlans[0].tci & ~BE16(VSW_VLAN_PCP_MASK))
                                              | BE16((uint16_t) (((a->u8 & 7) << VSW_VLAN_PCP_SHIFT)
                                                                 | VSW_VLAN_CFI)));
            }
            break;
        case VSW_ACT_POP_VLAN:
            view_pop_vlan(v);
            break;
        case VSW_ACT_SET_IPV6_SRC:
            if (flow->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_src, a->ip6, 16);
            }
            break;
        case VSW_ACT_SET_IPV6_DST:
            if (flow->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
                memcpy(v->ipv6_dst, a->ip6, 16);
            }
            break;
        case VSW_ACT_SET_IPV6_LABEL:
            if (flow->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
                v->ipv6_label = a->be32 & rte_cpu_to_be_32(0xfffff);
            }
            break;
        case VSW_ACT_N_TYPES:
            break;
        }
    }
done:
    if (x.m) {
        rte_pktmbuf_free(x.m);
    }
}
