"""Random multi-table OpenFlow pipelines (rules and groups) in ovs-ofctl
syntax, shaped like the pipelines real control planes install.

A pipeline has 2-8 tables (ids increasing from 0, not always contiguous):

  * table 0 classifies: per ingress port (sometimes per VLAN or source MAC)
    it writes a "logical datapath" into metadata (write_metadata or
    set_field), the port into a register (load, set_field, move from
    in_port), copies header bits into registers (move), may strip the VLAN
    tag, and continues with goto_table or resubmit; a few rules drop (LLDP,
    broadcast sources), as Faucet's and Neutron's do;
  * the other tables each play a role: "acl" (header matches from the
    single-table generator, rules.RuleGen, combined with metadata and
    register matches, masked too), "l3" (IPv4/IPv6 prefixes per datapath,
    rewriting MACs, dec_ttl, set_field and moves before resubmitting), "l2"
    (per datapath and destination MAC: output, group, NORMAL, flood), or
    "egress" (register-selected outputs, groups, controller);
  * continuations: goto_table forward, resubmit(,N) and resubmit(PORT,N)
    to any table, including back to lower tables: guarded by a register
    flag (a bounded second pass, as OVN's "next" re-entry), or not (a
    resubmit loop, which OVS ends at its depth limit by dropping the
    packet), several resubmits in one action list;
  * each table gets a table-miss rule most of the time (drop, controller,
    NORMAL, goto/resubmit next) and none otherwise (a miss drops);
  * groups of every type: all, select with weights (default, hash and
    dp_hash selection methods), indirect, fast_failover whose buckets watch
    ports; bucket actions rewrite headers, set registers, output, resubmit
    and chain to other groups;
  * controller actions: plain, with max_len, reason, cookie-carrying rules.

Every rule keeps a canonical (value, mask) view of its match (rules.Rule
'cons', extended with the pipeline fields), so that equal priorities in a
table are always disjoint and packets can be aimed at rules (targets()).
"""

import re

import rules as R
from rules import Rule, RuleGen, fmt_mac, fmt_ip4, fmt_ip6, may_overlap

# Pipeline fields join the canonical view (for the disjointness proof only;
# packets are never aimed at them).
PIPE_FIELDS = {"metadata": 64}
for _i in range(8):
    PIPE_FIELDS["reg%d" % _i] = 32
R.FIELD_BITS.update(PIPE_FIELDS)

MARKER_ETHERTYPE = 0x88B6          # never generated otherwise
MARKER_COOKIE = 0x5EED0000CAFE
MAX_PRIORITY = 65000               # table 0's 65535 is the marker's

# Register roles (OVN-like): reg6 = logical ingress port, reg7 = flags
# (bit 0: "second pass" guard), reg0..reg3 scratch, reg5 = output port.
REG_INPORT, REG_FLAGS, REG_OUT = 6, 7, 5


class PRule(Rule):
    """A rule with a table, and actions split into OpenFlow 1.3
    instructions: apply actions, write_metadata, goto_table."""

    def __init__(self, table):
        Rule.__init__(self)
        self.table = table
        self.write_md = None        # (value, mask)
        self.goto = None
        self.role = ""

    def text(self):
        parts = ["table=%d" % self.table]
        if self.priority is not None:
            parts.append("priority=%d" % self.priority)
        if self.cookie is not None:
            parts.append("cookie=%#x" % self.cookie)
        parts.extend(self.tokens)
        acts = list(self.actions)
        if self.write_md is not None:
            v, m = self.write_md
            acts.append("write_metadata:%#x/%#x" % (v, m)
                        if m != (1 << 64) - 1 else "write_metadata:%#x" % v)
        if self.goto is not None:
            acts.append("goto_table:%d" % self.goto)
        return ",".join(parts) + ",actions=" + (",".join(acts) if acts
                                                else "drop")


class Group:
    def __init__(self, gid, gtype):
        self.gid = gid
        self.type = gtype
        self.props = ""             # selection_method=...,fields(...)
        self.buckets = []           # [(prefix like "weight:5,", [actions])]

    def text(self):
        out = "group_id=%d,type=%s" % (self.gid, self.type)
        if self.props:
            out += "," + self.props
        for prefix, acts in self.buckets:
            out += ",bucket=%sactions=%s" % (prefix, ",".join(acts) or "drop")
        return out


