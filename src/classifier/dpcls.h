/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_DPCLS_H
#define VSW_DPCLS_H 1

/*
 * The megaflow classifier (dpcls): the second cache level of a PMD.
 *
 * A megaflow is (mask, masked key) -> datapath actions, plus the rules its
 * translation passed through (its dependencies).  The slow path creates it
 * (src/xlate/): the mask is the union of the masks of every rule subtable
 * the lookup probed, every field the translation read, in_port and the
 * fragment bit.  Every packet that agrees with the key on those bits gets
 * the same translation: that is the megaflow invariant of DESIGN.md §3.
 *
 * Statistics: a hit counts only in the megaflow (packets, bytes, used).
 * The PMD pushes what is new since the last push ("pushed_*") to every rule
 * in 'deps' -- into that rule's counter slot of this PMD, so each counter
 * keeps one writer -- off the per-packet path: in the periodic sweep, when
 * the megaflow is deleted (revalidation, expiry, flush) and when the
 * control thread asks before it reads rule counters (dump-flows, idle
 * timeouts).  A megaflow spanning several rules thus counts in all of them.
 * A rule is freed only after every megaflow naming it is gone (revalidation
 * marks it dead first), so a push never reaches freed memory.
 *
 * Structure: megaflows with the same mask form a subtable.  Each in_port has
 * its own ranking of the subtables that hold flows for it, ordered by hits
 * and re-ranked every DPCLS_RERANK_INTERVAL lookups, so the subtable that
 * catches most packets is probed first.  Lookup is batched: the whole burst
 * is probed against the first subtable, the still-unmatched packets (a
 * bitmap) against the second, and so on.
 *
 * All megaflows of a PMD live in one preallocated pool and one open-
 * addressing hash table (linear probing, backward-shift deletion) keyed by
 * (subtable, masked key hash), so inserting and deleting never allocate.
 *
 * Bounded masks (a Tuple Space Explosion attack, CVE-2019-25076 for OVS,
 * sends packets that each make the slow path produce a megaflow with a new
 * mask, so that every miss, and every hit ranked after them, probes ever
 * more subtables).  A megaflow stays correct under a finer mask (more bits
 * matched: it covers fewer packets, all of which get the same answer), so
 * each in_port admits the first DPCLS_PORT_MASKS masks as the translation
 * made them; a megaflow whose mask would be one more is installed under
 * its "fine" mask instead -- its mask plus every header bit any rule of
 * any table matches on (vsw_cls_header_union()), which the translation
 * computes alongside -- up to DPCLS_PORT_FINE more masks, and past those
 * under the exact mask (every bit of the key).  So a port never has more
 * than DPCLS_PORT_MASKS + DPCLS_PORT_FINE + 1 subtables, a miss probes at
 * most that many, and a new legitimate flow is still cached during an
 * attack (as a narrower megaflow).  A port's masks come back as expiry
 * empties their subtables.  docs/architecture.md has the measurements.
 *
 * Why not OVS's layout: OVS's megaflows for an ACL with 20 mask shapes come
 * in ~248 masks because its prefix tries narrow each address field
 * separately; a hit then probes ~30 subtables.  Here the number of masks is
 * bounded by the number of distinct "probe paths" through the rule
 * subtables, which for that ACL is a handful; see docs/performance.md.
 *
 * Thread safety: one dpcls per PMD, touched only by that PMD.  Other threads
 * ask for dumps through the PMD (dp.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "classifier/rule.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

#define DPCLS_MAX_SUBTABLES 512
#define DPCLS_PORT_MASKS 128           /* Masks a port takes as translated, */
#define DPCLS_PORT_FINE 16             /* then as fine masks, then one exact. */
#define DPCLS_MAX_PORTS 64
#define DPCLS_RERANK_INTERVAL (1u << 20)
#define DPCLS_RERANK_MIN 1024          /* Lookups before a timed rerank. */

