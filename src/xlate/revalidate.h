/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_REVALIDATE_H
#define VSW_REVALIDATE_H 1

/*
 * Revalidation: after the rules change, keep every cached megaflow whose
 * translation is still the same and delete only the others.
 *
 * What: for each PMD, the megaflows are copied out (a PMD request), each is
 * translated again against the published rules and ports with its masked
 * key as the flow (xlate_flow()), and it stays only if the new translation
 * gives the same rule and the same datapath actions and read no bit outside
 * the megaflow's mask.  That last condition is what makes keeping it
 * correct: every packet the megaflow matches agrees with the key on every
 * bit the new translation read, so it takes the same path through the
 * rules (DESIGN.md §3).  The rest are deleted by the PMD (a second
 * request), exactly those slots at the generation seen, so a megaflow
 * installed meanwhile (from the new rules) is never touched.
 *
 * Why: a flush on every change empties every cache of every PMD, and under
 * rule churn the switch forwards at upcall speed.  A change to one rule of
 * thousands now costs the megaflows that rule could affect.
 *
 * When: the control thread calls it after publishing new rules (the RCU
 * grace period has passed, so every later upcall sees them) and before it
 * frees the rules that left: a megaflow that named a dead rule is deleted
 * first.  If a PMD cannot be asked (no answer within a second) or holds more
 * megaflows than the copy had room for, that falls back to a flush of every
 * PMD's caches, which is always correct.
 *
 * Thread safety: control thread only.
 */

#include <stddef.h>
#include <stdint.h>

#include "vsw/flow.h"

struct vsw_dp;

struct vsw_reval_stats {
    uint64_t checked;     /* Megaflows translated again. */
    uint64_t deleted;     /* Of those, deleted (translation changed). */
    bool flushed;         /* Fell back to flushing every cache. */
};

/** Revalidates every PMD's megaflows against the published rules. */
void vsw_revalidate(struct vsw_dp *dp, struct vsw_reval_stats *st);

/** A set of flows: those that agree with 'key' on the bits of 'mask'. */
struct vsw_reval_region {
    struct vsw_flow key, mask;
};

/**
 * Re-translates the megaflows of every PMD whose (key, mask) region
 * intersects one of the 'n' regions 'r', deleting those whose translation
 * changed (the MAC table's changes: {dl_dst=M} and {dl_src=M} for a MAC M
 * learned, moved or forgotten).  Control thread only (it waits for the
 * PMDs).  For now every megaflow is revalidated (correct, not minimal).
 *
 * Note for the region test: NORMAL decides on the MACs as earlier actions
 * rewrote them (mod_dl_dst:M,NORMAL looks M up), so a megaflow whose
 * datapath actions contain a set(eth(..)) may depend on a MAC its key does
 * not hold; such megaflows must count as intersecting every region of a
 * MAC table change.
 */
void vsw_revalidate_regions(struct vsw_dp *dp, const struct vsw_reval_region *r, size_t n,
                            struct vsw_reval_stats *st);

#endif /* VSW_REVALIDATE_H */
