# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the selftests (sourced). Each test builds its own
# namespaces; fm_cleanup (run on exit) removes them and the module.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

FM_KO=${FM_KO:?FM_KO must name flowmeter.ko}
SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$SELFTESTS")
NETNS=()
PIDS=()

log() { echo "# $*"; }
fail() { echo "# FAIL: $*"; exit $KSFT_FAIL; }
skip() { echo "# SKIP: $*"; exit $KSFT_SKIP; }

fm_load() { insmod "$FM_KO" "$@" || fail "insmod $FM_KO $*"; }
fm_unload() { ! grep -q '^flowmeter ' /proc/modules || rmmod flowmeter || fail "rmmod"; }

# ns_add NAME...: new namespaces with lo up, removed by fm_cleanup
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$n" || fail "ip netns add $n"
		ip -n "$n" link set lo up
		NETNS+=("$n")
	done
}

# fm_stat NAME [NETNS]: one counter from /proc/net/flowmeter/stats
fm_stat() {
	local cmd=(cat /proc/net/flowmeter/stats)
	[ -n "${2:-}" ] && cmd=(ip netns exec "$2" "${cmd[@]}")
	"${cmd[@]}" | awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "missing" }'
}

# wait_stat NAME NETNS VALUE [SECONDS]: until the counter equals VALUE
# wait_stat_min NAME NETNS MIN [SECONDS]: until it is at least MIN
# Else fail after SECONDS (default 30: TCG on a loaded machine is slow).
wait_stat() { wait_stat_op -eq "$@"; }
wait_stat_min() { wait_stat_op -ge "$@"; }
wait_stat_op() {
	local op=$1 i v
	shift
	for i in $(seq $((${4:-30} * 5))); do
		v=$(fm_stat "$1" "$2")
		[ "$v" != missing ] && [ "$v" "$op" "$3" ] && return 0
		sleep 0.2
	done
	fail "$1 in ${2:-init netns} is $v after ${4:-30} s, want $op $3"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
	log "$1 = $2"
}

# fc ARGS...: flowctl (FC, built by make flowctl) in the router netns r;
# fcj ARGS...: flowctl -j, printing nothing (so the check using it fails)
# and saying why unless it succeeds with valid JSON; jq_eq WHAT FILTER
# WANT JSON: the compact jq FILTER of JSON is WANT
FC=$TOP/userspace/flowctl
fc() { ip netns exec r "$FC" "$@"; }
fcj() {
	local out
	out=$(ip netns exec r "$FC" -j "$@") || { log "flowctl -j $* failed" >&2; return 1; }
	jq -e . <<< "$out" >/dev/null || { log "flowctl -j $* printed bad JSON: $out" >&2; return 1; }
	echo "$out"
}
jq_eq() { expect_eq "$1" "$(jq -c "$2" <<< "$4")" "$3"; }

# topo_routed [PFX]: a (a0: 10.0.1.1, fd01::1) -- (r0) r (r1) -- b (b0:
# 10.0.2.1, fd02::1); r forwards IPv4 and IPv6. Every name gets PFX.
topo_routed() {
	local p=${1:-}
	ns_add ${p}a ${p}r ${p}b
	ip link add name ${p}a0 netns ${p}a type veth peer name ${p}r0 netns ${p}r || fail veth
	ip link add name ${p}b0 netns ${p}b type veth peer name ${p}r1 netns ${p}r || fail veth
	ip -n ${p}a link set dev ${p}a0 up
	ip -n ${p}b link set dev ${p}b0 up
	ip -n ${p}r link set dev ${p}r0 up
	ip -n ${p}r link set dev ${p}r1 up
	ip -n ${p}a addr add 10.0.1.1/24 dev ${p}a0
	ip -n ${p}r addr add 10.0.1.254/24 dev ${p}r0
	ip -n ${p}b addr add 10.0.2.1/24 dev ${p}b0
	ip -n ${p}r addr add 10.0.2.254/24 dev ${p}r1
	ip -n ${p}a addr add fd01::1/64 dev ${p}a0 nodad
	ip -n ${p}r addr add fd01::fe/64 dev ${p}r0 nodad
	ip -n ${p}b addr add fd02::1/64 dev ${p}b0 nodad
	ip -n ${p}r addr add fd02::fe/64 dev ${p}r1 nodad
	ip -n ${p}a route add default via 10.0.1.254
	ip -n ${p}b route add default via 10.0.2.254
	ip -n ${p}a -6 route add default via fd01::fe
	ip -n ${p}b -6 route add default via fd02::fe
	ip netns exec ${p}r sysctl -qw net.ipv4.ip_forward=1
	ip netns exec ${p}r sysctl -qw net.ipv6.conf.all.forwarding=1
	# A sink on b's UDP port 9000, so test traffic draws no ICMP errors.
	ip netns exec ${p}b python3 "$SELFTESTS/udpsink.py" 9000 &
	PIDS+=($!)
	wait_port ${p}b 9000
	# Resolve neighbours now so later counts hold only the test's packets.
	ip netns exec ${p}a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "no IPv4 route through ${p}r"
	ip netns exec ${p}a ping -q -c 1 -W 5 fd02::1 >/dev/null || fail "no IPv6 route through ${p}r"
}

