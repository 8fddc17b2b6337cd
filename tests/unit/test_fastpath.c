/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The megaflow invariant, tested: for random rule sets, random packets and
 * rule changes in between, every packet answered by the caches (EMC, then
 * megaflows) gets exactly the rule a full lookup in the rule tables gives.
 * Also: megaflows are not too narrow (expected counts and masks for chosen
 * rule sets), and the SIMD EMC signature matchers agree with the scalar one.
 * The SMC is exercised too, and the megaflow expiry removes entries without
 * breaking lookups of the others.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_cpuflags.h>
#include <rte_eal.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "classifier/cls.h"
#include "classifier/dpcls.h"
#include "classifier/flow_hash.h"
#include "util.h"
#include "classifier/emc.h"
#include "dp.h"
#include "pmd/upcall.h"
#include "xlate/xlate.h"

#include "fastpath_check.h"

/* want[i]: what packet burst[i] alone gets from the port's subtables. */
static void
lookup_each(struct dpcls *dc, struct dpcls_port *port, const struct vsw_flow *burst,
            unsigned nb, struct megaflow **want)
{
    for (unsigned i = 0; i < nb; i++) {
        uint64_t keep = 1, probes = 0;
        want[i] = NULL;
        dpcls_lookup_batch(dc, port, &burst[i], 1, &keep, &want[i], &probes);
        if (keep) {
            want[i] = NULL;
        }
    }
}

/* Bursts of many flows (no repeated key) turn the repeated-key shortcut
 * off for a few bursts; bursts of one flow in between, while it is off
 * and after, still get the answers single lookups give. */
static void
test_batch_without_shortcut(void **state)
{
    enum { ROUNDS = 20, RULES = 60, POOL = 64 };
    struct dpcls *dc = dpcls_create(65536, 0, SOCKET_ID_ANY);
    unsigned skipped = 0, checked = 0;

    (void) state;
    assert_non_null(dc);
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1 + rnd() % RULES;
        struct vsw_rule **rules = random_rule_set(n, (uint64_t) round + 1000);
        struct vsw_flow pool[POOL];
        dpcls_flush(dc);
        for (int i = 0; i < POOL; i++) {
            struct vsw_flow mask;
            random_flow(rules, n, &pool[i]);
            pool[i].in_port = 1;
            if (rnd() % 4) {
                const struct vsw_rule *r = slow_path(&pool[i], &mask);
                insert1(dc, &pool[i], &mask, r, &no_acts, 0);
            }
        }
        struct dpcls_port *port = dpcls_port_get(dc, 1, false);
        if (!port) {
            continue;
        }
        for (int b = 0; b < 40; b++) {
            struct vsw_flow burst[32];
            struct megaflow *got[32], *want[32];
            bool distinct = b % 3 == 0;
            unsigned nb = 8 + (unsigned) (rnd() % 25);
            unsigned base = (unsigned) (rnd() % POOL);
            for (unsigned i = 0; i < nb; i++) {
                burst[i] = pool[distinct ? (base + i) % POOL : base];
            }
            /* The single lookups count as bursts too: keep the state the
             * batch below is to see. */
            uint16_t skip = port->dup_skip;
            lookup_each(dc, port, burst, nb, want);
            port->dup_skip = skip;
            skipped += skip != 0;
            uint64_t keep = (1ull << nb) - 1, probes = 0;
            memset(got, 0, sizeof got);
            dpcls_lookup_batch(dc, port, burst, nb, &keep, got, &probes);
            for (unsigned i = 0; i < nb; i++) {
                assert_ptr_equal(keep & (1ull << i) ? NULL : got[i], want[i]);
                checked++;
            }
        }
        free_rule_set(rules, n);
    }
    print_message("checked %u packets, %u bursts looked up without the shortcut\n", checked,
                  skipped);
    assert_true(skipped > 50);
    dpcls_destroy(dc);
}

/* A burst looked up at once must get, packet for packet, what one-by-one
 * lookups get: bursts drawn from a few flows (repeated keys next to each
 * other and apart, which the batch lookup answers from an earlier packet)
 * against megaflows installed for some of them, over random rule sets. */
