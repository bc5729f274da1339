// SPDX-License-Identifier: GPL-2.0
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
 * is full) are copied to the CPU's ring of finished records (entries as
 * they ended, not yet full records: cache_ring.c), also written only by
 * that CPU; the expiry work drains it and hands records to the
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
 * The flow budget. max_flows belongs to the netns: one CPU may hold all
 * of it (one RSS queue, one busy container). Tables borrow it from the
 * cache's pool (fm_cache.budget) budget_batch flows at a time, with one
 * atomic operation, and keep what their ended flows give back up to two
 * batches; the rest goes back to the pool. So a hit writes nothing
 * shared, a new flow does so once a batch, and at every moment
 *	pool + the sum over tables of (count + quota) == max_flows,
 * every term but the pool never negative: no more than max_flows flows
 * are cached, whatever the CPUs and however skewed their traffic. What
 * one CPU may be refused while others hold budget they do not use is at
 * most two batches per other CPU, and even that only for a moment: a
 * table that finds the pool empty and has no flow of its own to evict,
 * or fewer than its share (max_flows / online CPUs), marks the cache
 * starving. Then every other table gives back all it holds as its flows
 * end and, if it has more than its share, ends one flow more per new
 * flow of its own while evicting, and its work ends up to four batches
 * of its least recently used flows each second (fm_table_yield()). So a
 * full cache under pressure from every CPU settles at a share each, and
 * a CPU alone uses all of it. A lowered max_flows leaves the pool
 * negative, repaid the same way by every table. A table whose work goes
 * to sleep returns its quota. The works clear the starving mark once the
 * pool can lend again or the starving CPU has its share
 * (fm_budget_fed()).
 */
#include <linux/etherdevice.h>
#include <linux/memcontrol.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "cache_priv.h"
#include "merge.h"

struct fm_cache_cfg fm_cache_defaults = {
	.active_timeout = 1800,
	.inactive_timeout = 15,
	.max_flows = 262144,
	.sampling_rate = 1,
	.sampling_mode = FM_SAMPLING_DETERMINISTIC,
};

u32 fm_netns_max_flows = FM_NETNS_MAX_FLOWS_DEFAULT;

struct kmem_cache *fm_entry_caches[FM_ENTRY_KINDS] __read_mostly;
unsigned int fm_entry_size[FM_ENTRY_KINDS] __read_mostly;

/* Wake t's expiry work now, unless its CPU is leaving or gone. */
void fm_table_kick(struct fm_table *t)
{
	/* never once halting: the work was cancelled for good */
	if (!READ_ONCE(t->parked) && !READ_ONCE(t->cache->stopping))
		mod_delayed_work_on(t->cpu, fm_wq, &t->work, 0);
}

void fm_entry_bury(struct fm_table *t, struct fm_entry *e)
{
	WRITE_ONCE(e->packets, 0);
	smp_wmb();	/* readers that see the grave link see packets 0 */
	e->grave = t->graves;
	t->graves = e;
	if (++t->ngraves == fm_graves_limit(t) / 2)
		fm_table_kick(t);
}

/*
 * A biflow's record from its entry's directions, r's key and conversation
 * fields already written: the initiator becomes the source (the key is
 * turned round if it is side 1), its packets the record's, the other
 * side's the reverse ones.
 */
static noinline void fm_bi_record(const struct fm_biext *x,
				  struct fm_record *r, u32 now, u64 now_ms)
{
	unsigned int i = x->init & FM_BI_SIDE1 ? 1 : 0;
	const struct fm_bi_dir *f = &x->d[i], *b = &x->d[!i];

	if (i)
		fm_key_reverse(&r->key);
	/* the initiator has sent; a reader's copy may be a packet short */
	if (f->packets) {
		r->start_ms = now_ms - fm_jiffies_ms(fm_jiffies_age(now, f->first));
		r->end_ms = now_ms - fm_jiffies_ms(fm_jiffies_age(now, f->last));
	}
	r->packets = f->packets;
	r->bytes = f->bytes;
	r->tcp_flags = x->tcp_flags[i];
	r->rev.packets = b->packets;
	r->rev.bytes = b->bytes;
	if (b->packets) {
		r->rev.start_ms = now_ms -
				  fm_jiffies_ms(fm_jiffies_age(now, b->first));
		r->rev.end_ms = now_ms -
				fm_jiffies_ms(fm_jiffies_age(now, b->last));
	}
	r->rev.tcp_flags = x->tcp_flags[!i];
	r->rev.init = x->init & FM_BI_SYN;
}

