// SPDX-License-Identifier: GPL-2.0
/*
 * IPFIX encoder tests: every message is decoded by the independent
 * collector in enc_decode.h and compared with the encoder's input.
 */
#include <arpa/inet.h>
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"

#define MTU		1472
#define BOOT_MS		1700000000000ULL
#define DOMAIN		42

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
	fm_enc_session_init(s, FM_ENC_IPFIX, DOMAIN);
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
	static const unsigned int len[] = { 62, 90, 0, 0, 0, 62, 90 };

	return len[tmpl_of_rec(r) - FM_TMPL_V4];
}

static void test_first_message(void)
{
	static const u8 protos[] = { 6, 17, 1, 58, 6, 47 };
	struct fm_record r[ARRAY_SIZE(protos)];
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int i, len;

	new_session(&s);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		enc_test_flow(&r[i], i, protos[i] == 58 || i == 4, protos[i],
			      BOOT_MS);
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	}
	len = dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.version, 10);
	CHECK_EQ(dm.length, len);
	CHECK_EQ(dm.sec, clk0.unix_sec);
	CHECK_EQ(dm.seq, 0);
	CHECK_EQ(dm.domain, DOMAIN);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nopt_tmpl, 3);
	CHECK_EQ(dm.nrec, ARRAY_SIZE(protos));
	for (i = 0; i < dm.nrec; i++)
		enc_check_flow(&dm.rec[i], &r[i], 10, BOOT_MS);
	/* ports, or ICMP type/code in IE 32/139 and dport (~0: absent) */
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_V4);
	CHECK_EQ(dm.rec[2].tid, FM_TMPL_ICMP4);
	CHECK_EQ(dm.rec[3].tid, FM_TMPL_ICMP6);
	CHECK_EQ(dm.rec[4].tid, FM_TMPL_V6);
	CHECK_EQ(dec_u(&dm.rec[2], 32, 0), 0x0802);
	CHECK_EQ(dec_u(&dm.rec[2], 7, 0), ~0ULL);
	CHECK_EQ(dec_u(&dm.rec[2], 11, 0), 0x0802);
	CHECK_EQ(dec_u(&dm.rec[3], 139, 0), 0x8003);
	CHECK_EQ(dec_u(&dm.rec[3], 11, 0), 0x8003);
	CHECK_EQ(dec_u(&dm.rec[3], 7, 0), ~0ULL);
	CHECK_EQ(dec_u(&dm.rec[0], 32, 0), ~0ULL);
	CHECK_EQ(dec_u(&dm.rec[0], 11, 0), ntohs(r[0].key.dport));
	/* GRE: the ports template (the parser leaves them zero) */
	CHECK_EQ(dm.rec[5].tid, FM_TMPL_V4);
	/* 64-bit counters */
	CHECK(dec_u(&dm.rec[5], 1, 0) > 0xffffffffULL);
	CHECK_EQ(dec_u(&dm.rec[5], 1, 0), r[5].bytes);
}

static void test_sequence(void)
{
	struct fm_enc_session s;
	struct fm_enc_stats st = { 1, 2, 3, 4 };
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;

	new_session(&s);
	enc_test_flow(&r, 1, 0, 17, BOOT_MS);

	/* 3 flows + 4 options data records; templates do not count */
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_stats(&m, &st), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 1, "lo"), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 2, "eth0"), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 0);
	CHECK_EQ(dm.nrec, 7);

	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK(!m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 7);
	CHECK_EQ(dm.ntmpl + dm.nopt_tmpl, 0);

	/* a template-only message carries the next number, then keeps it */
	fm_enc_resend_templates(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 8);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nrec, 0);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 8);

	/* mod 2^32 */
	s.seq = 0xfffffffe;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	for (i = 0; i < 3; i++)
		fm_enc_add_flow(&m, &r);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 0xfffffffe);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.seq, 1);
}

