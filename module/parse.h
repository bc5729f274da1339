/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet parser: network header bytes -> flow key. Reads the packet only
 * through fm_hdr_ptr(), which in the kernel is skb_header_pointer() and in
 * userspace a bounds-checked view of a flat buffer, so the same parse.c
 * builds in both and never reads past the data it was given.
 */
#ifndef _FM_PARSE_H
#define _FM_PARSE_H

#include "flow.h"

#ifdef __KERNEL__
#include <linux/skbuff.h>
#include <linux/in.h>	/* IPPROTO_*: libc's come with fm_types.h */

typedef struct sk_buff fm_pkt_t;

static inline const void *fm_hdr_ptr(const fm_pkt_t *pkt, unsigned int off,
				     unsigned int len, void *buf)
{
	return skb_header_pointer(pkt, off, len, buf);
}

/* Bytes from offset 0 to the end of the packet, paged data included. */
static inline unsigned int fm_pkt_len(const fm_pkt_t *pkt)
{
	return pkt->len;
}
#else
typedef struct fm_buf {
	const u8 *data;
	unsigned int len;
} fm_pkt_t;

static inline const void *fm_hdr_ptr(const fm_pkt_t *pkt, unsigned int off,
				     unsigned int len, void *buf)
{
	(void)buf;
	if (off > pkt->len || len > pkt->len - off)
		return NULL;
	return pkt->data + off;
}

static inline unsigned int fm_pkt_len(const fm_pkt_t *pkt)
{
	return pkt->len;
}
#endif

/* Outcome of fm_parse(): 0 is a good packet, the rest are counted drops. */
enum fm_parse_err {
	FM_PARSE_OK = 0,
	FM_PERR_TRUNC_L3,	/* IP header shorter than its minimum */
	FM_PERR_VERSION,	/* version nibble does not match the family */
	FM_PERR_IHL,		/* IPv4 IHL < 5 or beyond the packet */
	FM_PERR_LEN,		/* IP total/payload length inconsistent */
	FM_PERR_EXTHDR,		/* IPv6 extension chain truncated or too long */
	FM_PERR_TRUNC_L4,	/* first fragment/unfragmented, L4 header cut */
	FM_PERR_MPLS,		/* MPLS label stack truncated or too deep */
	FM_PERR_MAX
};

/* Per-packet facts that are counters, not key fields. */
struct fm_pktinfo {
	u32 octets;		/* IPv4 total length / IPv6 40 + payload length */
	u32 packets;		/* 1; a GSO/GRO skb's segments, see fm_meter() */
	u16 l3len;		/* IP header(s), IPv6 extensions included */
	u8 ttl;			/* TTL / hop limit */
	u8 tcp_flags;		/* flags byte of the TCP header, 0 if not TCP */
	u8 frag;		/* 1 if any fragment (first or not) */
	u8 l4_missing;		/* non-first fragment or unknown proto: no ports */
	u8 side;		/* biflow: 1 if sent by the key's destination */
	/* the packet's L2 fields while the netns keeps them, else NULL */
	const struct fm_l2 *l2;
	/* its post-NAT fields while the netns keeps them, else NULL */
	const struct fm_xlate *xlate;
};

#define FM_PARSE_FLOWLABEL	0x01	/* put the IPv6 flow label in the key */
#define FM_PARSE_L2		0x02	/* the hook fills pi->l2 (hook.c) */
#define FM_PARSE_NAT		0x04	/* the hook fills pi->xlate (hook.c) */

/*
 * Parse the IPv4 (family 4) or IPv6 (family 6) header at offset nhoff of
 * pkt. On return the whole key is initialised: addresses, ports, proto,
 * tos, kflags and flow label are set, every other byte is zero (in_if,
 * out_if, vlan and dir are the caller's to fill in afterwards). pi is
 * filled as far as parsing got. Returns FM_PARSE_OK or an fm_parse_err
 * (any other family is FM_PERR_VERSION).
 *
 * The transport header must lie within the IP length: TCP needs 14 bytes
 * (up to the flags), UDP, UDP-Lite, SCTP and DCCP 4, ICMP/ICMPv6 2. An IP
 * length of 0 (IPv4 BIG TCP, IPv6 jumbogram or BIG TCP) means the rest
 * of the packet. A length beyond the data is not an error: octets counts
 * it and only the headers actually present are read.
 */
