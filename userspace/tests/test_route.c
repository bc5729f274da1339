// SPDX-License-Identifier: GPL-2.0
/*
 * Routing fields: routed records (FM_RF_ROUTE) in templates 268-271 of
 * IPFIX and v9 and in v5's own fields, decoded by the independent
 * collector in enc_decode.h; the session switches templates at the first
 * routed record and back; the MTU the routed templates need.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"

#define BOOT_MS		1700000000000ULL

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[1472];
static struct dec_state ds;
static struct dec_msg dm;

/* Flow i of enc_decode.h with routing fields. */
static void route_flow(struct fm_record *r, unsigned int i, int v6, u8 proto)
{
	enc_test_flow(r, i, v6, proto, BOOT_MS);
	r->rflags |= FM_RF_ROUTE;
	r->src_mask = v6 ? 64 : 24;
	r->dst_mask = (u8)(v6 ? 32 + i : 16 + i);
	r->src_as = 64500 + i;
	r->dst_as = 4200000000U + i;
	if (v6) {
		r->nexthop.v6.s6_addr[0] = 0xfd;
		r->nexthop.v6.s6_addr[15] = (u8)(i + 1);
	} else {
		r->nexthop.v4 = htonl(0x0a000201 + i);
	}
}

static void check_routed(const struct dec_rec *d, const struct fm_record *r,
			 int version)
{
	const char *err = dec_check_flow(d, r, version, BOOT_MS);
	bool v6 = r->key.kflags & FM_KF_IPV6;
	unsigned int len;
	const u8 *nh;

	if (err)
		printf("#   flow: %s\n", err);
	CHECK(err == NULL);
	nh = dec_field(d, v6 ? 62 : 15, 0, &len);
	CHECK(nh && len == (v6 ? 16U : 4U));
	if (nh)
		CHECK(!memcmp(nh, &r->nexthop, len));
	CHECK_EQ(dec_u(d, v6 ? 29 : 9, 0), r->src_mask);
	CHECK_EQ(dec_u(d, v6 ? 30 : 13, 0), r->dst_mask);
	CHECK_EQ(dec_u(d, 16, 0), r->src_as);
	CHECK_EQ(dec_u(d, 17, 0), r->dst_as);
}

static void check_switch(u8 version)
{
	static const u8 protos[] = { 17, 6, 1, 58 };
	struct fm_record plain, r[ARRAY_SIZE(protos)];
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int i;

	fm_enc_session_init(&s, version, 7);
	memset(&ds, 0, sizeof(ds));
	enc_test_flow(&plain, 1, 0, 17, BOOT_MS);
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		route_flow(&r[i], i, protos[i] == 58 || i == 1, protos[i]);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);		/* the routed flow templates */
	CHECK_EQ(fm_enc_add_flows(&m, r, ARRAY_SIZE(r)), 0);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nrec, ARRAY_SIZE(r));
	for (i = 0; i < dm.nrec; i++)
		check_routed(&dm.rec[i], &r[i], version);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_ROUTE4);
	CHECK_EQ(dm.rec[1].tid, FM_TMPL_ROUTE6);
	CHECK_EQ(dm.rec[2].tid, FM_TMPL_ROUTE_ICMP4);
	CHECK_EQ(dm.rec[3].tid, FM_TMPL_ROUTE_ICMP6);

	/* and back to the plain templates */
	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(!m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_V4);
}

static void test_ipfix(void)
{
	check_switch(FM_ENC_IPFIX);
}

static void test_nf9(void)
{
	check_switch(FM_ENC_NF9);
}

/*
 * export.rst: the routed templates and the longest record need an MTU of
 * 656 to an IPv4 collector, 676 to an IPv6 one, 4 more in mode hash.
 */
static void test_min_mtu(void)
{
	static const u8 versions[] = { FM_ENC_IPFIX, FM_ENC_NF9 };
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		fm_enc_session_init(&s, versions[i], 1);
		route_flow(&r, 1, 1, 17);
		fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_FULL);
		CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, 656 - 28, &clk0), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
		fm_enc_resend_templates(&s);
		if (versions[i] == FM_ENC_IPFIX)
			CHECK_EQ(fm_enc_begin(&m, &s, buf, 652 - 28, &clk0),
				 FM_ENC_TOOSMALL);
		fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 100);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, 680 - 48, &clk0), FM_ENC_OK);
		CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
		fm_enc_resend_templates(&s);
		if (versions[i] == FM_ENC_IPFIX)
			CHECK_EQ(fm_enc_begin(&m, &s, buf, 676 - 48, &clk0),
				 FM_ENC_TOOSMALL);
	}
}

/* v5: next hop, 16-bit AS numbers (AS_TRANS above 65535), the masks */
static void test_nf5(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[2];
	const u8 *p;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	route_flow(&r[0], 1, 0, 17);
	route_flow(&r[1], 2, 0, 6);
	r[1].src_as = 65535;
	r[1].dst_as = 65536;
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r[1]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 2);
	p = dm.rec[0].p;
	CHECK(!memcmp(p + 8, &r[0].nexthop.v4, 4));
	CHECK_EQ(dec_be16(p + 40), 64501);
	CHECK_EQ(dec_be16(p + 42), 23456);	/* 4200000001 */
	CHECK_EQ(p[44], 24);
	CHECK_EQ(p[45], 17);
	p = dm.rec[1].p;
	CHECK_EQ(dec_be16(p + 40), 65535);
	CHECK_EQ(dec_be16(p + 42), 23456);
}

int main(void)
{
	RUN_TEST(test_ipfix);
	RUN_TEST(test_nf9);
	RUN_TEST(test_min_mtu);
	RUN_TEST(test_nf5);
	return KTAP_EXIT();
}
