#!/usr/bin/python3
"""End-to-end test of the multi-table pipeline (tables, goto_table and
resubmit, metadata and registers, a group and NORMAL in one rule set).

1. Counters and outputs: vswd starts with a 3-table pipeline (table 0
   classifies by in_port into metadata and goes to table 1; table 1 sends
   UDP to 10.0.0.0/24 through reg0=2 into table 2 (which rewrites the
   destination MAC and outputs to 2) and then to port 4, UDP to
   10.0.1.0/24 through reg0=3 into table 2's NORMAL, TCP to an `all` group
   (ports 2 and 3); everything else misses table 1).  A finite pcap of
   known packets goes through; every port's tx count, every rule's
   n_packets, the group's counters and dump-tables' per-table lookups and
   matches must be exactly what the rules say.  `trace` of each kind of
   packet must show every table visited, the nesting of a resubmit that
   more actions follow, the group's buckets and NORMAL's decision.
   `dump-flows table=N` and `del-flows table=N` act on one table only.

2. A loop in the rules (a rule that resubmits to its own table) ends with
   OVS's depth limit: its packets are dropped, the drop is counted in
   pmd-stats, the switch goes on forwarding other traffic, and trace says
   why.

3. A fast_failover group watching a tap port: `ip link set down` on the
   tap moves the traffic to the backup bucket, `up` moves it back, and
   each change re-translates only the megaflow that read link state (a
   second cached flow stays).  Needs root (tap devices).

Prints "N passed, M failed"; exit status 0 iff all passed.
"""

import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
sys.path.insert(0, HERE)

from livevswd import LiveVswd  # noqa: E402
from pcapio import write_pcap  # noqa: E402
from test_switch import tcp4, udp4  # noqa: E402

results = []

RULES = """\
table=0,priority=100,in_port=1,ip,actions=write_metadata:0x1/0xff,goto_table:1
table=0,priority=0,actions=drop
table=1,priority=50,udp,metadata=0x1/0xff,nw_dst=10.0.0.0/24,actions=load:0x2->NXM_NX_REG0[],resubmit(,2),output:4
table=1,priority=45,udp,metadata=0x1/0xff,nw_dst=10.0.1.0/24,actions=load:0x3->NXM_NX_REG0[],goto_table:2
table=1,priority=40,tcp,metadata=0x1/0xff,actions=group:1
table=2,priority=10,reg0=0x2,actions=mod_dl_dst:02:00:00:00:00:02,output:2
table=2,priority=11,reg0=0x3,actions=NORMAL
"""
GROUPS = "group_id=1,type=all,bucket=output:2,bucket=output:3\n"

N_ROUTED, N_NORMAL, N_TCP, N_MISS = 100, 20, 50, 30


def check(name, ok, detail=""):
    results.append(ok)
    print("%s %s" % ("ok  " if ok else "FAIL", name))
    if not ok and detail:
        print("  " + str(detail).replace("\n", "\n  ")[:4000])


def flow_counts(v, *args):
    """dump-flows -> {(table, priority): n_packets}."""
    _, out = v.ctl("dump-flows", *args)
    res = {}
    for line in out.splitlines():
        m = re.search(r"table=(\d+), n_packets=(\d+).* priority=(\d+)", line)
        if m:
            res[(int(m.group(1)), int(m.group(3)))] = int(m.group(2))
    return res


def table_stats(v):
    """dump-tables -> {table: (active, lookup, matched)} for the tables printed in full."""
    _, out = v.ctl("dump-tables")
    res = {}
    for m in re.finditer(r"table (\d+):\n    active=(\d+), lookup=(\d+), matched=(\d+)", out):
        res[int(m.group(1))] = tuple(int(m.group(i)) for i in (2, 3, 4))
    return res, out


