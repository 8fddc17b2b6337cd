/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the packet parser (no EAL, no hugepages). */

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classifier/flow_burst.h"
#include "classifier/flow_fast.h"
#include "vsw/flow.h"

#define BE16(x) rte_cpu_to_be_16(x)
#define BE32(x) rte_cpu_to_be_32(x)

static size_t
put_eth(uint8_t *p, uint16_t type)
{
    static const uint8_t dst[6] = { 0, 0, 0, 0, 0, 2 }, src[6] = { 0, 0, 0, 0, 0, 1 };
    memcpy(p, dst, 6);
    memcpy(p + 6, src, 6);
    p[12] = (uint8_t) (type >> 8);
    p[13] = (uint8_t) type;
    return 14;
}

static size_t
put_ipv4(uint8_t *p, uint8_t proto, uint16_t tot_len, uint16_t frag, uint8_t ihl_words)
{
    memset(p, 0, (size_t) ihl_words * 4);
    p[0] = (uint8_t) (0x40 | ihl_words);
    p[1] = 0xb9;                      /* DSCP 46, ECN 1 */
    p[2] = (uint8_t) (tot_len >> 8);
    p[3] = (uint8_t) tot_len;
    p[6] = (uint8_t) (frag >> 8);
    p[7] = (uint8_t) frag;
    p[8] = 64;
    p[9] = proto;
    p[12] = 10, p[13] = 1, p[14] = 2, p[15] = 3;
    p[16] = 192, p[17] = 168, p[18] = 0, p[19] = 1;
    return (size_t) ihl_words * 4;
}

static void
test_udp_ipv4(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;
    size_t n = put_eth(pkt, 0x0800);

    n += put_ipv4(pkt + n, 17, 28, 0, 5);
    pkt[n] = 0x04, pkt[n + 1] = 0xd2;       /* sport 1234 */
    pkt[n + 2] = 0x00, pkt[n + 3] = 0x35;   /* dport 53 */
    vsw_flow_extract(pkt, 60, 7, &f, &l);
    (void) state;
    assert_int_equal(f.in_port, 7);
    assert_int_equal(f.dl_type, BE16(0x0800));
    assert_int_equal(f.nw_src, BE32(0x0a010203));
    assert_int_equal(f.nw_dst, BE32(0xc0a80001));
    assert_int_equal(f.nw_proto, 17);
    assert_int_equal(f.nw_tos, 0xb9);
    assert_int_equal(f.nw_ttl, 64);
    assert_int_equal(f.tp_src, BE16(1234));
    assert_int_equal(f.tp_dst, BE16(53));
    assert_int_equal(l.l3_ofs, 14);
    assert_int_equal(l.l4_ofs, 34);
    assert_int_equal(l.l3_end, 42);   /* Trailing bytes are padding. */
}

static void
test_vlan_limit_and_qinq(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;

    (void) state;
    put_eth(pkt, 0x88a8);
    pkt[14] = 0x20, pkt[15] = 0x05;         /* PCP 1, VID 5 */
    pkt[16] = 0x81, pkt[17] = 0x00;         /* inner TPID */
    pkt[18] = 0x00, pkt[19] = 0x07;
    pkt[20] = 0x08, pkt[21] = 0x00;
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.vlan_tci, BE16(0x2005 | 0x1000));
    /* One tag parsed (OVS's default vlan-limit): the inner TPID is dl_type. */
    assert_int_equal(f.dl_type, BE16(0x8100));
    assert_int_equal(f.nw_proto, 0);
    assert_int_equal(l.n_vlans, 1);
}

static void
test_llc_snap_and_8023(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;

    (void) state;
    put_eth(pkt, 46);                       /* 802.3 length */
    pkt[14] = 0xaa, pkt[15] = 0xaa, pkt[16] = 0x03;
    pkt[20] = 0x08, pkt[21] = 0x06;          /* SNAP type ARP */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.dl_type, BE16(0x0806));
    assert_int_equal(l.l3_ofs, 22);

    pkt[14] = 0x42;                         /* Plain LLC, not SNAP. */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.dl_type, BE16(0x05ff));
}

