#!/bin/bash
# Routing fields (issue 18.4): the router r has two routes to two
# gateways on b's link (10.2.0.0/16 via 10.0.2.1, 10.3.0.0/24 via
# 10.0.2.2; fd22::/32 via fd02::1, fd33::/48 via fd02::2) and an AS table
# of nested prefixes, loaded with flowctl asn load. Flows from a to hosts
# behind each route and to b itself (connected) must reach IPFIX, v9 and
# v5 collectors with the next hop of their route (0 when connected), the
# prefix lengths of the source's and destination's routes and the AS of
# the longest prefix of each, packets and bytes exact, as nfdump, tshark,
# ipfixDump and nfacctd decode them (nfacctd: IPFIX and v9, no next hop;
# nfdump: no v5 masks); v5 with the 4-byte AS as AS_TRANS.
# Hostile AS tables are refused with a message; aggregation too.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd jq; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
topo_collector
TMPD=$(mktemp -d)
ip -n b addr add 10.0.2.2/24 dev b0
ip -n b addr add fd02::2/64 dev b0 nodad
ip -n r route add 10.2.0.0/16 via 10.0.2.1
ip -n r route add 10.3.0.0/24 via 10.0.2.2
ip -n r -6 route add fd22::/32 via fd02::1
ip -n r -6 route add fd33::/48 via fd02::2

cat >"$TMPD/asn" <<-END
	# a BGP daemon's dump: PREFIX ASN, nested prefixes, the longest wins
	10.0.0.0/8 64500
	10.0.1.0/24 AS64501
	10.2.0.0/16 64502
	10.2.5.0/24 4200000001   # 4-byte: AS_TRANS (23456) in v5
	192.0.2.0/24 64999
	fd00::/8 64600
	fd01::/64 64601
	fd22::/32 65022
	fd22:0:5::/48 4200000002
END

for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:}
	nfcapd_start c "$TMPD/nfc$v" "$port"
	NFC[$v]=$NFCAPD
done
capture_start c c0 "$TMPD/cap"
fm_load_in r destination=10.0.9.1:4739 export_version=10 \
	inactive_timeout=600 active_timeout=3600
fc destination add 10.0.9.1:2055 version 9 || fail "destination v9"
fc destination add 10.0.9.1:2056 version 5 || fail "destination v5"

# Refusals first: aggregation and routing together, hostile tables
fc set routing on aggregate prefix4 24 2>"$TMPD/err" && fail "routing with aggregation accepted"
grep -q "exclude each other" "$TMPD/err" || fail "no message for routing with aggregation: $(cat "$TMPD/err")"
printf '10.0.0.0/33 1\n' >"$TMPD/bad"
fc asn load "$TMPD/bad" 2>"$TMPD/err" && fail "prefix /33 accepted"
grep -q "bad:1:" "$TMPD/err" || fail "no line named: $(cat "$TMPD/err")"
printf '10.0.0.1/8 1\n' >"$TMPD/bad"
fc asn load "$TMPD/bad" 2>/dev/null && fail "host bits past the length accepted"
printf '10.0.0.0/8 4294967296\n' >"$TMPD/bad"
fc asn load "$TMPD/bad" 2>/dev/null && fail "AS past 32 bits accepted"
ip netns exec r python3 "$SELFTESTS/asncases.py" || fail "hostile AS table loads"

fc asn load "$TMPD/asn" || fail "flowctl asn load"
# 10.0.0.0/8 around 10.0.1.0/24 and 10.2.0.0/16 around 10.2.5.0/24: 7
# ranges, and 192.0.2.0/24; fd00::/8 around three: 7 ranges
a=$(fcj asn show) || fail "flowctl -j asn show"
jq_eq "AS table ranges" '[.ranges4, .ranges6]' '[8,7]' "$a"
fc set routing on || fail "flowctl set routing on"
cfg=$(fcj show) || fail "flowctl -j show"
jq_eq "routing config" '[.routing, .asn_ranges4, .asn_ranges6]' '[true,8,7]' "$cfg"
fc set aggregate prefix4 24 2>"$TMPD/err" && fail "aggregation with routing accepted"
ip netns exec r grep -q '^export_routing 1$' /proc/net/flowmeter/stats ||
	fail "/proc/net/flowmeter/stat: no export_routing 1"
