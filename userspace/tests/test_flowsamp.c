// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for flow sampling (module/flowsamp.h): the deterministic
 * pick sends the first record and then every N-th, exactly N-1 left out
 * between two; a new rate starts over; rate 1 (and 0) sends all; and
 * the combined rate v9 and v5 announce saturates.
 */
#include "ktap.h"
#include "flowsamp.h"

static void test_every_nth(void)
{
	static const u32 rates[] = { 2, 3, 10, 1000 };
	unsigned int r, i, sent, last;
	struct fm_fsamp fs;

	for (r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		fs.skip = 0;
		sent = 0;
		last = 0;
		for (i = 0; i < 10 * rates[r]; i++) {
			if (!fm_fsamp_pick(&fs, rates[r]))
				continue;
			if (sent)
				CHECK_EQ(i - last, rates[r]);
			else
				CHECK_EQ(i, 0);
			last = i;
			sent++;
		}
		CHECK_EQ(sent, 10);
	}
}

static void test_all(void)
{
	struct fm_fsamp fs = { 0 };
	unsigned int i;

	for (i = 0; i < 100; i++) {
		CHECK(fm_fsamp_pick(&fs, 1));
		CHECK(fm_fsamp_pick(&fs, 0));
	}
	CHECK_EQ(fs.skip, 0);
}

/* export.c zeroes skip on a change: the next record is sent */
static void test_restart(void)
{
	struct fm_fsamp fs = { 0 };

	CHECK(fm_fsamp_pick(&fs, 100));
	CHECK(!fm_fsamp_pick(&fs, 100));
	CHECK_EQ(fs.skip, 98);
	fs.skip = 0;
	CHECK(fm_fsamp_pick(&fs, 4));
	CHECK(!fm_fsamp_pick(&fs, 4));
	CHECK(!fm_fsamp_pick(&fs, 4));
	CHECK(!fm_fsamp_pick(&fs, 4));
	CHECK(fm_fsamp_pick(&fs, 4));
}

static void test_combined(void)
{
	CHECK_EQ(fm_fsamp_combined(1, 1), 1);
	CHECK_EQ(fm_fsamp_combined(0, 0), 1);
	CHECK_EQ(fm_fsamp_combined(10, 1), 10);
	CHECK_EQ(fm_fsamp_combined(1, 10), 10);
	CHECK_EQ(fm_fsamp_combined(100, 64), 6400);
	CHECK_EQ(fm_fsamp_combined(65536, 65536), 0xffffffffU);
	CHECK_EQ(fm_fsamp_combined(0xffffffffU, 2), 0xffffffffU);
}

int main(void)
{
	RUN_TEST(test_every_nth);
	RUN_TEST(test_all);
	RUN_TEST(test_restart);
	RUN_TEST(test_combined);
	return KTAP_EXIT();
}
