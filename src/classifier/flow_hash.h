/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FLOW_HASH_H
#define VSW_FLOW_HASH_H 1

/*
 * The flow hash the exact-match cache and the signature cache index by.
 *
 * What: a CRC32-C over the key words that vary most between flows:
 * in_port, the MACs, dl_type and the VLAN, the IPv4 addresses, the IPv6
 * addresses folded into one word, and the L4 ports.  Both caches compare
 * what they find (the EMC the whole key, the SMC the megaflow under its
 * mask), so the hash only has to spread flows, never to tell them apart.
 *
 * Why CRC: one instruction per word.  A CRC is linear, so flows that differ
 * in a run of bits (clients numbered across a prefix, ports counting up)
 * map to evenly spread buckets rather than randomly: 100 000 such flows
 * fill 32k buckets with 3 each, where a random hash leaves ~0.6 % of them
 * past 8.  tests/unit/test_fastpath.c checks the cache with random flows,
 * which are the harder case for it.
 *
 * Thread safety: a pure function (the PMD calls it; tests call it).
 */

#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "vsw/flow.h"

static inline uint32_t
vsw_flow_hash(const struct vsw_flow *flow)
{
    const vsw_flow_word *w = vsw_flow_cwords(flow);
    uint64_t v6[4];
    uint32_t h;

    memcpy(v6, flow->ipv6_src, sizeof v6);   /* ipv6_src and ipv6_dst */
    h = rte_hash_crc_8byte(w[0], 0);          /* in_port */
    h = rte_hash_crc_8byte(w[1], h);          /* MACs, ... */
    h = rte_hash_crc_8byte(w[2], h);          /* ... dl_type, vlan_tci */
    h = rte_hash_crc_8byte(w[3], h);          /* nw_src */
    h = rte_hash_crc_4byte(flow->nw_dst, h);
    h = rte_hash_crc_8byte(v6[0] ^ v6[1] ^ v6[2] ^ v6[3], h);
    return rte_hash_crc_4byte((uint32_t) flow->tp_src << 16 | flow->tp_dst, h);
}

#endif /* VSW_FLOW_HASH_H */
