"""scripts/bench: constants, the scenario table (Row, ROWS, RULESETS, ...),
process bookkeeping (LOG/log, PROCS, PREFIXES, cleanup, the signal handler),
sh/timed/hugepage/wait_for helpers, NetNS, CpuProbe, best_window, and the
version strings of the report (VSW_VERSION, versions()).

Imported by scripts/bench and by every other bench_*.py module; imports
only gen.py of this directory.  The mutable globals here (PROCS, PREFIXES,
VSW_VERSION, ROWS, LOG) are the one copy of the run's state: the other
modules import these objects and only mutate them (append, [0] = ...),
never rebind them.
"""

import glob
import math
import os
import shutil
import signal
import subprocess
import sys
import time

import gen

# scripts/ (what scripts/bench calls HERE): this file is scripts/bench.d/bench_common.py.
HERE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

PY = "/usr/bin/python3"
OVS_VSWITCHD = "/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk"
OVS_SCHEMA = "/usr/share/openvswitch/vswitch.ovsschema"
TESTPMD = "dpdk-testpmd"
OVS_PCAP_MAX = 240000          # OVS 3.1 shared mempool cap (262144 mbufs) minus headroom
MBUF_BYTES = 2560              # 2176 B data room + headers, rounded up, for hugepage estimates
HUGEPAGE = 2 << 20
OVS_HUGEPAGES = 450            # 262144 x 2176 B pool + the rest, within dpdk-socket-limit=1024
STORM_IF_SW = "vswbs1"         # veth end read by the switch (net_af_packet)
STORM_IF_GEN = "vswbs0"        # veth end written by bench.d/storm.py

# ---- Scenarios ----------------------------------------------------------------------

RULESETS = {
    "inport": gen.rules_inport,
    "inport_udp": gen.rules_inport_udp,
    "dst1000": gen.rules_dst1000,
    "acl": gen.rules_acl,
    "storm": gen.rules_storm,
    "pvp": lambda: ["in_port=1,actions=output:2", "in_port=2,actions=output:1"],
    # Scenarios l2, l2-pvp: not loaded (vswd without --flows, an OVS bridge in
    # fail-mode standalone without a controller have exactly this rule); the
    # file is only what both are checked against.
    "normal": lambda: ["priority=0,actions=NORMAL"],
    "pipeline": gen.rules_pipeline,
    "allow": gen.rules_allow,
}
L2_MACS = 1000                 # scenario l2: hosts (MACs) behind each of the two ports
# Scenario l2-pvp: the "VM"'s two virtio-user ports get fixed MACs, and each
# port's frames are addressed to the other port's MAC (testpmd --eth-peer), so
# the bridge learns VM port 0's MAC on switch port 1 and port 1's on switch
# port 2 and unicasts both directions.
PVP_L2_MACS = ("02:00:00:00:0a:01", "02:00:00:00:0a:02")


class Row:
    def __init__(self, rid, scen, title, flows, rules, systems, storm=False, pvp=False,
                 churn=False, normal=False, bidir=False, traffic="flows", tse=False):
        self.id = rid              # row name in the tables
        self.scen = scen           # scenario letter (--scenarios)
        self.title = title
        self.flows = flows         # packets (= flows) in the pcap
        self.rules = rules         # RULESETS key
        self.systems = systems     # subset of vsw, ovs, ovs-smc, testpmd
        self.storm = storm
        self.pvp = pvp             # vhost-user loop through a testpmd "VM" (no pcap)
        self.churn = churn         # one rule change a second during the window
        self.normal = normal       # the default NORMAL bridge, not a rule file
        self.bidir = bidir         # pcap on both ports, traffic both ways (`flows` per side)
        self.traffic = traffic     # pcap: "flows" (gen.flows_pcap) or "allow" (gen.allow_pcap)
        self.tse = tse             # port 1 = the pcap bonded with a mask-attack source


