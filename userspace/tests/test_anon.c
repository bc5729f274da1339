// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for anonymised export (module/anon.c): no bit beyond the
 * prefix survives, every bit within it does, and nothing but the
 * addresses changes.
 */
#include <stdlib.h>
#include "ktap.h"
#include "anon.h"

/* The reference: bit by bit, most significant first. */
static void ref_prefix(u8 *a, unsigned int len, unsigned int bits)
{
	unsigned int i;

	for (i = bits; i < len * 8; i++)
		a[i / 8] &= ~(0x80 >> (i % 8));
}

/* The shared prefix helpers (flow.h) on an address of len bytes. */
static void prefix(u8 *a, unsigned int len, unsigned int bits)
{
	__be32 v4;

	if (len == 16) {
		fm_prefix6((struct in6_addr *)a, bits);
		return;
	}
	memcpy(&v4, a, 4);
	v4 = fm_prefix4(v4, bits);
	memcpy(a, &v4, 4);
}

static void test_prefix(void)
{
	u8 a[16], b[16], ones[16];
	unsigned int bits, len, i;

	memset(ones, 0xff, sizeof(ones));
	for (len = 4; len <= 16; len += 12) {
		/* IPv4: 0..32 (anon.c clamps); IPv6: past 128 as well */
		for (bits = 0; bits <= len * 8 + (len == 16 ? 8 : 0); bits++) {
			memcpy(a, ones, len);
			prefix(a, len, bits);
			for (i = 0; i < len * 8; i++) {
				bool set = a[i / 8] & (0x80 >> (i % 8));

				if (set != (i < bits)) {
					printf("#   len %u bits %u: bit %u %s\n",
					       len, bits, i, set ? "set" : "clear");
					ktap_failed_checks++;
					break;
				}
			}
		}
	}
	/* random addresses against the reference */
	srand(1);
	for (i = 0; i < 10000; i++) {
		unsigned int k;

		len = i & 1 ? 16 : 4;
		bits = rand() % (len * 8 + 1);
		for (k = 0; k < len; k++)
			a[k] = b[k] = rand();
		prefix(a, len, bits);
		ref_prefix(b, len, bits);
		if (memcmp(a, b, len)) {
			printf("#   len %u bits %u differs\n", len, bits);
			ktap_failed_checks++;
			break;
		}
	}
}

static struct fm_record rec4(const char *s, const char *d)
{
	struct fm_record r;

	memset(&r, 0x5a, sizeof(r));	/* every other field: a pattern */
	r.key.kflags = 0;
	inet_pton(AF_INET, s, &r.key.addr.v4.saddr);
	inet_pton(AF_INET, d, &r.key.addr.v4.daddr);
	return r;
}

static struct fm_record rec6(const char *s, const char *d)
{
	struct fm_record r;

	memset(&r, 0x5a, sizeof(r));
	r.key.kflags = FM_KF_IPV6;
	inet_pton(AF_INET6, s, &r.key.addr.v6.saddr);
	inet_pton(AF_INET6, d, &r.key.addr.v6.daddr);
	return r;
}

/* Only the addresses move: the rest of the record is as it was. */
static bool same_but_addrs(const struct fm_record *a, const struct fm_record *b)
{
	struct fm_record x = *a, y = *b;

	memset(&x.key.addr, 0, sizeof(x.key.addr));
	memset(&y.key.addr, 0, sizeof(y.key.addr));
	if (a->key.kflags & FM_KF_IPV6) {
		x.key.addr.v6.flowlabel = a->key.addr.v6.flowlabel;
		y.key.addr.v6.flowlabel = b->key.addr.v6.flowlabel;
	}
	return !memcmp(&x, &y, sizeof(x));
}