static void
test_batch_equals_single(void **state)
{
    enum { ROUNDS = 40, RULES = 100, BURSTS = 400, POOL = 6 };
    struct dpcls *dc = dpcls_create(65536, 0, SOCKET_ID_ANY);
    uint64_t dup_hits = 0, checked = 0, repeats = 0;

    (void) state;
    assert_non_null(dc);
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1 + rnd() % RULES;
        struct vsw_rule **rules = random_rule_set(n, (uint64_t) round + 1);
        dpcls_flush(dc);

        for (int b = 0; b < BURSTS; b++) {
            struct vsw_flow pool[POOL], burst[32];
            struct megaflow *got[32], *want[32];
            unsigned nb = 1 + (unsigned) (rnd() % 32);

            for (int i = 0; i < POOL; i++) {
                random_flow(rules, n, &pool[i]);
                pool[i].in_port = 1;    /* One port: one ranking. */
            }
            for (unsigned i = 0; i < nb; i++) {
                burst[i] = pool[rnd() % (uint64_t) (1 + rnd() % POOL)];
            }
            /* Megaflows for some of the pool (so both hits and misses). */
            for (int i = 0; i < POOL; i++) {
                if (rnd() % 2) {
                    struct vsw_flow mask;
                    const struct vsw_rule *r = slow_path(&pool[i], &mask);
                    insert1(dc, &pool[i], &mask, r, &no_acts, 0);
                }
            }
            struct dpcls_port *port = dpcls_port_get(dc, 1, false);
            if (!port) {
                continue;
            }
            lookup_each(dc, port, burst, nb, want);
            uint64_t keep = nb == 64 ? ~0ull : (1ull << nb) - 1, probes = 0;
            memset(got, 0, sizeof got);
            unsigned hits = dpcls_lookup_batch(dc, port, burst, nb, &keep, got, &probes);
            unsigned want_hits = 0;
            for (unsigned i = 0; i < nb; i++) {
                struct megaflow *g = keep & (1ull << i) ? NULL : got[i];
                if (g != want[i]) {
                    fail_msg("round %d burst %d packet %u: batch gives %p, alone %p", round, b,
                             i, (void *) g, (void *) want[i]);
                }
                want_hits += want[i] != NULL;
                dup_hits += i && want[i] && !memcmp(&burst[i], &burst[i - 1], sizeof burst[i]);
                checked++;
            }
            assert_int_equal(hits, want_hits);

            /* The same burst with each repeated key left out of the lookup
             * and answered from its first packet (what the PMD does for
             * a run of one shallow key): the same answers, hits and
             * probes. */
            uint64_t same = 0, keep2 = 0, probes2 = 0;
            uint8_t head[32];
            for (unsigned i = 0; i < nb; i++) {
                unsigned j = 0;
                while (j < i && memcmp(&burst[j], &burst[i], sizeof burst[i])) {
                    j++;
                }
                if (j < i) {
                    same |= 1ull << i;
                    head[i] = (uint8_t) j;
                } else {
                    keep2 |= 1ull << i;
                }
            }
            memset(got, 0, sizeof got);
            unsigned hits2 = dpcls_lookup_batch(dc, port, burst, nb, &keep2, got, &probes2);
            hits2 += dpcls_answer_repeats(port, same, head, &keep2, got, &probes2);
            for (unsigned i = 0; i < nb; i++) {
                struct megaflow *g = keep2 & (1ull << i) ? NULL : got[i];
                if (g != want[i]) {
                    fail_msg("round %d burst %d packet %u: repeats answered give %p, alone %p",
                             round, b, i, (void *) g, (void *) want[i]);
                }
                assert_int_equal((keep2 >> i) & 1, want[i] == NULL);   /* A miss stays. */
                repeats += (same >> i) & 1;
            }
            assert_int_equal(hits2, want_hits);
            assert_int_equal(probes2, probes);
        }
        free_rule_set(rules, n);
    }
    print_message("checked %" PRIu64 " packets in bursts, %" PRIu64 " hits on a repeated key, "
                  "%" PRIu64 " repeats answered from their first packet\n",
                  checked, dup_hits, repeats);
    assert_true(repeats > 10000);
    assert_true(dup_hits > 1000);
    dpcls_destroy(dc);
}

static void
test_invariant_random(void **state)
{
    enum { ROUNDS = 30, RULES = 200, PACKETS = 20000 };
    struct dpcls *dc = dpcls_create(65536, 0, SOCKET_ID_ANY);
    struct emc *emc = rte_zmalloc("emc", sizeof *emc, 64);
    const char *impl;
    emc_sig_match_fn *match = emc_sig_match_best(&impl);
    uint64_t checked = 0, cached = 0;

    (void) state;
    assert_non_null(dc);
    emc_init(emc);
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1 + rnd() % RULES;
        struct vsw_rule **rules = random_rule_set(n, (uint64_t) round + 1);
        struct vsw_cls *cls = fake_dp.cls;
        /* A rule change: caches are flushed, as the PMD does. */
        dpcls_flush(dc);
        emc_flush(emc);

        for (int p = 0; p < PACKETS; p++) {
            struct vsw_flow f;
            struct megaflow *mf = NULL;
            uint64_t keep = 1, probes = 0;
            uint32_t h;

            random_flow(rules, n, &f);
            h = rte_hash_crc(&f, sizeof f, 0);
            emc_lookup_batch(emc, match, &f, &h, 1, &keep, &mf);
            if (keep) {
                dpcls_smc_lookup_batch(dc, &f, &h, 1, &keep, &mf);
            }
            if (keep) {
                struct dpcls_port *port = dpcls_port_get(dc, f.in_port, false);
                if (port) {
                    dpcls_lookup_batch(dc, port, &f, 1, &keep, &mf, &probes);
                }
                if (!keep) {
                    emc_insert(emc, &f, h, mf);
                    dpcls_smc_insert(dc, h, mf);
                }
            }
            const struct vsw_rule *want = reference(cls, &f);
            if (!keep) {
                cached++;
                if (dpcls_mf_rule(mf) != want) {
                    fail_msg("round %d packet %d: cached rule %p (prio %u) but the rule "
                             "tables give %p (prio %u)", round, p, (void *) dpcls_mf_rule(mf),
                             dpcls_mf_rule(mf) ? dpcls_mf_rule(mf)->priority : 0, (void *) want,
                             want ? want->priority : 0);
                }
            } else {
                struct vsw_flow mask, fine;
                const struct vsw_rule *r = slow_path2(&f, &mask, &fine);
                assert_ptr_equal(r, want);
                struct megaflow *nmf = insert2(dc, &f, &mask, &fine, r, &no_acts, 0);
                if (nmf) {
                    dpcls_smc_insert(dc, h, nmf);
                }
            }
            checked++;
        }
        free_rule_set(rules, n);
    }
    print_message("checked %" PRIu64 " packets, %" PRIu64 " answered by the caches\n", checked,
                  cached);
    /* Not vacuous: many answers come from the caches (fewer than half: rule
     * sets of up to 200 random shapes give a port more than its
     * DPCLS_PORT_MASKS masks, and the megaflows past those are cached under
     * fine masks that match nearly every bit these random packets vary). */
    assert_true(cached > checked / 3);
    dpcls_destroy(dc);
    rte_free(emc);
}

