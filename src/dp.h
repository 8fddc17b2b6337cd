/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_DP_H
#define VSW_DP_H 1

/*
 * The datapath object: ports, the published rule classifier and the PMD
 * threads that forward between them.
 *
 * Thread safety:
 *  - The control thread (main lcore) owns everything here except what is
 *    marked "PMD-written".  It changes the port set and the rule set by
 *    building a new immutable snapshot (vsw_ports_snap, vsw_cls), publishing
 *    it with a release store, waiting for an RCU grace period
 *    (rte_rcu_qsbr_synchronize: every PMD has finished the loop iteration that
 *    might have seen the old one), and only then freeing the old snapshot and
 *    whatever left it (rules, ports).
 *  - A PMD thread loads both snapshot pointers once at the top of each loop
 *    iteration, uses them without locks, flushes its tx buffers, and reports a
 *    quiescent state at the bottom.  So no mbuf sits in a PMD buffer for a
 *    port that the control thread is about to close.
 *  - Counters are per PMD (one writer each, plain stores); readers sum them.
 */

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "classifier/cls.h"
#include "classifier/dpcls.h"
#include "classifier/flow_burst.h"
#include "classifier/rule.h"
#include "group/group.h"
#include "l2/vlan.h"
#include "vsw/odp.h"

#define VSW_MAX_PORTS 64
#define VSW_MAX_QUEUES 16
#define VSW_PORT_NAME_LEN 32
#define VSW_OFPORT_MAP 4096   /* ofports below this are found by direct index. */

/*
 * MTU, as OVS counts it: the frame without its 14-byte Ethernet header and
 * without VLAN tags.  A port's rx queues take their mbufs from the standard
 * pool when a frame of its MTU (plus two VLAN tags and a CRC) fits in one of
 * its buffers, else from the jumbo pool, whose buffers fit VSW_MTU_MAX.
 */
#define VSW_MTU_MIN 68
#define VSW_MTU_MAX 9000
#define VSW_MTU_DEFAULT 1500
#define VSW_FRAME_OVERHEAD (14 + 2 * 4 + 4)   /* Ethernet, 2 VLAN tags, CRC. */
#define VSW_JUMBO_DATAROOM (RTE_PKTMBUF_HEADROOM + VSW_MTU_MAX + VSW_FRAME_OVERHEAD)

/** Per-PMD counters of one port. */
struct vsw_port_stats {
    uint64_t rx_packets;   /**< Packets received. */
    uint64_t rx_bytes;     /**< Their bytes. */
    uint64_t rx_dropped;   /**< Received but dropped before classification. */
    uint64_t tx_packets;   /**< Packets sent. */
    uint64_t tx_bytes;     /**< Their bytes. */
    uint64_t rx_over_mtu;  /**< Received frames longer than the port's MTU (dropped). */
    uint64_t tx_dropped;   /**< Packets the device did not take. */
    uint64_t tx_over_mtu;  /**< Frames longer than the port's MTU, not sent. */
    uint64_t rxq_packets[VSW_MAX_QUEUES]; /**< Received per rx queue (this PMD's queues). */
} __rte_cache_aligned;

