// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "flowmeter" (uapi_flowmeter.h): settings,
 * export destinations and counters of the requester's netns. The flow
 * commands are in netlink_flow.c.
 *
 * The genetlink core checks every request against its command's policy
 * before we run, strictly: unknown or read-only attributes, wrong types
 * and lengths and values out of range are refused there with the
 * offending attribute and its policy in the extended ack. What a policy
 * cannot say is checked here before anything changes, so a refused
 * request changes nothing.
 *
 * The family is netnsok and parallel_ops: handlers of different netns
 * run in parallel; the netns's conf_lock serialises its configuration
 * changes, and the requester's socket keeps the netns, and so our state
 * in it, alive while a handler runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <net/sock.h>

#include "aggcache.h"
#include "cache.h"
#include "export.h"
#include "natev.h"
#include "netlink.h"
#include "route.h"

static struct netlink_range_validation fm_nl_timeout_range = {
	.min = 1,
	.max = FM_TIMEOUT_MAX,
};

static struct netlink_range_validation fm_nl_max_flows_range = {
	.min = 1,
	.max = FM_MAX_FLOWS_MAX,
};

static struct netlink_range_validation fm_nl_hash_size_range = {
	.min = 0,		/* as many as the per-CPU flow limit */
	.max = FM_HASH_SIZE_MAX,
};

static struct netlink_range_validation fm_nl_mtu_range = {
	.min = FM_MTU_MIN,
	.max = FM_MTU_MAX,
};

static const struct nla_policy fm_nl_iff_policy[FM_IFF_A_MAX + 1] = {
	[FM_IFF_A_INCLUDE] = { .type = NLA_NUL_STRING, .len = FM_IFNAMSIZ - 1 },
	[FM_IFF_A_EXCLUDE] = { .type = NLA_NUL_STRING, .len = FM_IFNAMSIZ - 1 },
};

/* FM_A_DESTS is read-only: left out, so refused. */
/* FM_A_TOP_*: what /proc/net/flowmeter/top shows. */
static const struct nla_policy fm_nl_sif_policy[FM_SIF_A_MAX + 1] = {
	[FM_SIF_A_NAME] = { .type = NLA_NUL_STRING, .len = FM_IFNAMSIZ - 1 },
	[FM_SIF_A_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy fm_nl_sifs_policy[FM_SIFS_A_MAX + 1] = {
	[FM_SIFS_A_IF] = NLA_POLICY_NESTED(fm_nl_sif_policy),
};

static const struct nla_policy fm_nl_config_policy[FM_A_MAX + 1] = {
	[FM_A_ACTIVE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_timeout_range),
	[FM_A_INACTIVE_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_timeout_range),
	[FM_A_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_max_flows_range),
	[FM_A_HASH_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_hash_size_range),
	[FM_A_HOOKS] = NLA_POLICY_RANGE(NLA_U32, 1, FM_HOOK_ALL),
	[FM_A_SAMPLING_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[FM_A_SAMPLING_MODE] = NLA_POLICY_RANGE(NLA_U8,
						FM_SAMPLING_MODE_DETERMINISTIC,
						FM_SAMPLING_MODE_HASH),
	[FM_A_FLOWLABEL] = NLA_POLICY_MAX(NLA_U8, 1),
	[FM_A_DOMAIN_ID] = { .type = NLA_U32 },
	[FM_A_MTU] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_mtu_range),
	[FM_A_TEMPLATE_REFRESH] = { .type = NLA_U32 },
	[FM_A_TEMPLATE_PACKETS] = { .type = NLA_U32 },
	[FM_A_TOP_N] = NLA_POLICY_RANGE(NLA_U32, 1, FM_TOP_N_MAX),
	[FM_A_TOP_BY] = NLA_POLICY_MAX(NLA_U8, FM_TOP_BY_PACKETS),
	[FM_A_TOP_AGG] = NLA_POLICY_MAX(NLA_U8, FM_TOP_AGG_DST),
	[FM_A_TOP_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_A_TOP_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_A_IFFILTER] = NLA_POLICY_NESTED(fm_nl_iff_policy),
	[FM_A_NETNS_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_max_flows_range),
	[FM_A_MARK] = { .type = NLA_U32 },
	[FM_A_MARK_MASK] = { .type = NLA_U32 },
	[FM_A_SAMPLING_IFS] = NLA_POLICY_NESTED(fm_nl_sifs_policy),
	[FM_A_SAMPLING_HASH_KEY] = NLA_POLICY_EXACT_LEN(FM_HASHSEL_KEY_LEN),
	[FM_A_AGGREGATE] = NLA_POLICY_MAX(NLA_U8, FM_AGGREGATE_BESIDE),
	[FM_A_AGG_SRC_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_A_AGG_DST_PREFIX4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_A_AGG_SRC_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_A_AGG_DST_PREFIX6] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_A_AGG_DROP] = NLA_POLICY_MASK(NLA_U32, FM_AGG_NO_ALL),
	[FM_A_FLOW_SAMPLING_RATE] = NLA_POLICY_MIN(NLA_U32, 1),
	[FM_A_FLOW_SAMPLING_MODE] = NLA_POLICY_RANGE(NLA_U8,
						     FM_SAMPLING_MODE_DETERMINISTIC,
						     FM_SAMPLING_MODE_RANDOM),
	[FM_A_ROUTING] = NLA_POLICY_MAX(NLA_U8, 1),
	[FM_A_BIFLOW] = NLA_POLICY_MAX(NLA_U8, 1),
	[FM_A_NAT_EVENTS] = NLA_POLICY_MAX(NLA_U8, 1),
	[FM_A_L2] = NLA_POLICY_MAX(NLA_U8, 1),
	[FM_A_POSTNAT] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* A new AS table's sizes; the module parameter asn_max is checked after. */
static const struct nla_policy fm_nl_asn_begin_policy[FM_A_ASN_COUNT6 + 1] = {
	[FM_A_ASN_COUNT4] = { .type = NLA_U32 },
	[FM_A_ASN_COUNT6] = { .type = NLA_U32 },
};

/* Whole ranges only: route.c checks the length is a multiple. */
static const struct nla_policy fm_nl_asn_add_policy[FM_A_ASN_RANGES6 + 1] = {
	[FM_A_ASN_RANGES4] = NLA_POLICY_MIN_LEN(sizeof(struct fm_asn4)),
	[FM_A_ASN_RANGES6] = NLA_POLICY_MIN_LEN(sizeof(struct fm_asn6)),
};

/* A reply of one message: fill puts its attributes. */
static int fm_nl_reply(struct genl_info *info, size_t size,
		       int (*fill)(struct sk_buff *msg, struct fm_net *fn))
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fm_nl_family, 0,
				info->genlhdr->cmd);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err;
	}
	err = fill(msg, fn);
	if (err)
		goto err;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return err;
}

