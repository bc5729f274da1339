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

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got $2, want $3"
	log "$1 = $2"
}

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
	# Resolve neighbours now so later counts hold only the test's packets.
	ip netns exec ${p}a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "no IPv4 route through ${p}r"
	ip netns exec ${p}a ping -q -c 1 -W 5 fd02::1 >/dev/null || fail "no IPv6 route through ${p}r"
}

# udp_send NETNS DST PORT COUNT [SIZE] [SPORT]: COUNT datagrams of SIZE
# payload bytes from one socket (one flow)
udp_send() {
	ip netns exec "$1" python3 "$SELFTESTS/udpgen.py" "$2" "$3" "$4" "${5:-64}" "${6:-0}" ||
		fail "udpgen $*"
}

fm_cleanup() {
	local n
	for n in "${PIDS[@]}"; do kill "$n" 2>/dev/null; done
	wait 2>/dev/null
	for n in "${NETNS[@]}"; do ip netns del "$n" 2>/dev/null; done
	NETNS=()
	fm_unload
}
trap fm_cleanup EXIT
