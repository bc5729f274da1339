// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX (RFC 7011) encoder, and the template machinery it shares with
 * NetFlow v9 (RFC 3954). Both are sets of records described by templates;
 * what differs (message header, set ids, options template record header,
 * field lists) is switched on the session's version, with the v9 tables
 * and header in nf9.c.
 *
 * Every template is a table of fields, each naming its information
 * element, its length and the source of its value; the same table writes
 * the template record and fills the data records, so they cannot disagree.
 */
#include "enc.h"
#include "flowsamp.h"
#include "hashsel.h"

#define IPFIX_VERSION		10
#define IPFIX_HDR_LEN		16
#define SET_HDR_LEN		4
#define IPFIX_SET_TMPL		2
#define IPFIX_SET_OPT_TMPL	3
#define NF9_SET_TMPL		0
#define NF9_SET_OPT_TMPL	1

#define IPPROTO_ICMP_NR		1
#define IPPROTO_ICMPV6_NR	58

/*
 * The flow templates are one layout in variants: times, addresses (and
 * the extra fields of a variant), interfaces, ports or ICMP type and code,
 * and the same tail. The pieces every variant shares, in wire order:
 */
#define IPFIX_TIMES \
	{ 1, 8, FM_S_OCTETS },		/* octetDeltaCount */ \
	{ 2, 8, FM_S_PACKETS },		/* packetDeltaCount */ \
	{ 152, 8, FM_S_START_MS },	/* flowStartMilliseconds */ \
	{ 153, 8, FM_S_END_MS },	/* flowEndMilliseconds */

#define IPFIX_ADDR4 \
	{ 8, 4, FM_S_SADDR4 },		/* sourceIPv4Address */ \
	{ 12, 4, FM_S_DADDR4 },		/* destinationIPv4Address */

#define IPFIX_ADDR6 \
	{ 27, 16, FM_S_SADDR6 },	/* sourceIPv6Address */ \
	{ 28, 16, FM_S_DADDR6 },	/* destinationIPv6Address */

#define IPFIX_IFS \
	{ 10, 4, FM_S_IN_IF },		/* ingressInterface */ \
	{ 14, 4, FM_S_OUT_IF },		/* egressInterface */

#define IPFIX_PORTS \
	{ 7, 2, FM_S_SPORT },		/* sourceTransportPort */ \
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */

#define IPFIX_TAIL \
	{ 58, 2, FM_S_VLAN },		/* vlanId */ \
	{ 4, 1, FM_S_PROTO },		/* protocolIdentifier */ \
	{ 5, 1, FM_S_TOS },		/* ipClassOfService */ \
	{ 6, 1, FM_S_TCP_FLAGS },	/* tcpControlBits, reduced size */ \
	{ 52, 1, FM_S_TTL_MIN },	/* minimumTTL */ \
	{ 53, 1, FM_S_TTL_MAX },	/* maximumTTL */ \
	{ 136, 1, FM_S_END_REASON },	/* flowEndReason */ \
	{ 61, 1, FM_S_DIR },		/* flowDirection */ \
	{ 60, 1, FM_S_IPVER },		/* ipVersion */

#define IPFIX_FLOW4 \
	IPFIX_TIMES \
	IPFIX_ADDR4 \
	IPFIX_IFS \
	IPFIX_PORTS \
	IPFIX_TAIL

static const struct fm_field ipfix_v4[] = {
	IPFIX_FLOW4
};

/*
 * ICMP flows: the type and code, in icmpTypeCodeIPv4 and also as the
 * destination port, as Cisco exports them and where pmacct's nfacctd
 * reads them (it ignores IE 32 and 139); no source port.
 */
#define IPFIX_FLOW_ICMP4 \
	IPFIX_TIMES \
	IPFIX_ADDR4 \
	IPFIX_IFS \
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */ \
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */ \
	IPFIX_TAIL

static const struct fm_field ipfix_icmp4[] = {
	IPFIX_FLOW_ICMP4
};

#define IPFIX_FLOW6 \
	IPFIX_TIMES \
	IPFIX_ADDR6 \
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */ \
	IPFIX_IFS \
	IPFIX_PORTS \
	IPFIX_TAIL

static const struct fm_field ipfix_v6[] = {
	IPFIX_FLOW6
};

/* ICMPv6 flows: the same, in icmpTypeCodeIPv6 */
#define IPFIX_FLOW_ICMP6 \
	IPFIX_TIMES \
	IPFIX_ADDR6 \
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */ \
	IPFIX_IFS \
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */ \
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */ \
	IPFIX_TAIL

static const struct fm_field ipfix_icmp6[] = {
	IPFIX_FLOW_ICMP6
};

/*
 * Masked flows (aggregation): the prefix lengths the addresses were cut
 * to, after them; no flow label, which no mask keeps.
 */
static const struct fm_field ipfix_agg4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	{ 9, 1, FM_S_SRC_PLEN },	/* sourceIPv4PrefixLength */
	{ 13, 1, FM_S_DST_PLEN },	/* destinationIPv4PrefixLength */
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_agg_icmp4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	{ 9, 1, FM_S_SRC_PLEN },	/* sourceIPv4PrefixLength */
	{ 13, 1, FM_S_DST_PLEN },	/* destinationIPv4PrefixLength */
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */
	IPFIX_TAIL
};

static const struct fm_field ipfix_agg6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 29, 1, FM_S_SRC_PLEN },	/* sourceIPv6PrefixLength */
	{ 30, 1, FM_S_DST_PLEN },	/* destinationIPv6PrefixLength */
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_agg_icmp6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 29, 1, FM_S_SRC_PLEN },	/* sourceIPv6PrefixLength */
	{ 30, 1, FM_S_DST_PLEN },	/* destinationIPv6PrefixLength */
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */
	IPFIX_TAIL
};

/*
 * Routed flows (routing fields on): the unmasked fields with the next hop
 * of the destination's route (0 when it is connected), the prefix lengths
 * of the source's and destination's routes and their AS numbers.
 */
static const struct fm_field ipfix_route4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	{ 15, 4, FM_S_NEXTHOP4 },	/* ipNextHopIPv4Address */
	{ 9, 1, FM_S_SRC_MASK },	/* sourceIPv4PrefixLength */
	{ 13, 1, FM_S_DST_MASK },	/* destinationIPv4PrefixLength */
	{ 16, 4, FM_S_SRC_AS },		/* bgpSourceAsNumber */
	{ 17, 4, FM_S_DST_AS },		/* bgpDestinationAsNumber */
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_route_icmp4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	{ 15, 4, FM_S_NEXTHOP4 },	/* ipNextHopIPv4Address */
	{ 9, 1, FM_S_SRC_MASK },	/* sourceIPv4PrefixLength */
	{ 13, 1, FM_S_DST_MASK },	/* destinationIPv4PrefixLength */
	{ 16, 4, FM_S_SRC_AS },		/* bgpSourceAsNumber */
	{ 17, 4, FM_S_DST_AS },		/* bgpDestinationAsNumber */
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */
	IPFIX_TAIL
};

static const struct fm_field ipfix_route6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */
	{ 62, 16, FM_S_NEXTHOP6 },	/* ipNextHopIPv6Address */
	{ 29, 1, FM_S_SRC_MASK },	/* sourceIPv6PrefixLength */
	{ 30, 1, FM_S_DST_MASK },	/* destinationIPv6PrefixLength */
	{ 16, 4, FM_S_SRC_AS },		/* bgpSourceAsNumber */
	{ 17, 4, FM_S_DST_AS },		/* bgpDestinationAsNumber */
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_route_icmp6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */
	{ 62, 16, FM_S_NEXTHOP6 },	/* ipNextHopIPv6Address */
	{ 29, 1, FM_S_SRC_MASK },	/* sourceIPv6PrefixLength */
	{ 30, 1, FM_S_DST_MASK },	/* destinationIPv6PrefixLength */
	{ 16, 4, FM_S_SRC_AS },		/* bgpSourceAsNumber */
	{ 17, 4, FM_S_DST_AS },		/* bgpDestinationAsNumber */
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */
	IPFIX_TAIL
};

