#!/bin/bash
# L2 fields, the MPLS top label and the MACs after forwarding (issue
# 20.3). r routes a -> b and bridges x -- y (br0, ports rx ry), with
# 'l2 on' at hook points forward and bridge, to an IPFIX and a v9
# collector:
# - routed flows (forward hook): postSourceMacAddress (81) is r1's MAC,
#   postDestinationMacAddress (57) b0's, found in r's neighbour table;
#   r forgets b's neighbour entries first, so each flow's first packet
#   finds none (0) and a later one of the same flow fills it in;
# - bridged MPLS frames (hook bridge): the IP packet under the labels is
#   metered, its flow carries the top label entry (IE 70 / v9
#   MPLS_LABEL_1: label, TC, bottom of stack), one label over IPv4 and
#   two over IPv6; the post MACs are the received ones (a bridge does
#   not rewrite them); a stack with no bottom in 8 entries is counted
#   (parse_error_bad_mpls) and not metered.
# Asserted at flowctl -j flows, /proc/net/flowmeter/flows, tshark (both
# versions), nfdump (%osmc %odmc %mpls1, both), nfacctd (MACs and the
# top label, both) and ipfixDump (IPFIX).
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump nfacctd tshark dumpcap ipfixDump jq; do
	command -v $t >/dev/null || fail "no $t"
done
MAC_A=02:00:5e:00:0a:01
MAC_R=02:00:5e:00:0a:fe
MAC_R1=02:00:5e:00:0b:fe
MAC_B=02:00:5e:00:0b:01
MAC_X=02:00:5e:00:1e:01
MAC_Y=02:00:5e:00:1e:02
topo_routed
topo_collector
TMPD=$(mktemp -d)
ip -n a link set dev a0 address $MAC_A || fail "MAC of a0"
ip -n r link set dev r0 address $MAC_R || fail "MAC of r0"
ip -n r link set dev r1 address $MAC_R1 || fail "MAC of r1"
ip -n b link set dev b0 address $MAC_B || fail "MAC of b0"
topo_bridge $MAC_X $MAC_Y
# the bridge learns y's MAC, so that x's frames go to ry only
ip netns exec y python3 -c "
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('y0', 0))
s.send(bytes.fromhex('ffffffffffff' + '$MAC_Y'.replace(':', '')) + struct.pack('!H', 0x88b5) + bytes(46))
" || fail "y's frame"

nfcapd_start c "$TMPD/nfc10" 4739
nfcapd_start c "$TMPD/nfc9" 2055
capture_start c c0 "$TMPD/cap"
fm_load_in r destination=10.0.9.1:4739 export_version=10 \
	inactive_timeout=600 active_timeout=3600
fc destination add 10.0.9.1:2055 version 9 || fail "destination v9"
fc set l2 on hooks forward,bridge || fail "flowctl set l2 on hooks forward,bridge"

# routed: the first packet before r knows b's MAC, two more after
ip -n r neigh flush dev r1
ip -n r -6 neigh flush dev r1
udp_send a 10.0.2.1 9000 1 64 5001
udp_send a fd02::1 9000 1 64 5002
wait_stat packets_metered r 2
flows=$(fcj flows) || fail "flowctl -j flows"
jq_eq "post MACs while b's neighbour entry is not resolved" \
	'[.[] | .post_src_mac, .post_dst_mac] | unique' \
	"[\"00:00:00:00:00:00\",\"$MAC_R1\"]" "$flows"
sleep 1
udp_send a 10.0.2.1 9000 2 64 5001
udp_send a fd02::1 9000 2 64 5002
# bridged MPLS: label 1000 TC 5 over IPv4; 2000 TC 0 over 3000 over IPv6
ip netns exec x python3 "$SELFTESTS/mplssend.py" x0 $MAC_X $MAC_Y 1000/5 \
	10.0.30.1 10.0.30.2 5010 4 || fail "mplssend"
ip netns exec x python3 "$SELFTESTS/mplssend.py" x0 $MAC_X $MAC_Y 2000/0,3000/3 \
	fd30::1 fd30::2 5011 5 || fail "mplssend"
