/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The prefix -> AS table of a netns: the origin AS of a record's source
 * and destination, for bgpSourceAsNumber / bgpDestinationAsNumber. The
 * operator loads it from a BGP daemon's dump (flowctl asn load), which
 * flowctl flattens into sorted, non-overlapping address ranges, the
 * longest prefix winning; so a look-up is one binary search. Pure code:
 * also built in userspace for the unit tests and the fuzzer.
 */
#ifndef _FM_ASN_H
#define _FM_ASN_H

#include "fm_types.h"
#include "uapi_flowmeter.h"

/* Ranges of one family, sorted by first, not overlapping. */
struct fm_asn_ranges {
	u32 n4, n6;
	const struct fm_asn4 *v4;
	const struct fm_asn6 *v6;
};

/* The AS of an address; 0 when no range holds it. */
u32 fm_asn_lookup4(const struct fm_asn_ranges *t, __be32 addr);
u32 fm_asn_lookup6(const struct fm_asn_ranges *t, const struct in6_addr *a);

/*
 * Check ranges r[0..n) that follow prev (NULL: the first of a table):
 * each first <= last, and after the previous range's last. Returns the
 * index of the first bad range, or n when all are good.
 */
u32 fm_asn_check4(const struct fm_asn4 *prev, const struct fm_asn4 *r, u32 n);
u32 fm_asn_check6(const struct fm_asn6 *prev, const struct fm_asn6 *r, u32 n);

#endif /* _FM_ASN_H */
