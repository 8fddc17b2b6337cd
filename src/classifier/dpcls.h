/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_DPCLS_H
#define VSW_DPCLS_H 1

/*
 * The megaflow classifier (dpcls): the second cache level of a PMD.
 *
 * A megaflow is (mask, masked key) -> rule.  The slow path creates it from a
 * rule lookup: the mask is the union of the masks of every rule subtable the
 * lookup probed (vsw_cls_lookup_wc), plus in_port and the fragment bit.
 * Every packet that agrees with the key on those bits probes the same rule
 * subtables with the same results, so it gets the same rule: that is the
 * megaflow invariant of DESIGN.md §3.  The rule's actions are then executed
 * on each packet with that packet's own headers, exactly as the slow path
 * would, so no action can make a megaflow wrong.
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
#include <stdint.h>

#include "classifier/rule.h"
#include "vsw/flow.h"
#include "vsw/odp.h"

#define DPCLS_MAX_SUBTABLES 512
#define DPCLS_MAX_PORTS 64
#define DPCLS_RERANK_INTERVAL (1u << 20)

struct dpcls_subtable {
    struct vsw_flow mask;
    uint8_t n_words;                   /* Non-zero 64-bit words of 'mask'. */
    uint8_t words[VSW_FLOW_U64S];      /* Their indices. */
    uint32_t n_flows;                  /* Megaflows with this mask. */
    uint32_t id;                       /* Index in dpcls.subtables. */
    bool shallow;                      /* vsw_flow_mask_is_shallow(&mask). */
};

/* A megaflow.  What a lookup touches comes first: the header and the key's
 * masked words, stored compactly in the order of st->words (so a mask of
 * up to 7 words fits the first two cache lines). */
struct megaflow {
    struct dpcls_subtable *st;         /* Mask; NULL if the slot is free. */
    const struct vsw_rule *rule;       /* The rule translated (for its counters). */
    uint32_t gen;                      /* Bumped when freed (EMC validation). */
    uint32_t hash;                     /* Hash of the key within 'st'. */
    uint64_t packets, bytes;           /* Statistics. */
    uint64_t used_tsc, created_tsc;    /* Last hit / creation. */
    uint32_t out_port;                 /* The port if the actions are exactly one
                                        * output, else UINT32_MAX: that common case
                                        * never reads 'acts'. */
    uint16_t acts_len;                 /* Bytes of 'acts'; 0 = drop. */
    uint16_t pad;
    uint64_t kw[VSW_FLOW_U64S];        /* Key words st->words[0..n_words). */
    uint8_t acts[VSW_ODP_MAX]          /* Datapath actions (vsw/odp.h). */
        __attribute__((aligned(8)));
} __rte_cache_aligned;

/* Signature match cache: flow hash -> megaflow, in front of the subtables.
 * With many masks a megaflow hit costs a probe per subtable tried; an SMC
 * hit costs one bucket and one megaflow.  4-way set-associative (a
 * direct-mapped table thrashes: with 100k flows in 256k slots a third of
 * the flows collide).  An entry is only a hint: the megaflow it names is
 * verified against the packet under its own mask, so a stale or colliding
 * entry can only cost a miss, never a wrong answer. */
#define SMC_WAYS 4
struct smc_bucket {
    uint32_t sig[SMC_WAYS];            /* Full flow hash. */
    uint32_t idx[SMC_WAYS];            /* Megaflow pool index + 1; 0 = empty. */
};
#define DPCLS_SMC_BUCKETS (1u << 16)   /* 256k entries, 2 MB per PMD. */
#define DPCLS_SMC_MIN_SUBTABLES 2      /* Use the SMC when a port has this many. */
#define DPCLS_SMALL_WORDS 6            /* One subtable of at most this many mask words
                                        * is cheaper to probe than the EMC. */

/* Per in_port ranking of subtables. */
struct dpcls_port {
    uint32_t in_port;                  /* OpenFlow port; UINT32_MAX if unused. */
    uint16_t n;                        /* Subtables in 'order'. */
    uint16_t order[DPCLS_MAX_SUBTABLES];
    uint64_t hits[DPCLS_MAX_SUBTABLES];/* Hits per subtable id since the last rerank. */
};

/* A hash table slot.  The hash is kept here so that a probe past other
 * entries, and backward-shift deletion, never touch their megaflows. */
