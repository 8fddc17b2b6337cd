#!/usr/bin/python3
"""Differential test of the L2 switch (NORMAL, FLOOD, ALL, IN_PORT and the
port VLAN modes): vsw (build/vswd) against Open vSwitch, packet by packet.

Each round:
  1. gives ports 1..4 a random VLAN configuration (trunk with or without a
     trunks list, access, native-tagged, native-untagged), applied to OVS
     with ovs-vsctl and to vswd with --port keys;
  2. generates a rule set: mostly the OVS default "priority=0,actions=NORMAL",
     often with a few higher-priority rules mixing NORMAL/FLOOD/ALL/IN_PORT
     with matches (in_port, MACs, VLAN, ARP/IP/UDP) and rewrites (MACs, VLAN
     push/rewrite/strip, extra outputs); rules OVS rejects are dropped;
  3. generates a *sequence* of packets among a few hosts that live on
     ports and VLANs: unknown unicast, replies to learned hosts, broadcast
     (ARP, gratuitous ARP), multicast, reserved multicast (STP/LLDP),
     untagged, tagged, priority-tagged (VID 0) and 802.1ad frames, hosts that
     move to another port, a source MAC equal to the destination;
  4. sends the packets one at a time, in order, through a private OVS
     (dummy ports that write pcaps; other_config:flow-limit=0, so OVS keeps
     no datapath flow and every packet is translated -- and learned from --
     in arrival order, which makes OVS's result independent of timing)
     and then through vswd (net_tap ports: the script writes each frame on
     the kernel side of a port's tap and reads what vswd sends on all of
     them), waiting for each packet's outputs before sending the next;
  5. compares, packet by packet, which frames each port emitted.

A packet passes when both switches emitted the same frames on the same
ports.  The round also fails if the sequence did not exercise learning
(forwarding to a single learned port must happen), so an implementation
that floods everything, or emits nothing, cannot pass.

The last line is "N passed, M failed", counted in packets.  Exit status 0
only if M is 0; 1 on a mismatch or a vswd failure; 2 if the harness failed.
Needs root (OVS, taps), openvswitch-switch and a built vswd.

    tests/diff/ovs_diff_l2.py --build build            # CI: 5 rounds x 500 packets
    tests/diff/ovs_diff_l2.py --long                   # 12 rounds x 1500 packets
    tests/diff/ovs_diff_l2.py --seed 5 --rounds 1 --keep
"""

import argparse
import os
import random
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ovs import Ovs, OvsError, find_bad            # noqa: E402
from vsw import find_binary                        # noqa: E402

NPORTS = 4
VLANS = [10, 20, 30]
TAG_MAGIC = b"VSL2"


class HarnessError(Exception):
    pass


def log(*a):
    print(*a, flush=True)


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


# ------------------------------------------------------------ configuration

def random_port_config(rng):
    """(vsctl keys, vsw --port keys, description) for one port."""
    kind = rng.choice(["trunk", "trunk", "trunks", "access", "access",
                       "native-tagged", "native-untagged"])
    if kind == "trunk":
        return {}, "", "trunk"
    if kind == "trunks":
        tr = sorted(rng.sample([0] + VLANS, rng.randint(1, 3)))
        t = ",".join(map(str, tr))
        return {"trunks": t}, ",trunks=" + t, "trunks=" + t
    tag = rng.choice(VLANS)
    if kind == "access":
        if rng.random() < 0.5:
            return {"tag": str(tag)}, ",tag=%d" % tag, "tag=%d" % tag
        return ({"tag": str(tag), "vlan_mode": "access"},
                ",tag=%d,vlan_mode=access" % tag, "access tag=%d" % tag)
    keys = {"tag": str(tag), "vlan_mode": kind}
    spec = ",tag=%d,vlan_mode=%s" % (tag, kind)
    desc = "%s tag=%d" % (kind, tag)
    if rng.random() < 0.5:
        tr = sorted(rng.sample([0] + VLANS, rng.randint(1, 2)))
        t = ",".join(map(str, tr))
        keys["trunks"] = t
        spec += ",trunks=" + t
        desc += " trunks=" + t
    return keys, spec, desc