/*
 * Biflows (RFC 5103): the source is the initiator, the plain counters,
 * times and flags what it sent; the reverse ones (enterprise fields, PEN
 * 29305) what the responder sent; biflowDirection 1, initiator. Fewer
 * fields than the uniflow templates (no VLAN, TTLs, flowDirection,
 * ipVersion, flow label; ICMP has no TCP flags): the four, with the
 * options templates, must fit the smallest message (FM_ENC_TMPL_MAX).
 */
/*
 * The reverse times before the initiator's: nfdump 1.7 reads both into
 * one pair of fields, and the last one written stays.
 */
#define IPFIX_BI_TIMES \
	{ 1, 8, FM_S_OCTETS },		/* octetDeltaCount */ \
	{ 2, 8, FM_S_PACKETS },		/* packetDeltaCount */ \
	{ FM_IE_REV | 1, 8, FM_S_REV_OCTETS },	/* reverseOctetDeltaCount */ \
	{ FM_IE_REV | 2, 8, FM_S_REV_PACKETS },	/* reversePacketDeltaCount */ \
	{ FM_IE_REV | 152, 8, FM_S_REV_START_MS },	/* reverseFlowStartMilliseconds */ \
	{ FM_IE_REV | 153, 8, FM_S_REV_END_MS },	/* reverseFlowEndMilliseconds */ \
	{ 152, 8, FM_S_START_MS },	/* flowStartMilliseconds */ \
	{ 153, 8, FM_S_END_MS },	/* flowEndMilliseconds */

#define IPFIX_BI_TAIL \
	{ 4, 1, FM_S_PROTO },		/* protocolIdentifier */ \
	{ 5, 1, FM_S_TOS },		/* ipClassOfService */ \
	{ 136, 1, FM_S_END_REASON },	/* flowEndReason */ \
	{ 239, 1, FM_S_BIFLOW_DIR },	/* biflowDirection */

#define IPFIX_BI_TCP \
	{ 6, 1, FM_S_TCP_FLAGS },	/* tcpControlBits, reduced size */ \
	{ FM_IE_REV | 6, 1, FM_S_REV_TCP_FLAGS },	/* reverseTcpControlBits */

static const struct fm_field ipfix_bi4[] = {
	IPFIX_BI_TIMES
	IPFIX_ADDR4
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_BI_TAIL
	IPFIX_BI_TCP
};

static const struct fm_field ipfix_bi6[] = {
	IPFIX_BI_TIMES
	IPFIX_ADDR6
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_BI_TAIL
	IPFIX_BI_TCP
};

static const struct fm_field ipfix_bi_icmp4[] = {
	IPFIX_BI_TIMES
	IPFIX_ADDR4
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */
	IPFIX_BI_TAIL
};

static const struct fm_field ipfix_bi_icmp6[] = {
	IPFIX_BI_TIMES
	IPFIX_ADDR6
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */
	IPFIX_BI_TAIL
};

/*
 * Flows with L2 fields ('l2' on): the unmasked fields with the first
 * packet's MAC addresses (zero where the hook saw no Ethernet header),
 * outer and inner (QinQ) VLAN ids and Ethernet type, the top MPLS label
 * entry (0: none) and the MACs of the frame after forwarding (zero where
 * the hook cannot know them: export.rst, L2 fields, says hook by hook).
 */
#define IPFIX_L2 \
	{ 56, 6, FM_S_SRC_MAC },	/* sourceMacAddress */ \
	{ 80, 6, FM_S_DST_MAC },	/* destinationMacAddress */ \
	{ 243, 2, FM_S_VLAN_OUTER },	/* dot1qVlanId */ \
	{ 245, 2, FM_S_VLAN_INNER },	/* dot1qCustomerVlanId */ \
	{ 256, 2, FM_S_ETHERTYPE },	/* ethernetType */ \
	{ 70, 3, FM_S_MPLS_TOP },	/* mplsTopLabelStackSection */ \
	{ 81, 6, FM_S_POST_SRC_MAC },	/* postSourceMacAddress */ \
	{ 57, 6, FM_S_POST_DST_MAC },	/* postDestinationMacAddress */

static const struct fm_field ipfix_l2_4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	IPFIX_L2
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_l2_icmp4[] = {
	IPFIX_TIMES
	IPFIX_ADDR4
	IPFIX_L2
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */
	IPFIX_TAIL
};

static const struct fm_field ipfix_l2_6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */
	IPFIX_L2
	IPFIX_IFS
	IPFIX_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_l2_icmp6[] = {
	IPFIX_TIMES
	IPFIX_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */
	IPFIX_L2
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */
	IPFIX_TAIL
};

/*
 * Flows with post-NAT fields ('postnat' on): the unmasked fields with the
 * addresses and ports once the conntrack entry's translations are applied
 * (zero for a flow without an entry), each after its pre-NAT field as RFC
 * 8158 lists them for NAT events; ICMP flows have no ports to translate.
 */
#define IPFIX_XL_ADDR4 \
	IPFIX_ADDR4 \
	{ 225, 4, FM_S_XL_SADDR4 },	/* postNATSourceIPv4Address */ \
	{ 226, 4, FM_S_XL_DADDR4 },	/* postNATDestinationIPv4Address */

#define IPFIX_XL_ADDR6 \
	IPFIX_ADDR6 \
	{ 281, 16, FM_S_XL_SADDR6 },	/* postNATSourceIPv6Address */ \
	{ 282, 16, FM_S_XL_DADDR6 },	/* postNATDestinationIPv6Address */ \
	{ 31, 4, FM_S_FLOWLABEL },	/* flowLabelIPv6 */

#define IPFIX_XL_PORTS \
	IPFIX_PORTS \
	{ 227, 2, FM_S_XL_SPORT },	/* postNAPTSourceTransportPort */ \
	{ 228, 2, FM_S_XL_DPORT },	/* postNAPTDestinationTransportPort */

static const struct fm_field ipfix_xl4[] = {
	IPFIX_TIMES
	IPFIX_XL_ADDR4
	IPFIX_IFS
	IPFIX_XL_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_xl_icmp4[] = {
	IPFIX_TIMES
	IPFIX_XL_ADDR4
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 32, 2, FM_S_ICMP },		/* icmpTypeCodeIPv4 */
	IPFIX_TAIL
};

static const struct fm_field ipfix_xl6[] = {
	IPFIX_TIMES
	IPFIX_XL_ADDR6
	IPFIX_IFS
	IPFIX_XL_PORTS
	IPFIX_TAIL
};

static const struct fm_field ipfix_xl_icmp6[] = {
	IPFIX_TIMES
	IPFIX_XL_ADDR6
	IPFIX_IFS
	{ 11, 2, FM_S_DPORT },		/* destinationTransportPort */
	{ 139, 2, FM_S_ICMP },		/* icmpTypeCodeIPv6 */
	IPFIX_TAIL
};

/* RFC 7011 4.1-4.3 statistics, together, scoped by the domain */
static const struct fm_field ipfix_stats[] = {
	{ 149, 4, FM_S_DOMAIN },	/* scope: observationDomainId */
	{ 41, 8, FM_S_MSGS },		/* exportedMessageTotalCount */
	{ 42, 8, FM_S_FLOWS },		/* exportedFlowRecordTotalCount */
	{ 164, 8, FM_S_IGNORED_PKTS },	/* ignoredPacketTotalCount */
	{ 166, 8, FM_S_NOT_SENT },	/* notSentFlowTotalCount */
};

