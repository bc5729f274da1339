#!/bin/bash
# NAT events under churn, loss, and without their source.
# 1. Churn: NAT_CHURN_N (default 2000) UDP sessions through r's NAT
#    (masquerade), created and flushed in rounds of at most 20000: every
#    event is either exported or counted dropped, created + deleted +
#    dropped = 2 x N, each exported one sent to the collector, and
#    another ctnetlink listener alongside (ctlisten.py, as conntrack -E
#    listens) gets all 2 x N. `conntrack -E` runs alongside too: what it
#    shows is logged, but it loses events of a flush burst by itself,
#    saying ENOBUFS, with or without flowmeter (a raw listener beside it
#    gets them all), so its count is no oracle here; test_natevents
#    checks it event by event. (By hand: NAT_CHURN_N=100000.)
# 2. Loss: with the smallest receive queue (nat_rcvbuf=1), a flush of 300
#    sessions overflows it: still exported + dropped = 2 x 300, dropped
#    > 0, and the collector gets the total in the lost-events options
#    record (notSentFlowTotalCount, decoded by tshark).
# 3. No source: nf_conntrack_netlink unloaded while events are on: no
#    crash, nat_conntrack_source 0, nothing logged; loaded again, events
#    flow again; switching on while it is unloaded loads it.
. "$(dirname "$0")/lib.sh"

N=${NAT_CHURN_N:-2000}
ROUND=20000
topo_routed
topo_collector
TMPD=$(mktemp -d)

# The export datagrams themselves untracked: the test's sessions are the
# only conntrack entries, so that the counts add up exactly.
ip netns exec r nft -f - <<-END || fail "nft rules"
	table ip nat {
		chain postrouting {
			type nat hook postrouting priority srcnat;
			oifname "r1" masquerade
		}
	}
	table ip raw {
		chain output {
			type filter hook output priority raw;
			ip daddr 10.0.9.1 notrack
		}
	}
END
nfcapd_start c "$TMPD/nfc" 4739
capture_start c c0 "$TMPD/cap"
fm_load_in r
fc set mark 0x5eed || fail "set mark"
fc destination add 10.0.9.1:4739 version 10 || fail "IPFIX destination"
ip netns exec r conntrack -F 2>/dev/null

# sessions N SPORT: N UDP sessions created, then flushed, in rounds
sessions() {
	local n=$1 sport=$2 k
	while [ "$n" -gt 0 ]; do
		k=$((n < ROUND ? n : ROUND))
		ip netns exec a python3 "$SELFTESTS/natchurn.py" 10.0.2.1 9000 $k $sport ||
			fail "natchurn"
		ip netns exec r conntrack -F 2>/dev/null
		n=$((n - k))
	done
}

# settled EXPECTED: created + deleted + dropped reach EXPECTED (60 s);
# every event exported is sent (nat_events_sent counts since the
# destination was added: SENT0 is its value when events went on)
settled() {
	local i sum
	for i in $(seq 300); do
		sum=$(($(fm_stat nat_events_created r) + $(fm_stat nat_events_deleted r) +
		       $(fm_stat nat_events_dropped r)))
		[ "$sum" -ge "$1" ] && break
		sleep 0.2
	done
	sleep 1
	for k in nat_events_created nat_events_deleted nat_events_dropped \
		 nat_events_overruns nat_events_skipped nat_events_malformed \
		 nat_events_sent nat_events_lost; do
		log "$k $(fm_stat $k r)"
	done
	expect_eq "created + deleted + dropped" \
		$(($(fm_stat nat_events_created r) + $(fm_stat nat_events_deleted r) +
		   $(fm_stat nat_events_dropped r))) "$1"
	expect_eq "skipped (only NAT sessions tracked)" "$(fm_stat nat_events_skipped r)" 0
	expect_eq "malformed" "$(fm_stat nat_events_malformed r)" 0
	wait_stat nat_events_sent r $((SENT0 + $(fm_stat nat_events_created r) + $(fm_stat nat_events_deleted r)))
	expect_eq "lost at export" "$(fm_stat nat_events_lost r)" 0
}

