// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl's command line parsers and output helpers: numbers with range
 * checks, ADDR:PORT in both families, protocols, hook lists, versions,
 * human numbers, the JSON writer, merging and sorting flows, the set and
 * destination words, configuration files with their line numbers, and the
 * Prometheus text format.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "flowctl.h"
#include "ktap.h"

static void test_numbers(void)
{
	uint32_t v = 7;
	uint64_t w;

	CHECK(!fc_parse_u32("t", "0", 0, 10, &v));
	CHECK_EQ(v, 0);
	CHECK(!fc_parse_u32("t", "10", 0, 10, &v));
	CHECK_EQ(v, 10);
	CHECK(!fc_parse_u32("t", "4294967295", 0, UINT32_MAX, &v));
	CHECK_EQ(v, UINT32_MAX);
	v = 7;
	CHECK(fc_parse_u32("t", "11", 0, 10, &v));
	CHECK(fc_parse_u32("t", "0", 1, 10, &v));
	CHECK(fc_parse_u32("t", "4294967296", 0, UINT32_MAX, &v));
	CHECK(fc_parse_u32("t", "abc", 0, 10, &v));
	CHECK(fc_parse_u32("t", "", 0, 10, &v));
	CHECK(fc_parse_u32("t", "-1", 0, 10, &v));
	CHECK(fc_parse_u32("t", "+1", 0, 10, &v));
	CHECK(fc_parse_u32("t", " 1", 0, 10, &v));
	CHECK(fc_parse_u32("t", "1 ", 0, 10, &v));
	CHECK(fc_parse_u32("t", "5s", 0, 10, &v));
	CHECK(fc_parse_u32("t", "0x5", 0, 10, &v));
	CHECK_EQ(v, 7);
	CHECK(!fc_parse_u64("t", "18446744073709551615", 0, UINT64_MAX, &w));
	CHECK_EQ(w, UINT64_MAX);
	CHECK(fc_parse_u64("t", "18446744073709551616", 0, UINT64_MAX, &w));
}

static void check_addr(const char *s, bool need_port, int family,
		       const char *addr, uint16_t port)
{
	uint8_t want[16] = { 0 };
	struct fc_addr a;

	CHECK(!fc_parse_addr_port("test", s, need_port, &a));
	CHECK_EQ(a.family, family);
	CHECK(inet_pton(family, addr, want) == 1);
	CHECK(!memcmp(a.addr, want, 16));
	CHECK_EQ(a.port, port);
}

