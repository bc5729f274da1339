// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the interface filter (module/iffilter.c). */
#include <errno.h>
#include "ktap.h"
#include "iffilter.h"

static void test_parse_and_format(void)
{
	struct fm_iflist l = {};
	char buf[256];

	CHECK_EQ(fm_iflist_parse(&l, "eth0,veth*,wg0\n"), 0);
	CHECK_EQ(l.n, 3);
	CHECK_EQ(l.pat[1].prefix, 1);
	CHECK_EQ(l.pat[1].len, 4);
	CHECK_EQ(fm_iflist_format(&l, buf, sizeof(buf)), 14);
	CHECK(!strcmp(buf, "eth0,veth*,wg0"));
	/* truncated output still says how long it would be, NUL-terminated */
	CHECK_EQ(fm_iflist_format(&l, buf, 6), 14);
	CHECK(!strcmp(buf, "eth0,"));

	memset(&l, 0, sizeof(l));
	CHECK_EQ(fm_iflist_parse(&l, ""), 0);
	CHECK_EQ(l.n, 0);
	CHECK_EQ(fm_iflist_format(&l, buf, sizeof(buf)), 0);
	CHECK(!strcmp(buf, ""));
}

static void test_bad_names(void)
{
	static const char * const bad[] = {
		"", "a/b", "a:1", "a b", "e*h", "**", ".", "..",
		"0123456789abcdef",	/* 16 characters */
		"eth0,,eth1", "eth0,",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct fm_iflist l = {};
		int err = fm_iflist_parse(&l, bad[i]);

		/* "" is the empty list, not a bad name */
		if (!bad[i][0])
			CHECK_EQ(err, 0);
		else if (err != -EINVAL)
			printf("#   '%s': %d, want -EINVAL\n", bad[i], err),
			ktap_failed_checks++;
	}
}

static void test_limits(void)
{
	struct fm_iflist l = {};

	CHECK_EQ(fm_iflist_parse(&l, "a,b,c,d,e,f,g,h"), 0);
	CHECK_EQ(l.n, FM_IFF_MAX);
	CHECK_EQ(fm_iflist_add(&l, "i", 1), -ENOSPC);
	CHECK_EQ(fm_iflist_add(&l, "a", 1), -EEXIST);
	CHECK_EQ(fm_iflist_add(&l, "0123456789abcde", 15), -ENOSPC);
	memset(&l, 0, sizeof(l));
	CHECK_EQ(fm_iflist_add(&l, "0123456789abcde", 15), 0);
	CHECK_EQ(fm_iflist_add(&l, "*", 1), 0);
	CHECK_EQ(l.pat[1].len, 0);
}

static void test_match(void)
{
	struct fm_iffilter f = {};

	/* empty: everything passes, with or without interfaces */
	CHECK(fm_iffilter_pass(&f, "eth0", "eth1"));
	CHECK(fm_iffilter_pass(&f, NULL, NULL));

	fm_iflist_parse(&f.incl, "eth0,veth*");
	CHECK(fm_iffilter_pass(&f, "eth0", "eth9"));
	CHECK(fm_iffilter_pass(&f, "eth9", "eth0"));	/* either side */
	CHECK(fm_iffilter_pass(&f, "veth", NULL));	/* prefix, exactly */
	CHECK(fm_iffilter_pass(&f, NULL, "veth123"));
	CHECK(!fm_iffilter_pass(&f, "eth00", "eth1"));	/* names are whole */
	CHECK(!fm_iffilter_pass(&f, "et", NULL));
	CHECK(!fm_iffilter_pass(&f, NULL, NULL));

	fm_iflist_parse(&f.excl, "veth7*");
	CHECK(fm_iffilter_pass(&f, "veth1", "eth9"));
	CHECK(!fm_iffilter_pass(&f, "veth71", "eth0"));	/* exclude wins */
	CHECK(!fm_iffilter_pass(&f, "eth0", "veth7"));

	memset(&f.incl, 0, sizeof(f.incl));
	CHECK(fm_iffilter_pass(&f, "lo", NULL));
	CHECK(!fm_iffilter_pass(&f, NULL, "veth7x"));
	CHECK(fm_iffilter_pass(&f, NULL, NULL));
}

static void test_samplif(void)
{
	struct fm_samplif s = {};

	/* none: every packet has the netns's rate */
	CHECK_EQ(fm_samplif_slot(&s, "eth0"), -1);
	CHECK_EQ(fm_samplif_slot(&s, NULL), -1);
	fm_iflist_parse(&s.ifs, "eth0,veth*,eth*");
	CHECK_EQ(fm_samplif_slot(&s, "eth0"), 0);	/* first match wins */
	CHECK_EQ(fm_samplif_slot(&s, "eth1"), 2);
	CHECK_EQ(fm_samplif_slot(&s, "veth"), 1);
	CHECK_EQ(fm_samplif_slot(&s, "veth12"), 1);
	CHECK_EQ(fm_samplif_slot(&s, "lo"), -1);
	CHECK_EQ(fm_samplif_slot(&s, "et"), -1);
	CHECK_EQ(fm_samplif_slot(&s, NULL), -1);	/* no input interface */
}

int main(void)
{
	RUN_TEST(test_parse_and_format);
	RUN_TEST(test_bad_names);
	RUN_TEST(test_limits);
	RUN_TEST(test_match);
	RUN_TEST(test_samplif);
	return KTAP_EXIT();
}
