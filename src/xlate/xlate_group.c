/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The group action (xlate_int.h), as Open vSwitch 3.1 translates it
 * (ofproto-dpif-xlate.c): "all" runs every bucket, "indirect" its one,
 * "fast_failover" the first live one, "select" the one a hash of the packet
 * picks.  Each bucket is an OpenFlow action set: of pop_vlan, push_vlan and
 * dec_ttl only the last of each runs, in that order, then the set-field and
 * move actions in order, then only the last "final" action (a group beats
 * an output beats a resubmit); a set without a final action does nothing.
 * A bucket runs one level deeper and on a copy of the packet: afterwards
 * the headers and pipeline fields are as before it, and what it changed
 * and committed is marked to be committed back at the next output.
 *
 * Select: the hash is computed here, on the packet as the actions so far
 * left it, with OVS's functions (lib/hash.h murmur-style words, lib/jhash.c,
 * lib/flow.c flow_hash_symmetric_l4 and flow_hash_symmetric_l3l4), so the
 * bucket is the one OVS's datapath would pick after its recirculation.
 * Only the bits the hash read that came from the packet are un-wildcarded.
 *
 * Thread safety: part of a translation (xlate.h); reads the published group
 * table through xlate_bridge.groups.
 */

#include <string.h>

#include <rte_byteorder.h>

#include "group/group.h"
#include "vsw/fields.h"
#include "xlate/xlate.h"
#include "xlate/xlate_int.h"

/* ---- OVS's hash functions (portable forms, as its x86-64 generic build). ---- */

static uint32_t
rot32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static uint32_t
mh_add(uint32_t h, uint32_t data)
{
    if (data) {
        data *= 0xcc9e2d51;
        data = rot32(data, 15);
        data *= 0x1b873593;
        h ^= data;
    }
    h = rot32(h, 13);
    return h * 5 + 0xe6546b64;
}

static uint32_t
mh_add64(uint32_t h, uint64_t data)
{
    return mh_add(mh_add(h, (uint32_t) data), (uint32_t) (data >> 32));
}

static uint32_t
mh_finish(uint32_t h, uint32_t final)
{
    h ^= final;
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

static uint32_t
hash_int(uint32_t x, uint32_t basis)
{
    return mh_finish(mh_add(mh_add(x, 0), basis), 8);
}

/* The little-endian 32-bit word at p (how x86 reads the struct's bytes). */
static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16
           | (uint32_t) p[3] << 24;
}

static uint32_t
hash_bytes(const uint8_t *p, size_t n, uint32_t basis)
{
    uint32_t h = basis;
    size_t i = 0;

    for (; i + 4 <= n; i += 4) {
        h = mh_add(h, le32(p + i));
    }
    if (i < n) {
        uint8_t tail[4] = { 0, 0, 0, 0 };
        memcpy(tail, p + i, n - i);
        h = mh_add(h, le32(tail));
    }
    return mh_finish(h, (uint32_t) n);
}

static void
jmix(uint32_t *a, uint32_t *b, uint32_t *c)
{
    *a -= *c; *a ^= rot32(*c, 4); *c += *b;
    *b -= *a; *b ^= rot32(*a, 6); *a += *c;
    *c -= *b; *c ^= rot32(*b, 8); *b += *a;
    *a -= *c; *a ^= rot32(*c, 16); *c += *b;
    *b -= *a; *b ^= rot32(*a, 19); *a += *c;
    *c -= *b; *c ^= rot32(*b, 4); *b += *a;
}

static void
jfinal(uint32_t *a, uint32_t *b, uint32_t *c)
{
    *c ^= *b; *c -= rot32(*b, 14);
    *a ^= *c; *a -= rot32(*c, 11);
    *b ^= *a; *b -= rot32(*a, 25);
    *c ^= *b; *c -= rot32(*b, 16);
    *a ^= *c; *a -= rot32(*c, 4);
    *b ^= *a; *b -= rot32(*a, 14);
    *c ^= *b; *c -= rot32(*b, 24);
}

/* Jenkins' lookup3 hash of n bytes (a multiple of 4 here). */
static uint32_t
jhash_bytes(const uint8_t *p, size_t n, uint32_t basis)
{
    uint32_t a, b, c;

    a = b = c = 0xdeadbeef + (uint32_t) n + basis;
    while (n >= 12) {
        a += le32(p);
        b += le32(p + 4);
        c += le32(p + 8);
        jmix(&a, &b, &c);
        n -= 12;
        p += 12;
    }
    if (n) {
        uint8_t t[12];
        memset(t, 0, sizeof t);
        memcpy(t, p, n);
        a += le32(t);
        b += le32(t + 4);
        c += le32(t + 8);
        jfinal(&a, &b, &c);
    }
    return c;
}