struct vsw_port {
    char name[VSW_PORT_NAME_LEN];   /**< User's name for the port. */
    uint32_t ofport;                /**< OpenFlow port number. */
    uint16_t port_id;               /**< DPDK ethdev port id. */
    uint16_t n_rxq;                 /**< Rx queues configured. */
    uint16_t n_txq;                 /**< Tx queues configured. */
    bool txq_shared;                /**< Fewer tx queues than PMDs: lock them. */
    /* MTU.  Written by the control thread while PMDs run (set-port), read by
     * the PMDs once per burst; see vsw_dp_set_port() for the store order. */
    uint16_t mtu;                   /**< Largest L3 length sent or received. */
    uint32_t max_frame;             /**< mtu + 14: longer frames need a closer look. */
    bool mtu_by_device;             /**< The device took the MTU (rte_eth_dev_set_mtu);
                                     *   else only vsw enforces it. */
    bool tx_check;                  /**< Some port has a larger MTU: check tx lengths. */
    struct rte_mempool *mp;         /**< Pool its rx (and vhost dequeue) takes from. */
    char *devargs;                  /**< Devargs it was created from. */
    char *dev_name;                 /**< DPDK device name (devargs up to ','). */
    bool probed;                    /**< We hot-plugged the device (remove on delete). */
    bool admin_down;                /**< set-port link=down: not live for
                                     *   fast_failover (it still sends, as an
                                     *   OVS port that is administratively
                                     *   down does).  Control thread only. */
    rte_spinlock_t txq_lock[VSW_MAX_QUEUES]; /**< Used only if 'txq_shared'. */
    /* VLAN configuration (tag, trunks, vlan_mode).  Control thread only:
     * translations read the copy in the published snapshot. */
    struct vsw_vlan_cfg vlan_cfg;   /**< As the user gave it. */
    struct vsw_port_vlan vlan;      /**< Its effective form. */
    /* vhost-user (net_vhost) ports: the PMDs call rte_vhost directly with
     * the device's vid, bypassing the ethdev's rx/tx wrappers (see
     * the "vhost-user ports" comment and vhost_event() in dp.c for how a vid
     * is retired safely). */
    bool is_vhost;                  /**< A net_vhost device. */
    int vhost_vid;                  /**< Its vhost device while the guest is
                                     *   attached, else -1 (atomic). */
    uint16_t vhost_nr_vring;        /**< Virtqueues the guest has set up (atomic;
                                     *   a queue pair q is 2q and 2q + 1). */
    uint32_t vhost_txq_mask;        /**< Bit q: the guest's rx ring of queue pair
                                     *   q is enabled (atomic). */
    pthread_mutex_t vhost_mu;       /**< Serialises vid updates. */
    struct vsw_dp *dp;              /**< Back pointer (for RCU). */
    struct vsw_port_stats stats[VSW_MAX_PMDS]; /**< PMD-written. */
};

/** The set of ports as PMD threads see it. Immutable once published. */
struct vsw_ports_snap {
    unsigned n;                              /**< Number of ports. */
    struct vsw_port *ports[VSW_MAX_PORTS];   /**< The ports. */
    uint32_t ofports[VSW_MAX_PORTS];         /**< ports[i]->ofport, for "all". */
    struct vsw_port_vlan vlans[VSW_MAX_PORTS]; /**< ports[i]->vlan, for NORMAL. */
    uint8_t live[VSW_MAX_PORTS];             /**< ports[i]'s link was up when the
                                              *   set was published (fast_failover
                                              *   watch_port). */
    int8_t idx_of[VSW_OFPORT_MAP];           /**< ofport -> index, -1 if none. */
    uint64_t gen;                            /**< Bumped by every change of the set:
                                              *   translations that expanded "all"
                                              *   depend on it (see vsw_dp_cache_gen). */
};

/**
 * The PMD counters and drop reasons, one line each, in the order pmd-stats
 * prints them: X(member, kind, text, note).  A new counter is one line here
 * (and its increments in the PMD).  'kind' says how pmd-stats shows it
 * (pmd/pmd_cmds.c):
 *   VSW_PC_COUNT   "  TEXT: N NOTE"; drop reasons are these, "dropped, ...";
 *   VSW_PC_SHARE   "  TEXT: N (P %)", P its share of the packets received;
 *   VSW_PC_CUSTOM  a line of its own, written by the printer (averages,
 *                  values with context);
 *   VSW_PC_HIDDEN  not printed on its own (part of a custom line, or only
 *                  for debugging).
 */
