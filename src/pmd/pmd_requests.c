/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requests from the control thread to a PMD about its flow caches: copy the
 * megaflows out (dump-megaflows, trace, revalidation), delete some of them
 * (revalidation), flush everything.  The PMD serves them between two
 * iterations (serve_requests() in pmd.c), so its caches keep a single
 * writer; the control thread waits for the answer, at most a second before
 * it withdraws a request the PMD has not taken.
 *
 * Thread safety: control thread (the caller) and the PMD asked.
 */

#include <errno.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "classifier/dpcls.h"
#include "dp.h"

/* Hands 'req' to PMD 'pmd' through the request pointer '*slot' and waits up
 * to a second for 'done'.  If the PMD did not take it, withdraws it and
 * returns ETIMEDOUT; once taken, waits for it to finish. */
static int
pmd_request(void *volatile *slot, void *req, volatile bool *done)
{
    __atomic_store_n(slot, req, __ATOMIC_RELEASE);
    /* 50 us steps: a PMD answers within an iteration, and MAC learning
     * waits for this (l2/fdb_cmds.c) -- 1 ms steps made a learned MAC
     * take ~10 ms to stop being flooded. */
    for (int i = 0; i < 20000 && !__atomic_load_n(done, __ATOMIC_ACQUIRE); i++) {
        rte_delay_us_sleep(50);
    }
    if (!*done) {
        void *expected = req;
        if (__atomic_compare_exchange_n(slot, &expected, NULL, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            return ETIMEDOUT;
        }
        while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
            rte_delay_us_sleep(100);
        }
    }
    return 0;
}

static int
dump_megaflows(struct vsw_dp *dp, unsigned idx, uint32_t capacity, struct vsw_mf_dump **out,
               uint32_t *n, bool *truncated)
{
    struct vsw_pmd *pmd = &dp->pmds[idx];
    struct vsw_mf_dump_req req = { 0 };

    *out = NULL;
    *n = 0;
    if (truncated) {
        *truncated = false;
    }
    if (!dp->running) {
        return 0;
    }
    req.capacity = capacity;
    req.entries = malloc(sizeof *req.entries * (capacity ? capacity : 1));
    if (!req.entries) {
        return ENOMEM;
    }
    if (pmd_request((void *volatile *) &pmd->dump_req, &req, &req.done)) {
        free(req.entries);
        return ETIMEDOUT;
    }
    *out = req.entries;
    *n = req.n;
    if (truncated) {
        *truncated = req.truncated;
    }
    return 0;
}

int
vsw_dp_dump_megaflows(struct vsw_dp *dp, unsigned idx, struct vsw_mf_dump **out, uint32_t *n)
{
    return dump_megaflows(dp, idx, dp->flow_limit, out, n, NULL);
}

int
vsw_dp_dump_megaflows_all(struct vsw_dp *dp, unsigned idx, struct vsw_mf_dump **out,
                          uint32_t *n, bool *truncated)
{
    /* The PMD may install more while we ask: leave room, and flush if even
     * that is not enough ('truncated'). */
    uint32_t now = __atomic_load_n(&dp->pmds[idx].dpcls->n_flows, __ATOMIC_RELAXED);
    uint32_t capacity = now + 4096 < dp->flow_limit ? now + 4096 : dp->flow_limit;

    return dump_megaflows(dp, idx, capacity, out, n, truncated);
}

int
vsw_dp_delete_megaflows(struct vsw_dp *dp, unsigned idx, const uint32_t *slots,
                        const uint32_t *gens, uint32_t n, uint32_t *n_deleted)
{
    struct vsw_pmd *pmd = &dp->pmds[idx];
    struct vsw_mf_del_req req = { .idx = slots, .gen = gens, .n = n };

    *n_deleted = 0;
    if (!n || !dp->running) {
        return 0;
    }
    int error = pmd_request((void *volatile *) &pmd->del_req, &req, &req.done);
    *n_deleted = req.n_deleted;
    return error;
}

void
vsw_dp_flush_caches(struct vsw_dp *dp)
{
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        __atomic_store_n(&dp->pmds[i].flush_req, true, __ATOMIC_RELEASE);
    }
    /* A PMD checks the flag at the top of an iteration and reports a
     * quiescent state at its end: after a grace period every PMD has. */
    vsw_dp_synchronize(dp);
}
