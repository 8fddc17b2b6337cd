/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control commands on the rule set (ruleset.h): add-flow, add-flows,
 * replace-flows, del-flows and dump-flows.  Their usage lines are in
 * ctl/ctl_cmd_info.c.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ctl/ctl_cmd.h"
#include "ruleset.h"
#include "util.h"

static int
read_flows(int argc, char **argv, int i, enum vsw_fm_command cmd, struct vsw_flow_mod **fms,
           size_t *n, struct vsw_buf *out)
{
    char err[1024];
    int error;

    if (i >= argc) {
        vsw_buf_printf(out, "%s: missing rule text", argv[0]);
        return EINVAL;
    }
    error = vsw_flow_mods_parse_text(argv[i], cmd, fms, n, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    return error;
}

/* add-flow, add-flows and replace-flows: parse the text, then apply it. */
static int
cmd_add_flows(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_flow_mod *fms;
    size_t n;
    char err[512];
    int error = read_flows(argc, argv, 1, VSW_FM_ADD, &fms, &n, out);

    if (error) {
        return error;
    }
    if (!strcmp(argv[0], "add-flow") && n != 1) {
        vsw_flow_mods_free(fms, n);
        vsw_buf_printf(out, "add-flow: expected exactly one flow");
        return EINVAL;
    }
    error = !strcmp(argv[0], "replace-flows")
            ? vsw_ruleset_replace(d->dp, d->rules, fms, n, err, sizeof err)
            : vsw_ruleset_add(d->dp, d->rules, fms, n, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    vsw_flow_mods_free(fms, n);
    return error;
}

/* Parses "[--strict] [MATCH]" for del-flows and dump-flows. */
static int
parse_filter(int argc, char **argv, bool *strict, struct vsw_flow_mod *fm, bool *have,
             struct vsw_buf *out)
{
    const char *match = NULL;
    char err[512];

    *strict = false;
    *have = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--strict")) {
            *strict = true;
        } else if (!match) {
            match = argv[i];
        } else {
            vsw_buf_printf(out, "%s: unexpected argument \"%s\"", argv[0], argv[i]);
            return EINVAL;
        }
    }
    if (!match) {
        if (*strict) {
            /* --strict with no match selects the catch-all at default priority. */
            memset(fm, 0, sizeof *fm);
            fm->priority = VSW_DEFAULT_PRIORITY;
            *have = true;
        }
        return 0;
    }
    int error = vsw_flow_mod_parse(match, *strict ? VSW_FM_DELETE_STRICT : VSW_FM_DELETE, fm,
                                   err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
        return error;
    }
    *have = true;
    return 0;
}

static int
cmd_del_flows(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_flow_mod fm;
    bool strict, have;
    size_t n_deleted;
    char err[512];
    int error = parse_filter(argc, argv, &strict, &fm, &have, out);

    if (error) {
        return error;
    }
    if (!have) {
        memset(&fm, 0, sizeof fm);  /* Catch-all: every rule of every table. */
    }
    error = vsw_ruleset_delete(d->dp, d->rules, &fm, strict, &n_deleted, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    vsw_flow_mod_uninit(&fm);
    return error;
}

static int
cmd_dump_flows(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_flow_mod fm;
    bool strict, have;
    int error = parse_filter(argc, argv, &strict, &fm, &have, out);

    if (error) {
        return error;
    }
    vsw_dp_sync_stats(d->dp);   /* Counters exact as of now. */
    vsw_ruleset_dump(d->rules, have ? &fm : NULL, strict, out);
    if (have) {
        vsw_flow_mod_uninit(&fm);
    }
    return 0;
}

static int
cmd_dump_tables(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    vsw_ruleset_dump_tables(d->dp, d->rules, out);
    return 0;
}

void
vsw_ruleset_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "add-flow", cmd_add_flows },
        { "add-flows", cmd_add_flows },
        { "replace-flows", cmd_add_flows },
        { "del-flows", cmd_del_flows },
        { "dump-flows", cmd_dump_flows },
        { "dump-tables", cmd_dump_tables },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
