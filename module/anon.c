// SPDX-License-Identifier: GPL-2.0
/*
 * Address masking and keyed pseudonymisation for anonymised export (see
 * anon.h). Pure code: also built in userspace for the unit tests and the
 * fuzzer.
 */
#include "anon.h"
#include "hashsel.h"

/*
 * Keyed prefix-preserving pseudonymisation, the construction of
 * Crypto-PAn (Xu, Fan, Ammar, Moon, ICNP 2002) with SipHash-2-4 as the
 * pseudo-random function instead of AES: output bit i is input bit i
 * XOR f(first i bits of the input), for a keyed f. Then two inputs
 * sharing exactly k leading bits get the same flips on those k bits
 * (same prefixes) and the same flip at bit k, where they differ, so the
 * outputs share exactly k bits; and the map is a bijection, since the
 * first i output bits give the first i input bits back, bit by bit.
 *
 * Any f of the first i bits keeps both properties; what is spent is PRF
 * calls. Bit by bit (Crypto-PAn) is 32 calls per IPv4 address, 128 per
 * IPv6. Here one call per nibble gives the flips of that nibble's four
 * bits: the call's input is the address's first 4t bits (t the nibble)
 * and 4t, its 64-bit output h a table, and the flip of the nibble's
 * bit j (j = 0..3, most significant first) is bit (2^j - 1 + v) of h,
 * v the value of the nibble's first j bits. So bit 4t + j's flip is a
 * function of the first 4t bits (the call's input) and the next j bits
 * (the index) -- of the first 4t + j bits, no more: the construction
 * above with a different f. Each bit position and prefix value reads
 * its own bit of h (indices 0, 1-2, 3-6, 7-14; 15 of 64) or another
 * call's, so the flips are as independent as SipHash's output bits.
 * 8 calls per IPv4 address, 32 per IPv6 (Documentation/export.rst has
 * the measured cost); at export only, in the destination's copy.
 *
 * The PRF input is a whole SipHash-2-4 message, reproducible with any
 * implementation (selftests/anoncheck.py has one): the len bytes of the
 * address with bits 4t.. zeroed, then two bytes 4t and len, so no
 * prefix length or family collides with another.
 */
static u64 fm_anon_prf(const u8 *pfx, unsigned int len, unsigned int bits,
		       const struct fm_hkey *k)
{
	u8 m[24] = {};
	unsigned int n = len + 2, i;
	struct fm_sip s;
	u64 last = (u64)n << 56;

	memcpy(m, pfx, len);
	m[len] = bits;
	m[len + 1] = len;
	fm_sip_init(&s, k);
	for (i = 0; i + 8 <= n; i += 8)
		fm_sip_word(&s, get_unaligned_le64(m + i), 2);
	/* the tail: the bytes past the last whole word, zeros after */
	last |= get_unaligned_le64(m + i) & ((1ULL << (8 * (n - i))) - 1);
	fm_sip_word(&s, last, 2);
	return fm_sip_final(&s, 4);
}

/* Pseudonymise the address of len (4 or 16) bytes at a, in place. */
void fm_anon_pseudo(u8 *a, unsigned int len, const struct fm_hkey *k)
{
	u8 pfx[16] = {};	/* the input's bits before the nibble */
	unsigned int t, j, shift, nib, flip;
	u64 h;

	for (t = 0; t < 2 * len; t++) {
		shift = t & 1 ? 0 : 4;
		nib = (a[t / 2] >> shift) & 0xf;
		h = fm_anon_prf(pfx, len, 4 * t, k);
		flip = 0;
		for (j = 0; j < 4; j++)
			flip |= ((h >> ((1u << j) - 1 + (nib >> (4 - j)))) & 1) <<
				(3 - j);
		pfx[t / 2] |= nib << shift;
		a[t / 2] ^= flip << shift;
	}
}

