/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vswctl reval-stats`: what revalidation has cost since vswd started --
 * how many megaflows the PMDs scanned for candidates, how many candidates
 * were translated again, how many of those were deleted, and how many
 * revalidations had to fall back to flushing every cache.
 *
 * Thread safety: control thread.
 */

#include <inttypes.h>

#include "ctl/ctl_cmd.h"
#include "util.h"
#include "xlate/revalidate.h"

static int
cmd_reval_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_reval_stats t;
    uint64_t runs, flushes;

    (void) d;
    (void) argc;
    (void) argv;
    vsw_revalidate_totals(&t, &runs, &flushes);
    vsw_buf_printf(out, "revalidations: %" PRIu64 "\n", runs);
    vsw_buf_printf(out, "  megaflows scanned: %" PRIu64 "\n", t.scanned);
    vsw_buf_printf(out, "  candidates translated again: %" PRIu64 "\n", t.checked);
    vsw_buf_printf(out, "  megaflows deleted: %" PRIu64 "\n", t.deleted);
    vsw_buf_printf(out, "  fell back to a flush: %" PRIu64 "\n", flushes);
    return 0;
}

void
vsw_revalidate_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "reval-stats", cmd_reval_stats },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
