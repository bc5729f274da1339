#!/bin/bash
# The wall clock stepped back an hour under traffic (NTP on a router
# without an RTC): v9 and v5 keep their uptimes from the boot clock, so
# sysUptime and every record's FIRST/LAST stay real (not clamped to 0,
# which selftests/wirecheck.py reports), and the times of a flow metered
# after the step are in the new wall clock's frame, in every version.
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || fail "jq not installed"
topo_routed
topo_collector
TMPD=$(mktemp -d)
STEPPED=0
restore_clock() { [ "$STEPPED" = 1 ] && date -s @$(($(date +%s) + 3600)) >/dev/null; STEPPED=0; }
trap 'restore_clock; fm_cleanup' EXIT

check() {
	local v=$1 port=$2 f=$TMPD/v$1 rcv t0 t1 recs n
	ip netns exec c python3 "$SELFTESTS/wirecheck.py" recv "$port" "$f" &
	rcv=$!
	wait_port c "$port"
	fm_load_in r destination=10.0.9.1:"$port" export_version="$v" inactive_timeout=1
	udp_send a 10.0.2.1 9000 10 100 4000
	wait_stat_min export_records r 1
	date -s @$(($(date +%s) - 3600)) >/dev/null || fail "date -s"
	STEPPED=1
	t0=$(($(date +%s%3N) - 2000))
	udp_send a 10.0.2.1 9000 10 100 4001
	wait_stat_min export_records r 2
	t1=$(($(date +%s%3N) + 1000))
	fm_unload
	sleep 1
	kill "$rcv"
	wait "$rcv" 2>/dev/null
	restore_clock
	recs=$(python3 "$SELFTESTS/wirecheck.py" check "$f" "$v" 2>"$f.err")
	sed 's/^/# /' "$f.err" | head -10
	[ -s "$f.err" ] && fail "v$v: export datagrams not clean after the clock step"
	n=$(jq -s '[.[] | select(.sport == 4000 or .sport == 4001) | .packets] | add' <<< "$recs")
	expect_eq "v$v: packets of both flows" "$n" 20
	# The flow after the step: in the stepped clock's frame.
	jq -e --argjson t0 "$t0" --argjson t1 "$t1" \
		'select(.sport == 4001 and (.start < $t0 or .end > $t1 or .end < .start))' <<< "$recs" >/dev/null &&
		fail "v$v: the flow after the step has times outside [$t0, $t1]: $(jq -c 'select(.sport == 4001) | [.start, .end]' <<< "$recs")"
	log "v$v: clean, times of the flow after the step within [$t0, $t1]"
}

check 9 2055
check 5 2056
check 10 4739
rm -rf "$TMPD"
exit 0
