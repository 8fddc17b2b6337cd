/* SPDX-License-Identifier: Apache-2.0 */
/* Packet-in delivery and formatting; see packet_in.h. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "ctl/ctl_cmd.h"
#include "ctl/ctl_server.h"
#include "dp.h"
#include "pmd/pin_queue.h"
#include "ruleset.h"
#include "vsw/actions.h"
#include "vsw/match.h"
#include "vsw/ofp_parse.h"
#include "xlate/packet_in.h"

#define DRAIN_BURST 32
#define MAX_FRAME (VSW_MTU_MAX + 64)

/* Control-thread state (one bridge per process). */
static struct {
    int efd;                  /* Doorbell rung by the PMDs. */
    uint32_t rate, burst;     /* Token bucket: per second (0: no limit), depth. */
    uint64_t tokens_milli;    /* Tokens held, in thousandths. */
    uint64_t last_ns;         /* Last refill. */
    uint64_t received;        /* Records taken from the PMDs. */
    uint64_t delivered;       /* Published to the monitors. */
    uint64_t no_subscriber;   /* Dropped: nobody was listening. */
    uint64_t not_enabled;     /* Dropped: a reason monitors do not get. */
    uint64_t rate_limited;    /* Dropped: over the rate limit. */
    uint64_t malformed;       /* Dropped: unreadable entry (a bug). */
    uint64_t flow_removed;    /* Flow removals published. */
} pin = { .efd = -1 };

/* ---- Formatting. ---- */

void
vsw_pin_format_port(uint32_t port, struct vsw_buf *out)
{
    static const char *const names[] = {
        "IN_PORT", "TABLE", "NORMAL", "FLOOD", "ALL", "CONTROLLER", "LOCAL", "ANY",
    };

    if (port >= VSW_OFPP_IN_PORT && port <= VSW_OFPP_NONE) {
        vsw_buf_printf(out, "%s", names[port - VSW_OFPP_IN_PORT]);
    } else {
        vsw_buf_printf(out, "%" PRIu32, port);
    }
}

/* OVS's match_wc_init(): the fields a packet of this kind has. */
static void
packet_mask(const struct vsw_flow *f, struct vsw_flow *m)
{
    bool ip4 = f->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    bool ip6 = f->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6);

    memset(m, 0, sizeof *m);
    memset(m->dl_src, 0xff, 6);
    memset(m->dl_dst, 0xff, 6);
    m->dl_type = 0xffff;
    m->vlan_tci = 0xffff;
    if (ip4 || ip6) {
        if (ip4) {
            m->nw_src = m->nw_dst = UINT32_MAX;
        } else {
            memset(m->ipv6_src, 0xff, 16);
            memset(m->ipv6_dst, 0xff, 16);
            m->ipv6_label = rte_cpu_to_be_32(0xfffff);
        }
        m->nw_proto = 0xff;
        m->nw_tos = 0xff;
        m->nw_ttl = 0xff;
        m->nw_frag = VSW_FRAG_MASK;
        if (!(f->nw_frag & VSW_FRAG_LATER)) {
            switch (f->nw_proto) {
            case VSW_IPPROTO_TCP:
                m->tcp_flags = rte_cpu_to_be_16(VSW_TCP_FLAGS_MASK);
                /* fall through */
            case VSW_IPPROTO_UDP:
            case VSW_IPPROTO_SCTP:
                m->tp_src = m->tp_dst = 0xffff;
                break;
            case VSW_IPPROTO_ICMP:
                if (ip4) {
                    m->tp_src = m->tp_dst = 0xffff;
                }
                break;
            case VSW_IPPROTO_ICMPV6:
                if (ip6) {
                    m->tp_src = m->tp_dst = 0xffff;
                    if (f->tp_src == rte_cpu_to_be_16(135) || f->tp_src == rte_cpu_to_be_16(136)) {
                        memset(m->nd_target, 0xff, 16);
                        memset(m->arp_sha, 0xff, 6);
                        memset(m->arp_tha, 0xff, 6);
                    }
                }
                break;
            default:
                break;
            }
        }
    } else if (f->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_ARP)
               || f->dl_type == rte_cpu_to_be_16(VSW_ETH_TYPE_RARP)) {
        m->nw_src = m->nw_dst = UINT32_MAX;
        m->nw_proto = 0xff;
        memset(m->arp_sha, 0xff, 6);
        memset(m->arp_tha, 0xff, 6);
    }
}

