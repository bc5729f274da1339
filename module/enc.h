/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Export message encoders: IPFIX (RFC 7011), NetFlow v9 (RFC 3954) and
 * NetFlow v5, written into a caller's buffer. No allocation, no locking:
 * one session per exporter->collector transport session, used by one
 * writer at a time.
 *
 * Usage, per export datagram:
 *
 *	fm_enc_begin(&m, sess, buf, 1472, &clk);   (adds templates when due)
 *	while (more flows) {
 *		ret = fm_enc_add_flow(&m, rec);
 *		if (ret == FM_ENC_FULL)
 *			send fm_enc_finish(&m) bytes, fm_enc_begin() again, retry;
 *		else if (ret == FM_ENC_UNSUPPORTED)
 *			count the record as not sent (IPv6 flow on v5);
 *	}
 *	len = fm_enc_finish(&m); send len bytes of buf.
 *
 * The session decides when templates are (re)sent: in the first message,
 * after fm_enc_resend_templates(), then every tmpl_refresh_sec seconds of
 * export time or every tmpl_refresh_msgs messages, whichever comes first.
 * m.tmpl tells the caller that the message carries them, a good moment to
 * add the options data (sampling, interface names, statistics).
 *
 * fm_enc_finish() commits the message to the session (sequence number,
 * template schedule): finish only messages that will be sent, and send
 * every finished message; a lost send then shows as a sequence gap at
 * the collector, which is the truth. A message dropped before finishing
 * leaves no trace. Don't send v5 messages without records (m.nrec 0).
 */
#ifndef _FM_ENC_H
#define _FM_ENC_H

#include "flow.h"

enum fm_enc_version {
	FM_ENC_NF5 = 5,
	FM_ENC_NF9 = 9,
	FM_ENC_IPFIX = 10,
};

/* Return values of the fm_enc_* calls. */
enum fm_enc_ret {
	FM_ENC_OK = 0,
	FM_ENC_FULL,		/* no room: finish, send, begin again, retry */
	FM_ENC_UNSUPPORTED,	/* not encodable in this version (IPv6 on v5) */
	FM_ENC_TOOSMALL,	/* fm_enc_begin(): buffer below the minimum */
};

/*
 * The meter's sampling mode. 1 and 2 are the v9 SAMPLING_ALGORITHM values
 * and the v5 header's sampling mode; hash is neither, and goes out as
 * random there (nf5.c, nf9.c say why).
 */
enum fm_sampling_algo {
	FM_SAMPLING_DETERMINISTIC = 1,
	FM_SAMPLING_RANDOM = 2,
	FM_SAMPLING_HASH = 3,	/* hash-based flow selection (hashsel.h) */
};

/*
 * Template ids, stable across restarts; the same in IPFIX and v9. A flow
 * record's template follows its protocol: transport ports for every
 * protocol but ICMP (zero for those that have none: GRE, ESP, ...), ICMP
 * type and code for ICMP and ICMPv6 (and again as the destination port,
 * no source port). One template with both
 * lets a collector take the ICMP field over the ports (nfdump 1.7 showed
 * destination port 0 for SCTP, DCCP and UDP-Lite).
 */