def counters_test(vswd, vswctl):
    v = LiveVswd(vswd, vswctl, "pipeline", ctl_timeout=30)
    with open(v.path("rules"), "w") as f:
        f.write(RULES)
    with open(v.path("groups"), "w") as f:
        f.write(GROUPS)
    frames = [udp4(src="172.16.0.%d" % (i % 250), dst="10.0.0.%d" % (i % 200), sport=1000 + i)
              for i in range(N_ROUTED)]
    frames += [udp4(src="172.16.1.%d" % i, dst="10.0.1.7", sport=2000 + i) for i in range(N_NORMAL)]
    frames += [tcp4(src="172.16.2.%d" % i, dst="10.0.2.1", sport=3000 + i) for i in range(N_TCP)]
    frames += [udp4(src="172.16.3.%d" % i, dst="10.5.0.1", sport=4000 + i) for i in range(N_MISS)]
    total = len(frames)
    write_pcap(v.path("in.pcap"), frames)
    v.start(["--groups", v.path("groups"), "--flows", v.path("rules"),
             "--port", "p1,net_pcap0,rx_pcap=%s,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3",
             "--port", "p4,net_null2,no-rx=1,ofport=4"])
    try:
        want = {2: N_ROUTED + N_NORMAL + N_TCP, 3: N_NORMAL + N_TCP, 4: N_ROUTED + N_NORMAL}
        deadline = time.time() + 20
        while time.time() < deadline and any(v.tx(p) < n for p, n in want.items()):
            time.sleep(0.2)
        time.sleep(0.3)
        tx = {p: v.tx(p) for p in want}
        check("every port sent exactly what the pipeline says (%s)" % tx, tx == want, want)

        fc = flow_counts(v)
        want_fc = {(0, 100): total, (0, 0): 0, (1, 50): N_ROUTED, (1, 45): N_NORMAL,
                   (1, 40): N_TCP, (2, 10): N_ROUTED, (2, 11): N_NORMAL}
        check("rule counters in every table are exact", fc == want_fc,
              "got %s want %s" % (fc, want_fc))
        st, text = table_stats(v)
        want_st = {0: (2, total, total),
                   1: (3, total, total - N_MISS),
                   2: (2, N_ROUTED + N_NORMAL, N_ROUTED + N_NORMAL)}
        check("dump-tables: active rules, lookups and matches per table",
              all(st.get(t) == w for t, w in want_st.items())
              and "tables 4...253: ditto" in text, text[:600])
        _, out = v.ctl("dump-group-stats", "group_id=1")
        check("the group counts its packets once per bucket",
              "packet_count=%d" % N_TCP in out and out.count("packet_count=%d" % N_TCP) == 3,
              out)

        rc, out = v.ctl("trace", "in_port=1,udp,nw_src=172.16.0.1,nw_dst=10.0.0.9,"
                        "tp_src=1000,tp_dst=53")
        want_lines = [" 0. ip,in_port=1, priority 100\n    write_metadata:0x1/0xff\n",
                      "    goto_table:1\n 1. udp,metadata=0x1/0xff,nw_dst=10.0.0.0/24, priority 50\n",
                      "    resubmit(,2)\n     2. reg0=0x2, priority 10\n"
                      "            set_field:02:00:00:00:00:02->eth_dst\n",
                      "            output:2\n",
                      "    output:4\n     -> datapath: 4\n",
                      "Datapath actions: set(eth(dst=02:00:00:00:00:02)),2,4\n"]
        check("trace: goto_table, a nested resubmit and the registers it set",
              rc == 0 and all(w in out for w in want_lines), out)
        rc, out = v.ctl("trace", "in_port=1,tcp,nw_src=172.16.2.1,nw_dst=10.0.2.1,"
                        "tp_src=3000,tp_dst=80")
        check("trace: the group and each bucket",
              rc == 0 and "    group:1\n     -> group 1\n" in out and "bucket 0" in out
              and "bucket 1" in out and "Datapath actions: 2,3\n" in out, out)
        rc, out = v.ctl("trace", "in_port=1,udp,dl_src=00:00:00:00:00:01,"
                        "dl_dst=00:00:00:00:00:99,nw_src=172.16.1.1,nw_dst=10.0.1.7,"
                        "tp_src=2000,tp_dst=53")
        check("trace: NORMAL's decision in table 2",
              rc == 0 and " 2. reg0=0x3, priority 11\n    NORMAL\n" in out
              and "-> NORMAL: no learned MAC for the destination" in out, out)
        rc, out = v.ctl("trace", "in_port=1,udp,nw_src=172.16.3.1,nw_dst=10.5.0.1,"
                        "tp_src=4000,tp_dst=53")
        check("trace: a miss after goto_table drops",
              rc == 0 and " 1. No match.\n    drop\n" in out and "Datapath actions: drop" in out,
              out)

        fc1 = flow_counts(v, "table=1")
        check("dump-flows table=1 lists table 1 only",
              sorted(fc1) == [(1, 40), (1, 45), (1, 50)], fc1)
        rc, out = v.ctl("del-flows", "table=2")
        fc = flow_counts(v)
        check("del-flows table=2 deletes table 2 only",
              rc == 0 and sorted(fc) == [(0, 0), (0, 100), (1, 40), (1, 45), (1, 50)],
              "%s %s" % (out, fc))
        rc, out = v.ctl("trace", "in_port=1,udp,nw_src=172.16.0.1,nw_dst=10.0.0.9,"
                        "tp_src=1000,tp_dst=53")
        check("after del-flows table=2 the resubmit misses and output:4 stays",
              rc == 0 and "     2. No match.\n" in out and "Datapath actions: 4\n" in out, out)
    finally:
        v.stop()


