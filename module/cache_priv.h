/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the flow cache: the per-CPU table and the cache, shared by its
 * files (module/cache*.c); module/cache.h is what the rest of the module
 * sees. The rules each field follows are in cache.c (who writes a table)
 * and next to the field.
 */
#ifndef _FM_CACHE_PRIV_H
#define _FM_CACHE_PRIV_H

#include <linux/llist.h>
#include <linux/memcontrol.h>
#include <linux/workqueue.h>

#include "cache.h"

#define FM_RING_MIN	1024	/* IPv4 records a busy CPU's ring holds: */
#define FM_RING_MAX	4096	/* a 32nd of the buckets, within these */
#define FM_RING_SMALL	4096	/* bytes of a table's first ring: cache_ring.c */
#define FM_BATCH	128	/* records per fm_export_records() call */
#define FM_EVICT_SCAN	64	/* buckets searched for an eviction victim */
#define FM_SCAN_CHUNK	256	/* buckets scanned per BH-disabled stretch */
#define FM_SWEEP_MAX	16U	/* s: longest sweep of a table for timeouts */
#define FM_NETNS_BUCKETS 4096	/* per CPU, default beyond the initial netns */
#define FM_GRAVES_MIN	4096	/* graves allowed even to a small table */
#define FM_SPARE_MAX	2048	/* freed entries kept per CPU for reuse */
#define FM_REFUSED_MAX	16	/* refused flows remembered per CPU */
#define FM_INFLIGHT_BITS 256	/* fm_table.inflight */
#define FM_BI_LINGER	HZ	/* a biflow closed both ways, till it ends */
/*
 * Eviction spares established flows (fm_evict_find()): a flow whose
 * packets span FM_ESTABLISHED or more is evicted only once it has been
 * idle for FM_PROTECT_IDLE; until then a new flow that finds no other
 * victim is refused instead.
 */
#define FM_ESTABLISHED	HZ
#define FM_PROTECT_IDLE	(2 * HZ)

/*
 * Tables, buckets, rings: charged, and refused rather than reclaimed for
 * at any cost (no OOM kill for a setting; a hash_size too big for the
 * memory cgroup is a refused request, not a warning in the log).
 */
#define FM_GFP_TABLE	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

struct fm_table {
	/*
	 * NULL until the table's CPU first comes online in the cache's
	 * life (fm_table_alloc()); set once, with release, then kept until
	 * the cache is destroyed. Readers test it; on the table's own CPU
	 * it is never NULL.
	 */
	struct fm_entry __rcu **buckets;
	unsigned int mask;
	unsigned int count;		/* entries in the table */
	unsigned int quota;		/* flow budget lent, not in use */
	unsigned int limit;		/* share of the budget: graves */
	u32 sample_count;		/* deterministic sampling: packets left */
	u32 sample_if_count[FM_IFF_MAX];	/* the same, per fm_samplif slot */
	/* the ring of finished records, in bytes: cache_ring.c */
	unsigned int ring_head;		/* offset of the next record out */
	unsigned int ring_len;		/* bytes of records waiting */
	unsigned int ring_size;		/* of ring, less FM_RING_REC_MAX */
	bool flush;			/* expire everything at next run */
	bool parked;			/* CPU offline (or going): no work */
	bool asleep;			/* idle: the work is not queued */
	u32 reuses;			/* in-place rewrites begun: fm_entry_snap() */
	u32 clk_jiffies;		/* boot clock at clk_jiffies, for the */
	u64 clk_ms;			/* packet path: see fm_table_now_ms() */
	u32 next_scan;			/* jiffies: the work's next timeout scan */
	unsigned int sweep_pos;		/* the bucket it starts from */
	unsigned long mem;		/* bytes of entries, buried, spare too */
	unsigned int ngraves;		/* buried, not yet freed */
	unsigned int nspare;
	unsigned int spare_taken;	/* since the last timeout scan */
	/* past their grace period, by kind (fm_entry_kind()) */
	struct fm_entry *spare[FM_ENTRY_KINDS];
	u32 refused[FM_REFUSED_MAX];	/* hashes of flows refused lately */
	unsigned int refused_next;	/* the slot the next one takes */
	/*
	 * For the merge of a flow's records across CPUs (merge.c): a bit
	 * per FM_INFLIGHT_BITS-th of the buckets that had a flow ended into
	 * the work's batch, set before the entry leaves its chain, cleared
	 * once the batch is merged: a record of such a bucket's flow may be
	 * on its way. Only the work (or whoever empties the stopped table)
	 * writes it.
	 */
	unsigned long inflight[FM_INFLIGHT_BITS / BITS_PER_LONG];
	struct llist_head requests;	/* fm_merge_req: end these flows */
	struct fm_entry *graves;	/* buried since old_cookie was taken */
	struct fm_entry *old_graves;	/* free when old_cookie's GP is over */
	unsigned long old_cookie;
	u8 *ring;			/* ring_small or a bigger one */
	u8 *ring_small;			/* FM_RING_SMALL, with the buckets */
	unsigned int ring_full;		/* ring_size of the bigger one */
	unsigned long ring_mem;		/* bytes of rings and batch held */
	struct fm_record *batch;	/* the work's, while it has flows */
	struct fm_cache *cache;
	struct fm_net *fn;
	int cpu;
	struct delayed_work work;
};