/* Many flows at several MTUs: dense messages, all flows back in order. */
static void test_mtu_split(void)
{
	static const unsigned int mtus[] = { 1472, 1452, 576, 528 };	/* module: >= 528 */
	static struct fm_record r[300];
	unsigned int i, j, next, got, nmsg, len, expect_seq, rl;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	int ret;

	for (i = 0; i < ARRAY_SIZE(r); i++)
		enc_test_flow(&r[i], i, i % 3 == 0, i % 7 ? 6 : 58, BOOT_MS);
	for (j = 0; j < ARRAY_SIZE(mtus); j++) {
		new_session(&s);
		next = got = nmsg = expect_seq = 0;
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
				/* full means no room for this record */
				rl = rec_len_of(&r[next]);
				if (m.set_id != tmpl_of_rec(&r[next]))
					rl += 4 + (4 - m.len % 4) % 4;
				CHECK(m.len + rl > mtus[j]);
			}
			CHECK(m.ndata > 0);
			len = dec_finish(&ds, &dm, &m);
			CHECK(len <= mtus[j]);
			CHECK_EQ(dm.seq, expect_seq);
			expect_seq += dm.nrec;
			for (i = 0; i < dm.nrec && got < ARRAY_SIZE(r); i++)
				enc_check_flow(&dm.rec[i], &r[got++], 10, BOOT_MS);
			nmsg++;
		}
		CHECK_EQ(got, ARRAY_SIZE(r));
		CHECK(nmsg > 1);
	}
}

/* Templates: first message, every N messages, every T seconds, on demand. */
static void test_template_refresh(void)
{
	struct fm_enc_clock clk = clk0;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int i;

	enc_test_flow(&r, 0, 0, 6, BOOT_MS);
	new_session(&s);
	s.tmpl_refresh_msgs = 3;
	for (i = 0; i < 8; i++) {
		fm_enc_begin(&m, &s, buf[0], MTU, &clk);
		CHECK_EQ(m.tmpl, i % 3 == 0);
		fm_enc_add_flow(&m, &r);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, i % 3 == 0 ? 4 : 0);
		CHECK_EQ(dm.nopt_tmpl, i % 3 == 0 ? 3 : 0);
		CHECK_EQ(dm.nrec, 1);
	}

	s.tmpl_refresh_msgs = 0;
	clk.unix_sec += 59;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(!m.tmpl);
	dec_finish(&ds, &dm, &m);
	clk.unix_sec += 1;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(m.tmpl);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);

	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(!m.tmpl);
	dec_finish(&ds, &dm, &m);
	fm_enc_resend_templates(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(m.tmpl);
	dec_finish(&ds, &dm, &m);

	/* refresh off: never again */
	s.tmpl_refresh_sec = 0;
	clk.unix_sec += 100000;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	CHECK(!m.tmpl);
	dec_finish(&ds, &dm, &m);

	/* a collector that never saw the templates cannot decode data */
	memset(&ds, 0, sizeof(ds));
	fm_enc_begin(&m, &s, buf[0], MTU, &clk);
	fm_enc_add_flow(&m, &r);
	CHECK(dec_msg(&ds, buf[0], fm_enc_finish(&m), &dm) != NULL);
}

static void test_options(void)
{
	static const struct fm_enc_stats st = {
		.messages = 1ULL << 40, .flows = 77,
		.ignored_packets = 5, .not_sent_flows = 0xffffffffffULL,
	};
	const char longname[] = "abcdefghijklmnopqrstu";
	struct fm_enc_session s;
	struct fm_enc_msg m;
	const u8 *p;
	unsigned int len;

	new_session(&s);
	s.sampling_interval = 100;
	s.sampling_algo = FM_SAMPLING_RANDOM;
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_stats(&m, &st), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 7, "eth0"), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 70000, longname), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_ifname(&m, 9, "0123456789abcdef"), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 5);

	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
	CHECK(dm.rec[0].t->opt);
	CHECK_EQ(dec_u(&dm.rec[0], 149, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[0], 304, 0), 3);
	CHECK_EQ(dec_u(&dm.rec[0], 305, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 99);

	CHECK_EQ(dm.rec[1].tid, FM_TMPL_STATS);
	CHECK_EQ(dec_u(&dm.rec[1], 149, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[1], 41, 0), st.messages);
	CHECK_EQ(dec_u(&dm.rec[1], 42, 0), st.flows);
	CHECK_EQ(dec_u(&dm.rec[1], 164, 0), st.ignored_packets);
	CHECK_EQ(dec_u(&dm.rec[1], 166, 0), st.not_sent_flows);

	CHECK_EQ(dm.rec[2].tid, FM_TMPL_IFNAME);
	CHECK_EQ(dec_u(&dm.rec[2], 10, 1), 7);
	p = dec_field(&dm.rec[2], 82, 0, &len);
	CHECK(p && len == 16 && !memcmp(p, "eth0\0\0\0\0\0\0\0\0\0\0\0\0", 16));
	CHECK_EQ(dec_u(&dm.rec[3], 10, 1), 70000);
	p = dec_field(&dm.rec[3], 82, 0, &len);
	CHECK(p && len == 16 && !memcmp(p, longname, 16));
	p = dec_field(&dm.rec[4], 82, 0, &len);
	CHECK(p && !memcmp(p, "0123456789abcdef", 16));

	/* 1:1 is still sent, as interval 1 space 0, systematic */
	new_session(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 304, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 305, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 0);
}

