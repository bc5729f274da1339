#!/bin/bash
# Sampling mode hash ("flowctl set sampling 10 hash hash-key KEY"): whole
# flows are selected by a keyed hash of addresses, ports and protocol.
# 10000 UDP flows of 2 packets each cross two routers, r and sr, given
# the same key. At r's collector (ipfixDump): exactly the flows that
# selftests/hashsel.py, a SipHash written apart from the module, says
# the key selects, their number within 4 sigma of 1000, each with both
# its packets and all its bytes; the options record tells the selector
# (selectorAlgorithm 6, samplingPacketSpace 9, hashSelectedRangeMax).
# sr selects the same flows, which nfcapd, its collector, stores as sent
# (nfdump 1.7.1 applies no announced rate: collectors.rst); with another
# key, sr selects other flows. The key is
# random by default, shown by flowctl show and -j, refused unless 16
# bytes.
. "$(dirname "$0")/lib.sh"

FC=$TOP/userspace/flowctl
[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"
command -v ipfixDump >/dev/null || skip "no ipfixDump (libfixbuf-tools)"
command -v nfcapd >/dev/null || skip "no nfcapd (nfdump)"

KEY=00112233445566778899aabbccddeeff
KEY2=0f1e2d3c4b5a69788796a5b4c3d2e1f0
FLOWS=10000
RATE=10

backlog_raise

topo_routed
topo_collector
topo_routed s
topo_collector s
TMPD=$(mktemp -d)
ip netns exec c python3 "$SELFTESTS/udprecv.py" 4739 "$TMPD/c.ipfix" &
PIDS+=($!)
wait_port c 4739
nfcapd_start sc "$TMPD/nfcapd" 4739
NFC=$NFCAPD
fm_load
fcn() { local n=$1; shift; ip netns exec "$n" "$FC" "$@"; }

# The default key: random, so two netns differ; shown in show and -j.
k_r=$(fcn r -j show | jq -r .sampling_hash_key)
k_sr=$(fcn sr -j show | jq -r .sampling_hash_key)
[[ $k_r =~ ^[0-9a-f]{32}$ ]] || fail "default key of r: '$k_r'"
[ "$k_r" != "$k_sr" ] || fail "two netns drew the same random key $k_r"
fcn r show | grep -qx "  sampling hash key: $k_r" || fail "show: $(fcn r show)"
fcn r set hash-key 0011 2>/dev/null && fail "a 2-byte key was taken"

for n in r sr; do
	fcn $n set sampling $RATE hash hash-key $KEY timeout active 3600 inactive 3600 ||
		fail "set sampling $RATE hash in $n"
	fcn $n destination add 10.0.9.1:4739 || fail "destination add in $n"
done
expect_eq "mode" "$(fcn r -j show | jq -c '[.sampling_rate, .sampling_mode, .sampling_hash_key]')" \
	"[$RATE,\"hash\",\"$KEY\"]"
fcn r show | grep -qx "  sampling mode: hash" || fail "show: $(fcn r show)"

# Every flow, as hashsel.py reads them, and as flowtext.py will print
# the selected ones: 2 packets of 20 + 8 + 16 + i % 61 bytes.
for ((i = 0; i < FLOWS; i++)); do
	echo "10.0.1.1 10.0.2.1 $((1024 + i)) 9000 17"
done >"$TMPD/flows"
python3 "$SELFTESTS/hashsel.py" $KEY $RATE <"$TMPD/flows" |
	awk '{ i = $3 - 1024; print "17 10.0.1.1 10.0.2.1 " $3 " 9000 - 2 " 2 * (44 + i % 61) }' |
	LC_ALL=C sort >"$TMPD/want"
sel=$(wc -l <"$TMPD/want")
log "hashsel.py: $sel of $FLOWS flows selected by the key"

send() {	# ROUTER-PREFIX: two rounds of every flow through it
	local p=$1
	ip netns exec ${p}a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $FLOWS 0 vary >/dev/null ||
		fail "flowgen through ${p}r"
	ip netns exec ${p}a python3 "$SELFTESTS/flowgen.py" 10.0.1.1 10.0.2.1 9000 $FLOWS 0 vary >/dev/null ||
		fail "flowgen through ${p}r"
}
for p in "" s; do
	send "$p"
	wait_stat packets_seen ${p}r $((2 * FLOWS)) 120
	expect_eq "packets metered by ${p}r" "$(fm_stat packets_metered ${p}r)" $((2 * sel))
	expect_eq "packets skipped by ${p}r" "$(fm_stat packets_skipped_sampling ${p}r)" \
		$((2 * (FLOWS - sel)))
done
# 1 in 10 of 10000: mean 1000, sigma 30
[ "$sel" -ge 880 ] && [ "$sel" -le 1120 ] || fail "$sel flows selected, not within 4 sigma of 1000"

# The flows sr holds are r's.
fcn r -j -e flows | jq -r '.[].sport' | sort -n >"$TMPD/r.ports"
fcn sr -j -e flows | jq -r '.[].sport' | sort -n >"$TMPD/sr.ports"
expect_eq "flows cached by r" "$(wc -l <"$TMPD/r.ports")" "$sel"
cmp -s "$TMPD/r.ports" "$TMPD/sr.ports" || fail "r and sr, same key, hold other flows"
log "r and sr hold the same $sel flows"

# Exported: exactly the flows the key selects, each whole.
fcn r flush || fail "flush"
wait_stat_min export_records r "$sel"
sent=$(fm_stat export_bytes r)
for i in $(seq 50); do
	[ "$(stat -c %s "$TMPD/c.ipfix")" -ge "$sent" ] && break
	sleep 0.2
done
expect_eq "bytes at r's collector" "$(stat -c %s "$TMPD/c.ipfix")" "$sent"
ipfixDump -i "$TMPD/c.ipfix" >"$TMPD/dump" 2>"$TMPD/err" || fail "ipfixDump failed: $(cat "$TMPD/err")"
[ -s "$TMPD/err" ] && fail "ipfixDump complains: $(head -5 "$TMPD/err")"
python3 "$SELFTESTS/flowtext.py" ipfixdump <"$TMPD/dump" | LC_ALL=C sort >"$TMPD/got"
if ! cmp -s "$TMPD/got" "$TMPD/want"; then
	diff "$TMPD/want" "$TMPD/got" | head -10 | sed 's/^/# /'
	fail "the flows at the collector are not the $sel the key selects, with all their packets"
fi
log "collector: the $sel flows the key selects, 2 packets and every byte each"
grep -qE 'selectorAlgorithm : +6$' "$TMPD/dump" || fail "no selectorAlgorithm 6"
grep -qE 'samplingPacketInterval : +1$' "$TMPD/dump" || fail "no samplingPacketInterval 1"
grep -qE "samplingPacketSpace : +$((RATE - 1))\$" "$TMPD/dump" || fail "no samplingPacketSpace $((RATE - 1))"
max=$(python3 -c "print(((1 << 64) - 1) // $RATE)")
grep -qE "hashSelectedRangeMax : +$max\$" "$TMPD/dump" || fail "no hashSelectedRangeMax $max"
grep -E 'selectorAlgorithm|samplingPacket|hashSelected' "$TMPD/dump" | sort -u | sed 's/^ */# ipfixDump: /'

# nfcapd stores sr's records of the same flows as they were sent.
fcn sr flush || fail "flush sr"
wait_stat_min export_records sr "$sel"
sleep 2
kill "$NFC"
wait "$NFC" 2>/dev/null
nfdump -R "$TMPD/nfcapd" -q -o 'fmt:%sp %pkt %byt' |
	awk '{ p[$1] += $2; b[$1] += $3 } END { for (k in p) print k, p[k], b[k] }' |
	LC_ALL=C sort >"$TMPD/nfdump.got"
awk '{ print $4, 2, $8 }' "$TMPD/want" | LC_ALL=C sort >"$TMPD/nfdump.want"
if ! cmp -s "$TMPD/nfdump.got" "$TMPD/nfdump.want"; then
	diff "$TMPD/nfdump.want" "$TMPD/nfdump.got" | head -10 | sed 's/^/# /'
	fail "nfdump does not show sr's $sel flows as sent"
fi
log "nfdump: sr's $sel flows, each as sent, unscaled"

# Another key on sr: other flows, those hashsel.py says.
fcn sr set hash-key $KEY2 || fail "set hash-key on sr"
seen=$(fm_stat packets_seen sr)
send s
wait_stat packets_seen sr $((seen + 2 * FLOWS)) 120
fcn sr -j -e flows | jq -r '.[].sport' | sort -n >"$TMPD/sr2.ports"
python3 "$SELFTESTS/hashsel.py" $KEY2 $RATE <"$TMPD/flows" | awk '{ print $3 }' | sort -n >"$TMPD/want2"
cmp -s "$TMPD/sr2.ports" "$TMPD/want2" || fail "sr with the other key: not the flows hashsel.py selects"
both=$(LC_ALL=C comm -12 <(LC_ALL=C sort "$TMPD/r.ports") <(LC_ALL=C sort "$TMPD/sr2.ports") | wc -l)
log "other key: $(wc -l <"$TMPD/sr2.ports") flows, $both of them selected by the first key too"
[ "$both" -lt $((sel / 2)) ] || fail "$both flows in common: the key changes little"
rm -rf "$TMPD"
exit 0
