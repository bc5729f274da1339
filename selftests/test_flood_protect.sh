#!/bin/bash
# Established flows survive a flood of new ones, and a refused flow is
# counted, not metered (module/cache.c, fm_evict_find(), fm_flow_refused()).
#  1. Four long-lived flows (a datagram each every 0.2 s) run through a
#     flood of 20000 new flows (source ports 1024-21023) on the same CPU,
#     far beyond max_flows: each reaches the collector as one record with
#     every datagram its sender counted, while the flood's own flows evict
#     each other.
#  2. With room for just the four (max_flows 4, the netns's budget),
#     eight new flows find only established flows to evict and are
#     refused: their datagrams count
#     in packets_dropped and not in packets_metered, the flows in
#     flows_dropped_full once each, and the four still arrive whole.
# The truth is the senders' own counts and the collector's (nfcapd and
# nfdump) records, not the module's counters.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
command -v nfcapd >/dev/null || fail "no nfcapd (scripts/setup installs nfdump)"
command -v taskset >/dev/null || fail "no taskset"
topo_routed
topo_collector
TMPD=$(mktemp -d)
nfcapd_start c "$TMPD/1" 4739
nfc1=$NFCAPD
nfcapd_start c "$TMPD/2" 4740
nfc2=$NFCAPD
# Every sender on CPU 0: the datagrams a veth carries are metered on the
# sending CPU, so victims and flood meet in one CPU's table.
on0() { ip netns exec a taskset -c 0 "$@"; }
st() { fm_stat "$1" r; }
# stop_victims: end the paced senders ($vic), which then print their counts
stop_victims() {
	kill -TERM "$vic"
	wait "$vic" || fail "paced.py"
	sleep 0.5	# the last datagrams through r
}
# check_records DIR VICTIMS: after its nfcapd stopped, each flow of the
# VICTIMS file ("SPORT COUNT") is one record at nfdump with COUNT packets
check_records() {
	nfdump -R "$1" -q -N -o 'fmt:%sp %dp %pkt' > "$1.records" || fail nfdump
	while read -r port sent; do
		got=$(awk -v p="$port" '$1 == p && $2 == 9000 { n++; s += $3 } END { print n + 0, s + 0 }' "$1.records")
		expect_eq "flow from port $port: records, packets" "$got" "1 $sent"
	done < "$2"
}
# wait_established SPORT: until the four flows from SPORT.. have 8 packets
# each (their packets then span 1.4 s, past FM_ESTABLISHED); python can
# take seconds to start under TCG, so no fixed sleep.
wait_established() {
	local i n
	for i in $(seq 150); do
		n=$(ip netns exec r cat /proc/net/flowmeter/flows |
			awk -v p="$1" '$5 == 17 && $6 >= p && $6 < p + 4 && $9 >= 8' | wc -l)
		[ "$n" = 4 ] && return 0
		sleep 0.2
	done
	fail "the flows from port $1 never reached 8 packets each"
}

log "--- 1: a flood of new flows past four established ones"
fm_load_in r destination=10.0.9.1:4739 max_flows=1024 inactive_timeout=600 active_timeout=1800
ip netns exec a taskset -c 0 python3 "$SELFTESTS/paced.py" 10.0.2.1 9000 30001 4 0.2 300 > "$TMPD/victims1" &
vic=$!
wait_established 30001
flood=$(on0 python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 20000 8) || fail flowgen
sleep 1
stop_victims
evicted=$(st flows_expired_evicted)
log "flood: $flood datagrams; flows evicted $evicted, dropped $(st flows_dropped_full)"
[ "$evicted" -ge 5000 ] || fail "only $evicted flows evicted: the flood did not fill the table"
fm_unload	# exports every cached flow
kill "$nfc1"
wait "$nfc1"
check_records "$TMPD/1" "$TMPD/victims1"

log "--- 2: no room but established flows"
fm_load_in r destination=10.0.9.1:4740 max_flows=4 inactive_timeout=600 active_timeout=1800
ip netns exec a taskset -c 0 python3 "$SELFTESTS/paced.py" 10.0.2.1 9000 30101 4 0.2 300 > "$TMPD/victims2" &
vic=$!
wait_established 30101
on0 python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 200 64 8001 8 || fail udpgen
sleep 1
stop_victims
snap=$(ip netns exec r cat /proc/net/flowmeter/stats)
sv() { awk -v k="$1" '$1 == k { print $2 }' <<< "$snap"; }
sent2=$(awk '{ n += $2 } END { print n }' "$TMPD/victims2")
log "packets seen $(sv packets_seen) metered $(sv packets_metered) dropped $(sv packets_dropped); flows created $(sv flows_created) dropped $(sv flows_dropped_full)"
expect_eq "packets dropped (8 refused flows x 25)" "$(sv packets_dropped)" 200
expect_eq "flows dropped (counted once each)" "$(sv flows_dropped_full)" 8
expect_eq "packets metered (the four established flows only)" "$(sv packets_metered)" "$sent2"
expect_eq "flows created" "$(sv flows_created)" 4
fm_unload
kill "$nfc2"
wait "$nfc2"
check_records "$TMPD/2" "$TMPD/victims2"
refused=$(awk '$1 > 8000 && $1 <= 8008 && $2 == 9000' "$TMPD/2.records" | wc -l)
expect_eq "records of refused flows" "$refused" 0
rm -rf "$TMPD"
exit 0