enum fm_tmpl_id {
	FM_TMPL_V4 = 256,	/* IPv4 flows, ports */
	FM_TMPL_V6,		/* IPv6 flows, ports */
	FM_TMPL_STATS,		/* options: exporter statistics */
	FM_TMPL_SAMPLING,	/* options: sampling rate */
	FM_TMPL_IFNAME,		/* options: ifindex -> interface name */
	FM_TMPL_ICMP4,		/* IPv4 ICMP flows, type and code */
	FM_TMPL_ICMP6,		/* IPv6 ICMPv6 flows, type and code */
	FM_TMPL_HASHSEL,	/* options: hash selection (IPFIX), in place
				 * of FM_TMPL_SAMPLING in sampling mode hash */
	/*
	 * Masked (aggregated) flows: the same with the prefix lengths, no
	 * IPv6 flow label. Sent instead of the four above by a session in
	 * aggregate mode (struct fm_enc_session.agg).
	 */
	FM_TMPL_AGG4,
	FM_TMPL_AGG6,
	FM_TMPL_AGG_ICMP4,
	FM_TMPL_AGG_ICMP6,
	/*
	 * Routed flows (FM_RF_ROUTE): the unmasked ones with the next hop,
	 * the route prefix lengths and the AS numbers. Sent instead of the
	 * others by a session in routing mode.
	 */
	FM_TMPL_ROUTE4,
	FM_TMPL_ROUTE6,
	FM_TMPL_ROUTE_ICMP4,
	FM_TMPL_ROUTE_ICMP6,
	FM_TMPL_FLOWSAMP,	/* 272, options: flow sampling (IPFIX), sent
				 * besides the others while it is on */
	/*
	 * Biflows (FM_KF_BI, RFC 5103): the initiator's counters and the
	 * responder's, in reverse fields (IPFIX) or OUT_BYTES/OUT_PKTS
	 * (v9). Sent instead of the others by a session in biflow mode.
	 */
	FM_TMPL_BI4,		/* 273 */
	FM_TMPL_BI6,
	FM_TMPL_BI_ICMP4,
	FM_TMPL_BI_ICMP6,	/* 276 */
	FM_TMPL_NAT4,		/* 277, NAT44 session events (RFC 8158): sent
				 * with the first event after each refresh of
				 * the others, never in the template block */
	/*
	 * Flows with L2 fields (FM_KF_L2): the unmasked ones with MAC
	 * addresses, VLAN ids and Ethernet type. Sent instead of the others
	 * by a session in L2 mode.
	 */
	FM_TMPL_L2_4,		/* 278 */
	FM_TMPL_L2_6,
	FM_TMPL_L2_ICMP4,
	FM_TMPL_L2_ICMP6,	/* 281 */
	/*
	 * NAT66 session events and the count of lost events: sent as
	 * FM_TMPL_NAT4, with the first record of their kind after each
	 * refresh of the others.
	 */
	FM_TMPL_NAT6,		/* 282, NAT66 session events */
	FM_TMPL_NAT_LOST,	/* 283, options: NAT events lost */
	/*
	 * Per-interface sampling rates (FM_RF_SEL): the plain templates
	 * with the record's selector, and the options template that gives
	 * each selector's rate. Sent instead of the plain ones by a session
	 * in selector mode.
	 */
	FM_TMPL_SEL4,		/* 284 */
	FM_TMPL_SEL6,
	FM_TMPL_SEL_ICMP4,
	FM_TMPL_SEL_ICMP6,
	FM_TMPL_SELECTOR,	/* 288, options: one record per selector */
	/*
	 * Flows with post-NAT fields (FM_KF_NAT): the plain ones with the
	 * translated addresses and ports. Sent instead of the others by a
	 * session in post-NAT mode. 289-292 are kept for another branch.
	 */
	FM_TMPL_XL4 = 293,
	FM_TMPL_XL6,
	FM_TMPL_XL_ICMP4,
	FM_TMPL_XL_ICMP6,	/* 296 */
	FM_TMPL_END
};

/* A session's flow templates: which kind of records it carries. */
enum fm_enc_mode {
	FM_ENC_MODE_PLAIN,
	FM_ENC_MODE_AGG,	/* masked by aggregation (FM_KF_AGG) */
	FM_ENC_MODE_ROUTE,	/* with routing fields (FM_RF_ROUTE) */
	FM_ENC_MODE_BI,		/* biflows (FM_KF_BI) */
	FM_ENC_MODE_L2,		/* with L2 fields (FM_KF_L2) */
	FM_ENC_MODE_SEL,	/* with a selector (FM_RF_SEL) */
	FM_ENC_MODE_NAT,	/* with post-NAT fields (FM_KF_NAT) */
	FM_ENC_MODES
};

#define FM_TMPL_NUM (FM_TMPL_END - FM_TMPL_V4)
/*
 * Templates a session sends: its sampling template is FM_TMPL_SAMPLING or
 * FM_TMPL_HASHSEL, its flow templates those of its mode (enum fm_enc_mode).
 */
#define FM_TMPL_SENT 7
/*
 * ...and FM_TMPL_FLOWSAMP after them while flow sampling is on (IPFIX);
 * FM_TMPL_NAT4 and FM_TMPL_SELECTOR go with their records
 */
/* selectors: the netns's rate and one per sampling-if slot (FM_IFF_MAX) */
#define FM_ENC_SEL_MAX 9

