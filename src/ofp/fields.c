/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The header-field registry (vsw/fields.h): the one table of what vsw knows
 * about each field, and the value printers that follow from it.
 *
 * Values are those of ovs-ofctl -O OpenFlow13, our oracle: widths are the
 * OXM widths (arp_op is 16 bits though vsw keeps its low byte in nw_proto),
 * 'max' is the largest value accepted (in_port stops below the reserved
 * ports; vlan_vid includes the 0x1000 "present" bit).
 */

#include "vsw/fields.h"

#include <stdlib.h>
#include <string.h>

#include "vsw/actions.h"

#define NO_SET VSW_FIELD_NO_SET

#define FIELD(ID, NAME, MEMBER, WIDTH, FMT, PRE, MASKABLE, MAX, SET, SET_PRE, SET_FLAGS) \
    [VSW_F_##ID] = { VSW_F_##ID, NAME, offsetof(struct vsw_flow, MEMBER),             \
                     sizeof(((struct vsw_flow *) 0)->MEMBER), WIDTH, VSW_FF_##FMT,     \
                     VSW_FP_##PRE, MASKABLE, MAX, SET, VSW_FP_##SET_PRE, SET_FLAGS }

static const struct vsw_field fields[VSW_F_N] = {
    /*    id          dump-flows name  stored in  width format  prereq  mask max
     *    set_field action         its prereq  its flags */
    FIELD(IN_PORT, "in_port", in_port, 4, PORT, NONE, false, 0xfeff, NO_SET, NONE, 0),
    FIELD(ETH_SRC, "dl_src", dl_src, 6, MAC, NONE, true, 0,
          VSW_ACT_SET_ETH_SRC, NONE, 0),
    FIELD(ETH_DST, "dl_dst", dl_dst, 6, MAC, NONE, true, 0,
          VSW_ACT_SET_ETH_DST, NONE, 0),
    FIELD(ETH_TYPE, "dl_type", dl_type, 2, HEX, NONE, false, 0xffff, NO_SET, NONE, 0),
    FIELD(VLAN_TCI, "vlan_tci", vlan_tci, 2, HEX, NONE, true, 0xffff, NO_SET, NONE, 0),
    FIELD(DL_VLAN, "dl_vlan", vlan_tci, 2, DEC, NONE, false, 0xffff, NO_SET, NONE, 0),
    FIELD(VLAN_VID, "vlan_vid", vlan_tci, 2, DEC, NONE, true, 0x1fff,
          VSW_ACT_SET_VLAN_VID, VLAN, 0),
    FIELD(VLAN_PCP, "dl_vlan_pcp", vlan_tci, 1, DEC, NONE, false, 7,
          VSW_ACT_SET_VLAN_PCP, VLAN, 0),
    FIELD(IPV4_SRC, "nw_src", nw_src, 4, IPV4, IPV4_ARP, true, 0,
          VSW_ACT_SET_IPV4_SRC, IPV4, 0),
    FIELD(IPV4_DST, "nw_dst", nw_dst, 4, IPV4, IPV4_ARP, true, 0,
          VSW_ACT_SET_IPV4_DST, IPV4, 0),
    FIELD(ARP_SPA, "arp_spa", nw_src, 4, IPV4, IPV4_ARP, true, 0, NO_SET, NONE, 0),
    FIELD(ARP_TPA, "arp_tpa", nw_dst, 4, IPV4, IPV4_ARP, true, 0, NO_SET, NONE, 0),
    FIELD(IPV6_SRC, "ipv6_src", ipv6_src, 16, IPV6, IPV6, true, 0,
          VSW_ACT_SET_IPV6_SRC, IPV6, 0),
    FIELD(IPV6_DST, "ipv6_dst", ipv6_dst, 16, IPV6, IPV6, true, 0,
          VSW_ACT_SET_IPV6_DST, IPV6, 0),
    FIELD(IPV6_LABEL, "ipv6_label", ipv6_label, 4, HEX, IPV6, true, 0xfffff,
          VSW_ACT_SET_IPV6_LABEL, IPV6, 0),
    FIELD(IP_PROTO, "nw_proto", nw_proto, 1, DEC, PROTO, false, 0xff, NO_SET, NONE, 0),
    FIELD(ARP_OP, "arp_op", nw_proto, 2, DEC, ARP, false, 0xff, NO_SET, NONE, 0),
    FIELD(NW_TOS, "nw_tos", nw_tos, 1, DEC, IP_ANY, false, 0xff,
          VSW_ACT_SET_IP_DSCP, IP_ANY, VSW_ACTF_SPELL_ALT),
    FIELD(IP_DSCP, "ip_dscp", nw_tos, 1, DEC, IP_ANY, false, 63,
          VSW_ACT_SET_IP_DSCP, IP_ANY, 0),
    FIELD(IP_ECN, "nw_ecn", nw_tos, 1, DEC, IP_ANY, false, 3,
          VSW_ACT_SET_IP_ECN, IP_ANY, 0),
    FIELD(NW_TTL, "nw_ttl", nw_ttl, 1, DEC, IP_ANY, false, 0xff,
          VSW_ACT_SET_IP_TTL, IP_ANY, 0),
    FIELD(IP_FRAG, "nw_frag", nw_frag, 1, FRAG, IP_ANY, true, 0, NO_SET, NONE, 0),
    FIELD(ARP_SHA, "arp_sha", arp_sha, 6, MAC, ARP, true, 0, NO_SET, NONE, 0),
    FIELD(ARP_THA, "arp_tha", arp_tha, 6, MAC, ARP, true, 0, NO_SET, NONE, 0),
    FIELD(ND_SLL, "nd_sll", arp_sha, 6, MAC, ND_SLL, true, 0, NO_SET, NONE, 0),
    FIELD(ND_TLL, "nd_tll", arp_tha, 6, MAC, ND_TLL, true, 0, NO_SET, NONE, 0),
    FIELD(TCP_SRC, "tp_src", tp_src, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_SRC, TCP, 0),
    FIELD(TCP_DST, "tp_dst", tp_dst, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_DST, TCP, 0),
    FIELD(UDP_SRC, "tp_src", tp_src, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_SRC, UDP, VSW_ACTF_L4_UDP),
    FIELD(UDP_DST, "tp_dst", tp_dst, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_DST, UDP, VSW_ACTF_L4_UDP),
    FIELD(SCTP_SRC, "tp_src", tp_src, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_SRC, SCTP, VSW_ACTF_L4_SCTP),
    FIELD(SCTP_DST, "tp_dst", tp_dst, 2, DEC, L4, true, 0xffff,
          VSW_ACT_SET_L4_DST, SCTP, VSW_ACTF_L4_SCTP),
    FIELD(TCP_FLAGS, "tcp_flags", tcp_flags, 2, TCP_FLAGS, TCP, true, 0, NO_SET, NONE, 0),
    FIELD(ICMP_TYPE, "icmp_type", tp_src, 1, DEC, ICMP, false, 0xff, NO_SET, NONE, 0),
    FIELD(ICMP_CODE, "icmp_code", tp_dst, 1, DEC, ICMP, false, 0xff, NO_SET, NONE, 0),
    FIELD(ND_TARGET, "nd_target", nd_target, 16, IPV6, ND, true, 0, NO_SET, NONE, 0),
};

/* Sorted by strcmp() for bsearch(); the unit tests use every entry.
 * 'set_ok' false: set_field does not take that spelling (OVS neither). */
static const struct vsw_field_name names[] = {
    { "arp_op", VSW_F_ARP_OP, false },
    { "arp_sha", VSW_F_ARP_SHA, false },
    { "arp_spa", VSW_F_ARP_SPA, false },
    { "arp_tha", VSW_F_ARP_THA, false },
    { "arp_tpa", VSW_F_ARP_TPA, false },
    { "dl_dst", VSW_F_ETH_DST, true },
    { "dl_src", VSW_F_ETH_SRC, true },
    { "dl_type", VSW_F_ETH_TYPE, false },
    { "dl_vlan", VSW_F_DL_VLAN, false },
    { "dl_vlan_pcp", VSW_F_VLAN_PCP, false },
    { "eth_dst", VSW_F_ETH_DST, true },
    { "eth_src", VSW_F_ETH_SRC, true },
    { "eth_type", VSW_F_ETH_TYPE, false },
    { "icmp_code", VSW_F_ICMP_CODE, false },
    { "icmp_type", VSW_F_ICMP_TYPE, false },
    { "icmpv6_code", VSW_F_ICMP_CODE, false },
    { "icmpv6_type", VSW_F_ICMP_TYPE, false },
    { "in_port", VSW_F_IN_PORT, false },
    { "ip_dscp", VSW_F_IP_DSCP, true },
    { "ip_dst", VSW_F_IPV4_DST, true },
    { "ip_ecn", VSW_F_IP_ECN, true },
    { "ip_frag", VSW_F_IP_FRAG, false },
    { "ip_proto", VSW_F_IP_PROTO, false },
    { "ip_src", VSW_F_IPV4_SRC, true },
    { "ipv6_dst", VSW_F_IPV6_DST, true },
    { "ipv6_label", VSW_F_IPV6_LABEL, true },
    { "ipv6_src", VSW_F_IPV6_SRC, true },
    { "nd_sll", VSW_F_ND_SLL, false },
    { "nd_target", VSW_F_ND_TARGET, false },
    { "nd_tll", VSW_F_ND_TLL, false },
    { "nw_dst", VSW_F_IPV4_DST, true },
    { "nw_ecn", VSW_F_IP_ECN, true },
    { "nw_frag", VSW_F_IP_FRAG, false },
    { "nw_proto", VSW_F_IP_PROTO, false },
    { "nw_src", VSW_F_IPV4_SRC, true },
    { "nw_tos", VSW_F_NW_TOS, true },
    { "nw_ttl", VSW_F_NW_TTL, true },
    { "sctp_dst", VSW_F_SCTP_DST, true },
    { "sctp_src", VSW_F_SCTP_SRC, true },
    { "tcp_dst", VSW_F_TCP_DST, true },
    { "tcp_flags", VSW_F_TCP_FLAGS, false },
    { "tcp_src", VSW_F_TCP_SRC, true },
    { "tp_dst", VSW_F_TCP_DST, true },
    { "tp_src", VSW_F_TCP_SRC, true },
    { "udp_dst", VSW_F_UDP_DST, true },
    { "udp_src", VSW_F_UDP_SRC, true },
    { "vlan_pcp", VSW_F_VLAN_PCP, true },
    { "vlan_tci", VSW_F_VLAN_TCI, false },
    { "vlan_vid", VSW_F_VLAN_VID, true },
};

const struct vsw_field *
vsw_field_get(enum vsw_field_id id)
{
    return &fields[id];
}

static int
name_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct vsw_field_name *) elem)->name);
}

