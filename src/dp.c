/* SPDX-License-Identifier: Apache-2.0 */
/* Datapath object: ports, RCU publication, PMD start/stop. See dp.h. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "dp.h"
#include "pmd/pin_queue.h"
#include "l2/fdb.h"
#include "pmd/upcall_queue.h"
#include "port_spec.h"
#include "util.h"

#define MBUF_CACHE 256
/* Buffers a port must leave in its pool once started (see port_setup()). */
#define POOL_RESERVE 1024

struct vsw_dp *
vsw_dp_create(unsigned n_pmds, const unsigned *pmd_lcores, unsigned n_mbufs,
              uint32_t flow_limit, char *err, size_t err_size)
{
    struct vsw_dp *dp;
    size_t sz;

    if (!n_pmds || n_pmds > VSW_MAX_PMDS) {
        snprintf(err, err_size, "need 1..%d PMD lcores, have %u", VSW_MAX_PMDS, n_pmds);
        return NULL;
    }
    /* Cache-line aligned (struct vsw_pmd keeps its threads' fields in
     * separate lines), which calloc() does not promise. */
    dp = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sizeof *dp, RTE_CACHE_LINE_SIZE));
    if (dp) {
        memset(dp, 0, sizeof *dp);
    }
    if (!dp) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    dp->n_pmds = n_pmds;
    dp->n_mbufs = n_mbufs;
    dp->mtu_high = VSW_MTU_DEFAULT;
    dp->nb_rxd = 1024;
    dp->nb_txd = 1024;
    dp->flow_limit = flow_limit;
    dp->megaflow_idle_ms = 10000;
    dp->emc_enabled = true;
    dp->upcall_overflow_inline = true;
    dp->pin_efd = -1;
    emc_sig_match_best(&dp->emc_impl);
    vsw_flow_burst_select("auto", &dp->parse_burst, &dp->parser_impl);
    for (unsigned i = 0; i < n_pmds; i++) {
        struct vsw_pmd *pmd = &dp->pmds[i];
        int socket = (int) rte_lcore_to_socket_id(pmd_lcores[i]);

        pmd->dp = dp;
        pmd->idx = i;
        pmd->lcore = pmd_lcores[i];
        pmd->emc = rte_zmalloc_socket("emc", sizeof *pmd->emc, RTE_CACHE_LINE_SIZE, socket);
        pmd->dpcls = dpcls_create(flow_limit, i, socket);
        pmd->upq = upcall_queue_create(i, socket);
        pmd->pinq = pin_queue_create(i, socket);
        if (!pmd->emc || !pmd->dpcls || !pmd->upq || !pmd->pinq) {
            snprintf(err, err_size, "cannot allocate the caches of PMD %u (flow limit %u): "
                     "not enough DPDK memory", i, flow_limit);
            free(dp);
            return NULL;
        }
        emc_init(pmd->emc);
    }
    dp->mp = rte_pktmbuf_pool_create("vsw_mbufs", n_mbufs, MBUF_CACHE, 0,
                                     RTE_MBUF_DEFAULT_BUF_SIZE, (int) rte_socket_id());
    if (!dp->mp) {
        snprintf(err, err_size, "cannot create a pool of %u mbufs: %s", n_mbufs,
                 rte_strerror(rte_errno));
        free(dp);
        return NULL;
    }
    sz = rte_rcu_qsbr_get_memsize(VSW_MAX_PMDS + 1);
    dp->qsbr = rte_zmalloc("vsw_qsbr", sz, RTE_CACHE_LINE_SIZE);
    if (!dp->qsbr || rte_rcu_qsbr_init(dp->qsbr, VSW_MAX_PMDS + 1)) {
        snprintf(err, err_size, "cannot set up RCU");
        return NULL;
    }
    dp->ports = calloc(1, sizeof *dp->ports);
    memset(dp->ports->idx_of, -1, sizeof dp->ports->idx_of);
    dp->cls = vsw_cls_build(NULL, 0);
    if (!dp->ports || !dp->cls) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    return dp;
}

void
vsw_dp_synchronize(struct vsw_dp *dp)
{
    if (dp->running) {
        rte_rcu_qsbr_synchronize(dp->qsbr, RTE_QSBR_THRID_INVALID);
    }
}