static void
test_fragments(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;
    size_t n = put_eth(pkt, 0x0800);

    (void) state;
    put_ipv4(pkt + n, 6, 40, 0x2000, 5);     /* MF, offset 0: first fragment */
    pkt[n + 20 + 12] = 0x50;                 /* TCP data offset 5 */
    pkt[n + 20 + 13] = 0x12;                 /* SYN|ACK */
    pkt[n + 20 + 3] = 80;
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.nw_frag, VSW_FRAG_ANY);
    assert_int_equal(f.tp_dst, BE16(80));    /* First fragments keep L4. */
    assert_int_equal(f.tcp_flags, BE16(0x012));

    put_ipv4(pkt + n, 6, 40, 0x0010, 5);     /* offset 16: later fragment */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.nw_frag, VSW_FRAG_ANY | VSW_FRAG_LATER);
    assert_int_equal(f.tp_dst, 0);
    assert_int_equal(l.l4_ofs, 34);          /* Still set: OVS's checksum quirk. */
}

static void
test_bad_ipv4_header(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;
    size_t n = put_eth(pkt, 0x0800);

    (void) state;
    put_ipv4(pkt + n, 17, 28, 0, 5);
    pkt[n] = 0x44;                           /* IHL 4 < 5 */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.dl_type, BE16(0x0800));
    assert_int_equal(f.nw_src, 0);
    assert_int_equal(f.nw_proto, 0);

    put_ipv4(pkt + n, 17, 200, 0, 5);        /* Total length beyond the frame. */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.nw_proto, 0);
    assert_int_equal(l.l4_ofs, VSW_OFS_NONE);
}

static void
test_truncated_never_overreads(void **state)
{
    /* Parse every prefix of a frame from a heap buffer of exactly that size,
     * so that valgrind/ASan would see any read past the end. */
    uint8_t pkt[80] = { 0 };
    size_t n = put_eth(pkt, 0x86dd);
    struct vsw_flow f;
    struct vsw_layout l;

    (void) state;
    pkt[n] = 0x60;
    pkt[n + 5] = 26;                        /* payload length */
    pkt[n + 6] = 58;                        /* ICMPv6 */
    pkt[n + 40] = 135;                      /* NS */
    pkt[n + 40 + 24] = 1, pkt[n + 40 + 25] = 1; /* SLL option */
    for (size_t len = 0; len <= n + 66; len++) {
        uint8_t *b = malloc(len ? len : 1);
        memcpy(b, pkt, len);
        vsw_flow_extract(b, (uint32_t) len, 1, &f, &l);
        free(b);
    }
    vsw_flow_extract(pkt, (uint32_t) (n + 66), 1, &f, &l);
    assert_int_equal(f.nw_proto, 58);
    assert_int_equal(f.tp_src, BE16(135));
}

static void
test_arp(void **state)
{
    uint8_t pkt[64] = { 0 };
    struct vsw_flow f;
    struct vsw_layout l;
    size_t n = put_eth(pkt, 0x0806);

    (void) state;
    uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 2, 1, 2, 3, 4, 5, 6, 10, 0, 0, 1,
                        7, 8, 9, 10, 11, 12, 10, 0, 0, 2 };
    memcpy(pkt + n, arp, sizeof arp);
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.nw_proto, 2);
    assert_int_equal(f.nw_src, BE32(0x0a000001));
    assert_int_equal(f.nw_dst, BE32(0x0a000002));
    assert_int_equal(f.arp_sha[5], 6);
    assert_int_equal(f.arp_tha[0], 7);
    pkt[n + 4] = 8;                           /* hlen 8: not Ethernet/IPv4 ARP */
    vsw_flow_extract(pkt, 60, 1, &f, &l);
    assert_int_equal(f.nw_src, 0);
}

/* The fast path (classifier/flow_fast.h: Ethernet, one optional 802.1Q or
 * 802.1ad tag, IPv4 or IPv6, TCP or UDP) gives exactly what the general
 * parser gives, key and layout, on valid frames of every kind it takes and
 * on every kind of mutation of them (lengths, versions, IHL, fragments,
 * TCP data offsets, extension headers, a second tag, other protocols);
 * and it does take the valid ones. */
