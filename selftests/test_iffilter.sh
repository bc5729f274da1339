#!/bin/bash
# The interface filter: packets in or out of an excluded interface, or of
# none of the included ones, are counted as filtered and never metered;
# set at load time (module parameters) and at run time (flowctl), shown
# back by flowctl, and bad patterns are refused with a message, changing
# nothing.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
fc() { ip netns exec r "$FC" "$@"; }

# send N: N UDP datagrams a -> b, in on r0 and out on r1 at the router
send() { udp_send a 10.0.2.1 9000 "$1" 64 5000; }

# expect_counts METERED FILTERED: the router's counters now
expect_counts() {
	expect_eq "packets metered" "$(fm_stat packets_metered r)" "$1"
	expect_eq "packets filtered" "$(fm_stat packets_filtered r)" "$2"
	expect_eq "packets seen" "$(fm_stat packets_seen r)" $(($1 + $2))
}

# filter_is INCLUDE EXCLUDE: flowctl -j show's lists, as JSON arrays
filter_is() {
	local got
	got=$(fc -j show | jq -c '[.interfaces_include, .interfaces_exclude]') ||
		fail "flowctl -j show"
	expect_eq "interface filter" "$got" "[$1,$2]"
}

# A bad parameter fails the load.
insmod "$FM_KO" interfaces=a/b 2>/dev/null && fail "insmod took interfaces=a/b"
insmod "$FM_KO" exclude_interfaces=a,b,c,d,e,f,g,h,i 2>/dev/null &&
	fail "insmod took 9 interfaces to exclude"
grep -q '^flowmeter ' /proc/modules && fail "module loaded after a refused parameter"

topo_routed
fm_load exclude_interfaces=lo,r1
expect_eq "exclude_interfaces parameter" \
	"$(cat /sys/module/flowmeter/parameters/exclude_interfaces)" "lo,r1"
filter_is '[]' '["lo","r1"]'
send 100
expect_counts 0 100

# Only what crosses r9 (no traffic does): everything else is filtered.
fc set interfaces include 'r9*' || fail "set interfaces include r9*"
filter_is '["r9*"]' '[]'
send 50
expect_counts 0 150

# Either side of the router matches an include; exclude wins over it.
fc set interfaces include 'r*' exclude r9 || fail "set include r* exclude r9"
filter_is '["r*"]' '["r9"]'
send 70
expect_counts 70 150
fc set interfaces include r1 || fail "set include r1"
send 30
expect_counts 100 150
fc set interfaces exclude r0 || fail "set exclude r0"
send 20
expect_counts 100 170

# Refusals: the kernel's message, exit 1, the filter unchanged.
err=$(fc set interfaces include 'a/b' 2>&1) && fail "a/b taken"
grep -q "not an interface name" <<< "$err" || fail "a/b refused with '$err'"
err=$(fc set interfaces exclude 'r*0' 2>&1) && fail "r*0 taken"
grep -q "not an interface name" <<< "$err" || fail "r*0 refused with '$err'"
err=$(fc set interfaces include r0,r0 2>&1) && fail "r0 twice taken"
grep -q "twice" <<< "$err" || fail "r0,r0 refused with '$err'"
fc set interfaces include a,b,c,d,e,f,g,h,i 2>/dev/null
expect_eq "flowctl exit for 9 interfaces" $? 2
filter_is '[]' '["r0"]'
# A refused filter in a request refuses its other settings too.
fc set timeout active 77 interfaces include 'a/b' 2>/dev/null && fail "a/b taken with a timeout"
expect_eq "active timeout after a refused request" \
	"$(fc -j show | jq .active_timeout)" 1800

fc set interfaces all || fail "set interfaces all"
filter_is '[]' '[]'
fc show | grep -q '^  interfaces: all$' || fail "show does not say 'interfaces: all'"
send 10
expect_counts 110 170
exit 0
