// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only views under /proc/net/flowmeter/ of each netns.
 */
#include <linux/proc_fs.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>

#include "cache.h"
#include "export.h"
#include "natev.h"
#include "route.h"
#include "top.h"
#include "uapi_flowmeter.h"

static const char * const fm_perr_names[FM_PERR_MAX] = {
	[FM_PERR_TRUNC_L3] = "truncated_l3",
	[FM_PERR_VERSION] = "bad_version",
	[FM_PERR_IHL] = "bad_ihl",
	[FM_PERR_LEN] = "bad_length",
	[FM_PERR_EXTHDR] = "bad_ext_header",
	[FM_PERR_TRUNC_L4] = "truncated_l4",
	[FM_PERR_MPLS] = "bad_mpls",
};

static const char * const fm_end_names[] = {
	[FM_END_IDLE] = "idle",
	[FM_END_ACTIVE] = "active",
	[FM_END_EOF] = "end_of_flow",
	[FM_END_FORCED] = "forced",
	[FM_END_RESOURCES] = "evicted",
};

static int fm_stats_show(struct seq_file *m, void *v)
{
	struct fm_net *fn = fm_pernet(seq_file_single_net(m));
	unsigned int pool, starving;
	struct fm_export_nat_stats es;
	struct fm_nat_stats ns;
	u64 observed, selected;
	u32 asn4, asn6;
	struct fm_stats s;
	int i;

	fm_stats_sum(fn, &s);
	fm_cache_budget(fn, &pool, &starving);
	fm_export_records_stats(fn, &observed, &selected);
	seq_printf(m, "packets_seen %llu\n", s.pkts_seen);
	seq_printf(m, "packets_metered %llu\n", s.pkts_metered);
	seq_printf(m, "bytes_metered %llu\n", s.bytes_metered);
	seq_printf(m, "packets_fragment %llu\n", s.pkts_frag);
	seq_printf(m, "packets_no_l4 %llu\n", s.pkts_no_l4);
	seq_printf(m, "packets_skipped_sampling %llu\n", s.pkts_skipped);
	seq_printf(m, "packets_filtered %llu\n", s.pkts_filtered);
	seq_printf(m, "packets_filtered_mark %llu\n", s.pkts_filtered_mark);
	seq_printf(m, "packets_dropped %llu\n", s.pkts_dropped);
	for (i = 1; i < FM_PERR_MAX; i++)
		seq_printf(m, "parse_error_%s %llu\n", fm_perr_names[i],
			   s.parse_err[i]);
	seq_printf(m, "flows_active %u\n", fm_cache_count(fn));
	seq_printf(m, "flows_created %llu\n", s.flows_created);
	for (i = FM_END_IDLE; i <= FM_END_RESOURCES; i++)
		seq_printf(m, "flows_expired_%s %llu\n", fm_end_names[i],
			   s.flows_expired[i]);
	seq_printf(m, "flows_dropped_nomem %llu\n", s.flows_nomem);
	seq_printf(m, "flows_dropped_full %llu\n", s.flows_dropped);
	seq_printf(m, "records_dropped %llu\n", s.records_dropped);
	seq_printf(m, "flows_merged %llu\n", s.flows_merged);
	seq_printf(m, "merge_incomplete %llu\n", s.merge_incomplete);
	seq_printf(m, "memory_bytes %lu\n", fm_cache_memory(fn));
	seq_printf(m, "budget_pool %u\n", pool);
	seq_printf(m, "budget_starving %u\n", starving);
	seq_printf(m, "records_observed %llu\n", observed);
	seq_printf(m, "records_selected %llu\n", selected);
	fm_nat_get_stats(fn, &ns);
	seq_printf(m, "nat_events_created %llu\n", ns.created);
	seq_printf(m, "nat_events_deleted %llu\n", ns.deleted);
	seq_printf(m, "nat_events_dropped %llu\n", ns.dropped);
	seq_printf(m, "nat_events_overruns %llu\n", ns.overruns);
	seq_printf(m, "nat_events_skipped %llu\n", ns.skipped);
	seq_printf(m, "nat_events_malformed %llu\n", ns.malformed);
	fm_export_nat_stats(fn, &es);
	seq_printf(m, "nat_events_sent %llu\n", es.sent);
	seq_printf(m, "nat_events_lost %llu\n", es.lost);
	seq_printf(m, "nat_events_no_destination %llu\n", es.no_dest);
	seq_printf(m, "nat_conntrack_events %llu\n", ns.ct_events);
	seq_printf(m, "nat_conntrack_source %llu\n", ns.ct_source);
	fm_export_show(m, fn);
	fm_asn_counts(fn, &asn4, &asn6);
	seq_printf(m, "export_asn_ranges4 %u\n", asn4);
	seq_printf(m, "export_asn_ranges6 %u\n", asn6);
	return 0;
}

