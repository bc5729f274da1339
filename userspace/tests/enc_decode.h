/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small, strict collector for the encoder tests and fuzzer, written
 * from RFC 7011 / RFC 3954 / the v5 format and not from the encoder's
 * tables: it learns templates from the wire and decodes data records by
 * them, so a record only matches its input if template and data agree.
 *
 * Strict where the encoders promise more than the RFCs demand: every set
 * is padded to 4 bytes with zeros, padding is shorter than 4 bytes and
 * than a record, no enterprise or variable-length fields, no reserved
 * set ids, data only for known templates.
 */
#ifndef _FM_ENC_DECODE_H
#define _FM_ENC_DECODE_H

#include <stdint.h>
#include <string.h>
#include "flow.h"

#define DEC_TMPL_MAX	64	/* template ids 256 .. 319 */
#define DEC_FIELDS_MAX	64
#define DEC_RECS_MAX	512

struct dec_field {
	uint16_t ie;
	uint16_t len;
	uint8_t scope;
};

struct dec_tmpl {
	uint8_t valid;
	uint8_t opt;		/* options template */
	uint16_t nfields;
	unsigned int rec_len;
	struct dec_field f[DEC_FIELDS_MAX];
};

struct dec_rec {
	uint16_t tid;		/* template id; 0 for v5 records */
	const struct dec_tmpl *t;
	const uint8_t *p;	/* into the decoded message */
};

struct dec_msg {
	uint16_t version;
	uint16_t count;		/* v9, v5 header */
	uint16_t length;	/* IPFIX header */
	uint32_t uptime;	/* v9, v5 */
	uint32_t sec;
	uint32_t nsec;		/* v5 */
	uint32_t seq;
	uint32_t domain;	/* IPFIX domain, v9 source id */
	uint8_t engine_type;	/* v5 */
	uint8_t engine_id;	/* v5 */
	uint16_t sampling;	/* v5 */
	unsigned int ntmpl;	/* data template records */
	unsigned int nopt_tmpl;	/* options template records */
	unsigned int nrec;	/* data records, options data included */
	struct dec_rec rec[DEC_RECS_MAX];
};

/* What a collector remembers between messages of one session. */
struct dec_state {
	struct dec_tmpl t[DEC_TMPL_MAX];
};

static inline uint16_t dec_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dec_be32(const uint8_t *p)
{
	return (uint32_t)dec_be16(p) << 16 | dec_be16(p + 2);
}

