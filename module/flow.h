/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow key and the exported flow record: shared by the packet path,
 * the cache, the encoders and the userspace tests, so plain C only.
 */
#ifndef _FM_FLOW_H
#define _FM_FLOW_H

#include "fm_types.h"

enum fm_dir {
	FM_DIR_INGRESS = 0,	/* IPFIX flowDirection values */
	FM_DIR_EGRESS = 1,
};

/* Key flag bits (struct fm_key.kflags) */
#define FM_KF_IPV6	0x01	/* addresses are v6 */
#define FM_KF_AGG	0x02	/* masked by aggregation: src/dst_plen hold */
/* a biflow's key (fm_bi_canon()): its entry has a struct fm_biext first */
#define FM_KF_BI	0x04
/*
 * a flow with L2 fields ('set l2 on'): its entry has a struct fm_l2
 * first. Never with FM_KF_BI (hook.c): an entry has one extension.
 */
#define FM_KF_L2	0x08
/*
 * a flow with post-NAT fields ('set postnat on'): its entry has a struct
 * fm_xlate first. Never with FM_KF_BI nor FM_KF_L2 (hook.c).
 */
#define FM_KF_NAT	0x10

/*
 * The flow key. IPv4 flows only use the bytes up to and including
 * addr.v4, so their cache entries are allocated shorter: keep addr last
 * and never read addr.v6 of an IPv4 key. All padding is explicit and
 * zeroed by the parser so keys compare and hash as bytes.
 */
struct fm_key {
	u32 in_if;		/* ingress ifindex, 0 if none */
	u32 out_if;		/* egress ifindex, 0 if none */
	__be16 sport;		/* 0 for non-first fragments, ICMP */
	__be16 dport;		/* ICMP: type * 256 + code (NetFlow convention) */
	u16 vlan;		/* 802.1Q id, 0 when untagged */
	u8 proto;		/* IP protocol / last IPv6 next header */
	u8 tos;			/* IPv4 TOS byte or IPv6 traffic class */
	u8 kflags;		/* FM_KF_* */
	u8 dir;			/* enum fm_dir */
	/*
	 * Prefix lengths the addresses were masked to (FM_KF_AGG), else 0:
	 * every key of a netns has the same, so keys still compare whole.
	 */
	u8 src_plen;
	u8 dst_plen;
	union {
		struct {
			__be32 saddr;
			__be32 daddr;
		} v4;
		struct {
			struct in6_addr saddr;
			struct in6_addr daddr;
			__be32 flowlabel;	/* 0 unless enabled */
		} v6;
	} addr;
};

#define FM_KEY_LEN_V4 (offsetof(struct fm_key, addr) + 8)
#define FM_KEY_LEN_V6 sizeof(struct fm_key)

static inline unsigned int fm_key_len(const struct fm_key *k)
{
	return (k->kflags & FM_KF_IPV6) ? FM_KEY_LEN_V6 : FM_KEY_LEN_V4;
}

/* TCP flag bits as in the header's flags byte */
#define FM_TCP_FIN	0x01
#define FM_TCP_RST	0x04

/* Record flags (struct fm_record.rflags) */
#define FM_RF_FRAG	0x01	/* at least one packet was a fragment */
#define FM_RF_ROUTE	0x02	/* routing fields hold (export only, route.c);
				 * 0xf0 is the cache entries' (cache_hot.h) */
#define FM_RF_SEL	0x08	/* selector holds (export only, export.c) */

/* flowEndReason (IPFIX IE 136) */
enum fm_end_reason {
	FM_END_IDLE = 1,
	FM_END_ACTIVE = 2,
	FM_END_EOF = 3,		/* TCP FIN or RST */
	FM_END_FORCED = 4,	/* flush, unload, config change */
	FM_END_RESOURCES = 5,	/* evicted: cache full */
};

/*
 * A biflow's reverse direction (RFC 5103), in its record: the packets
 * the key's destination sent to its source. Zero in uniflow records.
 */
struct fm_rev {
	u64 packets;
	u64 bytes;
	u64 start_ms;		/* boot clock, ms; 0 while packets is 0 */
	u64 end_ms;
	u8 tcp_flags;
	u8 init;		/* FM_BI_SYN: the initiator sent a SYN */
	u8 pad[6];
};

#define FM_BI_SIDE1	0x01	/* entry: side 1 (key's destination) initiated */
#define FM_BI_SYN	0x02	/* ... decided by a SYN without ACK */

