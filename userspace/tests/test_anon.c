// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for anonymised export (module/anon.c): no bit beyond the
 * prefix survives, every bit within it does, and nothing but the
 * addresses changes; keyed pseudonymisation preserves exactly the common
 * prefix, is a bijection, follows its documented definition and differs
 * by key.
 */
#include <stdlib.h>
#include "ktap.h"
#include "anon.h"
#include "hashsel.h"

/* 10.0.1.1 under key 000102..0f (anoncheck.py computes it alike) */
#define KAT_V4	"211.178.251.233"

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
	static const u8 zero[6];
	struct fm_record x = *a, y = *b;

	bool v6 = a->key.kflags & FM_KF_IPV6;
	const void *as = v6 ? (const void *)&a->key.addr.v6.saddr : &a->key.addr.v4.saddr;
	const void *bs = v6 ? (const void *)&b->key.addr.v6.saddr : &b->key.addr.v4.saddr;
	const void *ad = v6 ? (const void *)&a->key.addr.v6.daddr : &a->key.addr.v4.daddr;
	const void *bd = v6 ? (const void *)&b->key.addr.v6.daddr : &b->key.addr.v4.daddr;

	/* a side's MACs go with its address: 0 where that is cut */
	if (memcmp(as, bs, v6 ? 16 : 4) && (memcmp(a->l2.src_mac, zero, 6) ||
					    memcmp(a->l2.post_src_mac, zero, 6)))
		return false;
	if (memcmp(ad, bd, v6 ? 16 : 4) && (memcmp(a->l2.dst_mac, zero, 6) ||
					    memcmp(a->l2.post_dst_mac, zero, 6)))
		return false;
	memset(x.l2.src_mac, 0, 12);
	memset(y.l2.src_mac, 0, 12);
	memset(x.l2.post_src_mac, 0, 6);
	memset(y.l2.post_src_mac, 0, 6);
	memset(x.l2.post_dst_mac, 0, 6);
	memset(y.l2.post_dst_mac, 0, 6);

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

static bool abit(const u8 *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

/* Leading bits a and b share, of len bytes. */
static unsigned int cpl(const u8 *a, const u8 *b, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len * 8 && abit(a, i) == abit(b, i); i++)
		;
	return i;
}

static void key_of(const char *hex, struct fm_hkey *k)
{
	u8 b[FM_ANON_KEY_LEN];
	unsigned int i, v;

	for (i = 0; i < FM_ANON_KEY_LEN; i++) {
		sscanf(hex + 2 * i, "%2x", &v);
		b[i] = v;
	}
	fm_hashsel_key(b, k);
}

/*
 * The definition, bit by bit, with the generic SipHash-2-4 (checked
 * against the paper's vector in test_hash): bit i = 4t + j flips by bit
 * 2^j - 1 + (the nibble's first j bits) of SipHash(first 4t bits, zero
 * padded to len bytes, then bytes 4t and len).
 */
static void ref_pseudo(u8 *a, unsigned int len, const struct fm_hkey *k)
{
	u8 in[16], m[18];
	unsigned int i, t, j, v, b;
	u64 h;

	memcpy(in, a, len);
	for (i = 0; i < len * 8; i++) {
		t = i / 4;
		j = i % 4;
		memset(m, 0, sizeof(m));
		for (b = 0; b < 4 * t; b++)
			if (abit(in, b))
				m[b / 8] |= 0x80 >> (b % 8);
		m[len] = 4 * t;
		m[len + 1] = len;
		h = fm_siphash_test(m, len + 2, k, 2, 4);
		for (v = 0, b = 4 * t; b < i; b++)
			v = v << 1 | abit(in, b);
		if ((h >> ((1u << j) - 1 + v)) & 1)
			a[i / 8] ^= 0x80 >> (i % 8);
	}
}

static void rand_addr(u8 *a, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		a[i] = rand();
}

static void test_keyed_definition(void)
{
	struct fm_hkey k;
	u8 a[16], b[16];
	unsigned int i, len;

	key_of("000102030405060708090a0b0c0d0e0f", &k);
	srand(2);
	for (i = 0; i < 2000; i++) {
		len = i & 1 ? 16 : 4;
		rand_addr(a, len);
		memcpy(b, a, len);
		fm_anon_pseudo(a, len, &k);
		ref_pseudo(b, len, &k);
		if (memcmp(a, b, len)) {
			printf("#   len %u: differs from the definition\n", len);
			ktap_failed_checks++;
			break;
		}
	}
	/* a known answer, the same in selftests/anoncheck.py */
	inet_pton(AF_INET, "10.0.1.1", a);
	fm_anon_pseudo(a, 4, &k);
	inet_ntop(AF_INET, a, (char *)b, 16);
	printf("#   10.0.1.1 -> %s\n", (char *)b);
	CHECK(!strcmp((char *)b, KAT_V4));
}

/* common prefix length in == common prefix length out, any pair */
static void test_keyed_prefix(void)
{
	u8 a[16], b[16], pa[16], pb[16];
	unsigned int i, len, k, c;
	struct fm_hkey key;

	key_of("f0e1d2c3b4a5968778695a4b3c2d1e0f", &key);
	srand(3);
	for (i = 0; i < 20000; i++) {
		len = i & 1 ? 16 : 4;
		rand_addr(a, len);
		/* b shares exactly k bits with a (all of them if k = len) */
		k = rand() % (len * 8 + 1);
		rand_addr(b, len);
		for (c = 0; c < k; c++)
			if (abit(a, c) != abit(b, c))
				b[c / 8] ^= 0x80 >> (c % 8);
		if (k < len * 8 && abit(a, k) == abit(b, k))
			b[k / 8] ^= 0x80 >> (k % 8);
		memcpy(pa, a, len);
		memcpy(pb, b, len);
		fm_anon_pseudo(pa, len, &key);
		fm_anon_pseudo(pb, len, &key);
		if (cpl(a, b, len) != k || cpl(pa, pb, len) != k) {
			printf("#   len %u: prefix %u in, %u out\n", len, k,
			       cpl(pa, pb, len));
			ktap_failed_checks++;
			break;
		}
	}
}

