#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A small generic netlink client for the flowmeter family, standard
library only, for the selftests. The numbers and types come from
module/uapi_flowmeter.h itself, so they cannot drift from the module.

As a command (prints JSON; on a refusal prints the errno and the extended
ack on stderr and exits 1):
  genl.py config | stats | dests | flush
  genl.py set NAME=VALUE...         e.g. inactive_timeout=1 hooks=4
  genl.py flows [NAME=VALUE...]     filter, e.g. src_port=4000 family=6
  genl.py top [N] [bytes|packets]
  genl.py add-dest NAME=VALUE...    e.g. addr=10.0.9.1 port=2055 version=10
  genl.py del-dest addr=A port=P
"""
import errno
import ipaddress
import json
import os
import re
import socket
import struct
import sys

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "module", "uapi_flowmeter.h")

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK, NLM_F_DUMP = 1, 2, 4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED = 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
# enum nlmsgerr_attrs and enum netlink_policy_type_attr
ERR_MSG, ERR_OFFS, ERR_POLICY, ERR_MISS_TYPE = 1, 2, 4, 5
POL_MIN_S, POL_MAX_S, POL_MIN_U, POL_MAX_U, POL_MIN_LEN, POL_MAX_LEN = 2, 3, 4, 5, 6, 7


def read_uapi(path=UAPI):
    """{enum prefix: {name: (value, type)}} from the uapi header: the type
    is the first word of an entry's comment (u8, u16, u32, u64, binary,
    nest), u64 for the counters."""
    text = open(path).read()
    spaces = {}
    for body in re.findall(r"enum fm_\w+ {(.*?)};", text, re.S):
        value, entries = 0, {}
        for line in body.splitlines():
            m = re.match(r"\s*(FM_\w+)(?:\s*=\s*(\w+))?,\s*(?:/\*\s*(\w+))?", line)
            if not m:
                continue
            if m.group(2):
                value = int(m.group(2), 0)
            entries[m.group(1)] = (value, m.group(3))
            value += 1
        prefix = os.path.commonprefix(list(entries)).rsplit("_", 1)[0] + "_"
        spaces[prefix] = {n[len(prefix):].lower(): v for n, v in entries.items()}
    return spaces


U = read_uapi()
CMD = {n: v for n, (v, _) in U["FM_CMD_"].items()}
NESTS = {"dest": "FM_DEST_A_", "stats": "FM_STAT_A_", "flow": "FM_FLOW_A_",
         "iffilter": "FM_IFF_A_", "sampling_ifs": "FM_SIFS_A_",
         "if": "FM_SIF_A_"}
REPEATED = ("if",)	# nests given and returned as a list


def attr_type(space, name):
    t = U[space][name][1]
    if space == "FM_STAT_A_" or t == "u64":
        return "u64"
    if t in ("u8", "u16", "u32", "binary", "nest", "string"):
        return t
    return "pad"


def nla(atype, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + bytes(-n % 4)


def encode(space, attrs):
    """attrs: {name: int | bytes | address string | dict (nest)}."""
    out = b""
    for name, v in attrs.items():
        num, t = U[space][name][0], attr_type(space, name)
        if t == "nest" and name in REPEATED:
            for one in v:
                out += nla(num | NLA_F_NESTED, encode(NESTS[name], one))
        elif t == "nest":
            out += nla(num | NLA_F_NESTED, encode(NESTS[name], v))
        elif t == "string":	# a list: the attribute repeated
            for s in v:
                out += nla(num, s.encode() + b"\0")
        elif t == "binary":
            out += nla(num, v if isinstance(v, bytes) else
                       ipaddress.ip_address(v).packed)
        else:
            out += nla(num, struct.pack({"u8": "=B", "u16": "=H", "u32": "=I",
                                         "u64": "=Q"}[t], int(v, 0)
                                        if isinstance(v, str) else v))
    return out


def parse(buf):
    """[(type, payload)] of the attributes in buf."""
    out, off = [], 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("=HH", buf, off)
        if n < 4:
            break
        out.append((t & 0x3fff, buf[off + 4:off + n]))
        off += (n + 3) & ~3
    return out


def decode(space, buf):
    names = {v: n for n, (v, _) in U[space].items()}
    out = {}
    for t, p in parse(buf):
        name = names.get(t, "attr%d" % t)
        kind = attr_type(space, name) if t in names else "binary"
        if kind == "nest" and name in REPEATED:
            out.setdefault(name, []).append(decode(NESTS[name], p))
        elif kind == "nest":
            out[name] = decode(NESTS[name], p)
        elif kind == "binary":
            out[name] = str(ipaddress.ip_address(p)) if len(p) in (4, 16) else p.hex()
        elif kind == "string":
            out.setdefault(name, []).append(p.rstrip(b"\0").decode())
        elif kind != "pad":
            out[name] = int.from_bytes(p, sys.byteorder)
    return out


class NlError(Exception):
    """A refusal: errno and what the extended ack said."""

    def __init__(self, err, msg=None, offset=None, policy=None, missing=None):
        self.errno, self.msg, self.offset = err, msg, offset
        self.policy, self.missing = policy or {}, missing
        text = "%s: %s" % (errno.errorcode.get(err, err), msg or "(no message)")
        if offset is not None:
            text += " [attribute at offset %d]" % offset
        lim = {POL_MIN_U: "min", POL_MAX_U: "max", POL_MIN_S: "min",
               POL_MAX_S: "max", POL_MIN_LEN: "min_len", POL_MAX_LEN: "max_len"}
        for k, v in self.policy.items():
            if k in lim:
                text += " %s %d" % (lim[k], v)
        if missing is not None:
            text += " [missing attribute %d]" % missing
        super().__init__(text)


def ack_error(err, tlvs):
    kw = {}
    for t, p in parse(tlvs):
        if t == ERR_MSG:
            kw["msg"] = p.rstrip(b"\0").decode()
        elif t == ERR_OFFS:
            kw["offset"] = struct.unpack("=I", p)[0]
        elif t == ERR_MISS_TYPE:
            kw["missing"] = struct.unpack("=I", p)[0]
        elif t == ERR_POLICY:
            kw["policy"] = {pt: int.from_bytes(pp, sys.byteorder, signed=pt in
                                               (POL_MIN_S, POL_MAX_S))
                            for pt, pp in parse(p)}
    return NlError(-err, **kw)


class Genl:
    def __init__(self, family="flowmeter"):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        self.id = GENL_ID_CTRL
        reply = self.request(CTRL_CMD_GETFAMILY,
                             nla(CTRL_ATTR_FAMILY_NAME, family.encode() + b"\0"))
        self.id = struct.unpack("=H", dict(parse(reply[0]))[CTRL_ATTR_FAMILY_ID])[0]

    def request(self, cmd, payload=b"", dump=False, version=1):
        """The attribute payloads of the replies; raises NlError."""
        self.seq += 1
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        body = struct.pack("=BBH", cmd, version, 0) + payload
        msg = struct.pack("=IHHII", 16 + len(body), self.id, flags, self.seq, 0)
        self.sock.send(msg + body)
        replies = []
        while True:
            buf, off = self.sock.recv(1 << 20), 0
            while off + 16 <= len(buf):
                n, mtype, mflags, seq, _ = struct.unpack_from("=IHHII", buf, off)
                p = buf[off + 16:off + n]
                off += (n + 3) & ~3
                if seq != self.seq:
                    continue
                if mtype == NLMSG_ERROR:
                    err = struct.unpack_from("=i", p)[0]
                    if not err:
                        return replies
                    inner = 16 if mflags & NLM_F_CAPPED else \
                        struct.unpack_from("=I", p, 4)[0]
                    raise ack_error(err, p[4 + inner:] if mflags & NLM_F_ACK_TLVS else b"")
                if mtype == NLMSG_DONE:
                    err = struct.unpack_from("=i", p)[0] if len(p) >= 4 else 0
                    if err:
                        raise ack_error(err, p[4:] if mflags & NLM_F_ACK_TLVS else b"")
                    return replies
                replies.append(p[4:])

    def cmd(self, name, attrs=None, dump=False):
        return [decode("FM_A_", r) for r in
                self.request(CMD[name], encode("FM_A_", attrs or {}), dump)]


def kv(args):
    out = {}
    for a in args:
        k, v = a.split("=", 1)
        out[k] = v if attr_type(find_space(k), k) == "binary" else int(v, 0)
    return out


def find_space(name):
    for space in ("FM_A_", "FM_DEST_A_", "FM_FLOW_A_"):
        if name in U[space]:
            return space
    raise SystemExit("unknown attribute %s" % name)


def main(argv):
    g = Genl()
    what, args = argv[0], argv[1:]
    if what == "config":
        out = g.cmd("get_config")[0]
    elif what == "stats":
        out = g.cmd("get_stats")[0]["stats"]
    elif what == "set":
        out = g.cmd("set_config", kv(args))
    elif what == "flush":
        out = g.cmd("flush")
    elif what == "dests":
        out = [r["dest"] for r in g.cmd("get_dests", dump=True)]
    elif what in ("add-dest", "del-dest"):
        out = g.cmd(what.replace("-", "_"), {"dest": kv(args)})
    elif what == "flows":
        out = [r["flow"] for r in
               g.cmd("get_flows", {"flow": kv(args)} if args else {}, dump=True)]
    elif what == "top":
        attrs = {}
        if args:
            attrs["top_n"] = int(args[0])
        if len(args) > 1:
            attrs["top_by"] = U["FM_TOP_BY_"][args[1]][0]
        reply = g.request(CMD["get_top"], encode("FM_A_", attrs))[0]
        out = [decode("FM_FLOW_A_", p) for t, p in parse(reply)
               if t == U["FM_A_"]["flow"][0]]
    else:
        raise SystemExit(__doc__)
    print(json.dumps(out))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except NlError as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
