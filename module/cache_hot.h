/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow cache's packet path, pure logic: the entry, hashing a key,
 * finding it in a chain, starting and counting an entry. cache.c builds
 * fm_cache_update() from these; they are static inline and touch no
 * kernel state other than what they are given, so the userspace
 * benchmark (userspace/bench) runs exactly this code under callgrind.
 */
#ifndef _FM_CACHE_HOT_H
#define _FM_CACHE_HOT_H

#include "parse.h"

#ifdef __KERNEL__
#include <linux/jhash.h>
#include <linux/rcupdate.h>
#else
#define __rcu
#define rcu_dereference_protected(p, c) (p)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) ((p) = (v))

/* Bob Jenkins' lookup3 hashword(), which is what the kernel's jhash2() is. */
static inline u32 fm_rol32(u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define FM_JMIX(a, b, c) do {						\
	a -= c; a ^= fm_rol32(c, 4); c += b;				\
	b -= a; b ^= fm_rol32(a, 6); a += c;				\
	c -= b; c ^= fm_rol32(b, 8); b += a;				\
	a -= c; a ^= fm_rol32(c, 16); c += b;				\
	b -= a; b ^= fm_rol32(a, 19); a += c;				\
	c -= b; c ^= fm_rol32(b, 4); b += a;				\
} while (0)

#define FM_JFINAL(a, b, c) do {						\
	c ^= b; c -= fm_rol32(b, 14);					\
	a ^= c; a -= fm_rol32(c, 11);					\
	b ^= a; b -= fm_rol32(a, 25);					\
	c ^= b; c -= fm_rol32(b, 16);					\
	a ^= c; a -= fm_rol32(c, 4);					\
	b ^= a; b -= fm_rol32(a, 14);					\
	c ^= b; c -= fm_rol32(b, 24);					\
} while (0)

static inline u32 jhash2(const u32 *k, u32 n, u32 initval)
{
	u32 a, b, c;

	a = b = c = 0xdeadbeef + (n << 2) + initval;
	while (n > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		FM_JMIX(a, b, c);
		n -= 3;
		k += 3;
	}
	switch (n) {
	case 3:
		c += k[2];
		/* fall through */
	case 2:
		b += k[1];
		/* fall through */
	case 1:
		a += k[0];
		FM_JFINAL(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}
#endif

/*
 * A cached flow. IPv4 entries are allocated only up to the end of
 * key.addr.v4 (64 bytes with the chain link), IPv6 ones in full.
 */
struct fm_entry {
	struct fm_entry __rcu *next;	/* hash chain */
	union {
		u64 bytes;
		struct fm_entry *grave;	/* out of the chain: see cache.c */
	};
	u64 packets;
	u32 first;			/* jiffies of the first and last packet */
	u32 last;
	u8 tcp_flags;
	u8 ttl_min;
	u8 ttl_max;
	u8 rflags;			/* FM_RF_* */
	struct fm_key key;		/* last: IPv4 entries are cut short */
};

#define FM_ENTRY_SIZE_V4 (offsetof(struct fm_entry, key) + FM_KEY_LEN_V4)
#define FM_ENTRY_SIZE_V6 sizeof(struct fm_entry)

static inline struct fm_entry *fm_entry_deref(struct fm_entry __rcu *const *p)
{
	/* Only the owning CPU, with BH disabled, writes these pointers. */
	return rcu_dereference_protected(*p, 1);
}

static inline u32 fm_key_hash(const struct fm_key *key, u32 seed)
{
	return jhash2((const u32 *)key, fm_key_len(key) / sizeof(u32), seed);
}

/*
 * Keys are compared as words: IPv4 keys are 7 of them, IPv6 ones 14 (the
 * kflags byte, in word 3, tells the lengths apart before any address
 * word is read). No memcmp() call on the packet path.
 */
static inline bool fm_key_eq(const struct fm_key *a, const struct fm_key *b)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	unsigned int i, n;
	u32 d = 0;

	if (a->kflags != b->kflags)
		return false;
	n = (a->kflags & FM_KF_IPV6) ? FM_KEY_LEN_V6 / 4 : FM_KEY_LEN_V4 / 4;
	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return !d;
}

/*
 * The link that points at key's entry in the chain at head, or at the
 * chain's terminating NULL if key is not there.
 */
static inline struct fm_entry __rcu **
fm_chain_find(struct fm_entry __rcu **head, const struct fm_key *key)
{
	struct fm_entry __rcu **pprev = head;
	struct fm_entry *e;

	for (e = fm_entry_deref(pprev); e; e = fm_entry_deref(pprev)) {
		if (fm_key_eq(&e->key, key))
			break;
		pprev = &e->next;
	}
	return pprev;
}

/* A new entry for key, not counted yet, pushed at head. */
static inline void fm_entry_start(struct fm_entry *e, const struct fm_key *key,
				  u32 now, struct fm_entry __rcu **head)
{
	memcpy(&e->key, key, fm_key_len(key));
	e->bytes = 0;
	e->packets = 0;
	e->first = now;
	e->tcp_flags = 0;
	e->ttl_min = 255;
	e->ttl_max = 0;
	e->rflags = 0;
	RCU_INIT_POINTER(e->next, fm_entry_deref(head));
	rcu_assign_pointer(*head, e);
}

/* Count one packet in e. */
static inline void fm_entry_count(struct fm_entry *e,
				  const struct fm_pktinfo *pi, u32 now)
{
	e->packets++;
	e->bytes += pi->octets;
	e->last = now;
	e->tcp_flags |= pi->tcp_flags;
	e->ttl_min = min(e->ttl_min, pi->ttl);
	e->ttl_max = max(e->ttl_max, pi->ttl);
	e->rflags |= pi->frag ? FM_RF_FRAG : 0;
}

#endif /* _FM_CACHE_HOT_H */
