#!/bin/bash
# Flow sampling ("flowctl set flow-sampling N [deterministic|random]"):
# 1 in N of the finished records goes out, to every destination, after
# the cache (which meters every packet). 10000 UDP flows of 2 packets
# cross r, flow-sampling 10 random: records_observed is 10000 and
# records_selected within 4 sigma of 1000; the IPFIX collector
# (ipfixDump) gets exactly records_selected records, each one of the sent
# flows with both its packets and all its bytes, and the options data
# (ipfixDump, tshark) say flowSelectorAlgorithm 4, samplingFlowInterval 1,
# samplingFlowSpacing 9; the v9 destination's records are the same flows
# (tshark), its SAMPLING_INTERVAL 10 (flow N folded in), which nfacctd
# with renormalise scales each record by. Then deterministic: exactly 1
# in 10 of the next records. show, -j and /proc tell the setting.
# About 2 minutes under TCG, as test_sampling_hash.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
command -v ipfixDump >/dev/null || skip "no ipfixDump (libfixbuf-tools)"
command -v tshark >/dev/null || skip "no tshark"
command -v nfacctd >/dev/null || skip "no nfacctd (pmacct)"
command -v taskset >/dev/null || skip "taskset not installed"

FLOWS=10000
RATE=10

backlog_raise

topo_routed
topo_collector
TMPD=$(mktemp -d)
for port in 4739 2055; do
	ip netns exec c python3 "$SELFTESTS/udpsink.py" $port &
	PIDS+=($!)
	wait_port c $port
done
fm_load

# Off by default; refused out of range (test_netlink has the rest).
jq_eq "default" '[.flow_sampling_rate, .flow_sampling_mode]' '[1,"deterministic"]' "$(fcj show)"
fc set flow-sampling 0 2>/dev/null && fail "flow-sampling 0 was taken"
# max-flows: room for every flow's pieces on both CPUs, so that none is
# evicted early into two records
fc set flow-sampling $RATE random timeout active 3600 inactive 3600 max-flows 65536 ||
	fail "set flow-sampling $RATE random"
jq_eq "set" '[.flow_sampling_rate, .flow_sampling_mode, .sampling_rate]' "[$RATE,\"random\",1]" "$(fcj show)"
fc show | grep -qx "  flow sampling rate: $RATE" || fail "show: $(fc show)"
fc show | grep -qx "  flow sampling mode: random" || fail "show: $(fc show)"
expect_eq "/proc rate" "$(fm_stat export_flow_sampling_rate r)" $RATE
expect_eq "/proc mode" "$(fm_stat export_flow_sampling_mode r)" random
fc destination add 10.0.9.1:4739 || fail "destination add IPFIX"
fc destination add 10.0.9.1:2055 version 9 || fail "destination add v9"
capture_start c c0 "$TMPD/cap"

# Every flow's record as flowtext.py prints it: 2 packets of
# 20 + 8 + 16 + i % 61 bytes.
for ((i = 0; i < FLOWS; i++)); do
	echo "17 10.0.1.1 10.0.2.1 $((1024 + i)) 9000 - 2 $((2 * (44 + i % 61)))"
done | LC_ALL=C sort >"$TMPD/all"

# The sender pinned to CPU 0, where veth delivers and r meters: each
# flow is one cache entry, so one record (on a loaded host, a flow's
# packets metered on two CPUs may leave two records when the merge
# cannot wait for both, and each is sampled on its own).
flowgen() { ip netns exec a taskset -c 0 python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 "$@" >/dev/null; }
send() {	# two rounds of every flow through r
	flowgen $FLOWS 0 vary || fail "flowgen through r"
	flowgen $FLOWS 0 vary || fail "flowgen through r"
}
send
wait_stat packets_seen r $((2 * FLOWS)) 120
expect_eq "packets metered" "$(fm_stat packets_metered r)" $((2 * FLOWS))
fc flush || fail "flush"
wait_stat records_observed r $FLOWS 60
sel=$(fm_stat records_selected r)
log "flow sampling 1 in $RATE, random: $sel of $FLOWS records selected"
# 1 in 10 of 10000: mean 1000, sigma 30
[ "$sel" -ge 880 ] && [ "$sel" -le 1120 ] || fail "$sel records selected, not within 4 sigma of 1000"
jq_eq "stats -j" '[.records_observed, .records_selected]' "[$FLOWS,$sel]" "$(fcj stats)"
wait_stat export_records r $((2 * sel))
expect_eq "not sent" "$(fm_stat export_not_sent r)" 0
capture_stop

