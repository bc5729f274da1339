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
#include "route.h"
#include "top.h"

#define FM_DUMP_RESCHED	256	/* buckets walked between cond_resched() */

/* The filter's attributes; in strict parsing, any other is refused. */
static const struct nla_policy fm_nl_flow_filter_policy[FM_FLOW_A_DST_PREFIX_LEN + 1] = {
	[FM_FLOW_A_FAMILY] = NLA_POLICY_RANGE(NLA_U8, 4, 6),
	[FM_FLOW_A_SRC_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_FLOW_A_DST_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_FLOW_A_SRC_PORT] = { .type = NLA_U16 },
	[FM_FLOW_A_DST_PORT] = { .type = NLA_U16 },
	[FM_FLOW_A_PROTO] = { .type = NLA_U8 },
	[FM_FLOW_A_TOS] = { .type = NLA_U8 },
	[FM_FLOW_A_IN_IF] = { .type = NLA_U32 },
	[FM_FLOW_A_OUT_IF] = { .type = NLA_U32 },
	[FM_FLOW_A_VLAN ... FM_FLOW_A_FLOWLABEL] = { .type = NLA_REJECT },
	[FM_FLOW_A_SRC_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_FLOW_A_DST_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

const struct nla_policy fm_nl_flows_policy[FM_A_FLOW + 1] = {
	[FM_A_FLOW] = NLA_POLICY_NESTED(fm_nl_flow_filter_policy),
};

const struct nla_policy fm_nl_top_policy[FM_A_TOP_PREFIX6 + 1] = {
	[FM_A_FLOW] = NLA_POLICY_NESTED(fm_nl_flow_filter_policy),
	[FM_A_TOP_N] = NLA_POLICY_RANGE(NLA_U32, 1, FM_TOP_N_MAX),
	[FM_A_TOP_BY] = NLA_POLICY_MAX(NLA_U8, FM_TOP_BY_PACKETS),
	[FM_A_TOP_AGG] = NLA_POLICY_MAX(NLA_U8, FM_TOP_AGG_DST),
	[FM_A_TOP_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_A_TOP_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
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

/* A prefix length given for an address of the filter, checked. */
static int fm_flow_filter_plen(struct nlattr **tb, int addr, int plen_attr,
			       u8 family, u8 *plen,
			       struct netlink_ext_ack *extack)
{
	unsigned int max = family == 6 ? 128 : 32;

	*plen = max;
	if (!tb[plen_attr])
		return 0;
	if (!tb[addr]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen_attr],
				    "a prefix length needs its address");
		return -EINVAL;
	}
	*plen = nla_get_u8(tb[plen_attr]);
	if (*plen > max) {
		NL_SET_ERR_MSG_ATTR(extack, tb[plen_attr],
				    "prefix length longer than the address");
		return -EINVAL;
	}
	return 0;
}

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
	if (tb[FM_FLOW_A_TOS])
		f->tos = nla_get_u8(tb[FM_FLOW_A_TOS]);
	if (tb[FM_FLOW_A_IN_IF])
		f->in_if = nla_get_u32(tb[FM_FLOW_A_IN_IF]);
	if (tb[FM_FLOW_A_OUT_IF])
		f->out_if = nla_get_u32(tb[FM_FLOW_A_OUT_IF]);
	err = fm_flow_filter_plen(tb, FM_FLOW_A_SRC_ADDR, FM_FLOW_A_SRC_PREFIX_LEN,
				  f->family, &f->splen, extack);
	if (err)
		return err;
	return fm_flow_filter_plen(tb, FM_FLOW_A_DST_ADDR, FM_FLOW_A_DST_PREFIX_LEN,
				   f->family, &f->dplen, extack);
}

/* The most a flow takes in a message: see fm_nl_put_flow(). */
static size_t fm_nl_flow_size(void)
{
	return nla_total_size(0) +				/* FM_A_FLOW */
	       9 * nla_total_size(sizeof(u8)) +		/* family .. ttl, plens */
	       2 * nla_total_size(sizeof(struct in6_addr)) +	/* addresses */
	       3 * nla_total_size(sizeof(u16)) +		/* ports, vlan */
	       4 * nla_total_size(sizeof(u32)) +		/* ifs, cpu, label */
	       4 * nla_total_size_64bit(sizeof(u64)) +		/* counters, times */
	       nla_total_size(sizeof(struct in6_addr)) +	/* routing fields */
	       2 * nla_total_size(sizeof(u8)) +
	       2 * nla_total_size(sizeof(u32)) +
	       3 * nla_total_size(sizeof(u8)) +			/* biflow */
	       4 * nla_total_size_64bit(sizeof(u64)) +
	       4 * nla_total_size(ETH_ALEN) +			/* L2 */
	       3 * nla_total_size(sizeof(u16)) +
	       nla_total_size(sizeof(u32));
}

/* The L2 fields of an L2 flow ('set l2 on'); the label only if it had one */
static int fm_nl_put_l2(struct sk_buff *skb, const struct fm_record *r)
{
	const struct fm_l2 *l2 = &r->l2;

	return nla_put(skb, FM_FLOW_A_SRC_MAC, ETH_ALEN, l2->src_mac) ||
	       nla_put(skb, FM_FLOW_A_DST_MAC, ETH_ALEN, l2->dst_mac) ||
	       nla_put_u16(skb, FM_FLOW_A_VLAN_OUTER, l2->vlan_outer) ||
	       nla_put_u16(skb, FM_FLOW_A_VLAN_INNER, l2->vlan_inner) ||
	       nla_put_u16(skb, FM_FLOW_A_ETHERTYPE,
			   fm_l2_ethertype(&r->key)) ||
	       nla_put(skb, FM_FLOW_A_POST_SRC_MAC, ETH_ALEN,
		       l2->post_src_mac) ||
	       nla_put(skb, FM_FLOW_A_POST_DST_MAC, ETH_ALEN,
		       l2->post_dst_mac) ||
	       ((l2->flags & FM_L2_MPLS) &&
		nla_put_u32(skb, FM_FLOW_A_MPLS_LABEL,
			    l2->mpls[0] << 16 | l2->mpls[1] << 8 | l2->mpls[2]));
}

/* The routing fields of a record fm_route_records() filled in */
static int fm_nl_put_route(struct sk_buff *skb, const struct fm_record *r)
{
	if (!(r->rflags & FM_RF_ROUTE))
		return 0;
	return ((r->key.kflags & FM_KF_IPV6) ?
		nla_put_in6_addr(skb, FM_FLOW_A_NEXTHOP, &r->nexthop.v6) :
		nla_put_in_addr(skb, FM_FLOW_A_NEXTHOP, r->nexthop.v4)) ||
	       nla_put_u8(skb, FM_FLOW_A_SRC_MASK, r->src_mask) ||
	       nla_put_u8(skb, FM_FLOW_A_DST_MASK, r->dst_mask) ||
	       nla_put_u32(skb, FM_FLOW_A_SRC_AS, r->src_as) ||
	       nla_put_u32(skb, FM_FLOW_A_DST_AS, r->dst_as);
}

/* A biflow's reverse direction (the responder's packets). */
static int fm_nl_put_rev(struct sk_buff *skb, const struct fm_record *r)
{
	u64 wall = ktime_get_real_ns() / NSEC_PER_MSEC -
		   ktime_get_boottime_ns() / NSEC_PER_MSEC;
	const struct fm_rev *v = &r->rev;

	return nla_put_u8(skb, FM_FLOW_A_BIFLOW, 1) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_REV_PACKETS, v->packets,
				 FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_REV_BYTES, v->bytes,
				 FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_REV_START_MS,
				 v->packets ? wall + v->start_ms : 0,
				 FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_REV_END_MS,
				 v->packets ? wall + v->end_ms : 0,
				 FM_FLOW_A_PAD) ||
	       nla_put_u8(skb, FM_FLOW_A_REV_TCP_FLAGS, v->tcp_flags);
}