void
vsw_dp_publish_cls(struct vsw_dp *dp, struct vsw_cls *cls)
{
    struct vsw_cls *old = dp->cls;

    __atomic_store_n(&dp->cls, cls, __ATOMIC_RELEASE);
    vsw_dp_synchronize(dp);
    vsw_cls_free(old);
}

/* The port's link state now (a device that cannot tell counts as up). */
static bool
port_link_up(const struct vsw_port *port)
{
    if (port->admin_down) {
        return false;
    }
    struct rte_eth_link link;

    memset(&link, 0, sizeof link);
    if (rte_eth_link_get_nowait(port->port_id, &link)) {
        return true;
    }
    return link.link_status == RTE_ETH_LINK_UP;
}

static void
publish_ports(struct vsw_dp *dp, struct vsw_ports_snap *snap)
{
    struct vsw_ports_snap *old = dp->ports;

    memset(snap->idx_of, -1, sizeof snap->idx_of);
    snap->gen = old->gen + 1;
    for (unsigned i = 0; i < snap->n; i++) {
        snap->ofports[i] = snap->ports[i]->ofport;
        snap->vlans[i] = snap->ports[i]->vlan;
        snap->live[i] = port_link_up(snap->ports[i]);
        if (snap->ofports[i] < VSW_OFPORT_MAP) {
            snap->idx_of[snap->ofports[i]] = (int8_t) i;
        }
    }
    __atomic_store_n(&dp->ports, snap, __ATOMIC_RELEASE);
    vsw_dp_synchronize(dp);
    free(old);
}

struct vsw_port *
vsw_dp_find_port(struct vsw_dp *dp, const char *s)
{
    const struct vsw_ports_snap *ps = dp->ports;
    char *end;
    unsigned long n = strtoul(s, &end, 10);

    for (unsigned i = 0; i < ps->n; i++) {
        if (!strcmp(ps->ports[i]->name, s) || (*s && !*end && ps->ports[i]->ofport == n)) {
            return ps->ports[i];
        }
    }
    return NULL;
}

/*
 * vhost-user ports.  net_vhost does the vhost-user protocol, reconnection
 * and link state; but its rx/tx wrappers cost ~20 cycles per packet in a
 * guest-to-guest loop (per-packet statistics, one free per packet, two
 * atomics per call), so the PMDs call rte_vhost_dequeue_burst() and
 * rte_vhost_enqueue_burst() themselves with the device's vid.
 *
 * The vid must not be used once the guest is gone: the vhost library frees
 * the device when its destroy_device callback returns, and net_vhost raises
 * the link-down event from inside that callback (synchronously, on the
 * vhost events thread, holding no vhost lock).  So on link down the vid is
 * set to -1 and we wait for an RCU grace period: every PMD has then finished
 * the iteration that may have read the old vid.  On link up the new vid is
 * published.  The mutex orders the event against vhost_refresh_vid() at
 * setup, which catches a guest that attached before the callback existed.
 */
/* Applies the queue enable/disable changes net_vhost has recorded since the
 * last call to the mask of the guest's rx rings (our tx queues). */
static void
vhost_drain_queue_events(struct vsw_port *port)
{
    struct rte_eth_vhost_queue_event ev;
    uint32_t mask = __atomic_load_n(&port->vhost_txq_mask, __ATOMIC_RELAXED);

    while (!rte_eth_vhost_get_queue_event(port->port_id, &ev)) {
        if (!ev.rx && ev.queue_id < 32) {
            mask = ev.enable ? mask | (1u << ev.queue_id) : mask & ~(1u << ev.queue_id);
        }
    }
    __atomic_store_n(&port->vhost_txq_mask, mask, __ATOMIC_RELEASE);
}

/* Brings the port's view of the guest's queues up to date (vhost_mu held).
 * The virtqueue count is stored after the vid, so a PMD that sees the new
 * count sees the new vid.  It only grows while the guest is attached (the
 * library allocates virtqueues up to the highest index the guest sets up);
 * a PMD leaves a queue pair alone until it exists, because the library logs
 * an error for every call on a queue it does not have (a guest with fewer
 * queue pairs than the port). */
static void
vhost_sync_queues(struct vsw_port *port, int vid)
{
    if (vid >= 0) {
        __atomic_store_n(&port->vhost_nr_vring, (uint16_t) rte_vhost_get_vring_num(vid),
                         __ATOMIC_RELEASE);
    }
    vhost_drain_queue_events(port);
}

