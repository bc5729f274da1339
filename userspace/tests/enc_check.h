/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The encoder tests' common step: finish a message and decode it with
 * enc_decode.h, checking that it decodes and fits its buffer.
 */
#ifndef _FM_ENC_CHECK_H
#define _FM_ENC_CHECK_H

#include <stdio.h>
#include "ktap.h"
#include "enc.h"
#include "enc_decode.h"

/* Finish m and decode it into dm; the length, 0 when it did not decode. */
static inline unsigned int dec_finish(struct dec_state *st, struct dec_msg *dm,
				      struct fm_enc_msg *m)
{
	unsigned int len = fm_enc_finish(m);
	const char *err = dec_msg(st, m->buf, len, dm);

	if (err)
		printf("#   decode: %s\n", err);
	CHECK(err == NULL);
	CHECK(len <= m->size);
	return err ? 0 : len;
}

/*
 * Decoded record d is flow r as that version (10, 9) writes it, its
 * times from boot_ms (dec_check_flow()); what differs is printed.
 */
static inline void enc_check_flow(const struct dec_rec *d,
				  const struct fm_record *r, int version,
				  uint64_t boot_ms)
{
	const char *err = dec_check_flow(d, r, version, boot_ms);

	if (err)
		printf("#   flow: %s\n", err);
	CHECK(err == NULL);
}

#endif /* _FM_ENC_CHECK_H */
