/* SPDX-License-Identifier: Apache-2.0 */
/* Megaflow revalidation after a rule change; see revalidate.h. */

#include <stdlib.h>
#include <string.h>

#include "dp.h"
#include "pmd/upcall.h"
#include "util.h"
#include "xlate/revalidate.h"
#include "xlate/xlate.h"

void
vsw_revalidate(struct vsw_dp *dp, struct vsw_reval_stats *st)
{
    const struct vsw_cls *cls = dp->cls;
    const struct vsw_ports_snap *ps = dp->ports;

    memset(st, 0, sizeof *st);
    for (unsigned p = 0; p < dp->n_pmds && !st->flushed; p++) {
        struct vsw_mf_dump *e;
        uint32_t n, n_del = 0, n_deleted;
        bool truncated;

        if (vsw_dp_dump_megaflows_all(dp, p, &e, &n, &truncated) || truncated) {
            free(e);
            st->flushed = true;
            break;
        }
        uint32_t *slots = malloc(sizeof *slots * (n ? n : 1));
        uint32_t *gens = malloc(sizeof *gens * (n ? n : 1));
        if (!slots || !gens) {
            free(slots);
            free(gens);
            free(e);
            st->flushed = true;
            break;
        }
        for (uint32_t k = 0; k < n; k++) {
            if (!upcall_megaflow_valid(dp, cls, ps, &e[k].key, &e[k].mask,
                                       e[k].rule, e[k].acts, e[k].acts_len)) {
                slots[n_del] = e[k].idx;
                gens[n_del] = e[k].gen;
                n_del++;
            }
        }
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
}

void
vsw_revalidate_regions(struct vsw_dp *dp, const struct vsw_reval_region *r, size_t n,
                       struct vsw_reval_stats *st)
{
    (void) r;
    (void) n;
    vsw_revalidate(dp, st);
}
