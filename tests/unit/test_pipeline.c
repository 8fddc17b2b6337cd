/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The multi-table translation (src/xlate/xlate_pipe.c): resubmit and
 * goto_table, the pipeline fields, OVS's limits ending in a counted error,
 * the dependencies a megaflow credits, and above all the megaflow
 * invariant across tables: every flow that agrees with a translated flow on
 * the bits of its megaflow mask gets the same datapath actions, whatever
 * the earlier tables rewrote or loaded into registers (property test over
 * random pipelines).  Rules are built through the C API so that this file
 * tests the translation alone; the syntax is tested in test_ofp_parse.c
 * and against OVS in tests/diff/.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rte_byteorder.h>

#include "classifier/cls.h"
#include "util.h"
#include "vsw/fields.h"
#include "xlate/xlate.h"

static const uint32_t ports[] = { 1, 2, 3, 4 };
static const struct xlate_bridge bridge = { .ofports = ports, .n_ports = 4 };

static uint32_t rnd_state = 7;

static uint32_t
rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* ---- Building rules through the C API. ---- */

#define MAX_RULES 64
static struct vsw_rule *rules[MAX_RULES];
static size_t n_rules;
static uint64_t seq;

static struct vsw_rule *
rule_new(uint8_t table, uint32_t priority)
{
    struct vsw_rule *r = aligned_alloc(64, (sizeof *r + 63) & ~(size_t) 63);

    assert_non_null(r);
    memset(r, 0, sizeof *r);
    r->table_id = table;
    r->priority = priority;
    r->seq = seq++;
    r->c.kind = VSW_COUNTED_RULE;
    r->actions = calloc(1, vsw_actions_size(16));
    assert_non_null(r->actions);
    assert_true(n_rules < MAX_RULES);
    rules[n_rules++] = r;
    return r;
}

static struct vsw_action *
act(struct vsw_rule *r, enum vsw_action_type type)
{
    struct vsw_action *a = &r->actions->a[r->actions->n++];

    assert_true(r->actions->n <= 16);
    memset(a, 0, sizeof *a);
    a->type = (uint8_t) type;
    return a;
}

static void
act_output(struct vsw_rule *r, uint32_t port)
{
    act(r, VSW_ACT_OUTPUT)->port = port;
    r->actions->n_outputs++;
}

static void
act_resubmit(struct vsw_rule *r, uint8_t table)
{
    struct vsw_action *a = act(r, VSW_ACT_RESUBMIT);
    a->resubmit.port = VSW_OFPP_IN_PORT;
    a->resubmit.table = table;
}

static void
act_load_reg(struct vsw_rule *r, unsigned reg, uint32_t value)
{
    struct vsw_action *a = act(r, VSW_ACT_LOAD);
    a->field = (uint8_t) (VSW_F_REG0 + reg);
    a->load.value = value;
    a->load.mask = UINT32_MAX;
}

static void
act_move(struct vsw_rule *r, enum vsw_field_id src, unsigned src_ofs, enum vsw_field_id dst,
         unsigned dst_ofs, unsigned n_bits)
{
    struct vsw_action *a = act(r, VSW_ACT_MOVE);
    a->move.src = (uint8_t) src;
    a->move.dst = (uint8_t) dst;
    a->move.src_ofs = (uint8_t) src_ofs;
    a->move.dst_ofs = (uint8_t) dst_ofs;
    a->move.n_bits = (uint8_t) n_bits;
}

static void
match_ip(struct vsw_rule *r)
{
    r->match.key.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    r->match.mask.dl_type = 0xffff;
}

static void
match_nw_dst(struct vsw_rule *r, uint32_t addr, unsigned plen)
{
    uint32_t m = plen ? UINT32_MAX << (32 - plen) : 0;

    match_ip(r);
    r->match.key.nw_dst = rte_cpu_to_be_32(addr & m);
    r->match.mask.nw_dst = rte_cpu_to_be_32(m);
}

static void
match_reg(struct vsw_rule *r, unsigned reg, uint32_t value, uint32_t mask)
{
    r->match.pkey.regs[reg] = rte_cpu_to_be_32(value & mask);
    r->match.pmask.regs[reg] = rte_cpu_to_be_32(mask);
}

static void
rules_free(void)
{
    for (size_t i = 0; i < n_rules; i++) {
        free(rules[i]->actions);
        free(rules[i]);
    }
    n_rules = 0;
}

