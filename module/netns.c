// SPDX-License-Identifier: GPL-2.0
/*
 * One flowmeter instance per network namespace: its counters, its procfs
 * directory and its netfilter hooks. Created when a netns appears (or at
 * load for every existing one) and torn down with it.
 */
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "cache.h"
#include "uapi_flowmeter.h"

static unsigned int fm_net_id __read_mostly;

struct fm_net *fm_pernet(const struct net *net)
{
	return net_generic(net, fm_net_id);
}

void fm_stats_sum(struct fm_net *fn, struct fm_stats *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct fm_stats *s = per_cpu_ptr(fn->stats, cpu);
		struct fm_stats snap;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			memcpy(&snap, s, offsetof(struct fm_stats, syncp));
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->pkts_seen += snap.pkts_seen;
		sum->pkts_metered += snap.pkts_metered;
		sum->bytes_metered += snap.bytes_metered;
		sum->pkts_frag += snap.pkts_frag;
		sum->pkts_no_l4 += snap.pkts_no_l4;
		sum->pkts_skipped += snap.pkts_skipped;
		sum->pkts_filtered += snap.pkts_filtered;
		for (i = 0; i < FM_PERR_MAX; i++)
			sum->parse_err[i] += snap.parse_err[i];
		sum->flows_created += snap.flows_created;
		for (i = 0; i < ARRAY_SIZE(snap.flows_expired); i++)
			sum->flows_expired[i] += snap.flows_expired[i];
		sum->flows_nomem += snap.flows_nomem;
		sum->flows_dropped += snap.flows_dropped;
		sum->records_dropped += snap.records_dropped;
	}
}

static int __net_init fm_net_init(struct net *net)
{
	struct fm_net *fn = fm_pernet(net);
	struct fm_iffilter_rcu *ff;
	int err;

	fn->net = net;
	mutex_init(&fn->conf_lock);
	mutex_init(&fn->top_lock);
	fn->top_next = jiffies;
	fn->top_n = FM_TOP_N_DEFAULT;
	fn->top_by = FM_TOP_BY_BYTES;
	fn->stats = alloc_percpu_gfp(struct fm_stats, GFP_KERNEL_ACCOUNT);
	if (!fn->stats)
		return -ENOMEM;

	err = fm_export_init(fn);
	if (err)
		goto err_stats;
	err = fm_cache_init(fn);
	if (err)
		goto err_export;
	err = fm_proc_init(fn);
	if (err)
		goto err_cache;
	ff = fm_iffilter_new(&fm_param_iffilter);
	if (IS_ERR(ff)) {
		err = PTR_ERR(ff);
		goto err_proc;
	}
	RCU_INIT_POINTER(fn->iffilter, ff);
	err = fm_hooks_register(fn, fm_param_hook_mask);
	if (err)
		goto err_filter;
	return 0;

err_filter:
	fm_iffilter_free(fn);
err_proc:
	fm_proc_exit(fn);
err_cache:
	fm_cache_stop(fn);
	fm_cache_free(fn);
err_export:
	fm_export_exit(fn);
err_stats:
	free_percpu(fn->stats);
	return err;
}

/*
 * nf_unregister_net_hooks() does not wait for CPUs still inside our hook
 * (the core frees its hook arrays with call_rcu()), so unhooking and
 * freeing what the hook reads must be separated by a grace period. The
 * netns core runs every .pre_exit, then synchronize_rcu(), then every
 * .exit, both when a netns dies (cleanup_net()) and when the module is
 * unloaded (free_exit_list()): unhooking here puts that grace period
 * before fm_net_exit(). The last flows are ended and exported here too,
 * while the netns's devices still exist (they are unregistered after
 * this, before .exit), so a dying router's flows reach the collector; the
 * synchronize_net() first lets packets still in the hook finish with the
 * tables before fm_cache_stop() walks them from this CPU.
 */
static void __net_exit fm_net_pre_exit(struct net *net)
{
	struct fm_net *fn = fm_pernet(net);

	fm_hooks_unregister(fn);
	synchronize_net();
	fm_cache_stop(fn);
}

/*
 * After the core's grace period: no packet is in the hook (pre_exit
 * unhooked), and removing the proc files waits for their readers.
 */
static void __net_exit fm_net_exit(struct net *net)
{
	struct fm_net *fn = fm_pernet(net);

	fm_iffilter_free(fn);
	fm_proc_exit(fn);
	fm_cache_free(fn);
	fm_export_exit(fn);
	free_percpu(fn->stats);
}

static struct pernet_operations fm_net_ops = {
	.init = fm_net_init,
	.pre_exit = fm_net_pre_exit,
	.exit = fm_net_exit,
	.id = &fm_net_id,
	.size = sizeof(struct fm_net),
};

int fm_netns_init(void)
{
	return register_pernet_subsys(&fm_net_ops);
}

void fm_netns_exit(void)
{
	unregister_pernet_subsys(&fm_net_ops);
}
