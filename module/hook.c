// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter glue: the hook that sees every packet at the configured hook
 * points of a netns. It never changes the packet's fate: every path
 * returns NF_ACCEPT.
 */
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <net/ip6_route.h>
#include <net/ndisc.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>

#include "cache.h"

/* Hooks run under rcu_read_lock(). */
static bool fm_filtered(struct fm_net *fn, const struct nf_hook_state *state)
{
	const struct fm_iffilter_rcu *ff = rcu_dereference(fn->iffilter);

	if (likely(!ff))
		return false;
	return !fm_iffilter_pass(&ff->f, state->in ? state->in->name : NULL,
				 state->out ? state->out->name : NULL);
}

/*
 * The sampling rate of the packet's input interface, if it has its own:
 * its slot (for the deterministic sampler's per-CPU count), rate in *rate;
 * else -1.
 */
static __always_inline int fm_sample_slot(struct fm_net *fn,
					  const struct nf_hook_state *state,
					  u32 *rate)
{
	const struct fm_samplif_rcu *sr = rcu_dereference(fn->samplif);
	int slot;

	if (likely(!sr))
		return -1;
	slot = fm_samplif_slot(&sr->s, state->in ? state->in->name : NULL);
	if (slot >= 0)
		*rate = sr->s.rate[slot];
	return slot;
}

/*
 * The mark filter (fm_mark_pack()): one load, an AND and a compare; with
 * no filter (0) every mark passes.
 */
static __always_inline bool fm_mark_out(const struct fm_net *fn,
					const struct sk_buff *skb)
{
	u64 m = READ_ONCE(fn->mark);

	return (skb->mark & fm_mark_mask(m)) != fm_mark_value(m);
}

/* A packet a filter leaves out: seen, and counted by the filter's name. */
static noinline void fm_left_out(struct fm_net *fn, bool by_mark)
{
	struct fm_stats *st;

	local_bh_disable();
	st = this_cpu_ptr(fn->stats);
	u64_stats_update_begin(&st->syncp);
	st->pkts_seen++;
	if (by_mark)
		st->pkts_filtered_mark++;
	else
		st->pkts_filtered++;
	u64_stats_update_end(&st->syncp);
	local_bh_enable();
}

/*
 * A GSO skb (GRO aggregate on FORWARD/INPUT, TSO/GSO skb on OUTPUT and
 * POSTROUTING) stands for gso_segs packets on the wire, each with its own
 * copy of the IP and transport headers. Count them: octets become the
 * aggregate's IP bytes (skb->len from the network header, as the IP
 * length field may be 0 for BIG TCP) plus the headers of every segment
 * but the first, whose headers the aggregate already holds. Fraglist
 * GRO keeps only the payload of the later segments too, so the same sum
 * holds. For other GSO types (tunnels, SCTP) only the IP headers are
 * known to repeat: an undercount of the inner headers, no worse.
 */
static noinline void fm_gso_count(const struct sk_buff *skb,
				  unsigned int nhoff, u8 proto,
				  struct fm_pktinfo *pi)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int hdrlen = pi->l3len, total, segs;
	u8 buf[13];
	const u8 *th;

	if (skb->len <= nhoff)
		return;
	total = skb->len - nhoff;
	if (!pi->l4_missing && proto == IPPROTO_TCP) {
		th = skb_header_pointer(skb, nhoff + hdrlen, sizeof(buf), buf);
		if (th)
			hdrlen += (th[12] >> 4) * 4;
	} else if (!pi->l4_missing && (proto == IPPROTO_UDP ||
					proto == IPPROTO_UDPLITE)) {
		hdrlen += 8;
	}
	segs = sh->gso_segs;
	/* Untrusted (SKB_GSO_DODGY) senders may leave it 0 */
	if (!segs && sh->gso_size && total > hdrlen)
		segs = DIV_ROUND_UP(total - hdrlen, sh->gso_size);
	if (segs <= 1)
		return;
	pi->packets = segs;
	pi->octets = total + (segs - 1) * hdrlen;
}

/*
 * Aggregation: the flow mask, if the netns has one, on the finished key,
 * so that the lookup finds the aggregate's entry. One load of the packed
 * mask: a change in between ends in a flush (netlink.c), never in a key
 * with fields of two settings.
 */
static noinline void fm_agg_key_slow(struct fm_key *key, u64 agg)
{
	fm_agg_apply(key, agg);
}

