/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FLOW_HASH_H
#define VSW_FLOW_HASH_H 1

/*
 * The flow hash the exact-match cache and the signature cache index by.
 *
 * What: a CRC32-C over the key words that vary between flows: in_port,
 * the MACs, dl_type and the VLAN, nw_src, nw_dst with the IPv6 addresses
 * folded into one word, and the word of the IP protocol, TOS, TTL,
 * fragment bits and L4 ports.  Both caches compare what they find (the
 * EMC the whole key, the SMC the megaflow under its mask), so the hash
 * only has to spread flows, never to tell them apart.
 *
 * Why aligned words: the PMD hashes a key right after the parser wrote it
 * (and prefetches its cache bucket while the rest of the burst is parsed).  Loads
 * of exactly the words the fast parser stored are forwarded from the store
 * buffer; a load across two of them (the IPv6 addresses start mid-word)
 * would wait for both stores to reach the cache.
 *
 * Why CRC: one instruction per word.  A CRC is linear, so flows that differ
 * in a run of bits (clients numbered across a prefix, ports counting up)
 * map to evenly spread buckets rather than randomly: 100 000 such flows
 * fill 32k buckets with 3 each, where a random hash leaves ~0.2 % of them
 * without a way.  tests/unit/test_fastpath.c checks the cache with random flows,
 * which are the harder case for it.
 *
 * Thread safety: a pure function (the PMD calls it; tests call it).
 */

#include <stdint.h>

#include <rte_hash_crc.h>

#include "vsw/flow.h"

static inline uint32_t
vsw_flow_hash(const struct vsw_flow *flow)
{
    const vsw_flow_word *w = vsw_flow_cwords(flow);
    uint32_t h;

    _Static_assert(VSW_FLOW_U64S == 15, "the words below");
    h = rte_hash_crc_8byte(w[0], 0);          /* in_port */
    h = rte_hash_crc_8byte(w[1], h);          /* MACs, ... */
    h = rte_hash_crc_8byte(w[2], h);          /* ... dl_type, vlan_tci */
    h = rte_hash_crc_8byte(w[3], h);          /* nw_src */
    /* nw_dst, ipv6_src, ipv6_dst, ipv6_label */
    h = rte_hash_crc_8byte(w[4] ^ w[5] ^ w[6] ^ w[7] ^ w[8], h);
    return rte_hash_crc_8byte(w[9], h);       /* proto, tos, ttl, frag, ports */
}

#endif /* VSW_FLOW_HASH_H */
