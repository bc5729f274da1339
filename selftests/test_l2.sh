#!/bin/bash
# L2 fields (issue 20.3): with 'flowctl set l2 on', flows forwarded by
# the router r keep their first packet's MAC addresses, VLAN ids and
# Ethernet type, and IPFIX and v9 records carry them (templates 278-281).
# a's and r's interfaces get known MACs; besides the plain link, a
# reaches b through an 802.1Q VLAN 10 (a0.10 / r0.10) and through QinQ
# (802.1ad 100 with 802.1Q 20 inside). Each flow must reach the
# collectors with the MACs of a0 and r0, the VLAN ids of the link it came
# over, type 0x0800 or 0x86dd, packets and bytes exact, as tshark,
# ipfixDump, nfdump (MACs and outer VLAN) and nfacctd (MACs, VLAN, type)
# decode them (the latter two read the VLAN from vlanId, IE 58, which
# carries the VLAN device's id in L2 records). Bridged frames too: r
# also bridges x and y (br0, ports rx and ry) and meters at hook point
# bridge, the ports as the flow's interfaces (ipfixDump's ingress and
# egress interface are their ifindexes). With l2 off the records are
# the plain ones again; l2 is
# refused together with routing fields, aggregation or biflows.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump tshark dumpcap ipfixDump nfacctd jq; do
	command -v $t >/dev/null || fail "no $t"
done
MAC_A=02:00:5e:00:0a:01
MAC_R=02:00:5e:00:0a:fe
topo_routed
topo_collector
TMPD=$(mktemp -d)
ip -n a link set dev a0 address $MAC_A || fail "MAC of a0"
ip -n r link set dev r0 address $MAC_R || fail "MAC of r0"
# 802.1Q 10: 10.0.10.0/24 to b's 10.0.4.1
ip -n a link add link a0 name a0.10 type vlan id 10 || fail "VLAN on a0"
ip -n r link add link r0 name r0.10 type vlan id 10 || fail "VLAN on r0"
# QinQ: 802.1ad 100 outside, 802.1Q 20 inside: 10.0.20.0/24 to 10.0.5.1
ip -n a link add link a0 name a0.100 type vlan proto 802.1ad id 100 || fail "802.1ad on a0"
ip -n r link add link r0 name r0.100 type vlan proto 802.1ad id 100 || fail "802.1ad on r0"
ip -n a link add link a0.100 name a0.100.20 type vlan id 20 || fail "QinQ on a0"
ip -n r link add link r0.100 name r0.100.20 type vlan id 20 || fail "QinQ on r0"
for d in a0.10 a0.100 a0.100.20; do ip -n a link set dev $d up; done
for d in r0.10 r0.100 r0.100.20; do ip -n r link set dev $d up; done
ip -n a addr add 10.0.10.1/24 dev a0.10
ip -n r addr add 10.0.10.254/24 dev r0.10
ip -n a addr add 10.0.20.1/24 dev a0.100.20
ip -n r addr add 10.0.20.254/24 dev r0.100.20
ip -n b addr add 10.0.4.1/32 dev b0
ip -n b addr add 10.0.5.1/32 dev b0
ip -n r route add 10.0.4.1/32 via 10.0.2.1
ip -n r route add 10.0.5.1/32 via 10.0.2.1
ip -n a route add 10.0.4.0/24 via 10.0.10.254
ip -n a route add 10.0.5.0/24 via 10.0.20.254
ip netns exec a ping -q -c 1 -W 5 10.0.4.1 >/dev/null || fail "no route over VLAN 10"
ip netns exec a ping -q -c 1 -W 5 10.0.5.1 >/dev/null || fail "no route over QinQ"
ip netns exec a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "no route over the plain link"
ip netns exec a ping -q -c 1 -W 5 fd02::1 >/dev/null || fail "no IPv6 route over the plain link"
# the bridge in r: x (10.0.30.1) and y (10.0.30.2) over ports rx and ry
MAC_X=02:00:5e:00:1e:01
MAC_Y=02:00:5e:00:1e:02
topo_bridge $MAC_X $MAC_Y
ip -n x addr add 10.0.30.1/24 dev x0
ip -n y addr add 10.0.30.2/24 dev y0
ip netns exec y python3 "$SELFTESTS/udpsink.py" 9000 &
PIDS+=($!)
wait_port y 9000
ip netns exec x ping -q -c 1 -W 5 10.0.30.2 >/dev/null || fail "no bridging through r"
RX=$(ip -n r -j link show rx | jq '.[0].ifindex')
RY=$(ip -n r -j link show ry | jq '.[0].ifindex')

