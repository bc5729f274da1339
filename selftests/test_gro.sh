#!/bin/bash
# A GSO skb is counted as the packets on the wire: UDP GSO datagrams sent
# by a, forwarded by r (FORWARD sees the GSO skb whole, veth keeps it) and
# sent locally by a (hooks=output,postrouting). Oracle: the receiver b's
# UdpInDatagrams delta (nstat; a's UdpOutDatagrams counts sendmsg calls), each datagram 20 (or 40) + 8 + SIZE IP
# bytes; compared with the metering netns's packets/bytes_metered deltas.
. "$(dirname "$0")/lib.sh"

command -v nstat >/dev/null || skip "no nstat"
topo_routed
SIZE=1000 SEGS=8 SENDS=50

st() { ip netns exec "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/flowmeter/stats; }
run() {	# run NETNS DST HDR [HOOKS]: send, compare
	local n=$1 dst=$2 hdr=$3 mul=${4:-1} p0 b0 o0 o1 p1 b1
	sleep 0.5
	p0=$(st $n packets_metered) b0=$(st $n bytes_metered)
	o0=$(ip netns exec b nstat -az UdpInDatagrams Udp6InDatagrams | awk '/In/ { n += $2 } END { print n }')
	ip netns exec a python3 "$SELFTESTS/udpgso.py" $dst 9000 $SENDS $SIZE $SEGS || fail udpgso
	sleep 1
	o1=$(ip netns exec b nstat -az UdpInDatagrams Udp6InDatagrams | awk '/In/ { n += $2 } END { print n }')
	p1=$(st $n packets_metered) b1=$(st $n bytes_metered)
	local want=$((o1 - o0)) sent
	[ $want -eq $((SENDS * SEGS)) ] || fail "receiver counted $want datagrams"
	want=$((want * mul))
	expect_eq "$n $dst packets" $((p1 - p0)) $want
	expect_eq "$n $dst bytes" $((b1 - b0)) $((want * (hdr + 8 + SIZE)))
}

ip netns exec r ethtool -K r0 gro on >/dev/null 2>&1 || true
fm_load_in r
run r 10.0.2.1 20
run r fd02::1 40
fm_unload
fm_load_in a hooks=output,postrouting
# OUTPUT and POSTROUTING each see every datagram
run a 10.0.2.1 20 2
run a fd02::1 40 2
fm_unload
