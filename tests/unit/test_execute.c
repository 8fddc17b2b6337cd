/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for action execution: each action's effect on the bytes,
 * checksums (compared with a full recomputation), VLAN commit rules,
 * dec_ttl, several outputs.  Runs DPDK's EAL with --no-huge for mbufs.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "pmd/pin_queue.h"
#include "xlate/xlate.h"

static struct rte_mempool *mp;

#define BE16(x) rte_cpu_to_be_16(x)

/* Full one's complement checksum over 'len' bytes plus 'sum'. */
static uint16_t
csum_full(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t) (p[i] << 8 | p[i + 1]);
    }
    if (len & 1) {
        sum += (uint32_t) p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

/* Builds Ethernet + IPv4 + UDP/TCP with correct checksums. */
static size_t
build_ip4(uint8_t *p, uint8_t proto, bool zero_udp_csum, uint16_t vlan_tci)
{
    size_t n = 0, l4len = proto == 6 ? 20 + 6 : 8 + 6;
    static const uint8_t macs[12] = { 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1 };

    memcpy(p, macs, 12);
    n = 12;
    if (vlan_tci) {
        p[n++] = 0x81, p[n++] = 0x00;
        p[n++] = (uint8_t) (vlan_tci >> 8), p[n++] = (uint8_t) vlan_tci;
    }
    p[n++] = 0x08, p[n++] = 0x00;
    uint8_t *ip = p + n;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = 0, ip[3] = (uint8_t) (20 + l4len);
    ip[8] = 64;
    ip[9] = proto;
    ip[12] = 10, ip[13] = 0, ip[14] = 0, ip[15] = 1;
    ip[16] = 10, ip[17] = 0, ip[18] = 0, ip[19] = 2;
    uint16_t c = csum_full(ip, 20, 0);
    ip[10] = (uint8_t) (c >> 8), ip[11] = (uint8_t) c;
    uint8_t *l4 = ip + 20;
    memset(l4, 0, l4len);
    l4[0] = 0x04, l4[1] = 0x00, l4[2] = 0x00, l4[3] = 0x50;
    memcpy(l4 + l4len - 6, "abcdef", 6);
    if (proto == 6) {
        l4[12] = 0x50;
    } else {
        l4[4] = 0, l4[5] = (uint8_t) l4len;
    }
    if (!(proto == 17 && zero_udp_csum)) {
        uint32_t ps = (10 << 8) + 0 + (0 << 8) + 1 + (10 << 8) + 0 + (0 << 8) + 2 + proto
                      + (uint32_t) l4len;
        c = csum_full(l4, l4len, ps);
        if (proto == 17 && !c) {
            c = 0xffff;
        }
        uint8_t *cp = l4 + (proto == 6 ? 16 : 6);
        cp[0] = (uint8_t) (c >> 8), cp[1] = (uint8_t) c;
    }
    return n + 20 + l4len;
}

/* Verifies IPv4 and L4 checksums of a frame by recomputing them. */
static void
assert_ip4_csums_ok(const uint8_t *p, size_t eth_len)
{
    const uint8_t *ip = p + eth_len;
    size_t tot = (size_t) (ip[2] << 8 | ip[3]);
    assert_int_equal(csum_full(ip, 20, 0), 0);
    const uint8_t *l4 = ip + 20;
    uint32_t ps = 0;
    for (int i = 12; i < 20; i += 2) {
        ps += (uint32_t) (ip[i] << 8 | ip[i + 1]);
    }
    ps += ip[9] + (uint32_t) (tot - 20);
    if (ip[9] == 17 && !(l4[6] | l4[7])) {
        return; /* No UDP checksum. */
    }
    assert_int_equal(csum_full(l4, tot - 20, ps), 0);
}

static struct rte_mbuf *
mk_mbuf(const uint8_t *data, size_t len)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
    assert_non_null(m);
    memcpy(rte_pktmbuf_append(m, (uint16_t) len), data, len);
    return m;
}

struct run {
    struct vsw_exec_out outs[16];
    unsigned n;
};