/* A generated frame for the fast-path comparisons: IPv4 or IPv6, untagged,
 * tagged or QinQ, TCP, UDP or another protocol, with a few bytes mutated
 * in three frames of four and a length that is often wrong.  Returns its
 * length; '*v6' and '*tagged' say what it was made as. */
static uint32_t
gen_frame(uint32_t *seedp, uint8_t pkt[128], bool *v6p, bool *taggedp)
{
    static const uint8_t protos[] = { 6, 17, 6, 17, 1, 58, 44, 0 };
    uint32_t seed = *seedp * 1103515245 + 12345;
    bool v6 = (seed >> 4) & 1, tagged = (seed >> 5) & 1, qinq = ((seed >> 6) & 7) == 0;
    uint8_t proto = protos[(seed >> 9) % sizeof protos];
    size_t n = put_eth(pkt, tagged ? ((seed >> 7) & 1 ? 0x8100 : 0x88a8)
                                   : (v6 ? 0x86dd : 0x0800));
    memset(pkt + n, 0, 128 - n);
    if (tagged) {
        pkt[n] = (uint8_t) (seed >> 12);          /* PCP, CFI, VID */
        pkt[n + 1] = (uint8_t) (seed >> 20);
        uint16_t inner = qinq ? 0x8100 : (v6 ? 0x86dd : 0x0800);
        pkt[n + 2] = (uint8_t) (inner >> 8);
        pkt[n + 3] = (uint8_t) inner;
        n += 4;
    }
    seed = seed * 1103515245 + 12345;
    size_t l4 = n;
    /* One L4 part in four shorter than a TCP header (a truncated or UDP
     * packet, or one that must not be parsed as TCP). */
    uint16_t l4_len = (uint16_t) ((seed >> 14) & 3 ? 20 + (seed >> 16) % 24 : (seed >> 16) % 20);
    if (v6) {
        pkt[n] = (uint8_t) (0x60 | ((seed >> 8) & 0x0f));  /* TC, flow label */
        pkt[n + 1] = (uint8_t) (seed >> 12);
        pkt[n + 2] = (uint8_t) (seed >> 20);
        pkt[n + 3] = (uint8_t) (seed >> 24);
        pkt[n + 4] = 0;
        pkt[n + 5] = (uint8_t) l4_len;
        pkt[n + 6] = proto;
        pkt[n + 7] = 63;
        for (int k = 8; k < 40; k++) {
            pkt[n + k] = (uint8_t) (k * 7 + seed);
        }
        l4 = n + 40;
    } else {
        put_ipv4(pkt + n, proto, (uint16_t) (20 + l4_len), 0, 5);
        pkt[n + 1] = (uint8_t) (seed >> 5);                /* TOS */
        pkt[n + 8] = (uint8_t) (seed >> 13);               /* TTL */
        l4 = n + 20;
    }
    for (int k = 0; k < 4; k++) {
        pkt[l4 + k] = (uint8_t) (seed >> (k * 4));  /* ports */
    }
    pkt[l4 + 12] = (uint8_t) (0x50 | ((seed >> 11) & 0x0f));   /* data offset, NS... */
    pkt[l4 + 13] = (uint8_t) (seed >> 3);                      /* TCP flags */
    /* Mutate a few random bytes in the headers (one frame in four
     * stays intact), and the length. */
    int muts = (int) ((seed >> 20) % 8);
    for (int k = 0; k < muts - 4; k++) {
        seed = seed * 1103515245 + 12345;
        pkt[(seed >> 8) % (l4 + 21)] = (uint8_t) (seed >> 16);
    }
    uint32_t len = (seed >> 28) & 1 ? (uint32_t) (l4 + l4_len + (seed >> 24) % 8)
                                    : (uint32_t) (30 + (seed >> 24) % 100);
    *seedp = seed;
    *v6p = v6;
    *taggedp = tagged;
    return len > 128 ? 128 : len;
}