/*
 * Sampling mode hash: template 263 in place of 259 (which is no longer
 * announced), selectorAlgorithm 6, interval 1, space N - 1 and the
 * selected range's top; still within the smallest message; and back.
 */
static void test_hash_options(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;

	new_session(&s);
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 100);
	CHECK_EQ(s.tmpl_len, 416);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 528, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nopt_tmpl, 3);
	CHECK(ds.t[FM_TMPL_HASHSEL - 256].valid);
	CHECK(!ds.t[FM_TMPL_SAMPLING - 256].valid);
	CHECK_EQ(dm.nrec, 1);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_HASHSEL);
	CHECK_EQ(dec_u(&dm.rec[0], 149, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[0], 304, 0), 6);
	CHECK_EQ(dec_u(&dm.rec[0], 305, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 99);
	CHECK_EQ(dec_u(&dm.rec[0], 332, 0), 0xffffffffffffffffULL / 100);

	/* a new rate: the templates are due again, the same ones */
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 1);
	CHECK(!s.tmpl_valid);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 0);
	CHECK_EQ(dec_u(&dm.rec[0], 332, 0), 0xffffffffffffffffULL);

	/* back to packet sampling: template 259 as before */
	memset(&ds, 0, sizeof(ds));
	fm_enc_set_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	CHECK_EQ(s.tmpl_len, 412);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK(!ds.t[FM_TMPL_HASHSEL - 256].valid);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
	CHECK_EQ(dec_u(&dm.rec[0], 304, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 9);
}

/*
 * Flow sampling: template 272 after the others (259 unchanged), its
 * options record flowSelectorAlgorithm 1 or 4, interval 1, spacing N - 1;
 * 28 bytes more of templates, so a message with them needs 552 bytes (an
 * MTU of 580 to an IPv4 collector); off again, the templates as before.
 */
static void test_flowsamp_options(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;

	new_session(&s);
	fm_enc_set_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_DETERMINISTIC, 100);
	CHECK_EQ(s.tmpl_len, 440);
	CHECK_EQ(s.tmpl_count, 8);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 548, &clk0), FM_ENC_TOOSMALL);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 552, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_sampling(&m), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flowsamp(&m), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nopt_tmpl, 4);
	CHECK(ds.t[FM_TMPL_FLOWSAMP - 256].valid);
	CHECK_EQ(dm.nrec, 2);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
	CHECK_EQ(dec_u(&dm.rec[0], 306, 0), 9);
	CHECK_EQ(dm.rec[1].tid, FM_TMPL_FLOWSAMP);
	CHECK_EQ(dec_u(&dm.rec[1], 149, 1), DOMAIN);
	CHECK_EQ(dec_u(&dm.rec[1], 390, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[1], 396, 0), 1);
	CHECK_EQ(dec_u(&dm.rec[1], 397, 0), 99);

	/* random: uniform probabilistic (4); the templates are due again */
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_RANDOM, 100);
	CHECK(!s.tmpl_valid);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_flowsamp(&m);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dec_u(&dm.rec[0], 390, 0), 4);

	/* with hash selection: 263 and 272 */
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 10);
	CHECK_EQ(s.tmpl_len, 444);

	/* off: template 272 and its record are gone */
	memset(&ds, 0, sizeof(ds));
	fm_enc_set_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_RANDOM, 1);
	CHECK_EQ(s.tmpl_len, 412);
	CHECK_EQ(s.tmpl_count, 7);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	CHECK_EQ(fm_enc_add_flowsamp(&m), FM_ENC_OK);
	fm_enc_add_sampling(&m);
	dec_finish(&ds, &dm, &m);
	CHECK(!ds.t[FM_TMPL_FLOWSAMP - 256].valid);
	CHECK_EQ(dm.nrec, 1);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_SAMPLING);
}

