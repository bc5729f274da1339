/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One flow, one record: the records a flow's pieces on several CPUs end
 * with are merged before export. See merge.c.
 */
#ifndef _FM_MERGE_H
#define _FM_MERGE_H

#include <linux/llist.h>

#include "cache.h"

struct fm_merge;

/* Asks a CPU's expiry work to end its piece of a flow (cache.c). */
struct fm_merge_req {
	struct llist_node node;
	struct fm_key key;
	u32 hash;		/* fm_cache_hash() of key */
	u32 cutoff;		/* jiffies: only a piece begun by then */
	u8 reason;		/* enum fm_end_reason; idle: only if idle */
};

struct fm_merge *fm_merge_create(struct fm_net *fn, struct fm_cache *c,
				 const struct fm_cache_cfg *cfg);
void fm_merge_destroy(struct fm_merge *m);
void fm_merge_records(struct fm_merge *m, int cpu,
		      const struct fm_record *recs, unsigned int n);
void fm_merge_poll(struct fm_merge *m);
bool fm_merge_holds(const struct fm_merge *m);
void fm_merge_flush(struct fm_merge *m);

#endif /* _FM_MERGE_H */
