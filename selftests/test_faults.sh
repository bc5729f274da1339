#!/bin/bash
# Faults under traffic, with readers of procfs and netlink dumps running
# all along: the configuration changed in a tight loop, an interface that
# carries metered flows deleted, a netns destroyed while its readers and
# traffic are still there. Nothing crashes (selftests/run checks the
# kernel log), the counters stay consistent and the module unloads.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
ROUNDS=${FAULT_ROUNDS:-8}
STOP=/tmp/fm_faults_stop.$$
rm -f "$STOP"

# readers NETNS: loops reading every procfs file and dumping flows over
# netlink in NETNS until $STOP exists (or the netns is gone); each counts
# its rounds into /tmp/fm_faults_reads.NETNS.*
readers() {
	local n=$1
	for what in stats flows top; do
		( i=0; until [ -e "$STOP" ]; do
			ip netns exec "$n" cat /proc/net/flowmeter/$what >/dev/null 2>&1 || break
			i=$((i + 1)); echo $i > /tmp/fm_faults_reads.$n.$what
		done ) &
		PIDS+=($!)
	done
	( i=0; until [ -e "$STOP" ]; do
		ip netns exec "$n" "$FC" -j flows >/dev/null 2>&1 || break
		ip netns exec "$n" "$FC" -j top >/dev/null 2>&1 || break
		i=$((i + 1)); echo $i > /tmp/fm_faults_reads.$n.nl
	done ) &
	PIDS+=($!)
}
reads() { cat /tmp/fm_faults_reads.$1.* 2>/dev/null | awk '{ n += $1 } END { print n + 0 }'; }
check_accounting() {	# NETNS: created = active + expired, seen = the sum
	# (metered, sampled out, parse errors, refused flows' packets, filtered
	# by interface or mark)
	local snap
	snap=$(ip netns exec "$1" cat /proc/net/flowmeter/stats) || fail "stats in $1"
	awk '$1 == "flows_created" { c = $2 } $1 == "flows_active" { a = $2 }
	     $1 ~ /^flows_expired_/ { e += $2 }
	     $1 == "packets_seen" { s = $2 } $1 == "packets_metered" { m = $2 }
	     $1 == "packets_skipped_sampling" { k = $2 } $1 ~ /^parse_error_/ { p += $2 }
	     $1 == "packets_dropped" { d = $2 } $1 ~ /^packets_filtered/ { f += $2 }
	     END { if (c != a + e || s != m + k + p + d + f) {
		print "# " $0; printf "# created %d active %d expired %d seen %d metered %d skipped %d errors %d dropped %d filtered %d\n", c, a, e, s, m, k, p, d, f; exit 1 } }' \
		<<< "$snap" || fail "counters inconsistent in $1"
	log "$1: counters consistent ($(awk '$1 == "flows_created" || $1 == "packets_seen" { printf "%s %s ", $1, $2 }' <<< "$snap"))"
}

topo_routed
topo_collector
ip netns exec c python3 "$SELFTESTS/udpsink.py" 2055 &
PIDS+=($!)
fm_load hooks=prerouting,input,forward,output,postrouting

log "--- configuration changed in a tight loop, under traffic and readers"
readers r
ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 5000 3600 >/dev/null &
gen=$!
ip netns exec a python3 "$SELFTESTS/udpgen.py" fd02::1 9000 1000000 64 6000 20 2>/dev/null &
gen6=$!
# ctl ARGS...: flowctl ARGS in r, which must succeed
ctl() { ip netns exec r "$FC" "$@" >/dev/null || fail "round $i: flowctl $*"; sets=$((sets + 1)); }
sets=0 i=0
while [ $i -lt $ROUNDS ]; do
	i=$((i + 1))
	ctl set timeout active $((i % 7 + 1)) inactive $((i % 3 + 1))
	ctl set max-flows $(((i % 4) * 1000 + 16))
	ctl set sampling $((i % 3 + 1)) $([ $((i % 2)) = 0 ] && echo random || echo deterministic)
	ctl set hooks $([ $((i % 2)) = 0 ] && echo forward || echo prerouting,input,forward,output,postrouting)
	ctl set flowlabel $([ $((i % 2)) = 0 ] && echo on || echo off) domain-id $i mtu $((576 + i % 900))
	ctl set template-refresh $((i % 5 + 1)) packets $((i % 4 + 1)) top $((i % 20 + 1)) by packets
	ctl destination add 10.0.9.1:2055 version $(((i % 3 == 0) ? 5 : (i % 3 == 1) ? 9 : 10))
	ctl flush
	ctl destination del 10.0.9.1:2055