/* Configuration */

static int fm_nl_put_iflist(struct sk_buff *msg, int type,
			    const struct fm_iflist *l)
{
	char name[FM_IFNAMSIZ + 1];
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		fm_ifpat_string(&l->pat[i], name);
		if (nla_put_string(msg, type, name))
			return -EMSGSIZE;
	}
	return 0;
}

static int fm_nl_put_iffilter(struct sk_buff *msg, const struct fm_iffilter *f)
{
	struct nlattr *nest = nla_nest_start(msg, FM_A_IFFILTER);

	if (!nest ||
	    fm_nl_put_iflist(msg, FM_IFF_A_INCLUDE, &f->incl) ||
	    fm_nl_put_iflist(msg, FM_IFF_A_EXCLUDE, &f->excl))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* The patterns of nest (validated by fm_nl_iff_policy) into f. */
static int fm_nl_get_iffilter(const struct nlattr *nest, struct fm_iffilter *f,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;

	memset(f, 0, sizeof(*f));
	nla_for_each_nested(a, nest, rem) {
		struct fm_iflist *l = nla_type(a) == FM_IFF_A_INCLUDE ?
				      &f->incl : &f->excl;

		err = fm_iflist_add(l, nla_data(a),
				    strnlen(nla_data(a), nla_len(a)));
		if (err == -ENOSPC)
			NL_SET_ERR_MSG_ATTR(extack, a, "too many interfaces: at most 8 to include and 8 to exclude");
		else if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, a, "interface listed twice");
		else if (err)
			NL_SET_ERR_MSG_ATTR(extack, a, "not an interface name or prefix*: 1-15 characters, no '/', ':' or space, '*' only at the end");
		if (err)
			return -EINVAL;
	}
	return 0;
}

static int fm_nl_put_samplif(struct sk_buff *msg, const struct fm_samplif *s)
{
	struct nlattr *nest = nla_nest_start(msg, FM_A_SAMPLING_IFS), *one;
	char name[FM_IFNAMSIZ + 1];
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < s->ifs.n; i++) {
		fm_ifpat_string(&s->ifs.pat[i], name);
		one = nla_nest_start(msg, FM_SIFS_A_IF);
		if (!one || nla_put_string(msg, FM_SIF_A_NAME, name) ||
		    nla_put_u32(msg, FM_SIF_A_RATE, s->rate[i]))
			return -EMSGSIZE;
		nla_nest_end(msg, one);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The rates of nest (validated by fm_nl_sifs_policy) into s. */
static int fm_nl_get_samplif(const struct nlattr *nest, struct fm_samplif *s,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[FM_SIF_A_MAX + 1];
	const struct nlattr *a;
	int rem, err;

	memset(s, 0, sizeof(*s));
	nla_for_each_nested(a, nest, rem) {
		err = nla_parse_nested(tb, FM_SIF_A_MAX, a, fm_nl_sif_policy,
				       extack);
		if (err)
			return err;
		if (!tb[FM_SIF_A_NAME] || !tb[FM_SIF_A_RATE]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "an interface's sampling needs its name and its rate");
			return -EINVAL;
		}
		err = fm_iflist_add(&s->ifs, nla_data(tb[FM_SIF_A_NAME]),
				    strnlen(nla_data(tb[FM_SIF_A_NAME]),
					    nla_len(tb[FM_SIF_A_NAME])));
		if (err == -ENOSPC)
			NL_SET_ERR_MSG_ATTR(extack, a, "too many interfaces: at most 8 with their own sampling rate");
		else if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(extack, a, "interface listed twice");
		else if (err)
			NL_SET_ERR_MSG_ATTR(extack, tb[FM_SIF_A_NAME], "not an interface name or prefix*: 1-15 characters, no '/', ':' or space, '*' only at the end");
		if (err)
			return -EINVAL;
		s->rate[s->ifs.n - 1] = nla_get_u32(tb[FM_SIF_A_RATE]);
	}
	return 0;
}

