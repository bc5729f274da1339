// SPDX-License-Identifier: GPL-2.0
/*
 * NAT event logging (RFC 8158): NAT44 and NAT66 session create and delete
 * events, taken from conntrack and exported as records of their own.
 *
 * Where the events come from. Conntrack has exactly one event notifier
 * per netns (net->ct.nf_conntrack_event_cb: nf_conntrack_register_notifier()
 * WARNs if one is set and replaces it), and ctnetlink
 * (nf_conntrack_netlink) takes it in its pernet init. A module that set
 * its own would break `conntrack -E`, conntrackd and every other event
 * listener, or be broken by them. So we listen as they do: a kernel
 * netlink socket in the netns (NETLINK_NETFILTER), bound to the groups
 * NFNLGRP_CONNTRACK_NEW and NFNLGRP_CONNTRACK_DESTROY, receives the
 * messages ctnetlink broadcasts to all its listeners; ours is one more.
 *
 * What runs where. ctnetlink builds one message per event in conntrack's
 * context (its allocation, not ours) and netlink_broadcast() clones it into
 * every listener's receive queue. Ours is bounded by its receive buffer
 * (nat_rcvbuf); our part in that context is fm_nat_data_ready(): one
 * queue_work(), which after the first event of a burst is one test of the
 * work's pending bit. No allocation, no lock of ours. The work (process
 * context) reads the queue, parses each message (strict lengths, as any
 * netlink input), turns it into a struct fm_nat_event and hands batches to
 * export (fm_export_nat()), which sends them to the netns's IPFIX and v9
 * destinations with the flow records.
 *
 * Nothing is lost silently. When the queue is full netlink drops the
 * message and counts it in the socket's sk_drops (netlink_overrun()),
 * which flowctl stats shows as nat_events_dropped; it also reports
 * ENOBUFS once (counted as an overrun) and delivers nothing more until
 * the queue has been read empty. Collectors learn it too: when the work
 * has read the queue empty and sk_drops has grown, it sends the new total
 * in an options record (FM_TMPL_NAT_LOST). A message that does not parse
 * is counted as malformed. Events of sessions without address or port
 * translation are counted as skipped.
 *
 * Where conntrack's events come from: nf_conntrack_netlink. Turning NAT
 * events on loads it; nothing of ours pins it (it exports no symbol to
 * hold it by, and a netlink listener holds no reference on it), so it can
 * be unloaded while events are on. Our socket then simply receives
 * nothing: no crash, but no events either, and that is never silent:
 * flowctl stats shows nat_conntrack_source 0 (and 1 again). Loaded
 * again, it registers its notifier again and the events flow to the same
 * socket, still bound to the groups.
 *
 * Lifetime. A kernel socket holds no reference on its netns: it goes when
 * NAT events are switched off and in the netns's .pre_exit. Once
 * sock_release() returns no broadcast can reach it (netlink_release()
 * takes netlink_table_grab(), which waits for every broadcast's
 * netlink_lock_table()), so fm_nat_data_ready() no longer runs; the work
 * finds the socket gone under nat->lock and stops, and
 * cancel_work_sync() waits for it before the memory goes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kmod.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "enc.h"
#include "flowmeter.h"
#include "natev.h"

/*
 * The receive queue: 4 MiB of skbs (sock_set_rcvbuf() doubles it), about
 * 4000 events of 1 KiB truesize each, tens of milliseconds of a busy
 * CGNAT's churn, which the work drains in far less. A parameter, read
 * when events are switched on: an operator with bursts beyond it can
 * grow it, and the tests shrink it to make events drop for real.
 */
static unsigned int fm_nat_rcvbuf = 2 << 20;
module_param_named(nat_rcvbuf, fm_nat_rcvbuf, uint, 0644);
MODULE_PARM_DESC(nat_rcvbuf, "NAT events: receive queue of conntrack's events per netns, bytes, doubled by the kernel (default 2097152; small values are raised to the kernel's minimum), taken when events are switched on");

#define FM_NAT_BUF	4096	/* one message: an event's is < 1 KiB */
#define FM_NAT_BATCH	64	/* events handed to export at once */
#define FM_NAT_BUDGET	1024	/* messages a run, then the work requeues */

