/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PMD loop (DESIGN.md §1).  Per rx burst of up to 32 packets:
 *
 *   parse    prefetch ahead; flow key + header offsets + hash per packet
 *            (only the Ethernet header and the IPv4 protocol and fragment
 *            bits when the port's megaflows need no more: the rest is
 *            parsed after the lookup, if at all; and a packet whose
 *            bytes for that equal its run head's is not even parsed)
 *   emc      exact-match lookup of the whole burst (bitmap of packets left)
 *   dpcls    megaflow lookup of what is left, subtable by subtable; the
 *            repeats of a run head take its answer
 *   upcall   what is still left goes to the slow path (bounded; never waits)
 *   execute  every hit runs its megaflow's actions, in runs (pmd_exec.c);
 *            outputs go to per-port tx buffers, flushed when full and
 *            after each rx burst
 *
 * vhost-user ports are polled and sent to with rte_vhost directly (the vid
 * is retired under RCU, see dp.c); other ports with the ethdev API.
 *
 * Completed upcalls are drained every iteration: the megaflow is installed
 * and the packet executed here, so the PMD stays the only writer of its
 * caches and tx queues.  Each stage's cycles are counted (pmd-stats).
 *
 * At the top of an iteration the PMD loads the published rule set; if it
 * changed, both caches are flushed before any packet is looked up, so after
 * a rule change returns (an RCU grace period later) every packet follows the
 * new rules.  No locks (except a device's shared tx queue), no malloc, no
 * atomics on this path, and no syscalls except one write(2) to wake the
 * handler when an upcall finds it asleep (upcall.c), or the control thread
 * when a packet-in finds it asleep (pin_kick()).
 *
 * Packet-ins (the controller action's USERSPACE entries) go to this PMD's
 * packet-in queue (pin_queue.h) during execution; a packet-out from the
 * control thread is taken from 'pout_req' once per iteration and executed
 * here like any packet (serve_packet_out()), so the tx queues keep one
 * writer.
 */

#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_vhost.h>

#include "actions/execute.h"
#include "classifier/dpcls.h"
#include "classifier/emc.h"
#include "classifier/flow_fast.h"
#include "classifier/flow_hash.h"
#include "dp.h"
#include "l2/fdb.h"
#include "pmd/pin_queue.h"
#include "pmd/pmd.h"
#include "pmd/pmd_ctx.h"
#include "pmd/pmd_port.h"
#include "pmd/upcall.h"
#include "util.h"
#include "xlate/xlate.h"

#define PREFETCH_AHEAD 3
#define SWEEP_BUDGET 128       /* Megaflows swept (statistics pushed, idleness
                                * checked) per sweep, */
#define SWEEPS_PER_SEC 1000    /* ... and sweeps per second. */
#define RERANKS_PER_SEC 10     /* Timed subtable reranks (dpcls_rerank()). */
#define HOLD_BUDGET_PCT 2      /* Most of the time ports may be held (port_may_poll()). */
#define RUNS_MIN 8             /* A burst of this many shallow packets with no run */
#define RUNS_SKIP 7            /* of one key: the next bursts are not searched for runs. */

/* Per-stage cycles are read on one burst in STAGE_SAMPLE and scaled: with
 * small bursts (a VM's request/response traffic) five TSC reads per burst
 * were a visible part of the cost. */
#define STAGE_SAMPLE 8
#define STAGE_END(counter)                                  \
    do {                                                    \
        if (timed) {                                        \
            t1 = rte_rdtsc();                               \
            st->counter += (t1 - t0) * STAGE_SAMPLE;        \
            t0 = t1;                                        \
        }                                                   \
    } while (0)

/* Receives up to BURST packets from rx queue 'q' of 'port'. */
static inline uint16_t
port_rx(struct vsw_pmd *pmd, struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts)
{
    if (port->is_vhost) {
        /* The vid stays valid until this iteration's quiescent state (dp.c). */
        uint16_t nr = __atomic_load_n(&port->vhost_nr_vring, __ATOMIC_ACQUIRE);
        int vid = __atomic_load_n(&port->vhost_vid, __ATOMIC_ACQUIRE);
        return vid < 0 || VHOST_GUEST_TXQ(q) >= nr
                   ? 0
                   : rte_vhost_dequeue_burst(vid, VHOST_GUEST_TXQ(q),
                                             __atomic_load_n(&port->mp, __ATOMIC_RELAXED),
                                             pkts, BURST);
    }
    return rte_eth_rx_burst(port->port_id, q, pkts, BURST);
}

/* Credits one packet executed without a megaflow to the rules its
 * translation passed through. */
static void
credit_rules(struct vsw_pmd *pmd, const struct upcall *up, uint64_t now)
{
    for (unsigned i = 0; i < up->n_deps; i++) {
        struct vsw_rule_stats *rs = &up->deps[i]->stats[pmd->idx];
        rs->n_packets++;
        rs->n_bytes += rte_pktmbuf_pkt_len(up->m);
        rs->used_tsc = now;
    }
}

/* Installs the megaflow an upcall produced and executes its packet. */
static void
complete_upcall(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct upcall *up,
                uint64_t now)
{
    struct vsw_dp *dp = c->pmd->dp;

    if (unlikely(up->acts.overflow)) {
        /* More datapath actions than a megaflow holds, or a NORMAL this PMD
         * translated itself (it may not read the MAC table): nothing is
         * cached and the packet is dropped, counted. */
        if (up->acts.xflags & VSW_XLATE_READ_FDB) {
            c->pmd->stats.normal_inline++;
        } else {
            c->pmd->stats.actions_overflow++;
        }
        rte_pktmbuf_free(up->m);
        return;
    }
    if (unlikely(up->acts.len > VSW_ODP_MAX)) {
        /* Right for this packet, too long for a megaflow. */
        c->pmd->stats.actions_uncached++;
        credit_rules(c->pmd, up, now);
        pmd_execute_one(c, ps, false, up->acts.data, up->acts.len, up->m, &up->lay);
        return;
    }
    if (unlikely(up->xerror)) {
        if (up->xerror == XLATE_TOO_MANY_DEPS) {
            /* Right for this packet; a megaflow could not credit every rule
             * it passed, so none is installed. */
            c->pmd->stats.xlate_uncached++;
            pmd_execute_one(c, ps, false, up->acts.data, up->acts.len, up->m, &up->lay);
            return;
        }
        /* A translation limit: the drop is cached like any answer. */
        if (up->xerror == XLATE_RECURSION_TOO_DEEP) {
            c->pmd->stats.xlate_too_deep++;
        } else {
            c->pmd->stats.xlate_too_many++;
        }
    }
    struct megaflow *mf = NULL;
    if (unlikely((up->acts.xflags & VSW_XLATE_READ_FDB) && dp->fdb
                 && up->fdb_gen != vsw_fdb_gen(dp->fdb))) {
        /* The MAC table changed after this translation read it: the
         * answer is right for this packet, not necessarily for the next. */
        c->pmd->stats.fdb_stale++;
    } else {
        enum dpcls_tier tier = DPCLS_TIER_AS_IS;
        mf = dpcls_insert(c->pmd->dpcls, &up->flow, &up->mask, &up->fine, up->deps,
                          up->n_deps, &up->acts, now, &tier);
        if (!mf) {
            c->pmd->stats.flow_limit++;
        } else if (tier != DPCLS_TIER_AS_IS) {
            if (tier == DPCLS_TIER_FINE) {
                c->pmd->stats.mf_fine++;
            } else {
                c->pmd->stats.mf_exact++;
            }
        }
    }
    if (mf) {
        memcpy(mf->tables, up->tables, sizeof mf->tables);
        mf->packets++;
        mf->bytes += rte_pktmbuf_pkt_len(up->m);
        dpcls_smc_insert(c->pmd->dpcls, up->hash, mf);
    } else {
        credit_rules(c->pmd, up, now);
    }
    pmd_execute_one(c, ps, !up->n_deps, up->acts.data, up->acts.len, up->m, &up->lay);
}

/* The EMC and SMC hash: the NIC's RSS hash if the port gives one, else
 * vsw_flow_hash(). */
static inline uint32_t
flow_hash(const struct rte_mbuf *m, const struct vsw_flow *flow)
{
    return m->ol_flags & RTE_MBUF_F_RX_RSS_HASH ? m->hash.rss : vsw_flow_hash(flow);
}

/* The handler learned or moved MACs: their megaflows go before the next
 * lookup (EMC and SMC entries naming them fail their generation check). */
static __rte_noinline void
forget_macs(struct vsw_pmd *pmd)
{
    struct upcall_queue *q = pmd->upq;
    uint64_t macs[64];
    unsigned n;

    if (__atomic_exchange_n(&q->fdb_lost, 0, __ATOMIC_ACQ_REL)) {
        pmd->stats.fdb_lost++;
        dpcls_flush(pmd->dpcls);
        emc_flush(pmd->emc);
        while (rte_ring_sc_dequeue_burst_elem(q->fdb_changes, macs, sizeof macs[0], 64, NULL)) {
        }
        return;
    }
    while ((n = rte_ring_sc_dequeue_burst_elem(q->fdb_changes, macs, sizeof macs[0], 64,
                                               NULL))) {
        for (unsigned i = 0; i < n; i++) {
            pmd->stats.fdb_forgotten += dpcls_forget_mac(pmd->dpcls, macs[i]);
        }
    }
}

static void
process_burst(struct pmd_ctx *c, const struct vsw_ports_snap *ps, struct vsw_port *in,
              struct rte_mbuf **pkts, uint16_t n, uint64_t now)
{
    struct vsw_pmd *pmd = c->pmd;
    struct vsw_pmd_stats *st = &pmd->stats;
    struct vsw_flow flows[BURST];
    struct vsw_layout lays[BURST];
    uint32_t hashes[BURST];
    struct megaflow *mfs[BURST];
    struct vsw_port_stats *ist = &in->stats[pmd->idx];
    bool timed = (++c->bursts & (STAGE_SAMPLE - 1)) == 0;
    uint64_t keep = 0, t0 = timed ? rte_rdtsc() : 0, t1;

    /* Which caches to use.  When the port's megaflows all share one small
     * mask, a megaflow lookup (hash and compare a few words) is cheaper than
     * an EMC lookup (hash and compare the whole key), so the EMC and the
     * SMC are skipped and no flow hash is computed.  If that mask only
     * covers Ethernet fields, in_port, the IP protocol and the fragment bits
     * (port-to-port rules, `in_port=1,udp`), the packets are first parsed
     * only that far: the full parse is done later for the few that need it
     * (misses, and rules with more than an output). */
    struct dpcls *dc = pmd->dpcls;
    struct dpcls_port *port = dpcls_port_get(dc, in->ofport, false);
    const struct dpcls_subtable *st0 = port && port->n == 1 ? &dc->subtables[port->order[0]]
                                                            : NULL;
    bool small_dpcls = st0 && st0->n_words <= DPCLS_SMALL_WORDS;
    /* Shallow keys never go to the EMC or the SMC: they compare whole keys.
     * A few shallow masks are probed directly (port-to-port rules that
     * tell IPv4 from ARP, `in_port=1,ip` and `in_port=1,arp`). */
    bool shallow = port && port->n && !port->n_deep && port->n <= DPCLS_SHALLOW_MAX;
    /* With several masks the signature cache answers from its bucket and
     * the megaflow (a few words compared under the mask), which costs less
     * than an EMC entry compared whole (scenario f: 68.7 against 81.9
     * cycles a packet): the EMC is for one mask too wide to probe. */
    bool use_smc = port && port->n >= DPCLS_SMC_MIN_SUBTABLES && !shallow;
    bool use_emc = pmd->dp->emc_enabled && !small_dpcls && !use_smc && !shallow
                   && emc_burst_enabled(pmd->emc);
    uint64_t partial = 0;   /* Packets parsed shallowly. */
    /* A packet whose shallow key is its run head's (the last packet
     * parsed shallowly): neither parsed nor looked up, it takes the
     * head's answer (vsw_flow_shallow_same()). */
    uint64_t same = 0;
    uint8_t head[BURST];
    /* Comparing every packet cost scenario l2 (1 000 flows, no runs)
     * ~4.5 cycles a packet: while a port's bursts have no runs, 7 in 8
     * are not searched. */
    bool find_runs = shallow && !port->repeat_skip;
    int run_i = -1;
    vsw_flow_burst_fn *burst_fn = c->parse_burst;
    const uint8_t *datas[BURST];
    uint32_t lens[BURST];
    uint32_t max_frame = __atomic_load_n(&in->max_frame, __ATOMIC_RELAXED);
    uint64_t rx_bytes = 0;

    /* Parse. */
    for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++) {
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    }
    for (uint16_t i = 0; i < n; i++) {
        struct rte_mbuf *m = pkts[i];

        if (i + PREFETCH_AHEAD < n) {
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
        }
        rx_bytes += rte_pktmbuf_pkt_len(m);
        if (unlikely(rte_pktmbuf_pkt_len(m) > max_frame)
            && pmd_frame_over_mtu(m, __atomic_load_n(&in->mtu, __ATOMIC_RELAXED))) {
            /* Longer than the port's MTU: what a NIC would drop. */
            ist->rx_over_mtu++;
            rte_pktmbuf_free(m);
            continue;
        }
        if (unlikely(!rte_pktmbuf_is_contiguous(m))) {
            m = pkts[i] = pmd_make_contiguous(pmd, m);
            if (!m) {
                ist->rx_dropped++;
                continue;
            }
        }
        if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
            /* Not even an Ethernet header: dropped before lookup, as OVS's
             * userspace datapath does. */
            st->runt++;
            ist->rx_dropped++;
            rte_pktmbuf_free(m);
            continue;
        }
        keep |= 1ull << i;
        const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
        uint32_t dlen = rte_pktmbuf_data_len(m);
        if (shallow) {
            if (find_runs && run_i >= 0 && dlen == rte_pktmbuf_data_len(pkts[run_i])
                && vsw_flow_shallow_same(data, rte_pktmbuf_mtod(pkts[run_i], const uint8_t *),
                                         dlen)) {
                partial |= 1ull << i;
                same |= 1ull << i;
                head[i] = (uint8_t) run_i;
                continue;
            }
            if (vsw_flow_extract_shallow_inline(data, dlen, in->ofport, &flows[i])) {
                partial |= 1ull << i;
                run_i = find_runs ? (int) i : -1;
                continue;
            }
        }
        if (burst_fn) {
            datas[i] = data;
            lens[i] = dlen;
            continue;
        }
        if (!vsw_flow_extract_fast(data, dlen, in->ofport, &flows[i], &lays[i])) {
            vsw_flow_extract_general(data, dlen, in->ofport, &flows[i], &lays[i]);
        }
    }
    if (shallow) {
        if (!find_runs) {
            port->repeat_skip--;
        } else if (!same && __builtin_popcountll(partial) >= RUNS_MIN) {
            port->repeat_skip = RUNS_SKIP;
        }
    }
    /* A SIMD variant parses the burst's common frames together, the
     * general parser the rest (classifier/flow_burst.h). */
    uint64_t deep = burst_fn ? keep & ~partial : 0;
    if (deep) {
        deep &= ~burst_fn(datas, lens, deep, in->ofport, flows, lays);
        for (; deep; deep &= deep - 1) {
            unsigned i = (unsigned) __builtin_ctzll(deep);
            vsw_flow_extract_general(datas[i], lens[i], in->ofport, &flows[i], &lays[i]);
        }
    }

    /* Hash in a second pass (reading a key right after writing it field by
     * field stalls on store forwarding), and fetch the SMC buckets while
     * the rest of the burst is hashed. */
    if (use_emc || use_smc) {
        for (uint64_t t = keep; t; t &= t - 1) {
            unsigned i = (unsigned) __builtin_ctzll(t);
            hashes[i] = flow_hash(pkts[i], &flows[i]);
            if (use_smc) {
                dpcls_smc_prefetch(dc, hashes[i]);
            }
        }
    }
    ist->rx_packets += n;
    ist->rx_bytes += rx_bytes;
    st->packets += n;
    uint64_t valid = keep;
    STAGE_END(cycles_parse);

    /* EMC. */
    if (use_emc) {
        unsigned lookups = (unsigned) __builtin_popcountll(keep);
        unsigned hits = emc_lookup_batch(pmd->emc, c->sig_match, flows, hashes, n, &keep, mfs);
        st->emc_hits += hits;
        emc_account(pmd->emc, lookups, hits);
        STAGE_END(cycles_emc);
    }

    /* Megaflows: the signature cache first when the port has several
     * subtables, then the subtables themselves; repeats of a run's head
     * take its answer. */
    keep &= ~same;
    uint64_t emc_missed = keep;
    if (keep) {
        uint64_t smc_missed = keep;

        if (use_smc) {
            st->smc_hits += dpcls_smc_lookup_batch(dc, flows, hashes, n, &keep, mfs);
            smc_missed = keep;
        }
        if (port && keep) {
            st->megaflow_hits += dpcls_lookup_batch(dc, port, flows, n, &keep, mfs,
                                                    &st->probes);
        }
        if (same) {
            st->megaflow_hits += dpcls_answer_repeats(port, same, head, &keep, mfs, &st->probes);
        }
        if (use_smc) {
            for (uint64_t t = smc_missed & ~keep; t; t &= t - 1) {
                unsigned i = (unsigned) __builtin_ctzll(t);
                dpcls_smc_insert(dc, hashes[i], mfs[i]);
            }
        }
        if (use_emc) {
            for (uint64_t t = emc_missed & ~keep; t; t &= t - 1) {
                unsigned i = (unsigned) __builtin_ctzll(t);
                emc_insert(pmd->emc, &flows[i], hashes[i], mfs[i]);
            }
        }
        STAGE_END(cycles_dpcls);
    }

    /* Shallowly parsed packets that go on to the slow path, or to actions
     * that read more than in_port, get the full parse now (a drop needs
     * none). */
    if (partial) {
        for (uint64_t t = partial; t; t &= t - 1) {
            unsigned i = (unsigned) __builtin_ctzll(t);
            if ((keep & (1ull << i))
                || (mfs[i]->n_deps && mfs[i]->acts_len && mfs[i]->out_port == UINT32_MAX)) {
                vsw_flow_extract(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
                                 rte_pktmbuf_data_len(pkts[i]), in->ofport, &flows[i], &lays[i]);
                partial &= ~(1ull << i);
            }
        }
        st->shallow += (uint64_t) __builtin_popcountll(partial);
        STAGE_END(cycles_parse);
    }

    /* Upcalls: what missed both caches. */
    if (keep) {
        struct upcall_queue *q = pmd->upq;
        uint32_t idxs[BURST];
        unsigned n_up = 0;

        for (uint64_t t = keep; t; t &= t - 1) {
            unsigned i = (unsigned) __builtin_ctzll(t);
            if (!q->n_free) {
                /* The handler is behind (a storm of new flows). */
                st->upcall_full++;
                if (pmd->dp->upcall_overflow_inline) {
                    struct upcall up = { .m = pkts[i], .flow = flows[i], .lay = lays[i],
                                         .hash = flow_hash(pkts[i], &flows[i]) };
                    upcall_translate(pmd->dp, &up);
                    complete_upcall(c, ps, &up, now);
                } else {
                    rte_pktmbuf_free(pkts[i]);
                }
                continue;
            }
            uint32_t s = q->free_stack[--q->n_free];
            struct upcall *up = &q->slots[s];
            up->m = pkts[i];
            up->flow = flows[i];
            up->lay = lays[i];
            up->hash = use_emc || use_smc ? hashes[i] : flow_hash(pkts[i], &flows[i]);
            idxs[n_up++] = s;
        }
        unsigned sent = rte_ring_sp_enqueue_burst_elem(q->to_handler, idxs, sizeof idxs[0], n_up,
                                                       NULL);
        c->pending[in->ofport % PENDING_BUCKETS] += (uint16_t) sent;
        if (sent && handler_kick(pmd->dp)) {
            c->waking_until = now + c->wake_tsc;
        }
        for (unsigned k = sent; k < n_up; k++) {   /* Cannot happen: ring >= slots. */
            st->upcall_full++;
            rte_pktmbuf_free(q->slots[idxs[k]].m);
            q->free_stack[q->n_free++] = idxs[k];
        }
        st->upcalls += sent;
        STAGE_END(cycles_upcall);
    }

    pmd_execute_hits(c, ps, mfs, pkts, lays, valid & ~keep, now);
    pmd_outs_to_tx(c, ps);
    STAGE_END(cycles_execute);
}

