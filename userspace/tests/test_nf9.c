// SPDX-License-Identifier: GPL-2.0
/*
 * NetFlow v9 encoder tests: every message is decoded by the independent
 * collector in enc_decode.h and compared with the encoder's input.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"

#define MTU		1472
#define BOOT_MS		1700000000000ULL
#define DOMAIN		0x01020304

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.unix_nsec = 123000000,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[2][MTU];
static struct dec_state ds;
static struct dec_msg dm;

static void new_session(struct fm_enc_session *s)
{
	fm_enc_session_init(s, FM_ENC_NF9, DOMAIN);
	memset(&ds, 0, sizeof(ds));
}

/* A flow record's template and its length on the wire. */
static u16 tmpl_of_rec(const struct fm_record *r)
{
	bool v6 = r->key.kflags & FM_KF_IPV6;

	if (r->key.proto == (v6 ? 58 : 1))
		return v6 ? FM_TMPL_ICMP6 : FM_TMPL_ICMP4;
	return v6 ? FM_TMPL_V6 : FM_TMPL_V4;
}

static unsigned int rec_len_of(const struct fm_record *r)
{
	static const unsigned int len[] = { 54, 82, 0, 0, 0, 54, 82 };

	return len[tmpl_of_rec(r) - FM_TMPL_V4];
}

static void test_first_message(void)
{
	static const u8 protos[] = { 6, 17, 1, 58, 6, 47 };
	struct fm_record r[ARRAY_SIZE(protos)];
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int i;

	new_session(&s);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		enc_test_flow(&r[i], i, protos[i] == 58 || i == 4, protos[i],
			      BOOT_MS);
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	}
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.version, 9);
	/* count: 4 templates + 3 options templates + 6 data records */
	CHECK_EQ(dm.count, 13);
	CHECK_EQ(dm.uptime, clk0.uptime_ms);
	CHECK_EQ(dm.sec, clk0.unix_sec);
	CHECK_EQ(dm.seq, 0);
	CHECK_EQ(dm.domain, DOMAIN);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nopt_tmpl, 3);
	CHECK_EQ(dm.nrec, ARRAY_SIZE(protos));
	for (i = 0; i < dm.nrec; i++)
		enc_check_flow(&dm.rec[i], &r[i], 9, BOOT_MS);
	/* FIRST/LAST_SWITCHED are ms since boot */
	CHECK_EQ(dec_u(&dm.rec[0], 22, 0), 5000);
	CHECK_EQ(dec_u(&dm.rec[0], 21, 0), 65000);
	/* ICMP and ICMPv6: ICMP_TYPE and L4_DST_PORT; others no ICMP_TYPE */
	CHECK_EQ(dm.rec[2].tid, FM_TMPL_ICMP4);
	CHECK_EQ(dm.rec[3].tid, FM_TMPL_ICMP6);
	CHECK_EQ(dec_u(&dm.rec[2], 32, 0), 0x0802);
	CHECK_EQ(dec_u(&dm.rec[2], 11, 0), 0x0802);
	CHECK_EQ(dec_u(&dm.rec[2], 7, 0), ~0ULL);
	CHECK_EQ(dec_u(&dm.rec[3], 32, 0), 0x8003);
	CHECK_EQ(dec_u(&dm.rec[3], 11, 0), 0x8003);
	CHECK_EQ(dec_u(&dm.rec[0], 32, 0), ~0ULL);
	CHECK_EQ(dec_u(&dm.rec[5], 1, 0), r[5].bytes);
	CHECK(dec_u(&dm.rec[5], 1, 0) > 0xffffffffULL);
}

/* Times are sent as ms since boot; past 2^32 ms they wrap. */
static void test_uptime(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;

	new_session(&s);
	enc_test_flow(&r, 0, 0, 6, BOOT_MS);
	r.start_ms = 10;
	r.end_ms = 0x100000005ULL;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_flow(&m, &r);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 22, 0), 10);
	CHECK_EQ(dec_u(&dm.rec[0], 21, 0), 5);
	enc_check_flow(&dm.rec[0], &r, 9, BOOT_MS);
}