struct dpcls_subtable {
    struct vsw_flow mask;
    uint8_t n_words;                   /* Non-zero 64-bit words of 'mask'. */
    uint8_t words[VSW_FLOW_U64S];      /* Their indices. */
    uint32_t n_flows;                  /* Megaflows with this mask. */
    uint32_t id;                       /* Index in dpcls.subtables. */
    uint32_t mask_hash;                /* Of 'mask' (a cheap first compare). */
    uint16_t n_ranked;                 /* Ports whose ranking lists it. */
    bool shallow;                      /* vsw_flow_mask_is_shallow(&mask). */
};

/* A megaflow.  What a lookup touches comes first: the header (one cache
 * line) and the key's masked words, stored compactly in the order of
 * st->words from the second line on (a mask of up to 8 words fits it). */
struct megaflow {
    struct dpcls_subtable *st;         /* Mask; NULL if the slot is free. */
    uint32_t gen;                      /* Bumped when freed (EMC validation). */
    uint32_t hash;                     /* Hash of the key within 'st'. */
    uint64_t packets, bytes;           /* Statistics. */
    uint64_t used_tsc;                 /* Last hit. */
    uint64_t created_tsc;              /* Creation. */
    uint64_t pushed_packets;           /* Of 'packets', already credited to 'deps'. */
    uint32_t out_port;                 /* The port if the actions are exactly one
                                        * output, else UINT32_MAX: that common case
                                        * never reads 'acts'. */
    uint16_t acts_len;                 /* Bytes of 'acts'; 0 = drop. */
    uint8_t n_deps;                    /* Rules in 'deps'; 0 = table miss. */
    uint8_t xflags;                    /* VSW_XLATE_READ_* of its translation. */
    uint64_t kw[VSW_FLOW_U64S];        /* Key words st->words[0..n_words). */
    uint8_t acts[VSW_ODP_MAX]          /* Datapath actions (vsw/odp.h). */
        __attribute__((aligned(8)));
    /* Cold: only the stats push and revalidation read these. */
    uint64_t pushed_bytes;             /* Of 'bytes', already credited to 'deps'. */
    uint64_t tables[4];                /* Tables its translation looked up after
                                        * the first lookup (resubmit, goto). */
    struct vsw_counted *deps[VSW_MAX_DEPS];  /* Rules the translation passed. */
    /* The MAC index (VSW_XLATE_READ_FDB megaflows): see dpcls_forget_mac(). */
    uint64_t fdb_macs[2];              /* dl_src, dl_dst (vsw_mac_to_u64()). */
    uint32_t fdb_next[2];              /* Next link of the chains they are in. */
    uint8_t fdb_linked;                /* DPCLS_FDB_*. */
} __rte_cache_aligned;

_Static_assert(offsetof(struct megaflow, kw) == 64, "the header fills exactly one cache line");

/** The rule the megaflow's translation matched first (NULL: table miss). */
static inline const struct vsw_rule *
dpcls_mf_rule(const struct megaflow *mf)
{
    return mf->n_deps && mf->deps[0]->kind == VSW_COUNTED_RULE
           ? vsw_rule_from_counted(mf->deps[0]) : NULL;
}

/* Signature match cache: flow hash -> megaflow, in front of the subtables.
 * With many masks a megaflow hit costs a probe per subtable tried; an SMC
 * hit costs one bucket and one megaflow.  A bucket is one cache line of 8
 * ways (signatures, then indices), so a lookup reads one line whatever way
 * answers.  Associativity matters more than size: with 100k flows in 64k
 * buckets of 4 ways, the ~2 % of buckets that drew 5 or more flows evicted
 * each other for ever and 3.6 % of the packets of scenario d missed, each
 * then probing a dozen subtables (15 % of the PMD's cycles); 32k buckets of
 * 8 ways take the same 2 MB.  An entry is only a hint: the megaflow it
 * names is verified against the packet under its own mask, so a stale or
 * colliding entry can only cost a miss, never a wrong answer. */
