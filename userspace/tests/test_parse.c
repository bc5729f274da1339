// SPDX-License-Identifier: GPL-2.0
/* Unit tests for fm_parse(): hand-built IPv4/IPv6 packets. */
#include <stdlib.h>
#include "ktap.h"
#include "parse.h"

static const u8 v4_src[4] = { 10, 0, 0, 1 };
static const u8 v4_dst[4] = { 192, 168, 1, 2 };
static const u8 v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const u8 v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xab, 2 };

/* TCP header: ports 1234 -> 80, flags SYN|ACK (0x12) */
static const u8 tcp[20] = { 0x04, 0xd2, 0x00, 0x50, [12] = 0x50, 0x12 };
/* UDP header: ports 53 -> 40000 */
static const u8 udp[8] = { 0x00, 0x35, 0x9c, 0x40, 0x00, 0x08 };

/* IPv4 header of ihl words, TOS 0x2e, TTL 64, no options content. */
static unsigned int v4(u8 *b, unsigned int ihl, unsigned int tot_len,
		       unsigned int frag, u8 proto)
{
	memset(b, 0, ihl * 4);
	b[0] = 0x40 | ihl;
	b[1] = 0x2e;
	put_unaligned_be16(tot_len, b + 2);
	put_unaligned_be16(frag, b + 6);
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, v4_src, 4);
	memcpy(b + 16, v4_dst, 4);
	return ihl * 4;
}

/* IPv6 header: traffic class 0xb8, flow label 0x12345, hop limit 33. */
static unsigned int v6(u8 *b, unsigned int plen, u8 nexthdr)
{
	memset(b, 0, 40);
	b[0] = 0x6b;
	b[1] = 0x81;
	b[2] = 0x23;
	b[3] = 0x45;
	put_unaligned_be16(plen, b + 4);
	b[6] = nexthdr;
	b[7] = 33;
	memcpy(b + 8, v6_src, 16);
	memcpy(b + 24, v6_dst, 16);
	return 40;
}

/* Generic extension header of 8 * (hdrlen + 1) bytes. */
static unsigned int ext(u8 *b, u8 nexthdr, u8 hdrlen)
{
	memset(b, 0, 8 * (hdrlen + 1));
	b[0] = nexthdr;
	b[1] = hdrlen;
	return 8 * (hdrlen + 1);
}

static unsigned int frag6(u8 *b, u8 nexthdr, unsigned int offset, int more)
{
	memset(b, 0, 8);
	b[0] = nexthdr;
	put_unaligned_be16(offset << 3 | !!more, b + 2);
	put_unaligned_be32(0xcafe, b + 4);
	return 8;
}

/* Parse from an exact-size heap copy so ASan catches any over-read. */
static int parse_at(const u8 *b, unsigned int len, unsigned int nhoff,
		    u8 family, unsigned int opts, struct fm_key *k,
		    struct fm_pktinfo *pi)
{
	u8 *copy = malloc(len ? len : 1);
	fm_pkt_t pkt = { copy, len };
	int ret;

	memcpy(copy, b, len);
	memset(k, 0xa5, sizeof(*k));
	memset(pi, 0xa5, sizeof(*pi));
	ret = fm_parse(&pkt, nhoff, family, opts, k, pi);
	free(copy);
	return ret;
}

static int parse(const u8 *b, unsigned int len, u8 family,
		 unsigned int opts, struct fm_key *k, struct fm_pktinfo *pi)
{
	return parse_at(b, len, 0, family, opts, k, pi);
}

static void expect_v4_key(struct fm_key *e, u8 proto, u16 sport, u16 dport)
{
	memset(e, 0, sizeof(*e));
	e->sport = cpu_to_be16(sport);
	e->dport = cpu_to_be16(dport);
	e->proto = proto;
	e->tos = 0x2e;
	memcpy(&e->addr.v4.saddr, v4_src, 4);
	memcpy(&e->addr.v4.daddr, v4_dst, 4);
}

