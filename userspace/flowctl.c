// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl: configure and read the flowmeter module of the current network
 * namespace. Each command parses all its words first, so a bad command
 * line never reaches the kernel, then sends one or two requests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "flowctl_nl.h"
#include "uapi_flowmeter.h"

struct fc_ctx {
	bool json;
	bool exact;
	bool prometheus;
	struct fc_nl nl;
	struct fc_json j;
	int sections;		/* human output: printed so far, blank between */
	/*
	 * -j output is kept here and printed only if the command succeeds:
	 * a request the kernel refuses half-way (a dump refused for lack of
	 * privilege, after the opening bracket) prints no broken JSON.
	 */
	FILE *jmem;
	char *jbuf;
	size_t jlen;
};

struct fc_cmd {
	const char *name;
	int (*run)(struct fc_ctx *c, int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct fc_cmd fc_cmds[];
static const struct fc_cmd *fc_cur;	/* the command being parsed */

static void fc_usage(FILE *f, const struct fc_cmd *cmd)
{
	fprintf(f, "Usage: flowctl [-j] [-e] %s %s\n", cmd->name, cmd->usage);
}

/* A bad word: name it, show the command's usage, exit 2. */
static int fc_bad_word(const char *word)
{
	fc_err("%s: unknown word '%s'", fc_cur->name, word);
	fc_usage(stderr, fc_cur);
	return FC_EXIT_USAGE;
}

/* The value after argv[*i]: the word it belongs to is named if missing. */
static const char *fc_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fc_err("%s: '%s' needs a value", fc_cur->name, argv[*i]);
		fc_usage(stderr, fc_cur);
		return NULL;
	}
	return argv[++*i];
}

static int fc_open(struct fc_ctx *c)
{
	if (fc_nl_open(&c->nl))
		return -1;
	if (c->json && !c->jmem)
		c->jmem = open_memstream(&c->jbuf, &c->jlen);
	fc_json_init(&c->j, c->jmem ? c->jmem : stdout);
	return 0;
}

/* A request that only needs its ack. */
static int fc_do(struct fc_ctx *c, struct nlmsghdr *nlh)
{
	return fc_nl_run(&c->nl, nlh, NULL, NULL) ? FC_EXIT_ERR : FC_EXIT_OK;
}

static void fc_put_addr(struct nlmsghdr *nlh, uint16_t type,
			const struct fc_addr *a)
{
	mnl_attr_put(nlh, type, fc_addr_len(a), a->addr);
}

static int fc_get_addr(const struct nlattr *attr, struct fc_addr *a,
		       uint16_t port)
{
	size_t len = mnl_attr_get_payload_len(attr);

	memset(a, 0, sizeof(*a));
	if (len != 4 && len != 16)
		return -1;
	a->family = len == 4 ? AF_INET : AF_INET6;
	memcpy(a->addr, mnl_attr_get_payload(attr), len);
	a->port = port;
	return 0;
}

/* show: the config attributes, then the destinations. */
static void fc_print_hooks(struct fc_ctx *c, uint32_t mask)
{
	const char *sep = "";
	int i;

	if (c->json)
		fc_json_open(&c->j, "hooks", '[');
	else
		printf("  hooks: ");
	for (i = 0; i < FC_NHOOKS; i++) {
		if (!(mask & (1U << i)))
			continue;
		if (c->json)
			fc_json_str(&c->j, NULL, fc_hook_names[i]);
		else
			printf("%s%s", sep, fc_hook_names[i]);
		sep = ",";
	}
	if (c->json)
		fc_json_close(&c->j, ']');
	else
		printf("\n");
}

/* The interface filter: "all", or its include and exclude lists. */
static void fc_print_iflist(struct fc_ctx *c, const struct nlattr *nest,
			    uint16_t type, const char *key, const char *label)
{
	const struct nlattr *a;
	bool first = true;

	if (c->json)
		fc_json_open(&c->j, key, '[');
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) != type)
			continue;
		if (c->json)
			fc_json_str(&c->j, NULL, mnl_attr_get_str(a));
		else
			printf("%s%s", first ? label : ",", mnl_attr_get_str(a));
		first = false;
	}
	if (c->json)
		fc_json_close(&c->j, ']');
}

static void fc_print_iffilter(struct fc_ctx *c, const struct nlattr *nest)
{
	if (!c->json && !mnl_attr_get_payload_len(nest)) {
		printf("  interfaces: all\n");
		return;
	}
	if (!c->json)
		printf("  interfaces:");
	fc_print_iflist(c, nest, FM_IFF_A_INCLUDE, "interfaces_include",
			" include ");
	fc_print_iflist(c, nest, FM_IFF_A_EXCLUDE, "interfaces_exclude",
			" exclude ");
	if (!c->json)
		printf("\n");
}

/* Sampling rates by input interface: "none", or IF N, ... */
static void fc_print_samplif(struct fc_ctx *c, const struct nlattr *nest)
{
	const struct nlattr *a, *f;
	const char *sep = " ";

	if (c->json)
		fc_json_open(&c->j, "sampling_interfaces", '[');
	else
		printf("  sampling by input interface:%s",
		       mnl_attr_get_payload_len(nest) ? "" : " none");
	mnl_attr_for_each_nested(a, nest) {
		const char *name = NULL;
		uint64_t rate = 0;

		mnl_attr_for_each_nested(f, a) {
			if (mnl_attr_get_type(f) == FM_SIF_A_NAME)
				name = mnl_attr_get_str(f);
			else if (mnl_attr_get_type(f) == FM_SIF_A_RATE)
				rate = fc_nl_uint(f);
		}
		if (!name)
			continue;
		if (c->json) {
			fc_json_open(&c->j, NULL, '{');
			fc_json_str(&c->j, "interface", name);
			fc_json_u64(&c->j, "rate", rate);
			fc_json_close(&c->j, '}');
		} else {
			printf("%s%s %llu", sep, name, (unsigned long long)rate);
			sep = ", ";
		}
	}
	if (c->json)
		fc_json_close(&c->j, ']');
	else
		printf("\n");
}

/* The mark filter: "all", or VALUE/MASK in hexadecimal as nft prints marks. */
static void fc_print_mark(struct fc_ctx *c, uint32_t value, uint32_t mask)
{
	if (c->json) {
		fc_json_u64(&c->j, "mark", value);
		fc_json_u64(&c->j, "mark_mask", mask);
	} else if (!mask) {
		printf("  mark: all\n");
	} else {
		printf("  mark: 0x%x/0x%x\n", value, mask);
	}
}

