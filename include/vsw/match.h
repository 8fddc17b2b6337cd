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

/**
 * The pipeline fields: state an OpenFlow translation carries from table to
 * table besides the packet's headers.  They start at zero for every packet,
 * actions write them (write_metadata, load, move, set_field) and rules
 * match them; they never reach the wire nor the datapath's flow key, so a
 * megaflow never matches them (their values follow from the header bits
 * the translation read, which it un-wildcards).  Stored in network byte
 * order like the header fields, so the field registry (vsw/fields.h)
 * reads and writes them with the same byte-wise code: xreg N is the 8
 * bytes of reg 2N (upper half) and reg 2N+1.
 */
#define VSW_N_REGS 16
#define VSW_N_XREGS (VSW_N_REGS / 2)
struct vsw_pipe {
    rte_be64_t metadata;             /**< OpenFlow metadata. */
    rte_be32_t regs[VSW_N_REGS];     /**< reg0..reg15 (NXM registers). */
} __attribute__((aligned(8)));
#define VSW_PIPE_U64S (sizeof(struct vsw_pipe) / sizeof(uint64_t))
_Static_assert(sizeof(struct vsw_pipe) % 8 == 0, "vsw_pipe must be a multiple of 8 bytes");

/** The words of 'p', for reading (see vsw_flow_word). */
static inline const vsw_flow_word *
vsw_pipe_cwords(const struct vsw_pipe *p)
{
    return (const vsw_flow_word *) (const void *) p;
}

/** The words of 'p', for writing. */
static inline vsw_flow_word *
vsw_pipe_words(struct vsw_pipe *p)
{
    return (vsw_flow_word *) (void *) p;
}

/** What an OpenFlow table looks a packet up by: its headers and the
 *  pipeline fields as the actions so far left them. */
struct vsw_ofkey {
    struct vsw_flow flow;
    struct vsw_pipe pipe;
};

struct vsw_match {
    struct vsw_flow key;   /**< Values, with every bit outside 'mask' zero. */
    struct vsw_flow mask;  /**< 1-bits are the bits that must match. */
    struct vsw_pipe pkey;  /**< Pipeline field values (under 'pmask'). */
    struct vsw_pipe pmask; /**< Pipeline field mask. */
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
    vsw_flow_word *pk = vsw_pipe_words(&m->pkey);
    const vsw_flow_word *pm = vsw_pipe_cwords(&m->pmask);

    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        k[i] &= mk[i];
    }
    for (size_t i = 0; i < VSW_PIPE_U64S; i++) {
        pk[i] &= pm[i];
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
    ak = vsw_pipe_cwords(&a->pkey);
    am = vsw_pipe_cwords(&a->pmask);
    bk = vsw_pipe_cwords(&b->pkey);
    bm = vsw_pipe_cwords(&b->pmask);
    for (size_t i = 0; i < VSW_PIPE_U64S; i++) {
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
    nk = vsw_pipe_cwords(&narrow->pkey);
    nm = vsw_pipe_cwords(&narrow->pmask);
    wk = vsw_pipe_cwords(&wide->pkey);
    wm = vsw_pipe_cwords(&wide->pmask);
    for (size_t i = 0; i < VSW_PIPE_U64S; i++) {
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
