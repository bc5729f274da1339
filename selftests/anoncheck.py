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
#
# Keyed (prefix-preserving) destinations:
# anoncheck.py keyed SIDES S4 D4 S6 D6 KEY WANT GOT MAP: WANT's flows
# have distinct (protocol, source port, destination port); each must be
# in GOT once, with the same sums, its keyed SIDES' (src, dst or both)
# addresses pseudonymised and then cut to the prefixes, the others only
# cut. Pseudonyms: a host has one in every record, differs from its
# address, and any two hosts' pseudonyms share exactly as many leading
# bits as the hosts do (up to the cut). KEY (32 hex digits, or - if
# unknown) gives the exact pseudonyms as module/anon.c defines them.
# The real -> seen map goes to MAP, "ADDR SEEN" a line.
# anoncheck.py mapcmp same|differ MAP1 MAP2: the maps agree on every
# address, or on none.
# anoncheck.py within FILE MAP: every address among FILE's words is a
# pseudonym of MAP, none a real address.
import ipaddress
import re
import sys

M64 = (1 << 64) - 1


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def siphash24(key, msg):
    """SipHash-2-4 as the paper defines it; key is 16 bytes."""
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rnd():
        v[0] = (v[0] + v[1]) & M64
        v[1] = rotl(v[1], 13) ^ v[0]
        v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64
        v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64
        v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64
        v[1] = rotl(v[1], 17) ^ v[2]
        v[2] = rotl(v[2], 32)

    tail = len(msg) % 8
    words = [int.from_bytes(msg[i:i + 8], "little") for i in range(0, len(msg) - tail, 8)]
    words.append(((len(msg) & 0xFF) << 56) | int.from_bytes(msg[len(msg) - tail:], "little"))
    for m in words:
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def pseudo(addr, key):
    """module/anon.c's fm_anon_pseudo(), written from its comment."""
    a = ipaddress.ip_address(addr)
    n = 32 if a.version == 4 else 128
    x = int(a)
    out = x
    for t in range(n // 4):
        pfx = (x >> (n - 4 * t)) << (n - 4 * t) if t else 0
        msg = pfx.to_bytes(n // 8, "big") + bytes([4 * t, n // 8])
        h = siphash24(key, msg)
        nib = (x >> (n - 4 * t - 4)) & 0xF
        for j in range(4):
            if (h >> ((1 << j) - 1 + (nib >> (4 - j)))) & 1:
                out ^= 1 << (n - 4 * t - 1 - j)
    return str(type(a)(out))


def cpl(a, b):
    a, b = ipaddress.ip_address(a), ipaddress.ip_address(b)
    n = 32 if a.version == 4 else 128
    d = int(a) ^ int(b)
    return n - d.bit_length()


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


def records(path):
    """(proto, sport, dport) -> [(src, dst)...] and summed counts."""
    got = {}
    for line in open(path):
        f = line.split()
        if not f:
            continue
        k = (f[0], f[2], f[4])
        sa, da = (str(ipaddress.ip_address(x)) for x in (f[1], f[3]))
        e = got.setdefault(k, [set(), 0, 0])
        e[0].add((sa, da))
        e[1] += int(f[5])
        e[2] += int(f[6])
    return got


def keyed(sides, s4, d4, s6, d6, key, want_path, got_path, map_path):
    want, got = records(want_path), records(got_path)
    key = None if key == "-" else bytes.fromhex(key)
    bad = 0
    seen = {"src": {}, "dst": {}}
    for k in sorted(set(want) | set(got)):
        w, g = want.get(k), got.get(k)
        if not w or not g or len(g[0]) != 1 or w[1:] != g[1:]:
            print(f"# {' '.join(k)}: sent {w}, collector {g}")
            bad += 1
            continue
        (sa, da), = w[0]
        (gs, gd), = g[0]
        for side, real, s in (("src", sa, gs), ("dst", da, gd)):
            prev = seen[side].setdefault(real, s)
            if prev != s:
                print(f"# {side} {real}: {prev} in one record, {s} in another")
                bad += 1
    cuts = {"src": (s4, s6), "dst": (d4, d6)}
    for side, m in seen.items():
        v4, v6 = cuts[side]
        on = sides in (side, "both")
        for real, s in m.items():
            want_s = cut(pseudo(real, key) if on and key else real, v4, v6)
            if on and not key:
                if beyond(s, v4, v6) or s == cut(real, v4, v6):
                    print(f"# {side} {real} -> {s}: beyond the cut or not pseudonymised")
                    bad += 1
            elif s != want_s:
                print(f"# {side} {real} -> {s}, want {want_s}")
                bad += 1
        reals = sorted(m)
        for i, a in enumerate(reals):
            for b in reals[i + 1:]:
                if ipaddress.ip_address(a).version != ipaddress.ip_address(b).version:
                    continue
                v4 = ipaddress.ip_address(a).version == 4
                c, full = (cuts[side][0], 32) if v4 else (cuts[side][1], 128)
                # cut: past it both are zeros, so all bits are shared
                if cpl(m[a], m[b]) != (cpl(a, b) if cpl(a, b) < c else full):
                    print(f"# {side} {a} {b} share {cpl(a, b)} bits, {m[a]} {m[b]} {cpl(m[a], m[b])}")
                    bad += 1
    with open(map_path, "w") as f:
        for side, m in seen.items():
            for real, s in sorted(m.items()):
                f.write(f"{side} {real} {s}\n")
    n = sum(len(m) for m in seen.values())
    print(f"# {len(want)} flows, {n} addresses checked, {bad} wrong")
    return 1 if bad or not want else 0


def load_map(path):
    return {(f[0], f[1]): f[2] for f in (line.split() for line in open(path)) if f}


def main():
    mode = sys.argv[1]
    if mode == "keyed":
        return keyed(sys.argv[2], *(int(x) for x in sys.argv[3:7]), *sys.argv[7:11])
    if mode == "mapcmp":
        m1, m2 = load_map(sys.argv[3]), load_map(sys.argv[4])
        keys = sorted(set(m1) & set(m2))
        same = [k for k in keys if m1[k] == m2[k] and m1[k] != k[1]]
        want_same = sys.argv[2] == "same"
        if not keys or set(m1) != set(m2):
            print("# the maps name different addresses")
            return 1
        if want_same and (len(same) != len(keys) or m1 != m2):
            print(f"# {len(keys) - len(same)} of {len(keys)} differ")
            return 1
        if not want_same and same:
            print(f"# {len(same)} of {len(keys)} agree: {same}")
            return 1
        return 0
    if mode == "within":
        m = load_map(sys.argv[3])
        vals, reals = set(m.values()), {k[1] for k in m} - set(m.values())
        words = list(addrs(sys.argv[2]))
        odd = [w for w in words if w not in vals or w in reals]
        for w in sorted(set(odd)):
            print(f"# {w}: not a pseudonym of the map")
        return 1 if odd or not words else 0
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