/* The sequence number counts export packets, whatever they carry. */
static void test_sequence(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i, n;

	new_session(&s);
	enc_test_flow(&r, 1, 1, 17, BOOT_MS);
	for (n = 0; n < 5; n++) {
		fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
		for (i = 0; i < n; i++)
			fm_enc_add_flow(&m, &r);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.seq, n);
		CHECK_EQ(dm.count, n + (n ? 0 : 7));
	}
	s.seq = 0xffffffff;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 0xffffffff);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 0);
}

static void test_mtu_split(void)
{
	static const unsigned int mtus[] = { 1472, 1452, 576, 528 };	/* module: >= 528 */
	static struct fm_record r[300];
	unsigned int i, j, next, got, nmsg, rl;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	int ret;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		enc_test_flow(&r[i], i, i % 3 == 0, i % 7 ? 17 : 1, BOOT_MS);
	for (j = 0; j < ARRAY_SIZE(mtus); j++) {
		new_session(&s);
		next = got = nmsg = 0;
		while (next < ARRAY_SIZE(r)) {
			CHECK_EQ(fm_enc_begin(&m, &s, buf[0], mtus[j], &clk0),
				 FM_ENC_OK);
			while (next < ARRAY_SIZE(r)) {
				ret = fm_enc_add_flow(&m, &r[next]);
				if (ret != FM_ENC_OK)
					break;
				next++;
			}
			if (next < ARRAY_SIZE(r)) {
				CHECK_EQ(ret, FM_ENC_FULL);
				rl = rec_len_of(&r[next]);
				if (m.set_id != tmpl_of_rec(&r[next]))
					rl += 4 + (4 - m.len % 4) % 4;
				CHECK(m.len + rl > mtus[j]);
			}
			dec_finish(&ds, &dm, &m);
			CHECK_EQ(dm.seq, nmsg);
			for (i = 0; i < dm.nrec && got < ARRAY_SIZE(r); i++)
				enc_check_flow(&dm.rec[i], &r[got++], 9, BOOT_MS);
			nmsg++;
		}
		CHECK_EQ(got, ARRAY_SIZE(r));
		CHECK(nmsg > 1);
	}
}

static void test_template_refresh(void)
{
	struct fm_enc_clock clk = clk0;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;

	enc_test_flow(&r, 0, 0, 6, BOOT_MS);
	new_session(&s);
	/* default: every 20 messages */
	for (i = 0; i < 45; i++) {
		fm_enc_begin(&m, &s, buf[0], MTU, &clk);
		fm_enc_add_flow(&m, &r);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, i % 20 == 0 ? 4 : 0);
		CHECK_EQ(dm.count, i % 20 == 0 ? 8 : 1);
	}
	/* default: every 60 s */
	clk.unix_sec += 60;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(m.tmpl);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nopt_tmpl, 3);
	fm_enc_resend_templates(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(m.tmpl);
	dec_finish(&ds, &dm, &m);
}