#define SMC_WAYS 8
struct smc_bucket {
    uint32_t sig[SMC_WAYS];            /* Full flow hash. */
    uint32_t idx[SMC_WAYS];            /* Megaflow pool index + 1; 0 = empty. */
} __rte_cache_aligned;
_Static_assert(SMC_WAYS == 8 && sizeof(struct smc_bucket) == 64,
               "one cache line; dpcls_smc_insert() picks a victim from 3 bits");
#define DPCLS_SMC_BUCKETS (1u << 15)   /* 256k entries, 2 MB per PMD. */
#define DPCLS_SMC_MIN_SUBTABLES 2      /* Use the SMC when a port has this many. */
#define DPCLS_SMALL_WORDS 6            /* One subtable of at most this many mask words
                                        * is cheaper to probe than the EMC. */
#define DPCLS_SHALLOW_MAX 4            /* Shallow-parse a port's packets when its
                                        * masks are all shallow and at most this
                                        * many (probed without EMC or SMC). */

/* Per in_port ranking of subtables. */
struct dpcls_port {
    uint32_t in_port;                  /* OpenFlow port; UINT32_MAX if unused. */
    uint16_t n;                        /* Subtables in 'order'. */
    uint16_t n_deep;                   /* Of those, not 'shallow'. */
    uint16_t dup_skip;                 /* Bursts left to look up without the
                                        * repeated-key shortcut (dpcls.c). */
    uint16_t repeat_skip;              /* Bursts left in which the PMD does not
                                        * look for runs of one shallow key
                                        * (dpcls_answer_repeats(), pmd.c). */
    uint16_t order[DPCLS_MAX_SUBTABLES];
    uint64_t hits[DPCLS_MAX_SUBTABLES];/* Hits per subtable id since the last rerank. */
};

/* A hash table slot.  The hash is kept here so that a probe past other
 * entries, and backward-shift deletion, never touch their megaflows. */
struct dpcls_slot {
    uint32_t idx;                      /* Megaflow pool index + 1; 0 = empty. */
    uint32_t hash;                     /* Its hash within its subtable. */
};

/* How a megaflow is in the MAC index. */
#define DPCLS_FDB_NONE 0               /* Not: its translation read no MAC table. */
#define DPCLS_FDB_MACS 1               /* In the chains of its dl_src and dl_dst. */
#define DPCLS_FDB_ANY 2                /* In the chain of megaflows that read the
                                        * table about a MAC their key lacks. */

struct dpcls {
    uint32_t max_flows;                /* Pool size (the flow limit). */
    uint32_t n_flows;
    unsigned stats_idx;                /* The owner PMD's slot in rule counters. */
    struct megaflow *flows;            /* Pool. */
    uint64_t *used_map;                /* Bit i set: flows[i] is in use. */
    uint32_t *free_stack;              /* Free pool indices. */
    uint32_t n_free;
    struct dpcls_slot *slots;          /* Hash table (linear probing). */
    uint32_t slot_mask;
    struct dpcls_subtable subtables[DPCLS_MAX_SUBTABLES];
    uint32_t n_subtables;
    struct dpcls_port ports[DPCLS_MAX_PORTS];
    uint64_t lookups_since_rerank;
    uint32_t sweep_pos;                /* Sweep cursor (pool index). */
    struct smc_bucket *smc;            /* DPCLS_SMC_BUCKETS buckets. */
    uint32_t *fdb_heads;               /* MAC index: chain heads by MAC hash; */
    uint32_t fdb_mask;                 /* buckets - 1; */
    uint32_t fdb_any;                  /* the DPCLS_FDB_ANY chain. */
    struct vsw_flow exact;             /* Every bit set (DPCLS_TIER_EXACT). */
};

/** Allocates a dpcls for up to 'max_flows' megaflows (control thread), for
 *  the PMD whose counter slot in every rule is 'stats_idx'. */
struct dpcls *dpcls_create(uint32_t max_flows, unsigned stats_idx, int socket);
void dpcls_destroy(struct dpcls *cls);

/** Removes every megaflow (pushing their statistics first). */
void dpcls_flush(struct dpcls *cls);

/** The ranking for 'in_port' (created on first use; NULL if full). */
struct dpcls_port *dpcls_port_get(struct dpcls *cls, uint32_t in_port, bool create);

