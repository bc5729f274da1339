#!/bin/bash
# One flow, one record: a flow whose packets the router handles on both
# CPUs (the sender moves from one CPU to the other before each packet,
# and veth hands a packet on on the CPU that sent it) reaches each of the
# four decoders (nfdump, tshark, ipfixDump, nfacctd) as one record per
# end, with the sender's count: UDP (IPv4, IPv6) and ICMP (echo from a
# raw socket) ending idle, TCP ending with its FIN (the server closes
# first, so a's FIN is the flow's last packet; a's segments from its own
# TcpOutSegs), a UDP flow longer than the active timeout (one active
# record, then one idle), one ended by a flush and one evicted by a
# flood of new flows on one CPU; each record says why its flow ended. A
# UDP flow on one CPU is the reference for how much later a merged record
# leaves (logged, from nfdump's receive time).
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd nstat taskset nft; do
	command -v $t >/dev/null || fail "no $t"
done
[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs, has $(nproc)"
FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built"
topo_routed
topo_collector
TMPD=$(mktemp -d)
# b answers no UDP (no ICMP errors back): the flows are a's alone
ip netns exec b nft -f - <<'NFT' || fail "nft on b"
table inet fm_merge {
	chain in {
		type filter hook input priority 0;
		udp dport 9000 drop
	}
}
NFT
capture_start c c0 "$TMPD/cap"
nfcapd_start c "$TMPD/nfc" 4739
nfc=$NFCAPD
# 32 flows per CPU: room for the test's flows, not for the flood below
fm_load_in r destination=10.0.9.1:4739 export_version=10 inactive_timeout=2 active_timeout=5 \
	max_flows=64

pinsend() { ip netns exec a python3 "$SELFTESTS/pinsend.py" "$@" || fail "pinsend $*"; }
tcp_out() {
	ip netns exec a nstat -az TcpOutSegs TcpRetransSegs | awk '/Tcp/ { n += $2 } END { print n + 0 }'
}

n1=$(pinsend udp 10.0.2.1 9000 31001 20 0.05 0,1)
n6=$(pinsend udp fd02::1 9000 31001 20 0.05 0,1)
n4=$(pinsend udp 10.0.2.1 9000 31004 20 0.05 0)
ni=$(pinsend icmp 10.0.2.1 0 7 10 0.05 0,1)
ip netns exec b python3 "$SELFTESTS/tcpsink.py" 9001 20000 >"$TMPD/tcp" &
wait_port b 9001 tcp
o0=$(tcp_out)
nt=$(pinsend tcp 10.0.2.1 9001 31005 20 0.05 0,1)
wait $!
o1=$(tcp_out)
[ "$(cat "$TMPD/tcp")" = "$nt" ] || fail "b read $(cat "$TMPD/tcp") of $nt bytes"
segs=$((o1 - o0))
# 7 s at 4 a second: an active record (5 s), the rest idle
n2=$(pinsend udp 10.0.2.1 9000 31002 28 0.25 0,1)
n3=$(pinsend udp 10.0.2.1 9000 31003 10 0.05 0,1)
ip netns exec r "$FC" flush || fail "flowctl flush"
wait_stat flows_active r 0 60
# lack of resources: a young flow (not spared by eviction) on both CPUs,
# kept from timing out meanwhile (flowgen may take seconds to start), then one flood of 600 new flows on
# CPU 0 evicts its piece there (18 new flows a bucket), and its piece on
# CPU 1 is ended on request; a flush ends the flood's flows. (3000 flows
# made a burst of records that overflowed the export socket: a sequence
# gap at tshark.)
ip netns exec r "$FC" set timeout active 60 inactive 60 || fail "flowctl set timeout"
n5=$(pinsend udp 10.0.2.1 9000 31006 4 0.05 0,1)
ip netns exec a taskset -c 0 python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 600 0 >/dev/null ||
	fail "flowgen"
sleep 2		# the eviction's record leaves CPU 0's ring within a second
ip netns exec r "$FC" flush || fail "flowctl flush"
wait_stat flows_active r 0 60
sleep 3		# a held record leaves within a second of its last piece
merged=$(fm_stat flows_merged r)
incomplete=$(fm_stat merge_incomplete r)
kill "$nfc"
wait "$nfc"
capture_stop
log "traffic and export took $SECONDS s"

# PROTO SRC DST SPORT DPORT PACKETS BYTES RECORDS (SPORT, BYTES "*": any)
cat >"$TMPD/want" <<END
17 10.0.1.1 10.0.2.1 31001 9000 $n1 $((n1 * 92)) 1
17 fd01::1 fd02::1 31001 9000 $n6 $((n6 * 112)) 1
17 10.0.1.1 10.0.2.1 31004 9000 $n4 $((n4 * 92)) 1
1 10.0.1.1 10.0.2.1 * 2048 $ni $((ni * 84)) 1
6 10.0.1.1 10.0.2.1 31005 9001 $segs * 1
17 10.0.1.1 10.0.2.1 31002 9000 $n2 $((n2 * 92)) 2
17 10.0.1.1 10.0.2.1 31003 9000 $n3 $((n3 * 92)) 1
17 10.0.1.1 10.0.2.1 31006 9000 $n5 $((n5 * 92)) 1
END

# check DECODER FILE: FILE is the decoder's text
check() {
	python3 "$SELFTESTS/flowtext.py" "$1" --records <"$2" >"$2.got"
	awk -v dec="$1" 'NR == FNR { got[NR] = $0; n = NR; next }
	{
		found = 0
		for (i = 1; i <= n; i++) {
			split(got[i], g, " ")
			if (g[1] != $1 || g[2] != $2 || g[3] != $3 || g[5] != $5 ||
			    ($4 != "*" && g[4] != $4))
				continue
			found = 1
			if (g[7] != $6 || ($7 != "*" && g[8] != $7) || g[9] != $8) {
				printf "# %s: flow %s %s:%s > %s:%s: packets bytes records %s %s %s, want %s %s %s\n",
					dec, $1, $2, $4, $3, $5, g[7], g[8], g[9], $6, $7, $8
				bad = 1
			}
		}
		if (!found) {
			printf "# %s: no record of flow %s %s:%s > %s:%s\n", dec, $1, $2, $4, $3, $5
			bad = 1
		}
	}
	END { exit bad }' "$2.got" "$TMPD/want" || fail "$1: not one record per flow and end"
	log "$1: every flow in one record per end, with the sender's counts"
}

f=$TMPD/ipfix
capture_split "$TMPD/cap" 4739 "$f.pcap"
nfdump -R "$TMPD/nfc" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' >"$f.nfdump" || fail "nfdump"
check nfdump "$f.nfdump"
tshark -r "$f.pcap" -d udp.port==4739,cflow -V >"$f.tshark" 2>"$f.err" || fail "tshark: $(cat "$f.err")"
grep -q 'Expert Info' "$f.tshark" && fail "tshark expert info: $(grep -m3 'Expert Info' "$f.tshark")"
check tshark "$f.tshark"
capture_payloads "$f.pcap" "$f.ipfix"
ipfixDump -i "$f.ipfix" >"$f.ipfixdump" 2>"$f.err" || fail "ipfixDump: $(cat "$f.err")"
[ -s "$f.err" ] && fail "ipfixDump complains: $(head -5 "$f.err")"
check ipfixdump "$f.ipfixdump"
# each record's end reason is its flow's (IE 136: 1 idle, 2 active, 3 end
# of flow, 4 forced, 5 lack of resources), from ipfixDump's text
python3 - "$f.ipfixdump" <<'PY' || fail "end reasons"
import re, sys
# 31002's second record ends idle, or forced if the flush comes first
want = {"31001": [["1", "1"]], "31004": [["1"]], "31005": [["3"]],
        "31002": [["1", "2"], ["2", "4"]], "31003": [["4"]], "31006": [["5"]]}
got = {}
port = reason = None
for line in open(sys.argv[1]).read().splitlines() + ["--- end ---"]:
    if re.match(r"^--- .* ---$", line):
        if port in want:
            got.setdefault(port, []).append(reason)
        port = reason = None
        continue
    m = re.match(r"^\s*(?:\(\d+\)\s*)?(\w+)\s*:\s*(\S+)", line)
    if m and m.group(1) == "sourceTransportPort":
        port = m.group(2)
    elif m and m.group(1) == "flowEndReason":
        reason = m.group(2)
bad = 0
for p in sorted(want):
    g = sorted(got.get(p, []))
    print("# port %s: end reasons %s" % (p, " ".join(map(str, g))))
    if g not in want[p]:
        print("# port %s: want %s" % (p, " or ".join(" ".join(w) for w in want[p])))
        bad = 1
sys.exit(bad)
PY
nfacctd_decode "$f.pcap" "$f.nfacctd" ", timestamp_start"
check nfacctd "$f.nfacctd"
log "decoders done at $SECONDS s"
# the module's own view, after the decoders': the truth is theirs
expect_eq "records exported without every piece" "$incomplete" 0
[ "$merged" -gt 0 ] || fail "no piece was merged ($merged): did the flows use both CPUs?"
log "$merged pieces merged into other CPUs' records"

# how long after its last packet each record reached the collector
nfdump -R "$TMPD/nfc" -q -o 'fmt:%sp %te %tr' 2>/dev/null | python3 -c '
import sys, datetime
def t(d, h):
    return datetime.datetime.strptime(d + " " + h, "%Y-%m-%d %H:%M:%S.%f").timestamp()
lag = {}
for line in sys.stdin:
    f = line.split()
    if len(f) == 5 and f[0] in ("31001", "31004"):
        lag.setdefault(f[0], []).append(t(f[3], f[4]) - t(f[1], f[2]))
for p, name in (("31004", "one CPU"), ("31001", "two CPUs, merged")):
    if p in lag:
        print("# %s: record left %.2f s after the last packet (idle timeout 2 s)" % (name, max(lag[p])))
'
rm -rf "$TMPD"
exit 0