static int fm_nl_fill_config(struct sk_buff *msg, struct fm_net *fn)
{
	struct fm_export_cfg ec;
	struct fm_cache_cfg cc;
	struct fm_iffilter iff;
	struct fm_samplif sif;
	u8 top_by, top_agg, top_plen4, top_plen6;
	u8 key[FM_HASHSEL_KEY_LEN];
	u32 hooks, top_n, asn4, asn6;
	struct fm_agg agg;
	bool routing, nat;
	u8 biflow;
	u64 mark;
	int err = 0;

	mutex_lock(&fn->conf_lock);
	cc = *fm_cache_config(fn);
	hooks = fn->hook_mask;
	mark = fn->mark;
	agg = fn->agg_cfg;
	biflow = fn->biflow;
	top_n = fn->top_n;
	top_by = fn->top_by;
	top_agg = fn->top_agg;
	top_plen4 = fn->top_plen4;
	top_plen6 = fn->top_plen6;
	fm_iffilter_get(fn, &iff);
	fm_samplif_get(fn, &sif);
	fm_hashkey_get(fn, key);
	nat = fm_nat_on(fn);
	mutex_unlock(&fn->conf_lock);
	fm_export_get_config(fn, &ec);
	routing = fm_export_routing(fn);
	fm_asn_counts(fn, &asn4, &asn6);

	if (nla_put_u32(msg, FM_A_ACTIVE_TIMEOUT, cc.active_timeout) ||
	    nla_put_u32(msg, FM_A_INACTIVE_TIMEOUT, cc.inactive_timeout) ||
	    nla_put_u32(msg, FM_A_MAX_FLOWS, cc.max_flows) ||
	    nla_put_u32(msg, FM_A_HASH_SIZE,
			fm_cache_buckets(fn) / nr_cpu_ids) ||
	    nla_put_u32(msg, FM_A_HOOKS, hooks) ||
	    nla_put_u32(msg, FM_A_SAMPLING_RATE, cc.sampling_rate) ||
	    nla_put_u8(msg, FM_A_SAMPLING_MODE, cc.sampling_mode) ||
	    nla_put_u8(msg, FM_A_FLOWLABEL, cc.flowlabel) ||
	    nla_put_u32(msg, FM_A_DOMAIN_ID, ec.domain_id) ||
	    nla_put_u32(msg, FM_A_TEMPLATE_REFRESH, ec.refresh_sec) ||
	    nla_put_u32(msg, FM_A_TEMPLATE_PACKETS, ec.refresh_msgs) ||
	    nla_put_u32(msg, FM_A_DESTS, ec.ndests) ||
	    nla_put_u32(msg, FM_A_TOP_N, top_n) ||
	    nla_put_u8(msg, FM_A_TOP_BY, top_by) ||
	    nla_put_u8(msg, FM_A_TOP_AGG, top_agg) ||
	    nla_put_u8(msg, FM_A_TOP_PREFIX4, top_plen4) ||
	    nla_put_u8(msg, FM_A_TOP_PREFIX6, top_plen6) ||
	    nla_put_u32(msg, FM_A_NETNS_MAX_FLOWS, READ_ONCE(fm_netns_max_flows)) ||
	    nla_put_u32(msg, FM_A_MARK, fm_mark_value(mark)) ||
	    nla_put_u32(msg, FM_A_MARK_MASK, fm_mark_mask(mark)) ||
	    /* the key too: GET_CONFIG is for the netns's admin only */
	    nla_put(msg, FM_A_SAMPLING_HASH_KEY, sizeof(key), key) ||
	    nla_put_u8(msg, FM_A_AGGREGATE, agg.on) ||
	    nla_put_u8(msg, FM_A_AGG_SRC_PREFIX4, agg.src4) ||
	    nla_put_u8(msg, FM_A_AGG_DST_PREFIX4, agg.dst4) ||
	    nla_put_u8(msg, FM_A_AGG_SRC_PREFIX6, agg.src6) ||
	    nla_put_u8(msg, FM_A_AGG_DST_PREFIX6, agg.dst6) ||
	    nla_put_u32(msg, FM_A_AGG_DROP, agg.drop) ||
	    nla_put_u32(msg, FM_A_FLOW_SAMPLING_RATE, ec.flow_sampling_rate) ||
	    nla_put_u8(msg, FM_A_FLOW_SAMPLING_MODE, ec.flow_sampling_mode) ||
	    nla_put_u8(msg, FM_A_ROUTING, routing) ||
	    nla_put_u8(msg, FM_A_BIFLOW, biflow) ||
	    nla_put_u8(msg, FM_A_NAT_EVENTS, nat) ||
	    nla_put_u8(msg, FM_A_L2, cc.l2) ||
	    nla_put_u8(msg, FM_A_POSTNAT, cc.postnat) ||
	    nla_put_u32(msg, FM_A_ASN_COUNT4, asn4) ||
	    nla_put_u32(msg, FM_A_ASN_COUNT6, asn6) ||
	    fm_nl_put_samplif(msg, &sif) ||
	    fm_nl_put_iffilter(msg, &iff))
		err = -EMSGSIZE;
	memzero_explicit(key, sizeof(key));
	return err;
}

static int fm_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	return fm_nl_reply(info, NLMSG_GOODSIZE, fm_nl_fill_config);
}

/* The destinations and their MTUs, to change them all or none. */
struct fm_nl_mtus {
	union fm_sockaddr addr[FM_DEST_MAX];
	u16 mtu[FM_DEST_MAX];
	unsigned int n;
};

static int fm_nl_mtus_get(const struct fm_dest_info *di, void *arg)
{
	struct fm_nl_mtus *m = arg;

	if (m->n == FM_DEST_MAX)
		return -ENOSPC;
	m->addr[m->n] = di->cfg.addr;
	m->mtu[m->n++] = di->cfg.mtu;
	return 0;
}

static void fm_nl_mtus_restore(struct fm_net *fn, const struct fm_nl_mtus *m,
			       unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		fm_export_dest_set_mtu(fn, &m->addr[i], m->mtu[i], NULL);
}

/* Every destination to mtu; on failure, the ones changed back. */
static int fm_nl_set_mtu(struct fm_net *fn, u32 mtu, struct fm_nl_mtus *old,
			 struct netlink_ext_ack *extack)
{
	unsigned int i, pos = 0;
	int err = 0;

	old->n = 0;
	fm_export_dest_walk(fn, &pos, fm_nl_mtus_get, old);
	for (i = 0; i < old->n; i++) {
		err = fm_export_dest_set_mtu(fn, &old->addr[i], mtu, extack);
		if (err) {
			fm_nl_mtus_restore(fn, old, i);
			break;
		}
	}
	return err;
}

