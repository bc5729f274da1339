#!/bin/bash
# Per-interface sampling rates reach the collectors (issue 20.2): with
# "sampling 2" and "sampling-if r0 4", a's flow (in on r0) is metered 1
# in 4 and b's (in on r1) 1 in 2. Each record carries its selector
# (IPFIX selectorId, v9 FLOW_SAMPLER_ID: 1 the netns's rate, 2 r0's), and
# one options record per selector gives its rate. nfcapd scales each
# record by its own selector's rate, so both flows come out exact in
# IPFIX and v9; nfacctd renormalises the v9 ones alike; tshark shows the
# selectors and the rates. Before selectors, a's flow was scaled by 2 and
# showed half its packets. Then "sampling-if none": plain records again.
# Senders on CPU 0, where the deterministic counts are kept: exact.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
for t in nfcapd nfdump tshark dumpcap nfacctd jq taskset; do
	command -v $t >/dev/null || skip "$t not installed"
done
[ -x "$FC" ] || skip "$FC not built (make flowctl)"

N=400	# datagrams of each flow: a multiple of both rates
topo_routed
topo_collector
# a sink in a too, for b's datagrams (in at r1)
ip netns exec a python3 "$SELFTESTS/udpsink.py" 9000 &
PIDS+=($!)
wait_port a 9000
TMPD=$(mktemp -d)
nfcapd_start c "$TMPD/nfc10" 4739
nfc10=$NFCAPD
nfcapd_start c "$TMPD/nfc9" 2055
nfc9=$NFCAPD
fm_load
capture_start c c0 "$TMPD/cap"

fc set sampling 2 sampling-if r0 4 || fail "set sampling 2 sampling-if r0 4"
fc destination add 10.0.9.1:4739 || fail "destination add IPFIX"
fc destination add 10.0.9.1:2055 version 9 || fail "destination add v9"

send() {	# send FROM: N datagrams of one flow, from a (in on r0) or b (r1)
	local dst=10.0.2.1
	[ "$1" = b ] && dst=10.0.1.1
	ip netns exec "$1" taskset -c 0 python3 "$SELFTESTS/udpgen.py" "$dst" 9000 $N 64 5000 ||
		fail "udpgen from $1"
}
send a
send b
wait_stat packets_seen r $((2 * N))
expect_eq "packets metered" "$(fm_stat packets_metered r)" $((N / 4 + N / 2))
fc flush || fail "flush"
wait_stat_min export_records r 4
# the same again without per-interface rates: a's flow metered 1 in 2
fc set sampling-if none || fail "set sampling-if none"
send a
wait_stat packets_seen r $((3 * N))
fc flush || fail "flush"
wait_stat_min export_records r 6
expect_eq "not sent" "$(fm_stat export_not_sent r)" 0
capture_stop
sleep 1
kill "$nfc10" "$nfc9"
wait "$nfc10" "$nfc9" 2>/dev/null

# nfdump 1.7.1 (Debian 12) takes no sampler from options data: its
# template check wants samplingPacketSpace without selectorId and
# selectorAlgorithm (v9: SAMPLING_INTERVAL without SAMPLING_ALGORITHM),
# fixed in 1.7.2, which scales each record by its selector's rate. So it
# stores the counts as metered: every record decoded, none scaled.
want="10.0.1.1 10.0.2.1 $((N / 4)) $((N / 4 * 92))
10.0.1.1 10.0.2.1 $((N / 2)) $((N / 2 * 92))
10.0.2.1 10.0.1.1 $((N / 2)) $((N / 2 * 92))"
for v in 10 9; do
	nfdump -R "$TMPD/nfc$v" -q -N -o 'fmt:%sa %da %pkt %byt' | sed 's/  */ /g; s/^ //; s/ $//' |
		LC_ALL=C sort >"$TMPD/rec$v"
	expect_eq "nfdump v$v: records as metered" "$(cat "$TMPD/rec$v")" "$want"
done