#define VSW_PMD_COUNTERS(X)                                                                 \
    X(packets, VSW_PC_COUNT, "packets received", "")                                         \
    X(emc_hits, VSW_PC_SHARE, "emc hits", "")                                                \
    X(smc_hits, VSW_PC_SHARE, "smc hits", "")                                                \
    X(megaflow_hits, VSW_PC_SHARE, "megaflow hits", "")                                      \
    X(probes, VSW_PC_CUSTOM, "avg subtables probed per megaflow hit", "")                    \
    X(shallow, VSW_PC_SHARE, "forwarded after a shallow parse only", "")                     \
    X(upcalls, VSW_PC_SHARE, "upcalls", "")                                                  \
    X(upcalls_done, VSW_PC_COUNT, "upcalls answered", " (the rest are at the handler)")       \
    X(megaflows_expired, VSW_PC_CUSTOM, "idle megaflows removed", "")                        \
    X(missed, VSW_PC_COUNT, "dropped, no matching rule", "")                                 \
    X(upcall_full, VSW_PC_CUSTOM, "upcall queue full", "")                                   \
    X(no_port, VSW_PC_COUNT, "dropped, output port missing", "")                             \
    X(copy_failed, VSW_PC_COUNT, "dropped, copy for multiple outputs failed", "")            \
    X(no_headroom, VSW_PC_COUNT, "dropped, no headroom for a VLAN tag", "")                  \
    X(nonlinear, VSW_PC_COUNT, "dropped, chained and could not be made contiguous",          \
      " (counted in the rx port's drop too)")                                                \
    X(chained, VSW_PC_COUNT, "chained frames copied into one jumbo mbuf", "")                \
    X(runt, VSW_PC_COUNT, "dropped, shorter than an Ethernet header", "")                    \
    X(flow_limit, VSW_PC_COUNT, "not cached, flow limit", "")                                \
    X(mf_fine, VSW_PC_COUNT, "megaflows cached under a fine mask",                            \
      " (the port had its 128 masks)")                                                        \
    X(mf_exact, VSW_PC_COUNT, "megaflows cached under the exact mask",                       \
      " (the port had its fine masks too)")                                                  \
    X(actions_overflow, VSW_PC_COUNT, "dropped, too many datapath actions", "")              \
    X(xlate_too_deep, VSW_PC_COUNT, "dropped, translation over 64 resubmits deep",           \
      " (per translation; its drop megaflow is cached)")                                     \
    X(xlate_too_many, VSW_PC_COUNT, "dropped, translation over 4096 table lookups",          \
      " (per translation; its drop megaflow is cached)")                                     \
    X(xlate_uncached, VSW_PC_COUNT, "not cached, translation passed over 32 rules/groups", "") \
    X(actions_uncached, VSW_PC_COUNT, "not cached, datapath actions over 256 bytes", "")     \
    X(upcall_stale, VSW_PC_COUNT, "upcalls redone after a rule change", "")                  \
    X(fdb_stale, VSW_PC_COUNT, "not cached, MAC table changed since the translation", "")    \
    X(fdb_forgotten, VSW_PC_COUNT, "megaflows deleted for a learned or moved MAC", "")       \
    X(fdb_lost, VSW_PC_COUNT, "caches flushed, learned MACs came too fast", "")              \
    X(normal_inline, VSW_PC_COUNT, "dropped, NORMAL with the upcall queue full",              \
      " (only the handler reads the MAC table)")                                             \
    X(pins, VSW_PC_COUNT, "packet-ins queued to the slow path", "")                        \
    X(pin_queue_full, VSW_PC_COUNT, "packet-ins dropped, queue to the slow path full", "")   \
    X(packet_outs, VSW_PC_COUNT, "packet-outs executed", "")                                 \
    X(iterations, VSW_PC_HIDDEN, "loop iterations", "")                                      \
    X(busy_iterations, VSW_PC_CUSTOM, "busy iterations", "")                                 \
    X(upcall_waits_timed_out, VSW_PC_HIDDEN, "waits for in-flight upcalls cut short", "")    \
    X(upcall_waits_budget, VSW_PC_HIDDEN, "waits for in-flight upcalls over their budget", "") \
    X(outs_overflow, VSW_PC_HIDDEN, "outputs beyond the per-burst limit", "")                \
    X(cycles_busy, VSW_PC_CUSTOM, "avg cycles per packet", "")                               \
    X(cycles_parse, VSW_PC_HIDDEN, "TSC cycles parsing and hashing", "")                     \
    X(cycles_emc, VSW_PC_HIDDEN, "TSC cycles in EMC lookups and inserts", "")                \
    X(cycles_dpcls, VSW_PC_HIDDEN, "TSC cycles in megaflow lookups", "")                     \
    X(cycles_upcall, VSW_PC_HIDDEN, "TSC cycles in upcalls and their completions", "")       \
    X(cycles_execute, VSW_PC_HIDDEN, "TSC cycles in actions and tx", "")

/** How pmd-stats shows a counter (VSW_PMD_COUNTERS). */
enum vsw_pmd_counter_kind { VSW_PC_COUNT, VSW_PC_SHARE, VSW_PC_CUSTOM, VSW_PC_HIDDEN };

