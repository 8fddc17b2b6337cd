/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_UPCALL_H
#define VSW_UPCALL_H 1

/*
 * The slow-path (handler) thread: it takes the upcalls the PMDs put on
 * their queues (pmd/upcall_queue.h), translates each against the published
 * rules, ports and MAC table (src/xlate/), applies NORMAL's learning, and
 * hands the answers back.  Also the translation helpers that read the same
 * state for a PMD translating for itself and for revalidation.
 *
 * Thread safety: handler_start()/handler_stop() on the control thread; the
 * handler thread runs handler_main(); upcall_translate() on a PMD;
 * upcall_megaflow_valid() on the control thread.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>


#include "pmd/upcall_queue.h"

/** Translates 'up' with the published rules and ports: the rules it passes
 *  through, its datapath actions and megaflow mask.  For a PMD translating
 *  for itself (its queue is full): it may not read the MAC table, so a
 *  NORMAL comes back as an overflow (dropped, counted, not cached). */
void upcall_translate(struct vsw_dp *dp, struct upcall *up);

/** The handler's translation of 'up': with the MAC table (locked for the
 *  whole translation) and NORMAL's learning applied.  Returns true if the
 *  MAC table changed. */
bool upcall_translate_learn(struct vsw_dp *dp, struct upcall *up);

struct vsw_ports_snap;
struct xlate_bridge;
struct vsw_flow;
struct vsw_rule;

/** What translation needs of the bridge: the ports of 'ps', their VLANs and
 *  the MAC table of 'dp' (the caller locks it to translate). */
void upcall_bridge(const struct vsw_dp *dp, const struct vsw_ports_snap *ps,
                   struct xlate_bridge *br);

/** xlate_megaflow_valid() against the published rules, the ports of 'ps'
 *  and the MAC table (locked meanwhile): revalidation's test. */
bool upcall_megaflow_valid(struct vsw_dp *dp, const struct vsw_cls *cls,
                           const struct vsw_ports_snap *ps, const struct vsw_flow *key,
                           const struct vsw_flow *mask, struct vsw_counted *const *deps,
                           unsigned n_deps, const uint8_t *acts, uint16_t len);

/**
 * Wakes the handler if it sleeps.  A PMD calls it after putting upcalls on
 * its 'to_handler' ring: costs one fence, and a write(2) only for the first
 * upcall after the handler went to sleep.  Returns true if it woke it (the
 * answers may then take as long as the scheduler does).
 */
bool handler_kick(struct vsw_dp *dp);

/** Starts/stops the handler thread (runs on the main lcore's CPUs). */
int handler_start(struct vsw_dp *dp);
void handler_stop(struct vsw_dp *dp);

#endif /* VSW_UPCALL_H */
