/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow lines ("flow mods") in the ovs-ofctl syntax: the keywords of a rule
 * that are not part of its match (priority, table, cookie, timeouts), the
 * split into match and "actions=", and the assembly of a struct
 * vsw_flow_mod.  The match items go to ofp_match.c, the action text to
 * ofp_actions.c; this file is the only one that knows both.
 */

#include "vsw/ofp_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofp/ofp_match.h"

#define fail vsw_ofp_fail

/* Keywords of a flow line that are not part of its match. */
enum fm_kind {
    FM_PRIORITY, FM_TABLE, FM_COOKIE, FM_IDLE, FM_HARD,
    FM_SEND_FLOW_REM, /* A flag: no value (any value is ignored, as OVS). */
    FM_IMPORTANCE,    /* Checked, then dropped: OpenFlow 1.3 has none. */
    FM_IGNORED,      /* Statistics in dump-flows output: accepted, ignored. */
    FM_UNSUPPORTED,  /* Valid for ovs-ofctl, not supported by vsw. */
};

struct fm_keyword {
    const char *name;
    enum fm_kind kind;
};

/* Sorted by strcmp() for bsearch(); the unit tests use every entry. */
static const struct fm_keyword fm_keywords[] = {
    { "check_overlap", FM_UNSUPPORTED },
    { "cookie", FM_COOKIE },
    { "duration", FM_IGNORED },
    { "hard_age", FM_IGNORED },
    { "hard_timeout", FM_HARD },
    { "idle_age", FM_IGNORED },
    { "idle_timeout", FM_IDLE },
    { "importance", FM_IMPORTANCE },
    { "n_bytes", FM_IGNORED },
    { "n_packets", FM_IGNORED },
    { "no_byte_counts", FM_UNSUPPORTED },
    { "no_packet_counts", FM_UNSUPPORTED },
    { "out_group", FM_UNSUPPORTED },
    { "out_port", FM_UNSUPPORTED },
    { "priority", FM_PRIORITY },
    { "reset_counts", FM_UNSUPPORTED },
    { "send_flow_rem", FM_SEND_FLOW_REM },
    { "table", FM_TABLE },
};

static int
fm_keyword_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct fm_keyword *) elem)->name);
}

static const struct fm_keyword *
fm_keyword_find(const char *name)
{
    return bsearch(name, fm_keywords, sizeof fm_keywords / sizeof fm_keywords[0],
                   sizeof fm_keywords[0], fm_keyword_cmp);
}

/* Splits off the "actions=" part of 'buf' (modified).  Returns 0 and sets
 * '*acts' to the action text, or NULL if there is no "action" keyword. */
static int
split_actions(char *buf, char **acts, char *err, size_t err_size)
{
    char *p = strstr(buf, "action");
    char *q;

    *acts = NULL;
    if (!p) {
        return 0;
    }
    q = p + strlen("action");
    if (*q == 's') {
        q++;
    }
    q += strspn(q, " \t");
    if (*q != '=') {
        return fail(err, err_size, EINVAL,
                    "actions: expected \"actions=\" followed by the action list");
    }
    *p = '\0';
    *acts = q + 1;
    return 0;
}

static int
parse_u16_key(const char *name, const char *val, uint16_t *out,
              char *err, size_t err_size)
{
    uint64_t v;
    int error = vsw_ofp_parse_uint(val, strlen(val), UINT16_MAX, &v);

    if (error == EINVAL) {
        return fail(err, err_size, EINVAL, "%s: \"%s\" is not a number", name, val);
    } else if (error) {
        return fail(err, err_size, ERANGE, "%s: %s is out of range (0 to 65535)",
                    name, val);
    }
    *out = (uint16_t) v;
    return 0;
}

/* Parses a 64-bit cookie or cookie mask; like ovs-ofctl, "-1" is all ones. */
static int
parse_cookie(const char *s, size_t n, uint64_t *out)
{
    bool neg = n && s[0] == '-';
    uint64_t v;

    if (vsw_ofp_parse_uint(s + neg, n - neg, UINT64_MAX, &v)) {
        return EINVAL;
    }
    *out = neg ? (uint64_t) 0 - v : v;
    return 0;
}

static int
parse_cookie_key(enum vsw_fm_command cmd, const char *val,
                 struct vsw_flow_mod *fm, char *err, size_t err_size)
{
    const char *slash = strchr(val, '/');

    if (cmd == VSW_FM_ADD) {
        if (slash) {
            return fail(err, err_size, EINVAL,
                        "cookie: \"%s\": adding a flow sets its cookie, so a "
                        "/mask is not allowed", val);
        }
        if (parse_cookie(val, strlen(val), &fm->cookie)) {
            return fail(err, err_size, EINVAL, "cookie: \"%s\" is not a 64-bit "
                        "number", val);
        }
        return 0;
    }
    if (!slash) {
        return fail(err, err_size, EINVAL,
                    "cookie: \"%s\": deleting flows matches cookies, so give a "
                    "mask, e.g. cookie=%s/-1", val, val);
    }
    if (parse_cookie(val, (size_t) (slash - val), &fm->cookie)
        || parse_cookie(slash + 1, strlen(slash + 1), &fm->cookie_mask)) {
        return fail(err, err_size, EINVAL,
                    "cookie: \"%s\" is not a 64-bit value/mask", val);
    }
    fm->cookie &= fm->cookie_mask;
    return 0;
}

/* goto_table must go forward in the pipeline (OVS: OFPBIC_BAD_TABLE_ID):
 * only here is the rule's own table known. */