static void test_addr_port(void)
{
	struct fc_addr a;

	check_addr("10.0.2.1:2055", true, AF_INET, "10.0.2.1", 2055);
	check_addr("10.0.2.1", false, AF_INET, "10.0.2.1", 0);
	check_addr("[fd02::1]:4739", true, AF_INET6, "fd02::1", 4739);
	check_addr("[fd02::1]", false, AF_INET6, "fd02::1", 0);
	check_addr("fd02::1", false, AF_INET6, "fd02::1", 0);
	check_addr("::", false, AF_INET6, "::", 0);
	check_addr("[::ffff:10.0.0.1]:1", true, AF_INET6, "::ffff:10.0.0.1", 1);
	check_addr("255.255.255.255:65535", true, AF_INET, "255.255.255.255",
		   65535);

	CHECK(fc_parse_addr_port("t", "10.0.2.1", true, &a));
	CHECK(fc_parse_addr_port("t", "[fd02::1]", true, &a));
	CHECK(fc_parse_addr_port("t", "fd02::1", true, &a));
	CHECK(fc_parse_addr_port("t", "fd02::1:2055", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2.1:", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2.1:0", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2.1:65536", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2.1:x", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2:2055", true, &a));
	CHECK(fc_parse_addr_port("t", "10.0.2.256:2055", true, &a));
	CHECK(fc_parse_addr_port("t", "host:2055", true, &a));
	CHECK(fc_parse_addr_port("t", "[fd02::1:2055", true, &a));
	CHECK(fc_parse_addr_port("t", "[fd02::1]2055", true, &a));
	CHECK(fc_parse_addr_port("t", "[10.0.2.1]x", false, &a));
	CHECK(fc_parse_addr_port("t", "[]:1", true, &a));
	CHECK(fc_parse_addr_port("t", "", false, &a));
	CHECK(fc_parse_addr_port("t", "[1111:2222:3333:4444:5555:6666:7777:8888:9999]:1",
				 true, &a));

	CHECK(!fc_parse_addr("t", "10.0.1.1", &a));
	CHECK_EQ(a.family, AF_INET);
	CHECK_EQ(fc_addr_len(&a), 4);
	CHECK(!fc_parse_addr("t", "fd01::1", &a));
	CHECK_EQ(fc_addr_len(&a), 16);
	CHECK(fc_parse_addr("t", "10.0.1.1:80", &a));
	CHECK(fc_parse_addr("t", "[fd01::1]", &a));
}

static void test_format_addr(void)
{
	struct fc_addr a;
	char s[64];

	CHECK(!fc_parse_addr_port("t", "[fd02::1]:2055", true, &a));
	fc_format_addr(&a, true, s, sizeof(s));
	CHECK(!strcmp(s, "[fd02::1]:2055"));
	fc_format_addr(&a, false, s, sizeof(s));
	CHECK(!strcmp(s, "fd02::1"));
	CHECK(!fc_parse_addr_port("t", "10.0.2.1:9", true, &a));
	fc_format_addr(&a, true, s, sizeof(s));
	CHECK(!strcmp(s, "10.0.2.1:9"));
}

static void test_proto(void)
{
	uint8_t p = 99;

	CHECK(!fc_parse_proto("tcp", &p));
	CHECK_EQ(p, 6);
	CHECK(!fc_parse_proto("udp", &p));
	CHECK_EQ(p, 17);
	CHECK(!fc_parse_proto("icmp", &p));
	CHECK_EQ(p, 1);
	CHECK(!fc_parse_proto("icmpv6", &p));
	CHECK_EQ(p, 58);
	CHECK(!fc_parse_proto("0", &p));
	CHECK_EQ(p, 0);
	CHECK(!fc_parse_proto("255", &p));
	CHECK_EQ(p, 255);
	CHECK(fc_parse_proto("256", &p));
	CHECK(fc_parse_proto("TCP", &p));
	CHECK(fc_parse_proto("tc", &p));
	CHECK(fc_parse_proto("", &p));
	CHECK_EQ(p, 255);
	CHECK(!strcmp(fc_proto_name(17), "udp"));
	CHECK(!strcmp(fc_proto_name(6), "tcp"));
	CHECK(!strcmp(fc_proto_name(1), "icmp"));
	CHECK(!fc_proto_name(253));
}

/* flows and top: match words, prefixes with their lengths */
static void test_match(void)
{
	char *argv[] = { "src", "10.1.2.3/24", "dst", "fd00::1", "sport", "80",
			 "proto", "udp", "tos", "255", "iif", "eth0", "sort" };
	char *bad[] = { "src", "10.1.2.3/33", "dst", "fd00::/129", "tos",
			"256", "dport", "65536", "oif", "", "src" };
	int argc = ARRAY_SIZE(argv), i;
	struct fc_match m = { 0 };

	for (i = 0; i < argc - 1; i++)
		CHECK_EQ(fc_match_word(&m, "top", argc, argv, &i), 1);
	CHECK_EQ(i, argc - 1);
	CHECK_EQ(fc_match_word(&m, "top", argc, argv, &i), 0);	/* sort */
	CHECK_EQ(m.src.family, AF_INET);
	CHECK_EQ(m.splen, 24);
	CHECK_EQ(m.dst.family, AF_INET6);
	CHECK_EQ(m.dplen, 128);
	CHECK(m.has_sport && m.sport == 80 && !m.has_dport);
	CHECK(m.has_proto && m.proto == 17);
	CHECK(m.has_tos && m.tos == 255);
	CHECK(!strcmp(m.iif, "eth0") && !m.oif[0]);
	CHECK(fc_match_check(&m, "top"));	/* families differ */
	m.dst.family = 0;
	CHECK(!fc_match_check(&m, "top"));
	for (i = 0; i < (int)ARRAY_SIZE(bad) - 1; i++) {
		struct fc_match b = { 0 };

		CHECK_EQ(fc_match_word(&b, "top", ARRAY_SIZE(bad), bad, &i), -1);
	}
	i = ARRAY_SIZE(bad) - 1;	/* "src" without its value */
	CHECK_EQ(fc_match_word(&m, "top", ARRAY_SIZE(bad), bad, &i), -1);
}

static void test_hooks(void)
{
	uint32_t m;

	CHECK(!fc_parse_hooks("forward", &m));
	CHECK_EQ(m, 1 << 2);
	CHECK(!fc_parse_hooks("forward,prerouting", &m));
	CHECK_EQ(m, (1 << 2) | (1 << 0));
	CHECK(!fc_parse_hooks("prerouting,input,forward,output,postrouting", &m));
	CHECK_EQ(m, 0x1f);
	CHECK(!fc_parse_hooks("output,output", &m));
	CHECK_EQ(m, 1 << 3);
	CHECK(!fc_parse_hooks("forward,bridge", &m));	/* FM_HOOK_BRIDGE */
	CHECK_EQ(m, (1 << 2) | (1 << 5));
	CHECK(fc_parse_hooks("", &m));
	CHECK(fc_parse_hooks("forward,", &m));
	CHECK(fc_parse_hooks(",forward", &m));
	CHECK(fc_parse_hooks("forwar", &m));
	CHECK(fc_parse_hooks("forwards", &m));
	CHECK(fc_parse_hooks("forward input", &m));
}

static void test_iflist(void)
{
	struct fc_iflist l;

	CHECK(!fc_parse_iflist("include", "eth0", &l));
	CHECK_EQ(l.n, 1);
	CHECK(!strcmp(l.name[0], "eth0"));
	CHECK(!fc_parse_iflist("include", "eth0,veth*,0123456789abcde", &l));
	CHECK_EQ(l.n, 3);
	CHECK(!strcmp(l.name[1], "veth*"));
	CHECK(!strcmp(l.name[2], "0123456789abcde"));
	CHECK(!fc_parse_iflist("exclude", "a,b,c,d,e,f,g,h", &l));
	CHECK_EQ(l.n, 8);
	CHECK(fc_parse_iflist("exclude", "a,b,c,d,e,f,g,h,i", &l));
	CHECK(fc_parse_iflist("include", "0123456789abcdef", &l));
	CHECK(fc_parse_iflist("include", "", &l));
	CHECK(fc_parse_iflist("include", "eth0,", &l));
	CHECK(fc_parse_iflist("include", ",eth0", &l));
}

static void test_words(void)
{
	uint8_t v;
	bool on = false;

	CHECK(!fc_parse_version("ipfix", &v));
	CHECK_EQ(v, 10);
	CHECK(!fc_parse_version("10", &v));
	CHECK_EQ(v, 10);
	CHECK(!fc_parse_version("9", &v));
	CHECK_EQ(v, 9);
	CHECK(!fc_parse_version("5", &v));
	CHECK_EQ(v, 5);
	CHECK(fc_parse_version("6", &v));
	CHECK(fc_parse_version("IPFIX", &v));
	CHECK(!strcmp(fc_version_name(10), "ipfix"));
	CHECK(!fc_parse_onoff("t", "on", &on));
	CHECK(on);
	CHECK(!fc_parse_onoff("t", "off", &on));
	CHECK(!on);
	CHECK(fc_parse_onoff("t", "1", &on));
	CHECK(fc_parse_onoff("t", "o", &on));
}

static void check_human(uint64_t v, const char *want)
{
	char buf[FC_HUMAN_LEN];

	fc_human(v, false, buf);
	if (strcmp(buf, want)) {
		printf("#   human(%llu) = %s, want %s\n",
		       (unsigned long long)v, buf, want);
		ktap_failed_checks++;
	}
}

static void test_human(void)
{
	char buf[FC_HUMAN_LEN];

	check_human(0, "0");
	check_human(999, "999");
	check_human(1000, "1.0K");
	check_human(1049, "1.0K");
	check_human(1050, "1.1K");
	check_human(1234, "1.2K");
	check_human(3400000, "3.4M");
	check_human(999949, "999.9K");
	check_human(999950, "1.0M");
	check_human(123456789, "123.5M");
	check_human(1000000000000ULL, "1.0T");
	check_human(UINT64_MAX, "18.4E");
	CHECK(!strcmp(fc_human(1234, true, buf), "1234"));
	CHECK(!strcmp(fc_human(UINT64_MAX, true, buf), "18446744073709551615"));
}

static void test_json(void)
{
	struct fc_json j;
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	fc_json_init(&j, f);
	fc_json_open(&j, NULL, '{');
	fc_json_u64(&j, "bytes", UINT64_MAX);
	fc_json_int(&j, "cpu", -1);
	fc_json_str(&j, "name", "a\"b\\c\n");
	fc_json_bool(&j, "on", true);
	fc_json_open(&j, "list", '[');
	fc_json_str(&j, NULL, "x");
	fc_json_open(&j, NULL, '{');
	fc_json_close(&j, '}');
	fc_json_close(&j, ']');
	fc_json_open(&j, "empty", '[');
	fc_json_close(&j, ']');
	fc_json_close(&j, '}');
	fclose(f);
	CHECK(!strcmp(out, "{\"bytes\":18446744073709551615,\"cpu\":-1,"
		      "\"name\":\"a\\\"b\\\\c\\u000a\",\"on\":true,"
		      "\"list\":[\"x\",{}],\"empty\":[]}\n"));
	free(out);
}

static struct fc_flow mkflow(const char *src, uint16_t sport, uint64_t pkts,
			     uint64_t bytes, int cpu)
{
	struct fc_flow f = { 0 };

	fc_parse_addr("t", src, &f.src);
	fc_parse_addr("t", "10.0.2.1", &f.dst);
	f.src.port = sport;
	f.dst.port = 9000;
	f.proto = 17;
	f.packets = pkts;
	f.bytes = bytes;
	f.start_ms = 1000 + cpu;
	f.end_ms = 2000 + cpu;
	f.ttl_min = 60 + cpu;
	f.ttl_max = 60 + cpu;
	f.cpu = cpu;
	return f;
}

static void test_merge_sort(void)
{
	struct fc_flow f[5];
	size_t n;

	f[0] = mkflow("10.0.1.1", 4000, 10, 1000, 0);
	f[1] = mkflow("10.0.1.1", 4001, 300, 3000, 1);
	f[2] = mkflow("10.0.1.1", 4000, 5, 500, 1);
	f[3] = mkflow("10.0.1.1", 4002, 100, 9000, 0);
	f[4] = mkflow("fd01::1", 4000, 1, 100, 0);
	n = fc_flows_merge(f, 5);
	CHECK_EQ(n, 4);
	fc_flows_sort(f, n, FC_SORT_BYTES);
	CHECK_EQ(f[0].src.port, 4002);
	CHECK_EQ(f[1].src.port, 4001);
	CHECK_EQ(f[2].src.port, 4000);
	CHECK_EQ(f[2].packets, 15);
	CHECK_EQ(f[2].bytes, 1500);
	CHECK_EQ(f[2].start_ms, 1000);
	CHECK_EQ(f[2].end_ms, 2001);
	CHECK_EQ(f[2].ttl_min, 60);
	CHECK_EQ(f[2].ttl_max, 61);
	CHECK_EQ(f[2].cpu, -1);
	CHECK_EQ(f[0].cpu, 0);
	CHECK_EQ(f[3].src.family, AF_INET6);
	fc_flows_sort(f, n, FC_SORT_PACKETS);
	CHECK_EQ(f[0].src.port, 4001);
	CHECK_EQ(f[1].src.port, 4002);
	CHECK_EQ(f[3].packets, 1);
	CHECK_EQ(fc_flows_merge(f, 0), 0);
}

/* stderr is captured while a parser runs, so its message can be checked. */
static char *err_buf;
static size_t err_len;
static FILE *err_saved;

static void err_capture(void)
{
	err_saved = stderr;
	stderr = open_memstream(&err_buf, &err_len);
}

/* Stop capturing; true if the message equals want ("" for none). */
static bool err_is(const char *want)
{
	bool ok;

	fclose(stderr);
	stderr = err_saved;
	ok = !strcmp(err_buf, want);
	if (!ok)
		printf("#   stderr: '%s', want '%s'\n", err_buf, want);
	free(err_buf);
	err_buf = NULL;
	return ok;
}

/* Split a string of words (at most 16) into argv, then parse it as set. */
static int set_words(struct fc_set *s, const char *words)
{
	char buf[256], *argv[16];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", words);
	for (p = strtok(buf, " "); p && argc < 16; p = strtok(NULL, " "))
		argv[argc++] = p;
	return fc_set_parse(s, argc, argv);
}

static int dest_words(struct fc_dest *d, const char *words)
{
	char buf[256], *argv[24];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", words);
	for (p = strtok(buf, " "); p && argc < 24; p = strtok(NULL, " "))
		argv[argc++] = p;
	return fc_dest_parse(d, argc, argv);
}

static void test_mark(void)
{
	uint32_t v = 7, m = 7;

	CHECK(!fc_parse_mark("1", &v, &m));
	CHECK_EQ(v, 1);
	CHECK_EQ(m, UINT32_MAX);
	CHECK(!fc_parse_mark("0x10/0xf0", &v, &m));
	CHECK_EQ(v, 0x10);
	CHECK_EQ(m, 0xf0);
	CHECK(!fc_parse_mark("0/0xFF", &v, &m));
	CHECK_EQ(v, 0);
	CHECK_EQ(m, 0xff);
	CHECK(!fc_parse_mark("4294967295", &v, &m));
	CHECK_EQ(v, UINT32_MAX);
	CHECK(!fc_parse_mark("0xffffffff/0xffffffff", &v, &m));
	CHECK_EQ(v, UINT32_MAX);
	CHECK(!fc_parse_mark("16/240", &v, &m));
	CHECK_EQ(v, 16);
	CHECK_EQ(m, 240);
	v = m = 7;
	err_capture();
	CHECK(fc_parse_mark("0x100000000", &v, &m));
	CHECK(fc_parse_mark("4294967296", &v, &m));
	CHECK(fc_parse_mark("0x1ff/0xff", &v, &m));
	CHECK(fc_parse_mark("1/0", &v, &m));
	CHECK(fc_parse_mark("0/0", &v, &m));
	CHECK(fc_parse_mark("", &v, &m));
	CHECK(fc_parse_mark("0x", &v, &m));
	CHECK(fc_parse_mark("1/", &v, &m));
	CHECK(fc_parse_mark("/1", &v, &m));
	CHECK(fc_parse_mark("1/2/3", &v, &m));
	CHECK(fc_parse_mark("-1", &v, &m));
	CHECK(fc_parse_mark("0xg", &v, &m));
	CHECK(fc_parse_mark("12a", &v, &m));
	CHECK(fc_parse_mark(" 1", &v, &m));
	CHECK(err_is("flowctl: mark: '0x100000000' is more than 32 bits\n"
		     "flowctl: mark: '4294967296' is more than 32 bits\n"
		     "flowctl: mark: 0x1ff has bits outside its mask 0xff\n"
		     "flowctl: mark: mask 0 matches every packet: use 'mark all'\n"
		     "flowctl: mark: mask 0 matches every packet: use 'mark all'\n"
		     "flowctl: mark: '' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: '0x' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark mask: '' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: '' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark mask: '2/3' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: '-1' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: '0xg' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: '12a' is not a number (decimal or 0x hexadecimal)\n"
		     "flowctl: mark: ' 1' is not a number (decimal or 0x hexadecimal)\n"));
	CHECK_EQ(v, 7);
	CHECK_EQ(m, 7);
}

static void test_set(void)
{
	struct fc_set s;

	CHECK(!set_words(&s, "set timeout active 60 inactive 15 mtu 1400"));
	CHECK(s.has[FM_A_ACTIVE_TIMEOUT] && s.has[FM_A_INACTIVE_TIMEOUT]);
	CHECK_EQ(s.v[FM_A_ACTIVE_TIMEOUT], 60);
	CHECK_EQ(s.v[FM_A_INACTIVE_TIMEOUT], 15);
	CHECK_EQ(s.v[FM_A_MTU], 1400);
	CHECK(!s.has[FM_A_MAX_FLOWS]);
	CHECK(!set_words(&s, "set sampling 10 random hooks input,forward flowlabel on top 5 by packets"));
	CHECK_EQ(s.v[FM_A_SAMPLING_RATE], 10);
	CHECK_EQ(s.v[FM_A_SAMPLING_MODE], FM_SAMPLING_MODE_RANDOM);
	CHECK_EQ(s.v[FM_A_HOOKS], (1 << 1) | (1 << 2));
	CHECK(s.has[FM_A_FLOWLABEL] && s.v[FM_A_FLOWLABEL] == 1);
	CHECK_EQ(s.v[FM_A_TOP_N], 5);
	CHECK_EQ(s.v[FM_A_TOP_BY], FM_TOP_BY_PACKETS);
	CHECK(!set_words(&s, "set sampling 3"));
	CHECK(!s.has[FM_A_SAMPLING_MODE]);
	CHECK(!set_words(&s, "set template-refresh 30 packets 5 max-flows 67108864 domain-id 0"));
	CHECK_EQ(s.v[FM_A_TEMPLATE_PACKETS], 5);
	CHECK_EQ(s.v[FM_A_MAX_FLOWS], 1 << 26);
	CHECK(s.has[FM_A_DOMAIN_ID] && !s.v[FM_A_DOMAIN_ID]);
	CHECK(!set_words(&s, "set netns-max-flows 4096"));
	CHECK(s.has[FM_A_NETNS_MAX_FLOWS] && s.v[FM_A_NETNS_MAX_FLOWS] == 4096);
	CHECK(!set_words(&s, "set mark 0x2/0x3 timeout active 9"));
	CHECK(s.has[FM_A_MARK] && s.has[FM_A_MARK_MASK]);
	CHECK_EQ(s.v[FM_A_MARK], 2);
	CHECK_EQ(s.v[FM_A_MARK_MASK], 3);
	CHECK_EQ(s.v[FM_A_ACTIVE_TIMEOUT], 9);
	CHECK(!set_words(&s, "set sampling-if r0 4 sampling 2 sampling-if veth* 100"));
	CHECK(s.has[FM_A_SAMPLING_IFS]);
	CHECK_EQ(s.sif.n, 2);
	CHECK(!strcmp(s.sif.name[0], "r0") && s.sif_rate[0] == 4);
	CHECK(!strcmp(s.sif.name[1], "veth*") && s.sif_rate[1] == 100);
	CHECK_EQ(s.v[FM_A_SAMPLING_RATE], 2);
	CHECK(!set_words(&s, "set sampling-if none"));
	CHECK(s.has[FM_A_SAMPLING_IFS] && !s.sif.n);
	CHECK(!set_words(&s, "set mark all"));
	CHECK(s.has[FM_A_MARK] && s.has[FM_A_MARK_MASK]);
	CHECK(!s.v[FM_A_MARK] && !s.v[FM_A_MARK_MASK]);

	err_capture();
	CHECK_EQ(set_words(&s, "set bogus 1"), FC_PARSE_WORD);
	CHECK(err_is("flowctl: set: unknown word 'bogus'\n"));
	err_capture();
	CHECK_EQ(set_words(&s, "set mtu"), FC_PARSE_WORD);
	CHECK(err_is("flowctl: set: 'mtu' needs a value\n"));
	err_capture();
	CHECK_EQ(set_words(&s, "set"), FC_PARSE_WORD);
	CHECK_EQ(set_words(&s, "set timeout 5"), FC_PARSE_WORD);
	CHECK_EQ(set_words(&s, "set top 5 by flows"), FC_PARSE_WORD);
	CHECK(err_is("flowctl: set: nothing to set\n"
		     "flowctl: set: 'timeout' needs 'active N' and/or 'inactive N'\n"
		     "flowctl: set: unknown word 'flows'\n"));
	err_capture();
	CHECK_EQ(set_words(&s, "set timeout inactive 0"), -1);
	CHECK_EQ(set_words(&s, "set max-flows 67108865"), -1);
	CHECK_EQ(set_words(&s, "set netns-max-flows 0"), -1);
	CHECK_EQ(set_words(&s, "set hooks forwad"), -1);
	CHECK_EQ(set_words(&s, "set flowlabel yes"), -1);
	CHECK_EQ(set_words(&s, "set template-refresh 1 packets x"), -1);
	CHECK_EQ(set_words(&s, "set mark 3/1"), -1);
	CHECK_EQ(set_words(&s, "set sampling-if r0 0"), -1);
	CHECK_EQ(set_words(&s, "set sampling-if r0 2 sampling-if r0 3"), -1);
	CHECK_EQ(set_words(&s, "set sampling-if r0,r1 2"), -1);
	CHECK_EQ(set_words(&s, "set sampling-if none sampling-if r0 2"), -1);
	CHECK_EQ(set_words(&s, "set sampling-if r0 2 sampling-if none"), -1);
	CHECK(err_is("flowctl: inactive timeout: 0 is out of range (1..604800)\n"
		     "flowctl: max-flows: 67108865 is out of range (1..67108864)\n"
		     "flowctl: netns-max-flows: 0 is out of range (1..67108864)\n"
		     "flowctl: hooks: 'forwad' is not one of prerouting, input, forward, output, postrouting, bridge\n"
		     "flowctl: flowlabel: 'yes' is not on or off\n"
		     "flowctl: packets: 'x' is not a number\n"
		     "flowctl: mark: 0x3 has bits outside its mask 0x1\n"
		     "flowctl: sampling-if rate: 0 is out of range (1..4294967295)\n"
		     "flowctl: sampling-if: 'r0' given twice\n"
		     "flowctl: sampling-if: one interface per 'sampling-if', not 'r0,r1'\n"
		     "flowctl: set: 'sampling-if none' and interfaces given\n"
		     "flowctl: set: 'sampling-if none' and interfaces given\n"));
	CHECK_EQ(set_words(&s, "set sampling-if r0"), FC_PARSE_WORD);
	CHECK_EQ(set_words(&s, "set mark"), FC_PARSE_WORD);
}

static void test_set_hash(void)
{
	static const uint8_t want[FC_HASH_KEY_LEN] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	struct fc_set s;

	CHECK(!set_words(&s, "set sampling 100 hash hash-key 00112233445566778899AABBccddeeff"));
	CHECK_EQ(s.v[FM_A_SAMPLING_RATE], 100);
	CHECK(s.has[FM_A_SAMPLING_MODE]);
	CHECK_EQ(s.v[FM_A_SAMPLING_MODE], FM_SAMPLING_MODE_HASH);
	CHECK(s.has[FM_A_SAMPLING_HASH_KEY]);
	CHECK(!memcmp(s.hash_key, want, sizeof(want)));
	/* the key alone, for the mode and rate already set */
	CHECK(!set_words(&s, "set hash-key 00112233445566778899aabbccddeeff"));
	CHECK(!s.has[FM_A_SAMPLING_RATE] && !s.has[FM_A_SAMPLING_MODE]);
	CHECK(s.has[FM_A_SAMPLING_HASH_KEY]);
	CHECK(!set_words(&s, "set sampling 8 hash"));
	CHECK(!s.has[FM_A_SAMPLING_HASH_KEY]);

	err_capture();
	CHECK_EQ(set_words(&s, "set hash-key 0011"), -1);
	CHECK_EQ(set_words(&s, "set hash-key 00112233445566778899aabbccddeefg"), -1);
	CHECK_EQ(set_words(&s, "set hash-key 00112233445566778899aabbccddeeff00"), -1);
	CHECK(err_is("flowctl: hash-key: '0011' is not 32 hex digits\n"
		     "flowctl: hash-key: '00112233445566778899aabbccddeefg' is not 32 hex digits\n"
		     "flowctl: hash-key: '00112233445566778899aabbccddeeff00' is not 32 hex digits\n"));
	CHECK_EQ(set_words(&s, "set hash-key"), FC_PARSE_WORD);
}

static void test_set_flow_sampling(void)
{
	struct fc_set s;

	CHECK(!set_words(&s, "set flow-sampling 10"));
	CHECK(s.has[FM_A_FLOW_SAMPLING_RATE]);
	CHECK_EQ(s.v[FM_A_FLOW_SAMPLING_RATE], 10);
	CHECK(!s.has[FM_A_FLOW_SAMPLING_MODE]);	/* the mode stays */
	CHECK(!s.has[FM_A_SAMPLING_RATE]);
	CHECK(!set_words(&s, "set flow-sampling 1000 random sampling 10"));
	CHECK_EQ(s.v[FM_A_FLOW_SAMPLING_RATE], 1000);
	CHECK(s.has[FM_A_FLOW_SAMPLING_MODE]);
	CHECK_EQ(s.v[FM_A_FLOW_SAMPLING_MODE], FM_SAMPLING_MODE_RANDOM);
	CHECK_EQ(s.v[FM_A_SAMPLING_RATE], 10);
	CHECK(!set_words(&s, "set flow-sampling 5 deterministic"));
	CHECK_EQ(s.v[FM_A_FLOW_SAMPLING_MODE], FM_SAMPLING_MODE_DETERMINISTIC);
	CHECK(!set_words(&s, "set flow-sampling off"));
	CHECK_EQ(s.v[FM_A_FLOW_SAMPLING_RATE], 1);
	CHECK(!s.has[FM_A_FLOW_SAMPLING_MODE]);

	err_capture();
	CHECK_EQ(set_words(&s, "set flow-sampling 0"), -1);
	CHECK_EQ(set_words(&s, "set flow-sampling x"), -1);
	CHECK(err_is("flowctl: flow-sampling: 0 is out of range (1..4294967295)\n"
		     "flowctl: flow-sampling: 'x' is not a number\n"));
	CHECK_EQ(set_words(&s, "set flow-sampling"), FC_PARSE_WORD);
	/* hash is the meter's, not flow sampling's: a word of its own */
	CHECK(set_words(&s, "set flow-sampling 4 hash"));
}

static void test_dest(void)
{
	struct fc_dest d;
	struct fc_addr a;

	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055"));
	CHECK(d.add);
	CHECK_EQ(d.version, 10);
	CHECK_EQ(d.addr.port, 2055);
	CHECK(!d.src.family && !d.has_dscp && !d.mtu && !d.dev[0]);
	CHECK(!dest_words(&d, "destination add [2001:db8::1]:9995 version 9 source [2001:db8::2]:5000 dscp 46 mtu 9000 dev mgmt"));
	CHECK_EQ(d.addr.family, AF_INET6);
	CHECK_EQ(d.version, 9);
	CHECK(!fc_parse_addr("t", "2001:db8::2", &a));
	CHECK(!memcmp(d.src.addr, a.addr, 16));
	CHECK_EQ(d.src.port, 5000);
	CHECK(d.has_dscp && d.dscp == 46);
	CHECK_EQ(d.mtu, 9000);
	CHECK(!strcmp(d.dev, "mgmt"));
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 dev 0123456789abcde"));
	CHECK(!strcmp(d.dev, "0123456789abcde"));
	CHECK(!d.aggregates);
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 version 9 aggregates"));
	CHECK(d.aggregates && d.version == 9);
	CHECK(!dest_words(&d, "destination del 192.0.2.1:2055"));
	CHECK(!d.add);

	err_capture();
	CHECK_EQ(dest_words(&d, "destination del 192.0.2.1:2055 version 9"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination list"), FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add"), FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 version"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 version 7"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 source fd00::1"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 dscp 64"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 mtu 575"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 dev"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 dev 0123456789abcdef"), -1);
	CHECK_EQ(dest_words(&d, "destination del 192.0.2.1:2055 dev mgmt"),
		 FC_PARSE_WORD);
	CHECK(err_is("flowctl: destination: unknown word 'version'\n"
		     "flowctl: destination: 'list' is not add or del\n"
		     "flowctl: destination: 'add' needs ADDR:PORT\n"
		     "flowctl: destination: 'version' needs a value\n"
		     "flowctl: version: '7' is not ipfix, 10, 9 or 5\n"
		     "flowctl: source: 'fd00::1' is not of the destination's address family\n"
		     "flowctl: dscp: 64 is out of range (0..63)\n"
		     "flowctl: mtu: 575 is out of range (576..65535)\n"
		     "flowctl: destination: 'dev' needs a value\n"
		     "flowctl: dev: '0123456789abcdef' is not a device name (1-15 characters)\n"
		     "flowctl: destination: unknown word 'dev'\n"));
}

static void test_dest_anon(void)
{
	struct fc_dest d;

	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055"));
	CHECK(d.anon[FC_ANON_SRC4] == 32 && d.anon[FC_ANON_DST4] == 32);
	CHECK(d.anon[FC_ANON_SRC6] == 128 && d.anon[FC_ANON_DST6] == 128);
	/* no direction: both */
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize prefix4 21"));
	CHECK(d.anon[FC_ANON_SRC4] == 21 && d.anon[FC_ANON_DST4] == 21);
	CHECK(d.anon[FC_ANON_SRC6] == 128 && d.anon[FC_ANON_DST6] == 128);
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize both prefix6 48 prefix4 0 mtu 1400"));
	CHECK(d.anon[FC_ANON_SRC4] == 0 && d.anon[FC_ANON_DST4] == 0);
	CHECK(d.anon[FC_ANON_SRC6] == 48 && d.anon[FC_ANON_DST6] == 48);
	CHECK_EQ(d.mtu, 1400);
	/* per direction, repeated; the later length wins */
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize src prefix4 24 prefix6 64 anonymize dst prefix4 16 anonymize src prefix4 8"));
	CHECK(d.anon[FC_ANON_SRC4] == 8 && d.anon[FC_ANON_DST4] == 16);
	CHECK(d.anon[FC_ANON_SRC6] == 64 && d.anon[FC_ANON_DST6] == 128);
	CHECK(!dest_words(&d, "destination add [2001:db8::1]:4739 anonymize dst prefix6 128 prefix4 32"));
	CHECK(d.anon[FC_ANON_DST4] == 32 && d.anon[FC_ANON_DST6] == 128);

	err_capture();
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize src"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize prefix4"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize prefix4 33"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize prefix6 129"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize prefix4 -1"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize src dst prefix4 8"),
		 FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination del 192.0.2.1:2055 anonymize prefix4 8"),
		 FC_PARSE_WORD);
	CHECK(err_is("flowctl: anonymize: needs keyed, prefix4 LEN and/or prefix6 LEN\n"
		     "flowctl: anonymize: needs keyed, prefix4 LEN and/or prefix6 LEN\n"
		     "flowctl: anonymize: 'prefix4' needs a value\n"
		     "flowctl: prefix4: 33 is out of range (0..32)\n"
		     "flowctl: prefix6: 129 is out of range (0..128)\n"
		     "flowctl: prefix4: '-1' is not a number\n"
		     "flowctl: anonymize: needs keyed, prefix4 LEN and/or prefix6 LEN\n"
		     "flowctl: destination: unknown word 'anonymize'\n"));
}

static void test_dest_anon_keyed(void)
{
	static const uint8_t k[16] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0xff,
	};
	struct fc_dest d;

	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055"));
	CHECK_EQ(d.anon_keyed, 0);
	CHECK(!d.has_anon_key);
	/* no key: the kernel draws one */
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize keyed"));
	CHECK_EQ(d.anon_keyed, FM_DEST_ANON_KEYED_SRC | FM_DEST_ANON_KEYED_DST);
	CHECK(!d.has_anon_key);
	CHECK(d.anon[FC_ANON_SRC4] == 32 && d.anon[FC_ANON_DST6] == 128);
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize dst keyed key 000102030405060708090a0b0c0d0eFF prefix4 24"));
	CHECK_EQ(d.anon_keyed, FM_DEST_ANON_KEYED_DST);
	CHECK(d.has_anon_key);
	CHECK(!memcmp(d.anon_key, k, 16));
	CHECK(d.anon[FC_ANON_SRC4] == 32 && d.anon[FC_ANON_DST4] == 24);
	/* sides add up; one key for both */
	CHECK(!dest_words(&d, "destination add 192.0.2.1:2055 anonymize src keyed anonymize dst prefix6 64 keyed key 000102030405060708090a0b0c0d0eff"));
	CHECK_EQ(d.anon_keyed, FM_DEST_ANON_KEYED_SRC | FM_DEST_ANON_KEYED_DST);
	CHECK(d.anon[FC_ANON_SRC6] == 128 && d.anon[FC_ANON_DST6] == 64);

	err_capture();
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize key 000102030405060708090a0b0c0d0eff"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize keyed key"), FC_PARSE_WORD);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize keyed key 0001"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize keyed key 000102030405060708090a0b0c0d0egg"), -1);
	CHECK_EQ(dest_words(&d, "destination add 192.0.2.1:2055 anonymize keyed key 000102030405060708090a0b0c0d0eff anonymize keyed key 000102030405060708090a0b0c0d0eff"), -1);
	CHECK(err_is("flowctl: anonymize: 'key' needs 'keyed' before it\n"
		     "flowctl: anonymize: 'key' needs a value\n"
		     "flowctl: key: '0001' is not 32 hex digits\n"
		     "flowctl: key: '000102030405060708090a0b0c0d0egg' is not 32 hex digits\n"
		     "flowctl: anonymize: one key per destination\n"));
}

