#!/usr/bin/python3
"""Stand-in for build/vswctl, paired with fake_vswd.py (harness self-test):
    fake_vswctl.py --ctl SOCK dump-ports"""

import socket
import sys


def main():
    args = sys.argv[1:]
    if len(args) != 3 or args[0] != "--ctl":
        sys.exit("usage: fake_vswctl.py --ctl SOCK dump-ports")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(args[1])
    except OSError as e:
        sys.exit("fake_vswctl: %s: %s" % (args[1], e))
    s.sendall((args[2] + "\n").encode())
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        out += chunk
    sys.stdout.write(out.decode())
    return 1 if out.startswith(b"error") else 0


if __name__ == "__main__":
    sys.exit(main())
