/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_UPCALL_QUEUE_H
#define VSW_UPCALL_QUEUE_H 1

/*
 * Upcalls: packets that missed both caches of a PMD go to the slow-path
 * (handler) thread, which looks them up in the rule tables and computes the
 * megaflow, then hands them back.
 *
 * Each PMD owns UPCALL_SLOTS slots.  A missing packet takes a free slot
 * (PMD-local stack), is described in it (mbuf, flow, layout) and the slot's
 * index goes on the PMD's 'to_handler' ring.  The handler fills in the rule
 * and the megaflow mask and puts the index on 'to_pmd'.  The PMD then
 * installs the megaflow in its own dpcls, executes the packet, and frees the
 * slot.  So the dpcls and the tx queues keep a single writer (the PMD) and
 * need no locks, and the handler never touches a port.
 *
 * Bounded: when a PMD has no free slot (the handler is behind, e.g. in a
 * storm of new flows), the packet is dropped and counted ("upcall queue
 * full"); the PMD never waits, so packets of cached flows keep flowing.
 *
 * Thread safety: each ring has one producer and one consumer (rte_ring
 * SP/SC).  Slots are owned by whoever holds their index.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ring.h>

#include "classifier/dpcls.h"
#include "classifier/rule.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

#define UPCALL_SLOTS 1024

struct rte_mbuf;
struct vsw_dp;

struct upcall {
    struct rte_mbuf *m;             /* The packet (owned by the slot holder). */
    struct vsw_flow flow;           /* Its parsed flow. */
    struct vsw_layout lay;          /* Its header offsets. */
    uint32_t hash;                  /* Its EMC hash. */
    /* Filled by the handler: */
    struct vsw_counted *deps[VSW_MAX_DEPS]; /* Rules the translation passed */
    uint8_t n_deps;                 /* through; 0: none matched (drop). */
    uint8_t xerror;                 /* enum xlate_error of the translation. */
    uint64_t tables[4];             /* xlate_deps.tables. */
    struct vsw_flow mask;           /* Megaflow mask; */
    struct vsw_flow fine;           /* and with every bit a rule matches on. */
    uint64_t gen;                   /* vsw_dp_cache_gen() used. */
    uint64_t fdb_gen;               /* vsw_fdb_gen() the translation saw (with
                                     * its own learning applied). */
    struct vsw_odp_buf acts;        /* Datapath actions (empty: drop). */
};

struct upcall_queue {
    struct upcall slots[UPCALL_SLOTS];
    uint32_t free_stack[UPCALL_SLOTS];  /* PMD-owned. */
    uint32_t n_free;                    /* PMD-owned. */
    /* Read by the handler each time it polls (a line the PMD does not
     * write: see struct vsw_pmd). */
    struct rte_ring *to_handler         /* PMD -> handler. */
        __rte_cache_aligned;
    struct rte_ring *to_pmd;            /* Handler -> PMD. */
    struct rte_ring *fdb_changes;       /* Handler -> PMD: MACs the handler just
                                         * learned or moved (vsw_mac_to_u64()),
                                         * whose megaflows the PMD deletes before
                                         * its next lookup. */
    uint32_t fdb_lost;                  /* Set (atomic) by the handler when that
                                         * ring was full: the PMD flushes. */
};

/** Creates the queue of PMD 'idx'. */
struct upcall_queue *upcall_queue_create(unsigned idx, int socket);

#endif /* VSW_UPCALL_QUEUE_H */
