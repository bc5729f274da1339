#!/bin/bash
# pmacct's nfacctd (1.7.7), one of the collectors operators run most,
# decodes every IPFIX, NetFlow v9 and v5 record the router sends: many
# small messages (mtu 576), the first and a refresh carrying templates and
# options templates, the rest plain data, IPv4 and IPv6 flows, to an IPv4
# and an IPv6 collector. Each flow's packets, bytes, addresses, ports and
# protocol exact, and nothing in nfacctd's log but INFO (it once called
# our options template sets malformed and dropped the data records of
# every message that carried them).
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built (make flowctl)"
for t in nfacctd tshark dumpcap; do command -v $t >/dev/null || fail "no $t"; done
topo_routed
topo_collector
TMPD=$(mktemp -d)
for port in 4739 2055 2056; do
	ip netns exec c python3 "$SELFTESTS/udpsink.py" $port &
	PIDS+=($!)
	wait_port c $port
done
capture_start c c0 "$TMPD/cap"

# The traffic: 200 IPv4 and 40 IPv6 UDP flows of 2 datagrams, a ping each
# way of IP. Every flow its own source port.
traffic() {
	udp_send a 10.0.2.1 9000 400 100 20000 200
	udp_send a fd02::1 9000 80 100 30000 40
	ip netns exec a ping -q -c 3 -i 0.05 10.0.2.1 >/dev/null || fail "ping"
	ip netns exec a ping -q -c 3 -i 0.05 fd02::1 >/dev/null || fail "ping6"
}
want() {
	{
		seq 20000 20199 | awk '{ print 17, "10.0.1.1 10.0.2.1", $1, 9000, "-", 2, 256 }'
		echo "1 10.0.1.1 10.0.2.1 0 2048 - 3 252"
		echo "1 10.0.2.1 10.0.1.1 0 0 - 3 252"
		[ "$1" = 5 ] && return
		seq 30000 30039 | awk '{ print 17, "fd01::1 fd02::1", $1, 9000, "-", 2, 296 }'
		echo "58 fd01::1 fd02::1 0 32768 - 3 312"
		echo "58 fd02::1 fd01::1 0 33024 - 3 312"
	} | LC_ALL=C sort
}

# IPFIX to the IPv6 collector, v9 and v5 to the IPv4 one
for vd in 10:[fd09::1]:4739 9:10.0.9.1:2055 5:10.0.9.1:2056; do
	v=${vd%%:*} dst=${vd#*:}
	fm_load_in r destination="$dst" export_version="$v" inactive_timeout=1
	ip netns exec r "$FC" set mtu 576 || fail "flowctl set mtu"
	traffic
	if [ "$v" = 5 ]; then
		wait_stat_min export_records r 202
		wait_stat_min export_refused r 42
	else
		wait_stat_min export_records r 244
	fi
	fm_unload
done
capture_stop

# the set ids of every message, one tshark for the three versions (each
# start takes 15 s under TCG)
tshark -r "$TMPD/cap" -d udp.port==4739,cflow -d udp.port==2055,cflow -d udp.port==2056,cflow \
	-T fields -E separator=/t -e udp.dstport -e cflow.flowset_id >"$TMPD/sets" 2>/dev/null ||
	fail "tshark"
for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:} f=$TMPD/v$v
	capture_split "$TMPD/cap" "$port" "$f.pcap"
	# messages with templates (IPFIX set 2/3, v9 0/1) and without
	awk -F'\t' -v p="$port" '$1 == p { print $2 }' "$TMPD/sets" >"$f.sets"
	read -r all tm < <(awk -v v="$v" '{ n++; if (v != 5 && $0 ~ (v == 10 ? "(^|,)[23](,|$)" : "(^|,)[01](,|$)")) t++ }
		END { print n, t + 0 }' "$f.sets")
	log "v$v: $all messages, $tm of them with templates"
	if [ "$v" != 5 ]; then
		[ "$tm" -ge 2 ] || fail "v$v: want the first message and a refresh with templates, got $tm"
		[ "$all" -gt "$tm" ] || fail "v$v: no message without templates"
	fi
	nfacctd_decode "$f.pcap" "$f.csv"
	python3 "$SELFTESTS/flowtext.py" nfacctd <"$f.csv" | LC_ALL=C sort >"$f.got"
	want "$v" >"$f.want"
	if ! cmp -s "$f.want" "$f.got"; then
		diff -u "$f.want" "$f.got" | head -30 | sed 's/^/# /'
		fail "v$v: nfacctd shows other flows than were sent"
	fi
	log "v$v: nfacctd shows the $(wc -l <"$f.got") flows sent, exactly"
done
rm -rf "$TMPD"
exit 0
