/* SPDX-License-Identifier: Apache-2.0 */
/* Megaflow revalidation after a rule or MAC table change; see revalidate.h. */

#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "pmd/upcall.h"
#include "util.h"
#include "xlate/revalidate.h"
#include "xlate/xlate.h"

/* Control thread only. */
static struct vsw_reval_stats totals;
static uint64_t runs, flushes;

/* Translates the candidates 'e[0..n)' again; fills 'slots'/'gens' with
 * those that changed and returns how many. */
static uint32_t
check_candidates(struct vsw_dp *dp, const struct vsw_cls *cls, const struct vsw_ports_snap *ps,
                 const struct vsw_mf_dump *e, uint32_t n, uint32_t *slots, uint32_t *gens)
{
    uint32_t n_del = 0;

    for (uint32_t k = 0; k < n; k++) {
        bool dead = false;
        for (unsigned d = 0; d < e[k].n_deps; d++) {
            dead |= e[k].deps[d]->dead;
        }
        if (dead
            || !upcall_megaflow_valid(dp, cls, ps, &e[k].key, &e[k].mask, e[k].deps,
                                      e[k].n_deps, e[k].acts, e[k].acts_len)) {
            slots[n_del] = e[k].idx;
            gens[n_del] = e[k].gen;
            n_del++;
        }
    }
    return n_del;
}

static void
revalidate(struct vsw_dp *dp, const struct vsw_mf_scan_spec *spec, struct vsw_reval_stats *st)
{
    const struct vsw_cls *cls = dp->cls;
    const struct vsw_ports_snap *ps = dp->ports;

    memset(st, 0, sizeof *st);
    for (unsigned p = 0; p < dp->n_pmds && !st->flushed; p++) {
        struct vsw_mf_dump *e;
        uint32_t n, n_deleted;
        bool truncated;

        if (vsw_dp_scan_megaflows(dp, p, spec, &e, &n, &truncated)
            || truncated) {
            free(e);
            st->flushed = true;
            break;
        }
        st->scanned += __atomic_load_n(&dp->pmds[p].dpcls->n_flows, __ATOMIC_RELAXED);
        uint32_t *slots = malloc(sizeof *slots * (n ? n : 1));
        uint32_t *gens = malloc(sizeof *gens * (n ? n : 1));
        if (!slots || !gens) {
            free(slots);
            free(gens);
            free(e);
            st->flushed = true;
            break;
        }
        uint32_t n_del = check_candidates(dp, cls, ps, e, n, slots, gens);
        st->checked += n;
        if (vsw_dp_delete_megaflows(dp, p, slots, gens, n_del, &n_deleted)) {
            st->flushed = true;
        }
        st->deleted += n_deleted;
        free(slots);
        free(gens);
        free(e);
    }
    if (st->flushed) {
        VSW_LOG(VSW_LOG_WARN, "revalidation could not reach every PMD's megaflows: "
                "flushing every cache instead");
        vsw_dp_flush_caches(dp);
    }
    runs++;
    totals.scanned += st->scanned;
    totals.checked += st->checked;
    totals.deleted += st->deleted;
    flushes += st->flushed;
}

void
vsw_revalidate(struct vsw_dp *dp, struct vsw_reval_stats *st)
{
    struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_ALL };
    revalidate(dp, &spec, st);
}

void
vsw_revalidate_regions(struct vsw_dp *dp, const struct vsw_reval_region *regions, size_t n,
                       struct vsw_reval_stats *st)
{
    struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_AFFECTED, .regions = regions,
                                     .n_regions = n };
    revalidate(dp, &spec, st);
}

void
vsw_revalidate_port(struct vsw_dp *dp, uint32_t ofport, struct vsw_reval_stats *st)
{
    struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_PORT, .port = ofport };
    revalidate(dp, &spec, st);
}

static int
cmp_u64(const void *a_, const void *b_)
{
    uint64_t a = *(const uint64_t *) a_, b = *(const uint64_t *) b_;
    return a < b ? -1 : a > b;
}

void
vsw_revalidate_macs(struct vsw_dp *dp, const uint8_t (*macs)[6], size_t n,
                    struct vsw_reval_stats *st)
{
    uint64_t *set = malloc(sizeof *set * (n ? n : 1));

    if (!set) {
        vsw_revalidate(dp, st);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        set[i] = vsw_mac_to_u64(macs[i]);
    }
    qsort(set, n, sizeof *set, cmp_u64);
    struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_MACS, .macs = set, .n_macs = n };
    revalidate(dp, &spec, st);
    free(set);
}

void
vsw_revalidate_totals(struct vsw_reval_stats *total, uint64_t *n_runs, uint64_t *n_flushes)
{
    *total = totals;
    *n_runs = runs;
    *n_flushes = flushes;
}
