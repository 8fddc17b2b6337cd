/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vswd: the switch daemon.  main() initialises DPDK's EAL, creates the
 * datapath, loads the rule file, adds the ports given on the command line,
 * launches one PMD thread per worker lcore and then serves the control
 * socket on the main lcore until SIGINT/SIGTERM.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "classifier/megaflow_format.h"
#include "ctl/ctl_server.h"
#include "ctl/proto.h"
#include "dp.h"
#include "ruleset.h"
#include "util.h"

#define DEFAULT_MBUFS 32768
#define DEFAULT_FLOW_LIMIT 131072

/* Descriptors kept free for everything but control clients: DPDK's own,
 * port devices, vhost-user sockets, pcap files, the epoll and spare fds. */
#define FD_RESERVE 256

struct vswd {
    struct vsw_dp *dp;
    struct vsw_ruleset rules;
    struct vsw_ctl *ctl;
};

static struct vsw_dp *signal_dp;

static void
on_signal(int sig)
{
    (void) sig;
    if (signal_dp) {
        __atomic_store_n(&signal_dp->quit, true, __ATOMIC_RELEASE);
    }
}

static void
usage(void)
{
    printf("usage: vswd [EAL options] -- [options]\n"
           "\n"
           "Userspace DPDK virtual switch.  The main lcore serves the control socket;\n"
           "every other lcore (e.g. -l 0,1) runs a PMD thread.\n"
           "\n"
           "options:\n"
           "  --ctl PATH             control socket (default $" VSW_CTL_ENV " or " VSW_DEFAULT_CTL ")\n"
           "  --port NAME,DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N]\n"
           "                         add a port at start; DEVARGS are DPDK device arguments,\n"
           "                         e.g. net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\n"
           "                         (repeatable; OpenFlow numbers are assigned from 1;\n"
           "                         mtu_request: %d..%d, default %d)\n"
           "                         vdevs: net_pcap, net_ring, net_null, net_tap,\n"
           "                         net_af_packet, ...; guests: vhost-user,path=SOCK or\n"
           "                         vhost-user-client,path=SOCK[,queues=N]\n"
           "  --flows FILE           load OpenFlow rules (ovs-ofctl syntax) before any\n"
           "                         port receives\n"
           "  --mbufs N              packet buffers in the pool (default %d)\n"
           "  --flow-limit N         megaflows per PMD (default %d)\n"
           "  --megaflow-idle MS     idle megaflows expire after MS ms (default 10000)\n"
           "  --emc on|off           exact-match cache (default on)\n"
           "  --upcall-overflow inline|drop\n"
           "                         when the slow path is behind, the PMD translates\n"
           "                         new flows itself (default, no loss) or drops them\n"
           "                         (cached flows never slow down)\n"
           "  --ctl-max-clients N    control connections served at once (default %u);\n"
           "                         the next is told \"too many control connections\"\n"
           "                         and closed.  Each takes a file descriptor: vswd\n"
           "                         raises RLIMIT_NOFILE to N + %d if the hard limit\n"
           "                         allows, else lowers N to fit\n"
           "  --ctl-idle-timeout S   a control client must send its whole request within\n"
           "                         S seconds of connecting, and must take some of its\n"
           "                         reply at least every S seconds, or it is disconnected\n"
           "                         (default %u; fractions allowed)\n"
           "  --verbose              log debug messages\n"
           "  --help                 this text\n"
           "\n"
           "Example:\n"
           "  vswd -l 0,1 --no-pci --file-prefix vsw -- --ctl /tmp/vsw.ctl \\\n"
           "       --port p1,net_pcap0,rx_pcap=in.pcap,tx_pcap=out1.pcap \\\n"
           "       --port p2,net_pcap1,tx_pcap=out2.pcap --flows rules.txt\n",
           VSW_MTU_MIN, VSW_MTU_MAX, VSW_MTU_DEFAULT, DEFAULT_MBUFS, DEFAULT_FLOW_LIMIT,
           VSW_CTL_DEFAULT_MAX_CLIENTS, FD_RESERVE, VSW_CTL_DEFAULT_IDLE_MS / 1000);
}