/*
 * L2 fields of a flow (per netns 'set l2 on'): the first packet's, not
 * key fields. MAC addresses only where the packet came with an Ethernet
 * header (ingress hooks of Ethernet devices), else zero; the VLAN ids
 * from the tag the skb carries or the VLAN devices it came in on (egress
 * hooks: goes out on), 0 when untagged. No Ethernet type: at the IP
 * hooks it is the key's family's (fm_l2_ethertype()).
 *
 * The post MACs are the frame's after forwarding (hook.c says where each
 * hook finds them, zero where it cannot): post_dst_mac may be filled by a
 * later packet of the flow, when the next hop's neighbour entry was not
 * resolved at the first one (fm_l2_late()). mpls is the top entry of an
 * MPLS frame's label stack as IE 70 carries it, 3 bytes: label (20
 * bits), traffic class (3) and bottom of stack (1), valid with
 * FM_L2_MPLS in flags (label 0, IPv4 explicit null, with TC 0 above
 * other labels is all zero bits too).
 *
 * 32 bytes: the extension before an L2 flow's entry (FM_KF_L2), 96
 * bytes for IPv4 (was 80 before the MPLS label and post MACs).
 */
struct fm_l2 {
	u8 src_mac[6];		/* sourceMacAddress (IE 56) */
	u8 dst_mac[6];		/* destinationMacAddress (IE 80) */
	u16 vlan_outer;		/* dot1qVlanId (IE 243): the outer tag */
	u16 vlan_inner;		/* dot1qCustomerVlanId (IE 245): QinQ inner */
	u8 post_src_mac[6];	/* postSourceMacAddress (IE 81) */
	u8 mpls[3];		/* mplsTopLabelStackSection (IE 70), FM_L2_MPLS */
	u8 flags;		/* FM_L2_* */
	u8 post_dst_mac[6];	/* postDestinationMacAddress (IE 57) */
};

#define FM_L2_MPLS	0x01	/* an MPLS frame: mpls is its top entry */

static inline bool fm_l2_post_dst_unset(const struct fm_l2 *l2)
{
	static const u8 zero[sizeof(l2->post_dst_mac)];

	return !memcmp(l2->post_dst_mac, zero, sizeof(zero));
}

/*
 * Two pieces of one flow's L2 fields (two CPUs' entries, or records):
 * the first packet's, of the piece b if it began first, with the next
 * hop's MAC of either if that one has none (fm_l2_late()).
 */
static inline void fm_l2_merge(struct fm_l2 *a, const struct fm_l2 *b,
			       bool b_first)
{
	u8 mac[sizeof(a->post_dst_mac)];

	memcpy(mac, a->post_dst_mac, sizeof(mac));
	if (b_first)
		*a = *b;
	if (fm_l2_post_dst_unset(a))
		memcpy(a->post_dst_mac, b_first ? mac : b->post_dst_mac,
		       sizeof(mac));
}

/*
 * Post-NAT fields of a flow (per netns 'set postnat on'): the addresses
 * and ports its packets carry once every translation of their conntrack
 * entry is applied, taken from the entry at packet time (hook.c); not key
 * fields. done: the entry's NAT was set up for both manips
 * (IPS_NAT_DONE_MASK), so the fields are final; until then each packet
 * of the flow takes them again. ok: the packet had a conntrack entry;
 * 0 with no conntrack (all fields zero). 40 bytes: the extension before
 * a post-NAT flow's entry (FM_KF_NAT).
 */
struct fm_xlate {
	union {
		__be32 v4;
		struct in6_addr v6;
	} saddr;		/* postNATSource{IPv4,IPv6}Address (225, 281) */
	union {
		__be32 v4;
		struct in6_addr v6;
	} daddr;		/* postNATDestination...Address (226, 282) */
	__be16 sport;		/* postNAPTSourceTransportPort (227) */
	__be16 dport;		/* postNAPTDestinationTransportPort (228) */
	u8 ok;
	u8 done;
	u8 pad[2];
};

/*
 * The post-NAT fields of a flow's two pieces (CPUs) as one: final ones
 * (done) over those taken before the NAT was set up, any over none.
 */
static inline void fm_xlate_merge(struct fm_xlate *a, const struct fm_xlate *b)
{
	if ((b->done && !a->done) || (b->ok && !a->ok))
		*a = *b;
}

/* ethernetType (IE 256) of a flow of key k: IPv4 or IPv6 */
static inline u16 fm_l2_ethertype(const struct fm_key *k)
{
	return k->kflags & FM_KF_IPV6 ? 0x86dd : 0x0800;
}

