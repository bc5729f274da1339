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
#include <linux/rcupdate.h>
#else
#define __rcu
#define rcu_dereference_protected(p, c) (p)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v) ((p) = (v))
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
	u8 rflags;			/* FM_RF_*, FM_RF_GEN */
	struct fm_key key;		/* last: IPv4 entries are cut short */
};

/*
 * Entry only, never in a record: rflags' top bits count the rewrites of
 * an entry in place (cache.c, fm_entry_reuse()), odd while one is under
 * way, so that readers on other CPUs can tell a torn copy. A rewrite adds
 * 2: FM_RF_GEN_WRAP rewrites bring it back where it was, which the
 * readers rule out with the table's count of rewrites (fm_entry_snap()).
 * Widening it would grow the entry (FM_ENTRY_SIZE_V4 below is exactly
 * 64 bytes; cache.c checks it).
 */
#define FM_RF_GEN	0xf0
#define FM_RF_GEN_ONE	0x10
#define FM_RF_GEN_WRAP	((FM_RF_GEN / FM_RF_GEN_ONE + 1) / 2)

#define FM_ENTRY_SIZE_V4 (offsetof(struct fm_entry, key) + FM_KEY_LEN_V4)
#define FM_ENTRY_SIZE_V6 sizeof(struct fm_entry)

/*
 * Extensions. A flow of some kinds keeps more than the entry holds: a
 * biflow (FM_KF_BI) its directions, a flow with L2 fields (FM_KF_L2) its
 * first packet's MAC addresses and VLAN ids. The key says which (one at
 * most: hook.c), and the extension is placed before the entry, not after,
 * because an IPv4 entry ends inside its key: one allocation from a kmem
 * cache per kind (fm_entry_kind()), the extension then the entry, so a
 * plain entry stays 64 bytes and pays nothing, and every kind is
 * allocated, reused, copied and freed by the same code, which knows an
 * extension only by its size (fm_entry_ext_size()).
 *
 * Biflows (RFC 5103): the entry's fields count the whole conversation
 * (expiry, eviction and the readers go by them as for any flow), and the
 * extension counts each direction. Side 0 sends from the key's source,
 * side 1 from its destination (fm_bi_canon() orders the key).
 */
struct fm_bi_dir {
	u64 packets;
	u64 bytes;
	u32 first;		/* jiffies; valid while packets is not 0 */
	u32 last;
};

struct fm_biext {
	struct fm_bi_dir d[2];
	u8 tcp_flags[2];
	u8 init;		/* FM_BI_SIDE1, FM_BI_SYN */
	u8 fin;			/* bit per side that sent a FIN */
	u32 pad;
};

/*
 * The entry kinds, one kmem cache each: family, and the extension. Kinds
 * 6 and 7 (biflow and L2 both) never occur: no cache for them.
 */
#define FM_ENTRY_V6	1
#define FM_ENTRY_BI	2	/* struct fm_biext first */
#define FM_ENTRY_L2	4	/* struct fm_l2 first */
#define FM_ENTRY_NAT	8	/* struct fm_xlate first */
#define FM_ENTRY_KINDS	10

static inline unsigned int fm_entry_kind(const struct fm_key *key)
{
	BUILD_BUG_ON(FM_KF_IPV6 != FM_ENTRY_V6 ||
		     FM_KF_BI >> 1 != FM_ENTRY_BI ||
		     FM_KF_L2 >> 1 != FM_ENTRY_L2 ||
		     FM_KF_NAT >> 1 != FM_ENTRY_NAT);
	return (key->kflags & FM_KF_IPV6) |
	       (key->kflags & (FM_KF_BI | FM_KF_L2 | FM_KF_NAT)) >> 1;
}

/* a kind that has a kmem cache: one extension at most */
static inline bool fm_entry_kind_valid(unsigned int kind)
{
	unsigned int ext = kind & ~FM_ENTRY_V6;

	return !(ext & (ext - 1));
}

/*
 * Bytes of a kind's extension, before the entry: multiples of 8, so the
 * entry is as aligned as the slab object.
 */
#define FM_EXT_MAX	sizeof(struct fm_biext)