/* A post-NAT flow's fields, if its packets had a conntrack entry */
static int fm_nl_put_xlate(struct sk_buff *skb, const struct fm_record *r)
{
	const struct fm_xlate *x = &r->xlate;

	if (!x->ok)
		return 0;
	if (r->key.kflags & FM_KF_IPV6) {
		if (nla_put_in6_addr(skb, FM_FLOW_A_POSTNAT_SRC_ADDR,
				     &x->saddr.v6) ||
		    nla_put_in6_addr(skb, FM_FLOW_A_POSTNAT_DST_ADDR,
				     &x->daddr.v6))
			return -EMSGSIZE;
	} else if (nla_put_in_addr(skb, FM_FLOW_A_POSTNAT_SRC_ADDR,
				   x->saddr.v4) ||
		   nla_put_in_addr(skb, FM_FLOW_A_POSTNAT_DST_ADDR,
				   x->daddr.v4)) {
		return -EMSGSIZE;
	}
	return nla_put_u16(skb, FM_FLOW_A_POSTNAT_SRC_PORT,
			   be16_to_cpu(x->sport)) ||
	       nla_put_u16(skb, FM_FLOW_A_POSTNAT_DST_PORT,
			   be16_to_cpu(x->dport)) ||
	       nla_put_u8(skb, FM_FLOW_A_POSTNAT_FINAL, x->done);
}