/* RFC 5477: 1 out of N is interval 1, space N - 1 */
static const struct fm_field ipfix_sampling[] = {
	{ 149, 4, FM_S_DOMAIN },	/* scope: observationDomainId */
	{ 304, 2, FM_S_SEL_ALGO },	/* selectorAlgorithm */
	{ 305, 4, FM_S_SAMP_PKTS },	/* samplingPacketInterval */
	{ 306, 4, FM_S_SAMP_SPACE },	/* samplingPacketSpace */
};

/*
 * Sampling mode hash (hashsel.h): hashes 0 .. hashSelectedRangeMax of
 * the 64-bit output range 0 .. 2^64 - 1 are selected, 1 in N; interval 1
 * and space N - 1 as for packet sampling, so that collectors that scale
 * by those scale hash selection alike. In place of ipfix_sampling, and
 * no bigger: the templates must fit the smallest message (528 bytes),
 * which leaves no room for hashOutputRangeMin/Max and
 * hashSelectedRangeMin (0, 2^64 - 1 and 0, documented instead).
 */
static const struct fm_field ipfix_hashsel[] = {
	{ 149, 4, FM_S_DOMAIN },	/* scope: observationDomainId */
	{ 304, 2, FM_S_SEL_ALGO },	/* selectorAlgorithm */
	{ 305, 4, FM_S_SAMP_PKTS },	/* samplingPacketInterval */
	{ 306, 4, FM_S_SAMP_SPACE },	/* samplingPacketSpace */
	{ 332, 8, FM_S_HASH_SEL_MAX },	/* hashSelectedRangeMax */
};

/*
 * RFC 7014 flow sampling, 1 out of N finished records: interval 1,
 * spacing N - 1. Sent besides (not instead of) the packet sampling
 * template: the two compose. Without selectorIDTotalFlowsObserved and
 * ...Selected (394, 395): the template, 28 bytes with its set, already
 * takes a 576-byte MTU's room for an IPv6 record (export.rst); flowctl
 * stats shows them.
 */
static const struct fm_field ipfix_flowsamp[] = {
	{ 149, 4, FM_S_DOMAIN },	/* scope: observationDomainId */
	{ 390, 2, FM_S_FSEL_ALGO },	/* flowSelectorAlgorithm */
	{ 396, 4, FM_S_FLOW_INTERVAL },	/* samplingFlowInterval */
	{ 397, 4, FM_S_FLOW_SPACING },	/* samplingFlowSpacing */
};

static const struct fm_field ipfix_ifname[] = {
	{ 10, 4, FM_S_IFINDEX },	/* scope: ingressInterface */
	{ 82, FM_ENC_IFNAME_LEN, FM_S_IFNAME },	/* interfaceName */
};

static const struct fm_field ipfix_nat4[] = {
	FM_NAT4_FIELDS
};

static const struct fm_field ipfix_nat6[] = {
	FM_NAT6_FIELDS
};

static const struct fm_field ipfix_nat_lost[] = {
	{ 149, 4, FM_S_DOMAIN },	/* scope: observationDomainId */
	FM_NAT_LOST_FIELDS
};

/*
 * Per-interface sampling rates: the plain records with the selector that
 * sampled them, which the selector options records explain. selectorId
 * in 4 bytes in the records, so that the templates and the longest record
 * fit an IPv4 collector's smallest message (export.rst); full size in the
 * options records.
 */
#define IPFIX_SEL \
	{ 302, 4, FM_S_SELECTOR },	/* selectorId, reduced size */

static const struct fm_field ipfix_sel4[] = {
	IPFIX_FLOW4
	IPFIX_SEL
};

static const struct fm_field ipfix_sel_icmp4[] = {
	IPFIX_FLOW_ICMP4
	IPFIX_SEL
};

static const struct fm_field ipfix_sel6[] = {
	IPFIX_FLOW6
	IPFIX_SEL
};

static const struct fm_field ipfix_sel_icmp6[] = {
	IPFIX_FLOW_ICMP6
	IPFIX_SEL
};

/* RFC 5477 6.5.1: a selector's rate, scoped by its id */
static const struct fm_field ipfix_selector[] = {
	{ 302, 8, FM_S_SEL_ID },	/* scope: selectorId */
	{ 304, 2, FM_S_SEL_ALGO },	/* selectorAlgorithm */
	{ 305, 4, FM_S_SAMP_PKTS },	/* samplingPacketInterval */
	{ 306, 4, FM_S_SEL_SPACE },	/* samplingPacketSpace */
};

#define TMPL(nscope, fields) { nscope, ARRAY_SIZE(fields), fields }

/* Indexed by template id - FM_TMPL_V4. */
static const struct fm_tmpl ipfix_tmpls[FM_TMPL_NUM] = {
	TMPL(0, ipfix_v4),
	TMPL(0, ipfix_v6),
	TMPL(1, ipfix_stats),
	TMPL(1, ipfix_sampling),
	TMPL(1, ipfix_ifname),
	TMPL(0, ipfix_icmp4),
	TMPL(0, ipfix_icmp6),
	TMPL(1, ipfix_hashsel),
	TMPL(0, ipfix_agg4),
	TMPL(0, ipfix_agg6),
	TMPL(0, ipfix_agg_icmp4),
	TMPL(0, ipfix_agg_icmp6),
	TMPL(0, ipfix_route4),
	TMPL(0, ipfix_route6),
	TMPL(0, ipfix_route_icmp4),
	TMPL(0, ipfix_route_icmp6),
	TMPL(1, ipfix_flowsamp),
	TMPL(0, ipfix_bi4),
	TMPL(0, ipfix_bi6),
	TMPL(0, ipfix_bi_icmp4),
	TMPL(0, ipfix_bi_icmp6),
	TMPL(0, ipfix_nat4),
	TMPL(0, ipfix_l2_4),
	TMPL(0, ipfix_l2_6),
	TMPL(0, ipfix_l2_icmp4),
	TMPL(0, ipfix_l2_icmp6),
	TMPL(0, ipfix_nat6),
	TMPL(1, ipfix_nat_lost),
	[FM_TMPL_SEL4 - FM_TMPL_V4] = TMPL(0, ipfix_sel4),
	[FM_TMPL_SEL6 - FM_TMPL_V4] = TMPL(0, ipfix_sel6),
	[FM_TMPL_SEL_ICMP4 - FM_TMPL_V4] = TMPL(0, ipfix_sel_icmp4),
	[FM_TMPL_SEL_ICMP6 - FM_TMPL_V4] = TMPL(0, ipfix_sel_icmp6),
	[FM_TMPL_SELECTOR - FM_TMPL_V4] = TMPL(1, ipfix_selector),
	[FM_TMPL_XL4 - FM_TMPL_V4] = TMPL(0, ipfix_xl4),
	[FM_TMPL_XL6 - FM_TMPL_V4] = TMPL(0, ipfix_xl6),
	[FM_TMPL_XL_ICMP4 - FM_TMPL_V4] = TMPL(0, ipfix_xl_icmp4),
	[FM_TMPL_XL_ICMP6 - FM_TMPL_V4] = TMPL(0, ipfix_xl_icmp6),
};

/*
 * The order templates go out in, unmasked and in aggregate mode: the
 * data ones share one set. Only one kind of flow templates at a time, so
 * that a template message still fits the smallest MTU (576) of an IPv4
 * collector (export.rst, Aggregation: not an IPv6 one's).
 * FM_TMPL_SAMPLING stands for the session's sampling template.
 */
