#!/bin/bash
# An idle netns costs little, whatever the number of possible CPUs
# (Documentation/design.rst, "Memory"):
# - no wakeup: the expiry work of a table without flows stops queueing
#   itself, and the first new flow brings it back (then its flow is
#   exported on time, exact);
# - storage only for CPUs that have been online: a VM with CPUs it may
#   hot-add gives an idle netns the buckets and small ring of its online
#   CPUs only (scripts/check runs this test once more on 6.1 booted with
#   possible_cpus=4: Debian's 6.12 takes no such parameter);
# - nothing more while idle: the work's batch (and a bigger ring, for a
#   busy table) come with flows and go when the table is idle again
#   (module/cache_ring.c).
. "$(dirname "$0")/lib.sh"

N=100
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T || fail "cannot mount tracefs"
[ -e $T/events/workqueue/workqueue_execute_start ] || fail "no workqueue tracepoint"

fm_load
for i in $(seq $N); do echo "netns add fmidle$i"; NETNS+=("fmidle$i"); done > /tmp/fm_idle_add
ip -b /tmp/fm_idle_add || fail "ip netns add"

# The works of the new caches run once (a second after creation) and find
# nothing to do; from then on none may run.
sleep 3
echo 16384 > $T/buffer_size_kb
echo > $T/trace
echo 1 > $T/events/workqueue/workqueue_execute_start/enable
sleep 5
echo 0 > $T/events/workqueue/workqueue_execute_start/enable
runs=$(grep -c fm_table_work $T/trace || true)
log "fm_table_work runs in 5 s for $((N + 1)) idle netns: $runs"
# Before, every table's work ran once a second: 2 x 101 x 5 = 1010.
[ "$runs" -le 2 ] || fail "$runs expiry work runs in 5 s for idle netns, want none"

# Storage per CPU that has been online: 4096 buckets of 8 bytes and a
# small ring of one page. (Before, a ring of 1024 and a batch of 128
# records of 192 bytes, struct fm_record, whatever the traffic: 253952.)
per_cpu=$((4096 * 8 + 4096))
online=$(grep -c . <(for c in /sys/devices/system/cpu/cpu[0-9]*; do
	[ ! -e "$c/online" ] || [ "$(cat "$c/online")" = 1 ] && echo "$c"; done))
possible=$(awk -F- '{ print ($2 == "" ? $1 : $2) + 1 }' /sys/devices/system/cpu/possible)
mem=$(fm_stat memory_bytes fmidle1)
log "idle netns: memory_bytes $mem, $online online CPUs of $possible possible"
# With CPUs to hot-add (scripts/check's idle lane: 6.1 booted with
# possible_cpus=4, FM_IDLE_POSSIBLE=4) the memory must follow the online
# ones: before, every possible CPU had its storage.
if [ -n "${FM_IDLE_POSSIBLE:-}" ]; then
	expect_eq "possible CPUs" "$possible" "$FM_IDLE_POSSIBLE"
	[ "$possible" -gt "$online" ] || fail "no CPU to hot-add: $online online, $possible possible"
fi
expect_eq "idle netns memory" "$mem" $((online * per_cpu))

# A CPU that was offline when a cache was made gets its storage when it
# comes up (the hotplug prepare callback), and meters.
CPU1=/sys/devices/system/cpu/cpu1/online
[ -w $CPU1 ] || fail "CPU 1 cannot go offline"
trap 'echo 1 > $CPU1 2>/dev/null; fm_cleanup' EXIT
echo 0 > $CPU1 || fail "CPU 1 offline"
ns_add fmidle_off
expect_eq "netns made with CPU 1 offline: memory" "$(fm_stat memory_bytes fmidle_off)" \
	$(((online - 1) * per_cpu))
echo 1 > $CPU1 || fail "CPU 1 online"
expect_eq "after CPU 1 came up: memory" "$(fm_stat memory_bytes fmidle_off)" \
	$((online * per_cpu))

# A flow brings its table's work back: it ends at its idle timeout, on
# CPU 1 (the one that came up), and its record reaches the collector.
topo_routed
topo_collector
FC=$TOP/userspace/flowctl
ip netns exec r "$FC" set timeout inactive 2 || fail "flowctl set timeout"
ip netns exec r "$FC" destination add 10.0.9.1:2055 || fail "flowctl destination add"
ip netns exec r "$FC" flush || fail "flowctl flush"
ip netns exec c python3 "$SELFTESTS/udprecv.py" 2055 /tmp/fm_idle_rcv &
PIDS+=($!)
wait_port c 2055
sleep 3		# r's works have gone to sleep too
before=$(fm_stat flows_expired_idle r)
ip netns exec a taskset -c 1 python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 7 64 31000 1 ||
	fail "udpgen"
wait_stat flows_expired_idle r $((before + 1)) 20
expect_eq "flows cached in r" "$(fm_stat flows_active r)" 0
for _ in $(seq 50); do [ -s /tmp/fm_idle_rcv ] && break; sleep 0.2; done
[ -s /tmp/fm_idle_rcv ] || fail "the collector got no export datagram"
log "the flow ended at its idle timeout after its table slept"

# Idle again, r gives back what its flows needed: 4096 buckets and a
# small ring per online CPU, whatever came and went.
for _ in $(seq 50); do
	[ "$(fm_stat memory_bytes r)" = $((online * per_cpu)) ] && break
	sleep 0.2
done
expect_eq "r idle again: memory" "$(fm_stat memory_bytes r)" $((online * per_cpu))
exit 0