log "--- churn: $N sessions created and destroyed"
SENT0=$(fm_stat nat_events_sent r)
fc set nat-events on || fail "nat-events on"
ip netns exec r stdbuf -oL conntrack -E -e NEW,DESTROY -b $((64 << 20)) >"$TMPD/ctev" 2>&1 &
CTEV=$!
PIDS+=($CTEV)
ip netns exec r python3 "$SELFTESTS/ctlisten.py" 10 >"$TMPD/ctl" &
CTL=$!
PIDS+=($CTL)
for i in $(seq 50); do grep -q listening "$TMPD/ctl" && break; sleep 0.2; done
sleep 1
t0=$(date +%s%3N)
sessions $N 10000
settled $((2 * N))
t1=$(date +%s%3N)
log "churn: $N sessions, $(( (t1 - t0) )) ms; exported $(($(fm_stat nat_events_created r) + $(fm_stat nat_events_deleted r))), dropped $(fm_stat nat_events_dropped r)"
wait $CTL
expect_eq "the other ctnetlink listener" "$(tail -1 "$TMPD/ctl")" "new $N destroy $N enobufs 0"
kill $CTEV
wait $CTEV 2>/dev/null
log "conntrack -E: NEW $(grep -c '\[NEW\] udp .*src=10.0.1.1 dst=10.0.2.1 ' "$TMPD/ctev"), DESTROY $(grep -c '\[DESTROY\] udp .*src=10.0.1.1 dst=10.0.2.1 ' "$TMPD/ctev"), its ENOBUFS warnings $(grep -c ENOBUFS "$TMPD/ctev")"

log "--- loss: the smallest queue, a burst of 300 deletes"
M=300
fc set nat-events off || fail "nat-events off"
echo 1 >/sys/module/flowmeter/parameters/nat_rcvbuf
SENT0=$(fm_stat nat_events_sent r)
fc set nat-events on || fail "nat-events on, small queue"
sessions $M 40000
settled $((2 * M))
dropped=$(fm_stat nat_events_dropped r)
[ "$dropped" -gt 0 ] || fail "no event dropped with the smallest queue: the test proves nothing"
sleep 1
capture_stop
# The lost-events options records' notSentFlowTotalCount: the last holds
# the total. The exporter statistics record has one too, 0 here (no flow
# is metered): the highest value is the lost records' last.
TZ=UTC tshark -r "$TMPD/cap" -d udp.port==4739,cflow -T fields -E occurrence=a -E aggregator=';' \
	-e cflow.notsent_flows >"$TMPD/ts" 2>"$TMPD/ts.err" || fail "tshark: $(cat "$TMPD/ts.err")"
tr ';' '\n' <"$TMPD/ts" | grep -v '^$' | sort -n | uniq -c | sed 's/^/# notSentFlowTotalCount: /' | tail -5
lost=$(tr ';' '\n' <"$TMPD/ts" | grep -v '^$' | sort -n | tail -1)
log "lost-events record: $lost (nat_events_dropped $dropped)"
expect_eq "lost events the collector was told" "$lost" "$dropped"

log "--- nf_conntrack_netlink unloaded while events are on"
fc set nat-events off || fail "nat-events off"
echo 2097152 >/sys/module/flowmeter/parameters/nat_rcvbuf
fc set nat-events on || fail "nat-events on"
expect_eq "source before" "$(fm_stat nat_conntrack_source r)" 1
rmmod nf_conntrack_netlink || fail "rmmod nf_conntrack_netlink (in use?) $(grep nf_conntrack_netlink /proc/modules)"
expect_eq "source after rmmod" "$(fm_stat nat_conntrack_source r)" 0
ip netns exec a python3 "$SELFTESTS/natchurn.py" 10.0.2.1 9000 5 50000 || fail "natchurn"
sleep 1
expect_eq "events without a source" "$(fm_stat nat_events_created r)" 0
modprobe nf_conntrack_netlink || fail "modprobe nf_conntrack_netlink"
expect_eq "source after modprobe" "$(fm_stat nat_conntrack_source r)" 1
ip netns exec a python3 "$SELFTESTS/natchurn.py" 10.0.2.1 9000 5 50100 || fail "natchurn"
wait_stat nat_events_created r 5
log "--- switched on while it is unloaded: it is loaded"
fc set nat-events off || fail "nat-events off"
rmmod nf_conntrack_netlink || fail "rmmod nf_conntrack_netlink"
fc set nat-events on || fail "nat-events on without nf_conntrack_netlink loaded"
expect_eq "source" "$(fm_stat nat_conntrack_source r)" 1
ip netns exec a python3 "$SELFTESTS/natchurn.py" 10.0.2.1 9000 5 50200 || fail "natchurn"
wait_stat nat_events_created r 5
fc set nat-events off
fm_unload
rm -rf "$TMPD"
exit 0
