/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PMD_PORT_H
#define VSW_PMD_PORT_H 1

/*
 * The PMD's dealings with a port beyond rx and tx bursts (pmd.c): sending
 * to a vhost-user guest, the MTU of frames received and sent, chained
 * frames.  Off the common path (a vhost-user port's tx aside): only frames
 * longer than the port's MTU + 14 bytes or chained by the driver, and
 * vhost-user ports, get here.
 *
 * Thread safety: called by the PMD that polls or sends on the port; reads
 * what the control thread publishes with atomics (the vid, the MTU).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

/* The guest's rx ring of queue pair q is virtqueue 2q, its tx ring 2q + 1. */
#define VHOST_GUEST_RXQ(q) ((uint16_t) ((q) * 2))
#define VHOST_GUEST_TXQ(q) ((uint16_t) ((q) * 2 + 1))

/** Copies pkts[0..n) into the guest's rx ring of queue pair 'q' and frees
 *  them all; returns how many the guest took (it may have no room, or not
 *  be there: the rest are the caller's drops, already freed). */
uint16_t pmd_vhost_tx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
                      uint64_t *bytes);

/** Whether 'm', longer than mtu + 14, is longer than the MTU once its VLAN
 *  tags are not counted (as OVS counts MTU). */
bool pmd_frame_over_mtu(const struct rte_mbuf *m, uint32_t mtu);

/** Drops, and counts on the port, the frames in pkts[0..n) that exceed the
 *  port's MTU, taking their lengths off '*bytes'; returns how many are left
 *  (in order). */
uint16_t pmd_tx_mtu_filter(struct vsw_port *port, struct vsw_port_stats *st,
                           struct rte_mbuf **pkts, uint16_t n, uint64_t *bytes);

/** A chained frame made contiguous: in place if its first segment has room,
 *  else copied into one mbuf of the jumbo pool.  NULL (frame freed) if
 *  neither works. */
struct rte_mbuf *pmd_make_contiguous(struct vsw_pmd *pmd, struct rte_mbuf *m);

#endif /* VSW_PMD_PORT_H */
