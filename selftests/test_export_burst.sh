#!/bin/bash
# A burst of export messages faster than the link drains them loses no
# record to the full socket buffer (transport.c, "Back-pressure"): 30000
# cached flows are flushed at once toward a collector behind a 4 Mbit/s
# token bucket. About 1000 messages, 1.5 MB of them, fill the socket's
# 1 MiB send buffer in a few milliseconds; the sends wait for room, and the
# collector gets every record. Sending without waiting (as before), more
# than half of them failed with EAGAIN and were counted as not sent.
# Then the link stops (a token bucket of 8 bit/s): the sends give up
# after one bounded wait, count what they could not send, and the flush
# does not hang.
. "$(dirname "$0")/lib.sh"

N=30000
topo_routed
topo_collector
tc -n r qdisc add dev r9 root tbf rate 4mbit burst 16kb limit 8mb ||
	fail "tc tbf (sch_tbf)"
TMPD=$(mktemp -d)
ip netns exec c python3 "$SELFTESTS/ipfixcount.py" 4739 "$TMPD/recs" &
PIDS+=($!)
wait_port c 4739
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=600 active_timeout=1800

# dest FIELD: a counter of the destination in /proc/net/flowmeter/stats
dest() {
	ip netns exec r cat /proc/net/flowmeter/stats |
		awk -v f="$1" '$1 == "destination" {
			for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'
}

# dest_done N: until the destination's records sent and not sent reach N
dest_done() {
	local i
	for i in $(seq 300); do
		[ $(($(dest records) + $(dest not_sent))) -ge "$1" ] && return 0
		sleep 0.2
	done
	fail "records sent $(dest records) + not sent $(dest not_sent) < $1 after 60 s"
}

ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $N 0 >/dev/null ||
	fail "flowgen"
# cached: the flows of the round, once the sender's packets are all in
cached() {
	wait_stat_min flows_active r $((N * 9 / 10)) 60
	sleep 1
	M=$(fm_stat flows_active r)
	log "$M flows cached"
}
cached
t0=$SECONDS
ip netns exec r "$TOP/userspace/flowctl" flush || fail "flowctl flush"
log "flush took $((SECONDS - t0)) s"
dest_done $M
for i in $(seq 150); do
	[ "$(grep -c '^17 ' "$TMPD/recs")" -ge $M ] && break
	sleep 0.2
done
got=$(grep -c '^17 ' "$TMPD/recs")
log "r9: $(tc -s -n r qdisc show dev r9 | grep -o 'Sent.*')"
log "collector: $(ip netns exec c nstat -az UdpRcvbufErrors UdpInDatagrams | grep -v '^#' | tr -s ' ' | tr '\n' ' ')"
log "destination: $(ip netns exec r cat /proc/net/flowmeter/stats | grep '^destination')"
expect_eq "records not sent" "$(dest not_sent)" 0
expect_eq "send errors" "$(dest errors)" 0
[ "$got" -ge $M ] || fail "$got records at the collector, want $M"
log "records at the collector: $got"
grep -q '^[?!]' "$TMPD/recs" && fail "undecodable messages at the collector"

log "--- the link stops: one bounded wait, the rest counted"
tc -n r qdisc change dev r9 root tbf rate 8bit burst 16kb limit 8mb ||
	fail "tc tbf change"
ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $N 0 >/dev/null ||
	fail "flowgen"
M1=$M
cached
t0=$SECONDS
ip netns exec r "$TOP/userspace/flowctl" flush || fail "flowctl flush"
took=$((SECONDS - t0))
log "flush took $took s"
[ "$took" -le 10 ] || fail "a flush into a stopped link took $took s"
dest_done $((M1 + M))
sent=$(dest records) lost=$(dest not_sent)
log "records sent $sent, not sent $lost"
[ "$lost" -gt 0 ] || fail "nothing counted as not sent into a stopped link"
[ $((sent + lost)) -ge $((M1 + M)) ] || fail "records sent + not sent: $((sent + lost)), want $((M1 + M))"
rm -rf "$TMPD"
exit 0
