#!/bin/bash
# Anonymised export: four destinations receive the same flows, one whole
# and three with addresses cut to prefixes (IPFIX both ways /21 and /48,
# v9 sources /16 /32 and destinations /31 /120, v5 destinations /8). At
# real collectors (nfcapd/nfdump, and Wireshark over every message) the
# masked ones never see an address bit beyond its prefix, yet the packet
# and byte counts of every flow are the senders'; the unmasked one sees
# the exact addresses. flowctl shows each destination's prefixes, and
# refuses an IPv6 prefix on v5.
. "$(dirname "$0")/lib.sh"

[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"

topo_routed
topo_collector
TMPD=$(mktemp -d)
# Hosts with low bits set, so that every prefix below cuts something.
B4=10.0.2.203
B6=fd02::dead:beef:1234:5677
ip -n b addr add $B4/24 dev b0
ip -n b addr add $B6/64 dev b0 nodad
ip netns exec a ping -q -c 1 -W 5 $B4 >/dev/null || fail "no route to $B4"
ip netns exec a ping -q -c 1 -W 5 $B6 >/dev/null || fail "no route to $B6"

# port version anonymize-words src4 dst4 src6 dst6
DESTS=(
	"4739 10 - 32 32 128 128"
	"4740 10 anonymize,prefix4,21,prefix6,48 21 21 48 48"
	"4741 9 anonymize,src,prefix4,16,prefix6,32,anonymize,dst,prefix4,31,prefix6,120 16 31 32 120"
	"4742 5 anonymize,dst,prefix4,8 32 8 128 128"
)
capture_start c c0 "$TMPD/cap"
for d in "${DESTS[@]}"; do
	read -r port _ <<< "$d"
	nfcapd_start c "$TMPD/$port" "$port"
	NFC[$port]=$NFCAPD
done

fm_load_in r inactive_timeout=1
for d in "${DESTS[@]}"; do
	read -r port v words _ <<< "$d"
	[ "$words" = - ] && words=
	fc destination add 10.0.9.1:"$port" version "$v" ${words//,/ } ||
		fail "destination add 10.0.9.1:$port version $v ${words//,/ }"
done

log "--- flowctl and the kernel agree on the prefixes"
json=$(fcj destination list) || fail "destination list"
for d in "${DESTS[@]}"; do
	read -r port _ _ s4 d4 s6 d6 <<< "$d"
	jq_eq "prefixes of :$port" ".[] | select(.port == $port) | [.anon_src4, .anon_dst4, .anon_src6, .anon_dst6]" \
		"[$s4,$d4,$s6,$d6]" "$json"
done
fc destination list >"$TMPD/list"
grep -qxF "  anonymize: src4 /21, dst4 /21, src6 /48, dst6 /48" "$TMPD/list" ||
	fail "human list: $(grep anonymize "$TMPD/list")"
expect_eq "anonymize lines (the 3 masked destinations)" "$(grep -c anonymize "$TMPD/list")" 3
err=$(fc destination add 10.0.9.1:4743 version 5 anonymize prefix6 48 2>&1) &&
	fail "an IPv6 prefix on v5 was taken"
grep -q "NetFlow v5 carries no IPv6" <<< "$err" || fail "v5 with prefix6: '$err'"
log "v5 with prefix6 refused: $err"

# The flows; what each collector must show, addresses whole.
udp_send a $B4 9000 100 100 4000
udp_send a $B6 9000 50 100 4001
ip netns exec a ping -q -c 5 -i 0.05 $B4 >/dev/null || fail "ping"
ip netns exec a ping -q -c 5 -i 0.05 $B6 >/dev/null || fail "ping6"
cat >"$TMPD/want4" <<-END
	ICMP 10.0.1.1 0 $B4 8.0 5 420
	ICMP $B4 0 10.0.1.1 0.0 5 420
	UDP 10.0.1.1 4000 $B4 9000 100 12800
END
cat "$TMPD/want4" - >"$TMPD/want" <<-END
	ICMP6 fd01::1 0 $B6 128.0 5 520
	ICMP6 $B6 0 fd01::1 129.0 5 520
	UDP fd01::1 4001 $B6 9000 50 7400
END

for d in "${DESTS[@]}"; do
	read -r port v _ <<< "$d"
	if [ "$v" = 5 ]; then
		dest_wait 10.0.9.1:$port records 3
		dest_wait 10.0.9.1:$port refused 3
	else
		dest_wait 10.0.9.1:$port records 6
	fi
	expect_eq ":$port errors" "$(dest_stat 10.0.9.1:$port errors)" 0
done
expect_eq "procfs: the prefixes of :4741" \
	"$(dest_stat 10.0.9.1:4741 anon_src4) $(dest_stat 10.0.9.1:4741 anon_dst4) $(dest_stat 10.0.9.1:4741 anon_src6) $(dest_stat 10.0.9.1:4741 anon_dst6)" \
	"16 31 32 120"
fm_unload
capture_stop

log "--- nfdump"
for d in "${DESTS[@]}"; do
	read -r port v _ s4 d4 s6 d6 <<< "$d"
	kill "${NFC[$port]}"
	wait "${NFC[$port]}"
	nfdump -6 -R "$TMPD/$port" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' >"$TMPD/$port.got" ||
		fail "nfdump of :$port"
	want=$TMPD/want
	[ "$v" = 5 ] && want=$TMPD/want4
	python3 "$SELFTESTS/anoncheck.py" flows "$s4" "$d4" "$s6" "$d6" "$want" "$TMPD/$port.got" ||
		fail "nfdump of :$port (v$v, /$s4 /$d4 /$s6 /$d6): not the flows sent, masked"
	log "v$v :$port: nfdump shows the flows sent, cut to /$s4 /$d4 /$s6 /$d6, exact counts"
done
python3 "$SELFTESTS/anoncheck.py" has "$TMPD/4739.got" 10.0.1.1 $B4 fd01::1 $B6 ||
	fail "the unmasked collector did not see the hosts' addresses"
log "the unmasked collector sees the exact addresses"

log "--- Wireshark, every message"
tshark -r "$TMPD/cap" -d udp.port==4739-4742,cflow -T fields -E separator=/t \
	-e udp.dstport -e cflow.srcaddr -e cflow.dstaddr -e cflow.srcaddrv6 -e cflow.dstaddrv6 \
	>"$TMPD/fields" 2>"$TMPD/err" || fail "tshark: $(cat "$TMPD/err")"
for d in "${DESTS[@]}"; do
	read -r port v _ s4 d4 s6 d6 <<< "$d"
	# a message's IPv4 and IPv6 records, each field comma separated
	awk -F'\t' -v p="$port" '$1 == p && $2 != "" { print $2, $3 }
		$1 == p && $4 != "" { print $4, $5 }' "$TMPD/fields" >"$TMPD/$port.ws"
	python3 "$SELFTESTS/anoncheck.py" bits "$s4" "$d4" "$s6" "$d6" "$TMPD/$port.ws" ||
		fail "Wireshark: :$port has address bits beyond /$s4 /$d4 /$s6 /$d6"
done
python3 "$SELFTESTS/anoncheck.py" has "$TMPD/4739.ws" 10.0.1.1 $B4 fd01::1 $B6 ||
	fail "Wireshark: the unmasked collector did not get the hosts' addresses"
log "Wireshark: the unmasked collector gets the exact addresses"
rm -rf "$TMPD"
exit 0
