/* SPDX-License-Identifier: Apache-2.0 */
/* Megaflow classifier; see dpcls.h. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "classifier/dpcls.h"
#include "util.h"

static inline uint32_t
st_hash(const struct dpcls_subtable *st, const struct vsw_flow *flow)
{
    return vsw_flow_hash_masked(flow, &st->mask, st->words, st->n_words, st->id);
}

/* True if 'flow' matches megaflow 'mf' of subtable 'st'. */
static inline bool
mf_matches(const struct dpcls_subtable *st, const struct vsw_flow *flow,
           const struct megaflow *mf)
{
    const vsw_flow_word *f = vsw_flow_cwords(flow);
    const vsw_flow_word *m = vsw_flow_cwords(&st->mask);
    uint64_t diff = 0;

    for (unsigned i = 0; i < st->n_words; i++) {
        unsigned w = st->words[i];
        diff |= (f[w] & m[w]) ^ mf->kw[i];
    }
    return !diff;
}

void
dpcls_megaflow_key(const struct megaflow *mf, struct vsw_flow *key)
{
    vsw_flow_word *k = vsw_flow_words(key);

    memset(key, 0, sizeof *key);
    for (unsigned i = 0; i < mf->st->n_words; i++) {
        k[mf->st->words[i]] = mf->kw[i];
    }
}

unsigned
dpcls_smc_lookup_batch(struct dpcls *cls, const struct vsw_flow *flows, const uint32_t *hashes,
                       unsigned n, uint64_t *keep, struct megaflow **mfs)
{
    const struct smc_bucket *bs[64];
    uint32_t cand[64];
    uint64_t left = *keep, found = 0;
    unsigned hits = 0;

    (void) n;
    for (uint64_t t = left; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        bs[i] = &cls->smc[hashes[i] & (DPCLS_SMC_BUCKETS - 1)];
        rte_prefetch0(bs[i]);
    }
    for (uint64_t t = left; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        unsigned match = 0;
        /* All ways compared without a branch (vectorized by the compiler),
         * then the first that is in use. */
        for (unsigned w = 0; w < SMC_WAYS; w++) {
            match |= (unsigned) (bs[i]->sig[w] == hashes[i]) << w;
        }
        for (; match; match &= match - 1) {
            unsigned w = (unsigned) __builtin_ctz(match);
            if (bs[i]->idx[w]) {
                cand[i] = bs[i]->idx[w] - 1;
                found |= 1ull << i;
                rte_prefetch0(&cls->flows[cand[i]]);
                rte_prefetch0((const char *) &cls->flows[cand[i]] + RTE_CACHE_LINE_SIZE);
                break;
            }
        }
    }
    for (uint64_t t = found; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        struct megaflow *mf = &cls->flows[cand[i]];
        if (mf->st && mf_matches(mf->st, &flows[i], mf)) {
            mfs[i] = mf;
            left &= ~(1ull << i);
            hits++;
        }
    }
    *keep = left;
    return hits;
}

/* Makes 'p' the empty ranking of 'in_port' (UINT32_MAX: unused). */
static void
port_reset(struct dpcls_port *p, uint32_t in_port)
{
    p->in_port = in_port;
    p->n = 0;
    p->n_deep = 0;
    p->dup_skip = 0;
    p->repeat_skip = 0;
}

/* Empties the indexes, the signature cache and the free list; the
 * megaflows themselves are the caller's. */
static void
reset_indexes(struct dpcls *cls)
{
    for (uint32_t i = 0; i < cls->max_flows; i++) {
        cls->free_stack[i] = cls->max_flows - 1 - i;
    }
    memset(cls->used_map, 0, sizeof(uint64_t) * ((cls->max_flows + 63) / 64));
    cls->n_free = cls->max_flows;
    cls->n_flows = 0;
    memset(cls->slots, 0, sizeof *cls->slots * (cls->slot_mask + 1));
    memset(cls->smc, 0, sizeof *cls->smc * DPCLS_SMC_BUCKETS);
    memset(cls->fdb_heads, 0, sizeof(uint32_t) * (cls->fdb_mask + 1));
    cls->fdb_any = 0;
    cls->n_subtables = 0;
    for (unsigned p = 0; p < DPCLS_MAX_PORTS; p++) {
        port_reset(&cls->ports[p], UINT32_MAX);
    }
}