/*
 * flows: every cached flow, once, its CPUs' counts summed; one hash
 * bucket (of every CPU) per iteration step, so a big table is read in
 * many short RCU sections and the seq_file buffer holds at most one
 * bucket's flows. Like Cisco's "show ip cache flow".
 */
/* Where a flow line goes: flows is a seq_net file, top a single one. */
struct fm_flow_out {
	struct seq_file *m;
	struct net *net;
	bool route;		/* routing on: NextHop .. DstAS columns */
};

static void fm_flow_ifname(const struct fm_flow_out *o, u32 ifindex)
{
	struct seq_file *m = o->m;
	struct net_device *dev;

	dev = ifindex ? dev_get_by_index_rcu(o->net, ifindex) : NULL;
	if (dev)
		seq_printf(m, "%-10s ", dev->name);
	else
		seq_printf(m, "%-10u ", ifindex);
}

/* An address of a flow; of a masked one (aggregation), as a prefix. */
static void fm_flow_addr(struct seq_file *m, const struct fm_key *k, bool src)
{
	bool v6 = k->kflags & FM_KF_IPV6;
	const void *a = v6 ? (const void *)(src ? &k->addr.v6.saddr :
					     &k->addr.v6.daddr) :
			     (const void *)(src ? &k->addr.v4.saddr :
					     &k->addr.v4.daddr);
	char buf[48];

	if (!(k->kflags & FM_KF_AGG)) {
		if (v6)
			seq_printf(m, "%-39pI6c ", a);
		else
			seq_printf(m, "%-15pI4 ", a);
		return;
	}
	if (v6)
		snprintf(buf, sizeof(buf), "%pI6c/%u", a,
			 src ? k->src_plen : k->dst_plen);
	else
		snprintf(buf, sizeof(buf), "%pI4/%u", a,
			 src ? k->src_plen : k->dst_plen);
	seq_printf(m, v6 ? "%-39s " : "%-15s ", buf);
}

/* L2 fields: MACs before and after forwarding, VLANs outer.inner, label */
static void fm_flow_l2(struct seq_file *m, const struct fm_l2 *l2)
{
	char vlans[12];

	snprintf(vlans, sizeof(vlans), "%u.%u", l2->vlan_outer,
		 l2->vlan_inner);
	seq_printf(m, " %pM %pM %-9s", l2->src_mac, l2->dst_mac, vlans);
	if (l2->flags & FM_L2_MPLS)
		seq_printf(m, " %7u/%u/%u", l2->mpls[0] << 12 |
			   l2->mpls[1] << 4 | l2->mpls[2] >> 4,
			   l2->mpls[2] >> 1 & 7, l2->mpls[2] & 1);
	else
		seq_printf(m, " %11s", "-");
	seq_printf(m, " %pM %pM", l2->post_src_mac, l2->post_dst_mac);
}