static int fm_nl_put_addrs(struct sk_buff *skb, const struct fm_key *k)
{
	/* a masked flow's addresses are prefixes: their lengths with them */
	if ((k->kflags & FM_KF_AGG) &&
	    (nla_put_u8(skb, FM_FLOW_A_SRC_PREFIX_LEN, k->src_plen) ||
	     nla_put_u8(skb, FM_FLOW_A_DST_PREFIX_LEN, k->dst_plen)))
		return -EMSGSIZE;
	if (k->kflags & FM_KF_IPV6)
		return nla_put_in6_addr(skb, FM_FLOW_A_SRC_ADDR, &k->addr.v6.saddr) ||
		       nla_put_in6_addr(skb, FM_FLOW_A_DST_ADDR, &k->addr.v6.daddr) ||
		       (k->addr.v6.flowlabel &&
			nla_put_u32(skb, FM_FLOW_A_FLOWLABEL,
				    be32_to_cpu(k->addr.v6.flowlabel)));
	return nla_put_in_addr(skb, FM_FLOW_A_SRC_ADDR, k->addr.v4.saddr) ||
	       nla_put_in_addr(skb, FM_FLOW_A_DST_ADDR, k->addr.v4.daddr);
}

/* r's counters and times; records keep boot-clock ms, netlink says wall-clock */
static int fm_nl_put_sums(struct sk_buff *skb, const struct fm_record *r)
{
	u64 wall = ktime_get_real_ns() / NSEC_PER_MSEC -
		   ktime_get_boottime_ns() / NSEC_PER_MSEC;

	return nla_put_u64_64bit(skb, FM_FLOW_A_PACKETS, r->packets, FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_BYTES, r->bytes, FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_START_MS, wall + r->start_ms,
				 FM_FLOW_A_PAD) ||
	       nla_put_u64_64bit(skb, FM_FLOW_A_END_MS, wall + r->end_ms,
				 FM_FLOW_A_PAD);
}

/* r as an FM_A_FLOW nest; cpu < 0: summed over CPUs. */
static int fm_nl_put_flow(struct sk_buff *skb, const struct fm_record *r,
			  int cpu)
{
	const struct fm_key *k = &r->key;
	struct nlattr *nest;

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
	    fm_nl_put_sums(skb, r) ||
	    nla_put_u8(skb, FM_FLOW_A_TCP_FLAGS, r->tcp_flags) ||
	    nla_put_u8(skb, FM_FLOW_A_TTL_MIN, r->ttl_min) ||
	    nla_put_u8(skb, FM_FLOW_A_TTL_MAX, r->ttl_max) ||
	    fm_nl_put_route(skb, r) ||
	    ((k->kflags & FM_KF_BI) && fm_nl_put_rev(skb, r)) ||
	    ((k->kflags & FM_KF_L2) && fm_nl_put_l2(skb, r)) ||
	    ((k->kflags & FM_KF_NAT) && fm_nl_put_xlate(skb, r)) ||
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
	struct fm_net *fn;
	bool route;		/* routing on: fields looked up per flow */
	struct fm_flow_filter filter;
	unsigned long skip;
	unsigned long idx;	/* flows of the bucket visited so far */
};