/**
 * The packets in 'same' have the key of packet 'head[i]', an earlier one
 * of the burst that was looked up (they were not): each gets its head's
 * answer.  A hit is credited as dpcls_lookup_batch() credits a repeated
 * key (subtable ranking, '*probes'); a miss sets its bit in '*keep'.
 * Returns the hits.
 */
unsigned dpcls_answer_repeats(struct dpcls_port *port, uint64_t same, const uint8_t *head,
                              uint64_t *keep, struct megaflow **mfs, uint64_t *probes);

/**
 * Looks up the packets of 'flows' whose bit is set in '*keep' (all from
 * 'port').  Hits go to 'mfs[i]' and are cleared from '*keep'.  Adds the
 * number of subtables probed for hits to '*probes'.  Returns the hits.
 */
unsigned dpcls_lookup_batch(struct dpcls *cls, struct dpcls_port *port,
                            const struct vsw_flow *flows, unsigned n, uint64_t *keep,
                            struct megaflow **mfs, uint64_t *probes);

/** Under which mask dpcls_insert() installed a megaflow. */
enum dpcls_tier {
    DPCLS_TIER_AS_IS,                  /* The translation's. */
    DPCLS_TIER_FINE,                   /* Its fine mask (the port had its
                                        * DPCLS_PORT_MASKS masks). */
    DPCLS_TIER_EXACT,                  /* Every bit (the fine masks too). */
};

/**
 * Inserts the megaflow (mask, flow & mask) -> datapath actions 'acts',
 * translated through the 'n_deps' rules 'deps' (at most VSW_MAX_DEPS),
 * for packets from 'flow->in_port'.  If the port already has its
 * DPCLS_PORT_MASKS masks and 'mask' is not one of them, under 'fine' (a
 * superset of 'mask'; NULL: none) or the exact mask (see above); '*tier'
 * (if nonnull) says which.  If an equal megaflow exists it is returned
 * (two upcalls for one flow).  NULL if the flow limit or the subtable limit
 * is reached.
 */
struct megaflow *dpcls_insert(struct dpcls *cls, const struct vsw_flow *flow,
                              const struct vsw_flow *mask, const struct vsw_flow *fine,
                              struct vsw_counted *const *deps, unsigned n_deps,
                              const struct vsw_odp_buf *acts, uint64_t now,
                              enum dpcls_tier *tier);

/** Credits what 'mf' counted since its last push to each of its rules. */
static inline void
dpcls_push_stats(const struct dpcls *cls, struct megaflow *mf)
{
    uint64_t packets = mf->packets - mf->pushed_packets;

    if (!packets) {
        return;
    }
    uint64_t bytes = mf->bytes - mf->pushed_bytes;
    for (unsigned i = 0; i < mf->n_deps; i++) {
        struct vsw_rule_stats *rs = &mf->deps[i]->stats[cls->stats_idx];
        rs->n_packets += packets;
        rs->n_bytes += bytes;
        if (mf->used_tsc > rs->used_tsc) {
            rs->used_tsc = mf->used_tsc;
        }
    }
    mf->pushed_packets = mf->packets;
    mf->pushed_bytes = mf->bytes;
}

/** A set of flows: those that agree with 'key' on the bits of 'mask'
 *  ('key' is masked).  A rule's match, or a MAC that was learned. */
struct vsw_reval_region {
    struct vsw_flow key, mask;   /* The headers part of the new rule's match. */
    uint8_t table;               /* Its table. */
};

/**
 * True if a new rule with match region 'r' could change 'mf': the region
 * is in table 0 and some packet could match both (the first lookup is on
 * the packet as it arrived), or the megaflow's translation looked up the
 * region's table again later (after rewrites, with pipeline fields: the key
 * says nothing about what that lookup saw, so assume the worst).
 */
