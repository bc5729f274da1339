/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowctl: configure and read the flowmeter module over generic netlink.
 *
 * flowctl_args.c	words on the command line -> values (no libmnl)
 * flowctl_out.c	human numbers, JSON writer, flow tables (no libmnl)
 * flowctl_asn.c	AS table files -> the kernel's ranges (no libmnl)
 * flowctl_nl.c		the generic netlink socket, requests, extended acks
 * flowctl.c		the commands
 */
#ifndef _FLOWCTL_H
#define _FLOWCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "uapi_flowmeter.h"

#define FLOWCTL_VERSION "0.1"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes */
#define FC_EXIT_OK	0
#define FC_EXIT_ERR	1	/* the kernel or the system refused */
#define FC_EXIT_USAGE	2	/* bad command line */

/* An IPv4 or IPv6 address, with a port where one was given. */
struct fc_addr {
	int family;		/* AF_INET, AF_INET6 */
	uint8_t addr[16];	/* network order; IPv4 in the first 4 bytes */
	uint16_t port;		/* host order; 0 if none */
};

static inline size_t fc_addr_len(const struct fc_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/* Hook names, indexed by NF_INET_* */
#define FC_NHOOKS 6	/* NF_INET_* and bridge (bit 5) */
extern const char * const fc_hook_names[FC_NHOOKS];

/* One flow as the kernel reports it; cpu is -1 once merged across CPUs. */
struct fc_flow {
	struct fc_addr src;	/* with sport */
	struct fc_addr dst;	/* with dport */
	uint32_t in_if;
	uint32_t out_if;
	uint16_t vlan;
	uint8_t proto;
	uint8_t tos;
	uint8_t dir;
	uint8_t tcp_flags;
	uint8_t ttl_min;
	uint8_t ttl_max;
	uint64_t packets;
	uint64_t bytes;
	uint64_t start_ms;
	uint64_t end_ms;
	uint32_t flowlabel;
	int cpu;
	bool agg;		/* masked (aggregation): addresses are prefixes */
	uint8_t splen, dplen;	/* their lengths */
	bool route;		/* routing on: the fields below hold */
	struct fc_addr nexthop;
	uint8_t src_mask, dst_mask;
	uint32_t src_as, dst_as;
	/* a biflow: src initiated, these count what dst sent back */
	bool bi;
	uint8_t rtcp_flags;
	uint64_t rpackets;
	uint64_t rbytes;
	uint64_t rstart_ms;
	uint64_t rend_ms;
	/* L2 fields ('set l2 on'): the first packet's */
	bool l2;
	bool mpls;		/* mpls_top holds the top label entry */
	uint8_t src_mac[6], dst_mac[6];
	uint8_t post_src_mac[6], post_dst_mac[6];
	uint16_t vlan_outer, vlan_inner, ethertype;
	uint32_t mpls_top;	/* label << 4 | TC << 1 | S, as IPFIX IE 70 */
	/* post-NAT fields (FM_A_POSTNAT), with their ports */
	bool nat;
	bool xfinal;		/* the entry's NAT was set up: these win */
	struct fc_addr xsrc;
	struct fc_addr xdst;
};

enum fc_sort { FC_SORT_NONE, FC_SORT_BYTES, FC_SORT_PACKETS };

/* A top prefix (flowctl top per src|dst): the sums of its flows. */
struct fc_prefix {
	struct fc_addr addr;
	uint8_t plen;
	bool src;		/* a source prefix, else a destination one */
	uint32_t flows;
	uint64_t packets;
	uint64_t bytes;
	uint64_t start_ms;
	uint64_t end_ms;
};

/*
 * What flows and top match (the kernel's FM_A_FLOW filter): each field
 * given must match; an address with its first plen bits.
 */
struct fc_match {
	struct fc_addr src, dst;	/* family 0: not given */
	uint8_t splen, dplen;
	uint16_t sport, dport;
	uint8_t proto, tos;
	bool has_sport, has_dport, has_proto, has_tos;
	char iif[16], oif[16];		/* "": not given */
};

/* Interface names or prefixes*, as the kernel's filter takes them. */
#define FC_IFNAMSIZ	16
#define FC_IFLIST_MAX	8
struct fc_iflist {
	unsigned int n;
	char name[FC_IFLIST_MAX][FC_IFNAMSIZ];
};

/*
 * flowctl_args.c: each parser prints its own error and returns -1.
 * fc_err() starts its messages with "flowctl: ", or with "FILE:LINE: "
 * between fc_err_at(FILE, LINE) and fc_err_at(NULL, 0).
 */
void fc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fc_err_at(const char *file, unsigned int line);
int fc_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out);
int fc_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		 uint32_t *out);
int fc_parse_addr(const char *what, const char *s, struct fc_addr *a);
int fc_parse_addr_port(const char *what, const char *s, bool need_port,
		       struct fc_addr *a);
