/* SPDX-License-Identifier: Apache-2.0 */
/* Rule set operations for the control thread; see ruleset.h. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>

#include "actions/execute.h"
#include "ruleset.h"
#include "xlate/revalidate.h"

/* ---- Parsing rule files. ---- */

void
vsw_flow_mods_free(struct vsw_flow_mod *fms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        vsw_flow_mod_uninit(&fms[i]);
    }
    free(fms);
}

int
vsw_flow_mods_parse_text(const char *text, enum vsw_fm_command cmd,
                         struct vsw_flow_mod **fmsp, size_t *np, char *err, size_t err_size)
{
    struct vsw_flow_mod *fms = NULL;
    size_t n = 0, cap = 0, line_no = 0;
    const char *p = text;
    char *line = NULL;
    size_t line_cap = 0;

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t) (eol - p) : strlen(p);

        line_no++;
        if (len + 1 > line_cap) {
            line_cap = len + 1 > 256 ? len + 1 : 256;
            char *l = realloc(line, line_cap);
            if (!l) {
                goto nomem;
            }
            line = l;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (eol ? 1 : 0);

        /* Strip comments, trailing CR and surrounding blanks. */
        char *hash = strchr(line, '#');
        if (hash) {
            *hash = '\0';
        }
        char *s = line;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
            *--e = '\0';
        }
        if (!*s) {
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct vsw_flow_mod *f = realloc(fms, cap * sizeof *fms);
            if (!f) {
                goto nomem;
            }
            fms = f;
        }
        char msg[512];
        int error = vsw_flow_mod_parse(s, cmd, &fms[n], msg, sizeof msg);
        if (error) {
            snprintf(err, err_size, "line %zu: %s", line_no, msg);
            vsw_flow_mods_free(fms, n);
            free(line);
            return error;
        }
        n++;
    }
    free(line);
    *fmsp = fms;
    *np = n;
    return 0;

nomem:
    vsw_flow_mods_free(fms, n);
    free(line);
    snprintf(err, err_size, "out of memory");
    return ENOMEM;
}

/* ---- Identity index: (table, priority, match) -> position. ---- */

struct rule_index {
    uint32_t *slots;   /* Position + 1; 0 = empty. */
    uint32_t mask;
};

static uint32_t
rule_key_hash(uint8_t table, uint32_t priority, const struct vsw_match *m)
{
    const struct vsw_flow *k = &m->key, *mk = &m->mask;
    uint32_t h = priority;

    /* Word by word through vsw_flow_cwords(): rte_hash_crc() would read the
     * match through a plain 'uint64_t *'. */
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        h = rte_hash_crc_8byte(vsw_flow_cwords(k)[i], h);
    }
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        h = rte_hash_crc_8byte(vsw_flow_cwords(mk)[i], h);
    }
    return rte_hash_crc_4byte(table, h);
}

static bool
rule_same_key(const struct vsw_rule *r, uint8_t table, uint32_t priority,
              const struct vsw_match *m)
{
    return r->table_id == table && r->priority == priority && vsw_match_equal(&r->match, m);
}

static int
index_init(struct rule_index *ix, size_t n)
{
    uint32_t size = 16;
    while (size < n * 2 + 16) {
        size *= 2;
    }
    ix->slots = calloc(size, sizeof *ix->slots);
    ix->mask = size - 1;
    return ix->slots ? 0 : ENOMEM;
}

/* Returns the slot for the key: either holding an equal rule or empty. */
static uint32_t *
index_find(struct rule_index *ix, struct vsw_rule **rules, uint8_t table, uint32_t priority,
           const struct vsw_match *m)
{
    uint32_t b = rule_key_hash(table, priority, m) & ix->mask;
    for (;; b = (b + 1) & ix->mask) {
        uint32_t s = ix->slots[b];
        if (!s || rule_same_key(rules[s - 1], table, priority, m)) {
            return &ix->slots[b];
        }
    }
}

/* ---- Publishing a new rule list. ---- */

struct rule_vec {
    struct vsw_rule **v;
    size_t n, cap;
};

static int
vec_push(struct rule_vec *vec, struct vsw_rule *r)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        struct vsw_rule **v = realloc(vec->v, cap * sizeof *v);
        if (!v) {
            return ENOMEM;
        }
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = r;
    return 0;
}

static void
rule_free(struct vsw_rule *r)
{
    if (r) {
        vsw_actions_free(r->actions);
        free(r);
    }
}

