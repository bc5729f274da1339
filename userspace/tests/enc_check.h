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

/*
 * A session of that version meets the n flows r of one extra kind
 * (records r[i] in template tid[i]) after a plain record plain: the
 * message ends, the next one brings the kind's four templates and the
 * records decode as made; then a plain record switches back. clk's
 * boot_ms times the records; buf is the messages' room.
 */
static inline void enc_check_switch(u8 version, const struct fm_record *plain,
				    const struct fm_record *r, unsigned int n,
				    const u16 *tid,
				    const struct fm_enc_clock *clk,
				    u8 *buf, unsigned int size)
{
	static struct dec_state ds;
	static struct dec_msg dm;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int i;

	fm_enc_session_init(&s, version, 7);
	memset(&ds, 0, sizeof(ds));
	CHECK_EQ(fm_enc_begin(&m, &s, buf, size, clk), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, plain), FM_ENC_OK);
	CHECK_EQ(fm_enc_add_flow(&m, &r[0]), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);

	CHECK_EQ(fm_enc_begin(&m, &s, buf, size, clk), FM_ENC_OK);
	CHECK(m.tmpl);		/* the kind's flow templates */
	CHECK_EQ(fm_enc_add_flows(&m, r, n), 0);
	for (i = 0; i < n; i++)
		CHECK_EQ(fm_enc_add_flow(&m, &r[i]), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.ntmpl, 4);
	CHECK_EQ(dm.nrec, n);
	for (i = 0; i < dm.nrec && i < n; i++) {
		enc_check_flow(&dm.rec[i], &r[i], version, clk->boot_ms);
		CHECK_EQ(dm.rec[i].tid, tid[i]);
	}

	/* and back to the plain templates */
	CHECK_EQ(fm_enc_begin(&m, &s, buf, size, clk), FM_ENC_OK);
	CHECK(!m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, plain), FM_ENC_FULL);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(fm_enc_begin(&m, &s, buf, size, clk), FM_ENC_OK);
	CHECK(m.tmpl);
	CHECK_EQ(fm_enc_add_flow(&m, plain), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.rec[0].tid, FM_TMPL_V4);
	enc_check_flow(&dm.rec[0], plain, version, clk->boot_ms);
}

/* v5 has no field for a kind's extras: r goes out as its plain record */
static inline void enc_check_nf5_plain(const struct fm_record *r,
				       const struct fm_enc_clock *clk,
				       u8 *buf, unsigned int size)
{
	static struct dec_state ds;
	static struct dec_msg dm;
	struct fm_enc_session s;
	struct fm_enc_msg m;
	const char *err;

	fm_enc_session_init(&s, FM_ENC_NF5, 0);
	memset(&ds, 0, sizeof(ds));
	fm_enc_begin(&m, &s, buf, size, clk);
	CHECK_EQ(fm_enc_add_flow(&m, r), FM_ENC_OK);
	dec_finish(&ds, &dm, &m);
	CHECK_EQ(dm.nrec, 1);
	err = dec_check_nf5(&dm.rec[0], r, clk->boot_ms);
	if (err)
		printf("#   v5: %s\n", err);
	CHECK(err == NULL);
}

#endif /* _FM_ENC_CHECK_H */