int fc_parse_proto(const char *s, uint8_t *proto);
int fc_parse_hooks(const char *s, uint32_t *mask);
int fc_parse_version(const char *s, uint8_t *version);
int fc_parse_onoff(const char *what, const char *s, bool *on);
int fc_parse_iflist(const char *what, const char *s, struct fc_iflist *l);
int fc_parse_mark(const char *s, uint32_t *value, uint32_t *mask);
const char *fc_proto_name(uint8_t proto);
/*
 * If argv[*i] is a match word (src ADDR[/LEN], dst ADDR[/LEN], sport N,
 * dport N, proto P, tos N, iif IFNAME, oif IFNAME), take it and its value
 * into m and return 1; 0 if it is no match word; -1 if its value is bad.
 */
int fc_match_word(struct fc_match *m, const char *cmd, int argc, char **argv,
		  int *i);
int fc_match_check(const struct fc_match *m, const char *cmd);
const char *fc_version_name(uint8_t version);

/*
 * flowctl_conf.c: the commands that change the configuration, as values.
 * Parsers return 0, -1 for a bad value, or FC_PARSE_WORD for a missing or
 * unknown word (the command line then shows the command's usage).
 */
#define FC_PARSE_WORD	(-2)

#define FC_HASH_KEY_LEN	16	/* FM_A_SAMPLING_HASH_KEY */

/* set: every setting given goes in one request, applied all or none. */
struct fc_set {
	uint32_t v[FM_A_MAX + 1];
	bool has[FM_A_MAX + 1];
	struct fc_iflist incl, excl;	/* has[FM_A_IFFILTER] */
	struct fc_iflist sif;		/* has[FM_A_SAMPLING_IFS]: sif.name[i] */
	uint32_t sif_rate[FC_IFLIST_MAX];	/* is sampled 1 in sif_rate[i] */
	uint8_t hash_key[FC_HASH_KEY_LEN];	/* has[FM_A_SAMPLING_HASH_KEY] */
};

/* destination add|del */
struct fc_dest {
	bool add;
	struct fc_addr addr;
	struct fc_addr src;	/* family 0: none given */
	uint8_t version;
	uint8_t dscp;
	bool has_dscp;
	uint32_t mtu;
	char dev[FC_IFNAMSIZ];	/* device to bind to; "" none */
	/*
	 * anonymize: prefix lengths the destination gets addresses cut to,
	 * FC_ANON_* indexed; 32 and 128 (unmasked) unless given.
	 */
	uint8_t anon[4];
	/*
	 * anonymize ... keyed: FM_DEST_ANON_KEYED_* of the pseudonymised
	 * sides; the key if given (else the kernel draws one).
	 */
	uint8_t anon_keyed;
	bool has_anon_key;
	uint8_t anon_key[FC_HASH_KEY_LEN];
	bool aggregates;	/* receives aggregates, not flows */
};

enum { FC_ANON_SRC4, FC_ANON_DST4, FC_ANON_SRC6, FC_ANON_DST6 };

int fc_set_parse(struct fc_set *s, int argc, char **argv);

/* FM_A_AGG_DROP as words: "ports,interfaces", or "none" */
#define FC_AGG_DROP_LEN 48
const char *fc_agg_drop_str(uint32_t drop, char buf[FC_AGG_DROP_LEN]);
int fc_dest_parse(struct fc_dest *d, int argc, char **argv);

