#!/bin/bash
# Biflows (RFC 5103, issue 18.1): with `flowctl set biflow on` the router
# meters both directions of a conversation as one flow and exports one
# IPFIX record for it, the initiator as source, its packets and bytes in
# packetDeltaCount/octetDeltaCount, the responder's in the reverse IEs
# (PEN 29305), biflowDirection 1; and one v9 record to a v9 destination
# beside it, the initiator's in IN_BYTES/IN_PKTS, the responder's in
# OUT_BYTES/OUT_PKTS (23/24), biflowDirection 239. A TCP transfer, a UDP request/response
# exchange and an ICMP echo exchange from a to b, twice: with both ends
# on CPU 0, and with b on CPU 1 (its replies are metered there: the merge
# must make one record of the two CPUs' pieces). Each conversation must
# arrive exactly once, both directions exact against what a counted on
# its own interface (nft counters: the truth from the endpoint, not from
# the meter; a's TCP segments as b received them), at ipfixDump and tshark (reverse IEs), nfdump (reads them
# as its out counters) and nfacctd (the initiator's direction only); the
# v9 records at tshark (post octets/packets), nfdump (out counters) and
# nfacctd (the initiator's only). Also: the setting in flowctl -j show,
# the biflow in /proc flows and flowctl flows while live, a v5
# destination refused while biflows are on and biflows while one exists,
# a v9 destination accepted either way, biflows refused with aggregation.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd nft jq ethtool taskset; do
	command -v $t >/dev/null || fail "no $t"
