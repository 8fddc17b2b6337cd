#!/usr/bin/env python3
"""Differential check of select groups: for 2 000 TCP flows, the bucket
vsw's translation picks (build/tests/test_group with GROUP_CHOICES) must be
the port a private Open vSwitch 3.1 (ovs-vswitchd --enable-dummy) sends
the same packet to.  One group per run of each spec below: OVS's default
(dp_hash with a symmetric L4 hash), its fallback when the weights need over
256 hash values (default hash, highest score), selection_method=hash with
fields, and dp_hash with a basis.

Usage: group_select.py [BUILD_DIR]   (exit status 0: all agree)
"""

import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ovs import Ovs  # noqa: E402
from packets import eth, ipv4, tcp, pseudo4, ETH_P_IP, IPPROTO_TCP  # noqa: E402
from pcapio import read_pcap  # noqa: E402

SPECS = [
    "group_id=1,type=select,bucket=output:1,bucket=output:2,bucket=output:3,"
    "bucket=weight:2,output:4",
    "group_id=1,type=select,bucket=weight:1,output:1,bucket=weight:300,output:2,"
    "bucket=weight:700,output:3,bucket=weight:500,output:4",
    "group_id=1,type=select,selection_method=hash,fields(ip_src,tcp_src),"
    "bucket=output:1,bucket=output:2,bucket=output:3,bucket=output:4",
    "group_id=1,type=select,selection_method=dp_hash,"
    "selection_method_param=0x100000007,bucket=output:1,bucket=output:2,"
    "bucket=output:3",
]
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


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    failures = 0
    for spec in SPECS:
        with tempfile.TemporaryDirectory(prefix="vsw-group-diff-") as work:
            choices = os.path.join(work, "choices")
            env = dict(os.environ, GROUP_CHOICES=choices, GROUP_SPEC=spec)
            subprocess.run([os.path.join(build, "tests", "test_group")], env=env,
                           check=True)
            want = {}
            for line in open(choices):
                i, port = line.split()
                want[(0x0a000000 + int(i) * 13) & 0xffffffff] = port
            o = Ovs(work, nports=5)
            try:
                o.start()
                o.vsctl("set", "bridge", "br0", "protocols=OpenFlow13,OpenFlow15")
                o._run(["ovs-ofctl", "-O", "OpenFlow15", "add-group", o.mgmt, spec])
                o.ofctl("add-flow", o.mgmt, "in_port=5,actions=group:1")
                pkts = [Pkt(5, f) for f in frames()]
                o.inject(pkts)
                o.wait_idle({5: N})
                got = {}
                for port, fr in o.outputs().items():
                    for f in fr:
                        got[src_ip(f)] = str(port)
            finally:
                o.stop()
            bad = [ip for ip in want if got.get(ip) != want[ip]]
            print("%s: %d flows, %d differ" % (spec, len(want), len(bad)))
            for ip in bad[:5]:
                print("  src %08x: vsw %s, ovs %s" % (ip, want[ip], got.get(ip)))
            failures += len(bad) > 0
    print("%d passed, %d failed" % (len(SPECS) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
