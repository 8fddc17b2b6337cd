#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Compares vsw's flow-line parser with Open vSwitch's.

Runs every line of LINES through `ovs-ofctl -O OpenFlow13 parse-flows` (one
call per line, since it stops at the first bad line) and through
ofp_roundtrip (argv[1]), which prints the same "ADD <match> actions=<actions>"
text from vsw_match_format() and vsw_actions_format(), or "error: ...".

A line passes when:
  - OVS accepts it as written: we accept it and print exactly the same text;
  - OVS rejects it, or accepts it only after dropping fields it logs as
    "normalization changed" (e.g. tp_dst without tcp): we reject it, and
    where OVS names an unknown keyword our error names the same field;
  - it is marked DEV (a deliberate difference, see the reason): we reject it,
    whatever OVS does with it (typically OVS silently truncates a value);
and in every case ofp_roundtrip found that our printed rule parses back to
the same rule (it prints "roundtrip-mismatch" otherwise).

With --switch, it checks dump-flows instead: every line that vsw accepts
is installed into a private `ovs-vswitchd --enable-dummy`
(tests/diff/ovs.py) with `ovs-ofctl -O OpenFlow13 add-flow`, and the
switch's `dump-flows --no-stats` must print the same match and actions as
vsw (lines refused there, e.g. a group that does not exist or a DEV line,
are counted, not compared: the plain run checks refusals).

Exits 77 (skipped) when ovs-ofctl (or, with --switch, ovs-vswitchd) is not
installed.  -v prints every line.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

DEV = "dev"  # We reject on purpose although OVS accepts.