static void
run_actions(const struct vsw_action *acts, unsigned n_acts, const uint8_t *pkt, size_t len,
            uint32_t in_port, struct run *r)
{
    struct vsw_actions *a = calloc(1, vsw_actions_size(n_acts));
    struct vsw_flow flow;
    struct vsw_layout lay;
    struct vsw_exec_env env = { .mp = mp };
    static const uint32_t ports[] = { 1, 2, 3 };
    struct vsw_exec_stats st = { 0 };
    struct rte_mbuf *m = mk_mbuf(pkt, len);

    a->n = n_acts;
    memcpy(a->a, acts, n_acts * sizeof *acts);
    vsw_flow_extract(pkt, (uint32_t) len, in_port, &flow, &lay);
    r->n = 0;
    xlate_execute(a, m, &flow, &lay, ports, 3, &env, r->outs, &r->n, 16, &st);
    free(a);
}

static void
free_run(struct run *r)
{
    for (unsigned i = 0; i < r->n; i++) {
        rte_pktmbuf_free(r->outs[i].m);
    }
}

#define OUT(p) { .type = VSW_ACT_OUTPUT, .port = (p) }

static void
test_csum_update_matches_full(void **state)
{
    (void) state;
    srand(7);
    for (int i = 0; i < 100000; i++) {
        uint8_t buf[20];
        for (int k = 0; k < 20; k++) {
            buf[k] = (uint8_t) rand();
        }
        uint16_t c = csum_full(buf, 20, 0);
        uint32_t old32, new32 = (uint32_t) rand();
        memcpy(&old32, buf + 8, 4);
        uint16_t be_c = BE16(c);
        uint16_t upd = vsw_csum_update32(be_c, old32, new32);
        memcpy(buf + 8, &new32, 4);
        uint16_t want = csum_full(buf, 20, 0);
        /* Equal as one's complement numbers (0x0000 and 0xffff both zero). */
        uint16_t got = rte_be_to_cpu_16(upd);
        assert_true(got == want || (got == 0xffff && want == 0) || (got == 0 && want == 0xffff));
    }
}

static void
test_nat_tcp_udp(void **state)
{
    uint8_t pkt[128];
    struct run r;
    struct vsw_action acts[] = {
        { .type = VSW_ACT_SET_IPV4_SRC, .be32 = rte_cpu_to_be_32(0xc0a80101) },
        { .type = VSW_ACT_SET_L4_DST, .be16 = BE16(8080) },
        OUT(2),
    };

    (void) state;
    for (int proto = 6; proto <= 17; proto += 11) {
        size_t len = build_ip4(pkt, (uint8_t) proto, false, 0);
        run_actions(acts, 3, pkt, len, 1, &r);
        assert_int_equal(r.n, 1);
        const uint8_t *o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
        assert_int_equal(o[26], 192);
        assert_int_equal(o[14 + 20 + 2] << 8 | o[14 + 20 + 3], 8080);
        assert_ip4_csums_ok(o, 14);
        free_run(&r);
    }
}

static void
test_udp_zero_csum_stays_zero(void **state)
{
    uint8_t pkt[128];
    struct run r;
    struct vsw_action acts[] = {
        { .type = VSW_ACT_SET_IPV4_DST, .be32 = rte_cpu_to_be_32(0x01020304) },
        { .type = VSW_ACT_SET_L4_SRC, .be16 = BE16(9) },
        OUT(2),
    };
    size_t len = build_ip4(pkt, 17, true, 0);

    (void) state;
    run_actions(acts, 3, pkt, len, 1, &r);
    const uint8_t *o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
    assert_int_equal(o[14 + 20 + 6] | o[14 + 20 + 7], 0);
    assert_int_equal(o[14 + 20 + 1], 9);
    assert_int_equal(csum_full(o + 14, 20, 0), 0);
    free_run(&r);
}