# topo_bridge MACX MACY: hosts x (x0, MAC MACX) and y (y0, MACY) on a
# bridge br0 in topo_routed's r, over ports rx and ry; no IPv6 on the
# hosts and ports (their router solicitations and MLD reports would be
# bridged frames, metered), no br_netfilter (bridged frames reach the IP
# hooks only if asked)
topo_bridge() {
	local n
	ns_add x y
	for n in x y r; do
		ip netns exec $n sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add name x0 netns x type veth peer name rx netns r || fail veth
	ip link add name y0 netns y type veth peer name ry netns r || fail veth
	ip -n x link set dev x0 address "$1" up
	ip -n y link set dev y0 address "$2" up
	ip -n r link add name br0 type bridge || fail "bridge"
	ip -n r link set dev rx master br0 up
	ip -n r link set dev ry master br0 up
	ip -n r link set dev br0 up
	ip netns exec r sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
	ip netns exec r sysctl -qw net.bridge.bridge-nf-call-ip6tables=0 2>/dev/null || true
}

# topo_collector [PFX]: a collector namespace c (c0: 10.0.9.1, fd09::1)
# on a third link of topo_routed's router r (r9: 10.0.9.254, fd09::fe).
topo_collector() {
	local p=${1:-}
	ns_add ${p}c
	ip link add name ${p}c0 netns ${p}c type veth peer name ${p}r9 netns ${p}r || fail veth
	ip -n ${p}c link set dev ${p}c0 up
	ip -n ${p}r link set dev ${p}r9 up
	ip -n ${p}c addr add 10.0.9.1/24 dev ${p}c0
	ip -n ${p}r addr add 10.0.9.254/24 dev ${p}r9
	ip -n ${p}c addr add fd09::1/64 dev ${p}c0 nodad
	ip -n ${p}r addr add fd09::fe/64 dev ${p}r9 nodad
	ip -n ${p}c route add default via 10.0.9.254
	ip -n ${p}c -6 route add default via fd09::fe
	ip netns exec ${p}r ping -q -c 1 -W 5 10.0.9.1 >/dev/null || fail "no IPv4 link to ${p}c"
	ip netns exec ${p}r ping -q -c 1 -W 5 fd09::1 >/dev/null || fail "no IPv6 link to ${p}c"
}

# nat_rules [NETNS]: the NAT of topo_routed's router (r): what leaves
# on r1 for b is translated, TCP and UDP to 10.0.2.254 ports 20000-20999
# (fd02::fe over IPv6, NAT66), anything else masqueraded (r1's address)
nat_rules() {
	ip netns exec "${1:-r}" nft -f - <<-END || fail "nft nat rules"
		table ip nat {
			chain postrouting {
				type nat hook postrouting priority srcnat;
				oifname "r1" meta l4proto { tcp, udp } snat to 10.0.2.254:20000-20999
				oifname "r1" masquerade
			}
		}
		table ip6 nat {
			chain postrouting {
				type nat hook postrouting priority srcnat;
				oifname "r1" meta l4proto { tcp, udp } snat to [fd02::fe]:20000-20999
				oifname "r1" masquerade
			}
		}
	END
}

# dest_stat ADDR:PORT FIELD: one counter of a destination of the router r
# (its line in /proc/net/flowmeter/stats)
dest_stat() {
	ip netns exec r cat /proc/net/flowmeter/stats |
		awk -v d="$1" -v f="$2" '$1 == "destination" && $2 == d {
			for (i = 3; i < NF; i += 2) if ($i == f) print $(i + 1) }'
}