/* The key of sampling mode hash, as "set hash-key" takes it. */
static void fc_print_hash_key(struct fc_ctx *c, const struct nlattr *a)
{
	const uint8_t *k = mnl_attr_get_payload(a);
	char hex[2 * FC_HASH_KEY_LEN + 1];
	unsigned int i;

	if (mnl_attr_get_payload_len(a) != FC_HASH_KEY_LEN)
		return;
	for (i = 0; i < FC_HASH_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", k[i]);
	if (c->json)
		fc_json_str(&c->j, "sampling_hash_key", hex);
	else
		printf("  sampling hash key: %s\n", hex);
}

enum fc_cfg_kind { FC_CFG_NUM, FC_CFG_MODE, FC_CFG_ONOFF, FC_CFG_TOPBY, FC_CFG_TOPPER,
		   FC_CFG_AGGDROP, FC_CFG_AGGMODE };

static const struct fc_cfg_field {
	uint16_t attr;
	enum fc_cfg_kind kind;
	const char *json;
	const char *human;
	const char *unit;
} fc_cfg_fields[] = {
	{ FM_A_ACTIVE_TIMEOUT, FC_CFG_NUM, "active_timeout", "active timeout", "s" },
	{ FM_A_INACTIVE_TIMEOUT, FC_CFG_NUM, "inactive_timeout", "inactive timeout", "s" },
	{ FM_A_MAX_FLOWS, FC_CFG_NUM, "max_flows", "max flows", "" },
	{ FM_A_HASH_SIZE, FC_CFG_NUM, "hash_size", "hash size", " buckets per CPU" },
	{ FM_A_SAMPLING_RATE, FC_CFG_NUM, "sampling_rate", "sampling rate", "" },
	{ FM_A_SAMPLING_MODE, FC_CFG_MODE, "sampling_mode", "sampling mode", "" },
	{ FM_A_FLOWLABEL, FC_CFG_ONOFF, "flowlabel", "flow label", "" },
	{ FM_A_DOMAIN_ID, FC_CFG_NUM, "domain_id", "domain id", "" },
	{ FM_A_TEMPLATE_REFRESH, FC_CFG_NUM, "template_refresh", "template refresh", "s" },
	{ FM_A_TEMPLATE_PACKETS, FC_CFG_NUM, "template_packets", "template packets", "" },
	{ FM_A_DESTS, FC_CFG_NUM, "destination_count", "destinations", "" },
	{ FM_A_TOP_N, FC_CFG_NUM, "top_n", "procfs top flows", "" },
	{ FM_A_TOP_BY, FC_CFG_TOPBY, "top_by", "procfs top by", "" },
	{ FM_A_TOP_AGG, FC_CFG_TOPPER, "top_per", "procfs top per", "" },
	{ FM_A_TOP_PREFIX4, FC_CFG_NUM, "top_prefix4", "procfs top IPv4 prefix", "" },
	{ FM_A_TOP_PREFIX6, FC_CFG_NUM, "top_prefix6", "procfs top IPv6 prefix", "" },
	{ FM_A_NETNS_MAX_FLOWS, FC_CFG_NUM, "netns_max_flows", "netns max flows", "" },
	{ FM_A_AGGREGATE, FC_CFG_ONOFF, "aggregate", "aggregate", "" },
	{ FM_A_AGGREGATE, FC_CFG_AGGMODE, "aggregate_mode", "aggregate where", "" },
	{ FM_A_AGG_SRC_PREFIX4, FC_CFG_NUM, "aggregate_src_prefix4", "aggregate IPv4 source prefix", "" },
	{ FM_A_AGG_DST_PREFIX4, FC_CFG_NUM, "aggregate_dst_prefix4", "aggregate IPv4 destination prefix", "" },
	{ FM_A_AGG_SRC_PREFIX6, FC_CFG_NUM, "aggregate_src_prefix6", "aggregate IPv6 source prefix", "" },
	{ FM_A_AGG_DST_PREFIX6, FC_CFG_NUM, "aggregate_dst_prefix6", "aggregate IPv6 destination prefix", "" },
	{ FM_A_AGG_DROP, FC_CFG_AGGDROP, "aggregate_drop", "aggregate drops", "" },
	{ FM_A_FLOW_SAMPLING_RATE, FC_CFG_NUM, "flow_sampling_rate", "flow sampling rate", "" },
	{ FM_A_FLOW_SAMPLING_MODE, FC_CFG_MODE, "flow_sampling_mode", "flow sampling mode", "" },
	{ FM_A_ROUTING, FC_CFG_ONOFF, "routing", "routing fields", "" },
	{ FM_A_BIFLOW, FC_CFG_ONOFF, "biflow", "biflows", "" },
	{ FM_A_NAT_EVENTS, FC_CFG_ONOFF, "nat_events", "NAT events", "" },
	{ FM_A_ASN_COUNT4, FC_CFG_NUM, "asn_ranges4", "AS table IPv4 ranges", "" },
	{ FM_A_ASN_COUNT6, FC_CFG_NUM, "asn_ranges6", "AS table IPv6 ranges", "" },
	{ FM_A_L2, FC_CFG_ONOFF, "l2", "L2 fields", "" },
	{ FM_A_POSTNAT, FC_CFG_ONOFF, "postnat", "post-NAT fields", "" },
};

static void fc_config_field(struct fc_ctx *c, const struct fc_cfg_field *f,
			    uint64_t v)
{
	char drop[FC_AGG_DROP_LEN];
	const char *s = NULL;

	if (f->kind == FC_CFG_AGGDROP)
		s = fc_agg_drop_str(v, drop);
	else if (f->kind == FC_CFG_MODE)
		s = v == FM_SAMPLING_MODE_RANDOM ? "random" :
		    v == FM_SAMPLING_MODE_HASH ? "hash" : "deterministic";
	else if (f->kind == FC_CFG_ONOFF)
		s = v ? "on" : "off";
	else if (f->kind == FC_CFG_AGGMODE)
		s = v == FM_AGGREGATE_BESIDE ? "beside" :
		    v == FM_AGGREGATE_MAIN ? "main" : "off";
	else if (f->kind == FC_CFG_TOPBY)
		s = v == FM_TOP_BY_PACKETS ? "packets" : "bytes";
	else if (f->kind == FC_CFG_TOPPER)
		s = v == FM_TOP_AGG_SRC ? "src" : v == FM_TOP_AGG_DST ? "dst" : "flow";
	if (c->json && f->kind == FC_CFG_ONOFF)
		fc_json_bool(&c->j, f->json, v);
	else if (c->json && s)
		fc_json_str(&c->j, f->json, s);
	else if (c->json)
		fc_json_u64(&c->j, f->json, v);
	else if (s)
		printf("  %s: %s\n", f->human, s);
	else
		printf("  %s: %llu%s\n", f->human, (unsigned long long)v,
		       f->unit);
}

static int fc_config_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[FM_A_MAX + 1] = { 0 };
	struct fc_ctx *c = data;
	size_t i;

	fc_nl_msg_attrs(nlh, tb, FM_A_MAX);
	/* Opened on the reply, so a refused show prints nothing at all. */
	if (c->json) {
		fc_json_open(&c->j, NULL, '{');
	} else {
		printf("flowmeter:\n");
		c->sections++;
	}
	if (tb[FM_A_HOOKS])
		fc_print_hooks(c, fc_nl_uint(tb[FM_A_HOOKS]));
	if (tb[FM_A_IFFILTER])
		fc_print_iffilter(c, tb[FM_A_IFFILTER]);
	if (tb[FM_A_SAMPLING_IFS])
		fc_print_samplif(c, tb[FM_A_SAMPLING_IFS]);
	if (tb[FM_A_MARK] && tb[FM_A_MARK_MASK])
		fc_print_mark(c, fc_nl_uint(tb[FM_A_MARK]),
			      fc_nl_uint(tb[FM_A_MARK_MASK]));
	for (i = 0; i < ARRAY_SIZE(fc_cfg_fields); i++)
		if (tb[fc_cfg_fields[i].attr])
			fc_config_field(c, &fc_cfg_fields[i],
					fc_nl_uint(tb[fc_cfg_fields[i].attr]));
	if (tb[FM_A_SAMPLING_HASH_KEY])
		fc_print_hash_key(c, tb[FM_A_SAMPLING_HASH_KEY]);
	return MNL_CB_OK;
}

/* One "key": value, or "  label: value" line. */
static void fc_field(struct fc_ctx *c, const char *key, const char *label,
		     uint64_t v)
{
	if (c->json)
		fc_json_u64(&c->j, key, v);
	else
		printf("  %s: %llu\n", label, (unsigned long long)v);
}

/* An address: in JSON without its port, which has a field of its own. */
static void fc_addr_field(struct fc_ctx *c, const char *key,
			  const char *label, const struct fc_addr *a)
{
	char s[INET6_ADDRSTRLEN + 8];

	fc_format_addr(a, !c->json && a->port, s, sizeof(s));
	if (c->json)
		fc_json_str(&c->j, key, s);
	else
		printf("%s: %s\n", label, s);
}

/* The bound device: its name now, or only its ifindex once it is gone. */
static void fc_dest_dev(struct fc_ctx *c, const struct nlattr **tb)
{
	const struct nlattr *n = tb[FM_DEST_A_IFNAME];
	const char *name = n && !mnl_attr_validate(n, MNL_TYPE_NUL_STRING) ?
			   mnl_attr_get_str(n) : NULL;
	uint64_t ifindex = fc_nl_uint(tb[FM_DEST_A_IFINDEX]);

	if (c->json) {
		if (name)
			fc_json_str(&c->j, "dev", name);
		fc_json_u64(&c->j, "ifindex", ifindex);
	} else if (name) {
		printf("  dev: %s\n", name);
	} else {
		printf("  dev: gone (ifindex %llu): export fails\n",
		       (unsigned long long)ifindex);
	}
}

static void fc_dest_counters(struct fc_ctx *c, const struct nlattr **tb)
{
	static const struct {
		uint16_t attr;
		const char *json;
		const char *human;
	} counters[] = {
		{ FM_DEST_A_PACKETS, "packets", "packets" },
		{ FM_DEST_A_BYTES, "bytes", "bytes" },
		{ FM_DEST_A_RECORDS, "records", "records" },
		{ FM_DEST_A_REFUSED, "refused", "refused" },
		{ FM_DEST_A_NOT_SENT, "not_sent", "not sent" },
		{ FM_DEST_A_ERRORS, "errors", "errors" },
	};
	const char *sep = "  sent: ";
	char h[FC_HUMAN_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		const struct nlattr *n = tb[counters[i].attr];

		if (!n)
			continue;
		if (c->json) {
			fc_json_u64(&c->j, counters[i].json, fc_nl_uint(n));
			continue;
		}
		printf("%s%s %s", sep, fc_human(fc_nl_uint(n), c->exact, h),
		       counters[i].human);
		sep = ", ";
	}
	if (!c->json)
		printf("\n");
}

/*
 * Anonymisation: in JSON the four prefix lengths and the keyed sides;
 * else a line naming the changed ones ("anonymize: keyed src, src4 /21,
 * dst4 /21"), none if nothing is. The kernel never sends the key.
 */
