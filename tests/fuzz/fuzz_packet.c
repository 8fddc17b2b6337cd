/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the packet parser and action execution.
 *
 * The input is one frame (any bytes, up to MAX_FRAME).  It is parsed by
 * vsw_flow_extract(), which must agree exactly with
 * vsw_flow_extract_general() and, where that one answers, with
 * vsw_flow_extract_shallow(); so must the AVX-512 burst parse where the CPU
 * runs it (classifier/flow_burst.h).  vsw_flow_shallow_same() must call the
 * frame the same as a twin changed only in bytes the shallow parse does
 * not read, and may call it the same as a twin changed elsewhere only if
 * the shallow parse answers both alike.  Then every action list of 'lists' below is
 * executed on a copy of the frame, and each output is checked:
 *  - an IPv4 header checksum that was valid stays valid; so does the
 *    TCP/UDP (non-zero)/ICMP/ICMPv6 checksum of an unfragmented packet
 *    (computed here from scratch, not with vsw's helpers);
 *  - from the L3 header on, only the bytes a rewrite may touch (addresses,
 *    TOS, TTL, label, ports and checksums) differ from the input, and the
 *    Ethernet addresses and tags do not change unless the list rewrites them;
 *  - parsing the output gives the input's flow with exactly the fields the
 *    actions set, by a model of OVS's rules written here (which packets
 *    each action applies to);
 *  - every mbuf is returned to the pool.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "actions/execute.h"
#include "classifier/flow_burst.h"
#include "classifier/flow_fast.h"
#include "xlate/xlate.h"
#include "fuzz_eal.h"
#include "vsw/flow.h"

#define MAX_FRAME 2048
#define N_MBUFS 63
#define IN_PORT 1

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rte_mempool *mp;

/* ---- The action lists. ---- */

#define A(t, ...) { .type = VSW_ACT_##t, __VA_ARGS__ }
#define OUT(p) A(OUTPUT, .port = (p))
#define MAC(...) .mac = { __VA_ARGS__ }
#define IP4(a, b, c, d) .be32 = RTE_BE32(((uint32_t) (a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define IP6(...) .ip6 = { __VA_ARGS__ }

struct list {
    const char *name;
    unsigned n;
    struct vsw_action a[12];
};

static const struct list lists[] = {
    { "mod_nw_src/dst", 3, { A(SET_IPV4_SRC, IP4(192, 0, 2, 1)), A(SET_IPV4_DST, IP4(10, 9, 8, 7)),
                             OUT(2) } },
    { "mod_tp_src/dst", 3, { A(SET_L4_SRC, .be16 = RTE_BE16(4321)),
                             A(SET_L4_DST, .be16 = RTE_BE16(8080)), OUT(2) } },
    { "ipv6 src/dst/label", 4, { A(SET_IPV6_SRC, IP6(0x20, 0x01, 0x0d, 0xb8, [15] = 1)),
                                 A(SET_IPV6_DST, IP6(0xfe, 0x80, [14] = 0xab, [15] = 0xcd)),
                                 A(SET_IPV6_LABEL, .be32 = RTE_BE32(0x54321)), OUT(2) } },
    { "dec_ttl", 2, { A(DEC_TTL), OUT(2) } },
    { "mod_dl_src/dst", 3, { A(SET_ETH_SRC, MAC(0x02, 0, 0, 0, 0, 1)),
                             A(SET_ETH_DST, MAC(0x02, 0, 0, 0, 0, 2)), OUT(2) } },
    { "push_vlan+vid+pcp", 4, { A(PUSH_VLAN, .be16 = RTE_BE16(0x8100)), A(SET_VLAN_VID, .u16 = 100),
                                A(SET_VLAN_PCP, .u8 = 5), OUT(2) } },
    { "pop_vlan", 2, { A(POP_VLAN), OUT(2) } },
    { "mod_vlan_vid/pcp", 3, { A(SET_VLAN_VID, .u16 = 7), A(SET_VLAN_PCP, .u8 = 2), OUT(2) } },
    { "tos/ecn/ttl", 4, { A(SET_IP_DSCP, .u8 = 0x28), A(SET_IP_ECN, .u8 = 3),
                          A(SET_IP_TTL, .u8 = 9), OUT(2) } },
    { "everything", 12, { A(DEC_TTL), A(SET_ETH_DST, MAC(0x02, 0, 0, 0, 0, 9)),
                          A(SET_IPV4_DST, IP4(172, 16, 0, 1)),
                          A(SET_IPV6_SRC, IP6(0xfd, [15] = 7)), A(SET_L4_DST, .be16 = RTE_BE16(53)),
                          A(SET_L4_SRC, .be16 = RTE_BE16(0)), A(SET_IP_ECN, .u8 = 1),
                          A(SET_IP_DSCP, .u8 = 0xfc), A(SET_IPV6_LABEL, .be32 = RTE_BE32(1)),
                          A(SET_IPV4_SRC, IP4(0, 0, 0, 0)), A(SET_IP_TTL, .u8 = 200), OUT(2) } },
    /* Several outputs: the copies, each with the rewrites made so far. */
    { "outputs", 7, { A(SET_IPV4_SRC, IP4(1, 2, 3, 4)), OUT(2), A(SET_L4_DST, .be16 = RTE_BE16(1)),
                      OUT(3), A(SET_IPV6_DST, IP6([0] = 0xff, [15] = 2)), A(ALL), A(IN_PORT) } },
    { "qinq push", 3, { A(PUSH_VLAN, .be16 = RTE_BE16(0x88a8)), A(PUSH_VLAN, .be16 = RTE_BE16(0x8100)),
                        OUT(2) } },
};
#define N_LISTS (sizeof lists / sizeof lists[0])