ip netns exec r grep -q "^export_asn_ranges4 8$" /proc/net/flowmeter/stats ||
	fail "/proc/net/flowmeter/stats: no export_asn_ranges4 8"

# FLOW: DST SPORT PACKETS  and what each must carry:
#   SMASK DMASK NEXTHOP SRCAS DSTAS
cat >"$TMPD/flows" <<-END
	10.2.1.1 5001 3 24 16 10.0.2.1 64501 64502
	10.2.5.7 5002 4 24 16 10.0.2.1 64501 4200000001
	10.3.0.9 5003 5 24 24 10.0.2.2 64501 64500
	10.0.2.1 5004 6 24 24 0.0.0.0 64501 64500
	fd22::1 5005 7 64 32 fd02::1 64601 65022
	fd22:0:5::9 5006 8 64 32 fd02::1 64601 4200000002
	fd33::3 5007 9 64 48 fd02::2 64601 64600
	fd02::1 5008 2 64 64 :: 64601 64600
END
sent=0
while read -r dst sport n smask dmask nh sas das; do
	udp_send a "$dst" 9000 "$n" 64 "$sport"
	sent=$((sent + n))
	case $dst in *:*) src=fd01::1 len=112 ;; *) src=10.0.1.1 len=92 ;; esac
	echo "17 $src $dst $sport 9000 - $smask $dmask $nh $sas $das $n $((n * len))"
done <"$TMPD/flows" >"$TMPD/want"
wait_stat packets_metered r "$sent"

# The cache as flowctl flows and /proc show it: the same fields, looked
# up as the flows are read (the test's flows only: a is 10.0.1.1/fd01::1)
fcj flows >"$TMPD/flows.json" || fail "flowctl -j flows"
jq -r '.[] | select(.src == "10.0.1.1" or .src == "fd01::1") |
	"\(.proto) \(.src) \(.dst) \(.sport) \(.dport) - \(.src_mask) \(.dst_mask) \(.nexthop) \(.src_as) \(.dst_as) \(.packets) \(.bytes)"' \
	"$TMPD/flows.json" | LC_ALL=C sort >"$TMPD/flows.got"
LC_ALL=C sort "$TMPD/want" >"$TMPD/flows.want"
if ! cmp -s "$TMPD/flows.want" "$TMPD/flows.got"; then
	diff -u "$TMPD/flows.want" "$TMPD/flows.got" | head -20 | sed 's/^/# /'
	fail "flowctl -j flows shows other routing fields than the FIB and AS table say"
fi
log "flowctl -j flows: $(wc -l <"$TMPD/flows.got") flows with their next hop, masks and AS numbers"
fc flows >"$TMPD/flows.txt" || fail "flowctl flows"
head -n 1 "$TMPD/flows.txt" | grep -q 'NextHop *SMsk *DMsk *SrcAS *DstAS$' ||
	fail "flowctl flows: no routing columns: $(head -n 1 "$TMPD/flows.txt")"
grep -qE '10\.2\.5\.7 .* 10\.0\.2\.1 +/24 +/16 +64501 +4200000001$' "$TMPD/flows.txt" ||
	fail "flowctl flows: no routed line for 10.2.5.7: $(cat "$TMPD/flows.txt")"
# /proc: "... Active CPUs NextHop SMsk DMsk SrcAS DstAS"
ip netns exec r cat /proc/net/flowmeter/flows >"$TMPD/proc"
head -n 1 "$TMPD/proc" | grep -q 'CPUs NextHop *SMsk DMsk *SrcAS *DstAS$' ||
	fail "/proc flows: no routing columns: $(head -n 1 "$TMPD/proc")"
awk '$2 == "10.0.1.1" || $2 == "fd01::1" { print $4, $(NF - 4), $(NF - 3), $(NF - 2), $(NF - 1), $NF }' \
	"$TMPD/proc" | LC_ALL=C sort >"$TMPD/proc.got"