static void expect_v6_key(struct fm_key *e, u8 proto, u16 sport, u16 dport)
{
	memset(e, 0, sizeof(*e));
	e->sport = cpu_to_be16(sport);
	e->dport = cpu_to_be16(dport);
	e->proto = proto;
	e->tos = 0xb8;
	e->kflags = FM_KF_IPV6;
	memcpy(&e->addr.v6.saddr, v6_src, 16);
	memcpy(&e->addr.v6.daddr, v6_dst, 16);
}

static void test_v4_tcp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[40];
	unsigned int n = v4(b, 5, 40, 0, IPPROTO_TCP);

	memcpy(b + n, tcp, sizeof(tcp));
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_TCP, 1234, 80);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(fm_key_len(&k), FM_KEY_LEN_V4);
	CHECK_EQ(pi.octets, 40);
	CHECK_EQ(pi.ttl, 64);
	CHECK_EQ(pi.tcp_flags, 0x12);
	CHECK_EQ(pi.frag, 0);
	CHECK_EQ(pi.l4_missing, 0);
}

static void test_v4_udp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[36];
	unsigned int n = v4(b, 5, 36, 0, IPPROTO_UDP);

	memcpy(b + n, udp, sizeof(udp));
	memset(b + n + 8, 0x77, 8);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.octets, 36);
	CHECK_EQ(pi.tcp_flags, 0);
	CHECK_EQ(pi.l4_missing, 0);
}

/* UDP-Lite, SCTP and DCCP all start with the two ports. */
static void test_v4_port_protocols(void)
{
	static const u8 protos[] = { IPPROTO_UDPLITE, IPPROTO_SCTP,
				     IPPROTO_DCCP };
	struct fm_key k, e;
	struct fm_pktinfo pi;
	unsigned int i, n;
	u8 b[24];

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		n = v4(b, 5, 24, 0, protos[i]);
		memcpy(b + n, udp, 4);
		CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
		expect_v4_key(&e, protos[i], 53, 40000);
		CHECK(!memcmp(&k, &e, sizeof(k)));
		CHECK_EQ(pi.l4_missing, 0);
	}
}

static void test_v4_icmp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[28];
	unsigned int n = v4(b, 5, 28, 0, IPPROTO_ICMP);

	memset(b + n, 0, 8);
	b[n] = 3;	/* destination unreachable */
	b[n + 1] = 4;	/* fragmentation needed */
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_ICMP, 0, 3 * 256 + 4);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.l4_missing, 0);

	/* Two bytes of ICMP are enough, one is not. */
	put_unaligned_be16(22, b + 2);
	CHECK_EQ(parse(b, 22, 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(be16_to_cpu(k.dport), 3 * 256 + 4);
	put_unaligned_be16(21, b + 2);
	CHECK_EQ(parse(b, 21, 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
}

static void test_v4_unknown_proto(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[20];

	v4(b, 5, 20, 0, IPPROTO_GRE);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_GRE, 0, 0);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.l4_missing, 1);
	CHECK_EQ(pi.octets, 20);

	/* ICMPv6 inside IPv4 is not ICMP: no type/code. */
	v4(b, 5, 20, 0, IPPROTO_ICMPV6);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(k.dport, 0);
	CHECK_EQ(pi.l4_missing, 1);
}

static void test_v4_options(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[32], big[60];
	unsigned int n = v4(b, 6, 32, 0, IPPROTO_UDP);

	b[20] = 0x94;	/* router alert */
	b[21] = 4;
	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.octets, 32);

	/* Maximum IHL: options up to the end, one byte short of it */
	v4(big, 15, 60, 0, IPPROTO_UDP);
	CHECK_EQ(parse(big, 60, 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
	CHECK_EQ(parse(big, 59, 4, 0, &k, &pi), FM_PERR_IHL);
}

static void test_v4_nhoff(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[14 + 28];
	unsigned int n;

	memset(b, 0xee, 14);
	n = 14 + v4(b + 14, 5, 28, 0, IPPROTO_UDP);
	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse_at(b, sizeof(b), 14, 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(parse_at(b, sizeof(b), sizeof(b) + 1, 4, 0, &k, &pi),
		 FM_PERR_TRUNC_L3);
}

static void test_v4_truncated_header(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	unsigned int len;
	u8 b[20];

	v4(b, 5, 20, 0, IPPROTO_UDP);
	memset(&e, 0, sizeof(e));
	for (len = 0; len < 20; len++) {
		CHECK_EQ(parse(b, len, 4, 0, &k, &pi), FM_PERR_TRUNC_L3);
		CHECK(!memcmp(&k, &e, sizeof(k)));
	}
}

static void test_v4_bad_version(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[28];

	v4(b, 5, 28, 0, IPPROTO_UDP);
	memcpy(b + 20, udp, sizeof(udp));
	b[0] = 0x65;
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_VERSION);
	b[0] = 0x45;
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PERR_TRUNC_L3);
	CHECK_EQ(parse(b, sizeof(b), 5, 0, &k, &pi), FM_PERR_VERSION);
}

static void test_v4_bad_ihl(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[28];

	v4(b, 5, 28, 0, IPPROTO_UDP);
	memcpy(b + 20, udp, sizeof(udp));
	b[0] = 0x44;
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_IHL);
	b[0] = 0x40;
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_IHL);
	/* 32-byte header in a 28-byte packet */
	b[0] = 0x48;
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_IHL);
	/* 28-byte header exactly fills it: header fine, no room for UDP */
	b[0] = 0x47;
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
}

