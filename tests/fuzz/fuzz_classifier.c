/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the rule classifier (cls.c) and the megaflow classifier
 * (dpcls.c) against a linear scan.
 *
 * The input describes a small rule set: per rule a priority (few values,
 * so ties happen), a table (0 or 1), an optional in_port and one family of
 * match: IPv4 prefixes with protocol and masked ports, IPv6 prefixes, L2
 * addresses with arbitrary masks and VLAN, or metadata only.  Values come
 * from small pools so that rules overlap.  The rest of the input seeds a
 * generator of flows, each built from some rule's key with random bits
 * outside its mask.  Checked for every flow:
 *  - vsw_cls_lookup_wc() and vsw_cls_lookup() give what a linear scan gives
 *    (highest priority, then the oldest rule);
 *  - the megaflow invariant: flows that agree with the first on every bit of
 *    the returned wildcards get the same rule from the linear scan;
 *  - dpcls: the megaflow (flow & wildcards) -> rule, once inserted, is what
 *    a lookup of those flows returns, and any megaflow a lookup returns for
 *    any flow carries the rule the linear scan gives for that flow.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_memory.h>

#include "classifier/cls.h"
#include "classifier/dpcls.h"
#include "fuzz_eal.h"

/* Megaflows here need no actions: the tests look at lookups only. */
static const struct vsw_odp_buf no_acts;

#define MAX_RULES 24
#define N_FLOWS 24
#define N_AGREE 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dpcls *dc;

/* The target's own reference code (the linear scan, the flow generator)
 * runs far more often than the code under test; without coverage
 * instrumentation it costs a third of the time, and its branches are not
 * what the fuzzer should steer by. */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

/* The input, read a byte at a time (zeros once it runs out). */
struct input {
    const uint8_t *p;
    size_t left;
    uint64_t rng;    /* Generator for the flows' free bits. */
};

static uint8_t
byte(struct input *in)
{
    if (!in->left) {
        return 0;
    }
    in->left--;
    return *in->p++;
}

static NO_COVERAGE uint64_t
rnd(struct input *in)
{
    /* xorshift64* */
    in->rng ^= in->rng >> 12;
    in->rng ^= in->rng << 25;
    in->rng ^= in->rng >> 27;
    return in->rng * 0x2545f4914f6cdd1dull;
}

static void
prefix_mask(uint8_t *mask, unsigned n_bytes, unsigned plen)
{
    for (unsigned i = 0; i < n_bytes; i++) {
        unsigned bits = plen > 8 * i ? plen - 8 * i : 0;
        mask[i] = bits >= 8 ? 0xff : (uint8_t) (0xff00 >> bits);
    }
}

/* Address pools: a few values that share prefixes. */
static const uint32_t ip4_pool[] = { 0x0a000000, 0x0a000001, 0x0a010203, 0x0a0102ff,
                                     0xc0a80001, 0xc0a80101, 0x00000000, 0xffffffff };
