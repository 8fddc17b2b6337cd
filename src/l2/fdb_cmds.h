/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_L2_FDB_CMDS_H
#define VSW_L2_FDB_CMDS_H 1

/*
 * The MAC table's control-thread side: it creates the table, ages it, and
 * turns its changes into megaflow revalidation; and the fdb-* commands.
 *
 * Why the control thread: revalidation waits for the PMDs (RCU grace
 * periods, dump and delete requests), which the handler must not do -- it
 * would stall every upcall behind it.  So the handler learns (under the
 * table's mutex, as a side effect of translating an upcall), the table logs
 * each (VLAN, MAC) whose forwarding changed and rings an eventfd, and the
 * control thread, woken in its epoll (vsw_ctl_watch_eventfd), takes the
 * log and, after two grace periods (see vsw_l2_run()), revalidates the
 * megaflows of the regions {dl_dst=M} and {dl_src=M} of each MAC M.
 *
 * Thread safety: control thread only, but for the eventfd doorbell which
 * the handler rings (from the table's notify callback).
 */

#include <stddef.h>

struct vsw_dp;

/** Creates the MAC table of 'dp' (at most 'max' entries, aging after 'idle'
 *  seconds) and its doorbell.  0 or an errno with a message. */
int vsw_l2_setup(struct vsw_dp *dp, unsigned max, unsigned idle, char *err, size_t err_size);

/** The doorbell (an eventfd) for the control thread's poll. */
int vsw_l2_eventfd(void);

/** Control thread, after each poll: ages the table once a second and
 *  revalidates the megaflows of the MACs that changed. */
void vsw_l2_run(struct vsw_dp *dp);

/** Frees the table (after the PMDs and the handler stopped). */
void vsw_l2_destroy(struct vsw_dp *dp);

#endif /* VSW_L2_FDB_CMDS_H */