/*
 * A configuration file: one command a line, the words of the command line
 * without "flowctl"; blank lines and '#' comments ignored. Parsed whole
 * before anything is applied.
 */
#define FC_CONF_MAX	(1U << 20)	/* bytes */

enum fc_op_kind { FC_OP_SET, FC_OP_DEST, FC_OP_ASN };

/*
 * "asn load FILE" and "asn clear": FILE is read (fc_load()) before any
 * line is applied, a relative FILE from the configuration file's
 * directory; asn_path is malloc'ed, NULL for clear.
 */
struct fc_conf_op {
	unsigned int line;
	enum fc_op_kind kind;
	union {
		struct fc_set set;
		struct fc_dest dest;
		char *asn_path;
	};
};

struct fc_conf {
	const char *path;
	struct fc_conf_op *ops;
	size_t n;
};

/*
 * Both return 0 or -1 after printing why: a bad line as "FILE:LINE:
 * message", a file that cannot be read as "flowctl: FILE: error".
 */
int fc_conf_parse(struct fc_conf *conf, const char *path, char *text,
		  size_t len);
int fc_conf_load(struct fc_conf *conf, const char *path);
void fc_conf_free(struct fc_conf *conf);

/* flowctl_out.c */
#define FC_HUMAN_LEN 24
const char *fc_human(uint64_t v, bool exact, char buf[FC_HUMAN_LEN]);
int fc_format_addr(const struct fc_addr *a, bool with_port, char *buf,
		   size_t len);
size_t fc_flows_merge(struct fc_flow *f, size_t n);
void fc_flows_sort(struct fc_flow *f, size_t n, enum fc_sort by);
void fc_flows_print(const struct fc_flow *f, size_t n, bool json, bool exact);
void fc_prefixes_print(const struct fc_prefix *p, size_t n, bool json,
		       bool exact);

/* A counter by its /proc/net/flowmeter/stats name. */
struct fc_stat {
	const char *name;
	uint64_t v;
};

void fc_prom_print(FILE *f, const struct fc_stat *s, size_t n);

/* One destination's export counters, FC_DEST_* indexed. */
enum {
	FC_DEST_PACKETS,
	FC_DEST_BYTES,
	FC_DEST_RECORDS,
	FC_DEST_REFUSED,
	FC_DEST_NOT_SENT,
	FC_DEST_ERRORS,
	FC_DEST_NCOUNTERS
};

struct fc_prom_dest {
	char name[64];		/* ADDR:PORT or [ADDR6]:PORT */
	uint8_t version;
	uint64_t v[FC_DEST_NCOUNTERS];
};

void fc_prom_print_dests(FILE *f, const struct fc_prom_dest *d, size_t n);

/*
 * A small JSON writer: objects and arrays nest up to FC_JSON_DEPTH; key is
 * NULL inside arrays. Numbers are written as exact integers.
 */
#define FC_JSON_DEPTH 8
struct fc_json {
	FILE *f;
	int depth;
	bool first[FC_JSON_DEPTH];
};

void fc_json_init(struct fc_json *j, FILE *f);
void fc_json_open(struct fc_json *j, const char *key, char bracket);
void fc_json_close(struct fc_json *j, char bracket);
void fc_json_u64(struct fc_json *j, const char *key, uint64_t v);
void fc_json_int(struct fc_json *j, const char *key, long long v);
void fc_json_str(struct fc_json *j, const char *key, const char *s);
void fc_json_bool(struct fc_json *j, const char *key, bool v);

/* flowctl_asn.c: the AS table of a "PREFIX ASN" file, flattened */
struct fc_asn_table {
	struct fm_asn4 *v4;
	size_t n4;
	struct fm_asn6 *v6;
	size_t n6;
};

/* One flattened range, addresses as numbers (IPv4 in the low 32 bits). */
struct fc_asn_rng {
	unsigned __int128 first, last;
	uint32_t asn;
};

int fc_asn_read(FILE *f, const char *name, struct fc_asn_table *t);
void fc_asn_table_free(struct fc_asn_table *t);

#endif /* _FLOWCTL_H */
