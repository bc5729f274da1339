#!/bin/bash
# Hostile traffic cannot build long hash chains. A table of 16 buckets per
# CPU with room for 32768 flows each receives 4000 new flows: no chain
# grows past FM_CHAIN_MAX (16, module/cache_hot.h), so a CPU never holds
# more than 16 x 16 flows, and every flow past that is evicted (ended as
# lack of resources, exported), none lost from the counts. With unbounded
# chains the table holds all 4000 and a packet walks ~250 entries.
. "$(dirname "$0")/lib.sh"

FLOWS=4000 BUCKETS=16 CHAIN=16
topo_routed
fm_load max_flows=65536 hash_size=$BUCKETS inactive_timeout=600 active_timeout=1800
ncpu=$(nproc)
bound=$((BUCKETS * CHAIN * ncpu))

sent=$(ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $FLOWS 0) ||
	fail "flowgen"
[ "$sent" -ge $FLOWS ] || fail "sent $sent"
snap=$(ip netns exec r cat /proc/net/flowmeter/stats)
st() { awk -v k="$1" '$1 == k { print $2 }' <<< "$snap"; }
active=$(st flows_active) created=$(st flows_created) evicted=$(st flows_expired_evicted)
expired=$(awk '$1 ~ /^flows_expired_/ { n += $2 } END { print n }' <<< "$snap")
log "sent $sent; active $active (bound $bound on $ncpu CPUs), created $created, evicted $evicted"
[ "$active" -le "$bound" ] || fail "$active flows in $((BUCKETS * ncpu)) buckets: a chain grew past $CHAIN"
[ "$created" -ge $FLOWS ] || fail "created $created of $FLOWS flows"
expect_eq "flows created = active + expired" "$created" $((active + expired))
[ "$evicted" -ge $((created - bound)) ] || fail "evicted $evicted, want >= $((created - bound))"
# The listing agrees with the counter: the chains hold what it says.
listed=$(ip netns exec r cat /proc/net/flowmeter/flows | awk '$5 == 17 && $7 == 9000' | wc -l)
[ "$listed" -le "$bound" ] || fail "$listed UDP flows listed, bound $bound"
log "listed $listed"
exit 0