void
vsw_ruleset_destroy(struct vsw_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        rule_free(rs->rules[i]);
    }
    free(rs->rules);
    rs->rules = NULL;
    rs->n = 0;
    free(rs->table_miss);
    rs->table_miss = NULL;
}

/* Makes 'rules' the rule set: publishes a snapshot, then frees 'dead'.  On
 * failure frees nothing of the old set and returns ENOMEM. */
/* Revalidates the megaflows a change from the published rules to 'rules'
 * may affect: those that depend on a rule in 'dead' (marked so the PMDs
 * can tell), and those intersecting a new rule's match, which may now take
 * it.  A megaflow neither depends on nor overlaps is untouched: its lookup
 * finds what it found before (DESIGN.md §3).  Many new rules at once (a
 * replace-flows): every megaflow is checked. */
#define REVAL_MAX_REGIONS 64
static void
revalidate_change(struct vsw_dp *dp, const struct vsw_ruleset *rs,
                  const struct rule_vec *rules, const struct rule_vec *dead)
{
    struct vsw_reval_region *regions = NULL;
    size_t n_regions = 0;
    bool all = false;
    struct vsw_reval_stats st;

    for (size_t i = 0; i < dead->n; i++) {
        dead->v[i]->c.dead = true;
    }
    for (size_t i = 0; i < rules->n && !all; i++) {
        const struct vsw_rule *r = rules->v[i];
        if (r->seq < rs->committed_seq) {
            continue;
        }
        if (n_regions == REVAL_MAX_REGIONS) {
            all = true;
            break;
        }
        if (!regions) {
            regions = malloc(sizeof *regions * REVAL_MAX_REGIONS);
            if (!regions) {
                all = true;
                break;
            }
        }
        regions[n_regions].key = r->match.key;
        regions[n_regions].mask = r->match.mask;
        regions[n_regions].table = r->table_id;
        n_regions++;
    }
    if (all) {
        vsw_revalidate(dp, &st);
    } else if (n_regions || dead->n) {
        vsw_revalidate_regions(dp, regions, n_regions, &st);
    } else {
        free(regions);
        return;
    }
    free(regions);
    VSW_LOG(VSW_LOG_DBG, "revalidation: %" PRIu64 " megaflows scanned, %" PRIu64
            " checked, %" PRIu64 " deleted%s", st.scanned, st.checked, st.deleted,
            st.flushed ? " (flushed every cache)" : "");
}

static int
commit_rules(struct vsw_dp *dp, struct vsw_ruleset *rs, struct rule_vec *rules,
             struct rule_vec *dead, const uint8_t *reasons, char *err, size_t err_size)
{
    struct vsw_cls *cls;

    if (!rs->table_miss) {
        rs->table_miss = aligned_alloc(RTE_CACHE_LINE_SIZE,
                                       sizeof *rs->table_miss * VSW_N_TABLES);
        if (!rs->table_miss) {
            snprintf(err, err_size, "out of memory");
            return ENOMEM;
        }
        memset(rs->table_miss, 0, sizeof *rs->table_miss * VSW_N_TABLES);
        for (unsigned t = 0; t < VSW_N_TABLES; t++) {
            rs->table_miss[t].kind = VSW_COUNTED_TABLE_MISS;
        }
    }
    cls = vsw_cls_build(rules->v, rules->n);
    if (!cls) {
        snprintf(err, err_size, "out of memory building the classifier");
        return ENOMEM;
    }
    vsw_cls_set_miss_counters(cls, rs->table_miss);
    /* A new generation makes upcalls translated with the old rules stale
     * (pmd.c translates them again); the cached megaflows that the change
     * may affect are revalidated one by one, before the rules that left are
     * freed: no megaflow may name a freed rule. */
    vsw_cls_set_gen(cls, ++dp->rules_gen);
    vsw_dp_publish_cls(dp, cls);   /* Returns after an RCU grace period. */
    revalidate_change(dp, rs, rules, dead);
    for (size_t i = 0; i < dead->n; i++) {
        /* Its own hits stay in its table's count (a replacement carries
         * them in base_packets, which the table count does not read). */
        uint64_t p, b, u;
        vsw_counted_get(&dead->v[i]->c, &p, &b, &u);
        rs->table_matched_base[dead->v[i]->table_id] += p;
        /* Deleted or expired (not replaced): whoever asked is told. */
        if (reasons && rs->removed && (dead->v[i]->flags & VSW_FF_SEND_FLOW_REM)) {
            rs->removed(rs->removed_aux, dead->v[i], (enum vsw_rule_removed) reasons[i]);
        }
        rule_free(dead->v[i]);
    }
    free(rs->rules);
    rs->rules = rules->v;
    rs->n = rules->n;
    rules->v = NULL;
    rs->committed_seq = rs->next_seq;
    return 0;
}

