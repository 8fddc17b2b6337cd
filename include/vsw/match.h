/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_MATCH_H
#define VSW_MATCH_H 1

/**
 * @file
 * A match: a flow key and a mask of the same shape.  A packet whose flow is
 * 'f' matches when (f & mask) == key for every bit.  'key' is always stored
 * already masked ("host bits normalised away"), so two matches are equal
 * exactly when their bytes are equal.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "vsw/flow.h"

struct vsw_match {
    struct vsw_flow key;   /**< Values, with every bit outside 'mask' zero. */
    struct vsw_flow mask;  /**< 1-bits are the bits that must match. */
};

static inline void
vsw_match_init_catchall(struct vsw_match *m)
{
    memset(m, 0, sizeof *m);
}

/** Clears every key bit that the mask does not cover. */
static inline void
vsw_match_normalize(struct vsw_match *m)
{
    vsw_flow_word *k = vsw_flow_words(&m->key);
    const vsw_flow_word *mk = vsw_flow_cwords(&m->mask);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        k[i] &= mk[i];
    }
}

/** True if 'flow' matches 'm'. */
static inline bool
vsw_match_flow(const struct vsw_match *m, const struct vsw_flow *flow)
{
    const vsw_flow_word *k = vsw_flow_cwords(&m->key);
    const vsw_flow_word *mk = vsw_flow_cwords(&m->mask);
    const vsw_flow_word *f = vsw_flow_cwords(flow);
    uint64_t diff = 0;
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        diff |= (f[i] & mk[i]) ^ k[i];
    }
    return diff == 0;
}

static inline bool
vsw_match_equal(const struct vsw_match *a, const struct vsw_match *b)
{
    return !memcmp(a, b, sizeof *a);
}

/** True if the two matches can be matched by one packet (they overlap). */
static inline bool
vsw_match_overlaps(const struct vsw_match *a, const struct vsw_match *b)
{
    const vsw_flow_word *ak = vsw_flow_cwords(&a->key);
    const vsw_flow_word *am = vsw_flow_cwords(&a->mask);
    const vsw_flow_word *bk = vsw_flow_cwords(&b->key);
    const vsw_flow_word *bm = vsw_flow_cwords(&b->mask);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if ((ak[i] ^ bk[i]) & am[i] & bm[i]) {
            return false;
        }
    }
    return true;
}

/** True if every packet that matches 'narrow' also matches 'wide'. */
static inline bool
vsw_match_covered_by(const struct vsw_match *narrow, const struct vsw_match *wide)
{
    const vsw_flow_word *nk = vsw_flow_cwords(&narrow->key);
    const vsw_flow_word *nm = vsw_flow_cwords(&narrow->mask);
    const vsw_flow_word *wk = vsw_flow_cwords(&wide->key);
    const vsw_flow_word *wm = vsw_flow_cwords(&wide->mask);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if ((wm[i] & ~nm[i]) || ((nk[i] ^ wk[i]) & wm[i])) {
            return false;
        }
    }
    return true;
}

/**
 * CRC32 of 'flow' & 'mask' over the 64-bit words listed in 'words' (the
 * mask's non-zero words, as both classifiers keep them), from 'seed'.
 */
static inline uint32_t
vsw_flow_hash_masked(const struct vsw_flow *flow, const struct vsw_flow *mask,
                     const uint8_t *words, unsigned n_words, uint32_t seed)
{
    const vsw_flow_word *f = vsw_flow_cwords(flow);
    const vsw_flow_word *m = vsw_flow_cwords(mask);
    uint32_t h = seed;

    for (unsigned i = 0; i < n_words; i++) {
        h = rte_hash_crc_8byte(f[words[i]] & m[words[i]], h);
    }
    return h;
}

#endif /* VSW_MATCH_H */