# (flow line, None or (DEV, reason))
LINES = [
    # --- Matches: shorthands, field order, priority. ---
    ("priority=100,tcp,nw_src=10.1.2.3/8,tp_dst=80,actions=output:2", None),
    ("ip,actions=drop", None),
    ("ipv4,actions=drop", None),
    ("ip4,actions=drop", None),
    ("ipv6,actions=drop", None),
    ("ip6,actions=drop", None),
    ("tcp,actions=drop", None),
    ("udp,actions=drop", None),
    ("sctp,actions=drop", None),
    ("icmp,actions=drop", None),
    ("tcp6,actions=drop", None),
    ("udp6,actions=drop", None),
    ("sctp6,actions=drop", None),
    ("icmp6,actions=drop", None),
    ("arp,actions=drop", None),
    ("rarp,actions=drop", None),
    ("mpls,actions=drop", None),
    ("mplsm,actions=drop", None),
    ("priority=0,actions=drop", None),
    ("priority=65535,actions=drop", None),
    ("priority=32768,ip,actions=drop", None),
    ("priority=0x10,actions=drop", None),
    ("priority=010,actions=drop", None),
    ("table=1,idle_timeout=5,hard_timeout=10,cookie=0x10,priority=100,tcp,actions=drop", None),
    ("table=254,cookie=18446744073709551615,actions=drop", None),
    ("table=255,actions=drop", None),
    ("duration=1.5s,n_packets=3,n_bytes=180,idle_age=1,ip,actions=drop", None),
    # --- Separators and the actions keyword. ---
    ("in_port:5,actions=drop", None),
    ("in_port=5 ip actions=drop", None),
    ("in_port=5 ip, actions=drop", None),
    ("ip in_port=5,actions=1 2", None),
    ("ip,actions=1 , 2", None),
    ("action=1", None),
    ("  tcp ,, tp_dst=22\tactions=drop", None),
    # --- in_port, Ethernet. ---
    ("in_port=0,actions=drop", None),
    ("in_port=65279,actions=drop", None),
    ("dl_src=00:11:22:33:44:55/01:00:00:00:00:00,dl_dst=ff:ff:ff:ff:ff:ff/ff:ff:ff:ff:ff:ff,actions=drop", None),
    ("dl_src=00:11:22:33:44:55/00:00:00:00:00:00,actions=drop", None),
    ("eth_src=00:11:22:33:44:55,eth_dst=66:77:88:99:AA:BB,eth_type=0x0800,actions=drop", None),
    ("dl_dst=1:2:3:4:5:6,actions=drop", None),
    ("dl_type=0x100,actions=drop", None),
    ("dl_type=0x8847,actions=drop", None),
    ("eth_type=0x88cc,actions=drop", None),
    ("dl_type=0x0800/0xffff,actions=drop", None),
    ("dl_type=0x86dd,nw_proto=58,actions=drop", None),
    # --- VLANs (with the OpenFlow 1.3 round trip of the TCI). ---
    ("dl_vlan=0xffff,actions=drop", None),
    ("dl_vlan=4095,actions=drop", None),
    ("dl_vlan=0,actions=drop", None),
    ("dl_vlan_pcp=7,actions=drop", None),
    ("vlan_pcp=3,actions=drop", None),
    ("vlan_vid=5,actions=drop", None),
    ("vlan_vid=0x1005,actions=drop", None),
    ("vlan_vid=0x1000/0x1000,actions=drop", None),
    ("vlan_vid=0,actions=drop", None),
    ("vlan_vid=0x1005/0x1ff0,actions=drop", None),
    ("vlan_tci=0x1005/0x1fff,actions=drop", None),
    ("vlan_tci=0x2000/0xe000,actions=drop", None),
    ("vlan_tci=0x3000/0xf000,actions=drop", None),
    ("vlan_tci=0x3000/0x3000,actions=drop", None),
    ("vlan_tci=0x3005/0xffff,actions=drop", None),
    ("vlan_tci=0x3005,actions=drop", None),
    ("vlan_tci=0,actions=drop", None),
    ("vlan_tci=0x1005/0x0fff,actions=drop", None),
    ("vlan_tci=0x1005/0x100f,actions=drop", None),
    ("vlan_tci=0x1000/0x1000,actions=drop", None),
    ("vlan_tci=0x0000/0x1000,actions=drop", None),
    ("vlan_tci=0x0000/0xefff,actions=drop", None),
    ("dl_vlan=5,dl_vlan_pcp=3,actions=drop", None),
    ("dl_vlan_pcp=3,dl_vlan=5,actions=drop", None),
    ("dl_vlan=0xffff,dl_vlan_pcp=3,actions=drop", None),
    ("dl_vlan_pcp=3,dl_vlan=0xffff,actions=drop", None),
    ("dl_vlan=5,vlan_tci=0x1006/0x1fff,actions=drop", None),
    ("dl_vlan=5,dl_vlan=*,actions=drop", None),
    ("dl_vlan=5,dl_vlan_pcp=2,dl_vlan_pcp=*,actions=drop", None),
    ("ip,in_port=3,dl_vlan=3,dl_vlan_pcp=2,dl_src=00:00:00:00:00:01,actions=drop", None),
    ("vlan_tci=0x0005,actions=drop", None),
    ("dl_vlan=4096,actions=drop", None),
    ("dl_vlan_pcp=8,actions=drop", (DEV, "OVS truncates the PCP to 0")),
    # --- IPv4 and ARP addresses. ---
    ("ip,nw_src=10.1.2.3/255.0.0.0,actions=drop", None),
    ("ip,nw_src=10.1.2.3/255.0.255.0,actions=drop", None),
    ("ip,nw_src=10.1.2.3/0,actions=drop", None),
    ("ip,nw_src=10.1.2.3/32,nw_dst=192.168.7.0/24,actions=drop", None),
    ("ip,ip_src=1.2.3.4,ip_dst=5.6.7.8,actions=drop", None),
    ("ip,nw_src=010.0.0.1,actions=drop", None),
    ("ip,nw_src=10.1.2.3/33,actions=drop", None),
    ("ip,nw_src=10.0.0.300,actions=drop", (DEV, "OVS wraps 300 to 44")),
    ("ip,nw_dst=10.0.0,actions=drop", None),
    ("arp,nw_src=1.2.3.4,actions=", None),
    ("arp,arp_spa=10.0.0.0/255.0.255.0,arp_tpa=10.1.1.1/32,actions=drop", None),
    ("ip,arp_spa=1.2.3.4,actions=drop", None),
    ("rarp,nw_src=1.2.3.4,arp_op=3,actions=drop", None),
    ("arp,arp_op=2,arp_spa=1.1.1.1,actions=drop", None),
    ("arp,nw_proto=1,actions=drop", None),
    ("arp,arp_sha=00:11:22:33:44:55/ff:ff:ff:00:00:00,arp_tha=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop", None),
    ("arp,arp_op=256,actions=drop", (DEV, "OVS truncates the opcode to 0")),
    ("nw_src=1.2.3.4,actions=drop", None),
    ("ipv6,nw_src=1.2.3.4,actions=drop", None),
    ("arp,tp_src=1,actions=drop", None),
    # --- IPv6. ---
    ("ipv6,ipv6_src=2001:db8::1/ffff:ffff::ff00,ipv6_dst=::ffff:1.2.3.4,actions=drop", None),
    ("ipv6,ipv6_src=2001:db8::1/64,ipv6_dst=2001:db8::/0,actions=drop", None),
    ("ipv6,ipv6_src=2001:db8::1/129,actions=drop", None),
    ("ipv6,ipv6_dst=fe80::1/128,actions=drop", None),
    ("ipv6,ipv6_label=0x12345,actions=drop", None),
    ("ipv6,ipv6_label=0x12345/0xfffff,actions=drop", None),
    ("ipv6,ipv6_label=0x12345/0xff,actions=drop", None),
    ("ipv6,ipv6_label=0x100000,actions=drop", None),
    ("udp6,tp_src=53,nw_tos=0,ipv6_label=0,actions=drop", None),
    ("ipv6,ipv6_src=2001:db8::zz,actions=drop", None),
    ("icmp6,icmp_type=135,nd_target=fe80::1/64,nd_sll=00:11:22:33:44:55/ff:ff:ff:ff:ff:00,actions=drop", None),
    ("icmp6,icmpv6_type=136,icmpv6_code=0,nd_target=fe80::1,nd_tll=00:11:22:33:44:55,actions=drop", None),
    ("icmp6,icmp_type=135,actions=drop", None),
    ("icmp6,nd_target=::1,actions=drop", None),
    ("icmp6,icmp_type=136,nd_sll=00:11:22:33:44:55,actions=drop", None),
    ("icmp6,icmp_type=135,icmp_code=1,nd_target=::1,actions=drop",
     (DEV, "OVS silently drops nd_target when icmp_code is not 0")),
    ("icmp6,icmp_type=135,arp_sha=00:11:22:33:44:55,actions=drop",
     (DEV, "arp_sha needs arp; OVS turns it into nd_sll")),
    # --- IP fields. ---
    ("icmp,icmp_type=3,icmp_code=1,nw_ttl=3,nw_tos=8,nw_ecn=1,actions=drop", None),
    ("icmp,icmpv6_type=3,actions=drop", None),
    ("icmp,tp_src=8,actions=drop", (DEV, "tp_src needs tcp/udp/sctp; OVS makes it icmp_type")),
    ("ip,icmp_type=3,actions=drop", None),
    ("ip,nw_proto=47,actions=drop", None),
    ("ipv6,nw_proto=1,actions=drop", None),
    ("ip,nw_proto=58,actions=drop", None),
    ("ipv6,nw_tos=4,actions=drop", None),
    ("ip,ip_dscp=63,actions=drop", None),
    ("ip,ip_dscp=10,nw_ecn=2,ip_ecn=3,actions=drop", None),
    ("ip,nw_tos=256,actions=drop", None),
    ("ip,ip_dscp=64,actions=drop", (DEV, "OVS truncates the DSCP to 0")),
    ("ip,nw_tos=5,actions=drop", None),
    ("ip,nw_ecn=4,actions=drop", (DEV, "OVS truncates the ECN to 0")),
    ("ip,nw_proto=6/0xff,actions=drop", None),
    ("ip,nw_proto=6/0xf,actions=drop", None),
    ("ip,nw_proto=6/0,actions=drop", None),
    ("ip,ip_frag=no,actions=drop", None),
    ("ip,ip_frag=yes,actions=drop", None),
    ("ip,ip_frag=first,actions=drop", None),
    ("ip,ip_frag=later,actions=drop", None),
    ("ipv6,ip_frag=not_later,actions=drop", None),
    ("ip,nw_frag=NO,actions=drop", None),
    ("ip,ip_frag=3,actions=drop", None),
    ("ip,nw_ttl=255,actions=drop", None),
    # --- Transport. ---
    ("tcp,tp_src=0x50/0xfff0,tp_dst=1024/0xfc00,actions=drop", None),
    ("tcp,tp_src=80/0xffff,actions=drop", None),
    ("tcp,tp_dst=80,tp_dst=81,actions=drop", None),
    ("tcp,tp_dst=*,actions=drop", None),
    ("tcp,tp_dst=,actions=drop", None),
    ("tcp,dl_type=0x0800,actions=drop", None),
    ("dl_type=0x800,tcp,actions=drop", None),
    ("udp,tcp,actions=drop", None),
    ("udp,tcp_src=53,actions=drop", None),
    ("sctp6,sctp_dst=9,actions=drop", None),
    ("udp,udp_src=67,udp_dst=68,actions=drop", None),
    ("tcp,tp_dst=65536,actions=drop", None),
    ("tcp,tp_dst=080,actions=drop", None),
    ("tcp,tp_dst=010,actions=drop", None),
    ("tp_dst=80,actions=drop", None),
    ("ip,ip_frag=later,tcp,tp_dst=80,actions=drop", None),
    ("tcp,ip_frag=first,tp_dst=80,actions=drop", None),
    ("tcp,tcp_flags=+syn-ack,actions=drop", None),
    ("tcp,tcp_flags=syn,actions=drop", None),
    ("tcp,tcp_flags=0x012/0x0ff,actions=drop", None),
    ("tcp,tcp_flags=0x012,actions=drop", None),
    ("tcp,tcp_flags=+syn+ack+fin-rst-psh+urg+ece-cwr+ns,actions=drop", None),
    ("tcp6,tcp_flags=syn|ack,actions=drop", None),
    ("tcp,tcp_flags=+syn,tcp_flags=-ack,actions=drop", None),
    ("tcp,tcp_flags=0/0,actions=drop", None),
    ("tcp,tcp_flags=0,actions=drop", None),
    ("tcp,tcp_flags=0xfff/0xfff,actions=drop", None),
    ("tcp,tcp_flags=+syn-syn,actions=drop", None),
    ("tcp,tcp_flags=0x1000,actions=drop", None),
    ("tcp,tcp_flags=+bogus,actions=drop", None),
    ("udp,tcp_flags=+syn,actions=drop", (DEV, "OVS silently drops tcp_flags on non-TCP rules")),
    ("ip_frag=no,actions=drop", (DEV, "OVS silently drops ip_frag without ip/ipv6")),
    ("tcp,icmp_type=8,actions=drop", (DEV, "icmp_type needs icmp; OVS makes it tp_src")),
    ("ip,arp_op=1,actions=drop", (DEV, "arp_op needs arp; OVS makes it nw_proto (icmp)")),
    ("arp,nd_tll=00:00:00:00:00:04,actions=drop", (DEV, "nd_tll needs icmp6; OVS makes it arp_tha")),
    # --- Keywords. ---
    ("nw_srcx=1,actions=drop", None),
    ("priority=65536,actions=drop", None),
    ("priority=-1,actions=drop", None),
    ("cookie=0x1/0xff,actions=drop", None),
    ("cookie=zz,actions=drop", None),
    ("ip", None),
    ("in_port=65280,actions=drop", (DEV, "vsw has numbered ports 0 to 65279 only")),
    ("in_port=LOCAL,actions=drop", (DEV, "vsw has no LOCAL port")),
    ("send_flow_rem,ip,actions=drop", None),
    ("cookie=0x5,idle_timeout=3,hard_timeout=4,send_flow_rem,actions=drop", None),
    ("send_flow_rem=1,actions=drop", None),
    ("importance=5,ip,actions=drop", None),
    ("importance=70000,actions=drop", None),
    ("importance=x,actions=drop", None),
    ("importance,actions=drop", None),
    ("tcp=5,actions=drop", (DEV, "shorthands take no value; OVS ignores it")),
    # --- Actions: output. ---
    ("actions=output:0", None),
    ("actions=output:65279", None),
    ("actions=output=3", None),
    ("actions=Output:2", None),
    ("actions=all", None),
    ("actions=ALL,in_port", None),
    ("actions=IN_PORT,output:in_port", None),
    ("actions=", None),
    ("actions=drop", None),
    ("actions=drop,1", None),
    ("actions=output:65280", None),
    ("actions=output:4294967040", None),
    ("actions=output", None),
    ("actions=output:foo", None),
    ("actions=foo", None),
    ("actions=LOCAL", (DEV, "vsw has no LOCAL port")),
    ("actions=normal", None),
    ("actions=NORMAL", None),
    ("actions=flood", None),
    ("actions=output:NORMAL,output:flood", None),
    ("actions=mod_dl_dst:00:11:22:33:44:55,NORMAL", None),
    ("actions=push_vlan:0x8100,set_field:4106->vlan_vid,FLOOD,ALL,IN_PORT", None),
    ("actions=normal:3", (DEV, "OVS ignores the argument of a port name")),
    ("actions=in_port:3", (DEV, "OVS ignores the argument of a port name")),
    ("actions=load:1->NXM_OF_IN_PORT[]", (DEV, "vsw cannot rewrite in_port")),
    ("ip,actions=dec_ttl(1,2)", (DEV, "dec_ttl controller ids are not supported")),
    # --- Actions: rewrites. ---
    ("actions=mod_dl_src:00:11:22:33:44:55,mod_dl_dst:aa:bb:cc:dd:ee:ff", None),
    ("actions=mod_dl_src:1:2:3:4:5:6", None),
    ("actions=mod_dl_src:00:11:22:33:44", None),
    ("ip,actions=mod_nw_dst:10.1.1.1,mod_nw_ecn:2,mod_nw_ttl:9,dec_ttl", None),
    ("ipv6,actions=mod_nw_ttl:9,dec_ttl,mod_nw_tos:4,mod_nw_ecn:1", None),
    ("ip,nw_src=10.0.0.1 actions=set_field:10.0.0.2->ip_src,mod_nw_tos:8", None),
    ("actions=mod_nw_src:1.2.3.4", None),
    ("arp,actions=mod_nw_src:1.2.3.4", None),
    ("ip,actions=mod_nw_src:10.0.0.0/8", None),
    ("ip,actions=mod_nw_src:10.0.0.300", None),
    ("ip,actions=mod_nw_tos:5", None),
    ("ip,actions=mod_nw_ttl:256", None),
    ("ip,actions=mod_nw_ecn:4", None),
    ("actions=dec_ttl", None),
    ("tcp,actions=mod_tp_src:1,mod_tp_dst:2", None),
    ("udp6,actions=mod_tp_src:1,mod_tp_dst:2", None),
    ("sctp,actions=mod_tp_src:1", None),
    ("icmp,actions=mod_tp_src:1", None),
    ("tcp,actions=mod_tp_src:65536", None),
    ("tcp,ip_frag=later,actions=mod_nw_ttl:1", None),
    ("tcp,ip_frag=first,actions=mod_tp_dst:1", None),
    ("ip,ip_frag=later,actions=mod_tp_src:1", None),
    # --- Actions: VLANs. ---
    ("actions=push_vlan:0x88a8", None),
    ("actions=push_vlan:33024", None),
    ("actions=push_vlan:0x9100", None),
    ("actions=push_vlan:0x8100,push_vlan:0x8100", None),
    ("actions=push_vlan:0x8100,push_vlan:0x8100,push_vlan:0x8100", None),
    ("dl_vlan=5,actions=push_vlan:0x8100,push_vlan:0x8100", None),
    ("actions=mod_vlan_vid:5,output:2", None),
    ("actions=MOD_VLAN_VID:2", None),
    ("dl_vlan=3,actions=mod_vlan_vid:5", None),
    ("vlan_tci=0x1000/0x1000,actions=mod_vlan_vid:5", None),
    ("dl_vlan=0xffff,actions=mod_vlan_vid:3", None),
    ("actions=mod_vlan_pcp:5", None),
    ("dl_vlan=3,actions=mod_vlan_pcp:5", None),
    ("actions=mod_vlan_vid:5,mod_vlan_pcp:1", None),
    ("actions=push_vlan:0x8100,mod_vlan_vid:3,mod_vlan_pcp:2", None),
    ("actions=mod_vlan_vid:5,strip_vlan", None),
    ("dl_vlan=5,actions=pop_vlan,mod_vlan_vid:3", None),
    ("dl_vlan=5,actions=pop_vlan,pop_vlan", None),
    ("actions=mod_vlan_vid:4096", None),
    ("actions=mod_vlan_pcp:8", None),
    ("actions=set_vlan_vid:5", None),
    ("dl_vlan=1,actions=set_vlan_vid:5", None),
    ("dl_vlan=5,actions=set_vlan_pcp:3", None),
    ("dl_vlan=1,actions=strip_vlan", None),
    ("dl_vlan=1,actions=pop_vlan", None),
    ("actions=strip_vlan", None),
    ("actions=pop_vlan", None),
    ("vlan_tci=0x1000/0x1000,actions=strip_vlan,output:1", None),
    # --- Actions: set_field. ---
    ("actions=set_field:00:11:22:33:44:55->dl_src", None),
    ("actions=set_field:00:11:22:33:44:55->eth_dst", None),
    ("ip,actions=set_field:1.2.3.4->nw_src,set_field:1.2.3.5->nw_dst", None),
    ("ip,actions=set_field:1.2.3.4->ip_dst", None),
    ("ipv6,actions=set_field:::1->ipv6_src,set_field:fe80::1->ipv6_dst,set_field:0x12345->ipv6_label", None),
    ("ipv6,actions=set_field:5->ipv6_label", None),
    ("ipv6,actions=set_field:0->ipv6_label", None),
    ("tcp,actions=set_field:80->tp_src,set_field:0x50->tp_dst", None),
    ("tcp6,actions=set_field:1->tcp_src,set_field:2->tcp_dst", None),
    ("udp,actions=set_field:80->udp_src,set_field:81->udp_dst", None),
    ("sctp,actions=set_field:80->sctp_src,set_field:81->sctp_dst", None),
    ("udp,actions=set_field:80->tp_src", None),
    ("tcp,actions=set_field:80->udp_src", None),
    ("dl_vlan=3,actions=set_field:4101->vlan_vid", None),
    ("dl_vlan=3,actions=set_field:5->vlan_vid", None),
    ("actions=set_field:4101->vlan_vid", None),
    ("actions=push_vlan:0x8100,set_field:4097->vlan_vid,set_field:2->vlan_pcp", None),
    ("dl_vlan=3,actions=set_field:5->vlan_pcp", None),
    ("ip,actions=set_field:63->ip_dscp", None),
    ("ip,actions=set_field:64->ip_dscp", None),
    ("ip,actions=set_field:252->nw_tos", None),
    ("ip,actions=set_field:3->ip_ecn", None),
    ("ip,actions=set_field:3->nw_ecn", None),
    ("ipv6,actions=set_field:3->nw_ttl,mod_nw_ttl:4", None),
    ("ip,actions=set_field:1.2.3.4->ipv6_src", None),
    ("ip,actions=set_field:6->nw_proto", None),
    ("actions=set_field:0x800->eth_type", None),
    ("actions=set_field:1.2.3.4", None),
    ("ip,actions=set_field:1.2.3.4/8->nw_src", None),
    ("ip,actions=set_field:1.2.3.4/255.0.255.0->nw_dst,set_field:1.2.3.4/32->nw_src", None),
    ("actions=set_field:00:11:22:33:44:55/ff:ff:ff:00:00:00->eth_dst", None),
    ("actions=set_field:00:11:22:33:44:55/ff:ff:ff:ff:ff:ff->eth_src", None),
    ("tcp,actions=set_field:0x50/0xff->tcp_dst,set_field:80/0xffff->tcp_src", None),
    ("tcp,actions=set_field:80/0->tcp_src", None),
    ("udp,actions=set_field:80/0xff->tcp_src", None),
    ("udp6,actions=set_field:53/0xff00->udp_src", None),
    ("sctp,actions=set_field:1/1->sctp_dst", None),
    ("ip,actions=set_field:8/0xc->ip_dscp", None),
    ("ip,actions=set_field:10/0xff->ip_dscp,set_field:5/0xff->nw_ttl,set_field:252/0xff->nw_tos", None),
    ("ip,actions=set_field:5/0xf->nw_ttl", None),
    ("ip,actions=set_field:3/3->nw_ecn", None),
    ("ip,actions=set_field:252/0xfc->nw_tos", None),
    ("actions=set_field:0x1005/0x1fff->vlan_vid", None),
    ("dl_vlan=1,actions=set_field:0x1005/0x1fff->vlan_vid,set_field:0x5/0xff->vlan_vid", None),
    ("dl_vlan=1,actions=set_field:0x1005/0xffff->vlan_vid", None),
    ("dl_vlan=1,actions=set_field:5/7->vlan_pcp", None),
    ("dl_vlan=1,actions=set_field:5/0xff->vlan_pcp", None),
    ("ipv6,actions=set_field:0x5/0xff->ipv6_label,set_field:0x5/0xfffff->ipv6_label", None),
    ("ipv6,actions=set_field:0x5/0xffffffff->ipv6_label", None),
    ("ipv6,actions=set_field:::1/128->ipv6_src,set_field:::2/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff->ipv6_dst", None),
    ("ipv6,actions=set_field:::1/64->ipv6_src", (DEV, "vsw loads at most 64 bits")),
    ("tcp,actions=set_field:0x10000/0xff->tcp_src", None),
    ("tcp,actions=set_field:1/0x10000->tcp_src", None),
    ("actions=set_field:1->in_port", (DEV, "set_field to in_port is not supported")),
    ("dl_vlan=3,actions=set_field:5->dl_vlan", (DEV, "OVS mis-encodes this as in_port")),
    # --- More edges. ---
    ("ip,nw_src=1.2.3.4/0.0.0.0,nw_dst=1.2.3.4/255.255.255.255,actions=drop", None),
    ("ip,nw_src=1.2.3.4/8/8,actions=drop", None),
    ("dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop", None),
    ("ipv6,ipv6_src=::/0,ipv6_label=0xfffff/0,actions=drop", None),
    ("in_port=1,in_port=2,actions=drop", None),
    ("ip,nw_tos=0xfc,nw_ttl=0,actions=drop", None),
    ("arp,arp_sha=00:11:22:33:44:55/00:00:00:00:00:00,actions=drop", None),
    ("icmp6,icmp_type=136,icmp_code=0,nd_target=::/0,actions=drop", None),
    ("tcp,tp_src=0/0,tp_dst=0,actions=drop", None),
    ("dl_vlan=5,actions=mod_vlan_vid:3,push_vlan:0x8100,mod_vlan_vid:4", None),
    ("dl_vlan=5,actions=STRIP_VLAN,Mod_Vlan_Pcp:1", None),
    ("actions=output:1,output:1,1", None),
    ("dl_vlan=5,dl_vlan=0xffff,actions=drop", None),
    ("vlan_pcp=0,actions=drop", None),
    ("ipv6,ipv6_dst=fe80::1%eth0,actions=drop", None),
    ("tcp,tp_dst=0x,actions=drop", (DEV, "OVS reads \"0x\" as 0")),
    ("ip in_port=,actions=1", None),
    ("in_port=*,dl_src=*,ip,nw_src=*,ip_frag=*,actions=1", None),
    ("dl_src=,actions=1", None),
    ("ip,nw_src=,actions=1", None),
    ("ipv6,ipv6_src=,actions=1", None),
    ("ip,ip_frag=,actions=1", None),
    ("tcp,tcp_flags=,dl_vlan=,actions=1", None),
    ("ipv6,ipv6_label=0x1/0x100000,actions=1", (DEV, "mask bits beyond the 20-bit label")),
    ("ipv6,ipv6_label=0x1/0xffffffff,actions=1", None),
    ("vlan_vid=0x1005/0xf0ff,actions=1", None),
    ("ipv6,ipv6_label=0x1/0xfffffff,actions=1", None),
    ("n_packets=3,idle_age=,ip,actions=drop", None),
    # --- Misspelt field names: both reject, and where OVS names the unknown
    #     keyword we must name it too (without "actions=" OVS only says
    #     "must specify an action"; we still name the unknown field). ---
    ("priority=1,in_prot=1,actions=output:2", None),
    ("nw_dts=10.0.0.1,actions=drop", None),
    ("ip,nw_dts=10.0.0.1,actions=drop", None),
    ("tcp,tp_dts=80,actions=drop", None),
    ("priority=1,in_prot=1,acitons=output:2", None),
    ("in_port=1,acitons=output:2", None),
    ("priority=1,in_port=1", None),
    # --- Mixed, realistic rules. ---
    ("priority=200,in_port=1,dl_vlan=10,tcp,nw_dst=10.0.0.0/24,tp_dst=443,actions=strip_vlan,mod_dl_dst:02:00:00:00:00:02,output:2", None),
    ("priority=10,arp,in_port=2,actions=ALL", None),
    ("priority=300,udp6,ipv6_dst=ff02::1:2,tp_dst=547,actions=IN_PORT", None),
    ("cookie=0xabc,priority=50,ip,nw_ttl=1,actions=drop", None),
    ("priority=5,icmp,icmp_type=8,actions=mod_nw_src:192.168.1.1,mod_nw_dst:192.168.1.2,dec_ttl,output:3", None),
    ("in_port=7,dl_src=02:00:00:00:00:07,actions=push_vlan:0x88a8,set_field:4196->vlan_vid,push_vlan:0x8100,mod_vlan_vid:200,output:8", None),
    # --- Pipeline fields in matches. ---
    ("metadata=0x5/0xff,reg3=0x5/0xff,xreg1=0x123,reg0=7,actions=drop", None),
    ("reg15=0xffffffff,xreg0=0x1/0x1,metadata=0x1234567890,actions=drop", None),
    ("tcp,reg1=1,in_port=3,tp_dst=80,actions=drop", None),
    ("xreg1=1,reg2=5,actions=drop", None),
    ("xreg7=0xffffffffffffffff,actions=drop", None),
    ("xreg7=0x10000000000000000,actions=drop", None),
    ("reg0=0x100000000,actions=drop", None),
    ("reg0=0xffffffff/0,actions=drop", None),
    ("reg0=0/0xffffffff,actions=drop", None),
    ("reg0=0x12/0xf0,actions=drop", None),
    ("reg0=5,reg0=*,actions=drop", None),
    ("metadata=0/0,actions=drop", None),
    ("metadata=0,actions=drop", None),
    ("metadata=0xffffffffffffffff,actions=drop", None),
    ("metadata=-1,actions=drop", (DEV, "negative numbers are not accepted")),
    ("metadata=zz,actions=drop", None),
    ("reg16=1,actions=drop", None),
    ("xreg8=1,actions=drop", None),
    ("NXM_NX_REG0=5,actions=drop", None),
    ("priority=7,ip,reg5=0x8/0x8,dl_src=00:00:00:00:00:01,metadata=1,actions=drop", None),
    # --- Actions: resubmit, goto_table, write_metadata. ---
    ("actions=resubmit:3", None),
    ("actions=resubmit(,2)", None),
    ("actions=resubmit(1,2)", None),
    ("actions=resubmit(in_port,3)", None),
    ("actions=resubmit(2)", None),
    ("actions=resubmit(1,255)", None),
    ("actions=resubmit(,0),resubmit(65279,254)", None),
    ("actions=resubmit:in_port", None),
    ("actions=resubmit(in_port)", None),
    ("actions=resubmit(,)", None),
    ("actions=resubmit(,255)", None),
    ("actions=resubmit(,256)", None),
    ("actions=resubmit:0x10", None),
    ("actions=resubmit:foo", None),
    ("actions=resubmit(1,2,ct)", None),
    ("actions=resubmit:LOCAL", (DEV, "vsw has no LOCAL port")),
    ("actions=resubmit:normal", (DEV, "resubmit to a reserved port is not supported")),
    ("actions=resubmit(65280,1)", (DEV, "vsw has numbered ports 0 to 65279 only")),
    ("table=3,actions=resubmit(,1),output:2,resubmit(,3)", None),
    ("table=1,actions=goto_table:2", None),
    ("actions=goto_table:1", None),
    ("actions=goto_table:254", None),
    ("table=2,actions=goto_table:2", None),
    ("table=3,actions=goto_table:2", None),
    ("table=254,actions=goto_table:254", None),
    ("actions=goto_table:255", (DEV, "there is no table 255 to go to")),
    ("actions=goto_table:256", None),
    ("actions=goto_table:foo", None),
    ("actions=goto_table:2,output:1", None),
    ("actions=goto_table:1,goto_table:2", None),
    ("actions=output:1,goto_table:2", None),
    ("actions=write_metadata:0x5/0xff", None),
    ("actions=write_metadata:5", None),
    ("actions=write_metadata:0", None),
    ("actions=write_metadata:0/0xff", None),
    ("actions=write_metadata:0x5/0x0", None),
    ("actions=write_metadata:0xf/0x3", None),
    ("actions=write_metadata:0xffffffffffffffff", None),
    ("actions=write_metadata:0x5/0xff,goto_table:3", None),
    ("actions=output:2,write_metadata:0x5/0xff,goto_table:3", None),
    ("actions=goto_table:3,write_metadata:1", None),
    ("actions=output:1,write_metadata:1,output:2", None),
    ("actions=write_metadata:0x5/0xff,write_metadata:7", None),
    ("actions=write_metadata:zz", None),
    ("actions=write_metadata:-1", (DEV, "negative numbers are not accepted")),
    ("actions=write_metadata:0x10000000000000000", None),
    # --- Actions: load, move, set_field on pipeline fields. ---
    ("actions=load:5->NXM_NX_REG0[],load:0x1->NXM_NX_REG1[3..5],load:1->NXM_NX_REG2[7]", None),
    ("actions=load:0x1234->OXM_OF_METADATA[],load:0xaabbccddeeff->NXM_OF_ETH_DST[]", None),
    ("actions=load:5->reg0[],load:1->reg3[0..3],load:1->xreg1[]", None),
    ("actions=load:0x1->NXM_NX_REG0", None),
    ("actions=load:0->NXM_NX_REG0[]", None),
    ("actions=load:0xffffffffffffffff->OXM_OF_METADATA[]", None),
    ("actions=load:1->OXM_OF_PKT_REG0[0..63]", None),
    ("actions=load:0x1->OXM_OF_ETH_DST[],load:2->eth_src[0..7]", None),
    ("actions=load:0x100->NXM_NX_REG0[0..7]", None),
    ("actions=load:0x1->NXM_NX_REG0[0..32]", None),
    ("actions=load:0x1->NXM_NX_REG0[5..3]", None),
    ("actions=load:0x1->FOO[]", None),
    ("actions=load:->NXM_NX_REG0[]", None),
    ("actions=load:0x1", None),
    ("actions=load:-1->reg0[]", None),
    ("actions=load:0x1->NXM_OF_ETH_DST[0..63]", None),
    ("actions=load:1->NXM_OF_ETH_TYPE[]", None),
    ("actions=load:1->OXM_OF_VLAN_VID[0]", None),
    ("actions=load:1->OXM_OF_VLAN_PCP[0]", None),
    ("dl_vlan=5,actions=load:1->OXM_OF_VLAN_VID[0],load:3->OXM_OF_VLAN_PCP[]", None),
    ("actions=push_vlan:0x8100,load:10->OXM_OF_VLAN_VID[]", None),
    ("ip,actions=load:0x0a000001->NXM_OF_IP_SRC[],load:1->NXM_OF_IP_TOS[2],load:3->NXM_NX_IP_ECN[],load:64->NXM_NX_IP_TTL[]", None),
    ("ip,actions=load:1->OXM_OF_IPV4_DST[0..7],load:3->OXM_OF_IP_DSCP[]", None),
    ("actions=load:0x0a000001->NXM_OF_IP_SRC[]", None),
    ("tcp,actions=load:80->NXM_OF_TCP_DST[],load:81->OXM_OF_TCP_SRC[]", None),
    ("udp,actions=load:80->NXM_OF_TCP_DST[]", None),
    ("udp6,actions=load:53->NXM_OF_UDP_SRC[],load:1->NXM_OF_UDP_DST[0..7]", None),
    ("sctp,actions=load:1->OXM_OF_SCTP_DST[]", None),
    ("ipv6,actions=load:0x12345->NXM_NX_IPV6_LABEL[],load:1->NXM_NX_IPV6_DST[0..63]", None),
    ("ipv6,actions=load:1->NXM_NX_IPV6_DST[]", (DEV, "vsw loads at most 64 bits")),
    ("actions=load:0x123456789->NXM_NX_XXREG0[]", (DEV, "vsw has no xxreg")),
    ("actions=set_field:5->reg3,set_field:0x5/0xff->reg4,set_field:0x1/0x1->metadata,set_field:7->xreg2", None),
    ("actions=set_field:0xf0/0xf0->reg4,set_field:0x5/0xf0f->reg4", None),
    ("actions=set_field:0->metadata", None),
    ("actions=set_field:0x1/0->reg0", None),
    ("actions=set_field:0x5->reg0,output:1", None),
    ("actions=set_field:0x100000000->reg0", None),
    ("actions=set_field:0x5/0xff->xreg0", None),
    ("actions=set_field:0x123456789abcdef0->metadata", None),
    ("actions=set_field:0xffffffffffffffff/0xf00000000000000f->xreg7", None),
    ("actions=set_field:5->NXM_NX_REG0", None),
    ("actions=set_field:zz->reg0", None),
    ("actions=move:NXM_NX_REG0[]->NXM_NX_REG1[],move:reg0[0..7]->reg1[8..15]", None),
    ("actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]", None),
    ("actions=move:OXM_OF_PKT_REG0[]->OXM_OF_METADATA[],move:xreg0[]->OXM_OF_METADATA[]", None),
    ("actions=move:NXM_NX_REG0[]->NXM_NX_REG1", None),
    ("actions=move:in_port[]->reg0[0..15],move:NXM_OF_ETH_TYPE[]->reg1[16..31]", None),
    ("actions=move:NXM_OF_VLAN_TCI[]->NXM_NX_REG2[0..15],move:OXM_OF_VLAN_VID[]->reg3[0..11]", None),
    ("dl_vlan=3,actions=move:OXM_OF_VLAN_PCP[]->reg0[0..2],move:reg1[0..2]->OXM_OF_VLAN_PCP[]", None),
    ("actions=move:OXM_OF_VLAN_PCP[]->reg0[0..2]", None),
    ("actions=move:OXM_OF_VLAN_VID[]->reg0[0..12]", None),
    ("ip,actions=move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],move:NXM_OF_IP_TOS[]->reg0[0..7]", None),
    ("ip,actions=move:OXM_OF_IP_DSCP[]->reg0[0..5],move:NXM_NX_IP_ECN[]->reg0[0..1],move:NXM_OF_IP_PROTO[]->NXM_NX_IP_TTL[]", None),
    ("ipv6,actions=move:NXM_NX_IPV6_LABEL[]->reg0[0..19],move:NXM_NX_IPV6_SRC[0..63]->NXM_NX_IPV6_DST[64..127]", None),
    ("arp,actions=move:NXM_OF_ARP_SPA[]->reg0[],move:NXM_NX_ARP_SHA[]->NXM_OF_ETH_SRC[],move:NXM_OF_ARP_OP[]->reg1[0..15]", None),
    ("ip,actions=move:NXM_OF_ARP_SPA[]->reg0[]", None),
    ("tcp,actions=move:NXM_OF_TCP_SRC[]->NXM_OF_TCP_DST[]", None),
    ("udp,actions=move:NXM_OF_TCP_SRC[]->reg0[0..15]", None),
    ("udp,actions=move:tp_src[]->reg0[0..15]", None),
    ("actions=move:NXM_NX_REG0[0..7]->NXM_NX_REG1[0..6]", None),
    ("actions=move:NXM_NX_REG0[]", None),
    ("actions=move:NXM_OF_IN_PORT[]->NXM_OF_ETH_TYPE[]", None),
    ("actions=move:reg0[]->NXM_OF_IN_PORT[]", None),
    ("actions=move:reg0[0..15]->NXM_OF_IN_PORT[]", (DEV, "vsw cannot rewrite in_port")),
    ("actions=move:BAR[]->reg0[]", None),
    ("ipv6,actions=move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[]", (DEV, "vsw moves at most 64 bits")),
    ("actions=move:NXM_NX_REG0[]->NXM_NX_XXREG0[0..31]", (DEV, "vsw has no xxreg")),
    # --- Actions: group and controller. ---
    ("actions=group:5", None),
    ("actions=group:0,group:4294967295", None),
    ("actions=group:0x10", None),
    ("actions=group:foo", None),
    ("actions=group", None),
    ("actions=group:4294967296", (DEV, "OVS wraps the group id to 0")),
    ("actions=controller", None),
    ("actions=controller:100", None),
    ("actions=CONTROLLER", None),
    ("actions=CONTROLLER:100", None),
    ("actions=output:CONTROLLER", None),
    ("actions=output:controller", None),
    ("actions=controller:0", None),
    ("actions=controller:65536", None),
    ("actions=controller()", None),
    ("actions=controller(max_len=100)", None),
    ("actions=controller(id=3)", None),
    ("actions=controller(id=0)", None),
    ("actions=controller(reason=action)", None),
    ("actions=controller(reason=action,max_len=100)", None),
    ("actions=controller(reason=no_match)", None),
    ("actions=controller(reason=invalid_ttl)", None),
    ("actions=controller(reason=action_set)", None),
    ("actions=controller(reason=group)", None),
    ("actions=controller(reason=packet_out)", None),
    ("actions=controller(reason=foo)", None),
    ("actions=controller(userdata=01.02.03)", None),
    ("actions=controller(userdata=01.02.03,max_len=65535)", None),
    ("actions=controller(userdata=0102)", None),
    ("actions=controller(userdata=)", None),
    ("actions=controller(userdata=1.2)", None),
    ("actions=controller(userdata=zz)", None),
    ("actions=controller(reason=no_match,max_len=100,id=3,userdata=01.02.03)", None),
    ("actions=controller(max_len=100,reason=no_match,id=3)", None),
    ("actions=controller(reason=no_match,id=1,max_len=0)", None),
    ("actions=controller(max_len=65536)", None),
    ("actions=controller(id=65536)", None),
    ("actions=controller(foo=1)", None),
    ("actions=controller(pause)", (DEV, "continuations are not supported")),
    ("actions=controller(meter_id=1)", (DEV, "controller meters are not supported")),
    ("actions=controller(userdata=01),controller(userdata=02.03),output:1", None),
    # --- A pipeline. ---
    ("table=0,priority=10,in_port=1,actions=load:1->NXM_NX_REG0[],write_metadata:0x1/0xff,goto_table:1", None),
    ("table=1,priority=10,reg0=1,metadata=0x1/0xff,ip,actions=move:NXM_OF_IP_SRC[]->NXM_NX_REG1[],resubmit(,2),group:7", None),
    ("table=2,priority=0,actions=controller(reason=no_match,id=2,userdata=aa.bb)", None),
]