done
kill -0 $gen || fail "flowgen ended early"
kill $gen $gen6 2>/dev/null; wait $gen6 2>/dev/null
touch "$STOP"
sleep 1
log "$sets configuration changes in $i rounds; $(reads r) reads meanwhile"
[ "$(reads r)" -ge 10 ] || fail "readers read only $(reads r) times"
ctl set sampling 1 hooks forward timeout active 600 inactive 600
sleep 1
check_accounting r
rm -f "$STOP" /tmp/fm_faults_reads.*

log "--- the interfaces of metered flows deleted under traffic"
ctl set max-flows 10000
readers r
ip netns exec a python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 1000000 64 7000 50 2>/dev/null &
gen=$!
wait_stat_min flows_active r 50
sleep 1
ip -n r link del r1 || fail "delete r1"	# the egress of the flows
log "r1 deleted with $(fm_stat flows_active r) flows active"
sleep 2
ip -n r link del r0 || fail "delete r0"	# and their ingress
sleep 2
kill $gen 2>/dev/null; wait $gen 2>/dev/null
touch "$STOP"
sleep 1
out=$(ip netns exec r "$FC" -j flows) || fail "flows after the deletion"
jq -e 'type == "array"' <<< "$out" >/dev/null || fail "flows after the deletion: $out"
log "$(jq length <<< "$out") flows cached after the deletion; $(reads r) reads meanwhile"
ip netns exec r cat /proc/net/flowmeter/flows >/dev/null || fail "procfs flows after the deletion"
ip netns exec r "$FC" flush >/dev/null || fail "flush after the deletion"
expect_eq "flows after flush" "$(fm_stat flows_active r)" 0
check_accounting r
rm -f "$STOP" /tmp/fm_faults_reads.*

log "--- a netns destroyed under traffic, its readers inside"
topo_routed y
readers yr
ip netns exec ya python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 3000 600 >/dev/null 2>&1 &
gen=$!
( until [ -e "$STOP" ]; do ip netns exec yr "$FC" set max-flows $((RANDOM % 5000 + 16)) >/dev/null 2>&1 || break; done ) &
PIDS+=($!)
wait_stat_min packets_seen yr 1000
ip netns del yr
ip netns del yb
log "yr and yb deleted, traffic and readers still in them"
sleep 2
touch "$STOP"
kill $gen 2>/dev/null; wait $gen 2>/dev/null
sleep 2
# The last process left; the netns goes (cleanup_net runs in a worker).
for i in $(seq 100); do
	ip netns exec ya ip link show ya0 >/dev/null 2>&1 || break
	sleep 0.2
done
ip netns exec ya ip link show ya0 >/dev/null 2>&1 && fail "ya0 outlived its peer's netns by 20 s"
log "$(reads yr) reads in yr before it went"
rm -f "$STOP" /tmp/fm_faults_reads.*

# The module still works: a new netns gets an instance, meters exactly.
topo_routed z
ip netns exec zr "$FC" set hooks forward || fail "set hooks in zr"
before=$(fm_stat packets_metered zr)
udp_send za 10.0.2.1 9000 100
expect_eq "packets metered in a new netns" $(($(fm_stat packets_metered zr) - before)) 100
exit 0