static inline unsigned int fm_entry_ext_size(unsigned int kind)
{
	BUILD_BUG_ON(sizeof(struct fm_biext) % 8 || sizeof(struct fm_l2) % 8 ||
		     sizeof(struct fm_l2) > FM_EXT_MAX ||
		     sizeof(struct fm_xlate) % 8 ||
		     sizeof(struct fm_xlate) > FM_EXT_MAX);
	if (kind & FM_ENTRY_BI)
		return sizeof(struct fm_biext);
	if (kind & FM_ENTRY_NAT)
		return sizeof(struct fm_xlate);
	return kind & FM_ENTRY_L2 ? sizeof(struct fm_l2) : 0;
}

/* A kind's slab object: its extension, then the entry, cut short for IPv4. */
static inline unsigned int fm_entry_obj_size(unsigned int kind)
{
	return fm_entry_ext_size(kind) +
	       (kind & FM_ENTRY_V6 ? FM_ENTRY_SIZE_V6 : FM_ENTRY_SIZE_V4);
}

/* The entry in a slab object of kind, and back. */
static inline struct fm_entry *fm_obj_entry(void *obj, unsigned int kind)
{
	return (struct fm_entry *)((u8 *)obj + fm_entry_ext_size(kind));
}

static inline void *fm_entry_obj(struct fm_entry *e)
{
	return (u8 *)e - fm_entry_ext_size(fm_entry_kind(&e->key));
}

/* Room for an entry of any kind, as a reader copies one (cache_read.c). */
struct fm_entry_buf {
	u64 ext[FM_EXT_MAX / 8];
	struct fm_entry e;
};

/* The extension of a biflow entry (e->key.kflags & FM_KF_BI). */
static inline struct fm_biext *fm_entry_bi(struct fm_entry *e)
{
	return (struct fm_biext *)((u8 *)e - sizeof(struct fm_biext));
}

static inline const struct fm_biext *fm_entry_bi_const(const struct fm_entry *e)
{
	return (const struct fm_biext *)((const u8 *)e -
					 sizeof(struct fm_biext));
}

/* The L2 fields of an entry with them (e->key.kflags & FM_KF_L2). */
static inline struct fm_l2 *fm_entry_l2(struct fm_entry *e)
{
	return (struct fm_l2 *)((u8 *)e - sizeof(struct fm_l2));
}

static inline const struct fm_l2 *fm_entry_l2_const(const struct fm_entry *e)
{
	return (const struct fm_l2 *)((const u8 *)e - sizeof(struct fm_l2));
}

/* The post-NAT fields of an entry with them (e->key.kflags & FM_KF_NAT). */
static inline struct fm_xlate *fm_entry_xlate(struct fm_entry *e)
{
	return (struct fm_xlate *)((u8 *)e - sizeof(struct fm_xlate));
}

static inline const struct fm_xlate *
fm_entry_xlate_const(const struct fm_entry *e)
{
	return (const struct fm_xlate *)((const u8 *)e -
					 sizeof(struct fm_xlate));
}

static inline struct fm_entry *fm_entry_deref(struct fm_entry __rcu *const *p)
{
	/*
	 * Only the owning CPU, with BH disabled, writes these pointers (or
	 * once its CPU is dead or the cache halted, the one CPU that ends
	 * the table's flows, BH disabled too): the writers' exclusion.
	 */
	return rcu_dereference_protected(*p, softirq_count());
}

