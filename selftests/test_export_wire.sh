#!/bin/bash
# No stray kernel memory on the wire: every export datagram, IPFIX, v9 and
# v5, decoded byte for byte by selftests/wirecheck.py: lengths add up, set
# padding, v5's pad, next hop, AS and mask fields and the bytes after an
# interface name are zero, no field of a kind we do not send. And each
# flow record says exactly what went through: addresses, ports, protocol,
# ToS, interfaces, packets, bytes, TTLs, times within the test's.
. "$(dirname "$0")/lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
in_if=$(ip netns exec r cat /sys/class/net/r0/ifindex)
out_if=$(ip netns exec r cat /sys/class/net/r1/ifindex)

# The test traffic: UDP each way of IP, ICMP echo with a ToS; the IPv6
# flows' flow label stays 0 (flowlabel off).
traffic() {
	udp_send a 10.0.2.1 9000 100 100 4000
	udp_send a fd02::1 9000 50 100 4001
	ip netns exec a ping -q -c 5 -i 0.05 -Q 0x20 10.0.2.1 >/dev/null || fail "ping"
	ip netns exec a ping -q -c 5 -i 0.05 -Q 0x48 fd02::1 >/dev/null || fail "ping6"
}

# Per flow, summed over its records (a slow machine may split one):
# src sport dst dport proto tos packets bytes in out ttl dir ipver vlan
# tcp_flags flowlabel (v5 has TCP flags only of the last six).
want() {
	local x=" 0"	# v5: TCP flags only
	[ "$1" = 5 ] || x=" 63 0 4 0 0 0"
	cat <<-END
	10.0.1.1 0 10.0.2.1 2048 1 32 5 420 $in_if $out_if${x}
	10.0.1.1 4000 10.0.2.1 9000 17 0 100 12800 $in_if $out_if${x}
	10.0.2.1 0 10.0.1.1 0 1 32 5 420 $out_if $in_if${x}
	END
	[ "$1" = 5 ] && return
	cat <<-END
	fd01::1 0 fd02::1 32768 58 72 5 520 $in_if $out_if 63 0 6 0 0 0
	fd01::1 4001 fd02::1 9000 17 0 50 7400 $in_if $out_if 63 0 6 0 0 0
	fd02::1 0 fd01::1 33024 58 72 5 520 $out_if $in_if 63 0 6 0 0 0
	END
}

check() {
	local v=$1 port=$2 f=$TMPD/v$1 rcv t0 t1 recs
	ip netns exec c python3 "$SELFTESTS/wirecheck.py" recv "$port" "$f" &
	rcv=$!
	wait_port c "$port"
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" inactive_timeout=1
	t0=$(($(date +%s%3N) - 1000))
	traffic
	wait_stat_min export_records r "$3"
	t1=$(($(date +%s%3N) + 1000))
	fm_unload	# also sends the options records, templates first
	sleep 1
	kill "$rcv"
	wait "$rcv" 2>/dev/null
	log "v$v: $(stat -c %s "$f") bytes; $(python3 -c 'import sys
d=open(sys.argv[1],"rb").read(); o=n=0
while o < len(d): o += 4 + int.from_bytes(d[o:o+4], "big"); n += 1
print(n)' "$f") datagrams"
	recs=$(python3 "$SELFTESTS/wirecheck.py" check "$f" "$v" 2>"$f.err")
	sed 's/^/# /' "$f.err" | head -20
	[ -s "$f.err" ] && fail "v$v: export datagrams not clean"
	[ -n "$recs" ] || fail "v$v: no flow records"
	# Times within the test's; end not before start.
	jq -e --argjson t0 "$t0" --argjson t1 "$t1" \
		'select(.start < $t0 or .end > $t1 or .end < .start)' <<< "$recs" >/dev/null &&
		fail "v$v: flow times outside [$t0, $t1]: $(jq -c 'select(.start < '$t0' or .end > '$t1' or .end < .start) | [.start, .end]' <<< "$recs" | head -3)"
	jq -r '[.src, .sport, .dst, .dport, .proto, .tos, .packets, .bytes, .in, .out,
		 .ttl_min, .dir, .ipver, .vlan, .tcp_flags, .flowlabel] | map(values) | join(" ")' <<< "$recs" |
		awk -v v="$v" '{ k = $1 " " $2 " " $3 " " $4 " " $5 " " $6; p[k] += $7; b[k] += $8
			r = $9 " " $10; for (i = 11; i <= NF; i++) r = r " " $i; t[k] = r }
			END { for (k in p) print k, p[k], b[k], t[k] }' | sort > "$f.got"
	want "$v" | sort > "$f.want"
	diff -u "$f.want" "$f.got" | sed 's/^/# /'
	cmp -s "$f.want" "$f.got" || fail "v$v: the records do not describe the flows sent"
	# TTL: r meters after it decremented the senders' 64; max = min.
	jq -e 'select(.ttl_max != null and .ttl_max != .ttl_min)' <<< "$recs" >/dev/null &&
		fail "v$v: ttl_min != ttl_max"
	log "v$v: $(wc -l <<< "$recs") records clean and exact"
}

check 10 4739 6
check 9 2055 6
check 5 2056 3
rm -rf "$TMPD"
exit 0