/* The raw memory of a be16/be32 value as x86 reads it. */
static uint32_t
raw32(rte_be32_t v)
{
    uint8_t b[4];
    memcpy(b, &v, 4);
    return le32(b);
}

static uint32_t
raw16(rte_be16_t v)
{
    uint8_t b[2];
    memcpy(b, &v, 2);
    return (uint32_t) b[0] | (uint32_t) b[1] << 8;
}

#define VID_MASK_BE BE16(VSW_VLAN_VID_MASK)

/** OVS flow_hash_symmetric_l4(): the default select method's hash. */
static uint32_t
hash_symmetric_l4(const struct vsw_flow *f, uint32_t basis)
{
    /* OVS's struct: 16 address bytes, eth_type, vlan_tci, tp_port, 6 MAC
     * bytes, ip_proto, padding to 32. */
    uint8_t s[32];
    rte_be16_t vlan = (rte_be16_t) ((f->vlan_tci & VID_MASK_BE) ^ (f->vlan_tci2 & VID_MASK_BE));
    rte_be16_t port = 0;

    memset(s, 0, sizeof s);
    memcpy(s + 16, &f->dl_type, 2);
    memcpy(s + 18, &vlan, 2);
    for (int i = 0; i < 6; i++) {
        s[22 + i] = f->dl_src[i] ^ f->dl_dst[i];
    }
    if (f->dl_type == BE16(VSW_ETH_TYPE_IP)) {
        rte_be32_t a = f->nw_src ^ f->nw_dst;
        memcpy(s, &a, 4);
        s[28] = f->nw_proto;
        if (f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_SCTP) {
            port = f->tp_src ^ f->tp_dst;
        }
    } else if (f->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
        for (int i = 0; i < 16; i++) {
            s[i] = f->ipv6_src[i] ^ f->ipv6_dst[i];
        }
        s[28] = f->nw_proto;
        if (f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_SCTP) {
            port = f->tp_src ^ f->tp_dst;
        }
    }
    memcpy(s + 20, &port, 2);
    return jhash_bytes(s, sizeof s, basis);
}

/** OVS flow_hash_symmetric_l2(). */
static uint32_t
hash_symmetric_l2(const struct vsw_flow *f, uint32_t basis)
{
    uint8_t s[12];
    rte_be16_t vlan = (rte_be16_t) ((f->vlan_tci & VID_MASK_BE) ^ (f->vlan_tci2 & VID_MASK_BE));
    uint32_t h = basis;

    memcpy(s, &f->dl_type, 2);
    memcpy(s + 2, &vlan, 2);
    for (int i = 0; i < 6; i++) {
        s[4 + i] = f->dl_src[i] ^ f->dl_dst[i];
    }
    s[10] = s[11] = 0;
    h = mh_add(h, le32(s));
    h = mh_add(h, le32(s + 4));
    h = mh_add(h, le32(s + 8));
    return mh_finish(h, basis);
}

/** OVS flow_hash_symmetric_l3l4(flow, basis, false): the datapath's
 *  symmetric L4 dp_hash. */
static uint32_t
hash_symmetric_l3l4(const struct vsw_flow *f, uint32_t basis)
{
    uint32_t h = basis;

    if (f->dl_type == BE16(VSW_ETH_TYPE_IP)) {
        h = mh_add(h, raw32(f->nw_src ^ f->nw_dst));
    } else if (f->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
        for (int w = 0; w < 2; w++) {
            uint8_t x[8];
            uint64_t v = 0;
            for (int i = 0; i < 8; i++) {
                x[i] = f->ipv6_src[8 * w + i] ^ f->ipv6_dst[8 * w + i];
            }
            for (int i = 7; i >= 0; i--) {
                v = v << 8 | x[i];
            }
            h = mh_add64(h, v);
        }
    } else {
        return hash_symmetric_l2(f, basis);
    }
    h = mh_add(h, f->nw_proto);
    if (!(f->nw_frag & VSW_FRAG_ANY)
        && (f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_SCTP)) {
        h = mh_add(h, raw16((rte_be16_t) (f->tp_src ^ f->tp_dst)) & 0xffff);
    }
    return mh_finish(h, basis);
}