for vp in 10:4739 9:2055; do
	v=${vp%:*} port=${vp#*:}
	mkdir -p "$TMPD/nfc$v"
	ip netns exec c nfcapd -w "$TMPD/nfc$v" -p "$port" -t 3600 >"$TMPD/nfc$v.log" 2>&1 &
	PIDS+=($!)
	NFC[$v]=$!
	wait_port c "$port"
done
capture_start c c0 "$TMPD/cap"
fm_load_in r destination=10.0.9.1:4739 export_version=10 \
	inactive_timeout=600 active_timeout=3600
# l2 and biflows, either way round (an entry has one extension), before
# the v9 destination that biflows would be refused for anyway
fc set biflow on || fail "flowctl set biflow on"
fc set l2 on 2>"$TMPD/err" && fail "l2 with biflows on accepted"
grep -q "biflows and L2 fields exclude" "$TMPD/err" ||
	fail "no message for l2 with biflows: $(cat "$TMPD/err")"
fc set biflow off || fail "flowctl set biflow off"
fc destination add 10.0.9.1:2055 version 9 || fail "destination v9"

# Refusals: l2 with routing fields or aggregation, either way round
fc set l2 on routing on 2>"$TMPD/err" && fail "l2 with routing accepted"
grep -q "L2 fields exclude" "$TMPD/err" || fail "no message for l2 with routing: $(cat "$TMPD/err")"
fc set l2 on aggregate prefix4 24 2>"$TMPD/err" && fail "l2 with aggregation accepted"
fc set l2 maybe 2>/dev/null && fail "l2 maybe accepted"
cfg=$(fcj show) || fail "flowctl -j show"
jq_eq "l2 off by default" '.l2' 'false' "$cfg"
fc set l2 on hooks forward,bridge || fail "flowctl set l2 on hooks forward,bridge"
cfg=$(fcj show) || fail "flowctl -j show"
jq_eq "l2 config" '[.l2, .hooks]' '[true,["forward","bridge"]]' "$cfg"
fc set routing on 2>/dev/null && fail "routing with l2 accepted"
fc set aggregate prefix4 24 2>/dev/null && fail "aggregation with l2 accepted"
fc set biflow on 2>"$TMPD/err" && fail "biflows with l2 on accepted"
grep -q "biflows and L2 fields exclude" "$TMPD/err" ||
	fail "no message for biflows with l2: $(cat "$TMPD/err")"

# DST SPORT PACKETS SRC LEN  and what each must carry: VLAN CVLAN ETYPE
cat >"$TMPD/flows" <<-END
	10.0.2.1 5001 3 10.0.1.1 92 0 0 2048
	10.0.4.1 5002 4 10.0.10.1 92 10 0 2048
	10.0.5.1 5003 5 10.0.20.1 92 100 20 2048
	fd02::1 5004 6 fd01::1 112 0 0 34525
END
sent=0
while read -r dst sport n src len vlan cvlan et; do
	udp_send a "$dst" 9000 "$n" 64 "$sport"
	sent=$((sent + n))
	echo "17 $src $dst $sport 9000 - $MAC_A $MAC_R $vlan $cvlan $et $n $((n * len))"
done <"$TMPD/flows" >"$TMPD/want"
udp_send x 10.0.30.2 9000 7 64 5010
sent=$((sent + 7))
echo "17 10.0.30.1 10.0.30.2 5010 9000 - $MAC_X $MAC_Y 0 0 2048 7 644" >>"$TMPD/want"
wait_stat packets_metered r "$sent"
fc flush || fail "flowctl flush"
wait_stat_min export_records r 8

# l2 off again: the next flow goes out in the plain templates, no MACs
fc set l2 off || fail "flowctl set l2 off"
udp_send a 10.0.2.1 9000 2 64 5009
wait_stat packets_metered r $((sent + 2))
fc flush || fail "flowctl flush"
wait_stat_min export_records r 10
sleep 1
expect_eq "export errors" "$(fm_stat export_errors r)" 0
capture_stop
fm_unload
for v in 10 9; do kill "${NFC[$v]}"; wait "${NFC[$v]}" 2>/dev/null; done
echo "17 10.0.1.1 10.0.2.1 5009 9000 - - - - - - 2 184" >"$TMPD/want.plain"

# want DECODER: what it can show of the L2 fields ("-": not decoded)
want() {
	case $1 in
	nfdump)	# %ismc %idmc %svln: no customer VLAN, no type
		awk '{ $10 = $11 = "-"; print }' "$TMPD/want"
		awk '{ $7 = "00:00:00:00:00:00"; $8 = $7; $9 = 0; print }' "$TMPD/want.plain" ;;
	nfacctd)	# src_mac, dst_mac, vlan, etype (IPv4 without IE 256): no customer VLAN
		awk '{ $10 = "-"; print }' "$TMPD/want"
		awk '{ $7 = "00:00:00:00:00:00"; $8 = $7; $9 = 0; $11 = 2048; print }' "$TMPD/want.plain" ;;
	*)
		cat "$TMPD/want" "$TMPD/want.plain" ;;
	esac
}

