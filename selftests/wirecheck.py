#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Export datagrams checked byte for byte, for test_export_wire.

  wirecheck.py recv PORT FILE
      receive UDP datagrams on PORT (IPv4 and IPv6), append each to FILE
      with a 4-byte length in front (datagram boundaries kept); until killed
  wirecheck.py check FILE VERSION
      decode every datagram of FILE as IPFIX (10), NetFlow v9 (9) or v5 (5)
      with our own decoder, and fail on anything a sender must not leave
      to chance: a length that does not add up, padding or a reserved or
      unused field that is not zero, bytes after an interface name's NUL,
      a field of a kind we do not send. Print each flow record as JSON, one
      a line: {src, dst, sport, dport, proto, tos, packets, bytes, in, out,
      icmp, vlan, tcp_flags, ttl_min, ttl_max, dir, ipver, end_reason,
      flowlabel, start, end} (start, end: ms since the epoch; for v9 and v5
      computed from the header's clock)
  wirecheck.py messages FILE VERSION
      the same checks (IPFIX, v9), then one JSON line a datagram:
      {msg, tmpl (it carries templates), flows (flow records), opts
      (options records but interface names), ifnames ([[ifindex, name],
      ...])}
"""
import ipaddress
import json
import socket
import struct
import sys

# IE / v9 field type -> name (both numberings agree on these)
NAMES = {1: "bytes", 2: "packets", 4: "proto", 5: "tos", 6: "tcp_flags",
         7: "sport", 8: "src", 10: "in", 11: "dport", 12: "dst", 14: "out",
         21: "end_up", 22: "start_up", 27: "src", 28: "dst", 31: "flowlabel",
         32: "icmp", 52: "ttl_min", 53: "ttl_max", 58: "vlan", 60: "ipver",
         61: "dir", 136: "end_reason", 139: "icmp", 152: "start",
         153: "end"}
# options records: scope and counters we send
OPTS = {149: "domain", 41: "msgs", 42: "flows", 164: "ignored",
        166: "not_sent", 304: "sel_algo", 305: "samp_pkts",
        306: "samp_space", 34: "samp_rate", 35: "samp_algo", 82: "ifname",
        10: "ifindex"}

errors = []
msgs = []   # per datagram: what check_ipfix_v9() found in it


def err(where, what):
    errors.append("%s: %s" % (where, what))


def zero(where, what, b):
    if any(b):
        err(where, "%s not zero: %s" % (what, b.hex()))


def value(ftype, b):
    if ftype in (8, 12, 27, 28):
        return str(ipaddress.ip_address(b))
    if ftype == 82:
        name, _, rest = b.partition(b"\0")
        return name.decode(errors="replace"), rest
    return int.from_bytes(b, "big")


def records(path):
    data = open(path, "rb").read()
    off = 0
    while off + 4 <= len(data):
        n = struct.unpack_from("!I", data, off)[0]
        yield data[off + 4:off + 4 + n]
        off += 4 + n


def check_times(where, rec, export_ms):
    """A flow starts before it ends and ends before it is exported. The
    export time has a resolution of a second (IPFIX, v9: the export
    time's seconds; the uptime base is derived from both, so it carries
    the same rounding): allow that much."""
    if rec["start"] > rec["end"]:
        err(where, "flow ends %d ms before it starts" %
            (rec["start"] - rec["end"]))
    if rec["end"] > export_ms + 1000:
        err(where, "flow ends %d ms after its export time" %
            (rec["end"] - export_ms))


def check_ipfix_v9(path, version):
    templates = {}  # (domain, id) -> [(type, len)], nscope-ish flag
    out = []
    for i, d in enumerate(records(path)):
        w = "message %d" % i
        if version == 10:
            if len(d) < 16:
                err(w, "short (%d)" % len(d))
                continue
            ver, mlen, exp_s, seq, dom = struct.unpack_from("!HHIII", d)
            if mlen != len(d):
                err(w, "length field %d, datagram %d" % (mlen, len(d)))
            base_ms = None
            export_ms = exp_s * 1000
            off = 16
        else:
            if len(d) < 20:
                err(w, "short (%d)" % len(d))
                continue
            ver, count, up, secs, seq, dom = struct.unpack_from("!HHIIII", d)
            base_ms = secs * 1000 - up	# the epoch ms of uptime 0
            export_ms = secs * 1000
            if up == 0:
                err(w, "sysUptime 0 (a clock before boot, clamped)")
            off, nrec = 20, 0
        m = {"msg": i, "tmpl": False, "flows": 0, "opts": 0, "ifnames": []}
        msgs.append(m)
        if ver != version:
            err(w, "version %d" % ver)
            continue
        while off < len(d):
            if off + 4 > len(d):
                err(w, "set header cut at %d" % off)
                break
            sid, slen = struct.unpack_from("!HH", d, off)
            ws = "%s set %d at %d" % (w, sid, off)
            if slen < 4 or off + slen > len(d):
                err(ws, "length %d past the message (%d)" % (slen, len(d)))
                break
            if slen % 4:
                err(ws, "length %d not a multiple of 4" % slen)
            body = d[off + 4:off + slen]
            off += slen
            tmpl_set = (2, 3) if version == 10 else (0, 1)
            if sid in tmpl_set:
                m["tmpl"] = True
                opts = sid == tmpl_set[1]
                p = 0
                ntmpl = 0
                while len(body) - p >= 4:
                    ntmpl += 1
                    if opts and ntmpl == 2:
                        # legal, but nfacctd mis-steps to the second one
                        err(ws, "options template set with more than one "
                            "record (pmacct drops the message)")
                    if version == 10:
                        tid, nf = struct.unpack_from("!HH", body, p)
                        p += 4
                        nscope = 0
                        if opts:
                            nscope = struct.unpack_from("!H", body, p)[0]
                            p += 2
                    else:
                        if opts:
                            tid, sl, ol = struct.unpack_from("!HHH", body, p)
                            p += 6
                            nf, nscope = (sl + ol) // 4, sl // 4
                        else:
                            tid, nf = struct.unpack_from("!HH", body, p)
                            p += 4
                            nscope = 0
                    fields = []
                    for _ in range(nf):
                        ft, fl = struct.unpack_from("!HH", body, p)
                        p += 4
                        if ft & 0x8000:
                            err(ws, "enterprise field %d" % ft)
                        fields.append((ft, fl))
                    types = {ft for ft, _ in fields}
                    if not opts and 7 in types and types & {32, 139}:
                        # a collector may take one for the other
                        err(ws, "template %d: a source port and ICMP "
                            "type and code in one template" % tid)
                    templates[(dom, tid)] = (fields, opts, nscope)
                    if version == 9:
                        nrec += 1
                zero(ws, "template set padding", body[p:])
                continue
            if sid < 256:
                err(ws, "unknown set id")
                continue
            t = templates.get((dom, sid))
            if not t:
                err(ws, "data before its template")
                continue
            fields, opts, nscope = t
            rlen = sum(fl for _, fl in fields)
            n = len(body) // rlen
            if version == 9:
                nrec += n
            if version == 10 and len(body) - n * rlen >= 4:
                err(ws, "%d bytes after the records" % (len(body) - n * rlen))
            zero(ws, "data set padding", body[n * rlen:])
            for r in range(n):
                rec, p = {}, r * rlen
                for j, (ft, fl) in enumerate(fields):
                    b = body[p:p + fl]
                    p += fl
                    if opts and version == 9 and j < nscope:
                        # v9 scope types: 1 system, 2 interface
                        if ft not in (1, 2):
                            err(ws, "scope type %d we do not send" % ft)
                        rec["scope%d" % ft] = int.from_bytes(b, "big")
                        continue
                    names = OPTS if opts else NAMES
                    if ft not in names:
                        err(ws, "field type %d we do not send" % ft)
                        continue
                    v = value(ft, b)
                    if ft == 82:
                        v, rest = v
                        zero(ws, "bytes after the interface name", rest)
                    rec[names[ft]] = v
                    if not opts and ft in (32, 139):
                        rec["icmp_ie"] = ft
                if opts:
                    if "ifname" in rec:
                        m["ifnames"].append([rec.get("ifindex",
                                             rec.get("scope2")),
                                             rec["ifname"]])
                    else:
                        m["opts"] += 1
                    continue
                m["flows"] += 1
                if base_ms is not None:
                    if rec["start_up"] == 0 or rec["end_up"] == 0:
                        err(ws, "flow at uptime 0 (a time before boot, "
                            "clamped)")
                    rec["start"] = base_ms + rec.pop("start_up")
                    rec["end"] = base_ms + rec.pop("end_up")
                check_times(ws, rec, export_ms)
                rec.setdefault("flowlabel", 0)
                check_l4(ws, rec, version)
                out.append(rec)
        if version == 9 and nrec != count:
            err(w, "header count %d, %d records" % (count, nrec))
    return out


def check_l4(where, rec, version):
    """Ports for every protocol but the family's ICMP, which has its type
    and code (IPFIX: IE 32 for IPv4, 139 for IPv6; v9: 32) and the same
    as destination port, no source port. Then shown as v5 shows them:
    sport 0, dport type * 256 + code."""
    icmp = rec.get("proto") == (58 if rec.get("ipver") == 6 else 1)
    if icmp:
        if "sport" in rec or "icmp" not in rec or \
           rec.get("dport") != rec["icmp"]:
            err(where, "ICMP flow without its type and code as the ICMP "
                "field and destination port, no source port")
            return
        want = 139 if version == 10 and rec.get("ipver") == 6 else 32
        if rec.pop("icmp_ie") != want:
            err(where, "ICMP type and code in IE %d" % want)
        rec["sport"] = 0
        rec.pop("icmp")
    elif "icmp" in rec or "sport" not in rec or "dport" not in rec:
        err(where, "protocol %s flow without ports alone" % rec.get("proto"))


def check_v5(path):
    out = []
    for i, d in enumerate(records(path)):
        w = "message %d" % i
        if len(d) < 24:
            err(w, "short (%d)" % len(d))
            continue
        ver, count, up, secs, nsecs, seq, etype, eid, samp = \
            struct.unpack_from("!HHIIIIBBH", d)
        if ver != 5 or len(d) != 24 + 48 * count:
            err(w, "version %d, count %d, length %d" % (ver, count, len(d)))
            continue
        if not 1 <= count <= 30:
            err(w, "count %d" % count)
        base_ms = secs * 1000 + nsecs // 1000000 - up
        if up == 0:
            err(w, "sysUptime 0 (a clock before boot, clamped)")
        for r in range(count):
            p = 24 + 48 * r
            (src, dst, nh, iin, iout, pk, by, first, last, sp, dp, pad1, fl,
             proto, tos, sas, das, sm, dm, pad2) = \
                struct.unpack_from("!4s4s4sHHIIIIHHBBBBHHBBH", d, p)
            wr = "%s record %d" % (w, r)
            if first == 0 or last == 0:
                err(wr, "flow at uptime 0 (a time before boot, clamped)")
            zero(wr, "next hop, AS, masks, pads",
                 d[p + 8:p + 12] + d[p + 36:p + 37] + d[p + 40:p + 48])
            rec = {"src": str(ipaddress.ip_address(src)),
                   "dst": str(ipaddress.ip_address(dst)), "in": iin,
                   "out": iout, "packets": pk, "bytes": by,
                   "start": base_ms + first, "end": base_ms + last,
                   "sport": sp, "dport": dp, "tcp_flags": fl, "proto": proto,
                   "tos": tos}
            check_times(wr, rec, secs * 1000 + nsecs // 1000000)
            out.append(rec)
    return out


def main():
    if sys.argv[1] == "recv":
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.bind(("::", int(sys.argv[2])))
        with open(sys.argv[3], "ab", buffering=0) as f:
            while True:
                b = s.recv(65536)
                f.write(struct.pack("!I", len(b)) + b)
    version = int(sys.argv[3])
    recs = check_v5(sys.argv[2]) if version == 5 else \
        check_ipfix_v9(sys.argv[2], version)
    if sys.argv[1] == "messages":
        recs = msgs
    for r in recs:
        print(json.dumps(r, sort_keys=True))
    for e in errors:
        print("wirecheck: " + e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
