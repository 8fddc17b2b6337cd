"""Byte-level packet construction helpers (struct only, no scapy).

Every function returns bytes.  Checksums are computed for real unless the
caller asks otherwise; the generator decides when to break things.
"""

import struct

ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_RARP = 0x8035
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8

IPPROTO_HOPOPTS = 0
IPPROTO_ICMP = 1
IPPROTO_IGMP = 2
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_GRE = 47
IPPROTO_ICMPV6 = 58
IPPROTO_NONE = 59
IPPROTO_DSTOPTS = 60
IPPROTO_OSPF = 89
IPPROTO_SCTP = 132

# Payload tag: 4 magic bytes followed by the 32-bit packet index.  Put at the
# very end of the payload so that it survives any header rewrite.
TAG_MAGIC = b"\xa5VsW"
TAG_LEN = 8


def make_tag(index):
    return TAG_MAGIC + struct.pack(">I", index)


def find_tag(frame):
    """Return the packet index tagged in 'frame', or None."""
    pos = frame.rfind(TAG_MAGIC)
    if pos < 0 or pos + TAG_LEN > len(frame):
        return None
    return struct.unpack_from(">I", frame, pos + 4)[0]


# ---------------------------------------------------------------- checksums

def csum_add(data, initial=0):
    """Ones-complement sum (not yet complemented) of 'data'."""
    if len(data) % 2:
        data = data + b"\0"
    total = initial + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def csum(data, initial=0):
    return (~csum_add(data, initial)) & 0xFFFF


def _crc32c_table():
    poly = 0x82F63B78
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mac_bytes(mac):
    return mac.to_bytes(6, "big")


def ip4_bytes(addr):
    return addr.to_bytes(4, "big")


def ip6_bytes(addr):
    return addr.to_bytes(16, "big")


# ---------------------------------------------------------------- layer 2

def eth(dst, src, vlans, ethertype):
    """Ethernet header; 'vlans' is a list of (tpid, tci), outermost first.
    'ethertype' may be an 802.3 length."""
    out = mac_bytes(dst) + mac_bytes(src)
    for tpid, tci in vlans:
        out += struct.pack("!HH", tpid, tci)
    return out + struct.pack("!H", ethertype)


def llc_snap(ethertype):
    return b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", ethertype)


def arp(op, sha, spa, tha, tpa, htype=1, ptype=ETH_P_IP, hlen=6, plen=4):
    return (struct.pack("!HHBBH", htype, ptype, hlen, plen, op)
            + mac_bytes(sha) + ip4_bytes(spa) + mac_bytes(tha)
            + ip4_bytes(tpa))


# ---------------------------------------------------------------- layer 3

def ipv4(src, dst, proto, payload, tos=0, ident=0, df=False, mf=False,
         frag_off=0, ttl=64, options=b"", ihl=None, tot_len=None,
         bad_csum=False):
    """IPv4 header + payload.  'frag_off' is in 8-byte units."""
    if len(options) % 4:
        options += b"\0" * (4 - len(options) % 4)
    hl = 20 + len(options)
    if ihl is None:
        ihl = hl // 4
    if tot_len is None:
        tot_len = hl + len(payload)
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_off & 0x1FFF)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), tos,
                      tot_len & 0xFFFF, ident, flags, ttl, proto, 0,
                      ip4_bytes(src), ip4_bytes(dst)) + options
    c = csum(hdr)
    if bad_csum:
        c ^= 0x5A5A
    hdr = hdr[:10] + struct.pack("!H", c) + hdr[12:]
    return hdr + payload


def ipv6(src, dst, nh, payload, tc=0, label=0, hlim=64, plen=None):
    if plen is None:
        plen = len(payload)
    first = (6 << 28) | ((tc & 0xFF) << 20) | (label & 0xFFFFF)
    return struct.pack("!IHBB16s16s", first, plen & 0xFFFF, nh, hlim,
                       ip6_bytes(src), ip6_bytes(dst)) + payload


