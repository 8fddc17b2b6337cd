"""scripts/bench: parsing of the switches' counters -- vswctl dump-ports /
ovs-ofctl dump-ports, vswctl pmd-stats, ovs-appctl dpif-netdev/pmd-stats-show,
datapath flow masks (mask_signature), delta -- and of the MAC table of the
NORMAL bridge (fdb stats/show, expected_fdb, check_normal_rules, fdb_window).

Used by bench_systems.py (Vsw, Ovs windows).  Imports bench_common.
"""

import re

import gen
from bench_common import PVP_L2_MACS


# ---- Counter parsing ------------------------------------------------------------------

# OVS prints "?" for counters a netdev does not keep (vhost-user: errs); read as 0.
PORT_RE = re.compile(r"port\s+(\S+):\s*rx pkts=(\d+|\?), bytes=(\d+|\?), drop=(\d+|\?), "
                     r"errs=(\d+|\?)[^\n]*\n\s*tx pkts=(\d+|\?), bytes=(\d+|\?), "
                     r"drop=(\d+|\?), errs=(\d+|\?)")


def parse_ports(text):
    """vswctl dump-ports and ovs-ofctl dump-ports share this layout."""
    ports = {}
    for m in PORT_RE.finditer(text):
        k = m.group(1)
        v = [0 if x == "?" else int(x) for x in m.groups()[1:]]
        ports[k] = dict(rx=v[0], rx_bytes=v[1], rx_drop=v[2], rx_errs=v[3],
                        tx=v[4], tx_bytes=v[5], tx_drop=v[6], tx_errs=v[7])
    return ports


STAT_RE = re.compile(r"^\s+([A-Za-z][^:]*?):\s+(-?[\d.]+)(?:\s+of\s+(\d+))?")


def parse_stats_block(lines):
    d = {}
    for line in lines:
        m = STAT_RE.match(line)
        if m:
            d[m.group(1)] = float(m.group(2))
            if m.group(3):
                d[m.group(1) + " (total)"] = float(m.group(3))
    return d


def parse_vsw_pmd_stats(text):
    """First PMD's block of `vswctl pmd-stats` as {name: number}."""
    blocks, cur = [], None
    for line in text.splitlines():
        if re.match(r"^pmd \d+", line):
            cur = []
            blocks.append(cur)
        elif cur is not None:
            cur.append(line)
    if not blocks:
        return {}
    d = parse_stats_block(blocks[0])
    # The stage line: "parse: 13.9, emc: 0.0, megaflow: 9.1, ..." (cycles/packet).
    for line in blocks[0]:
        if line.strip().startswith("parse:"):
            for name, val in re.findall(r"([a-z+]+): ([0-9.]+)", line):
                d["stage " + name] = float(val)
    m = re.search(r"megaflows: .*subtables (\d+)", "\n".join(blocks[0]))
    if m:
        d["subtables"] = float(m.group(1))
    return d


def parse_ovs_pmd_stats(text, core=1):
    block, on = [], False
    for line in text.splitlines():
        if re.match(r"^\S", line):
            on = bool(re.search(r"core_id %d:" % core, line))
            continue
        if on:
            block.append(line)
    return parse_stats_block(block)


def mask_signature(flow):
    """The mask of a datapath flow printed by `dpctl/dump-flows`: every field
    with its /mask (exact when it has none); values dropped."""
    key = flow.split(", packets:")[0]
    return re.sub(r"=([^,/()]+)(/([^,()]+))?",
                  lambda m: "=" + (m.group(3) if m.group(3) else "exact"), key)


def delta(a, b, keys):
    return {k: b.get(k, 0) - a.get(k, 0) for k in keys}


# ---- The NORMAL bridge (l2, l2-pvp) -----------------------------------------------------

FDB_KEYS = {"entries": r"Current/maximum MAC entries in the table:\s*(\d+)",
            "learned": r"Total number of learned MAC entries\s*:\s*(\d+)",
            "expired": r"Total number of expired MAC entries\s*:\s*(\d+)",
            "evicted": r"Total number of evicted MAC entries\s*:\s*(\d+)",
            "moved": r"Total number of port moved MAC entries\s*:\s*(\d+)"}


def parse_fdb_stats(text):
    """`vswctl fdb-stats` and `ovs-appctl fdb/stats-show` share these lines."""
    d = {}
    for k, rx in FDB_KEYS.items():
        m = re.search(rx, text)
        if m:
            d[k] = int(m.group(1))
    return d


def parse_fdb_show(text):
    """`vswctl fdb-show` / `ovs-appctl fdb/show`: {mac: (port, vlan)}."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and re.match(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", f[2]):
            out[f[2]] = (f[0], f[1])
    return out


def expected_fdb(row):
    """{mac: ofport} that a NORMAL row's traffic must have taught the bridge."""
    if row.pvp:
        return {PVP_L2_MACS[0]: "1", PVP_L2_MACS[1]: "2"}
    exp = {}
    for i in range(row.flows):
        exp[gen.mac_str(gen.l2_mac("a", i))] = "1"
        exp[gen.mac_str(gen.l2_mac("b", i))] = "2"
    return exp


def check_normal_rules(text, what):
    """The bridge must have exactly the default rule: priority 0, NORMAL."""
    rules = [x for x in text.splitlines() if "actions=" in x]
    if len(rules) != 1 or not re.search(r"priority=0\b.*actions=NORMAL\s*$", rules[0]):
        raise RuntimeError("%s: expected the one rule priority=0,actions=NORMAL, got %s" %
                           (what, "; ".join(x.strip() for x in rules) or "none"))


def fdb_window(w, row, f0, f1, table):
    """Adds to window w what the MAC table did in it (f0/f1: fdb stats at its
    start and end) and how the table compares with what the traffic teaches
    (table: parse_fdb_show() after the window)."""
    w["fdb_entries"] = f1.get("entries")
    for k in ("learned", "moved", "expired", "evicted"):
        if k in f0 and k in f1:
            w["fdb_" + k] = f1[k] - f0[k]
    exp = expected_fdb(row)
    w["fdb_expected"] = len(exp)
    w["fdb_missing"] = sum(1 for m, p in exp.items() if m not in table)
    w["fdb_wrong_port"] = sum(1 for m, p in exp.items() if m in table and table[m][0] != p)
    w["fdb_other"] = sum(1 for m in table if m not in exp)
    return w
