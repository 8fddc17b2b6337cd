#!/usr/bin/python3
"""End-to-end test of megaflow revalidation under steady traffic.

vswd holds 10 000 rules (one per IPv4 destination, mixed with IPv6 and L2
rules) while a net_pcap port replays 2 000 UDP flows to 2 000 of those
destinations forever, so 2 000 megaflows are cached.  Then:

  - adding a rule that none of the flows uses must leave >= 99 % of the
    megaflows in place (a flush would leave none);
  - replacing the rule of one flow (output to another port) must delete
    that flow's megaflow and, once add-flow has returned, send its packets
    to the new port while the rest stay cached;
  - deleting that rule must bring the old behaviour (default rule) back;
  - adding a higher-priority rule that covers many flows must re-route
    exactly those;
  - a rule with an idle_timeout whose flow keeps arriving must stay (its
    hits reach it through the megaflows), and expire once traffic stops.

Each change's cost is checked in `reval-stats`: the PMD scans every
megaflow but only those the change can affect are translated again.

A second vswd checks rule counters: finite traffic of mixed families
(IPv4 and IPv6 flows, several packets each, of different sizes) through
megaflows, then changes that delete some of them; every rule's
n_packets/n_bytes in dump-flows must be exactly what was sent to it.

Counts come from dump-megaflows, dump-ports, reval-stats and dump-flows.
Prints "N passed, M failed"; exit status 0 iff all passed.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
sys.path.insert(0, HERE)

from livevswd import LiveVswd  # noqa: E402
from pcapio import write_pcap  # noqa: E402
from test_switch import tcp6, udp4  # noqa: E402

N_RULES = 10000
N_FLOWS = 2000


def dst(i):
    return "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)


def rules_text():
    lines = []
    for i in range(N_RULES):
        lines.append("priority=100,udp,nw_dst=%s,actions=output:2" % dst(i))
        if i % 10 == 0:
            # Other families, as a real rule set has them.
            lines.append("priority=90,tcp6,ipv6_dst=2001:db8::%x,tp_dst=443,actions=output:3" % i)
            lines.append("priority=80,dl_dst=02:00:00:%02x:%02x:%02x,actions=output:3"
                         % (i >> 16 & 255, i >> 8 & 255, i & 255))
    lines.append("priority=1,actions=output:4")
    return "\n".join(lines) + "\n"


def counts(lines):
    """megaflow key -> its packet counter."""
    out = {}
    for l in lines:
        key, rest = l.split(", packets:", 1)
        out[key] = int(rest.split(",")[0])
    return out


def survivors(before, after):
    """Megaflows of 'before' still cached in 'after': same key and a packet
    counter that kept counting (one deleted and installed again starts from
    zero, and the traffic would refill a flushed cache within milliseconds,
    so presence alone proves nothing)."""
    b, a = counts(before), counts(after)
    return sum(1 for k, n in b.items() if k in a and a[k] >= n)


def flow_counters(out):
    """dump-flows -> {rule text after the counters: (n_packets, n_bytes)}."""
    res = {}
    for line in out.splitlines():
        if "n_packets=" not in line:
            continue
        fields = [f.strip() for f in line.split(",")]
        np = int([f for f in fields if f.startswith("n_packets=")][0].split("=")[1])
        nb = int([f for f in fields if f.startswith("n_bytes=")][0].split("=")[1])
        rest = line[line.index("priority="):] if "priority=" in line else line
        res[rest.strip()] = (np, nb)
    return res


def stats_checks(vswd, vswctl, results):
    """Rule counters are exact when megaflows carry them."""
    import random
    rnd = random.Random(11)

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok and detail:
            print("  " + detail.replace("\n", "\n  ")[:3000])

    v = LiveVswd(vswd, vswctl, "revalstats", ctl_timeout=30)
    rules = []
    for i in range(40):
        rules.append("priority=100,udp,nw_dst=10.9.0.%d,actions=output:2" % i)
    for i in range(1, 11):
        rules.append("priority=100,tcp6,ipv6_dst=2001:db8::%x,actions=output:3" % i)
    rules.append("priority=50,ip,nw_dst=10.9.0.0/24,actions=mod_nw_tos:32,output:3")
    rules.append("priority=1,actions=drop")
    with open(v.path("rules"), "w") as f:
        f.write("\n".join(rules) + "\n")
    want = {}
    pkts = []

    def expect(rule, frame):
        n, b = want.get(rule, (0, 0))
        want[rule] = (n + 1, b + len(frame))

    # 60 flows, 1-20 packets each, mixed sizes, interleaved.
    flows = []
    for i in range(40):
        flows.append(("priority=100,udp,nw_dst=10.9.0.%d" % i, lambda k, i=i: udp4(
            src="172.16.0.%d" % (k % 3), dst="10.9.0.%d" % i, payload=b"p" * (10 + k))))
    for i in range(1, 11):
        flows.append(("priority=100,tcp6,ipv6_dst=2001:db8::%x" % i, lambda k, i=i: tcp6(
            dst="2001:db8::%x" % i, payload=b"q" * (4 + k))))
    for i in range(100, 110):
        flows.append(("priority=50,ip,nw_dst=10.9.0.0/24", lambda k, i=i: udp4(
            dst="10.9.0.%d" % i, payload=b"r" * (1 + k))))
    for _ in range(600):
        rule, mk = flows[rnd.randrange(len(flows))]
        fr = mk(rnd.randrange(20))
        pkts.append(fr)
        expect(rule, fr)
    write_pcap(v.path("in.pcap"), pkts)
    v.start(["--port", "p1,net_pcap0,rx_pcap=%s,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3",
             "--flows", v.path("rules")])
    try:
        deadline = time.time() + 20
        sent = 0
        while time.time() < deadline:
            sent = v.tx(2) + v.tx(3)
            if sent >= len(pkts):
                break
            time.sleep(0.2)

        def compare(when):
            rc, out = v.ctl("dump-flows")
            got = flow_counters(out)
            bad = []
            for rule, (n, b) in sorted(want.items()):
                match = [k for k in got if k.startswith(rule + ",") or k.startswith(rule + " ")]
                g = got[match[0]] if len(match) == 1 else None
                if g != (n, b):
                    bad.append("%s: want %d/%d got %s" % (rule, n, b, g))
            check("rule counters exact %s (%d rules, %d packets)" % (when, len(want), len(pkts)),
                  rc == 0 and not bad and sent >= len(pkts), "\n".join(bad[:10]) or out[:500])

        compare("with the megaflows cached")
        # Changes that delete megaflows: the counts they held stay.
        v.ctl("add-flow", "priority=200,udp,nw_dst=10.9.0.3,actions=output:3")
        v.ctl("del-flows", "--strict", "priority=100,tcp6,ipv6_dst=2001:db8::1")
        want.pop("priority=100,tcp6,ipv6_dst=2001:db8::1", None)
        compare("after changes deleted some megaflows")
    finally:
        v.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    vswd = os.path.abspath(os.path.join(args.build, "vswd"))
    vswctl = os.path.abspath(os.path.join(args.build, "vswctl"))
    v = LiveVswd(vswd, vswctl, "reval", ctl_timeout=60)
    with open(v.path("rules"), "w") as f:
        f.write(rules_text())
    write_pcap(v.path("in.pcap"),
               [udp4(src="172.16.0.1", dst=dst(i), sport=1000, dport=53) for i in range(N_FLOWS)])
    v.start(["--mbufs", "16384", "--megaflow-idle", "60000",
             "--port", "p1,net_pcap0,rx_pcap=%s,infinite_rx=1,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3",
             "--port", "p4,net_null2,no-rx=1,ofport=4", "--flows", v.path("rules")])
    ctlcmd, tx = v.ctl, v.tx
    results = []

    def megaflows():
        rc, out = ctlcmd("dump-megaflows")
        return [l for l in out.splitlines() if l.startswith("in_port(")] if rc == 0 else []

    def upcalls():
        _, out = ctlcmd("pmd-stats")
        for line in out.splitlines():
            if line.strip().startswith("upcalls:"):
                return int(line.split(":")[1].split()[0])
        return -1

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok and detail:
            print("  " + detail.replace("\n", "\n  ")[:3000])

    def reval():
        """reval-stats as a dict: runs, scanned, checked, deleted, flushes."""
        _, out = ctlcmd("reval-stats")
        keys = {"revalidations": "runs", "megaflows scanned": "scanned",
                "candidates translated again": "checked", "megaflows deleted": "deleted",
                "fell back to a flush": "flushes"}
        d = {}
        for line in out.splitlines():
            k, _, val = line.strip().partition(":")
            if k in keys:
                d[keys[k]] = int(val)
        return d

    def cost(r0, r1):
        return {k: r1.get(k, 0) - r0.get(k, 0) for k in r1}

    try:
        deadline = time.time() + 60
        while time.time() < deadline and v.alive():
            if len(megaflows()) >= N_FLOWS:
                break
            time.sleep(0.2)
        before = megaflows()
        check("%d flows cached as %d megaflows" % (N_FLOWS, len(before)),
              len(before) == N_FLOWS, "megaflows: %d" % len(before))

        # 1. A rule no flow uses.
        up0 = upcalls()
        r0 = reval()
        rc, out = ctlcmd("add-flow", "priority=100,udp,nw_dst=192.168.9.9,actions=output:3")
        c = cost(r0, reval())
        after = megaflows()
        check("an unrelated rule: every megaflow scanned, none translated again (%s)" % c,
              c.get("runs") == 1 and c.get("scanned", 0) >= N_FLOWS and c.get("checked") == 0
              and c.get("flushes") == 0)
        time.sleep(0.3)
        up1 = upcalls()
        check("an unrelated rule costs (almost) no upcalls (%d)" % (up1 - up0),
              0 <= up1 - up0 < 0.01 * N_FLOWS)
        kept = survivors(before, after)
        check("an unrelated rule leaves >= 99%% of the megaflows (%d of %d kept)"
              % (kept, len(before)), rc == 0 and kept >= 0.99 * len(before), out)

        # 2. Replace one flow's rule: its packets follow the new rule as soon
        #    as add-flow has returned; the rest stay cached.
        before = megaflows()
        r0 = reval()
        rc, out = ctlcmd("add-flow", "priority=100,udp,nw_dst=%s,actions=output:3" % dst(7))
        c = cost(r0, reval())
        check("a replaced rule: only its megaflow translated again and deleted (%s)" % c,
              c.get("checked") == 1 and c.get("deleted") == 1)
        t3 = tx(3)
        time.sleep(0.5)
        t3b = tx(3)
        after = megaflows()
        check("a replaced rule re-routes its flow at once", rc == 0 and t3b > t3 + 100,
              "port 3 tx %d -> %d %s" % (t3, t3b, out))
        kept = survivors(before, after)
        check("... and the other megaflows stay (%d)" % kept, kept >= 0.99 * N_FLOWS)
        mine = [l for l in after if "dst=%s," % dst(7) in l]
        check("... its megaflow now outputs to port 3",
              len(mine) == 1 and mine[0].endswith("actions:3"), "\n".join(mine))

        # 3. Delete it: the default rule (port 4) takes the flow.
        rc, out = ctlcmd("del-flows", "--strict", "priority=100,udp,nw_dst=%s" % dst(7))
        t4 = tx(4)
        time.sleep(0.5)
        t4b = tx(4)
        check("after del-flows the default rule takes the flow", rc == 0 and t4b > t4 + 100,
              "port 4 tx %d -> %d %s" % (t4, t4b, out))

        # 4. A higher-priority rule over 10.0.1.0/24 (256 of the flows).
        r0 = reval()
        rc, out = ctlcmd("add-flow", "priority=500,udp,nw_dst=10.0.1.0/24,actions=drop")
        c = cost(r0, reval())
        check("a covering rule: its 256 megaflows translated again and deleted (%s)" % c,
              254 <= c.get("checked", 0) <= 260 and 254 <= c.get("deleted", 0) <= 260)
        time.sleep(0.3)
        after = megaflows()
        drops = [l for l in after if "dst=10.0.1." in l]
        others = [l for l in after if "dst=10.0.1." not in l and l.endswith("actions:2")]
        check("a covering rule takes exactly its flows",
              rc == 0 and drops and all(l.endswith("actions:drop") for l in drops)
              and len(others) >= 0.99 * (N_FLOWS - 256 - 1),
              "%d drop megaflows, %d others to port 2" % (len(drops), len(others)))

        # 5. Idle timeouts see the hits that megaflows count: a rule whose
        #    flow keeps arriving stays, an unused one expires, and once the
        #    traffic stops the first one expires too.
        rc1, _ = ctlcmd("add-flow", "priority=300,idle_timeout=2,udp,nw_dst=%s,actions=output:2"
                        % dst(11))
        rc2, _ = ctlcmd("add-flow", "priority=300,idle_timeout=1,udp,nw_dst=192.168.7.7,"
                        "actions=output:2")
        time.sleep(4.5)
        rc, out = ctlcmd("dump-flows", "udp")
        busy = [l for l in out.splitlines() if "idle_timeout=2" in l]
        check("a rule in use outlives its idle_timeout; an unused one expires",
              rc == 0 and rc1 == 0 and rc2 == 0 and len(busy) == 1 and "n_packets=0" not in busy[0]
              and "192.168.7.7" not in out, out)
        rc, out = ctlcmd("del-port", "p1")
        time.sleep(3.5)
        rc2, out = ctlcmd("dump-flows", "udp")
        check("... and expires once its traffic stops",
              rc == 0 and rc2 == 0 and "priority=100" in out and "idle_timeout" not in out, out)
        check("vswd alive", v.alive(), "exited")
    finally:
        v.stop()
    stats_checks(vswd, vswctl, results)
    passed = sum(1 for r in results if r)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) and results else 1


if __name__ == "__main__":
    sys.exit(main())
