#!/bin/bash
# Keyed prefix-preserving anonymisation: six destinations receive the
# same flows, one whole, the others pseudonymised (IPFIX and v9 with one
# key, IPFIX with another, IPFIX with a random key on destinations then
# cut to /28 and /120, v5 with the first key on sources). At nfcapd/
# nfdump: every flow arrives with its exact counts, every pseudonymised
# address differs from the real one yet is exactly the one module/anon.c
# defines for the key (anoncheck.py computes it independently), a host
# has one pseudonym in every record, hosts sharing k leading bits get
# pseudonyms sharing exactly k (10.0.2.77 and .78 share 30 bits, .203
# 24), the two destinations of one key agree and those of two keys
# never do. Wireshark sees only pseudonyms in every message. The key
# never comes back: not in flowctl's output, -j or /proc.
. "$(dirname "$0")/lib.sh"

[ -x "$FC" ] || skip "$FC not built (make flowctl)"
command -v jq >/dev/null || skip "jq not installed"

K1=000102030405060708090a0b0c0d0e0f
K2=f0e1d2c3b4a5968778695a4b3c2d1e0f
topo_routed
topo_collector
TMPD=$(mktemp -d)
V4=(10.0.2.203 10.0.2.77 10.0.2.78)
V6=(fd02::dead:beef:1234:5677 fd02::dead:beef:1234:5678)
for h in "${V4[@]}"; do
	ip -n b addr add "$h"/24 dev b0
	ip netns exec a ping -q -c 1 -W 5 "$h" >/dev/null || fail "no route to $h"
done
for h in "${V6[@]}"; do
	ip -n b addr add "$h"/64 dev b0 nodad
	ip netns exec a ping -q -c 1 -W 5 "$h" >/dev/null || fail "no route to $h"
done

# port version sides s4 d4 s6 d6 key anonymize-words
DESTS=(
	"4739 10 none 32 32 128 128 - -"
	"4740 10 both 32 32 128 128 $K1 anonymize,keyed,key,$K1"
	"4741 9 both 32 32 128 128 $K1 anonymize,both,keyed,key,$K1"
	"4742 10 both 32 32 128 128 $K2 anonymize,keyed,key,$K2"
	"4743 10 dst 32 28 128 120 - anonymize,dst,keyed,prefix4,28,prefix6,120"
	"4744 5 src 32 32 128 128 $K1 anonymize,src,keyed,key,$K1"
)
capture_start c c0 "$TMPD/cap"
declare -A NFC
for d in "${DESTS[@]}"; do
	read -r port _ <<< "$d"
	nfcapd_start c "$TMPD/$port" "$port"
	NFC[$port]=$NFCAPD
done