static void fc_dest_anon(struct fc_ctx *c, const struct nlattr **tb)
{
	static const struct {
		uint16_t attr;
		const char *name;
		uint8_t full;
	} a[] = {
		{ FM_DEST_A_ANON_SRC4, "src4", 32 },
		{ FM_DEST_A_ANON_DST4, "dst4", 32 },
		{ FM_DEST_A_ANON_SRC6, "src6", 128 },
		{ FM_DEST_A_ANON_DST6, "dst6", 128 },
	};
	const char *sep = "  anonymize: ";
	char key[16];
	uint64_t v;
	size_t i;

	v = tb[FM_DEST_A_ANON_KEYED] ? fc_nl_uint(tb[FM_DEST_A_ANON_KEYED]) : 0;
	if (c->json) {
		fc_json_bool(&c->j, "anon_keyed_src", v & FM_DEST_ANON_KEYED_SRC);
		fc_json_bool(&c->j, "anon_keyed_dst", v & FM_DEST_ANON_KEYED_DST);
	} else if (v) {
		printf("%skeyed %s", sep,
		       v == (FM_DEST_ANON_KEYED_SRC | FM_DEST_ANON_KEYED_DST) ?
		       "both" : v & FM_DEST_ANON_KEYED_SRC ? "src" : "dst");
		sep = ", ";
	}
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		if (!tb[a[i].attr])
			continue;
		v = fc_nl_uint(tb[a[i].attr]);
		if (c->json) {
			snprintf(key, sizeof(key), "anon_%s", a[i].name);
			fc_json_u64(&c->j, key, v);
		} else if (v < a[i].full) {
			printf("%s%s /%llu", sep, a[i].name,
			       (unsigned long long)v);
			sep = ", ";
		}
	}
	if (!c->json && sep[0] == ',')
		printf("\n");
}

/* One destination, like a wg(8) peer: its key line, then its fields. */
static int fc_dest_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *top[FM_A_MAX + 1] = { 0 };
	const struct nlattr *tb[FM_DEST_A_MAX + 1] = { 0 };
	struct fc_ctx *c = data;
	uint16_t sport = 0;
	struct fc_addr a;
	int err;

	fc_nl_msg_attrs(nlh, top, FM_A_MAX);
	if (!top[FM_A_DEST])
		return MNL_CB_OK;
	fc_nl_nest_attrs(top[FM_A_DEST], tb, FM_DEST_A_MAX);
	if (!tb[FM_DEST_A_ADDR] || !tb[FM_DEST_A_PORT] ||
	    fc_get_addr(tb[FM_DEST_A_ADDR], &a, fc_nl_uint(tb[FM_DEST_A_PORT])))
		return MNL_CB_OK;
	if (c->json)
		fc_json_open(&c->j, NULL, '{');
	else if (c->sections++)
		printf("\n");
	fc_addr_field(c, "address", "destination", &a);
	if (c->json)
		fc_json_u64(&c->j, "port", a.port);
	if (tb[FM_DEST_A_VERSION] && c->json)
		fc_json_u64(&c->j, "version", fc_nl_uint(tb[FM_DEST_A_VERSION]));
	else if (tb[FM_DEST_A_VERSION])
		printf("  version: %s\n",
		       fc_version_name(fc_nl_uint(tb[FM_DEST_A_VERSION])));
	if (tb[FM_DEST_A_SRC_PORT])
		sport = fc_nl_uint(tb[FM_DEST_A_SRC_PORT]);
	if (tb[FM_DEST_A_SRC_ADDR] &&
	    !fc_get_addr(tb[FM_DEST_A_SRC_ADDR], &a, sport))
		fc_addr_field(c, "source_address", "  source", &a);
	if (c->json && sport)
		fc_json_u64(&c->j, "source_port", sport);
	if (tb[FM_DEST_A_DSCP])
		fc_field(c, "dscp", "dscp", fc_nl_uint(tb[FM_DEST_A_DSCP]));
	if (tb[FM_DEST_A_MTU])
		fc_field(c, "mtu", "mtu", fc_nl_uint(tb[FM_DEST_A_MTU]));
	if (tb[FM_DEST_A_IFINDEX])
		fc_dest_dev(c, tb);
	fc_dest_anon(c, tb);
	if (tb[FM_DEST_A_AGGREGATES] && c->json)
		fc_json_bool(&c->j, "aggregates",
			     fc_nl_uint(tb[FM_DEST_A_AGGREGATES]));
	else if (tb[FM_DEST_A_AGGREGATES] &&
		 fc_nl_uint(tb[FM_DEST_A_AGGREGATES]))
		printf("  records: aggregates\n");
	fc_dest_counters(c, tb);
	if (tb[FM_DEST_A_LAST_ERROR]) {
		err = fc_nl_uint(tb[FM_DEST_A_LAST_ERROR]);
		if (c->json)
			fc_json_u64(&c->j, "last_error", err);
		else if (err)
			printf("  last error: %s\n", strerror(err));
	}
	if (c->json)
		fc_json_close(&c->j, '}');
	return MNL_CB_OK;
}

static int fc_dests_dump(struct fc_ctx *c)
{
	struct nlmsghdr *nlh = fc_nl_req(&c->nl, FM_CMD_GET_DESTS, NLM_F_DUMP);

	return fc_nl_run(&c->nl, nlh, fc_dest_cb, c);
}

static int fc_cmd_show(struct fc_ctx *c, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	int err;

	if (argc > 1)
		return fc_bad_word(argv[1]);
	if (fc_open(c))
		return FC_EXIT_ERR;
	nlh = fc_nl_req(&c->nl, FM_CMD_GET_CONFIG, 0);
	err = fc_nl_run(&c->nl, nlh, fc_config_cb, c);
	if (!err && c->json)
		fc_json_open(&c->j, "destinations", '[');
	if (!err)
		err = fc_dests_dump(c);
	if (!err && c->json) {
		fc_json_close(&c->j, ']');
		fc_json_close(&c->j, '}');
	}
	return err ? FC_EXIT_ERR : FC_EXIT_OK;
}

/* A parser's failure: a wrong or missing word shows the usage too. */
static int fc_parse_failed(int err)
{
	if (err == FC_PARSE_WORD)
		fc_usage(stderr, fc_cur);
	return FC_EXIT_USAGE;
}

static void fc_put_iffilter(struct nlmsghdr *nlh, const struct fc_set *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, FM_A_IFFILTER);
	unsigned int k;

	for (k = 0; k < s->incl.n; k++)
		mnl_attr_put_strz(nlh, FM_IFF_A_INCLUDE, s->incl.name[k]);
	for (k = 0; k < s->excl.n; k++)
		mnl_attr_put_strz(nlh, FM_IFF_A_EXCLUDE, s->excl.name[k]);
	mnl_attr_nest_end(nlh, nest);
}

static void fc_put_samplif(struct nlmsghdr *nlh, const struct fc_set *s)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, FM_A_SAMPLING_IFS), *one;
	unsigned int k;

	for (k = 0; k < s->sif.n; k++) {
		one = mnl_attr_nest_start(nlh, FM_SIFS_A_IF);
		mnl_attr_put_strz(nlh, FM_SIF_A_NAME, s->sif.name[k]);
		mnl_attr_put_u32(nlh, FM_SIF_A_RATE, s->sif_rate[k]);
		mnl_attr_nest_end(nlh, one);
	}
	mnl_attr_nest_end(nlh, nest);
}

static int fc_apply_set(struct fc_ctx *c, const struct fc_set *s)
{
	struct nlmsghdr *nlh;
	int a;

	nlh = fc_nl_req(&c->nl, FM_CMD_SET_CONFIG, 0);
	for (a = 0; a <= FM_A_MAX; a++) {
		if (!s->has[a])
			continue;
		if (a == FM_A_IFFILTER)
			fc_put_iffilter(nlh, s);
		else if (a == FM_A_SAMPLING_IFS)
			fc_put_samplif(nlh, s);
		else if (a == FM_A_SAMPLING_HASH_KEY)
			mnl_attr_put(nlh, a, FC_HASH_KEY_LEN, s->hash_key);
		else if (a == FM_A_SAMPLING_MODE || a == FM_A_FLOWLABEL ||
			 a == FM_A_TOP_BY || a == FM_A_TOP_AGG ||
			 a == FM_A_TOP_PREFIX4 || a == FM_A_TOP_PREFIX6 ||
			 (a >= FM_A_AGGREGATE && a <= FM_A_AGG_DST_PREFIX6) ||
			 a == FM_A_FLOW_SAMPLING_MODE || a == FM_A_ROUTING ||
			 a == FM_A_BIFLOW ||
			 a == FM_A_NAT_EVENTS || a == FM_A_L2 ||
			 a == FM_A_POSTNAT)
			mnl_attr_put_u8(nlh, a, s->v[a]);
		else
			mnl_attr_put_u32(nlh, a, s->v[a]);
	}
	return fc_do(c, nlh);
}

static int fc_cmd_set(struct fc_ctx *c, int argc, char **argv)
{
	struct fc_set s;
	int err;

	err = fc_set_parse(&s, argc, argv);
	if (err)
		return fc_parse_failed(err);
	if (fc_open(c))
		return FC_EXIT_ERR;
	return fc_apply_set(c, &s);
}

