/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CLS_H
#define VSW_CLS_H 1

/*
 * The rule classifier: an immutable snapshot of the OpenFlow rule tables,
 * organised for lookup by tuple-space search.
 *
 * Design:
 *  - Rules of one table are grouped by mask into subtables.  A subtable is an
 *    open-addressing hash table keyed by the masked flow; an entry holds all
 *    rules that have exactly that match, sorted by priority (highest first).
 *  - Subtables are sorted by the highest priority they contain.  Lookup probes
 *    them in that order and stops as soon as the best rule found so far has a
 *    priority no lower than the next subtable's maximum, so a high-priority
 *    hit skips most of the table.
 *  - The mask of each subtable is also kept as the list of its non-zero 64-bit
 *    words: masking, hashing and comparing touch only those.
 *  - A snapshot is built in one go (O(n log n)) from the control thread's rule
 *    list and never modified: a rule change builds a new snapshot and
 *    publishes it with RCU.  So a file of 10 000 rules loads atomically, and
 *    PMD threads read the classifier without any lock.
 *
 * Ties between overlapping rules of equal priority are broken by insertion
 * order (the older rule wins); OpenFlow leaves this undefined.
 *
 * Thread safety: vsw_cls_build()/vsw_cls_free() run on the control thread;
 * vsw_cls_lookup() may run on any thread holding an RCU read-side reference
 * to the snapshot.
 */

#include <stdint.h>

#include "vsw/flow.h"
#include "vsw/match.h"
#include "classifier/rule.h"

#define VSW_N_TABLES 255

struct vsw_cls;

/** Builds a snapshot of the 'n' rules in 'rules' (any order). NULL on ENOMEM. */
struct vsw_cls *vsw_cls_build(struct vsw_rule *const *rules, size_t n);

/** Frees a snapshot (not the rules). */
void vsw_cls_free(struct vsw_cls *cls);

/** Highest-priority rule of 'table' that matches 'flow' with every
 *  pipeline field zero, or NULL. */
const struct vsw_rule *vsw_cls_lookup(const struct vsw_cls *cls, uint8_t table,
                                      const struct vsw_flow *flow);

/**
 * The rule of 'table' for 'key' (headers and pipeline fields), and ORs into
 * 'wc' (if nonnull) the header part of the mask of every subtable it
 * probed: every key that agrees with 'key' on the bits of 'wc' and on the
 * pipeline fields gets the same answer.  This is what makes a megaflow
 * correct.
 */
const struct vsw_rule *vsw_cls_lookup_wc(const struct vsw_cls *cls, uint8_t table,
                                         const struct vsw_ofkey *key, struct vsw_flow *wc);

/** The generation number of the rule set a snapshot was built from. */
void vsw_cls_set_gen(struct vsw_cls *cls, uint64_t gen);
uint64_t vsw_cls_gen(const struct vsw_cls *cls);

/** Lets lookups that miss credit 'misses[table]' (VSW_N_TABLES counters
 *  that outlive the snapshot); NULL: not counted. */
void vsw_cls_set_miss_counters(struct vsw_cls *cls, struct vsw_counted *misses);
struct vsw_counted *vsw_cls_miss_counter(const struct vsw_cls *cls, uint8_t table);

/** Every header bit some rule of some table matches on: a megaflow under
 *  its mask OR this is its "fine" form (classifier/dpcls.h). */
const struct vsw_flow *vsw_cls_header_union(const struct vsw_cls *cls);

/** Number of rules in 'table' (dump-tables' "active"). */
unsigned vsw_cls_n_rules(const struct vsw_cls *cls, uint8_t table);

/** Number of subtables in 'table' (for statistics and tests). */
unsigned vsw_cls_n_subtables(const struct vsw_cls *cls, uint8_t table);

#endif /* VSW_CLS_H */
