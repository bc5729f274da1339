#!/bin/bash
# libfixbuf's ipfixDump, a strict IPFIX reader, decodes the whole stream
# sent to an IPv6 collector: templates, options and 200 flows in several
# messages, whose header sequence numbers count every data record sent
# before them, options data included (RFC 7011, section 3.1).
. "$(dirname "$0")/lib.sh"

command -v ipfixDump >/dev/null || skip "no ipfixDump (libfixbuf-tools)"
topo_routed
topo_collector
TMPD=$(mktemp -d)
ip netns exec c python3 "$SELFTESTS/udprecv.py" 4739 "$TMPD/ipfix" &
PIDS+=($!)
wait_port c 4739

fm_load_in r "destination=[fd09::1]:4739" inactive_timeout=1
udp_send a 10.0.2.1 9000 400 100 5000 200
wait_stat_min export_records r 200
sent=$(fm_stat export_bytes r)
msgs=$(fm_stat export_packets r)
fm_unload
for i in $(seq 25); do
	[ "$(stat -c %s "$TMPD/ipfix")" -ge "$sent" ] && break
	sleep 0.2
done
expect_eq "bytes received" "$(stat -c %s "$TMPD/ipfix")" "$sent"

ipfixDump -i "$TMPD/ipfix" >"$TMPD/dump" 2>"$TMPD/err" || fail "ipfixDump failed: $(cat "$TMPD/err")"
[ -s "$TMPD/err" ] && fail "ipfixDump complains: $(head -5 "$TMPD/err")"
read -r nmsg ndata < <(sed -n 's/.*File Stats: \([0-9]*\) Messages, \([0-9]*\) Data Records.*/\1 \2/p' "$TMPD/dump")
expect_eq "messages decoded" "$nmsg" "$msgs"
expect_eq "flow records (template 256)" \
	"$(grep -cE '^\s+count: +[0-9]+ +tid: +256 ' "$TMPD/dump")" 200
expect_eq "UDP flows of 2 packets, 256 bytes, to port 9000" \
	"$(grep -c 'destinationTransportPort : 9000' "$TMPD/dump")" 200
[ "$(grep -c 'packetDeltaCount : 2$' "$TMPD/dump")" = 200 ] || fail "packet counts"
[ "$(grep -c 'octetDeltaCount : 256$' "$TMPD/dump")" = 200 ] || fail "byte counts"
grep -q 'samplingPacketInterval' "$TMPD/dump" || fail "no sampling options record"
grep -q 'interfaceName : .* r0$' "$TMPD/dump" || fail "no interface name of r0"

# Each header's sequence number = data records in the messages before.
awk '/sequence number:/ { seq[n++] = $6 }
     /Msg Stats: [0-9]+ Data Records/ { data[n - 1] = $4 }
     END {
	want = 0
	for (i = 0; i < n; i++) {
		if (seq[i] != want) { print "message " i ": sequence " seq[i] ", want " want; exit 1 }
		want += data[i]
	}
	print "# sequence numbers of " n " messages count " want " data records"
     }' "$TMPD/dump" || fail "IPFIX sequence numbers"
expect_eq "data records, options included" "$ndata" \
	"$(awk '/Msg Stats: [0-9]+ Data Records/ { s += $4 } END { print s }' "$TMPD/dump")"
rm -rf "$TMPD"
exit 0