static __always_inline void fm_agg_key(const struct fm_net *fn,
				       struct fm_key *key)
{
	u64 agg = READ_ONCE(fn->agg);

	if (unlikely(agg))
		fm_agg_key_slow(key, agg);
}

/*
 * Biflows: both directions of a conversation to one key (fm_bi_canon()),
 * the packet's direction in pi. One load: a change ends in a flush
 * (netlink.c). An entry's kind is in its key (FM_KF_BI), never in the
 * setting: a packet that raced the change makes at worst a flow of the
 * old kind, which ends as any flow does.
 */
static noinline void fm_bi_key_slow(struct fm_key *key, struct fm_pktinfo *pi)
{
	pi->side = fm_bi_canon(key);
}

static __always_inline void fm_bi_key(const struct fm_net *fn,
				      struct fm_key *key, struct fm_pktinfo *pi)
{
	if (unlikely(READ_ONCE(fn->biflow)))
		fm_bi_key_slow(key, pi);
}

/*
 * The VLAN ids of dev if it is a VLAN device: its own and, if it sits on
 * one too (QinQ, 802.1ad over 802.1Q), the one below as the outer.
 */
static void fm_l2_vlan_dev(const struct net_device *dev, struct fm_l2 *l2)
{
	const struct net_device *real;

	if (!dev || !is_vlan_dev(dev))
		return;
	l2->vlan_outer = vlan_dev_vlan_id(dev);
	/* the device right below: vlan_dev_real_dev() goes to the bottom */
	real = vlan_dev_priv(dev)->real_dev;
	if (is_vlan_dev(real)) {
		l2->vlan_inner = l2->vlan_outer;
		l2->vlan_outer = vlan_dev_vlan_id(real);
	}
}

/*
 * The frame a router sends for the packet (IE 81 and 57): the source is
 * the egress device's address, the destination the hardware address of
 * the route's next hop in the neighbour table, as the neighbour output
 * (ip_finish_output2(), ip6_finish_output2()) will write them after the
 * hooks. Read under the hook's RCU read-side section: a hash lookup, no
 * reference taken, nothing written; the address under the entry's
 * seqlock (neigh_ha_snapshot(), a reader retry, no lock). An entry not
 * yet valid (the first packets to a new neighbour, while ARP or ND asks)
 * leaves the destination 0, which a later packet fills (fm_l2_late()).
 * Only Ethernet devices that resolve neighbours (a VRF device is NOARP),
 * not through an IPsec bundle; an IPv4 route via an IPv6 gateway is left
 * 0 (RFC 5549: the neighbour is in the other family's table).
 */
static void fm_l2_post(const struct sk_buff *skb,
		       const struct nf_hook_state *state, struct fm_l2 *l2)
{
	struct dst_entry *dst = skb_dst(skb);
	struct net_device *dev = dst ? dst->dev : NULL;
	struct neighbour *n;

	/*
	 * An IPsec bundle's next hop is the tunnel's, not the route's; a
	 * VRF (l3mdev) device sends no frame itself, and a NOARP device
	 * has no neighbour to ask
	 */
	if (!dev || dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN ||
	    (dev->flags & IFF_NOARP) || dst_xfrm(dst))
		return;
	memcpy(l2->post_src_mac, dev->dev_addr, ETH_ALEN);
	if (state->pf == NFPROTO_IPV4) {
		const struct rtable *rt = skb_rtable(skb);

		if (rt->rt_gw_family == AF_INET6)
			return;
		n = __ipv4_neigh_lookup_noref(dev, (__force u32)
				rt_nexthop(rt, ip_hdr(skb)->daddr));
	} else {
		const struct in6_addr *nh;

		nh = rt6_nexthop(dst_rt6_info(dst), &ipv6_hdr(skb)->daddr);
		n = __ipv6_neigh_lookup_noref_stub(dev, nh);
	}
	if (n && (READ_ONCE(n->nud_state) & NUD_VALID))
		neigh_ha_snapshot((char *)l2->post_dst_mac, n, dev);
}

/*
 * The packet's L2 fields ('set l2 on'). The Ethernet header is the one
 * the packet came with, on the ingress hooks of an Ethernet device (or a
 * VLAN device over one): on the egress hooks the next hop's header is not
 * built yet (the neighbour output comes later), so no MAC addresses
 * there. A tag still on the skb is the outer one; otherwise the VLAN
 * devices the packet came in on (ingress) or goes out on (egress) tell
 * the ids, as the VLAN code took the tags off before the IP hooks. The
 * Ethernet type is the family's (fm_l2_ethertype()).
 *
 * The post MACs: a bridge forwards the frame as it came, so on the
 * bridge hook they are the received ones; on forward, output and
 * postrouting the router's outgoing frame's (fm_l2_post()); on
 * prerouting and input none (not forwarded, or not yet routed). mpls:
 * the top label entry of a bridged MPLS frame (fm_hook_bridge()).
 */
