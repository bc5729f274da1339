// SPDX-License-Identifier: GPL-2.0
/*
 * Address masking for anonymised export (see anon.h). Pure code: also
 * built in userspace for the unit tests and the fuzzer.
 */
#include "anon.h"

/*
 * Mask the addresses of r[0..n) in place. A record of the aggregation's
 * flow mask (FM_KF_AGG) carries its prefix lengths: cut shorter here,
 * it says the shorter ones.
 */
void fm_anon_records(struct fm_record *r, unsigned int n,
		     const struct fm_anon *a)
{
	unsigned int i, src, dst;

	for (i = 0; i < n; i++) {
		struct fm_key *k = &r[i].key;

		if (k->kflags & FM_KF_IPV6) {
			src = a->src6;
			dst = a->dst6;
			fm_prefix6(&k->addr.v6.saddr, src);
			fm_prefix6(&k->addr.v6.daddr, dst);
		} else {
			src = min_t(unsigned int, a->src4, 32);
			dst = min_t(unsigned int, a->dst4, 32);
			k->addr.v4.saddr = fm_prefix4(k->addr.v4.saddr, src);
			k->addr.v4.daddr = fm_prefix4(k->addr.v4.daddr, dst);
		}
		if (k->kflags & FM_KF_AGG) {
			k->src_plen = min_t(unsigned int, k->src_plen, src);
			k->dst_plen = min_t(unsigned int, k->dst_plen, dst);
		}
	}
}
