#!/bin/bash
# Export bound to a management VRF or an interface: the router r reaches
# the collector address 10.0.9.1 (and fd09::1) three ways, and each of
# them holds it:
#   mc: through rm0, a slave of the VRF "mgmt" (table 10): the management
#       collector;
#   dc: through rd0, by r's main table (10.0.9.0/24 via 10.0.7.1): the
#       data plane, a decoy;
#   ic: through ri0, a plain interface with no route to 10.0.9.0/24 (a
#       bound socket sends on-link there).
# A destination bound to mgmt ("dev mgmt", or destination=...%mgmt at
# load) exports to mc only, also once the main table's routes change; one
# bound to ri0 to ic only, also after ri0 is renamed, and to nobody (errors
# counted) once ri0 is gone; an unbound one, the control, goes the main
# table's way to dc. Each collector decodes the IPFIX records: the flows
# sent arrive exact where they should and nothing arrives elsewhere. A
# source address of a VRF slave can be pinned with the VRF binding, one
# outside the VRF cannot. An IPv6 collector, unbound and bound to mgmt,
# too (no IPv6 on-link fallback for the plain interface: not tested).
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
fc() { ip netns exec r "$FC" "$@"; }

topo_routed
ip -n r link add mgmt type vrf table 10 || skip "no VRF support (CONFIG_NET_VRF)"
ip -n r link set mgmt up
# As an operator sets a VRF up: a lookup that misses its table must not
# fall through to the main table's rules (Documentation/networking/vrf.rst).
ip -n r route add table 10 unreachable default metric 4278198272
ip -n r -6 route add table 10 unreachable default metric 4278198272