/* Move the netns's hooks; on failure, put the old ones back. */
static int fm_nl_set_hooks(struct fm_net *fn, u32 mask,
			   struct netlink_ext_ack *extack)
{
	u32 old = fn->hook_mask;
	int err;

	lockdep_assert_held(&fn->conf_lock);
	fm_hooks_unregister(fn);
	err = fm_hooks_register(fn, mask);
	if (!err)
		return 0;
	NL_SET_ERR_MSG_MOD(extack, "cannot register the new netfilter hooks");
	if (fm_hooks_register(fn, old))
		pr_err("cannot restore the netfilter hooks of a netns: it is not metered\n");
	return err;
}

/*
 * The memory bound of a netns (module/cache.c): root of a user namespace
 * may configure its own netns (GENL_UNS_ADMIN_PERM), but within the flow
 * limit and hash size the host's admin allows other netns; the host's
 * admin (CAP_NET_ADMIN in the initial user namespace) is not bound by the
 * limit they set. Only they may set it, from the initial netns.
 */
static int fm_nl_check_limits(struct sk_buff *skb, struct genl_info *info,
			      const struct fm_cache_cfg *cc)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;

	if (tb[FM_A_NETNS_MAX_FLOWS] &&
	    (!net_eq(genl_info_net(info), &init_net) ||
	     !netlink_capable(skb, CAP_NET_ADMIN))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_NETNS_MAX_FLOWS],
				    "the netns flow limit is set from the initial netns, with CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	if (tb[FM_A_MAX_FLOWS] && cc->max_flows > READ_ONCE(fm_netns_max_flows)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_MAX_FLOWS],
				    "max flows above the netns flow limit (netns-max-flows, set by the host's admin)");
		return -ERANGE;
	}
	if (tb[FM_A_HASH_SIZE] && fm_cache_nbuckets(cc) > fm_netns_max_buckets()) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_HASH_SIZE],
				    "hash size above what the netns flow limit allows (netns-max-flows / CPUs buckets per CPU)");
		return -ERANGE;
	}
	return 0;
}

/* The mark filter of a request, if it has one, into *mark. */
static int fm_nl_get_mark(struct genl_info *info, u64 *mark)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	u32 value, mask;

	if (!tb[FM_A_MARK] && !tb[FM_A_MARK_MASK])
		return 0;
	if (!tb[FM_A_MARK] || !tb[FM_A_MARK_MASK]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_MARK] ?: tb[FM_A_MARK_MASK],
				    "the mark and its mask are set together");
		return -EINVAL;
	}
	value = nla_get_u32(tb[FM_A_MARK]);
	mask = nla_get_u32(tb[FM_A_MARK_MASK]);
	if (value & ~mask) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_MARK],
				    "the mark has bits outside its mask: no packet would match");
		return -EINVAL;
	}
	*mark = fm_mark_pack(value, mask);
	return 0;
}

static bool fm_nl_has_agg(struct nlattr **tb)
{
	return tb[FM_A_AGGREGATE] || tb[FM_A_AGG_SRC_PREFIX4] ||
	       tb[FM_A_AGG_DST_PREFIX4] || tb[FM_A_AGG_SRC_PREFIX6] ||
	       tb[FM_A_AGG_DST_PREFIX6] || tb[FM_A_AGG_DROP];
}

/*
 * The aggregation mask of a request over the one in use. On the main
 * cache (FM_AGGREGATE_MAIN), the packet path gets it in one store, and
 * the flows cached under the old mask end (as on a change of sampling):
 * no entry mixes packets of two masks. Beside it (FM_AGGREGATE_BESIDE),
 * it goes with *ac, allocated for the request, to the export side, whose
 * aggregates under another mask are sent on first; *ac is then what the
 * caller frees.
 */
static void fm_nl_set_agg(struct fm_net *fn, struct nlattr **tb,
			  struct fm_aggc **ac)
{
	struct fm_agg a = fn->agg_cfg, main;
	u64 v;

	BUILD_BUG_ON(FM_AGG_DROP_PORTS != FM_AGG_NO_PORTS ||
		     FM_AGG_DROP_IFS != FM_AGG_NO_IFS ||
		     FM_AGG_DROP_TOS != FM_AGG_NO_TOS ||
		     FM_AGG_DROP_PROTO != FM_AGG_NO_PROTO ||
		     FM_AGG_DROP_VLAN != FM_AGG_NO_VLAN);
	lockdep_assert_held(&fn->conf_lock);
	if (!fm_nl_has_agg(tb))
		return;
	fm_nl_get_u8(tb[FM_A_AGGREGATE], &a.on);
	fm_nl_get_u8(tb[FM_A_AGG_SRC_PREFIX4], &a.src4);
	fm_nl_get_u8(tb[FM_A_AGG_DST_PREFIX4], &a.dst4);
	fm_nl_get_u8(tb[FM_A_AGG_SRC_PREFIX6], &a.src6);
	fm_nl_get_u8(tb[FM_A_AGG_DST_PREFIX6], &a.dst6);
	if (tb[FM_A_AGG_DROP])	/* the policy keeps it to FM_AGG_NO_ALL */
		a.drop = nla_get_u32(tb[FM_A_AGG_DROP]);
	fn->agg_cfg = a;
	main = a;
	main.on = a.on == FM_AGGREGATE_MAIN;
	v = fm_agg_pack(&main);
	if (v != fn->agg) {
		WRITE_ONCE(fn->agg, v);
		fm_cache_flush(fn);
	}
	if (a.on == FM_AGGREGATE_BESIDE) {
		main.on = 1;
		fm_aggc_set_mask(*ac, fm_agg_pack(&main));
		*ac = fm_export_set_aggc(fn, *ac);
	} else {
		fm_aggc_free(fm_export_set_aggc(fn, NULL));
	}
}

