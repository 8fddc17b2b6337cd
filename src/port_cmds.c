/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control commands on the ports (dp.h): add-port, del-port, set-port,
 * show, dump-ports and dump-queues.  Their usage lines are in
 * ctl/ctl_cmd_info.c.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "ruleset.h"
#include "util.h"
#include "xlate/revalidate.h"

/* After a port change returns, the next packet follows the new ports: the
 * megaflows that read the ports or come in on this one are checked now
 * (the others cannot have changed). */
static void
port_changed(struct vsw_ctl_ctx *d, const struct vsw_port *port)
{
    struct vsw_reval_stats st;

    if (port) {
        vsw_revalidate_port(d->dp, port->ofport, &st);
    }
}

static int
cmd_add_port(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    struct vsw_buf spec = { 0 };
    int error;

    if (argc < 3) {
        vsw_buf_printf(out, "usage: add-port NAME DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N]"
                       "[,tag=N][,trunks=N,...][,vlan_mode=MODE]");
        return EINVAL;
    }
    for (int i = 2; i < argc; i++) {
        if (i > 2) {
            vsw_buf_append(&spec, ",", 1);
        }
        vsw_buf_append(&spec, argv[i], strlen(argv[i]));
    }
    error = vsw_dp_add_port(d->dp, argv[1], vsw_buf_cstr(&spec), err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    } else {
        port_changed(d, vsw_dp_find_port(d->dp, argv[1]));
    }
    vsw_buf_free(&spec);
    return error;
}

static int
cmd_del_port(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    int error;

    if (argc != 2) {
        vsw_buf_printf(out, "usage: del-port NAME");
        return EINVAL;
    }
    struct vsw_port *port = vsw_dp_find_port(d->dp, argv[1]);
    uint32_t ofport = port ? port->ofport : 0;

    error = vsw_dp_del_port(d->dp, argv[1], err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    } else {
        struct vsw_reval_stats st;
        vsw_revalidate_port(d->dp, ofport, &st);
    }
    return error;
}

/* set-port NAME KEY=VALUE...: keys are checked by vsw_dp_set_port(). */
static int
cmd_set_port(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    int error;

    if (argc < 3) {
        vsw_buf_printf(out, "usage: set-port NAME KEY=VALUE... (keys: mtu_request, tag, trunks, "
                       "vlan_mode, link)");
        return EINVAL;
    }
    error = vsw_dp_set_port(d->dp, argv[1], argv + 2, argc - 2, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
        return error;
    }
    /* Also a link=up|down: the megaflows that read liveness (a
     * fast_failover's watch_port sets VSW_XLATE_READ_PORTS) are among the
     * candidates. */
    port_changed(d, vsw_dp_find_port(d->dp, argv[1]));
    return error;
}

static int
cmd_show(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ports_snap *ps = d->dp->ports;

    (void) argc;
    (void) argv;
    vsw_buf_printf(out, "vswd: %u PMD thread(s), %zu rule(s), %u port(s)\n", d->dp->n_pmds,
                   d->rules->n, ps->n);
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        vsw_buf_printf(out, " pmd %u: lcore %u\n", i, d->dp->pmds[i].lcore);
    }
    for (unsigned i = 0; i < ps->n; i++) {
        const struct vsw_port *p = ps->ports[i];
        struct rte_eth_link link;
        struct rte_ether_addr mac;

        memset(&link, 0, sizeof link);
        rte_eth_link_get_nowait(p->port_id, &link);
        rte_eth_macaddr_get(p->port_id, &mac);
        vsw_buf_printf(out, " %u(%s): dpdk port %u, %s, rxq %u, txq %u%s, mtu %u%s, "
                       "mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
                       p->ofport, p->name, p->port_id, p->devargs, p->n_rxq, p->n_txq,
                       p->txq_shared ? " (shared)" : "", p->mtu,
                       p->mtu_by_device ? "" : " (vsw)", mac.addr_bytes[0], mac.addr_bytes[1],
                       mac.addr_bytes[2], mac.addr_bytes[3], mac.addr_bytes[4],
                       mac.addr_bytes[5], link.link_status ? "up" : "down");
        char vlan[512];
        vsw_vlan_cfg_format(&p->vlan_cfg, vlan, sizeof vlan);
        vsw_buf_printf(out, "     vlan: %s%s%s\n",
                       vsw_vlan_mode_name((enum vsw_vlan_mode) p->vlan.mode),
                       vlan[0] ? " " : "", vlan);
        if (p->is_vhost) {
            /* The guest's rx rings that its driver has enabled: until one is,
             * every frame for the guest is a tx drop. */
            uint32_t mask = __atomic_load_n(&p->vhost_txq_mask, __ATOMIC_ACQUIRE);
            vsw_buf_printf(out, "     guest rx queues enabled: %d\n", __builtin_popcount(mask));
        }
    }
    return 0;
}

