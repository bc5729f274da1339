// SPDX-License-Identifier: GPL-2.0
/*
 * The aggregation cache beside the main one (aggcache.h): a hash table
 * of masked keys, each holding the sums of the flow records folded into
 * it. Only the export work and configuration touch it, under the export
 * mutex; nothing here runs on the packet path.
 *
 * Bounded: at most max aggregates (each a kmalloc charged to the netns's
 * memory cgroup); a new one in a full table first sends all of them on.
 * Keys are chosen by whoever sends the packets, so the bucket hash is
 * keyed (SipHash, a random key per table).
 */
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "aggcache.h"

struct fm_aggc_ent {
	struct hlist_node node;
	u64 last_ms;		/* boot clock: the last flow folded in */
	struct fm_record r;	/* key masked; the sums of its flows */
};

struct fm_aggc {
	u64 mask;		/* fm_agg_pack() of the flow mask, never 0 */
	u32 max;
	u32 n;
	u32 nbuckets;		/* a power of 2 */
	siphash_key_t hkey;
	u64 folded;
	u64 out;
	u64 overflows;
	struct fm_record buf[FM_AGGC_CHUNK];	/* what leaves, a chunk */
	unsigned int nbuf;
	struct hlist_head buckets[];
};

static unsigned int fm_param_agg_max = 65536;
module_param_named(aggregate_max, fm_param_agg_max, uint, 0644);
MODULE_PARM_DESC(aggregate_max,
		 "Aggregates an aggregation cache beside the main one holds (1..16777216, default 65536)");

struct fm_aggc *fm_aggc_new(void)
{
	u32 max = clamp(READ_ONCE(fm_param_agg_max), 1U, 1U << 24);
	u32 nb = max(64U, roundup_pow_of_two(max) / 4);
	struct fm_aggc *ac;

	ac = kvzalloc(struct_size(ac, buckets, nb), GFP_KERNEL_ACCOUNT);
	if (!ac)
		return NULL;
	ac->max = max;
	ac->nbuckets = nb;
	get_random_bytes(&ac->hkey, sizeof(ac->hkey));
	return ac;
}

void fm_aggc_set_mask(struct fm_aggc *ac, u64 mask)
{
	ac->mask = mask;
}

u64 fm_aggc_mask(const struct fm_aggc *ac)
{
	return ac->mask;
}

static struct hlist_head *fm_aggc_bucket(struct fm_aggc *ac,
					 const struct fm_key *k)
{
	u64 h = siphash(k, fm_key_len(k), &ac->hkey);

	return &ac->buckets[h & (ac->nbuckets - 1)];
}

static void fm_aggc_flush_buf(struct fm_aggc *ac, fm_aggc_emit_t emit,
			      void *arg)
{
	if (!ac->nbuf)
		return;
	emit(arg, ac->buf, ac->nbuf);
	ac->out += ac->nbuf;
	ac->nbuf = 0;
}

static void fm_aggc_put(struct fm_aggc *ac, const struct fm_record *r,
			u8 reason, fm_aggc_emit_t emit, void *arg)
{
	ac->buf[ac->nbuf] = *r;
	ac->buf[ac->nbuf].end_reason = reason;
	if (++ac->nbuf == FM_AGGC_CHUNK)
		fm_aggc_flush_buf(ac, emit, arg);
}

static void fm_aggc_expire_reason(struct fm_aggc *ac, u64 now_ms,
				  u64 active_ms, u64 inactive_ms, u8 all,
				  fm_aggc_emit_t emit, void *arg)
{
	struct fm_aggc_ent *e;
	struct hlist_node *tmp;
	u32 i;
	u8 reason;

	for (i = 0; i < ac->nbuckets && ac->n; i++) {
		hlist_for_each_entry_safe(e, tmp, &ac->buckets[i], node) {
			if (all)
				reason = all;
			else if (now_ms - e->r.start_ms >= active_ms)
				reason = FM_END_ACTIVE;
			else if (now_ms - e->last_ms >= inactive_ms)
				reason = FM_END_IDLE;
			else
				continue;
			fm_aggc_put(ac, &e->r, reason, emit, arg);
			hlist_del(&e->node);
			kfree(e);
			ac->n--;
		}
	}
	fm_aggc_flush_buf(ac, emit, arg);
}

void fm_aggc_expire(struct fm_aggc *ac, u64 now_ms, u64 active_ms,
		    u64 inactive_ms, bool all, fm_aggc_emit_t emit, void *arg)
{
	fm_aggc_expire_reason(ac, now_ms, active_ms, inactive_ms,
			      all ? FM_END_FORCED : 0, emit, arg);
}

static void fm_aggc_add(struct fm_record *a, const struct fm_record *r)
{
	a->packets += r->packets;
	a->bytes += r->bytes;
	a->start_ms = min(a->start_ms, r->start_ms);
	a->end_ms = max(a->end_ms, r->end_ms);
	a->tcp_flags |= r->tcp_flags;
	a->ttl_min = min(a->ttl_min, r->ttl_min);
	a->ttl_max = max(a->ttl_max, r->ttl_max);
	a->rflags |= r->rflags & FM_RF_FRAG;
}

void fm_aggc_fold(struct fm_aggc *ac, const struct fm_record *recs,
		  unsigned int n, u64 now_ms, fm_aggc_emit_t emit, void *arg)
{
	const struct fm_record *r;
	struct fm_aggc_ent *e;
	struct hlist_head *b;
	struct fm_key k;
	unsigned int i, len;

	for (i = 0, r = recs; i < n; i++, r++) {
		/*
		 * The key's bytes past its length are not the record's (an
		 * IPv4 entry is cut short): zero them, so that the copies
		 * kept and hashed are whole.
		 */
		memset(&k, 0, sizeof(k));
		memcpy(&k, &r->key, fm_key_len(&r->key));
		fm_agg_apply(&k, ac->mask);
		len = fm_key_len(&k);
		b = fm_aggc_bucket(ac, &k);
		ac->folded++;
		hlist_for_each_entry(e, b, node)
			if (!memcmp(&e->r.key, &k, len))
				goto found;
		if (ac->n >= ac->max) {
			ac->overflows++;
			fm_aggc_expire_reason(ac, now_ms, 0, 0,
					      FM_END_RESOURCES, emit, arg);
		}
		e = kmalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e) {
			/* no room: the flow goes on alone, as its own aggregate */
			struct fm_record one = *r;

			one.key = k;
			fm_aggc_put(ac, &one, FM_END_RESOURCES, emit, arg);
			fm_aggc_flush_buf(ac, emit, arg);
			continue;
		}
		e->r = *r;
		e->r.key = k;
		e->r.rflags &= FM_RF_FRAG;
		hlist_add_head(&e->node, b);
		ac->n++;
		e->last_ms = now_ms;
		continue;
found:
		fm_aggc_add(&e->r, r);
		e->last_ms = now_ms;
	}
}

void fm_aggc_stats(const struct fm_aggc *ac, struct fm_aggc_stats *st)
{
	st->entries = ac->n;
	st->max = ac->max;
	st->folded = ac->folded;
	st->out = ac->out;
	st->overflows = ac->overflows;
}

/* Frees what is held without sending it: fm_aggc_expire(all) first. */
void fm_aggc_free(struct fm_aggc *ac)
{
	struct fm_aggc_ent *e;
	struct hlist_node *tmp;
	u32 i;

	if (!ac)
		return;
	for (i = 0; i < ac->nbuckets; i++)
		hlist_for_each_entry_safe(e, tmp, &ac->buckets[i], node)
			kfree(e);
	kvfree(ac);
}
