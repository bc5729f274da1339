// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymisation fuzzer: the input is four prefix lengths, the keyed
 * sides and a key, and records as raw bytes. After fm_anon_records() no
 * address bit beyond its prefix may be set, every bit within it must be
 * as it was (keyed: as the pseudonym's), nothing but the addresses may
 * change, and two records' pseudonyms share exactly as many leading bits
 * as their addresses (up to the cut). Aborts on any mismatch.
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

static struct fm_anon an;

/* The address at a (len bytes) was o, maybe pseudonymised, cut to bits. */
static void check_addr(const u8 *a, const u8 *o, unsigned int len,
		       unsigned int bits, bool keyed)
{
	u8 p[16];
	unsigned int i;

	memcpy(p, o, len);
	if (keyed)
		fm_anon_pseudo(p, len, &an.key);
	for (i = 0; i < len * 8; i++)
		ASSERT(bit(a, i) == (i < bits && bit(p, i)));
}

static unsigned int cpl(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len * 8 && bit(a, i) == bit(b, i); i++)
		;
	return i;
}

/*
 * Keyed: pseudonyms (a, b) of (oa, ob), cut to bits, share what the
 * originals do; all of them when the originals share the whole cut.
 */
static void check_pair(const u8 *a, const u8 *b, const u8 *oa, const u8 *ob,
		       unsigned int len, unsigned int bits)
{
	unsigned int c = cpl(oa, ob, len);

	ASSERT(cpl(a, b, len) == (c < bits ? c : len * 8));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct fm_record r[RECS_MAX], o[RECS_MAX];
	struct fm_record x, y;
	unsigned int n, i;
	bool ks, kd;

	if (size < 4 + 1 + FM_ANON_KEY_LEN)
		return 0;
	/* any lengths the check lets through */
	an.src4 = data[0] % 33;
	an.dst4 = data[1] % 33;
	an.src6 = data[2] % 129;
	an.dst6 = data[3] % 129;
	an.keyed = data[4] & FM_ANON_KEYED_ALL;
	ks = an.keyed & FM_ANON_KEYED_SRC;
	kd = an.keyed & FM_ANON_KEYED_DST;
	memcpy(&an.key, data + 5, FM_ANON_KEY_LEN);
	ASSERT(fm_anon_valid(&an));
	data += 5 + FM_ANON_KEY_LEN;
	size -= 5 + FM_ANON_KEY_LEN;
	n = size / sizeof(r[0]);
	if (n > RECS_MAX)
		n = RECS_MAX;
	memcpy(r, data, n * sizeof(r[0]));
	memcpy(o, r, n * sizeof(r[0]));
	fm_anon_records(r, n, &an);
	for (i = 0; i < n; i++) {
		const struct fm_key *k = &r[i].key, *ok = &o[i].key;
		bool v6 = k->kflags & FM_KF_IPV6;
		unsigned int s = v6 ? an.src6 : (an.src4 < 32 ? an.src4 : 32);
		unsigned int d = v6 ? an.dst6 : (an.dst4 < 32 ? an.dst4 : 32);

		/* an aggregate's prefix lengths: the shorter of the two cuts */
		if (k->kflags & FM_KF_AGG) {
			s = ok->src_plen < s ? ok->src_plen : s;
			d = ok->dst_plen < d ? ok->dst_plen : d;
			ASSERT(k->src_plen == s);
			ASSERT(k->dst_plen == d);
		}
		if (v6) {
			check_addr(k->addr.v6.saddr.s6_addr,
				   ok->addr.v6.saddr.s6_addr, 16, s, ks);
			check_addr(k->addr.v6.daddr.s6_addr,
				   ok->addr.v6.daddr.s6_addr, 16, d, kd);
		} else {
			check_addr((const u8 *)&k->addr.v4.saddr,
				   (const u8 *)&ok->addr.v4.saddr, 4, s, ks);
			check_addr((const u8 *)&k->addr.v4.daddr,
				   (const u8 *)&ok->addr.v4.daddr, 4, d, kd);
		}
		/*
		 * Source against destination, one map for both sides: with
		 * unequal cuts the shorter's zeros may match the other's bits.
		 */
		if (ks && kd && s == d) {
			if (v6)
				check_pair(k->addr.v6.saddr.s6_addr,
					   k->addr.v6.daddr.s6_addr,
					   ok->addr.v6.saddr.s6_addr,
					   ok->addr.v6.daddr.s6_addr, 16, s);
			else
				check_pair((const u8 *)&k->addr.v4.saddr,
					   (const u8 *)&k->addr.v4.daddr,
					   (const u8 *)&ok->addr.v4.saddr,
					   (const u8 *)&ok->addr.v4.daddr, 4, s);
		}
		/* post-NAT addresses, where there are some: as their side's */
		if ((k->kflags & FM_KF_NAT) && o[i].xlate.ok) {
			unsigned int len = v6 ? 16 : 4;

			check_addr((const u8 *)&r[i].xlate.saddr,
				   (const u8 *)&o[i].xlate.saddr, len, s, ks);
			check_addr((const u8 *)&r[i].xlate.daddr,
				   (const u8 *)&o[i].xlate.daddr, len, d, kd);
		}
		/* the rest, flow label and an IPv4 key's unused bytes too */
		x = r[i];
		y = o[i];
		if ((k->kflags & FM_KF_NAT) && o[i].xlate.ok) {
			memcpy(&x.xlate.saddr, &y.xlate.saddr,
			       sizeof(x.xlate.saddr));
			memcpy(&x.xlate.daddr, &y.xlate.daddr,
			       sizeof(x.xlate.daddr));
		}
		x.key.src_plen = y.key.src_plen;
		x.key.dst_plen = y.key.dst_plen;
		/* MACs: 0 on an anonymised side (test_anon.c checks which) */
		memcpy(x.l2.src_mac, y.l2.src_mac, 12);
		memcpy(x.l2.post_src_mac, y.l2.post_src_mac, 6);
		memcpy(x.l2.post_dst_mac, y.l2.post_dst_mac, 6);
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
