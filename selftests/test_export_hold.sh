#!/bin/bash
# Export messages are filled to the MTU across the cache's calls (export.c,
# "Holding messages"): two CPUs each end 1000 flows in batches of 128; the
# collector gets every record, and every IPFIX message but the few sent by
# the hold timer (at most one per CPU's burst, and the last) is full: no
# room left for one more record. Sending each call's partial last message,
# as before, left about one partial message per call (16 here).
# With export_hold_ms=0 the old behaviour comes back (logged, for the
# numbers).
. "$(dirname "$0")/lib.sh"

command -v taskset >/dev/null || fail "no taskset"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || fail "needs 2 online CPUs"
topo_routed
topo_collector
TMPD=$(mktemp -d)
ip netns exec c python3 "$SELFTESTS/udprecv.py" 4739 "$TMPD/ipfix" &
PIDS+=($!)
wait_port c 4739
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=2 active_timeout=1800

# msgstat FILE: "messages records partial payload", IPFIX messages back to
# back; records per message from the sequence numbers (each counts the
# data records before it), a message partial if one more record of the
# flows' size (all IPv4 UDP: one size) would have fitted in 1472 bytes.
msgstat() {
	python3 - "$1" <<-'EOF'
	import struct, sys
	b = open(sys.argv[1], "rb").read()
	msgs, off = [], 0
	while off + 16 <= len(b):
	    ver, ln, _, seq = struct.unpack_from(">HHII", b, off)
	    assert ver == 10 and ln >= 16, (ver, ln)
	    sets, o = [], off + 16
	    while o < off + ln:
	        sid, sl = struct.unpack_from(">HH", b, o)
	        sets.append((sid, sl))
	        o += sl
	    msgs.append((ln, seq, sets))
	    off += ln
	# the flows' record size: a message holding only flow records
	rsz = None
	for i in range(len(msgs) - 1):
	    ln, seq, sets = msgs[i]
	    if len(sets) == 1 and sets[0][0] >= 256:
	        n = msgs[i + 1][1] - seq
	        rsz = (sets[0][1] - 4) // n
	        break
	partial = sum(1 for ln, _, _ in msgs[:-1] if ln + rsz <= 1472)
	print(len(msgs), msgs[-1][1], partial, rsz)
	EOF
}

# round PORT: 1000 flows from each CPU, ended by the idle timeout
round() {
	local c pids=()
	for c in 0 1; do
		ip netns exec a taskset -c $c python3 "$SELFTESTS/flowgen.py" \
			10.0.1.1 10.0.2.1 $(($1 + c)) 1000 0 >/dev/null &
		pids+=($!)
	done
	wait "${pids[@]}" || fail "flowgen"
}

log "--- export_hold_ms $(cat /sys/module/flowmeter/parameters/export_hold_ms)"
round 9000
wait_stat_min export_records r 2000 30
sleep 1
read -r msgs seq partial rsz <<< "$(msgstat "$TMPD/ipfix")"
log "$msgs messages, $seq records before the last, record $rsz B, $partial partial"
[ "$seq" -gt 1900 ] || fail "only $seq records before the last message"
[ "$partial" -le 5 ] ||
	fail "$partial partial messages of $msgs: messages are not filled across calls"
n=$(fm_stat export_records r)
[ "$n" -ge 2000 ] && [ "$n" -le 2004 ] || fail "$n records exported, want 2000 (+ a stray flow or two)"

log "--- export_hold_ms 0: each call's last message goes at once"
echo 0 > /sys/module/flowmeter/parameters/export_hold_ms
: > "$TMPD/ipfix"
round 9010
wait_stat_min export_records r $((n + 2000)) 30
sleep 1
read -r msgs seq partial rsz <<< "$(msgstat "$TMPD/ipfix")"
log "$msgs messages, record $rsz B, $partial partial (not held)"

# A flush sends what it ended at once, whatever the hold: the destination
# counts every record when `flowctl flush` returns (it held the last
# message export_hold_ms more before, which made test_netlink's check of
# this racy).
log "--- flush with export_hold_ms 1000"
echo 1000 > /sys/module/flowmeter/parameters/export_hold_ms
fc set timeout inactive 600 || fail "set timeout"
sent=$(fm_stat export_records r)
ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9020 50 0 >/dev/null || fail flowgen
wait_stat_min flows_active r 50
active=$(fm_stat flows_active r)
fc flush || fail "flowctl flush"
got=$(fm_stat export_records r)
expect_eq "records sent when flush returns" $((got - sent)) "$active"
echo 100 > /sys/module/flowmeter/parameters/export_hold_ms
rm -rf "$TMPD"
exit 0
