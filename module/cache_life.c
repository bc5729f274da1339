// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a netns's cache: made (per CPU storage included),
 * configured, resized, stopped and freed.
 *
 * Teardown. The netns's hooks are unregistered first, in the pernet
 * pre_exit. That does not wait for CPUs still inside the hook, so a
 * synchronize_net() follows before fm_cache_stop(): then no packet
 * touches the tables, the works are cancelled (and may not be queued
 * again: checked), and fm_cache_stop() ends the flows from any CPU and
 * exports them while the netns's devices still exist. fm_cache_free(),
 * in the pernet exit, frees the tables after another grace period.
 *
 * Idle cost. A table's storage (buckets and a small ring) is allocated
 * only for CPUs that come online (fm_table_alloc()); what only a table
 * with flows needs (a bigger ring, the work's batch) comes and goes with
 * them (cache_ring.c); and a work whose table has nothing to do stops
 * queueing itself until the packet path makes the table's next flow
 * (fm_table_idle(), fm_table_wake()).
 *
 * Memory. Everything a cache allocates is charged to the memory cgroup of
 * the task that last configured it (created the netns, or the cache on a
 * resize, or changed a setting), which the cache keeps a reference to:
 * tables at creation, in that task's context (GFP_KERNEL_ACCOUNT);
 * buckets and small rings then or when a CPU comes up, bigger rings and
 * batches in the expiry work, with that cgroup made the active one
 * (set_active_memcg()); and the flow entries
 * (SLAB_ACCOUNT caches) on the packet path, where current is whatever
 * task the softirq interrupted (or none), through set_active_memcg().
 * A cgroup at its limit gets no more: the allocation fails (flows_nomem,
 * or ENOMEM for the request) instead of the OOM killer running on the
 * host.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/memcontrol.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cache_priv.h"
#include "merge.h"

/* The parser's options for the hook, from the settings of fn's cache. */
static void fm_parse_opts_set(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	WRITE_ONCE(fn->parse_opts, (cfg->flowlabel ? FM_PARSE_FLOWLABEL : 0) |
				   (cfg->l2 ? FM_PARSE_L2 : 0) |
				   (cfg->postnat ? FM_PARSE_NAT : 0));
}

/*
 * Entries from now on are charged to the memory cgroup of the task
 * configuring the cache (those cached stay with the cgroup they were
 * charged to). Under conf_lock.
 */
static void fm_cache_charge(struct fm_net *fn, struct fm_cache *c)
{
	struct mem_cgroup *memcg = get_mem_cgroup_from_mm(current->mm);

	memcg = rcu_replace_pointer(c->memcg, memcg,
				    lockdep_is_held(&fn->conf_lock));
	if (memcg == rcu_access_pointer(c->memcg)) {
		mem_cgroup_put(memcg);
		return;
	}
	synchronize_rcu();	/* no packet is allocating with it */
	mem_cgroup_put(memcg);
}

/*
 * Apply new settings. Timeouts and the flow limit take effect at once
 * (a lower limit evicts as new flows come, and the works end a batch of
 * flows per CPU and second until it is met); a change to what a flow is
 * (sampling, flow label) first ends every cached flow.
 */
void fm_cache_configure(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	struct fm_cache *c = rcu_dereference_protected(fn->cache,
					lockdep_is_held(&fn->conf_lock));
	unsigned int limit = fm_cpu_limit(cfg);
	bool flush = cfg->sampling_rate != c->cfg.sampling_rate ||
		     cfg->sampling_mode != c->cfg.sampling_mode ||
		     cfg->flowlabel != c->cfg.flowlabel ||
		     cfg->l2 != c->cfg.l2 ||
		     cfg->postnat != c->cfg.postnat;
	int cpu;

	fm_cache_charge(fn, c);
	WRITE_ONCE(c->cfg.active_timeout, cfg->active_timeout);
	WRITE_ONCE(c->cfg.inactive_timeout, cfg->inactive_timeout);
	/* a lower one leaves the pool in debt, repaid as flows end */
	atomic_add((int)cfg->max_flows - (int)c->cfg.max_flows, &c->budget);
	WRITE_ONCE(c->budget_batch, fm_budget_batch(cfg));
	WRITE_ONCE(c->cfg.max_flows, cfg->max_flows);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(c->tables, cpu)->limit, limit);
	if (!flush)
		return;
	WRITE_ONCE(c->cfg.sampling_rate, cfg->sampling_rate);
	WRITE_ONCE(c->cfg.sampling_mode, cfg->sampling_mode);
	WRITE_ONCE(c->cfg.flowlabel, cfg->flowlabel);
	WRITE_ONCE(c->cfg.l2, cfg->l2);
	WRITE_ONCE(c->cfg.postnat, cfg->postnat);
	fm_parse_opts_set(fn, cfg);
	fm_cache_flush(fn);
}