/** OVS's 5-tuple hash from 'basis': the addresses (IPv4 and ARP, IPv6),
 *  the protocol and, for TCP, UDP, SCTP, ICMP and ICMPv6, both ports at
 *  once (0 for a later fragment).  With 'rss', the userspace datapath's
 *  software RSS hash of a packet as it arrived (no NIC hash on dummy or
 *  vsw's ports; miniflow_hash_5tuple(), or for a complete TCP or UDP header
 *  its parser's hash, which reads an IPv6 packet's protocol from its fixed
 *  header even when extension headers follow); without, flow_hash_5tuple()
 *  of the packet as it is now, which the datapath computes for a packet
 *  that came with no RSS hash: a packet-out. */
static uint32_t
hash_5tuple(const struct vsw_flow *f, uint32_t basis, bool rss)
{
    uint32_t h = basis;

    if (f->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
        for (int w = 0; w < 4; w++) {
            const uint8_t *a = w < 2 ? f->ipv6_src + 8 * w : f->ipv6_dst + 8 * (w - 2);
            uint64_t v = 0;
            for (int i = 7; i >= 0; i--) {
                v = v << 8 | a[i];
            }
            h = mh_add64(h, v);
        }
    } else if (f->dl_type == BE16(VSW_ETH_TYPE_IP) || f->dl_type == BE16(VSW_ETH_TYPE_ARP)) {
        h = mh_add(h, raw32(f->nw_src));
        h = mh_add(h, raw32(f->nw_dst));
    } else {
        return mh_finish(h, 42);
    }
    if (rss && f->ip6_ext) {
        h = mh_add(h, f->ip6_nh0);
        return mh_finish(mh_add(h, raw16(f->tp_src) | raw16(f->tp_dst) << 16), 42);
    }
    h = mh_add(h, f->nw_proto);
    if (f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_UDP
        || f->nw_proto == VSW_IPPROTO_SCTP || f->nw_proto == VSW_IPPROTO_ICMP
        || f->nw_proto == VSW_IPPROTO_ICMPV6) {
        h = mh_add(h, raw16(f->tp_src) | raw16(f->tp_dst) << 16);
    }
    return mh_finish(h, 42);
}

/* ---- What the hashes read, for the megaflow. ---- */

/* ORs 'read' into the megaflow mask except the bits in 'set' (written by
 * actions, not the packet's). */
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

/* OVS flow_mask_hash_fields(): SYMMETRIC_L4 (default) or SYMMETRIC_L3L4
 * (dp_hash). */
static void
wc_hash_fields(struct xctx *x, const struct vsw_flow *f, const struct vsw_flow *set, bool l3l4)
{
    struct vsw_flow r;
    bool ip4 = f->dl_type == BE16(VSW_ETH_TYPE_IP), ip6 = f->dl_type == BE16(VSW_ETH_TYPE_IPV6);

    memset(&r, 0, sizeof r);
    r.dl_type = 0xffff;
    if (!l3l4 || (!ip4 && !ip6)) {
        /* L2 fields: what the L4 hash, or the L3L4 hash of a non-IP
         * packet (its L2 fallback), reads. */
        memset(r.dl_src, 0xff, 6);
        memset(r.dl_dst, 0xff, 6);
        r.vlan_tci = BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
        r.vlan_tci2 = BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
    }
    if (ip4) {
        r.nw_src = UINT32_MAX;
        r.nw_dst = UINT32_MAX;
    } else if (ip6) {
        memset(r.ipv6_src, 0xff, 16);
        memset(r.ipv6_dst, 0xff, 16);
    }
    if (ip4 || ip6) {
        r.nw_proto = 0xff;
        if (l3l4) {
            r.nw_frag = VSW_FRAG_ANY;
            if ((f->nw_proto == VSW_IPPROTO_TCP || f->nw_proto == VSW_IPPROTO_SCTP)
                && !(f->nw_frag & VSW_FRAG_ANY)) {
                r.tp_src = r.tp_dst = 0xffff;
            }
        } else if (f->nw_proto != VSW_IPPROTO_UDP) {
            r.tp_src = r.tp_dst = 0xffff;
        }
    }
    wc_read(x, &r, set);
}

