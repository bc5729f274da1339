// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for fm_parse(). The first input byte picks the call:
 * bit 0 the family (IPv4/IPv6), bit 1 FM_PARSE_FLOWLABEL, bits 2-4 the
 * network header offset; the rest is the packet, also parsed as an MPLS
 * label stack (fm_parse_mpls()). Any broken invariant aborts.
 */
#include <stdlib.h>
#include "parse.h"

#define FUZZ_CHECK(cond) do { if (!(cond)) abort(); } while (0)

static bool has_ports(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

static void check_ok(const fm_pkt_t *pkt, unsigned int nhoff, bool v6,
		     unsigned int opts, const struct fm_key *k,
		     const struct fm_pktinfo *pi)
{
	static const u8 zero[sizeof(struct fm_key)];
	const u8 *h = pkt->data + nhoff;
	unsigned int klen = fm_key_len(k);
	u8 icmp = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

	/* caller's fields and padding are zero, and so is the unused tail */
	FUZZ_CHECK(!k->in_if && !k->out_if && !k->vlan && !k->dir && !k->src_plen && !k->dst_plen);
	FUZZ_CHECK(k->kflags == (v6 ? FM_KF_IPV6 : 0));
	FUZZ_CHECK(!memcmp((const u8 *)k + klen, zero, sizeof(*k) - klen));

	/* the L3 fields are the packet's */
	FUZZ_CHECK(pkt->len - nhoff >= (v6 ? 40u : 20u));
	FUZZ_CHECK(pi->ttl == h[v6 ? 7 : 8]);
	FUZZ_CHECK(pi->octets >= (v6 ? 40u : 20u));
	if (v6) {
		FUZZ_CHECK(!memcmp(&k->addr.v6.saddr, h + 8, 32));
		FUZZ_CHECK(be32_to_cpu(k->addr.v6.flowlabel) <= 0xfffff);
		if (!(opts & FM_PARSE_FLOWLABEL))
			FUZZ_CHECK(!k->addr.v6.flowlabel);
	} else {
		FUZZ_CHECK(!memcmp(&k->addr.v4, h + 12, 8));
		FUZZ_CHECK(k->proto == h[9] && k->tos == h[1]);
	}

	/* ports only where the protocol has them */
	if (pi->l4_missing) {
		FUZZ_CHECK(!k->sport && !k->dport && !pi->tcp_flags);
		FUZZ_CHECK(pi->frag || !(has_ports(k->proto) ||
					 k->proto == icmp));
	} else {
		FUZZ_CHECK(has_ports(k->proto) || k->proto == icmp);
	}
	if (k->proto == icmp)
		FUZZ_CHECK(!k->sport);
	if (k->proto != IPPROTO_TCP)
		FUZZ_CHECK(!pi->tcp_flags);
	FUZZ_CHECK(pi->frag <= 1 && pi->l4_missing <= 1);
}

/*
 * The same bytes as an MPLS frame's label stack at nhoff: a success is a
 * bottom of stack within FM_MPLS_DEPTH_MAX entries, the packet's data
 * after it starting with IP's version, and the top entry the first 3
 * bytes
 */
static void check_mpls(const fm_pkt_t *pkt, unsigned int nhoff)
{
	unsigned int ipoff = 0;
	u8 top[3], family = 0;
	int r;

	r = fm_parse_mpls(pkt, nhoff, top, &ipoff, &family);
	FUZZ_CHECK(r == FM_PARSE_OK || r == FM_PERR_MPLS ||
		   r == FM_PERR_TRUNC_L3 || r == FM_PERR_VERSION);
	if (r != FM_PARSE_OK)
		return;
	FUZZ_CHECK(ipoff > nhoff && ipoff < pkt->len && !((ipoff - nhoff) % 4));
	FUZZ_CHECK(ipoff - nhoff <= 4 * FM_MPLS_DEPTH_MAX);
	FUZZ_CHECK(pkt->data[ipoff - 2] & 1);	/* the bottom's S bit */
	FUZZ_CHECK(family == pkt->data[ipoff] >> 4);
	FUZZ_CHECK(!memcmp(top, pkt->data + nhoff, 3));
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fm_key k1, k2;
	struct fm_pktinfo p1, p2;
	unsigned int nhoff, opts;
	fm_pkt_t pkt;
	bool v6;
	int r1, r2;

	if (!size)
		return 0;
	v6 = data[0] & 1;
	opts = data[0] & 2 ? FM_PARSE_FLOWLABEL : 0;
	nhoff = (data[0] >> 2) & 7;
	pkt.data = data + 1;
	pkt.len = size - 1;

	/* every byte of the output is written, whatever was there before */
	memset(&k1, 0x00, sizeof(k1));
	memset(&p1, 0x00, sizeof(p1));
	memset(&k2, 0xff, sizeof(k2));
	memset(&p2, 0xff, sizeof(p2));
	r1 = fm_parse(&pkt, nhoff, v6 ? 6 : 4, opts, &k1, &p1);
	/* the inline fast path and the whole parser agree byte for byte */
	r2 = fm_parse_slow(&pkt, nhoff, v6 ? 6 : 4, opts, &k2, &p2);
	FUZZ_CHECK(r1 == r2);
	FUZZ_CHECK(!memcmp(&k1, &k2, sizeof(k1)));
	FUZZ_CHECK(!memcmp(&p1, &p2, sizeof(p1)));
	FUZZ_CHECK(r1 >= FM_PARSE_OK && r1 < FM_PERR_MAX);

	if (r1 == FM_PERR_TRUNC_L3)
		FUZZ_CHECK(pkt.len < nhoff + (v6 ? 40u : 20u));
	if (r1 == FM_PARSE_OK)
		check_ok(&pkt, nhoff, v6, opts, &k1, &p1);
	check_mpls(&pkt, nhoff);
	return 0;
}
