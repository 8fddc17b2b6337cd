"""scripts/bench: the traffic sources besides the pcaps -- the PVP "VM" (PvpVm,
a dpdk-testpmd with two virtio-user ports; pvp_window, both_ways) and the
runners of the miss-storm and TSE sources (run_storm, run_tse: bench.d/storm.py
and bench.d/tse.py as separate processes in the bench's network namespace).

Used by bench_systems.py (Vsw.run, Ovs.run; both_ways also by their windows).
Imports bench_common.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import time

from bench_common import (HERE, PREFIXES, PROCS, PVP_L2_MACS, PY, STORM_IF_GEN, TESTPMD,
                          TSE_RATES, TSE_WARMUP, CpuProbe, TestpmdConsole, log_tail,
                          need_hugepages, wait_for)


# ---- PVP "VM" -------------------------------------------------------------------------

PVP_VM_MB = 1024               # testpmd -m: its (shared, file-backed) guest memory


class PvpVm(TestpmdConsole):
    """Scenario pvp's "VM": one dpdk-testpmd on cpu0 (both lcores pinned there)
    with two virtio-user ports in server mode (DIR/vm1.sock, DIR/vm2.sock), io
    forwarding between them.  The switch connects as vhost-user client and
    forwards 1->2 and 2->1; `start tx_first` puts one burst per port into the
    loop, which then circulates.  --single-file-segments (the vhost backend maps
    the guest memory by fd) excludes --huge-unlink, so its hugepage files are
    deleted here after it exits.

    The frames of `tx_first` are testpmd's txonly ones: source MAC = the
    sending port's, destination = its --eth-peer (default 02:00:00:00:00:0N,
    never a source), and io forwarding leaves them as they are, so each burst
    keeps its MACs for ever.  With l2=True (scenario l2-pvp, a learning
    bridge) the ports get fixed MACs (PVP_L2_MACS) and each port's peer is the
    other port: the burst sent on VM port 0 (switch port 1) carries port 0's
    MAC -> port 1's and always enters the switch on port 1, the other burst
    port 1's -> port 0's on switch port 2.  Without it a NORMAL bridge would
    flood both bursts for ever (their destinations are never learned)."""

    def __init__(self, d, l2=False):
        self.d = d
        self.l2 = l2
        self.prefix = "vswpvpvm%d" % os.getpid()
        if self.prefix not in PREFIXES:     # hugepage files go on a signal too
            PREFIXES.append(self.prefix)
        self.logf = os.path.join(d, "testpmd-vm.log")
        self.socks = [os.path.join(d, "vm%d.sock" % i) for i in (1, 2)]
        self.p = None

    def start(self):
        need_hugepages(PVP_VM_MB // 2, "testpmd (pvp VM)")
        cmd = ["stdbuf", "-oL", TESTPMD, "--lcores", "0@0,1@0", "--file-prefix", self.prefix,
               "--single-file-segments", "-m", str(PVP_VM_MB), "--no-pci"]
        for i, sock in enumerate(self.socks):
            cmd += ["--vdev", "net_virtio_user%d,path=%s,server=1,queues=1%s" % (
                i, sock, (",mac=" + PVP_L2_MACS[i]) if self.l2 else "")]
        cmd += ["--", "-i", "--nb-cores=1", "--forward-mode=io", "--txd=1024", "--rxd=1024"]
        if self.l2:
            cmd += ["--eth-peer=0,%s" % PVP_L2_MACS[1], "--eth-peer=1,%s" % PVP_L2_MACS[0]]
        with open(os.path.join(self.d, "cmd-vm"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        self.p = PROCS.start(cmd, logfile=self.logf, stdin=subprocess.PIPE)
        # Its EAL init waits for a client on each socket in turn: start the switch next.
        wait_for(lambda: os.path.exists(self.socks[0]), 60, "testpmd (pvp VM) socket",
                 self.p, self.logf)

    def wait_ready(self):
        """After the switch has started (connected to both sockets)."""
        wait_for(lambda: "testpmd> " in self.read(), 60, "testpmd (pvp VM) start "
                 "(switch connected to its sockets?)", self.p, self.logf)

    def tx_first(self, bursts=1):
        self.cmd("start tx_first" + (" %d" % bursts if bursts > 1 else ""))
        wait_for(lambda: "io packet forwarding" in self.read(), 20,
                 "testpmd (pvp VM) start tx_first", self.p, self.logf)

    def check(self):
        if self.p is not None and self.p.poll() is not None:
            raise RuntimeError("testpmd (pvp VM) exited (%s)%s" % (
                self.p.returncode, log_tail(self.logf)))

    def stop(self):
        """After the switch has stopped (it maps this process's memory)."""
        if self.p is None:
            return
        try:
            if self.p.poll() is None:
                self.cmd("stop")
                self.cmd("quit")
                self.p.wait(15)
        except (OSError, subprocess.TimeoutExpired):
            pass
        PROCS.stop(self.p, timeout=10)
        self.p = None
        for f in glob.glob("/dev/hugepages/%s*" % self.prefix):
            try:
                os.unlink(f)
            except OSError:
                pass
        shutil.rmtree("/var/run/dpdk/%s" % self.prefix, ignore_errors=True)


def pvp_window(vm, window):
    """A switch window of scenario pvp: Mpps = tx of ports 1 and 2 together (the
    loop runs both ways), plus how much of the window the VM's forwarding
    thread had cpu0 (it shares the core with the switch's control threads and
    this script)."""
    vm.check()
    probe = CpuProbe(vm.p.pid, cpu=0)
    probe.start()
    w = window()
    vm_cpu = probe.stop()
    vm.check()
    w["pvp"] = True
    both_ways(w)
    if "fwd_thread_oncpu" in vm_cpu:
        w["vm_thread_oncpu"] = vm_cpu["fwd_thread_oncpu"]
    if w["mpps"] == 0:
        raise RuntimeError("pvp: no packets sent on ports 1 and 2 in the window (the "
                           "tx_first burst was lost, or the switch counters were not read)")
    return w


def both_ways(w):
    """Scenarios pvp, l2, l2-pvp: traffic runs 1->2 and 2->1, so Mpps = tx of
    ports 1 and 2 together (rx likewise)."""
    ports = w["ports"]
    w["both_ways"] = True
    w["mpps"] = sum(ports.get(k, {}).get("tx", 0) for k in ("1", "2")) / w["seconds"] / 1e6
    w["rx_mpps"] = sum(ports.get(k, {}).get("rx", 0) for k in ("1", "2")) / w["seconds"] / 1e6
    return w


# ---- Miss storm -------------------------------------------------------------------------

STORM_COUNTER = [0]


def with_source(ns, script, args, warmup, window, what):
    """Runs bench.d/SCRIPT ARGS in ns (a traffic source), waits 'warmup' s,
    measures window(), stops the source; returns the window and the JSON
    report the source printed last."""
    gen_cmd = ns.prefix + [PY, os.path.join(HERE, "bench.d", script)] + [str(x) for x in args]
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "bench.d"))
    g = subprocess.Popen(gen_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, start_new_session=True)
    PROCS.procs.append(g)
    try:
        time.sleep(warmup)
        if g.poll() is not None:
            raise RuntimeError("%s died: %s" % (what, g.stderr.read().strip()[-400:]))
        w = window()
    finally:
        if g.poll() is None:
            os.killpg(g.pid, signal.SIGTERM)
        try:
            out, err = g.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(g.pid, signal.SIGKILL)
            out, err = g.communicate()
        if g in PROCS.procs:
            PROCS.procs.remove(g)
    try:
        report = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError("%s: no report: %s" % (what, err.strip()[-400:]))
    return w, report


def run_storm(ns, a, window):
    """Starts the storm source in ns, lets the switch settle, measures a window."""
    w, st = with_source(ns, "storm.py", [STORM_IF_GEN, a.storm_rate, STORM_COUNTER[0]],
                        a.storm_warmup, window, "storm source")
    STORM_COUNTER[0] = st["next"]
    w["storm_source"] = st
    p3 = w["ports"].get("3", {})
    w["storm_offered_pps"] = st["rate"]
    w["storm_accepted_pps"] = p3.get("rx", 0) / w["seconds"]
    w["storm_dropped_pps"] = p3.get("rx_drop", 0) / w["seconds"]
    w["storm_forwarded_pps"] = w["ports"].get("4", {}).get("tx", 0) / w["seconds"]
    return w


def run_tse(ns, a, window):
    """Scenario tse: a window under each attack rate of TSE_RATES (bench.d/tse.py
    into the bonded port's veth), each with its own attack source."""
    out = {}
    for rate in TSE_RATES:
        w, out_report = with_source(ns, "tse.py", [STORM_IF_GEN, rate, rate], TSE_WARMUP,
                                    window, "TSE source")
        w["attack_source"] = out_report
        out[rate] = w
    return out
