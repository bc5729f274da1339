#!/bin/bash
# The hash size changes at run time: a new cache of that size takes over,
# the old one's flows end as forced (none lost: flows created = active +
# expired), and metering goes on in the new one. Out-of-range sizes are
# refused, changing nothing.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
fc() { ip netns exec r "$FC" "$@"; }
hash_size() { fc -j show | jq .hash_size; }
# by_limit MAX_FLOWS: buckets per CPU sized by the CPU's share of MAX_FLOWS
by_limit() {
	python3 -c "import os; n = $1 // os.cpu_count(); print(max(16, 1 << (n - 1).bit_length()))"
}

# accounted: every flow created is cached or ended
accounted() {
	local s
	s=$(ip netns exec r cat /proc/net/flowmeter/stats)
	awk '$1 == "flows_created" { c = $2 } $1 == "flows_active" { a = $2 }
	     $1 ~ /^flows_expired_/ { e += $2 }
	     END { if (c != a + e) { print "created " c " != active " a " + expired " e; exit 1 } }' <<< "$s" ||
		fail "flows not accounted for"
}

topo_routed
fm_load max_flows=4096
expect_eq "hash size by the flow limit (4096 / CPUs)" "$(hash_size)" "$(by_limit 4096)"

udp_send a 10.0.2.1 9000 200 64 6000 20
expect_eq "flows cached" "$(fm_stat flows_active r)" 20
fc set hash-size 100 || fail "set hash-size 100"
expect_eq "hash size after set 100" "$(hash_size)" 128
expect_eq "flows cached after resize" "$(fm_stat flows_active r)" 0
expect_eq "flows ended by the resize" "$(fm_stat flows_expired_forced r)" 20
accounted

udp_send a 10.0.2.1 9000 100 64 7000 10
expect_eq "flows cached in the new table" "$(fm_stat flows_active r)" 10
n=$(ip netns exec r cat /proc/net/flowmeter/flows | grep -c ' 10.0.2.1 ')
expect_eq "flows listed in the new table" "$n" 10
expect_eq "packets metered" "$(fm_stat packets_metered r)" 300

fc set hash-size 3 || fail "set hash-size 3"
expect_eq "hash size at least 16" "$(hash_size)" 16
fc set hash-size 0 max-flows 8192 || fail "set hash-size 0"
expect_eq "hash size by the new flow limit" "$(hash_size)" "$(by_limit 8192)"
# Sized by the limit already, a bigger limit in the same request resizes.
fc set hash-size 0 max-flows 16384 || fail "set hash-size 0 max-flows 16384"
expect_eq "hash size by a limit raised with it" "$(hash_size)" "$(by_limit 16384)"
expect_eq "flows ended by four resizes" "$(fm_stat flows_expired_forced r)" 30
accounted

fc set hash-size $((1 << 25)) 2>/dev/null && fail "hash-size 2^25 taken"
before=$(hash_size)
expect_eq "hash size after a refusal" "$(hash_size)" "$before"
exit 0
