#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pinsend.py udp DST DPORT SPORT COUNT INTERVAL CPUS
   pinsend.py tcp DST DPORT SPORT CHUNKS INTERVAL CPUS
   pinsend.py icmp DST 0 ID COUNT INTERVAL CPUS

One flow whose packets leave from the CPUs of CPUS (comma-separated) in
turn: the process moves to the next CPU before each datagram (udp: COUNT
datagrams of 64 bytes; icmp: COUNT echo requests of 56 bytes, IPv4, with
identifier ID) or each 1000-byte write (tcp: CHUNKS writes, then
it waits for the server to close first and closes). On veth, a packet
is handled on the CPU that sent it, so a router meters the flow on each
of those CPUs. Prints the datagrams sent (udp, icmp) or the bytes (tcp).
"""
import os
import socket
import struct
import sys
import time


def echo(ident, seq):
    data = b"z" * 56
    msg = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    s = sum(struct.unpack("!%dH" % (len(msg) // 2), msg))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return msg[:2] + struct.pack("!H", ~s & 0xffff) + msg[4:]


def main():
    kind, dst, dport, sport, count = sys.argv[1], sys.argv[2], \
        int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    interval = float(sys.argv[6])
    cpus = [int(c) for c in sys.argv[7].split(",")]
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    if kind == "icmp":
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    else:
        typ = socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM
        s = socket.socket(fam, typ)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", sport))
    sent = 0
    if kind == "tcp":
        os.sched_setaffinity(0, {cpus[0]})
        s.connect((dst, dport))
    for i in range(count):
        os.sched_setaffinity(0, {cpus[i % len(cpus)]})
        if kind == "udp":
            sent += 1 if s.sendto(b"x" * 64, (dst, dport)) == 64 else 0
        elif kind == "icmp":
            sent += 1 if s.sendto(echo(sport, i), (dst, 0)) == 64 else 0
        else:
            s.sendall(b"y" * 1000)
            sent += 1000
        time.sleep(interval)
    if kind == "tcp":
        # the server closes first, once it has every byte: then this
        # side's FIN is the last packet of the flow a -> b (the side that
        # closes first sends one more, the ACK of the other's FIN)
        while s.recv(65536):
            pass
    s.close()
    print(sent)


if __name__ == "__main__":
    main()
