/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the ovs-ofctl flow syntax, the match side:
 * vsw_flow_mod_parse() (fields, prerequisites, flow_mod keys, delete
 * commands, errors), the pipeline fields, round trips and scale;
 * test_ofp_actions.c has the actions and the printed text.
 *
 * Expected texts come from `ovs-ofctl -O OpenFlow13 parse-flows` (Open
 * vSwitch 3.1); ofp_parse_oracle.py checks many more lines against a live
 * ovs-ofctl.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>

#include "ofp_check.h"

/* ------------------------------------------------------------------------ */
/* Lexical helpers. */

static void
test_next_kv(void **state)
{
    char s[] = " ,in_port=1, ip\tnw_src:1.2.3.4 note(a,b) x=(1,2),y";
    char *pos = s, *k, *v;

    (void) state;
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "in_port");
    assert_string_equal(v, "1");
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "ip");
    assert_string_equal(v, "");
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "nw_src");
    assert_string_equal(v, "1.2.3.4");
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "note");
    assert_string_equal(v, "a,b");
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "x");
    assert_string_equal(v, "(1,2)");
    assert_true(vsw_ofp_next_kv(&pos, &k, &v));
    assert_string_equal(k, "y");
    assert_false(vsw_ofp_next_kv(&pos, &k, &v));
}

