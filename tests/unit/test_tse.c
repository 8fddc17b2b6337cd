/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded masks under a Tuple Space Explosion attack (classifier/dpcls.h,
 * docs/architecture.md "Bounded masks"), tested on the megaflow
 * classifier with the handler's real translation: scenario f's allow-list,
 * legitimate flows, then 20 000 attack packets, then new legitimate flows.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_eal.h>

#include "fastpath_check.h"

/* One rule of the allow-list below: priority, UDP, and one of nw_src,
 * nw_dst (prefix) or tp_dst; host-order values. */
static struct vsw_rule *
allow_rule(uint64_t seq, uint16_t prio, uint32_t src, int slen, uint32_t dst, int dlen,
           uint16_t port)
{
    struct vsw_rule *r = calloc(1, sizeof *r);
    struct vsw_match *m = &r->match;

    r->priority = prio;
    r->seq = seq;
    if (prio) {
        m->mask.dl_type = 0xffff;
        m->key.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
        m->mask.nw_proto = 0xff;
        m->key.nw_proto = VSW_IPPROTO_UDP;
    }
    m->mask.nw_src = rte_cpu_to_be_32(slen ? 0xffffffffu << (32 - slen) : 0);
    m->key.nw_src = rte_cpu_to_be_32(src);
    m->mask.nw_dst = rte_cpu_to_be_32(dlen ? 0xffffffffu << (32 - dlen) : 0);
    m->key.nw_dst = rte_cpu_to_be_32(dst);
    if (port) {
        m->mask.tp_dst = 0xffff;
        m->key.tp_dst = rte_cpu_to_be_16(port);
    }
    vsw_match_normalize(m);
    return r;
}

static void
udp_flow(struct vsw_flow *f, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1;
    f->dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    f->nw_proto = VSW_IPPROTO_UDP;
    f->nw_ttl = 64;
    f->nw_src = rte_cpu_to_be_32(src);
    f->nw_dst = rte_cpu_to_be_32(dst);
    f->tp_src = rte_cpu_to_be_16(sport);
    f->tp_dst = rte_cpu_to_be_16(dport);
}

/* The cached answer for 'f' (NULL: a miss), checked against the rules;
 * '*probes' gets the subtables probed. */
static struct megaflow *
lookup1(struct dpcls *dc, const struct vsw_flow *f, unsigned *probes)
{
    struct dpcls_port *port = dpcls_port_get(dc, f->in_port, false);
    struct megaflow *mf = NULL;
    uint64_t keep = 1, pr = 0;

    if (port) {
        dpcls_lookup_batch(dc, port, f, 1, &keep, &mf, &pr);
    }
    *probes = port ? port->n : 0;
    if (!keep) {
        assert_ptr_equal(dpcls_mf_rule(mf), reference(fake_dp.cls, f));
        return mf;
    }
    return NULL;
}

/* A Tuple Space Explosion attack on one in_port (scenario f's allow-list,
 * then packets that each miss the rules in a new way: random addresses
 * and service ports, so the prefix tracking un-wildcards a different
 * number of bits each time): the port never holds more than its bounded
 * number of subtables, a miss probes no more, every attack packet and
 * every legitimate flow that comes during the attack is still cached, and
 * every cached answer is the rules' (the megaflow invariant). */
static void
test_tse_bound(void **state)
{
    enum { LEGIT = 1000, ATTACK = 20000, BOUND = DPCLS_PORT_MASKS + DPCLS_PORT_FINE + 1 };
    struct dpcls *dc = dpcls_create(65536, 0, SOCKET_ID_ANY);
    struct vsw_rule *rules[8];
    static struct vsw_flow masks[512];
    unsigned n_masks = 0, fine = 0, exact = 0, max_n = 0, probes;
    struct vsw_flow f, mask, fmask;

    (void) state;
    rules[0] = allow_rule(0, 300, 0, 0, 0, 0, 80);
    rules[1] = allow_rule(1, 300, 0, 0, 0, 0, 443);
    rules[2] = allow_rule(2, 300, 0, 0, 0, 0, 53);
    rules[3] = allow_rule(3, 200, 0xC6336407, 32, 0, 0, 0);
    rules[4] = allow_rule(4, 200, 0xAC100000, 20, 0, 0, 0);
    rules[5] = allow_rule(5, 200, 0, 0, 0xCB007100, 28, 0);
    rules[6] = allow_rule(6, 200, 0, 0, 0x0A000000, 24, 0);
    rules[7] = allow_rule(7, 0, 0, 0, 0, 0, 0);
    fake_dp.cls = vsw_cls_build(rules, 8);
    vsw_cls_set_gen(fake_dp.cls, 99);

    for (unsigned phase = 0; phase < 3; phase++) {
        /* 0: legitimate flows, 1: the attack, 2: new legitimate flows. */
        unsigned n = phase == 1 ? ATTACK : LEGIT;
        for (unsigned i = 0; i < n; i++) {
            if (phase == 1) {
                udp_flow(&f, (uint32_t) rnd(), (uint32_t) rnd(), 1024, (uint16_t) rnd());
            } else {
                uint32_t k = i + phase * LEGIT;
                udp_flow(&f, 0xAC100000 + k % 4096, 0x0A000000 + k % 256, (uint16_t) (1024 + k),
                         k % 3 ? 5353 : 80);
            }
            if (lookup1(dc, &f, &probes)) {
                continue;
            }
            assert_true(probes <= BOUND);
            const struct vsw_rule *r = slow_path2(&f, &mask, &fmask);
            bool seen = false;
            for (unsigned m = 0; m < n_masks && !seen; m++) {
                seen = !memcmp(&masks[m], &mask, sizeof mask);
            }
            if (!seen && n_masks < 512) {
                masks[n_masks++] = mask;
            }
            enum dpcls_tier tier;
            struct vsw_counted *dep = r ? (struct vsw_counted *) &r->c : NULL;
            struct megaflow *mf = dpcls_insert(dc, &f, &mask, &fmask, &dep, r != NULL, &no_acts,
                                               0, &tier);
            assert_non_null(mf);      /* Cached, whatever the attack did. */
            fine += tier == DPCLS_TIER_FINE;
            exact += tier == DPCLS_TIER_EXACT;
            assert_non_null(lookup1(dc, &f, &probes));
            struct dpcls_port *port = dpcls_port_get(dc, 1, false);
            max_n = port->n > max_n ? port->n : max_n;
            assert_true(port->n <= BOUND);
        }
    }
    print_message("%u distinct megaflow masks from the translations, at most %u subtables on "
                  "the port (bound %u), %u megaflows under a fine mask, %u exact\n", n_masks,
                  max_n, BOUND, fine, exact);
    /* The attack did produce more masks than the bound. */
    assert_true(n_masks > BOUND);
    assert_true(fine > 0);
    vsw_cls_free(fake_dp.cls);
    fake_dp.cls = NULL;
    for (unsigned i = 0; i < 8; i++) {
        free(rules[i]);
    }
    dpcls_destroy(dc);
}

int
main(int argc, char **argv)
{
    char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-pci", "--log-level=error",
                    "--file-prefix=vsw_test_tse", "--no-shconf", NULL };
    (void) argc;
    if (rte_eal_init(8, eal) < 0) {
        fprintf(stderr, "cannot initialise EAL\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tse_bound),
    };
    int rc = cmocka_run_group_tests_name("tse", tests, NULL, NULL);
    rte_eal_cleanup();
    return rc;
}
