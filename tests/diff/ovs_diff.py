#!/usr/bin/python3
"""Differential test: vsw (build/vswd) against Open vSwitch.

Each round generates a random OpenFlow 1.3 rule set (ovs-ofctl syntax) and a
batch of packets biased to hit it, runs both through a private OVS instance
(dummy datapath, pcap-capturing dummy ports) and through vswd (DPDK net_pcap
ports), and compares what every output port emitted, as multisets of frames.

Exit status: 0 all packets agreed, 1 some packets disagreed or vswd failed,
2 the harness itself (OVS, ovs-ofctl, setup) failed.
See README.md in this directory.
"""

import argparse
import collections
import difflib
import os
import random
import shutil
import signal
import sys
import tempfile
import time

sys.dont_write_bytecode = True       # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import packets as P                                        # noqa: E402
from ovs import Ovs, OvsError, find_bad                   # noqa: E402
from pktgen import PacketGen, Packet                       # noqa: E402
from rules import Pools, RuleGen, assign_priorities        # noqa: E402
from vsw import Vsw, VswError, find_binary                 # noqa: E402

NPORTS = 4


class HarnessError(Exception):
    pass


def log(*a):
    print(*a, flush=True)


def derive_seed(seed, r):
    if r == 0:
        return seed
    return random.Random("%s/%d" % (seed, r)).getrandbits(31)


# ------------------------------------------------------------------ rules

def generate_rules(rng, gen, n, check, stats):
    """n rules that ovs-ofctl -O OpenFlow13 accepts, plus a few exact-match
    replacements; rejected candidates are regenerated and counted in
    stats['rejected'] (reason -> count)."""
    rules = []
    for _ in range(50):
        need = n - len(rules)
        if need <= 0:
            break
        cands = [gen.rule() for _ in range(need)]
        stats["generated"] += len(cands)
        bad = find_bad([c.text() for c in cands], check)
        for i, c in enumerate(cands):
            if i in bad:
                stats["rejected"][bad[i]] += 1
                stats["examples"].setdefault(bad[i], c.text())
            else:
                rules.append(c)
    else:
        raise HarnessError("could not generate %d acceptable rules" % n)
    # A few rules re-use the exact match of an earlier one (replacement).
    originals = list(rules)
    reps = []
    for _ in range(int(round(n * 0.03))):
        if not originals:
            break
        old = originals.pop(rng.randrange(len(originals)))
        reps.append(gen.replacement(old))
    if reps:
        stats["generated"] += len(reps)
        bad = find_bad([c.text() for c in reps], check)
        for i, c in enumerate(reps):
            if i in bad:
                stats["rejected"][bad[i]] += 1
                stats["examples"].setdefault(bad[i], c.text())
                continue
            pos = rules.index(c.replaces)
            rules.insert(rng.randint(pos + 1, len(rules)), c)
    for i, r in enumerate(rules):
        r.index = i
    assign_priorities(rng, rules)
    return rules


def write_rules(path, rules, header):
    with open(path, "w") as f:
        f.write(header)
        lineno = header.count("\n")
        for r in rules:
            lineno += 1
            r.lineno = lineno
            f.write(r.text() + "\n")


# ------------------------------------------------------------------ compare

def attribute(frame, by_index, exact, untagged):
    """(index of the input packet that 'frame' came from, how) or
    (None, None) when there are no packets at all.

    By payload tag, else by exact bytes (forwarded unchanged), else by
    similarity: first among the packets that carry no tag, then among all
    (a frame whose tag itself got damaged)."""
    idx = P.find_tag(frame)
    if idx is not None and idx in by_index:
        return idx, "tag"
    if frame in exact:
        return exact[frame], "bytes"
    best, best_ratio = None, 0.0
    for cands in (untagged, by_index.values()):
        for p in cands:
            sm = difflib.SequenceMatcher(None, frame, p.data, autojunk=False)
            if sm.real_quick_ratio() <= best_ratio \
                    or sm.quick_ratio() <= best_ratio:
                continue
            ratio = sm.ratio()
            if ratio > best_ratio:
                best, best_ratio = p.index, ratio
        if best_ratio >= 0.75:
            break
    return best, ("similarity %.2f" % best_ratio if best is not None
                  else None)