/* Buckets per CPU that a cache with settings cfg would have. */
unsigned int fm_cache_nbuckets(const struct fm_cache_cfg *cfg)
{
	return fm_table_nbuckets(fm_cpu_limit(cfg), cfg->hash_size);
}

/*
 * The most buckets per CPU anyone but the host's admin may give a netns:
 * as many as hash_size 0 derives from the netns flow limit, so that the
 * buckets of all CPUs take at most about 16 bytes per flow of the limit.
 */
unsigned int fm_netns_max_buckets(void)
{
	struct fm_cache_cfg cfg = { .max_flows = READ_ONCE(fm_netns_max_flows) };

	return fm_cache_nbuckets(&cfg);
}

static void fm_table_init(struct fm_net *fn, struct fm_cache *c,
			  struct fm_table *t, int cpu, unsigned int limit)
{
	t->fn = fn;
	t->cache = c;
	t->cpu = cpu;
	t->limit = limit;
	t->mask = fm_table_nbuckets(limit, c->cfg.hash_size) - 1;
	/*
	 * The ring absorbs what the packet path ends while the work waits
	 * for the CPU or sweeps the table: sized to the table once busy
	 * (cache_ring.c).
	 */
	t->ring_full = fm_ring_full_size(t->mask + 1);
	t->parked = true;
	fm_table_clock(t);
	t->next_scan = (u32)jiffies;
	INIT_DELAYED_WORK(&t->work, fm_table_work);
}

/* The memory cgroup c charges, with a reference (NULL: none). */
static struct mem_cgroup *fm_cache_memcg_get(struct fm_cache *c)
{
	struct mem_cgroup *memcg;

	rcu_read_lock();
	memcg = rcu_dereference(c->memcg);
#ifdef CONFIG_MEMCG
	/* c's own reference is put only a grace period after a change */
	if (memcg && !css_tryget(&memcg->css))
		memcg = NULL;
#endif
	rcu_read_unlock();
	return memcg;
}

/*
 * The storage of t: buckets and a small ring (cache_ring.c), 36 KiB at
 * the default size; a bigger ring and the work's batch come only while
 * the table has flows. Only a CPU that is online gets it, the first time
 * it is online in the cache's life (fm_cache_create(),
 * fm_cpu_prepare()), so what a netns costs follows the CPUs that can
 * carry its traffic, not the possible ones (a VM may have 4 online of
 * 256 possible). Charged to the cache's memory cgroup, whoever's context
 * this is (the hotplug thread, for a CPU coming up).
 */
int fm_table_alloc(struct fm_cache *c, struct fm_table *t)
{
	struct fm_entry __rcu **buckets;
	int node = cpu_to_node(t->cpu);
	struct mem_cgroup *memcg, *old;
	int err;

	if (t->buckets)		/* its CPU was online before */
		return 0;
	memcg = fm_cache_memcg_get(c);
	old = set_active_memcg(memcg);
	buckets = kvzalloc_node(array_size(t->mask + 1, sizeof(*buckets)),
				FM_GFP_TABLE, node);
	err = buckets ? fm_ring_alloc(c, t, node) : -ENOMEM;
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	if (err) {
		kvfree(buckets);
		return err;
	}
	smp_store_release(&t->buckets, buckets);	/* readers: fm_table_buckets() */
	return 0;
}

