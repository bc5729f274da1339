#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ipfixcount.py PORT OUT: an IPFIX collector on UDP PORT (IPv4 and IPv6)
that decodes each message with the templates it has seen (per exporter
address and observation domain) and appends one line per data record to
OUT as it arrives:

  PROTO SPORT DPORT PACKETS

(protocolIdentifier, sourceTransportPort, destinationTransportPort,
packetDeltaCount; "-" for a field the template lacks). A data set whose
template it never saw becomes a line "? TEMPLATE_ID SET_LENGTH", a
message it cannot parse "! REASON": a test that sees those lines fails.
Faster to start and to query than nfcapd/nfdump, for tests with many
short rounds. Runs until killed.
"""
import socket
import struct
import sys

WANT = {4: "proto", 7: "sport", 11: "dport", 2: "packets"}


def parse_templates(body, opts, templates, key):
    off = 0
    while off + 4 <= len(body):
        tid, count = struct.unpack_from("!HH", body, off)
        off += 4
        if opts:
            off += 2        # scope field count
        fields = []
        for _ in range(count):
            ie, length = struct.unpack_from("!HH", body, off)
            off += 4
            if ie & 0x8000:
                off += 4    # enterprise number
            fields.append((ie & 0x7fff, length))
        templates[key + (tid,)] = fields
        if count == 0:
            templates.pop(key + (tid,), None)   # withdrawal
        if len(body) - off < 4:
            break


def parse_data(body, fields, out):
    fixed = all(length != 0xffff for _, length in fields)
    reclen = sum(length for _, length in fields) if fixed else 0
    off = 0
    while off < len(body):
        if fixed and len(body) - off < reclen:
            break           # padding
        rec = {}
        for ie, length in fields:
            if length == 0xffff:
                length = body[off]
                off += 1
                if length == 255:
                    length = struct.unpack_from("!H", body, off)[0]
                    off += 2
            if ie in WANT:
                rec[WANT[ie]] = int.from_bytes(body[off:off + length], "big")
            off += length
        if not fixed and not rec:
            break
        out.append("%s %s %s %s" % tuple(rec.get(k, "-") for k in
                                          ("proto", "sport", "dport",
                                           "packets")))


def decode(msg, peer, templates):
    out = []
    if len(msg) < 16:
        return ["! short message"]
    version, length, _, _, domain = struct.unpack_from("!HHIII", msg)
    if version != 10 or length != len(msg):
        return ["! version %d length %d of %d" % (version, length, len(msg))]
    key = (peer, domain)
    off = 16
    while off + 4 <= length:
        sid, slen = struct.unpack_from("!HH", msg, off)
        if slen < 4 or off + slen > length:
            return out + ["! bad set length %d" % slen]
        body = msg[off + 4:off + slen]
        if sid in (2, 3):
            parse_templates(body, sid == 3, templates, key)
        elif sid >= 256:
            fields = templates.get(key + (sid,))
            if fields is None:
                out.append("? %d %d" % (sid, slen))
            else:
                parse_data(body, fields, out)
        off += slen
    return out


def main():
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    # A burst must wait in the socket buffer while this decodes (slowly,
    # under TCG): root may force it past rmem_max, which SO_RCVBUF cannot.
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 16 << 20)  # SO_RCVBUFFORCE
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind(("::", int(sys.argv[1])))
    templates = {}
    with open(sys.argv[2], "a", buffering=1) as f:
        while True:
            msg, peer = s.recvfrom(65536)
            lines = decode(msg, peer[0], templates)
            if lines:
                f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