static void
vhost_refresh_vid(struct vsw_port *port)
{
    struct rte_eth_link link;
    int vid = -1;

    pthread_mutex_lock(&port->vhost_mu);
    if (!rte_eth_link_get_nowait(port->port_id, &link) && link.link_status) {
        vid = rte_eth_vhost_get_vid_from_port_id(port->port_id);
    }
    if (vid < 0) {
        /* net_vhost forgets its queue states when the guest goes. */
        vid = -1;
        __atomic_store_n(&port->vhost_nr_vring, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&port->vhost_txq_mask, 0, __ATOMIC_RELEASE);
    }
    int old = __atomic_exchange_n(&port->vhost_vid, vid, __ATOMIC_ACQ_REL);
    if (old >= 0 && old != vid) {
        vsw_dp_synchronize(port->dp);
    }
    if (vid >= 0) {
        vhost_sync_queues(port, vid);
    }
    pthread_mutex_unlock(&port->vhost_mu);
}

/* Link up/down (LSC), and a queue of the guest enabled or disabled
 * (QUEUE_STATE).  The latter comes with every virtqueue lock of the device
 * held, so it must not wait for the PMDs (one may be spinning on such a
 * lock): it only updates the queue state of the current vid. */
static int
vhost_event(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret_param)
{
    struct vsw_port *port = arg;

    (void) port_id;
    (void) ret_param;
    if (type != RTE_ETH_EVENT_QUEUE_STATE) {
        vhost_refresh_vid(port);
        return 0;
    }
    pthread_mutex_lock(&port->vhost_mu);
    vhost_sync_queues(port, __atomic_load_n(&port->vhost_vid, __ATOMIC_ACQUIRE));
    pthread_mutex_unlock(&port->vhost_mu);
    return 0;
}

static void
vhost_unhook(struct vsw_port *port)
{
    static const enum rte_eth_event_type events[] = { RTE_ETH_EVENT_INTR_LSC,
                                                      RTE_ETH_EVENT_QUEUE_STATE };

    for (size_t i = 0; i < RTE_DIM(events); i++) {
        /* -EAGAIN while the callback runs (the guest is coming or going). */
        while (rte_eth_dev_callback_unregister(port->port_id, events[i], vhost_event, port)
               == -EAGAIN) {
            rte_delay_us_sleep(100);
        }
    }
}

/*
 * MTU.  Frames are received into one mbuf each: a port whose MTU fits the
 * standard pool's buffers (vsw_mtu_fits_std) receives into it, a larger one
 * into the jumbo pool (buffers for VSW_MTU_MAX), created with the first port
 * that needs it, so a vswd without jumbo ports spends no memory on it and
 * the 1500-byte path is unchanged.  A chained frame (a driver that scatters,
 * or a port whose MTU was raised at run time: its rx queues keep their pool)
 * is copied into one jumbo mbuf by the PMD, off the common path.
 *
 * The PMD drops a received frame whose L3 length exceeds the rx port's MTU
 * and a frame to send that exceeds the tx port's, counting both on the port.
 * Since every received frame fits its rx port's MTU and no action lengthens
 * the L3 part, only ports whose MTU is below the largest MTU any port has had
 * (dp->mtu_high) check lengths on tx ('tx_check').
 */
static struct rte_mempool *
pool_for_mtu(struct vsw_dp *dp, unsigned mtu, char *err, size_t err_size)
{
    if (vsw_mtu_fits_std(mtu)) {
        return dp->mp;
    }
    if (!dp->mp_jumbo) {
        unsigned n = RTE_MAX(dp->n_mbufs / 4, 2048u);
        struct rte_mempool *mp = rte_pktmbuf_pool_create("vsw_jumbo", n, MBUF_CACHE, 0,
                                                         VSW_JUMBO_DATAROOM,
                                                         (int) rte_socket_id());
        if (!mp) {
            snprintf(err, err_size, "mtu_request=%u: cannot create a pool of %u jumbo mbufs "
                     "(%u bytes each): %s; give DPDK more memory (EAL -m) or use an MTU "
                     "up to %u", mtu, n, (unsigned) VSW_JUMBO_DATAROOM,
                     rte_strerror(rte_errno),
                     (unsigned) (RTE_MBUF_DEFAULT_DATAROOM - VSW_FRAME_OVERHEAD));
            return NULL;
        }
        __atomic_store_n(&dp->mp_jumbo, mp, __ATOMIC_RELEASE);
    }
    return dp->mp_jumbo;
}

