#!/bin/bash
# Hostile readers of the control plane: flow dumps of more than 10000
# flows abandoned half way (the socket closed after no read, one read or
# twenty), many times and from several processes at once. Dumps need
# CAP_NET_ADMIN (test_privileges), so the readers are root of the netns;
# nobody's dumps are refused before any state is made, checked here too. The cache is unchanged afterwards,
# a full dump still returns every flow once, the module unloads (no
# reference left behind) and, on a debug kernel, kmemleak finds nothing.
# (Refusals of unprivileged changes: test_netlink, test_flowctl.)
. "$(dirname "$0")/lib.sh"

NFLOWS=12000
topo_routed
fm_load max_flows=65536 inactive_timeout=3600 active_timeout=3600
ip netns exec a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $NFLOWS 0 >/dev/null ||
	fail flowgen
wait_stat_min flows_active r $NFLOWS
# The counters, less memory_bytes: a CPU's expiry work takes its batch
# when it first finds flows, at its own time (cache_ring.c), reader or not.
stats() { ip netns exec r grep -v '^memory_bytes ' /proc/net/flowmeter/stats; }
before=$(stats)
log "$(fm_stat flows_active r) flows cached"

reader() { ip netns exec r "$@"; }
out=$(cd "$SELFTESTS" && reader python3 dump_abort.py 30) || fail "dump_abort: $out"
log "root: $out"
expect_eq "dumps that ended before they were abandoned" "$(jq .done_early <<< "$out")" 0
expect_eq "reads before abandoning" "$(jq -c .reads <<< "$out")" "[0,1,20]"
# several at once
for i in 1 2 3 4; do
	(cd "$SELFTESTS" && reader python3 dump_abort.py 15 >/dev/null) &
	PIDS+=($!)
done
for p in "${PIDS[@]:1}"; do wait "$p" || fail "a concurrent dump_abort failed"; done
# nobody: refused at the start, no dump state left behind either
out=$(ip netns exec r setpriv --reuid=nobody --regid=nogroup --clear-groups \
	python3 "$SELFTESTS/genl.py" flows 2>&1) && fail "nobody could dump flows"
grep -q EPERM <<< "$out" || fail "nobody: $out"
log "nobody: $out"

after=$(stats)
[ "$before" = "$after" ] || { diff <(echo "$before") <(echo "$after") | sed 's/^/# /'; fail "stats changed"; }
n=$(ip netns exec r python3 "$SELFTESTS/genl.py" flows | jq '[.[] | [.src_addr, .src_port, .dst_port, .cpu]] | unique | length')
expect_eq "flows in a full dump afterwards" "$n" "$(fm_stat flows_active r)"
[ "$n" -ge $NFLOWS ] || fail "only $n flows"
fm_unload
log "module unloaded after the abandoned dumps"
exit 0
