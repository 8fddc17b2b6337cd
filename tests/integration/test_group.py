#!/usr/bin/python3
"""End-to-end test of OpenFlow groups.

1. Exact counters: vswd starts with --groups (a select group over ports
   2-4 and an all group to 2 and 3) and --flows pointing at them; a finite
   pcap of 400 TCP flows goes through.  dump-group-stats must count every
   packet once per group, the select buckets' counts must add up to the
   group's and match what ports 2-4 sent, the all group's buckets must
   each count every packet; dump-groups prints the groups as ovs-ofctl
   -O OpenFlow15 does.

2. Changes under steady traffic (an infinite pcap): add-group errors
   (an existing id, group:N to a missing group in add-flow), mod-group
   moving the traffic from an all group (ports 2 and 3) to an indirect
   one (port 4) -- once mod-group has returned no packet reaches 2 or 3 --
   then to a select group that spreads it over 2-4, and del-groups, which
   removes the rule that used the group (traffic stops).

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
from test_switch import tcp4  # noqa: E402

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print("%s %s" % ("ok  " if ok else "FAIL", name))
    if not ok and detail:
        print("  " + str(detail).replace("\n", "\n  ")[:3000])


def group_stats(v):
    """dump-group-stats -> {group_id: (packets, bytes, [(bucket packets, bytes)])}."""
    _, out = v.ctl("dump-group-stats")
    res = {}
    for line in out.splitlines():
        if "group_id=" not in line:
            continue
        kv = {}
        buckets = []
        for item in line.strip().split(","):
            k, _, val = item.partition("=")
            if k.startswith("bucket") and ":" in k:
                buckets.append([int(val), 0])
            elif k == "byte_count" and buckets:
                buckets[-1][1] = int(val)
            else:
                kv[k] = val
        res[int(kv["group_id"])] = (int(kv["packet_count"]), int(kv["byte_count"]),
                                    [tuple(b) for b in buckets])
    return res


def counters_test(vswd, vswctl):
    v = LiveVswd(vswd, vswctl, "groupstats", ctl_timeout=30)
    with open(v.path("groups"), "w") as f:
        f.write("# a comment\n"
                "group_id=1,type=select,bucket=output:2,bucket=output:3,bucket=weight:2,output:4\n"
                "group_id=2,type=all,bucket=output:2,bucket=mod_nw_tos:32,output:3\n")
    with open(v.path("rules"), "w") as f:
        f.write("priority=10,tcp,tp_dst=80,actions=group:1\n"
                "priority=10,tcp,tp_dst=443,actions=group:2\n"
                "priority=1,actions=drop\n")
    frames = [tcp4(src="10.1.%d.%d" % (i >> 8, i & 255), sport=1000 + i, dport=80,
                   payload=b"z" * (i % 7)) for i in range(400)]
    frames += [tcp4(src="10.2.0.%d" % i, dport=443) for i in range(50)]
    write_pcap(v.path("in.pcap"), frames)
    v.start(["--groups", v.path("groups"), "--flows", v.path("rules"),
             "--port", "p1,net_pcap0,rx_pcap=%s,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3",
             "--port", "p4,net_null2,no-rx=1,ofport=4"])
    try:
        deadline = time.time() + 20
        while time.time() < deadline and v.tx(2) + v.tx(3) + v.tx(4) < 400 + 100:
            time.sleep(0.2)
        tx = {p: v.tx(p) for p in (2, 3, 4)}
        st = group_stats(v)
        sel = st.get(1)
        bytes1 = sum(len(f) for f in frames[:400])
        check("select group counts every packet once (%s)" % (sel,),
              sel is not None and sel[0] == 400 and sel[1] == bytes1
              and sum(b[0] for b in sel[2]) == 400 and sum(b[1] for b in sel[2]) == bytes1,
              st)
        check("select buckets' counts are what ports 2-4 sent (%s, tx %s)" % (sel and sel[2], tx),
              sel is not None and [b[0] for b in sel[2]]
              == [tx[2] - 50, tx[3] - 50, tx[4]] and all(b[0] > 40 for b in sel[2]))
        al = st.get(2)
        check("all group: the group and each bucket count every packet (%s)" % (al,),
              al is not None and al[0] == 50 and all(b[0] == 50 for b in al[2]))
        rc, out = v.ctl("dump-groups")
        want = (" group_id=1,type=select,bucket=bucket_id:0,actions=output:2,"
                "bucket=bucket_id:1,actions=output:3,bucket=bucket_id:2,weight:2,actions=output:4\n"
                " group_id=2,type=all,bucket=bucket_id:0,actions=output:2,"
                "bucket=bucket_id:1,actions=set_field:8->ip_dscp,output:3\n")
        check("dump-groups prints as ovs-ofctl -O OpenFlow15", rc == 0 and out == want, out)
        rc, out = v.ctl("trace", "in_port=1,tcp,nw_src=10.2.0.1,tp_src=1000,tp_dst=443")
        check("trace shows the all group's two buckets and both outputs",
              rc == 0 and "-> group 2" in out and "bucket 1" in out
              and "Datapath actions: 2,set(ipv4(tos=0x20/0xfc)),3" in out, out)
        rc, out = v.ctl("dump-group-stats", "group_id=2")
        check("dump-group-stats group_id=2 shows only group 2",
              rc == 0 and out.count("group_id=") == 1 and "group_id=2," in out
              and "ref_count=1," in out, out)
    finally:
        v.stop()


def live_test(vswd, vswctl):
    v = LiveVswd(vswd, vswctl, "grouplive", ctl_timeout=30)
    frames = [tcp4(src="10.3.%d.%d" % (i >> 8, i & 255), sport=2000 + i) for i in range(300)]
    write_pcap(v.path("in.pcap"), frames)
    with open(v.path("rules"), "w") as f:
        f.write("priority=1,actions=drop\n")
    v.start(["--flows", v.path("rules"), "--mbufs", "16384",
             "--port", "p1,net_pcap0,rx_pcap=%s,infinite_rx=1,ofport=1" % v.path("in.pcap"),
             "--port", "p2,net_null0,no-rx=1,ofport=2", "--port", "p3,net_null1,no-rx=1,ofport=3",
             "--port", "p4,net_null2,no-rx=1,ofport=4"])
    try:
        rc, out = v.ctl("add-flow", "priority=10,in_port=1,actions=group:1")
        check("add-flow with group:1 before the group exists is refused (%s)" % out.strip(),
              rc != 0 and "OFPBAC_BAD_OUT_GROUP" in out)
        rc, out = v.ctl("add-group", "group_id=1,type=all,bucket=output:2,bucket=output:3")
        check("add-group", rc == 0, out)
        rc, out = v.ctl("add-group", "group_id=1,type=all,bucket=output:4")
        check("add-group of an existing id: OFPGMFC_GROUP_EXISTS",
              rc != 0 and "OFPGMFC_GROUP_EXISTS" in out, out)
        rc, out = v.ctl("mod-group", "group_id=9,type=all,bucket=output:4")
        check("mod-group of a missing id: OFPGMFC_UNKNOWN_GROUP",
              rc != 0 and "OFPGMFC_UNKNOWN_GROUP" in out, out)
        rc, out = v.ctl("add-flow", "priority=10,in_port=1,actions=group:1")
        check("add-flow with group:1", rc == 0, out)
        time.sleep(0.5)
        a2, a3 = v.tx(2), v.tx(3)
        time.sleep(0.3)
        check("all group: ports 2 and 3 both get the traffic",
              v.tx(2) > a2 and v.tx(3) > a3 and v.tx(4) == 0)

        rc, out = v.ctl("mod-group", "group_id=1,type=indirect,bucket=output:4")
        t2, t3, t4 = v.tx(2), v.tx(3), v.tx(4)
        time.sleep(0.5)
        check("after mod-group returned, nothing more reaches 2 or 3; 4 gets it all "
              "(2: %d -> %d, 3: %d -> %d, 4: %d -> %d)" % (t2, v.tx(2), t3, v.tx(3), t4, v.tx(4)),
              rc == 0 and v.tx(2) == t2 and v.tx(3) == t3 and v.tx(4) > t4, out)

        rc, out = v.ctl("mod-group", "group_id=1,type=select,bucket=output:2,bucket=output:3,"
                        "bucket=output:4")
        b = {p: v.tx(p) for p in (2, 3, 4)}
        time.sleep(0.5)
        check("select group: the 300 flows spread over ports 2-4",
              rc == 0 and all(v.tx(p) > b[p] for p in (2, 3, 4)), out)
        st = group_stats(v)
        check("the modified group's counters start from its new buckets (%s)" % (st.get(1),),
              1 in st and len(st[1][2]) == 3 and st[1][0] > 0)

        rc, out = v.ctl("del-groups", "group_id=1")
        b = {p: v.tx(p) for p in (2, 3, 4)}
        time.sleep(0.4)
        _, flows = v.ctl("dump-flows")
        _, groups = v.ctl("dump-groups")
        check("del-groups removes the group and the rule using it; traffic stops",
              rc == 0 and "group:1" not in flows and groups.strip() == ""
              and all(v.tx(p) == b[p] for p in (2, 3, 4)), flows + groups)
        check("vswd still running", v.alive())
    finally:
        v.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    vswd = os.path.abspath(os.path.join(args.build, "vswd"))
    vswctl = os.path.abspath(os.path.join(args.build, "vswctl"))
    counters_test(vswd, vswctl)
    live_test(vswd, vswctl)
    n_fail = results.count(False)
    print("%d passed, %d failed" % (len(results) - n_fail, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
