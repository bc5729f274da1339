#!/bin/bash
# Export survives its collector restarting: while nfcapd is down the
# router's messages only cost counted errors (ICMP port unreachable), and
# a new nfcapd decodes the flows that follow, having learnt the templates
# from the periodic refresh.
. "$(dirname "$0")/lib.sh"

topo_routed
topo_collector
TMPD=$(mktemp -d)
PORT=4739

# start_nfcapd DIR: a collector in c writing to DIR
start_nfcapd() {
	nfcapd_start c "$1" $PORT
	NFC=$NFCAPD
}

# stop_nfcapd: end it and wait until nothing listens on the port
stop_nfcapd() {
	kill "$NFC"
	wait "$NFC"
	ip netns exec c ss -Hlun "sport = :$PORT" | grep -q . && fail "collector still listening"
	return 0
}

start_nfcapd "$TMPD/first"
fm_load_in r destination=10.0.9.1:$PORT inactive_timeout=1 template_refresh=1
udp_send a 10.0.2.1 9000 100 100 5000 5
wait_stat_min export_records r 5
stop_nfcapd

log "--- collector down"
udp_send a 10.0.2.1 9000 100 100 6000 5
wait_stat_min export_records r 10
# A refused message is reported on the next send: keep exporting.
udp_send a 10.0.2.1 9000 100 100 6100 5
wait_stat_min export_records r 15
wait_stat_min export_errors r 1
log "send errors while the collector was down: $(fm_stat export_errors r)"

log "--- collector back"
start_nfcapd "$TMPD/second"
sleep 2		# past the 1 s template refresh
udp_send a 10.0.2.1 9000 100 100 7000 5
wait_stat_min export_records r 20
sleep 1
stop_nfcapd

for d in first second; do
	nfdump -R "$TMPD/$d" -q -o 'fmt:%sp %pkt %byt' |
		awk '{ p[$1] += $2; b[$1] += $3 } END { for (k in p) print k, p[k], b[k] }' |
		sort -n > "$TMPD/$d.got"
done
want() { for i in 0 1 2 3 4; do echo "$(($1 + i)) 20 2560"; done; }
want 5000 | cmp -s - "$TMPD/first.got" || fail "first collector: $(cat "$TMPD/first.got")"
grep -q '^7000 ' "$TMPD/second.got" || fail "restarted collector decoded none of the later flows: $(cat "$TMPD/second.got")"
want 7000 | while read -r line; do
	grep -qx "$line" "$TMPD/second.got" || fail "restarted collector lacks '$line'"
done || exit 1
log "the restarted collector decoded the flows sent after it came back"
exit 0
