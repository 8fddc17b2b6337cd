/* SPDX-License-Identifier: Apache-2.0 */
/* Packet-in queues; see pin_queue.h. */

#include <stdio.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "pmd/pin_queue.h"

struct pin_queue *
pin_queue_create(unsigned idx, int socket)
{
    struct pin_queue *q = rte_zmalloc_socket("pinq", sizeof *q, RTE_CACHE_LINE_SIZE, socket);
    char name[RTE_RING_NAMESIZE];

    if (!q) {
        return NULL;
    }
    snprintf(name, sizeof name, "pin_free_%u", idx);
    q->free = rte_ring_create_elem(name, sizeof(uint32_t), PIN_SLOTS, socket,
                                   RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    snprintf(name, sizeof name, "pin_out_%u", idx);
    q->to_ctl = rte_ring_create_elem(name, sizeof(uint32_t), PIN_SLOTS, socket,
                                     RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    if (!q->free || !q->to_ctl) {
        rte_ring_free(q->free);
        rte_ring_free(q->to_ctl);
        rte_free(q);
        return NULL;
    }
    for (uint32_t i = 0; i < PIN_SLOTS; i++) {
        rte_ring_sp_enqueue_elem(q->free, &i, sizeof i);
    }
    return q;
}

void
pin_queue_destroy(struct pin_queue *q)
{
    uint32_t i;

    if (!q) {
        return;
    }
    while (!rte_ring_sc_dequeue_elem(q->to_ctl, &i, sizeof i)) {
        rte_pktmbuf_free(q->recs[i].m);
    }
    rte_ring_free(q->free);
    rte_ring_free(q->to_ctl);
    rte_free(q);
}