static struct vsw_rule *
rule_from_fm(struct vsw_ruleset *rs, struct vsw_flow_mod *fm, uint64_t now)
{
    struct vsw_rule *r = aligned_alloc(RTE_CACHE_LINE_SIZE,
                                       RTE_ALIGN_CEIL(sizeof *r, RTE_CACHE_LINE_SIZE));
    if (!r) {
        return NULL;
    }
    memset(r, 0, sizeof *r);
    if (!r) {
        return NULL;
    }
    r->match = fm->match;
    r->priority = fm->priority;
    r->table_id = fm->table_id;
    r->idle_timeout = fm->idle_timeout;
    r->hard_timeout = fm->hard_timeout;
    r->cookie = fm->cookie;
    r->flags = fm->flags;
    r->seq = rs->next_seq++;
    r->created_tsc = now;
    r->actions = fm->actions;
    fm->actions = NULL;
    return r;
}

/* The rule set's check_actions on every new rule (before anything changes). */
static int
check_fms(const struct vsw_ruleset *rs, const struct vsw_flow_mod *fms, size_t n,
          char *err, size_t err_size)
{
    for (size_t i = 0; rs->check_actions && i < n; i++) {
        int error = rs->check_actions(rs->check_aux, fms[i].actions, err, err_size);
        if (error) {
            return error;
        }
    }
    return 0;
}

int
vsw_ruleset_add(struct vsw_dp *dp, struct vsw_ruleset *rs, struct vsw_flow_mod *fms,
                size_t n, char *err, size_t err_size)
{
    struct rule_vec rules = { 0 }, dead = { 0 }, fresh = { 0 };
    struct rule_index ix;
    uint64_t now = rte_rdtsc();
    uint64_t first_fresh_seq = rs->next_seq;
    int error = check_fms(rs, fms, n, err, err_size);

    if (error) {
        return error;
    }
    error = ENOMEM;
    if (index_init(&ix, rs->n + n)) {
        goto nomem;
    }
    for (size_t i = 0; i < rs->n; i++) {
        if (vec_push(&rules, rs->rules[i])) {
            goto nomem;
        }
        *index_find(&ix, rules.v, rs->rules[i]->table_id, rs->rules[i]->priority,
                    &rs->rules[i]->match) = (uint32_t) rules.n;
    }
    for (size_t i = 0; i < n; i++) {
        struct vsw_rule *r = rule_from_fm(rs, &fms[i], now);
        if (!r || vec_push(&fresh, r)) {
            rule_free(r);
            goto nomem;
        }
        uint32_t *slot = index_find(&ix, rules.v, r->table_id, r->priority, &r->match);
        if (*slot) {
            struct vsw_rule *old = rules.v[*slot - 1];
            /* A rule from this same batch is freed below instead. */
            if (old->seq < first_fresh_seq && vec_push(&dead, old)) {
                goto nomem;
            }
            rules.v[*slot - 1] = r;
        } else {
            if (vec_push(&rules, r)) {
                goto nomem;
            }
            *slot = (uint32_t) rules.n;
        }
    }
    /* Rules added twice in one batch: only the last survives; free the rest. */
    for (size_t i = 0; i < fresh.n; i++) {
        uint32_t *slot = index_find(&ix, rules.v, fresh.v[i]->table_id, fresh.v[i]->priority,
                                    &fresh.v[i]->match);
        if (rules.v[*slot - 1] != fresh.v[i]) {
            rule_free(fresh.v[i]);
            fresh.v[i] = NULL;
        }
    }
    error = commit_rules(dp, rs, &rules, &dead, NULL, err, err_size);
    goto out;

nomem:
    snprintf(err, err_size, "out of memory");
out:
    if (error) {
        /* Nothing was published: the new rules go, the old set stays. */
        for (size_t i = 0; i < fresh.n; i++) {
            rule_free(fresh.v[i]);
        }
    }
    free(ix.slots);
    free(rules.v);
    free(dead.v);
    free(fresh.v);
    return error;
}

