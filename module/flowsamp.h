/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow sampling (RFC 7014 6.1), pure logic: 1 in N of the finished flow
 * records the cache hands to export is sent, the others are dropped
 * before any destination sees them. Independent of packet sampling,
 * which decides what the cache meters: the two compose, a record then
 * standing for packet N times flow N of the traffic on average.
 *
 * The choice is per record, not per flow key: a long flow cut by the
 * active timeout is several records, each in or out on its own, so sums
 * stay unbiased but a flow's records are not kept together. Keeping
 * whole flows is what sampling mode hash does (hashsel.h), at the meter.
 *
 * Plain C, shared with the userspace unit tests.
 */
#ifndef _FM_FLOWSAMP_H
#define _FM_FLOWSAMP_H

#include "fm_types.h"

/*
 * IANA "Flow Selection Algorithm" values (flowSelectorAlgorithm, IE 390,
 * RFC 7014 10.2.1) of the two modes.
 */
#define FM_FSAMP_ALGO_SYSTEMATIC	1	/* systematic count-based */
#define FM_FSAMP_ALGO_UNIFORM		4	/* uniform probabilistic */

/* Per netns state of the deterministic mode; zero is a valid start. */
struct fm_fsamp {
	u32 skip;	/* records to drop before the next one sent */
};

/*
 * Deterministic 1 in rate: the first record is sent, then every rate-th
 * (systematic count-based: interval 1, spacing rate - 1). A new rate
 * starts over from the next record, so the first record after a change
 * is always sent.
 */
static inline bool fm_fsamp_pick(struct fm_fsamp *fs, u32 rate)
{
	if (rate <= 1)
		return true;
	if (fs->skip) {
		fs->skip--;
		return false;
	}
	fs->skip = rate - 1;
	return true;
}

/* What a v9 or v5 collector is told: packet N times flow N, saturated. */
static inline u32 fm_fsamp_combined(u32 pkt_rate, u32 flow_rate)
{
	u64 n = (u64)(pkt_rate ? pkt_rate : 1) * (flow_rate ? flow_rate : 1);

	return n > 0xffffffffULL ? 0xffffffffU : (u32)n;
}

#endif /* _FM_FLOWSAMP_H */
