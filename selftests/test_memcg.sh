#!/bin/bash
# Memory is bounded and charged (module/cache.c, "Memory"). A container:
# root of an unprivileged user namespace (unshare -Urn) in a 64 MiB memory
# cgroup, configuring its own netns.
# - Its flows are charged to its cgroup: a flood of new flows from outside
#   (a netns of the host's root, so the softirq that meters them runs in
#   a task outside the cgroup) shows in the cgroup's memory.stat slab.
# - It cannot go past the netns flow limit the host's admin sets: max-flows
#   2^26 and hash-size 2^24 are refused with a message, hash-size 0 derives
#   no more buckets than the limit allows, and it cannot set the limit.
# - With the limit raised by the host's admin, the same settings are
#   contained by the cgroup: refused for want of memory, no OOM kill, the
#   host's free memory untouched.
# And the module goes on working in the initial netns and the container's.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built (make -C userspace)"
command -v jq >/dev/null || fail "jq not installed"
command -v nsenter >/dev/null || fail "nsenter not installed"

CG=/sys/fs/cgroup
grep -q "^[^ ]* $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG ||
	fail "cannot mount cgroup2 on $CG"
grep -qw memory $CG/cgroup.controllers || fail "no memory controller in cgroup2"
echo +memory > $CG/cgroup.subtree_control || fail "cannot enable the memory controller"
T=$CG/fm_memcg.$$
mkdir $T || fail "mkdir $T"
echo 64M > $T/memory.max || fail "memory.max"
echo 0 > $T/memory.swap.max 2>/dev/null
trap 'fm_cleanup; rmdir $T 2>/dev/null' EXIT

fm_load hooks=input,output inactive_timeout=600 active_timeout=1800