def compare(pkts, ovs_out, vsw_out):
    """Compare per-port multisets of frames.  Returns (failed, by_packet):
    failed: {packet index: how the differing frames were attributed},
    by_packet: idx -> {'ovs': [(port, frame)], 'vsw': [...]} for failed
    packets (all their output frames on both sides)."""
    by_index = {p.index: p for p in pkts}
    exact = {}
    for p in pkts:
        exact.setdefault(p.data, p.index)
    untagged = [p for p in pkts if not p.tagged]
    failed = {}
    cache = {}

    def attr(frame):
        if frame not in cache:
            cache[frame] = attribute(frame, by_index, exact, untagged)
        return cache[frame]

    for port in range(1, NPORTS + 1):
        co = collections.Counter(ovs_out.get(port, []))
        cv = collections.Counter(vsw_out.get(port, []))
        for diff in (co - cv, cv - co):
            for frame in diff:
                idx, how = attr(frame)
                if idx is not None:
                    failed.setdefault(idx, set()).add(how)
    by_packet = {i: {"ovs": [], "vsw": []} for i in failed}
    if failed:
        for side, outs in (("ovs", ovs_out), ("vsw", vsw_out)):
            for port in range(1, NPORTS + 1):
                for frame in outs.get(port, []):
                    idx = P.find_tag(frame)
                    if idx not in by_packet:
                        idx = exact.get(frame)
                    if idx not in by_packet and frame in cache:
                        idx = cache[frame][0]
                    if idx in by_packet:
                        by_packet[idx][side].append((port, frame))
    return failed, by_packet


def first_diff(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b)) if len(a) != len(b) else None


def trace_summary(trace, rules):
    """The interesting part of an ofproto/trace: the table-0 rule lines and
    the datapath actions, plus our own rule(s) with the matched priority."""
    out = []
    lines = trace.splitlines()
    prio = None
    for i, l in enumerate(lines):
        s = l.strip()
        if s.startswith("Flow:"):
            out.append("    " + s)
        elif s.startswith("0. "):
            out.append("    OVS matched: " + s[3:])
            for part in s[3:].split(","):
                part = part.strip()
                if part.startswith("priority "):
                    try:
                        prio = int(part.split()[1])
                    except ValueError:
                        pass
            j = i + 1
            while j < len(lines) and lines[j].startswith("    ") \
                    and lines[j].strip():
                out.append("        " + lines[j].strip())
                j += 1
        elif s.startswith("No match"):
            out.append("    OVS: no rule matched (table miss -> drop)")
        elif s.startswith("Datapath actions:"):
            out.append("    " + s)
    if prio is not None:
        live = [r for r in rules if r.prio == prio
                and not any(q.replaces is r for q in rules)]
        for r in live:
            out.append("    rules file line %d: %s" % (r.lineno, r.text()))
    if not out:
        out = ["    " + l for l in lines[:30]]
    return "\n".join(out)


def report_packet(p, info, ovs, rules, how):
    log("=== MISMATCH: packet #%d, ingress port %d, %d bytes: %s"
        % (p.index, p.port, len(p.data), p.desc))
    how = sorted(h for h in how if h != "tag")
    if how:
        log("  (differing output attributed to this packet by %s)"
            % ", ".join(how))
    log("  input: %s" % p.data.hex())
    if ovs is not None:
        log(trace_summary(ovs.trace(p.port, p.data), rules))
    for side, name in (("ovs", "OVS"), ("vsw", "vsw")):
        frames = sorted(info[side])
        log("  %s output (%d frame%s):" % (name, len(frames),
                                           "" if len(frames) == 1 else "s"))
        for port, frame in frames:
            log("    port %d: %s" % (port, frame.hex()))
    if len(info["ovs"]) == 1 and len(info["vsw"]) == 1:
        (po, fo), (pv, fv) = info["ovs"][0], info["vsw"][0]
        d = first_diff(fo, fv)
        if d is not None:
            log("  first difference at byte %d (ovs port %d len %d, vsw port "
                "%d len %d)" % (d, po, len(fo), pv, len(fv)))


# ------------------------------------------------------------------ rounds

def smoke_test(tmpbase):
    """Prove the OVS plumbing works: one rule, one packet, seen on p2."""
    d = tempfile.mkdtemp(prefix="vswdiff-smoke-", dir=tmpbase)
    ovs = Ovs(d, NPORTS)
    try:
        ovs.start()
        path = os.path.join(d, "smoke.flows")
        with open(path, "w") as f:
            f.write("in_port=1,actions=output:2\n")
        ovs.add_flows(path)
        frame = (P.eth(0x020000000002, 0x020000000001, [], 0x88B5)
                 + b"smoke" + P.make_tag(7))
        ovs.inject([Packet(0, 1, frame, True, "smoke")])
        ovs.wait_idle({1: 1, 2: 0, 3: 0, 4: 0}, timeout=10)
        out = ovs.outputs()
        if out[2] != [frame] or out[1] or out[3] or out[4]:
            raise HarnessError("OVS smoke test failed: outputs %s" % out)
    finally:
        ovs.stop()
        shutil.rmtree(d, ignore_errors=True)