def loop_test(vswd, vswctl):
    v = LiveVswd(vswd, vswctl, "pipeloop", ctl_timeout=30)
    with open(v.path("rules"), "w") as f:
        f.write("table=0,priority=10,udp,nw_dst=10.9.0.0/16,actions=output:3,resubmit(,0)\n"
                "table=0,priority=5,udp,actions=output:2\n")
    frames = [udp4(dst="10.9.0.1", sport=5000 + i) for i in range(40)]
    frames += [udp4(dst="10.1.0.1", sport=6000 + i) for i in range(60)]
    write_pcap(v.path("in.pcap"), frames)
    v.start(["--flows", v.path("rules"),
             "--port", "p1,net_pcap0,rx_pcap=%s,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3"])
    try:
        deadline = time.time() + 20
        while time.time() < deadline and v.tx(2) < 60:
            time.sleep(0.2)
        time.sleep(0.3)
        check("a loop drops its packets whole (even the output before the loop), "
              "other traffic flows", v.tx(2) == 60 and v.tx(3) == 0,
              "tx2=%d tx3=%d" % (v.tx(2), v.tx(3)))
        _, out = v.ctl("pmd-stats")
        m = re.search(r"dropped, translation over 64 resubmits deep: (\d+)", out)
        check("pmd-stats counts the translation that hit the depth limit",
              m is not None and int(m.group(1)) >= 1, out)
        rc, out = v.ctl("trace", "in_port=1,udp,nw_dst=10.9.0.1,tp_dst=53")
        check("trace says the translation failed and why",
              rc == 0 and "Translation failed (recursion_too_deep): the packet is dropped" in out
              and "Datapath actions: drop" in out, out[-800:])
        rc, _ = v.ctl("show")
        check("the switch still answers", rc == 0 and v.alive())
    finally:
        v.stop()


def ff_link_test(vswd, vswctl):
    if os.geteuid() != 0:
        print("SKIP fast_failover link test: needs root (tap devices)")
        return
    v = LiveVswd(vswd, vswctl, "pipeff", ctl_timeout=30)
    iface = "vswff%d" % (os.getpid() % 100000)
    with open(v.path("groups"), "w") as f:
        f.write("group_id=1,type=fast_failover,bucket=watch_port:2,output:2,"
                "bucket=watch_port:3,output:3\n")
    with open(v.path("rules"), "w") as f:
        f.write("priority=10,udp,tp_dst=53,actions=group:1\n"
                "priority=10,udp,tp_dst=99,actions=output:4\n")
    frames = [udp4(sport=1000 + i, dport=53 if i % 2 else 99) for i in range(16)]
    write_pcap(v.path("in.pcap"), frames)
    v.start(["--groups", v.path("groups"), "--flows", v.path("rules"),
             "--port", "p1,net_pcap0,rx_pcap=%s,infinite_rx=1,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_tap0,iface=%s,ofport=2" % iface,
             "--port", "p3,net_null0,no-rx=1,ofport=3", "--port", "p4,net_null1,no-rx=1,ofport=4"])

    def grows(port):
        a = v.tx(port)
        time.sleep(0.3)
        return v.tx(port) > a

    def link(state):
        subprocess.run(["ip", "link", "set", "dev", iface, state], check=True)

    def reval():
        _, out = v.ctl("reval-stats")
        m = re.search(r"candidates translated again: (\d+)", out)
        return int(m.group(1)) if m else -1

    try:
        link("up")
        deadline = time.time() + 10
        while time.time() < deadline and not grows(2):
            time.sleep(0.1)
        check("fast_failover: the watched port is up, its bucket takes the traffic",
              grows(2) and not grows(3) and grows(4))
        r0 = reval()
        link("down")
        deadline = time.time() + 5
        while time.time() < deadline and not grows(3):
            time.sleep(0.05)
        check("link down: traffic moves to the backup bucket", grows(3) and not grows(2))
        r1 = reval()
        check("the change re-translated only the megaflow that read link state "
              "(%d)" % (r1 - r0), r1 - r0 == 1 and grows(4))
        link("up")
        deadline = time.time() + 5
        while time.time() < deadline and not grows(2):
            time.sleep(0.05)
        check("link up again: traffic is back on the first bucket", grows(2) and not grows(3))
    finally:
        v.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    vswd = os.path.abspath(os.path.join(args.build, "vswd"))
    vswctl = os.path.abspath(os.path.join(args.build, "vswctl"))
    counters_test(vswd, vswctl)
    loop_test(vswd, vswctl)
    ff_link_test(vswd, vswctl)
    n_fail = results.count(False)
    print("%d passed, %d failed" % (len(results) - n_fail, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
