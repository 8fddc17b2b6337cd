#!/usr/bin/python3
"""vhost-user ports without QEMU: two "guests" are dpdk-testpmd processes with
a virtio-user port each (the guest side of vhost-user) and a net_pcap port;
testpmd's io forwarding moves frames between the two, so a pcap replayed in
one guest crosses vswd and lands in the other guest's tx pcap, where it is
compared frame by frame.

  guest1: net_pcap (in g1in-X.pcap, out g1-X.pcap) <-> virtio-user -> vm1.sock
  vswd:   vm1 = vhost-user (server, vswd owns vm1.sock), ofport 1
          vm2 = vhost-user-client (guest2 owns vm2.sock), ofport 2
          rules: in_port=1 -> 2, in_port=2 -> 1
  guest2: net_pcap (in g2in-X.pcap, out g2-X.pcap) <-> virtio-user (server) vm2.sock

Checks: traffic both ways, byte for byte; link state follows the guest;
tx to a guest that is gone is counted as drops; a killed and restarted
guest, and a restarted vswd, come back.

Then the VLAN bridge (l2_vlans below): vswd without --flows (NORMAL),
three such guests on access ports (two on VLAN 10, one on VLAN 20) and a
net_pcap trunk; every guest's and the trunk's received frames compared,
byte for byte, with where an OVS bridge sends each frame and with which tag.

Needs hugepages (scripts/setup-hugepages) and dpdk-testpmd; skipped with a
clear message otherwise.
Usage: test_vhost.py [--build DIR] [--keep] [--only basic|l2] [--mutant flood|no-vlans]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))
sys.path.insert(0, HERE)

from pcapio import read_pcap, write_pcap  # noqa: E402
from test_switch import udp4  # noqa: E402


def udp_sport(frame):
    """The UDP source port of an IPv4 frame, tagged or not."""
    off = 18 if frame[12:14] == b"\x81\x00" else 14
    off += (frame[off] & 0xf) * 4
    return frame[off] << 8 | frame[off + 1]


def hugepages_free():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("HugePages_Free:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Guest:
    """dpdk-testpmd with a virtio-user port, driven over stdin."""

    def __init__(self, d, name, sock, server, inp, out, queues=1):
        """'inp'/'out': one pcap per queue (lists) or a single path."""
        if server and os.path.exists(sock):
            os.unlink(sock)   # Left by a guest that was killed: a new one could not bind.
        self.d = d
        self.name = name
        self.port_name = "vm" + name[1:]   # Its port on vswd: g1 -> vm1.
        self.log = open(os.path.join(d, name + ".log"), "w")
        inp = inp if isinstance(inp, list) else [inp]
        out = out if isinstance(out, list) else [out]
        pcap = ",".join(["rx_pcap=%s" % f for f in inp] + ["tx_pcap=%s" % f for f in out])
        cmd = ["stdbuf", "-oL", "-eL", "dpdk-testpmd", "--lcores", "0@0,1@0",
               "--file-prefix", "vswvh%s%d" % (name, os.getpid()), "--single-file-segments",
               "-m", "256", "--no-pci",
               "--vdev", "net_pcap_%s,%s" % (name, pcap),
               "--vdev", "net_virtio_user_%s,path=%s,queues=%d%s"
               % (name, sock, queues, ",server=1" if server else ""),
               "--", "-i", "--nb-cores=1", "--forward-mode=io", "--no-flush-rx",
               "--rxq=%d" % queues, "--txq=%d" % queues]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=self.log,
                                     stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)

    def ports_started(self):
        """testpmd has started its ports: the virtio-user driver has posted
        its rx buffers.  (Its rings are enabled, so vswd shows the guest
        ready, a little earlier: frames sent then are tx drops.)"""
        try:
            with open(os.path.join(self.d, self.name + ".log"), errors="replace") as f:
                return "Checking link statuses...\nDone" in f.read()
        except OSError:
            return False

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self, hard=False):
        if self.proc.poll() is None:
            if hard:
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                try:
                    self.send("stop")
                    self.send("quit")
                    self.proc.wait(timeout=15)
                except (BrokenPipeError, subprocess.TimeoutExpired):
                    os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


class Switch:
    def __init__(self, d, vswd, vswctl):
        self.d = d
        self.vswd = vswd
        self.vswctl = vswctl
        self.ctl = os.path.join(d, "vswd.ctl")
        self.proc = None

    def start(self, queues=1, pmds=1, ports=None, rules="in_port=1,actions=output:2\n"
              "in_port=2,actions=output:1\n"):
        """pmds=2: two PMD lcores sharing cpu1 (this machine has two CPUs).
        'ports': the --port arguments (default: vm1 and vm2 as above);
        'rules': the rule file's text, None for no --flows (the default
        NORMAL bridge)."""
        if ports is None:
            ports = ["vm1,vhost-user,path=%s,queues=%d,ofport=1"
                     % (os.path.join(self.d, "vm1.sock"), queues),
                     "vm2,vhost-user-client,path=%s,queues=%d,ofport=2"
                     % (os.path.join(self.d, "vm2.sock"), queues)]
        flows = []
        if rules is not None:
            flows = ["--flows", os.path.join(self.d, "rules")]
            with open(flows[1], "w") as f:
                f.write(rules)
        cores = ["-l", "0,1"] if pmds == 1 else ["--lcores", "0@0,1@1,2@1"]
        cmd = [self.vswd] + cores + ["--file-prefix", "vswvh%d" % os.getpid(), "--huge-unlink",
               "--no-pci", "-m", "512", "--", "--ctl", self.ctl, "--mbufs", "16384"]
        for p in ports:
            cmd += ["--port", p]
        cmd += flows
        self.log = open(os.path.join(self.d, "vswd.log"), "a")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + 20
        while not os.path.exists(self.ctl):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("vswd did not start")
            time.sleep(0.1)

    def cmd(self, *args):
        p = subprocess.run([self.vswctl, "--ctl", self.ctl] + list(args), capture_output=True,
                           text=True, timeout=20)
        return p.stdout + p.stderr

    def link_up(self, name):
        for line in self.cmd("show").splitlines():
            if "(%s)" % name in line:
                return "link up" in line
        return False

    def guest_ready(self, name):
        """Link up and at least one of the guest's rx rings enabled: before
        that, frames for the guest are tx drops (the guest's driver sets up
        its rings after the link comes up)."""
        lines = self.cmd("show").splitlines()
        for i, line in enumerate(lines):
            if "(%s)" % name in line:
                return ("link up" in line and i + 1 < len(lines)
                        and "guest rx queues enabled: 0" not in lines[i + 1])
        return False

    def counters(self, ofport):
        rx = tx = drop = 0
        for line in self.cmd("dump-ports", str(ofport)).splitlines():
            if "rx pkts=" in line:
                rx = int(line.split("rx pkts=")[1].split(",")[0])
            if "tx pkts=" in line:
                tx = int(line.split("tx pkts=")[1].split(",")[0])
                drop = int(line.split("drop=")[1].split(",")[0])
        return rx, tx, drop

    def stop(self, hard=False):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self.log.close()
        self.proc = None


def wait_for(cond, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return False


# The VLAN bridge: MACs of the three guests and of hosts behind the trunk.
MAC_A, MAC_B, MAC_C = "02:00:00:00:10:0a", "02:00:00:00:10:0b", "02:00:00:00:20:0c"
MAC_T10, MAC_T20, MAC_T30 = "02:00:00:00:10:01", "02:00:00:00:20:01", "02:00:00:00:30:01"
BCAST = "ff:ff:ff:ff:ff:ff"


def tagged(frame, vid):
    """'frame' with an 802.1Q tag (PCP 0) after its MACs, as NORMAL emits it
    on a trunk for a frame that came in untagged on an access port."""
    return frame[:12] + b"\x81\x00" + bytes([vid >> 8, vid & 0xff]) + frame[12:]


def l2_vlans(d, vswd, vswctl, check, mutant=None):
    """Three guests on access ports -- g1 (vm1) and g2 (vm2) on VLAN 10, g3
    (vm3) on VLAN 20 -- and a trunk (net_pcap, VLANs 10 and 20), behind
    which hosts T10, T20 and T30 sit on VLANs 10, 20 and 30.  vswd runs
    without --flows: the default NORMAL bridge.  Every guest is launched
    first (its driver's rings are up, so frames for it wait in its rx ring:
    testpmd runs with --no-flush-rx), then the senders go one at a time, in
    an order that makes learning matter:

      0. the trunk is added (add-port) and replays: broadcasts from T10
         (tagged 10), T20 (tagged 20) and T30 (tagged 30)
      1. g2 (MAC B): broadcast; unicast to T10 (learned in step 0)
      2. g1 (MAC A): unicast to B (learned); to T10; to T20 (known on
         VLAN 20 only: unknown on VLAN 10)
      3. g3 (MAC C): broadcast; unicast to T20; to A (known on VLAN 10 only)
      4. the trunk is replaced by one replaying: T10 -> A tagged 10, T20 -> C
         tagged 20, T10 -> C tagged 10 (unknown on VLAN 10), T30 -> A
         tagged 30 and T10 -> A untagged (VLANs the trunk does not carry)

    Each frame belongs to one of these flows (its UDP source port says
    which), and the checks compare what each guest and the trunk received,
    byte for byte, with what an OVS bridge sends where: untagged to access
    ports, tagged with the frame's VLAN on the trunk, learned unicast to its
    port only, broadcast and unknown unicast to the other ports of the
    frame's VLAN only.  A switch that floods everything or ignores VLANs
    fails (--mutant shows it)."""
    n, k = 16, 8
    flows = {}

    def flow(name, src, dst, count, vid=None):
        base = 10000 + 100 * len(flows)
        frames = [udp4(dl_src=src, dl_dst=dst, sport=base + i, src="10.%d.0.1" % len(flows),
                       dst="10.%d.0.2" % len(flows)) for i in range(count)]
        flows[name] = frames
        return [tagged(f, vid) for f in frames] if vid is not None else frames

    trunk_in1 = (flow("T10 bcast", MAC_T10, BCAST, k, 10) + flow("T20 bcast", MAC_T20, BCAST, k, 20)
                 + flow("T30 bcast", MAC_T30, BCAST, k, 30))
    g2_in = flow("B bcast", MAC_B, BCAST, n) + flow("B->T10", MAC_B, MAC_T10, n)
    g1_in = (flow("A->B", MAC_A, MAC_B, n) + flow("A->T10", MAC_A, MAC_T10, n)
             + flow("A->T20", MAC_A, MAC_T20, n))
    g3_in = (flow("C bcast", MAC_C, BCAST, n) + flow("C->T20", MAC_C, MAC_T20, n)
             + flow("C->A", MAC_C, MAC_A, n))
    trunk_in2 = (flow("T10->A", MAC_T10, MAC_A, n, 10) + flow("T20->C", MAC_T20, MAC_C, n, 20)
                 + flow("T10->C", MAC_T10, MAC_C, n, 10) + flow("T30->A", MAC_T30, MAC_A, n, 30)
                 + flow("T10->A untagged", MAC_T10, MAC_A, n))

    def path(name):
        return os.path.join(d, name)

    def untagged(*names):
        return [f for name in names for f in flows[name]]

    def on_trunk(vid, *names):
        return [tagged(f, vid) for f in untagged(*names)]

    # Where an OVS bridge sends each flow.
    expect = {
        "g1": untagged("T10 bcast", "B bcast", "T10->A", "T10->C"),
        "g2": untagged("T10 bcast", "A->B", "A->T20", "T10->C"),
        "g3": untagged("T20 bcast", "T20->C"),
        "trunk": (on_trunk(10, "B bcast", "B->T10", "A->T10", "A->T20")
                  + on_trunk(20, "C bcast", "C->T20", "C->A")),
        "trunk2": [],
    }
    sport_flow = {}
    for name, frames in flows.items():
        for f in frames:
            sport_flow[udp_sport(f)] = name

    def describe(frames):
        """Frames counted per flow (and tag), for failure messages."""
        count = {}
        for f in frames:
            vid = (f[14] << 8 | f[15]) & 0xfff if f[12:14] == b"\x81\x00" else None
            key = "%s%s" % (sport_flow.get(udp_sport(f), "?"),
                            "" if vid is None else " tagged %d" % vid)
            count[key] = count.get(key, 0) + 1
        return ", ".join("%s x%d" % kv for kv in sorted(count.items())) or "nothing"

    sw = Switch(d, vswd, vswctl)
    tags = {"vm1": ",tag=10", "vm2": ",tag=10", "vm3": ",tag=20"}
    if mutant == "no-vlans":
        tags = {"vm1": "", "vm2": "", "vm3": ""}
    ports = ["%s,vhost-user,path=%s,ofport=%d%s" % (vm, path(vm + ".sock"), i + 1, tags[vm])
             for i, vm in enumerate(("vm1", "vm2", "vm3"))]
    guests = {}
    got = {}
    try:
        sw.start(ports=ports, rules="priority=0,actions=FLOOD\n" if mutant == "flood" else None)
        if mutant is None:
            check("L2: no --flows: the bridge's one rule is NORMAL",
                  "priority=0 actions=NORMAL" in sw.cmd("dump-flows"), sw.cmd("dump-flows"))
        for name, frames in (("g1", g1_in), ("g2", g2_in), ("g3", g3_in)):
            write_pcap(path("l2-%sin.pcap" % name), frames)
            guests[name] = Guest(d, name, path("vm%s.sock" % name[1:]), False,
                                 path("l2-%sin.pcap" % name), path("l2-%s.pcap" % name))
        ready = wait_for(lambda: all(g.ports_started() and sw.guest_ready(g.port_name)
                                     for g in guests.values()), 30)
        check("L2: three guests up on access ports", ready, sw.cmd("show"))
        if not ready:
            return

        def sent(ofport, count, what):
            """Waits until vswd has received 'count' more frames on 'ofport',
            then for their learning to be applied."""
            ok = wait_for(lambda: sw.counters(ofport)[0] >= count, 30)
            if not ok:
                check("L2: %s: vswd receives them" % what, False,
                      "port %d rx %d of %d\n%s" % (ofport, sw.counters(ofport)[0], count,
                                                   sw.cmd("dump-ports")))
            time.sleep(0.5)
            return ok

        def add_trunk(dev, frames, out):
            write_pcap(path(out + "in.pcap"), frames)
            r = sw.cmd("add-port", "trunk", "%s,rx_pcap=%s,tx_pcap=%s,ofport=4,trunks=10,20"
                       % (dev, path(out + "in.pcap"), path(out + ".pcap")))
            check("L2: add-port trunk (%s)" % out, r.strip() == "", r)

        # 0..3: the trunk, then g2, g1, g3 send in turn.
        add_trunk("net_pcap_trunk1", trunk_in1, "trunk")
        ok = sent(4, len(trunk_in1), "the trunk's broadcasts")
        rx = {"g2": len(g2_in), "g1": len(g1_in), "g3": len(g3_in)}
        for name in ("g2", "g1", "g3"):
            guests[name].send("start")
            ok = sent(int(name[1]), rx[name], name + "'s frames") and ok
        # 4: a new trunk (the first one's tx pcap is complete once it is
        # gone); the MACs learned on the old one are forgotten.
        r = sw.cmd("del-port", "trunk")
        check("L2: del-port trunk", r.strip() == "", r)
        add_trunk("net_pcap_trunk2", trunk_in2, "trunk2")
        ok = sent(4, len(trunk_in2), "the second trunk's frames") and ok
        time.sleep(0.5)
        fdb = sw.cmd("fdb-show")
        ports_out = sw.cmd("dump-ports")
        for g in guests.values():
            g.stop()
        guests = {}
        r = sw.cmd("del-port", "trunk")   # Closes its tx pcap.
        check("L2: del-port the second trunk", r.strip() == "", r)
        for name in ("g1", "g2", "g3", "trunk", "trunk2"):
            got[name] = read_pcap(path("l2-%s.pcap" % name if name[0] == "g" else name + ".pcap"),
                                  missing_ok=True)

        def same(name):
            return sorted(got[name]) == sorted(expect[name])

        def detail(*names):
            return "\n  ".join("%s: expected %s;\n    received %s" % (
                name, describe(expect[name]), describe(got[name])) for name in names) + (
                "\n  " + ports_out)

        a_b = set(flows["A->B"])
        check("L2: VLAN 10 guests reach each other, untagged: g2's broadcast reaches g1, "
              "g1's unicast reaches g2",
              set(flows["B bcast"]) <= set(got["g1"]) and a_b <= set(got["g2"]),
              detail("g1", "g2"))
        leaks = [f for f in got["g3"] + got["trunk"] + got["g1"]
                 if f in a_b or f[:12] + f[16:] in a_b]
        check("L2: unicast to a learned MAC goes to its port only (A->B seen by no one else)",
              not leaks, detail("g1", "g3", "trunk"))
        vlan10 = {f for name in ("T10 bcast", "B bcast", "A->B", "A->T10", "A->T20",
                                 "T10->A", "T10->C") for f in flows[name]}
        check("L2: the VLAN 20 guest sees none of VLAN 10's frames (broadcast, unknown "
              "or learned unicast)",
              not [f for f in got["g3"] if f in vlan10], detail("g3"))
        check("L2: g1 received exactly its VLAN's frames, untagged, byte for byte", same("g1"),
              detail("g1"))
        check("L2: g2 received exactly its VLAN's frames, untagged, byte for byte", same("g2"),
              detail("g2"))
        check("L2: g3 received exactly its VLAN's frames, untagged, byte for byte", same("g3"),
              detail("g3"))
        check("L2: the trunk carries VLAN 10 tagged 10 and VLAN 20 tagged 20 (broadcast, "
              "unknown unicast, unicast to its learned hosts), byte for byte", same("trunk"),
              detail("trunk"))
        check("L2: tagged frames from the trunk reach the right guests untagged; VLANs the "
              "trunk does not carry go nowhere; nothing goes back out of the trunk",
              same("trunk2") and set(flows["T10->A"]) <= set(got["g1"])
              and set(flows["T20->C"]) <= set(got["g3"])
              and not [f for name in ("g1", "g2", "g3")
                       for f in got[name] if sport_flow.get(udp_sport(f)) in (
                           "T30 bcast", "T30->A", "T10->A untagged")],
              detail("g1", "g2", "g3", "trunk2"))
        want = [("1", 10, MAC_A), ("2", 10, MAC_B), ("3", 20, MAC_C), ("4", 10, MAC_T10),
                ("4", 20, MAC_T20)]
        rows = {tuple(line.split()[:3]) for line in fdb.splitlines()[1:] if line.strip()}
        check("L2: fdb-show: each MAC learned on its port and VLAN only, nothing on VLAN 30",
              rows == {(p, str(v), m) for p, v, m in want}, fdb)
        check("L2: every frame was received by vswd", ok, ports_out)
    except Exception as e:  # noqa: BLE001
        check("L2 VLAN bridge test ran", False, repr(e))
    finally:
        for g in guests.values():
            g.stop(hard=True)
        sw.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--only", choices=["basic", "l2"],
                    help="only the two-guest checks, or only the VLAN bridge")
    ap.add_argument("--mutant", choices=["flood", "no-vlans"],
                    help="self-test of the VLAN bridge checks: run them against a switch "
                    "that floods every frame (a FLOOD rule) or ignores VLANs (no tag=); "
                    "they must fail")
    args = ap.parse_args()
    vswd = os.path.abspath(os.path.join(args.build, "vswd"))
    vswctl = os.path.abspath(os.path.join(args.build, "vswctl"))
    # vswd 512 MB, three guests 256 MB each.
    if hugepages_free() < 660:
        print("SKIP vhost-user tests: need 660 free 2 MB hugepages (scripts/setup-hugepages), "
              "have %d" % hugepages_free())
        print("0 passed, 0 failed")
        return 0
    if not shutil.which("dpdk-testpmd"):
        print("SKIP vhost-user tests: dpdk-testpmd not installed")
        print("0 passed, 0 failed")
        return 0

    d = tempfile.mkdtemp(prefix="vsw-vhost-")
    results = []

    def check(name, ok, detail=""):
        results.append((name, ok, detail))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else "\n  " + detail))

    g1in = [udp4(sport=2000 + i, src="10.1.0.1", dst="10.2.0.1") for i in range(200)]
    g2in = [udp4(sport=3000 + i, src="10.2.0.1", dst="10.1.0.1") for i in range(150)]
    sw = Switch(d, vswd, vswctl)
    guests = []

    def path(name):
        return os.path.join(d, name)

    def pair(tag, g1_frames, g2_frames):
        """Starts both guests; guest N replays gN_frames and writes what it
        receives to gN-<tag>.pcap."""
        write_pcap(path("g1in-%s.pcap" % tag), g1_frames)
        write_pcap(path("g2in-%s.pcap" % tag), g2_frames)
        g2 = Guest(d, "g2", path("vm2.sock"), True, path("g2in-%s.pcap" % tag),
                   path("g2-%s.pcap" % tag))
        g1 = Guest(d, "g1", path("vm1.sock"), False, path("g1in-%s.pcap" % tag),
                   path("g1-%s.pcap" % tag))
        return g1, g2

    def transfer(receiver, sender, n, port_out):
        """The receiver forwards first (a guest whose driver has not started
        receiving gets nothing: vswd counts those as tx drops), then the
        sender replays its frames."""
        receiver.send("start")
        wait_for(lambda: sw.guest_ready(receiver.port_name), 15)
        time.sleep(1)
        before = sw.counters(port_out)[1]
        sender.send("start")
        return wait_for(lambda: sw.counters(port_out)[1] - before >= n, 30)

    def run_pair(g1, g2, n):
        """Guest1 sends its n frames through vswd to guest2, then both stop.
        Returns whether they all left port 2, and port 1's dump-queues
        taken before the guests went."""
        guests[:] = [g1, g2]
        up = wait_for(lambda: sw.link_up("vm1") and sw.link_up("vm2"), 30)
        ok = up and transfer(g2, g1, n, 2)
        time.sleep(0.5)
        queues_out = sw.cmd("dump-queues", "1")
        for g in guests:
            g.stop()
        guests[:] = []
        return ok, queues_out

    def rx_per_queue(queues_out):
        return [int(line.split("rx pkts=")[1]) for line in queues_out.splitlines()
                if "rxq " in line]

    def basic():
        """Two guests on vm1 and vm2, wired together by two rules."""
        nonlocal guests
        sw.start()
        check("links down before the guests come", not sw.link_up("vm1") and not sw.link_up("vm2"),
              sw.cmd("show"))

        # guest2 -> vswd -> guest1.
        g1, g2 = pair("a", [], g2in)
        guests = [g1, g2]
        up = wait_for(lambda: sw.link_up("vm1") and sw.link_up("vm2"), 30)
        check("links up when the guest drivers are ready", up, sw.cmd("show"))
        ok = up and transfer(g1, g2, len(g2in), 1)
        time.sleep(0.5)
        for g in guests:
            g.stop()
        guests = []
        got1 = read_pcap(path("g1-a.pcap"), missing_ok=True)
        check("guest2 -> vswd (vhost-user-client) -> guest1 (vhost-user), byte for byte",
              ok and sorted(got1) == sorted(g2in),
              "sent %d, guest1 received %d\n%s" % (len(g2in), len(got1), sw.cmd("dump-ports")))
        check("links down when the guests go",
              wait_for(lambda: not sw.link_up("vm1") and not sw.link_up("vm2"), 15),
              sw.cmd("show"))
        check("vswd survives guests leaving", sw.proc.poll() is None, "vswd exited")

        # New guests (vswd reconnects to guest2's new socket): guest1 -> guest2.
        g1, g2 = pair("b", g1in, [])
        guests = [g1, g2]
        up = wait_for(lambda: sw.link_up("vm1") and sw.link_up("vm2"), 30)
        check("vhost-user-client reconnects to a restarted guest", up, sw.cmd("show"))
        ok = up and transfer(g2, g1, len(g1in), 2)
        time.sleep(0.5)
        got2 = read_pcap(path("g2-b.pcap"), missing_ok=True)
        check("guest1 -> vswd -> guest2, byte for byte",
              ok and sorted(got2) == sorted(g1in),
              "sent %d, guest2 received %d\n%s" % (len(g1in), len(got2), sw.cmd("dump-ports")))

        # guest2 killed without a goodbye while guest1 keeps sending.
        g2.stop(hard=True)
        guests = [g1]
        g1.stop()
        guests = []
        g1, g2 = pair("c", g1in, [])
        guests = [g1, g2]
        wait_for(lambda: sw.link_up("vm1") and sw.link_up("vm2"), 30)
        g2.stop(hard=True)
        guests = [g1]
        drops_before = sw.counters(2)[2]
        g1.send("start")
        time.sleep(2)
        check("tx to a vanished guest counted as drops, vswd unharmed",
              sw.proc.poll() is None
              and (sw.counters(2)[2] > drops_before or not sw.link_up("vm2")),
              sw.cmd("dump-ports"))
        g1.stop()
        guests = []

        # vswd restarted: both sides come back and traffic flows.
        sw.stop()
        sw.start()
        ok, _ = run_pair(*pair("d", g1in, []), len(g1in))
        got2 = read_pcap(path("g2-d.pcap"), missing_ok=True)
        check("after a vswd restart, traffic flows again", ok and sorted(got2) == sorted(g1in),
              "guest2 received %d of %d" % (len(got2), len(g1in)))

        # Frames larger than a guest's rx buffer (2 KB mbufs): each one is
        # spread over several buffers with mergeable rx buffers, and vswd
        # receives it from the sending guest in several descriptors.  Both
        # ports get mtu_request=9000 at run time (vswctl set-port): vswd
        # then dequeues into jumbo mbufs.
        mtu = sw.cmd("set-port", "vm1", "mtu_request=9000") + sw.cmd(
            "set-port", "vm2", "mtu_request=9000")
        check("set-port mtu_request=9000 on vhost-user ports",
              mtu == "" and sw.cmd("show").count("mtu 9000") == 2, mtu + sw.cmd("show"))
        big = [udp4(sport=5000 + i, src="10.1.0.1", dst="10.2.0.1",
                    payload=bytes([i % 256]) * n)
               for i, n in enumerate([1472, 2000, 3000, 4000, 6000, 8972] * 5)]
        ok, _ = run_pair(*pair("j", big, []), len(big))
        got2 = read_pcap(path("g2-j.pcap"), missing_ok=True)
        check("jumbo frames up to 9014 bytes cross in mergeable rx buffers, byte for byte",
              ok and sorted(got2) == sorted(big),
              "guest2 received %d of %d (sizes %s)\n%s\n%s" % (
                  len(got2), len(big), sorted(len(x) for x in got2),
                  sw.cmd("dump-ports"), sw.cmd("pmd-stats")))

        # Two queue pairs per port: guest1 sends on both of its queues.
        sw.stop()
        sw.start(queues=2)
        half = len(g1in) // 2
        write_pcap(path("g1in-mq0.pcap"), g1in[:half])
        write_pcap(path("g1in-mq1.pcap"), g1in[half:])
        write_pcap(path("empty.pcap"), [])
        g2 = Guest(d, "g2", path("vm2.sock"), True, [path("empty.pcap")] * 2,
                   [path("g2-mq0.pcap"), path("g2-mq1.pcap")], queues=2)
        g1 = Guest(d, "g1", path("vm1.sock"), False,
                   [path("g1in-mq0.pcap"), path("g1in-mq1.pcap")],
                   [path("g1-mq0.pcap"), path("g1-mq1.pcap")], queues=2)
        ok, queues_out = run_pair(g1, g2, len(g1in))
        got2 = (read_pcap(path("g2-mq0.pcap"), missing_ok=True)
                + read_pcap(path("g2-mq1.pcap"), missing_ok=True))
        rx = rx_per_queue(queues_out)
        check("two queue pairs: traffic crosses, both rx queues used",
              ok and sorted(got2) == sorted(g1in) and len(rx) == 2 and min(rx) > 0,
              "guest2 received %d of %d; %s" % (len(got2), len(g1in), queues_out))

        # Guests with one queue pair on ports with two: the second pair is
        # never set up, and vswd leaves it alone (the vhost library logs an
        # error for each call on a queue it does not have).
        ok, _ = run_pair(*pair("q1", g1in, []), len(g1in))
        got2 = read_pcap(path("g2-q1.pcap"), missing_ok=True)
        with open(path("vswd.log"), errors="replace") as f:
            noise = sum(1 for line in f if "invalid virtqueue" in line)
        check("one-queue guests on two-queue ports: traffic flows, no error per poll",
              ok and sorted(got2) == sorted(g1in) and noise == 0,
              "guest2 received %d of %d, %d 'invalid virtqueue' lines in vswd.log"
              % (len(got2), len(g1in), noise))

        # Two PMDs, a two-queue guest sending to a one-queue guest: the PMD
        # that polls rx queue 1 must send to the receiver's only queue pair
        # (its own tx queue, pair 1, does not exist there).
        sw.stop()
        sw.start(queues=2, pmds=2)
        g2 = Guest(d, "g2", path("vm2.sock"), True, path("empty.pcap"), path("g2-2p.pcap"))
        g1 = Guest(d, "g1", path("vm1.sock"), False,
                   [path("g1in-mq0.pcap"), path("g1in-mq1.pcap")],
                   [path("g1-2p0.pcap"), path("g1-2p1.pcap")], queues=2)
        ok, queues_out = run_pair(g1, g2, len(g1in))
        got2 = read_pcap(path("g2-2p.pcap"), missing_ok=True)
        rx = rx_per_queue(queues_out)
        check("two PMDs into a one-queue guest: every packet arrives",
              ok and sorted(got2) == sorted(g1in) and len(rx) == 2 and min(rx) > 0,
              "guest2 received %d of %d; %s\n%s" % (len(got2), len(g1in), queues_out,
                                                  sw.cmd("dump-ports")))

    try:
        if args.only != "l2":
            try:
                basic()
            except Exception as e:  # noqa: BLE001
                check("vhost-user test ran", False, repr(e))
            finally:
                for g in guests:
                    g.stop(hard=True)
                sw.stop()
        if args.only != "basic":
            l2_vlans(d, vswd, vswctl, check, args.mutant)
    finally:
        # Guests cannot use --huge-unlink with --single-file-segments: remove
        # their hugepage files (only ours, by prefix).
        import glob
        for f in glob.glob("/dev/hugepages/vswvh*%d*" % os.getpid()):
            try:
                os.unlink(f)
            except OSError:
                pass
        if args.keep:
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
