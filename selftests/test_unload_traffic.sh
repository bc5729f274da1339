#!/bin/bash
# Unloading (and reloading) while traffic flows through the hooks, or with
# full tables, neither crashes nor disturbs forwarding: the meter never
# drops a packet.
. "$(dirname "$0")/lib.sh"

topo_routed
for round in 1 2 3; do
	fm_load hooks=prerouting,input,forward,output,postrouting
	ip netns exec a python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 30000 64 1000 50 &
	gen=$!
	sleep 0.5
	fm_unload
	wait $gen || fail "sender failed in round $round"
done

# Unloading with full tables: the final expiry buries every flow, more
# than half the grave limit, which kicks the expiry work; it must not run
# again once cancelled (it did, on freed tables, found by the 1M-flow
# benchmark). Graves of the fill are reaped first (2 s), so the unload's
# own burials cross the kick threshold.
for round in 1 2; do
	fm_load max_flows=8192 inactive_timeout=600
	ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 12000 1 >/dev/null ||
		fail "flowgen in full-table round $round"
	sleep 2
	active=$(fm_stat flows_active r)
	[ "$active" -ge 2048 ] || fail "only $active flows cached before unload"
	log "round $round: unloading with $active flows cached"
	fm_unload
done

# With the module loaded, every datagram still arrives (nothing dropped).
fm_load
# The sink gives up after 15 s without a datagram: on a loaded TCG host
# the sender's start alone has taken longer than the 5 s it once had.
ip netns exec b python3 "$SELFTESTS/udpsink.py" 9100 15 > /tmp/fm_rcvd &
rcv=$!
wait_port b 9100
udp_send a 10.0.2.1 9100 2000 64
wait $rcv
expect_eq "datagrams received with the meter loaded" "$(cat /tmp/fm_rcvd)" 2000
expect_eq "datagrams metered" "$(fm_stat packets_seen r)" 2000
exit 0
