/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FLOW_BURST_H
#define VSW_FLOW_BURST_H 1

/*
 * The fast parse of a burst, in runtime-selected variants.
 *
 * What: for the frames of a burst marked in 'todo', the fast parse of
 * classifier/flow_fast.h (Ethernet with at most one tag, IPv4 without
 * options or fragments or IPv6 without extension headers, TCP or UDP):
 * each frame it accepts gets its key and layout, exactly as the general
 * parser would give them, and its bit in the returned bitmap; the others
 * are left untouched for the general parser.
 *
 * Variants:
 *   scalar   no burst function: the PMD calls vsw_flow_extract_fast()
 *            inline, frame by frame, as it checks each mbuf.  The reference,
 *            and what runs on CPUs without the instructions below.
 *   avx512   (AVX-512 F, BW and VBMI) the commonest frame -- untagged IPv4
 *            with TCP or UDP -- is checked with scalar loads, then its key
 *            is built by two byte permutations of the frame's first 64
 *            bytes (one masked load) and written as two vector stores,
 *            where the scalar parse composes and stores 15 words.  Every
 *            other frame goes through vsw_flow_extract_fast().  It pays
 *            little: the parse stage of scenario c (pmd-stats, release
 *            build, four alternated rounds) went from 14.3-14.9 cycles a
 *            packet to 13.3-13.8, of ~100 in all; in d it was within the
 *            noise.  What the parse stage spends is the mbuf checks and
 *            the loop, not the key's stores.  It is called once a burst,
 *            after the mbuf checks; with the scalar parse behind the same
 *            call the stage cost ~1.5 cycles more, so scalar stays inline.
 * An AVX2 variant was not written: its byte shuffles stay within 16-byte
 * lanes, so gathering key bytes from across a 64-byte frame takes several
 * loads, shuffles and blends per key line -- about what composing the words
 * costs.
 *
 * tests/unit/test_flow_extract.c compares every variant the CPU has with
 * the general parser on generated and mutated frames.  vswd picks the best
 * variant at start (--parser scalar forces the reference); `vswctl
 * pmd-stats` names it.
 *
 * Thread safety: pure functions of their arguments.
 */

#include <stdbool.h>
#include <stdint.h>

#include "vsw/flow.h"

typedef uint64_t vsw_flow_burst_fn(const uint8_t *const data[], const uint32_t len[],
                                   uint64_t todo, uint32_t in_port, struct vsw_flow flows[],
                                   struct vsw_layout lays[]);

vsw_flow_burst_fn vsw_flow_extract_burst_avx512;

/** True if this CPU runs vsw_flow_extract_burst_avx512(). */
bool vsw_flow_burst_avx512_usable(void);

/** The variant named 'want' ("auto": the fastest this CPU runs; "scalar";
 *  "avx512"): its burst function in '*fn' (NULL for scalar, which is
 *  inline) and its name in '*name'.  False if 'want' is unknown or the CPU
 *  lacks it. */
bool vsw_flow_burst_select(const char *want, vsw_flow_burst_fn **fn, const char **name);

#endif /* VSW_FLOW_BURST_H */
