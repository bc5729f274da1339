#!/bin/bash
# Bulk TCP is counted as the segments on the wire, IPv4 and IPv6:
# - forwarded by r with real GRO at r's ingress: a's veth does no TSO (a's
#   stack segments in software, wire-sized packets reach r) and r0 has GRO
#   on (veth's NAPI GRO), so FORWARD sees GRO aggregates;
# - sent locally by a with TSO (hooks=output,postrouting): each hook sees
#   a's TSO skbs whole, so a's flow is counted twice; also IPv6 with a
#   destination options header (to r: a receiver there too).
# Oracle: a's own counters. Packets: TcpOutSegs + TcpRetransSegs (every
# segment a sent, once; IPv4 and IPv6 share them). Bytes: every segment's
# IP bytes: tcpi_bytes_sent (payload octets sent, retransmissions
# included, from tcpbulk.py) + per segment the IP header (20 or 40; 48
# with the 8-byte IPv6 destination options header of the dstopts run,
# which every segment repeats) and a 20-byte TCP header (a's timestamps
# are off, so only SYNs carry options: MSS, NOP NOP SACK_PERM, NOP
# WSCALE, 12 bytes; SYNs = TcpActiveOpens + TcpExtTCPSynRetrans). The
# meter's side: the test connection's flow in the flow listing, read
# while the connection is open and silent (a FIN would end the flow). That the hook saw fewer skbs than packets (its
# packets_seen) shows aggregates were there to be counted.
# On a4562c4 (before GSO counting) the router counted 38 packets for a's
# 724 segments, and a's hooks 74 for 2 x 722.
. "$(dirname "$0")/lib.sh"

for t in nstat ethtool; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
BYTES=$((1 << 20)) PORT=9001
TMP=$(mktemp -d)
for n in b r; do
	ip netns exec $n python3 "$SELFTESTS/tcpbulk.py" recv $PORT &
	PIDS+=($!)
	wait_port $n $PORT tcp
done
ip netns exec a sysctl -qw net.ipv4.tcp_timestamps=0 || fail "tcp_timestamps"

# a_tcp: a's TcpOutSegs+TcpRetransSegs and its SYNs sent
a_tcp() {
	ip netns exec a nstat -az TcpOutSegs TcpRetransSegs TcpActiveOpens TcpExtTCPSynRetrans |
		awk '$1 ~ /Segs$/ { s += $2 } $1 ~ /Opens$|SynRetrans$/ { y += $2 }
			END { print s + 0, y + 0 }'
}
# meter NETNS SPORT: the hook's packets_seen and packets_metered, and the
# packets and bytes of the flow SPORT -> PORT (one read: processes are
# slow to start under TCG)
meter() {
	ip netns exec "$1" cat /proc/net/flowmeter/stats /proc/net/flowmeter/flows |
		awk -v s="$2" -v d=$PORT '$1 == "packets_seen" { n = $2 } $1 == "packets_metered" { m = $2 }
			$5 == 6 && $6 == s && $7 == d { p += $9; b += $10 }
			END { print n + 0, m + 0, p + 0, b + 0 }'
}

# run NETNS DST IPHDR MUL [dstopts]: one connection, compare (MUL: hooks
# that see each segment; IPHDR: IP header bytes, extensions included)
run() {
	local n=$1 dst=$2 iph=$3 mul=$4 opt=${5:-} st=$TMP/$RANDOM pid i
	local s0 y0 s1 y1 seen0 met0 seen1 met1 sport sent p b segs syns t0=$SECONDS
	read -r s0 y0 <<< "$(a_tcp)"
	read -r seen0 met0 p b <<< "$(meter "$n" 0)"
	ip netns exec a python3 "$SELFTESTS/tcpbulk.py" send "$dst" $PORT $BYTES "$st" $opt &
	pid=$!
	for i in $(seq 600); do
		[ -e "$st" ] && break
		kill -0 $pid 2>/dev/null || fail "tcpbulk to $dst${opt:+ $opt} exited"
		sleep 0.1
	done
	[ -e "$st" ] || fail "tcpbulk to $dst${opt:+ $opt}: no acknowledgement of all data in 60 s"
	read -r sport sent < "$st"
	read -r s1 y1 <<< "$(a_tcp)"
	read -r seen1 met1 p b <<< "$(meter "$n" "$sport")"
	touch "$st.go"
	wait $pid || fail "tcpbulk to $dst${opt:+ $opt}"
	[ "$sent" -ge $BYTES ] || fail "a sent $sent payload bytes, not $BYTES"
	segs=$((s1 - s0)) syns=$((y1 - y0))
	log "$n $dst${opt:+ $opt}: a sent $segs segments ($syns SYN), $sent payload bytes; hook saw $((seen1 - seen0)) skbs ($((SECONDS - t0)) s)"
	expect_eq "$n $dst${opt:+ $opt} packets" "$p" $((segs * mul))
	expect_eq "$n $dst${opt:+ $opt} bytes" "$b" $(((segs * (iph + 20) + syns * 12 + sent) * mul))
	[ $((seen1 - seen0)) -lt $((met1 - met0)) ] ||
		fail "$n $dst${opt:+ $opt}: the hook saw $((seen1 - seen0)) skbs for $((met1 - met0)) packets: no aggregates"
}

# GRO at r's ingress: a sends wire-sized segments (TSO off; software GSO
# still batches them, so r's NAPI poll has several to merge)
ip netns exec a ethtool -K a0 tso off || fail "tso off on a0"
ip netns exec r ethtool -K r0 gro on || fail "gro on on r0"
ip netns exec a ethtool -k a0 | grep -q '^tcp-segmentation-offload: off' || fail "a0 still has TSO"
ip netns exec r ethtool -k r0 | grep -q '^generic-receive-offload: on' || fail "r0 has no GRO"
fm_load inactive_timeout=600
run r 10.0.2.1 20 1
run r fd02::1 40 1
# Not with a destination options header here: 6.12's ip6_forward() drops
# such GRO aggregates as too big (Ip6InTooBigErrors) before FORWARD
fm_unload

# TSO at a's OUTPUT and POSTROUTING
ip netns exec a ethtool -K a0 tso on || fail "tso on on a0"
ip netns exec a ethtool -k a0 | grep -q '^tcp-segmentation-offload: on' || fail "a0 has no TSO"
fm_load hooks=output,postrouting inactive_timeout=600
run a 10.0.2.1 20 2
run a fd02::1 40 2
# to r itself: forwarded, they would meet the drops above
run a fd01::fe 48 2 dstopts
exit 0