# IPFIX: the records selected, each an exact flow, once.
capture_split "$TMPD/cap" 4739 "$TMPD/ipfix.pcap"
capture_payloads "$TMPD/ipfix.pcap" "$TMPD/c.ipfix"
ipfixDump -i "$TMPD/c.ipfix" >"$TMPD/dump" 2>"$TMPD/err" || fail "ipfixDump failed: $(cat "$TMPD/err")"
[ -s "$TMPD/err" ] && fail "ipfixDump complains: $(head -5 "$TMPD/err")"
python3 "$SELFTESTS/flowtext.py" ipfixdump --records <"$TMPD/dump" | LC_ALL=C sort >"$TMPD/got"
expect_eq "flows at the IPFIX collector" "$(wc -l <"$TMPD/got")" "$sel"
awk '$9 != 1' "$TMPD/got" | head -3 | sed 's/^/# more than one record: /' | grep . && fail "a flow came in several records"
cut -d' ' -f1-8 "$TMPD/got" >"$TMPD/got8"
LC_ALL=C comm -13 "$TMPD/all" "$TMPD/got8" >"$TMPD/bad"
if [ -s "$TMPD/bad" ]; then
	head -5 "$TMPD/bad" | sed 's/^/# not a sent flow, whole: /'
	fail "$(wc -l <"$TMPD/bad") records at the collector are not exact flows"
fi
log "ipfixDump: $sel records, each a sent flow with both packets and every byte"
grep -qE 'flowSelectorAlgorithm +: +4$' "$TMPD/dump" || fail "no flowSelectorAlgorithm 4"
grep -qE 'samplingFlowInterval +: +1$' "$TMPD/dump" || fail "no samplingFlowInterval 1"
grep -qE "samplingFlowSpacing +: +$((RATE - 1))\$" "$TMPD/dump" || fail "no samplingFlowSpacing $((RATE - 1))"
grep -qE 'samplingPacketSpace +: +0$' "$TMPD/dump" || fail "packet sampling's template is not 1:1"
grep -E 'flowSelectorAlgorithm|samplingFlow' "$TMPD/dump" | sort -u | sed 's/^ */# ipfixDump: /'
tshark -r "$TMPD/ipfix.pcap" -d udp.port==4739,cflow -T fields -E separator=/s \
	-e cflow.flow_selector_algorithm -e cflow.sampling_flow_interval -e cflow.sampling_flow_spacing \
	-Y cflow.flow_selector_algorithm 2>"$TMPD/err" | sort -u >"$TMPD/tsopt"
expect_eq "tshark: IPFIX flow selector" "$(cat "$TMPD/tsopt")" "4 1 $((RATE - 1))"

# v9: the same records; the rate announced is flow N (packet N being 1).
capture_split "$TMPD/cap" 2055 "$TMPD/v9.pcap"
tshark -r "$TMPD/v9.pcap" -d udp.port==2055,cflow -V 2>"$TMPD/err" |
	python3 "$SELFTESTS/flowtext.py" tshark | LC_ALL=C sort >"$TMPD/got9"
cut -d' ' -f1-8 "$TMPD/got" | cmp -s - "$TMPD/got9" ||
	fail "the v9 destination got other records than the IPFIX one"
log "tshark: v9 has the same $sel records"
tshark -r "$TMPD/v9.pcap" -d udp.port==2055,cflow -T fields -E separator=/s \
	-e cflow.sampling_interval -e cflow.sampling_algorithm -Y cflow.sampling_interval \
	2>"$TMPD/err" | sort -u >"$TMPD/v9opt"
expect_eq "tshark: v9 SAMPLING_INTERVAL, ALGORITHM" "$(cat "$TMPD/v9opt")" "$RATE 2"
# nfacctd, renormalising: each v9 record times 10.
NFACCTD_CONF="nfacctd_renormalize: true" nfacctd_decode "$TMPD/v9.pcap" "$TMPD/acct"
python3 "$SELFTESTS/flowtext.py" nfacctd <"$TMPD/acct" | LC_ALL=C sort >"$TMPD/acct.got"
awk -v n=$RATE '{ $7 *= n; $8 *= n; print }' "$TMPD/got9" | LC_ALL=C sort >"$TMPD/acct.want"
if ! cmp -s "$TMPD/acct.got" "$TMPD/acct.want"; then
	diff "$TMPD/acct.want" "$TMPD/acct.got" | head -6 | sed 's/^/# /'
	fail "nfacctd's renormalised v9 records are not $RATE times the flows"
fi
log "nfacctd renormalises the v9 records by $RATE"

# Deterministic: the first record and then every 10th, exactly, of the
# records of 2000 more flows (one packet each), however many they make.
fc set flow-sampling $RATE deterministic || fail "set flow-sampling deterministic"
jq_eq "deterministic" '.flow_sampling_mode' '"deterministic"' "$(fcj show)"
flowgen 2000 0 || fail "flowgen through r"
wait_stat packets_seen r $((2 * FLOWS + 2000)) 120
fc flush || fail "flush"
wait_stat_min records_observed r $((FLOWS + 2000)) 60
sleep 1
obs=$(($(fm_stat records_observed r) - FLOWS))
expect_eq "selected of $obs, deterministic" "$(($(fm_stat records_selected r) - sel))" \
	$(((obs + RATE - 1) / RATE))

fc set flow-sampling off || fail "flow-sampling off"
jq_eq "off" '.flow_sampling_rate' 1 "$(fcj show)"
rm -rf "$TMPD"
exit 0
