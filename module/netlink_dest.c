// SPDX-License-Identifier: GPL-2.0
/*
 * The export destinations' commands of the "flowmeter" family: add, delete
 * and list the netns's collectors (export_cfg.c keeps them). Checked as
 * netlink.c's commands are: the policies refuse what they can, the rest
 * is checked here before anything changes, with an extack message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/sock.h>

#include "enc.h"
#include "export.h"
#include "hashsel.h"
#include "netlink.h"

static struct netlink_range_validation fm_nl_dest_mtu_range = {
	.min = 0,		/* the default */
	.max = FM_MTU_MAX,
};

/* The counters are read-only: left out, so refused. */
static const struct nla_policy fm_nl_dest_policy[FM_DEST_A_MAX + 1] = {
	[FM_DEST_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_DEST_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[FM_DEST_A_VERSION] = NLA_POLICY_RANGE(NLA_U8, FM_ENC_NF5, FM_ENC_IPFIX),
	[FM_DEST_A_SRC_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_DEST_A_SRC_PORT] = { .type = NLA_U16 },
	[FM_DEST_A_DSCP] = NLA_POLICY_MAX(NLA_U8, 63),
	[FM_DEST_A_MTU] = NLA_POLICY_FULL_RANGE(NLA_U32, &fm_nl_dest_mtu_range),
	/* Any length here, so that fm_nl_dest_ifname() says what is wrong. */
	[FM_DEST_A_IFNAME] = { .type = NLA_NUL_STRING },
	[FM_DEST_A_ANON_SRC4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_DEST_A_ANON_DST4] = NLA_POLICY_MAX(NLA_U8, 32),
	[FM_DEST_A_ANON_SRC6] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_DEST_A_ANON_DST6] = NLA_POLICY_MAX(NLA_U8, 128),
	[FM_DEST_A_ANON_KEYED] = NLA_POLICY_MASK(NLA_U8, FM_ANON_KEYED_ALL),
	[FM_DEST_A_ANON_KEY] = NLA_POLICY_EXACT_LEN(FM_ANON_KEY_LEN),
	[FM_DEST_A_AGGREGATES] = NLA_POLICY_MAX(NLA_U8, 1),
};

static_assert(FM_DEST_ANON_KEYED_SRC == FM_ANON_KEYED_SRC);
static_assert(FM_DEST_ANON_KEYED_DST == FM_ANON_KEYED_DST);

/* A destination to delete is named by its address and port only. */
static const struct nla_policy fm_nl_dest_key_policy[FM_DEST_A_PORT + 1] = {
	[FM_DEST_A_ADDR] = NLA_POLICY_RANGE(NLA_BINARY, 4, 16),
	[FM_DEST_A_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy fm_nl_add_dest_policy[FM_A_DEST + 1] = {
	[FM_A_DEST] = NLA_POLICY_NESTED(fm_nl_dest_policy),
};

const struct nla_policy fm_nl_del_dest_policy[FM_A_DEST + 1] = {
	[FM_A_DEST] = NLA_POLICY_NESTED(fm_nl_dest_key_policy),
};

static void fm_nl_sockaddr(union fm_sockaddr *sa, u8 family, const u8 *addr,
			   u16 port)
{
	memset(sa, 0, sizeof(*sa));
	if (family == 4) {
		sa->in4.sin_family = AF_INET;
		memcpy(&sa->in4.sin_addr, addr, 4);
		sa->in4.sin_port = htons(port);
	} else {
		sa->in6.sin6_family = AF_INET6;
		memcpy(&sa->in6.sin6_addr, addr, 16);
		sa->in6.sin6_port = htons(port);
	}
}

/* The collector's address and port: both required. */
static int fm_nl_dest_addr(struct nlattr *nest, struct nlattr **tb,
			   union fm_sockaddr *sa, u8 *family,
			   struct netlink_ext_ack *extack)
{
	u8 addr[16];
	int err;

	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FM_DEST_A_ADDR)) {
		NL_SET_ERR_MSG_MOD(extack, "destination address missing");
		return -EINVAL;
	}
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FM_DEST_A_PORT)) {
		NL_SET_ERR_MSG_MOD(extack, "destination port missing");
		return -EINVAL;
	}
	*family = 0;
	err = fm_nl_get_addr(tb[FM_DEST_A_ADDR], family, addr, extack);
	if (err)
		return err;
	fm_nl_sockaddr(sa, *family, addr, nla_get_u16(tb[FM_DEST_A_PORT]));
	return 0;
}