struct fm_nat {
	struct fm_net *fn;
	struct mutex lock;		/* sock, and the work's run */
	struct socket *sock;		/* NULL: switched off */
	struct work_struct work;
	u8 buf[FM_NAT_BUF];
	struct fm_nat_event ev[FM_NAT_BATCH];
	unsigned int n;			/* events in ev[] */
	/* written by the work only, under lock; read by stats */
	u64 created, deleted, overruns, skipped, malformed;
	u64 lost_sent;			/* the last total sent to collectors */
};

/* One direction of a conntrack entry, as ctnetlink dumps it. */
struct fm_nat_tuple {
	union fm_nat_addr src, dst;
	__be16 sport, dport;	/* ICMP: the id; type * 256 + code */
	u8 proto;
	bool v6;
};

static const struct nla_policy fm_nat_ct_policy[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = { .type = NLA_NESTED },
	[CTA_TUPLE_REPLY] = { .type = NLA_NESTED },
	[CTA_TIMESTAMP] = { .type = NLA_NESTED },
};

static const struct nla_policy fm_nat_tuple_policy[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = { .type = NLA_NESTED },
	[CTA_TUPLE_PROTO] = { .type = NLA_NESTED },
};

static const struct nla_policy fm_nat_ip_policy[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = { .type = NLA_U32 },
	[CTA_IP_V4_DST] = { .type = NLA_U32 },
	[CTA_IP_V6_SRC] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[CTA_IP_V6_DST] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
};

static const struct nla_policy fm_nat_proto_policy[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = { .type = NLA_U8 },
	[CTA_PROTO_SRC_PORT] = { .type = NLA_U16 },
	[CTA_PROTO_DST_PORT] = { .type = NLA_U16 },
	[CTA_PROTO_ICMP_ID] = { .type = NLA_U16 },
	[CTA_PROTO_ICMP_TYPE] = { .type = NLA_U8 },
	[CTA_PROTO_ICMP_CODE] = { .type = NLA_U8 },
	[CTA_PROTO_ICMPV6_ID] = { .type = NLA_U16 },
	[CTA_PROTO_ICMPV6_TYPE] = { .type = NLA_U8 },
	[CTA_PROTO_ICMPV6_CODE] = { .type = NLA_U8 },
};

static const struct nla_policy fm_nat_ts_policy[CTA_TIMESTAMP_MAX + 1] = {
	[CTA_TIMESTAMP_START] = { .type = NLA_U64 },
	[CTA_TIMESTAMP_STOP] = { .type = NLA_U64 },
};

/* The ICMP or ICMPv6 attributes: the id, type * 256 + code. */
static void fm_nat_icmp(struct fm_nat_tuple *t, struct nlattr *id,
			struct nlattr *type, struct nlattr *code)
{
	if (id)
		t->sport = nla_get_be16(id);
	if (type && code)
		t->dport = htons(nla_get_u8(type) << 8 | nla_get_u8(code));
}

/* -EAFNOSUPPORT: neither IPv4 nor IPv6; -EINVAL: malformed. */
static int fm_nat_tuple(const struct nlattr *nla, struct fm_nat_tuple *t)
{
	struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	struct nlattr *pr[CTA_PROTO_MAX + 1];

	if (!nla || nla_parse_nested_deprecated(tb, CTA_TUPLE_MAX, nla,
						fm_nat_tuple_policy, NULL) ||
	    !tb[CTA_TUPLE_IP] || !tb[CTA_TUPLE_PROTO] ||
	    nla_parse_nested_deprecated(ip, CTA_IP_MAX, tb[CTA_TUPLE_IP],
					fm_nat_ip_policy, NULL) ||
	    nla_parse_nested_deprecated(pr, CTA_PROTO_MAX, tb[CTA_TUPLE_PROTO],
					fm_nat_proto_policy, NULL) ||
	    !pr[CTA_PROTO_NUM])
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	if (ip[CTA_IP_V4_SRC] && ip[CTA_IP_V4_DST]) {
		t->src.v4 = nla_get_in_addr(ip[CTA_IP_V4_SRC]);
		t->dst.v4 = nla_get_in_addr(ip[CTA_IP_V4_DST]);
	} else if (ip[CTA_IP_V6_SRC] && ip[CTA_IP_V6_DST]) {
		t->src.v6 = nla_get_in6_addr(ip[CTA_IP_V6_SRC]);
		t->dst.v6 = nla_get_in6_addr(ip[CTA_IP_V6_DST]);
		t->v6 = true;
	} else {
		return -EAFNOSUPPORT;
	}
	t->proto = nla_get_u8(pr[CTA_PROTO_NUM]);
	if (t->proto == IPPROTO_ICMP) {
		fm_nat_icmp(t, pr[CTA_PROTO_ICMP_ID], pr[CTA_PROTO_ICMP_TYPE],
			    pr[CTA_PROTO_ICMP_CODE]);
		return 0;
	}
	if (t->proto == IPPROTO_ICMPV6) {
		fm_nat_icmp(t, pr[CTA_PROTO_ICMPV6_ID], pr[CTA_PROTO_ICMPV6_TYPE],
			    pr[CTA_PROTO_ICMPV6_CODE]);
		return 0;
	}
	/* protocols without ports (GRE, ESP...): 0, as in flow records */
	if (pr[CTA_PROTO_SRC_PORT])
		t->sport = nla_get_be16(pr[CTA_PROTO_SRC_PORT]);
	if (pr[CTA_PROTO_DST_PORT])
		t->dport = nla_get_be16(pr[CTA_PROTO_DST_PORT]);
	return 0;
}

