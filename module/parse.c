// SPDX-License-Identifier: GPL-2.0
/*
 * Packet parser: IPv4 or IPv6 header, the IPv6 extension header chain
 * and the first bytes of the transport header -> flow key. Headers are
 * read as bytes at fixed offsets through fm_hdr_ptr(), so this file
 * builds unchanged in the kernel and in the userspace tests and fuzzers.
 */
#include "parse.h"

#define FM_IPV6_HLEN	40
#define FM_MAX_EXTHDRS	8	/* more is FM_PERR_EXTHDR */

/*
 * The transport header at off, with room bytes of IP payload left. Ports
 * need 4 bytes and ICMP type and code 2; TCP needs 14 so the flags byte
 * is always there, a shorter TCP header is FM_PERR_TRUNC_L4 even when
 * the ports would fit. Other protocols have no ports: l4_missing.
 */
static int fm_parse_l4(const fm_pkt_t *pkt, unsigned int off,
		       unsigned int room, u8 icmp_proto, struct fm_key *key,
		       struct fm_pktinfo *pi)
{
	u8 buf[FM_TCP_NEED];
	unsigned int need;
	const u8 *p;

	switch (key->proto) {
	case IPPROTO_TCP:
		need = FM_TCP_NEED;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		need = 4;
		break;
	default:
		if (key->proto != icmp_proto) {
			pi->l4_missing = 1;
			return FM_PARSE_OK;
		}
		need = 2;
		break;
	}
	if (need > room)
		return FM_PERR_TRUNC_L4;
	p = fm_hdr_ptr(pkt, off, need, buf);
	if (!p)
		return FM_PERR_TRUNC_L4;

	if (key->proto == icmp_proto) {
		/* type, code in wire order is htons(type * 256 + code) */
		memcpy(&key->dport, p, 2);
		return FM_PARSE_OK;
	}
	memcpy(&key->sport, p, 2);
	memcpy(&key->dport, p + 2, 2);
	if (key->proto == IPPROTO_TCP)
		pi->tcp_flags = p[13];
	return FM_PARSE_OK;
}

static int fm_parse_v4(const fm_pkt_t *pkt, unsigned int nhoff,
		       struct fm_key *key, struct fm_pktinfo *pi)
{
	u8 buf[FM_IPV4_HLEN];
	unsigned int hlen, len, frag;
	const u8 *h;

	h = fm_hdr_ptr(pkt, nhoff, FM_IPV4_HLEN, buf);
	if (!h)
		return FM_PERR_TRUNC_L3;
	if (h[0] >> 4 != 4)
		return FM_PERR_VERSION;
	hlen = (h[0] & 0x0f) * 4;
	if (hlen < FM_IPV4_HLEN || hlen > fm_pkt_len(pkt) - nhoff)
		return FM_PERR_IHL;
	len = h[2] << 8 | h[3];
	/* Only an IPv4 BIG TCP (GSO) packet has 0: the length is the skb's */
	if (!len)
		len = fm_pkt_len(pkt) - nhoff;
	if (len < hlen)
		return FM_PERR_LEN;

	key->proto = h[9];
	key->tos = h[1];
	memcpy(&key->addr.v4.saddr, h + 12, 4);
	memcpy(&key->addr.v4.daddr, h + 16, 4);
	pi->octets = len;
	pi->l3len = hlen;
	pi->ttl = h[8];

	frag = (h[6] << 8 | h[7]) & 0x3fff;	/* MF and fragment offset */
	if (frag) {
		pi->frag = 1;
		if (frag & 0x1fff) {
			pi->l4_missing = 1;
			return FM_PARSE_OK;
		}
	}
	return fm_parse_l4(pkt, nhoff + hlen, len - hlen, IPPROTO_ICMP,
			   key, pi);
}

/*
 * Walk the IPv6 extension headers from *off, none of them past the
 * payload (*room bytes) or the packet, and leave key->proto, *off and
 * *room at the upper-layer header. ESP, No Next Header, Mobility and
 * anything unknown end the chain as the upper-layer protocol. A
 * non-first fragment ends it too: proto is the fragment header's next
 * header and there are no ports.
 */
static int fm_skip_exthdrs(const fm_pkt_t *pkt, unsigned int *off,
			   unsigned int *room, u8 nexthdr,
			   struct fm_key *key, struct fm_pktinfo *pi)
{
	unsigned int n, len;
	const u8 *p;
	u8 buf[4];

