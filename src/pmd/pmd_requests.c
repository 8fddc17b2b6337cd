/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Requests from the control thread to a PMD about its flow caches: scan the
 * megaflows (push their statistics to the rules, copy some or all of them
 * out: dump-megaflows, trace, revalidation, dump-flows), delete some of
 * them (revalidation), flush everything.  The PMD serves them between two
 * iterations (vsw_pmd_serve_requests()), so its caches keep a single
 * writer; a scan goes a slice at a time, so it never holds up packets for
 * long.  The control thread waits for the answer, at most a second for the
 * PMD to take the request before it withdraws it.
 *
 * Thread safety: the vsw_dp_* functions run on the control thread; the
 * vsw_pmd_* ones on the PMD they are about.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "classifier/dpcls.h"
#include "dp.h"
#include "util.h"

/* Hands 'req' to PMD 'pmd' through the request pointer '*slot' and waits up
 * to a second for the PMD to take it (it swaps the pointer for NULL).  If it
 * did not, withdraws it and returns ETIMEDOUT; once taken, waits for 'done'
 * (a PMD that stops sets it too). */
static int
pmd_request(void **slot, void *req, volatile bool *done)
{
    __atomic_store_n(slot, req, __ATOMIC_RELEASE);
    /* 50 us steps: a PMD takes a request within an iteration, and MAC
     * learning waits for revalidation -- 1 ms steps made a learned MAC take
     * ~10 ms to stop being flooded. */
    for (int i = 0; i < 20000 && __atomic_load_n(slot, __ATOMIC_ACQUIRE) == req; i++) {
        rte_delay_us_sleep(50);
    }
    void *expected = req;
    if (__atomic_compare_exchange_n(slot, &expected, NULL, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        return ETIMEDOUT;
    }
    while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
        rte_delay_us_sleep(50);
    }
    return 0;
}

int
vsw_dp_scan_megaflows(struct vsw_dp *dp, unsigned idx, const struct vsw_mf_scan_spec *spec,
                      struct vsw_mf_dump **out, uint32_t *n, bool *truncated)
{
    struct vsw_pmd *pmd = &dp->pmds[idx];
    struct vsw_mf_scan_req req = { .spec = *spec };
    enum vsw_mf_scan_select select = spec->select;

    *out = NULL;
    *n = 0;
    if (truncated) {
        *truncated = false;
    }
    if (!dp->running) {
        return 0;
    }
    if (select != VSW_SCAN_NONE) {
        /* The PMD may install more while it scans: leave room. */
        uint32_t now = __atomic_load_n(&pmd->dpcls->n_flows, __ATOMIC_RELAXED);
        req.capacity = now + 4096 < dp->flow_limit ? now + 4096 : dp->flow_limit;
        if (select != VSW_SCAN_ALL && req.capacity > 65536) {
            req.capacity = 65536;   /* More than that: revalidate everything. */
        }
        req.entries = malloc(sizeof *req.entries * req.capacity);
        if (!req.entries) {
            return ENOMEM;
        }
    }
    if (pmd_request((void **) &pmd->scan_req, &req, &req.done)) {
        free(req.entries);
        return ETIMEDOUT;
    }
    if (req.n) {
        *out = req.entries;
    } else {
        free(req.entries);
    }
    *n = req.n;
    if (truncated) {
        *truncated = req.truncated;
    }
    return 0;
}

int
vsw_dp_dump_megaflows(struct vsw_dp *dp, unsigned idx, struct vsw_mf_dump **out, uint32_t *n)
{
    struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_ALL };
    return vsw_dp_scan_megaflows(dp, idx, &spec, out, n, NULL);
}

void
vsw_dp_sync_stats(struct vsw_dp *dp)
{
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        struct vsw_mf_dump *e;
        uint32_t n;
        struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_NONE };
        vsw_dp_scan_megaflows(dp, i, &spec, &e, &n, NULL);
        free(e);
    }
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
    int error = pmd_request((void **) &pmd->del_req, &req, &req.done);
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

/* --- PMD side. --- */

static bool
mac_in(const struct vsw_mf_scan_spec *spec, const uint8_t mac[6])
{
    uint64_t v = vsw_mac_to_u64(mac);
    size_t lo = 0, hi = spec->n_macs;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spec->macs[mid] < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < spec->n_macs && spec->macs[lo] == v;
}

