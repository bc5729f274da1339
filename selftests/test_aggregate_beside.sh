#!/bin/bash
# Aggregation beside the main cache (issue 18.2, "or beside, the full
# key"): the router's cache keeps full keys and the records it exports
# are also summed under the mask "prefix4 24 prefix6 48 no-ports" in a
# second cache. Two IPFIX collectors: one added plainly gets every one of
# aggsend.py's 10000 host flows and no aggregate; one added with
# `aggregates` gets exactly the 14 aggregates, one record each, prefix
# lengths and sums exact (nfdump, ipfixDump), and no single flow.
# Aggregates also leave by the netns's inactive timeout without a flush,
# and a table of aggregate_max=1 sends itself on whole (counted) without
# losing a packet.
. "$(dirname "$0")/lib.sh"

for t in nfcapd nfdump dumpcap ipfixDump jq taskset; do
	command -v $t >/dev/null || fail "no $t"
done
topo_routed
topo_collector
TMPD=$(mktemp -d)
topo_agg_hosts

MASK="prefix4 24 prefix6 48 no-ports"
# 10000 records in one flush: room for them at the flows collector
sysctl -qw net.core.rmem_max=33554432
nfcapd_start c "$TMPD/flows" 4739 -B 33554432
nfc_flows=$NFCAPD
nfcapd_start c "$TMPD/agg" 4740
nfc_agg=$NFCAPD
capture_start c c0 "$TMPD/cap"
fm_load_in r destination=10.0.9.1:4739 export_version=10 \
	inactive_timeout=600 active_timeout=3600 max_flows=65536
fc destination add 10.0.9.1:4740 version ipfix aggregates || fail "destination add aggregates"
fc set aggregate $MASK beside || fail "flowctl set aggregate $MASK beside"
cfg=$(fcj show) || fail "flowctl -j show"
jq_eq "aggregate config" '[.aggregate, .aggregate_mode, .aggregate_src_prefix4, .aggregate_dst_prefix6, .aggregate_drop]' \
	'[true,"beside",24,48,"ports"]' "$cfg"
jq_eq "destinations: which takes aggregates" '.destinations | map([.port, .aggregates])' \
	'[[4739,false],[4740,true]]' "$cfg"
fc set routing on 2>"$TMPD/err" && fail "routing with aggregation beside accepted"

log "--- 10000 host flows, flushed"
sent=$(ip netns exec a taskset -c 0 python3 "$SELFTESTS/aggsend.py" "$TMPD/want") ||
	fail "aggsend"
wait_stat packets_metered r "$sent"
expect_eq "flows in the main cache (full keys)" "$(fm_stat flows_active r)" 10000
fc flush || fail "flowctl flush"
dest_wait 10.0.9.1:4739 records 10000
dest_wait 10.0.9.1:4740 records 14
expect_eq "aggregates held after the flush" "$(fm_stat export_aggregates_held r)" 0
expect_eq "flow records folded" "$(fm_stat export_aggregates_folded r)" 10000
expect_eq "aggregates sent on" "$(fm_stat export_aggregates_sent_on r)" 14
expect_eq "export errors" "$(fm_stat export_errors r)" 0

log "--- without a flush: the inactive timeout"
fc set timeout inactive 1 || fail "set timeout inactive 1"
udp_send a 10.0.2.1 9000 6 64 5000 3
wait_stat packets_metered r $((sent + 6))
# the 3 flows end idle after 1 s, their aggregate 1 s after the last
dest_wait 10.0.9.1:4740 records 15
dest_wait 10.0.9.1:4739 records 10003
log "the aggregate of 3 flows left by the timeout, no flush"

log "--- a full table sends itself on"
echo 1 >/sys/module/flowmeter/parameters/aggregate_max
# long timeouts again: the flows and their aggregates meet at the flush
fc set timeout inactive 600 aggregate $MASK no-tos beside || fail "a new mask, a table of 1"
udp_send a 10.0.2.1 9000 4 64 5100 2
udp_send a fd02::1 9000 4 64 5200 2
udp_send a 10.0.2.1 9000 2 64 5300 1
wait_stat packets_metered r $((sent + 16))
fc flush || fail "flowctl flush"
dest_wait 10.0.9.1:4740 records 17
ovf=$(fm_stat export_aggregates_overflows r)
[ "$ovf" -ge 1 ] || fail "no overflow counted with aggregate_max=1"
log "overflows: $ovf"
capture_stop
fm_unload
kill "$nfc_flows" "$nfc_agg"
wait "$nfc_flows" "$nfc_agg" 2>/dev/null

log "--- the collectors"
# the flows collector: every flow, no prefix lengths
nfdump -R "$TMPD/flows" -q -o 'fmt:%pr %sa %da %pkt %byt %smk %dmk' >"$TMPD/flows.txt" ||
	fail "nfdump flows"
expect_eq "flow records at the flows collector" "$(wc -l <"$TMPD/flows.txt")" $((10000 + 3 + 5))
expect_eq "packets there" "$(awk '{ n += $4 } END { print n }' "$TMPD/flows.txt")" $((sent + 16))
expect_eq "records with prefix lengths there" "$(awk '$6 != 0 || $7 != 0' "$TMPD/flows.txt" | wc -l)" 0
# the aggregates collector: the 14 of aggsend, one record each, then 3
nfdump -R "$TMPD/agg" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt %smk %dmk' >"$TMPD/agg.txt" ||
	fail "nfdump aggregates"
expect_eq "packets at the aggregates collector" "$(awk '{ n += $6 } END { print n }' "$TMPD/agg.txt")" $((sent + 16))
expect_eq "records with full host lengths there" "$(awk '$8 == 0 || $8 == 32 || $8 == 128' "$TMPD/agg.txt" | wc -l)" 0
head -n 14 "$TMPD/agg.txt" | python3 "$SELFTESTS/flowtext.py" nfdump --masks --records | LC_ALL=C sort >"$TMPD/agg.got"
sed 's/$/ 1/' "$TMPD/want" | LC_ALL=C sort >"$TMPD/agg.want"
if ! cmp -s "$TMPD/agg.want" "$TMPD/agg.got"; then
	diff -u "$TMPD/agg.want" "$TMPD/agg.got" | head -30 | sed 's/^/# /'
	fail "nfdump shows other aggregates than were sent"
fi
log "nfdump: the 14 aggregates, one record each, prefix lengths and sums exact"
capture_split "$TMPD/cap" 4740 "$TMPD/agg.pcap"
capture_payloads "$TMPD/agg.pcap" "$TMPD/agg.ipfix"
ipfixDump -i "$TMPD/agg.ipfix" >"$TMPD/agg.ipfixdump" 2>"$TMPD/err" || fail "ipfixDump: $(cat "$TMPD/err")"
[ -s "$TMPD/err" ] && fail "ipfixDump complains: $(head -5 "$TMPD/err")"
python3 "$SELFTESTS/flowtext.py" ipfixdump --masks --records <"$TMPD/agg.ipfixdump" |
	LC_ALL=C sort >"$TMPD/agg.ipfix.got"
grep -qFf "$TMPD/agg.want" "$TMPD/agg.ipfix.got" || fail "ipfixDump shows none of the aggregates"
expect_eq "ipfixDump: aggregates of the flush among them" \
	"$(grep -cxFf "$TMPD/agg.want" "$TMPD/agg.ipfix.got")" 14
rm -rf "$TMPD"
exit 0
