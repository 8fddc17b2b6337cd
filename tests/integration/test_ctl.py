#!/usr/bin/python3
"""End-to-end tests of the control socket under hostile or slow clients.

Starts a real vswd (net_ring/net_null ports, --no-huge) and checks that no
client can make the control socket unavailable to the others:

  stalled-reader  100 000 rules loaded; a raw client asks for dump-flows and
                  never reads.  show and dump-ports answer within 1 s, again
                  and again, add-flow works, and the stalled client is
                  disconnected after the idle timeout and counted.
  idle-flood      200 connections that never send a request: show still
                  answers at once; after the idle timeout they are closed
                  (each told why) and counted.
  bad-requests    half a header then gone; a length over the maximum (refused
                  with EMSGSIZE); nothing changes, the switch keeps serving.
  slow-reader     a client that reads dump-flows a few bytes at a time for
                  longer than the idle timeout gets the complete reply.
  client-limit    with --ctl-max-clients 8 and 8 connections held open, the
                  9th is told "too many control connections (8)", and the 8
                  are still served.

Usage: test_ctl.py [--build DIR] [-k SUBSTRING] [--rules N]
Prints "N passed, M failed"; exit status 0 iff all passed.
"""

import argparse
import errno
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "diff"))

from vsw import find_binary  # noqa: E402

N_RULES = 100000
IDLE = 2.0   # --ctl-idle-timeout for these tests, seconds.


def rules_text(n):
    return "".join("priority=%d,tcp,nw_src=10.%d.%d.0/24,nw_dst=192.168.%d.%d,tp_dst=%d,"
                   "actions=output:2\n"
                   % (1 + i % 1000, (i >> 8) & 255, i & 255, (i >> 8) & 255, i & 255,
                      1 + i % 65000) for i in range(n))