static bool
list_has(const struct list *l, enum vsw_action_type t)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (l->a[i].type == t) {
            return true;
        }
    }
    return false;
}

static bool
list_has_vlan_op(const struct list *l)
{
    return list_has(l, VSW_ACT_PUSH_VLAN) || list_has(l, VSW_ACT_POP_VLAN)
           || list_has(l, VSW_ACT_SET_VLAN_VID) || list_has(l, VSW_ACT_SET_VLAN_PCP);
}

static bool
list_has_l3_op(const struct list *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        switch (l->a[i].type) {
        case VSW_ACT_SET_IPV4_SRC: case VSW_ACT_SET_IPV4_DST: case VSW_ACT_SET_IP_DSCP:
        case VSW_ACT_SET_IP_ECN: case VSW_ACT_SET_IP_TTL: case VSW_ACT_DEC_TTL:
        case VSW_ACT_SET_L4_SRC: case VSW_ACT_SET_L4_DST: case VSW_ACT_SET_IPV6_SRC:
        case VSW_ACT_SET_IPV6_DST: case VSW_ACT_SET_IPV6_LABEL:
            return true;
        default:
            break;
        }
    }
    return false;
}

/* ---- Independent checksums. ---- */

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (n & 1) {
        sum += (uint32_t) p[n - 1] << 8;
    }
    return sum;
}

static bool
folds_to_ones(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum == 0xffff;
}

/* Which checksums of the IP packet at 'ip' ('avail' bytes to the end of the
 * frame) are valid: bit 0 the IPv4 header's, bit 1 the L4 one's. */