/* Packet-ins were queued: wake the control thread if it may be blocked in
 * epoll (the same lost-wake-up-free handshake as handler_kick(): it stores
 * 'ctl_asleep' then checks the queues; we queue, then load 'ctl_asleep'). */
static void
pin_kick(struct vsw_dp *dp)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&dp->ctl_asleep, __ATOMIC_RELAXED)
        && __atomic_exchange_n(&dp->ctl_asleep, 0, __ATOMIC_ACQ_REL) && dp->pin_efd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(dp->pin_efd, &one, sizeof one);
        (void) r;   /* Only fails when the counter is saturated: awake anyway. */
    }
}

/* A packet-out from the control thread: executed like a packet of this
 * PMD, its outputs sent before 'done' is set. */
static __rte_noinline void
serve_packet_out(struct pmd_ctx *c, const struct vsw_ports_snap *ps)
{
    struct vsw_pmd *pmd = c->pmd;
    struct vsw_pout_req *req = __atomic_exchange_n(&pmd->pout_req, NULL, __ATOMIC_ACQ_REL);
    struct vsw_exec_env env = { .mp = pmd->dp->mp, .mp_jumbo = pmd->dp->mp_jumbo,
                                .pinq = pmd->pinq };
    struct vsw_exec_stats xs = { 0 };

    if (!req) {
        return;
    }
    pmd_outs_to_tx(c, ps);
    vsw_odp_execute(req->acts, req->acts_len, req->m, &req->lay, &env, c->outs, &c->n_outs,
                    MAX_OUTS, &xs);
    req->m = NULL;
    req->n_pins = (unsigned) xs.pins;
    req->n_dropped = (unsigned) (xs.pin_full + xs.copy_failed + xs.no_headroom
                                 + xs.outs_overflow);
    for (unsigned o = 0; o < c->n_outs; o++) {
        if (pmd_port_index(ps, c->outs[o].port) >= 0) {
            req->n_sent++;
        } else {
            req->n_dropped++;
        }
    }
    pmd_outs_to_tx(c, ps);
    pmd_tx_flush_all(c, ps);
    pmd->stats.packet_outs++;
    c->xs.pins += xs.pins;
    c->xs.pin_full += xs.pin_full;
    c->xs.copy_failed += xs.copy_failed;
    c->xs.no_headroom += xs.no_headroom;
    c->xs.outs_overflow += xs.outs_overflow;
    __atomic_store_n(&req->done, true, __ATOMIC_RELEASE);
}

