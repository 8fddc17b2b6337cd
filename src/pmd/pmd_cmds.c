/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control commands on the PMD threads' counters: pmd-stats and
 * pmd-stats-clear.  Their usage lines are in ctl/ctl_cmd_info.c.
 */

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "util.h"

static void
pct(struct vsw_buf *out, const char *what, uint64_t part, uint64_t whole)
{
    vsw_buf_printf(out, "  %s: %" PRIu64 " (%.1f %%)\n", what, part,
                   whole ? 100.0 * (double) part / (double) whole : 0.0);
}

/* The counters of VSW_PMD_COUNTERS (dp.h) as a table. */
static const struct {
    const char *text;
    const char *note;
    enum vsw_pmd_counter_kind kind;
    size_t offset;              /* In struct vsw_pmd_stats. */
} counters[VSW_PMD_N_COUNTERS] = {
#define COUNTER(NAME, KIND, TEXT, NOTE) \
    [VSW_PMD_C_##NAME] = { TEXT, NOTE, KIND, offsetof(struct vsw_pmd_stats, NAME) },
    VSW_PMD_COUNTERS(COUNTER)
#undef COUNTER
};

static uint64_t
counter_value(const struct vsw_pmd_stats *s, enum vsw_pmd_counter c)
{
    uint64_t v;

    memcpy(&v, (const char *) s + counters[c].offset, sizeof v);
    return v;
}

/* The VSW_PC_CUSTOM lines: counters that need context to read. */
static void
put_custom(const struct vsw_dp *dp, const struct vsw_pmd *pmd, enum vsw_pmd_counter c,
           struct vsw_buf *out)
{
    const struct vsw_pmd_stats *s = &pmd->stats;
    double cpp = s->packets ? 1.0 / (double) s->packets : 0.0;

    switch (c) {
    case VSW_PMD_C_probes:
        vsw_buf_printf(out, "  %s: %.2f\n", counters[c].text,
                       s->megaflow_hits ? (double) s->probes / (double) s->megaflow_hits
                                        : 0.0);
        break;
    case VSW_PMD_C_megaflows_expired:
        vsw_buf_printf(out, "  megaflows: %u (limit %u), expired %" PRIu64 ", subtables %u\n",
                       pmd->dpcls->n_flows, dp->flow_limit, s->megaflows_expired,
                       pmd->dpcls->n_subtables);
        vsw_buf_printf(out, "  emc: %s, %s mode, %" PRIu64 " mode switches; parser: %s\n",
                       dp->emc_enabled ? dp->emc_impl : "off",
                       pmd->emc->bypass ? "bypass" : "normal", pmd->emc->mode_switches,
                       dp->parser_impl);
        break;
    case VSW_PMD_C_upcall_full:
        vsw_buf_printf(out, "  %s: %" PRIu64 " (%s)\n", counters[c].text, s->upcall_full,
                       dp->upcall_overflow_inline ? "translated by the PMD" : "dropped");
        break;
    case VSW_PMD_C_busy_iterations:
        vsw_buf_printf(out, "  %s: %" PRIu64 " of %" PRIu64 "\n", counters[c].text,
                       s->busy_iterations, s->iterations);
        break;
    case VSW_PMD_C_cycles_busy:
        vsw_buf_printf(out, "  %s: %.1f\n", counters[c].text, (double) s->cycles_busy * cpp);
        vsw_buf_printf(out, "    parse: %.1f, emc: %.1f, megaflow: %.1f, upcall: %.1f, "
                       "execute+tx: %.1f\n",
                       (double) s->cycles_parse * cpp, (double) s->cycles_emc * cpp,
                       (double) s->cycles_dpcls * cpp, (double) s->cycles_upcall * cpp,
                       (double) s->cycles_execute * cpp);
        break;
    default:
        break;
    }
}

static int
cmd_pmd_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        const struct vsw_pmd *pmd = &d->dp->pmds[i];
        const struct vsw_pmd_stats *s = &pmd->stats;

        vsw_buf_printf(out, "pmd %u (lcore %u):\n", i, pmd->lcore);
        for (int c = 0; c < VSW_PMD_N_COUNTERS; c++) {
            switch (counters[c].kind) {
            case VSW_PC_COUNT:
                vsw_buf_printf(out, "  %s: %" PRIu64 "%s\n", counters[c].text,
                               counter_value(s, c), counters[c].note);
                break;
            case VSW_PC_SHARE:
                pct(out, counters[c].text, counter_value(s, c), s->packets);
                break;
            case VSW_PC_CUSTOM:
                put_custom(d->dp, pmd, c, out);
                break;
            case VSW_PC_HIDDEN:
                break;
            }
        }
    }
    return 0;
}

static int
cmd_pmd_stats_clear(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    (void) out;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        d->dp->pmds[i].clear_stats = true;
    }
    /* The PMDs clear at their next iteration boundary; wait for it. */
    vsw_dp_synchronize(d->dp);
    return 0;
}

void
vsw_pmd_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "pmd-stats", cmd_pmd_stats },
        { "pmd-stats-clear", cmd_pmd_stats_clear },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
