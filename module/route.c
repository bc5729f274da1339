// SPDX-License-Identifier: GPL-2.0
/*
 * Routing fields of the exported records (export.rst, "Routing fields").
 *
 * The look-ups happen at export, in the exporter's process context, once
 * per record for every destination: the packet path never sees any of
 * it. So the fields tell the FIB and the AS table as they are when the
 * record is exported, not when its packets passed: a route changed in
 * between shows the new one, and a lookup sees the main rules (no
 * packet mark, no policy routing by the packet's other fields).
 *
 * The AS table is replaced whole: a table is built from the loading
 * socket's requests (conf_lock serialises them), then published with
 * rcu_assign_pointer(); the exporter reads it under rcu_read_lock(), and
 * the old one is freed after a grace period (kvfree_rcu() style, by
 * call_rcu() since the arrays are kvmalloc()ed apart from the head).
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <net/ip_fib.h>
#include <net/ip6_route.h>
#include <net/route.h>

#include "flowmeter.h"
#include "route.h"

unsigned int fm_param_asn_max = 1U << 20;
module_param_named(asn_max, fm_param_asn_max, uint, 0644);
MODULE_PARM_DESC(asn_max, "AS table: ranges per address family at most (default 1048576)");

struct fm_asn_table {
	struct rcu_head rcu;
	struct fm_asn_ranges r;		/* the look-up's view of the arrays */
	u32 cap4, cap6;			/* ranges announced by BEGIN */
	struct fm_asn4 *v4;
	struct fm_asn6 *v6;
};

static void fm_asn_table_free(struct fm_asn_table *t)
{
	if (!t)
		return;
	kvfree(t->v4);
	kvfree(t->v6);
	kfree(t);
}

static void fm_asn_table_free_rcu(struct rcu_head *head)
{
	fm_asn_table_free(container_of(head, struct fm_asn_table, rcu));
}

/* An IPv4 route's gateway and prefix length; 0 and 0 without a route. */
static void fm_route4(struct net *net, __be32 daddr, __be32 saddr, u32 iif,
		      __be32 *gw, u8 *plen)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.saddr = saddr,
		.flowi4_iif = iif ?: LOOPBACK_IFINDEX,
	};
	struct fib_nh_common *nhc;
	struct fib_result res;

	*gw = 0;
	*plen = 0;
	if (fib_lookup(net, &fl4, &res, 0))
		return;
	*plen = res.prefixlen;
	/* a multipath route: its first path, the flow's may differ */
	nhc = FIB_RES_NHC(res);
	if (nhc && nhc->nhc_gw_family == AF_INET)
		*gw = nhc->nhc_gw.ipv4;
}

static void fm_route6(struct net *net, const struct in6_addr *daddr,
		      const struct in6_addr *saddr, struct in6_addr *gw,
		      u8 *plen)
{
	struct flowi6 fl6 = { .daddr = *daddr };
	struct dst_entry *dst;
	struct rt6_info *rt;

	if (saddr)
		fl6.saddr = *saddr;
	memset(gw, 0, sizeof(*gw));
	*plen = 0;
	dst = ip6_route_output(net, NULL, &fl6);
	if (!dst->error) {
		rt = container_of(dst, struct rt6_info, dst);
		*plen = rt->rt6i_dst.plen;
		if (rt->rt6i_flags & RTF_GATEWAY)
			*gw = rt->rt6i_gateway;
	}
	dst_release(dst);
}

/*
 * Fill in the routing fields of r[0..n) and mark them FM_RF_ROUTE. The
 * records are the exporter's copy (export.c). Process context.
 */
void fm_route_records(struct fm_net *fn, struct fm_record *r, unsigned int n)
{
	struct fm_asn_ranges none = { };
	const struct fm_asn_ranges *t;
	struct fm_asn_table *at;
	struct in6_addr unused;
	unsigned int i;
	__be32 gw4;

	rcu_read_lock();
	at = rcu_dereference(fn->asn);
	t = at ? &at->r : &none;
	for (i = 0; i < n; i++, r++) {
		struct fm_key *k = &r->key;

		if (k->kflags & FM_KF_IPV6) {
			fm_route6(fn->net, &k->addr.v6.daddr,
				  &k->addr.v6.saddr, &r->nexthop.v6,
				  &r->dst_mask);
			fm_route6(fn->net, &k->addr.v6.saddr, NULL, &unused,
				  &r->src_mask);
			r->src_as = fm_asn_lookup6(t, &k->addr.v6.saddr);
			r->dst_as = fm_asn_lookup6(t, &k->addr.v6.daddr);
		} else {
			memset(&r->nexthop, 0, sizeof(r->nexthop));
			fm_route4(fn->net, k->addr.v4.daddr, k->addr.v4.saddr,
				  k->in_if, &r->nexthop.v4, &r->dst_mask);
			fm_route4(fn->net, k->addr.v4.saddr, 0, 0, &gw4,
				  &r->src_mask);
			r->src_as = fm_asn_lookup4(t, k->addr.v4.saddr);
			r->dst_as = fm_asn_lookup4(t, k->addr.v4.daddr);
		}
		r->rflags |= FM_RF_ROUTE;
	}
	rcu_read_unlock();
}

int fm_asn_begin(struct fm_net *fn, u32 portid, u32 n4, u32 n6,
		 struct netlink_ext_ack *extack)
{
	unsigned int max = READ_ONCE(fm_param_asn_max);
	struct fm_asn_table *t;

