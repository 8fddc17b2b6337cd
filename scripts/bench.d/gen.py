"""Traffic and rule generator for scripts/bench (standard library only).

Everything here is deterministic: the same scenario always yields the same
pcap bytes and the same rule file, so vsw, Open vSwitch and testpmd are fed
identical inputs, in this run and in the next one.

Frames: 60-byte records (64 bytes on the wire with the FCS), Ethernet
02:00:00:00:00:01 -> 02:00:00:00:00:02, IPv4 (valid header checksum, TTL 64),
UDP (checksum 0 = none, legal for IPv4), 18 zero bytes of payload.

Flow i (0 <= i < n), one packet per flow, file order = i:
    src   172.16.0.0 + i % 65536
    dst   10.0.0.1   + i % 1000
    sport 1024 + i // 65536
    dport (80, 443, 53, 8080)[(i // 1000) % 4]
so 100 000 flows are 100 000 distinct 5-tuples over 65 536 sources, 1 000
destinations and every destination x port combination.
"""

import os
import struct

PORTS = (80, 443, 53, 8080)
SRC_BASE = 0xAC100000          # 172.16.0.0
DST_BASE = 0x0A000001          # 10.0.0.1
ETH_HDR = bytes.fromhex("020000000002" "020000000001" "0800")
FRAME_LEN = 60
PCAP_GLOBAL = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)