awk '{ print $3, $9, $7, $8, $10, $11 }' "$TMPD/want" | LC_ALL=C sort >"$TMPD/proc.want"
if ! cmp -s "$TMPD/proc.want" "$TMPD/proc.got"; then
	diff -u "$TMPD/proc.want" "$TMPD/proc.got" | head -20 | sed 's/^/# /'
	fail "/proc/net/flowmeter/flows shows other routing fields"
fi
log "/proc flows: $(wc -l <"$TMPD/proc.got") flows with the same fields"

fc flush || fail "flowctl flush"
wait_stat_min export_records r 20
sleep 1
# v5 takes no IPv6 flow: those 4 are refused, counted not sent
expect_eq "records refused" "$(fm_stat export_refused r)" 4
expect_eq "records not sent" "$(fm_stat export_not_sent r)" 4
expect_eq "export errors" "$(fm_stat export_errors r)" 0
capture_stop
fm_unload
for v in 10 9 5; do kill "${NFC[$v]}"; wait "${NFC[$v]}" 2>/dev/null; done

# want VERSION DECODER: v5 has IPv4 only and 16-bit AS numbers (AS_TRANS);
# nfacctd (1.7.7) reads no next hop but BGP's (IEs 18, 63) into peer_dst_ip
want() {
	if [ "$1" = 5 ]; then
		grep -v ':' "$TMPD/want" | awk '{ if ($10 > 65535) $10 = 23456; if ($11 > 65535) $11 = 23456; print }'
	else
		cat "$TMPD/want"
	fi | if [ "$2" = nfacctd ]; then
		awk '{ $9 = "-"; print }'
	elif [ "$1" = 5 ] && [ "$2" = nfdump ]; then
		awk '{ $7 = $8 = 0; print }'	# nfdump 1.7.1 keeps no v5 masks
	else
		cat
	fi
}

# check VERSION DECODER FILE: FILE is the decoder's text
check() {
	python3 "$SELFTESTS/flowtext.py" "$2" --route <"$3" | LC_ALL=C sort >"$3.got"
	want "$1" "$2" | LC_ALL=C sort >"$3.want"
	if ! cmp -s "$3.want" "$3.got"; then
		diff -u "$3.want" "$3.got" | head -40 | sed 's/^/# /'
		fail "v$1: $2 shows other routing fields than the FIB and AS table say"
	fi
	log "v$1: $2 shows the $(wc -l <"$3.got") flows' next hop, masks and AS numbers, sums exact"
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

NFACCTD_CONF="nfacctd_as: netflow
nfacctd_net: netflow"
for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:} f=$TMPD/v$v
	capture_split "$TMPD/cap" "$port" "$f.pcap"
	nfdump -R "$TMPD/nfc$v" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %smk %dmk %nh %sas %das' >"$f.nfdump" ||
		fail "nfdump v$v"
	check "$v" nfdump "$f.nfdump"
	[ -s "$TMPD/port$port.tshark" ] || fail "v$v: tshark decoded no datagram to port $port"
	mv "$TMPD/port$port.tshark" "$f.tshark"
	check "$v" tshark "$f.tshark"
	if [ "$v" = 10 ]; then
		capture_payloads "$f.pcap" "$f.ipfix"
		ipfixDump -i "$f.ipfix" >"$f.ipfixdump" 2>"$f.err" || fail "ipfixDump: $(cat "$f.err")"
		[ -s "$f.err" ] && fail "ipfixDump complains: $(head -5 "$f.err")"
		check "$v" ipfixdump "$f.ipfixdump"
	fi
	# v5: tshark has checked its every field; nfacctd's 15 s kept for v9/IPFIX
	[ "$v" = 5 ] && continue
	nfacctd_decode "$f.pcap" "$f.nfacctd" ", src_mask, dst_mask, peer_dst_ip, src_as, dst_as"
	check "$v" nfacctd "$f.nfacctd"
done
rm -rf "$TMPD"
exit 0