/* ---- Control commands. ---- */

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
cmd_add_flows(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
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
            ? vsw_ruleset_replace(d->dp, &d->rules, fms, n, err, sizeof err)
            : vsw_ruleset_add(d->dp, &d->rules, fms, n, err, sizeof err);
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
cmd_del_flows(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
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
    error = vsw_ruleset_delete(d->dp, &d->rules, &fm, strict, &n_deleted, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    vsw_flow_mod_uninit(&fm);
    return error;
}

static int
cmd_dump_flows(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_flow_mod fm;
    bool strict, have;
    int error = parse_filter(argc, argv, &strict, &fm, &have, out);

    if (error) {
        return error;
    }
    vsw_ruleset_dump(&d->rules, have ? &fm : NULL, strict, out);
    if (have) {
        vsw_flow_mod_uninit(&fm);
    }
    return 0;
}

static int
cmd_add_port(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    struct vsw_buf spec = { 0 };
    int error;

    if (argc < 3) {
        vsw_buf_printf(out, "usage: add-port NAME DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N]");
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
    }
    vsw_buf_free(&spec);
    return error;
}

static int
cmd_del_port(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    int error;

    if (argc != 2) {
        vsw_buf_printf(out, "usage: del-port NAME");
        return EINVAL;
    }
    error = vsw_dp_del_port(d->dp, argv[1], err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    return error;
}

/* set-port NAME KEY=VALUE...: keys are checked by vsw_dp_set_port(). */
static int
cmd_set_port(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    char err[512];
    int error;

    if (argc < 3) {
        vsw_buf_printf(out, "usage: set-port NAME KEY=VALUE... (keys: mtu_request)");
        return EINVAL;
    }
    error = vsw_dp_set_port(d->dp, argv[1], argv + 2, argc - 2, err, sizeof err);
    if (error) {
        vsw_buf_printf(out, "%s", err);
    }
    return error;
}

static int
cmd_show(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ports_snap *ps = d->dp->ports;

    (void) argc;
    (void) argv;
    vsw_buf_printf(out, "vswd: %u PMD thread(s), %zu rule(s), %u port(s)\n", d->dp->n_pmds,
                   d->rules.n, ps->n);
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
cmd_dump_ports(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
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

static void
pct(struct vsw_buf *out, const char *what, uint64_t part, uint64_t whole)
{
    vsw_buf_printf(out, "  %s: %" PRIu64 " (%.1f %%)\n", what, part,
                   whole ? 100.0 * (double) part / (double) whole : 0.0);
}

/* Per-queue counters: rx queue q is polled by PMD q % n_pmds; tx queue i is
 * PMD i's (shared, under a lock, when the device has fewer queues); on a
 * vhost-user port, PMDs share out the queue pairs the guest has enabled. */
static int
cmd_dump_queues(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
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

static int
cmd_pmd_stats(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        const struct vsw_pmd *pmd = &d->dp->pmds[i];
        const struct vsw_pmd_stats *s = &pmd->stats;
        uint64_t p = s->packets;
        double cpp = p ? 1.0 / (double) p : 0.0;

        vsw_buf_printf(out, "pmd %u (lcore %u):\n", i, pmd->lcore);
        vsw_buf_printf(out, "  packets received: %" PRIu64 "\n", p);
        pct(out, "emc hits", s->emc_hits, p);
        pct(out, "smc hits", s->smc_hits, p);
        pct(out, "megaflow hits", s->megaflow_hits, p);
        vsw_buf_printf(out, "  avg subtables probed per megaflow hit: %.2f\n",
                       s->megaflow_hits ? (double) s->probes / (double) s->megaflow_hits : 0.0);
        pct(out, "forwarded after a shallow parse only", s->shallow, p);
        pct(out, "upcalls", s->upcalls, p);
        vsw_buf_printf(out, "  megaflows: %u (limit %u), expired %" PRIu64 ", subtables %u\n",
                       pmd->dpcls->n_flows, d->dp->flow_limit, s->megaflows_expired,
                       pmd->dpcls->n_subtables);
        vsw_buf_printf(out, "  emc: %s, %s mode, %" PRIu64 " mode switches\n",
                       d->dp->emc_enabled ? d->dp->emc_impl : "off",
                       pmd->emc->bypass ? "bypass" : "normal", pmd->emc->mode_switches);
        vsw_buf_printf(out, "  dropped, no matching rule: %" PRIu64 "\n", s->missed);
        vsw_buf_printf(out, "  upcall queue full: %" PRIu64 " (%s)\n", s->upcall_full,
                       d->dp->upcall_overflow_inline ? "translated by the PMD" : "dropped");
        vsw_buf_printf(out, "  dropped, output port missing: %" PRIu64 "\n", s->no_port);
        vsw_buf_printf(out, "  dropped, copy for multiple outputs failed: %" PRIu64 "\n",
                       s->copy_failed);
        vsw_buf_printf(out, "  dropped, no headroom for a VLAN tag: %" PRIu64 "\n",
                       s->no_headroom);
        vsw_buf_printf(out, "  dropped, chained and could not be made contiguous: %" PRIu64
                       " (counted in the rx port's drop too)\n", s->nonlinear);
        vsw_buf_printf(out, "  chained frames copied into one jumbo mbuf: %" PRIu64 "\n",
                       s->chained);
        vsw_buf_printf(out, "  dropped, shorter than an Ethernet header: %" PRIu64 "\n", s->runt);
        vsw_buf_printf(out, "  not cached, flow limit: %" PRIu64 "\n", s->flow_limit);
        vsw_buf_printf(out, "  dropped, too many datapath actions: %" PRIu64 "\n",
                       s->actions_overflow);
        vsw_buf_printf(out, "  upcalls redone after a rule change: %" PRIu64 "\n",
                       s->upcall_stale);
        vsw_buf_printf(out, "  busy iterations: %" PRIu64 " of %" PRIu64 "\n",
                       s->busy_iterations, s->iterations);
        vsw_buf_printf(out, "  avg cycles per packet: %.1f\n", (double) s->cycles_busy * cpp);
        vsw_buf_printf(out, "    parse: %.1f, emc: %.1f, megaflow: %.1f, upcall: %.1f, "
                       "execute+tx: %.1f\n",
                       (double) s->cycles_parse * cpp, (double) s->cycles_emc * cpp,
                       (double) s->cycles_dpcls * cpp, (double) s->cycles_upcall * cpp,
                       (double) s->cycles_execute * cpp);
    }
    return 0;
}

static int
cmd_pmd_stats_clear(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    (void) argc;
    (void) argv;
    (void) out;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        d->dp->pmds[i].clear_stats = true;
    }
    /* The PMDs clear at their next iteration boundary; wait for it. */
    vsw_dp_synchronize(d->dp);
    return 0;
}

static int
cmd_dump_megaflows(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();

    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        struct vsw_mf_dump *e;
        uint32_t n;
        int error = vsw_dp_dump_megaflows(d->dp, i, &e, &n);
        if (error) {
            vsw_buf_printf(out, "pmd %u: cannot dump megaflows: %s", i, strerror(error));
            return error;
        }
        if (d->dp->n_pmds > 1) {
            vsw_buf_printf(out, "pmd %u:\n", i);
        }
        for (uint32_t k = 0; k < n; k++) {
            vsw_megaflow_format(&e[k], now, hz, out);
        }
        free(e);
    }
    return 0;
}

static int
cmd_ctl_stats(struct vswd *d, int argc, char **argv, struct vsw_buf *out)
{
    const struct vsw_ctl_config *cfg = vsw_ctl_get_config(d->ctl);
    struct vsw_ctl_stats s;

    (void) argc;
    (void) argv;
    vsw_ctl_get_stats(d->ctl, &s);
    vsw_buf_printf(out, "control socket:\n");
    vsw_buf_printf(out, "  clients: %u open (limit %u), idle timeout %.1f s\n", s.n_clients,
                   cfg->max_clients, (double) cfg->idle_ms / 1000.0);
    vsw_buf_printf(out, "  reply bytes held: %zu (limit %zu per client, %zu in all)\n",
                   s.out_bytes, cfg->client_out_max, cfg->total_out_max);
    vsw_buf_printf(out, "  accepted: %" PRIu64 "\n", s.accepted);
    vsw_buf_printf(out, "  served: %" PRIu64 "\n", s.served);
    vsw_buf_printf(out, "  refused, too many clients: %" PRIu64 "\n", s.refused_busy);
    vsw_buf_printf(out, "  closed, request idle timeout: %" PRIu64 "\n", s.idle_timeouts);
    vsw_buf_printf(out, "  closed, reply not read (write stall): %" PRIu64 "\n",
                   s.write_stalls);
    vsw_buf_printf(out, "  reply over per-client limit: %" PRIu64 "\n", s.reply_too_big);
    vsw_buf_printf(out, "  reply refused, output buffers full: %" PRIu64 "\n", s.output_full);
    vsw_buf_printf(out, "  bad requests: %" PRIu64 "\n", s.bad_requests);
    vsw_buf_printf(out, "  client left early: %" PRIu64 "\n", s.peer_gone);
    return 0;
}

static int
handle_request(void *aux, int argc, char **argv, struct vsw_buf *out)
{
    static const struct {
        const char *name;
        int (*fn)(struct vswd *, int, char **, struct vsw_buf *);
    } cmds[] = {
        { "add-flow", cmd_add_flows },      { "add-flows", cmd_add_flows },
        { "del-flows", cmd_del_flows },     { "replace-flows", cmd_add_flows },
        { "dump-flows", cmd_dump_flows },   { "add-port", cmd_add_port },
        { "del-port", cmd_del_port },       { "set-port", cmd_set_port },
        { "show", cmd_show },
        { "dump-ports", cmd_dump_ports },   { "pmd-stats", cmd_pmd_stats },
        { "pmd-stats-clear", cmd_pmd_stats_clear },
        { "dump-megaflows", cmd_dump_megaflows },
        { "dump-queues", cmd_dump_queues }, { "ctl-stats", cmd_ctl_stats },
    };

    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (!strcmp(argv[0], cmds[i].name)) {
            return cmds[i].fn(aux, argc, argv, out);
        }
    }
    vsw_buf_printf(out, "unknown command \"%s\"", argv[0]);
    return EINVAL;
}

/* ---- Start-up. ---- */

/* Makes room for 'max_clients' control connections under RLIMIT_NOFILE:
 * raises the soft limit up to the hard one if needed, else returns the
 * number of clients that fit. */
static unsigned
fit_fd_limit(unsigned max_clients)
{
    rlim_t need = (rlim_t) max_clients + FD_RESERVE;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl)) {
        return max_clients;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) || getrlimit(RLIMIT_NOFILE, &rl)) {
            return max_clients;
        }
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        unsigned fit = rl.rlim_cur > FD_RESERVE + 8 ? (unsigned) (rl.rlim_cur - FD_RESERVE) : 8;
        VSW_LOG(VSW_LOG_WARN, "RLIMIT_NOFILE is %llu (hard): serving at most %u control "
                "clients instead of %u", (unsigned long long) rl.rlim_cur, fit, max_clients);
        return fit;
    }
    return max_clients;
}

