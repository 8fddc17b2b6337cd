/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_CMD_INFO_H
#define VSW_CTL_CMD_INFO_H 1

/*
 * What the control commands are: name, argument counts and usage line, one
 * table (ctl_cmd_info.c) built into both binaries.  vswctl checks arguments
 * and prints its help from it without a daemon to ask; vswd's handlers
 * (registered with ctl_cmd.h beside the state they serve) must each have an
 * entry here.  Data only: no handler, nothing of vswd.
 */

#include <stdbool.h>
#include <stddef.h>

struct vsw_ctl_cmd_info {
    const char *name;         /* As typed: "add-flow". */
    int min_args, max_args;   /* Arguments after the command name. */
    bool file_arg;            /* The argument is a file whose contents are sent. */
    const char *usage;        /* "NAME ARGS    what it does", for --help. */
};

/* The entry for command 'name', or NULL. */
const struct vsw_ctl_cmd_info *vsw_ctl_cmd_info_find(const char *name);

/* All entries, in the order --help lists them; '*n' gets their number. */
const struct vsw_ctl_cmd_info *vsw_ctl_cmd_infos(size_t *n);

#endif /* VSW_CTL_CMD_INFO_H */
