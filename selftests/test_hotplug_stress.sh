#!/bin/bash
# CPU hotplug under traffic on every CPU: each CPU that can go offline goes
# and comes back FM_HOTPLUG_CYCLES times (default 10) while senders pinned
# to every CPU keep new packets coming, readers walk the table (procfs,
# flowctl flows) and flushes queue every CPU's work. A CPU's table is
# parked and emptied by the dead callback while its softirq may still be
# queueing work (the PREEMPT_RT window, cache.c: fm_cpu_offline());
# fm_cpu_dead() warns if a work was left pending, which fails the test
# (selftests/run watches the kernel log). In the end every metered packet
# is in a record the collector got: nothing lost, nothing counted twice.
# make check runs it on the RT kernel with 4 CPUs too (scripts/check).
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v taskset >/dev/null || skip "taskset not installed"
command -v nfcapd >/dev/null || skip "nfcapd not installed"
CYCLES=${FM_HOTPLUG_CYCLES:-10}
hot=()
for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ -w "$f" ] && [ "$(cat "$f")" = 1 ] && hot+=("$f")
done
[ ${#hot[@]} -gt 0 ] || skip "no CPU that can go offline"
RUN=$(mktemp)
trap 'rm -f "$RUN"; for f in "${hot[@]}"; do echo 1 > "$f" 2>/dev/null; done; fm_cleanup' EXIT

topo_routed
topo_collector
TMPD=$(mktemp -d)
nfcapd_start c "$TMPD" 4739
nfc=$NFCAPD
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=600

# A sender per CPU (40 flows each, ports of its own), one reader, one
# flusher, until $RUN goes. A sender whose CPU is offline cannot start
# (taskset fails) and waits for it.
ncpu=$(nproc --all)
senders=()
for cpu in $(seq 0 $((ncpu - 1))); do
	(while [ -e "$RUN" ]; do
		ip netns exec a taskset -c "$cpu" python3 "$SELFTESTS/udpgen.py" \
			10.0.2.1 9000 400 64 $((10000 + cpu * 100)) 40 2>/dev/null ||
			sleep 0.2
	done) &
	senders+=($!)
done
(while [ -e "$RUN" ]; do
	ip netns exec r cat /proc/net/flowmeter/flows >/dev/null
	ip netns exec r "$FC" flows >/dev/null
done) &
reader=$!
(while [ -e "$RUN" ]; do
	ip netns exec r "$FC" flush >/dev/null
	sleep 0.5
done) &
flusher=$!
wait_stat_min packets_metered r 500 120

log "$CYCLES cycles of ${#hot[@]} CPUs offline and back under traffic"
for i in $(seq "$CYCLES"); do
	for f in "${hot[@]}"; do
		echo 0 > "$f" || fail "cycle $i: cannot take ${f%/online} offline"
		sleep 0.1
		echo 1 > "$f" || fail "cycle $i: cannot bring ${f%/online} back"
	done
	sleep 0.1
done
before=$(fm_stat flows_expired_forced r)
rm -f "$RUN"
wait "$reader" || fail "reader"
wait "$flusher" || fail "flusher"
for n in "${senders[@]}"; do wait "$n"; done

# Everything out: the collector has every metered packet, once.
ip netns exec r "$FC" flush || fail "flush"
expect_eq "flows cached after flush" "$(fm_stat flows_active r)" 0
created=$(fm_stat flows_created r)
# one record per flow: pieces of a flow on several CPUs merged into one
for i in $(seq 300); do
	[ $(($(fm_stat export_records r) + $(fm_stat flows_merged r))) -eq "$created" ] && break
	sleep 0.2
done
expect_eq "records exported + pieces merged" \
	$(($(fm_stat export_records r) + $(fm_stat flows_merged r))) "$created"
expect_eq "records not exported" "$(fm_stat records_dropped r)" 0
expect_eq "flows dropped, table full" "$(fm_stat flows_dropped_full r)" 0
expect_eq "flows dropped, no memory" "$(fm_stat flows_dropped_nomem r)" 0
metered=$(fm_stat packets_metered r)
[ "$metered" -ge 1000 ] || fail "only $metered packets metered"
log "metered $metered packets in $created flows, $before ended by flush or hotplug"
sleep 1
kill $nfc
wait $nfc
got=$(nfdump -R "$TMPD" -q -o 'fmt:%pkt' | awk '{ n += $1 } END { print n + 0 }')
expect_eq "packets in exported records (nfdump)" "$got" "$metered"
rm -rf "$TMPD" "$TMPD.log"
exit 0
