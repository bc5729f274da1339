#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""natsess.py server PORT: answer every TCP connection on PORT with one
byte and close it, forever.
natsess.py client DST PORT N SPORT: N TCP sessions to DST:PORT, one after
the other, from source ports SPORT, SPORT+1, ...: each sends a byte,
waits for the answer and closes."""
import socket
import sys

if sys.argv[1] == "server":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.recv(1)
        c.sendall(b"y")
        c.close()
else:
    dst, port, n, sport = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    for i in range(n):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("0.0.0.0", sport + i))
        c.settimeout(10)
        c.connect((dst, port))
        c.sendall(b"x")
        if c.recv(1) != b"y":
            sys.exit("no answer from %s:%d" % (dst, port))
        c.close()
