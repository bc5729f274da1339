#!/bin/bash
# nfcapd, a standard collector, decodes what the router exports as IPFIX,
# NetFlow v9 and v5, and nfdump shows exactly the flows sent through it:
# packets, bytes, addresses, ports, protocol, ToS and interfaces, IPv4 and
# IPv6. v5 carries IPv4 only: its IPv6 flows are counted as refused.
. "$(dirname "$0")/lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
in_if=$(ip netns exec r cat /sys/class/net/r0/ifindex)
out_if=$(ip netns exec r cat /sys/class/net/r1/ifindex)

# The test traffic: one UDP flow each way of IP, ICMP echo with a ToS.
traffic() {
	udp_send a 10.0.2.1 9000 100 100 4000
	udp_send a fd02::1 9000 50 100 4001
	ip netns exec a ping -q -c 5 -i 0.05 -Q 0x20 10.0.2.1 >/dev/null || fail "ping"
	ip netns exec a ping -q -c 5 -i 0.05 -Q 0x48 fd02::1 >/dev/null || fail "ping6"
}

# What nfdump must show (sorted): IPv4 first, then IPv6 unless v5.
want() {
	cat <<-END
	ICMP 10.0.1.1 0 10.0.2.1 8.0 5 420 32 $in_if $out_if
	ICMP 10.0.2.1 0 10.0.1.1 0.0 5 420 32 $out_if $in_if
	UDP 10.0.1.1 4000 10.0.2.1 9000 100 12800 0 $in_if $out_if
	END
	[ "$1" = 5 ] && return
	cat <<-END
	ICMP6 fd01::1 0 fd02::1 128.0 5 520 72 $in_if $out_if
	ICMP6 fd02::1 0 fd01::1 129.0 5 520 72 $out_if $in_if
	UDP fd01::1 4001 fd02::1 9000 50 7400 0 $in_if $out_if
	END
}

# check VERSION PORT RECORDS REFUSED: at least one record per flow
check() {
	local v=$1 port=$2 dir=$TMPD/v$1 nfc
	nfcapd_start c "$dir" "$port"
	nfc=$NFCAPD
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" inactive_timeout=1
	traffic
	wait_stat_min export_records r "$3"
	wait_stat_min export_refused r "$4"
	[ "$4" = 0 ] && expect_eq "v$v refused records" "$(fm_stat export_refused r)" 0
	expect_eq "v$v send errors" "$(fm_stat export_errors r)" 0
	fm_unload
	kill "$nfc"
	wait "$nfc"
	# A slow machine may pause a flow past the idle timeout: add up the
	# records of each flow.
	nfdump -R "$dir" -q -o 'fmt:%pr %sa %sp %da %dp %tos %in %out %pkt %byt' |
		awk '{ k = $1 " " $2 " " $3 " " $4 " " $5; t[k] = $6 " " $7 " " $8
		       p[k] += $9; b[k] += $10 }
		     END { for (k in p) print k, p[k], b[k], t[k] }' | sort >"$dir.got"
	want "$v" | sort >"$dir.want"
	diff -u "$dir.want" "$dir.got" | sed 's/^/# /'
	cmp -s "$dir.want" "$dir.got" || fail "nfdump shows other v$v flows than were sent"
	log "v$v: nfdump shows the flows sent, exactly"
}

check 10 4739 6 0
check 9 2055 6 0
check 5 2056 3 3
rm -rf "$TMPD"
exit 0
