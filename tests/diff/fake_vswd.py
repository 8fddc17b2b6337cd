#!/usr/bin/python3
"""Stand-in for build/vswd used only to test the harness itself
(ovs_diff.py --self-test): it honours vswd's command-line and control
contract but forwards packets with a private Open vSwitch.

    fake_vswd.py <EAL args> -- --ctl SOCK --port NAME,DEVARGS,ofport=N ...
                 --flows FILE

The control socket answers "dump-ports" with ovs-ofctl dump-ports shaped
text.  Reads every rx_pcap, pushes the frames through OVS, and on SIGTERM
writes what OVS sent to each tx_pcap and exits 0.

FAKE_VSWD_CORRUPT=<rate> flips one byte in that fraction of output frames,
FAKE_VSWD_DROP=<rate> drops that fraction, to prove that the harness
notices; FAKE_VSWD_SHUFFLE=1 injects in a random order (to show that OVS's
results do not depend on arrival order).
"""

import os
import random
import signal
import socket
import sys
import tempfile
import threading

sys.dont_write_bytecode = True       # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ovs import Ovs                                  # noqa: E402
from pcapio import read_pcap, write_pcap             # noqa: E402


class Pkt:
    def __init__(self, port, data):
        self.port = port
        self.data = data


def parse(argv):
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    ctl = flows = None
    ports = {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--ctl":
            ctl = argv[i + 1]
            i += 2
        elif a == "--flows":
            flows = argv[i + 1]
            i += 2
        elif a == "--port":
            parts = argv[i + 1].split(",")
            kv = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
            ports[int(kv["ofport"])] = kv
            i += 2
        else:
            sys.exit("fake_vswd: unknown argument %s" % a)
    if not ctl or not flows or not ports:
        sys.exit("fake_vswd: need --ctl, --flows and --port")
    return ctl, flows, ports


def main():
    ctl, flows, ports = parse(sys.argv[1:])
    rng = random.Random(1234)
    corrupt = float(os.environ.get("FAKE_VSWD_CORRUPT", "0"))
    drop = float(os.environ.get("FAKE_VSWD_DROP", "0"))
    work = tempfile.mkdtemp(prefix="fakevswd-", dir="/tmp")
    ovs = Ovs(work, max(ports), log=lambda *a: None)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda s, f: stop.set())
    srv = None
    try:
        ovs.start()
        ovs.add_flows(flows)
        pkts = []
        expected = {}
        for port, kv in sorted(ports.items()):
            frames = read_pcap(kv["rx_pcap"])
            expected[port] = len(frames)
            pkts += [Pkt(port, f) for f in frames]
        if os.environ.get("FAKE_VSWD_SHUFFLE"):
            # Different interleaving and per-port order than the harness's
            # own OVS run: proves OVS's verdicts do not depend on order.
            rng.shuffle(pkts)
        ovs.inject(pkts)
        ovs.wait_idle(expected)
        stats_text = ovs.ofctl("dump-ports", ovs.mgmt).stdout
        outputs = ovs.outputs()

        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(ctl)
        srv.listen(4)
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                continue
            with conn:
                cmd = conn.recv(1024).decode().strip()
                if cmd == "dump-ports":
                    conn.sendall(stats_text.encode())
                else:
                    conn.sendall(b"error: unknown command\n")
        for port, kv in ports.items():
            frames = []
            for f in outputs.get(port, []):
                if rng.random() < drop:
                    continue
                if rng.random() < corrupt:
                    b = bytearray(f)
                    b[rng.randrange(len(b))] ^= 0x01
                    f = bytes(b)
                frames.append(f)
            write_pcap(kv["tx_pcap"], frames)
    finally:
        if srv is not None:
            srv.close()
        ovs.stop()
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
