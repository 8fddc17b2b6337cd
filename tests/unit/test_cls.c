/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the rule classifier: priorities, masks, tables, and a
 * randomized comparison against a linear scan of the same rules.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classifier/cls.h"

static struct vsw_rule *
mk_rule(uint32_t prio, uint64_t seq, uint32_t dst, uint32_t dst_mask, uint16_t port,
        uint16_t port_mask)
{
    struct vsw_rule *r = calloc(1, sizeof *r);
    r->priority = prio;
    r->seq = seq;
    r->match.mask.dl_type = 0xffff;
    r->match.key.dl_type = rte_cpu_to_be_16(0x0800);
    r->match.mask.nw_dst = rte_cpu_to_be_32(dst_mask);
    r->match.key.nw_dst = rte_cpu_to_be_32(dst);
    if (port_mask) {
        r->match.mask.nw_proto = 0xff;
        r->match.key.nw_proto = 17;
        r->match.mask.tp_dst = rte_cpu_to_be_16(port_mask);
        r->match.key.tp_dst = rte_cpu_to_be_16(port);
    }
    vsw_match_normalize(&r->match);
    return r;
}

static struct vsw_flow
mk_flow(uint32_t dst, uint16_t port)
{
    struct vsw_flow f;
    memset(&f, 0, sizeof f);
    f.dl_type = rte_cpu_to_be_16(0x0800);
    f.nw_dst = rte_cpu_to_be_32(dst);
    f.nw_proto = 17;
    f.tp_dst = rte_cpu_to_be_16(port);
    return f;
}

static void
test_priorities(void **state)
{
    struct vsw_rule *r[4] = {
        mk_rule(10, 0, 0x0a000000, 0xff000000, 0, 0),
        mk_rule(20, 1, 0x0a010000, 0xffff0000, 0, 0),
        mk_rule(30, 2, 0x0a010200, 0xffffff00, 53, 0xffff),
        mk_rule(5, 3, 0, 0, 0, 0),
    };
    struct vsw_cls *cls = vsw_cls_build(r, 4);
    struct vsw_flow f;

    (void) state;
    f = mk_flow(0x0a090909, 1);
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[0]);
    f = mk_flow(0x0a010909, 1);
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[1]);
    f = mk_flow(0x0a010203, 53);
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[2]);
    f = mk_flow(0x0a010203, 54);
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[1]);
    f = mk_flow(0xc0a80001, 54);
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[3]);
    assert_null(vsw_cls_lookup(cls, 1, &f));   /* Empty table: miss. */
    assert_int_equal(vsw_cls_n_subtables(cls, 0), 4);
    vsw_cls_free(cls);
    for (int i = 0; i < 4; i++) {
        free(r[i]);
    }
}

static void
test_same_match_different_priority(void **state)
{
    struct vsw_rule *r[2] = {
        mk_rule(10, 0, 0x0a000000, 0xff000000, 0, 0),
        mk_rule(50, 1, 0x0a000000, 0xff000000, 0, 0),
    };
    struct vsw_cls *cls = vsw_cls_build(r, 2);
    struct vsw_flow f = mk_flow(0x0a000001, 0);

    (void) state;
    assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), r[1]);
    assert_int_equal(vsw_cls_n_subtables(cls, 0), 1);
    vsw_cls_free(cls);
    free(r[0]);
    free(r[1]);
}

static const struct vsw_rule *
linear_lookup(struct vsw_rule **rules, size_t n, const struct vsw_flow *f)
{
    const struct vsw_rule *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if (vsw_match_flow(&rules[i]->match, f)
            && (!best || rules[i]->priority > best->priority
                || (rules[i]->priority == best->priority && rules[i]->seq < best->seq))) {
            best = rules[i];
        }
    }
    return best;
}

static void
test_random_vs_linear(void **state)
{
    enum { N_RULES = 400, N_FLOWS = 20000 };
    struct vsw_rule *rules[N_RULES];
    unsigned seed = 12345;

    (void) state;
    srand(seed);
    for (int i = 0; i < N_RULES; i++) {
        int plen = rand() % 33;
        uint32_t mask = plen ? 0xffffffffu << (32 - plen) : 0;
        uint32_t dst = (0x0a000000u | (uint32_t) (rand() & 0x00ffffff));
        uint16_t pm = (uint16_t) ((rand() % 3) == 0 ? 0 : (rand() % 2 ? 0xffff : 0xff00));
        rules[i] = mk_rule((uint32_t) (rand() % 50), (uint64_t) i, dst, mask,
                           (uint16_t) (rand() % 4 * 256 + 53), pm);
    }
    struct vsw_cls *cls = vsw_cls_build(rules, N_RULES);
    for (int i = 0; i < N_FLOWS; i++) {
        const struct vsw_rule *pick = rules[rand() % N_RULES];
        uint32_t dst = rte_be_to_cpu_32(pick->match.key.nw_dst)
                       | ((uint32_t) rand() & ~rte_be_to_cpu_32(pick->match.mask.nw_dst));
        struct vsw_flow f = mk_flow(dst, (uint16_t) (rand() % 4 * 256 + 53 + rand() % 2));
        assert_ptr_equal(vsw_cls_lookup(cls, 0, &f), linear_lookup(rules, N_RULES, &f));
    }
    vsw_cls_free(cls);
    for (int i = 0; i < N_RULES; i++) {
        free(rules[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_same_match_different_priority),
        cmocka_unit_test(test_random_vs_linear),
    };
    return cmocka_run_group_tests_name("cls", tests, NULL, NULL);
}
