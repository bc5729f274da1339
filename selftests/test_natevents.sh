#!/bin/bash
# NAT event logging (RFC 8158). The router r NATs a's sessions to b
# (TCP and UDP to 10.0.2.254 ports 20000-20999, ICMP masqueraded; over
# IPv6 the same to fd02::fe, NAT66) and exports NAT44 and NAT66 session
# events to an IPFIX and a NetFlow v9 collector. N TCP, N UDP and N ICMP
# sessions of each family are opened, closed and deleted from conntrack
# (conntrack -F): tshark and nfdump must show exactly N create and N
# delete events of each (natEvent 4/5 for NAT44, 1/2 for NAT66, enc.h
# says why), with the pre- and post-NAT addresses and ports and times
# within the test's; `conntrack -E`, listening alongside, still sees
# every event; nothing counted dropped or lost. With
# nf_conntrack_events = 0, flowctl refuses to switch NAT events on and
# says why.
. "$(dirname "$0")/lib.sh"

N=5
command -v conntrack >/dev/null || skip "no conntrack tool (package conntrack)"
topo_routed
topo_collector
TMPD=$(mktemp -d)

nat_rules
ip netns exec b python3 "$SELFTESTS/natsess.py" server 8000 &
PIDS+=($!)
wait_port b 8000 tcp

for port in 4739 2055; do
	mkdir -p "$TMPD/nfc$port"
	ip netns exec c nfcapd -w "$TMPD/nfc$port" -p $port -t 3600 >"$TMPD/nfc$port.log" 2>&1 &
	PIDS+=($!)
	NFC[$port]=$!
	wait_port c $port
done
capture_start c c0 "$TMPD/cap"

fm_load_in r
# No flow records (no packet carries this mark): the messages hold events only
fc set mark 0x5eed || fail "set mark"
fc destination add 10.0.9.1:4739 version 10 || fail "IPFIX destination"
fc destination add 10.0.9.1:2055 version 9 || fail "v9 destination"

log "--- conntrack events off: refused, saying why"
ip netns exec r sysctl -qw net.netfilter.nf_conntrack_events=0
out=$(fc set nat-events on 2>&1) && fail "nat-events on with nf_conntrack_events=0: accepted"
log "flowctl: $out"
grep -q "nf_conntrack_events" <<< "$out" || fail "the refusal does not name nf_conntrack_events: $out"
expect_eq "NAT events after the refusal" "$(fcj show | jq .nat_events)" false
ip netns exec r sysctl -qw net.netfilter.nf_conntrack_events=1

log "--- $N TCP, UDP and ICMP sessions through the NAT, IPv4"
fc set nat-events on || fail "nat-events on"
expect_eq "NAT events" "$(fcj show | jq .nat_events)" true
ip netns exec r stdbuf -oL conntrack -E -e NEW,DESTROY >"$TMPD/ctev" 2>&1 &
CTEV=$!
PIDS+=($CTEV)
sleep 1
t0=$(date +%s%3N)
ip netns exec a python3 "$SELFTESTS/natsess.py" client 10.0.2.1 8000 $N 40001 || fail "TCP sessions"
udp_send a 10.0.2.1 9000 $N 64 41001 $N
for i in $(seq $N); do
	ip netns exec a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "ping $i"
done
wait_stat nat_events_created r $((3 * N))
ip netns exec r conntrack -F 2>/dev/null
wait_stat nat_events_deleted r $((3 * N))
t1=$(date +%s%3N)
# every event in both destinations' messages, sent (not held): the
# IPv6 ones go in other messages, which keeps tshark's columns apart
wait_stat nat_events_sent r $((12 * N))

log "--- $N TCP, UDP and ICMPv6 sessions through the NAT, IPv6 (NAT66)"
ip netns exec a python3 "$SELFTESTS/natsess.py" client fd02::1 8000 $N 42001 || fail "TCP sessions, IPv6"
udp_send a fd02::1 9000 $N 64 43001 $N
for i in $(seq $N); do
	ip netns exec a ping -6 -q -c 1 -W 5 fd02::1 >/dev/null || fail "ping -6 $i"