# ------------------------------------------------------------ rules

HOSTS = ["02:00:00:00:00:%02x" % i for i in range(1, 9)]


def random_rule(rng):
    match = []
    vlan_matched = False
    r = rng.random()
    if r < 0.3:
        match.append("in_port=%d" % rng.randint(1, NPORTS))
    if rng.random() < 0.25:
        match.append("dl_src=" + rng.choice(HOSTS))
    if rng.random() < 0.25:
        match.append("dl_dst=" + rng.choice(HOSTS + ["ff:ff:ff:ff:ff:ff"]))
    v = rng.random()
    if v < 0.2:
        match.append("dl_vlan=%d" % rng.choice(VLANS))
        vlan_matched = True
    elif v < 0.3:
        match.append("vlan_tci=0/0x1000")
    p = rng.random()
    if p < 0.2:
        match.append("arp")
    elif p < 0.35:
        match.append("udp,tp_dst=%d" % rng.choice([53, 67, 5000]))
    elif p < 0.45:
        match.append("ip")
    acts = rng.choice([
        "NORMAL", "FLOOD", "ALL", "IN_PORT", "drop",
        "output:%d" % rng.randint(1, NPORTS),
        "mod_dl_dst:%s,NORMAL" % rng.choice(HOSTS),
        "mod_dl_src:%s,NORMAL" % rng.choice(HOSTS),
        "push_vlan:0x8100,mod_vlan_vid:%d,FLOOD" % rng.choice(VLANS),
        "push_vlan:0x8100,set_field:%d->vlan_vid,NORMAL" % (0x1000 | rng.choice(VLANS)),
        "mod_vlan_vid:%d,NORMAL" % rng.choice(VLANS),
        "output:%d,NORMAL" % rng.randint(1, NPORTS),
        "NORMAL,output:%d" % rng.randint(1, NPORTS),
        "NORMAL,IN_PORT",
        "mod_vlan_pcp:5,NORMAL",
    ])
    if vlan_matched and rng.random() < 0.4:
        acts = rng.choice(["strip_vlan,NORMAL", "mod_vlan_vid:%d,NORMAL"
                           % rng.choice(VLANS), "strip_vlan,FLOOD"])
    prio = rng.randint(1, 200)
    return "priority=%d,%s%sactions=%s" % (prio, ",".join(match),
                                           "," if match else "", acts)


def random_rules(rng, check):
    rules = ["priority=0,actions=NORMAL"]
    if rng.random() < 0.15:
        rules = ["priority=0,actions=%s" % rng.choice(["FLOOD", "ALL"])]
    if rng.random() < 0.5:
        cands = [random_rule(rng) for _ in range(rng.randint(1, 5))]
        bad = find_bad(cands, check)
        rules += [c for i, c in enumerate(cands) if i not in bad]
    return rules


# ------------------------------------------------------------ packets

class Host:
    def __init__(self, mac_s, port, vlan_kind):
        self.mac = mac(mac_s)
        self.port = port
        self.vlan_kind = vlan_kind   # None, or (tpid, vid)


def vlan_hdr(tpid, vid, pcp):
    return struct.pack("!HH", tpid, (pcp << 13) | vid)


def build_frame(rng, dst, src, tag, idx, kind):
    """An Ethernet frame ending in the 8-byte tag of packet 'idx'."""
    ptag = TAG_MAGIC + struct.pack("!I", idx)
    vl = b""
    if tag is not None:
        vl = vlan_hdr(*tag)
    if kind == "arp" or kind == "garp":
        op = 1 if kind == "garp" or rng.random() < 0.7 else 2
        spa = bytes([10, 0, 0, rng.randint(1, 9)])
        tpa = spa if kind == "garp" else bytes([10, 0, 0, rng.randint(1, 9)])
        body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + src + spa + b"\0" * 6 + tpa
        et = 0x0806
    elif kind == "udp":
        payload = b"\0" * 10 + ptag
        udp = struct.pack("!HHHH", 1234, rng.choice([53, 67, 5000]), 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), idx & 0xffff, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        body = ip + udp
        et = 0x0800
    else:
        body = b"\x11" * 30
        et = 0x88b5
    if not body.endswith(ptag):
        body += b"\0" * max(0, 38 - len(body)) + ptag
    return dst + src + vl + struct.pack("!H", et) + body