/*
 * size bytes for c's tables, zeroed, in pages (kmalloc would round a
 * 22 KiB batch up to 32 KiB), charged to c's memory cgroup: the expiry
 * work's, which runs in a kworker. Process context.
 */
void *fm_cache_vzalloc(struct fm_cache *c, size_t size)
{
	struct mem_cgroup *memcg = fm_cache_memcg_get(c), *old;
	void *p;

	old = set_active_memcg(memcg);
	p = __vmalloc(size, FM_GFP_TABLE | __GFP_ZERO);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	return p;
}

static void fm_table_free(struct fm_table *t)
{
	fm_table_drop_requests(t);
	fm_table_free_graves(t);
	kvfree(t->buckets);
	fm_ring_free(t);
}

/* Free a cache nothing uses any more: no packet, reader or work. */
static void fm_cache_destroy(struct fm_cache *c)
{
	int cpu;

	synchronize_rcu();	/* for the graves */
	for_each_possible_cpu(cpu)
		fm_table_free(per_cpu_ptr(c->tables, cpu));
	free_percpu(c->tables);
	fm_merge_destroy(c->merge);
	mem_cgroup_put(rcu_dereference_protected(c->memcg, 1));	/* unused */
	kfree(c);
}

/* A cache for fn with settings cfg, its works not started. */
static struct fm_cache *fm_cache_create(struct fm_net *fn,
					const struct fm_cache_cfg *cfg)
{
	unsigned int limit = fm_cpu_limit(cfg);
	struct fm_cache *c;
	int cpu, err = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->cfg = *cfg;
	atomic_set(&c->budget, cfg->max_flows);
	c->budget_batch = fm_budget_batch(cfg);
	get_random_bytes(&c->hkey, sizeof(c->hkey));
	/* the allocations here are charged to current's cgroup too */
	RCU_INIT_POINTER(c->memcg, get_mem_cgroup_from_mm(current->mm));
	c->tables = alloc_percpu_gfp(struct fm_table, GFP_KERNEL_ACCOUNT);
	if (!c->tables) {
		mem_cgroup_put(rcu_dereference_protected(c->memcg, 1));
		kfree(c);
		return ERR_PTR(-ENOMEM);
	}
	for_each_possible_cpu(cpu)
		fm_table_init(fn, c, per_cpu_ptr(c->tables, cpu), cpu, limit);
	c->merge = fm_merge_create(fn, c, &c->cfg);
	if (!c->merge) {
		fm_cache_destroy(c);
		return ERR_PTR(-ENOMEM);
	}
	/*
	 * Storage for every CPU that comes up from now on (fm_cpu_prepare()),
	 * then for those online already that have none: the callback and
	 * this loop exclude each other through the hotplug lock.
	 */
	err = cpuhp_state_add_instance_nocalls(fm_cpuhp_dead, &c->cpu_dead);
	if (err) {
		fm_cache_destroy(c);
		return ERR_PTR(err);
	}
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct fm_table *t = per_cpu_ptr(c->tables, cpu);

		err = fm_table_alloc(c, t);
		if (err)
			break;
	}
	cpus_read_unlock();
	if (err) {
		cpuhp_state_remove_instance_nocalls(fm_cpuhp_dead, &c->cpu_dead);
		fm_cache_destroy(c);
		return ERR_PTR(err);
	}
	return c;
}

/*
 * Works run on online CPUs. Every table starts parked; once the hotplug
 * callbacks follow CPUs coming and going, those online now and not yet
 * started by a callback are started here.
 */
static void fm_cache_start(struct fm_cache *c)
{
	int cpu;

	cpuhp_state_add_instance_nocalls(fm_cpuhp_online, &c->cpu_online);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct fm_table *t = per_cpu_ptr(c->tables, cpu);

		if (t->parked) {
			WRITE_ONCE(t->parked, false);
			queue_delayed_work_on(cpu, fm_wq, &t->work, HZ);
		}
	}
	cpus_read_unlock();
}

/*
 * No packet reaches c any more: stop its works, then end every flow still
 * cached (FM_END_FORCED) and hand it to the exporter.
 */