static void
test_fast_path_equals_general(void **state)
{
    uint32_t seed = 99;
    unsigned taken[2][2] = { { 0 } };   /* [ipv6][tagged] */
    (void) state;
    for (int iter = 0; iter < 400000; iter++) {
        uint8_t pkt[128];
        bool v6, tagged;
        uint32_t len = gen_frame(&seed, pkt, &v6, &tagged);
        struct vsw_flow a, b;
        struct vsw_layout la, lb;
        memset(&a, 0xa5, sizeof a);
        memset(&la, 0xa5, sizeof la);
        bool fast = vsw_flow_extract_fast(pkt, len, 3, &a, &la);
        vsw_flow_extract_general(pkt, len, 3, &b, &lb);
        if (fast) {
            taken[v6][tagged]++;
            assert_memory_equal(&a, &b, sizeof a);
            assert_memory_equal(&la, &lb, sizeof la);
        }
        vsw_flow_extract(pkt, len, 3, &a, &la);     /* What everyone calls. */
        assert_memory_equal(&a, &b, sizeof a);
        assert_memory_equal(&la, &lb, sizeof la);
    }
    for (int v = 0; v < 2; v++) {
        for (int t = 0; t < 2; t++) {
            assert_true(taken[v][t] > 10000);
        }
    }
}

/* The SIMD burst parse, where this CPU runs it, takes exactly the frames
 * the scalar fast parse takes, gives them the general parser's key and
 * layout (what else is in the burst does not matter), and leaves the
 * frames it does not take, or was not asked to, as they were. */
static void
test_burst_variants_equal_general(void **state)
{
    static const char *const variants[] = { "avx512" };
    uint32_t seed = 4242;
    uint64_t taken = 0, plain_v4 = 0;
    const char *name;
    vsw_flow_burst_fn *fn;

    (void) state;
    assert_true(vsw_flow_burst_select("scalar", &fn, &name));
    assert_null(fn);
    assert_false(vsw_flow_burst_select("avx2", &fn, &name));
    for (unsigned v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        if (!vsw_flow_burst_select(variants[v], &fn, &name)) {
            print_message("burst parse variant %s: this CPU cannot run it, not checked\n",
                          variants[v]);
            continue;
        }
        assert_non_null(fn);
        assert_string_equal(name, variants[v]);
        for (int b = 0; b < 8000; b++) {
            uint8_t pkt[128];
            const uint8_t *data[64];
            uint32_t len[64];
            struct vsw_flow flows[64], want;
            struct vsw_layout lays[64], want_lay;
            uint64_t todo = 0;
            unsigned n = 1 + (unsigned) (b % 64);

            /* Each frame in a heap block of exactly its length: a read past
             * its end is an error under ASan (the sanitizer build runs
             * this test). */
            for (unsigned i = 0; i < n; i++) {
                bool v6, tagged;
                len[i] = gen_frame(&seed, pkt, &v6, &tagged);
                uint8_t *copy = malloc(len[i]);
                assert_non_null(copy);
                memcpy(copy, pkt, len[i]);
                data[i] = copy;
                if ((seed >> 7) % 8) {
                    todo |= 1ull << i;
                }
            }
            memset(flows, 0xa5, sizeof flows);
            memset(lays, 0xa5, sizeof lays);
            uint64_t done = fn(data, len, todo, 3, flows, lays);
            assert_int_equal(done & ~todo, 0);
            for (unsigned i = 0; i < n; i++) {
                struct vsw_flow f;
                struct vsw_layout l;
                bool fast = vsw_flow_extract_fast(data[i], len[i], 3, &f, &l);
                if (!(todo & (1ull << i)) || !fast) {
                    assert_false(done & (1ull << i));
                    memset(&f, 0xa5, sizeof f);
                    memset(&l, 0xa5, sizeof l);
                    assert_memory_equal(&flows[i], &f, sizeof f);
                    assert_memory_equal(&lays[i], &l, sizeof l);
                    continue;
                }
                assert_true(done & (1ull << i));
                vsw_flow_extract_general(data[i], len[i], 3, &want, &want_lay);
                assert_memory_equal(&flows[i], &want, sizeof want);
                assert_memory_equal(&lays[i], &want_lay, sizeof want_lay);
                taken++;
                plain_v4 += data[i][12] == 0x08 && data[i][13] == 0 && data[i][14] == 0x45;
            }
            for (unsigned i = 0; i < n; i++) {
                free((void *) data[i]);
            }
        }
    }
    print_message("burst parse: %" PRIu64 " frames taken, %" PRIu64 " of them untagged IPv4\n",
                  taken, plain_v4);
    if (vsw_flow_burst_avx512_usable()) {
        assert_true(plain_v4 > 10000);
    }
}

