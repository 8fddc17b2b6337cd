/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_EXECUTE_H
#define VSW_EXECUTE_H 1

/*
 * Datapath action execution on packets (the PMD's only way of acting on a
 * packet; see vsw/odp.h for the actions and src/xlate/ for where they come
 * from).
 *
 * Each set rewrites the fields it names and fixes the checksums the way Open
 * vSwitch's datapath does, so emitted bytes are the same as OVS's: an
 * incremental IPv4 header checksum, TCP/UDP/ICMPv6 pseudo-header updates, a
 * UDP checksum of 0 left alone, the SCTP CRC32c patched, an IPv6 address
 * behind a routing header or in a non-first fragment not counted into the L4
 * checksum.  A field that already holds the new value is not written (and
 * no checksum touched).  A push needs headroom; without it that copy of the
 * packet is dropped and counted.  Every output but the last sends a copy.
 * A USERSPACE entry (the controller action) is an output too: a copy of the
 * packet as it is then goes to the packet-in queue with the entry.
 *
 * Thread safety: reentrant; runs on PMD threads.  Allocates mbufs from the
 * given mempool only for the copies that several outputs need.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "vsw/flow.h"
#include "vsw/odp.h"

/** One packet to transmit. */
struct vsw_exec_out {
    uint32_t port;            /**< OpenFlow output port. */
    struct rte_mbuf *m;       /**< Packet (owned by the receiver). */
};

struct pin_queue;

/** What the executor needs from its caller. */
struct vsw_exec_env {
    struct rte_mempool *mp;   /**< Pool for copies when a packet has several outputs, */
    struct rte_mempool *mp_jumbo; /**< ... and for those too long for 'mp' (may be NULL). */
    struct pin_queue *pinq;   /**< Where packet-ins go (pmd/pin_queue.h); NULL:
                               *   they are dropped, counted as queue full. */
};

/** Counters of things the executor had to drop. */
struct vsw_exec_stats {
    uint64_t copy_failed;     /**< A copy for a non-final output could not be allocated. */
    uint64_t no_headroom;     /**< A VLAN push found no headroom. */
    uint64_t outs_overflow;   /**< More outputs than the caller's array holds. */
    uint64_t pins;            /**< Packet-ins queued to the slow path. */
    uint64_t pin_full;        /**< Packet-ins dropped: the queue was full. */
};

/**
 * Executes the datapath actions 'acts' ('len' bytes) on packet 'm' (which
 * must be contiguous), whose headers are where 'layout' says.  Outputs are
 * appended to 'outs' starting at '*n_outs' (at most 'max_outs' entries in
 * total).  Consumes 'm': it is either handed to an output or freed.
 */
void vsw_odp_execute(const uint8_t *acts, uint16_t len, struct rte_mbuf *m,
                     const struct vsw_layout *layout, const struct vsw_exec_env *env,
                     struct vsw_exec_out *outs, unsigned *n_outs, unsigned max_outs,
                     struct vsw_exec_stats *stats);

/** Incremental checksum helpers (RFC 1624), exposed for unit tests. */
uint16_t vsw_csum_update16(uint16_t csum, uint16_t old16, uint16_t new16);
uint16_t vsw_csum_update32(uint16_t csum, uint32_t old32, uint32_t new32);
/** CRC32c as SCTP stores it (the bytes to put in the checksum field). */
uint32_t vsw_crc32c(const uint8_t *data, size_t len);

#endif /* VSW_EXECUTE_H */
