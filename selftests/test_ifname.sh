#!/bin/bash
# Interface names only for the interfaces flows cross: the router r has
# 200 more interfaces (100 veth pairs, no traffic) besides r0 and r1,
# which the test traffic crosses. The collector must get the names of r0
# and r1, with their ifindexes, again at the template refreshes, r1's new
# one after a rename, and none of the 200; and a refresh must not grow with the netdev count: no
# datagram holds options data alone, a template message at most a few
# names (earlier flowmeter sent one name per netdev with every refresh,
# 200 of them spilling into two or three datagrams of their own).
. "$(dirname "$0")/lib.sh"

NPAIRS=100

topo_routed
topo_collector
TMPD=$(mktemp -d)
for i in $(seq "$NPAIRS"); do
	echo "link add name vd${i}a type veth peer name vd${i}b"
	echo "link set dev vd${i}a up"
	echo "link set dev vd${i}b up"
done > "$TMPD/links"
ip -n r -batch "$TMPD/links" || fail "200 veths in r"
nif=$(ip -n r -o link show | wc -l)
log "r has $nif interfaces"
[ "$nif" -ge $((2 * NPAIRS + 4)) ] || fail "want at least $((2 * NPAIRS + 4)) interfaces in r"
in_if=$(ip netns exec r cat /sys/class/net/r0/ifindex)
out_if=$(ip netns exec r cat /sys/class/net/r1/ifindex)

check() {
	local v=$1 port=$2 f=$TMPD/v$1 rcv i msgs names tm bad nopt per
	ip netns exec c python3 "$SELFTESTS/wirecheck.py" recv "$port" "$f" &
	rcv=$!
	wait_port c "$port"
	# Templates every second: several refreshes in the test's 4 s.
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" \
		inactive_timeout=1 template_refresh=1
	for i in 1 2 3 4; do
		udp_send a 10.0.2.1 9000 20 100 $((4000 + i))
		sleep 1
	done
	wait_stat_min export_records r 4
	# A renamed interface's new name follows.
	ip -n r link set dev r1 down
	ip -n r link set dev r1 name rout
	ip -n r link set dev rout up
	ip netns exec a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "no route through rout"
	udp_send a 10.0.2.1 9000 20 100 4010
	wait_stat_min export_records r 7
	log "v$v: export_interfaces $(fm_stat export_interfaces r), untracked $(fm_stat export_interfaces_untracked r)"
	fm_unload
	sleep 1
	kill "$rcv"
	wait "$rcv" 2>/dev/null
	msgs=$(python3 "$SELFTESTS/wirecheck.py" messages "$f" "$v" 2>"$f.err")
	sed 's/^/# /' "$f.err" | head -20
	[ -s "$f.err" ] && fail "v$v: export datagrams not clean"
	[ -n "$msgs" ] || fail "v$v: no datagrams"

	# Per template refresh: datagrams, datagrams without a flow record
	# (options data alone), names.
	tm=$(jq -s 'map(select(.tmpl)) | length' <<< "$msgs")
	nopt=$(jq -s 'map(select(.flows == 0)) | length' <<< "$msgs")
	per=$(jq -s '[map(.ifnames | length) | add, length] | @tsv' -r <<< "$msgs")
	log "v$v: $(cut -f2 <<< "$per") datagrams, $tm with templates, $nopt without flow records, $(cut -f1 <<< "$per") ifName records"
	[ "$tm" -ge 2 ] || fail "v$v: want at least 2 template messages, got $tm"
	[ "$nopt" -eq 0 ] || fail "v$v: $nopt datagrams of options data alone ($tm template messages)"
	[ "$(cut -f1 <<< "$per")" -le $((4 * tm + 4)) ] ||
		fail "v$v: $(cut -f1 <<< "$per") ifName records for $tm template messages"
	# The names sent, distinct: r0 and r1, and what else flows crossed
	# (r9, towards the collector, if the export's own packets are
	# metered), none of the idle veths.
	names=$(jq -r '.ifnames[] | "\(.[0]) \(.[1])"' <<< "$msgs" | sort -u)
	log "v$v: $(wc -l <<< "$names") names sent: $(head -8 <<< "$names" | tr '\n' ',')..."
	grep -qx "$in_if r0" <<< "$names" || fail "v$v: no ifName record $in_if r0"
	grep -qx "$out_if r1" <<< "$names" || fail "v$v: no ifName record $out_if r1"
	grep -qx "$out_if rout" <<< "$names" || fail "v$v: no ifName record $out_if rout after the rename"
	bad=$(grep -v -E '^[0-9]+ (r0|r1|rout|r9|lo)$' <<< "$names" | head -5 | tr '\n' ',')
	[ -z "$bad" ] || fail "v$v: ifName records of interfaces no flow crossed: $bad"

	# The used names go out again with the refreshes, not only once.
	[ "$(jq -s "map(select(.ifnames | map(.[1]) | index(\"r0\"))) | length" <<< "$msgs")" -ge 2 ] ||
		fail "v$v: r0's name sent only once in $tm refreshes"
}

check 10 4739
ip -n r link set dev rout down
ip -n r link set dev rout name r1
ip -n r link set dev r1 up
check 9 2055
rm -rf "$TMPD"
exit 0