#define FM_ENC_IFNAME_LEN 16	/* interfaceName: fixed, zero padded */
/*
 * bytes of a version's template sets: 412, 436 aggregating, 492 with the
 * routing fields, 540 with the L2 fields, 484 for biflows, 428 with
 * selectors, 4 more in mode hash, 28 more with flow sampling
 */
#define FM_ENC_TMPL_MAX	572

/*
 * One transport session (exporter -> one collector). Set up with
 * fm_enc_session_init(), then adjust the configuration fields as needed;
 * the state fields belong to the encoder.
 */
struct fm_enc_session {
	/* configuration */
	u8 version;		/* enum fm_enc_version */
	u8 engine_type;		/* v5 header */
	u8 engine_id;		/* v5 header */
	u8 sampling_algo;	/* enum fm_sampling_algo */
	u32 sampling_interval;	/* 1 out of N packets; 1 = not sampled */
	u8 flow_algo;		/* flow sampling: enum fm_sampling_algo */
	u32 flow_interval;	/* 1 out of N records; 1 = every one */
	u32 domain_id;		/* IPFIX observation domain, v9 source id */
	/*
	 * Selectors (per-interface sampling rates), 0 while there are
	 * none: selector i + 1 samples 1 in sel_rate[i] packets, in the
	 * mode of sampling_algo; a record's selector says which.
	 */
	u8 nsel;
	u32 sel_rate[FM_ENC_SEL_MAX];
	u32 tmpl_refresh_sec;	/* resend templates after this; 0 = never */
	u32 tmpl_refresh_msgs;	/* or every this many messages; 0 = never */
	/* state */
	/*
	 * Header sequence number of the next message: data records (IPFIX,
	 * options data included), export packets (v9) or flows (v5) sent
	 * before it, mod 2^32.
	 */
	u32 seq;
	u32 tmpl_last_sec;	/* export time of the last template message */
	u32 tmpl_msgs;		/* messages finished since then, it included */
	bool tmpl_valid;	/* templates sent and still current */
	/*
	 * The flow templates, enum fm_enc_mode: the session follows the
	 * records, switching (with new templates) at the first record of
	 * another kind, as after a change of the netns's aggregation or
	 * routing fields.
	 */
	u8 mode;
	u16 longest;		/* bytes of the longest record of the mode */
	u16 tmpl_len;		/* bytes of the template sets, as sent */
	u8 tmpl_count;		/* template records in them */
	/*
	 * Bit FM_NAT_TMPL_BIT(id) set: NAT template id (FM_TMPL_NAT4, _NAT6,
	 * _NAT_LOST) went out since the other templates last did; the next
	 * record of its kind carries it if not (fm_enc_add_nat()).
	 */
	u8 nat_tmpl;
	u8 sel_tmpl;		/* 1: FM_TMPL_SELECTOR went out so */
	u8 tmpl_buf[4 + FM_ENC_TMPL_MAX];	/* from byte 4 */
};

/*
 * Time of one message, all from the caller's clocks. Records' times are
 * ms of the boot clock (struct fm_record); uptime_ms is that clock now
 * (mod 2^32), and v9 FIRST/LAST_SWITCHED and v5 First/Last are a record's
 * start_ms/end_ms as they are (mod 2^32). boot_ms is the wall clock, as it
 * reads at export, minus the boot clock: IPFIX's absolute times are a
 * record's times plus boot_ms, so that a wall clock stepped since the flow
 * began (NTP on a router without an RTC) moves them all alike and the
 * uptime-based fields never depend on it.
 */
struct fm_enc_clock {
	u32 unix_sec;		/* export time */
	u32 unix_nsec;		/* v5 header only */
	u32 uptime_ms;		/* sysUptime (v9, v5): boot clock, ms */
	u64 boot_ms;		/* wall clock in ms when uptime was 0 */
};

/* Exporter statistics, totals since start (options record). */
struct fm_enc_stats {
	u64 messages;		/* exportedMessageTotalCount */
	u64 flows;		/* exportedFlowRecordTotalCount */
	u64 ignored_packets;	/* ignoredPacketTotalCount */
	u64 not_sent_flows;	/* notSentFlowTotalCount */
};

