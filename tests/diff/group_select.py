#!/usr/bin/env python3
"""Differential check of select groups: for 2 000 TCP flows, the bucket
vsw's translation picks (build/tests/test_group with GROUP_CHOICES) must be
the port a private Open vSwitch 3.1 (ovs-vswitchd --enable-dummy) sends
the same packet to.  One group per run of each spec below: OVS's default
(dp_hash with a symmetric L4 hash), its fallback when the weights need over
256 hash values (default hash, highest score), selection_method=hash with
fields, and dp_hash with a basis.  Then the same for 2 000 frames of every
kind the differential test's generator makes (IPv4 and IPv6, TCP, UDP,
SCTP, ICMP, fragments, IPv6 extension headers, ARP, VLANs, malformed), with
dp_hash's L4 hash (algorithm 0) as well, which starts from the packet's
software RSS hash.

Usage: group_select.py [BUILD_DIR]   (exit status 0: all agree)
"""

import os
import random
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ovs import Ovs  # noqa: E402
from packets import eth, ipv4, tcp, pseudo4, ETH_P_IP, IPPROTO_TCP  # noqa: E402
from packets import find_tag  # noqa: E402
from pktgen import PacketGen  # noqa: E402
from rules import Pools  # noqa: E402

SPECS = [
    "group_id=1,type=select,bucket=output:1,bucket=output:2,bucket=output:3,"
    "bucket=weight:2,output:4",
    "group_id=1,type=select,bucket=weight:1,output:1,bucket=weight:300,output:2,"
    "bucket=weight:700,output:3,bucket=weight:500,output:4",
    "group_id=1,type=select,selection_method=hash,fields(ip_src,tcp_src),"
    "bucket=output:1,bucket=output:2,bucket=output:3,bucket=output:4",
    "group_id=1,type=select,selection_method=hash,selection_method_param=99,"
    "fields(in_port,eth_src,ip_dst=255.255.255.0,tcp_src),bucket=output:1,"
    "bucket=weight:3,output:2,bucket=output:3",
    "group_id=1,type=select,selection_method=dp_hash,"
    "selection_method_param=0x100000007,bucket=output:1,bucket=output:2,"
    "bucket=output:3",
    "group_id=1,type=select,selection_method=hash,fields(ip_dst,nw_proto,udp_dst,"
    "ipv6_src=ffff:ffff::,arp_op),bucket=output:1,bucket=weight:4,output:2,bucket=output:3",
    "group_id=1,type=select,selection_method=dp_hash,bucket=output:1,"
    "bucket=weight:3,output:2,bucket=output:3,bucket=output:4",
    "group_id=1,type=select,selection_method=dp_hash,selection_method_param=0x9,"
    "bucket=output:1,bucket=output:2,bucket=output:3",
]
VARIED_SEED = 20261201
N = 2000


class Pkt:
    def __init__(self, port, data):
        self.port = port
        self.data = data


def frames():
    """The flows test_group.c's write_choices() translates."""
    out = []
    for i in range(N):
        src = (0x0a000000 + i * 13) & 0xffffffff
        dst = 0x0b000001 + i
        seg = tcp(1024 + i, 80, 0x010, b"x" * 8,
                  pseudo4(src, dst, IPPROTO_TCP, 20 + 8))
        ip = ipv4(src, dst, IPPROTO_TCP, seg)
        out.append(eth(0x500000000002, 0x500000000001, [], ETH_P_IP) + ip)
    return out


def src_ip(frame):
    return struct.unpack("!I", frame[26:30])[0]