static const uint8_t ip6_pool[4][16] = {
    { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, { 0x20, 0x01, 0x0d, 0xb8, 0x80, [15] = 2 },
    { 0xfe, 0x80, [15] = 1 }, { 0x20, 0x01, 0x0d, 0xb9, [15] = 1 },
};
static const uint8_t mac_pool[4][6] = {
    { 0, 0, 0, 0, 0, 1 }, { 0, 0, 0, 0, 0, 2 }, { 1, 0, 0x5e, 0, 0, 1 }, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static struct vsw_rule *
make_rule(struct input *in, uint64_t seq)
{
    struct vsw_rule *r = calloc(1, sizeof *r);
    struct vsw_flow *k = &r->match.key, *m = &r->match.mask;
    uint8_t how = byte(in);

    if (!r) {
        abort();
    }
    r->seq = seq;
    r->priority = byte(in) % 6 * 100;
    r->table_id = how & 0x80 ? 1 : 0;
    if (how & 0x40) {
        k->in_port = 1 + (how >> 4 & 1);
        m->in_port = UINT32_MAX;
    }
    switch (how & 3) {
    case 0: {   /* IPv4: prefixes, protocol, masked ports. */
        uint8_t b = byte(in);
        k->dl_type = RTE_BE16(VSW_ETH_TYPE_IP);
        m->dl_type = UINT16_MAX;
        if (b & 1) {
            k->nw_src = rte_cpu_to_be_32(ip4_pool[byte(in) % 8]);
            prefix_mask((uint8_t *) &m->nw_src, 4, byte(in) % 33);
        }
        if (b & 2) {
            k->nw_dst = rte_cpu_to_be_32(ip4_pool[byte(in) % 8]);
            prefix_mask((uint8_t *) &m->nw_dst, 4, byte(in) % 33);
        }
        if (b & 4) {
            k->nw_proto = b & 8 ? VSW_IPPROTO_TCP : VSW_IPPROTO_UDP;
            m->nw_proto = UINT8_MAX;
            if (b & 16) {
                k->tp_dst = rte_cpu_to_be_16((uint16_t) (byte(in) << 8 | byte(in)));
                m->tp_dst = rte_cpu_to_be_16((uint16_t) (byte(in) << 8 | byte(in)));
            }
            if (b & 32) {
                k->tp_src = rte_cpu_to_be_16((uint16_t) (byte(in) % 4 * 1000));
                m->tp_src = b & 64 ? UINT16_MAX : RTE_BE16(0xff00);
            }
        }
        if (b & 128) {
            k->nw_frag = VSW_FRAG_ANY;
            m->nw_frag = VSW_FRAG_ANY;
        }
        break;
    }
    case 1: {   /* IPv6. */
        uint8_t b = byte(in);
        k->dl_type = RTE_BE16(VSW_ETH_TYPE_IPV6);
        m->dl_type = UINT16_MAX;
        if (b & 1) {
            memcpy(k->ipv6_src, ip6_pool[byte(in) % 4], 16);
            prefix_mask(m->ipv6_src, 16, byte(in) % 129);
        }
        if (b & 2) {
            memcpy(k->ipv6_dst, ip6_pool[byte(in) % 4], 16);
            prefix_mask(m->ipv6_dst, 16, byte(in) % 129);
        }
        if (b & 4) {
            k->nw_proto = VSW_IPPROTO_ICMPV6;
            m->nw_proto = UINT8_MAX;
            k->tp_src = rte_cpu_to_be_16(135 + byte(in) % 2);
            m->tp_src = UINT16_MAX;
        }
        if (b & 8) {
            k->ipv6_label = rte_cpu_to_be_32(byte(in) & 0xf);
            m->ipv6_label = RTE_BE32(0xfffff);
        }
        break;
    }
    case 2: {   /* L2: any masks on the addresses, VLAN. */
        uint8_t b = byte(in);
        if (b & 1) {
            memcpy(k->dl_dst, mac_pool[byte(in) % 4], 6);
            memset(m->dl_dst, 0xff, 6);
            m->dl_dst[0] = byte(in) | 1;
        }
        if (b & 2) {
            memcpy(k->dl_src, mac_pool[byte(in) % 4], 6);
            for (int i = 0; i < 6; i++) {
                m->dl_src[i] = byte(in);
            }
        }
        if (b & 4) {
            k->vlan_tci = rte_cpu_to_be_16((uint16_t) (VSW_VLAN_CFI | byte(in) % 4));
            m->vlan_tci = b & 8 ? RTE_BE16(0x1fff) : RTE_BE16(0x1000);
        }
        if (b & 16) {
            k->dl_type = RTE_BE16(VSW_ETH_TYPE_ARP);
            m->dl_type = UINT16_MAX;
            if (b & 32) {
                k->nw_proto = 1 + byte(in) % 2;
                m->nw_proto = UINT8_MAX;
            }
        }
        break;
    }
    default:    /* Metadata only (or a catch-all). */
        break;
    }
    vsw_match_normalize(&r->match);
    return r;
}

static NO_COVERAGE const struct vsw_rule *
linear(struct vsw_rule **rules, size_t n, uint8_t table, const struct vsw_flow *f)
{
    const struct vsw_rule *best = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct vsw_rule *r = rules[i];
        if (r->table_id == table && vsw_match_flow(&r->match, f)
            && (!best || r->priority > best->priority
                || (r->priority == best->priority && r->seq < best->seq))) {
            best = r;
        }
    }
    return best;
}

/* A flow that 'r' matches, with random bits everywhere it does not care. */
static NO_COVERAGE void
random_flow(struct input *in, const struct vsw_rule *r, struct vsw_flow *f)
{
    vsw_flow_word *w = vsw_flow_words(f);
    const vsw_flow_word *k = vsw_flow_cwords(&r->match.key);
    const vsw_flow_word *m = vsw_flow_cwords(&r->match.mask);
    uint8_t sparse = (uint8_t) rnd(in);

    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        /* Mostly zeros, like real flows, so other rules' keys match too. */
        uint64_t noise = sparse & 1 ? rnd(in) : rnd(in) & rnd(in) & rnd(in);
        w[i] = k[i] | (noise & ~m[i]);
    }
    f->in_port = 1 + (uint32_t) (rnd(in) % 3);
    f->pad0 = f->pad1 = 0;
    f->ip6_ext = f->ip6_nh0 = 0;
    f->pad3 = 0;
}

static void
fail(const char *what, const struct vsw_flow *f, const struct vsw_rule *want,
     const struct vsw_rule *got)
{
    char buf[1024];

    vsw_flow_format(f, buf, sizeof buf);
    fprintf(stderr, "%s\n  flow %s\n  want rule seq %lld, got seq %lld\n", what, buf,
            want ? (long long) want->seq : -1LL, got ? (long long) got->seq : -1LL);
    abort();
}


