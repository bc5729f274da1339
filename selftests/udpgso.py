#!/usr/bin/env python3
# udpgso.py DST PORT SENDS SEGSIZE SEGS: SENDS sendto()s, each of SEGS
# datagrams of SEGSIZE payload bytes as one UDP GSO skb (UDP_SEGMENT).
import socket
import sys
import time

dst, port, sends, size, segs = sys.argv[1], int(sys.argv[2]), *map(int, sys.argv[3:6])
fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_UDP, 103, size)	# UDP_SEGMENT
buf = b'x' * (size * segs)
for _ in range(sends):
	s.sendto(buf, (dst, port))
	time.sleep(0.02)	# the sink must not drop: it is the oracle