/* A 14-byte sampling record: its set is padded with 2 zero bytes. */
static void test_padding(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int len, off;

	new_session(&s);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	dec_finish(&ds, &dm, &m);
	memset(buf[0], 0xff, sizeof(buf[0]));
	enc_test_flow(&r, 3, 0, 17, BOOT_MS);
	fm_enc_begin(&m, &s, buf[0], MTU, &clk0);
	fm_enc_add_sampling(&m);
	fm_enc_add_flow(&m, &r);
	fm_enc_add_sampling(&m);
	len = dec_finish(&ds, &dm, &m);
	CHECK_EQ(len, 16 + 20 + (4 + 64) + 20);
	for (off = 16; off < len; off += dec_be16(buf[0] + off + 2))
		CHECK_EQ(dec_be16(buf[0] + off + 2) % 4, 0);
	CHECK_EQ(dec_be16(buf[0] + 16), FM_TMPL_SAMPLING);
	CHECK_EQ(dec_be16(buf[0] + 18), 20);
	CHECK_EQ(buf[0][34], 0);
	CHECK_EQ(buf[0][35], 0);
	CHECK_EQ(dec_be16(buf[0] + 36), FM_TMPL_V4);
	CHECK_EQ(dm.nrec, 3);
	enc_check_flow(&dm.rec[1], &r, 10, BOOT_MS);
}

/* Same session history into buffers of different garbage: same bytes. */
static void test_determinism(void)
{
	struct fm_enc_stats st = { 9, 8, 7, 6 };
	struct fm_enc_session s[2];
	unsigned int len[2], k, i, msg;
	struct fm_enc_msg m;
	struct fm_record r;

	for (k = 0; k < 2; k++) {
		fm_enc_session_init(&s[k], FM_ENC_IPFIX, DOMAIN);
		s[k].sampling_interval = 1000;
	}
	for (msg = 0; msg < 3; msg++) {
		for (k = 0; k < 2; k++) {
			memset(buf[k], k ? 0x55 : 0xaa, sizeof(buf[k]));
			fm_enc_begin(&m, &s[k], buf[k], MTU, &clk0);
			fm_enc_add_sampling(&m);
			fm_enc_add_ifname(&m, 3, "br0");
			fm_enc_add_stats(&m, &st);
			for (i = 0; i < 25; i++) {
				enc_test_flow(&r, i + msg, i & 1, 17, BOOT_MS);
				if (fm_enc_add_flow(&m, &r) != FM_ENC_OK)
					break;
			}
			len[k] = fm_enc_finish(&m);
		}
		CHECK_EQ(len[0], len[1]);
		CHECK(!memcmp(buf[0], buf[1], len[0]));
	}
}

/*
 * fm_enc_add_flows(), the exporter's batch call, against one
 * fm_enc_add_flow() per record: the same messages byte for byte, for runs
 * of IPv4 and IPv6 records of every length and several MTUs, and every
 * record decodes.
 */
