#!/usr/bin/env python3
# paced.py DST PORT SPORT FLOWS INTERVAL SECONDS: long-lived UDP flows. Each
# of FLOWS sockets, bound to source ports SPORT, SPORT+1, ..., sends one
# 64-byte datagram to DST:PORT every INTERVAL seconds for SECONDS seconds,
# or until SIGTERM. Prints "SPORT COUNT" for each flow: the sender's own
# count, the truth a meter is checked against. Traffic stays in the
# test's namespaces.
import signal
import socket
import sys
import time

stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)

dst, port, sport, flows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
interval, secs = float(sys.argv[5]), float(sys.argv[6])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for i in range(flows):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport + i))
    socks.append(s)
counts = [0] * flows
payload = bytes(64)
start = time.monotonic()
tick = start
while tick - start < secs and not stop:
    for i, s in enumerate(socks):
        s.sendto(payload, (dst, port))
        counts[i] += 1
    tick += interval
    time.sleep(max(0.0, tick - time.monotonic()))
for i in range(flows):
    print(sport + i, counts[i])
