"""scripts/bench: the markdown report (make_report, with report_tse, hit_split,
fdb_notes), the one-line summary of an instance logged as it ends (summary)
and the number formatting they share (fmt_count, fmt_range, med).

Used by scripts/bench (main).  Imports bench_common.
"""

import statistics
import time

from bench_common import (CHURN_PERIOD, L2_MACS, OVS_PCAP_MAX, PVP_L2_MACS, SYSTEM_NAMES,
                          TSE_RATES, versions)


# ---- Formatting ------------------------------------------------------------------------

def fmt_count(n):
    return "%dk" % (n // 1000) if n % 1000 == 0 and n >= 1000 else str(n)


def fmt_range(vals, digits=2):
    if not vals:
        return "–"
    med = statistics.median(vals)
    if len(vals) == 1:
        return "%.*f" % (digits, med)
    return "%.*f [%.*f–%.*f]" % (digits, med, digits, min(vals), digits, max(vals))


def med(vals):
    return statistics.median(vals) if vals else None


# ---- Report ---------------------------------------------------------------------------

def report_tse(L, r, results, errors):
    L.append("Scenario **tse**: f's 1 000 flows and allow-list on port 1, a bond "
             "(mode 6) of the pcap and of a `net_af_packet` port that bench.d/tse.py feeds "
             "with a Tuple Space Explosion attack (each packet one bit off a permitted "
             "source prefix, destination prefix and service port, at random positions, "
             "the bits after them random; none permitted).  Legitimate Mpps = port 2's tx; "
             "kept = under attack / without.")
    L.append("")
    head = "| system | no attack Mpps |"
    for rate in TSE_RATES:
        head += " %s/s: Mpps (kept) |" % fmt_count(rate)
    L.append(head + " at %s/s: subtables or dp masks, probes/hit, upcalls/s |"
             % fmt_count(TSE_RATES[-1]))
    L.append("|---|---|" + "---|" * (len(TSE_RATES) + 1))
    for s in r.systems:
        xs = results.get((r.id, s), [])
        if not xs:
            if (r.id, s) in errors:
                L.append("| %s | FAIL |%s" % (SYSTEM_NAMES[s], " |" * (len(TSE_RATES) + 1)))
            continue
        base = [x["noattack"]["mpps"] for x in xs]
        row = "| %s | %s |" % (SYSTEM_NAMES[s], fmt_range(base))
        for rate in TSE_RATES:
            m = [x["attack"][rate]["mpps"] for x in xs]
            kept = [y / b for b, y in zip(base, m) if b > 0]
            row += " %s (%s) |" % (fmt_range(m), fmt_range(kept))
        last = [x["attack"][TSE_RATES[-1]] for x in xs]
        sub = [x["pmd"].get("subtables") for x in last if x.get("pmd", {}).get("subtables")]
        masks = [x["dp_masks"] for x in last if "dp_masks" in x]
        probes = [x["pmd"][k] for x in last for k in SUBTABLE_KEYS if x.get("pmd", {}).get(k)]
        ups = [x["upcalls"] / x["seconds"] for x in last if "upcalls" in x]
        row += " %s, %s, %s |" % ("%d subtables" % med(sub) if sub else
                                  ("%d dp masks" % med(masks) if masks else "–"),
                                  "%.1f" % med(probes) if probes else "–",
                                  "%.0f" % med(ups) if ups else "–")
        L.append(row)
    L.append("")


def summary(res):
    if "noattack" in res:
        return "%.2f Mpps; under attack %s" % (res["noattack"]["mpps"], ", ".join(
            "%s/s %.2f Mpps" % (fmt_count(k), v["mpps"]) for k, v in res["attack"].items()))
    if "nochurn" in res:
        a, b = res["nochurn"], res["churn"]
        return ("%.2f Mpps -> %.2f Mpps with a rule change every %.0f s (%d changes in the "
                "window, %d upcalls)" % (a["mpps"], b["mpps"], CHURN_PERIOD,
                                         b.get("churn_changes", 0), b.get("upcalls", 0)))
    if "nostorm" in res:
        a, b = res["nostorm"], res["storm"]
        return ("cached %.2f Mpps -> %.2f Mpps under storm (offered %.0f/s, accepted %.0f/s)"
                % (a["mpps"], b["mpps"], b["storm_offered_pps"], b["storm_accepted_pps"]))
    s = "%.2f Mpps" % res["mpps"]
    if "cycles" in res:
        s += ", %.1f cyc/pkt (%s)" % (res["cycles"], res["cycles_method"])
    if res.get("upcalls"):
        s += ", %d upcalls in window" % res["upcalls"]
    if "fwd_thread_oncpu" in res:
        s += ", fwd thread on cpu1 %.1f%%" % (100 * res["fwd_thread_oncpu"])
        if res["fwd_thread_waiting"] > 0.005 or res["cpu1_steal"] > 0.005:
            s += " (waiting %.1f%%, steal %.1f%%)" % (100 * res["fwd_thread_waiting"],
                                                     100 * res["cpu1_steal"])
    if abs(res.get("rx_mpps", res["mpps"]) - res["mpps"]) > 0.01 * max(res["mpps"], 0.01):
        s += " (rx %.2f Mpps)" % res["rx_mpps"]
    if "fdb_expected" in res:
        s += ", MAC table %s/%d expected (missing %d, wrong port %d, moved %d)" % (
            res.get("fdb_entries"), res["fdb_expected"], res["fdb_missing"],
            res["fdb_wrong_port"], res.get("fdb_moved", 0))
        if "flooded_local" in res:
            s += ", flooded to LOCAL %d, flood dp flows %s" % (
                res["flooded_local"], res.get("dp_flood_flows", "?"))
    return s


HIT_KEYS = (("simple match hits", "simple match"), ("emc hits", "EMC"), ("smc hits", "SMC"),
            ("megaflow hits", "megaflow"))
SUBTABLE_KEYS = ("avg. subtable lookups per megaflow hit",          # OVS
                 "avg subtables probed per megaflow hit")           # vsw


def hit_split(xs):
    """Where the windows' packets were looked up, from the PMD statistics."""
    pm = [x.get("pmd", {}) for x in xs]
    n = sum(p.get("packets received", 0) for p in pm) or 1
    parts = []
    for k, lab in HIT_KEYS:
        h = sum(p.get(k, 0) for p in pm)
        if h:
            parts.append("%s %.1f%%" % (lab, 100.0 * h / n))
    sub = [p[k] for p in pm for k in SUBTABLE_KEYS if p.get(k)]
    if sub:
        parts.append("%.1f subtables/megaflow hit" % med(sub))
    for key, lab in (("dp_flows", "dp flows"), ("dp_masks", "dp masks")):
        fl = [x[key] for x in xs if key in x]
        if fl:
            parts.append("%d %s" % (med(fl), lab))
    mf = [p["megaflows"] for p in pm if "megaflows" in p]
    if mf:
        parts.append("%d megaflows" % med(mf))
    stages = [(lab, [p["stage " + lab] for p in pm if "stage " + lab in p])
              for lab in ("parse", "emc", "megaflow", "upcall", "execute+tx")]
    if any(v for _, v in stages):
        parts.append("cycles/packet by stage: " + ", ".join(
            "%s %.1f" % (lab, med(v)) for lab, v in stages if v))
    if any("upcalls" in x for x in xs):
        up = sum(x.get("upcalls", 0) for x in xs)
        parts.append(("**%d upcalls in the windows**" % up) if up else "no upcalls")
    pvp = any(x.get("pvp") for x in xs)
    both = any(x.get("both_ways") for x in xs)
    tx = sum(x["ports"].get(k, {}).get("tx", 0) for x in xs for k in (("1", "2") if both
                                                                       else ("2",)))
    rx = sum(x["ports"].get(k, {}).get("rx", 0) for x in xs for k in (("1", "2") if both
                                                                       else ("1",))) or 1
    if abs(rx - tx) > 0.001 * rx:
        parts.append("%.2f%% of %s not sent on" % (
            100.0 * (rx - tx) / rx, "ports 1+2 rx" if both else "port 1 rx (to port 2)"))
    parts += fdb_notes(xs)
    if pvp:
        txd = sum(x["ports"].get(k, {}).get("tx_drop", 0) for x in xs for k in ("1", "2"))
        if txd:
            parts.append("**%d tx drops on the vhost-user ports**" % txd)
    bf = [x["busy_frac"] for x in xs if "busy_frac" in x]
    if bf:
        parts.append("PMD busy %.1f%% of iterations" % (100 * med(bf)))
    oc = [x["fwd_thread_oncpu"] for x in xs if "fwd_thread_oncpu" in x]
    if oc:
        parts.append("PMD thread on cpu1 %.1f%% of the window (min %.1f%%)" % (
            100 * med(oc), 100 * min(oc)))
    vc = [x["vm_thread_oncpu"] for x in xs if "vm_thread_oncpu" in x]
    if vc:
        parts.append("VM (testpmd) forwarding thread on cpu0 %.1f%% of the window" % (
            100 * med(vc)))
    return ", ".join(parts)


def fdb_notes(xs):
    """NORMAL rows: is the bridge forwarding by learned MACs (all of the
    traffic's MACs in the table on their port, none moving, nothing flooded)?"""
    fx = [x for x in xs if "fdb_expected" in x]
    if not fx:
        return []
    exp = fx[0]["fdb_expected"]
    ent = [x["fdb_entries"] for x in fx if x.get("fdb_entries") is not None]
    parts = ["MAC table %s entries after the window (the traffic's %d MACs)" % (
        "/".join(str(e) for e in sorted(set(ent))) if ent else "?", exp)]
    for k, lab in (("fdb_missing", "of the traffic's MACs not in the table"),
                   ("fdb_wrong_port", "MACs on the wrong port"),
                   ("fdb_other", "other MACs in the table")):
        n = max(x.get(k, 0) for x in fx)
        if n:
            parts.append("**%d %s**" % (n, lab))
    for k, lab in (("fdb_learned", "learned"), ("fdb_moved", "moved"),
                   ("fdb_expired", "expired"), ("fdb_evicted", "evicted")):
        n = sum(x.get(k, 0) for x in fx)
        if n:
            parts.append("**%d MACs %s during the windows**" % (n, lab))
    if not any(x.get(k, 0) for x in fx for k in ("fdb_learned", "fdb_moved", "fdb_expired",
                                                  "fdb_evicted", "fdb_missing",
                                                  "fdb_wrong_port")):
        parts.append("no MAC learned, moved or lost during the windows")
    fl = sum(x.get("flooded_local", 0) for x in fx)
    if any("flooded_local" in x for x in fx):
        parts.append(("**%d frames flooded (to LOCAL) in the windows**" % fl) if fl
                     else "nothing flooded to LOCAL")
    ff = [x["dp_flood_flows"] for x in fx if "dp_flood_flows" in x]
    if ff and max(ff):
        parts.append("**%d dp flows with several outputs (floods)**" % max(ff))
    return parts


def make_report(args, rows, results, errors, refused, retried):
    L = []
    v = versions()
    # TSC Hz: testpmd prints DPDK's rte_get_tsc_hz(); else OVS's cycle counts per second.
    tsc = [x["tsc_hz"] for k, xs in results.items() for x in xs if "tsc_hz" in x]
    tsc = tsc or [x["tsc_hz_est"] for k, xs in results.items() for x in xs
                  if "tsc_hz_est" in x]
    tsc_hz = med(tsc)
    L.append("## Benchmark %s" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    L.append("")
    L.append("vsw `%s`; %s; dpdk %s; kernel %s; TSC %s." % (
        v.get("vsw", "?"), v.get("ovs", "?"), v.get("dpdk", "?"), v["kernel"],
        "%.0f MHz" % (tsc_hz / 1e6) if tsc_hz else "unknown"))
    L.append("%d fresh instance(s) per system and scenario, %.0f s window after %.0f s "
             "warm-up%s. Mpps: median [min–max] over instances; cycles/pkt: median." % (
                 args.repeats, args.window, args.warmup,
                 " (**--quick: noisy smoke-test numbers**)" if args.quick else ""))
    L.append("")
    main_rows = [r for r in rows if not r.storm and not r.churn and not r.tse]
    if main_rows:
        L.append("| scenario | vsw Mpps | OVS Mpps | OVS+SMC Mpps | testpmd Mpps | vsw/OVS "
                 "| vsw cyc/pkt | OVS cyc/pkt | testpmd cyc/pkt | vsw − testpmd cyc/pkt |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in main_rows:
            mp = {s: [x["mpps"] for x in results.get((r.id, s), [])] for s in SYSTEM_NAMES}
            cy = {s: [x["cycles"] for x in results.get((r.id, s), []) if "cycles" in x]
                  for s in SYSTEM_NAMES}
            if tsc_hz:     # vsw without cycle counters: the PMD core is 100 % busy
                for x in results.get((r.id, "vsw"), []):
                    if "cycles" not in x and x["mpps"] > 0:
                        cy["vsw"].append(tsc_hz / (x["mpps"] * 1e6))
                        x["cycles_method"] = "TSC/pps"

            def cell(s):
                if s not in r.systems:
                    return ""
                if not mp[s]:
                    if (r.id, s) in refused:
                        return "n/a (pcap > %dk)" % (OVS_PCAP_MAX // 1000)
                    return "FAIL" if (r.id, s) in errors else "–"
                low = any(x.get("fwd_thread_oncpu", 1.0) < args.min_oncpu
                          for x in results.get((r.id, s), []))
                return fmt_range(mp[s]) + (" †" if low else "")
            ratio = ""
            if mp["vsw"] and mp["ovs"] and med(mp["ovs"]) > 0:
                ratio = "%.2f" % (med(mp["vsw"]) / med(mp["ovs"]))
                if mp["ovs-smc"] and med(mp["ovs-smc"]) > 0:
                    ratio += " (%.2f vs SMC)" % (med(mp["vsw"]) / med(mp["ovs-smc"]))
            cdiff = ""
            if cy["vsw"] and cy["testpmd"]:
                cdiff = "%.0f" % (med(cy["vsw"]) - med(cy["testpmd"]))
            cyc = {s: ("%.0f" % med(cy[s])) if cy[s] else "" for s in SYSTEM_NAMES}
            if cy["ovs-smc"]:
                cyc["ovs"] += " (SMC %s)" % cyc["ovs-smc"]
            L.append("| **%s** %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r.id, r.title, cell("vsw"), cell("ovs"), cell("ovs-smc"), cell("testpmd"),
                ratio, cyc["vsw"], cyc["ovs"], cyc["testpmd"], cdiff))
        L.append("")
        methods = sorted({x.get("cycles_method", "?") for r in main_rows
                          for x in results.get((r.id, "vsw"), [])})
        if any(r.pvp and not r.normal for r in main_rows):
            L.append("Scenario **pvp**: no NIC; the \"VM\" is one dpdk-testpmd on cpu0 with "
                     "two virtio-user ports (vhost-user servers), io-forwarding between them; "
                     "`start tx_first%s` puts %d packets into the loop (%d x 32 per port). Mpps = "
                     "tx of switch ports 1 and 2 together (both directions); cycles/pkt = "
                     "the switch PMD's (cpu1) per packet received. The VM shares cpu0 with "
                     "the switch's control threads and this script; there is no testpmd "
                     "limit row (testpmd is the traffic source)." % (
                         " %d" % args.pvp_bursts if args.pvp_bursts > 1 else "",
                         64 * args.pvp_bursts, args.pvp_bursts))
            L.append("")
        if any(r.normal for r in main_rows):
            L.append("Scenarios **l2** and **l2-pvp**: the NORMAL bridge a switch has with no "
                     "rules of its own (vswd without `--flows`; OVS: a new bridge, no "
                     "controller, `fail_mode=standalone`), i.e. the one rule "
                     "`priority=0,actions=NORMAL`, checked before measuring.")
            L.append("")
        if any(r.bidir for r in main_rows):
            L.append("**l2**: ports 1 and 2 are both `net_pcap` with `infinite_rx` (their tx "
                     "frees the frames); port 1 replays %d frames A_i -> B_i, port 2 %d frames "
                     "B_i -> A_i (host A_i = MAC 02:00:0a:00:HH:LL behind port 1, B_i = "
                     "02:00:0b:00:HH:LL behind port 2, one UDP flow per pair), so all %d MACs "
                     "are learned in the first round and then every frame is unicast to the "
                     "other port. Mpps = tx of ports 1 and 2 together; testpmd: io "
                     "forwarding 0->1 and 1->0 of the same two pcaps on its one core, tx of "
                     "both ports." % (L2_MACS, L2_MACS, 2 * L2_MACS))
            L.append("")
        if any(r.pvp and r.normal for r in main_rows):
            L.append("**l2-pvp**: the pvp loop (testpmd \"VM\" on cpu0, io forwarding, `start "
                     "tx_first%s`, %d packets) through the NORMAL bridge; the VM's ports have "
                     "the MACs %s (switch port 1) and %s (switch port 2) and `--eth-peer` "
                     "addresses each port's frames to the other's MAC, so one burst always "
                     "enters on port 1 as %s -> %s and the other on port 2 the other way: "
                     "two MACs learned, unicast both ways, none moving. Mpps and cycles/pkt "
                     "as in pvp (tx of switch ports 1 and 2; the switch PMD's cycles); no "
                     "testpmd row." % (
                         " %d" % args.pvp_bursts if args.pvp_bursts > 1 else "",
                         64 * args.pvp_bursts, PVP_L2_MACS[0], PVP_L2_MACS[1],
                         PVP_L2_MACS[0], PVP_L2_MACS[1]))
            L.append("")
        L.append("vsw cycles/pkt method: %s. OVS: `avg processing cycles per packet` after "
                 "`pmd-stats-clear`. testpmd: `--record-core-cycles` busy cycles / packets. "
                 "All TSC cycles of the one forwarding core." % (", ".join(methods) or "–"))
        notes = []
        for r in main_rows:
            for s in ("vsw", "ovs", "ovs-smc"):
                xs = results.get((r.id, s), [])
                if xs:
                    notes.append("%s %s: %s" % (r.id, SYSTEM_NAMES[s], hit_split(xs)))
        if notes:
            L.append("")
            L.append("Datapath detail (per window sums):")
            L.append("")
            for n in notes:
                L.append("- " + n)
        L.append("")
    storm_rows = [r for r in rows if r.storm]
    for r in storm_rows:
        L.append("Scenario **e** (miss storm): 1 000 cached UDP flows replayed on port 1 "
                 "(`in_port=1,udp` → port 2) while port 3 (`net_af_packet` on a veth) "
                 "receives %.0f never-seen flows/s (new source MAC and 5-tuple each; a "
                 "`dl_src` rule forces the MAC into every datapath flow of port 3)." %
                 args.storm_rate)
        L.append("")
        L.append("| system | cached Mpps, no storm | cached Mpps, storm | storm/no-storm | "
                 "storm offered /s | storm accepted /s | storm rx drops /s | upcalls /s |")
        L.append("|---|---|---|---|---|---|---|---|")
        details = []
        for s in ("vsw", "ovs"):
            xs = results.get((r.id, s), [])
            if not xs:
                if s in r.systems and s in SYSTEM_NAMES and (r.id, s) in errors:
                    L.append("| %s | FAIL | | | | | | |" % SYSTEM_NAMES[s])
                continue
            a = [x["nostorm"]["mpps"] for x in xs]
            b = [x["storm"]["mpps"] for x in xs]
            rat = [y / x for x, y in zip(a, b) if x > 0]
            up = [x["storm"]["upcalls"] / x["storm"]["seconds"] for x in xs
                  if "upcalls" in x["storm"]]
            details.append("%s under storm: %s" % (SYSTEM_NAMES[s],
                                                   hit_split([x["storm"] for x in xs])))
            def dag(k):
                return " †" if any(x[k].get("fwd_thread_oncpu", 1.0) < args.min_oncpu
                                   for x in xs) else ""
            L.append("| %s | %s | %s | %s | %.0f | %.0f | %.0f | %s |" % (
                SYSTEM_NAMES[s], fmt_range(a) + dag("nostorm"), fmt_range(b) + dag("storm"),
                fmt_range(rat),
                med([x["storm"]["storm_offered_pps"] for x in xs]),
                med([x["storm"]["storm_accepted_pps"] for x in xs]),
                med([x["storm"]["storm_dropped_pps"] for x in xs]),
                "%.0f" % med(up) if up else "–"))
        L.append("")
        offered = [x["storm"]["storm_offered_pps"] for s in ("vsw", "ovs")
                   for x in results.get((r.id, s), [])]
        if offered and min(offered) < 0.95 * args.storm_rate:
            details.append("**the storm source reached only %.0f of the %.0f flows/s asked "
                           "for** (bench.d/storm.py is Python: ~400k/s at most on an idle "
                           "core 0)" % (min(offered), args.storm_rate))
        for dl in details:
            L.append("- " + dl)
        L.append("")
    for r in [r for r in rows if r.tse]:
        report_tse(L, r, results, errors)
    for r in [r for r in rows if r.churn]:
        L.append("Scenario **churn**: the 100k flows of c through its 1 000 rules while, "
                 "once every %.0f s, `vswctl add-flow`/`del-flows --strict` adds or deletes "
                 "a rule that no flow uses (`priority=50,udp,nw_dst=192.168.77.N`)." %
                 CHURN_PERIOD)
        L.append("")
        L.append("| system | Mpps, no changes | Mpps, changes | changes/no changes | "
                 "changes in the window | upcalls in the window |")
        L.append("|---|---|---|---|---|---|")
        for s in r.systems:
            xs = results.get((r.id, s), [])
            if not xs:
                if (r.id, s) in errors:
                    L.append("| %s | FAIL | | | | |" % SYSTEM_NAMES[s])
                continue
            a = [x["nochurn"]["mpps"] for x in xs]
            b = [x["churn"]["mpps"] for x in xs]
            rat = [y / x for x, y in zip(a, b) if x > 0]
            L.append("| %s | %s | %s | %s | %.0f | %.0f |" % (
                SYSTEM_NAMES[s], fmt_range(a), fmt_range(b), fmt_range(rat),
                med([x["churn"].get("churn_changes", 0) for x in xs]),
                med([x["churn"].get("upcalls", 0) for x in xs])))
        L.append("")
    low = []
    for (rid, s), xs in sorted(results.items()):
        for x in xs:
            for tag, w in (("", x), (" no-storm", x.get("nostorm")), (" storm", x.get("storm")),
                           (" no-churn", x.get("nochurn")), (" churn", x.get("churn"))):
                if w and w.get("fwd_thread_oncpu", 1.0) < args.min_oncpu:
                    low.append("%s %s%s r%d (%.0f%%)" % (rid, SYSTEM_NAMES[s], tag,
                                                         x.get("repeat", 0),
                                                         100 * w["fwd_thread_oncpu"]))
    L.append("Windows are kept only if the forwarding thread ran on cpu1 for >= %.0f%% of "
             "them (else re-measured, up to %d more times per instance). %s" % (
                 100 * args.min_oncpu, args.retries,
                 ("† Still below (another process shared the core; Mpps low, cycles/pkt "
                 "high): " + "; ".join(low) + ".") if low else "All windows met it."))
    L.append("")
    if retried:
        L.append("Instances that failed and were run again:")
        L.append("")
        for (rid, s), es in sorted(retried.items()):
            for e in es:
                L.append("- %s %s: %s" % (rid, s, e.splitlines()[0][:300]))
        L.append("")
    if errors:
        L.append("Failed runs:")
        L.append("")
        for (rid, s), es in sorted(errors.items()):
            for e in es:
                L.append("- %s %s: %s" % (rid, s, e.splitlines()[0][:300]))
        L.append("")
    return "\n".join(L)
