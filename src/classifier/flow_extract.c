/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Packet parser: frame bytes -> struct vsw_flow + header offsets.
 *
 * The parser walks the frame once, front to back, with a cursor ('p') and the
 * number of bytes left ('left').  Each layer checks that its header is there
 * before reading it; when a check fails the layer and everything above it
 * stays zero, which is what Open vSwitch's flow extraction does, so rules
 * match malformed packets the same way in both switches.
 *
 * The common frames (Ethernet/VLAN + IPv4/IPv6 + TCP/UDP) take the fast
 * path in flow_fast.h first, which composes the key's words directly and
 * must give exactly what this general parser gives.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "classifier/flow_fast.h"
#include "vsw/flow.h"

#define ETH_HDR_LEN 14
#define VLAN_HDR_LEN 4
#define LLC_SNAP_LEN 8
#define ARP_ETH_LEN 28
#define IPV4_MIN_LEN 20
#define IPV6_HDR_LEN 40
#define TCP_MIN_LEN 20
#define UDP_LEN 8
#define SCTP_MIN_LEN 12
#define ICMP_MIN_LEN 8
#define IGMP_MIN_LEN 8
#define ICMP6_MIN_LEN 8

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_IGMP_ 2
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_DSTOPTS_ 60

#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define ND_OPT_SLL 1
#define ND_OPT_TLL 2