done
[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs, has $(nproc)"
topo_routed
topo_collector
TMPD=$(mktemp -d)
# One wire packet per skb everywhere, so that a's counters count packets
for dev in a:a0 b:b0 r:r0 r:r1; do
	ip netns exec ${dev%:*} ethtool -K ${dev#*:} tso off gso off gro off >/dev/null 2>&1 ||
		fail "offloads off on $dev"
done
# The truth: what a sent to b and got back, per protocol (IP bytes)
ip netns exec a nft -f - <<'NFT' || fail "nft on a"
table inet truth {
	counter tcp_out {}
	counter tcp_in {}
	counter udp_out {}
	counter udp_in {}
	counter icmp_out {}
	counter icmp_in {}
	chain out {
		type filter hook output priority 0;
		ip daddr 10.0.2.1 tcp dport 7000 counter name tcp_out
		ip daddr 10.0.2.1 udp dport 9001 counter name udp_out
		ip daddr 10.0.2.1 icmp type echo-request counter name icmp_out
	}
	chain in {
		type filter hook input priority 0;
		ip saddr 10.0.2.1 tcp sport 7000 counter name tcp_in
		ip saddr 10.0.2.1 udp sport 9001 counter name udp_in
		ip saddr 10.0.2.1 icmp type echo-reply counter name icmp_in
	}
}
NFT
# TCP always builds GSO skbs: a's output hook sees 64 KB ones, which a0
# (TSO off) cuts into wire packets after it. What a sent is counted where
# it arrives, one wire packet a skb, at b's input.
ip netns exec b nft -f - <<'NFT' || fail "nft on b"
table inet truth {
	counter tcp_out {}
	chain in {
		type filter hook input priority 0;
		ip saddr 10.0.1.1 tcp dport 7000 counter name tcp_out
	}
}
NFT
# truth NAME [NETNS]: "PACKETS BYTES" of the counter NAME (in a)
truth() {
	ip netns exec "${2:-a}" nft -j list counter inet truth "$1" |
		jq -r '.nftables[] | select(.counter) | "\(.counter.packets) \(.counter.bytes)"'
}

capture_start c c0 "$TMPD/cap"
mkdir -p "$TMPD/nfc"
ip netns exec c nfcapd -w "$TMPD/nfc" -p 4739 -t 3600 >"$TMPD/nfc.log" 2>&1 &
nfc=$!
wait_port c 4739
nfcapd_start c "$TMPD/nfc9" 2055
nfc9=$NFCAPD
# never idle during a round (the live checks keep the TCP flow silent for
# long under TCG): each round ends with a flush
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=120 active_timeout=3600
err=$(fc set biflow on aggregate prefix4 24 2>&1) && fail "biflow with aggregation accepted"
grep -q "exclude each other" <<< "$err" || fail "biflow with aggregation: $err"
fc set biflow on || fail "flowctl set biflow on"
cfg=$(fcj show) || fail "flowctl -j show"
jq_eq "biflow config" '.biflow' true "$cfg"
err=$(fc destination add 10.0.9.1:2056 version 5 2>&1) && fail "v5 destination accepted with biflows on"
grep -q "v5 has no field" <<< "$err" || fail "v5 refused, but: $err"
log "v5 destination refused: $err"
fc destination add 10.0.9.1:2055 version 9 || fail "v9 destination refused with biflows on"
expect_eq "/proc stats: export_biflow" "$(fm_stat export_biflow r)" 1

# b: the TCP sink and a UDP echo server, on CPU $1
servers() {
	ip netns exec b taskset -c "$1" python3 "$SELFTESTS/tcpbulk.py" recv 7000 &
	PIDS+=($!)
	ip netns exec b taskset -c "$1" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9001))
while True:
	d, a = s.recvfrom(2048)
	s.sendto(d[:len(d) // 2], a)' &
	PIDS+=($!)
	wait_port b 7000 tcp
	wait_port b 9001
}

# round NAME BCPU: the three conversations, a on CPU 0, b on BCPU;
# the decoders must show the lines of $TMPD/want.NAME
round() {
	local name=$1 bcpu=$2 rec0 sport t
	servers "$bcpu"
	ip netns exec a nft reset counters table inet truth >/dev/null
	ip netns exec b nft reset counters table inet truth >/dev/null
	rec0=$(fm_stat export_records r)
	ip netns exec a taskset -c 0 python3 "$SELFTESTS/tcpbulk.py" send 10.0.2.1 7000 300000 "$TMPD/tcp.$name" &
	t=$!
	for i in $(seq 150); do [ -e "$TMPD/tcp.$name" ] && break; sleep 0.2; done
	[ -e "$TMPD/tcp.$name" ] || fail "$name: TCP transfer did not finish"
	read -r sport _ <"$TMPD/tcp.$name"
	# live: one biflow, both directions, in /proc flows and flowctl flows
	ip netns exec r cat /proc/net/flowmeter/flows >"$TMPD/procflows.$name"
	grep -q 'RevPackets' "$TMPD/procflows.$name" || fail "$name: /proc flows has no reverse columns"
	awk -v sp="$sport" '$2 == "10.0.1.1" && $4 == "10.0.2.1" && $6 == sp && $7 == 7000 && $NF > 0 { ok = 1 }
		END { exit !ok }' "$TMPD/procflows.$name" ||
		{ sed 's/^/# /' "$TMPD/procflows.$name"; fail "$name: /proc flows shows no live TCP biflow from a"; }
	fl=$(fcj flows) || fail "flowctl -j flows"
	jq_eq "$name: flowctl flows: the TCP biflow, initiated by a" \
		"[.[] | select(.proto == 6) | [.src, .sport, .dst, .dport, .biflow, (.packets > 0), (.rev_packets > 0)]]" \
		"[[\"10.0.1.1\",$sport,\"10.0.2.1\",7000,true,true,true]]" "$fl"
	touch "$TMPD/tcp.$name.go"
	wait "$t" || fail "$name: tcpbulk send"
	ip netns exec a taskset -c 0 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5001))
s.settimeout(5)
for i in range(20):
	s.sendto(b"q" * (100 + i), ("10.0.2.1", 9001))
	s.recvfrom(2048)' || fail "$name: UDP exchange"
	ip netns exec a taskset -c 0 ping -q -c 5 -i 0.2 -s 100 10.0.2.1 >/dev/null || fail "$name: ping"
	sleep 2	# the TCP biflow's linger
	fc flush || fail "flowctl flush"
	# three records to each destination
	wait_stat_min export_records r $((rec0 + 6)) 60
	sleep 3	# anything more would be a second record of one of them
	expect_eq "$name: records" "$(fm_stat export_records r)" $((rec0 + 6))
	{
		echo "6 10.0.1.1 $sport 10.0.2.1 7000 $(truth tcp_out b) $(truth tcp_in)"
		echo "17 10.0.1.1 5001 10.0.2.1 9001 $(truth udp_out) $(truth udp_in)"
		echo "1 10.0.1.1 0 10.0.2.1 2048 $(truth icmp_out) $(truth icmp_in)"
	} >"$TMPD/want.$name"
	sed 's/^/# truth: /' "$TMPD/want.$name"
	kill "${PIDS[@]: -2}" 2>/dev/null
	wait "${PIDS[@]: -2}" 2>/dev/null
}
round same 0
round cross 1
merged=$(fm_stat flows_merged r)
log "pieces merged across CPUs: $merged"
[ "$merged" -gt 0 ] || fail "no piece merged: b's replies were not metered on another CPU"
expect_eq "records sent without every piece" "$(fm_stat merge_incomplete r)" 0
fm_unload
kill "$nfc" "$nfc9"
wait "$nfc" "$nfc9"
capture_stop

