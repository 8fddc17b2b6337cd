/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PIN_QUEUE_H
#define VSW_PIN_QUEUE_H 1

/*
 * Packet-ins on their way from a PMD to the slow path.
 *
 * When a datapath action list reaches a VSW_ODP_USERSPACE entry (the
 * controller action, vsw/odp.h), the executor takes a copy of the packet as
 * it is at that point and puts it here with the entry's bytes (copied: the
 * megaflow the entry came from may be deleted before the record is read).
 * The control thread drains every PMD's queue (src/xlate/packet_in.c),
 * rate-limits, and delivers the records to `vswctl monitor` subscribers.
 *
 * Bounded and wait-free for the PMD: PIN_SLOTS records per PMD, allocated
 * once.  A free record's index sits on 'free' (control -> PMD), a filled
 * one's on 'to_ctl' (PMD -> control).  With no free record the packet-in is
 * dropped and counted (pmd-stats "packet-ins dropped, queue full"); the PMD
 * never waits, never allocates but the packet copy (from its mempool, which
 * may also fail: counted as a failed copy).
 *
 * Thread safety: each ring has one producer and one consumer (rte_ring
 * SP/SC); a record belongs to whoever holds its index.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ring.h>

#include "vsw/odp.h"

#define PIN_SLOTS 256

struct rte_mbuf;

/** One packet-in. */
struct pin_rec {
    struct rte_mbuf *m;            /**< The packet as the actions left it. */
    uint16_t ud_len;               /**< Bytes of the USERSPACE entry: */
    uint8_t ud[VSW_ODP_USERSPACE_MAX + 4] __attribute__((aligned(8)));
};

struct pin_queue {
    struct pin_rec recs[PIN_SLOTS];
    struct rte_ring *free;         /**< Control -> PMD: free record indices. */
    struct rte_ring *to_ctl;       /**< PMD -> control: filled records. */
};

/** Creates the queue of PMD 'idx' with every record free. */
struct pin_queue *pin_queue_create(unsigned idx, int socket);

/** Frees 'q' and the packets still in it. */
void pin_queue_destroy(struct pin_queue *q);

/** PMD side: queues packet 'm' with its USERSPACE entry 'h'.  False if no
 *  record is free (the caller still owns 'm'). */
static inline bool
pin_queue_put(struct pin_queue *q, struct rte_mbuf *m, const struct vsw_odp_hdr *h)
{
    uint32_t i;

    if (h->len > sizeof q->recs[0].ud
        || rte_ring_sc_dequeue_elem(q->free, &i, sizeof i)) {
        return false;
    }
    q->recs[i].m = m;
    q->recs[i].ud_len = h->len;
    memcpy(q->recs[i].ud, h, h->len);
    /* Cannot fail: the ring holds every index. */
    rte_ring_sp_enqueue_elem(q->to_ctl, &i, sizeof i);
    return true;
}

#endif /* VSW_PIN_QUEUE_H */