# The container: a process in the cgroup, in a new user and net namespace.
sh -c 'echo $$ > "$1/cgroup.procs" && exec unshare -Urn sleep 3600' sh $T &
CPID=$!
for _ in $(seq 100); do
	[ "$(readlink /proc/$CPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.1
done
[ "$(readlink /proc/$CPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
	fail "the container has no netns of its own"
grep -qx "$CPID" $T/cgroup.procs || fail "the container is not in $T"

# inns CMD...: CMD as root of the container's user namespace, in its netns
# and its cgroup
inns() {
	bash -c 'echo $$ > "$1/cgroup.procs" || exit 99; p=$2; shift 2
		exec nsenter -t "$p" -U -n -- "$@"' _ $T $CPID "$@"
}
memstat() { awk -v k="$1" '$1 == k { print $2 }' $T/memory.stat; }
ooms() { dmesg | grep -c -E "Out of memory|oom-kill|invoked oom-killer"; }
avail() { awk '$1 == "MemAvailable:" { print $2 * 1024 }' /proc/meminfo; }
ncpu=$(getconf _NPROCESSORS_ONLN)	# buckets follow the budget's share
oom0=$(ooms)

inns ip link set lo up || fail "lo up in the container"
inns "$FC" -j show > /dev/null || fail "the container cannot read its config"

log "--- a flood of new flows from outside, metered in the container"
ns_add fmhost
ip link add fmh netns fmhost type veth peer name fmc || fail "veth"
ip link set fmc netns $CPID || fail "veth into the container"
ip -n fmhost addr add 10.77.0.1/24 dev fmh
ip -n fmhost link set fmh up
inns ip addr add 10.77.0.2/24 dev fmc || fail "address in the container"
inns ip link set fmc up || fail "fmc up"
FLOWS=30000
slab0=$(memstat slab_unreclaimable) cur0=$(cat $T/memory.current)
sent=$(ip netns exec fmhost python3 "$SELFTESTS/flowgen.py" 10.77.0.1 10.77.0.2 9 $FLOWS 0) ||
	fail "flowgen"
sleep 1
st=$(inns "$FC" -j stats) || fail "stats in the container"
active=$(jq .flows_active <<< "$st")
slab1=$(memstat slab_unreclaimable) cur1=$(cat $T/memory.current)
log "sent $sent datagrams of $FLOWS flows: $active flows cached in the container"
log "cgroup slab_unreclaimable $slab0 -> $slab1, memory.current $cur0 -> $cur1"
[ "$active" -ge $((FLOWS / 2)) ] || fail "only $active of $FLOWS flows cached: $st"
# 64-byte entries; SLUB's per-CPU partial slabs and the objcg byte stock
# make it inexact, but not by a quarter
want=$((active * 64 * 3 / 4))
[ $((slab1 - slab0)) -ge $want ] ||
	fail "the container's $active flows are not charged to its cgroup: slab +$((slab1 - slab0)) bytes, want >= $want"
[ $((cur1 - cur0)) -ge $want ] ||
	fail "memory.current +$((cur1 - cur0)), want >= $want"

log "--- the netns flow limit binds the container"
jq_show() { inns "$FC" -j show | jq "$1"; }
limit=$(jq_show .netns_max_flows)
expect_eq "netns flow limit by default" "$limit" 65536
[ "$(jq_show .max_flows)" -le "$limit" ] || fail "the container starts above the limit"
# refused WHAT MESSAGE ARGS...: flowctl set ARGS fails in the container
# saying MESSAGE, and changes nothing
refused() {
	local what=$1 msg=$2 err before
	shift 2
	before=$(inns "$FC" -j show)
	err=$(inns "$FC" set "$@" 2>&1) && fail "$what: 'set $*' taken in the container"
	grep -qF "$msg" <<< "$err" || fail "$what: 'set $*' said '$err', want '$msg'"
	[ "$(inns "$FC" -j show)" = "$before" ] || fail "$what: a refused set changed the config"
	log "$what: set $* -> $err"
}
refused "max flows 2^26" "above the netns flow limit" max-flows $((1 << 26))
refused "max flows limit + 1" "above the netns flow limit" max-flows $((limit + 1))
refused "hash size 2^24" "hash size above" hash-size $((1 << 24))
refused "setting the limit" "set from the initial netns" netns-max-flows $((1 << 26))
inns "$FC" set max-flows "$limit" hash-size 0 || fail "max-flows at the limit, hash-size 0"
derived=$(python3 -c "n = max($limit // $ncpu, 1); print(max(16, 1 << (n - 1).bit_length()))")
expect_eq "hash-size 0: buckets derived from the limit" "$(jq_show .hash_size)" "$derived"
refused "hash size twice that" "hash size above" hash-size $((derived * 2))
# root of the initial netns in another netns is not the host's admin there
ip netns exec fmhost "$FC" set netns-max-flows 1000 2>/dev/null &&
	fail "netns-max-flows set from another netns"

log "--- with the limit raised by the host's admin, the cgroup contains it"
"$FC" set netns-max-flows $((1 << 26)) || fail "the host's admin cannot set the limit"
expect_eq "the container sees the new limit" "$(jq_show .netns_max_flows)" $((1 << 26))
avail0=$(avail)
max0=$(awk '$1 == "max" { print $2 }' $T/memory.events)
for hs in $((1 << 24)) 0; do
	err=$(inns "$FC" set max-flows $((1 << 26)) hash-size $hs 2>&1) &&
		fail "hash-size $hs with max-flows 2^26 fits in a 64 MiB cgroup"
	grep -q "no memory" <<< "$err" || fail "hash-size $hs: '$err', want no memory"
	log "max-flows 2^26 hash-size $hs in 64 MiB -> $err"
done
max1=$(awk '$1 == "max" { print $2 }' $T/memory.events)
sleep 1
avail1=$(avail)
log "cgroup memory.events max $max0 -> $max1, host MemAvailable $avail0 -> $avail1"
# charged to the cgroup: its limit was hit; the host lost no more than
# the cgroup may take (pages freed on the way back may wait in the page
# allocator's per-CPU lists, which MemAvailable leaves out)
[ "$max1" -gt "$max0" ] || fail "the tables were not charged to the cgroup (never at memory.max)"
[ $((avail0 - avail1)) -lt $((96 << 20)) ] || fail "the host lost $(((avail0 - avail1) >> 20)) MiB"
grep -q "^oom_kill 0$" $T/memory.events || fail "OOM kill in the cgroup: $(cat $T/memory.events)"
expect_eq "no OOM report" "$(ooms)" "$oom0"
kill -0 $CPID || fail "the container died"
expect_eq "the container keeps its hash size" "$(jq_show .hash_size)" "$derived"
"$FC" set netns-max-flows 65536 || fail "limit back to 65536"

log "--- the module still works, in the container and the initial netns"
ip netns exec fmhost python3 "$SELFTESTS/flowgen.py" 10.77.0.1 10.77.0.2 9 100 0 >/dev/null ||
	fail "flowgen"
sleep 1
n=$(inns "$FC" -j stats | jq .flows_active)
[ "$n" -ge 100 ] || fail "container: $n flows cached after 100 new ones"
before=$("$FC" -j stats | jq .packets_metered)
python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(10): s.sendto(b"x", ("127.0.0.1", 9))' || fail "send in the initial netns"
sleep 1
after=$("$FC" -j stats | jq .packets_metered)
[ "$after" -ge $((before + 10)) ] || fail "initial netns metered $before -> $after packets"
log "initial netns: $before -> $after packets metered"
exit 0