/* When conntrack stamped the end (nf_conntrack_timestamp on), else now. */
static u64 fm_nat_time_ms(const struct nlattr *ts, bool delete)
{
	struct nlattr *tb[CTA_TIMESTAMP_MAX + 1];
	u64 ns = 0;

	if (delete && ts &&
	    !nla_parse_nested_deprecated(tb, CTA_TIMESTAMP_MAX, ts,
					 fm_nat_ts_policy, NULL) &&
	    tb[CTA_TIMESTAMP_STOP])
		ns = be64_to_cpu(nla_get_be64(tb[CTA_TIMESTAMP_STOP]));
	if (!ns)
		ns = ktime_get_real_ns();
	return div_u64(ns, NSEC_PER_MSEC);
}

static void fm_nat_flush(struct fm_nat *nat)
{
	if (!nat->n)
		return;
	fm_export_nat(nat->fn, nat->ev, nat->n);
	nat->n = 0;
}

/*
 * One ctnetlink message into ev[]. The original direction is the session
 * as the inside host opened it; the reply direction is what the outside
 * sees, swapped: its destination is the post-NAT source.
 */
static void fm_nat_msg(struct fm_nat *nat, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTA_MAX + 1];
	struct fm_nat_tuple o, r;
	struct fm_nat_event *e;
	const struct nfgenmsg *nfg;
	bool delete, icmp;
	u16 type;
	int err;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK)
		goto bad;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE)
		goto bad;
	delete = type == IPCTNL_MSG_CT_DELETE;
	if (nlmsg_len(nlh) < (int)sizeof(*nfg))
		goto bad;
	nfg = nlmsg_data(nlh);
	if (nfg->nfgen_family != AF_INET && nfg->nfgen_family != AF_INET6) {
		WRITE_ONCE(nat->skipped, nat->skipped + 1);
		return;
	}
	if (nlmsg_parse_deprecated(nlh, sizeof(*nfg), tb, CTA_MAX,
				   fm_nat_ct_policy, NULL))
		goto bad;
	err = fm_nat_tuple(tb[CTA_TUPLE_ORIG], &o);
	if (!err)
		err = fm_nat_tuple(tb[CTA_TUPLE_REPLY], &r);
	if (err == -EAFNOSUPPORT) {
		WRITE_ONCE(nat->skipped, nat->skipped + 1);
		return;
	}
	if (err || o.proto != r.proto || o.v6 != r.v6 ||
	    o.v6 != (nfg->nfgen_family == AF_INET6))
		goto bad;

	e = &nat->ev[nat->n];
	icmp = o.proto == IPPROTO_ICMP || o.proto == IPPROTO_ICMPV6;
	e->v6 = o.v6;
	e->saddr = o.src;
	e->daddr = o.dst;
	e->sport = o.sport;
	e->dport = o.dport;
	e->xsaddr = r.dst;
	e->xdaddr = r.src;
	/* ICMP: the id is the reply's too; type and code are the request's */
	e->xsport = icmp ? r.sport : r.dport;
	e->xdport = icmp ? o.dport : r.sport;
	/* the unused bytes of v4 ones are 0 (fm_nat_tuple()) */
	if (!memcmp(&e->saddr, &e->xsaddr, sizeof(e->saddr)) &&
	    !memcmp(&e->daddr, &e->xdaddr, sizeof(e->daddr)) &&
	    e->sport == e->xsport && e->dport == e->xdport) {
		WRITE_ONCE(nat->skipped, nat->skipped + 1);
		return;
	}
	e->proto = o.proto;
	if (e->v6)	/* enc.h: why NAT66 has these codes */
		e->event = delete ? FM_NAT6_DELETE : FM_NAT6_CREATE;
	else
		e->event = delete ? FM_NAT_DELETE : FM_NAT_CREATE;
	/*
	 * ingressVRFID: ctnetlink's event names no interface, so the VRF
	 * a session entered by is not known here: 0, "no VRF".
	 */
	e->vrf = 0;
	e->time_ms = fm_nat_time_ms(tb[CTA_TIMESTAMP], delete);
	if (delete)
		WRITE_ONCE(nat->deleted, nat->deleted + 1);
	else
		WRITE_ONCE(nat->created, nat->created + 1);
	if (++nat->n == FM_NAT_BATCH)
		fm_nat_flush(nat);
	return;
