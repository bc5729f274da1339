// SPDX-License-Identifier: GPL-2.0
/*
 * Readers of the flow cache, on any CPU, under rcu_read_lock(): counts,
 * the netlink and /proc dumps (one CPU's bucket, or a bucket merged over
 * every CPU), and the lookups the merge makes (merge.c). They copy an
 * entry and check the copy (fm_entry_snap()); they never write a table.
 */
#include <linux/slab.h>

#include "cache_priv.h"
#include "merge.h"

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
 * The flow budget's state (cache.c, "The flow budget"): what the pool
 * has to lend (0 while a lowered max_flows is being repaid) and which
 * CPU, plus one, waits for budget (0: none).
 */
void fm_cache_budget(struct fm_net *fn, unsigned int *pool,
		     unsigned int *starving)
{
	struct fm_cache *c;

	rcu_read_lock();
	c = fm_cache_rcu(fn);
	*pool = max(atomic_read(&c->budget), 0);
	*starving = READ_ONCE(c->starving);
	rcu_read_unlock();
}

/*
 * Bytes the cache holds: entries (cached and buried, at their slab
 * object size) plus every table's buckets, rings and export batch.
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
			       READ_ONCE(t->ring_mem);
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

/* A biflow's directions, copied as the entry's other fields are. */
static void fm_bi_snap(const struct fm_entry *e, struct fm_entry *copy)
{
	const struct fm_biext *x = fm_entry_bi_const(e);
	struct fm_biext *y = fm_entry_bi(copy);
	unsigned int i;

	for (i = 0; i < 2; i++) {
		y->d[i].packets = READ_ONCE(x->d[i].packets);
		y->d[i].bytes = READ_ONCE(x->d[i].bytes);
		y->d[i].first = READ_ONCE(x->d[i].first);
		y->d[i].last = READ_ONCE(x->d[i].last);
		y->tcp_flags[i] = READ_ONCE(x->tcp_flags[i]);
	}
	y->init = READ_ONCE(x->init);
	y->fin = READ_ONCE(x->fin);
}

/* copy is the e of a struct fm_entry_buf: room for any extension */
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
	fm_key_copy(&copy->key, &e->key);	/* its kind never changes */
	if (unlikely(copy->key.kflags & FM_KF_BI))
		fm_bi_snap(e, copy);
	else if (unlikely(copy->key.kflags & FM_KF_L2))	/* set with the key */
		memcpy(fm_entry_l2(copy), fm_entry_l2_const(e),
		       sizeof(struct fm_l2));
	else if (unlikely(copy->key.kflags & FM_KF_NAT))	/* a rewrite */
		memcpy(fm_entry_xlate(copy), fm_entry_xlate_const(e),
		       sizeof(struct fm_xlate));
	smp_rmb();	/* the fields before the generation again */
	if ((READ_ONCE(e->rflags) & FM_RF_GEN) != gen)
		return FM_SNAP_SKIP;
	smp_rmb();	/* the generation before the table's count */
	r1 = READ_ONCE(t->reuses);
	return r1 - r0 < FM_RF_GEN_WRAP ? FM_SNAP_OK : FM_SNAP_AGAIN;
}

static bool fm_entry_snap(const struct fm_table *t, const struct fm_entry *e,
			  struct fm_entry_buf *copy)
{
	enum fm_snap res = FM_SNAP_AGAIN;
	unsigned long flags;
	unsigned int i;

	/* no room in the entry for a wider generation (see above) */
	BUILD_BUG_ON(FM_ENTRY_SIZE_V4 != 64);
	BUILD_BUG_ON(FM_RF_GEN_WRAP != 8);
	for (i = 0; i < FM_SNAP_TRIES && res == FM_SNAP_AGAIN; i++) {
		local_irq_save(flags);
		res = fm_entry_snap_once(t, e, &copy->e);
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
		struct fm_entry_buf copy;

		if (!fm_entry_snap(t, e, &copy))
			continue;
		fm_entry_record(&copy.e, &r, 0, now, now_ms);
		err = cb(&r, cpu, arg);
	}
	rcu_read_unlock();
	return err;
}

/* The live entry of key in bucket b of t, copied to *copy, if any. */
static bool fm_bucket_find(struct fm_table *t, unsigned long b,
			   const struct fm_key *key, struct fm_entry_buf *copy)
{
	struct fm_entry __rcu **buckets = fm_table_buckets(t);
	const struct fm_entry *e;

	if (!buckets)
		return false;
	/* the key again on the copy: e may have been rewritten meanwhile */
	for (e = rcu_dereference(buckets[b]); e; e = rcu_dereference(e->next))
		if (fm_key_eq(&e->key, key) && fm_entry_snap(t, e, copy) &&
		    fm_key_eq(&copy->e.key, key))
			return true;
	return false;
}

/*
 * Add the counts of b (the same flow, on another CPU) to a; L2 fields:
 * fm_l2_merge()'s; post-NAT fields: final ones first (fm_xlate_merge()).
 */
static void fm_entry_merge(struct fm_entry *a, const struct fm_entry *b)
{
	if (a->key.kflags & FM_KF_L2)
		fm_l2_merge(fm_entry_l2(a), fm_entry_l2_const(b),
			    (s32)(b->first - a->first) < 0);
	if (a->key.kflags & FM_KF_NAT)
		fm_xlate_merge(fm_entry_xlate(a), fm_entry_xlate_const(b));
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
	if (a->key.kflags & FM_KF_BI)
		fm_bi_merge(fm_entry_bi(a), fm_entry_bi_const(b), &a->key);
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
			struct fm_entry_buf sum, part;
			int ncpus = 1;
			bool seen = false;

			if (!fm_entry_snap(t, e, &sum))
				continue;
			for_each_possible_cpu(other) {
				struct fm_table *o = per_cpu_ptr(c->tables, other);

				if (other == cpu || !fm_bucket_find(o, b, &sum.e.key, &part))
					continue;
				if (other < cpu) {	/* reported with that CPU's */
					seen = true;
					break;
				}
				fm_entry_merge(&sum.e, &part.e);
				ncpus++;
			}
			if (seen)
				continue;
			fm_entry_record(&sum.e, &r, 0, now, now_ms);
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
	struct fm_entry_buf copy;

	rcu_read_lock();
	/*
	 * An empty table (a CPU without traffic) costs no lookup. count
	 * moves just after a new entry is linked: a flow that begins on
	 * that CPU at this instant may be missed, and is the next record.
	 */
	if (READ_ONCE(t->count) && fm_bucket_find(t, hash & t->mask, key, &copy)) {
		*first = copy.e.first;
		*last = copy.e.last;
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
