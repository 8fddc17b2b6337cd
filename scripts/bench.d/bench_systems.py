"""scripts/bench: the systems measured -- Vsw (vswd + vswctl), Ovs (ovsdb-server
+ ovs-vswitchd with DPDK, with or without SMC) and Testpmd (the io-forwarding
limit) -- each with run(row, pcap, rules, tag) for one fresh instance and the
measurement of its windows; Refused, raised when a system cannot run an input.

Used by scripts/bench (main).  Imports bench_common, bench_parse and
bench_sources.
"""

import os
import re
import signal
import subprocess
import time

from bench_common import (CHURN_PERIOD, OVS_HUGEPAGES, OVS_PCAP_MAX, OVS_SCHEMA,
                          OVS_VSWITCHD, PREFIXES, PROCS, STORM_IF_SW, TESTPMD, CpuProbe,
                          NetNS, TestpmdConsole, best_window, cleanup_prefix, log, log_tail,
                          need_hugepages, pages_for_mbufs, sh, timed, tse_vdevs, wait_for)
from bench_parse import (check_normal_rules, delta, fdb_window, mask_signature,
                         parse_fdb_show, parse_fdb_stats, parse_ovs_pmd_stats, parse_ports,
                         parse_vsw_pmd_stats)
from bench_sources import PvpVm, both_ways, pvp_window, run_storm, run_tse


# ---- vsw ------------------------------------------------------------------------------