static inline u64 fm_load64(const void *p)
{
	u64 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline u32 fm_load32(const void *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The bucket hash is SipHash-1-3 (the round counts the kernel's hsiphash
 * uses on 64-bit) keyed per cache with 128 random bits: flow keys are
 * chosen by whoever sends the packets, and an unkeyed or weakly seeded
 * hash lets a sender aim every flow at one bucket. Written here rather
 * than calling the kernel's so that the userspace harness runs the same
 * code; the unit tests check the rounds against the SipHash paper's
 * SipHash-2-4 vector (fm_siphash_test() below, same rounds and padding).
 */
struct fm_hkey {
	u64 k0, k1;
};

static inline u64 fm_rotl64(u64 x, unsigned int r)
{
	return (x << r) | (x >> (64 - r));
}

struct fm_sip {
	u64 v0, v1, v2, v3;
};

static __always_inline void fm_sip_round(struct fm_sip *s)
{
	s->v0 += s->v1;
	s->v1 = fm_rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = fm_rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = fm_rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = fm_rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = fm_rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = fm_rotl64(s->v2, 32);
}

static __always_inline void fm_sip_init(struct fm_sip *s,
					const struct fm_hkey *k)
{
	s->v0 = k->k0 ^ 0x736f6d6570736575ULL;
	s->v1 = k->k1 ^ 0x646f72616e646f6dULL;
	s->v2 = k->k0 ^ 0x6c7967656e657261ULL;
	s->v3 = k->k1 ^ 0x7465646279746573ULL;
}

static __always_inline void fm_sip_word(struct fm_sip *s, u64 m,
					unsigned int crounds)
{
	unsigned int i;

	s->v3 ^= m;
	for (i = 0; i < crounds; i++)
		fm_sip_round(s);
	s->v0 ^= m;
}

static __always_inline u64 fm_sip_final(struct fm_sip *s,
					unsigned int drounds)
{
	unsigned int i;

	s->v2 ^= 0xff;
	for (i = 0; i < drounds; i++)
		fm_sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/*
 * SipHash-c-d of len bytes at p: whole little-endian words, then the
 * last block (the tail bytes and len in its top byte), as the paper pads.
 * fm_key_hash() is this with c = 1, d = 3 and len fixed per family.
 */
static inline u64 fm_siphash_test(const void *p, unsigned int len,
				  const struct fm_hkey *k, unsigned int c,
				  unsigned int d)
{
	const u8 *b = p;
	struct fm_sip s;
	u64 last = (u64)len << 56;
	unsigned int i;

	fm_sip_init(&s, k);
	for (i = 0; i + 8 <= len; i += 8)
		fm_sip_word(&s, le64_to_cpu(fm_load64(b + i)), c);
	for (; i < len; i++)
		last |= (u64)b[i] << (8 * (i & 7));
	fm_sip_word(&s, last, c);
	return fm_sip_final(&s, d);
}

/*
 * The key's bucket hash: SipHash-1-3 over its first 28 (IPv4) or 56
 * (IPv6) bytes. Read in native order: the result only has to be the same
 * on one machine, and x86 is little-endian anyway.
 */
static inline u32 fm_key_hash(const struct fm_key *key,
			      const struct fm_hkey *k)
{
	const u8 *p = (const u8 *)key;
	struct fm_sip s;

	fm_sip_init(&s, k);
	fm_sip_word(&s, fm_load64(p), 1);
	fm_sip_word(&s, fm_load64(p + 8), 1);
	fm_sip_word(&s, fm_load64(p + 16), 1);
	if (key->kflags & FM_KF_IPV6) {
		fm_sip_word(&s, fm_load64(p + 24), 1);
		fm_sip_word(&s, fm_load64(p + 32), 1);
		fm_sip_word(&s, fm_load64(p + 40), 1);
		fm_sip_word(&s, fm_load64(p + 48), 1);
		fm_sip_word(&s, (u64)FM_KEY_LEN_V6 << 56, 1);
	} else {
		fm_sip_word(&s, (u64)FM_KEY_LEN_V4 << 56 | fm_load32(p + 24), 1);
	}
	return (u32)fm_sip_final(&s, 3);
}

/*
 * Does entry key e equal lookup key k? The first 28 bytes (an IPv4 key,
 * kflags included) are compared as words; for an IPv6 key k, which then
 * e is too, the rest as well. An IPv4 entry is never read past its key.
 * No memcmp() call on the packet path.
 */
static __always_inline bool fm_key_eq4(const struct fm_key *e,
				       const struct fm_key *k)
{
	const u8 *x = (const u8 *)e, *y = (const u8 *)k;

	BUILD_BUG_ON(FM_KEY_LEN_V4 != 28 || FM_KEY_LEN_V6 != 56);
	return !((fm_load64(x) ^ fm_load64(y)) |
		 (fm_load64(x + 8) ^ fm_load64(y + 8)) |
		 (fm_load64(x + 16) ^ fm_load64(y + 16)) |
		 (fm_load32(x + 24) ^ fm_load32(y + 24)));
}

static __always_inline bool fm_key_eq6(const struct fm_key *e,
				       const struct fm_key *k)
{
	const u8 *x = (const u8 *)e, *y = (const u8 *)k;

	return fm_key_eq4(e, k) &&
	       !((fm_load64(x + 24) ^ fm_load64(y + 24)) |
		 (fm_load64(x + 32) ^ fm_load64(y + 32)) |
		 (fm_load64(x + 40) ^ fm_load64(y + 40)) |
		 (fm_load64(x + 48) ^ fm_load64(y + 48)));
}

static inline bool fm_key_eq(const struct fm_key *e, const struct fm_key *k)
{
	return k->kflags & FM_KF_IPV6 ? fm_key_eq6(e, k) : fm_key_eq4(e, k);
}

/*
 * Longest chain the packet path builds: a new flow whose chain already
 * holds this many evicts the chain's least recently used flow instead of
 * adding one (cache.c). With the keyed hash and at most one flow per
 * bucket on average, an honest chain reaches 8 about never; the bound is
 * for the case the key does not cover (a small hash size set by hand,
 * or a hash weakness), so that no packet walks more than this.
 */
#define FM_CHAIN_MAX	16

/*
 * The link that points at key's entry in the chain at head, or at the
 * chain's terminating NULL if key is not there; *len is the number of
 * entries passed. One loop per family, so an IPv4 lookup carries nothing
 * of the longer compare.
 */
static inline struct fm_entry __rcu **
fm_chain_find(struct fm_entry __rcu **head, const struct fm_key *key,
	      unsigned int *len)
{
	struct fm_entry __rcu **pprev = head;
	struct fm_entry *e;
	unsigned int n = 0;

	if (key->kflags & FM_KF_IPV6) {
		for (e = fm_entry_deref(pprev); e; e = fm_entry_deref(pprev)) {
			if (fm_key_eq6(&e->key, key))
				break;
			pprev = &e->next;
			n++;
		}
	} else {
		for (e = fm_entry_deref(pprev); e; e = fm_entry_deref(pprev)) {
			if (fm_key_eq4(&e->key, key))
				break;
			pprev = &e->next;
			n++;
		}
	}
	*len = n;
	return pprev;
}

/*
 * Copy key to an entry: fixed sizes, so that no string instruction is
 * emitted for it (each of its iterations is costly under emulation).
 */
static __always_inline void fm_key_copy(struct fm_key *dst,
					const struct fm_key *key)
{
	if (key->kflags & FM_KF_IPV6)
		memcpy(dst, key, FM_KEY_LEN_V6);
	else
		memcpy(dst, key, FM_KEY_LEN_V4);
}

/*
 * The key and counters of a new flow, first packet at now, none counted
 * yet; packets and rflags, which readers check, are the caller's to set.
 */
static inline void fm_entry_init(struct fm_entry *e, const struct fm_key *key,
				 u32 now)
{
	fm_key_copy(&e->key, key);
	e->bytes = 0;
	e->first = now;
	e->tcp_flags = 0;
	e->ttl_min = 255;
	e->ttl_max = 0;
}

/* A new entry for key, not counted yet, pushed at head. */
static inline void fm_entry_start(struct fm_entry *e, const struct fm_key *key,
				  u32 now, struct fm_entry __rcu **head)
{
	fm_entry_init(e, key, now);
	e->packets = 0;
	e->rflags = 0;
	RCU_INIT_POINTER(e->next, fm_entry_deref(head));
	rcu_assign_pointer(*head, e);
}

/*
 * Count one packet (pi->packets on the wire) in e. Flags and TTL bounds are written only when they
 * change, which for most packets of a flow they do not.
 */
static inline void fm_entry_count(struct fm_entry *e,
				  const struct fm_pktinfo *pi, u32 now)
{
	e->packets += pi->packets;
	e->bytes += pi->octets;
	e->last = now;
	if (unlikely(pi->tcp_flags & ~e->tcp_flags))
		e->tcp_flags |= pi->tcp_flags;
	if (unlikely(pi->ttl < e->ttl_min))
		e->ttl_min = pi->ttl;
	if (unlikely(pi->ttl > e->ttl_max))
		e->ttl_max = pi->ttl;
	if (unlikely(pi->frag))
		e->rflags |= FM_RF_FRAG;
}

/*
 * A new entry's extension, if its kind has one: a biflow's directions,
 * none counted yet; the L2 fields of the flow's first packet (pi->l2,
 * which the hook fills for every FM_KF_L2 key); the post-NAT fields the
 * packet's conntrack entry gave (pi->xlate, for every FM_KF_NAT key).
 */
static inline void fm_entry_ext_init(struct fm_entry *e,
				     const struct fm_key *key,
				     const struct fm_pktinfo *pi)
{
	if (key->kflags & FM_KF_BI)
		memset(fm_entry_bi(e), 0, sizeof(struct fm_biext));
	else if (key->kflags & FM_KF_L2)
		*fm_entry_l2(e) = *pi->l2;
	else if (key->kflags & FM_KF_NAT)
		*fm_entry_xlate(e) = *pi->xlate;
}

/*
 * Count one packet of a biflow (already counted in e) in its direction.
 * The initiator is the side of the first packet, or of a SYN without ACK
 * (which a side sends only to open). Returns true when the conversation
 * is over: a RST. A FIN from both sides ends it a moment later, in the
 * expiry work (cache_expire.c): the last ACK answers the second FIN.
 */
static inline bool fm_bi_count(struct fm_entry *e, const struct fm_pktinfo *pi,
			       u32 now)
{
	struct fm_biext *x = fm_entry_bi(e);
	struct fm_bi_dir *d = &x->d[pi->side];
	u8 fl = pi->tcp_flags;

	if (!d->packets) {
		d->first = now;
		if (!x->d[!pi->side].packets)
			x->init = pi->side ? FM_BI_SIDE1 : 0;
	}
	d->packets += pi->packets;
	d->bytes += pi->octets;
	d->last = now;
	x->tcp_flags[pi->side] |= fl;
	if ((fl & 0x12) == 0x02 && !(x->init & FM_BI_SYN))	/* SYN, no ACK */
		x->init = FM_BI_SYN | (pi->side ? FM_BI_SIDE1 : 0);
	if (fl & FM_TCP_FIN)
		x->fin |= 1 << pi->side;
	return fl & FM_TCP_RST;
}

/*
 * Add b's directions (the same biflow, on another CPU) to a's; k is
 * their (canonical) key. The initiator: whoever a SYN says, else the
 * side that sent first; when both began in one jiffy, on two CPUs, the
 * ports, else the key's source (side 0): the tie the export's merge
 * breaks the same way (merge.c), so that flowctl and the collector agree.
 */
static inline void fm_bi_merge(struct fm_biext *a, const struct fm_biext *b,
			       const struct fm_key *k)
{
	s32 d;

	unsigned int i;

	for (i = 0; i < 2; i++) {
		struct fm_bi_dir *x = &a->d[i];
		const struct fm_bi_dir *y = &b->d[i];

		if (!y->packets)
			continue;
		if (!x->packets) {
			*x = *y;
		} else {
			x->packets += y->packets;
			x->bytes += y->bytes;
			if ((s32)(y->first - x->first) < 0)
				x->first = y->first;
			if ((s32)(y->last - x->last) > 0)
				x->last = y->last;
		}
		a->tcp_flags[i] |= b->tcp_flags[i];
	}
	a->fin |= b->fin;
	if (a->init & FM_BI_SYN)
		return;
	if (b->init & FM_BI_SYN)
		a->init = b->init;
	else if (a->d[0].packets && a->d[1].packets) {
		d = a->d[1].first - a->d[0].first;
		if (!d)
			d = fm_bi_port_client(k) == 1 ? -1 : 0;
		a->init = d < 0 ? FM_BI_SIDE1 : 0;
	} else
		a->init = a->d[1].packets ? FM_BI_SIDE1 : 0;
}

#endif /* _FM_CACHE_HOT_H */