/* True if rule 'r' is selected by the del-flows/dump-flows filter 'fm'. */
static bool
rule_selected(const struct vsw_rule *r, const struct vsw_flow_mod *fm, bool strict)
{
    if (fm->has_table && r->table_id != fm->table_id) {
        return false;
    }
    if ((r->cookie ^ fm->cookie) & fm->cookie_mask) {
        return false;
    }
    if (strict) {
        return r->priority == fm->priority && vsw_match_equal(&r->match, &fm->match);
    }
    return vsw_match_covered_by(&r->match, &fm->match);
}

int
vsw_ruleset_delete(struct vsw_dp *dp, struct vsw_ruleset *rs, const struct vsw_flow_mod *fm,
                   bool strict, size_t *n_deleted, char *err, size_t err_size)
{
    struct rule_vec keep = { 0 }, dead = { 0 };
    int error = 0;

    for (size_t i = 0; i < rs->n && !error; i++) {
        error = vec_push(rule_selected(rs->rules[i], fm, strict) ? &dead : &keep, rs->rules[i]);
    }
    *n_deleted = dead.n;
    if (!error && dead.n) {
        uint8_t *reasons = malloc(dead.n);
        if (reasons) {
            memset(reasons, VSW_RR_DELETE, dead.n);
        }
        error = commit_rules(dp, rs, &keep, &dead, reasons, err, err_size);
        free(reasons);
    } else if (error) {
        snprintf(err, err_size, "out of memory");
    }
    free(keep.v);
    free(dead.v);
    return error;
}

int
vsw_ruleset_delete_if(struct vsw_dp *dp, struct vsw_ruleset *rs,
                      bool (*pred)(const struct vsw_rule *r, const void *aux),
                      const void *aux, size_t *n_deleted, char *err, size_t err_size)
{
    struct rule_vec keep = { 0 }, dead = { 0 };
    int error = 0;

    for (size_t i = 0; i < rs->n && !error; i++) {
        error = vec_push(pred(rs->rules[i], aux) ? &dead : &keep, rs->rules[i]);
    }
    *n_deleted = dead.n;
    if (!error && dead.n) {
        uint8_t *reasons = malloc(dead.n);
        if (reasons) {
            memset(reasons, VSW_RR_GROUP_DELETE, dead.n);
        }
        error = commit_rules(dp, rs, &keep, &dead, reasons, err, err_size);
        free(reasons);
    } else if (error) {
        snprintf(err, err_size, "out of memory");
    }
    free(keep.v);
    free(dead.v);
    return error;
}

static bool
actions_equal(const struct vsw_actions *a, const struct vsw_actions *b)
{
    return a->n == b->n && a->blob_len == b->blob_len
           && !memcmp(a->a, b->a, a->n * sizeof a->a[0])
           && !memcmp(vsw_actions_blob(a), vsw_actions_blob(b), a->blob_len);
}

int
vsw_ruleset_replace(struct vsw_dp *dp, struct vsw_ruleset *rs, struct vsw_flow_mod *fms,
                    size_t n, char *err, size_t err_size)
{
    struct rule_vec rules = { 0 }, dead = { 0 };
    struct rule_index ix;
    uint64_t now = rte_rdtsc();
    int error = check_fms(rs, fms, n, err, err_size);

    if (error) {
        return error;
    }
    error = ENOMEM;
    /* Index the old rules; an identical new rule keeps the old object. */
    if (index_init(&ix, rs->n)) {
        goto out;
    }
    for (size_t i = 0; i < rs->n; i++) {
        *index_find(&ix, rs->rules, rs->rules[i]->table_id, rs->rules[i]->priority,
                    &rs->rules[i]->match) = (uint32_t) i + 1;
    }
    bool *kept = calloc(rs->n + 1, sizeof *kept);
    if (!kept) {
        goto out;
    }
    struct rule_index nix;
    if (index_init(&nix, n)) {
        free(kept);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct vsw_flow_mod *fm = &fms[i];
        uint32_t *nslot = index_find(&nix, rules.v, fm->table_id, fm->priority, &fm->match);
        uint32_t *slot = index_find(&ix, rs->rules, fm->table_id, fm->priority, &fm->match);
        struct vsw_rule *r = NULL;

        if (*slot) {
            struct vsw_rule *old = rs->rules[*slot - 1];
            if (!kept[*slot - 1] && old->cookie == fm->cookie
                && old->idle_timeout == fm->idle_timeout
                && old->hard_timeout == fm->hard_timeout
                && old->flags == fm->flags
                && actions_equal(old->actions, fm->actions)) {
                r = old;
                kept[*slot - 1] = true;
            }
        }
        if (!r) {
            r = rule_from_fm(rs, fm, now);
            if (!r) {
                free(kept);
                free(nix.slots);
                goto out;
            }
        }
        if (*nslot) {
            /* Same rule twice in the file: the later line wins. */
            struct vsw_rule *prev = rules.v[*nslot - 1];
            rules.v[*nslot - 1] = r;
            bool prev_is_old = false;
            for (size_t k = 0; k < rs->n; k++) {
                if (rs->rules[k] == prev) {
                    prev_is_old = true;
                    kept[k] = false;
                }
            }
            if (!prev_is_old) {
                rule_free(prev);
            }
        } else {
            if (vec_push(&rules, r)) {
                free(kept);
                free(nix.slots);
                goto out;
            }
            *nslot = (uint32_t) rules.n;
        }
    }
    for (size_t i = 0; i < rs->n; i++) {
        if (!kept[i] && vec_push(&dead, rs->rules[i])) {
            free(kept);
            free(nix.slots);
            goto out;
        }
    }
    free(kept);
    free(nix.slots);
    error = commit_rules(dp, rs, &rules, &dead, NULL, err, err_size);

out:
    if (error == ENOMEM) {
        snprintf(err, err_size, "out of memory");
    }
    free(ix.slots);
    free(rules.v);
    free(dead.v);
    return error;
}

