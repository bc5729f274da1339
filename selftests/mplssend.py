#!/usr/bin/env python3
# mplssend.py IFACE SRCMAC DSTMAC LABELS SRC DST SPORT COUNT: send COUNT
# MPLS unicast frames (Ethernet type 0x8847) out of IFACE, each an IP/UDP
# packet from SRC:SPORT to DST:9000 (64 bytes of IP, IPv4 or IPv6 by the
# addresses) under the label stack LABELS: LABEL/TC[,LABEL/TC...], top
# first, the last with the bottom of stack bit. LABELS "deep" sends 9
# entries, none the bottom, then the packet: a stack the meter refuses.
import ipaddress
import socket
import struct
import sys


def stack(spec):
    if spec == "deep":
        return b"".join(struct.pack("!I", (100 + i) << 12 | 64)
                        for i in range(9))
    ents = [tuple(int(x) for x in e.split("/")) for e in spec.split(",")]
    return b"".join(struct.pack("!I", lab << 12 | tc << 9 |
                                (i == len(ents) - 1) << 8 | 64)
                    for i, (lab, tc) in enumerate(ents))


def ip_udp(src, dst, sport):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if s.version == 4:
        payload = bytes(64 - 28)
        udp = struct.pack("!HHHH", sport, 9000, 8 + len(payload), 0)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 64, 1, 0, 64, 17, 0,
                        s.packed, d.packed)
        return h + udp + payload
    payload = bytes(64 - 48)
    udp = struct.pack("!HHHH", sport, 9000, 8 + len(payload), 0)
    h = struct.pack("!IHBB16s16s", 6 << 28, 8 + len(payload), 17, 64,
                    s.packed, d.packed)
    return h + udp + payload


def main():
    iface, smac, dmac, labels, src, dst, sport, count = sys.argv[1:9]
    eth = (bytes.fromhex(dmac.replace(":", "")) +
           bytes.fromhex(smac.replace(":", "")) + struct.pack("!H", 0x8847))
    frame = eth + stack(labels) + ip_udp(src, dst, int(sport))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(int(count)):
        s.send(frame)


main()