fm_load_in r inactive_timeout=1
for d in "${DESTS[@]}"; do
	read -r port v _ _ _ _ _ _ words <<< "$d"
	[ "$words" = - ] && words=
	fc destination add 10.0.9.1:"$port" version "$v" ${words//,/ } ||
		fail "destination add 10.0.9.1:$port version $v ${words//,/ }"
done

log "--- flowctl shows keyed, never the key"
json=$(fcj destination list) || fail "destination list"
for d in "${DESTS[@]}"; do
	read -r port _ sides s4 d4 s6 d6 _ <<< "$d"
	ks=false kd=false
	[ "$sides" = src ] || [ "$sides" = both ] && ks=true
	[ "$sides" = dst ] || [ "$sides" = both ] && kd=true
	jq_eq "anonymisation of :$port" ".[] | select(.port == $port) | [.anon_keyed_src, .anon_keyed_dst, .anon_src4, .anon_dst4, .anon_src6, .anon_dst6]" \
		"[$ks,$kd,$s4,$d4,$s6,$d6]" "$json"
done
fc destination list >"$TMPD/list"
grep -qxF "  anonymize: keyed dst, dst4 /28, dst6 /120" "$TMPD/list" ||
	fail "human list: $(grep anonymize "$TMPD/list")"
expect_eq "'keyed both' lines" "$(grep -c '^  anonymize: keyed both$' "$TMPD/list")" 3
expect_eq "'keyed src' lines" "$(grep -c '^  anonymize: keyed src$' "$TMPD/list")" 1
ip netns exec r cat /proc/net/flowmeter/* >"$TMPD/proc" 2>/dev/null
# every attribute the kernel sends, unknown ones as hex
ip netns exec r python3 "$SELFTESTS/genl.py" dests >"$TMPD/raw" || fail "genl.py dests"
grep -q anon_key\" "$TMPD/raw" && fail "the kernel sent an anonymisation key: $(cat "$TMPD/raw")"
for k in $K1 $K2; do
	for f in "$TMPD/list" "$TMPD/proc" "$TMPD/raw"; do
		grep -qi "$k" "$f" && fail "the key $k in $f"
	done
	grep -qi "$k" <<< "$json" && fail "the key $k in -j"
done
grep -q "^destination 10.0.9.1:4743 .*anon_keyed_src 0 anon_keyed_dst 1$" "$TMPD/proc" ||
	fail "procfs: $(grep '10.0.9.1:4743' "$TMPD/proc")"
log "keyed shown in flowctl, -j and /proc; neither key anywhere"
err=$(fc destination add 10.0.9.1:4745 anonymize key $K1 2>&1) &&
	fail "a key without keyed was taken"
log "key without keyed refused: $err"

# The flows, distinct ports each; what the collectors must show, whole.
: >"$TMPD/want"
p=4000 n=10
for h in "${V4[@]}" 10.0.2.1; do
	udp_send a "$h" 9000 $n 100 $p
	echo "UDP 10.0.1.1 $p $h 9000 $n $((n * 128))" >>"$TMPD/want"
	p=$((p + 1)) n=$((n + 1))
done
cp "$TMPD/want" "$TMPD/want4"
for h in "${V6[@]}" fd02::1; do
	udp_send a "$h" 9000 $n 100 $p
	echo "UDP fd01::1 $p $h 9000 $n $((n * 148))" >>"$TMPD/want"
	p=$((p + 1)) n=$((n + 1))
done

for d in "${DESTS[@]}"; do
	read -r port v _ <<< "$d"
	if [ "$v" = 5 ]; then
		dest_wait 10.0.9.1:$port records 4
		dest_wait 10.0.9.1:$port refused 3
	else
		dest_wait 10.0.9.1:$port records 7
	fi
	expect_eq ":$port errors" "$(dest_stat 10.0.9.1:$port errors)" 0
done
fm_unload
capture_stop

log "--- nfdump"
for d in "${DESTS[@]}"; do
	read -r port v sides s4 d4 s6 d6 key _ <<< "$d"
	kill "${NFC[$port]}"
	wait "${NFC[$port]}"
	nfdump -6 -R "$TMPD/$port" -q -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' >"$TMPD/$port.got" ||
		fail "nfdump of :$port"
	want=$TMPD/want
	[ "$v" = 5 ] && want=$TMPD/want4
	if [ "$sides" = none ]; then
		python3 "$SELFTESTS/anoncheck.py" flows 32 32 128 128 "$want" "$TMPD/$port.got" ||
			fail "nfdump of :$port: not the flows sent"
		log "v$v :$port: nfdump shows the flows sent, whole"
		continue
	fi
	python3 "$SELFTESTS/anoncheck.py" keyed "$sides" "$s4" "$d4" "$s6" "$d6" "$key" \
		"$want" "$TMPD/$port.got" "$TMPD/$port.map" ||
		fail "nfdump of :$port (v$v, keyed $sides, key $key): not the flows sent, pseudonymised"
	log "v$v :$port: nfdump shows the flows sent, keyed $sides (key $key), cut to /$s4 /$d4 /$s6 /$d6, exact counts"
done
python3 "$SELFTESTS/anoncheck.py" mapcmp same "$TMPD/4740.map" "$TMPD/4741.map" ||
	fail "one key, two destinations (IPFIX, v9): the pseudonyms differ"
python3 "$SELFTESTS/anoncheck.py" mapcmp differ "$TMPD/4740.map" "$TMPD/4742.map" ||
	fail "two keys: some pseudonyms agree"
log "one key: the same pseudonyms at IPFIX and v9; two keys: none alike"
# IPv4 sources: v5 has no others
awk '$1 == "src" && $2 !~ /:/' "$TMPD/4740.map" >"$TMPD/4740.src"
awk '$1 == "src" && $2 !~ /:/' "$TMPD/4744.map" >"$TMPD/4744.src"
[ -s "$TMPD/4744.src" ] && cmp -s "$TMPD/4740.src" "$TMPD/4744.src" ||
	fail "v5's source pseudonyms are not IPFIX's of the same key: $(cat "$TMPD/4740.src" "$TMPD/4744.src")"
log "v5 sources: the same pseudonyms as IPFIX's of the same key"

log "--- Wireshark, every message"
tshark -r "$TMPD/cap" -d udp.port==4739-4744,cflow -T fields -E separator=/t \
	-e udp.dstport -e cflow.srcaddr -e cflow.dstaddr -e cflow.srcaddrv6 -e cflow.dstaddrv6 \
	>"$TMPD/fields" 2>"$TMPD/err" || fail "tshark: $(cat "$TMPD/err")"
for port in 4740 4741 4742; do
	awk -F'\t' -v p="$port" '$1 == p { print $2, $3, $4, $5 }' "$TMPD/fields" >"$TMPD/$port.ws"
	python3 "$SELFTESTS/anoncheck.py" within "$TMPD/$port.ws" "$TMPD/$port.map" ||
		fail "Wireshark: :$port has an address that is not a pseudonym"
done
log "Wireshark: the keyed collectors get only pseudonyms, the ones nfdump showed"
rm -rf "$TMPD"
exit 0
