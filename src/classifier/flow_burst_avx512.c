/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AVX-512 (F, BW, VBMI) burst parse (see flow_burst.h).  Built with
 * its own -m flags; run only where vsw_flow_burst_avx512_usable().
 *
 * For an untagged IPv4 frame without options or fragments carrying TCP or
 * UDP, the key is fixed bytes of the frame at fixed places: one masked
 * load of the frame's first 64 bytes, a permutation into key bytes 0-63
 * (in_port inserted), another into bytes 64-119 (the TCP flags masked),
 * two stores.  The checks that decide it is such a frame are the scalar
 * fast parse's, in the same order, so both accept exactly the same frames.
 */

#include <immintrin.h>
#include <stddef.h>

#include "classifier/flow_burst.h"
#include "classifier/flow_fast.h"

#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN

#define X 0xff   /* A key byte not taken from the frame (zeroed by the mask). */

/* Key bytes 0-63 <- frame bytes: dl_dst, dl_src (8-19), dl_type (20-21),
 * nw_src (28-31), nw_dst (32-35).  Bytes 0-3 get in_port. */
static const uint8_t lo_idx[64] = {
    X, X, X, X, X, X, X, X,
    0, 1, 2, 3, 4, 5, 6, 7,
    8, 9, 10, 11, 12, 13, X, X,
    X, X, X, X, 26, 27, 28, 29,
    30, 31, 32, 33, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
};
#define LO_TAKE 0x0000000ff03fff00ull

/* Key bytes 64-127 <- frame bytes: nw_proto (72), nw_tos (73), nw_ttl
 * (74), tp_src and tp_dst (76-79), tcp_flags (80-81, TCP only). */
static const uint8_t hi_idx[64] = {
    X, X, X, X, X, X, X, X,
    23, 15, 22, X, 34, 35, 36, 37,
    46, 47, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
    X, X, X, X, X, X, X, X,
};
#define HI_TAKE_UDP 0x000000000000f700ull
#define HI_TAKE_TCP 0x000000000003f700ull
#define HI_STORE ((1ull << (sizeof(struct vsw_flow) - 64)) - 1)

_Static_assert(offsetof(struct vsw_flow, in_port) == 0 && offsetof(struct vsw_flow, dl_dst) == 8
               && offsetof(struct vsw_flow, dl_type) == 20
               && offsetof(struct vsw_flow, nw_src) == 28
               && offsetof(struct vsw_flow, nw_dst) == 32
               && offsetof(struct vsw_flow, nw_proto) == 72
               && offsetof(struct vsw_flow, tp_src) == 76
               && offsetof(struct vsw_flow, tcp_flags) == 80
               && sizeof(struct vsw_flow) == 120, "the permutations above");

/* The frame of 'len' bytes at 'p' is untagged IPv4 without options or
 * fragments with a complete TCP or UDP header: its IP total length in
 * '*tot_len' and whether it is TCP in '*tcp'. */
static inline bool
plain_ipv4(const uint8_t *p, uint32_t len, uint32_t *tot_len, bool *tcp)
{
    if (len < 14 + 20 + 8 || vsw_get16(p + 12) != rte_cpu_to_be_16(VSW_ETH_TYPE_IP)) {
        return false;
    }
    const uint8_t *ip = p + 14;
    uint32_t tl = rte_be_to_cpu_16(vsw_get16(ip + 2));
    if (ip[0] != 0x45 || (vsw_get16(ip + 6) & rte_cpu_to_be_16(0x3fff)) || tl > len - 14
        || tl < 20 + 8) {
        return false;
    }
    uint32_t l4_len = tl - 20;
    if (ip[9] == VSW_IPPROTO_TCP) {
        if (l4_len < 20) {      /* Before reading the data offset, which is in it. */
            return false;
        }
        uint32_t hlen = (ip[20 + 12] >> 4) * 4u;
        if (hlen < 20 || hlen > l4_len) {
            return false;
        }
        *tcp = true;
    } else if (ip[9] == VSW_IPPROTO_UDP) {
        *tcp = false;
    } else {
        return false;
    }
    *tot_len = tl;
    return true;
}

uint64_t
vsw_flow_extract_burst_avx512(const uint8_t *const data[], const uint32_t len[], uint64_t todo,
                              uint32_t in_port, struct vsw_flow flows[], struct vsw_layout lays[])
{
    const __m512i lo_perm = _mm512_loadu_si512(lo_idx);
    const __m512i hi_perm = _mm512_loadu_si512(hi_idx);
    /* tcp_flags keeps the low 12 bits: its first (high) byte ANDed with 0x0f. */
    const __m512i hi_and = _mm512_mask_set1_epi8(_mm512_set1_epi8((char) 0xff),
                                                 1ull << (80 - 64), 0x0f);
    uint64_t done = 0;

    for (; todo; todo &= todo - 1) {
        unsigned i = (unsigned) __builtin_ctzll(todo);
        const uint8_t *p = data[i];
        uint32_t n = len[i], tot_len;
        bool tcp;

        if (!plain_ipv4(p, n, &tot_len, &tcp)) {
            if (vsw_flow_extract_fast(p, n, in_port, &flows[i], &lays[i])) {
                done |= 1ull << i;
            }
            continue;
        }
        /* Only the frame's bytes are read (a masked load does not fault on
         * the bytes it skips). */
        __mmask64 avail = n >= 64 ? ~0ull : (1ull << n) - 1;
        __m512i frame = _mm512_maskz_loadu_epi8(avail, p);
        __m512i lo = _mm512_maskz_permutexvar_epi8(LO_TAKE, lo_perm, frame);
        __m512i hi = _mm512_maskz_permutexvar_epi8(tcp ? HI_TAKE_TCP : HI_TAKE_UDP, hi_perm,
                                                   frame);
        lo = _mm512_mask_set1_epi32(lo, 1, (int) in_port);
        hi = _mm512_and_si512(hi, hi_and);
        _mm512_storeu_si512(&flows[i], lo);
        _mm512_mask_storeu_epi8((uint8_t *) &flows[i] + 64, HI_STORE, hi);
        lays[i].l3_ofs = 14;
        lays[i].l4_ofs = 14 + 20;
        lays[i].l3_end = (uint16_t) (14 + tot_len);
        lays[i].n_vlans = 0;
        done |= 1ull << i;
    }
    return done;
}

#else /* Big-endian: no such CPU has AVX-512 (never selected). */

uint64_t
vsw_flow_extract_burst_avx512(const uint8_t *const data[], const uint32_t len[], uint64_t todo,
                              uint32_t in_port, struct vsw_flow flows[], struct vsw_layout lays[])
{
    (void) data; (void) len; (void) todo; (void) in_port; (void) flows; (void) lays;
    return 0;
}

#endif