/* Megaflows must not be narrower than the rules require. */
static void
test_megaflow_width(void **state)
{
    struct vsw_rule *rules[2];
    struct vsw_flow f, mask;

    (void) state;
    /* One rule "udp,actions=...": every UDP flow shares one megaflow that
     * matches only in_port, dl_type, nw_proto and the fragment bit. */
    rules[0] = calloc(1, sizeof *rules[0]);
    rules[0]->match.mask.dl_type = 0xffff;
    rules[0]->match.key.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    rules[0]->match.mask.nw_proto = 0xff;
    rules[0]->match.key.nw_proto = VSW_IPPROTO_UDP;
    struct vsw_cls *cls = vsw_cls_build(rules, 1);
    fake_dp.cls = cls;

    struct dpcls *dc = dpcls_create(4096, 0, SOCKET_ID_ANY);
    for (int i = 0; i < 1000; i++) {
        memset(&f, 0, sizeof f);
        f.in_port = 1;
        f.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
        f.nw_proto = VSW_IPPROTO_UDP;
        f.nw_src = rte_cpu_to_be_32(0x0a000000u + (uint32_t) i);
        f.tp_src = rte_cpu_to_be_16((uint16_t) i);
        uint64_t keep = 1, probes = 0;
        struct megaflow *mf;
        struct dpcls_port *port = dpcls_port_get(dc, 1, false);
        if (port) {
            dpcls_lookup_batch(dc, port, &f, 1, &keep, &mf, &probes);
        }
        if (keep) {
            const struct vsw_rule *r = slow_path(&f, &mask);
            assert_ptr_equal(r, rules[0]);
            insert1(dc, &f, &mask, r, &no_acts, 0);
        }
    }
    assert_int_equal(dc->n_flows, 1);
    assert_int_equal(dc->n_subtables, 1);
    const struct vsw_flow *m = &dc->subtables[0].mask;
    assert_int_equal(m->in_port, UINT32_MAX);
    assert_int_equal(m->dl_type, 0xffff);
    assert_int_equal(m->nw_proto, 0xff);
    assert_int_equal(m->nw_frag, VSW_FRAG_ANY);
    assert_int_equal(m->nw_src, 0);
    assert_int_equal(m->tp_src, 0);
    assert_int_equal(m->tp_dst, 0);
    vsw_cls_free(cls);

    /* 1000 rules "udp,nw_dst=10.0.X.Y": one megaflow per destination, with
     * one mask (in_port, dl_type, nw_proto, nw_dst, frag). */
    struct vsw_rule **many = calloc(1000, sizeof *many);
    for (int i = 0; i < 1000; i++) {
        many[i] = calloc(1, sizeof *many[i]);
        many[i]->seq = (uint64_t) i;
        many[i]->match.mask.dl_type = 0xffff;
        many[i]->match.key.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
        many[i]->match.mask.nw_proto = 0xff;
        many[i]->match.key.nw_proto = VSW_IPPROTO_UDP;
        many[i]->match.mask.nw_dst = UINT32_MAX;
        many[i]->match.key.nw_dst = rte_cpu_to_be_32(0x0a000001u + (uint32_t) i);
    }
    cls = vsw_cls_build(many, 1000);
    fake_dp.cls = cls;
    dpcls_flush(dc);
    for (int i = 0; i < 20000; i++) {
        memset(&f, 0, sizeof f);
        f.in_port = 1;
        f.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
        f.nw_proto = VSW_IPPROTO_UDP;
        f.nw_dst = rte_cpu_to_be_32(0x0a000001u + (uint32_t) (i % 1000));
        f.nw_src = rte_cpu_to_be_32(0xac100000u + (uint32_t) i);
        f.tp_dst = rte_cpu_to_be_16((uint16_t) i);
        uint64_t keep = 1, probes = 0;
        struct megaflow *mf;
        struct dpcls_port *port = dpcls_port_get(dc, 1, false);
        if (port) {
            dpcls_lookup_batch(dc, port, &f, 1, &keep, &mf, &probes);
        }
        if (keep) {
            const struct vsw_rule *r = slow_path(&f, &mask);
            insert1(dc, &f, &mask, r, &no_acts, 0);
        }
    }
    assert_int_equal(dc->n_flows, 1000);
    assert_int_equal(dc->n_subtables, 1);
    assert_int_equal(dc->subtables[0].mask.nw_dst, UINT32_MAX);
    assert_int_equal(dc->subtables[0].mask.nw_src, 0);
    assert_int_equal(dc->subtables[0].mask.tp_dst, 0);
    vsw_cls_free(cls);
    for (int i = 0; i < 1000; i++) {
        free(many[i]);
    }
    free(many);
    free(rules[0]);
    dpcls_destroy(dc);
}

