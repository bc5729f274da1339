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
 *
 * Prefixes ("which hosts", not "which flows": Cisco's top talkers by
 * source or destination) are summed in a table of their own, one entry
 * per distinct prefix of a matching flow, since a prefix's total is only
 * known once every flow was seen. It is bounded: at most
 * FM_TOP_PREFIXES_MAX prefixes (a table of 7 MiB at most, charged to the
 * caller's memory cgroup), beyond which the request fails with E2BIG
 * rather than answer wrong; a shorter prefix or a match narrows it. The
 * addresses are the senders', so the table hashes them with a key drawn for each
 * walk (siphash): no sender can make its probes long.
 */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "cache.h"
#include "top.h"

#define FM_TOP_SCRATCH	64	/* initial room for one position's flows */
#define FM_TOP_GAP_MAX	HZ	/* longest wait imposed after a walk */
#define FM_TOP_PREFIXES_MIN	1024	/* initial size of the prefix table */

/* A prefix and its sums; used: the slot holds one. */
struct fm_top_prefix {
	u8 addr[16];
	bool used, v6;
	u32 flows;
	u64 packets, bytes;
	u64 start_ms, end_ms;
};

struct fm_top {
	const struct fm_top_req *q;
	struct fm_top_entry *top;	/* the best so far, biggest first */
	unsigned int len;
	struct fm_record *pos;		/* flows of one position, by key */
	unsigned int pos_len, pos_size;
	struct fm_top_prefix *pfx;	/* open addressing, linear probes */
	unsigned int pfx_size, pfx_used;
	siphash_key_t pfx_key;
};

static u64 fm_top_value(const struct fm_top *t, const struct fm_record *r)
{
	return t->q->by_packets ? r->packets : r->bytes;
}

static void fm_top_insert(struct fm_top *t, const struct fm_record *r,
			  u32 flows)
{
	u64 v = fm_top_value(t, r);
	unsigned int i, n = t->q->n;

	if (t->len == n && v <= fm_top_value(t, &t->top[n - 1].r))
		return;
	i = t->len < n ? t->len++ : n - 1;
	for (; i && fm_top_value(t, &t->top[i - 1].r) < v; i--)
		t->top[i] = t->top[i - 1];
	t->top[i].r = *r;
	t->top[i].flows = flows;
}

/* Do the first bits bits of a and b agree? */
static bool fm_prefix_eq(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	return !rest || !((a[bytes] ^ b[bytes]) & (0xff00 >> rest));
}

/* Keep the first bits bits of the len bytes at a, zero the rest. */
static void fm_prefix_mask(u8 *a, unsigned int len, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < len; i++, bits = bits > 8 ? bits - 8 : 0)
		a[i] &= bits >= 8 ? 0xff : (u8)(0xff00 >> bits);
}

bool fm_flow_match(const struct fm_flow_filter *f, const struct fm_record *r)
{
	const struct fm_key *k = &r->key;
	bool v6 = k->kflags & FM_KF_IPV6;
	const void *sa = v6 ? (const void *)&k->addr.v6.saddr : &k->addr.v4.saddr;
	const void *da = v6 ? (const void *)&k->addr.v6.daddr : &k->addr.v4.daddr;

	if (!f->given)
		return true;
	if (f->family && f->family != (v6 ? 6 : 4))
		return false;
	if ((f->given & BIT(FM_FLOW_A_SRC_ADDR)) &&
	    !fm_prefix_eq(f->saddr, sa, f->splen))
		return false;
	if ((f->given & BIT(FM_FLOW_A_DST_ADDR)) &&
	    !fm_prefix_eq(f->daddr, da, f->dplen))
		return false;
	if ((f->given & BIT(FM_FLOW_A_SRC_PORT)) && f->sport != be16_to_cpu(k->sport))
		return false;
	if ((f->given & BIT(FM_FLOW_A_DST_PORT)) && f->dport != be16_to_cpu(k->dport))
		return false;
	if ((f->given & BIT(FM_FLOW_A_PROTO)) && f->proto != k->proto)
		return false;
	if ((f->given & BIT(FM_FLOW_A_TOS)) && f->tos != k->tos)
		return false;
	if ((f->given & BIT(FM_FLOW_A_IN_IF)) && f->in_if != k->in_if)
		return false;
	return !(f->given & BIT(FM_FLOW_A_OUT_IF)) || f->out_if == k->out_if;
}

static int fm_top_pfx_alloc(struct fm_top *t, unsigned int size)
{
	t->pfx = kvcalloc(size, sizeof(*t->pfx), GFP_KERNEL_ACCOUNT);
	if (!t->pfx)
		return -ENOMEM;
	t->pfx_size = size;
	t->pfx_used = 0;
	return 0;
}

static struct fm_top_prefix *fm_top_pfx_slot(struct fm_top *t, const u8 *addr,
					     bool v6)
{
	unsigned int mask = t->pfx_size - 1;
	unsigned int i = siphash(addr, 16, &t->pfx_key) + v6;
	struct fm_top_prefix *p;

	for (;; i++) {
		p = &t->pfx[i & mask];
		if (!p->used || (p->v6 == v6 && !memcmp(p->addr, addr, 16)))
			return p;
	}
}