static inline bool
mac_is_zero(const uint8_t *m)
{
    return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* Ethertype after the MAC addresses and tags: an Ethernet II type, the type
 * of an LLC/SNAP header with a zero OUI, or VSW_DL_TYPE_NONE. */
static uint16_t
parse_ethertype(const uint8_t **pp, uint32_t *leftp)
{
    const uint8_t *p = *pp;
    uint16_t type = vsw_get16(p);

    p += 2;
    *leftp -= 2;
    if (rte_be_to_cpu_16(type) >= VSW_ETH_TYPE_MIN) {
        *pp = p;
        return type;
    }
    *pp = p;
    if (*leftp < LLC_SNAP_LEN
        || p[0] != 0xaa || p[1] != 0xaa || p[2] != 0x03
        || p[3] || p[4] || p[5]) {
        return rte_cpu_to_be_16(VSW_DL_TYPE_NONE);
    }
    type = vsw_get16(p + 6);
    *pp = p + LLC_SNAP_LEN;
    *leftp -= LLC_SNAP_LEN;
    if (rte_be_to_cpu_16(type) >= VSW_ETH_TYPE_MIN) {
        return type;
    }
    return rte_cpu_to_be_16(VSW_DL_TYPE_NONE);
}

/* Walks IPv6 extension headers starting with '*protop'.  Returns false if a
 * header is truncated. */
static bool
parse_ipv6_ext(const uint8_t **pp, uint32_t *leftp, uint8_t *protop, uint8_t *fragp)
{
    for (;;) {
        uint8_t proto = *protop;
        uint32_t hlen;

        if (proto != IPPROTO_HOPOPTS_ && proto != IPPROTO_ROUTING_
            && proto != IPPROTO_DSTOPTS_ && proto != IPPROTO_AH_
            && proto != IPPROTO_FRAGMENT_) {
            return true;
        }
        if (*leftp < 8) {
            return false;
        }
        const uint8_t *h = *pp;
        if (proto == IPPROTO_FRAGMENT_) {
            uint16_t offlg = rte_be_to_cpu_16(vsw_get16(h + 2));
            *protop = h[0];
            *pp += 8;
            *leftp -= 8;
            if (offlg) {
                *fragp = VSW_FRAG_ANY;
                if (offlg & 0xfff8) {
                    *fragp |= VSW_FRAG_LATER;
                    *protop = IPPROTO_FRAGMENT_;
                    return true;
                }
            }
            continue;
        }
        hlen = proto == IPPROTO_AH_ ? (h[1] + 2u) * 4 : (h[1] + 1u) * 8;
        *protop = h[0];
        if (*leftp < hlen) {
            return false;
        }
        *pp += hlen;
        *leftp -= hlen;
    }
}

/* ICMPv6 neighbour discovery: target and link-layer address options. */
static void
parse_nd(const uint8_t *p, uint32_t left, struct vsw_flow *flow)
{
    if (left < 16) {
        return;
    }
    const uint8_t *target = p;
    uint8_t sll[6] = { 0 }, tll[6] = { 0 };

    p += 16;
    left -= 16;
    while (left >= 8) {
        uint32_t opt_len = p[1] * 8u;

        if (!opt_len || opt_len > left) {
            break;
        }
        if (p[0] == ND_OPT_SLL && opt_len == 8) {
            if (!mac_is_zero(sll)) {
                return; /* Duplicate option: the whole ND part is invalid. */
            }
            memcpy(sll, p + 2, 6);
        } else if (p[0] == ND_OPT_TLL && opt_len == 8) {
            if (!mac_is_zero(tll)) {
                return;
            }
            memcpy(tll, p + 2, 6);
        }
        p += opt_len;
        left -= opt_len;
    }
    memcpy(flow->nd_target, target, 16);
    memcpy(flow->arp_sha, sll, 6);
    memcpy(flow->arp_tha, tll, 6);
}

static void
parse_l4(const uint8_t *p, uint32_t left, struct vsw_flow *flow)
{
    switch (flow->nw_proto) {
    case VSW_IPPROTO_TCP:
        if (left >= TCP_MIN_LEN) {
            uint32_t hlen = (p[12] >> 4) * 4u;
            if (hlen >= TCP_MIN_LEN && left >= hlen) {
                flow->tp_src = vsw_get16(p);
                flow->tp_dst = vsw_get16(p + 2);
                flow->tcp_flags = rte_cpu_to_be_16(rte_be_to_cpu_16(vsw_get16(p + 12))
                                                   & VSW_TCP_FLAGS_MASK);
            }
        }
        break;
    case VSW_IPPROTO_UDP:
        if (left >= UDP_LEN) {
            flow->tp_src = vsw_get16(p);
            flow->tp_dst = vsw_get16(p + 2);
        }
        break;
    case VSW_IPPROTO_SCTP:
        if (left >= SCTP_MIN_LEN) {
            flow->tp_src = vsw_get16(p);
            flow->tp_dst = vsw_get16(p + 2);
        }
        break;
    case VSW_IPPROTO_ICMP:
    case IPPROTO_IGMP_:
        if (left >= ICMP_MIN_LEN) {
            flow->tp_src = rte_cpu_to_be_16(p[0]);
            flow->tp_dst = rte_cpu_to_be_16(p[1]);
        }
        break;
    case VSW_IPPROTO_ICMPV6:
        if (left >= ICMP6_MIN_LEN) {
            flow->tp_src = rte_cpu_to_be_16(p[0]);
            flow->tp_dst = rte_cpu_to_be_16(p[1]);
            if (p[1] == 0 && (p[0] == ND_NEIGHBOR_SOLICIT || p[0] == ND_NEIGHBOR_ADVERT)) {
                parse_nd(p + ICMP6_MIN_LEN, left - ICMP6_MIN_LEN, flow);
            }
        }
        break;
    default:
        break;
    }
}

/* Whether OVS's parser computes its software RSS hash from the packet's
 * bytes for this L4 header: a complete TCP header or a UDP one.  That
 * hash takes the protocol from the IP header itself, which for IPv6 is
 * the first Next Header, not the L4 protocol after extension headers. */
static bool
l4_rss_complete(uint8_t proto, const uint8_t *p, uint32_t left)
{
    if (proto == VSW_IPPROTO_UDP) {
        return left >= UDP_LEN;
    }
    if (proto == VSW_IPPROTO_TCP && left >= TCP_MIN_LEN) {
        uint32_t hlen = (p[12] >> 4) * 4u;
        return hlen >= TCP_MIN_LEN && left >= hlen;
    }
    return false;
}

void
vsw_flow_extract(const uint8_t *data, uint32_t len, uint32_t in_port,
                 struct vsw_flow *flow, struct vsw_layout *layout)
{
    if (!vsw_flow_extract_fast(data, len, in_port, flow, layout)) {
        vsw_flow_extract_general(data, len, in_port, flow, layout);
    }
}

bool
vsw_flow_extract_shallow(const uint8_t *p, uint32_t len, uint32_t in_port, struct vsw_flow *flow)
{
    return vsw_flow_extract_shallow_inline(p, len, in_port, flow);
}

bool
vsw_flow_mask_is_shallow(const struct vsw_flow *mask)
{
    struct vsw_flow m = *mask;

    m.in_port = 0;
    memset(m.dl_dst, 0, sizeof m.dl_dst);
    memset(m.dl_src, 0, sizeof m.dl_src);
    m.dl_type = 0;
    m.vlan_tci = 0;
    m.vlan_tci2 = 0;
    m.nw_proto = 0;
    m.nw_frag = 0;
    static const struct vsw_flow zero;
    return !memcmp(&m, &zero, sizeof m);
}

void
vsw_flow_extract_general(const uint8_t *data, uint32_t len, uint32_t in_port,
                         struct vsw_flow *flow, struct vsw_layout *layout)
{
    const uint8_t *p = data;
    uint32_t left = len;
    uint16_t dl_type;

    vsw_flow_zero(flow);
    flow->in_port = in_port;
    layout->l3_ofs = VSW_OFS_NONE;
    layout->l4_ofs = VSW_OFS_NONE;
    layout->l3_end = (uint16_t) len;
    layout->n_vlans = 0;

    if (left < ETH_HDR_LEN) {
        return;
    }
    memcpy(flow->dl_dst, p, 6);
    memcpy(flow->dl_src, p + 6, 6);
    p += 12;
    left -= 12;

    /* The outer 802.1Q / 802.1ad tag(s); each needs 4 bytes plus the type
     * after it.  Like ovs-vswitchd with its default vlan-limit, only
     * VSW_VLAN_LIMIT tags are parsed: with one, the inner tag's TPID of a
     * QinQ frame becomes dl_type and L3 is not parsed. */
    while (layout->n_vlans < VSW_VLAN_LIMIT && vsw_is_vlan_tpid(vsw_get16(p))
           && left >= VLAN_HDR_LEN + 2) {
        uint16_t tci = vsw_get16(p + 2) | rte_cpu_to_be_16(VSW_VLAN_CFI);
        if (layout->n_vlans == 0) {
            flow->vlan_tci = tci;
        } else {
            flow->vlan_tci2 = tci;
        }
        layout->n_vlans++;
        p += VLAN_HDR_LEN;
        left -= VLAN_HDR_LEN;
    }

    dl_type = parse_ethertype(&p, &left);
    flow->dl_type = dl_type;
    layout->l3_ofs = (uint16_t) (p - data);

    if (dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IP)) {
        if (left < IPV4_MIN_LEN) {
            return;
        }
        uint32_t ihl = (p[0] & 0x0f) * 4u;
        uint32_t tot_len = rte_be_to_cpu_16(vsw_get16(p + 2));
        if (ihl < IPV4_MIN_LEN || left < ihl || tot_len > left || ihl > tot_len) {
            return;
        }
        uint16_t frag_off = rte_be_to_cpu_16(vsw_get16(p + 6));
        flow->nw_src = vsw_get32(p + 12);
        flow->nw_dst = vsw_get32(p + 16);
        flow->nw_tos = p[1];
        flow->nw_ttl = p[8];
        flow->nw_proto = p[9];
        if (frag_off & 0x3fff) { /* MF set or nonzero offset. */
            flow->nw_frag = VSW_FRAG_ANY;
            if (frag_off & 0x1fff) {
                flow->nw_frag |= VSW_FRAG_LATER;
            }
        }
        layout->l3_end = (uint16_t) (layout->l3_ofs + tot_len);
        layout->l4_ofs = (uint16_t) (layout->l3_ofs + ihl);
        if (!(flow->nw_frag & VSW_FRAG_LATER)) {
            parse_l4(p + ihl, tot_len - ihl, flow);
        }
    } else if (dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6)) {
        if (left < IPV6_HDR_LEN) {
            return;
        }
        uint32_t plen = rte_be_to_cpu_16(vsw_get16(p + 4));
        if (plen + IPV6_HDR_LEN > left) {
            return;
        }
        uint32_t vtcfl = rte_be_to_cpu_32(vsw_get32(p));
        uint8_t proto = p[6];
        uint8_t frag = 0;

        memcpy(flow->ipv6_src, p + 8, 16);
        memcpy(flow->ipv6_dst, p + 24, 16);
        layout->l3_end = (uint16_t) (layout->l3_ofs + IPV6_HDR_LEN + plen);

        const uint8_t *l4 = p + IPV6_HDR_LEN;
        uint32_t l4_left = plen;
        if (!parse_ipv6_ext(&l4, &l4_left, &proto, &frag)) {
            return;
        }
        flow->ipv6_label = rte_cpu_to_be_32(vtcfl & 0xfffff);
        flow->nw_tos = (uint8_t) (vtcfl >> 20);
        flow->nw_ttl = p[7];
        flow->nw_proto = proto;
        flow->nw_frag = frag;
        layout->l4_ofs = (uint16_t) (l4 - data);
        if (!(frag & VSW_FRAG_LATER)) {
            parse_l4(l4, l4_left, flow);
            if (l4 != p + IPV6_HDR_LEN && l4_rss_complete(proto, l4, l4_left)) {
                flow->ip6_ext = 1;
                flow->ip6_nh0 = p[6];
            }
        }
    } else if (dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_ARP)
               || dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_RARP)) {
        if (left < ARP_ETH_LEN
            || vsw_get16(p) != rte_cpu_to_be_16(1)
            || vsw_get16(p + 2) != rte_cpu_to_be_16(VSW_ETH_TYPE_IP)
            || p[4] != 6 || p[5] != 4) {
            return;
        }
        uint16_t op = rte_be_to_cpu_16(vsw_get16(p + 6));
        flow->nw_proto = op <= 0xff ? (uint8_t) op : 0;
        memcpy(flow->arp_sha, p + 8, 6);
        flow->nw_src = vsw_get32(p + 14);
        memcpy(flow->arp_tha, p + 18, 6);
        flow->nw_dst = vsw_get32(p + 24);
    }
}