static unsigned
valid_csums(const uint8_t *ip, size_t avail, bool v6)
{
    unsigned ok = 0;

    if (!v6) {
        if (avail < 20 || ip[0] >> 4 != 4) {
            return 0;
        }
        size_t ihl = (ip[0] & 15) * 4u, tot = get16(ip + 2);
        if (ihl < 20 || ihl > avail) {
            return 0;
        }
        ok |= folds_to_ones(sum16(ip, ihl, 0));
        if (tot < ihl || tot > avail || (get16(ip + 6) & 0x3fff)) {
            return ok;
        }
        const uint8_t *l4 = ip + ihl;
        size_t l4len = tot - ihl;
        uint32_t ps = sum16(ip + 12, 8, 0) + ip[9] + (uint32_t) l4len;
        if ((ip[9] == VSW_IPPROTO_TCP && l4len >= 20)
            || (ip[9] == VSW_IPPROTO_UDP && l4len >= 8 && get16(l4 + 6))) {
            ok |= folds_to_ones(sum16(l4, l4len, ps)) << 1;
        } else if (ip[9] == VSW_IPPROTO_ICMP && l4len >= 4) {
            ok |= folds_to_ones(sum16(l4, l4len, 0)) << 1;
        }
        return ok;
    }
    /* IPv6 without extension headers only: with a routing header the
     * pseudo-header holds the final destination, with a fragment header the
     * checksum covers the reassembled packet. */
    if (avail < 40 || ip[0] >> 4 != 6) {
        return 0;
    }
    size_t plen = get16(ip + 4);
    if (plen + 40 > avail) {
        return 0;
    }
    const uint8_t *l4 = ip + 40;
    uint32_t ps = sum16(ip + 8, 32, 0) + ip[6] + (uint32_t) plen;
    /* A zero UDP checksum is "none" for IPv6 too, as in OVS's datapath,
     * even where the sum happens to come out right. */
    if ((ip[6] == VSW_IPPROTO_TCP && plen >= 20)
        || (ip[6] == VSW_IPPROTO_UDP && plen >= 8 && get16(l4 + 6))
        || (ip[6] == VSW_IPPROTO_ICMPV6 && plen >= 4)) {
        ok |= folds_to_ones(sum16(l4, plen, ps)) << 1;
    }
    return ok;
}

/* ---- The model: what parsing the output must give. ---- */

static bool
is_vlan_type(const uint8_t *frame, size_t len, size_t ofs)
{
    return len >= ofs + 2 && (get16(frame + ofs) == VSW_ETH_TYPE_VLAN
                              || get16(frame + ofs) == VSW_ETH_TYPE_VLAN_8021AD);
}

/* Applies the actions of 'l' up to its first output to 'e', the input's
 * flow.  Returns false if the model cannot say what parsing the output
 * gives (the VLAN tags change in a way the one-tag parser does not show),
 * and sets '*dropped' if the list ends before its output. */
static bool
model(const struct list *l, const uint8_t *frame, size_t len, const struct vsw_layout *lay,
      struct vsw_flow *e, bool *dropped)
{
    bool ip4 = e->dl_type == RTE_BE16(VSW_ETH_TYPE_IP);
    bool ip6 = e->dl_type == RTE_BE16(VSW_ETH_TYPE_IPV6);
    /* OVS writes no L3/L4 field of a packet whose flow has nw_proto 0 ("no
     * L3 header" to its commit code), even a valid IPv4 header of
     * protocol 0; vsw does the same. */
    bool l3ok = (ip4 || ip6) && lay->l4_ofs != VSW_OFS_NONE && e->nw_proto;
    bool tagged = is_vlan_type(frame, len, 12) && len >= 18;
    size_t l4len = l3ok ? (size_t) (lay->l3_end - lay->l4_ofs) : 0;
    const uint8_t *l4 = frame + (l3ok ? lay->l4_ofs : 0);
    bool ports = false;