/* One message being built; fields are read-only for the caller. */
struct fm_enc_msg {
	struct fm_enc_session *s;
	struct fm_enc_clock clk;
	u8 *buf;
	unsigned int size;	/* capacity of buf */
	unsigned int len;	/* bytes written */
	unsigned int set_off;	/* offset of the open set's header, 0: none */
	u16 set_id;		/* id of the open set */
	u16 nrec;		/* records of all kinds (v9, v5 count) */
	u32 ndata;		/* data records, options data included */
	bool tmpl;		/* this message carries the templates */
	bool full;		/* fm_enc_add_flows() stopped for lack of room */
};

/*
 * Defaults: sampling 1:1 deterministic, templates every 60 s or 20
 * messages, sequence 0, templates due, engine type/id 0.
 */
void fm_enc_session_init(struct fm_enc_session *s, u8 version, u32 domain_id);

/*
 * The sampling the options data tell (algo: enum fm_sampling_algo, 1 in
 * interval); a change of either goes out with the templates of the next
 * message, IPFIX's options template being the hash selection's in mode
 * hash.
 */
void fm_enc_set_sampling(struct fm_enc_session *s, u8 algo, u32 interval);

/*
 * Flow sampling, 1 in interval of the finished records (flowsamp.h;
 * algo: FM_SAMPLING_DETERMINISTIC or _RANDOM): IPFIX sends template 272
 * and its options record while interval > 1; v9 and v5 announce the
 * product of both intervals as their sampling rate.
 */
void fm_enc_set_flow_sampling(struct fm_enc_session *s, u8 algo,
			      u32 interval);

/*
 * The selectors: n rates, rate[0] the netns's, rate[1 + i] sampling-if
 * slot i's; n = 0 when the netns has no per-interface rates. A change
 * goes out with the templates of the next message.
 */
void fm_enc_set_selectors(struct fm_enc_session *s, unsigned int n,
			  const u32 *rate);

/* Send the templates in the next message (new collector, config change). */
static inline void fm_enc_resend_templates(struct fm_enc_session *s)
{
	s->tmpl_valid = false;
}

#define FM_NAT_TMPL_BIT(id)	(1U << ((id) - FM_TMPL_NAT4))

/* One address of a NAT event: IPv4 (NAT44) or IPv6 (NAT66). */
union fm_nat_addr {
	__be32 v4;
	struct in6_addr v6;
};

/*
 * One NAT session event (RFC 8158), as conntrack told it: the session
 * as the inside host sees it (the original direction) and as the outside
 * does (post-NAT: the reply direction's addresses and ports swapped).
 * ICMP and ICMPv6 sessions: the echo id as the source ports, type * 256
 * + code as the destination ports.
 */
struct fm_nat_event {
	u64 time_ms;		/* wall clock, ms since the epoch */
	union fm_nat_addr saddr, daddr;	/* source/destinationIPv*Address */
	union fm_nat_addr xsaddr, xdaddr; /* postNATSource/Destination... */
	__be16 sport, dport;	/* source/destinationTransportPort */
	__be16 xsport, xdport;	/* postNAPTSource/DestinationTransportPort */
	u32 vrf;		/* ingressVRFID: 0, no VRF (natev.c says why) */
	u8 event;		/* natEvent: FM_NAT_CREATE or FM_NAT_DELETE... */
	u8 proto;		/* protocolIdentifier */
	bool v6;		/* NAT66: the addresses are IPv6 */
};

/*
 * natEvent values (RFC 8158, IANA "natEvent Values"). The registry has
 * codes for NAT44 and NAT64 sessions, none for NAT66: an IPv6-to-IPv6
 * translation is logged with the family-neutral "NAT translation create"
 * and "delete" (1, 2; the registry marks them historic, the codes Cisco
 * and ASA logs used before RFC 8158, which collectors name), in its own
 * template whose IPv6 addresses tell the family. Not NAT64's 6/7: the
 * kernel's conntrack does not translate between families.
 */
#define FM_NAT_CREATE	4	/* NAT44 session create */
#define FM_NAT_DELETE	5	/* NAT44 session delete */
#define FM_NAT6_CREATE	1	/* NAT66: NAT translation create (historic) */
#define FM_NAT6_DELETE	2	/* NAT66: NAT translation delete (historic) */

/*
 * Internal: the template-based formats (IPFIX, v9) share ipfix.c, v5 is
 * nf5.c. Use the fm_enc_* calls below.
 */