static void test_batch(void)
{
	static const unsigned int mtus[] = { 1472, 576, 528 };
	static struct fm_record r[400];
	static u8 out[2][MTU * 64];
	unsigned int lens[256];
	unsigned int i, j, j2, k, n, at[2], nmsg[2], got, run = 0, v6 = 0;
	struct fm_enc_session s[2];
	struct fm_enc_msg m;
	u32 rnd = 12345;
	int ret;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		if (!run) {
			rnd = rnd * 1103515245 + 12345;
			run = 1 + (rnd >> 16) % 40;
			v6 = !v6;
		}
		run--;
		enc_test_flow(&r[i], i, v6, i % 11 ? 17 : 1, BOOT_MS);
	}
	for (j = 0; j < ARRAY_SIZE(mtus); j++) {
		for (k = 0; k < 2; k++) {
			fm_enc_session_init(&s[k], FM_ENC_IPFIX, DOMAIN);
			memset(buf[k], 0, sizeof(buf[k]));
			at[k] = nmsg[k] = 0;
			CHECK_EQ(fm_enc_begin(&m, &s[k], buf[k], mtus[j], &clk0),
				 FM_ENC_OK);
			for (i = 0; i < ARRAY_SIZE(r); i++) {
				if (k) {
					n = fm_enc_add_flows(&m, &r[i],
							     ARRAY_SIZE(r) - i);
					i += n;
					if (i == ARRAY_SIZE(r))
						break;
					/* stopped for room: the next is FULL */
					CHECK(m.full);
				}
				ret = fm_enc_add_flow(&m, &r[i]);
				if (ret == FM_ENC_FULL) {
					n = fm_enc_finish(&m);
					memcpy(out[k] + at[k], buf[k], n);
					at[k] += n;
					lens[nmsg[k]++ % 256] = n;
					fm_enc_begin(&m, &s[k], buf[k], mtus[j],
						     &clk0);
					ret = fm_enc_add_flow(&m, &r[i]);
				}
				CHECK_EQ(ret, FM_ENC_OK);
			}
			n = fm_enc_finish(&m);
			memcpy(out[k] + at[k], buf[k], n);
			at[k] += n;
			lens[nmsg[k]++ % 256] = n;
		}
		CHECK_EQ(at[0], at[1]);
		CHECK_EQ(nmsg[0], nmsg[1]);
		CHECK(nmsg[1] > 2 && nmsg[1] <= 256);
		CHECK(!memcmp(out[0], out[1], at[0]));
		/* and the batch's messages decode to the records */
		memset(&ds, 0, sizeof(ds));
		for (i = got = j2 = 0; j2 < nmsg[1] && j2 < 256; i += lens[j2++]) {
			const char *err = dec_msg(&ds, out[1] + i, lens[j2], &dm);

			CHECK(err == NULL);
			if (err)
				break;
			for (k = 0; k < dm.nrec && got < ARRAY_SIZE(r); k++)
				enc_check_flow(&dm.rec[k], &r[got++], 10, BOOT_MS);
		}
		CHECK_EQ(got, ARRAY_SIZE(r));
	}
}

static void test_too_small(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;

	new_session(&s);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 8, &clk0), FM_ENC_TOOSMALL);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 200, &clk0), FM_ENC_TOOSMALL);
	/*
	 * header, 412 bytes of templates, set header, the 90-byte v6 record
	 * and its set's padding
	 */
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 523, &clk0), FM_ENC_TOOSMALL);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 524, &clk0), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	/* without templates: header + set header + v6 record + padding */
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 111, &clk0), FM_ENC_TOOSMALL);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 112, &clk0), FM_ENC_OK);
}

static void nat_event(struct fm_nat_event *e, unsigned int i, u8 event)
{
	memset(e, 0, sizeof(*e));
	e->time_ms = BOOT_MS + 5000 + i;
	e->saddr.v4 = htonl(0x0a000001 + i);
	e->daddr.v4 = htonl(0xc6336401);
	e->xsaddr.v4 = htonl(0xcb007107);
	e->xdaddr = e->daddr;
	e->sport = htons(40000 + i);
	e->dport = htons(443);
	e->xsport = htons(20000 + i);
	e->xdport = e->dport;
	e->event = event;
	e->proto = 6;
}

static void check_nat(const struct dec_rec *d, const struct fm_nat_event *e)
{
	CHECK_EQ(d->tid, FM_TMPL_NAT4);
	CHECK_EQ(d->t->rec_len, 38);
	CHECK_EQ(dec_u(d, 323, 0), e->time_ms);
	CHECK_EQ(dec_u(d, 230, 0), e->event);
	CHECK_EQ(dec_u(d, 4, 0), e->proto);
	CHECK_EQ(dec_u(d, 8, 0), ntohl(e->saddr.v4));
	CHECK_EQ(dec_u(d, 225, 0), ntohl(e->xsaddr.v4));
	CHECK_EQ(dec_u(d, 12, 0), ntohl(e->daddr.v4));
	CHECK_EQ(dec_u(d, 226, 0), ntohl(e->xdaddr.v4));
	CHECK_EQ(dec_u(d, 7, 0), ntohs(e->sport));
	CHECK_EQ(dec_u(d, 227, 0), ntohs(e->xsport));
	CHECK_EQ(dec_u(d, 11, 0), ntohs(e->dport));
	CHECK_EQ(dec_u(d, 228, 0), ntohs(e->xdport));
	CHECK_EQ(dec_u(d, 234, 0), 0);
}