static struct vsw_cls *
build(void)
{
    struct vsw_cls *cls = vsw_cls_build(rules, n_rules);
    assert_non_null(cls);
    return cls;
}

static struct vsw_flow
ip_flow(uint32_t in_port, uint32_t src, uint32_t dst)
{
    struct vsw_flow f;

    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    f.dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IP);
    f.nw_src = rte_cpu_to_be_32(src);
    f.nw_dst = rte_cpu_to_be_32(dst);
    f.nw_proto = VSW_IPPROTO_UDP;
    f.nw_ttl = 64;
    f.tp_src = rte_cpu_to_be_16(1000);
    f.tp_dst = rte_cpu_to_be_16(53);
    return f;
}

struct out {
    char text[512];
    struct vsw_flow mask;
    struct xlate_deps deps;
    struct xlate_result r;
};

static void
translate(const struct vsw_cls *cls, const struct vsw_flow *f, struct out *o)
{
    struct vsw_odp_buf buf;
    struct vsw_buf text = { 0 };

    o->r = xlate_flow(cls, &bridge, f, &buf, &o->mask, NULL, &o->deps, NULL);
    assert_false(buf.overflow);
    vsw_odp_format(buf.data, buf.len, &text);
    snprintf(o->text, sizeof o->text, "%s", vsw_buf_cstr(&text));
    vsw_buf_free(&text);
}

/* ---- Cases. ---- */

/* Table 0 classifies into a register, table 1 matches it. */
static void
test_resubmit_register(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    act_load_reg(r0, 0, 5);
    act_resubmit(r0, 1);
    struct vsw_rule *r1 = rule_new(1, 20);
    match_reg(r1, 0, 5, UINT32_MAX);
    act_output(r1, 2);
    struct vsw_rule *r2 = rule_new(1, 0);
    act_output(r2, 3);
    struct vsw_cls *cls = build();
    struct vsw_flow f = ip_flow(1, 0x0a000001, 0x0a000002);
    struct out o;

    translate(cls, &f, &o);
    assert_string_equal(o.text, "2");
    assert_int_equal(o.r.error, XLATE_OK);
    assert_ptr_equal(o.r.rule, r0);
    assert_int_equal(o.deps.n, 2);
    assert_ptr_equal(o.deps.d[0], &r0->c);
    assert_ptr_equal(o.deps.d[1], &r1->c);
    assert_true(o.deps.tables[0] & 2);        /* Looked up table 1 later. */
    /* A constant register says nothing about the packet: only in_port and
     * the fragment bit are in the megaflow. */
    assert_int_equal(o.mask.nw_src, 0);
    assert_int_equal(o.mask.dl_type, 0);
    vsw_cls_free(cls);
    rules_free();
}

/* dec_ttl of a TTL that runs out in a resubmitted table ends that table's
 * actions only: the caller's output after the resubmit still happens (OVS
 * compose_dec_ttl() returns from the nested action list), and the megaflow
 * matches the TTL. */
static void
test_dec_ttl_nested(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    act_resubmit(r0, 1);
    act_output(r0, 3);
    struct vsw_rule *r1 = rule_new(1, 10);
    act(r1, VSW_ACT_DEC_TTL);
    act_output(r1, 2);
    struct vsw_cls *cls = build();
    struct vsw_flow f = ip_flow(1, 0x0a000001, 0x0a000002);
    struct out o;

    f.nw_ttl = 1;
    translate(cls, &f, &o);
    assert_string_equal(o.text, "3");
    assert_int_equal(o.mask.nw_ttl, 0xff);
    f.nw_ttl = 2;
    translate(cls, &f, &o);
    assert_int_equal(o.mask.nw_ttl, 0xff);
    assert_non_null(strstr(o.text, ",2,3"));
    vsw_cls_free(cls);
    rules_free();
}

/* A rewrite before the next lookup: the lookup sees the new value, and the
 * megaflow need not match the old one. */
