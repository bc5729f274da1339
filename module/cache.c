// SPDX-License-Identifier: GPL-2.0
/*
 * The flow cache: one hash table per CPU, per netns.
 *
 * Concurrency model. A CPU's table is written only on that CPU:
 *  - by the packet path (softirq, or process context inside
 *    local_bh_disable() for locally generated packets), and
 *  - by that CPU's expiry work, which holds local_bh_disable() whenever
 *    it touches the table.
 * On !PREEMPT_RT, BH-disabled sections on one CPU cannot interleave; on
 * PREEMPT_RT, local_bh_disable() takes the CPU's softirq lock and disables
 * migration, which gives the same exclusion. So the packet path needs no
 * lock and no atomic instruction, and writes only its own CPU's memory.
 *
 * Flows that end on the packet path (TCP FIN/RST, eviction when the table
 * is full) are copied to the CPU's ring of finished records, also written
 * only by that CPU; the expiry work drains it and hands records to the
 * exporter in batches, in process context, with no lock held. A full ring
 * drops the record and counts it: memory never grows past the table limit
 * plus the ring.
 *
 * Readers on other CPUs (procfs, netlink dumps) walk chains under
 * rcu_read_lock(). An entry taken out of its chain keeps its next pointer
 * and goes on the CPU's grave list, linked through the bytes field after
 * packets was zeroed, so readers skip it; the expiry work frees the
 * graves once an RCU grace period has passed since they were buried.
 * (Freeing through SLAB_TYPESAFE_BY_RCU would be simpler, but moves the
 * slab's free pointer out of the object: 72 bytes instead of 64.) Graves
 * count against a second limit, the flow limit or FM_GRAVES_MIN if more,
 * so memory stays bounded even while a flood of new flows evicts old
 * ones; past half of it the work is kicked to reap them.
 * Readers only report: a counter may lag by the packets in flight.
 *
 * Teardown: the netns's hooks are unregistered first (synchronize_net()
 * waits for packets in flight), then the works are cancelled; after that
 * nothing else touches the tables and fm_cache_stop() flushes them from
 * any CPU.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "cache.h"

#define FM_RING_SIZE	256	/* finished records waiting per CPU */
#define FM_BATCH	64	/* records per fm_export_records() call */
#define FM_EVICT_SCAN	8	/* buckets searched for an eviction victim */
#define FM_SCAN_CHUNK	256	/* buckets scanned per BH-disabled stretch */
#define FM_GRAVES_MIN	4096	/* graves allowed even to a small table */

struct fm_table {
	struct fm_entry __rcu **buckets;
	unsigned int mask;
	unsigned int count;		/* entries in the table */
	unsigned int limit;		/* max entries of this CPU */
	u32 sample_count;		/* deterministic sampling: packets left */
	unsigned int ring_head;		/* ring[ring_head % SIZE] is next out */
	unsigned int ring_len;
	bool flush;			/* expire everything at next run */
	unsigned int ngraves;		/* buried, not yet freed */
	struct fm_entry *graves;	/* buried since old_cookie was taken */
	struct fm_entry *old_graves;	/* free when old_cookie's GP is over */
	unsigned long old_cookie;
	struct fm_record *ring;
	struct fm_record *batch;	/* the work's export buffer */
	struct fm_net *fn;
	int cpu;
	struct delayed_work work;
};

struct fm_cache {
	struct fm_table __percpu *tables;
	struct fm_cache_cfg cfg;
	u32 seed;
	bool stopping;
};

struct fm_cache_cfg fm_cache_defaults = {
	.active_timeout = 1800,
	.inactive_timeout = 15,
	.max_flows = 262144,
	.sampling_rate = 1,
	.sampling_mode = FM_SAMPLING_DETERMINISTIC,
};

static struct kmem_cache *fm_entry_cache_v4 __read_mostly;
static struct kmem_cache *fm_entry_cache_v6 __read_mostly;
static struct workqueue_struct *fm_wq __read_mostly;

static u32 fm_hash(const struct fm_cache *c, const struct fm_key *key)
{
	return fm_key_hash(key, c->seed);
}

static void fm_entry_free(struct fm_entry *e)
{
	kmem_cache_free(e->key.kflags & FM_KF_IPV6 ? fm_entry_cache_v6 :
			fm_entry_cache_v4, e);
}

/* e is out of its chain: free it once no RCU reader can still see it. */
static unsigned int fm_graves_limit(const struct fm_table *t)
{
	return max(READ_ONCE(t->limit), FM_GRAVES_MIN);
}

