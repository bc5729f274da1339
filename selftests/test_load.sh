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

insmod "$FM_KO" hooks=sideways 2>/dev/null && fail "bad hooks= accepted"
[ ! -e /sys/module/flowmeter ] || fail "module stayed loaded after bad parameter"
exit 0
