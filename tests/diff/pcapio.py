"""Minimal classic-pcap reader/writer (standard library only).

Only what the differential test needs: Ethernet (linktype 1) frames, written
with microsecond timestamps; reading accepts both byte orders and both the
microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic numbers, because
OVS's netdev-dummy writes the former and DPDK's net_pcap PMD the latter.
"""

import struct

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1


class PcapError(Exception):
    pass


def write_pcap(path, frames, snaplen=65535):
    """Write 'frames' (iterable of bytes) to 'path' as a little-endian pcap."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", MAGIC_US, 2, 4, 0, 0, snaplen,
                            LINKTYPE_ETHERNET))
        usec = 0
        for frame in frames:
            # Monotonic fake timestamps, 1 us apart, so readers keep order.
            usec += 1
            f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000,
                                len(frame), len(frame)))
            f.write(frame)


def read_pcap(path, missing_ok=False):
    """Return the list of frames (bytes) stored in pcap file 'path'.

    A file that does not exist (and missing_ok) or is empty gives [].  A
    record cut short at the end of the file (writer still running) is
    ignored rather than treated as an error."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        if missing_ok:
            return []
        raise
    if not data:
        return []
    if len(data) < 24:
        raise PcapError("%s: truncated pcap header" % path)
    magic_le = struct.unpack("<I", data[:4])[0]
    if magic_le in (MAGIC_US, MAGIC_NS):
        endian = "<"
    else:
        magic_be = struct.unpack(">I", data[:4])[0]
        if magic_be in (MAGIC_US, MAGIC_NS):
            endian = ">"
        else:
            raise PcapError("%s: bad pcap magic 0x%08x" % (path, magic_le))
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != LINKTYPE_ETHERNET:
        raise PcapError("%s: linktype %d is not Ethernet" % (path, linktype))
    frames = []
    off = 24
    rec = struct.Struct(endian + "IIII")
    while off + 16 <= len(data):
        _, _, incl, orig = rec.unpack_from(data, off)
        off += 16
        if off + incl > len(data):
            break
        if incl != orig:
            raise PcapError("%s: frame %d was truncated by the writer "
                            "(%d of %d bytes captured)"
                            % (path, len(frames), incl, orig))
        frames.append(bytes(data[off:off + incl]))
        off += incl
    return frames