/* Whether a VLAN header (OVS eth_type_vlan(): 802.1Q or 802.1ad) with the
 * ethertype after it starts at 'ofs'. */
static bool
tag_at(const uint8_t *pkt, uint32_t len, uint32_t ofs)
{
    if (ofs + 6 > len) {
        return false;
    }
    uint16_t tpid = (uint16_t) (pkt[ofs] << 8 | pkt[ofs + 1]);
    return tpid == 0x8100 || tpid == 0x88a8;
}

static bool
is_vlan_token(const char *t)
{
    return !strncmp(t, "dl_vlan=", 8) || !strncmp(t, "dl_vlan_pcp=", 12)
           || !strncmp(t, "vlan_tci=", 9);
}

/* ofp_packet_to_string() parses two VLAN headers (ovs-ofctl's vlan limit),
 * vsw's flow one: 'text' is the match of the frame with its outer tag
 * removed if it had two.  Rewrites it as OVS prints the frame: a single
 * tag is followed by "vlan_tci1=0x0000"; of two, the inner one is named
 * dl_vlan1/dl_vlan_pcp1/vlan_tci1 after the outer one. */
static void
format_vlans(const char *text, unsigned n_tags, uint16_t outer_tci, char *buf, size_t size)
{
    char copy[1024];
    size_t used = 0;
    bool in_vlan = false, done = false;

    snprintf(copy, sizeof copy, "%s", text);
    buf[0] = '\0';
#define PUT(...)                                                                    \
    do {                                                                            \
        int n_ = snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__); \
        used += n_ > 0 ? (size_t) n_ : 0;                                           \
    } while (0)
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        const char *sep = used ? "," : "";
        if (!done && is_vlan_token(t)) {
            if (!in_vlan && n_tags == 2) {
                PUT("%sdl_vlan=%u,dl_vlan_pcp=%u", sep, outer_tci & 0xfffu, outer_tci >> 13);
                sep = ",";
            }
            in_vlan = true;
            if (n_tags == 2) {
                const char *eq = strchr(t, '=');
                PUT("%s%.*s1%s", sep, (int) (eq - t), t, eq);
            } else {
                PUT("%s%s", sep, t);
            }
            continue;
        }
        if (in_vlan && !done) {
            done = true;
            if (n_tags == 1) {
                PUT(",vlan_tci1=0x0000");
            }
        }
        PUT("%s%s", used ? "," : "", t);
    }
    if (in_vlan && !done && n_tags == 1) {
        PUT(",vlan_tci1=0x0000");
    }
#undef PUT
}