int fm_parse_slow(const fm_pkt_t *pkt, unsigned int nhoff, u8 family,
		  unsigned int opts, struct fm_key *key, struct fm_pktinfo *pi);

/* Labels an MPLS frame may have above its IP packet (fm_parse_mpls()) */
#define FM_MPLS_DEPTH_MAX	8

/*
 * An MPLS frame's label stack at offset nhoff of pkt (the bridge hook:
 * Ethernet type 0x8847 or 0x8848), down to the entry with the bottom of
 * stack bit. On success returns 0, the top entry's label, traffic class
 * and S bit in top[3] (IPFIX IE 70's bytes), the IP header's offset in
 * *ipoff and its family, by the version nibble after the stack, in
 * *family (4 or 6). FM_PERR_MPLS: no bottom within FM_MPLS_DEPTH_MAX
 * entries or the data; FM_PERR_TRUNC_L3: nothing after the stack;
 * FM_PERR_VERSION: neither IPv4 nor IPv6 there (a pseudowire's Ethernet,
 * ...).
 */
int fm_parse_mpls(const fm_pkt_t *pkt, unsigned int nhoff, u8 top[3],
		  unsigned int *ipoff, u8 *family);

#define FM_IPV4_HLEN	20
#define FM_TCP_NEED	14	/* TCP: ports ... flags byte */

/*
 * fm_parse() for the usual packet, inline on the packet path: IPv4
 * without options, not a fragment, UDP or TCP whose ports (TCP: up to
 * the flags) lie inside the IP length. Fills key and pi exactly as
 * fm_parse_slow() would and returns true; false leaves the packet to it.
 */
static __always_inline bool fm_parse_v4_fast(const fm_pkt_t *pkt,
					     unsigned int nhoff,
					     struct fm_key *key,
					     struct fm_pktinfo *pi)
{
	u8 buf[FM_IPV4_HLEN + 4], tbuf[FM_TCP_NEED];
	const u8 *h, *tcp = NULL;
	unsigned int len;

	h = fm_hdr_ptr(pkt, nhoff, sizeof(buf), buf);	/* header + ports */
	if (!h || h[0] != 0x45 || (h[6] & 0x3f) || h[7])
		return false;
	len = h[2] << 8 | h[3];
	if (h[9] == IPPROTO_UDP) {
		if (len < FM_IPV4_HLEN + 4)
			return false;
	} else if (h[9] == IPPROTO_TCP) {
		if (len < FM_IPV4_HLEN + FM_TCP_NEED)
			return false;
		tcp = fm_hdr_ptr(pkt, nhoff + FM_IPV4_HLEN, FM_TCP_NEED, tbuf);
		if (!tcp)
			return false;
	} else {
		return false;
	}
	/*
	 * Two halves: one memset() of the whole key becomes a string
	 * instruction, each of whose iterations is costly under emulation.
	 */
	memset(key, 0, FM_KEY_LEN_V4);
	memset((u8 *)key + FM_KEY_LEN_V4, 0, FM_KEY_LEN_V6 - FM_KEY_LEN_V4);
	memset(pi, 0, sizeof(*pi));
	key->proto = h[9];
	key->tos = h[1];
	memcpy(&key->addr.v4, h + 12, 8);
	memcpy((u8 *)key + offsetof(struct fm_key, sport), h + 20, 4);
	pi->octets = len;
	pi->packets = 1;
	pi->l3len = FM_IPV4_HLEN;
	pi->ttl = h[8];
	if (tcp)
		pi->tcp_flags = tcp[13];
	return true;
}

static __always_inline int fm_parse(const fm_pkt_t *pkt, unsigned int nhoff,
				    u8 family, unsigned int opts,
				    struct fm_key *key, struct fm_pktinfo *pi)
{
	if (family == 4 && fm_parse_v4_fast(pkt, nhoff, key, pi))
		return FM_PARSE_OK;
	return fm_parse_slow(pkt, nhoff, family, opts, key, pi);
}

#endif /* _FM_PARSE_H */
