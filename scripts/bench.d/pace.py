"""Paced frame source shared by storm.py and tse.py (scripts/bench).

Sends frames into a kernel interface through an AF_PACKET socket at a fixed
rate until SIGTERM/SIGINT, bursts of at most BATCH_MAX frames so that the
pacing stays smooth.
"""

import signal
import socket
import time

BATCH_MAX = 64          # frames per burst at most


def send_paced(iface, rate, next_frame):
    """Sends next_frame(k) for k = 0, 1, ... into 'iface' at 'rate' frames/s
    until SIGTERM or SIGINT; returns {"sent", "seconds", "send_errors", "rate"}."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    send = s.send
    n = errors = 0
    t0 = time.monotonic()
    while not stop:
        due = int((time.monotonic() - t0) * rate) - n
        if due <= 0:
            time.sleep(0.0005)
            continue
        for _ in range(min(due, BATCH_MAX)):
            try:
                send(next_frame(n))
            except OSError:
                errors += 1
            n += 1
    el = time.monotonic() - t0
    return {"sent": n, "seconds": el, "send_errors": errors,
            "rate": n / el if el > 0 else 0.0}