void
vsw_pin_format_packet(const uint8_t *pkt, uint32_t len, struct vsw_buf *out)
{
    static uint8_t inner[MAX_FRAME];   /* Control thread only. */
    struct vsw_layout lay;
    struct vsw_match m;
    char text[1024], text2[1200];
    unsigned n_tags = 0;
    uint16_t outer_tci = 0;

    if (tag_at(pkt, len, 12)) {
        n_tags = tag_at(pkt, len, 16) && len <= sizeof inner ? 2 : 1;
        outer_tci = (uint16_t) (pkt[14] << 8 | pkt[15]);
    }
    if (n_tags == 2) {
        /* The frame without its outer tag: vsw's parse then sees the inner
         * one and what follows it, as OVS's second VLAN slot does. */
        memcpy(inner, pkt, 12);
        memcpy(inner + 12, pkt + 16, len - 16);
        pkt = inner;
        len -= 4;
    }
    memset(&m, 0, sizeof m);
    vsw_flow_extract(pkt, len, 0, &m.key, &lay);
    packet_mask(&m.key, &m.mask);
    vsw_match_normalize(&m);
    vsw_match_format(&m, VSW_DEFAULT_PRIORITY, text, sizeof text);
    if (n_tags) {
        format_vlans(text, n_tags, outer_tci, text2, sizeof text2);
        vsw_buf_printf(out, "%s", text2);
    } else {
        vsw_buf_printf(out, "%s", text);
    }

    /* The L4 checksum, as ofp_packet_to_string() adds it: from the bytes
     * after the IP header, a later fragment's too. */
    if (lay.l4_ofs != VSW_OFS_NONE && lay.l4_ofs <= lay.l3_end && lay.l3_end <= len) {
        const uint8_t *l4 = pkt + lay.l4_ofs;
        uint32_t l4_size = (uint32_t) lay.l3_end - lay.l4_ofs;

        if (m.key.nw_proto == VSW_IPPROTO_TCP && l4_size >= 20) {
            vsw_buf_printf(out, " tcp_csum:%x", (unsigned) (l4[16] << 8 | l4[17]));
        } else if (m.key.nw_proto == VSW_IPPROTO_UDP && l4_size >= 8) {
            vsw_buf_printf(out, " udp_csum:%x", (unsigned) (l4[6] << 8 | l4[7]));
        } else if (m.key.nw_proto == VSW_IPPROTO_SCTP && l4_size >= 12) {
            vsw_buf_printf(out, " sctp_csum:%" PRIx32,
                           (uint32_t) l4[8] << 24 | (uint32_t) l4[9] << 16
                           | (uint32_t) l4[10] << 8 | l4[11]);
        } else if (m.key.nw_proto == VSW_IPPROTO_ICMP && l4_size >= 4) {
            vsw_buf_printf(out, " icmp_csum:%x", (unsigned) (l4[2] << 8 | l4[3]));
        } else if (m.key.nw_proto == VSW_IPPROTO_ICMPV6 && l4_size >= 4) {
            vsw_buf_printf(out, " icmp6_csum:%x", (unsigned) (l4[2] << 8 | l4[3]));
        }
    }
}

static const char *
reason_name(uint8_t reason)
{
    switch (reason) {
    case VSW_PIN_NO_MATCH:
        return "no_match";
    case VSW_PIN_ACTION:
        return "action";
    case VSW_PIN_INVALID_TTL:
        return "invalid_ttl";
    case VSW_PIN_ACTION_SET:
        return "action_set";
    case VSW_PIN_GROUP:
        return "group";
    case VSW_PIN_PACKET_OUT:
        return "packet_out";
    default:
        return "?";
    }
}

void
vsw_pin_format(const struct vsw_odp_pin *p, const uint8_t *pkt, uint32_t len,
               struct vsw_buf *out)
{
    vsw_buf_printf(out, "NXT_PACKET_IN2 (OF1.3) (xid=0x0):");
    if (p->table_id) {
        vsw_buf_printf(out, " table_id=%u", p->table_id);
    }
    if (p->cookie != UINT64_MAX) {
        vsw_buf_printf(out, " cookie=0x%" PRIx64, p->cookie);
    }
    vsw_buf_printf(out, " total_len=%" PRIu32 " ", len);
    for (unsigned i = 0; i < 16; i++) {
        if (p->regs[i]) {
            vsw_buf_printf(out, "reg%u=0x%" PRIx32 ",", i, p->regs[i]);
        }
    }
    if (p->metadata) {
        vsw_buf_printf(out, "metadata=0x%" PRIx64 ",", p->metadata);
    }
    vsw_buf_printf(out, "in_port=");
    vsw_pin_format_port(p->in_port, out);
    /* OVS 3.1 sends the whole packet whatever max_len says (it buffers
     * nothing): data_len is total_len. */
    vsw_buf_printf(out, " (via %s) data_len=%" PRIu32 " (unbuffered)\n", reason_name(p->reason),
                   len);
    if (p->userdata_len) {
        vsw_buf_printf(out, " userdata=");
        for (unsigned i = 0; i < p->userdata_len; i++) {
            vsw_buf_printf(out, "%s%02x", i ? "." : "", p->userdata[i]);
        }
        vsw_buf_printf(out, "\n");
    }
    vsw_pin_format_packet(pkt, len, out);
    vsw_buf_printf(out, "\n");
}

