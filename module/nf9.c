// SPDX-License-Identifier: GPL-2.0
/*
 * NetFlow v9 (RFC 3954): what differs from IPFIX. The set and template
 * machinery is shared in ipfix.c; here are the v9 field lists (uptime
 * based times, v9 scope types, SAMPLING_INTERVAL/ALGORITHM) and the
 * 20-byte header.
 */
#include "enc.h"

#define NF9_VERSION		9
#define NF9_SCOPE_SYSTEM	1
#define NF9_SCOPE_INTERFACE	2

/*
 * The flow templates are one layout in variants: times, addresses (and
 * the extra fields of a variant), interfaces, ports or ICMP type and code,
 * and the same tail. The pieces every variant shares, in wire order:
 */
#define NF9_TIMES \
	{ 1, 8, FM_S_OCTETS },		/* IN_BYTES */ \
	{ 2, 8, FM_S_PACKETS },		/* IN_PKTS */ \
	{ 22, 4, FM_S_START_UP },	/* FIRST_SWITCHED */ \
	{ 21, 4, FM_S_END_UP },		/* LAST_SWITCHED */

#define NF9_ADDR4 \
	{ 8, 4, FM_S_SADDR4 },		/* IPV4_SRC_ADDR */ \
	{ 12, 4, FM_S_DADDR4 },		/* IPV4_DST_ADDR */

#define NF9_ADDR6 \
	{ 27, 16, FM_S_SADDR6 },	/* IPV6_SRC_ADDR */ \
	{ 28, 16, FM_S_DADDR6 },	/* IPV6_DST_ADDR */

#define NF9_IFS \
	{ 10, 4, FM_S_IN_IF },		/* INPUT_SNMP */ \
	{ 14, 4, FM_S_OUT_IF },		/* OUTPUT_SNMP */

#define NF9_PORTS \
	{ 7, 2, FM_S_SPORT },		/* L4_SRC_PORT */ \
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */

#define NF9_TAIL \
	{ 58, 2, FM_S_VLAN },		/* SRC_VLAN */ \
	{ 4, 1, FM_S_PROTO },		/* PROTOCOL */ \
	{ 5, 1, FM_S_TOS },		/* SRC_TOS */ \
	{ 6, 1, FM_S_TCP_FLAGS },	/* TCP_FLAGS */ \
	{ 52, 1, FM_S_TTL_MIN },	/* MIN_TTL */ \
	{ 53, 1, FM_S_TTL_MAX },	/* MAX_TTL */ \
	{ 136, 1, FM_S_END_REASON },	/* flowEndReason (IANA) */ \
	{ 61, 1, FM_S_DIR },		/* DIRECTION */ \
	{ 60, 1, FM_S_IPVER },		/* IP_PROTOCOL_VERSION */

#define NF9_FLOW4 \
	NF9_TIMES \
	NF9_ADDR4 \
	NF9_IFS \
	NF9_PORTS \
	NF9_TAIL

static const struct fm_field nf9_v4[] = {
	NF9_FLOW4
};

/*
 * ICMP flows: ICMP_TYPE (type * 256 + code) and the same as L4_DST_PORT,
 * as Cisco sends them, where pmacct's nfacctd reads them; no source port
 */
#define NF9_FLOW_ICMP4 \
	NF9_TIMES \
	NF9_ADDR4 \
	NF9_IFS \
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */ \
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */ \
	NF9_TAIL

static const struct fm_field nf9_icmp4[] = {
	NF9_FLOW_ICMP4
};

#define NF9_FLOW6 \
	NF9_TIMES \
	NF9_ADDR6 \
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */ \
	NF9_IFS \
	NF9_PORTS \
	NF9_TAIL

static const struct fm_field nf9_v6[] = {
	NF9_FLOW6
};

/* ICMPv6: the same; v9 (RFC 3954) has no other ICMP field */
#define NF9_FLOW_ICMP6 \
	NF9_TIMES \
	NF9_ADDR6 \
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */ \
	NF9_IFS \
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */ \
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */ \
	NF9_TAIL

static const struct fm_field nf9_icmp6[] = {
	NF9_FLOW_ICMP6
};

