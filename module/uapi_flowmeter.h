/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The flowmeter generic netlink family: shared by the module and flowctl.
 * Described for tools in Documentation/netlink/specs/flowmeter.yaml.
 *
 * Every command acts on the network namespace of the requesting socket.
 * Commands that change state need CAP_NET_ADMIN in the user namespace
 * that owns that network namespace. Numbers are host order unless said
 * otherwise; addresses are 4 (IPv4) or 16 (IPv6) bytes, network order.
 * Every refusal comes with an extended ack message.
 */
#ifndef _UAPI_FLOWMETER_H
#define _UAPI_FLOWMETER_H

#include <linux/types.h>

#define FM_GENL_NAME		"flowmeter"
#define FM_GENL_VERSION		1

enum fm_cmd {
	FM_CMD_UNSPEC,
	FM_CMD_GET_CONFIG,	/* do: the config attributes of FM_A_* */
	FM_CMD_SET_CONFIG,	/* do, admin: any config attributes, all or none applied */
	FM_CMD_ADD_DEST,	/* do, admin: FM_A_DEST with ADDR, PORT, VERSION, opt. rest */
	FM_CMD_DEL_DEST,	/* do, admin: FM_A_DEST with ADDR, PORT */
	FM_CMD_GET_DESTS,	/* dump: one FM_A_DEST per destination, with stats */
	FM_CMD_GET_STATS,	/* do: FM_A_STATS */
	FM_CMD_GET_FLOWS,	/* dump: one FM_A_FLOW per flow per CPU; opt. filter */
	FM_CMD_GET_TOP,		/* do: FM_A_TOP_N, _BY, _AGG, _PREFIX4/6, FM_A_FLOW
				 * (what to match) -> FM_A_FLOW... */
	FM_CMD_FLUSH,		/* do, admin: end (and export) every cached flow */
	/*
	 * The prefix -> AS table, replaced whole: BEGIN with the new table's
	 * sizes, ADD its ranges in order over any number of requests, then
	 * COMMIT publishes it. All three from the same netlink socket; a
	 * BEGIN drops any table loading and not committed.
	 */
	FM_CMD_ASN_BEGIN,	/* do, admin: FM_A_ASN_COUNT4, FM_A_ASN_COUNT6 */
	FM_CMD_ASN_ADD,		/* do, admin: FM_A_ASN_RANGES4 and/or _RANGES6 */
	FM_CMD_ASN_COMMIT,	/* do, admin: the loaded table replaces the one in use */

	__FM_CMD_MAX,
	FM_CMD_MAX = __FM_CMD_MAX - 1
};

/* FM_A_SAMPLING_MODE */
enum fm_sampling_mode {
	FM_SAMPLING_MODE_DETERMINISTIC = 1,	/* 1 of every N packets */
	FM_SAMPLING_MODE_RANDOM = 2,		/* each packet with probability 1/N */
	FM_SAMPLING_MODE_HASH = 3,		/* whole flows, 1 in N by a keyed hash
						 * of addresses, ports and protocol */
};

/* FM_A_TOP_BY */
enum fm_top_by {
	FM_TOP_BY_BYTES = 0,
	FM_TOP_BY_PACKETS = 1,
};

/*
 * FM_A_TOP_AGG: what top ranks. FLOW: flows (each summed over CPUs).
 * SRC, DST: source or destination prefixes of FM_A_TOP_PREFIX4 or
 * FM_A_TOP_PREFIX6 bits (default: hosts), each the sum of its flows.
 */
enum fm_top_agg {
	FM_TOP_AGG_FLOW = 0,
	FM_TOP_AGG_SRC = 1,
	FM_TOP_AGG_DST = 2,
};

/*
 * FM_A_AGGREGATE: OFF, full keys (the default); MAIN, the cache runs with
 * the flow mask; BESIDE, the main cache keeps full keys and the records
 * it exports are also summed under the mask in a second cache, whose
 * aggregates go to the destinations with FM_DEST_A_AGGREGATES.
 */
enum fm_aggregate {
	FM_AGGREGATE_OFF = 0,
	FM_AGGREGATE_MAIN = 1,
	FM_AGGREGATE_BESIDE = 2,
};

/* FM_A_AGG_DROP: key fields an aggregation mask leaves out (zeroes) */
enum fm_agg_drop {
	FM_AGG_DROP_PORTS = 0x01,	/* ports, ICMP type and code */
	FM_AGG_DROP_IFS = 0x02,		/* ingress and egress interface */
	FM_AGG_DROP_TOS = 0x04,		/* TOS byte / traffic class */
	FM_AGG_DROP_PROTO = 0x08,	/* IP protocol */
	FM_AGG_DROP_VLAN = 0x10,	/* 802.1Q id */
};