/* Deleting megaflows (idle expiry, backward-shift deletion in the shared
 * hash table) leaves every other megaflow findable. */
/* The signature cache keeps nearly every flow of a working set that fills
 * 40 % of it (scenario d: 100 000 flows), and its hints are verified.
 * Random 5-tuples: their hashes fall into buckets at random (see
 * classifier/flow_hash.h), the hard case for a set-associative cache. */
static void
test_smc_capacity(void **state)
{
    enum { N = 100000, MIN_HIT_PERMILLE = 995 };
    struct dpcls *dc = dpcls_create(1024, 0, SOCKET_ID_ANY);
    struct vsw_flow mask, f;
    struct vsw_rule rule;
    static struct vsw_flow flows[N];
    static uint32_t hashes[N];

    (void) state;
    assert_non_null(dc);
    memset(&rule, 0, sizeof rule);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    memset(&f, 0, sizeof f);
    f.in_port = 1;
    f.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    f.nw_proto = VSW_IPPROTO_UDP;
    /* One megaflow (in_port=1) that every flow below matches. */
    struct megaflow *mf = insert1(dc, &f, &mask, &rule, &no_acts, 0);
    assert_non_null(mf);
    for (uint32_t i = 0; i < N; i++) {
        flows[i] = f;
        flows[i].nw_src = rnd();
        flows[i].nw_dst = rnd();
        flows[i].tp_src = (uint16_t) rnd();
        flows[i].tp_dst = (uint16_t) rnd();
        hashes[i] = vsw_flow_hash(&flows[i]);
        dpcls_smc_insert(dc, hashes[i], mf);
        if (i % 7 == 0) {
            dpcls_smc_insert(dc, hashes[i], mf);   /* Again: takes no second way. */
        }
    }
    unsigned hits = 0;
    for (uint32_t i = 0; i < N; i += 32) {
        unsigned nb = N - i < 32 ? N - i : 32;
        struct megaflow *got[32];
        uint64_t keep = (1ull << nb) - 1;
        hits += dpcls_smc_lookup_batch(dc, &flows[i], &hashes[i], nb, &keep, got);
        for (unsigned k = 0; k < nb; k++) {
            if (!(keep & (1ull << k))) {
                assert_ptr_equal(got[k], mf);
            }
        }
    }
    print_message("signature cache: %u of %u flows hit\n", hits, (unsigned) N);
    assert_true((uint64_t) hits * 1000 >= (uint64_t) N * MIN_HIT_PERMILLE);
    /* A hint is only a hint: a flow of another port with the same hash
     * does not match the megaflow it names. */
    struct megaflow *got = NULL;
    uint64_t keep = 1;
    f = flows[0];
    f.in_port = 2;
    assert_int_equal(dpcls_smc_lookup_batch(dc, &f, &hashes[0], 1, &keep, &got), 0);
    assert_int_equal(keep, 1);
    dpcls_destroy(dc);
}

