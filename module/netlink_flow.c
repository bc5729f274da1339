// SPDX-License-Identifier: GPL-2.0
/*
 * Flows over netlink: FM_CMD_GET_FLOWS dumps every cached flow of every
 * CPU, optionally filtered; FM_CMD_GET_TOP answers with the biggest flows
 * summed over CPUs (top.c).
 *
 * A dump holds nothing between its calls: it remembers the bucket
 * position it reached and how many flows of that bucket it already
 * visited, and walks on from there. A flow that arrives in or leaves a
 * bucket between two calls may thus be missed or shown twice; the rest
 * show exactly once.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "cache.h"
#include "compat.h"
#include "netlink.h"
#include "top.h"

#define FM_DUMP_RESCHED	256	/* buckets walked between cond_resched() */

static const struct nla_policy fm_nl_flow_filter_policy[FM_FLOW_A_PROTO + 1] = {
	[FM_FLOW_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 4, 6),
	[FM_FLOW_A_SRC_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_FLOW_A_DST_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_FLOW_A_SRC_PORT] = { .type = NLA_U16 },
	[FM_FLOW_A_DST_PORT] = { .type = NLA_U16 },
	[FM_FLOW_A_PROTO] = { .type = NLA_U8 },
};

const struct nla_policy fm_nl_flows_policy[FM_A_FLOW + 1] = {
	[FM_A_FLOW] = NLA_POLICY_NESTED(fm_nl_flow_filter_policy),
};

const struct nla_policy fm_nl_top_policy[FM_A_TOP_BY + 1] = {
	[FM_A_TOP_N] = NLA_POLICY_RANGE(NLA_U32, 1, FM_TOP_N_MAX),
	[FM_A_TOP_BY] = NLA_POLICY_MAX(NLA_U8, FM_TOP_BY_PACKETS),
};

int fm_nl_get_addr(const struct nlattr *a, u8 *family, u8 *addr,
		   struct netlink_ext_ack *extack)
{
	int len = nla_len(a);
	u8 fam = len == 4 ? 4 : 6;

	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	if (*family && *family != fam) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address does not match the address family");
		return -EINVAL;
	}
	*family = fam;
	memcpy(addr, nla_data(a), len);
	return 0;
}

/* What a flow must match; a zero given bit matches anything. */
struct fm_flow_filter {
	u32 given;		/* BIT(FM_FLOW_A_*) */
	u8 family;
	u8 proto;
	u16 sport;
	u16 dport;
	u8 saddr[16];
	u8 daddr[16];
};

static int fm_flow_filter_parse(struct nlattr *nest, struct fm_flow_filter *f,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[ARRAY_SIZE(fm_nl_flow_filter_policy)];
	int err, i;

	memset(f, 0, sizeof(*f));
	if (!nest)
		return 0;
	err = nla_parse_nested(tb, ARRAY_SIZE(tb) - 1, nest,
			       fm_nl_flow_filter_policy, extack);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(tb); i++)
		if (tb[i])
			f->given |= BIT(i);
	if (tb[FM_FLOW_A_FAMILY]) {
		f->family = nla_get_u8(tb[FM_FLOW_A_FAMILY]);
		if (f->family != 4 && f->family != 6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FM_FLOW_A_FAMILY],
					    "family must be 4 or 6");
			return -EINVAL;
		}
	}
	if (tb[FM_FLOW_A_SRC_ADDR]) {
		err = fm_nl_get_addr(tb[FM_FLOW_A_SRC_ADDR], &f->family,
				     f->saddr, extack);
		if (err)
			return err;
	}
	if (tb[FM_FLOW_A_DST_ADDR]) {
		err = fm_nl_get_addr(tb[FM_FLOW_A_DST_ADDR], &f->family,
				     f->daddr, extack);
		if (err)
			return err;
	}
	if (tb[FM_FLOW_A_SRC_PORT])
		f->sport = nla_get_u16(tb[FM_FLOW_A_SRC_PORT]);
	if (tb[FM_FLOW_A_DST_PORT])
		f->dport = nla_get_u16(tb[FM_FLOW_A_DST_PORT]);
	if (tb[FM_FLOW_A_PROTO])
		f->proto = nla_get_u8(tb[FM_FLOW_A_PROTO]);
	return 0;
}