/** The counters by index. */
enum vsw_pmd_counter {
#define VSW_PMD_COUNTER_ID(NAME, KIND, TEXT, NOTE) VSW_PMD_C_##NAME,
    VSW_PMD_COUNTERS(VSW_PMD_COUNTER_ID)
#undef VSW_PMD_COUNTER_ID
    VSW_PMD_N_COUNTERS
};

/** PMD-written datapath counters (per PMD), one uint64_t per line of
 *  VSW_PMD_COUNTERS.  cycles_busy counts TSC cycles in iterations that had
 *  packets; cycles_* split them by stage. */
struct vsw_pmd_stats {
#define VSW_PMD_COUNTER_MEMBER(NAME, KIND, TEXT, NOTE) uint64_t NAME;
    VSW_PMD_COUNTERS(VSW_PMD_COUNTER_MEMBER)
#undef VSW_PMD_COUNTER_MEMBER
} __rte_cache_aligned;

struct dpcls;
struct emc;
struct upcall_queue;
struct pin_queue;

/**
 * Control -> PMD: execute one packet-out (src/xlate/packet_out_cmds.c).  The
 * control thread stores it in 'pout_req' and waits; the PMD takes it (atomic
 * exchange to NULL) at the end of an iteration, runs 'acts' on 'm' with its
 * own tx queues and packet-in queue, flushes, and sets 'done'.  One at a
 * time: the command waits for its packet, so a deeper queue would never
 * fill.
 */
struct vsw_pout_req {
    struct rte_mbuf *m;             /**< The packet (the PMD's once taken). */
    struct vsw_layout lay;          /**< Its header offsets. */
    uint16_t acts_len;              /**< Datapath actions, */
    uint8_t acts[VSW_ODP_BUF_MAX]   /**< aligned as their entries need. */
        __attribute__((aligned(8)));
    unsigned n_sent;                /**< Written by the PMD: copies handed to ports, */
    unsigned n_pins;                /**< packet-ins queued, */
    unsigned n_dropped;             /**< copies dropped (no port, no memory). */
    volatile bool done;             /**< Set by the PMD when complete. */
};

/** A megaflow copied out of a PMD on request. */
struct vsw_mf_dump {
    struct vsw_flow key;            /**< Masked key. */
    struct vsw_flow mask;           /**< Mask. */
    uint8_t n_deps;                 /**< Rules its translation passed through */
    struct vsw_counted *deps[VSW_MAX_DEPS]; /**< (valid while the control
                                     *   thread holds the rule set). */
    uint64_t packets, bytes, used_tsc;
    uint32_t idx, gen;              /**< Its pool slot and that slot's generation
                                     *   (to delete exactly this megaflow later). */
    uint16_t acts_len;              /**< Datapath actions (vsw/odp.h), */
    uint8_t acts[VSW_ODP_MAX]       /**< aligned as their entries need. */
        __attribute__((aligned(8)));
};

/** What a scan of a PMD's megaflows copies out. */
enum vsw_mf_scan_select {
    VSW_SCAN_NONE,          /**< Nothing: the scan only pushes statistics. */
    VSW_SCAN_ALL,           /**< Every megaflow. */
    VSW_SCAN_AFFECTED,      /**< Those a rule change may affect: depending on a
                             *   rule marked dead, or intersecting one of
                             *   'regions'. */
    VSW_SCAN_FDB,           /**< Those whose translation read the MAC table. */
    VSW_SCAN_MACS,          /**< Those a MAC table change may affect: their
                             *   translation read the MAC table about a MAC of
                             *   'macs' (their dl_src or dl_dst) or about a
                             *   rewritten MAC (VSW_XLATE_READ_FDB_ANY). */
    VSW_SCAN_PORT,          /**< Those a change of port 'port' may affect:
                             *   their translation read the ports (FLOOD, ALL,
                             *   NORMAL, a group's watch_port) or they come
                             *   in on that port. */
};

/** What a scan selects. */
struct vsw_mf_scan_spec {
    enum vsw_mf_scan_select select;
    const struct vsw_reval_region *regions;   /**< VSW_SCAN_AFFECTED. */
    size_t n_regions;
    const uint64_t *macs;                     /**< VSW_SCAN_MACS: sorted, as */
    size_t n_macs;                            /**< vsw_mac_to_u64() gives them. */
    uint32_t port;                            /**< VSW_SCAN_PORT: OpenFlow port. */
};

