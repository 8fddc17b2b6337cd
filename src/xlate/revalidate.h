/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_REVALIDATE_H
#define VSW_REVALIDATE_H 1

/*
 * Revalidation: after the rules change, keep every cached megaflow whose
 * translation is still the same and delete only the others.
 *
 * What: each PMD scans its megaflows (a PMD request, a slice per
 * iteration) and copies out the candidates: those that may be affected by
 * the change.  Each candidate is translated again against the published
 * rules and ports with its masked key as the flow (xlate_flow()), and it
 * stays only if the new translation passes the same rules, gives the same
 * datapath actions and read no bit outside the megaflow's mask.  That last
 * condition is what makes keeping it correct: every packet the megaflow
 * matches agrees with the key on every bit the new translation read, so it
 * takes the same path through the rules (DESIGN.md §3).  The rest are
 * deleted by the PMD (a second request), exactly those slots at the
 * generation seen, so a megaflow installed meanwhile (from the new rules)
 * is never touched.
 *
 * Candidates: after a rule change, a megaflow is a candidate if it depends
 * on a rule that left (marked 'dead'), or if its (key, mask) intersects the
 * match of a new rule.  After a MAC table change, if its translation read
 * the MAC table (NORMAL) about one of the changed MACs: as its source or
 * destination, or -- when an action before NORMAL rewrote a MAC, which the
 * megaflow's key then does not hold -- about any MAC.  A megaflow that does neither keeps
 * its translation: the lookup that made it saw no rule that is gone, and
 * no new rule can match any of its packets.  The test per megaflow is a few
 * masked word compares, so a change to one rule of 10 000 scans 100 000
 * megaflows in about a millisecond of PMD time (spread over iterations)
 * and re-translates only the handful it overlaps.  Counting the
 * candidates, checks and deletions (vswctl reval-stats) shows what a
 * change cost.
 *
 * Why: a flush on every change empties every cache of every PMD, and under
 * rule churn the switch forwards at upcall speed; re-translating every
 * megaflow on every change costs the control thread (and the copy out of
 * the PMD) time proportional to the cache, not to the change.
 *
 * When: the control thread calls it after publishing new rules (the RCU
 * grace period has passed, so every later upcall sees them) and before it
 * frees the rules that left.  If a PMD cannot be asked (no answer within a
 * second) or has more candidates than the copy had room for, that falls
 * back to a flush of every PMD's caches, which is always correct.
 *
 * Thread safety: control thread only (it waits for the PMDs).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classifier/dpcls.h"

struct vsw_dp;

struct vsw_reval_stats {
    uint64_t scanned;     /* Megaflows the PMDs looked at. */
    uint64_t checked;     /* Candidates translated again. */
    uint64_t deleted;     /* Of those, deleted (translation changed). */
    bool flushed;         /* Fell back to flushing every cache. */
};

/** Revalidates every megaflow of every PMD against the published rules. */
void vsw_revalidate(struct vsw_dp *dp, struct vsw_reval_stats *st);

/** Revalidates the megaflows of every PMD that depend on a rule marked dead
 *  or intersect one of the 'n' 'regions'. */
/** After a change of port 'ofport' (added, deleted, VLAN setting, link
 *  state): checks the megaflows whose translation read the ports or that
 *  come in on that port; the others cannot have changed. */
void vsw_revalidate_port(struct vsw_dp *dp, uint32_t ofport, struct vsw_reval_stats *st);

void vsw_revalidate_regions(struct vsw_dp *dp, const struct vsw_reval_region *regions,
                            size_t n, struct vsw_reval_stats *st);

/** Revalidates the megaflows of every PMD whose translation read the MAC
 *  table about one of the 'n' MACs 'macs' (learned, moved, aged, flushed):
 *  those with the MAC as source or destination, and those whose NORMAL
 *  looked up a MAC an earlier action had rewritten. */
void vsw_revalidate_macs(struct vsw_dp *dp, const uint8_t (*macs)[6], size_t n,
                         struct vsw_reval_stats *st);

/** Totals since start: megaflows scanned/checked/deleted, revalidations,
 *  and how many of them fell back to a flush (vswctl reval-stats). */
void vsw_revalidate_totals(struct vsw_reval_stats *total, uint64_t *n_runs,
                           uint64_t *n_flushes);

#endif /* VSW_REVALIDATE_H */