/* Parse text as the file "f.conf": its return, messages checked by caller. */
static int conf_text(struct fc_conf *c, const char *text)
{
	char *buf = strdup(text);
	int ret = fc_conf_parse(c, "f.conf", buf, strlen(text));

	free(buf);
	return ret;
}

static void test_conf(void)
{
	struct fc_conf c;
	static const char good[] =
		"# flowmeter\n"
		"\n"
		"set timeout active 60 inactive 15\n"
		"   \t  # indented comment\n"
		"destination add 192.0.2.1:2055 version ipfix # a comment\n"
		"\tset  mtu\t1400#no blank before it\r\n"
		"destination add [2001:db8::1]:4739 version 9 anonymize src prefix6 48 anonymize dst keyed key 0f0e0d0c0b0a09080706050403020100\n"
		"set max-flows 1000";	/* no newline at the end */
	char nul[] = "set mtu 1400\nset\0 mtu 1500\n";

	err_capture();
	CHECK(!conf_text(&c, good));
	CHECK(!strcmp(c.path, "f.conf"));
	CHECK_EQ(c.n, 5);
	if (c.n == 5) {
		CHECK_EQ(c.ops[0].line, 3);
		CHECK_EQ(c.ops[0].kind, FC_OP_SET);
		CHECK_EQ(c.ops[0].set.v[FM_A_ACTIVE_TIMEOUT], 60);
		CHECK_EQ(c.ops[0].set.v[FM_A_INACTIVE_TIMEOUT], 15);
		CHECK_EQ(c.ops[1].line, 5);
		CHECK_EQ(c.ops[1].kind, FC_OP_DEST);
		CHECK(c.ops[1].dest.add);
		CHECK_EQ(c.ops[1].dest.addr.port, 2055);
		CHECK_EQ(c.ops[2].line, 6);
		CHECK_EQ(c.ops[2].set.v[FM_A_MTU], 1400);
		CHECK_EQ(c.ops[3].line, 7);
		CHECK_EQ(c.ops[3].dest.version, 9);
		CHECK_EQ(c.ops[3].dest.addr.family, AF_INET6);
		CHECK_EQ(c.ops[3].dest.anon[FC_ANON_SRC6], 48);
		CHECK_EQ(c.ops[3].dest.anon[FC_ANON_DST6], 128);
		CHECK_EQ(c.ops[3].dest.anon_keyed, FM_DEST_ANON_KEYED_DST);
		CHECK(c.ops[3].dest.has_anon_key);
		CHECK_EQ(c.ops[3].dest.anon_key[0], 0x0f);
		CHECK_EQ(c.ops[3].dest.anon_key[15], 0x00);
		CHECK_EQ(c.ops[4].line, 8);
		CHECK_EQ(c.ops[4].set.v[FM_A_MAX_FLOWS], 1000);
	}
	fc_conf_free(&c);
	CHECK(!conf_text(&c, ""));
	CHECK_EQ(c.n, 0);
	CHECK(!conf_text(&c, "\n\n# only comments\n   \n"));
	CHECK_EQ(c.n, 0);
	CHECK(err_is(""));

	/* The first bad line is named, nothing is kept. */
	err_capture();
	CHECK(conf_text(&c, "set mtu 1400\n\n# x\nset bogus 1\nset mtu 0\n"));
	CHECK(!c.ops && !c.n);
	CHECK(conf_text(&c, "set mtu 1400\nflush\n"));
	CHECK(conf_text(&c, "destination add 192.0.2.1:2055\n"
			"destination add 192.0.2.1 version 9\n"));
	CHECK(conf_text(&c, "set timeout active 99999999\n"));
	CHECK(conf_text(&c, "\n\n\ndestination\n"));
	CHECK(conf_text(&c, "set mtu 1400\r\nset timeout\r\n"));
	CHECK(err_is("f.conf:4: set: unknown word 'bogus'\n"
		     "f.conf:2: 'flush' cannot be used in a file (set, destination add|del, asn load|clear)\n"
		     "f.conf:2: destination: '192.0.2.1' has no port (ADDR:PORT, [ADDR6]:PORT)\n"
		     "f.conf:1: active timeout: 99999999 is out of range (1..604800)\n"
		     "f.conf:4: destination: '' is not add or del\n"
		     "f.conf:2: set: 'timeout' needs 'active N' and/or 'inactive N'\n"));

	/* asn lines: a relative table beside the file, clear, bad forms. */
	err_capture();
	{
		char *buf = strdup("asn load as.txt\nasn clear\n"
				   "asn load /abs/as.txt\n");

		CHECK(!fc_conf_parse(&c, "/etc/fm/f.conf", buf, strlen(buf)));
		free(buf);
	}
	CHECK_EQ(c.n, 3);
	if (c.n == 3) {
		CHECK_EQ(c.ops[0].kind, FC_OP_ASN);
		CHECK(!strcmp(c.ops[0].asn_path, "/etc/fm/as.txt"));
		CHECK_EQ(c.ops[1].kind, FC_OP_ASN);
		CHECK(!c.ops[1].asn_path);
		CHECK(!strcmp(c.ops[2].asn_path, "/abs/as.txt"));
	}
	fc_conf_free(&c);
	CHECK(!conf_text(&c, "asn load as.txt\n"));
	CHECK(c.n == 1 && !strcmp(c.ops[0].asn_path, "as.txt"));
	fc_conf_free(&c);
	CHECK(conf_text(&c, "asn\n"));
	CHECK(conf_text(&c, "asn load\n"));
	CHECK(conf_text(&c, "asn load a b\n"));
	CHECK(conf_text(&c, "asn show\n"));
	CHECK(conf_text(&c, "asn load -\n"));
	CHECK(conf_text(&c, "asn clear x\n"));
	CHECK(err_is("f.conf:1: asn: unknown word ''\n"
		     "f.conf:1: asn: unknown word ''\n"
		     "f.conf:1: asn: unknown word 'b'\n"
		     "f.conf:1: asn: unknown word 'show'\n"
		     "f.conf:1: asn load: '-' cannot be read from a file\n"
		     "f.conf:1: asn: unknown word 'x'\n"));

	/* A NUL byte: not text, named at its line. */
	err_capture();
	CHECK(fc_conf_parse(&c, "f.conf", nul, sizeof(nul) - 1));
	CHECK(err_is("f.conf:2: a NUL byte: not a text file\n"));

	/* After a file, messages are flowctl's again. */
	err_capture();
	fc_err("x");
	CHECK(err_is("flowctl: x\n"));
}

