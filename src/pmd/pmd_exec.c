/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PMD's execute stage (pmd.c runs the rest of the loop): the burst's
 * hits, in arrival order, in runs.
 *
 *  - Packets whose megaflows (any number of them) all say just "output:N"
 *    to one port go straight into that port's tx buffer in one run
 *    (execute_outputs()).
 *  - Other packets go through the action executor (actions/execute.h) in
 *    runs of equal datapath actions: several megaflows may share them
 *    (flows routed alike).  A run of drops is freed in one call.
 *  - Each megaflow's counters are updated once per run of it.
 *  - Outputs go to per-port tx buffers, flushed when full and by the loop
 *    after each rx burst.
 *
 * Thread safety: runs on the PMD thread that owns the context; a device's
 * tx queue is locked only when it is shared by more PMDs than it has
 * queues.
 */

#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_spinlock.h>

#include "pmd/pmd_ctx.h"
#include "pmd/pmd_port.h"

static void
tx_flush(struct vsw_pmd *pmd, struct vsw_port *port, struct txbuf *tb)
{
    unsigned idx = pmd->idx;
    struct vsw_port_stats *st = &port->stats[idx];
    uint16_t sent;

    if (!tb->n) {
        return;
    }
    if (unlikely(__atomic_load_n(&port->tx_check, __ATOMIC_RELAXED))) {
        tb->n = pmd_tx_mtu_filter(port, st, tb->pkts, tb->n, &tb->bytes);
    }
    if (port->is_vhost) {
        sent = pmd_vhost_tx(port, vsw_vhost_txq(port, idx), tb->pkts, tb->n, &st->tx_bytes);
    } else {
        uint16_t q = port->txq_shared ? (uint16_t) (idx % port->n_txq) : (uint16_t) idx;
        uint64_t bytes = tb->bytes;
        if (port->txq_shared) {
            rte_spinlock_lock(&port->txq_lock[q]);
        }
        sent = rte_eth_tx_burst(port->port_id, q, tb->pkts, tb->n);
        if (port->txq_shared) {
            rte_spinlock_unlock(&port->txq_lock[q]);
        }
        /* Only the frames the driver refused are still ours to read. */
        for (uint16_t i = sent; i < tb->n; i++) {
            bytes -= rte_pktmbuf_pkt_len(tb->pkts[i]);
        }
        st->tx_bytes += bytes;
        if (sent < tb->n) {
            rte_pktmbuf_free_bulk(&tb->pkts[sent], tb->n - sent);
        }
    }
    st->tx_packets += sent;
    st->tx_dropped += tb->n - sent;
    tb->n = 0;
    tb->bytes = 0;
}

/* Sends whatever every port's tx buffer holds. */
void
pmd_tx_flush_all(struct pmd_ctx *c, const struct vsw_ports_snap *ps)
{
    for (unsigned p = 0; p < ps->n; p++) {
        tx_flush(c->pmd, ps->ports[p], &c->tx[p]);
    }
}

int
pmd_port_index(const struct vsw_ports_snap *ps, uint32_t ofport)
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
void
pmd_outs_to_tx(struct pmd_ctx *c, const struct vsw_ports_snap *ps)
{
    struct vsw_pmd *pmd = c->pmd;

    for (unsigned o = 0; o < c->n_outs; o++) {
        int pi = pmd_port_index(ps, c->outs[o].port);
        if (pi < 0) {
            pmd->stats.no_port++;
            rte_pktmbuf_free(c->outs[o].m);
            continue;
        }
        struct txbuf *tb = &c->tx[pi];
        tb->bytes += rte_pktmbuf_pkt_len(c->outs[o].m);
        tb->pkts[tb->n++] = c->outs[o].m;
        if (tb->n == TX_BUF) {
            tx_flush(pmd, ps->ports[pi], tb);
        }
    }
    c->n_outs = 0;
}

/* Runs the datapath actions 'acts' of 'len' bytes on one packet ('miss':
 * the translation matched no rule, the packet is dropped and counted). */
void
pmd_execute_one(struct pmd_ctx *c, const struct vsw_ports_snap *ps, bool miss,
            const uint8_t *acts, uint16_t len, struct rte_mbuf *m,
            const struct vsw_layout *lay)
{
    struct vsw_pmd *pmd = c->pmd;

    if (miss) {
        pmd->stats.missed++;
        rte_pktmbuf_free(m);
        return;
    }
    /* An output entry is at least 8 bytes. */
    if (c->n_outs + len / sizeof(struct vsw_odp_output) > MAX_OUTS) {
        pmd_outs_to_tx(c, ps);
    }
    struct vsw_exec_env env = { .mp = pmd->dp->mp, .mp_jumbo = pmd->dp->mp_jumbo,
                                .pinq = pmd->pinq };
    vsw_odp_execute(acts, len, m, lay, &env, c->outs, &c->n_outs, MAX_OUTS, &c->xs);
}

/* Credits a run of 'n' packets of 'bytes' bytes to megaflow 'mf'. */
static inline void
credit_run(struct megaflow *mf, uint64_t n, uint64_t bytes, uint64_t now)
{
    mf->packets += n;
    mf->bytes += bytes;
    mf->used_tsc = now;
}