/* FM_DEST_A_ANON_KEYED: which addresses are pseudonymised */
enum fm_dest_anon_keyed {
	FM_DEST_ANON_KEYED_SRC = 0x01,	/* source addresses */
	FM_DEST_ANON_KEYED_DST = 0x02,	/* destination addresses */
};

/*
 * One range of the AS table: the addresses first..last (inclusive,
 * network order) belong to AS asn. A table's ranges are sorted and do not
 * overlap; flowctl flattens nested prefixes into them (the longest prefix
 * wins), so that the kernel looks up with one binary search.
 */
struct fm_asn4 {
	__be32 first;
	__be32 last;
	__u32 asn;
};

struct fm_asn6 {
	__u8 first[16];
	__u8 last[16];
	__u32 asn;
};

#define FM_TOP_N_DEFAULT	10
#define FM_TOP_N_MAX		100

enum fm_attr {
	FM_A_UNSPEC,
	FM_A_PAD,
	FM_A_ACTIVE_TIMEOUT,	/* u32, s: 1..604800 */
	FM_A_INACTIVE_TIMEOUT,	/* u32, s: 1..604800 */
	FM_A_MAX_FLOWS,		/* u32: 1..2^26, the netns's cache, all CPUs */
	FM_A_HASH_SIZE,		/* u32: hash buckets per CPU, 0..2^24; set: 0 = by max flows */
	FM_A_HOOKS,		/* u32: BIT(NF_INET_*), hooks 0..4, and BIT(5):
				 * bridged frames (bridge family forward); not 0 */
	FM_A_SAMPLING_RATE,	/* u32: meter 1 of N packets, 1 = all */
	FM_A_SAMPLING_MODE,	/* u8: enum fm_sampling_mode */
	FM_A_FLOWLABEL,		/* u8: 1 = IPv6 flow label is a key field */
	FM_A_DOMAIN_ID,		/* u32: IPFIX observation domain, v9 source id */
	FM_A_MTU,		/* u32, set only: MTU of every destination, 576..65535 */
	FM_A_TEMPLATE_REFRESH,	/* u32, s: templates resent after; 0 = never */
	FM_A_TEMPLATE_PACKETS,	/* u32: ...or after this many messages; 0 = never */
	FM_A_DEST,		/* nest: FM_DEST_A_* */
	FM_A_STATS,		/* nest: FM_STAT_A_* */
	FM_A_FLOW,		/* nest: FM_FLOW_A_* */
	FM_A_TOP_N,		/* u32: 1..100, default 10 */
	FM_A_TOP_BY,		/* u8: enum fm_top_by, default bytes */
	FM_A_DESTS,		/* u32, read-only: number of destinations */
	FM_A_IFFILTER,		/* nest: FM_IFF_A_*; set: replaces the filter, empty = none */
	FM_A_NETNS_MAX_FLOWS,	/* u32: 1..2^26, module-wide cap on the max flows (and
				 * the hash size derived from it) of other netns; set
				 * from the initial netns only */
	FM_A_MARK,		/* u32: meter only packets whose skb->mark & MARK_MASK
				 * equals this; set together with MARK_MASK */
	FM_A_MARK_MASK,		/* u32: 0 = every packet (the default); MARK has no
				 * bit outside it */
	FM_A_SAMPLING_IFS,	/* nest: FM_SIF_A_IF...; set: replaces them, empty = none */
	FM_A_TOP_AGG,		/* u8: enum fm_top_agg, default flow */
	FM_A_TOP_PREFIX4,	/* u8: 0..32, IPv4 prefix length of SRC/DST, default 32 */
	FM_A_TOP_PREFIX6,	/* u8: 0..128, IPv6 prefix length, default 128 */
	FM_A_SAMPLING_HASH_KEY,	/* binary, 16 bytes: the key of sampling mode hash;
				 * random at netns creation; set: the same key
				 * on two meters selects the same flows */
	FM_A_AGGREGATE,		/* u8: enum fm_aggregate: where the flow mask
				 * below applies; a change of the main cache's
				 * mask ends its cached flows */
	FM_A_AGG_SRC_PREFIX4,	/* u8: 0..32, the mask's IPv4 source prefix, default 32 */
	FM_A_AGG_DST_PREFIX4,	/* u8: 0..32, IPv4 destination prefix, default 32 */
	FM_A_AGG_SRC_PREFIX6,	/* u8: 0..128, IPv6 source prefix, default 128 */
	FM_A_AGG_DST_PREFIX6,	/* u8: 0..128, IPv6 destination prefix, default 128 */
	FM_A_AGG_DROP,		/* u32: FM_AGG_DROP_*, key fields the mask zeroes */
	FM_A_FLOW_SAMPLING_RATE,	/* u32: export 1 of N finished records, 1 = all */
	FM_A_FLOW_SAMPLING_MODE,	/* u8: FM_SAMPLING_MODE_DETERMINISTIC (every
					 * Nth record) or _RANDOM (each 1/N) */
	FM_A_ROUTING,		/* u8: 1 = records carry next hop, prefix lengths
				 * and AS numbers, looked up at export; 0 (the
				 * default) = not; refused with aggregation */
	FM_A_ASN_COUNT4,	/* u32: IPv4 ranges of the AS table (in use on
				 * get; BEGIN: of the new one), 0..asn_max */
	FM_A_ASN_COUNT6,	/* u32: IPv6 ranges, likewise */
	FM_A_ASN_RANGES4,	/* binary: struct fm_asn4[], the next ranges, sorted */
	FM_A_ASN_RANGES6,	/* binary: struct fm_asn6[], likewise */
	FM_A_BIFLOW,		/* u8: 1 = RFC 5103 biflows, both directions of a
				 * conversation one flow; 0 (the default) =
				 * uniflows; a change ends the cached flows;
				 * refused with aggregation, routing fields or a
				 * v5 destination */
	FM_A_NAT_EVENTS,	/* u8: 1 = NAT44/66 session create/delete events
				 * (RFC 8158) from conntrack go to the IPFIX
				 * and v9 destinations; 0 (the default) = not.
				 * Refused (EOPNOTSUPP) when conntrack sends
				 * no events in the netns */
	FM_A_L2,		/* u8: 1 = flows keep the first packet's MAC
				 * addresses, VLAN ids and Ethernet type, and
				 * records carry them; 0 (the default) = not; a
				 * change ends the cached flows; refused with
				 * aggregation, routing fields or biflows */