class Vsw:
    name = "vsw"

    def __init__(self, args, work, bindir):
        self.args, self.work = args, work
        self.vswd = os.path.join(bindir, "vswd")
        self.vswctl = os.path.join(bindir, "vswctl")

    def ctl(self, *cmd, check=True, timeout=30):
        return sh([self.vswctl, "--ctl", self.ctlpath] + list(cmd), timeout=timeout,
                  check=check)

    def run(self, row, pcap, rules, tag):
        a = self.args
        prefix = "vswbench%d" % os.getpid()
        PREFIXES.append(prefix) if prefix not in PREFIXES else None
        d = os.path.join(self.work, tag)
        os.makedirs(d, exist_ok=True)
        self.ctlpath = os.path.join(d, "vswd.ctl")
        self.row = row
        logf = os.path.join(d, "vswd.log")
        mbufs = max(32768, row.flows * (2 if row.bidir else 1) + 16384)
        need_hugepages(pages_for_mbufs(mbufs), "vswd")
        cmd = [self.vswd, "-l", "0,1", "--file-prefix", prefix, "--huge-unlink", "--no-pci"]
        if row.tse:
            cmd += tse_vdevs(pcap)
        cmd += ["--", "--ctl", self.ctlpath, "--mbufs", str(mbufs)] + a.vsw_args.split()
        vm = None
        if row.pvp:
            vm = PvpVm(d, l2=row.normal)
            cmd += ["--port", "vm1,vhost-user-client,path=%s,ofport=1" % vm.socks[0],
                    "--port", "vm2,vhost-user-client,path=%s,ofport=2" % vm.socks[1]]
        elif row.bidir:
            cmd += ["--port", "p1,net_pcap0,rx_pcap=%s,infinite_rx=1,ofport=1" % pcap[0],
                    "--port", "p2,net_pcap1,rx_pcap=%s,infinite_rx=1,ofport=2" % pcap[1]]
        elif row.tse:
            cmd += ["--port", "p1,net_bonding0,ofport=1", "--port", "p2,net_null0,no-rx=1,ofport=2"]
        else:
            cmd += ["--port", "p1,net_pcap0,rx_pcap=%s,infinite_rx=1,ofport=1" % pcap,
                    "--port", "p2,net_null0,no-rx=1,ofport=2"]
        ns = None
        if row.storm or row.tse:
            ns = NetNS()
            ns.add_veth()
            if row.storm:
                cmd += ["--port", "p3,net_af_packet0,iface=%s,framecnt=4096,ofport=3"
                        % STORM_IF_SW, "--port", "p4,net_null1,no-rx=1,ofport=4"]
            cmd = ns.prefix + cmd
        if not row.normal:          # else the default bridge: priority=0,actions=NORMAL
            cmd += ["--flows", rules]
        with open(os.path.join(d, "cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        p = None
        try:
            if vm:
                vm.start()          # the vhost-user server side, before its client
            p = PROCS.start(cmd, logfile=logf)
            wait_for(lambda: self.ctl("show", timeout=5).returncode == 0, 60,
                     "vswd start", p, logf)
            if row.normal:
                check_normal_rules(self.ctl("dump-flows").stdout, "vswd without --flows")
            if vm:
                vm.wait_ready()
                wait_for(lambda: len(re.findall(r"^\s*[12]\(vm[12]\):.*link up",
                                                self.ctl("show", timeout=5).stdout,
                                                re.M)) == 2,
                         60, "vswd vhost-user links up", p, logf)
                vm.tx_first(a.pvp_bursts)
            time.sleep(a.warmup)
            res = {}
            if vm:
                w = best_window(a, lambda: pvp_window(vm, lambda: self.window(p, logf)))
            else:
                w = best_window(a, lambda: self.window(p, logf))
            if row.normal:
                w["openflow_rules"] = 1
            if row.storm:
                res["nostorm"] = w
                res["storm"] = run_storm(
                    ns, a, lambda: best_window(a, lambda: self.window(p, logf)))
                res["mpps"] = res["storm"]["mpps"]
            elif row.tse:
                res["noattack"] = w
                res["attack"] = run_tse(
                    ns, a, lambda: best_window(a, lambda: self.window(p, logf)))
                res["mpps"] = w["mpps"]
            elif row.churn:
                res["nochurn"] = w
                res["churn"] = self.run_churn(lambda: best_window(a, lambda: self.window(p, logf)))
                res["mpps"] = res["churn"]["mpps"]
            else:
                res.update(w)
            return res
        finally:
            rc = PROCS.stop(p, timeout=20)
            if vm:
                vm.stop()
            if ns:
                ns.close()
            cleanup_prefix(prefix)
            if rc not in (0, None, -signal.SIGTERM):
                log("  vswd exited with status %s%s" % (rc, log_tail(logf, 4)))

    def sample(self):
        t, ports = timed(lambda: parse_ports(self.ctl("dump-ports").stdout))
        pmd = parse_vsw_pmd_stats(self.ctl("pmd-stats").stdout)
        return t, ports, pmd

    def run_churn(self, window):
        """Scenario churn: a thread adds and deletes, in turn, once every
        CHURN_PERIOD s, a rule that no flow of the input uses, while
        'window' measures.  Returns the window, with the changes made in it."""
        import threading
        stop = threading.Event()
        done = [0]

        def churn():
            k = 0
            while not stop.is_set():
                rule = "priority=50,udp,nw_dst=192.168.77.%d" % (k // 2 % 250 + 1)
                if k % 2 == 0:
                    self.ctl("add-flow", rule + ",actions=output:2")
                else:
                    self.ctl("del-flows", "--strict", rule)
                done[0] += 1
                k += 1
                stop.wait(CHURN_PERIOD)

        t = threading.Thread(target=churn, daemon=True)
        t.start()
        try:
            time.sleep(CHURN_PERIOD * 1.5)      # at least one change before the window
            n0 = done[0]
            w = window()
            w["churn_changes"] = done[0] - n0
        finally:
            stop.set()
            t.join(timeout=30)
        return w

    def window(self, p, logf):
        # pmd-stats-clear (if this vswd has it) makes "avg cycles per packet" cover
        # exactly the window; otherwise the window's busy cycles are the difference
        # of avg x packets between the two samples (the average is cumulative).
        normal = self.row.normal
        try:
            f0 = parse_fdb_stats(self.ctl("fdb-stats").stdout) if normal else None
            cleared = self.ctl("pmd-stats-clear", check=False).returncode == 0
            cpu = CpuProbe(p.pid)
            t0, p0, s0 = self.sample()
            cpu.start()
            time.sleep(self.args.window)
            cpu_use = cpu.stop()
            t1, p1, s1 = self.sample()
            if normal:
                f1 = parse_fdb_stats(self.ctl("fdb-stats").stdout)
                table = parse_fdb_show(self.ctl("fdb-show").stdout)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            time.sleep(1)
            if p.poll() is None and "stopping" not in open(logf, errors="replace").read():
                raise
            raise RuntimeError("vswd stopped during the measurement (status %s)%s%s" % (
                p.poll(), "; it logged 'stopping': a SIGTERM/SIGINT from outside the "
                "bench" if "stopping" in open(logf, errors="replace").read() else "",
                log_tail(logf, 3))) from e
        if p.poll() is not None:
            raise RuntimeError("vswd died during the window%s" % log_tail(logf))
        dt = t1 - t0
        out = {"seconds": dt, "ports": {k: delta(p0.get(k, {}), p1[k], p1[k].keys())
                                        for k in p1},
               "pmd_start": s0, "pmd_end": s1}
        tx = out["ports"].get("2", {}).get("tx", 0)
        out["mpps"] = tx / dt / 1e6
        out["rx_mpps"] = out["ports"].get("1", {}).get("rx", 0) / dt / 1e6
        if self.row.bidir:
            both_ways(out)
        if normal:
            fdb_window(out, self.row, f0, f1, table)
        out.update(cpu_use)
        key_n, key_c = "packets received", "avg cycles per packet"
        if key_c in s1 and key_n in s1:
            n0, c0 = (0.0, 0.0) if cleared else (s0.get(key_n, 0), s0.get(key_c, 0))
            n1, c1 = s1[key_n], s1[key_c]
            dn = n1 - n0
            if dn > 0:
                cyc = (c1 * n1 - c0 * n0) / dn
                err = 0.05 * (n0 + n1) / dn       # the average is printed to 0.1
                if cleared:
                    out["cycles"], out["cycles_method"] = c1, "pmd-stats-clear"
                elif err <= 1.0:
                    out["cycles"], out["cycles_method"] = cyc, "pmd-stats delta"
                out["pmd_packets"] = dn
        # The window's counters ("avg ..." lines stay as printed at the end).
        out["pmd"] = {k: (v if (cleared or k.startswith("avg")) else v - s0.get(k, 0))
                      for k, v in s1.items()}
        if "upcalls" in out["pmd"]:
            out["upcalls"] = out["pmd"]["upcalls"]
        bi, it = "busy iterations", "busy iterations (total)"
        if bi in s1 and it in s1:
            dit = s1[it] - (0 if cleared else s0.get(it, 0))
            if dit > 0:
                out["busy_frac"] = (s1[bi] - (0 if cleared else s0.get(bi, 0))) / dit
        return out


# ---- Open vSwitch -----------------------------------------------------------------------

class Refused(Exception):
    """This system cannot run this input (reported as such, not as a failure)."""


class Ovs:
    def __init__(self, args, work, smc=False):
        self.args, self.work, self.smc = args, work, smc
        self.name = "ovs-smc" if smc else "ovs"
        self.count_masks = True

    def vsctl(self, *cmd, timeout=120):
        return sh(["ovs-vsctl", "--db=unix:" + self.db, "--timeout=%d" % timeout] +
                  list(cmd), timeout=timeout + 10, env=self.env)

    def appctl(self, *cmd, check=True):
        return sh(["ovs-appctl", "-t", self.unixctl] + list(cmd), env=self.env, check=check)

    def ofctl(self, *cmd):
        return sh(["ovs-ofctl", "-O", "OpenFlow13"] + list(cmd), env=self.env)

    def add_port(self, name, devargs, ofport):
        self.vsctl("add-port", "br0", name, "--", "set", "Interface", name, "type=dpdk",
                   'options:dpdk-devargs="%s"' % devargs, "ofport_request=%d" % ofport)
        got = self.vsctl("get", "Interface", name, "ofport").stdout.strip()
        err = self.vsctl("get", "Interface", name, "error").stdout.strip()
        if got != str(ofport):
            raise RuntimeError("OVS port %s: ofport %s (wanted %d), error %s" %
                               (name, got, ofport, err))

    def run(self, row, pcap, rules, tag):
        a = self.args
        self.row = row
        if not row.pvp and row.flows * (2 if row.bidir else 1) > OVS_PCAP_MAX:
            raise Refused("pcap of %d packets > %d: does not fit OVS 3.1's mempool "
                          "(262144 mbufs) with infinite_rx" % (row.flows, OVS_PCAP_MAX))
        d = os.path.join(self.work, tag)
        os.makedirs(d, exist_ok=True)
        prefix = "ovsbench%d" % os.getpid()
        PREFIXES.append(prefix) if prefix not in PREFIXES else None
        self.db = os.path.join(d, "db.sock")
        self.unixctl = os.path.join(d, "ovs-vswitchd.ctl")
        self.env = dict(os.environ, OVS_RUNDIR=d, OVS_DBDIR=d, OVS_LOGDIR=d,
                        OVS_SYSCONFDIR=d, OVS_PKGDATADIR="/usr/share/openvswitch")
        need_hugepages(OVS_HUGEPAGES, "ovs-vswitchd")
        sh(["ovsdb-tool", "create", os.path.join(d, "conf.db"), OVS_SCHEMA], env=self.env)
        dbp = PROCS.start(["ovsdb-server", os.path.join(d, "conf.db"),
                           "--remote=punix:" + self.db,
                           "--unixctl=" + os.path.join(d, "ovsdb-server.ctl"),
                           "--pidfile=" + os.path.join(d, "ovsdb-server.pid"),
                           "--log-file=" + os.path.join(d, "ovsdb-server.log"),
                           "--no-chdir", "-vconsole:off"], env=self.env)
        ns = sw = vm = None
        logf = os.path.join(d, "ovs-vswitchd.log")
        try:
            if row.pvp:
                vm = PvpVm(d, l2=row.normal)
                vm.start()          # the vhost-user server side, before its client
            wait_for(lambda: os.path.exists(self.db), 20, "ovsdb-server", dbp)
            self.vsctl("--no-wait", "init")
            extra = "--file-prefix=%s --no-pci --huge-unlink" % prefix
            if row.tse:
                extra += " " + " ".join(tse_vdevs(pcap))
            oc = ["dpdk-init=true", "dpdk-socket-mem=512", "dpdk-socket-limit=1024",
                  "dpdk-lcore-mask=0x1", "pmd-cpu-mask=0x2", 'dpdk-extra="%s"' % extra]
            if self.smc:
                oc.append("smc-enable=true")
            self.vsctl("--no-wait", "set", "Open_vSwitch", ".",
                       *["other_config:" + x for x in oc])
            ns = NetNS()            # br0's tap (and the storm veth) live in here
            if row.tse:
                ns.add_veth()       # before DPDK starts: its EAL probes the af_packet member
            sw = PROCS.start(ns.prefix + [
                OVS_VSWITCHD, "unix:" + self.db, "--unixctl=" + self.unixctl,
                "--pidfile=" + os.path.join(d, "ovs-vswitchd.pid"), "--log-file=" + logf,
                "--no-chdir", "-vconsole:off"], env=self.env)
            wait_for(lambda: self.appctl("version").returncode == 0, 60,
                     "ovs-vswitchd start", sw, logf)
            if row.normal:
                # A new bridge in its default mode: no controller, fail-mode
                # standalone, so OVS itself installs priority=0,actions=NORMAL.
                self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                           "datapath_type=netdev", "fail_mode=standalone")
            else:
                self.vsctl("add-br", "br0", "--", "set", "bridge", "br0",
                           "datapath_type=netdev", "fail_mode=secure")
                self.ofctl("del-flows", "br0")
                self.ofctl("add-flows", "br0", rules)
            if vm:
                for i, sock in enumerate(vm.socks):
                    name = "vm%d" % (i + 1)
                    self.vsctl("add-port", "br0", name, "--", "set", "Interface", name,
                               "type=dpdkvhostuserclient",
                               "options:vhost-server-path=%s" % sock,
                               "ofport_request=%d" % (i + 1))
                for i in (1, 2):
                    got = self.vsctl("get", "Interface", "vm%d" % i, "ofport").stdout.strip()
                    if got != str(i):
                        raise RuntimeError("OVS port vm%d: ofport %s (wanted %d), error %s" % (
                            i, got, i, self.vsctl("get", "Interface", "vm%d" % i,
                                                  "error").stdout.strip()))
                vm.wait_ready()
                wait_for(lambda: all(self.vsctl("get", "Interface", "vm%d" % i, "link_state",
                                                timeout=5).stdout.strip() == "up"
                                     for i in (1, 2)),
                         60, "OVS vhost-user links up", sw, logf)
                vm.tx_first(a.pvp_bursts)
            elif row.tse:
                self.add_port("in0", "net_bonding0", 1)
                self.add_port("out0", "net_null0,no-rx=1", 2)
            elif row.bidir:
                self.add_port("in0", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap[0], 1)
                self.add_port("in1", "net_pcap1,rx_pcap=%s,infinite_rx=1" % pcap[1], 2)
            else:
                self.add_port("in0", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap, 1)
                self.add_port("out0", "net_null0,no-rx=1", 2)
            if row.storm:
                ns.add_veth()
                self.add_port("st0", "net_af_packet0,iface=%s,framecnt=4096" % STORM_IF_SW, 3)
                self.add_port("sink0", "net_null1,no-rx=1", 4)
            flows = self.ofctl("dump-flows", "br0").stdout
            n_rules = len([x for x in flows.splitlines() if "actions=" in x])
            if row.normal:
                check_normal_rules(flows, "OVS bridge in fail-mode standalone")
            time.sleep(a.warmup)
            if vm:
                w = best_window(a, lambda: pvp_window(vm, lambda: self.window(sw, logf)))
            else:
                w = best_window(a, lambda: self.window(sw, logf))
            w["openflow_rules"] = n_rules
            if row.tse:
                return {"noattack": w, "mpps": w["mpps"], "attack": run_tse(
                    ns, a, lambda: best_window(a, lambda: self.window(sw, logf)))}
            if row.storm:
                res = {"nostorm": w}
                res["storm"] = run_storm(
                    ns, a, lambda: best_window(a, lambda: self.window(sw, logf)))
                res["mpps"] = res["storm"]["mpps"]
                return res
            return w
        finally:
            if sw is not None:
                PROCS.stop(sw, timeout=20)
            if vm is not None:
                vm.stop()
            if ns is not None:
                ns.close()
            PROCS.stop(dbp, timeout=10)
            cleanup_prefix(prefix)

    def sample(self):
        return timed(lambda: parse_ports(self.ofctl("--no-names", "dump-ports", "br0").stdout))

    def window(self, sw, logf):
        normal = self.row.normal
        if normal:
            f0 = parse_fdb_stats(self.appctl("fdb/stats-show", "br0").stdout)
        self.appctl("dpif-netdev/pmd-stats-clear")
        cpu = CpuProbe(sw.pid)
        t0, p0 = self.sample()
        cpu.start()
        time.sleep(self.args.window)
        cpu_use = cpu.stop()
        t1, p1 = self.sample()
        st = parse_ovs_pmd_stats(self.appctl("dpif-netdev/pmd-stats-show").stdout)
        if normal:
            f1 = parse_fdb_stats(self.appctl("fdb/stats-show", "br0").stdout)
            table = parse_fdb_show(self.appctl("fdb/show", "br0").stdout)
        if sw.poll() is not None:
            raise RuntimeError("ovs-vswitchd died during the window%s" % log_tail(logf))
        dt = t1 - t0
        out = {"seconds": dt, "ports": {k: delta(p0.get(k, {}), p1[k], p1[k].keys())
                                        for k in p1}, "pmd": st}
        out["mpps"] = out["ports"].get("2", {}).get("tx", 0) / dt / 1e6
        out["rx_mpps"] = out["ports"].get("1", {}).get("rx", 0) / dt / 1e6
        if self.row.bidir:
            both_ways(out)
        if normal:
            fdb_window(out, self.row, f0, f1, table)
            # OVS floods to br0's LOCAL port too (a tap, down, in the private
            # netns): frames sent there in the window were flooded.
            loc = out["ports"].get("LOCAL", {})
            out["flooded_local"] = loc.get("tx", 0) + loc.get("tx_drop", 0)
        out.update(cpu_use)
        if "avg processing cycles per packet" in st:
            out["cycles"] = st["avg processing cycles per packet"]
            out["cycles_method"] = "pmd-stats-show"
        cyc = st.get("idle cycles", 0) + st.get("processing cycles", 0)
        if cyc and dt > 0:
            out["tsc_hz_est"] = cyc / dt    # the clear happened just before t0
        m = re.search(r"flows:\s*(\d+)", self.appctl("dpctl/show", check=False).stdout)
        if m:
            out["dp_flows"] = int(m.group(1))
        up = st.get("miss with success upcall", 0) + st.get("miss with failed upcall", 0)
        out["upcalls"] = up
        if self.count_masks:       # after the window: dumping flows costs core-0 time
            r = self.appctl("dpctl/dump-flows", check=False)
            out["dp_masks"] = len({mask_signature(x) for x in r.stdout.splitlines()
                                   if "actions:" in x})
            if normal:         # a flood's actions list several ports (LOCAL included)
                out["dp_flood_flows"] = sum(1 for x in r.stdout.splitlines()
                                            if "," in x.partition("actions:")[2])
        return out


# ---- testpmd ----------------------------------------------------------------------------

class Testpmd(TestpmdConsole):
    name = "testpmd"

    def __init__(self, args, work):
        self.args, self.work = args, work

    def run(self, row, pcap, rules, tag):
        a = self.args
        d = os.path.join(self.work, tag)
        os.makedirs(d, exist_ok=True)
        prefix = "tpbench%d" % os.getpid()
        PREFIXES.append(prefix) if prefix not in PREFIXES else None
        mbufs = max(32768, row.flows * (2 if row.bidir else 1) + 16384)
        need_hugepages(pages_for_mbufs(mbufs), "testpmd")
        self.logf = os.path.join(d, "testpmd.log")
        self.bidir = row.bidir
        if row.bidir:       # io forwarding 0->1 and 1->0, both streams on the one core
            vdevs = ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap[0],
                     "--vdev", "net_pcap1,rx_pcap=%s,infinite_rx=1" % pcap[1]]
        else:
            vdevs = ["--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                     "--vdev", "net_null0,no-rx=1"]
        cmd = ["stdbuf", "-oL", "-eL", TESTPMD, "-l", "0,1", "--file-prefix", prefix,
               "--huge-unlink", "--no-pci"] + vdevs + [
               "--", "-i", "--nb-cores=1",
               "--forward-mode=io", "--record-core-cycles", "--total-num-mbufs=%d" % mbufs]
        p = PROCS.start(cmd, logfile=self.logf, stdin=subprocess.PIPE)
        self.p = p
        try:
            wait_for(lambda: "testpmd> " in self.read(), 60, "testpmd start", p, self.logf)
            self.cmd("start")
            time.sleep(a.warmup)
            out = best_window(a, lambda: self.window(p))
            self.cmd("stop")
            time.sleep(0.5)
            self.cmd("quit")
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                pass
            return out
        finally:
            PROCS.stop(p, timeout=10)
            cleanup_prefix(prefix)

    def window(self, p):
        cpu = CpuProbe(p.pid)
        t0, s0 = self.sample()
        cpu.start()
        time.sleep(self.args.window)
        cpu_use = cpu.stop()
        t1, s1 = self.sample()
        dt = t1 - t0
        out = {"seconds": dt, "mpps": (s1["tx"] - s0["tx"]) / dt / 1e6,
               "rx_mpps": (s1["rx0"] - s0["rx0"]) / dt / 1e6,
               "tsc_hz": s1["mhz"] * 1e6}
        if self.bidir:      # both ways, as the switches' l2 rows
            out["mpps"] += (s1["tx0"] - s0["tx0"]) / dt / 1e6
            out["rx_mpps"] += (s1["rx1"] - s0["rx1"]) / dt / 1e6
        out.update(cpu_use)
        dn = s1["fwd_pkts"] - s0["fwd_pkts"]
        if dn > 0:
            out["cycles"] = (s1["fwd_cycles"] - s0["fwd_cycles"]) / dn
            out["cycles_method"] = "--record-core-cycles"
        return out

    FWD_RE = re.compile(r"CPU cycles/packet=[\d.]+ \((?:total|busy) cycles=(\d+) / "
                        r"total \S+ packets=(\d+)\) at (\d+) MHz")

    def sample(self):
        n0 = len(self.FWD_RE.findall(self.read()))
        t = time.monotonic()
        self.cmd("show port stats all")
        self.cmd("show fwd stats all")
        wait_for(lambda: len(self.FWD_RE.findall(self.read())) > n0, 20,
                 "testpmd stats", self.p, self.logf)
        text = self.read()
        m = self.FWD_RE.findall(text)[-1]
        blocks = re.findall(r"NIC statistics for port (\d+)\s+#+\s*\n(.*?)#####", text, re.S)
        last = {}
        for port, body in blocks:
            last[port] = body
        def count(port, what):
            return int(re.search(what + r"-packets:\s*(\d+)", last[port]).group(1))
        return t, {"tx": count("1", "TX"), "rx0": count("0", "RX"), "tx0": count("0", "TX"),
                   "rx1": count("1", "RX"), "fwd_cycles": int(m[0]), "fwd_pkts": int(m[1]),
                   "mhz": int(m[2])}