int fm_tpl_begin(struct fm_enc_msg *m);
int fm_tpl_add_flow(struct fm_enc_msg *m, const struct fm_record *r);
int fm_tpl_add_stats(struct fm_enc_msg *m, const struct fm_enc_stats *st);
int fm_tpl_add_sampling(struct fm_enc_msg *m);
int fm_tpl_add_ifname(struct fm_enc_msg *m, u32 ifindex, const char *name);
unsigned int fm_tpl_finish(struct fm_enc_msg *m);
int fm_tpl_add_nat(struct fm_enc_msg *m, const struct fm_nat_event *e);
int fm_tpl_add_nat_lost(struct fm_enc_msg *m, u64 lost, u64 time_ms);
int fm_nf5_begin(struct fm_enc_msg *m);
int fm_nf5_add_flow(struct fm_enc_msg *m, const struct fm_record *r);
unsigned int fm_nf5_finish(struct fm_enc_msg *m);

/*
 * Start a message in buf (size bytes: the path MTU minus IP and UDP
 * headers) and add the templates if they are due. Returns FM_ENC_OK, or
 * FM_ENC_TOOSMALL when buf cannot hold the header, the templates and one
 * record of every kind (then m must not be used). After a successful
 * begin, FM_ENC_FULL only ever comes back once the message holds a data
 * record, so "finish, send, begin, retry" always makes progress.
 */
static inline int fm_enc_begin(struct fm_enc_msg *m, struct fm_enc_session *s,
			       void *buf, unsigned int size,
			       const struct fm_enc_clock *clk)
{
	m->s = s;
	m->clk = *clk;
	m->buf = buf;
	m->size = size;
	m->len = 0;
	m->set_off = 0;
	m->set_id = 0;
	m->nrec = 0;
	m->ndata = 0;
	m->tmpl = false;
	m->full = false;
	if (s->version == FM_ENC_NF5)
		return fm_nf5_begin(m);
	return fm_tpl_begin(m);
}

/*
 * The message goes out later than it began (held for more records): its
 * header says when it is sent. The records' own times do not move: they
 * were encoded against m->clk.boot_ms, which stays.
 */
static inline void fm_enc_restamp(struct fm_enc_msg *m,
				  const struct fm_enc_clock *clk)
{
	m->clk.unix_sec = clk->unix_sec;
	m->clk.unix_nsec = clk->unix_nsec;
	m->clk.uptime_ms = clk->uptime_ms;
}

/*
 * Add one flow record. FM_ENC_FULL: the message is full (see above), or,
 * once at a change between plain, masked and routed records (IPFIX, v9), the
 * templates change: the next message carries them and takes the record.
 * FM_ENC_UNSUPPORTED: IPv6 flow on a v5 session, not encoded.
 */
static inline int fm_enc_add_flow(struct fm_enc_msg *m,
				  const struct fm_record *r)
{
	if (m->s->version == FM_ENC_NF5)
		return fm_nf5_add_flow(m, r);
	return fm_tpl_add_flow(m, r);
}

unsigned int fm_tpl_add_flows(struct fm_enc_msg *m, const struct fm_record *r,
			      unsigned int n);

/*
 * Add flow records r[0..n) as fm_enc_add_flow() would, one after the
 * other, while they fit; returns how many went in. When it stops short,
 * m->full says the message has no room for the next one (finish, send,
 * begin, call again); otherwise fm_enc_add_flow() must take that one (it
 * may say FULL or UNSUPPORTED). The same bytes as fm_enc_add_flow() on
 * each, at a fraction of the cost; IPFIX only (0 for v9 and v5).
 */
static inline unsigned int fm_enc_add_flows(struct fm_enc_msg *m,
					    const struct fm_record *r,
					    unsigned int n)
{
	if (m->s->version == FM_ENC_IPFIX)
		return fm_tpl_add_flows(m, r, n);
	return 0;
}

/*
 * Options data records (IPFIX, v9; FM_ENC_UNSUPPORTED on v5, whose header
 * carries the sampling rate). They count as data records in the IPFIX
 * sequence number. Send them in or after a message carrying templates.
 */
static inline int fm_enc_add_stats(struct fm_enc_msg *m,
				   const struct fm_enc_stats *st)
{
	if (m->s->version == FM_ENC_NF5)
		return FM_ENC_UNSUPPORTED;
	return fm_tpl_add_stats(m, st);
}