static void test_records(void)
{
	struct fm_record r[4], o[4], want;
	struct fm_anon an;

	r[0] = rec4("10.1.2.255", "192.0.2.77");
	r[1] = rec6("2001:db8:1:2:3:4:5:6", "fd00:ffff:ffff:ffff::1");
	r[2] = rec4("255.255.255.255", "0.0.0.1");
	r[3] = rec6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1");
	memcpy(o, r, sizeof(r));

	/* the default leaves every record as it is */
	fm_anon_init(&an);
	CHECK(!fm_anon_on(&an));
	CHECK(fm_anon_valid(&an));
	fm_anon_records(r, 4, &an);
	CHECK(!memcmp(r, o, sizeof(r)));

	/* Internet2's /21, IPv6 /48, sources only */
	an.src4 = 21;
	an.src6 = 48;
	CHECK(fm_anon_on(&an));
	fm_anon_records(r, 4, &an);
	want = rec4("10.1.0.0", "192.0.2.77");
	CHECK(!memcmp(&r[0].key.addr.v4, &want.key.addr.v4, 8));
	want = rec6("2001:db8:1::", "fd00:ffff:ffff:ffff::1");
	CHECK(!memcmp(&r[1].key.addr.v6, &want.key.addr.v6, 32));
	want = rec4("255.255.248.0", "0.0.0.1");
	CHECK(!memcmp(&r[2].key.addr.v4, &want.key.addr.v4, 8));
	want = rec6("ffff:ffff:ffff::", "::1");
	CHECK(!memcmp(&r[3].key.addr.v6, &want.key.addr.v6, 32));
	for (int i = 0; i < 4; i++)
		CHECK(same_but_addrs(&r[i], &o[i]));

	/* destinations too, and 0: nothing of the address left */
	memcpy(r, o, sizeof(r));
	an.dst4 = 0;
	an.dst6 = 127;
	fm_anon_records(r, 4, &an);
	CHECK_EQ(r[0].key.addr.v4.daddr, 0);
	CHECK_EQ(r[2].key.addr.v4.daddr, 0);
	want = rec6("ffff:ffff:ffff::", "::");
	CHECK(!memcmp(&r[3].key.addr.v6, &want.key.addr.v6, 32));
	want = rec6("2001:db8:1::", "fd00:ffff:ffff:ffff::");
	CHECK(!memcmp(&r[1].key.addr.v6, &want.key.addr.v6, 32));
	for (int i = 0; i < 4; i++)
		CHECK(same_but_addrs(&r[i], &o[i]));

	/* masking twice changes nothing more */
	memcpy(o, r, sizeof(r));
	fm_anon_records(r, 4, &an);
	CHECK(!memcmp(r, o, sizeof(r)));
	/* n = 0 touches nothing */
	fm_anon_records(NULL, 0, &an);
}

/* An aggregate's prefix lengths follow a shorter cut, never a longer one. */
static void test_agg_plen(void)
{
	struct fm_record r[2];
	struct fm_anon an;

	r[0] = rec4("10.1.2.0", "192.0.2.0");
	r[0].key.kflags = FM_KF_AGG;
	r[0].key.src_plen = 24;
	r[0].key.dst_plen = 24;
	r[1] = rec6("2001:db8:1::", "fd00::");
	r[1].key.kflags = FM_KF_IPV6 | FM_KF_AGG;
	r[1].key.src_plen = 48;
	r[1].key.dst_plen = 48;
	fm_anon_init(&an);
	an.src4 = 21;
	an.dst4 = 28;
	an.src6 = 32;
	fm_anon_records(r, 2, &an);
	CHECK_EQ(r[0].key.src_plen, 21);
	CHECK_EQ(r[0].key.dst_plen, 24);
	CHECK_EQ(ntohl(r[0].key.addr.v4.saddr), 0x0a010000);
	CHECK_EQ(r[1].key.src_plen, 32);
	CHECK_EQ(r[1].key.dst_plen, 48);
}

static void test_valid(void)
{
	struct fm_anon an;

	fm_anon_init(&an);
	an.src4 = 0;
	an.dst6 = 0;
	CHECK(fm_anon_valid(&an));
	an.src4 = 33;
	CHECK(!fm_anon_valid(&an));
	an.src4 = 32;
	an.dst4 = 128;
	CHECK(!fm_anon_valid(&an));
	an.dst4 = 32;
	an.src6 = 129;
	CHECK(!fm_anon_valid(&an));
	an.src6 = 128;
	an.dst6 = 255;
	CHECK(!fm_anon_valid(&an));
}

int main(void)
{
	RUN_TEST(test_prefix);
	RUN_TEST(test_records);
	RUN_TEST(test_agg_plen);
	RUN_TEST(test_valid);
	return KTAP_EXIT();
}
