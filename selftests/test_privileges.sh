#!/bin/bash
# Reading is privileged: every GET op (flows, top, destinations, stats,
# config) needs CAP_NET_ADMIN in the user namespace owning the netns, as
# the changes do. nobody is refused with EPERM by flowctl (exit 1, a clear
# message, nothing on stdout) and by a raw genl client, and learns no flow
# and no collector address; root of a user namespace reads a netns it owns
# (unshare -Urn) but not one it does not (unshare -Ur); root reads all.
# Repeated top requests are paced, never refused.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"

topo_routed
topo_collector
fm_load inactive_timeout=3600 active_timeout=3600
ip netns exec r "$FC" destination add 10.0.9.1:2055 || fail "destination add"
udp_send a 10.0.2.1 9000 5 64 5555
wait_stat_min flows_active r 1

nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
DENIED="flowctl: permission denied: needs CAP_NET_ADMIN in this network namespace"

# refused WHO CMD...: CMD exits 1 saying $DENIED, prints nothing on stdout
# and leaks neither the flow's source nor the collector on either stream
refused() {
	local who=$1 out err rc
	shift
	out=$("$@" 2>/tmp/fm_privs_err.$$)
	rc=$?
	err=$(cat /tmp/fm_privs_err.$$)
	rm -f /tmp/fm_privs_err.$$
	[ "$rc" = 1 ] || fail "$who: '$*' exited $rc, want 1 (stdout '$out', stderr '$err')"
	grep -qF "$DENIED" <<< "$err" || fail "$who: '$*' said '$err', want '$DENIED'"
	[ -z "$out" ] || fail "$who: '$*' printed '$out'"
	! grep -qE '10\.0\.1\.1|10\.0\.9\.1' <<< "$out$err" || fail "$who: '$*' leaked an address"
	log "$who: $* -> $err"
}

# genl_refused WHO CMD...: the raw client gets EPERM and prints no data
genl_refused() {
	local who=$1 out err
	shift
	out=$("$@" 2>/tmp/fm_privs_err.$$) && fail "$who: '$*' succeeded: $out"
	err=$(cat /tmp/fm_privs_err.$$)
	rm -f /tmp/fm_privs_err.$$
	grep -q EPERM <<< "$err" || fail "$who: '$*' said '$err', want EPERM"
	[ -z "$out" ] || fail "$who: '$*' printed '$out'"
	! grep -qE '10\.0\.1\.1|10\.0\.9\.1' <<< "$err" || fail "$who: '$*' leaked an address"
	log "$who: genl $(basename "$2") ${*:3} -> $err"
}

FC_READS=("flows" "top" "stats" "show" "destination list")
GENL_READS=(flows top stats config dests)

log "--- root reads everything"
flows=$(ip netns exec r "$FC" -j flows) || fail "root: flows"
expect_eq "root: flows from 10.0.1.1:5555" \
	"$(jq '[.[] | select(.src == "10.0.1.1" and .sport == 5555)] | length > 0' <<< "$flows")" true
expect_eq "root: top" "$(ip netns exec r "$FC" -j top | jq 'length > 0')" true
expect_eq "root: destination" \
	"$(ip netns exec r "$FC" -j destination list | jq -c 'map(.address)')" '["10.0.9.1"]'
ip netns exec r "$FC" -j stats | jq -e '.flows_active >= 1' >/dev/null || fail "root: stats"
ip netns exec r "$FC" -j show | jq -e '.inactive_timeout == 3600' >/dev/null || fail "root: show"
for w in "${GENL_READS[@]}"; do
	ip netns exec r python3 "$SELFTESTS/genl.py" $w >/dev/null || fail "root: genl $w"
done
log "root: every read works, flowctl and genl"

log "--- nobody is refused"
for w in "${FC_READS[@]}"; do
	# shellcheck disable=SC2086 # "destination list" is two words
	refused nobody ip netns exec r "${nobody[@]}" "$FC" $w
	refused "nobody -j" ip netns exec r "${nobody[@]}" "$FC" -j $w
done
for w in "${GENL_READS[@]}"; do
	genl_refused nobody ip netns exec r "${nobody[@]}" python3 "$SELFTESTS/genl.py" $w
done

log "--- root of a user namespace, in the netns it does not own"
for w in "${FC_READS[@]}"; do
	# shellcheck disable=SC2086
	refused "unshare -Ur" ip netns exec r unshare -Ur "$FC" $w
done
for w in "${GENL_READS[@]}"; do
	genl_refused "unshare -Ur" ip netns exec r unshare -Ur python3 "$SELFTESTS/genl.py" $w
done
refused "unshare -Ur, initial netns" unshare -Ur "$FC" stats

log "--- root of a user namespace, in its own netns"
out=$(unshare -Urn sh -c '
	for w in flows top stats show "destination list"; do
		"$1" -j $w >/dev/null || { echo "flowctl $w failed"; exit 1; }
	done
	for w in flows top stats config dests; do
		python3 "$2" $w >/dev/null || { echo "genl $w failed"; exit 1; }
	done
	"$1" -j stats' sh "$FC" "$SELFTESTS/genl.py" 2>&1) ||
	fail "unshare -Urn: $out"
expect_eq "unshare -Urn: its own netns has no flow" "$(jq .flows_active <<< "$out")" 0

log "--- top back to back: paced, never refused"
for i in $(seq 20); do
	ip netns exec r "$FC" -j top >/dev/null || fail "top $i of 20 back to back"
done
log "20 tops back to back"

expect_eq "flows still cached" "$(ip netns exec r "$FC" -j flows | jq 'length > 0')" true
exit 0
