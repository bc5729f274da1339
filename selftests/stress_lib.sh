# SPDX-License-Identifier: GPL-2.0
# What the stress tests (test_stress_*.sh) share, sourced after lib.sh
# with CYCLES set: the cycle's source ports, the senders (stress_send.py,
# started once and driven round by round) and the collector's counts
# (ipfixcount.py's lines in $OUT).

PKTS=${FM_STRESS_PKTS:-100}	# datagrams per flow and CPU
FLOWS=2				# flows per CPU and cycle
ncpu=$(nproc)
cpus=$(seq -s, 0 $((ncpu - 1)))
STRIDE=$((ncpu * FLOWS))	# source ports per cycle
BASE=20000
[ $((BASE + (CYCLES + 1) * STRIDE)) -lt 65536 ] || fail "too many cycles for the port range"

# got SPORT: packets the collector decoded for the UDP flows to b's port
# 9000 from source ports SPORT .. SPORT + STRIDE - 1
got() {
	awk -v lo="$1" -v hi=$(($1 + STRIDE)) '$1 == 17 && $3 == 9000 &&
		$2 >= lo && $2 < hi { n += $4 } END { print n + 0 }' "$OUT"
}

# senders_start NETNS: the senders, pinned to every CPU, in NETNS (a's
# place in topo_routed's addressing). Then send SPORT COUNT: a round of
# COUNT datagrams per flow from every CPU, the total sent in $sent; COUNT
# 0: until stop, which sets $sent. $i names the cycle in failures.
senders_start() {
	coproc SEND { exec ip netns exec "$1" python3 "$SELFTESTS/stress_send.py" \
		10.0.2.1 fd02::1 9000 $FLOWS "$cpus"; }
	PIDS+=($SEND_PID)
}
send() {
	local x
	echo "$1 $2" >&"${SEND[1]}"
	if [ "$2" = 0 ]; then
		read -r -t 300 x <&"${SEND[0]}" && [ "$x" = started ] ||
			fail "cycle $i: senders did not start"
	else
		read -r -t 300 sent <&"${SEND[0]}" || fail "cycle $i: no count from the senders"
	fi
}
stop() {
	echo stop >&"${SEND[1]}"
	read -r -t 300 sent <&"${SEND[0]}" || fail "cycle $i: senders did not stop"
}

# recheck: no record came late or twice, and the collector decoded
# everything: each checked cycle's count (want[CYCLE]) once more.
recheck() {
	local bad n c
	sleep 1
	bad=$(grep -c '^[?!]' "$OUT" || true)
	[ "$bad" = 0 ] || fail "collector: $bad undecodable sets or messages: $(grep -m3 '^[?!]' "$OUT")"
	for c in "${!want[@]}"; do
		n=$(got $((BASE + c * STRIDE)))
		[ "$n" = "${want[$c]}" ] || fail "cycle $c: collector now has $n packets, senders sent ${want[$c]}"
	done
}
