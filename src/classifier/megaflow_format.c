/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Printing megaflows in the datapath key format that OVS users know from
 * `ovs-appctl dpctl/dump-flows`:
 *
 *   in_port(1),eth(src=..,dst=..),eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,
 *   proto=17,frag=no),udp(dst=53), packets:12, bytes:768, used:0.4s, actions:2
 *
 * A field appears only if some bit of it is matched; "/mask" follows a field
 * that is only partly matched.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "classifier/megaflow_format.h"
#include "vsw/ofp_parse.h"

static bool
nonzero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return true;
        }
    }
    return false;
}

static bool
all_ones(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* Appends ",name=value[/mask]" (or without the comma if first). */
struct group {
    struct vsw_buf *b;
    bool any;
};

static void
sep(struct group *g, const char *name)
{
    vsw_buf_printf(g->b, "%s%s=", g->any ? "," : "", name);
    g->any = true;
}

static void
put_mac(struct group *g, const char *name, const uint8_t *v, const uint8_t *m)
{
    if (!nonzero(m, 6)) {
        return;
    }
    sep(g, name);
    vsw_buf_printf(g->b, "%02x:%02x:%02x:%02x:%02x:%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
    if (!all_ones(m, 6)) {
        vsw_buf_printf(g->b, "/%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                       m[5]);
    }
}

static void
put_ip4(struct group *g, const char *name, rte_be32_t v, rte_be32_t m)
{
    char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
    if (!m) {
        return;
    }
    sep(g, name);
    inet_ntop(AF_INET, &v, a, sizeof a);
    vsw_buf_printf(g->b, "%s", a);
    if (m != UINT32_MAX) {
        inet_ntop(AF_INET, &m, b, sizeof b);
        vsw_buf_printf(g->b, "/%s", b);
    }
}

static void
put_ip6(struct group *g, const char *name, const uint8_t *v, const uint8_t *m)
{
    char a[INET6_ADDRSTRLEN];
    if (!nonzero(m, 16)) {
        return;
    }
    sep(g, name);
    inet_ntop(AF_INET6, v, a, sizeof a);
    vsw_buf_printf(g->b, "%s", a);
    if (!all_ones(m, 16)) {
        inet_ntop(AF_INET6, m, a, sizeof a);
        vsw_buf_printf(g->b, "/%s", a);
    }
}

static void
put_uint(struct group *g, const char *name, uint32_t v, uint32_t m, uint32_t full, bool hex)
{
    if (!m) {
        return;
    }
    sep(g, name);
    vsw_buf_printf(g->b, hex ? "0x%" PRIx32 : "%" PRIu32, v);
    if (m != full) {
        vsw_buf_printf(g->b, "/0x%" PRIx32, m);
    }
}

static void
put_frag(struct group *g, uint8_t v, uint8_t m)
{
    if (!(m & VSW_FRAG_MASK)) {
        return;
    }
    sep(g, "frag");
    if ((m & VSW_FRAG_MASK) == VSW_FRAG_MASK) {
        vsw_buf_printf(g->b, "%s", !(v & VSW_FRAG_ANY) ? "no"
                                   : (v & VSW_FRAG_LATER) ? "later" : "first");
    } else if (m & VSW_FRAG_ANY) {
        vsw_buf_printf(g->b, "%s", v & VSW_FRAG_ANY ? "yes" : "no");
    } else {
        vsw_buf_printf(g->b, "%s", v & VSW_FRAG_LATER ? "later" : "not_later");
    }
}

static void
open_group(struct vsw_buf *b, struct group *g, const char *name)
{
    vsw_buf_printf(b, ",%s(", name);
    g->b = b;
    g->any = false;
}

void
vsw_megaflow_format_key(const struct vsw_flow *k, const struct vsw_flow *m, struct vsw_buf *b)
{
    struct group g;
    uint16_t dl_type = rte_be_to_cpu_16(k->dl_type);

    vsw_buf_printf(b, "in_port(%" PRIu32 ")", k->in_port);
    if (nonzero(m->dl_src, 6) || nonzero(m->dl_dst, 6)) {
        open_group(b, &g, "eth");
        put_mac(&g, "src", k->dl_src, m->dl_src);
        put_mac(&g, "dst", k->dl_dst, m->dl_dst);
        vsw_buf_printf(b, ")");
    }
    if (m->vlan_tci) {
        uint16_t v = rte_be_to_cpu_16(k->vlan_tci), mm = rte_be_to_cpu_16(m->vlan_tci);
        if ((mm & VSW_VLAN_CFI) && !(v & VSW_VLAN_CFI)) {
            vsw_buf_printf(b, ",vlan(none)");
        } else {
            open_group(b, &g, "vlan");
            put_uint(&g, "vid", v & VSW_VLAN_VID_MASK, mm & VSW_VLAN_VID_MASK, VSW_VLAN_VID_MASK,
                     false);
            put_uint(&g, "pcp", v >> VSW_VLAN_PCP_SHIFT, mm >> VSW_VLAN_PCP_SHIFT, 7, false);
            if (!g.any) {
                vsw_buf_printf(b, "tagged");
            }
            vsw_buf_printf(b, ")");
        }
    }
    if (m->dl_type) {
        vsw_buf_printf(b, ",eth_type(0x%04x", dl_type);
        if (m->dl_type != UINT16_MAX) {
            vsw_buf_printf(b, "/0x%04x", rte_be_to_cpu_16(m->dl_type));
        }
        vsw_buf_printf(b, ")");
    }
    bool l3 = m->dl_type == UINT16_MAX;
    if (l3 && dl_type == VSW_ETH_TYPE_IP) {
        open_group(b, &g, "ipv4");
        put_ip4(&g, "src", k->nw_src, m->nw_src);
        put_ip4(&g, "dst", k->nw_dst, m->nw_dst);
        put_uint(&g, "proto", k->nw_proto, m->nw_proto, 0xff, false);
        put_uint(&g, "tos", k->nw_tos, m->nw_tos, 0xff, true);
        put_uint(&g, "ttl", k->nw_ttl, m->nw_ttl, 0xff, false);
        put_frag(&g, k->nw_frag, m->nw_frag);
        vsw_buf_printf(b, ")");
    } else if (l3 && dl_type == VSW_ETH_TYPE_IPV6) {
        open_group(b, &g, "ipv6");
        put_ip6(&g, "src", k->ipv6_src, m->ipv6_src);
        put_ip6(&g, "dst", k->ipv6_dst, m->ipv6_dst);
        put_uint(&g, "label", rte_be_to_cpu_32(k->ipv6_label), rte_be_to_cpu_32(m->ipv6_label),
                 0xfffff, true);
        put_uint(&g, "proto", k->nw_proto, m->nw_proto, 0xff, false);
        put_uint(&g, "tclass", k->nw_tos, m->nw_tos, 0xff, true);
        put_uint(&g, "hlimit", k->nw_ttl, m->nw_ttl, 0xff, false);
        put_frag(&g, k->nw_frag, m->nw_frag);
        vsw_buf_printf(b, ")");
    } else if (l3 && (dl_type == VSW_ETH_TYPE_ARP || dl_type == VSW_ETH_TYPE_RARP)) {
        open_group(b, &g, "arp");
        put_ip4(&g, "sip", k->nw_src, m->nw_src);
        put_ip4(&g, "tip", k->nw_dst, m->nw_dst);
        put_uint(&g, "op", k->nw_proto, m->nw_proto, 0xff, false);
        put_mac(&g, "sha", k->arp_sha, m->arp_sha);
        put_mac(&g, "tha", k->arp_tha, m->arp_tha);
        vsw_buf_printf(b, ")");
        return;
    } else {
        return;
    }
    if (m->nw_proto != 0xff) {
        return;
    }
    const char *l4 = NULL;
    switch (k->nw_proto) {
    case VSW_IPPROTO_TCP: l4 = "tcp"; break;
    case VSW_IPPROTO_UDP: l4 = "udp"; break;
    case VSW_IPPROTO_SCTP: l4 = "sctp"; break;
    case VSW_IPPROTO_ICMP: l4 = "icmp"; break;
    case VSW_IPPROTO_ICMPV6: l4 = "icmpv6"; break;
    default: return;
    }
    if (m->tp_src || m->tp_dst) {
        bool icmp = k->nw_proto == VSW_IPPROTO_ICMP || k->nw_proto == VSW_IPPROTO_ICMPV6;
        open_group(b, &g, l4);
        put_uint(&g, icmp ? "type" : "src", rte_be_to_cpu_16(k->tp_src),
                 rte_be_to_cpu_16(m->tp_src), 0xffff, false);
        put_uint(&g, icmp ? "code" : "dst", rte_be_to_cpu_16(k->tp_dst),
                 rte_be_to_cpu_16(m->tp_dst), 0xffff, false);
        vsw_buf_printf(b, ")");
    }
    if (k->nw_proto == VSW_IPPROTO_TCP && m->tcp_flags) {
        vsw_buf_printf(b, ",tcp_flags(0x%03x", rte_be_to_cpu_16(k->tcp_flags));
        if (rte_be_to_cpu_16(m->tcp_flags) != VSW_TCP_FLAGS_MASK) {
            vsw_buf_printf(b, "/0x%03x", rte_be_to_cpu_16(m->tcp_flags));
        }
        vsw_buf_printf(b, ")");
    }
    if (k->nw_proto == VSW_IPPROTO_ICMPV6
        && (nonzero(m->nd_target, 16) || nonzero(m->arp_sha, 6) || nonzero(m->arp_tha, 6))) {
        open_group(b, &g, "nd");
        put_ip6(&g, "target", k->nd_target, m->nd_target);
        put_mac(&g, "sll", k->arp_sha, m->arp_sha);
        put_mac(&g, "tll", k->arp_tha, m->arp_tha);
        vsw_buf_printf(b, ")");
    }
}

void
vsw_megaflow_format(const struct vsw_mf_dump *e, uint64_t now_tsc, uint64_t hz,
                    struct vsw_buf *b)
{
    vsw_megaflow_format_key(&e->key, &e->mask, b);
    vsw_buf_printf(b, ", packets:%" PRIu64 ", bytes:%" PRIu64 ", used:", e->packets, e->bytes);
    if (e->packets) {
        /* The PMD's TSC may run slightly ahead of ours: clamp at 0. */
        uint64_t ms = now_tsc > e->used_tsc ? (now_tsc - e->used_tsc) * 1000 / hz : 0;
        vsw_buf_printf(b, "%" PRIu64 ".%03" PRIu64 "s", ms / 1000, ms % 1000);
    } else {
        vsw_buf_printf(b, "never");
    }
    vsw_buf_printf(b, ", actions:");
    vsw_odp_format(e->acts, e->acts_len, b);
    vsw_buf_printf(b, "\n");
}