    *dropped = false;
    if (l3ok && !(e->nw_frag & VSW_FRAG_LATER)) {
        ports = (e->nw_proto == VSW_IPPROTO_TCP && l4len >= 20 && (l4[12] >> 4) * 4u >= 20
                 && (l4[12] >> 4) * 4u <= l4len)
                || (e->nw_proto == VSW_IPPROTO_UDP && l4len >= 8)
                || (e->nw_proto == VSW_IPPROTO_SCTP && l4len >= 12);
    }
    for (unsigned i = 0; i < l->n; i++) {
        const struct vsw_action *a = &l->a[i];
        switch ((enum vsw_action_type) a->type) {
        case VSW_ACT_OUTPUT: case VSW_ACT_ALL: case VSW_ACT_IN_PORT:
            return true;
        case VSW_ACT_NORMAL: case VSW_ACT_FLOOD:
            /* Their VLAN processing (a VID-0 tag removed, access tags) is
             * not modelled here: the L2 differential test checks it. */
            return false;
        case VSW_ACT_SET_ETH_SRC:
            if (len >= 14) {
                memcpy(e->dl_src, a->mac, 6);
            }
            break;
        case VSW_ACT_SET_ETH_DST:
            if (len >= 14) {
                memcpy(e->dl_dst, a->mac, 6);
            }
            break;
        case VSW_ACT_SET_IPV4_SRC:
            e->nw_src = ip4 && l3ok ? a->be32 : e->nw_src;
            break;
        case VSW_ACT_SET_IPV4_DST:
            e->nw_dst = ip4 && l3ok ? a->be32 : e->nw_dst;
            break;
        case VSW_ACT_SET_IP_DSCP:
            if (l3ok) {
                e->nw_tos = (uint8_t) ((e->nw_tos & ~VSW_IP_DSCP_MASK) | a->u8);
            }
            break;
        case VSW_ACT_SET_IP_ECN:
            if (l3ok) {
                e->nw_tos = (uint8_t) ((e->nw_tos & ~VSW_IP_ECN_MASK) | a->u8);
            }
            break;
        case VSW_ACT_SET_IP_TTL:
            if (l3ok) {
                e->nw_ttl = a->u8;
            }
            break;
        case VSW_ACT_DEC_TTL:
            if (ip4 || ip6) {
                if (e->nw_ttl <= 1) {
                    *dropped = true;
                    return true;
                }
                e->nw_ttl = l3ok ? (uint8_t) (e->nw_ttl - 1) : e->nw_ttl;
            }
            break;
        case VSW_ACT_SET_L4_SRC:
            e->tp_src = ports ? a->be16 : e->tp_src;
            break;
        case VSW_ACT_SET_L4_DST:
            e->tp_dst = ports ? a->be16 : e->tp_dst;
            break;
        case VSW_ACT_SET_IPV6_SRC:
            if (ip6 && l3ok) {
                memcpy(e->ipv6_src, a->ip6, 16);
            }
            break;
        case VSW_ACT_SET_IPV6_DST:
            if (ip6 && l3ok) {
                memcpy(e->ipv6_dst, a->ip6, 16);
            }
            break;
        case VSW_ACT_SET_IPV6_LABEL:
            if (ip6 && l3ok) {
                e->ipv6_label = a->be32;
            }
            break;
        case VSW_ACT_PUSH_VLAN:
            if (tagged || len < 14 || list_has(l, VSW_ACT_POP_VLAN)
                || (i + 1 < l->n && l->a[i + 1].type == VSW_ACT_PUSH_VLAN)) {
                return false;
            }
            e->vlan_tci = RTE_BE16(VSW_VLAN_CFI);
            tagged = true;
            break;
        case VSW_ACT_SET_VLAN_VID:
            if (len < 14) {
                return false;
            }
            if (!tagged) {
                return false;   /* Pushes a tag: see PUSH_VLAN. */
            }
            e->vlan_tci = (uint16_t) ((e->vlan_tci & ~RTE_BE16(VSW_VLAN_VID_MASK))
                                      | rte_cpu_to_be_16(a->u16 | VSW_VLAN_CFI));
            break;
        case VSW_ACT_SET_VLAN_PCP:
            if (tagged) {
                e->vlan_tci = (uint16_t) ((e->vlan_tci & ~RTE_BE16(VSW_VLAN_PCP_MASK))
                                          | rte_cpu_to_be_16((uint16_t) (a->u8 << 13)));
            }
            break;
        case VSW_ACT_POP_VLAN:
            return false;
        case VSW_ACT_RESUBMIT: case VSW_ACT_GOTO_TABLE: case VSW_ACT_WRITE_METADATA:
        case VSW_ACT_LOAD: case VSW_ACT_MOVE: case VSW_ACT_GROUP: case VSW_ACT_CONTROLLER:
            /* The pipeline is not modelled here: test_pipeline.c and the
             * pipeline differential test check it. */
            return false;
        case VSW_ACT_N_TYPES:
            break;
        }
    }
    return true;
}

/* ---- The checks. ---- */

