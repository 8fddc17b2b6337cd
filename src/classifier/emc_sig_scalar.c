/* SPDX-License-Identifier: Apache-2.0 */
/* EMC signature match, portable variant (the reference for the SIMD ones). */

#include "classifier/emc.h"

void
emc_sig_match_scalar(const struct emc_bucket *const *buckets, const uint32_t *sigs, unsigned n,
                     uint8_t *out)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t m = 0;
        for (unsigned w = 0; w < EMC_WAYS; w++) {
            m |= (uint8_t) ((buckets[i]->sigs[w] == sigs[i]) << w);
        }
        out[i] = m;
    }
}
