// SPDX-License-Identifier: GPL-2.0
/*
 * Encoder fuzzer: the input is a session setup and a list of operations
 * (add a flow, options record, finish the message). Each input is encoded
 * as IPFIX, v9 and v5; every finished message is decoded by the test
 * collector and must give back exactly what was added, with the right
 * header, sequence numbers and templates. Aborts on any mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include "enc.h"
#include "flowsamp.h"
#include "../tests/enc_decode.h"
#include "fuzz.h"

#define BUF_MAX		2400
#define EXP_MAX		512

enum { OP_FLOW, OP_FLOWSAMP = 3, OP_SAMPLING, OP_IFNAME, OP_STATS, OP_FINISH };

struct input {
	const u8 *p;
	size_t n;
};

struct expect {
	u8 op;
	struct fm_record r;
	struct fm_enc_stats st;
	u32 ifindex;
	char name[FM_ENC_IFNAME_LEN];
};

static struct expect exp_[EXP_MAX];
static unsigned int nexp;
static u8 buf[BUF_MAX];
static struct dec_state ds;
static struct dec_msg dm;
static u32 ipfix_seq, msgs, flows;

/* Next n input bytes into out, zero once the input runs out. */
static void take(struct input *in, void *out, size_t n)
{
	size_t k = n < in->n ? n : in->n;

	memset(out, 0, n);
	memcpy(out, in->p, k);
	in->p += k;
	in->n -= k;
}

static void check_record(const struct fm_enc_msg *m, const struct dec_rec *d,
			 const struct expect *e)
{
	const struct fm_enc_session *s = m->s;
	u32 rate = s->sampling_interval ? s->sampling_interval : 1;
	unsigned int len, nf9 = s->version == FM_ENC_NF9;
	const u8 *p;
	char name[FM_ENC_IFNAME_LEN] = { 0 };

	switch (e->op) {
	case OP_FLOW:
		if (s->version == FM_ENC_NF5)
			ASSERT(!dec_check_nf5(d, &e->r, m->clk.boot_ms));
		else
			ASSERT(!dec_check_flow(d, &e->r, s->version,
					       m->clk.boot_ms));
		break;
	case OP_SAMPLING:
		ASSERT(d->tid == FM_TMPL_SAMPLING);
		if (nf9) {
			/* flow sampling folded in: rate times flow N */
			ASSERT(dec_u(d, 1, 1) == s->domain_id);
			ASSERT(dec_u(d, 34, 0) ==
			       fm_fsamp_combined(rate, s->flow_interval));
			ASSERT(dec_u(d, 35, 0) ==
			       (s->flow_interval > 1 &&
				s->flow_algo == FM_SAMPLING_RANDOM ?
				FM_SAMPLING_RANDOM : s->sampling_algo));
		} else {
			ASSERT(dec_u(d, 149, 1) == s->domain_id);
			ASSERT(dec_u(d, 305, 0) == 1);
			ASSERT(dec_u(d, 306, 0) == rate - 1);
		}
		break;
	case OP_FLOWSAMP:	/* IPFIX only, while on */
		ASSERT(d->tid == FM_TMPL_FLOWSAMP);
		ASSERT(dec_u(d, 149, 1) == s->domain_id);
		ASSERT(dec_u(d, 390, 0) ==
		       (s->flow_algo == FM_SAMPLING_RANDOM ? 4U : 1U));
		ASSERT(dec_u(d, 396, 0) == 1);
		ASSERT(dec_u(d, 397, 0) == s->flow_interval - 1);
		break;
	case OP_IFNAME:
		ASSERT(d->tid == FM_TMPL_IFNAME);
		ASSERT(dec_u(d, nf9 ? 2 : 10, 1) == e->ifindex);
		p = dec_field(d, 82, 0, &len);
		memcpy(name, e->name, strnlen(e->name, sizeof(name)));
		ASSERT(p && len == sizeof(name) && !memcmp(p, name, len));
		break;
	case OP_STATS:
		ASSERT(d->tid == FM_TMPL_STATS);
		ASSERT(dec_u(d, nf9 ? 1 : 149, 1) == s->domain_id);
		ASSERT(dec_u(d, 41, 0) == e->st.messages);
		ASSERT(dec_u(d, 42, 0) == e->st.flows);
		ASSERT(dec_u(d, 164, 0) == e->st.ignored_packets);
		ASSERT(dec_u(d, 166, 0) == e->st.not_sent_flows);
		break;
	}
}

/* template 272 and its options record: IPFIX with flow sampling on */
static bool flowsamp_on(const struct fm_enc_session *s)
{
	return s->version == FM_ENC_IPFIX && s->flow_interval > 1;
}