static void test_v4_bad_total_length(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[32];

	v4(b, 6, 32, 0, IPPROTO_UDP);
	memcpy(b + 24, udp, sizeof(udp));
	put_unaligned_be16(19, b + 2);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_LEN);
	put_unaligned_be16(23, b + 2);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_LEN);
	/* Header-only length: padding after it is not the UDP header. */
	put_unaligned_be16(24, b + 2);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
	/* Length beyond the data (a snapped packet) is counted as is. */
	put_unaligned_be16(1500, b + 2);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.octets, 1500);
	CHECK_EQ(be16_to_cpu(k.sport), 53);
}

/* tot_len 0 is IPv4 BIG TCP: the length is the packet's. */
static void test_v4_zero_total_length(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[60];

	v4(b, 5, 0, 0, IPPROTO_TCP);
	memcpy(b + 20, tcp, sizeof(tcp));
	memset(b + 40, 0, 20);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.octets, 60);
	CHECK_EQ(pi.tcp_flags, 0x12);
}

static void test_v4_truncated_l4(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	unsigned int len;
	u8 b[40];

	for (len = 20; len < 34; len++) {
		v4(b, 5, len, 0, IPPROTO_TCP);
		memcpy(b + 20, tcp, sizeof(tcp));
		CHECK_EQ(parse(b, len, 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
		/* the IP part is filled in */
		CHECK_EQ(k.proto, IPPROTO_TCP);
		CHECK_EQ(pi.octets, len);
	}
	v4(b, 5, 34, 0, IPPROTO_TCP);
	memcpy(b + 20, tcp, sizeof(tcp));
	CHECK_EQ(parse(b, 34, 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.tcp_flags, 0x12);

	for (len = 20; len < 24; len++) {
		v4(b, 5, len, 0, IPPROTO_UDP);
		memcpy(b + 20, udp, sizeof(udp));
		CHECK_EQ(parse(b, len, 4, 0, &k, &pi), FM_PERR_TRUNC_L4);
	}
	v4(b, 5, 24, 0, IPPROTO_UDP);
	CHECK_EQ(parse(b, 24, 4, 0, &k, &pi), FM_PARSE_OK);
}

static void test_v4_first_fragment(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[36];

	v4(b, 5, 36, 0x2000, IPPROTO_UDP);	/* MF, offset 0 */
	memcpy(b + 20, udp, sizeof(udp));
	memset(b + 28, 0, 8);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	expect_v4_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.frag, 1);
	CHECK_EQ(pi.l4_missing, 0);

	/* DF alone is not a fragment */
	put_unaligned_be16(0x4000, b + 6);
	CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.frag, 0);
}

static void test_v4_later_fragment(void)
{
	static const unsigned int frags[] = { 0x2001, 0x0001, 0x1fff };
	struct fm_key k, e;
	struct fm_pktinfo pi;
	unsigned int i;
	u8 b[28];

	for (i = 0; i < ARRAY_SIZE(frags); i++) {
		v4(b, 5, 28, frags[i], IPPROTO_TCP);
		memset(b + 20, 0x11, 8);
		CHECK_EQ(parse(b, sizeof(b), 4, 0, &k, &pi), FM_PARSE_OK);
		expect_v4_key(&e, IPPROTO_TCP, 0, 0);
		CHECK(!memcmp(&k, &e, sizeof(k)));
		CHECK_EQ(pi.frag, 1);
		CHECK_EQ(pi.l4_missing, 1);
		CHECK_EQ(pi.tcp_flags, 0);
		/* no L4 header is needed at all */
		CHECK_EQ(parse(b, 20, 4, 0, &k, &pi), FM_PARSE_OK);
	}
}

static void test_v6_udp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[48];
	unsigned int n = v6(b, 8, IPPROTO_UDP);

	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(fm_key_len(&k), FM_KEY_LEN_V6);
	CHECK_EQ(pi.octets, 48);
	CHECK_EQ(pi.ttl, 33);
	CHECK_EQ(pi.frag, 0);
	CHECK_EQ(pi.l4_missing, 0);
}

