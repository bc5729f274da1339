// SPDX-License-Identifier: GPL-2.0
/*
 * One flow, one record. Each CPU meters the packets it handles in its own
 * table (cache.c), so a flow whose packets several CPUs handle (veth and
 * containers, RPS, a sender that migrates) has a piece on each, and each
 * piece ends on its own. Collectors count flows: here, between the tables
 * and the exporter, the records of one flow's pieces become one record
 * per end of the flow, counters summed, flags ORed, times and TTLs
 * bounded over all its pieces. The packet path is not involved: this runs
 * in the expiry works, in process context, under one mutex per cache.
 *
 * A record that reaches the merge with no piece of its flow left on any
 * other CPU (the common case: checked by a lookup in each CPU's table,
 * the same bucket on all) goes straight to the exporter. Otherwise it is
 * held, and what happens next depends on why its piece ended:
 *  - idle: the flow is idle only when every piece is. The record waits
 *    for the pieces still live to end too (each ends by itself, or is
 *    asked to if it is idle already), and takes them in as they arrive.
 *  - any other end (TCP FIN/RST, active timeout, eviction, flush): the
 *    flow ended, so it ends on every CPU. Each CPU that holds a piece
 *    begun by now is asked to end it with the same reason
 *    (fm_cache_request(): the CPU's own work does it, so the tables keep
 *    their single writer); a piece begun later is the next record's.
 * The flow's end reason is the strongest of its pieces' (end of flow,
 * then active, lack of resources, forced, idle).
 *
 * A record can be in flight between a table and here, in its CPU's work's
 * batch: each table marks the buckets whose flows it ended there until
 * the batch is merged (fm_cache_piece(), which also says what that does
 * not cover), and a record waits while its bucket is marked.
 *
 * Biflows: a record's key has its initiator as source, and the pieces on
 * two CPUs may disagree on who that is (each saw its own first packet):
 * they are found by the key both directions share (fm_bi_canon()), added
 * side by side, and the initiator decided again over the whole flow
 * (fm_bi_add()).
 *
 * Memory: FM_HELD_MAX records per cache at most, charged like the rest
 * of the cache; a record held too long
 * (FM_HELD_WAIT after a non-idle end, the two timeouts after an idle
 * one: a piece was lost) is exported as it is. Both count in
 * merge_incomplete, every piece taken into another's record in
 * flows_merged.
 */
#include <linux/slab.h>

#include "merge.h"

#define FM_HELD_MAX	4096	/* records held per cache */
#define FM_HELD_BUCKETS	256
#define FM_HELD_WAIT	(5 * HZ)	/* for the pieces asked to end */
#define FM_MERGE_OUT	16	/* merged records per fm_export_records() */

struct fm_held {
	struct hlist_node node;
	struct fm_record r;	/* the pieces so far */
	struct fm_key ckey;	/* r.key, of a biflow both directions' */
	u32 hash;		/* fm_cache_hash() of r.key */
	u32 end_j;		/* jiffies of r.end_ms */
	u32 cutoff_j;		/* not idle: the flow's end, pieces begun */
	u64 cutoff_ms;		/* after it are the next record's */
	unsigned long deadline;
};

struct fm_merge {
	struct fm_net *fn;
	struct fm_cache *c;
	const struct fm_cache_cfg *cfg;
	struct mutex lock;		/* everything below */
	unsigned int count;		/* held; read without the lock */
	struct hlist_head *heads;	/* FM_HELD_BUCKETS, from the first hold */
	struct fm_record *out;		/* FM_MERGE_OUT merged, to export */
	unsigned int nout;
};

/* How strong an end reason is: the flow's is its strongest piece's. */
static unsigned int fm_reason_rank(u8 reason)
{
	switch (reason) {
	case FM_END_EOF:
		return 5;
	case FM_END_ACTIVE:
		return 4;
	case FM_END_RESOURCES:
		return 3;
	case FM_END_FORCED:
		return 2;
	default:
		return 1;
	}
}

/* The key a flow's pieces share, whichever way a biflow's were turned. */
static void fm_merge_key(const struct fm_record *r, struct fm_key *k)
{
	*k = r->key;
	if (k->kflags & FM_KF_BI)
		fm_bi_canon(k);
}