/* Installs and executes the upcalls the handler has finished. */
static bool
drain_completions(struct pmd_ctx *c, const struct vsw_ports_snap *ps, uint64_t now)
{
    struct vsw_pmd *pmd = c->pmd;
    struct upcall_queue *q = pmd->upq;
    uint32_t idxs[BURST];
    unsigned n = rte_ring_sc_dequeue_burst_elem(q->to_pmd, idxs, sizeof idxs[0], BURST, NULL);
    bool requeued = false;

    for (unsigned k = 0; k < n; k++) {
        struct upcall *up = &q->slots[idxs[k]];
        bool stale = up->gen != pmd->mf_gen;

        if (stale) {
            /* Translated with rules that have since changed: again, or
             * dropped if the queue back to the handler is full. */
            pmd->stats.upcall_stale++;
            if (rte_ring_sp_enqueue_elem(q->to_handler, &idxs[k], sizeof idxs[k]) == 0) {
                requeued = true;
                continue;
            }
        }
        c->pending[up->flow.in_port % PENDING_BUCKETS]--;
        if (stale) {
            rte_pktmbuf_free(up->m);
        } else {
            complete_upcall(c, ps, up, now);
        }
        q->free_stack[q->n_free++] = idxs[k];
        pmd->stats.upcalls_done++;
    }
    if (requeued && handler_kick(pmd->dp)) {
        c->waking_until = now + c->wake_tsc;
    }
    if (n) {
        pmd_outs_to_tx(c, ps);
    }
    return n != 0;
}

