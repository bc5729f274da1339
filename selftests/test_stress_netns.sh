#!/bin/bash
# A router netns made and deleted FM_STRESS_NETNS times (default 20;
# `make stress`: 500) with the module loaded once, senders pinned to every
# CPU forwarding through it and an IPFIX destination in it. Each cycle
# makes a new router between hosts a and b and collector c (which stay,
# on the bridges of a switch netns): veths, addresses, forwarding,
# `flowctl destination add`. Odd cycles
# delete it while the senders still send (no crash, no splat). Even
# cycles let them finish first, with every flow still cached (long
# timeouts): the dying netns must export them in .pre_exit, so the packets
# the collector decoded for the cycle's flows (source ports of their own)
# equal the datagrams the senders sent. In the end the flow slab caches
# hold no more entries than before the first cycle, and the module
# unloads (its caches' destruction warns on a leftover entry).
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v taskset >/dev/null || skip "taskset not installed"
CYCLES=${FM_STRESS_NETNS:-20}
. "$SELFTESTS/stress_lib.sh"
P=fms
A=${P}a B=${P}b C=${P}c R=${P}r

# a, b and c stay; each hangs on a bridge of a switch netns S (br1, br2,
# br9), where every cycle's router plugs in. Fixed MAC addresses and
# permanent neighbour entries everywhere: no ARP or ND, so that no
# datagram waits for (or is dropped for want of) a neighbour, and a
# cycle costs few commands.
S=${P}s
RMAC=02:fe:00:00:00
ns_add $A $B $C $S
ip link add ${P}a0 netns $A type veth peer name ${P}sa netns $S &&
	ip link add ${P}b0 netns $B address 02:0b:00:00:00:01 type veth peer name ${P}sb netns $S &&
	ip link add ${P}c0 netns $C address 02:0c:00:00:00:01 type veth peer name ${P}sc netns $S ||
	fail "veths"
ip -n $S -b - <<-END || fail "switch config"
link add br1 type bridge
link add br2 type bridge
link add br9 type bridge
link set ${P}sa master br1 up
link set ${P}sb master br2 up
link set ${P}sc master br9 up
link set br1 up
link set br2 up
link set br9 up
END
ip -n $A -b - <<-END || fail "a config"
link set ${P}a0 up
addr add 10.0.1.1/24 dev ${P}a0
addr add fd01::1/64 dev ${P}a0 nodad
route add default via 10.0.1.254
route add ::/0 via fd01::fe
neigh add 10.0.1.254 lladdr $RMAC:01 dev ${P}a0 nud permanent
neigh add fd01::fe lladdr $RMAC:01 dev ${P}a0 nud permanent
END
ip -n $B -b - <<-END || fail "b config"
link set ${P}b0 up
addr add 10.0.2.1/24 dev ${P}b0
addr add fd02::1/64 dev ${P}b0 nodad
END
ip -n $C -b - <<-END || fail "c config"
link set ${P}c0 up
addr add 10.0.9.1/24 dev ${P}c0
END
ip netns exec $B python3 "$SELFTESTS/udpsink.py" 9000 &
PIDS+=($!)
wait_port $B 9000
TMPD=$(mktemp -d)
OUT=$TMPD/records
: >"$OUT"
ip netns exec $C python3 "$SELFTESTS/ipfixcount.py" 4739 "$OUT" &
PIDS+=($!)
wait_port $C 4739
fm_load inactive_timeout=600 active_timeout=1800

# The flow slabs' objects in use (free objects of per-CPU slabs count as
# used: shrink them first). A cache merged with another shares its count.
slab_objects() {
	local c n=0
	for c in flowmeter_flow4 flowmeter_flow6; do
		echo 1 > /sys/kernel/slab/$c/shrink 2>/dev/null
		n=$((n + $(cut -d' ' -f1 /sys/kernel/slab/$c/objects)))
	done
	echo $n
}
merged=
for c in flowmeter_flow4 flowmeter_flow6; do
	[ -e /sys/kernel/slab/$c/objects ] || skip "no /sys/kernel/slab/$c (SLUB sysfs)"
	[ -L /sys/kernel/slab/$c ] && merged="$merged $c"
done
[ -n "$merged" ] && log "merged with other caches:$merged (their objects count too; boot with slab_nomerge)"
slab0=$(slab_objects)

