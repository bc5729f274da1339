#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""flowtext.py tshark|ipfixdump|nfdump|nfacctd [--records] < TEXT: the
flow records a decoder printed, one line per flow (records of one flow
added up, as a slow machine may split a flow), sorted:

  PROTO SRC DST SPORT DPORT ICMP PACKETS BYTES [RECORDS]

(RECORDS: how many records the flow came in, with --records; with
--masks, SMASK DMASK follow ICMP: the prefix lengths of an aggregate,
nfdump's `%smk %dmk` after `%byt`, nfacctd's src_mask, dst_mask; nfacctd's
print plugin adds up records of the same aggregate, so give it
timestamp_start too; with --route, SMASK DMASK NEXTHOP SRCAS DSTAS:
nfdump's `%smk %dmk %nh %sas %das`, nfacctd's src_mask, dst_mask,
peer_dst_ip, src_as, dst_as; with --l2, SMAC DMAC VLAN CVLAN ETYPE:
nfdump's `%ismc %idmc %svln` (no customer VLAN nor type: "-"),
nfacctd's src_mac, dst_mac, vlan, etype (no customer VLAN); MACs in
lower case, VLAN ids and the type decimal; with --xlate, XSRC XDST
XSPORT XDPORT: the post-NAT fields, nfdump's `%xsa %xda %xsp %xdp`,
nfacctd's post_nat_src_host, post_nat_dst_host, post_nat_src_port,
post_nat_dst_port)

