// SPDX-License-Identifier: GPL-2.0
/*
 * NetFlow v5 encoder tests, decoded by the independent reader in
 * enc_decode.h.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_decode.h"

#define MTU		1472
#define BOOT_MS		1700000000000ULL

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.unix_nsec = 123000000,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[2][MTU];
static struct dec_msg dm;

static unsigned int finish_decode(struct fm_enc_msg *m)
{
	unsigned int len = fm_enc_finish(m);
	const char *err = dec_msg(NULL, m->buf, len, &dm);

	if (err)
		printf("#   decode: %s\n", err);
	CHECK(err == NULL);
	CHECK(len <= m->size);
	return err ? 0 : len;
}

static void check_flow(const struct dec_rec *d, const struct fm_record *r)
{
	const char *err = dec_check_nf5(d, r, BOOT_MS);

	if (err)
		printf("#   flow: %s\n", err);
	CHECK(err == NULL);
}

static void test_header(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[3];
	unsigned int i;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	s.engine_type = 1;
	s.engine_id = 7;
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
	CHECK(!m.tmpl);
	enc_test_flow(&r[0], 0, 0, 6, BOOT_MS);
	enc_test_flow(&r[1], 1, 0, 17, BOOT_MS);
	enc_test_flow(&r[2], 2, 0, 1, BOOT_MS);
	for (i = 0; i < 3; i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	CHECK_EQ(finish_decode(&m), 24 + 3 * 48);
	CHECK_EQ(dm.version, 5);
	CHECK_EQ(dm.count, 3);
	CHECK_EQ(dm.uptime, clk0.uptime_ms);
	CHECK_EQ(dm.sec, clk0.unix_sec);
	CHECK_EQ(dm.nsec, clk0.unix_nsec);
	CHECK_EQ(dm.seq, 0);
	CHECK_EQ(dm.engine_type, 1);
	CHECK_EQ(dm.engine_id, 7);
	CHECK_EQ(dm.sampling, 0);
	for (i = 0; i < 3; i++)
		check_flow(&dm.rec[i], &r[i]);
	/* ICMP: type * 256 + code in the destination port, source port 0 */
	CHECK_EQ(dec_be16(dm.rec[2].p + 32), 0);
	CHECK_EQ(dec_be16(dm.rec[2].p + 34), 0x0802);
	CHECK_EQ(dec_be32(dm.rec[0].p + 24), 5000);
	/* options have no place in v5 */
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_UNSUPPORTED);
	CHECK_EQ(fm_enc_add_ifname(&m, 1, "lo"), FM_ENC_UNSUPPORTED);
	CHECK_EQ(fm_enc_add_stats(&m, &(struct fm_enc_stats){ 0 }),
		 FM_ENC_UNSUPPORTED);
	CHECK_EQ(m.len, 24);
}

/* 30 records at most; flow_sequence counts the flows sent before. */
static void test_limit_and_sequence(void)
{
	static const unsigned int sizes[] = { MTU, 24 + 48 * 5 + 47, 72 };
	static const unsigned int per_msg[] = { 30, 5, 1 };
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[75];
	unsigned int i, j, next, got;
	int ret;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		enc_test_flow(&r[i], i, 0, i % 2 ? 6 : 17, BOOT_MS);
	for (j = 0; j < ARRAY_SIZE(sizes); j++) {
		fm_enc_session_init(&s, FM_ENC_NF5, 0);
		next = got = 0;
		while (next < ARRAY_SIZE(r)) {
			CHECK_EQ(fm_enc_begin(&m, &s, buf[0], sizes[j], &clk0),
				 FM_ENC_OK);
			while (next < ARRAY_SIZE(r) &&
			       (ret = fm_enc_add_flow(&m, &r[next])) == FM_ENC_OK)
				next++;
			if (next < ARRAY_SIZE(r)) {
				CHECK_EQ(ret, FM_ENC_FULL);
				CHECK_EQ(m.nrec, per_msg[j]);
			}
			finish_decode(&m);
			CHECK_EQ(dm.seq, got);
			for (i = 0; i < dm.count; i++)
				check_flow(&dm.rec[i], &r[got++]);
		}
		CHECK_EQ(got, ARRAY_SIZE(r));
	}
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 71, &clk0), FM_ENC_TOOSMALL);
}

