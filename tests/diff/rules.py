"""Random OpenFlow rule sets in ovs-ofctl flow syntax.

Each generated Rule keeps, besides its text, a canonical view of its match
('cons': field -> (value, mask) over the field's bits, the same meaning the
field has in OVS's flow) so that

  * two rules sharing a priority can be proven disjoint (OpenFlow leaves the
    choice between overlapping equal-priority rules undefined, so the
    differential test must never depend on it), and
  * the packet generator can build packets that hit (or narrowly miss) a
    rule.

Field names in 'cons' are our own; fields that OVS stores in the same place
(e.g. arp_spa and nw_src) are kept under different names, which can only
make the disjointness test more conservative, never wrong.
"""

import ipaddress

FIELD_BITS = {
    "in_port": 16, "dl_src": 48, "dl_dst": 48, "dl_type": 16,
    "vlan_tci": 16, "nw_proto": 8, "nw_src": 32, "nw_dst": 32,
    "ipv6_src": 128, "ipv6_dst": 128, "ipv6_label": 20, "nw_tos": 8,
    "nw_ttl": 8, "ip_frag": 2, "tp_src": 16, "tp_dst": 16, "tcp_flags": 12,
    "icmp_type": 8, "icmp_code": 8, "arp_op": 16, "arp_spa": 32,
    "arp_tpa": 32, "arp_sha": 48, "arp_tha": 48, "nd_target": 128,
    "nd_sll": 48, "nd_tll": 48,
}

VLAN_CFI = 0x1000          # OVS: "a VLAN header is present"
FRAG_ANY, FRAG_LATER = 1, 2
IP_FRAG_VALUES = {         # ip_frag keyword -> (value, mask) on the 2 bits
    "no": (0, FRAG_ANY),
    "yes": (FRAG_ANY, FRAG_ANY),
    "first": (FRAG_ANY, FRAG_ANY | FRAG_LATER),
    "later": (FRAG_ANY | FRAG_LATER, FRAG_ANY | FRAG_LATER),
    "not_later": (0, FRAG_LATER),
}
TCP_FLAG_BITS = {"fin": 0x001, "syn": 0x002, "rst": 0x004, "psh": 0x008,
                 "ack": 0x010, "urg": 0x020, "ece": 0x040, "cwr": 0x080,
                 "ns": 0x100}

DEFAULT_PRIORITY = 32768


def full(field):
    return (1 << FIELD_BITS[field]) - 1


def prefix_mask(bits, plen):
    return ((1 << bits) - 1) ^ ((1 << (bits - plen)) - 1)


def fmt_mac(v):
    return ":".join("%02x" % b for b in v.to_bytes(6, "big"))


def fmt_ip4(v):
    return str(ipaddress.IPv4Address(v))


def fmt_ip6(v):
    return str(ipaddress.IPv6Address(v))


class Rule:
    def __init__(self):
        self.priority = None        # None: not written, OVS uses 32768
        self.cookie = None
        self.tokens = []            # match text tokens, in output order
        self.cons = {}              # field -> (value, mask)
        self.actions = []           # action text tokens
        self.family = "l2"          # l2 ip4 ip6 arp rarp llc eth
        self.l4 = None              # tcp udp sctp icmp icmp6 or None
        self.index = None           # line index in the rules file
        self.lineno = None
        self.replaces = None        # the earlier Rule this one overrides

    @property
    def prio(self):
        return DEFAULT_PRIORITY if self.priority is None else self.priority

    def add(self, field, value, mask, token):
        mask &= full(field)
        value &= mask
        if field in self.cons:
            v0, m0 = self.cons[field]
            value, mask = (v0 & ~mask) | value, m0 | mask
        self.cons[field] = (value, mask)
        if token is not None:
            self.tokens.append(token)

    def match_text(self):
        return ",".join(self.tokens)

    def text(self):
        parts = []
        if self.priority is not None:
            parts.append("priority=%d" % self.priority)
        if self.cookie is not None:
            parts.append("cookie=%#x" % self.cookie)
        parts.extend(self.tokens)
        head = ",".join(parts)
        acts = "actions=" + (",".join(self.actions) if self.actions
                             else "drop")
        return head + "," + acts if head else acts


