/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the ovs-ofctl flow syntax, the action side:
 * vsw_actions_parse() (output, rewrites, VLANs, set_field, limits, the
 * pipeline actions) and vsw_match_format()/vsw_actions_format(), the text
 * of `ovs-ofctl -O OpenFlow13 dump-flows`.
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

static void
test_action_output(void **state)
{
    struct vsw_actions *a;

    (void) state;
    a = acts_ok("", "output:1,2 output=3,in_port,IN_PORT,all,ALL,Output:65279,output:in_port,output:ALL");
    assert_int_equal(a->n, 10);
    assert_int_equal(a->n_outputs, 10);
    assert_int_equal(a->a[0].type, VSW_ACT_OUTPUT);
    assert_int_equal(a->a[0].port, 1);
    assert_int_equal(a->a[1].port, 2);
    assert_int_equal(a->a[2].port, 3);
    assert_int_equal(a->a[3].type, VSW_ACT_IN_PORT);
    assert_int_equal(a->a[4].type, VSW_ACT_IN_PORT);
    assert_int_equal(a->a[5].type, VSW_ACT_ALL);
    assert_int_equal(a->a[6].type, VSW_ACT_ALL);
    assert_int_equal(a->a[7].port, 65279);
    assert_int_equal(a->a[8].type, VSW_ACT_IN_PORT);
    assert_int_equal(a->a[9].type, VSW_ACT_ALL);
    vsw_actions_free(a);

    /* The L2 switch's ports, mixable with everything else. */
    a = acts_ok("", "mod_dl_dst:00:11:22:33:44:55,NORMAL,normal,output:FLOOD,flood");
    assert_int_equal(a->n, 5);
    assert_int_equal(a->n_outputs, 4);
    assert_int_equal(a->a[1].type, VSW_ACT_NORMAL);
    assert_int_equal(a->a[2].type, VSW_ACT_NORMAL);
    assert_int_equal(a->a[3].type, VSW_ACT_FLOOD);
    assert_int_equal(a->a[4].type, VSW_ACT_FLOOD);
    vsw_actions_free(a);

    a = acts_ok("", "drop");
    assert_int_equal(a->n, 0);
    assert_int_equal(a->n_outputs, 0);
    vsw_actions_free(a);
    a = acts_ok("", "");
    assert_int_equal(a->n, 0);
    vsw_actions_free(a);
    a = acts_ok("", " , ");
    assert_int_equal(a->n, 0);
    vsw_actions_free(a);
    a = acts_ok("", "DROP");
    assert_int_equal(a->n, 0);
    vsw_actions_free(a);
    assert_int_equal(vsw_actions_parse("1", NULL, &a, NULL, 0), 0);  /* No match. */
    assert_int_equal(a->n, 1);
    vsw_actions_free(a);
    vsw_actions_free(NULL);

    acts_err("", "drop,1", "drop: must not be combined with other actions");
    acts_err("", "1,drop", "drop: must not be combined");
    acts_err("", "output", "output: needs a port");
    acts_err("", "output:65280", "output: port 65280 is out of range (0 to 65279)");
    acts_err("", "output:0x2", "output: \"0x2\" is not a port");
    acts_err("", "output:foo", "output: \"foo\" is not a port");
    acts_err("", "LOCAL", "output to port LOCAL is not supported");
    acts_err("", "output:local", "output to port local is not supported");
    acts_err("", "normal:3", "normal: takes no argument");
    acts_err("", "in_port:3", "in_port: takes no argument (got \"3\")");
    acts_err("", "2:3", "2: takes no argument");
    acts_err("", "drop:1", "drop: takes no argument");
    acts_err("", "foo", "unknown action \"foo\"");
    acts_err("", "load:1->NXM_OF_IN_PORT[]", "load: NXM_OF_IN_PORT cannot be written by vsw");
    acts_err("ip", "dec_ttl(1,2)", "dec_ttl: takes no argument");
}

