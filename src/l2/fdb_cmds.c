/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MAC table on the control thread (fdb_cmds.h): set-up, aging,
 * revalidation after changes, and the commands fdb-show, fdb-flush,
 * fdb-stats, fdb-add and fdb-del (usage lines in ctl/ctl_cmd_info.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_cycles.h>

#include "ctl/ctl_cmd.h"
#include "dp.h"
#include "l2/fdb.h"
#include "l2/fdb_cmds.h"
#include "pmd/upcall.h"
#include "xlate/xlate.h"
#include "util.h"
#include "vsw/ofp_lex.h"
#include "xlate/revalidate.h"

#define CHANGE_BATCH 256

/* Control-thread state (one bridge per process). */
static struct {
    int efd;                       /* Doorbell, rung by the table's notify. */
    uint64_t next_aging_ns;        /* Next vsw_fdb_run(). */
    uint64_t pending_since_ns;     /* When the log became non-empty (atomic:
                                    * written by the handler). */
    uint64_t refreshed;            /* Active megaflows re-learned from. */
    uint64_t rounds;               /* Revalidation rounds after changes. */
    uint64_t macs;                 /* MAC changes handled. */
    uint64_t full;                 /* Rounds that revalidated everything. */
    uint64_t checked, deleted;     /* Megaflows re-translated / deleted. */
    uint64_t done_upto;            /* Changes logged before the last round
                                    * took the log: their megaflows are done. */
    uint64_t last_ns, max_ns, sum_ns; /* From the first change logged to the
                                    * end of its revalidation. */
} l2 = { .efd = -1 };

/* The table's notify callback: the log went non-empty (lock held, maybe
 * on the handler thread). */
static void
ring(void *aux)
{
    uint64_t one = 1, zero = 0;
    ssize_t r;

    (void) aux;
    __atomic_compare_exchange_n(&l2.pending_since_ns, &zero, vsw_now_ns(), false,
                                __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    r = write(l2.efd, &one, sizeof one);
    (void) r;   /* Fails only when the counter is saturated: rung anyway. */
}

int
vsw_l2_setup(struct vsw_dp *dp, unsigned max, unsigned idle, char *err, size_t err_size)
{
    l2.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l2.efd < 0) {
        snprintf(err, err_size, "eventfd: %s", strerror(errno));
        return errno;
    }
    dp->fdb = vsw_fdb_create(max, idle);
    if (!dp->fdb) {
        close(l2.efd);
        l2.efd = -1;
        snprintf(err, err_size, "cannot create a MAC table of %u entries", max);
        return ENOMEM;
    }
    vsw_fdb_set_notify(dp->fdb, ring, NULL);
    l2.next_aging_ns = vsw_now_ns() + 1000000000ull;
    return 0;
}

int
vsw_l2_eventfd(void)
{
    return l2.efd;
}

void
vsw_l2_destroy(struct vsw_dp *dp)
{
    vsw_fdb_destroy(dp->fdb);
    dp->fdb = NULL;
    if (l2.efd >= 0) {
        close(l2.efd);
        l2.efd = -1;
    }
}

/* vsw_dp_synchronize() that yields the CPU while it waits: the handler
 * runs on this thread's CPU, so spinning (as rte_rcu_qsbr_synchronize()
 * does) only delays the quiescent state it waits for by a time slice. */
static void
synchronize_yielding(struct vsw_dp *dp)
{
    if (!dp->running) {
        return;
    }
    uint64_t token = rte_rcu_qsbr_start(dp->qsbr);
    while (!rte_rcu_qsbr_check(dp->qsbr, token, false)) {
        sched_yield();
    }
}

/*
 * Revalidates the megaflows of every MAC the table logged as changed.
 *
 * Ordering: a translation that read the old state of a MAC may still be on
 * its way to a PMD (being translated by the handler, or in the PMD's
 * completion ring).  The first grace period waits for the handler to pass
 * a quiescent state, which it reports only after handing a whole batch
 * back; the second for every PMD to start an iteration after that, whose
 * first step installs what the handler handed back.  Only then are the
 * megaflows copied out, so none translated from the old state escapes.
 */
static void
process_changes(struct vsw_dp *dp)
{
    struct vsw_fdb_change ch[CHANGE_BATCH];
    uint8_t macs[CHANGE_BATCH][6];

    for (;;) {
        bool overflow;
        size_t n;

        struct vsw_fdb_stats fst;
        vsw_fdb_lock(dp->fdb);
        n = vsw_fdb_take_changes(dp->fdb, ch, CHANGE_BATCH, &overflow);
        vsw_fdb_get_stats(dp->fdb, &fst);
        vsw_fdb_unlock(dp->fdb);
        if (!n && !overflow) {
            l2.done_upto = fst.changes;
            break;
        }
        uint64_t since = __atomic_exchange_n(&l2.pending_since_ns, 0, __ATOMIC_RELAXED);
        struct vsw_reval_stats st;

        synchronize_yielding(dp);
        synchronize_yielding(dp);
        if (overflow) {
            vsw_revalidate(dp, &st);
            l2.full++;
        } else {
            for (size_t i = 0; i < n; i++) {
                memcpy(macs[i], ch[i].mac, 6);
            }
            vsw_revalidate_macs(dp, (const uint8_t (*)[6]) macs, n, &st);
        }
        l2.rounds++;
        l2.macs += n;
        if (n < CHANGE_BATCH) {
            l2.done_upto = fst.changes;   /* The log was emptied. */
        }
        l2.checked += st.checked;
        l2.deleted += st.deleted;
        if (since) {
            uint64_t t = vsw_now_ns() - since;
            l2.last_ns = t;
            l2.sum_ns += t;
            l2.max_ns = t > l2.max_ns ? t : l2.max_ns;
        }
    }
}

/*
 * Packets that hit a megaflow never reach the handler, so they cannot
 * refresh their source MAC's entry; OVS refreshes it when its revalidators
 * push a flow's statistics.  Here, when an entry is about to age out, every
 * megaflow used within the aging time is translated again for its learning
 * request, which is applied as the packet's would have been.  The megaflows
 * are copied out only then, not every second.
 */
static void
refresh_active(struct vsw_dp *dp)
{
    const struct vsw_cls *cls = dp->cls;
    const struct vsw_ports_snap *ps = dp->ports;
    struct xlate_bridge br;
    struct vsw_fdb_stats st;
    int64_t next;

    vsw_fdb_lock(dp->fdb);
    next = vsw_fdb_next_expiry(dp->fdb);
    vsw_fdb_get_stats(dp->fdb, &st);
    vsw_fdb_unlock(dp->fdb);
    if (next > 1 || !dp->running) {
        return;
    }
    uint64_t now = rte_rdtsc(), window = rte_get_tsc_hz() * st.idle;
    upcall_bridge(dp, ps, &br);
    for (unsigned p = 0; p < dp->n_pmds; p++) {
        struct vsw_mf_dump *e = NULL;
        uint32_t n = 0;
        bool truncated;

        struct vsw_mf_scan_spec spec = { .select = VSW_SCAN_FDB };
        if (vsw_dp_scan_megaflows(dp, p, &spec, &e, &n, &truncated)) {
            free(e);
            continue;
        }
        vsw_fdb_lock(dp->fdb);
        for (uint32_t k = 0; k < n; k++) {
            struct vsw_odp_buf acts;
            struct vsw_flow mask;
            struct xlate_learn learn;

            if (e[k].used_tsc + window < now || !e[k].packets) {
                continue;
            }
            xlate_flow(cls, &br, &e[k].key, &acts, &mask, &learn, NULL, NULL);
            for (unsigned i = 0; i < learn.n; i++) {
                vsw_fdb_learn(dp->fdb, learn.e[i].mac, learn.e[i].vlan, learn.e[i].port,
                              false, false);
            }
            if (learn.n) {
                l2.refreshed++;
            }
        }
        vsw_fdb_unlock(dp->fdb);
        free(e);
    }
}

void
vsw_l2_run(struct vsw_dp *dp)
{
    if (!dp->fdb) {
        return;
    }
    uint64_t now = vsw_now_ns();
    if (now >= l2.next_aging_ns) {
        refresh_active(dp);
        vsw_fdb_lock(dp->fdb);
        vsw_fdb_run(dp->fdb);
        vsw_fdb_unlock(dp->fdb);
        l2.next_aging_ns = now + 1000000000ull;
    }
    process_changes(dp);
}

/* ---- Commands. ---- */

static int
need_fdb(struct vsw_ctl_ctx *d, struct vsw_buf *out)
{
    if (!d->dp->fdb) {
        vsw_buf_printf(out, "no MAC table");
        return ENOENT;
    }
    return 0;
}

static void
port_name(struct vsw_dp *dp, uint32_t ofport, char *buf, size_t size)
{
    const struct vsw_ports_snap *ps = dp->ports;

    for (unsigned i = 0; i < ps->n; i++) {
        if (ps->ports[i]->ofport == ofport) {
            snprintf(buf, size, "%u", ofport);
            return;
        }
    }
    snprintf(buf, size, "%u?", ofport);
}

static int
cmd_fdb_show(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_fdb_info *e;
    size_t n, cap;
    int error = need_fdb(d, out);

    (void) argc;
    (void) argv;
    if (error) {
        return error;
    }
    vsw_fdb_lock(d->dp->fdb);
    n = vsw_fdb_dump(d->dp->fdb, NULL, 0);
    cap = n ? n : 1;
    e = malloc(cap * sizeof *e);
    if (e) {
        n = vsw_fdb_dump(d->dp->fdb, e, cap);
        n = n < cap ? n : cap;
    }
    vsw_fdb_unlock(d->dp->fdb);
    if (!e) {
        vsw_buf_printf(out, "out of memory");
        return ENOMEM;
    }
    vsw_buf_printf(out, " port  VLAN  MAC                Age\n");
    for (size_t i = 0; i < n; i++) {
        char p[16];
        port_name(d->dp, e[i].port, p, sizeof p);
        vsw_buf_printf(out, "%5s  %4u  %02x:%02x:%02x:%02x:%02x:%02x  ", p, e[i].vlan,
                       e[i].mac[0], e[i].mac[1], e[i].mac[2], e[i].mac[3], e[i].mac[4],
                       e[i].mac[5]);
        if (e[i].is_static) {
            vsw_buf_printf(out, "static\n");
        } else {
            vsw_buf_printf(out, "%3d%s\n", e[i].age, e[i].garp_locked ? "  (gratuitous ARP lock)" : "");
        }
    }
    free(e);
    return 0;
}

static int
cmd_fdb_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    struct vsw_fdb_stats st;
    int error = need_fdb(d, out);

    (void) argc;
    (void) argv;
    if (error) {
        return error;
    }
    vsw_fdb_lock(d->dp->fdb);
    vsw_fdb_get_stats(d->dp->fdb, &st);
    vsw_fdb_unlock(d->dp->fdb);
    vsw_buf_printf(out, "MAC table:\n"
                   "  Current/maximum MAC entries in the table: %u/%u\n"
                   "  Current static MAC entries in the table : %u\n"
                   "  Total number of learned MAC entries     : %" PRIu64 "\n"
                   "  Total number of expired MAC entries     : %" PRIu64 "\n"
                   "  Total number of evicted MAC entries     : %" PRIu64 "\n"
                   "  Total number of port moved MAC entries  : %" PRIu64 "\n"
                   "  Static MACs seen on another port        : %" PRIu64 "\n"
                   "  Aging time                              : %u s\n",
                   st.n, st.max, st.n_static, st.learned, st.expired, st.evicted, st.moved,
                   st.static_none_move, st.idle);
    vsw_buf_printf(out, "Megaflow revalidation after MAC changes:\n"
                   "  rounds: %" PRIu64 " (%" PRIu64 " of every megaflow), MAC changes: %"
                   PRIu64 "\n"
                   "  megaflows re-translated: %" PRIu64 ", deleted: %" PRIu64 "\n"
                   "  changes logged: %" PRIu64 ", revalidated: %" PRIu64 "\n"
                   "  active megaflows re-learned from before aging: %" PRIu64 "\n",
                   l2.rounds, l2.full, l2.macs, l2.checked, l2.deleted, st.changes,
                   l2.done_upto, l2.refreshed);
    if (l2.rounds) {
        vsw_buf_printf(out, "  change to revalidated: last %.1f us, avg %.1f us, max %.1f us\n",
                       (double) l2.last_ns / 1e3, (double) l2.sum_ns / 1e3 / (double) l2.rounds,
                       (double) l2.max_ns / 1e3);
    }
    return 0;
}

