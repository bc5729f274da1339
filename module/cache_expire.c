// SPDX-License-Identifier: GPL-2.0
/*
 * The flow cache's expiry work, one per CPU and cache, on its own CPU:
 * it frees graves after their grace period, drains the ring of records
 * the packet path ended (and sizes it and its batch to the table's
 * traffic: cache_ring.c), sweeps a share of the table for timeouts each
 * second, ends what the merge asks it to, and hands the records to the
 * merge (merge.c) in batches. It touches its table only with BH disabled
 * (the single-writer rule, cache.c), and exports with BH enabled.
 */
#include <linux/cpu.h>
#include <linux/slab.h>

#include "cache_priv.h"
#include "merge.h"

/* Free a list of graves; returns how many, and their bytes in *mem. */
unsigned int fm_graves_free(struct fm_entry *e, unsigned long *mem)
{
	unsigned int n = 0;

	*mem = 0;
	while (e) {
		struct fm_entry *next = e->grave;
		unsigned int kind = fm_entry_kind(&e->key);

		*mem += fm_entry_size[kind];
		kmem_cache_free(fm_entry_caches[kind], fm_entry_obj(e));
		e = next;
		n++;
	}
	return n;
}

/*
 * Expiry work, on t's CPU: free the graves of the previous round if their
 * grace period is over, then start one for the graves dug since.
 */
void fm_table_reap(struct fm_table *t)
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
		unsigned int kind = fm_entry_kind(&e->key);

		old = e->grave;
		e->grave = t->spare[kind];
		t->spare[kind] = e;
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

/*
 * Free every grave of t at once, once no reader can see them (after a
 * grace period) and nothing else touches t.
 */
void fm_table_free_graves(struct fm_table *t)
{
	unsigned long mem, sum = 0;
	unsigned int k;

	fm_graves_free(t->old_graves, &mem);
	sum += mem;
	fm_graves_free(t->graves, &mem);
	sum += mem;
	for (k = 0; k < FM_ENTRY_KINDS; k++) {
		fm_graves_free(t->spare[k], &mem);
		sum += mem;
		t->spare[k] = NULL;
	}
	t->old_graves = NULL;
	t->graves = NULL;
	t->ngraves = 0;
	t->nspare = 0;
	WRITE_ONCE(t->mem, t->mem - sum);
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
	/*
	 * A biflow both sides closed (FIN) ends here, not at the second
	 * FIN: the last ACK that answers it would start a flow of its own.
	 */
	if (unlikely(e->key.kflags & FM_KF_BI) &&
	    fm_entry_bi_const(e)->fin == 3 && now - e->last >= FM_BI_LINGER) {
		*reason = FM_END_EOF;
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
 * The work ends e (of bucket b, found through *pprev) into *r, a slot of
 * its batch. Own CPU, BH disabled, stats update begun.
 */
static void fm_table_take(struct fm_table *t, struct fm_stats *st,
			  struct fm_entry __rcu **pprev, struct fm_entry *e,
			  unsigned int b, struct fm_record *r, u8 reason,
			  u32 now, u64 now_ms)
{
	fm_entry_record(e, r, reason, now, now_ms);
	fm_table_inflight(t, b);	/* before the unlink */
	rcu_assign_pointer(*pprev, fm_entry_deref(&e->next));
	fm_table_uncount(t);
	st->flows_expired[reason]++;
	fm_entry_bury(t, e);
}

/*
 * Hand the batch's n records to the merge; then none of them is on its
 * way any more. BH enabled.
 */
static void fm_table_merge_batch(struct fm_table *t,
				 const struct fm_record *batch, unsigned int n)
{
	unsigned int i;

	fm_merge_records(t->cache->merge, t->cpu, batch, n);
	smp_wmb();	/* the merge's writes before the bits' clearing */
	for (i = 0; i < ARRAY_SIZE(t->inflight); i++)
		WRITE_ONCE(t->inflight[i], 0);
}

/*
 * Drain t's ring and move the finished flows of buckets b .. stop - 1
 * into its batch, exporting each full batch. With all set, every flow of
 * those buckets ends (FM_END_FORCED). Runs on t's CPU from its work, or,
 * once the packet path and the work are stopped, from anywhere; process
 * context. Without a batch (no memory for one: cache_ring.c), one record
 * at a time.
 */
void fm_table_expire(struct fm_table *t, bool all, unsigned int b,
			    unsigned int stop)
{
	const struct fm_cache_cfg *cfg = &t->cache->cfg;
	unsigned int n = 0, cap = FM_BATCH;
	unsigned int budget;	/* ring bytes this run */
	bool drained = false;
	struct fm_record one, *batch;
	struct fm_stats *st;
	u64 now_ms;
	u32 now;

	if (!t->buckets)	/* its CPU was never online: nothing in it */
		return;
	if (READ_ONCE(t->count) || READ_ONCE(t->ring_len))
		fm_table_batch_get(t);
	batch = t->batch;
	if (!batch) {
		batch = &one;
		cap = 1;
	}
	local_bh_disable();
	budget = t->ring_size;
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
			unsigned int left = scanning ? t->ring_len : budget;

			/* after the batch's records of the scan, if any */
			while (left && t->ring_len) {
				unsigned int took = fm_ring_take(t, batch, &n,
								 cap, left);

				left -= min(took, left);
				if (!scanning)
					budget -= min(took, budget);
				local_bh_enable();
				fm_table_merge_batch(t, batch, n);
				n = 0;
				local_bh_disable();
			}
			drained = true;
			continue;
		}
		drained = false;
		st = this_cpu_ptr(t->fn->stats);
		u64_stats_update_begin(&st->syncp);
		now = (u32)jiffies;
		now_ms = fm_table_now_ms(t, now);
		for (; b < end && n < cap; b++) {
			struct fm_entry __rcu **pprev = &t->buckets[b];
			struct fm_entry *e;
			u8 reason = FM_END_FORCED;

			for (e = fm_entry_deref(pprev); e && n < cap;
			     e = fm_entry_deref(pprev)) {
				if (!all && !fm_entry_expired(cfg, e, now, &reason)) {
					pprev = &e->next;
					continue;
				}
				fm_table_take(t, st, pprev, e, b, &batch[n++],
					      reason, now, now_ms);
			}
			if (e)		/* batch full mid-chain: redo bucket */
				break;
		}
		u64_stats_update_end(&st->syncp);
		local_bh_enable();
		if (n == cap || (n && b >= stop)) {
			fm_table_merge_batch(t, batch, n);
			n = 0;
		}
		cond_resched();
		local_bh_disable();
	}
	local_bh_enable();
	if (n)
		fm_table_merge_batch(t, batch, n);
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
	unsigned int n = 0, cap = FM_BATCH;
	struct fm_merge_req *rq, *next;
	struct fm_record one, *batch;

	if (!list)
		return;
	fm_table_batch_get(t);
	batch = t->batch;
	if (!batch) {
		batch = &one;
		cap = 1;
	}

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
			fm_table_take(t, st, pprev, e, b, &batch[n++],
				      rq->reason, now, fm_table_now_ms(t, now));
			u64_stats_update_end(&st->syncp);
		}
		local_bh_enable();
		kfree(rq);
		if (n == cap) {
			fm_table_merge_batch(t, batch, n);
			n = 0;
		}
	}
	if (n)
		fm_table_merge_batch(t, batch, n);
}

