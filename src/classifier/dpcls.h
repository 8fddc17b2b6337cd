/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_DPCLS_H
#define VSW_DPCLS_H 1

/*
 * The megaflow classifier (dpcls): the second cache level of a PMD.
 *
 * A megaflow is (mask, masked key) -> rule.  The slow path creates it from a
 * rule lookup: the mask is the union of the masks of every rule subtable the
 * lookup probed (vsw_cls_lookup_wc), plus in_port and the fragment bit.
 * Every packet that agrees with the key on those bits probes the same rule
 * subtables with the same results, so it gets the same rule: that is the
 * megaflow invariant of DESIGN.md §3.  The rule's actions are then executed
 * on each packet with that packet's own headers, exactly as the slow path
 * would, so no action can make a megaflow wrong.
 *
 * Structure: megaflows with the same mask form a subtable.  Each in_port has
 * its own ranking of the subtables that hold flows for it, ordered by hits
 * and re-ranked every DPCLS_RERANK_INTERVAL lookups, so the subtable that
 * catches most packets is probed first.  Lookup is batched: the whole burst
 * is probed against the first subtable, the still-unmatched packets (a
 * bitmap) against the second, and so on.
 *
 * All megaflows of a PMD live in one preallocated pool and one open-
 * addressing hash table (linear probing, backward-shift deletion) keyed by
 * (subtable, masked key hash), so inserting and deleting never allocate.
 *
 * Why not OVS's layout: OVS's megaflows for an ACL with 20 mask shapes come
 * in ~248 masks because its prefix tries narrow each address field
 * separately; a hit then probes ~30 subtables.  Here the number of masks is
 * bounded by the number of distinct "probe paths" through the rule
 * subtables, which for that ACL is a handful; see docs/performance.md.
 *
 * Thread safety: one dpcls per PMD, touched only by that PMD.  Other threads
 * ask for dumps through the PMD (dp.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "classifier/rule.h"
#include "vsw/flow.h"

#define DPCLS_MAX_SUBTABLES 512
#define DPCLS_MAX_PORTS 64
#define DPCLS_RERANK_INTERVAL (1u << 20)

struct dpcls_subtable {
    struct vsw_flow mask;
    uint8_t n_words;                   /* Non-zero 64-bit words of 'mask'. */
    uint8_t words[VSW_FLOW_U64S];      /* Their indices. */
    uint32_t n_flows;                  /* Megaflows with this mask. */
    uint32_t id;                       /* Index in dpcls.subtables. */
};

struct megaflow {
    struct vsw_flow key;               /* Masked key. */
    struct dpcls_subtable *st;         /* Mask; NULL if the slot is free. */
    const struct vsw_rule *rule;       /* What to do. */
    uint32_t gen;                      /* Bumped when freed (EMC validation). */
    uint32_t hash;                     /* Hash of 'key' within 'st'. */
    uint64_t packets, bytes;           /* Statistics. */
    uint64_t used_tsc, created_tsc;    /* Last hit / creation. */
};

/* Per in_port ranking of subtables. */
struct dpcls_port {
    uint32_t in_port;                  /* OpenFlow port; UINT32_MAX if unused. */
    uint16_t n;                        /* Subtables in 'order'. */
    uint16_t order[DPCLS_MAX_SUBTABLES];
    uint64_t hits[DPCLS_MAX_SUBTABLES];/* Hits per subtable id since the last rerank. */
};

struct dpcls {
    uint32_t max_flows;                /* Pool size (the flow limit). */
    uint32_t n_flows;
    struct megaflow *flows;            /* Pool. */
    uint32_t *free_stack;              /* Free pool indices. */
    uint32_t n_free;
    uint32_t *slots;                   /* Hash table: pool index + 1, 0 = empty. */
    uint32_t slot_mask;
    struct dpcls_subtable subtables[DPCLS_MAX_SUBTABLES];
    uint32_t n_subtables;
    struct dpcls_port ports[DPCLS_MAX_PORTS];
    uint64_t lookups_since_rerank;
    uint32_t sweep_pos;                /* Idle-expiry cursor. */
};

/** Allocates a dpcls for up to 'max_flows' megaflows (control thread). */
struct dpcls *dpcls_create(uint32_t max_flows, int socket);
void dpcls_destroy(struct dpcls *cls);

/** Removes every megaflow. */
void dpcls_flush(struct dpcls *cls);

/** The ranking for 'in_port' (created on first use; NULL if full). */
struct dpcls_port *dpcls_port_get(struct dpcls *cls, uint32_t in_port, bool create);

/**
 * Looks up the packets of 'flows' whose bit is set in '*keep' (all from
 * 'port').  Hits go to 'mfs[i]' and are cleared from '*keep'.  Adds the
 * number of subtables probed for hits to '*probes'.  Returns the hits.
 */
unsigned dpcls_lookup_batch(struct dpcls *cls, struct dpcls_port *port,
                            const struct vsw_flow *flows, unsigned n, uint64_t *keep,
                            struct megaflow **mfs, uint64_t *probes);

/**
 * Inserts the megaflow (mask, flow & mask) -> rule for packets from
 * 'flow->in_port'.  If an equal megaflow exists it is returned (two upcalls
 * for one flow).  NULL if the flow limit or the subtable limit is reached.
 */
struct megaflow *dpcls_insert(struct dpcls *cls, const struct vsw_flow *flow,
                              const struct vsw_flow *mask, const struct vsw_rule *rule,
                              uint64_t now);

/** Deletes up to 'budget' megaflows idle for more than 'idle_tsc'; returns how many. */
unsigned dpcls_expire(struct dpcls *cls, uint64_t now, uint64_t idle_tsc, unsigned budget);

/** Re-sorts each port's subtables by hits (called periodically). */
void dpcls_rerank(struct dpcls *cls);

#endif /* VSW_DPCLS_H */