def may_overlap(a, b):
    """False if no packet can match both rules (proof by some field that
    both constrain to different values)."""
    for field, (va, ma) in a.cons.items():
        cb = b.cons.get(field)
        if cb is not None:
            vb, mb = cb
            if (va ^ vb) & ma & mb:
                return False
    return True


class Pools:
    """Per-round value pools shared by rules and packets so that they meet."""

    def __init__(self, rng):
        self.rng = rng
        r = rng
        self.macs = [r.getrandbits(48) & ~(1 << 40) for _ in range(10)]
        self.macs += [0xFFFFFFFFFFFF, 0x01005E000001, 0x333300000001,
                      0x0180C2000000]
        nets = [0x0A000000, 0x0A010000, 0x0A0A0A00, 0xC0A80100, 0xC0A80000,
                0xAC100000, 0x08080800, 0xE0000000]
        self.ip4 = [0, 0xFFFFFFFF]
        for _ in range(22):
            n = r.choice(nets)
            self.ip4.append(n | r.getrandbits(r.choice([2, 8, 12, 16])))
        p6 = [0x20010DB8 << 96, 0xFE80 << 112, 0xFF02 << 112,
              0x20010DB8000A << 80, 0xFD00 << 112]
        self.ip6 = [0, 1]
        for _ in range(14):
            self.ip6.append(r.choice(p6)
                            | r.getrandbits(r.choice([8, 16, 64])))
        self.ports = [0, 20, 21, 22, 53, 67, 68, 80, 123, 443, 1024, 2152,
                      4789, 5060, 8080, 65535]
        self.ports += [r.randrange(1024, 65536) for _ in range(6)]

    def mac(self):
        r = self.rng
        return r.choice(self.macs) if r.random() < 0.8 else r.getrandbits(48)

    def ip4_addr(self):
        r = self.rng
        return r.choice(self.ip4) if r.random() < 0.85 else r.getrandbits(32)

    def ip6_addr(self):
        r = self.rng
        return r.choice(self.ip6) if r.random() < 0.85 else r.getrandbits(128)

    def port(self):
        r = self.rng
        return r.choice(self.ports) if r.random() < 0.8 else r.getrandbits(16)