/* What hash_5tuple() reads. */
static void
wc_rss_fields(struct xctx *x, const struct vsw_flow *f, const struct vsw_flow *set)
{
    struct vsw_flow r;

    memset(&r, 0, sizeof r);
    r.dl_type = 0xffff;
    if (f->dl_type == BE16(VSW_ETH_TYPE_IPV6)) {
        memset(r.ipv6_src, 0xff, 16);
        memset(r.ipv6_dst, 0xff, 16);
        r.ip6_ext = r.ip6_nh0 = 0xff;
    } else if (f->dl_type == BE16(VSW_ETH_TYPE_IP) || f->dl_type == BE16(VSW_ETH_TYPE_ARP)) {
        r.nw_src = UINT32_MAX;
        r.nw_dst = UINT32_MAX;
    } else {
        wc_read(x, &r, set);
        return;
    }
    r.nw_proto = 0xff;
    r.tp_src = r.tp_dst = 0xffff;
    wc_read(x, &r, set);
}

/* ---- Liveness. ---- */

#define MAX_LIVENESS_RECURSION 128

static bool
port_alive(const struct xctx *x, uint32_t port)
{
    const struct xlate_bridge *br = x->br;

    /* A link change revalidates the megaflows that read link state. */
    x->out->xflags |= VSW_XLATE_READ_PORTS;
    for (unsigned i = 0; br && i < br->n_ports; i++) {
        if (br->ofports[i] == port) {
            return !br->live || br->live[i];
        }
    }
    return false;
}

static const struct vsw_bucket *first_live_bucket(const struct xctx *x,
                                                  const struct vsw_group *g, int depth);

static bool
group_alive(const struct xctx *x, uint32_t id, int depth)
{
    const struct vsw_group *g = vsw_groups_find(x->br ? x->br->groups : NULL, id);

    return g && first_live_bucket(x, g, depth);
}

static bool
bucket_alive(const struct xctx *x, const struct vsw_group *g, const struct vsw_bucket *b,
             int depth)
{
    if (depth >= MAX_LIVENESS_RECURSION) {
        return false;
    }
    if (g->type == VSW_GT_SELECT && !b->weight) {
        return false;
    }
    if (b->watch_port == VSW_OFPP_NONE && b->watch_group == VSW_OFPG_ANY) {
        return true;
    }
    return (b->watch_port != VSW_OFPP_NONE && b->watch_port != VSW_OFPP_CONTROLLER
            && port_alive(x, b->watch_port))
           || (b->watch_group != VSW_OFPG_ANY && group_alive(x, b->watch_group, depth + 1));
}

static const struct vsw_bucket *
first_live_bucket(const struct xctx *x, const struct vsw_group *g, int depth)
{
    for (unsigned i = 0; i < g->n_buckets; i++) {
        if (bucket_alive(x, g, g->buckets[i], depth)) {
            return g->buckets[i];
        }
    }
    return NULL;
}

/* OVS group_best_live_bucket(): the live bucket with the highest score,
 * the last of equal ones. */
static const struct vsw_bucket *
best_live_bucket(const struct xctx *x, const struct vsw_group *g, uint32_t basis)
{
    const struct vsw_bucket *best = NULL;
    uint32_t best_score = 0;

    for (unsigned i = 0; i < g->n_buckets; i++) {
        const struct vsw_bucket *b = g->buckets[i];
        if (bucket_alive(x, g, b, 0)) {
            uint32_t score = (hash_int(b->bucket_id, basis) & 0xffff) * b->weight;
            if (score >= best_score) {
                best = b;
                best_score = score;
            }
        }
    }
    return best;
}

/* ---- Select. ---- */

/* Whether hash field 'f' exists in 'cur' (OVS mf_are_prereqs_ok()),
 * un-wildcarding what the question reads. */
