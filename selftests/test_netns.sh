#!/bin/bash
# Every network namespace has its own instance: traffic through one router
# is invisible to another; namespaces made after load get one too, and
# deleting a namespace that carries traffic is safe. Namespaces beyond the
# initial one start with small tables.
. "$(dirname "$0")/lib.sh"

topo_routed x
fm_load
topo_routed y	# created after the module was loaded

# y's set-up pings (2 IPv4 + 2 IPv6 packets) went through its meter.
expect_eq "router y packets after set-up" "$(fm_stat packets_seen yr)" 4
udp_send xa 10.0.2.1 9000 300
udp_send ya 10.0.2.1 9000 100
expect_eq "router x packets" "$(fm_stat packets_seen xr)" 300
expect_eq "router y packets" "$(fm_stat packets_seen yr)" 104
expect_eq "init netns packets" "$(fm_stat packets_seen)" 0

# Tables: the initial netns's sized by max_flows (262144 shared among the
# CPUs), every other one's at most 4096 buckets per CPU.
FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built (make flowctl)"
command -v jq >/dev/null || fail "jq not installed"
full=$(python3 -c "import os; n = 262144 // os.cpu_count(); print(max(16, 1 << (n - 1).bit_length()))")
small=$((full < 4096 ? full : 4096))
expect_eq "init netns hash size" "$("$FC" -j show | jq .hash_size)" "$full"
expect_eq "router x hash size" "$(ip netns exec xr "$FC" -j show | jq .hash_size)" "$small"
expect_eq "router y hash size" "$(ip netns exec yr "$FC" -j show | jq .hash_size)" "$small"

# Delete router y while a sender is still pushing traffic through it.
ip netns exec ya python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 200000 64 2>/dev/null &
gen=$!
sleep 1
ip netns del yr
wait $gen 2>/dev/null
expect_eq "router x packets after y's deletion" "$(fm_stat packets_seen xr)" 300
exit 0