/* Says why rte_eal_init() failed.  It leaves rte_errno at 0 in some cases,
 * the commonest being a --file-prefix that another DPDK process holds: the
 * EAL locks the "config" file of its runtime directory, so whoever holds
 * that lock is named. */
static void
eal_init_failed(void)
{
    int err = rte_errno;
    const char *dir = rte_eal_get_runtime_dir();
    char path[PATH_MAX];
    int fd = -1;

    if (dir && dir[0] && snprintf(path, sizeof path, "%s/config", dir) < (int) sizeof path) {
        fd = open(path, O_RDWR);
    }
    if (fd >= 0) {
        struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        bool held = !fcntl(fd, F_GETLK, &lk) && lk.l_type != F_UNLCK;
        close(fd);
        if (held) {
            const char *prefix = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
            fprintf(stderr, "vswd: cannot initialise DPDK (EAL): --file-prefix %s is in use "
                    "by another DPDK process (pid %ld, lock on %s); give each DPDK process "
                    "its own --file-prefix\n", prefix, (long) lk.l_pid, path);
            return;
        }
    }
    if (err) {
        fprintf(stderr, "vswd: cannot initialise DPDK (EAL): %s\n", rte_strerror(err));
    } else {
        fprintf(stderr, "vswd: cannot initialise DPDK (EAL); the EAL's messages above say "
                "why\n");
    }
}

