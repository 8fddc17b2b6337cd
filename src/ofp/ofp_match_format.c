/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printing a match the way `ovs-ofctl -O OpenFlow13 dump-flows` does:
 * protocol shorthands first ("tcp"), then the fields in OVS's order, masks
 * as prefix lengths where they are CIDR masks.
 */

#include "vsw/ofp_parse.h"

#include <string.h>

#include "ofp/ofp_match.h"

/* Starts a new "name=" item, with a comma if something came before. */
static void
put_item(struct vsw_ofp_buf *b, size_t start, const char *name)
{
    vsw_ofp_buf_printf(b, "%s%s=", b->len > start ? "," : "", name);
}

/* Appends a bare word item such as "tcp". */
static void
put_word(struct vsw_ofp_buf *b, size_t start, const char *word)
{
    vsw_ofp_buf_printf(b, "%s%s", b->len > start ? "," : "", word);
}

static void
put_mac_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
               const uint8_t *key, const uint8_t *mask)
{
    static const uint8_t ones[VSW_ETH_ADDR_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (ofp_bytes_zero(mask, VSW_ETH_ADDR_LEN)) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_mac(b, key);
    if (memcmp(mask, ones, VSW_ETH_ADDR_LEN)) {
        vsw_ofp_buf_printf(b, "/");
        vsw_ofp_buf_put_mac(b, mask);
    }
}

static void
put_ipv4_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                rte_be32_t key, rte_be32_t mask)
{
    uint32_t m = rte_be_to_cpu_32(mask);

    if (!m) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_ipv4(b, key);
    if (m != UINT32_MAX) {
        if (ofp_ipv4_mask_is_cidr(m)) {
            vsw_ofp_buf_printf(b, "/%d", __builtin_popcount(m));
        } else {
            vsw_ofp_buf_printf(b, "/");
            vsw_ofp_buf_put_ipv4(b, mask);
        }
    }
}

static void
put_ipv6_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                const uint8_t *key, const uint8_t *mask)
{
    int plen;

    if (ofp_bytes_zero(mask, 16)) {
        return;
    }
    put_item(b, start, name);
    vsw_ofp_buf_put_ipv6(b, key);
    plen = ofp_ipv6_mask_cidr_len(mask);
    if (plen < 0) {
        vsw_ofp_buf_printf(b, "/");
        vsw_ofp_buf_put_ipv6(b, mask);
    } else if (plen < 128) {
        vsw_ofp_buf_printf(b, "/%d", plen);
    }
}

static void
put_be16_masked(struct vsw_ofp_buf *b, size_t start, const char *name,
                rte_be16_t key, rte_be16_t mask)
{
    uint16_t m = rte_be_to_cpu_16(mask);

    if (!m) {
        return;
    }
    put_item(b, start, name);
    if (m == UINT16_MAX) {
        vsw_ofp_buf_printf(b, "%u", rte_be_to_cpu_16(key));
    } else {
        vsw_ofp_buf_printf(b, "0x%x/0x%x", rte_be_to_cpu_16(key), m);
    }
}

static void
put_tcp_flags(struct vsw_ofp_buf *b, size_t start, uint16_t flags, uint16_t mask)
{
    put_item(b, start, "tcp_flags");
    if (mask == VSW_TCP_FLAGS_MASK) {
        bool first = true;

        if (!flags) {
            vsw_ofp_buf_printf(b, "0");
        }
        for (int bit = 0; bit < 12; bit++) {
            if (flags & (1u << bit)) {
                vsw_ofp_buf_printf(b, "%s%s", first ? "" : "|", ofp_tcp_flag_names[bit]);
                first = false;
            }
        }
    } else {
        for (int bit = 0; bit < 12; bit++) {
            if (mask & (1u << bit)) {
                vsw_ofp_buf_printf(b, "%c%s", flags & (1u << bit) ? '+' : '-',
                                   ofp_tcp_flag_names[bit]);
            }
        }
    }
}