struct dpcls *
dpcls_create(uint32_t max_flows, unsigned stats_idx, int socket)
{
    struct dpcls *cls = rte_zmalloc_socket("dpcls", sizeof *cls, RTE_CACHE_LINE_SIZE, socket);
    uint32_t n_slots = 16;

    if (!cls) {
        return NULL;
    }
    while (n_slots < max_flows * 2) {
        n_slots *= 2;
    }
    cls->max_flows = max_flows;
    cls->stats_idx = stats_idx;
    memset(&cls->exact, 0xff, sizeof cls->exact);
    cls->flows = rte_zmalloc_socket("megaflows", sizeof *cls->flows * max_flows,
                                    RTE_CACHE_LINE_SIZE, socket);
    cls->used_map = rte_zmalloc_socket("mf_used", sizeof(uint64_t) * ((max_flows + 63) / 64),
                                       RTE_CACHE_LINE_SIZE, socket);
    cls->free_stack = rte_malloc_socket("mf_free", sizeof(uint32_t) * max_flows, 0, socket);
    cls->slots = rte_zmalloc_socket("mf_slots", sizeof *cls->slots * n_slots, RTE_CACHE_LINE_SIZE,
                                    socket);
    cls->smc = rte_zmalloc_socket("smc", sizeof *cls->smc * DPCLS_SMC_BUCKETS,
                                  RTE_CACHE_LINE_SIZE, socket);
    uint32_t n_fdb = 64;
    while (n_fdb < max_flows / 4) {
        n_fdb *= 2;
    }
    cls->fdb_mask = n_fdb - 1;
    cls->fdb_heads = rte_zmalloc_socket("mf_fdb", sizeof(uint32_t) * n_fdb,
                                        RTE_CACHE_LINE_SIZE, socket);
    if (!cls->flows || !cls->used_map || !cls->free_stack || !cls->slots || !cls->smc
        || !cls->fdb_heads) {
        dpcls_destroy(cls);
        return NULL;
    }
    cls->slot_mask = n_slots - 1;
    reset_indexes(cls);      /* The megaflows are zeroed: none in use. */
    return cls;
}

void
dpcls_destroy(struct dpcls *cls)
{
    if (cls) {
        rte_free(cls->flows);
        rte_free(cls->free_stack);
        rte_free(cls->slots);
        rte_free(cls->smc);
        rte_free(cls->fdb_heads);
        rte_free(cls->used_map);
        rte_free(cls);
    }
}

/* Only the megaflows in use are visited (the used map): with the default
 * limit the array is tens of megabytes, and walking all of it stalled the
 * PMD for milliseconds on every flush, and at start-up made every page of
 * it resident. */
void
dpcls_flush(struct dpcls *cls)
{
    for (uint32_t w = 0; w < (cls->max_flows + 63) / 64; w++) {
        for (uint64_t bits = cls->used_map[w]; bits; bits &= bits - 1) {
            struct megaflow *mf = &cls->flows[w * 64 + (uint32_t) __builtin_ctzll(bits)];
            dpcls_push_stats(cls, mf);
            mf->gen++;
            mf->st = NULL;
        }
    }
    reset_indexes(cls);
}