def ipv6_ext(kind, nh, body_len=6, frag_off=0, m=False, ident=0,
             segs_left=0, addr=0):
    """One IPv6 extension header with next-header 'nh'.

    kind: 'hbh' / 'dst' (options: PadN), 'rt' (routing header: type 253
    with no addresses when segs_left is 0, otherwise a type-0 header
    carrying one address), 'frag'."""
    if kind == "frag":
        return struct.pack("!BBHI", nh, 0, ((frag_off & 0x1FFF) << 3)
                           | (1 if m else 0), ident)
    if kind == "rt":
        if segs_left:
            return (struct.pack("!BBBB", nh, 2, 0, segs_left) + b"\0" * 4
                    + ip6_bytes(addr))
        return struct.pack("!BBBB", nh, 0, 253, 0) + b"\0" * 4
    # Hop-by-hop or destination options: pad with one PadN option.
    total = 8 * ((2 + body_len + 7) // 8)
    padn = total - 2
    opts = b"\x01" + bytes([padn - 2]) + b"\0" * (padn - 2)
    return struct.pack("!BB", nh, total // 8 - 1) + opts


def pseudo4(src, dst, proto, length):
    return ip4_bytes(src) + ip4_bytes(dst) + struct.pack("!BBH", 0, proto,
                                                         length & 0xFFFF)


def pseudo6(src, dst, proto, length):
    return ip6_bytes(src) + ip6_bytes(dst) + struct.pack("!IxxxB", length,
                                                         proto)


# ---------------------------------------------------------------- layer 4

def tcp(sport, dport, flags, payload, pseudo, seq=0, ack=0, window=8192,
        options=b"", urg=0, bad_csum=False, data_off=None):
    """'flags' is the 12-bit field below the data offset (incl. NS and the
    three reserved bits)."""
    if len(options) % 4:
        options += b"\x01" * (4 - len(options) % 4)
    if data_off is None:
        data_off = 5 + len(options) // 4
    ctl = ((data_off & 0xF) << 12) | (flags & 0xFFF)
    hdr = struct.pack("!HHIIHHHH", sport, dport, seq, ack, ctl, window, 0,
                      urg) + options
    seg = hdr + payload
    c = csum(seg, csum_add(pseudo))
    if bad_csum:
        c ^= 0x1234
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def udp(sport, dport, payload, pseudo, zero_csum=False, bad_csum=False,
        length=None):
    if length is None:
        length = 8 + len(payload)
    seg = struct.pack("!HHHH", sport, dport, length & 0xFFFF, 0) + payload
    if zero_csum:
        c = 0
    else:
        c = csum(seg, csum_add(pseudo))
        if c == 0:
            c = 0xFFFF
        if bad_csum:
            c ^= 0x4321
    return seg[:6] + struct.pack("!H", c) + seg[8:]


def sctp(sport, dport, payload, vtag=0x11223344, bad_csum=False):
    # One DATA chunk carrying 'payload'.
    chunk_len = 16 + len(payload)
    chunk = struct.pack("!BBHIHHI", 0, 0x03, chunk_len, 1, 0, 0, 0) + payload
    if len(chunk) % 4:
        chunk += b"\0" * (4 - len(chunk) % 4)
    pkt = struct.pack("!HHII", sport, dport, vtag, 0) + chunk
    c = crc32c(pkt)
    if bad_csum:
        c ^= 0xDEADBEEF
    # SCTP stores the CRC32c in little-endian byte order.
    return pkt[:8] + struct.pack("<I", c) + pkt[12:]


def icmp4(icmp_type, code, body, bad_csum=False):
    msg = struct.pack("!BBH", icmp_type, code, 0) + body
    c = csum(msg)
    if bad_csum:
        c ^= 0x0F0F
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def icmp6(icmp_type, code, body, pseudo, bad_csum=False):
    msg = struct.pack("!BBH", icmp_type, code, 0) + body
    c = csum(msg, csum_add(pseudo))
    if bad_csum:
        c ^= 0x0F0F
    return msg[:2] + struct.pack("!H", c) + msg[4:]


def nd_option(opt_type, mac):
    return struct.pack("!BB", opt_type, 1) + mac_bytes(mac)


def tcp_options(rng):
    """A random but well-formed TCP option list."""
    opts = b""
    choices = rng.sample(["mss", "ws", "sackok", "ts", "nop"],
                         rng.randint(1, 4))
    for c in choices:
        if c == "mss":
            opts += struct.pack("!BBH", 2, 4, rng.choice([536, 1400, 1460]))
        elif c == "ws":
            opts += struct.pack("!BBB", 3, 3, rng.randint(0, 14))
        elif c == "sackok":
            opts += b"\x04\x02"
        elif c == "ts":
            opts += struct.pack("!BBII", 8, 10, rng.getrandbits(32),
                                rng.getrandbits(32))
        else:
            opts += b"\x01"
    if len(opts) % 4:
        opts += b"\x00" * (4 - len(opts) % 4)   # EOL padding
    return opts


def ipv4_options(rng):
    """A random IPv4 option list (multiple of 4 bytes)."""
    kind = rng.choice(["ra", "nop", "rr", "ts"])
    if kind == "ra":
        return b"\x94\x04\x00\x00"
    if kind == "nop":
        return b"\x01" * 4 * rng.randint(1, 3)
    if kind == "rr":
        n = rng.randint(1, 3)
        return (struct.pack("!BBB", 7, 3 + 4 * n, 4) + b"\0" * (4 * n)
                + b"\x00")
    return struct.pack("!BBBB", 68, 12, 5, 0) + b"\0" * 8
