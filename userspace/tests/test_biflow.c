// SPDX-License-Identifier: GPL-2.0
/*
 * Biflows (RFC 5103): the key both directions share (flow.h,
 * fm_bi_canon()), the per-direction counting and the initiator
 * (cache_hot.h, fm_bi_count()), the merge of two CPUs' pieces
 * (fm_bi_merge()), and the IPFIX biflow templates and records (ipfix.c):
 * reverse IEs with PEN 29305, biflowDirection, the template sets within
 * FM_ENC_TMPL_MAX; the v9 ones (nf9.c) decoded by their templates.
 * With FM_BIFLOW_DUMP=FILE (FM_BIFLOW_DUMP_NF9=FILE) the encoded IPFIX
 * (v9) message is written to FILE, for ipfixDump and tshark by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include "ktap.h"
#include "cache_hot.h"
#include "enc.h"
#include "enc_check.h"

#define BOOT_MS		1700000000000ULL

static u64 get_be64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static void key4(struct fm_key *k, const char *s, const char *d, u16 sp,
		 u16 dp, u8 proto, u32 in_if, u32 out_if)
{
	memset(k, 0, sizeof(*k));
	inet_pton(AF_INET, s, &k->addr.v4.saddr);
	inet_pton(AF_INET, d, &k->addr.v4.daddr);
	k->sport = htons(sp);
	k->dport = htons(dp);
	k->proto = proto;
	k->in_if = in_if;
	k->out_if = out_if;
}

/* Both directions of a TCP conversation: one key, opposite sides. */
static void test_canon_tcp(void)
{
	struct fm_key a, b;
	bool sa, sb;

	key4(&a, "10.0.2.1", "10.0.1.1", 7000, 40000, 6, 3, 2);
	key4(&b, "10.0.1.1", "10.0.2.1", 40000, 7000, 6, 2, 3);
	sa = fm_bi_canon(&a);
	sb = fm_bi_canon(&b);
	CHECK(sa != sb);
	CHECK(!memcmp(&a, &b, FM_KEY_LEN_V4));
	CHECK(a.kflags & FM_KF_BI);
	CHECK_EQ(ntohs(a.sport), 40000);	/* 10.0.1.1's */
	CHECK_EQ(a.in_if, 2);
	CHECK_EQ(a.out_if, 3);
	/* the same address both ends: the lower port is the source */
	key4(&a, "10.0.1.1", "10.0.1.1", 9, 8, 17, 1, 1);
	CHECK(fm_bi_canon(&a));
	CHECK_EQ(ntohs(a.sport), 8);
}

/* A ping and its reply: one key, with the request's type. */
static void test_canon_icmp(void)
{
	struct fm_key a, b;

	key4(&a, "10.0.1.1", "10.0.2.1", 0, 8 << 8, 1, 2, 3);
	key4(&b, "10.0.2.1", "10.0.1.1", 0, 0 << 8, 1, 3, 2);
	CHECK(!fm_bi_canon(&a));
	CHECK(fm_bi_canon(&b));
	CHECK(!memcmp(&a, &b, FM_KEY_LEN_V4));
	CHECK_EQ(ntohs(a.dport), 8 << 8);
	CHECK_EQ(a.sport, 0);
	/* ICMPv6 echo reply to request; an unreachable stays itself */
	CHECK_EQ(fm_bi_icmp_request(58, 129), 128);
	CHECK_EQ(fm_bi_icmp_request(1, 3), 3);
	CHECK_EQ(fm_bi_icmp_request(1, 14), 13);
}

/* One-interface hooks: the interfaces are left out, both directions. */
static void test_canon_one_if(void)
{
	struct fm_key a, b;

	key4(&a, "10.0.1.1", "10.0.2.1", 1, 2, 17, 2, 0);
	key4(&b, "10.0.2.1", "10.0.1.1", 2, 1, 17, 3, 0);
	fm_bi_canon(&a);
	fm_bi_canon(&b);
	CHECK(!memcmp(&a, &b, FM_KEY_LEN_V4));
	CHECK_EQ(a.in_if, 0);
}

/* an entry of a biflow kind: its extension in front (cache_hot.h) */
static struct fm_entry_buf be;
#define BX (*fm_entry_bi(&be.e))

static void bi_init(void)
{
	struct fm_key k = { .kflags = FM_KF_BI };

	fm_entry_ext_init(&be.e, &k, NULL);
}

static void count(unsigned int side, u8 flags, u32 len, u32 now, bool end)
{
	struct fm_pktinfo pi = { .octets = len, .packets = 1,
				 .tcp_flags = flags, .side = side };

	CHECK_EQ(fm_bi_count(&be.e, &pi, now), end);
}

