"""Packet-in monitors for the pipeline differential test.

Both switches' packet-ins are read as text in the shape `ovs-ofctl -m
monitor` prints them: a header line such as

  NXT_PACKET_IN2 (OF1.3) (xid=0x0): table_id=1 cookie=0x5 total_len=72
      reg0=0x1,metadata=0x5,in_port=1 (via action) data_len=72 (unbuffered)

(one line), an optional "userdata=..." line, the packet's flow summary and a
hex dump of the packet.  parse() turns such a stream into PacketIn records
whose 'key' is what the test compares: the reason, table, cookie, total
length, the match (in_port, metadata, registers), userdata and the bytes.
The message name and the xid are not compared.

OvsMonitor runs `ovs-ofctl -O OpenFlow13 -m monitor MGMT 65535` (a nonzero
miss length is what makes OVS send asynchronous messages to a service
connection; with OpenFlow 1.3 table misses are not sent, so only controller
actions produce packet-ins) writing to a file.  VswMonitor runs `vswctl
monitor` the same way.
"""

import re
import subprocess
import threading
import time

import packets as P

MARK_MAGIC = b"VSWMARK!"

HEAD_RE = re.compile(r"^(\S*PACKET_IN\S*)\s+(?:\(OF[\d.]+\)\s+)?"
                     r"(?:\(xid=\w+\))?:?\s*(.*)$")
HEX_RE = re.compile(r"^([0-9a-f]{8})\s\s((?:[0-9a-f]{2}[ -]?)+)")


MARK_DST = 0x02EE00000000          # markers: dl_dst 02:ee:<32-bit index>


class PacketIn:
    __slots__ = ("fields", "summary", "data", "text")

    def __init__(self, fields, summary, data, text):
        self.fields = fields      # dict of the header line's key=value
        self.summary = summary    # the packet's flow summary line
        self.data = data          # bytes, or None without a hex dump
        self.text = text          # the header line as printed

    def key(self, with_data=True):
        """What is compared: the header line's fields, and the packet: its
        bytes when both monitors print them (the flow summary is then only
        each tool's rendering of the same bytes), else the flow summary."""
        return (tuple(sorted(self.fields.items())),
                self.data if with_data else self.summary)

    def tag(self):
        return P.find_tag(self.data) if self.data else None

    def marker(self):
        """The marker index, or None."""
        if "dl_type=0x88b6" not in self.summary:
            return None
        m = re.search(r"dl_dst=02:ee:([0-9a-f:]{11})", self.summary)
        if not m:
            return None
        return int(m.group(1).replace(":", ""), 16)

    def describe(self):
        out = "%s | %s" % (" ".join("%s=%s" % kv for kv in
                                    sorted(self.fields.items())),
                           self.summary)
        if self.data is not None:
            out += " | data=" + self.data.hex()
        return out


def _parse_head(rest):
    """'table_id=1 cookie=0x0 total_len=72 reg0=0x1,in_port=1 (via action)
    data_len=72 (unbuffered)' -> dict."""
    f = {}
    m = re.search(r"\(via ([^)]*)\)", rest)
    if m:
        f["reason"] = m.group(1).strip()
        rest = rest[:m.start()] + " " + rest[m.end():]
    rest = rest.replace("(unbuffered)", " ")
    for tok in rest.split():
        for part in tok.split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                f[k] = v
            elif part:
                f.setdefault("_words", "")
                f["_words"] += part + " "
    return f


class Parser:
    """Incremental: feed() lines; a record is complete at its flow summary
    line (what `ovs-ofctl monitor` prints without -m); hex dump lines that
    follow (with -m) fill in its bytes afterwards."""

    def __init__(self):
        self.cur = None
        self.last = None
        self.hex = None

    def feed(self, line):
        """-> list of completed records (0 or 1)."""
        line = line.rstrip("\n")
        m = HEAD_RE.match(line)
        if m and "PACKET_IN" in m.group(1):
            self.cur = (_parse_head(m.group(2)), line.strip())
            self.last = None
            return []
        h = HEX_RE.match(line)
        if h:
            if self.last is not None:
                # Offset, then up to 16 bytes "xx xx ... xx-xx ...".
                self.hex.append(re.sub(r"[^0-9a-f]", "", line[10:10 + 49]))
                self.last.data = bytes.fromhex("".join(self.hex))
            return []
        s = line.strip()
        if line.startswith("OFPT_") or line.startswith("NXT_") or not s:
            self.cur = None
            self.last = None
            return []
        if self.cur is None:
            return []
        if s.startswith("userdata="):
            self.cur[0]["userdata"] = s[len("userdata="):]
            return []
        rec = PacketIn(self.cur[0], s, None, self.cur[1])
        self.cur = None
        self.last = rec
        self.hex = []
        return [rec]

    def close(self):
        return []


def parse(text):
    p = Parser()
    out = []
    for line in text.splitlines():
        out += p.feed(line)
    return out + p.close()


def marker_frame(index, port):
    """A frame only the marker rule matches; its index is in dl_dst."""
    return (P.eth(MARK_DST | index, 0x02EEFFFFFF00 | port, [], 0x88B6)
            + MARK_MAGIC + index.to_bytes(4, "big") + b"\0" * 34)


class _Reader:
    """Common part: a subprocess whose stdout a thread parses."""

    def __init__(self, cmd, env, logpath):
        self.cond = threading.Condition()
        self.recs = []
        self.markers = set()
        self.log = open(logpath, "w")
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     bufsize=1, start_new_session=True)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _add(self, recs):
        if not recs:
            return
        with self.cond:
            for r in recs:
                self.recs.append(r)
                mk = r.marker()
                if mk is not None:
                    self.markers.add(mk)
            self.cond.notify_all()

    def _run(self):
        p = Parser()
        for line in self.proc.stdout:
            self.log.write(line)
            self._add(p.feed(line))
        self._add(p.close())
        self.log.flush()

    def records(self):
        with self.cond:
            return list(self.recs)

    def count(self):
        with self.cond:
            return len(self.recs)

    def wait_marker(self, index, timeout=5.0):
        """Wait until marker 'index' arrived; True if it did."""
        deadline = time.time() + timeout
        with self.cond:
            while index not in self.markers:
                left = deadline - time.time()
                if left <= 0 or self.proc.poll() is not None:
                    return index in self.markers
                self.cond.wait(min(left, 0.05))
            return True

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.thread.join(timeout=5)
        self.log.close()


class OvsMonitor(_Reader):
    def __init__(self, ovs, logpath):
        cmd = ["ovs-ofctl", "-O", "OpenFlow13", "-m", "monitor", ovs.mgmt,
               "65535"]
        _Reader.__init__(self, cmd, ovs.env, logpath)


class VswMonitor(_Reader):
    def __init__(self, vswctl, ctl, logpath):
        _Reader.__init__(self, [vswctl, "--ctl", ctl, "monitor", "-m"], None,
                         logpath)
