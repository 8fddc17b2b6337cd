/* SPDX-License-Identifier: Apache-2.0 */
/* Datapath action execution with OVS's datapath semantics; see execute.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "actions/execute.h"
#include "bytes.h"
#include "pmd/pin_queue.h"

/* Per-packet execution state. */
struct xctx {
    struct rte_mbuf *m;
    struct vsw_layout lay;         /* Current header offsets. */
    unsigned n_pushed;             /* Tags pushed and not popped since. */
    bool orig_saved;               /* The packet's own outer tag was popped: */
    uint16_t orig_tpid, orig_tci;  /* it was this (be16). */
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

/* CRC32C as rte_hash_crc() computes it, but with memcpy() loads: an SCTP
 * header sits at any alignment in the frame, and rte_hash_crc() reads it
 * through 'uint64_t *' (a misaligned, type-punned load: undefined). */
uint32_t
vsw_crc32c(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffff;
    uint64_t w8;
    uint32_t w4;
    uint16_t w2;

    for (; len >= 8; data += 8, len -= 8) {
        memcpy(&w8, data, 8);
        crc = rte_hash_crc_8byte(w8, crc);
    }
    if (len >= 4) {
        memcpy(&w4, data, 4);
        crc = rte_hash_crc_4byte(w4, crc);
        data += 4;
        len -= 4;
    }
    if (len >= 2) {
        memcpy(&w2, data, 2);
        crc = rte_hash_crc_2byte(w2, crc);
        data += 2;
        len -= 2;
    }
    if (len) {
        crc = rte_hash_crc_1byte(*data, crc);
    }
    return ~crc;
}


static inline bool
is_vlan_tpid(uint16_t be_type)
{
    return be_type == BE16(VSW_ETH_TYPE_VLAN) || be_type == BE16(VSW_ETH_TYPE_VLAN_8021AD);
}

static uint32_t
l4_size(const struct xctx *x)
{
    if (x->lay.l4_ofs == VSW_OFS_NONE || x->lay.l4_ofs > x->lay.l3_end) {
        return 0;
    }
    return (uint32_t) x->lay.l3_end - x->lay.l4_ofs;
}

/* ---- Ethernet. ---- */

static void
set_eth(struct xctx *x, const struct vsw_odp_eth *a)
{
    uint8_t *p = rte_pktmbuf_mtod(x->m, uint8_t *);

    if (rte_pktmbuf_data_len(x->m) < 14) {
        return;
    }
    if (a->h.flags & VSW_ODPF_DST) {
        memcpy(p, a->dst, 6);
    }
    if (a->h.flags & VSW_ODPF_SRC) {
        memcpy(p + 6, a->src, 6);
    }
}

/* ---- IPv4. ---- */

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

/* The TTL or hop limit 'a' writes, given the packet's 'old' one; false if
 * the packet must go no further (dec_ttl at 0 or 1). */
static inline bool
new_ttl(uint16_t flags, uint8_t value, uint8_t check, uint8_t old, uint8_t *ttl)
{
    if ((flags & VSW_ODPF_TTL_CHECK) && old <= check) {
        return false;
    }
    *ttl = flags & VSW_ODPF_TTL_DEC ? (uint8_t) (old - value) : value;
    return true;
}

static bool
set_ipv4(struct xctx *x, const struct vsw_odp_ipv4 *a)
{
    uint8_t *nh = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l3_ofs;
    uint8_t ttl = 0;

    if (x->lay.l3_ofs == VSW_OFS_NONE) {
        return true;
    }
    if ((a->h.flags & (VSW_ODPF_TTL | VSW_ODPF_TTL_DEC))
        && !new_ttl(a->h.flags, a->ttl, a->ttl_check, nh[8], &ttl)) {
        return false;
    }
    if ((a->h.flags & VSW_ODPF_SRC) && vsw_get32(nh + 12) != a->src) {
        set_ipv4_addr(x, nh, nh + 12, a->src);
    }
    if ((a->h.flags & VSW_ODPF_DST) && vsw_get32(nh + 16) != a->dst) {
        set_ipv4_addr(x, nh, nh + 16, a->dst);
    }
    if (a->h.flags & VSW_ODPF_TOS) {
        uint8_t tos = (uint8_t) ((nh[1] & ~a->tos_mask) | (a->tos & a->tos_mask));
        if (nh[1] != tos) {
            vsw_put16(nh + 10, vsw_csum_update16(vsw_get16(nh + 10), BE16(nh[1]), BE16(tos)));
            nh[1] = tos;
        }
    }
    if ((a->h.flags & (VSW_ODPF_TTL | VSW_ODPF_TTL_DEC)) && nh[8] != ttl) {
        vsw_put16(nh + 10, vsw_csum_update16(vsw_get16(nh + 10), BE16((uint16_t) (nh[8] << 8)),
                                             BE16((uint16_t) (ttl << 8))));
        nh[8] = ttl;
    }
    return true;
}

/* ---- IPv6. ---- */

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

static bool
set_ipv6(struct xctx *x, const struct vsw_odp_ipv6 *a)
{
    uint8_t *nh = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l3_ofs;
    bool recalc = true;
    uint8_t proto = 0, hlimit = 0;

    if (x->lay.l3_ofs == VSW_OFS_NONE) {
        return true;
    }
    if ((a->h.flags & (VSW_ODPF_TTL | VSW_ODPF_TTL_DEC))
        && !new_ttl(a->h.flags, a->hlimit, a->ttl_check, nh[7], &hlimit)) {
        return false;
    }
    bool rh = ipv6_rh_present(x, &proto, &recalc);
    const uint8_t *new_src = a->h.flags & VSW_ODPF_SRC ? a->src : nh + 8;
    const uint8_t *new_dst = a->h.flags & VSW_ODPF_DST ? a->dst : nh + 24;

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
    uint8_t tc = (uint8_t) (w >> 20);
    uint32_t fl = w & 0xfffff;
    if (a->h.flags & VSW_ODPF_TOS) {
        tc = (uint8_t) ((tc & ~a->tclass_mask) | (a->tclass & a->tclass_mask));
    }
    if (a->h.flags & VSW_ODPF_LABEL) {
        fl = rte_be_to_cpu_32(a->label) & 0xfffff;
    }
    w = (w & 0xf0000000) | ((uint32_t) tc << 20) | fl;
    vsw_put32(nh, rte_cpu_to_be_32(w));
    if (a->h.flags & (VSW_ODPF_TTL | VSW_ODPF_TTL_DEC)) {
        nh[7] = hlimit;
    }
    return true;
}

/* ---- TCP, UDP, SCTP ports. ---- */

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
set_l4(struct xctx *x, const struct vsw_odp_l4 *a)
{
    uint32_t l4len = l4_size(x);
    uint8_t *l4;

    if (x->lay.l4_ofs == VSW_OFS_NONE) {
        return;
    }
    l4 = rte_pktmbuf_mtod(x->m, uint8_t *) + x->lay.l4_ofs;
    uint16_t src = a->h.flags & VSW_ODPF_SRC ? a->src : vsw_get16(l4);
    uint16_t dst = a->h.flags & VSW_ODPF_DST ? a->dst : vsw_get16(l4 + 2);

    if (a->h.flags & VSW_ODPF_L4_TCP) {
        if (l4len >= 20) {
            uint32_t hlen = (l4[12] >> 4) * 4u;
            if (hlen >= 20 && hlen <= l4len) {
                set_port(l4, src, l4 + 16);
                set_port(l4 + 2, dst, l4 + 16);
            }
        }
    } else if (a->h.flags & VSW_ODPF_L4_UDP) {
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
    } else if (a->h.flags & VSW_ODPF_L4_SCTP) {
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

/* ---- VLAN tags. ---- */

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
pop_vlan(struct xctx *x)
{
    uint8_t *p = rte_pktmbuf_mtod(x->m, uint8_t *);

    if (rte_pktmbuf_data_len(x->m) >= 18 && is_vlan_tpid(vsw_get16(p + 12))) {
        if (x->n_pushed) {
            x->n_pushed--;
        } else if (!x->orig_saved) {
            x->orig_saved = true;
            x->orig_tpid = vsw_get16(p + 12);
            x->orig_tci = vsw_get16(p + 14);
        }
        memmove(p + 4, p, 12);
        rte_pktmbuf_adj(x->m, 4);
        shift_layout(x, -4);
    }
}

static bool
push_vlan(struct xctx *x, uint16_t tpid, uint16_t tci)
{
    uint8_t *p = (uint8_t *) rte_pktmbuf_prepend(x->m, 4);

    if (!p) {
        return false;
    }
    memmove(p, p + 4, 12);
    vsw_put16(p + 12, tpid);
    vsw_put16(p + 14, tci);
    shift_layout(x, 4);
    x->n_pushed++;
    return true;
}

/* VSW_ODPF_VLAN_ORIG: the packet's own tag again, its TCI under 'mask'
 * replaced (DEI cleared, as a push by OVS gives).  Without a saved tag
 * (cannot happen: the translation pops before it restores) an 802.1Q tag. */
static bool
push_orig_vlan(struct xctx *x, uint16_t tci, uint16_t mask)
{
    uint16_t tpid = x->orig_saved ? x->orig_tpid : BE16(VSW_ETH_TYPE_VLAN);
    uint16_t old = x->orig_saved ? x->orig_tci : 0;

    return push_vlan(x, tpid, (uint16_t) (((old & ~mask) | (tci & mask)) & ~BE16(VSW_VLAN_CFI)));
}

/* Rewrites the outer tag's VID/PCP under 'mask', keeping its TPID: the
 * bytes a pop and a push of the same TPID would give (the DEI bit, which
 * the flow key does not keep, is cleared).  A tag whose VID and PCP already
 * have the new values is left as it is, DEI included, as OVS leaves a tag
 * it has nothing to change in. */
static void
set_vlan(struct xctx *x, uint16_t tci, uint16_t mask)
{
    uint8_t *p = rte_pktmbuf_mtod(x->m, uint8_t *);
    uint16_t cfi = BE16(VSW_VLAN_CFI);

    if (rte_pktmbuf_data_len(x->m) >= 18 && is_vlan_tpid(vsw_get16(p + 12))) {
        uint16_t old = vsw_get16(p + 14);
        uint16_t new = (uint16_t) ((old & ~mask) | (tci & mask));
        if ((new ^ old) & ~cfi) {
            vsw_put16(p + 14, (uint16_t) (new & ~cfi));
        }
    }
}

/* The packet for one more destination: the packet itself if nothing comes
 * after ('last'), else a copy -- a jumbo frame into one jumbo mbuf, not a
 * chain ('mp' has the default buffer size).  NULL (counted) if the copy
 * failed. */
static inline struct rte_mbuf *
take_or_copy(struct xctx *x, bool last, const struct vsw_exec_env *env,
             struct vsw_exec_stats *stats)
{
    struct rte_mbuf *m;

    if (last) {
        m = x->m;
        x->m = NULL;
        return m;
    }
    struct rte_mempool *mp = env->mp;
    if (unlikely(rte_pktmbuf_pkt_len(x->m) > RTE_MBUF_DEFAULT_DATAROOM) && env->mp_jumbo) {
        mp = env->mp_jumbo;
    }
    m = rte_pktmbuf_copy(x->m, mp, 0, UINT32_MAX);
    if (!m) {
        stats->copy_failed++;
    }
    return m;
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
    m = take_or_copy(x, last, env, stats);
    if (!m) {
        return;
    }
    outs[*n_outs].port = port;
    outs[*n_outs].m = m;
    (*n_outs)++;
}

/* A USERSPACE entry: the packet as it is now, with the entry, to the
 * packet-in queue (the packet itself if nothing comes after). */
static void
emit_pin(struct xctx *x, const struct vsw_odp_hdr *h, bool last,
         const struct vsw_exec_env *env, struct vsw_exec_stats *stats)
{
    struct rte_mbuf *m;

    m = take_or_copy(x, last, env, stats);
    if (!m) {
        return;
    }
    if (env->pinq && pin_queue_put(env->pinq, m, h)) {
        stats->pins++;
    } else {
        stats->pin_full++;
        rte_pktmbuf_free(m);
    }
}

void
vsw_odp_execute(const uint8_t *acts, uint16_t len, struct rte_mbuf *m,
                const struct vsw_layout *layout, const struct vsw_exec_env *env,
                struct vsw_exec_out *outs, unsigned *n_outs, unsigned max_outs,
                struct vsw_exec_stats *stats)
{
    const struct vsw_odp_hdr *last_out = NULL;
    struct xctx x;
    bool skip_output = false;
    uint32_t port;

    if (vsw_odp_is_single_output(acts, len, &port)) {
        /* The common case: nothing to rewrite. */
        if (*n_outs < max_outs) {
            outs[*n_outs].port = port;
            outs[*n_outs].m = m;
            (*n_outs)++;
        } else {
            stats->outs_overflow++;
            rte_pktmbuf_free(m);
        }
        return;
    }
    VSW_ODP_FOR_EACH (h, acts, len) {
        if (h->type == VSW_ODP_OUTPUT || h->type == VSW_ODP_USERSPACE) {
            last_out = h;
        }
    }
    if (!last_out) {
        rte_pktmbuf_free(m);
        return;
    }

    x.m = m;
    x.lay = *layout;
    x.n_pushed = 0;
    x.orig_saved = false;
    VSW_ODP_FOR_EACH (h, acts, len) {
        if (!x.m) {
            break;
        }
        switch ((enum vsw_odp_type) h->type) {
        case VSW_ODP_OUTPUT:
            if (!skip_output) {
                emit(&x, ((const struct vsw_odp_output *) h)->port, h == last_out, env, outs,
                     n_outs, max_outs, stats);
            }
            skip_output = false;
            break;
        case VSW_ODP_SET_ETH:
            set_eth(&x, (const struct vsw_odp_eth *) h);
            break;
        case VSW_ODP_SET_IPV4:
            if (!set_ipv4(&x, (const struct vsw_odp_ipv4 *) h)) {
                goto done;
            }
            break;
        case VSW_ODP_SET_IPV6:
            if (!set_ipv6(&x, (const struct vsw_odp_ipv6 *) h)) {
                goto done;
            }
            break;
        case VSW_ODP_SET_L4:
            set_l4(&x, (const struct vsw_odp_l4 *) h);
            break;
        case VSW_ODP_POP_VLAN:
            pop_vlan(&x);
            break;
        case VSW_ODP_PUSH_VLAN: {
            const struct vsw_odp_vlan *a = (const struct vsw_odp_vlan *) h;
            if (!(h->flags & VSW_ODPF_VLAN_ORIG) ? !push_vlan(&x, a->tpid, a->tci)
                : !push_orig_vlan(&x, a->tci, a->mask)) {
                /* No headroom: this output is lost, the rest go on. */
                stats->no_headroom++;
                skip_output = true;
            }
            break;
        }
        case VSW_ODP_SET_VLAN: {
            const struct vsw_odp_vlan *a = (const struct vsw_odp_vlan *) h;
            set_vlan(&x, a->tci, a->mask);
            break;
        }
        case VSW_ODP_USERSPACE:
            if (!skip_output) {
                emit_pin(&x, h, h == last_out, env, stats);
            }
            skip_output = false;
            break;
        case VSW_ODP_METER:
        case VSW_ODP_RECIRC:
        case VSW_ODP_TNL_PUSH:
        case VSW_ODP_TNL_POP:
        case VSW_ODP_CT:
            /* Not built yet: the translation never emits them. */
            break;
        }
    }
done:
    if (x.m) {
        rte_pktmbuf_free(x.m);
    }
}
