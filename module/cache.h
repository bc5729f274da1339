/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU flow cache: see the comment at the top of cache.c.
 */
#ifndef _FM_CACHE_H
#define _FM_CACHE_H

#include "cache_hot.h"
#include "enc.h"
#include "flowmeter.h"
#include "hashsel.h"

/* The key of sampling mode hash, as the packet path reads it (hook.c). */
struct fm_hashkey {
	struct fm_hkey k;
};

/*
 * A local that the code fully writes before reading: exempt from
 * CONFIG_INIT_STACK_ALL_ZERO, where the compiler knows how.
 */
#if __has_attribute(__uninitialized__)
#define fm_noinit __attribute__((__uninitialized__))
#else
#define fm_noinit
#endif

/* Load-time defaults and per-netns settings of the cache and meter. */
struct fm_cache_cfg {
	u32 active_timeout;	/* seconds */
	u32 inactive_timeout;	/* seconds */
	u32 max_flows;		/* whole netns: the flow budget (cache.c) */
	u32 sampling_rate;	/* meter 1 of N packets; 1 = all */
	u8 sampling_mode;	/* enum fm_sampling_algo */
	u8 flowlabel;		/* put the IPv6 flow label in the key */
	u8 l2;			/* L2 fields kept: FM_KF_L2 keys (hook.c) */
	u8 postnat;		/* post-NAT fields kept: FM_KF_NAT keys */
	u32 hash_size;		/* buckets per CPU, at creation; 0: per-CPU limit */
};

#define FM_TIMEOUT_MAX (7 * 24 * 3600)	/* s: keeps u32 jiffies math exact */
#define FM_MAX_FLOWS_MAX (1U << 26)
#define FM_HASH_SIZE_MAX (1U << 24)
#define FM_NETNS_MAX_FLOWS_DEFAULT 65536

extern struct fm_cache_cfg fm_cache_defaults;

/*
 * The most flows a netns other than the initial one gets by default and
 * may be given by anyone but the host's admin (CAP_NET_ADMIN in the
 * initial user namespace): module parameter netns_max_flows, and
 * FM_A_NETNS_MAX_FLOWS from the initial netns. Read with READ_ONCE().
 */
extern u32 fm_netns_max_flows;
unsigned int fm_cache_nbuckets(const struct fm_cache_cfg *cfg);
unsigned int fm_netns_max_buckets(void);

int fm_cache_module_init(void);
void fm_cache_module_exit(void);

int fm_cache_init(struct fm_net *fn);
void fm_cache_stop(struct fm_net *fn);
void fm_cache_free(struct fm_net *fn);

/* What the packet path did with a packet. */
enum fm_verdict {
	FM_METERED,		/* counted in its flow */
	FM_SAMPLED_OUT,		/* left out by sampling */
	FM_REFUSED,		/* its flow found no room: not metered */
};

enum fm_verdict fm_cache_update(struct fm_net *fn, struct fm_stats *st,
				const struct fm_key *key,
				const struct fm_pktinfo *pi, int slot, u32 rate_if);

int fm_cache_flush(struct fm_net *fn);
const struct fm_cache_cfg *fm_cache_config(struct fm_net *fn);
unsigned int fm_cache_count(struct fm_net *fn);
unsigned long fm_cache_memory(struct fm_net *fn);
void fm_cache_budget(struct fm_net *fn, unsigned int *pool,
		     unsigned int *starving);

void fm_cache_configure(struct fm_net *fn, const struct fm_cache_cfg *cfg);
int fm_cache_resize(struct fm_net *fn, const struct fm_cache_cfg *cfg);
void fm_cache_sampling(struct fm_net *fn, u32 *rate, u8 *mode);

/*
 * Readers: every cached flow of every CPU as a record (end_reason 0,
 * times as of now), without stopping the packet path; counters are a
 * snapshot that may lag by the packets in flight, and a flow that saw
 * packets on several CPUs shows once per CPU. The flows are visited one
 * hash bucket at a time: positions 0 .. fm_cache_buckets() - 1. cb returns
 * non-zero to stop; that value is returned. cb runs under rcu_read_lock()
 * and must not sleep.
 */
unsigned long fm_cache_buckets(struct fm_net *fn);
int fm_cache_walk_bucket(struct fm_net *fn, unsigned long pos,
			 int (*cb)(const struct fm_record *r, int cpu, void *arg),
			 void *arg);

/*
 * The same, one flow at a time: bucket b (0 .. fm_cache_buckets() /
 * nr_cpu_ids - 1) of every CPU, each flow once with its CPUs' partial
 * counts summed; ncpus: how many CPUs metered it.
 */
int fm_cache_walk_merged(struct fm_net *fn, unsigned long b,
			 int (*cb)(const struct fm_record *r, int ncpus, void *arg),
			 void *arg);

/*
 * For the merge of a flow's records across CPUs (merge.c): the bucket
 * hash of key in cache c, where cpu's piece of the flow is, and a request
 * to cpu's work to end that piece.
 */
struct fm_cache;
struct fm_merge_req;
enum fm_piece {
	FM_PIECE_NONE,		/* none, and none on its way to the merge */
	FM_PIECE_LIVE,		/* in the table: *first, *last (jiffies) */
	FM_PIECE_INFLIGHT,	/* the CPU has records not merged yet */
};

u32 fm_cache_hash(const struct fm_cache *c, const struct fm_key *key);
enum fm_piece fm_cache_piece(struct fm_cache *c, int cpu, u32 hash,
			     const struct fm_key *key, u32 *first, u32 *last);
void fm_cache_request(struct fm_cache *c, int cpu, struct fm_merge_req *rq);
void *fm_cache_kmalloc(struct fm_cache *c, size_t size);

#endif /* _FM_CACHE_H */