done
wait_stat nat_events_created r $((6 * N))
ip netns exec r conntrack -F -f ipv6 2>/dev/null
wait_stat nat_events_deleted r $((6 * N))
t1=$(date +%s%3N)
wait_stat nat_events_sent r $((24 * N))
for k in nat_events_created nat_events_deleted nat_events_dropped nat_events_overruns \
	 nat_events_malformed nat_events_lost nat_events_no_destination; do
	log "$k $(fm_stat $k r)"
done
expect_eq "NAT events dropped" "$(fm_stat nat_events_dropped r)" 0
expect_eq "NAT events lost" "$(fm_stat nat_events_lost r)" 0
expect_eq "malformed conntrack messages" "$(fm_stat nat_events_malformed r)" 0
sleep 1
kill $CTEV
wait $CTEV 2>/dev/null
capture_stop

log "--- conntrack -E saw every event with the module listening too"
expect_eq "conntrack -E NEW" "$(grep -c '\[NEW\].*src=10.0.1.1 dst=10.0.2.1 ' "$TMPD/ctev")" $((3 * N))
expect_eq "conntrack -E DESTROY" "$(grep -c '\[DESTROY\].*src=10.0.1.1 dst=10.0.2.1 ' "$TMPD/ctev")" $((3 * N))
expect_eq "conntrack -E NEW, IPv6" "$(grep -c '\[NEW\].*src=fd01::1 dst=fd02::1 ' "$TMPD/ctev")" $((3 * N))
expect_eq "conntrack -E DESTROY, IPv6" "$(grep -c '\[DESTROY\].*src=fd01::1 dst=fd02::1 ' "$TMPD/ctev")" $((3 * N))

# want: one line per event: EVENT PROTO SRC SPORT DST DPORT XSRC XDST XDPORT
# with the ICMP id as "id" (chosen by ping) and every post-NAT source port
# checked apart (in the snat range for TCP and UDP); ICMPv6 echo request
# is type 128: 32768 as the destination port
# want_fam CREATE DELETE SRC DST XSRC TCP_SPORT0 UDP_SPORT0 ICMP_PROTO ICMP_DPORT:
# one family's lines
want_fam() {
	local e i
	for e in $1 $2; do
		for i in $(seq $N); do
			echo "$e 6 $3 $(($6 + i)) $4 8000 $5 $4 8000"
			echo "$e 17 $3 $(($7 + i)) $4 9000 $5 $4 9000"
			echo "$e $8 $3 id $4 $9 $5 $4 $9"
		done
	done
}
want() {
	want_fam 4 5 10.0.1.1 10.0.2.1 10.0.2.254 40000 41000 1 2048
	want_fam 1 2 fd01::1 fd02::1 fd02::fe 42000 43000 58 32768
}
want | sort >"$TMPD/want"

