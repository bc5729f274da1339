#!/bin/bash
# Unload and reload, FM_STRESS_UNLOAD cycles (default 10; `make stress`:
# 200), with senders pinned to every CPU. The module is loaded from inside
# the router r, so r's instance exports IPFIX to a collector in c. Odd
# cycles unload while the senders still send: only no crash, no splat and
# a clean unload count. Even cycles let the senders finish and unload with
# every flow still cached (long timeouts): the pernet exit must end and
# export each of them, so the packets the collector decoded for the
# cycle's flows (source ports of their own) equal the datagrams the
# senders sent. Each unload destroys the flow slab caches, which warn if
# an entry is left (selftests/run fails on it).
. "$(dirname "$0")/lib.sh"

command -v taskset >/dev/null || skip "taskset not installed"
CYCLES=${FM_STRESS_UNLOAD:-10}
. "$SELFTESTS/stress_lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
OUT=$TMPD/records
: >"$OUT"
ip netns exec c python3 "$SELFTESTS/ipfixcount.py" 4739 "$OUT" &
PIDS+=($!)
wait_port c 4739
# r's counters through a process of r's (/proc/PID/net), read by the
# shell itself: each command started costs a second on a loaded TCG host.
ip netns exec r sleep infinity &
RPID=$!
PIDS+=($RPID)
rstat() {
	local k v
	while read -r k v; do
		[ "$k" = "$1" ] && { echo "$v"; return; }
	done </proc/$RPID/net/flowmeter/stats
	echo missing
}

senders_start a

log "$CYCLES unload cycles, $ncpu CPUs, $FLOWS flows of $PKTS datagrams per CPU"
checked=0 t0=$SECONDS
want=()
for i in $(seq 1 "$CYCLES"); do
	sport=$((BASE + i * STRIDE))
	fm_load_in r destination=10.0.9.1:4739 inactive_timeout=600 active_timeout=1800
	if [ $((i % 2)) = 1 ]; then
		send $sport 0	# returns once every CPU's sender is at it
		rmmod flowmeter || fail "cycle $i: rmmod under traffic"
		stop
	else
		send $sport $((PKTS * FLOWS))
		[ "$sent" = $((ncpu * PKTS * FLOWS)) ] ||
			fail "cycle $i: senders sent $sent of $((ncpu * PKTS * FLOWS))"
		[ "$(rstat export_records)" = 0 ] ||
			fail "cycle $i: records exported before the unload (flows meant to be cached)"
		rmmod flowmeter || fail "cycle $i: rmmod"
		# the unload sent the records; they may still be on their way
		for t in $(seq 100); do
			n=$(got $sport)
			[ "$n" -ge "$sent" ] && break
			sleep 0.1
		done
		[ "$n" = "$sent" ] ||
			fail "cycle $i: collector decoded $n packets of the cycle's flows, senders sent $sent"
		want[$i]=$sent
		checked=$((checked + 1))
	fi
	[ $((i % 10)) = 0 ] && log "cycle $i: $checked cycles exact, $((SECONDS - t0)) s"
done

recheck
log "$CYCLES cycles in $((SECONDS - t0)) s: $checked unloads with cached flows exact"
rm -rf "$TMPD"
exit 0
