/* SPDX-License-Identifier: Apache-2.0 */
/* The choice of burst parse variant (see flow_burst.h). */

#include <stdbool.h>
#include <string.h>

#include <rte_cpuflags.h>

#include "classifier/flow_burst.h"

bool
vsw_flow_burst_avx512_usable(void)
{
#ifdef RTE_ARCH_X86_64
    return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0
           && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512BW) > 0
           && rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512VBMI) > 0;
#else
    return false;
#endif
}

bool
vsw_flow_burst_select(const char *want, vsw_flow_burst_fn **fn, const char **name)
{
    bool any = !strcmp(want, "auto");

    if ((any || !strcmp(want, "avx512")) && vsw_flow_burst_avx512_usable()) {
        *fn = vsw_flow_extract_burst_avx512;
        *name = "avx512";
        return true;
    }
    if (any || !strcmp(want, "scalar")) {
        *fn = NULL;
        *name = "scalar";
        return true;
    }
    return false;
}