ROWS = [
    Row("a", "a", "1 flow, `in_port=1,udp,actions=output:2` (headline)", 1, "inport_udp",
        ["vsw", "ovs", "testpmd"]),
    Row("a-inport", "a", "1 flow, `in_port=1,actions=output:2` (OVS simple match)", 1,
        "inport", ["vsw", "ovs", "testpmd"]),
    Row("b", "b", "100k flows, `in_port=1,udp,actions=output:2`", 100000, "inport_udp",
        ["vsw", "ovs", "testpmd"]),
    Row("c", "c", "100k flows, 1 000 `nw_dst` rules + default drop", 100000, "dst1000",
        ["vsw", "ovs", "testpmd"]),
    Row("d", "d", "100k flows, 114-rule ACL, 20 mask shapes", 100000, "acl",
        ["vsw", "ovs", "ovs-smc", "testpmd"]),
    Row("e", "e", "1k cached flows + storm of new flows on port 3", 1000, "storm",
        ["vsw", "ovs"], storm=True),
    Row("pvp", "pvp", "PVP: testpmd \"VM\" (2 virtio-user, io fwd, cpu0) <-> 2 vhost-user "
        "ports, `in_port=1->2`, `in_port=2->1`", 0, "pvp", ["vsw", "ovs"], pvp=True),
]
ROWS.append(Row("l2", "l2", "NORMAL bridge (default rule set), 1 000 MACs per port, pcap "
                "traffic both ways: host pairs A_i (port 1) <-> B_i (port 2)", L2_MACS,
                "normal", ["vsw", "ovs", "testpmd"], normal=True, bidir=True))
ROWS.append(Row("l2-pvp", "l2-pvp", "PVP through the NORMAL bridge: testpmd \"VM\" (2 virtio-user "
                "with fixed MACs, io fwd, cpu0), frames of each VM port addressed to the other "
                "port's MAC", 0, "normal", ["vsw", "ovs"], pvp=True, normal=True))
ROWS.append(Row("churn", "churn", "100k flows, 1 000 `nw_dst` rules; once a second a rule "
                "no flow uses is added or deleted", 100000, "dst1000", ["vsw"], churn=True))
ROWS.append(Row("pipeline", "pipeline", "100k flows through a 4-table pipeline: in_port -> "
                "metadata, an ACL on it, /24 routes (dec_ttl, next-hop MAC, reg0), output by reg0",
                100000, "pipeline", ["vsw", "ovs", "testpmd"]))
ROWS.append(Row("f", "f", "1 000 UDP flows, a 7-rule allow-list in 5 mask shapes (service "
                "ports, a host, src /20, dst /28 and /24) + default drop", 1000, "allow",
                ["vsw", "ovs", "testpmd"], traffic="allow"))
ROWS.append(Row("tse", "tse", "f's 1 000 flows and allow-list, plus a Tuple Space Explosion "
                "attack on the same in_port", 1000, "allow", ["vsw", "ovs", "ovs-smc"],
                traffic="allow", tse=True))
SCENARIOS = ("a", "b", "c", "d", "e", "f", "pvp", "churn", "l2", "l2-pvp", "pipeline", "tse")
# Scenario tse: port 1 is a bond of the pcap and of a net_af_packet port on
# the storm veth, which bench.d/tse.py feeds.  Bonding mode 6 (adaptive load
# balancing) because it receives from every member and needs to set only its
# primary's MAC address (net_pcap cannot set one, which the round-robin
# modes require of every member).
TSE_RATES = (1000, 10000, 30000)   # attack packets per second
TSE_WARMUP = 3.0                   # attack running before its window, s


def tse_vdevs(pcap):
    return ["--vdev", "net_pcap_tse0,rx_pcap=%s,infinite_rx=1" % pcap,
            "--vdev", "net_af_packet_tse0,iface=%s,framecnt=4096" % STORM_IF_SW,
            "--vdev", "net_bonding0,mode=6,slave=net_pcap_tse0,slave=net_af_packet_tse0,"
            "primary=net_af_packet_tse0"]