static int fm_flow_show_one(const struct fm_record *r, int ncpus, void *arg)
{
	const struct fm_flow_out *o = arg;
	const struct fm_key *k = &r->key;
	struct seq_file *m = o->m;
	struct fm_record routed;

	if (o->route) {
		routed = *r;
		fm_route_records(fm_pernet(o->net), &routed, 1);
		r = &routed;
	}
	rcu_read_lock();
	fm_flow_ifname(o, k->in_if);
	fm_flow_addr(m, k, true);
	fm_flow_ifname(o, k->out_if);
	fm_flow_addr(m, k, false);
	rcu_read_unlock();
	seq_printf(m, "%3u %5u %5u %02x %10llu %12llu %6llu",
		   k->proto, be16_to_cpu(k->sport), be16_to_cpu(k->dport),
		   k->tos, r->packets, r->bytes,
		   (r->end_ms - r->start_ms) / MSEC_PER_SEC);
	if (ncpus > 0)
		seq_printf(m, " %4d", ncpus);
	if (r->rflags & FM_RF_ROUTE) {
		if (k->kflags & FM_KF_IPV6)
			seq_printf(m, " %-39pI6c", &r->nexthop.v6);
		else
			seq_printf(m, " %-15pI4", &r->nexthop.v4);
		seq_printf(m, " %4u %4u %10u %10u", r->src_mask, r->dst_mask,
			   r->src_as, r->dst_as);
	}
	/* a biflow: the source initiated; what the responder sent */
	if (k->kflags & FM_KF_BI)
		seq_printf(m, " %10llu %12llu", r->rev.packets, r->rev.bytes);
	if (k->kflags & FM_KF_L2)
		fm_flow_l2(m, &r->l2);
	/* post-NAT: translated source and destination, "-" without an entry */
	if ((k->kflags & FM_KF_NAT) && !r->xlate.ok)
		seq_puts(m, " - -");
	else if ((k->kflags & FM_KF_NAT) && (k->kflags & FM_KF_IPV6))
		seq_printf(m, " [%pI6c]:%u [%pI6c]:%u", &r->xlate.saddr.v6,
			   be16_to_cpu(r->xlate.sport), &r->xlate.daddr.v6,
			   be16_to_cpu(r->xlate.dport));
	else if (k->kflags & FM_KF_NAT)
		seq_printf(m, " %pI4:%u %pI4:%u", &r->xlate.saddr.v4,
			   be16_to_cpu(r->xlate.sport), &r->xlate.daddr.v4,
			   be16_to_cpu(r->xlate.dport));
	seq_putc(m, '\n');
	return 0;
}

static void *fm_flows_start(struct seq_file *m, loff_t *pos)
{
	struct fm_net *fn = fm_pernet(seq_file_net(m));

	if (!*pos)
		return SEQ_START_TOKEN;
	return *pos <= fm_cache_buckets(fn) / nr_cpu_ids ? pos : NULL;
}

static void *fm_flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return fm_flows_start(m, pos);
}

static void fm_flows_stop(struct seq_file *m, void *v)
{
}

static int fm_flows_show(struct seq_file *m, void *v)
{
	struct fm_flow_out o = { .m = m, .net = seq_file_net(m) };
	struct fm_net *fn = fm_pernet(o.net);

	/*
	 * Routing on adds the columns of "show ip cache verbose flow",
	 * looked up as the line is written (as an export would).
	 */
	o.route = fm_export_routing(fn);
	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "SrcIf      SrcIPaddress    DstIf      DstIPaddress    "
			 " Pr  SrcP  DstP ToS    Packets        Bytes Active CPUs");
		if (o.route)
			seq_puts(m, " NextHop         SMsk DMsk      SrcAS      DstAS");
		if (READ_ONCE(fn->biflow))
			seq_puts(m, " RevPackets     RevBytes");
		if (READ_ONCE(fn->parse_opts) & FM_PARSE_L2)
			seq_puts(m, " SrcMAC            DstMAC            Vlans    "
				 "        MPLS PostSrcMAC        PostDstMAC");
		if (READ_ONCE(fn->parse_opts) & FM_PARSE_NAT)
			seq_puts(m, " PostNATSrc PostNATDst");
		seq_putc(m, '\n');
		return 0;
	}
	return fm_cache_walk_merged(fn, *(loff_t *)v - 1, fm_flow_show_one, &o);
}

static const struct seq_operations fm_flows_seq_ops = {
	.start = fm_flows_start,
	.next = fm_flows_next,
	.stop = fm_flows_stop,
	.show = fm_flows_show,
};

/*
 * top: the biggest flows, summed over CPUs, like Cisco's "show ip flow
 * top-talkers", or the biggest source or destination prefixes. How many,
 * by what and of what is set with flowctl (set top ...).
 */