with "-" for a field the record does not have. TEXT is `tshark -V` of
cflow (IPFIX, v9, v5), ipfixDump's output, nfdump's
`-o 'fmt:%pr %sa %sp %da %dp %pkt %byt'` or nfacctd's print plugin csv
(export_proto_version, src_host, dst_host, src_port, dst_port, proto).
nfdump and nfacctd show ICMP's type and code in the destination port
(nfdump as TYPE.CODE: printed as TYPE * 256 + CODE).
"""
import ipaddress
import re
import socket
import sys

TSHARK = {"SrcAddr": "src", "DstAddr": "dst", "SrcPort": "sport",
          "DstPort": "dport", "Protocol": "proto", "Packets": "packets",
          "Octets": "bytes", "SrcMask": "smask", "DstMask": "dmask",
          "NextHop": "nh", "SrcAS": "sas", "DstAS": "das",
          "Source Mac Address": "smac", "Destination Mac Address": "dmac",
          "Dot1q Vlan Id": "vlan", "Dot1q Customer Vlan Id": "cvlan",
          "Ethernet Type": "etype",
          "Post NAT Source IPv4 Address": "xsrc",
          "Post NAT Source IPv6 Address": "xsrc",
          "Post NAT Destination IPv4 Address": "xdst",
          "Post NAT Destination IPv6 Address": "xdst",
          "Post NAPT Source Transport Port": "xsport",
          "Post NAPT Destination Transport Port": "xdport"}
IPFIXDUMP = {"sourceIPv4Address": "src", "sourceIPv6Address": "src",
             "destinationIPv4Address": "dst",
             "destinationIPv6Address": "dst",
             "sourceTransportPort": "sport",
             "destinationTransportPort": "dport",
             "icmpTypeCodeIPv4": "icmp", "icmpTypeCodeIPv6": "icmp",
             "protocolIdentifier": "proto", "packetDeltaCount": "packets",
             "octetDeltaCount": "bytes",
             "sourceIPv4PrefixLength": "smask",
             "sourceIPv6PrefixLength": "smask",
             "destinationIPv4PrefixLength": "dmask",
             "destinationIPv6PrefixLength": "dmask",
             "ipNextHopIPv4Address": "nh", "ipNextHopIPv6Address": "nh",
             "bgpSourceAsNumber": "sas", "bgpDestinationAsNumber": "das",
             "sourceMacAddress": "smac", "destinationMacAddress": "dmac",
             "dot1qVlanId": "vlan", "dot1qCustomerVlanId": "cvlan",
             "ethernetType": "etype"}
NFDUMP_PROTO = {"TCP": 6, "UDP": 17, "UDP-L": 136, "SCTP": 132, "DCCP": 33,
                "ICMP": 1, "ICMP6": 58, "GRE": 47, "ESP": 50}
KEY = ("proto", "src", "dst", "sport", "dport", "icmp")
L2 = ("smac", "dmac", "vlan", "cvlan", "etype")
XLATE = ("xsrc", "xdst", "xsport", "xdport")


def mac(v):
    m = re.search(r"([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}", v)
    return m.group(0).replace("-", ":").lower() if m else v


def etype(v, kind):
    m = re.search(r"0x([0-9a-fA-F]+)", v)
    if m:
        return str(int(m.group(1), 16))
    if kind == "nfacctd":	# printed in hex, no 0x
        return str(int(v, 16))
    return str(num(v))


def field(f, v, kind):
    if f in ("src", "dst", "nh", "xsrc", "xdst"):
        return str(ipaddress.ip_address(v))
    if f in ("smac", "dmac"):
        return mac(v)
    if f == "etype":
        return etype(v, kind)
    return str(num(str(v)))


def num(v):
    v = re.sub(r"\s*\(prefix: [^)]*\)$", "", v.strip())	# tshark v5 masks
    m = re.search(r"\((\d+)\)$", v)	# tshark: "Name (17)"
    if m:
        return int(m.group(1))
    try:
        return int(v, 0)
    except ValueError:	# nfacctd without print_num_protos
        return socket.getprotobyname(v)


def blocks(lines, start, sep, names):
    rec = None
    for line in lines:
        if start.match(line):
            if rec:
                yield rec
            rec = {}
            continue
        if rec is None:
            continue
        name, s, val = line.strip().partition(sep)
        name = re.sub(r"^\(\d+\)\s*", "", name.strip())
        if not s:
            continue
        val = re.sub(r"^\(len: \d+\) ", "", val.strip())
        if name in names and names[name] not in rec:
            rec[names[name]] = val
        elif name == "ICMP Type" and "icmp" not in rec:
            rec["icmp"] = val	# tshark: IE 32
        elif name in ("IPv6 ICMP Type", "IPv6 ICMP Code"):
            rec[name] = int(val, 0)	# tshark: IE 139, split in two
            if "IPv6 ICMP Code" in rec and "IPv6 ICMP Type" in rec:
                rec["icmp"] = str(rec["IPv6 ICMP Type"] * 256 +
                                  rec["IPv6 ICMP Code"])
    if rec:
        yield rec


def records(kind, lines):
    if kind == "tshark":
        return blocks(lines, re.compile(r"^\s+(Flow \d+|pdu \d+/\d+)$"),
                      ":", TSHARK)
    if kind == "ipfixdump":
        return blocks(lines, re.compile(r"^--- .* ---$"), " : ", IPFIXDUMP)
    out = []
    if kind == "nfdump":
        for line in lines:
            f = line.split()
            if len(f) < 7:
                continue
            dp = f[4]
            if "." in dp:
                t, c = dp.split(".")
                dp = int(t) * 256 + int(c)
            r = {"proto": NFDUMP_PROTO.get(f[0], f[0]), "src": f[1],
                 "sport": f[2], "dst": f[3], "dport": dp,
                 "packets": f[5], "bytes": f[6]}
            if len(f) >= 9:
                r["smask"], r["dmask"] = f[7], f[8]
            if len(f) >= 12:
                r["nh"], r["sas"], r["das"] = f[9], f[10], f[11]
            if len(f) == 11:	# --xlate: %xsa %xda %xsp %xdp
                r = {k: v for k, v in r.items() if k not in ("smask", "dmask")}
                r["xsrc"], r["xdst"], r["xsport"], r["xdport"] = f[7:11]
            if len(f) == 10:	# --l2: %ismc %idmc %svln
                r = {k: v for k, v in r.items() if k not in ("smask", "dmask")}
                r["smac"], r["dmac"], r["vlan"] = f[7], f[8], f[9]
            out.append(r)
        return out
    head = None
    for line in lines:
        f = line.strip().split(",")
        if f[0] == "SRC_IP" or "SRC_IP" in f:
            head = f
            continue
        if head and len(f) == len(head):
            r = dict(zip(head, f))
            o = {"proto": r["PROTOCOL"], "src": r["SRC_IP"],
                 "dst": r["DST_IP"], "sport": r["SRC_PORT"],
                 "dport": r["DST_PORT"], "packets": r["PACKETS"],
                 "bytes": r["BYTES"]}
            if "SRC_MASK" in r:
                o["smask"], o["dmask"] = r["SRC_MASK"], r["DST_MASK"]
            if "SRC_AS" in r:
                o["sas"], o["das"] = r["SRC_AS"], r["DST_AS"]
            if r.get("PEER_DST_IP"):	# empty: not decoded
                o["nh"] = r["PEER_DST_IP"]
            for h, n in (("SRC_MAC", "smac"), ("DST_MAC", "dmac"),
                         ("VLAN", "vlan"), ("ETYPE", "etype")):
                if h in r:
                    o[n] = r[h]
            # post-NAT fields: empty where the record has none
            for h, n in (("POST_NAT_SRC_IP", "xsrc"),
                         ("POST_NAT_DST_IP", "xdst"),
                         ("POST_NAT_SRC_PORT", "xsport"),
                         ("POST_NAT_DST_PORT", "xdport")):
                if r.get(h):
                    o[n] = r[h]
            out.append(o)
    return out


def main():
    kind = sys.argv[1]
    count = "--records" in sys.argv[2:]
    key = KEY + (("smask", "dmask") if "--masks" in sys.argv[2:] else ())
    if "--route" in sys.argv[2:]:
        key = KEY + ("smask", "dmask", "nh", "sas", "das")
    if "--l2" in sys.argv[2:]:
        key = KEY + L2
    if "--xlate" in sys.argv[2:]:
        key = KEY + XLATE
    sums = {}
    for r in records(kind, sys.stdin.read().splitlines()):
        if "src" not in r or "packets" not in r:
            continue	# a template or options record
        k = tuple("-" if f not in r else field(f, r[f], kind) for f in key)
        p, b, n = sums.get(k, (0, 0, 0))
        sums[k] = (p + num(str(r["packets"])), b + num(str(r["bytes"])),
                   n + 1)
    for k in sorted(sums):
        print(" ".join(k), *(sums[k] if count else sums[k][:2]))


if __name__ == "__main__":
    main()
