// SPDX-License-Identifier: GPL-2.0
/*
 * Address masking for anonymised export (see anon.h). Pure code: also
 * built in userspace for the unit tests and the fuzzer.
 */
#include "anon.h"

/*
 * Keep the first bits of the len-byte, network-order address at addr and
 * zero the rest; bits >= len * 8 leaves it as it is.
 */
void fm_anon_prefix(u8 *addr, unsigned int len, unsigned int bits)
{
	unsigned int i = bits / 8;

	if (i >= len)
		return;
	if (bits % 8)
		addr[i++] &= (u8)(0xff00 >> (bits % 8));
	memset(addr + i, 0, len - i);
}

/* 0..32 bits of an IPv4 address as a network-order mask */
static __be32 fm_anon_mask4(unsigned int bits)
{
	return bits ? cpu_to_be32(~0U << (32 - bits)) : 0;
}

/* Mask the addresses of r[0..n) in place. */
void fm_anon_records(struct fm_record *r, unsigned int n,
		     const struct fm_anon *a)
{
	__be32 s4 = fm_anon_mask4(min_t(unsigned int, a->src4, 32));
	__be32 d4 = fm_anon_mask4(min_t(unsigned int, a->dst4, 32));
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct fm_key *k = &r[i].key;

		if (k->kflags & FM_KF_IPV6) {
			fm_anon_prefix(k->addr.v6.saddr.s6_addr, 16, a->src6);
			fm_anon_prefix(k->addr.v6.daddr.s6_addr, 16, a->dst6);
		} else {
			k->addr.v4.saddr &= s4;
			k->addr.v4.daddr &= d4;
		}
	}
}