log "--- tshark decodes the IPFIX and v9 events"
for port in 4739 2055; do
	TZ=UTC tshark -r "$TMPD/cap" -d udp.port==$port,cflow -Y "udp.dstport == $port" \
		-T fields -E occurrence=a -E aggregator=';' -E separator=/t \
		-e cflow.nat_event -e cflow.protocol -e cflow.srcaddr -e cflow.srcport \
		-e cflow.dstaddr -e cflow.dstport -e cflow.post_natsource_ipv4_address \
		-e cflow.post_naptsource_transport_port -e cflow.post_natdestination_ipv4_address \
		-e cflow.post_naptdestination_transport_port -e cflow.ingress_vrfid \
		-e cflow.observation_time_milliseconds -e cflow.srcaddrv6 -e cflow.dstaddrv6 \
		-e cflow.post_nat_source_ipv6_address -e cflow.post_nat_destination_ipv6_address \
		-e _ws.expert.message \
		>"$TMPD/ts$port" 2>"$TMPD/ts$port.err" || fail "tshark: $(cat "$TMPD/ts$port.err")"
	awk -F'\t' '$17 != ""' "$TMPD/ts$port" | head -3 | sed 's/^/# expert: /'
	awk -F'\t' '$17 != ""' "$TMPD/ts$port" | grep -q . && fail "tshark expert info on port $port"
	python3 - "$TMPD/ts$port" "$t0" "$t1" >"$TMPD/got$port" <<-'END' || fail "port $port: event fields"
	import calendar, re, sys
	t0, t1 = int(sys.argv[2]), int(sys.argv[3])
	MON = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
	def epoch_ms(s):
	    # tshark shows observationTimeMilliseconds as a UTC date
	    m = re.match(r"(\w+)\s+(\d+), (\d+) (\d+):(\d+):(\d+)\.(\d{3})", s)
	    if not m:
	        sys.exit("event time %r" % s)
	    t = calendar.timegm((int(m[3]), MON.index(m[1]) + 1, int(m[2]),
	                         int(m[4]), int(m[5]), int(m[6])))
	    return t * 1000 + int(m[7])
	for line in open(sys.argv[1]):
	    f = [c.split(";") if c else [] for c in line.rstrip("\n").split("\t")]
	    # a message holds NAT44 or NAT66 events (the test sends them
	    # apart): the addresses are in the one family's columns
	    for i, j in ((2, 12), (4, 13), (6, 14), (8, 15)):
	        f[i] = f[i] or f[j]
	    for r in zip(*f[:12]):
	        ev, pr, sa, sp, da, dp, xsa, xsp, xda, xdp, vrf, ms = r
	        if pr in ("6", "17") and not 20000 <= int(xsp) <= 20999:
	            sys.exit("post-NAT port %s out of the range" % xsp)
	        if vrf != "0":
	            sys.exit("ingressVRFID %s" % vrf)
	        if not t0 - 1000 <= epoch_ms(ms) <= t1 + 1000:
	            sys.exit("event time %s outside %d..%d ms" % (ms, t0, t1))
	        if pr in ("1", "58"):
	            sp = "id"
	        print(ev, pr, sa, sp, da, dp, xsa, xda, xdp)
	END
	sort -o "$TMPD/got$port" "$TMPD/got$port"
	diff -u "$TMPD/want" "$TMPD/got$port" | head -20 | sed 's/^/# /'
	cmp -s "$TMPD/want" "$TMPD/got$port" || fail "tshark (port $port) shows other events than the sessions"
	log "tshark, port $port: exactly $N create and $N delete events of each protocol and family"
done

log "--- nfdump decodes them (IPFIX, and NEL in v9)"
for port in 4739 2055; do
	kill "${NFC[$port]}"
	wait "${NFC[$port]}" 2>/dev/null
	nfdump -R "$TMPD/nfc$port" -q -o 'fmt:%nevt|%pr|%sa|%sp|%da|%dp|%nsa|%nsp|%nda|%ndp' \
		>"$TMPD/nf$port" 2>&1 || fail "nfdump: $(head -3 "$TMPD/nf$port")"
	head -2 "$TMPD/nf$port" | sed 's/^/# nfdump: /'
	# nfdump 1.7.1's %nevt names the historic codes only (4 and 5 are
	# "UNKNOW"): the codes come from its raw output, in the same order
	nfdump -R "$TMPD/nfc$port" -q -o raw >"$TMPD/nfraw$port" 2>&1 || fail "nfdump -o raw"
	grep -i 'nat event' "$TMPD/nfraw$port" | head -2 | sed 's/^/# nfdump raw: /'
	grep -i 'nat event' "$TMPD/nfraw$port" | sed 's/.*= *\([0-9]*\).*/\1/' >"$TMPD/nfev$port"
	expect_eq "nfdump (port $port): records with a NAT event code" \
		"$(grep -c . "$TMPD/nfev$port")" $((12 * N))
	paste -d'|' "$TMPD/nfev$port" "$TMPD/nf$port" |
	awk -F'|' '{ for (i = 1; i <= NF; i++) gsub(/ /, "", $i)
		     pr = $3; sub(/^TCP$/, "6", pr); sub(/^UDP$/, "17", pr); sub(/^ICMP$/, "1", pr)
		     sub(/^ICMP6$/, "58", pr)
		     sp = pr == 1 || pr == 58 ? "id" : $5; dp = $7; xdp = $11
		     if (pr == 1) { dp = 2048; xdp = 2048 }
		     if (pr == 58) { dp = 32768; xdp = 32768 }
		     xsa = $8; xda = $10
		     # nfdump 1.7.1 reads no post-NAT IPv6 address (281, 282)
		     # from IPFIX (it does from v9, as NEL)
		     if (port == 4739 && $4 ~ /:/ && xsa == "0.0.0.0" && xda == "0.0.0.0") {
			xsa = "-"; xda = "-" }
		     print $1, pr, $4, sp, $6, dp, xsa, xda, xdp }' port=$port | sort >"$TMPD/nfgot$port"
	# ...so its IPFIX NAT66 lines are checked without them (tshark checked them)
	awk -v port=$port 'port == 4739 && $3 ~ /:/ { $7 = "-"; $8 = "-" } { print }' "$TMPD/want" |
		sort >"$TMPD/nfwant"
	diff -u "$TMPD/nfwant" "$TMPD/nfgot$port" | grep '^-[^-]' | head -4 | sed 's/^/# /'
	diff -u "$TMPD/nfwant" "$TMPD/nfgot$port" | grep '^+[^+]' | head -4 | sed 's/^/# /'
	grep -v '10\.0\.' "$TMPD/nf$port" | head -1 | sed 's/^/# nfdump: /'
	cmp -s "$TMPD/nfwant" "$TMPD/nfgot$port" || fail "nfdump (port $port) shows other events than the sessions"
	log "nfdump, port $port: exactly $N create and $N delete events of each protocol and family"
