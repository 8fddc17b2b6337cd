/* SPDX-License-Identifier: Apache-2.0 */
/* The slow-path (handler) thread; see upcall.h. */

#define _GNU_SOURCE 1
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp.h"
#include "l2/fdb.h"
#include "pmd/upcall.h"
#include "util.h"
#include "xlate/xlate.h"

/* Translates the upcall's flow into its slot. */
static void
translate(const struct vsw_cls *cls, const struct xlate_bridge *br, struct upcall *up,
          struct xlate_learn *learn)
{
    struct xlate_deps deps;
    struct xlate_result r;

    r = xlate_flow(cls, br, &up->flow, &up->acts, &up->mask, learn, &deps, NULL);
    up->xerror = (uint8_t) r.error;
    up->fine = up->mask;
    if (cls) {
        vsw_flow_word *f = vsw_flow_words(&up->fine);
        const vsw_flow_word *u = vsw_flow_cwords(vsw_cls_header_union(cls));
        for (size_t w = 0; w < VSW_FLOW_U64S; w++) {
            f[w] |= u[w];
        }
    }
    /* With deps.overflow the list is incomplete: the PMD does not cache
     * such an answer (XLATE_TOO_MANY_DEPS), and a translation that hit a
     * limit never passes revalidation. */
    up->n_deps = (uint8_t) deps.n;
    memcpy(up->deps, deps.d, up->n_deps * sizeof deps.d[0]);
    memcpy(up->tables, deps.tables, sizeof up->tables);
}

void
upcall_bridge(const struct vsw_dp *dp, const struct vsw_ports_snap *ps,
              struct xlate_bridge *br)
{
    memset(br, 0, sizeof *br);
    br->ofports = ps->ofports;
    br->vlans = ps->vlans;
    br->n_ports = ps->n;
    br->fdb = dp->fdb;
    br->groups = VSW_RCU_LOAD(dp->groups);
    br->live = ps->live;
}

void
upcall_translate(struct vsw_dp *dp, struct upcall *up)
{
    const struct vsw_cls *cls = VSW_RCU_LOAD(dp->cls);
    const struct vsw_ports_snap *ps = VSW_RCU_LOAD(dp->ports);
    struct xlate_bridge br;

    upcall_bridge(dp, ps, &br);
    br.fdb = NULL;
    br.fdb_unavailable = true;
    translate(cls, &br, up, NULL);
    up->gen = vsw_dp_cache_gen(cls, ps, br.groups);
}

/* A VM announces itself after a migration with a gratuitous ARP: a
 * broadcast request for its own address, or (older guests) a broadcast
 * reply (OVS is_gratuitous_arp()).  Read from the packet's own flow: it
 * only steers learning, never the megaflow's actions. */
static bool
is_gratuitous_arp(const struct vsw_flow *f)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (f->dl_type != rte_cpu_to_be_16(VSW_ETH_TYPE_ARP) || memcmp(f->dl_dst, bcast, 6)) {
        return false;
    }
    return f->nw_proto == 2 || (f->nw_proto == 1 && f->nw_src == f->nw_dst);
}

bool
upcall_translate_learn(struct vsw_dp *dp, struct upcall *up)
{
    const struct vsw_cls *cls = VSW_RCU_LOAD(dp->cls);
    const struct vsw_ports_snap *ps = VSW_RCU_LOAD(dp->ports);
    struct xlate_bridge br;
    struct xlate_learn learn;
    uint64_t moved[XLATE_MAX_LEARN];
    unsigned n_moved = 0;

    if (!dp->fdb) {
        upcall_translate(dp, up);
        return false;
    }
    upcall_bridge(dp, ps, &br);
    vsw_fdb_lock(dp->fdb);
    translate(cls, &br, up, &learn);
    /* Every NORMAL the packet went through learns, in order (struct
     * xlate_learn). */
    for (unsigned k = 0; k < learn.n; k++) {
        const struct xlate_learn_entry *e = &learn.e[k];
        if (vsw_fdb_learn(dp->fdb, e->mac, e->vlan, e->port,
                          is_gratuitous_arp(&up->flow), false)) {
            moved[n_moved++] = vsw_mac_to_u64(e->mac);
        }
    }
    up->fdb_gen = vsw_fdb_gen(dp->fdb);
    vsw_fdb_unlock(dp->fdb);
    /* Every PMD deletes the megaflows of these MACs before its next
     * lookup: the answer to this upcall goes back only after this. */
    for (unsigned k = 0; k < n_moved; k++) {
        for (unsigned i = 0; i < dp->n_pmds; i++) {
            struct upcall_queue *q = dp->pmds[i].upq;
            if (rte_ring_sp_enqueue_elem(q->fdb_changes, &moved[k], sizeof moved[k])) {
                __atomic_store_n(&q->fdb_lost, 1, __ATOMIC_RELEASE);
            }
        }
    }
    up->gen = vsw_dp_cache_gen(cls, ps, br.groups);
    return n_moved != 0;
}

