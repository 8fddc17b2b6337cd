/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FLOW_FAST_H
#define VSW_FLOW_FAST_H 1

/*
 * The parser's fast paths, inline for the PMD's receive loop.
 *
 * What: the common frames -- Ethernet II, untagged or with one 802.1Q or
 * 802.1ad tag, carrying IPv4 without options or fragments, or IPv6
 * without extension headers, with a complete TCP or UDP header -- parsed
 * straight into the flow key's 64-bit words, and the shallow parse (only
 * the Ethernet fields, the IP protocol and the fragment bits).  Every other
 * frame is declined (false, nothing written) and goes to the general
 * parser in flow_extract.c, which handles everything.
 *
 * Why words: the key is 15 words that the classifier, the caches and the
 * hashes read as words.  Writing it field by field after a memset costs a
 * 120-byte clear (which compilers turn into `rep stos`, ~30 cycles to
 * start on the CPUs we run on: half the parse in scenario c) and a
 * dozen narrow stores; composing each word in a register from a few
 * unaligned loads of the frame costs 15 plain stores.  The composition
 * depends on the key's layout (checked below) and on a little-endian CPU;
 * elsewhere the fast paths decline and the general parser answers.
 *
 * Correctness: for every frame they accept they give exactly the general
 * parser's key and layout -- tests/unit/test_flow_extract.c compares them
 * on generated and mutated frames of every kind, and the fuzz target
 * fuzz_packet on whatever it finds.
 *
 * Thread safety: pure functions of their arguments.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "bytes.h"
#include "vsw/flow.h"

/* The word layout the fast paths compose. */
_Static_assert(sizeof(struct vsw_flow) == 15 * 8, "15 key words");
_Static_assert(offsetof(struct vsw_flow, dl_dst) == 8, "word 1: dl_dst, dl_src[0..1]");
_Static_assert(offsetof(struct vsw_flow, dl_type) == 20, "word 2: dl_src[2..5], dl_type, tci");
_Static_assert(offsetof(struct vsw_flow, nw_src) == 28, "word 3: tci2, pad1, nw_src");
_Static_assert(offsetof(struct vsw_flow, nw_dst) == 32, "word 4: nw_dst, ipv6_src[0..3]");
_Static_assert(offsetof(struct vsw_flow, ipv6_dst) == 52, "words 5-8: the IPv6 addresses");
_Static_assert(offsetof(struct vsw_flow, ipv6_label) == 68, "word 8: ipv6_dst[12..], label");
_Static_assert(offsetof(struct vsw_flow, nw_proto) == 72, "word 9: proto, tos, ttl, frag, ports");
_Static_assert(offsetof(struct vsw_flow, nw_tos) == 73 && offsetof(struct vsw_flow, nw_ttl) == 74
               && offsetof(struct vsw_flow, nw_frag) == 75 && offsetof(struct vsw_flow, tp_src) == 76
               && offsetof(struct vsw_flow, tp_dst) == 78, "word 9");
_Static_assert(offsetof(struct vsw_flow, tcp_flags) == 80, "word 10: tcp_flags, ...");

/* True if 'be_type' (network order) is an 802.1Q or 802.1ad TPID. */
static inline bool
vsw_is_vlan_tpid(uint16_t be_type)
{
    return be_type == rte_cpu_to_be_16(VSW_ETH_TYPE_VLAN)
           || be_type == rte_cpu_to_be_16(VSW_ETH_TYPE_VLAN_8021AD);
}

/* Writes all 15 words of 'flow' to zero, as 15 stores (a memset of the
 * struct becomes `rep stos`). */
static inline void
vsw_flow_zero(struct vsw_flow *flow)
{
    vsw_flow_word *w = vsw_flow_words(flow);
    w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 0; w[4] = 0;
    w[5] = 0; w[6] = 0; w[7] = 0; w[8] = 0; w[9] = 0;
    w[10] = 0; w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0;
}

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN

/* The L4 part shared by IPv4 and IPv6: 'l4' has 'l4_len' bytes of the L3
 * packet.  Writes word 9 (with 'w9_l3': proto, tos, ttl) and word 10.
 * False if the TCP or UDP header is not complete. */