static void
test_expire_keeps_others(void **state)
{
    enum { N = 3000 };
    struct dpcls *dc = dpcls_create(4096, 0, SOCKET_ID_ANY);
    struct vsw_flow mask, f;
    struct vsw_rule rule;

    (void) state;
    memset(&rule, 0, sizeof rule);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    mask.nw_dst = UINT32_MAX;
    for (int i = 0; i < N; i++) {
        memset(&f, 0, sizeof f);
        f.in_port = 1;
        f.nw_dst = rte_cpu_to_be_32((uint32_t) i);
        /* Even flows were used at time 1000, odd ones at time 1. */
        assert_non_null(insert1(dc, &f, &mask, &rule, &no_acts, i % 2 ? 1 : 1000));
    }
    assert_int_equal(dc->n_flows, N);
    unsigned gone = 0;
    for (int k = 0; k < 100; k++) {
        gone += dpcls_sweep(dc, 1500, 600, 4096);
    }
    assert_int_equal(gone, N / 2);
    struct dpcls_port *port = dpcls_port_get(dc, 1, false);
    for (int i = 0; i < N; i++) {
        uint64_t keep = 1, probes = 0;
        struct megaflow *mf = NULL;
        memset(&f, 0, sizeof f);
        f.in_port = 1;
        f.nw_dst = rte_cpu_to_be_32((uint32_t) i);
        dpcls_lookup_batch(dc, port, &f, 1, &keep, &mf, &probes);
        assert_int_equal(keep, i % 2 ? 1 : 0);
    }
    /* Expire the rest: a rerank stops probing the empty subtable. */
    for (int k = 0; k < 100; k++) {
        dpcls_sweep(dc, 5000, 600, 4096);
    }
    assert_int_equal(dc->n_flows, 0);
    dpcls_rerank(dc);
    assert_int_equal(port->n, 0);
    mask.nw_dst = 0;
    mask.nw_src = UINT32_MAX;
    memset(&f, 0, sizeof f);
    f.in_port = 1;
    f.nw_src = rte_cpu_to_be_32(7);
    assert_non_null(insert1(dc, &f, &mask, &rule, &no_acts, 6000));
    uint64_t keep = 1, probes = 0;
    struct megaflow *mf = NULL;
    dpcls_lookup_batch(dc, port, &f, 1, &keep, &mf, &probes);
    assert_int_equal(keep, 0);
    assert_int_equal(probes, 1);
    dpcls_destroy(dc);
}

static void
test_emc_simd_matches_scalar(void **state)
{
    enum { N = 32, ROUNDS = 20000 };
    struct emc_bucket *bk = rte_zmalloc("b", sizeof *bk * N, 64);
    const struct emc_bucket *bp[N];
    uint32_t sigs[N];
    uint8_t want[N], got[N];

    (void) state;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            for (int w = 0; w < EMC_WAYS; w++) {
                /* Small value range so that matches are frequent. */
                bk[i].sigs[w] = rnd() % 4 ? rnd() % 16 : rnd();
            }
            bp[i] = &bk[i];
            sigs[i] = rnd() % 16;
        }
        emc_sig_match_scalar(bp, sigs, N, want);
        if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_SSE4_2)) {
            emc_sig_match_sse42(bp, sigs, N, got);
            assert_memory_equal(want, got, N);
        }
        if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2)) {
            emc_sig_match_avx2(bp, sigs, N, got);
            assert_memory_equal(want, got, N);
        }
    }
    if (!rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2)) {
        print_message("AVX2 not available: only SSE4.2 compared\n");
    }
    rte_free(bk);
}

/* The megaflow invariant across rule changes, with revalidation instead of
 * a flush: megaflows built under a random rule set; then rules are deleted
 * and added at random, and each megaflow is kept only if revalidation
 * (xlate_megaflow_valid) says so.  Every packet a kept megaflow matches
 * must get, from the new rules, the rule the megaflow names; and most
 * megaflows must survive a change of a few rules among many. */