/*
 * The kinds of extra fields a netns's records may carry, and which of
 * them exclude each other (fm_nl_check_kinds()):
 *  - an entry has one extension (cache_hot.h), a record one template:
 *    biflows, L2 fields and post-NAT fields exclude each other;
 *  - the templates have room for one kind of extra fields at the
 *    smallest MTU: routing fields exclude L2 and post-NAT fields;
 *  - an aggregate's addresses are prefixes, not hosts with a route, a
 *    MAC address, a translation each, and a mask may make a
 *    conversation's two ends one prefix: aggregation goes with none;
 *  - routing fields are looked up for one direction: not with biflows;
 *  - v5 has no field for a biflow's responder (IPFIX has RFC 5103's
 *    reverse fields, v9 OUT_BYTES/OUT_PKTS): biflows are refused while a
 *    v5 destination exists (FM_X_V5: switching biflows on, with one).
 * In the order they are checked, the first conflict's message is given,
 * on the request's attribute of the first kind, else the second's.
 */
enum { FM_X_ROUTING, FM_X_AGG, FM_X_L2, FM_X_BI, FM_X_V5, FM_X_NAT, FM_X_N };

static const struct {
	u8 a, b;
	const char *msg;
} fm_nl_excl[] = {
	{ FM_X_ROUTING, FM_X_AGG, "routing fields and aggregation exclude each other" },
	{ FM_X_L2, FM_X_ROUTING, "L2 fields exclude routing fields and aggregation" },
	{ FM_X_L2, FM_X_AGG, "L2 fields exclude routing fields and aggregation" },
	{ FM_X_BI, FM_X_AGG, "biflows and aggregation exclude each other" },
	{ FM_X_BI, FM_X_ROUTING, "biflows and routing fields exclude each other" },
	{ FM_X_BI, FM_X_L2, "biflows and L2 fields exclude each other" },
	{ FM_X_BI, FM_X_V5, "biflows need IPFIX or v9: a v5 destination has no reverse fields" },
	{ FM_X_NAT, FM_X_BI, "post-NAT fields and biflows exclude each other" },
	{ FM_X_NAT, FM_X_L2, "post-NAT fields and L2 fields exclude each other" },
	{ FM_X_NAT, FM_X_AGG, "post-NAT fields and aggregation exclude each other" },
	{ FM_X_NAT, FM_X_ROUTING, "post-NAT fields and routing fields exclude each other" },
};

/* The kinds as they will be after the request (cc: its cache settings). */
static int fm_nl_check_kinds(struct fm_net *fn, struct nlattr **tb,
			     const struct fm_cache_cfg *cc,
			     struct netlink_ext_ack *extack)
{
	struct nlattr *attr[FM_X_N] = {
		[FM_X_ROUTING] = tb[FM_A_ROUTING],
		[FM_X_AGG] = tb[FM_A_AGGREGATE],
		[FM_X_L2] = tb[FM_A_L2],
		[FM_X_BI] = tb[FM_A_BIFLOW],
		[FM_X_NAT] = tb[FM_A_POSTNAT],
	};
	bool on[FM_X_N] = {
		[FM_X_ROUTING] = fm_export_routing(fn),
		[FM_X_AGG] = fn->agg_cfg.on,
		[FM_X_L2] = cc->l2,
		[FM_X_BI] = fn->biflow,
		[FM_X_NAT] = cc->postnat,
	};
	unsigned int i;

	lockdep_assert_held(&fn->conf_lock);
	for (i = 0; i < FM_X_N; i++)
		if (attr[i])
			on[i] = nla_get_u8(attr[i]);
	on[FM_X_V5] = attr[FM_X_BI] && on[FM_X_BI] && fm_export_has_nf5(fn);
	for (i = 0; i < ARRAY_SIZE(fm_nl_excl); i++) {
		unsigned int x = fm_nl_excl[i].a, y = fm_nl_excl[i].b;

		if (on[x] && on[y]) {
			/* NL_SET_ERR_MSG_ATTR() wants a literal; these are */
			NL_SET_BAD_ATTR(extack, attr[x] ?: attr[y]);
			if (extack)
				extack->_msg = fm_nl_excl[i].msg;
			return -EINVAL;
		}
	}
	return 0;
}

/* Biflows on or off; as a change of aggregation, the cached flows end. */
static void fm_nl_set_biflow(struct fm_net *fn, struct nlattr *a)
{
	u8 on;

	lockdep_assert_held(&fn->conf_lock);
	if (!a)
		return;
	on = nla_get_u8(a);
	if (on == fn->biflow)
		return;
	WRITE_ONCE(fn->biflow, on);
	fm_cache_flush(fn);
}

