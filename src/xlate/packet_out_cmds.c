/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `vswctl packet-out IN_PORT ACTIONS HEXPACKET`: what an OpenFlow
 * controller's packet-out does, with ovs-ofctl's syntax.
 *
 * The control thread parses the actions (against the packet's own flow,
 * for the prerequisite checks), translates them with xlate_packet_out()
 * against the published rules, ports, groups and MAC table (so resubmit,
 * goto_table, group, NORMAL and controller all work as in a rule), and
 * applies NORMAL's learning as the handler would for a packet from IN_PORT
 * (OVS learns from a packet-out whose in_port is a real port, not from
 * CONTROLLER or none).
 *
 * The datapath actions are executed on a PMD, never here: the control
 * thread does not own a tx queue.  It hands the packet and the actions to
 * PMD 0 through a one-slot mailbox (struct vsw_pout_req in dp.h), which the
 * PMD polls once per loop iteration, and waits until the PMD has executed
 * them and flushed its tx buffers, so the command returns after the frame
 * was handed to the ports.  One slot is enough: the command waits for its
 * packet, and the control thread serves one command at a time.  If the PMD
 * does not take the packet within a second (it is stopping), the command
 * takes it back and fails with ETIMEDOUT.
 *
 * Thread safety: control thread.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <rte_mbuf.h>

#include "classifier/cls.h"
#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "l2/fdb.h"
#include "pmd/upcall.h"
#include "util.h"
#include "vsw/match.h"
#include "vsw/ofp_actions.h"
#include "xlate/xlate.h"

#define POUT_WAIT_NS 1000000000ull

/* IN_PORT as ovs-ofctl takes it. */
static int
parse_in_port(const char *s, uint32_t *port, struct vsw_buf *out)
{
    static const struct {
        const char *name;
        uint32_t port;
    } names[] = {
        { "none", VSW_OFPP_NONE }, { "any", VSW_OFPP_NONE },
        { "controller", VSW_OFPP_CONTROLLER }, { "local", VSW_OFPP_LOCAL },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!strcasecmp(s, names[i].name)) {
            *port = names[i].port;
            return 0;
        }
    }
    if (vsw_all_digits(s) && strlen(s) <= 5) {
        unsigned long v = strtoul(s, NULL, 10);
        if (v >= 1 && (v < VSW_OFPP_MAX || v == VSW_OFPP_CONTROLLER || v == VSW_OFPP_LOCAL
                       || v == VSW_OFPP_NONE)) {
            *port = (uint32_t) v;
            return 0;
        }
    }
    vsw_buf_printf(out, "\"%s\" is not an input port (a port number, none, controller or "
                   "local)", s);
    return EINVAL;
}