static void test_v6_tcp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[60];
	unsigned int n = v6(b, 20, IPPROTO_TCP);

	memcpy(b + n, tcp, sizeof(tcp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_TCP, 1234, 80);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.tcp_flags, 0x12);
	CHECK_EQ(pi.octets, 60);

	/* 13 bytes of TCP: no flags byte */
	put_unaligned_be16(13, b + 4);
	CHECK_EQ(parse(b, 53, 6, 0, &k, &pi), FM_PERR_TRUNC_L4);
}

static void test_v6_icmp(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[48];
	unsigned int n = v6(b, 8, IPPROTO_ICMPV6);

	memset(b + n, 0, 8);
	b[n] = 128;	/* echo request */
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_ICMPV6, 0, 128 * 256);
	CHECK(!memcmp(&k, &e, sizeof(k)));

	/* ICMPv4 inside IPv6 is an unknown protocol */
	v6(b, 8, IPPROTO_ICMP);
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(k.dport, 0);
	CHECK_EQ(pi.l4_missing, 1);
}

static void test_v6_bad_header(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	unsigned int len;
	u8 b[48];

	v6(b, 8, IPPROTO_UDP);
	memcpy(b + 40, udp, sizeof(udp));
	for (len = 0; len < 40; len++)
		CHECK_EQ(parse(b, len, 6, 0, &k, &pi), FM_PERR_TRUNC_L3);
	b[0] = 0x4b;
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PERR_VERSION);
}