static int fc_apply_dest(struct fc_ctx *c, const struct fc_dest *d)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = fc_nl_req(&c->nl, d->add ? FM_CMD_ADD_DEST : FM_CMD_DEL_DEST, 0);
	nest = mnl_attr_nest_start(nlh, FM_A_DEST);
	fc_put_addr(nlh, FM_DEST_A_ADDR, &d->addr);
	mnl_attr_put_u16(nlh, FM_DEST_A_PORT, d->addr.port);
	if (d->add) {
		mnl_attr_put_u8(nlh, FM_DEST_A_VERSION, d->version);
		if (d->src.family)
			fc_put_addr(nlh, FM_DEST_A_SRC_ADDR, &d->src);
		if (d->src.port)
			mnl_attr_put_u16(nlh, FM_DEST_A_SRC_PORT, d->src.port);
		if (d->has_dscp)
			mnl_attr_put_u8(nlh, FM_DEST_A_DSCP, d->dscp);
		if (d->mtu)
			mnl_attr_put_u32(nlh, FM_DEST_A_MTU, d->mtu);
		if (d->dev[0])
			mnl_attr_put_strz(nlh, FM_DEST_A_IFNAME, d->dev);
		/* only what masks: a kernel without anonymisation accepts the rest */
		if (d->anon[FC_ANON_SRC4] < 32)
			mnl_attr_put_u8(nlh, FM_DEST_A_ANON_SRC4,
					d->anon[FC_ANON_SRC4]);
		if (d->anon[FC_ANON_DST4] < 32)
			mnl_attr_put_u8(nlh, FM_DEST_A_ANON_DST4,
					d->anon[FC_ANON_DST4]);
		if (d->anon[FC_ANON_SRC6] < 128)
			mnl_attr_put_u8(nlh, FM_DEST_A_ANON_SRC6,
					d->anon[FC_ANON_SRC6]);
		if (d->anon[FC_ANON_DST6] < 128)
			mnl_attr_put_u8(nlh, FM_DEST_A_ANON_DST6,
					d->anon[FC_ANON_DST6]);
		if (d->anon_keyed)
			mnl_attr_put_u8(nlh, FM_DEST_A_ANON_KEYED,
					d->anon_keyed);
		if (d->has_anon_key)
			mnl_attr_put(nlh, FM_DEST_A_ANON_KEY,
				     sizeof(d->anon_key), d->anon_key);
		if (d->aggregates)
			mnl_attr_put_u8(nlh, FM_DEST_A_AGGREGATES, 1);
	}
	mnl_attr_nest_end(nlh, nest);
	return fc_do(c, nlh);
}

/* destination add|del|list */
static int fc_cmd_destination(struct fc_ctx *c, int argc, char **argv)
{
	struct fc_dest d;
	int err;

	if (argc < 2 || !strcmp(argv[1], "list")) {
		if (argc > 2)
			return fc_bad_word(argv[2]);
		if (fc_open(c))
			return FC_EXIT_ERR;
		if (c->json)
			fc_json_open(&c->j, NULL, '[');
		if (fc_dests_dump(c))
			return FC_EXIT_ERR;
		if (c->json)
			fc_json_close(&c->j, ']');
		return FC_EXIT_OK;
	}
	err = fc_dest_parse(&d, argc, argv);
	if (err)
		return fc_parse_failed(err);
	if (fc_open(c))
		return FC_EXIT_ERR;
	return fc_apply_dest(c, &d);
}

/*
 * Ranges a request carries: each family's attribute stays below the 64 KiB
 * of a netlink attribute, the request within FC_NL_REQ_SIZE.
 */
#define FC_ASN_CHUNK4	2500	/* 30000 bytes */
#define FC_ASN_CHUNK6	800	/* 28800 bytes */

/* Send a flattened table: BEGIN, ADDs of chunks, COMMIT. */
static int fc_asn_send(struct fc_ctx *c, const struct fc_asn_table *t)
{
	struct nlmsghdr *nlh;
	size_t i4 = 0, i6 = 0, k4, k6;

	nlh = fc_nl_req(&c->nl, FM_CMD_ASN_BEGIN, 0);
	mnl_attr_put_u32(nlh, FM_A_ASN_COUNT4, t->n4);
	mnl_attr_put_u32(nlh, FM_A_ASN_COUNT6, t->n6);
	if (fc_do(c, nlh))
		return FC_EXIT_ERR;
	while (i4 < t->n4 || i6 < t->n6) {
		k4 = t->n4 - i4 < FC_ASN_CHUNK4 ? t->n4 - i4 : FC_ASN_CHUNK4;
		k6 = t->n6 - i6 < FC_ASN_CHUNK6 ? t->n6 - i6 : FC_ASN_CHUNK6;
		nlh = fc_nl_req(&c->nl, FM_CMD_ASN_ADD, 0);
		if (k4)
			mnl_attr_put(nlh, FM_A_ASN_RANGES4, k4 * sizeof(*t->v4),
				     t->v4 + i4);
		if (k6)
			mnl_attr_put(nlh, FM_A_ASN_RANGES6, k6 * sizeof(*t->v6),
				     t->v6 + i6);
		if (fc_do(c, nlh))
			return FC_EXIT_ERR;
		i4 += k4;
		i6 += k6;
	}
	return fc_do(c, fc_nl_req(&c->nl, FM_CMD_ASN_COMMIT, 0));
}

/*
 * load FILE: every line parsed, and every AS table it names read, first,
 * so a bad file changes nothing; then one request a line (an AS table:
 * its BEGIN, ADDs and COMMIT), in order, stopping at the first the
 * kernel refuses.
 */
static int fc_load(struct fc_ctx *c, const char *path)
{
	struct fc_asn_table *asn = NULL;
	struct fc_conf conf;
	int ret = FC_EXIT_OK;
	size_t k;
	FILE *f;

	if (fc_conf_load(&conf, path))
		return FC_EXIT_USAGE;
	asn = calloc(conf.n ? conf.n : 1, sizeof(*asn));
	if (!asn) {
		fc_err("%s: %s", path, strerror(ENOMEM));
		ret = FC_EXIT_ERR;
		goto out;
	}
	for (k = 0; k < conf.n && ret == FC_EXIT_OK; k++) {
		const char *name = conf.ops[k].asn_path;

		if (conf.ops[k].kind != FC_OP_ASN || !name)
			continue;
		fc_err_at(path, conf.ops[k].line);
		f = fopen(name, "r");
		if (!f) {
			fc_err("asn load: %s: %s", name, strerror(errno));
			ret = FC_EXIT_USAGE;
			break;
		}
		ret = fc_asn_read(f, name, &asn[k]);
		fclose(f);
	}
	fc_err_at(NULL, 0);
	if (ret != FC_EXIT_OK)
		goto out;
	if (conf.n && fc_open(c)) {
		ret = FC_EXIT_ERR;
		goto out;
	}
	for (k = 0; k < conf.n && ret == FC_EXIT_OK; k++) {
		const struct fc_conf_op *op = &conf.ops[k];

		fc_err_at(path, op->line);
		if (op->kind == FC_OP_SET)
			ret = fc_apply_set(c, &op->set);
		else if (op->kind == FC_OP_DEST)
			ret = fc_apply_dest(c, &op->dest);
		else
			ret = fc_asn_send(c, &asn[k]);
	}
	fc_err_at(NULL, 0);
out:
	for (k = 0; asn && k < conf.n; k++)
		fc_asn_table_free(&asn[k]);
	free(asn);
	fc_conf_free(&conf);
	return ret;
}

static int fc_cmd_load(struct fc_ctx *c, int argc, char **argv)
{
	if (argc < 2) {
		fc_err("load: needs a FILE");
		fc_usage(stderr, fc_cur);
		return FC_EXIT_USAGE;
	}
	if (argc > 2)
		return fc_bad_word(argv[2]);
	return fc_load(c, argv[1]);
}
/* flows and top: flows gathered from every reply, then merged. */
struct fc_flows {
	struct fc_flow *f;
	size_t n;
	size_t cap;
};

/* A MAC address attribute: 6 bytes, else left 0 */
static void fc_get_mac(const struct nlattr *attr, uint8_t mac[6])
{
	memset(mac, 0, 6);
	if (attr && mnl_attr_get_payload_len(attr) == 6)
		memcpy(mac, mnl_attr_get_payload(attr), 6);
}

