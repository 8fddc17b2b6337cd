"""Random packets biased towards a rule set.

Most packets are built to satisfy one randomly chosen rule (values drawn
inside the rule's masks, random bits outside); some narrowly miss it (one bit
flipped inside a mask); the rest are random.  Every packet that has room
carries a unique payload tag (packets.make_tag) at its very end so that
outputs can be attributed to inputs.
"""

import struct

import packets as P
from rules import VLAN_CFI, FRAG_ANY, FRAG_LATER, FIELD_BITS


class Packet:
    __slots__ = ("index", "port", "data", "tagged", "desc")

    def __init__(self, index, port, data, tagged, desc):
        self.index = index
        self.port = port
        self.data = data
        self.tagged = tagged
        self.desc = desc


class PacketGen:
    def __init__(self, rng, pools, rules, nports=4, malformed_rate=0.05):
        self.rng = rng
        self.pools = pools
        self.rules = rules
        self.nports = nports
        self.malformed_rate = malformed_rate

    def _chance(self, p):
        return self.rng.random() < p

    # -------------------------------------------------------- field values
    def _want(self):
        """Concrete values for the fields some rule constrains, or {}."""
        r = self.rng
        if not self.rules or r.random() < 0.15:
            return {}, "random"
        rule = r.choice(self.rules)
        want = {}
        for f, (v, m) in rule.cons.items():
            bits = FIELD_BITS[f]
            want[f] = (v & m) | (r.getrandbits(bits) & ~m & ((1 << bits) - 1))
        desc = "rule#%d" % rule.index
        if want and r.random() < 0.12:
            # Near miss: flip one bit inside one constrained field's mask.
            f = r.choice(sorted(want))
            v, m = rule.cons[f]
            bits = [i for i in range(FIELD_BITS[f]) if m >> i & 1]
            if bits and f not in ("dl_type",):
                want[f] ^= 1 << r.choice(bits)
                desc += " nearmiss:%s" % f
        # Sometimes borrow a field or two from another rule as well.
        if r.random() < 0.2:
            other = r.choice(self.rules)
            for f, (v, m) in other.cons.items():
                if f not in want and f not in ("dl_type", "nw_proto"):
                    bits = FIELD_BITS[f]
                    want[f] = (v & m) | (r.getrandbits(bits) & ~m)
        return want, desc

    # -------------------------------------------------------- payload/tag
    def _payload(self, index, room=True, minlen=0):
        r = self.rng
        n = r.choice([0, 0, 4, 10, 18, 32, 64, r.randint(0, 200)])
        n = max(n, minlen)
        body = bytes(r.getrandbits(8) for _ in range(n))
        while P.TAG_MAGIC in body:
            body = body.replace(P.TAG_MAGIC, b"\0\0\0\0")
        return body + (P.make_tag(index) if room else b"")

    # -------------------------------------------------------- builders
    def _l2(self, want, index):
        r = self.rng
        dst = want.get("dl_dst", self.pools.mac())
        src = want.get("dl_src", self.pools.mac())
        tci = want.get("vlan_tci")
        if tci is not None and "vlan_tci" in want:
            ntags = (r.choice([1, 1, 1, 2]) if tci & VLAN_CFI else 0)
        else:
            ntags = r.choices([0, 1, 2], [60, 28, 12])[0]
            tci = VLAN_CFI | r.getrandbits(16)
        vlans = []
        if ntags:
            wire = tci & ~VLAN_CFI
            if self._chance(0.08):
                wire |= 0x1000          # DEI/CFI set on the wire
            vlans.append((r.choice([P.ETH_P_8021Q, P.ETH_P_8021Q,
                                    P.ETH_P_8021AD]), wire))
            if ntags == 2:
                vlans.append((r.choice([P.ETH_P_8021Q, P.ETH_P_8021Q,
                                        P.ETH_P_8021AD]),
                              r.getrandbits(16) & ~0x1000))
        return dst, src, vlans

    def _frame(self, dst, src, vlans, ethertype, body, snap=False):
        if snap:
            inner = P.llc_snap(ethertype) + body
            return P.eth(dst, src, vlans, len(inner)) + inner
        return P.eth(dst, src, vlans, ethertype) + body

    def _ip4(self, want, index, l4name):
        r = self.rng
        src = want.get("nw_src", self.pools.ip4_addr())
        dst = want.get("nw_dst", self.pools.ip4_addr())
        proto = want.get("nw_proto")
        if proto is None:
            proto = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1}.get(l4name)
        if proto is None:
            proto = r.choices([6, 17, 132, 1, 2, 47, 89, r.randrange(256)],
                              [30, 25, 6, 12, 3, 3, 2, 4])[0]
        tos = want.get("nw_tos", r.choice([0, 0, 0x10, 0xB8, 0x03,
                                           r.randrange(256)]))
        ttl = want.get("nw_ttl", r.choice([64, 64, 128, 255, 1, 0, 2,
                                           r.randrange(256)]))
        frag = want.get("ip_frag")
        if frag is None:
            frag = r.choices([0, FRAG_ANY, FRAG_ANY | FRAG_LATER],
                             [90, 5, 5])[0]
        if frag & FRAG_LATER:
            frag |= FRAG_ANY
        options = P.ipv4_options(r) if self._chance(0.1) else b""
        later = bool(frag & FRAG_LATER)
        first = bool(frag & FRAG_ANY) and not later
        mf = True if first else (later and self._chance(0.5))
        frag_off = r.randint(1, 180) if later else 0
        df = not frag and self._chance(0.3)
        desc = "ipv4 proto=%d" % proto
        if later:
            desc += " later-frag"
        elif first:
            desc += " first-frag"
        if options:
            desc += " opts"
        payload = self._payload(index)
        bad_l4 = self._chance(0.04)
        if later:
            l4 = payload
        else:
            l4, d = self._l4(want, index, proto, payload, bad_l4,
                             pseudo=lambda n: P.pseudo4(src, dst, proto, n),
                             v6=False)
            desc += d
        ip = P.ipv4(src, dst, proto, l4, tos=tos, ident=index & 0xFFFF,
                    df=df, mf=mf, frag_off=frag_off, ttl=ttl, options=options,
                    bad_csum=self._chance(0.03))
        return ip, desc, proto

    def _ip6(self, want, index, l4name):
        r = self.rng
        src = want.get("ipv6_src", self.pools.ip6_addr())
        dst = want.get("ipv6_dst", self.pools.ip6_addr())
        proto = want.get("nw_proto")
        if proto is None:
            proto = {"tcp": 6, "udp": 17, "sctp": 132, "icmp6": 58}.get(l4name)
        if proto is None:
            proto = r.choices([6, 17, 58, 132, 59, r.randrange(256)],
                              [25, 25, 30, 5, 3, 3])[0]
        if proto in (0, 43, 44, 60, 51, 50):
            proto = 59        # would be read as an extension header
        tc = want.get("nw_tos", r.choice([0, 0, 0xB8, 0x01, r.randrange(256)]))
        label = want.get("ipv6_label", index & 0xFFFFF)
        hlim = want.get("nw_ttl", r.choice([64, 255, 1, 0, 2,
                                            r.randrange(256)]))
        frag = want.get("ip_frag")
        if frag is None:
            frag = r.choices([0, FRAG_ANY, FRAG_ANY | FRAG_LATER],
                             [88, 6, 6])[0]
        if frag & FRAG_LATER:
            frag |= FRAG_ANY
        later = bool(frag & FRAG_LATER)
        exts = []
        if self._chance(0.25):
            exts = [e for e in ("hbh", "rt", "dst") if self._chance(0.45)]
        if frag & FRAG_ANY:
            exts.append("frag")
            if self._chance(0.3):
                exts.append("dst")
        desc = "ipv6 nh=%d" % proto
        if exts:
            desc += " ext=" + "+".join(exts)
        payload = self._payload(index)
        if later:
            l4 = payload
            desc += " later-frag"
        else:
            # The pseudo-header uses the final destination; with a routing
            # header that still has segments left, that is the address in
            # the routing header.
            l4, d = self._l4(want, index, proto, payload, self._chance(0.04),
                             pseudo=lambda n: P.pseudo6(src, dst, proto, n),
                             v6=True)
            desc += d
        # Build the extension header chain back to front.
        body = l4
        nh = proto
        for e in reversed(exts):
            if e == "frag":
                hdr = P.ipv6_ext("frag", nh, frag_off=(r.randint(1, 180)
                                                       if later else 0),
                                 m=(not later) or self._chance(0.5),
                                 ident=index)
                code = P.IPPROTO_FRAGMENT
            elif e == "rt":
                segs = 1 if self._chance(0.3) else 0
                hdr = P.ipv6_ext("rt", nh, segs_left=segs,
                                 addr=self.pools.ip6_addr())
                code = P.IPPROTO_ROUTING
            elif e == "hbh":
                hdr = P.ipv6_ext("hbh", nh, body_len=r.choice([4, 6, 12]))
                code = P.IPPROTO_HOPOPTS
            else:
                hdr = P.ipv6_ext("dst", nh, body_len=r.choice([4, 6, 12]))
                code = P.IPPROTO_DSTOPTS
            body = hdr + body
            nh = code
        ip = P.ipv6(src, dst, nh, body, tc=tc, label=label, hlim=hlim)
        return ip, desc, proto

    def _l4(self, want, index, proto, payload, bad, pseudo, v6):
        r = self.rng
        if proto == 6:
            sport = want.get("tp_src", self.pools.port())
            dport = want.get("tp_dst", self.pools.port())
            flags = want.get("tcp_flags")
            if flags is None:
                flags = r.choice([0x002, 0x012, 0x010, 0x018, 0x011, 0x004,
                                  0x014, 0x0C2, 0x029, r.getrandbits(9)])
            opts = P.tcp_options(r) if self._chance(0.3) else b""
            n = 20 + len(opts) + len(payload)
            seg = P.tcp(sport, dport, flags, payload, pseudo(n),
                        seq=r.getrandbits(32), ack=r.getrandbits(32),
                        window=r.getrandbits(16), options=opts, bad_csum=bad)
            return seg, " tcp %d>%d flags=%#x%s" % (sport, dport, flags,
                                                    " opts" if opts else "")
        if proto == 17:
            sport = want.get("tp_src", self.pools.port())
            dport = want.get("tp_dst", self.pools.port())
            zero = self._chance(0.03 if v6 else 0.25)
            seg = P.udp(sport, dport, payload, pseudo(8 + len(payload)),
                        zero_csum=zero, bad_csum=bad and not zero)
            return seg, " udp %d>%d%s" % (sport, dport,
                                          " csum=0" if zero else "")
        if proto == 132:
            sport = want.get("tp_src", self.pools.port())
            dport = want.get("tp_dst", self.pools.port())
            return (P.sctp(sport, dport, payload, vtag=r.getrandbits(32),
                           bad_csum=bad),
                    " sctp %d>%d" % (sport, dport))
        if proto == 1 and not v6:
            t = want.get("icmp_type", r.choice([0, 8, 3, 11, 5, 13,
                                                r.randrange(256)]))
            c = want.get("icmp_code", r.choice([0, 0, 0, 1, 3,
                                                r.randrange(256)]))
            body = struct.pack("!HH", index & 0xFFFF, r.getrandbits(16))
            return (P.icmp4(t, c, body + payload, bad_csum=bad),
                    " icmp %d/%d" % (t, c))
        if proto == 58 and v6:
            t = want.get("icmp_type")
            if t is None:
                t = r.choice([128, 129, 135, 136, 135, 136, 133, 134, 1, 3])
            c = want.get("icmp_code", 0 if self._chance(0.9)
                         else r.randrange(256))
            if t in (135, 136):
                target = want.get("nd_target", self.pools.ip6_addr())
                opts = b""
                kinds = []
                roll = r.random()
                if roll < 0.45:
                    kinds = [1 if t == 135 else 2]
                elif roll < 0.6:
                    kinds = [1, 2]
                elif roll < 0.68:
                    kinds = [1 if t == 135 else 2] * 2     # duplicate: invalid
                for k in kinds:
                    mac = want.get("nd_sll" if k == 1 else "nd_tll",
                                   self.pools.mac())
                    opts += P.nd_option(k, mac)
                flags = 0 if t == 135 else r.choice([0x60000000, 0x40000000,
                                                     0x20000000, 0])
                body = struct.pack("!I", flags) + P.ip6_bytes(target) + opts
                msg = body + payload
                return (P.icmp6(t, c, msg, pseudo(4 + len(msg)), bad_csum=bad),
                        " icmp6 %d/%d nd opts=%s" % (t, c, kinds))
            body = struct.pack("!HH", index & 0xFFFF, r.getrandbits(16))
            msg = body + payload
            return (P.icmp6(t, c, msg, pseudo(4 + len(msg)), bad_csum=bad),
                    " icmp6 %d/%d" % (t, c))
        if proto == 2 and not v6:
            body = struct.pack("!BBH4s", r.choice([0x11, 0x16, 0x17]), 0, 0,
                               P.ip4_bytes(self.pools.ip4_addr()))
            c = P.csum(body + payload)
            body = body[:2] + struct.pack("!H", c) + body[4:]
            return body + payload, " igmp"
        return payload, ""

    def _arp(self, want, index, rarp):
        r = self.rng
        op = want.get("arp_op", r.choice([1, 2, 1, 2, 3, 4, r.randrange(256),
                                          r.randrange(65536)]))
        sha = want.get("arp_sha", self.pools.mac())
        tha = want.get("arp_tha", self.pools.mac() if self._chance(0.5) else 0)
        spa = want.get("arp_spa", self.pools.ip4_addr())
        tpa = want.get("arp_tpa", self.pools.ip4_addr())
        kw = {}
        desc = ("rarp" if rarp else "arp") + " op=%d" % op
        if self._chance(0.05):
            kw = r.choice([{"hlen": 8}, {"ptype": 0x86DD}, {"htype": 6},
                           {"plen": 16}])
            desc += " odd:%s" % kw
        body = P.arp(op, sha, spa, tha, tpa, **kw)
        # ARP has no payload: the tag goes in the trailer after it.
        return body + P.make_tag(index), desc

    # -------------------------------------------------------- malformation
    def _malform(self, frame, l3off, kind_hint):
        """Break the packet in one of several ways; returns (frame, desc,
        still_tagged)."""
        r = self.rng
        choices = ["trunc"]
        if kind_hint in ("ipv4",):
            choices += ["bad_ihl", "totlen_big", "totlen_small", "l4_trunc",
                        "l4_trunc"]
        if kind_hint in ("ipv6",):
            choices += ["plen_big", "plen_small", "l4_trunc"]
        if kind_hint in ("arp",):
            choices += ["trunc"]
        kind = r.choice(choices)
        f = bytearray(frame)
        if kind == "trunc":
            n = r.randint(14, max(14, len(f) - 1))
            return bytes(f[:n]), "malformed:trunc(%d)" % n, False
        if kind == "bad_ihl":
            ihl = r.choice([0, 1, 4, 15, 14])
            f[l3off] = 0x40 | ihl
            return bytes(f), "malformed:ihl=%d" % ihl, True
        if kind == "totlen_big":
            tl = struct.unpack_from("!H", f, l3off + 2)[0]
            tl = min(0xFFFF, tl + r.choice([1, 4, 100, 1000]))
            struct.pack_into("!H", f, l3off + 2, tl)
            return bytes(f), "malformed:totlen=%d" % tl, True
        if kind == "totlen_small":
            ihl = (f[l3off] & 0xF) * 4
            tl = struct.unpack_from("!H", f, l3off + 2)[0]
            tl = r.randint(max(ihl, 20), max(ihl, tl - 1))
            struct.pack_into("!H", f, l3off + 2, tl)
            return bytes(f), "malformed:totlen=%d(short)" % tl, True
        if kind == "plen_big":
            pl = struct.unpack_from("!H", f, l3off + 4)[0]
            struct.pack_into("!H", f, l3off + 4, min(0xFFFF, pl + 50))
            return bytes(f), "malformed:plen+50", True
        if kind == "plen_small":
            pl = struct.unpack_from("!H", f, l3off + 4)[0]
            pl = r.randint(0, max(0, pl - 1))
            struct.pack_into("!H", f, l3off + 4, pl)
            return bytes(f), "malformed:plen=%d(short)" % pl, True
        # l4_trunc: cut inside the first bytes after the L3 header and make
        # the L3 length field agree, so that only L4 is short.
        if kind_hint == "ipv4":
            ihl = (f[l3off] & 0xF) * 4
            cut = r.randint(0, 19)
            n = l3off + ihl + cut
            f = f[:n]
            struct.pack_into("!H", f, l3off + 2, ihl + cut)
            struct.pack_into("!H", f, l3off + 10, 0)
            hdr = bytes(f[l3off:l3off + ihl])
            struct.pack_into("!H", f, l3off + 10, P.csum(hdr))
            return bytes(f), "malformed:l4_trunc(%d)" % cut, False
        cut = r.randint(0, 19)
        n = min(len(f), l3off + 40 + cut)
        f = f[:n]
        struct.pack_into("!H", f, l3off + 4, n - l3off - 40)
        return bytes(f), "malformed:l4_trunc(%d)" % (n - l3off - 40), False

    # -------------------------------------------------------- top level
    def packet(self, index):
        r = self.rng
        want, desc = self._want()
        port = want.get("in_port")
        if port is None or not 1 <= port <= self.nports:
            port = r.randint(1, self.nports)
        dl_type = want.get("dl_type")
        l4name = None
        if dl_type is None:
            fam = r.choices(["ip4", "ip6", "arp", "rarp", "llc", "eth"],
                            [55, 22, 10, 2, 5, 6])[0]
        else:
            fam = {0x0800: "ip4", 0x86DD: "ip6", 0x0806: "arp",
                   0x8035: "rarp"}.get(dl_type)
            if fam is None:
                fam = "llc" if dl_type < 0x600 else "eth"
        dst, src, vlans = self._l2(want, index)
        snap = fam in ("ip4", "ip6", "arp") and self._chance(0.04)
        tagged = True
        l3off = 14 + 4 * len(vlans) + (8 if snap else 0)
        if fam == "ip4":
            body, d, _ = self._ip4(want, index, l4name)
            et, kind = P.ETH_P_IP, "ipv4"
        elif fam == "ip6":
            body, d, _ = self._ip6(want, index, l4name)
            et, kind = P.ETH_P_IPV6, "ipv6"
        elif fam in ("arp", "rarp"):
            body, d = self._arp(want, index, fam == "rarp")
            et = P.ETH_P_ARP if fam == "arp" else P.ETH_P_RARP
            kind = "arp"
        elif fam == "llc":
            llc = r.choice([b"\x42\x42\x03", b"\xe0\xe0\x03", b"\xf0\xf0\x03",
                            b"\xaa\xaa\x03\x00\x00\x0c\x20\x00",
                            b"\xaa\xaa\x03\x00\x00\x00\x05\xdc"])
            body = llc + self._payload(index, minlen=4)
            frame = P.eth(dst, src, vlans, len(body)) + body
            return Packet(index, port, self._pad(frame), True,
                          desc + " 802.3/llc vlans=%d" % len(vlans))
        else:
            et = dl_type if dl_type is not None else r.choice(
                [0x88CC, 0x8847, 0x9000, 0x0842, 0x88B5, 0x8863])
            if et in (0x8100, 0x88A8, 0x9100):
                et = 0x88B5
            body = self._payload(index, minlen=4)
            frame = P.eth(dst, src, vlans, et) + body
            return Packet(index, port, self._pad(frame), True,
                          desc + " ethertype=%#06x vlans=%d"
                          % (et, len(vlans)))
        frame = self._frame(dst, src, vlans, et, body, snap=snap)
        desc += " %s%s vlans=%d" % (d, " snap" if snap else "", len(vlans))
        if r.random() < self.malformed_rate:
            frame, md, tagged = self._malform(frame, l3off, kind)
            desc += " " + md
        frame = self._pad(frame)
        return Packet(index, port, frame, tagged, desc)

    def _pad(self, frame):
        """Ethernet padding to 60 bytes, some of the time (padding after an
        IP packet is 'l2 padding' that the switch must carry along)."""
        if len(frame) < 60 and self._chance(0.5):
            fill = b"\0" if self._chance(0.7) else b"\x5a"
            frame += fill * (60 - len(frame))
        return frame

    def packets(self, n, repeat=0.0):
        """n packets; with 'repeat' > 0, that fraction are copies of one of
        the previous few (new index in the tag, same headers), so that the
        switch's caches are hit and not only filled."""
        out = []
        for i in range(n):
            if repeat and out and self.rng.random() < repeat:
                src = self.rng.choice(out[-8:])
                pos = src.data.rfind(P.TAG_MAGIC)
                if src.tagged and pos >= 0 and P.find_tag(src.data) == src.index:
                    data = src.data[:pos] + P.make_tag(i) + src.data[pos + P.TAG_LEN:]
                    out.append(Packet(i, src.port, data, True,
                                      src.desc + " (headers of packet %d)" % src.index))
                    continue
            out.append(self.packet(i))
        return out
