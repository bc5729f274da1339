#!/bin/bash
# The collector tier, end to end, with Debian's packages: three router
# namespaces, each metered by flowmeter, export to one pmacct nfacctd (one
# router IPFIX, one NetFlow v9, one v5: a network's routers rarely agree),
# which writes the flows into PostgreSQL. The top talkers that SQL
# computes over the table must equal `flowctl top` of each router summed
# over the routers: per source host, per destination host and per flow,
# by bytes and by packets, and each router's share (peer_ip_src) its own
# traffic. Run by scripts/collector-demo (the collector lane of make check),
# not by selftests/run's default list: it needs its own PostgreSQL.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built (make flowctl)"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PGBIN/initdb" ] || fail "no PostgreSQL server (scripts/setup installs postgresql)"
for t in nfacctd psql jq runuser; do command -v $t >/dev/null || fail "no $t"; done
id postgres >/dev/null 2>&1 || fail "no postgres user"

TMPD=$(mktemp -d)
PG=$(mktemp -d)	# its own: postgres must enter it
ROUTERS="1 2 3"
declare -A VERSION=([1]=ipfix [2]=9 [3]=5)

# nfacctd may not end on SIGTERM while its plugin talks to the database
# (seen: it hung the test's exit): it is killed outright.
pg_stop() {
	pkill -KILL -x nfacctd 2>/dev/null
	[ -d "$PG/data" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG/data" -m immediate stop >/dev/null 2>&1
	rm -rf "$TMPD" "$PG"
	fm_cleanup
}
trap pg_stop EXIT
# PostgreSQL in a scratch directory, on a Unix socket only: netns-proof,
# and nothing listens on the machine's addresses.
chown postgres: "$PG" || fail "chown $PG"
runuser -u postgres -- "$PGBIN/initdb" -D "$PG/data" -A trust -U postgres >"$PG/initdb.log" 2>&1 ||
	{ tail -5 "$PG/initdb.log" | sed 's/^/# /'; fail "initdb"; }
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/log" -w -t 120 \
	-o "-k $PG -c listen_addresses= -c dynamic_shared_memory_type=mmap -c fsync=off" start >/dev/null ||
	{ tail -5 "$PG/log" | sed 's/^/# /'; fail "PostgreSQL did not start"; }
sql() { psql -h "$PG" -U postgres -d postgres -qAt -F ' ' -v ON_ERROR_STOP=1 "$@"; }
# The table and the nfacctd configuration the documentation ships
# (Documentation/collector-tier/), pointed at this test's server and files
CONF=$TOP/Documentation/collector-tier
sql -f "$CONF/flows.sql" >/dev/null || fail "flows.sql"
log "PostgreSQL $(sql -c 'SHOW server_version') up"

# Three routers (1r, 2r, 3r), each with its clients (Na) and servers (Nb),
# and the collector namespace col on a link of each: 10.9.N.1 for router
# N's export, which comes from 10.9.N.254.
ns_add col
for i in $ROUTERS; do
	topo_routed $i
	ip -n ${i}r route add 10.0.3.0/24 via 10.0.1.1
	ip link add name col$i netns col type veth peer name ${i}r9 netns ${i}r || fail veth
	ip -n col link set dev col$i up
	ip -n ${i}r link set dev ${i}r9 up
	ip -n col addr add 10.9.$i.1/24 dev col$i
	ip -n ${i}r addr add 10.9.$i.254/24 dev ${i}r9
done
sed -e 's/^daemonize:.*/daemonize: false/' -e "s|^sql_host:.*|sql_host: $PG|" \
	-e 's/^sql_user:.*/sql_user: postgres/' -e 's/^sql_db:.*/sql_db: postgres/' \
	-e "s|^logfile:.*|logfile: $TMPD/nfacctd.log|" "$CONF/nfacctd-pgsql.conf" >"$TMPD/nfacctd.conf"
ip netns exec col nfacctd -f "$TMPD/nfacctd.conf" >/dev/null 2>&1 &
disown $!	# pg_stop kills it (and every child it forked) with SIGKILL
wait_port col 2100

# Long timeouts: the flows stay in the caches until `flowctl top` has read
# them, then a flush exports them all.
fm_load inactive_timeout=600 active_timeout=1800
for i in $ROUTERS; do
	ip netns exec ${i}r "$FC" destination add 10.9.$i.1:2100 version ${VERSION[$i]} source 10.9.$i.254 ||
		fail "destination add on router $i"
done

# gen ROUTER SRC FLOWS SIZE: one datagram of SIZE payload bytes from each
# of FLOWS source ports of SRC through ROUTER to its server's sink
gen() {
	ip netns exec ${1}a python3 "$SELFTESTS/flowgen.py" "$2" 10.0.2.1 9000 "$3" 0 "$4" >/dev/null ||
		fail "flowgen $*"
}
# Hosts seen by several routers, with other totals at each, so that the
# sums over routers decide the order: 10.0.3.7 has more packets than
# 10.0.3.9 and fewer bytes.
gen 1 10.0.1.1 40 16
gen 1 10.0.3.7 10 200
gen 2 10.0.3.7 25 16
gen 2 10.0.3.9 5 900
gen 3 10.0.1.1 12 16
gen 3 10.0.3.9 8 600
# a few bigger flows of several packets, IPv6 where the version carries it
udp_send 1a 10.0.2.1 9000 30 300 7000 3
udp_send 2a fd02::1 9000 20 500 7100 2
udp_send 3a 10.0.2.1 9000 9 1000 7200 1
wait_stat_min flows_active 1r 53
wait_stat_min flows_active 2r 32
wait_stat_min flows_active 3r 21

# What each router says, summed over the routers: the expected answers
top_sum() {	# top_sum "TOP ARGS" JQ_KEY: [key, packets, bytes] sorted by bytes
	local i
	for i in $ROUTERS; do
		ip netns exec ${i}r "$FC" -j top -n 100 $1 || fail "flowctl top $1 on router $i"
	done | jq -rs "add | group_by($2) | map([(.[0] | $2), (map(.packets) | add), (map(.bytes) | add)])
		| sort_by(-.[2], .[0]) | .[] | map(tostring) | join(\" \")"
}
top_sum "per src" .src >"$TMPD/want.src"
top_sum "per dst" .dst >"$TMPD/want.dst"
top_sum "" '"\(.src) \(.dst) \(.sport) \(.dport) \(.proto)"' >"$TMPD/want.flow"
# and what the senders sent, which the meters must have counted: packets
# per source host
expect_eq "flowctl top per src, summed: packets per host" \
	"$(awk '{ print $1 ":" $2 }' "$TMPD/want.src" | sort | xargs)" \
	"10.0.1.1:91 10.0.3.7:35 10.0.3.9:13 fd01::1:20"
want_pkts=159
declare -A ROUTER_PKTS
for i in $ROUTERS; do
	ROUTER_PKTS[$i]=$(ip netns exec ${i}r "$FC" -j top -n 100 per src | jq 'map(.packets) | add')
done

for i in $ROUTERS; do ip netns exec ${i}r "$FC" flush || fail "flush on router $i"; done
# nfacctd writes every second: wait until the table holds every packet
for n in $(seq 120); do
	got=$(sql -c "SELECT coalesce(sum(packets), 0) FROM flows")
	[ "$got" -ge "$want_pkts" ] && break
	sleep 0.5
done
log "PostgreSQL holds $got packets of the $want_pkts the routers metered"
[ "$got" = "$want_pkts" ] || fail "PostgreSQL holds $got packets, the routers metered $want_pkts"
sleep 1.5	# a last refresh would show a record written twice

sql -c "SELECT host(ip_src), sum(packets), sum(bytes) FROM flows GROUP BY 1
	ORDER BY 3 DESC, 1" >"$TMPD/got.src"
sql -c "SELECT host(ip_dst), sum(packets), sum(bytes) FROM flows GROUP BY 1
	ORDER BY 3 DESC, 1" >"$TMPD/got.dst"
sql -c "SELECT host(ip_src) || ' ' || host(ip_dst) || ' ' || port_src || ' ' || port_dst
	|| ' ' || ip_proto, sum(packets), sum(bytes) FROM flows GROUP BY 1 ORDER BY 3 DESC, 1" >"$TMPD/got.flow"
log "top talkers by source, from SQL (host packets bytes):"
sed 's/^/#   /' "$TMPD/got.src"
for what in src dst flow; do
	# jq and PostgreSQL break ties their own ways: same bytes, any order
	# of keys; the order by bytes itself must agree
	if ! cmp -s <(sort "$TMPD/want.$what") <(sort "$TMPD/got.$what") ||
	   ! cmp -s <(awk '{ print $NF }' "$TMPD/want.$what") <(awk '{ print $NF }' "$TMPD/got.$what"); then
		diff -u "$TMPD/want.$what" "$TMPD/got.$what" | head -20 | sed 's/^/# /'
		fail "top per $what: SQL and flowctl top summed over the routers differ"
	fi
	log "top per $what: SQL = flowctl top summed over 3 routers ($(wc -l <"$TMPD/got.$what") rows)"
done
# the top 3 sources by packets, as an operator would ask
expect_eq "top 3 sources by packets" \
	"$(sql -c "SELECT host(ip_src) FROM flows GROUP BY 1 ORDER BY sum(packets) DESC, 1 LIMIT 3" | xargs)" \
	"$(sort -k2,2nr -k1,1 "$TMPD/want.src" | head -n 3 | awk '{ print $1 }' | xargs)"
for i in $ROUTERS; do
	expect_eq "router $i's packets in SQL" \
		"$(sql -c "SELECT sum(packets) FROM flows WHERE peer_ip_src = '10.9.$i.254'")" "${ROUTER_PKTS[$i]}"
done
if grep -v ' INFO ' "$TMPD/nfacctd.log" | grep -q . ||
   grep -qiE 'malformed|unknown|unable' "$TMPD/nfacctd.log"; then
	grep -v ' INFO ' "$TMPD/nfacctd.log" | head -5 | sed 's/^/# nfacctd: /'
	fail "nfacctd complains"
fi
exit 0