def random_sequence(rng, n):
    """[(in_port, frame, description)]: hosts that talk, reply, move."""
    hosts = []
    for m in HOSTS:
        r = rng.random()
        if r < 0.45:
            vk = None
        elif r < 0.85:
            vk = (0x8100, rng.choice(VLANS))
        elif r < 0.93:
            vk = (0x8100, 0)
        else:
            vk = (0x88a8, rng.choice(VLANS))
        hosts.append(Host(m, rng.randint(1, NPORTS), vk))
    seq = []
    last_src = None
    for i in range(n):
        if rng.random() < 0.03:
            h = rng.choice(hosts)
            h.port = rng.choice([p for p in range(1, NPORTS + 1) if p != h.port])
        if last_src is not None and rng.random() < 0.35:
            src, dst_h = rng.choice(hosts), last_src       # a reply
        else:
            src, dst_h = rng.choice(hosts), rng.choice(hosts)
        d = rng.random()
        kind = rng.choice(["arp", "udp", "udp", "other"])
        if d < 0.55:
            dst = dst_h.mac
        elif d < 0.70:
            dst = b"\xff" * 6
            if kind == "arp" and rng.random() < 0.3:
                kind = "garp"
        elif d < 0.77:
            dst = rng.choice([mac("01:00:5e:00:00:fb"), mac("33:33:00:00:00:01")])
        elif d < 0.81:
            dst = rng.choice([mac("01:80:c2:00:00:00"), mac("01:80:c2:00:00:0e"),
                              mac("01:80:c2:00:00:10")])
        elif d < 0.83:
            dst = src.mac
        else:
            dst = bytes([0x02, 0xee, 0, 0, 0, rng.randint(1, 20)])   # never a source
        port = src.port if rng.random() < 0.9 else rng.randint(1, NPORTS)
        if rng.random() < 0.85:
            vk = src.vlan_kind
        else:
            vk = rng.choice([None, (0x8100, rng.choice(VLANS)), (0x8100, 0)])
        tag = None if vk is None else (vk[0], vk[1], rng.choice([0, 0, 3, 7]))
        frame = build_frame(rng, dst, src.mac, tag, i, kind)
        seq.append((port, frame, "%s -> %s %s%s" % (
            mac_str(src.mac), mac_str(dst), kind,
            "" if tag is None else " tag(0x%04x,vid=%d,pcp=%d)" % tag)))
        last_src = src
    return seq


def frame_index(frame):
    k = frame.rfind(TAG_MAGIC)
    if k < 0 or k + 8 > len(frame):
        return None
    return struct.unpack("!I", frame[k + 4:k + 8])[0]


# ------------------------------------------------------------ OVS side

def run_ovs(workdir, port_cfgs, rules, seq):
    ovs = Ovs(workdir, nports=NPORTS, log=log)
    try:
        ovs.start()
        ovs.vsctl("set", "Open_vSwitch", ".", "other_config:flow-limit=0")
        for i, (keys, _, _) in enumerate(port_cfgs, 1):
            if keys:
                ovs.vsctl("set", "port", "p%d" % i,
                          *["%s=%s" % (k, v) for k, v in keys.items()])
        path = os.path.join(workdir, "rules.flows")
        with open(path, "w") as f:
            f.write("\n".join(rules) + "\n")
        ovs.add_flows(path)
        for k, (port, frame, _) in enumerate(seq):
            before = ovs.dp_rx_counts().get(port, 0)
            ovs.ctl.call("netdev-dummy/receive", ["p%d" % port, frame.hex()])
            deadline = time.time() + 10
            while ovs.dp_rx_counts().get(port, 0) <= before:
                if time.time() > deadline:
                    raise OvsError("OVS did not receive packet %d" % k)
                time.sleep(0.0005)
        ovs.wait_idle({p: sum(1 for s in seq if s[0] == p)
                       for p in range(1, NPORTS + 1)})
        outs = ovs.outputs()
        traces = {}
        return outs, ovs, traces
    except Exception:
        ovs.stop()
        raise


