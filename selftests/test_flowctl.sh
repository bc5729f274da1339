#!/bin/bash
# flowctl drives the module of the netns it runs in over generic netlink:
# every setting round trips through `show`, flows and top report exact
# counts of known UDP flows, flush and timeouts empty the cache,
# destinations come and go, and bad words, refusals and unprivileged
# changes fail with a message and the documented exit status.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"

# expect_fail WHAT RC PATTERN CMD...: CMD exits RC, saying PATTERN on stderr
expect_fail() {
	local what=$1 rc=$2 pattern=$3 err got
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	got=$?
	[ "$got" = "$rc" ] || fail "$what: '$*' exited $got, want $rc ($err)"
	grep -qE -- "$pattern" <<< "$err" || fail "$what: '$*' said '$err', want /$pattern/"
	log "$what: exit $rc, $(head -n 1 <<< "$err")"
}

topo_routed
fm_load

log "--- help and usage (checked before anything is sent)"
"$FC" --help | grep -q "Exit status" || fail "--help has no exit status"
"$FC" help set | grep -q "template-refresh" || fail "help set"
"$FC" -V | grep -q "^flowctl " || fail "-V"
expect_fail "unknown command" 2 "'frobnicate'" "$FC" frobnicate
expect_fail "unknown set word" 2 "unknown word 'bogus'" "$FC" set bogus 1
expect_fail "timeout not a number" 2 "'abc' is not a number" "$FC" set timeout active abc
expect_fail "timeout out of range" 2 "out of range" "$FC" set timeout inactive 0
expect_fail "max-flows out of range" 2 "out of range" "$FC" set max-flows 999999999
expect_fail "bad hook" 2 "'forwad' is not one of" "$FC" set hooks prerouting,forwad
expect_fail "missing value" 2 "needs a value" "$FC" set mtu
expect_fail "destination without port" 2 "has no port" "$FC" destination add 10.0.2.1
expect_fail "bad protocol" 2 "'tpc' is not" "$FC" flows proto tpc
expect_fail "top -n too big" 2 "out of range" "$FC" top -n 101
expect_fail "mark outside its mask" 2 "bits outside its mask" "$FC" set mark 0x1ff/0xff
expect_fail "mark not a number" 2 "'0xg' is not a number" "$FC" set mark 0xg

log "--- set and show"
jq_eq "default hooks" .hooks '["forward"]' "$(fcj show)"
# Long timeouts: under TCG the flows must outlive many slow commands.
fc set timeout active 1200 inactive 600 max-flows 5000 || fail "set timeout, max-flows"
fc set sampling 1 deterministic flowlabel on domain-id 42 hooks prerouting,forward || fail "set sampling, flowlabel, domain-id, hooks"
fc set template-refresh 30 packets 5 mtu 1400 || fail "set template-refresh, mtu"
jq_eq "settings" '[.active_timeout, .inactive_timeout, .max_flows, .sampling_rate, .sampling_mode, .flowlabel, .domain_id, .template_refresh, .template_packets, .hooks]' \
	'[1200,600,5000,1,"deterministic",true,42,30,5,["prerouting","forward"]]' "$(fcj show)"
fc set hooks forward flowlabel off || fail "set hooks, flowlabel back"
out=$(fc show) || fail "show"
grep -q "inactive timeout: 600s" <<< "$out" || fail "human show: $out"
grep -q "flow label: off" <<< "$out" || fail "human show: $out"
grep -qx "  hooks: forward" <<< "$out" || fail "human show: $out"
grep -qx "  mark: all" <<< "$out" || fail "human show: $out"
fc set mark 0x10/0xf0 || fail "set mark"
jq_eq "mark" '[.mark, .mark_mask]' '[16,240]' "$(fcj show)"
fc show | grep -qx "  mark: 0x10/0xf0" || fail "human show of the mark: $(fc show)"
fc set mark all || fail "set mark all"
jq_eq "mark all" '[.mark, .mark_mask]' '[0,0]' "$(fcj show)"

log "--- flows: exact counts, filters, interface names"
udp_send a 10.0.2.1 9000 123 100 5555
udp_send a 10.0.2.1 9000 300 100 6666
udp_send a fd02::1 9000 7 100 7777
flows=$(fcj flows)
jq_eq "UDP flow 5555" 'map(select(.sport == 5555)) | map([.src, .dst, .proto, .dport, .packets, .bytes, .in_ifname, .out_ifname])' \
	'[["10.0.1.1","10.0.2.1",17,9000,123,15744,"r0","r1"]]' "$flows"
jq_eq "IPv6 flow" 'map(select(.family == "inet6")) | map([.src, .packets, .bytes])' '[["fd01::1",7,1036]]' "$flows"
jq_eq "filter" 'map(.packets)' '[123]' "$(fcj flows src 10.0.1.1 dst 10.0.2.1 sport 5555 dport 9000 proto udp)"
jq_eq "filter on port only" 'map(.packets)' '[300]' "$(fcj flows sport 6666)"
jq_eq "filter matches nothing" length 0 "$(fcj flows proto tcp)"
jq_eq "sort bytes limit 1" 'map(.sport)' '[6666]' "$(fcj flows sort bytes limit 1)"
jq_eq "sort packets" 'map(.sport)' '[6666,5555,7777]' "$(fcj flows proto udp sort packets)"
out=$(fc -e flows src 10.0.1.1 sort packets) || fail "human flows"
log "$out"
grep -qE '^SrcIf +SrcIPaddress +DstIf +DstIPaddress +Pr +SrcP +DstP +Pkts +Bytes$' <<< "$out" ||
	fail "human flows header"
