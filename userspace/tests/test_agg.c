// SPDX-License-Identifier: GPL-2.0
/*
 * Aggregation: the flow mask on keys (flow.h), and masked records in
 * IPFIX, v9 and v5, decoded by the independent collector in enc_decode.h.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"

#define BOOT_MS		1700000000000ULL
#define MIN_MSG		(576 - 28)	/* the smallest MTU's UDP payload */

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[1472];
static struct dec_state ds;
static struct dec_msg dm;

static u64 mask(u8 s4, u8 d4, u8 s6, u8 d6, u8 drop)
{
	struct fm_agg a = { 1, s4, d4, s6, d6, drop };

	return fm_agg_pack(&a);
}

static void test_pack(void)
{
	struct fm_agg a = { 1, 24, 0, 48, 128, FM_AGG_NO_ALL }, b;
	struct fm_agg off = { 0, 24, 24, 48, 48, 0 };

	fm_agg_unpack(fm_agg_pack(&a), &b);
	CHECK(!memcmp(&a, &b, sizeof(a)));
	/* off packs to 0 whatever it holds: the hook's one test */
	CHECK_EQ(fm_agg_pack(&off), 0);
	/* on with full lengths and nothing dropped is still on */
	a = (struct fm_agg){ 1, 32, 32, 128, 128, 0 };
	CHECK(fm_agg_pack(&a) != 0);
}

static void test_mask4(void)
{
	__be32 a = htonl(0x0a010203);

	CHECK_EQ(ntohl(fm_prefix4(a, 32)), 0x0a010203);
	CHECK_EQ(ntohl(fm_prefix4(a, 24)), 0x0a010200);
	CHECK_EQ(ntohl(fm_prefix4(a, 23)), 0x0a010200);
	CHECK_EQ(ntohl(fm_prefix4(a, 15)), 0x0a000000);
	CHECK_EQ(ntohl(fm_prefix4(a, 1)), 0);
	CHECK_EQ(ntohl(fm_prefix4(htonl(0xc0000001), 1)), 0x80000000);
	CHECK_EQ(fm_prefix4(a, 0), 0);
}

static void test_mask6(void)
{
	static const unsigned int lens[] = { 0, 1, 7, 8, 9, 47, 48, 63, 64,
					     65, 127, 128 };
	struct in6_addr a, m;
	unsigned int i, b, len;

	memset(&a, 0xff, sizeof(a));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		len = lens[i];
		m = a;
		fm_prefix6(&m, len);
		for (b = 0; b < 128; b++) {
			int set = m.s6_addr[b / 8] >> (7 - b % 8) & 1;

			if (set != (b < len)) {
				printf("#   /%u: bit %u is %d\n", len, b, set);
				CHECK(0);
				break;
			}
		}
	}
}

static void test_apply(void)
{
	struct fm_key k, orig;

	memset(&k, 0, sizeof(k));
	k.in_if = 2;
	k.out_if = 3;
	k.sport = htons(1234);
	k.dport = htons(80);
	k.vlan = 7;
	k.proto = 6;
	k.tos = 0x10;
	k.dir = 1;
	k.addr.v4.saddr = htonl(0x0a010203);
	k.addr.v4.daddr = htonl(0xc0a80a0b);
	orig = k;
	fm_agg_apply(&k, mask(24, 16, 48, 48, FM_AGG_NO_PORTS));
	CHECK_EQ(k.kflags, FM_KF_AGG);
	CHECK_EQ(ntohl(k.addr.v4.saddr), 0x0a010200);
	CHECK_EQ(ntohl(k.addr.v4.daddr), 0xc0a80000);
	CHECK_EQ(k.src_plen, 24);
	CHECK_EQ(k.dst_plen, 16);
	CHECK_EQ(k.sport | k.dport, 0);
	/* what the mask keeps */
	CHECK_EQ(k.in_if, 2);
	CHECK_EQ(k.out_if, 3);
	CHECK_EQ(k.vlan, 7);
	CHECK_EQ(k.proto, 6);
	CHECK_EQ(k.tos, 0x10);
	CHECK_EQ(k.dir, 1);

	k = orig;
	fm_agg_apply(&k, mask(0, 32, 48, 48, FM_AGG_NO_ALL));
	CHECK_EQ(k.addr.v4.saddr, 0);
	CHECK_EQ(k.addr.v4.daddr, orig.addr.v4.daddr);
	CHECK_EQ(k.in_if | k.out_if | k.vlan | k.proto | k.tos, 0);
	CHECK_EQ(k.sport | k.dport, 0);
	CHECK_EQ(k.dir, 1);

	memset(&k, 0, sizeof(k));
	k.kflags = FM_KF_IPV6;
	memset(&k.addr.v6.saddr, 0x11, 16);
	memset(&k.addr.v6.daddr, 0x22, 16);
	k.addr.v6.flowlabel = htonl(0x12345);
	fm_agg_apply(&k, mask(24, 24, 48, 64, 0));
	CHECK_EQ(k.kflags, FM_KF_IPV6 | FM_KF_AGG);
	CHECK_EQ(k.src_plen, 48);
	CHECK_EQ(k.dst_plen, 64);
	CHECK_EQ(k.addr.v6.saddr.s6_addr[5], 0x11);
	CHECK_EQ(k.addr.v6.saddr.s6_addr[6], 0);
	CHECK_EQ(k.addr.v6.daddr.s6_addr[7], 0x22);
	CHECK_EQ(k.addr.v6.daddr.s6_addr[8], 0);
	CHECK_EQ(k.addr.v6.flowlabel, 0);	/* no mask keeps it */
}