static void test_options(void)
{
	static const struct fm_enc_stats st = {
		.messages = 1ULL << 40, .flows = 77,
		.ignored_packets = 5, .not_sent_flows = 6,
	};
	struct fm_enc_session s;
	struct fm_enc_msg m;
	const u8 *p;
	unsigned int len;

	new_session(&s);
	s.sampling_interval = 512;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_stats(&m, &st), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 12, "enp0s31f6"), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 4);
	CHECK_EQ(dm.count, 11);

	/* scope System (1) = source id: not IN_BYTES */
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
	CHECK_EQ(dec_u(&dm.rec[0], 1, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[0], 34, 0), 512);
	CHECK_EQ(dec_u(&dm.rec[0], 35, 0), FM_SAMPLING_DETERMINISTIC);
	CHECK_EQ(dm.rec[0].t->rec_len, 9);

	CHECK_EQ(dm.rec[1].tid, FM_TMPL_STATS);
	CHECK_EQ(dec_u(&dm.rec[1], 1, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[1], 41, 0), st.messages);
	CHECK_EQ(dec_u(&dm.rec[1], 42, 0), st.flows);
	CHECK_EQ(dec_u(&dm.rec[1], 164, 0), st.ignored_packets);
	CHECK_EQ(dec_u(&dm.rec[1], 166, 0), st.not_sent_flows);

	/* scope Interface (2) = ifindex */
	CHECK_EQ(dm.rec[2].tid, FM_TMPL_IFNAME);
	CHECK_EQ(dec_u(&dm.rec[2], 2, 1), 12);
	p = dec_field(&dm.rec[2], 82, 0, &len);
	CHECK(p && len == 16 && !memcmp(p, "enp0s31f6\0\0\0\0\0\0\0", 16));
	CHECK_EQ(dm.rec[3].tid, FM_TMPL_SAMPLING);

	/* 1:1 is still announced */
	new_session(&s);
	s.sampling_algo = FM_SAMPLING_RANDOM;
	s.sampling_interval = 0;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 34, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 35, 0), FM_SAMPLING_RANDOM);

	/* hash selection: v9 has no word for it, random is what it is like */
	new_session(&s);
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 64);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
	CHECK_EQ(dec_u(&dm.rec[0], 34, 0), 64);
	CHECK_EQ(dec_u(&dm.rec[0], 35, 0), FM_SAMPLING_RANDOM);

	/*
	 * flow sampling: no template of its own, folded into the rate (packet
	 * N times flow N), random if either is; the templates are v9's seven
	 */
	new_session(&s);
	fm_enc_set_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_DETERMINISTIC, 20);
	CHECK_EQ(s.tmpl_count, 7);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	CHECK_EQ(fm_enc_add_flowsamp(&m), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);
	CHECK_EQ(dec_u(&dm.rec[0], 34, 0), 200);
	CHECK_EQ(dec_u(&dm.rec[0], 35, 0), FM_SAMPLING_DETERMINISTIC);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_RANDOM, 20);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 34, 0), 200);
	CHECK_EQ(dec_u(&dm.rec[0], 35, 0), FM_SAMPLING_RANDOM);
}

/* 9-byte sampling records: padded to 4 with zeros, padding < record. */
static void test_padding(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int len, i;

	new_session(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	for (i = 1; i <= 4; i++) {
		memset(buf[0], 0xee, sizeof(buf[0]));
		fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
		while (m.ndata < i)
			fm_enc_add_sampling(&m);
		len = dec_finish(&ds, &dm, &m);
		CHECK_EQ(len, 20 + 4 + (9 * i + 3) / 4 * 4);
		CHECK_EQ(dec_be16(buf[0] + 22), len - 20);
		CHECK_EQ(dm.nrec, i);
	}
}

static void test_determinism(void)
{
	struct fm_enc_stats st = { 9, 8, 7, 6 };
	struct fm_enc_session s[2];
	unsigned int len[2], k, i, msg;
	struct fm_enc_msg m;
	struct fm_record r;

	for (k = 0; k < 2; k++)
		fm_enc_session_init(&s[k], FM_ENC_NF9, DOMAIN);
	for (msg = 0; msg < 3; msg++) {
		for (k = 0; k < 2; k++) {
			memset(buf[k], k ? 0x55 : 0xaa, sizeof(buf[k]));
			fm_enc_begin(&m, &s[k], buf[k], MTU, &clk0);
			fm_enc_add_sampling(&m);
			fm_enc_add_ifname(&m, 3, "br0");
			fm_enc_add_stats(&m, &st);
			for (i = 0; i < 25; i++) {
				enc_test_flow(&r, i + msg, i & 1, 6, BOOT_MS);
				if (fm_enc_add_flow(&m, &r) != FM_ENC_OK)
					break;
			}
			fm_enc_add_sampling(&m);
			len[k] = fm_enc_finish(&m);
		}
		CHECK_EQ(len[0], len[1]);
		CHECK(!memcmp(buf[0], buf[1], len[0]));
	}
}

int main(void)
{
	RUN_TEST(test_first_message);
	RUN_TEST(test_uptime);
	RUN_TEST(test_sequence);
	RUN_TEST(test_mtu_split);
	RUN_TEST(test_template_refresh);
	RUN_TEST(test_options);
	RUN_TEST(test_padding);
	RUN_TEST(test_determinism);
	return KTAP_EXIT();
}