/* A record's first and last packet, both directions of a biflow. */
static u64 fm_rec_start(const struct fm_record *r)
{
	return r->rev.packets ? min(r->start_ms, r->rev.start_ms) : r->start_ms;
}

static u64 fm_rec_end(const struct fm_record *r)
{
	return r->rev.packets ? max(r->end_ms, r->rev.end_ms) : r->end_ms;
}

/* One direction of a biflow record, to add them side by side. */
struct fm_bi_side {
	u64 packets, bytes, start_ms, end_ms;
	u8 tcp_flags;
};

static void fm_bi_unpack(const struct fm_record *r, struct fm_bi_side *s)
{
	s[0] = (struct fm_bi_side){ r->packets, r->bytes, r->start_ms,
				    r->end_ms, r->tcp_flags };
	s[1] = (struct fm_bi_side){ r->rev.packets, r->rev.bytes,
				    r->rev.start_ms, r->rev.end_ms,
				    r->rev.tcp_flags };
}

/*
 * Within a jiffy, the start times of pieces from two CPUs do not order
 * their first packets: each piece's jiffies became ms at its own moment
 * (fm_entry_record()), each up to a jiffy early, so a reply in the
 * request's jiffy may seem to come first. Then the ports decide
 * (fm_bi_port_client()), else the key's canonical source (fm_bi_canon()),
 * as the live readers decide a tie (fm_bi_merge()). Returns 1 when h's
 * destination initiated.
 */
static unsigned int fm_bi_tie(const struct fm_record *h)
{
	struct fm_key k = h->key;
	int client = fm_bi_port_client(&k);

	if (client >= 0)
		return client;
	/* turned round to be canonical: the destination is side 0 */
	return fm_bi_canon(&k);
}

/* Side 1 sent first: clearly, by more than the pieces' error, or in a tie */
static unsigned int fm_bi_first(const struct fm_record *h,
				const struct fm_bi_side *s)
{
	u64 tie = jiffies_to_msecs(1);

	if (s[1].start_ms + tie <= s[0].start_ms)
		return 1;
	if (s[0].start_ms + tie <= s[1].start_ms)
		return 0;
	return fm_bi_tie(h);
}

/*
 * Add biflow piece r to h: each direction to the same one, turning r
 * round if its initiator is h's responder. The initiator is then who a
 * SYN says, else the side that sent first (fm_bi_first()); h's key turns
 * to match.
 */
static void fm_bi_add(struct fm_record *h, const struct fm_record *r)
{
	bool same = fm_key_eq(&h->key, &r->key);
	u8 syn = (h->rev.init | r->rev.init) & FM_BI_SYN;
	struct fm_bi_side s[2], t[2];
	unsigned int i, init;

	fm_bi_unpack(h, s);
	fm_bi_unpack(r, t);
	if (!same)
		swap(t[0], t[1]);
	for (i = 0; i < 2; i++) {
		if (!t[i].packets)
			continue;
		if (!s[i].packets) {
			s[i] = t[i];
			continue;
		}
		s[i].packets += t[i].packets;
		s[i].bytes += t[i].bytes;
		s[i].start_ms = min(s[i].start_ms, t[i].start_ms);
		s[i].end_ms = max(s[i].end_ms, t[i].end_ms);
		s[i].tcp_flags |= t[i].tcp_flags;
	}
	if (h->rev.init & FM_BI_SYN)
		init = 0;
	else if (r->rev.init & FM_BI_SYN)
		init = !same;
	else if (s[0].packets && s[1].packets)
		init = fm_bi_first(h, s);
	else
		init = !s[0].packets;
	if (init) {
		fm_key_reverse(&h->key);
		swap(s[0], s[1]);
	}
	h->packets = s[0].packets;
	h->bytes = s[0].bytes;
	h->start_ms = s[0].start_ms;
	h->end_ms = s[0].end_ms;
	h->tcp_flags = s[0].tcp_flags;
	h->rev.packets = s[1].packets;
	h->rev.bytes = s[1].bytes;
	h->rev.start_ms = s[1].packets ? s[1].start_ms : 0;
	h->rev.end_ms = s[1].packets ? s[1].end_ms : 0;
	h->rev.tcp_flags = s[1].tcp_flags;
	h->rev.init = syn;
}

