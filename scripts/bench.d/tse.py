#!/usr/bin/python3
"""Tuple Space Explosion source for scripts/bench scenario tse.

Sends UDP/IPv4 frames into a kernel interface (one end of a veth pair whose
other end the switch reads with DPDK's net_af_packet, bonded with the
legitimate traffic's port so that both arrive on the same in_port) at a
fixed rate, until SIGTERM/SIGINT; then prints one JSON line with what it sent.

Each frame misses scenario f's allow-list (gen.rules_allow) in a chosen
way (Csikor et al., CoNEXT 2019): its source is one of the permitted
source prefixes with one bit of the prefix flipped, its destination one of
the permitted destination prefixes with one bit flipped, its service port
one of the permitted ports with one bit flipped; the bit positions are
drawn at random for every frame and the bits after them are random.  The
prefix tracking of a classifier un-wildcards each address up to the bit
that decides, so every combination of positions asks for a megaflow of its
own mask: hundreds of masks, each frame a new flow.  No frame is permitted
(each one is dropped by the default rule).

usage: tse.py IFACE RATE_PPS [SEED]
"""

import json
import random
import struct
import sys

sys.dont_write_bytecode = True
import gen  # noqa: E402
from pace import send_paced  # noqa: E402

SRC_PREFIXES = ((gen.ALLOW_HOST, 32), (gen.ALLOW_SRC20, 20))
DST_PREFIXES = ((gen.ALLOW_DST28, 28), (gen.ALLOW_DST24, 24))
SERVICE = gen.ALLOW_PORTS[:3]


def permitted(src, dst, dport):
    def inside(a, net, plen):
        return (a ^ net) >> (32 - plen) == 0
    return (dport in SERVICE or any(inside(src, n, p) for n, p in SRC_PREFIXES)
            or any(inside(dst, n, p) for n, p in DST_PREFIXES))


def off_by_one_bit(rng, net, plen, width=32):
    """'net' with one of its first 'plen' bits flipped, the bits after it random."""
    k = rng.randrange(plen)                     # flipped bit, from the top
    low = width - 1 - k
    v = net ^ (1 << low)
    return (v & ~((1 << low) - 1)) | rng.getrandbits(low) if low else v


def attack_tuple(rng):
    while True:
        src = off_by_one_bit(rng, *rng.choice(SRC_PREFIXES))
        dst = off_by_one_bit(rng, *rng.choice(DST_PREFIXES))
        dport = rng.choice(SERVICE) ^ (1 << rng.randrange(16))
        if not permitted(src, dst, dport):
            return src, dst, rng.randrange(1024, 65536), dport


def main():
    iface, rate = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    # Frames made ahead (a Python loop cannot build 30 000 a second and send
    # them too): 2^16 of them in turn, each time with the next source port
    # (no rule reads it: a new 5-tuple, the same megaflow unless its mask
    # is exact).
    frames = [bytearray(gen.frame(*attack_tuple(rng))) for _ in range(1 << 16)]

    def next_frame(n):
        f = frames[n & 0xFFFF]
        struct.pack_into("!H", f, 34, 1024 + n % 64512)
        return f

    print(json.dumps(send_paced(iface, rate, next_frame)), flush=True)


if __name__ == "__main__":
    main()