# ------------------------------------------------------------ vsw side

class Ctl:
    """vswd's control socket (src/ctl/proto.h), without a process per call."""

    def __init__(self, path):
        self.path = path

    def call(self, *args):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(self.path)
        req = b"".join(a.encode() + b"\0" for a in args)
        s.sendall(struct.pack("<I", len(req)) + req)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        status, length = struct.unpack("<II", data[:8])
        return status, data[8:8 + length].decode(errors="replace")


SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40
PACKET_OUTGOING = 4


class TapVsw:
    def __init__(self, workdir, vswd, port_specs, rules_path):
        self.dir = workdir
        tag = "%d" % (os.getpid() % 100000)
        self.ifaces = ["vl2%sp%d" % (tag, i) for i in range(1, NPORTS + 1)]
        self.ctlpath = os.path.join(workdir, "vswd.ctl")
        # Packets go in one at a time: the taps' rx rings (1 024 buffers
        # each) and a little more are plenty, and filling the default pool
        # (32 768 buffers) took half of vswd's start-up.
        cmd = [vswd, "-l", "0,1", "--file-prefix=l2d%s" % tag, "--no-huge", "-m", "512",
               "--no-pci", "--", "--ctl", self.ctlpath, "--mbufs", str(1024 * (NPORTS + 2)),
               "--flows", rules_path]
        for i in range(1, NPORTS + 1):
            cmd += ["--port", "p%d,net_tap%d,iface=%s,ofport=%d%s"
                    % (i, i, self.ifaces[i - 1], i, port_specs[i - 1])]
        with open(os.path.join(workdir, "vswd.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.logf = open(os.path.join(workdir, "vswd.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=self.logf, start_new_session=True)
        self.ctl = Ctl(self.ctlpath)
        self.socks = []
        deadline = time.time() + 30
        while not os.path.exists(self.ctlpath):
            if self.proc.poll() is not None:
                raise HarnessError("vswd exited (%s): see %s/vswd.log"
                                   % (self.proc.returncode, workdir))
            if time.time() > deadline:
                raise HarnessError("vswd did not start")
            time.sleep(0.05)
        for ifc in self.ifaces:
            try:
                with open("/proc/sys/net/ipv6/conf/%s/disable_ipv6" % ifc, "w") as f:
                    f.write("1")
            except OSError:
                pass
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
            s.bind((ifc, 0))
            s.setblocking(False)
            self.socks.append(s)
        time.sleep(0.2)
        self.drain()

    def _recv(self, s):
        data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(32))
        if addr[2] == PACKET_OUTGOING:
            return None
        for level, typ, cdata in anc:
            if level == SOL_PACKET and typ == PACKET_AUXDATA and len(cdata) >= 20:
                status, _, _, _, _, tci, tpid = struct.unpack("=IIIHHHH", cdata[:20])
                if status & TP_STATUS_VLAN_VALID:
                    if not status & TP_STATUS_VLAN_TPID_VALID:
                        tpid = 0x8100
                    data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
        return data

    def drain(self, timeout=0.0):
        """{port: [frames]} received until nothing arrives for 'timeout'."""
        got = {p: [] for p in range(1, NPORTS + 1)}
        while True:
            r, _, _ = select.select(self.socks, [], [], timeout)
            if not r:
                return got
            for s in r:
                p = self.socks.index(s) + 1
                try:
                    while True:
                        f = self._recv(s)
                        if f is not None:
                            got[p].append(f)
                except BlockingIOError:
                    pass

    def wait_revalidated(self, timeout=5.0):
        deadline = time.time() + timeout
        while True:
            _, text = self.ctl.call("fdb-stats")
            m = re.search(r"changes logged: (\d+), revalidated: (\d+)", text)
            if not m:
                raise HarnessError("fdb-stats: unexpected output: %s" % text)
            if m.group(1) == m.group(2):
                return
            if time.time() > deadline:
                raise HarnessError("vswd did not revalidate MAC changes: %s" % text)
            time.sleep(0.0005)

    def send(self, port, frame):
        self.socks[port - 1].send(frame)

    def pmd_progress(self):
        """(packets received, upcalls, upcalls answered) over all PMDs."""
        _, text = self.ctl.call("pmd-stats")
        return tuple(sum(int(x) for x in re.findall(r"^\s*%s: (\d+)" % k, text, re.M))
                     for k in ("packets received", "upcalls", "upcalls answered"))

    def settled(self, rx, last):
        """One poll: has vswd received 'rx' packets in all, with no upcall
        left at the handler, as in the previous poll 'last' too?  Returns
        (yes, this poll).  For a packet that should come out nowhere: once
        it is in and its translation (and what that taught the MAC table)
        is done, the next packet may go.  Two equal polls, because the
        counters of one burst are not all updated at once."""
        now = self.pmd_progress()
        return now[0] >= rx and now[1] == now[2] and now == last, now

    def stop(self):
        for s in self.socks:
            s.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


