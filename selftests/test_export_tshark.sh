#!/bin/bash
# Wireshark's cflow dissector decodes every IPFIX, NetFlow v9 and v5
# message the router sends, without a malformed set or any other expert
# warning, and the header sequence numbers advance as each RFC says: v9
# counts export packets, v5 flows, IPFIX data records (the exact IPFIX
# count is checked with ipfixDump in test_export_ipfixdump).
. "$(dirname "$0")/lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
ip netns exec c python3 "$SELFTESTS/udpsink.py" 4739 &
PIDS+=($!)
ip netns exec c python3 "$SELFTESTS/udpsink.py" 2055 &
PIDS+=($!)
ip netns exec c python3 "$SELFTESTS/udpsink.py" 2056 &
PIDS+=($!)
for port in 4739 2055 2056; do wait_port c $port; done
# waits for dumpcap's file header: a fixed sleep missed the first message
# (the templates) on a loaded machine, and tshark said "no template found"
capture_start c c0 "$TMPD/cap"

declare -A sent
for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:}
	fm_load_in r destination=10.0.9.1:$port export_version=$v inactive_timeout=1
	udp_send a 10.0.2.1 9000 300 100 5000 60
	udp_send a fd02::1 9000 10 100 6000 2
	wait_stat_min export_records r $([ $v = 5 ] && echo 60 || echo 62)
	sent[$port]=$(fm_stat export_packets r)
	fm_unload
done
capture_stop

tshark -r "$TMPD/cap" -d udp.port==4739,cflow -d udp.port==2055,cflow -d udp.port==2056,cflow \
	-T fields -E separator=/t -e udp.dstport -e cflow.version -e cflow.sequence \
	-e cflow.count -e _ws.expert.severity -e _ws.expert.message >"$TMPD/fields" 2>"$TMPD/err" ||
	fail "tshark: $(cat "$TMPD/err")"
awk -F'\t' '$5 != "" || $6 != ""' "$TMPD/fields" >"$TMPD/expert"
[ -s "$TMPD/expert" ] && fail "tshark expert info: $(head -5 "$TMPD/expert")"
log "tshark: no expert info on $(wc -l <"$TMPD/fields") messages"

for vp in 10:4739 9:2055 5:2056; do
	v=${vp%:*} port=${vp#*:}
	expect_eq "v$v messages decoded" \
		"$(awk -F'\t' -v p=$port -v v=$v '$1 == p && $2 == v' "$TMPD/fields" | wc -l)" "${sent[$port]}"
	awk -F'\t' -v p=$port -v v=$v '$1 == p {
		if (n == 0 && $3 != 0) { print "first sequence " $3; exit 1 }
		if (n > 0 && v == 9 && $3 != prev + 1) { print "v9 sequence " $3 " after " prev; exit 1 }
		if (n > 0 && v == 5 && $3 != prev + cnt) { print "v5 sequence " $3 " after " prev "+" cnt; exit 1 }
		if (n > 0 && v == 10 && $3 <= prev) { print "IPFIX sequence " $3 " after " prev; exit 1 }
		prev = $3; cnt = $4; n++
	}' "$TMPD/fields" || fail "v$v sequence numbers"
	log "v$v sequence numbers advance as they should"
done
rm -rf "$TMPD"
exit 0
