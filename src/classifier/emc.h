/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_EMC_H
#define VSW_EMC_H 1

/*
 * Exact-match cache (EMC): the first cache a packet meets on the fast path.
 *
 * What it caches: full flow key -> megaflow, for the flows seen most
 * recently by one PMD thread.  A hit skips the megaflow classifier.
 *
 * Size: EMC_BUCKETS (1024) buckets x EMC_WAYS (8) ways = 8192 entries,
 * about 1.4 MB per PMD.  A bucket keeps its eight 32-bit signatures in one
 * 32-byte array, so finding the candidate ways of a packet is one 256-bit
 * compare (AVX2), two 128-bit compares (SSE4.2) or a scalar loop; the
 * variant is chosen at run time (emc_sig_*.c, each with the same contract,
 * and tests/unit/test_fastpath.c compares them on random input).  Candidates are
 * then confirmed by comparing the whole key.
 *
 * Insertion policy: an EMC only pays when the working set fits it.  With far
 * more active flows than entries (100 000 flows vs 8192 entries), inserting
 * every miss evicts entries before they are hit again, and even looking up
 * costs a cache miss per packet for a few percent of hits: OVS measured
 * 9.0 Mpps with its 1/100 insertion, 11.3 with the EMC off, 7.8 inserting
 * always.  So the EMC watches its own hit rate over windows of
 * EMC_WINDOW lookups:
 *   - normal mode: look up every packet; insert every megaflow hit into a
 *     free way, else into a way whose "referenced" bit is clear (a clock:
 *     hits set the bit, the insertion scan clears it), so entries being hit
 *     survive a stream of one-off flows;
 *   - bypass mode, entered when a window's hit rate falls below
 *     EMC_BYPASS_BELOW: only one burst in EMC_SAMPLE_EVERY is looked up
 *     and inserted; the sampled hit rate brings it back to normal mode
 *     once it rises above EMC_NORMAL_ABOVE.
 * The PMD also skips the EMC for a port whose megaflows all share one mask
 * of a few words: probing that subtable is cheaper than hashing and
 * comparing a whole key (pmd.c).  Measured by scripts/bench (scenarios a,
 * b) and shown by pmd-stats.
 *
 * Thread safety: one EMC per PMD, touched only by that PMD.  Entries point
 * at megaflows of the same PMD; a megaflow carries a generation number that
 * an entry must match, so a deleted or reused megaflow is never returned.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "vsw/flow.h"

#define EMC_WAYS 8
#define EMC_BUCKETS 1024
#define EMC_WINDOW 65536          /* Lookups per hit-rate window. */
#define EMC_BYPASS_BELOW 20       /* Percent. */
#define EMC_NORMAL_ABOVE 40       /* Percent (of sampled lookups). */
#define EMC_SAMPLE_EVERY 16       /* Bursts. */

struct megaflow;

struct emc_entry {
    struct vsw_flow key;          /* Full flow key. */
    struct megaflow *mf;          /* Target; NULL if empty. */
    uint32_t mf_gen;              /* mf->gen when inserted. */
    uint32_t pad;
};

struct emc_bucket {
    uint32_t sigs[EMC_WAYS];      /* Hash signature per way, 0 = empty. */
    uint8_t referenced;           /* Bit per way: hit since last scan. */
} __rte_aligned(64);

struct emc {
    struct emc_bucket buckets[EMC_BUCKETS];
    struct emc_entry entries[EMC_BUCKETS][EMC_WAYS];
    bool bypass;                  /* Bypass mode (see above). */
    uint32_t burst_count;         /* For sampling in bypass mode. */
    uint64_t win_lookups;         /* Current window. */
    uint64_t win_hits;
    uint64_t mode_switches;       /* Statistics. */
};

/** Matches 'sig' against the signatures of 'n' buckets; writes a bitmap of
 *  candidate ways per packet.  Variants: */
typedef void emc_sig_match_fn(const struct emc_bucket *const *buckets, const uint32_t *sigs,
                              unsigned n, uint8_t *out);
emc_sig_match_fn emc_sig_match_scalar;
emc_sig_match_fn emc_sig_match_sse42;
emc_sig_match_fn emc_sig_match_avx2;

/** The best variant this CPU supports (chosen once). */
emc_sig_match_fn *emc_sig_match_best(const char **name);

void emc_init(struct emc *emc);
void emc_flush(struct emc *emc);

/** Signature of a hash (never 0). */
static inline uint32_t
emc_sig(uint32_t hash)
{
    return hash | 1;
}

static inline struct emc_bucket *
emc_bucket_of(struct emc *emc, uint32_t hash)
{
    return &emc->buckets[(hash >> 3) & (EMC_BUCKETS - 1)];
}

/**
 * Looks up 'n' packets.  'keep' is a bitmap of packets to look up; hits are
 * written to 'mfs[i]' and cleared from 'keep'.  Returns the number of hits.
 */
unsigned emc_lookup_batch(struct emc *emc, emc_sig_match_fn *match, const struct vsw_flow *flows,
                          const uint32_t *hashes, unsigned n, uint64_t *keep,
                          struct megaflow **mfs);

/** Inserts flow -> mf (policy above). */
void emc_insert(struct emc *emc, const struct vsw_flow *flow, uint32_t hash, struct megaflow *mf);

/** True if this burst should use the EMC at all (bypass sampling). */
static inline bool
emc_burst_enabled(struct emc *emc)
{
    return !emc->bypass || (++emc->burst_count % EMC_SAMPLE_EVERY) == 0;
}

/** Accounts a burst's lookups and hits; switches mode at window ends. */
void emc_account(struct emc *emc, unsigned lookups, unsigned hits);

#endif /* VSW_EMC_H */
