#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pcapudp.py split PCAP PORT OUT: the frames of PCAP that carry a UDP
datagram to PORT, as a pcap (same header, same records) in OUT.
pcapudp.py payloads PCAP OUT: the UDP payloads of PCAP's frames one after
the other in OUT (an IPFIX file: what ipfixDump reads).

What tshark -Y 'udp.dstport == PORT' -w and -T fields -e udp.payload gave
the selftests, without tshark's start (15 s and more under TCG, once per
call). Reads classic pcap (dumpcap -P) of Ethernet, IPv4 and IPv6; a
fragment or anything else it cannot read is an error, not a frame quietly
left out."""
import struct
import sys


def die(msg):
    sys.stderr.write("pcapudp.py: %s\n" % msg)
    sys.exit(1)


def frames(path):
    """(header bytes, [(record header, frame)]) of a classic pcap"""
    data = open(path, "rb").read()
    if len(data) < 24:
        die("%s: no pcap header" % path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        die("%s: not a classic pcap (magic %s)" % (path, magic.hex()))
    linktype = struct.unpack(end + "I", data[20:24])[0]
    if linktype != 1:
        die("%s: link type %d, only Ethernet (1) is read" % (path, linktype))
    out = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            die("%s: truncated record header at %d" % (path, off))
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        if incl != orig:
            die("%s: frame at %d captured short (%d of %d bytes)" % (path, off, incl, orig))
        rec = data[off:off + 16]
        frame = data[off + 16:off + 16 + incl]
        if len(frame) != incl:
            die("%s: truncated frame at %d" % (path, off))
        out.append((rec, frame))
        off += 16 + incl
    return data[:24], out


def udp(frame):
    """(destination port, payload) of a UDP frame, None for other frames"""
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    while etype in (0x8100, 0x88a8):
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == 0x0800:
        ihl = (frame[off] & 0x0f) * 4
        total = struct.unpack("!H", frame[off + 2:off + 4])[0]
        if struct.unpack("!H", frame[off + 6:off + 8])[0] & 0x3fff:
            die("an IPv4 fragment: not read")
        proto = frame[off + 9]
        end = off + total
        off += ihl
    elif etype == 0x86dd:
        plen = struct.unpack("!H", frame[off + 4:off + 6])[0]
        proto = frame[off + 6]
        end = off + 40 + plen
        off += 40
        while proto in (0, 43, 60):	# hop-by-hop, routing, destination
            proto, hlen = frame[off], (frame[off + 1] + 1) * 8
            off += hlen
        if proto == 44:
            die("an IPv6 fragment: not read")
    else:
        return None
    if proto != 17:
        return None
    dport, ulen = struct.unpack("!HH", frame[off + 2:off + 6])
    if ulen < 8 or off + ulen > end:
        die("UDP length %d does not fit its packet" % ulen)
    return dport, frame[off + 8:off + ulen]


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "split":
        head, recs = frames(sys.argv[2])
        port = int(sys.argv[3])
        with open(sys.argv[4], "wb") as f:
            f.write(head)
            for rec, frame in recs:
                u = udp(frame)
                if u and u[0] == port:
                    f.write(rec + frame)
    elif len(sys.argv) == 4 and sys.argv[1] == "payloads":
        _, recs = frames(sys.argv[2])
        with open(sys.argv[3], "wb") as f:
            for _, frame in recs:
                u = udp(frame)
                if u:
                    f.write(u[1])
    else:
        die("usage: pcapudp.py split PCAP PORT OUT | payloads PCAP OUT")


main()