static void fm_entry_bury(struct fm_table *t, struct fm_entry *e)
{
	WRITE_ONCE(e->packets, 0);
	smp_wmb();	/* readers that see the grave link see packets 0 */
	e->grave = t->graves;
	t->graves = e;
	if (++t->ngraves == fm_graves_limit(t) / 2)
		mod_delayed_work_on(t->cpu, fm_wq, &t->work, 0);
}

static unsigned int fm_graves_free(struct fm_entry *e)
{
	unsigned int n = 0;

	while (e) {
		struct fm_entry *next = e->grave;

		fm_entry_free(e);
		e = next;
		n++;
	}
	return n;
}

/*
 * Expiry work, on t's CPU: free the graves of the previous round if their
 * grace period is over, then start one for the graves dug since.
 */
static void fm_table_reap(struct fm_table *t)
{
	struct fm_entry *old = NULL;

	/* Many graves: wait for the grace period rather than drop flows. */
	if (READ_ONCE(t->ngraves) >= fm_graves_limit(t) / 2)
		cond_synchronize_rcu(t->old_cookie);
	local_bh_disable();
	if (t->old_graves && poll_state_synchronize_rcu(t->old_cookie)) {
		old = t->old_graves;
		t->old_graves = NULL;
	}
	local_bh_enable();
	if (old) {
		unsigned int n = fm_graves_free(old);

		local_bh_disable();
		t->ngraves -= n;
		local_bh_enable();
	}
	local_bh_disable();
	if (!t->old_graves && t->graves) {
		t->old_graves = t->graves;
		t->graves = NULL;
		t->old_cookie = start_poll_synchronize_rcu();
	}
	local_bh_enable();
}

static void fm_entry_record(const struct fm_entry *e, struct fm_record *r,
			    u8 reason, u32 now, u64 now_ms)
{
	memset(r, 0, sizeof(*r));
	memcpy(&r->key, &e->key, fm_key_len(&e->key));
	r->packets = e->packets;
	r->bytes = e->bytes;
	r->start_ms = now_ms - jiffies_to_msecs(now - e->first);
	r->end_ms = now_ms - jiffies_to_msecs(now - e->last);
	r->tcp_flags = e->tcp_flags;
	r->ttl_min = e->ttl_min;
	r->ttl_max = e->ttl_max;
	r->end_reason = reason;
	r->rflags = e->rflags;
}

static u64 fm_now_ms(void)
{
	return ktime_get_real_ns() / NSEC_PER_MSEC;
}

/*
 * Unlink e (found through *pprev) and free it, after queueing its record
 * for export. Packet path or expiry work, BH disabled, own CPU.
 */
static void fm_entry_end(struct fm_table *t, struct fm_stats *st,
			 struct fm_entry __rcu **pprev, struct fm_entry *e,
			 u8 reason)
{
	rcu_assign_pointer(*pprev, fm_entry_deref(&e->next));
	t->count--;
	st->flows_expired[reason]++;
	if (likely(t->ring_len < FM_RING_SIZE)) {
		unsigned int i = (t->ring_head + t->ring_len) % FM_RING_SIZE;

		fm_entry_record(e, &t->ring[i], reason, (u32)jiffies,
				fm_now_ms());
		if (++t->ring_len == FM_RING_SIZE / 2)
			mod_delayed_work_on(t->cpu, fm_wq, &t->work, 0);
	} else {
		st->records_dropped++;
	}
	fm_entry_bury(t, e);
}

/*
 * The table is full: end the least recently used flow of the bucket the
 * new flow goes to, or of the next few buckets. Returns false when none
 * of them holds a flow to evict.
 */
static bool fm_evict(struct fm_table *t, struct fm_stats *st, u32 hash)
{
	struct fm_entry __rcu **vprev = NULL;
	struct fm_entry *victim = NULL;
	unsigned int i;

	for (i = 0; i < FM_EVICT_SCAN && !victim; i++) {
		struct fm_entry __rcu **pprev = &t->buckets[(hash + i) & t->mask];
		struct fm_entry *e;

		for (e = fm_entry_deref(pprev); e; e = fm_entry_deref(pprev)) {
			if (!victim || (s32)(e->last - victim->last) < 0) {
				victim = e;
				vprev = pprev;
			}
			pprev = &e->next;
		}
	}
	if (!victim)
		return false;
	fm_entry_end(t, st, vprev, victim, FM_END_RESOURCES);
	return true;
}