ip netns exec x python3 "$SELFTESTS/mplssend.py" x0 $MAC_X $MAC_Y deep \
	10.0.30.1 10.0.30.2 5012 3 || fail "mplssend"
wait_stat packets_metered r 15
expect_eq "bad MPLS stacks counted" "$(fm_stat parse_error_bad_mpls r)" 3

# SPORT SMAC DMAC POSTSMAC POSTDMAC LABEL TC BOS PACKETS BYTES
cat >"$TMPD/want" <<-END
	5001 $MAC_A $MAC_R $MAC_R1 $MAC_B - - - 3 276
	5002 $MAC_A $MAC_R $MAC_R1 $MAC_B - - - 3 336
	5010 $MAC_X $MAC_Y $MAC_X $MAC_Y 1000 5 1 4 256
	5011 $MAC_X $MAC_Y $MAC_X $MAC_Y 2000 0 0 5 320
END
flows=$(fcj flows) || fail "flowctl -j flows"
jq -r '.[] | [.sport, .src_mac, .dst_mac, .post_src_mac, .post_dst_mac,
	(.mpls_label // "-"), (.mpls_tc // "-"), (.mpls_bos // "-"),
	.packets, .bytes] | map(tostring) | join(" ")' <<<"$flows" |
	LC_ALL=C sort >"$TMPD/flowctl"
if ! cmp -s "$TMPD/want" "$TMPD/flowctl"; then
	diff -u "$TMPD/want" "$TMPD/flowctl" | sed 's/^/# /'
	fail "flowctl -j flows: other L2 fields than the frames had"
fi
log "flowctl -j flows: the 4 flows' MACs, post MACs and labels"
jq_eq "ethertype and VLANs of the IPv6 MPLS flow" \
	'[.[] | select(.sport == 5011) | .ethertype, .vlan_outer, .vlan_inner]' \
	'[34525,0,0]' "$flows"
ip netns exec r cat /proc/net/flowmeter/flows >"$TMPD/proc"
head -1 "$TMPD/proc" | grep -q "PostSrcMAC        PostDstMAC" || fail "no L2 columns in /proc flows"
grep -q "10\.0\.30\.1 .* $MAC_X $MAC_Y 0\.0 *1000/5/1 $MAC_X $MAC_Y$" "$TMPD/proc" ||
	fail "/proc flows: MPLS flow: $(cat "$TMPD/proc")"
grep -q "10\.0\.1\.1 .* $MAC_A $MAC_R 0\.0 *- $MAC_R1 $MAC_B$" "$TMPD/proc" ||
	fail "/proc flows: routed flow: $(cat "$TMPD/proc")"
log "/proc/net/flowmeter/flows shows the L2 columns"
table=$(ip netns exec r "$FC" flows) || fail "flowctl flows"
grep -q "2000/0/0" <<<"$table" || fail "flowctl flows table: $table"

fc flush || fail "flowctl flush"
wait_stat_min export_records r 8
sleep 1
expect_eq "export errors" "$(fm_stat export_errors r)" 0
capture_stop
fm_unload
sleep 1	# nfcapd writes its files when it ends
for n in $(jobs -p); do kill "$n" 2>/dev/null; done
wait 2>/dev/null

