#!/usr/bin/env python3
# udpsink.py PORT [SECONDS]: receive and count UDP datagrams on PORT (IPv4
# and IPv6) until SECONDS pass without one (default: forever); print the
# count.
import socket
import sys

s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
# A receiver starved of CPU (TCG on a loaded host) must not lose a burst
# to its socket buffer: the count is the oracle of "nothing dropped".
# 2000 64-byte datagrams take about 2 MB of buffer (truesize); root may
# force it past rmem_max.
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
if len(sys.argv) > 2:
    s.settimeout(float(sys.argv[2]))
n = 0
try:
    while True:
        s.recv(65536)
        n += 1
except socket.timeout:
    pass
print(n)
