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
 * exporter in batches, in process context, with no lock held, through
 * the merge (merge.c) that makes a flow's pieces on several CPUs one
 * record. A full ring
 * drops the record and counts it: memory never grows past the table limit
 * plus the ring.
 *
 * Readers on other CPUs (procfs, netlink dumps) walk chains under
 * rcu_read_lock(). A full table makes room for a new flow by ending the
 * least recently used flow of the new flow's bucket and rewriting that
 * entry in place for the new flow (fm_entry_reuse()): the chain does not
 * change, and a generation count in the entry, odd while the rewrite is
 * under way, lets readers tell a torn copy and skip it. (A reader may
 * then show a flow that is ending and coming back in the same instant
 * twice, or neither of the two flows of a rewritten entry: a listing is
 * a snapshot taken while traffic flows.) Otherwise an entry taken out
 * of its chain keeps its next pointer and goes on the CPU's grave list,
 * linked through the bytes field after packets was zeroed, so readers
 * skip it; the expiry work frees the graves once an RCU grace period has
 * passed since they were buried.
 * (Freeing through SLAB_TYPESAFE_BY_RCU would be simpler, but moves the
 * slab's free pointer out of the object: 72 bytes instead of 64.) Graves
 * count against a second limit, the flow limit or FM_GRAVES_MIN if more,
 * so memory stays bounded even while a flood of new flows evicts old
 * ones; past half of it the work is kicked to reap them.
 * Readers only report: a counter may lag by the packets in flight.
 *
 * Teardown: the netns's hooks are unregistered first, in the pernet
 * pre_exit. That does not wait for CPUs still inside the hook, so a
 * synchronize_net() follows before fm_cache_stop(): then no packet
 * touches the tables, the works are cancelled (and may not be queued
 * again: checked), and fm_cache_stop() ends the flows from any CPU and
 * exports them while the netns's devices still exist. fm_cache_free(),
 * in the pernet exit, frees the tables after another grace period.
 *
 * Idle cost. A table's storage (buckets, ring, batch) is allocated only
 * for CPUs that come online (fm_table_alloc()), and a work whose table
 * has nothing to do stops queueing itself until the packet path makes
 * the table's next flow (fm_table_idle(), fm_table_wake()).
 *
 * Memory. Everything a cache allocates is charged to the memory cgroup of
 * the task that last configured it (created the netns, or the cache on a
 * resize, or changed a setting), which the cache keeps a reference to:
 * tables at creation, in that task's context (GFP_KERNEL_ACCOUNT);
 * buckets, rings and batches then or when a CPU comes up, with that
 * cgroup made the active one (set_active_memcg()); and the flow entries
 * (SLAB_ACCOUNT caches) on the packet path, where current is whatever
 * task the softirq interrupted (or none), through set_active_memcg(). A cgroup at its limit gets no more:
 * the allocation fails (flows_nomem, or ENOMEM for the request) instead
 * of the OOM killer running on the host.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/llist.h>
#include <linux/memcontrol.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "cache.h"
#include "merge.h"

#define FM_RING_MIN	1024	/* finished records waiting per CPU: a */
#define FM_RING_MAX	4096	/* 32nd of the buckets, within these */
#define FM_BATCH	128	/* records per fm_export_records() call */
#define FM_EVICT_SCAN	64	/* buckets searched for an eviction victim */
#define FM_SCAN_CHUNK	256	/* buckets scanned per BH-disabled stretch */
#define FM_SWEEP_MAX	16U	/* s: longest sweep of a table for timeouts */
#define FM_NETNS_BUCKETS 4096	/* per CPU, default beyond the initial netns */
#define FM_GRAVES_MIN	4096	/* graves allowed even to a small table */
#define FM_SPARE_MAX	2048	/* freed entries kept per CPU for reuse */
#define FM_REFUSED_MAX	16	/* refused flows remembered per CPU */
#define FM_INFLIGHT_BITS 256	/* fm_table.inflight */
/*
 * Eviction spares established flows (fm_evict_find()): a flow whose
 * packets span FM_ESTABLISHED or more is evicted only once it has been
 * idle for FM_PROTECT_IDLE; until then a new flow that finds no other
 * victim is refused instead.
 */
#define FM_ESTABLISHED	HZ
#define FM_PROTECT_IDLE	(2 * HZ)

/*
 * Tables, buckets, rings: charged, and refused rather than reclaimed for
 * at any cost (no OOM kill for a setting; a hash_size too big for the
 * memory cgroup is a refused request, not a warning in the log).
 */
#define FM_GFP_TABLE	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

struct fm_table {
	/*
	 * NULL until the table's CPU first comes online in the cache's
	 * life (fm_table_alloc()); set once, with release, then kept until
	 * the cache is destroyed. Readers test it; on the table's own CPU
	 * it is never NULL.
	 */
	struct fm_entry __rcu **buckets;
	unsigned int mask;
	unsigned int count;		/* entries in the table */
	unsigned int limit;		/* max entries of this CPU */
	u32 sample_count;		/* deterministic sampling: packets left */
	unsigned int ring_head;		/* ring[ring_head] is next out */
	unsigned int ring_len;
	unsigned int ring_size;		/* a power of 2 */
	bool flush;			/* expire everything at next run */
	bool parked;			/* CPU offline (or going): no work */
	bool asleep;			/* idle: the work is not queued */
	u32 reuses;			/* in-place rewrites begun: fm_entry_snap() */
	u32 clk_jiffies;		/* boot clock at clk_jiffies, for the */
	u64 clk_ms;			/* packet path: see fm_table_now_ms() */
	u32 next_scan;			/* jiffies: the work's next timeout scan */
	unsigned int sweep_pos;		/* the bucket it starts from */
	unsigned long mem;		/* bytes of entries, buried, spare too */
	unsigned int ngraves;		/* buried, not yet freed */
	unsigned int nspare;
	unsigned int spare_taken;	/* since the last timeout scan */
	struct fm_entry *spare[2];	/* past their grace period: v4, v6 */
	u32 refused[FM_REFUSED_MAX];	/* hashes of flows refused lately */
	unsigned int refused_next;	/* the slot the next one takes */
	/*
	 * For the merge of a flow's records across CPUs (merge.c): a bit
	 * per FM_INFLIGHT_BITS-th of the buckets that had a flow ended into
	 * the work's batch, set before the entry leaves its chain, cleared
	 * once the batch is merged: a record of such a bucket's flow may be
	 * on its way. Only the work (or whoever empties the stopped table)
	 * writes it.
	 */
	unsigned long inflight[FM_INFLIGHT_BITS / BITS_PER_LONG];
	struct llist_head requests;	/* fm_merge_req: end these flows */
	struct fm_entry *graves;	/* buried since old_cookie was taken */
	struct fm_entry *old_graves;	/* free when old_cookie's GP is over */
	unsigned long old_cookie;
	struct fm_record *ring;
	struct fm_record *batch;	/* the work's export buffer */
	struct fm_cache *cache;
	struct fm_net *fn;
	int cpu;
	struct delayed_work work;
};

struct fm_cache {
	struct fm_table __percpu *tables;
	struct fm_cache_cfg cfg;
	struct fm_hkey hkey;		/* bucket hash key, per cache */
	/*
	 * Charged for the entries: the packet path reads it under RCU,
	 * fm_cache_charge() replaces it under conf_lock; a reference held
	 * (NULL without memory cgroups).
	 */
	struct mem_cgroup __rcu *memcg;
	struct fm_merge *merge;		/* records of a flow across CPUs */
	bool stopping;
	struct hlist_node cpu_online;	/* CPU hotplug instances */
	struct hlist_node cpu_dead;
};

struct fm_cache_cfg fm_cache_defaults = {
	.active_timeout = 1800,
	.inactive_timeout = 15,
	.max_flows = 262144,
	.sampling_rate = 1,
	.sampling_mode = FM_SAMPLING_DETERMINISTIC,
};

u32 fm_netns_max_flows = FM_NETNS_MAX_FLOWS_DEFAULT;

/*
 * fn->cache is replaced whole when the hash size changes (fm_cache_resize).
 * The packet path and readers find it under RCU, configuration under
 * conf_lock; netns init and exit own it.
 */
static struct fm_cache *fm_cache_rcu(struct fm_net *fn)
{
	return rcu_dereference_check(fn->cache,
				     lockdep_is_held(&fn->conf_lock));
}

/* Init and teardown: only while no hook of this netns is registered. */
static struct fm_cache *fm_cache_own(struct fm_net *fn)
{
	return rcu_dereference_protected(fn->cache, !fn->nops);
}

/*
 * t's buckets for a reader on any CPU, or NULL if its CPU has never been
 * online (fm_table_alloc()).
 */
static struct fm_entry __rcu **fm_table_buckets(const struct fm_table *t)
{
	return smp_load_acquire(&t->buckets);
}

static struct kmem_cache *fm_entry_cache_v4 __read_mostly;
static struct kmem_cache *fm_entry_cache_v6 __read_mostly;
static unsigned int fm_entry_size[2] __read_mostly;	/* slab objects: v4, v6 */
static struct workqueue_struct *fm_wq __read_mostly;
static int fm_cpuhp_online __read_mostly = -1;	/* dynamic hotplug states */
static int fm_cpuhp_dead __read_mostly = -1;

static u32 fm_hash(const struct fm_cache *c, const struct fm_key *key)
{
	return fm_key_hash(key, &c->hkey);
}

static struct kmem_cache *fm_entry_cache(const struct fm_key *key)
{
	return key->kflags & FM_KF_IPV6 ? fm_entry_cache_v6 : fm_entry_cache_v4;
}

static unsigned int fm_entry_v6(const struct fm_key *key)
{
	return key->kflags & FM_KF_IPV6 ? 1 : 0;
}

/* Wake t's expiry work now, unless its CPU is leaving or gone. */
static void fm_table_kick(struct fm_table *t)
{
	/* never once halting: the work was cancelled for good */
	if (!READ_ONCE(t->parked) && !READ_ONCE(t->cache->stopping))
		mod_delayed_work_on(t->cpu, fm_wq, &t->work, 0);
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
		fm_table_kick(t);
}

/* Each CPU's share of the netns's flow limit. */
static unsigned int fm_cpu_limit(const struct fm_cache_cfg *cfg)
{
	return max(cfg->max_flows / num_possible_cpus(), 1U);
}

/* Free a list of graves; returns how many, and their bytes in *mem. */
static unsigned int fm_graves_free(struct fm_entry *e, unsigned long *mem)
{
	unsigned int n = 0;

	*mem = 0;
	while (e) {
		struct fm_entry *next = e->grave;

		*mem += fm_entry_size[fm_entry_v6(&e->key)];
		kmem_cache_free(fm_entry_cache(&e->key), e);
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
	/*
	 * No reader can see these any more: keep some for fm_entry_new()
	 * (a slab round trip per evicted flow, with the object zeroed on
	 * allocation, costs more than the rest of the eviction).
	 */
	while (old && t->nspare < FM_SPARE_MAX) {
		struct fm_entry *e = old;
		unsigned int v6 = fm_entry_v6(&e->key);

		old = e->grave;
		e->grave = t->spare[v6];
		t->spare[v6] = e;
		t->nspare++;
		t->ngraves--;
	}
	local_bh_enable();
	if (old) {
		unsigned long mem;
		unsigned int n = fm_graves_free(old, &mem);

		local_bh_disable();
		t->ngraves -= n;
		t->mem -= mem;
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

/* jiffies to ms, inline where HZ divides 1000 (every x86 config does). */
static inline u32 fm_jiffies_ms(u32 j)
{
#if !(MSEC_PER_SEC % HZ)
	return j * (MSEC_PER_SEC / HZ);
#else
	return jiffies_to_msecs(j);
#endif
}

/*
 * now - then, or 0 if then is later: a reader's now is read before its
 * walk, and the owning CPU may count a packet in an entry after that;
 * the unsigned difference would make that flow end 49 days ago.
 */
static inline u32 fm_jiffies_age(u32 now, u32 then)
{
	return (s32)(now - then) > 0 ? now - then : 0;
}

/*
 * Every byte of *r is written: no memset, and only fixed-size copies, so
 * that the packet path's eviction is a few dozen plain stores.
 */
static void fm_entry_record(const struct fm_entry *e, struct fm_record *r,
			    u8 reason, u32 now, u64 now_ms)
{
	BUILD_BUG_ON(offsetof(struct fm_key, addr) + sizeof(r->key.addr.v4) !=
		     FM_KEY_LEN_V4);
	fm_key_copy(&r->key, &e->key);
	if (!(e->key.kflags & FM_KF_IPV6))
		memset((u8 *)&r->key + FM_KEY_LEN_V4, 0,
		       FM_KEY_LEN_V6 - FM_KEY_LEN_V4);
	r->packets = e->packets;
	r->bytes = e->bytes;
	r->start_ms = now_ms - fm_jiffies_ms(fm_jiffies_age(now, e->first));
	r->end_ms = now_ms - fm_jiffies_ms(fm_jiffies_age(now, e->last));
	r->tcp_flags = e->tcp_flags;
	r->ttl_min = e->ttl_min;
	r->ttl_max = e->ttl_max;
	r->end_reason = reason;
	r->rflags = e->rflags & ~FM_RF_GEN;
	memset(r->pad, 0, sizeof(r->pad));
}

/* Records' times: the boot clock, which no clock step moves (fm_record). */
static u64 fm_now_ms(void)
{
	return ktime_get_boottime_ns() / NSEC_PER_MSEC;
}

/*
 * Boot-clock ms for the packet path without reading a clock there (an
 * emulated HPET read costs more than the rest of the packet): the time
 * the expiry work last noted, advanced by jiffies since. Own CPU, BH
 * disabled.
 */
static u64 fm_table_now_ms(const struct fm_table *t, u32 now)
{
	return t->clk_ms + fm_jiffies_ms(now - t->clk_jiffies);
}

static void fm_table_clock(struct fm_table *t)
{
	t->clk_jiffies = (u32)jiffies;
	t->clk_ms = fm_now_ms();
}

/*
 * The table's first flow since its work went to sleep (fm_table_work()):
 * queue the work again, and take the clock afresh, as its base may be
 * hours old (jiffies since could even have wrapped). Own CPU, BH
 * disabled: the work decides to sleep in a BH-disabled section on this
 * CPU too, so either it saw this flow and stayed queued, or this sees
 * asleep.
 */
static void fm_table_wake(struct fm_table *t, u32 now)
{
	t->asleep = false;
	/* at now, not a later tick: fm_table_now_ms() of now stays sane */
	t->clk_jiffies = now;
	t->clk_ms = fm_now_ms();
	if (!READ_ONCE(t->parked) && !READ_ONCE(t->cache->stopping))
		queue_delayed_work_on(t->cpu, fm_wq, &t->work, HZ);
}

/* Queue e's record for export. Own CPU, BH disabled. */
static void fm_entry_queue(struct fm_table *t, struct fm_stats *st,
			   const struct fm_entry *e, u8 reason)
{
	st->flows_expired[reason]++;
	if (likely(t->ring_len < t->ring_size)) {
		unsigned int i = (t->ring_head + t->ring_len) & (t->ring_size - 1);
		u32 now = (u32)jiffies;

		fm_entry_record(e, &t->ring[i], reason, now,
				fm_table_now_ms(t, now));
		/* early: the work may wait for the CPU a few ms */
		if (++t->ring_len == t->ring_size / 4)
			fm_table_kick(t);
	} else {
		st->records_dropped++;
	}
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
	fm_entry_queue(t, st, e, reason);
	fm_entry_bury(t, e);
}

/*
 * Has e lived long enough, and been quiet briefly enough, to be spared
 * by eviction? A flood of new flows, one or a few packets each, never
 * gets there, so it evicts its own flows and not the long-lived ones of
 * the hosts it runs beside (as conntrack's early drop spares assured
 * connections). A spared flow that goes quiet for FM_PROTECT_IDLE can go:
 * a table full of established flows must still take new ones.
 */
static bool fm_entry_protected(const struct fm_entry *e, u32 now)
{
	return e->last - e->first >= FM_ESTABLISHED &&
	       (s32)(now - e->last) < FM_PROTECT_IDLE;
}

/*
 * The table is full: the victim that makes room for a new flow, the least
 * recently used unprotected flow of the new flow's bucket or, if it has
 * none, of the first of the next buckets that has one (FM_EVICT_SCAN at
 * most, never a bucket twice). *vprev gets the link that points at it,
 * *same says whether it is in the new flow's own bucket. NULL: refuse the
 * new flow. Only a table full of established flows makes the scan long.
 */
static struct fm_entry *fm_evict_find(struct fm_table *t, u32 hash, u32 now,
				      struct fm_entry __rcu ***vprev,
				      bool *same)
{
	unsigned int i, n = min_t(unsigned int, FM_EVICT_SCAN, t->mask + 1);
	struct fm_entry *victim = NULL;

	for (i = 0; i < n && !victim; i++) {
		struct fm_entry __rcu **pprev = &t->buckets[(hash + i) & t->mask];
		struct fm_entry *e;

		for (e = fm_entry_deref(pprev); e; e = fm_entry_deref(pprev)) {
			if (!fm_entry_protected(e, now) &&
			    (!victim || (s32)(e->last - victim->last) < 0)) {
				victim = e;
				*vprev = pprev;
			}
			pprev = &e->next;
		}
	}
	*same = i == 1;
	return victim;
}

/*
 * Make e, still linked where it is, the entry of key: the eviction of a
 * flow of the new flow's own bucket, without unlinking, burying and
 * allocating. Readers on other CPUs may be reading e: the generation in
 * rflags is odd while the fields change (fm_entry_snap() then gives up),
 * and a copy that spans a rewrite sees the generation move. The chain is
 * never changed, so a reader walking it still sees every other entry once.
 */
static void fm_entry_reuse(struct fm_table *t, struct fm_entry *e,
			   const struct fm_key *key, u32 now)
{
	u8 gen = e->rflags & FM_RF_GEN;

	/* before the entry's generation moves: see fm_entry_snap_once() */
	WRITE_ONCE(t->reuses, t->reuses + 1);
	smp_wmb();
	WRITE_ONCE(e->rflags, (gen + FM_RF_GEN_ONE) & FM_RF_GEN);
	smp_wmb();	/* odd before any field changes */
	WRITE_ONCE(e->packets, 0);
	fm_entry_init(e, key, now);
	smp_wmb();	/* the fields before even */
	WRITE_ONCE(e->rflags, (gen + 2 * FM_RF_GEN_ONE) & FM_RF_GEN);
}

/*
 * A new flow was refused (table full of established flows, too many
 * graves, no memory): count it in *ctr, once while it keeps being
 * refused. flows_dropped_* count flows; their packets, which a flow keeps
 * sending while refused, count in packets_dropped. A flow that comes
 * back after FM_REFUSED_MAX others were refused counts again.
 */
static void fm_flow_refused(struct fm_table *t, u64 *ctr, u32 hash)
{
	unsigned int i;

	hash |= 1;	/* 0 marks a free slot */
	for (i = 0; i < FM_REFUSED_MAX; i++)
		if (t->refused[i] == hash)
			return;
	t->refused[t->refused_next] = hash;
	t->refused_next = (t->refused_next + 1) % FM_REFUSED_MAX;
	(*ctr)++;
}

/*
 * A new entry for key, first packet at now, not counted yet, or NULL
 * (refused: counted as a dropped flow); *pprev gets the link that points at it. now is the
 * packet's own jiffies, the one fm_entry_count() stamps as last: a second
 * read here could be a tick later and make the flow end before it began.
 */
static struct fm_entry *fm_entry_new(struct fm_table *t, struct fm_stats *st,
				     const struct fm_key *key, u32 hash,
				     u32 now, bool chain_full,
				     struct fm_entry __rcu ***pprev)
{
	unsigned int v6 = fm_entry_v6(key);
	struct fm_entry __rcu **head;
	struct fm_entry *e;

	/*
	 * A full table, or a full chain (FM_CHAIN_MAX): the victim search
	 * starts at the new flow's own bucket, which for a full chain is
	 * never empty, so the chain does not grow.
	 */
	if (unlikely(t->count >= READ_ONCE(t->limit) || chain_full)) {
		struct fm_entry __rcu **vprev;
		bool same;

		e = fm_evict_find(t, hash, now, &vprev, &same);
		if (!e)
			goto drop;
		if (likely(same && fm_entry_v6(&e->key) == v6)) {
			fm_entry_queue(t, st, e, FM_END_RESOURCES);
			fm_entry_reuse(t, e, key, now);
			st->flows_created++;
			*pprev = vprev;
			return e;
		}
		if (unlikely(t->ngraves >= fm_graves_limit(t)))
			goto drop;
		fm_entry_end(t, st, vprev, e, FM_END_RESOURCES);
	} else if (unlikely(t->ngraves >= fm_graves_limit(t))) {
		goto drop;
	}
	e = t->spare[v6];
	if (e) {
		t->spare[v6] = e->grave;
		t->nspare--;
		t->spare_taken++;
	} else {
		struct mem_cgroup *old;

		/*
		 * Charged to the cache's memory cgroup, not to the task this
		 * softirq interrupted. GFP_NOWAIT, not GFP_ATOMIC: a memory
		 * cgroup lets __GFP_HIGH allocations through past its limit.
		 */
		old = set_active_memcg(rcu_dereference(t->cache->memcg));
		e = kmem_cache_alloc(fm_entry_cache(key),
				     GFP_NOWAIT | __GFP_NOWARN);
		set_active_memcg(old);
		if (unlikely(!e)) {
			fm_flow_refused(t, &st->flows_nomem, hash);
			return NULL;
		}
		t->mem += fm_entry_size[v6];
	}
	head = &t->buckets[hash & t->mask];
	fm_entry_start(e, key, now, head);
	t->count++;
	st->flows_created++;
	*pprev = head;	/* new entries go first */
	if (unlikely(t->asleep))
		fm_table_wake(t, now);
	return e;

drop:
	fm_flow_refused(t, &st->flows_dropped, hash);
	return NULL;
}

/*
 * Sampling: true if it leaves this packet out. The choice is made per
 * skb, so a GSO/GRO skb is kept or left out whole and, once kept, counts
 * as all its segments (pi->packets). Each skb is still picked with
 * probability 1/N, so packets and octets scaled by N stay unbiased
 * estimates of the wire; deterministic 1-in-N then means 1 in N skbs,
 * not 1 in N wire packets, which is what a collector cannot tell apart.
 */
static bool fm_sample_skip(struct fm_cache *c, struct fm_table *t)
{
	const struct fm_cache_cfg *cfg = &c->cfg;
	u32 rate = READ_ONCE(cfg->sampling_rate);

	if (likely(rate <= 1))
		return false;
	if (READ_ONCE(cfg->sampling_mode) == FM_SAMPLING_RANDOM)
		return get_random_u32_below(rate) != 0;
	if (t->sample_count) {
		t->sample_count--;
		return true;
	}
	t->sample_count = rate - 1;
	return false;
}

/*
 * Packet path: count one packet of key in this CPU's table, unless
 * sampling leaves it out or its flow finds no room. BH disabled.
 */
enum fm_verdict fm_cache_update(struct fm_net *fn, struct fm_stats *st,
		     const struct fm_key *key, const struct fm_pktinfo *pi)
{
	struct fm_cache *c = fm_cache_rcu(fn);
	struct fm_table *t = this_cpu_ptr(c->tables);
	struct fm_entry __rcu **head, **pprev;
	struct fm_entry *e;
	unsigned int len;
	u32 hash, now;

	/* every online CPU has its storage; a packet path trusts nothing */
	if (unlikely(!t->buckets))
		return FM_REFUSED;
	if (fm_sample_skip(c, t))
		return FM_SAMPLED_OUT;
	hash = fm_hash(c, key);
	head = &t->buckets[hash & t->mask];
	pprev = fm_chain_find(head, key, &len);
	e = fm_entry_deref(pprev);
	now = (u32)jiffies;
	if (!e) {
		e = fm_entry_new(t, st, key, hash, now, len >= FM_CHAIN_MAX,
				 &pprev);
		if (unlikely(!e))
			return FM_REFUSED;
	}
	fm_entry_count(e, pi, now);
	if (unlikely(pi->tcp_flags & (FM_TCP_FIN | FM_TCP_RST)))
		fm_entry_end(t, st, pprev, e, FM_END_EOF);
	return FM_METERED;
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
 * The work ends a flow of bucket b into its batch: until the batch is
 * merged, a merge that no longer finds the flow in the table must know
 * its record may be on its way (fm_cache_piece()). Set before the entry
 * leaves its chain; the unlink publishes it.
 */
static void fm_table_inflight(struct fm_table *t, unsigned int b)
{
	unsigned int i = b % FM_INFLIGHT_BITS;

	WRITE_ONCE(t->inflight[i / BITS_PER_LONG],
		   t->inflight[i / BITS_PER_LONG] | BIT(i % BITS_PER_LONG));
}

/*
 * The work ends e (of bucket b, found through *pprev) into slot n of its
 * batch. Own CPU, BH disabled, stats update begun.
 */
static void fm_table_take(struct fm_table *t, struct fm_stats *st,
			  struct fm_entry __rcu **pprev, struct fm_entry *e,
			  unsigned int b, unsigned int n, u8 reason, u32 now,
			  u64 now_ms)
{
	fm_entry_record(e, &t->batch[n], reason, now, now_ms);
	fm_table_inflight(t, b);	/* before the unlink */
	rcu_assign_pointer(*pprev, fm_entry_deref(&e->next));
	t->count--;
	st->flows_expired[reason]++;
	fm_entry_bury(t, e);
}

/*
 * Hand the batch's n records to the merge; then none of them is on its
 * way any more. BH enabled.
 */
static void fm_table_merge_batch(struct fm_table *t, unsigned int n)
{
	unsigned int i;

	fm_merge_records(t->cache->merge, t->cpu, t->batch, n);
	smp_wmb();	/* the merge's writes before the bits' clearing */
	for (i = 0; i < ARRAY_SIZE(t->inflight); i++)
		WRITE_ONCE(t->inflight[i], 0);
}

/*
 * Drain t's ring and move the finished flows of buckets b .. stop - 1
 * into its batch, exporting each full batch. With all set, every flow of
 * those buckets ends (FM_END_FORCED). Runs on t's CPU from its work, or,
 * once the packet path and the work are stopped, from anywhere.
 */
static void fm_table_expire(struct fm_table *t, bool all, unsigned int b,
			    unsigned int stop)
{
	const struct fm_cache_cfg *cfg = &t->cache->cfg;
	unsigned int n = 0;
	unsigned int budget = t->ring_size;	/* ring records this run */
	bool drained = false;
	struct fm_stats *st;
	u64 now_ms;
	u32 now;

	local_bh_disable();
	while (b < stop || (t->ring_len && budget)) {
		unsigned int end = min(b + FM_SCAN_CHUNK, stop);
		bool scanning = b < stop;

		/*
		 * Flows the packet path ended: exported straight from the
		 * ring. It only ever writes past ring_len, so these slots
		 * stay as they are until given back. While the table is
		 * scanned (long, for a big one) whenever a quarter of the
		 * ring waits, lest it overflow meanwhile, but once per chunk
		 * at most, so that the scan goes on; after that, a ring's
		 * worth at most, so that a flood of new flows cannot keep
		 * the work here for ever.
		 */
		if (scanning ? !drained && t->ring_len >= t->ring_size / 4 :
			       t->ring_len && budget) {
			unsigned int head = t->ring_head;
			unsigned int k = min(t->ring_len, t->ring_size - head);

			if (!scanning) {
				k = min(k, budget);
				budget -= k;
			}
			local_bh_enable();
			fm_merge_records(t->cache->merge, t->cpu, &t->ring[head], k);
			local_bh_disable();
			t->ring_head = (head + k) & (t->ring_size - 1);
			t->ring_len -= k;
			drained = true;
			continue;
		}
		drained = false;
		st = this_cpu_ptr(t->fn->stats);
		u64_stats_update_begin(&st->syncp);
		now = (u32)jiffies;
		now_ms = fm_table_now_ms(t, now);
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
				fm_table_take(t, st, pprev, e, b, n++, reason,
					      now, now_ms);
			}
			if (e)		/* batch full mid-chain: redo bucket */
				break;
		}
		u64_stats_update_end(&st->syncp);
		local_bh_enable();
		if (n == FM_BATCH || (n && b >= stop)) {
			fm_table_merge_batch(t, n);
			n = 0;
		}
		cond_resched();
		local_bh_disable();
	}
	local_bh_enable();
	if (n)
		fm_table_merge_batch(t, n);
}

/*
 * Does the merge's request apply to e, this CPU's piece of its flow? An
 * idle end only to a piece idle too; any other end to a piece that began
 * before it (one begun since is the flow's next record).
 */
static bool fm_req_applies(const struct fm_table *t, const struct fm_entry *e,
			   const struct fm_merge_req *rq, u32 now)
{
	if (rq->reason == FM_END_IDLE)
		return now - e->last >= READ_ONCE(t->cache->cfg.inactive_timeout) * HZ;
	return (s32)(e->first - rq->cutoff) <= 0;
}

/*
 * The merge asked this CPU to end its piece of some flows (one of their
 * records ended elsewhere): end them as the timeout sweep does, into the
 * work's batch, and merge it. Own CPU, from the work.
 */
static void fm_table_requests(struct fm_table *t)
{
	struct llist_node *list = llist_del_all(&t->requests);
	struct fm_merge_req *rq, *next;
	unsigned int n = 0;

	llist_for_each_entry_safe(rq, next, list, node) {
		unsigned int b = rq->hash & t->mask;
		struct fm_entry __rcu **pprev;
		struct fm_stats *st;
		struct fm_entry *e;
		unsigned int len;
		u32 now;

		local_bh_disable();
		pprev = fm_chain_find(&t->buckets[b], &rq->key, &len);
		e = fm_entry_deref(pprev);
		now = (u32)jiffies;
		if (e && fm_req_applies(t, e, rq, now)) {
			st = this_cpu_ptr(t->fn->stats);
			u64_stats_update_begin(&st->syncp);
			fm_table_take(t, st, pprev, e, b, n++, rq->reason, now,
				      fm_table_now_ms(t, now));
			u64_stats_update_end(&st->syncp);
		}
		local_bh_enable();
		kfree(rq);
		if (n == FM_BATCH) {
			fm_table_merge_batch(t, n);
			n = 0;
		}
	}
	if (n)
		fm_table_merge_batch(t, n);
}

/* Requests nobody will carry out: the table is emptied or freed. */
static void fm_table_drop_requests(struct fm_table *t)
{
	struct llist_node *list = llist_del_all(&t->requests);
	struct fm_merge_req *rq, *next;

	llist_for_each_entry_safe(rq, next, list, node)
		kfree(rq);
}

/* Once a second: spare entries nobody took since the last time go back. */
static void fm_table_trim_spares(struct fm_table *t)
{
	struct fm_entry *spare[2] = { NULL, NULL };
	unsigned long mem = 0, mem2 = 0;
	unsigned int n;

	local_bh_disable();
	if (!t->spare_taken) {
		spare[0] = t->spare[0];
		spare[1] = t->spare[1];
		t->spare[0] = NULL;
		t->spare[1] = NULL;
		t->nspare = 0;
	}
	t->spare_taken = 0;
	local_bh_enable();
	n = fm_graves_free(spare[0], &mem) + fm_graves_free(spare[1], &mem2);
	if (n) {
		local_bh_disable();
		t->mem -= mem + mem2;
		local_bh_enable();
	}
}

/*
 * How many seconds one sweep of the table for timeouts takes: a quarter of
 * the shorter timeout, 1 to FM_SWEEP_MAX. A flow is exported at most that
 * much after its timeout (its times stay exact), and a big table is not
 * read whole every second: at the default 15 s, a third of it is.
 */
static unsigned int fm_sweep_seconds(const struct fm_cache_cfg *cfg)
{
	u32 timeout = min(READ_ONCE(cfg->inactive_timeout),
			  READ_ONCE(cfg->active_timeout));

	return clamp(timeout / 4, 1U, FM_SWEEP_MAX);
}

/*
 * Nothing for the work to do until a packet makes a flow: no flow, no
 * record in the ring, no grave or spare to free, no request, and no
 * record held by the merge that a poll would have to let go (another
 * table's work may hold that one, but every table may be idle by then,
 * so each stays awake while any is held). An idle netns then costs no
 * wakeup at all (fm_table_wake() brings the work back). Own CPU, BH
 * disabled.
 */
static bool fm_table_idle(const struct fm_table *t)
{
	return !t->count && !t->ring_len && !t->graves && !t->old_graves &&
	       !t->nspare && !READ_ONCE(t->flush) &&
	       llist_empty(&t->requests) && !fm_merge_holds(t->cache->merge);
}

static void fm_table_work(struct work_struct *work)
{
	struct fm_table *t = container_of(to_delayed_work(work),
					  struct fm_table, work);
	bool all = READ_ONCE(t->flush);
	u32 now = (u32)jiffies;
	bool scan = all || (s32)(now - t->next_scan) >= 0;
	unsigned int from = 0, to = 0;

	/*
	 * Once a second the next share of the table is scanned for timeouts
	 * (all of it for a flush); a run kicked sooner (the ring filling,
	 * many graves) only drains the ring and reaps, so a flood of
	 * evictions does not rescan the table.
	 */
	if (scan) {
		unsigned int nb = t->mask + 1;

		t->next_scan = now + HZ;
		from = all ? 0 : t->sweep_pos;
		to = all ? nb : min(from + DIV_ROUND_UP(nb,
				fm_sweep_seconds(&t->cache->cfg)), nb);
		t->sweep_pos = to == nb ? 0 : to;
	}
	local_bh_disable();
	fm_table_clock(t);
	local_bh_enable();
	fm_table_reap(t);
	if (scan)
		fm_table_trim_spares(t);
	fm_table_requests(t);
	fm_table_expire(t, all, from, to);
	if (all)
		WRITE_ONCE(t->flush, false);
	fm_merge_poll(t->cache->merge);
	local_bh_disable();
	t->asleep = fm_table_idle(t);
	local_bh_enable();
	if (!t->asleep && !READ_ONCE(t->cache->stopping) &&
	    !READ_ONCE(t->parked))
		queue_delayed_work_on(t->cpu, fm_wq, &t->work, HZ);
}

/* Expire every flow now (FM_END_FORCED), on each CPU by its own work. */
int fm_cache_flush(struct fm_net *fn)
{
	struct fm_cache *c = rcu_dereference_protected(fn->cache,
					lockdep_is_held(&fn->conf_lock));
	int cpu;

	/* An offline CPU's table was emptied when it went (fm_cpu_dead). */
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct fm_table *t = per_cpu_ptr(c->tables, cpu);

		WRITE_ONCE(t->flush, true);
		mod_delayed_work_on(cpu, fm_wq, &t->work, 0);
	}
	for_each_online_cpu(cpu)
		flush_delayed_work(&per_cpu_ptr(c->tables, cpu)->work);
	cpus_read_unlock();
	return 0;
}

const struct fm_cache_cfg *fm_cache_config(struct fm_net *fn)
{
	return &fm_cache_rcu(fn)->cfg;
}

unsigned int fm_cache_count(struct fm_net *fn)
{
	unsigned int n = 0;
	struct fm_cache *c;
	int cpu;

	rcu_read_lock();
	c = fm_cache_rcu(fn);
	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(c->tables, cpu)->count);
	rcu_read_unlock();
	return n;
}

/*
 * Bytes the cache holds: entries (cached and buried, at their slab
 * object size) plus every table's buckets, ring and export batch.
 */
unsigned long fm_cache_memory(struct fm_net *fn)
{
	unsigned long mem = 0;
	struct fm_cache *c;
	int cpu;

	rcu_read_lock();
	c = fm_cache_rcu(fn);
	for_each_possible_cpu(cpu) {
		const struct fm_table *t = per_cpu_ptr(c->tables, cpu);

		mem += READ_ONCE(t->mem);
		if (fm_table_buckets(t))
			mem += (t->mask + 1) * sizeof(*t->buckets) +
			       (t->ring_size + FM_BATCH) * sizeof(struct fm_record);
	}
	rcu_read_unlock();
	return mem;
}

/* Every table has the same number of buckets. */
unsigned long fm_cache_buckets(struct fm_net *fn)
{
	unsigned long n;

	rcu_read_lock();
	n = (unsigned long)nr_cpu_ids *
	    (raw_cpu_ptr(fm_cache_rcu(fn)->tables)->mask + 1);
	rcu_read_unlock();
	return n;
}

/*
 * A reader's copy of e, an entry of t, under rcu_read_lock(); false if e
 * is buried, is being rewritten for another flow (fm_entry_reuse()) or
 * was while it was copied. bytes is read before packets: a buried
 * entry's is a link, its packets 0.
 *
 * The generation in rflags has 4 bits and a rewrite adds 2: eight
 * rewrites of e during one copy bring it back to the value read first.
 * No timing argument rules that out (interrupts are off for the copy, but
 * a virtual CPU can be descheduled by its host for any length of time),
 * and the entry has no room for a wider count: an IPv4 entry is exactly
 * 64 bytes, and 4 more would make it a 72-byte slab object. So the table
 * counts its rewrites too, in t->reuses, each before the entry's
 * generation moves (smp_wmb()), and the copy reads that count before its
 * first and after its second look at the generation (smp_rmb()). If the
 * generation came back to its first value through k >= 8 rewrites, the
 * first rewrite had not made e odd when gen was read, so it had not been
 * counted either when r0 was (read earlier); and the k-th had made e even
 * again when the generation was read the second time, so it was counted
 * when r1 was (read later): r1 - r0 >= k >= 8. Hence a copy with the same
 * generation and r1 - r0 < 8 spans no rewrite at all (unless 2^32 - 8
 * rewrites pass during a few dozen loads). With r1 - r0 >= 8 the copy
 * may be torn and is tried again, FM_SNAP_TRIES times at most: each try
 * needs 8 rewrites of this CPU's table, new flows evicting old ones, to
 * fail, so a reader is not held for long by a flood and then just skips
 * the flow, as it does one caught in a rewrite.
 */
#define FM_SNAP_TRIES	4

enum fm_snap { FM_SNAP_OK, FM_SNAP_SKIP, FM_SNAP_AGAIN };

static enum fm_snap fm_entry_snap_once(const struct fm_table *t,
				       const struct fm_entry *e,
				       struct fm_entry *copy)
{
	u32 r0 = READ_ONCE(t->reuses), r1;
	u8 gen;

	smp_rmb();	/* the table's count before the generation */
	gen = READ_ONCE(e->rflags) & FM_RF_GEN;
	if (gen & FM_RF_GEN_ONE)
		return FM_SNAP_SKIP;
	smp_rmb();	/* the generation before the fields */
	copy->bytes = READ_ONCE(e->bytes);
	smp_rmb();
	copy->packets = READ_ONCE(e->packets);
	if (!copy->packets)
		return FM_SNAP_SKIP;
	copy->first = READ_ONCE(e->first);
	copy->last = READ_ONCE(e->last);
	copy->tcp_flags = READ_ONCE(e->tcp_flags);
	copy->ttl_min = READ_ONCE(e->ttl_min);
	copy->ttl_max = READ_ONCE(e->ttl_max);
	copy->rflags = READ_ONCE(e->rflags);
	fm_key_copy(&copy->key, &e->key);	/* its family never changes */
	smp_rmb();	/* the fields before the generation again */
	if ((READ_ONCE(e->rflags) & FM_RF_GEN) != gen)
		return FM_SNAP_SKIP;
	smp_rmb();	/* the generation before the table's count */
	r1 = READ_ONCE(t->reuses);
	return r1 - r0 < FM_RF_GEN_WRAP ? FM_SNAP_OK : FM_SNAP_AGAIN;
}

static bool fm_entry_snap(const struct fm_table *t, const struct fm_entry *e,
			  struct fm_entry *copy)
{
	enum fm_snap res = FM_SNAP_AGAIN;
	unsigned long flags;
	unsigned int i;

	/* no room in the entry for a wider generation (see above) */
	BUILD_BUG_ON(FM_ENTRY_SIZE_V4 != 64);
	BUILD_BUG_ON(FM_RF_GEN_WRAP != 8);
	for (i = 0; i < FM_SNAP_TRIES && res == FM_SNAP_AGAIN; i++) {
		local_irq_save(flags);
		res = fm_entry_snap_once(t, e, copy);
		local_irq_restore(flags);
	}
	return res == FM_SNAP_OK;
}

int fm_cache_walk_bucket(struct fm_net *fn, unsigned long pos,
			 int (*cb)(const struct fm_record *r, int cpu, void *arg),
			 void *arg)
{
	const struct fm_entry *e;
	unsigned int cpu, b;
	struct fm_cache *c;
	struct fm_table *t;
	struct fm_entry __rcu **buckets;
	struct fm_record r;
	unsigned long nb;
	u64 now_ms;
	u32 now;
	int err = 0;

	now_ms = fm_now_ms();
	now = (u32)jiffies;
	rcu_read_lock();
	/* After a resize a position may be past the end: nothing there. */
	c = fm_cache_rcu(fn);
	nb = raw_cpu_ptr(c->tables)->mask + 1;
	cpu = pos / nb;
	b = pos % nb;
	if (cpu >= nr_cpu_ids || !cpu_possible(cpu)) {
		rcu_read_unlock();
		return 0;
	}
	t = per_cpu_ptr(c->tables, cpu);
	buckets = fm_table_buckets(t);
	for (e = buckets ? rcu_dereference(buckets[b]) : NULL; e && !err;
	     e = rcu_dereference(e->next)) {
		struct fm_entry copy;

		if (!fm_entry_snap(t, e, &copy))
			continue;
		fm_entry_record(&copy, &r, 0, now, now_ms);
		err = cb(&r, cpu, arg);
	}
	rcu_read_unlock();
	return err;
}

/* The live entry of key in bucket b of t, copied to *copy, if any. */
static bool fm_bucket_find(struct fm_table *t, unsigned long b,
			   const struct fm_key *key, struct fm_entry *copy)
{
	struct fm_entry __rcu **buckets = fm_table_buckets(t);
	const struct fm_entry *e;

	if (!buckets)
		return false;
	/* the key again on the copy: e may have been rewritten meanwhile */
	for (e = rcu_dereference(buckets[b]); e; e = rcu_dereference(e->next))
		if (fm_key_eq(&e->key, key) && fm_entry_snap(t, e, copy) &&
		    fm_key_eq(&copy->key, key))
			return true;
	return false;
}

/* Add the counts of b (the same flow, on another CPU) to a. */
static void fm_entry_merge(struct fm_entry *a, const struct fm_entry *b)
{
	a->packets += b->packets;
	a->bytes += b->bytes;
	if ((s32)(b->first - a->first) < 0)
		a->first = b->first;
	if ((s32)(b->last - a->last) > 0)
		a->last = b->last;
	a->tcp_flags |= b->tcp_flags;
	a->ttl_min = min(a->ttl_min, b->ttl_min);
	a->ttl_max = max(a->ttl_max, b->ttl_max);
	a->rflags |= b->rflags;
}

/*
 * Every table has as many buckets, and a flow hashes to the same one on
 * each CPU: bucket b of every CPU holds all the partial records of the
 * flows it holds. Each flow is reported once, with the counts of every
 * CPU that saw it; ncpus says how many did.
 */
int fm_cache_walk_merged(struct fm_net *fn, unsigned long b,
			 int (*cb)(const struct fm_record *r, int ncpus, void *arg),
			 void *arg)
{
	struct fm_cache *c;
	struct fm_record r;
	u64 now_ms;
	u32 now;
	int cpu, other, err = 0;

	now_ms = fm_now_ms();
	now = (u32)jiffies;
	rcu_read_lock();
	c = fm_cache_rcu(fn);
	if (b > raw_cpu_ptr(c->tables)->mask) {	/* past the end after a resize */
		rcu_read_unlock();
		return 0;
	}
	for_each_possible_cpu(cpu) {
		struct fm_table *t = per_cpu_ptr(c->tables, cpu);
		struct fm_entry __rcu **buckets = fm_table_buckets(t);
		const struct fm_entry *e;

		if (!buckets)
			continue;
		for (e = rcu_dereference(buckets[b]); e && !err;
		     e = rcu_dereference(e->next)) {
			struct fm_entry sum, part;
			int ncpus = 1;
			bool seen = false;

			if (!fm_entry_snap(t, e, &sum))
				continue;
			for_each_possible_cpu(other) {
				struct fm_table *o = per_cpu_ptr(c->tables, other);

				if (other == cpu || !fm_bucket_find(o, b, &sum.key, &part))
					continue;
				if (other < cpu) {	/* reported with that CPU's */
					seen = true;
					break;
				}
				fm_entry_merge(&sum, &part);
				ncpus++;
			}
			if (seen)
				continue;
			fm_entry_record(&sum, &r, 0, now, now_ms);
			err = cb(&r, ncpus, arg);
		}
	}
	rcu_read_unlock();
	return err;
}

u32 fm_cache_hash(const struct fm_cache *c, const struct fm_key *key)
{
	return fm_hash(c, key);
}

/*
 * Where this CPU's piece of key's flow is: in the table (its first and
 * last packet in *first, *last), maybe ended by the work with its record
 * not yet merged, or neither. From the merge, any CPU, under its mutex.
 * A lookup that misses an entry the work took out sees the bucket's
 * in-flight bit, set before the unlink (smp_rmb() here, the unlink's
 * release there); the bit is cleared only once the record was merged,
 * which takes the merge's mutex that the caller holds. So the window in
 * which a piece is neither in the table nor at the merge is seen. What it
 * does not see: a record the packet path ended (TCP FIN or RST, eviction)
 * waits in the CPU's ring, up to a second, untracked (a flood of those
 * would make every lookup "in flight"): if the flow's other piece ends
 * in that second, the two leave apart.
 */
enum fm_piece fm_cache_piece(struct fm_cache *c, int cpu, u32 hash,
			     const struct fm_key *key, u32 *first, u32 *last)
{
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);
	unsigned int i = (hash & t->mask) % FM_INFLIGHT_BITS;
	enum fm_piece p = FM_PIECE_NONE;
	struct fm_entry copy;

	rcu_read_lock();
	/*
	 * An empty table (a CPU without traffic) costs no lookup. count
	 * moves just after a new entry is linked: a flow that begins on
	 * that CPU at this instant may be missed, and is the next record.
	 */
	if (READ_ONCE(t->count) && fm_bucket_find(t, hash & t->mask, key, &copy)) {
		*first = copy.first;
		*last = copy.last;
		p = FM_PIECE_LIVE;
	} else {
		smp_rmb();
		if (READ_ONCE(t->inflight[i / BITS_PER_LONG]) &
		    BIT(i % BITS_PER_LONG))
			p = FM_PIECE_INFLIGHT;
	}
	rcu_read_unlock();
	return p;
}