static void
test_vlan_push_retag_pop(void **state)
{
    uint8_t pkt[128];
    struct run r;
    (void) state;

    /* push on untagged: new tag with VID/PCP from the set actions, DEI 0. */
    size_t len = build_ip4(pkt, 17, false, 0);
    struct vsw_action push[] = {
        { .type = VSW_ACT_PUSH_VLAN, .be16 = BE16(0x88a8) },
        { .type = VSW_ACT_SET_VLAN_VID, .u16 = 100 },
        OUT(2),
    };
    run_actions(push, 3, pkt, len, 1, &r);
    const uint8_t *o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
    assert_int_equal(rte_pktmbuf_data_len(r.outs[0].m), len + 4);
    assert_int_equal(o[12] << 8 | o[13], 0x88a8);
    assert_int_equal(o[14] << 8 | o[15], 100);
    assert_memory_equal(o + 16, pkt + 12, len - 12);
    free_run(&r);

    /* retag a tag with DEI set: PCP kept, DEI cleared (pop + push). */
    len = build_ip4(pkt, 17, false, 0xb000 | 20); /* PCP 5, DEI 1, VID 20 */
    struct vsw_action retag[] = { { .type = VSW_ACT_SET_VLAN_VID, .u16 = 30 }, OUT(2) };
    run_actions(retag, 2, pkt, len, 1, &r);
    o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
    assert_int_equal(o[14] << 8 | o[15], 0xa000 | 30);
    free_run(&r);

    /* No net change keeps DEI: push then pop. */
    struct vsw_action nop[] = { { .type = VSW_ACT_PUSH_VLAN, .be16 = BE16(0x8100) },
                                { .type = VSW_ACT_POP_VLAN }, OUT(2) };
    run_actions(nop, 3, pkt, len, 1, &r);
    assert_memory_equal(rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *), pkt, len);
    free_run(&r);

    /* pop */
    struct vsw_action pop[] = { { .type = VSW_ACT_POP_VLAN }, OUT(2) };
    run_actions(pop, 2, pkt, len, 1, &r);
    assert_int_equal(rte_pktmbuf_data_len(r.outs[0].m), len - 4);
    o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
    assert_int_equal(o[12] << 8 | o[13], 0x0800);
    free_run(&r);
}

static void
test_dec_ttl_and_outputs(void **state)
{
    uint8_t pkt[128];
    struct run r;
    struct vsw_action acts[] = {
        OUT(3), { .type = VSW_ACT_DEC_TTL }, OUT(2), OUT(1),
        { .type = VSW_ACT_IN_PORT },
    };
    size_t len = build_ip4(pkt, 6, false, 0);

    (void) state;
    run_actions(acts, 5, pkt, len, 1, &r);
    /* output:1 is the ingress port and is skipped; in_port is not. */
    assert_int_equal(r.n, 3);
    assert_int_equal(r.outs[0].port, 3);
    assert_int_equal(r.outs[1].port, 2);
    assert_int_equal(r.outs[2].port, 1);
    assert_memory_equal(rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *), pkt, len);
    const uint8_t *o = rte_pktmbuf_mtod(r.outs[1].m, const uint8_t *);
    assert_int_equal(o[14 + 8], 63);
    assert_ip4_csums_ok(o, 14);
    free_run(&r);

    pkt[14 + 8] = 1;   /* TTL 1: the list stops at dec_ttl. */
    run_actions(acts, 5, pkt, len, 1, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.outs[0].port, 3);
    free_run(&r);
}

/* The controller action: a copy of the packet as the actions left it goes
 * to the packet-in queue with its entry; the outputs around it are not
 * affected; a full queue drops the packet-in, counted, and leaks nothing. */
