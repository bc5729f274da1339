#!/bin/bash
# Unloading (and reloading) while traffic flows through the hooks neither
# crashes nor disturbs forwarding: the meter never drops a packet.
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

# With the module loaded, every datagram still arrives (nothing dropped).
fm_load
ip netns exec b python3 "$SELFTESTS/udpsink.py" 9100 5 > /tmp/fm_rcvd &
rcv=$!
sleep 1
udp_send a 10.0.2.1 9100 2000 64
wait $rcv
expect_eq "datagrams received with the meter loaded" "$(cat /tmp/fm_rcvd)" 2000
expect_eq "datagrams metered" "$(fm_stat packets_seen r)" 2000
exit 0
