#!/bin/bash
# The module loads, creates its procfs view, unloads and leaves nothing
# behind; again, and with every hook point enabled.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3; do
	fm_load
	[ -r /proc/net/flowmeter/stats ] || fail "no /proc/net/flowmeter/stats after load $i"
	expect_eq "packets_metered after load $i" "$(fm_stat packets_metered)" 0
	fm_unload
	[ ! -e /proc/net/flowmeter ] || fail "/proc/net/flowmeter left after unload $i"
done

fm_load hooks=prerouting,input,forward,output,postrouting
expect_eq "hooks parameter" "$(cat /sys/module/flowmeter/parameters/hooks)" \
	"prerouting,input,forward,output,postrouting"
fm_unload

# The hash size per CPU, rounded up to a power of two, and the memory
# the cache holds: at least every CPU's buckets (8 bytes each).
fm_load hash_size=1000
FC=$TOP/userspace/flowctl
[ -x "$FC" ] || fail "$FC not built (make flowctl)"
command -v jq >/dev/null || fail "jq not installed"
expect_eq "hash buckets per CPU" "$("$FC" -j show | jq .hash_size)" 1024
mem=$(fm_stat memory_bytes)
[ "$mem" -ge $((1024 * 8 * $(nproc))) ] || fail "memory_bytes $mem below the buckets' size"
log "memory_bytes = $mem"
fm_unload
insmod "$FM_KO" hash_size=$((1 << 25)) 2>/dev/null && fail "hash_size 2^25 accepted"

insmod "$FM_KO" hooks=sideways 2>/dev/null && fail "bad hooks= accepted"
[ ! -e /sys/module/flowmeter ] || fail "module stayed loaded after bad parameter"
exit 0