static bool fm_flow_match(const struct fm_flow_filter *f,
			  const struct fm_record *r)
{
	const struct fm_key *k = &r->key;
	bool v6 = k->kflags & FM_KF_IPV6;
	const void *sa = v6 ? (const void *)&k->addr.v6.saddr : &k->addr.v4.saddr;
	const void *da = v6 ? (const void *)&k->addr.v6.daddr : &k->addr.v4.daddr;
	unsigned int alen = v6 ? 16 : 4;

	if (f->family && f->family != (v6 ? 6 : 4))
		return false;
	if ((f->given & BIT(FM_FLOW_A_SRC_ADDR)) && memcmp(f->saddr, sa, alen))
		return false;
	if ((f->given & BIT(FM_FLOW_A_DST_ADDR)) && memcmp(f->daddr, da, alen))
		return false;
	if ((f->given & BIT(FM_FLOW_A_SRC_PORT)) && f->sport != be16_to_cpu(k->sport))
		return false;
	if ((f->given & BIT(FM_FLOW_A_DST_PORT)) && f->dport != be16_to_cpu(k->dport))
		return false;
	return !(f->given & BIT(FM_FLOW_A_PROTO)) || f->proto == k->proto;
}

/* The most a flow takes in a message: see fm_nl_put_flow(). */
static size_t fm_nl_flow_size(void)
{
	return nla_total_size(0) +				/* FM_A_FLOW */
	       7 * nla_total_size(sizeof(u8)) +			/* family .. ttl */
	       2 * nla_total_size(sizeof(struct in6_addr)) +	/* addresses */
	       3 * nla_total_size(sizeof(u16)) +		/* ports, vlan */
	       4 * nla_total_size(sizeof(u32)) +		/* ifs, cpu, label */
	       4 * nla_total_size_64bit(sizeof(u64));		/* counters, times */
}

static int fm_nl_put_addrs(struct sk_buff *skb, const struct fm_key *k)
{
	if (k->kflags & FM_KF_IPV6)
		return nla_put_in6_addr(skb, FM_FLOW_A_SRC_ADDR, &k->addr.v6.saddr) ||
		       nla_put_in6_addr(skb, FM_FLOW_A_DST_ADDR, &k->addr.v6.daddr) ||
		       (k->addr.v6.flowlabel &&
			nla_put_u32(skb, FM_FLOW_A_FLOWLABEL,
				    be32_to_cpu(k->addr.v6.flowlabel)));
	return nla_put_in_addr(skb, FM_FLOW_A_SRC_ADDR, k->addr.v4.saddr) ||
	       nla_put_in_addr(skb, FM_FLOW_A_DST_ADDR, k->addr.v4.daddr);
}