static u32 fm_idle_jiffies(const struct fm_merge *m)
{
	return READ_ONCE(m->cfg->inactive_timeout) * HZ;
}

static u64 fm_merge_now_ms(void)
{
	return ktime_get_boottime_ns() / NSEC_PER_MSEC;
}

/* A boot-clock time in ms as jiffies, now and now_ms being the same. */
static u32 fm_ms_jiffies(u64 ms, u32 now, u64 now_ms)
{
	return ms < now_ms ? now - msecs_to_jiffies(now_ms - ms) : now;
}

/* Is a live piece that began at first part of h's flow? */
static bool fm_held_owns_piece(const struct fm_merge *m,
			       const struct fm_held *h, u32 first)
{
	if (h->r.end_reason == FM_END_IDLE)	/* no idle gap before it */
		return (s32)(first - h->end_j) < (s32)fm_idle_jiffies(m);
	return (s32)(first - h->cutoff_j) <= 0;
}

/* The same for a record that arrives: r's piece began at r->start_ms. */
static bool fm_held_owns_record(const struct fm_merge *m,
				const struct fm_held *h,
				const struct fm_record *r)
{
	if (h->r.end_reason == FM_END_IDLE)
		return fm_rec_start(r) < fm_rec_end(&h->r) +
			(u64)READ_ONCE(m->cfg->inactive_timeout) * MSEC_PER_SEC;
	return fm_rec_start(r) <= h->cutoff_ms;
}

static void fm_held_end_at(struct fm_merge *m, struct fm_held *h, u32 now,
			   u64 now_ms)
{
	if (h->r.end_reason == FM_END_IDLE) {
		h->deadline = jiffies + FM_HELD_WAIT +
			(READ_ONCE(m->cfg->inactive_timeout) +
			 READ_ONCE(m->cfg->active_timeout)) * HZ;
	} else {
		h->cutoff_j = now;
		h->cutoff_ms = now_ms;
		h->deadline = jiffies + FM_HELD_WAIT;
	}
}

static void fm_held_init(struct fm_merge *m, struct fm_held *h,
			 const struct fm_record *r, u32 hash, u32 now,
			 u64 now_ms)
{
	h->r = *r;
	fm_merge_key(r, &h->ckey);
	h->hash = hash;
	h->end_j = fm_ms_jiffies(fm_rec_end(r), now, now_ms);
	fm_held_end_at(m, h, now, now_ms);
}

/* Take r's piece into h. True if the flow's end changed from idle. */
static bool fm_held_add(struct fm_merge *m, struct fm_held *h,
			const struct fm_record *r, u32 now, u64 now_ms)
{
	bool was_idle = h->r.end_reason == FM_END_IDLE;
	u64 end = fm_rec_end(r);

	if (end > fm_rec_end(&h->r))
		h->end_j = fm_ms_jiffies(end, now, now_ms);
	if (r->key.kflags & FM_KF_L2)
		fm_l2_merge(&h->r.l2, &r->l2, r->start_ms < h->r.start_ms);
	if (r->key.kflags & FM_KF_NAT)
		fm_xlate_merge(&h->r.xlate, &r->xlate);
	if (r->key.kflags & FM_KF_BI) {
		fm_bi_add(&h->r, r);
	} else {
		h->r.packets += r->packets;
		h->r.bytes += r->bytes;
		h->r.start_ms = min(h->r.start_ms, r->start_ms);
		h->r.end_ms = max(h->r.end_ms, r->end_ms);
		h->r.tcp_flags |= r->tcp_flags;
	}
	h->r.ttl_min = min(h->r.ttl_min, r->ttl_min);
	h->r.ttl_max = max(h->r.ttl_max, r->ttl_max);
	h->r.rflags |= r->rflags;
	if (fm_reason_rank(r->end_reason) <= fm_reason_rank(h->r.end_reason))
		return false;
	h->r.end_reason = r->end_reason;
	if (!was_idle)
		return false;
	fm_held_end_at(m, h, now, now_ms);
	return true;
}

