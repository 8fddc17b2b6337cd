/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the flow-line parser (match and actions).
 *
 * The input is one flow line.  Its first byte picks the command when it is
 * \x01 (del-flows) or \x02 (del-flows --strict), \x03 (an add-group line,
 * src/ofp/ofp_group.c: it must parse or fail with a message, and print
 * stably: the printed group parses again and prints the same); anything
 * else is add-flow and belongs to the line.  Checked for every input:
 *  - the parser either fails with a non-empty error message or succeeds;
 *  - a parsed match is normalised (no key bit outside the mask);
 *  - the round trip is stable: the line printed from the parsed rule parses
 *    again, to an equal rule (match, priority, table, cookie, timeouts,
 *    actions), and prints to the same text.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group/group.h"
#include "util.h"
#include "vsw/ofp_parse.h"

#define MAX_LINE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rule as a flow line of the same command that parses back to it, in
 * a buffer of its own size (a line of short actions prints several times
 * longer than it was written: "3," becomes "output:3,").  Free it. */
static char *
format_line(const struct vsw_flow_mod *fm, enum vsw_fm_command cmd)
{
    char match[4096], probe[1], *acts, *out;
    int priority = cmd == VSW_FM_DELETE ? VSW_DEFAULT_PRIORITY : fm->priority;
    int n;

    vsw_match_format(&fm->match, priority, match, sizeof match);
    if (cmd != VSW_FM_ADD) {
        n = snprintf(NULL, 0, "table=%u,%s", fm->table_id, match);
        out = malloc((size_t) n + 1);
        snprintf(out, (size_t) n + 1, "table=%u,%s", fm->table_id, match);
        return out;
    }
    n = vsw_actions_format(fm->actions, probe, sizeof probe);
    acts = malloc((size_t) n + 1);
    vsw_actions_format(fm->actions, acts, (size_t) n + 1);
#define LINE_FMT "table=%u,cookie=0x%llx,idle_timeout=%u,hard_timeout=%u,%s%s%sactions=%s"
#define LINE_ARGS fm->table_id, (unsigned long long) fm->cookie, fm->idle_timeout, \
                  fm->hard_timeout, fm->flags & VSW_FF_SEND_FLOW_REM ? "send_flow_rem," : "", \
                  match, match[0] ? "," : "", acts
    n = snprintf(NULL, 0, LINE_FMT, LINE_ARGS);
    out = malloc((size_t) n + 1);
    snprintf(out, (size_t) n + 1, LINE_FMT, LINE_ARGS);
    free(acts);
    return out;
}

static void
check_same(const struct vsw_flow_mod *a, const struct vsw_flow_mod *b,
           enum vsw_fm_command cmd, const char *line, const char *again)
{
    bool same = vsw_match_equal(&a->match, &b->match) && a->table_id == b->table_id;

    if (cmd != VSW_FM_DELETE) {
        same = same && a->priority == b->priority;
    }
    if (cmd == VSW_FM_ADD) {
        same = same && a->cookie == b->cookie && a->idle_timeout == b->idle_timeout
               && a->hard_timeout == b->hard_timeout && a->flags == b->flags
               && a->actions->n == b->actions->n
               && a->actions->blob_len == b->actions->blob_len
               && !memcmp(a->actions->a, b->actions->a,
                          a->actions->n * sizeof a->actions->a[0])
               && !memcmp(vsw_actions_blob(a->actions), vsw_actions_blob(b->actions),
                          a->actions->blob_len);
    }
    if (!same) {
        fprintf(stderr, "round trip changed the rule:\n  input:   %s\n  printed: %s\n",
                line, again);
        abort();
    }
}

static void
check_normalised(const struct vsw_match *m, const char *line)
{
    const vsw_flow_word *k = vsw_flow_cwords(&m->key);
    const vsw_flow_word *mk = vsw_flow_cwords(&m->mask);

    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        if (k[i] & ~mk[i]) {
            fprintf(stderr, "key bits outside the mask (word %zu) for: %s\n", i, line);
            abort();
        }
    }
}

static void
check_group(const char *line)
{
    struct vsw_group *g, *g2;
    struct vsw_buf a = { 0 }, b = { 0 };
    char err[256];

    err[0] = '\0';
    if (vsw_group_parse(line, &g, err, sizeof err)) {
        if (!err[0]) {
            fprintf(stderr, "group rejected without an error message: %s\n", line);
            abort();
        }
        return;
    }
    vsw_group_format(g, &a);
    if (vsw_group_parse(vsw_buf_cstr(&a), &g2, err, sizeof err)) {
        fprintf(stderr, "printed group does not parse:\n  input:   %s\n  printed: %s\n"
                "  error:   %s\n", line, vsw_buf_cstr(&a), err);
        abort();
    }
    vsw_group_format(g2, &b);
    if (strcmp(vsw_buf_cstr(&a), vsw_buf_cstr(&b))) {
        fprintf(stderr, "group printing is not stable:\n  input: %s\n  first: %s\n"
                "  then:  %s\n", line, vsw_buf_cstr(&a), vsw_buf_cstr(&b));
        abort();
    }
    vsw_buf_free(&a);
    vsw_buf_free(&b);
    vsw_group_free(g);
    vsw_group_free(g2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum vsw_fm_command cmd = VSW_FM_ADD;
    struct vsw_flow_mod fm, fm2;
    char line[MAX_LINE + 1], err[256], *again, *again2;

    if (size && (data[0] == 1 || data[0] == 2)) {
        cmd = data[0] == 1 ? VSW_FM_DELETE : VSW_FM_DELETE_STRICT;
        data++, size--;
    }
    if (size > MAX_LINE) {
        return -1;
    }
    if (size && data[0] == 3) {
        memcpy(line, data + 1, size - 1);
        line[size - 1] = '\0';
        check_group(line);
        return 0;
    }
    memcpy(line, data, size);
    line[size] = '\0';

    err[0] = '\0';
    if (vsw_flow_mod_parse(line, cmd, &fm, err, sizeof err)) {
        if (!err[0]) {
            fprintf(stderr, "rejected without an error message: %s\n", line);
            abort();
        }
        return 0;
    }
    check_normalised(&fm.match, line);
    if (cmd == VSW_FM_ADD && !fm.actions) {
        fprintf(stderr, "add-flow parsed without an action list: %s\n", line);
        abort();
    }

    again = format_line(&fm, cmd);
    if (vsw_flow_mod_parse(again, cmd, &fm2, err, sizeof err)) {
        fprintf(stderr, "printed rule does not parse:\n  input:   %s\n  printed: %s\n"
                "  error:   %s\n", line, again, err);
        abort();
    }
    check_same(&fm, &fm2, cmd, line, again);
    again2 = format_line(&fm2, cmd);
    if (strcmp(again, again2)) {
        fprintf(stderr, "printing is not stable:\n  input: %s\n  first: %s\n  then:  %s\n",
                line, again, again2);
        abort();
    }
    free(again);
    free(again2);
    vsw_flow_mod_uninit(&fm2);
    vsw_flow_mod_uninit(&fm);
    return 0;
}
