#!/bin/bash
# Ports and ICMP fields right for every protocol, at all four decoders
# (nfcapd/nfdump, tshark, ipfixDump, pmacct's nfacctd), IPFIX, v9 and v5,
# IPv4 and IPv6: hand-made packets of TCP, UDP, UDP-Lite, SCTP and DCCP
# show their real ports, ICMP and ICMPv6 their type and code (in IPFIX
# and v9 in the ICMP field of an ICMP template and as destination port),
# GRE and ESP zero ports. The exporter's own flows are not involved: b drops them all.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd nft; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
topo_collector
TMPD=$(mktemp -d)
# b answers none of them (no RST, no ICMP error): the flows are a's alone
ip netns exec b nft -f - <<'NFT' || fail "nft on b"
table inet fm_protos {
	chain in {
		type filter hook input priority 0;
		meta l4proto { tcp, udp, udplite, sctp, dccp, gre, esp } drop
	}
}
NFT
capture_start c c0 "$TMPD/cap"
for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:}
	nfcapd_start c "$TMPD/nfc$v" "$port"
	nfc=$NFCAPD
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" inactive_timeout=1
	ip netns exec a python3 "$SELFTESTS/protosend.py" 10.0.2.1 3 >"$TMPD/sent4" || fail "protosend"
	ip netns exec a python3 "$SELFTESTS/protosend.py" fd02::1 3 >"$TMPD/sent6" || fail "protosend6"
	if [ "$v" = 5 ]; then
		wait_stat_min export_records r 8
		wait_stat_min export_refused r 8
	else
		wait_stat_min export_records r 16
	fi
	fm_unload
	kill "$nfc"
	wait "$nfc"
done
capture_stop

# want VERSION DECODER: what the decoder must show, flowtext.py's lines
want() {
	local v=$1 d=$2 f
	for f in 4 6; do
		[ "$v" = 5 ] && [ $f = 6 ] && continue
		[ $f = 4 ] && set -- 10.0.1.1 10.0.2.1 1 || set -- fd01::1 fd02::1 58
		awk -v s="$1" -v d="$2" -v icmp="$3" -v v="$v" -v dec="$d" '{
			sp = $2; dp = $3; ic = "-"
			# IPFIX and v9 at a raw decoder: ICMP has its field and dport
			if ($1 == icmp && v != 5 && (dec == "tshark" || dec == "ipfixdump")) {
				ic = dp; sp = "-"
			}
			# pmacct decodes v5 ports of TCP and UDP only
			if (v == 5 && dec == "nfacctd" && ($1 == 132 || $1 == 33 || $1 == 136))
				sp = dp = 0
			print $1, s, d, sp, dp, ic, $4, $5
		}' "$TMPD/sent$f"
	done | LC_ALL=C sort
}

# check VERSION DECODER FILE: FILE is the decoder's text
check() {
	python3 "$SELFTESTS/flowtext.py" "$2" <"$3" | LC_ALL=C sort >"$3.got"
	want "$1" "$2" >"$3.want"
	if ! cmp -s "$3.want" "$3.got"; then
		diff -u "$3.want" "$3.got" | sed 's/^/# /'
		fail "v$1: $2 shows other flows than were sent"
	fi
	log "v$1: $2 shows the $(wc -l <"$3.got") flows sent, ports and ICMP exact"
}

# One tshark for the three versions (each start takes 15 s under TCG),
# its text then cut into one file per destination port, frame by frame
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
	nfdump -R "$TMPD/nfc$v" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' >"$f.nfdump" ||
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
	nfacctd_decode "$f.pcap" "$f.nfacctd"
	check "$v" nfacctd "$f.nfacctd"
done
rm -rf "$TMPD"
exit 0