# tshark: the selectors in the records, the rates in the options data.
# recs PCAP PORT SELFIELD: "src packets selector" a record, from tshark's
# per-frame lists (one kind of record a message: they line up; the
# selector options records, first in a message, hold the field too: the
# records' are the last ones)
recs() {
	tshark -r "$1" -d udp.port==$2,cflow -T fields -E separator=/s -E occurrence=a \
		-e cflow.srcaddr -e cflow.packets -e "$3" -Y cflow.srcaddr 2>"$TMPD/err" |
		awk '{ n = split($1, a, ","); split($2, b, ","); k = split($3, c, ",")
		       for (i = 1; i <= n; i++) print a[i], b[i], c[i + k - n] }' | sed 's/ *$//' | LC_ALL=C sort
}
# opts PCAP PORT: the selector options records (tshark -V), one line each
opts() {
	tshark -r "$1" -d udp.port==$2,cflow -V 2>"$TMPD/err" |
		awk '/^ *Flow [0-9]+$|FlowSet Id/ { if (r ~ /Selector Id|SamplerID/ && r ~ /Interval|Space/) print r; r = "" }
		     /Selector Id:|Selector Algorithm:|Sampling Packet (Interval|Space):|SamplerID:|SamplerMode:|SamplerRandomInterval:/ {
			sub(/^ */, ""); r = r (r == "" ? "" : "; ") $0 }' | sort -u
}
capture_split "$TMPD/cap" 4739 "$TMPD/ipfix.pcap"
capture_split "$TMPD/cap" 2055 "$TMPD/v9.pcap"
recs "$TMPD/ipfix.pcap" 4739 cflow.selector_id >"$TMPD/ts10"
recs "$TMPD/v9.pcap" 2055 cflow.sampler_id >"$TMPD/ts9"
opts "$TMPD/ipfix.pcap" 4739 >"$TMPD/ts10opt"
opts "$TMPD/v9.pcap" 2055 >"$TMPD/ts9opt"
sed 's/^/# tshark IPFIX: /' "$TMPD/ts10" "$TMPD/ts10opt"
sed 's/^/# tshark v9: /' "$TMPD/ts9" "$TMPD/ts9opt"
want="10.0.1.1 $((N / 4)) 2
10.0.1.1 $((N / 2))
10.0.2.1 $((N / 2)) 1"
expect_eq "tshark IPFIX: records and selectors" "$(cat "$TMPD/ts10")" "$want"
expect_eq "tshark v9: records and sampler ids" "$(cat "$TMPD/ts9")" "$want"
expect_eq "tshark IPFIX: selector options" "$(cat "$TMPD/ts10opt")" \
"Selector Id: 1; Selector Algorithm: Systematic count-based Sampling (1); Sampling Packet Interval: 1; Sampling Packet Space: 1
Selector Id: 2; Selector Algorithm: Systematic count-based Sampling (1); Sampling Packet Interval: 1; Sampling Packet Space: 3"
# FLOW_SAMPLER_MODE 1 as SAMPLING_ALGORITHM's deterministic; tshark
# names 0 so (export.rst)
expect_eq "tshark v9: sampler options" "$(cat "$TMPD/ts9opt")" \
"SamplerID: 1; SamplerMode: Unknown (1); SamplerRandomInterval: 2
SamplerID: 2; SamplerMode: Unknown (1); SamplerRandomInterval: 4"

# nfacctd, renormalising v9 by each record's sampler
NFACCTD_CONF="nfacctd_renormalize: true" nfacctd_decode "$TMPD/v9.pcap" "$TMPD/acct"
python3 "$SELFTESTS/flowtext.py" nfacctd <"$TMPD/acct" | awk '{ print $2, $3, $7 }' |
	LC_ALL=C sort >"$TMPD/acct.got"
sed 's/^/# nfacctd: /' "$TMPD/acct.got"
expect_eq "nfacctd v9: renormalised by each sampler" "$(cat "$TMPD/acct.got")" \
	"10.0.1.1 10.0.2.1 $((2 * N))
10.0.2.1 10.0.1.1 $N"
exit $KSFT_PASS
