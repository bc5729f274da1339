// SPDX-License-Identifier: GPL-2.0
/*
 * Per-interface sampling rates on the wire: records with a selector
 * (FM_RF_SEL) in their own templates, one options record per selector,
 * in IPFIX and v9, decoded by the independent collector in enc_decode.h.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"

#define BOOT_MS		1700000000000ULL
#define MIN_MSG		(576 - 28)	/* an IPv4 collector's smallest */

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[1472];
static struct dec_state ds;
static struct dec_msg dm;

/* netns rate 2, sampling-if slots at 4 and 10 */
static const u32 rates[] = { 2, 4, 10 };

static void sel_flow(struct fm_record *r, unsigned int i, int v6, u8 proto,
		     u8 selector)
{
	enc_test_flow(r, i, v6, proto, BOOT_MS);
	r->rflags |= FM_RF_SEL;
	r->selector = selector;
}

/*
 * The first record with a selector switches the session's templates; the
 * message that carries them has room for the selectors' options records,
 * which say each rate: IPFIX as interval 1 and space N - 1, v9 as
 * FLOW_SAMPLER_RANDOM_INTERVAL N.
 */
static void check_version(u8 version)
{
	int v10 = version == FM_ENC_IPFIX;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[4];
	unsigned int i;

	fm_enc_session_init(&s, version, 7);
	memset(&ds, 0, sizeof(ds));
	fm_enc_set_sampling(&s, FM_SAMPLING_DETERMINISTIC, 2);
	fm_enc_set_selectors(&s, ARRAY_SIZE(rates), rates);
	sel_flow(&r[0], 1, 0, 17, 1);
	sel_flow(&r[1], 2, 0, 6, 2);
	sel_flow(&r[2], 3, 1, 17, 3);
	sel_flow(&r[3], 4, 0, 1, 2);

	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(s.mode, FM_ENC_MODE_SEL);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	for (i = 0; i < FM_ENC_SEL_MAX; i++)
		CHECK_EQ(fm_enc_add_selector(&m, i), FM_ENC_OK);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK(ds.t[FM_TMPL_SELECTOR - 256].valid);
	CHECK(ds.t[FM_TMPL_SELECTOR - 256].opt);
	CHECK_EQ(dm.nrec, ARRAY_SIZE(rates) + ARRAY_SIZE(r));
	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		const struct dec_rec *o = &dm.rec[i];

		CHECK_EQ(o->tid, FM_TMPL_SELECTOR);
		if (v10) {
			CHECK_EQ(dec_u(o, 302, 1), i + 1);
			CHECK_EQ(dec_u(o, 304, 0), 1);
			CHECK_EQ(dec_u(o, 305, 0), 1);
			CHECK_EQ(dec_u(o, 306, 0), rates[i] - 1);
		} else {
			CHECK_EQ(dec_u(o, 1, 1), 7);	/* scope system */
			CHECK_EQ(dec_u(o, 48, 0), i + 1);
			CHECK_EQ(dec_u(o, 49, 0), FM_SAMPLING_DETERMINISTIC);
			CHECK_EQ(dec_u(o, 50, 0), rates[i]);
		}
	}
	for (i = 0; i < ARRAY_SIZE(r); i++)
		enc_check_flow(&dm.rec[ARRAY_SIZE(rates) + i], &r[i],
			       v10 ? 10 : 9, BOOT_MS);

	/* a record without a selector switches back to the plain ones */
	enc_test_flow(&r[0], 5, 0, 17, BOOT_MS);
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_selector(&m, 0), FM_ENC_OK);	/* none */
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);
	enc_check_flow(&dm.rec[0], &r[0], v10 ? 10 : 9, BOOT_MS);
}

static void test_ipfix(void)
{
	check_version(FM_ENC_IPFIX);
}

static void test_nf9(void)
{
	check_version(FM_ENC_NF9);
}

/*
 * The selector templates, with the options templates, hash selection's
 * among them, fit an IPv4 collector's smallest message with the longest
 * record (flow sampling's does not: export.rst), and a change of the
 * rates sends the templates again.
 */
static void test_min_mtu(void)
{
	static const u8 versions[] = { FM_ENC_IPFIX, FM_ENC_NF9 };
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;
	u32 other[3] = { 2, 4, 11 };

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		fm_enc_session_init(&s, versions[i], 1);
		fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 2);
		fm_enc_set_selectors(&s, ARRAY_SIZE(rates), rates);
		sel_flow(&r, 1, 1, 6, 3);
		fm_enc_begin(&m, &s, buf, MIN_MSG, &clk0);
		fm_enc_add_flow(&m, &r);
		CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, MIN_MSG, &clk0),
			 FM_ENC_OK);
		CHECK(m.tmpl);
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
		fm_enc_finish(&m);
		CHECK(s.tmpl_valid);
		fm_enc_set_selectors(&s, ARRAY_SIZE(rates), rates);
		CHECK(s.tmpl_valid);	/* the same: nothing owed */
		fm_enc_set_selectors(&s, ARRAY_SIZE(other), other);
		CHECK(!s.tmpl_valid);
	}
}

int main(void)
{
	RUN_TEST(test_ipfix);
	RUN_TEST(test_nf9);
	RUN_TEST(test_min_mtu);
	return KTAP_EXIT();
}
