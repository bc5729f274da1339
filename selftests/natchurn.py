#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""natchurn.py DST PORT N SPORT: N UDP sessions to DST:PORT, one datagram
each, from source ports SPORT, SPORT+1, ... (one socket at a time, closed
after its datagram: the conntrack entry stays until it expires or is
flushed). Traffic stays in the test's namespaces."""
import socket
import sys

dst, port, n, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
fam, any_ = (socket.AF_INET6, "::") if ":" in dst else (socket.AF_INET, "0.0.0.0")
payload = bytes(16)
for i in range(n):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((any_, sport + i))
    s.sendto(payload, (dst, port))
    s.close()
