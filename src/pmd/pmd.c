/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PMD loop: rx bursts from the queues this PMD owns, parse, classify,
 * execute, buffer for tx, flush, report quiescence.  No locks (except a
 * device's shared tx queue), no syscalls, no malloc on this path.
 *
 * For each received burst:
 *   pass 1: parse every packet (prefetching ahead) and look it up;
 *   pass 2: count and execute, appending outputs to per-port tx buffers.
 * Tx buffers are flushed when full and at the end of every iteration.
 */

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "actions/execute.h"
#include "dp.h"

#define BURST 32
#define TX_BUF 64
#define MAX_OUTS (BURST * 4)
#define PREFETCH_AHEAD 3

struct txbuf {
    uint16_t n;
    struct rte_mbuf *pkts[TX_BUF];
};

struct pmd_ctx {
    struct vsw_pmd *pmd;
    struct txbuf tx[VSW_MAX_PORTS];
};

static void
tx_flush(struct vsw_pmd *pmd, struct vsw_port *port, struct txbuf *tb)
{
    unsigned idx = pmd->idx;
    uint16_t q = port->txq_shared ? (uint16_t) (idx % port->n_txq) : (uint16_t) idx;
    uint16_t sent;

    if (!tb->n) {
        return;
    }
    if (port->txq_shared) {
        rte_spinlock_lock(&port->txq_lock[q]);
    }
    sent = rte_eth_tx_burst(port->port_id, q, tb->pkts, tb->n);
    if (port->txq_shared) {
        rte_spinlock_unlock(&port->txq_lock[q]);
    }
    struct vsw_port_stats *st = &port->stats[idx];
    for (uint16_t i = 0; i < sent; i++) {
        st->tx_bytes += rte_pktmbuf_pkt_len(tb->pkts[i]);
    }
    st->tx_packets += sent;
    if (sent < tb->n) {
        st->tx_dropped += tb->n - sent;
        rte_pktmbuf_free_bulk(&tb->pkts[sent], tb->n - sent);
    }
    tb->n = 0;
}

static inline int
port_index(const struct vsw_ports_snap *ps, uint32_t ofport)
{
    if (ofport < VSW_OFPORT_MAP) {
        return ps->idx_of[ofport];
    }
    for (unsigned i = 0; i < ps->n; i++) {
        if (ps->ofports[i] == ofport) {
            return (int) i;
        }
    }
    return -1;
}

/* Moves executed outputs into the per-port tx buffers. */
static void
outs_to_tx(struct pmd_ctx *c, const struct vsw_ports_snap *ps,
           struct vsw_exec_out *outs, unsigned n_outs)
{
    struct vsw_pmd *pmd = c->pmd;

    for (unsigned o = 0; o < n_outs; o++) {
        int pi = port_index(ps, outs[o].port);
        if (pi < 0) {
            pmd->stats.no_port++;
            rte_pktmbuf_free(outs[o].m);
            continue;
        }
        struct txbuf *tb = &c->tx[pi];
        tb->pkts[tb->n++] = outs[o].m;
        if (tb->n == TX_BUF) {
            tx_flush(pmd, ps->ports[pi], tb);
        }
    }
}

static void
process_burst(struct pmd_ctx *c, const struct vsw_ports_snap *ps,
              const struct vsw_cls *cls, struct vsw_port *in,
              struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
    struct vsw_pmd *pmd = c->pmd;
    struct vsw_dp *dp = pmd->dp;
    struct vsw_flow flows[BURST];
    struct vsw_layout lays[BURST];
    const struct vsw_rule *rules[BURST];
    struct vsw_exec_out outs[MAX_OUTS];
    struct vsw_exec_stats xs = { 0 };
    struct vsw_exec_env env = { .mp = dp->mp, .ports = ps->ofports, .n_ports = ps->n };
    struct vsw_port_stats *ist = &in->stats[pmd->idx];
    unsigned n_outs = 0;

    for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++) {
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    }
    /* Pass 1: parse and classify. */
    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];

        if (i + PREFETCH_AHEAD < n) {
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
        }
        ist->rx_bytes += rte_pktmbuf_pkt_len(m);
        if (unlikely(!rte_pktmbuf_is_contiguous(m)) && rte_pktmbuf_linearize(m)) {
            pmd->stats.nonlinear++;
            rules[i] = NULL;
            continue;
        }
        if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
            /* Not even an Ethernet header: dropped before lookup, as OVS's
             * userspace datapath does. */
            pmd->stats.runt++;
            rules[i] = NULL;
            continue;
        }
        vsw_flow_extract(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
                         in->ofport, &flows[i], &lays[i]);
        if (flows[i].nw_frag & VSW_FRAG_ANY) {
            /* frags=normal: fragments match as if they had no L4 ports. */
            struct vsw_flow key = flows[i];
            key.tp_src = 0;
            key.tp_dst = 0;
            rules[i] = vsw_cls_lookup(cls, 0, &key);
        } else {
            rules[i] = vsw_cls_lookup(cls, 0, &flows[i]);
        }
    }
    ist->rx_packets += n;
    pmd->stats.packets += n;

    /* Pass 2: count and execute. */
    for (uint16_t i = 0; i < n; i++) {
        struct vsw_rule *r = (struct vsw_rule *) rules[i];
        struct rte_mbuf *m = pkts[i];

        if (!r) {
            if (rte_pktmbuf_data_len(m) >= RTE_ETHER_HDR_LEN && rte_pktmbuf_is_contiguous(m)) {
                pmd->stats.missed++;
            }
            rte_pktmbuf_free(m);
            continue;
        }
        struct vsw_rule_stats *rs = &r->stats[pmd->idx];
        rs->n_packets++;
        rs->n_bytes += rte_pktmbuf_pkt_len(m);
        rs->used_tsc = now;
        pmd->stats.matched++;

        if (n_outs + ps->n + r->actions->n > MAX_OUTS) {
            outs_to_tx(c, ps, outs, n_outs);
            n_outs = 0;
        }
        vsw_execute(r->actions, m, &flows[i], &lays[i], &env, outs, &n_outs, MAX_OUTS, &xs);
    }
    outs_to_tx(c, ps, outs, n_outs);
    pmd->stats.copy_failed += xs.copy_failed;
    pmd->stats.no_headroom += xs.no_headroom;
    pmd->stats.outs_overflow += xs.outs_overflow;
}