/* Masked flows: SRC_MASK/DST_MASK, IPV6_SRC_MASK/IPV6_DST_MASK; no label */
static const struct fm_field nf9_agg4[] = {
	NF9_TIMES
	NF9_ADDR4
	{ 9, 1, FM_S_SRC_PLEN },	/* SRC_MASK */
	{ 13, 1, FM_S_DST_PLEN },	/* DST_MASK */
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_agg_icmp4[] = {
	NF9_TIMES
	NF9_ADDR4
	{ 9, 1, FM_S_SRC_PLEN },	/* SRC_MASK */
	{ 13, 1, FM_S_DST_PLEN },	/* DST_MASK */
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

static const struct fm_field nf9_agg6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 29, 1, FM_S_SRC_PLEN },	/* IPV6_SRC_MASK */
	{ 30, 1, FM_S_DST_PLEN },	/* IPV6_DST_MASK */
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_agg_icmp6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 29, 1, FM_S_SRC_PLEN },	/* IPV6_SRC_MASK */
	{ 30, 1, FM_S_DST_PLEN },	/* IPV6_DST_MASK */
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

/*
 * Routed flows (routing fields on): the unmasked fields with the next hop
 * of the destination's route (0 when it is connected), the prefix lengths
 * of the source's and destination's routes and their AS numbers.
 */
