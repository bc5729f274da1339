#!/usr/bin/env python3
# udprecv.py PORT FILE: receive UDP datagrams on PORT (IPv4 and IPv6) and
# append each payload to FILE, as it arrives: export messages back to back
# form an IPFIX file. Runs until killed.
import socket
import sys

s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536))
