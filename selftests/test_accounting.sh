#!/bin/bash
# Nothing metered goes missing: with a cache small enough that flows are
# evicted over and over, every metered packet is in a record the collector
# decoded (nfcapd, nfdump) or in a flow still cached (flowctl flows), and
# every packet sent is one of those or counted in packets_dropped (its
# flow found no room: not metered). The truth is the senders' count and
# the collector's. Exact, for packets and, when nothing was dropped, bytes.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v nfcapd >/dev/null || skip "no nfcapd"
topo_routed
topo_collector
TMPD=$(mktemp -d)
st() { awk -v k="$1" '$1 == k { print $2 }' <<< "$snap"; }

nfcapd_start c "$TMPD" 4739
nfc=$NFCAPD
fm_load_in r destination=10.0.9.1:4739 max_flows=64 inactive_timeout=600 active_timeout=1800

# Known traffic: 200 IPv4 flows of 10 datagrams round robin (each flow's
# entry is evicted between two of its datagrams), 30 IPv6 flows of 10,
# 20 ICMP echoes each way. All from CPU 0, where a veth's datagrams are
# metered: a sender that moves to the other CPU finds the netns's 64
# flows held by CPU 0's table and, until that table's work gives some
# back (cache.c, the flow budget), its new flows dropped, not evicted
# (make check, 2026-12-07: 1679 packets dropped, 348 flows evicted).
on0() { ip netns exec a taskset -c 0 "$@"; }
on0 python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 2000 50 4000 200 || fail "udpgen"
on0 python3 "$SELFTESTS/udpgen.py" fd02::1 9000 300 70 6000 30 || fail "udpgen"
on0 ping -q -c 20 -i 0.02 10.0.2.1 >/dev/null || fail ping

# Wait until each ended flow's record has left the ring for the collector.
for i in $(seq 150); do
	snap=$(ip netns exec r cat /proc/net/flowmeter/stats)
	# a flow metered on several CPUs ended once per CPU, in one record
	ended=$(awk '$1 ~ /^flows_expired_/ { n += $2 } $1 == "flows_merged" { n -= $2 }
		END { print n }' <<< "$snap")
	[ "$(st export_records)" = "$ended" ] && break
	sleep 0.2
done
expect_eq "records exported = flows ended - pieces merged" "$(st export_records)" "$ended"

# One consistent reading: the counters do not move while the cache is read.
for i in 1 2 3 4 5; do
	snap=$(ip netns exec r cat /proc/net/flowmeter/stats)
	flows=$(ip netns exec r "$FC" -j -e flows) || fail "flowctl flows"
	again=$(ip netns exec r cat /proc/net/flowmeter/stats)
	[ "$snap" = "$again" ] && break
	log "counters moved while reading the cache, again"
done
[ "$snap" = "$again" ] || fail "counters never still"
metered=$(st packets_metered) bmetered=$(st bytes_metered)
dropped=$(st packets_dropped)
cached=$(jq '[.[].packets] | add // 0' <<< "$flows")
bcached=$(jq '[.[].bytes] | add // 0' <<< "$flows")
evicted=$(st flows_expired_evicted)
log "metered $metered, cached $cached in $(jq length <<< "$flows") flows, dropped $dropped, evicted $evicted, records $(st export_records)"
[ $((metered + dropped)) = 2340 ] || fail "metered $metered + dropped $dropped, not the 2340 packets sent"
[ "$evicted" -ge 1000 ] || fail "only $evicted flows evicted: the test meant to force many"
expect_eq "records dropped (their packets would be unaccounted)" "$(st records_dropped)" 0
expect_eq "export messages not sent or failed" "$(($(st export_not_sent) + $(st export_errors)))" 0

# Unloading would export the cached flows too: drop the collector first.
ip netns exec r "$FC" destination del 10.0.9.1:4739 || fail "destination del"
fm_unload
kill "$nfc"
wait "$nfc"
read -r exported bexported < <(nfdump -R "$TMPD" -q -N -o 'fmt:%pkt %byt' |
	awk '{ p += $1; b += $2 } END { print p + 0, b + 0 }')
log "nfdump: $exported packets, $bexported bytes in $(nfdump -R "$TMPD" -q -o 'fmt:%pkt' | wc -l) records"
expect_eq "packets sent = exported + cached + dropped ($exported + $cached + $dropped)" \
	2340 $((exported + cached + dropped))
expect_eq "packets metered = exported + cached" "$metered" $((exported + cached))
expect_eq "bytes metered = exported + cached" "$bmetered" $((bexported + bcached))
rm -rf "$TMPD" "$TMPD.log"
exit 0