const struct vsw_field_name *
vsw_field_name_find(const char *name)
{
    return bsearch(name, names, sizeof names / sizeof names[0], sizeof names[0],
                   name_cmp);
}

const struct vsw_field_name *
vsw_field_names(size_t *n)
{
    *n = sizeof names / sizeof names[0];
    return names;
}

uint32_t
vsw_field_get_uint(const struct vsw_field *f, const struct vsw_flow *flow)
{
    const uint8_t *p = (const uint8_t *) flow + f->offset;

    switch (f->n_storage) {
    case 1:
        return *p;
    case 2: {
        rte_be16_t v;
        memcpy(&v, p, sizeof v);
        return rte_be_to_cpu_16(v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, sizeof v);
        /* in_port is the one field kept in host order (vsw/flow.h). */
        return f->id == VSW_F_IN_PORT ? v : rte_be_to_cpu_32(v);
    }
    }
    return 0;
}

static bool
bytes_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
bytes_ones(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* Prefix length of the IPv6 mask 'mask', or -1 if it is not a CIDR mask. */
static int
ipv6_mask_cidr_len(const uint8_t mask[16])
{
    int plen = 0;
    int i = 0;

    while (i < 16 && mask[i] == 0xff) {
        plen += 8;
        i++;
    }
    if (i < 16) {
        uint8_t inv = (uint8_t) ~mask[i];
        if ((inv & (inv + 1)) != 0) {
            return -1;
        }
        plen += __builtin_popcount(mask[i]);
        for (i++; i < 16; i++) {
            if (mask[i]) {
                return -1;
            }
        }
    }
    return plen;
}

/* Number of hex digits of 'max'. */
static int
hex_digits(uint32_t max)
{
    int n = 1;
    while (max > 0xf) {
        max >>= 4;
        n++;
    }
    return n;
}

void
vsw_field_put(struct vsw_ofp_buf *b, size_t start, const struct vsw_field *f,
              const char *name, const struct vsw_flow *key, const struct vsw_flow *mask)
{
    const uint8_t *k = (const uint8_t *) key + f->offset;
    const uint8_t *m = (const uint8_t *) mask + f->offset;

    if (bytes_zero(m, f->n_storage)) {
        return;
    }
    vsw_ofp_buf_printf(b, "%s%s=", b->len > start ? "," : "", name ? name : f->name);

    switch ((enum vsw_field_format) f->format) {
    case VSW_FF_PORT:
    case VSW_FF_DEC:
    case VSW_FF_HEX: {
        uint32_t v = vsw_field_get_uint(f, key);
        uint32_t mm = vsw_field_get_uint(f, mask);
        bool exact = (mm & f->max) == f->max;

        if (f->format == VSW_FF_HEX) {
            int digits = hex_digits(f->max);
            vsw_ofp_buf_printf(b, "0x%0*x", digits, v);
            if (!exact) {
                vsw_ofp_buf_printf(b, "/0x%0*x", digits, mm);
            }
        } else if (exact) {
            vsw_ofp_buf_printf(b, "%u", v);
        } else {
            vsw_ofp_buf_printf(b, "0x%x/0x%x", v, mm);
        }
        break;
    }

    case VSW_FF_MAC:
        vsw_ofp_buf_put_mac(b, k);
        if (!bytes_ones(m, VSW_ETH_ADDR_LEN)) {
            vsw_ofp_buf_printf(b, "/");
            vsw_ofp_buf_put_mac(b, m);
        }
        break;

    case VSW_FF_IPV4: {
        rte_be32_t kv, mv;
        uint32_t hm;

        memcpy(&kv, k, sizeof kv);
        memcpy(&mv, m, sizeof mv);
        hm = rte_be_to_cpu_32(mv);
        vsw_ofp_buf_put_ipv4(b, kv);
        if (hm != UINT32_MAX) {
            uint32_t inv = ~hm;
            if ((inv & (inv + 1)) == 0) {
                vsw_ofp_buf_printf(b, "/%d", __builtin_popcount(hm));
            } else {
                vsw_ofp_buf_printf(b, "/");
                vsw_ofp_buf_put_ipv4(b, mv);
            }
        }
        break;
    }

    case VSW_FF_IPV6: {
        int plen = ipv6_mask_cidr_len(m);

        vsw_ofp_buf_put_ipv6(b, k);
        if (plen < 0) {
            vsw_ofp_buf_printf(b, "/");
            vsw_ofp_buf_put_ipv6(b, m);
        } else if (plen < 128) {
            vsw_ofp_buf_printf(b, "/%d", plen);
        }
        break;
    }

    case VSW_FF_FRAG:
    case VSW_FF_TCP_FLAGS:
        /* Printed by their users (ofp_match_format.c), which know the words. */
        break;
    }
}