/**
 * Control -> PMD: visit every megaflow, push its statistics to its rules
 * and copy out the selected ones.  The PMD works through the pool a slice
 * per iteration (VSW_SCAN_SLICE megaflows), so a big table never stalls
 * packet processing for long; a megaflow installed during the scan may be
 * missed, which is fine for every user (it was translated after the scan
 * was asked for).
 */
struct vsw_mf_scan_req {
    struct vsw_mf_scan_spec spec;
    struct vsw_mf_dump *entries;    /**< Room for 'capacity' entries. */
    uint32_t capacity;
    uint32_t n;                     /**< Written by the PMD. */
    uint32_t pos;                   /**< The PMD's cursor in its pool. */
    uint64_t visited;               /**< Megaflows visited. */
    bool truncated;                 /**< More selected than 'capacity'. */
    volatile bool done;             /**< Set by the PMD when complete. */
};
#define VSW_SCAN_SLICE 512

/** Control -> PMD: delete megaflows (slot, generation) that still exist. */
struct vsw_mf_del_req {
    const uint32_t *idx, *gen;      /**< 'n' slots and their generations. */
    uint32_t n;
    uint32_t n_deleted;             /**< Written by the PMD. */
    volatile bool done;             /**< Set by the PMD when complete. */
};

struct vsw_dp;

/**
 * One PMD thread.  Three groups of fields, each in cache lines of its own:
 * what every thread reads and no one writes once the PMD runs, what the
 * control thread writes (requests), and what the PMD writes.  The handler
 * and the control thread poll this PMD's queues through 'upq' and 'pinq'
 * many times a second; in the same line as 'mf_gen' and the statistics,
 * which the PMD writes every iteration, each of their reads cost the PMD a
 * cache miss (a fifth of its cycles under a trickle of new flows that
 * kept the handler awake).
 */
struct vsw_pmd {
    /* Set before the PMD starts, read-only after. */
    struct vsw_dp *dp;             /**< Owner. */
    unsigned idx;                  /**< 0..n_pmds-1; also its RCU thread id. */
    unsigned lcore;                /**< EAL lcore it runs on. */
    struct emc *emc;               /**< PMD-owned exact-match cache. */
    struct dpcls *dpcls;           /**< PMD-owned megaflow classifier. */
    struct upcall_queue *upq;      /**< Upcall slots and rings. */
    struct pin_queue *pinq;        /**< Packet-ins towards the control thread. */
    /* Requests: the control thread stores one, the PMD takes it (atomic
     * exchange to NULL) between two iterations and sets its 'done'. */
    struct vsw_pout_req *pout_req  /**< Control -> PMD: a packet-out to execute. */
        __rte_cache_aligned;
    struct vsw_mf_scan_req *scan_req;  /**< Control -> PMD: scan megaflows. */
    struct vsw_mf_del_req *del_req;    /**< Control -> PMD: delete megaflows. */
    volatile bool flush_req;       /**< Control -> PMD: drop every cached flow at the
                                    *   top of the next iteration. */
    volatile bool clear_stats;     /**< Control -> PMD: zero 'stats'. */
    /* Written by the PMD. */
    uint64_t mf_gen                /**< vsw_dp_cache_gen() of its upcalls' answers. */
        __rte_cache_aligned;
    struct vsw_mf_scan_req *scanning;  /**< PMD-private: the scan it works on. */
    struct vsw_pmd_stats stats;    /**< PMD-written. */
} __rte_cache_aligned;
struct vsw_dp {
    struct rte_mempool *mp;              /**< Packet buffers. */
    struct rte_mempool *mp_jumbo;        /**< Buffers for VSW_MTU_MAX frames; created
                                          *   with the first port that needs them. */
    unsigned n_mbufs;                    /**< Size of 'mp'. */
    uint16_t mtu_high;                   /**< Largest MTU any port has had (only grows:
                                          *   ports with less check tx lengths). */
    struct rte_rcu_qsbr *qsbr;           /**< RCU state, one reader per PMD. */
    struct vsw_ports_snap *ports;        /**< Published port set (RCU). */
    struct vsw_cls *cls;                 /**< Published rule classifier (RCU). */
    struct vsw_groups *groups;           /**< Published group table (RCU; NULL:
                                          *   none; group/group.h). */
    struct vsw_pmd pmds[VSW_MAX_PMDS];   /**< PMD threads. */
    unsigned n_pmds;                     /**< Number of PMDs. */
    volatile bool quit;                  /**< Set by the signal handler. */
    bool running;                        /**< PMDs launched. */
    uint64_t rules_gen;                  /**< Bumped for every published rule set. */
    uint32_t flow_limit;                 /**< Megaflows per PMD. */
    uint64_t megaflow_idle_ms;           /**< Idle megaflows expire after this. */
    bool emc_enabled;                    /**< EMC in use (default true). */
    bool upcall_overflow_inline;         /**< Upcall queue full: the PMD translates the
                                          *   packet itself (default) instead of dropping. */
    const char *emc_impl;                /**< Signature-match variant in use. */
    vsw_flow_burst_fn *parse_burst;      /**< Burst parse variant (flow_burst.h; NULL:
                                          *   scalar), set before the PMDs start; */
    const char *parser_impl;             /**< its name. */
    pthread_t handler;                   /**< Slow-path thread. */
    volatile bool handler_quit;          /**< Stops it. */
    bool handler_running;
    int handler_efd;                     /**< Doorbell (eventfd) of a sleeping handler. */
    uint32_t handler_asleep;             /**< 1 while the handler blocks on it. */
    uint16_t nb_rxd, nb_txd;             /**< Ring sizes for new ports. */
    int pin_efd;                         /**< Doorbell (eventfd) of the control thread,
                                          *   rung by a PMD that queued packet-ins */
    uint32_t ctl_asleep;                 /**< while this is 1 (it may block in epoll). */
    struct vsw_fdb *fdb;                 /**< The MAC table (l2/fdb.h): the handler
                                          *   and the control thread, under its
                                          *   lock; never a PMD. */
};

