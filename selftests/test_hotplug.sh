#!/bin/bash
# CPU hotplug: when a CPU goes offline its flows are ended (forced) and
# exported at once, nothing lost; back online, it meters again. Flows are
# put on CPU 1 by pinning the sender there (veth hands a packet to the
# router on the sending CPU). Under traffic too: every metered packet
# reaches the collector, as nfdump shows.
. "$(dirname "$0")/lib.sh"

CPU1=/sys/devices/system/cpu/cpu1/online
[ -w "$CPU1" ] || skip "no CPU 1 that can go offline"
command -v taskset >/dev/null || skip "taskset not installed"
FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
trap 'echo 1 > $CPU1 2>/dev/null; fm_cleanup' EXIT

# on1 COUNT SPORT FLOWS: UDP a -> b from CPU 1
on1() {
	ip netns exec a taskset -c 1 python3 "$SELFTESTS/udpgen.py" 10.0.2.1 9000 "$1" 64 "$2" "$3"
}

topo_routed
topo_collector
TMPD=$(mktemp -d)
nfcapd_start c "$TMPD" 4739
nfc=$NFCAPD
fm_load_in r destination=10.0.9.1:4739 inactive_timeout=600

on1 200 6000 10 || fail "send on CPU 1"
expect_eq "flows cached" "$(fm_stat flows_active r)" 10
echo 0 > $CPU1 || fail "cannot take CPU 1 offline"
expect_eq "flows cached with CPU 1 offline" "$(fm_stat flows_active r)" 0
expect_eq "flows ended by CPU 1 going" "$(fm_stat flows_expired_forced r)" 10
wait_stat export_records r 10

# Back online, CPU 1 meters again; then it goes under traffic.
echo 1 > $CPU1 || fail "cannot bring CPU 1 back"
on1 100 6100 5 || fail "send on CPU 1 after it came back"
expect_eq "flows cached on the CPU back" "$(fm_stat flows_active r)" 5
before=$(fm_stat packets_metered r)
on1 10000 7000 10 &
sender=$!
wait_stat_min packets_metered r $((before + 200)) 60	# sending, on CPU 1
echo 0 > $CPU1 || fail "cannot take CPU 1 offline under traffic"
wait $sender || fail "sender under hotplug"
echo 1 > $CPU1 || fail "cannot bring CPU 1 back after traffic"
on1 100 8000 5 || fail "send on CPU 1 at the end"

# Everything out: the collector has every metered packet.
ip netns exec r "$FC" flush || fail "flush"
expect_eq "flows cached after flush" "$(fm_stat flows_active r)" 0
created=$(fm_stat flows_created r)
# a flow seen on several CPUs is one record: its pieces count as merged
wait_stat export_records r "$((created - $(fm_stat flows_merged r)))"
expect_eq "records not exported" "$(fm_stat records_dropped r)" 0
metered=$(fm_stat packets_metered r)
[ "$metered" -ge 3000 ] || fail "only $metered packets metered of 10400 sent"
sleep 1
kill $nfc
wait $nfc
got=$(nfdump -R "$TMPD" -q -o 'fmt:%pkt' | awk '{ n += $1 } END { print n + 0 }')
expect_eq "packets in exported records (nfdump)" "$got" "$metered"
rm -rf "$TMPD" "$TMPD.log"
exit 0
