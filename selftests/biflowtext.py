#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""biflowtext.py ipfixdump|tshark|nfdump|nfacctd < TEXT: the biflow
records (RFC 5103) a decoder printed, one line a record, sorted:

  PROTO SRC SPORT DST DPORT PACKETS BYTES RPACKETS RBYTES BIFLOWDIR

PACKETS, BYTES: what the source (the initiator) sent; RPACKETS, RBYTES:
the reverse IEs (PEN 29305), what the destination sent back; BIFLOWDIR:
biflowDirection (IE 239). v9: PACKETS, BYTES from IN_PKTS/IN_BYTES,
RPACKETS, RBYTES from OUT_PKTS/OUT_BYTES (tshark: Post Packets/Octets).
ICMP: SPORT 0, DPORT type * 256 + code. "-" for what the decoder does not
show. TEXT: ipfixDump's output, tshark -V of cflow, nfdump's `-o 'fmt:%pr %sa %sp %da %dp %pkt %byt %opkt %obyt'`
(it reads the reverse counters as its out counters), nfacctd's print
plugin csv (src_host, dst_host, src_port, dst_port, proto: the
initiator's counters only).
"""
import re
import sys

NFDUMP_PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "ICMP6": 58}


def num(v):
    m = re.search(r"\((\d+)\)\s*$", v)	# tshark: "TCP (6)"
    if m:
        return int(m.group(1))
    return int(v.split()[0], 0)


def line(r):
    return " ".join(str(r.get(k, "-")) for k in
                    ("proto", "src", "sport", "dst", "dport", "packets",
                     "bytes", "rpackets", "rbytes", "dir"))


def ipfixdump(text):
    rec, out = None, []
    for ln in text.splitlines():
        if ln.startswith("--- "):
            if rec and rec.get("tid", 0) in range(273, 277):
                out.append(rec)
            rec = {} if "data record" in ln else None
            continue
        if rec is None:
            continue
        m = re.search(r"tid:\s+(\d+)", ln)
        if m:
            rec["tid"] = int(m.group(1))
            continue
        m = re.match(r"\s*\(([\d/]+)\)\s+(\w+) : (.*)$", ln)
        if not m:
            continue
        ie, val = m.group(1), m.group(3).strip()
        name = {"1": "bytes", "2": "packets", "29305/1": "rbytes",
                "29305/2": "rpackets", "8": "src", "27": "src",
                "12": "dst", "28": "dst", "7": "sport", "11": "dport",
                "4": "proto", "239": "dir"}.get(ie)
        if name:
            rec[name] = val if name in ("src", "dst") else int(val)
    if rec and rec.get("tid", 0) in range(273, 277):
        out.append(rec)
    for r in out:
        r.setdefault("sport", 0)
    return out


def tshark(text):
    rec, out = None, []
    for ln in text.splitlines():
        s = ln.strip()
        if re.match(r"^(Flow \d+|Set \d+ |Frame \d+:)", s):
            if rec and "dir" in rec:
                out.append(rec)
            rec = {} if s.startswith("Flow ") else None
            continue
        if rec is None:
            continue
        name, _, val = s.partition(": ")
        rev = "(Reverse Type" in val
        val = re.sub(r"\s*\(Reverse Type.*\)$", "", val)
        key = {"Octets": "bytes", "Packets": "packets", "SrcAddr": "src",
               "DstAddr": "dst", "SrcAddrV6": "src", "DstAddrV6": "dst",
               "SrcPort": "sport", "DstPort": "dport",
               "Protocol": "proto", "Biflow Direction": "dir",
               "Post Octets": "rbytes", "Post Packets": "rpackets"}.get(name)
        if not key:
            continue
        if rev:
            key = "r" + key
        if key in rec:
            continue
        rec[key] = val if key in ("src", "dst") else num(val)
    if rec and "dir" in rec:
        out.append(rec)
    for r in out:
        r.setdefault("sport", 0)
    return out


def nfdump(text):
    out = []
    for ln in text.splitlines():
        f = ln.split()
        if len(f) != 9:
            continue
        proto = NFDUMP_PROTO.get(f[0], f[0])
        dport = f[4]
        if "." in dport:	# ICMP as TYPE.CODE
            t, c = dport.split(".")
            dport = int(t) * 256 + int(c)
        out.append({"proto": proto, "src": f[1], "sport": int(f[2]),
                    "dst": f[3], "dport": int(dport), "packets": int(f[5]),
                    "bytes": int(f[6]), "rpackets": int(f[7]),
                    "rbytes": int(f[8])})
    return out


def nfacctd(text):
    lines = text.splitlines()
    head = lines[0].split(",")
    out = []
    for ln in lines[1:]:
        v = dict(zip(head, ln.split(",")))
        out.append({"proto": int(v["PROTOCOL"]), "src": v["SRC_IP"],
                    "sport": int(v["SRC_PORT"]), "dst": v["DST_IP"],
                    "dport": int(v["DST_PORT"]),
                    "packets": int(v["PACKETS"]), "bytes": int(v["BYTES"])})
    return out


recs = globals()[sys.argv[1]](sys.stdin.read())
for ln in sorted(line(r) for r in recs):
    print(ln)