/* ---- Flow removals. ---- */

void
vsw_flow_removed_format(const struct vsw_rule *r, unsigned reason, uint64_t age_ms,
                        struct vsw_buf *out)
{
    static const char *const reasons[] = { "idle", "hard", "delete", "group_delete" };
    uint64_t packets, bytes, used;
    char match[2048];

    vsw_rule_get_stats(r, &packets, &bytes, &used);
    vsw_match_format(&r->match, (int) r->priority, match, sizeof match);
    vsw_buf_printf(out, "OFPT_FLOW_REMOVED (OF1.3) (xid=0x0): %s reason=%s table_id=%u", match,
                   reason < 4 ? reasons[reason] : "?", r->table_id);
    if (r->cookie) {
        vsw_buf_printf(out, " cookie:0x%" PRIx64, r->cookie);
    }
    vsw_buf_printf(out, " duration%" PRIu64, age_ms / 1000);
    if (age_ms % 1000) {
        vsw_buf_printf(out, ".%03u", (unsigned) (age_ms % 1000));
    }
    vsw_buf_printf(out, "s idle%u", r->idle_timeout);
    if (r->hard_timeout) {
        vsw_buf_printf(out, " hard%u", r->hard_timeout);
    }
    vsw_buf_printf(out, " pkts%" PRIu64 " bytes%" PRIu64 "\n", packets, bytes);
}

void
vsw_flow_removed_publish(void *ctl, const struct vsw_rule *r, enum vsw_rule_removed reason)
{
    struct vsw_buf text = { 0 };
    uint64_t age = rte_rdtsc() - r->created_tsc;

    if (!vsw_ctl_n_monitors(ctl)) {
        return;
    }
    vsw_flow_removed_format(r, reason, age * 1000 / rte_get_tsc_hz(), &text);
    vsw_ctl_publish(ctl, text.s, text.len);
    vsw_buf_free(&text);
    pin.flow_removed++;
}

/* ---- Delivery. ---- */

int
vsw_pin_setup(struct vsw_dp *dp, uint32_t rate, uint32_t burst, char *err, size_t err_size)
{
    pin.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (pin.efd < 0) {
        snprintf(err, err_size, "cannot create the packet-in doorbell: %s", strerror(errno));
        return errno;
    }
    pin.rate = rate;
    pin.burst = burst ? burst : (rate / 4 > VSW_PIN_MIN_BURST ? rate / 4 : VSW_PIN_MIN_BURST);
    pin.tokens_milli = (uint64_t) pin.burst * 1000;
    pin.last_ns = vsw_now_ns();
    dp->pin_efd = pin.efd;
    return 0;
}

int
vsw_pin_eventfd(void)
{
    return pin.efd;
}

static bool
queues_empty(const struct vsw_dp *dp)
{
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        if (!rte_ring_empty(dp->pmds[i].pinq->to_ctl)) {
            return false;
        }
    }
    return true;
}

