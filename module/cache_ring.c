// SPDX-License-Identifier: GPL-2.0
/*
 * A CPU's ring of finished records: the flows its packet path ends (TCP
 * FIN or RST, eviction, an end for the flow budget) on their way to the
 * expiry work, which hands them to the merge (merge.c) and the exporter.
 *
 * Compact. A record in the ring is the entry that ended, copied as the
 * slab holds it (its kind's extension first, an IPv4 entry cut short:
 * cache_hot.h), after a header with its end reason and the clock at its
 * end (struct fm_ring_hdr): 80 bytes for an IPv4 flow, 112 for IPv6,
 * more only for the kinds with an extension, by its size. The work
 * expands it to the full struct fm_record (232 bytes: export-time fields,
 * every kind's fields) with fm_entry_record(), as if the flow had ended
 * in the work, just before the merge. A kind added with an extension
 * needs no change here. Records of different sizes share the ring: each
 * is written whole where the last one ended, one that would cross the
 * ring's end going on into a slack of FM_RING_REC_MAX bytes past it
 * instead of wrapping (its bytes still count from the ring's start, so
 * no record is ever written over one waiting).
 *
 * Storage, and who may change it. Rules:
 *  - A table has a ring from the moment it has buckets: a small one
 *    (FM_RING_SMALL bytes, a page) allocated with them, when the cache is
 *    made or its CPU comes up (fm_table_alloc(): configuration and
 *    hotplug paths), kept until the cache is freed. So the packet path
 *    always finds a ring and never allocates; a record that finds no
 *    room in it is dropped and counted in records_dropped, as ever.
 *  - The expiry work, and only it (or whoever has the stopped table to
 *    itself: fm_cpu_dead(), fm_cache_halt()), allocates and frees:
 *    a bigger ring (fm_ring_full_size(): FM_RING_MIN .. FM_RING_MAX IPv4
 *    records) when it finds a quarter of the small one waiting (the
 *    packet path kicked it) or another CPU wants budget (its yield will
 *    end flows into the ring); its batch (the records its own sweep
 *    ends) when the table has flows or requests. Both go back when the
 *    table goes idle (fm_table_idle(): nothing cached, nothing waiting)
 *    or its CPU dies: an idle netns holds each online CPU's buckets and
 *    small ring, nothing more. An allocation that fails leaves the small
 *    ring (records past it counted as dropped) or no batch (the work
 *    then ends flows one at a time, through a record on its stack).
 *  - Rings are swapped on the table's CPU with BH disabled (the single
 *    writer rule, cache.c), the records waiting moved across; no one but
 *    the work reads the ring, so no one holds the old one after that.
 *  - Resize makes a new cache (small rings); flush, resize and teardown
 *    empty the old rings through fm_table_expire(); fm_table_free()
 *    frees whichever rings and batch a table has.
 *  - All of it charged to the cache's memory cgroup (FM_GFP_TABLE, with
 *    that cgroup made the active one): the work runs in a kworker.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cache_priv.h"

/*
 * Bytes of the full ring of a table of nbuckets: a 32nd of the buckets
 * in IPv4 records, FM_RING_MIN to FM_RING_MAX, rounded so that ring and
 * slack fill whole pages.
 */
unsigned int fm_ring_full_size(unsigned int nbuckets)
{
	unsigned int recs = clamp(nbuckets / 32, FM_RING_MIN, FM_RING_MAX);

	return PAGE_ALIGN(recs * FM_RING_REC_V4 + FM_RING_REC_MAX) -
	       FM_RING_REC_MAX;
}

/* The small ring of t, with its buckets: configuration or hotplug path. */
int fm_ring_alloc(struct fm_cache *c, struct fm_table *t, int node)
{
	BUILD_BUG_ON(FM_RING_SMALL < 8 * FM_RING_REC_MAX);
	t->ring_small = kzalloc_node(FM_RING_SMALL, FM_GFP_TABLE, node);
	if (!t->ring_small)
		return -ENOMEM;
	t->ring = t->ring_small;
	t->ring_head = 0;
	t->ring_len = 0;
	t->ring_size = FM_RING_SMALL - FM_RING_REC_MAX;
	WRITE_ONCE(t->ring_mem, FM_RING_SMALL);
	return 0;
}

static unsigned int fm_ring_next(const struct fm_table *t, unsigned int pos)
{
	return pos >= t->ring_size ? pos - t->ring_size : pos;
}

/*
 * Copy e, its extension first, as the slab object holds it: fixed sizes
 * for the plain kinds, so that the eviction stays a few dozen stores.
 */
static void fm_ring_copy(void *to, const struct fm_entry *e,
			 unsigned int kind)
{
	const u8 *obj = (const u8 *)e - fm_entry_ext_size(kind);

	if (likely(kind == 0))
		memcpy(to, obj, FM_ENTRY_SIZE_V4);
	else if (kind == FM_ENTRY_V6)
		memcpy(to, obj, FM_ENTRY_SIZE_V6);
	else
		memcpy(to, obj, fm_entry_obj_size(kind));
}

/*
 * Queue e's record, ending now for reason. Own CPU, BH disabled: the
 * packet path, or the work. False if the ring has no room.
 */
