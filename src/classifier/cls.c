/* SPDX-License-Identifier: Apache-2.0 */
/* Tuple-space rule classifier snapshot; see cls.h for the design. */

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "classifier/cls.h"

/* Keys and masks here are struct vsw_ofkey: the headers and the pipeline
 * fields, one run of words. */
#define CLS_U64S (sizeof(struct vsw_ofkey) / sizeof(uint64_t))
_Static_assert(sizeof(struct vsw_ofkey) == sizeof(struct vsw_flow) + sizeof(struct vsw_pipe),
               "vsw_ofkey has no padding");

static inline const vsw_flow_word *
okw(const struct vsw_ofkey *k)
{
    return (const vsw_flow_word *) (const void *) k;
}

struct cls_entry {
    struct vsw_ofkey key;         /* Masked key. */
    uint32_t first;               /* Index of its first rule in cls->rules. */
    uint32_t n_rules;             /* Rules with this exact match, best first. */
};

struct cls_bucket {
    uint32_t hash;
    uint32_t entry;               /* Entry index + 1; 0 = empty. */
};

/*
 * Prefix tracking.  For the address and port fields below, each table keeps
 * a binary trie of the prefixes its rules match on.  Walking a packet's
 * value down the trie tells, for every prefix length, whether any rule of
 * the table has a prefix of that length that the packet matches.  A
 * subtable whose mask on such a field is a prefix of a length with no
 * matching rule prefix cannot match and is skipped without a probe; the
 * packet's bits the walk looked at are all the megaflow needs to know about
 * that field, instead of the subtable's whole mask.  This keeps a /8 rule
 * from putting 32 address bits into every megaflow (DESIGN.md §3).
 */
enum { TRIE_NW_SRC, TRIE_NW_DST, TRIE_TP_SRC, TRIE_TP_DST, N_TRIES };

static const struct trie_field {
    size_t ofs;       /* Offset in struct vsw_flow. */
    unsigned width;   /* Bits. */
} trie_fields[N_TRIES] = {
    [TRIE_NW_SRC] = { offsetof(struct vsw_flow, nw_src), 32 },
    [TRIE_NW_DST] = { offsetof(struct vsw_flow, nw_dst), 32 },
    [TRIE_TP_SRC] = { offsetof(struct vsw_flow, tp_src), 16 },
    [TRIE_TP_DST] = { offsetof(struct vsw_flow, tp_dst), 16 },
};

struct trie_node {
    uint32_t child[2];   /* Node index, 0 = none (the root is never a child). */
    bool is_prefix;      /* Some rule's prefix ends here. */
};

struct trie {
    struct trie_node *nodes;   /* nodes[0] is the root; NULL if no prefixes. */
    uint32_t n_nodes, cap;
};

struct cls_subtable {
    struct vsw_ofkey mask;
    int8_t plen[N_TRIES];                  /* Prefix length of 'mask' on each trie
                                            * field; -1 if not a non-empty prefix. */
    uint32_t max_priority;
    uint8_t n_words;                       /* Non-zero words of 'mask'. */
    uint8_t n_flow_words;                  /* Of those, in the header part. */
    uint8_t words[CLS_U64S];               /* Their indices (header words first). */
    uint32_t bucket_mask;                  /* n_buckets - 1. */
    struct cls_bucket *buckets;
    struct cls_entry *entries;
    uint32_t n_entries;
};

struct cls_table {
    struct cls_subtable *subtables;        /* Sorted by max_priority, desc. */
    uint32_t n_subtables;
    struct trie tries[N_TRIES];            /* Prefix tracking (above). */
};

/* A field's value in host order, left-aligned in 32 bits. */
static inline uint32_t
trie_value(const struct vsw_flow *f, unsigned t)
{
    const uint8_t *p = (const uint8_t *) f + trie_fields[t].ofs;
    if (trie_fields[t].width == 32) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
    }
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16;
}