/* All settings given, or, on any error, none. */
static int fm_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct nlattr *refresh = tb[FM_A_TEMPLATE_REFRESH] ?:
				 tb[FM_A_TEMPLATE_PACKETS];
	struct fm_iffilter_rcu *ff = NULL;
	struct fm_samplif_rcu *sr = NULL;
	struct fm_hashkey *hk = NULL;
	struct fm_record *route_buf = NULL, *sel_buf = NULL;
	struct fm_aggc *aggc = NULL;
	struct fm_nl_mtus mtus;
	struct nlattr *a;
	struct fm_export_cfg ec;
	struct fm_cache_cfg cc;
	struct fm_iffilter iff;
	struct fm_samplif sif;
	u32 hooks, old_hooks;
	bool nat_started = false;
	u64 mark = 0;
	int err;

	/* ctnetlink sends the events: loaded before the lock is taken */
	if (tb[FM_A_NAT_EVENTS] && nla_get_u8(tb[FM_A_NAT_EVENTS]))
		fm_nat_prepare();
	err = fm_nl_get_mark(info, &mark);
	if (err)
		return err;
	if (tb[FM_A_IFFILTER]) {
		err = fm_nl_get_iffilter(tb[FM_A_IFFILTER], &iff, extack);
		if (err)
			return err;
		ff = fm_iffilter_new(&iff);
		if (IS_ERR(ff))
			return PTR_ERR(ff);
	}
	if (tb[FM_A_SAMPLING_IFS]) {
		err = fm_nl_get_samplif(tb[FM_A_SAMPLING_IFS], &sif, extack);
		if (!err) {
			sr = fm_samplif_new(&sif);
			err = PTR_ERR_OR_ZERO(sr);
		}
		/* the records' selectors, while there are rates (export.c) */
		if (!err && sif.ifs.n) {
			sel_buf = fm_export_route_buf();
			if (!sel_buf)
				err = -ENOMEM;
		}
		if (err) {
			kfree(ff);
			if (!IS_ERR(sr))
				kfree(sr);
			kvfree(sel_buf);
			return err;
		}
	}
	if (tb[FM_A_SAMPLING_HASH_KEY]) {
		hk = fm_hashkey_new(nla_data(tb[FM_A_SAMPLING_HASH_KEY]));
		if (!hk) {
			kfree(ff);
			kfree(sr);
			kvfree(sel_buf);
			return -ENOMEM;
		}
	}
	/* its buffer now: setting the rate below cannot fail */
	a = tb[FM_A_FLOW_SAMPLING_RATE];
	if (a && fm_export_flow_sampling_prepare(fn, nla_get_u32(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no memory for flow sampling");
		kfree(ff);
		kfree(sr);
		kfree_sensitive(hk);
		return -ENOMEM;
	}

	if (tb[FM_A_ROUTING] && nla_get_u8(tb[FM_A_ROUTING])) {
		route_buf = fm_export_route_buf();
		if (!route_buf) {
			kfree(ff);
			kfree(sr);
			kvfree(sel_buf);
			kfree_sensitive(hk);
			return -ENOMEM;
		}
	}
	/* a table for an aggregation beside: installing it cannot fail */
	if (fm_nl_has_agg(tb)) {
		aggc = fm_aggc_new();
		if (!aggc) {
			kvfree(route_buf);
			kfree(ff);
			kfree(sr);
			kvfree(sel_buf);
			kfree_sensitive(hk);
			return -ENOMEM;
		}
	}

	mutex_lock(&fn->conf_lock);
	cc = *fm_cache_config(fn);
	fm_export_get_config(fn, &ec);
	hooks = fn->hook_mask;
	old_hooks = hooks;
	fm_nl_get_u32(tb[FM_A_ACTIVE_TIMEOUT], &cc.active_timeout);
	fm_nl_get_u32(tb[FM_A_INACTIVE_TIMEOUT], &cc.inactive_timeout);
	fm_nl_get_u32(tb[FM_A_MAX_FLOWS], &cc.max_flows);
	fm_nl_get_u32(tb[FM_A_HASH_SIZE], &cc.hash_size);
	fm_nl_get_u32(tb[FM_A_SAMPLING_RATE], &cc.sampling_rate);
	fm_nl_get_u8(tb[FM_A_SAMPLING_MODE], &cc.sampling_mode);
	fm_nl_get_u8(tb[FM_A_FLOWLABEL], &cc.flowlabel);
	fm_nl_get_u8(tb[FM_A_L2], &cc.l2);
	fm_nl_get_u8(tb[FM_A_POSTNAT], &cc.postnat);
	fm_nl_get_u32(tb[FM_A_HOOKS], &hooks);
	fm_nl_get_u32(tb[FM_A_TEMPLATE_REFRESH], &ec.refresh_sec);
	fm_nl_get_u32(tb[FM_A_TEMPLATE_PACKETS], &ec.refresh_msgs);
	fm_nl_get_u32(tb[FM_A_DOMAIN_ID], &ec.domain_id);
	fm_nl_get_u32(tb[FM_A_FLOW_SAMPLING_RATE], &ec.flow_sampling_rate);
	fm_nl_get_u8(tb[FM_A_FLOW_SAMPLING_MODE], &ec.flow_sampling_mode);

	err = fm_nl_check_limits(skb, info, &cc);
	if (err)
		goto out;
	err = fm_nl_check_kinds(fn, tb, &cc, extack);
	if (err)
		goto out;
	if (refresh && !ec.refresh_sec && !ec.refresh_msgs) {
		NL_SET_ERR_MSG_ATTR(extack, refresh,
				    "templates need a refresh: seconds or packets must be non-zero");
		err = -EINVAL;
		goto out;
	}

	/* The changes that can fail first, each undone if a later one does. */
	if (tb[FM_A_NAT_EVENTS] && nla_get_u8(tb[FM_A_NAT_EVENTS]) &&
	    !fm_nat_on(fn)) {
		err = fm_nat_start(fn, extack);
		if (err)
			goto out;
		nat_started = true;
	}
	if (tb[FM_A_MTU]) {
		err = fm_nl_set_mtu(fn, nla_get_u32(tb[FM_A_MTU]), &mtus, extack);
		if (err)
			goto out;
	}
	if (hooks != fn->hook_mask) {
		err = fm_nl_set_hooks(fn, hooks, extack);
		if (err) {
			if (tb[FM_A_MTU])
				fm_nl_mtus_restore(fn, &mtus, mtus.n);
			goto out;
		}
	}
	if (tb[FM_A_HASH_SIZE]) {
		err = fm_cache_resize(fn, &cc);
		if (err) {
			NL_SET_ERR_MSG_ATTR(extack, tb[FM_A_HASH_SIZE],
					    "no memory for a hash table of that size");
			if (hooks != old_hooks)
				fm_nl_set_hooks(fn, old_hooks, NULL);
			if (tb[FM_A_MTU])
				fm_nl_mtus_restore(fn, &mtus, mtus.n);
			goto out;
		}
	}
	if (refresh)
		fm_export_set_refresh(fn, ec.refresh_sec, ec.refresh_msgs, extack);
	if (tb[FM_A_DOMAIN_ID])
		fm_export_set_domain(fn, ec.domain_id, extack);
	if (tb[FM_A_FLOW_SAMPLING_RATE] || tb[FM_A_FLOW_SAMPLING_MODE])
		fm_export_set_flow_sampling(fn, ec.flow_sampling_rate,
					    ec.flow_sampling_mode);
	fm_nl_get_u32(tb[FM_A_TOP_N], &fn->top_n);
	fm_nl_get_u8(tb[FM_A_TOP_BY], &fn->top_by);
	fm_nl_get_u8(tb[FM_A_TOP_AGG], &fn->top_agg);
	fm_nl_get_u8(tb[FM_A_TOP_PREFIX4], &fn->top_plen4);
	fm_nl_get_u8(tb[FM_A_TOP_PREFIX6], &fn->top_plen6);
	if (tb[FM_A_NETNS_MAX_FLOWS])
		WRITE_ONCE(fm_netns_max_flows,
			   nla_get_u32(tb[FM_A_NETNS_MAX_FLOWS]));
	if (tb[FM_A_IFFILTER]) {
		fm_iffilter_install(fn, ff);
		ff = NULL;
	}
	if (tb[FM_A_MARK])
		WRITE_ONCE(fn->mark, mark);
	if (hk) {
		fm_hashkey_install(fn, hk);
		hk = NULL;
	}
	fm_cache_configure(fn, &cc);
	/* a new key selects other flows: as a change of rate, flows end */
	if (tb[FM_A_SAMPLING_HASH_KEY] && cc.sampling_mode == FM_SAMPLING_HASH)
		fm_cache_flush(fn);
	if (tb[FM_A_SAMPLING_IFS]) {
		/* as a change of the netns's rate: the cached flows end */
		fm_samplif_install(fn, sr);
		sr = NULL;
		sel_buf = fm_export_set_selectors(fn, sel_buf);
		fm_cache_flush(fn);
	}
	fm_nl_set_agg(fn, tb, &aggc);
	fm_nl_set_biflow(fn, tb[FM_A_BIFLOW]);
	if (tb[FM_A_ROUTING])
		route_buf = fm_export_set_routing(fn, route_buf);
	if (tb[FM_A_NAT_EVENTS] && !nla_get_u8(tb[FM_A_NAT_EVENTS]))
		fm_nat_stop(fn);
	err = 0;
out:
	if (err && nat_started)
		fm_nat_stop(fn);
	mutex_unlock(&fn->conf_lock);
	fm_aggc_free(aggc);
	kvfree(route_buf);
	kvfree(sel_buf);
	kfree(ff);
	kfree(sr);
	kfree_sensitive(hk);
	return err;
}

/* Counters */

static int fm_nl_fill_stats(struct sk_buff *msg, struct fm_net *fn)
{
	u64 v[FM_STAT_A_MAX + 1] = {};
	struct nlattr *nest;
	struct fm_export_nat_stats es;
	struct fm_nat_stats ns;
	struct fm_stats s;
	unsigned int pool, starving;
	int i;

	BUILD_BUG_ON(FM_STAT_A_PARSE_ERROR_TRUNCATED_L4 -
		     FM_STAT_A_PARSE_ERROR_TRUNCATED_L3 !=
		     FM_PERR_TRUNC_L4 - FM_PERR_TRUNC_L3);
	BUILD_BUG_ON(FM_STAT_A_FLOWS_EXPIRED_EVICTED -
		     FM_STAT_A_FLOWS_EXPIRED_IDLE !=
		     FM_END_RESOURCES - FM_END_IDLE);

	fm_stats_sum(fn, &s);
	v[FM_STAT_A_PACKETS_SEEN] = s.pkts_seen;
	v[FM_STAT_A_PACKETS_METERED] = s.pkts_metered;
	v[FM_STAT_A_BYTES_METERED] = s.bytes_metered;
	v[FM_STAT_A_PACKETS_FRAGMENT] = s.pkts_frag;
	v[FM_STAT_A_PACKETS_NO_L4] = s.pkts_no_l4;
	v[FM_STAT_A_PACKETS_SKIPPED_SAMPLING] = s.pkts_skipped;
	for (i = FM_PERR_TRUNC_L3; i <= FM_PERR_TRUNC_L4; i++)
		v[FM_STAT_A_PARSE_ERROR_TRUNCATED_L3 + i - FM_PERR_TRUNC_L3] =
			s.parse_err[i];
	v[FM_STAT_A_PARSE_ERROR_BAD_MPLS] = s.parse_err[FM_PERR_MPLS];
	v[FM_STAT_A_FLOWS_ACTIVE] = fm_cache_count(fn);
	v[FM_STAT_A_FLOWS_CREATED] = s.flows_created;
	for (i = FM_END_IDLE; i <= FM_END_RESOURCES; i++)
		v[FM_STAT_A_FLOWS_EXPIRED_IDLE + i - FM_END_IDLE] =
			s.flows_expired[i];
	v[FM_STAT_A_FLOWS_DROPPED_NOMEM] = s.flows_nomem;
	v[FM_STAT_A_FLOWS_DROPPED_FULL] = s.flows_dropped;
	v[FM_STAT_A_RECORDS_DROPPED] = s.records_dropped;
	v[FM_STAT_A_MEMORY_BYTES] = fm_cache_memory(fn);
	v[FM_STAT_A_PACKETS_FILTERED] = s.pkts_filtered;
	v[FM_STAT_A_PACKETS_DROPPED] = s.pkts_dropped;
	v[FM_STAT_A_FLOWS_MERGED] = s.flows_merged;
	v[FM_STAT_A_MERGE_INCOMPLETE] = s.merge_incomplete;
	v[FM_STAT_A_PACKETS_FILTERED_MARK] = s.pkts_filtered_mark;
	fm_cache_budget(fn, &pool, &starving);
	v[FM_STAT_A_BUDGET_POOL] = pool;
	v[FM_STAT_A_BUDGET_STARVING] = starving;
	fm_export_records_stats(fn, &v[FM_STAT_A_RECORDS_OBSERVED],
				&v[FM_STAT_A_RECORDS_SELECTED]);
	fm_nat_get_stats(fn, &ns);
	fm_export_nat_stats(fn, &es);
	v[FM_STAT_A_NAT_EVENTS_CREATED] = ns.created;
	v[FM_STAT_A_NAT_EVENTS_DELETED] = ns.deleted;
	v[FM_STAT_A_NAT_EVENTS_DROPPED] = ns.dropped;
	v[FM_STAT_A_NAT_EVENTS_OVERRUNS] = ns.overruns;
	v[FM_STAT_A_NAT_EVENTS_SKIPPED] = ns.skipped;
	v[FM_STAT_A_NAT_EVENTS_MALFORMED] = ns.malformed;
	v[FM_STAT_A_NAT_EVENTS_SENT] = es.sent;
	v[FM_STAT_A_NAT_EVENTS_LOST] = es.lost;
	v[FM_STAT_A_NAT_EVENTS_NO_DEST] = es.no_dest;
	v[FM_STAT_A_NAT_CONNTRACK_EVENTS] = ns.ct_events;
	v[FM_STAT_A_NAT_CONNTRACK_SOURCE] = ns.ct_source;

	nest = nla_nest_start(msg, FM_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = FM_STAT_A_PACKETS_SEEN; i <= FM_STAT_A_MAX; i++)
		if (nla_put_u64_64bit(msg, i, v[i], FM_STAT_A_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int fm_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return fm_nl_reply(info, NLMSG_GOODSIZE, fm_nl_fill_stats);
}

static int fm_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	int err;

	mutex_lock(&fn->conf_lock);
	err = fm_cache_flush(fn);
	mutex_unlock(&fn->conf_lock);
	/* the records are handed over: the flush ends when they are sent */
	if (!err)
		fm_export_flush(fn);
	return err;
}

/* The AS table, loaded by one socket over several requests (route.c). */
static int fm_nl_asn_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	u32 n4 = 0, n6 = 0;
	int err;

	fm_nl_get_u32(tb[FM_A_ASN_COUNT4], &n4);
	fm_nl_get_u32(tb[FM_A_ASN_COUNT6], &n6);
	mutex_lock(&fn->conf_lock);
	err = fm_asn_begin(fn, info->snd_portid, n4, n6, info->extack);
	mutex_unlock(&fn->conf_lock);
	return err;
}

static int fm_nl_asn_add(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	int err;

	mutex_lock(&fn->conf_lock);
	err = fm_asn_add(fn, info->snd_portid, tb[FM_A_ASN_RANGES4],
			 tb[FM_A_ASN_RANGES6], info->extack);
	mutex_unlock(&fn->conf_lock);
	return err;
}

static int fm_nl_asn_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	int err;

	mutex_lock(&fn->conf_lock);
	err = fm_asn_commit(fn, info->snd_portid, info->extack);
	mutex_unlock(&fn->conf_lock);
	return err;
}

