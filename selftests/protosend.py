#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""protosend.py DST COUNT: send COUNT hand-made packets of each transport
protocol below to DST (IPv4 or IPv6) through raw sockets, each 100 bytes
of IP payload, and print one line per flow sent:

  PROTO SPORT DPORT PACKETS BYTES

BYTES counts IP headers. Protocols with ports (TCP, UDP, UDP-Lite, SCTP,
DCCP) get source port 1000 + PROTO and destination port 2000 + PROTO;
ICMP (type 3 code 1) and ICMPv6 (type 1 code 4) print source port 0 and
type * 256 + code as the destination port, as NetFlow v5 carries them;
GRE and ESP have no ports: 0 0. Nothing here is a valid connection: the
receiver must drop these packets (test_export_protocols does, with nft).
"""
import socket
import struct
import sys

PAYLOAD = 100


def ports(proto):
    return 1000 + proto, 2000 + proto


def l4(proto, v6):
    """The IP payload of one packet of proto, and its (sport, dport)."""
    sp, dp = ports(proto)
    if proto == 6:		# TCP: data offset 5, ACK
        h = struct.pack("!HHIIBBHHH", sp, dp, 1, 1, 5 << 4, 0x10, 512, 0, 0)
    elif proto in (17, 136):	# UDP, UDP-Lite (coverage: whole datagram)
        h = struct.pack("!HHHH", sp, dp, PAYLOAD if proto == 17 else 0, 0)
    elif proto == 132:		# SCTP common header, verification tag 1
        h = struct.pack("!HHII", sp, dp, 1, 0)
    elif proto == 33:		# DCCP generic header, X=1, type Data
        h = struct.pack("!HHBBHHHI", sp, dp, 4, 0, 0, (2 << 1 | 1) << 8, 0, 1)
    elif proto in (1, 58):	# ICMP / ICMPv6 errors: never answered
        t, c = (1, 4) if v6 else (3, 1)
        h = struct.pack("!BBHI", t, c, 0, 0)
        sp, dp = 0, t * 256 + c
    elif proto == 47:		# GRE, no options, carrying IPv4
        h = struct.pack("!HH", 0, 0x0800)
        sp = dp = 0
    elif proto == 50:		# ESP: SPI, sequence number
        h = struct.pack("!II", 0x100, 1)
        sp = dp = 0
    return h + bytes(PAYLOAD - len(h)), sp, dp


def main():
    dst, count = sys.argv[1], int(sys.argv[2])
    v6 = ":" in dst
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    iphl = 40 if v6 else 20
    for proto in (6, 17, 136, 132, 33, 58 if v6 else 1, 47, 50):
        s = socket.socket(fam, socket.SOCK_RAW, proto)
        pkt, sp, dp = l4(proto, v6)
        for _ in range(count):
            s.sendto(pkt, (dst, 0))
        s.close()
        print(proto, sp, dp, count, count * (iphl + PAYLOAD))


if __name__ == "__main__":
    main()