/* Double the prefix table, at most to FM_TOP_PREFIXES_MAX * 2 slots. */
static int fm_top_pfx_grow(struct fm_top *t)
{
	struct fm_top_prefix *old = t->pfx, *p;
	unsigned int i, size = t->pfx_size;

	if (size >= 2 * FM_TOP_PREFIXES_MAX)
		return -E2BIG;
	if (fm_top_pfx_alloc(t, 2 * size)) {
		t->pfx = old;
		t->pfx_size = size;
		return -ENOMEM;
	}
	for (i = 0; i < size; i++) {
		if (!old[i].used)
			continue;
		p = fm_top_pfx_slot(t, old[i].addr, old[i].v6);
		*p = old[i];
		t->pfx_used++;
	}
	kvfree(old);
	return 0;
}

/* Add flow r to the sums of its prefix. */
static int fm_top_pfx_add(struct fm_top *t, const struct fm_record *r)
{
	const struct fm_key *k = &r->key;
	bool v6 = k->kflags & FM_KF_IPV6;
	bool src = t->q->agg == FM_TOP_AGG_SRC;
	struct fm_top_prefix *p;
	u8 addr[16] = {};
	int err;

	if (v6)
		memcpy(addr, src ? &k->addr.v6.saddr : &k->addr.v6.daddr, 16);
	else
		memcpy(addr, src ? &k->addr.v4.saddr : &k->addr.v4.daddr, 4);
	fm_prefix_mask(addr, v6 ? 16 : 4, v6 ? t->q->plen6 : t->q->plen4);
	p = fm_top_pfx_slot(t, addr, v6);
	if (!p->used) {
		/* at most half full: probes stay short */
		if (t->pfx_used >= FM_TOP_PREFIXES_MAX)
			return -E2BIG;
		if (2 * (t->pfx_used + 1) > t->pfx_size) {
			err = fm_top_pfx_grow(t);
			if (err)
				return err;
			p = fm_top_pfx_slot(t, addr, v6);
		}
		memcpy(p->addr, addr, 16);
		p->used = true;
		p->v6 = v6;
		p->start_ms = r->start_ms;
		p->end_ms = r->end_ms;
		t->pfx_used++;
	}
	p->flows++;
	p->packets += r->packets;
	p->bytes += r->bytes;
	p->start_ms = min(p->start_ms, r->start_ms);
	p->end_ms = max(p->end_ms, r->end_ms);
	return 0;
}

/* Rank the prefixes: each as a record of its prefix alone. */
static void fm_top_pfx_rank(struct fm_top *t)
{
	bool src = t->q->agg == FM_TOP_AGG_SRC;
	struct fm_top_prefix *p;
	struct fm_record r;
	unsigned int i;

	for (i = 0; i < t->pfx_size; i++) {
		p = &t->pfx[i];
		if (!p->used)
			continue;
		memset(&r, 0, sizeof(r));
		r.key.kflags = p->v6 ? FM_KF_IPV6 : 0;
		if (p->v6)
			memcpy(src ? &r.key.addr.v6.saddr : &r.key.addr.v6.daddr,
			       p->addr, 16);
		else
			memcpy(src ? &r.key.addr.v4.saddr : &r.key.addr.v4.daddr,
			       p->addr, 4);
		r.packets = p->packets;
		r.bytes = p->bytes;
		r.start_ms = p->start_ms;
		r.end_ms = p->end_ms;
		fm_top_insert(t, &r, p->flows);
	}
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

static int fm_top_walk(struct fm_net *fn, const struct fm_top_req *q,
		       struct fm_top_entry *top)
{
	unsigned long b, nb = fm_cache_buckets(fn) / nr_cpu_ids;
	bool pfx = q->agg != FM_TOP_AGG_FLOW;
	struct fm_top t = {
		.q = q,
		.top = top,
		.pos_size = FM_TOP_SCRATCH,
	};
	unsigned int i;
	int err = 0;

	if (!q->n)
		return 0;
	t.pos = kvmalloc_array(t.pos_size, sizeof(*t.pos), GFP_KERNEL_ACCOUNT);
	if (!t.pos)
		return -ENOMEM;
	if (pfx) {
		get_random_bytes(&t.pfx_key, sizeof(t.pfx_key));
		err = fm_top_pfx_alloc(&t, FM_TOP_PREFIXES_MIN);
		if (err)
			goto out;
	}
	for (b = 0; b < nb; b++) {
		while ((err = fm_top_gather(fn, &t, b, nb)) == -ENOSPC) {
			err = fm_top_grow(&t);
			if (err)
				goto out;
		}
		if (err)
			goto out;
		for (i = 0; i < t.pos_len; i++) {
			if (!fm_flow_match(&q->filter, &t.pos[i]))
				continue;
			if (!pfx) {
				fm_top_insert(&t, &t.pos[i], 1);
				continue;
			}
			err = fm_top_pfx_add(&t, &t.pos[i]);
			if (err)
				goto out;
		}
		if (!(b % 256))
			cond_resched();
	}
	if (pfx)
		fm_top_pfx_rank(&t);
out:
	kvfree(t.pfx);
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

int fm_top_collect(struct fm_net *fn, const struct fm_top_req *q,
		   struct fm_top_entry *top)
{
	unsigned long start;
	int ret;

	if (mutex_lock_killable(&fn->top_lock))
		return -EINTR;
	ret = fm_top_wait(fn);
	if (ret)
		goto out;
	start = jiffies;
	ret = fm_top_walk(fn, q, top);
	fn->top_next = jiffies + min(jiffies - start, (unsigned long)FM_TOP_GAP_MAX);
out:
	mutex_unlock(&fn->top_lock);
	return ret;
}
