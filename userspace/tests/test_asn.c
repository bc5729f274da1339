// SPDX-License-Identifier: GPL-2.0
/*
 * The AS table: flowctl's flattening of "PREFIX ASN" files (flowctl_asn.c)
 * and the kernel's checks and look-ups (module/asn.c). Every address must
 * get the AS of its longest prefix, as a plain longest-prefix match over
 * the file says; the ranges must pass the kernel's check; bad lines are
 * refused with their line number.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "asn.h"
#include "flowctl.h"
#include "ktap.h"

static int read_text(const char *text, struct fc_asn_table *t)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	ret = fc_asn_read(f, "test", t);
	fclose(f);
	return ret;
}

static struct fm_asn_ranges ranges(const struct fc_asn_table *t)
{
	struct fm_asn_ranges r = { .n4 = t->n4, .n6 = t->n6,
				   .v4 = t->v4, .v6 = t->v6 };
	return r;
}

static u32 look4(const struct fc_asn_table *t, const char *a)
{
	struct fm_asn_ranges r = ranges(t);
	struct in_addr in;

	inet_pton(AF_INET, a, &in);
	return fm_asn_lookup4(&r, in.s_addr);
}

static u32 look6(const struct fc_asn_table *t, const char *a)
{
	struct fm_asn_ranges r = ranges(t);
	struct in6_addr in;

	inet_pton(AF_INET6, a, &in);
	return fm_asn_lookup6(&r, &in);
}

static void test_nested(void)
{
	struct fc_asn_table t;

	CHECK_EQ(read_text("# dump\n"
			   "10.0.0.0/8 64500\n"
			   "  10.0.1.0/24 AS64501  # inner\n"
			   "10.2.0.0/16 64502\n"
			   "10.2.5.0/24 4200000001\n"
			   "\n"
			   "fd00::/8 64600\n"
			   "fd22::/32 65022\n", &t), FC_EXIT_OK);
	CHECK_EQ(t.n4, 7);	/* 10/8 in four pieces, 10.2/16 in two, 10.2.5/24 */
	CHECK_EQ(look4(&t, "10.0.1.7"), 64501);
	CHECK_EQ(look4(&t, "10.0.0.255"), 64500);
	CHECK_EQ(look4(&t, "10.0.2.0"), 64500);
	CHECK_EQ(look4(&t, "10.2.5.255"), 4200000001U);
	CHECK_EQ(look4(&t, "10.2.6.0"), 64502);
	CHECK_EQ(look4(&t, "10.255.255.255"), 64500);
	CHECK_EQ(look4(&t, "11.0.0.0"), 0);
	CHECK_EQ(look4(&t, "9.255.255.255"), 0);
	CHECK_EQ(look6(&t, "fd22::1"), 65022);
	CHECK_EQ(look6(&t, "fd23::1"), 64600);
	CHECK_EQ(look6(&t, "fe00::"), 0);
	CHECK_EQ(t.n6, 3);
	fc_asn_table_free(&t);
}

/* The whole space, the last address, the same prefix twice. */
static void test_edges(void)
{
	struct fc_asn_table t;

	CHECK_EQ(read_text("0.0.0.0/0 1\n255.255.255.255/32 2\n"
			   "::/0 3\nffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 4\n"
			   "10.0.0.0/8 5\n10.0.0.0/8 6\n::/0 7\n", &t), FC_EXIT_OK);
	CHECK_EQ(look4(&t, "0.0.0.0"), 1);
	CHECK_EQ(look4(&t, "255.255.255.254"), 1);
	CHECK_EQ(look4(&t, "255.255.255.255"), 2);
	CHECK_EQ(look4(&t, "10.1.2.3"), 6);
	CHECK_EQ(look6(&t, "::"), 7);
	CHECK_EQ(look6(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), 7);
	CHECK_EQ(look6(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 4);
	CHECK_EQ(t.n4, 4);
	CHECK_EQ(t.n6, 2);
	fc_asn_table_free(&t);
	CHECK_EQ(read_text("", &t), FC_EXIT_OK);
	CHECK_EQ(t.n4 + t.n6, 0);
	CHECK_EQ(look4(&t, "1.2.3.4"), 0);
	fc_asn_table_free(&t);
}

static void test_bad_lines(void)
{
	static const char * const bad[] = {
		"10.0.0.0/33 1\n", "10.0.0.1/8 1\n", "10.0.0.0/8\n",
		"10.0.0.0/8 1 2\n", "10.0.0.0/8 4294967296\n", "10.0.0.0/8 -1\n",
		"10.0.0/8 1\n", "fd00::/129 1\n", "fd00::1/8 1\n", "x 1\n",
		"10.0.0.0/ 1\n", "10.0.0.0/8 AS\n", "10.0.0.0/+8 1\n",
	};
	struct fc_asn_table t;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (read_text(bad[i], &t) != FC_EXIT_USAGE)
			printf("#   accepted: %s", bad[i]);
		CHECK(!t.v4 && !t.v6);
	}
}