int
vsw_pin_prepare_wait(struct vsw_dp *dp, int timeout_ms)
{
    __atomic_store_n(&dp->ctl_asleep, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return queues_empty(dp) ? timeout_ms : 0;
}

/* Takes one token if the bucket has one. */
static bool
take_token(void)
{
    uint64_t now = vsw_now_ns();

    if (!pin.rate) {
        return true;
    }
    /* Refill: rate tokens a second, in thousandths.  (Past 100 s the
     * bucket is full anyway; the cap keeps the product in 64 bits.) */
    uint64_t elapsed = now - pin.last_ns < 100000000000ull ? now - pin.last_ns
                                                           : 100000000000ull;
    uint64_t add = elapsed * pin.rate / 1000000;
    if (add) {
        pin.last_ns = now;
        pin.tokens_milli += add;
        if (pin.tokens_milli > (uint64_t) pin.burst * 1000) {
            pin.tokens_milli = (uint64_t) pin.burst * 1000;
        }
    }
    if (pin.tokens_milli < 1000) {
        return false;
    }
    pin.tokens_milli -= 1000;
    return true;
}

/* The packet as `ovs-ofctl -m monitor` dumps it after the summary: 16
 * bytes a line, offset, hex with a '-' after the eighth, then the bytes as
 * text between bars (for `vswctl monitor -m`). */
static void
hex_dump(const uint8_t *p, uint32_t len, struct vsw_buf *out)
{
    for (uint32_t ofs = 0; ofs < len; ofs += 16) {
        uint32_t n = len - ofs < 16 ? len - ofs : 16;

        vsw_buf_printf(out, "%08" PRIx32 "  ", ofs);
        for (uint32_t i = 0; i < 16; i++) {
            if (i < n) {
                vsw_buf_printf(out, "%02x%c", p[ofs + i], i == 7 ? '-' : ' ');
            } else {
                vsw_buf_printf(out, "   ");
            }
        }
        vsw_buf_printf(out, "|");
        for (uint32_t i = 0; i < n; i++) {
            uint8_t c = p[ofs + i];
            vsw_buf_printf(out, "%c", c >= 32 && c < 127 ? c : '.');
        }
        vsw_buf_printf(out, "|\n");
    }
}

static void
deliver(struct vsw_ctl *ctl, const struct pin_rec *r)
{
    static uint8_t frame[MAX_FRAME];
    struct vsw_odp_pin p;
    struct vsw_buf text = { 0 };
    struct vsw_buf more = { 0 };
    uint32_t len;
    const uint8_t *data;

    pin.received++;
    if (!vsw_ctl_n_monitors(ctl)) {
        pin.no_subscriber++;
        return;
    }
    if (!vsw_odp_userspace_decode((const struct vsw_odp_hdr *) (const void *) r->ud, &p)) {
        pin.malformed++;
        return;
    }
    if (p.controller_id != 0) {
        /* A packet-in goes to the connections with its controller id; a
         * monitor is controller id 0, as OVS's connections are by default
         * (ovs-ofctl monitor gets none of controller(id=7)'s). */
        pin.no_subscriber++;
        return;
    }
    if (p.reason == VSW_PIN_INVALID_TTL) {
        /* An OpenFlow 1.3 connection's default asynchronous configuration
         * (what `ovs-ofctl -O OpenFlow13 monitor` keeps) leaves invalid_ttl
         * packet-ins out: OVS does not send them. */
        pin.not_enabled++;
        return;
    }
    if (!take_token()) {
        pin.rate_limited++;
        return;
    }
    len = rte_pktmbuf_pkt_len(r->m);
    if (len > sizeof frame) {
        len = sizeof frame;
    }
    data = rte_pktmbuf_read(r->m, 0, len, frame);
    if (!data) {
        pin.malformed++;
        return;
    }
    vsw_pin_format(&p, data, len, &text);
    hex_dump(data, len, &more);
    vsw_ctl_publish2(ctl, text.s, text.len, more.s, more.len);
    vsw_buf_free(&text);
    vsw_buf_free(&more);
    pin.delivered++;
}

void
vsw_pin_run(struct vsw_dp *dp, struct vsw_ctl *ctl)
{
    __atomic_store_n(&dp->ctl_asleep, 0, __ATOMIC_RELAXED);
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        struct pin_queue *q = dp->pmds[i].pinq;
        uint32_t idxs[DRAIN_BURST];
        unsigned n;

        while ((n = rte_ring_sc_dequeue_burst_elem(q->to_ctl, idxs, sizeof idxs[0], DRAIN_BURST,
                                                   NULL))) {
            for (unsigned k = 0; k < n; k++) {
                struct pin_rec *r = &q->recs[idxs[k]];
                deliver(ctl, r);
                rte_pktmbuf_free(r->m);
                r->m = NULL;
            }
            /* Cannot fail: the ring holds every index. */
            rte_ring_sp_enqueue_burst_elem(q->free, idxs, sizeof idxs[0], n, NULL);
        }
    }
}