/* Requests nobody will carry out: the table is emptied or freed. */
void fm_table_drop_requests(struct fm_table *t)
{
	struct llist_node *list = llist_del_all(&t->requests);
	struct fm_merge_req *rq, *next;

	llist_for_each_entry_safe(rq, next, list, node)
		kfree(rq);
}

/* Once a second: spare entries nobody took since the last time go back. */
static void fm_table_trim_spares(struct fm_table *t)
{
	struct fm_entry *spare[FM_ENTRY_KINDS] = { NULL };
	unsigned long mem, sum = 0;
	unsigned int k, n = 0;

	local_bh_disable();
	if (!t->spare_taken) {
		for (k = 0; k < FM_ENTRY_KINDS; k++) {
			spare[k] = t->spare[k];
			t->spare[k] = NULL;
		}
		t->nspare = 0;
	}
	t->spare_taken = 0;
	local_bh_enable();
	for (k = 0; k < FM_ENTRY_KINDS; k++) {
		n += fm_graves_free(spare[k], &mem);
		sum += mem;
	}
	if (n) {
		local_bh_disable();
		t->mem -= sum;
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

void fm_table_work(struct work_struct *work)
{
	struct fm_table *t = container_of(to_delayed_work(work),
					  struct fm_table, work);
	bool all = READ_ONCE(t->flush);
	u32 now = (u32)jiffies;
	bool scan = all || (s32)(now - t->next_scan) >= 0;
	unsigned int from = 0, to = 0;
	bool idle;

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
	/* kicked by a quarter of the small ring, or to end flows for others */
	if (READ_ONCE(t->ring_len) >= t->ring_size / 4 ||
	    fm_budget_wanted(t->cache))
		fm_ring_grow(t);
	fm_table_reap(t);
	if (scan)
		fm_table_trim_spares(t);
	fm_table_requests(t);
	fm_table_expire(t, all, from, to);
	if (all)
		WRITE_ONCE(t->flush, false);
	if (scan) {
		local_bh_disable();
		fm_table_yield(t);
		local_bh_enable();
	}
	fm_merge_poll(t->cache->merge);
	local_bh_disable();
	idle = fm_table_idle(t);
	t->asleep = idle;
	/* an idle table holds no budget another CPU might need */
	if (idle && t->quota)
		fm_budget_return(t, true);
	local_bh_enable();
	/*
	 * What only a table with flows needs goes back; a packet that woke
	 * the table since has queued this work again, which gets it back.
	 */
	if (idle)
		fm_table_shrink(t);
	else if (!READ_ONCE(t->cache->stopping) && !READ_ONCE(t->parked))
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