static void fm_merge_stat(struct fm_merge *m, bool merged)
{
	struct fm_stats *st;

	local_bh_disable();
	st = this_cpu_ptr(m->fn->stats);
	u64_stats_update_begin(&st->syncp);
	if (merged)
		st->flows_merged++;
	else
		st->merge_incomplete++;
	u64_stats_update_end(&st->syncp);
	local_bh_enable();
}

/* Ask cpu to end its piece of h's flow; without memory, h waits longer. */
static void fm_held_ask(struct fm_merge *m, const struct fm_held *h, int cpu)
{
	struct fm_merge_req *rq = fm_cache_kmalloc(m->c, sizeof(*rq));

	if (!rq)
		return;
	rq->key = h->ckey;
	rq->hash = h->hash;
	rq->cutoff = h->cutoff_j;
	rq->reason = h->r.end_reason;
	fm_cache_request(m->c, cpu, rq);
}

/*
 * Must h wait for another piece: one live on some CPU, or a record in
 * flight from a CPU other than skip (the one whose records are being
 * merged now: its in-flight ones are those records)? With ask, the CPUs
 * whose pieces should end now are asked to. With fresh (h is a record
 * just ended on skip, nothing held yet), skip is not looked at at all: a
 * piece there now began after this one ended, so on one CPU it is the
 * flow's next record, as it would be on a single-CPU machine.
 */
static bool fm_held_waits(struct fm_merge *m, const struct fm_held *h,
			  int skip, bool fresh, bool ask, u32 now)
{
	bool waits = false;
	u32 first, last;
	int cpu;

	for_each_possible_cpu(cpu) {
		if (fresh && cpu == skip)
			continue;
		switch (fm_cache_piece(m->c, cpu, h->hash, &h->ckey, &first,
				       &last)) {
		case FM_PIECE_LIVE:
			if (!fm_held_owns_piece(m, h, first))
				break;
			waits = true;
			if (ask && (h->r.end_reason != FM_END_IDLE ||
				    now - last >= fm_idle_jiffies(m)))
				fm_held_ask(m, h, cpu);
			break;
		case FM_PIECE_INFLIGHT:
			if (cpu != skip)
				waits = true;
			break;
		case FM_PIECE_NONE:
			break;
		}
	}
	return waits;
}

static void fm_merge_out(struct fm_merge *m)
{
	if (m->nout)
		fm_export_records(m->fn, m->out, m->nout);
	m->nout = 0;
}

/* h is complete (or waited long enough): export it. */
static void fm_held_emit(struct fm_merge *m, struct fm_held *h)
{
	hlist_del(&h->node);
	WRITE_ONCE(m->count, m->count - 1);
	m->out[m->nout++] = h->r;
	kfree(h);
	if (m->nout == FM_MERGE_OUT)
		fm_merge_out(m);
}

static struct fm_held *fm_held_find(struct fm_merge *m, u32 hash,
				    const struct fm_key *ckey,
				    const struct fm_record *r)
{
	struct fm_held *h;

	if (!m->count)
		return NULL;
	hlist_for_each_entry(h, &m->heads[hash % FM_HELD_BUCKETS], node)
		if (h->hash == hash && fm_key_eq(&h->ckey, ckey) &&
		    fm_held_owns_record(m, h, r))
			return h;
	return NULL;
}

/* The first hold allocates the hash and output buffer, kept till the end. */
static bool fm_merge_ready(struct fm_merge *m)
{
	if (m->heads)
		return true;
	m->out = fm_cache_kmalloc(m->c, FM_MERGE_OUT * sizeof(*m->out));
	m->heads = fm_cache_kmalloc(m->c, FM_HELD_BUCKETS * sizeof(*m->heads));
	if (m->out && m->heads) {
		unsigned int i;

		for (i = 0; i < FM_HELD_BUCKETS; i++)
			INIT_HLIST_HEAD(&m->heads[i]);
		return true;
	}
	kfree(m->out);
	kfree(m->heads);
	m->out = NULL;
	m->heads = NULL;
	return false;
}

/*
 * Merge one record from cpu: true if taken (held, or into a held one),
 * false if it goes to the exporter as it is.
 */
