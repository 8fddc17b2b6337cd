/* SPDX-License-Identifier: Apache-2.0 */
/* Exact-match cache; see emc.h for the design and the insertion policy. */

#include <string.h>

#include <rte_cpuflags.h>
#include <rte_prefetch.h>

#include "classifier/dpcls.h"
#include "classifier/emc.h"

emc_sig_match_fn *
emc_sig_match_best(const char **name)
{
    if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2)) {
        *name = "avx2";
        return emc_sig_match_avx2;
    }
    if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2)) {
        *name = "sse4.2";
        return emc_sig_match_sse42;
    }
    *name = "scalar";
    return emc_sig_match_scalar;
}

void
emc_init(struct emc *emc)
{
    memset(emc, 0, sizeof *emc);
}

void
emc_flush(struct emc *emc)
{
    memset(emc->buckets, 0, sizeof emc->buckets);
    for (unsigned b = 0; b < EMC_BUCKETS; b++) {
        for (unsigned w = 0; w < EMC_WAYS; w++) {
            emc->entries[b][w].mf = NULL;
        }
    }
}

static inline bool
key_equal(const struct vsw_flow *a, const struct vsw_flow *b)
{
    const vsw_flow_word *x = vsw_flow_cwords(a), *y = vsw_flow_cwords(b);
    uint64_t diff = 0;
    for (unsigned i = 0; i < VSW_FLOW_U64S; i++) {
        diff |= x[i] ^ y[i];
    }
    return !diff;
}

unsigned
emc_lookup_batch(struct emc *emc, emc_sig_match_fn *match, const struct vsw_flow *flows,
                 const uint32_t *hashes, unsigned n, uint64_t *keep, struct megaflow **mfs)
{
    const struct emc_bucket *buckets[64];
    uint32_t sigs[64];
    uint8_t cand[64];
    unsigned idx[64], m = 0, hits = 0;
    uint64_t left = *keep;

    for (uint64_t t = left; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        buckets[m] = emc_bucket_of(emc, hashes[i]);
        sigs[m] = emc_sig(hashes[i]);
        idx[m++] = i;
        rte_prefetch0(buckets[m - 1]);
    }
    if (!m) {
        return 0;
    }
    match(buckets, sigs, m, cand);
    /* The candidate entries of the whole burst are fetched at once (a
     * 1 000-flow working set does not stay in L1), then compared. */
    for (unsigned k = 0; k < m; k++) {
        if (cand[k]) {
            unsigned bi = (unsigned) (buckets[k] - emc->buckets);
            const struct emc_entry *e = &emc->entries[bi][__builtin_ctz(cand[k])];
            rte_prefetch0(e);
            rte_prefetch0((const char *) e + RTE_CACHE_LINE_SIZE);
            rte_prefetch0((const char *) e + 2 * RTE_CACHE_LINE_SIZE);
        }
    }
    for (unsigned k = 0; k < m; k++) {
        unsigned i = idx[k];
        struct emc_bucket *b = (struct emc_bucket *) buckets[k];
        unsigned bi = (unsigned) (b - emc->buckets);
        for (uint8_t c = cand[k]; c; c &= (uint8_t) (c - 1)) {
            unsigned w = (unsigned) __builtin_ctz(c);
            struct emc_entry *e = &emc->entries[bi][w];
            if (e->mf && e->mf->gen == e->mf_gen && key_equal(&e->key, &flows[i])) {
                mfs[i] = e->mf;
                b->referenced |= (uint8_t) (1u << w);
                left &= ~(1ull << i);
                hits++;
                break;
            }
        }
    }
    *keep = left;
    return hits;
}

void
emc_insert(struct emc *emc, const struct vsw_flow *flow, uint32_t hash, struct megaflow *mf)
{
    struct emc_bucket *b = emc_bucket_of(emc, hash);
    unsigned bi = (unsigned) (b - emc->buckets);
    uint32_t sig = emc_sig(hash);
    int victim = -1;

    for (unsigned w = 0; w < EMC_WAYS; w++) {
        struct emc_entry *e = &emc->entries[bi][w];
        if (!b->sigs[w] || !e->mf || e->mf->gen != e->mf_gen) {
            victim = (int) w;    /* Free or stale. */
            break;
        }
        if (b->sigs[w] == sig && key_equal(&e->key, flow)) {
            victim = (int) w;    /* Same key: refresh. */
            break;
        }
    }
    if (victim < 0) {
        /* Clock: the first way not referenced since the last scan; clear the
         * bits we pass.  If all are referenced, take way hash % 8. */
        for (unsigned w = 0; w < EMC_WAYS; w++) {
            if (!(b->referenced & (1u << w))) {
                victim = (int) w;
                break;
            }
            b->referenced &= (uint8_t) ~(1u << w);
        }
        if (victim < 0) {
            victim = (int) (hash >> 29) & (EMC_WAYS - 1);
        }
    }
    struct emc_entry *e = &emc->entries[bi][victim];
    e->key = *flow;
    e->mf = mf;
    e->mf_gen = mf->gen;
    b->sigs[victim] = sig;
    b->referenced &= (uint8_t) ~(1u << victim);
}

void
emc_account(struct emc *emc, unsigned lookups, unsigned hits)
{
    emc->win_lookups += lookups;
    emc->win_hits += hits;
    uint64_t window = emc->bypass ? EMC_WINDOW / EMC_SAMPLE_EVERY : EMC_WINDOW;
    if (emc->win_lookups < window) {
        return;
    }
    uint64_t pct = emc->win_hits * 100 / emc->win_lookups;
    bool bypass = emc->bypass ? pct < EMC_NORMAL_ABOVE : pct < EMC_BYPASS_BELOW;
    if (bypass != emc->bypass) {
        emc->bypass = bypass;
        emc->mode_switches++;
    }
    emc->win_lookups = emc->win_hits = 0;
}