static int fc_flow_parse(const struct nlattr *nest, struct fc_flow *f)
{
	const struct nlattr *tb[FM_FLOW_A_MAX + 1] = { 0 };
	uint16_t sport = 0, dport = 0;

	fc_nl_nest_attrs(nest, tb, FM_FLOW_A_MAX);
	if (tb[FM_FLOW_A_SRC_PORT])
		sport = fc_nl_uint(tb[FM_FLOW_A_SRC_PORT]);
	if (tb[FM_FLOW_A_DST_PORT])
		dport = fc_nl_uint(tb[FM_FLOW_A_DST_PORT]);
	if (!tb[FM_FLOW_A_SRC_ADDR] || !tb[FM_FLOW_A_DST_ADDR] ||
	    fc_get_addr(tb[FM_FLOW_A_SRC_ADDR], &f->src, sport) ||
	    fc_get_addr(tb[FM_FLOW_A_DST_ADDR], &f->dst, dport))
		return -1;
#define FC_GET(field, attr) \
	f->field = tb[attr] ? fc_nl_uint(tb[attr]) : 0
	FC_GET(in_if, FM_FLOW_A_IN_IF);
	FC_GET(out_if, FM_FLOW_A_OUT_IF);
	FC_GET(vlan, FM_FLOW_A_VLAN);
	FC_GET(proto, FM_FLOW_A_PROTO);
	FC_GET(tos, FM_FLOW_A_TOS);
	FC_GET(dir, FM_FLOW_A_DIR);
	FC_GET(tcp_flags, FM_FLOW_A_TCP_FLAGS);
	FC_GET(ttl_min, FM_FLOW_A_TTL_MIN);
	FC_GET(ttl_max, FM_FLOW_A_TTL_MAX);
	FC_GET(packets, FM_FLOW_A_PACKETS);
	FC_GET(bytes, FM_FLOW_A_BYTES);
	FC_GET(start_ms, FM_FLOW_A_START_MS);
	FC_GET(end_ms, FM_FLOW_A_END_MS);
	FC_GET(flowlabel, FM_FLOW_A_FLOWLABEL);
	FC_GET(splen, FM_FLOW_A_SRC_PREFIX_LEN);
	FC_GET(dplen, FM_FLOW_A_DST_PREFIX_LEN);
	FC_GET(src_mask, FM_FLOW_A_SRC_MASK);
	FC_GET(dst_mask, FM_FLOW_A_DST_MASK);
	FC_GET(src_as, FM_FLOW_A_SRC_AS);
	FC_GET(dst_as, FM_FLOW_A_DST_AS);
	FC_GET(bi, FM_FLOW_A_BIFLOW);
	FC_GET(rpackets, FM_FLOW_A_REV_PACKETS);
	FC_GET(rbytes, FM_FLOW_A_REV_BYTES);
	FC_GET(rstart_ms, FM_FLOW_A_REV_START_MS);
	FC_GET(rend_ms, FM_FLOW_A_REV_END_MS);
	FC_GET(rtcp_flags, FM_FLOW_A_REV_TCP_FLAGS);
	FC_GET(vlan_outer, FM_FLOW_A_VLAN_OUTER);
	FC_GET(vlan_inner, FM_FLOW_A_VLAN_INNER);
	FC_GET(ethertype, FM_FLOW_A_ETHERTYPE);
	FC_GET(mpls_top, FM_FLOW_A_MPLS_LABEL);
#undef FC_GET
	f->l2 = tb[FM_FLOW_A_SRC_MAC] != NULL;
	f->mpls = tb[FM_FLOW_A_MPLS_LABEL] != NULL;
	fc_get_mac(tb[FM_FLOW_A_SRC_MAC], f->src_mac);
	fc_get_mac(tb[FM_FLOW_A_DST_MAC], f->dst_mac);
	fc_get_mac(tb[FM_FLOW_A_POST_SRC_MAC], f->post_src_mac);
	fc_get_mac(tb[FM_FLOW_A_POST_DST_MAC], f->post_dst_mac);
	f->route = tb[FM_FLOW_A_NEXTHOP] &&
		   !fc_get_addr(tb[FM_FLOW_A_NEXTHOP], &f->nexthop, 0);
	f->agg = tb[FM_FLOW_A_SRC_PREFIX_LEN] && tb[FM_FLOW_A_DST_PREFIX_LEN];
	f->nat = tb[FM_FLOW_A_POSTNAT_SRC_ADDR] &&
		 tb[FM_FLOW_A_POSTNAT_DST_ADDR] &&
		 !fc_get_addr(tb[FM_FLOW_A_POSTNAT_SRC_ADDR], &f->xsrc,
			      tb[FM_FLOW_A_POSTNAT_SRC_PORT] ?
			      fc_nl_uint(tb[FM_FLOW_A_POSTNAT_SRC_PORT]) : 0) &&
		 !fc_get_addr(tb[FM_FLOW_A_POSTNAT_DST_ADDR], &f->xdst,
			      tb[FM_FLOW_A_POSTNAT_DST_PORT] ?
			      fc_nl_uint(tb[FM_FLOW_A_POSTNAT_DST_PORT]) : 0);
	f->xfinal = tb[FM_FLOW_A_POSTNAT_FINAL] &&
		    fc_nl_uint(tb[FM_FLOW_A_POSTNAT_FINAL]);
	f->cpu = tb[FM_FLOW_A_CPU] ? (int)fc_nl_uint(tb[FM_FLOW_A_CPU]) : -1;
	return 0;
}

static int fc_flows_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fc_flows *fl = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != FM_A_FLOW)
			continue;
		if (fl->n == fl->cap) {
			size_t cap = fl->cap ? 2 * fl->cap : 256;
			struct fc_flow *f = realloc(fl->f, cap * sizeof(*f));

			if (!f) {
				errno = ENOMEM;
				return MNL_CB_ERROR;
			}
			fl->f = f;
			fl->cap = cap;
		}
		if (!fc_flow_parse(a, &fl->f[fl->n]))
			fl->n++;
	}
	return MNL_CB_OK;
}

static int fc_flows_show(struct fc_ctx *c, struct nlmsghdr *nlh,
			 enum fc_sort by, uint32_t limit)
{
	struct fc_flows fl = { 0 };

	if (fc_nl_run(&c->nl, nlh, fc_flows_cb, &fl)) {
		free(fl.f);
		return FC_EXIT_ERR;
	}
	fl.n = fc_flows_merge(fl.f, fl.n);
	fc_flows_sort(fl.f, fl.n, by);
	if (limit && fl.n > limit)
		fl.n = limit;
	fc_flows_print(fl.f, fl.n, c->json, c->exact);
	free(fl.f);
	return FC_EXIT_OK;
}

static int fc_parse_sort(const char *s, enum fc_sort *by)
{
	if (!strcmp(s, "bytes"))
		*by = FC_SORT_BYTES;
	else if (!strcmp(s, "packets"))
		*by = FC_SORT_PACKETS;
	else {
		fc_err("%s: '%s' is not bytes or packets", fc_cur->name, s);
		return -1;
	}
	return 0;
}

/* m as an FM_A_FLOW filter nest, if it holds anything. */
static int fc_put_match(struct nlmsghdr *nlh, const struct fc_match *m)
{
	int family = m->src.family ? m->src.family : m->dst.family;
	uint32_t iif = 0, oif = 0;
	struct nlattr *nest;

	if ((m->iif[0] && !(iif = if_nametoindex(m->iif))) ||
	    (m->oif[0] && !(oif = if_nametoindex(m->oif)))) {
		fc_err("%s: no interface '%s' here", fc_cur->name,
		       m->iif[0] && !iif ? m->iif : m->oif);
		return -1;
	}
	if (!family && !m->has_sport && !m->has_dport && !m->has_proto &&
	    !m->has_tos && !iif && !oif)
		return 0;
	nest = mnl_attr_nest_start(nlh, FM_A_FLOW);
	if (family)
		mnl_attr_put_u8(nlh, FM_FLOW_A_FAMILY, family == AF_INET ? 4 : 6);
	if (m->src.family) {
		fc_put_addr(nlh, FM_FLOW_A_SRC_ADDR, &m->src);
		mnl_attr_put_u8(nlh, FM_FLOW_A_SRC_PREFIX_LEN, m->splen);
	}
	if (m->dst.family) {
		fc_put_addr(nlh, FM_FLOW_A_DST_ADDR, &m->dst);
		mnl_attr_put_u8(nlh, FM_FLOW_A_DST_PREFIX_LEN, m->dplen);
	}
	if (m->has_sport)
		mnl_attr_put_u16(nlh, FM_FLOW_A_SRC_PORT, m->sport);
	if (m->has_dport)
		mnl_attr_put_u16(nlh, FM_FLOW_A_DST_PORT, m->dport);
	if (m->has_proto)
		mnl_attr_put_u8(nlh, FM_FLOW_A_PROTO, m->proto);
	if (m->has_tos)
		mnl_attr_put_u8(nlh, FM_FLOW_A_TOS, m->tos);
	if (iif)
		mnl_attr_put_u32(nlh, FM_FLOW_A_IN_IF, iif);
	if (oif)
		mnl_attr_put_u32(nlh, FM_FLOW_A_OUT_IF, oif);
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static int fc_cmd_flows(struct fc_ctx *c, int argc, char **argv)
{
	enum fc_sort by = FC_SORT_NONE;
	struct fc_match m = { 0 };
	struct nlmsghdr *nlh;
	uint32_t limit = 0;
	const char *w;
	int i, r;

	for (i = 1; i < argc; i++) {
		w = argv[i];
		r = fc_match_word(&m, "flows", argc, argv, &i);
		if (r < 0)
			return FC_EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(w, "sort")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_sort(w, &by))
				return FC_EXIT_USAGE;
		} else if (!strcmp(w, "limit")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_u32("limit", w, 1, UINT32_MAX, &limit))
				return FC_EXIT_USAGE;
		} else {
			return fc_bad_word(w);
		}
	}
	if (fc_match_check(&m, "flows"))
		return FC_EXIT_USAGE;
	if (fc_open(c))
		return FC_EXIT_ERR;
	nlh = fc_nl_req(&c->nl, FM_CMD_GET_FLOWS, NLM_F_DUMP);
	if (fc_put_match(nlh, &m))
		return FC_EXIT_USAGE;
	return fc_flows_show(c, nlh, by, limit);
}

/* top per src|dst: the prefixes of the reply, in its order. */
struct fc_prefixes {
	struct fc_prefix p[FM_TOP_N_MAX];
	size_t n;
};