def run_round(args, r, seed, vswd, vswctl, totals):
    t0 = time.time()
    rng = random.Random(seed)
    # Always draw, so that "--rules N" reproduces a round whose rule count
    # was drawn (the RNG stream must not depend on the option).
    nrules = rng.randint(args.min_rules, args.max_rules)
    if args.rules is not None:
        nrules = args.rules
    npkts = args.packets
    workdir = tempfile.mkdtemp(prefix="vswdiff-%d-" % r, dir=args.tmpdir)
    keep = args.keep
    stats = {"generated": 0, "rejected": collections.Counter(),
             "examples": {}}
    ovs = None
    vsw = None
    failed_count = 0
    try:
        ovs = Ovs(workdir, NPORTS, vlan_limit=args.vlan_limit)
        try:
            ovs.start()
            pools = Pools(rng)
            gen = RuleGen(rng, pools, NPORTS, ports_only=args.ports_only)
            rules = generate_rules(rng, gen, nrules, ovs.check_flows, stats)
            flows = os.path.join(workdir, "rules.flows")
            write_rules(flows, rules,
                        "# vsw differential test, seed %d, %d rules\n"
                        % (seed, len(rules)))
            nrej = sum(stats["rejected"].values())
            totals["generated"] += stats["generated"]
            totals["rejected"].update(stats["rejected"])
            for k, v in stats["examples"].items():
                totals["examples"].setdefault(k, v)
            pkts = PacketGen(rng, pools, rules, NPORTS,
                             malformed_rate=args.malformed).packets(
                                 npkts, repeat=0.6 if args.ports_only else 0.0)
            expected_rx = {i: 0 for i in range(1, NPORTS + 1)}
            for p in pkts:
                expected_rx[p.port] += 1

            ovs.add_flows(flows)
            nflows = len(ovs.dump_flows())
            want = len(rules) - sum(1 for x in rules
                                    if x.replaces is not None)
            if nflows != want:
                raise HarnessError("OVS holds %d flows, expected %d"
                                   % (nflows, want))
            ovs.inject(pkts)
            ovs.wait_idle(expected_rx)
            ovs_out = ovs.outputs()
        except OvsError as e:
            keep = True
            raise HarnessError("OVS (work dir %s): %s" % (workdir, e))
        nf_ovs = sum(len(v) for v in ovs_out.values())
        if npkts >= 200 and nf_ovs == 0:
            raise HarnessError("OVS emitted no frames at all for %d packets"
                               % npkts)
        head = ("round %d seed %d: %d rules (%d rejected by ovs-ofctl), "
                "%d packets, OVS emitted %d frames"
                % (r, seed, len(rules), nrej, npkts, nf_ovs))
        if args.ovs_only:
            log(head + " [%s]" % ", ".join(
                "p%d:%d" % (i, len(ovs_out[i])) for i in range(1, NPORTS + 1))
                + " (%.1fs)" % (time.time() - t0))
            return 0, 0

        # ---------------- vsw
        vsw = Vsw(workdir, vswd, vswctl, NPORTS, timeout=args.vsw_timeout)
        try:
            vsw_out = vsw.run(flows, pkts)
        except VswError as e:
            log(head)
            log("=== vswd FAILED in round %d: %s" % (r, e))
            log("    reproduce: %s" % repro(args, seed, nrules))
            log("    command: %s" % " ".join(vsw.command(flows)))
            keep = True
            return 0, npkts
        nf_vsw = sum(len(v) for v in vsw_out.values())

        failed, by_packet = compare(pkts, ovs_out, vsw_out)
        failed_count = len(failed)
        if not pkts and (nf_ovs or nf_vsw) and ovs_out != vsw_out:
            failed_count = 1            # frames out of nowhere
        passed = npkts - len(failed)
        log(head + ", vsw emitted %d: %d passed, %d failed (%.1fs)"
            % (nf_vsw, passed, failed_count, time.time() - t0))
        if failed_count:
            keep = True
            by_index = {p.index: p for p in pkts}
            for n, idx in enumerate(sorted(failed)):
                if n >= args.max_report:
                    log("  ... %d more mismatching packets not shown"
                        % (len(failed) - n))
                    break
                report_packet(by_index[idx], by_packet[idx], ovs, rules,
                              failed[idx])
            log("  reproduce: %s" % repro(args, seed, nrules))
        return passed, failed_count
    finally:
        if vsw is not None:
            vsw.stop()
        if ovs is not None:
            ovs.stop()
        if keep:
            log("  (work directory kept: %s)" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def repro(args, seed, nrules):
    cmd = ["tests/diff/ovs_diff.py", "--seed", str(seed), "--rounds", "1",
           "--rules", str(nrules), "--packets", str(args.packets), "--keep"]
    if args.build != "build":
        cmd += ["--build", args.build]
    if args.malformed != DEFAULT_MALFORMED:
        cmd += ["--malformed", str(args.malformed)]
    if args.vlan_limit is not None:
        cmd += ["--vlan-limit", str(args.vlan_limit)]
    return " ".join(cmd)


DEFAULT_MALFORMED = 0.05


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Differential test of vswd against Open vSwitch.")
    ap.add_argument("--seed", type=int, default=1,
                    help="base seed; round 0 uses it as is (default 1)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="independent rule-set/packet rounds (default 4)")
    ap.add_argument("--rules", type=int, default=None,
                    help="rules per round (default: random 50..500)")
    ap.add_argument("--packets", type=int, default=None,
                    help="packets per round (default 1500)")
    ap.add_argument("--long", action="store_true",
                    help="much longer run: 25 rounds x 4000 packets, "
                    "50..1500 rules")
    ap.add_argument("--keep", action="store_true",
                    help="keep the per-round temporary directories")
    ap.add_argument("--build", default="build",
                    help="meson build directory holding vswd and vswctl")
    ap.add_argument("--vswd", help="path to vswd (default: BUILD/vswd or "
                    "BUILD/src/vswd)")
    ap.add_argument("--vswctl", help="path to vswctl (default: BUILD/vswctl "
                    "or BUILD/src/vswctl)")
    ap.add_argument("--ovs-only", action="store_true",
                    help="only exercise the OVS side (no vswd needed)")
    ap.add_argument("--self-test", action="store_true",
                    help="test the harness: use fake_vswd.py/fake_vswctl.py "
                    "(an OVS-backed stand-in) as the switch under test")
    ap.add_argument("--malformed", type=float, default=DEFAULT_MALFORMED,
                    help="fraction of malformed packets (default %.2f)"
                    % DEFAULT_MALFORMED)
    ap.add_argument("--vlan-limit", type=int, default=None,
                    help="set OVS other_config:vlan-limit (default: leave "
                    "OVS's default, 1); vswd must behave the same way")
    ap.add_argument("--ports-only", action="store_true",
                    help="rules match on in_port, MACs, dl_type, nw_proto and ip_frag only "
                    "(2..12 per round, any actions): the port-to-port rule sets "
                    "of a VM switch; 60%% of the packets repeat recent headers")
    ap.add_argument("--max-report", type=int, default=10,
                    help="mismatching packets to describe per round")
    ap.add_argument("--vsw-timeout", type=float, default=60.0,
                    help="seconds to wait for vswd to receive everything")
    ap.add_argument("--tmpdir", default="/tmp",
                    help="where to create work directories (keep it short: "
                    "unix socket paths are limited to 107 bytes)")
    args = ap.parse_args(argv)
    if args.long:
        args.rounds = args.rounds or 25
        args.packets = args.packets or 4000
        args.min_rules, args.max_rules = 50, 1500
    else:
        args.min_rules, args.max_rules = 50, 500
    if args.ports_only:
        args.min_rules, args.max_rules = 2, 12
    args.rounds = args.rounds or 4
    args.packets = args.packets or 1500
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_term)

    vswd = vswctl = None
    if args.self_test:
        here = os.path.dirname(os.path.abspath(__file__))
        args.vswd = args.vswd or os.path.join(here, "fake_vswd.py")
        args.vswctl = args.vswctl or os.path.join(here, "fake_vswctl.py")
    if not args.ovs_only:
        vswd = find_binary(args.build, "vswd", args.vswd)
        vswctl = find_binary(args.build, "vswctl", args.vswctl)
        if not vswd or not vswctl:
            log("error: vswd/vswctl not found in %s (or %s/src); build them "
                "first, pass --vswd/--vswctl, or use --ovs-only"
                % (args.build, args.build))
            return 2
        vswd, vswctl = os.path.abspath(vswd), os.path.abspath(vswctl)

    t0 = time.time()
    totals = {"generated": 0, "rejected": collections.Counter(),
              "examples": {}}
    passed = failed = 0
    try:
        smoke_test(args.tmpdir)
        for r in range(args.rounds):
            p, f = run_round(args, r, derive_seed(args.seed, r), vswd, vswctl,
                             totals)
            passed += p
            failed += f
    except (HarnessError, OvsError) as e:
        log("harness error: %s" % e)
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 2

    nrej = sum(totals["rejected"].values())
    log("ovs-ofctl rejected %d of %d generated rules (%.2f%%)"
        % (nrej, totals["generated"],
           100.0 * nrej / max(1, totals["generated"])))
    for reason, cnt in totals["rejected"].most_common():
        log("  %5d  %s" % (cnt, reason))
        log("         e.g. %s" % totals["examples"][reason])
    log("elapsed %.1fs" % (time.time() - t0))
    if args.ovs_only:
        log("ovs-only mode: OVS side ran %d rounds, nothing compared"
            % args.rounds)
        return 0
    log("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