/* One address: pseudonymised if keyed, then cut to plen bits. */
static void fm_anon_addr6(struct in6_addr *addr, unsigned int plen,
			  bool keyed, const struct fm_hkey *key)
{
	if (keyed)
		fm_anon_pseudo(addr->s6_addr, 16, key);
	fm_prefix6(addr, plen);
}

static void fm_anon_addr4(__be32 *addr, unsigned int plen, bool keyed,
			  const struct fm_hkey *key)
{
	if (keyed)
		fm_anon_pseudo((u8 *)addr, 4, key);
	*addr = fm_prefix4(*addr, plen);
}

static void fm_anon_xlate(struct fm_xlate *x, const struct fm_key *k,
			  unsigned int src, unsigned int dst,
			  const struct fm_anon *a)
{
	bool ks = a->keyed & FM_ANON_KEYED_SRC;
	bool kd = a->keyed & FM_ANON_KEYED_DST;

	if (k->kflags & FM_KF_IPV6) {
		fm_anon_addr6(&x->saddr.v6, src, ks, &a->key);
		fm_anon_addr6(&x->daddr.v6, dst, kd, &a->key);
	} else {
		fm_anon_addr4(&x->saddr.v4, src, ks, &a->key);
		fm_anon_addr4(&x->daddr.v4, dst, kd, &a->key);
	}
}

/*
 * Mask the addresses of r[0..n) in place. A record of the aggregation's
 * flow mask (FM_KF_AGG) carries its prefix lengths: cut shorter here,
 * it says the shorter ones; pseudonymised, its address is cut to them
 * again (the pseudonym of a prefix's zero bits is not zero).
 */
void fm_anon_records(struct fm_record *r, unsigned int n,
		     const struct fm_anon *a)
{
	bool ks = a->keyed & FM_ANON_KEYED_SRC;
	bool kd = a->keyed & FM_ANON_KEYED_DST;
	unsigned int i, src, dst;

	for (i = 0; i < n; i++) {
		struct fm_key *k = &r[i].key;
		bool agg = k->kflags & FM_KF_AGG;

		if (k->kflags & FM_KF_IPV6) {
			src = a->src6;
			dst = a->dst6;
		} else {
			src = min_t(unsigned int, a->src4, 32);
			dst = min_t(unsigned int, a->dst4, 32);
		}
		if (agg) {
			src = min_t(unsigned int, k->src_plen, src);
			dst = min_t(unsigned int, k->dst_plen, dst);
			k->src_plen = src;
			k->dst_plen = dst;
		}
		if (k->kflags & FM_KF_IPV6) {
			fm_anon_addr6(&k->addr.v6.saddr, src, ks, &a->key);
			fm_anon_addr6(&k->addr.v6.daddr, dst, kd, &a->key);
		} else {
			fm_anon_addr4(&k->addr.v4.saddr, src, ks, &a->key);
			fm_anon_addr4(&k->addr.v4.daddr, dst, kd, &a->key);
		}
		/* post-NAT addresses: as their side's */
		if ((k->kflags & FM_KF_NAT) && r[i].xlate.ok)
			fm_anon_xlate(&r[i].xlate, k, src, dst, a);
		/*
		 * A MAC address names the host's hardware, with no prefix
		 * to keep: gone whenever its side's address is cut, before
		 * and after forwarding (on a bridge they are the same).
		 */
		if (src < (k->kflags & FM_KF_IPV6 ? 128U : 32U) || ks) {
			memset(r[i].l2.src_mac, 0, sizeof(r[i].l2.src_mac));
			memset(r[i].l2.post_src_mac, 0,
			       sizeof(r[i].l2.post_src_mac));
		}
		if (dst < (k->kflags & FM_KF_IPV6 ? 128U : 32U) || kd) {
			memset(r[i].l2.dst_mac, 0, sizeof(r[i].l2.dst_mac));
			memset(r[i].l2.post_dst_mac, 0,
			       sizeof(r[i].l2.post_dst_mac));
		}
	}
}