/* "PORT" (name or number) -> ofport. */
static int
find_port(struct vsw_ctl_ctx *d, const char *name, uint32_t *ofport, struct vsw_buf *out)
{
    const struct vsw_port *p = vsw_dp_find_port(d->dp, name);

    if (!p) {
        vsw_buf_printf(out, "no port \"%s\"", name);
        return ENOENT;
    }
    *ofport = p->ofport;
    return 0;
}

static int
cmd_fdb_flush(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    uint32_t port = 0;
    unsigned n;
    int error = need_fdb(d, out);

    if (!error && argc > 1) {
        error = find_port(d, argv[1], &port, out);
    }
    if (error) {
        return error;
    }
    vsw_fdb_lock(d->dp->fdb);
    n = vsw_fdb_flush(d->dp->fdb, argc > 1, port, false);
    vsw_fdb_unlock(d->dp->fdb);
    process_changes(d->dp);
    vsw_buf_printf(out, "table successfully flushed (%u entries)\n", n);
    return 0;
}

static int
parse_vlan_mac(const char *vlan_s, const char *mac_s, uint16_t *vlan, uint8_t mac[6],
               struct vsw_buf *out)
{
    char *end;
    unsigned long v = strtoul(vlan_s, &end, 10);

    if (!*vlan_s || *end || v > 4095) {
        vsw_buf_printf(out, "\"%s\" is not a VLAN in 0..4095", vlan_s);
        return EINVAL;
    }
    if (vsw_ofp_parse_mac(mac_s, strlen(mac_s), mac)) {
        vsw_buf_printf(out, "\"%s\" is not an Ethernet address", mac_s);
        return EINVAL;
    }
    if (vsw_eth_is_multicast(mac)) {
        vsw_buf_printf(out, "%s is a multicast address: it cannot be in the MAC table", mac_s);
        return EINVAL;
    }
    *vlan = (uint16_t) v;
    return 0;
}

