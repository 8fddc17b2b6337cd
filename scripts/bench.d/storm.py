#!/usr/bin/python3
"""Miss-storm source for scripts/bench scenario e.

Sends never-repeating UDP/IPv4 frames into a kernel interface (one end of a
veth pair whose other end the switch reads with DPDK's net_af_packet) at a
fixed rate, until SIGTERM/SIGINT; then prints one JSON line with what it sent.

Every frame is a new flow: its source MAC (06:xx:xx:xx:xx:xx, locally
administered) and its 5-tuple (src 100.0.0.0 + n, sport 1024 + n >> 24) come
from a counter that never repeats within 2^40 frames.  So, unlike a replayed
pcap, each frame misses every cache the switch may have.

usage: storm.py IFACE RATE_PPS [START_COUNTER]
"""

import json
import struct
import sys

sys.dont_write_bytecode = True
from gen import frame  # noqa: E402
from pace import send_paced  # noqa: E402


def main():
    iface = sys.argv[1]
    rate = float(sys.argv[2])
    n0 = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    buf = bytearray(frame(0x64000000, 0x0A010001, 1024, 9))
    # IPv4 header checksum with src = 0, to be completed per frame.
    struct.pack_into("!I", buf, 26, 0)
    struct.pack_into("!H", buf, 24, 0)
    base_sum = sum(struct.unpack("!10H", bytes(buf[14:34])))
    pack = struct.pack_into

    def next_frame(k):
        n = n0 + k
        src = 0x64000000 + (n & 0xFFFFFF)
        pack("!HI", buf, 6, 0x0600 | (n >> 32) & 0xFF, n & 0xFFFFFFFF)
        c = base_sum + (src >> 16) + (src & 0xFFFF)
        c = (c & 0xFFFF) + (c >> 16)
        c = (c & 0xFFFF) + (c >> 16)
        pack("!HI", buf, 24, (~c) & 0xFFFF, src)
        pack("!H", buf, 34, 1024 + ((n >> 24) & 0xFFFF))
        return buf

    st = send_paced(iface, rate, next_frame)
    st["next"] = n0 + st["sent"]
    print(json.dumps(st), flush=True)


if __name__ == "__main__":
    main()