static void test_conf_load(void)
{
	char path[] = "/tmp/fc_conf_XXXXXX";
	struct fc_conf c;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char *big;

	CHECK(f);
	if (!f)
		return;
	fputs("# test\nset timeout inactive 30\ndestination del 10.0.0.1:9\n", f);
	fclose(f);
	CHECK(!fc_conf_load(&c, path));
	CHECK_EQ(c.n, 2);
	if (c.n == 2) {
		CHECK_EQ(c.ops[0].line, 2);
		CHECK_EQ(c.ops[1].line, 3);
		CHECK(!c.ops[1].dest.add);
	}
	fc_conf_free(&c);

	/* Too big: refused before parsing. */
	big = malloc(FC_CONF_MAX + 2);
	CHECK(big);
	if (big) {
		memset(big, '\n', FC_CONF_MAX + 1);
		f = fopen(path, "w");
		fwrite(big, 1, FC_CONF_MAX + 1, f);
		fclose(f);
		err_capture();
		CHECK(fc_conf_load(&c, path));
		fclose(stderr);
		stderr = err_saved;
		CHECK(strstr(err_buf, "larger than"));
		free(err_buf);
		err_buf = NULL;
		free(big);
	}
	unlink(path);
	err_capture();
	CHECK(fc_conf_load(&c, path));
	fclose(stderr);
	stderr = err_saved;
	CHECK(strstr(err_buf, "No such file"));
	free(err_buf);
	err_buf = NULL;
}