/*
 * Packets of a new flow that miss in consecutive bursts are upcalled in
 * order, but once the first answer installs the megaflow, later packets
 * would hit it and overtake those still at the handler.  So a port with
 * upcalls in flight is not polled again until they are back: its packets
 * wait in its rx ring, while the PMD goes on with the other ports (it used
 * to spin here, which under a storm of new flows on one port took time
 * from all the others).  The hold is bounded; after one times out (the
 * handler is behind) no port is held back for a while, so a miss storm
 * never stops a port.  The bound is longer right after the handler had to
 * be woken from poll(2): on a busy CPU the scheduler can take milliseconds
 * to run it, and that is no storm (a storm keeps the handler awake).
 *
 * Holds are also budgeted: at most HOLD_BUDGET_PCT % of each 100 ms, after
 * which no port is held until the 100 ms are over.  Else a trickle of new
 * flows on a port (a mask attack at 1 000 packets/s, each upcall waking
 * the handler) would keep that port's legitimate traffic waiting for a
 * tenth of the time or more; past the budget a new flow's later packets
 * may overtake its first one, as in a storm.
 */
static bool
port_may_poll(struct pmd_ctx *c, uint32_t ofport, uint64_t now)
{
    unsigned b = ofport % PENDING_BUCKETS;

    if (!c->pending[b]) {
        if (c->held_since[b]) {
            c->hold_spent += now - c->held_since[b];
            c->held_since[b] = 0;
        }
        return true;
    }
    if (now < c->no_wait_until) {
        return true;
    }
    if (now >= c->hold_window_end) {
        c->hold_window_end = now + c->hold_window_tsc;
        c->hold_spent = 0;
    }
    if (!c->held_since[b]) {
        c->held_since[b] = now;
        return false;
    }
    uint64_t held = now - c->held_since[b];
    if (c->hold_spent + held > c->hold_budget_tsc) {
        c->hold_spent += held;
        c->held_since[b] = 0;
        c->no_wait_until = c->hold_window_end;
        c->pmd->stats.upcall_waits_budget++;
        return true;
    }
    if (held <= (now < c->waking_until ? c->wake_tsc : c->wait_tsc)) {
        return false;
    }
    c->hold_spent += held;
    c->held_since[b] = 0;
    c->no_wait_until = now + c->wait_tsc * 32;
    c->pmd->stats.upcall_waits_timed_out++;
    return true;
}