bool fm_ring_put(struct fm_table *t, const struct fm_entry *e, u8 reason)
{
	unsigned int kind = fm_entry_kind(&e->key);
	unsigned int size = fm_ring_rec_size(kind);
	unsigned int len = t->ring_len;
	struct fm_ring_hdr *h;
	u32 now;

	if (unlikely(len + size > t->ring_size))
		return false;
	h = (struct fm_ring_hdr *)(t->ring + fm_ring_next(t, t->ring_head + len));
	now = (u32)jiffies;
	h->now_ms = fm_table_now_ms(t, now);
	h->now = now;
	h->reason = reason;
	h->kind = kind;
	h->pad = 0;
	fm_ring_copy(h + 1, e, kind);
	t->ring_len = len + size;
	/* early: the work may wait for the CPU a few ms */
	if (len < t->ring_size / 4 && t->ring_len >= t->ring_size / 4)
		fm_table_kick(t);
	return true;
}

/*
 * Take records out of t's ring, expanded, into buf[*n ..] until cap or
 * until limit bytes (and the record that crosses it) are taken; returns
 * the bytes taken. Own CPU with BH disabled, or the stopped table's
 * owner.
 */
unsigned int fm_ring_take(struct fm_table *t, struct fm_record *buf,
			  unsigned int *n, unsigned int cap,
			  unsigned int limit)
{
	unsigned int took = 0;

	while (t->ring_len && *n < cap && took < limit) {
		const struct fm_ring_hdr *h = (const void *)(t->ring + t->ring_head);
		unsigned int size = fm_ring_rec_size(h->kind);
		const struct fm_entry *e;

		if (WARN_ON_ONCE(size > t->ring_len)) {	/* never: lose them */
			t->ring_len = 0;
			break;
		}
		e = (const void *)((const u8 *)(h + 1) +
				   fm_entry_ext_size(h->kind));
		fm_entry_record(e, &buf[(*n)++], h->reason, h->now, h->now_ms);
		t->ring_head = fm_ring_next(t, t->ring_head + size);
		t->ring_len -= size;
		took += size;
	}
	if (!t->ring_len)
		t->ring_head = 0;
	return took;
}

/*
 * Move t's waiting records to the start of ring to, of size bytes (and
 * the slack), which they fit in, and make it t's ring. BH disabled, own
 * CPU or the stopped table's owner.
 */
static void fm_ring_move(struct fm_table *t, u8 *to, unsigned int size)
{
	unsigned int pos = t->ring_head, at = 0;

	while (at < t->ring_len) {
		const struct fm_ring_hdr *h = (const void *)(t->ring + pos);
		unsigned int n = fm_ring_rec_size(h->kind);

		memcpy(to + at, h, n);
		at += n;
		pos = fm_ring_next(t, pos + n);
	}
	t->ring = to;
	t->ring_head = 0;
	t->ring_size = size;
}

/*
 * The work (process context, t's CPU): the small ring filled to a
 * quarter, or the table is to end flows for others: the full one. On
 * failure the small one stays.
 */
void fm_ring_grow(struct fm_table *t)
{
	unsigned int size = t->ring_full;
	u8 *big;

	if (t->ring != t->ring_small)
		return;
	big = fm_cache_vzalloc(t->cache, size + FM_RING_REC_MAX);
	if (!big)
		return;
	local_bh_disable();
	fm_ring_move(t, big, size);
	local_bh_enable();
	WRITE_ONCE(t->ring_mem, t->ring_mem + size + FM_RING_REC_MAX);
}

/* The work's batch, if it has none; without memory it does without. */
void fm_table_batch_get(struct fm_table *t)
{
	const unsigned long size = array_size(FM_BATCH, sizeof(*t->batch));

	if (t->batch)
		return;
	t->batch = fm_cache_vzalloc(t->cache, size);
	if (t->batch)
		WRITE_ONCE(t->ring_mem, t->ring_mem + size);
}

/*
 * t went idle (its work decided so, BH disabled on its CPU, and won't
 * run again before this returns) or is stopped and empty: give back its
 * batch, and its full ring unless the packet path has queued a record
 * since. Process context.
 */
void fm_table_shrink(struct fm_table *t)
{
	unsigned long mem = t->ring_mem;
	u8 *big = NULL;

	local_bh_disable();
	if (t->ring != t->ring_small && !t->ring_len) {
		big = t->ring;
		mem -= t->ring_size + FM_RING_REC_MAX;
		fm_ring_move(t, t->ring_small, FM_RING_SMALL - FM_RING_REC_MAX);
	}
	local_bh_enable();
	vfree(big);
	if (t->batch) {
		vfree(t->batch);
		t->batch = NULL;
		mem -= array_size(FM_BATCH, sizeof(*t->batch));
	}
	WRITE_ONCE(t->ring_mem, mem);
}

/* Nothing uses t any more. */
void fm_ring_free(struct fm_table *t)
{
	if (t->ring != t->ring_small)
		vfree(t->ring);
	kfree(t->ring_small);
	vfree(t->batch);
	t->ring = NULL;
	t->ring_small = NULL;
	t->batch = NULL;
}