/* Asks the device for 'mtu'.  Drivers without an MTU (net_pcap, net_ring,
 * net_null, net_vhost) answer ENOTSUP: then vsw alone enforces it. */
static int
port_device_mtu(struct vsw_port *port, uint16_t mtu, char *err, size_t err_size)
{
    struct rte_eth_dev_info info;
    int ret = rte_eth_dev_set_mtu(port->port_id, mtu);

    if (!ret || ret == -ENOTSUP) {
        port->mtu_by_device = !ret;
        return 0;
    }
    if (!rte_eth_dev_info_get(port->port_id, &info)) {
        /* The ethdev layer also bounds the frame (MTU plus the driver's
         * overhead, 18 bytes unless it says otherwise) by max_rx_pktlen. */
        uint32_t overhead = info.max_mtu != UINT16_MAX && info.max_rx_pktlen > info.max_mtu
                            ? info.max_rx_pktlen - info.max_mtu
                            : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;
        uint32_t max = RTE_MIN((uint32_t) info.max_mtu, info.max_rx_pktlen - overhead);
        if (mtu < info.min_mtu || mtu > max) {
            snprintf(err, err_size, "%s: mtu_request=%u: the device (%s) allows %u..%u",
                     port->name, mtu, info.driver_name,
                     RTE_MAX((unsigned) info.min_mtu, (unsigned) VSW_MTU_MIN), max);
            return -ret;
        }
    }
    {
        snprintf(err, err_size, "%s: mtu_request=%u: the device refuses it: %s", port->name,
                 mtu, rte_strerror(-ret));
    }
    return -ret;
}

/* Makes 'mtu' the port's MTU for the PMDs.  Ports with a smaller MTU check
 * tx lengths before any frame that needs it can reach them, and this port
 * checks before its MTU goes down.  Control thread. */
static void
port_publish_mtu(struct vsw_dp *dp, struct vsw_port *port, uint16_t mtu)
{
    const struct vsw_ports_snap *ps = dp->ports;

    if (mtu > dp->mtu_high) {
        dp->mtu_high = mtu;
        for (unsigned i = 0; i < ps->n; i++) {
            if (ps->ports[i] != port && ps->ports[i]->mtu < mtu) {
                __atomic_store_n(&ps->ports[i]->tx_check, true, __ATOMIC_RELEASE);
            }
        }
    }
    __atomic_store_n(&port->tx_check, mtu < dp->mtu_high, __ATOMIC_RELEASE);
    __atomic_store_n(&port->mtu, mtu, __ATOMIC_RELEASE);
    __atomic_store_n(&port->max_frame, (uint32_t) mtu + RTE_ETHER_HDR_LEN, __ATOMIC_RELEASE);
}