	FM_A_POSTNAT,		/* u8: 1 = flows keep the post-NAT addresses
				 * and ports of their conntrack entry, and
				 * records carry them (IEs 225-228, 281-282);
				 * 0 (the default) = not; a change ends the
				 * cached flows; refused with biflows, L2
				 * fields, aggregation or routing fields */
	__FM_A_MAX,
	FM_A_MAX = __FM_A_MAX - 1
};

/*
 * Interface filter: a packet is metered if there is no INCLUDE or its
 * input or output interface matches one, and neither matches an EXCLUDE.
 * Each is a name or a prefix ending in '*'; at most 8 of each.
 */
enum fm_iff_attr {
	FM_IFF_A_UNSPEC,
	FM_IFF_A_INCLUDE,	/* string, 1..15 chars, repeated */
	FM_IFF_A_EXCLUDE,	/* string, 1..15 chars, repeated */

	__FM_IFF_A_MAX,
	FM_IFF_A_MAX = __FM_IFF_A_MAX - 1
};

/*
 * Sampling rates by input interface: a packet whose input interface
 * matches the NAME of an FM_SIF_A_IF (the first that does) is sampled at
 * its RATE instead of FM_A_SAMPLING_RATE, in FM_A_SAMPLING_MODE; at most 8.
 */
enum fm_sifs_attr {
	FM_SIFS_A_UNSPEC,
	FM_SIFS_A_IF,		/* nest: FM_SIF_A_*, repeated */

	__FM_SIFS_A_MAX,
	FM_SIFS_A_MAX = __FM_SIFS_A_MAX - 1
};

enum fm_sif_attr {
	FM_SIF_A_UNSPEC,
	FM_SIF_A_NAME,		/* string: an interface name, or a prefix ending in '*' */
	FM_SIF_A_RATE,		/* u32: 1 of N packets, N >= 1 */

	__FM_SIF_A_MAX,
	FM_SIF_A_MAX = __FM_SIF_A_MAX - 1
};

