// SPDX-License-Identifier: GPL-2.0
/*
 * L2 fields: records with FM_KF_L2 in templates 278-281 of IPFIX and v9,
 * decoded by the independent collector in enc_decode.h (MACs, VLAN ids,
 * type); the session switches templates at the first such record and
 * back; the MTU the L2 templates need; v5 sends its plain record. And
 * the cache's entry kinds: the extension (biflow or L2) before the entry,
 * a plain IPv4 entry still 64 bytes.
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

/* Flow i of enc_decode.h with L2 fields. */
static void l2_flow(struct fm_record *r, unsigned int i, int v6, u8 proto)
{
	static const u8 src[6] = { 0x02, 0x00, 0x5e, 0x00, 0x0a, 0x01 };
	static const u8 dst[6] = { 0x02, 0x00, 0x5e, 0x00, 0x0a, 0xfe };

	enc_test_flow(r, i, v6, proto, BOOT_MS);
	r->key.kflags |= FM_KF_L2;
	memcpy(r->l2.src_mac, src, 6);
	memcpy(r->l2.dst_mac, dst, 6);
	r->l2.src_mac[5] += (u8)i;
	r->l2.vlan_outer = (u16)(100 + i);
	r->l2.vlan_inner = (u16)(4000 + i);
	memcpy(r->l2.post_src_mac, dst, 6);
	memcpy(r->l2.post_dst_mac, src, 6);
	r->l2.post_dst_mac[0] = 0x0a;
	/* label 16 + i, TC 5, bottom of stack */
	r->l2.mpls[0] = 0;
	r->l2.mpls[1] = (u8)((16 + i) >> 4);
	r->l2.mpls[2] = (u8)((16 + i) << 4 | 5 << 1 | 1);
	r->l2.flags = FM_L2_MPLS;
}

static void check_switch(u8 version)
{
	static const u8 protos[] = { 17, 6, 1, 58 };
	static const u16 tid[] = { FM_TMPL_L2_4, FM_TMPL_L2_6, FM_TMPL_L2_ICMP4, FM_TMPL_L2_ICMP6 };
	struct fm_record plain, r[ARRAY_SIZE(protos)];
	unsigned int i;

	enc_test_flow(&plain, 1, 0, 17, BOOT_MS);
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		l2_flow(&r[i], i, protos[i] == 58 || i == 1, protos[i]);
	/* a VLAN device took the tag: vlanId is its id (enc_decode.h) */
	r[0].key.vlan = 0;
	r[1].key.vlan = 7;
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
 * export.rst: the L2 templates and the longest record (IPv6, 123 bytes)
 * need an MTU of 712 to an IPv4 collector in IPFIX (v9: 4 more).
 */
static void test_min_mtu(void)
{
	struct fm_enc_session s;
	struct fm_enc_msg m;
	struct fm_record r;

	fm_enc_session_init(&s, FM_ENC_IPFIX, 1);
	l2_flow(&r, 1, 1, 17);
	fm_enc_begin(&m, &s, buf, sizeof(buf), &clk0);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_FULL);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
	CHECK_EQ(s.tmpl_len, 540);
	CHECK_EQ(s.longest, 123);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, 712 - 28, &clk0), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r), FM_ENC_OK);
	fm_enc_resend_templates(&s);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, 711 - 28, &clk0), FM_ENC_TOOSMALL);
	/* hash selection and flow sampling: still within the sets' buffer */
	fm_enc_set_sampling(&s, FM_SAMPLING_HASH, 100);
	fm_enc_set_flow_sampling(&s, FM_SAMPLING_DETERMINISTIC, 10);
	CHECK(s.tmpl_len <= FM_ENC_TMPL_MAX);
	CHECK_EQ(s.tmpl_len, 540 + 4 + 28);
}

/* v5 has no field for them: the plain record, as without */
static void test_nf5(void)
{
	struct fm_record r;

	l2_flow(&r, 1, 0, 17);
	enc_check_nf5_plain(&r, &clk0, buf, sizeof(buf));
}

/*
 * The entry kinds: the key says which extension, one at most; it is in
 * front of the entry, whose size does not change; a plain entry is no
 * bigger for it.
 */
static void test_entry(void)
{
	struct fm_entry_buf b;
	struct fm_key k = { 0 };
	unsigned int kind;

	CHECK_EQ(FM_ENTRY_SIZE_V4, 64);
	CHECK_EQ(fm_entry_obj_size(0), 64);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_V6), 96);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_BI), 120);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_BI | FM_ENTRY_V6), 152);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_L2), 96);
	CHECK_EQ(fm_entry_obj_size(FM_ENTRY_L2 | FM_ENTRY_V6), 128);
	CHECK_EQ(fm_entry_kind(&k), 0);
	k.kflags = FM_KF_IPV6 | FM_KF_L2;
	CHECK_EQ(fm_entry_kind(&k), FM_ENTRY_L2 | FM_ENTRY_V6);
	k.kflags = FM_KF_BI;
	CHECK_EQ(fm_entry_kind(&k), FM_ENTRY_BI);
	k.kflags = FM_KF_AGG | FM_KF_IPV6;
	CHECK_EQ(fm_entry_kind(&k), FM_ENTRY_V6);
	/* an object and its entry, both ways, for every kind */
	for (kind = 0; kind < FM_ENTRY_KINDS; kind++) {
		struct fm_entry *e = fm_obj_entry(&b, kind);

		e->key.kflags = (u8)((kind & FM_ENTRY_V6) | (kind & ~1U) << 1);
		CHECK_EQ(fm_entry_kind(&e->key), kind);
		CHECK(fm_entry_obj(e) == (void *)&b);
		CHECK((u8 *)e + (kind & 1 ? FM_ENTRY_SIZE_V6 : FM_ENTRY_SIZE_V4) <=
		      (u8 *)&b + sizeof(b));
	}
	/* the extensions end where the entry begins */
	b.e.key.kflags = FM_KF_L2;
	CHECK((u8 *)(fm_entry_l2(&b.e) + 1) == (u8 *)&b.e);
	CHECK((u8 *)(fm_entry_bi(&b.e) + 1) == (u8 *)&b.e);
	CHECK(fm_entry_l2_const(&b.e) == fm_entry_l2(&b.e));
	/* a ring slot: selftests/test_idle.sh and design.rst count with it */
	CHECK_EQ(sizeof(struct fm_record), 232);
}

int main(void)
{
	RUN_TEST(test_ipfix);
	RUN_TEST(test_nf9);
	RUN_TEST(test_min_mtu);
	RUN_TEST(test_nf5);
	RUN_TEST(test_entry);
	return KTAP_EXIT();
}
