#!/usr/bin/python3
"""End-to-end checks of the L2 switch (a live vswd on net_pcap ports, the
default NORMAL rule):

- a MAC flood (20 000 random source MACs on one port, a 1 000-entry table)
  keeps the table at its limit with counted evictions, keeps the hosts of
  the other ports, and established forwarding keeps going to its learned
  port only;
- a MAC table change revalidates only the megaflows of that MAC: the other
  cached flows stay;
- a host whose traffic is all cached is not aged out (its megaflows refresh
  it), one that went quiet is;
- bad VLAN configuration is refused with a reason and changes nothing.

Prints "N passed, M failed"; exit status 0 iff nothing failed.
"""

import argparse
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
sys.path.insert(0, HERE)

from livevswd import LiveVswd  # noqa: E402
from pcapio import write_pcap  # noqa: E402
from test_switch import udp4  # noqa: E402

HOST_A = "02:00:00:00:00:0a"
HOST_B = "02:00:00:00:00:0b"


def stat(text, name):
    m = re.search(re.escape(name) + r"\s*:\s*(\d+)", text)
    return int(m.group(1)) if m else -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    vswd = os.path.join(args.build, "vswd")
    vswctl = os.path.join(args.build, "vswctl")
    results = []

    def check(name, cond, detail=""):
        print("%s %s%s" % ("ok  " if cond else "FAIL", name, "" if cond else ": " + str(detail)))
        results.append(bool(cond))

    v = LiveVswd(vswd, vswctl, "l2")
    rng = random.Random(5)
    # A talks to B forever; B says hello once; a flooder on port 3.
    write_pcap(v.path("a.pcap"), [udp4(dl_src=HOST_A, dl_dst=HOST_B, sport=1000 + i)
                                  for i in range(8)])
    write_pcap(v.path("b.pcap"), [udp4(dl_src=HOST_B, dl_dst="ff:ff:ff:ff:ff:ff")])
    flood = []
    for i in range(20000):
        src = "02:%02x:%02x:%02x:%02x:%02x" % tuple(rng.randrange(256) for _ in range(5))
        flood.append(udp4(dl_src=src, dl_dst="ff:ff:ff:ff:ff:ff", sport=i & 0xffff))
    write_pcap(v.path("flood.pcap"), flood)
    write_pcap(v.path("empty.pcap"), [])
    v.start(["--mbufs", "16384", "--mac-table-size", "1000", "--mac-aging", "15",
             "--port", "p1,net_pcap1,rx_pcap=%s,infinite_rx=1,tx_pcap=/dev/null,ofport=1"
             % v.path("a.pcap"),
             "--port", "p2,net_pcap2,rx_pcap=%s,tx_pcap=/dev/null,ofport=2" % v.path("b.pcap"),
             "--port", "p3,net_pcap3,rx_pcap=%s,tx_pcap=/dev/null,ofport=3"
             % v.path("flood.pcap"),
             "--port", "p4,net_pcap4,rx_pcap=%s,tx_pcap=/dev/null,ofport=4,tag=10"
             % v.path("empty.pcap")])
    try:
        rc, out = v.ctl("dump-flows")
        check("default rule is NORMAL", rc == 0 and "priority=0 actions=NORMAL" in out, out)
        rc, out = v.ctl("show")
        check("show prints the VLAN mode", "vlan: access tag=10" in out
              and "vlan: trunk" in out, out)
        deadline = time.time() + 60
        while time.time() < deadline:
            rc, ports = v.ctl("dump-ports", "3")
            m = re.search(r"rx pkts=(\d+)", ports)
            if m and int(m.group(1)) >= 20000:
                break
            time.sleep(0.2)
        time.sleep(0.5)
        rc, st = v.ctl("fdb-stats")
        check("MAC flood: the table stays at its limit",
              "Current/maximum MAC entries in the table: 1000/1000" in st, st)
        # (Flood frames a PMD had to translate itself, its upcall queue full,
        # are dropped unlearned: not every one of the 20 000 is learned.)
        learned = stat(st, "Total number of learned MAC entries")
        check("MAC flood: evictions are counted", learned > 10000
              and stat(st, "Total number of evicted MAC entries") == learned - 1000, st)
        rc, fdb = v.ctl("fdb-show")
        check("MAC flood: the other ports' hosts stay",
              re.search(r"\s1\s+0\s+%s" % HOST_A, fdb) and re.search(r"\s2\s+0\s+%s" % HOST_B, fdb),
              fdb[:400])
        t2a, t3a = v.tx(2), v.tx(3)
        time.sleep(1)
        t2b, t3b = v.tx(2), v.tx(3)
        check("established forwarding goes on, to the learned port only",
              t2b - t2a > 1000 and t3b == t3a, "p2 +%d, p3 +%d" % (t2b - t2a, t3b - t3a))

        # Learning one MAC revalidates its megaflows, not the others.
        rc, mf = v.ctl("dump-megaflows")
        a_flows = [l for l in mf.splitlines() if "src=%s" % HOST_A in l]
        rc, st0 = v.ctl("fdb-stats")
        rc, out = v.ctl("fdb-add", "p2", "0", "02:00:00:00:00:99")
        rc2, st1 = v.ctl("fdb-stats")
        rc3, mf2 = v.ctl("dump-megaflows")
        a_flows2 = [l for l in mf2.splitlines() if "src=%s" % HOST_A in l]
        checked = stat(st1, "megaflows re-translated") - stat(st0, "megaflows re-translated")

        def pkts(lines):
            return [int(re.search(r"packets:(\d+)", l).group(1)) for l in lines]

        def keys(lines):
            return [l.split(", packets:")[0] for l in lines]
        check("fdb-add: accepted and shown", rc == 0 and "02:00:00:00:00:99  static"
              in v.ctl("fdb-show")[1], out)
        # Still the same megaflow (its counters went on), not a new one.
        changes = stat(st1, "MAC changes") - stat(st0, "MAC changes")
        check("a MAC change is revalidated, re-translating none of the other MACs' megaflows",
              changes >= 1 and checked == 0, "MAC changes +%d, re-translated %d\n%s"
              % (changes, checked, st1))
        check("a MAC change keeps the other megaflows cached",
              a_flows and keys(a_flows2) == keys(a_flows)
              and min(pkts(a_flows2)) > max(pkts(a_flows)),
              "A's megaflows %s -> %s" % (a_flows, a_flows2))

        # Aging: B sent once and goes after 15 s; A's cached traffic keeps it.
        time.sleep(15)
        rc, fdb = v.ctl("fdb-show")
        rc, st = v.ctl("fdb-stats")
        check("aging: a quiet host ages out", HOST_B not in fdb, fdb[:300])
        check("aging: a host whose traffic is cached stays", HOST_A in fdb, fdb[:300] + st)
        check("aging: the flood's MACs aged out",
              stat(st, "Total number of expired MAC entries") >= 990, st)
        check("aging: the static entry stays", "02:00:00:00:00:99  static" in fdb, fdb)

        # Bad input: a reason, nothing changed.
        rc, out = v.ctl("set-port", "p4", "trunks=10,20")
        check("set-port: trunks on an access port refused",
              rc != 0 and "access port" in out, out)
        rc, out = v.ctl("set-port", "p4", "tag=4096")
        check("set-port: tag out of range refused", rc != 0 and "0..4095" in out, out)
        rc, out = v.ctl("set-port", "p4", "vlan_mode=trunk")
        check("set-port: trunk mode with a tag refused", rc != 0 and "tag=10" in out, out)
        rc, out = v.ctl("set-port", "p9", "tag=10")
        check("set-port: unknown port", rc != 0 and 'no port "p9"' in out, out)
        rc, out = v.ctl("show")
        check("bad set-port changed nothing", "vlan: access tag=10" in out, out)
        rc, out = v.ctl("set-port", "p4", "tag=[]", "trunks=10,20")
        rc2, out2 = v.ctl("show")
        check("set-port: access -> trunk", rc == 0 and "vlan: trunk trunks=10,20" in out2,
              out + out2)
        rc, out = v.ctl("fdb-add", "p1", "4096", "02:00:00:00:00:01")
        check("fdb-add: bad VLAN refused", rc != 0 and "0..4095" in out, out)
        rc, out = v.ctl("fdb-add", "p1", "1", "01:00:00:00:00:01")
        check("fdb-add: multicast refused", rc != 0 and "multicast" in out, out)
        rc, out = v.ctl("fdb-flush", "p9")
        check("fdb-flush: unknown port", rc != 0 and 'no port "p9"' in out, out)
        rc, out = v.ctl("fdb-flush")
        rc2, fdb = v.ctl("fdb-show")
        check("fdb-flush keeps static entries", rc == 0 and "static" in fdb, out + fdb)
        check("vswd alive", v.alive(), "exited")
    finally:
        v.stop()

    # A bad --port VLAN key: vswd refuses to start and says why.
    v = LiveVswd(vswd, vswctl, "l2bad")
    try:
        v.start(["--port", "p1,net_null0,no-rx=1,vlan_mode=native-tagged"])
        v.proc.wait(timeout=20)
        log = open(v.path("vswd.log")).read()
        check("--port: a native mode without a tag is refused",
              v.proc.returncode != 0 and "needs the native VLAN" in log, log[-300:])
    finally:
        v.stop()

    passed = sum(1 for r in results if r)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
