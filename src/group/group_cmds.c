/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The group table on the control thread (group.h): the commands add-group,
 * mod-group, del-groups, dump-groups and dump-group-stats (usage lines in
 * ctl/ctl_cmd_info.c), publishing, revalidation and freeing.
 *
 * A change builds a new sorted snapshot, publishes it (release store, RCU
 * grace period: no handler or PMD translation still reads the old one),
 * marks what left it dead and revalidates the megaflows that credited it,
 * then frees it: no megaflow names a freed group or bucket.  When another
 * group refers to a changed one (a group:N or watch_group in its buckets),
 * every megaflow is revalidated instead, since a translation reads a
 * watched group without crediting it.
 *
 * Rules: a rule's group:N must name an existing group (the rule set's
 * check_actions hook, OVS's OFPBAC_BAD_OUT_GROUP), and del-groups deletes
 * the rules that use a deleted group, as OVS does.
 *
 * Thread safety: control thread only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "group/group.h"
#include "ruleset.h"
#include "vsw/ofp_lex.h"
#include "xlate/revalidate.h"

/* ---- Publishing. ---- */

static struct vsw_groups *
snap_new(const struct vsw_groups *old, size_t cap)
{
    struct vsw_groups *gs = calloc(1, sizeof *gs);

    if (gs) {
        gs->gen = (old ? old->gen : 0) + 1;
        gs->g = calloc(cap ? cap : 1, sizeof *gs->g);
        if (!gs->g) {
            free(gs);
            gs = NULL;
        }
    }
    return gs;
}

static void
mark_dead(struct vsw_group *g)
{
    g->c.dead = true;
    for (unsigned i = 0; i < g->n_buckets; i++) {
        g->buckets[i]->c.dead = true;
    }
}