/*
 * Every byte of *r is written: no memset, and only fixed-size copies, so
 * that the packet path's eviction is a few dozen plain stores.
 */
void fm_entry_record(const struct fm_entry *e, struct fm_record *r,
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
	r->src_mask = 0;
	r->dst_mask = 0;
	r->selector = 0;
	r->src_as = 0;
	r->dst_as = 0;
	memset(&r->nexthop, 0, sizeof(r->nexthop));
	memset(&r->rev, 0, sizeof(r->rev));
	if (unlikely(e->key.kflags & FM_KF_L2))
		r->l2 = *fm_entry_l2_const(e);
	else
		memset(&r->l2, 0, sizeof(r->l2));
	if (unlikely(e->key.kflags & FM_KF_NAT))
		r->xlate = *fm_entry_xlate_const(e);
	else
		memset(&r->xlate, 0, sizeof(r->xlate));
	if (unlikely(e->key.kflags & FM_KF_BI))
		fm_bi_record(fm_entry_bi_const(e), r, now, now_ms);
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

/* Queue e's record for export (cache_ring.c). Own CPU, BH disabled. */
static void fm_entry_queue(struct fm_table *t, struct fm_stats *st,
			   const struct fm_entry *e, u8 reason)
{
	st->flows_expired[reason]++;
	if (unlikely(!fm_ring_put(t, e, reason)))
		st->records_dropped++;
}

/*
 * Unlink e (found through *pprev) and free it, after queueing its record
 * for export; still counted. Packet path or expiry work, BH disabled, own
 * CPU.
 */
static void fm_entry_unlink(struct fm_table *t, struct fm_stats *st,
			    struct fm_entry __rcu **pprev, struct fm_entry *e,
			    u8 reason)
{
	rcu_assign_pointer(*pprev, fm_entry_deref(&e->next));
	fm_entry_queue(t, st, e, reason);
	fm_entry_bury(t, e);
}

/* ... and give its budget back (fm_table_uncount()). */
static void fm_entry_end(struct fm_table *t, struct fm_stats *st,
			 struct fm_entry __rcu **pprev, struct fm_entry *e,
			 u8 reason)
{
	fm_entry_unlink(t, st, pprev, e, reason);
	fm_table_uncount(t);
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
 * Begin a rewrite of e's fields that readers must not see half done: an
 * odd generation (fm_entry_reuse() says how readers go by it); the other
 * bits of rflags kept.
 */
static u8 fm_entry_write_begin(struct fm_table *t, struct fm_entry *e)
{
	u8 gen = e->rflags & FM_RF_GEN;

	/* before the entry's generation moves: see fm_entry_snap_once() */
	WRITE_ONCE(t->reuses, t->reuses + 1);
	smp_wmb();
	WRITE_ONCE(e->rflags, (e->rflags & ~FM_RF_GEN) |
			      ((gen + FM_RF_GEN_ONE) & FM_RF_GEN));
	smp_wmb();	/* odd before any field changes */
	return gen;
}

/* ...and end it: the next even generation, gen from the beginning. */
static void fm_entry_write_end(struct fm_entry *e, u8 gen)
{
	smp_wmb();	/* the fields before even */
	WRITE_ONCE(e->rflags, (e->rflags & ~FM_RF_GEN) |
			      ((gen + 2 * FM_RF_GEN_ONE) & FM_RF_GEN));
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
			   const struct fm_key *key,
			   const struct fm_pktinfo *pi, u32 now)
{
	u8 gen = fm_entry_write_begin(t, e);

	WRITE_ONCE(e->packets, 0);
	fm_entry_init(e, key, now);
	if (unlikely(key->kflags & (FM_KF_BI | FM_KF_L2 | FM_KF_NAT)))
		fm_entry_ext_init(e, key, pi);
	fm_entry_write_end(e, gen);
}

/*
 * A post-NAT flow whose conntrack entry had no final NAT yet when the
 * flow began (hook.c: SNAT is set up at POSTROUTING, after every hook of
 * ours): a later packet's fields replace them until they are final, as a
 * rewrite that readers see whole or skip (fm_entry_reuse()). Only when
 * they changed: mostly once per flow, never for a flow without NAT.
 */
static noinline void fm_entry_xlate_update(struct fm_table *t,
					   struct fm_entry *e,
					   const struct fm_xlate *x)
{
	struct fm_xlate *y = fm_entry_xlate(e);
	u8 gen;

	if (!memcmp(x, y, sizeof(*x)))
		return;
	gen = fm_entry_write_begin(t, e);
	*y = *x;
	fm_entry_write_end(e, gen);
}

/*
 * A later packet of an L2 flow that has the next hop's MAC address the
 * flow's first did not (fm_l2_post(): the neighbour was not resolved
 * then). Written under the entry's generation, as fm_entry_reuse()
 * rewrites an entry, so that a reader never copies half an address; the
 * other flags kept. Once per flow at most.
 */
static noinline void fm_l2_late(struct fm_table *t, struct fm_entry *e,
				const struct fm_l2 *l2)
{
	u8 gen = e->rflags & FM_RF_GEN, rest = e->rflags & ~FM_RF_GEN;

	WRITE_ONCE(t->reuses, t->reuses + 1);
	smp_wmb();
	WRITE_ONCE(e->rflags, rest | ((gen + FM_RF_GEN_ONE) & FM_RF_GEN));
	smp_wmb();
	memcpy(fm_entry_l2(e)->post_dst_mac, l2->post_dst_mac, ETH_ALEN);
	smp_wmb();
	WRITE_ONCE(e->rflags, rest | ((gen + 2 * FM_RF_GEN_ONE) & FM_RF_GEN));
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
 * Lend t budget for new flows: a batch, or what is left of the pool if
 * less. Packet path. The only shared write of a new flow, once a batch.
 */
static bool fm_budget_borrow(struct fm_table *t)
{
	struct fm_cache *c = t->cache;
	int avail = atomic_read(&c->budget);
	int n;

	do {
		if (avail <= 0)
			return false;
		n = min_t(int, avail, READ_ONCE(c->budget_batch));
	} while (!atomic_try_cmpxchg(&c->budget, &avail, avail - n));
	t->quota += n;
	return true;
}

/*
 * Give t's quota back to the pool: all of it if asked to or if someone
 * wants it, else all but a batch. Own CPU (or a dead one's), BH
 * disabled.
 */
void fm_budget_return(struct fm_table *t, bool all)
{
	struct fm_cache *c = t->cache;
	unsigned int keep = 0;

	if (!all && !fm_budget_wanted(c))
		keep = min(t->quota, READ_ONCE(c->budget_batch));
	atomic_add(t->quota - keep, &c->budget);
	t->quota = keep;
}

/*
 * Should t end flows for their budget: is another CPU short while t has
 * more than its share and the pool not a batch to lend (or, lending,
 * still short), or is the pool in debt?
 */
static bool fm_budget_owed(struct fm_table *t, bool lending)
{
	struct fm_cache *c = t->cache;
	int s = READ_ONCE(c->starving), pool = atomic_read(&c->budget);

	return (s && s != t->cpu + 1 && t->count > READ_ONCE(t->limit) &&
		(lending || pool < (int)READ_ONCE(c->budget_batch))) ||
	       pool < 0;
}

/*
 * t found the pool empty: if it has nothing of its own to evict, or less
 * than its share, it asks the other tables for budget until it has its
 * share. Written when it changes, not per new flow.
 */
static void fm_budget_starve(struct fm_table *t, bool short_of)
{
	struct fm_cache *c = t->cache;
	int s = READ_ONCE(c->starving);

	if (short_of && s != t->cpu + 1)
		WRITE_ONCE(c->starving, t->cpu + 1);
	else if (!short_of && s == t->cpu + 1)
		WRITE_ONCE(c->starving, 0);
}

/*
 * Clear the starving mark once its CPU is short no more: the pool has a
 * batch to lend it again (any table's work sees that), or the CPU has its
 * share (its own work does). The packet path clears it only when the
 * starving CPU meets an empty pool again with its share in hand; a CPU
 * that stops making flows, or that got its budget by borrowing, would
 * leave it set, and the other tables would go on ending flows for it
 * (fm_budget_owed()) every second. Clearing it early costs nothing: a
 * CPU still short sets it again at its next refused flow. The work, BH
 * disabled; a racing set by another CPU's packet path may be lost the
 * same way, and is set again.
 */
static void fm_budget_fed(struct fm_table *t)
{
	struct fm_cache *c = t->cache;
	int s = READ_ONCE(c->starving);

	if (s && (atomic_read(&c->budget) >= (int)READ_ONCE(c->budget_batch) ||
		  (s == t->cpu + 1 && t->count >= READ_ONCE(t->limit))))
		WRITE_ONCE(c->starving, 0);
}

/*
 * Another CPU is short of budget (or max_flows was lowered): end up to
 * four batches of t's least recently used unprotected flows
 * (FM_END_RESOURCES),
 * from where the sweep is, so that their budget goes back to the pool,
 * within half the room left in the ring. The work, each second, BH disabled.
 */
void fm_table_yield(struct fm_table *t)
{
	struct fm_stats *st = this_cpu_ptr(t->fn->stats);
	unsigned int n = 4 * READ_ONCE(t->cache->budget_batch);
	/* half the ring's room at most, whatever the records' sizes */
	unsigned int keep = (t->ring_size + t->ring_len) / 2;
	u32 now = (u32)jiffies;
	u32 hash = t->sweep_pos;

	fm_budget_fed(t);
	if (!fm_budget_owed(t, false))
		return;
	fm_budget_return(t, true);
	u64_stats_update_begin(&st->syncp);
	while (n-- && t->ring_len < keep && fm_budget_owed(t, true) &&
	       t->ngraves < fm_graves_limit(t)) {
		struct fm_entry __rcu **vprev;
		struct fm_entry *e;
		bool same;

		e = fm_evict_find(t, hash, now, &vprev, &same);
		if (!e)
			break;
		fm_entry_end(t, st, vprev, e, FM_END_RESOURCES);
		hash += FM_EVICT_SCAN;
	}
	u64_stats_update_end(&st->syncp);
}

/*
 * A new entry for key, first packet at now, not counted yet, or NULL
 * (refused: counted as a dropped flow); *pprev gets the link that points at it. now is the
 * packet's own jiffies, the one fm_entry_count() stamps as last: a second
 * read here could be a tick later and make the flow end before it began.
 */
static struct fm_entry *fm_entry_new(struct fm_table *t, struct fm_stats *st,
				     const struct fm_key *key,
				     const struct fm_pktinfo *pi, u32 hash,
				     u32 now, bool chain_full,
				     struct fm_entry __rcu ***pprev)
{
	unsigned int kind = fm_entry_kind(key);
	struct fm_entry __rcu **head;
	struct fm_entry *e;
	bool room = t->quota || fm_budget_borrow(t);

	/*
	 * No budget, or a full chain (FM_CHAIN_MAX): the victim search
	 * starts at the new flow's own bucket, which for a full chain is
	 * never empty, so the chain does not grow.
	 */
	if (unlikely(!room || chain_full)) {
		struct fm_entry __rcu **vprev;
		bool same;

		/*
		 * Another CPU has no flow to evict, or max_flows was
		 * lowered: one flow more ends, its budget for the pool.
		 */
		if (!room && fm_budget_owed(t, false) &&
		    t->ngraves < fm_graves_limit(t)) {
			e = fm_evict_find(t, hash, now, &vprev, &same);
			if (e)
				fm_entry_end(t, st, vprev, e, FM_END_RESOURCES);
		}
		e = fm_evict_find(t, hash, now, &vprev, &same);
		/* below its share, a CPU evicts but asks for more */
		if (!room)
			fm_budget_starve(t, !e || t->count < READ_ONCE(t->limit));
		if (!e)
			goto drop;
		/* the same kind: the same extension, the same slab */
		if (likely(same && fm_entry_kind(&e->key) == kind)) {
			fm_entry_queue(t, st, e, FM_END_RESOURCES);
			fm_entry_reuse(t, e, key, pi, now);
			st->flows_created++;
			*pprev = vprev;
			return e;
		}
		if (unlikely(t->ngraves >= fm_graves_limit(t)))
			goto drop;
		/* its budget is the new flow's, whoever wants some */
		fm_entry_unlink(t, st, vprev, e, FM_END_RESOURCES);
		t->count--;
		t->quota++;
	} else if (unlikely(t->ngraves >= fm_graves_limit(t))) {
		goto drop;
	}
	e = t->spare[kind];
	if (e) {
		t->spare[kind] = e->grave;
		t->nspare--;
		t->spare_taken++;
	} else {
		struct mem_cgroup *old;
		void *obj;

		/*
		 * Charged to the cache's memory cgroup, not to the task this
		 * softirq interrupted. GFP_NOWAIT, not GFP_ATOMIC: a memory
		 * cgroup lets __GFP_HIGH allocations through past its limit.
		 */
		old = set_active_memcg(rcu_dereference(t->cache->memcg));
		obj = kmem_cache_alloc(fm_entry_caches[kind],
				       GFP_NOWAIT | __GFP_NOWARN);
		set_active_memcg(old);
		if (unlikely(!obj)) {
			fm_flow_refused(t, &st->flows_nomem, hash);
			return NULL;
		}
		e = fm_obj_entry(obj, kind);
		t->mem += fm_entry_size[kind];
	}
	if (unlikely(kind & ~FM_ENTRY_V6))
		fm_entry_ext_init(e, key, pi);
	head = &t->buckets[hash & t->mask];
	fm_entry_start(e, key, now, head);
	t->count++;
	t->quota--;
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
 * Sampling mode hash: the flow is in if the keyed hash of its addresses,
 * ports and protocol falls in the lowest 1/rate of the range (hashsel.h).
 * Under rcu_read_lock() (the hook's): the key is read whole, old or new.
 */
static noinline bool fm_hash_skip(struct fm_net *fn, const struct fm_key *key,
				  u32 rate)
{
	const struct fm_hashkey *hk = rcu_dereference(fn->hashkey);

	return !fm_hashsel_pick(fm_hashsel_hash(key, &hk->k), rate);
}

/*
 * Sampling: true if it leaves this packet out. The choice is made per
 * skb, so a GSO/GRO skb is kept or left out whole and, once kept, counts
 * as all its segments (pi->packets). Each skb is still picked with
 * probability 1/N, so packets and octets scaled by N stay unbiased
 * estimates of the wire; deterministic 1-in-N then means 1 in N skbs,
 * not 1 in N wire packets, which is what a collector cannot tell apart.
 * Mode hash decides by the flow, not the skb (fm_hash_skip()).
 */
static bool fm_sample_skip(struct fm_net *fn, struct fm_cache *c,
			   struct fm_table *t, const struct fm_key *key,
			   int slot, u32 rate_if)
{
	const struct fm_cache_cfg *cfg = &c->cfg;
	u32 rate = READ_ONCE(cfg->sampling_rate);
	u32 *count = &t->sample_count;
	u8 mode;

	/* the input interface's own rate (fm_samplif), with its own count */
	if (unlikely(slot >= 0)) {
		rate = rate_if;
		count = &t->sample_if_count[slot];
	}
	if (likely(rate <= 1))
		return false;
	mode = READ_ONCE(cfg->sampling_mode);
	if (mode == FM_SAMPLING_HASH)
		return fm_hash_skip(fn, key, rate);
	if (mode == FM_SAMPLING_RANDOM)
		return get_random_u32_below(rate) != 0;
	if (*count) {
		(*count)--;
		return true;
	}
	*count = rate - 1;
	return false;
}

/*
 * Packet path: count one packet of key in this CPU's table, unless
 * sampling leaves it out or its flow finds no room. BH disabled.
 */
enum fm_verdict fm_cache_update(struct fm_net *fn, struct fm_stats *st,
		     const struct fm_key *key, const struct fm_pktinfo *pi,
		     int slot, u32 rate_if)
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
	if (fm_sample_skip(fn, c, t, key, slot, rate_if))
		return FM_SAMPLED_OUT;
	hash = fm_hash(c, key);
	head = &t->buckets[hash & t->mask];
	pprev = fm_chain_find(head, key, &len);
	e = fm_entry_deref(pprev);
	now = (u32)jiffies;
	if (!e) {
		e = fm_entry_new(t, st, key, pi, hash, now,
				 len >= FM_CHAIN_MAX, &pprev);
		if (unlikely(!e))
			return FM_REFUSED;
	} else if (unlikely(key->kflags & FM_KF_L2) &&
		   is_zero_ether_addr(fm_entry_l2(e)->post_dst_mac) &&
		   !is_zero_ether_addr(pi->l2->post_dst_mac)) {
		fm_l2_late(t, e, pi->l2);
	}
	fm_entry_count(e, pi, now);
	/* one predictable branch for uniflows: the key's kind */
	if (unlikely(key->kflags & FM_KF_BI)) {
		if (fm_bi_count(e, pi, now))
			fm_entry_end(t, st, pprev, e, FM_END_EOF);
	} else {
		if (unlikely(key->kflags & FM_KF_NAT) &&
		    !fm_entry_xlate(e)->done)
			fm_entry_xlate_update(t, e, pi->xlate);
		if (unlikely(pi->tcp_flags & (FM_TCP_FIN | FM_TCP_RST)))
			fm_entry_end(t, st, pprev, e, FM_END_EOF);
	}
	return FM_METERED;
}