struct dpcls_port *
dpcls_port_get(struct dpcls *cls, uint32_t in_port, bool create)
{
    struct dpcls_port *free_p = NULL;

    for (unsigned p = 0; p < DPCLS_MAX_PORTS; p++) {
        if (cls->ports[p].in_port == in_port) {
            return &cls->ports[p];
        }
        if (!free_p && cls->ports[p].in_port == UINT32_MAX) {
            free_p = &cls->ports[p];
        }
    }
    if (create && free_p) {
        port_reset(free_p, in_port);
        return free_p;
    }
    return NULL;
}

/* The megaflow of subtable 'st' that 'flow' (hash 'h' in it) matches, or
 * NULL. */
static inline struct megaflow *
subtable_probe(struct dpcls *cls, const struct dpcls_subtable *st, const struct vsw_flow *flow,
               uint32_t h)
{
    for (uint32_t s = h & cls->slot_mask;; s = (s + 1) & cls->slot_mask) {
        const struct dpcls_slot *sl = &cls->slots[s];
        if (!sl->idx) {
            return NULL;
        }
        if (sl->hash == h) {
            struct megaflow *mf = &cls->flows[sl->idx - 1];
            if (mf->st == st && mf_matches(st, flow, mf)) {
                return mf;
            }
        }
    }
}

/* One packet against the port's subtables from the k0-th on, a chunk at a
 * time: the slots of a chunk's subtables are fetched before any of them is
 * compared.  For a packet that misses (it probes them all: under a mask
 * attack over a hundred, each slot a cache miss) with few others in its
 * batch, where the batch lookup has too few packets to overlap the loads
 * with. */
static struct megaflow *
lookup_one_wide(struct dpcls *cls, struct dpcls_port *port, unsigned k0,
                const struct vsw_flow *flow, unsigned *k_hit)
{
    enum { CHUNK = 8 };

    for (unsigned k = k0; k < port->n; k += CHUNK) {
        unsigned m = port->n - k < CHUNK ? port->n - k : CHUNK;
        uint32_t h[CHUNK];
        for (unsigned j = 0; j < m; j++) {
            h[j] = st_hash(&cls->subtables[port->order[k + j]], flow);
            rte_prefetch0(&cls->slots[h[j] & cls->slot_mask]);
        }
        for (unsigned j = 0; j < m; j++) {
            const struct dpcls_subtable *st = &cls->subtables[port->order[k + j]];
            struct megaflow *mf = subtable_probe(cls, st, flow, h[j]);
            if (mf) {
                *k_hit = k + j;
                return mf;
            }
        }
    }
    return NULL;
}

#define WIDE_MIN_SUBTABLES 16   /* Subtables left, */
#define WIDE_MAX_PACKETS 4      /* and packets at most, for lookup_one_wide(). */
#define DPCLS_DUP_MIN 8         /* A burst this large without a repeated key */
#define DPCLS_DUP_SKIP 7        /* turns the shortcut off for this many bursts. */

