/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hash-based flow selection (RFC 5475 6.2, RFC 7014 6.2.1), pure logic:
 * sampling mode hash keeps a packet if a keyed hash of its flow's
 * addresses, ports and protocol falls in the lowest 1/N of the hash's
 * output range. Every packet of a flow hashes alike, so a flow is in or
 * out whole and a selected flow's counts are exact; every meter with the
 * same key and N selects the same flows, whatever its interfaces.
 *
 * The hash is SipHash-2-4 (the cache's rounds, cache_hot.h, with the
 * paper's round counts) keyed with 128 bits per netns: the tuples are
 * chosen by whoever sends the packets, and without the key nobody can
 * aim flows into or out of the selection. Plain C, shared with the
 * userspace unit tests.
 */
#ifndef _FM_HASHSEL_H
#define _FM_HASHSEL_H

#include "cache_hot.h"

#ifndef __KERNEL__
static inline u64 get_unaligned_le64(const void *p)
{
	return le64toh(fm_load64(p));
}

static inline void put_unaligned_le64(u64 v, void *p)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}
#endif

#define FM_HASHSEL_KEY_LEN	16	/* bytes of FM_A_SAMPLING_HASH_KEY */
#define FM_HASHSEL_IN_LEN	40	/* bytes hashed, either family */

/*
 * The bytes hashed, the same on every host and for both families:
 *   0     IP version (4 or 6)
 *   1     protocol (the last IPv6 next header)
 *   2-3   source port, network order (0 for ICMP and portless protocols)
 *   4-5   destination port, network order (ICMP: type and code)
 *   6-7   zero
 *   8-23  source address, network order; IPv4: 4 bytes, then zeros
 *   24-39 destination address, the same
 * Not the interfaces, direction, VLAN, TOS or flow label: they differ
 * between routers on a flow's path, and a flow must be in or out at all.
 */
static inline void fm_hashsel_input(const struct fm_key *key,
				    u8 in[FM_HASHSEL_IN_LEN])
{
	memset(in, 0, FM_HASHSEL_IN_LEN);
	in[1] = key->proto;
	memcpy(in + 2, &key->sport, 2);
	memcpy(in + 4, &key->dport, 2);
	if (key->kflags & FM_KF_IPV6) {
		in[0] = 6;
		memcpy(in + 8, &key->addr.v6.saddr, 16);
		memcpy(in + 24, &key->addr.v6.daddr, 16);
	} else {
		in[0] = 4;
		memcpy(in + 8, &key->addr.v4.saddr, 4);
		memcpy(in + 24, &key->addr.v4.daddr, 4);
	}
}

/*
 * The key as FM_A_SAMPLING_HASH_KEY carries it: 16 bytes, SipHash's k0
 * and k1 little-endian, as the SipHash paper reads its key, so a key
 * gives the same selection on hosts of either byte order.
 */
static inline void fm_hashsel_key(const u8 b[FM_HASHSEL_KEY_LEN],
				  struct fm_hkey *k)
{
	k->k0 = get_unaligned_le64(b);
	k->k1 = get_unaligned_le64(b + 8);
}

static inline void fm_hashsel_key_bytes(const struct fm_hkey *k,
					u8 b[FM_HASHSEL_KEY_LEN])
{
	put_unaligned_le64(k->k0, b);
	put_unaligned_le64(k->k1, b + 8);
}

/* SipHash-2-4 of the flow's selection input (above), 64 bits. */
static inline u64 fm_hashsel_hash(const struct fm_key *key,
				  const struct fm_hkey *k)
{
	u8 in[FM_HASHSEL_IN_LEN];
	struct fm_sip s;
	unsigned int i;

	fm_hashsel_input(key, in);
	fm_sip_init(&s, k);
	for (i = 0; i < FM_HASHSEL_IN_LEN; i += 8)
		fm_sip_word(&s, get_unaligned_le64(in + i), 2);
	fm_sip_word(&s, (u64)FM_HASHSEL_IN_LEN << 56, 2);
	return fm_sip_final(&s, 4);
}

/*
 * The selected range of 1 in rate (rate >= 1): hashes 0 ..
 * fm_hashsel_max(rate) of the output range 0 .. 2^64 - 1, a share of
 * 1/rate within 2^-64. Exported as hashSelectedRangeMax.
 */
static inline u64 fm_hashsel_max(u32 rate)
{
	return ~0ULL / (rate ? rate : 1);
}

/*
 * hash <= fm_hashsel_max(rate), that is hash * rate < 2^64, without the
 * division: the high 64 bits of the 96-bit product are zero. Neither sum
 * overflows: (2^32 - 1)^2 + 2^32 - 1 < 2^64.
 */
static inline bool fm_hashsel_pick(u64 hash, u32 rate)
{
	u64 hi = (hash >> 32) * rate + (((hash & 0xffffffffULL) * rate) >> 32);

	return !(hi >> 32);
}

#endif /* _FM_HASHSEL_H */