struct fm_cache {
	struct fm_table __percpu *tables;
	struct fm_cache_cfg cfg;
	struct fm_hkey hkey;		/* bucket hash key, per cache */
	/*
	 * Charged for the entries: the packet path reads it under RCU,
	 * fm_cache_charge() replaces it under conf_lock; a reference held
	 * (NULL without memory cgroups).
	 */
	struct mem_cgroup __rcu *memcg;
	struct fm_merge *merge;		/* records of a flow across CPUs */
	bool stopping;
	struct hlist_node cpu_online;	/* CPU hotplug instances */
	struct hlist_node cpu_dead;
	/*
	 * The flow budget (cfg.max_flows) that no table holds: see "The
	 * flow budget" in cache.c. Last and in a line of its own: any CPU
	 * writes it once per budget_batch new flows, and cfg above is read
	 * by every packet. Negative while a lowered max_flows is repaid.
	 */
	atomic_t budget ____cacheline_aligned_in_smp;
	unsigned int budget_batch;	/* lent at a time */
	int starving;			/* 1 + a CPU that found none, or 0 */
};

/* by kind (fm_entry_kind()): v4, v6, and each with an extension */
extern struct kmem_cache *fm_entry_caches[FM_ENTRY_KINDS];
extern unsigned int fm_entry_size[FM_ENTRY_KINDS];	/* slab objects */
extern struct workqueue_struct *fm_wq;
extern int fm_cpuhp_online;			/* dynamic hotplug states */
extern int fm_cpuhp_dead;

/*
 * fn->cache is replaced whole when the hash size changes (fm_cache_resize).
 * The packet path and readers find it under RCU, configuration under
 * conf_lock; netns init and exit own it.
 */
static inline struct fm_cache *fm_cache_rcu(struct fm_net *fn)
{
	return rcu_dereference_check(fn->cache,
				     lockdep_is_held(&fn->conf_lock));
}

/* Init and teardown: only while no hook of this netns is registered. */
static inline struct fm_cache *fm_cache_own(struct fm_net *fn)
{
	return rcu_dereference_protected(fn->cache, !fn->nops);
}

/*
 * t's buckets for a reader on any CPU, or NULL if its CPU has never been
 * online (fm_table_alloc()).
 */
static inline struct fm_entry __rcu **fm_table_buckets(const struct fm_table *t)
{
	return smp_load_acquire(&t->buckets);
}

static inline u32 fm_hash(const struct fm_cache *c, const struct fm_key *key)
{
	return fm_key_hash(key, &c->hkey);
}

/* e is out of its chain: free it once no RCU reader can still see it. */
static inline unsigned int fm_graves_limit(const struct fm_table *t)
{
	return max(READ_ONCE(t->limit), FM_GRAVES_MIN);
}

/*
 * Each online CPU's share of the netns's flow budget: what its buckets
 * are sized for when hash_size is 0 (a CPU may hold the whole budget,
 * in chains as long as the number of online CPUs on average), and its
 * bound on graves.
 */
static inline unsigned int fm_cpu_limit(const struct fm_cache_cfg *cfg)
{
	return max(cfg->max_flows / num_online_cpus(), 1U);
}

/* Budget lent to a table at a time: an eighth of a CPU's share. */
static inline unsigned int fm_budget_batch(const struct fm_cache_cfg *cfg)
{
	return clamp(fm_cpu_limit(cfg) / 8, 1U, 1024U);
}

/* Does another CPU need budget, or is a lowered max_flows being repaid? */
static inline bool fm_budget_wanted(struct fm_cache *c)
{
	return READ_ONCE(c->starving) || atomic_read(&c->budget) < 0;
}

void fm_budget_return(struct fm_table *t, bool all);

/*
 * One flow of t is gone (BH disabled, t's CPU or t's CPU dead): its
 * budget stays with t, up to two batches, unless someone wants it.
 */