static int
check_goto_table(const struct vsw_flow_mod *fm, char *err, size_t err_size)
{
    for (uint32_t i = 0; i < fm->actions->n; i++) {
        const struct vsw_action *a = &fm->actions->a[i];

        if (a->type == VSW_ACT_GOTO_TABLE && a->resubmit.table <= fm->table_id) {
            return fail(err, err_size, EINVAL,
                        "goto_table:%u: a rule in table %u may only go to a later "
                        "table (OFPBIC_BAD_TABLE_ID)", a->resubmit.table, fm->table_id);
        }
    }
    return 0;
}

int
vsw_flow_mod_parse(const char *s, enum vsw_fm_command cmd,
                   struct vsw_flow_mod *fm, char *err, size_t err_size)
{
    struct ofp_match_parser mp;
    char stackbuf[1024];
    char *buf, *pos, *acts, *key, *val;
    size_t len = strlen(s);
    int error = 0;

    memset(fm, 0, sizeof *fm);
    vsw_match_init_catchall(&fm->match);
    fm->priority = VSW_DEFAULT_PRIORITY;
    if (err && err_size) {
        err[0] = '\0';
    }

    buf = len < sizeof stackbuf ? stackbuf : malloc(len + 1);
    if (!buf) {
        return fail(err, err_size, ENOMEM, "out of memory");
    }
    memcpy(buf, s, len + 1);
    ofp_match_parser_init(&mp, &fm->match);

    error = split_actions(buf, &acts, err, err_size);
    if (error) {
        goto out;
    }
    /* A flow to add without "actions=" is checked for unknown fields first:
     * a misspelt field or "actions" keyword is then named, where ovs-ofctl
     * only says "must specify an action". */
    if (cmd != VSW_FM_ADD && acts) {
        error = fail(err, err_size, EINVAL,
                     "actions: not allowed when deleting flows");
        goto out;
    }

    pos = buf;
    while (vsw_ofp_next_kv(&pos, &key, &val)) {
        const struct fm_keyword *kw = fm_keyword_find(key);

        if (!kw) {
            error = ofp_match_parse_item(&mp, key, val, err, err_size);
            if (error == ENOENT) {
                error = fail(err, err_size, EINVAL, "unknown field \"%s\"%s", key,
                             cmd == VSW_FM_ADD && !acts
                             ? " (and no \"actions=\": a flow to add needs one)" : "");
            }
            if (error) {
                goto out;
            }
            continue;
        }
        switch ((enum fm_kind) kw->kind) {
        case FM_PRIORITY:
            if (cmd == VSW_FM_DELETE) {
                error = fail(err, err_size, EINVAL,
                             "priority: only allowed when deleting flows strictly "
                             "(--strict)");
                goto out;
            }
            error = parse_u16_key(key, val, &fm->priority, err, err_size);
            if (error) {
                goto out;
            }
            break;

        case FM_TABLE: {
            uint64_t t;

            if (vsw_ofp_parse_uint(val, strlen(val), 255, &t)) {
                error = fail(err, err_size, EINVAL,
                             "table: \"%s\" is not a table number (0 to 254, or "
                             "255 for all tables)", val);
                goto out;
            }
            fm->table_id = t == 255 ? 0 : (uint8_t) t;
            fm->has_table = t != 255;
            break;
        }

        case FM_COOKIE:
            error = parse_cookie_key(cmd, val, fm, err, err_size);
            if (error) {
                goto out;
            }
            break;

        case FM_IDLE:
        case FM_HARD:
            if (cmd != VSW_FM_ADD) {
                error = fail(err, err_size, EINVAL,
                             "%s: not allowed when deleting flows", key);
                goto out;
            }
            error = parse_u16_key(key, val,
                                  kw->kind == FM_IDLE ? &fm->idle_timeout
                                                      : &fm->hard_timeout,
                                  err, err_size);
            if (error) {
                goto out;
            }
            break;

        case FM_IMPORTANCE: {
            uint16_t imp;

            /* OVS's OpenFlow 1.3 flow mod cannot carry it (1.4+ only), so
             * the rule it holds after `-O OpenFlow13 add-flow` has none;
             * vsw evicts no rules either. */
            if (cmd != VSW_FM_ADD) {
                error = fail(err, err_size, EINVAL,
                             "%s: not allowed when deleting flows", key);
                goto out;
            }
            error = parse_u16_key(key, val, &imp, err, err_size);
            if (error) {
                goto out;
            }
            break;
        }

        case FM_SEND_FLOW_REM:
            if (cmd != VSW_FM_ADD) {
                error = fail(err, err_size, EINVAL,
                             "%s: not allowed when deleting flows", key);
                goto out;
            }
            fm->flags |= VSW_FF_SEND_FLOW_REM;
            break;

        case FM_IGNORED:
            if (!*val) {
                error = fail(err, err_size, EINVAL, "%s: needs a value", key);
                goto out;
            }
            break;

        case FM_UNSUPPORTED:
            error = fail(err, err_size, ENOTSUP, "%s: not supported by vsw", key);
            goto out;
        }
    }

    if (cmd == VSW_FM_ADD && !acts) {
        error = fail(err, err_size, EINVAL,
                     "actions: missing (a flow to add needs \"actions=...\"; "
                     "\"actions=drop\" drops)");
        goto out;
    }
    error = ofp_match_finish(&mp, err, err_size);
    if (error) {
        goto out;
    }

    if (cmd == VSW_FM_ADD) {
        error = vsw_actions_parse(acts, &fm->match, &fm->actions, err, err_size);
        if (!error) {
            error = check_goto_table(fm, err, err_size);
        }
    }

out:
    if (buf != stackbuf) {
        free(buf);
    }
    if (error) {
        vsw_flow_mod_uninit(fm);
    }
    return error;
}

void
vsw_flow_mod_uninit(struct vsw_flow_mod *fm)
{
    if (fm) {
        vsw_actions_free(fm->actions);
        fm->actions = NULL;
    }
}
