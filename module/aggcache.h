/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An aggregation cache beside the main one (FM_A_AGGREGATE 2, "set
 * aggregate ... beside"): Cisco's router-side aggregation caches are fed
 * by the flows the main cache exports, not by packets. The records that
 * leave the main cache are folded here under a flow mask and leave, in
 * turn, by the netns's timeouts, to the destinations that ask for
 * aggregates; the others keep receiving every flow.
 *
 * All of it runs in process context under the export mutex (export.c):
 * the packet path never sees this table, so it needs no per-CPU split
 * and no lock of its own.
 */
#ifndef _FM_AGGCACHE_H
#define _FM_AGGCACHE_H

#include <linux/siphash.h>
#include <linux/types.h>

#include "flow.h"

#define FM_AGGC_CHUNK	64	/* records handed on at a time */

struct fm_aggc;

/* Where the records leaving the cache go: an array of n (<= CHUNK) */
typedef void (*fm_aggc_emit_t)(void *arg, const struct fm_record *r,
			       unsigned int n);

/* A table of at most fm_param_agg_max aggregates; its mask set before use */
struct fm_aggc *fm_aggc_new(void);
void fm_aggc_set_mask(struct fm_aggc *ac, u64 mask);
void fm_aggc_free(struct fm_aggc *ac);
u64 fm_aggc_mask(const struct fm_aggc *ac);

/*
 * Fold recs[0..n) in. A new aggregate in a full table first makes every
 * aggregate leave (end reason: resources), counted in overflows.
 */
void fm_aggc_fold(struct fm_aggc *ac, const struct fm_record *recs,
		  unsigned int n, u64 now_ms, fm_aggc_emit_t emit, void *arg);

/*
 * Hand on the aggregates whose first flow began active_ms ago, or into
 * which no flow was folded for inactive_ms; all of them if all (flush,
 * a change of mask, the netns going: end reason forced).
 */
void fm_aggc_expire(struct fm_aggc *ac, u64 now_ms, u64 active_ms,
		    u64 inactive_ms, bool all, fm_aggc_emit_t emit, void *arg);

struct fm_aggc_stats {
	u32 entries;		/* aggregates held */
	u32 max;
	u64 folded;		/* flow records folded in */
	u64 out;		/* aggregate records handed on */
	u64 overflows;		/* times a full table was emptied */
};

void fm_aggc_stats(const struct fm_aggc *ac, struct fm_aggc_stats *st);

#endif /* _FM_AGGCACHE_H */