static int fc_prefixes_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fc_prefixes *pl = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		const struct nlattr *tb[FM_FLOW_A_MAX + 1] = { 0 };
		struct fc_prefix *p = &pl->p[pl->n];
		const struct nlattr *addr;

		if (mnl_attr_get_type(a) != FM_A_FLOW || pl->n == FM_TOP_N_MAX)
			continue;
		fc_nl_nest_attrs(a, tb, FM_FLOW_A_MAX);
		p->src = tb[FM_FLOW_A_SRC_ADDR];
		addr = p->src ? tb[FM_FLOW_A_SRC_ADDR] : tb[FM_FLOW_A_DST_ADDR];
		if (!addr || fc_get_addr(addr, &p->addr, 0))
			continue;
#define FC_GET(field, attr) \
	p->field = tb[attr] ? fc_nl_uint(tb[attr]) : 0
		FC_GET(plen, p->src ? FM_FLOW_A_SRC_PREFIX_LEN :
				      FM_FLOW_A_DST_PREFIX_LEN);
		FC_GET(flows, FM_FLOW_A_FLOWS);
		FC_GET(packets, FM_FLOW_A_PACKETS);
		FC_GET(bytes, FM_FLOW_A_BYTES);
		FC_GET(start_ms, FM_FLOW_A_START_MS);
		FC_GET(end_ms, FM_FLOW_A_END_MS);
#undef FC_GET
		pl->n++;
	}
	return MNL_CB_OK;
}

static int fc_parse_per(const char *s, uint8_t *agg)
{
	if (!strcmp(s, "flow"))
		*agg = FM_TOP_AGG_FLOW;
	else if (!strcmp(s, "src"))
		*agg = FM_TOP_AGG_SRC;
	else if (!strcmp(s, "dst"))
		*agg = FM_TOP_AGG_DST;
	else {
		fc_err("%s: '%s' is not flow, src or dst", fc_cur->name, s);
		return -1;
	}
	return 0;
}

static int fc_cmd_top(struct fc_ctx *c, int argc, char **argv)
{
	uint32_t n = FM_TOP_N_DEFAULT, plen4 = 32, plen6 = 128;
	bool has_plen4 = false, has_plen6 = false;
	enum fc_sort by = FC_SORT_BYTES;
	uint8_t agg = FM_TOP_AGG_FLOW;
	struct fc_prefixes *pl;
	struct fc_match m = { 0 };
	struct nlmsghdr *nlh;
	const char *w;
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		w = argv[i];
		r = fc_match_word(&m, "top", argc, argv, &i);
		if (r < 0)
			return FC_EXIT_USAGE;
		if (r)
			continue;
		if (!strcmp(w, "-n")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_u32("-n", w, 1, FM_TOP_N_MAX, &n))
				return FC_EXIT_USAGE;
		} else if (!strcmp(w, "--by") || !strcmp(w, "by")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_sort(w, &by))
				return FC_EXIT_USAGE;
		} else if (!strcmp(w, "per")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_per(w, &agg))
				return FC_EXIT_USAGE;
		} else if (!strcmp(w, "prefix4")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_u32("prefix4", w, 0, 32, &plen4))
				return FC_EXIT_USAGE;
			has_plen4 = true;
		} else if (!strcmp(w, "prefix6")) {
			w = fc_value(argc, argv, &i);
			if (!w || fc_parse_u32("prefix6", w, 0, 128, &plen6))
				return FC_EXIT_USAGE;
			has_plen6 = true;
		} else {
			return fc_bad_word(w);
		}
	}
	if (fc_match_check(&m, "top"))
		return FC_EXIT_USAGE;
	if ((has_plen4 || has_plen6) && agg == FM_TOP_AGG_FLOW) {
		fc_err("top: prefix4 and prefix6 need per src or per dst");
		return FC_EXIT_USAGE;
	}
	if (fc_open(c))
		return FC_EXIT_ERR;
	nlh = fc_nl_req(&c->nl, FM_CMD_GET_TOP, 0);
	mnl_attr_put_u32(nlh, FM_A_TOP_N, n);
	mnl_attr_put_u8(nlh, FM_A_TOP_BY, by == FC_SORT_PACKETS ?
			FM_TOP_BY_PACKETS : FM_TOP_BY_BYTES);
	if (fc_put_match(nlh, &m))
		return FC_EXIT_USAGE;
	if (agg == FM_TOP_AGG_FLOW)
		return fc_flows_show(c, nlh, by, n);
	mnl_attr_put_u8(nlh, FM_A_TOP_AGG, agg);
	mnl_attr_put_u8(nlh, FM_A_TOP_PREFIX4, plen4);
	mnl_attr_put_u8(nlh, FM_A_TOP_PREFIX6, plen6);
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return FC_EXIT_ERR;
	ret = fc_nl_run(&c->nl, nlh, fc_prefixes_cb, pl) ? FC_EXIT_ERR : FC_EXIT_OK;
	if (ret == FC_EXIT_OK)
		fc_prefixes_print(pl->p, pl->n, c->json, c->exact);
	free(pl);
	return ret;
}

/* stats: the names of /proc/net/flowmeter/stats */
static const char * const fc_stat_names[FM_STAT_A_MAX + 1] = {
	[FM_STAT_A_PACKETS_SEEN] = "packets_seen",
	[FM_STAT_A_PACKETS_METERED] = "packets_metered",
	[FM_STAT_A_BYTES_METERED] = "bytes_metered",
	[FM_STAT_A_PACKETS_FRAGMENT] = "packets_fragment",
	[FM_STAT_A_PACKETS_NO_L4] = "packets_no_l4",
	[FM_STAT_A_PACKETS_SKIPPED_SAMPLING] = "packets_skipped_sampling",
	[FM_STAT_A_PARSE_ERROR_TRUNCATED_L3] = "parse_error_truncated_l3",
	[FM_STAT_A_PARSE_ERROR_BAD_VERSION] = "parse_error_bad_version",
	[FM_STAT_A_PARSE_ERROR_BAD_IHL] = "parse_error_bad_ihl",
	[FM_STAT_A_PARSE_ERROR_BAD_LENGTH] = "parse_error_bad_length",
	[FM_STAT_A_PARSE_ERROR_BAD_EXT_HEADER] = "parse_error_bad_ext_header",
	[FM_STAT_A_PARSE_ERROR_TRUNCATED_L4] = "parse_error_truncated_l4",
	[FM_STAT_A_PARSE_ERROR_BAD_MPLS] = "parse_error_bad_mpls",
	[FM_STAT_A_FLOWS_ACTIVE] = "flows_active",
	[FM_STAT_A_FLOWS_CREATED] = "flows_created",
	[FM_STAT_A_FLOWS_EXPIRED_IDLE] = "flows_expired_idle",
	[FM_STAT_A_FLOWS_EXPIRED_ACTIVE] = "flows_expired_active",
	[FM_STAT_A_FLOWS_EXPIRED_END_OF_FLOW] = "flows_expired_end_of_flow",
	[FM_STAT_A_FLOWS_EXPIRED_FORCED] = "flows_expired_forced",
	[FM_STAT_A_FLOWS_EXPIRED_EVICTED] = "flows_expired_evicted",
	[FM_STAT_A_FLOWS_DROPPED_NOMEM] = "flows_dropped_nomem",
	[FM_STAT_A_FLOWS_DROPPED_FULL] = "flows_dropped_full",
	[FM_STAT_A_RECORDS_DROPPED] = "records_dropped",
	[FM_STAT_A_MEMORY_BYTES] = "memory_bytes",
	[FM_STAT_A_PACKETS_FILTERED] = "packets_filtered",
	[FM_STAT_A_PACKETS_DROPPED] = "packets_dropped",
	[FM_STAT_A_FLOWS_MERGED] = "flows_merged",
	[FM_STAT_A_MERGE_INCOMPLETE] = "merge_incomplete",
	[FM_STAT_A_PACKETS_FILTERED_MARK] = "packets_filtered_mark",
	[FM_STAT_A_BUDGET_POOL] = "budget_pool",
	[FM_STAT_A_BUDGET_STARVING] = "budget_starving",
	[FM_STAT_A_RECORDS_OBSERVED] = "records_observed",
	[FM_STAT_A_RECORDS_SELECTED] = "records_selected",
	[FM_STAT_A_NAT_EVENTS_CREATED] = "nat_events_created",
	[FM_STAT_A_NAT_EVENTS_DELETED] = "nat_events_deleted",
	[FM_STAT_A_NAT_EVENTS_DROPPED] = "nat_events_dropped",
	[FM_STAT_A_NAT_EVENTS_OVERRUNS] = "nat_events_overruns",
	[FM_STAT_A_NAT_EVENTS_SKIPPED] = "nat_events_skipped",
	[FM_STAT_A_NAT_EVENTS_MALFORMED] = "nat_events_malformed",
	[FM_STAT_A_NAT_EVENTS_SENT] = "nat_events_sent",
	[FM_STAT_A_NAT_EVENTS_LOST] = "nat_events_lost",
	[FM_STAT_A_NAT_EVENTS_NO_DEST] = "nat_events_no_destination",
	[FM_STAT_A_NAT_CONNTRACK_EVENTS] = "nat_conntrack_events",
	[FM_STAT_A_NAT_CONNTRACK_SOURCE] = "nat_conntrack_source",
};