static int fm_nl_dest_ifname(const struct nlattr *nla, char *name,
			     struct netlink_ext_ack *extack)
{
	/* The policy made it a NUL-terminated string, maybe empty. */
	if (!*(const char *)nla_data(nla)) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "device name is empty");
		return -EINVAL;
	}
	if (nla_strscpy(name, nla, IFNAMSIZ) < 0) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "device name too long");
		return -EINVAL;
	}
	return 0;
}

int fm_nl_add_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[FM_A_DEST];
	struct nlattr *tb[FM_DEST_A_MAX + 1];
	struct fm_dest_cfg cfg = {};
	u8 family, src_family = 0;
	u8 src[16] = {};
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FM_A_DEST)) {
		NL_SET_ERR_MSG_MOD(extack, "destination missing");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, FM_DEST_A_MAX, nest, fm_nl_dest_policy,
			       extack);
	if (err)
		return err;
	err = fm_nl_dest_addr(nest, tb, &cfg.addr, &family, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, FM_DEST_A_VERSION)) {
		NL_SET_ERR_MSG_MOD(extack, "export version missing");
		return -EINVAL;
	}
	cfg.version = nla_get_u8(tb[FM_DEST_A_VERSION]);
	fm_anon_init(&cfg.anon);
	fm_nl_get_u8(tb[FM_DEST_A_ANON_SRC4], &cfg.anon.src4);
	fm_nl_get_u8(tb[FM_DEST_A_ANON_DST4], &cfg.anon.dst4);
	fm_nl_get_u8(tb[FM_DEST_A_ANON_SRC6], &cfg.anon.src6);
	fm_nl_get_u8(tb[FM_DEST_A_ANON_DST6], &cfg.anon.dst6);
	fm_nl_get_u8(tb[FM_DEST_A_ANON_KEYED], &cfg.anon.keyed);
	fm_nl_get_u8(tb[FM_DEST_A_AGGREGATES], &cfg.aggregates);
	if (tb[FM_DEST_A_ANON_KEY] && !cfg.anon.keyed) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_DEST_A_ANON_KEY],
				    "anonymisation key without keyed source or destination");
		return -EINVAL;
	}
	if (tb[FM_DEST_A_SRC_ADDR]) {
		err = fm_nl_get_addr(tb[FM_DEST_A_SRC_ADDR], &src_family, src,
				     extack);
		if (err)
			return err;
	} else if (tb[FM_DEST_A_SRC_PORT]) {
		src_family = family;	/* any address, this port */
	}
	if (src_family)
		fm_nl_sockaddr(&cfg.src, src_family, src,
			       tb[FM_DEST_A_SRC_PORT] ?
			       nla_get_u16(tb[FM_DEST_A_SRC_PORT]) : 0);
	fm_nl_get_u8(tb[FM_DEST_A_DSCP], &cfg.dscp);
	if (tb[FM_DEST_A_MTU])
		cfg.mtu = nla_get_u32(tb[FM_DEST_A_MTU]);
	if (tb[FM_DEST_A_IFNAME]) {
		err = fm_nl_dest_ifname(tb[FM_DEST_A_IFNAME], cfg.ifname,
					extack);
		if (err)
			return err;
	}

	/*
	 * Without a key each destination gets its own random one: no other
	 * exporter or destination maps alike, and no one can learn it.
	 */
	if (tb[FM_DEST_A_ANON_KEY])
		fm_hashsel_key(nla_data(tb[FM_DEST_A_ANON_KEY]),
			       &cfg.anon.key);
	else if (cfg.anon.keyed)
		get_random_bytes(&cfg.anon.key, sizeof(cfg.anon.key));

	mutex_lock(&fn->conf_lock);
	if (fn->biflow && cfg.version == FM_ENC_NF5) {
		NL_SET_ERR_MSG_ATTR(extack, tb[FM_DEST_A_VERSION],
				    "biflows are on: v5 has no field for their reverse direction");
		err = -EINVAL;
	} else {
		err = fm_export_dest_add(fn, &cfg, extack);
	}
	mutex_unlock(&fn->conf_lock);
	memzero_explicit(&cfg.anon.key, sizeof(cfg.anon.key));
	return err;
}