static struct fm_entry *fm_entry_new(struct fm_table *t, struct fm_stats *st,
				     const struct fm_key *key, u32 hash)
{
	unsigned int limit = READ_ONCE(t->limit);
	bool v6 = key->kflags & FM_KF_IPV6;
	struct fm_entry __rcu **head;
	struct fm_entry *e;

	if (unlikely(t->ngraves >= fm_graves_limit(t)) ||
	    (unlikely(t->count >= limit) && !fm_evict(t, st, hash))) {
		st->flows_dropped++;
		return NULL;
	}
	e = kmem_cache_alloc(v6 ? fm_entry_cache_v6 : fm_entry_cache_v4,
			     GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!e)) {
		st->flows_nomem++;
		return NULL;
	}
	head = &t->buckets[hash & t->mask];
	fm_entry_start(e, key, (u32)jiffies, head);
	t->count++;
	st->flows_created++;
	return e;
}

/* Packet path: count one packet of key in this CPU's table. BH disabled. */
void fm_cache_update(struct fm_net *fn, struct fm_stats *st,
		     const struct fm_key *key, const struct fm_pktinfo *pi)
{
	struct fm_table *t = this_cpu_ptr(fn->cache->tables);
	u32 hash = fm_hash(fn->cache, key);
	struct fm_entry __rcu **head = &t->buckets[hash & t->mask];
	struct fm_entry __rcu **pprev = fm_chain_find(head, key);
	struct fm_entry *e = fm_entry_deref(pprev);
	u32 now = (u32)jiffies;

	if (!e) {
		e = fm_entry_new(t, st, key, hash);
		if (unlikely(!e))
			return;
		pprev = head;	/* new entries go first */
	}
	fm_entry_count(e, pi, now);
	if (unlikely(pi->tcp_flags & (FM_TCP_FIN | FM_TCP_RST)))
		fm_entry_end(t, st, pprev, e, FM_END_EOF);
}

/* Packet path, BH disabled: true if sampling leaves this packet out. */
bool fm_sample_skip(struct fm_net *fn)
{
	const struct fm_cache_cfg *cfg = &fn->cache->cfg;
	struct fm_table *t;

	u32 rate = READ_ONCE(cfg->sampling_rate);

	if (likely(rate <= 1))
		return false;
	if (READ_ONCE(cfg->sampling_mode) == FM_SAMPLING_RANDOM)
		return get_random_u32_below(rate) != 0;
	t = this_cpu_ptr(fn->cache->tables);
	if (t->sample_count) {
		t->sample_count--;
		return true;
	}
	t->sample_count = rate - 1;
	return false;
}

static bool fm_entry_expired(const struct fm_cache_cfg *cfg,
			     const struct fm_entry *e, u32 now, u8 *reason)
{
	if (now - e->last >= READ_ONCE(cfg->inactive_timeout) * HZ) {
		*reason = FM_END_IDLE;
		return true;
	}
	if (now - e->first >= READ_ONCE(cfg->active_timeout) * HZ) {
		*reason = FM_END_ACTIVE;
		return true;
	}
	return false;
}

/*
 * Move finished flows of t into its batch and export each full batch.
 * With all set, every flow ends (FM_END_FORCED). Runs on t's CPU from its
 * work, or, once the packet path and the work are stopped, from anywhere.
 */
static void fm_table_expire(struct fm_table *t, bool all)
{
	const struct fm_cache_cfg *cfg = &t->fn->cache->cfg;
	unsigned int n = 0, b = 0;
	struct fm_stats *st;
	u64 now_ms;
	u32 now;

	local_bh_disable();
	while (b <= t->mask || t->ring_len) {
		unsigned int end = min(b + FM_SCAN_CHUNK, t->mask + 1);

		st = this_cpu_ptr(t->fn->stats);
		u64_stats_update_begin(&st->syncp);
		now = (u32)jiffies;
		now_ms = fm_now_ms();
		for (; t->ring_len && n < FM_BATCH; t->ring_len--) {
			t->batch[n++] = t->ring[t->ring_head];
			t->ring_head = (t->ring_head + 1) % FM_RING_SIZE;
		}
		for (; b < end && n < FM_BATCH; b++) {
			struct fm_entry __rcu **pprev = &t->buckets[b];
			struct fm_entry *e;
			u8 reason = FM_END_FORCED;

			for (e = fm_entry_deref(pprev); e && n < FM_BATCH;
			     e = fm_entry_deref(pprev)) {
				if (!all && !fm_entry_expired(cfg, e, now, &reason)) {
					pprev = &e->next;
					continue;
				}
				fm_entry_record(e, &t->batch[n++], reason, now,
						now_ms);
				rcu_assign_pointer(*pprev, fm_entry_deref(&e->next));
				t->count--;
				st->flows_expired[reason]++;
				fm_entry_bury(t, e);
			}
			if (e)		/* batch full mid-chain: redo bucket */
				break;
		}
		u64_stats_update_end(&st->syncp);
		local_bh_enable();
		if (n == FM_BATCH || (n && b > t->mask && !t->ring_len)) {
			fm_export_records(t->fn, t->batch, n);
			n = 0;
		}
		cond_resched();
		local_bh_disable();
	}
	local_bh_enable();
	if (n)
		fm_export_records(t->fn, t->batch, n);
}