/*
 * NAT events, IPFIX and v9: template 277 goes with the first event after
 * each template message, never in the template block; event records
 * count as data records; v5 refuses them.
 */
static void test_nat_events(void)
{
	static const u8 versions[] = { FM_ENC_IPFIX, FM_ENC_NF9 };
	struct fm_nat_event e[3];
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;
	unsigned int v, i;

	for (i = 0; i < 3; i++)
		nat_event(&e[i], i, i == 2 ? FM_NAT_DELETE : FM_NAT_CREATE);
	enc_test_flow(&r, 1, 0, 17, BOOT_MS);
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		fm_enc_session_init(&s, versions[v], DOMAIN);
		memset(&ds, 0, sizeof(ds));
		/* templates, a flow, two events: 277 once, before them */
		CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
		CHECK(m.tmpl);
		CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e[0]), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e[1]), FM_ENC_OK);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, 5);
		CHECK_EQ(dm.nrec, 3);
		check_nat(&dm.rec[1], &e[0]);
		check_nat(&dm.rec[2], &e[1]);
		/* no templates due: the collector's 277 serves */
		CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
		CHECK(!m.tmpl);
		CHECK_EQ(fm_enc_add_nat(&m, &e[2]), FM_ENC_OK);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, 0);
		CHECK_EQ(dm.nrec, 1);
		check_nat(&dm.rec[0], &e[2]);
		if (versions[v] == FM_ENC_IPFIX)
			CHECK_EQ(dm.seq, 3);
		/* a template message owes 277 again */
		fm_enc_resend_templates(&s);
		CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e[0]), FM_ENC_OK);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, 5);
		check_nat(&dm.rec[dm.nrec - 1], &e[0]);
	}

	/*
	 * IPFIX, the block (16 + 412 bytes), 277 in its own set (56) and the
	 * record in its set (42, padded to 44): 528 bytes. Below that, an
	 * empty message cannot take one (TOOSMALL, not FULL: no retry
	 * would help), and the template is taken back.
	 */
	fm_enc_session_init(&s, FM_ENC_IPFIX, DOMAIN);
	memset(&ds, 0, sizeof(ds));
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 527, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_nat(&m, &e[0]), FM_ENC_TOOSMALL);
	CHECK_EQ(s.nat_tmpl, 0);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], 528, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_nat(&m, &e[0]), FM_ENC_OK);
	CHECK_EQ(m.len, 526);	/* the padding comes at finish */
	dec_finish(&ds, &dm, &m);
	check_nat(&dm.rec[0], &e[0]);

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_nat(&m, &e[0]), FM_ENC_UNSUPPORTED);
}

/* One IPv6 address of a record: ie's 16 bytes equal a. */
static int addr6_is(const struct dec_rec *d, uint16_t ie,
		    const struct in6_addr *a)
{
	unsigned int len;
	const uint8_t *p = dec_field(d, ie, 0, &len);

	return p && len == 16 && !memcmp(p, a, 16);
}

/*
 * NAT66 events go in their own template (IPv6 addresses, natEvent 1/2),
 * beside NAT44's: each template once after a template message, with the
 * first record of its kind; the lost-events options record likewise.
 */