/* Whether a group of 'gs' other than 'id' itself refers to group 'id'. */
static bool
referenced_by_group(const struct vsw_groups *gs, uint32_t id)
{
    for (size_t i = 0; gs && i < gs->n; i++) {
        const struct vsw_group *g = gs->g[i];
        for (unsigned j = 0; j < g->n_buckets; j++) {
            const struct vsw_bucket *b = g->buckets[j];
            if (b->watch_group == id) {
                return true;
            }
            for (uint32_t k = 0; b->actions && k < b->actions->n; k++) {
                if (b->actions->a[k].type == VSW_ACT_GROUP && b->actions->a[k].group == id) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* Publishes 'gs', revalidates for the groups in 'dead' (already out of
 * 'gs'), frees them and the old snapshot.  'all': revalidate every
 * megaflow. */
static void
publish(struct vsw_dp *dp, struct vsw_groups *gs, struct vsw_group **dead, size_t n_dead,
        bool all)
{
    struct vsw_groups *old = dp->groups;
    struct vsw_reval_stats st;

    __atomic_store_n(&dp->groups, gs, __ATOMIC_RELEASE);
    vsw_dp_synchronize(dp);
    for (size_t i = 0; i < n_dead; i++) {
        mark_dead(dead[i]);
    }
    if (all) {
        vsw_revalidate(dp, &st);
    } else if (n_dead) {
        vsw_revalidate_regions(dp, NULL, 0, &st);
    }
    for (size_t i = 0; i < n_dead; i++) {
        vsw_group_free(dead[i]);
    }
    if (old) {
        free(old->g);
        free(old);
    }
}

/* ---- Rules that use groups. ---- */

static bool
actions_use_group(const struct vsw_actions *acts, uint32_t id)
{
    for (uint32_t i = 0; acts && i < acts->n; i++) {
        if (acts->a[i].type == VSW_ACT_GROUP && (id == VSW_OFPG_ALL || acts->a[i].group == id)) {
            return true;
        }
    }
    return false;
}

static bool
rule_uses_group(const struct vsw_rule *r, const void *aux)
{
    return actions_use_group(r->actions, *(const uint32_t *) aux);
}

/* The rule set's check_actions hook. */
static int
check_actions(const void *aux, const struct vsw_actions *acts, char *err, size_t err_size)
{
    const struct vsw_dp *dp = aux;

    for (uint32_t i = 0; acts && i < acts->n; i++) {
        if (acts->a[i].type == VSW_ACT_GROUP && !vsw_groups_find(dp->groups, acts->a[i].group)) {
            snprintf(err, err_size, "OFPBAC_BAD_OUT_GROUP: group %" PRIu32 " does not exist",
                     acts->a[i].group);
            return EINVAL;
        }
    }
    return 0;
}

void
vsw_group_attach(struct vsw_dp *dp, struct vsw_ruleset *rs)
{
    rs->check_actions = check_actions;
    rs->check_aux = dp;
}

/* ---- Commands. ---- */

/* add-group ('add') or mod-group of the parsed group 'g' (taken). */
static int
install(struct vsw_dp *dp, struct vsw_group *g, bool add, char *err, size_t err_size)
{
    const struct vsw_groups *old = dp->groups;
    struct vsw_group *prev;
    struct vsw_groups *gs;
    size_t j = 0, pos = 0;

    prev = (struct vsw_group *) (uintptr_t) vsw_groups_find(old, g->group_id);
    if (add && prev) {
        snprintf(err, err_size, "OFPGMFC_GROUP_EXISTS");
        vsw_group_free(g);
        return EEXIST;
    }
    if (!add && !prev) {
        snprintf(err, err_size, "OFPGMFC_UNKNOWN_GROUP");
        vsw_group_free(g);
        return ENOENT;
    }
    gs = snap_new(old, (old ? old->n : 0) + 1);
    if (!gs) {
        vsw_group_free(g);
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    g->created_tsc = prev ? prev->created_tsc : rte_rdtsc();
    if (g->type == VSW_GT_FF) {
        vsw_dp_check_links(dp);   /* Link state is polled only while ff groups exist. */
    }
    for (size_t i = 0; old && i < old->n; i++) {
        if (old->g[i] != prev) {
            gs->g[j++] = old->g[i];
        }
    }
    while (pos < j && gs->g[pos]->group_id < g->group_id) {
        pos++;
    }
    memmove(&gs->g[pos + 1], &gs->g[pos], (j - pos) * sizeof gs->g[0]);
    gs->g[pos] = g;
    gs->n = j + 1;
    publish(dp, gs, prev ? &prev : NULL, prev ? 1 : 0,
            referenced_by_group(gs, g->group_id));
    return 0;
}

static int
cmd_add_mod(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_group *g;
    char err[512];
    int error;

    (void) argc;
    error = vsw_group_parse(argv[1], &g, err, sizeof err);
    if (!error) {
        error = install(d->dp, g, !strcmp(argv[0], "add-group"), err, sizeof err);
    }
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    return error;
}

int
vsw_group_load_text(struct vsw_dp *dp, const char *text, char *err, size_t err_size)
{
    const char *p = text;
    unsigned line_no = 0;

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t) (eol - p) : strlen(p);
        char *line = strndup(p, len), *s, *e, msg[512];
        struct vsw_group *g;
        int error = 0;

        p += len + (eol ? 1 : 0);
        line_no++;
        if (!line) {
            snprintf(err, err_size, "out of memory");
            return ENOMEM;
        }
        if ((e = strchr(line, '#')) != NULL) {
            *e = '\0';
        }
        for (s = line; *s == ' ' || *s == '\t'; s++) {
        }
        for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r');) {
            *--e = '\0';
        }
        if (*s) {
            error = vsw_group_parse(s, &g, msg, sizeof msg);
            if (!error) {
                error = install(dp, g, true, msg, sizeof msg);
            }
            if (error) {
                snprintf(err, err_size, "line %u: %s", line_no, msg);
            }
        }
        free(line);
        if (error) {
            return error;
        }
    }
    return 0;
}

/* "group_id=N", "group_id=all", or nothing (all). */
static int
parse_group_filter(const char *s, bool plain, uint32_t *id, struct vsw_buf *out)
{
    uint64_t v;

    *id = VSW_OFPG_ALL;
    if (!s) {
        return 0;
    }
    if (!plain) {
        if (strncmp(s, "group_id=", 9)) {
            vsw_buf_printf(out, "unknown keyword %s", s);
            return EINVAL;
        }
        s += 9;
    }
    if (!strcasecmp(s, "all")) {
        return 0;
    }
    if (plain && !strcasecmp(s, "any")) {
        *id = VSW_OFPG_ANY;
        return 0;
    }
    if (!vsw_all_digits(s) || vsw_ofp_parse_uint(s, strlen(s), UINT32_MAX, &v)) {
        vsw_buf_printf(out, "%s is not a valid group ID.  (Valid group IDs are 32-bit "
                       "nonnegative integers or the keywords ANY or ALL.)", s);
        return EINVAL;
    }
    *id = (uint32_t) v;
    return 0;
}

static int
cmd_del_groups(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_dp *dp = d->dp;
    const struct vsw_groups *old = dp->groups;
    struct vsw_groups *gs;
    struct vsw_group **dead;
    size_t n_dead = 0, n_rules;
    bool all = false;
    uint32_t id;
    char err[256];
    int error = parse_group_filter(argc > 1 ? argv[1] : NULL, false, &id, out);

    if (error) {
        return error;
    }
    if (!old || !old->n) {
        return 0;
    }
    if (id != VSW_OFPG_ALL && !vsw_groups_find(old, id)) {
        return 0;   /* OVS: deleting a group that does not exist is no error. */
    }
    /* The rules that use the groups go first (they would point nowhere). */
    error = vsw_ruleset_delete_if(dp, d->rules, rule_uses_group, &id, &n_rules,
                                  err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
        return error;
    }
    gs = snap_new(old, old->n);
    dead = calloc(old->n, sizeof *dead);
    if (!gs || !dead) {
        free(dead);
        if (gs) {
            free(gs->g);
            free(gs);
        }
        vsw_buf_printf(out, "out of memory");
        return ENOMEM;
    }
    for (size_t i = 0; i < old->n; i++) {
        if (id == VSW_OFPG_ALL || old->g[i]->group_id == id) {
            dead[n_dead++] = old->g[i];
        } else {
            gs->g[gs->n++] = old->g[i];
        }
    }
    for (size_t i = 0; i < n_dead && !all; i++) {
        all = referenced_by_group(gs, dead[i]->group_id);
    }
    publish(dp, gs, dead, n_dead, all);
    free(dead);
    return 0;
}

static int
cmd_dump_groups(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_groups *gs = d->dp->groups;
    uint32_t id;
    int error = parse_group_filter(argc > 1 ? argv[1] : NULL, true, &id, out);

    if (error) {
        return error;
    }
    for (size_t i = 0; gs && i < gs->n; i++) {
        if (id == VSW_OFPG_ALL || id == VSW_OFPG_ANY || gs->g[i]->group_id == id) {
            vsw_buf_printf(out, " ");
            vsw_group_format(gs->g[i], out);
            vsw_buf_printf(out, "\n");
        }
    }
    return 0;
}

static int
cmd_dump_group_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_groups *gs = d->dp->groups;
    uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
    uint32_t id;
    int error = parse_group_filter(argc > 1 ? argv[1] : NULL, false, &id, out);

    if (error) {
        return error;
    }
    vsw_dp_sync_stats(d->dp);   /* Counters exact as of now. */
    for (size_t i = 0; gs && i < gs->n; i++) {
        const struct vsw_group *g = gs->g[i];
        uint64_t p, b, u, age = now > g->created_tsc ? now - g->created_tsc : 0;
        unsigned refs = 0;

        if (id != VSW_OFPG_ALL && g->group_id != id) {
            continue;
        }
        for (size_t r = 0; r < d->rules->n; r++) {
            refs += actions_use_group(d->rules->rules[r]->actions, g->group_id);
        }
        vsw_counted_get(&g->c, &p, &b, &u);
        vsw_buf_printf(out, " group_id=%" PRIu32 ",duration=%" PRIu64 ".%03" PRIu64 "s,"
                       "ref_count=%u,packet_count=%" PRIu64 ",byte_count=%" PRIu64,
                       g->group_id, age / hz, (age % hz) * 1000 / hz, refs, p, b);
        for (unsigned k = 0; k < g->n_buckets; k++) {
            uint64_t bp = p, bb = b;
            if (g->type == VSW_GT_SELECT || g->type == VSW_GT_FF) {
                vsw_counted_get(&g->buckets[k]->c, &bp, &bb, &u);
            }
            /* all/indirect: every bucket saw every packet of the group. */
            vsw_buf_printf(out, ",bucket%u:packet_count=%" PRIu64 ",byte_count=%" PRIu64,
                           k, bp, bb);
        }
        vsw_buf_printf(out, "\n");
    }
    return 0;
}

void
vsw_group_run(struct vsw_dp *dp)
{
    const struct vsw_groups *gs = dp->groups;

    for (size_t i = 0; gs && i < gs->n; i++) {
        if (gs->g[i]->type == VSW_GT_FF) {
            if (vsw_dp_check_links(dp)) {
                /* A watch_port's liveness decides buckets: the megaflows
                 * that went through a group must follow the new state. */
                struct vsw_reval_stats st;
                vsw_revalidate(dp, &st);
            }
            return;
        }
    }
}

void
vsw_group_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "add-group", cmd_add_mod },
        { "mod-group", cmd_add_mod },
        { "del-groups", cmd_del_groups },
        { "dump-groups", cmd_dump_groups },
        { "dump-group-stats", cmd_dump_group_stats },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}

void
vsw_group_destroy(struct vsw_dp *dp)
{
    struct vsw_groups *gs = dp->groups;

    dp->groups = NULL;
    for (size_t i = 0; gs && i < gs->n; i++) {
        vsw_group_free(gs->g[i]);
    }
    if (gs) {
        free(gs->g);
        free(gs);
    }
}
