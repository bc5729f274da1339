/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The biggest flows of a netns, for netlink and procfs.
 */
#ifndef _FM_TOP_H
#define _FM_TOP_H

#include "flowmeter.h"

/*
 * Fill top[0..n-1] with the n biggest cached flows of fn by bytes (or by
 * packets), biggest first, each summed over the CPUs that metered it
 * (times: earliest start, latest end; flags and TTLs combined; end_reason
 * 0). Returns how many flows were found, or -errno (-EINTR if killed
 * while waiting for its turn: walks of a netns are serialised and spaced,
 * see top.c). Process context: it sleeps and allocates.
 */
int fm_top_collect(struct fm_net *fn, unsigned int n, bool by_packets,
		   struct fm_record *top);

#endif /* _FM_TOP_H */