/* The session's sampling_interval and sampling_algo. */
static inline int fm_enc_add_sampling(struct fm_enc_msg *m)
{
	if (m->s->version == FM_ENC_NF5)
		return FM_ENC_UNSUPPORTED;
	return fm_tpl_add_sampling(m);
}

/*
 * The session's flow sampling (IPFIX template 272), while it is on;
 * FM_ENC_OK and nothing added otherwise, and in v9 and v5, which fold
 * it into the packet sampling rate they announce (export.rst says why).
 */
int fm_tpl_add_flowsamp(struct fm_enc_msg *m);

static inline int fm_enc_add_flowsamp(struct fm_enc_msg *m)
{
	if (m->s->version != FM_ENC_IPFIX || m->s->flow_interval <= 1)
		return FM_ENC_OK;
	return fm_tpl_add_flowsamp(m);
}

/*
 * Options record of selector i + 1 (i < nsel), in selector mode only:
 * FM_ENC_OK and nothing added in the other modes and in v5, whose records
 * carry no selector.
 */
int fm_tpl_add_selector(struct fm_enc_msg *m, unsigned int i);

static inline int fm_enc_add_selector(struct fm_enc_msg *m, unsigned int i)
{
	if (m->s->version == FM_ENC_NF5 || m->s->mode != FM_ENC_MODE_SEL ||
	    i >= m->s->nsel)
		return FM_ENC_OK;
	return fm_tpl_add_selector(m, i);
}

/*
 * One NAT event record (IPFIX, v9; FM_ENC_UNSUPPORTED on v5, which has
 * no such fields). The first event after the session's templates went
 * out brings FM_TMPL_NAT4 with it, into this message. FM_ENC_FULL: no
 * room (finish, send, begin, retry); FM_ENC_TOOSMALL: not even in a
 * message without data records (an MTU too small for the flow
 * templates, the NAT template and a record together).
 */
static inline int fm_enc_add_nat(struct fm_enc_msg *m,
				 const struct fm_nat_event *e)
{
	if (m->s->version == FM_ENC_NF5)
		return FM_ENC_UNSUPPORTED;
	return fm_tpl_add_nat(m, e);
}

/*
 * The options record of lost NAT events (FM_TMPL_NAT_LOST): lost, the
 * events conntrack sent that never reached export since NAT events were
 * switched on, at time_ms (wall clock); with its template, as a NAT
 * event. Same returns as fm_enc_add_nat().
 */
static inline int fm_enc_add_nat_lost(struct fm_enc_msg *m, u64 lost,
				      u64 time_ms)
{
	if (m->s->version == FM_ENC_NF5)
		return FM_ENC_UNSUPPORTED;
	return fm_tpl_add_nat_lost(m, lost, time_ms);
}

/* name: at most FM_ENC_IFNAME_LEN bytes are used, NUL terminated or not. */
static inline int fm_enc_add_ifname(struct fm_enc_msg *m, u32 ifindex,
				    const char *name)
{
	if (m->s->version == FM_ENC_NF5)
		return FM_ENC_UNSUPPORTED;
	return fm_tpl_add_ifname(m, ifindex, name);
}

/*
 * Close the message: fill in the header, set lengths and padding, and
 * commit it to the session. Returns the number of bytes to send.
 */
static inline unsigned int fm_enc_finish(struct fm_enc_msg *m)
{
	if (m->s->version == FM_ENC_NF5)
		return fm_nf5_finish(m);
	return fm_tpl_finish(m);
}

/*
 * Internal: template tables, shared by ipfix.c (IPFIX, and the machinery
 * for both) and nf9.c (the v9 tables and header).
 */
/*
 * A reverse information element (RFC 5103): the IE's number with the
 * enterprise bit, and PEN 29305 after it in the template.
 */
#define FM_IE_REV	0x8000
#define FM_PEN_REVERSE	29305

struct fm_field {
	u16 ie;			/* information element / field type */
	u8 len;			/* bytes on the wire */
	u8 src;			/* where the value comes from: enum fm_src */
};

struct fm_tmpl {
	u8 nscope;		/* leading scope fields; 0 for data templates */
	u8 nfields;		/* all fields, scope included */
	const struct fm_field *f;
};