class Target:
    """What pktgen.PacketGen needs of a rule: header constraints."""

    def __init__(self, index, cons):
        self.index = index
        self.cons = cons


class PipelineGen:
    def __init__(self, rng, pools, nports=4, groups=True, controller=True,
                 max_tables=8):
        self.rng = rng
        self.pools = pools
        self.nports = nports
        self.use_groups = groups
        self.use_controller = controller
        self.gen = RuleGen(rng, pools, nports)
        r = rng
        n = r.randint(2, max_tables)
        ids = sorted(r.sample(range(1, r.choice([n, n + 3, 30, 60])), n - 1))
        self.tables = [0] + ids
        self.datapaths = r.sample([1, 2, 3, 5, 0x10, 0x2a], r.randint(1, 3))
        self.groups = []
        self.rules = []
        self.toggle_ports = []      # ports watched by fast_failover buckets

    # ------------------------------------------------------------ helpers
    def _chance(self, p):
        return self.rng.random() < p

    def _port(self):
        return self.rng.randint(1, self.nports)

    def _later(self, t):
        later = [x for x in self.tables if x > t]
        return self.rng.choice(later) if later else None

    def _next(self, t):
        later = [x for x in self.tables if x > t]
        if not later:
            return None
        # Mostly the next table, sometimes one further on.
        return later[0] if self._chance(0.7) else self.rng.choice(later)

    def _dp(self):
        return self.rng.choice(self.datapaths)

    def _md_match(self, rule):
        dp = self._dp()
        if self._chance(0.7):
            rule.add("metadata", dp, 0xFFFFFFFF,
                     "metadata=%#x/0xffffffff" % dp if self._chance(0.5)
                     else "metadata=%#x/%#x" % (dp, 0xFFFFFFFF))
        else:
            rule.add("metadata", dp, (1 << 64) - 1, "metadata=%#x" % dp)

    def _reg_match(self, rule, reg, value, mask, bits=32):
        full = (1 << bits) - 1
        if mask == full:
            tok = "reg%d=%s" % (reg, value if self._chance(0.5)
                                else "%#x" % value)
        else:
            tok = "reg%d=%#x/%#x" % (reg, value & mask, mask)
        rule.add("reg%d" % reg, value, mask, tok)

    def _rewrites(self, rule, n):
        """Up to n header rewrites that fit the rule's family."""
        r = self.rng
        acts = []
        ip4 = rule.family == "ip4"
        ip6 = rule.family == "ip6"
        for _ in range(n):
            k = r.choice(["dl_dst", "dl_src", "vlan", "reg"]
                         + (["ttl", "l3", "tos", "move_ip"] if ip4 or ip6
                            else []))
            if k == "dl_dst":
                acts.append("mod_dl_dst:%s" % fmt_mac(self.pools.mac()))
            elif k == "dl_src":
                acts.append(r.choice(["mod_dl_src:%s",
                                      "set_field:%s->eth_src"])
                            % fmt_mac(self.pools.mac()))
            elif k == "vlan":
                tagged = rule.cons.get("vlan_tci", (0, 0))[0] & R.VLAN_CFI
                acts.append(r.choice([
                    "mod_vlan_vid:%d" % r.choice([10, 20, 100]),
                    "push_vlan:0x8100,set_field:%d->vlan_vid"
                    % (0x1000 | r.choice([10, 20, 30])),
                    "strip_vlan" if tagged else "mod_vlan_vid:30",
                    "mod_vlan_pcp:%d" % r.randrange(8)]))
            elif k == "reg":
                acts.append(self._reg_write())
            elif k == "ttl":
                acts.append("dec_ttl")
            elif k == "tos":
                acts.append("mod_nw_tos:%d" % r.randrange(0, 256, 4))
            elif k == "l3":
                which = r.choice(["src", "dst"])
                if ip4:
                    acts.append("set_field:%s->ip_%s"
                                % (fmt_ip4(self.pools.ip4_addr()), which))
                else:
                    acts.append("set_field:%s->ipv6_%s"
                                % (fmt_ip6(self.pools.ip6_addr()), which))
            elif k == "move_ip":
                if ip4:
                    acts.append(r.choice([
                        "move:NXM_OF_IP_SRC[]->NXM_NX_REG0[]",
                        "move:NXM_OF_IP_DST[]->NXM_NX_REG1[]",
                        "move:NXM_OF_IP_DST[0..7]->NXM_NX_REG2[8..15]",
                        "move:NXM_NX_REG3[]->NXM_OF_IP_SRC[]"]))
                else:
                    acts.append(r.choice([
                        "move:NXM_NX_IPV6_SRC[0..31]->NXM_NX_REG0[]",
                        "move:NXM_NX_IPV6_DST[96..127]->NXM_NX_REG1[]"]))
        return acts

    def _reg_write(self):
        r = self.rng
        reg = r.choice([0, 1, 2, 3, REG_OUT, REG_FLAGS])
        k = r.random()
        if k < 0.3:
            return "load:%#x->NXM_NX_REG%d[]" % (r.getrandbits(32), reg)
        if k < 0.5:
            lo = r.choice([0, 4, 8, 16])
            hi = lo + r.choice([0, 3, 7, 15])
            hi = min(hi, 31)
            return "load:%#x->NXM_NX_REG%d[%d..%d]" % (
                r.getrandbits(hi - lo + 1), reg, lo, hi)
        if k < 0.7:
            return "set_field:%#x->reg%d" % (r.getrandbits(16), reg)
        if k < 0.8:
            m = r.choice([0xFF, 0xFF00, 0x1, 0xF0F0])
            return "set_field:%#x/%#x->reg%d" % (r.getrandbits(16) & m, m, reg)
        return r.choice([
            "move:NXM_OF_ETH_SRC[0..31]->NXM_NX_REG%d[]" % reg,
            "move:NXM_OF_ETH_DST[]->xreg0[0..47]",
            "move:NXM_NX_REG%d[]->NXM_NX_REG%d[]" % (REG_INPORT, reg),
            "move:reg%d[0..15]->reg%d[16..31]" % (REG_INPORT, reg),
            "move:NXM_OF_VLAN_TCI[0..11]->NXM_NX_REG%d[0..11]" % reg,
            "move:OXM_OF_METADATA[0..31]->NXM_NX_REG%d[]" % reg])

    def _controller(self):
        r = self.rng
        return r.choices([
            "controller", "CONTROLLER:%d" % r.choice([0, 14, 64, 128]),
            "controller(max_len=%d)" % r.choice([40, 100, 65535]),
            "controller(reason=no_match)",
            "controller(reason=invalid_ttl,max_len=200)",
            "controller(id=7)",
            "controller(userdata=01.02.03.04)"],
            [30, 15, 15, 10, 5, 3, 3])[0]

    def _terminal(self, rule, allow_group=True):
        """A list of actions ending a packet's journey (outputs etc.)."""
        r = self.rng
        kinds = ["output", "output", "output2", "in_port", "normal", "flood",
                 "reg_out"]
        if self.use_groups and self.groups and allow_group:
            kinds += ["group"] * 6
        if self.use_controller:
            kinds += ["controller", "controller_out"]
        k = r.choice(kinds)
        if k == "output":
            return ["output:%d" % self._port()]
        if k == "output2":
            return ["output:%d" % self._port()] + self._rewrites(rule, 1) \
                + ["output:%d" % self._port()]
        if k == "in_port":
            return [r.choice(["in_port", "IN_PORT", "output:in_port"])]
        if k == "normal":
            return ["NORMAL"]
        if k == "flood":
            return [r.choice(["FLOOD", "ALL"])]
        if k == "reg_out":
            # OVN keeps the output port in a register; the rule that
            # set it is elsewhere: here a small dispatch on it.
            return ["output:%d" % self._port()]
        if k == "group":
            return ["group:%d" % r.choice(self.groups).gid]
        if k == "controller":
            return [self._controller()]
        return [self._controller(), "output:%d" % self._port()]

    def _continue(self, rule, t):
        """Continue the pipeline after table t: goto_table, resubmit (with
        or without an in_port change), several resubmits, a guarded or
        unguarded loop back to a lower table; None at the last table."""
        r = self.rng
        nxt = self._next(t)
        roll = r.random()
        lower = [x for x in self.tables if x <= t]
        if nxt is None or roll < 0.08:
            if lower and self._chance(0.5):
                back = r.choice(lower)
                if self._chance(0.6) and "reg%d" % REG_FLAGS not in rule.cons:
                    # Bounded second pass, guarded by a flag bit.
                    self._reg_match(rule, REG_FLAGS, 0, 0x1)
                    rule.actions.append("set_field:0x1/0x1->reg%d" % REG_FLAGS)
                rule.actions.append("resubmit(,%d)" % back)
                return
            rule.actions.extend(self._terminal(rule))
            return
        if roll < 0.55:
            rule.goto = nxt
        elif roll < 0.8:
            rule.actions.append("resubmit(,%d)" % nxt)
        elif roll < 0.88:
            rule.actions.append("resubmit(%d,%d)" % (self._port(), nxt))
        elif roll < 0.95:
            other = self._later(t)
            rule.actions.append("resubmit(,%d)" % nxt)
            rule.actions.extend(self._rewrites(rule, 1))
            rule.actions.append("resubmit(,%d)" % other)
        else:
            # Continue, then act on what the later tables left behind.
            rule.actions.append("resubmit(,%d)" % nxt)
            rule.actions.extend(self._terminal(rule))

    # ------------------------------------------------------------ tables
    def _table0(self):
        r = self.rng
        t = 0
        out = []
        for port in range(1, self.nports + 1):
            variants = [None]
            if self._chance(0.35):
                variants = [None, ("vlan", r.choice([10, 20, 30]))]
            if self._chance(0.2):
                variants.append(("src", self.pools.mac()))
            for v in variants:
                rule = PRule(t)
                rule.role = "classify"
                rule.add("in_port", port, 0xFFFF, "in_port=%d" % port)
                if v and v[0] == "vlan":
                    rule.add("vlan_tci", 0x1000 | v[1], 0x1FFF,
                             "dl_vlan=%d" % v[1])
                elif v and v[0] == "src":
                    R.RuleGen._mac_token(self.gen, "dl_src", "dl_src", rule)
                dp = self._dp()
                k = r.random()
                if k < 0.5:
                    rule.write_md = (dp, r.choice([(1 << 64) - 1, 0xFFFFFFFF,
                                                   0xFFFF]))
                elif k < 0.8:
                    rule.actions.append("set_field:%#x->metadata" % dp)
                else:
                    rule.actions.append("load:%#x->OXM_OF_METADATA[0..15]" % dp)
                pk = r.random()
                if pk < 0.4:
                    rule.actions.append("load:%d->NXM_NX_REG%d[0..15]"
                                        % (port, REG_INPORT))
                elif pk < 0.7:
                    rule.actions.append("move:NXM_OF_IN_PORT[]->NXM_NX_REG%d[0..15]"
                                        % REG_INPORT)
                else:
                    rule.actions.append("set_field:%d->reg%d" % (port, REG_INPORT))
                if self._chance(0.3):
                    rule.actions.append(r.choice([
                        "move:NXM_OF_ETH_SRC[0..31]->NXM_NX_REG2[]",
                        "move:NXM_OF_ETH_DST[16..47]->NXM_NX_REG3[]",
                        "move:NXM_OF_ETH_TYPE[]->NXM_NX_REG1[16..31]"]))
                if v and v[0] == "vlan" and self._chance(0.5):
                    rule.actions.append("strip_vlan")
                if self._chance(0.05):
                    rule.actions.extend(self._terminal(rule))
                else:
                    self._continue(rule, t)
                if (rule.write_md is not None and rule.goto is None
                        and self._chance(0.85)):
                    # write_metadata is an instruction: it takes effect
                    # after the apply actions, too late for a resubmit.
                    # Controllers that resubmit set metadata as an action.
                    v, m = rule.write_md
                    rule.write_md = None
                    rule.actions.insert(0, "set_field:%#x/%#x->metadata"
                                        % (v, m))
                out.append(rule)
        # Faucet/Neutron-style drops.
        for _ in range(r.randint(0, 2)):
            rule = PRule(t)
            rule.role = "drop"
            c = r.random()
            if c < 0.4:
                rule.add("dl_dst", 0x0180C200000E, (1 << 48) - 1,
                         "dl_dst=01:80:c2:00:00:0e")
            elif c < 0.7:
                rule.add("dl_src", 1 << 40, 1 << 40,
                         "dl_src=01:00:00:00:00:00/01:00:00:00:00:00")
            else:
                rule.add("dl_type", 0x86DD, 0xFFFF, "ipv6")
                rule.add("in_port", self._port(), 0xFFFF, None)
                rule.tokens.append("in_port=%d" % rule.cons["in_port"][0])
            out.append(rule)
        return out

    def _header_rule(self, t):
        """A rule with the header match of rules.RuleGen (no actions)."""
        base = self.gen.rule()
        rule = PRule(t)
        rule.tokens = list(base.tokens)
        rule.cons = dict(base.cons)
        rule.family, rule.l4 = base.family, base.l4
        # Leave in_port to the classifier most of the time.
        if "in_port" in rule.cons and self._chance(0.7):
            del rule.cons["in_port"]
            rule.tokens = [x for x in rule.tokens
                           if not x.startswith("in_port=")]
        return rule

    def _acl(self, t):
        r = self.rng
        out = []
        for _ in range(r.randint(3, 14)):
            rule = self._header_rule(t)
            rule.role = "acl"
            if self._chance(0.75):
                self._md_match(rule)
            if self._chance(0.35):
                self._reg_match(rule, REG_INPORT, self._port(),
                                r.choice([0xFFFF, 0xFFFFFFFF, 0x3]), 32)
            if self._chance(0.15):
                self._reg_match(rule, REG_FLAGS, r.choice([0, 1]), 0x1)
            c = r.random()
            if c < 0.12:
                pass                                     # drop
            elif c < 0.7:
                if self._chance(0.3):
                    rule.actions.append(self._reg_write())
                self._continue(rule, t)
            else:
                rule.actions.extend(self._rewrites(rule, r.randint(0, 2)))
                rule.actions.extend(self._terminal(rule))
            out.append(rule)
        return out

    def _l3(self, t):
        r = self.rng
        out = []
        for _ in range(r.randint(2, 8)):
            rule = PRule(t)
            rule.role = "l3"
            if self._chance(0.65):
                rule.family = "ip4"
                rule.add("dl_type", 0x0800, 0xFFFF, "ip")
                self.gen._ip4_token("nw_dst", "nw_dst", rule)
            else:
                rule.family = "ip6"
                rule.add("dl_type", 0x86DD, 0xFFFF, "ipv6")
                self.gen._ip6_token("ipv6_dst", "ipv6_dst", rule)
            self._md_match(rule)
            acts = ["mod_dl_src:%s" % fmt_mac(self.pools.mac()),
                    "mod_dl_dst:%s" % fmt_mac(self.pools.mac())]
            if self._chance(0.8):
                acts.append("dec_ttl")
            r.shuffle(acts)
            rule.actions.extend(acts)
            if self._chance(0.4):
                rule.actions.extend(self._rewrites(rule, r.randint(1, 2)))
            if self._chance(0.4):
                rule.actions.append("set_field:%#x->metadata"
                                    % self._dp())
            self._continue(rule, t)
            out.append(rule)
        return out

    def _l2(self, t):
        r = self.rng
        out = []
        flood = [g for g in self.groups if g.type == "all"]
        if flood and self._chance(0.8):
            # Broadcast to the datapath's flood group (Faucet, OVN).
            rule = PRule(t)
            rule.role = "l2"
            rule.add("dl_dst", 0xFFFFFFFFFFFF, (1 << 48) - 1,
                     "dl_dst=ff:ff:ff:ff:ff:ff")
            self._md_match(rule)
            rule.actions.append("group:%d" % r.choice(flood).gid)
            out.append(rule)
        for _ in range(r.randint(2, 10)):
            rule = PRule(t)
            rule.role = "l2"
            R.RuleGen._mac_token(self.gen, "dl_dst", "dl_dst", rule)
            self._md_match(rule)
            if self._chance(0.3):
                self._reg_match(rule, REG_INPORT, self._port(), 0xFFFF)
            if self._chance(0.5):
                rule.actions.append("set_field:%d->reg%d" % (self._port(),
                                                             REG_OUT))
            if self._chance(0.6):
                self._continue(rule, t)
            else:
                rule.actions.extend(self._terminal(rule))
            out.append(rule)
        return out

    def _egress(self, t):
        r = self.rng
        out = []
        for port in range(1, self.nports + 1):
            if self._chance(0.25):
                continue
            rule = PRule(t)
            rule.role = "egress"
            self._reg_match(rule, REG_OUT, port, r.choice([0xFFFF, 0xFFFFFFFF]))
            if self._chance(0.3):
                self._md_match(rule)
            rule.actions.extend(self._rewrites(rule, r.randint(0, 1)))
            if self._chance(0.8):
                rule.actions.append("output:%d" % port)
            else:
                rule.actions.extend(self._terminal(rule))
            out.append(rule)
        for _ in range(r.randint(0, 3)):
            rule = self._header_rule(t)
            rule.role = "egress"
            rule.actions.extend(self._terminal(rule))
            out.append(rule)
        return out

    def _miss(self, t):
        """The table-miss rule, or None (a miss drops)."""
        r = self.rng
        if self._chance(0.2):
            return None
        rule = PRule(t)
        rule.role = "miss"
        rule.priority = 0
        k = r.random()
        nxt = self._next(t)
        if k < 0.15:
            pass                                           # explicit drop
        elif k < 0.3 and self.use_controller:
            rule.actions.append(self._controller())
        elif k < 0.6:
            rule.actions.append("NORMAL")
        elif nxt is not None:
            if self._chance(0.5):
                rule.goto = nxt
            else:
                rule.actions.append("resubmit(,%d)" % nxt)
        else:
            rule.actions.extend(self._terminal(rule))
        return rule

    # ------------------------------------------------------------ groups
    def _bucket_actions(self, gid, watch=None):
        r = self.rng
        acts = []
        if self._chance(0.5):
            acts.append(r.choice(["mod_dl_dst:%s" % fmt_mac(self.pools.mac()),
                                  "set_field:%s->eth_src"
                                  % fmt_mac(self.pools.mac()),
                                  "mod_vlan_vid:%d" % r.choice([10, 20]),
                                  "set_field:%#x->reg%d"
                                  % (r.getrandbits(8), r.choice([0, 1, 5]))]))
        k = r.random()
        lower = [g for g in self.groups if g.gid < gid]
        if watch is not None and k < 0.8:
            acts.append("output:%d" % watch)
        elif k < 0.6:
            acts.append("output:%d" % self._port())
        elif k < 0.72:
            acts.append("resubmit(,%d)" % r.choice(self.tables[1:] or [0]))
        elif k < 0.82 and lower:
            acts.append("group:%d" % r.choice(lower).gid)
        elif k < 0.9:
            acts.append(r.choice(["in_port", "NORMAL"]))
        elif self.use_controller:
            # Plain controller is output:CONTROLLER on the wire, an action
            # set's output; the NX forms have no action-set slot (dropped).
            acts.append("controller" if self._chance(0.7) else self._controller())
        else:
            acts.append("output:%d" % self._port())
        return acts

    def _make_groups(self):
        r = self.rng
        if not self.use_groups:
            return
        ids = sorted(r.sample(range(1, 50), r.randint(2, 7)))
        for gid in ids:
            gtype = r.choices(["all", "select", "indirect", "fast_failover"],
                              [3, 4, 2, 3])[0]
            g = Group(gid, gtype)
            if gtype == "all":
                g.buckets = [("", self._bucket_actions(gid))
                             for _ in range(r.randint(1, 4))]
            elif gtype == "indirect":
                g.buckets = [("", self._bucket_actions(gid))]
            elif gtype == "select":
                sm = r.random()
                if sm < 0.3:
                    g.props = "selection_method=hash,fields(%s)" % r.choice([
                        "ip_src", "ip_dst,nw_proto", "eth_dst",
                        "ip_src,ip_dst,tcp_src,tcp_dst", "ipv6_dst"])
                elif sm < 0.45:
                    g.props = "selection_method=dp_hash"
                for _ in range(r.randint(1, 5)):
                    w = r.choice([1, 1, 10, 20, 50, 100])
                    pre = "weight:%d," % w if self._chance(0.85) else ""
                    g.buckets.append((pre, self._bucket_actions(gid)))
            else:
                ports = r.sample(range(1, self.nports + 1),
                                 r.randint(1, min(3, self.nports)))
                for p in ports:
                    if p not in self.toggle_ports:
                        self.toggle_ports.append(p)
                    g.buckets.append(("watch_port:%d," % p,
                                      self._bucket_actions(gid, watch=p)))
            self.groups.append(g)

    # ------------------------------------------------------------ top
    def generate(self):
        """-> (rules, groups); rules carry priorities (disjoint when equal
        within a table)."""
        r = self.rng
        self._make_groups()
        rules = self._table0()
        roles = ["acl", "l3", "l2", "egress"]
        for i, t in enumerate(self.tables[1:], 1):
            if i == len(self.tables) - 1 and len(self.tables) > 2:
                role = r.choice(["egress", "egress", "l2", "acl"])
            else:
                role = r.choice(roles)
            rules += getattr(self, "_" + role)(t)
        by_table = {}
        for rule in rules:
            if rule.cookie is None and self._chance(0.5):
                rule.cookie = r.getrandbits(r.choice([8, 16, 32, 64]))
            by_table.setdefault(rule.table, []).append(rule)
        out = []
        for t in self.tables:
            trs = by_table.get(t, [])
            R.assign_priorities(r, trs)
            for rule in trs:
                if rule.prio > MAX_PRIORITY:
                    rule.priority = MAX_PRIORITY - r.randrange(50)
                elif rule.prio < 1:
                    rule.priority = 1 + r.randrange(50)
            # Re-check equal priorities after the clamp.
            seen = {}
            for rule in trs:
                while any(may_overlap(rule, q)
                          for q in seen.get(rule.prio, [])):
                    rule.priority = rule.prio + 1 if rule.prio < 100 \
                        else rule.prio - 1
                seen.setdefault(rule.prio, []).append(rule)
            miss = self._miss(t)
            if miss is not None:
                trs.append(miss)
            out += trs
        if self.use_controller:
            m = PRule(0)
            m.role = "marker"
            m.priority = 65535
            m.cookie = MARKER_COOKIE
            m.add("dl_type", MARKER_ETHERTYPE, 0xFFFF,
                  "dl_type=%#06x" % MARKER_ETHERTYPE)
            m.actions = ["controller"]
            out.insert(0, m)
        for i, rule in enumerate(out):
            rule.index = i
        self.rules = out
        return out, self.groups

    def targets(self, n=80):
        """Header constraints to aim packets at: walks of up to four hops
        through the pipeline (a classifier rule, then rules of the tables
        it continues to whose metadata/register matches agree with what the
        walk wrote), merging the header matches that do not conflict."""
        r = self.rng
        cls = [x for x in self.rules if x.table == 0 and x.role == "classify"]
        live = [x for x in self.rules if x.role not in ("miss", "marker")]
        out = []
        for i in range(n):
            if not cls:
                break
            c = r.choice(cls)
            cons = {f: vm for f, vm in c.cons.items() if f not in PIPE_FIELDS}
            st = {"metadata": _md_after(c, 0),
                  "reg%d" % REG_INPORT: c.cons["in_port"][0],
                  "reg%d" % REG_FLAGS: 0}
            tables = _next_tables(c)
            for hop in range(3):
                if not tables:
                    break
                t = r.choice(tables)
                cands = [x for x in live if x.table == t
                         and _compatible(x, st, cons)]
                if not cands:
                    break
                h = r.choice(cands)
                for f, vm in h.cons.items():
                    if f not in PIPE_FIELDS and f not in cons:
                        cons[f] = vm
                st["metadata"] = _md_after(h, st["metadata"])
                tables = _next_tables(h)
            out.append(Target(i, cons))
        for x in self.rules:
            if x.table == 0 and x.role == "drop":
                out.append(Target(len(out), dict(x.cons)))
        if not out:
            out.append(Target(0, {}))
        return out


def _next_tables(rule):
    out = []
    for a in rule.actions:
        m = re.match(r"resubmit\((\d*),(\d+)\)$", a)
        if m:
            out.append(int(m.group(2)))
    if rule.goto is not None:
        out.append(rule.goto)
    return out


def _md_after(rule, md):
    for a in rule.actions:
        m = re.match(r"set_field:(0x[0-9a-f]+|\d+)->metadata$", a)
        if m:
            md = int(m.group(1), 0)
        m = re.match(r"load:(0x[0-9a-f]+|\d+)->OXM_OF_METADATA\[0..15\]$", a)
        if m:
            md = (md & ~0xFFFF) | int(m.group(1), 0)
    if rule.write_md is not None:
        v, m = rule.write_md
        md = (md & ~m) | (v & m)
    return md


def _compatible(rule, st, cons):
    for f, (v, m) in rule.cons.items():
        if f in PIPE_FIELDS:
            if f in st and (st[f] ^ v) & m:
                return False
        elif f in cons:
            v2, m2 = cons[f]
            if (v ^ v2) & m & m2:
                return False
    return True
