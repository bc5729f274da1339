#!/bin/bash
# The router's per-CPU counters, summed, see exactly the packets forwarded
# between two namespaces: IPv4 and IPv6 pings and UDP, byte-exact.
. "$(dirname "$0")/lib.sh"

topo_routed
fm_load

ip netns exec a ping -q -c 10 -i 0.01 10.0.2.1 >/dev/null || fail "ping"
expect_eq "IPv4 ping packets (10 requests + 10 replies)" "$(fm_stat packets_seen r)" 20
# 84-byte IPv4 echo packets (20 IP + 8 ICMP + 56 data)
expect_eq "IPv4 ping bytes" "$(fm_stat bytes_metered r)" $((20 * 84))

ip netns exec a ping -q -c 10 -i 0.01 fd02::1 >/dev/null || fail "ping6"
expect_eq "after IPv6 ping" "$(fm_stat packets_seen r)" 40
# 104-byte IPv6 echo packets (40 IP + 8 ICMPv6 + 56 data)
expect_eq "IPv4+IPv6 bytes" "$(fm_stat bytes_metered r)" $((20 * 84 + 20 * 104))

udp_send a 10.0.2.1 9000 1000 100
expect_eq "after 1000 UDP datagrams" "$(fm_stat packets_seen r)" 1040
expect_eq "bytes after UDP" "$(fm_stat bytes_metered r)" $((20 * 84 + 20 * 104 + 1000 * 128))

# Only forwarding was hooked: the endpoints' own instances saw nothing.
expect_eq "sender netns packets" "$(fm_stat packets_seen a)" 0
expect_eq "parse errors" "$(fm_stat parse_error_truncated_l3 r)" 0
exit 0