# router I: the router netns R plugged into the switch, forwarding, with
# the destination
router() {
	ip netns add $R || fail "cycle $1: ip netns add $R"
	NETNS=($A $B $C $S $R)
	ip -b - <<-END || fail "cycle $1: router veths"
	link add ${P}r0 netns $R address $RMAC:01 type veth peer name ${P}x0 netns $S
	link add ${P}r1 netns $R address $RMAC:02 type veth peer name ${P}x1 netns $S
	link add ${P}r9 netns $R address $RMAC:09 type veth peer name ${P}x9 netns $S
	END
	ip -n $S -b - <<-END || fail "cycle $1: router's switch ports"
	link set ${P}x0 master br1 up
	link set ${P}x1 master br2 up
	link set ${P}x9 master br9 up
	END
	ip -n $R -b - <<-END || fail "cycle $1: router config"
	link set lo up
	link set ${P}r0 up
	link set ${P}r1 up
	link set ${P}r9 up
	addr add 10.0.1.254/24 dev ${P}r0
	addr add 10.0.2.254/24 dev ${P}r1
	addr add 10.0.9.254/24 dev ${P}r9
	addr add fd01::fe/64 dev ${P}r0 nodad
	addr add fd02::fe/64 dev ${P}r1 nodad
	neigh add 10.0.2.1 lladdr 02:0b:00:00:00:01 dev ${P}r1 nud permanent
	neigh add fd02::1 lladdr 02:0b:00:00:00:01 dev ${P}r1 nud permanent
	neigh add 10.0.9.1 lladdr 02:0c:00:00:00:01 dev ${P}r9 nud permanent
	END
	ip netns exec $R sh -c "echo 1 >/proc/sys/net/ipv4/ip_forward &&
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding &&
		$FC destination add 10.0.9.1:4739 version 10" || fail "cycle $1: router setup"
}

# gone I: until the deleted router's cleanup_net() has run (its veths gone
# from the switch), so that the next router's names are free and dying
# netns do not pile up
gone() {
	local t
	for t in $(seq 150); do
		ip -n $S link show ${P}x0 >/dev/null 2>&1 || return 0
		sleep 0.2
	done
	fail "cycle $1: deleted $R still has its veths after 30 s"
}

# rstat NAME: a counter of R's, parsed by the shell (one command less)
rstat() {
	local k v
	while read -r k v; do
		[ "$k" = "$1" ] && { echo "$v"; return; }
	done < <(ip netns exec $R cat /proc/net/flowmeter/stats)
	echo missing
}

senders_start $A

log "$CYCLES netns cycles, $ncpu CPUs, $FLOWS flows of $PKTS datagrams per CPU; slab objects $slab0"
checked=0 t0=$SECONDS
want=()
for i in $(seq 1 "$CYCLES"); do
	sport=$((BASE + i * STRIDE))
	router $i
	if [ $((i % 2)) = 1 ]; then
		send $sport 0	# returns once every CPU's sender is at it
		ip netns del $R || fail "cycle $i: ip netns del under traffic"
		NETNS=($A $B $C $S)
		gone $i
		stop
	else
		send $sport $((PKTS * FLOWS))
		[ "$sent" = $((ncpu * PKTS * FLOWS)) ] ||
			fail "cycle $i: senders sent $sent of $((ncpu * PKTS * FLOWS))"
		[ "$(rstat export_records)" = 0 ] ||
			fail "cycle $i: records exported before the deletion (flows meant to be cached)"
		ip netns del $R || fail "cycle $i: ip netns del"
		NETNS=($A $B $C $S)
		# .pre_exit sent the records; they may still be on their way
		for t in $(seq 150); do
			n=$(got $sport)
			[ "$n" -ge "$sent" ] && break
			sleep 0.2
		done
		gone $i
		[ "$n" = "$sent" ] ||
			fail "cycle $i: collector decoded $n packets of the cycle's flows, senders sent $sent"
		want[$i]=$sent
		checked=$((checked + 1))
	fi
	[ $((i % 10)) = 0 ] && log "cycle $i: $checked cycles exact, $((SECONDS - t0)) s"
done

recheck
log "$CYCLES cycles in $((SECONDS - t0)) s: $checked deletions with cached flows exact"

# The entries of the deleted netns go back to the slab after an RCU grace
# period (graves): give them a few seconds.
for t in $(seq 50); do
	slab=$(slab_objects)
	[ "$slab" -le "$slab0" ] && break
	sleep 0.2
done
if [ -n "$merged" ]; then
	log "slab objects $slab, before $slab0 (merged caches: not exact)"
else
	expect_eq "flow slab objects after $CYCLES netns (before: $slab0)" "$slab" "$slab0"
fi
expect_eq "flows in the initial netns" "$(fm_stat flows_active)" 0
rmmod flowmeter || fail "rmmod after the cycles"
rm -rf "$TMPD"
exit 0
