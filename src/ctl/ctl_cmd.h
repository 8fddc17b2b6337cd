/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_CTL_CMD_H
#define VSW_CTL_CMD_H 1

/*
 * vswd's control-command registry.  Each module registers the handlers of
 * the commands on its state at start-up (vsw_ruleset_register_cmds() in
 * ruleset_cmds.c, vsw_dp_register_port_cmds() in port_cmds.c, ...);
 * vsw_ctl_cmd_handle() is the control server's handler and dispatches by
 * name.  Names, argument counts and usage lines are not here but in the
 * table both binaries share (ctl_cmd_info.h); registering a name that table
 * lacks is a programming error and aborts.
 *
 * Thread safety: registration before the control server starts; dispatch on
 * the control thread.
 */

#include <stddef.h>

#include "util.h"

struct vsw_dp;
struct vsw_ruleset;
struct vsw_ctl;

/* The state the commands serve. */
struct vsw_ctl_ctx {
    struct vsw_dp *dp;            /* The datapath: ports, PMDs, caches. */
    struct vsw_ruleset *rules;    /* The OpenFlow rule set. */
    struct vsw_ctl *ctl;          /* The control server itself. */
};

/* A command handler: argv[0] is the command name.  Writes its answer (or an
 * error message) to 'out' and returns 0 or a positive errno value. */
typedef int vsw_ctl_cmd_fn(struct vsw_ctl_ctx *ctx, int argc, char **argv,
                           struct vsw_buf *out);

struct vsw_ctl_cmd {
    const char *name;             /* As in ctl_cmd_info.c. */
    vsw_ctl_cmd_fn *fn;
};

/* Registers the 'n' handlers of 'cmds' (kept by reference: static data). */
void vsw_ctl_cmd_register(const struct vsw_ctl_cmd *cmds, size_t n);

/* Names a described command that has no handler, or returns NULL. */
const char *vsw_ctl_cmd_missing(void);

/* The control server's handler (vsw_ctl_handler): 'aux' is the
 * struct vsw_ctl_ctx. */
int vsw_ctl_cmd_handle(void *aux, int argc, char **argv, struct vsw_buf *out);

/* The registration functions, each beside the state it serves. */
void vsw_ruleset_register_cmds(void);     /* ruleset_cmds.c */
void vsw_dp_register_port_cmds(void);     /* port_cmds.c */
void vsw_dp_register_cmds(void);          /* dp_cmds.c */
void vsw_pmd_register_cmds(void);         /* pmd/pmd_cmds.c */
void vsw_ctl_register_cmds(void);         /* ctl/ctl_server_cmds.c */
void vsw_xlate_register_cmds(void);       /* xlate/trace_cmds.c */
void vsw_revalidate_register_cmds(void);  /* xlate/revalidate_cmds.c */
void vsw_group_register_cmds(void);       /* group/group_cmds.c */
/* group/group_cmds.c: makes the rule set check group:N against 'dp''s
 * groups; frees the group table (after vsw_dp_stop()). */
void vsw_group_attach(struct vsw_dp *dp, struct vsw_ruleset *rs);
void vsw_group_destroy(struct vsw_dp *dp);
/* group/group_cmds.c: periodic work (10 Hz): while a fast_failover group
 * exists, republishes the port set when a link went up or down. */
void vsw_group_run(struct vsw_dp *dp);
/* group/group_cmds.c: adds the groups of 'text' (one ovs-ofctl group a
 * line, '#' comments), for vswd --groups; "line N: ..." in 'err'. */
int vsw_group_load_text(struct vsw_dp *dp, const char *text, char *err, size_t err_size);
void vsw_fdb_register_cmds(void);         /* l2/fdb_cmds.c */
void vsw_pin_register_cmds(void);         /* xlate/packet_in.c */
void vsw_pout_register_cmds(void);        /* xlate/packet_out_cmds.c */

#endif /* VSW_CTL_CMD_H */
