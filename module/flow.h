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
	u16 pad;		/* always 0 */
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

/* flowEndReason (IPFIX IE 136) */
enum fm_end_reason {
	FM_END_IDLE = 1,
	FM_END_ACTIVE = 2,
	FM_END_EOF = 3,		/* TCP FIN or RST */
	FM_END_FORCED = 4,	/* flush, unload, config change */
	FM_END_RESOURCES = 5,	/* evicted: cache full */
};

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
	u8 pad[3];
};

#endif /* _FM_FLOW_H */
