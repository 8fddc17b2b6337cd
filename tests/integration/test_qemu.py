#!/usr/bin/python3
"""Two QEMU guests ping each other through vswd's vhost-user ports, twice:
through the default bridge (no --flows: vswd's priority=0,actions=NORMAL
rule, after which fdb-show must list each guest's MAC on its port), and
through two explicit port-to-port rules.

The guests are a Debian cloud kernel with a busybox initramfs built by
scripts/build-guest-image from Debian packages; QEMU runs under TCG
(VSW_QEMU_ACCEL=kvm for KVM) with its RAM in a shared memfd, which
vhost-user needs.  Each
guest sets its address from the kernel command line, pings the other and
prints VSW-PING-OK or VSW-PING-FAIL on its serial console.  Guest 2 has two
queue pairs (mq=on) of which its single vCPU enables one.

Skipped, with the reason, where QEMU is missing or the guest image cannot
be built.  Bounded: 150 s a case.
Usage: test_qemu.py [--build DIR] [--keep] [--case normal|rules]
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
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 150


def qemu_cmd(img, sock, log, ip, peer, mac, queues=1, accel="tcg"):
    # vectors=0: QEMU 7.2 under TCG crashes starting vhost-user with MSI-X
    # vectors (msix_set_vector_notifiers in vhost_net_start); INTx works.
    mq = ",queues=%d" % queues if queues > 1 else ""
    return ["qemu-system-x86_64", "-machine", "q35,accel=" + accel, "-cpu", "max", "-m", "256",
            "-smp", "1", "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
            "-numa", "node,memdev=mem", "-kernel", os.path.join(img, "vmlinuz"),
            "-initrd", os.path.join(img, "initrd.gz"),
            "-append", "console=ttyS0 quiet vsw_ip=%s vsw_peer=%s vsw_hold=20" % (ip, peer),
            "-chardev", "socket,id=c0,path=%s" % sock,
            "-netdev", "vhost-user,id=n0,chardev=c0" + mq,
            "-device", "virtio-net-pci,netdev=n0,vectors=0,mac=%s%s" % (
                mac, ",mq=on" if queues > 1 else ""),
            "-display", "none", "-serial", "file:%s" % log, "-no-reboot"]


# (name, rule file text or None for no --flows).
CASES = [
    # The default bridge: no rules loaded, vswd's own priority=0,actions=NORMAL
    # learns both guests' MACs.
    ("normal", None),
    # Explicit port-to-port rules.
    ("rules", "in_port=1,actions=output:2\nin_port=2,actions=output:1\n"),
]
MACS = ["52:54:00:00:00:01", "52:54:00:00:00:02"]


def run_case(case, rules, img, vswd, vswctl, accel, keep):
    """vswd with two vhost-user ports (with the rules, or none), two guests
    that ping each other.  Returns the checks' results, None if QEMU could
    not start at all."""
    d = tempfile.mkdtemp(prefix="vsw-qemu-%s-" % case)
    ctl = os.path.join(d, "vswd.ctl")
    flows = []
    if rules is not None:
        flows = ["--flows", os.path.join(d, "rules")]
        with open(flows[1], "w") as f:
            f.write(rules)
    procs = []
    results = []
    t0 = time.time()

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s [%s] %s%s" % ("ok  " if ok else "FAIL", case, name,
                                "" if ok else "\n  " + detail.replace("\n", "\n  ")))

    def vswctl_out(*a):
        return subprocess.run([vswctl, "--ctl", ctl] + list(a), capture_output=True,
                              text=True, timeout=20).stdout
    try:
        swlog = open(os.path.join(d, "vswd.log"), "w")
        sw = subprocess.Popen([vswd, "-l", "0,1", "--file-prefix", "vswqemu%d" % os.getpid(),
                               "--huge-unlink", "--no-pci", "-m", "512", "--", "--ctl", ctl,
                               "--mbufs", "16384",
                               "--port", "vm1,vhost-user,path=%s,ofport=1" % os.path.join(d, "vm1.sock"),
                               "--port", "vm2,vhost-user,path=%s,queues=2,ofport=2"
                               % os.path.join(d, "vm2.sock")] + flows,
                              stdout=swlog, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append(sw)
        deadline = time.time() + 20
        while not os.path.exists(ctl) and time.time() < deadline and sw.poll() is None:
            time.sleep(0.1)
        if rules is None:
            out = vswctl_out("dump-flows")
            check("no --flows: the one rule is NORMAL", "priority=0 actions=NORMAL" in out
                  and len(out.strip().splitlines()) == 1, out)
        logs = []
        for i in (1, 2):
            log = os.path.join(d, "guest%d.log" % i)
            logs.append(log)
            q = subprocess.Popen(qemu_cmd(img, os.path.join(d, "vm%d.sock" % i), log,
                                          "10.9.0.%d" % i, "10.9.0.%d" % (3 - i),
                                          MACS[i - 1], queues=i, accel=accel),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            procs.append(q)
        deadline = time.time() + TIMEOUT
        outcome = {}
        while time.time() < deadline and len(outcome) < 2:
            for i, log in enumerate(logs):
                try:
                    text = open(log, errors="replace").read()
                except OSError:
                    text = ""
                if "VSW-PING-OK" in text:
                    outcome[i] = True
                elif "VSW-PING-FAIL" in text:
                    outcome[i] = False
            if all(p.poll() is not None for p in procs[1:]) and len(outcome) < 2:
                break
            time.sleep(1)
        if not outcome and all(p.poll() not in (None, 0) for p in procs[1:]):
            return None
        # Read while the guests still hold (vsw_hold=20): nothing has aged.
        fdb = vswctl_out("fdb-show")
        ports = vswctl_out("dump-ports")
        for i in (0, 1):
            ok = outcome.get(i, False)
            check("guest%d pings guest%d through vswd" % (i + 1, 2 - i), ok,
                  "%s\n%s" % ("no answer in %d s" % TIMEOUT if i not in outcome
                              else "ping failed", ports))
        if rules is None:
            rows = {tuple(line.split()[:3]) for line in fdb.splitlines()[1:] if line.strip()}
            check("fdb-show: guest1's MAC on port 1, guest2's on port 2 (VLAN 0)",
                  ("1", "0", MACS[0]) in rows and ("2", "0", MACS[1]) in rows
                  and not any(r[2] in MACS for r in rows - {("1", "0", MACS[0]),
                                                              ("2", "0", MACS[1])}), fdb)
        check("vswd still running", sw.poll() is None, "vswd exited")
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM if p is procs[0] else signal.SIGKILL)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        if keep:
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    print("[%s] %.0f s" % (case, time.time() - t0))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--case", choices=[c[0] for c in CASES], help="only this case")
    args = ap.parse_args()
    vswd = os.path.abspath(os.path.join(args.build, "vswd"))
    vswctl = os.path.abspath(os.path.join(args.build, "vswctl"))

    if not shutil.which("qemu-system-x86_64"):
        print("SKIP QEMU test: qemu-system-x86_64 is not installed")
        print("0 passed, 0 failed")
        return 0
    img = os.path.join(os.path.abspath(args.build), "guest")
    r = subprocess.run([os.path.join(REPO, "scripts", "build-guest-image"), img],
                       capture_output=True, text=True)
    if r.returncode:
        print("SKIP QEMU test: cannot build the guest image: " + r.stderr.strip())
        print("0 passed, 0 failed")
        return 0

    # TCG unless asked: a /dev/kvm is no promise that a stock kernel boots
    # (on the test machine it is kvm-pvm, whose guests need a PVM kernel:
    # ours hangs before its first console line).
    accel = os.environ.get("VSW_QEMU_ACCEL", "tcg")
    print("QEMU accelerator: %s" % accel)
    results = []
    for name, rules in CASES:
        if args.case and args.case != name:
            continue
        r = run_case(name, rules, img, vswd, vswctl, accel, args.keep)
        if r is None:
            print("SKIP QEMU test: QEMU could not start the guests")
            print("0 passed, 0 failed")
            return 0
        results += r
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
