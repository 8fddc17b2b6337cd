/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_RULE_H
#define VSW_RULE_H 1

/*
 * An OpenFlow rule as the datapath sees it.
 *
 * Thread safety:
 *  - Everything but 'stats' is written once by the control thread before the
 *    rule is published (in a classifier snapshot) and never changes after.
 *  - stats[i] is written only by PMD thread i (plain stores, no atomics) and
 *    read by the control thread for dump-flows and idle timeouts; a torn read
 *    of a 64-bit counter cannot happen on x86-64.
 *  - stats[i] is credited by PMD i from its megaflows (dpcls.h), not per
 *    packet.
 *  - 'dead' is set by the control thread once the rule has left the
 *    published snapshot, before it asks the PMDs to revalidate (they read
 *    it then, to find the megaflows that depend on the rule).
 *  - A rule is freed by the control thread only after it has left every
 *    published snapshot, an RCU grace period has passed and no megaflow
 *    names it any more.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "vsw/actions.h"
#include "vsw/match.h"

#define VSW_MAX_PMDS 8

/* Rules, groups and buckets one megaflow may depend on (credit its packets
 * to); a translation through more is executed but not cached. */
#define VSW_MAX_DEPS 32

/** Per-PMD counters of one rule, on its own cache line. */
struct vsw_rule_stats {
    uint64_t n_packets;  /**< Packets that hit the rule. */
    uint64_t n_bytes;    /**< Their bytes. */
    uint64_t used_tsc;   /**< TSC of the last hit, 0 if never. */
} __rte_cache_aligned;

/**
 * What a megaflow credits its packets to and depends on: a rule, a group or
 * a group bucket.  The megaflow's 'deps' point at these; a dependency marked
 * 'dead' (it left the published state) makes the megaflow a revalidation
 * candidate.  Same threading as struct vsw_rule's counters.
 */
enum vsw_counted_kind {
    VSW_COUNTED_RULE, VSW_COUNTED_GROUP, VSW_COUNTED_BUCKET,
    VSW_COUNTED_TABLE_MISS,        /* A lookup in a table (not the first one,
                                    * table 0's, which the PMDs count as
                                    * "missed") that found no rule. */
};
struct vsw_counted {
    struct vsw_rule_stats stats[VSW_MAX_PMDS];
    bool dead;                     /**< Left the published state. */
    uint8_t kind;                  /**< enum vsw_counted_kind. */
};

/** Sums the per-PMD counters of 'c'. */
static inline void
vsw_counted_get(const struct vsw_counted *c, uint64_t *packets, uint64_t *bytes,
                uint64_t *used_tsc)
{
    uint64_t p = 0, b = 0, u = 0;

    for (int i = 0; i < VSW_MAX_PMDS; i++) {
        p += c->stats[i].n_packets;
        b += c->stats[i].n_bytes;
        if (c->stats[i].used_tsc > u) {
            u = c->stats[i].used_tsc;
        }
    }
    *packets = p;
    *bytes = b;
    *used_tsc = u;
}

struct vsw_rule {
    struct vsw_match match;        /**< Normalised match. */
    uint32_t priority;             /**< Higher wins. */
    uint8_t table_id;              /**< OpenFlow table. */
    uint16_t idle_timeout;         /**< Seconds, 0 = never. */
    uint16_t hard_timeout;         /**< Seconds, 0 = never. */
    uint16_t flags;                /**< VSW_FF_* (vsw/ofp_parse.h). */
    uint64_t cookie;               /**< Opaque to us. */
    uint64_t seq;                  /**< Insertion sequence number (stable order). */
    uint64_t created_tsc;          /**< When it was added (TSC). */
    uint64_t base_packets;         /**< Counts carried over from a replaced rule. */
    uint64_t base_bytes;           /**< Likewise, bytes. */
    struct vsw_actions *actions;   /**< Immutable action list, owned. */
    struct vsw_counted c;          /**< Counters; c.dead: left the rule set,
                                    *   about to be freed. */
};

/** The rule whose counters 'c' are (c->kind == VSW_COUNTED_RULE). */
static inline struct vsw_rule *
vsw_rule_from_counted(const struct vsw_counted *c)
{
    return (struct vsw_rule *) (void *) ((char *) (uintptr_t) c - offsetof(struct vsw_rule, c));
}

/** Sums the per-PMD counters of 'r'. */
static inline void
vsw_rule_get_stats(const struct vsw_rule *r, uint64_t *packets, uint64_t *bytes,
                   uint64_t *used_tsc)
{
    vsw_counted_get(&r->c, packets, bytes, used_tsc);
    *packets += r->base_packets;
    *bytes += r->base_bytes;
}

#endif /* VSW_RULE_H */
