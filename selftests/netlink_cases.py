#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# netlink_cases.py: hostile requests to the flowmeter family, as root in
# the netns under test. Each must be refused with the expected errno and
# an extended ack message, and must change nothing. Exits 1 on a failure.
import errno
import struct
import sys

from genl import CMD, U, Genl, NlError, encode, nla

A, D, F = U["FM_A_"], U["FM_DEST_A_"], U["FM_FLOW_A_"]


def a(name, fmt, v, space=A):
    return nla(space[name][0], struct.pack(fmt, v))


def nest(name, payload):
    return nla(A[name][0] | 0x8000, payload)


def dest(**kw):
    return encode("FM_A_", {"dest": kw})


EINVAL, ERANGE, ENOENT, ENODEV = errno.EINVAL, errno.ERANGE, errno.ENOENT, errno.ENODEV
V4 = {"addr": "10.0.9.1", "port": 2055, "version": 10}
CASES = [
    # (what, command, attributes, errno, message must contain or None:
    # refused by the netlink core, which may give no message). The core
    # refuses values out of a policy's range with ERANGE, other policy
    # violations with EINVAL: EINVAL here accepts either.
    ("inactive timeout 0", "set_config", a("inactive_timeout", "=I", 0), EINVAL, "range"),
    ("inactive timeout 604801", "set_config", a("inactive_timeout", "=I", 604801), EINVAL, "range"),
    ("valid active timeout with a bad inactive one",
     "set_config", a("active_timeout", "=I", 5) + a("inactive_timeout", "=I", 0), EINVAL, "range"),
    ("timeout as u16", "set_config", a("inactive_timeout", "=H", 5), EINVAL, ""),
    ("timeout as u64", "set_config", a("inactive_timeout", "=Q", 5), EINVAL, ""),
    ("unknown attribute", "set_config", nla(200, struct.pack("=I", 1)), EINVAL, "nknown"),
    ("hash size 2^24+1", "set_config", a("hash_size", "=I", (1 << 24) + 1), EINVAL, "range"),
    ("interface name of 16 characters", "set_config",
     nest("iffilter", nla(1, b"0123456789abcdef\0")), EINVAL, ""),
    ("interface name with a slash", "set_config",
     nest("iffilter", nla(1, b"a/b\0")), EINVAL, "not an interface name"),
    ("'*' inside an interface pattern", "set_config",
     nest("iffilter", nla(2, b"e*0\0")), EINVAL, "not an interface name"),
    ("9 interfaces to include", "set_config",
     nest("iffilter", b"".join(nla(1, b"if%d\0" % i) for i in range(9))), EINVAL, "too many"),
    ("interface listed twice", "set_config",
     nest("iffilter", nla(2, b"lo\0") + nla(2, b"lo\0")), EINVAL, "twice"),
    ("interface filter entry of type 3", "set_config",
     nest("iffilter", nla(3, b"lo\0")), EINVAL, ""),
    ("bad filter with a valid timeout", "set_config",
     a("active_timeout", "=I", 99) + nest("iffilter", nla(1, b"a:b\0")), EINVAL, "not an interface name"),
    ("mark without its mask", "set_config", a("mark", "=I", 1), EINVAL, "set together"),
    ("mark mask without a mark", "set_config", a("mark_mask", "=I", 1), EINVAL, "set together"),
    ("mark with bits outside its mask", "set_config",
     a("mark", "=I", 0x1ff) + a("mark_mask", "=I", 0xff), EINVAL, "outside its mask"),
    ("mark as u8", "set_config", a("mark", "=B", 1) + a("mark_mask", "=I", 1), EINVAL, ""),
    ("bad mark with a valid timeout", "set_config",
     a("active_timeout", "=I", 99) + a("mark", "=I", 3) + a("mark_mask", "=I", 1), EINVAL, "outside its mask"),
    ("sampling-if without a rate", "set_config",
     encode("FM_A_", {"sampling_ifs": {"if": [{"name": ["r0"]}]}}), EINVAL, "name and its rate"),
    ("sampling-if rate 0", "set_config",
     encode("FM_A_", {"sampling_ifs": {"if": [{"name": ["r0"], "rate": 0}]}}), EINVAL, "range"),
    ("sampling-if bad name", "set_config",
     encode("FM_A_", {"sampling_ifs": {"if": [{"name": ["a/b"], "rate": 2}]}}), EINVAL, "not an interface name"),
    ("sampling-if twice", "set_config",
     encode("FM_A_", {"sampling_ifs": {"if": [{"name": ["r0"], "rate": 2}, {"name": ["r0"], "rate": 3}]}}),
     EINVAL, "twice"),
    ("9 sampling-if interfaces", "set_config",
     encode("FM_A_", {"sampling_ifs": {"if": [{"name": ["if%d" % i], "rate": 2} for i in range(9)]}}),
     EINVAL, "too many"),
    ("sampling-if entry not a nest", "set_config",
     nest("sampling_ifs", nla(1, struct.pack("=I", 2))), EINVAL, ""),
    ("read-only dests count", "set_config", a("dests", "=I", 1), EINVAL, ""),
    ("no hooks", "set_config", a("hooks", "=I", 0), EINVAL, "range"),
    ("hook 6", "set_config", a("hooks", "=I", 64), EINVAL, "range"),
    ("sampling rate 0", "set_config", a("sampling_rate", "=I", 0), EINVAL, "range"),
    ("sampling mode 0", "set_config", a("sampling_mode", "=B", 0), EINVAL, "range"),
    ("sampling mode 4", "set_config", a("sampling_mode", "=B", 4), EINVAL, "range"),
    ("sampling mode hash as u32", "set_config", a("sampling_mode", "=I", 3), EINVAL, ""),
    ("hash key of 15 bytes", "set_config", nla(A["sampling_hash_key"][0], bytes(15)), EINVAL, ""),
    ("hash key of 17 bytes", "set_config", nla(A["sampling_hash_key"][0], bytes(17)), EINVAL, ""),
    ("empty hash key", "set_config", nla(A["sampling_hash_key"][0], b""), EINVAL, ""),
    ("hash key as u32", "set_config", a("sampling_hash_key", "=I", 1), EINVAL, ""),
    ("hash mode and key with a bad rate", "set_config",
     a("sampling_mode", "=B", 3) + nla(A["sampling_hash_key"][0], bytes(range(16))) +
     a("sampling_rate", "=I", 0), EINVAL, "range"),
    ("flow sampling rate 0", "set_config", a("flow_sampling_rate", "=I", 0), EINVAL, "range"),
    ("flow sampling rate as u8", "set_config", a("flow_sampling_rate", "=B", 10), EINVAL, ""),
    ("flow sampling rate as u64", "set_config", a("flow_sampling_rate", "=Q", 10), EINVAL, ""),
    ("flow sampling mode 0", "set_config", a("flow_sampling_mode", "=B", 0), EINVAL, "range"),
    ("flow sampling mode hash", "set_config", a("flow_sampling_mode", "=B", 3), EINVAL, "range"),
    ("flow sampling mode as u32", "set_config", a("flow_sampling_mode", "=I", 1), EINVAL, ""),
    ("flow sampling with a bad mode", "set_config",
     a("flow_sampling_rate", "=I", 10) + a("flow_sampling_mode", "=B", 7), EINVAL, "range"),
    ("flow sampling with a bad packet sampling rate", "set_config",
     a("flow_sampling_rate", "=I", 10) + a("sampling_rate", "=I", 0), EINVAL, "range"),
    ("flowlabel 2", "set_config", a("flowlabel", "=B", 2), EINVAL, "range"),
    ("max flows 0", "set_config", a("max_flows", "=I", 0), EINVAL, "range"),
    ("max flows 2^26+1", "set_config", a("max_flows", "=I", (1 << 26) + 1), EINVAL, "range"),
    ("mtu 100", "set_config", a("mtu", "=I", 100), EINVAL, "range"),
    ("no template refresh at all", "set_config",
     a("template_refresh", "=I", 0) + a("template_packets", "=I", 0), EINVAL, "refresh"),
    ("truncated attribute", "set_config", a("inactive_timeout", "=I", 5)[:6], EINVAL, None),
    ("attribute longer than the message", "set_config",
     struct.pack("=HHI", 12, A["inactive_timeout"][0], 5), EINVAL, ""),
    ("get config with an attribute", "get_config", a("inactive_timeout", "=I", 5), EINVAL, ""),
    ("flush with an attribute", "flush", a("top_n", "=I", 5), EINVAL, ""),
    ("add dest: nothing", "add_dest", b"", EINVAL, "destination missing"),
    ("add dest: no port", "add_dest", dest(addr="10.0.9.1", version=10), EINVAL, "port missing"),
    ("add dest: no address", "add_dest", dest(port=2055, version=10), EINVAL, "address missing"),
    ("add dest: no version", "add_dest", dest(addr="10.0.9.1", port=2055), EINVAL, "version missing"),
    ("add dest: 5-byte address", "add_dest", dest(**dict(V4, addr=b"\1\2\3\4\5")), EINVAL, "4 (IPv4) or 16"),
    ("add dest: 17-byte address", "add_dest", dest(**dict(V4, addr=bytes(17))), EINVAL, ""),
    ("add dest: 3-byte address", "add_dest", dest(**dict(V4, addr=b"\1\2\3")), EINVAL, ""),
    ("add dest: address 0.0.0.0", "add_dest", dest(**dict(V4, addr="0.0.0.0")), EINVAL, "unspecified"),
    ("add dest: port 0", "add_dest", dest(**dict(V4, port=0)), EINVAL, "range"),
    ("add dest: version 7", "add_dest", dest(**dict(V4, version=7)), EINVAL, "5, 9 or 10"),
    ("add dest: version 11", "add_dest", dest(**dict(V4, version=11)), EINVAL, "range"),
    ("add dest: DSCP 64", "add_dest", dest(**dict(V4, dscp=64)), EINVAL, "range"),
    ("add dest: aggregates 2", "add_dest", dest(**dict(V4, aggregates=2)), EINVAL, "range"),
    ("add dest: MTU 100", "add_dest", dest(**dict(V4, mtu=100)), EINVAL, "576"),
    ("add dest: IPv6 source for an IPv4 collector", "add_dest",
     dest(**dict(V4, src_addr="fd09::fe")), EINVAL, "families differ"),
    ("add dest: read-only counter", "add_dest", dest(**dict(V4, packets=1)), EINVAL, ""),
    ("add dest: no such device", "add_dest", dest(**dict(V4, ifname=["nosuch0"])), ENODEV, "no such device"),
    ("add dest: empty device name", "add_dest", dest(**dict(V4, ifname=[""])), EINVAL, "empty"),
    ("add dest: device name of 16 characters", "add_dest",
     dest(**dict(V4, ifname=["0123456789abcdef"])), EINVAL, "too long"),
    ("add dest: device name of 200 characters", "add_dest",
     dest(**dict(V4, ifname=["x" * 200])), EINVAL, "too long"),
    ("add dest: device name without its NUL", "add_dest",
     nest("dest", encode("FM_DEST_A_", V4) + nla(D["ifname"][0], b"lo")), EINVAL, ""),
    ("add dest: read-only ifindex", "add_dest", dest(**dict(V4, ifindex=1)), EINVAL, ""),
    ("add dest: nest of garbage", "add_dest", nest("dest", b"\xff\x01\x02"), EINVAL, ""),
    ("add dest: nest with a short attribute", "add_dest",
     nest("dest", struct.pack("=HH", 2, 2)), EINVAL, ""),
    ("add dest: dest as u32", "add_dest", a("dest", "=I", 7), EINVAL, ""),
    ("add dest: IPv4 source prefix 33", "add_dest", dest(**dict(V4, anon_src4=33)), EINVAL, "range"),
    ("add dest: IPv6 length as an IPv4 prefix", "add_dest",
     dest(**dict(V4, anon_dst4=64)), EINVAL, "range"),
    ("add dest: IPv6 source prefix 129", "add_dest", dest(**dict(V4, anon_src6=129)), EINVAL, "range"),
    ("add dest: IPv6 destination prefix 255", "add_dest",
     dest(**dict(V4, anon_dst6=255)), EINVAL, "range"),
    ("add dest: a good prefix with a bad one", "add_dest",
     dest(**dict(V4, anon_src4=24, anon_src6=200)), EINVAL, "range"),
    ("add dest: prefix as u32", "add_dest",
     nest("dest", encode("FM_DEST_A_", V4) + a("anon_src4", "=I", 24, D)), EINVAL, ""),
    ("add dest: IPv6 prefix on v5, which carries no IPv6", "add_dest",
     dest(**dict(V4, version=5, anon_dst6=48)), EINVAL, "no IPv6"),
    ("add dest: anonymisation key without keyed", "add_dest",
     dest(**dict(V4, anon_key=bytes(16))), EINVAL, "without keyed"),
    ("add dest: anonymisation key with keyed 0", "add_dest",
     dest(**dict(V4, anon_keyed=0, anon_key=bytes(16))), EINVAL, "without keyed"),
    ("add dest: anonymisation key of 15 bytes", "add_dest",
     dest(**dict(V4, anon_keyed=3, anon_key=bytes(15))), EINVAL, ""),
    ("add dest: anonymisation key of 17 bytes", "add_dest",
     dest(**dict(V4, anon_keyed=3, anon_key=bytes(17))), EINVAL, ""),
    ("add dest: empty anonymisation key", "add_dest",
     dest(**dict(V4, anon_keyed=1, anon_key=b"")), EINVAL, ""),
    ("add dest: keyed bit 2 (no such side)", "add_dest", dest(**dict(V4, anon_keyed=4)), EINVAL, ""),
    ("add dest: keyed 255", "add_dest", dest(**dict(V4, anon_keyed=255)), EINVAL, ""),
    ("add dest: keyed as u32", "add_dest",
     nest("dest", encode("FM_DEST_A_", V4) + a("anon_keyed", "=I", 3, D)), EINVAL, ""),
    ("add dest: keyed with a bad prefix", "add_dest",
     dest(**dict(V4, anon_keyed=3, anon_key=bytes(16), anon_dst4=33)), EINVAL, "range"),
    ("del dest: keyed given", "del_dest", dest(addr="10.0.9.1", port=2055, anon_keyed=3), EINVAL, ""),
    ("del dest: key given", "del_dest", dest(addr="10.0.9.1", port=2055, anon_key=bytes(16)), EINVAL, ""),
    ("del dest: prefix given", "del_dest", dest(addr="10.0.9.1", port=2055, anon_src4=24), EINVAL, ""),
    ("del dest: version given", "del_dest", dest(**V4), EINVAL, ""),
    ("del dest: no such", "del_dest", dest(addr="10.0.9.7", port=2055), ENOENT, "no such destination"),
    ("flows: family 5", "get_flows", encode("FM_A_", {"flow": {"family": 5}}), EINVAL, "4 or 6"),
    ("flows: family 4, IPv6 address", "get_flows",
     encode("FM_A_", {"flow": {"family": 4, "src_addr": "fd01::1"}}), EINVAL, "does not match"),
    ("flows: filter on packets", "get_flows", encode("FM_A_", {"flow": {"packets": 1}}), EINVAL, ""),
    ("flows: top-level stray", "get_flows", a("top_n", "=I", 1), EINVAL, ""),
    ("top: 0", "get_top", a("top_n", "=I", 0), EINVAL, "range"),
    ("top: 101", "get_top", a("top_n", "=I", 101), EINVAL, "range"),
    ("top: by 2", "get_top", a("top_by", "=B", 2), EINVAL, "range"),
    ("top: per 3", "get_top", a("top_agg", "=B", 3), EINVAL, "range"),
    ("top: IPv4 prefix 33", "get_top", a("top_prefix4", "=B", 33), EINVAL, "range"),
    ("top: IPv6 prefix 129", "get_top", a("top_prefix6", "=B", 129), EINVAL, "range"),
    ("aggregate 3", "set_config", a("aggregate", "=B", 3), EINVAL, "range"),
    ("aggregate: IPv4 source prefix 33", "set_config",
     a("aggregate", "=B", 1) + a("agg_src_prefix4", "=B", 33), EINVAL, "range"),
    ("aggregate: IPv4 destination prefix 33", "set_config",
     a("agg_dst_prefix4", "=B", 33), EINVAL, "range"),
    ("aggregate: IPv6 source prefix 129", "set_config",
     a("agg_src_prefix6", "=B", 129), EINVAL, "range"),
    ("aggregate: IPv6 destination prefix 255", "set_config",
     a("aggregate", "=B", 1) + a("agg_dst_prefix6", "=B", 255), EINVAL, "range"),
    ("aggregate: prefix as u32", "set_config", a("agg_src_prefix4", "=I", 24), EINVAL, ""),
    ("aggregate: unknown field to drop", "set_config",
     a("aggregate", "=B", 1) + a("agg_drop", "=I", 0x20), EINVAL, ""),
    ("aggregate on with a valid timeout and a bad prefix", "set_config",
     a("active_timeout", "=I", 99) + a("aggregate", "=B", 1) +
     a("agg_dst_prefix4", "=B", 40), EINVAL, "range"),
    ("top: match prefix length without its address", "get_top",
     encode("FM_A_", {"flow": {"src_prefix_len": 24}}), EINVAL, "needs its address"),
    ("top: match IPv4 prefix length 33", "get_top",
     encode("FM_A_", {"flow": {"dst_addr": "10.0.2.0", "dst_prefix_len": 33}}), EINVAL, "longer than"),
    ("top: match on packets", "get_top", encode("FM_A_", {"flow": {"packets": 1}}), EINVAL, ""),
    ("set: top per 3", "set_config", a("top_agg", "=B", 3), EINVAL, "range"),
    ("routing 2", "set_config", a("routing", "=B", 2), EINVAL, "range"),
    ("routing as u32", "set_config", a("routing", "=I", 1), EINVAL, ""),
    ("routing with aggregation", "set_config",
     a("routing", "=B", 1) + a("aggregate", "=B", 1), EINVAL, "exclude each other"),
    ("routing with aggregation beside", "set_config",
     a("routing", "=B", 1) + a("aggregate", "=B", 2), EINVAL, "exclude each other"),
    ("l2 2", "set_config", a("l2", "=B", 2), EINVAL, "range"),
    ("l2 as u32", "set_config", a("l2", "=I", 1), EINVAL, ""),
    ("l2 with routing", "set_config",
     a("l2", "=B", 1) + a("routing", "=B", 1), EINVAL, "L2 fields exclude"),
    ("l2 with aggregation", "set_config",
     a("l2", "=B", 1) + a("aggregate", "=B", 1), EINVAL, "L2 fields exclude"),
    ("l2 with aggregation beside", "set_config",
     a("l2", "=B", 1) + a("aggregate", "=B", 2), EINVAL, "L2 fields exclude"),
    ("l2 with biflows", "set_config",
     a("l2", "=B", 1) + a("biflow", "=B", 1), EINVAL, "biflows and L2 fields"),
    ("l2 with biflows, a valid timeout besides", "set_config",
     a("inactive_timeout", "=I", 7) + a("biflow", "=B", 1) + a("l2", "=B", 1),
     EINVAL, "biflows and L2 fields"),
    ("aggregation beside with a bad prefix", "set_config",
     a("aggregate", "=B", 2) + a("agg_src_prefix6", "=B", 129), EINVAL, "range"),
    ("AS table of 2^32-1 IPv4 ranges", "asn_begin", a("asn_count4", "=I", 0xffffffff),
     errno.E2BIG, "asn_max"),
    ("AS table of 2^32-1 IPv6 ranges", "asn_begin", a("asn_count6", "=I", 0xffffffff),
     errno.E2BIG, "asn_max"),
    ("AS ranges without a load begun", "asn_add",
     nla(A["asn_ranges4"][0], struct.pack("=4s4sI", bytes(4), bytes(4), 1)), EINVAL, "no load begun"),
    ("AS table commit without a load begun", "asn_commit", b"", EINVAL, "no load begun"),
    ("AS range shorter than one", "asn_add", nla(A["asn_ranges4"][0], bytes(11)), EINVAL, ""),
    ("AS range count as u16", "asn_begin", a("asn_count4", "=H", 1), EINVAL, ""),
]


def main():
    g = Genl()
    before = g.cmd("get_config"), g.cmd("get_dests", dump=True)
    failed = 0
    for what, cmd, attrs, want, text in CASES:
        try:
            g.request(CMD[cmd], attrs, dump=cmd in ("get_flows", "get_dests"))
            print("# FAIL %s: accepted" % what)
            failed += 1
            continue
        except NlError as e:
            ok = e.errno in ((EINVAL, ERANGE) if want == EINVAL else (want,))
            ok = ok and (text is None or (e.msg and text in e.msg))
            print("# %s %s: %s" % ("refused" if ok else "FAIL", what, e))
            failed += not ok
    after = g.cmd("get_config"), g.cmd("get_dests", dump=True)
    if after != before:
        print("# FAIL: state changed: %s -> %s" % (before, after))
        failed += 1
    print("# %d of %d hostile requests refused properly, state unchanged: %s" %
          (len(CASES) - failed, len(CASES), after == before))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