int
vsw_pmd_main(void *arg)
{
    struct vsw_pmd *pmd = arg;
    struct vsw_dp *dp = pmd->dp;
    static __thread struct pmd_ctx ctx;
    struct rte_mbuf *pkts[BURST];

    memset(&ctx, 0, sizeof ctx);
    ctx.pmd = pmd;
    rte_rcu_qsbr_thread_register(dp->qsbr, pmd->idx);
    rte_rcu_qsbr_thread_online(dp->qsbr, pmd->idx);

    while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
        const struct vsw_ports_snap *ps = VSW_RCU_LOAD(dp->ports);
        const struct vsw_cls *cls = VSW_RCU_LOAD(dp->cls);
        uint64_t start = rte_rdtsc();
        bool busy = false;

        for (unsigned p = 0; p < ps->n; p++) {
            struct vsw_port *port = ps->ports[p];
            for (uint16_t q = (uint16_t) pmd->idx; q < port->n_rxq; q = (uint16_t) (q + dp->n_pmds)) {
                uint16_t n = rte_eth_rx_burst(port->port_id, q, pkts, BURST);
                if (n) {
                    busy = true;
                    process_burst(&ctx, ps, cls, port, pkts, n, start);
                }
            }
        }
        for (unsigned p = 0; p < ps->n; p++) {
            tx_flush(pmd, ps->ports[p], &ctx.tx[p]);
        }
        pmd->stats.iterations++;
        if (busy) {
            pmd->stats.busy_iterations++;
            pmd->stats.busy_cycles += rte_rdtsc() - start;
        }
        rte_rcu_qsbr_quiescent(dp->qsbr, pmd->idx);
    }
    rte_rcu_qsbr_thread_offline(dp->qsbr, pmd->idx);
    rte_rcu_qsbr_thread_unregister(dp->qsbr, pmd->idx);
    return 0;
}