class RuleGen:
    def __init__(self, rng, pools, nports=4, ports_only=False):
        self.rng = rng
        self.pools = pools
        self.nports = nports
        # Matches on in_port, MACs, ethertype, IP protocol and IPv4
        # fragment bits only (any actions): the port-to-port rules of a VM
        # switch, whose megaflows vswd looks up after a shallow parse.
        self.ports_only = ports_only

    # ------------------------------------------------------------ helpers
    def _chance(self, p):
        return self.rng.random() < p

    def _int_token(self, name, value, bits, masked_ok=True):
        """name=value or name=value/mask in decimal or hex; returns
        (token, value, mask)."""
        r = self.rng
        top = (1 << bits) - 1
        if masked_ok and r.random() < 0.3:
            kind = r.random()
            if kind < 0.6:       # prefix-style mask
                mask = prefix_mask(bits, r.randint(1, bits))
            else:                # arbitrary mask
                mask = r.getrandbits(bits) | 1
            if mask == 0:
                mask = top
            v = value if r.random() < 0.7 else value & mask
            if r.random() < 0.5:
                return "%s=%#x/%#x" % (name, v, mask), v, mask
            return "%s=%d/%d" % (name, v, mask), v, mask
        if r.random() < 0.3:
            return "%s=%#x" % (name, value), value, top
        return "%s=%d" % (name, value), value, top

    def _ip4_token(self, name, field, rule):
        r = self.rng
        addr = self.pools.ip4_addr()
        roll = r.random()
        if roll < 0.25:
            rule.add(field, addr, 0xFFFFFFFF, "%s=%s" % (name, fmt_ip4(addr)))
            return
        if roll < 0.85:
            plen = r.choice([0, 1, 4, 7, 8, 8, 12, 15, 16, 16, 20, 23, 24,
                             24, 25, 28, 30, 31, 32])
            plen = plen if r.random() < 0.8 else r.randint(0, 32)
            mask = prefix_mask(32, plen)
            v = addr if r.random() < 0.3 else addr & mask
            if r.random() < 0.15 and plen:
                tok = "%s=%s/%s" % (name, fmt_ip4(v), fmt_ip4(mask))
            else:
                tok = "%s=%s/%d" % (name, fmt_ip4(v), plen)
            rule.add(field, v, mask, tok)
            return
        # Arbitrary (non-contiguous) dotted mask.
        mask = r.choice([0xFF00FF00, 0x00FF00FF, 0xFFFF00FF, 0xF0F0F0F0,
                         0x0000FFFF, 0xFF0000FF, r.getrandbits(32)])
        rule.add(field, addr, mask,
                 "%s=%s/%s" % (name, fmt_ip4(addr & mask if r.random() < 0.5
                                             else addr), fmt_ip4(mask)))

    def _ip6_token(self, name, field, rule):
        r = self.rng
        addr = self.pools.ip6_addr()
        if r.random() < 0.3:
            rule.add(field, addr, full(field), "%s=%s" % (name, fmt_ip6(addr)))
            return
        plen = r.choice([0, 8, 16, 32, 48, 56, 64, 64, 96, 112, 120, 127,
                         128, r.randint(0, 128)])
        mask = prefix_mask(128, plen)
        rule.add(field, addr & mask, mask,
                 "%s=%s/%d" % (name, fmt_ip6(addr & mask), plen))

    def _mac_token(self, name, field, rule):
        r = self.rng
        mac = self.pools.mac()
        if r.random() < 0.6:
            rule.add(field, mac, full(field), "%s=%s" % (name, fmt_mac(mac)))
            return
        mask = r.choice([0x010000000000, 0xFEFFFFFFFFFF, 0xFFFFFF000000,
                         0xFFFFFFFFFF00, 0x0000000000FF, r.getrandbits(48)])
        v = mac if r.random() < 0.5 else mac & mask
        rule.add(field, v, mask,
                 "%s=%s/%s" % (name, fmt_mac(v), fmt_mac(mask)))

    def _port_token(self, name, field, rule):
        tok, v, m = self._int_token(name, self.pools.port(), 16)
        rule.add(field, v, m, tok)

    # ------------------------------------------------------------ matches
    def _proto(self, rule):
        """Choose the rule's family and write the protocol part."""
        r = self.rng
        fam = r.choices(
            ["l2", "ip4", "tcp", "udp", "sctp", "icmp", "ip4proto", "ip6",
             "tcp6", "udp6", "icmp6", "sctp6", "arp", "rarp", "llc", "eth"],
            [12, 9, 14, 10, 4, 6, 3, 5, 6, 5, 6, 2, 6, 2, 1, 2])[0]
        short = r.random() < 0.7
        ip4_proto = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1}
        ip6_proto = {"tcp6": 6, "udp6": 17, "icmp6": 58, "sctp6": 132}
        if fam == "l2":
            return
        if fam == "ip4":
            rule.family = "ip4"
            rule.add("dl_type", 0x0800, 0xFFFF,
                     "ip" if short else "dl_type=0x0800")
        elif fam in ip4_proto:
            rule.family, rule.l4 = "ip4", fam
            proto = ip4_proto[fam]
            if short:
                rule.add("dl_type", 0x0800, 0xFFFF, fam)
                rule.add("nw_proto", proto, 0xFF, None)
            else:
                rule.add("dl_type", 0x0800, 0xFFFF,
                         r.choice(["ip", "dl_type=0x0800", "dl_type=2048"]))
                rule.add("nw_proto", proto, 0xFF, "nw_proto=%d" % proto)
        elif fam == "ip4proto":
            rule.family = "ip4"
            proto = r.choice([2, 47, 89, 50, 0, 255, r.randrange(256)])
            rule.add("dl_type", 0x0800, 0xFFFF, "ip")
            rule.add("nw_proto", proto, 0xFF, "nw_proto=%d" % proto)
            rule.l4 = {6: "tcp", 17: "udp", 132: "sctp", 1: "icmp"}.get(proto)
        elif fam == "ip6":
            rule.family = "ip6"
            rule.add("dl_type", 0x86DD, 0xFFFF,
                     "ipv6" if short else "dl_type=0x86dd")
        elif fam in ip6_proto:
            rule.family, rule.l4 = "ip6", fam[:-1]
            proto = ip6_proto[fam]
            if short and fam != "sctp6":
                rule.add("dl_type", 0x86DD, 0xFFFF, fam)
                rule.add("nw_proto", proto, 0xFF, None)
            else:
                rule.add("dl_type", 0x86DD, 0xFFFF,
                         r.choice(["ipv6", "dl_type=0x86dd"]))
                rule.add("nw_proto", proto, 0xFF, "nw_proto=%d" % proto)
        elif fam in ("arp", "rarp"):
            rule.family = fam
            et = 0x0806 if fam == "arp" else 0x8035
            rule.add("dl_type", et, 0xFFFF,
                     fam if short else "dl_type=%#06x" % et)
        elif fam == "llc":
            rule.family = "llc"
            rule.add("dl_type", 0x05FF, 0xFFFF, "dl_type=0x05ff")
        else:
            rule.family = "eth"
            et = r.choice([0x88CC, 0x8847, 0x9000, 0x0842, 0x88B5])
            rule.add("dl_type", et, 0xFFFF, "dl_type=%#06x" % et)

    def _port_and_macs(self, rule, p_port):
        """in_port with probability p_port, then dl_src and dl_dst."""
        if self._chance(p_port):
            p = self.rng.randint(1, self.nports)
            rule.add("in_port", p, 0xFFFF, "in_port=%d" % p)
        if self._chance(0.15):
            self._mac_token("dl_src", "dl_src", rule)
        if self._chance(0.15):
            self._mac_token("dl_dst", "dl_dst", rule)

    def _ip_frag(self, rule, p):
        if self._chance(p):
            kw = self.rng.choice(list(IP_FRAG_VALUES))
            v, m = IP_FRAG_VALUES[kw]
            rule.add("ip_frag", v, m, "ip_frag=%s" % kw)

    def _l2(self, rule):
        r = self.rng
        self._port_and_macs(rule, 0.4)
        if self._chance(0.25):
            kind = r.choices(["vid", "pcp", "both", "tci", "none"],
                             [10, 4, 3, 4, 4])[0]
            if kind in ("vid", "both"):
                vid = r.choice([0, 1, 5, 10, 100, 4095, r.randrange(4096)])
                rule.add("vlan_tci", VLAN_CFI | vid, 0x1FFF,
                         "dl_vlan=%d" % vid)
            if kind in ("pcp", "both"):
                pcp = r.randrange(8)
                rule.add("vlan_tci", VLAN_CFI | (pcp << 13), 0xF000,
                         "dl_vlan_pcp=%d" % pcp)
            if kind == "none":
                rule.add("vlan_tci", 0, 0x1FFF, "dl_vlan=0xffff")
            if kind == "tci":
                v, m = r.choice([
                    (0x0000, 0x1000), (0x1000, 0x1000), (0x0000, 0xFFFF),
                    (VLAN_CFI | r.randrange(4096), 0x1FFF),
                    (VLAN_CFI | r.getrandbits(16), 0xFFFF),
                    (VLAN_CFI | r.getrandbits(16), r.getrandbits(16)
                     | VLAN_CFI)])
                v &= m
                rule.add("vlan_tci", v, m, "vlan_tci=%#06x/%#06x" % (v, m)
                         if m != 0xFFFF else "vlan_tci=%#06x" % v)

    def _ip_common(self, rule):
        r = self.rng
        if self._chance(0.12):
            kind = r.choice(["tos", "dscp", "ecn", "dscp+ecn"])
            if kind == "tos":
                t = r.randrange(0, 256, 4)
                if self._chance(0.1):
                    t |= r.randint(1, 3)    # OVS ignores the ECN bits here
                rule.add("nw_tos", t, 0xFC, "nw_tos=%d" % t)
            if kind in ("dscp", "dscp+ecn"):
                d = r.choice([0, 10, 46, 63, r.randrange(64)])
                rule.add("nw_tos", d << 2, 0xFC, "ip_dscp=%d" % d)
            if kind in ("ecn", "dscp+ecn"):
                e = r.randrange(4)
                rule.add("nw_tos", e, 0x03, "nw_ecn=%d" % e)
        if self._chance(0.06):
            t = r.choice([0, 1, 2, 64, 255, r.randrange(256)])
            rule.add("nw_ttl", t, 0xFF, "nw_ttl=%d" % t)
        self._ip_frag(rule, 0.1)

    def _l4(self, rule):
        r = self.rng
        if rule.l4 in ("tcp", "udp", "sctp"):
            if self._chance(0.35):
                self._port_token("tp_src", "tp_src", rule)
            if self._chance(0.5):
                self._port_token("tp_dst", "tp_dst", rule)
            if rule.l4 == "tcp" and self._chance(0.15):
                if self._chance(0.6):
                    names = r.sample(sorted(TCP_FLAG_BITS), r.randint(1, 3))
                    v = m = 0
                    tok = ""
                    for n in names:
                        on = self._chance(0.6)
                        tok += ("+" if on else "-") + n
                        m |= TCP_FLAG_BITS[n]
                        v |= TCP_FLAG_BITS[n] if on else 0
                    rule.add("tcp_flags", v, m, "tcp_flags=" + tok)
                else:
                    m = r.choice([0xFFF, 0x0FF, 0x017, 0x012, 0x003,
                                  r.getrandbits(12) | 1])
                    v = r.choice([0x002, 0x012, 0x010, 0x011, 0x004,
                                  r.getrandbits(12)]) & m
                    tok = ("tcp_flags=%#05x" % v if m == 0xFFF
                           else "tcp_flags=%#05x/%#05x" % (v, m))
                    rule.add("tcp_flags", v, m, tok)
        elif rule.l4 == "icmp":
            if self._chance(0.5):
                t = r.choice([0, 3, 8, 11, 5, r.randrange(256)])
                rule.add("icmp_type", t, 0xFF, "icmp_type=%d" % t)
            if self._chance(0.3):
                c = r.choice([0, 0, 1, 3, r.randrange(256)])
                rule.add("icmp_code", c, 0xFF, "icmp_code=%d" % c)
        elif rule.l4 == "icmp6":
            roll = r.random()
            if roll < 0.4:
                t = r.choice([135, 136])
                rule.add("icmp_type", t, 0xFF, "icmp_type=%d" % t)
                rule.add("icmp_code", 0, 0xFF, "icmp_code=0")
                if self._chance(0.6):
                    self._ip6_token("nd_target", "nd_target", rule)
                    # nd_target only allows exact or CIDR; fine either way.
                if self._chance(0.3):
                    mac = self.pools.mac()
                    name = "nd_sll" if t == 135 else "nd_tll"
                    rule.add(name, mac, full(name), "%s=%s" % (name,
                                                               fmt_mac(mac)))
            elif roll < 0.75:
                t = r.choice([1, 2, 3, 128, 129, 133, 134, 135, 136,
                              r.randrange(256)])
                rule.add("icmp_type", t, 0xFF, "icmp_type=%d" % t)
                if self._chance(0.3):
                    c = r.choice([0, 1, 4])
                    rule.add("icmp_code", c, 0xFF, "icmp_code=%d" % c)

    def _arp(self, rule):
        r = self.rng
        if self._chance(0.4):
            op = r.choice([1, 2, 1, 2, 3, 4, r.randrange(256)])
            rule.add("arp_op", op, 0xFFFF, "arp_op=%d" % op)
        for name in ("arp_spa", "arp_tpa"):
            if self._chance(0.4):
                self._ip4_token(name, name, rule)
        for name in ("arp_sha", "arp_tha"):
            if self._chance(0.2):
                self._mac_token(name, name, rule)

    def _match(self, rule):
        r = self.rng
        if self.ports_only:
            self._port_and_macs(rule, 0.8)
            if self._chance(0.4):
                t = r.choice([0x0800, 0x0800, 0x0806, 0x86dd, 0x88b5, 0x8100])
                rule.add("dl_type", t, 0xFFFF, "dl_type=%#06x" % t)
                if t == 0x0800:
                    rule.family = "ip4"
                    if self._chance(0.4):
                        proto = r.choice([6, 17, 1, 47])
                        rule.add("nw_proto", proto, 0xFF, "nw_proto=%d" % proto)
                        rule.l4 = {6: "tcp", 17: "udp", 1: "icmp"}.get(proto)
                    self._ip_frag(rule, 0.5)
            return
        self._proto(rule)
        self._l2(rule)
        if rule.family == "ip4":
            if self._chance(0.55):
                self._ip4_token("nw_src", "nw_src", rule)
            if self._chance(0.55):
                self._ip4_token("nw_dst", "nw_dst", rule)
            self._ip_common(rule)
            self._l4(rule)
        elif rule.family == "ip6":
            if self._chance(0.5):
                self._ip6_token("ipv6_src", "ipv6_src", rule)
            if self._chance(0.5):
                self._ip6_token("ipv6_dst", "ipv6_dst", rule)
            if self._chance(0.1):
                tok, v, m = self._int_token("ipv6_label",
                                            r.getrandbits(20), 20)
                rule.add("ipv6_label", v, m, tok)
            self._ip_common(rule)
            self._l4(rule)
        elif rule.family in ("arp", "rarp"):
            self._arp(rule)
        # Shuffle a little so that field order is not always canonical, but
        # keep the protocol keyword first most of the time.
        if rule.tokens and self._chance(0.3):
            head, tail = rule.tokens[:1], rule.tokens[1:]
            r.shuffle(tail)
            rule.tokens = head + tail

    # ------------------------------------------------------------ actions
    def _actions(self, rule):
        r = self.rng
        vlan = None
        if "vlan_tci" in rule.cons:
            v, m = rule.cons["vlan_tci"]
            if m & VLAN_CFI:
                vlan = bool(v & VLAN_CFI)
        ip4 = rule.family == "ip4"
        ip6 = rule.family == "ip6"
        l4 = rule.l4 if rule.l4 in ("tcp", "udp", "sctp") else None
        acts = []
        if self._chance(0.07):
            return acts                       # drop
        n = r.choices([1, 2, 3, 4, 5, 6, 8], [20, 22, 20, 14, 10, 8, 6])[0]
        outputs = 0
        for i in range(n):
            kinds = ["output", "output", "output", "in_port", "l2", "vlan"]
            if ip4 or ip6:
                kinds += ["l3", "tos", "ttl"]
            if l4:
                kinds += ["l4", "l4"]
            k = r.choice(kinds)
            if i == n - 1 and outputs == 0 and self._chance(0.85):
                k = "output"
            if k == "output":
                acts.append("output:%d" % r.randint(1, self.nports))
                outputs += 1
            elif k == "in_port":
                acts.append("in_port")
                outputs += 1
            elif k == "l2":
                mac = self.pools.mac()
                which = r.choice(["src", "dst"])
                if self._chance(0.5):
                    acts.append("mod_dl_%s:%s" % (which, fmt_mac(mac)))
                else:
                    acts.append("set_field:%s->eth_%s" % (fmt_mac(mac), which))
            elif k == "vlan":
                choices = ["push", "mod_vid", "mod_pcp"]
                if vlan:
                    choices += ["strip", "pop", "sf_vid", "sf_pcp", "sf_vid",
                                "sf_pcp"]
                c = r.choice(choices)
                if c == "push":
                    acts.append("push_vlan:%s" % r.choice(["0x8100", "0x8100",
                                                           "0x88a8"]))
                    vlan = True
                elif c == "mod_vid":
                    acts.append("mod_vlan_vid:%d" % r.randrange(4096))
                    vlan = True
                elif c == "mod_pcp":
                    acts.append("mod_vlan_pcp:%d" % r.randrange(8))
                    vlan = True
                elif c in ("strip", "pop"):
                    acts.append("strip_vlan" if c == "strip" else "pop_vlan")
                    vlan = False
                elif c == "sf_vid":
                    vid = r.randrange(4096) | VLAN_CFI
                    acts.append(("set_field:%d->vlan_vid" if self._chance(0.5)
                                 else "set_field:%#x->vlan_vid") % vid)
                else:
                    acts.append("set_field:%d->vlan_pcp" % r.randrange(8))
            elif k == "l3":
                which = r.choice(["src", "dst"])
                if ip4:
                    a = self.pools.ip4_addr()
                    if self._chance(0.5):
                        acts.append("mod_nw_%s:%s" % (which, fmt_ip4(a)))
                    else:
                        acts.append("set_field:%s->ip_%s"
                                    % (fmt_ip4(a), which))
                else:
                    a = self.pools.ip6_addr()
                    acts.append("set_field:%s->ipv6_%s" % (fmt_ip6(a), which))
            elif k == "tos":
                c = r.choice(["tos", "dscp", "ecn"])
                if c == "tos":
                    acts.append("mod_nw_tos:%d" % r.randrange(0, 256, 4))
                elif c == "dscp":
                    acts.append("set_field:%d->ip_dscp" % r.randrange(64))
                else:
                    acts.append("set_field:%d->nw_ecn" % r.randrange(4))
            elif k == "ttl":
                acts.append("dec_ttl")
            elif k == "l4":
                which = r.choice(["src", "dst"])
                p = self.pools.port()
                if self._chance(0.5) or l4 == "sctp":
                    acts.append("mod_tp_%s:%d" % (which, p))
                else:
                    acts.append("set_field:%d->%s_%s" % (p, l4, which))
        return acts

    # ------------------------------------------------------------ rules
    def rule(self):
        r = Rule()
        self._match(r)
        r.actions = self._actions(r)
        if self._chance(0.2):
            r.cookie = self.rng.getrandbits(self.rng.choice([8, 16, 32, 64]))
        return r


    def replacement(self, old):
        """A rule with exactly the match of 'old' but fresh actions."""
        r = Rule()
        r.tokens = list(old.tokens)
        r.cons = dict(old.cons)
        r.family, r.l4 = old.family, old.l4
        r.actions = self._actions(r)
        if self._chance(0.2):
            r.cookie = self.rng.getrandbits(32)
        r.replaces = old
        return r