static noinline void fm_l2_fill(const struct sk_buff *skb,
				const struct nf_hook_state *state,
				const u8 *mpls, struct fm_l2 *l2)
{
	const struct net_device *in = state->in;
	bool egress = state->hook == NF_INET_LOCAL_OUT ||
		      state->hook == NF_INET_POST_ROUTING;
	bool bridge = state->pf == NFPROTO_BRIDGE;

	memset(l2, 0, sizeof(*l2));
	fm_l2_vlan_dev(egress ? state->out : in, l2);
	if (skb_vlan_tag_present(skb)) {
		if (l2->vlan_outer && !l2->vlan_inner)
			l2->vlan_inner = l2->vlan_outer;
		l2->vlan_outer = skb_vlan_tag_get_id(skb);
	}
	if (!egress && in && in->type == ARPHRD_ETHER &&
	    skb_mac_header_was_set(skb) &&
	    skb_mac_header(skb) + ETH_HLEN <= skb_network_header(skb)) {
		const struct ethhdr *eth = eth_hdr(skb);

		memcpy(l2->src_mac, eth->h_source, ETH_ALEN);
		memcpy(l2->dst_mac, eth->h_dest, ETH_ALEN);
	}
	if (bridge) {
		memcpy(l2->post_src_mac, l2->src_mac, ETH_ALEN);
		memcpy(l2->post_dst_mac, l2->dst_mac, ETH_ALEN);
	} else if (state->hook != NF_INET_PRE_ROUTING &&
		   state->hook != NF_INET_LOCAL_IN) {
		fm_l2_post(skb, state, l2);
	}
	if (mpls) {
		memcpy(l2->mpls, mpls, sizeof(l2->mpls));
		l2->flags |= FM_L2_MPLS;
	}
}

/*
 * The packet's post-NAT fields ('set postnat on'): the addresses and
 * ports it carries once every translation of its conntrack entry is
 * applied. nf_nat_setup_info() makes the other direction's tuple the
 * inverse of this direction's translated one, so they are that tuple
 * swapped: source = its destination, destination = its source; this
 * holds for a packet of either direction (CTINFO2DIR()), and for the
 * ICMP errors conntrack relates to an entry (the outer addresses are
 * translated by the entry's mapping). Ports only for the protocols whose
 * key has them, by the key's protocol (an ICMP error's entry is its
 * offender's): ICMP ids are no key field either.
 *
 * Our hooks run at NF_IP_PRI_FILTER + 1: after conntrack and DNAT
 * (PREROUTING and OUTPUT, NF_IP_PRI_NAT_DST), before SNAT (POSTROUTING,
 * NF_IP_PRI_NAT_SRC). A new entry's source NAT is set up only then, so
 * the first packet of a connection sees its reply tuple untranslated:
 * done tells fields that are final (both manips set up, IPS_NAT_DONE_MASK),
 * and the cache takes a later packet's until they are (cache.c).
 *
 * Inline helpers and the entry's fields only, no conntrack symbol: the
 * module loads without nf_conntrack, and then no skb has an entry.
 */
static noinline void fm_xlate_fill(const struct sk_buff *skb, u8 proto,
				   struct fm_xlate *x)
{
	const struct nf_conntrack_tuple *t;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;

	memset(x, 0, sizeof(*x));
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct))
		return;
	t = &ct->tuplehash[!CTINFO2DIR(ctinfo)].tuple;
	if (t->src.l3num == NFPROTO_IPV6) {
		x->saddr.v6 = t->dst.u3.in6;
		x->daddr.v6 = t->src.u3.in6;
	} else {
		x->saddr.v4 = t->dst.u3.ip;
		x->daddr.v4 = t->src.u3.ip;
	}
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		x->sport = t->dst.u.all;
		x->dport = t->src.u.all;
		break;
	}
	x->ok = 1;
	x->done = (READ_ONCE(ct->status) & IPS_NAT_DONE_MASK) ==
		  IPS_NAT_DONE_MASK;
}

/*
 * Where the IP packet is in a bridged MPLS frame (fm_hook_bridge()): after
 * the label stack, whose top entry goes with the L2 fields; or the
 * parser's error, counted as the IP parser's are.
 */
