#!/bin/bash
# Aggregation (issue 18.2): the router's cache runs with a flow mask,
# IPv4 /24 and IPv6 /48 prefixes, ports left out. 10000 UDP host flows
# (aggsend.py: 8000 IPv4 between 4 x 2 /24s, 2000 IPv6 between 2 x 3 /48s)
# must become exactly 14 aggregates in the cache, shown as prefixes in
# /proc/net/flowmeter/flows and flowctl flows, and, flushed, exactly one
# record each at the collector, packets and bytes the exact sums of what
# was sent, the prefix lengths in IPFIX (IEs 9/13, 29/30), v9 (SRC_MASK,
# DST_MASK, IPV6_SRC/DST_MASK) and v5 (src_mask, dst_mask: the 8 IPv4
# ones), as nfdump, tshark, ipfixDump and nfacctd decode them. Then
# aggregation off: full keys again, the old templates back.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd jq taskset; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
topo_collector
TMPD=$(mktemp -d)
topo_agg_hosts

MASK="prefix4 24 prefix6 48 no-ports"
capture_start c c0 "$TMPD/cap"
for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:}
	nfcapd_start c "$TMPD/nfc$v" "$port"
	nfc=$NFCAPD
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" \
		inactive_timeout=600 active_timeout=3600
	fc set aggregate $MASK || fail "flowctl set aggregate $MASK"
	if [ "$v" = 10 ]; then
		cfg=$(fcj show) || fail "flowctl -j show"
		jq_eq "aggregate config" '[.aggregate, .aggregate_src_prefix4, .aggregate_dst_prefix4, .aggregate_src_prefix6, .aggregate_dst_prefix6, .aggregate_drop]' \
			'[true,24,24,48,48,"ports"]' "$cfg"
	fi
	# one CPU: one piece per aggregate, so one record each
	sent=$(ip netns exec a taskset -c 0 python3 "$SELFTESTS/aggsend.py" "$TMPD/want") ||
		fail "aggsend"
	expect_eq "v$v: datagrams sent" "$sent" "$(awk '{ n += $9 } END { print n }' "$TMPD/want")"
	wait_stat packets_metered r "$sent"
	expect_eq "v$v: flows in the cache (aggregates)" "$(fm_stat flows_active r)" 14
	expect_eq "v$v: flows created" "$(fm_stat flows_created r)" 14
	if [ "$v" = 10 ]; then
		ip netns exec r cat /proc/net/flowmeter/flows >"$TMPD/procflows"
		grep -q '^-* *10\.1\.2\.0/24 .*10\.2\.1\.0/24 ' "$TMPD/procflows" ||
			grep -q ' 10\.1\.2\.0/24 .* 10\.2\.1\.0/24 ' "$TMPD/procflows" ||
			{ sed 's/^/# /' "$TMPD/procflows"; fail "/proc flows shows no 10.1.2.0/24 -> 10.2.1.0/24"; }
		grep -q 'fd11:0:1::/48 .*fd22:0:2::/48 ' "$TMPD/procflows" ||
			{ sed 's/^/# /' "$TMPD/procflows"; fail "/proc flows shows no fd11:0:1::/48 -> fd22:0:2::/48"; }
		log "/proc/net/flowmeter/flows shows the aggregates as prefixes"
		fl=$(fcj flows) || fail "flowctl -j flows"
		jq_eq "flowctl flows: aggregates" 'length' 14 "$fl"
		jq_eq "flowctl flows: packets" 'map(.packets) | add' "$sent" "$fl"
		jq_eq "flowctl flows: 10.1.3.0/24 -> 10.2.0.0/24" \
			'[.[] | select(.src == "10.1.3.0" and .dst == "10.2.0.0") | [.src_prefix_len, .dst_prefix_len, .packets, .bytes, .sport]]' \
			"[[24,24,$(awk '$2 == "10.1.3.0" && $3 == "10.2.0.0" { print $9 "," $10 }' "$TMPD/want"),0]]" "$fl"
		fc flows | grep -q '10\.1\.3\.0/24 .*10\.2\.0\.0/24' ||
			fail "flowctl flows shows no 10.1.3.0/24 -> 10.2.0.0/24: $(fc flows | head -5)"
	fi
	fc flush || fail "flowctl flush"
	if [ "$v" = 5 ]; then
		wait_stat_min export_records r 8
		wait_stat_min export_refused r 6
	else
		wait_stat_min export_records r 14
	fi
	sleep 1
	fm_unload
	kill "$nfc"
	wait "$nfc"