def ovs_parse(line, path):
    """Returns (status, text): status is 'accept', 'normalized' or 'reject'."""
    with open(path, "w") as f:
        f.write(line + "\n")
    proc = subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", "parse-flows", path],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    out = proc.stdout
    prefix = "OFPT_FLOW_MOD (OF1.3) (xid=0x1): "
    for text in out.splitlines():
        if text.startswith(prefix):
            text = text[len(prefix):]
            if text.startswith("***"):
                return "reject", text
            if "normalization changed" in out:
                return "normalized", text
            return "accept", text
    errors = [t for t in out.splitlines() if t.startswith("ovs-ofctl:")]
    return "reject", errors[0] if errors else out.strip()


def ours_parse(binary, lines):
    """Returns a list of (text, mismatch) per line."""
    proc = subprocess.run([binary], input="".join(l + "\n" for l in lines),
                          stdout=subprocess.PIPE, universal_newlines=True)
    results = []
    for text in proc.stdout.splitlines():
        if text.startswith("roundtrip-mismatch:"):
            results[-1] = (results[-1][0], text)
        else:
            results.append((text, None))
    if len(results) != len(lines):
        sys.exit("ofp_roundtrip printed %d results for %d lines"
                 % (len(results), len(lines)))
    return results


def strip_flow_keys(text):
    """The match of a dump-flows line or of ofp_roundtrip's text, without
    the flow-mod keys the two print differently."""
    text = re.sub(r"^ADD ", "", text.split("actions=", 1)[0]).strip()
    text = re.sub(r"(cookie[=:]\S+ ?|table[=:]\d+,? ?|idle(_timeout)?[=:]\d+,? ?"
                  r"|hard(_timeout)?[=:]\d+,? ?|send_flow_rem ?)", "", text)
    return text.strip()