# check VERSION DECODER FILE: FILE is the decoder's text
check() {
	python3 "$SELFTESTS/flowtext.py" "$2" --l2 <"$3" | LC_ALL=C sort >"$3.got"
	want "$2" | LC_ALL=C sort >"$3.want"
	if ! cmp -s "$3.want" "$3.got"; then
		diff -u "$3.want" "$3.got" | head -40 | sed 's/^/# /'
		log "FAIL: v$1: $2 shows other L2 fields than the frames had"
		BAD="$BAD v$1:$2"	# the other decoders still run: one report
		return
	fi
	log "v$1: $2 shows the $(wc -l <"$3.got") flows' MACs, VLAN ids and type, sums exact"
}

tshark_by_port "$TMPD/cap" "$TMPD" 4739 2055

for vp in 10:4739 9:2055; do
	v=${vp%:*} port=${vp#*:} f=$TMPD/v$v
	capture_split "$TMPD/cap" "$port" "$f.pcap"
	[ -s "$TMPD/port$port.tshark" ] || fail "v$v: tshark decoded no datagram to port $port"
	mv "$TMPD/port$port.tshark" "$f.tshark"
	check "$v" tshark "$f.tshark"
	if [ "$v" = 10 ]; then
		capture_payloads "$f.pcap" "$f.ipfix"
		ipfixDump -i "$f.ipfix" >"$f.ipfixdump" 2>"$f.err" || fail "ipfixDump: $(cat "$f.err")"
		[ -s "$f.err" ] && fail "ipfixDump complains: $(head -5 "$f.err")"
		check "$v" ipfixdump "$f.ipfixdump"
		# the bridged flow's interfaces: the ports
		got=$(awk '/^--- /{ s = i = o = "" } /sourceTransportPort/ { s = $NF }
			/ingressInterface/ { i = $NF } /egressInterface/ { o = $NF }
			s == 5010 && i != "" && o != "" { print i, o; exit }' "$f.ipfixdump")
		expect_eq "bridged flow's interfaces (rx ry)" "$got" "$RX $RY"
	fi
	nfdump -R "$TMPD/nfc$v" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %ismc %idmc %svln' >"$f.nfdump" ||
		fail "nfdump v$v"
	check "$v" nfdump "$f.nfdump"
	nfacctd_decode "$f.pcap" "$f.nfacctd" ", src_mac, dst_mac, vlan, etype"
	check "$v" nfacctd "$f.nfacctd"
done
[ -z "${BAD:-}" ] || fail "decoders that disagree:$BAD"
rm -rf "$TMPD"
exit 0