class Daemon:
    def __init__(self, vswd, vswctl, tag, extra, flows=None):
        self.dir = tempfile.mkdtemp(prefix="vsw-ctltest-")
        self.vswctl = vswctl
        self.ctl = os.path.join(self.dir, "vswd.ctl")
        cmd = [vswd, "-l", "0,1", "--file-prefix=ctltest%d%s" % (os.getpid(), tag),
               "--no-huge", "-m", "256", "--no-pci", "--", "--ctl", self.ctl,
               "--mbufs", "8192", "--port", "p1,net_ring0,ofport=1",
               "--port", "p2,net_null0,no-rx=1"] + extra
        if flows:
            path = os.path.join(self.dir, "rules.flows")
            with open(path, "w") as f:
                f.write(flows)
            cmd += ["--flows", path]
        self.log = open(os.path.join(self.dir, "vswd.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = time.time() + 60
        while not os.path.exists(self.ctl):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("vswd did not start:\n" + open(self.log.name).read())
            time.sleep(0.05)

    def ctl_cmd(self, *args, timeout=30):
        """(rc, stdout, stderr, seconds)"""
        t = time.time()
        p = subprocess.run([self.vswctl, "--ctl", self.ctl] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.time() - t

    def stats(self):
        rc, out, err, _ = self.ctl_cmd("ctl-stats")
        if rc:
            raise RuntimeError("ctl-stats failed: " + err)
        s = {}
        for line in out.splitlines():
            m = re.match(r"\s*([a-z ,()]+): (\d+)$", line)
            if m:
                s[m.group(1)] = int(m.group(2))
        m = re.search(r"clients: (\d+) open", out)
        s["open"] = int(m.group(1))
        m = re.search(r"reply bytes held: (\d+)", out)
        s["held"] = int(m.group(1))
        return s

    def raw(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.ctl)
        return s

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        log = open(self.log.name, errors="replace").read()
        shutil.rmtree(self.dir, ignore_errors=True)
        return log


def request(*args):
    body = b"".join(a.encode() + b"\0" for a in args)
    return struct.pack("<I", len(body)) + body


def read_reply(s, timeout=10):
    """(status, text) or (None, why)"""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout) as e:
        if len(data) < 8:
            return None, repr(e)
    if len(data) < 8:
        return None, "short reply %r" % data
    status, n = struct.unpack("<II", data[:8])
    if len(data) != 8 + n:
        return None, "reply of %d bytes announced %d" % (len(data) - 8, n)
    return status, data[8:].decode(errors="replace")


def norm_dump(text):
    """dump-flows without the fields that change from one dump to the next."""
    return re.sub(r"(duration|idle_age)=[0-9.]+s?", r"\1=X", text)


def wait_for(cond, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def check(name, cond, detail=""):
    return (name, None if cond else detail)


def stalled_reader(dm):
    before = dm.stats()
    s = dm.raw()
    s.sendall(request("dump-flows"))
    # Wait until vswd holds the reply (it has formatted the dump): from now
    # on only the stalled socket stands between vswd and the other clients.
    held = wait_for(lambda: dm.stats()["held"] > 1000000, 20)
    yield check("the unread dump-flows reply is held by vswd", held, str(dm.stats()))
    worst, fails, n = 0.0, [], 0
    t_end = time.time() + IDLE * 0.8
    added = False
    while time.time() < t_end or n < 3:
        for cmd in ("show", "dump-ports"):
            rc, out, err, dt = dm.ctl_cmd(cmd, timeout=10)
            n += 1
            worst = max(worst, dt)
            if rc or dt > 1.0:
                fails.append("%s rc=%d %.2fs %s" % (cmd, rc, dt, err.strip()))
        if not added:
            # Rebuilding the classifier for N_RULES rules takes a while
            # (minutes under a sanitizer); it is not what is timed here.
            rc, out, err, dt = dm.ctl_cmd("add-flow", "priority=40000,udp,actions=output:2",
                                          timeout=300)
            added = rc == 0
            if rc:
                fails.append("add-flow rc=%d %s" % (rc, err.strip()))
    yield check("show and dump-ports answer within 1 s while a reader stalls (%d calls, "
                "worst %.3f s)" % (n, worst), not fails and n >= 4, "; ".join(fails[:5]))
    yield check("add-flow works while a reader stalls", added)
    rc, out, _, _ = dm.ctl_cmd("show")
    yield check("the added rule is there", "%d rule(s)" % (N_RULES + 1) in out, out)
    ok = wait_for(lambda: dm.stats()["closed, reply not read (write stall)"]
                  > before["closed, reply not read (write stall)"], IDLE + 5)
    st = dm.stats()
    yield check("the stalled client is disconnected and counted", ok and st["held"] == 0, str(st))
    got, total = 0, None
    s.settimeout(5)
    try:
        hdr = s.recv(8, socket.MSG_WAITALL)
        total = struct.unpack("<II", hdr)[1]
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
    except (ConnectionResetError, socket.timeout, struct.error):
        pass
    s.close()
    yield check("the stalled client's connection was cut short",
                total is not None and got < total, "got %d of %s" % (got, total))


def idle_flood(dm):
    before = dm.stats()
    socks = [dm.raw() for _ in range(200)]
    # Some send part of a request and stop: that does not buy more time.
    for s in socks[:50]:
        s.sendall(struct.pack("<I", 100) + b"show")
    t_open = time.time()
    rc, out, err, dt = dm.ctl_cmd("show", timeout=10)
    yield check("show answers with 200 idle connections open (%.3f s)" % dt,
                rc == 0 and dt < 1.0 and "rule(s)" in out, err)
    st = dm.stats()
    yield check("ctl-stats counts the 200 open connections", st["open"] >= 200, str(st))
    ok = wait_for(lambda: dm.stats()["open"] <= 1, IDLE + 5)
    elapsed = time.time() - t_open
    st = dm.stats()
    yield check("idle connections closed after the idle timeout (%.1f s)" % elapsed,
                ok and elapsed >= IDLE * 0.9, str(st))
    yield check("idle timeouts counted",
                st["closed, request idle timeout"] - before["closed, request idle timeout"]
                >= 200, str(st))
    status, text = read_reply(socks[0], timeout=2)
    yield check("an idle client is told why it is closed",
                status == errno.ETIMEDOUT and "not complete" in text, "%r %r" % (status, text))
    for s in socks:
        s.close()


def bad_requests(dm):
    _, before, _, _ = dm.ctl_cmd("show")
    st0 = dm.stats()
    s = dm.raw()
    s.sendall(b"\x05\x00")
    s.close()
    s = dm.raw()
    s.sendall(struct.pack("<I", 0xFFFFFFF0))
    status, text = read_reply(s)
    s.close()
    yield check("oversized request refused with EMSGSIZE",
                status == errno.EMSGSIZE and "refused" in text, "%r %r" % (status, text))
    s = dm.raw()
    body = b"add-flow\0priority=9,ip,actions=output:2"   # Not NUL-terminated.
    s.sendall(struct.pack("<I", len(body)) + body)
    status, text = read_reply(s)
    s.close()
    yield check("malformed request refused", status == errno.EPROTO, "%r %r" % (status, text))
    rc, after, err, dt = dm.ctl_cmd("show")
    rule_count = re.compile(r"\d+ rule\(s\)")
    yield check("bad requests changed nothing and vswd keeps serving",
                rc == 0 and dt < 1.0 and rule_count.search(before).group(0)
                == rule_count.search(after).group(0), before + after + err)
    wait_for(lambda: dm.stats()["client left early"] > st0["client left early"], 2)
    st = dm.stats()
    yield check("bad requests and half headers counted",
                st["bad requests"] - st0["bad requests"] == 2
                and st["client left early"] > st0["client left early"], str(st))


def slow_reader(dm):
    rc, want, err, dt = dm.ctl_cmd("dump-flows")
    yield check("dump-flows of %d rules (%d bytes, %.2f s)" % (N_RULES, len(want), dt),
                rc == 0 and want.count("actions=") >= N_RULES, err)
    before = dm.stats()
    s = dm.raw()
    s.sendall(request("dump-flows"))
    s.settimeout(10)
    data = bytearray()
    rnd = random.Random(7)
    # A few bytes at a time, ~60 KB/s, for longer than two idle timeouts.
    t0 = time.time()
    slow_end = t0 + 2.5 * IDLE
    try:
        while time.time() < slow_end:
            for _ in range(200):
                chunk = s.recv(rnd.randint(1, 16))
                if not chunk:
                    raise EOFError
                data += chunk
            target = (time.time() - t0) * 60000
            if len(data) > target:
                time.sleep((len(data) - target) / 60000)
        slow = len(data)
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    except (EOFError, ConnectionResetError, socket.timeout) as e:
        slow = -1
        print("  slow reader: %r after %d bytes" % (e, len(data)))
    s.close()
    ok = len(data) >= 8
    status, n = struct.unpack("<II", bytes(data[:8])) if ok else (None, None)
    text = bytes(data[8:]).decode(errors="replace")
    yield check("slow reader (%d bytes in %.1f s a few at a time) gets the whole reply"
                % (slow, 2.5 * IDLE),
                ok and status == 0 and n == len(data) - 8 and norm_dump(text) == norm_dump(want),
                "status %r, %d of %r bytes" % (status, len(data) - 8, n))
    st = dm.stats()
    yield check("slow reader was not counted as stalled",
                st["closed, reply not read (write stall)"]
                == before["closed, reply not read (write stall)"], str(st))


def client_limit(vswd, vswctl):
    dm = Daemon(vswd, vswctl, "lim", ["--ctl-max-clients", "8", "--ctl-idle-timeout", "20"])
    try:
        held = [dm.raw() for _ in range(8)]
        ok = wait_for(lambda: subprocess.run(
            [vswctl, "--ctl", dm.ctl, "show"], capture_output=True).returncode != 0, 5)
        rc, out, err, dt = dm.ctl_cmd("show")
        yield check("the 9th client is told there are too many connections",
                    ok and rc == 1 and "too many control connections (8)" in err,
                    "rc=%d out=%r err=%r" % (rc, out, err))
        s = dm.raw()
        status, text = read_reply(s)
        s.close()
        yield check("a raw 9th client gets EBUSY", status == errno.EBUSY and "try again" in text,
                    "%r %r" % (status, text))
        replies = []
        for s in held:
            s.sendall(request("show"))
            replies.append(read_reply(s))
            s.close()
        yield check("the 8 held clients are still served",
                    all(st == 0 and "rule(s)" in t for st, t in replies), repr(replies[:2]))
        ok = wait_for(lambda: dm.ctl_cmd("show")[0] == 0, 3)
        st = dm.stats()
        yield check("once they are done, new clients are served again; refusals counted",
                    ok and st["refused, too many clients"] >= 2, str(st))
    finally:
        log = dm.stop()
        yield check("vswd stopped cleanly (limit instance)", "ERROR" not in log
                    and "runtime error" not in log, log[-2000:])


def main():
    global N_RULES
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", default="")
    ap.add_argument("--rules", type=int, default=N_RULES,
                    help="rules loaded (fewer make sanitizer builds quicker)")
    args = ap.parse_args()
    N_RULES = args.rules
    vswd = find_binary(args.build, "vswd")
    vswctl = find_binary(args.build, "vswctl")
    if not vswd or not vswctl:
        print("vswd/vswctl not found in %s" % args.build)
        return 1
    vswd, vswctl = os.path.abspath(vswd), os.path.abspath(vswctl)
    passed = failed = 0

    def report(group, results):
        nonlocal passed, failed
        try:
            for name, err in results:
                if err is None:
                    passed += 1
                    print("ok   %s: %s" % (group, name))
                else:
                    failed += 1
                    print("FAIL %s: %s\n  %s" % (group, name, err))
        except Exception:
            failed += 1
            print("FAIL %s\n%s" % (group, traceback.format_exc()))
        sys.stdout.flush()

    cases = [("stalled-reader", stalled_reader), ("idle-flood", idle_flood),
             ("bad-requests", bad_requests), ("slow-reader", slow_reader)]
    if any(args.k in name for name, _ in cases):
        try:
            dm = Daemon(vswd, vswctl, "big", ["--ctl-idle-timeout", str(IDLE)],
                        flows=rules_text(N_RULES))
        except Exception:
            failed += 1
            print("FAIL start vswd\n" + traceback.format_exc())
            dm = None
        if dm:
            try:
                for name, fn in cases:
                    if args.k in name:
                        report(name, fn(dm))
                report("daemon", [check("vswd alive", dm.proc.poll() is None, "exited")])
            finally:
                log = dm.stop()
                report("daemon", [check("vswd stopped cleanly", "runtime error" not in log
                                        and "ERROR" not in log, log[-2000:])])
    if args.k in "client-limit":
        report("client-limit", client_limit(vswd, vswctl))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