static int fc_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *top[FM_A_MAX + 1] = { 0 };
	const struct nlattr *tb[FM_STAT_A_MAX + 1] = { 0 };
	struct fc_stat st[FM_STAT_A_MAX + 1];
	struct fc_ctx *c = data;
	char h[FC_HUMAN_LEN];
	size_t n = 0;
	int i;

	fc_nl_msg_attrs(nlh, top, FM_A_MAX);
	if (!top[FM_A_STATS])
		return MNL_CB_OK;
	fc_nl_nest_attrs(top[FM_A_STATS], tb, FM_STAT_A_MAX);
	for (i = 0; i <= FM_STAT_A_MAX; i++) {
		if (!tb[i] || !fc_stat_names[i])
			continue;
		st[n].name = fc_stat_names[i];
		st[n++].v = fc_nl_uint(tb[i]);
	}
	if (c->prometheus) {
		fc_prom_print(stdout, st, n);
		return MNL_CB_OK;
	}
	if (c->json)
		fc_json_open(&c->j, NULL, '{');
	for (i = 0; i < (int)n; i++) {
		if (c->json)
			fc_json_u64(&c->j, st[i].name, st[i].v);
		else
			printf("%-27s %s\n", st[i].name,
			       fc_human(st[i].v, c->exact, h));
	}
	if (c->json)
		fc_json_close(&c->j, '}');
	return MNL_CB_OK;
}

/* stats --prometheus: every destination's counters, after the meter's */
#define FC_PROM_DESTS_MAX 64	/* the kernel allows 8 a namespace */
struct fc_prom_dests {
	struct fc_prom_dest d[FC_PROM_DESTS_MAX];
	size_t n;
};

static int fc_prom_dest_cb(const struct nlmsghdr *nlh, void *data)
{
	static const uint16_t attrs[FC_DEST_NCOUNTERS] = {
		[FC_DEST_PACKETS] = FM_DEST_A_PACKETS,
		[FC_DEST_BYTES] = FM_DEST_A_BYTES,
		[FC_DEST_RECORDS] = FM_DEST_A_RECORDS,
		[FC_DEST_REFUSED] = FM_DEST_A_REFUSED,
		[FC_DEST_NOT_SENT] = FM_DEST_A_NOT_SENT,
		[FC_DEST_ERRORS] = FM_DEST_A_ERRORS,
	};
	const struct nlattr *top[FM_A_MAX + 1] = { 0 };
	const struct nlattr *tb[FM_DEST_A_MAX + 1] = { 0 };
	struct fc_prom_dests *pd = data;
	struct fc_prom_dest *d;
	struct fc_addr a;
	int k;

	fc_nl_msg_attrs(nlh, top, FM_A_MAX);
	if (!top[FM_A_DEST] || pd->n == ARRAY_SIZE(pd->d))
		return MNL_CB_OK;
	fc_nl_nest_attrs(top[FM_A_DEST], tb, FM_DEST_A_MAX);
	if (!tb[FM_DEST_A_ADDR] || !tb[FM_DEST_A_PORT] ||
	    fc_get_addr(tb[FM_DEST_A_ADDR], &a, fc_nl_uint(tb[FM_DEST_A_PORT])))
		return MNL_CB_OK;
	d = &pd->d[pd->n++];
	memset(d, 0, sizeof(*d));
	fc_format_addr(&a, true, d->name, sizeof(d->name));
	if (tb[FM_DEST_A_VERSION])
		d->version = fc_nl_uint(tb[FM_DEST_A_VERSION]);
	for (k = 0; k < FC_DEST_NCOUNTERS; k++)
		if (tb[attrs[k]])
			d->v[k] = fc_nl_uint(tb[attrs[k]]);
	return MNL_CB_OK;
}

static int fc_cmd_stats(struct fc_ctx *c, int argc, char **argv)
{
	struct fc_prom_dests pd = { .n = 0 };
	struct nlmsghdr *nlh;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--prometheus")))
		return fc_bad_word(argv[argc == 2 ? 1 : 2]);
	c->prometheus = argc == 2;
	if (fc_open(c))
		return FC_EXIT_ERR;
	nlh = fc_nl_req(&c->nl, FM_CMD_GET_STATS, 0);
	if (fc_nl_run(&c->nl, nlh, fc_stats_cb, c))
		return FC_EXIT_ERR;
	if (!c->prometheus)
		return FC_EXIT_OK;
	nlh = fc_nl_req(&c->nl, FM_CMD_GET_DESTS, NLM_F_DUMP);
	if (fc_nl_run(&c->nl, nlh, fc_prom_dest_cb, &pd))
		return FC_EXIT_ERR;
	fc_prom_print_dests(stdout, pd.d, pd.n);
	return FC_EXIT_OK;
}

static int fc_cmd_flush(struct fc_ctx *c, int argc, char **argv)
{
	if (argc > 1)
		return fc_bad_word(argv[1]);
	if (fc_open(c))
		return FC_EXIT_ERR;
	return fc_do(c, fc_nl_req(&c->nl, FM_CMD_FLUSH, 0));
}

static int fc_asn_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[FM_A_MAX + 1];
	struct fc_ctx *c = data;
	uint64_t n4, n6;

	fc_nl_msg_attrs(nlh, tb, FM_A_MAX);
	n4 = tb[FM_A_ASN_COUNT4] ? fc_nl_uint(tb[FM_A_ASN_COUNT4]) : 0;
	n6 = tb[FM_A_ASN_COUNT6] ? fc_nl_uint(tb[FM_A_ASN_COUNT6]) : 0;
	if (c->json) {
		fc_json_open(&c->j, NULL, '{');
		fc_json_u64(&c->j, "ranges4", n4);
		fc_json_u64(&c->j, "ranges6", n6);
		fc_json_close(&c->j, '}');
	} else {
		printf("AS table: %llu IPv4 ranges, %llu IPv6 ranges\n",
		       (unsigned long long)n4, (unsigned long long)n6);
	}
	return MNL_CB_OK;
}

static int fc_cmd_asn(struct fc_ctx *c, int argc, char **argv)
{
	struct fc_asn_table t = { 0 };
	FILE *f;
	int ret;

	if (argc < 2)
		return fc_bad_word("");
	if (!strcmp(argv[1], "load")) {
		if (argc != 3)
			return argc < 3 ? fc_bad_word("") : fc_bad_word(argv[3]);
		f = strcmp(argv[2], "-") ? fopen(argv[2], "r") : stdin;
		if (!f) {
			fc_err("%s: %s", argv[2], strerror(errno));
			return FC_EXIT_ERR;
		}
		ret = fc_asn_read(f, argv[2], &t);
		if (f != stdin)
			fclose(f);
		if (ret)
			return ret;
	} else if (!strcmp(argv[1], "clear") || !strcmp(argv[1], "show")) {
		if (argc > 2)
			return fc_bad_word(argv[2]);
	} else {
		return fc_bad_word(argv[1]);
	}
	if (fc_open(c)) {
		fc_asn_table_free(&t);
		return FC_EXIT_ERR;
	}
	if (!strcmp(argv[1], "show"))
		return fc_nl_run(&c->nl, fc_nl_req(&c->nl, FM_CMD_GET_CONFIG, 0),
				 fc_asn_show_cb, c) ? FC_EXIT_ERR : FC_EXIT_OK;
	ret = fc_asn_send(c, &t);
	fc_asn_table_free(&t);
	return ret;
}

static void fc_help_all(FILE *f)
{
	const struct fc_cmd *cmd;

	fprintf(f,
		"Usage: flowctl [-j] [-e] COMMAND [ARGS]\n"
		"       flowctl -f FILE\n"
		"Configure and read the flowmeter module of this network namespace.\n\n"
		"Options:\n"
		"  -j, --json       JSON output, exact numbers\n"
		"  -e, --exact      exact numbers (default 1.2K, 3.4M, ...)\n"
		"  -f, --file FILE  the same as 'flowctl load FILE'\n"
		"  -h, --help       this help\n"
		"  -V, --version    the version\n\n"
		"Commands:\n");
	for (cmd = fc_cmds; cmd->name; cmd++)
		fprintf(f, "  %-12s %s\n", cmd->name, cmd->help);
	fprintf(f, "\n'flowctl help COMMAND' shows a command's words.\n"
		"Exit status: 0 done, 1 refused by the kernel or the system, 2 bad command line\n"
		"or file.\n");
}

