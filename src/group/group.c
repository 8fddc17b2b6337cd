/* SPDX-License-Identifier: Apache-2.0 */
/* Group objects and the published table; see group.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "group/group.h"
#include "vsw/ofp_actions.h"

/* Where an action goes in an action set (OVS action_set_classify()). */
enum set_class {
    SC_POP_VLAN, SC_PUSH_VLAN, SC_DEC_TTL, SC_N_SLOTS,
    SC_FINAL_RESUBMIT = SC_N_SLOTS, SC_FINAL_OUTPUT, SC_FINAL_GROUP,
    SC_SET_OR_MOVE, SC_INVALID
};

static enum set_class
classify(const struct vsw_action *a)
{
    switch ((enum vsw_action_type) a->type) {
    case VSW_ACT_POP_VLAN:
        return SC_POP_VLAN;
    case VSW_ACT_PUSH_VLAN:
        return SC_PUSH_VLAN;
    case VSW_ACT_DEC_TTL:
        return SC_DEC_TTL;
    case VSW_ACT_RESUBMIT:
        return SC_FINAL_RESUBMIT;
    case VSW_ACT_OUTPUT:
    case VSW_ACT_IN_PORT:
    case VSW_ACT_ALL:
    case VSW_ACT_FLOOD:
    case VSW_ACT_NORMAL:
        return SC_FINAL_OUTPUT;
    case VSW_ACT_GROUP:
        return SC_FINAL_GROUP;
    case VSW_ACT_CONTROLLER:
        /* ovs-ofctl sends a plain controller action (reason action,
         * controller 0, no userdata) as output:CONTROLLER, which a bucket's
         * action set keeps as its output; OVS has no action-set slot for
         * the other forms (NX controller) and drops them. */
        return a->ctrl.reason == VSW_PIN_ACTION && !a->ctrl.id && !a->ctrl.userdata_len
               ? SC_FINAL_OUTPUT : SC_INVALID;
    case VSW_ACT_SET_ETH_SRC:
    case VSW_ACT_SET_ETH_DST:
    case VSW_ACT_SET_IPV4_SRC:
    case VSW_ACT_SET_IPV4_DST:
    case VSW_ACT_SET_IP_DSCP:
    case VSW_ACT_SET_IP_ECN:
    case VSW_ACT_SET_IP_TTL:
    case VSW_ACT_SET_L4_SRC:
    case VSW_ACT_SET_L4_DST:
    case VSW_ACT_SET_VLAN_VID:
    case VSW_ACT_SET_VLAN_PCP:
    case VSW_ACT_SET_IPV6_SRC:
    case VSW_ACT_SET_IPV6_DST:
    case VSW_ACT_SET_IPV6_LABEL:
    case VSW_ACT_LOAD:
    case VSW_ACT_MOVE:
        return SC_SET_OR_MOVE;
    default:
        return SC_INVALID;
    }
}

int
vsw_bucket_build_set(struct vsw_bucket *b)
{
    const struct vsw_actions *acts = b->actions;
    const struct vsw_action *slots[SC_N_SLOTS] = { NULL, NULL, NULL };
    const struct vsw_action *final = NULL;
    int final_class = 0;
    struct vsw_actions *set;
    uint32_t n = 0;

    set = calloc(1, vsw_actions_size((acts ? acts->n : 0) + 1));
    if (!set) {
        return ENOMEM;
    }
    for (uint32_t i = 0; acts && i < acts->n; i++) {
        int c = classify(&acts->a[i]);
        if (c < SC_N_SLOTS) {
            slots[c] = &acts->a[i];
        } else if (c < SC_SET_OR_MOVE && c >= final_class) {
            final = &acts->a[i];
            final_class = c;
        }
    }
    if (final) {
        for (int k = 0; k < SC_N_SLOTS; k++) {
            if (slots[k]) {
                set->a[n++] = *slots[k];
            }
        }
        for (uint32_t i = 0; i < acts->n; i++) {
            if (classify(&acts->a[i]) == SC_SET_OR_MOVE) {
                set->a[n++] = acts->a[i];
            }
        }
        set->a[n++] = *final;
    }
    set->n = n;
    vsw_actions_free(b->set);
    b->set = set;
    return 0;
}