void
vsw_pin_destroy(struct vsw_dp *dp)
{
    for (unsigned i = 0; i < dp->n_pmds; i++) {
        pin_queue_destroy(dp->pmds[i].pinq);
        dp->pmds[i].pinq = NULL;
    }
    dp->pin_efd = -1;
    if (pin.efd >= 0) {
        close(pin.efd);
        pin.efd = -1;
    }
}

/* ---- controller-stats. ---- */

static int
cmd_controller_stats(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    uint64_t queued = 0, full = 0;

    (void) argc;
    (void) argv;
    for (unsigned i = 0; i < d->dp->n_pmds; i++) {
        queued += d->dp->pmds[i].stats.pins;
        full += d->dp->pmds[i].stats.pin_queue_full;
    }
    vsw_buf_printf(out, "packet-ins:\n");
    if (pin.rate) {
        vsw_buf_printf(out, "  rate limit: %" PRIu32 "/s, burst %" PRIu32 "\n", pin.rate,
                       pin.burst);
    } else {
        vsw_buf_printf(out, "  rate limit: none\n");
    }
    vsw_buf_printf(out, "  monitors: %u\n", vsw_ctl_n_monitors(d->ctl));
    vsw_buf_printf(out, "  queued by the PMDs: %" PRIu64 "\n", queued);
    vsw_buf_printf(out, "  dropped, PMD queue full: %" PRIu64 "\n", full);
    vsw_buf_printf(out, "  received: %" PRIu64 "\n", pin.received);
    vsw_buf_printf(out, "  delivered: %" PRIu64 "\n", pin.delivered);
    vsw_buf_printf(out, "  dropped, no subscriber: %" PRIu64 "\n", pin.no_subscriber);
    vsw_buf_printf(out, "  dropped, reason not sent to monitors (invalid_ttl): %" PRIu64 "\n",
                   pin.not_enabled);
    vsw_buf_printf(out, "  dropped, rate limited: %" PRIu64 "\n", pin.rate_limited);
    vsw_buf_printf(out, "flow removals published: %" PRIu64 "\n", pin.flow_removed);
    if (pin.malformed) {
        vsw_buf_printf(out, "  dropped, unreadable: %" PRIu64 "\n", pin.malformed);
    }
    return 0;
}

/* `vswctl monitor`: this connection becomes a subscriber. */
static int
cmd_monitor(struct vsw_ctl_ctx *d, int argc, char **argv, struct vsw_buf *out)
{
    bool verbose = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") || !strcmp(argv[i], "--more")) {
            verbose = true;
        } else {
            vsw_buf_printf(out, "usage: monitor [-m]");
            return EINVAL;
        }
    }
    if (vsw_ctl_subscribe(d->ctl, verbose)) {
        vsw_buf_printf(out, "too many monitors (%u); try again later", VSW_CTL_MAX_MONITORS);
        return EBUSY;
    }
    return 0;
}

void
vsw_pin_register_cmds(void)
{
    static const struct vsw_ctl_cmd cmds[] = {
        { "controller-stats", cmd_controller_stats },
        { "monitor", cmd_monitor },
    };

    vsw_ctl_cmd_register(cmds, sizeof cmds / sizeof cmds[0]);
}
