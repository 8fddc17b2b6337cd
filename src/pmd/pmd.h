/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PMD_H
#define VSW_PMD_H 1

/*
 * The datapath's threads: one PMD per worker lcore (the loop in pmd.c) and
 * the slow-path handler (upcall.h).  The datapath itself (dp.h: ports,
 * caches, requests) knows neither; vswd starts them once its ports and
 * rules are in place and stops them before it closes the ports.
 *
 * Thread safety: control thread.
 */

struct vsw_dp;

/** Starts the handler, then a PMD on each worker lcore. */
int vsw_threads_start(struct vsw_dp *dp);

/** Stops the PMDs (each finishes what it took in), then the handler, and
 *  frees the packets still in upcall queues.  Idempotent. */
void vsw_threads_stop(struct vsw_dp *dp);

/** The PMD main loop (EAL lcore function; 'pmd' is a struct vsw_pmd). */
int vsw_pmd_main(void *pmd);

#endif /* VSW_PMD_H */
