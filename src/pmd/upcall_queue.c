/* SPDX-License-Identifier: Apache-2.0 */
/* Upcall queues: slots and the rings between a PMD and the handler; see
 * upcall_queue.h. */

#include <stdio.h>

#include <rte_malloc.h>

#include "pmd/upcall_queue.h"

#define FDB_RING 4096

struct upcall_queue *
upcall_queue_create(unsigned idx, int socket)
{
    struct upcall_queue *q = rte_zmalloc_socket("upq", sizeof *q, RTE_CACHE_LINE_SIZE, socket);
    char name[RTE_RING_NAMESIZE];

    if (!q) {
        return NULL;
    }
    snprintf(name, sizeof name, "up_out_%u", idx);
    q->to_handler = rte_ring_create_elem(name, sizeof(uint32_t), UPCALL_SLOTS, socket,
                                         RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    snprintf(name, sizeof name, "up_in_%u", idx);
    q->to_pmd = rte_ring_create_elem(name, sizeof(uint32_t), UPCALL_SLOTS, socket,
                                     RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
    snprintf(name, sizeof name, "up_fdb_%u", idx);
    q->fdb_changes = rte_ring_create_elem(name, sizeof(uint64_t), FDB_RING, socket,
                                          RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!q->to_handler || !q->to_pmd || !q->fdb_changes) {
        rte_ring_free(q->to_handler);
        rte_ring_free(q->to_pmd);
        rte_ring_free(q->fdb_changes);
        rte_free(q);
        return NULL;
    }
    for (uint32_t i = 0; i < UPCALL_SLOTS; i++) {
        q->free_stack[i] = UPCALL_SLOTS - 1 - i;
    }
    q->n_free = UPCALL_SLOTS;
    return q;
}