static void
test_action_rewrites(void **state)
{
    struct vsw_actions *a;

    (void) state;
    a = acts_ok("", "mod_dl_src:00:11:22:33:44:55,mod_dl_dst:aa:bb:cc:dd:ee:ff");
    assert_int_equal(a->a[0].type, VSW_ACT_SET_ETH_SRC);
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD);
    assert_memory_equal(a->a[0].mac, ((uint8_t[]) { 0, 0x11, 0x22, 0x33, 0x44, 0x55 }), 6);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_ETH_DST);
    assert_int_equal(a->n_outputs, 0);
    vsw_actions_free(a);

    a = acts_ok("ip", "mod_nw_src:10.0.0.1,mod_nw_dst:10.0.0.2,mod_nw_tos:8,"
                "mod_nw_ecn:2,mod_nw_ttl:9,set_nw_ttl:10,dec_ttl");
    assert_int_equal(a->n, 7);
    assert_int_equal(a->a[0].type, VSW_ACT_SET_IPV4_SRC);
    assert_true(a->a[0].be32 == BE32(0x0a000001));
    assert_int_equal(a->a[1].type, VSW_ACT_SET_IPV4_DST);
    assert_int_equal(a->a[2].type, VSW_ACT_SET_IP_DSCP);
    assert_int_equal(a->a[2].u8, 8);  /* TOS position. */
    assert_int_equal(a->a[3].type, VSW_ACT_SET_IP_ECN);
    assert_int_equal(a->a[3].u8, 2);
    assert_int_equal(a->a[4].type, VSW_ACT_SET_IP_TTL);
    assert_int_equal(a->a[4].u8, 9);
    assert_int_equal(a->a[4].flags, 0);
    assert_int_equal(a->a[5].u8, 10);
    assert_int_equal(a->a[6].type, VSW_ACT_DEC_TTL);
    vsw_actions_free(a);

    a = acts_ok("udp6", "mod_tp_src:53,mod_tp_dst:0x35");
    assert_int_equal(a->a[0].type, VSW_ACT_SET_L4_SRC);
    assert_true(a->a[0].be16 == BE16(53));
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD | VSW_ACTF_L4_UDP);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_L4_DST);
    assert_true(a->a[1].be16 == BE16(53));
    vsw_actions_free(a);
    a = acts_ok("sctp", "mod_tp_dst:9");
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD | VSW_ACTF_L4_SCTP);
    vsw_actions_free(a);
    a = acts_ok("tcp,ip_frag=first", "mod_tp_dst:9");
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD);
    vsw_actions_free(a);

    acts_err("", "mod_dl_src:00:11:22:33:44", "mod_dl_src: \"00:11:22:33:44\" is not an Ethernet address");
    acts_err("", "mod_nw_src:1.2.3.4", "mod_nw_src: needs ip (or tcp, udp, sctp, icmp) in the match");
    acts_err("ipv6", "mod_nw_dst:1.2.3.4", "mod_nw_dst: needs ip");
    acts_err("arp", "mod_nw_src:1.2.3.4", "mod_nw_src: needs ip");
    acts_err("ip", "mod_nw_src:10.0.0.0/8", "mod_nw_src: \"10.0.0.0/8\" is not an IPv4 address");
    acts_err("ip", "mod_nw_tos:5", "mod_nw_tos: 5 is not a multiple of 4");
    acts_err("ip", "mod_nw_tos:256", "mod_nw_tos: 256 is out of range (0 to 255)");
    acts_err("arp", "mod_nw_tos:4", "mod_nw_tos: needs ip or ipv6 in the match");
    acts_err("ip", "mod_nw_ecn:4", "mod_nw_ecn: 4 is out of range (0 to 3)");
    acts_err("", "mod_nw_ecn:1", "mod_nw_ecn: needs ip or ipv6");
    acts_err("ip", "mod_nw_ttl:256", "mod_nw_ttl: 256 is out of range");
    acts_err("", "mod_nw_ttl:1", "mod_nw_ttl: needs ip or ipv6");
    acts_err("", "dec_ttl", "dec_ttl: needs ip or ipv6 in the match");
    acts_err("ip", "mod_tp_src:1", "mod_tp_src: needs tcp, udp or sctp in the match");
    acts_err("icmp", "mod_tp_dst:1", "mod_tp_dst: needs tcp, udp or sctp");
    acts_err("tcp,ip_frag=later", "mod_tp_src:1", "mod_tp_src: later fragments have no transport header");
    acts_err("tcp", "mod_tp_src:65536", "mod_tp_src: 65536 is out of range (0 to 65535)");
    acts_err("tcp", "mod_tp_src", "mod_tp_src: needs a value");
    acts_err("tcp", "mod_tp_src:x", "mod_tp_src: \"x\" is not a number");
}

static void
test_action_vlan(void **state)
{
    struct vsw_actions *a;

    (void) state;
    /* No tag matched: push first, as OVS's OpenFlow 1.3 encoding does. */
    a = acts_ok("", "mod_vlan_vid:5,mod_vlan_pcp:3");
    assert_int_equal(a->n, 3);
    assert_int_equal(a->a[0].type, VSW_ACT_PUSH_VLAN);
    assert_true(a->a[0].be16 == BE16(0x8100));
    assert_int_equal(a->a[1].type, VSW_ACT_SET_VLAN_VID);
    assert_int_equal(a->a[1].u16, 5);
    assert_int_equal(a->a[1].flags, VSW_ACTF_SET_FIELD);
    assert_int_equal(a->a[2].type, VSW_ACT_SET_VLAN_PCP);
    assert_int_equal(a->a[2].u8, 3);
    vsw_actions_free(a);

    /* Tag matched: plain rewrites. */
    a = acts_ok("dl_vlan=3", "mod_vlan_vid:5,mod_vlan_pcp:3,set_vlan_vid:6,set_vlan_pcp:1");
    assert_int_equal(a->n, 4);
    assert_int_equal(a->a[0].type, VSW_ACT_SET_VLAN_VID);
    assert_int_equal(a->a[2].u16, 6);
    assert_int_equal(a->a[3].u8, 1);
    vsw_actions_free(a);
    a = acts_ok("vlan_tci=0x1000/0x1000", "mod_vlan_pcp:0");
    assert_int_equal(a->n, 1);
    vsw_actions_free(a);
    a = acts_ok("dl_vlan=0xffff", "mod_vlan_vid:7");   /* Untagged: push. */
    assert_int_equal(a->n, 2);
    vsw_actions_free(a);

    a = acts_ok("dl_vlan=5", "pop_vlan,mod_vlan_vid:3,strip_vlan");
    assert_int_equal(a->n, 4);
    assert_int_equal(a->a[0].type, VSW_ACT_POP_VLAN);
    assert_int_equal(a->a[1].type, VSW_ACT_PUSH_VLAN);
    assert_int_equal(a->a[2].type, VSW_ACT_SET_VLAN_VID);
    assert_int_equal(a->a[3].type, VSW_ACT_POP_VLAN);
    vsw_actions_free(a);

    a = acts_ok("", "push_vlan:0x88a8,push_vlan:33024,pop_vlan,pop_vlan");
    assert_true(a->a[0].be16 == BE16(0x88a8));
    assert_true(a->a[1].be16 == BE16(0x8100));
    vsw_actions_free(a);

    acts_err("", "strip_vlan", "strip_vlan: needs a VLAN tag");
    acts_err("", "pop_vlan", "pop_vlan: needs a VLAN tag");
    acts_err("dl_vlan=5", "pop_vlan,pop_vlan", "pop_vlan: needs a VLAN tag");
    acts_err("", "set_vlan_vid:5", "set_vlan_vid: needs a VLAN tag");
    acts_err("", "set_vlan_pcp:5", "set_vlan_pcp: needs a VLAN tag");
    acts_err("", "push_vlan:0x9100", "push_vlan: 0x9100 is not a VLAN ethertype (0x8100 or 0x88a8)");
    acts_err("", "push_vlan", "push_vlan: needs a value");
    acts_err("", "push_vlan:0x8100,push_vlan:0x8100,push_vlan:0x8100",
             "push_vlan: the packet would have more than 2 VLAN tags");
    acts_err("dl_vlan=5", "push_vlan:0x8100,push_vlan:0x8100", "more than 2 VLAN tags");
    acts_err("", "mod_vlan_vid:4096", "mod_vlan_vid: 4096 is out of range (0 to 4095)");
    acts_err("", "mod_vlan_pcp:8", "mod_vlan_pcp: 8 is out of range (0 to 7)");
}