/* A frame for the shallow parse: valid IPv4 (fragments too), ARP, VLAN,
 * LLC, IPv6 and others, a few random bytes mutated; its length (0..69). */
static uint32_t
gen_shallow_frame(uint32_t *seedp, uint8_t pkt[80])
{
    static const uint16_t types[] = { 0x0800, 0x0800, 0x0800, 0x0806, 0x8035, 0x8100, 0x88a8,
                                      0x86dd, 0x0040, 0x05ff, 0x0600, 0x88cc };
    uint32_t seed = *seedp * 1103515245 + 12345;
    uint16_t type = types[(seed >> 8) % (sizeof types / sizeof types[0])];
    size_t n = put_eth(pkt, type);

    memset(pkt + n, 0, 80 - n);
    if (type == 0x0800) {
        uint16_t frag = (seed >> 12) % 3 == 0 ? (uint16_t) ((seed >> 14) & 0x3fff) : 0;
        static const uint8_t protos[] = { 17, 6, 1, 47 };
        put_ipv4(pkt + n, protos[(seed >> 10) % 4], (uint16_t) (20 + 8 + (seed >> 16) % 20),
                 frag, 5);
    }
    for (int k = 0; k < (int) ((seed >> 20) % 4); k++) {
        seed = seed * 1103515245 + 12345;
        pkt[(seed >> 8) % 60] = (uint8_t) (seed >> 16);
    }
    *seedp = seed;
    return (seed >> 24) % 70;
}

/* The shallow parse gives the general parser's values for every field it
 * claims (and only claims fields vsw_flow_mask_is_shallow() accepts), on
 * valid IPv4 (fragments too), ARP, VLAN, LLC, IPv6 and mutations of them;
 * it declines only tagged, 802.3 and IPv6 frames. */
static void
test_shallow_equals_general(void **state)
{
    uint32_t seed = 7;
    unsigned shallow = 0, frags = 0;
    struct vsw_flow m;

    (void) state;
    memset(&m, 0, sizeof m);
    m.in_port = UINT32_MAX;
    memset(m.dl_dst, 0xff, 6);
    memset(m.dl_src, 0xff, 6);
    m.dl_type = m.vlan_tci = m.vlan_tci2 = 0xffff;
    m.nw_frag = 0xff;
    m.nw_proto = 0xff;
    assert_true(vsw_flow_mask_is_shallow(&m));
    m.nw_tos = 1;
    assert_false(vsw_flow_mask_is_shallow(&m));
    m.nw_tos = 0;
    m.nw_src = 1;
    assert_false(vsw_flow_mask_is_shallow(&m));
    m.nw_src = 0;
    m.tp_dst = 1;
    assert_false(vsw_flow_mask_is_shallow(&m));

    for (int iter = 0; iter < 200000; iter++) {
        uint8_t pkt[80];
        uint32_t len = gen_shallow_frame(&seed, pkt);
        struct vsw_flow a, b;
        struct vsw_layout lb;
        memset(&a, 0xa5, sizeof a);     /* Fields it does not write stay garbage. */
        bool ok = vsw_flow_extract_shallow(pkt, len, 3, &a);
        vsw_flow_extract_general(pkt, len, 3, &b, &lb);
        uint16_t t = len >= 14 ? (uint16_t) (pkt[12] << 8 | pkt[13]) : 0;
        bool may_decline = len < 14 || t == 0x8100 || t == 0x88a8 || t < 0x0600 || t == 0x86dd
                           || t == 0x0806 || t == 0x8035;
        if (!ok) {
            assert_true(may_decline);
            continue;
        }
        assert_false(may_decline);
        shallow++;
        frags += b.nw_frag != 0;
        assert_int_equal(a.in_port, b.in_port);
        assert_memory_equal(a.dl_dst, b.dl_dst, 6);
        assert_memory_equal(a.dl_src, b.dl_src, 6);
        assert_int_equal(a.dl_type, b.dl_type);
        assert_int_equal(a.vlan_tci, b.vlan_tci);
        assert_int_equal(a.vlan_tci2, b.vlan_tci2);
        assert_int_equal(a.nw_frag, b.nw_frag);
        assert_int_equal(a.nw_proto, b.nw_proto);
    }
    assert_true(shallow > 50000);
    assert_true(frags > 1000);
}