def switch_main(binary, verbose):
    """--switch: compare with a live switch's dump-flows."""
    if not shutil.which("ovs-vswitchd") or not shutil.which("ovsdb-server"):
        print("SKIP ovs-vswitchd not found (Debian package openvswitch-switch)")
        return 77
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "diff"))
    from ovs import Ovs

    lines = [l for l, note in LINES if note is None]
    ours = ours_parse(binary, lines)
    same = refused = failed = 0
    with tempfile.TemporaryDirectory(prefix="vsw-oracle-") as tmp:
        path = os.path.join(tmp, "flow.txt")
        o = Ovs(tmp, nports=2, log=lambda *a: None)
        o.start()
        try:
            for line, (text, _) in zip(lines, ours):
                if text.startswith("error:"):
                    continue   # The plain oracle run compares the refusals.
                with open(path, "w") as f:
                    f.write(line + "\n")
                # replace-flows: the rule replaces the previous line's.
                if o.ofctl("replace-flows", o.mgmt, path, check=False).returncode:
                    refused += 1
                    continue
                dump = o.dump_flows()
                got = dump[0] if len(dump) == 1 else repr(dump)
                ok = (len(dump) == 1
                      and got.split("actions=", 1)[1] == text.split("actions=", 1)[1]
                      and strip_flow_keys(got) == strip_flow_keys(text))
                if ("send_flow_rem" in got) != ("send_flow_rem" in text):
                    ok = False
                if ok:
                    same += 1
                else:
                    failed += 1
                if verbose or not ok:
                    print("%s %s\n     ovs-vswitchd: %s\n     vsw: %s"
                          % ("ok  " if ok else "FAIL", line, got, text))
        finally:
            o.stop()
    print("dump-flows: %d refused by ovs-ofctl or the switch (not compared)" % refused)
    print("%d passed, %d failed" % (same, failed))
    return 1 if failed else 0