def run_vsw(workdir, vswd, port_cfgs, rules, seq, expected, wait_reval=False):
    rules_path = os.path.join(workdir, "rules.flows")
    sw = TapVsw(workdir, vswd, [c[1] for c in port_cfgs], rules_path)
    got = {}
    try:
        rx = sw.pmd_progress()[0]
        for k, (port, frame, _) in enumerate(seq):
            sw.send(port, frame)
            rx += 1
            want = expected.get(k, 0)
            have = 0
            last = None
            deadline = time.time() + 0.5
            while True:
                for p, frames in sw.drain(0.002).items():
                    for f in frames:
                        i = frame_index(f)
                        if i is not None:
                            got.setdefault(i, []).append((p, f))
                            have += i == k
                if (want and have >= want) or time.time() > deadline:
                    break
                if not want:
                    done, last = sw.settled(rx, last)
                    if done:
                        break
            # The next packet must meet the megaflows as the MAC table is
            # now.  A MAC the handler learned or moved reaches every PMD's
            # megaflows before the packet that taught it is answered, so
            # by default nothing is waited for: that is tested.  With
            # --wait-revalidation, wait for the control thread's
            # revalidation too (to tell the two paths apart on a failure).
            if wait_reval:
                sw.wait_revalidated()
        for p, frames in sw.drain(0.05).items():
            for f in frames:
                i = frame_index(f)
                if i is not None:
                    got.setdefault(i, []).append((p, f))
        _, fdb = sw.ctl.call("fdb-show")
        _, stats = sw.ctl.call("fdb-stats")
        with open(os.path.join(workdir, "vsw-fdb.txt"), "w") as f:
            f.write(fdb + "\n" + stats)
        for line in stats.splitlines():
            if "change to revalidated" in line or "rounds:" in line:
                log("  vswd: " + line.strip())
        if sw.proc.poll() is not None:
            raise HarnessError("vswd died: see %s/vswd.log" % workdir)
    finally:
        sw.stop()
    return got


# ------------------------------------------------------------ round

