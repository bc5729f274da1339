// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl's command line parsers and output helpers: numbers with range
 * checks, ADDR:PORT in both families, protocols, hook lists, versions,
 * human numbers, the JSON writer, and merging and sorting flows.
 */
#include <arpa/inet.h>
#include <stdlib.h>
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

int main(void)
{
	RUN_TEST(test_numbers);
	RUN_TEST(test_addr_port);
	RUN_TEST(test_format_addr);
	RUN_TEST(test_proto);
	RUN_TEST(test_hooks);
	RUN_TEST(test_iflist);
	RUN_TEST(test_words);
	RUN_TEST(test_human);
	RUN_TEST(test_json);
	RUN_TEST(test_merge_sort);
	return KTAP_EXIT();
}
