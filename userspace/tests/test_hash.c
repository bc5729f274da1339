// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the flow cache's bucket hash (module/cache_hot.h): the
 * SipHash rounds and padding against the SipHash paper's SipHash-2-4
 * vector, fm_key_hash() equal to the generic SipHash-1-3 over the key's
 * bytes for both families, and a key that changes every bucket.
 */
#include "ktap.h"
#include "cache_hot.h"

static const struct fm_hkey paper_key = {
	0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL
};

static void test_paper_vector(void)
{
	u8 msg[15];
	unsigned int i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	/* Aumasson and Bernstein, "SipHash: a fast short-input PRF", A */
	CHECK_EQ(fm_siphash_test(msg, sizeof(msg), &paper_key, 2, 4),
		 0xa129ca6149be45e5ULL);
}

static void fill_key(struct fm_key *k, unsigned int i, bool v6)
{
	u8 *p = (u8 *)k;
	unsigned int j;

	for (j = 0; j < sizeof(*k); j++)
		p[j] = (u8)(i * 131 + j * 7);
	memcpy(p + 8, &i, sizeof(i));	/* distinct keys for every i */
	k->kflags = v6 ? FM_KF_IPV6 : 0;
}

static void test_key_hash_is_siphash13(void)
{
	struct fm_key k;
	unsigned int i;

	for (i = 0; i < 1000; i++) {
		bool v6 = i & 1;
		unsigned int len = v6 ? FM_KEY_LEN_V6 : FM_KEY_LEN_V4;

		fill_key(&k, i, v6);
		CHECK_EQ(fm_key_hash(&k, &paper_key),
			 (u32)fm_siphash_test(&k, len, &paper_key, 1, 3));
	}
}

/* Only the key's first 28 bytes count for IPv4 (entries are cut short). */
static void test_v4_ignores_tail(void)
{
	struct fm_key a, b;

	fill_key(&a, 7, false);
	b = a;
	memset((u8 *)&b + FM_KEY_LEN_V4, 0xa5, sizeof(b) - FM_KEY_LEN_V4);
	CHECK_EQ(fm_key_hash(&a, &paper_key), fm_key_hash(&b, &paper_key));
}

/*
 * Another hash key puts the same flows in other buckets: of 4096 flows in
 * 1024 buckets, nearly all move (a fixed, unkeyed mapping would move none).
 */
static void test_keyed(void)
{
	static const struct fm_hkey other = { 1, 2 };
	unsigned int i, same = 0;
	struct fm_key k;

	for (i = 0; i < 4096; i++) {
		fill_key(&k, i, false);
		same += (fm_key_hash(&k, &paper_key) & 1023) ==
			(fm_key_hash(&k, &other) & 1023);
	}
	printf("#   %u of 4096 flows in the same bucket under both keys\n", same);
	CHECK(same < 32);	/* about 4 expected */
}

int main(void)
{
	RUN_TEST(test_paper_vector);
	RUN_TEST(test_key_hash_is_siphash13);
	RUN_TEST(test_v4_ignores_tail);
	RUN_TEST(test_keyed);
	return KTAP_EXIT();
}