SPECIFICITY_WEIGHT = {"in_port": 4, "dl_type": 6, "nw_proto": 4}


def specificity(rule):
    """Rough number of constrained bits (each field capped at 32)."""
    return sum(SPECIFICITY_WEIGHT.get(f, min(bin(m).count("1"), 32))
               for f, (_, m) in rule.cons.items())


def assign_priorities(rng, rules):
    """Give every rule a priority such that rules sharing a priority are
    pairwise disjoint (OpenFlow leaves the choice between overlapping
    equal-priority rules undefined).

    Priorities mostly grow with the rule's specificity, as in real ACLs, so
    that broad rules do not shadow everything, with enough jitter for
    inversions; many land on round numbers so that equal priorities are
    common.  A rule with 'replaces' set takes the priority of the rule it
    replaces: same match and priority, so OVS overwrites the earlier rule's
    actions (and so must the switch under test)."""
    by_prio = {}
    for rule in rules:
        old = rule.replaces
        if old is not None:
            rule.priority = old.priority
            by_prio[old.prio].remove(old)
            by_prio[old.prio].append(rule)
            continue
        spec = specificity(rule)
        roll = rng.random()
        if roll < 0.06:
            p = rng.randrange(min(65536, 1 + spec * 400))
        elif roll < 0.09:
            p = rng.choice([0, 1] if spec < 40 else
                           [65535, 65534, DEFAULT_PRIORITY])
        else:
            p = spec * 250 + int(rng.gauss(0, 2500))
            if rng.random() < 0.6:
                p = int(round(p / 500.0)) * 500
            p = max(0, min(65535, p))
        for tries in range(1000):
            peers = by_prio.get(p, [])
            if all(not may_overlap(rule, q) for q in peers):
                break
            p = max(0, min(65535, p + rng.randint(-50 - tries * 10,
                                                  50 + tries * 10)))
        else:
            raise RuntimeError("could not find a free priority")
        rule.priority = None if (p == DEFAULT_PRIORITY
                                 and rng.random() < 0.5) else p
        by_prio.setdefault(p, []).append(rule)
    return rules