static int
port_setup(struct vsw_dp *dp, struct vsw_port *port, uint16_t mtu, char *err,
           size_t err_size)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    int ret;

    ret = rte_eth_dev_info_get(port->port_id, &info);
    if (ret) {
        snprintf(err, err_size, "%s: cannot get device info: %s", port->name, strerror(-ret));
        return -ret;
    }
    if (port->n_rxq > info.max_rx_queues) {
        port->n_rxq = info.max_rx_queues;
    }
    port->n_txq = (uint16_t) RTE_MIN(dp->n_pmds, info.max_tx_queues);
    if (!port->n_rxq || !port->n_txq) {
        snprintf(err, err_size, "%s: device has no rx or tx queue", port->name);
        return EINVAL;
    }
    port->txq_shared = port->n_txq < dp->n_pmds;
    port->dp = dp;
    port->mp = pool_for_mtu(dp, mtu, err, err_size);
    if (!port->mp) {
        return ENOMEM;
    }
    port->vhost_vid = -1;
    port->is_vhost = info.driver_name && !strcmp(info.driver_name, "net_vhost");
    if (port->is_vhost) {
        pthread_mutex_init(&port->vhost_mu, NULL);
        ret = rte_eth_dev_callback_register(port->port_id, RTE_ETH_EVENT_INTR_LSC,
                                            vhost_event, port);
        if (!ret) {
            ret = rte_eth_dev_callback_register(port->port_id, RTE_ETH_EVENT_QUEUE_STATE,
                                                vhost_event, port);
            if (ret) {
                rte_eth_dev_callback_unregister(port->port_id, RTE_ETH_EVENT_INTR_LSC,
                                                vhost_event, port);
            }
        }
        if (ret) {
            port->is_vhost = false;
            snprintf(err, err_size, "%s: cannot watch the link: %s", port->name, strerror(-ret));
            return -ret;
        }
    }
    for (unsigned i = 0; i < VSW_MAX_QUEUES; i++) {
        rte_spinlock_init(&port->txq_lock[i]);
    }

    memset(&conf, 0, sizeof conf);
    ret = rte_eth_dev_configure(port->port_id, port->n_rxq, port->n_txq, &conf);
    if (ret) {
        snprintf(err, err_size, "%s: cannot configure device: %s", port->name, strerror(-ret));
        return -ret;
    }
    ret = port_device_mtu(port, mtu, err, err_size);
    if (ret) {
        return ret;
    }
    uint16_t nb_rxd = dp->nb_rxd, nb_txd = dp->nb_txd;
    rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd, &nb_txd);
    int socket = rte_eth_dev_socket_id(port->port_id);
    if (socket < 0) {
        socket = (int) rte_socket_id();
    }
    for (uint16_t q = 0; q < port->n_rxq; q++) {
        ret = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd, (unsigned) socket, NULL,
                                     port->mp);
        if (ret == -ENOMEM) {
            /* A device that fills its ring at setup (net_tap) found the
             * pool short. */
            snprintf(err, err_size,
                     "%s: rx queue %u could not take its %u packet buffers from the pool of "
                     "%u (%u left, some in other threads' caches): raise --mbufs", port->name,
                     q, nb_rxd, port->mp->size, rte_mempool_avail_count(port->mp));
            return ENOBUFS;
        }
        if (ret) {
            snprintf(err, err_size, "%s: rx queue %u setup failed: %s", port->name, q,
                     strerror(-ret));
            return -ret;
        }
    }
    for (uint16_t q = 0; q < port->n_txq; q++) {
        ret = rte_eth_tx_queue_setup(port->port_id, q, nb_txd, (unsigned) socket, NULL);
        if (ret) {
            snprintf(err, err_size, "%s: tx queue %u setup failed: %s", port->name, q,
                     strerror(-ret));
            return -ret;
        }
    }
    ret = rte_eth_dev_start(port->port_id);
    if (ret) {
        snprintf(err, err_size, "%s: cannot start device: %s", port->name, strerror(-ret));
        return -ret;
    }
    /* Some devices fill their rx rings from the pool when they start
     * (net_tap: one buffer per descriptor).  One that took nearly all
     * that was left would start, and then nothing could be received or
     * copied: every frame dropped, or waited for, with no error anywhere.
     * Refused instead, naming the option to raise. */
    unsigned left = rte_mempool_avail_count(port->mp);
    if (left < POOL_RESERVE) {
        snprintf(err, err_size,
                 "%s: its rx rings left %u of the pool's %u packet buffers, fewer than the "
                 "%u the switch needs to forward: raise --mbufs",
                 port->name, left, port->mp->size, POOL_RESERVE);
        return ENOBUFS;
    }
    rte_eth_promiscuous_enable(port->port_id);
    if (port->is_vhost) {
        vhost_refresh_vid(port);
    }
    return 0;
}

static int dev_remove_by_name(const char *name);

static void
port_close(struct vsw_port *port)
{
    if (port->is_vhost) {
        /* No PMD polls the port any more: the vid needs no grace period. */
        vhost_unhook(port);
        port->vhost_vid = -1;
    }
    rte_eth_dev_stop(port->port_id);
    rte_eth_dev_close(port->port_id);
    if (port->probed) {
        dev_remove_by_name(port->dev_name);
    }
}

static void
port_free(struct vsw_port *port)
{
    if (port) {
        if (port->is_vhost) {
            pthread_mutex_destroy(&port->vhost_mu);
        }
        free(port->devargs);
        free(port->dev_name);
        free(port);
    }
}

/* Hot-unplugs a device we probed: vdevs are on bus "vdev", the rest on "pci". */
static int
dev_remove_by_name(const char *name)
{
    const char *bus = !strncmp(name, "net_", 4) || !strncmp(name, "eth_", 4) ? "vdev" : "pci";
    return rte_eal_hotplug_remove(bus, name);
}