/* Field value sources, shared by the IPFIX and v9 template tables. */
enum fm_src {
	FM_S_OCTETS,
	FM_S_PACKETS,
	FM_S_START_MS,		/* absolute, ms since the epoch */
	FM_S_END_MS,
	FM_S_START_UP,		/* ms since boot (v9) */
	FM_S_END_UP,
	FM_S_SADDR4,
	FM_S_DADDR4,
	FM_S_SADDR6,
	FM_S_DADDR6,
	FM_S_FLOWLABEL,
	FM_S_SPORT,
	FM_S_DPORT,
	FM_S_ICMP,		/* type * 256 + code, 0 unless ICMP */
	FM_S_PROTO,
	FM_S_TOS,
	FM_S_TCP_FLAGS,
	FM_S_VLAN,
	FM_S_IN_IF,
	FM_S_OUT_IF,
	FM_S_TTL_MIN,
	FM_S_TTL_MAX,
	FM_S_END_REASON,
	FM_S_DIR,
	FM_S_IPVER,
	FM_S_DOMAIN,
	FM_S_MSGS,
	FM_S_FLOWS,
	FM_S_IGNORED_PKTS,
	FM_S_NOT_SENT,
	FM_S_SEL_ALGO,		/* IPFIX selectorAlgorithm */
	FM_S_SAMP_ALGO,		/* v9 SAMPLING_ALGORITHM */
	FM_S_SAMP_RATE,		/* v9 SAMPLING_INTERVAL: N of 1 out of N */
	FM_S_SAMP_PKTS,		/* IPFIX samplingPacketInterval: 1 */
	FM_S_SAMP_SPACE,	/* IPFIX samplingPacketSpace: N - 1 */
	FM_S_IFINDEX,
	FM_S_IFNAME,
	FM_S_HASH_SEL_MAX,	/* IPFIX hashSelectedRangeMax */
	FM_S_SRC_PLEN,		/* prefix lengths of masked flows */
	FM_S_DST_PLEN,
	FM_S_FSEL_ALGO,		/* IPFIX flowSelectorAlgorithm */
	FM_S_FLOW_INTERVAL,	/* IPFIX samplingFlowInterval: 1 */
	FM_S_FLOW_SPACING,	/* IPFIX samplingFlowSpacing: N - 1 */
	FM_S_NEXTHOP4,		/* routing fields (FM_RF_ROUTE) */
	FM_S_NEXTHOP6,
	FM_S_SRC_MASK,
	FM_S_DST_MASK,
	FM_S_SRC_AS,
	FM_S_DST_AS,
	FM_S_REV_OCTETS,	/* biflows: the responder's direction */
	FM_S_REV_PACKETS,
	FM_S_REV_START_MS,
	FM_S_REV_END_MS,
	FM_S_REV_TCP_FLAGS,
	FM_S_BIFLOW_DIR,	/* biflowDirection: 1, the source initiated */
	FM_S_BI_START_UP,	/* v9 biflows: both directions' first.. */
	FM_S_BI_END_UP,		/* ..and last packet, uptime ms */
	FM_S_EV_TIME_MS,	/* NAT events: observationTimeMilliseconds */
	FM_S_EV_NAT,		/* natEvent */
	FM_S_EV_PROTO,
	FM_S_EV_SADDR4,
	FM_S_EV_DADDR4,
	FM_S_EV_XSADDR4,
	FM_S_EV_XDADDR4,
	FM_S_EV_SPORT,
	FM_S_EV_DPORT,
	FM_S_EV_XSPORT,
	FM_S_EV_XDPORT,
	FM_S_EV_VRF,
	FM_S_SRC_MAC,		/* L2 fields (FM_KF_L2) */
	FM_S_DST_MAC,
	FM_S_VLAN_OUTER,
	FM_S_VLAN_INNER,
	FM_S_ETHERTYPE,
	FM_S_SELECTOR,		/* a record's selector (FM_RF_SEL) */
	FM_S_SEL_ID,		/* options: the selector's id */
	FM_S_SEL_SPACE,		/* IPFIX samplingPacketSpace: its N - 1 */
	FM_S_SEL_RATE,		/* v9 FLOW_SAMPLER_RANDOM_INTERVAL: its N */
	FM_S_EV_SADDR6,
	FM_S_EV_DADDR6,
	FM_S_EV_XSADDR6,
	FM_S_EV_XDADDR6,
	FM_S_NAT_LOST,		/* NAT events lost, total */
	FM_S_MPLS_TOP,		/* L2 fields: the top label entry, 3 bytes */
	FM_S_POST_SRC_MAC,
	FM_S_POST_DST_MAC,
	FM_S_XL_SADDR4,		/* post-NAT fields (FM_KF_NAT) */
	FM_S_XL_DADDR4,
	FM_S_XL_SADDR6,
	FM_S_XL_DADDR6,
	FM_S_XL_SPORT,
	FM_S_XL_DPORT,
};