static const u16 tmpl_order[FM_ENC_MODES][FM_TMPL_SENT] = {
	[FM_ENC_MODE_PLAIN] = {
	  FM_TMPL_V4, FM_TMPL_V6, FM_TMPL_ICMP4, FM_TMPL_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
	[FM_ENC_MODE_AGG] = {
	  FM_TMPL_AGG4, FM_TMPL_AGG6, FM_TMPL_AGG_ICMP4, FM_TMPL_AGG_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
	[FM_ENC_MODE_ROUTE] = {
	  FM_TMPL_ROUTE4, FM_TMPL_ROUTE6, FM_TMPL_ROUTE_ICMP4,
	  FM_TMPL_ROUTE_ICMP6, FM_TMPL_STATS, FM_TMPL_SAMPLING,
	  FM_TMPL_IFNAME },
	[FM_ENC_MODE_BI] = {
	  FM_TMPL_BI4, FM_TMPL_BI6, FM_TMPL_BI_ICMP4, FM_TMPL_BI_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
	[FM_ENC_MODE_L2] = {
	  FM_TMPL_L2_4, FM_TMPL_L2_6, FM_TMPL_L2_ICMP4, FM_TMPL_L2_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
	[FM_ENC_MODE_SEL] = {
	  FM_TMPL_SEL4, FM_TMPL_SEL6, FM_TMPL_SEL_ICMP4, FM_TMPL_SEL_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
	[FM_ENC_MODE_NAT] = {
	  FM_TMPL_XL4, FM_TMPL_XL6, FM_TMPL_XL_ICMP4, FM_TMPL_XL_ICMP6,
	  FM_TMPL_STATS, FM_TMPL_SAMPLING, FM_TMPL_IFNAME },
};

/* v9 tells hash selection as random sampling, with its own template. */
static u16 sampling_tmpl(const struct fm_enc_session *s)
{
	if (s->version == FM_ENC_IPFIX && s->sampling_algo == FM_SAMPLING_HASH)
		return FM_TMPL_HASHSEL;
	return FM_TMPL_SAMPLING;
}

/*
 * A flow record's class, its template: the family, and whether it is the
 * family's ICMP (type and code, no ports). Anything else has ports, zero
 * when its protocol has none (the parser leaves them so).
 */
#define FM_CL_V6	1
#define FM_CL_ICMP	2
#define FM_CL_AGG	4	/* masked: with prefix lengths */
#define FM_CL_ROUTE	8	/* with routing fields */
#define FM_CL_BI	12	/* a biflow (none of the two above) */
#define FM_CL_L2	16	/* with L2 fields */
#define FM_CL_SEL	20	/* plain but for a selector */
#define FM_CL_NAT	24	/* with post-NAT fields */
#define FM_CL_KIND	28	/* one of the six, or none */

static const u16 class_tmpl[28] = {
	FM_TMPL_V4, FM_TMPL_V6, FM_TMPL_ICMP4, FM_TMPL_ICMP6,
	FM_TMPL_AGG4, FM_TMPL_AGG6, FM_TMPL_AGG_ICMP4, FM_TMPL_AGG_ICMP6,
	FM_TMPL_ROUTE4, FM_TMPL_ROUTE6, FM_TMPL_ROUTE_ICMP4,
	FM_TMPL_ROUTE_ICMP6,
	FM_TMPL_BI4, FM_TMPL_BI6, FM_TMPL_BI_ICMP4, FM_TMPL_BI_ICMP6,
	FM_TMPL_L2_4, FM_TMPL_L2_6, FM_TMPL_L2_ICMP4, FM_TMPL_L2_ICMP6,
	FM_TMPL_SEL4, FM_TMPL_SEL6, FM_TMPL_SEL_ICMP4, FM_TMPL_SEL_ICMP6,
	FM_TMPL_XL4, FM_TMPL_XL6, FM_TMPL_XL_ICMP4, FM_TMPL_XL_ICMP6,
};

/*
 * Routing fields, L2 fields, post-NAT fields and aggregation exclude each
 * other (netlink.c); a record that got two anyway (in flight across a
 * change) goes out routed, with the FIB's prefix lengths, or else with
 * its L2 or post-NAT fields.
 */
static __always_inline unsigned int rec_class(const struct fm_record *r)
{
	bool v6 = r->key.kflags & FM_KF_IPV6;
	u8 icmp = v6 ? IPPROTO_ICMPV6_NR : IPPROTO_ICMP_NR;
	unsigned int kind;

	if (unlikely(r->rflags & FM_RF_ROUTE))
		kind = FM_CL_ROUTE;
	else if (unlikely(r->key.kflags & FM_KF_BI))
		kind = FM_CL_BI;
	else if (unlikely(r->key.kflags & FM_KF_L2))
		kind = FM_CL_L2;
	else if (unlikely(r->key.kflags & FM_KF_NAT))
		kind = FM_CL_NAT;
	else if (unlikely(r->key.kflags & FM_KF_AGG))
		kind = FM_CL_AGG;
	else
		kind = r->rflags & FM_RF_SEL ? FM_CL_SEL : 0;
	return (v6 ? FM_CL_V6 : 0) | (r->key.proto == icmp ? FM_CL_ICMP : 0) |
	       kind;
}

static unsigned int class_mode(unsigned int cl)
{
	switch (cl & FM_CL_KIND) {
	case FM_CL_ROUTE:
		return FM_ENC_MODE_ROUTE;
	case FM_CL_AGG:
		return FM_ENC_MODE_AGG;
	case FM_CL_BI:
		return FM_ENC_MODE_BI;
	case FM_CL_L2:
		return FM_ENC_MODE_L2;
	case FM_CL_SEL:
		return FM_ENC_MODE_SEL;
	case FM_CL_NAT:
		return FM_ENC_MODE_NAT;
	}
	return FM_ENC_MODE_PLAIN;
}

/* What one record's field values are taken from. */
struct fm_vals {
	const struct fm_record *r;
	const struct fm_enc_stats *st;
	const struct fm_nat_event *ev;
	u64 nat_lost;
	u32 ifindex;
	const char *ifname;
	unsigned int sel;	/* selector options: index into sel_rate */
};

static bool is_nf9(const struct fm_enc_msg *m)
{
	return m->s->version == FM_ENC_NF9;
}

static const struct fm_tmpl *tmpl_of(const struct fm_enc_msg *m, u16 id)
{
	return &(is_nf9(m) ? fm_nf9_tmpls : ipfix_tmpls)[id - FM_TMPL_V4];
}

static unsigned int rec_len(const struct fm_tmpl *t)
{
	unsigned int i, len = 0;

	for (i = 0; i < t->nfields; i++)
		len += t->f[i].len;
	return len;
}

static unsigned int pad4(unsigned int n)
{
	return (n + 3) & ~3U;
}

/* Big endian integer of any length, high bytes zero beyond 8. */
static void put_uint(u8 *p, unsigned int len, u64 v)
{
	while (len--) {
		p[len] = (u8)v;
		v >>= 8;
	}
}

static u64 value(const struct fm_enc_msg *m, u8 src, const struct fm_vals *v)
{
	const struct fm_enc_session *s = m->s;
	const struct fm_record *r = v->r;
	u32 rate = s->sampling_interval ? s->sampling_interval : 1;

	switch (src) {
	case FM_S_OCTETS:
		return r->bytes;
	case FM_S_PACKETS:
		return r->packets;
	case FM_S_START_MS:
		return fm_enc_wall(m, r->start_ms);
	case FM_S_END_MS:
		return fm_enc_wall(m, r->end_ms);
	case FM_S_START_UP:
		return fm_enc_uptime(r->start_ms);
	case FM_S_END_UP:
		return fm_enc_uptime(r->end_ms);
	case FM_S_FLOWLABEL:
		return be32_to_cpu(r->key.addr.v6.flowlabel) & 0xfffff;
	case FM_S_SPORT:
		return be16_to_cpu(r->key.sport);
	case FM_S_DPORT:
		return be16_to_cpu(r->key.dport);
	case FM_S_ICMP:		/* only in the ICMP templates */
		return be16_to_cpu(r->key.dport);
	case FM_S_PROTO:
		return r->key.proto;
	case FM_S_TOS:
		return r->key.tos;
	case FM_S_TCP_FLAGS:
		return r->tcp_flags;
	case FM_S_VLAN:
		/*
		 * With L2 fields, where a VLAN device took the tag off (the
		 * key has none), its id: vlanId is the VLAN of the ingress
		 * interface, and what nfdump and nfacctd read.
		 */
		if (unlikely((r->key.kflags & FM_KF_L2) &&
			     !(r->rflags & FM_RF_ROUTE)) && !r->key.vlan)
			return r->l2.vlan_outer;
		return r->key.vlan;
	case FM_S_IN_IF:
		return r->key.in_if;
	case FM_S_OUT_IF:
		return r->key.out_if;
	case FM_S_TTL_MIN:
		return r->ttl_min;
	case FM_S_TTL_MAX:
		return r->ttl_max;
	case FM_S_END_REASON:
		return r->end_reason;
	case FM_S_DIR:
		return r->key.dir;
	case FM_S_IPVER:
		return (r->key.kflags & FM_KF_IPV6) ? 6 : 4;
	case FM_S_DOMAIN:
		return s->domain_id;
	case FM_S_MSGS:
		return v->st->messages;
	case FM_S_FLOWS:
		return v->st->flows;
	case FM_S_IGNORED_PKTS:
		return v->st->ignored_packets;
	case FM_S_NOT_SENT:
		return v->st->not_sent_flows;
	case FM_S_SEL_ALGO:
		/*
		 * Systematic count-based, random n-out-of-N; for hash, the
		 * registry's first hash-based filtering value (BOB): it has
		 * none for SipHash, and without the key, which is never
		 * exported, no collector can redo the selection anyway.
		 */
		if (s->sampling_algo == FM_SAMPLING_HASH)
			return 6;
		return s->sampling_algo == FM_SAMPLING_RANDOM ? 3 : 1;
	case FM_S_SAMP_ALGO:	/* v9 knows deterministic and random only */
		/* flow sampling folded in: random if either part is */
		if (s->sampling_algo != FM_SAMPLING_DETERMINISTIC ||
		    (s->flow_interval > 1 &&
		     s->flow_algo != FM_SAMPLING_DETERMINISTIC))
			return FM_SAMPLING_RANDOM;
		return s->sampling_algo;
	case FM_S_HASH_SEL_MAX:
		return fm_hashsel_max(rate);
	case FM_S_SAMP_RATE:	/* v9: flow sampling folded in */
		return fm_fsamp_combined(rate, s->flow_interval);
	case FM_S_FSEL_ALGO:
		return s->flow_algo == FM_SAMPLING_RANDOM ?
		       FM_FSAMP_ALGO_UNIFORM : FM_FSAMP_ALGO_SYSTEMATIC;
	case FM_S_FLOW_INTERVAL:
		return 1;
	case FM_S_FLOW_SPACING:
		return s->flow_interval - 1;
	case FM_S_SAMP_PKTS:
		return 1;
	case FM_S_SAMP_SPACE:
		return rate - 1;
	case FM_S_IFINDEX:
		return v->ifindex;
	case FM_S_SRC_PLEN:
		return r->key.src_plen;
	case FM_S_DST_PLEN:
		return r->key.dst_plen;
	case FM_S_SRC_MASK:
		return r->src_mask;
	case FM_S_DST_MASK:
		return r->dst_mask;
	case FM_S_SRC_AS:
		return r->src_as;
	case FM_S_DST_AS:
		return r->dst_as;
	case FM_S_REV_OCTETS:
		return r->rev.bytes;
	case FM_S_REV_PACKETS:
		return r->rev.packets;
	case FM_S_REV_START_MS:	/* no reverse packet: no time */
		return r->rev.packets ? fm_enc_wall(m, r->rev.start_ms) : 0;
	case FM_S_REV_END_MS:
		return r->rev.packets ? fm_enc_wall(m, r->rev.end_ms) : 0;
	case FM_S_REV_TCP_FLAGS:
		return r->rev.tcp_flags;
	case FM_S_BIFLOW_DIR:
		return 1;	/* initiator: the source */
	case FM_S_BI_START_UP:	/* a direction without packets has no time */
		if (!r->rev.packets ||
		    (r->packets && r->start_ms <= r->rev.start_ms))
			return fm_enc_uptime(r->start_ms);
		return fm_enc_uptime(r->rev.start_ms);
	case FM_S_BI_END_UP:
		if (!r->rev.packets ||
		    (r->packets && r->end_ms >= r->rev.end_ms))
			return fm_enc_uptime(r->end_ms);
		return fm_enc_uptime(r->rev.end_ms);
	case FM_S_EV_TIME_MS:
		return v->ev->time_ms;
	case FM_S_EV_NAT:
		return v->ev->event;
	case FM_S_EV_PROTO:
		return v->ev->proto;
	case FM_S_EV_SPORT:
		return be16_to_cpu(v->ev->sport);
	case FM_S_EV_DPORT:
		return be16_to_cpu(v->ev->dport);
	case FM_S_EV_XSPORT:
		return be16_to_cpu(v->ev->xsport);
	case FM_S_EV_XDPORT:
		return be16_to_cpu(v->ev->xdport);
	case FM_S_EV_VRF:
		return v->ev->vrf;
	case FM_S_VLAN_OUTER:
		return r->l2.vlan_outer;
	case FM_S_VLAN_INNER:
		return r->l2.vlan_inner;
	case FM_S_ETHERTYPE:
		return fm_l2_ethertype(&r->key);
	case FM_S_SELECTOR:
		return r->selector;
	case FM_S_SEL_ID:
		return v->sel + 1;
	case FM_S_SEL_SPACE:
		return s->sel_rate[v->sel] - 1;
	case FM_S_SEL_RATE:	/* v9: flow sampling folded in */
		return fm_fsamp_combined(s->sel_rate[v->sel],
					 s->flow_interval);
	case FM_S_NAT_LOST:
		return v->nat_lost;
	case FM_S_XL_SPORT:
		return be16_to_cpu(r->xlate.sport);
	case FM_S_XL_DPORT:
		return be16_to_cpu(r->xlate.dport);
	}
	return 0;
}

static void put_field(const struct fm_enc_msg *m, u8 *p,
		      const struct fm_field *f, const struct fm_vals *v)
{
	const struct fm_key *k = v->r ? &v->r->key : NULL;
	size_t n;

	switch (f->src) {
	case FM_S_SADDR4:
		memcpy(p, &k->addr.v4.saddr, 4);
		break;
	case FM_S_DADDR4:
		memcpy(p, &k->addr.v4.daddr, 4);
		break;
	case FM_S_SADDR6:
		memcpy(p, &k->addr.v6.saddr, 16);
		break;
	case FM_S_DADDR6:
		memcpy(p, &k->addr.v6.daddr, 16);
		break;
	case FM_S_NEXTHOP4:
		memcpy(p, &v->r->nexthop.v4, 4);
		break;
	case FM_S_NEXTHOP6:
		memcpy(p, &v->r->nexthop.v6, 16);
		break;
	case FM_S_EV_SADDR4:
		memcpy(p, &v->ev->saddr.v4, 4);
		break;
	case FM_S_EV_DADDR4:
		memcpy(p, &v->ev->daddr.v4, 4);
		break;
	case FM_S_EV_XSADDR4:
		memcpy(p, &v->ev->xsaddr.v4, 4);
		break;
	case FM_S_EV_XDADDR4:
		memcpy(p, &v->ev->xdaddr.v4, 4);
		break;
	case FM_S_EV_SADDR6:
		memcpy(p, &v->ev->saddr.v6, 16);
		break;
	case FM_S_EV_DADDR6:
		memcpy(p, &v->ev->daddr.v6, 16);
		break;
	case FM_S_EV_XSADDR6:
		memcpy(p, &v->ev->xsaddr.v6, 16);
		break;
	case FM_S_EV_XDADDR6:
		memcpy(p, &v->ev->xdaddr.v6, 16);
		break;
	case FM_S_XL_SADDR4:
		memcpy(p, &v->r->xlate.saddr.v4, 4);
		break;
	case FM_S_XL_DADDR4:
		memcpy(p, &v->r->xlate.daddr.v4, 4);
		break;
	case FM_S_XL_SADDR6:
		memcpy(p, &v->r->xlate.saddr.v6, 16);
		break;
	case FM_S_XL_DADDR6:
		memcpy(p, &v->r->xlate.daddr.v6, 16);
		break;
	case FM_S_SRC_MAC:
		memcpy(p, v->r->l2.src_mac, 6);
		break;
	case FM_S_DST_MAC:
		memcpy(p, v->r->l2.dst_mac, 6);
		break;
	case FM_S_POST_SRC_MAC:
		memcpy(p, v->r->l2.post_src_mac, 6);
		break;
	case FM_S_POST_DST_MAC:
		memcpy(p, v->r->l2.post_dst_mac, 6);
		break;
	case FM_S_MPLS_TOP:
		memcpy(p, v->r->l2.mpls, 3);
		break;
	case FM_S_IFNAME:
		n = strnlen(v->ifname, f->len);
		memcpy(p, v->ifname, n);
		memset(p + n, 0, f->len - n);
		break;
	default:
		put_uint(p, f->len, value(m, f->src, v));
	}
}

/* Pad the open set with zeros to 4 bytes and write its length. */
static void close_set(struct fm_enc_msg *m)
{
	unsigned int end = pad4(m->len);

	if (!m->set_off)
		return;
	if (end != m->len)
		memset(m->buf + m->len, 0, end - m->len);
	m->len = end;
	put_unaligned_be16(m->len - m->set_off, m->buf + m->set_off + 2);
	m->set_off = 0;
}

/*
 * Room for len bytes of record in a set with id set_id, opening one (and
 * closing the previous) when needed. NULL when the record, the new set
 * header and the final padding would not fit.
 */
static u8 *reserve(struct fm_enc_msg *m, u16 set_id, unsigned int len)
{
	bool open = m->set_off && m->set_id == set_id;
	unsigned int start = open ? m->len : pad4(m->len) + SET_HDR_LEN;
	u8 *p;

	if (pad4(start + len) > m->size)
		return NULL;
	if (!open) {
		close_set(m);
		m->set_off = m->len;
		m->set_id = set_id;
		put_unaligned_be16(set_id, m->buf + m->len);
		put_unaligned_be16(0, m->buf + m->len + 2);
		m->len += SET_HDR_LEN;
	}
	p = m->buf + m->len;
	m->len += len;
	return p;
}

/* Template record; options ones differ: v9 counts bytes, IPFIX fields. */
static bool put_template(struct fm_enc_msg *m, u16 id)
{
	const struct fm_tmpl *t = tmpl_of(m, id);
	unsigned int i, hlen = t->nscope ? 6 : 4, flen = 4 * t->nfields;
	u16 set_id;
	u8 *p;

	for (i = 0; i < t->nfields; i++)	/* each with its PEN */
		if (t->f[i].ie & FM_IE_REV)
			flen += 4;
	/*
	 * Each options template in a set of its own. Several in one set are
	 * legal, but pmacct's nfacctd (1.7.7) steps from one to the next by
	 * the wrong length (scope fields counted twice in IPFIX, bytes read
	 * as a count in v9): it then calls the set malformed and drops the
	 * message's data records (IPFIX), or never learns the later
	 * templates (v9). With one record a set, its step ends the set.
	 */
	if (t->nscope) {
		set_id = is_nf9(m) ? NF9_SET_OPT_TMPL : IPFIX_SET_OPT_TMPL;
		close_set(m);
	} else {
		set_id = is_nf9(m) ? NF9_SET_TMPL : IPFIX_SET_TMPL;
	}
	p = reserve(m, set_id, hlen + flen);
	if (!p)
		return false;
	put_unaligned_be16(id, p);
	if (!t->nscope) {
		put_unaligned_be16(t->nfields, p + 2);
	} else if (is_nf9(m)) {
		put_unaligned_be16(4 * t->nscope, p + 2);
		put_unaligned_be16(4 * (t->nfields - t->nscope), p + 4);
	} else {
		put_unaligned_be16(t->nfields, p + 2);
		put_unaligned_be16(t->nscope, p + 4);
	}
	for (p += hlen, i = 0; i < t->nfields; i++, p += 4) {
		put_unaligned_be16(t->f[i].ie, p);
		put_unaligned_be16(t->f[i].len, p + 2);
		if (t->f[i].ie & FM_IE_REV) {
			p += 4;
			put_unaligned_be32(FM_PEN_REVERSE, p);
		}
	}
	m->nrec++;
	return true;
}

static bool tmpl_due(const struct fm_enc_session *s, u32 now)
{
	if (!s->tmpl_valid)
		return true;
	if (s->tmpl_refresh_msgs && s->tmpl_msgs >= s->tmpl_refresh_msgs)
		return true;
	return s->tmpl_refresh_sec &&
	       now - s->tmpl_last_sec >= s->tmpl_refresh_sec;
}

/*
 * The template sets of the session's mode and sampling template, once per
 * change of either: every template message copies them; and the longest
 * record they describe, which every message must have room for.
 */
static void build_templates(struct fm_enc_session *s)
{
	/* built after 4 bytes of nothing: a set at 0 is no set */
	struct fm_enc_msg m = { .s = s, .buf = s->tmpl_buf,
				.size = sizeof(s->tmpl_buf), .len = 4 };
	unsigned int i;
	bool ok = true;
	u16 id;

	s->longest = 0;
	for (i = 0; i < FM_TMPL_SENT; i++) {
		id = tmpl_order[s->mode][i];
		if (id == FM_TMPL_SAMPLING)
			id = sampling_tmpl(s);
		ok = ok && put_template(&m, id);
		s->longest = max_t(unsigned int, s->longest,
				   rec_len(tmpl_of(&m, id)));
	}
	/* last, in a set of its own as every options template */
	if (s->version == FM_ENC_IPFIX && s->flow_interval > 1)
		ok = ok && put_template(&m, FM_TMPL_FLOWSAMP);
	close_set(&m);
	s->tmpl_count = m.nrec;
	BUILD_BUG_ON(sizeof(s->tmpl_buf) > U16_MAX);
	s->tmpl_len = m.len - 4;
	if (WARN_ON_ONCE(!ok))	/* FM_ENC_TMPL_MAX too small */
		s->tmpl_len = U16_MAX;	/* never fits a message */
}

void fm_enc_session_init(struct fm_enc_session *s, u8 version, u32 domain_id)
{
	memset(s, 0, sizeof(*s));
	s->version = version;
	s->domain_id = domain_id;
	s->sampling_algo = FM_SAMPLING_DETERMINISTIC;
	s->sampling_interval = 1;
	s->flow_algo = FM_SAMPLING_DETERMINISTIC;
	s->flow_interval = 1;
	s->tmpl_refresh_sec = 60;
	s->tmpl_refresh_msgs = 20;
	if (version == FM_ENC_IPFIX || version == FM_ENC_NF9)
		build_templates(s);
}

void fm_enc_set_sampling(struct fm_enc_session *s, u8 algo, u32 interval)
{
	u16 was = sampling_tmpl(s);

	if (s->sampling_algo == algo && s->sampling_interval == interval)
		return;
	s->sampling_algo = algo;
	s->sampling_interval = interval;
	if ((s->version == FM_ENC_IPFIX || s->version == FM_ENC_NF9) &&
	    sampling_tmpl(s) != was)
		build_templates(s);
	fm_enc_resend_templates(s);
}

void fm_enc_set_flow_sampling(struct fm_enc_session *s, u8 algo,
			      u32 interval)
{
	bool was = s->flow_interval > 1;

	if (s->flow_algo == algo && s->flow_interval == interval)
		return;
	s->flow_algo = algo;
	s->flow_interval = interval;
	if (s->version == FM_ENC_IPFIX && (interval > 1) != was)
		build_templates(s);
	fm_enc_resend_templates(s);
}

void fm_enc_set_selectors(struct fm_enc_session *s, unsigned int n,
			  const u32 *rate)
{
	n = min_t(unsigned int, n, FM_ENC_SEL_MAX);
	if (s->nsel == n && !memcmp(s->sel_rate, rate, n * sizeof(*rate)))
		return;
	s->nsel = n;
	memcpy(s->sel_rate, rate, n * sizeof(*rate));
	fm_enc_resend_templates(s);
}

/*
 * A record of another kind (plain, masked, routed) than the session's
 * flow templates: switch them. The message ends here (the caller sends it
 * and retries in the next), which carries the new templates; the old
 * ones it may carry do not count as sent.
 */
static int switch_templates(struct fm_enc_msg *m, unsigned int mode)
{
	struct fm_enc_session *s = m->s;

	s->mode = mode;
	build_templates(s);
	fm_enc_resend_templates(s);
	m->tmpl = false;
	return FM_ENC_FULL;
}

int fm_tpl_begin(struct fm_enc_msg *m)
{
	struct fm_enc_session *s = m->s;

	m->len = is_nf9(m) ? FM_NF9_HDR_LEN : IPFIX_HDR_LEN;
	if (m->len > m->size)
		return FM_ENC_TOOSMALL;
	if (tmpl_due(s, m->clk.unix_sec)) {
		/* the header ends on a word: the sets' bytes are the same */
		if (m->len + s->tmpl_len > m->size)
			return FM_ENC_TOOSMALL;
		memcpy(m->buf + m->len, s->tmpl_buf + 4, s->tmpl_len);
		m->len += s->tmpl_len;
		m->nrec += s->tmpl_count;
		m->tmpl = true;
		s->nat_tmpl = 0;	/* owed again, with the next event */
		s->sel_tmpl = 0;	/* ...with the next selector */
	}
	if (pad4(pad4(m->len) + SET_HDR_LEN + m->s->longest) > m->size)
		return FM_ENC_TOOSMALL;
	return FM_ENC_OK;
}

/*
 * IPFIX flow records, straight-line: the same bytes the generic loop
 * below writes from the templates, at a twentieth of the cost (the unit
 * tests decode them all through the templates).
 */
#define IPFIX_V4_REC_LEN	62	/* ICMP too: dport, type/code for ports */
#define IPFIX_V6_REC_LEN	90

static __always_inline unsigned int ipfix_rec_len(unsigned int cl)
{
	return (cl & FM_CL_V6) ? IPFIX_V6_REC_LEN : IPFIX_V4_REC_LEN;
}

/* The last 22 bytes, the same for both families. */
static __always_inline void put_ipfix_tail(u8 *p, const struct fm_record *r,
					   u8 ipver, bool icmp)
{
	const struct fm_key *k = &r->key;
	const u8 *kb = (const u8 *)k, *rb = (const u8 *)r;

	/* adjacent fields go out as one copy, read through byte pointers */
	BUILD_BUG_ON(offsetof(struct fm_key, dport) !=
		     offsetof(struct fm_key, sport) + 2);
	BUILD_BUG_ON(offsetof(struct fm_key, tos) !=
		     offsetof(struct fm_key, proto) + 1);
	BUILD_BUG_ON(offsetof(struct fm_record, ttl_min) !=
		     offsetof(struct fm_record, tcp_flags) + 1 ||
		     offsetof(struct fm_record, ttl_max) !=
		     offsetof(struct fm_record, tcp_flags) + 2 ||
		     offsetof(struct fm_record, end_reason) !=
		     offsetof(struct fm_record, tcp_flags) + 3);

	put_unaligned_be64((u64)k->in_if << 32 | k->out_if, p);
	if (icmp) {	/* the parser keeps type and code in dport */
		memcpy(p + 8, &k->dport, 2);
		memcpy(p + 10, &k->dport, 2);
	} else {
		memcpy(p + 8, kb + offsetof(struct fm_key, sport), 4);
	}
	put_unaligned_be16(k->vlan, p + 12);
	memcpy(p + 14, kb + offsetof(struct fm_key, proto), 2);
	memcpy(p + 16, rb + offsetof(struct fm_record, tcp_flags), 4);
	p[20] = k->dir;
	p[21] = ipver;
}

static __always_inline void put_ipfix_counters(u8 *p,
					       const struct fm_record *r,
					       u64 boot_ms)
{
	put_unaligned_be64(r->bytes, p);
	put_unaligned_be64(r->packets, p + 8);
	put_unaligned_be64(boot_ms + r->start_ms, p + 16);
	put_unaligned_be64(boot_ms + r->end_ms, p + 24);
}

static __always_inline void put_ipfix_v4(u8 *p, const struct fm_record *r,
					 u64 boot_ms, bool icmp)
{
	BUILD_BUG_ON(offsetof(struct fm_key, addr.v4.daddr) !=
		     offsetof(struct fm_key, addr.v4.saddr) + 4);
	put_ipfix_counters(p, r, boot_ms);
	memcpy(p + 32, (const u8 *)&r->key +
		       offsetof(struct fm_key, addr.v4.saddr), 8);
	put_ipfix_tail(p + 40, r, 4, icmp);
}

static __always_inline void put_ipfix_v6(u8 *p, const struct fm_record *r,
					 u64 boot_ms, bool icmp)
{
	const struct fm_key *k = &r->key;

	put_ipfix_counters(p, r, boot_ms);
	memcpy(p + 32, &k->addr.v6.saddr, 16);
	memcpy(p + 48, &k->addr.v6.daddr, 16);
	put_unaligned_be32(be32_to_cpu(k->addr.v6.flowlabel) & 0xfffff,
			   p + 64);
	put_ipfix_tail(p + 68, r, 6, icmp);
}

/* One IPFIX record of class cl (a constant where it is called) at p. */
static __always_inline void put_ipfix(u8 *p, const struct fm_record *r,
				      u64 boot_ms, unsigned int cl)
{
	if (cl & FM_CL_V6)
		put_ipfix_v6(p, r, boot_ms, cl & FM_CL_ICMP);
	else
		put_ipfix_v4(p, r, boot_ms, cl & FM_CL_ICMP);
}

static int add_record(struct fm_enc_msg *m, u16 id, const struct fm_vals *v)
{
	const struct fm_tmpl *t = tmpl_of(m, id);
	unsigned int i;
	u8 *p;

	p = reserve(m, id, rec_len(t));
	if (!p)
		return FM_ENC_FULL;
	for (i = 0; i < t->nfields; i++) {
		put_field(m, p, &t->f[i], v);
		p += t->f[i].len;
	}
	m->nrec++;
	m->ndata++;
	return FM_ENC_OK;
}

int fm_tpl_add_flow(struct fm_enc_msg *m, const struct fm_record *r)
{
	unsigned int cl = rec_class(r);
	unsigned int mode;
	struct fm_vals v = { .r = r };
	u8 *p;

	mode = class_mode(cl);
	if (unlikely(mode != m->s->mode))
		return switch_templates(m, mode);
	/* masked, routed, L2 and post-NAT flows: through the tables */
	if (is_nf9(m) || mode != FM_ENC_MODE_PLAIN)
		return add_record(m, class_tmpl[cl], &v);
	p = reserve(m, class_tmpl[cl], ipfix_rec_len(cl));
	if (!p)
		return FM_ENC_FULL;
	switch (cl) {
	case 0:
		put_ipfix(p, r, m->clk.boot_ms, 0);
		break;
	case FM_CL_V6:
		put_ipfix(p, r, m->clk.boot_ms, FM_CL_V6);
		break;
	case FM_CL_ICMP:
		put_ipfix(p, r, m->clk.boot_ms, FM_CL_ICMP);
		break;
	default:	/* FM_CL_V6 | FM_CL_ICMP */
		put_ipfix(p, r, m->clk.boot_ms, FM_CL_V6 | FM_CL_ICMP);
		break;
	}
	m->nrec++;
	m->ndata++;
	return FM_ENC_OK;
}

/*
 * Make the open set id's, with room for one len-byte record at m->len
 * (not reserved: the caller writes it). False when it does not fit.
 */
static bool open_set(struct fm_enc_msg *m, u16 id, unsigned int len)
{
	if (!reserve(m, id, len))
		return false;
	m->len -= len;
	return true;
}

/*
 * One run of records of one class (cl, a constant where it is called)
 * from p into its set, as many as fit. Returns where the run stopped; sets
 * m->full when it stopped for lack of room.
 */
static __always_inline const struct fm_record *
add_run(struct fm_enc_msg *m, const struct fm_record *p,
	const struct fm_record *stop, unsigned int cl)
{
	unsigned int len = ipfix_rec_len(cl);
	unsigned int end;
	const struct fm_record *q;
	u64 boot_ms;

	if (!open_set(m, class_tmpl[cl], len)) {
		m->full = true;
		return p;
	}
	end = m->len;
	boot_ms = m->clk.boot_ms;
	/* records that fit, at least one (open_set() said so) */
	q = p + min_t(size_t, stop - p, (m->size - end) / len);
	for (; p < q && rec_class(p) == cl; p++) {
		put_ipfix(m->buf + end, p, boot_ms, cl);
		end += len;
	}
	m->len = end;
	if (p < stop && rec_class(p) == cl)
		m->full = true;
	return p;
}

/*
 * The exporter's loop: IPFIX flow records, each run of one class into
 * its set while they fit, with nothing re-checked per record but the
 * class and the room. Stops when the message is full.
 */
unsigned int fm_tpl_add_flows(struct fm_enc_msg *m, const struct fm_record *r,
			      unsigned int n)
{
	const struct fm_record *p = r, *stop = r + n;
	unsigned int done;

	if (is_nf9(m) || m->s->mode != FM_ENC_MODE_PLAIN)
		return 0;
	while (p < stop && !m->full) {
		switch (rec_class(p)) {
		case 0:
			p = add_run(m, p, stop, 0);
			break;
		case FM_CL_V6:
			p = add_run(m, p, stop, FM_CL_V6);
			break;
		case FM_CL_ICMP:
			p = add_run(m, p, stop, FM_CL_ICMP);
			break;
		case FM_CL_V6 | FM_CL_ICMP:
			p = add_run(m, p, stop, FM_CL_V6 | FM_CL_ICMP);
			break;
		default:	/* masked, routed, L2: fm_enc_add_flow() takes it */
			goto out;
		}
	}
out:
	done = p - r;
	m->nrec += done;
	m->ndata += done;
	return done;
}

int fm_tpl_add_stats(struct fm_enc_msg *m, const struct fm_enc_stats *st)
{
	struct fm_vals v = { .st = st };

	return add_record(m, FM_TMPL_STATS, &v);
}

int fm_tpl_add_sampling(struct fm_enc_msg *m)
{
	struct fm_vals v = { };

	return add_record(m, sampling_tmpl(m->s), &v);
}

int fm_tpl_add_flowsamp(struct fm_enc_msg *m)
{
	struct fm_vals v = { };

	return add_record(m, FM_TMPL_FLOWSAMP, &v);
}

int fm_tpl_add_ifname(struct fm_enc_msg *m, u32 ifindex, const char *name)
{
	struct fm_vals v = { .ifindex = ifindex, .ifname = name };

	return add_record(m, FM_TMPL_IFNAME, &v);
}

/*
 * Records of templates that are not in the session's template block (NAT
 * events and their lost count, selectors): a meter without them never
 * sends their templates, and the block keeps fitting the smallest MTU.
 * Each goes out in front of the first record of its kind after each
 * refresh of the block (bit in *sent says it did), so on the same
 * schedule. A template that fits without its record is taken back: the
 * next message carries both.
 */
static int add_aside(struct fm_enc_msg *m, u16 id, const struct fm_vals *v,
		     u8 *sent, u8 bit)
{
	unsigned int len = m->len, set_off = m->set_off;
	bool tmpl = !(*sent & bit);
	u16 set_id = m->set_id, nrec = m->nrec;

	if (tmpl && !put_template(m, id))
		goto full;
	if (add_record(m, id, v) != FM_ENC_OK) {
		m->len = len;
		m->set_off = set_off;
		m->set_id = set_id;
		m->nrec = nrec;
		goto full;
	}
	if (tmpl)
		*sent |= bit;
	return FM_ENC_OK;
full:
	return m->ndata ? FM_ENC_FULL : FM_ENC_TOOSMALL;
}

int fm_tpl_add_nat(struct fm_enc_msg *m, const struct fm_nat_event *e)
{
	u16 id = e->v6 ? FM_TMPL_NAT6 : FM_TMPL_NAT4;
	struct fm_vals v = { .ev = e };

	return add_aside(m, id, &v, &m->s->nat_tmpl, FM_NAT_TMPL_BIT(id));
}

int fm_tpl_add_nat_lost(struct fm_enc_msg *m, u64 lost, u64 time_ms)
{
	struct fm_nat_event e = { .time_ms = time_ms };
	struct fm_vals v = { .ev = &e, .nat_lost = lost };

	return add_aside(m, FM_TMPL_NAT_LOST, &v, &m->s->nat_tmpl,
			 FM_NAT_TMPL_BIT(FM_TMPL_NAT_LOST));
}

/*
 * Selector mode only (fm_enc_add_selector()): the plain templates with a
 * selector are 16 bytes longer than the plain ones, and the options
 * template would take another 28 that an IPv4 collector's smallest MTU
 * does not have.
 */
int fm_tpl_add_selector(struct fm_enc_msg *m, unsigned int i)
{
	struct fm_vals v = { .sel = i };

	return add_aside(m, FM_TMPL_SELECTOR, &v, &m->s->sel_tmpl, 1);
}

static void put_ipfix_header(struct fm_enc_msg *m)
{
	u8 *p = m->buf;

	put_unaligned_be16(IPFIX_VERSION, p);
	put_unaligned_be16(m->len, p + 2);
	put_unaligned_be32(m->clk.unix_sec, p + 4);
	put_unaligned_be32(m->s->seq, p + 8);
	put_unaligned_be32(m->s->domain_id, p + 12);
}

unsigned int fm_tpl_finish(struct fm_enc_msg *m)
{
	struct fm_enc_session *s = m->s;

	close_set(m);
	if (is_nf9(m)) {
		fm_nf9_put_header(m);
		s->seq++;
	} else {
		put_ipfix_header(m);
		s->seq += m->ndata;
	}
	if (m->tmpl) {
		s->tmpl_valid = true;
		s->tmpl_last_sec = m->clk.unix_sec;
		s->tmpl_msgs = 0;
	}
	s->tmpl_msgs++;
	return m->len;
}