static void
test_action_set_field(void **state)
{
    struct vsw_actions *a;
    uint8_t ip6[16];

    (void) state;
    a = acts_ok("", "set_field:00:11:22:33:44:55->eth_src,set_field:1:2:3:4:5:6->dl_dst");
    assert_int_equal(a->a[0].type, VSW_ACT_SET_ETH_SRC);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_ETH_DST);
    assert_int_equal(a->a[1].mac[5], 6);
    vsw_actions_free(a);

    a = acts_ok("ip", "set_field:1.2.3.4->ip_src,set_field:1.2.3.5->nw_dst,"
                "set_field:63->ip_dscp,set_field:8->nw_tos,set_field:3->ip_ecn,"
                "set_field:1->nw_ecn,set_field:9->nw_ttl");
    assert_int_equal(a->n, 7);
    assert_int_equal(a->a[0].type, VSW_ACT_SET_IPV4_SRC);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_IPV4_DST);
    assert_true(a->a[1].be32 == BE32(0x01020305));
    assert_int_equal(a->a[2].type, VSW_ACT_SET_IP_DSCP);
    assert_int_equal(a->a[2].u8, 252);
    assert_int_equal(a->a[2].flags, VSW_ACTF_SET_FIELD);
    assert_int_equal(a->a[3].u8, 8);
    assert_int_equal(a->a[3].flags, VSW_ACTF_SET_FIELD | VSW_ACTF_SPELL_ALT);
    assert_int_equal(a->a[4].type, VSW_ACT_SET_IP_ECN);
    assert_int_equal(a->a[4].u8, 3);
    assert_int_equal(a->a[6].type, VSW_ACT_SET_IP_TTL);
    assert_int_equal(a->a[6].flags, VSW_ACTF_SET_FIELD);
    vsw_actions_free(a);

    a = acts_ok("ipv6", "set_field:fe80::1->ipv6_src,set_field:::1->ipv6_dst,"
                "set_field:0x12345->ipv6_label");
    inet_pton(AF_INET6, "fe80::1", ip6);
    assert_int_equal(a->a[0].type, VSW_ACT_SET_IPV6_SRC);
    assert_memory_equal(a->a[0].ip6, ip6, 16);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_IPV6_DST);
    assert_int_equal(a->a[2].type, VSW_ACT_SET_IPV6_LABEL);
    assert_true(a->a[2].be32 == BE32(0x12345));
    vsw_actions_free(a);

    a = acts_ok("tcp", "set_field:80->tcp_src,set_field:0x50->tp_dst");
    assert_int_equal(a->a[0].type, VSW_ACT_SET_L4_SRC);
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD);
    assert_true(a->a[1].be16 == BE16(80));
    vsw_actions_free(a);
    a = acts_ok("udp", "set_field:1->udp_src,set_field:2->udp_dst");
    assert_int_equal(a->a[1].flags, VSW_ACTF_SET_FIELD | VSW_ACTF_L4_UDP);
    vsw_actions_free(a);
    a = acts_ok("sctp6", "set_field:1->sctp_src,set_field:2->sctp_dst");
    assert_int_equal(a->a[0].flags, VSW_ACTF_SET_FIELD | VSW_ACTF_L4_SCTP);
    vsw_actions_free(a);

    a = acts_ok("dl_vlan=3", "set_field:4101->vlan_vid,set_field:5->vlan_pcp");
    assert_int_equal(a->a[0].type, VSW_ACT_SET_VLAN_VID);
    assert_int_equal(a->a[0].u16, 5);
    assert_int_equal(a->a[1].type, VSW_ACT_SET_VLAN_PCP);
    assert_int_equal(a->a[1].u8, 5);
    vsw_actions_free(a);
    a = acts_ok("", "push_vlan:0x8100,set_field:4097->vlan_vid");
    assert_int_equal(a->n, 2);
    vsw_actions_free(a);

    acts_err("udp", "set_field:80->tp_src", "set_field: tp_src: needs tcp (or tcp6) in the match");
    acts_err("tcp", "set_field:80->udp_src", "set_field: udp_src: needs udp (or udp6)");
    acts_err("tcp", "set_field:80->sctp_dst", "set_field: sctp_dst: needs sctp (or sctp6)");
    acts_err("tcp,ip_frag=later", "set_field:80->tcp_dst", "set_field: tcp_dst: later fragments");
    acts_err("", "set_field:4101->vlan_vid", "set_field: vlan_vid: needs a VLAN tag");
    acts_err("", "set_field:1->vlan_pcp", "set_field: vlan_pcp: needs a VLAN tag");
    acts_err("dl_vlan=3", "set_field:5->vlan_vid", "set_field: vlan_vid: 5 lacks the 0x1000");
    acts_err("ip", "set_field:64->ip_dscp", "set_field: ip_dscp: 64 is out of range (0 to 63)");
    acts_err("ip", "set_field:5->nw_tos", "set_field: nw_tos: 5 is not a multiple of 4");
    acts_err("ip", "set_field:1.2.3.4->ipv6_src", "set_field: ipv6_src: needs ipv6 in the match");
    acts_err("ipv6", "set_field:::1->ip_src", "set_field: ip_src: needs ip");
    acts_err("ipv6", "set_field:x->ipv6_dst", "set_field: ipv6_dst: \"x\" is not an IPv6 address");
    acts_err("ip", "set_field:1.2.3.300->ip_dst", "set_field: ip_dst: \"1.2.3.300\" is not an IPv4");
    acts_err("ipv6", "set_field:0x100000->ipv6_label", "set_field: ipv6_label: 0x100000 is out of range");
    acts_err("", "set_field:1->eth_src", "set_field: eth_src: \"1\" is not an Ethernet address");
    /* Masked: OVS sends (and prints) NXM loads of the masked bits. */
    check_text("ip,actions=set_field:1.2.3.4/255.0.255.0->ip_src",
               "ip actions=load:0x3->NXM_OF_IP_SRC[8..15],load:0x1->NXM_OF_IP_SRC[24..31]");
    check_text("actions=set_field:00:11:22:33:44:55/ff:ff:ff:00:00:00->eth_dst",
               "actions=load:0x1122->NXM_OF_ETH_DST[24..47]");
    check_text("dl_vlan=1,actions=set_field:0x1005/0x1fff->vlan_vid",
               "dl_vlan=1 actions=load:0x5->OXM_OF_VLAN_VID[]");
    check_text("tcp,actions=set_field:80/0xffff->tcp_src", "tcp actions=set_field:80->tcp_src");
    acts_err("ip", "set_field:5/0xf->nw_ttl", "invalid mask for field nw_ttl");
    acts_err("ipv6", "set_field:::1/64->ipv6_src", "masked set_field of a 128-bit field");
    acts_err("udp", "set_field:80/0xff->tcp_src", "needs tcp");
    acts_err("ip", "set_field:6->nw_proto", "set_field: field \"nw_proto\" is not supported by vsw");
    acts_err("", "set_field:1.2.3.4", "set_field: \"1.2.3.4\" is not VALUE->FIELD");
    acts_err("", "set_field:1->", "is not VALUE->FIELD");
    acts_err("ipv6", "set_field:3->nw_ttl,dec_ttl,set_field:1->ip_ttl", "field \"ip_ttl\" is not supported");
}

