// SPDX-License-Identifier: GPL-2.0
/*
 * NetFlow v5: a 24-byte header and up to 30 fixed 48-byte IPv4 records.
 * Counters are 32 bits (saturated), interfaces 16 bits (saturated). Next
 * hop, AS numbers and the masks of the routes come with the routing
 * fields (FM_RF_ROUTE), 0 without; AS numbers above 65535 as AS_TRANS
 * (RFC 6793). Without them the masks are an aggregation's, 0 without.
 */
#include "enc.h"
#include "flowsamp.h"

#define NF5_VERSION	5
#define NF5_HDR_LEN	24
#define NF5_REC_LEN	48
#define NF5_MAX_RECS	30
#define NF5_MAX_INTERVAL 0x3fff
#define NF5_AS_TRANS	23456

static u32 sat32(u64 v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (u32)v;
}

static u16 sat16(u32 v)
{
	return v > 0xffff ? 0xffff : (u16)v;
}

static u16 as16(u32 as)
{
	return as > 0xffff ? NF5_AS_TRANS : (u16)as;
}

int fm_nf5_begin(struct fm_enc_msg *m)
{
	if (m->size < NF5_HDR_LEN + NF5_REC_LEN)
		return FM_ENC_TOOSMALL;
	m->len = NF5_HDR_LEN;
	return FM_ENC_OK;
}

int fm_nf5_add_flow(struct fm_enc_msg *m, const struct fm_record *r)
{
	const struct fm_key *k = &r->key;
	u8 *p = m->buf + m->len;

	if (k->kflags & FM_KF_IPV6)
		return FM_ENC_UNSUPPORTED;
	if (m->nrec >= NF5_MAX_RECS || m->len + NF5_REC_LEN > m->size)
		return FM_ENC_FULL;
	memcpy(p, &k->addr.v4.saddr, 4);
	memcpy(p + 4, &k->addr.v4.daddr, 4);
	memset(p + 8, 0, 4);				/* nexthop */
	put_unaligned_be16(sat16(k->in_if), p + 12);
	put_unaligned_be16(sat16(k->out_if), p + 14);
	put_unaligned_be32(sat32(r->packets), p + 16);
	put_unaligned_be32(sat32(r->bytes), p + 20);
	put_unaligned_be32(fm_enc_uptime(r->start_ms), p + 24);
	put_unaligned_be32(fm_enc_uptime(r->end_ms), p + 28);
	memcpy(p + 32, &k->sport, 2);
	memcpy(p + 34, &k->dport, 2);			/* ICMP type/code */
	p[36] = 0;					/* pad1 */
	p[37] = r->tcp_flags;
	p[38] = k->proto;
	p[39] = k->tos;
	memset(p + 40, 0, 8);		/* src/dst AS, src/dst mask, pad2 */
	if (r->rflags & FM_RF_ROUTE) {
		memcpy(p + 8, &r->nexthop.v4, 4);
		put_unaligned_be16(as16(r->src_as), p + 40);
		put_unaligned_be16(as16(r->dst_as), p + 42);
		p[44] = r->src_mask;
		p[45] = r->dst_mask;
	} else {
		p[44] = k->src_plen;	/* 0 unless masked */
		p[45] = k->dst_plen;
	}
	m->len += NF5_REC_LEN;
	m->nrec++;
	m->ndata++;
	return FM_ENC_OK;
}

/*
 * Top 2 bits: mode (1 deterministic, 2 random); 0 when not sampled.
 * Hash selection goes out as random: each flow is in with probability
 * 1/N, so a collector scales it as it does random sampling, and v5 has
 * no other mode to tell (3 is undefined). Flow sampling is folded in, v5
 * having no word for it: N is packet N times flow N, the factor that
 * scales a record's counts to the traffic, random if either part is.
 */
static u16 nf5_sampling(const struct fm_enc_session *s)
{
	u32 n = fm_fsamp_combined(s->sampling_interval, s->flow_interval);
	u8 mode = s->sampling_algo;

	if (n <= 1)
		return 0;
	if (n > NF5_MAX_INTERVAL)
		n = NF5_MAX_INTERVAL;
	if (mode == FM_SAMPLING_HASH ||
	    (s->flow_interval > 1 && s->flow_algo == FM_SAMPLING_RANDOM))
		mode = FM_SAMPLING_RANDOM;
	return (u16)((mode & 3) << 14 | n);
}

/* flow_sequence: flows sent before this packet in the session */
unsigned int fm_nf5_finish(struct fm_enc_msg *m)
{
	struct fm_enc_session *s = m->s;
	u8 *p = m->buf;

	put_unaligned_be16(NF5_VERSION, p);
	put_unaligned_be16(m->nrec, p + 2);
	put_unaligned_be32(m->clk.uptime_ms, p + 4);
	put_unaligned_be32(m->clk.unix_sec, p + 8);
	put_unaligned_be32(m->clk.unix_nsec, p + 12);
	put_unaligned_be32(s->seq, p + 16);
	p[20] = s->engine_type;
	p[21] = s->engine_id;
	put_unaligned_be16(nf5_sampling(s), p + 22);
	s->seq += m->nrec;
	return m->len;
}