/* True if 'r' has had no hit (or, if none ever, has existed) for its
 * idle_timeout, as of 'now'. */
static bool
rule_idle(const struct vsw_rule *r, uint64_t now, uint64_t hz)
{
    uint64_t p, b, used;

    vsw_rule_get_stats(r, &p, &b, &used);
    if (used < r->created_tsc) {
        used = r->created_tsc;
    }
    return now > used && now - used >= r->idle_timeout * hz;
}

size_t
vsw_ruleset_expire(struct vsw_dp *dp, struct vsw_ruleset *rs)
{
    struct rule_vec keep = { 0 }, dead = { 0 };
    uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
    char err[128];
    bool synced = false;
    uint8_t *reasons = rs->n ? malloc(rs->n) : NULL;   /* Per dead rule (best effort). */

    for (size_t i = 0; i < rs->n; i++) {
        struct vsw_rule *r = rs->rules[i];
        bool expired = false;

        if (r->hard_timeout && now - r->created_tsc >= r->hard_timeout * hz) {
            expired = true;
        }
        if (r->idle_timeout && rule_idle(r, now, hz) && !synced) {
            /* Its megaflows may have hits not pushed yet: get them, then
             * look again. */
            vsw_dp_sync_stats(dp);
            synced = true;
        }
        uint8_t reason = expired ? VSW_RR_HARD_TIMEOUT : VSW_RR_IDLE_TIMEOUT;
        if (r->idle_timeout && rule_idle(r, now, hz)) {
            expired = true;
        }
        if (expired && reasons) {
            reasons[dead.n] = reason;
        }
        if (vec_push(expired ? &dead : &keep, r)) {
            free(keep.v);
            free(dead.v);
            free(reasons);
            return 0;
        }
    }
    size_t n = dead.n;
    if (n && commit_rules(dp, rs, &keep, &dead, reasons, err, sizeof err)) {
        n = 0;
    }
    free(keep.v);
    free(dead.v);
    free(reasons);
    return n;
}