static void
test_action_limits(void **state)
{
    struct vsw_actions *a;
    size_t len = 1025 * 2 + 1;
    char *s = malloc(len), *p = s;

    (void) state;
    for (int i = 0; i < 1025; i++) {
        *p++ = '1';
        *p++ = ',';
    }
    *p = '\0';
    assert_int_equal(vsw_actions_parse(s, NULL, &a, NULL, 0), E2BIG);
    assert_null(a);
    s[2 * 1024 - 1] = '\0';  /* Exactly 1024 outputs. */
    assert_int_equal(vsw_actions_parse(s, NULL, &a, NULL, 0), 0);
    assert_int_equal(a->n, 1024);
    vsw_actions_free(a);
    free(s);
}

/* ------------------------------------------------------------------------ */
/* Formatting: the text of `ovs-ofctl -O OpenFlow13 dump-flows`. */

static void
test_format_match(void **state)
{
    (void) state;
    check_text("priority=100,tcp,nw_src=10.1.2.3/8,tp_dst=80,actions=output:2",
               "priority=100,tcp,nw_src=10.0.0.0/8,tp_dst=80 actions=output:2");
    check_text("priority=32768,actions=drop", "actions=drop");
    check_text("priority=0,actions=drop", "priority=0 actions=drop");
    check_text("ip,in_port=3,dl_vlan=3,dl_vlan_pcp=2,dl_src=00:00:00:00:00:01,actions=drop",
               "ip,in_port=3,dl_vlan=3,dl_vlan_pcp=2,dl_src=00:00:00:00:00:01 actions=drop");
    check_text("dl_src=00:11:22:33:44:55/01:00:00:00:00:00,dl_dst=ff:ff:ff:ff:ff:ff,actions=drop",
               "dl_src=00:00:00:00:00:00/01:00:00:00:00:00,dl_dst=ff:ff:ff:ff:ff:ff actions=drop");
    check_text("eth_type=0x88cc,actions=drop", "dl_type=0x88cc actions=drop");
    check_text("dl_type=0x8847,actions=drop", "mpls actions=drop");
    check_text("dl_vlan=0xffff,actions=drop", "vlan_tci=0x0000/0x1fff actions=drop");
    check_text("vlan_tci=0x3005,actions=drop", "dl_vlan=5,dl_vlan_pcp=1 actions=drop");
    check_text("vlan_tci=0x1005/0x100f,actions=drop", "vlan_tci=0x1005/0x100f actions=drop");
    check_text("vlan_vid=5,actions=drop", "vlan_tci=0x0005/0x1fff actions=drop");
    check_text("dl_vlan_pcp=3,actions=drop", "dl_vlan_pcp=3 actions=drop");
    check_text("dl_vlan=0xffff,dl_vlan_pcp=3,actions=drop", "dl_vlan=0,dl_vlan_pcp=3 actions=drop");
    check_text("ip,nw_src=10.1.2.3/255.0.255.0,nw_dst=1.1.1.1/32,actions=drop",
               "ip,nw_src=10.0.2.0/255.0.255.0,nw_dst=1.1.1.1 actions=drop");
    check_text("arp,nw_src=1.2.3.4,nw_dst=5.6.7.0/24,arp_op=1,arp_sha=00:11:22:33:44:55,actions=drop",
               "arp,arp_spa=1.2.3.4,arp_tpa=5.6.7.0/24,arp_op=1,arp_sha=00:11:22:33:44:55 actions=drop");
    check_text("ipv6,ipv6_src=2001:db8::1/ffff:ffff::ff00,ipv6_dst=::ffff:1.2.3.4,actions=drop",
               "ipv6,ipv6_src=2001:db8::/ffff:ffff::ff00,ipv6_dst=::ffff:1.2.3.4 actions=drop");
    check_text("ipv6,ipv6_src=2001:db8::1/64,ipv6_label=5,actions=drop",
               "ipv6,ipv6_src=2001:db8::/64,ipv6_label=0x00005 actions=drop");
    check_text("ipv6,ipv6_label=0x12345/0xff,actions=drop", "ipv6,ipv6_label=0x00045/0x000ff actions=drop");
    check_text("icmp,icmp_type=3,icmp_code=1,nw_ttl=3,nw_tos=8,nw_ecn=1,actions=drop",
               "icmp,nw_tos=8,nw_ecn=1,nw_ttl=3,icmp_type=3,icmp_code=1 actions=drop");
    check_text("icmp6,icmpv6_type=135,nd_target=fe80::1,nd_sll=00:11:22:33:44:55,actions=drop",
               "icmp6,icmp_type=135,nd_target=fe80::1,nd_sll=00:11:22:33:44:55 actions=drop");
    check_text("ip,nw_proto=47,actions=drop", "ip,nw_proto=47 actions=drop");
    check_text("ipv6,nw_proto=1,actions=drop", "ipv6,nw_proto=1 actions=drop");
    check_text("ip,nw_proto=58,actions=drop", "ip,nw_proto=58 actions=drop");
    check_text("ipv6,ip_dscp=1,actions=drop", "ipv6,nw_tos=4 actions=drop");
    check_text("ip,ip_frag=yes,actions=drop", "ip,nw_frag=yes actions=drop");
    check_text("ip,ip_frag=not_later,actions=drop", "ip,nw_frag=not_later actions=drop");
    check_text("ip,ip_frag=later,actions=drop", "ip,nw_frag=later actions=drop");
    check_text("tcp,tp_src=0x50/0xfff0,tp_dst=1024/0xfc00,actions=drop",
               "tcp,tp_src=0x50/0xfff0,tp_dst=0x400/0xfc00 actions=drop");
    check_text("sctp6,sctp_dst=9,actions=drop", "sctp6,tp_dst=9 actions=drop");
    check_text("tcp,tcp_flags=+syn-ack,actions=drop", "tcp,tcp_flags=+syn-ack actions=drop");
    check_text("tcp,tcp_flags=0x012/0x0ff,actions=drop",
               "tcp,tcp_flags=-fin+syn-rst-psh+ack-urg-ece-cwr actions=drop");
    check_text("tcp,tcp_flags=0x012,actions=drop", "tcp,tcp_flags=syn|ack actions=drop");
    check_text("tcp,tcp_flags=0,actions=drop", "tcp,tcp_flags=0 actions=drop");
    check_text("tcp,tcp_flags=0xfff/0xfff,actions=drop",
               "tcp,tcp_flags=fin|syn|rst|psh|ack|urg|ece|cwr|ns|[200]|[400]|[800] actions=drop");
    check_text("udp6,tp_src=53,nw_tos=0,ipv6_label=0,actions=drop",
               "udp6,ipv6_label=0x00000,nw_tos=0,tp_src=53 actions=drop");
}