# Group lines whose parsing (accepted or not) and printing must be
# ovs-ofctl's.
FORMATS = [
    "group_id=1,type=all,bucket=output:2,bucket=output:3",
    "group_id=2,type=select,bucket=weight:10,actions=output:2,bucket=weight:20,output:3",
    "group_id=3,type=select,selection_method=hash,fields(ip_src,tcp_dst),bucket=output:2",
    "group_id=4,type=fast_failover,bucket=bucket_id:5,watch_port:1,actions=output:1,"
    "bucket=watch_port:2,output:2",
    "group_id=5,type=indirect,bucket=set_field:1.2.3.4->ip_src,output:4",
    "group_id=6,type=select,selection_method=dp_hash,selection_method_param=7,bucket=output:2",
    "group_id=7,type=select,selection_method=hash,fields(eth_dst=ff:ff:00:00:00:00,nw_src,"
    "tcp_src=0xff00,ipv6_dst=ffff::),bucket=output:2",
    "group_id=8,type=select,selection_method=hash,fields=ip_dst,bucket=output:2",
    "group_id=9,type=all",
    "group_id=10,type=ff,bucket=watch_group:3,output:3,bucket=watch_port:4,watch_group:2,output:4",
    "group_id=11,type=all,bucket=mod_dl_src:00:00:00:00:00:aa,mod_nw_tos:32,output:2",
    "group_id=12,type=select,bucket=weight:0,output:2,bucket=weight:65535,output:3",
    "group_id=13,type=all,bucket=bucket_id:3,output:2,bucket=output:3,bucket=bucket_id:0,output:4",
    "group_id=14,type=indirect,bucket=output:2,bucket=output:3",
    "group_id=15,type=all,bucket=weight:3,output:1",
    "type=all,bucket=output:1",
    "group_id=16,bucket=output:1",
    "group_id=4294967041,type=all,bucket=output:1",
    "group_id=17,type=select,selection_method=dp_hash,fields(nw_src),bucket=output:2",
    "group_id=18,type=ff,bucket=output:2",
    "group_id=19,type=select,selection_method_param=5,bucket=output:2",
    "group_id=20,type=lots,bucket=output:2",
    "group_id=21,type=all,bucket=watch_port:3,output:1",
    "group_id=22,type=all,bucket=bucket_id:1,output:1,bucket=bucket_id:1,output:2",
    "group_id=23,type=all,bucket=push_vlan:0x8100,set_field:4106->vlan_vid,output:2",
    "group_id=24,type=all,bucket=dec_ttl,output:2,bucket=strip_vlan,output:3",
    "group_id=25,type=select,selection_method=hash,fields(in_port,reg3,metadata=0xff),"
    "bucket=output:2",
    "group_id=26,type=select,selection_method=hash,fields(nosuch),bucket=output:2",
    "group_id=27,type=select,selection_method=hash,fields(ip_src=0.0.0.0),bucket=output:2",
]


def format_check(build):
    """Each FORMATS line through ovs-ofctl (OpenFlow 1.5) and through vsw:
    both refuse it, or both print the same dump-groups line."""
    bad = 0
    with tempfile.TemporaryDirectory(prefix="vsw-group-fmt-") as work:
        o = Ovs(work, nports=4)
        try:
            o.start()
            o.vsctl("set", "bridge", "br0", "protocols=OpenFlow13,OpenFlow15")
            for line in FORMATS:
                env = dict(os.environ, GROUP_FORMAT=line)
                ours = subprocess.run([os.path.join(build, "tests", "test_group")], env=env,
                                      capture_output=True, text=True).stdout.strip()
                p = o._run(["ovs-ofctl", "-O", "OpenFlow15", "add-group", o.mgmt, line],
                           check=False)
                theirs = "error: " + p.stderr.strip() if p.returncode else None
                if p.returncode == 0:
                    dump = o._run(["ovs-ofctl", "-O", "OpenFlow15", "dump-groups", o.mgmt])
                    gid = line.split("group_id=")[1].split(",")[0]
                    lines = [l.strip() for l in dump.stdout.splitlines()
                             if l.strip().startswith("group_id=%s," % gid)
                             or l.strip() == "group_id=%s,type=all" % gid]
                    theirs = lines[0] if lines else "(not in dump)"
                same = (ours == theirs or (ours.startswith("error:")
                                           and theirs.startswith("error:")))
                if not same:
                    bad += 1
                    print("  differ: %s\n    vsw: %s\n    ovs: %s" % (line, ours, theirs))
        finally:
            o.stop()
    print("group lines: %d, %d differ" % (len(FORMATS), bad))
    return bad


