#!/bin/bash
# A GSO skb is counted as the packets on the wire: UDP GSO datagrams sent
# by a, forwarded by r (FORWARD sees the GSO skb whole: veth keeps it) and
# sent locally by a (hooks=output,postrouting). Oracle: the receiver b's
# own UdpInDatagrams (nstat; a's UdpOutDatagrams counts sendmsg calls,
# one per GSO skb), each datagram 20 (or 40) + 8 + SIZE IP bytes; the
# meter's side is the test flow's own counts in the flow listing.
# On a4562c4 the router counted 50 packets for the 400 datagrams.
. "$(dirname "$0")/lib.sh"

command -v nstat >/dev/null || fail "no nstat (iproute2)"
topo_routed
SIZE=1000 SEGS=8 SENDS=50

# flow_sum NETNS: packets and bytes of the UDP flows to port 9000
flow_sum() {
	ip netns exec "$1" cat /proc/net/flowmeter/flows |
		awk '$5 == 17 && $7 == 9000 { p += $9; b += $10 } END { print p + 0, b + 0 }'
}
b_rcvd() {
	ip netns exec b nstat -az UdpInDatagrams Udp6InDatagrams | awk '/In/ { n += $2 } END { print n + 0 }'
}

# run NETNS DST HDR MUL: send, compare (MUL: hooks that see each packet)
run() {
	local n=$1 dst=$2 hdr=$3 mul=$4 p0 b0 p1 b1 o0 o1 want
	read -r p0 b0 <<< "$(flow_sum "$n")"
	o0=$(b_rcvd)
	ip netns exec a python3 "$SELFTESTS/udpgso.py" "$dst" 9000 $SENDS $SIZE $SEGS || fail udpgso
	sleep 1
	o1=$(b_rcvd)
	read -r p1 b1 <<< "$(flow_sum "$n")"
	want=$((o1 - o0))
	[ $want -eq $((SENDS * SEGS)) ] || fail "receiver counted $want datagrams, not $((SENDS * SEGS))"
	want=$((want * mul))
	expect_eq "$n $dst packets" $((p1 - p0)) $want
	expect_eq "$n $dst bytes" $((b1 - b0)) $((want * (hdr + 8 + SIZE)))
}

fm_load inactive_timeout=600
run r 10.0.2.1 20 1
run r fd02::1 40 1
fm_unload
fm_load hooks=output,postrouting inactive_timeout=600
# OUTPUT and POSTROUTING each see every datagram of a's
run a 10.0.2.1 20 2
run a fd02::1 40 2
exit 0
