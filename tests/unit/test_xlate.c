/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Translation on its own: a rule (ovs-ofctl syntax) and a flow in, datapath
 * actions (as dump-megaflows prints them) and wildcards out.  The flow is
 * the rule's own match key with in_port and, where a case needs them, more
 * fields filled in; every other field is 0.  Packet-level behaviour of the
 * same actions (bytes, checksums) is tested in test_execute.c and against
 * Open vSwitch in tests/diff/.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "vsw/ofp_parse.h"
#include "xlate/xlate.h"

static const uint32_t ports[] = { 1, 2, 3, 4 };

struct result {
    char text[512];
    struct vsw_flow wc;
};

/* Translates the rule 'line' for its own match key on 'in_port', after
 * 'tweak' (may be NULL) has filled in more of the flow. */
static void
xlate_line(const char *line, uint32_t in_port, void (*tweak)(struct vsw_flow *),
           struct result *r)
{
    struct vsw_flow_mod fm;
    char err[256];
    struct vsw_odp_buf buf;
    struct vsw_buf out = { 0 };

    if (vsw_flow_mod_parse(line, VSW_FM_ADD, &fm, err, sizeof err)) {
        fail_msg("%s: %s", line, err);
    }
    struct vsw_flow flow = fm.match.key;
    flow.in_port = in_port;
    if (tweak) {
        tweak(&flow);
    }
    memset(&r->wc, 0, sizeof r->wc);
    xlate_actions(fm.actions, &flow, ports, 4, &buf, &r->wc);
    assert_false(buf.overflow);
    vsw_odp_format(buf.data, buf.len, &out);
    snprintf(r->text, sizeof r->text, "%s", vsw_buf_cstr(&out));
    vsw_buf_free(&out);
    vsw_flow_mod_uninit(&fm);
}

static void
expect(const char *line, uint32_t in_port, void (*tweak)(struct vsw_flow *), const char *want)
{
    struct result r;

    xlate_line(line, in_port, tweak, &r);
    if (strcmp(r.text, want)) {
        fail_msg("%s\n  want: %s\n  got:  %s", line, want, r.text);
    }
}

static void
test_outputs(void **state)
{
    (void) state;
    expect("in_port=1,actions=output:2", 1, NULL, "2");
    expect("in_port=1,actions=output:1", 1, NULL, "drop");     /* Never back out. */
    expect("in_port=1,actions=in_port", 1, NULL, "1");
    expect("in_port=1,actions=drop", 1, NULL, "drop");
    expect("in_port=2,actions=all", 2, NULL, "1,3,4");
    expect("in_port=1,actions=output:2,output:3,output:2", 1, NULL, "2,3,2");
}

static void
test_rewrites_commit_at_outputs(void **state)
{
    (void) state;
    expect("udp,actions=mod_nw_dst:10.1.1.1,output:2", 1, NULL,
           "set(ipv4(dst=10.1.1.1)),2");
    /* Only what changed since the previous output is committed again. */
    expect("udp,actions=output:2,mod_dl_src:02:00:00:00:00:01,output:3,output:4", 1, NULL,
           "2,set(eth(src=02:00:00:00:00:01)),3,4");
    expect("tcp,actions=mod_tp_dst:53,mod_nw_src:10.0.0.9,output:2", 1, NULL,
           "set(ipv4(src=10.0.0.9)),set(tcp(dst=53)),2");
    expect("udp,actions=set_field:53->udp_src,output:2", 1, NULL, "set(udp(src=53)),2");
    /* DSCP is a masked write of the TOS byte: the ECN bits stay the packet's. */
    expect("ip,nw_proto=6,actions=mod_nw_tos:32,output:2", 1, NULL,
           "set(ipv4(tos=0x20/0xfc)),2");
    expect("ipv6,nw_proto=17,actions=set_field:2001:db8::1->ipv6_dst,"
           "set_field:0x12345->ipv6_label,output:2", 1, NULL,
           "set(ipv6(dst=2001:db8::1,label=0x12345)),2");
}

static void
ipv6_flow(struct vsw_flow *f)
{
    f->dl_type = rte_cpu_to_be_16(VSW_ETH_TYPE_IPV6);
}

static void
test_rewrite_needs_its_header(void **state)
{
    struct result r;

    (void) state;
    /* "ip" without a protocol: the datapath has no L3 to commit (OVS). */
    xlate_line("ip,actions=mod_nw_dst:10.1.1.1,output:2", 1, NULL, &r);
    assert_string_equal(r.text, "2");
    assert_int_equal(r.wc.nw_proto, 0xff);
    /* mod_nw_dst of an IPv4 rule applied to an IPv6 flow: nothing. */
    expect("udp,actions=mod_nw_dst:10.1.1.1,output:2", 1, ipv6_flow, "2");
}

static void
later_fragment(struct vsw_flow *f)
{
    f->nw_frag = VSW_FRAG_ANY | VSW_FRAG_LATER;
}

static void
test_l4_not_on_later_fragments(void **state)
{
    struct result r;

    (void) state;
    xlate_line("udp,actions=mod_tp_dst:53,output:2", 1, later_fragment, &r);
    assert_string_equal(r.text, "2");
    assert_int_equal(r.wc.nw_frag & VSW_FRAG_LATER, VSW_FRAG_LATER);
}

static void
ttl_one(struct vsw_flow *f)
{
    f->nw_ttl = 1;
}

