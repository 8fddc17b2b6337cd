/* SPDX-License-Identifier: Apache-2.0 */
/* EMC signature match with AVX2: one 8-lane compare per bucket.
 * Compiled with -mavx2; called only if the CPU has it (emc.c). */

#include <immintrin.h>

#include "classifier/emc.h"

void
emc_sig_match_avx2(const struct emc_bucket *const *buckets, const uint32_t *sigs, unsigned n,
                   uint8_t *out)
{
    for (unsigned i = 0; i < n; i++) {
        __m256i s = _mm256_set1_epi32((int) sigs[i]);
        __m256i b = _mm256_load_si256((const __m256i *) buckets[i]->sigs);
        out[i] = (uint8_t) _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(b, s)));
    }
}