/* What the cache hands to the exporter: one finished (or partial) flow. */
struct fm_record {
	struct fm_key key;
	u64 packets;
	u64 bytes;		/* sum of IP total lengths */
	u64 start_ms;		/* boot clock (CLOCK_BOOTTIME), ms */
	u64 end_ms;
	u8 tcp_flags;		/* OR of all TCP flags seen */
	u8 ttl_min;
	u8 ttl_max;
	u8 end_reason;		/* enum fm_end_reason */
	u8 rflags;		/* FM_RF_* */
	/*
	 * Routing fields (FM_RF_ROUTE): filled at export from the netns's
	 * FIB and AS table (route.c), zero in the cache's records.
	 */
	u8 src_mask;		/* prefix length of the source's route */
	u8 dst_mask;		/* prefix length of the destination's route */
	/*
	 * FM_RF_SEL: the sampling rate the flow's packets were metered at,
	 * as a selectorId (IPFIX) / FLOW_SAMPLER_ID (v9) that the options
	 * data explain: 1 the netns's, 2 + i sampling-if slot i. Filled at
	 * export while per-interface rates are set, zero in the cache's
	 * records.
	 */
	u8 selector;
	u32 src_as;		/* origin AS of the source's prefix, 0: none */
	u32 dst_as;
	union {
		__be32 v4;
		struct in6_addr v6;	/* the record's family; 0: connected */
	} nexthop;
	/*
	 * Biflows (key.kflags & FM_KF_BI): the key's source is the
	 * initiator, the fields above (packets ... tcp_flags) count what it
	 * sent, rev what the responder sent.
	 */
	struct fm_rev rev;
	struct fm_l2 l2;	/* FM_KF_L2, else zero */
	struct fm_xlate xlate;	/* FM_KF_NAT, else zero */
};

/*
 * Aggregation (a flow mask): the cache of a netns may run with keys made
 * coarser before the lookup, so that one entry, and one record, stands
 * for all the flows that the mask makes equal. Addresses are cut to a
 * prefix per family and direction; the key fields of FM_AGG_NO_* become
 * 0. The IPv6 flow label never survives a mask. Values of FM_A_AGG_DROP.
 */
#define FM_AGG_NO_PORTS	0x01	/* source and destination port, ICMP type */
#define FM_AGG_NO_IFS	0x02	/* ingress and egress interface */
#define FM_AGG_NO_TOS	0x04	/* TOS / traffic class */
#define FM_AGG_NO_PROTO	0x08	/* IP protocol */
#define FM_AGG_NO_VLAN	0x10	/* 802.1Q id */
#define FM_AGG_NO_ALL	0x1f

/* A flow mask, unpacked; on 0: full keys (the rest is then ignored). */
struct fm_agg {
	u8 on;
	u8 src4, dst4;		/* IPv4 prefix lengths, 0..32 */
	u8 src6, dst6;		/* IPv6 prefix lengths, 0..128 */
	u8 drop;		/* FM_AGG_NO_* */
};

/*
 * The mask as the packet path reads it: one u64, loaded once per packet
 * with READ_ONCE(), so that no packet mixes two settings' fields. 0 is
 * no mask.
 */
#define FM_AGG_ON_BIT	40

static inline u64 fm_agg_pack(const struct fm_agg *a)
{
	if (!a->on)
		return 0;
	return (u64)1 << FM_AGG_ON_BIT | (u64)a->drop << 32 |
	       (u64)a->dst6 << 24 | (u64)a->src6 << 16 |
	       (u64)a->dst4 << 8 | a->src4;
}

static inline void fm_agg_unpack(u64 v, struct fm_agg *a)
{
	a->on = (v >> FM_AGG_ON_BIT) & 1;
	a->src4 = (u8)v;
	a->dst4 = (u8)(v >> 8);
	a->src6 = (u8)(v >> 16);
	a->dst6 = (u8)(v >> 24);
	a->drop = (u8)(v >> 32);
}

/*
 * Keep the first plen (0..32) bits of an IPv4 address: the flow mask of
 * aggregation, and the prefixes of anonymised export (anon.c).
 */
static inline __be32 fm_prefix4(__be32 a, unsigned int plen)
{
	return plen ? a & cpu_to_be32(~0U << (32 - plen)) : 0;
}

/* Keep the first plen bits of an IPv6 address; 128 or more: all. */
static inline void fm_prefix6(struct in6_addr *a, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		a->s6_addr[i] &= (u8)(0xff00 >> plen);
		plen = 0;
	}
}