	lockdep_assert_held(&fn->conf_lock);
	if (n4 > max || n6 > max) {
		NL_SET_ERR_MSG_MOD(extack, "AS table: more ranges than the module parameter asn_max allows");
		return -E2BIG;
	}
	fm_asn_table_free(fn->asn_load);
	fn->asn_load = NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->cap4 = n4;
	t->cap6 = n6;
	if (n4)
		t->v4 = kvmalloc_array(n4, sizeof(*t->v4), GFP_KERNEL_ACCOUNT);
	if (n6)
		t->v6 = kvmalloc_array(n6, sizeof(*t->v6), GFP_KERNEL_ACCOUNT);
	if ((n4 && !t->v4) || (n6 && !t->v6)) {
		fm_asn_table_free(t);
		NL_SET_ERR_MSG_MOD(extack, "AS table: no memory for that many ranges");
		return -ENOMEM;
	}
	t->r.v4 = t->v4;
	t->r.v6 = t->v6;
	fn->asn_load = t;
	fn->asn_load_portid = portid;
	return 0;
}

/* The loading table of this socket, or NULL with a message. */
static struct fm_asn_table *fm_asn_loading(struct fm_net *fn, u32 portid,
					   struct netlink_ext_ack *extack)
{
	if (!fn->asn_load || fn->asn_load_portid != portid) {
		NL_SET_ERR_MSG_MOD(extack, "AS table: no load begun from this socket");
		return NULL;
	}
	return fn->asn_load;
}

int fm_asn_add(struct fm_net *fn, u32 portid, const struct nlattr *r4,
	       const struct nlattr *r6, struct netlink_ext_ack *extack)
{
	struct fm_asn_table *t;
	u32 k4 = 0, k6 = 0, bad;

	lockdep_assert_held(&fn->conf_lock);
	t = fm_asn_loading(fn, portid, extack);
	if (!t)
		return -EINVAL;
	if (r4) {
		if (nla_len(r4) % sizeof(struct fm_asn4)) {
			NL_SET_ERR_MSG_ATTR(extack, r4, "AS table: not a whole number of IPv4 ranges");
			return -EINVAL;
		}
		k4 = nla_len(r4) / sizeof(struct fm_asn4);
	}
	if (r6) {
		if (nla_len(r6) % sizeof(struct fm_asn6)) {
			NL_SET_ERR_MSG_ATTR(extack, r6, "AS table: not a whole number of IPv6 ranges");
			return -EINVAL;
		}
		k6 = nla_len(r6) / sizeof(struct fm_asn6);
	}
	if (k4 > t->cap4 - t->r.n4 || k6 > t->cap6 - t->r.n6) {
		NL_SET_ERR_MSG_MOD(extack, "AS table: more ranges than announced");
		return -E2BIG;
	}
	/* copied first: nla_data() is not aligned for the u32 reads */
	if (k4) {
		memcpy(t->v4 + t->r.n4, nla_data(r4), nla_len(r4));
		bad = fm_asn_check4(t->r.n4 ? &t->v4[t->r.n4 - 1] : NULL,
				    t->v4 + t->r.n4, k4);
		if (bad < k4) {
			NL_SET_ERR_MSG_ATTR(extack, r4, "AS table: IPv4 ranges not sorted, overlapping or reversed");
			return -EINVAL;
		}
	}
	if (k6) {
		memcpy(t->v6 + t->r.n6, nla_data(r6), nla_len(r6));
		bad = fm_asn_check6(t->r.n6 ? &t->v6[t->r.n6 - 1] : NULL,
				    t->v6 + t->r.n6, k6);
		if (bad < k6) {
			NL_SET_ERR_MSG_ATTR(extack, r6, "AS table: IPv6 ranges not sorted, overlapping or reversed");
			return -EINVAL;
		}
	}
	/* counted only once both families are good: a refusal adds none */
	t->r.n4 += k4;
	t->r.n6 += k6;
	return 0;
}

int fm_asn_commit(struct fm_net *fn, u32 portid,
		  struct netlink_ext_ack *extack)
{
	struct fm_asn_table *t, *old;

	lockdep_assert_held(&fn->conf_lock);
	t = fm_asn_loading(fn, portid, extack);
	if (!t)
		return -EINVAL;
	if (t->r.n4 != t->cap4 || t->r.n6 != t->cap6) {
		NL_SET_ERR_MSG_MOD(extack, "AS table: fewer ranges than announced");
		return -EINVAL;
	}
	fn->asn_load = NULL;
	old = rcu_replace_pointer(fn->asn, t, lockdep_is_held(&fn->conf_lock));
	if (old)
		call_rcu(&old->rcu, fm_asn_table_free_rcu);
	return 0;
}

void fm_asn_counts(struct fm_net *fn, u32 *n4, u32 *n6)
{
	struct fm_asn_table *t;

	rcu_read_lock();
	t = rcu_dereference(fn->asn);
	*n4 = t ? t->r.n4 : 0;
	*n6 = t ? t->r.n6 : 0;
	rcu_read_unlock();
}

/* The netns is gone: nothing reads the table any more. */
void fm_asn_free(struct fm_net *fn)
{
	fm_asn_table_free(rcu_dereference_protected(fn->asn, 1));
	fm_asn_table_free(fn->asn_load);
}