unsigned
dpcls_lookup_batch(struct dpcls *cls, struct dpcls_port *port, const struct vsw_flow *flows,
                   unsigned n, uint64_t *keep, struct megaflow **mfs, uint64_t *probes)
{
    uint64_t left = *keep, all_dups = 0;
    unsigned hits = 0;
    /* The repeated-key shortcut costs a compare per packet: when a burst
     * of many packets had no repeated key (many flows, each in turn), the
     * port's next DPCLS_DUP_SKIP bursts go without it. */
    bool try_dups = !port->dup_skip;

    if (!try_dups) {
        port->dup_skip--;
    }
    cls->lookups_since_rerank += (unsigned) __builtin_popcountll(left);
    for (unsigned k = 0; k < port->n && left; k++) {
        if (port->n - k >= WIDE_MIN_SUBTABLES
            && __builtin_popcountll(left) <= WIDE_MAX_PACKETS) {
            /* A few packets left and many subtables to go: the batch's
             * three passes would wait for each subtable's slot in turn
             * (under a mask attack, over a hundred cache misses one after
             * another); one packet at a time, a chunk of subtables' slots
             * are fetched together. */
            for (uint64_t t = left; t; t &= t - 1) {
                unsigned i = (unsigned) __builtin_ctzll(t), kh;
                struct megaflow *mf = lookup_one_wide(cls, port, k, &flows[i], &kh);
                if (mf) {
                    mfs[i] = mf;
                    left &= ~(1ull << i);
                    hits++;
                    port->hits[mf->st->id]++;
                    *probes += kh + 1;
                }
            }
            break;
        }
        struct dpcls_subtable *st = &cls->subtables[port->order[k]];
        const vsw_flow_word *m = vsw_flow_cwords(&st->mask);
        uint32_t hashes[64];
        uint8_t same_as[64];
        uint64_t todo = left, dups = 0;
        unsigned nh = 0;        /* Hits in this subtable. */
        int prev = -1;

        /* Three passes so that the memory loads of the whole batch overlap:
         * hash and prefetch the slot, prefetch the megaflow, compare.  A
         * packet whose masked key equals the previous packet's (a burst of
         * one flow, or of many flows under a narrow mask) takes that
         * packet's answer: the subtable's result depends on nothing else. */
        while (todo) {
            unsigned i = (unsigned) __builtin_ctzll(todo);
            todo &= todo - 1;
            if (try_dups && prev >= 0) {
                const vsw_flow_word *f = vsw_flow_cwords(&flows[i]);
                const vsw_flow_word *g = vsw_flow_cwords(&flows[prev]);
                uint64_t diff = 0;
                for (unsigned w = 0; w < st->n_words; w++) {
                    diff |= (f[st->words[w]] ^ g[st->words[w]]) & m[st->words[w]];
                }
                if (!diff) {
                    same_as[i] = (uint8_t) prev;
                    dups |= 1ull << i;
                    continue;
                }
            }
            prev = (int) i;
            hashes[i] = st_hash(st, &flows[i]);
            rte_prefetch0(&cls->slots[hashes[i] & cls->slot_mask]);
        }
        all_dups |= dups;
        for (todo = left & ~dups; todo; todo &= todo - 1) {
            unsigned i = (unsigned) __builtin_ctzll(todo);
            const struct dpcls_slot *sl = &cls->slots[hashes[i] & cls->slot_mask];
            if (sl->idx && sl->hash == hashes[i]) {
                rte_prefetch0(&cls->flows[sl->idx - 1]);
                rte_prefetch0((const char *) &cls->flows[sl->idx - 1] + RTE_CACHE_LINE_SIZE);
            }
        }
        todo = left;
        while (todo) {
            unsigned i = (unsigned) __builtin_ctzll(todo);
            todo &= todo - 1;
            if (dups & (1ull << i)) {
                /* Its model comes earlier in the burst: already decided. */
                unsigned j = same_as[i];
                if (!(left & (1ull << j))) {
                    mfs[i] = mfs[j];
                    left &= ~(1ull << i);
                    nh++;
                }
                continue;
            }
            for (uint32_t s = hashes[i] & cls->slot_mask;; s = (s + 1) & cls->slot_mask) {
                const struct dpcls_slot *sl = &cls->slots[s];
                if (!sl->idx) {
                    break;
                }
                if (sl->hash != hashes[i]) {
                    continue;   /* Decided without touching the megaflow. */
                }
                struct megaflow *mf = &cls->flows[sl->idx - 1];
                if (mf->st == st && mf_matches(st, &flows[i], mf)) {
                    mfs[i] = mf;
                    left &= ~(1ull << i);
                    nh++;
                    break;
                }
            }
        }
        hits += nh;
        port->hits[st->id] += nh;
        *probes += (uint64_t) nh * (k + 1);
    }
    if (try_dups && !all_dups && __builtin_popcountll(*keep) >= DPCLS_DUP_MIN) {
        port->dup_skip = DPCLS_DUP_SKIP;
    }
    (void) n;
    *keep = left;
    return hits;
}

