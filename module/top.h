/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The biggest flows or prefixes of a netns, for netlink and procfs, and
 * the flow filter that top and flow dumps share.
 */
#ifndef _FM_TOP_H
#define _FM_TOP_H

#include "flowmeter.h"
#include "uapi_flowmeter.h"

/* What a flow must match: each field whose BIT(FM_FLOW_A_*) is given. */
struct fm_flow_filter {
	u32 given;		/* BIT(FM_FLOW_A_*) */
	u8 family;		/* 4 or 6, 0: either */
	u8 proto;
	u8 tos;
	u8 splen, dplen;	/* bits of saddr, daddr that count */
	u16 sport;
	u16 dport;
	u32 in_if, out_if;
	u8 saddr[16];
	u8 daddr[16];
};

bool fm_flow_match(const struct fm_flow_filter *f, const struct fm_record *r);

/* What to rank: see enum fm_top_agg. */
struct fm_top_req {
	unsigned int n;			/* 1..FM_TOP_N_MAX */
	bool by_packets;
	u8 agg;				/* enum fm_top_agg */
	u8 plen4, plen6;		/* prefix lengths of SRC/DST */
	struct fm_flow_filter filter;
};

/*
 * One ranked flow or prefix. A prefix is a record whose key holds only
 * the family (FM_KF_IPV6) and the prefix, as saddr (SRC) or daddr (DST),
 * its host bits zero; its counters and times are its flows'.
 */
struct fm_top_entry {
	struct fm_record r;
	u32 flows;
};

/*
 * Fill top[0..q->n-1] with the biggest cached flows (or prefixes) of fn
 * matching q->filter, by bytes (or by packets), biggest first, each
 * flow summed over the CPUs that metered it (times: earliest start,
 * latest end; flags and TTLs combined; end_reason 0). Returns how many
 * were found, or -errno: -EINTR if killed while waiting for its turn
 * (walks of a netns are serialised and spaced, see top.c), -E2BIG if
 * more than FM_TOP_PREFIXES_MAX distinct prefixes match. Process
 * context: it sleeps and allocates.
 */
#define FM_TOP_PREFIXES_MAX	(1 << 16)
int fm_top_collect(struct fm_net *fn, const struct fm_top_req *q,
		   struct fm_top_entry *top);

#endif /* _FM_TOP_H */