/* Inserts a megaflow translated through 'rule' alone (NULL: a miss). */
static struct megaflow *
insert1(struct dpcls *cls, const struct vsw_flow *f, const struct vsw_flow *mask,
        const struct vsw_rule *rule, const struct vsw_odp_buf *acts, uint64_t now)
{
    struct vsw_counted *dep = rule ? (struct vsw_counted *) &rule->c : NULL;

    return dpcls_insert(cls, f, mask, NULL, &dep, rule != NULL, acts, now, NULL);
}

static void
check_dpcls(struct input *in, struct vsw_rule **rules, size_t n, const struct vsw_flow *f,
            const struct vsw_flow *wc, const struct vsw_rule *want)
{
    struct vsw_flow mask = *wc;
    struct megaflow *mf;

    mask.in_port = UINT32_MAX;
    if (!insert1(dc, f, &mask, want, &no_acts, 0)) {
        return;   /* Full: a miss is allowed. */
    }
    for (int j = 0; j < N_AGREE; j++) {
        struct vsw_flow g;
        random_flow(in, rules[rnd(in) % n], &g);
        if (j % 2) {
            /* Agrees with 'f' on the megaflow's bits: must hit it. */
            vsw_flow_word *gw = vsw_flow_words(&g);
            const vsw_flow_word *fw = vsw_flow_cwords(f), *mw = vsw_flow_cwords(&mask);
            for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
                gw[i] = (fw[i] & mw[i]) | (gw[i] & ~mw[i]);
            }
        }
        struct dpcls_port *port = dpcls_port_get(dc, g.in_port, false);
        uint64_t keep = 1, probes = 0;
        mf = NULL;
        if (port) {
            dpcls_lookup_batch(dc, port, &g, 1, &keep, &mf, &probes);
        }
        if (keep) {
            mf = NULL;
        }
        if (j % 2 && (!mf || dpcls_mf_rule(mf) != want)) {
            fail("dpcls misses a flow of its megaflow", &g, want, mf ? dpcls_mf_rule(mf) : NULL);
        }
        /* Megaflows carry table 0 rules, from lookups of table 0 only. */
        if (mf && dpcls_mf_rule(mf) != linear(rules, n, 0, &g)) {
            fail("dpcls gives a megaflow whose rule is wrong for the flow", &g,
                 linear(rules, n, 0, &g), dpcls_mf_rule(mf));
        }
    }
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_eal_init((*argv)[0]);
    (void) argc;
    dc = dpcls_create(1024, 0, SOCKET_ID_ANY);
    if (!dc) {
        fprintf(stderr, "cannot create a dpcls\n");
        exit(1);
    }
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { .p = data, .left = size, .rng = 0x9e3779b97f4a7c15ull };
    struct vsw_rule *rules[MAX_RULES];
    size_t n;

    for (size_t i = 0; i < size; i++) {
        in.rng = (in.rng ^ data[i]) * 0x100000001b3ull;
    }
    in.rng |= 1;
    n = 1 + byte(&in) % MAX_RULES;
    for (size_t i = 0; i < n; i++) {
        rules[i] = make_rule(&in, i);
    }
    struct vsw_cls *cls = vsw_cls_build(rules, n);
    if (!cls) {
        abort();
    }
    dpcls_flush(dc);

    for (int i = 0; i < N_FLOWS; i++) {
        uint8_t table = i % 4 == 3;
        struct vsw_flow f, wc;

        random_flow(&in, rules[rnd(&in) % n], &f);
        memset(&wc, 0, sizeof wc);
        const struct vsw_rule *want = linear(rules, n, table, &f);
        struct vsw_ofkey key = { .flow = f };
        const struct vsw_rule *got = vsw_cls_lookup_wc(cls, table, &key, &wc);
        if (got != want) {
            fail("vsw_cls_lookup_wc differs from the linear scan", &f, want, got);
        }
        if (vsw_cls_lookup(cls, table, &f) != want) {
            fail("vsw_cls_lookup differs from the linear scan", &f, want,
                 vsw_cls_lookup(cls, table, &f));
        }
        for (int j = 0; j < N_AGREE; j++) {
            struct vsw_flow g;
            random_flow(&in, rules[rnd(&in) % n], &g);
            vsw_flow_word *gw = vsw_flow_words(&g);
            const vsw_flow_word *fw = vsw_flow_cwords(&f), *mw = vsw_flow_cwords(&wc);
            for (size_t k = 0; k < VSW_FLOW_U64S; k++) {
                gw[k] = (fw[k] & mw[k]) | (gw[k] & ~mw[k]);
            }
            if (linear(rules, n, table, &g) != want) {
                fail("megaflow invariant: a flow that agrees on the wildcards gets "
                     "another rule", &g, want, linear(rules, n, table, &g));
            }
        }
        if (table == 0) {
            check_dpcls(&in, rules, n, &f, &wc, want);
        }
    }
    vsw_cls_free(cls);
    for (size_t i = 0; i < n; i++) {
        free(rules[i]);
    }
    return 0;
}
