/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_GROUP_H
#define VSW_GROUP_H 1

/*
 * OpenFlow groups: the group table as the translation reads it.
 *
 * What: a group is a list of buckets, each an action set (executed as
 * OpenFlow 1.1+ action sets are: last of each kind, in the spec's order,
 * nothing without an output, group or resubmit), of one of four types:
 * "all" (every bucket, each on its own copy of the packet), "indirect"
 * (its one bucket), "select" (one bucket per flow, by a hash of the packet,
 * weighted) and "fast_failover" (the first live bucket, a bucket being live
 * when its watch_port's link is up or its watch_group has a live bucket).
 * The select hash is Open vSwitch 3.1's, so a flow takes the bucket OVS's
 * userspace datapath would give it (see xlate/xlate_group.c).
 *
 * Why immutable snapshots: the handler and the PMDs' inline translations
 * read the table without locks.  Every change (add-group, mod-group,
 * del-groups) builds a new struct vsw_groups, publishes it with a release
 * store into dp->groups and waits for an RCU grace period, exactly as the
 * rule classifier is published (ruleset.c).  A changed group is a new
 * object: the old group and buckets are marked 'dead' (their struct
 * vsw_counted), the megaflows that credited them become revalidation
 * candidates, and the old objects are freed only after that revalidation
 * deleted or re-checked every megaflow that names them.
 *
 * Counters: a group and each of its buckets are struct vsw_counted, credited
 * per PMD by the megaflows that passed through them (classifier/rule.h).
 *
 * Thread safety: a published snapshot and everything it points to are
 * immutable except the counters; group.c's functions run on the control
 * thread (and in tests).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classifier/rule.h"
#include "util.h"
#include "vsw/actions.h"

/* OpenFlow group numbers. */
#define VSW_OFPG_MAX 0xffffff00u      /* Largest ordinary group id. */
#define VSW_OFPG_ALL 0xfffffffcu
#define VSW_OFPG_ANY 0xffffffffu
#define VSW_BUCKET_MAX 0xffffff00u    /* Largest bucket id (OpenFlow 1.5). */
#define VSW_BUCKET_UNSET 0xffffffffu  /* Parsed without bucket_id. */

/* Group types, with OpenFlow's numbers. */
enum vsw_group_type {
    VSW_GT_ALL = 0,
    VSW_GT_SELECT = 1,
    VSW_GT_INDIRECT = 2,
    VSW_GT_FF = 3,
};

/* How a select group picks its bucket (what OVS 3.1 settles on). */
enum vsw_sel_method {
    VSW_SEL_DEFAULT,   /* Symmetric L4 hash, highest-scoring bucket. */
    VSW_SEL_HASH,      /* Hash of the 'fields', highest-scoring bucket. */
    VSW_SEL_DP_HASH,   /* Datapath hash into a table of hash values. */
};

/* The datapath hash algorithms (OVS_HASH_ALG_*). */
enum vsw_hash_alg { VSW_HASH_ALG_L4 = 0, VSW_HASH_ALG_SYM_L4 = 1 };

#define VSW_GROUP_MAX_FIELDS 16
#define VSW_GROUP_MAX_HASH 256        /* OVS's MAX_SELECT_GROUP_HASH_VALUES. */

struct vsw_bucket {
    struct vsw_counted c;             /* First: cache-line aligned counters. */
    uint32_t bucket_id;
    uint16_t weight;
    uint32_t watch_port;              /* VSW_OFPP_NONE: none. */
    uint32_t watch_group;             /* VSW_OFPG_ANY: none. */
    struct vsw_actions *actions;      /* Owned: as given (dump-groups). */
    struct vsw_actions *set;          /* Owned: what runs, the action set as
                                       * an action list (vsw_bucket_build_set()). */
};

/* A field of selection_method=hash: its id and the mask (network order,
 * the field's width). */
struct vsw_group_field {
    uint8_t id;                       /* enum vsw_field_id. */
    uint8_t mask[16];
};

struct vsw_group {
    struct vsw_counted c;             /* First: cache-line aligned counters. */
    uint32_t group_id;
    uint8_t type;                     /* enum vsw_group_type. */
    char selection_method[16];        /* As given ("" if none). */
    uint64_t selection_method_param;
    unsigned n_fields;
    struct vsw_group_field fields[VSW_GROUP_MAX_FIELDS];
    /* What the translation uses (OVS group_set_selection_method()). */
    uint8_t method;                   /* enum vsw_sel_method. */
    uint8_t hash_alg;                 /* VSW_SEL_DP_HASH: enum vsw_hash_alg. */
    uint32_t hash_basis;
    uint32_t hash_mask;               /* Hash values - 1. */
    uint16_t hash_map[VSW_GROUP_MAX_HASH]; /* Hash value -> bucket index. */
    unsigned n_buckets;
    struct vsw_bucket **buckets;      /* Owned. */
    uint64_t created_tsc;
};

/* A published group table: sorted by group id. */
struct vsw_groups {
    uint64_t gen;                     /* Bumped by every change (cache gen). */
    size_t n;
    struct vsw_group **g;
};


/** Parses an ovs-ofctl group line ("group_id=1,type=select,bucket=...")
 *  into a new group (created_tsc 0, not published).  Errors as ovs-ofctl
 *  words them, in 'err'. */
int vsw_group_parse(const char *s, struct vsw_group **out, char *err, size_t err_size);

/**
 * Makes b->set from b->actions: an OpenFlow action set executed as OVS's
 * ofpacts_execute_action_set() does: the last pop_vlan, push_vlan and
 * dec_ttl in that order, the set-field/load/move actions in order, and the
 * last "final" action (a group over an output over a resubmit); nothing at
 * all without a final action; other actions dropped.  0 or ENOMEM.
 */
int vsw_bucket_build_set(struct vsw_bucket *b);

/** Frees 'g' and its buckets. */
void vsw_group_free(struct vsw_group *g);

/** Sets up the select method's hash table (after parsing or a change). */
void vsw_group_setup_selection(struct vsw_group *g);

/** Formats 'g' as `ovs-ofctl -O OpenFlow15 dump-groups` prints it (no
 *  leading space or newline). */
void vsw_group_format(const struct vsw_group *g, struct vsw_buf *out);

/** The group 'id' of 'gs' (NULL: none). */
const struct vsw_group *vsw_groups_find(const struct vsw_groups *gs, uint32_t id);

#endif /* VSW_GROUP_H */