/* Length of the prefix 'mask' is on field 't', or -1 if it is empty or not
 * a prefix. */
static int
mask_plen(const struct vsw_flow *mask, unsigned t)
{
    uint32_t m = trie_value(mask, t);
    /* Leading ones of 'm'; __builtin_clz(0) is undefined, so all-ones
     * (a full 32-bit mask) is counted without it. */
    int n = m == UINT32_MAX ? 32 : __builtin_clz(~m);
    if (!n || (n < 32 && (m << n))) {
        return -1;
    }
    return n > (int) trie_fields[t].width ? -1 : n;
}

static int
trie_insert(struct trie *tr, uint32_t value, int plen)
{
    if (!tr->nodes) {
        tr->cap = 64;
        tr->nodes = calloc(tr->cap, sizeof *tr->nodes);
        if (!tr->nodes) {
            return -1;
        }
        tr->n_nodes = 1;
    }
    uint32_t n = 0;
    for (int d = 0; d < plen; d++) {
        unsigned bit = (value >> (31 - d)) & 1;
        if (!tr->nodes[n].child[bit]) {
            if (tr->n_nodes == tr->cap) {
                struct trie_node *nn = realloc(tr->nodes, tr->cap * 2 * sizeof *nn);
                if (!nn) {
                    return -1;
                }
                memset(nn + tr->cap, 0, tr->cap * sizeof *nn);
                tr->nodes = nn;
                tr->cap *= 2;
            }
            tr->nodes[n].child[bit] = tr->n_nodes++;
        }
        n = tr->nodes[n].child[bit];
    }
    tr->nodes[n].is_prefix = true;
    return 0;
}

/* Walks 'value' down 'tr'.  Returns a bitmap of the prefix lengths (bit L
 * for length L) of rule prefixes that 'value' matches, and in '*n_bits' how
 * many leading bits of 'value' decided that. */
static uint64_t
trie_walk(const struct trie *tr, uint32_t value, unsigned width, unsigned *n_bits)
{
    uint64_t plens = 0;
    uint32_t n = 0;
    unsigned d;

    for (d = 0;; d++) {
        if (tr->nodes[n].is_prefix) {
            plens |= 1ull << d;
        }
        if (d == width) {
            break;
        }
        uint32_t next = tr->nodes[n].child[(value >> (31 - d)) & 1];
        if (!next) {
            d++;       /* Bit d was looked at and had no rule below it. */
            break;
        }
        n = next;
    }
    *n_bits = d > width ? width : d;
    return plens;
}

struct vsw_cls {
    uint64_t gen;                          /* Rule-set generation (vsw_cls_set_gen). */
    struct vsw_counted *misses;            /* Per-table miss counters, or NULL. */
    struct vsw_rule **rules;               /* All rules, sorted by build order. */
    size_t n_rules;
    struct vsw_flow hdr_union;             /* vsw_cls_header_union(). */
    struct cls_table tables[VSW_N_TABLES];
};