/* The initiator: the first packet's side, unless a SYN says otherwise. */
static void test_count(void)
{
	bi_init();
	count(1, 0x10, 52, 100, false);		/* a stray ACK from side 1 */
	CHECK_EQ(BX.init, FM_BI_SIDE1);
	count(0, 0x02, 60, 101, false);		/* side 0 opens */
	CHECK_EQ(BX.init, FM_BI_SYN);
	count(1, 0x12, 60, 102, false);		/* SYN ACK: no change */
	CHECK_EQ(BX.init, FM_BI_SYN);
	count(0, 0x11, 52, 103, false);		/* FIN */
	count(1, 0x11, 52, 104, false);		/* FIN back: over soon */
	CHECK_EQ(BX.fin, 3);
	count(0, 0x10, 52, 105, false);		/* the last ACK, still in it */
	CHECK_EQ(BX.d[0].packets, 3);
	CHECK_EQ(BX.d[0].bytes, 164);
	CHECK_EQ(BX.d[1].packets, 3);
	CHECK_EQ(BX.d[1].bytes, 164);
	CHECK_EQ(BX.d[0].first, 101);
	CHECK_EQ(BX.d[1].first, 100);
	CHECK_EQ(BX.d[1].last, 104);
	CHECK_EQ(BX.tcp_flags[0], 0x13);
	CHECK_EQ(BX.tcp_flags[1], 0x13);
	bi_init();
	count(1, 0x04, 40, 5, true);		/* a RST ends it at once */
}

/* Two CPUs' pieces: sums per side, the initiator over both. */
static void test_merge(void)
{
	struct fm_biext a = { 0 }, b = { 0 };
	struct fm_key k = { .proto = 17, .kflags = FM_KF_BI };

	/* canonical: the server's port 53 sorts first, the client's last */
	k.sport = htons(53);
	k.dport = htons(40000);

	a.d[1] = (struct fm_bi_dir){ 3, 300, 20, 30 };	/* replies here */
	a.init = FM_BI_SIDE1;				/* this CPU's view */
	b.d[0] = (struct fm_bi_dir){ 4, 400, 10, 40 };	/* requests there */
	b.d[1] = (struct fm_bi_dir){ 1, 100, 15, 15 };
	b.init = 0;
	fm_bi_merge(&a, &b, &k);
	CHECK_EQ(a.init, 0);			/* side 0 sent first, at 10 */
	CHECK_EQ(a.d[0].packets, 4);
	CHECK_EQ(a.d[1].packets, 4);
	CHECK_EQ(a.d[1].bytes, 400);
	CHECK_EQ(a.d[1].first, 15);
	CHECK_EQ(a.d[1].last, 30);
	/* a SYN wins over an earlier first packet */
	memset(&b, 0, sizeof(b));
	b.d[1] = (struct fm_bi_dir){ 1, 60, 50, 50 };
	b.init = FM_BI_SYN | FM_BI_SIDE1;
	fm_bi_merge(&a, &b, &k);
	CHECK_EQ(a.init, FM_BI_SYN | FM_BI_SIDE1);

	/*
	 * Both sides began in one jiffy, on two CPUs: the side with the
	 * ephemeral port (here side 1, the key's destination) asked, as
	 * the export's merge decides (merge.c).
	 */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d[0] = (struct fm_bi_dir){ 1, 100, 7, 7 };	/* the answer */
	b.d[1] = (struct fm_bi_dir){ 1, 60, 7, 7 };	/* the question */
	b.init = FM_BI_SIDE1;
	fm_bi_merge(&a, &b, &k);
	CHECK_EQ(a.init, FM_BI_SIDE1);
	/* ports on one side of the line: the key's source, as before */
	memset(&a, 0, sizeof(a));
	a.d[0] = (struct fm_bi_dir){ 1, 100, 7, 7 };
	k.dport = htons(5001);
	fm_bi_merge(&a, &b, &k);
	CHECK_EQ(a.init, 0);
}

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 msg[1472];

static unsigned int find_tmpl(const u8 *p, unsigned int len, u16 id)
{
	unsigned int off = 16;

	while (off + 4 <= len) {
		unsigned int slen = p[off + 2] << 8 | p[off + 3];
		u16 sid = p[off] << 8 | p[off + 1];

		if (slen < 4)
			return 0;
		if (sid == 2) {
			unsigned int q = off + 4;

			while (q + 4 <= off + slen) {
				u16 tid = p[q] << 8 | p[q + 1];
				u16 n = p[q + 2] << 8 | p[q + 3], i;
				unsigned int r = q + 4;

				if (tid == id)
					return q;
				for (i = 0; i < n; i++)
					r += (p[r] & 0x80) ? 8 : 4;
				q = r;
			}
		}
		off += slen;
	}
	return 0;
}