int
vsw_pmd_main(void *arg)
{
    struct vsw_pmd *pmd = arg;
    struct vsw_dp *dp = pmd->dp;
    static __thread struct pmd_ctx ctx;
    struct rte_mbuf *pkts[BURST];
    const char *impl;

    memset(&ctx, 0, sizeof ctx);
    ctx.pmd = pmd;
    ctx.sig_match = emc_sig_match_best(&impl);
    ctx.parse_burst = dp->parse_burst;
    ctx.idle_tsc = dp->megaflow_idle_ms * rte_get_tsc_hz() / 1000;
    /* Long enough for a napping handler (naps of up to 200 us); short enough
     * for an rx ring.  A handler woken from poll(2) gets wake_tsc. */
    ctx.wait_tsc = rte_get_tsc_hz() / 1000000 * 300 * VSW_BUILD_SLOWDOWN;  /* 300 us */
    ctx.wake_tsc = rte_get_tsc_hz() / 1000 * 10 * VSW_BUILD_SLOWDOWN;      /* 10 ms */
    ctx.sweep_tsc = rte_get_tsc_hz() / SWEEPS_PER_SEC;
    ctx.rerank_tsc = rte_get_tsc_hz() / RERANKS_PER_SEC;
    ctx.hold_window_tsc = rte_get_tsc_hz() / 10;
    ctx.hold_budget_tsc = ctx.hold_window_tsc / 100 * HOLD_BUDGET_PCT;
    rte_rcu_qsbr_thread_register(dp->qsbr, pmd->idx);
    rte_rcu_qsbr_thread_online(dp->qsbr, pmd->idx);

    while (!__atomic_load_n(&dp->quit, __ATOMIC_RELAXED)) {
        const struct vsw_ports_snap *ps = VSW_RCU_LOAD(dp->ports);
        const struct vsw_cls *cls = VSW_RCU_LOAD(dp->cls);
        uint64_t start = rte_rdtsc();
        bool busy = false;

        /* We were asked to: nothing cached may be used any more.  A rule
         * or port change only makes the upcalls in flight stale (mf_gen);
         * the control thread revalidates the megaflows it may affect one by
         * one (src/xlate/revalidate.c). */
        if (unlikely(pmd->flush_req)) {
            dpcls_flush(pmd->dpcls);
            emc_flush(pmd->emc);
            pmd->flush_req = false;
        }
        if (unlikely(!rte_ring_empty(pmd->upq->fdb_changes)
                     || __atomic_load_n(&pmd->upq->fdb_lost, __ATOMIC_RELAXED))) {
            forget_macs(pmd);
        }
        pmd->mf_gen = vsw_dp_cache_gen(cls, ps, VSW_RCU_LOAD(dp->groups));
        for (unsigned p = 0; p < ps->n; p++) {
            struct vsw_port *port = ps->ports[p];
            if (!port_may_poll(&ctx, port->ofport, start)) {
                continue;
            }
            for (uint16_t q = (uint16_t) pmd->idx; q < port->n_rxq;
                 q = (uint16_t) (q + dp->n_pmds)) {
                uint16_t n = port_rx(pmd, port, q, pkts);
                if (n) {
                    busy = true;
                    port->stats[pmd->idx].rxq_packets[q] += n;
                    process_burst(&ctx, ps, port, pkts, n, start);
                    /* Send right away rather than at the end of the
                     * iteration: a VM waiting for its packets (a ping, a
                     * request/response loop) should not wait for the
                     * other ports to be polled. */
                    pmd_tx_flush_all(&ctx, ps);
                }
            }
        }
        if (pmd->upq->n_free != UPCALL_SLOTS) {
            uint64_t t = rte_rdtsc();
            if (drain_completions(&ctx, ps, t)) {
                busy = true;
                pmd->stats.cycles_upcall += rte_rdtsc() - t;
            }
        }
        pmd_tx_flush_all(&ctx, ps);   /* What completed upcalls produced. */
        if (start >= ctx.next_sweep) {
            pmd->stats.megaflows_expired += dpcls_sweep(pmd->dpcls, start, ctx.idle_tsc,
                                                        SWEEP_BUDGET);
            ctx.next_sweep = start + ctx.sweep_tsc;
        }
        /* Rerank after many subtable lookups, or ten times a second if
         * there were some (with the EMC answering most packets, the
         * subtables a miss probes first would otherwise stay in the order
         * they came: under a mask attack, behind a hundred of the
         * attacker's). */
        if (pmd->dpcls->lookups_since_rerank > DPCLS_RERANK_INTERVAL
            || (start >= ctx.next_rerank
                && pmd->dpcls->lookups_since_rerank >= DPCLS_RERANK_MIN)) {
            dpcls_rerank(pmd->dpcls);
            ctx.next_rerank = start + ctx.rerank_tsc;
        }
        if (unlikely(__atomic_load_n(&pmd->pout_req, __ATOMIC_RELAXED) != NULL)) {
            serve_packet_out(&ctx, ps);
        }
        if (ctx.xs.pins) {
            pmd->stats.pins += ctx.xs.pins;
            pin_kick(dp);
        }
        pmd->stats.pin_queue_full += ctx.xs.pin_full;
        pmd->stats.copy_failed += ctx.xs.copy_failed;
        pmd->stats.no_headroom += ctx.xs.no_headroom;
        pmd->stats.outs_overflow += ctx.xs.outs_overflow;
        memset(&ctx.xs, 0, sizeof ctx.xs);
        pmd->stats.iterations++;
        if (busy) {
            pmd->stats.busy_iterations++;
            pmd->stats.cycles_busy += rte_rdtsc() - start;
        }
        vsw_pmd_serve_requests(pmd);
        rte_rcu_qsbr_quiescent(dp->qsbr, pmd->idx);
    }
    /* Stopping: nothing more is received, but packets already taken in are
     * finished: wait (up to a second) for the handler's answers to the
     * upcalls in flight, execute them and flush, so that what a port
     * received before SIGTERM is also sent (a tx pcap is complete).  The
     * handler runs until every PMD has returned. */
    const struct vsw_ports_snap *ps = VSW_RCU_LOAD(dp->ports);
    uint64_t deadline = rte_rdtsc() + rte_get_tsc_hz();
    while (pmd->upq->n_free != UPCALL_SLOTS && rte_rdtsc() < deadline) {
        drain_completions(&ctx, ps, rte_rdtsc());
        rte_rcu_qsbr_quiescent(dp->qsbr, pmd->idx);
    }
    pmd_tx_flush_all(&ctx, ps);
    vsw_pmd_abandon_requests(pmd);
    rte_rcu_qsbr_thread_offline(dp->qsbr, pmd->idx);
    rte_rcu_qsbr_thread_unregister(dp->qsbr, pmd->idx);
    return 0;
}