static void
test_revalidation_random(void **state)
{
    enum { ROUNDS = 30, RULES = 200, FLOWS = 1500, PROBES = 20 };
    uint64_t megaflows = 0, kept = 0, probed = 0, candidates = 0;

    (void) state;
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 20 + rnd() % RULES;
        struct vsw_rule **a = random_rule_set(n, 2 * (uint64_t) round + 1);
        struct vsw_cls *cls_a = fake_dp.cls;
        struct vsw_flow (*keys)[2] = calloc(FLOWS, sizeof *keys);
        const struct vsw_rule **mf_rule = calloc(FLOWS, sizeof *mf_rule);

        for (int i = 0; i < FLOWS; i++) {
            struct vsw_flow f;
            random_flow(a, n, &f);
            mf_rule[i] = slow_path(&f, &keys[i][1]);
            keys[i][0] = f;
            vsw_flow_word *k = vsw_flow_words(&keys[i][0]);
            for (size_t w = 0; w < VSW_FLOW_U64S; w++) {
                k[w] &= vsw_flow_cwords(&keys[i][1])[w];
            }
        }

        /* The change: 1-3 rules deleted, 1-3 added. */
        struct vsw_rule **b = calloc(n + 3, sizeof *b), *added[3];
        size_t nb = 0, n_del = 1 + rnd() % 3, n_add = 1 + rnd() % 3;
        for (size_t i = 0; i < n; i++) {
            if (i % (n / n_del + 1) != 1) {
                b[nb++] = a[i];
            }
        }
        for (size_t i = 0; i < n_add; i++) {
            added[i] = random_rule(n + i);
            b[nb++] = added[i];
        }
        struct vsw_cls *cls_b = vsw_cls_build(b, nb);
        assert_non_null(cls_b);
        /* Revalidation's candidates: megaflows of a deleted rule, and those
         * intersecting an added rule's match. */
        struct vsw_reval_region regions[3];
        for (size_t i = 0; i < n_add; i++) {
            regions[i].key = added[i]->match.key;
            regions[i].mask = added[i]->match.mask;
            regions[i].table = added[i]->table_id;
        }
        struct dpcls *dc = dpcls_create(FLOWS, 0, SOCKET_ID_ANY);
        assert_non_null(dc);

        for (int i = 0; i < FLOWS; i++) {
            struct vsw_counted *dep = mf_rule[i] ? (struct vsw_counted *) &mf_rule[i]->c : NULL;
            bool valid = xlate_megaflow_valid(cls_b, &no_ports, &keys[i][0], &keys[i][1],
                                              &dep, mf_rule[i] != NULL, NULL, 0);
            bool candidate = false;
            for (size_t k = 0; k < n && mf_rule[i]; k++) {
                if (a[k] == mf_rule[i]) {
                    bool in_b = false;
                    for (size_t j = 0; j < nb; j++) {
                        in_b |= b[j] == a[k];
                    }
                    candidate |= !in_b;
                }
            }
            struct megaflow *mf = insert1(dc, &keys[i][0], &keys[i][1], mf_rule[i], &no_acts, 0);
            if (!mf) {   /* Out of in_port rankings: start over. */
                dpcls_flush(dc);
                mf = insert1(dc, &keys[i][0], &keys[i][1], mf_rule[i], &no_acts, 0);
            }
            assert_non_null(mf);
            for (size_t k = 0; k < n_add; k++) {
                candidate |= dpcls_mf_intersects(mf, &regions[k]);
            }
            /* What revalidation does: a candidate is kept if translating it
             * again gives the same; any other megaflow is kept as it is.
             * Either way every packet of a kept one must get its rule. */
            candidates += candidate;
            megaflows++;
            if (candidate && !valid) {
                continue;
            }
            kept++;
            for (int p = 0; p < PROBES; p++) {
                /* Packets of the megaflow as installed (under a finer mask
                 * than the translation's when the port had its masks). */
                struct vsw_flow f;
                dpcls_megaflow_key(mf, &f);
                vsw_flow_word *fw = vsw_flow_words(&f);
                const vsw_flow_word *mw = vsw_flow_cwords(&mf->st->mask);
                for (size_t w = 0; w < VSW_FLOW_U64S; w++) {
                    fw[w] |= ((uint64_t) rnd() << 32 ^ rnd()) & ~mw[w];
                }
                const struct vsw_rule *want = reference(cls_b, &f);
                if (want != mf_rule[i]) {
                    fail_msg("round %d: a kept megaflow (%s) gives rule %p, the new rules %p",
                             round, candidate ? "re-translated" : "no candidate",
                             (void *) mf_rule[i], (void *) want);
                }
                probed++;
            }
        }
        dpcls_destroy(dc);
        vsw_cls_free(cls_b);
        fake_dp.cls = cls_a;
        free_rule_set(a, n);
        for (size_t i = 0; i < n_add; i++) {
            free(added[i]);
        }
        free(b);
        free(keys);
        free(mf_rule);
    }
    print_message("%" PRIu64 " megaflows, %" PRIu64 " revalidation candidates, %" PRIu64
                  " kept after the change, %" PRIu64 " packets probed\n", megaflows,
                  candidates, kept, probed);
    assert_true(kept > megaflows / 2);
    assert_true(candidates < megaflows / 2);
}

/* A key on in_port 1 and a mask of in_port and nw_dst: megaflows that
 * differ by nw_dst alone. */
static void
in_port_nw_dst(struct vsw_flow *f, struct vsw_flow *mask)
{
    memset(f, 0, sizeof *f);
    memset(mask, 0, sizeof *mask);
    mask->in_port = UINT32_MAX;
    mask->nw_dst = UINT32_MAX;
    f->in_port = 1;
}

/* A megaflow's hits reach every rule its translation passed through, once:
 * at a sweep, at its deletion and at a flush; never twice. */
