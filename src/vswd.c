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

#include "ctl/ctl_cmd.h"
#include "ctl/ctl_server.h"
#include "ctl/proto.h"
#include "dp.h"
#include "l2/fdb.h"
#include "l2/fdb_cmds.h"
#include "pmd/pmd.h"
#include "ruleset.h"
#include "util.h"
#include "xlate/packet_in.h"

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
           "  --port NAME,DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N][,tag=N]\n"
           "         [,trunks=N,N...][,vlan_mode=access|trunk|native-tagged|native-untagged]\n"
           "                         add a port at start; DEVARGS are DPDK device arguments,\n"
           "                         e.g. net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\n"
           "                         (repeatable; OpenFlow numbers are assigned from 1;\n"
           "                         mtu_request: %d..%d, default %d; tag, trunks,\n"
           "                         vlan_mode: as ovs-vsctl's Port columns)\n"
           "                         vdevs: net_pcap, net_ring, net_null, net_tap,\n"
           "                         net_af_packet, ...; guests: vhost-user,path=SOCK or\n"
           "                         vhost-user-client,path=SOCK[,queues=N]\n"
           "  --groups FILE          load OpenFlow groups (ovs-ofctl add-group syntax, one\n"
           "                         a line) before the rules\n"
           "  --flows FILE           load OpenFlow rules (ovs-ofctl syntax) before any\n"
           "                         port receives; without it the bridge starts with\n"
           "                         \"priority=0,actions=NORMAL\" (a learning switch,\n"
           "                         OVS's fail-mode=standalone)\n"
           "  --mac-aging SECONDS    MAC table entries age out after this (%d..%d,\n"
           "                         default %d)\n"
           "  --mac-table-size N     MAC table entries at most (1..%u, default %d)\n"
           "  --mbufs N              packet buffers in the pool (default %d)\n"
           "  --flow-limit N         megaflows per PMD (default %d)\n"
           "  --megaflow-idle MS     idle megaflows expire after MS ms (default 10000)\n"
           "  --emc on|off           exact-match cache (default on)\n"
           "  --parser auto|avx512|scalar\n"
           "                         burst parse variant (default auto: the fastest\n"
           "                         this CPU runs)\n"
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
           "  --controller-rate PPS  packet-ins delivered to monitors per second at most\n"
           "                         (token bucket, as OVS's controller_rate_limit;\n"
           "                         default %u, 0: no limit)\n"
           "  --controller-burst N   packet-ins allowed in a burst (default rate/4, at\n"
           "                         least %u)\n"
           "  --verbose              log debug messages\n"
           "  --help                 this text\n"
           "\n"
           "Example:\n"
           "  vswd -l 0,1 --no-pci --file-prefix vsw -- --ctl /tmp/vsw.ctl \\\n"
           "       --port p1,net_pcap0,rx_pcap=in.pcap,tx_pcap=out1.pcap \\\n"
           "       --port p2,net_pcap1,tx_pcap=out2.pcap --flows rules.txt\n",
           VSW_MTU_MIN, VSW_MTU_MAX, VSW_MTU_DEFAULT, VSW_FDB_IDLE_MIN, VSW_FDB_IDLE_MAX,
           VSW_FDB_DEFAULT_IDLE, VSW_FDB_MAX_MAX, VSW_FDB_DEFAULT_MAX, DEFAULT_MBUFS,
           DEFAULT_FLOW_LIMIT,
           VSW_CTL_DEFAULT_MAX_CLIENTS, FD_RESERVE, VSW_CTL_DEFAULT_IDLE_MS / 1000,
           VSW_PIN_DEFAULT_RATE, VSW_PIN_MIN_BURST);
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
        { "groups", required_argument, NULL, 'g' },
        { "mbufs", required_argument, NULL, 'm' },
        { "flow-limit", required_argument, NULL, 'L' },
        { "megaflow-idle", required_argument, NULL, 'I' },
        { "emc", required_argument, NULL, 'E' },
        { "parser", required_argument, NULL, 'P' },
        { "upcall-overflow", required_argument, NULL, 'U' },
        { "ctl-max-clients", required_argument, NULL, 'C' },
        { "ctl-idle-timeout", required_argument, NULL, 'T' },
        { "mac-aging", required_argument, NULL, 'A' },
        { "mac-table-size", required_argument, NULL, 'S' },
        { "controller-rate", required_argument, NULL, 'R' },
        { "controller-burst", required_argument, NULL, 'B' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *ctl_path = getenv(VSW_CTL_ENV) ? getenv(VSW_CTL_ENV) : VSW_DEFAULT_CTL;
    const char *flows_path = NULL;
    const char *groups_path = NULL;
    char *port_specs[VSW_MAX_PORTS];
    unsigned n_port_specs = 0, n_mbufs = DEFAULT_MBUFS;
    unsigned long flow_limit = DEFAULT_FLOW_LIMIT, idle_ms = 10000;
    unsigned long mac_aging = VSW_FDB_DEFAULT_IDLE, mac_max = VSW_FDB_DEFAULT_MAX;
    bool emc_on = true, overflow_inline = true;
    vsw_flow_burst_fn *parse_burst = NULL;
    const char *parser_impl = NULL;
    bool parser_set = false;
    unsigned long pin_rate = VSW_PIN_DEFAULT_RATE, pin_burst = 0;
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
        case 'g':
            groups_path = optarg;
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
        case 'P':
            if (!vsw_flow_burst_select(optarg, &parse_burst, &parser_impl)) {
                fprintf(stderr, "vswd: --parser %s: %s\n", optarg,
                        strcmp(optarg, "avx512") ? "expected auto, avx512 or scalar"
                                                 : "this CPU lacks AVX-512 F, BW or VBMI");
                return 1;
            }
            parser_set = true;
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
        case 'A':
        case 'S': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            unsigned long lo = c == 'A' ? VSW_FDB_IDLE_MIN : 1;
            unsigned long hi = c == 'A' ? VSW_FDB_IDLE_MAX : VSW_FDB_MAX_MAX;
            if (*end || !optarg[0] || v < lo || v > hi) {
                fprintf(stderr, "vswd: --%s: \"%s\" is not in %lu..%lu\n",
                        c == 'A' ? "mac-aging" : "mac-table-size", optarg, lo, hi);
                return 1;
            }
            *(c == 'A' ? &mac_aging : &mac_max) = v;
            break;
        }
        case 'R':
        case 'B': {
            char *end;
            unsigned long v = strtoul(optarg, &end, 10);
            unsigned long lo = c == 'R' ? 0 : 1;
            if (*end || !optarg[0] || v < lo || v > 10000000) {
                fprintf(stderr, "vswd: --%s: \"%s\" is not in %lu..10000000\n",
                        c == 'R' ? "controller-rate" : "controller-burst", optarg, lo);
                return 1;
            }
            *(c == 'R' ? &pin_rate : &pin_burst) = v;
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
    if (parser_set) {   /* Else vsw_dp_create()'s choice: the best this CPU runs. */
        d.dp->parse_burst = parse_burst;
        d.dp->parser_impl = parser_impl;
    }
    d.dp->upcall_overflow_inline = overflow_inline;
    signal_dp = d.dp;
    if (vsw_pin_setup(d.dp, (uint32_t) pin_rate, (uint32_t) pin_burst, err, sizeof err)) {
        fprintf(stderr, "vswd: %s\n", err);
        return 1;
    }
    if (vsw_l2_setup(d.dp, (unsigned) mac_max, (unsigned) mac_aging, err, sizeof err)) {
        fprintf(stderr, "vswd: %s\n", err);
        return 1;
    }

    vsw_group_attach(d.dp, &d.rules);
    if (groups_path) {
        /* Before the rules: a rule's group:N must name a group. */
        char *text = read_file(groups_path, err, sizeof err);
        if (!text) {
            fprintf(stderr, "vswd: %s\n", err);
            return 1;
        }
        ret = vsw_group_load_text(d.dp, text, err, sizeof err);
        free(text);
        if (ret) {
            fprintf(stderr, "vswd: %s: %s\n", groups_path, err);
            vsw_group_destroy(d.dp);
            return 1;
        }
    }
    if (!flows_path) {
        /* An OVS bridge with fail-mode=standalone: a learning switch. */
        struct vsw_flow_mod *fms;
        size_t n_fms;
        ret = vsw_flow_mods_parse_text("priority=0,actions=NORMAL\n", VSW_FM_ADD, &fms, &n_fms,
                                       err, sizeof err);
        if (!ret) {
            ret = vsw_ruleset_add(d.dp, &d.rules, fms, n_fms, err, sizeof err);
            vsw_flow_mods_free(fms, n_fms);
        }
        if (ret) {
            fprintf(stderr, "vswd: the default NORMAL rule: %s\n", err);
            return 1;
        }
    } else {
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
            vsw_ruleset_destroy(&d.rules);
            vsw_group_destroy(d.dp);
            return 1;
        }
        *comma = '\0';
        ret = vsw_dp_add_port(d.dp, spec, comma + 1, err, sizeof err);
        if (ret) {
            fprintf(stderr, "vswd: --port %s: %s\n", spec, err);
            vsw_dp_stop(d.dp);
            vsw_ruleset_destroy(&d.rules);
            vsw_group_destroy(d.dp);
            return 1;
        }
    }

    vsw_ruleset_register_cmds();
    vsw_dp_register_port_cmds();
    vsw_dp_register_cmds();
    vsw_pmd_register_cmds();
    vsw_ctl_register_cmds();
    vsw_xlate_register_cmds();
    vsw_revalidate_register_cmds();
    vsw_fdb_register_cmds();
    vsw_pin_register_cmds();
    vsw_pout_register_cmds();
    vsw_group_register_cmds();
    if (vsw_ctl_cmd_missing()) {
        fprintf(stderr, "vswd: control command \"%s\" has no handler\n",
                vsw_ctl_cmd_missing());
        vsw_dp_stop(d.dp);
        vsw_ruleset_destroy(&d.rules);
        vsw_group_destroy(d.dp);
        return 1;
    }

    ctl_cfg.max_clients = fit_fd_limit(ctl_cfg.max_clients);
    struct vsw_ctl_ctx ctx = { .dp = d.dp, .rules = &d.rules };
    struct vsw_ctl *ctl = vsw_ctl_create(ctl_path, &ctl_cfg, vsw_ctl_cmd_handle, &ctx, err,
                                         sizeof err);
    if (!ctl) {
        fprintf(stderr, "vswd: control socket: %s\n", err);
        vsw_dp_stop(d.dp);
        vsw_ruleset_destroy(&d.rules);
        vsw_group_destroy(d.dp);
        return 1;
    }
    d.ctl = ctl;
    ctx.ctl = ctl;
    d.rules.removed = vsw_flow_removed_publish;
    d.rules.removed_aux = ctl;
    if (vsw_ctl_watch_eventfd(ctl, vsw_l2_eventfd())
        || vsw_ctl_watch_eventfd(ctl, vsw_pin_eventfd())) {
        fprintf(stderr, "vswd: cannot watch the MAC table's or the packet-ins' doorbell\n");
        vsw_ctl_destroy(ctl);
        vsw_dp_stop(d.dp);
        vsw_ruleset_destroy(&d.rules);
        vsw_group_destroy(d.dp);
        return 1;
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (vsw_threads_start(d.dp)) {
        vsw_ctl_destroy(ctl);
        vsw_threads_stop(d.dp);
        vsw_dp_stop(d.dp);
        return 1;
    }
    VSW_LOG(VSW_LOG_INFO, "ready: %u PMD(s), control socket %s", n_pmds, ctl_path);

    uint64_t hz = rte_get_tsc_hz(), next_expire = rte_rdtsc() + hz / 10;
    while (!__atomic_load_n(&d.dp->quit, __ATOMIC_ACQUIRE)) {
        vsw_ctl_poll(ctl, vsw_pin_prepare_wait(d.dp, 100));
        vsw_pin_run(d.dp, ctl);
        vsw_l2_run(d.dp);
        if (rte_rdtsc() >= next_expire) {
            size_t n = vsw_ruleset_expire(d.dp, &d.rules);
            if (n) {
                VSW_LOG(VSW_LOG_DBG, "%zu rule(s) expired", n);
            }
            vsw_group_run(d.dp);
            next_expire = rte_rdtsc() + hz / 10;
        }
    }

    VSW_LOG(VSW_LOG_INFO, "stopping");
    d.rules.removed = NULL;
    vsw_ctl_destroy(ctl);
    vsw_threads_stop(d.dp);
    vsw_dp_stop(d.dp);
    vsw_pin_destroy(d.dp);
    vsw_l2_destroy(d.dp);
    vsw_ruleset_destroy(&d.rules);
    vsw_group_destroy(d.dp);
    rte_eal_cleanup();
    return 0;
}