static void test_prometheus(void)
{
	static const struct fc_stat st[] = {
		{ "packets_seen", 10 },
		{ "parse_error_bad_ihl", 1 },
		{ "flows_expired_idle", 4 },
		{ "flows_active", 2 },
		{ "parse_error_truncated_l4", 18446744073709551615ULL },
		{ "flows_expired_end_of_flow", 0 },
		{ "flows_something_new", 7 },
		{ "records_dropped", 3 },
		{ "records_selected", 5 },
	};
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	fc_prom_print(f, st, ARRAY_SIZE(st));
	fclose(f);
	CHECK(!strcmp(out,
		"# HELP flowmeter_packets_seen_total Packets seen at the hooks, metered or not.\n"
		"# TYPE flowmeter_packets_seen_total counter\n"
		"flowmeter_packets_seen_total 10\n"
		"# HELP flowmeter_parse_errors_total Packets not metered because their headers are malformed.\n"
		"# TYPE flowmeter_parse_errors_total counter\n"
		"flowmeter_parse_errors_total{reason=\"bad_ihl\"} 1\n"
		"flowmeter_parse_errors_total{reason=\"truncated_l4\"} 18446744073709551615\n"
		"# HELP flowmeter_flows_active Flows in the cache now.\n"
		"# TYPE flowmeter_flows_active gauge\n"
		"flowmeter_flows_active 2\n"
		"# HELP flowmeter_flows_expired_total Flows ended, by reason.\n"
		"# TYPE flowmeter_flows_expired_total counter\n"
		"flowmeter_flows_expired_total{reason=\"idle\"} 4\n"
		"flowmeter_flows_expired_total{reason=\"end_of_flow\"} 0\n"
		"# HELP flowmeter_records_dropped_total Finished flow records lost because the export queue was full.\n"
		"# TYPE flowmeter_records_dropped_total counter\n"
		"flowmeter_records_dropped_total 3\n"
		"# HELP flowmeter_records_selected_total Finished flow records flow sampling sent on to the destinations.\n"
		"# TYPE flowmeter_records_selected_total counter\n"
		"flowmeter_records_selected_total 5\n"
		"# HELP flowmeter_flows_something_new_total A flowmeter counter.\n"
		"# TYPE flowmeter_flows_something_new_total counter\n"
		"flowmeter_flows_something_new_total 7\n"));
	if (strncmp(out, "# HELP", 6))
		printf("#   %s\n", out);
	free(out);
}