bad:
	WRITE_ONCE(nat->malformed, nat->malformed + 1);
}

/*
 * Tell the collectors the total of events lost, when it grew. After the
 * queue was read: a drop needs a full queue, whose messages bring the
 * work back, so the last drop of a burst is reported too.
 */
static void fm_nat_report_lost(struct fm_nat *nat)
{
	u64 lost = (u32)atomic_read(&nat->sock->sk->sk_drops);

	if (lost == nat->lost_sent)
		return;
	nat->lost_sent = lost;
	fm_export_nat_lost(nat->fn, lost, div_u64(ktime_get_real_ns(),
						  NSEC_PER_MSEC));
}

/* Read the queue; *left: messages this run may still take. */
static void fm_nat_drain(struct fm_nat *nat, unsigned int *left)
{
	const struct nlmsghdr *nlh;
	struct msghdr msg;
	struct kvec iov;
	int len;

	lockdep_assert_held(&nat->lock);
	while (*left) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = nat->buf;
		iov.iov_len = sizeof(nat->buf);
		len = kernel_recvmsg(nat->sock, &msg, &iov, 1, sizeof(nat->buf),
				     MSG_DONTWAIT);
		if (len == -ENOBUFS) {	/* the drops are in sk_drops */
			WRITE_ONCE(nat->overruns, nat->overruns + 1);
			continue;
		}
		if (len < 0)
			break;		/* -EAGAIN: read empty */
		(*left)--;
		if (msg.msg_flags & MSG_TRUNC) {
			WRITE_ONCE(nat->malformed, nat->malformed + 1);
			continue;
		}
		for (nlh = (const struct nlmsghdr *)nat->buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len))
			fm_nat_msg(nat, nlh);
	}
	fm_nat_flush(nat);
	fm_nat_report_lost(nat);
}

static void fm_nat_work(struct work_struct *work)
{
	struct fm_nat *nat = container_of(work, struct fm_nat, work);
	unsigned int left = FM_NAT_BUDGET;

	mutex_lock(&nat->lock);
	if (nat->sock)
		fm_nat_drain(nat, &left);
	mutex_unlock(&nat->lock);
	/* a long burst: let others run, and come back for the rest */
	if (!left)
		queue_work(system_wq, work);
}

/* In ctnetlink's broadcast, conntrack's context: see the top. */
static void fm_nat_data_ready(struct sock *sk)
{
	struct fm_nat *nat = sk->sk_user_data;

	queue_work(system_wq, &nat->work);
}

/*
 * Will conntrack send events in this netns? ctnetlink must hold the
 * notifier, and nf_conntrack_events must not be 0 (2, the default since
 * 5.x, allocates the event extension while a listener exists: ours).
 */
static int fm_nat_check(struct net *net, struct netlink_ext_ack *extack)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK_EVENTS)
	if (!rcu_access_pointer(net->ct.nf_conntrack_event_cb)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "no conntrack events in this netns: nf_conntrack_netlink not loaded");
		return -EOPNOTSUPP;
	}
	if (!READ_ONCE(net->ct.sysctl_events)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "conntrack events off in this netns (nf_conntrack_events=0): no NAT event logged");
		return -EOPNOTSUPP;
	}
	return 0;
