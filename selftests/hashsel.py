#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Which flows sampling mode hash selects, computed apart from the module.

hashsel.py KEYHEX RATE < flows: each line "SRC DST SPORT DPORT PROTO"
(IPv4 or IPv6 addresses); prints the lines of the flows a meter with that
key (32 hex digits, as flowctl takes it) and 1-in-RATE selects, in the
order given. The hashed bytes and the selected range are those of
Documentation/export.rst, "Hash-based selection", and module/hashsel.h;
SipHash-2-4 is written here from the paper, so a test that compares the
two checks the module against the documentation. "hashsel.py --selftest"
checks this SipHash against the paper's test vector.
"""
import ipaddress
import struct
import sys

M64 = (1 << 64) - 1


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _round(v):
    v0, v1, v2, v3 = v
    v0 = (v0 + v1) & M64
    v1 = _rotl(v1, 13) ^ v0
    v0 = _rotl(v0, 32)
    v2 = (v2 + v3) & M64
    v3 = _rotl(v3, 16) ^ v2
    v0 = (v0 + v3) & M64
    v3 = _rotl(v3, 21) ^ v0
    v2 = (v2 + v1) & M64
    v1 = _rotl(v1, 17) ^ v2
    v2 = _rotl(v2, 32)
    return [v0, v1, v2, v3]


def siphash24(key, data):
    k0, k1 = struct.unpack('<QQ', key)
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d,
         k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]
    tail = len(data) % 8
    body = data[:len(data) - tail]
    last = data[len(data) - tail:] + bytes(7 - tail) + bytes([len(data) & 0xff])
    for i in range(0, len(body), 8):
        m, = struct.unpack('<Q', body[i:i + 8])
        v[3] ^= m
        v = _round(_round(v))
        v[0] ^= m
    m, = struct.unpack('<Q', last)
    v[3] ^= m
    v = _round(_round(v))
    v[0] ^= m
    v[2] ^= 0xff
    for _ in range(4):
        v = _round(v)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def selection_input(src, dst, sport, dport, proto):
    s = ipaddress.ip_address(src)
    d = ipaddress.ip_address(dst)
    return (bytes([s.version, proto]) + struct.pack('>HH', sport, dport) +
            bytes(2) + s.packed.ljust(16, b'\0') + d.packed.ljust(16, b'\0'))


def selected(key, rate, src, dst, sport, dport, proto):
    h = siphash24(key, selection_input(src, dst, sport, dport, proto))
    return h <= M64 // rate


def main():
    if sys.argv[1:] == ['--selftest']:
        vec = siphash24(bytes(range(16)), bytes(range(15)))
        assert vec == 0xa129ca6149be45e5, hex(vec)
        print('%#x' % siphash24(bytes(range(16)),
                                selection_input('10.0.0.1', '192.0.2.7',
                                                12345, 53, 17)))
        return 0
    key = bytes.fromhex(sys.argv[1])
    rate = int(sys.argv[2])
    for line in sys.stdin:
        f = line.split()
        if len(f) == 5 and selected(key, rate, f[0], f[1], int(f[2]),
                                    int(f[3]), int(f[4])):
            sys.stdout.write(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
