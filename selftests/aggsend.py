#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# aggsend.py WANT: 10000 UDP host flows for test_aggregate.sh, from hosts
# of a few source prefixes to hosts of a few destination prefixes (the
# router routes them on; nothing answers): 8000 IPv4 flows from
# 10.1.{0..3}.0/24 to 10.2.{0,1}.0/24 and 2000 IPv6 flows from
# fd11:0:{0,1}::/48 to fd22:0:{0..2}::/48, each from its own source port
# to port 9000, of 1 to 3 datagrams of 16 to 76 payload bytes. Writes to
# WANT what a collector must show under the mask "prefix4 24 prefix6 48
# no-ports", one line per aggregate, as flowtext.py --masks prints them:
#   17 SRCPREFIX DSTPREFIX 0 0 - SMASK DMASK PACKETS BYTES
# and prints the number of datagrams sent. Sends from raw sockets with
# the headers made here; traffic stays in the test's namespaces.
import ipaddress
import socket
import struct
import sys

V4_FLOWS, V6_FLOWS = 8000, 2000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def flow(i):
    """packets and payload bytes of flow i (of either family)"""
    return 1 + i % 3, 16 + i % 61


def v4(i):
    return (ipaddress.IPv4Address("10.1.%d.%d" % (i % 4, 1 + i // 4 % 250)),
            ipaddress.IPv4Address("10.2.%d.%d" % (i // 1000 % 2, 1 + i % 7)))


def v6(j):
    return (ipaddress.IPv6Address("fd11:0:%x::%x" % (j % 2, 1 + j)),
            ipaddress.IPv6Address("fd22:0:%x::%x" % (j % 3, 1 + j % 5)))


def pkt4(i):
    src, dst = v4(i)
    n = flow(i)[1]
    # The kernel fills in the IP checksum, id and total length; no UDP csum
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, 17, 0,
                      src.packed, dst.packed)
    return hdr + struct.pack("!HHHH", 1024 + i, 9000, 8 + n, 0) + bytes(n)


def pkt6(j):
    src, dst = v6(j)
    n = flow(j)[1]
    udp = struct.pack("!HHHH", 1024 + j, 9000, 8 + n, 0) + bytes(n)
    pseudo = src.packed + dst.packed + struct.pack("!IxxxB", len(udp), 17)
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    return struct.pack("!IHBB16s16s", 6 << 28, len(udp), 17, 64,
                       src.packed, dst.packed) + udp, str(dst)


def want(out):
    sums = {}
    for fam, n, addrs, plen, hdr in ((4, V4_FLOWS, v4, 24, 28),
                                    (6, V6_FLOWS, v6, 48, 48)):
        for i in range(n):
            src, dst = addrs(i)
            k = (str(ipaddress.ip_network("%s/%d" % (src, plen),
                                          strict=False).network_address),
                 str(ipaddress.ip_network("%s/%d" % (dst, plen),
                                          strict=False).network_address),
                 plen)
            pk, size = flow(i)
            p, b = sums.get(k, (0, 0))
            sums[k] = (p + pk, b + pk * (hdr + size))
    with open(out, "w") as f:
        for k in sorted(sums):
            print("17", k[0], k[1], "0 0 -", k[2], k[2], *sums[k], file=f)


def send(s, p, to):
    while True:
        try:
            s.sendto(p, to)
            return
        except OSError as e:	# ENOBUFS under load: retry
            if e.errno not in (105, 11):
                raise


def main():
    want(sys.argv[1])
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    p4 = [(pkt4(i), (str(v4(i)[1]), 0)) for i in range(V4_FLOWS)]
    p6 = [(p, (d, 0)) for p, d in (pkt6(j) for j in range(V6_FLOWS))]
    sent = 0
    # round r: every flow with more than r packets, so that each flow's
    # packets are spread over the run like the aggregate's
    for r in range(3):
        for i, (p, to) in enumerate(p4):
            if flow(i)[0] > r:
                send(s4, p, to)
                sent += 1
        for j, (p, to) in enumerate(p6):
            if flow(j)[0] > r:
                send(s6, p, to)
                sent += 1
    print(sent)


if __name__ == "__main__":
    main()
