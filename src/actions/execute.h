/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_EXECUTE_H
#define VSW_EXECUTE_H 1

/*
 * Action execution on packets.
 *
 * The executor reproduces Open vSwitch's two-step model so that emitted bytes
 * are the same as OVS's:
 *   1. Actions update a *view* of the packet's header fields (not the bytes),
 *      applying OVS's per-action conditions (e.g. mod_nw_src only for IPv4,
 *      set_field:...->vlan_pcp only on a tagged packet, at most two VLAN tags
 *      tracked).
 *   2. Before each output the differences between the view and the last
 *      committed state are written into the packet ("commit"), field group by
 *      field group in OVS's order (Ethernet, IP, L4 ports, VLAN), with the
 *      checksum rules of OVS's datapath: incremental IPv4 header checksum,
 *      TCP/UDP/ICMPv6 pseudo-header updates, a UDP checksum of 0 left alone,
 *      SCTP CRC32c patched, a changed VLAN tag popped and pushed again.
 *
 * Thread safety: reentrant; runs on PMD threads.  Allocates mbufs from the
 * given mempool only for the copies that several outputs need.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "vsw/actions.h"
#include "vsw/flow.h"
#include "vsw/match.h"

/** One packet to transmit. */
struct vsw_exec_out {
    uint32_t port;            /**< OpenFlow output port. */
    struct rte_mbuf *m;       /**< Packet (owned by the receiver). */
};

/** What the executor needs from its caller. */
struct vsw_exec_env {
    struct rte_mempool *mp;   /**< Pool for copies when a packet has several outputs, */
    struct rte_mempool *mp_jumbo; /**< ... and for those too long for 'mp' (may be NULL). */
    const uint32_t *ports;    /**< Every OpenFlow port of the switch (for "all"). */
    unsigned n_ports;         /**< Number of entries in 'ports'. */
};

/** Counters of things the executor had to drop. */
struct vsw_exec_stats {
    uint64_t copy_failed;     /**< A copy for a non-final output could not be allocated. */
    uint64_t no_headroom;     /**< A VLAN push found no headroom. */
    uint64_t outs_overflow;   /**< More outputs than the caller's array holds. */
};

/**
 * Executes 'acts' on packet 'm' (which must be contiguous), parsed into 'flow'
 * and 'layout'.  Outputs are appended to 'outs' starting at '*n_outs' (at
 * most 'max_outs' entries in total).  Consumes 'm': it is either handed to an
 * output or freed.
 */
void vsw_execute(const struct vsw_actions *acts, struct rte_mbuf *m,
                 const struct vsw_flow *flow, const struct vsw_layout *layout,
                 const struct vsw_exec_env *env, struct vsw_exec_out *outs,
                 unsigned *n_outs, unsigned max_outs, struct vsw_exec_stats *stats);

/** Incremental checksum helpers (RFC 1624), exposed for unit tests. */
uint16_t vsw_csum_update16(uint16_t csum, uint16_t old16, uint16_t new16);
uint16_t vsw_csum_update32(uint16_t csum, uint32_t old32, uint32_t new32);
/** CRC32c as SCTP stores it (the bytes to put in the checksum field). */
uint32_t vsw_crc32c(const uint8_t *data, size_t len);

#endif /* VSW_EXECUTE_H */