# peer NS IF RIF RADDR ADDR: a collector netns NS (IF: ADDR/24 and
# 10.0.9.1/32) on r's RIF (RADDR/24); and the same in IPv6, fdXX::1/64
# and fd09::1/128 on r's fdXX::fe/64, XX the third byte of ADDR
peer() {
	local x6=fd0${5#10.0.}
	x6=${x6%.1}
	ns_add "$1"
	ip link add name "$2" netns "$1" type veth peer name "$3" netns r || fail veth
	[ "$3" = rm0 ] && ip -n r link set rm0 master mgmt
	ip -n r link set "$3" up
	ip -n "$1" link set "$2" up
	ip -n r addr add "$4/24" dev "$3"
	ip -n "$1" addr add "$5/24" dev "$2"
	[ "$5" = 10.0.9.1 ] || ip -n "$1" addr add 10.0.9.1/32 dev "$2"
	ip -n "$1" route add default via "$4"
	ip -n r addr add "$x6::fe/64" dev "$3" nodad
	ip -n "$1" addr add "$x6::1/64" dev "$2" nodad
	[ "$x6" = fd09 ] || ip -n "$1" addr add fd09::1/128 dev "$2" nodad
	ip -n "$1" -6 route add default via "$x6::fe"
}
peer mc mc0 rm0 10.0.9.254 10.0.9.1
peer dc dc0 rd0 10.0.7.254 10.0.7.1
peer ic ic0 ri0 10.0.6.254 10.0.6.1
ip -n r route add 10.0.9.0/24 via 10.0.7.1 dev rd0
ip -n r -6 route add fd09::/64 via fd07::1 dev rd0
expect_eq "main table's route to the collector" \
	"$(ip -n r route get 10.0.9.1 | grep -o 'dev [a-z0-9]*')" "dev rd0"
expect_eq "mgmt's route to the collector" \
	"$(ip -n r route get 10.0.9.1 vrf mgmt | grep -o 'dev [a-z0-9]*')" "dev rm0"
expect_eq "main table's IPv6 route to the collector" \
	"$(ip -n r -6 route get fd09::1 | grep -o 'dev [a-z0-9]*')" "dev rd0"
expect_eq "mgmt's IPv6 route to the collector" \
	"$(ip -n r -6 route get fd09::1 vrf mgmt | grep -o 'dev [a-z0-9]*')" "dev rm0"

TMPD=$(mktemp -d)
for n in mc dc ic; do
	: >"$TMPD/$n"
	ip netns exec $n python3 "$SELFTESTS/ipfixcount.py" 4739 "$TMPD/$n" &
	PIDS+=($!)
	wait_port $n 4739
done

# records NS TOTAL: once NS's collector has TOTAL UDP packets in its
# records, "SPORT PACKETS" per flow (a flow's records added up), sorted;
# every collector's records are then forgotten
records() {
	local i out
	for i in $(seq 150); do
		[ "$(awk '$1 == 17 { n += $4 } END { print n + 0 }' "$TMPD/$1")" -ge "$2" ] && break
		sleep 0.2
	done
	sleep 1
	grep -q '^[?!]' "$TMPD/$1" && fail "$1 could not decode: $(grep '^[?!]' "$TMPD/$1" | head -3)"
	awk '$1 == 17 && $3 == 9000 { n[$2] += $4 } END { for (k in n) print k, n[k] }' "$TMPD/$1" |
		sort | xargs
}

# nothing_at NS...: those collectors got no datagram at all
nothing_at() {
	local n
	for n in "$@"; do
		expect_eq "lines at $n" "$(wc -l <"$TMPD/$n")" 0
	done
}
forget() { local n; for n in mc dc ic; do : >"$TMPD/$n"; done; }

# round WHERE SPORT WHAT: 3 flows of 10 datagrams from ports SPORT..+2,
# flushed; their records arrive at WHERE, exact, and nowhere else
round() {
	local where=$1 sport=$2 others
	udp_send a 10.0.2.1 9000 30 64 "$sport" 3
	fc flush || fail "flush"
	expect_eq "$3: records at $where" "$(records "$where" 30)" \
		"$sport 10 $((sport + 1)) 10 $((sport + 2)) 10"
	others=$(printf '%s\n' mc dc ic | grep -vx "$where" | xargs)
	nothing_at $others
	forget
}

# wait_errors: until the destination counts a failed send
wait_errors() {
	local i
	for i in $(seq 150); do
		[ "$(fc -j destination list | jq '.[0].errors')" -gt 0 ] && return 0
		sleep 0.2
	done
	fail "no export error counted: $(fc -j destination list)"
}

log "--- destination=10.0.9.1:4739%mgmt at load, from r"
fm_load_in r "destination=10.0.9.1:4739%mgmt"
expect_eq "parameter read back" "$(cat /sys/module/flowmeter/parameters/destination)" \
	"10.0.9.1:4739%mgmt"
fc set timeout active 3600 inactive 3600 || fail "set timeouts"
expect_eq "bound device" "$(fc -j destination list | jq -r '.[0].dev')" mgmt
round mc 4000 "load-time %mgmt"
fm_unload
ip netns exec r insmod "$FM_KO" "destination=10.0.9.1:4739%nosuch" 2>/dev/null &&
	fail "insmod with destination=...%nosuch loaded"
log "insmod with a missing device refused"

fm_load
fc set timeout active 3600 inactive 3600 || fail "set timeouts"

log "--- control: unbound, the main table's way"
fc destination add 10.0.9.1:4739 || fail "destination add"
expect_eq "unbound: no dev" "$(fc -j destination list | jq -c '.[0] | [.dev, .ifindex]')" "[null,null]"
round dc 4100 "unbound"
fc destination del 10.0.9.1:4739 || fail "destination del"

log "--- dev mgmt"
fc destination add 10.0.9.1:4739 dev mgmt || fail "destination add dev mgmt"
expect_eq "bound to mgmt (-j)" "$(fc -j show | jq -c '.destinations[0] | [.dev, .ifindex]')" \
	"[\"mgmt\",$(ip -n r -j link show mgmt | jq '.[0].ifindex')]"
fc destination list | grep -qx '  dev: mgmt' || fail "destination list does not say 'dev: mgmt'"
round mc 4200 "dev mgmt"
# The data plane's routes change: a host route and a default route to the
# decoy in the main table. The export stays in the VRF.
ip -n r route add 10.0.9.1/32 via 10.0.7.1 dev rd0
ip -n r route add default via 10.0.7.1 dev rd0
ip -n r route del 10.0.9.0/24 via 10.0.7.1 dev rd0
round mc 4300 "dev mgmt, main table changed"
# The management link down: the export fails, counted, and goes nowhere.
log "--- dev mgmt, rm0 down"
ip -n r link set rm0 down
udp_send a 10.0.2.1 9000 30 64 4350 3
fc flush || fail "flush"
wait_errors
sleep 1
nothing_at mc dc ic
ip -n r link set rm0 up
# Its IPv6 address went with it (keep_addr_on_down is off): as it was.
ip -n r addr replace fd09::fe/64 dev rm0 nodad
fc destination del 10.0.9.1:4739 || fail "destination del"

log "--- dev mgmt source 10.0.9.254:5555 (a VRF slave's address)"
fc destination add 10.0.9.1:4739 dev mgmt source 10.0.9.254:5555 ||
	fail "destination add dev mgmt source 10.0.9.254:5555"
expect_eq "export socket" "$(ip netns exec r ss -Huan 'dport = :4739' | awk '{ print $(NF-1), $NF }')" \
	"10.0.9.254%mgmt:5555 10.0.9.1:4739"
round mc 4400 "dev mgmt source 10.0.9.254"
fc destination del 10.0.9.1:4739 || fail "destination del"
err=$(fc destination add 10.0.9.1:4739 dev mgmt source 10.0.7.254 2>&1) &&
	fail "a source outside the VRF was taken"
grep -q "not local" <<<"$err" || fail "source outside the VRF refused with '$err'"
log "source outside the VRF refused: $err"

log "--- IPv6 collector [fd09::1]:4739: unbound, then dev mgmt source [fd09::fe]:5556"
fc destination add '[fd09::1]:4739' || fail "destination add v6"
round dc 4450 "IPv6 unbound"
fc destination del '[fd09::1]:4739' || fail "destination del v6"
fc destination add '[fd09::1]:4739' dev mgmt source '[fd09::fe]:5556' ||
	fail "destination add v6 dev mgmt source [fd09::fe]:5556"
expect_eq "IPv6 export socket" "$(ip netns exec r ss -Huan 'dport = :4739' | awk '{ print $(NF-1), $NF }')" \
	"[fd09::fe]%mgmt:5556 [fd09::1]:4739"
round mc 4460 "IPv6 dev mgmt"
fc destination del '[fd09::1]:4739' || fail "destination del v6"

log "--- dev ri0, a plain interface"
fc destination add 10.0.9.1:4739 dev ri0 || fail "destination add dev ri0"
round ic 4500 "dev ri0"
# Renamed (down to rename): the binding follows the device.
ip -n r link set ri0 down
ip -n r link set ri0 name ri0x
ip -n r link set ri0x up
expect_eq "renamed" "$(fc -j destination list | jq -r '.[0].dev')" ri0x
round ic 4600 "dev ri0 renamed ri0x"
# Gone: the export fails, counted, and goes nowhere else.
log "--- dev ri0x deleted"
idx=$(ip -n r -j link show ri0x | jq '.[0].ifindex')
ip -n r link del ri0x
udp_send a 10.0.2.1 9000 30 64 4700 3
fc flush || fail "flush"
wait_errors
# ENODEV or ENETUNREACH, as the kernel's routing finds the device gone
log "device gone: last error $(fc -j destination list | jq '.[0].last_error')"
expect_eq "device gone (-j)" "$(fc -j destination list | jq -c '.[0] | [.dev, .ifindex]')" "[null,$idx]"
fc destination list | grep -q "^  dev: gone (ifindex $idx)" || fail "destination list does not say the device is gone"
sleep 1
nothing_at mc dc ic

log "--- refusals"
err=$(fc destination add 10.0.9.2:4739 dev nosuch 2>&1) && fail "dev nosuch taken"
grep -q "no such device" <<<"$err" || fail "dev nosuch refused with '$err'"
log "dev nosuch refused: $err"
fc destination add 10.0.9.2:4739 dev 0123456789abcdef 2>/dev/null
expect_eq "flowctl exit for a 16-character device name" $? 2
expect_eq "destinations after refusals" "$(fc -j destination list | jq length)" 1
rm -rf "$TMPD"
exit 0
