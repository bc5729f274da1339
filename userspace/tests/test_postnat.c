// SPDX-License-Identifier: GPL-2.0
/*
 * Post-NAT fields: records with FM_KF_NAT in templates 293-296 of IPFIX
 * and v9, decoded by the independent collector in enc_decode.h (addresses
 * 225/226 or 281/282, ports 227/228, none for ICMP); the session switches
 * templates at the first such record and back; the MTU the templates
 * need; v5 sends its plain record. And the entry kind: struct fm_xlate
 * before the entry, no kind with two extensions.
 */
#include "ktap.h"
#include "enc.h"
#include "enc_check.h"
#include "cache_hot.h"

#define BOOT_MS		1700000000000ULL

static const struct fm_enc_clock clk0 = {
	.unix_sec = 1700000100,
	.uptime_ms = 100000,
	.boot_ms = BOOT_MS,
};

static u8 buf[1472];

/* Flow i of enc_decode.h, translated to 198.51.100.i / 2001:db8::i */
static void nat_flow(struct fm_record *r, unsigned int i, int v6, u8 proto)
{
	enc_test_flow(r, i, v6, proto, BOOT_MS);
	r->key.kflags |= FM_KF_NAT;
	if (v6) {
		r->xlate.saddr.v6.s6_addr[0] = 0x20;
		r->xlate.saddr.v6.s6_addr[1] = 0x01;
		r->xlate.saddr.v6.s6_addr[2] = 0x0d;
		r->xlate.saddr.v6.s6_addr[3] = 0xb8;
		r->xlate.saddr.v6.s6_addr[15] = (u8)i;
		r->xlate.daddr.v6 = r->key.addr.v6.daddr;
	} else {
		r->xlate.saddr.v4 = htonl(0xc6336400 + i);
		r->xlate.daddr.v4 = r->key.addr.v4.daddr;
	}
	if (proto != 1 && proto != 58) {
		r->xlate.sport = htons((u16)(20000 + i));
		r->xlate.dport = r->key.dport;
	}
	r->xlate.ok = 1;
	r->xlate.done = 1;
}

static void check_switch(u8 version)
{
	static const u8 protos[] = { 17, 6, 1, 58 };
	static const u16 tid[] = { FM_TMPL_XL4, FM_TMPL_XL6, FM_TMPL_XL_ICMP4, FM_TMPL_XL_ICMP6 };
	struct fm_record plain, r[ARRAY_SIZE(protos)];
	unsigned int i;

	enc_test_flow(&plain, 1, 0, 17, BOOT_MS);
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		nat_flow(&r[i], i, protos[i] == 58 || i == 1, protos[i]);
	enc_check_switch(version, &plain, r, ARRAY_SIZE(r), tid, &clk0, buf,
			 sizeof(buf));
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
 * export.rst: the post-NAT templates (460 bytes of sets) and the longest
 * record (IPv6, 126 bytes) need an MTU of 636 to an IPv4 collector in
 * IPFIX.
 */
static void test_min_mtu(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;

	fm_enc_session_init(&s, FM_ENC_IPFIX, 1);
	nat_flow(&r, 1, 1, 17);
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_FULL);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
	CHECK_EQ(s.tmpl_len, 460);
	CHECK_EQ(s.longest, 126);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, 636 - 28, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
	fm_enc_resend_templates(&s);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, 632 - 28, &clk0), FM_ENC_TOOSMALL);
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 100);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
}

/* v5 has no field for them: the plain record, as without */
static void test_nf5(void)
{
	struct fm_record r;

	nat_flow(&r, 1, 0, 17);
	enc_check_nf5_plain(&r, &clk0, buf, sizeof(buf));
}

/* The entry kind: the extension before the entry; no kind with two */
static void test_entry(void)
{
	struct fm_entry_buf b;
	struct fm_key k = { 0 };

	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_NAT), 104);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_NAT | FM_ENTRY_V6), 136);
	k.kflags = FM_KF_IPV6 | FM_KF_NAT;
	CHECK_EQ(fm_entry_kind(&k), FM_ENTRY_NAT | FM_ENTRY_V6);
	CHECK(fm_entry_kind_valid(FM_ENTRY_NAT | FM_ENTRY_V6));
	CHECK(fm_entry_kind_valid(FM_ENTRY_L2));
	CHECK(!fm_entry_kind_valid(FM_ENTRY_L2 | FM_ENTRY_BI));
	CHECK(!fm_entry_kind_valid(FM_ENTRY_NAT | FM_ENTRY_BI | FM_ENTRY_V6));
	b.e.key.kflags = FM_KF_NAT;
	CHECK((u8 *)(fm_entry_xlate(&b.e) + 1) == (u8 *)&b.e);
	CHECK(fm_entry_obj(&b.e) == (u8 *)&b.e - sizeof(struct fm_xlate));
	CHECK((u8 *)fm_entry_obj(&b.e) >= (u8 *)&b);
}

/* Pieces of one flow: final fields over early ones, any over none */
static void test_merge(void)
{
	struct fm_xlate a = { 0 }, early = { 0 }, fin = { 0 };

	early.ok = 1;
	early.saddr.v4 = htonl(0x0a000101);
	fin = early;
	fin.saddr.v4 = htonl(0x0a0002fe);
	fin.done = 1;
	fm_xlate_merge(&a, &early);
	CHECK(a.ok && a.saddr.v4 == early.saddr.v4);
	fm_xlate_merge(&a, &fin);
	CHECK(a.done && a.saddr.v4 == fin.saddr.v4);
	fm_xlate_merge(&a, &early);
	CHECK(a.done && a.saddr.v4 == fin.saddr.v4);
}

int main(void)
{
	RUN_TEST(test_ipfix);
	RUN_TEST(test_nf9);
	RUN_TEST(test_min_mtu);
	RUN_TEST(test_nf5);
	RUN_TEST(test_entry);
	RUN_TEST(test_merge);
	return KTAP_EXIT();
}