def main():
    args = [a for a in sys.argv[1:] if a not in ("-v", "--switch")]
    verbose = "-v" in sys.argv[1:]
    if len(args) != 1:
        sys.exit("usage: %s [-v] [--switch] PATH/TO/ofp_roundtrip" % sys.argv[0])
    if not shutil.which("ovs-ofctl"):
        print("ovs-ofctl not found (Debian package openvswitch-common): skipped")
        return 77
    if "--switch" in sys.argv[1:]:
        return switch_main(args[0], verbose)

    lines = [l for l, _ in LINES]
    ours = ours_parse(args[0], lines)
    passed = failed = 0
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "flow.txt")
        for (line, note), (text, mismatch) in zip(LINES, ours):
            status, ovs_text = ovs_parse(line, path)
            we_accept = not text.startswith("error:")
            if note:
                kind = "deviation"
                ok = not we_accept
                why = "expected vsw to reject (%s)" % note[1]
            elif status == "accept":
                kind = "same text"
                ok = we_accept and text == ovs_text
                why = "text differs"
            else:
                kind = "both reject" if status == "reject" else "ovs normalizes"
                ok = not we_accept
                why = "expected vsw to reject"
                m = re.search(r"unknown keyword (\S+)", ovs_text)
                if ok and m and '"%s"' % m.group(1) not in text:
                    ok = False
                    why = "vsw's error does not name the unknown field %s" % m.group(1)
            if mismatch:
                ok = False
                why = mismatch
            counts[kind] = counts.get(kind, 0) + 1
            if ok:
                passed += 1
            else:
                failed += 1
            if verbose or not ok:
                print("%s [%s] %s" % ("ok  " if ok else "FAIL", kind, line))
                print("     ovs (%s): %s" % (status, ovs_text))
                print("     vsw: %s" % text)
                if not ok:
                    print("     %s" % why)
    print("lines: %d (%s)" % (len(LINES), ", ".join(
        "%d %s" % (n, k) for k, n in sorted(counts.items()))))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