static void
test_rewrite_then_lookup(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    struct vsw_action *a = act(r0, VSW_ACT_SET_IPV4_DST);
    a->be32 = rte_cpu_to_be_32(0x0a000009);
    act_resubmit(r0, 1);
    struct vsw_rule *r1 = rule_new(1, 20);
    match_nw_dst(r1, 0x0a000009, 32);
    act_output(r1, 2);
    struct vsw_rule *r2 = rule_new(1, 10);
    act_output(r2, 3);
    struct vsw_cls *cls = build();
    struct vsw_flow f = ip_flow(1, 0x0a000001, 0x01020304);
    struct out o;

    translate(cls, &f, &o);
    assert_string_equal(o.text, "set(ipv4(dst=10.0.0.9)),2");
    assert_int_equal(o.mask.nw_dst, 0);                     /* Written, not read. */
    assert_int_equal(o.mask.dl_type, 0xffff);               /* Read (prerequisite). */
    vsw_cls_free(cls);
    rules_free();
}

/* move:NXM_OF_IP_SRC[]->NXM_NX_REG0[], then a match on reg0: the megaflow
 * must match the source address. */
static void
test_move_un_wildcards_source(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    act_move(r0, VSW_F_IPV4_SRC, 0, VSW_F_REG0, 0, 32);
    act_resubmit(r0, 1);
    struct vsw_rule *r1 = rule_new(1, 20);
    match_reg(r1, 0, 0x0a000001, UINT32_MAX);
    act_output(r1, 2);
    struct vsw_rule *r2 = rule_new(1, 10);
    act_output(r2, 3);
    struct vsw_cls *cls = build();
    struct out o;
    struct vsw_flow f = ip_flow(1, 0x0a000001, 0x01020304);

    translate(cls, &f, &o);
    assert_string_equal(o.text, "2");
    assert_int_equal(o.mask.nw_src, UINT32_MAX);
    f.nw_src = rte_cpu_to_be_32(0x0a000002);
    translate(cls, &f, &o);
    assert_string_equal(o.text, "3");
    vsw_cls_free(cls);
    rules_free();
}

/* goto_table to a table with no rule for the packet: dropped (OpenFlow
 * 1.3's table-miss default), and the output before it stays. */
static void
test_goto_miss(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    act_output(r0, 4);
    act(r0, VSW_ACT_GOTO_TABLE)->resubmit.table = 2;
    struct vsw_rule *r2 = rule_new(2, 10);
    match_nw_dst(r2, 0x0a000000, 8);
    act_output(r2, 2);
    struct vsw_cls *cls = build();
    struct out o;
    struct vsw_flow f = ip_flow(1, 1, 0x0b000001);

    translate(cls, &f, &o);
    assert_string_equal(o.text, "4");
    f.nw_dst = rte_cpu_to_be_32(0x0a000001);
    translate(cls, &f, &o);
    assert_string_equal(o.text, "4,2");
    vsw_cls_free(cls);
    rules_free();
}

/* A rule that resubmits to its own table recurses until OVS's depth limit:
 * the whole translation is a drop with a reason, even the outputs made on
 * the way. */
static void
test_loop_depth_limit(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    act_output(r0, 2);
    act_resubmit(r0, 0);
    struct vsw_cls *cls = build();
    struct out o;
    struct vsw_flow f = ip_flow(1, 1, 2);

    translate(cls, &f, &o);
    assert_int_equal(o.r.error, XLATE_RECURSION_TOO_DEEP);
    assert_string_equal(o.text, "drop");
    vsw_cls_free(cls);
    rules_free();
}

/* Every table resubmits twice to the next one (never deeper: forward
 * resubmits do not nest), 2^13 lookups: the resubmit limit ends it. */
static void
test_resubmit_count_limit(void **state)
{
    (void) state;
    for (uint8_t t = 0; t < 13; t++) {
        struct vsw_rule *r = rule_new(t, 10);
        act_resubmit(r, (uint8_t) (t + 1));
        act_resubmit(r, (uint8_t) (t + 1));
    }
    struct vsw_rule *last = rule_new(13, 10);
    act_output(last, 2);
    struct vsw_cls *cls = build();
    struct out o;
    struct vsw_flow f = ip_flow(1, 1, 2);

    translate(cls, &f, &o);
    assert_int_equal(o.r.error, XLATE_TOO_MANY_RESUBMITS);
    assert_string_equal(o.text, "drop");
    vsw_cls_free(cls);
    rules_free();

    /* 2^5 leaves are fine, and pass more rules than a megaflow can credit:
     * the answer is right but flagged as not cacheable. */
    for (uint8_t t = 0; t < 5; t++) {
        struct vsw_rule *r = rule_new(t, 10);
        act_resubmit(r, (uint8_t) (t + 1));
        act_resubmit(r, (uint8_t) (t + 1));
    }
    last = rule_new(5, 10);
    act_output(last, 2);
    cls = build();
    translate(cls, &f, &o);
    assert_int_equal(o.r.error, XLATE_TOO_MANY_DEPS);
    assert_true(o.deps.overflow);
    assert_int_equal(strlen(o.text), strlen("2,") * 32 - 1);
    vsw_cls_free(cls);
    rules_free();
}

