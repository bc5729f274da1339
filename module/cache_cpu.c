// SPDX-License-Identifier: GPL-2.0
/*
 * The flow cache and CPU hotplug, and the module-wide state (slab caches,
 * workqueue, hotplug states). See the comment above fm_cpu_online().
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/slab.h>

#include "cache_priv.h"
#include "merge.h"

struct workqueue_struct *fm_wq __read_mostly;
int fm_cpuhp_online __read_mostly = -1;
int fm_cpuhp_dead __read_mostly = -1;

/*
 * CPU hotplug. Every possible CPU has a table from the start, with its
 * storage from the first time its CPU comes up (fm_cpu_prepare()); what
 * follows a CPU is its expiry work. The order, CPU going:
 *  1. fm_cpu_offline(), on the CPU itself while it still runs tasks and
 *     softirqs: the table is parked (no one may queue its work any more),
 *     then the work is cancelled, waiting for a run under way.
 *  2. The workqueue unbinds the CPU's pool: a work queued there from now
 *     on would run on another CPU, as a second writer of the table.
 *  3. The CPU stops; packets in its backlog are re-queued to a live CPU.
 *  4. fm_cpu_dead(), on a CPU that stays: no packet and no work can reach
 *     the table any more, so this callback is its only user: it ends every
 *     flow left (FM_END_FORCED) for export, gives back the big ring and
 *     the batch (cache_ring.c) and frees the graves.
 * Coming back, fm_cpu_online() on the CPU again unparks and restarts the
 * work. A table is therefore written by one CPU at a time throughout:
 * its own until step 3, the dead callback's after it.
 */
static int fm_cpu_online(unsigned int cpu, struct hlist_node *node)
{
	struct fm_cache *c = hlist_entry(node, struct fm_cache, cpu_online);
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);

	WRITE_ONCE(t->parked, false);
	queue_delayed_work_on(cpu, fm_wq, &t->work, HZ);
	return 0;
}

static int fm_cpu_offline(unsigned int cpu, struct hlist_node *node)
{
	struct fm_cache *c = hlist_entry(node, struct fm_cache, cpu_online);
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);

	/*
	 * The packet path tests parked and queues the work in one
	 * BH-disabled section on this CPU (fm_table_kick()). Without BH
	 * disabled here, on PREEMPT_RT, where softirqs run in a preemptible
	 * thread, that section could be preempted between its test and its
	 * mod_delayed_work_on() by this callback: parked set, the work
	 * cancelled, and then queued anyway, to run unbound on another CPU
	 * while fm_cpu_dead() expires the table. On PREEMPT_RT
	 * local_bh_disable() takes this CPU's softirq lock, so the store
	 * waits for a section under way to end, and a section after it sees
	 * parked; the work queued by one before it is cancelled below. (On
	 * other kernels a softirq cannot be interrupted by this task, so the
	 * store never lands inside that section either way.) The work's own
	 * requeue at the end of a run is refused while the cancel below
	 * waits for that run.
	 */
	local_bh_disable();
	WRITE_ONCE(t->parked, true);
	local_bh_enable();
	cancel_delayed_work_sync(&t->work);
	return 0;
}

/*
 * A CPU is coming up (on another CPU, before it runs anything): the
 * first time in the cache's life, its table gets its storage. Failing
 * fails the CPU's bring-up, as any driver's prepare may.
 */
static int fm_cpu_prepare(unsigned int cpu, struct hlist_node *node)
{
	struct fm_cache *c = hlist_entry(node, struct fm_cache, cpu_dead);
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);

	return fm_table_alloc(c, t);
}

static int fm_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct fm_cache *c = hlist_entry(node, struct fm_cache, cpu_dead);
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);

	/*
	 * Nothing queues a parked table's work (fm_cpu_offline()), so none
	 * may be pending now: a broken invariant is loud, and cancelled
	 * (waiting for it if it runs elsewhere) before the table is touched
	 * here, so that it is never written from two CPUs at once.
	 */
	WARN_ON_ONCE(cancel_delayed_work_sync(&t->work));
	fm_table_drop_requests(t);
	fm_table_expire(t, true, 0, t->mask + 1);
	local_bh_disable();
	WRITE_ONCE(c->starving, 0);	/* if it was this CPU, it is gone */
	fm_budget_return(t, true);	/* empty: all of its quota */
	local_bh_enable();
	fm_table_shrink(t);		/* till it has flows again */
	synchronize_rcu();
	fm_table_free_graves(t);
	return 0;
}

int fm_cache_module_init(void)
{
	/* by kind: fm_entry_kind() */
	static const char *const names[FM_ENTRY_KINDS] = {
		"flowmeter_flow4", "flowmeter_flow6",
		"flowmeter_biflow4", "flowmeter_biflow6",
		"flowmeter_flow4_l2", "flowmeter_flow6_l2",
		[FM_ENTRY_NAT] = "flowmeter_flow4_nat", "flowmeter_flow6_nat",
	};
	int ret, k;

	/* the extensions' caches too: kmem caches with no object cost nothing */
	for (k = 0; k < FM_ENTRY_KINDS; k++) {
		if (!fm_entry_kind_valid(k))
			continue;
		fm_entry_caches[k] = kmem_cache_create(names[k],
						       fm_entry_obj_size(k), 0,
						       SLAB_ACCOUNT, NULL);
		if (!fm_entry_caches[k])
			goto nomem;
		fm_entry_size[k] = kmem_cache_size(fm_entry_caches[k]);
	}
	fm_wq = alloc_workqueue("flowmeter", 0, 0);
	if (!fm_wq)
		goto nomem;
	ret = cpuhp_setup_state_multi(CPUHP_AP_ONLINE_DYN, "net/flowmeter:online",
				      fm_cpu_online, fm_cpu_offline);
	if (ret < 0)
		goto err;
	fm_cpuhp_online = ret;
	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "net/flowmeter:prepare",
				      fm_cpu_prepare, fm_cpu_dead);
	if (ret < 0)
		goto err;
	fm_cpuhp_dead = ret;
	return 0;
nomem:
	ret = -ENOMEM;
err:
	fm_cache_module_exit();
	return ret;
}

void fm_cache_module_exit(void)
{
	int k;

	if (fm_cpuhp_dead >= 0)
		cpuhp_remove_multi_state(fm_cpuhp_dead);
	if (fm_cpuhp_online >= 0)
		cpuhp_remove_multi_state(fm_cpuhp_online);
	fm_cpuhp_dead = -1;
	fm_cpuhp_online = -1;
	if (fm_wq)
		destroy_workqueue(fm_wq);
	fm_wq = NULL;
	for (k = 0; k < FM_ENTRY_KINDS; k++) {
		kmem_cache_destroy(fm_entry_caches[k]);
		fm_entry_caches[k] = NULL;
	}
}
