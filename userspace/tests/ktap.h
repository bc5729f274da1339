/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP helpers for the userspace unit tests: each test binary
 * prints "ok N name" / "not ok N name" lines; the lane's runner adds the
 * header and the final "N passed, N failed" line.
 */
#ifndef _FM_KTAP_H
#define _FM_KTAP_H

#include <stdio.h>

static int ktap_failed_checks;

/* Report one failed check without ending the test case. */
#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("#   %s:%d: check failed: %s\n",			\
		       __FILE__, __LINE__, #cond);			\
		ktap_failed_checks++;					\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	unsigned long long _a = (unsigned long long)(a);		\
	unsigned long long _b = (unsigned long long)(b);		\
	if (_a != _b) {							\
		printf("#   %s:%d: %s == %llu, expected %s == %llu\n",	\
		       __FILE__, __LINE__, #a, _a, #b, _b);		\
		ktap_failed_checks++;					\
	}								\
} while (0)

/* Run one test function; prints its KTAP result line. */
#define RUN_TEST(fn) do {						\
	int _before = ktap_failed_checks;				\
	fn();								\
	printf("%sok - %s\n",						\
	       ktap_failed_checks == _before ? "" : "not ", #fn);	\
} while (0)

#define KTAP_EXIT() (ktap_failed_checks ? 1 : 0)

#endif /* _FM_KTAP_H */