static inline int dec_zero(const uint8_t *p, unsigned int n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static inline const char *dec_templates(struct dec_state *st, const uint8_t *p,
					const uint8_t *end, int opt, int nf9,
					struct dec_msg *m)
{
	while (end - p >= 4) {
		uint16_t id = dec_be16(p), n, nscope, i;
		unsigned int hlen = opt ? 6 : 4;
		struct dec_tmpl *t;

		if ((unsigned int)(end - p) < hlen)
			return "truncated template header";
		if (!opt) {
			n = dec_be16(p + 2);
			nscope = 0;
		} else if (nf9) {
			if (dec_be16(p + 2) % 4 || dec_be16(p + 4) % 4)
				return "v9 option lengths not multiples of 4";
			nscope = dec_be16(p + 2) / 4;
			n = nscope + dec_be16(p + 4) / 4;
		} else {
			n = dec_be16(p + 2);
			nscope = dec_be16(p + 4);
		}
		if (id < 256 || id >= 256 + DEC_TMPL_MAX)
			return "template id out of range";
		if (!n || n > DEC_FIELDS_MAX)
			return "bad field count";
		if (opt && (!nscope || nscope > n))
			return "bad scope count";
		p += hlen;
		if ((unsigned int)(end - p) < 4U * n)
			return "truncated template";
		t = &st->t[id - 256];
		memset(t, 0, sizeof(*t));
		for (i = 0; i < n; i++, p += 4) {
			t->f[i].ie = dec_be16(p);
			t->f[i].len = dec_be16(p + 2);
			t->f[i].scope = i < nscope;
			if (!nf9 && (t->f[i].ie & 0x8000))
				return "enterprise field";
			if (!t->f[i].len || t->f[i].len == 0xffff)
				return "zero or variable field length";
			t->rec_len += t->f[i].len;
		}
		t->nfields = n;
		t->opt = opt;
		t->valid = 1;
		if (opt)
			m->nopt_tmpl++;
		else
			m->ntmpl++;
	}
	if (!dec_zero(p, end - p))
		return "template set padding not zero";
	return NULL;
}

static inline const char *dec_data(struct dec_state *st, uint16_t id,
				   const uint8_t *p, const uint8_t *end,
				   struct dec_msg *m)
{
	const struct dec_tmpl *t;

	if (id >= 256 + DEC_TMPL_MAX || !st->t[id - 256].valid)
		return "data set for an unknown template";
	t = &st->t[id - 256];
	if ((unsigned int)(end - p) < t->rec_len)
		return "data set without a record";
	while ((unsigned int)(end - p) >= t->rec_len) {
		if (m->nrec >= DEC_RECS_MAX)
			return "too many records";
		m->rec[m->nrec].tid = id;
		m->rec[m->nrec].t = t;
		m->rec[m->nrec].p = p;
		m->nrec++;
		p += t->rec_len;
	}
	if (end - p >= 4)
		return "data set padding of 4 bytes or more";
	if (!dec_zero(p, end - p))
		return "data set padding not zero";
	return NULL;
}

/* IPFIX (version 10) or v9 message; templates persist in st. */
static inline const char *dec_tpl_msg(struct dec_state *st, const uint8_t *b,
				      unsigned int len, struct dec_msg *m)
{
	unsigned int off, hlen;
	int nf9;

	memset(m, 0, sizeof(*m));
	if (len < 2)
		return "short message";
	m->version = dec_be16(b);
	if (m->version != 9 && m->version != 10)
		return "bad version";
	nf9 = m->version == 9;
	hlen = nf9 ? 20 : 16;
	if (len < hlen)
		return "short header";
	if (nf9) {
		m->count = dec_be16(b + 2);
		m->uptime = dec_be32(b + 4);
		m->sec = dec_be32(b + 8);
		m->seq = dec_be32(b + 12);
		m->domain = dec_be32(b + 16);
	} else {
		m->length = dec_be16(b + 2);
		m->sec = dec_be32(b + 4);
		m->seq = dec_be32(b + 8);
		m->domain = dec_be32(b + 12);
		if (m->length != len)
			return "IPFIX length != message length";
	}
	for (off = hlen; off < len; ) {
		uint16_t sid, slen;
		const char *err;

		if (len - off < 4)
			return "trailing bytes after the last set";
		sid = dec_be16(b + off);
		slen = dec_be16(b + off + 2);
		if (slen < 4 || slen > len - off)
			return "bad set length";
		if (slen % 4)
			return "set length not a multiple of 4";
		if (sid == (nf9 ? 0 : 2))
			err = dec_templates(st, b + off + 4, b + off + slen,
					    0, nf9, m);
		else if (sid == (nf9 ? 1 : 3))
			err = dec_templates(st, b + off + 4, b + off + slen,
					    1, nf9, m);
		else if (sid >= 256)
			err = dec_data(st, sid, b + off + 4, b + off + slen, m);
		else
			err = "reserved set id";
		if (err)
			return err;
		off += slen;
	}
	if (nf9 && m->count != m->ntmpl + m->nopt_tmpl + m->nrec)
		return "v9 count != number of records";
	return NULL;
}

static inline const char *dec_nf5_msg(const uint8_t *b, unsigned int len,
				      struct dec_msg *m)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	if (len < 24)
		return "short header";
	m->version = dec_be16(b);
	m->count = dec_be16(b + 2);
	m->uptime = dec_be32(b + 4);
	m->sec = dec_be32(b + 8);
	m->nsec = dec_be32(b + 12);
	m->seq = dec_be32(b + 16);
	m->engine_type = b[20];
	m->engine_id = b[21];
	m->sampling = dec_be16(b + 22);
	if (m->version != 5)
		return "bad version";
	if (!m->count || m->count > 30)
		return "v5 count not in 1..30";
	if (len != 24 + 48U * m->count)
		return "v5 length != 24 + 48 * count";
	for (i = 0; i < m->count; i++)
		m->rec[i].p = b + 24 + 48 * i;
	m->nrec = m->count;
	return NULL;
}

static inline const char *dec_msg(struct dec_state *st, const uint8_t *b,
				  unsigned int len, struct dec_msg *m)
{
	if (len >= 2 && dec_be16(b) == 5)
		return dec_nf5_msg(b, len, m);
	return dec_tpl_msg(st, b, len, m);
}