static void
test_parse_uint(void **state)
{
    uint64_t v;

    (void) state;
    assert_int_equal(vsw_ofp_parse_uint("80", 2, 65535, &v), 0);
    assert_int_equal(v, 80);
    assert_int_equal(vsw_ofp_parse_uint("0x50", 4, 65535, &v), 0);
    assert_int_equal(v, 80);
    assert_int_equal(vsw_ofp_parse_uint("0X0000050", 9, 65535, &v), 0);
    assert_int_equal(v, 80);
    assert_int_equal(vsw_ofp_parse_uint("010", 3, 65535, &v), 0);
    assert_int_equal(v, 8);
    assert_int_equal(vsw_ofp_parse_uint("0", 1, 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(vsw_ofp_parse_uint("18446744073709551615", 20, UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(vsw_ofp_parse_uint("18446744073709551616", 20, UINT64_MAX, &v),
                     ERANGE);
    assert_int_equal(vsw_ofp_parse_uint("65536", 5, 65535, &v), ERANGE);
    assert_int_equal(vsw_ofp_parse_uint("080", 3, 65535, &v), EINVAL);
    assert_int_equal(vsw_ofp_parse_uint("0x", 2, 65535, &v), EINVAL);
    assert_int_equal(vsw_ofp_parse_uint("", 0, 65535, &v), EINVAL);
    assert_int_equal(vsw_ofp_parse_uint("-1", 2, 65535, &v), EINVAL);
    assert_int_equal(vsw_ofp_parse_uint("12a", 3, 65535, &v), EINVAL);
    assert_int_equal(vsw_ofp_parse_uint(" 1", 2, 65535, &v), EINVAL);
}

static void
test_parse_addresses(void **state)
{
    uint8_t mac[6], ip6[16];
    rte_be32_t ip;

    (void) state;
    assert_int_equal(vsw_ofp_parse_mac("00:1A:b2:3:4:05", 15, mac), 0);
    assert_memory_equal(mac, ((uint8_t[]) { 0, 0x1a, 0xb2, 3, 4, 5 }), 6);
    assert_int_equal(vsw_ofp_parse_mac("00:11:22:33:44", 14, mac), EINVAL);
    assert_int_equal(vsw_ofp_parse_mac("00:11:22:33:44:55:66", 20, mac), EINVAL);
    assert_int_equal(vsw_ofp_parse_mac("001:11:22:33:44:55", 18, mac), EINVAL);
    assert_int_equal(vsw_ofp_parse_mac("00-11-22-33-44-55", 17, mac), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv4("10.1.2.3", 8, &ip), 0);
    assert_true(ip == BE32(0x0a010203));
    assert_int_equal(vsw_ofp_parse_ipv4("10.0.0.300", 10, &ip), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv4("10.0.0", 6, &ip), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv4("10.0.0.1.", 9, &ip), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv4("a.b.c.d", 7, &ip), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv6("2001:db8::1", 11, ip6), 0);
    assert_int_equal(ip6[0], 0x20);
    assert_int_equal(ip6[15], 1);
    assert_int_equal(vsw_ofp_parse_ipv6("2001:db8::zz", 12, ip6), EINVAL);
    assert_int_equal(vsw_ofp_parse_ipv6("1.2.3.4", 7, ip6), EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Match fields: key, mask, normalisation. */

static void
test_defaults(void **state)
{
    struct vsw_flow_mod fm;
    struct vsw_match catchall;

    (void) state;
    vsw_match_init_catchall(&catchall);
    parse_ok("actions=drop", &fm);
    assert_true(vsw_match_equal(&fm.match, &catchall));
    assert_int_equal(fm.priority, VSW_DEFAULT_PRIORITY);
    assert_int_equal(fm.table_id, 0);
    assert_false(fm.has_table);
    assert_true(fm.cookie == 0 && fm.cookie_mask == 0);
    assert_int_equal(fm.idle_timeout, 0);
    assert_int_equal(fm.hard_timeout, 0);
    assert_non_null(fm.actions);
    assert_int_equal(fm.actions->n, 0);
    vsw_flow_mod_uninit(&fm);

    parse_err("", "actions: missing");
}

static void
test_in_port_and_ethernet(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("in_port=7,dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/"
             "01:00:00:00:00:00,dl_type=0x88cc,actions=drop", &fm);
    assert_int_equal(fm.match.key.in_port, 7);
    assert_true(fm.match.mask.in_port == UINT32_MAX);
    assert_memory_equal(fm.match.key.dl_src, ((uint8_t[]) { 0, 0x11, 0x22, 0x33, 0x44, 0x55 }), 6);
    assert_memory_equal(fm.match.mask.dl_src, ff6, 6);
    assert_memory_equal(fm.match.key.dl_dst, ((uint8_t[]) { 1, 0, 0, 0, 0, 0 }), 6);
    assert_memory_equal(fm.match.mask.dl_dst, ((uint8_t[]) { 1, 0, 0, 0, 0, 0 }), 6);
    assert_true(fm.match.key.dl_type == BE16(0x88cc));
    assert_true(fm.match.mask.dl_type == 0xffff);
    vsw_flow_mod_uninit(&fm);

    /* eth_* aliases, host bits under a MAC mask cleared. */
    parse_ok("eth_src=00:11:22:33:44:55/ff:ff:ff:00:00:00,eth_type=0x0800,actions=drop", &fm);
    assert_memory_equal(fm.match.key.dl_src, ((uint8_t[]) { 0, 0x11, 0x22, 0, 0, 0 }), 6);
    assert_true(fm.match.key.dl_type == BE16(VSW_ETH_TYPE_IP));
    vsw_flow_mod_uninit(&fm);

    /* An all-zero mask is a wildcard. */
    parse_ok("dl_src=00:11:22:33:44:55/00:00:00:00:00:00,actions=drop", &fm);
    assert_memory_equal(fm.match.mask.dl_src, ((uint8_t[6]) { 0 }), 6);
    assert_memory_equal(fm.match.key.dl_src, ((uint8_t[6]) { 0 }), 6);
    vsw_flow_mod_uninit(&fm);
}

static void
test_vlan_fields(void **state)
{
    static const struct {
        const char *line;
        uint16_t tci, mask;
    } cases[] = {
        { "dl_vlan=5", 0x1005, 0x1fff },
        { "dl_vlan=0", 0x1000, 0x1fff },
        { "dl_vlan=0xffff", 0x0000, 0x1fff },   /* PCP bits lost in OXM. */
        { "dl_vlan_pcp=3", 0x7000, 0xf000 },
        { "vlan_pcp=3", 0x7000, 0xf000 },
        { "dl_vlan=5,dl_vlan_pcp=3", 0x7005, 0xffff },
        { "dl_vlan_pcp=3,dl_vlan=5", 0x7005, 0xffff },
        { "dl_vlan=0xffff,dl_vlan_pcp=3", 0x7000, 0xffff },
        { "dl_vlan_pcp=3,dl_vlan=0xffff", 0x0000, 0x1fff },
        { "vlan_vid=5", 0x0005, 0x1fff },
        { "vlan_vid=0x1005", 0x1005, 0x1fff },
        { "vlan_vid=0x1000/0x1000", 0x1000, 0x1000 },
        { "vlan_vid=0x1005/0x1ff0", 0x1000, 0x1ff0 },
        { "vlan_tci=0x1005/0x1fff", 0x1005, 0x1fff },
        { "vlan_tci=0x3005", 0x3005, 0xffff },
        { "vlan_tci=0x2000/0xe000", 0, 0 },       /* PCP without VID: dropped. */
        { "vlan_tci=0x3000/0x3000", 0x3000, 0xf000 },  /* PCP widened. */
        { "vlan_tci=0x0000/0xefff", 0x0000, 0x0fff },
        { "vlan_tci=0x1005/0x0fff", 0x0005, 0x0fff },
        { "dl_vlan=5,vlan_tci=0x1006/0x1fff", 0x1006, 0x1fff },
        { "dl_vlan=5,dl_vlan=*", 0, 0 },
        { "dl_vlan=5,dl_vlan_pcp=2,dl_vlan_pcp=*", 0x1005, 0x1fff },
        { "dl_vlan=5,dl_vlan_pcp=2,vlan_vid=*", 0x5000, 0xf000 },
        { "dl_vlan=5,vlan_tci=*", 0, 0 },
    };

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vsw_flow_mod fm;
        char line[128];

        snprintf(line, sizeof line, "%s,actions=drop", cases[i].line);
        parse_ok(line, &fm);
        if (fm.match.key.vlan_tci != BE16(cases[i].tci)
            || fm.match.mask.vlan_tci != BE16(cases[i].mask)) {
            fail_msg("%s: got 0x%04x/0x%04x, expected 0x%04x/0x%04x", line,
                     rte_be_to_cpu_16(fm.match.key.vlan_tci),
                     rte_be_to_cpu_16(fm.match.mask.vlan_tci), cases[i].tci,
                     cases[i].mask);
        }
        vsw_flow_mod_uninit(&fm);
    }
    check_text("dl_vlan=4097,actions=drop", "dl_vlan=1 actions=drop");  /* As OVS. */
    parse_err("dl_vlan_pcp=8,actions=drop", "dl_vlan_pcp: 8 is out of range (0 to 7)");
    parse_err("vlan_vid=0x2000,actions=drop", "vlan_vid: 0x2000 is out of range");
    parse_err("dl_vlan=5/0xfff,actions=drop", "dl_vlan cannot be masked");
    parse_err("vlan_tci=0x0005,actions=drop", "vlan_tci: matching a VLAN PCP");
}

static void
test_ipv4_fields(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("ip,nw_src=10.1.2.3/8,nw_dst=192.168.1.77/255.255.0.255,actions=drop", &fm);
    assert_true(fm.match.key.nw_src == BE32(0x0a000000));
    assert_true(fm.match.mask.nw_src == BE32(0xff000000));
    assert_true(fm.match.key.nw_dst == BE32(0xc0a8004d));
    assert_true(fm.match.mask.nw_dst == BE32(0xffff00ff));
    vsw_flow_mod_uninit(&fm);

    parse_ok("ip,ip_src=1.2.3.4/32,ip_dst=5.6.7.8/0,actions=drop", &fm);
    assert_true(fm.match.key.nw_src == BE32(0x01020304));
    assert_true(fm.match.mask.nw_src == UINT32_MAX);
    assert_true(fm.match.mask.nw_dst == 0 && fm.match.key.nw_dst == 0);
    vsw_flow_mod_uninit(&fm);

    /* ARP: SPA/TPA share nw_src/nw_dst; opcode in nw_proto. */
    parse_ok("arp,nw_src=1.2.3.4,arp_tpa=10.0.0.0/8,arp_op=2,"
             "arp_sha=00:11:22:33:44:55,arp_tha=aa:bb:cc:dd:ee:ff/ff:00:00:00:00:00,"
             "actions=drop", &fm);
    assert_true(fm.match.key.dl_type == BE16(VSW_ETH_TYPE_ARP));
    assert_true(fm.match.key.nw_src == BE32(0x01020304));
    assert_true(fm.match.key.nw_dst == BE32(0x0a000000));
    assert_int_equal(fm.match.key.nw_proto, 2);
    assert_int_equal(fm.match.mask.nw_proto, 0xff);
    assert_memory_equal(fm.match.key.arp_sha, ((uint8_t[]) { 0, 0x11, 0x22, 0x33, 0x44, 0x55 }), 6);
    assert_memory_equal(fm.match.key.arp_tha, ((uint8_t[]) { 0xaa, 0, 0, 0, 0, 0 }), 6);
    vsw_flow_mod_uninit(&fm);

    parse_ok("rarp,arp_spa=1.1.1.1,nw_proto=3,actions=drop", &fm);
    assert_true(fm.match.key.dl_type == BE16(VSW_ETH_TYPE_RARP));
    assert_int_equal(fm.match.key.nw_proto, 3);
    vsw_flow_mod_uninit(&fm);

    parse_err("ip,nw_src=10.0.0.300,actions=drop", "nw_src: \"10.0.0.300\" is not an IPv4 address");
    parse_err("ip,nw_src=,actions=drop", "nw_src: needs a value");
    parse_err("dl_src=,actions=drop", "dl_src: needs a value");
    parse_err("in_port=,actions=drop", "in_port: needs a value");
    parse_err("ip,ip_frag=,actions=drop", "ip_frag: needs a value");
    parse_err("ip,nw_src=10.0.0.1/33,actions=drop", "nw_src: \"/33\" is not a prefix length");
    parse_err("ip,nw_dst=10.0.0.1/255.0.0.256,actions=drop", "nw_dst: \"255.0.0.256\" is not an IPv4 netmask");
    parse_err("arp,arp_op=256,actions=drop", "arp_op: 256 is out of range (0 to 255)");
}

static void
test_ipv6_fields(void **state)
{
    struct vsw_flow_mod fm;
    uint8_t a[16], m[16];

    (void) state;
    parse_ok("ipv6,ipv6_src=2001:db8::1/64,ipv6_dst=fe80::1/ffff::ff00,"
             "ipv6_label=0x12345,actions=drop", &fm);
    inet_pton(AF_INET6, "2001:db8::", a);
    inet_pton(AF_INET6, "ffff:ffff:ffff:ffff::", m);
    assert_memory_equal(fm.match.key.ipv6_src, a, 16);
    assert_memory_equal(fm.match.mask.ipv6_src, m, 16);
    inet_pton(AF_INET6, "fe80::", a);
    inet_pton(AF_INET6, "ffff::ff00", m);
    assert_memory_equal(fm.match.key.ipv6_dst, a, 16);
    assert_memory_equal(fm.match.mask.ipv6_dst, m, 16);
    assert_true(fm.match.key.ipv6_label == BE32(0x12345));
    assert_true(fm.match.mask.ipv6_label == BE32(0xfffff));
    vsw_flow_mod_uninit(&fm);

    parse_ok("ipv6,ipv6_label=0x12345/0x0fffffff,actions=drop", &fm);  /* Exact. */
    assert_true(fm.match.key.ipv6_label == BE32(0x12345));
    assert_true(fm.match.mask.ipv6_label == BE32(0xfffff));
    vsw_flow_mod_uninit(&fm);

    parse_ok("ipv6,ipv6_label=0x12345/0xff,actions=drop", &fm);
    assert_true(fm.match.key.ipv6_label == BE32(0x45));
    assert_true(fm.match.mask.ipv6_label == BE32(0xff));
    vsw_flow_mod_uninit(&fm);

    parse_ok("icmp6,icmp_type=135,icmp_code=0,nd_target=fe80::1/64,"
             "nd_sll=00:11:22:33:44:55,actions=drop", &fm);
    assert_true(fm.match.key.tp_src == BE16(135));
    assert_true(fm.match.mask.tp_src == 0xffff);
    assert_true(fm.match.key.tp_dst == 0);
    assert_true(fm.match.mask.tp_dst == 0xffff);
    inet_pton(AF_INET6, "fe80::", a);
    assert_memory_equal(fm.match.key.nd_target, a, 16);
    assert_memory_equal(fm.match.key.arp_sha, ((uint8_t[]) { 0, 0x11, 0x22, 0x33, 0x44, 0x55 }), 6);
    vsw_flow_mod_uninit(&fm);

    parse_ok("icmp6,icmpv6_type=136,nd_tll=00:11:22:33:44:55/ff:ff:ff:ff:ff:00,actions=drop", &fm);
    assert_memory_equal(fm.match.key.arp_tha, ((uint8_t[]) { 0, 0x11, 0x22, 0x33, 0x44, 0 }), 6);
    vsw_flow_mod_uninit(&fm);

    parse_err("ipv6,ipv6_label=0x100000,actions=drop", "ipv6_label: 0x100000 is out of range");
    parse_err("ipv6,ipv6_src=2001:db8::1/129,actions=drop", "ipv6_src: \"/129\" is not a prefix length");
    parse_err("ipv6,ipv6_dst=1.2.3.4,actions=drop", "ipv6_dst: \"1.2.3.4\" is not an IPv6 address");
    parse_err("ipv6,ipv6_label=1/0x100000,actions=drop",
              "ipv6_label: mask 0x100000 has bits outside the field");
    parse_err("ipv6,ipv6_src=,actions=drop", "ipv6_src: needs a value (\"*\" wildcards it)");
}

static void
test_ip_fields(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("ip,nw_proto=47,nw_tos=8,nw_ecn=1,nw_ttl=64,actions=drop", &fm);
    assert_int_equal(fm.match.key.nw_proto, 47);
    assert_int_equal(fm.match.key.nw_tos, 9);
    assert_int_equal(fm.match.mask.nw_tos, 0xff);
    assert_int_equal(fm.match.key.nw_ttl, 64);
    assert_int_equal(fm.match.mask.nw_ttl, 0xff);
    vsw_flow_mod_uninit(&fm);

    parse_ok("ipv6,ip_dscp=63,actions=drop", &fm);
    assert_int_equal(fm.match.key.nw_tos, 252);
    assert_int_equal(fm.match.mask.nw_tos, VSW_IP_DSCP_MASK);
    vsw_flow_mod_uninit(&fm);

    parse_ok("ip,ip_ecn=3,ip_proto=17,actions=drop", &fm);
    assert_int_equal(fm.match.key.nw_tos, 3);
    assert_int_equal(fm.match.mask.nw_tos, VSW_IP_ECN_MASK);
    assert_int_equal(fm.match.key.nw_proto, 17);
    vsw_flow_mod_uninit(&fm);

    /* A later DSCP setting replaces only the DSCP bits. */
    parse_ok("ip,nw_tos=8,nw_ecn=2,ip_dscp=1,actions=drop", &fm);
    assert_int_equal(fm.match.key.nw_tos, 6);
    vsw_flow_mod_uninit(&fm);

    static const struct {
        const char *frag;
        uint8_t value, mask;
    } frags[] = {
        { "no", 0, 3 }, { "yes", 1, 1 }, { "first", 1, 3 }, { "later", 3, 3 },
        { "not_later", 0, 2 }, { "NO", 0, 3 },
    };
    for (size_t i = 0; i < sizeof frags / sizeof frags[0]; i++) {
        char line[64];

        snprintf(line, sizeof line, "ip,ip_frag=%s,actions=drop", frags[i].frag);
        parse_ok(line, &fm);
        assert_int_equal(fm.match.key.nw_frag, frags[i].value);
        assert_int_equal(fm.match.mask.nw_frag, frags[i].mask);
        vsw_flow_mod_uninit(&fm);
    }
    parse_ok("ipv6,nw_frag=yes,actions=drop", &fm);
    assert_int_equal(fm.match.mask.nw_frag, 1);
    vsw_flow_mod_uninit(&fm);

    check_text("ip,nw_tos=5,actions=drop", "ip,nw_tos=4 actions=drop");  /* As OVS. */
    parse_err("ip,nw_tos=256,actions=drop", "nw_tos: 256 is out of range (0 to 255)");
    parse_err("ip,ip_dscp=64,actions=drop", "ip_dscp: 64 is out of range (0 to 63)");
    parse_err("ip,nw_ecn=4,actions=drop", "nw_ecn: 4 is out of range (0 to 3)");
    parse_err("ip,nw_proto=6/0xf,actions=drop", "nw_proto cannot be masked");
    parse_err("ip,nw_ttl=x,actions=drop", "nw_ttl: \"x\" is not a number");
    parse_err("ip,ip_frag=3,actions=drop", "ip_frag: unknown fragment type \"3\"");
}

static void
test_transport_fields(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("tcp,tp_src=0x50/0xfff0,tp_dst=1025/0xfc00,actions=drop", &fm);
    assert_true(fm.match.key.tp_src == BE16(0x50));
    assert_true(fm.match.mask.tp_src == BE16(0xfff0));
    assert_true(fm.match.key.tp_dst == BE16(0x400));
    assert_true(fm.match.mask.tp_dst == BE16(0xfc00));
    vsw_flow_mod_uninit(&fm);

    static const char *const names[] = {
        "tcp,tcp_src=1,tcp_dst=2", "udp,udp_src=1,udp_dst=2",
        "sctp,sctp_src=1,sctp_dst=2", "udp6,tp_src=1,tp_dst=2",
        "udp,tcp_src=1,tcp_dst=2",  /* OVS accepts any port alias on any of them. */
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char line[64];

        snprintf(line, sizeof line, "%s,actions=drop", names[i]);
        parse_ok(line, &fm);
        assert_true(fm.match.key.tp_src == BE16(1));
        assert_true(fm.match.key.tp_dst == BE16(2));
        assert_true(fm.match.mask.tp_src == 0xffff && fm.match.mask.tp_dst == 0xffff);
        vsw_flow_mod_uninit(&fm);
    }

    parse_ok("icmp,icmp_type=8,icmp_code=0,actions=drop", &fm);
    assert_true(fm.match.key.tp_src == BE16(8));
    assert_true(fm.match.mask.tp_src == 0xffff);
    assert_true(fm.match.mask.tp_dst == 0xffff);
    vsw_flow_mod_uninit(&fm);

    /* Wildcards: "*" and an empty value. */
    parse_ok("tcp,tp_dst=80,tp_dst=*,tp_src=1,tp_src=,actions=drop", &fm);
    assert_true(fm.match.mask.tp_dst == 0 && fm.match.mask.tp_src == 0);
    vsw_flow_mod_uninit(&fm);

    parse_err("tcp,tp_dst=65536,actions=drop", "tp_dst: 65536 is out of range (0 to 65535)");
    parse_err("tcp,tp_dst=080,actions=drop", "tp_dst: \"080\" is not a number");
    parse_err("tcp,tp_dst=80/0x1ffff,actions=drop", "tp_dst: \"0x1ffff\" is not a valid 16-bit mask");
    parse_err("icmp,icmp_type=256,actions=drop", "icmp_type: 256 is out of range (0 to 255)");
    parse_err("icmp,icmp_type=3/0xf,actions=drop", "icmp_type cannot be masked");
}

static void
test_tcp_flags(void **state)
{
    static const struct {
        const char *flags;
        uint16_t value, mask;
    } cases[] = {
        { "+syn-ack", 0x002, 0x012 },
        { "syn", 0x002, 0xfff },
        { "syn|ack", 0x012, 0xfff },
        { "0x012", 0x012, 0xfff },
        { "0x012/0x0ff", 0x012, 0x0ff },
        { "+fin+syn-rst-psh+ack+urg+ece-cwr+ns", 0x173, 0x1ff },
        { "+[200]-[800]", 0x200, 0xa00 },
        { "0", 0, 0xfff },
        { "0/0", 0, 0 },
        { "0xfff/0xfff", 0xfff, 0xfff },
    };
    struct vsw_flow_mod fm;

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[96];

        snprintf(line, sizeof line, "tcp,tcp_flags=%s,actions=drop", cases[i].flags);
        parse_ok(line, &fm);
        if (fm.match.key.tcp_flags != BE16(cases[i].value)
            || fm.match.mask.tcp_flags != BE16(cases[i].mask)) {
            fail_msg("%s: got 0x%03x/0x%03x", line,
                     rte_be_to_cpu_16(fm.match.key.tcp_flags),
                     rte_be_to_cpu_16(fm.match.mask.tcp_flags));
        }
        vsw_flow_mod_uninit(&fm);
    }
    parse_ok("tcp6,tcp_flags=+syn,tcp_flags=-ack,actions=drop", &fm);  /* Last wins. */
    assert_true(fm.match.key.tcp_flags == 0 && fm.match.mask.tcp_flags == BE16(0x010));
    vsw_flow_mod_uninit(&fm);

    parse_err("tcp,tcp_flags=+syn-syn,actions=drop", "tcp_flags: TCP flag \"syn\" given more than once");
    parse_err("tcp,tcp_flags=+bogus,actions=drop", "tcp_flags: unknown TCP flag \"bogus\"");
    parse_err("tcp,tcp_flags=syn+ack,actions=drop", "tcp_flags: unknown TCP flag \"syn+ack\"");
    parse_err("tcp,tcp_flags=0x1000,actions=drop", "tcp_flags: unknown TCP flag \"0x1000\"");
    parse_err("tcp,tcp_flags=0x1/0x1000,actions=drop", "beyond the 12 TCP flag bits");
}

static void
test_shorthands(void **state)
{
    static const struct {
        const char *name;
        uint16_t dl_type;
        int nw_proto;  /* -1: not matched. */
    } cases[] = {
        { "ip", 0x0800, -1 }, { "ipv4", 0x0800, -1 }, { "ip4", 0x0800, -1 },
        { "icmp", 0x0800, 1 }, { "tcp", 0x0800, 6 }, { "udp", 0x0800, 17 },
        { "sctp", 0x0800, 132 }, { "ipv6", 0x86dd, -1 }, { "ip6", 0x86dd, -1 },
        { "icmp6", 0x86dd, 58 }, { "tcp6", 0x86dd, 6 }, { "udp6", 0x86dd, 17 },
        { "sctp6", 0x86dd, 132 }, { "arp", 0x0806, -1 }, { "rarp", 0x8035, -1 },
        { "mpls", 0x8847, -1 }, { "mplsm", 0x8848, -1 },
    };
    struct vsw_flow_mod fm;

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[64];

        snprintf(line, sizeof line, "%s,actions=drop", cases[i].name);
        parse_ok(line, &fm);
        assert_true(fm.match.key.dl_type == BE16(cases[i].dl_type));
        assert_true(fm.match.mask.dl_type == 0xffff);
        if (cases[i].nw_proto < 0) {
            assert_int_equal(fm.match.mask.nw_proto, 0);
        } else {
            assert_int_equal(fm.match.key.nw_proto, cases[i].nw_proto);
            assert_int_equal(fm.match.mask.nw_proto, 0xff);
        }
        vsw_flow_mod_uninit(&fm);
    }

    /* Later settings win, field by field, as in OVS. */
    check_text("udp,tcp,actions=drop", "tcp actions=drop");
    check_text("tcp,ip,actions=drop", "tcp actions=drop");
    check_text("tcp,dl_type=0x86dd,actions=drop", "tcp6 actions=drop");
    check_text("tcp,tp_dst=80,tp_dst=81,actions=drop", "tcp,tp_dst=81 actions=drop");
    check_text("ip,nw_proto=6,actions=drop", "tcp actions=drop");
    check_text("dl_type=0x0800,nw_proto=6,nw_proto=*,actions=drop", "ip actions=drop");
    parse_err("tcp=5,actions=drop", "tcp: takes no value");
    parse_err("TCP,actions=drop", "unknown field \"TCP\"");
}

/* ------------------------------------------------------------------------ */
/* Prerequisites. */

static void
test_match_prereqs(void **state)
{
    (void) state;
    parse_err("tp_dst=80,actions=drop",
              "tp_dst: needs a transport protocol (tcp, udp or sctp) in the match");
    parse_err("ip,tcp_src=80,actions=drop", "tcp_src: needs a transport protocol");
    parse_err("icmp,tp_src=8,actions=drop", "tp_src: needs a transport protocol");
    parse_err("arp,udp_dst=1,actions=drop", "udp_dst: needs a transport protocol");
    parse_err("tcp,ip_frag=later,tp_dst=80,actions=drop",
              "tp_dst: later fragments have no transport header (ip_frag=later)");
    parse_err("nw_src=1.2.3.4,actions=drop", "nw_src: needs ip (or arp/rarp) in the match");
    parse_err("ipv6,nw_dst=1.2.3.4,actions=drop", "nw_dst: needs ip (or arp/rarp)");
    parse_err("arp_spa=1.2.3.4,actions=drop", "arp_spa: needs ip (or arp/rarp)");
    parse_err("ip,ipv6_src=::1,actions=drop", "ipv6_src: needs ipv6 in the match");
    parse_err("ipv6_label=1,actions=drop", "ipv6_label: needs ipv6 in the match");
    parse_err("nw_proto=6,actions=drop", "nw_proto: needs ip, ipv6, arp or rarp in the match");
    parse_err("arp_op=1,actions=drop", "arp_op: needs arp or rarp in the match");
    parse_err("ip,arp_op=1,actions=drop", "arp_op: needs arp or rarp in the match");
    parse_err("arp,nw_tos=4,actions=drop", "nw_tos: needs ip or ipv6 in the match");
    parse_err("ip_dscp=1,actions=drop", "ip_dscp: needs ip or ipv6");
    parse_err("nw_ecn=1,actions=drop", "nw_ecn: needs ip or ipv6");
    parse_err("nw_ttl=1,actions=drop", "nw_ttl: needs ip or ipv6");
    parse_err("ip_frag=no,actions=drop", "ip_frag: needs ip or ipv6");
    parse_err("ip,arp_sha=00:11:22:33:44:55,actions=drop", "arp_sha: needs arp or rarp");
    parse_err("arp_tha=00:11:22:33:44:55,actions=drop", "arp_tha: needs arp or rarp");
    parse_err("udp,tcp_flags=+syn,actions=drop", "tcp_flags: needs tcp (or tcp6) in the match");
    parse_err("tcp,ip_frag=later,tcp_flags=+syn,actions=drop", "tcp_flags: later fragments");
    parse_err("ip,icmp_type=3,actions=drop", "icmp_type: needs icmp or icmp6 in the match");
    parse_err("udp,icmp_code=3,actions=drop", "icmp_code: needs icmp or icmp6");
    parse_err("ipv6,icmpv6_type=3,actions=drop", "icmpv6_type: needs icmp or icmp6");
    parse_err("icmp6,nd_target=::1,actions=drop",
              "nd_target: needs icmp6 with icmp_type=135 or 136");
    parse_err("icmp6,icmp_type=135,icmp_code=1,nd_target=::1,actions=drop",
              "nd_target: needs icmp6 with icmp_type=135 or 136 (and icmp_code 0)");
    parse_err("icmp6,icmp_type=136,nd_sll=00:11:22:33:44:55,actions=drop",
              "nd_sll: needs icmp6 with icmp_type=135");
    parse_err("icmp6,icmp_type=135,nd_tll=00:11:22:33:44:55,actions=drop",
              "nd_tll: needs icmp6 with icmp_type=136");
    parse_err("icmp,icmp_type=135,nd_target=::1,actions=drop", "nd_target: needs icmp6");
    /* The shorthand that set nw_proto is named when dl_type is changed. */
    parse_err("tcp,dl_type=0x88cc,actions=drop", "tcp: needs ip, ipv6, arp or rarp");

    /* Prerequisites are checked once the whole line is read. */
    check_text("tp_dst=80,tcp,actions=drop", "tcp,tp_dst=80 actions=drop");
    check_text("nd_target=::1,icmp_type=135,icmp6,actions=drop",
               "icmp6,icmp_type=135,nd_target=::1 actions=drop");
    /* A field wildcarded again needs nothing; the last setter is checked. */
    check_text("tp_dst=80,tp_dst=*,actions=drop", "actions=drop");
    check_text("icmp,tp_src=5,icmp_type=3,actions=drop", "icmp,icmp_type=3 actions=drop");
    check_text("tcp,ip_frag=first,tp_dst=1,actions=drop", "tcp,nw_frag=first,tp_dst=1 actions=drop");
    check_text("ip,arp_spa=1.2.3.4,actions=drop", "ip,nw_src=1.2.3.4 actions=drop");
}

/* ------------------------------------------------------------------------ */
/* Flow-mod keywords and commands. */

static void
test_flow_mod_keys(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("table=3,priority=100,cookie=0x1f,idle_timeout=10,hard_timeout=0x20,"
             "ip,actions=drop", &fm);
    assert_int_equal(fm.table_id, 3);
    assert_true(fm.has_table);
    assert_int_equal(fm.priority, 100);
    assert_true(fm.cookie == 0x1f && fm.cookie_mask == 0);
    assert_int_equal(fm.idle_timeout, 10);
    assert_int_equal(fm.hard_timeout, 32);
    vsw_flow_mod_uninit(&fm);

    parse_ok("priority=010,cookie=-1,table=255,actions=drop", &fm);
    assert_int_equal(fm.priority, 8);
    assert_true(fm.cookie == UINT64_MAX);
    assert_false(fm.has_table);  /* 255 means "all tables". */
    vsw_flow_mod_uninit(&fm);

    parse_ok("duration=3.5s,n_packets=1,n_bytes=64,idle_age=1,hard_age=2,ip,actions=drop", &fm);
    vsw_flow_mod_uninit(&fm);
    parse_err("n_packets=,actions=drop", "n_packets: needs a value");

    parse_ok("ip action=1", &fm);
    assert_int_equal(fm.actions->n, 1);
    vsw_flow_mod_uninit(&fm);
    parse_ok("ip actions = 1", &fm);
    assert_int_equal(fm.actions->n, 1);
    vsw_flow_mod_uninit(&fm);

    parse_err("ip", "actions: missing");
    parse_err("ip,actions", "actions: expected \"actions=\"");
    parse_err("priority=65536,actions=drop", "priority: 65536 is out of range (0 to 65535)");
    parse_err("priority=,actions=drop", "priority: \"\" is not a number");
    parse_err("table=256,actions=drop", "table: \"256\" is not a table number");
    parse_err("idle_timeout=70000,actions=drop", "idle_timeout: 70000 is out of range");
    parse_err("cookie=0x1/0xff,actions=drop", "cookie: \"0x1/0xff\": adding a flow sets its cookie");
    parse_err("cookie=zz,actions=drop", "cookie: \"zz\" is not a 64-bit number");
    parse_ok("send_flow_rem,actions=drop", &fm);
    assert_int_equal(fm.flags, VSW_FF_SEND_FLOW_REM);
    vsw_flow_mod_uninit(&fm);
    parse_ok("ip,actions=drop", &fm);
    assert_int_equal(fm.flags, 0);
    vsw_flow_mod_uninit(&fm);
    parse_err_cmd("send_flow_rem,ip", VSW_FM_DELETE, "send_flow_rem: not allowed when deleting");
    parse_ok("importance=5,actions=drop", &fm);   /* Not in OpenFlow 1.3: dropped. */
    vsw_flow_mod_uninit(&fm);
    parse_err("importance=70000,actions=drop", "importance: 70000 is out of range");
    parse_err("out_port=1,actions=drop", "out_port: not supported by vsw");
    parse_err("nw_srcx=1,actions=drop", "unknown field \"nw_srcx\"");
    /* A misspelt field (or "actions" keyword) is named, also without actions. */
    parse_err("priority=1,in_prot=1,actions=output:2", "unknown field \"in_prot\"");
    parse_err("nw_dts=10.0.0.1,actions=drop", "unknown field \"nw_dts\"");
    parse_err("priority=1,in_prot=1,acitons=output:2",
              "unknown field \"in_prot\" (and no \"actions=\": a flow to add needs one)");
    parse_err("in_port=1,acitons=output:2", "unknown field \"acitons\"");
    parse_err("in_port=1", "actions: missing");
    parse_err("in_port=LOCAL,actions=drop", "in_port: \"LOCAL\" is not a port number");
    parse_err("in_port=65280,actions=drop", "in_port: 65280 is out of range (0 to 65279)");
    parse_err("in_port=1/1,actions=drop", "in_port: \"1/1\" is not a port number");
}

static void
test_delete_commands(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok_cmd("tcp,tp_dst=80", VSW_FM_DELETE, &fm);
    assert_null(fm.actions);
    assert_true(fm.match.key.tp_dst == BE16(80));
    assert_int_equal(fm.priority, VSW_DEFAULT_PRIORITY);
    vsw_flow_mod_uninit(&fm);

    parse_ok_cmd("", VSW_FM_DELETE, &fm);  /* Everything. */
    assert_null(fm.actions);
    vsw_flow_mod_uninit(&fm);

    parse_ok_cmd("cookie=0x1234/0xff00,table=2,ip", VSW_FM_DELETE, &fm);
    assert_true(fm.cookie == 0x1200);   /* Bits outside the mask cleared. */
    assert_true(fm.cookie_mask == 0xff00);
    assert_true(fm.has_table);
    assert_int_equal(fm.table_id, 2);
    vsw_flow_mod_uninit(&fm);

    parse_ok_cmd("cookie=5/-1", VSW_FM_DELETE_STRICT, &fm);
    assert_true(fm.cookie == 5 && fm.cookie_mask == UINT64_MAX);
    vsw_flow_mod_uninit(&fm);

    parse_ok_cmd("priority=7,tcp", VSW_FM_DELETE_STRICT, &fm);
    assert_int_equal(fm.priority, 7);
    vsw_flow_mod_uninit(&fm);

    parse_err_cmd("priority=7,tcp", VSW_FM_DELETE, "priority: only allowed when deleting flows strictly");
    parse_err_cmd("tcp,actions=drop", VSW_FM_DELETE, "actions: not allowed when deleting flows");
    parse_err_cmd("tcp,actions=drop", VSW_FM_DELETE_STRICT, "actions: not allowed");
    parse_err_cmd("cookie=5", VSW_FM_DELETE, "give a mask, e.g. cookie=5/-1");
    parse_err_cmd("idle_timeout=5", VSW_FM_DELETE, "idle_timeout: not allowed when deleting flows");
    parse_err_cmd("hard_timeout=5", VSW_FM_DELETE_STRICT, "hard_timeout: not allowed");
    parse_err_cmd("tp_dst=80", VSW_FM_DELETE, "tp_dst: needs a transport protocol");
}

static void
test_error_reporting(void **state)
{
    struct vsw_flow_mod fm;
    char err[16];
    int error;

    (void) state;
    /* No error buffer at all. */
    assert_int_equal(vsw_flow_mod_parse("bogus=1,actions=drop", VSW_FM_ADD, &fm, NULL, 0),
                     EINVAL);
    /* A short buffer truncates the message. */
    error = vsw_flow_mod_parse("bogus_field_name=1,actions=drop", VSW_FM_ADD, &fm, err,
                               sizeof err);
    assert_int_equal(error, EINVAL);
    assert_int_equal(strlen(err), sizeof err - 1);
    /* Unsupported things are ENOTSUP, ranges ERANGE. */
    assert_int_equal(vsw_flow_mod_parse("actions=LOCAL", VSW_FM_ADD, &fm, NULL, 0), ENOTSUP);
    assert_int_equal(vsw_flow_mod_parse("tcp,tp_dst=70000,actions=drop", VSW_FM_ADD, &fm,
                                        NULL, 0), ERANGE);
    /* Errors in the actions of a good match also free everything. */
    assert_int_equal(vsw_flow_mod_parse("ip,actions=1,2,bogus", VSW_FM_ADD, &fm, NULL, 0),
                     EINVAL);
    assert_null(fm.actions);
}

/* ------------------------------------------------------------------------ */
/* Round trip and scale. */

static const char *const roundtrip_lines[] = {
    "actions=drop",
    "priority=0,in_port=1,actions=ALL",
    "priority=65535,tcp,nw_src=10.1.2.3/8,nw_dst=1.2.3.4/255.0.255.0,tp_src=0x50/0xfff0,tp_dst=80,actions=mod_vlan_vid:5,output:2",
    "dl_src=00:11:22:33:44:55/01:00:00:00:00:00,dl_dst=ff:ff:ff:ff:ff:ff,eth_type=0x88cc,actions=1",
    "dl_vlan=0xffff,actions=mod_vlan_pcp:3",
    "dl_vlan=5,dl_vlan_pcp=3,actions=pop_vlan,mod_vlan_vid:3,strip_vlan",
    "vlan_tci=0x1005/0x100f,actions=in_port",
    "vlan_vid=0x1000/0x1000,actions=set_field:4097->vlan_vid,set_field:1->vlan_pcp",
    "vlan_tci=0x0000/0xefff,actions=drop",
    "arp,arp_spa=1.2.3.4,arp_tpa=10.0.0.0/8,arp_op=2,arp_sha=00:11:22:33:44:55/ff:ff:ff:00:00:00,arp_tha=01:00:00:00:00:00,actions=drop",
    "rarp,nw_proto=3,actions=drop",
    "ipv6,ipv6_src=2001:db8::1/64,ipv6_dst=fe80::1/ffff::ff00,ipv6_label=0x12345/0xff,actions=set_field:::1->ipv6_src,set_field:fe80::2->ipv6_dst,set_field:0x54321->ipv6_label",
    "icmp6,icmp_type=135,icmp_code=0,nd_target=fe80::1/64,nd_sll=00:11:22:33:44:55,actions=drop",
    "icmp6,icmp_type=136,nd_target=fe80::1,nd_tll=00:11:22:33:44:55/ff:ff:ff:ff:ff:00,actions=drop",
    "icmp,icmp_type=8,icmp_code=0,nw_tos=8,nw_ecn=3,nw_ttl=1,actions=mod_nw_src:1.1.1.1,mod_nw_dst:2.2.2.2,dec_ttl,mod_nw_ttl:5,set_field:6->nw_ttl",
    "ip,nw_proto=47,ip_frag=first,actions=mod_nw_tos:252,mod_nw_ecn:1,set_field:8->nw_tos,set_field:2->ip_ecn",
    "ipv6,ip_frag=not_later,actions=drop",
    "ip,ip_frag=yes,actions=drop",
    "tcp,tcp_flags=+syn-ack,tp_dst=22,actions=mod_tp_src:1,mod_tp_dst:2",
    "tcp6,tcp_flags=0x012/0x0ff,actions=set_field:1->tcp_src",
    "tcp,tcp_flags=fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800],actions=drop",
    "tcp,tcp_flags=0,actions=drop",
    "udp,udp_src=67,udp_dst=68,actions=mod_tp_src:1,set_field:2->udp_dst",
    "sctp6,sctp_dst=9,actions=mod_tp_dst:10",
    "mpls,actions=push_vlan:0x88a8,push_vlan:0x8100",
    "dl_type=0x0100,actions=drop",
    "actions=mod_dl_src:00:11:22:33:44:55,set_field:66:77:88:99:aa:bb->eth_dst,output:65279",
};

static void
test_roundtrip(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof roundtrip_lines / sizeof roundtrip_lines[0]; i++) {
        check_roundtrip(roundtrip_lines[i]);
    }
}

static double
now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* 10 000 varied lines: the parse itself must be well under a second (the
 * target is < 50 ms on an optimised build). */
static void
test_scale(void **state)
{
    enum { N = 10000 };
    char (*lines)[256] = malloc(N * sizeof *lines);
    double t0, elapsed;

    (void) state;
    assert_non_null(lines);
    for (int i = 0; i < N; i++) {
        switch (i % 4) {
        case 0:
            snprintf(lines[i], sizeof lines[i],
                     "priority=%d,tcp,in_port=%d,nw_src=10.%d.%d.0/24,tp_dst=%d,"
                     "actions=mod_vlan_vid:%d,output:%d", i % 65536, i % 100,
                     (i >> 8) & 255, i & 255, i % 65536, i % 4096, i % 64);
            break;
        case 1:
            snprintf(lines[i], sizeof lines[i],
                     "table=1,cookie=0x%x,udp6,ipv6_dst=2001:db8::%x/64,udp_dst=%d,"
                     "actions=set_field:%d->udp_dst,output:1", i, i, i % 65536, i % 65536);
            break;
        case 2:
            snprintf(lines[i], sizeof lines[i],
                     "dl_vlan=%d,dl_src=00:11:22:%02x:%02x:00/ff:ff:ff:ff:ff:00,"
                     "actions=strip_vlan,mod_dl_dst:02:00:00:00:%02x:01,in_port",
                     i % 4096, (i >> 8) & 255, i & 255, i & 255);
            break;
        default:
            snprintf(lines[i], sizeof lines[i],
                     "arp,arp_tpa=192.168.%d.%d,arp_op=1 actions=ALL", (i >> 8) & 255,
                     i & 255);
            break;
        }
    }
    t0 = now_sec();
    for (int i = 0; i < N; i++) {
        struct vsw_flow_mod fm;
        char err[128];

        if (vsw_flow_mod_parse(lines[i], VSW_FM_ADD, &fm, err, sizeof err)) {
            fail_msg("\"%s\": %s", lines[i], err);
        }
        vsw_flow_mod_uninit(&fm);
    }
    elapsed = now_sec() - t0;
    print_message("parsed %d lines in %.1f ms\n", N, elapsed * 1e3);
    assert_true(elapsed < 1.0);
    free(lines);
}

/* The field registry: names sorted for bsearch(), every field named and
 * stored inside struct vsw_flow, set_field spellings only for writable fields. */
/* ------------------------------------------------------------------------ */
/* The pipeline: registers and metadata, resubmit, goto_table, load, move,
 * group, controller.  Texts from ovs-ofctl 3.1. */

static void
test_pipe_match(void **state)
{
    struct vsw_flow_mod fm;

    (void) state;
    parse_ok("reg3=0x5/0xff,xreg1=0x0000000a00000123,metadata=0x12/0xff,actions=drop", &fm);
    /* xreg1 is reg2 (upper half) and reg3, written after reg3=. */
    assert_true(fm.match.pkey.regs[2] == BE32(0xa) && fm.match.pkey.regs[3] == BE32(0x123));
    assert_true(fm.match.pmask.regs[2] == BE32(UINT32_MAX));
    assert_true(fm.match.pmask.regs[3] == BE32(UINT32_MAX));
    assert_true(fm.match.pkey.metadata == rte_cpu_to_be_64(0x12));
    assert_true(fm.match.pmask.metadata == rte_cpu_to_be_64(0xff));
    vsw_flow_mod_uninit(&fm);
    /* xreg3 is written after reg3 (a later setting of the same bits wins). */
    parse_ok("reg7=0x5/0xff,xreg3=0x1/0x1,actions=drop", &fm);
    assert_true(fm.match.pmask.regs[7] == BE32(1) && fm.match.pkey.regs[7] == BE32(1));
    vsw_flow_mod_uninit(&fm);

    check_text("metadata=0x5/0xff,reg3=0x5/0xff,xreg1=0x123,reg0=7,actions=drop",
               "reg0=0x7,reg2=0,reg3=0x123,metadata=0x5/0xff actions=drop");
    check_text("tcp,reg1=1,in_port=3,tp_dst=80,actions=drop",
               "tcp,reg1=0x1,in_port=3,tp_dst=80 actions=drop");
    check_text("priority=7,reg15=0xffffffff,xreg0=0x1/0x1,metadata=0x1234567890,actions=drop",
               "priority=7,reg1=0x1/0x1,reg15=0xffffffff,metadata=0x1234567890 actions=drop");
    check_text("reg0=0/0xffffffff,metadata=0/0,reg1=5,reg1=*,actions=drop",
               "reg0=0 actions=drop");
    check_roundtrip("ip,reg5=0x8/0x8,metadata=1,xreg7=0xffffffffffffffff,actions=drop");

    parse_err("reg0=0x100000000,actions=drop", "value too large for 4-byte field reg0");
    parse_err("reg0=1/0x100000000,actions=drop", "reg0: \"0x100000000\" is not a valid 32-bit mask");
    parse_err("metadata=zz,actions=drop", "metadata: \"zz\" is not a number");
    parse_err("reg16=1,actions=drop", "unknown field \"reg16\"");
    /* A pipeline field never hides a header field's prerequisite. */
    for (int i = 0; i < VSW_F_N; i++) {
        const struct vsw_field *f = vsw_field_get((enum vsw_field_id) i);
        char line[256];

        if (f->pipe) {
            snprintf(line, sizeof line, "tp_dst=80,nw_src=1.2.3.4,ipv6_label=1,nw_ttl=3,"
                     "ip_frag=no,tcp_flags=+syn,%s=1,actions=drop", f->name);
            parse_err(line, "nw_src: needs ip");
        }
    }
    parse_err("NXM_NX_REG0=1,actions=drop", "unknown field \"NXM_NX_REG0\"");
}

static void
test_field_registry(void **state)
{
    bool named[VSW_F_N] = { false };
    size_t n;
    const struct vsw_field_name *names = vsw_field_names(&n);

    (void) state;
    for (size_t i = 0; i < n; i++) {
        const struct vsw_field *f = vsw_field_get((enum vsw_field_id) names[i].id);

        if (i) {
            assert_true(strcmp(names[i - 1].name, names[i].name) < 0);
        }
        assert_ptr_equal(vsw_field_name_find(names[i].name), &names[i]);
        assert_true(!names[i].set_ok || f->set_action != VSW_FIELD_NO_SET);
        named[names[i].id] = true;
    }
    for (int id = 0; id < VSW_F_N; id++) {
        const struct vsw_field *f = vsw_field_get((enum vsw_field_id) id);

        assert_int_equal(f->id, id);
        assert_true(named[id]);
        assert_true(f->offset + f->n_storage <= sizeof(struct vsw_flow));
        assert_true(f->width <= 16);
    }
    assert_null(vsw_field_name_find("tcp"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_kv),
        cmocka_unit_test(test_field_registry),
        cmocka_unit_test(test_parse_uint),
        cmocka_unit_test(test_parse_addresses),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_in_port_and_ethernet),
        cmocka_unit_test(test_vlan_fields),
        cmocka_unit_test(test_ipv4_fields),
        cmocka_unit_test(test_ipv6_fields),
        cmocka_unit_test(test_ip_fields),
        cmocka_unit_test(test_transport_fields),
        cmocka_unit_test(test_tcp_flags),
        cmocka_unit_test(test_shorthands),
        cmocka_unit_test(test_match_prereqs),
        cmocka_unit_test(test_flow_mod_keys),
        cmocka_unit_test(test_delete_commands),
        cmocka_unit_test(test_error_reporting),
        cmocka_unit_test(test_pipe_match),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_scale),
    };

    return cmocka_run_group_tests_name("ofp_parse", tests, NULL, NULL);
}