static void fm_top_show_prefix(struct seq_file *m, const struct fm_top_entry *e,
			       bool src, unsigned int plen)
{
	const struct fm_key *k = &e->r.key;
	char a[48];

	if (k->kflags & FM_KF_IPV6)
		snprintf(a, sizeof(a), "%pI6c/%u",
			 src ? &k->addr.v6.saddr : &k->addr.v6.daddr, plen);
	else
		snprintf(a, sizeof(a), "%pI4/%u",
			 src ? &k->addr.v4.saddr : &k->addr.v4.daddr, plen);
	seq_printf(m, "%-43s %8u %10llu %12llu %6llu\n", a, e->flows,
		   e->r.packets, e->r.bytes,
		   (e->r.end_ms - e->r.start_ms) / MSEC_PER_SEC);
}

static int fm_top_show(struct seq_file *m, void *v)
{
	struct fm_flow_out o = { .m = m, .net = seq_file_single_net(m) };
	struct fm_net *fn = fm_pernet(o.net);
	struct fm_top_req q = {
		.n = READ_ONCE(fn->top_n),
		.by_packets = READ_ONCE(fn->top_by) == FM_TOP_BY_PACKETS,
		.agg = READ_ONCE(fn->top_agg),
		.plen4 = READ_ONCE(fn->top_plen4),
		.plen6 = READ_ONCE(fn->top_plen6),
	};
	bool src = q.agg == FM_TOP_AGG_SRC;
	struct fm_top_entry *top;
	int i, found;

	top = kvcalloc(q.n, sizeof(*top), GFP_KERNEL_ACCOUNT);
	if (!top)
		return -ENOMEM;
	found = fm_top_collect(fn, &q, top);
	if (found < 0)
		goto out;
	if (q.agg == FM_TOP_AGG_FLOW) {
		seq_printf(m, "Top %u flows by %s\n", q.n,
			   q.by_packets ? "packets" : "bytes");
		seq_puts(m, "SrcIf      SrcIPaddress    DstIf      DstIPaddress    "
			 " Pr  SrcP  DstP ToS    Packets        Bytes Active\n");
		for (i = 0; i < found; i++)
			fm_flow_show_one(&top[i].r, -1, &o);
		seq_printf(m, "%d of %u flows shown\n", found, fm_cache_count(fn));
		goto out;
	}
	seq_printf(m, "Top %u %s prefixes (/%u, /%u) by %s\n", q.n,
		   src ? "source" : "destination", q.plen4, q.plen6,
		   q.by_packets ? "packets" : "bytes");
	seq_printf(m, "%-43s %8s %10s %12s %6s\n", src ? "SrcPrefix" : "DstPrefix",
		   "Flows", "Packets", "Bytes", "Active");
	for (i = 0; i < found; i++)
		fm_top_show_prefix(m, &top[i], src,
				   top[i].r.key.kflags & FM_KF_IPV6 ? q.plen6 : q.plen4);
	seq_printf(m, "%d prefixes shown, of %u flows\n", found, fm_cache_count(fn));
out:
	kvfree(top);
	if (found == -E2BIG)
		seq_puts(m, "more than 65536 prefixes: set a shorter prefix\n");
	return found < 0 && found != -E2BIG ? found : 0;
}

int fm_proc_init(struct fm_net *fn)
{
	fn->proc_dir = proc_net_mkdir(fn->net, FM_NAME, fn->net->proc_net);
	if (!fn->proc_dir)
		return -ENOMEM;
	if (!proc_create_net_single("stats", 0400, fn->proc_dir,
				    fm_stats_show, NULL))
		goto err;
	if (!proc_create_net_single("top", 0400, fn->proc_dir, fm_top_show,
				    NULL))
		goto err;
	if (!proc_create_net("flows", 0400, fn->proc_dir, &fm_flows_seq_ops,
			     sizeof(struct seq_net_private)))
		goto err;
	return 0;
err:
	remove_proc_subtree(FM_NAME, fn->net->proc_net);
	return -ENOMEM;
}

void fm_proc_exit(struct fm_net *fn)
{
	remove_proc_subtree(FM_NAME, fn->net->proc_net);
}