/* Hands 'req' to PMD 0 and waits until it is executed. */
static int
run_on_pmd(struct vsw_dp *dp, struct vsw_pout_req *req, struct vsw_buf *out)
{
    struct vsw_pmd *pmd = &dp->pmds[0];
    struct vsw_pout_req *expected = NULL;
    uint64_t deadline = vsw_now_ns() + POUT_WAIT_NS;
    struct timespec nap = { 0, 20000 };

    req->done = false;
    if (!dp->running
        || !__atomic_compare_exchange_n(&pmd->pout_req, &expected, req, false,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
        vsw_buf_printf(out, "no PMD is running to send the packet");
        return EAGAIN;
    }
    while (!__atomic_load_n(&req->done, __ATOMIC_ACQUIRE)) {
        if (vsw_now_ns() > deadline) {
            struct vsw_pout_req *mine = req;
            if (__atomic_compare_exchange_n(&pmd->pout_req, &mine, NULL, false,
                                            __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
                vsw_buf_printf(out, "the PMD did not take the packet within a second");
                return ETIMEDOUT;
            }
            /* Taken meanwhile: it finishes in microseconds. */
        }
        nanosleep(&nap, NULL);
    }
    return 0;
}

static int
cmd_packet_out(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    static uint8_t frame[VSW_MTU_MAX + 64];
    static struct vsw_pout_req req;
    struct vsw_dp *dp = d->dp;
    const struct vsw_ports_snap *ps = dp->ports;
    struct vsw_actions *acts = NULL;
    struct vsw_odp_buf odp;
    struct vsw_flow flow, mask;
    struct vsw_layout lay;
    struct xlate_bridge br;
    struct xlate_learn learn;
    struct vsw_match m;
    enum xlate_error xerr;
    uint32_t in_port;
    char err[256];
    size_t len;
    int error;

    (void) argc;
    error = parse_in_port(argv[1], &in_port, out);
    if (error) {
        return error;
    }
    if (vsw_parse_hex(argv[3], frame, sizeof frame, &len) || len < 14) {
        vsw_buf_printf(out, "the packet must be an Ethernet frame in hex (at least 14 bytes, "
                       "at most %zu)", sizeof frame);
        return EINVAL;
    }
    vsw_flow_extract(frame, (uint32_t) len, in_port, &flow, &lay);

    /* The actions' prerequisites are checked against the packet itself. */
    memset(&m, 0, sizeof m);
    m.key = flow;
    memset(&m.mask, 0xff, sizeof m.mask);
    error = vsw_actions_parse(argv[2], &m, &acts, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
        return error;
    }

    upcall_bridge(dp, ps, &br);
    if (br.fdb) {
        vsw_fdb_lock(dp->fdb);
    }
    xerr = xlate_packet_out(dp->cls, &br, &flow, acts, &odp, &mask, &learn, NULL);
    for (unsigned i = 0; br.fdb && in_port < VSW_OFPP_MAX && i < learn.n; i++) {
        /* The control thread's revalidation (vsw_l2_run()) then handles the
         * change like any other. */
        vsw_fdb_learn(dp->fdb, learn.e[i].mac, learn.e[i].vlan, learn.e[i].port, false, false);
    }
    if (br.fdb) {
        vsw_fdb_unlock(dp->fdb);
    }
    vsw_actions_free(acts);
    if (odp.overflow) {
        vsw_buf_printf(out, "the actions give more than %d bytes of datapath actions",
                       VSW_ODP_BUF_MAX);
        return E2BIG;
    }
    if (xerr && xerr != XLATE_TOO_MANY_DEPS) {
        /* OVS drops such a packet; say why. */
        vsw_buf_printf(out, "dropped: translation gave up (%s)\n", xlate_error_name(xerr));
        return 0;
    }
    if (!odp.len) {
        return 0;   /* Nothing to send. */
    }

    struct rte_mempool *mp = len > RTE_MBUF_DEFAULT_DATAROOM && dp->mp_jumbo ? dp->mp_jumbo
                                                                              : dp->mp;
    struct rte_mbuf *mb = rte_pktmbuf_alloc(mp);
    char *p = mb ? rte_pktmbuf_append(mb, (uint16_t) len) : NULL;
    if (!p) {
        rte_pktmbuf_free(mb);
        vsw_buf_printf(out, "no packet buffer for a %zu-byte frame", len);
        return ENOBUFS;
    }
    memcpy(p, frame, len);
    memset(&req, 0, sizeof req);
    req.m = mb;
    req.lay = lay;
    req.acts_len = odp.len;
    memcpy(req.acts, odp.data, odp.len);
    error = run_on_pmd(dp, &req, out);
    if (error) {
        rte_pktmbuf_free(req.m);
        return error;
    }
    if (req.n_dropped) {
        vsw_buf_printf(out, "%u cop%s of the packet could not be sent (see pmd-stats)\n",
                       req.n_dropped, req.n_dropped == 1 ? "y" : "ies");
    }
    return 0;
}

void
vsw_pout_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "packet-out", cmd_packet_out },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