static int
cmd_fdb_add(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    uint8_t mac[6];
    uint16_t vlan;
    uint32_t port;
    int error = need_fdb(d, out);

    (void) argc;
    if (!error) {
        error = find_port(d, argv[1], &port, out);
    }
    if (!error) {
        error = parse_vlan_mac(argv[2], argv[3], &vlan, mac, out);
    }
    if (error) {
        return error;
    }
    vsw_fdb_lock(d->dp->fdb);
    error = vsw_fdb_add_static(d->dp->fdb, mac, vlan, port);
    vsw_fdb_unlock(d->dp->fdb);
    if (error) {
        vsw_buf_printf(out, "cannot add the entry: %s", strerror(error));
        return error;
    }
    process_changes(d->dp);
    return 0;
}

static int
cmd_fdb_del(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    uint8_t mac[6];
    uint16_t vlan;
    bool found;
    int error = need_fdb(d, out);

    (void) argc;
    if (!error) {
        error = parse_vlan_mac(argv[1], argv[2], &vlan, mac, out);
    }
    if (error) {
        return error;
    }
    vsw_fdb_lock(d->dp->fdb);
    found = vsw_fdb_del_static(d->dp->fdb, mac, vlan);
    vsw_fdb_unlock(d->dp->fdb);
    if (!found) {
        vsw_buf_printf(out, "no static entry for %s in VLAN %u", argv[2], vlan);
        return ENOENT;
    }
    process_changes(d->dp);
    return 0;
}

void
vsw_fdb_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "fdb-show", cmd_fdb_show },
        { "fdb-stats", cmd_fdb_stats },
        { "fdb-flush", cmd_fdb_flush },
        { "fdb-add", cmd_fdb_add },
        { "fdb-del", cmd_fdb_del },
    };
    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
