#!/usr/bin/python3
"""End-to-end checks of the controller action, `vswctl monitor` and
`vswctl packet-out` (a live vswd on net_pcap ports):

- packet-ins (plain controller, controller:N after a rewrite, a table-miss
  rule, a rule with a cookie, packet-outs to the controller) are printed by
  `vswctl monitor` exactly as `ovs-ofctl -O OpenFlow13 monitor br0 65534`
  prints them for the same rules and packets on a private dummy OVS (when
  OVS is installed; else against the text OVS 3.1 printed when this test
  was written);
- every packet-in is accounted for: queued by the PMDs or dropped because
  the queue was full, then delivered, rate-limited or dropped for lack of a
  subscriber, and the monitor prints exactly the delivered ones;
- the rate limit holds (--controller-rate / --controller-burst);
- a monitor that connects and never reads blocks neither the switch (it
  keeps forwarding), nor another monitor, nor request/response clients; its
  records are dropped and counted;
- packet-out sends to a port (the frame is on its tx pcap), runs NORMAL
  (flooded, and the source MAC learned from a real in_port, not from
  CONTROLLER), and refuses bad input with a reason.

Prints "N passed, M failed"; exit status 0 iff nothing failed.
"""

import argparse
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
sys.path.insert(0, HERE)

from livevswd import LiveVswd  # noqa: E402
from pcapio import read_pcap, write_pcap  # noqa: E402
from test_switch import tcp4, udp4  # noqa: E402
import packets as P  # noqa: E402

MAC1 = "00:00:00:00:00:01"
MAC2 = "00:00:00:00:00:02"

FLOWS = """\
table=0,priority=10,udp,actions=controller
table=0,priority=10,tcp,actions=set_field:0x5->reg1,controller(max_len=20,userdata=01.02.03),\
mod_nw_dst:1.2.3.4,controller:40,output:2
table=0,cookie=0x99,priority=10,icmp,actions=set_field:0xabcd->reg7,write_metadata:0x77/0xff,\
goto_table:3
table=3,cookie=0x33,priority=5,actions=controller(max_len=100)
table=0,priority=0,actions=controller
""".replace("\\\n", "")


def arp_req():
    return P.eth(0xffffffffffff, 1, [], 0x0806) + P.arp(1, 1, 0x0a000001, 0, 0x0a000002)


def icmp_echo():
    ic = P.icmp4(8, 0, b"\x00\x01\x00\x01" + b"p" * 12)
    return P.eth(0x000000000002, 0x000000000001, [], 0x0800) + P.ipv4(0x0a000001, 0x0a000002, 1, ic)


PACKETS = [udp4(sport=53, dport=53, payload=b""), tcp4(sport=53, dport=53, payload=b""),
           icmp_echo(), arp_req()]
# (in_port, actions, frame) as ovs-ofctl packet-out takes them.
PACKET_OUTS = [("controller", "controller", PACKETS[0]), ("1", "controller:30", PACKETS[0]),
               ("none", "resubmit(,3)", PACKETS[0])]
N_PINS = 5   # Packet-ins from PACKETS (the tcp rule has two controller actions).

# What `ovs-ofctl -O OpenFlow13 monitor br0 65534` printed for these with
# OVS 3.1.0 (the first, second and last two; used when OVS is not here).
OVS_TEXT_FALLBACK = {
    0: "NXT_PACKET_IN2 (OF1.3) (xid=0x0): cookie=0x0 total_len=42 in_port=1 (via action) "
       "data_len=42 (unbuffered)\n"
       "udp,vlan_tci=0x0000,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,"
       "nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,"
       "tp_src=53,tp_dst=53 udp_csum:",
}


def read_monitor(proc, lines, stop):
    for line in iter(proc.stdout.readline, ""):
        lines.append(line)
        if stop.is_set():
            break


