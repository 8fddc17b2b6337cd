/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NORMAL and FLOOD translated (src/xlate/xlate_normal.c): a bridge of four
 * ports with VLAN modes, a MAC table, a flow in; datapath actions (as
 * dump-megaflows prints them), the megaflow wildcards and the learning
 * request out.  The frames themselves are compared with Open vSwitch's by
 * tests/diff/ovs_diff_l2.py.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2/fdb.h"
#include "l2/vlan.h"
#include "util.h"
#include "vsw/ofp_parse.h"
#include "xlate/xlate.h"

static const uint32_t ports[] = { 1, 2, 3, 4 };
static struct vsw_port_vlan vlans[4];
static struct vsw_fdb *fdb;

static const uint8_t A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t STP[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

static void
config(unsigned port, const char *kv1, const char *kv2)
{
    struct vsw_vlan_cfg c = VSW_VLAN_CFG_INIT;
    char err[256];

    if (kv1) {
        assert_int_equal(vsw_vlan_cfg_apply(&c, kv1, err, sizeof err), 0);
    }
    if (kv2) {
        assert_int_equal(vsw_vlan_cfg_apply(&c, kv2, err, sizeof err), 0);
    }
    if (vsw_vlan_cfg_resolve(&c, &vlans[port - 1], err, sizeof err)) {
        fail_msg("%s %s: %s", kv1 ? kv1 : "", kv2 ? kv2 : "", err);
    }
}

/* p1, p2: access VLAN 10; p3: trunk; p4: native-untagged VLAN 20. */
static int
setup(void **state)
{
    (void) state;
    config(1, "tag=10", NULL);
    config(2, "tag=10", "vlan_mode=access");
    config(3, NULL, NULL);
    config(4, "tag=20", "vlan_mode=native-untagged");
    fdb = vsw_fdb_create(64, 300);
    return fdb ? 0 : -1;
}

static int
teardown(void **state)
{
    (void) state;
    vsw_fdb_destroy(fdb);
    return 0;
}

static struct vsw_flow
flow(uint32_t in_port, const uint8_t *dst, const uint8_t *src, int vid, int pcp)
{
    struct vsw_flow f;

    memset(&f, 0, sizeof f);
    f.in_port = in_port;
    memcpy(f.dl_dst, dst, 6);
    memcpy(f.dl_src, src, 6);
    f.dl_type = rte_cpu_to_be_16(0x0800);
    f.nw_proto = 17;
    f.nw_src = rte_cpu_to_be_32(0x0a000001);
    if (vid >= 0) {
        f.vlan_tci = rte_cpu_to_be_16((uint16_t) (VSW_VLAN_CFI | vid | pcp << 13));
    }
    return f;
}

struct res {
    char text[512];
    struct vsw_flow wc;
    struct xlate_learn learn;
    bool overflow;
};

static void
run(const char *actions, const struct vsw_flow *f, bool unavailable, struct res *r)
{
    struct vsw_flow_mod fm;
    char line[256], err[256];
    struct vsw_odp_buf buf;
    struct vsw_buf out = { 0 };
    struct xlate_bridge br = {
        .ofports = ports, .vlans = vlans, .n_ports = 4, .fdb = unavailable ? NULL : fdb,
        .fdb_unavailable = unavailable,
    };

    snprintf(line, sizeof line, "actions=%s", actions);
    if (vsw_flow_mod_parse(line, VSW_FM_ADD, &fm, err, sizeof err)) {
        fail_msg("%s: %s", line, err);
    }
    memset(&r->wc, 0, sizeof r->wc);
    r->learn.n = 0;
    xlate_actions_br(fm.actions, f, &br, &buf, &r->wc, &r->learn);
    r->overflow = buf.overflow;
    vsw_odp_format(buf.data, buf.len, &out);
    snprintf(r->text, sizeof r->text, "%s", vsw_buf_cstr(&out));
    vsw_buf_free(&out);
    vsw_flow_mod_uninit(&fm);
}

static void
expect(const char *actions, struct vsw_flow f, const char *want)
{
    struct res r;

    run(actions, &f, false, &r);
    if (strcmp(r.text, want)) {
        fail_msg("%s\n  want: %s\n  got:  %s", actions, want, r.text);
    }
}

static void
test_flood_by_vlan(void **state)
{
    (void) state;
    vsw_fdb_flush(fdb, false, 0, true);
    /* Untagged on access p1 is VLAN 10: p2 untagged, trunk p3 tagged, p4
     * (native 20) tagged; never back to p1. */
    expect("NORMAL", flow(1, B, A, -1, 0), "2,push_vlan(vid=10,pcp=0),3,4");
    /* VLAN 20 from the trunk: only p4, whose native VLAN it is: untagged. */
    expect("NORMAL", flow(3, BCAST, A, 20, 0), "pop_vlan,4");
    /* VLAN 10 from the trunk: untagged copies for the access ports, the
     * frame's own tag back for p4. */
    expect("NORMAL", flow(3, BCAST, A, 10, 5), "pop_vlan,1,2,push_vlan(tpid=orig),4");
    /* Untagged on the native port is VLAN 20: tagged for the trunk. */
    expect("NORMAL", flow(4, BCAST, A, -1, 0), "push_vlan(vid=20,pcp=0),3");
}

static void
test_admission(void **state)
{
    (void) state;
    vsw_fdb_flush(fdb, false, 0, true);
    /* An access port takes no tagged frame but a priority tag (VID 0)... */
    expect("NORMAL", flow(1, BCAST, A, 5, 0), "drop");
    /* ...whose tag becomes VLAN 10, keeping its PCP and TPID. */
    expect("NORMAL", flow(1, BCAST, A, 0, 3), "pop_vlan,2,push_vlan(tpid=orig,vid=10),3,4");
    /* A native port takes VID 0 as its native VLAN. */
    expect("NORMAL", flow(4, BCAST, A, 0, 0), "set(vlan(vid=20)),3");
    /* A trunk with a trunks list drops the other VLANs, untagged included. */
    config(3, "trunks=10", NULL);
    expect("NORMAL", flow(3, BCAST, A, 20, 0), "drop");
    expect("NORMAL", flow(3, BCAST, A, -1, 0), "drop");
    expect("NORMAL", flow(3, BCAST, A, 10, 0), "pop_vlan,1,2,push_vlan(tpid=orig),4");
    /* ...and floods only its VLANs to it. */
    expect("NORMAL", flow(4, BCAST, A, -1, 0), "drop");
    config(3, NULL, NULL);
    /* Reserved multicast (STP, LLDP...) is never forwarded nor learned from. */
    struct res r;
    struct vsw_flow f = flow(1, STP, A, -1, 0);
    run("NORMAL", &f, false, &r);
    assert_string_equal(r.text, "drop");
    assert_int_equal(r.learn.n, 0);
    /* FLOOD and ALL know nothing of VLANs. */
    expect("FLOOD", flow(1, BCAST, A, 5, 0), "2,3,4");
    expect("ALL", flow(2, BCAST, A, -1, 0), "1,3,4");
}

static void
test_learned(void **state)
{
    struct res r;

    (void) state;
    vsw_fdb_flush(fdb, false, 0, true);
    /* The learning request: the source, its VLAN inside the bridge, the port. */
    struct vsw_flow f = flow(1, B, A, -1, 0);
    run("NORMAL", &f, false, &r);
    assert_int_equal(r.learn.n, 1);
    assert_memory_equal(r.learn.e[0].mac, A, 6);
    assert_int_equal(r.learn.e[0].vlan, 10);
    assert_int_equal(r.learn.e[0].port, 1);
    /* Translation learns nothing itself. */
    uint32_t p;
    assert_false(vsw_fdb_lookup(fdb, A, 10, &p));

    vsw_fdb_learn(fdb, B, 10, 3, false, false);
    expect("NORMAL", flow(1, B, A, -1, 0), "push_vlan(vid=10,pcp=0),3");
    expect("NORMAL", flow(2, B, A, -1, 0), "push_vlan(vid=10,pcp=0),3");
    /* B is known in VLAN 10 only. */
    expect("NORMAL", flow(4, B, A, -1, 0), "push_vlan(vid=20,pcp=0),3");
    /* Learned on the ingress port: dropped. */
    expect("NORMAL", flow(3, B, A, 10, 0), "drop");
    /* A frame to itself: as if its source were learned first. */
    expect("NORMAL", flow(1, A, A, -1, 0), "drop");
    /* Rewrites before NORMAL decide with the new header. */
    expect("mod_dl_dst:02:00:00:00:00:0b,NORMAL", flow(1, BCAST, A, -1, 0),
           "set(eth(dst=02:00:00:00:00:0b)),push_vlan(vid=10,pcp=0),3");
    /* The packet goes on as it came after NORMAL. */
    expect("NORMAL,output:2", flow(3, B, A, -1, 0), "2");   /* VLAN 0: nobody else. */
    expect("NORMAL,output:3", flow(1, B, A, 0, 2),
           "set(vlan(vid=10)),3,set(vlan(vid=0)),3");
}

/* A pipeline may reach NORMAL more than once for one packet: OVS learns at
 * each one, and a later one already knows what an earlier one learned. */
static void
test_learn_twice(void **state)
{
    struct res r;

    (void) state;
    vsw_fdb_flush(fdb, false, 0, true);
    /* p1 is access VLAN 10: A, then C (the rewritten source), both on p1. */
    struct vsw_flow f = flow(1, B, A, -1, 0);
    run("NORMAL,mod_dl_src:02:00:00:00:00:0c,NORMAL", &f, false, &r);
    assert_int_equal(r.learn.n, 2);
    assert_memory_equal(r.learn.e[0].mac, A, 6);
    assert_int_equal(r.learn.e[1].mac[5], 0x0c);
    assert_int_equal(r.learn.e[1].port, 1);
    assert_int_equal(r.learn.e[1].vlan, 10);
    /* The second NORMAL, to A, finds it learned on the ingress port by the
     * first: only the first NORMAL's flood goes out. */
    expect("NORMAL,mod_dl_src:02:00:00:00:00:0c,mod_dl_dst:02:00:00:00:00:0a,NORMAL",
           flow(1, B, A, -1, 0), "2,push_vlan(vid=10,pcp=0),3,4");
    /* The same pair twice is one entry, at its last port. */
    f = flow(1, B, A, -1, 0);
    run("NORMAL,NORMAL", &f, false, &r);
    assert_int_equal(r.learn.n, 1);
}

static void
test_megaflow_mask(void **state)
{
    struct res r;

    (void) state;
    vsw_fdb_flush(fdb, false, 0, true);
    struct vsw_flow f = flow(3, B, A, 10, 0);
    run("NORMAL", &f, false, &r);
    /* MACs and the VID: what every NORMAL decision reads... */
    static const uint8_t ff[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    assert_memory_equal(r.wc.dl_src, ff, 6);
    assert_memory_equal(r.wc.dl_dst, ff, 6);
    assert_int_equal(rte_be_to_cpu_16(r.wc.vlan_tci), VSW_VLAN_CFI | VSW_VLAN_VID_MASK);
    /* ...and nothing of L3/L4. */
    assert_int_equal(r.wc.dl_type, 0);
    assert_int_equal(r.wc.nw_src, 0);
    assert_int_equal(r.wc.nw_proto, 0);
    assert_int_equal(r.wc.tp_dst, 0);
    /* The PCP only where it decides: a VID 0 tag is dropped if PCP is 0. */
    config(4, NULL, NULL);
    f = flow(3, B, A, 0, 0);
    run("NORMAL", &f, false, &r);
    assert_string_equal(r.text, "pop_vlan,4");
    assert_int_equal(rte_be_to_cpu_16(r.wc.vlan_tci) & VSW_VLAN_PCP_MASK, VSW_VLAN_PCP_MASK);
    f = flow(3, B, A, 0, 1);
    run("NORMAL", &f, false, &r);
    assert_string_equal(r.text, "4");
    config(4, "tag=20", "vlan_mode=native-untagged");
}

static void
test_pmd_cannot_translate_normal(void **state)
{
    struct res r;
    struct vsw_flow f = flow(1, B, A, -1, 0);

    (void) state;
    run("NORMAL", &f, true, &r);
    assert_true(r.overflow);
    run("output:2", &f, true, &r);
    assert_false(r.overflow);
    assert_string_equal(r.text, "2");
}

static void
test_vlan_config_errors(void **state)
{
    struct vsw_vlan_cfg c = VSW_VLAN_CFG_INIT;
    struct vsw_port_vlan v;
    char err[256];

    (void) state;
    assert_int_equal(vsw_vlan_cfg_apply(&c, "tag=4096", err, sizeof err), EINVAL);
    assert_int_equal(vsw_vlan_cfg_apply(&c, "trunks=10,x", err, sizeof err), EINVAL);
    assert_int_equal(vsw_vlan_cfg_apply(&c, "trunks=10,", err, sizeof err), EINVAL);
    assert_int_equal(vsw_vlan_cfg_apply(&c, "vlan_mode=acess", err, sizeof err), EINVAL);
    assert_int_equal(vsw_vlan_cfg_apply(&c, "mtu_request=9000", err, sizeof err), ENOENT);
    assert_int_equal(c.tag, -1);     /* Nothing changed. */
    assert_int_equal(c.n_trunks, 0);
    /* Contradictions. */
    vsw_vlan_cfg_apply(&c, "vlan_mode=access", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), EINVAL);
    vsw_vlan_cfg_apply(&c, "tag=10", err, sizeof err);
    vsw_vlan_cfg_apply(&c, "trunks=10,20", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), EINVAL);
    vsw_vlan_cfg_apply(&c, "vlan_mode=trunk", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), EINVAL);
    vsw_vlan_cfg_apply(&c, "tag=[]", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), 0);
    assert_true(vsw_port_vlan_trunks(&v, 20));
    assert_false(vsw_port_vlan_trunks(&v, 30));
    vsw_vlan_cfg_apply(&c, "vlan_mode=native-tagged", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), EINVAL);
    /* A native port trunks its VLAN, never VLAN 0 (OVS's bundle_set). */
    vsw_vlan_cfg_apply(&c, "tag=30", err, sizeof err);
    vsw_vlan_cfg_apply(&c, "trunks=0,10", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), 0);
    assert_true(vsw_port_vlan_trunks(&v, 30));
    assert_true(vsw_port_vlan_trunks(&v, 10));
    assert_false(vsw_port_vlan_trunks(&v, 0));
    vsw_vlan_cfg_apply(&c, "trunks=[]", err, sizeof err);
    assert_int_equal(vsw_vlan_cfg_resolve(&c, &v, err, sizeof err), 0);
    assert_true(vsw_port_vlan_trunks(&v, 4095));
    assert_false(vsw_port_vlan_trunks(&v, 0));
    char text[128];
    vsw_vlan_cfg_format(&c, text, sizeof text);
    assert_string_equal(text, "tag=30 vlan_mode=native-tagged");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flood_by_vlan),
        cmocka_unit_test(test_admission),
        cmocka_unit_test(test_learned),
        cmocka_unit_test(test_learn_twice),
        cmocka_unit_test(test_megaflow_mask),
        cmocka_unit_test(test_pmd_cannot_translate_normal),
        cmocka_unit_test(test_vlan_config_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