grep -qE '^r0 +10\.0\.1\.1 +r1 +10\.0\.2\.1 +udp +5555 +9000 +123 +15744$' <<< "$out" ||
	fail "human flows line for 5555"
fc flows dport 9000 | grep -qE ' 300 +38\.4K$' || fail "human numbers: $(fc flows dport 9000)"

log "--- top"
jq_eq "top -n 1" 'map([.sport, .packets])' '[[6666,300]]' "$(fcj top -n 1)"
jq_eq "top by packets" 'map(.sport)' '[6666,5555,7777]' "$(fcj top --by packets)"
fc set top 2 by packets || fail "set top"
jq_eq "procfs top settings" '[.top_n, .top_by]' '[2,"packets"]' "$(fcj show)"
out=$(ip netns exec r cat /proc/net/flowmeter/top)
log "$out"
grep -qx "Top 2 flows by packets" <<< "$out" || fail "/proc/net/flowmeter/top title"
[ "$(grep -cE ' 10\.0\.1\.1 +r1 ' <<< "$out")" = 2 ] || fail "/proc/net/flowmeter/top: not 2 flows"
grep -E ' 10\.0\.1\.1 +r1 ' <<< "$out" | head -n 1 | grep -qE ' 6666 +9000 00 +300 ' ||
	fail "/proc/net/flowmeter/top: 6666 (300 packets) is not first"
expect_fail "set top too big" 2 "out of range" "$FC" set top 101

log "--- stats"
# Exact for the test's flows; a stray packet (6.12 forwards one now and
# then) may add a flow of its own, so totals are bounds.
stats=$(fcj stats)
jq_eq "stats" '[.flows_active >= 3, .flows_created >= 3, .packets_metered >= 430]' '[true,true,true]' "$stats"
jq_eq "stats names are those of /proc" 'keys' \
	"$(ip netns exec r cat /proc/net/flowmeter/stats | awk '$1 !~ /^(export_|destination)/ { print $1 }' | jq -Rsc 'split("\n")[:-1] | sort')" "$stats"
fc stats | grep -qE '^flows_created +[0-9]+$' || fail "human stats"

log "--- flush"
forced=$(fcj stats | jq '.flows_expired_forced + .flows_active')
fc flush || fail "flush"
jq_eq "no flows after flush" length 0 "$(fcj flows proto udp)"
jq_eq "every flow ended by flush" .flows_expired_forced "$forced" "$(fcj stats)"

log "--- inactive timeout"
idle=$(fcj stats | jq .flows_expired_idle)
udp_send a 10.0.2.1 9000 10 100 5555
jq_eq "a new flow" 'map(.packets)' '[10]' "$(fcj flows sport 5555)"
fc set timeout inactive 1 || fail "set timeout inactive 1"
sleep 3
jq_eq "no flow 3 s after an inactive timeout of 1 s" length 0 "$(fcj flows sport 5555)"
jq_eq "it ended idle" ".flows_expired_idle > $idle" true "$(fcj stats)"

log "--- destinations"
fc destination add 10.0.2.1:2055 version 9 source 10.0.2.254 dscp 10 || fail "destination add v4"
fc destination add '[fd02::1]:4739' dev r1 || fail "destination add v6 dev r1"
jq_eq "destinations" 'map([.address, .port, .version, .source_address, .dscp, .dev])' \
	'[["10.0.2.1",2055,9,"10.0.2.254",10,null],["fd02::1",4739,10,null,0,"r1"]]' "$(fcj destination list)"
jq_eq "bound ifindex" '.[1].ifindex' "$(ip -n r -j link show r1 | jq '.[0].ifindex')" "$(fcj destination list)"
jq_eq "show lists them" '[.destination_count, (.destinations | length)]' '[2,2]' "$(fcj show)"
fc destination list | grep -qxF "destination: [fd02::1]:4739" || fail "human destination list"
fc destination list | grep -qxF "  dev: r1" || fail "human destination list: no 'dev: r1'"
expect_fail "dev of no device" 1 "flowctl: .*no such device" fc destination add 10.0.2.9:2055 dev nosuch
expect_fail "dev name too long" 2 "not a device name" fc destination add 10.0.2.9:2055 dev 0123456789abcdef
expect_fail "duplicate destination" 1 "flowctl: .+\(File exists\)" fc destination add 10.0.2.1:2055
fc destination del 10.0.2.1:2055 || fail "destination del v4"
fc destination del '[fd02::1]:4739' || fail "destination del v6"
jq_eq "no destinations" length 0 "$(fcj destination)"
expect_fail "delete a missing destination" 1 "flowctl: .+" fc destination del 10.0.2.1:2055

log "--- unprivileged"
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
expect_fail "set as nobody" 1 "not permitted" ip netns exec r "${nobody[@]}" "$FC" set max-flows 10
expect_fail "flush as nobody" 1 "not permitted" ip netns exec r "${nobody[@]}" "$FC" flush
jq_eq "max flows unchanged" .max_flows 5000 "$(fcj show)"

log "--- no module"
fm_unload
expect_fail "module not loaded" 1 "not loaded" fc show
exit 0