/* An export destination (collector). ADDR and PORT identify it. */
enum fm_dest_attr {
	FM_DEST_A_UNSPEC,
	FM_DEST_A_PAD,
	FM_DEST_A_ADDR,		/* binary, 4 or 16 bytes */
	FM_DEST_A_PORT,		/* u16: 1..65535 */
	FM_DEST_A_VERSION,	/* u8: 5, 9 or 10 (IPFIX) */
	FM_DEST_A_SRC_ADDR,	/* binary, 4 or 16 bytes, same family as ADDR */
	FM_DEST_A_SRC_PORT,	/* u16 */
	FM_DEST_A_DSCP,		/* u8: 0..63 */
	FM_DEST_A_MTU,		/* u32: 576..65535; 0 or absent: 1500 */
	FM_DEST_A_PACKETS,	/* u64, read-only: export messages sent */
	FM_DEST_A_BYTES,	/* u64, read-only: their UDP payload bytes */
	FM_DEST_A_RECORDS,	/* u64, read-only: flow records in them */
	FM_DEST_A_REFUSED,	/* u64, read-only: records the version cannot carry */
	FM_DEST_A_NOT_SENT,	/* u64, read-only: refused + records of unsent messages */
	FM_DEST_A_ERRORS,	/* u64, read-only: failed sends, ICMP errors */
	FM_DEST_A_LAST_ERROR,	/* u32, read-only: errno of the last error, 0 if none */
	FM_DEST_A_IFNAME,	/* string: device to bind to, a VRF or an interface */
	FM_DEST_A_IFINDEX,	/* u32, read-only: the bound device's ifindex */
	/*
	 * Anonymisation: the destination gets source or destination
	 * addresses cut to this many leading bits, the rest zero; absent:
	 * the full length, unmasked. Other destinations are not affected.
	 */
	FM_DEST_A_ANON_SRC4,	/* u8: 0..32, IPv4 source prefix length */
	FM_DEST_A_ANON_DST4,	/* u8: 0..32, IPv4 destination prefix length */
	FM_DEST_A_ANON_SRC6,	/* u8: 0..128, IPv6 source prefix length */
	FM_DEST_A_ANON_DST6,	/* u8: 0..128, IPv6 destination prefix length */
	/*
	 * Keyed prefix-preserving pseudonymisation of source (bit 0)
	 * and/or destination (bit 1) addresses, before any cut above;
	 * absent or 0: none. Reported back; the key never is.
	 */
	FM_DEST_A_ANON_KEYED,	/* u8: enum fm_dest_anon_keyed bits */
	FM_DEST_A_ANON_KEY,	/* binary, 16 bytes, write-only: the SipHash
				 * key (k0, k1 little-endian); absent with
				 * KEYED: random, for this destination only */
	FM_DEST_A_AGGREGATES,	/* u8: 1 = receives aggregates (those of the
				 * cache beside the main one, or the main
				 * cache's records when it is masked), never
				 * single flows; 0 (default): the main cache's */

	__FM_DEST_A_MAX,
	FM_DEST_A_MAX = __FM_DEST_A_MAX - 1
};