static unsigned int find_set(const u8 *p, unsigned int len, u16 id)
{
	unsigned int off = 16;

	while (off + 4 <= len) {
		unsigned int slen = p[off + 2] << 8 | p[off + 3];

		if ((p[off] << 8 | p[off + 1]) == id)
			return off;
		if (slen < 4)
			return 0;
		off += slen;
	}
	return 0;
}

/* Biflow record i of a test: counters from i, bytes from bytes + i. */
static void bi_rec(struct fm_record *r, unsigned int i, u64 bytes)
{
	r->key.kflags = FM_KF_BI;
	r->packets = 10 + i;
	r->bytes = bytes + i;
	r->start_ms = 1000;
	r->end_ms = 2000;
	r->end_reason = FM_END_EOF;
	r->rev.packets = 20 + i;
	r->rev.bytes = 2000 + i;
	r->rev.start_ms = 1100;
	r->rev.end_ms = 2100;
}

/*
 * A TCP and an ICMP biflow in one message: the templates carry the
 * reverse IEs with the enterprise bit and PEN 29305, the records the
 * initiator's counters first, then the responder's.
 */
static void test_ipfix(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[2];
	unsigned int len, t, d, i, nrev = 0;
	const char *dump = getenv("FM_BIFLOW_DUMP");
	u16 n;

	memset(r, 0, sizeof(r));
	key4(&r[0].key, "10.0.1.1", "10.0.2.1", 40000, 7000, 6, 2, 3);
	key4(&r[1].key, "10.0.1.1", "10.0.2.1", 0, 8 << 8, 1, 2, 3);
	for (i = 0; i < 2; i++)
		bi_rec(&r[i], i, 1000);
	r[0].tcp_flags = 0x1b;
	r[0].rev.tcp_flags = 0x13;
	fm_enc_session_init(&s, FM_ENC_IPFIX, 7);
	CHECK_EQ(fm_enc_begin(&m, &s, msg, sizeof(msg), &clk0), FM_ENC_OK);
	/* the first biflow switches the session to its templates */
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	fm_enc_finish(&m);
	CHECK_EQ(fm_enc_begin(&m, &s, msg, sizeof(msg), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
	printf("#   biflow template sets: %u bytes\n", s.tmpl_len);
	for (i = 0; i < 2; i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	len = fm_enc_finish(&m);
	if (dump) {
		FILE *f = fopen(dump, "wb");

		CHECK(f && fwrite(msg, 1, len, f) == len);
		if (f)
			fclose(f);
	}
	t = find_tmpl(msg, len, FM_TMPL_BI4);
	CHECK(t);
	if (!t)
		return;
	n = msg[t + 2] << 8 | msg[t + 3];
	for (i = 0, d = t + 4; i < n; i++) {
		u16 ie = msg[d] << 8 | msg[d + 1];

		if (ie & 0x8000) {
			CHECK_EQ(msg[d + 4] << 24 | msg[d + 5] << 16 |
				 msg[d + 6] << 8 | msg[d + 7], 29305);
			nrev++;
			d += 8;
		} else {
			d += 4;
		}
	}
	CHECK_EQ(nrev, 5);
	CHECK(find_tmpl(msg, len, FM_TMPL_BI_ICMP4));
	d = find_set(msg, len, FM_TMPL_BI4);
	CHECK(d);
	if (!d)
		return;
	d += 4;
	/* octets, packets, the reverse ones and their times, the times */
	CHECK_EQ(get_be64(msg + d), 1000);
	CHECK_EQ(get_be64(msg + d + 8), 10);
	CHECK_EQ(get_be64(msg + d + 16), 2000);
	CHECK_EQ(get_be64(msg + d + 24), 20);
	CHECK_EQ(get_be64(msg + d + 32), BOOT_MS + 1100);
	CHECK_EQ(get_be64(msg + d + 40), BOOT_MS + 2100);
	CHECK_EQ(get_be64(msg + d + 48), BOOT_MS + 1000);
	CHECK_EQ(get_be64(msg + d + 56), BOOT_MS + 2000);
}

/*
 * v9: the same template ids, IN_BYTES/IN_PKTS the initiator's,
 * OUT_BYTES/OUT_PKTS (23/24) the responder's, FIRST/LAST_SWITCHED the
 * span of both directions, biflowDirection 239; decoded by the
 * independent collector (enc_decode.h) through the templates on the wire.
 */
static void test_nf9(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r[4];
	static struct dec_state ds;
	static struct dec_msg dm;
	static const u16 tid[] = { FM_TMPL_BI4, FM_TMPL_BI_ICMP4,
				   FM_TMPL_BI6, FM_TMPL_BI4 };
	const char *dump = getenv("FM_BIFLOW_DUMP_NF9");
	unsigned int i, len;

	memset(r, 0, sizeof(r));
	key4(&r[0].key, "10.0.1.1", "10.0.2.1", 40000, 7000, 6, 2, 3);
	key4(&r[1].key, "10.0.1.1", "10.0.2.1", 0, 8 << 8, 1, 2, 3);
	key4(&r[2].key, "10.0.1.1", "10.0.2.1", 5001, 9001, 17, 2, 3);
	inet_pton(AF_INET6, "fd01::1", &r[2].key.addr.v6.saddr);
	inet_pton(AF_INET6, "fd02::1", &r[2].key.addr.v6.daddr);
	key4(&r[3].key, "10.0.1.1", "10.0.2.1", 5002, 9001, 17, 2, 3);
	for (i = 0; i < 4; i++) {
		bi_rec(&r[i], i, 5000000000ULL);	/* beyond 32 bits */
		r[i].tcp_flags = 0x1b;
		r[i].rev.tcp_flags = 0x14;
	}
	r[2].key.kflags |= FM_KF_IPV6;
	/* no answer: the initiator's times alone, OUT_* zero */
	r[3].rev = (struct fm_rev){ 0 };
	fm_enc_session_init(&s, FM_ENC_NF9, 7);
	CHECK_EQ(fm_enc_begin(&m, &s, msg, sizeof(msg), &clk0), FM_ENC_OK);
	/* the first biflow switches the session to its templates */
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	fm_enc_finish(&m);
	CHECK_EQ(s.mode, FM_ENC_MODE_BI);
	CHECK_EQ(fm_enc_begin(&m, &s, msg, sizeof(msg), &clk0), FM_ENC_OK);
	CHECK(m.tmpl);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
	printf("#   v9 biflow template sets: %u bytes\n", s.tmpl_len);
	for (i = 0; i < 4; i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	len = dec_finish(&ds, &dm, &m);
	if (dump && len) {
		FILE *f = fopen(dump, "wb");

		CHECK(f && fwrite(msg, 1, len, f) == len);
		if (f)
			fclose(f);
	}
	CHECK_EQ(dm.version, 9);
	CHECK_EQ(dm.nrec, 4);
	for (i = 0; i < 4; i++) {
		const struct dec_rec *d = &dm.rec[i];
		unsigned int flen;
		const u8 *p;

		CHECK_EQ(d->tid, tid[i]);
		CHECK_EQ(dec_u(d, 1, 0), r[i].bytes);
		CHECK_EQ(dec_u(d, 2, 0), r[i].packets);
		CHECK_EQ(dec_u(d, 23, 0), r[i].rev.bytes);
		CHECK_EQ(dec_u(d, 24, 0), r[i].rev.packets);
		CHECK_EQ(dec_u(d, 22, 0), 1000);
		CHECK_EQ(dec_u(d, 21, 0), i == 3 ? 2000 : 2100);
		CHECK_EQ(dec_u(d, 239, 0), 1);
		CHECK_EQ(dec_u(d, 4, 0), r[i].key.proto);
		CHECK_EQ(dec_u(d, 136, 0), FM_END_EOF);
		CHECK_EQ(dec_u(d, 10, 0), 2);
		CHECK_EQ(dec_u(d, 14, 0), 3);
		CHECK_EQ(dec_u(d, 11, 0), ntohs(r[i].key.dport));
		/* no reverse flags in v9: the initiator's */
		CHECK_EQ(dec_u(d, 6, 0), i == 1 ? ~0ULL : 0x1b);
		CHECK_EQ(dec_u(d, 32, 0), i == 1 ? 8 << 8 : ~0ULL);
		CHECK_EQ(dec_u(d, 7, 0), i == 1 ? ~0ULL : ntohs(r[i].key.sport));
		p = dec_field(d, i == 2 ? 27 : 8, 0, &flen);
		CHECK(p && flen == (i == 2 ? 16U : 4U) &&
		      !memcmp(p, &r[i].key.addr, flen));
	}
}

int main(void)
{
	RUN_TEST(test_canon_tcp);
	RUN_TEST(test_canon_icmp);
	RUN_TEST(test_canon_one_if);
	RUN_TEST(test_count);
	RUN_TEST(test_merge);
	RUN_TEST(test_ipfix);
	RUN_TEST(test_nf9);
	return KTAP_EXIT();
}