static void
test_controller_to_pin_queue(void **state)
{
    uint8_t pkt[128];
    struct vsw_action acts[] = {
        OUT(3),
        { .type = VSW_ACT_SET_IPV4_DST, .be32 = RTE_BE32(0x01020304) },
        { .type = VSW_ACT_CONTROLLER, .ctrl = { .max_len = 40, .reason = VSW_PIN_ACTION } },
        OUT(2),
    };
    size_t len = build_ip4(pkt, 17, false, 0);
    struct pin_queue *q = pin_queue_create(99, 0);
    struct vsw_actions *a = calloc(1, vsw_actions_size(4));
    static const uint32_t ports[] = { 1, 2, 3 };
    struct vsw_exec_env env = { .mp = mp, .pinq = q };
    struct vsw_exec_stats st = { 0 };
    struct vsw_exec_out outs[8];
    struct vsw_flow flow;
    struct vsw_layout lay;
    struct vsw_odp_pin pin;
    unsigned n = 0, avail = rte_mempool_avail_count(mp);
    uint32_t idx = 0;

    (void) state;
    assert_non_null(q);
    a->n = 4;
    memcpy(a->a, acts, sizeof acts);
    vsw_flow_extract(pkt, (uint32_t) len, 1, &flow, &lay);
    xlate_execute(a, mk_mbuf(pkt, len), &flow, &lay, ports, 3, &env, outs, &n, 8, &st);
    assert_int_equal(n, 2);
    assert_int_equal(st.pins, 1);
    assert_int_equal(outs[0].port, 3);
    assert_memory_equal(rte_pktmbuf_mtod(outs[0].m, const uint8_t *), pkt, len);
    assert_int_equal(outs[1].port, 2);

    assert_int_equal(rte_ring_sc_dequeue_elem(q->to_ctl, &idx, sizeof idx), 0);
    struct pin_rec *r = &q->recs[idx];
    const uint8_t *p = rte_pktmbuf_mtod(r->m, const uint8_t *);
    assert_int_equal(rte_pktmbuf_pkt_len(r->m), len);
    assert_memory_equal(p + 14 + 16, "\x01\x02\x03\x04", 4);   /* Rewritten first. */
    assert_memory_equal(p, rte_pktmbuf_mtod(outs[1].m, const uint8_t *), len);
    assert_ip4_csums_ok(p, 14);
    assert_true(vsw_odp_userspace_decode((const struct vsw_odp_hdr *) (void *) r->ud, &pin));
    assert_int_equal(pin.in_port, 1);
    assert_int_equal(pin.max_len, 40);
    assert_int_equal(pin.reason, VSW_PIN_ACTION);
    assert_true(pin.cookie == UINT64_MAX);
    rte_pktmbuf_free(r->m);
    rte_ring_sp_enqueue_elem(q->free, &idx, sizeof idx);
    rte_pktmbuf_free(outs[0].m);
    rte_pktmbuf_free(outs[1].m);

    /* No free record: dropped and counted, nothing leaks. */
    uint32_t held[PIN_SLOTS];
    unsigned n_held = rte_ring_sc_dequeue_burst_elem(q->free, held, sizeof held[0], PIN_SLOTS,
                                                     NULL);
    memset(&st, 0, sizeof st);
    n = 0;
    xlate_execute(a, mk_mbuf(pkt, len), &flow, &lay, ports, 3, &env, outs, &n, 8, &st);
    assert_int_equal(st.pin_full, 1);
    assert_int_equal(st.pins, 0);
    assert_int_equal(n, 2);
    rte_pktmbuf_free(outs[0].m);
    rte_pktmbuf_free(outs[1].m);
    rte_ring_sp_enqueue_burst_elem(q->free, held, sizeof held[0], n_held, NULL);

    /* The controller as the last action gets the packet itself. */
    a->n = 3;
    memset(&st, 0, sizeof st);
    n = 0;
    xlate_execute(a, mk_mbuf(pkt, len), &flow, &lay, ports, 3, &env, outs, &n, 8, &st);
    assert_int_equal(n, 1);
    assert_int_equal(st.pins, 1);
    rte_pktmbuf_free(outs[0].m);
    pin_queue_destroy(q);
    free(a);
    assert_int_equal(rte_mempool_avail_count(mp), avail);
}