/*
 * Memory for the merge, charged to the cache's memory cgroup like its
 * entries (the works run in a kworker, charged to no one). GFP_NOWAIT:
 * the memory cgroup is found under RCU; failing is handled.
 */
void *fm_cache_kmalloc(struct fm_cache *c, size_t size)
{
	struct mem_cgroup *old;
	void *p;

	rcu_read_lock();
	old = set_active_memcg(rcu_dereference(c->memcg));
	p = kmalloc(size, GFP_NOWAIT | __GFP_ACCOUNT | __GFP_NOWARN);
	set_active_memcg(old);
	rcu_read_unlock();
	return p;
}

/* Ask cpu's work to end its piece of rq's flow (fm_table_requests()). */
void fm_cache_request(struct fm_cache *c, int cpu, struct fm_merge_req *rq)
{
	struct fm_table *t = per_cpu_ptr(c->tables, cpu);

	llist_add(&rq->node, &t->requests);
	fm_table_kick(t);
}

/* The parser's options for the hook, from the settings of fn's cache. */
static void fm_parse_opts_set(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	WRITE_ONCE(fn->parse_opts, cfg->flowlabel ? FM_PARSE_FLOWLABEL : 0);
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
 * (a lower limit evicts as new flows come); a change to what a flow is
 * (sampling, flow label) first ends every cached flow.
 */
void fm_cache_configure(struct fm_net *fn, const struct fm_cache_cfg *cfg)
{
	struct fm_cache *c = rcu_dereference_protected(fn->cache,
					lockdep_is_held(&fn->conf_lock));
	unsigned int limit = fm_cpu_limit(cfg);
	bool flush = cfg->sampling_rate != c->cfg.sampling_rate ||
		     cfg->sampling_mode != c->cfg.sampling_mode ||
		     cfg->flowlabel != c->cfg.flowlabel;
	int cpu;

	fm_cache_charge(fn, c);
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
	fm_parse_opts_set(fn, cfg);
	fm_cache_flush(fn);
}

static unsigned int fm_table_nbuckets(unsigned int limit, u32 hash_size)
{
	return roundup_pow_of_two(max(hash_size ?: limit, 16U));
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
	 * for the CPU or sweeps the table: sized to the table.
	 */
	t->ring_size = clamp((t->mask + 1) / 32, FM_RING_MIN, FM_RING_MAX);
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
 * The storage of t: buckets, ring and batch, about 180 KiB at the
 * default size. Only a CPU that is online gets it, the first time it is
 * online in the cache's life (fm_cache_create(), fm_cpu_prepare()), so
 * what a netns costs follows the CPUs that can carry its traffic, not
 * the possible ones (a VM may have 4 online of 256 possible). Charged to
 * the cache's memory cgroup, whoever's context this is (the hotplug
 * thread, for a CPU coming up).
 */
static int fm_table_alloc(struct fm_cache *c, struct fm_table *t)
{
	struct mem_cgroup *memcg = fm_cache_memcg_get(c);
	struct fm_entry __rcu **buckets;
	int node = cpu_to_node(t->cpu);
	struct mem_cgroup *old;

	old = set_active_memcg(memcg);
	buckets = kvzalloc_node(array_size(t->mask + 1, sizeof(*buckets)),
				FM_GFP_TABLE, node);
	/*
	 * In pages, not kmalloc'ed: 1024 records (80 KiB) would take a
	 * 128 KiB object, 128 (10 KiB) a 16 KiB one.
	 */
	t->ring = __vmalloc(array_size(t->ring_size, sizeof(*t->ring)),
			    FM_GFP_TABLE | __GFP_ZERO);
	t->batch = __vmalloc(array_size(FM_BATCH, sizeof(*t->batch)),
			     FM_GFP_TABLE | __GFP_ZERO);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	if (!buckets || !t->ring || !t->batch) {
		kvfree(buckets);
		vfree(t->ring);
		vfree(t->batch);
		t->ring = NULL;
		t->batch = NULL;
		return -ENOMEM;
	}
	smp_store_release(&t->buckets, buckets);	/* readers: fm_table_buckets() */
	return 0;
}

/*
 * Free every grave of t at once, once no reader can see them (after a
 * grace period) and nothing else touches t.
 */
static void fm_table_free_graves(struct fm_table *t)
{
	unsigned long mem, mem2, mem3, mem4;

	fm_graves_free(t->old_graves, &mem);
	fm_graves_free(t->graves, &mem2);
	fm_graves_free(t->spare[0], &mem3);
	fm_graves_free(t->spare[1], &mem4);
	t->old_graves = NULL;
	t->graves = NULL;
	t->spare[0] = NULL;
	t->spare[1] = NULL;
	t->ngraves = 0;
	t->nspare = 0;
	WRITE_ONCE(t->mem, t->mem - mem - mem2 - mem3 - mem4);
}

static void fm_table_free(struct fm_table *t)
{
	fm_table_drop_requests(t);
	fm_table_free_graves(t);
	kvfree(t->buckets);
	vfree(t->ring);
	vfree(t->batch);
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

		err = t->buckets ? 0 : fm_table_alloc(c, t);
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
		if (t->buckets)		/* else its CPU was never online */
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

/* The sampling settings, for the exporter's options records. */
void fm_cache_sampling(struct fm_net *fn, u32 *rate, u8 *mode)
{
	const struct fm_cache *c;

	rcu_read_lock();
	c = fm_cache_rcu(fn);
	*rate = READ_ONCE(c->cfg.sampling_rate);
	*mode = READ_ONCE(c->cfg.sampling_mode);
	rcu_read_unlock();
}

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
 *     flow left (FM_END_FORCED) for export and frees the graves.
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

	return t->buckets ? 0 : fm_table_alloc(c, t);
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
	if (!t->buckets)	/* its prepare failed: it never ran */
		return 0;
	fm_table_expire(t, true, 0, t->mask + 1);
	synchronize_rcu();
	fm_table_free_graves(t);
	return 0;
}

int fm_cache_module_init(void)
{
	int ret;

	fm_entry_cache_v4 = kmem_cache_create("flowmeter_flow4",
					      FM_ENTRY_SIZE_V4, 0, SLAB_ACCOUNT,
					      NULL);
	fm_entry_cache_v6 = kmem_cache_create("flowmeter_flow6",
					      FM_ENTRY_SIZE_V6, 0, SLAB_ACCOUNT,
					      NULL);
	fm_wq = alloc_workqueue("flowmeter", 0, 0);
	if (!fm_entry_cache_v4 || !fm_entry_cache_v6 || !fm_wq) {
		fm_cache_module_exit();
		return -ENOMEM;
	}
	fm_entry_size[0] = kmem_cache_size(fm_entry_cache_v4);
	fm_entry_size[1] = kmem_cache_size(fm_entry_cache_v6);
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
err:
	fm_cache_module_exit();
	return ret;
}

void fm_cache_module_exit(void)
{
	if (fm_cpuhp_dead >= 0)
		cpuhp_remove_multi_state(fm_cpuhp_dead);
	if (fm_cpuhp_online >= 0)
		cpuhp_remove_multi_state(fm_cpuhp_online);
	fm_cpuhp_dead = -1;
	fm_cpuhp_online = -1;
	if (fm_wq)
		destroy_workqueue(fm_wq);
	kmem_cache_destroy(fm_entry_cache_v4);
	kmem_cache_destroy(fm_entry_cache_v6);
}