static void fm_table_work(struct work_struct *work)
{
	struct fm_table *t = container_of(to_delayed_work(work),
					  struct fm_table, work);
	bool all = READ_ONCE(t->flush);

	fm_table_reap(t);
	fm_table_expire(t, all);
	if (all)
		WRITE_ONCE(t->flush, false);
	if (!READ_ONCE(t->fn->cache->stopping))
		queue_delayed_work_on(t->cpu, fm_wq, &t->work, HZ);
}

/* Expire every flow now (FM_END_FORCED), on each CPU by its own work. */
int fm_cache_flush(struct fm_net *fn)
{
	struct fm_cache *c = fn->cache;
	int cpu;

	for_each_online_cpu(cpu) {
		struct fm_table *t = per_cpu_ptr(c->tables, cpu);

		WRITE_ONCE(t->flush, true);
		mod_delayed_work_on(cpu, fm_wq, &t->work, 0);
	}
	for_each_online_cpu(cpu)
		flush_delayed_work(&per_cpu_ptr(c->tables, cpu)->work);
	return 0;
}

const struct fm_cache_cfg *fm_cache_config(struct fm_net *fn)
{
	return &fn->cache->cfg;
}

unsigned int fm_cache_count(struct fm_net *fn)
{
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(fn->cache->tables, cpu)->count);
	return n;
}

/* Every table has the same number of buckets. */
unsigned long fm_cache_buckets(struct fm_net *fn)
{
	return (unsigned long)nr_cpu_ids *
	       (raw_cpu_ptr(fn->cache->tables)->mask + 1);
}

int fm_cache_walk_bucket(struct fm_net *fn, unsigned long pos,
			 int (*cb)(const struct fm_record *r, int cpu, void *arg),
			 void *arg)
{
	struct fm_cache *c = fn->cache;
	unsigned long nb = raw_cpu_ptr(c->tables)->mask + 1;
	unsigned int cpu = pos / nb, b = pos % nb;
	const struct fm_entry *e;
	struct fm_table *t;
	struct fm_record r;
	u64 now_ms;
	u32 now;
	int err = 0;

	if (cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return cpu >= nr_cpu_ids ? -ENOENT : 0;
	t = per_cpu_ptr(c->tables, cpu);
	now_ms = fm_now_ms();
	now = (u32)jiffies;
	rcu_read_lock();
	for (e = rcu_dereference(t->buckets[b]); e && !err;
	     e = rcu_dereference(e->next)) {
		struct fm_entry copy;

		/* bytes first: a buried entry's is a link, its packets 0 */
		copy.bytes = READ_ONCE(e->bytes);
		smp_rmb();
		copy.packets = READ_ONCE(e->packets);
		if (!copy.packets)
			continue;
		copy.first = e->first;
		copy.last = e->last;
		copy.tcp_flags = e->tcp_flags;
		copy.ttl_min = e->ttl_min;
		copy.ttl_max = e->ttl_max;
		copy.rflags = e->rflags;
		memcpy(&copy.key, &e->key, fm_key_len(&e->key));
		fm_entry_record(&copy, &r, 0, now, now_ms);
		err = cb(&r, cpu, arg);
	}
	rcu_read_unlock();
	return err;
}

/*
 * Apply new settings. Timeouts and the flow limit take effect at once
 * (a lower limit evicts as new flows come); a change to what a flow is
 * (sampling, flow label) first ends every cached flow.
 */
void fm_cache_configure(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	struct fm_cache *c = fn->cache;
	unsigned int limit = max(cfg->max_flows / num_possible_cpus(), 1U);
	bool flush = cfg->sampling_rate != c->cfg.sampling_rate ||
		     cfg->sampling_mode != c->cfg.sampling_mode ||
		     cfg->flowlabel != c->cfg.flowlabel;
	int cpu;

	WRITE_ONCE(c->cfg.active_timeout, cfg->active_timeout);
	WRITE_ONCE(c->cfg.inactive_timeout, cfg->inactive_timeout);
	WRITE_ONCE(c->cfg.max_flows, cfg->max_flows);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(c->tables, cpu)->limit, limit);
	if (!flush)
		return;
	WRITE_ONCE(c->cfg.sampling_rate, cfg->sampling_rate);
	WRITE_ONCE(c->cfg.sampling_mode, cfg->sampling_mode);
	WRITE_ONCE(c->cfg.flowlabel, cfg->flowlabel);
	fm_cache_flush(fn);
}