static void
dump_and_abort(const char *what, const struct list *l, const uint8_t *in, size_t len,
               const struct vsw_flow *want, const struct vsw_flow *got)
{
    char a[1024], b[1024];

    fprintf(stderr, "action list \"%s\", %zu-byte frame: %s\n", l->name, len, what);
    if (want && got) {
        vsw_flow_format(want, a, sizeof a);
        vsw_flow_format(got, b, sizeof b);
        fprintf(stderr, "  want %s\n  got  %s\n", a, b);
    }
    for (size_t i = 0; i < len && i < 128; i++) {
        fprintf(stderr, "%02x%s", in[i], i % 32 == 31 ? "\n" : "");
    }
    fprintf(stderr, "\n");
    abort();
}

/* Byte 'i' (from the L3 header on) may be rewritten by an L3/L4 action. */
static bool
may_change(size_t i, const struct vsw_flow *f, const struct vsw_layout *lay)
{
    size_t l3 = lay->l3_ofs;

    if (lay->l4_ofs == VSW_OFS_NONE || i < l3) {
        return false;
    }
    if (f->dl_type == RTE_BE16(VSW_ETH_TYPE_IP) && i < lay->l4_ofs) {
        size_t o = i - l3;
        return o == 1 || o == 8 || o == 10 || o == 11 || (o >= 12 && o < 20);
    }
    if (f->dl_type == RTE_BE16(VSW_ETH_TYPE_IPV6) && i < l3 + 40) {
        size_t o = i - l3;
        return o < 4 || o == 7 || o >= 8;
    }
    if (i >= lay->l4_ofs && i < lay->l4_ofs + 20u) {
        size_t o = i - lay->l4_ofs;
        return o < 4 || o == 6 || o == 7 || (o >= 8 && o < 12) || o == 16 || o == 17;
    }
    return false;
}

static void
check_output(const struct list *l, const uint8_t *in, size_t len, const struct vsw_flow *f,
             const struct vsw_layout *lay, const uint8_t *out, size_t out_len, bool final)
{
    long delta = (long) out_len - (long) len;
    struct vsw_flow g, e = *f;
    struct vsw_layout glay;
    bool dropped;

    if (delta && !list_has_vlan_op(l)) {
        dump_and_abort("length changed without a VLAN action", l, in, len, NULL, NULL);
    }
    if (delta % 4 || (long) len + delta < 0) {
        dump_and_abort("length changed by other than whole tags", l, in, len, NULL, NULL);
    }

    /* Checksums valid before stay valid. */
    if (lay->l3_ofs != VSW_OFS_NONE && vsw_flow_is_ip_any(f)) {
        bool v6 = f->dl_type == RTE_BE16(VSW_ETH_TYPE_IPV6);
        size_t l3 = lay->l3_ofs;
        unsigned before = valid_csums(in + l3, len - l3, v6);
        if ((long) l3 + delta >= 0 && (size_t) ((long) l3 + delta) <= out_len) {
            size_t ol3 = (size_t) ((long) l3 + delta);
            unsigned after = valid_csums(out + ol3, out_len - ol3, v6);
            if (before & ~after & 1) {
                dump_and_abort("IPv4 header checksum broken", l, in, len, NULL, NULL);
            }
            if (before & ~after & 2) {
                dump_and_abort("L4 checksum broken", l, in, len, NULL, NULL);
            }
        }
    }

    /* Bytes no action may touch. */
    size_t tail = lay->l3_ofs != VSW_OFS_NONE ? lay->l3_ofs : (len < 12 ? len : 12);
    bool l3op = list_has_l3_op(l);
    if (len >= tail && (long) tail + delta >= 0) {
        for (size_t i = tail; i < len; i++) {
            if (in[i] != out[(size_t) ((long) i + delta)] && !(l3op && may_change(i, f, lay))) {
                dump_and_abort("a byte no action may touch changed", l, in, len, NULL, NULL);
            }
        }
    }
    if (!list_has_vlan_op(l) && memcmp(in + (len < 12 ? len : 12), out + (len < 12 ? len : 12),
                                       tail - (len < 12 ? len : 12))) {
        dump_and_abort("VLAN tags changed without a VLAN action", l, in, len, NULL, NULL);
    }
    if (!list_has(l, VSW_ACT_SET_ETH_SRC) && !list_has(l, VSW_ACT_SET_ETH_DST)
        && memcmp(in, out, len < 12 ? len : 12)) {
        dump_and_abort("Ethernet addresses changed without an action", l, in, len, NULL, NULL);
    }

    /* Parsing the output gives the fields the actions set. */
    if (final && model(l, in, len, lay, &e, &dropped)) {
        if (dropped) {
            dump_and_abort("output although dec_ttl should have ended the list", l, in, len,
                           NULL, NULL);
        }
        vsw_flow_extract(out, (uint32_t) out_len, IN_PORT, &g, &glay);
        if (memcmp(&e, &g, sizeof e)) {
            dump_and_abort("output parses to other fields than the actions set", l, in, len,
                           &e, &g);
        }
    }
}

