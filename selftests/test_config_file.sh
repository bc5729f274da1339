#!/bin/bash
# flowctl -f / flowctl load: a good file is applied line by line (checked
# with flowctl -j show); a bad one is refused with FILE:LINE and exit 2
# before anything changes; a kernel refusal stops at its line with exit 1.
# flowctl stats --prometheus: well-formed text exposition whose values
# agree with /proc/net/flowmeter/stats.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"

fc() { ip netns exec r "$FC" "$@"; }
show() { fc -j show || fail "show"; }

# expect_eq on a jq filter of show's JSON
show_eq() { expect_eq "$1" "$(show | jq -c "$2")" "$3"; }

# run_fc WHAT RC PATTERN ARGS...: flowctl ARGS in r exits RC, its stderr
# matching PATTERN ("" for none)
run_fc() {
	local what=$1 rc=$2 pattern=$3 err got
	shift 3
	err=$(fc "$@" 2>&1 >/dev/null)
	got=$?
	[ "$got" = "$rc" ] || fail "$what: flowctl $* exited $got, want $rc ($err)"
	if [ -z "$pattern" ]; then
		[ -z "$err" ] || fail "$what: flowctl $* said '$err'"
	else
		grep -qE -- "$pattern" <<< "$err" || fail "$what: flowctl $* said '$err', want /$pattern/"
	fi
	log "$what: exit $rc${err:+, $err}"
}

TMPD=$(mktemp -d)
topo_routed
topo_collector
fm_load

log "--- a good file"
cat > "$TMPD/good.conf" <<'CONF'
# flowmeter test configuration

set timeout active 1200 inactive 600 max-flows 5000   # long: TCG is slow
	set sampling 1 deterministic hooks prerouting,forward
destination add 10.0.9.1:2055 version 9 source 10.0.9.254 dscp 10
destination add [fd09::1]:4739 dev r9 # IPFIX by default, bound to r9
CONF
run_fc "flowctl -f good.conf" 0 "" -f "$TMPD/good.conf"
show_eq "settings" '[.active_timeout, .inactive_timeout, .max_flows, .sampling_rate, .hooks]' \
	'[1200,600,5000,1,["prerouting","forward"]]'
show_eq "destinations" '.destinations | map([.address, .port, .version, .source_address, .dscp, .dev])' \
	'[["10.0.9.1",2055,9,"10.0.9.254",10,null],["fd09::1",4739,10,null,0,"r9"]]'
printf 'set mtu 1400\ndestination del [fd09::1]:4739\n' > "$TMPD/second.conf"
run_fc "flowctl load second.conf" 0 "" load "$TMPD/second.conf"
show_eq "second file applied" '[.destination_count, (.destinations | map(.mtu))]' '[1,[1400]]'

log "--- a bad file changes nothing"
# the configuration: show without the destinations' counters
config() { show | jq -c '.destinations |= map({address, port, version, source_address, dscp, mtu})'; }
before=$(config)
cat > "$TMPD/bad.conf" <<'CONF'
# line 2 is good, line 4 is not
set max-flows 7 hooks input

set timeout active 60 bogus 1
destination add 10.0.9.1:9995
CONF
run_fc "bad word" 2 "^$TMPD/bad.conf:4: set: unknown word 'bogus'$" -f "$TMPD/bad.conf"
printf 'destination add 10.0.9.1:9995\n\n\ndestination add 10.0.9.1 version 5\n' > "$TMPD/bad2.conf"
run_fc "missing port" 2 "^$TMPD/bad2.conf:4: destination: '10.0.9.1' has no port" load "$TMPD/bad2.conf"
printf 'set max-flows 7\nflush\n' > "$TMPD/bad3.conf"
run_fc "command not allowed" 2 "^$TMPD/bad3.conf:2: 'flush' cannot be used in a file" -f "$TMPD/bad3.conf"
run_fc "missing file" 2 "$TMPD/none.conf: No such file" -f "$TMPD/none.conf"
expect_eq "configuration after bad files" "$(config)" "$before"

log "--- AS tables named by a file"
# relative to the file's directory, read before any line is applied
printf '10.0.0.0/8 64500\n10.1.0.0/16 4200000001\nfd00::/8 64501\n' > "$TMPD/as.txt"
printf 'set max-flows 9\nasn load as.txt\n' > "$TMPD/as.conf"
run_fc "asn load beside the file (cwd elsewhere)" 0 "" -f "$TMPD/as.conf"
expect_eq "AS table loaded" "$(fc -j asn show | jq -c '[.ranges4, .ranges6]')" '[3,1]'
printf '10.0.0.0/33 1\n' > "$TMPD/bad_as.txt"
printf 'set max-flows 11\nasn load bad_as.txt\n' > "$TMPD/bad_as.conf"
run_fc "a bad AS table" 2 "bad_as.txt" -f "$TMPD/bad_as.conf"
show_eq "nothing applied before the bad table" .max_flows 9
printf 'asn load none.txt\n' > "$TMPD/none_as.conf"
run_fc "a missing AS table" 2 "^$TMPD/none_as.conf:1: asn load: $TMPD/none.txt: No such file" -f "$TMPD/none_as.conf"
printf 'asn clear\n' > "$TMPD/clear.conf"
run_fc "asn clear" 0 "" -f "$TMPD/clear.conf"
expect_eq "AS table cleared" "$(fc -j asn show | jq -c '[.ranges4, .ranges6]')" '[0,0]'