static inline bool
dpcls_mf_intersects(const struct megaflow *mf, const struct vsw_reval_region *r)
{
    const struct dpcls_subtable *st = mf->st;

    if (mf->tables[r->table / 64] & (UINT64_C(1) << (r->table % 64))) {
        return true;
    }
    if (r->table != 0) {
        return false;
    }
    const vsw_flow_word *sm = vsw_flow_cwords(&st->mask);
    const vsw_flow_word *rk = vsw_flow_cwords(&r->key), *rm = vsw_flow_cwords(&r->mask);

    for (unsigned i = 0; i < st->n_words; i++) {
        unsigned w = st->words[i];
        if ((mf->kw[i] ^ rk[w]) & rm[w] & sm[w]) {
            return false;
        }
    }
    return true;
}

/** The next megaflow in use at or after pool index '*pos' (advanced past
 *  it), or NULL at the end of the pool. */
struct megaflow *dpcls_next(const struct dpcls *cls, uint32_t *pos);

/** Looks up packets in '*keep' in the SMC (hashes: their flow hashes);
 *  verified hits go to 'mfs[i]' and are cleared from '*keep'. */
unsigned dpcls_smc_lookup_batch(struct dpcls *cls, const struct vsw_flow *flows,
                                const uint32_t *hashes, unsigned n, uint64_t *keep,
                                struct megaflow **mfs);

/** Prefetches the SMC bucket of 'hash' (a lookup of it is coming). */
static inline void
dpcls_smc_prefetch(const struct dpcls *cls, uint32_t hash)
{
    rte_prefetch0(&cls->smc[hash & (DPCLS_SMC_BUCKETS - 1)]);
}

/** Remembers flow hash -> mf in the SMC (same signature, else an empty
 *  way, else the way chosen by the hash's upper bits). */
static inline void
dpcls_smc_insert(struct dpcls *cls, uint32_t hash, const struct megaflow *mf)
{
    struct smc_bucket *b = &cls->smc[hash & (DPCLS_SMC_BUCKETS - 1)];
    unsigned w, victim = SMC_WAYS;

    /* The way this hash already has, else the first empty one, else one
     * chosen by the hash's top bits (the bucket index uses the low ones). */
    for (w = 0; w < SMC_WAYS; w++) {
        if (b->idx[w] && b->sig[w] == hash) {
            victim = w;
            break;
        }
        if (!b->idx[w] && victim == SMC_WAYS) {
            victim = w;
        }
    }
    if (victim == SMC_WAYS) {
        victim = hash >> (32 - 3);
    }
    b->sig[victim] = hash;
    b->idx[victim] = (uint32_t) (mf - cls->flows) + 1;
}

/** The full (masked) key of 'mf'. */
void dpcls_megaflow_key(const struct megaflow *mf, struct vsw_flow *key);

/** Deletes the 'n' megaflows in pool slots 'idx' whose generation is still
 *  'gen' (not deleted and reused since); returns how many. */
uint32_t dpcls_delete(struct dpcls *cls, const uint32_t *idx, const uint32_t *gen, uint32_t n);

/**
 * The periodic sweep: visits up to 'budget' megaflows from where the last
 * sweep stopped, pushes their statistics, and deletes those idle for more
 * than 'idle_tsc' -- or, while the pool is more than 7/8 full, for more
 * than 'idle_tsc' / 8 (the flow limit makes room for new flows before it
 * refuses them).  Returns how many it deleted.
 */
unsigned dpcls_sweep(struct dpcls *cls, uint64_t now, uint64_t idle_tsc, unsigned budget);

/**
 * Deletes every megaflow whose translation read the MAC table about 'mac'
 * (vsw_mac_to_u64()): those with it as dl_src or dl_dst, and those that
 * read the table about a MAC their key does not hold.  What a PMD does as
 * soon as the handler learns or moves a MAC, so that the next packet to it
 * is not flooded, and none goes to its old port.  Returns how many.
 */
unsigned dpcls_forget_mac(struct dpcls *cls, uint64_t mac);

/** Re-sorts each port's subtables by hits (called periodically). */
void dpcls_rerank(struct dpcls *cls);

#endif /* VSW_DPCLS_H */