def run_round(args, r, seed, vswd):
    rng = random.Random(seed)
    workdir = tempfile.mkdtemp(prefix="vswl2-%d-" % r, dir=args.tmpdir)
    port_cfgs = [random_port_config(rng) for _ in range(NPORTS)]
    seq = random_sequence(rng, args.packets)
    with open(os.path.join(workdir, "sequence.txt"), "w") as f:
        for k, (port, frame, desc) in enumerate(seq):
            f.write("%d in_port=%d %s %s\n" % (k, port, desc, frame.hex()))

    # Rules: validated by a scratch OVS first (its rejections are dropped).
    ovs = Ovs(os.path.join(workdir, "check"), nports=NPORTS, log=log)
    os.makedirs(ovs.dir)
    try:
        ovs.start()
        rules = random_rules(rng, ovs.check_flows)
    finally:
        ovs.stop()

    log("round %d (seed %d): %s; %d rule(s)" % (
        r, seed, ", ".join("p%d %s" % (i + 1, c[2]) for i, c in enumerate(port_cfgs)),
        len(rules)))
    for t in rules[1:] if len(rules) > 1 else []:
        log("    " + t)

    odir = os.path.join(workdir, "ovs")
    os.makedirs(odir)
    outs, ovs, _ = run_ovs(odir, port_cfgs, rules, seq)
    try:
        ovs_by = {}
        for p, frames in outs.items():
            for f in frames:
                i = frame_index(f)
                if i is not None:
                    ovs_by.setdefault(i, []).append((p, f))
        expected = {i: len(v) for i, v in ovs_by.items()}
        with open(os.path.join(workdir, "rules.flows"), "w") as f:
            f.write("\n".join(rules) + "\n")
        vsw_by = run_vsw(workdir, vswd, port_cfgs, rules, seq, expected,
                         wait_reval=args.wait_revalidation)

        passed = failed = single = 0
        reported = 0
        for k, (port, frame, desc) in enumerate(seq):
            a = sorted(ovs_by.get(k, []))
            b = sorted(vsw_by.get(k, []))
            if len({p for p, _ in a}) == 1 and frame[0] & 1 == 0:
                single += 1
            if a == b:
                passed += 1
                continue
            failed += 1
            if reported < args.max_report:
                reported += 1
                log("  MISMATCH packet %d in_port %d: %s" % (k, port, desc))
                log("    in:  %s" % frame.hex())
                for name, lst in (("ovs", a), ("vsw", b)):
                    if not lst:
                        log("    %s: (nothing)" % name)
                    for p, f in lst:
                        log("    %s: port %d %s" % (name, p, f.hex()))
                log("    ovs trace: " + " | ".join(
                    l.strip() for l in ovs.trace(port, frame).splitlines()
                    if l.strip())[:1200])
        log("  round %d: %d passed, %d failed (%d forwarded to one learned port)"
            % (r, passed, failed, single))
    finally:
        ovs.stop()
    if failed or args.keep:
        log("  kept %s (reproduce: %s --seed %d --rounds 1 --packets %d --keep)"
            % (workdir, sys.argv[0], seed, args.packets))
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return passed, failed, single


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--packets", type=int, default=None)
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--wait-revalidation", action="store_true",
                    help="after each packet, wait until vswd's control thread has "
                         "revalidated every MAC change (default: do not wait)")
    ap.add_argument("--build", default="build")
    ap.add_argument("--vswd")
    ap.add_argument("--max-report", type=int, default=8)
    ap.add_argument("--tmpdir", default="/tmp")
    args = ap.parse_args()
    args.rounds = args.rounds or (12 if args.long else 5)
    args.packets = args.packets or (1500 if args.long else 500)

    if os.geteuid() != 0:
        log("SKIP: needs root (OVS, tap devices)")
        return 0
    if not shutil.which("ovs-vswitchd"):
        log("SKIP: ovs-vswitchd not installed")
        return 0
    vswd = find_binary(args.build, "vswd", args.vswd)
    if not vswd:
        log("error: vswd not found in %s" % args.build)
        return 2
    vswd = os.path.abspath(vswd)

    def on_term(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_term)

    t0 = time.time()
    passed = failed = singles = 0
    try:
        for r in range(args.rounds):
            seed = args.seed if r == 0 else random.Random("%s/%d" % (args.seed, r)).getrandbits(31)
            p, f, s = run_round(args, r, seed, vswd)
            passed += p
            failed += f
            singles += s
    except (HarnessError, OvsError) as e:
        log("harness error: %s" % e)
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 2
    log("elapsed %.1fs" % (time.time() - t0))
    if singles < max(3, args.rounds * args.packets // 50):
        # A switch that floods everything, or never emits, must not pass.
        log("FAIL: only %d unicast packets were forwarded to one learned port: the "
            "sequences did not exercise learning" % singles)
        failed += 1
    log("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