static int
rule_cmp(const void *a_, const void *b_)
{
    const struct vsw_rule *a = *(const struct vsw_rule *const *) a_;
    const struct vsw_rule *b = *(const struct vsw_rule *const *) b_;
    int c;

    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    c = memcmp(&a->match.mask, &b->match.mask, sizeof a->match.mask);
    if (!c) {
        c = memcmp(&a->match.pmask, &b->match.pmask, sizeof a->match.pmask);
    }
    if (c) {
        return c;
    }
    c = memcmp(&a->match.key, &b->match.key, sizeof a->match.key);
    if (!c) {
        c = memcmp(&a->match.pkey, &b->match.pkey, sizeof a->match.pkey);
    }
    if (c) {
        return c;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
same_mask(const struct vsw_rule *a, const struct vsw_rule *b)
{
    return !memcmp(&a->match.mask, &b->match.mask, sizeof a->match.mask)
           && !memcmp(&a->match.pmask, &b->match.pmask, sizeof a->match.pmask);
}

static inline uint32_t
masked_hash(const struct cls_subtable *st, const struct vsw_ofkey *key)
{
    const vsw_flow_word *f = okw(key);
    const vsw_flow_word *m = okw(&st->mask);
    uint32_t h = 0;

    for (unsigned i = 0; i < st->n_words; i++) {
        h = rte_hash_crc_8byte(f[st->words[i]] & m[st->words[i]], h);
    }
    return h;
}

static inline bool
masked_equal(const struct cls_subtable *st, const struct vsw_ofkey *flow,
             const struct vsw_ofkey *key)
{
    const vsw_flow_word *f = okw(flow);
    const vsw_flow_word *m = okw(&st->mask);
    const vsw_flow_word *k = okw(key);
    uint64_t diff = 0;

    for (unsigned i = 0; i < st->n_words; i++) {
        unsigned w = st->words[i];
        diff |= (f[w] & m[w]) ^ k[w];
    }
    return !diff;
}

static int
subtable_cmp(const void *a_, const void *b_)
{
    const struct cls_subtable *a = a_, *b = b_;

    if (a->max_priority != b->max_priority) {
        return a->max_priority > b->max_priority ? -1 : 1;
    }
    return 0;
}

static void
subtable_free(struct cls_subtable *st)
{
    free(st->buckets);
    free(st->entries);
}

/* Fills 'st' from the run rules[first .. first + n) which share one mask. */
static int
subtable_init(struct cls_subtable *st, struct vsw_rule **rules, uint32_t first, uint32_t n)
{
    const vsw_flow_word *m;
    uint32_t n_buckets = 4;

    memset(st, 0, sizeof *st);
    st->mask.flow = rules[first]->match.mask;
    st->mask.pipe = rules[first]->match.pmask;
    for (unsigned t = 0; t < N_TRIES; t++) {
        st->plen[t] = (int8_t) mask_plen(&st->mask.flow, t);
    }
    m = okw(&st->mask);
    for (unsigned i = 0; i < CLS_U64S; i++) {
        if (m[i]) {
            st->words[st->n_words++] = (uint8_t) i;
            if (i < VSW_FLOW_U64S) {
                st->n_flow_words++;
            }
        }
    }

    st->entries = calloc(n, sizeof *st->entries);
    if (!st->entries) {
        return -1;
    }
    for (uint32_t i = first; i < first + n; i++) {
        struct vsw_rule *r = rules[i];
        struct vsw_ofkey key = { .flow = r->match.key, .pipe = r->match.pkey };
        if (st->n_entries && !memcmp(&st->entries[st->n_entries - 1].key, &key, sizeof key)) {
            st->entries[st->n_entries - 1].n_rules++;
        } else {
            struct cls_entry *e = &st->entries[st->n_entries++];
            e->key = key;
            e->first = i;
            e->n_rules = 1;
        }
        if (r->priority > st->max_priority) {
            st->max_priority = r->priority;
        }
    }

    while (n_buckets < st->n_entries * 2) {
        n_buckets *= 2;
    }
    st->buckets = calloc(n_buckets, sizeof *st->buckets);
    if (!st->buckets) {
        return -1;
    }
    st->bucket_mask = n_buckets - 1;
    for (uint32_t e = 0; e < st->n_entries; e++) {
        uint32_t h = masked_hash(st, &st->entries[e].key);
        uint32_t b = h & st->bucket_mask;
        while (st->buckets[b].entry) {
            b = (b + 1) & st->bucket_mask;
        }
        st->buckets[b].hash = h;
        st->buckets[b].entry = e + 1;
    }
    return 0;
}

struct vsw_cls *
vsw_cls_build(struct vsw_rule *const *in, size_t n)
{
    struct vsw_cls *cls = calloc(1, sizeof *cls);
    if (!cls) {
        return NULL;
    }
    cls->rules = malloc((n ? n : 1) * sizeof *cls->rules);
    if (!cls->rules) {
        free(cls);
        return NULL;
    }
    if (n) {
        memcpy(cls->rules, in, n * sizeof *in);
    }
    cls->n_rules = n;
    qsort(cls->rules, n, sizeof *cls->rules, rule_cmp);
    for (size_t r = 0; r < n; r++) {
        vsw_flow_word *u = vsw_flow_words(&cls->hdr_union);
        const vsw_flow_word *m = vsw_flow_cwords(&cls->rules[r]->match.mask);
        for (size_t w = 0; w < VSW_FLOW_U64S; w++) {
            u[w] |= m[w];
        }
    }

    size_t i = 0;
    while (i < n) {
        uint8_t t = cls->rules[i]->table_id;
        size_t tend = i, n_masks = 0;

        /* Count mask runs in this table. */
        for (size_t j = i; j < n && cls->rules[j]->table_id == t; j++) {
            if (j == i || !same_mask(cls->rules[j], cls->rules[j - 1])) {
                n_masks++;
            }
            tend = j + 1;
        }

        struct cls_table *tab = &cls->tables[t];
        tab->subtables = calloc(n_masks, sizeof *tab->subtables);
        if (!tab->subtables) {
            vsw_cls_free(cls);
            return NULL;
        }
        size_t j = i;
        while (j < tend) {
            size_t k = j + 1;
            while (k < tend && same_mask(cls->rules[k], cls->rules[j])) {
                k++;
            }
            if (subtable_init(&tab->subtables[tab->n_subtables++], cls->rules,
                              (uint32_t) j, (uint32_t) (k - j))) {
                vsw_cls_free(cls);
                return NULL;
            }
            j = k;
        }
        qsort(tab->subtables, tab->n_subtables, sizeof *tab->subtables, subtable_cmp);
        for (unsigned f = 0; f < N_TRIES; f++) {
            for (size_t r = i; r < tend; r++) {
                int plen = mask_plen(&cls->rules[r]->match.mask, f);
                if (plen > 0
                    && trie_insert(&tab->tries[f], trie_value(&cls->rules[r]->match.key, f),
                                   plen)) {
                    vsw_cls_free(cls);
                    return NULL;
                }
            }
        }
        i = tend;
    }
    return cls;
}

void
vsw_cls_free(struct vsw_cls *cls)
{
    if (!cls) {
        return;
    }
    for (unsigned t = 0; t < VSW_N_TABLES; t++) {
        struct cls_table *tab = &cls->tables[t];
        for (uint32_t s = 0; s < tab->n_subtables; s++) {
            subtable_free(&tab->subtables[s]);
        }
        free(tab->subtables);
        for (unsigned f = 0; f < N_TRIES; f++) {
            free(tab->tries[f].nodes);
        }
    }
    free(cls->rules);
    free(cls);
}

static inline bool
rule_better(const struct vsw_rule *a, const struct vsw_rule *b)
{
    return !b || a->priority > b->priority
           || (a->priority == b->priority && a->seq < b->seq);
}

/* Only the header part: the pipeline fields are not in the datapath's key
 * (their values follow from header bits the translation un-wildcarded). */
static inline void
wc_or_mask(struct vsw_flow *wc, const struct cls_subtable *st)
{
    vsw_flow_word *w = vsw_flow_words(wc);
    const vsw_flow_word *m = okw(&st->mask);

    for (unsigned i = 0; i < st->n_flow_words; i++) {
        w[st->words[i]] |= m[st->words[i]];
    }
}

const struct vsw_rule *
vsw_cls_lookup_wc(const struct vsw_cls *cls, uint8_t table, const struct vsw_ofkey *key,
                  struct vsw_flow *wc)
{
    const struct vsw_flow *flow = &key->flow;
    const struct cls_table *tab = &cls->tables[table];
    const struct vsw_rule *best = NULL;
    uint64_t plens[N_TRIES];
    unsigned n_bits[N_TRIES];
    uint8_t walked = 0, used = 0;

    for (uint32_t s = 0; s < tab->n_subtables; s++) {
        const struct cls_subtable *st = &tab->subtables[s];
        bool skip = false;

        if (best && best->priority > st->max_priority) {
            break;
        }
        for (unsigned t = 0; t < N_TRIES && !skip; t++) {
            if (st->plen[t] < 0 || !tab->tries[t].nodes) {
                continue;
            }
            if (!(walked & (1u << t))) {
                plens[t] = trie_walk(&tab->tries[t], trie_value(flow, t), trie_fields[t].width,
                                     &n_bits[t]);
                walked |= (uint8_t) (1u << t);
            }
            if (!(plens[t] & (1ull << st->plen[t]))) {
                /* No rule prefix of this length matches: nothing here can. */
                skip = true;
                used |= (uint8_t) (1u << t);
            }
        }
        if (skip) {
            continue;
        }
        if (wc) {
            /* Whether this subtable hits or misses depends on exactly the
             * bits of its mask: a packet that agrees on them gets the same
             * answer here (see dpcls.h). */
            wc_or_mask(wc, st);
        }
        uint32_t h = masked_hash(st, key);
        for (uint32_t b = h & st->bucket_mask;; b = (b + 1) & st->bucket_mask) {
            const struct cls_bucket *bk = &st->buckets[b];
            if (!bk->entry) {
                break;
            }
            if (bk->hash != h) {
                continue;
            }
            const struct cls_entry *e = &st->entries[bk->entry - 1];
            if (masked_equal(st, key, &e->key)) {
                const struct vsw_rule *r = cls->rules[e->first];
                if (rule_better(r, best)) {
                    best = r;
                }
                break;
            }
        }
    }
    if (wc) {
        /* The skips above depend on the bits each trie walk looked at. */
        for (unsigned t = 0; t < N_TRIES; t++) {
            if (used & (1u << t)) {
                uint8_t *w = (uint8_t *) wc + trie_fields[t].ofs;
                uint32_t m = n_bits[t] ? UINT32_MAX << (32 - n_bits[t]) : 0;
                w[0] |= (uint8_t) (m >> 24);
                w[1] |= (uint8_t) (m >> 16);
                if (trie_fields[t].width == 32) {
                    w[2] |= (uint8_t) (m >> 8);
                    w[3] |= (uint8_t) m;
                }
            }
        }
    }
    return best;
}

void
vsw_cls_set_miss_counters(struct vsw_cls *cls, struct vsw_counted *misses)
{
    cls->misses = misses;
}

struct vsw_counted *
vsw_cls_miss_counter(const struct vsw_cls *cls, uint8_t table)
{
    return cls->misses ? &cls->misses[table] : NULL;
}

void
vsw_cls_set_gen(struct vsw_cls *cls, uint64_t gen)
{
    cls->gen = gen;
}

uint64_t
vsw_cls_gen(const struct vsw_cls *cls)
{
    return cls->gen;
}

const struct vsw_rule *
vsw_cls_lookup(const struct vsw_cls *cls, uint8_t table, const struct vsw_flow *flow)
{
    struct vsw_ofkey key = { .flow = *flow };

    return vsw_cls_lookup_wc(cls, table, &key, NULL);
}

const struct vsw_flow *
vsw_cls_header_union(const struct vsw_cls *cls)
{
    return &cls->hdr_union;
}

unsigned
vsw_cls_n_rules(const struct vsw_cls *cls, uint8_t table)
{
    unsigned n = 0;

    for (uint32_t s = 0; s < cls->tables[table].n_subtables; s++) {
        const struct cls_subtable *st = &cls->tables[table].subtables[s];
        for (uint32_t e = 0; e < st->n_entries; e++) {
            n += st->entries[e].n_rules;
        }
    }
    return n;
}

unsigned
vsw_cls_n_subtables(const struct vsw_cls *cls, uint8_t table)
{
    return cls->tables[table].n_subtables;
}