static void finish(struct fm_enc_msg *m)
{
	struct fm_enc_session *s = m->s;
	unsigned int i, len, tmpl = m->tmpl;
	const char *err;

	/* an empty v5 packet is not worth sending: drop it unfinished */
	if (s->version == FM_ENC_NF5 && !m->nrec)
		return;
	len = fm_enc_finish(m);
	ASSERT(len <= m->size);
	err = dec_msg(&ds, buf, len, &dm);
	if (err)
		fprintf(stderr, "v%u message %u: %s\n", s->version, msgs, err);
	ASSERT(!err);
	ASSERT(dm.version == s->version);
	ASSERT(dm.sec == m->clk.unix_sec);
	ASSERT(dm.nrec == nexp);
	ASSERT(dm.ntmpl == (tmpl ? 4U : 0U));
	ASSERT(dm.nopt_tmpl == (tmpl ? 3U + flowsamp_on(s) : 0U));
	if (s->version == FM_ENC_IPFIX) {
		ASSERT(dm.seq == ipfix_seq);
		ASSERT(dm.domain == s->domain_id);
		ipfix_seq += nexp;
	} else if (s->version == FM_ENC_NF9) {
		ASSERT(dm.seq == msgs);
		ASSERT(dm.domain == s->domain_id);
		ASSERT(dm.uptime == m->clk.uptime_ms);
	} else {
		ASSERT(dm.seq == flows);
		ASSERT(dm.nsec == m->clk.unix_nsec);
	}
	for (i = 0; i < nexp; i++)
		check_record(m, &dm.rec[i], &exp_[i]);
	flows += nexp;
	msgs++;
	nexp = 0;
}

static int begin(struct fm_enc_msg *m, struct fm_enc_session *s,
		 unsigned int size, const struct fm_enc_clock *clk)
{
	memset(buf, 0xa5 ^ (u8)msgs, sizeof(buf));
	return fm_enc_begin(m, s, buf, size, clk);
}

/* batch: try the exporter's batch call first, as export.c does */
static int add(struct fm_enc_msg *m, const struct expect *e, bool batch)
{
	if (batch && e->op == OP_FLOW && fm_enc_add_flows(m, &e->r, 1) == 1)
		return FM_ENC_OK;
	switch (e->op) {
	case OP_SAMPLING:
		return fm_enc_add_sampling(m);
	case OP_FLOWSAMP:
		return fm_enc_add_flowsamp(m);
	case OP_IFNAME:
		return fm_enc_add_ifname(m, e->ifindex, e->name);
	case OP_STATS:
		return fm_enc_add_stats(m, &e->st);
	}
	return fm_enc_add_flow(m, &e->r);
}

static void run(const u8 *data, size_t size, u8 version)
{
	struct input in = { data, size };
	struct fm_enc_session s;
	struct fm_enc_clock clk;
	struct fm_enc_msg m;
	struct expect e;
	u8 op, mtu, step;
	u16 interval;
	int ret;

	take(&in, &mtu, 1);
	take(&in, &interval, 2);
	take(&in, &clk, sizeof(clk));
	fm_enc_session_init(&s, version, interval ^ 0x5a5a);
	s.sampling_interval = interval;
	s.sampling_algo = 1 + (interval & 1);
	s.tmpl_refresh_msgs = mtu % 5;
	/* flow sampling on in half the inputs, from the same bytes */
	if (mtu & 1)
		fm_enc_set_flow_sampling(&s, 1 + ((mtu >> 1) & 1),
					 2 + interval % 97);
	memset(&ds, 0, sizeof(ds));
	nexp = ipfix_seq = msgs = flows = 0;

	if (begin(&m, &s, 300 + mtu * 8, &clk) != FM_ENC_OK) {
		/* the module's smallest; 28 bytes more of templates with 272 */
		ASSERT(300 + mtu * 8 < (flowsamp_on(&s) ? 552 : 528));
		return;
	}
	while (in.n) {
		take(&in, &op, 1);
		op %= 8;
		if (op == OP_FINISH) {
			finish(&m);
			take(&in, &step, 1);
			clk.unix_sec += step;
			clk.uptime_ms += step * 1000;
			ASSERT(begin(&m, &s, 300 + mtu * 8, &clk) == FM_ENC_OK);
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.op = op < OP_FLOWSAMP ? OP_FLOW : op;
		if (e.op == OP_FLOW) {
			take(&in, &e.r, sizeof(e.r));
			e.r.key.kflags &= FM_KF_IPV6;
			/* unmasked, as the cache makes them (test_agg.c: masked) */
			e.r.key.src_plen = 0;
			e.r.key.dst_plen = 0;
			/*
			 * unrouted, no L2 fields, no selector (test_route.c,
			 * test_l2.c, test_sel.c)
			 */
			e.r.rflags &= ~(FM_RF_ROUTE | FM_RF_SEL);
		} else if (e.op == OP_IFNAME) {
			take(&in, &e.ifindex, sizeof(e.ifindex));
			take(&in, e.name, sizeof(e.name));
		} else if (e.op == OP_STATS) {
			take(&in, &e.st, sizeof(e.st));
		}
		ret = add(&m, &e, op & 1);
		if (ret == FM_ENC_FULL) {
			ASSERT(m.ndata > 0);
			finish(&m);
			ASSERT(begin(&m, &s, 300 + mtu * 8, &clk) == FM_ENC_OK);
			ret = add(&m, &e, op & 1);
		}
		if (e.op == OP_FLOWSAMP && !flowsamp_on(&s)) {
			ASSERT(ret == FM_ENC_OK);	/* and nothing added */
			continue;
		}
		if (version == FM_ENC_NF5 &&
		    (e.op != OP_FLOW || (e.r.key.kflags & FM_KF_IPV6))) {
			ASSERT(ret == FM_ENC_UNSUPPORTED);
			continue;
		}
		ASSERT(ret == FM_ENC_OK);
		ASSERT(nexp < EXP_MAX);
		exp_[nexp++] = e;
	}
	finish(&m);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	run(data, size, FM_ENC_IPFIX);
	run(data, size, FM_ENC_NF9);
	run(data, size, FM_ENC_NF5);
	return 0;
}