struct fm_mpls {
	unsigned int ipoff;
	int err;
	u8 family;
	u8 top[3];
};

/*
 * Meter one packet of family at the skb's network header, or, for a
 * bridged MPLS frame (mpls not NULL), after its label stack.
 */
static __always_inline void fm_meter(struct fm_net *fn, struct sk_buff *skb,
				     const struct nf_hook_state *state,
				     u8 family, const struct fm_mpls *mpls)
{
	unsigned int nhoff = mpls ? mpls->ipoff : skb_network_offset(skb);
	struct fm_pktinfo pi = {};
	struct fm_l2 l2 fm_noinit;
	struct fm_xlate xl fm_noinit;
	unsigned int opts;
	struct fm_stats *st;
	/*
	 * Filled by fm_parse(): not zeroed first by the kernel's automatic
	 * stack initialisation (a string instruction per packet).
	 */
	struct fm_key key fm_noinit;
	u32 rate_if = 0;
	int err, slot;
	bool bh;

	if (unlikely(fm_filtered(fn, state))) {
		fm_left_out(fn, false);
		return;
	}
	if (unlikely(fm_mark_out(fn, skb))) {
		fm_left_out(fn, true);
		return;
	}
	slot = fm_sample_slot(fn, state, &rate_if);
	opts = READ_ONCE(fn->parse_opts);
	if (unlikely(mpls && mpls->err))
		err = mpls->err;
	else
		err = fm_parse(skb, nhoff, family, opts, &key, &pi);
	if (!err) {
		key.in_if = state->in ? state->in->ifindex : 0;
		key.out_if = state->out ? state->out->ifindex : 0;
		key.vlan = skb_vlan_tag_present(skb) ? skb_vlan_tag_get_id(skb) : 0;
		key.dir = (state->hook == NF_INET_LOCAL_OUT ||
			   state->hook == NF_INET_POST_ROUTING) ?
			  FM_DIR_EGRESS : FM_DIR_INGRESS;
		if (unlikely(skb_is_gso(skb)))
			fm_gso_count(skb, nhoff, key.proto, &pi);
		fm_agg_key(fn, &key);
		fm_bi_key(fn, &key, &pi);
		/*
		 * The key tells its entry's kind (cache_hot.h), one
		 * extension at most: a biflow that raced a change of
		 * 'biflow', 'l2' or 'postnat' (netlink.c refuses two on)
		 * keeps none, L2 fields win over post-NAT ones.
		 */
		if (unlikely(opts & FM_PARSE_L2) && !(key.kflags & FM_KF_BI)) {
			fm_l2_fill(skb, state, mpls ? mpls->top : NULL, &l2);
			pi.l2 = &l2;
			key.kflags |= FM_KF_L2;
		} else if (unlikely(opts & FM_PARSE_NAT) &&
			   !(key.kflags & FM_KF_BI)) {
			fm_xlate_fill(skb, key.proto, &xl);
			pi.xlate = &xl;
			key.kflags |= FM_KF_NAT;
		}
	}

	/*
	 * Everything below touches only this CPU's data. LOCAL_OUT runs in
	 * process context, so keep softirqs (and, on PREEMPT_RT, other
	 * tasks on this CPU) out while we update; forwarded packets come
	 * with BH disabled already.
	 */
	bh = !softirq_count();
	if (bh)
		local_bh_disable();
	st = this_cpu_ptr(fn->stats);
	u64_stats_update_begin(&st->syncp);
	st->pkts_seen++;
	if (unlikely(err)) {
		st->parse_err[err]++;
	} else {
		switch (fm_cache_update(fn, st, &key, &pi, slot, rate_if)) {
		case FM_METERED:
			st->pkts_metered += pi.packets;
			st->bytes_metered += pi.octets;
			st->pkts_frag += pi.frag;
			st->pkts_no_l4 += pi.l4_missing;
			break;
		case FM_SAMPLED_OUT:
			st->pkts_skipped++;
			break;
		case FM_REFUSED:
			st->pkts_dropped += pi.packets;
			break;
		}
	}
	u64_stats_update_end(&st->syncp);
	if (bh)
		local_bh_enable();
}

static unsigned int fm_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	fm_meter(priv, skb, state, state->pf == NFPROTO_IPV4 ? 4 : 6, NULL);
	return NF_ACCEPT;
}