/* A /16's 65536 hosts: 65536 pseudonyms, all in one pseudonymised /16. */
static void test_keyed_bijection(void)
{
	static u8 seen[65536];
	unsigned int i, dup = 0, out16 = 0;
	struct fm_hkey key;
	u8 a[4], first[4];

	key_of("00112233445566778899aabbccddeeff", &key);
	for (i = 0; i < 65536; i++) {
		a[0] = 198;
		a[1] = 51;
		a[2] = i >> 8;
		a[3] = i;
		fm_anon_pseudo(a, 4, &key);
		if (!i)
			memcpy(first, a, 4);
		if (a[0] != first[0] || a[1] != first[1])
			out16++;
		if (seen[a[2] << 8 | a[3]]++)
			dup++;
	}
	CHECK_EQ(dup, 0);
	CHECK_EQ(out16, 0);
	/* and the IPv6 addresses of a small sample stay distinct */
	{
		u8 v[256][16];
		unsigned int j;

		srand(4);
		for (i = 0; i < 256; i++) {
			rand_addr(v[i], 16);
			v[i][15] = i;	/* distinct inputs */
			memset(v[i], 0x20, 14);	/* all in one /112 */
			fm_anon_pseudo(v[i], 16, &key);
		}
		for (i = 0, dup = 0; i < 256; i++)
			for (j = i + 1; j < 256; j++)
				if (!memcmp(v[i], v[j], 16))
					dup++;
		CHECK_EQ(dup, 0);
	}
}

/* The same key maps alike every time; another key does not. */
static void test_keyed_keys(void)
{
	struct fm_hkey k1, k2;
	u8 a[16], b[16], c[16];
	unsigned int i, same = 0, len;

	key_of("000102030405060708090a0b0c0d0e0f", &k1);
	key_of("000102030405060708090a0b0c0d0e0e", &k2);
	srand(5);
	for (i = 0; i < 1000; i++) {
		len = i & 1 ? 16 : 4;
		rand_addr(a, len);
		memcpy(b, a, len);
		memcpy(c, a, len);
		fm_anon_pseudo(a, len, &k1);
		fm_anon_pseudo(b, len, &k1);
		fm_anon_pseudo(c, len, &k2);
		CHECK(!memcmp(a, b, len));
		same += !memcmp(a, c, len);
	}
	/* 1000 chances at 2^-32 or 2^-128 each */
	CHECK_EQ(same, 0);
}

/* Keyed records: pseudonym, then the cut; an aggregate's too. */
static void test_keyed_records(void)
{
	struct fm_record r[3], o[3];
	struct fm_anon an;
	u8 p[16];

	r[0] = rec4("10.1.2.3", "192.0.2.77");
	r[1] = rec6("2001:db8:1:2:3:4:5:6", "fd00::1");
	r[2] = rec4("10.1.2.0", "192.0.2.0");
	r[2].key.kflags = FM_KF_AGG;
	r[2].key.src_plen = 24;
	r[2].key.dst_plen = 24;
	memcpy(o, r, sizeof(r));
	fm_anon_init(&an);
	key_of("000102030405060708090a0b0c0d0e0f", &an.key);
	an.keyed = FM_ANON_KEYED_SRC;
	CHECK(fm_anon_on(&an));
	CHECK(fm_anon_valid(&an));
	an.src4 = 28;
	fm_anon_records(r, 3, &an);
	memcpy(p, &o[0].key.addr.v4.saddr, 4);
	fm_anon_pseudo(p, 4, &an.key);
	CHECK(!memcmp(&r[0].key.addr.v4.saddr, p, 3));
	CHECK_EQ(((u8 *)&r[0].key.addr.v4.saddr)[3], p[3] & 0xf0);
	CHECK_EQ(r[0].key.addr.v4.daddr, o[0].key.addr.v4.daddr);
	memcpy(p, &o[1].key.addr.v6.saddr, 16);
	fm_anon_pseudo(p, 16, &an.key);
	CHECK(!memcmp(&r[1].key.addr.v6.saddr, p, 16));
	CHECK(!memcmp(&r[1].key.addr.v6.daddr, &o[1].key.addr.v6.daddr, 16));
	/* the aggregate: its /24 pseudonymised, nothing past it */
	CHECK_EQ(r[2].key.src_plen, 24);
	CHECK(!memcmp(&r[2].key.addr.v4.saddr, &r[0].key.addr.v4.saddr, 3));
	CHECK_EQ(((u8 *)&r[2].key.addr.v4.saddr)[3], 0);
	for (int i = 0; i < 3; i++) {
		o[i].key.src_plen = r[i].key.src_plen;
		CHECK(same_but_addrs(&r[i], &o[i]));
	}
	an.keyed = 4;
	CHECK(!fm_anon_valid(&an));
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
	RUN_TEST(test_keyed_definition);
	RUN_TEST(test_keyed_prefix);
	RUN_TEST(test_keyed_bijection);
	RUN_TEST(test_keyed_keys);
	RUN_TEST(test_keyed_records);
	return KTAP_EXIT();
}