static int
cmd_dump_ports(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ports_snap *ps = d->dp->ports;
    const struct vsw_port *only = NULL;

    if (argc > 2) {
        vsw_buf_printf(out, "usage: dump-ports [PORT]");
        return EINVAL;
    }
    if (argc == 2) {
        only = vsw_dp_find_port(d->dp, argv[1]);
        if (!only) {
            vsw_buf_printf(out, "no port \"%s\"", argv[1]);
            return ENOENT;
        }
    }
    vsw_buf_printf(out, "%u ports\n", only ? 1 : ps->n);
    for (unsigned i = 0; i < ps->n; i++) {
        const struct vsw_port *p = ps->ports[i];
        struct vsw_port_stats s;
        struct rte_eth_stats es;

        if (only && p != only) {
            continue;
        }
        vsw_port_get_stats(p, &s);
        memset(&es, 0, sizeof es);
        rte_eth_stats_get(p->port_id, &es);
        /* As ovs-ofctl dump-ports, plus over_mtu: frames longer than the
         * port's MTU, received (also in errs, as a NIC counts them) or to
         * send (also in drop, as OVS counts tx_mtu_exceeded_drops). */
        vsw_buf_printf(out, "  port %2u: rx pkts=%" PRIu64 ", bytes=%" PRIu64 ", drop=%" PRIu64
                       ", errs=%" PRIu64 ", over_mtu=%" PRIu64 "\n",
                       p->ofport, s.rx_packets, s.rx_bytes, s.rx_dropped + es.imissed,
                       es.ierrors + s.rx_over_mtu, s.rx_over_mtu);
        vsw_buf_printf(out, "           tx pkts=%" PRIu64 ", bytes=%" PRIu64 ", drop=%" PRIu64
                       ", errs=%" PRIu64 ", over_mtu=%" PRIu64 "\n",
                       s.tx_packets, s.tx_bytes, s.tx_dropped + s.tx_over_mtu, es.oerrors,
                       s.tx_over_mtu);
    }
    return 0;
}

/* Per-queue counters: rx queue q is polled by PMD q % n_pmds; tx queue i is
 * PMD i's (shared, under a lock, when the device has fewer queues); on a
 * vhost-user port, PMDs share out the queue pairs the guest has enabled. */
static int
cmd_dump_queues(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ports_snap *ps = d->dp->ports;
    const struct vsw_port *only = argc == 2 ? vsw_dp_find_port(d->dp, argv[1]) : NULL;

    if (argc > 2 || (argc == 2 && !only)) {
        vsw_buf_printf(out, argc > 2 ? "usage: dump-queues [PORT]" : "no port \"%s\"", argv[1]);
        return argc > 2 ? EINVAL : ENOENT;
    }
    for (unsigned i = 0; i < ps->n; i++) {
        const struct vsw_port *p = ps->ports[i];
        struct vsw_port_stats s;

        if (only && p != only) {
            continue;
        }
        vsw_port_get_stats(p, &s);
        vsw_buf_printf(out, "  port %2u (%s):\n", p->ofport, p->name);
        for (uint16_t q = 0; q < p->n_rxq; q++) {
            vsw_buf_printf(out, "    rxq %u (pmd %u): rx pkts=%" PRIu64 "\n", q, q % d->dp->n_pmds,
                           s.rxq_packets[q]);
        }
        for (unsigned k = 0; k < d->dp->n_pmds; k++) {
            const struct vsw_port_stats *t = &p->stats[k];
            if (p->is_vhost) {
                /* The guest's enabled queue pairs are shared out among the PMDs. */
                uint16_t q = vsw_vhost_txq(p, k);
                if (q == UINT16_MAX) {
                    vsw_buf_printf(out, "    txq - (pmd %u, no guest queue enabled)", k);
                } else {
                    vsw_buf_printf(out, "    txq %u (pmd %u)", q, k);
                }
                vsw_buf_printf(out, ": tx pkts=%" PRIu64 ", drop=%" PRIu64 "\n",
                               t->tx_packets, t->tx_dropped);
                continue;
            }
            vsw_buf_printf(out, "    txq %u (pmd %u%s): tx pkts=%" PRIu64 ", drop=%" PRIu64 "\n",
                           p->txq_shared ? k % p->n_txq : k, k, p->txq_shared ? ", shared" : "",
                           t->tx_packets, t->tx_dropped);
        }
    }
    return 0;
}

void
vsw_dp_register_port_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "add-port", cmd_add_port },
        { "del-port", cmd_del_port },
        { "set-port", cmd_set_port },
        { "show", cmd_show },
        { "dump-ports", cmd_dump_ports },
        { "dump-queues", cmd_dump_queues },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