bool
upcall_megaflow_valid(struct vsw_dp *dp, const struct vsw_cls *cls,
                      const struct vsw_ports_snap *ps, const struct vsw_flow *key,
                      const struct vsw_flow *mask, struct vsw_counted *const *deps,
                      unsigned n_deps, const uint8_t *acts, uint16_t len)
{
    struct xlate_bridge br;
    bool valid;

    upcall_bridge(dp, ps, &br);
    if (dp->fdb) {
        vsw_fdb_lock(dp->fdb);
    }
    valid = xlate_megaflow_valid(cls, &br, key, mask, deps, n_deps, acts, len);
    if (dp->fdb) {
        vsw_fdb_unlock(dp->fdb);
    }
    return valid;
}

#define HANDLER_BURST 32
#define HANDLER_SPIN_NS 2000000   /* Keep polling this long after the last upcall, */
#define HANDLER_IDLE_MIN_NS 10000 /* then sleep this long between polls, doubling */
#define HANDLER_IDLE_MAX_NS 200000 /* up to this, */
#define HANDLER_NAPS 20           /* this many times; then block on the doorbell */
#define HANDLER_BLOCK_MS 1000     /* (waking up this often anyway, as a safety net). */

/*
 * The doorbell.  A handler that has had nothing to do for a while blocks in
 * poll(2) on an eventfd instead of polling the rings: its CPU is the main
 * lcore's, which it shares with the control thread and, on a small machine,
 * with the guests' vCPUs, and even short periodic sleeps cost them several
 * per cent of that CPU (each wake-up is a context switch).
 *
 * No lost wake-up: the handler stores 'asleep' and then checks the rings; a
 * PMD enqueues and then loads 'asleep'.  With a full fence between the two
 * steps on both sides, at least one of them sees the other's store.
 */
bool
handler_kick(struct vsw_dp *dp)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&dp->handler_asleep, __ATOMIC_RELAXED)
        && __atomic_exchange_n(&dp->handler_asleep, 0, __ATOMIC_ACQ_REL)) {
        uint64_t one = 1;
        ssize_t r = write(dp->handler_efd, &one, sizeof one);
        (void) r;   /* Only fails when the counter is saturated: awake anyway. */
        return true;
    }
    return false;
}

static bool
handler_has_work(const struct vsw_dp *dp)
{
    for (unsigned p = 0; p < dp->n_pmds; p++) {
        if (!rte_ring_empty(dp->pmds[p].upq->to_handler)) {
            return true;
        }
    }
    return __atomic_load_n(&dp->handler_quit, __ATOMIC_ACQUIRE);
}

static void
handler_block(struct vsw_dp *dp)
{
    __atomic_store_n(&dp->handler_asleep, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!handler_has_work(dp)) {
        struct pollfd pfd = { .fd = dp->handler_efd, .events = POLLIN };
        poll(&pfd, 1, HANDLER_BLOCK_MS);
    }
    __atomic_store_n(&dp->handler_asleep, 0, __ATOMIC_RELAXED);
    uint64_t v;
    ssize_t r = read(dp->handler_efd, &v, sizeof v);  /* Non-blocking: resets it. */
    (void) r;
}

