#!/usr/bin/env python3
# anoncheck.py: what an anonymising destination's collector saw.
#
# anoncheck.py flows S4 D4 S6 D6 WANT GOT: WANT holds the flows sent
# ("PROTO SRC SPORT DST DPORT PACKETS BYTES" a line, addresses whole),
# GOT what the collector decoded, the same way (a flow may come in
# several records). The flows of WANT with their source and destination
# addresses cut to the prefix lengths (IPv4 S4, D4; IPv6 S6, D6) must
# be GOT's, with the same packet and byte sums; and no address of GOT
# may have a bit set beyond its prefix.
# anoncheck.py bits S4 D4 S6 D6 FILE: FILE's lines are "SRC,... DST,..."
# (tshark's fields; a message's many records comma separated): no bit
# set beyond the prefix in any.
# anoncheck.py has FILE ADDR...: every ADDR is among FILE's words.
import ipaddress
import re
import sys


def cut(addr, v4, v6):
    a = ipaddress.ip_address(addr)
    bits, full = (v4, 32) if a.version == 4 else (v6, 128)
    mask = ((1 << full) - 1) ^ ((1 << (full - bits)) - 1)
    return str(type(a)(int(a) & mask))


def beyond(addr, v4, v6):
    return cut(addr, v4, v6) != str(ipaddress.ip_address(addr))


def flows(path, s4, d4, s6, d6, mask):
    sums = {}
    for line in open(path):
        f = line.split()
        if not f:
            continue
        sa, da = f[1], f[3]
        if mask:
            sa, da = cut(sa, s4, s6), cut(da, d4, d6)
        else:
            sa = str(ipaddress.ip_address(sa))
            da = str(ipaddress.ip_address(da))
        k = (f[0], sa, f[2], da, f[4])
        p, b = sums.get(k, (0, 0))
        sums[k] = (p + int(f[5]), b + int(f[6]))
    return sums


def addrs(path):
    """Every word of the file that is an address, in one form."""
    for w in re.split(r"[\s,]+", open(path).read()):
        try:
            yield str(ipaddress.ip_address(w))
        except ValueError:
            pass


def main():
    mode = sys.argv[1]
    if mode == "has":
        seen = set(addrs(sys.argv[2]))
        missing = [a for a in sys.argv[3:] if str(ipaddress.ip_address(a)) not in seen]
        for a in missing:
            print(f"# {a} not seen")
        return 1 if missing else 0
    s4, d4, s6, d6 = (int(x) for x in sys.argv[2:6])
    bad = 0
    if mode == "bits":
        n = 0
        for line in open(sys.argv[6]):
            f = line.split()
            if len(f) < 2:
                continue
            for w in f[0].split(","):
                n += 1
                if beyond(w, s4, s6):
                    print(f"# source {w} has bits beyond /{s4} or /{s6}")
                    bad += 1
            for w in f[1].split(","):
                n += 1
                if beyond(w, d4, d6):
                    print(f"# destination {w} has bits beyond /{d4} or /{d6}")
                    bad += 1
        print(f"# {n} addresses, {bad} with bits beyond the prefix")
        return 1 if bad or not n else 0
    want = flows(sys.argv[6], s4, d4, s6, d6, True)
    got = flows(sys.argv[7], s4, d4, s6, d6, False)
    for line in open(sys.argv[7]):
        f = line.split()
        if f and (beyond(f[1], s4, s6) or beyond(f[3], d4, d6)):
            print(f"# bits beyond the prefix: {line.strip()}")
            bad += 1
    for k in sorted(set(want) | set(got)):
        if want.get(k) != got.get(k):
            print(f"# {' '.join(k)}: sent {want.get(k)}, collector {got.get(k)}")
            bad += 1
    return 1 if bad else 0


sys.exit(main())