static void test_v6_traffic_class_flowlabel(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[48];

	v6(b, 8, IPPROTO_UDP);
	memcpy(b + 40, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(k.tos, 0xb8);
	CHECK_EQ(k.addr.v6.flowlabel, 0);

	CHECK_EQ(parse(b, sizeof(b), 6, FM_PARSE_FLOWLABEL, &k, &pi),
		 FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_UDP, 53, 40000);
	e.addr.v6.flowlabel = cpu_to_be32(0x12345);
	CHECK(!memcmp(&k, &e, sizeof(k)));

	/* all traffic class bits, flow label all ones */
	b[0] = 0x6f;
	b[1] = 0xff;
	b[2] = 0xff;
	b[3] = 0xff;
	CHECK_EQ(parse(b, sizeof(b), 6, FM_PARSE_FLOWLABEL, &k, &pi),
		 FM_PARSE_OK);
	CHECK_EQ(k.tos, 0xff);
	CHECK_EQ(be32_to_cpu(k.addr.v6.flowlabel), 0xfffff);
}

static void test_v6_ext_chain(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[40 + 8 + 24 + 16 + 8 + 20];
	unsigned int n = v6(b, sizeof(b) - 40, IPPROTO_HOPOPTS);

	n += ext(b + n, IPPROTO_ROUTING, 0);
	n += ext(b + n, IPPROTO_AH, 2);
	/* AH: 16 bytes, payload length (16 / 4) - 2 */
	memset(b + n, 0, 16);
	b[n] = IPPROTO_DSTOPTS;
	b[n + 1] = 2;
	n += 16;
	n += ext(b + n, IPPROTO_TCP, 0);
	memcpy(b + n, tcp, sizeof(tcp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_TCP, 1234, 80);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.tcp_flags, 0x12);
	CHECK_EQ(pi.octets, sizeof(b));
	CHECK_EQ(pi.frag, 0);
}

static void test_v6_first_fragment(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[40 + 8 + 8 + 8];
	unsigned int n = v6(b, 24, IPPROTO_DSTOPTS);

	n += ext(b + n, IPPROTO_FRAGMENT, 0);
	n += frag6(b + n, IPPROTO_UDP, 0, 1);
	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_UDP, 53, 40000);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.frag, 1);
	CHECK_EQ(pi.l4_missing, 0);

	/* atomic fragment (offset 0, no M): still a fragment header */
	frag6(b + 48, IPPROTO_UDP, 0, 0);
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.frag, 1);
	CHECK_EQ(be16_to_cpu(k.dport), 40000);

	/* first fragment that does not hold the UDP header */
	put_unaligned_be16(18, b + 4);
	CHECK_EQ(parse(b, 58, 6, 0, &k, &pi), FM_PERR_TRUNC_L4);
}

static void test_v6_later_fragment(void)
{
	struct fm_key k, e;
	struct fm_pktinfo pi;
	u8 b[40 + 8 + 8];
	unsigned int n = v6(b, 16, IPPROTO_FRAGMENT);

	n += frag6(b + n, IPPROTO_TCP, 185, 1);
	memset(b + n, 0x11, 8);
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	expect_v6_key(&e, IPPROTO_TCP, 0, 0);
	CHECK(!memcmp(&k, &e, sizeof(k)));
	CHECK_EQ(pi.frag, 1);
	CHECK_EQ(pi.l4_missing, 1);
	CHECK_EQ(pi.tcp_flags, 0);

	/* last fragment, next header is another extension header */
	frag6(b + 40, IPPROTO_DSTOPTS, 1, 0);
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(k.proto, IPPROTO_DSTOPTS);
	CHECK_EQ(pi.l4_missing, 1);
}

static void test_v6_ext_truncated(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	unsigned int len;
	u8 b[40 + 16 + 8];

	v6(b, 24, IPPROTO_HOPOPTS);
	ext(b + 40, IPPROTO_UDP, 1);
	memcpy(b + 56, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);

	/* cut by the packet end inside the 16-byte header */
	for (len = 40; len < 56; len++)
		CHECK_EQ(parse(b, len, 6, 0, &k, &pi), FM_PERR_EXTHDR);
	/* cut by the payload length */
	for (len = 1; len < 16; len++) {
		put_unaligned_be16(len, b + 4);
		CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PERR_EXTHDR);
	}
	/* a header claiming 2 KiB */
	put_unaligned_be16(24, b + 4);
	b[41] = 255;
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PERR_EXTHDR);
}

