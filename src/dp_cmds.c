/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control command on the datapath's flow caches: dump-megaflows.  Its
 * usage line is in ctl/ctl_cmd_info.c.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "classifier/megaflow_format.h"
#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "util.h"

static int
cmd_dump_megaflows(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();

    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        struct vsw_mf_dump *e;
        uint32_t n;
        int error = vsw_dp_dump_megaflows(d->dp, i, &e, &n);
        if (error) {
            vsw_buf_printf(out, "pmd %u: cannot dump megaflows: %s", i, strerror(error));
            return error;
        }
        if (d->dp->n_pmds > 1) {
            vsw_buf_printf(out, "pmd %u:\n", i);
        }
        for (uint32_t k = 0; k < n; k++) {
            vsw_megaflow_format(&e[k], now, hz, out);
        }
        free(e);
    }
    return 0;
}

void
vsw_dp_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "dump-megaflows", cmd_dump_megaflows },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