static void *
handler_main(void *arg)
{
    struct vsw_dp *dp = arg;
    uint32_t idxs[HANDLER_BURST];
    uint64_t last_work = 0, idle_ns = HANDLER_IDLE_MIN_NS;
    unsigned naps = 0;

    rte_rcu_qsbr_thread_register(dp->qsbr, VSW_HANDLER_RCU_ID);
    rte_rcu_qsbr_thread_online(dp->qsbr, VSW_HANDLER_RCU_ID);
    while (!__atomic_load_n(&dp->handler_quit, __ATOMIC_ACQUIRE)) {
        unsigned total = 0;

        for (unsigned p = 0; p < dp->n_pmds; p++) {
            struct upcall_queue *q = dp->pmds[p].upq;
            unsigned n = rte_ring_sc_dequeue_burst_elem(q->to_handler, idxs, sizeof idxs[0],
                                                        HANDLER_BURST, NULL);
            for (unsigned i = 0; i < n; i++) {
                upcall_translate_learn(dp, &q->slots[idxs[i]]);
            }
            if (n) {
                /* Cannot fail: the ring has room for every slot (EXACT_SZ). */
                unsigned done = rte_ring_sp_enqueue_burst_elem(q->to_pmd, idxs, sizeof idxs[0], n,
                                                               NULL);
                RTE_VERIFY(done == n);
            }
            total += n;
        }
        rte_rcu_qsbr_quiescent(dp->qsbr, VSW_HANDLER_RCU_ID);
        uint64_t now = vsw_now_ns();
        if (total) {
            last_work = now;
            idle_ns = HANDLER_IDLE_MIN_NS;
            naps = 0;
        } else if (now - last_work > HANDLER_SPIN_NS) {
            /* Idle: short naps first (a burst of new flows often comes in
             * waves), then block until a PMD rings. */
            rte_rcu_qsbr_thread_offline(dp->qsbr, VSW_HANDLER_RCU_ID);
            if (naps < HANDLER_NAPS) {
                struct timespec ts = { 0, (long) idle_ns };
                nanosleep(&ts, NULL);
                idle_ns = idle_ns * 2 > HANDLER_IDLE_MAX_NS ? HANDLER_IDLE_MAX_NS : idle_ns * 2;
                naps++;
            } else {
                handler_block(dp);
            }
            rte_rcu_qsbr_thread_online(dp->qsbr, VSW_HANDLER_RCU_ID);
        }
    }
    rte_rcu_qsbr_thread_offline(dp->qsbr, VSW_HANDLER_RCU_ID);
    rte_rcu_qsbr_thread_unregister(dp->qsbr, VSW_HANDLER_RCU_ID);
    return NULL;
}

int
handler_start(struct vsw_dp *dp)
{
    cpu_set_t set;
    int err;

    dp->handler_quit = false;
    dp->handler_asleep = 0;
    dp->handler_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (dp->handler_efd < 0) {
        err = errno;
        VSW_LOG(VSW_LOG_ERR, "cannot create the handler's eventfd: %s", strerror(err));
        return err;
    }
    err = pthread_create(&dp->handler, NULL, handler_main, dp);
    if (err) {
        VSW_LOG(VSW_LOG_ERR, "cannot start the handler thread: %s", strerror(err));
        close(dp->handler_efd);
        dp->handler_efd = -1;
        return err;
    }
    /* Share the main lcore's CPU, never a PMD's. */
    CPU_ZERO(&set);
    CPU_SET(rte_lcore_to_cpu_id((int) rte_get_main_lcore()), &set);
    pthread_setaffinity_np(dp->handler, sizeof set, &set);
    pthread_setname_np(dp->handler, "vsw-handler");
    dp->handler_running = true;
    return 0;
}

void
handler_stop(struct vsw_dp *dp)
{
    if (dp->handler_running) {
        uint64_t one = 1;
        __atomic_store_n(&dp->handler_quit, true, __ATOMIC_RELEASE);
        ssize_t r = write(dp->handler_efd, &one, sizeof one);
        (void) r;
        pthread_join(dp->handler, NULL);
        dp->handler_running = false;
        close(dp->handler_efd);
        dp->handler_efd = -1;
    }
}
