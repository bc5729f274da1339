#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""natsess.py server PORT: answer every TCP connection on PORT (IPv4 and
IPv6) with one byte and close it, forever.
natsess.py client DST PORT N SPORT: N TCP sessions to DST:PORT (IPv4 or
IPv6), one after the other, from source ports SPORT, SPORT+1, ...: each
sends a byte, waits for the answer and closes."""
import socket
import sys

if sys.argv[1] == "server":
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(sys.argv[2])))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.recv(1)
        c.sendall(b"y")
        c.close()
else:
    dst, port, n, sport = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    fam, any_ = (socket.AF_INET6, "::") if ":" in dst else (socket.AF_INET, "0.0.0.0")
    for i in range(n):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((any_, sport + i))
        c.settimeout(10)
        c.connect((dst, port))
        c.sendall(b"x")
        if c.recv(1) != b"y":
            sys.exit("no answer from %s:%d" % (dst, port))
        c.close()