static inline bool
fast_l4(const uint8_t *l4, uint32_t l4_len, uint8_t proto, uint64_t w9_l3, vsw_flow_word *w)
{
    uint64_t flags = 0;

    if (proto == VSW_IPPROTO_TCP) {
        if (l4_len < 20) {
            return false;
        }
        uint32_t hlen = (l4[12] >> 4) * 4u;
        if (hlen < 20 || hlen > l4_len) {
            return false;
        }
        flags = vsw_get16(l4 + 12) & rte_cpu_to_be_16(VSW_TCP_FLAGS_MASK);
    } else if (proto != VSW_IPPROTO_UDP || l4_len < 8) {
        return false;
    }
    w[9] = w9_l3 | (uint64_t) vsw_get32(l4) << 32;      /* tp_src, tp_dst */
    w[10] = flags;
    return true;
}

/*
 * The fast parse of the common frames (see above).  Returns false, having
 * written nothing, for any other frame.
 */
static inline bool
vsw_flow_extract_fast(const uint8_t *p, uint32_t len, uint32_t in_port, struct vsw_flow *flow,
                      struct vsw_layout *layout)
{
    vsw_flow_word *w = vsw_flow_words(flow);
    uint16_t type, tci = 0;
    uint32_t l3 = 14;

    if (len < 14 + 20 + 8) {
        return false;
    }
    type = vsw_get16(p + 12);
    if (vsw_is_vlan_tpid(type)) {
        tci = vsw_get16(p + 14) | rte_cpu_to_be_16(VSW_VLAN_CFI);
        type = vsw_get16(p + 16);
        l3 = 18;
    }
    const uint8_t *ip = p + l3;
    uint32_t left = len - l3;

    if (type == rte_cpu_to_be_16(VSW_ETH_TYPE_IP)) {
        uint32_t tot_len = rte_be_to_cpu_16(vsw_get16(ip + 2));
        if (ip[0] != 0x45 || (vsw_get16(ip + 6) & rte_cpu_to_be_16(0x3fff))
            || tot_len > left || tot_len < 20 + 8) {
            return false;
        }
        uint64_t w9 = ip[9] | (uint64_t) ip[1] << 8 | (uint64_t) ip[8] << 16;
        if (!fast_l4(ip + 20, tot_len - 20, ip[9], w9, w)) {
            return false;
        }
        w[3] = (uint64_t) vsw_get32(ip + 12) << 32;        /* nw_src */
        w[4] = vsw_get32(ip + 16);                          /* nw_dst */
        w[5] = 0; w[6] = 0; w[7] = 0; w[8] = 0;
        layout->l4_ofs = (uint16_t) (l3 + 20);
        layout->l3_end = (uint16_t) (l3 + tot_len);
    } else if (type == rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6)) {
        if (left < 40) {
            return false;
        }
        uint32_t plen = rte_be_to_cpu_16(vsw_get16(ip + 4));
        uint32_t vtcfl = rte_be_to_cpu_32(vsw_get32(ip));
        if (plen > left - 40) {
            return false;
        }
        uint64_t w9 = ip[6] | (uint64_t) (uint8_t) (vtcfl >> 20) << 8 | (uint64_t) ip[7] << 16;
        if (!fast_l4(ip + 40, plen, ip[6], w9, w)) {
            return false;
        }
        w[3] = 0;
        w[4] = (uint64_t) vsw_get32(ip + 8) << 32;          /* ipv6_src[0..3] */
        w[5] = vsw_get64(ip + 12);
        w[6] = vsw_get64(ip + 20);
        w[7] = vsw_get64(ip + 28);                          /* ... ipv6_dst[11] */
        w[8] = vsw_get32(ip + 36)
               | (uint64_t) rte_cpu_to_be_32(vtcfl & 0xfffff) << 32;   /* label */
        layout->l4_ofs = (uint16_t) (l3 + 40);
        layout->l3_end = (uint16_t) (l3 + 40 + plen);
    } else {
        return false;
    }
    w[0] = in_port;
    w[1] = vsw_get64(p);                                    /* dl_dst, dl_src[0..1] */
    w[2] = vsw_get32(p + 8) | (uint64_t) type << 32 | (uint64_t) tci << 48;
    w[11] = 0; w[12] = 0; w[13] = 0; w[14] = 0;
    layout->l3_ofs = (uint16_t) l3;
    layout->n_vlans = l3 == 18;
    return true;
}

