#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tcpsink.py PORT BYTES: accept one TCP connection (IPv4 or IPv6), read
BYTES from it, close it first, and print the bytes read."""
import socket
import sys

s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
n = 0
while n < int(sys.argv[2]):
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
c.close()
print(n, flush=True)
