/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz targets share: a failed check names itself and aborts,
 * which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef _FM_FUZZ_H
#define _FM_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

#define ASSERT(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		abort();						\
	}								\
} while (0)

#endif /* _FM_FUZZ_H */
