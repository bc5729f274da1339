#!/bin/bash
# Sampling rates by input interface: "flowctl set sampling-if r0 4"
# samples what comes in on r0 1 in 4 while the rest keeps the netns's
# rate (sampling N); shown by flowctl (-j too), replaced whole by the next
# sampling-if, removed by "sampling-if none". Deterministic counts are
# per CPU: the senders are pinned to CPU 0, where veth delivers and the
# router forwards their packets, so the counts are exact.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
command -v taskset >/dev/null || skip "taskset not installed"
fc() { ip netns exec r "$FC" "$@"; }

topo_routed
# a sink in a too, for b's datagrams (in at r1)
ip netns exec a python3 "$SELFTESTS/udpsink.py" 9000 &
PIDS+=($!)
wait_port a 9000
fm_load

# send FROM COUNT: COUNT datagrams of one flow from a (in on r0) or b (r1)
send() {
	local dst=10.0.2.1
	[ "$1" = b ] && dst=10.0.1.1
	ip netns exec "$1" taskset -c 0 python3 "$SELFTESTS/udpgen.py" "$dst" 9000 "$2" 64 ||
		fail "udpgen from $1"
}
metered=0 skipped=0
# expect METERED SKIPPED: what the last sends added to the counters
expect() {
	metered=$((metered + $1)) skipped=$((skipped + $2))
	wait_stat packets_seen r $((metered + skipped))
	expect_eq "packets metered" "$(fm_stat packets_metered r)" $metered
	expect_eq "packets skipped by sampling" "$(fm_stat packets_skipped_sampling r)" $skipped
}
sif() { fc -j show | jq -c '[.sampling_interfaces[] | [.interface, .rate]]'; }

expect_eq "no rates by interface" "$(sif)" "[]"
fc show | grep -qx "  sampling by input interface: none" || fail "show: $(fc show)"

fc set sampling-if r0 4 || fail "set sampling-if r0 4"
expect_eq "rates by interface" "$(sif)" '[["r0",4]]'
fc show | grep -qx "  sampling by input interface: r0 4" || fail "show: $(fc show)"
send a 40
expect 10 30
send b 40		# in on r1: the netns's rate, 1
expect 40 0

fc set sampling 2 || fail "set sampling 2"
send b 40
expect 20 20
send a 40		# r0 keeps its own
expect 10 30

# A new list replaces the old one: r1 at 5 and prefixes; r0 falls back to 2.
fc set sampling-if r1 5 sampling-if 'x*' 3 || fail "set sampling-if r1 5 x* 3"
expect_eq "rates replaced" "$(sif)" '[["r1",5],["x*",3]]'
send b 40
expect 8 32
send a 40
expect 20 20

# Refused by flowctl (exit 2): the rates unchanged.
fc set sampling-if r0 0 2>/dev/null
expect_eq "flowctl exit for rate 0" $? 2
fc set sampling-if r0,r1 2 2>/dev/null
expect_eq "flowctl exit for a list" $? 2
expect_eq "rates after refusals" "$(sif)" '[["r1",5],["x*",3]]'

fc set sampling-if none sampling 1 || fail "set sampling-if none"
expect_eq "rates removed" "$(sif)" "[]"
send a 40
send b 40
expect 80 0

# Random: 1/N each, whatever the CPU; every packet metered or skipped.
fc set sampling-if r0 8 sampling 1 random || fail "set random"
send a 200
wait_stat packets_seen r $((metered + skipped + 200))
m=$(fm_stat packets_metered r)
k=$(fm_stat packets_skipped_sampling r)
expect_eq "random: metered + skipped" $((m + k)) $((metered + skipped + 200))
[ $((m - metered)) -ge 1 ] && [ $((m - metered)) -le 80 ] ||
	fail "random 1 in 8 of 200 metered $((m - metered))"
log "random 1 in 8 of 200: $((m - metered)) metered"
exit 0