/* The shallow key of frame 'p' as bytes (the fields the parse writes), or
 * false if it declines. */
static bool
shallow_key(const uint8_t *p, uint32_t len, uint8_t key[24])
{
    struct vsw_flow f;

    memset(&f, 0, sizeof f);
    if (!vsw_flow_extract_shallow_inline(p, len, 3, &f)) {
        return false;
    }
    memcpy(key, &f.in_port, 4);
    memcpy(key + 4, f.dl_dst, 6);
    memcpy(key + 10, f.dl_src, 6);
    memcpy(key + 16, &f.dl_type, 2);
    memcpy(key + 18, &f.vlan_tci, 2);
    memcpy(key + 20, &f.vlan_tci2, 2);
    key[22] = f.nw_proto;
    key[23] = f.nw_frag;
    return true;
}

/* vsw_flow_shallow_same(): frames it calls the same get the same answer
 * from the shallow parse (both declined, or equal keys); frames that
 * differ only where the parse does not read (IP TOS, ID, TTL, past byte
 * 23) are called the same; one byte changed where it reads, usually not.
 * Each frame is in a heap block of exactly its length (ASan sees any read
 * past it). */
static void
test_shallow_same(void **state)
{
    uint32_t seed = 11;
    unsigned same = 0, same_ip = 0, differ = 0;

    (void) state;
    for (int iter = 0; iter < 100000; iter++) {
        uint8_t pkt[80], twin[80];
        uint32_t len = gen_shallow_frame(&seed, pkt);
        memcpy(twin, pkt, sizeof pkt);
        seed = seed * 1103515245 + 12345;
        bool blind = (seed >> 3) & 1;       /* Only bytes the parse does not read. */
        static const uint8_t unread[] = { 15, 18, 19, 22, 24, 30, 33, 40, 50, 60 };
        uint32_t at = blind ? unread[(seed >> 8) % sizeof unread] : (seed >> 8) % 24;
        twin[at] ^= (uint8_t) (1u << ((seed >> 16) % 8));

        uint8_t *p = malloc(len ? len : 1), *q = malloc(len ? len : 1);
        memcpy(p, pkt, len);
        memcpy(q, twin, len);
        bool s = vsw_flow_shallow_same(p, q, len);
        uint8_t kp[24], kq[24];
        bool okp = shallow_key(p, len, kp), okq = shallow_key(q, len, kq);
        if (s) {
            assert_int_equal(okp, okq);
            if (okp) {
                assert_memory_equal(kp, kq, sizeof kp);
                same_ip += pkt[12] == 0x08 && pkt[13] == 0x00;
            }
            same++;
        } else {
            differ++;
        }
        if (len < 24) {
            assert_false(s);
        } else if (blind) {
            assert_true(s);
        } else if (okp && okq && memcmp(kp, kq, sizeof kp) != 0) {
            assert_false(s);
        }
        free(p);
        free(q);
    }
    assert_true(same > 20000);
    print_message("shallow same: %u same (%u IPv4), %u not\n", same, same_ip, differ);
    assert_true(same_ip > 5000);
    assert_true(differ > 20000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp_ipv4),
        cmocka_unit_test(test_vlan_limit_and_qinq),
        cmocka_unit_test(test_llc_snap_and_8023),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_bad_ipv4_header),
        cmocka_unit_test(test_truncated_never_overreads),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_fast_path_equals_general),
        cmocka_unit_test(test_burst_variants_equal_general),
        cmocka_unit_test(test_shallow_equals_general),
        cmocka_unit_test(test_shallow_same),
    };
    return cmocka_run_group_tests_name("flow_extract", tests, NULL, NULL);
}