/* write_metadata and a masked metadata match in the next table. */
static void
test_metadata(void **state)
{
    (void) state;
    struct vsw_rule *r0 = rule_new(0, 10);
    struct vsw_action *a = act(r0, VSW_ACT_WRITE_METADATA);
    a->md.value = 0x1200;
    a->md.mask = 0xff00;
    act(r0, VSW_ACT_GOTO_TABLE)->resubmit.table = 1;
    struct vsw_rule *r1 = rule_new(1, 10);
    r1->match.pkey.metadata = rte_cpu_to_be_64(0x1200);
    r1->match.pmask.metadata = rte_cpu_to_be_64(0xff00);
    act_output(r1, 3);
    struct vsw_cls *cls = build();
    struct out o;
    struct vsw_flow f = ip_flow(1, 1, 2);

    translate(cls, &f, &o);
    assert_string_equal(o.text, "3");
    vsw_cls_free(cls);
    rules_free();
}

/* ---- The megaflow invariant over random pipelines. ---- */

static void
random_match(struct vsw_rule *r)
{
    switch (rnd() % 8) {
    case 6: {
        /* A VID (dl_vlan=N) or "no tag" (vlan_tci=0/0x1000). */
        static const uint16_t vids[] = { 0, 10, 20 };
        uint16_t vid = vids[rnd() % 3];
        r->match.key.vlan_tci = rte_cpu_to_be_16(vid ? (uint16_t) (VSW_VLAN_CFI | vid) : 0);
        r->match.mask.vlan_tci = rte_cpu_to_be_16(vid ? 0x1fff : VSW_VLAN_CFI);
        break;
    }
    case 7:
        r->match.key.in_port = 1 + rnd() % 3;
        r->match.mask.in_port = UINT32_MAX;
        match_reg(r, 1, rnd() % 4, UINT32_MAX);
        break;
    case 0:
        break;   /* Catch-all. */
    case 1:
        r->match.key.in_port = 1 + rnd() % 3;
        r->match.mask.in_port = UINT32_MAX;
        break;
    case 2:
        match_nw_dst(r, (10u << 24) | (rnd() % 4) << 16 | (rnd() % 4) << 8, 8 + 8 * (rnd() % 3));
        break;
    case 3:
        match_ip(r);
        r->match.key.nw_src = rte_cpu_to_be_32((10u << 24) | (rnd() % 4) << 8);
        r->match.mask.nw_src = rte_cpu_to_be_32(0xffffff00u);
        break;
    case 4:
        match_reg(r, rnd() % 2, rnd() % 4, rnd() % 2 ? UINT32_MAX : 0x3);
        break;
    case 5:
        match_ip(r);
        r->match.key.nw_proto = VSW_IPPROTO_UDP;
        r->match.mask.nw_proto = 0xff;
        r->match.key.tp_dst = rte_cpu_to_be_16((uint16_t) (53 + rnd() % 3));
        r->match.mask.tp_dst = 0xffff;
        break;
    }
}

static void
random_actions(struct vsw_rule *r, uint8_t n_tables)
{
    unsigned n = 1 + rnd() % 4;

    for (unsigned i = 0; i < n; i++) {
        switch (rnd() % 9) {
        case 7:
            act(r, VSW_ACT_POP_VLAN);
            break;
        case 8:
            act(r, VSW_ACT_PUSH_VLAN)->be16 = rte_cpu_to_be_16(VSW_ETH_TYPE_VLAN);
            act(r, VSW_ACT_SET_VLAN_VID)->u16 = (uint16_t) (10 * (1 + rnd() % 2));
            break;
        case 0:
            act_output(r, 1 + rnd() % 4);
            break;
        case 1:
            act_load_reg(r, rnd() % 2, rnd() % 4);
            break;
        case 2:
            act_move(r, rnd() % 2 ? VSW_F_IPV4_SRC : VSW_F_IPV4_DST, 8 * (rnd() % 2),
                     VSW_F_REG0 + rnd() % 2, 0, 2);
            break;
        case 3: {
            struct vsw_action *a = act(r, VSW_ACT_SET_IPV4_DST);
            a->be32 = rte_cpu_to_be_32((10u << 24) | (rnd() % 4) << 16 | (rnd() % 4) << 8);
            break;
        }
        case 4:
        case 5:
            /* Forward mostly; sometimes back (nests, bounded by the limit). */
            act_resubmit(r, (uint8_t) (rnd() % 8 ? rnd() % n_tables : 0));
            break;
        case 6:
            act(r, VSW_ACT_DEC_TTL);
            break;
        }
    }
}