CHURN_PERIOD = 1.0             # seconds between rule changes in scenario churn
SYSTEM_NAMES = {"vsw": "vsw", "ovs": "OVS", "ovs-smc": "OVS+SMC", "testpmd": "testpmd"}

# ---- Process bookkeeping ---------------------------------------------------------------

LOG = sys.stderr


def log(msg):
    print(msg, file=LOG, flush=True)


class Procs:
    """Every process this script starts, each in its own session, so that a
    signal to its process group reaches only it.  (None of them forks a child
    that outlives it: unshare, nsenter and stdbuf exec their command.)"""

    def __init__(self):
        self.procs = []

    def start(self, cmd, logfile=None, stdin=None, stdout=None, env=None):
        out = open(logfile, "ab") if logfile else subprocess.DEVNULL
        p = subprocess.Popen(cmd, stdin=stdin, stdout=stdout if stdout else out,
                             stderr=out, env=env, start_new_session=True)
        if logfile:
            out.close()
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=15.0):
        if p is None:
            return None
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        if p in self.procs:
            self.procs.remove(p)
        return p.returncode

    def stop_all(self):
        for p in reversed(list(self.procs)):
            self.stop(p, timeout=5.0)


PROCS = Procs()
PREFIXES = []          # DPDK --file-prefix values of this run (only these are cleaned)


def cleanup_prefix(prefix):
    for f in glob.glob("/dev/hugepages/%smap_*" % prefix):
        try:
            os.unlink(f)
        except OSError:
            pass
    shutil.rmtree("/var/run/dpdk/%s" % prefix, ignore_errors=True)


def cleanup_all():
    PROCS.stop_all()
    for pfx in PREFIXES:
        cleanup_prefix(pfx)


def on_signal(signum, frame):
    log("bench: signal %d, cleaning up" % signum)
    cleanup_all()
    sys.exit(128 + signum)


def sh(cmd, timeout=60, env=None, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=timeout, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                (r.stderr or r.stdout).strip()[-500:]))
    return r


def timed(fn):
    """Runs fn(); returns (midpoint of the call on the monotonic clock, result)."""
    t0 = time.monotonic()
    v = fn()
    return (t0 + time.monotonic()) / 2, v


def hugepages_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return 0


def need_hugepages(pages, what, wait=30):
    deadline = time.monotonic() + wait
    while True:
        free = hugepages_free()
        if free >= pages:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("%s needs %d free 2 MiB hugepages, %d free (other DPDK "
                               "processes running? scripts/setup-hugepages N)" %
                               (what, pages, free))
        time.sleep(1)


def pages_for_mbufs(n):
    return int(math.ceil(n * MBUF_BYTES / HUGEPAGE)) + 64