#else
	NL_SET_ERR_MSG_MOD(extack, "kernel without conntrack events (CONFIG_NF_CONNTRACK_EVENTS)");
	return -EOPNOTSUPP;
#endif
}

/*
 * ctnetlink sends the events; it may not be loaded yet. Not under
 * conf_lock: loading it registers pernet operations.
 */
void fm_nat_prepare(void)
{
	request_module("nf_conntrack_netlink");
}

int fm_nat_start(struct fm_net *fn, struct netlink_ext_ack *extack)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = BIT(NFNLGRP_CONNTRACK_NEW - 1) |
			     BIT(NFNLGRP_CONNTRACK_DESTROY - 1),
	};
	struct socket *sock;
	struct fm_nat *nat;
	int err;

	lockdep_assert_held(&fn->conf_lock);
	if (fn->nat)
		return 0;
	err = fm_nat_check(fn->net, extack);
	if (err)
		return err;
	nat = kvzalloc(sizeof(*nat), GFP_KERNEL_ACCOUNT);
	if (!nat)
		return -ENOMEM;
	nat->fn = fn;
	mutex_init(&nat->lock);
	INIT_WORK(&nat->work, fm_nat_work);
	err = sock_create_kern(fn->net, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER,
			       &sock);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot open a netfilter netlink socket");
		goto err_free;
	}
	sock_set_rcvbuf(sock->sk, min_t(unsigned int, READ_ONCE(fm_nat_rcvbuf),
					INT_MAX / 2));
	write_lock_bh(&sock->sk->sk_callback_lock);
	sock->sk->sk_user_data = nat;
	sock->sk->sk_data_ready = fm_nat_data_ready;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	nat->sock = sock;
	err = kernel_bind(sock, (struct sockaddr *)&sa, sizeof(sa));
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot join the conntrack event groups");
		goto err_sock;
	}
	fn->nat = nat;
	return 0;

err_sock:
	sock_release(sock);
err_free:
	mutex_destroy(&nat->lock);
	kvfree(nat);
	return err;
}

/*
 * Switched off, or the netns goes (its .pre_exit, before export stops):
 * what is queued goes out, then the socket. See "Lifetime" at the top.
 */
void fm_nat_stop(struct fm_net *fn)
{
	struct fm_nat *nat = fn->nat;
	unsigned int left = FM_NAT_BUDGET;	/* bounded under a flood */

	lockdep_assert_held(&fn->conf_lock);
	if (!nat)
		return;
	fn->nat = NULL;
	mutex_lock(&nat->lock);
	fm_nat_drain(nat, &left);
	sock_release(nat->sock);
	nat->sock = NULL;
	mutex_unlock(&nat->lock);
	cancel_work_sync(&nat->work);
	mutex_destroy(&nat->lock);
	kvfree(nat);
}

bool fm_nat_on(struct fm_net *fn)
{
	lockdep_assert_held(&fn->conf_lock);
	return fn->nat;
}

void fm_nat_get_stats(struct fm_net *fn, struct fm_nat_stats *st)
{
	struct fm_nat *nat;

	memset(st, 0, sizeof(*st));
#if IS_ENABLED(CONFIG_NF_CONNTRACK_EVENTS)
	st->ct_events = READ_ONCE(fn->net->ct.sysctl_events);
	/* ctnetlink there to send them (its notifier); see the top */
	st->ct_source = !!rcu_access_pointer(fn->net->ct.nf_conntrack_event_cb);
#endif
	mutex_lock(&fn->conf_lock);
	nat = fn->nat;
	if (nat) {
		st->created = READ_ONCE(nat->created);
		st->deleted = READ_ONCE(nat->deleted);
		st->overruns = READ_ONCE(nat->overruns);
		st->skipped = READ_ONCE(nat->skipped);
		st->malformed = READ_ONCE(nat->malformed);
		/* nat->sock stays while conf_lock is held */
		st->dropped = atomic_read(&nat->sock->sk->sk_drops);
	}
	mutex_unlock(&fn->conf_lock);
}
