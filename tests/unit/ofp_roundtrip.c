/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads flow lines (add-flow syntax) on stdin and prints, per line, what
 * `ovs-ofctl -O OpenFlow13 parse-flows` prints for it after its
 * "OFPT_FLOW_MOD (OF1.3) (xid=0x1): " prefix:
 *
 *     ADD[ table:T] MATCH [cookie:0xC ][idle:I ][hard:H ]actions=ACTIONS
 *
 * or "error: MESSAGE".  It also checks that the printed form parses back to
 * the same rule and prints "roundtrip-mismatch: ..." if it does not.
 *
 * Used by ofp_parse_oracle.py; handy by hand too:
 *     echo 'tcp,tp_dst=80,actions=1' | ./ofp_roundtrip
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsw/ofp_parse.h"

static void
format_rule(const struct vsw_flow_mod *fm, char *out, size_t size)
{
    char match[2048], acts[4096];
    size_t n = 0;

    vsw_match_format(&fm->match, fm->priority, match, sizeof match);
    vsw_actions_format(fm->actions, acts, sizeof acts);

    n += (size_t) snprintf(out + n, size - n, "ADD");
    if (fm->table_id) {
        n += (size_t) snprintf(out + n, size - n, " table:%u", fm->table_id);
    }
    n += (size_t) snprintf(out + n, size - n, " %s%s", match, match[0] ? " " : "");
    if (fm->cookie && fm->cookie != UINT64_MAX) {  /* OVS prints neither. */
        n += (size_t) snprintf(out + n, size - n, "cookie:0x%llx ",
                               (unsigned long long) fm->cookie);
    }
    if (fm->idle_timeout) {
        n += (size_t) snprintf(out + n, size - n, "idle:%u ", fm->idle_timeout);
    }
    if (fm->hard_timeout) {
        n += (size_t) snprintf(out + n, size - n, "hard:%u ", fm->hard_timeout);
    }
    if (fm->flags & VSW_FF_SEND_FLOW_REM) {
        n += (size_t) snprintf(out + n, size - n, "send_flow_rem ");
    }
    snprintf(out + n, size - n, "actions=%s", acts);
}

/* The printed rule as a flow line that parses back to the same rule. */
static void
format_line(const struct vsw_flow_mod *fm, char *out, size_t size)
{
    char match[2048], acts[4096];

    vsw_match_format(&fm->match, fm->priority, match, sizeof match);
    vsw_actions_format(fm->actions, acts, sizeof acts);
    snprintf(out, size, "table=%u,cookie=0x%llx,idle_timeout=%u,hard_timeout=%u,%s%s%s"
             "actions=%s", fm->table_id, (unsigned long long) fm->cookie,
             fm->idle_timeout, fm->hard_timeout,
             fm->flags & VSW_FF_SEND_FLOW_REM ? "send_flow_rem," : "", match,
             match[0] ? "," : "", acts);
}

static bool
same_rule(const struct vsw_flow_mod *a, const struct vsw_flow_mod *b)
{
    return vsw_match_equal(&a->match, &b->match)
           && a->priority == b->priority && a->table_id == b->table_id
           && a->cookie == b->cookie && a->idle_timeout == b->idle_timeout
           && a->hard_timeout == b->hard_timeout && a->flags == b->flags
           && a->actions->n == b->actions->n
           && a->actions->blob_len == b->actions->blob_len
           && !memcmp(a->actions->a, b->actions->a,
                      a->actions->n * sizeof a->actions->a[0])
           && !memcmp(vsw_actions_blob(a->actions), vsw_actions_blob(b->actions),
                      a->actions->blob_len);
}

int
main(void)
{
    static char line[65536];
    int status = 0;

    while (fgets(line, sizeof line, stdin)) {
        struct vsw_flow_mod fm, fm2;
        char err[256], out[8192], again[8192];

        line[strcspn(line, "\r\n")] = '\0';
        if (vsw_flow_mod_parse(line, VSW_FM_ADD, &fm, err, sizeof err)) {
            printf("error: %s\n", err);
            continue;
        }
        format_rule(&fm, out, sizeof out);
        printf("%s\n", out);

        format_line(&fm, again, sizeof again);
        if (vsw_flow_mod_parse(again, VSW_FM_ADD, &fm2, err, sizeof err)) {
            printf("roundtrip-mismatch: \"%s\" does not parse: %s\n", again, err);
            status = 1;
        } else {
            if (!same_rule(&fm, &fm2)) {
                printf("roundtrip-mismatch: \"%s\" parses to a different rule\n",
                       again);
                status = 1;
            }
            vsw_flow_mod_uninit(&fm2);
        }
        vsw_flow_mod_uninit(&fm);
    }
    return status;
}