#else /* Big-endian: the word composition above assumes little-endian. */

static inline bool
vsw_flow_extract_fast(const uint8_t *p, uint32_t len, uint32_t in_port, struct vsw_flow *flow,
                      struct vsw_layout *layout)
{
    (void) p; (void) len; (void) in_port; (void) flow; (void) layout;
    return false;
}

#endif

/*
 * The shallow parse (vsw/flow.h): in_port, the MACs, dl_type, the tags
 * (none), the IP protocol and the fragment bits.  Declines tagged, 802.3,
 * IPv6, ARP and RARP frames, whose shallow fields take more parsing.
 */
static inline bool
vsw_flow_extract_shallow_inline(const uint8_t *p, uint32_t len, uint32_t in_port,
                                struct vsw_flow *flow)
{
    uint16_t type;
    uint8_t frag = 0, proto = 0;

    if (len < 14) {
        return false;
    }
    type = vsw_get16(p + 12);
    if (vsw_is_vlan_tpid(type) || rte_be_to_cpu_16(type) < VSW_ETH_TYPE_MIN
        || type == rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6) || type == rte_cpu_to_be_16(VSW_ETH_TYPE_ARP)
        || type == rte_cpu_to_be_16(VSW_ETH_TYPE_RARP)) {
        return false;
    }
    if (type == rte_cpu_to_be_16(VSW_ETH_TYPE_IP) && len >= 14 + 20) {
        /* The general parser's validity checks, then its fragment bits. */
        const uint8_t *ip = p + 14;
        uint32_t left = len - 14;
        uint32_t ihl = (ip[0] & 0x0f) * 4u;
        uint32_t tot_len = rte_be_to_cpu_16(vsw_get16(ip + 2));
        if (ihl >= 20 && left >= ihl && tot_len <= left && ihl <= tot_len) {
            uint16_t frag_off = rte_be_to_cpu_16(vsw_get16(ip + 6));
            proto = ip[9];
            if (frag_off & 0x3fff) {
                frag = VSW_FRAG_ANY | (frag_off & 0x1fff ? VSW_FRAG_LATER : 0);
            }
        }
    }
    flow->in_port = in_port;
    flow->pad0 = 0;
    memcpy(flow->dl_dst, p, 12);               /* dl_dst and dl_src */
    flow->dl_type = type;
    flow->vlan_tci = 0;
    flow->vlan_tci2 = 0;
    flow->nw_proto = proto;
    flow->nw_frag = frag;
    return true;
}

/*
 * Whether frames 'p' and 'q', both 'len' bytes long and received on the
 * same port, get the same answer from vsw_flow_extract_shallow_inline():
 * true if every byte it reads is equal -- the Ethernet header and, of an
 * IPv4 header right after it, the version and IHL, the total length, the
 * fragment field and the protocol, all in the first 24 bytes.  The IP
 * TOS, ID and TTL bytes do not count (a flow's packets differ there).
 * Frames under 24 bytes are never called the same.  A burst's repeated
 * flow is parsed and looked up once (pmd.c).
 */
static inline bool
vsw_flow_shallow_same(const uint8_t *p, const uint8_t *q, uint32_t len)
{
    /* Bytes 8..15 without 15 (TOS); bytes 16..23 without 18, 19 (ID) and
     * 22 (TTL).  Built from bytes, so the words' byte order is moot. */
    static const uint8_t keep_b[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
    static const uint8_t keep_c[8] = { 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0xff };

    if (len < 24) {
        return false;
    }
    return !((vsw_get64(p) ^ vsw_get64(q))
             | ((vsw_get64(p + 8) ^ vsw_get64(q + 8)) & vsw_get64(keep_b))
             | ((vsw_get64(p + 16) ^ vsw_get64(q + 16)) & vsw_get64(keep_c)));
}

#endif /* VSW_FLOW_FAST_H */