done

log "--- who had 10.0.2.254:PORT (the admin guide's query)"
xport=$(awk -F'|' '$2 ~ /TCP/ { gsub(/ /, "", $8); print $8; exit }' "$TMPD/nf4739")
from=$(date -u -d @$((t0 / 1000 - 1)) +%Y/%m/%d.%H:%M:%S)
to=$(date -u -d @$((t1 / 1000 + 2)) +%Y/%m/%d.%H:%M:%S)
nfdump -R "$TMPD/nfc4739" -q -o 'fmt:%ts|%nevt|%pr|%sap|%nsa:%nsp' \
	"src nip 10.0.2.254 and src nport $xport" >"$TMPD/who" 2>&1 || fail "nfdump query: $(head -3 "$TMPD/who")"
sed 's/^/# who: /' "$TMPD/who"
expect_eq "records of 10.0.2.254:$xport" "$(grep -c . "$TMPD/who")" 2
nfdump -R "$TMPD/nfc4739" -q -t "$from-$to" -o 'fmt:%ts|%nevt|%pr|%sap|%nsa:%nsp' \
	"src nip 10.0.2.254 and src nport $xport" >"$TMPD/whot" 2>&1
log "...of them in -t $from-$to: $(grep -c . "$TMPD/whot")"
expect_eq "inside address of 10.0.2.254:$xport" \
	"$(awk -F'|' '{ gsub(/ /, "", $4); sub(/:[0-9]+$/, "", $4); print $4 }' "$TMPD/who" | sort -u)" 10.0.1.1

log "--- switched off, and on again: conntrack -E is unaffected"
fc set nat-events off || fail "nat-events off"
expect_eq "NAT events" "$(fcj show | jq .nat_events)" false
fc set nat-events on || fail "nat-events on again"
ip netns exec a ping -q -c 1 -W 5 10.0.2.1 >/dev/null || fail "ping"
wait_stat nat_events_created r 1

log "--- the router's netns goes with NAT events on (its .pre_exit)"
# Its kernel socket holds no reference: the netns must be freed, which
# shows as a's end of the veth pair going (cleanup_net() deletes r0 after
# the .pre_exit); then the module unloads (selftests/run fails the test
# on any kernel warning).
ip netns del r
NETNS=("${NETNS[@]/r}")
for i in $(seq 150); do
	ip -n a link show a0 >/dev/null 2>&1 || break
	sleep 0.2
done
ip -n a link show a0 >/dev/null 2>&1 && fail "the router's netns is still there after 30 s"
fm_unload
log "netns freed, module unloaded"
rm -rf "$TMPD"
exit 0