struct dpcls_slot {
    uint32_t idx;                      /* Megaflow pool index + 1; 0 = empty. */
    uint32_t hash;                     /* Its hash within its subtable. */
};

struct dpcls {
    uint32_t max_flows;                /* Pool size (the flow limit). */
    uint32_t n_flows;
    struct megaflow *flows;            /* Pool. */
    uint32_t *free_stack;              /* Free pool indices. */
    uint32_t n_free;
    struct dpcls_slot *slots;          /* Hash table (linear probing). */
    uint32_t slot_mask;
    struct dpcls_subtable subtables[DPCLS_MAX_SUBTABLES];
    uint32_t n_subtables;
    struct dpcls_port ports[DPCLS_MAX_PORTS];
    uint64_t lookups_since_rerank;
    uint32_t sweep_pos;                /* Idle-expiry cursor. */
    struct smc_bucket *smc;            /* DPCLS_SMC_BUCKETS buckets. */
};

/** Allocates a dpcls for up to 'max_flows' megaflows (control thread). */
struct dpcls *dpcls_create(uint32_t max_flows, int socket);
void dpcls_destroy(struct dpcls *cls);

/** Removes every megaflow. */
void dpcls_flush(struct dpcls *cls);

/** The ranking for 'in_port' (created on first use; NULL if full). */
struct dpcls_port *dpcls_port_get(struct dpcls *cls, uint32_t in_port, bool create);

/**
 * Looks up the packets of 'flows' whose bit is set in '*keep' (all from
 * 'port').  Hits go to 'mfs[i]' and are cleared from '*keep'.  Adds the
 * number of subtables probed for hits to '*probes'.  Returns the hits.
 */
unsigned dpcls_lookup_batch(struct dpcls *cls, struct dpcls_port *port,
                            const struct vsw_flow *flows, unsigned n, uint64_t *keep,
                            struct megaflow **mfs, uint64_t *probes);

/**
 * Inserts the megaflow (mask, flow & mask) -> datapath actions 'acts' (from
 * 'rule') for packets from 'flow->in_port'.  If an equal megaflow exists it
 * is returned (two upcalls for one flow).  NULL if the flow limit or the
 * subtable limit is reached.
 */
struct megaflow *dpcls_insert(struct dpcls *cls, const struct vsw_flow *flow,
                              const struct vsw_flow *mask, const struct vsw_rule *rule,
                              const struct vsw_odp_buf *acts, uint64_t now);

/** Looks up packets in '*keep' in the SMC (hashes: their flow hashes);
 *  verified hits go to 'mfs[i]' and are cleared from '*keep'. */
unsigned dpcls_smc_lookup_batch(struct dpcls *cls, const struct vsw_flow *flows,
                                const uint32_t *hashes, unsigned n, uint64_t *keep,
                                struct megaflow **mfs);

/** Remembers flow hash -> mf in the SMC (same signature, else an empty
 *  way, else the way chosen by the hash's upper bits). */
static inline void
dpcls_smc_insert(struct dpcls *cls, uint32_t hash, const struct megaflow *mf)
{
    struct smc_bucket *b = &cls->smc[hash & (DPCLS_SMC_BUCKETS - 1)];
    unsigned w, victim = (hash >> 30) & (SMC_WAYS - 1);

    for (w = 0; w < SMC_WAYS; w++) {
        if (b->sig[w] == hash || !b->idx[w]) {
            victim = w;
            break;
        }
    }
    b->sig[victim] = hash;
    b->idx[victim] = (uint32_t) (mf - cls->flows) + 1;
}

/** The full (masked) key of 'mf'. */
void dpcls_megaflow_key(const struct megaflow *mf, struct vsw_flow *key);

/** Deletes the 'n' megaflows in pool slots 'idx' whose generation is still
 *  'gen' (not deleted and reused since); returns how many. */
uint32_t dpcls_delete(struct dpcls *cls, const uint32_t *idx, const uint32_t *gen, uint32_t n);

/** Deletes up to 'budget' megaflows idle for more than 'idle_tsc'; returns how many. */
unsigned dpcls_expire(struct dpcls *cls, uint64_t now, uint64_t idle_tsc, unsigned budget);

/** Re-sorts each port's subtables by hits (called periodically). */
void dpcls_rerank(struct dpcls *cls);

#endif /* VSW_DPCLS_H */