/* r as an FM_A_FLOW nest; cpu < 0: summed over CPUs. */
static int fm_nl_put_flow(struct sk_buff *skb, const struct fm_record *r,
			  int cpu)
{
	const struct fm_key *k = &r->key;
	struct nlattr *nest;
	u64 wall;

	/* records keep boot-clock ms; netlink says wall-clock ms */
	wall = ktime_get_real_ns() / NSEC_PER_MSEC -
	       ktime_get_boottime_ns() / NSEC_PER_MSEC;
	nest = nla_nest_start(skb, FM_A_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, FM_FLOW_A_FAMILY, k->kflags & FM_KF_IPV6 ? 6 : 4) ||
	    fm_nl_put_addrs(skb, k) ||
	    nla_put_u16(skb, FM_FLOW_A_SRC_PORT, be16_to_cpu(k->sport)) ||
	    nla_put_u16(skb, FM_FLOW_A_DST_PORT, be16_to_cpu(k->dport)) ||
	    nla_put_u8(skb, FM_FLOW_A_PROTO, k->proto) ||
	    nla_put_u8(skb, FM_FLOW_A_TOS, k->tos) ||
	    nla_put_u32(skb, FM_FLOW_A_IN_IF, k->in_if) ||
	    nla_put_u32(skb, FM_FLOW_A_OUT_IF, k->out_if) ||
	    nla_put_u16(skb, FM_FLOW_A_VLAN, k->vlan) ||
	    nla_put_u8(skb, FM_FLOW_A_DIR, k->dir) ||
	    nla_put_u64_64bit(skb, FM_FLOW_A_PACKETS, r->packets, FM_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_FLOW_A_BYTES, r->bytes, FM_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_FLOW_A_START_MS, wall + r->start_ms, FM_FLOW_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_FLOW_A_END_MS, wall + r->end_ms, FM_FLOW_A_PAD) ||
	    nla_put_u8(skb, FM_FLOW_A_TCP_FLAGS, r->tcp_flags) ||
	    nla_put_u8(skb, FM_FLOW_A_TTL_MIN, r->ttl_min) ||
	    nla_put_u8(skb, FM_FLOW_A_TTL_MAX, r->ttl_max) ||
	    (cpu >= 0 && nla_put_u32(skb, FM_FLOW_A_CPU, cpu))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Where a flow dump stands between calls, in cb->ctx. */
struct fm_flows_ctx {
	unsigned long pos;	/* bucket position */
	unsigned long skip;	/* flows of it visited already */
};

struct fm_flows_walk {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct fm_flow_filter filter;
	unsigned long skip;
	unsigned long idx;	/* flows of the bucket visited so far */
};

static int fm_nl_flow_dump_one(const struct fm_record *r, int cpu, void *arg)
{
	struct fm_flows_walk *w = arg;
	void *hdr;

	if (w->idx++ < w->skip || !fm_flow_match(&w->filter, r))
		return 0;
	hdr = genlmsg_put(w->skb, NETLINK_CB(w->cb->skb).portid,
			  w->cb->nlh->nlmsg_seq, &fm_nl_family, NLM_F_MULTI,
			  FM_CMD_GET_FLOWS);
	if (!hdr)
		return -EMSGSIZE;
	if (fm_nl_put_flow(w->skb, r, cpu)) {
		genlmsg_cancel(w->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(w->skb, hdr);
	return 0;
}

int fm_nl_flows_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fm_net *fn = fm_pernet(sock_net(skb->sk));
	struct fm_flows_ctx *ctx = (struct fm_flows_ctx *)cb->ctx;
	unsigned long n = fm_cache_buckets(fn);
	struct fm_flows_walk w = {
		.skb = skb,
		.cb = cb,
		.skip = ctx->skip,
	};
	int err;

	BUILD_BUG_ON(sizeof(struct fm_flows_ctx) > sizeof(cb->ctx));
	/* A bad filter ends the dump at its first call, with the reason. */
	err = fm_flow_filter_parse(fm_dump_attrs(cb)[FM_A_FLOW], &w.filter,
				   cb->extack);
	if (err)
		return err;
	for (; ctx->pos < n; ctx->pos++) {
		w.idx = 0;
		err = fm_cache_walk_bucket(fn, ctx->pos, fm_nl_flow_dump_one, &w);
		if (err) {	/* skb full: this flow first next time */
			ctx->skip = w.idx - 1;
			return skb->len;
		}
		w.skip = 0;
		ctx->skip = 0;
		if (!(ctx->pos % FM_DUMP_RESCHED))
			cond_resched();
	}
	return skb->len;
}

static int fm_nl_top_reply(struct genl_info *info, const struct fm_record *top,
			   int len)
{
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(len * fm_nl_flow_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fm_nl_family, 0, FM_CMD_GET_TOP);
	if (!hdr)
		goto err;
	for (i = 0; i < len; i++)
		if (fm_nl_put_flow(msg, &top[i], -1))
			goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int fm_nl_top(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	unsigned int n = FM_TOP_N_DEFAULT;
	bool by_packets = false;
	struct fm_record *top;
	int len, err;

	if (info->attrs[FM_A_TOP_N])
		n = nla_get_u32(info->attrs[FM_A_TOP_N]);
	if (info->attrs[FM_A_TOP_BY])
		by_packets = nla_get_u8(info->attrs[FM_A_TOP_BY]) ==
			     FM_TOP_BY_PACKETS;
	top = kvmalloc_array(n, sizeof(*top), GFP_KERNEL_ACCOUNT);
	if (!top)
		return -ENOMEM;
	len = fm_top_collect(fn, n, by_packets, top);
	err = len < 0 ? len : fm_nl_top_reply(info, top, len);
	kvfree(top);
	return err;
}
