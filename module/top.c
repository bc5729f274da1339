// SPDX-License-Identifier: GPL-2.0
/*
 * Top flows. A flow may have been metered on several CPUs, each with its
 * own entry; ranking needs the sums. Every CPU's table has the same size
 * and hashes keys with the same key, so the entries of one key sit in
 * the same bucket position on every CPU: merging bucket position b of all
 * CPUs gives the exact totals of its keys, and memory stays bounded by
 * one position's flows plus the n best so far.
 *
 * A walk costs the whole table whatever n is, in one request. To bound
 * what callers can make a netns spend on it, walks of a netns are
 * serialised and spaced: after a walk that took T, the next one starts
 * no sooner than T (at most FM_TOP_GAP_MAX) after it ended, so top keeps
 * at most about half a CPU busy per netns however many callers ask how
 * often. Callers wait (killably) rather than fail: on a small table T is
 * below a tick and nobody waits at all.
 */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "cache.h"
#include "top.h"

#define FM_TOP_SCRATCH	64	/* initial room for one position's flows */
#define FM_TOP_GAP_MAX	HZ	/* longest wait imposed after a walk */

struct fm_top {
	struct fm_record *top;		/* the best so far, biggest first */
	unsigned int n, len;
	bool by_packets;
	struct fm_record *pos;		/* flows of one position, by key */
	unsigned int pos_len, pos_size;
};

static u64 fm_top_value(const struct fm_top *t, const struct fm_record *r)
{
	return t->by_packets ? r->packets : r->bytes;
}

static void fm_top_insert(struct fm_top *t, const struct fm_record *r)
{
	u64 v = fm_top_value(t, r);
	unsigned int i;

	if (t->len == t->n && v <= fm_top_value(t, &t->top[t->n - 1]))
		return;
	i = t->len < t->n ? t->len++ : t->n - 1;
	for (; i && fm_top_value(t, &t->top[i - 1]) < v; i--)
		t->top[i] = t->top[i - 1];
	t->top[i] = *r;
}

static bool fm_top_same_key(const struct fm_key *a, const struct fm_key *b)
{
	return a->kflags == b->kflags && !memcmp(a, b, fm_key_len(a));
}

/* fm_cache_walk_bucket() callback, under RCU: add r to its key's sums. */
static int fm_top_merge(const struct fm_record *r, int cpu, void *arg)
{
	struct fm_top *t = arg;
	struct fm_record *m;
	unsigned int i;

	for (i = 0; i < t->pos_len; i++) {
		m = &t->pos[i];
		if (!fm_top_same_key(&m->key, &r->key))
			continue;
		m->packets += r->packets;
		m->bytes += r->bytes;
		m->start_ms = min(m->start_ms, r->start_ms);
		m->end_ms = max(m->end_ms, r->end_ms);
		m->tcp_flags |= r->tcp_flags;
		m->ttl_min = min(m->ttl_min, r->ttl_min);
		m->ttl_max = max(m->ttl_max, r->ttl_max);
		m->rflags |= r->rflags;
		return 0;
	}
	if (t->pos_len == t->pos_size)
		return -ENOSPC;
	t->pos[t->pos_len++] = *r;
	return 0;
}

static int fm_top_grow(struct fm_top *t)
{
	unsigned int size = t->pos_size * 2;
	struct fm_record *p;

	p = kvmalloc_array(size, sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	kvfree(t->pos);
	t->pos = p;
	t->pos_size = size;
	return 0;
}

/* Sum the flows at bucket position b of every CPU into t->pos. */
static int fm_top_gather(struct fm_net *fn, struct fm_top *t, unsigned long b,
			 unsigned long nb)
{
	int cpu, err;

	t->pos_len = 0;
	for_each_possible_cpu(cpu) {
		err = fm_cache_walk_bucket(fn, cpu * nb + b, fm_top_merge, t);
		if (err)
			return err;
	}
	return 0;
}

static int fm_top_walk(struct fm_net *fn, unsigned int n, bool by_packets,
		       struct fm_record *top)
{
	unsigned long b, nb = fm_cache_buckets(fn) / nr_cpu_ids;
	struct fm_top t = {
		.top = top,
		.n = n,
		.by_packets = by_packets,
		.pos_size = FM_TOP_SCRATCH,
	};
	unsigned int i;
	int err = 0;

	if (!n)
		return 0;
	t.pos = kvmalloc_array(t.pos_size, sizeof(*t.pos), GFP_KERNEL_ACCOUNT);
	if (!t.pos)
		return -ENOMEM;
	for (b = 0; b < nb; b++) {
		while ((err = fm_top_gather(fn, &t, b, nb)) == -ENOSPC) {
			err = fm_top_grow(&t);
			if (err)
				goto out;
		}
		if (err)
			goto out;
		for (i = 0; i < t.pos_len; i++)
			fm_top_insert(&t, &t.pos[i]);
		if (!(b % 256))
			cond_resched();
	}
out:
	kvfree(t.pos);
	return err ?: t.len;
}

/* Wait for our turn: the previous walk's end plus its duration. */
static int fm_top_wait(struct fm_net *fn)
{
	long left;

	/*
	 * jiffies read once per round: read twice, it could pass top_next
	 * between the test and the sleep, and schedule_timeout() complains
	 * (with a stack dump) of the negative timeout that gives.
	 */
	while ((left = (long)(fn->top_next - jiffies)) > 0) {
		schedule_timeout_killable(left);
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

int fm_top_collect(struct fm_net *fn, unsigned int n, bool by_packets,
		   struct fm_record *top)
{
	unsigned long start;
	int ret;

	if (mutex_lock_killable(&fn->top_lock))
		return -EINTR;
	ret = fm_top_wait(fn);
	if (ret)
		goto out;
	start = jiffies;
	ret = fm_top_walk(fn, n, by_packets, top);
	fn->top_next = jiffies + min(jiffies - start, (unsigned long)FM_TOP_GAP_MAX);
out:
	mutex_unlock(&fn->top_lock);
	return ret;
}