def wait_for(pred, timeout, what, proc=None, logfile=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s: process exited (%s)%s" % (
                what, proc.returncode, log_tail(logfile)))
        try:
            if pred():
                return
        except (RuntimeError, subprocess.TimeoutExpired, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError("%s: timed out after %ds%s" % (what, timeout, log_tail(logfile)))


def log_tail(path, n=8):
    if not path or not os.path.exists(path):
        return ""
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()[-n:]
    return "\n    " + "\n    ".join(lines)


class TestpmdConsole:
    """A dpdk-testpmd driven through its interactive prompt: stdin in self.p,
    output in the log file self.logf (the limit row and the pvp "VM")."""

    def read(self):
        with open(self.logf, errors="replace") as f:
            return f.read()

    def cmd(self, c):
        self.p.stdin.write((c + "\n").encode())
        self.p.stdin.flush()


class NetNS:
    """A private network namespace held by a `sleep` process (killed at the end),
    so the veth of the storm port and OVS's br0 tap never touch the host's."""

    def __init__(self):
        self.holder = PROCS.start(["unshare", "--net", "--", "sleep", "infinity"])
        path = "/proc/%d/ns/net" % self.holder.pid
        wait_for(lambda: os.readlink(path) != os.readlink("/proc/self/ns/net"), 10,
                 "netns")
        self.prefix = ["nsenter", "--net=" + path, "--"]

    def run(self, cmd, **kw):
        return sh(self.prefix + cmd, **kw)

    def add_veth(self):
        for k in ("all", "default"):
            self.run(["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % k], check=False)
        self.run(["ip", "link", "add", STORM_IF_GEN, "type", "veth", "peer", "name",
                  STORM_IF_SW])
        for i in (STORM_IF_GEN, STORM_IF_SW):
            self.run(["ip", "link", "set", i, "up"])

    def close(self):
        PROCS.stop(self.holder, timeout=5)


class CpuProbe:
    """How much of the window the forwarding thread really had core 1:
    its run time and its runqueue wait (time runnable while something else
    ran on the core) from /proc/PID/task/TID/schedstat, and the hypervisor's
    steal time of cpu1 from /proc/stat.  The noise indicator for a window."""

    def __init__(self, pid, cpu=1):
        self.cpu = cpu
        self.path = None
        best = -1
        for t in glob.glob("/proc/%d/task/*" % pid):
            try:
                aff = os.sched_getaffinity(int(os.path.basename(t)))
                with open(t + "/schedstat") as f:
                    run = int(f.read().split()[0])
            except (OSError, ValueError):
                continue
            if aff == {cpu} and run > best:
                best, self.path = run, t + "/schedstat"

    def read(self):
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("cpu%d " % self.cpu):
                    v = [int(x) for x in line.split()[1:]]
        with open(self.path) as f:
            run, wait = [int(x) for x in f.read().split()[:2]]
        return time.monotonic(), run, wait, v

    def start(self):
        try:
            self.s0 = self.read() if self.path else None
        except OSError:
            self.s0 = None

    def stop(self):
        if not getattr(self, "s0", None):
            return {}
        try:
            t1, r1, w1, v1 = self.read()
        except OSError:
            return {}
        t0, r0, w0, v0 = self.s0
        dt = (t1 - t0) * 1e9
        tot = sum(v1) - sum(v0)
        steal = (v1[7] - v0[7]) / tot if tot > 0 and len(v1) > 7 else 0.0
        return {"fwd_thread_oncpu": (r1 - r0) / dt, "fwd_thread_waiting": (w1 - w0) / dt,
                "cpu1_steal": steal}


def best_window(a, window):
    """Measures a window; if the forwarding thread had core 1 for less than
    --min-oncpu of it (another process ran there), measures up to --retries
    more in the same instance and keeps the one where it had the core most."""
    tries = []
    for i in range(1 + a.retries):
        w = window()
        tries.append(w)
        oc = w.get("fwd_thread_oncpu")
        if oc is None or oc >= a.min_oncpu:
            break
        if i < a.retries:
            log("  window %d: forwarding thread had cpu1 only %.1f%% of it; measuring "
                "again" % (i + 1, 100 * oc))
    best = max(tries, key=lambda w: w.get("fwd_thread_oncpu", 1.0))
    best["windows_tried"] = len(tries)
    best["oncpu_tried"] = [w.get("fwd_thread_oncpu") for w in tries]
    return best


# ---- Versions -------------------------------------------------------------------------

# VSW_VERSION[0] is set by prepare_vsw() in scripts/bench; versions() is read by
# make_report() (bench_report.py) and by main() for --raw.
VSW_VERSION = ["?"]      # git describe when the binaries were copied


def versions():
    v = {"vsw": VSW_VERSION[0]}
    for name, cmd in (("ovs", [OVS_VSWITCHD, "--version"]),):
        try:
            v[name] = " ".join(sh(cmd, check=False).stdout.split("\n")[:2]).strip()
        except Exception:
            v[name] = "?"
    try:
        v["dpdk"] = sh(["dpkg-query", "-W", "-f", "${Version}", "dpdk"], check=False).stdout
    except Exception:
        v["dpdk"] = "?"
    v["kernel"] = os.uname().release
    return v
