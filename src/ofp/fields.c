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

/* A pipeline field: stored in struct vsw_pipe, any bits maskable, printed in
 * hex, written by load/set_field/move (VSW_ACT_LOAD). */
#define PFIELD(ID, NAME, MEMBER, WIDTH)                                              \
    [VSW_F_##ID] = { VSW_F_##ID, NAME, offsetof(struct vsw_pipe, MEMBER), WIDTH, WIDTH, \
                     VSW_FF_HEX, VSW_FP_NONE, true, UINT32_MAX, VSW_ACT_LOAD,        \
                     VSW_FP_NONE, 0, true }

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
    PFIELD(METADATA, "metadata", metadata, 8),
    PFIELD(REG0 + 0, "reg0", regs[0], 4), PFIELD(REG0 + 1, "reg1", regs[1], 4),
    PFIELD(REG0 + 2, "reg2", regs[2], 4), PFIELD(REG0 + 3, "reg3", regs[3], 4),
    PFIELD(REG0 + 4, "reg4", regs[4], 4), PFIELD(REG0 + 5, "reg5", regs[5], 4),
    PFIELD(REG0 + 6, "reg6", regs[6], 4), PFIELD(REG0 + 7, "reg7", regs[7], 4),
    PFIELD(REG0 + 8, "reg8", regs[8], 4), PFIELD(REG0 + 9, "reg9", regs[9], 4),
    PFIELD(REG0 + 10, "reg10", regs[10], 4), PFIELD(REG0 + 11, "reg11", regs[11], 4),
    PFIELD(REG0 + 12, "reg12", regs[12], 4), PFIELD(REG0 + 13, "reg13", regs[13], 4),
    PFIELD(REG0 + 14, "reg14", regs[14], 4), PFIELD(REG0 + 15, "reg15", regs[15], 4),
    PFIELD(XREG0 + 0, "xreg0", regs[0], 8), PFIELD(XREG0 + 1, "xreg1", regs[2], 8),
    PFIELD(XREG0 + 2, "xreg2", regs[4], 8), PFIELD(XREG0 + 3, "xreg3", regs[6], 8),
    PFIELD(XREG0 + 4, "xreg4", regs[8], 8), PFIELD(XREG0 + 5, "xreg5", regs[10], 8),
    PFIELD(XREG0 + 6, "xreg6", regs[12], 8), PFIELD(XREG0 + 7, "xreg7", regs[14], 8),
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
    { "metadata", VSW_F_METADATA, true },
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
    { "reg0", VSW_F_REG0 + 0, true },
    { "reg1", VSW_F_REG0 + 1, true },
    { "reg10", VSW_F_REG0 + 10, true },
    { "reg11", VSW_F_REG0 + 11, true },
    { "reg12", VSW_F_REG0 + 12, true },
    { "reg13", VSW_F_REG0 + 13, true },
    { "reg14", VSW_F_REG0 + 14, true },
    { "reg15", VSW_F_REG0 + 15, true },
    { "reg2", VSW_F_REG0 + 2, true },
    { "reg3", VSW_F_REG0 + 3, true },
    { "reg4", VSW_F_REG0 + 4, true },
    { "reg5", VSW_F_REG0 + 5, true },
    { "reg6", VSW_F_REG0 + 6, true },
    { "reg7", VSW_F_REG0 + 7, true },
    { "reg8", VSW_F_REG0 + 8, true },
    { "reg9", VSW_F_REG0 + 9, true },
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
    { "xreg0", VSW_F_XREG0 + 0, true },
    { "xreg1", VSW_F_XREG0 + 1, true },
    { "xreg2", VSW_F_XREG0 + 2, true },
    { "xreg3", VSW_F_XREG0 + 3, true },
    { "xreg4", VSW_F_XREG0 + 4, true },
    { "xreg5", VSW_F_XREG0 + 5, true },
    { "xreg6", VSW_F_XREG0 + 6, true },
    { "xreg7", VSW_F_XREG0 + 7, true },
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

/* ---- Field values and bit ranges (load, move, select hashes). ---- */