/*
 * Bridged frames (hook point bridge): the bridge family's forward hook,
 * with the bridge ports as input and output interfaces, the frame's data
 * at its network header (a tag the VLAN code took off is on the skb).
 * IPv4 and IPv6, and MPLS frames (unicast and multicast) whose label
 * stack ends in either: the IP packet under the labels is metered, the
 * top label a field of its flow ('l2'), never of its key (a flow's
 * packets keep their key wherever the path's labels change, as its other
 * L2 fields). An MPLS frame that does not parse is counted as an IP
 * packet that does not (bad_mpls, truncated_l3, bad_version). Other
 * frames (ARP, ...) are not metered nor counted.
 */
static noinline void fm_meter_mpls(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct fm_mpls mpls = { .family = 4 };	/* fm_meter() reads ipoff */

	mpls.err = fm_parse_mpls(skb, skb_network_offset(skb), mpls.top,
				 &mpls.ipoff, &mpls.family);
	fm_meter(priv, skb, state, mpls.family, &mpls);
}

static unsigned int fm_hook_bridge(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	if (skb->protocol == htons(ETH_P_IP))
		fm_meter(priv, skb, state, 4, NULL);
	else if (skb->protocol == htons(ETH_P_IPV6))
		fm_meter(priv, skb, state, 6, NULL);
	else if (unlikely(skb->protocol == htons(ETH_P_MPLS_UC) ||
			  skb->protocol == htons(ETH_P_MPLS_MC)))
		fm_meter_mpls(priv, skb, state);
	return NF_ACCEPT;
}

int fm_hooks_register(struct fm_net *fn, u32 mask)
{
	static const u8 pfs[] = { NFPROTO_IPV4, NFPROTO_IPV6 };
	unsigned int n = 0;
	int err, h, f;

	for (f = 0; f < ARRAY_SIZE(pfs); f++) {
		for (h = 0; h < FM_NHOOKS; h++) {
			struct nf_hook_ops *ops = &fn->ops[n];

			if (!(mask & BIT(h)))
				continue;
			ops->hook = fm_hook;
			ops->priv = fn;
			ops->pf = pfs[f];
			ops->hooknum = h;
			/* After filtering: meter what is really let through. */
			ops->priority = NF_IP_PRI_FILTER + 1;
			n++;
		}
	}
	if (mask & FM_HOOK_BRIDGE) {
		struct nf_hook_ops *ops = &fn->ops[n++];

		ops->hook = fm_hook_bridge;
		ops->priv = fn;
		ops->pf = NFPROTO_BRIDGE;
		ops->hooknum = NF_BR_FORWARD;
		/* after the bridge's filter table, as above */
		ops->priority = NF_BR_PRI_FILTER_BRIDGED + 1;
	}
	err = nf_register_net_hooks(fn->net, fn->ops, n);
	if (err)
		return err;
	fn->nops = n;
	fn->hook_mask = mask;
	return 0;
}

void fm_hooks_unregister(struct fm_net *fn)
{
	if (fn->nops)
		nf_unregister_net_hooks(fn->net, fn->ops, fn->nops);
	fn->nops = 0;
	fn->hook_mask = 0;
}

/*
 * An interface filter in the form the packet path reads: NULL for an
 * empty one (every interface), an ERR_PTR if out of memory.
 */
struct fm_iffilter_rcu *fm_iffilter_new(const struct fm_iffilter *f)
{
	struct fm_iffilter_rcu *ff;

	if (fm_iffilter_empty(f))
		return NULL;
	ff = kmalloc(sizeof(*ff), GFP_KERNEL_ACCOUNT);
	if (!ff)
		return ERR_PTR(-ENOMEM);
	ff->f = *f;
	return ff;
}

/*
 * Replace the netns's interface filter with ff (from fm_iffilter_new()).
 * Under conf_lock; packets see the old or the new one whole.
 */
void fm_iffilter_install(struct fm_net *fn, struct fm_iffilter_rcu *ff)
{
	struct fm_iffilter_rcu *old;

	old = rcu_replace_pointer(fn->iffilter, ff,
				  lockdep_is_held(&fn->conf_lock));
	if (old)
		kfree_rcu(old, rcu);
}

/* The filter now in use, under conf_lock. */
void fm_iffilter_get(struct fm_net *fn, struct fm_iffilter *f)
{
	const struct fm_iffilter_rcu *ff;

	ff = rcu_dereference_protected(fn->iffilter,
				       lockdep_is_held(&fn->conf_lock));
	if (ff)
		*f = ff->f;
	else
		memset(f, 0, sizeof(*f));
}

