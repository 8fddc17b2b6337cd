/* SPDX-License-Identifier: Apache-2.0 */
/* A PMD's vhost-user sends, MTU checks and chained frames; see pmd_port.h. */

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "pmd/pmd.h"
#include "pmd/pmd_port.h"
#include "util.h"

/* Copies pkts[0..n) into the guest's rx ring of queue pair 'q' and frees
 * them all; returns how many the guest took (it may have no room, or not be
 * there: the rest are the caller's drops, already freed). */
uint16_t
pmd_vhost_tx(struct vsw_port *port, uint16_t q, struct rte_mbuf **pkts, uint16_t n,
             uint64_t *bytes)
{
    uint16_t nr = __atomic_load_n(&port->vhost_nr_vring, __ATOMIC_ACQUIRE);
    int vid = __atomic_load_n(&port->vhost_vid, __ATOMIC_ACQUIRE);
    uint16_t sent = 0;

    while (vid >= 0 && q != UINT16_MAX && VHOST_GUEST_RXQ(q) < nr && sent < n) {
        uint16_t k = rte_vhost_enqueue_burst(vid, VHOST_GUEST_RXQ(q), pkts + sent,
                                             (uint16_t) (n - sent));
        sent = (uint16_t) (sent + k);
        if (!k) {
            break;
        }
    }
    for (uint16_t i = 0; i < sent; i++) {
        *bytes += rte_pktmbuf_pkt_len(pkts[i]);
    }
    rte_pktmbuf_free_bulk(pkts, n);
    return sent;
}

/* Whether 'm', longer than mtu + 14, is longer than the MTU once its VLAN
 * tags are not counted (as OVS counts MTU).  Off the common path: only
 * frames over mtu + 14 bytes get here. */
bool
pmd_frame_over_mtu(const struct rte_mbuf *m, uint32_t mtu)
{
    uint32_t l3 = rte_pktmbuf_pkt_len(m) - RTE_ETHER_HDR_LEN;
    uint32_t off = 2 * RTE_ETHER_ADDR_LEN;

    for (;;) {
        uint16_t buf;
        const uint16_t *tpid = rte_pktmbuf_read(m, off, sizeof buf, &buf);
        if (!tpid || l3 < 4 || (*tpid != rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)
                                && *tpid != rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ))) {
            break;
        }
        l3 -= 4;
        off += 4;
    }
    return l3 > mtu;
}

/* Drops, and counts on the port, the frames in pkts[0..n) that exceed the
 * port's MTU, taking their lengths off '*bytes'; returns how many are left
 * (in order). */
uint16_t
pmd_tx_mtu_filter(struct vsw_port *port, struct vsw_port_stats *st, struct rte_mbuf **pkts,
                  uint16_t n, uint64_t *bytes)
{
    uint32_t max_frame = __atomic_load_n(&port->max_frame, __ATOMIC_RELAXED);
    uint32_t mtu = __atomic_load_n(&port->mtu, __ATOMIC_RELAXED);
    uint16_t k = 0;

    for (uint16_t i = 0; i < n; i++) {
        if (unlikely(rte_pktmbuf_pkt_len(pkts[i]) > max_frame) && pmd_frame_over_mtu(pkts[i], mtu)) {
            st->tx_over_mtu++;
            *bytes -= rte_pktmbuf_pkt_len(pkts[i]);
            rte_pktmbuf_free(pkts[i]);
        } else {
            pkts[k++] = pkts[i];
        }
    }
    return k;
}

/* A chained frame made contiguous: in place if its first segment has room,
 * else copied into one mbuf of the jumbo pool.  NULL (frame freed) if
 * neither works. */
struct rte_mbuf *
pmd_make_contiguous(struct vsw_pmd *pmd, struct rte_mbuf *m)
{
    struct rte_mempool *jumbo = __atomic_load_n(&pmd->dp->mp_jumbo, __ATOMIC_ACQUIRE);
    struct rte_mbuf *c;

    if (!rte_pktmbuf_linearize(m)) {
        return m;
    }
    if (jumbo && rte_pktmbuf_pkt_len(m) <= VSW_JUMBO_DATAROOM - RTE_PKTMBUF_HEADROOM) {
        c = rte_pktmbuf_copy(m, jumbo, 0, UINT32_MAX);
        if (c && rte_pktmbuf_is_contiguous(c)) {
            pmd->stats.chained++;
            rte_pktmbuf_free(m);
            return c;
        }
        rte_pktmbuf_free(c);
    }
    pmd->stats.nonlinear++;
    rte_pktmbuf_free(m);
    return NULL;
}