/* Counters, all u64; the names follow /proc/net/flowmeter/stats. */
enum fm_stat_attr {
	FM_STAT_A_UNSPEC,
	FM_STAT_A_PAD,
	FM_STAT_A_PACKETS_SEEN,
	FM_STAT_A_PACKETS_METERED,
	FM_STAT_A_BYTES_METERED,
	FM_STAT_A_PACKETS_FRAGMENT,
	FM_STAT_A_PACKETS_NO_L4,
	FM_STAT_A_PACKETS_SKIPPED_SAMPLING,
	FM_STAT_A_PARSE_ERROR_TRUNCATED_L3,
	FM_STAT_A_PARSE_ERROR_BAD_VERSION,
	FM_STAT_A_PARSE_ERROR_BAD_IHL,
	FM_STAT_A_PARSE_ERROR_BAD_LENGTH,
	FM_STAT_A_PARSE_ERROR_BAD_EXT_HEADER,
	FM_STAT_A_PARSE_ERROR_TRUNCATED_L4,
	FM_STAT_A_FLOWS_ACTIVE,
	FM_STAT_A_FLOWS_CREATED,
	FM_STAT_A_FLOWS_EXPIRED_IDLE,
	FM_STAT_A_FLOWS_EXPIRED_ACTIVE,
	FM_STAT_A_FLOWS_EXPIRED_END_OF_FLOW,
	FM_STAT_A_FLOWS_EXPIRED_FORCED,
	FM_STAT_A_FLOWS_EXPIRED_EVICTED,
	FM_STAT_A_FLOWS_DROPPED_NOMEM,
	FM_STAT_A_FLOWS_DROPPED_FULL,
	FM_STAT_A_RECORDS_DROPPED,
	FM_STAT_A_MEMORY_BYTES,		/* the cache's memory: entries and tables */
	FM_STAT_A_PACKETS_FILTERED,	/* left out by the interface filter */
	FM_STAT_A_PACKETS_DROPPED,	/* their new flow was refused */
	FM_STAT_A_FLOWS_MERGED,		/* pieces merged across CPUs */
	FM_STAT_A_MERGE_INCOMPLETE,	/* records sent without every piece */
	FM_STAT_A_PACKETS_FILTERED_MARK,	/* left out by the mark filter */
	FM_STAT_A_BUDGET_POOL,		/* flow budget no CPU holds */
	FM_STAT_A_BUDGET_STARVING,	/* 1 + the CPU short of budget, or 0 */
	FM_STAT_A_RECORDS_OBSERVED,	/* finished records handed to export */
	FM_STAT_A_RECORDS_SELECTED,	/* ...of them, sent on by flow sampling */
	/* NAT events (FM_A_NAT_EVENTS); the first six since switched on */
	FM_STAT_A_NAT_EVENTS_CREATED,	/* session creates handed to export */
	FM_STAT_A_NAT_EVENTS_DELETED,	/* session deletes handed to export */
	FM_STAT_A_NAT_EVENTS_DROPPED,	/* lost in a full receive queue */
	FM_STAT_A_NAT_EVENTS_OVERRUNS,	/* times the queue overflowed */
	FM_STAT_A_NAT_EVENTS_SKIPPED,	/* conntrack events without NAT */
	FM_STAT_A_NAT_EVENTS_MALFORMED,	/* messages that did not parse */
	FM_STAT_A_NAT_EVENTS_SENT,	/* event records sent, all destinations */
	FM_STAT_A_NAT_EVENTS_LOST,	/* ...in failed sends, or fitting no message */
	FM_STAT_A_NAT_EVENTS_NO_DEST,	/* events while no IPFIX/v9 destination */
	FM_STAT_A_NAT_CONNTRACK_EVENTS,	/* net.netfilter.nf_conntrack_events */
	FM_STAT_A_NAT_CONNTRACK_SOURCE,	/* 1: nf_conntrack_netlink sends events */
	FM_STAT_A_PARSE_ERROR_BAD_MPLS,	/* MPLS label stack truncated, too deep */

	__FM_STAT_A_MAX,
	FM_STAT_A_MAX = __FM_STAT_A_MAX - 1
};

/*
 * A cached flow. In a FM_CMD_GET_FLOWS or FM_CMD_GET_TOP request, a
 * filter: a flow is dumped (or ranked) if it matches every one of FAMILY,
 * SRC_ADDR, DST_ADDR (the first SRC_PREFIX_LEN, DST_PREFIX_LEN bits of
 * them, if given; a length needs its address), SRC_PORT, DST_PORT,
 * PROTO, TOS, IN_IF and OUT_IF given (no other attribute is accepted
 * there). In a top reply of prefixes (FM_A_TOP_AGG SRC or DST): FAMILY,
 * the prefix as SRC_ADDR or DST_ADDR with its *_PREFIX_LEN, FLOWS,
 * PACKETS, BYTES, START_MS and END_MS.
 * A flow of a cache that aggregates (FM_A_AGGREGATE) comes with both
 * *_PREFIX_LEN: its addresses are prefixes of those lengths.
 */
