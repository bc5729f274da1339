// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for hash-based flow selection (module/hashsel.h): the bytes
 * hashed, the hash equal to SipHash-2-4 of them (the generic SipHash that
 * test_hash checks against the paper's vector), the key's byte order,
 * the selected range, and a selected share within binomial bounds.
 */
#include <arpa/inet.h>

#include "ktap.h"
#include "hashsel.h"

static const u8 key_bytes[FM_HASHSEL_KEY_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

static void v4_key(struct fm_key *k, u32 saddr, u32 daddr, u16 sport,
		   u16 dport, u8 proto)
{
	memset(k, 0, sizeof(*k));
	k->addr.v4.saddr = htonl(saddr);
	k->addr.v4.daddr = htonl(daddr);
	k->sport = htons(sport);
	k->dport = htons(dport);
	k->proto = proto;
}

static void test_input_layout(void)
{
	static const u8 want4[FM_HASHSEL_IN_LEN] = {
		4, 17, 0x30, 0x39, 0x00, 0x35, 0, 0,
		10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	u8 in[FM_HASHSEL_IN_LEN];
	struct fm_key k;
	unsigned int i;

	v4_key(&k, 0x0a000001, 0xc0000207, 12345, 53, 17);
	fm_hashsel_input(&k, in);
	CHECK(!memcmp(in, want4, sizeof(in)));

	memset(&k, 0, sizeof(k));
	k.kflags = FM_KF_IPV6;
	k.proto = 6;
	k.sport = htons(1);
	k.dport = htons(2);
	for (i = 0; i < 16; i++) {
		k.addr.v6.saddr.s6_addr[i] = i;
		k.addr.v6.daddr.s6_addr[i] = 0x80 | i;
	}
	fm_hashsel_input(&k, in);
	CHECK_EQ(in[0], 6);
	CHECK_EQ(in[1], 6);
	CHECK_EQ(in[3], 1);
	CHECK_EQ(in[5], 2);
	for (i = 0; i < 16; i++) {
		CHECK_EQ(in[8 + i], i);
		CHECK_EQ(in[24 + i], 0x80 | i);
	}
}

/* The key's bytes are SipHash's k0, k1 little-endian, as in the paper. */
static void test_key_bytes(void)
{
	u8 back[FM_HASHSEL_KEY_LEN];
	struct fm_hkey k;

	fm_hashsel_key(key_bytes, &k);
	CHECK_EQ(k.k0, 0x0706050403020100ULL);
	CHECK_EQ(k.k1, 0x0f0e0d0c0b0a0908ULL);
	fm_hashsel_key_bytes(&k, back);
	CHECK(!memcmp(back, key_bytes, sizeof(back)));
}

static void test_is_siphash24(void)
{
	u8 in[FM_HASHSEL_IN_LEN];
	struct fm_hkey hk;
	struct fm_key k;
	unsigned int i;

	fm_hashsel_key(key_bytes, &hk);
	for (i = 0; i < 1000; i++) {
		v4_key(&k, 0x0a000000 + i, 0x0a010000 + i * 7, i, 80, 6);
		if (i & 1) {
			k.kflags = FM_KF_IPV6;
			memset(&k.addr.v6.saddr, (int)i, 16);
			memset(&k.addr.v6.daddr, (int)i + 1, 16);
		}
		fm_hashsel_input(&k, in);
		CHECK_EQ(fm_hashsel_hash(&k, &hk),
			 fm_siphash_test(in, sizeof(in), &hk, 2, 4));
	}
	/* pinned, for selftests/hashsel.py's own SipHash */
	v4_key(&k, 0x0a000001, 0xc0000207, 12345, 53, 17);
	CHECK_EQ(fm_hashsel_hash(&k, &hk), 0x9de54885268cb2c1ULL);
}

/* What differs between routers on a flow's path changes nothing. */
static void test_router_fields_ignored(void)
{
	struct fm_key a, b;
	struct fm_hkey hk;

	fm_hashsel_key(key_bytes, &hk);
	v4_key(&a, 0x0a000001, 0xc0000207, 1000, 2000, 6);
	b = a;
	b.in_if = 7;
	b.out_if = 9;
	b.vlan = 100;
	b.tos = 0xb8;
	b.dir = FM_DIR_EGRESS;
	CHECK_EQ(fm_hashsel_hash(&a, &hk), fm_hashsel_hash(&b, &hk));
	a.kflags = b.kflags = FM_KF_IPV6;
	memset(&a.addr.v6, 0x20, sizeof(a.addr.v6));
	memcpy(&b.addr.v6, &a.addr.v6, sizeof(b.addr.v6));
	b.addr.v6.flowlabel = htonl(0x12345);
	CHECK_EQ(fm_hashsel_hash(&a, &hk), fm_hashsel_hash(&b, &hk));
	b.sport = htons(1001);
	CHECK(fm_hashsel_hash(&a, &hk) != fm_hashsel_hash(&b, &hk));
}

static void test_range(void)
{
	CHECK_EQ(fm_hashsel_max(1), ~0ULL);
	CHECK(fm_hashsel_pick(~0ULL, 1));
	CHECK(fm_hashsel_pick(0, 1));
	CHECK_EQ(fm_hashsel_max(2), 0x7fffffffffffffffULL);
	CHECK(fm_hashsel_pick(0x7fffffffffffffffULL, 2));
	CHECK(!fm_hashsel_pick(0x8000000000000000ULL, 2));
	CHECK_EQ(fm_hashsel_max(100), ~0ULL / 100);
	CHECK(fm_hashsel_pick(0, 0xffffffff));
	CHECK(!fm_hashsel_pick(fm_hashsel_max(0xffffffff) + 1, 0xffffffff));
	CHECK_EQ(fm_hashsel_max(0), ~0ULL);	/* never divides by zero */
}

/* fm_hashsel_pick() is hash <= fm_hashsel_max(), at and around the edge. */
static void test_pick_is_range(void)
{
	static const u32 rates[] = { 1, 2, 3, 7, 10, 100, 1000, 65537,
				     0x7fffffff, 0xfffffffe, 0xffffffff };
	unsigned int i, j;
	u64 x = 0x9e3779b97f4a7c15ULL, max, h;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		max = fm_hashsel_max(rates[i]);
		CHECK(fm_hashsel_pick(max, rates[i]));
		CHECK(max == ~0ULL || !fm_hashsel_pick(max + 1, rates[i]));
		CHECK(fm_hashsel_pick(max - 1, rates[i]));
		for (j = 0; j < 10000; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			h = j & 1 ? x : max + (x & 0xffff) - 0x8000;
			CHECK_EQ(fm_hashsel_pick(h, rates[i]), h <= max);
		}
	}
}

/*
 * 1 in 10 of 10000 flows: mean 1000, sigma 30; 4 sigma either way. A
 * second key selects about as many, but other ones: the overlap of two
 * independent 1-in-10 selections is about 100.
 */
static void test_share(void)
{
	static const u8 other_bytes[FM_HASHSEL_KEY_LEN] = { 0xa5, 1, 2 };
	unsigned int i, n = 0, m = 0, both = 0;
	struct fm_hkey hk, ok;
	struct fm_key k;
	bool a, b;

	fm_hashsel_key(key_bytes, &hk);
	fm_hashsel_key(other_bytes, &ok);
	for (i = 0; i < 10000; i++) {
		v4_key(&k, 0x0a000002, 0x0a010002, 10000 + i, 9, 17);
		a = fm_hashsel_pick(fm_hashsel_hash(&k, &hk), 10);
		b = fm_hashsel_pick(fm_hashsel_hash(&k, &ok), 10);
		n += a;
		m += b;
		both += a && b;
	}
	printf("#   1 in 10 of 10000 flows: %u and %u selected, %u by both keys\n",
	       n, m, both);
	CHECK(n >= 880 && n <= 1120);
	CHECK(m >= 880 && m <= 1120);
	CHECK(both >= 60 && both <= 140);	/* 100, sigma 9.5 */
}

int main(void)
{
	RUN_TEST(test_input_layout);
	RUN_TEST(test_key_bytes);
	RUN_TEST(test_is_siphash24);
	RUN_TEST(test_router_fields_ignored);
	RUN_TEST(test_range);
	RUN_TEST(test_pick_is_range);
	RUN_TEST(test_share);
	return KTAP_EXIT();
}