/*
 * Every op needs CAP_NET_ADMIN in the user namespace that owns the netns,
 * as ctnetlink: the readers too, since flows are other users' 5-tuples and
 * the destinations and config say where they are sent (/proc/net/flowmeter
 * is 0400 for the same reason). The genetlink core refuses with EPERM and
 * no extack message before any of these handlers runs.
 */
static const struct genl_ops fm_nl_ops[] = {
	{
		.cmd = FM_CMD_GET_CONFIG,
		.doit = fm_nl_get_config,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_SET_CONFIG,
		.doit = fm_nl_set_config,
		.policy = fm_nl_config_policy,
		.maxattr = ARRAY_SIZE(fm_nl_config_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_ADD_DEST,
		.doit = fm_nl_add_dest,
		.policy = fm_nl_add_dest_policy,
		.maxattr = ARRAY_SIZE(fm_nl_add_dest_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_DEL_DEST,
		.doit = fm_nl_del_dest,
		.policy = fm_nl_del_dest_policy,
		.maxattr = ARRAY_SIZE(fm_nl_del_dest_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_GET_DESTS,
		.dumpit = fm_nl_get_dests,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_GET_STATS,
		.doit = fm_nl_get_stats,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_GET_FLOWS,
		.dumpit = fm_nl_flows_dump,
		.policy = fm_nl_flows_policy,
		.maxattr = ARRAY_SIZE(fm_nl_flows_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_GET_TOP,
		.doit = fm_nl_top,
		.policy = fm_nl_top_policy,
		.maxattr = ARRAY_SIZE(fm_nl_top_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_FLUSH,
		.doit = fm_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_ASN_BEGIN,
		.doit = fm_nl_asn_begin,
		.policy = fm_nl_asn_begin_policy,
		.maxattr = ARRAY_SIZE(fm_nl_asn_begin_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_ASN_ADD,
		.doit = fm_nl_asn_add,
		.policy = fm_nl_asn_add_policy,
		.maxattr = ARRAY_SIZE(fm_nl_asn_add_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = FM_CMD_ASN_COMMIT,
		.doit = fm_nl_asn_commit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

struct genl_family fm_nl_family __ro_after_init = {
	.name = FM_GENL_NAME,
	.version = FM_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = fm_nl_ops,
	.n_ops = ARRAY_SIZE(fm_nl_ops),
};

int fm_netlink_init(void)
{
	return genl_register_family(&fm_nl_family);
}

void fm_netlink_exit(void)
{
	genl_unregister_family(&fm_nl_family);
}