class Monitor:
    """`vswctl monitor` in the background, its lines collected."""

    def __init__(self, v):
        self.proc = subprocess.Popen([v.vswctl, "--ctl", v.ctlpath, "monitor"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.lines = []
        self.stop_ev = threading.Event()
        self.t = threading.Thread(target=read_monitor, args=(self.proc, self.lines, self.stop_ev),
                                  daemon=True)
        self.t.start()

    def text(self):
        return "".join(self.lines)

    def n_pins(self):
        return sum(1 for l in self.lines if l.startswith("NXT_PACKET_IN2"))

    def wait_pins(self, n, timeout=10):
        deadline = time.time() + timeout
        while self.n_pins() < n and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)   # The rest of the last record.
        return self.n_pins()

    def stop(self):
        self.stop_ev.set()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_monitors(v, n, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        rc, out = v.ctl("controller-stats")
        if "monitors: %d\n" % n in out:
            return True
        time.sleep(0.05)
    return False


def stat(text, name):
    m = re.search(re.escape(name) + r"\s*:\s*(\d+)", text)
    return int(m.group(1)) if m else -1


def ovs_monitor_text(workdir, log):
    """The monitor text of a dummy OVS for FLOWS, PACKETS and PACKET_OUTS,
    or None if OVS is not installed."""
    if not shutil.which("ovs-vswitchd"):
        return None
    from ovs import Ovs
    o = Ovs(workdir, nports=3, log=log)
    mon = None
    try:
        o.start()
        path = o.path("flows.txt")
        with open(path, "w") as f:
            f.write(FLOWS)
        o.add_flows(path)
        out = open(o.path("mon.txt"), "w")
        mon = subprocess.Popen(["stdbuf", "-oL", "ovs-ofctl", "-O", "OpenFlow13", "monitor",
                                o.mgmt, "65534"], env=o.env, stdout=out,
                               stderr=subprocess.STDOUT)
        time.sleep(1)
        for p in PACKETS:
            o.ctl.call("netdev-dummy/receive", ["p1", p.hex()])
            time.sleep(0.2)
        for in_port, acts, frame in PACKET_OUTS:
            o.ofctl("packet-out", o.mgmt, in_port, acts, frame.hex())
        time.sleep(1)
        mon.terminate()
        mon.wait(timeout=5)
        out.close()
        return open(o.path("mon.txt")).read()
    finally:
        if mon and mon.poll() is None:
            mon.kill()
        o.stop()


FR_FLOWS = """\
table=0,priority=10,cookie=0x7,udp,send_flow_rem,actions=output:2
table=2,priority=20,tcp,tp_dst=80,send_flow_rem,idle_timeout=1,actions=drop
table=0,priority=5,ip,nw_dst=10.0.0.0/8,send_flow_rem,hard_timeout=2,actions=output:2
table=0,priority=3,arp,send_flow_rem,actions=output:2
table=0,priority=2,arp,actions=output:2
"""
# Deleted after the udp packet went through: two rules with send_flow_rem,
# one without; the other two expire.
FR_DELETES = ["udp", "arp"]


def normalize_fr(text):
    """Flow-removed lines, durations blanked, sorted (expiry and deletion
    times interleave differently from run to run)."""
    return sorted(re.sub(r"duration[0-9.]+s", "durationXs", l)
                  for l in text.splitlines() if l.startswith("OFPT_FLOW_REMOVED"))


def ovs_flow_removed_text(workdir):
    if not shutil.which("ovs-vswitchd"):
        return None
    from ovs import Ovs
    o = Ovs(workdir, nports=2, log=lambda *a: None)
    mon = None
    try:
        o.start()
        path = o.path("flows.txt")
        with open(path, "w") as f:
            f.write(FR_FLOWS)
        o.add_flows(path)
        out = open(o.path("mon.txt"), "w")
        mon = subprocess.Popen(["stdbuf", "-oL", "ovs-ofctl", "-O", "OpenFlow13", "monitor",
                                o.mgmt, "65534"], env=o.env, stdout=out,
                               stderr=subprocess.STDOUT)
        time.sleep(1)
        o.ctl.call("netdev-dummy/receive", ["p1", PACKETS[0].hex()])
        time.sleep(0.3)
        for d in FR_DELETES:
            o.ofctl("del-flows", o.mgmt, d)
        time.sleep(3.5)
        mon.terminate()
        mon.wait(timeout=5)
        out.close()
        return open(o.path("mon.txt")).read()
    finally:
        if mon and mon.poll() is None:
            mon.kill()
        o.stop()


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

    # ---- Packet-ins as OVS prints them. ----
    v = LiveVswd(vswd, vswctl, "ctrl")
    write_pcap(v.path("in.pcap"), PACKETS)
    with open(v.path("flows.txt"), "w") as f:
        f.write(FLOWS)
    v.start(["--flows", v.path("flows.txt"),
             "--port", "p2,net_pcap2,tx_pcap=%s,ofport=2" % v.path("p2.pcap"),
             "--port", "p3,net_pcap3,tx_pcap=%s,ofport=3" % v.path("p3.pcap")])
    mon = None
    try:
        # One packet-in with nobody listening: counted, not delivered.
        rc, out = v.ctl("packet-out", "controller", "controller", PACKETS[0].hex())
        rc, st = v.ctl("controller-stats")
        check("no subscriber: dropped and counted", rc == 0
              and stat(st, "dropped, no subscriber") == 1 and stat(st, "delivered") == 0, st)

        mon = Monitor(v)
        check("monitor subscribes", wait_monitors(v, 1), v.ctl("ctl-stats")[1])
        rc, out = v.ctl("add-port", "p1", "net_pcap1,rx_pcap=%s,tx_pcap=%s,ofport=1"
                        % (v.path("in.pcap"), v.path("p1.pcap")))
        check("add-port p1", rc == 0, out)
        mon.wait_pins(N_PINS)
        for in_port, acts, frame in PACKET_OUTS:
            rc, out = v.ctl("packet-out", in_port, acts, frame.hex())
            check("packet-out %s %s" % (in_port, acts), rc == 0 and out == "", out)
        got_n = mon.wait_pins(N_PINS + len(PACKET_OUTS))
        got = mon.text()
        check("one packet-in per packet and packet-out",
              got_n == N_PINS + len(PACKET_OUTS), got)

        tmp = tempfile.mkdtemp(prefix="vsw-ctrl-ovs-")
        try:
            want = ovs_monitor_text(tmp, lambda *a: None)
        except Exception as e:   # OVS present but broken: say so, compare with the fallback.
            print("note: dummy OVS failed (%s); comparing with recorded text" % e)
            want = None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if want is not None:
            want = "".join(l + "\n" for l in want.splitlines()
                           if not l.startswith("20") and l.strip())
            check("monitor text is OVS's, byte for byte", got == want,
                  "\n--- vsw\n%s--- ovs\n%s" % (got, want))
        else:
            check("monitor text starts as OVS 3.1 printed it",
                  got.startswith(OVS_TEXT_FALLBACK[0]), got)
            print("note: ovs-vswitchd not installed; compared with recorded OVS text only")

        rc, st = v.ctl("controller-stats")
        rc2, pmd = v.ctl("pmd-stats")
        queued = sum(int(x) for x in re.findall(r"packet-ins queued to the slow path: (\d+)", pmd))
        check("counters add up", stat(st, "received") == queued
              and stat(st, "delivered") + stat(st, "dropped, no subscriber")
              + stat(st, "dropped, rate limited") == stat(st, "received")
              and stat(st, "delivered") == N_PINS + len(PACKET_OUTS), st + pmd)
        rc, out = v.ctl("dump-flows")
        check("the controller rules count their packets",
              "n_packets=1, n_bytes=42, idle_age" in out and "actions=CONTROLLER:65535" in out
              and "table=3, n_packets=1" in out, out)

        # ---- packet-out to ports. ----
        tx2 = v.tx(2)
        frame = udp4(sport=7, dport=7, payload=b"pkt-out!")
        rc, out = v.ctl("packet-out", "controller", "output:2", frame.hex())
        check("packet-out output:2 returns once sent", rc == 0 and v.tx(2) == tx2 + 1,
              "%s tx %d -> %d" % (out, tx2, v.tx(2)))
        tx2, tx3 = v.tx(2), v.tx(3)
        src = "02:00:00:00:00:77"
        learn_frame = udp4(dl_src=src, dl_dst="02:00:00:00:00:88", sport=8, dport=8)
        rc, out = v.ctl("packet-out", "1", "NORMAL", learn_frame.hex())
        rc2, fdb = v.ctl("fdb-show")
        check("packet-out NORMAL from port 1 floods to 2 and 3",
              rc == 0 and v.tx(2) == tx2 + 1 and v.tx(3) == tx3 + 1, out)
        check("packet-out NORMAL from port 1 learns the source MAC on port 1",
              re.search(r"\s1\s+0\s+%s" % src, fdb), fdb)
        src2 = "02:00:00:00:00:79"
        rc, out = v.ctl("packet-out", "controller", "NORMAL",
                        udp4(dl_src=src2, dl_dst="02:00:00:00:00:88").hex())
        rc2, fdb = v.ctl("fdb-show")
        check("packet-out NORMAL from CONTROLLER floods everywhere, learns nothing",
              rc == 0 and v.tx(2) == tx2 + 2 and src2 not in fdb, out + fdb)
        rc, out = v.ctl("packet-out", "1", "resubmit(,0)", PACKETS[0].hex())
        check("packet-out resubmit(,0) runs table 0's rule (a packet-in)",
              rc == 0 and mon.wait_pins(N_PINS + len(PACKET_OUTS) + 1)
              == N_PINS + len(PACKET_OUTS) + 1, out + mon.text()[-400:])
        tx2 = v.tx(2)
        rc, out = v.ctl("packet-out", "1", "resubmit(,0)", PACKETS[1].hex())
        check("packet-out resubmit(,0) of a tcp frame: two packet-ins and output:2",
              rc == 0 and v.tx(2) == tx2 + 1 and mon.wait_pins(N_PINS + len(PACKET_OUTS) + 3)
              == N_PINS + len(PACKET_OUTS) + 3, out)

        # Bad input: a reason, nothing sent.
        for args_, msg in ((("x", "output:2", frame.hex()), "is not an input port"),
                           (("1", "output:2", "zz"), "Ethernet frame in hex"),
                           (("1", "output:2", "0011"), "Ethernet frame in hex"),
                           (("1", "frobnicate", frame.hex()), "unknown action"),
                           (("1", "mod_nw_dst:1.2.3.4", P.eth(1, 2, [], 0x0806).hex()
                             + "00" * 28), "")):
            tx2 = v.tx(2)
            rc, out = v.ctl("packet-out", *args_)
            if msg:
                check("packet-out %s refused" % " ".join(a[:20] for a in args_),
                      rc != 0 and msg in out and v.tx(2) == tx2, out)
            else:
                check("packet-out: an action the packet lacks the header for is refused",
                      rc != 0 and v.tx(2) == tx2, out)
        check("vswd alive", v.alive(), "exited")
    finally:
        if mon:
            mon.stop()
        v_dir = v.dir
        # Stop vswd but keep the directory until the pcaps are read.
        if v.alive():
            v.proc.terminate()
            v.proc.wait(timeout=10)
    p2 = read_pcap(os.path.join(v_dir, "p2.pcap"))
    check("the packet-out frame is on p2's tx pcap", frame in p2, "%d frames" % len(p2))
    v.stop()

    # ---- Rate limit, queue full, stalled monitor. ----
    v = LiveVswd(vswd, vswctl, "ctrlrate")
    burst = [udp4(sport=i, dport=9) for i in range(3000)]
    write_pcap(v.path("burst.pcap"), burst)
    with open(v.path("flows.txt"), "w") as f:
        f.write("priority=10,udp,actions=controller,output:2\n")
    v.start(["--flows", v.path("flows.txt"), "--controller-rate", "200", "--controller-burst",
             "50", "--port", "p2,net_pcap2,tx_pcap=/dev/null,ofport=2"])
    mon = None
    stalled = None
    try:
        mon = Monitor(v)
        check("rate: monitor subscribes", wait_monitors(v, 1))
        t0 = time.time()
        v.ctl("add-port", "p1", "net_pcap1,rx_pcap=%s,tx_pcap=/dev/null,ofport=1"
              % v.path("burst.pcap"))
        deadline = time.time() + 20
        while v.tx(2) < len(burst) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        elapsed = time.time() - t0
        rc, st = v.ctl("controller-stats")
        rc, pmd = v.ctl("pmd-stats")
        delivered = stat(st, "delivered")
        n_mon = mon.wait_pins(delivered)
        full = sum(int(x) for x in re.findall(r"queue to the slow path full: (\d+)", pmd))
        queued = sum(int(x) for x in re.findall(r"queued to the slow path: (\d+)", pmd))
        check("rate: every packet still forwarded", v.tx(2) == len(burst), v.tx(2))
        check("rate: every packet-in queued or counted as queue full",
              queued + full == len(burst), "queued %d, full %d" % (queued, full))
        check("rate: at most burst + rate x time delivered",
              0 < delivered <= 50 + 200 * elapsed + 5, "%d in %.1f s\n%s" % (delivered, elapsed, st))
        check("rate: the rest counted as rate limited",
              stat(st, "dropped, rate limited") == queued - delivered, st)
        check("rate: the monitor printed each delivered packet-in", n_mon == delivered,
              "%d printed, %d delivered" % (n_mon, delivered))
        rc, st = v.ctl("controller-stats")
        check("controller-stats names the limit", "rate limit: 200/s, burst 50" in st, st)
    finally:
        if mon:
            mon.stop()
        v.stop()

    # ---- A monitor that never reads: the switch and other clients go on. ----
    v = LiveVswd(vswd, vswctl, "ctrlstall")
    write_pcap(v.path("burst.pcap"), burst)
    with open(v.path("flows.txt"), "w") as f:
        f.write("priority=10,udp,actions=controller,output:2\n")
    v.start(["--flows", v.path("flows.txt"), "--controller-rate", "0",
             "--port", "p2,net_pcap2,tx_pcap=/dev/null,ofport=2"])
    mon = None
    stalled = None
    try:
        mon = Monitor(v)
        check("stalled: a reading monitor subscribes", wait_monitors(v, 1))
        stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(v.ctlpath)
        req = b"monitor\0"
        stalled.sendall(struct.pack("<I", len(req)) + req)
        check("stalled: subscribed", wait_monitors(v, 2))
        n0 = mon.n_pins()
        tx0 = max(v.tx(2), 0)
        # No rate limit: the stalled monitor's 256 KiB fill within a pass or two.
        for i in range(6):
            v.ctl("add-port", "p1", "net_pcap1,rx_pcap=%s,tx_pcap=/dev/null,ofport=1"
                  % v.path("burst.pcap"))
            t = time.time()
            rc, out = v.ctl("show")
            check("stalled: show answers at once (pass %d)" % i,
                  rc == 0 and time.time() - t < 2, "%.1f s" % (time.time() - t))
            deadline = time.time() + 20
            while v.tx(2) < tx0 + (i + 1) * len(burst) and time.time() < deadline:
                time.sleep(0.1)
            v.ctl("del-port", "p1")
        check("stalled: forwarding went on", v.tx(2) == tx0 + 6 * len(burst),
              "%d of %d" % (v.tx(2) - tx0, 6 * len(burst)))
        time.sleep(0.5)
        check("stalled: the reading monitor went on", mon.n_pins() > n0,
              "%d -> %d" % (n0, mon.n_pins()))
        rc, cs = v.ctl("ctl-stats")
        check("stalled: its records dropped and counted",
              stat(cs, "dropped (buffer full)") > 0, cs)
        stalled.close()
        check("a disconnect unsubscribes", wait_monitors(v, 1), v.ctl("controller-stats")[1])
        check("vswd alive", v.alive(), "exited")
    finally:
        if stalled:
            stalled.close()
        if mon:
            mon.stop()
        v.stop()

    # ---- Flow removals (send_flow_rem). ----
    v = LiveVswd(vswd, vswctl, "ctrlfr")
    write_pcap(v.path("one.pcap"), PACKETS[:1])
    with open(v.path("flows.txt"), "w") as f:
        f.write(FR_FLOWS)
    v.start(["--flows", v.path("flows.txt"),
             "--port", "p2,net_pcap2,tx_pcap=/dev/null,ofport=2"])
    mon = None
    try:
        mon = Monitor(v)
        check("flow removed: monitor subscribes", wait_monitors(v, 1))
        v.ctl("add-port", "p1", "net_pcap1,rx_pcap=%s,tx_pcap=/dev/null,ofport=1"
              % v.path("one.pcap"))
        deadline = time.time() + 10
        while v.tx(2) < 1 and time.time() < deadline:
            time.sleep(0.05)
        for d in FR_DELETES:
            v.ctl("del-flows", d)
        time.sleep(3.5)
        got = normalize_fr(mon.text())
        tmp = tempfile.mkdtemp(prefix="vsw-ctrl-ovsfr-")
        try:
            want = ovs_flow_removed_text(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if want is not None:
            want = normalize_fr(want)
            check("flow removed: the monitor's lines are OVS's", got == want,
                  "\n--- vsw\n%s\n--- ovs\n%s" % ("\n".join(got), "\n".join(want)))
        else:
            check("flow removed: idle, hard and delete reported, nothing else",
                  len(got) == 4 and sum("reason=delete" in l for l in got) == 2, got)
        durations = re.findall(r"reason=(\w+).*duration([0-9.]+)s", mon.text())
        check("flow removed: durations plausible",
              all(0 < float(d) < 6 for _, d in durations) and len(durations) == 4, durations)
    finally:
        if mon:
            mon.stop()
        v.stop()

    # Bad options: vswd refuses to start and says why.
    v = LiveVswd(vswd, vswctl, "ctrlbad")
    try:
        v.start(["--controller-rate", "x"])
        v.proc.wait(timeout=20)
        log = open(v.path("vswd.log")).read()
        check("--controller-rate: bad value refused",
              v.proc.returncode != 0 and "--controller-rate" in log, log[-300:])
    finally:
        v.stop()

    passed = sum(1 for r in results if r)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
