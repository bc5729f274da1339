// SPDX-License-Identifier: GPL-2.0
/*
 * AS table look-ups and the checks of a table being loaded (asn.h). Pure
 * code: also built in userspace for the unit tests and the fuzzer.
 */
#include "asn.h"

/* The last range whose first is <= the address, or NULL. */
u32 fm_asn_lookup4(const struct fm_asn_ranges *t, __be32 addr)
{
	u32 a = be32_to_cpu(addr), lo = 0, hi = t->n4, mid;

	/* invariant: ranges before lo start at or below a, from hi above */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (be32_to_cpu(t->v4[mid].first) <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || be32_to_cpu(t->v4[lo - 1].last) < a)
		return 0;
	return t->v4[lo - 1].asn;
}

u32 fm_asn_lookup6(const struct fm_asn_ranges *t, const struct in6_addr *a)
{
	u32 lo = 0, hi = t->n6, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (memcmp(t->v6[mid].first, a, 16) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || memcmp(t->v6[lo - 1].last, a, 16) < 0)
		return 0;
	return t->v6[lo - 1].asn;
}

u32 fm_asn_check4(const struct fm_asn4 *prev, const struct fm_asn4 *r, u32 n)
{
	u32 i;

	for (i = 0; i < n; prev = &r[i++]) {
		if (be32_to_cpu(r[i].first) > be32_to_cpu(r[i].last))
			return i;
		if (prev && be32_to_cpu(prev->last) >= be32_to_cpu(r[i].first))
			return i;
	}
	return n;
}

u32 fm_asn_check6(const struct fm_asn6 *prev, const struct fm_asn6 *r, u32 n)
{
	u32 i;

	for (i = 0; i < n; prev = &r[i++]) {
		if (memcmp(r[i].first, r[i].last, 16) > 0)
			return i;
		if (prev && memcmp(prev->last, r[i].first, 16) >= 0)
			return i;
	}
	return n;
}