def ovs_outputs(work, spec, frames_):
    """Group 1 ('spec') in a private OVS, 'in_port=5,actions=group:1', the
    frames sent in on port 5: {port: [frames sent out]}."""
    o = Ovs(work, nports=5)
    try:
        o.start()
        o.vsctl("set", "bridge", "br0", "protocols=OpenFlow13,OpenFlow15")
        o._run(["ovs-ofctl", "-O", "OpenFlow15", "add-group", o.mgmt, spec])
        o.ofctl("add-flow", o.mgmt, "in_port=5,actions=group:1")
        o.inject([Pkt(5, f) for f in frames_])
        o.wait_idle({5: len(frames_)})
        return o.outputs()
    finally:
        o.stop()


def varied_check(build, spec):
    """Group 1 ('spec') on 2 000 generated frames of every kind: the port
    vsw's translation picks for each must be where OVS sends it."""
    rng = random.Random(VARIED_SEED)
    gen = PacketGen(rng, Pools(rng), [], nports=5)
    pkts = [p for p in (gen.packet(i) for i in range(N)) if find_tag(p.data) == p.index]
    with tempfile.TemporaryDirectory(prefix="vsw-group-varied-") as work:
        framefile = os.path.join(work, "frames")
        with open(framefile, "w") as f:
            for p in pkts:
                f.write(p.data.hex() + "\n")
        choices = os.path.join(work, "choices")
        env = dict(os.environ, GROUP_CHOICES=choices, GROUP_SPEC=spec, GROUP_FRAMES=framefile)
        subprocess.run([os.path.join(build, "tests", "test_group")], env=env, check=True)
        want = {}
        for line in open(choices):
            k, out = line.split(None, 1)
            want[pkts[int(k)].index] = out.strip()
        got = {}
        for port, fr in ovs_outputs(work, spec, [p.data for p in pkts]).items():
            for f in fr:
                k = find_tag(f)
                if k is not None:
                    got[k] = str(port)
    bad = [k for k in want if got.get(k, "drop") != want[k]]
    print("%s: %d varied frames, %d differ" % (spec, len(want), len(bad)))
    desc = {p.index: p.desc for p in pkts}
    for k in bad[:5]:
        print("  #%d %s: vsw %s, ovs %s" % (k, desc[k], want[k], got.get(k, "drop")))
    return 1 if bad else 0


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    failures = 1 if format_check(build) else 0
    if os.environ.get("GROUP_FORMAT_ONLY"):
        return failures
    for spec in SPECS:
        failures += varied_check(build, spec)
        with tempfile.TemporaryDirectory(prefix="vsw-group-diff-") as work:
            choices = os.path.join(work, "choices")
            env = dict(os.environ, GROUP_CHOICES=choices, GROUP_SPEC=spec)
            subprocess.run([os.path.join(build, "tests", "test_group")], env=env,
                           check=True)
            want = {}
            for line in open(choices):
                i, port = line.split()
                want[(0x0a000000 + int(i) * 13) & 0xffffffff] = port
            got = {}
            for port, fr in ovs_outputs(work, spec, frames()).items():
                for f in fr:
                    got[src_ip(f)] = str(port)
            bad = [ip for ip in want if got.get(ip) != want[ip]]
            print("%s: %d flows, %d differ" % (spec, len(want), len(bad)))
            for ip in bad[:5]:
                print("  src %08x: vsw %s, ovs %s" % (ip, want[ip], got.get(ip)))
            failures += len(bad) > 0
    print("%d passed, %d failed" % (2 * len(SPECS) + 1 - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