/* A reference: the longest prefix of the list, by brute force. */
struct pfx4 {
	u32 addr;
	unsigned int plen;
	u32 asn;
};

static u32 lpm4(const struct pfx4 *p, unsigned int n, u32 a)
{
	unsigned int i, best = 0;
	u32 asn = 0;
	bool found = false;

	for (i = 0; i < n; i++) {
		u32 mask = p[i].plen ? ~0U << (32 - p[i].plen) : 0;

		/* equal prefixes: the later line, as flowctl reads them */
		if ((a & mask) == p[i].addr &&
		    (!found || p[i].plen >= best)) {
			best = p[i].plen;
			asn = p[i].asn;
			found = true;
		}
	}
	return asn;
}

static void test_random(void)
{
	static struct pfx4 p[300];
	static char text[300 * 40];
	struct fm_asn_ranges r;
	struct fc_asn_table t;
	unsigned int round, i, n, len, bad = 0;
	u32 a;

	srandom(18);
	for (round = 0; round < 50; round++) {
		n = 1 + random() % 300;
		len = 0;
		for (i = 0; i < n; i++) {
			/* a small space (10.0.0.0/20) so that prefixes nest */
			p[i].plen = 8 + random() % 25;
			a = 0x0a000000 | (random() & 0xfff);
			p[i].addr = a & (~0U << (32 - p[i].plen));
			p[i].asn = 1 + random() % 5;	/* neighbours join */
			len += sprintf(text + len, "%u.%u.%u.%u/%u %u\n",
				       p[i].addr >> 24, p[i].addr >> 16 & 255,
				       p[i].addr >> 8 & 255, p[i].addr & 255,
				       p[i].plen, p[i].asn);
		}
		CHECK_EQ(read_text(text, &t), FC_EXIT_OK);
		r = ranges(&t);
		CHECK_EQ(fm_asn_check4(NULL, t.v4, t.n4), t.n4);
		for (i = 0; i < 20000; i++) {
			a = 0x09ffff00 + random() % 0x1200000;
			if (fm_asn_lookup4(&r, htonl(a)) != lpm4(p, n, a))
				bad++;
		}
		fc_asn_table_free(&t);
	}
	CHECK_EQ(bad, 0);
}

/* The kernel's check of ranges sent in several requests. */
static void test_check(void)
{
	struct fm_asn4 r[3] = {
		{ htonl(10), htonl(20), 1 },
		{ htonl(21), htonl(21), 2 },
		{ htonl(30), htonl(40), 3 },
	};
	struct fm_asn4 back = { htonl(40), htonl(50), 4 };
	struct fm_asn4 rev = { htonl(60), htonl(59), 4 };

	CHECK_EQ(fm_asn_check4(NULL, r, 3), 3);
	CHECK_EQ(fm_asn_check4(&r[2], &back, 1), 0);	/* overlaps the last */
	CHECK_EQ(fm_asn_check4(&r[2], &rev, 1), 0);	/* reversed */
	CHECK_EQ(fm_asn_check4(&r[1], r, 1), 0);	/* out of order */
}

int main(void)
{
	RUN_TEST(test_nested);
	RUN_TEST(test_edges);
	RUN_TEST(test_bad_lines);
	RUN_TEST(test_random);
	RUN_TEST(test_check);
	return KTAP_EXIT();
}