static bool
field_prereqs_ok(struct xctx *x, const struct vsw_field *f, const struct vsw_flow *cur,
                 const struct vsw_flow *set)
{
    struct vsw_flow r;
    bool ip4 = cur->dl_type == BE16(VSW_ETH_TYPE_IP);
    bool ip6 = cur->dl_type == BE16(VSW_ETH_TYPE_IPV6);
    bool arp = cur->dl_type == BE16(VSW_ETH_TYPE_ARP) || cur->dl_type == BE16(0x8035);
    int proto = -1;
    bool ok;

    memset(&r, 0, sizeof r);
    r.dl_type = 0xffff;
    switch (f->id) {
    case VSW_F_TCP_SRC: case VSW_F_TCP_DST: case VSW_F_TCP_FLAGS:
        proto = VSW_IPPROTO_TCP;
        break;
    case VSW_F_UDP_SRC: case VSW_F_UDP_DST:
        proto = VSW_IPPROTO_UDP;
        break;
    case VSW_F_SCTP_SRC: case VSW_F_SCTP_DST:
        proto = VSW_IPPROTO_SCTP;
        break;
    default:
        break;
    }
    if (f->id == VSW_F_IPV4_SRC || f->id == VSW_F_IPV4_DST) {
        /* OVS's ip_src/ip_dst (MFF_IPV4_SRC/DST) need IPv4: an ARP's
         * addresses, which nw_src/nw_dst also name in a match, are not
         * hashed. */
        ok = ip4;
    } else if (proto >= 0) {
        ok = ip4 || ip6;
        if (ok) {
            /* A later fragment has no L4 header. */
            r.nw_proto = 0xff;
            r.nw_frag = VSW_FRAG_LATER;
            ok = cur->nw_proto == proto && !(cur->nw_frag & VSW_FRAG_LATER);
        }
    } else {
        switch ((enum vsw_field_prereq) f->prereq) {
        case VSW_FP_NONE:
        case VSW_FP_VLAN:
            ok = true;
            r.dl_type = 0;
            break;
        case VSW_FP_IPV4: ok = ip4; break;
        case VSW_FP_IPV6: ok = ip6; break;
        case VSW_FP_IP_ANY: ok = ip4 || ip6; break;
        case VSW_FP_IPV4_ARP: ok = ip4 || arp; break;
        case VSW_FP_PROTO:
            /* OVS hashes MFF_IP_PROTO, whose prerequisite is IP: an ARP's
             * opcode, which nw_proto names in a match, is not hashed. */
            ok = ip4 || ip6;
            break;
        case VSW_FP_ARP: ok = arp; break;
        case VSW_FP_ICMP:
            ok = ip4 || ip6;
            if (ok) {
                r.nw_proto = 0xff;
                ok = cur->nw_proto == (ip4 ? 1 : 58);
            }
            break;
        default:
            ok = false;
            break;
        }
    }
    wc_read(x, &r, set);
    return ok;
}

/* ORs into the megaflow the storage bits of 'f' under 'mask' (the whole
 * field where its storage is not simply its bytes). */
static void
wc_field_masked(struct xctx *x, const struct vsw_field *f, const uint8_t *mask,
                const struct vsw_flow *set)
{
    struct vsw_flow r;

    memset(&r, 0, sizeof r);
    if (!f->pipe && f->n_storage == f->width
        && (f->format == VSW_FF_MAC || f->format == VSW_FF_IPV4 || f->format == VSW_FF_IPV6)) {
        memcpy((uint8_t *) &r + f->offset, mask, f->width);
    } else {
        vsw_field_wildcard(f, &r);
    }
    wc_read(x, &r, set);
}

static const struct vsw_bucket *
pick_select(struct xctx *x, const struct vsw_group *g)
{
    struct vsw_flow cur, set;

    xlate_view_flow(x, &cur, &set);
    switch ((enum vsw_sel_method) g->method) {
    case VSW_SEL_DEFAULT:
        wc_hash_fields(x, &cur, &set, false);
        return best_live_bucket(x, g, hash_symmetric_l4(&cur, 0));
    case VSW_SEL_HASH: {
        uint32_t basis = mh_finish(mh_add64(0, g->selection_method_param), 8);
        for (unsigned i = 0; i < g->n_fields; i++) {
            const struct vsw_field *f = vsw_field_get((enum vsw_field_id) g->fields[i].id);
            uint8_t v[16];

            if (!field_prereqs_ok(x, f, &cur, &set)) {
                continue;
            }
            vsw_field_get_value(f, &cur, &x->pipe, v);
            if (f->id == VSW_F_VLAN_VID) {
                /* OXM vlan_vid carries the tag's presence bit. */
                rte_be16_t t = cur.vlan_tci & BE16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
                memcpy(v, &t, 2);
            }
            for (unsigned k = 0; k < f->width; k++) {
                v[k] &= g->fields[i].mask[k];
            }
            if (f->id == VSW_F_IN_PORT) {
                /* OVS's in_port is a 16-bit OpenFlow 1.0 port number. */
                basis = hash_bytes(v + 2, 2, basis);
            } else {
                basis = hash_bytes(v, f->width, basis);
            }
            wc_field_masked(x, f, g->fields[i].mask, &set);
        }
        return best_live_bucket(x, g, basis);
    }
    case VSW_SEL_DP_HASH: {
        uint32_t h;
        if (x->dp_hash_set) {
            /* OVS computed the hash once, at its recirculation. */
            h = x->dp_hash;
        } else if (g->hash_alg == VSW_HASH_ALG_L4 && x->packet_out) {
            /* OVS odp-execute, for a packet without an RSS hash. */
            h = hash_5tuple(&cur, g->hash_basis, false);
        } else if (g->hash_alg == VSW_HASH_ALG_L4) {
            /* OVS odp-execute: the RSS hash of the packet as it arrived
             * (whatever the actions rewrote since) mixed with the basis. */
            static const struct vsw_flow none;
            h = hash_int(hash_5tuple(x->flow, 0, true), g->hash_basis);
            wc_rss_fields(x, x->flow, &none);
        } else {
            h = hash_symmetric_l3l4(&cur, g->hash_basis);
            wc_hash_fields(x, &cur, &set, true);
        }
        x->dp_hash = h;
        x->dp_hash_set = true;
        for (uint32_t i = 0; i <= g->hash_mask; i++) {
            const struct vsw_bucket *b = g->buckets[g->hash_map[(h + i) & g->hash_mask]];
            if (bucket_alive(x, g, b, 0)) {
                return b;
            }
        }
        return NULL;
    }
    }
    return NULL;
}