static void
test_all_excludes_in_port(void **state)
{
    uint8_t pkt[128];
    struct run r;
    struct vsw_action acts[] = { { .type = VSW_ACT_ALL } };
    size_t len = build_ip4(pkt, 6, false, 0);

    (void) state;
    run_actions(acts, 1, pkt, len, 2, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.outs[0].port, 1);
    assert_int_equal(r.outs[1].port, 3);
    free_run(&r);
}

static void
test_later_fragment_quirk(void **state)
{
    uint8_t pkt[128];
    struct run r;
    struct vsw_action acts[] = {
        { .type = VSW_ACT_SET_IPV4_SRC, .be32 = rte_cpu_to_be_32(0x0b000001) },
        { .type = VSW_ACT_SET_L4_DST, .be16 = BE16(1) },
        OUT(2),
    };
    size_t len = build_ip4(pkt, 6, false, 0);

    (void) state;
    /* Make it a later fragment (offset 8 bytes); fix the IP checksum. */
    pkt[14 + 6] = 0, pkt[14 + 7] = 1;
    pkt[14 + 10] = pkt[14 + 11] = 0;
    uint16_t c = csum_full(pkt + 14, 20, 0);
    pkt[14 + 10] = (uint8_t) (c >> 8), pkt[14 + 11] = (uint8_t) c;
    run_actions(acts, 3, pkt, len, 1, &r);
    const uint8_t *o = rte_pktmbuf_mtod(r.outs[0].m, const uint8_t *);
    /* Ports are not rewritten on a later fragment... */
    assert_int_equal(o[14 + 20 + 3], 0x50);
    /* ...but OVS adjusts "TCP checksum" bytes 16-17 of its payload anyway. */
    assert_memory_not_equal(o + 14 + 20 + 16, pkt + 14 + 20 + 16, 2);
    assert_int_equal(csum_full(o + 14, 20, 0), 0);
    free_run(&r);
}

/* CRC32c bit by bit (reflected polynomial 0x82f63b78), as RFC 3309 defines it. */
static uint32_t
crc32c_ref(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
        }
    }
    return ~crc;
}

/* SCTP headers sit at any offset of a frame: vsw_crc32c() must give the
 * right CRC for data at every alignment and length.  (It once loaded
 * 64-bit words through misaligned pointers; fuzz_packet's UBSan build
 * stopped on an SCTP frame 34 bytes into its buffer.) */
static void
test_crc32c_any_alignment(void **state)
{
    uint8_t buf[96];

    (void) state;
    assert_int_equal(crc32c_ref((const uint8_t *) "123456789", 9), 0xe3069283);
    for (size_t i = 0; i < sizeof buf; i++) {
        buf[i] = (uint8_t) (i * 37 + 11);
    }
    for (size_t ofs = 0; ofs < 9; ofs++) {
        for (size_t len = 0; len + ofs <= 80; len++) {
            assert_int_equal(vsw_crc32c(buf + ofs, len), crc32c_ref(buf + ofs, len));
        }
    }
}

int
main(int argc, char **argv)
{
    char *eal[] = { argv[0], "--no-huge", "-m", "64", "--no-pci", "--log-level=error",
                    "--file-prefix=vsw_test_execute", "--no-shconf", NULL };
    (void) argc;
    if (rte_eal_init(8, eal) < 0) {
        fprintf(stderr, "cannot initialise EAL\n");
        return 1;
    }
    mp = rte_pktmbuf_pool_create("test", 1024, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
    if (!mp) {
        fprintf(stderr, "cannot create mempool\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csum_update_matches_full),
        cmocka_unit_test(test_crc32c_any_alignment),
        cmocka_unit_test(test_nat_tcp_udp),
        cmocka_unit_test(test_udp_zero_csum_stays_zero),
        cmocka_unit_test(test_vlan_push_retag_pop),
        cmocka_unit_test(test_dec_ttl_and_outputs),
        cmocka_unit_test(test_all_excludes_in_port),
        cmocka_unit_test(test_controller_to_pin_queue),
        cmocka_unit_test(test_later_fragment_quirk),
    };
    int rc = cmocka_run_group_tests_name("execute", tests, NULL, NULL);
    rte_eal_cleanup();
    return rc;
}
