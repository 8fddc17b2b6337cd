/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_TEST_OFP_CHECK_H
#define VSW_TEST_OFP_CHECK_H 1

/*
 * Checks shared by the flow syntax tests (test_ofp_parse.c, matches and
 * flow_mod keys; test_ofp_actions.c, actions and the dump-flows text):
 * parse a line and expect success, an error, a printed text or a round
 * trip.  Included after cmocka.h.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vsw/fields.h"
#include "vsw/ofp_parse.h"

#define BE16(x) rte_cpu_to_be_16(x)
#define BE32(x) rte_cpu_to_be_32(x)

#define UNUSED __attribute__((unused))

/* ------------------------------------------------------------------------ */
/* Helpers. */

static UNUSED void
parse_ok_cmd(const char *line, enum vsw_fm_command cmd, struct vsw_flow_mod *fm)
{
    char err[256] = "";
    int error = vsw_flow_mod_parse(line, cmd, fm, err, sizeof err);

    if (error) {
        fail_msg("\"%s\" failed to parse: %s", line, err);
    }
}

static UNUSED void
parse_ok(const char *line, struct vsw_flow_mod *fm)
{
    parse_ok_cmd(line, VSW_FM_ADD, fm);
}

/* Checks that 'line' fails with a message containing 'msg'. */
static UNUSED void
parse_err_cmd(const char *line, enum vsw_fm_command cmd, const char *msg)
{
    struct vsw_flow_mod fm;
    char err[256] = "";
    int error = vsw_flow_mod_parse(line, cmd, &fm, err, sizeof err);

    if (!error) {
        vsw_flow_mod_uninit(&fm);
        fail_msg("\"%s\" parsed but should fail with \"%s\"", line, msg);
    }
    assert_true(error > 0);
    assert_null(fm.actions);
    if (!strstr(err, msg)) {
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", line, err, msg);
    }
}

static UNUSED void
parse_err(const char *line, const char *msg)
{
    parse_err_cmd(line, VSW_FM_ADD, msg);
}

/* Checks that 'line' prints as 'expect' ("MATCH actions=ACTIONS", the match
 * part omitted when empty, like dump-flows). */
static UNUSED void
check_text(const char *line, const char *expect)
{
    struct vsw_flow_mod fm;
    char match[1024], acts[1024], text[2100];

    parse_ok(line, &fm);
    vsw_match_format(&fm.match, fm.priority, match, sizeof match);
    vsw_actions_format(fm.actions, acts, sizeof acts);
    snprintf(text, sizeof text, "%s%sactions=%s", match, match[0] ? " " : "", acts);
    if (strcmp(text, expect)) {
        fail_msg("\"%s\" printed as \"%s\", expected \"%s\"", line, text, expect);
    }
    vsw_flow_mod_uninit(&fm);
}

static UNUSED bool
actions_equal(const struct vsw_actions *a, const struct vsw_actions *b)
{
    return a->n == b->n && a->n_outputs == b->n_outputs
           && !memcmp(a->a, b->a, a->n * sizeof a->a[0]);
}

/* Parse -> format -> parse must give the same rule. */
static UNUSED void
check_roundtrip(const char *line)
{
    struct vsw_flow_mod fm, fm2;
    char match[1024], acts[1024], again[2100];

    parse_ok(line, &fm);
    vsw_match_format(&fm.match, fm.priority, match, sizeof match);
    vsw_actions_format(fm.actions, acts, sizeof acts);
    snprintf(again, sizeof again, "%s%sactions=%s", match, match[0] ? "," : "", acts);
    parse_ok(again, &fm2);
    if (!vsw_match_equal(&fm.match, &fm2.match) || fm.priority != fm2.priority) {
        fail_msg("\"%s\" -> \"%s\": match differs", line, again);
    }
    if (!actions_equal(fm.actions, fm2.actions)) {
        fail_msg("\"%s\" -> \"%s\": actions differ", line, again);
    }
    vsw_flow_mod_uninit(&fm);
    vsw_flow_mod_uninit(&fm2);
}

static UNUSED const uint8_t ff6[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ------------------------------------------------------------------------ */
/* Actions. */

static UNUSED struct vsw_actions *
acts_ok(const char *match_line, const char *acts)
{
    struct vsw_flow_mod fm;
    struct vsw_actions *out = NULL;
    char err[256] = "";
    char line[512];

    snprintf(line, sizeof line, "%s%sactions=drop", match_line, *match_line ? "," : "");
    parse_ok(line, &fm);
    if (vsw_actions_parse(acts, &fm.match, &out, err, sizeof err)) {
        fail_msg("actions \"%s\" (match \"%s\") failed: %s", acts, match_line, err);
    }
    vsw_flow_mod_uninit(&fm);
    return out;
}

static UNUSED void
acts_err(const char *match_line, const char *acts, const char *msg)
{
    struct vsw_flow_mod fm;
    struct vsw_actions *out = (struct vsw_actions *) 1;
    char err[256] = "";
    char line[512];
    int error;

    snprintf(line, sizeof line, "%s%sactions=drop", match_line, *match_line ? "," : "");
    parse_ok(line, &fm);
    error = vsw_actions_parse(acts, &fm.match, &out, err, sizeof err);
    vsw_flow_mod_uninit(&fm);
    if (!error) {
        vsw_actions_free(out);
        fail_msg("actions \"%s\" (match \"%s\") should fail", acts, match_line);
    }
    assert_true(error > 0);
    assert_null(out);
    if (!strstr(err, msg)) {
        fail_msg("actions \"%s\": error \"%s\" lacks \"%s\"", acts, err, msg);
    }
}

#endif /* VSW_TEST_OFP_CHECK_H */