# check DECODER FILE [noreverse] [v9]: FILE's biflows are exactly the
# wanted ones; noreverse: the decoder shows the initiator's direction only
check() {
	python3 "$SELFTESTS/biflowtext.py" "$1" <"$2" | LC_ALL=C sort >"$2.got"
	cat "$TMPD"/want.* | awk -v d="$1" -v norev="${3:-}" '{
		if (norev) { $8 = $9 = "-" }
		print $0, (d == "ipfixdump" || d == "tshark") ? 1 : "-" }' |
		LC_ALL=C sort >"$2.want"
	if ! cmp -s "$2.want" "$2.got"; then
		diff -u "$2.want" "$2.got" | head -30 | sed 's/^/# /'
		fail "$1 ${4:-IPFIX} shows other biflows than the endpoints counted"
	fi
	log "$1 ${4:-IPFIX}: $(wc -l <"$2.got") biflows, one record each, both directions exact"
}
capture_split "$TMPD/cap" 2055 "$TMPD/cap9"
capture_split "$TMPD/cap" 4739 "$TMPD/cap10"
capture_payloads "$TMPD/cap10" "$TMPD/ipfix"
ipfixDump -i "$TMPD/ipfix" >"$TMPD/ipfixdump" 2>"$TMPD/err" || fail "ipfixDump: $(cat "$TMPD/err")"
[ -s "$TMPD/err" ] && fail "ipfixDump complains: $(head -5 "$TMPD/err")"
check ipfixdump "$TMPD/ipfixdump"
tshark -r "$TMPD/cap10" -d udp.port==4739,cflow -V >"$TMPD/tshark" 2>"$TMPD/tshark.err" ||
	fail "tshark: $(cat "$TMPD/tshark.err")"
grep -q 'Expert Info' "$TMPD/tshark" && fail "tshark expert info: $(grep -m3 'Expert Info' "$TMPD/tshark")"
check tshark "$TMPD/tshark"
nfdump -R "$TMPD/nfc" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %opkt %obyt' >"$TMPD/nfdump" ||
	fail "nfdump"
check nfdump "$TMPD/nfdump"
nfacctd_decode "$TMPD/cap10" "$TMPD/nfacctd" ", timestamp_start"
check nfacctd "$TMPD/nfacctd" noreverse
# v9: the same conversations, one record each
tshark -r "$TMPD/cap9" -d udp.port==2055,cflow -V >"$TMPD/tshark9" 2>"$TMPD/tshark9.err" ||
	fail "tshark v9: $(cat "$TMPD/tshark9.err")"
grep -q 'Expert Info' "$TMPD/tshark9" && fail "tshark v9 expert info: $(grep -m3 'Expert Info' "$TMPD/tshark9")"
grep -q 'Version: 9' "$TMPD/tshark9" || fail "no v9 message in the capture for 2055"
check tshark "$TMPD/tshark9" "" v9
nfdump -R "$TMPD/nfc9" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %opkt %obyt' >"$TMPD/nfdump9" ||
	fail "nfdump v9"
check nfdump "$TMPD/nfdump9" "" v9
nfacctd_decode "$TMPD/cap9" "$TMPD/nfacctd9" ", timestamp_start"
check nfacctd "$TMPD/nfacctd9" noreverse v9

# Off again: uniflows, one record per direction
ip netns exec c python3 "$SELFTESTS/udpsink.py" 4739 &
PIDS+=($!)
wait_port c 4739
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=600
# biflows after the destinations: refused with v5, not with v9
fc destination add 10.0.9.1:2056 version 5 || fail "v5 destination"
err=$(fc set biflow on 2>&1) && fail "biflows accepted with a v5 destination"
grep -q "a v5 destination has no" <<< "$err" || fail "biflows with v5 refused, but: $err"
log "biflows refused with a v5 destination: $err"
fc destination del 10.0.9.1:2056 || fail "destination del"
fc destination add 10.0.9.1:2055 version 9 || fail "v9 destination"
fc set biflow on || fail "flowctl set biflow on with a v9 destination"
ip netns exec a taskset -c 0 ping -q -c 2 -i 0.2 10.0.2.1 >/dev/null || fail "ping"
wait_stat flows_active r 1
fc set biflow off || fail "flowctl set biflow off"
wait_stat flows_active r 0
ip netns exec a taskset -c 0 ping -q -c 2 -i 0.2 10.0.2.1 >/dev/null || fail "ping"
wait_stat flows_active r 2
fl=$(fcj flows) || fail "flowctl -j flows"
jq_eq "uniflows again" '[.[] | has("biflow")] | any' false "$fl"
rm -rf "$TMPD"
exit 0