/* A flow that agrees with 'f' on the bits of 'mask', random elsewhere
 * (among the values the rules care about, so that it meets them). */
static struct vsw_flow
variant(const struct vsw_flow *f, const struct vsw_flow *mask)
{
    struct vsw_flow v = ip_flow(1 + rnd() % 3, (10u << 24) | (rnd() % 4) << 16 | (rnd() % 4) << 8,
                                (10u << 24) | (rnd() % 4) << 16 | (rnd() % 4) << 8 | rnd() % 2);
    vsw_flow_word *w = vsw_flow_words(&v);
    const vsw_flow_word *fw = vsw_flow_cwords(f), *m = vsw_flow_cwords(mask);

    static const uint16_t tcis[] = { 0, VSW_VLAN_CFI | 10, VSW_VLAN_CFI | 20, VSW_VLAN_CFI };

    v.tp_dst = rte_cpu_to_be_16((uint16_t) (53 + rnd() % 3));
    v.nw_ttl = (uint8_t) (1 + rnd() % 3);
    v.vlan_tci = rte_cpu_to_be_16(tcis[rnd() % 4]);
    for (size_t i = 0; i < VSW_FLOW_U64S; i++) {
        w[i] = (w[i] & ~m[i]) | (fw[i] & m[i]);
    }
    return v;
}

static void
test_megaflow_invariant_random(void **state)
{
    unsigned checked = 0, multi = 0;

    (void) state;
    for (int round = 0; round < 60; round++) {
        uint8_t n_tables = (uint8_t) (2 + rnd() % 4);
        unsigned n = 4 + rnd() % 12;

        for (unsigned i = 0; i < n; i++) {
            struct vsw_rule *r = rule_new((uint8_t) (rnd() % n_tables), rnd() % 4);
            random_match(r);
            vsw_match_normalize(&r->match);
            random_actions(r, n_tables);
        }
        struct vsw_cls *cls = build();
        for (int k = 0; k < 100; k++) {
            struct vsw_flow f = variant(&(struct vsw_flow) { 0 }, &(struct vsw_flow) { 0 });
            struct out o, o2;

            translate(cls, &f, &o);
            multi += o.deps.n > 1;
            for (int j = 0; j < 20; j++) {
                struct vsw_flow g = variant(&f, &o.mask);
                translate(cls, &g, &o2);
                if (strcmp(o.text, o2.text) || o.r.error != o2.r.error
                    || o.deps.n != o2.deps.n
                    || memcmp(o.deps.d, o2.deps.d, o.deps.n * sizeof o.deps.d[0])) {
                    char a[1024], b[1024];
                    vsw_flow_format(&f, a, sizeof a);
                    vsw_flow_format(&g, b, sizeof b);
                    fail_msg("round %d: megaflow of\n  %s\n  -> %s\nalso matches\n  %s\n  -> %s",
                             round, a, o.text, b, o2.text);
                }
                checked++;
            }
        }
        vsw_cls_free(cls);
        rules_free();
    }
    print_message("%u flow pairs checked, %u translations through several rules\n", checked,
                  multi);
    assert_true(multi > 1000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resubmit_register),
        cmocka_unit_test(test_dec_ttl_nested),
        cmocka_unit_test(test_rewrite_then_lookup),
        cmocka_unit_test(test_move_un_wildcards_source),
        cmocka_unit_test(test_goto_miss),
        cmocka_unit_test(test_loop_depth_limit),
        cmocka_unit_test(test_resubmit_count_limit),
        cmocka_unit_test(test_metadata),
        cmocka_unit_test(test_megaflow_invariant_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