static void fm_cache_halt(struct fm_cache *c)
{
	struct fm_table *t;
	int cpu;

	cpuhp_state_remove_instance_nocalls(fm_cpuhp_online, &c->cpu_online);
	cpuhp_state_remove_instance_nocalls(fm_cpuhp_dead, &c->cpu_dead);
	WRITE_ONCE(c->stopping, true);
	for_each_possible_cpu(cpu)
		cancel_delayed_work_sync(&per_cpu_ptr(c->tables, cpu)->work);
	for_each_possible_cpu(cpu) {
		t = per_cpu_ptr(c->tables, cpu);
		fm_table_drop_requests(t);
		fm_table_expire(t, true, 0, t->mask + 1);
	}
	fm_merge_flush(c->merge);	/* every piece is in: no more to wait for */
	/*
	 * Nothing may have queued them again: fm_table_kick() and the work
	 * itself check stopping. A work queued now would run on freed
	 * tables but for the cancel below, so a broken invariant is loud.
	 */
	for_each_possible_cpu(cpu) {
		t = per_cpu_ptr(c->tables, cpu);
		WARN_ON_ONCE(delayed_work_pending(&t->work));
		cancel_delayed_work_sync(&t->work);
	}
}

int fm_cache_init(struct fm_net *fn)
{
	struct fm_cache_cfg cfg = fm_cache_defaults;
	struct fm_cache *c;

	/*
	 * Every netns has its own tables, and a host may have thousands of
	 * containers: beyond the initial netns they start with at most
	 * FM_NETNS_BUCKETS buckets per CPU unless hash_size is set
	 * (flowctl set hash-size grows them where many flows are metered),
	 * and with the netns flow limit at most.
	 */
	if (!net_eq(fn->net, &init_net)) {
		cfg.max_flows = min(cfg.max_flows, READ_ONCE(fm_netns_max_flows));
		if (!cfg.hash_size)
			cfg.hash_size = min(fm_table_nbuckets(fm_cpu_limit(&cfg), 0),
					    FM_NETNS_BUCKETS);
	}
	c = fm_cache_create(fn, &cfg);

	if (IS_ERR(c))
		return PTR_ERR(c);
	fm_parse_opts_set(fn, &c->cfg);
	RCU_INIT_POINTER(fn->cache, c);
	fm_cache_start(c);
	return 0;
}

/*
 * The hooks are gone and a grace period has passed since: end and export
 * every flow.
 */
void fm_cache_stop(struct fm_net *fn)
{
	fm_cache_halt(fm_cache_own(fn));
}

void fm_cache_free(struct fm_net *fn)
{
	struct fm_cache *c = fm_cache_own(fn);

	if (!c)
		return;
	RCU_INIT_POINTER(fn->cache, NULL);
	fm_cache_destroy(c);
}

/*
 * A new hash size, cfg->hash_size buckets per CPU (0: as many as the
 * per-CPU flow limit): a new cache of that size, with the settings cfg,
 * takes over, then the old one's flows end (FM_END_FORCED) and are
 * exported. Packets and readers move to the new cache as they next look;
 * a dump running across the change may miss or repeat flows. Under
 * conf_lock.
 */
int fm_cache_resize(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	struct fm_cache *old = rcu_dereference_protected(fn->cache,
					lockdep_is_held(&fn->conf_lock));
	struct fm_cache *new;

	if (fm_table_nbuckets(fm_cpu_limit(cfg), cfg->hash_size) ==
	    raw_cpu_ptr(old->tables)->mask + 1) {
		old->cfg.hash_size = cfg->hash_size;
		return 0;
	}
	new = fm_cache_create(fn, cfg);
	if (IS_ERR(new))
		return PTR_ERR(new);
	fm_cache_start(new);
	fm_parse_opts_set(fn, &new->cfg);
	rcu_assign_pointer(fn->cache, new);
	synchronize_net();	/* no packet or reader holds the old one */
	fm_cache_halt(old);
	fm_cache_destroy(old);
	return 0;
}
