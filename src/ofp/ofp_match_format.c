/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printing a match the way `ovs-ofctl -O OpenFlow13 dump-flows` does:
 * protocol shorthands first ("tcp"), then the fields in OVS's order, masks
 * as prefix lengths where they are CIDR masks.
 */

#include "vsw/ofp_parse.h"

#include <string.h>

#include "ofp/ofp_match.h"
#include "vsw/fields.h"

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

/* Appends field 'id' of 'm' as the registry prints it, if it is matched. */
static void
put_field(struct vsw_ofp_buf *b, enum vsw_field_id id, const struct vsw_match *m)
{
    vsw_field_put(b, 0, vsw_field_get(id), NULL, &m->key, &m->mask);
}

static void
put_tcp_flags(struct vsw_ofp_buf *b, size_t start, uint16_t flags, uint16_t mask)
{
    put_item(b, start, vsw_field_get(VSW_F_TCP_FLAGS)->name);
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
            put_item(b, start, vsw_field_get(VSW_F_DL_VLAN)->name);
            vsw_ofp_buf_printf(b, "%u", tci & VSW_VLAN_VID_MASK);
        }
        if (pcp_mask) {
            put_item(b, start, vsw_field_get(VSW_F_VLAN_PCP)->name);
            vsw_ofp_buf_printf(b, "%u", tci >> VSW_VLAN_PCP_SHIFT);
        }
    } else if (mask == UINT16_MAX) {
        put_item(b, start, vsw_field_get(VSW_F_VLAN_TCI)->name);
        vsw_ofp_buf_printf(b, "0x%04x", tci);
    } else {
        put_item(b, start, vsw_field_get(VSW_F_VLAN_TCI)->name);
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

    /* The pipeline fields, where OVS prints them: registers (an xreg is
     * the pair of registers it is made of), then metadata. */
    for (int i = 0; i < VSW_N_REGS; i++) {
        uint32_t rv = rte_be_to_cpu_32(m->pkey.regs[i]);
        uint32_t rm = rte_be_to_cpu_32(m->pmask.regs[i]);

        if (rm) {
            vsw_ofp_buf_printf(&b, "%sreg%d=%#x", b.len > start ? "," : "", i, rv);
            if (rm != UINT32_MAX) {
                vsw_ofp_buf_printf(&b, "/%#x", rm);
            }
        }
    }
    if (m->pmask.metadata) {
        uint64_t mv = rte_be_to_cpu_64(m->pkey.metadata);
        uint64_t mm = rte_be_to_cpu_64(m->pmask.metadata);

        vsw_ofp_buf_printf(&b, "%smetadata=%#llx", b.len > start ? "," : "",
                           (unsigned long long) mv);
        if (mm != UINT64_MAX) {
            vsw_ofp_buf_printf(&b, "/%#llx", (unsigned long long) mm);
        }
    }

    put_field(&b, VSW_F_IN_PORT, m);
    put_vlan(&b, start, rte_be_to_cpu_16(k->vlan_tci), rte_be_to_cpu_16(mk->vlan_tci));
    put_field(&b, VSW_F_ETH_SRC, m);
    put_field(&b, VSW_F_ETH_DST, m);
    if (!skip_type) {
        put_field(&b, VSW_F_ETH_TYPE, m);
    }

    if (is_ipv6) {
        put_field(&b, VSW_F_IPV6_SRC, m);
        put_field(&b, VSW_F_IPV6_DST, m);
        put_field(&b, VSW_F_IPV6_LABEL, m);
    } else if (is_arp) {
        put_field(&b, VSW_F_ARP_SPA, m);
        put_field(&b, VSW_F_ARP_TPA, m);
    } else {
        put_field(&b, VSW_F_IPV4_SRC, m);
        put_field(&b, VSW_F_IPV4_DST, m);
    }
    if (!skip_proto) {
        put_field(&b, is_arp ? VSW_F_ARP_OP : VSW_F_IP_PROTO, m);
    }
    if (is_arp) {
        put_field(&b, VSW_F_ARP_SHA, m);
        put_field(&b, VSW_F_ARP_THA, m);
    }
    if (mk->nw_tos & VSW_IP_DSCP_MASK) {
        put_item(&b, start, vsw_field_get(VSW_F_NW_TOS)->name);
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_DSCP_MASK);
    }
    if (mk->nw_tos & VSW_IP_ECN_MASK) {
        put_item(&b, start, vsw_field_get(VSW_F_IP_ECN)->name);
        vsw_ofp_buf_printf(&b, "%u", k->nw_tos & VSW_IP_ECN_MASK);
    }
    put_field(&b, VSW_F_NW_TTL, m);
    switch (mk->nw_frag & VSW_FRAG_MASK) {
    case VSW_FRAG_ANY | VSW_FRAG_LATER:
        put_item(&b, start, vsw_field_get(VSW_F_IP_FRAG)->name);
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY
                           ? (k->nw_frag & VSW_FRAG_LATER ? "later" : "first")
                           : (k->nw_frag & VSW_FRAG_LATER ? "<error>" : "no"));
        break;
    case VSW_FRAG_ANY:
        put_item(&b, start, vsw_field_get(VSW_F_IP_FRAG)->name);
        vsw_ofp_buf_printf(&b, "%s", k->nw_frag & VSW_FRAG_ANY ? "yes" : "no");
        break;
    case VSW_FRAG_LATER:
        put_item(&b, start, vsw_field_get(VSW_F_IP_FRAG)->name);
        vsw_ofp_buf_printf(&b, "%s",
                           k->nw_frag & VSW_FRAG_LATER ? "later" : "not_later");
        break;
    }
    if (is_ipv4 && k->nw_proto == VSW_IPPROTO_ICMP) {
        put_field(&b, VSW_F_ICMP_TYPE, m);
        put_field(&b, VSW_F_ICMP_CODE, m);
    } else if (is_ipv6 && k->nw_proto == VSW_IPPROTO_ICMPV6) {
        put_field(&b, VSW_F_ICMP_TYPE, m);
        put_field(&b, VSW_F_ICMP_CODE, m);
        put_field(&b, VSW_F_ND_TARGET, m);
        put_field(&b, VSW_F_ND_SLL, m);
        put_field(&b, VSW_F_ND_TLL, m);
    } else {
        put_field(&b, VSW_F_TCP_SRC, m);
        put_field(&b, VSW_F_TCP_DST, m);
    }
    if ((is_ipv4 || is_ipv6) && k->nw_proto == VSW_IPPROTO_TCP && mk->tcp_flags) {
        put_tcp_flags(&b, start, rte_be_to_cpu_16(k->tcp_flags),
                      rte_be_to_cpu_16(mk->tcp_flags) & VSW_TCP_FLAGS_MASK);
    }

    return b.len > INT32_MAX ? INT32_MAX : (int) b.len;
}
