/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_PMD_CTX_H
#define VSW_PMD_CTX_H 1

/*
 * A PMD thread's private state (struct pmd_ctx), shared by the PMD loop
 * (pmd.c) and its execute stage (pmd_exec.c), and the execute stage's
 * entry points.  Private to src/pmd/: only the PMD thread that owns a
 * context touches it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "actions/execute.h"
#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "classifier/flow_burst.h"
#include "dp.h"

#define BURST 32               /* Packets per rx burst. */
#define TX_BUF 64              /* Packets a port's tx buffer holds before a flush. */
#define MAX_OUTS (BURST * 4)   /* Outputs the executor may queue per burst. */
#define PENDING_BUCKETS 64     /* In-flight upcall counters, by ofport. */

struct txbuf {
    uint16_t n;
    uint64_t bytes;             /* Of pkts[0..n), summed as they are added: once
                                 * sent, the mbufs are the driver's to free or
                                 * hand to another thread, and are not read. */
    struct rte_mbuf *pkts[TX_BUF];
};

struct pmd_ctx {
    struct vsw_pmd *pmd;
    emc_sig_match_fn *sig_match;
    vsw_flow_burst_fn *parse_burst;
    struct txbuf tx[VSW_MAX_PORTS];
    struct vsw_exec_out outs[MAX_OUTS];
    unsigned n_outs;
    struct vsw_exec_stats xs;
    uint64_t idle_tsc;
    uint64_t wait_tsc;          /* Longest hold of a port for its in-flight upcalls, */
    uint64_t wake_tsc;          /* ... or this while the handler is waking up */
    uint64_t waking_until;      /* (until this TSC, after a kick woke it). */
    uint64_t no_wait_until;     /* Storm: hold no port back before this TSC. */
    uint64_t hold_window_end;   /* Hold budget: the 100 ms window's end, */
    uint64_t hold_spent;        /* the hold time spent in it, */
    uint64_t hold_budget_tsc;   /* and the most it may be, */
    uint64_t hold_window_tsc;   /* of this (100 ms). */
    uint64_t held_since[PENDING_BUCKETS]; /* Hold start by ingress ofport % buckets. */
    uint64_t next_sweep;        /* Next idle-megaflow sweep (TSC). */
    uint32_t bursts;            /* Bursts processed (stage-timing sample). */
    uint16_t pending[PENDING_BUCKETS]; /* In-flight upcalls by ingress ofport % buckets. */
    uint64_t sweep_tsc;         /* Interval between sweeps. */
    uint64_t next_rerank;       /* Next timed subtable rerank (TSC), */
    uint64_t rerank_tsc;        /* and the interval. */
};

/** The index of OpenFlow port 'ofport' in 'ps', or -1. */
int pmd_port_index(const struct vsw_ports_snap *ps, uint32_t ofport);

/** Sends whatever every port's tx buffer holds. */
void pmd_tx_flush_all(struct pmd_ctx *c, const struct vsw_ports_snap *ps);

/** Moves executed outputs into the per-port tx buffers. */
void pmd_outs_to_tx(struct pmd_ctx *c, const struct vsw_ports_snap *ps);

/** Runs the datapath actions 'acts' of 'len' bytes on packet 'm' ('miss':
 *  the translation matched no rule, the packet is dropped and counted). */
void pmd_execute_one(struct pmd_ctx *c, const struct vsw_ports_snap *ps, bool miss,
                     const uint8_t *acts, uint16_t len, struct rte_mbuf *m,
                     const struct vsw_layout *lay);

/** Executes the burst's hits (the packets in 'hits', megaflow mfs[i]),
 *  in arrival order, in runs (see pmd_exec.c); megaflow counters once per
 *  run of a megaflow. */
void pmd_execute_hits(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct megaflow **mfs,
                      struct rte_mbuf **pkts, const struct vsw_layout *lays, uint64_t hits,
                      uint64_t now);

#endif /* VSW_PMD_CTX_H */