static char *
read_file(const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    struct vsw_buf b = { 0 };
    char chunk[65536];
    size_t n;

    if (!f) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        vsw_buf_append(&b, chunk, n);
    }
    if (ferror(f)) {
        snprintf(err, err_size, "%s: read error", path);
        fclose(f);
        vsw_buf_free(&b);
        return NULL;
    }
    fclose(f);
    vsw_buf_cstr(&b);
    return b.s;   /* Caller frees. */
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "ctl", required_argument, NULL, 'c' },
        { "port", required_argument, NULL, 'p' },
        { "flows", required_argument, NULL, 'f' },
        { "mbufs", required_argument, NULL, 'm' },
        { "flow-limit", required_argument, NULL, 'L' },
        { "megaflow-idle", required_argument, NULL, 'I' },
        { "emc", required_argument, NULL, 'E' },
        { "upcall-overflow", required_argument, NULL, 'U' },
        { "ctl-max-clients", required_argument, NULL, 'C' },
        { "ctl-idle-timeout", required_argument, NULL, 'T' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *ctl_path = getenv(VSW_CTL_ENV) ? getenv(VSW_CTL_ENV) : VSW_DEFAULT_CTL;
    const char *flows_path = NULL;
    char *port_specs[VSW_MAX_PORTS];
    unsigned n_port_specs = 0, n_mbufs = DEFAULT_MBUFS;
    unsigned long flow_limit = DEFAULT_FLOW_LIMIT, idle_ms = 10000;
    bool emc_on = true, overflow_inline = true;
    struct vsw_ctl_config ctl_cfg = {
        .max_clients = VSW_CTL_DEFAULT_MAX_CLIENTS,
        .idle_ms = VSW_CTL_DEFAULT_IDLE_MS,
        .client_out_max = VSW_CTL_CLIENT_OUT_MAX,
        .total_out_max = VSW_CTL_TOTAL_OUT_MAX,
    };
    struct vswd d = { 0 };
    char err[1024];
    int ret;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            bool after_dashdash = false;
            for (int k = 1; k < i; k++) {
                after_dashdash |= !strcmp(argv[k], "--");
            }
            if (after_dashdash || i == 1) {
                usage();
                return 0;
            }
        }
    }

    ret = rte_eal_init(argc, argv);
    if (ret < 0) {
        eal_init_failed();
        return 1;
    }
    argc -= ret;
    argv += ret;

    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            ctl_path = optarg;
            break;
        case 'p':
            if (n_port_specs == VSW_MAX_PORTS) {
                fprintf(stderr, "vswd: too many --port options\n");
                return 1;
            }
            port_specs[n_port_specs++] = optarg;
            break;
        case 'f':
            flows_path = optarg;
            break;
        case 'm': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || v < 1024 || v > (1ul << 24)) {
                fprintf(stderr, "vswd: --mbufs: \"%s\" is not in 1024..16777216\n", optarg);
                return 1;
            }
            n_mbufs = (unsigned) v;
            break;
        }
        case 'L':
        case 'I': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || !optarg[0] || v < (c == 'L' ? 1024ul : 10ul) || v > (1ul << 24)) {
                fprintf(stderr, "vswd: --%s: \"%s\" is out of range\n",
                        c == 'L' ? "flow-limit" : "megaflow-idle", optarg);
                return 1;
            }
            *(c == 'L' ? &flow_limit : &idle_ms) = v;
            break;
        }
        case 'E':
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "vswd: --emc: expected on or off\n");
                return 1;
            }
            emc_on = !strcmp(optarg, "on");
            break;
        case 'U':
            if (strcmp(optarg, "inline") && strcmp(optarg, "drop")) {
                fprintf(stderr, "vswd: --upcall-overflow: expected inline or drop\n");
                return 1;
            }
            overflow_inline = !strcmp(optarg, "inline");
            break;
        case 'C': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || !optarg[0] || v < 1 || v > 1000000) {
                fprintf(stderr, "vswd: --ctl-max-clients: \"%s\" is not in 1..1000000\n",
                        optarg);
                return 1;
            }
            ctl_cfg.max_clients = (unsigned) v;
            break;
        }
        case 'T': {
            char *end;
            double v = strtod(optarg, &end);
            if (*end || !optarg[0] || !(v >= 0.1 && v <= 86400)) {
                fprintf(stderr, "vswd: --ctl-idle-timeout: \"%s\" is not in 0.1..86400 "
                        "seconds\n", optarg);
                return 1;
            }
            ctl_cfg.idle_ms = (uint64_t) (v * 1000.0 + 0.5);
            break;
        }
        case 'v':
            vsw_log_set_level(VSW_LOG_DBG);
            break;
        case 'h':
            usage();
            return 0;
        default:
            fprintf(stderr, "vswd: try --help\n");
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "vswd: unexpected argument \"%s\"; try --help\n", argv[optind]);
        return 1;
    }

    unsigned lcores[VSW_MAX_PMDS], n_pmds = 0, lc;
    RTE_LCORE_FOREACH_WORKER(lc) {
        if (n_pmds < VSW_MAX_PMDS) {
            lcores[n_pmds++] = lc;
        }
    }
    if (!n_pmds) {
        fprintf(stderr, "vswd: need at least one worker lcore for a PMD (e.g. -l 0,1)\n");
        return 1;
    }
    d.dp = vsw_dp_create(n_pmds, lcores, n_mbufs, (uint32_t) flow_limit, err, sizeof err);
    if (!d.dp) {
        fprintf(stderr, "vswd: %s\n", err);
        return 1;
    }
    d.dp->megaflow_idle_ms = idle_ms;
    d.dp->emc_enabled = emc_on;
    d.dp->upcall_overflow_inline = overflow_inline;
    signal_dp = d.dp;

    if (flows_path) {
        char *text = read_file(flows_path, err, sizeof err);
        if (!text) {
            fprintf(stderr, "vswd: %s\n", err);
            return 1;
        }
        struct vsw_flow_mod *fms;
        size_t n_fms;
        ret = vsw_flow_mods_parse_text(text, VSW_FM_ADD, &fms, &n_fms, err, sizeof err);
        free(text);
        if (ret) {
            fprintf(stderr, "vswd: %s: %s\n", flows_path, err);
            return 1;
        }
        ret = vsw_ruleset_add(d.dp, &d.rules, fms, n_fms, err, sizeof err);
        vsw_flow_mods_free(fms, n_fms);
        if (ret) {
            fprintf(stderr, "vswd: %s: %s\n", flows_path, err);
            return 1;
        }
        VSW_LOG(VSW_LOG_INFO, "loaded %zu rules from %s", d.rules.n, flows_path);
    }

    for (unsigned i = 0; i < n_port_specs; i++) {
        char *spec = port_specs[i], *comma = strchr(spec, ',');
        if (!comma) {
            fprintf(stderr, "vswd: --port %s: expected NAME,DEVARGS\n", spec);
            vsw_dp_stop(d.dp);
            return 1;
        }
        *comma = '\0';
        ret = vsw_dp_add_port(d.dp, spec, comma + 1, err, sizeof err);
        if (ret) {
            fprintf(stderr, "vswd: --port %s: %s\n", spec, err);
            vsw_dp_stop(d.dp);
            return 1;
        }
    }

    ctl_cfg.max_clients = fit_fd_limit(ctl_cfg.max_clients);
    struct vsw_ctl *ctl = vsw_ctl_create(ctl_path, &ctl_cfg, handle_request, &d, err,
                                         sizeof err);
    if (!ctl) {
        fprintf(stderr, "vswd: control socket: %s\n", err);
        vsw_dp_stop(d.dp);
        return 1;
    }
    d.ctl = ctl;

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (vsw_dp_start(d.dp)) {
        vsw_ctl_destroy(ctl);
        vsw_dp_stop(d.dp);
        return 1;
    }
    VSW_LOG(VSW_LOG_INFO, "ready: %u PMD(s), control socket %s", n_pmds, ctl_path);

    uint64_t hz = rte_get_tsc_hz(), next_expire = rte_rdtsc() + hz / 10;
    while (!__atomic_load_n(&d.dp->quit, __ATOMIC_ACQUIRE)) {
        vsw_ctl_poll(ctl, 100);
        if (rte_rdtsc() >= next_expire) {
            size_t n = vsw_ruleset_expire(d.dp, &d.rules);
            if (n) {
                VSW_LOG(VSW_LOG_DBG, "%zu rule(s) expired", n);
            }
            next_expire = rte_rdtsc() + hz / 10;
        }
    }

    VSW_LOG(VSW_LOG_INFO, "stopping");
    vsw_ctl_destroy(ctl);
    vsw_dp_stop(d.dp);
    vsw_ruleset_destroy(&d.rules);
    rte_eal_cleanup();
    return 0;
}
