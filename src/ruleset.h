/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_RULESET_H
#define VSW_RULESET_H 1

/*
 * The OpenFlow rule set as the control thread keeps it, and the operations
 * vswctl asks for (add, delete, replace, dump, expire).
 *
 * Every operation is all or nothing: it computes the complete new rule list,
 * builds a classifier snapshot from it and publishes that in one pointer
 * store (dp.h), so a packet sees either the old rules or the new ones, never
 * a mix.  Rules that left the set are freed after the RCU grace period.
 *
 * Thread safety: control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "util.h"
#include "vsw/ofp_parse.h"

/* Why a rule left the set (OpenFlow's flow-removed reasons). */
enum vsw_rule_removed {
    VSW_RR_IDLE_TIMEOUT = 0,
    VSW_RR_HARD_TIMEOUT = 1,
    VSW_RR_DELETE = 2,
    VSW_RR_GROUP_DELETE = 3,   /* Its group was deleted (OpenFlow 1.3). */
};

/** Told about each rule with VSW_FF_SEND_FLOW_REM that expired or was
 *  deleted, after the change was published and before the rule is freed. */
typedef void vsw_rule_removed_fn(void *aux, const struct vsw_rule *r,
                                 enum vsw_rule_removed reason);

struct vsw_ruleset {
    vsw_rule_removed_fn *removed; /**< Or NULL. */
    void *removed_aux;         /**< Its argument. */
    struct vsw_rule **rules;   /**< Current rules (the published snapshot's). */
    size_t n;                  /**< Number of rules. */
    uint64_t next_seq;         /**< Next insertion sequence number. */
    uint64_t committed_seq;    /**< next_seq at the last commit: rules with a
                                *   higher 'seq' are new in the next one. */
    /* A check of new rules' actions beyond their syntax, set by a module
     * the actions refer to (the group table: group:N must exist).  Returns
     * 0 or a positive errno with a message in 'err'.  NULL: none. */
    int (*check_actions)(const void *aux, const struct vsw_actions *acts,
                         char *err, size_t err_size);
    const void *check_aux;
    struct vsw_counted *table_miss;     /**< Per table: lookups after the
                                         *   first that found no rule (the
                                         *   megaflows credit them). */
    uint64_t table_matched_base[VSW_N_TABLES]; /**< Per table: hits of rules
                                         *   that are gone. */
};

/** Prints `ovs-ofctl dump-tables`' answer: per table the active rules, the
 *  lookups and the matches. */
void vsw_ruleset_dump_tables(struct vsw_dp *dp, const struct vsw_ruleset *rs,
                             struct vsw_buf *out);

/**
 * Parses 'text' (a rule file: one flow per line, '#' comments and blank lines
 * allowed) for 'cmd'.  On success '*fms' holds '*n' parsed flow mods (free
 * with vsw_flow_mods_free).  On error returns a positive errno and a message
 * "line N: ..." in 'err'.
 */
int vsw_flow_mods_parse_text(const char *text, enum vsw_fm_command cmd,
                             struct vsw_flow_mod **fms, size_t *n,
                             char *err, size_t err_size);
void vsw_flow_mods_free(struct vsw_flow_mod *fms, size_t n);

/** Adds (or replaces same table+match+priority) 'n' rules; takes their actions. */
int vsw_ruleset_add(struct vsw_dp *dp, struct vsw_ruleset *rs,
                    struct vsw_flow_mod *fms, size_t n, char *err, size_t err_size);

/** Deletes the rules selected by 'fm' ('strict': same match and priority). */
int vsw_ruleset_delete(struct vsw_dp *dp, struct vsw_ruleset *rs,
                       const struct vsw_flow_mod *fm, bool strict, size_t *n_deleted,
                       char *err, size_t err_size);

/** Deletes the rules for which 'pred' is true ('*n_deleted' says how many):
 *  del-groups removing the rules that use a group (reason group_delete). */
int vsw_ruleset_delete_if(struct vsw_dp *dp, struct vsw_ruleset *rs,
                          bool (*pred)(const struct vsw_rule *r, const void *aux),
                          const void *aux, size_t *n_deleted, char *err, size_t err_size);

/** Makes the rule set exactly 'fms'; unchanged rules keep their counters. */
int vsw_ruleset_replace(struct vsw_dp *dp, struct vsw_ruleset *rs,
                        struct vsw_flow_mod *fms, size_t n, char *err, size_t err_size);

/** Removes rules whose idle or hard timeout has passed. Returns how many. */
size_t vsw_ruleset_expire(struct vsw_dp *dp, struct vsw_ruleset *rs);

/** Frees every rule and the list.  Only once no classifier snapshot that
 *  points at the rules can be read any more (after vsw_dp_stop()). */
void vsw_ruleset_destroy(struct vsw_ruleset *rs);

/** Prints rules (all, or those selected by 'filter') like ovs-ofctl dump-flows. */
void vsw_ruleset_dump(const struct vsw_ruleset *rs, const struct vsw_flow_mod *filter,
                      bool strict, struct vsw_buf *out);

#endif /* VSW_RULESET_H */
