// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymisation fuzzer: the input is four prefix lengths and records as
 * raw bytes. After fm_anon_records() no address bit beyond its prefix
 * may be set, every bit within it must be as it was, and nothing but the
 * addresses may change. Aborts on any mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include "anon.h"
#include "fuzz.h"

#define RECS_MAX	(2 * FM_ANON_CHUNK)

static bool bit(const u8 *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

/* The address at a (len bytes) was o, cut to bits. */
static void check_addr(const u8 *a, const u8 *o, unsigned int len,
		       unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < len * 8; i++)
		ASSERT(bit(a, i) == (i < bits && bit(o, i)));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fm_record r[RECS_MAX], o[RECS_MAX];
	struct fm_record x, y;
	struct fm_anon an;
	unsigned int n, i;

	if (size < 4)
		return 0;
	/* any lengths the check lets through */
	an.src4 = data[0] % 33;
	an.dst4 = data[1] % 33;
	an.src6 = data[2] % 129;
	an.dst6 = data[3] % 129;
	ASSERT(fm_anon_valid(&an));
	data += 4;
	size -= 4;
	n = size / sizeof(r[0]);
	if (n > RECS_MAX)
		n = RECS_MAX;
	memcpy(r, data, n * sizeof(r[0]));
	memcpy(o, r, n * sizeof(r[0]));
	fm_anon_records(r, n, &an);
	for (i = 0; i < n; i++) {
		const struct fm_key *k = &r[i].key, *ok = &o[i].key;

		if (k->kflags & FM_KF_IPV6) {
			check_addr(k->addr.v6.saddr.s6_addr,
				   ok->addr.v6.saddr.s6_addr, 16, an.src6);
			check_addr(k->addr.v6.daddr.s6_addr,
				   ok->addr.v6.daddr.s6_addr, 16, an.dst6);
		} else {
			check_addr((const u8 *)&k->addr.v4.saddr,
				   (const u8 *)&ok->addr.v4.saddr, 4, an.src4);
			check_addr((const u8 *)&k->addr.v4.daddr,
				   (const u8 *)&ok->addr.v4.daddr, 4, an.dst4);
		}
		/* an aggregate's prefix lengths: the shorter of the two cuts */
		if (k->kflags & FM_KF_AGG) {
			unsigned int s = k->kflags & FM_KF_IPV6 ? an.src6 :
				       (an.src4 < 32 ? an.src4 : 32);
			unsigned int d = k->kflags & FM_KF_IPV6 ? an.dst6 :
				       (an.dst4 < 32 ? an.dst4 : 32);

			ASSERT(k->src_plen == (ok->src_plen < s ? ok->src_plen : s));
			ASSERT(k->dst_plen == (ok->dst_plen < d ? ok->dst_plen : d));
		}
		/* the rest, flow label and an IPv4 key's unused bytes too */
		x = r[i];
		y = o[i];
		x.key.src_plen = y.key.src_plen;
		x.key.dst_plen = y.key.dst_plen;
		if (k->kflags & FM_KF_IPV6) {
			memset(&x.key.addr.v6.saddr, 0, 32);
			memset(&y.key.addr.v6.saddr, 0, 32);
		} else {
			memset(&x.key.addr.v4, 0, 8);
			memset(&y.key.addr.v4, 0, 8);
		}
		ASSERT(!memcmp(&x, &y, sizeof(x)));
	}
	return 0;
}