def ip_str(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def ip_csum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(src, dst, sport, dport, eth=ETH_HDR):
    """One 60-byte UDP/IPv4 frame."""
    ip = bytearray(struct.pack("!BBHHHBBHII", 0x45, 0, 46, 0, 0, 64, 17, 0, src, dst))
    struct.pack_into("!H", ip, 10, ip_csum(bytes(ip)))
    udp = struct.pack("!HHHH", sport, dport, 26, 0)
    f = eth + bytes(ip) + udp + bytes(18)
    assert len(f) == FRAME_LEN
    return f


def flow_tuple(i):
    return (SRC_BASE + i % 65536, DST_BASE + i % 1000, 1024 + i // 65536,
            PORTS[(i // 1000) % 4])


def write_pcap(path, frames):
    """Writes an iterable of frames; returns the packet count.  Atomic (tmp + rename)."""
    tmp = path + ".tmp%d" % os.getpid()
    n = 0
    with open(tmp, "wb") as f:
        f.write(PCAP_GLOBAL)
        rec = bytearray()
        for fr in frames:
            # Timestamps: 1 us apart, so the file is also readable by humans' tools.
            rec += struct.pack("<IIII", n // 1000000, n % 1000000, len(fr), len(fr))
            rec += fr
            n += 1
            if len(rec) > 1 << 20:
                f.write(rec)
                rec = bytearray()
        f.write(rec)
    os.replace(tmp, path)
    return n


def flows_pcap(path, n):
    return write_pcap(path, (frame(*flow_tuple(i)) for i in range(n)))


# ---- Scenario l2: two hosts' worth of MACs, one on each side of a NORMAL bridge. ----
#
# Host pair i (0 <= i < n): host A_i (MAC 02:00:0a:00:HH:LL, i = 0xHHLL) behind
# port 1, host B_i (02:00:0b:00:HH:LL) behind port 2.  Port 1's pcap holds, in
# order, one frame A_i -> B_i per pair (the UDP flow of flow_tuple(i):
# 172.16.0.0+i -> 10.0.0.1+i); port 2's pcap the reply B_i -> A_i (addresses and
# ports swapped).  Every destination MAC is the source of the other side's
# frames, so after the first round both sides are learned and every frame is
# unicast to the one other port (none is flooded, none moves).

def l2_mac(side, i):
    """Host i of side 'a' (port 1) or 'b' (port 2), as 6 bytes."""
    assert 0 <= i < 65536
    return bytes((0x02, 0x00, 0x0A if side == "a" else 0x0B, 0x00, i >> 8, i & 255))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def l2_pcaps(path_a, path_b, n):
    """Writes port 1's and port 2's pcaps of scenario l2 (n frames each)."""
    def frames(fwd):
        for i in range(n):
            src, dst, sport, dport = flow_tuple(i)
            a, b = l2_mac("a", i), l2_mac("b", i)
            if fwd:
                yield frame(src, dst, sport, dport, eth=b + a + b"\x08\x00")
            else:
                yield frame(dst, src, dport, sport, eth=a + b + b"\x08\x00")
    return write_pcap(path_a, frames(True)), write_pcap(path_b, frames(False))


# ---- Rule sets (ovs-ofctl syntax, one rule per line). ----

def rules_inport():
    return ["in_port=1,actions=output:2"]


def rules_inport_udp():
    return ["in_port=1,udp,actions=output:2"]


def rules_dst1000():
    """1 000 exact nw_dst rules (one per destination in the traffic) + a default drop."""
    r = ["priority=100,udp,nw_dst=%s,actions=output:2" % ip_str(DST_BASE + k)
         for k in range(1000)]
    r.append("priority=0,actions=drop")
    return r


def _prefix(base, span_bits, plen, x):
    """A /plen prefix inside base/(32-span_bits) chosen by x, aligned."""
    if plen == 0:
        return None
    off = (x % (1 << span_bits)) if span_bits else 0
    a = (base + off) & 0xFFFFFFFF
    mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF
    return a & mask


def _fmt_acl(prio, src, slen, dst, dlen, port, pmask, action):
    m = ["priority=%d" % prio, "udp"]
    if slen:
        m.append("nw_src=%s" % ip_str(src) + ("" if slen == 32 else "/%d" % slen))
    if dlen:
        m.append("nw_dst=%s" % ip_str(dst) + ("" if dlen == 32 else "/%d" % dlen))
    if pmask is not None:
        if pmask == 0xFFFF:
            m.append("tp_dst=%d" % port)
        else:
            m.append("tp_dst=0x%04x/0x%04x" % (port & pmask, pmask))
    return ",".join(m) + ",actions=" + action


# Deny rules: (nw_src, its prefix length, nw_dst, its length, tp_dst, tp_dst mask or
# None); together they hit ~0.2 % of the traffic.
ACL_DENY = [
    (0xAC10FF00, 24, 0x0A000000, 24, 53, 0xFFFF),      # 172.16.255.0/24 -> 10.0.0.0/24 :53
    (0xAC100780, 25, 0, 0, 8080, 0xFFFF),              # 172.16.7.128/25 -> any :8080
    (0xAC10C807, 32, 0x0A000200, 23, 0, None),         # 172.16.200.7 -> 10.0.2.0/23
    (0xC0A80000, 16, 0, 0, 0, None),                   # 192.168.0.0/16 (no traffic)
    (0, 0, 0x0A0003F0, 28, 0, None),                   # -> 10.0.3.240/28 (no traffic)
    (0xAC106440, 26, 0, 0, 0, 0xFC00),                 # 172.16.100.64/26 -> ports 0-1023
]
# Permit shapes: (nw_src prefix length, nw_dst prefix length, tp_dst mask or None).
# Source prefixes of 17..32 bits scattered over 172.16/16 make Open vSwitch's
# prefix tries un-wildcard many different numbers of bits: on OVS 3.1 this gives
# ~100 datapath masks and ~11 subtables probed per megaflow hit.
ACL_PERMIT_SHAPES = [
    (0, 32, 0xFFFF), (17, 30, 0xFFFF), (19, 24, 0xFFFF), (21, 26, 0xFFF0),
    (23, 25, 0xFFFF), (25, 32, None), (27, 24, 0xFF00), (29, 27, 0xFFFF),
    (31, 26, None), (32, 29, 0xFFFF), (30, 23, 0xFC00), (26, 28, 0xFF00),
]
ACL_PERMITS = 103


def rules_acl():
    """114 rules in 20 mask shapes: 6 deny (little traffic), 103 permits in 12
    shapes spread over the traffic, 4 broad permits (src /16, dst /22, one per
    port) that catch the rest, and a default drop."""
    rules = []
    prio = 30000
    for src, slen, dst, dlen, port, pmask in ACL_DENY:
        rules.append(_fmt_acl(prio, src, slen, dst, dlen, port, pmask, "drop"))
        prio -= 10
    ns = len(ACL_PERMIT_SHAPES)
    for si, (slen, dlen, pmask) in enumerate(ACL_PERMIT_SHAPES):
        count = ACL_PERMITS // ns + (1 if si < ACL_PERMITS % ns else 0)
        seen = set()
        j = 0
        while len(seen) < count:
            # Candidates from a fixed pseudo-random sequence; duplicates skipped.
            x = (j * 2654435761 + si * 40503 + 12345) & 0xFFFFFFFF
            y = (x * 1103515245 + 12345) & 0xFFFFFFFF
            j += 1
            assert j < 100000, "ACL shape %d has too few distinct rules" % si
            src = _prefix(0xAC100000, 16, slen, x >> 8) if slen >= 16 else \
                _prefix(0xAC100000, 0, slen, 0)
            dst = _prefix(0x0A000000, 10, dlen, (y >> 8) % 1001)
            port = PORTS[(x >> 4) % 4]
            r = _fmt_acl(0, src, slen, dst, dlen, port, pmask, "output:2")
            if r in seen:
                continue
            seen.add(r)
            rules.append(_fmt_acl(prio, src, slen, dst, dlen, port, pmask, "output:2"))
            prio -= 10
    for port in PORTS:
        rules.append(_fmt_acl(100, 0xAC100000, 16, 0x0A000000, 22, port, 0xFFFF, "output:2"))
    rules.append("priority=0,actions=drop")
    return rules


def acl_shapes(rules):
    """Distinct mask shapes (field names with their prefix/mask) of a rule list."""
    shapes = set()
    for r in rules:
        m = r.split(",actions=")[0].split(",")
        shape = []
        for f in m:
            if f.startswith("priority="):
                continue
            k, _, v = f.partition("=")
            if k in ("nw_src", "nw_dst"):
                shape.append("%s/%s" % (k, v.split("/")[1] if "/" in v else "32"))
            elif k == "tp_dst":
                shape.append("tp_dst/%s" % (v.split("/")[1] if "/" in v else "0xffff"))
            else:
                shape.append(k)
        shapes.add(tuple(shape))
    return shapes


# Scenario e: the cached flows' rules plus a storm port (ofport 3) whose rules
# force the source MAC into every datapath flow of that port (a higher-priority
# rule on dl_src is probed and fails at the L2 stage), so each storm packet,
# which carries a never-seen source MAC and 5-tuple, needs a new datapath flow.
STORM_DENY_MAC = "02:00:00:00:00:01"


def rules_storm():
    return [
        "priority=100,in_port=1,udp,actions=output:2",
        "priority=200,in_port=3,dl_src=%s,actions=drop" % STORM_DENY_MAC,
        "priority=100,in_port=3,actions=output:4",
    ]


# Scenario pipeline: a 4-table pipeline as a controller programs one (OVN and
# Neutron's agent look like this): table 0 classifies by in_port into
# metadata, table 1 is an ACL on it, table 2 routes by destination prefix
# (dec_ttl, next-hop MAC, the next hop's number into reg0), table 3 outputs
# by reg0.  Every flow of flows_pcap() is permitted and routed; the deny
# rules and the defaults see no traffic but are probed.
PIPELINE_HOPS = 4


def rules_pipeline():
    r = ["table=0,priority=100,in_port=1,actions=write_metadata:0x1/0xffffffff,goto_table:1",
         "table=0,priority=0,actions=drop",
         "table=1,priority=300,udp,metadata=0x1/0xffffffff,nw_src=172.16.255.0/24,tp_dst=53,"
         "actions=drop",
         "table=1,priority=290,ip,metadata=0x1/0xffffffff,nw_dst=10.0.4.0/24,actions=drop"]
    for port in PORTS:
        r.append("table=1,priority=200,udp,metadata=0x1/0xffffffff,nw_src=172.16.0.0/16,"
                 "tp_dst=%d,actions=goto_table:2" % port)
    r.append("table=1,priority=100,udp,metadata=0x1/0xffffffff,nw_src=172.16.0.0/16,"
             "actions=goto_table:2")
    r.append("table=1,priority=0,actions=drop")
    for hop in range(PIPELINE_HOPS):
        r.append("table=2,priority=24,ip,nw_dst=10.0.%d.0/24,actions=dec_ttl,"
                 "mod_dl_dst:02:00:00:00:01:%02x,load:%d->NXM_NX_REG0[],goto_table:3"
                 % (hop, hop + 1, hop + 1))
    r.append("table=2,priority=0,actions=drop")
    for hop in range(PIPELINE_HOPS):
        r.append("table=3,priority=10,reg0=%d,actions=output:2" % (hop + 1))
    r.append("table=3,priority=0,actions=drop")
    return r


# Scenario f: an allow-list as a user writes one: 7 permits in 5 mask shapes
# (three service ports, a host, a source /20, destinations /28 and /24) and
# a default drop.  Its 1 000 flows are spread so that every permit carries
# traffic and none is dropped: flow i has service port ALLOW_PORTS[i % 5];
# the three allowed ports come from anywhere, port 8080 from the /20 (or,
# one flow in 8, from the permitted host), port 5353 goes to the /24 or
# the /28.
ALLOW_PORTS = (80, 443, 53, 8080, 5353)
ALLOW_HOST = 0xC6336407        # 198.51.100.7
ALLOW_SRC20 = 0xAC100000       # 172.16.0.0/20
ALLOW_DST28 = 0xCB007100       # 203.0.113.0/28
ALLOW_DST24 = 0x0A000000       # 10.0.0.0/24


def rules_allow():
    r = ["priority=300,udp,tp_dst=%d,actions=output:2" % p for p in ALLOW_PORTS[:3]]
    r.append("priority=200,udp,nw_src=%s,actions=output:2" % ip_str(ALLOW_HOST))
    r.append("priority=200,udp,nw_src=%s/20,actions=output:2" % ip_str(ALLOW_SRC20))
    r.append("priority=200,udp,nw_dst=%s/28,actions=output:2" % ip_str(ALLOW_DST28))
    r.append("priority=200,udp,nw_dst=%s/24,actions=output:2" % ip_str(ALLOW_DST24))
    r.append("priority=0,actions=drop")
    return r


def allow_tuple(i):
    k = i // 5
    port = ALLOW_PORTS[i % 5]
    src = 0xC0000200 + (k * 37) % 65536            # 192.0.2.0 + ..., outside every prefix
    dst = 0xC6120000 + (k * 101) % 65536           # 198.18.0.0 + ..., likewise
    if port == 8080:
        src = ALLOW_HOST if k % 8 == 0 else ALLOW_SRC20 + (k * 97) % 4096
    elif port == 5353:
        dst = ALLOW_DST28 + k % 16 if k % 3 == 0 else ALLOW_DST24 + (k * 7) % 256
    return src, dst, 1024 + k, port


def allow_pcap(path, n):
    return write_pcap(path, (frame(*allow_tuple(i)) for i in range(n)))


def write_rules(path, rules):
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w") as f:
        f.write("\n".join(rules) + "\n")
    os.replace(tmp, path)
    return len(rules)


if __name__ == "__main__":
    import sys
    r = rules_acl()
    print(len(r), "rules,", len(acl_shapes(r)), "shapes")
    if len(sys.argv) > 1:
        print("\n".join(r))