# dest_wait ADDR:PORT FIELD MIN: until that counter is at least MIN (30 s)
dest_wait() {
	local i v
	for i in $(seq 150); do
		v=$(dest_stat "$1" "$2")
		[ "$v" -ge "$3" ] && return 0
		sleep 0.2
	done
	fail "$2 of $1: $v after 30 s, want at least $3"
}

# fm_load_in NETNS [PARAM...]: load the module from inside NETNS, so that
# NETNS's instance gets the load-time export destinations
fm_load_in() {
	local n=$1
	shift
	ip netns exec "$n" insmod "$FM_KO" "$@" || fail "insmod in $n: $*"
}

# wait_port NETNS PORT [udp|tcp]: until a socket listens there (30 s at most)
wait_port() {
	local i proto=${3:-udp}
	for i in $(seq 300); do
		ip netns exec "$1" ss -Hl --$proto -n "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on $proto port $2 in $1"
}

# topo_agg_hosts: on topo_routed, the hosts of aggsend.py behind a and b
# (10.1.0.0/16, fd11::/16; 10.2.0.0/16, fd22::/16): a sends from them, r
# routes to them (b, not forwarding, drops them silently); no
# reverse-path check on the way.
topo_agg_hosts() {
	ip netns exec r sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec r sysctl -qw net.ipv4.conf.r0.rp_filter=0
	ip -n r route add 10.1.0.0/16 via 10.0.1.1
	ip -n r route add 10.2.0.0/16 via 10.0.2.1
	ip -n r -6 route add fd11::/16 via fd01::1
	ip -n r -6 route add fd22::/16 via fd02::1
}

# nfcapd_start NETNS DIR PORT [ARG...]: an nfcapd in NETNS writing DIR
# (created), its log DIR.log, listening on PORT, with ARGs; its pid in
# NFCAPD (and PIDS)
nfcapd_start() {
	local ns=$1 dir=$2 port=$3
	shift 3
	mkdir -p "$dir"
	ip netns exec "$ns" nfcapd -w "$dir" -p "$port" -t 3600 "$@" >"$dir.log" 2>&1 &
	NFCAPD=$!
	PIDS+=($NFCAPD)
	wait_port "$ns" "$port"
}

# udp_send NETNS DST PORT COUNT [SIZE] [SPORT] [FLOWS]: COUNT datagrams of
# SIZE payload bytes, round robin from FLOWS sockets bound to source ports
# SPORT, SPORT+1, ... (SPORT 0: one socket, ephemeral port)
udp_send() {
	ip netns exec "$1" python3 "$SELFTESTS/udpgen.py" "$2" "$3" "$4" "${5:-64}" "${6:-0}" "${7:-1}" ||
		fail "udpgen $*"
}

# capture_start NETNS IFACE FILE: dumpcap of the export datagrams (UDP to
# 10.0.9.0/24 or fd09::/64, the collector's) on IFACE into FILE;
# capture_stop ends it and waits for the file to be complete.
capture_start() {
	ip netns exec "$1" dumpcap -q -i "$2" -P -w "$3" \
		-f "udp and (dst net 10.0.9.0/24 or dst net fd09::/64)" 2>/dev/null &
	CAPTURE=$!
	# dumpcap writes the file's header once the interface is open and the
	# filter set: until then, packets would be missed. 30 s at most.
	local i
	for i in $(seq 150); do
		[ "$(stat -c %s "$3" 2>/dev/null || echo 0)" -ge 24 ] && break
		kill -0 "$CAPTURE" 2>/dev/null || fail "dumpcap on $2 in $1 exited"
		sleep 0.2
	done
	[ "$(stat -c %s "$3" 2>/dev/null || echo 0)" -ge 24 ] || fail "dumpcap on $2 in $1 never started"
	sleep 0.5
}
capture_stop() {
	sleep 1
	kill "$CAPTURE"
	wait "$CAPTURE" 2>/dev/null
}