unsigned
dpcls_answer_repeats(struct dpcls_port *port, uint64_t same, const uint8_t *head,
                     uint64_t *keep, struct megaflow **mfs, uint64_t *probes)
{
    unsigned hits = 0, last_h = UINT_MAX, k = 0;

    for (; same; same &= same - 1) {
        unsigned i = (unsigned) __builtin_ctzll(same), h = head[i];
        if ((*keep >> h) & 1) {
            *keep |= 1ull << i;
            continue;
        }
        struct megaflow *mf = mfs[h];
        if (h != last_h) {      /* The rank of its subtable, once per run. */
            last_h = h;
            for (k = 0; k < port->n && port->order[k] != mf->st->id; k++) {
            }
        }
        mfs[i] = mf;
        port->hits[mf->st->id]++;
        *probes += k + 1;
        hits++;
    }
    return hits;
}

static uint32_t
mask_hash(const struct vsw_flow *mask)
{
    const vsw_flow_word *m = vsw_flow_cwords(mask);
    uint32_t h = 0;

    for (unsigned i = 0; i < VSW_FLOW_U64S; i++) {
        h = rte_hash_crc_8byte(m[i], h);
    }
    return h;
}

/* The subtable whose mask is 'mask' (hash 'h'), or NULL. */
static struct dpcls_subtable *
subtable_find(struct dpcls *cls, const struct vsw_flow *mask, uint32_t h)
{
    for (uint32_t i = 0; i < cls->n_subtables; i++) {
        struct dpcls_subtable *st = &cls->subtables[i];
        if (st->mask_hash == h && (st->n_flows || st->n_ranked)
            && !memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    return NULL;
}

/* A new subtable for 'mask': a fresh one, or one that expiry emptied and
 * no port lists any more.  NULL if all DPCLS_MAX_SUBTABLES are in use. */
static struct dpcls_subtable *
subtable_create(struct dpcls *cls, const struct vsw_flow *mask, uint32_t h)
{
    struct dpcls_subtable *st = NULL;

    for (uint32_t i = 0; i < cls->n_subtables && !st; i++) {
        if (!cls->subtables[i].n_flows && !cls->subtables[i].n_ranked) {
            st = &cls->subtables[i];
        }
    }
    if (!st) {
        if (cls->n_subtables == DPCLS_MAX_SUBTABLES) {
            return NULL;
        }
        st = &cls->subtables[cls->n_subtables++];
    }
    uint32_t id = (uint32_t) (st - cls->subtables);
    memset(st, 0, sizeof *st);
    st->id = id;
    st->mask = *mask;
    st->mask_hash = h;
    st->shallow = vsw_flow_mask_is_shallow(mask);
    const vsw_flow_word *m = vsw_flow_cwords(mask);
    for (unsigned i = 0; i < VSW_FLOW_U64S; i++) {
        if (m[i]) {
            st->words[st->n_words++] = (uint8_t) i;
        }
    }
    return st;
}

static bool
port_lists(const struct dpcls_port *port, uint32_t id)
{
    for (unsigned i = 0; i < port->n; i++) {
        if (port->order[i] == id) {
            return true;
        }
    }
    return false;
}

/* The subtable for 'mask' if 'port' lists it already, or may list one more
 * (it lists fewer than 'limit'); else NULL. */
static struct dpcls_subtable *
subtable_admit(struct dpcls *cls, const struct dpcls_port *port, const struct vsw_flow *mask,
               unsigned limit)
{
    uint32_t h = mask_hash(mask);
    struct dpcls_subtable *st = subtable_find(cls, mask, h);

    if (st && port_lists(port, st->id)) {
        return st;
    }
    if (port->n >= limit) {
        return NULL;
    }
    return st ? st : subtable_create(cls, mask, h);
}

/* 'st' lost its last megaflow: no port probes it any more, and it may be
 * reused. */
static void
subtable_unlist(struct dpcls *cls, const struct dpcls_subtable *st)
{
    for (unsigned p = 0; p < DPCLS_MAX_PORTS && st->n_ranked; p++) {
        struct dpcls_port *port = &cls->ports[p];
        for (unsigned i = 0; port->in_port != UINT32_MAX && i < port->n; i++) {
            if (port->order[i] == st->id) {
                memmove(&port->order[i], &port->order[i + 1],
                        (port->n - i - 1) * sizeof port->order[0]);
                port->n--;
                port->n_deep -= !st->shallow;
                cls->subtables[st->id].n_ranked--;
                break;
            }
        }
    }
}

/* The MAC index.  A link names a megaflow and which of its two chain
 * fields continues the chain: (pool index + 1) << 1 | which; 0 ends it.  A
 * megaflow whose dl_src and dl_dst hash alike is in one chain twice. */
static inline uint32_t
fdb_link(uint32_t idx, unsigned which)
{
    return (idx + 1) << 1 | which;
}

static inline uint32_t *
fdb_head(struct dpcls *cls, uint64_t mac)
{
    return &cls->fdb_heads[(mac * 0x9e3779b97f4a7c15ull) >> 40 & cls->fdb_mask];
}

static void
fdb_unlink(struct dpcls *cls, uint32_t *head, uint32_t link)
{
    uint32_t *p = head;

    while (*p && *p != link) {
        p = &cls->flows[(*p >> 1) - 1].fdb_next[*p & 1];
    }
    if (*p) {
        *p = cls->flows[(link >> 1) - 1].fdb_next[link & 1];
    }
}

static void
fdb_index(struct dpcls *cls, uint32_t idx, const struct vsw_flow *flow,
          const struct vsw_flow *mask)
{
    static const uint8_t all[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    struct megaflow *mf = &cls->flows[idx];

    mf->fdb_linked = DPCLS_FDB_NONE;
    if (!(mf->xflags & VSW_XLATE_READ_FDB)) {
        return;
    }
    if ((mf->xflags & VSW_XLATE_READ_FDB_ANY)
        || memcmp(mask->dl_src, all, 6) || memcmp(mask->dl_dst, all, 6)) {
        mf->fdb_next[0] = cls->fdb_any;
        cls->fdb_any = fdb_link(idx, 0);
        mf->fdb_linked = DPCLS_FDB_ANY;
        return;
    }
    mf->fdb_macs[0] = vsw_mac_to_u64(flow->dl_src);
    mf->fdb_macs[1] = vsw_mac_to_u64(flow->dl_dst);
    for (unsigned w = 0; w < 2; w++) {
        uint32_t *head = fdb_head(cls, mf->fdb_macs[w]);
        mf->fdb_next[w] = *head;
        *head = fdb_link(idx, w);
    }
    mf->fdb_linked = DPCLS_FDB_MACS;
}

static void
fdb_unindex(struct dpcls *cls, uint32_t idx)
{
    struct megaflow *mf = &cls->flows[idx];

    if (mf->fdb_linked == DPCLS_FDB_ANY) {
        fdb_unlink(cls, &cls->fdb_any, fdb_link(idx, 0));
    } else if (mf->fdb_linked == DPCLS_FDB_MACS) {
        for (unsigned w = 0; w < 2; w++) {
            fdb_unlink(cls, fdb_head(cls, mf->fdb_macs[w]), fdb_link(idx, w));
        }
    }
    mf->fdb_linked = DPCLS_FDB_NONE;
}

struct megaflow *
dpcls_insert(struct dpcls *cls, const struct vsw_flow *flow, const struct vsw_flow *mask,
             const struct vsw_flow *fine, struct vsw_counted *const *deps, unsigned n_deps,
             const struct vsw_odp_buf *acts, uint64_t now, enum dpcls_tier *tierp)
{
    enum dpcls_tier tier = DPCLS_TIER_AS_IS;

    if (n_deps > VSW_MAX_DEPS || acts->len > VSW_ODP_MAX) {
        return NULL;
    }
    struct dpcls_port *port = dpcls_port_get(cls, flow->in_port, true);
    if (!port) {
        return NULL;
    }
    /* The bounded masks of dpcls.h. */
    struct dpcls_subtable *st = subtable_admit(cls, port, mask, DPCLS_PORT_MASKS);
    if (!st && fine) {
        tier = DPCLS_TIER_FINE;
        mask = fine;
        st = subtable_admit(cls, port, mask, DPCLS_PORT_MASKS + DPCLS_PORT_FINE);
    }
    if (!st) {
        tier = DPCLS_TIER_EXACT;
        mask = &cls->exact;
        st = subtable_admit(cls, port, mask, DPCLS_PORT_MASKS + DPCLS_PORT_FINE + 1);
        if (!st) {
            return NULL;
        }
    }
    if (tierp) {
        *tierp = tier;
    }
    uint32_t h = st_hash(st, flow);
    uint32_t s;
    for (s = h & cls->slot_mask; cls->slots[s].idx; s = (s + 1) & cls->slot_mask) {
        struct megaflow *mf = &cls->flows[cls->slots[s].idx - 1];
        if (cls->slots[s].hash == h && mf->st == st && mf_matches(st, flow, mf)) {
            return mf;  /* Already there (a second upcall of the same flow). */
        }
    }
    if (!cls->n_free) {
        return NULL;
    }
    uint32_t idx = cls->free_stack[--cls->n_free];
    struct megaflow *mf = &cls->flows[idx];
    const vsw_flow_word *f = vsw_flow_cwords(flow), *m = vsw_flow_cwords(mask);

    for (unsigned i = 0; i < st->n_words; i++) {
        mf->kw[i] = f[st->words[i]] & m[st->words[i]];
    }
    mf->st = st;
    mf->n_deps = (uint8_t) n_deps;
    for (unsigned i = 0; i < n_deps; i++) {
        mf->deps[i] = deps[i];
    }
    memset(mf->tables, 0, sizeof mf->tables);
    mf->acts_len = acts->len;
    mf->xflags = acts->xflags;
    memcpy(mf->acts, acts->data, acts->len);
    if (!vsw_odp_is_single_output(acts->data, acts->len, &mf->out_port)) {
        mf->out_port = UINT32_MAX;
    }
    mf->hash = h;
    mf->packets = mf->bytes = 0;
    mf->pushed_packets = mf->pushed_bytes = 0;
    mf->used_tsc = mf->created_tsc = now;
    cls->used_map[idx / 64] |= 1ull << (idx % 64);
    fdb_index(cls, idx, flow, mask);
    cls->slots[s].idx = idx + 1;
    cls->slots[s].hash = h;
    cls->n_flows++;
    st->n_flows++;
    bool ranked = false;
    for (unsigned i = 0; i < port->n; i++) {
        ranked |= port->order[i] == st->id;
    }
    if (!ranked) {
        port->hits[st->id] = 0;
        port->order[port->n++] = (uint16_t) st->id;
        port->n_deep += !st->shallow;
        st->n_ranked++;
    }
    return mf;
}

/* Removes the megaflow in pool slot 'idx' (backward-shift deletion). */
static void
megaflow_remove(struct dpcls *cls, uint32_t idx)
{
    struct megaflow *mf = &cls->flows[idx];
    uint32_t s = mf->hash & cls->slot_mask;

    while (cls->slots[s].idx != idx + 1) {
        s = (s + 1) & cls->slot_mask;
    }
    /* Shift later entries of the cluster back over the hole. */
    uint32_t hole = s;
    for (uint32_t j = (s + 1) & cls->slot_mask; cls->slots[j].idx; j = (j + 1) & cls->slot_mask) {
        uint32_t home = cls->slots[j].hash & cls->slot_mask;
        /* Move j into the hole if its home is not in (hole, j]. */
        bool between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!between) {
            cls->slots[hole] = cls->slots[j];
            hole = j;
        }
    }
    cls->slots[hole].idx = 0;
    dpcls_push_stats(cls, mf);
    fdb_unindex(cls, idx);
    cls->used_map[idx / 64] &= ~(1ull << (idx % 64));
    if (!--mf->st->n_flows) {
        subtable_unlist(cls, mf->st);
    }
    mf->st = NULL;
    mf->gen++;
    cls->free_stack[cls->n_free++] = idx;
    cls->n_flows--;
}

uint32_t
dpcls_delete(struct dpcls *cls, const uint32_t *idx, const uint32_t *gen, uint32_t n)
{
    uint32_t deleted = 0;

    for (uint32_t i = 0; i < n; i++) {
        if (idx[i] < cls->max_flows && cls->flows[idx[i]].st
            && cls->flows[idx[i]].gen == gen[i]) {
            megaflow_remove(cls, idx[i]);
            deleted++;
        }
    }
    return deleted;
}

struct megaflow *
dpcls_next(const struct dpcls *cls, uint32_t *pos)
{
    uint32_t i = *pos;

    while (i < cls->max_flows) {
        uint64_t w = cls->used_map[i / 64] >> (i % 64);
        if (w) {
            i += (uint32_t) __builtin_ctzll(w);
            *pos = i + 1;
            return &cls->flows[i];
        }
        i = (i / 64 + 1) * 64;
    }
    *pos = cls->max_flows;
    return NULL;
}

unsigned
dpcls_sweep(struct dpcls *cls, uint64_t now, uint64_t idle_tsc, unsigned budget)
{
    unsigned n = 0;

    if (cls->n_flows > cls->max_flows - cls->max_flows / 8) {
        idle_tsc /= 8;
    }
    for (unsigned k = 0; k < budget; k++) {
        struct megaflow *mf = dpcls_next(cls, &cls->sweep_pos);
        if (!mf) {
            cls->sweep_pos = 0;
            break;
        }
        if (now > mf->used_tsc && now - mf->used_tsc > idle_tsc) {
            megaflow_remove(cls, (uint32_t) (mf - cls->flows));   /* Pushes first. */
            n++;
        } else {
            dpcls_push_stats(cls, mf);
        }
    }
    return n;
}

unsigned
dpcls_forget_mac(struct dpcls *cls, uint64_t mac)
{
    uint32_t *head = fdb_head(cls, mac);
    unsigned n = 0;

    while (cls->fdb_any) {
        megaflow_remove(cls, (cls->fdb_any >> 1) - 1);   /* Unlinks it. */
        n++;
    }
    for (;;) {
        uint32_t link = *head;
        while (link && cls->flows[(link >> 1) - 1].fdb_macs[link & 1] != mac) {
            link = cls->flows[(link >> 1) - 1].fdb_next[link & 1];
        }
        if (!link) {
            return n;
        }
        megaflow_remove(cls, (link >> 1) - 1);
        n++;
    }
}

void
dpcls_rerank(struct dpcls *cls)
{
    for (unsigned p = 0; p < DPCLS_MAX_PORTS; p++) {
        struct dpcls_port *port = &cls->ports[p];
        if (port->in_port == UINT32_MAX) {
            continue;
        }
        /* Insertion sort by hits, descending: a few entries at most. */
        for (unsigned i = 1; i < port->n; i++) {
            uint16_t id = port->order[i];
            unsigned j = i;
            while (j > 0 && port->hits[port->order[j - 1]] < port->hits[id]) {
                port->order[j] = port->order[j - 1];
                j--;
            }
            port->order[j] = id;
        }
        for (unsigned i = 0; i < port->n; i++) {
            port->hits[port->order[i]] /= 2;   /* Age the counts. */
        }
    }
    cls->lookups_since_rerank = 0;
}