static void test_nat6_and_lost(void)
{
	static const u8 versions[] = { FM_ENC_IPFIX, FM_ENC_NF9 };
	struct fm_nat_event e4, e6;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int v;

	nat_event(&e4, 0, FM_NAT_CREATE);
	memset(&e6, 0, sizeof(e6));
	e6.v6 = true;
	e6.time_ms = BOOT_MS + 7000;
	inet_pton(AF_INET6, "fd00:1::1", &e6.saddr.v6);
	inet_pton(AF_INET6, "fd00:2::1", &e6.daddr.v6);
	inet_pton(AF_INET6, "fd00:2::fe", &e6.xsaddr.v6);
	e6.xdaddr = e6.daddr;
	e6.sport = htons(40001);
	e6.dport = htons(8000);
	e6.xsport = htons(20001);
	e6.xdport = e6.dport;
	e6.event = FM_NAT6_DELETE;
	e6.proto = 17;
	for (v = 0; v < ARRAY_SIZE(versions); v++) {
		fm_enc_session_init(&s, versions[v], DOMAIN);
		memset(&ds, 0, sizeof(ds));
		CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e6), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e4), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e6), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat_lost(&m, 12345, BOOT_MS + 8000), FM_ENC_OK);
		dec_finish(&ds, &dm, &m);
		/* the block's 4 data templates, NAT66's, NAT44's */
		CHECK_EQ(dm.ntmpl, 6);
		CHECK_EQ(dm.nrec, 4);
		CHECK_EQ(dm.rec[0].tid, FM_TMPL_NAT6);
		CHECK_EQ(dm.rec[0].t->rec_len, 86);
		CHECK_EQ(dec_u(&dm.rec[0], 230, 0), FM_NAT6_DELETE);
		CHECK_EQ(dec_u(&dm.rec[0], 323, 0), e6.time_ms);
		CHECK_EQ(dec_u(&dm.rec[0], 4, 0), 17);
		CHECK(addr6_is(&dm.rec[0], 27, &e6.saddr.v6));
		CHECK(addr6_is(&dm.rec[0], 281, &e6.xsaddr.v6));
		CHECK(addr6_is(&dm.rec[0], 28, &e6.daddr.v6));
		CHECK(addr6_is(&dm.rec[0], 282, &e6.xdaddr.v6));
		CHECK_EQ(dec_u(&dm.rec[0], 7, 0), 40001);
		CHECK_EQ(dec_u(&dm.rec[0], 227, 0), 20001);
		CHECK_EQ(dec_u(&dm.rec[0], 11, 0), 8000);
		CHECK_EQ(dec_u(&dm.rec[0], 228, 0), 8000);
		CHECK_EQ(dec_u(&dm.rec[0], 234, 0), 0);
		check_nat(&dm.rec[1], &e4);
		CHECK_EQ(dm.rec[2].tid, FM_TMPL_NAT6);
		CHECK_EQ(dm.rec[3].tid, FM_TMPL_NAT_LOST);
		CHECK_EQ(dec_u(&dm.rec[3], 166, 0), 12345);
		CHECK_EQ(dec_u(&dm.rec[3], 323, 0), BOOT_MS + 8000);
		if (versions[v] == FM_ENC_IPFIX)
			CHECK_EQ(dec_u(&dm.rec[3], 149, 1), DOMAIN);
		/* no templates due: the collector's serve */
		CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat(&m, &e6), FM_ENC_OK);
		CHECK_EQ(fm_enc_add_nat_lost(&m, 12346, BOOT_MS + 9000), FM_ENC_OK);
		dec_finish(&ds, &dm, &m);
		CHECK_EQ(dm.ntmpl, 0);
		CHECK_EQ(dm.nopt_tmpl, 0);
		CHECK_EQ(dm.nrec, 2);
		CHECK(addr6_is(&dm.rec[0], 27, &e6.saddr.v6));
		CHECK_EQ(dec_u(&dm.rec[1], 166, 0), 12346);
	}
	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	CHECK_EQ(fm_enc_begin(&m, &s, buf[0], MTU, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_nat(&m, &e6), FM_ENC_UNSUPPORTED);
	CHECK_EQ(fm_enc_add_nat_lost(&m, 1, BOOT_MS), FM_ENC_UNSUPPORTED);
}

int main(void)
{
	RUN_TEST(test_first_message);
	RUN_TEST(test_sequence);
	RUN_TEST(test_mtu_split);
	RUN_TEST(test_template_refresh);
	RUN_TEST(test_options);
	RUN_TEST(test_hash_options);
	RUN_TEST(test_flowsamp_options);
	RUN_TEST(test_padding);
	RUN_TEST(test_determinism);
	RUN_TEST(test_batch);
	RUN_TEST(test_too_small);
	RUN_TEST(test_nat_events);
	RUN_TEST(test_nat6_and_lost);
	return KTAP_EXIT();
}
