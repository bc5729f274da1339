#!/usr/bin/env python3
# rawsend.py IFACE DSTMAC: send hand-made malformed and unusual IP packets
# out of IFACE (in the test's namespace) to DSTMAC, one of each kind below,
# and print the kinds in order.
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(proto, payload, frag=0, tot=None):
    tot = tot if tot is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, frag, 64, proto, 0,
                    socket.inet_aton("10.0.1.1"), socket.inet_aton("10.0.2.1"))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return 0x0800, h + payload


def ipv6(nxt, payload):
    h = struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, 64,
                    socket.inet_pton(socket.AF_INET6, "fd01::1"),
                    socket.inet_pton(socket.AF_INET6, "fd02::1"))
    return 0x86DD, h + payload


def dstopts(nxt, n):
    """n destination-options headers (8 bytes each, PadN) then nxt"""
    out = b""
    for i in range(n):
        out += struct.pack("!BB", 60 if i < n - 1 else nxt, 0) + b"\x01\x04\0\0\0\0"
    return out


udp = struct.pack("!HHHH", 1234, 9000, 8, 0)
packets = [
    # UDP header cut to 2 bytes, total length says so: truncated_l4
    ("truncated_l4", ipv4(17, udp[:2])),
    # a later fragment (offset 8 bytes): no ports, counted as fragment
    ("fragment", ipv4(17, b"x" * 16, frag=1)),
    # destination options whose length runs past the payload (hop-by-hop
    # would be checked, and dropped, by the stack first): bad_ext_header
    ("bad_ext_header", ipv6(60, struct.pack("!BB", 17, 4) + b"\0" * 6)),
    # nine extension headers: more than we walk, bad_ext_header
    ("bad_ext_header", ipv6(60, dstopts(17, 9) + udp)),
]
iface, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src = s.getsockname()[4]
for kind, (etype, pkt) in packets:
    s.send(mac + src + struct.pack("!H", etype) + pkt)
    print(kind)