/* IPv6 records are refused, leave the message alone and are not counted. */
static void test_ipv6_refused(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r4, r6;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	enc_test_flow(&r4, 1, 0, 6, BOOT_MS);
	enc_test_flow(&r6, 2, 1, 6, BOOT_MS);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r6), FM_ENC_UNSUPPORTED);
	CHECK_EQ(m.len, 24);
	CHECK_EQ(fm_enc_add_flow(&m, &r4), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r6), FM_ENC_UNSUPPORTED);
	finish_decode(&m);
	CHECK_EQ(dm.count, 1);
	check_flow(&dm.rec[0], &r4);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_flow(&m, &r4);
	finish_decode(&m);
	CHECK_EQ(dm.seq, 1);
}

static void test_saturation(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	enc_test_flow(&r, 1, 0, 6, BOOT_MS);
	r.packets = 0x100000000ULL;
	r.bytes = ~0ULL;
	r.key.in_if = 65536;
	r.key.out_if = 65535;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_flow(&m, &r);
	r.packets = 0xffffffff;
	r.bytes = 0xfffffffe;
	fm_enc_add_flow(&m, &r);
	finish_decode(&m);
	CHECK_EQ(dec_be32(dm.rec[0].p + 16), 0xffffffff);
	CHECK_EQ(dec_be32(dm.rec[0].p + 20), 0xffffffff);
	CHECK_EQ(dec_be16(dm.rec[0].p + 12), 0xffff);
	CHECK_EQ(dec_be16(dm.rec[0].p + 14), 0xffff);
	CHECK_EQ(dec_be32(dm.rec[1].p + 16), 0xffffffff);
	CHECK_EQ(dec_be32(dm.rec[1].p + 20), 0xfffffffe);
	check_flow(&dm.rec[1], &r);
}

/* Sampling: mode in the top 2 bits, interval in the low 14. */
static void test_sampling(void)
{
	static const struct {
		u32 interval;
		u8 algo;
		u16 field;
		u32 flow_interval;
		u8 flow_algo;
	} c[] = {
		{ 1, FM_SAMPLING_DETERMINISTIC, 0, 0, 0 },
		{ 0, FM_SAMPLING_RANDOM, 0, 0, 0 },
		{ 100, FM_SAMPLING_DETERMINISTIC, 0x4064, 0, 0 },
		{ 16383, FM_SAMPLING_RANDOM, 0xbfff, 0, 0 },
		{ 100000, FM_SAMPLING_RANDOM, 0xbfff, 0, 0 },
		{ 100, FM_SAMPLING_HASH, 0x8064, 0, 0 },	/* as random */
		/* flow sampling folded in: packet N times flow N */
		{ 1, FM_SAMPLING_DETERMINISTIC, 0x400a, 10, FM_SAMPLING_DETERMINISTIC },
		{ 10, FM_SAMPLING_DETERMINISTIC, 0x8064, 10, FM_SAMPLING_RANDOM },
		{ 1000, FM_SAMPLING_RANDOM, 0xbfff, 1000, FM_SAMPLING_RANDOM },
	};
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;

	enc_test_flow(&r, 1, 0, 6, BOOT_MS);
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		fm_enc_session_init(&s, FM_ENC_NF5, 0);
		s.sampling_interval = c[i].interval;
		s.sampling_algo = c[i].algo;
		if (c[i].flow_interval)
			fm_enc_set_flow_sampling(&s, c[i].flow_algo,
						 c[i].flow_interval);
		fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
		fm_enc_add_flow(&m, &r);
		finish_decode(&m);
		CHECK_EQ(dm.sampling, c[i].field);
	}
}

static void test_determinism(void)
{
	struct fm_enc_session s[2];
	unsigned int len[2], k, i;
	struct fm_enc_msg m;
	struct fm_record r;

	for (k = 0; k < 2; k++) {
		fm_enc_session_init(&s[k], FM_ENC_NF5, 0);
		memset(buf[k], k ? 0x55 : 0xaa, sizeof(buf[k]));
		fm_enc_begin(&m, &s[k], buf[k], MTU, &clk0);
		for (i = 0; i < 40; i++) {
			enc_test_flow(&r, i, 0, 6, BOOT_MS);
			if (fm_enc_add_flow(&m, &r) != FM_ENC_OK)
				break;
		}
		len[k] = fm_enc_finish(&m);
	}
	CHECK_EQ(len[0], 24 + 30 * 48);
	CHECK_EQ(len[0], len[1]);
	CHECK(!memcmp(buf[0], buf[1], len[0]));
}

int main(void)
{
	RUN_TEST(test_header);
	RUN_TEST(test_limit_and_sequence);
	RUN_TEST(test_ipv6_refused);
	RUN_TEST(test_saturation);
	RUN_TEST(test_sampling);
	RUN_TEST(test_determinism);
	return KTAP_EXIT();
}