/* ---- Buckets. ---- */

/* After a bucket: the view is back to 'v0' (the packet before it), and
 * every header the bucket changed is marked to be committed back, from
 * what the view knows or, where it only has the packet's own value, from
 * the packet (un-wildcarded: the megaflow then writes back a value it
 * matched).  'v1' is the view the bucket left. */
static void
restore_view(struct xctx *x, const struct xview *v0, const struct xview *v1, bool committed)
{
    const struct vsw_flow *f = x->flow;
    struct xview *v = &x->v;

    *v = *v0;
    if (!committed) {
        return;   /* The datapath packet is as before the bucket: so is the view. */
    }
    /* A field the bucket committed and left as it was is clean now. */
#define BACK(FIELD, DIRTY, SET, FLOWF, WCF, SIZE)                                   \
    if (committed && !v1->DIRTY && !memcmp(&v1->FIELD, &v0->FIELD, SIZE)) {         \
        v->DIRTY = false;                                                           \
    } else if (v1->DIRTY || memcmp(&v1->FIELD, &v0->FIELD, SIZE)) {                 \
        v->DIRTY = true;                                                            \
        if (!v0->SET) {                                                             \
            memcpy(&v->FIELD, &f->FLOWF, SIZE);                                     \
            memset(&x->wc_pending.WCF, 0xff, SIZE);                                 \
            x->wc_pending_any = true;                                               \
        }                                                                           \
    }
    BACK(dl_src, src_dirty, src_set, dl_src, dl_src, 6)
    BACK(dl_dst, dst_dirty, dst_set, dl_dst, dl_dst, 6)
    BACK(nw_src, nw_src_dirty, nw_src_set, nw_src, nw_src, 4)
    BACK(nw_dst, nw_dst_dirty, nw_dst_set, nw_dst, nw_dst, 4)
    BACK(ipv6_src, ipv6_src_dirty, ipv6_src_set, ipv6_src, ipv6_src, 16)
    BACK(ipv6_dst, ipv6_dst_dirty, ipv6_dst_set, ipv6_dst, ipv6_dst, 16)
    BACK(label, label_dirty, label_set, ipv6_label, ipv6_label, 4)
    BACK(tp_src, tp_src_dirty, tp_src_set, tp_src, tp_src, 2)
    BACK(tp_dst, tp_dst_dirty, tp_dst_set, tp_dst, tp_dst, 2)
#undef BACK
    {
        uint8_t bits = (uint8_t) (v1->tos_dirty | (v1->tos ^ v0->tos));
        uint8_t from_pkt = (uint8_t) (bits & ~v0->tos_set);
        if (bits) {
            v->tos_dirty |= bits;
            v->tos = (uint8_t) ((v->tos & ~from_pkt) | (f->nw_tos & from_pkt));
            x->wc_pending.nw_tos |= from_pkt;
            x->wc_pending_any |= from_pkt != 0;
        }
    }
    bool ttl_same = v1->ttl_known == v0->ttl_known && v1->ttl == v0->ttl
                    && v1->ttl_total_dec == v0->ttl_total_dec;
    if (!v1->ttl_dirty && ttl_same) {
        /* The bucket committed the TTL as it was before it (a pending
         * decrement included): clean now, not to be applied twice. */
        v->ttl_dirty = false;
        v->ttl_dec = 0;
        v->ttl_check = 0;
    } else if (!ttl_same || v1->ttl_dirty) {
        if (!v0->ttl_known) {
            /* The bucket may have committed a decrement: write the TTL back
             * as a value, which the megaflow must then match. */
            x->wc->nw_ttl = 0xff;
            v->ttl = (uint8_t) (f->nw_ttl - v0->ttl_total_dec);
            v->ttl_known = true;
            v->ttl_dec = 0;
            v->ttl_check = 0;
        }
        v->ttl_dirty = true;
    }
}

