// SPDX-License-Identifier: GPL-2.0
/*
 * AS table fuzzer: the input is IPv4 prefixes (4 address bytes, a length,
 * an AS byte each), the last 64 bytes the addresses to look up. flowctl
 * flattens the prefixes written as a file (flowctl_asn.c); the ranges
 * must pass the kernel's check and every look-up (module/asn.c) must give
 * the AS of the longest prefix holding the address, the later line of
 * equal ones, as a brute-force match says. Aborts on any mismatch.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn.h"
#include "flowctl.h"
#include "fuzz.h"

#define PFX_MAX		512
#define PFX_LEN		6
#define LOOKUPS		16

struct pfx {
	u32 addr;
	unsigned int plen;
	u32 asn;
};

static u32 lpm(const struct pfx *p, unsigned int n, u32 a)
{
	unsigned int i, best = 0;
	bool found = false;
	u32 asn = 0;

	for (i = 0; i < n; i++) {
		u32 mask = p[i].plen ? ~0U << (32 - p[i].plen) : 0;

		if ((a & mask) == p[i].addr && (!found || p[i].plen >= best)) {
			best = p[i].plen;
			asn = p[i].asn;
			found = true;
		}
	}
	return asn;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct pfx p[PFX_MAX];
	static char text[PFX_MAX * 32];
	struct fm_asn_ranges r;
	struct fc_asn_table t;
	unsigned int n, i, len = 0;
	FILE *f;
	u32 a;

	if (size < 4 * LOOKUPS)
		return 0;
	n = (size - 4 * LOOKUPS) / PFX_LEN;
	if (n > PFX_MAX)
		n = PFX_MAX;
	for (i = 0; i < n; i++) {
		const u8 *q = data + 4 * LOOKUPS + i * PFX_LEN;

		p[i].plen = q[4] % 33;
		a = (u32)q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3];
		p[i].addr = p[i].plen ? a & (~0U << (32 - p[i].plen)) : 0;
		p[i].asn = q[5] % 4;	/* few: neighbours join */
		len += sprintf(text + len, "%u.%u.%u.%u/%u %u\n",
			       p[i].addr >> 24, p[i].addr >> 16 & 255,
			       p[i].addr >> 8 & 255, p[i].addr & 255,
			       p[i].plen, p[i].asn);
	}
	if (!len)	/* fmemopen() wants a size: an empty file, a line */
		text[len++] = '\n';
	f = fmemopen(text, len, "r");
	ASSERT(f);
	ASSERT(fc_asn_read(f, "fuzz", &t) == FC_EXIT_OK);
	fclose(f);
	ASSERT(t.n6 == 0 && t.n4 <= 2 * (size_t)n + 1);
	ASSERT(fm_asn_check4(NULL, t.v4, t.n4) == t.n4);
	r = (struct fm_asn_ranges){ .n4 = t.n4, .v4 = t.v4 };
	for (i = 0; i < LOOKUPS; i++) {
		memcpy(&a, data + 4 * i, 4);
		/* near a prefix's edge: where flattening goes wrong */
		if (n && (a & 1))
			a = htonl(p[ntohl(a) % n].addr + (ntohl(a) & 2 ? 0 : ~0U));
		ASSERT(fm_asn_lookup4(&r, a) == lpm(p, n, ntohl(a)));
	}
	fc_asn_table_free(&t);
	return 0;
}