static const struct fc_cmd *fc_find(const char *name)
{
	const struct fc_cmd *cmd;

	for (cmd = fc_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

static int fc_cmd_help(struct fc_ctx *c, int argc, char **argv)
{
	const struct fc_cmd *cmd;

	(void)c;
	if (argc < 2) {
		fc_help_all(stdout);
		return FC_EXIT_OK;
	}
	if (argc > 2)
		return fc_bad_word(argv[2]);
	cmd = fc_find(argv[1]);
	if (!cmd) {
		fc_err("help: unknown command '%s'", argv[1]);
		return FC_EXIT_USAGE;
	}
	fc_usage(stdout, cmd);
	printf("%s\n", cmd->help);
	return FC_EXIT_OK;
}

static const struct fc_cmd fc_cmds[] = {
	{ "show", fc_cmd_show, "",
	  "the configuration and the destinations" },
	{ "set", fc_cmd_set,
	  "[timeout [active SECONDS] [inactive SECONDS]] [max-flows N] [hash-size N]\n"
	  "\t[sampling N [deterministic|random|hash]] [hash-key HEX]   (32 hex\n"
	  "\t    digits: the key of mode hash; the same on two meters, the same flows)\n"
	  "\t[flow-sampling N [deterministic|random] | flow-sampling off]\n"
	  "\t    (export 1 in N finished records, after any packet sampling)\n"
	  "\t[hooks HOOK[,HOOK...]]\n"
	  "\t[sampling-if none | sampling-if IF N [sampling-if IF N]...]   (by input\n"
	  "\t    interface, replacing the rates set before; the others: sampling N)\n"
	  "\t[flowlabel on|off] [domain-id N] [mtu BYTES]\n"
	  "\t[template-refresh SECONDS [packets N]]\n"
	  "\t[top N [by bytes|packets] [per flow|src|dst] [prefix4 LEN] [prefix6 LEN]]\n"
	  "\t    (what /proc/net/flowmeter/top shows)\n"
	  "\t[interfaces all | [include IF[,IF...]] [exclude IF[,IF...]]]\n"
	  "\t[mark all | MARK[/MASK]]   (meter only packets whose fwmark & MASK is MARK)\n"
	  "\t[netns-max-flows N]   (initial netns, host admin: the cap of the others)\n"
	  "\t[aggregate none | aggregate [SCHEME] [prefix4 LEN] [prefix6 LEN]\n"
	  "\t    [src-prefix4 LEN] [dst-prefix4 LEN] [src-prefix6 LEN] [dst-prefix6 LEN]\n"
	  "\t    [no-ports] [no-interfaces] [no-tos] [no-proto] [no-vlan] [beside]]\n"
	  "\t    (the cache's flow mask: one record per prefix pair; ends cached flows;\n"
	  "\t    beside: the cache keeps full keys, and its records are also summed\n"
	  "\t    under the mask for the destinations added with 'aggregates')\n"
	  "\t[routing on|off]   (records carry next hop, route prefix lengths and\n"
	  "\t    AS numbers, looked up at export; not with aggregate)\n"
	  "\t[biflow on|off]   (RFC 5103: both directions of a conversation one\n"
	  "\t    flow and record, IPFIX and v9 only; not with aggregate, routing\n"
	  "\t    or a v5 destination; ends cached flows)\n"
	  "\t[nat-events on|off]   (NAT44 and NAT66 session create/delete events from\n"
	  "\t    conntrack, RFC 8158, to the IPFIX and v9 destinations, with an options\n"
	  "\t    record of the lost ones; refused when the netns's conntrack sends no\n"
	  "\t    events, e.g. nf_conntrack_events = 0)\n"
	  "\t[l2 on|off]   (flows keep the first packet's MAC addresses, VLAN ids,\n"
	  "\t    Ethernet type, MPLS top label and MACs after forwarding, for\n"
	  "\t    IPFIX, v9 and flows; not with aggregate or routing or biflow;\n"
	  "\t    ends cached flows)\n"
	  "\t[postnat on|off]   (flows keep the addresses and ports their conntrack\n"
	  "\t    entry translates them to, IEs 225-228/281-282 for IPFIX and v9;\n"
	  "\t    not with aggregate, routing, biflow or l2; ends cached flows)\n"
	  "HOOK := prerouting|input|forward|output|postrouting|bridge   (bridge:\n"
	  "\t    bridged IPv4/IPv6 frames and MPLS frames over them, the bridge\n"
	  "\t    ports as interfaces)\n"
	  "SCHEME := prefix|source-prefix|destination-prefix|protocol-port|interface\n"
	  "IF := an interface name, or a prefix ending in '*' (at most 8)\n"
	  "MARK, MASK := decimal or 0x hexadecimal, 32 bits; MASK default 0xffffffff",
	  "change the configuration, every setting given or none" },
	{ "destination", fc_cmd_destination,
	  "{ add ADDR:PORT [version ipfix|10|9|5] [source ADDR[:PORT]]\n"
	  "\t[dscp N] [mtu BYTES] [dev IFNAME] [aggregates]\n"
	  "\t[anonymize [src|dst|both] [keyed [key HEX]] [prefix4 LEN] [prefix6 LEN]]...\n"
	  "\t| del ADDR:PORT | list }\n"
	  "ADDR:PORT := IPV4:PORT | [IPV6]:PORT\n"
	  "IFNAME := a VRF device (routes by its table) or an interface: export\n"
	  "\tleaves through it only, whatever the other routes say\n"
	  "anonymize: this destination gets the source and/or destination (default\n"
	  "\tboth) addresses cut to LEN bits (IPv4 0..32, IPv6 0..128), the rest\n"
	  "\tzero; others get them whole\n"
	  "keyed: first pseudonymised, prefix-preserving (a shared prefix stays\n"
	  "\tshared, a host maps alike in every record) with a 32-hex-digit key,\n"
	  "\trandom if not given; never shown; a cut then keeps LEN bits of it\n"
	  "aggregates: this destination gets the aggregates (set aggregate ...),\n"
	  "\tnever single flows; the others get the flows",
	  "add, remove or list the collectors flows are exported to" },
	{ "flows", fc_cmd_flows,
	  "[MATCH...] [sort bytes|packets] [limit N]\n"
	  "MATCH := src ADDR[/LEN] | dst ADDR[/LEN] | sport N | dport N | tos N\n"
	  "\t| proto tcp|udp|icmp|icmpv6|sctp|gre|esp|ah|N | iif IFNAME | oif IFNAME",
	  "the cached flows, each once with its CPUs' counts summed" },
	{ "top", fc_cmd_top,
	  "[-n N] [by bytes|packets] [MATCH...]\n"
	  "\t[per flow|src|dst [prefix4 LEN] [prefix6 LEN]]\n"
	  "MATCH := src ADDR[/LEN] | dst ADDR[/LEN] | sport N | dport N | tos N\n"
	  "\t| proto tcp|udp|icmp|icmpv6|sctp|gre|esp|ah|N | iif IFNAME | oif IFNAME",
	  "the N (default 10, at most 100) biggest flows, or source or destination\n"
	  "prefixes (default: hosts) summed over their flows, of the flows that match" },
	{ "stats", fc_cmd_stats, "[--prometheus]",
	  "the meter's counters, or in Prometheus text format" },
	{ "load", fc_cmd_load, "FILE",
	  "apply a file of set, destination and asn load|clear commands, one a line" },
	{ "flush", fc_cmd_flush, "",
	  "end every cached flow now, exporting it" },
	{ "asn", fc_cmd_asn,
	  "{ load FILE | clear | show }\n"
	  "FILE := lines of PREFIX ASN (IPv4 or IPv6 PREFIX[/LEN], ASN or ASnnn,\n"
	  "\t'#' comments), as BGP daemons dump them; '-' reads stdin. Nested\n"
	  "\tprefixes: the longest wins. The table replaces the one in use at once",
	  "the prefix -> AS table of the routing fields" },
	{ "help", fc_cmd_help, "[COMMAND]", "help on flowctl or one command" },
	{}
};

/* The kept -j output to stdout if the command succeeded; its exit status */
static int fc_json_flush(struct fc_ctx *c, int ret)
{
	if (!c->jmem)
		return ret;
	fclose(c->jmem);
	if (ret == FC_EXIT_OK && c->jlen &&
	    fwrite(c->jbuf, 1, c->jlen, stdout) != c->jlen)
		ret = FC_EXIT_ERR;
	free(c->jbuf);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "exact", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "file", required_argument, NULL, 'f' },
		{}
	};
	struct fc_ctx c = { 0 };
	const char *file = NULL;
	int o, ret;

	while ((o = getopt_long(argc, argv, "+jehVf:", opts, NULL)) != -1) {
		switch (o) {
		case 'j':
			c.json = true;
			break;
		case 'e':
			c.exact = true;
			break;
		case 'h':
			fc_help_all(stdout);
			return FC_EXIT_OK;
		case 'V':
			printf("flowctl %s\n", FLOWCTL_VERSION);
			return FC_EXIT_OK;
		case 'f':
			file = optarg;
			break;
		default:
			fc_help_all(stderr);
			return FC_EXIT_USAGE;
		}
	}
	if (file) {
		fc_cur = fc_find("load");
		if (optind < argc)
			return fc_bad_word(argv[optind]);
		ret = fc_load(&c, file);
		fc_nl_close(&c.nl);
		return fc_json_flush(&c, ret);
	}
	if (optind == argc) {
		fc_help_all(stderr);
		return FC_EXIT_USAGE;
	}
	fc_cur = fc_find(argv[optind]);
	if (!fc_cur) {
		fc_err("unknown command '%s' (try 'flowctl help')",
		       argv[optind]);
		return FC_EXIT_USAGE;
	}
	ret = fc_cur->run(&c, argc - optind, argv + optind);
	fc_nl_close(&c.nl);
	return fc_json_flush(&c, ret);
}
