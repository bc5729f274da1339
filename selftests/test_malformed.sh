#!/bin/bash
# Malformed and unusual packets that the stack lets reach the hooks are
# counted by kind, never metered past their data, and nothing crashes.
# (IPv4 header errors never get that far: ip_rcv drops them first.)
. "$(dirname "$0")/lib.sh"

topo_routed
fm_load hooks=prerouting
mac=$(ip -n r -br link show dev r0 | awk '{ print $3 }')
ip netns exec a python3 "$SELFTESTS/rawsend.py" a0 "$mac" | sed 's/^/sent /' | while read -r l; do log "$l"; done
wait_stat parse_error_truncated_l4 r 1
wait_stat parse_error_bad_ext_header r 2
expect_eq "fragments" "$(fm_stat packets_fragment r)" 1
# (neighbour discovery and the like also reach prerouting: at least)
wait_stat_min packets_no_l4 r 1
# A flood of them: still counted, still nothing wrong in the kernel log
for i in $(seq 50); do ip netns exec a python3 "$SELFTESTS/rawsend.py" a0 "$mac" >/dev/null; done
wait_stat parse_error_bad_ext_header r 102
expect_eq "truncated L4 after 51 rounds" "$(fm_stat parse_error_truncated_l4 r)" 51
exit 0