int
vsw_flow_format(const struct vsw_flow *f, char *buf, size_t size)
{
    const uint8_t *s = (const uint8_t *) &f->nw_src, *d = (const uint8_t *) &f->nw_dst;
    return snprintf(buf, size,
                    "in_port=%u,dl_src=%02x:%02x:%02x:%02x:%02x:%02x,"
                    "dl_dst=%02x:%02x:%02x:%02x:%02x:%02x,dl_type=0x%04x,"
                    "vlan_tci=0x%04x,vlan_tci2=0x%04x,nw_src=%u.%u.%u.%u,"
                    "nw_dst=%u.%u.%u.%u,nw_proto=%u,nw_tos=%u,nw_ttl=%u,nw_frag=%u,"
                    "tp_src=%u,tp_dst=%u,tcp_flags=0x%03x",
                    f->in_port, f->dl_src[0], f->dl_src[1], f->dl_src[2], f->dl_src[3],
                    f->dl_src[4], f->dl_src[5], f->dl_dst[0], f->dl_dst[1], f->dl_dst[2],
                    f->dl_dst[3], f->dl_dst[4], f->dl_dst[5],
                    rte_be_to_cpu_16(f->dl_type), rte_be_to_cpu_16(f->vlan_tci),
                    rte_be_to_cpu_16(f->vlan_tci2), s[0], s[1], s[2], s[3],
                    d[0], d[1], d[2], d[3], f->nw_proto, f->nw_tos, f->nw_ttl, f->nw_frag,
                    rte_be_to_cpu_16(f->tp_src), rte_be_to_cpu_16(f->tp_dst),
                    rte_be_to_cpu_16(f->tcp_flags));
}