int fm_nl_del_dest(struct sk_buff *skb, struct genl_info *info)
{
	struct fm_net *fn = fm_pernet(genl_info_net(info));
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *nest = info->attrs[FM_A_DEST];
	struct nlattr *tb[ARRAY_SIZE(fm_nl_dest_key_policy)];
	union fm_sockaddr addr;
	u8 family;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, FM_A_DEST)) {
		NL_SET_ERR_MSG_MOD(extack, "destination missing");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, ARRAY_SIZE(tb) - 1, nest,
			       fm_nl_dest_key_policy, extack);
	if (err)
		return err;
	err = fm_nl_dest_addr(nest, tb, &addr, &family, extack);
	if (err)
		return err;
	mutex_lock(&fn->conf_lock);
	err = fm_export_dest_del(fn, &addr, extack);
	mutex_unlock(&fn->conf_lock);
	return err;
}

static int fm_nl_put_sockaddr(struct sk_buff *skb, int addr_type,
			      int port_type, const union fm_sockaddr *sa)
{
	if (sa->sa.sa_family == AF_INET)
		return nla_put_in_addr(skb, addr_type, sa->in4.sin_addr.s_addr) ||
		       nla_put_u16(skb, port_type, ntohs(sa->in4.sin_port));
	return nla_put_in6_addr(skb, addr_type, &sa->in6.sin6_addr) ||
	       nla_put_u16(skb, port_type, ntohs(sa->in6.sin6_port));
}

static int fm_nl_put_dest(struct sk_buff *skb, const struct fm_dest_info *di)
{
	const struct fm_dest_stats *st = &di->stats;
	const struct fm_dest_cfg *c = &di->cfg;
	struct nlattr *nest;

	nest = nla_nest_start(skb, FM_A_DEST);
	if (!nest)
		return -EMSGSIZE;
	if (fm_nl_put_sockaddr(skb, FM_DEST_A_ADDR, FM_DEST_A_PORT, &c->addr) ||
	    (c->src.sa.sa_family != AF_UNSPEC &&
	     fm_nl_put_sockaddr(skb, FM_DEST_A_SRC_ADDR, FM_DEST_A_SRC_PORT,
				&c->src)) ||
	    nla_put_u8(skb, FM_DEST_A_VERSION, c->version) ||
	    nla_put_u8(skb, FM_DEST_A_DSCP, c->dscp) ||
	    nla_put_u32(skb, FM_DEST_A_MTU, c->mtu) ||
	    nla_put_u8(skb, FM_DEST_A_ANON_SRC4, c->anon.src4) ||
	    nla_put_u8(skb, FM_DEST_A_ANON_DST4, c->anon.dst4) ||
	    nla_put_u8(skb, FM_DEST_A_ANON_SRC6, c->anon.src6) ||
	    nla_put_u8(skb, FM_DEST_A_ANON_DST6, c->anon.dst6) ||
	    nla_put_u8(skb, FM_DEST_A_ANON_KEYED, c->anon.keyed) ||
	    nla_put_u8(skb, FM_DEST_A_AGGREGATES, c->aggregates) ||
	    (c->ifindex &&
	     nla_put_u32(skb, FM_DEST_A_IFINDEX, c->ifindex)) ||
	    (c->ifname[0] &&
	     nla_put_string(skb, FM_DEST_A_IFNAME, c->ifname)) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_PACKETS, st->packets, FM_DEST_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_BYTES, st->bytes, FM_DEST_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_RECORDS, st->records, FM_DEST_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_REFUSED, st->refused, FM_DEST_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_NOT_SENT, st->not_sent, FM_DEST_A_PAD) ||
	    nla_put_u64_64bit(skb, FM_DEST_A_ERRORS, st->errors, FM_DEST_A_PAD) ||
	    nla_put_u32(skb, FM_DEST_A_LAST_ERROR, st->last_error)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

struct fm_nl_dests_walk {
	struct sk_buff *skb;
	struct netlink_callback *cb;
};

static int fm_nl_dest_dump_one(const struct fm_dest_info *di, void *arg)
{
	struct fm_nl_dests_walk *w = arg;
	void *hdr;

	hdr = genlmsg_put(w->skb, NETLINK_CB(w->cb->skb).portid,
			  w->cb->nlh->nlmsg_seq, &fm_nl_family, NLM_F_MULTI,
			  FM_CMD_GET_DESTS);
	if (!hdr)
		return -EMSGSIZE;
	if (fm_nl_put_dest(w->skb, di)) {
		genlmsg_cancel(w->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(w->skb, hdr);
	return 0;
}

/* cb->ctx: the position of the next destination to dump. */
int fm_nl_get_dests(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fm_net *fn = fm_pernet(sock_net(skb->sk));
	unsigned int *pos = (unsigned int *)cb->ctx;
	struct fm_nl_dests_walk w = { .skb = skb, .cb = cb };

	fm_export_dest_walk(fn, pos, fm_nl_dest_dump_one, &w);
	return skb->len;
}