void
vsw_field_get_value(const struct vsw_field *f, const struct vsw_flow *flow,
                    const struct vsw_pipe *pipe, uint8_t value[16])
{
    const uint8_t *p = vsw_field_cstorage(f, flow, pipe);
    uint16_t tci = rte_be_to_cpu_16(flow->vlan_tci);
    uint32_t v32 = 0;
    bool small = true;

    memset(value, 0, 16);
    switch (f->id) {
    case VSW_F_IN_PORT:
        v32 = flow->in_port;
        break;
    case VSW_F_VLAN_TCI:
        v32 = tci;
        break;
    case VSW_F_DL_VLAN:
        v32 = tci & VSW_VLAN_VID_MASK;
        break;
    case VSW_F_VLAN_VID:
        v32 = tci & (VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
        break;
    case VSW_F_VLAN_PCP:
        v32 = (tci & VSW_VLAN_PCP_MASK) >> VSW_VLAN_PCP_SHIFT;
        break;
    case VSW_F_NW_TOS:
        v32 = flow->nw_tos & VSW_IP_DSCP_MASK;
        break;
    case VSW_F_IP_DSCP:
        v32 = (flow->nw_tos & VSW_IP_DSCP_MASK) >> 2;
        break;
    case VSW_F_IP_ECN:
        v32 = flow->nw_tos & VSW_IP_ECN_MASK;
        break;
    case VSW_F_ARP_OP:
        v32 = flow->nw_proto;
        break;
    case VSW_F_ICMP_TYPE:
    case VSW_F_ICMP_CODE:
        v32 = rte_be_to_cpu_16(f->id == VSW_F_ICMP_TYPE ? flow->tp_src : flow->tp_dst);
        break;
    default:
        small = false;
        break;
    }
    if (small) {
        for (unsigned i = 0; i < f->width && i < 4; i++) {
            value[f->width - 1 - i] = (uint8_t) (v32 >> (8 * i));
        }
        return;
    }
    /* Stored exactly as the OXM value (network order, f->width bytes). */
    memcpy(value, p + (f->n_storage - f->width), f->width);
}

void
vsw_field_wildcard(const struct vsw_field *f, struct vsw_flow *mask)
{
    uint8_t *p;

    if (f->pipe) {
        return;
    }
    p = (uint8_t *) mask + f->offset;
    switch (f->id) {
    case VSW_F_IN_PORT:
        mask->in_port = UINT32_MAX;
        return;
    case VSW_F_VLAN_VID:
    case VSW_F_DL_VLAN:
        mask->vlan_tci |= rte_cpu_to_be_16(VSW_VLAN_VID_MASK | VSW_VLAN_CFI);
        return;
    case VSW_F_VLAN_PCP:
        mask->vlan_tci |= rte_cpu_to_be_16(VSW_VLAN_PCP_MASK | VSW_VLAN_CFI);
        return;
    case VSW_F_NW_TOS:
    case VSW_F_IP_DSCP:
        mask->nw_tos |= VSW_IP_DSCP_MASK;
        return;
    case VSW_F_IP_ECN:
        mask->nw_tos |= VSW_IP_ECN_MASK;
        return;
    default:
        memset(p, 0xff, f->n_storage);
        return;
    }
}

uint64_t
vsw_bits_get(const uint8_t *value, unsigned width, unsigned ofs, unsigned n)
{
    uint64_t bits = 0;

    for (unsigned i = 0; i < n; i++) {
        unsigned b = ofs + i;
        unsigned byte = width - 1 - b / 8;

        bits |= (uint64_t) ((value[byte] >> (b % 8)) & 1) << i;
    }
    return bits;
}

void
vsw_bits_set(uint8_t *value, unsigned width, unsigned ofs, unsigned n, uint64_t bits)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned b = ofs + i;
        unsigned byte = width - 1 - b / 8;
        uint8_t bit = (uint8_t) (1u << (b % 8));

        if ((bits >> i) & 1) {
            value[byte] |= bit;
        } else {
            value[byte] &= (uint8_t) ~bit;
        }
    }
}