static bool fm_merge_one(struct fm_merge *m, int cpu,
			 const struct fm_record *r, u32 now, u64 now_ms)
{
	struct fm_held tmp, *h;
	struct fm_key ckey;
	u32 hash;

	fm_merge_key(r, &ckey);
	hash = fm_cache_hash(m->c, &ckey);
	h = fm_held_find(m, hash, &ckey, r);

	if (h) {
		bool ask = fm_held_add(m, h, r, now, now_ms);

		fm_merge_stat(m, true);
		if (!fm_held_waits(m, h, cpu, false, ask, now))
			fm_held_emit(m, h);
		return true;
	}
	fm_held_init(m, &tmp, r, hash, now, now_ms);
	if (!fm_held_waits(m, &tmp, cpu, true, false, now))
		return false;		/* the flow's only piece */
	h = NULL;
	if (m->count < FM_HELD_MAX && fm_merge_ready(m))
		h = fm_cache_kmalloc(m->c, sizeof(*h));
	if (!h) {
		fm_merge_stat(m, false);
		return false;
	}
	*h = tmp;
	hlist_add_head(&h->node, &m->heads[hash % FM_HELD_BUCKETS]);
	WRITE_ONCE(m->count, m->count + 1);
	fm_held_waits(m, h, cpu, false, true, now);	/* now ask */
	return true;
}

/*
 * The records cpu's table ended (or an exporter of them: cpu is the
 * table's): from its expiry work, or from whoever empties it once it
 * stopped. Process context.
 */
void fm_merge_records(struct fm_merge *m, int cpu,
		      const struct fm_record *recs, unsigned int n)
{
	unsigned int i, run = 0;
	u64 now_ms;
	u32 now;

	if (!n)
		return;
	if (num_online_cpus() == 1 && !READ_ONCE(m->count)) {
		fm_export_records(m->fn, recs, n);
		return;
	}
	mutex_lock(&m->lock);
	now = (u32)jiffies;
	now_ms = fm_merge_now_ms();
	for (i = 0; i < n; i++) {
		if (!fm_merge_one(m, cpu, &recs[i], now, now_ms))
			continue;
		if (i > run)
			fm_export_records(m->fn, recs + run, i - run);
		run = i + 1;
	}
	if (n > run)
		fm_export_records(m->fn, recs + run, n - run);
	fm_merge_out(m);
	mutex_unlock(&m->lock);
}

/*
 * Export the held records whose pieces are all in, or that waited too
 * long; with all, every one.
 */
static void fm_merge_sweep(struct fm_merge *m, bool all)
{
	struct hlist_node *tmp;
	struct fm_held *h;
	unsigned int b;
	u32 now;

	mutex_lock(&m->lock);
	now = (u32)jiffies;
	for (b = 0; m->count && b < FM_HELD_BUCKETS; b++) {
		hlist_for_each_entry_safe(h, tmp, &m->heads[b], node) {
			if (all || !fm_held_waits(m, h, -1, false, false, now)) {
				fm_held_emit(m, h);
			} else if (time_after(jiffies, h->deadline)) {
				fm_merge_stat(m, false);
				fm_held_emit(m, h);
			}
		}
	}
	fm_merge_out(m);
	mutex_unlock(&m->lock);
}

/* From each expiry work, after its run. */
void fm_merge_poll(struct fm_merge *m)
{
	if (READ_ONCE(m->count))
		fm_merge_sweep(m, false);
}

/* Does m hold a record? Any CPU, no lock: a hint for the works. */
bool fm_merge_holds(const struct fm_merge *m)
{
	return READ_ONCE(m->count);
}

/* Every table is empty and stopped: export what is held. */
void fm_merge_flush(struct fm_merge *m)
{
	fm_merge_sweep(m, true);
}

struct fm_merge *fm_merge_create(struct fm_net *fn, struct fm_cache *c,
				 const struct fm_cache_cfg *cfg)
{
	struct fm_merge *m = kzalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);

	if (!m)
		return NULL;
	m->fn = fn;
	m->c = c;
	m->cfg = cfg;
	mutex_init(&m->lock);
	return m;
}

/* Nothing uses m any more; fm_merge_flush() emptied it. */
void fm_merge_destroy(struct fm_merge *m)
{
	if (!m)
		return;
	WARN_ON_ONCE(m->count);
	mutex_destroy(&m->lock);
	kfree(m->heads);
	kfree(m->out);
	kfree(m);
}
