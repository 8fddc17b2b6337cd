"""A private Open vSwitch (ovsdb-server + ovs-vswitchd with dummy netdevs)
living entirely inside one temporary directory, used as the oracle.

Nothing here talks to a system OVS instance: every OVS_*DIR variable points
into the work directory, every socket is named explicitly, and vswitchd runs
with --enable-dummy=override --disable-system, so all netdevs (even the
bridge's internal port) are in-memory dummies and no kernel datapath is used.
"""

import json
import os
import re
import socket
import subprocess
import time

SCHEMA_CANDIDATES = ["/usr/share/openvswitch/vswitch.ovsschema",
                     "/usr/local/share/openvswitch/vswitch.ovsschema"]


class OvsError(Exception):
    pass


class UnixctlClient:
    """Tiny JSON-RPC client for an OVS unixctl socket (what ovs-appctl
    does), so that injecting thousands of packets does not cost one process
    per call."""

    def __init__(self, path, timeout=30.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = ""
        self.next_id = 0
        self.decoder = json.JSONDecoder()

    def call(self, method, params):
        self.next_id += 1
        req = {"method": method, "params": list(params), "id": self.next_id}
        self.sock.sendall(json.dumps(req).encode())
        while True:
            text = self.buf.lstrip()
            if text:
                try:
                    msg, end = self.decoder.raw_decode(text)
                except ValueError:
                    msg = None
                if msg is not None:
                    self.buf = text[end:]
                    if msg.get("id") != self.next_id:
                        continue        # notification or stale reply
                    if msg.get("error") is not None:
                        raise OvsError("%s: %s" % (method, msg["error"]))
                    return msg.get("result")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise OvsError("unixctl connection closed during %s" % method)
            self.buf += chunk.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def _schema():
    for path in SCHEMA_CANDIDATES:
        if os.path.exists(path):
            return path
    raise OvsError("vswitch.ovsschema not found (is openvswitch-switch "
                   "installed?)")


def _wait_for(path, proc, what, timeout=15.0):
    deadline = time.time() + timeout
    while not os.path.exists(path):
        if proc.poll() is not None:
            raise OvsError("%s exited with status %s during startup"
                           % (what, proc.returncode))
        if time.time() > deadline:
            raise OvsError("timeout waiting for %s (%s)" % (what, path))
        time.sleep(0.02)


PORT_STATS_RE = re.compile(
    r"port\s+(\S+?):\s+rx pkts=(\d+|\?), bytes=(\d+|\?).*?\n"
    r"\s+tx pkts=(\d+|\?), bytes=(\d+|\?)", re.S)


def parse_port_stats(text):
    """Parse 'ovs-ofctl dump-ports' style output into
    {port: (rx_pkts, tx_pkts)}; port is an int or a name like 'LOCAL'."""
    stats = {}
    for m in PORT_STATS_RE.finditer(text):
        name = m.group(1)
        port = int(name) if name.isdigit() else name
        rx = int(m.group(2)) if m.group(2).isdigit() else 0
        tx = int(m.group(4)) if m.group(4).isdigit() else 0
        stats[port] = (rx, tx)
    return stats


class Ovs:
    def __init__(self, workdir, nports=4, vlan_limit=None, log=print):
        self.dir = workdir
        self.nports = nports
        self.vlan_limit = vlan_limit
        self.log = log
        self.procs = []
        self.ctl = None
        self.env = dict(os.environ)
        for var in ("OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR",
                    "OVS_SYSCONFDIR"):
            self.env[var] = workdir
        self.db = "unix:%s/db.sock" % workdir
        self.vswitchd_ctl = os.path.join(workdir, "ovs-vswitchd.ctl")
        self.mgmt = "unix:%s/br0.mgmt" % workdir

    def path(self, name):
        return os.path.join(self.dir, name)

    def tx_pcap(self, port):
        return self.path("p%d-tx.pcap" % port)

    # ------------------------------------------------------------ process
    def _run(self, args, timeout=30, check=True, input=None):
        try:
            p = subprocess.run(args, env=self.env, capture_output=True,
                               text=True, timeout=timeout, input=input)
        except subprocess.TimeoutExpired:
            raise OvsError("timeout running %s" % " ".join(args))
        if check and p.returncode != 0:
            raise OvsError("%s failed (%d): %s" % (" ".join(args[:3]),
                                                   p.returncode,
                                                   p.stderr.strip()))
        return p

    def _spawn(self, args, logname):
        errlog = open(self.path(logname), "ab")
        p = subprocess.Popen(args, env=self.env, cwd=self.dir,
                             stdin=subprocess.DEVNULL, stdout=errlog,
                             stderr=errlog, start_new_session=True)
        errlog.close()
        self.procs.append(p)
        return p

    def vsctl(self, *args, wait=True):
        base = ["ovs-vsctl", "--db=" + self.db, "--timeout=20"]
        if not wait:
            base.append("--no-wait")
        return self._run(base + list(args)).stdout

    def ofctl(self, *args, check=True, timeout=60):
        return self._run(["ovs-ofctl", "-O", "OpenFlow13", "--timeout=30"]
                         + list(args), check=check, timeout=timeout)

    def appctl(self, *args, timeout=30):
        return self._run(["ovs-appctl", "--timeout=%d" % timeout, "-t",
                          self.vswitchd_ctl] + list(args),
                         timeout=timeout + 5).stdout

    def start(self):
        self._run(["ovsdb-tool", "create", self.path("conf.db"), _schema()])
        db = self._spawn(
            ["ovsdb-server", self.path("conf.db"),
             "--remote=punix:%s/db.sock" % self.dir,
             "--unixctl=%s/ovsdb-server.ctl" % self.dir,
             "--pidfile=%s/ovsdb-server.pid" % self.dir,
             "--no-chdir", "--log-file=%s/ovsdb-server.log" % self.dir,
             "-vconsole:off"], "ovsdb-server.stderr")
        _wait_for(self.path("db.sock"), db, "ovsdb-server")
        self.vsctl("init", wait=False)
        if self.vlan_limit is not None:
            self.vsctl("set", "Open_vSwitch", ".",
                       "other_config:vlan-limit=%d" % self.vlan_limit,
                       wait=False)
        vs = self._spawn(
            ["ovs-vswitchd", self.db, "--enable-dummy=override",
             "--disable-system", "--disable-system-route",
             "--unixctl=%s" % self.vswitchd_ctl,
             "--pidfile=%s/ovs-vswitchd.pid" % self.dir,
             "--no-chdir", "--log-file=%s/ovs-vswitchd.log" % self.dir,
             "-vconsole:off"], "ovs-vswitchd.stderr")
        _wait_for(self.vswitchd_ctl, vs, "ovs-vswitchd")
        args = ["add-br", "br0", "--", "set", "bridge", "br0",
                "datapath_type=dummy", "fail_mode=secure",
                "protocols=OpenFlow13"]
        for i in range(1, self.nports + 1):
            args += ["--", "add-port", "br0", "p%d" % i, "--", "set",
                     "interface", "p%d" % i, "type=dummy",
                     "ofport_request=%d" % i,
                     "options:tx_pcap=%s" % self.tx_pcap(i)]
        self.vsctl(*args)
        for i in range(1, self.nports + 1):
            ofport = self.vsctl("get", "interface", "p%d" % i,
                                "ofport").strip()
            if ofport != str(i):
                raise OvsError("p%d got ofport %s, wanted %d"
                               % (i, ofport, i))
        self.ctl = UnixctlClient(self.vswitchd_ctl)

    def stop(self):
        """Stop OVS; safe to call more than once and after failures."""
        if self.ctl is not None:
            self.ctl.close()
            self.ctl = None
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.procs = []

    # ------------------------------------------------------------ flows
    def add_flows(self, path):
        self.ofctl("add-flows", self.mgmt, path)

    def dump_flows(self):
        out = self.ofctl("dump-flows", "--no-stats", self.mgmt).stdout
        return [l.strip() for l in out.splitlines()
                if l.strip() and not l.startswith("OFPST_FLOW")]

    def check_flows(self, texts):
        """Checker for find_bad(): try to install 'texts' in the (scratch)
        flow table, then empty it again.  Catches both ovs-ofctl parse
        errors and errors the switch sends back."""
        path = self.path("validate.flows")
        with open(path, "w") as f:
            for t in texts:
                f.write(t + "\n")
        p = self.ofctl("add-flows", self.mgmt, path, check=False)
        self.ofctl("del-flows", self.mgmt)
        if p.returncode == 0:
            return None
        return clean_reason(p.stderr, path), _ofctl_line(p.stderr, path)

    # ------------------------------------------------------------ packets
    # netdev-dummy keeps at most 100 packets queued per rx queue and
    # silently drops the rest, and the userspace datapath dequeues only one
    # packet per port per main-loop iteration, so injection is flow
    # controlled against the datapath's rx counters.
    MAX_QUEUED = 90

    def dp_rx_counts(self):
        """{port number: rx packets} from 'dpctl/show -s' (no fork)."""
        text = self.ctl.call("dpctl/show", ["-s"])
        counts = {}
        name = None
        for line in text.splitlines():
            m = re.match(r"\s+port \d+: p(\d+) ", line)
            if m:
                name = int(m.group(1))
                continue
            m = re.match(r"\s+RX packets:(\d+)", line)
            if m and name is not None:
                counts[name] = int(m.group(1))
                name = None
        return counts

    def inject(self, pkts, chunk=None, timeout=120.0):
        """Queue packets (objects with .port and .data) on the dummy ports,
        keeping the order within each port.  Returns when all are queued
        (not necessarily processed)."""
        chunk = chunk or self.MAX_QUEUED
        pending = {}
        for p in pkts:
            pending.setdefault(p.port, []).append(p.data.hex())
        base = self.dp_rx_counts()
        sent = {port: 0 for port in pending}
        deadline = time.time() + timeout
        while pending:
            rx = self.dp_rx_counts()
            progressed = False
            for port in sorted(pending):
                queued = sent[port] - (rx.get(port, 0) - base.get(port, 0))
                room = min(chunk, self.MAX_QUEUED - queued)
                if room <= 0:
                    continue
                batch = pending[port][:room]
                del pending[port][:room]
                self.ctl.call("netdev-dummy/receive", ["p%d" % port] + batch)
                sent[port] += len(batch)
                progressed = True
                if not pending[port]:
                    del pending[port]
            if not progressed:
                if time.time() > deadline:
                    raise OvsError("OVS stopped receiving packets "
                                   "(rx %s, sent %s)" % (rx, sent))
                time.sleep(0.001)

    def port_stats(self):
        return parse_port_stats(self.ofctl("dump-ports", self.mgmt).stdout)

    def wait_idle(self, expected_rx, timeout=60.0):
        """Wait until every port has received what was injected and the
        transmit side has stopped moving and is fully in the pcap files."""
        from pcapio import read_pcap
        deadline = time.time() + timeout
        last = None
        stable = 0
        while True:
            stats = self.port_stats()
            rx_ok = all(stats.get(port, (0, 0))[0] == n
                        for port, n in expected_rx.items())
            if rx_ok and stats == last:
                stable += 1
            else:
                stable = 0
            if stable >= 2:
                counts = {port: len(read_pcap(self.tx_pcap(port),
                                              missing_ok=True))
                          for port in range(1, self.nports + 1)}
                if all(counts[port] == stats.get(port, (0, 0))[1]
                       for port in counts):
                    return stats
            if time.time() > deadline:
                raise OvsError("OVS did not settle: stats=%s expected rx=%s"
                               % (stats, expected_rx))
            last = stats
            time.sleep(0.05)

    def outputs(self):
        from pcapio import read_pcap
        return {port: read_pcap(self.tx_pcap(port), missing_ok=True)
                for port in range(1, self.nports + 1)}

    def trace(self, port, data):
        try:
            return self.appctl("ofproto/trace", "br0", "in_port=%d" % port,
                               data.hex())
        except OvsError as e:
            return "(ofproto/trace failed: %s)" % e


# ---------------------------------------------------------------- validation

def find_bad(texts, check):
    """Return {index: reason} for the flow texts that 'check' rejects.

    check(list_of_texts) returns None when all are accepted, otherwise
    (reason, line) where line is the 0-based index of the offending text if
    known.  Bisects, because ovs-ofctl stops at the first bad line and some
    errors ('no usable protocol', errors sent back by the switch) carry no
    line number."""
    bad = {}

    def rec(idxs):
        if not idxs:
            return
        res = check([texts[i] for i in idxs])
        if res is None:
            return
        reason, line = res
        if len(idxs) == 1:
            bad[idxs[0]] = reason
            return
        if line is not None and 0 <= line < len(idxs):
            bad[idxs[line]] = reason
            rec(idxs[:line] + idxs[line + 1:])
            return
        mid = len(idxs) // 2
        rec(idxs[:mid])
        rec(idxs[mid:])

    rec(list(range(len(texts))))
    return bad


def clean_reason(err, path):
    """Turn ovs-ofctl's complaint into a short reason to count by."""
    lines = [l for l in err.strip().splitlines() if l.strip()]
    pick = None
    for l in lines:
        m = re.search(r"OFPT_ERROR \(OF[\d.]+\) \(xid=\w+\): (\S+)", l)
        if m:
            pick = "switch: " + m.group(1)
            break
    if pick is None:
        pick = lines[-1] if lines else "unknown error"
    pick = pick.replace(path, "FILE")
    pick = re.sub(r"^ovs-ofctl: ", "", pick)
    pick = re.sub(r"FILE:\d+: ", "", pick)
    return pick


def _ofctl_line(err, path):
    m = re.search(r"%s:(\d+):" % re.escape(path), err)
    return int(m.group(1)) - 1 if m else None