static void
test_megaflow_stats_push(void **state)
{
    struct dpcls *dc = dpcls_create(64, 3, SOCKET_ID_ANY);
    static struct vsw_rule r1, r2;
    struct vsw_counted *deps[VSW_MAX_DEPS + 1] = { &r1.c, &r2.c };
    struct vsw_flow f, mask;

    (void) state;
    assert_non_null(dc);
    in_port_nw_dst(&f, &mask);
    f.nw_dst = 1;
    struct megaflow *a = dpcls_insert(dc, &f, &mask, NULL, deps, 2, &no_acts, 100, NULL);
    f.nw_dst = 2;
    struct megaflow *b = dpcls_insert(dc, &f, &mask, NULL, deps + 1, 1, &no_acts, 100, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->n_deps, 2);
    assert_ptr_equal(dpcls_mf_rule(a), &r1);
    assert_null(dpcls_insert(dc, &f, &mask, NULL, deps, VSW_MAX_DEPS + 1, &no_acts, 100, NULL));

    a->packets += 5; a->bytes += 500; a->used_tsc = 200;
    b->packets += 2; b->bytes += 100; b->used_tsc = 150;
    assert_int_equal(dpcls_sweep(dc, 300, 1000, 64), 0);     /* Nothing idle. */
    assert_int_equal(r1.c.stats[3].n_packets, 5);
    assert_int_equal(r1.c.stats[3].n_bytes, 500);
    assert_int_equal(r2.c.stats[3].n_packets, 7);
    assert_int_equal(r2.c.stats[3].n_bytes, 600);
    assert_int_equal(r2.c.stats[3].used_tsc, 200);
    assert_int_equal(r1.c.stats[0].n_packets, 0);               /* Only its PMD's slot. */
    dpcls_sweep(dc, 300, 1000, 64);                            /* Again: no double count. */
    assert_int_equal(r2.c.stats[3].n_packets, 7);

    a->packets += 1; a->bytes += 60; a->used_tsc = 400;
    uint32_t idx = (uint32_t) (a - dc->flows), gen = a->gen;
    assert_int_equal(dpcls_delete(dc, &idx, &gen, 1), 1);     /* Pushes before it goes. */
    assert_int_equal(r1.c.stats[3].n_packets, 6);
    assert_int_equal(r2.c.stats[3].n_packets, 8);
    assert_int_equal(r1.c.stats[3].used_tsc, 400);

    b->packets += 3; b->bytes += 30;
    dpcls_flush(dc);                                           /* Likewise. */
    assert_int_equal(r2.c.stats[3].n_packets, 11);
    assert_int_equal(r2.c.stats[3].n_bytes, 690);
    assert_int_equal(r1.c.stats[3].n_packets, 6);
    dpcls_destroy(dc);
}

/* A flush (which visits only the megaflows in use) empties everything:
 * megaflows spread over several words of the used map, with holes left by
 * deletions; every one pushes its counts, is invalidated for the EMC and
 * is gone from lookups; the pool is whole again afterwards. */
static void
test_flush_all(void **state)
{
    enum { LIMIT = 300, N = 260 };
    struct dpcls *dc = dpcls_create(LIMIT, 0, SOCKET_ID_ANY);
    static struct vsw_rule r;
    struct vsw_counted *dep = &r.c;
    struct vsw_flow f, mask;
    struct megaflow *mfs[N];
    uint32_t gens[N];

    (void) state;
    assert_non_null(dc);
    in_port_nw_dst(&f, &mask);
    for (uint32_t i = 0; i < N; i++) {
        f.nw_dst = i;
        mfs[i] = dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &no_acts, 10, NULL);
        assert_non_null(mfs[i]);
        mfs[i]->packets = 1;
        mfs[i]->bytes = 100;
    }
    unsigned deleted = 0;
    for (uint32_t i = 5; i < N; i += 7) {
        uint32_t idx = (uint32_t) (mfs[i] - dc->flows), gen = mfs[i]->gen;
        deleted += dpcls_delete(dc, &idx, &gen, 1);
        mfs[i] = NULL;
    }
    for (uint32_t i = 0; i < N; i++) {
        gens[i] = mfs[i] ? mfs[i]->gen : 0;
    }
    dpcls_flush(dc);
    assert_int_equal(r.c.stats[0].n_packets, N);          /* Deleted ones pushed too. */
    assert_int_equal(r.c.stats[0].n_bytes, 100 * N);
    assert_int_equal(dc->n_flows, 0);
    assert_int_equal(dc->n_free, LIMIT);
    assert_null(dpcls_port_get(dc, 1, false));
    for (uint32_t i = 0; i < N; i++) {
        if (mfs[i]) {
            assert_null(mfs[i]->st);
            assert_int_equal(mfs[i]->gen, gens[i] + 1);
        }
    }
    uint32_t pos = 0;
    assert_null(dpcls_next(dc, &pos));
    /* The whole pool can be filled again. */
    for (uint32_t i = 0; i < LIMIT; i++) {
        f.nw_dst = 1000 + i;
        assert_non_null(dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &no_acts, 20, NULL));
    }
    f.nw_dst = 5000;
    assert_null(dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &no_acts, 20, NULL));
    assert_true(deleted > 30);
    dpcls_destroy(dc);
}

/* Idle megaflows expire; a pool more than 7/8 full expires sooner. */
static void
test_sweep_flow_limit(void **state)
{
    struct dpcls *dc = dpcls_create(64, 0, SOCKET_ID_ANY);
    static struct vsw_rule r;
    struct vsw_counted *dep = &r.c;
    struct vsw_flow f, mask;

    (void) state;
    in_port_nw_dst(&f, &mask);
    for (uint32_t i = 0; i < 60; i++) {
        f.nw_dst = i;
        assert_non_null(dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &no_acts, 1000, NULL));
    }
    /* Idle for 200 of 1000: kept at 7/8 or less, expired above it. */
    assert_int_equal(dpcls_sweep(dc, 1200, 1000, 64), 60);
    for (uint32_t i = 0; i < 50; i++) {
        f.nw_dst = i;
        assert_non_null(dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &no_acts, 1000, NULL));
    }
    assert_int_equal(dpcls_sweep(dc, 1200, 1000, 64), 0);
    assert_int_equal(dc->n_flows, 50);
    dpcls_destroy(dc);
}