/* The fields of both families' events around their addresses */
#define FM_NAT_HEAD_FIELDS \
	{ 323, 8, FM_S_EV_TIME_MS },	/* observationTimeMilliseconds */ \
	{ 230, 1, FM_S_EV_NAT },	/* natEvent */ \
	{ 4, 1, FM_S_EV_PROTO },	/* protocolIdentifier */
#define FM_NAT_TAIL_FIELDS \
	{ 7, 2, FM_S_EV_SPORT },	/* sourceTransportPort */ \
	{ 227, 2, FM_S_EV_XSPORT },	/* postNAPTSourceTransportPort */ \
	{ 11, 2, FM_S_EV_DPORT },	/* destinationTransportPort */ \
	{ 228, 2, FM_S_EV_XDPORT },	/* postNAPTDestinationTransportPort */ \
	{ 234, 4, FM_S_EV_VRF },	/* ingressVRFID */

/*
 * NAT44 session create and delete (RFC 8158 4.1.1): each address and
 * port beside its post-NAT counterpart, as the RFC lists them; no flow
 * times (an event has one time, not a span). IPFIX and v9 alike: nfdump
 * reads these elements in both (as NEL in v9).
 */
#define FM_NAT4_FIELDS \
	FM_NAT_HEAD_FIELDS \
	{ 8, 4, FM_S_EV_SADDR4 },	/* sourceIPv4Address */ \
	{ 225, 4, FM_S_EV_XSADDR4 },	/* postNATSourceIPv4Address */ \
	{ 12, 4, FM_S_EV_DADDR4 },	/* destinationIPv4Address */ \
	{ 226, 4, FM_S_EV_XDADDR4 },	/* postNATDestinationIPv4Address */ \
	FM_NAT_TAIL_FIELDS

/* NAT66 session create and delete: NAT44's with the IPv6 addresses */
#define FM_NAT6_FIELDS \
	FM_NAT_HEAD_FIELDS \
	{ 27, 16, FM_S_EV_SADDR6 },	/* sourceIPv6Address */ \
	{ 281, 16, FM_S_EV_XSADDR6 },	/* postNATSourceIPv6Address */ \
	{ 28, 16, FM_S_EV_DADDR6 },	/* destinationIPv6Address */ \
	{ 282, 16, FM_S_EV_XDADDR6 },	/* postNATDestinationIPv6Address */ \
	FM_NAT_TAIL_FIELDS

/*
 * Lost NAT events, an options record after the stats record's pattern
 * (RFC 7011 4.1): notSentFlowTotalCount, "records ... dropped by the
 * Metering Process ... instead of being sent", is the standard element
 * for records a collector will never see, and RFC 8158 defines none for
 * lost events; the template, apart from the stats one and with the time
 * of the count, tells the collector whose loss it is. The scope is the
 * domain (IPFIX) or source id (v9), put first by the caller's list.
 */
#define FM_NAT_LOST_FIELDS \
	{ 166, 8, FM_S_NAT_LOST },	/* notSentFlowTotalCount */ \
	{ 323, 8, FM_S_EV_TIME_MS },	/* observationTimeMilliseconds */

#define FM_NF9_HDR_LEN 20

/* A record's time as v9 and v5 send it: ms since boot, mod 2^32 */
static inline u32 fm_enc_uptime(u64 ms)
{
	return (u32)ms;
}

/* A record's time as IPFIX sends it: wall clock, ms since the epoch */
static inline u64 fm_enc_wall(const struct fm_enc_msg *m, u64 ms)
{
	return m->clk.boot_ms + ms;
}

extern const struct fm_tmpl fm_nf9_tmpls[FM_TMPL_NUM];
void fm_nf9_put_header(struct fm_enc_msg *m);

#endif /* _FM_ENC_H */
