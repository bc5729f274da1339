/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymisation at export: a destination may receive the flow records
 * with their source and/or destination addresses cut to a prefix, per
 * address family (research archives keep /21 of IPv4, privacy law asks
 * for less than a host). Only the copy sent to that destination is
 * changed; the cache's records, and what other destinations get, stay
 * whole. Pure code: also built in userspace for the unit tests.
 *
 * Instead of, or before, the cut an address may be pseudonymised with a
 * key (keyed prefix-preserving anonymisation, anon.c): a bijection that
 * maps addresses sharing exactly k leading bits to addresses sharing
 * exactly k leading bits, so subnets stay subnets and a host keeps one
 * pseudonym in every record, and whoever has the key can map alike.
 */
#ifndef _FM_ANON_H
#define _FM_ANON_H

#include "flow.h"
#include "cache_hot.h"

/* fm_anon.keyed: which addresses are pseudonymised */
#define FM_ANON_KEYED_SRC	1
#define FM_ANON_KEYED_DST	2
#define FM_ANON_KEYED_ALL	(FM_ANON_KEYED_SRC | FM_ANON_KEYED_DST)

/* Bytes of the key as netlink and flowctl carry it (hashsel.h's layout). */
#define FM_ANON_KEY_LEN		16

/*
 * Prefix lengths kept, in bits; the full length leaves an address as is.
 * A keyed side is pseudonymised first, then cut: the prefix lengths then
 * say how much of the pseudonym the destination gets.
 */
struct fm_anon {
	u8 src4, dst4;		/* 0..32 */
	u8 src6, dst6;		/* 0..128 */
	u8 keyed;		/* FM_ANON_KEYED_*; 0: none */
	/*
	 * The SipHash key of keyed sides: never reported (not to netlink,
	 * /proc or logs), wiped with memzero_explicit() wherever a copy
	 * ends (export.c, netlink.c).
	 */
	struct fm_hkey key;
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
	a->keyed = 0;
	a->key.k0 = 0;
	a->key.k1 = 0;
}

static inline bool fm_anon_valid(const struct fm_anon *a)
{
	return a->src4 <= 32 && a->dst4 <= 32 &&
	       a->src6 <= 128 && a->dst6 <= 128 &&
	       !(a->keyed & ~FM_ANON_KEYED_ALL);
}

/* Does it change any address? */
static inline bool fm_anon_on(const struct fm_anon *a)
{
	return a->src4 < 32 || a->dst4 < 32 || a->src6 < 128 || a->dst6 < 128 ||
	       a->keyed;
}

void fm_anon_pseudo(u8 *a, unsigned int len, const struct fm_hkey *k);

void fm_anon_records(struct fm_record *r, unsigned int n,
		     const struct fm_anon *a);

#endif /* _FM_ANON_H */