/* The MAC index against a model: random megaflows with random MACs from a
 * small set (so chains share buckets and MACs repeat), some that read the
 * MAC table about a rewritten MAC, some that read none; random deletions;
 * then forgetting a MAC deletes exactly the megaflows the model says. */
static void
test_forget_mac(void **state)
{
    enum { ROUNDS = 40, FLOWS = 300 };
    static struct vsw_rule r;
    struct vsw_counted *dep = &r.c;

    (void) state;
    for (int round = 0; round < ROUNDS; round++) {
        struct dpcls *dc = dpcls_create(512, 0, SOCKET_ID_ANY);
        struct megaflow *mfs[FLOWS];
        uint8_t kind[FLOWS];            /* 0: no MAC table, 1: own MACs, 2: any MAC. */
        uint64_t src[FLOWS], dst[FLOWS];
        struct vsw_flow mask;

        assert_non_null(dc);
        memset(&mask, 0, sizeof mask);
        mask.in_port = UINT32_MAX;
        mask.nw_dst = UINT32_MAX;
        memset(mask.dl_src, 0xff, 6);
        memset(mask.dl_dst, 0xff, 6);
        for (int i = 0; i < FLOWS; i++) {
            struct vsw_flow f;
            struct vsw_odp_buf acts = { 0 };
            memset(&f, 0, sizeof f);
            f.in_port = (uint32_t) i % 4;
            f.nw_dst = (uint32_t) i;                /* Every megaflow distinct. */
            f.dl_src[5] = (uint8_t) (rnd() % 12);
            f.dl_dst[5] = (uint8_t) (rnd() % 12);
            kind[i] = (uint8_t) (rnd() % 3);
            acts.xflags = kind[i] == 0 ? 0 : kind[i] == 1 ? VSW_XLATE_READ_FDB
                          : VSW_XLATE_READ_FDB | VSW_XLATE_READ_FDB_ANY;
            src[i] = vsw_mac_to_u64(f.dl_src);
            dst[i] = vsw_mac_to_u64(f.dl_dst);
            mfs[i] = dpcls_insert(dc, &f, &mask, NULL, &dep, 1, &acts, 0, NULL);
            assert_non_null(mfs[i]);
        }
        bool alive[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            alive[i] = true;
            if (rnd() % 4 == 0) {    /* Some go for other reasons first. */
                uint32_t idx = (uint32_t) (mfs[i] - dc->flows), gen = mfs[i]->gen;
                assert_int_equal(dpcls_delete(dc, &idx, &gen, 1), 1);
                alive[i] = false;
            }
        }
        for (int k = 0; k < 4; k++) {
            uint8_t m[6] = { 0, 0, 0, 0, 0, (uint8_t) (rnd() % 12) };
            uint64_t mac = vsw_mac_to_u64(m);
            unsigned want = 0;
            for (int i = 0; i < FLOWS; i++) {
                if (alive[i] && (kind[i] == 2 || (kind[i] == 1 && (src[i] == mac
                                                                    || dst[i] == mac)))) {
                    alive[i] = false;
                    want++;
                }
            }
            assert_int_equal(dpcls_forget_mac(dc, mac), want);
            for (int i = 0; i < FLOWS; i++) {
                if (alive[i] != (mfs[i]->st != NULL)) {
                    fail_msg("round %d: megaflow %d (kind %d) %s", round, i, kind[i],
                             alive[i] ? "deleted but should stay" : "should be deleted");
                }
            }
        }
        dpcls_destroy(dc);
    }
}

int
main(int argc, char **argv)
{
    char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--log-level=error",
                    "--file-prefix=vsw_test_fastpath", "--no-shconf", NULL };
    (void) argc;
    if (rte_eal_init(8, eal) < 0) {
        fprintf(stderr, "cannot initialise EAL\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emc_simd_matches_scalar),
        cmocka_unit_test(test_megaflow_width),
        cmocka_unit_test(test_expire_keeps_others),
        cmocka_unit_test(test_smc_capacity),
        cmocka_unit_test(test_invariant_random),
        cmocka_unit_test(test_batch_equals_single),
        cmocka_unit_test(test_batch_without_shortcut),
        cmocka_unit_test(test_revalidation_random),
        cmocka_unit_test(test_megaflow_stats_push),
        cmocka_unit_test(test_sweep_flow_limit),
        cmocka_unit_test(test_flush_all),
        cmocka_unit_test(test_forget_mac),
    };
    int rc = cmocka_run_group_tests_name("fastpath", tests, NULL, NULL);
    rte_eal_cleanup();
    return rc;
}