static void
run_list(const struct list *l, const uint8_t *data, size_t size, const struct vsw_flow *flow,
         const struct vsw_layout *lay)
{
    static const uint32_t ports[] = { 1, 2, 3 };
    struct vsw_exec_env env = { .mp = mp };
    struct vsw_exec_stats st = { 0 };
    struct vsw_exec_out outs[16];
    unsigned n_outs = 0;
    struct vsw_actions *acts = malloc(vsw_actions_size(l->n));
    struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

    if (!acts || !m) {
        abort();
    }
    acts->n = l->n;
    acts->n_outputs = 0;
    memcpy(acts->a, l->a, l->n * sizeof l->a[0]);
    if (size) {
        memcpy(rte_pktmbuf_append(m, (uint16_t) size), data, size);
    }
    xlate_execute(acts, m, flow, lay, ports, 3, &env, outs, &n_outs, 16, &st);
    free(acts);

    bool single = !list_has(l, VSW_ACT_ALL) && !list_has(l, VSW_ACT_IN_PORT);
    struct vsw_flow e = *flow;
    bool dropped = false;
    if (single && model(l, data, size, lay, &e, &dropped) && !dropped && n_outs != 1
        && !st.no_headroom) {
        dump_and_abort("no output", l, data, size, NULL, NULL);
    }
    for (unsigned i = 0; i < n_outs; i++) {
        struct rte_mbuf *o = outs[i].m;
        if (o->nb_segs != 1 || rte_pktmbuf_pkt_len(o) != rte_pktmbuf_data_len(o)) {
            dump_and_abort("output is not one segment", l, data, size, NULL, NULL);
        }
        check_output(l, data, size, flow, lay, rte_pktmbuf_mtod(o, const uint8_t *),
                     rte_pktmbuf_data_len(o), single);
        rte_pktmbuf_free(o);
    }
    if (rte_mempool_avail_count(mp) != N_MBUFS) {
        dump_and_abort("mbufs leaked", l, data, size, NULL, NULL);
    }
}

/* ---- The parsers against each other. ---- */

