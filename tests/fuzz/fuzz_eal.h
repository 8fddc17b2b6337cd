/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_FUZZ_EAL_H
#define VSW_FUZZ_EAL_H 1

/*
 * DPDK's EAL for fuzz targets that need mbufs or rte_malloc: no hugepages,
 * no PCI, no shared config file (--no-shconf: --in-memory does not go with
 * --no-huge), and a file
 * prefix unique to the process so that fuzzers running side by side, or
 * next to the unit tests, do not meet.
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>

static inline void
fuzz_eal_init(const char *argv0)
{
    char prefix[64];

    snprintf(prefix, sizeof prefix, "--file-prefix=vswfuzz%ld", (long) getpid());
    char *eal[] = { (char *) argv0, "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
                    "--log-level=error", "--no-telemetry", prefix, NULL };
    if (rte_eal_init((int) (sizeof eal / sizeof eal[0]) - 1, eal) < 0) {
        fprintf(stderr, "cannot initialise DPDK's EAL\n");
        exit(1);
    }
}

#endif /* VSW_FUZZ_EAL_H */