/* Field ie (a scope field if scope) of a record: its bytes and length. */
static inline const uint8_t *dec_field(const struct dec_rec *r, uint16_t ie,
				       int scope, unsigned int *len)
{
	const uint8_t *p = r->p;
	unsigned int i;

	if (!r->t)
		return NULL;
	for (i = 0; i < r->t->nfields; i++) {
		if (r->t->f[i].ie == ie && r->t->f[i].scope == !!scope) {
			*len = r->t->f[i].len;
			return p;
		}
		p += r->t->f[i].len;
	}
	return NULL;
}

/* Unsigned field of at most 8 bytes; ~0 flags a missing field. */
static inline uint64_t dec_u(const struct dec_rec *r, uint16_t ie, int scope)
{
	unsigned int len, i;
	const uint8_t *p = dec_field(r, ie, scope, &len);
	uint64_t v = 0;

	if (!p || len > 8)
		return ~0ULL;
	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

/* Records' times are boot-clock ms: v9/v5 send them mod 2^32 */
static inline uint32_t dec_uptime(uint64_t ms)
{
	return (uint32_t)ms;
}

/*
 * Compare an IPFIX/v9 data record with the flow it was made from: every
 * expected field present with the right value, and no others.
 */
static inline const char *dec_check_flow(const struct dec_rec *d,
					 const struct fm_record *r, int version,
					 uint64_t boot_ms)
{
	const struct fm_key *k = &r->key;
	int v6 = k->kflags & FM_KF_IPV6;
	int icmp = k->proto == (v6 ? 58 : 1);
	uint16_t icmp_ie = v6 && version == 10 ? 139 : 32;
	const uint8_t *p;
	unsigned int i, n, len;
	struct {
		uint16_t ie;
		uint64_t v;
	} want[] = {
		{ 1, r->bytes },
		{ 2, r->packets },
		{ 4, k->proto },
		{ 5, k->tos },
		{ 6, r->tcp_flags },
		/* ports, or ICMP type and code (kept in dport) and dport */
		{ icmp ? icmp_ie : 7, icmp ? ntohs(k->dport) : ntohs(k->sport) },
		{ 11, ntohs(k->dport) },
		{ 10, k->in_if },
		{ 14, k->out_if },
		{ 58, k->vlan || !(k->kflags & FM_KF_L2) || (r->rflags & FM_RF_ROUTE) ?
		      k->vlan : r->l2.vlan_outer },
		{ 52, r->ttl_min },
		{ 53, r->ttl_max },
		{ 136, r->end_reason },
		{ 61, k->dir },
		{ 60, v6 ? 6 : 4 },
		{ version == 10 ? 152 : 22, version == 10 ?
		  boot_ms + r->start_ms : dec_uptime(r->start_ms) },
		{ version == 10 ? 153 : 21, version == 10 ?
		  boot_ms + r->end_ms : dec_uptime(r->end_ms) },
		/* the last ones, as they apply: */
		{ 31, v6 ? ntohl(k->addr.v6.flowlabel) & 0xfffff : 0 },
		{ v6 ? 29 : 9, k->src_plen },	/* masked flows */
		{ v6 ? 30 : 13, k->dst_plen },
	};
	/* routed: the routing fields besides (test_route.c checks them) */
	int route = !!(r->rflags & FM_RF_ROUTE);
	/* L2 fields: checked here, they have one source (struct fm_l2) */
	int l2 = !route && (k->kflags & FM_KF_L2);
	/* post-NAT fields: as L2 fields, one source (struct fm_xlate) */
	int xl = !route && !l2 && (k->kflags & FM_KF_NAT);
	int agg = !route && !l2 && !xl && (k->kflags & FM_KF_AGG);
	/* with a selector: selectorId (IPFIX) or FLOW_SAMPLER_ID (v9) last */
	int sel = !route && !l2 && !xl && !agg && (r->rflags & FM_RF_SEL);
	uint16_t sel_ie = version == 10 ? 302 : 48;
	u16 tid = sel ? (icmp ? (v6 ? FM_TMPL_SEL_ICMP6 : FM_TMPL_SEL_ICMP4) :
				(v6 ? FM_TMPL_SEL6 : FM_TMPL_SEL4)) :
		  route ? (icmp ? (v6 ? FM_TMPL_ROUTE_ICMP6 : FM_TMPL_ROUTE_ICMP4) :
				  (v6 ? FM_TMPL_ROUTE6 : FM_TMPL_ROUTE4)) :
		  l2 ? (icmp ? (v6 ? FM_TMPL_L2_ICMP6 : FM_TMPL_L2_ICMP4) :
			       (v6 ? FM_TMPL_L2_6 : FM_TMPL_L2_4)) :
		  xl ? (icmp ? (v6 ? FM_TMPL_XL_ICMP6 : FM_TMPL_XL_ICMP4) :
			       (v6 ? FM_TMPL_XL6 : FM_TMPL_XL4)) :
		  agg ? (icmp ? (v6 ? FM_TMPL_AGG_ICMP6 : FM_TMPL_AGG_ICMP4) :
				(v6 ? FM_TMPL_AGG6 : FM_TMPL_AGG4)) :
			(icmp ? (v6 ? FM_TMPL_ICMP6 : FM_TMPL_ICMP4) :
				(v6 ? FM_TMPL_V6 : FM_TMPL_V4));

	if (!d->t || d->t->opt)
		return "flow not decoded by a data template";
	if (d->tid != tid)
		return "flow in the template of another class";
	if (icmp ? !!dec_field(d, 7, 0, &len) :
		   dec_field(d, 32, 0, &len) || dec_field(d, 139, 0, &len))
		return "ports and ICMP type in one record";
	n = ARRAY_SIZE(want) - 3;
	if (agg) {	/* no flow label, the prefix lengths */
		want[n] = want[n + 1];
		want[n + 1] = want[n + 2];
		n += 2;
		if (dec_field(d, 31, 0, &len))
			return "flow label in a masked flow";
	} else if (v6) {
		n++;	/* the flow label */
	}
	for (i = 0; i < n; i++)
		if (dec_u(d, want[i].ie, 0) != want[i].v) {
			static char why[64];

			snprintf(why, sizeof(why), "flow field %u missing or wrong",
				 want[i].ie);
			return why;
		}
	p = dec_field(d, v6 ? 27 : 8, 0, &len);
	if (!p || len != (v6 ? 16U : 4U) ||
	    memcmp(p, v6 ? (const void *)&k->addr.v6.saddr :
		   (const void *)&k->addr.v4.saddr, len))
		return "source address missing or wrong";
	p = dec_field(d, v6 ? 28 : 12, 0, &len);
	if (!p || len != (v6 ? 16U : 4U) ||
	    memcmp(p, v6 ? (const void *)&k->addr.v6.daddr :
		   (const void *)&k->addr.v4.daddr, len))
		return "destination address missing or wrong";
	if (l2) {
		if (dec_u(d, 243, 0) != r->l2.vlan_outer ||
		    dec_u(d, 245, 0) != r->l2.vlan_inner ||
		    dec_u(d, 256, 0) != (v6 ? 0x86ddU : 0x0800U))
			return "VLAN id or Ethernet type missing or wrong";
		p = dec_field(d, 56, 0, &len);
		if (!p || len != 6 || memcmp(p, r->l2.src_mac, 6))
			return "source MAC missing or wrong";
		p = dec_field(d, 80, 0, &len);
		if (!p || len != 6 || memcmp(p, r->l2.dst_mac, 6))
			return "destination MAC missing or wrong";
		p = dec_field(d, 81, 0, &len);
		if (!p || len != 6 || memcmp(p, r->l2.post_src_mac, 6))
			return "post source MAC missing or wrong";
		p = dec_field(d, 57, 0, &len);
		if (!p || len != 6 || memcmp(p, r->l2.post_dst_mac, 6))
			return "post destination MAC missing or wrong";
		p = dec_field(d, 70, 0, &len);
		if (!p || len != 3 || memcmp(p, r->l2.mpls, 3))
			return "MPLS top label missing or wrong";
	} else if (dec_field(d, 56, 0, &len) || dec_field(d, 243, 0, &len)) {
		return "L2 fields in a record without";
	}
	if (xl) {
		p = dec_field(d, v6 ? 281 : 225, 0, &len);
		if (!p || len != (v6 ? 16U : 4U) || memcmp(p, &r->xlate.saddr, len))
			return "post-NAT source address missing or wrong";
		p = dec_field(d, v6 ? 282 : 226, 0, &len);
		if (!p || len != (v6 ? 16U : 4U) || memcmp(p, &r->xlate.daddr, len))
			return "post-NAT destination address missing or wrong";
		if (icmp ? dec_field(d, 227, 0, &len) || dec_field(d, 228, 0, &len) :
			   dec_u(d, 227, 0) != ntohs(r->xlate.sport) ||
			   dec_u(d, 228, 0) != ntohs(r->xlate.dport))
			return "post-NAT ports wrong, or in an ICMP record";
	} else if (dec_field(d, 225, 0, &len) || dec_field(d, 281, 0, &len)) {
		return "post-NAT fields in a record without";
	}
	if (sel && (dec_u(d, sel_ie, 0) != r->selector ||
		    d->t->f[d->t->nfields - 1].ie != sel_ie))
		return "selector missing or wrong";
	if (d->t->nfields != n + 2 + (route ? 5 : l2 ? 8 : 0) +
			      (xl ? (icmp ? 2 : 4) : 0) + sel)
		return "unexpected extra fields";
	return NULL;
}

static inline uint32_t dec_sat32(uint64_t v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (uint32_t)v;
}

/* Compare a v5 record with its (IPv4) flow. */
static inline const char *dec_check_nf5(const struct dec_rec *d,
					const struct fm_record *r,
					uint64_t boot_ms)
{
	const uint8_t *p = d->p;
	const struct fm_key *k = &r->key;

	if (memcmp(p, &k->addr.v4.saddr, 4) || memcmp(p + 4, &k->addr.v4.daddr, 4))
		return "v5 address wrong";
	if (dec_be32(p + 8))
		return "v5 nexthop not zero";
	if (dec_be16(p + 12) != (k->in_if > 0xffff ? 0xffff : k->in_if) ||
	    dec_be16(p + 14) != (k->out_if > 0xffff ? 0xffff : k->out_if))
		return "v5 interface wrong";
	if (dec_be32(p + 16) != dec_sat32(r->packets) ||
	    dec_be32(p + 20) != dec_sat32(r->bytes))
		return "v5 counter wrong";
	(void)boot_ms;	/* v5 carries uptimes only */
	if (dec_be32(p + 24) != dec_uptime(r->start_ms) ||
	    dec_be32(p + 28) != dec_uptime(r->end_ms))
		return "v5 First/Last wrong";
	if (dec_be16(p + 32) != ntohs(k->sport) ||
	    dec_be16(p + 34) != ntohs(k->dport))
		return "v5 port wrong";
	if (p[36] || !dec_zero(p + 40, 4) || !dec_zero(p + 46, 2))
		return "v5 pad/AS not zero";
	if (p[44] != k->src_plen || p[45] != k->dst_plen)
		return "v5 mask wrong";
	if (p[37] != r->tcp_flags || p[38] != k->proto || p[39] != k->tos)
		return "v5 flags/proto/tos wrong";
	return NULL;
}

/*
 * Test fixture: flow number i, IPv4 or IPv6, of protocol proto, with
 * 64-bit counters, big ifindexes and ICMP type/code in dport.
 */
static inline void enc_test_flow(struct fm_record *r, unsigned int i,
				 int v6, uint8_t proto, uint64_t boot_ms)
{
	memset(r, 0, sizeof(*r));
	r->key.in_if = 2 + i % 3;
	r->key.out_if = i % 2 ? 70000 + i : 3;
	r->key.proto = proto;
	r->key.tos = (uint8_t)(i * 4);
	r->key.vlan = (uint16_t)(i % 4095);
	r->key.dir = i & 1;
	if (proto == 1 || proto == 58) {
		r->key.dport = htons((uint16_t)((proto == 1 ? 8 : 128) << 8 |
						 (i & 3)));
	} else {
		r->key.sport = htons((uint16_t)(1024 + i));
		r->key.dport = htons(443);
	}
	if (v6) {
		r->key.kflags = FM_KF_IPV6;
		r->key.addr.v6.saddr.s6_addr[0] = 0x20;
		r->key.addr.v6.saddr.s6_addr[1] = 0x01;
		r->key.addr.v6.saddr.s6_addr[15] = (uint8_t)i;
		r->key.addr.v6.daddr.s6_addr[0] = 0xfd;
		r->key.addr.v6.daddr.s6_addr[14] = (uint8_t)(i >> 8);
		r->key.addr.v6.daddr.s6_addr[15] = 0x99;
		r->key.addr.v6.flowlabel = htonl(0x12345 + i);
	} else {
		r->key.addr.v4.saddr = htonl(0x0a000001 + i);
		r->key.addr.v4.daddr = htonl(0xc0a80001 + 7 * i);
	}
	r->packets = 1 + i * 1000003ULL;
	r->bytes = r->packets * 1500 + ((uint64_t)i << 33);
	(void)boot_ms;		/* times are boot-clock ms */
	r->start_ms = 5000 + i;
	r->end_ms = r->start_ms + 60000 + i;
	r->tcp_flags = proto == 6 ? 0x1b : 0;
	r->ttl_min = (uint8_t)(30 + i % 10);
	r->ttl_max = 64;
	r->end_reason = (uint8_t)(1 + i % 5);
}

#endif /* _FM_ENC_DECODE_H */