log "--- a kernel refusal stops at its line"
printf 'set max-flows 6000\n# the same destination again\ndestination add 10.0.9.1:2055\nset max-flows 7000\n' > "$TMPD/dup.conf"
run_fc "duplicate destination" 1 "^$TMPD/dup.conf:3: .*\(File exists\)$" -f "$TMPD/dup.conf"
show_eq "lines before it applied, after it not" .max_flows 6000

log "--- stats --prometheus"
udp_send a 10.0.2.1 9000 50 100 5555
prom1=$(fc stats --prometheus) || fail "stats --prometheus"
proc=$(ip netns exec r cat /proc/net/flowmeter/stats)
prom2=$(fc stats --prometheus) || fail "stats --prometheus"
# Every sample is NAME[{reason="..."}] VALUE, after its family's HELP and
# TYPE; every family is announced once.
awk '
	/^# HELP / { if (help[$3]++) { print "HELP twice: " $3; bad = 1 } next }
	/^# TYPE / { if ($4 != "counter" && $4 != "gauge") { print "bad TYPE: " $0; bad = 1 }
		     type[$3] = $4; next }
	{
		if ($0 !~ /^flowmeter_[a-z0-9_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$/) { print "bad line: " $0; bad = 1; next }
		name = $1; sub(/\{.*/, "", name)
		if (!(name in type) || !(name in help)) { print "no HELP/TYPE before: " $0; bad = 1 }
		if (type[name] == "counter" && name !~ /_total$/) { print "counter without _total: " name; bad = 1 }
		n++
	}
	END { if (n < 20) { print "only " n " samples"; bad = 1 } exit bad }
' <<< "$prom1" || fail "stats --prometheus is not well formed: $prom1"
log "$(grep -vc '^#' <<< "$prom1") samples"

# prom METRIC: its value in prom1 and prom2; proc NAME: in /proc
prom() { awk -v m="$1" '$1 == m { print $2 }' <<< "$2"; }
procv() { awk -v k="$1" '$1 == k { print $2 }' <<< "$proc"; }
# between WHAT METRIC PROCNAME: prom1 <= proc <= prom2 (traffic of the
# router itself may come between the reads)
between() {
	local a b p
	a=$(prom "$2" "$prom1") p=$(procv "$3") b=$(prom "$2" "$prom2")
	[ -n "$a" ] && [ -n "$p" ] && [ -n "$b" ] && [ "$a" -le "$p" ] && [ "$p" -le "$b" ] ||
		fail "$1: prometheus $a, $b; /proc $p"
	log "$1: prometheus $a .. $b, /proc $p"
}
between "packets seen" flowmeter_packets_seen_total packets_seen
between "packets metered" flowmeter_packets_metered_total packets_metered
between "bytes metered" flowmeter_bytes_metered_total bytes_metered
between "flows created" flowmeter_flows_created_total flows_created
between "expired idle" 'flowmeter_flows_expired_total{reason="idle"}' flows_expired_idle
between "parse errors, bad ihl" 'flowmeter_parse_errors_total{reason="bad_ihl"}' parse_error_bad_ihl
[ "$(prom flowmeter_packets_metered_total "$prom1")" -ge 50 ] || fail "the 50 packets are not metered"
# the destination left by the files above, against its /proc line
dest='{destination="10.0.9.1:2055",version="netflow9"}'
a=$(prom "flowmeter_export_packets_total$dest" "$prom1")
b=$(prom "flowmeter_export_packets_total$dest" "$prom2")
p=$(awk '$1 == "destination" && $2 == "10.0.9.1:2055" { for (i = 3; i < NF; i++) if ($i == "packets") print $(i + 1) }' <<< "$proc")
[ -n "$a" ] && [ -n "$p" ] && [ -n "$b" ] && [ "$a" -le "$p" ] && [ "$p" -le "$b" ] ||
	fail "export packets of 10.0.9.1:2055: prometheus $a, $b; /proc $p"
log "export packets of 10.0.9.1:2055: prometheus $a .. $b, /proc $p"
[ "$(grep -c '^flowmeter_export_[a-z_]*_total{destination=' <<< "$prom1")" = 6 ] ||
	fail "not 6 export counters for the one destination"
grep -qx '# TYPE flowmeter_flows_active gauge' <<< "$prom1" || fail "flows_active is not a gauge"

rm -rf "$TMPD"
exit 0