void
xlate_group_commit_wc(struct xctx *x)
{
    const struct xview *v = &x->v;
    const struct vsw_flow *p = &x->wc_pending;
    struct vsw_flow *wc = x->wc;

#define PENDING(DIRTY, SET, WCF, SIZE)                                              \
    if (v->DIRTY && !v->SET) {                                                      \
        for (size_t i = 0; i < (SIZE); i++) {                                       \
            ((uint8_t *) &wc->WCF)[i] |= ((const uint8_t *) &p->WCF)[i];            \
        }                                                                           \
    }
    PENDING(src_dirty, src_set, dl_src, 6)
    PENDING(dst_dirty, dst_set, dl_dst, 6)
    PENDING(nw_src_dirty, nw_src_set, nw_src, 4)
    PENDING(nw_dst_dirty, nw_dst_set, nw_dst, 4)
    PENDING(ipv6_src_dirty, ipv6_src_set, ipv6_src, 16)
    PENDING(ipv6_dst_dirty, ipv6_dst_set, ipv6_dst, 16)
    PENDING(label_dirty, label_set, ipv6_label, 4)
    PENDING(tp_src_dirty, tp_src_set, tp_src, 2)
    PENDING(tp_dst_dirty, tp_dst_set, tp_dst, 2)
#undef PENDING
    wc->nw_tos |= (uint8_t) (p->nw_tos & v->tos_dirty & ~v->tos_set);
    memset(&x->wc_pending, 0, sizeof x->wc_pending);
    x->wc_pending_any = false;
}

static void
run_bucket(struct xctx *x, const struct vsw_bucket *b)
{
    struct xview v0 = x->v, v1;
    struct vsw_pipe pipe0 = x->pipe;
    uint16_t len0 = x->out->len;

    xlate_trace_add(x, XEV_BUCKET, b->bucket_id, 0, b);
    x->depth++;
    x->in_group++;
    xlate_do_actions(x, b->set);
    x->in_group--;
    x->depth--;
    v1 = x->v;
    restore_view(x, &v0, &v1, x->out->len != len0);
    x->pipe = pipe0;
}

bool
xlate_group(struct xctx *x, uint32_t group_id)
{
    const struct vsw_group *g;
    const struct vsw_bucket *b = NULL;
    struct xlate_trace_ev *ev;

    if (!xlate_resource_check(x)) {
        return false;
    }
    g = vsw_groups_find(x->br ? x->br->groups : NULL, group_id);
    if (!g) {
        xlate_trace_add(x, XEV_GROUP, group_id, UINT32_MAX, NULL);
        return true;
    }
    xlate_add_dep(x, (struct vsw_counted *) &g->c);
    if (g->type == VSW_GT_ALL || g->type == VSW_GT_INDIRECT) {
        xlate_trace_add(x, XEV_GROUP, group_id, UINT32_MAX, g);
        for (unsigned i = 0; i < g->n_buckets; i++) {
            run_bucket(x, g->buckets[i]);
        }
        return false;
    }
    b = g->type == VSW_GT_SELECT ? pick_select(x, g) : first_live_bucket(x, g, 0);
    ev = xlate_trace_add(x, XEV_GROUP, group_id, UINT32_MAX, g);
    if (b) {
        for (unsigned i = 0; i < g->n_buckets; i++) {
            if (g->buckets[i] == b && ev) {
                ev->arg = i;
            }
        }
        xlate_add_dep(x, (struct vsw_counted *) &b->c);
        run_bucket(x, b);
    }
    return false;
}