static int
dump_cmp(const void *a_, const void *b_)
{
    const struct vsw_rule *a = *(const struct vsw_rule *const *) a_;
    const struct vsw_rule *b = *(const struct vsw_rule *const *) b_;

    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void
vsw_ruleset_dump(const struct vsw_ruleset *rs, const struct vsw_flow_mod *filter, bool strict,
                 struct vsw_buf *out)
{
    struct vsw_rule **v = malloc((rs->n ? rs->n : 1) * sizeof *v);
    uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();
    size_t n = 0;
    char match_s[2048];
    char *acts_s = NULL;
    size_t acts_cap = 0;

    if (!v) {
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        if (!filter || rule_selected(rs->rules[i], filter, strict)) {
            v[n++] = rs->rules[i];
        }
    }
    qsort(v, n, sizeof *v, dump_cmp);
    for (size_t i = 0; i < n; i++) {
        const struct vsw_rule *r = v[i];
        uint64_t packets, bytes, used;
        vsw_rule_get_stats(r, &packets, &bytes, &used);
        /* TSCs of different cores may differ slightly: never go negative. */
        uint64_t last = used > r->created_tsc ? used : r->created_tsc;
        uint64_t age = now > r->created_tsc ? now - r->created_tsc : 0;
        uint64_t idle = now > last ? now - last : 0;

        vsw_buf_printf(out, " cookie=0x%" PRIx64 ", duration=%" PRIu64 ".%03" PRIu64 "s, "
                       "table=%u, n_packets=%" PRIu64 ", n_bytes=%" PRIu64 ", ",
                       r->cookie, age / hz, (age % hz) * 1000 / hz, r->table_id, packets, bytes);
        if (r->idle_timeout) {
            vsw_buf_printf(out, "idle_timeout=%u, ", r->idle_timeout);
        }
        if (r->hard_timeout) {
            vsw_buf_printf(out, "hard_timeout=%u, ", r->hard_timeout);
        }
        if (r->flags & VSW_FF_SEND_FLOW_REM) {
            vsw_buf_printf(out, "send_flow_rem ");
        }
        vsw_buf_printf(out, "idle_age=%" PRIu64 ", ", idle / hz);
        vsw_match_format(&r->match, (int) r->priority, match_s, sizeof match_s);
        char probe[1];
        int need = vsw_actions_format(r->actions, probe, sizeof probe) + 1;
        if ((size_t) need > acts_cap) {
            acts_cap = (size_t) need;
            char *a = realloc(acts_s, acts_cap);
            if (!a) {
                break;
            }
            acts_s = a;
        }
        vsw_actions_format(r->actions, acts_s, acts_cap);
        vsw_buf_printf(out, "%s%sactions=%s\n", match_s, match_s[0] ? " " : "", acts_s);
    }
    free(acts_s);
    free(v);
}

/* ---- dump-tables. ---- */

struct table_row {
    uint64_t active, lookup, matched;
};

void
vsw_ruleset_dump_tables(struct vsw_dp *dp, const struct vsw_ruleset *rs, struct vsw_buf *out)
{
    struct table_row *rows = calloc(VSW_N_TABLES, sizeof *rows);
    uint64_t missed0 = 0;

    if (!rows) {
        vsw_buf_printf(out, "out of memory");
        return;
    }
    vsw_dp_sync_stats(dp);   /* Counters exact as of now. */
    for (unsigned t = 0; t < VSW_N_TABLES; t++) {
        rows[t].matched = rs->table_matched_base[t];
        if (rs->table_miss) {
            uint64_t p, b, u;
            vsw_counted_get(&rs->table_miss[t], &p, &b, &u);
            rows[t].lookup = p;
        }
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct vsw_rule *r = rs->rules[i];
        uint64_t p, b, u;
        vsw_counted_get(&r->c, &p, &b, &u);
        rows[r->table_id].active++;
        rows[r->table_id].matched += p;
    }
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        missed0 += dp->pmds[i].stats.missed;
    }
    rows[0].lookup += missed0;
    for (unsigned t = 0; t < VSW_N_TABLES; t++) {
        rows[t].lookup += rows[t].matched;
    }

    /* As ovs-ofctl prints OFPST_TABLE: a table like the one before it is
     * "ditto", a run of such tables one line; table 254 is not shown (OVS
     * keeps it for itself, vsw shows what OVS shows). */
    vsw_buf_printf(out, "OFPST_TABLE reply (OF1.3) (xid=0x2):\n");
    const unsigned last = VSW_N_TABLES - 2;
    for (unsigned t = 0; t <= last;) {
        if (t) {
            vsw_buf_printf(out, "\n");   /* A blank line between entries. */
        }
        if (t && !memcmp(&rows[t], &rows[t - 1], sizeof rows[t])) {
            unsigned end = t;
            while (end < last && !memcmp(&rows[end + 1], &rows[t], sizeof rows[t])) {
                end++;
            }
            if (end == t) {
                vsw_buf_printf(out, "  table %u: ditto\n", t);
            } else {
                vsw_buf_printf(out, "  tables %u...%u: ditto\n", t, end);
            }
            t = end + 1;
            continue;
        }
        vsw_buf_printf(out, "  table %u:\n    active=%" PRIu64 ", lookup=%" PRIu64
                       ", matched=%" PRIu64 "\n", t, rows[t].active, rows[t].lookup,
                       rows[t].matched);
        t++;
    }
    free(rows);
}