/* Apply the packed mask v (not 0) to a parsed key, before its lookup. */
static inline void fm_agg_apply(struct fm_key *k, u64 v)
{
	struct fm_agg a;

	fm_agg_unpack(v, &a);
	if (k->kflags & FM_KF_IPV6) {
		fm_prefix6(&k->addr.v6.saddr, a.src6);
		fm_prefix6(&k->addr.v6.daddr, a.dst6);
		k->addr.v6.flowlabel = 0;
		k->src_plen = a.src6;
		k->dst_plen = a.dst6;
	} else {
		k->addr.v4.saddr = fm_prefix4(k->addr.v4.saddr, a.src4);
		k->addr.v4.daddr = fm_prefix4(k->addr.v4.daddr, a.dst4);
		k->src_plen = a.src4;
		k->dst_plen = a.dst4;
	}
	if (a.drop & FM_AGG_NO_PORTS) {
		k->sport = 0;
		k->dport = 0;
	}
	if (a.drop & FM_AGG_NO_IFS) {
		k->in_if = 0;
		k->out_if = 0;
	}
	if (a.drop & FM_AGG_NO_TOS)
		k->tos = 0;
	if (a.drop & FM_AGG_NO_PROTO)
		k->proto = 0;
	if (a.drop & FM_AGG_NO_VLAN)
		k->vlan = 0;
	k->kflags |= FM_KF_AGG;
}

/*
 * Biflows: the key both directions of a conversation share. The
 * endpoints are put in a fixed order (the lower address, then the lower
 * port, as source), and interfaces with them; ICMP echo, timestamp,
 * information and address mask replies take their request's type, so a
 * ping and its answer are one flow. On a hook that sees one interface
 * only (PREROUTING, INPUT, OUTPUT, POSTROUTING) the two directions cross
 * different ones: the interfaces are left out (0) there. The IPv6 flow
 * label, chosen by each sender, is left out too. Returns true if the
 * packet goes from the key's destination to its source (side 1).
 */
/* The key of the other direction: addresses, ports, interfaces swapped. */
static inline void fm_key_reverse(struct fm_key *k)
{
	u32 i = k->in_if;

	if (k->kflags & FM_KF_IPV6) {
		struct in6_addr a = k->addr.v6.saddr;

		k->addr.v6.saddr = k->addr.v6.daddr;
		k->addr.v6.daddr = a;
	} else {
		__be32 a = k->addr.v4.saddr;

		k->addr.v4.saddr = k->addr.v4.daddr;
		k->addr.v4.daddr = a;
	}
	/* ICMP: type and code, the request's in both directions */
	if (k->proto != 1 && k->proto != 58) {
		__be16 p = k->sport;

		k->sport = k->dport;
		k->dport = p;
	}
	k->in_if = k->out_if;
	k->out_if = i;
}

static inline u8 fm_bi_icmp_request(u8 proto, u8 type)
{
	if (proto == 1) {	/* ICMP: 0/8 echo, 14/13, 16/15, 18/17 */
		if (type == 0)
			return 8;
		if (type == 14 || type == 16 || type == 18)
			return type - 1;
	} else if (proto == 58 && type == 129) {	/* ICMPv6 echo */
		return 128;
	}
	return type;
}

static inline bool fm_bi_canon(struct fm_key *k)
{
	bool icmp = k->proto == 1 || k->proto == 58;
	u16 sp = be16_to_cpu(k->sport), dp = be16_to_cpu(k->dport);
	bool swap;
	int c;

	if (k->kflags & FM_KF_IPV6) {
		c = memcmp(&k->addr.v6.saddr, &k->addr.v6.daddr,
			   sizeof(k->addr.v6.saddr));
		k->addr.v6.flowlabel = 0;
	} else {
		u32 s = be32_to_cpu(k->addr.v4.saddr);
		u32 d = be32_to_cpu(k->addr.v4.daddr);

		c = s < d ? -1 : s > d;
	}
	if (icmp) {
		dp = (u16)fm_bi_icmp_request(k->proto, dp >> 8) << 8 |
		     (dp & 0xff);
		k->dport = cpu_to_be16(dp);
		swap = c > 0;
	} else {
		swap = c > 0 || (!c && sp > dp);
	}
	if (!k->in_if || !k->out_if) {
		k->in_if = 0;
		k->out_if = 0;
	}
	if (swap)
		fm_key_reverse(k);
	k->kflags |= FM_KF_BI;
	return swap;
}

/*
 * A biflow's initiator when nothing but its key tells: the side that sent
 * from an ephemeral port (Linux's range begins at 32768) to a lower one.
 * Returns 1 when k's destination initiated, 0 its source, -1 no answer
 * (ICMP, or both ports on one side of the line).
 */
#define FM_EPHEMERAL	32768

static inline int fm_bi_port_client(const struct fm_key *k)
{
	u16 sp = be16_to_cpu(k->sport), dp = be16_to_cpu(k->dport);

	if (k->proto == 1 || k->proto == 58)
		return -1;
	if (dp >= FM_EPHEMERAL && sp < FM_EPHEMERAL)
		return 1;
	if (sp >= FM_EPHEMERAL && dp < FM_EPHEMERAL)
		return 0;
	return -1;
}

#endif /* _FM_FLOW_H */