done
capture_stop

# want VERSION DECODER: the aggregates the collector must show (v5: IPv4
# only; nfdump 1.7.1 keeps no v5 masks: 0 there, tshark shows them)
want() {
	if [ "$1" = 5 ] && [ "$2" = nfdump ]; then
		grep -v ':' "$TMPD/want" | awk '{ $7 = $8 = 0; print }'
	elif [ "$1" = 5 ]; then
		grep -v ':' "$TMPD/want"
	else
		cat "$TMPD/want"
	fi
}

# check VERSION DECODER FILE [--records]: FILE is the decoder's text
check() {
	python3 "$SELFTESTS/flowtext.py" "$2" --masks $4 <"$3" | LC_ALL=C sort >"$3.got"
	if [ -n "${4:-}" ]; then
		want "$1" "$2" | sed 's/$/ 1/'
	else
		want "$1" "$2"
	fi | LC_ALL=C sort >"$3.want"
	if ! cmp -s "$3.want" "$3.got"; then
		diff -u "$3.want" "$3.got" | head -40 | sed 's/^/# /'
		fail "v$1: $2 shows other aggregates than were sent"
	fi
	log "v$1: $2 shows the $(wc -l <"$3.got") aggregates, prefix lengths and sums exact"
}

tshark -r "$TMPD/cap" -d udp.port==4739,cflow -d udp.port==2055,cflow -d udp.port==2056,cflow \
	-V >"$TMPD/tshark" 2>"$TMPD/tshark.err" || fail "tshark: $(cat "$TMPD/tshark.err")"
grep -q 'Expert Info' "$TMPD/tshark" && fail "tshark expert info: $(grep -m3 'Expert Info' "$TMPD/tshark")"
awk -v d="$TMPD" '
function out() { for (i = 0; i < n; i++) print buf[i] > (d "/port" port ".tshark"); n = 0 }
/^Frame [0-9]+:/ { out(); port = 0 }
/^User Datagram Protocol, .*Dst Port: / { p = $0; sub(/.*Dst Port: /, "", p); sub(/.*\(/, "", p); port = p + 0 }
{ buf[n++] = $0 }
END { out() }' "$TMPD/tshark" || fail "tshark text by port"

for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:} f=$TMPD/v$v
	capture_split "$TMPD/cap" "$port" "$f.pcap"
	nfdump -R "$TMPD/nfc$v" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %smk %dmk' >"$f.nfdump" ||
		fail "nfdump v$v"
	check "$v" nfdump "$f.nfdump" --records
	[ -s "$TMPD/port$port.tshark" ] || fail "v$v: tshark decoded no datagram to port $port"
	mv "$TMPD/port$port.tshark" "$f.tshark"
	check "$v" tshark "$f.tshark" --records
	if [ "$v" = 10 ]; then
		capture_payloads "$f.pcap" "$f.ipfix"
		ipfixDump -i "$f.ipfix" >"$f.ipfixdump" 2>"$f.err" || fail "ipfixDump: $(cat "$f.err")"
		[ -s "$f.err" ] && fail "ipfixDump complains: $(head -5 "$f.err")"
		check "$v" ipfixdump "$f.ipfixdump" --records
	fi
	nfacctd_decode "$f.pcap" "$f.nfacctd" ", src_mask, dst_mask"
	check "$v" nfacctd "$f.nfacctd"
done

# Off again: full keys, and the unmasked templates back in the session
ip netns exec c python3 "$SELFTESTS/udpsink.py" 4739 &
PIDS+=($!)
wait_port c 4739
fm_load_in r destination=10.0.9.1:4739 export_version=10 inactive_timeout=600
fc set aggregate $MASK || fail "flowctl set aggregate"
udp_send a 10.0.2.1 9000 3 64 5000 1
wait_stat flows_active r 1
fc set aggregate none || fail "flowctl set aggregate none"
wait_stat flows_active r 0
udp_send a 10.0.2.1 9000 2 64 5000 1
wait_stat flows_active r 1
fl=$(fcj flows) || fail "flowctl -j flows"
jq_eq "unmasked flow" '[.[0].src, .[0].sport, .[0].packets, (.[0] | has("src_prefix_len"))]' \
	'["10.0.1.1",5000,2,false]' "$fl"
fc flush || fail "flowctl flush"
wait_stat_min export_records r 2
expect_eq "records refused" "$(fm_stat export_refused r)" 0
rm -rf "$TMPD"
exit 0