static int fm_table_init(struct fm_net *fn, struct fm_table *t, int cpu,
			 unsigned int limit)
{
	unsigned int nb = roundup_pow_of_two(max(limit, 16U));
	int node = cpu_to_node(cpu);

	t->fn = fn;
	t->cpu = cpu;
	t->limit = limit;
	t->mask = nb - 1;
	INIT_DELAYED_WORK(&t->work, fm_table_work);
	t->buckets = kvzalloc_node(array_size(nb, sizeof(*t->buckets)),
				   GFP_KERNEL, node);
	t->ring = kvzalloc_node(array_size(FM_RING_SIZE, sizeof(*t->ring)),
				GFP_KERNEL, node);
	t->batch = kvzalloc_node(array_size(FM_BATCH, sizeof(*t->batch)),
				 GFP_KERNEL, node);
	if (!t->buckets || !t->ring || !t->batch)
		return -ENOMEM;
	return 0;
}

static void fm_table_free(struct fm_table *t)
{
	fm_graves_free(t->old_graves);
	fm_graves_free(t->graves);
	kvfree(t->buckets);
	kvfree(t->ring);
	kvfree(t->batch);
}

int fm_cache_init(struct fm_net *fn)
{
	struct fm_cache *c;
	unsigned int limit;
	int cpu, err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->cfg = fm_cache_defaults;
	c->seed = get_random_u32();
	c->tables = alloc_percpu(struct fm_table);
	if (!c->tables) {
		kfree(c);
		return -ENOMEM;
	}
	fn->cache = c;

	limit = max(c->cfg.max_flows / num_possible_cpus(), 1U);
	for_each_possible_cpu(cpu) {
		err = fm_table_init(fn, per_cpu_ptr(c->tables, cpu), cpu, limit);
		if (err) {
			fm_cache_free(fn);
			return err;
		}
	}
	for_each_possible_cpu(cpu)
		queue_delayed_work_on(cpu, fm_wq,
				      &per_cpu_ptr(c->tables, cpu)->work, HZ);
	return 0;
}

/*
 * The hooks are gone: stop the works, then end every flow still cached
 * (FM_END_FORCED) and hand it to the exporter.
 */
void fm_cache_stop(struct fm_net *fn)
{
	struct fm_cache *c = fn->cache;
	int cpu;

	WRITE_ONCE(c->stopping, true);
	for_each_possible_cpu(cpu)
		cancel_delayed_work_sync(&per_cpu_ptr(c->tables, cpu)->work);
	for_each_possible_cpu(cpu)
		fm_table_expire(per_cpu_ptr(c->tables, cpu), true);
}

void fm_cache_free(struct fm_net *fn)
{
	struct fm_cache *c = fn->cache;
	int cpu;

	if (!c)
		return;
	synchronize_rcu();	/* for the graves */
	for_each_possible_cpu(cpu)
		fm_table_free(per_cpu_ptr(c->tables, cpu));
	free_percpu(c->tables);
	kfree(c);
	fn->cache = NULL;
}

int fm_cache_module_init(void)
{
	fm_entry_cache_v4 = kmem_cache_create("flowmeter_flow4",
					      FM_ENTRY_SIZE_V4, 0, 0, NULL);
	fm_entry_cache_v6 = kmem_cache_create("flowmeter_flow6",
					      FM_ENTRY_SIZE_V6, 0, 0, NULL);
	fm_wq = alloc_workqueue("flowmeter", 0, 0);
	if (!fm_entry_cache_v4 || !fm_entry_cache_v6 || !fm_wq) {
		fm_cache_module_exit();
		return -ENOMEM;
	}
	return 0;
}

void fm_cache_module_exit(void)
{
	if (fm_wq)
		destroy_workqueue(fm_wq);
	kmem_cache_destroy(fm_entry_cache_v4);
	kmem_cache_destroy(fm_entry_cache_v6);
}
