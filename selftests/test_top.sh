#!/bin/bash
# Top talkers as Cisco defines them (module/top.c): match criteria and an
# aggregation, computed from the live cache merged across CPUs. Known
# flows from four IPv4 sources in two /24s (40, 20, 10 and 5 UDP flows;
# the first source's flows sent from both CPUs, so each is two per-CPU
# entries of one packet) and three IPv6 flows:
#  - top per src: each host once, its flows counted once, its packets
#    summed over both CPUs; per src prefix4 24: the two /24s' sums;
#    per src prefix6 64: the IPv6 sender's /64;
#  - match: a source prefix, a source port, a protocol, an input
#    interface, a ToS, alone and with an aggregation;
#  - /proc/net/flowmeter/top with `set top ... per src prefix4 24`.
. "$(dirname "$0")/lib.sh"

[ -x "$FC" ] || fail "$FC not built (make flowctl)"
command -v jq >/dev/null || fail "jq not installed"
command -v taskset >/dev/null || fail "no taskset"
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || fail "needs 2 online CPUs"

topo_routed
# the second /24 of sources is behind a, as the first
ip -n r route add 10.0.3.0/24 via 10.0.1.1
fm_load inactive_timeout=600 active_timeout=1800

# gen CPU SRC FLOWS: one 16-byte UDP datagram (44 bytes of IP) from each of
# FLOWS source ports (1024 on) of SRC to b's sink, sent from CPU
gen() {
	ip netns exec a taskset -c "$1" python3 "$SELFTESTS/flowgen.py" \
		"$2" 10.0.2.1 9000 "$3" 0 >/dev/null || fail "flowgen $*"
}
gen 0 10.0.1.1 40
gen 1 10.0.1.1 40
gen 0 10.0.1.2 20
gen 1 10.0.3.7 10
gen 0 10.0.3.9 5
udp_send a fd02::1 9000 12 16 7000 3	# 3 flows of 4 datagrams
wait_stat_min flows_active r 118 30	# 10.0.1.1's on both CPUs
sleep 1

log "--- per source host"
jq_eq "top per src" 'map([.src, .prefix_len, .flows, .packets, .bytes])' \
	'[["10.0.1.1",32,40,80,3520],["10.0.1.2",32,20,20,880],["fd01::1",128,3,12,768],["10.0.3.7",32,10,10,440],["10.0.3.9",32,5,5,220]]' \
	"$(fcj top per src)"
jq_eq "top per src by packets, -n 2" 'map(.src)' '["10.0.1.1","10.0.1.2"]' \
	"$(fcj top -n 2 by packets per src)"
jq_eq "top per dst" 'map([.dst, .flows, .packets])' '[["10.0.2.1",75,115],["fd02::1",3,12]]' \
	"$(fcj top per dst)"
log "--- per prefix"
jq_eq "top per src prefix4 24 prefix6 64" 'map([.src, .prefix_len, .flows, .packets])' \
	'[["10.0.1.0",24,60,100],["fd01::",64,3,12],["10.0.3.0",24,15,15]]' \
	"$(fcj top per src prefix4 24 prefix6 64)"
jq_eq "top per src prefix4 0" 'map([.src, .prefix_len, .flows])' \
	'[["0.0.0.0",0,75],["fd01::1",128,3]]' "$(fcj top per src prefix4 0)"

log "--- match"
jq_eq "top src 10.0.3.0/24: its flows" 'length' 15 "$(fcj top -n 100 src 10.0.3.0/24)"
jq_eq "top src 10.0.3.0/24 per src" 'map([.src, .flows])' '[["10.0.3.7",10],["10.0.3.9",5]]' \
	"$(fcj top src 10.0.3.0/24 per src)"
jq_eq "top sport 1024: one flow of each IPv4 host" 'map([.src, .sport, .packets]) | sort' \
	'[["10.0.1.1",1024,2],["10.0.1.2",1024,1],["10.0.3.7",1024,1],["10.0.3.9",1024,1]]' \
	"$(fcj top sport 1024)"
jq_eq "top dst fd02::/16 per src" 'map([.src, .flows])' '[["fd01::1",3]]' \
	"$(fcj top dst fd02::/16 per src)"
jq_eq "top proto tcp" 'length' 0 "$(fcj top proto tcp)"
jq_eq "top iif r0 per src: all come in on r0" 'map(.flows) | add' 78 "$(fcj top iif r0 per src)"
jq_eq "top iif r1" 'length' 0 "$(fcj top iif r1)"
jq_eq "top tos 0 per dst" 'map(.flows) | add' 78 "$(fcj top tos 0 per dst)"
jq_eq "top tos 4" 'length' 0 "$(fcj top tos 4)"
jq_eq "flows src 10.0.1.0/24 sport 1030" 'map([.src, .packets]) | sort' \
	'[["10.0.1.1",2],["10.0.1.2",1]]' "$(fcj flows src 10.0.1.0/24 sport 1030)"

log "--- bad words"
out=$(fc top src 10.0.0.0/33 2>&1) && fail "top src /33 accepted"
log "top src 10.0.0.0/33: $out"
out=$(fc top prefix4 24 2>&1) && fail "top prefix4 without per accepted"
log "top prefix4 24: $out"
out=$(fc top iif nosuch0 2>&1) && fail "top iif nosuch0 accepted"
log "top iif nosuch0: $out"

log "--- /proc/net/flowmeter/top"
fc set top 5 by packets per src prefix4 24 prefix6 64 || fail "set top per src"
jq_eq "procfs top settings" '[.top_n, .top_by, .top_per, .top_prefix4, .top_prefix6]' \
	'[5,"packets","src",24,64]' "$(fcj show)"
out=$(ip netns exec r cat /proc/net/flowmeter/top)
echo "$out" | sed 's/^/#   /'
grep -qx "Top 5 source prefixes (/24, /64) by packets" <<< "$out" || fail "procfs top title"
grep -qE '^10\.0\.1\.0/24 +60 +100 +4400 ' <<< "$out" || fail "procfs top: 10.0.1.0/24"
grep -qE '^10\.0\.3\.0/24 +15 +15 +660 ' <<< "$out" || fail "procfs top: 10.0.3.0/24"
grep -qE '^fd01::/64 +3 +12 +768 ' <<< "$out" || fail "procfs top: fd01::/64"
fc set top 10 per flow || fail "set top per flow"
grep -qx "Top 10 flows by packets" <<< "$(ip netns exec r cat /proc/net/flowmeter/top)" ||
	fail "procfs top back to flows"
exit 0
