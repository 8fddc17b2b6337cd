#!/usr/bin/python3
"""Two QEMU guests ping each other through vswd's vhost-user ports.

The guests are a Debian cloud kernel with a busybox initramfs built by
scripts/build-guest-image from Debian packages; QEMU runs under TCG (no
KVM here) with its RAM in a shared memfd, which vhost-user needs.  Each
guest sets its address from the kernel command line, pings the other and
prints VSW-PING-OK or VSW-PING-FAIL on its serial console.  Guest 2 has two
queue pairs (mq=on) of which its single vCPU enables one.

Skipped, with the reason, where QEMU is missing or the guest image cannot
be built.  Bounded: 150 s.  Usage: test_qemu.py [--build DIR] [--keep]
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


def qemu_cmd(img, sock, log, ip, peer, mac, queues=1):
    # vectors=0: QEMU 7.2 under TCG crashes starting vhost-user with MSI-X
    # vectors (msix_set_vector_notifiers in vhost_net_start); INTx works.
    mq = ",queues=%d" % queues if queues > 1 else ""
    return ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", "max", "-m", "256",
            "-smp", "1", "-object", "memory-backend-memfd,id=mem,size=256M,share=on",
            "-numa", "node,memdev=mem", "-kernel", os.path.join(img, "vmlinuz"),
            "-initrd", os.path.join(img, "initrd.gz"),
            "-append", "console=ttyS0 quiet vsw_ip=%s vsw_peer=%s vsw_hold=20" % (ip, peer),
            "-chardev", "socket,id=c0,path=%s" % sock,
            "-netdev", "vhost-user,id=n0,chardev=c0" + mq,
            "-device", "virtio-net-pci,netdev=n0,vectors=0,mac=%s%s" % (
                mac, ",mq=on" if queues > 1 else ""),
            "-display", "none", "-serial", "file:%s" % log, "-no-reboot"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--keep", action="store_true")
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

    d = tempfile.mkdtemp(prefix="vsw-qemu-")
    ctl = os.path.join(d, "vswd.ctl")
    rules = os.path.join(d, "rules")
    with open(rules, "w") as f:
        f.write("in_port=1,actions=output:2\nin_port=2,actions=output:1\n")
    procs = []
    results = []
    try:
        swlog = open(os.path.join(d, "vswd.log"), "w")
        sw = subprocess.Popen([vswd, "-l", "0,1", "--file-prefix", "vswqemu%d" % os.getpid(),
                               "--huge-unlink", "--no-pci", "-m", "512", "--", "--ctl", ctl,
                               "--mbufs", "16384",
                               "--port", "vm1,vhost-user,path=%s,ofport=1" % os.path.join(d, "vm1.sock"),
                               "--port", "vm2,vhost-user,path=%s,queues=2,ofport=2"
                               % os.path.join(d, "vm2.sock"),
                               "--flows", rules], stdout=swlog, stderr=subprocess.STDOUT,
                              start_new_session=True)
        procs.append(sw)
        deadline = time.time() + 20
        while not os.path.exists(ctl) and time.time() < deadline and sw.poll() is None:
            time.sleep(0.1)
        logs = []
        for i in (1, 2):
            log = os.path.join(d, "guest%d.log" % i)
            logs.append(log)
            q = subprocess.Popen(qemu_cmd(img, os.path.join(d, "vm%d.sock" % i), log,
                                          "10.9.0.%d" % i, "10.9.0.%d" % (3 - i),
                                          "52:54:00:00:00:0%d" % i, queues=i),
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
            print("SKIP QEMU test: QEMU could not start the guests")
            print("0 passed, 0 failed")
            return 0
        ports = subprocess.run([vswctl, "--ctl", ctl, "dump-ports"], capture_output=True,
                               text=True).stdout
        for i in (0, 1):
            ok = outcome.get(i, False)
            results.append(ok)
            print("%s guest%d pings guest%d through vswd%s" % (
                "ok  " if ok else "FAIL", i + 1, 2 - i,
                "" if ok else " (%s)\n%s" % ("no answer in %d s" % TIMEOUT if i not in outcome
                                             else "ping failed", ports)))
        alive = sw.poll() is None
        results.append(alive)
        print("%s vswd still running" % ("ok  " if alive else "FAIL"))
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM if p is procs[0] else signal.SIGKILL)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        if args.keep:
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