static void test_prometheus_dests(void)
{
	struct fc_prom_dest d[2] = {
		{ "192.0.2.1:2055", 9, { 1, 2, 3, 4, 5, 6 } },
		{ "[2001:db8::1]:4739", 10, { 10, 20, 30, 0, 0, 18446744073709551615ULL } },
	};
	char *out = NULL, *p;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	fc_prom_print_dests(f, d, 0);
	fflush(f);
	CHECK_EQ(len, 0);
	fc_prom_print_dests(f, d, 2);
	fclose(f);
	p = strstr(out, "# TYPE flowmeter_export_packets_total counter\n"
		       "flowmeter_export_packets_total{destination=\"192.0.2.1:2055\",version=\"netflow9\"} 1\n"
		       "flowmeter_export_packets_total{destination=\"[2001:db8::1]:4739\",version=\"ipfix\"} 10\n");
	CHECK(p);
	CHECK(strstr(out, "flowmeter_export_bytes_total{destination=\"192.0.2.1:2055\",version=\"netflow9\"} 2\n"));
	CHECK(strstr(out, "flowmeter_export_records_total{destination=\"[2001:db8::1]:4739\",version=\"ipfix\"} 30\n"));
	CHECK(strstr(out, "flowmeter_export_refused_total{destination=\"192.0.2.1:2055\",version=\"netflow9\"} 4\n"));
	CHECK(strstr(out, "flowmeter_export_not_sent_total{destination=\"192.0.2.1:2055\",version=\"netflow9\"} 5\n"));
	CHECK(strstr(out, "flowmeter_export_errors_total{destination=\"[2001:db8::1]:4739\",version=\"ipfix\"} 18446744073709551615\n"));
	/* 6 families: a HELP, a TYPE and 2 samples each */
	for (len = 0, p = out; (p = strchr(p, '\n')); p++)
		len++;
	CHECK_EQ(len, 6 * 4);
	free(out);
}

