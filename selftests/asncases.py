#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# asncases.py: hostile AS table loads, which need a load begun on the
# same socket (netlink_cases.py sends one request each): ranges out of
# order, overlapping, reversed, more or fewer than announced, another
# socket's load. Each must be refused with its message and leave the
# table in use as it was. Exits 1 on a failure.
import errno
import ipaddress
import struct
import sys

from genl import CMD, U, Genl, NlError, nla

A = U["FM_A_"]


def r4(first, last, asn):
    return struct.pack("=4s4sI", ipaddress.ip_address(first).packed,
                       ipaddress.ip_address(last).packed, asn)


def r6(first, last, asn):
    return struct.pack("=16s16sI", ipaddress.ip_address(first).packed,
                       ipaddress.ip_address(last).packed, asn)


def begin(g, n4, n6=0):
    g.request(CMD["asn_begin"], nla(A["asn_count4"][0], struct.pack("=I", n4)) +
              nla(A["asn_count6"][0], struct.pack("=I", n6)))


def add(g, v4=b"", v6=b""):
    attrs = b""
    if v4:
        attrs += nla(A["asn_ranges4"][0], v4)
    if v6:
        attrs += nla(A["asn_ranges6"][0], v6)
    g.request(CMD["asn_add"], attrs)


def main():
    g, other = Genl(), Genl()
    before = g.cmd("get_config")
    failed = 0
    cases = [
        ("IPv4 ranges out of order", 2, 0,
         lambda: add(g, r4("10.1.0.0", "10.1.0.255", 1) + r4("10.0.0.0", "10.0.0.255", 2)), "not sorted"),
        ("IPv4 ranges overlapping", 2, 0,
         lambda: add(g, r4("10.0.0.0", "10.0.1.255", 1) + r4("10.0.1.0", "10.0.1.255", 2)), "not sorted"),
        ("IPv4 range reversed", 1, 0, lambda: add(g, r4("10.0.1.0", "10.0.0.0", 1)), "reversed"),
        ("IPv4 range before the last request's", 2, 0,
         lambda: (add(g, r4("10.1.0.0", "10.1.0.255", 1)), add(g, r4("10.0.0.0", "10.0.0.0", 2))), "not sorted"),
        ("IPv6 ranges overlapping", 0, 2,
         lambda: add(g, v6=r6("fd00::", "fd00::ff", 1) + r6("fd00::f0", "fd00::1ff", 2)), "not sorted"),
        ("more ranges than announced", 1, 0,
         lambda: add(g, r4("10.0.0.0", "10.0.0.0", 1) + r4("10.0.0.1", "10.0.0.1", 2)), "more ranges"),
        ("fewer ranges than announced", 2, 0,
         lambda: (add(g, r4("10.0.0.0", "10.0.0.0", 1)), g.request(CMD["asn_commit"], b"")), "fewer ranges"),
        ("ranges from another socket", 1, 0,
         lambda: other.request(CMD["asn_add"], nla(A["asn_ranges4"][0], r4("10.0.0.0", "10.0.0.0", 1))),
         "no load begun"),
        ("commit from another socket", 0, 0, lambda: other.request(CMD["asn_commit"], b""), "no load begun"),
    ]
    for what, n4, n6, run, text in cases:
        begin(g, n4, n6)
        try:
            run()
            print("# FAIL %s: accepted" % what)
            failed += 1
            continue
        except NlError as e:
            ok = e.errno in (errno.EINVAL, errno.E2BIG) and e.msg and text in e.msg
            print("# %s %s: %s" % ("refused" if ok else "FAIL", what, e))
            failed += not ok
    after = g.cmd("get_config")
    if after != before:
        print("# FAIL: the table in use changed: %s -> %s" % (before, after))
        failed += 1
    print("# %d of %d hostile AS table loads refused properly" % (len(cases) - failed, len(cases)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
