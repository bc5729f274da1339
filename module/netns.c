// SPDX-License-Identifier: GPL-2.0
/*
 * One flowmeter instance per network namespace: its counters, its procfs
 * directory and its netfilter hooks. Created when a netns appears (or at
 * load for every existing one) and torn down with it.
 */
#include <linux/slab.h>
#include <net/netns/generic.h>

#include "cache.h"
#include "natev.h"
#include "route.h"
#include "uapi_flowmeter.h"

static unsigned int fm_net_id __read_mostly;

struct fm_net *fm_pernet(const struct net *net)
{
	return net_generic(net, fm_net_id);
}

/*
 * The counters of every CPU added up. Each CPU's are read in the
 * u64_stats retry loop, one READ_ONCE() per counter: on 32-bit the loop
 * retries a read that raced the owning CPU's update, on 64-bit it costs
 * nothing and each counter is one load, which a memcpy() (possibly byte
 * by byte, a string instruction) does not promise. struct fm_stats is
 * nothing but u64 counters before syncp, all summed: read as an array.
 */
#define FM_STATS_N (offsetof(struct fm_stats, syncp) / sizeof(u64))

void fm_stats_sum(struct fm_net *fn, struct fm_stats *sum)
{
	u64 *total = (u64 *)sum;
	int cpu, i;

	BUILD_BUG_ON(offsetof(struct fm_stats, syncp) % sizeof(u64));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct fm_stats *s = per_cpu_ptr(fn->stats, cpu);
		const u64 *c = (const u64 *)s;
		u64 snap[FM_STATS_N];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < FM_STATS_N; i++)
				snap[i] = READ_ONCE(c[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < FM_STATS_N; i++)
			total[i] += snap[i];
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
	fn->top_agg = FM_TOP_AGG_FLOW;
	fn->top_plen4 = 32;
	fn->top_plen6 = 128;
	/* aggregation off; when turned on, full-length prefixes unless set */
	fn->agg_cfg.src4 = 32;
	fn->agg_cfg.dst4 = 32;
	fn->agg_cfg.src6 = 128;
	fn->agg_cfg.dst6 = 128;
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
	err = fm_hashkey_init(fn);
	if (err)
		goto err_filter;
	err = fm_hooks_register(fn, fm_param_hook_mask);
	if (err)
		goto err_key;
	return 0;

err_key:
	fm_hashkey_free(fn);
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
	/* its socket holds no reference on the netns: it goes now */
	mutex_lock(&fn->conf_lock);
	fm_nat_stop(fn);
	mutex_unlock(&fn->conf_lock);
	fm_export_stop(fn);
}

/*
 * After the core's grace period: no packet is in the hook (pre_exit
 * unhooked), and removing the proc files waits for their readers.
 */
static void __net_exit fm_net_exit(struct net *net)
{
	struct fm_net *fn = fm_pernet(net);

	fm_iffilter_free(fn);
	fm_samplif_free(fn);
	fm_hashkey_free(fn);
	fm_asn_free(fn);
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
