"""Run the switch under test (build/vswd) over pcap ports.

Contract (see README.md):
  vswd <EAL args> -- --ctl SOCK --port NAME,DEVARGS...,ofport=N ... --flows F
  vswctl --ctl SOCK dump-ports   prints ovs-ofctl dump-ports shaped stats
  SIGTERM: flush + close the tx pcaps, exit 0
"""

import os
import shutil
import signal
import subprocess
import time

from ovs import parse_port_stats
from pcapio import read_pcap, write_pcap


class VswError(Exception):
    pass


def find_binary(build, name, override=None):
    if override:
        return override if os.path.exists(override) else None
    for cand in (os.path.join(build, name), os.path.join(build, "src", name)):
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


class Vsw:
    def __init__(self, workdir, vswd, vswctl, nports=4, log=print,
                 timeout=60.0, port_opts=None):
        self.dir = workdir
        self.vswd = vswd
        self.vswctl = vswctl
        self.nports = nports
        self.log = log
        self.timeout = timeout
        self.ctl = os.path.join(workdir, "vswd.ctl")
        self.prefix = "vswdiff%d" % os.getpid()
        self.proc = None
        self.port_opts = port_opts or {}   # {port: ",mtu_request=9000"}
        self.final_ports = ""              # dump-ports text just before SIGTERM

    def path(self, name):
        return os.path.join(self.dir, name)

    def command(self, flows):
        cmd = [self.vswd, "-l", "0,1", "--file-prefix=" + self.prefix,
               "--no-huge", "-m", "512", "--no-pci", "--",
               "--ctl", self.ctl]
        for i in range(1, self.nports + 1):
            cmd += ["--port", "p%d,net_pcap%d,rx_pcap=%s,tx_pcap=%s,ofport=%d%s"
                    % (i, i, self.path("in%d.pcap" % i),
                       self.path("out%d.pcap" % i), i,
                       self.port_opts.get(i, ""))]
        cmd += ["--flows", flows]
        return cmd

    def dump_ports(self):
        p = subprocess.run([self.vswctl, "--ctl", self.ctl, "dump-ports"],
                           capture_output=True, text=True, timeout=10)
        if p.returncode != 0:
            return None, p.stderr.strip()
        return parse_port_stats(p.stdout), p.stdout

    def run(self, flows, pkts):
        """Feed 'pkts' (objects with .port/.data) through vswd and return
        {port: [frames]} read from its tx pcaps."""
        expected = {i: 0 for i in range(1, self.nports + 1)}
        per_port = {i: [] for i in range(1, self.nports + 1)}
        for p in pkts:
            per_port[p.port].append(p.data)
            expected[p.port] += 1
        for i in range(1, self.nports + 1):
            write_pcap(self.path("in%d.pcap" % i), per_port[i])
            out = self.path("out%d.pcap" % i)
            if os.path.exists(out):
                os.unlink(out)
        if os.path.exists(self.ctl):
            os.unlink(self.ctl)
        cmd = self.command(flows)
        with open(self.path("vswd.cmd"), "w") as f:
            f.write(" ".join(cmd) + "\n")
        logf = open(self.path("vswd.log"), "wb")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=logf, stderr=logf,
                                         cwd=self.dir, start_new_session=True)
        finally:
            logf.close()
        try:
            self._wait_rx(expected)
            time.sleep(0.3)              # let the tx side flush
            _, self.final_ports = self.dump_ports()
            # Which datapath paths the round took (kept with --keep).
            try:
                r = subprocess.run([self.vswctl, "--ctl", self.ctl, "pmd-stats"],
                                   capture_output=True, text=True, timeout=5)
                with open(self.path("pmd-stats.txt"), "w") as f:
                    f.write(r.stdout + r.stderr)
            except (OSError, subprocess.TimeoutExpired):
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise VswError("vswd did not exit within 15 s of SIGTERM")
            if rc != 0:
                raise VswError("vswd exited with status %d after SIGTERM"
                               % rc + self._log_tail())
        finally:
            self.stop()
        return {i: read_pcap(self.path("out%d.pcap" % i), missing_ok=True)
                for i in range(1, self.nports + 1)}

    def _wait_rx(self, expected):
        deadline = time.time() + self.timeout
        last_err = ""
        while True:
            if self.proc.poll() is not None:
                raise VswError("vswd exited early with status %d"
                               % self.proc.returncode + self._log_tail())
            if os.path.exists(self.ctl):
                stats, text = self.dump_ports()
                if stats is None:
                    last_err = text
                else:
                    last_err = text
                    if all(stats.get(port, (-1, 0))[0] == n
                           for port, n in expected.items()):
                        return stats
            if time.time() > deadline:
                raise VswError("vswd did not receive all packets within "
                               "%.0f s (expected rx %s); last dump-ports:\n%s"
                               % (self.timeout, expected, last_err)
                               + self._log_tail())
            time.sleep(0.05)

    def _log_tail(self, n=30):
        try:
            with open(self.path("vswd.log"), errors="replace") as f:
                lines = f.read().splitlines()[-n:]
        except OSError:
            return ""
        return "\n--- tail of %s ---\n%s" % (self.path("vswd.log"),
                                             "\n".join(lines))

    def stop(self):
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                p.kill()
            p.wait(timeout=5)
        # DPDK leaves its runtime directory (named by --file-prefix) behind.
        for base in (os.environ.get("XDG_RUNTIME_DIR"), "/var/run",
                     "/run", "/tmp"):
            if base:
                d = os.path.join(base, "dpdk", self.prefix)
                if os.path.isdir(d):
                    shutil.rmtree(d, ignore_errors=True)