static inline void fm_table_uncount(struct fm_table *t)
{
	t->count--;
	t->quota++;
	if (unlikely(t->quota > 2 * READ_ONCE(t->cache->budget_batch) ||
		     fm_budget_wanted(t->cache)))
		fm_budget_return(t, false);
}

/* jiffies to ms, inline where HZ divides 1000 (every x86 config does). */
static inline u32 fm_jiffies_ms(u32 j)
{
#if !(MSEC_PER_SEC % HZ)
	return j * (MSEC_PER_SEC / HZ);
#else
	return jiffies_to_msecs(j);
#endif
}

/*
 * now - then, or 0 if then is later: a reader's now is read before its
 * walk, and the owning CPU may count a packet in an entry after that;
 * the unsigned difference would make that flow end 49 days ago.
 */
static inline u32 fm_jiffies_age(u32 now, u32 then)
{
	return (s32)(now - then) > 0 ? now - then : 0;
}

/* Records' times: the boot clock, which no clock step moves (fm_record). */
static inline u64 fm_now_ms(void)
{
	return ktime_get_boottime_ns() / NSEC_PER_MSEC;
}

/*
 * Boot-clock ms for the packet path without reading a clock there (an
 * emulated HPET read costs more than the rest of the packet): the time
 * the expiry work last noted, advanced by jiffies since. Own CPU, BH
 * disabled.
 */
static inline u64 fm_table_now_ms(const struct fm_table *t, u32 now)
{
	return t->clk_ms + fm_jiffies_ms(now - t->clk_jiffies);
}

static inline void fm_table_clock(struct fm_table *t)
{
	t->clk_jiffies = (u32)jiffies;
	t->clk_ms = fm_now_ms();
}

static inline unsigned int fm_table_nbuckets(unsigned int limit, u32 hash_size)
{
	return roundup_pow_of_two(max(hash_size ?: limit, 16U));
}

/* cache.c: the packet path and a flow's end */
void fm_table_kick(struct fm_table *t);
void fm_entry_bury(struct fm_table *t, struct fm_entry *e);
void fm_entry_record(const struct fm_entry *e, struct fm_record *r,
		     u8 reason, u32 now, u64 now_ms);
void fm_table_yield(struct fm_table *t);

/* cache_expire.c: the expiry work */
void fm_table_work(struct work_struct *work);
void fm_table_expire(struct fm_table *t, bool all, unsigned int b,
		     unsigned int stop);
void fm_table_reap(struct fm_table *t);
unsigned int fm_graves_free(struct fm_entry *e, unsigned long *mem);
void fm_table_free_graves(struct fm_table *t);
void fm_table_drop_requests(struct fm_table *t);

/* cache_life.c: a table's storage */
int fm_table_alloc(struct fm_cache *c, struct fm_table *t);
void *fm_cache_vzalloc(struct fm_cache *c, size_t size);

/*
 * cache_ring.c: the ring of finished records. A record there is its
 * entry as it ended (extension first, IPv4 entries cut short, as in the
 * slab) after this header, expanded to a struct fm_record only when the
 * work takes it out.
 */
struct fm_ring_hdr {
	u64 now_ms;		/* the end: fm_table_now_ms() of now */
	u32 now;		/* jiffies */
	u8 reason;		/* enum fm_end_reason */
	u8 kind;		/* fm_entry_kind() of the entry */
	u16 pad;
};

/* Bytes of a ring record of kind: header, extension, entry. */
static inline unsigned int fm_ring_rec_size(unsigned int kind)
{
	return sizeof(struct fm_ring_hdr) + fm_entry_obj_size(kind);
}

#define FM_RING_REC_V4	(sizeof(struct fm_ring_hdr) + FM_ENTRY_SIZE_V4)
#define FM_RING_REC_MAX	(sizeof(struct fm_ring_hdr) + FM_EXT_MAX + \
			 FM_ENTRY_SIZE_V6)

unsigned int fm_ring_full_size(unsigned int nbuckets);
int fm_ring_alloc(struct fm_cache *c, struct fm_table *t, int node);
bool fm_ring_put(struct fm_table *t, const struct fm_entry *e, u8 reason);
unsigned int fm_ring_take(struct fm_table *t, struct fm_record *buf,
			  unsigned int *n, unsigned int cap,
			  unsigned int limit);
void fm_ring_grow(struct fm_table *t);
void fm_table_batch_get(struct fm_table *t);
void fm_table_shrink(struct fm_table *t);
void fm_ring_free(struct fm_table *t);

#endif /* _FM_CACHE_PRIV_H */