static void
check_parsers(const uint8_t *data, size_t size, const struct vsw_flow *flow,
              const struct vsw_layout *lay)
{
    struct vsw_flow g, s;
    struct vsw_layout glay;

    vsw_flow_extract_general(data, (uint32_t) size, IN_PORT, &g, &glay);
    if (memcmp(flow, &g, sizeof g) || memcmp(lay, &glay, sizeof glay)) {
        char a[1024], b[1024];
        vsw_flow_format(flow, a, sizeof a);
        vsw_flow_format(&g, b, sizeof b);
        fprintf(stderr, "vsw_flow_extract and _general differ:\n  fast    %s\n  general %s\n"
                "  layouts %u/%u/%u/%u and %u/%u/%u/%u\n", a, b, lay->l3_ofs, lay->l4_ofs,
                lay->l3_end, lay->n_vlans, glay.l3_ofs, glay.l4_ofs, glay.l3_end,
                glay.n_vlans);
        abort();
    }
    if (vsw_flow_burst_avx512_usable()) {
        /* The SIMD burst parse takes what the scalar fast parse takes, and
         * gives the general parser's answer. */
        const uint8_t *d[1] = { data };
        uint32_t len[1] = { (uint32_t) size };
        struct vsw_flow v, f;
        struct vsw_layout vlay, flay;
        bool fast = vsw_flow_extract_fast(data, (uint32_t) size, IN_PORT, &f, &flay);
        uint64_t done = vsw_flow_extract_burst_avx512(d, len, 1, IN_PORT, &v, &vlay);
        if (done != fast || (done && (memcmp(&v, &g, sizeof g) || memcmp(&vlay, &glay, sizeof glay)))) {
            char a[1024], b[1024];
            vsw_flow_format(&g, a, sizeof a);
            vsw_flow_format(done ? &v : &g, b, sizeof b);
            fprintf(stderr, "avx512 burst parse differs (took %d, fast parse %d):\n"
                    "  general %s\n  avx512  %s\n", (int) done, (int) fast, a, b);
            abort();
        }
    }
    memset(&s, 0xa5, sizeof s);
    if (vsw_flow_extract_shallow(data, (uint32_t) size, IN_PORT, &s)) {
        if (s.in_port != flow->in_port || memcmp(s.dl_dst, flow->dl_dst, 6)
            || memcmp(s.dl_src, flow->dl_src, 6) || s.dl_type != flow->dl_type
            || s.vlan_tci != flow->vlan_tci || s.vlan_tci2 != flow->vlan_tci2
            || s.nw_proto != flow->nw_proto || s.nw_frag != flow->nw_frag) {
            char a[1024], b[1024];
            vsw_flow_format(flow, a, sizeof a);
            vsw_flow_format(&s, b, sizeof b);
            fprintf(stderr, "vsw_flow_extract_shallow differs:\n  full    %s\n  shallow %s\n",
                    a, b);
            abort();
        }
    }
}

/* The shallow parse's answer for 'p', as the fields it writes. */
static bool
shallow_fields(const uint8_t *p, size_t size, struct vsw_flow *s)
{
    memset(s, 0, sizeof *s);
    return vsw_flow_extract_shallow(p, (uint32_t) size, IN_PORT, s);
}

static void
check_shallow_same(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return;
    }
    uint8_t *twin = malloc(size);   /* Exactly 'size' bytes: ASan sees overreads. */
    struct vsw_flow a, b;
    bool oka = shallow_fields(data, size, &a);

    for (int k = 0; k < 2; k++) {
        memcpy(twin, data, size);
        if (k == 0) {
            static const size_t unread[] = { 15, 18, 19, 22, 24, 40 };
            for (size_t u = 0; u < sizeof unread / sizeof unread[0]; u++) {
                if (unread[u] < size) {
                    twin[unread[u]] ^= 0x5a;
                }
            }
        } else {
            twin[data[size - 1] % (size < 24 ? size : 24)] ^= (uint8_t) (1u << (data[0] % 8));
        }
        bool same = vsw_flow_shallow_same(data, twin, (uint32_t) size);
        bool okb = shallow_fields(twin, size, &b);
        if ((k == 0 && size >= 24 && !same)
            || (same && (oka != okb || (oka && memcmp(&a, &b, sizeof a))))) {
            fprintf(stderr, "vsw_flow_shallow_same: %s for twin %d of a %zu-byte frame, "
                    "shallow parse %d/%d\n", same ? "same" : "not same", k, size, oka, okb);
            abort();
        }
    }
    free(twin);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_eal_init((*argv)[0]);
    (void) argc;
    mp = rte_pktmbuf_pool_create("fuzz", N_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (!mp) {
        fprintf(stderr, "cannot create the mbuf pool\n");
        exit(1);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsw_flow flow;
    struct vsw_layout lay;

    if (size > MAX_FRAME) {
        return -1;
    }
    vsw_flow_extract(data, (uint32_t) size, IN_PORT, &flow, &lay);
    check_parsers(data, size, &flow, &lay);
    check_shallow_same(data, size);
    for (size_t i = 0; i < N_LISTS; i++) {
        run_list(&lists[i], data, size, &flow, &lay);
    }
    return 0;
}
