#!/usr/bin/env python3
# udpgen.py DST PORT COUNT [SIZE] [SPORT] [FLOWS]: send COUNT UDP datagrams of
# SIZE payload bytes to DST:PORT, spread over FLOWS source ports starting
# at SPORT (0: one ephemeral port). Traffic stays in the test's namespaces.
import socket
import sys

dst, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
sport = int(sys.argv[5]) if len(sys.argv) > 5 else 0
flows = int(sys.argv[6]) if len(sys.argv) > 6 else 1
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(flows):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport + i if sport else 0))
    socks.append(s)
payload = bytes(size)
for i in range(count):
    socks[i % flows].sendto(payload, (dst, port))
