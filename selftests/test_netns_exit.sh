#!/bin/bash
# A dying netns exports its last flows while its devices still exist:
# deleting a router netns with live flows in its cache still delivers
# every one of them, with exact packet counts, to a collector in another
# netns reached over a veth of that router.
. "$(dirname "$0")/lib.sh"

command -v nfcapd >/dev/null && command -v nfdump >/dev/null || skip "no nfcapd/nfdump"
topo_routed
topo_collector
TMPD=$(mktemp -d)
dir=$TMPD/nfc
nfcapd_start c "$dir" 2055
nfc=$NFCAPD
# Long timeouts: the flows are still cached when the netns goes.
fm_load_in r destination=10.0.9.1:2055 export_version=10 \
	inactive_timeout=600 active_timeout=1800
udp_send a 10.0.2.1 9000 100 100 4000
udp_send a fd02::1 9000 50 100 4001
udp_send a 10.0.2.1 9000 70 100 4002
expect_eq "records before deletion" "$(fm_stat export_records r)" 0

ip netns del r
NETNS=("${NETNS[@]/r}")
# cleanup_net() runs from a workqueue: wait for it (the module's other
# netns instances are unaffected), then let nfcapd write its file.
sleep 10
kill "$nfc"
wait "$nfc"
nfdump -R "$dir" -q -o 'fmt:%pr %sa %sp %da %dp %pkt' |
	awk '$3 >= 4000 && $3 <= 4002 { k = $1 " " $2 " " $3 " " $4 " " $5
	     p[k] += $6 } END { for (k in p) print k, p[k] }' | sort >"$dir.got"
cat >"$dir.want" <<END
UDP 10.0.1.1 4000 10.0.2.1 9000 100
UDP 10.0.1.1 4002 10.0.2.1 9000 70
UDP fd01::1 4001 fd02::1 9000 50
END
sort -o "$dir.want" "$dir.want"
diff -u "$dir.want" "$dir.got" | sed 's/^/# /'
cmp -s "$dir.want" "$dir.got" || fail "collector did not get the dying router's flows"
rm -rf "$TMPD"
exit 0
