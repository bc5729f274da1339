#!/bin/bash
# max_flows is the netns's budget, not a CPU's (module/cache.c, "The flow
# budget"):
#  1. One CPU holds (nearly) max_flows flows: none evicted, none refused.
#     (With the budget split evenly over CPUs, it held max_flows / CPUs.)
#  1b. A second CPU asks for budget (a few new flows, all refused while
#     the first holds it all) and then stops: the starving mark clears
#     and the first CPU keeps more than its share. (Left set, the mark
#     made the first CPU end its flows down to its share for a CPU that
#     no longer wanted any.)
#  2. A second CPU then floods new flows of its own: the cache never holds
#     more than max_flows, and the second CPU gets budget from the first,
#     at least half its share (max_flows / CPUs) within the flood.
#  3. max_flows lowered: the tables end flows until they fit the new
#     budget, with no new flow to make them.
# Each CPU's traffic comes from a sender pinned to it: a veth delivers a
# datagram on the sending CPU, so that is where it is metered.
. "$(dirname "$0")/lib.sh"

MAX=4000 FEW=16 FC=$TOP/userspace/flowctl
command -v taskset >/dev/null || fail "no taskset"
ncpu=$(getconf _NPROCESSORS_ONLN)
[ "$ncpu" -ge 2 ] || fail "needs 2 online CPUs, has $ncpu"
share=$((MAX / ncpu))
topo_routed
ip netns exec b python3 "$SELFTESTS/udpsink.py" 9001 &
PIDS+=($!)
wait_port b 9001
fm_load max_flows=$MAX inactive_timeout=600 active_timeout=1800
snap() { ip netns exec r cat /proc/net/flowmeter/stats; }
st() { awk -v k="$1" '$1 == k { print $2 }' <<< "$S"; }
# listed PORT: cached UDP flows to b's PORT
listed() {
	ip netns exec r cat /proc/net/flowmeter/flows |
		awk -v p="$1" '$5 == 17 && $7 == p { n++ } END { print n + 0 }'
}
flood() {	# flood CPU PORT FLOWS SECONDS
	ip netns exec a taskset -c "$1" python3 "$SELFTESTS/flowgen.py" \
		10.0.1.1 10.0.2.1 "$2" "$3" "$4" || fail "flowgen on CPU $1"
}

log "--- 1: one CPU, $((MAX - FEW)) flows, max_flows $MAX, $ncpu CPUs"
sent=$(flood 0 9000 $((MAX - FEW)) 0)
[ "$sent" -ge $((MAX - FEW)) ] || fail "sent $sent"
S=$(snap)
log "active $(st flows_active) created $(st flows_created) evicted $(st flows_expired_evicted) dropped $(st flows_dropped_full)"
expect_eq "flows of CPU 0 cached" "$(listed 9000)" $((MAX - FEW))
expect_eq "flows evicted" "$(st flows_expired_evicted)" 0
expect_eq "flows refused" "$(st flows_dropped_full)" 0

log "--- 1b: CPU 1 asks for budget with 100 flows, then stops"
flood 1 9002 100 0 >/dev/null
sleep 0.5
log "budget_starving $(fm_stat budget_starving r) pool $(fm_stat budget_pool r)"
wait_stat budget_starving r 0 10
sleep 3
n0=$(listed 9000)
log "CPU 0's flows cached: $n0 (share $share); budget_pool $(fm_stat budget_pool r)"
[ "$n0" -gt $((share + share / 8)) ] ||
	fail "CPU 0 went down to $n0 flows for a CPU that wants none (share $share)"
expect_eq "budget_starving still" "$(fm_stat budget_starving r)" 0

log "--- 2: CPU 1 floods $MAX new flows for 6 s"
( peak=0; while :; do
	a=$(fm_stat flows_active r)
	[ "$a" -gt "$peak" ] && peak=$a && echo "$peak" > /tmp/fm_budget_peak
	sleep 0.2
done ) &
PIDS+=($!)
sent=$(flood 1 9001 $MAX 6)
kill "${PIDS[-1]}" 2>/dev/null
wait "${PIDS[-1]}" 2>/dev/null
peak=$(cat /tmp/fm_budget_peak)
rm -f /tmp/fm_budget_peak
S=$(snap)
n0=$(listed 9000) n1=$(listed 9001)
log "sent $sent; cached: CPU 0's $n0, CPU 1's $n1; peak active $peak; evicted $(st flows_expired_evicted) refused $(st flows_dropped_full)"
[ "$peak" -le $MAX ] || fail "flows_active reached $peak, max_flows $MAX"
[ "$(st flows_active)" -le $MAX ] || fail "flows_active $(st flows_active) above $MAX"
[ $((n0 + n1)) -le $MAX ] || fail "$((n0 + n1)) flows listed, max_flows $MAX"
[ "$n1" -ge $((share / 2)) ] || fail "CPU 1 holds $n1 flows after its flood, want >= half its share $share"
expect_eq "flows created = active + expired" "$(st flows_created)" \
	"$(awk '$1 == "flows_active" { n += $2 } $1 ~ /^flows_expired_/ { n += $2 } END { print n }' <<< "$S")"

log "--- 3: max_flows lowered to $((MAX / 4))"
ip netns exec r "$FC" set max-flows $((MAX / 4)) || fail "set max-flows"
for i in $(seq 150); do
	[ "$(fm_stat flows_active r)" -le $((MAX / 4)) ] && break
	sleep 0.2
done
a=$(fm_stat flows_active r)
log "flows_active $a after $((i / 5)) s"
[ "$a" -le $((MAX / 4)) ] || fail "flows_active $a, 30 s after max_flows went to $((MAX / 4))"
# and the budget is whole again: new flows still find room
sent=$(flood 0 9000 100 0)
S=$(snap)
[ "$(st flows_active)" -le $((MAX / 4)) ] || fail "flows_active $(st flows_active) above $((MAX / 4))"
exit 0
