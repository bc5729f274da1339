#!/bin/bash
# A GSO skb is counted as the packets on the wire: UDP GSO datagrams sent
# by a, forwarded by r (FORWARD sees the GSO skb whole: veth keeps it) and
# sent locally by a (hooks=output,postrouting). Oracle: the receiver b's
# own UdpInDatagrams (nstat; a's UdpOutDatagrams counts sendmsg calls,
# one per GSO skb), each datagram 20 (or 40) + 8 + SIZE IP bytes; the
# meter's side is the test flow's own counts in the flow listing.
# Then real GRO at r's ingress: a's veth segments in software (its UDP
# GSO off) and r0 merges the datagrams again (NAPI GRO with
# rx-udp-gro-forwarding, then fraglist GRO with rx-gro-list). That the
# hook saw fewer skbs than packets (its packets_seen) shows aggregates
# were there to be counted.
# On a4562c4 the router counted 50 packets for the 400 datagrams.
. "$(dirname "$0")/lib.sh"

for t in nstat ethtool; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
SIZE=1000 SEGS=8 SENDS=50

# flow_sum NETNS: packets and bytes of the UDP flows to port 9000, and
# the hook's packets_seen (one read: processes are slow to start in TCG)
flow_sum() {
	ip netns exec "$1" cat /proc/net/flowmeter/stats /proc/net/flowmeter/flows |
		awk '$1 == "packets_seen" { n = $2 } $5 == 17 && $7 == 9000 { p += $9; b += $10 }
			END { print p + 0, b + 0, n + 0 }'
}
b_rcvd() {
	ip netns exec b nstat -az UdpInDatagrams Udp6InDatagrams | awk '/In/ { n += $2 } END { print n + 0 }'
}

# run NETNS DST HDR MUL: send, compare (MUL: hooks that see each packet)
run() {
	local n=$1 dst=$2 hdr=$3 mul=$4 p0 b0 p1 b1 o0 o1 want seen0 seen1
	read -r p0 b0 seen0 <<< "$(flow_sum "$n")"
	o0=$(b_rcvd)
	ip netns exec a python3 "$SELFTESTS/udpgso.py" "$dst" 9000 $SENDS $SIZE $SEGS || fail udpgso
	sleep 1
	o1=$(b_rcvd)
	read -r p1 b1 seen1 <<< "$(flow_sum "$n")"
	want=$((o1 - o0))
	[ $want -eq $((SENDS * SEGS)) ] || fail "receiver counted $want datagrams, not $((SENDS * SEGS))"
	want=$((want * mul))
	expect_eq "$n $dst packets" $((p1 - p0)) $want
	expect_eq "$n $dst bytes" $((b1 - b0)) $((want * (hdr + 8 + SIZE)))
	[ $((seen1 - seen0)) -lt $want ] ||
		fail "$n $dst: the hook saw $((seen1 - seen0)) skbs for $want packets: no aggregates"
}

fm_load inactive_timeout=600
run r 10.0.2.1 20 1
run r fd02::1 40 1
ip netns exec a ethtool -K a0 tx-udp-segmentation off || fail "UDP GSO off on a0"
ip netns exec a ethtool -k a0 | grep -q '^tx-udp-segmentation: off' || fail "a0 still has UDP GSO"
ip netns exec r ethtool -K r0 gro on rx-udp-gro-forwarding on || fail "UDP GRO on on r0"
ip netns exec r ethtool -k r0 | grep -q '^rx-udp-gro-forwarding: on' || fail "r0 has no UDP GRO"
run r 10.0.2.1 20 1
run r fd02::1 40 1
ip netns exec r ethtool -K r0 rx-udp-gro-forwarding off rx-gro-list on || fail "GRO fraglist on on r0"
ip netns exec r ethtool -k r0 | grep -q '^rx-gro-list: on' || fail "r0 has no GRO fraglist"
run r 10.0.2.1 20 1
run r fd02::1 40 1
fm_unload
ip netns exec a ethtool -K a0 tx-udp-segmentation on || fail "UDP GSO on on a0"
fm_load hooks=output,postrouting inactive_timeout=600
# OUTPUT and POSTROUTING each see every datagram of a's
run a 10.0.2.1 20 2
run a fd02::1 40 2
exit 0