/*
 * Teardown, once the hooks are gone. A packet that entered the hook
 * before it was unregistered may still read the filter, so it is freed
 * only after a grace period, whatever the caller waited for.
 */
void fm_iffilter_free(struct fm_net *fn)
{
	/* no hook of fn registered: nothing else changes the pointer */
	struct fm_iffilter_rcu *ff = rcu_dereference_protected(fn->iffilter,
							       !fn->nops);

	RCU_INIT_POINTER(fn->iffilter, NULL);
	if (ff)
		kfree_rcu(ff, rcu);
}

/*
 * Per-interface sampling rates in the form the packet path reads: NULL
 * for none, an ERR_PTR if out of memory. Installed and freed as the
 * interface filter is.
 */
struct fm_samplif_rcu *fm_samplif_new(const struct fm_samplif *s)
{
	struct fm_samplif_rcu *sr;

	if (!s->ifs.n)
		return NULL;
	sr = kmalloc(sizeof(*sr), GFP_KERNEL_ACCOUNT);
	if (!sr)
		return ERR_PTR(-ENOMEM);
	sr->s = *s;
	return sr;
}

/* Under conf_lock; packets see the old rates or the new ones whole. */
void fm_samplif_install(struct fm_net *fn, struct fm_samplif_rcu *sr)
{
	struct fm_samplif_rcu *old;

	old = rcu_replace_pointer(fn->samplif, sr,
				  lockdep_is_held(&fn->conf_lock));
	if (old)
		kfree_rcu(old, rcu);
}

/* The rates now in use, under conf_lock. */
void fm_samplif_get(struct fm_net *fn, struct fm_samplif *s)
{
	const struct fm_samplif_rcu *sr;

	sr = rcu_dereference_protected(fn->samplif,
				       lockdep_is_held(&fn->conf_lock));
	if (sr)
		*s = sr->s;
	else
		memset(s, 0, sizeof(*s));
}

/* Teardown, once the hooks are gone: as fm_iffilter_free(). */
void fm_samplif_free(struct fm_net *fn)
{
	struct fm_samplif_rcu *sr = rcu_dereference_protected(fn->samplif,
							      !fn->nops);

	RCU_INIT_POINTER(fn->samplif, NULL);
	if (sr)
		kfree_rcu(sr, rcu);
}

/*
 * The key of sampling mode hash (hashsel.h), 16 bytes as netlink carries
 * them. Behind a pointer so that a packet sees one key whole, old or new,
 * never half of each; a key no longer in use is wiped before it is freed.
 */
struct fm_hashkey *fm_hashkey_new(const u8 *bytes)
{
	struct fm_hashkey *hk = kmalloc(sizeof(*hk), GFP_KERNEL_ACCOUNT);

	if (!hk)
		return NULL;
	fm_hashsel_key(bytes, &hk->k);
	return hk;
}

/* A random key, so that no outsider can tell which flows are selected. */
int fm_hashkey_init(struct fm_net *fn)
{
	u8 b[FM_HASHSEL_KEY_LEN];
	struct fm_hashkey *hk;

	get_random_bytes(b, sizeof(b));
	hk = fm_hashkey_new(b);
	memzero_explicit(b, sizeof(b));
	if (!hk)
		return -ENOMEM;
	RCU_INIT_POINTER(fn->hashkey, hk);
	return 0;
}

/* Under conf_lock. */
void fm_hashkey_install(struct fm_net *fn, struct fm_hashkey *hk)
{
	struct fm_hashkey *old;

	old = rcu_replace_pointer(fn->hashkey, hk,
				  lockdep_is_held(&fn->conf_lock));
	synchronize_rcu();	/* no packet still hashes with it */
	kfree_sensitive(old);
}

/* The key now in use, under conf_lock. */
void fm_hashkey_get(struct fm_net *fn, u8 *bytes)
{
	const struct fm_hashkey *hk;

	hk = rcu_dereference_protected(fn->hashkey,
				       lockdep_is_held(&fn->conf_lock));
	fm_hashsel_key_bytes(&hk->k, bytes);
}

/* Teardown, after the grace period that follows unhooking. */
void fm_hashkey_free(struct fm_net *fn)
{
	struct fm_hashkey *hk = rcu_dereference_protected(fn->hashkey,
							      !fn->nops);

	RCU_INIT_POINTER(fn->hashkey, NULL);
	kfree_sensitive(hk);
}