/* Whether a MAC table change of 'spec->macs' may change 'mf'. */
static bool
mac_affects(const struct vsw_mf_scan_spec *spec, const struct megaflow *mf)
{
    static const uint8_t all[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct vsw_flow key;

    if (!(mf->xflags & VSW_XLATE_READ_FDB)) {
        return false;
    }
    if (mf->xflags & VSW_XLATE_READ_FDB_ANY) {
        return true;
    }
    const struct vsw_flow *mask = &mf->st->mask;
    if (memcmp(mask->dl_src, all, 6) || memcmp(mask->dl_dst, all, 6)) {
        return true;   /* Not an address it holds: assume the worst. */
    }
    dpcls_megaflow_key(mf, &key);
    return mac_in(spec, key.dl_src) || mac_in(spec, key.dl_dst);
}

static bool
scan_selects(const struct vsw_mf_scan_spec *spec, const struct megaflow *mf)
{
    switch (spec->select) {
    case VSW_SCAN_NONE:
        return false;
    case VSW_SCAN_ALL:
        return true;
    case VSW_SCAN_AFFECTED:
        for (unsigned i = 0; i < mf->n_deps; i++) {
            if (mf->deps[i]->dead) {
                return true;
            }
        }
        for (size_t r = 0; r < spec->n_regions; r++) {
            if (dpcls_mf_intersects(mf, &spec->regions[r])) {
                return true;
            }
        }
        return false;
    case VSW_SCAN_FDB:
        return mf->xflags & VSW_XLATE_READ_FDB;
    case VSW_SCAN_MACS:
        return mac_affects(spec, mf);
    case VSW_SCAN_PORT:
        if (mf->xflags & (VSW_XLATE_READ_PORTS | VSW_XLATE_READ_FDB)) {
            return true;
        } else {
            struct vsw_flow key;
            dpcls_megaflow_key(mf, &key);
            return key.in_port == spec->port;
        }
    }
    return true;
}

static void
scan_copy(const struct megaflow *mf, uint32_t idx, struct vsw_mf_dump *e)
{
    e->idx = idx;
    e->gen = mf->gen;
    dpcls_megaflow_key(mf, &e->key);
    e->mask = mf->st->mask;
    e->n_deps = mf->n_deps;
    memcpy(e->deps, mf->deps, sizeof e->deps[0] * mf->n_deps);
    e->acts_len = mf->acts_len;
    memcpy(e->acts, mf->acts, mf->acts_len);
    e->packets = mf->packets;
    e->bytes = mf->bytes;
    e->used_tsc = mf->used_tsc;
}

/* Does one slice of the current scan; true when it is complete. */
static bool
scan_slice(struct vsw_pmd *pmd, struct vsw_mf_scan_req *req)
{
    struct dpcls *d = pmd->dpcls;

    for (unsigned k = 0; k < VSW_SCAN_SLICE; k++) {
        struct megaflow *mf = dpcls_next(d, &req->pos);
        if (!mf) {
            return true;
        }
        req->visited++;
        dpcls_push_stats(d, mf);
        if (scan_selects(&req->spec, mf)) {
            if (req->n == req->capacity) {
                req->truncated = true;
                return true;
            }
            scan_copy(mf, (uint32_t) (mf - d->flows), &req->entries[req->n++]);
        }
    }
    return false;
}

void
vsw_pmd_serve_requests(struct vsw_pmd *pmd)
{
    if (!pmd->scanning && __atomic_load_n(&pmd->scan_req, __ATOMIC_RELAXED)) {
        pmd->scanning = __atomic_exchange_n(&pmd->scan_req, NULL, __ATOMIC_ACQ_REL);
    }
    if (pmd->scanning && scan_slice(pmd, pmd->scanning)) {
        __atomic_store_n(&pmd->scanning->done, true, __ATOMIC_RELEASE);
        pmd->scanning = NULL;
    }
    if (__atomic_load_n(&pmd->del_req, __ATOMIC_RELAXED)) {
        struct vsw_mf_del_req *del = __atomic_exchange_n(&pmd->del_req, NULL, __ATOMIC_ACQ_REL);
        if (del) {
            del->n_deleted = dpcls_delete(pmd->dpcls, del->idx, del->gen, del->n);
            __atomic_store_n(&del->done, true, __ATOMIC_RELEASE);
        }
    }
    if (pmd->clear_stats) {
        memset(&pmd->stats, 0, sizeof pmd->stats);
        pmd->clear_stats = false;
    }
}

void
vsw_pmd_abandon_requests(struct vsw_pmd *pmd)
{
    /* Stopping: finish what was taken (its waiter needs 'done'); what was
     * not taken, the waiter withdraws after its timeout. */
    while (pmd->scanning) {
        vsw_pmd_serve_requests(pmd);
    }
}