static void
put_vlan(struct vsw_ofp_buf *b, size_t start, uint16_t tci, uint16_t mask)
{
    uint16_t vid_mask = mask & VSW_VLAN_VID_MASK;
    uint16_t pcp_mask = mask & VSW_VLAN_PCP_MASK;

    if (!mask) {
        return;
    }
    if ((mask & VSW_VLAN_CFI) && (tci & VSW_VLAN_CFI)
        && (!vid_mask || vid_mask == VSW_VLAN_VID_MASK)
        && (!pcp_mask || pcp_mask == VSW_VLAN_PCP_MASK)
        && (vid_mask || pcp_mask)) {
        if (vid_mask) {
            put_item(b, start, "dl_vlan");
            vsw_ofp_buf_printf(b, "%u", tci & VSW_VLAN_VID_MASK);
        }
        if (pcp_mask) {
            put_item(b, start, "dl_vlan_pcp");
            vsw_ofp_buf_printf(b, "%u", tci >> VSW_VLAN_PCP_SHIFT);
        }
    } else if (mask == UINT16_MAX) {
        put_item(b, start, "vlan_tci");
        vsw_ofp_buf_printf(b, "0x%04x", tci);
    } else {
        put_item(b, start, "vlan_tci");
        vsw_ofp_buf_printf(b, "0x%04x/0x%04x", tci, mask);
    }
}