void
vsw_group_free(struct vsw_group *g)
{
    if (!g) {
        return;
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        vsw_actions_free(g->buckets[i]->set);
        vsw_actions_free(g->buckets[i]->actions);
        free(g->buckets[i]);
    }
    free(g->buckets);
    free(g);
}

/*
 * OVS's dp_hash table (ofproto-dpif.c group_setup_dp_hash_table()): as
 * many hash values as the weights need at the granularity of the smallest
 * one (a power of two, at least 16, at most 'max_hash'), dealt out to the
 * buckets by Webster's method so each gets a share close to its weight.
 * False if the buckets cannot be represented so.
 */
static bool
setup_dp_hash(struct vsw_group *g, uint64_t max_hash)
{
    uint64_t total = 0, min_slots, n_hash = 16;
    uint16_t min_weight = UINT16_MAX;
    uint32_t *divisor;
    double *value;

    if (!g->n_buckets) {
        return false;
    }
    divisor = malloc(g->n_buckets * sizeof *divisor);
    value = malloc(g->n_buckets * sizeof *value);
    if (!divisor || !value) {
        free(divisor);
        free(value);
        return false;
    }
    for (unsigned i = 0; i < g->n_buckets; i++) {
        uint16_t w = g->buckets[i]->weight;
        if (w > 0 && w < min_weight) {
            min_weight = w;
        }
        total += w;
        divisor[i] = 1;
        value[i] = w;
    }
    if (!total) {
        free(divisor);
        free(value);
        return false;
    }
    min_slots = (total + min_weight - 1) / min_weight;
    while (n_hash < min_slots) {
        n_hash *= 2;
    }
    if (n_hash > VSW_GROUP_MAX_HASH || (max_hash && n_hash > max_hash)) {
        free(divisor);
        free(value);
        return false;
    }
    g->hash_mask = (uint32_t) (n_hash - 1);
    for (uint64_t h = 0; h < n_hash; h++) {
        unsigned win = 0;
        for (unsigned i = 1; i < g->n_buckets; i++) {
            if (value[i] > value[win]) {
                win = i;
            }
        }
        divisor[win] += 2;
        value[win] = (double) g->buckets[win]->weight / divisor[win];
        g->hash_map[h] = (uint16_t) win;
    }
    free(divisor);
    free(value);
    return true;
}

void
vsw_group_setup_selection(struct vsw_group *g)
{
    g->method = VSW_SEL_DEFAULT;
    g->hash_alg = VSW_HASH_ALG_SYM_L4;
    g->hash_basis = 0;
    g->hash_mask = 0;
    if (g->type != VSW_GT_SELECT) {
        return;
    }
    if (!g->selection_method[0]) {
        if (setup_dp_hash(g, VSW_GROUP_MAX_HASH)) {
            g->method = VSW_SEL_DP_HASH;
        }
    } else if (!strcmp(g->selection_method, "dp_hash")) {
        if (setup_dp_hash(g, 0)) {
            uint32_t alg = (uint32_t) (g->selection_method_param >> 32);
            g->method = VSW_SEL_DP_HASH;
            g->hash_alg = (uint8_t) (alg > VSW_HASH_ALG_SYM_L4 ? VSW_HASH_ALG_L4 : alg);
            g->hash_basis = (uint32_t) g->selection_method_param;
        }
    } else if (!strcmp(g->selection_method, "hash")) {
        /* OVS: hash with no fields falls back to the default method. */
        g->method = g->n_fields ? VSW_SEL_HASH : VSW_SEL_DEFAULT;
    }
}

const struct vsw_group *
vsw_groups_find(const struct vsw_groups *gs, uint32_t id)
{
    size_t lo = 0, hi = gs ? gs->n : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t m = gs->g[mid]->group_id;
        if (m == id) {
            return gs->g[mid];
        } else if (m < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}
