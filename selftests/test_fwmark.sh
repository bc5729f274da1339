#!/bin/bash
# The mark filter: nftables rules in the router mark some flows; with
# "flowctl set mark VALUE/MASK" only packets whose mark & MASK == VALUE
# are metered, and only those flows reach the collector, each with the
# packets its sender sent; the others count in packets_filtered_mark.
# Shown back by flowctl (-j too), refused with a message when the mark
# has bits outside its mask, and off again with "mark all".
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
command -v nft >/dev/null || skip "nft not installed"
fc() { ip netns exec r "$FC" "$@"; }

topo_routed
topo_collector
fm_load
TMPD=$(mktemp -d)
OUT=$TMPD/records
: >"$OUT"
ip netns exec c python3 "$SELFTESTS/ipfixcount.py" 4739 "$OUT" &
PIDS+=($!)
wait_port c 4739
fc destination add 10.0.9.1:4739 || fail "destination add"
fc set timeout active 3600 inactive 3600 || fail "set timeouts"

# Marks set before the meter's hook (priority filter + 1) sees the packet,
# in prerouting as an operator's mangle rules would. Per source port,
# IPv4 4000-4003 and IPv6 5000-5003 alike: 0x10; 0x110 (bits outside the
# mask); 0x20; no mark.
ip netns exec r nft -f - <<'NFT' || fail "nft rules"
table inet fm_mark {
	chain pre {
		type filter hook prerouting priority mangle;
		udp sport { 4000, 5000 } meta mark set 0x10
		udp sport { 4001, 5001 } meta mark set 0x110
		udp sport { 4002, 5002 } meta mark set 0x20
	}
}
NFT

# Off by default: everything metered.
expect_eq "mark filter by default" "$(fc -j show | jq -c '[.mark, .mark_mask]')" "[0,0]"
fc show | grep -q '^  mark: all$' || fail "show does not say 'mark: all'"

# records TOTAL: once the collector has TOTAL UDP packets in its records,
# "PROTO SPORT DPORT PACKETS" per flow (a flow's records added up), sorted
records() {
	local i
	for i in $(seq 150); do
		[ "$(awk '$1 == 17 { n += $4 } END { print n + 0 }' "$OUT")" -ge "$1" ] && break
		sleep 0.2
	done
	sleep 1
	grep -q '^[?!]' "$OUT" && fail "collector could not decode: $(grep '^[?!]' "$OUT" | head -3)"
	awk '$1 == 17 { n[$2 " " $3] += $4 } END { for (k in n) print "17", k, n[k] }' "$OUT" |
		sort | xargs
}

# send: 10 datagrams of each of the 4 IPv4 and 4 IPv6 flows
send() {
	udp_send a 10.0.2.1 9000 40 100 4000 4
	udp_send a fd02::1 9000 40 100 5000 4
}

fc set mark 0x10/0xf0 || fail "set mark 0x10/0xf0"
expect_eq "mark filter" "$(fc -j show | jq -c '[.mark, .mark_mask]')" "[16,240]"
fc show | grep -q '^  mark: 0x10/0xf0$' || fail "show does not say 'mark: 0x10/0xf0'"
send
# 80 sent: 0x10 and 0x110 match (2 x 10 per family), 0x20 and none not.
wait_stat packets_seen r 80
expect_eq "packets metered" "$(fm_stat packets_metered r)" 40
expect_eq "packets filtered by mark" "$(fm_stat packets_filtered_mark r)" 40
expect_eq "packets filtered by interface" "$(fm_stat packets_filtered r)" 0
expect_eq "flows cached" "$(fm_stat flows_active r)" 4
expect_eq "stats -j = procfs" "$(fc -j stats | jq .packets_filtered_mark)" 40
fc stats --prometheus | grep -qx 'flowmeter_packets_filtered_mark_total 40' ||
	fail "no flowmeter_packets_filtered_mark_total 40 in stats --prometheus"

fc flush || fail "flush"
# Only the marked flows, each with what its sender sent.
expect_eq "records at the collector" "$(records 40)" \
	"17 4000 9000 10 17 4001 9000 10 17 5000 9000 10 17 5001 9000 10"

# Refused: a mark with bits outside its mask (flowctl itself, exit 2),
# the filter unchanged.
fc set mark 0x1ff/0xff 2>/dev/null
expect_eq "flowctl exit for 0x1ff/0xff" $? 2
err=$(fc set mark 1/0 2>&1)
expect_eq "flowctl exit for mask 0" $? 2
grep -q "mark all" <<< "$err" || fail "mask 0 refused with '$err'"
expect_eq "mark filter after refusals" "$(fc -j show | jq -c '[.mark, .mark_mask]')" "[16,240]"

# A whole mark with no mask given: only the unmarked packets (mark 0).
fc set mark 0 || fail "set mark 0"
expect_eq "mark 0 filter" "$(fc -j show | jq -c '[.mark, .mark_mask]')" "[0,4294967295]"
: >"$OUT"
send
wait_stat packets_seen r 160
expect_eq "packets metered (mark 0)" "$(fm_stat packets_metered r)" 60
expect_eq "packets filtered by mark (mark 0)" "$(fm_stat packets_filtered_mark r)" 100

# Off again: every packet metered.
fc set mark all || fail "set mark all"
expect_eq "mark filter off" "$(fc -j show | jq -c '[.mark, .mark_mask]')" "[0,0]"
send
wait_stat packets_seen r 240
expect_eq "packets metered (all)" "$(fm_stat packets_metered r)" 140
expect_eq "packets filtered by mark (all)" "$(fm_stat packets_filtered_mark r)" 100

fc flush || fail "flush"
# The unmarked flows twice (mark 0, then all), the others once.
expect_eq "records at the collector" "$(records 100)" \
	"17 4000 9000 10 17 4001 9000 10 17 4002 9000 10 17 4003 9000 20 17 5000 9000 10 17 5001 9000 10 17 5002 9000 10 17 5003 9000 20"
rm -rf "$TMPD"
exit 0