/* Flow i of enc_decode.h, masked (IPv4 /24 /16, IPv6 /48 /56) */
static void agg_flow(struct fm_record *r, unsigned int i, int v6, u8 proto)
{
	enc_test_flow(r, i, v6, proto, BOOT_MS);
	fm_agg_apply(&r->key, mask(24, 16, 48, 56, 0));
}

/*
 * A session meets masked records: it ends the message, sends the masked
 * flow templates instead of the others in the next, and takes them there;
 * an unmasked record switches back. Both formats.
 */
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
		agg_flow(&r[i], i, protos[i] == 58 || i == 1, protos[i]);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nrec, 1);
	enc_check_flow(&dm.rec[0], &plain, version, BOOT_MS);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);		/* the masked flow templates */
	CHECK_EQ(fm_enc_add_flows(&m, r, ARRAY_SIZE(r)), 0);
	for (i = 0; i < ARRAY_SIZE(r); i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nopt_tmpl, 3);
	CHECK_EQ(dm.nrec, ARRAY_SIZE(r));
	for (i = 0; i < dm.nrec; i++)
		enc_check_flow(&dm.rec[i], &r[i], version, BOOT_MS);
	CHECK_EQ(dec_u(&dm.rec[0], 9, 0), 24);
	CHECK_EQ(dec_u(&dm.rec[0], 13, 0), 16);
	CHECK_EQ(dec_u(&dm.rec[1], 29, 0), 48);
	CHECK_EQ(dec_u(&dm.rec[1], 30, 0), 56);

	/* no templates due: masked records go on without any */
	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(!m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_OK);
	/* and back */
	CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	if (version == FM_ENC_IPFIX)
		CHECK_EQ(fm_enc_add_flows(&m, &plain, 1), 1);
	else
		CHECK_EQ(fm_enc_add_flow(&m, &plain), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nrec, 1);
	enc_check_flow(&dm.rec[0], &plain, version, BOOT_MS);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_V4);
}

static void test_ipfix_switch(void)
{
	check_switch(FM_ENC_IPFIX);
}

static void test_nf9_switch(void)
{
	check_switch(FM_ENC_NF9);
}

/*
 * The masked templates, options and the longest record still fit the
 * smallest MTU, in both formats, and records fill a message.
 */
static void test_min_mtu(void)
{
	static const u8 versions[] = { FM_ENC_IPFIX, FM_ENC_NF9 };
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i, n;

	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		fm_enc_session_init(&s, versions[i], 1);
		memset(&ds, 0, sizeof(ds));
		agg_flow(&r, 3, 1, 6);
		fm_enc_begin(&m, &s, buf, MIN_MSG, &clk0);
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_FULL);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, MIN_MSG, &clk0), FM_ENC_OK);
		CHECK(m.tmpl);
		CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
		for (n = 0; fm_enc_add_flow(&m, &r) == FM_ENC_OK; n++)
			;
		CHECK(n >= 1);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.nrec, n);
		enc_check_flow(&dm.rec[0], &r, versions[i], BOOT_MS);
		/*
		 * Not at an IPv6 collector's (528 bytes): the message
		 * refuses to begin (the destination counts an error,
		 * EMSGSIZE), it never goes out cut. With the hash
		 * selection's options template at an IPv4 one's it fits:
		 * the longest record of the masked templates is 2 bytes
		 * shorter than an unmasked IPv6 one.
		 */
		CHECK_EQ(fm_enc_begin(&m, &s, buf, 576 - 48, &clk0),
			 FM_ENC_OK);
		fm_enc_resend_templates(&s);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, 576 - 48, &clk0),
			 FM_ENC_TOOSMALL);
		if (versions[i] != FM_ENC_IPFIX)
			continue;	/* v9 tells hash selection as random */
		fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 100);
		CHECK_EQ(fm_enc_begin(&m, &s, buf, MIN_MSG, &clk0),
			 FM_ENC_OK);
	}
}

static void test_nf5_masks(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[2];
	const char *err;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	enc_test_flow(&r[0], 1, 0, 17, BOOT_MS);
	agg_flow(&r[1], 2, 0, 6);
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r[1]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 2);
	err = dec_check_nf5(&dm.rec[0], &r[0], BOOT_MS);
	CHECK(err == NULL);
	err = dec_check_nf5(&dm.rec[1], &r[1], BOOT_MS);
	if (err)
		printf("#   %s\n", err);
	CHECK(err == NULL);
	CHECK_EQ(dm.rec[1].p[44], 24);
	CHECK_EQ(dm.rec[1].p[45], 16);
	CHECK_EQ(dm.rec[0].p[44], 0);
}

int main(void)
{
	RUN_TEST(test_pack);
	RUN_TEST(test_mask4);
	RUN_TEST(test_mask6);
	RUN_TEST(test_apply);
	RUN_TEST(test_ipfix_switch);
	RUN_TEST(test_nf9_switch);
	RUN_TEST(test_min_mtu);
	RUN_TEST(test_nf5_masks);
	return KTAP_EXIT();
}
