/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vswd's control-command registry (ctl_cmd.h).
 */

#include "ctl/ctl_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_cmd_info.h"

#define MAX_CMDS 64

static const struct vsw_ctl_cmd *cmds[MAX_CMDS];
static size_t n_cmds;

void
vsw_ctl_cmd_register(const struct vsw_ctl_cmd *new_cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!vsw_ctl_cmd_info_find(new_cmds[i].name) || n_cmds >= MAX_CMDS) {
            fprintf(stderr, "vswd: control command \"%s\" is not in ctl_cmd_info.c "
                    "(or too many commands)\n", new_cmds[i].name);
            abort();
        }
        cmds[n_cmds++] = &new_cmds[i];
    }
}

const char *
vsw_ctl_cmd_missing(void)
{
    size_t n;
    const struct vsw_ctl_cmd_info *infos = vsw_ctl_cmd_infos(&n);

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < n_cmds && strcmp(cmds[k]->name, infos[i].name)) {
            k++;
        }
        if (k == n_cmds) {
            return infos[i].name;
        }
    }
    return NULL;
}

int
vsw_ctl_cmd_handle(void *aux, int argc, char **argv, struct vsw_buf *out)
{
    for (size_t i = 0; i < n_cmds; i++) {
        if (!strcmp(argv[0], cmds[i]->name)) {
            return cmds[i]->fn(aux, argc, argv, out);
        }
    }
    vsw_buf_printf(out, "unknown command \"%s\"", argv[0]);
    return EINVAL;
}
