#!/bin/bash
# Several destinations at once: two collectors receive identical flow
# records; a collector with no listener (ICMP port unreachable) and one
# without a route only cost counted errors, and forwarding goes on.
. "$(dirname "$0")/lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
for port in 4739 4740; do
	nfcapd_start c "$TMPD/$port" $port
done

# 4741: nothing listens; 10.0.99.1: no route from r.
fm_load_in r destination=10.0.9.1:4739,10.0.9.1:4740,10.0.9.1:4741,10.0.99.1:4739 \
	inactive_timeout=1


# Two rounds, so that the ICMP error of the first round's messages is
# there to be read when the second round's are sent. 40 flows; a slow
# machine may pause one past the idle timeout and split it in two.
udp_send a 10.0.2.1 9000 200 100 5000 20
udp_send a fd02::1 9000 100 100 6000 10
dest_wait 10.0.9.1:4739 records 30
udp_send a 10.0.2.1 9000 100 100 7000 10
dest_wait 10.0.9.1:4739 records 40
records=$(dest_stat 10.0.9.1:4739 records)
log "records to collector 1 = $records"
expect_eq "records to collector 2" "$(dest_stat 10.0.9.1:4740 records)" "$records"
expect_eq "errors of collector 1" "$(dest_stat 10.0.9.1:4739 errors)" 0
expect_eq "errors of collector 2" "$(dest_stat 10.0.9.1:4740 errors)" 0

[ "$(dest_stat 10.0.9.1:4741 errors)" -ge 1 ] ||
	fail "no error counted for the collector without listener"
expect_eq "its last error (ECONNREFUSED)" "$(dest_stat 10.0.9.1:4741 last_error)" 111
expect_eq "records sent to it all the same" "$(dest_stat 10.0.9.1:4741 records)" "$records"

expect_eq "packets sent without a route" "$(dest_stat 10.0.99.1:4739 packets)" 0
expect_eq "records not sent without a route" "$(dest_stat 10.0.99.1:4739 not_sent)" "$records"
expect_eq "its last error (ENETUNREACH)" "$(dest_stat 10.0.99.1:4739 last_error)" 101

ip netns exec a ping -q -c 3 -i 0.1 10.0.2.1 >/dev/null || fail "forwarding stopped"
log "forwarding goes on"

fm_unload
for n in "${PIDS[@]}"; do kill "$n"; done
wait
for port in 4739 4740; do
	nfdump -R "$TMPD/$port" -q -o 'fmt:%ts %te %pr %sa %sp %da %dp %pkt %byt %tos' |
		sort >"$TMPD/$port.txt"
done
# The unload flushes the ping's flows too.
flows=$(wc -l <"$TMPD/4739.txt")
[ "$flows" -ge "$records" ] || fail "collector 1 stored $flows flows, want $records or more"
cmp -s "$TMPD/4739.txt" "$TMPD/4740.txt" || fail "the collectors got different records"
log "both collectors got identical records"
rm -rf "$TMPD"
exit 0