static const struct fm_field nf9_route4[] = {
	NF9_TIMES
	NF9_ADDR4
	{ 15, 4, FM_S_NEXTHOP4 },	/* IPV4_NEXT_HOP */
	{ 9, 1, FM_S_SRC_MASK },	/* SRC_MASK */
	{ 13, 1, FM_S_DST_MASK },	/* DST_MASK */
	{ 16, 4, FM_S_SRC_AS },		/* SRC_AS */
	{ 17, 4, FM_S_DST_AS },		/* DST_AS */
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_route_icmp4[] = {
	NF9_TIMES
	NF9_ADDR4
	{ 15, 4, FM_S_NEXTHOP4 },	/* IPV4_NEXT_HOP */
	{ 9, 1, FM_S_SRC_MASK },	/* SRC_MASK */
	{ 13, 1, FM_S_DST_MASK },	/* DST_MASK */
	{ 16, 4, FM_S_SRC_AS },		/* SRC_AS */
	{ 17, 4, FM_S_DST_AS },		/* DST_AS */
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

static const struct fm_field nf9_route6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */
	{ 62, 16, FM_S_NEXTHOP6 },	/* IPV6_NEXT_HOP */
	{ 29, 1, FM_S_SRC_MASK },	/* IPV6_SRC_MASK */
	{ 30, 1, FM_S_DST_MASK },	/* IPV6_DST_MASK */
	{ 16, 4, FM_S_SRC_AS },		/* SRC_AS */
	{ 17, 4, FM_S_DST_AS },		/* DST_AS */
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_route_icmp6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */
	{ 62, 16, FM_S_NEXTHOP6 },	/* IPV6_NEXT_HOP */
	{ 29, 1, FM_S_SRC_MASK },	/* IPV6_SRC_MASK */
	{ 30, 1, FM_S_DST_MASK },	/* IPV6_DST_MASK */
	{ 16, 4, FM_S_SRC_AS },		/* SRC_AS */
	{ 17, 4, FM_S_DST_AS },		/* DST_AS */
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

/*
 * Flows with L2 fields: IN_SRC_MAC and IN_DST_MAC, and the IANA elements
 * above 127 for the VLAN ids and Ethernet type (as the IPFIX templates:
 * v9 has SRC_VLAN, already the tail's, but no inner id nor type);
 * MPLS_LABEL_1 and OUT_SRC_MAC, OUT_DST_MAC, the IPFIX elements' numbers.
 */
#define NF9_L2 \
	{ 56, 6, FM_S_SRC_MAC },	/* IN_SRC_MAC */ \
	{ 80, 6, FM_S_DST_MAC },	/* IN_DST_MAC */ \
	{ 243, 2, FM_S_VLAN_OUTER },	/* dot1qVlanId (IANA) */ \
	{ 245, 2, FM_S_VLAN_INNER },	/* dot1qCustomerVlanId (IANA) */ \
	{ 256, 2, FM_S_ETHERTYPE },	/* ethernetType (IANA) */ \
	{ 70, 3, FM_S_MPLS_TOP },	/* MPLS_LABEL_1 */ \
	{ 81, 6, FM_S_POST_SRC_MAC },	/* OUT_SRC_MAC */ \
	{ 57, 6, FM_S_POST_DST_MAC },	/* OUT_DST_MAC */

static const struct fm_field nf9_l2_4[] = {
	NF9_TIMES
	NF9_ADDR4
	NF9_L2
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_l2_icmp4[] = {
	NF9_TIMES
	NF9_ADDR4
	NF9_L2
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

static const struct fm_field nf9_l2_6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */
	NF9_L2
	NF9_IFS
	NF9_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_l2_icmp6[] = {
	NF9_TIMES
	NF9_ADDR6
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */
	NF9_L2
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

/*
 * Flows with post-NAT fields: the elements Cisco's NSEL defined for v9
 * (NF_F_XLATE_*), which IANA took over with the same numbers and which
 * nfdump reads as its xlate fields, beside the pre-NAT ones.
 */
#define NF9_XL_ADDR4 \
	NF9_ADDR4 \
	{ 225, 4, FM_S_XL_SADDR4 },	/* NF_F_XLATE_SRC_ADDR_IPV4 */ \
	{ 226, 4, FM_S_XL_DADDR4 },	/* NF_F_XLATE_DST_ADDR_IPV4 */

#define NF9_XL_ADDR6 \
	NF9_ADDR6 \
	{ 281, 16, FM_S_XL_SADDR6 },	/* NF_F_XLATE_SRC_ADDR_IPV6 */ \
	{ 282, 16, FM_S_XL_DADDR6 },	/* NF_F_XLATE_DST_ADDR_IPV6 */ \
	{ 31, 4, FM_S_FLOWLABEL },	/* IPV6_FLOW_LABEL */

#define NF9_XL_PORTS \
	NF9_PORTS \
	{ 227, 2, FM_S_XL_SPORT },	/* NF_F_XLATE_SRC_PORT */ \
	{ 228, 2, FM_S_XL_DPORT },	/* NF_F_XLATE_DST_PORT */

static const struct fm_field nf9_xl4[] = {
	NF9_TIMES
	NF9_XL_ADDR4
	NF9_IFS
	NF9_XL_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_xl_icmp4[] = {
	NF9_TIMES
	NF9_XL_ADDR4
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

static const struct fm_field nf9_xl6[] = {
	NF9_TIMES
	NF9_XL_ADDR6
	NF9_IFS
	NF9_XL_PORTS
	NF9_TAIL
};

static const struct fm_field nf9_xl_icmp6[] = {
	NF9_TIMES
	NF9_XL_ADDR6
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_TAIL
};

/*
 * Biflows (RFC 5103) as NSEL-style v9 exporters send a conversation: the
 * source is the initiator, IN_BYTES/IN_PKTS what it sent, OUT_BYTES/
 * OUT_PKTS what the responder sent back (nfdump reads them as its out
 * counters, tshark as post octets/packets). v9 has no reverse times or
 * flags: FIRST/LAST_SWITCHED span both directions, TCP_FLAGS are the
 * initiator's. biflowDirection (IANA 239, 1: initiator) as in IPFIX,
 * which tshark decodes in v9 too. The same fields as the IPFIX biflow
 * templates otherwise, so that both fit the smallest message.
 */
#define NF9_BI_TIMES \
	{ 1, 8, FM_S_OCTETS },		/* IN_BYTES */ \
	{ 2, 8, FM_S_PACKETS },		/* IN_PKTS */ \
	{ 23, 8, FM_S_REV_OCTETS },	/* OUT_BYTES */ \
	{ 24, 8, FM_S_REV_PACKETS },	/* OUT_PKTS */ \
	{ 22, 4, FM_S_BI_START_UP },	/* FIRST_SWITCHED */ \
	{ 21, 4, FM_S_BI_END_UP },	/* LAST_SWITCHED */

#define NF9_BI_TAIL \
	{ 4, 1, FM_S_PROTO },		/* PROTOCOL */ \
	{ 5, 1, FM_S_TOS },		/* SRC_TOS */ \
	{ 136, 1, FM_S_END_REASON },	/* flowEndReason (IANA) */ \
	{ 239, 1, FM_S_BIFLOW_DIR },	/* biflowDirection (IANA) */

static const struct fm_field nf9_bi4[] = {
	NF9_BI_TIMES
	NF9_ADDR4
	NF9_IFS
	NF9_PORTS
	NF9_BI_TAIL
	{ 6, 1, FM_S_TCP_FLAGS },	/* TCP_FLAGS: the initiator's */
};

static const struct fm_field nf9_bi6[] = {
	NF9_BI_TIMES
	NF9_ADDR6
	NF9_IFS
	NF9_PORTS
	NF9_BI_TAIL
	{ 6, 1, FM_S_TCP_FLAGS },	/* TCP_FLAGS: the initiator's */
};

static const struct fm_field nf9_bi_icmp4[] = {
	NF9_BI_TIMES
	NF9_ADDR4
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_BI_TAIL
};

static const struct fm_field nf9_bi_icmp6[] = {
	NF9_BI_TIMES
	NF9_ADDR6
	NF9_IFS
	{ 11, 2, FM_S_DPORT },		/* L4_DST_PORT */
	{ 32, 2, FM_S_ICMP },		/* ICMP_TYPE */
	NF9_BI_TAIL
};

static const struct fm_field nf9_stats[] = {
	{ NF9_SCOPE_SYSTEM, 4, FM_S_DOMAIN },	/* scope: the source id */
	{ 41, 8, FM_S_MSGS },		/* TOTAL_PKTS_EXP: export packets */
	{ 42, 8, FM_S_FLOWS },		/* TOTAL_FLOWS_EXP */
	{ 164, 8, FM_S_IGNORED_PKTS },	/* ignoredPacketTotalCount (IANA) */
	{ 166, 8, FM_S_NOT_SENT },	/* notSentFlowTotalCount (IANA) */
};

static const struct fm_field nf9_sampling[] = {
	{ NF9_SCOPE_SYSTEM, 4, FM_S_DOMAIN },	/* scope: the source id */
	{ 34, 4, FM_S_SAMP_RATE },	/* SAMPLING_INTERVAL */
	{ 35, 1, FM_S_SAMP_ALGO },	/* SAMPLING_ALGORITHM */
};

static const struct fm_field nf9_ifname[] = {
	{ NF9_SCOPE_INTERFACE, 4, FM_S_IFINDEX },	/* scope: ifindex */
	{ 82, FM_ENC_IFNAME_LEN, FM_S_IFNAME },	/* IF_NAME */
};

/* NAT44 and NAT66 events: the same elements as IPFIX (enc.h) */
static const struct fm_field nf9_nat4[] = {
	FM_NAT4_FIELDS
};

static const struct fm_field nf9_nat6[] = {
	FM_NAT6_FIELDS
};

static const struct fm_field nf9_nat_lost[] = {
	{ NF9_SCOPE_SYSTEM, 4, FM_S_DOMAIN },	/* scope: the source id */
	FM_NAT_LOST_FIELDS
};

/*
 * Per-interface sampling rates: the plain records with FLOW_SAMPLER_ID,
 * and one options record per sampler with its FLOW_SAMPLER_MODE and
 * FLOW_SAMPLER_RANDOM_INTERVAL (N, flow sampling folded in as in
 * SAMPLING_INTERVAL), as Cisco's and pmacct's exporters send them.
 */
#define NF9_SEL \
	{ 48, 2, FM_S_SELECTOR },	/* FLOW_SAMPLER_ID */

static const struct fm_field nf9_sel4[] = {
	NF9_FLOW4
	NF9_SEL
};

static const struct fm_field nf9_sel_icmp4[] = {
	NF9_FLOW_ICMP4
	NF9_SEL
};

static const struct fm_field nf9_sel6[] = {
	NF9_FLOW6
	NF9_SEL
};

static const struct fm_field nf9_sel_icmp6[] = {
	NF9_FLOW_ICMP6
	NF9_SEL
};

static const struct fm_field nf9_selector[] = {
	{ NF9_SCOPE_SYSTEM, 4, FM_S_DOMAIN },	/* scope: the source id */
	{ 48, 2, FM_S_SEL_ID },		/* FLOW_SAMPLER_ID */
	{ 49, 1, FM_S_SAMP_ALGO },	/* FLOW_SAMPLER_MODE */
	{ 50, 4, FM_S_SEL_RATE },	/* FLOW_SAMPLER_RANDOM_INTERVAL */
};

#define TMPL(nscope, fields) { nscope, ARRAY_SIZE(fields), fields }

/* Indexed by template id - FM_TMPL_V4, as ipfix_tmpls. */
const struct fm_tmpl fm_nf9_tmpls[FM_TMPL_NUM] = {
	TMPL(0, nf9_v4),
	TMPL(0, nf9_v6),
	TMPL(1, nf9_stats),
	TMPL(1, nf9_sampling),
	TMPL(1, nf9_ifname),
	TMPL(0, nf9_icmp4),
	TMPL(0, nf9_icmp6),
	TMPL(1, nf9_sampling),	/* never sent: v9 has FM_TMPL_SAMPLING only */
	TMPL(0, nf9_agg4),
	TMPL(0, nf9_agg6),
	TMPL(0, nf9_agg_icmp4),
	TMPL(0, nf9_agg_icmp6),
	TMPL(0, nf9_route4),
	TMPL(0, nf9_route6),
	TMPL(0, nf9_route_icmp4),
	TMPL(0, nf9_route_icmp6),
	[FM_TMPL_BI4 - FM_TMPL_V4] = TMPL(0, nf9_bi4),
	[FM_TMPL_BI6 - FM_TMPL_V4] = TMPL(0, nf9_bi6),
	[FM_TMPL_BI_ICMP4 - FM_TMPL_V4] = TMPL(0, nf9_bi_icmp4),
	[FM_TMPL_BI_ICMP6 - FM_TMPL_V4] = TMPL(0, nf9_bi_icmp6),
	[FM_TMPL_NAT4 - FM_TMPL_V4] = TMPL(0, nf9_nat4),
	[FM_TMPL_NAT6 - FM_TMPL_V4] = TMPL(0, nf9_nat6),
	[FM_TMPL_NAT_LOST - FM_TMPL_V4] = TMPL(1, nf9_nat_lost),
	[FM_TMPL_L2_4 - FM_TMPL_V4] = TMPL(0, nf9_l2_4),
	[FM_TMPL_L2_6 - FM_TMPL_V4] = TMPL(0, nf9_l2_6),
	[FM_TMPL_L2_ICMP4 - FM_TMPL_V4] = TMPL(0, nf9_l2_icmp4),
	[FM_TMPL_L2_ICMP6 - FM_TMPL_V4] = TMPL(0, nf9_l2_icmp6),
	[FM_TMPL_SEL4 - FM_TMPL_V4] = TMPL(0, nf9_sel4),
	[FM_TMPL_SEL6 - FM_TMPL_V4] = TMPL(0, nf9_sel6),
	[FM_TMPL_SEL_ICMP4 - FM_TMPL_V4] = TMPL(0, nf9_sel_icmp4),
	[FM_TMPL_SEL_ICMP6 - FM_TMPL_V4] = TMPL(0, nf9_sel_icmp6),
	[FM_TMPL_SELECTOR - FM_TMPL_V4] = TMPL(1, nf9_selector),
	[FM_TMPL_XL4 - FM_TMPL_V4] = TMPL(0, nf9_xl4),
	[FM_TMPL_XL6 - FM_TMPL_V4] = TMPL(0, nf9_xl6),
	[FM_TMPL_XL_ICMP4 - FM_TMPL_V4] = TMPL(0, nf9_xl_icmp4),
	[FM_TMPL_XL_ICMP6 - FM_TMPL_V4] = TMPL(0, nf9_xl_icmp6),
};

/* count: records of every kind; sequence: export packets sent before. */
void fm_nf9_put_header(struct fm_enc_msg *m)
{
	u8 *p = m->buf;

	put_unaligned_be16(NF9_VERSION, p);
	put_unaligned_be16(m->nrec, p + 2);
	put_unaligned_be32(m->clk.uptime_ms, p + 4);
	put_unaligned_be32(m->clk.unix_sec, p + 8);
	put_unaligned_be32(m->s->seq, p + 12);
	put_unaligned_be32(m->s->domain_id, p + 16);
}
