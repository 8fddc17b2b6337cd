/* SPDX-License-Identifier: Apache-2.0 */
#ifndef VSW_TEST_FASTPATH_CHECK_H
#define VSW_TEST_FASTPATH_CHECK_H 1

/*
 * What the fast-path test programs share (test_fastpath.c, test_tse.c):
 * a random generator, random ACL-style rule sets published as the slow
 * path's rules, packets near them, the handler's translation of a packet
 * (rule, megaflow mask, fine mask), the reference lookup in the rule
 * tables, and megaflow insertion.  Each program gets its own copy.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "classifier/cls.h"
#include "classifier/dpcls.h"
#include "dp.h"
#include "pmd/upcall.h"
#include "xlate/xlate.h"

/* Megaflows here need no actions: the tests look at lookups only. */
static const struct vsw_odp_buf no_acts __attribute__((unused));

static uint32_t rnd_state __attribute__((unused)) = 1;

static inline uint32_t
rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

/* A random IPv4/UDP-or-TCP rule in the style of an ACL. */
static inline struct vsw_rule *
random_rule(uint64_t seq)
{
    struct vsw_rule *r = calloc(1, sizeof *r);
    struct vsw_match *m = &r->match;
    static const int plens[] = { 0, 8, 16, 20, 24, 28, 32 };

    r->priority = rnd() % 64;
    r->seq = seq;
    if (rnd() % 4) {
        m->mask.in_port = UINT32_MAX;
        m->key.in_port = 1 + rnd() % 2;
    }
    m->mask.dl_type = 0xffff;
    m->key.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    int sp = plens[rnd() % 7], dp = plens[rnd() % 7];
    m->mask.nw_src = rte_cpu_to_be_32(sp ? 0xffffffffu << (32 - sp) : 0);
    m->key.nw_src = rte_cpu_to_be_32(0x0a000000u | (rnd() & 0x0000ffff));
    m->mask.nw_dst = rte_cpu_to_be_32(dp ? 0xffffffffu << (32 - dp) : 0);
    m->key.nw_dst = rte_cpu_to_be_32(0xac100000u | (rnd() & 0x000000ff));
    if (rnd() % 2) {
        m->mask.nw_proto = 0xff;
        m->key.nw_proto = rnd() % 2 ? VSW_IPPROTO_UDP : VSW_IPPROTO_TCP;
        if (rnd() % 2) {
            static const uint16_t pm[] = { 0xffff, 0xff00, 0xfff0 };
            m->mask.tp_dst = rte_cpu_to_be_16(pm[rnd() % 3]);
            m->key.tp_dst = rte_cpu_to_be_16((uint16_t) (rnd() % 4 * 1000));
        }
    }
    vsw_match_normalize(m);
    return r;
}

/* A packet that usually falls near some rule. */
static inline void
random_flow(struct vsw_rule **rules, size_t n, struct vsw_flow *f)
{
    memset(f, 0, sizeof *f);
    f->in_port = 1 + rnd() % 2;
    f->dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    f->nw_proto = rnd() % 3 ? (rnd() % 2 ? VSW_IPPROTO_UDP : VSW_IPPROTO_TCP) : 1;
    if (n && rnd() % 4) {
        const struct vsw_match *m = &rules[rnd() % n]->match;
        f->nw_src = m->key.nw_src | (rte_cpu_to_be_32(rnd()) & ~m->mask.nw_src);
        f->nw_dst = m->key.nw_dst | (rte_cpu_to_be_32(rnd()) & ~m->mask.nw_dst);
        f->tp_dst = m->key.tp_dst | (uint16_t) (rnd() & ~m->mask.tp_dst);
    } else {
        f->nw_src = rte_cpu_to_be_32(0x0a000000u | (rnd() & 0xffff));
        f->nw_dst = rte_cpu_to_be_32(0xac100000u | (rnd() & 0xff));
        f->tp_dst = rte_cpu_to_be_16((uint16_t) (rnd() % 4 * 1000 + rnd() % 3));
    }
    if (f->nw_proto != VSW_IPPROTO_TCP && f->nw_proto != VSW_IPPROTO_UDP) {
        f->tp_dst = 0;
    }
    f->tp_src = rte_cpu_to_be_16((uint16_t) rnd());
    if (rnd() % 16 == 0) {
        f->nw_frag = VSW_FRAG_ANY;
    }
}

static struct vsw_ports_snap fake_ports;   /* No ports: nothing for "all". */
static struct vsw_dp fake_dp __attribute__((unused)) = { .ports = &fake_ports };
/* The same, for xlate_megaflow_valid(). */
static const struct xlate_bridge no_ports __attribute__((unused));

/* n random rules, published (generation 'gen') as the slow path's rule set. */
static inline struct vsw_rule **
random_rule_set(size_t n, uint64_t gen)
{
    struct vsw_rule **rules = calloc(n, sizeof *rules);
    for (size_t i = 0; i < n; i++) {
        rules[i] = random_rule(i);
    }
    fake_dp.cls = vsw_cls_build(rules, n);
    vsw_cls_set_gen(fake_dp.cls, gen);
    return rules;
}

static inline void
free_rule_set(struct vsw_rule **rules, size_t n)
{
    vsw_cls_free(fake_dp.cls);
    fake_dp.cls = NULL;
    for (size_t i = 0; i < n; i++) {
        free(rules[i]);
    }
    free(rules);
}

/* The handler's translation of 'f': its rule, megaflow mask and (if
 * 'fine' is nonnull) the mask's fine form (classifier/dpcls.h). */
static inline const struct vsw_rule *
slow_path2(const struct vsw_flow *f, struct vsw_flow *mask, struct vsw_flow *fine)
{
    struct upcall up;
    memset(&up, 0, sizeof up);
    up.flow = *f;
    upcall_translate(&fake_dp, &up);
    *mask = up.mask;
    if (fine) {
        *fine = up.fine;
    }
    return up.n_deps ? vsw_rule_from_counted(up.deps[0]) : NULL;
}

static inline const struct vsw_rule *
slow_path(const struct vsw_flow *f, struct vsw_flow *mask)
{
    return slow_path2(f, mask, NULL);
}

static inline const struct vsw_rule *
reference(const struct vsw_cls *cls, const struct vsw_flow *f)
{
    struct vsw_flow key = *f;
    if (key.nw_frag & VSW_FRAG_ANY) {
        key.tp_src = key.tp_dst = 0;
    }
    return vsw_cls_lookup(cls, 0, &key);
}


/* Inserts a megaflow translated through 'rule' alone (NULL: a miss), with
 * its fine mask 'fine' (NULL: none). */
static inline struct megaflow *
insert2(struct dpcls *dc, const struct vsw_flow *f, const struct vsw_flow *mask,
        const struct vsw_flow *fine, const struct vsw_rule *rule, const struct vsw_odp_buf *acts,
        uint64_t now)
{
    struct vsw_counted *dep = rule ? (struct vsw_counted *) &rule->c : NULL;

    return dpcls_insert(dc, f, mask, fine, &dep, rule != NULL, acts, now, NULL);
}

static inline struct megaflow *
insert1(struct dpcls *dc, const struct vsw_flow *f, const struct vsw_flow *mask,
        const struct vsw_rule *rule, const struct vsw_odp_buf *acts, uint64_t now)
{
    return insert2(dc, f, mask, NULL, rule, acts, now);
}

#endif /* VSW_TEST_FASTPATH_CHECK_H */