static int fm_nl_flow_dump_one(const struct fm_record *r, int cpu, void *arg)
{
	struct fm_flows_walk *w = arg;
	struct fm_record routed;
	void *hdr;

	if (w->idx++ < w->skip || !fm_flow_match(&w->filter, r))
		return 0;
	if (w->route) {
		routed = *r;
		fm_route_records(w->fn, &routed, 1);
		r = &routed;
	}
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
		.fn = fn,
		.route = fm_export_routing(fn),
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

/* A top prefix: its family, its address and length, its sums. */
static int fm_nl_put_prefix(struct sk_buff *skb, const struct fm_top_entry *e,
			    const struct fm_top_req *q)
{
	const struct fm_record *r = &e->r;
	const struct fm_key *k = &r->key;
	bool v6 = k->kflags & FM_KF_IPV6, src = q->agg == FM_TOP_AGG_SRC;
	int attr = src ? FM_FLOW_A_SRC_ADDR : FM_FLOW_A_DST_ADDR;
	struct nlattr *nest;

	nest = nla_nest_start(skb, FM_A_FLOW);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, FM_FLOW_A_FAMILY, v6 ? 6 : 4) ||
	    (v6 ? nla_put_in6_addr(skb, attr, src ? &k->addr.v6.saddr :
							&k->addr.v6.daddr) :
		  nla_put_in_addr(skb, attr, src ? k->addr.v4.saddr :
						   k->addr.v4.daddr)) ||
	    nla_put_u8(skb, src ? FM_FLOW_A_SRC_PREFIX_LEN : FM_FLOW_A_DST_PREFIX_LEN,
		       v6 ? q->plen6 : q->plen4) ||
	    nla_put_u32(skb, FM_FLOW_A_FLOWS, e->flows) ||
	    fm_nl_put_sums(skb, r)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int fm_nl_top_reply(struct genl_info *info, const struct fm_top_req *q,
			   const struct fm_top_entry *top, int len)
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
		if (q->agg == FM_TOP_AGG_FLOW ? fm_nl_put_flow(msg, &top[i].r, -1) :
						fm_nl_put_prefix(msg, &top[i], q))
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
	struct nlattr **tb = info->attrs;
	struct fm_top_req q = {
		.n = FM_TOP_N_DEFAULT,
		.plen4 = 32,
		.plen6 = 128,
	};
	struct fm_top_entry *top;
	int len, err;

	if (tb[FM_A_TOP_N])
		q.n = nla_get_u32(tb[FM_A_TOP_N]);
	if (tb[FM_A_TOP_BY])
		q.by_packets = nla_get_u8(tb[FM_A_TOP_BY]) == FM_TOP_BY_PACKETS;
	if (tb[FM_A_TOP_AGG])
		q.agg = nla_get_u8(tb[FM_A_TOP_AGG]);
	if (tb[FM_A_TOP_PREFIX4])
		q.plen4 = nla_get_u8(tb[FM_A_TOP_PREFIX4]);
	if (tb[FM_A_TOP_PREFIX6])
		q.plen6 = nla_get_u8(tb[FM_A_TOP_PREFIX6]);
	err = fm_flow_filter_parse(tb[FM_A_FLOW], &q.filter, info->extack);
	if (err)
		return err;
	top = kvmalloc_array(q.n, sizeof(*top), GFP_KERNEL_ACCOUNT);
	if (!top)
		return -ENOMEM;
	len = fm_top_collect(fn, &q, top);
	BUILD_BUG_ON(FM_TOP_PREFIXES_MAX != 65536);	/* the message's */
	if (len == -E2BIG)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "more than 65536 prefixes match: a shorter prefix or a match narrows them");
	err = len < 0 ? len : fm_nl_top_reply(info, &q, top, len);
	kvfree(top);
	return err;
}