	for (n = 0; ; n++) {
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_FRAGMENT:
		case IPPROTO_AH:
		case IPPROTO_DSTOPTS:
			break;
		default:
			key->proto = nexthdr;
			return FM_PARSE_OK;
		}
		if (n == FM_MAX_EXTHDRS)
			return FM_PERR_EXTHDR;
		p = fm_hdr_ptr(pkt, *off, sizeof(buf), buf);
		if (!p)
			return FM_PERR_EXTHDR;
		if (nexthdr == IPPROTO_FRAGMENT)
			len = 8;
		else if (nexthdr == IPPROTO_AH)
			len = (p[1] + 2) * 4;
		else
			len = (p[1] + 1) * 8;
		if (len > *room || len > fm_pkt_len(pkt) - *off)
			return FM_PERR_EXTHDR;

		if (nexthdr == IPPROTO_FRAGMENT) {
			pi->frag = 1;
			if ((p[2] << 8 | p[3]) & 0xfff8) {
				key->proto = p[0];
				pi->l4_missing = 1;
				return FM_PARSE_OK;
			}
		}
		nexthdr = p[0];
		*off += len;
		*room -= len;
	}
}

static int fm_parse_v6(const fm_pkt_t *pkt, unsigned int nhoff,
		       unsigned int opts, struct fm_key *key,
		       struct fm_pktinfo *pi)
{
	u8 buf[FM_IPV6_HLEN];
	unsigned int off, room;
	const u8 *h;
	__be32 word;
	int err;

	h = fm_hdr_ptr(pkt, nhoff, FM_IPV6_HLEN, buf);
	if (!h)
		return FM_PERR_TRUNC_L3;
	if (h[0] >> 4 != 6)
		return FM_PERR_VERSION;
	room = h[4] << 8 | h[5];
	/* 0 is a jumbogram or BIG TCP packet: the payload is the rest */
	if (!room)
		room = fm_pkt_len(pkt) - nhoff - FM_IPV6_HLEN;

	key->kflags = FM_KF_IPV6;
	key->tos = (h[0] & 0x0f) << 4 | h[1] >> 4;
	if (opts & FM_PARSE_FLOWLABEL) {
		memcpy(&word, h, 4);
		key->addr.v6.flowlabel = word & cpu_to_be32(0x000fffff);
	}
	memcpy(&key->addr.v6.saddr, h + 8, 16);
	memcpy(&key->addr.v6.daddr, h + 24, 16);
	pi->octets = FM_IPV6_HLEN + room;
	pi->ttl = h[7];

	off = nhoff + FM_IPV6_HLEN;
	err = fm_skip_exthdrs(pkt, &off, &room, h[6], key, pi);
	pi->l3len = off - nhoff;
	if (err || pi->l4_missing)
		return err;
	return fm_parse_l4(pkt, off, room, IPPROTO_ICMPV6, key, pi);
}

int fm_parse_slow(const fm_pkt_t *pkt, unsigned int nhoff, u8 family,
		  unsigned int opts, struct fm_key *key, struct fm_pktinfo *pi)
{
	memset(key, 0, sizeof(*key));
	memset(pi, 0, sizeof(*pi));
	pi->packets = 1;

	if (family == 4)
		return fm_parse_v4(pkt, nhoff, key, pi);
	if (family == 6)
		return fm_parse_v6(pkt, nhoff, opts, key, pi);
	return FM_PERR_VERSION;
}

int fm_parse_mpls(const fm_pkt_t *pkt, unsigned int nhoff, u8 top[3],
		  unsigned int *ipoff, u8 *family)
{
	unsigned int i, off = nhoff;
	const u8 *l;
	u8 buf[4];

	for (i = 0; i < FM_MPLS_DEPTH_MAX; i++, off += 4) {
		l = fm_hdr_ptr(pkt, off, 4, buf);
		if (!l)
			return FM_PERR_MPLS;
		if (!i)
			memcpy(top, l, 3);	/* the TTL byte is not in IE 70 */
		if (l[2] & 0x01)		/* bottom of stack */
			break;
	}
	if (i == FM_MPLS_DEPTH_MAX)
		return FM_PERR_MPLS;
	off += 4;
	l = fm_hdr_ptr(pkt, off, 1, buf);
	if (!l)
		return FM_PERR_TRUNC_L3;
	*ipoff = off;
	switch (l[0] >> 4) {
	case 4:
		*family = 4;
		return 0;
	case 6:
		*family = 6;
		return 0;
	}
	return FM_PERR_VERSION;
}