/**
 * The guest queue pair PMD 'idx' sends to on vhost port 'port': its share of
 * the pairs whose rx ring the guest has enabled (a guest may use fewer pairs
 * than the port has, or than there are PMDs).  Several PMDs may share one:
 * the vhost library serialises enqueues on a virtqueue itself.  UINT16_MAX
 * if the guest has none enabled.
 */
static inline uint16_t
vsw_vhost_txq(const struct vsw_port *port, unsigned idx)
{
    uint32_t mask = __atomic_load_n(&port->vhost_txq_mask, __ATOMIC_ACQUIRE);
    unsigned n = (unsigned) __builtin_popcount(mask);

    if (!n) {
        return UINT16_MAX;
    }
    for (unsigned k = idx % n; k; k--) {
        mask &= mask - 1;
    }
    return (uint16_t) __builtin_ctz(mask);
}

/**
 * The generation of everything a cached translation depends on: the rule
 * set, the port set and the group table.  All only grow, so their sum changes whenever
 * either does.  A PMD whose caches were built from another generation
 * flushes them; an upcall translated under another is translated again.
 */
static inline uint64_t
vsw_dp_cache_gen(const struct vsw_cls *cls, const struct vsw_ports_snap *ps,
                 const struct vsw_groups *gs)
{
    return vsw_cls_gen(cls) + ps->gen + (gs ? gs->gen : 0);
}

/** Loads a published pointer for PMD use. */
#define VSW_RCU_LOAD(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)

/** RCU thread id of the handler (the PMDs use 0..n_pmds-1). */
#define VSW_HANDLER_RCU_ID VSW_MAX_PMDS

/** Creates the datapath (mempool, RCU, per-PMD caches). NULL with a message on error. */
struct vsw_dp *vsw_dp_create(unsigned n_pmds, const unsigned *pmd_lcores, unsigned n_mbufs,
                             uint32_t flow_limit, char *err, size_t err_size);

/**
 * Scans PMD 'idx''s megaflows: pushes their statistics to their rules and
 * copies out those 'spec' picks
 * into '*out' (malloc'ed, '*n' entries, NULL if none).  '*truncated' (may
 * be NULL) says whether more were selected than there was room for (room
 * is made for what the PMD holds now plus what may arrive meanwhile).
 * Waits for the PMD: up to a second for it to take the request, then until
 * it has finished.  Returns 0, ENOMEM or ETIMEDOUT.
 */
