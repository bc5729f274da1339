/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymisation at export: a destination may receive the flow records
 * with their source and/or destination addresses cut to a prefix, per
 * address family (research archives keep /21 of IPv4, privacy law asks
 * for less than a host). Only the copy sent to that destination is
 * changed; the cache's records, and what other destinations get, stay
 * whole. Pure code: also built in userspace for the unit tests.
 */
#ifndef _FM_ANON_H
#define _FM_ANON_H

#include "flow.h"

/* Prefix lengths kept, in bits; the full length leaves an address as is. */
struct fm_anon {
	u8 src4, dst4;		/* 0..32 */
	u8 src6, dst6;		/* 0..128 */
};

/* Records masked per round, in the destination's scratch array. */
#define FM_ANON_CHUNK	64

/* The default: nothing masked. */
static inline void fm_anon_init(struct fm_anon *a)
{
	a->src4 = 32;
	a->dst4 = 32;
	a->src6 = 128;
	a->dst6 = 128;
}

static inline bool fm_anon_valid(const struct fm_anon *a)
{
	return a->src4 <= 32 && a->dst4 <= 32 &&
	       a->src6 <= 128 && a->dst6 <= 128;
}

/* Does it change any address? */
static inline bool fm_anon_on(const struct fm_anon *a)
{
	return a->src4 < 32 || a->dst4 < 32 || a->src6 < 128 || a->dst6 < 128;
}

void fm_anon_records(struct fm_record *r, unsigned int n,
		     const struct fm_anon *a);

#endif /* _FM_ANON_H */