static void test_v6_ext_too_long(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[40 + 9 * 8 + 8];
	unsigned int i, n;

	/* eight destination options headers are fine */
	n = v6(b, 8 * 8 + 8, IPPROTO_DSTOPTS);
	for (i = 0; i < 8; i++)
		n += ext(b + n, i < 7 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 0);
	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse(b, n + 8, 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(be16_to_cpu(k.sport), 53);

	/* nine are not */
	n = v6(b, 9 * 8 + 8, IPPROTO_DSTOPTS);
	for (i = 0; i < 9; i++)
		n += ext(b + n, i < 8 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 0);
	memcpy(b + n, udp, sizeof(udp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PERR_EXTHDR);
}

/* ESP, No Next Header and Mobility end the chain without ports. */
static void test_v6_chain_end(void)
{
	static const u8 ends[] = { IPPROTO_ESP, IPPROTO_NONE, IPPROTO_MH };
	struct fm_key k, e;
	struct fm_pktinfo pi;
	unsigned int i;
	u8 b[40 + 8 + 16];

	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		v6(b, 24, IPPROTO_HOPOPTS);
		ext(b + 40, ends[i], 0);
		memset(b + 48, 0x22, 16);
		CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
		expect_v6_key(&e, ends[i], 0, 0);
		CHECK(!memcmp(&k, &e, sizeof(k)));
		CHECK_EQ(pi.l4_missing, 1);
	}
	/* No Next Header right after the IPv6 header, empty payload */
	v6(b, 0, IPPROTO_NONE);
	CHECK_EQ(parse(b, 40, 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(k.proto, IPPROTO_NONE);
	CHECK_EQ(pi.octets, 40);
	CHECK_EQ(pi.l4_missing, 1);
}

/* payload length 0: jumbogram or BIG TCP, the length is the packet's */
static void test_v6_jumbo(void)
{
	struct fm_key k;
	struct fm_pktinfo pi;
	u8 b[40 + 8 + 20];

	v6(b, 0, IPPROTO_HOPOPTS);
	ext(b + 40, IPPROTO_TCP, 0);
	b[42] = 0xc2;	/* jumbo payload option */
	b[43] = 4;
	memcpy(b + 48, tcp, sizeof(tcp));
	CHECK_EQ(parse(b, sizeof(b), 6, 0, &k, &pi), FM_PARSE_OK);
	CHECK_EQ(pi.octets, sizeof(b));
	CHECK_EQ(pi.tcp_flags, 0x12);
	CHECK_EQ(parse(b, 60, 6, 0, &k, &pi), FM_PERR_TRUNC_L4);
}

/* fm_parse_mpls() on an exact-size heap copy, as parse_at() */
static int mpls_at(const u8 *b, unsigned int len, u8 top[3],
		   unsigned int *ipoff, u8 *family)
{
	u8 *copy = malloc(len ? len : 1);
	fm_pkt_t pkt = { copy, len };
	int ret;

	memcpy(copy, b, len);
	ret = fm_parse_mpls(&pkt, 0, top, ipoff, family);
	free(copy);
	return ret;
}

/* A label entry: label, TC, S, TTL 64 */
static void lse(u8 *b, u32 label, u8 tc, int s)
{
	put_unaligned_be32(label << 12 | tc << 9 | !!s << 8 | 64, b);
}

/*
 * MPLS: the top entry (without its TTL) and the IP packet after the
 * bottom of stack, its family by the version nibble; a stack without a
 * bottom within FM_MPLS_DEPTH_MAX or the data, nothing or no IP after it
 * are errors.
 */
static void test_mpls(void)
{
	u8 b[4 * (FM_MPLS_DEPTH_MAX + 1) + 48], top[3];
	struct fm_pktinfo pi;
	unsigned int ipoff, i, n;
	struct fm_key k;
	u8 family = 0;

	lse(b, 1000, 5, 0);
	lse(b + 4, 2000, 0, 1);
	n = 8 + v4(b + 8, 5, 28, 0, IPPROTO_UDP);
	memcpy(b + n, udp, 8);
	n += 8;
	CHECK_EQ(mpls_at(b, n, top, &ipoff, &family), 0);
	CHECK_EQ(ipoff, 8);
	CHECK_EQ(family, 4);
	CHECK_EQ(top[0] << 16 | top[1] << 8 | top[2], 1000 << 4 | 5 << 1);
	CHECK_EQ(parse_at(b, n, ipoff, family, 0, &k, &pi), 0);
	expect_v4_key(&k, IPPROTO_UDP, 53, 40000);

	lse(b, 16, 7, 1);
	n = 4 + v6(b + 4, 8, IPPROTO_UDP);
	memcpy(b + n, udp, 8);
	n += 8;
	CHECK_EQ(mpls_at(b, n, top, &ipoff, &family), 0);
	CHECK_EQ(ipoff, 4);
	CHECK_EQ(family, 6);
	CHECK_EQ(top[0] << 16 | top[1] << 8 | top[2], 16 << 4 | 7 << 1 | 1);

	/* errors: cut in the stack, nothing after it, not IP after it */
	for (i = 0; i < 4; i++)
		CHECK_EQ(mpls_at(b, i, top, &ipoff, &family), FM_PERR_MPLS);
	CHECK_EQ(mpls_at(b, 4, top, &ipoff, &family), FM_PERR_TRUNC_L3);
	b[4] = 0x00;
	CHECK_EQ(mpls_at(b, 5, top, &ipoff, &family), FM_PERR_VERSION);

	/* the deepest stack taken, one more refused */
	for (i = 0; i < FM_MPLS_DEPTH_MAX; i++)
		lse(b + 4 * i, 100 + i, 0, i == FM_MPLS_DEPTH_MAX - 1);
	n = 4 * i + v4(b + 4 * i, 5, 28, 0, IPPROTO_UDP);
	CHECK_EQ(mpls_at(b, n, top, &ipoff, &family), 0);
	CHECK_EQ(ipoff, 4 * FM_MPLS_DEPTH_MAX);
	for (i = 0; i <= FM_MPLS_DEPTH_MAX; i++)
		lse(b + 4 * i, 100 + i, 0, i == FM_MPLS_DEPTH_MAX);
	n = 4 * i + v4(b + 4 * i, 5, 28, 0, IPPROTO_UDP);
	CHECK_EQ(mpls_at(b, n, top, &ipoff, &family), FM_PERR_MPLS);
}

int main(void)
{
	RUN_TEST(test_v4_tcp);
	RUN_TEST(test_v4_udp);
	RUN_TEST(test_v4_port_protocols);
	RUN_TEST(test_v4_icmp);
	RUN_TEST(test_v4_unknown_proto);
	RUN_TEST(test_v4_options);
	RUN_TEST(test_v4_nhoff);
	RUN_TEST(test_v4_truncated_header);
	RUN_TEST(test_v4_bad_version);
	RUN_TEST(test_v4_bad_ihl);
	RUN_TEST(test_v4_bad_total_length);
	RUN_TEST(test_v4_zero_total_length);
	RUN_TEST(test_v4_truncated_l4);
	RUN_TEST(test_v4_first_fragment);
	RUN_TEST(test_v4_later_fragment);
	RUN_TEST(test_v6_udp);
	RUN_TEST(test_v6_tcp);
	RUN_TEST(test_v6_icmp);
	RUN_TEST(test_v6_bad_header);
	RUN_TEST(test_v6_traffic_class_flowlabel);
	RUN_TEST(test_v6_ext_chain);
	RUN_TEST(test_v6_first_fragment);
	RUN_TEST(test_v6_later_fragment);
	RUN_TEST(test_v6_ext_truncated);
	RUN_TEST(test_v6_ext_too_long);
	RUN_TEST(test_v6_chain_end);
	RUN_TEST(test_mpls);
	RUN_TEST(test_v6_jumbo);
	return KTAP_EXIT();
}