int
vsw_threads_start(struct vsw_dp *dp)
{
    dp->running = true;
    if (handler_start(dp)) {
        return EAGAIN;
    }
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        int ret = rte_eal_remote_launch(vsw_pmd_main, &dp->pmds[i], dp->pmds[i].lcore);
        if (ret) {
            VSW_LOG(VSW_LOG_ERR, "cannot launch PMD on lcore %u: %s", dp->pmds[i].lcore,
                    strerror(-ret));
            return -ret;
        }
    }
    return 0;
}

void
vsw_threads_stop(struct vsw_dp *dp)
{
    __atomic_store_n(&dp->quit, true, __ATOMIC_RELEASE);
    if (dp->running) {
        for (unsigned i = 0; i < dp->n_pmds; i++) {
            rte_eal_wait_lcore(dp->pmds[i].lcore);
        }
        dp->running = false;
    }
    handler_stop(dp);
    /* Free packets that were waiting for, or coming back from, the handler. */
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        struct upcall_queue *q = dp->pmds[i].upq;
        uint32_t idx;
        while (q && (!rte_ring_dequeue_elem(q->to_handler, &idx, sizeof idx)
                     || !rte_ring_dequeue_elem(q->to_pmd, &idx, sizeof idx))) {
            rte_pktmbuf_free(q->slots[idx].m);
        }
    }
}