/* Sends the hits in '*hits' from the first one on, as long as their
 * megaflows' actions are exactly "output:N" to the same port N, whatever
 * the megaflow (several megaflows, one datapath action: a burst of
 * different flows through one allow-list): straight into that port's tx
 * buffer, each megaflow's counters updated once per run of it.  Clears
 * what it sent from '*hits'. */
static void
execute_outputs(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct megaflow **mfs,
                struct rte_mbuf **pkts, uint64_t *hits, uint64_t now)
{
    struct vsw_pmd *pmd = c->pmd;
    uint32_t port = mfs[__builtin_ctzll(*hits)]->out_port;
    int pi = pmd_port_index(ps, port);
    struct txbuf *tb = pi >= 0 ? &c->tx[pi] : NULL;
    struct megaflow *cur = NULL;
    uint64_t n = 0, bytes = 0;

    pmd_outs_to_tx(c, ps);   /* Keep the order of what came before. */
    if (!tb) {
        for (uint64_t t = *hits; t; t &= t - 1) {
            unsigned i = (unsigned) __builtin_ctzll(t);
            if (mfs[i] != cur && (mfs[i]->out_port != port || !mfs[i]->n_deps)) {
                break;
            }
            cur = mfs[i];
            credit_run(cur, 1, rte_pktmbuf_pkt_len(pkts[i]), now);
            pmd->stats.no_port++;
            rte_pktmbuf_free(pkts[i]);
            *hits &= ~(1ull << i);
        }
        return;
    }
    /* The buffer's count stays in a register ('k') for the run: stored
     * through 'tb' on every packet it cost a store-to-load round trip. */
    unsigned k = tb->n;
    uint64_t t = *hits, tb_bytes = tb->bytes;
    for (; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        struct megaflow *mf = mfs[i];
        if (mf != cur) {
            if (mf->out_port != port || !mf->n_deps) {
                break;
            }
            if (cur) {
                credit_run(cur, n, bytes, now);
            }
            cur = mf;
            n = bytes = 0;
        }
        uint32_t len = rte_pktmbuf_pkt_len(pkts[i]);
        n++;
        bytes += len;
        tb_bytes += len;
        tb->pkts[k++] = pkts[i];
        if (k == TX_BUF) {
            tb->n = (uint16_t) k;
            tb->bytes = tb_bytes;
            tx_flush(pmd, ps->ports[pi], tb);
            k = tb->n;
            tb_bytes = tb->bytes;
        }
    }
    tb->n = (uint16_t) k;
    tb->bytes = tb_bytes;
    *hits = t;
    credit_run(cur, n, bytes, now);
}

/* True if megaflows 'a' and 'b' do the same to a packet. */
static inline bool
same_actions(const struct megaflow *a, const struct megaflow *b)
{
    return a == b
           || (!a->n_deps == !b->n_deps && a->acts_len == b->acts_len
               && a->out_port == b->out_port && !memcmp(a->acts, b->acts, a->acts_len));
}

/* Executes the hits in '*hits' from the first one on, as long as their
 * megaflows' actions equal the first one's (not a single output: see
 * execute_outputs()), and clears them from '*hits'.  Each megaflow's
 * counters are updated once per run of it; a run of drops is freed in
 * one call. */
static void
execute_shared(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct megaflow **mfs,
               struct rte_mbuf **pkts, const struct vsw_layout *lays, uint64_t *hits,
               uint64_t now)
{
    struct megaflow *first = mfs[__builtin_ctzll(*hits)], *cur = first;
    struct rte_mbuf *run[BURST];
    unsigned idx[BURST], n_run = 0;
    uint64_t n = 0, bytes = 0, t = *hits;

    for (; t; t &= t - 1) {
        unsigned i = (unsigned) __builtin_ctzll(t);
        struct megaflow *mf = mfs[i];
        if (mf != cur) {
            if (!same_actions(mf, first)) {
                break;
            }
            credit_run(cur, n, bytes, now);
            cur = mf;
            n = bytes = 0;
        }
        n++;
        bytes += rte_pktmbuf_pkt_len(pkts[i]);
        idx[n_run] = i;
        run[n_run++] = pkts[i];
    }
    *hits = t;
    credit_run(cur, n, bytes, now);
    if (!first->n_deps || !first->acts_len) {
        /* Dropped: by a rule, or (no rule) counted as a table miss. */
        if (!first->n_deps) {
            c->pmd->stats.missed += n_run;
        }
        rte_pktmbuf_free_bulk(run, n_run);
        return;
    }
    for (unsigned k = 0; k < n_run; k++) {
        pmd_execute_one(c, ps, false, first->acts, first->acts_len, run[k], &lays[idx[k]]);
    }
}

void
pmd_execute_hits(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct megaflow **mfs,
                 struct rte_mbuf **pkts, const struct vsw_layout *lays, uint64_t hits,
                 uint64_t now)
{
    while (hits) {
        const struct megaflow *mf = mfs[__builtin_ctzll(hits)];

        if (mf->out_port != UINT32_MAX && mf->n_deps) {
            execute_outputs(c, ps, mfs, pkts, &hits, now);
        } else {
            execute_shared(c, ps, mfs, pkts, lays, &hits, now);
        }
    }
}