int
vsw_match_format(const struct vsw_match *m, int priority, char *buf, size_t size)
{
    const struct vsw_flow *k = &m->key;
    const struct vsw_flow *mk = &m->mask;
    uint16_t dl_type = rte_be_to_cpu_16(k->dl_type);
    bool is_ipv4 = dl_type == VSW_ETH_TYPE_IP;
    bool is_ipv6 = dl_type == VSW_ETH_TYPE_IPV6;
    bool is_arp = dl_type == VSW_ETH_TYPE_ARP || dl_type == VSW_ETH_TYPE_RARP;
    bool skip_type = false, skip_proto = false;
    struct vsw_ofp_buf b;
    const size_t start = 0;

    vsw_ofp_buf_init(&b, buf, size);

    if (priority != VSW_DEFAULT_PRIORITY) {
        put_item(&b, start, "priority");
        vsw_ofp_buf_printf(&b, "%d", priority);
    }

    if (mk->dl_type) {
        const char *shorthand = NULL;

        if (is_ipv4 || is_ipv6) {
            shorthand = is_ipv4 ? "ip" : "ipv6";
            if (mk->nw_proto) {
                skip_proto = true;
                switch (k->nw_proto) {
                case VSW_IPPROTO_TCP:
                    shorthand = is_ipv4 ? "tcp" : "tcp6";
                    break;
                case VSW_IPPROTO_UDP:
                    shorthand = is_ipv4 ? "udp" : "udp6";
                    break;
                case VSW_IPPROTO_SCTP:
                    shorthand = is_ipv4 ? "sctp" : "sctp6";
                    break;
                case VSW_IPPROTO_ICMP:
                    if (is_ipv4) {
                        shorthand = "icmp";
                    } else {
                        skip_proto = false;
                    }
                    break;
                case VSW_IPPROTO_ICMPV6:
                    if (is_ipv6) {
                        shorthand = "icmp6";
                    } else {
                        skip_proto = false;
                    }
                    break;
                default:
                    skip_proto = false;
                    break;
                }
            }
        } else if (dl_type == VSW_ETH_TYPE_ARP) {
            shorthand = "arp";
        } else if (dl_type == VSW_ETH_TYPE_RARP) {
            shorthand = "rarp";
        } else if (dl_type == 0x8847) {
            shorthand = "mpls";
        } else if (dl_type == 0x8848) {
            shorthand = "mplsm";
        }
        if (shorthand) {
            put_word(&b, start, shorthand);
            skip_type = true;
        }
    }

    if (mk->in_port) {
        put_item(&b, start, "in_port");
        vsw_ofp_buf_printf(&b, "%u", k->in_port);
    }
    put_vlan(&b, start, rte_be_to_cpu_16(k->vlan_tci), rte_be_to_cpu_16(mk->vlan_tci));
    put_mac_masked(&b, start, "dl_src", k->dl_src, mk->dl_src);
    put_mac_masked(&b, start, "dl_dst", k->dl_dst, mk->dl_dst);
    if (!skip_type && mk->dl_type) {
        put_item(&b, start, "dl_type");
        vsw_ofp_buf_printf(&b, "0x%04x", dl_type);
    }

    if (is_ipv6) {
        put_ipv6_masked(&b, start, "ipv6_src", k->ipv6_src, mk->ipv6_src);
        put_ipv6_masked(&b, start, "ipv6_dst", k->ipv6_dst, mk->ipv6_dst);
        if (mk->ipv6_label) {
            uint32_t lm = rte_be_to_cpu_32(mk->ipv6_label);
            put_item(&b, start, "ipv6_label");
            vsw_ofp_buf_printf(&b, "0x%05x", rte_be_to_cpu_32(k->ipv6_label));
            if (lm != 0xfffff) {
                vsw_ofp_buf_printf(&b, "/0x%05x", lm);
            }
        }
    } else if (is_arp) {
        put_ipv4_masked(&b, start, "arp_spa", k->nw_src, mk->nw_src);
        put_ipv4_masked(&b, start, "arp_tpa", k->nw_dst, mk->nw_dst);
    } else {
        put_ipv4_masked(&b, start, "nw_src", k->nw_src, mk->nw_src);
        put_ipv4_masked(&b, start, "nw_dst", k->nw_dst, mk->nw_dst);
    }
    if (!skip_proto && mk->nw_proto) {
        put_item(&b, start, is_arp ? "arp_op" : "nw_proto");
        vsw_ofp_buf_printf(&b, "%u", k->nw_proto);
    }
    if (is_arp) {
        put_mac_masked(&b, start, "arp_sha", k->arp_sha, mk->arp_sha);
        put_mac_masked(&b, start, "arp_tha", k->arp_tha, mk->arp_tha);
    }
    if (mk->nw_tos & VSW_IP_DSCP_MASK) {
        put_item(&b, start, "nw_tos");
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_DSCP_MASK);
    }
    if (mk->nw_tos & VSW_IP_ECN_MASK) {
        put_item(&b, start, "nw_ecn");
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_ECN_MASK);
    }
    if (mk->nw_ttl) {
        put_item(&b, start, "nw_ttl");
        vsw_ofp_buf_printf(&b, "%u", k->nw_ttl);
    }
    switch (mk->nw_frag & VSW_FRAG_MASK) {
    case VSW_FRAG_ANY | VSW_FRAG_LATER:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY
                           ? (k->nw_frag & VSW_FRAG_LATER ? "later" : "first")
                           : (k->nw_frag & VSW_FRAG_LATER ? "<error>" : "no"));
        break;
    case VSW_FRAG_ANY:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY ? "yes" : "no");
        break;
    case VSW_FRAG_LATER:
        put_item(&b, start, "nw_frag");
        vsw_ofp_buf_printf(&b, "%s",
                           k->nw_frag & VSW_FRAG_LATER ? "later" : "not_later");
        break;
    }
    if (is_ipv4 && k->nw_proto == VSW_IPPROTO_ICMP) {
        put_be16_masked(&b, start, "icmp_type", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "icmp_code", k->tp_dst, mk->tp_dst);
    } else if (is_ipv6 && k->nw_proto == VSW_IPPROTO_ICMPV6) {
        put_be16_masked(&b, start, "icmp_type", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "icmp_code", k->tp_dst, mk->tp_dst);
        put_ipv6_masked(&b, start, "nd_target", k->nd_target, mk->nd_target);
        put_mac_masked(&b, start, "nd_sll", k->arp_sha, mk->arp_sha);
        put_mac_masked(&b, start, "nd_tll", k->arp_tha, mk->arp_tha);
    } else {
        put_be16_masked(&b, start, "tp_src", k->tp_src, mk->tp_src);
        put_be16_masked(&b, start, "tp_dst", k->tp_dst, mk->tp_dst);
    }
    if ((is_ipv4 || is_ipv6) && k->nw_proto == VSW_IPPROTO_TCP && mk->tcp_flags) {
        put_tcp_flags(&b, start, rte_be_to_cpu_16(k->tcp_flags),
                      rte_be_to_cpu_16(mk->tcp_flags) & VSW_TCP_FLAGS_MASK);
    }

    return b.len > INT32_MAX ? INT32_MAX : (int) b.len;
}