enum fm_flow_attr {
	FM_FLOW_A_UNSPEC,
	FM_FLOW_A_PAD,
	FM_FLOW_A_FAMILY,	/* u8: 4 or 6 */
	FM_FLOW_A_SRC_ADDR,	/* binary, 4 or 16 bytes */
	FM_FLOW_A_DST_ADDR,	/* binary, 4 or 16 bytes */
	FM_FLOW_A_SRC_PORT,	/* u16 */
	FM_FLOW_A_DST_PORT,	/* u16; ICMP: type * 256 + code */
	FM_FLOW_A_PROTO,	/* u8: IP protocol */
	FM_FLOW_A_TOS,		/* u8: IPv4 TOS byte, IPv6 traffic class */
	FM_FLOW_A_IN_IF,	/* u32: ingress ifindex, 0 if none */
	FM_FLOW_A_OUT_IF,	/* u32: egress ifindex, 0 if none */
	FM_FLOW_A_VLAN,		/* u16: 802.1Q id, 0 if untagged */
	FM_FLOW_A_DIR,		/* u8: 0 ingress, 1 egress (IPFIX flowDirection) */
	FM_FLOW_A_PACKETS,	/* u64 */
	FM_FLOW_A_BYTES,	/* u64: sum of IP total lengths */
	FM_FLOW_A_START_MS,	/* u64: first packet, ms since the Unix epoch */
	FM_FLOW_A_END_MS,	/* u64: last packet, ms since the Unix epoch */
	FM_FLOW_A_TCP_FLAGS,	/* u8: OR of the TCP flags seen */
	FM_FLOW_A_TTL_MIN,	/* u8 */
	FM_FLOW_A_TTL_MAX,	/* u8 */
	FM_FLOW_A_CPU,		/* u32: the CPU that metered it; absent in top */
	FM_FLOW_A_FLOWLABEL,	/* u32: IPv6 flow label, if a key field */
	FM_FLOW_A_SRC_PREFIX_LEN,	/* u8: bits of SRC_ADDR that count */
	FM_FLOW_A_DST_PREFIX_LEN,	/* u8: bits of DST_ADDR that count */
	FM_FLOW_A_FLOWS,	/* u32: flows summed in a top prefix */
	/*
	 * Routing fields (FM_A_ROUTING on): looked up as the flow is read,
	 * as an export would; absent when routing is off.
	 */
	FM_FLOW_A_NEXTHOP,	/* binary, 4 or 16 bytes; 0: connected */
	FM_FLOW_A_SRC_MASK,	/* u8: prefix length of the source's route */
	FM_FLOW_A_DST_MASK,	/* u8: of the destination's route */
	FM_FLOW_A_SRC_AS,	/* u32: the AS table's origin AS, 0: none */
	FM_FLOW_A_DST_AS,	/* u32 */
	/*
	 * A biflow (FM_A_BIFLOW): SRC is its initiator, PACKETS .. END_MS and
	 * TCP_FLAGS what it sent, these what the responder sent.
	 */
	FM_FLOW_A_BIFLOW,	/* u8: 1, present for biflows only */
	FM_FLOW_A_REV_PACKETS,	/* u64 */
	FM_FLOW_A_REV_BYTES,	/* u64 */
	FM_FLOW_A_REV_START_MS,	/* u64: 0 if no packet */
	FM_FLOW_A_REV_END_MS,	/* u64 */
	FM_FLOW_A_REV_TCP_FLAGS,	/* u8 */
	/*
	 * L2 fields ('set l2 on'), present for such flows only: the first
	 * packet's (export.rst, L2 fields, says which hook has which).
	 */
	FM_FLOW_A_SRC_MAC,	/* binary, 6 bytes; 0: none */
	FM_FLOW_A_DST_MAC,	/* binary, 6 bytes */
	FM_FLOW_A_VLAN_OUTER,	/* u16: dot1qVlanId, 0: none */
	FM_FLOW_A_VLAN_INNER,	/* u16: dot1qCustomerVlanId, 0: none */
	FM_FLOW_A_ETHERTYPE,	/* u16: 0x0800 or 0x86dd */
	FM_FLOW_A_POST_SRC_MAC,	/* binary, 6 bytes: after forwarding */
	FM_FLOW_A_POST_DST_MAC,	/* binary, 6 bytes */
	FM_FLOW_A_MPLS_LABEL,	/* u32: top label entry as IE 70 (label << 4 |
				 * TC << 1 | S); absent: no label */

	/*
	 * Post-NAT fields (FM_A_POSTNAT on), of flows whose packets had a
	 * conntrack entry: the addresses and ports once every translation
	 * is applied.
	 */
	FM_FLOW_A_POSTNAT_SRC_ADDR,	/* binary, 4 or 16 bytes */
	FM_FLOW_A_POSTNAT_DST_ADDR,	/* binary, 4 or 16 bytes */
	FM_FLOW_A_POSTNAT_SRC_PORT,	/* u16 */
	FM_FLOW_A_POSTNAT_DST_PORT,	/* u16 */
	FM_FLOW_A_POSTNAT_FINAL,	/* u8: 1 once the entry's NAT was set
					 * up; 0: taken before (a flow's
					 * first packet), a later one's win */

	__FM_FLOW_A_MAX,
	FM_FLOW_A_MAX = __FM_FLOW_A_MAX - 1
};

#endif /* _UAPI_FLOWMETER_H */
