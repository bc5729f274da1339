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
	FM_PERR_MAX
};

/* Per-packet facts that are counters, not key fields. */
struct fm_pktinfo {
	u32 octets;		/* IPv4 total length / IPv6 40 + payload length */
	u8 ttl;			/* TTL / hop limit */
	u8 tcp_flags;		/* flags byte of the TCP header, 0 if not TCP */
	u8 frag;		/* 1 if any fragment (first or not) */
	u8 l4_missing;		/* non-first fragment or unknown proto: no ports */
};

#define FM_PARSE_FLOWLABEL	0x01	/* put the IPv6 flow label in the key */

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
int fm_parse(const fm_pkt_t *pkt, unsigned int nhoff, u8 family,
	     unsigned int opts, struct fm_key *key, struct fm_pktinfo *pi);

#endif /* _FM_PARSE_H */