int
vsw_dp_add_port(struct vsw_dp *dp, const char *name, const char *spec,
                char *err, size_t err_size)
{
    const struct vsw_ports_snap *ps = dp->ports;
    struct vsw_port *port;
    struct vsw_vlan_cfg vc = VSW_VLAN_CFG_INIT;
    struct vsw_port_vlan vlan;
    uint32_t ofport;
    uint16_t n_rxq, mtu;
    char *devargs;
    int error;

    if (!name[0] || strlen(name) >= VSW_PORT_NAME_LEN || strchr(name, ' ')) {
        snprintf(err, err_size, "\"%s\": a port name has 1..%d characters and no spaces", name,
                 VSW_PORT_NAME_LEN - 1);
        return EINVAL;
    }
    if (vsw_dp_find_port(dp, name)) {
        snprintf(err, err_size, "a port named \"%s\" already exists", name);
        return EEXIST;
    }
    if (ps->n >= VSW_MAX_PORTS) {
        snprintf(err, err_size, "too many ports (at most %d)", VSW_MAX_PORTS);
        return ENOSPC;
    }
    error = vsw_port_spec_parse(spec, &devargs, &ofport, &n_rxq, &mtu, &vc, err, err_size);
    if (!error) {
        error = vsw_vlan_cfg_resolve(&vc, &vlan, err, err_size);
        if (error) {
            free(devargs);
            return error;
        }
    }
    if (!error) {
        error = vsw_port_spec_translate(name, &devargs, &n_rxq, err, err_size);
        if (error) {
            free(devargs);
        }
    }
    if (error) {
        return error;
    }
    if (ofport) {
        for (unsigned i = 0; i < ps->n; i++) {
            if (ps->ports[i]->ofport == ofport) {
                snprintf(err, err_size, "ofport %u is taken by port \"%s\"", ofport,
                         ps->ports[i]->name);
                free(devargs);
                return EEXIST;
            }
        }
    } else {
        for (ofport = 1;; ofport++) {
            bool taken = false;
            for (unsigned i = 0; i < ps->n; i++) {
                taken |= ps->ports[i]->ofport == ofport;
            }
            if (!taken) {
                break;
            }
        }
    }

    port = calloc(1, sizeof *port);
    if (!port) {
        free(devargs);
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    snprintf(port->name, sizeof port->name, "%s", name);
    port->ofport = ofport;
    port->vlan_cfg = vc;
    port->vlan = vlan;
    port->n_rxq = n_rxq;
    port->devargs = devargs;
    port->dev_name = strndup(devargs, strcspn(devargs, ","));

    uint16_t pid;
    if (!rte_eth_dev_get_port_by_name(port->dev_name, &pid)) {
        /* Already present (e.g. a PCI device probed at start-up). */
        for (unsigned i = 0; i < ps->n; i++) {
            if (ps->ports[i]->port_id == pid) {
                snprintf(err, err_size, "device %s is already port \"%s\"", port->dev_name,
                         ps->ports[i]->name);
                port_free(port);
                return EEXIST;
            }
        }
    } else {
        int ret = rte_dev_probe(devargs);
        if (ret == -EFAULT) {
            /* No bus took the name: no driver of that name, or not a PCI address. */
            snprintf(err, err_size, "cannot attach device \"%s\": no DPDK driver is called "
                     "\"%s\"; use a vdev driver name plus a number (net_pcap0, net_tap0, "
                     "net_ring0, net_null0, net_af_packet0, ...), a PCI address "
                     "(0000:01:00.0), vhost-user or vhost-user-client (see vswd --help)",
                     devargs, port->dev_name);
            port_free(port);
            return ENODEV;
        }
        if (ret) {
            snprintf(err, err_size, "cannot attach device \"%s\": %s", devargs, strerror(-ret));
            port_free(port);
            return -ret ? -ret : EINVAL;
        }
        port->probed = true;
        if (rte_eth_dev_get_port_by_name(port->dev_name, &pid)) {
            snprintf(err, err_size, "device \"%s\" attached but is not an ethdev",
                     port->dev_name);
            dev_remove_by_name(port->dev_name);
            port_free(port);
            return ENODEV;
        }
    }
    port->port_id = pid;
    error = port_setup(dp, port, mtu, err, err_size);
    if (error) {
        port_close(port);
        port_free(port);
        return error;
    }
    port_publish_mtu(dp, port, mtu);

    struct vsw_ports_snap *snap = malloc(sizeof *snap);
    if (!snap) {
        port_close(port);
        port_free(port);
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    *snap = *ps;
    snap->ports[snap->n++] = port;
    publish_ports(dp, snap);
    VSW_LOG(VSW_LOG_INFO, "added port %s (ofport %u, %s, mtu %u%s)", name, ofport, devargs, mtu,
            port->mtu_by_device ? "" : " enforced by vsw");
    return 0;
}

/* set-port mtu_request=N: the device gets the new MTU first (it may refuse),
 * then the PMDs (port_publish_mtu).  A vhost port's dequeue pool follows at
 * once; an ethdev's rx queues keep theirs (restarting a device would reopen
 * a pcap file or bounce a link), so frames that no longer fit them arrive
 * chained and are copied into one jumbo mbuf by the PMD. */
static int
port_set_mtu(struct vsw_dp *dp, struct vsw_port *port, uint16_t mtu, char *err,
             size_t err_size)
{
    struct rte_mempool *mp = pool_for_mtu(dp, mtu, err, err_size);
    int error;

    if (!mp) {
        return ENOMEM;
    }
    error = port_device_mtu(port, mtu, err, err_size);
    if (error) {
        return error;
    }
    if (port->is_vhost) {
        __atomic_store_n(&port->mp, mp, __ATOMIC_RELEASE);
    }
    port_publish_mtu(dp, port, mtu);
    vsw_dp_synchronize(dp);   /* Every PMD now uses the new MTU. */
    VSW_LOG(VSW_LOG_INFO, "port %s: mtu %u%s", port->name, mtu,
            port->mtu_by_device ? "" : " (enforced by vsw)");
    return 0;
}

/* Forgets the MACs learned on 'port' (all of them, static ones too: OVS
 * does so when a port is reconfigured or deleted). */
static void
port_flush_macs(struct vsw_dp *dp, const struct vsw_port *port)
{
    if (dp->fdb) {
        vsw_fdb_lock(dp->fdb);
        vsw_fdb_flush(dp->fdb, true, port->ofport, true);
        vsw_fdb_unlock(dp->fdb);
    }
}

int
vsw_dp_set_port(struct vsw_dp *dp, const char *name, char *const *kv, int n, char *err,
                size_t err_size)
{
    struct vsw_port *port = vsw_dp_find_port(dp, name);
    struct vsw_vlan_cfg vc;
    struct vsw_port_vlan vlan;
    bool have_mtu = false, have_vlan = false, have_link = false, link_up = true;
    uint16_t mtu = 0;
    int error;

    if (!port) {
        snprintf(err, err_size, "no port \"%s\"", name);
        return ENOENT;
    }
    if (!n) {
        snprintf(err, err_size, "set-port %s: nothing to set (mtu_request=N, tag=N, "
                 "trunks=N,..., vlan_mode=MODE, link=up|down)", name);
        return EINVAL;
    }
    /* Check everything, then apply. */
    vc = port->vlan_cfg;
    for (int i = 0; i < n; i++) {
        error = vsw_vlan_cfg_apply(&vc, kv[i], err, err_size);
        if (!error) {
            have_vlan = true;
            continue;
        } else if (error != ENOENT) {
            return error;
        }
        if (!strncmp(kv[i], "mtu_request=", 12)) {
            error = vsw_port_parse_mtu(kv[i] + 12, &mtu, err, err_size);
            if (error) {
                return error;
            }
            have_mtu = true;
        } else if (!strcmp(kv[i], "link=up") || !strcmp(kv[i], "link=down")) {
            have_link = true;
            link_up = !strcmp(kv[i], "link=up");
        } else if (!strncmp(kv[i], "link=", 5)) {
            snprintf(err, err_size, "set-port: link=%s: up or down", kv[i] + 5);
            return EINVAL;
        } else {
            snprintf(err, err_size, "set-port: unknown key \"%.*s\" (known: mtu_request, "
                     "tag, trunks, vlan_mode, link)", (int) strcspn(kv[i], "="), kv[i]);
            return EINVAL;
        }
    }
    if (have_vlan) {
        char e2[200];
        error = vsw_vlan_cfg_resolve(&vc, &vlan, e2, sizeof e2);
        if (error) {
            snprintf(err, err_size, "set-port %s: %s", name, e2);
            return error;
        }
    }
    if (have_mtu && mtu != port->mtu) {
        error = port_set_mtu(dp, port, mtu, err, err_size);
        if (error) {
            return error;
        }
    }
    if (have_vlan && memcmp(&vlan, &port->vlan, sizeof vlan)) {
        struct vsw_ports_snap *snap = malloc(sizeof *snap);
        if (!snap) {
            snprintf(err, err_size, "out of memory");
            return ENOMEM;
        }
        *snap = *dp->ports;
        port->vlan_cfg = vc;
        port->vlan = vlan;
        publish_ports(dp, snap);   /* The caller revalidates (vsw_revalidate_port()). */
        port_flush_macs(dp, port);
        VSW_LOG(VSW_LOG_INFO, "port %s: VLAN mode %s", port->name,
                vsw_vlan_mode_name((enum vsw_vlan_mode) vlan.mode));
    } else if (have_vlan) {
        port->vlan_cfg = vc;   /* Same effect, other spelling. */
    }
    if (have_link && port->admin_down != !link_up) {
        /* What fast_failover's watch_port sees (the ports' 'live'). */
        struct vsw_ports_snap *snap = malloc(sizeof *snap);
        if (!snap) {
            snprintf(err, err_size, "out of memory");
            return ENOMEM;
        }
        *snap = *dp->ports;
        port->admin_down = !link_up;
        publish_ports(dp, snap);   /* The caller revalidates (vsw_revalidate_port()). */
        VSW_LOG(VSW_LOG_INFO, "port %s: link administratively %s", port->name,
                link_up ? "up" : "down");
    }
    return 0;
}

bool
vsw_dp_check_links(struct vsw_dp *dp)
{
    const struct vsw_ports_snap *ps = dp->ports;
    struct vsw_ports_snap *snap;
    bool changed = false;

    for (unsigned i = 0; i < ps->n && !changed; i++) {
        changed = port_link_up(ps->ports[i]) != (ps->live[i] != 0);
    }
    if (!changed || !(snap = malloc(sizeof *snap))) {
        return false;
    }
    *snap = *ps;
    publish_ports(dp, snap);   /* The caller revalidates (vsw_revalidate_port()). */
    VSW_LOG(VSW_LOG_INFO, "port link state changed");
    return true;
}

int
vsw_dp_del_port(struct vsw_dp *dp, const char *name, char *err, size_t err_size)
{
    const struct vsw_ports_snap *ps = dp->ports;
    struct vsw_port *port = vsw_dp_find_port(dp, name);

    if (!port) {
        snprintf(err, err_size, "no port \"%s\"", name);
        return ENOENT;
    }
    struct vsw_ports_snap *snap = malloc(sizeof *snap);
    if (!snap) {
        snprintf(err, err_size, "out of memory");
        return ENOMEM;
    }
    snap->n = 0;
    for (unsigned i = 0; i < ps->n; i++) {
        if (ps->ports[i] != port) {
            snap->ports[snap->n++] = ps->ports[i];
        }
    }
    publish_ports(dp, snap);  /* Waits until no PMD uses 'port'. */
    port_flush_macs(dp, port);
    port_close(port);
    VSW_LOG(VSW_LOG_INFO, "deleted port %s", port->name);
    port_free(port);
    return 0;
}

void
vsw_port_get_stats(const struct vsw_port *port, struct vsw_port_stats *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < VSW_MAX_PMDS; i++) {
        const struct vsw_port_stats *s = &port->stats[i];
        out->rx_packets += s->rx_packets;
        out->rx_bytes += s->rx_bytes;
        out->rx_dropped += s->rx_dropped;
        out->tx_packets += s->tx_packets;
        out->tx_bytes += s->tx_bytes;
        out->tx_dropped += s->tx_dropped;
        out->rx_over_mtu += s->rx_over_mtu;
        out->tx_over_mtu += s->tx_over_mtu;
        for (int q = 0; q < VSW_MAX_QUEUES; q++) {
            out->rxq_packets[q] += s->rxq_packets[q];
        }
    }
}

void
vsw_dp_stop(struct vsw_dp *dp)
{
    struct vsw_ports_snap *ps = dp->ports;
    for (unsigned i = 0; i < ps->n; i++) {
        port_close(ps->ports[i]);
        port_free(ps->ports[i]);
    }
    ps->n = 0;
}