# tshark_by_port PCAP DIR PORT...: tshark -V of the export datagrams in
# PCAP, decoded as cflow on each PORT, into DIR/tshark; each datagram's
# text in DIR/portPORT.tshark by its destination port; fail on tshark's
# expert info
tshark_by_port() {
	local pcap=$1 dir=$2 port args=()
	shift 2
	for port in "$@"; do args+=(-d "udp.port==$port,cflow"); done
	tshark -r "$pcap" "${args[@]}" -V >"$dir/tshark" 2>"$dir/tshark.err" ||
		fail "tshark: $(cat "$dir/tshark.err")"
	grep -q 'Expert Info' "$dir/tshark" &&
		fail "tshark expert info: $(grep -m3 'Expert Info' "$dir/tshark")"
	awk -v d="$dir" '
	function out() { for (i = 0; i < n; i++) print buf[i] > (d "/port" port ".tshark"); n = 0 }
	/^Frame [0-9]+:/ { out(); port = 0 }
	/^User Datagram Protocol, .*Dst Port: / { p = $0; sub(/.*Dst Port: /, "", p); sub(/.*\(/, "", p); port = p + 0 }
	{ buf[n++] = $0 }
	END { out() }' "$dir/tshark" || fail "tshark text by port"
}

# capture_split PCAP PORT OUT: the datagrams to PORT only, as a pcap
# (selftests/pcapudp.py: a tshark started for this took 15 s under TCG)
capture_split() {
	python3 "$SELFTESTS/pcapudp.py" split "$1" "$2" "$3" || fail "split $1 to $3"
}

# capture_payloads PCAP OUT: the UDP payloads one after the other (an
# IPFIX file: what ipfixDump reads)
capture_payloads() {
	python3 "$SELFTESTS/pcapudp.py" payloads "$1" "$2" || fail "payloads of $1"
}

# nfacctd_decode PCAP OUT [FIELDS]: pmacct's nfacctd decodes the capture offline
# (print plugin, csv) into OUT, one line a flow, and logs to OUT.log;
# fail if the log says anything but INFO. FIELDS: more primitives to
# aggregate on (", timestamp_start" keeps records apart). The print plugin
# writes once, when nfacctd exits at the capture's end: each periodic
# refresh would replace OUT with the records of its own interval only, so a
# decode slowed past the refresh time by a busy host printed part of the
# flows. nfacctd sometimes exits before its print plugin writes: an empty
# result is tried again. NFACCTD_CONF: more configuration lines.
nfacctd_decode() {
	local pcap=$1 out=$2 more=${3:-} i
	cat >"$out.conf" <<-END
	daemonize: false
	pcap_savefile: $pcap
	plugins: print
	aggregate: export_proto_version, src_host, dst_host, src_port, dst_port, proto$more
	print_output: csv
	print_num_protos: true
	print_output_file: $out
	print_refresh_time: 86400
	logfile: $out.log
	${NFACCTD_CONF:-}
	END
	for i in 1 2 3 4 5; do
		rm -f "$out" "$out.log"
		timeout 60 nfacctd -f "$out.conf" >/dev/null 2>&1
		[ -s "$out" ] && [ "$(wc -l <"$out")" -gt 1 ] && break
		log "nfacctd printed nothing (try $i)"
	done
	[ -s "$out" ] && [ "$(wc -l <"$out")" -gt 1 ] || fail "nfacctd printed no flows from $pcap"
	if grep -v ' INFO ' "$out.log" | grep -q . ||
	   grep -qiE 'malformed|unknown|unable' "$out.log"; then
		grep -v ' INFO ' "$out.log" | head -5 | sed 's/^/# nfacctd: /'
		grep -iE 'malformed|unknown|unable' "$out.log" | head -5 | sed 's/^/# nfacctd: /'
		fail "nfacctd complains decoding $pcap"
	fi
}

# backlog_raise: room in every CPU's backlog for a burst that crosses
# veths at a raw socket's pace, so that the router sees every packet the
# sender sent (the default 1000 overflows under TCG); put back on exit
backlog_raise() {
	FM_BACKLOG=$(sysctl -n net.core.netdev_max_backlog)
	sysctl -qw net.core.netdev_max_backlog=100000
}

fm_cleanup() {
	local n
	[ -n "${FM_BACKLOG:-}" ] && sysctl -qw net.core.netdev_max_backlog="$FM_BACKLOG"
	# Every background job of the test, also those a failed check left
	# running (a collector it meant to stop), then wait for them.
	for n in "${PIDS[@]}" $(jobs -p); do kill "$n" 2>/dev/null; done
	wait 2>/dev/null
	for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	NETNS=()
	fm_unload
}
trap fm_cleanup EXIT