static void
test_format_actions(void **state)
{
    (void) state;
    check_text("actions=1,2,in_port,all", "actions=output:1,output:2,IN_PORT,ALL");
    check_text("actions=mod_dl_src:00:11:22:33:44:55,mod_dl_dst:AA:BB:CC:DD:EE:FF",
               "actions=set_field:00:11:22:33:44:55->eth_src,set_field:aa:bb:cc:dd:ee:ff->eth_dst");
    check_text("ip,actions=mod_nw_dst:10.1.1.1,mod_nw_ecn:2,mod_nw_ttl:9,dec_ttl",
               "ip actions=set_field:10.1.1.1->ip_dst,set_field:2->nw_ecn,mod_nw_ttl:9,dec_ttl");
    check_text("ipv6,actions=mod_nw_tos:4,set_field:3->nw_ttl,set_field:8->nw_tos",
               "ipv6 actions=set_field:1->ip_dscp,set_field:3->nw_ttl,set_field:8->nw_tos");
    check_text("tcp,actions=mod_tp_src:1,set_field:2->tp_dst",
               "tcp actions=set_field:1->tcp_src,set_field:2->tcp_dst");
    check_text("udp6,actions=mod_tp_src:1", "udp6 actions=set_field:1->udp_src");
    check_text("sctp,actions=mod_tp_dst:1", "sctp actions=set_field:1->sctp_dst");
    check_text("priority=100,tcp,actions=mod_vlan_vid:5,output:2",
               "priority=100,tcp actions=push_vlan:0x8100,set_field:4101->vlan_vid,output:2");
    check_text("dl_vlan=3,actions=mod_vlan_vid:5,mod_vlan_pcp:7",
               "dl_vlan=3 actions=set_field:4101->vlan_vid,set_field:7->vlan_pcp");
    check_text("actions=mod_vlan_pcp:3", "actions=push_vlan:0x8100,set_field:3->vlan_pcp");
    check_text("dl_vlan=1,actions=strip_vlan,push_vlan:0x88a8",
               "dl_vlan=1 actions=pop_vlan,push_vlan:0x88a8");
    check_text("ipv6,actions=set_field:fe80::1->ipv6_src,set_field:5->ipv6_label,"
               "set_field:0->ipv6_label",
               "ipv6 actions=set_field:fe80::1->ipv6_src,set_field:0x5->ipv6_label,"
               "set_field:0->ipv6_label");
    check_text("actions=", "actions=drop");
}

