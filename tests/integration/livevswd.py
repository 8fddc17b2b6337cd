"""A vswd under steady traffic, for end-to-end tests that change it live.

LiveVswd starts vswd (--no-huge, its own --file-prefix) with the given
vswd options after "--", in a temporary directory that holds its control
socket and log; ctl() runs vswctl against it, tx() reads a port's tx
counter, stop() ends it (SIGTERM, then SIGKILL) and removes the directory.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time


class LiveVswd:
    def __init__(self, vswd, vswctl, name, ctl_timeout=20):
        self.vswd, self.vswctl, self.name = vswd, vswctl, name
        self.dir = tempfile.mkdtemp(prefix="vsw-%s-" % name)
        self.ctlpath = os.path.join(self.dir, "vswd.ctl")
        self.ctl_timeout = ctl_timeout
        self.proc = None
        self.log = None

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, options):
        cmd = [self.vswd, "-l", "0,1", "--file-prefix=vsw%s%d" % (self.name, os.getpid()),
               "--no-huge", "-m", "512", "--no-pci", "--", "--ctl", self.ctlpath] + options
        self.log = open(self.path("vswd.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = time.time() + 20
        while (not os.path.exists(self.ctlpath) and time.time() < deadline
               and self.proc.poll() is None):
            time.sleep(0.05)

    def ctl(self, *args):
        """(exit status, stdout + stderr) of vswctl ARGS."""
        p = subprocess.run([self.vswctl, "--ctl", self.ctlpath] + list(args),
                           capture_output=True, text=True, timeout=self.ctl_timeout)
        return p.returncode, p.stdout + p.stderr

    def tx(self, port):
        """Port 'port's tx packet counter, -1 if it cannot be read."""
        _, out = self.ctl("dump-ports", str(port))
        for line in out.splitlines():
            if "tx pkts=" in line:
                return int(line.split("tx pkts=")[1].split(",")[0])
        return -1

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        if self.log:
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