int vsw_dp_scan_megaflows(struct vsw_dp *dp, unsigned idx, const struct vsw_mf_scan_spec *spec,
                          struct vsw_mf_dump **out, uint32_t *n, bool *truncated);

/** Copies every megaflow of PMD 'idx' (vsw_dp_scan_megaflows(), VSW_SCAN_ALL). */
int vsw_dp_dump_megaflows(struct vsw_dp *dp, unsigned idx, struct vsw_mf_dump **out,
                          uint32_t *n);

/** Makes every PMD credit what its megaflows counted to their rules, so
 *  that rule counters read after it returns are exact. */
void vsw_dp_sync_stats(struct vsw_dp *dp);

/** Serves the control thread's requests (scan slice, deletion, counters
 *  reset); PMD 'pmd' calls it between two iterations. */
void vsw_pmd_serve_requests(struct vsw_pmd *pmd);

/** Completes a scan the stopping PMD 'pmd' had taken. */
void vsw_pmd_abandon_requests(struct vsw_pmd *pmd);

/** Deletes the 'n' megaflows (slot, generation) of PMD 'idx' that still
 *  exist; '*n_deleted' says how many did.  Returns 0 or ETIMEDOUT. */
int vsw_dp_delete_megaflows(struct vsw_dp *dp, unsigned idx, const uint32_t *slots,
                            const uint32_t *gens, uint32_t n, uint32_t *n_deleted);

/** Makes every PMD drop all its cached flows before it looks up another
 *  packet; returns once they have. */
void vsw_dp_flush_caches(struct vsw_dp *dp);

/** Publishes 'cls' and frees the old one after a grace period. */
void vsw_dp_publish_cls(struct vsw_dp *dp, struct vsw_cls *cls);

/** Waits until every PMD has passed a quiescent state. */
void vsw_dp_synchronize(struct vsw_dp *dp);

/**
 * Adds a port.  'spec' is "DEVARGS[,ofport=N][,n_rxq=N][,mtu_request=N]"
 * [,tag=N][,trunks=N,N...][,vlan_mode=MODE] and
 * 'name' the port name.  Returns 0 or a positive errno with a message in 'err'.
 */
int vsw_dp_add_port(struct vsw_dp *dp, const char *name, const char *spec,
                    char *err, size_t err_size);

/**
 * Changes settings of a running port: 'kv' holds 'n' strings "KEY=VALUE"
 * (mtu_request=N, tag=N, trunks=N,..., vlan_mode=MODE).  All are checked
 * before any is applied.  A VLAN change republishes the port set (every
 * PMD's caches are flushed) and forgets the MACs learned on the port.  Returns 0 or a
 * positive errno with a message in 'err'.
 */
int vsw_dp_set_port(struct vsw_dp *dp, const char *name, char *const *kv, int n,
                    char *err, size_t err_size);

/** Whether a frame fits in one mbuf of the standard pool at MTU 'mtu'. */
static inline bool
vsw_mtu_fits_std(unsigned mtu)
{
    return mtu + VSW_FRAME_OVERHEAD <= RTE_MBUF_DEFAULT_DATAROOM;
}

/**
 * Republishes the port set if a port's link went up or down since it was
 * published (ports_snap.live, what fast_failover groups watch).  True if
 * so: the caller then revalidates the megaflows that read link state
 * (vsw_revalidate_port()).
 */
bool vsw_dp_check_links(struct vsw_dp *dp);

/** Removes the port called 'name'. */
int vsw_dp_del_port(struct vsw_dp *dp, const char *name, char *err, size_t err_size);

/** Finds a port by name or by OpenFlow number in decimal; NULL if none. */
struct vsw_port *vsw_dp_find_port(struct vsw_dp *dp, const char *name_or_number);

/** Stops and closes every port (flushing tx); the PMD and handler threads
 *  must have stopped (pmd/pmd.h). */
void vsw_dp_stop(struct vsw_dp *dp);

/** Sums the per-PMD counters of 'port'. */
void vsw_port_get_stats(const struct vsw_port *port, struct vsw_port_stats *out);


#endif /* VSW_DP_H */