static void
test_format_truncation(void **state)
{
    struct vsw_flow_mod fm;
    char full[256], small[8];
    int n, m;

    (void) state;
    parse_ok("priority=100,tcp,nw_src=10.0.0.0/8,tp_dst=80,actions=output:1,output:2", &fm);
    n = vsw_match_format(&fm.match, fm.priority, full, sizeof full);
    assert_int_equal(n, (int) strlen(full));
    m = vsw_match_format(&fm.match, fm.priority, small, sizeof small);
    assert_int_equal(m, n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    assert_int_equal(vsw_match_format(&fm.match, fm.priority, NULL, 0), n);

    n = vsw_actions_format(fm.actions, full, sizeof full);
    assert_string_equal(full, "output:1,output:2");
    assert_int_equal(n, 17);
    assert_int_equal(vsw_actions_format(fm.actions, small, sizeof small), 17);
    assert_string_equal(small, "output:");
    assert_int_equal(vsw_actions_format(NULL, full, sizeof full), 4);
    assert_string_equal(full, "drop");
    vsw_flow_mod_uninit(&fm);
}

static void
test_pipe_actions(void **state)
{
    struct vsw_actions *a;

    (void) state;
    a = acts_ok("", "resubmit:3,resubmit(,2),resubmit(1,2),resubmit(in_port,3),goto_table:4");
    assert_int_equal(a->n, 5);
    assert_int_equal(a->a[0].type, VSW_ACT_RESUBMIT);
    assert_true(a->a[0].resubmit.port == 3 && a->a[0].resubmit.table == 255);
    assert_true(a->a[1].resubmit.port == VSW_OFPP_IN_PORT && a->a[1].resubmit.table == 2);
    assert_true(a->a[2].resubmit.port == 1 && a->a[2].resubmit.table == 2);
    assert_true(a->a[3].resubmit.port == VSW_OFPP_IN_PORT && a->a[3].resubmit.table == 3);
    assert_int_equal(a->a[4].type, VSW_ACT_GOTO_TABLE);
    assert_int_equal(a->a[4].resubmit.table, 4);
    assert_int_equal(a->n_outputs, 0);
    vsw_actions_free(a);

    a = acts_ok("", "write_metadata:0xf/0x3,goto_table:1");
    assert_int_equal(a->a[0].type, VSW_ACT_WRITE_METADATA);
    assert_true(a->a[0].md.value == 0xf && a->a[0].md.mask == 0x3);
    vsw_actions_free(a);

    /* load: value and mask shifted into the field, host order. */
    a = acts_ok("", "load:0x5->NXM_NX_REG1[3..5],load:1->xreg1[],set_field:0x5/0xf0f->reg4");
    assert_int_equal(a->n, 4);
    assert_int_equal(a->a[0].type, VSW_ACT_LOAD);
    assert_int_equal(a->a[0].field, VSW_F_REG0 + 1);
    assert_true(a->a[0].load.value == 0x28 && a->a[0].load.mask == 0x38);
    assert_int_equal(a->a[1].field, VSW_F_XREG0 + 1);
    assert_true(a->a[1].load.value == 1 && a->a[1].load.mask == UINT64_MAX);
    assert_true(a->a[2].load.value == 5 && a->a[2].load.mask == 0xf);
    assert_true(a->a[3].load.value == 0 && a->a[3].load.mask == 0xf00);
    vsw_actions_free(a);
    a = acts_ok("", "set_field:0x123456789abcdef0->metadata,load:0xaabbccddeeff->NXM_OF_ETH_DST[]");
    assert_int_equal(a->a[0].field, VSW_F_METADATA);
    assert_true(a->a[0].flags & VSW_ACTF_SET_FIELD);
    assert_true(a->a[0].load.value == 0x123456789abcdef0ULL);
    assert_int_equal(a->a[1].field, VSW_F_ETH_DST);
    assert_true(a->a[1].load.mask == 0xffffffffffffULL);
    vsw_actions_free(a);

    a = acts_ok("ipv6", "move:NXM_NX_IPV6_SRC[0..63]->NXM_NX_IPV6_DST[64..127],"
                "move:in_port[]->reg0[0..15]");
    assert_int_equal(a->a[0].type, VSW_ACT_MOVE);
    assert_true(a->a[0].move.src == VSW_F_IPV6_SRC && a->a[0].move.dst == VSW_F_IPV6_DST);
    assert_true(a->a[0].move.src_ofs == 0 && a->a[0].move.dst_ofs == 64);
    assert_int_equal(a->a[0].move.n_bits, 64);
    assert_true(a->a[1].move.src == VSW_F_IN_PORT && a->a[1].move.n_bits == 16);
    vsw_actions_free(a);

    a = acts_ok("", "group:7,controller,controller(reason=no_match,id=3,userdata=01.02.03),"
                "controller(userdata=aa)");
    assert_int_equal(a->a[0].type, VSW_ACT_GROUP);
    assert_int_equal(a->a[0].group, 7);
    assert_int_equal(a->a[1].type, VSW_ACT_CONTROLLER);
    assert_true(a->a[1].ctrl.max_len == 65535 && a->a[1].ctrl.reason == VSW_PIN_ACTION);
    assert_true(a->a[2].ctrl.reason == VSW_PIN_NO_MATCH && a->a[2].ctrl.id == 3);
    assert_int_equal(a->a[2].ctrl.userdata_len, 3);
    assert_memory_equal(vsw_actions_blob(a) + a->a[2].ctrl.userdata_ofs, "\x01\x02\x03", 3);
    assert_int_equal(a->a[3].ctrl.userdata_len, 1);
    assert_int_equal(vsw_actions_blob(a)[a->a[3].ctrl.userdata_ofs], 0xaa);
    assert_int_equal(a->blob_len, 4);
    vsw_actions_free(a);

    check_text("actions=resubmit:3,resubmit(,2),resubmit(1,2),resubmit(in_port,3),resubmit(2)",
               "actions=resubmit:3,resubmit(,2),resubmit(1,2),resubmit(,3),resubmit:2");
    check_text("actions=write_metadata:5,goto_table:1",
               "actions=write_metadata:0x5,goto_table:1");
    check_text("actions=write_metadata:0x5/0", "actions=write_metadata:0x5/0");
    check_text("actions=load:5->reg0[],load:1->reg3[0..3],load:1->xreg1[],load:1->reg2[7]",
               "actions=load:0x5->NXM_NX_REG0[],load:0x1->NXM_NX_REG3[0..3],"
               "load:0x1->OXM_OF_PKT_REG1[],load:0x1->NXM_NX_REG2[7]");
    check_text("actions=set_field:5->reg3,set_field:0x5/0xff->reg4,set_field:0x1/0x1->metadata,"
               "set_field:7->xreg2,set_field:0->metadata",
               "actions=set_field:0x5->reg3,load:0x5->NXM_NX_REG4[0..7],"
               "load:0x1->OXM_OF_METADATA[0],set_field:0x7->xreg2,set_field:0->metadata");
    check_text("actions=set_field:0x1/0->reg0", "actions=drop");
    check_text("actions=move:NXM_NX_REG0[]->NXM_NX_REG1,move:xreg0[]->OXM_OF_METADATA[]",
               "actions=move:NXM_NX_REG0[]->NXM_NX_REG1[],move:OXM_OF_PKT_REG0[]->OXM_OF_METADATA[]");
    check_text("arp,actions=move:NXM_NX_ARP_SHA[]->NXM_OF_ETH_SRC[]",
               "arp actions=move:NXM_NX_ARP_SHA[]->NXM_OF_ETH_SRC[]");
    check_text("actions=group:5,controller,controller:100,CONTROLLER,output:controller,"
               "controller(max_len=100,reason=no_match,id=3),controller(userdata=0102,max_len=65535)",
               "actions=group:5,CONTROLLER:65535,CONTROLLER:100,CONTROLLER:65535,"
               "CONTROLLER:65535,controller(reason=no_match,max_len=100,id=3),"
               "controller(userdata=01.02)");
    check_text("send_flow_rem,actions=controller(id=0,reason=action)", "actions=CONTROLLER:65535");
    check_roundtrip("actions=controller(reason=invalid_ttl,userdata=de.ad.be.ef),group:1,"
                    "resubmit(,3),set_field:0x5/0xf0f->reg4,move:reg0[0..7]->reg1[8..15],"
                    "write_metadata:0x1/0x1,goto_table:2");

    /* Errors, worded as ovs-ofctl's where it has one. */
    acts_err("", "resubmit:in_port", "at least one \"in_port\" or \"table\" must be specified");
    acts_err("", "resubmit(,255)", "at least one \"in_port\" or \"table\"");
    acts_err("", "resubmit(,256)", "256: resubmit to unknown table");
    acts_err("", "resubmit:0x10", "0x10: resubmit to unknown port");
    acts_err("", "resubmit:LOCAL", "resubmit: port LOCAL is not supported by vsw");
    acts_err("", "resubmit(65280,1)", "resubmit: port 65280 is out of range");
    acts_err("", "resubmit(1,2,ct)", "\"ct\" (connection tracking) is not supported");
    acts_err("", "goto_table:255", "goto_table: \"255\" is not a table number (0 to 254)");
    acts_err("", "goto_table:2,output:1", "apply_actions must appear before goto_table");
    acts_err("", "goto_table:3,write_metadata:1", "write_metadata must appear before goto_table");
    acts_err("", "write_metadata:1,output:1", "apply_actions must appear before write_metadata");
    acts_err("", "goto_table:1,goto_table:2", "duplicate goto_table instruction");
    acts_err("", "write_metadata:1,write_metadata:2", "duplicate write_metadata instruction");
    acts_err("", "write_metadata:zz", "write_metadata: \"zz\" is not a 64-bit value[/mask]");
    acts_err("", "load:0x100->NXM_NX_REG0[0..7]", "value 0x100 does not fit into 8 bits");
    acts_err("", "load:0x1->NXM_NX_REG0[0..32]",
             "ending bit 32 is not valid because field is only 32 bits wide");
    acts_err("", "load:0x1->NXM_NX_REG0[5..3]", "starting bit 5 is after ending bit 3");
    acts_err("", "load:0x1->FOO[]", "unknown field `FOO'");
    acts_err("", "load:0x1", "missing `->'");
    acts_err("", "load:->reg0[]", "cannot parse integer value");
    acts_err("", "load:1->NXM_OF_ETH_TYPE[]", "NXM_OF_ETH_TYPE cannot be written (read-only)");
    acts_err("", "load:1->OXM_OF_VLAN_VID[0]", "needs a VLAN tag");
    acts_err("", "load:1->NXM_OF_IP_SRC[]", "needs ip");
    acts_err("udp", "load:1->NXM_OF_TCP_DST[]", "needs tcp");
    acts_err("ipv6", "load:1->NXM_NX_IPV6_DST[]", "vsw loads at most the low 64 bits");
    acts_err("icmp", "load:1->icmp_type[]", "not supported in load or move by vsw");
    acts_err("", "set_field:0x100000000->reg0", "value too large for 4-byte field reg0");
    acts_err("", "set_field:5->NXM_NX_REG0", "field \"NXM_NX_REG0\" is not supported");
    acts_err("", "move:NXM_NX_REG0[0..7]->NXM_NX_REG1[0..6]",
             "source field is 8 bits wide but destination is 7 bits wide");
    acts_err("", "move:NXM_NX_REG0[]", "missing `->' following source");
    acts_err("", "move:OXM_OF_VLAN_PCP[]->reg0[0..2]", "needs a VLAN tag");
    acts_err("ip", "move:NXM_OF_ARP_SPA[]->reg0[]", "needs arp or rarp");
    acts_err("ipv6", "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[]", "vsw moves at most 64 bits");
    acts_err("", "group", "group: missing required numeric argument");
    acts_err("", "group:4294967296", "group: \"4294967296\" is not a group id");
    acts_err("", "controller:65536", "invalid max_len \"65536\"");
    acts_err("", "controller(id=65536)", "invalid id \"65536\"");
    acts_err("", "controller(reason=foo)", "unknown reason \"foo\"");
    acts_err("", "controller(foo=1)", "unknown key \"foo\" parsing controller action");
    acts_err("", "controller(userdata=1.2)", "bad hex digit in `controller' action `userdata'");
    acts_err("", "controller(pause)", "\"pause\" is not supported by vsw");
    acts_err("", "controller(userdata=000102030405060708090a0b0c0d0e0f"
             "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
             "000102030405060708090a0b0c0d0e0f00)", "userdata longer than 64 bytes");

    /* goto_table goes forward: only the flow-mod parser knows the table. */
    parse_err("table=2,actions=goto_table:2", "goto_table:2: a rule in table 2 may only go "
              "to a later table");
    parse_err("table=3,actions=goto_table:1", "OFPBIC_BAD_TABLE_ID");
    check_text("table=1,actions=goto_table:2", "actions=goto_table:2");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_output),
        cmocka_unit_test(test_action_rewrites),
        cmocka_unit_test(test_action_vlan),
        cmocka_unit_test(test_action_set_field),
        cmocka_unit_test(test_action_limits),
        cmocka_unit_test(test_pipe_actions),
        cmocka_unit_test(test_format_match),
        cmocka_unit_test(test_format_actions),
        cmocka_unit_test(test_format_truncation),
    };

    return cmocka_run_group_tests_name("ofp_actions", tests, NULL, NULL);
}