/* The aggregation mask: every attribute of it, stated whole */
static void check_agg(const struct fc_set *s, uint32_t s4, uint32_t d4,
		      uint32_t s6, uint32_t d6, uint32_t drop)
{
	CHECK(s->has[FM_A_AGGREGATE] && s->v[FM_A_AGGREGATE]);
	CHECK(s->has[FM_A_AGG_SRC_PREFIX4] && s->has[FM_A_AGG_DST_PREFIX4]);
	CHECK(s->has[FM_A_AGG_SRC_PREFIX6] && s->has[FM_A_AGG_DST_PREFIX6]);
	CHECK(s->has[FM_A_AGG_DROP]);
	CHECK_EQ(s->v[FM_A_AGG_SRC_PREFIX4], s4);
	CHECK_EQ(s->v[FM_A_AGG_DST_PREFIX4], d4);
	CHECK_EQ(s->v[FM_A_AGG_SRC_PREFIX6], s6);
	CHECK_EQ(s->v[FM_A_AGG_DST_PREFIX6], d6);
	CHECK_EQ(s->v[FM_A_AGG_DROP], drop);
}

static void test_set_aggregate(void)
{
	const uint32_t pt = FM_AGG_DROP_PORTS | FM_AGG_DROP_PROTO | FM_AGG_DROP_TOS;
	char buf[FC_AGG_DROP_LEN];
	struct fc_set s;

	CHECK(!set_words(&s, "set aggregate prefix4 24 prefix6 48 no-ports timeout active 9"));
	check_agg(&s, 24, 24, 48, 48, FM_AGG_DROP_PORTS);
	CHECK_EQ(s.v[FM_A_ACTIVE_TIMEOUT], 9);
	CHECK(!set_words(&s, "set aggregate src-prefix4 16 dst-prefix6 64 no-interfaces no-vlan"));
	check_agg(&s, 16, 32, 128, 64, FM_AGG_DROP_IFS | FM_AGG_DROP_VLAN);
	CHECK(!set_words(&s, "set aggregate prefix prefix4 20"));
	check_agg(&s, 20, 20, 128, 128, pt);
	CHECK(!set_words(&s, "set aggregate destination-prefix prefix4 24 prefix6 32"));
	check_agg(&s, 0, 24, 0, 32, pt);
	CHECK(!set_words(&s, "set aggregate source-prefix prefix4 8"));
	check_agg(&s, 8, 0, 128, 0, pt);
	CHECK(!set_words(&s, "set aggregate protocol-port"));
	check_agg(&s, 0, 0, 0, 0, FM_AGG_DROP_IFS | FM_AGG_DROP_TOS);
	CHECK(!set_words(&s, "set aggregate interface no-vlan"));
	check_agg(&s, 0, 0, 0, 0, pt | FM_AGG_DROP_VLAN);
	CHECK(!set_words(&s, "set aggregate interface no-vlan"));
	CHECK_EQ(s.v[FM_A_AGGREGATE], FM_AGGREGATE_MAIN);
	CHECK(!set_words(&s, "set aggregate prefix prefix4 24 beside"));
	check_agg(&s, 24, 24, 128, 128, pt);
	CHECK_EQ(s.v[FM_A_AGGREGATE], FM_AGGREGATE_BESIDE);
	CHECK(!set_words(&s, "set aggregate beside"));
	check_agg(&s, 32, 32, 128, 128, 0);
	CHECK_EQ(s.v[FM_A_AGGREGATE], FM_AGGREGATE_BESIDE);
	CHECK(!set_words(&s, "set aggregate none"));
	CHECK(s.has[FM_A_AGGREGATE] && !s.v[FM_A_AGGREGATE]);
	CHECK(!s.has[FM_A_AGG_SRC_PREFIX4] && !s.has[FM_A_AGG_DROP]);

	CHECK(!strcmp(fc_agg_drop_str(0, buf), "none"));
	CHECK(!strcmp(fc_agg_drop_str(FM_AGG_DROP_PORTS | FM_AGG_DROP_IFS, buf),
		      "ports,interfaces"));
	CHECK(!strcmp(fc_agg_drop_str(0x1f, buf), "ports,interfaces,tos,proto,vlan"));

	err_capture();
	CHECK_EQ(set_words(&s, "set aggregate"), FC_PARSE_WORD);
	CHECK_EQ(set_words(&s, "set aggregate no-colour"), FC_PARSE_WORD);
	CHECK_EQ(set_words(&s, "set aggregate prefix4 33"), -1);
	CHECK_EQ(set_words(&s, "set aggregate dst-prefix6 129"), -1);
	CHECK_EQ(set_words(&s, "set aggregate protocol-port prefix4 24"), -1);
	CHECK_EQ(set_words(&s, "set aggregate none no-ports"), FC_PARSE_WORD);
	CHECK(err_is("flowctl: set: 'aggregate' needs 'none', a scheme, prefix lengths or no-FIELD words\n"
		     "flowctl: aggregate: unknown word 'no-colour'\n"
		     "flowctl: prefix4: 33 is out of range (0..32)\n"
		     "flowctl: dst-prefix6: 129 is out of range (0..128)\n"
		     "flowctl: aggregate: 'prefix4': the scheme keeps no address\n"
		     "flowctl: set: unknown word 'no-ports'\n"));
}

int main(void)
{
	RUN_TEST(test_numbers);
	RUN_TEST(test_addr_port);
	RUN_TEST(test_format_addr);
	RUN_TEST(test_proto);
	RUN_TEST(test_match);
	RUN_TEST(test_hooks);
	RUN_TEST(test_iflist);
	RUN_TEST(test_mark);
	RUN_TEST(test_words);
	RUN_TEST(test_human);
	RUN_TEST(test_json);
	RUN_TEST(test_merge_sort);
	RUN_TEST(test_set);
	RUN_TEST(test_set_hash);
	RUN_TEST(test_set_flow_sampling);
	RUN_TEST(test_set_aggregate);
	RUN_TEST(test_dest);
	RUN_TEST(test_dest_anon);
	RUN_TEST(test_dest_anon_keyed);
	RUN_TEST(test_conf);
	RUN_TEST(test_conf_load);
	RUN_TEST(test_prometheus);
	RUN_TEST(test_prometheus_dests);
	return KTAP_EXIT();
}