static void
test_dec_ttl(void **state)
{
    struct result r;

    (void) state;
    /* Decided per packet: the megaflow does not match the TTL. */
    xlate_line("udp,actions=dec_ttl,output:2", 1, NULL, &r);
    assert_string_equal(r.text, "set(ipv4(ttl=-1,ttl_min=2)),2");
    assert_int_equal(r.wc.nw_ttl, 0);
    expect("udp,actions=dec_ttl,dec_ttl,output:2", 1, NULL, "set(ipv4(ttl=-2,ttl_min=3)),2");
    /* Each output commits; the next dec_ttl checks the lowered TTL. */
    expect("udp,actions=dec_ttl,output:2,dec_ttl,output:3", 1, NULL,
           "set(ipv4(ttl=-1,ttl_min=2)),2,set(ipv4(ttl=-1,ttl_min=2)),3");
    /* A TTL the actions set is known: decided here. */
    expect("udp,actions=mod_nw_ttl:5,dec_ttl,output:2", 1, NULL, "set(ipv4(ttl=4)),2");
    expect("udp,actions=mod_nw_ttl:1,output:2,dec_ttl,output:3", 1, NULL,
           "set(ipv4(ttl=1)),2");
    /* An IP protocol of 0 has no L3 commit: decided on the flow's TTL. */
    xlate_line("ip,actions=dec_ttl,output:2", 1, ttl_one, &r);
    assert_string_equal(r.text, "drop");
    assert_int_equal(r.wc.nw_ttl, 0xff);
}

static void
test_vlans(void **state)
{
    struct result r;

    (void) state;
    /* Untagged: mod_vlan_vid pushes a tag (the parser adds the push). */
    xlate_line("in_port=1,vlan_tci=0,actions=mod_vlan_vid:20,output:2", 1, NULL, &r);
    assert_string_equal(r.text, "push_vlan(vid=20,pcp=0),2");
    /* Tagged: the packet's tag is rewritten in place, its TPID kept; the
     * megaflow matches the tag's presence, not its old VID. */
    xlate_line("in_port=1,dl_vlan=10,actions=mod_vlan_vid:20,output:2", 1, NULL, &r);
    assert_string_equal(r.text, "set(vlan(vid=20)),2");
    assert_int_equal(r.wc.vlan_tci & rte_cpu_to_be_16(VSW_VLAN_CFI),
                     rte_cpu_to_be_16(VSW_VLAN_CFI));
    expect("in_port=1,dl_vlan=10,actions=mod_vlan_pcp:3,output:2", 1, NULL,
           "set(vlan(pcp=3)),2");
    expect("in_port=1,dl_vlan=10,actions=strip_vlan,output:2", 1, NULL, "pop_vlan,2");
    expect("in_port=1,dl_vlan=10,actions=push_vlan:0x88a8,set_field:4126->vlan_vid,output:2",
           1, NULL, "push_vlan(tpid=0x88a8,vid=30,pcp=0),2");
    /* Pop then push: the new tag replaces the packet's. */
    expect("in_port=1,dl_vlan=10,actions=strip_vlan,push_vlan:0x8100,"
           "set_field:4103->vlan_vid,output:2", 1, NULL, "pop_vlan,push_vlan(vid=7,pcp=0),2");
    /* Output before and after a push. */
    expect("in_port=1,vlan_tci=0,actions=output:2,push_vlan:0x8100,set_field:4105->vlan_vid,"
           "output:3,strip_vlan,output:4", 1, NULL,
           "2,push_vlan(vid=9,pcp=0),3,pop_vlan,4");
}

static void
test_overflow_is_reported(void **state)
{
    char line[4096];
    size_t n = (size_t) snprintf(line, sizeof line, "in_port=1,actions=");
    struct vsw_flow_mod fm;
    char err[256];
    struct vsw_odp_buf buf;
    struct vsw_flow wc;

    (void) state;
    /* 40 rewrites and outputs: 960 bytes, more than a megaflow holds (the
     * PMD executes them uncached) but a valid list; 100: over the 2 KB a
     * translation may produce, reported. */
    for (int i = 0; i < 100; i++) {
        n += (size_t) snprintf(line + n, sizeof line - n, "%smod_dl_src:02:00:00:00:00:%02x,"
                               "output:2", i ? "," : "", i);
        if (i == 39 || i == 99) {
            assert_int_equal(vsw_flow_mod_parse(line, VSW_FM_ADD, &fm, err, sizeof err), 0);
            struct vsw_flow flow = fm.match.key;
            flow.in_port = 1;
            memset(&wc, 0, sizeof wc);
            xlate_actions(fm.actions, &flow, ports, 4, &buf, &wc);
            if (i == 39) {
                assert_false(buf.overflow);
                assert_true(buf.len > VSW_ODP_MAX);
            } else {
                assert_true(buf.overflow);
            }
            vsw_flow_mod_uninit(&fm);
        }
    }
}

/* The controller action commits first and carries what the packet-in
 * needs; without a rule (a packet-out) the cookie is "none". */
static void
test_controller(void **state)
{
    (void) state;
    expect("udp,in_port=1,actions=mod_nw_dst:1.2.3.4,controller:40,output:2", 1, NULL,
           "set(ipv4(dst=1.2.3.4)),userspace(controller(reason=1,table_id=0,"
           "rule_cookie=0xffffffffffffffff,controller_id=0,max_len=40)),2");
    expect("in_port=1,actions=controller", 1, NULL,
           "userspace(controller(reason=1,table_id=0,rule_cookie=0xffffffffffffffff,"
           "controller_id=0,max_len=65535))");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_rewrites_commit_at_outputs),
        cmocka_unit_test(test_rewrite_needs_its_header),
        cmocka_unit_test(test_l4_not_on_later_fragments),
        cmocka_unit_test(test_dec_ttl),
        cmocka_unit_test(test_vlans),
        cmocka_unit_test(test_overflow_is_reported),
        cmocka_unit_test(test_controller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