# want DECODER: what it shows ("-" in want: no label, sent as 0)
cmp_want() {
	LC_ALL=C sort "$2" >"$2.s"
	if ! cmp -s "$1" "$2.s"; then
		diff -u "$1" "$2.s" | head -30 | sed 's/^/# /'
		log "FAIL: $3"
		BAD="$BAD $3"
		return
	fi
	log "$3: the 4 flows' MACs, post MACs and MPLS labels"
}
sed 's/ - - - / 0 0 0 /' "$TMPD/want" >"$TMPD/want.dec"
for vp in 10:4739 9:2055; do
	v=${vp%:*} port=${vp#*:} f=$TMPD/v$v
	capture_split "$TMPD/cap" "$port" "$f.pcap"
	tshark -r "$f.pcap" -d udp.port==$port,cflow -T json --no-duplicate-keys \
		>"$f.json" 2>"$f.err" || fail "tshark: $(cat "$f.err")"
	python3 "$SELFTESTS/cflowjson.py" <"$f.json" >"$f.tshark" || fail "cflowjson v$v"
	cmp_want "$TMPD/want.dec" "$f.tshark" "v$v tshark"
	nfdump -R "$TMPD/nfc$v" -q -o 'fmt:%sp %ismc %idmc %osmc %odmc %mpls1 %pkt %byt' \
		>"$f.nfdump.raw" || fail "nfdump v$v"
	# %mpls1: LABEL-EXP-BOS
	sed -E 's/ +/ /g; s/^ //; s/ ([0-9]+)-([0-9])-([0-9]) / \1 \2 \3 /' \
		"$f.nfdump.raw" | tr 'A-F' 'a-f' >"$f.nfdump"
	cmp_want "$TMPD/want.dec" "$f.nfdump" "v$v nfdump"
	# nfacctd: the MACs (56/80) and the top label (70's label only)
	nfacctd_decode "$f.pcap" "$f.nfacctd" ", src_mac, dst_mac, mpls_label_top"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print $c["SRC_PORT"], $c["SRC_MAC"], $c["DST_MAC"],
		  $c["MPLS_LABEL_TOP"], $c["PACKETS"], $c["BYTES"] }' \
		"$f.nfacctd" >"$f.nfacctd.got"
	awk '{ print $1, $2, $3, $6, $9, $10 }' "$TMPD/want.dec" |
		LC_ALL=C sort >"$f.nfacctd.want"
	LC_ALL=C sort "$f.nfacctd.got" >"$f.nfacctd.s"
	if ! cmp -s "$f.nfacctd.want" "$f.nfacctd.s"; then
		diff -u "$f.nfacctd.want" "$f.nfacctd.s" | sed 's/^/# /'
		BAD="$BAD v$v:nfacctd"
	else
		log "v$v nfacctd: the 4 flows' MACs and top labels"
	fi
	if [ "$v" = 10 ]; then
		capture_payloads "$f.pcap" "$f.ipfix"
		ipfixDump -i "$f.ipfix" >"$f.ipfixdump" 2>"$f.err" || fail "ipfixDump: $(cat "$f.err")"
		[ -s "$f.err" ] && fail "ipfixDump complains: $(head -5 "$f.err")"
		# data records' fields: "<TAB>(IE) name : value"
		awk '/^--- /{ if (s != "") print s, m, p, q; s = m = p = q = "" }
			/^\t\(7\) / { s = $NF }
			/^\t\(70\) / { m = $NF }
			/^\t\(81\) / { p = $NF }
			/^\t\(57\) / { q = $NF }
			END { if (s != "") print s, m, p, q }' "$f.ipfixdump" |
			tr 'A-F' 'a-f' | LC_ALL=C sort >"$f.ipfixdump.got"
		# ipfixDump (libfixbuf 2) prints IE 70, an octet array of 3,
		# as the little-endian number of its bytes: 00 3e 8b (label
		# 1000, TC 5, S) is 0x8b3e00, 00 7d 00 (2000, 0, 0) 0x7d00
		printf '%s\n' "5001 0 $MAC_R1 $MAC_B" "5002 0 $MAC_R1 $MAC_B" \
			"5010 9125376 $MAC_X $MAC_Y" "5011 32000 $MAC_X $MAC_Y" >"$f.ipfixdump.want"
		if ! cmp -s "$f.ipfixdump.want" "$f.ipfixdump.got"; then
			diff -u "$f.ipfixdump.want" "$f.ipfixdump.got" | sed 's/^/# /'
			grep -m 30 -E "mpls|post|Transport" "$f.ipfixdump" | sed 's/^/# /'
			BAD="$BAD v10:ipfixdump"
		else
			log "v10 ipfixDump: the post MACs and the label entries"
		fi
	fi
done
[ -z "${BAD:-}" ] || fail "decoders that disagree:$BAD"
rm -rf "$TMPD"
exit 0
