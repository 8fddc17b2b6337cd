/* SPDX-License-Identifier: Apache-2.0 */
/* EMC signature match with SSE4.2: two 4-lane compares per bucket.
 * Compiled with -msse4.2; called only if the CPU has it (emc.c). */

#include <immintrin.h>

#include "classifier/emc.h"

void
emc_sig_match_sse42(const struct emc_bucket *const *buckets, const uint32_t *sigs, unsigned n,
                    uint8_t *out)
{
    for (unsigned i = 0; i < n; i++) {
        __m128i s = _mm_set1_epi32((int) sigs[i]);
        __m128i lo = _mm_load_si128((const __m128i *) &buckets[i]->sigs[0]);
        __m128i hi = _mm_load_si128((const __m128i *) &buckets[i]->sigs[4]);
        int mlo = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, s)));
        int mhi = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, s)));
        out[i] = (uint8_t) (mlo | (mhi << 4));
    }
}
