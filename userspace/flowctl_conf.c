// SPDX-License-Identifier: GPL-2.0
/*
 * The words of the commands that change the configuration (set,
 * destination add|del) to the values of their requests, and configuration
 * files of such commands, one a line. No libmnl here: the unit tests and
 * the fuzzer link this file alone.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

#define FC_TIMEOUT_MAX (7 * 24 * 3600)

/* The value after argv[*i]: the word it belongs to is named if missing. */
static const char *fc_need(const char *cmd, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fc_err("%s: '%s' needs a value", cmd, argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

static int fc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int fc_unknown(const char *cmd, const char *word)
{
	fc_err("%s: unknown word '%s'", cmd, word);
	return FC_PARSE_WORD;
}

static const struct {
	const char *word;
	uint16_t attr;
	uint32_t min;
	uint32_t max;
} fc_set_nums[] = {
	{ "max-flows", FM_A_MAX_FLOWS, 1, 1U << 26 },
	{ "hash-size", FM_A_HASH_SIZE, 0, 1U << 24 },
	{ "netns-max-flows", FM_A_NETNS_MAX_FLOWS, 1, 1U << 26 },
	{ "domain-id", FM_A_DOMAIN_ID, 0, UINT32_MAX },
	{ "mtu", FM_A_MTU, 576, 65535 },
};

static int fc_set_num(struct fc_set *s, uint16_t attr, const char *what,
		      const char *word, uint32_t min, uint32_t max)
{
	if (!word)
		return FC_PARSE_WORD;
	if (fc_parse_u32(what, word, min, max, &s->v[attr]))
		return -1;
	s->has[attr] = true;
	return 0;
}

/* A 16-byte key as 32 hex digits (hash-key, anonymize key) */
static int fc_parse_key(const char *what, const char *w, uint8_t *key)
{
	unsigned int i;
	int hi, lo;

	if (strlen(w) != 2 * FC_HASH_KEY_LEN)
		goto bad;
	for (i = 0; i < FC_HASH_KEY_LEN; i++) {
		hi = fc_hexval(w[2 * i]);
		lo = fc_hexval(w[2 * i + 1]);
		if (hi < 0 || lo < 0)
			goto bad;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
bad:
	fc_err("%s: '%s' is not %d hex digits", what, w, 2 * FC_HASH_KEY_LEN);
	return -1;
}

/* hash-key HEX: the key of sampling mode hash, 32 hex digits */
static int fc_set_hash_key(struct fc_set *s, const char *w)
{
	if (!w)
		return FC_PARSE_WORD;
	if (fc_parse_key("hash-key", w, s->hash_key))
		return -1;
	s->has[FM_A_SAMPLING_HASH_KEY] = true;
	return 0;
}

/* timeout [active N] [inactive N]: at least one of them */
static int fc_set_timeout(struct fc_set *s, int argc, char **argv, int *i)
{
	int first = *i, err;

	while (*i + 1 < argc) {
		const char *w = argv[*i + 1], *what;
		uint16_t attr;

		if (!strcmp(w, "active")) {
			attr = FM_A_ACTIVE_TIMEOUT;
			what = "active timeout";
		} else if (!strcmp(w, "inactive")) {
			attr = FM_A_INACTIVE_TIMEOUT;
			what = "inactive timeout";
		} else {
			break;
		}
		++*i;
		err = fc_set_num(s, attr, what, fc_need("set", argc, argv, i),
				 1, FC_TIMEOUT_MAX);
		if (err)
			return err;
	}
	if (*i == first) {
		fc_err("set: 'timeout' needs 'active N' and/or 'inactive N'");
		return FC_PARSE_WORD;
	}
	return 0;
}

/* An optional word after a setting: true, and *i on it, if it is next. */
static bool fc_take(int argc, char **argv, int *i, const char *word)
{
	if (*i + 1 >= argc || strcmp(argv[*i + 1], word))
		return false;
	++*i;
	return true;
}

/* interfaces all | [include LIST] [exclude LIST] */
static int fc_set_interfaces(struct fc_set *s, int argc, char **argv, int *i)
{
	const char *w;

	s->has[FM_A_IFFILTER] = true;
	if (fc_take(argc, argv, i, "all"))
		return 0;
	if (fc_take(argc, argv, i, "include")) {
		w = fc_need("set", argc, argv, i);
		if (!w)
			return FC_PARSE_WORD;
		if (fc_parse_iflist("include", w, &s->incl))
			return -1;
	}
	if (fc_take(argc, argv, i, "exclude")) {
		w = fc_need("set", argc, argv, i);
		if (!w)
			return FC_PARSE_WORD;
		if (fc_parse_iflist("exclude", w, &s->excl))
			return -1;
	}
	if (!s->incl.n && !s->excl.n) {
		fc_err("set: 'interfaces' needs 'all', 'include LIST' and/or 'exclude LIST'");
		return FC_PARSE_WORD;
	}
	return 0;
}

/*
 * flow-sampling N [deterministic|random], or flow-sampling off (N = 1):
 * 1 in N of the finished records is exported. The mode stays as it was
 * unless given.
 */
static int fc_set_flow_sampling(struct fc_set *s, int argc, char **argv,
				int *i)
{
	int err;

	if (fc_take(argc, argv, i, "off")) {
		s->v[FM_A_FLOW_SAMPLING_RATE] = 1;
		s->has[FM_A_FLOW_SAMPLING_RATE] = true;
		return 0;
	}
	err = fc_set_num(s, FM_A_FLOW_SAMPLING_RATE, "flow-sampling",
			 fc_need("set", argc, argv, i), 1, UINT32_MAX);
	if (err)
		return err;
	if (fc_take(argc, argv, i, "deterministic"))
		s->v[FM_A_FLOW_SAMPLING_MODE] = FM_SAMPLING_MODE_DETERMINISTIC;
	else if (fc_take(argc, argv, i, "random"))
		s->v[FM_A_FLOW_SAMPLING_MODE] = FM_SAMPLING_MODE_RANDOM;
	s->has[FM_A_FLOW_SAMPLING_MODE] = s->v[FM_A_FLOW_SAMPLING_MODE];
	return 0;
}

/*
 * sampling-if IF N, once per interface (at most 8), or sampling-if none:
 * together they replace the rates the kernel has.
 */
static int fc_set_sampling_if(struct fc_set *s, int argc, char **argv, int *i)
{
	const char *w = fc_need("set", argc, argv, i);
	bool none_given = s->has[FM_A_SAMPLING_IFS] && !s->sif.n;
	struct fc_iflist one;
	unsigned int k;
	int err;

	if (!w)
		return FC_PARSE_WORD;
	if (!strcmp(w, "none") ? s->sif.n : none_given) {
		fc_err("set: 'sampling-if none' and interfaces given");
		return -1;
	}
	s->has[FM_A_SAMPLING_IFS] = true;
	if (!strcmp(w, "none"))
		return 0;
	if (strchr(w, ',')) {
		fc_err("sampling-if: one interface per 'sampling-if', not '%s'", w);
		return -1;
	}
	if (fc_parse_iflist("sampling-if", w, &one))
		return -1;
	for (k = 0; k < s->sif.n; k++) {
		if (!strcmp(s->sif.name[k], w)) {
			fc_err("sampling-if: '%s' given twice", w);
			return -1;
		}
	}
	if (s->sif.n == FC_IFLIST_MAX) {
		fc_err("sampling-if: at most %d interfaces", FC_IFLIST_MAX);
		return -1;
	}
	err = fc_set_num(s, FM_A_SAMPLING_IFS, "sampling-if rate",
			 fc_need("set", argc, argv, i), 1, UINT32_MAX);
	if (err)
		return err;
	strcpy(s->sif.name[s->sif.n], w);
	s->sif_rate[s->sif.n++] = s->v[FM_A_SAMPLING_IFS];
	return 0;
}

static const struct {
	const char *word;	/* no-WORD drops the field from the mask */
	uint32_t bit;
} fc_agg_drops[] = {
	{ "ports", FM_AGG_DROP_PORTS },
	{ "interfaces", FM_AGG_DROP_IFS },
	{ "tos", FM_AGG_DROP_TOS },
	{ "proto", FM_AGG_DROP_PROTO },
	{ "vlan", FM_AGG_DROP_VLAN },
};

const char *fc_agg_drop_str(uint32_t drop, char buf[FC_AGG_DROP_LEN])
{
	size_t k, len = 0;

	buf[0] = '\0';
	for (k = 0; k < ARRAY_SIZE(fc_agg_drops); k++)
		if (drop & fc_agg_drops[k].bit)
			len += snprintf(buf + len, FC_AGG_DROP_LEN - len, "%s%s",
					len ? "," : "", fc_agg_drops[k].word);
	return len ? buf : "none";
}

/*
 * Cisco's router-based aggregation schemes as masks: the fields each
 * leaves out; an address it leaves out gets prefix length 0.
 */
static const struct {
	const char *word;
	bool src, dst;		/* the addresses it keeps */
	uint32_t drop;
} fc_agg_schemes[] = {
	{ "prefix", true, true,
	  FM_AGG_DROP_PORTS | FM_AGG_DROP_PROTO | FM_AGG_DROP_TOS },
	{ "source-prefix", true, false,
	  FM_AGG_DROP_PORTS | FM_AGG_DROP_PROTO | FM_AGG_DROP_TOS },
	{ "destination-prefix", false, true,
	  FM_AGG_DROP_PORTS | FM_AGG_DROP_PROTO | FM_AGG_DROP_TOS },
	{ "protocol-port", false, false,
	  FM_AGG_DROP_IFS | FM_AGG_DROP_TOS },
	{ "interface", false, false,
	  FM_AGG_DROP_PORTS | FM_AGG_DROP_PROTO | FM_AGG_DROP_TOS },
};

/* A prefix length of the aggregation mask: prefix4/6 sets those kept. */
static int fc_agg_len(struct fc_set *s, uint16_t attr, const char *what,
		      int argc, char **argv, int *i)
{
	return fc_set_num(s, attr, what, fc_need("set", argc, argv, i), 0,
			  attr == FM_A_AGG_SRC_PREFIX4 ||
			  attr == FM_A_AGG_DST_PREFIX4 ? 32 : 128);
}

/*
 * aggregate none | [SCHEME] [prefix4 N] [prefix6 N] [src-prefix4 N]
 * [dst-prefix4 N] [src-prefix6 N] [dst-prefix6 N] [no-FIELD]...: the whole
 * mask, what is not given full length or kept.
 */
static int fc_set_aggregate(struct fc_set *s, int argc, char **argv, int *i)
{
	bool src = true, dst = true;
	int first = *i, err = 0;
	size_t k;

	s->has[FM_A_AGGREGATE] = true;
	if (fc_take(argc, argv, i, "none")) {
		s->v[FM_A_AGGREGATE] = 0;
		return 0;
	}
	s->v[FM_A_AGGREGATE] = 1;
	s->v[FM_A_AGG_SRC_PREFIX4] = 32;
	s->v[FM_A_AGG_DST_PREFIX4] = 32;
	s->v[FM_A_AGG_SRC_PREFIX6] = 128;
	s->v[FM_A_AGG_DST_PREFIX6] = 128;
	s->v[FM_A_AGG_DROP] = 0;
	for (k = 0; *i + 1 < argc && k < ARRAY_SIZE(fc_agg_schemes); k++) {
		if (strcmp(argv[*i + 1], fc_agg_schemes[k].word))
			continue;
		++*i;
		src = fc_agg_schemes[k].src;
		dst = fc_agg_schemes[k].dst;
		s->v[FM_A_AGG_DROP] = fc_agg_schemes[k].drop;
		if (!src) {
			s->v[FM_A_AGG_SRC_PREFIX4] = 0;
			s->v[FM_A_AGG_SRC_PREFIX6] = 0;
		}
		if (!dst) {
			s->v[FM_A_AGG_DST_PREFIX4] = 0;
			s->v[FM_A_AGG_DST_PREFIX6] = 0;
		}
		break;
	}
	while (!err && *i + 1 < argc) {
		const char *w = argv[*i + 1];

		if (!strcmp(w, "prefix4") || !strcmp(w, "prefix6")) {
			bool v6 = w[6] == '6';

			++*i;
			err = fc_agg_len(s, v6 ? FM_A_AGG_SRC_PREFIX6 :
					 FM_A_AGG_SRC_PREFIX4, w, argc, argv, i);
			if (err)
				break;
			if (!src && !dst) {
				fc_err("aggregate: '%s': the scheme keeps no address", w);
				return -1;
			}
			if (dst)
				s->v[v6 ? FM_A_AGG_DST_PREFIX6 :
				     FM_A_AGG_DST_PREFIX4] =
					s->v[v6 ? FM_A_AGG_SRC_PREFIX6 :
					     FM_A_AGG_SRC_PREFIX4];
			if (!src)
				s->v[v6 ? FM_A_AGG_SRC_PREFIX6 :
				     FM_A_AGG_SRC_PREFIX4] = 0;
		} else if (!strcmp(w, "src-prefix4")) {
			++*i;
			err = fc_agg_len(s, FM_A_AGG_SRC_PREFIX4, w, argc, argv, i);
		} else if (!strcmp(w, "dst-prefix4")) {
			++*i;
			err = fc_agg_len(s, FM_A_AGG_DST_PREFIX4, w, argc, argv, i);
		} else if (!strcmp(w, "src-prefix6")) {
			++*i;
			err = fc_agg_len(s, FM_A_AGG_SRC_PREFIX6, w, argc, argv, i);
		} else if (!strcmp(w, "dst-prefix6")) {
			++*i;
			err = fc_agg_len(s, FM_A_AGG_DST_PREFIX6, w, argc, argv, i);
		} else if (!strcmp(w, "beside")) {
			++*i;
			s->v[FM_A_AGGREGATE] = FM_AGGREGATE_BESIDE;
		} else if (!strncmp(w, "no-", 3)) {
			for (k = 0; k < ARRAY_SIZE(fc_agg_drops); k++)
				if (!strcmp(w + 3, fc_agg_drops[k].word))
					break;
			if (k == ARRAY_SIZE(fc_agg_drops))
				return fc_unknown("aggregate", w);
			++*i;
			s->v[FM_A_AGG_DROP] |= fc_agg_drops[k].bit;
		} else {
			break;
		}
	}
	if (err)
		return err;
	if (*i == first) {
		fc_err("set: 'aggregate' needs 'none', a scheme, prefix lengths or no-FIELD words");
		return FC_PARSE_WORD;
	}
	s->has[FM_A_AGG_SRC_PREFIX4] = true;
	s->has[FM_A_AGG_DST_PREFIX4] = true;
	s->has[FM_A_AGG_SRC_PREFIX6] = true;
	s->has[FM_A_AGG_DST_PREFIX6] = true;
	s->has[FM_A_AGG_DROP] = true;
	return 0;
}

int fc_set_parse(struct fc_set *s, int argc, char **argv)
{
	const char *w;
	bool on = false;
	size_t k;
	int i, err;

	memset(s, 0, sizeof(*s));
	if (argc < 2) {
		fc_err("set: nothing to set");
		return FC_PARSE_WORD;
	}
	for (i = 1; i < argc; i++) {
		w = argv[i];
		for (k = 0; k < ARRAY_SIZE(fc_set_nums); k++)
			if (!strcmp(w, fc_set_nums[k].word))
				break;
		if (k < ARRAY_SIZE(fc_set_nums)) {
			err = fc_set_num(s, fc_set_nums[k].attr, w,
					 fc_need("set", argc, argv, &i),
					 fc_set_nums[k].min, fc_set_nums[k].max);
		} else if (!strcmp(w, "timeout")) {
			err = fc_set_timeout(s, argc, argv, &i);
		} else if (!strcmp(w, "sampling")) {
			err = fc_set_num(s, FM_A_SAMPLING_RATE, w,
					 fc_need("set", argc, argv, &i), 1,
					 UINT32_MAX);
			if (fc_take(argc, argv, &i, "deterministic"))
				s->v[FM_A_SAMPLING_MODE] =
					FM_SAMPLING_MODE_DETERMINISTIC;
			else if (fc_take(argc, argv, &i, "random"))
				s->v[FM_A_SAMPLING_MODE] = FM_SAMPLING_MODE_RANDOM;
			else if (fc_take(argc, argv, &i, "hash"))
				s->v[FM_A_SAMPLING_MODE] = FM_SAMPLING_MODE_HASH;
			s->has[FM_A_SAMPLING_MODE] = s->v[FM_A_SAMPLING_MODE];
		} else if (!strcmp(w, "flow-sampling")) {
			err = fc_set_flow_sampling(s, argc, argv, &i);
		} else if (!strcmp(w, "template-refresh")) {
			err = fc_set_num(s, FM_A_TEMPLATE_REFRESH, w,
					 fc_need("set", argc, argv, &i), 0,
					 UINT32_MAX);
			if (!err && fc_take(argc, argv, &i, "packets"))
				err = fc_set_num(s, FM_A_TEMPLATE_PACKETS,
						 "packets",
						 fc_need("set", argc, argv, &i),
						 0, UINT32_MAX);
		} else if (!strcmp(w, "top")) {
			err = fc_set_num(s, FM_A_TOP_N, w,
					 fc_need("set", argc, argv, &i), 1,
					 FM_TOP_N_MAX);
			if (!err && fc_take(argc, argv, &i, "by")) {
				w = fc_need("set", argc, argv, &i);
				if (!w || (strcmp(w, "bytes") && strcmp(w, "packets")))
					return w ? fc_unknown("set", w) :
						   FC_PARSE_WORD;
				s->v[FM_A_TOP_BY] = strcmp(w, "bytes") ?
					FM_TOP_BY_PACKETS : FM_TOP_BY_BYTES;
				s->has[FM_A_TOP_BY] = true;
			}
			if (!err && fc_take(argc, argv, &i, "per")) {
				w = fc_need("set", argc, argv, &i);
				if (!w || (strcmp(w, "flow") && strcmp(w, "src") &&
					   strcmp(w, "dst")))
					return w ? fc_unknown("set", w) :
						   FC_PARSE_WORD;
				s->v[FM_A_TOP_AGG] = !strcmp(w, "src") ? FM_TOP_AGG_SRC :
						     !strcmp(w, "dst") ? FM_TOP_AGG_DST :
						     FM_TOP_AGG_FLOW;
				s->has[FM_A_TOP_AGG] = true;
			}
			if (!err && fc_take(argc, argv, &i, "prefix4"))
				err = fc_set_num(s, FM_A_TOP_PREFIX4, "prefix4",
						 fc_need("set", argc, argv, &i),
						 0, 32);
			if (!err && fc_take(argc, argv, &i, "prefix6"))
				err = fc_set_num(s, FM_A_TOP_PREFIX6, "prefix6",
						 fc_need("set", argc, argv, &i),
						 0, 128);
		} else if (!strcmp(w, "hooks")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_hooks(w, &s->v[FM_A_HOOKS]);
			s->has[FM_A_HOOKS] = true;
		} else if (!strcmp(w, "interfaces")) {
			err = fc_set_interfaces(s, argc, argv, &i);
		} else if (!strcmp(w, "hash-key")) {
			err = fc_set_hash_key(s, fc_need("set", argc, argv, &i));
		} else if (!strcmp(w, "sampling-if")) {
			err = fc_set_sampling_if(s, argc, argv, &i);
		} else if (!strcmp(w, "mark")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			s->v[FM_A_MARK] = 0;
			s->v[FM_A_MARK_MASK] = 0;
			err = strcmp(w, "all") ?
			      fc_parse_mark(w, &s->v[FM_A_MARK],
					    &s->v[FM_A_MARK_MASK]) : 0;
			s->has[FM_A_MARK] = true;
			s->has[FM_A_MARK_MASK] = true;
		} else if (!strcmp(w, "aggregate")) {
			err = fc_set_aggregate(s, argc, argv, &i);
		} else if (!strcmp(w, "biflow")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("biflow", w, &on);
			s->v[FM_A_BIFLOW] = on;
			s->has[FM_A_BIFLOW] = true;
		} else if (!strcmp(w, "nat-events")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("nat-events", w, &on);
			s->v[FM_A_NAT_EVENTS] = on;
			s->has[FM_A_NAT_EVENTS] = true;
		} else if (!strcmp(w, "routing")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("routing", w, &on);
			s->v[FM_A_ROUTING] = on;
			s->has[FM_A_ROUTING] = true;
		} else if (!strcmp(w, "l2")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("l2", w, &on);
			s->v[FM_A_L2] = on;
			s->has[FM_A_L2] = true;
		} else if (!strcmp(w, "postnat")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("postnat", w, &on);
			s->v[FM_A_POSTNAT] = on;
			s->has[FM_A_POSTNAT] = true;
		} else if (!strcmp(w, "flowlabel")) {
			w = fc_need("set", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			err = fc_parse_onoff("flowlabel", w, &on);
			s->v[FM_A_FLOWLABEL] = on;
			s->has[FM_A_FLOWLABEL] = true;
		} else {
			return fc_unknown("set", w);
		}
		if (err)
			return err;
	}
	return 0;
}

/*
 * anonymize [src|dst|both] [keyed [key HEX]] [prefix4 LEN] [prefix6 LEN],
 * keyed and/or a prefix; argv[*i] is "anonymize". Repeated, the later
 * lengths win and keyed adds sides; the key is one per destination.
 */
static int fc_dest_anon(struct fc_dest *d, int argc, char **argv, int *i)
{
	bool src = true, dst = true, any = false, keyed = false;
	const char *w;
	uint32_t v;
	int fam;

	if (fc_take(argc, argv, i, "src"))
		dst = false;
	else if (fc_take(argc, argv, i, "dst"))
		src = false;
	else
		fc_take(argc, argv, i, "both");
	for (;;) {
		if (fc_take(argc, argv, i, "keyed")) {
			d->anon_keyed |= (src ? FM_DEST_ANON_KEYED_SRC : 0) |
					 (dst ? FM_DEST_ANON_KEYED_DST : 0);
			keyed = any = true;
			continue;
		}
		if (fc_take(argc, argv, i, "key")) {
			w = fc_need("anonymize", argc, argv, i);
			if (!w)
				return FC_PARSE_WORD;
			if (!keyed) {
				fc_err("anonymize: 'key' needs 'keyed' before it");
				return -1;
			}
			if (d->has_anon_key) {
				fc_err("anonymize: one key per destination");
				return -1;
			}
			if (fc_parse_key("key", w, d->anon_key))
				return -1;
			d->has_anon_key = true;
			continue;
		}
		if (fc_take(argc, argv, i, "prefix4"))
			fam = 4;
		else if (fc_take(argc, argv, i, "prefix6"))
			fam = 6;
		else
			break;
		w = fc_need("anonymize", argc, argv, i);
		if (!w)
			return FC_PARSE_WORD;
		if (fc_parse_u32(fam == 4 ? "prefix4" : "prefix6", w, 0,
				 fam == 4 ? 32 : 128, &v))
			return -1;
		if (src)
			d->anon[fam == 4 ? FC_ANON_SRC4 : FC_ANON_SRC6] = v;
		if (dst)
			d->anon[fam == 4 ? FC_ANON_DST4 : FC_ANON_DST6] = v;
		any = true;
	}
	if (!any) {
		fc_err("anonymize: needs keyed, prefix4 LEN and/or prefix6 LEN");
		return FC_PARSE_WORD;
	}
	return 0;
}

int fc_dest_parse(struct fc_dest *d, int argc, char **argv)
{
	const char *w;
	uint32_t v;
	int i;

	memset(d, 0, sizeof(*d));
	d->add = argc > 1 && !strcmp(argv[1], "add");
	if (argc < 2 || (!d->add && strcmp(argv[1], "del"))) {
		fc_err("destination: '%s' is not add or del",
		       argc < 2 ? "" : argv[1]);
		return FC_PARSE_WORD;
	}
	if (argc < 3) {
		fc_err("destination: '%s' needs ADDR:PORT", argv[1]);
		return FC_PARSE_WORD;
	}
	if (fc_parse_addr_port("destination", argv[2], true, &d->addr))
		return -1;
	d->version = 10;
	d->anon[FC_ANON_SRC4] = 32;
	d->anon[FC_ANON_DST4] = 32;
	d->anon[FC_ANON_SRC6] = 128;
	d->anon[FC_ANON_DST6] = 128;
	for (i = 3; i < argc; i++) {
		w = argv[i];
		if (!d->add)
			return fc_unknown("destination", w);
		if (!strcmp(w, "version")) {
			w = fc_need("destination", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			if (fc_parse_version(w, &d->version))
				return -1;
		} else if (!strcmp(w, "source")) {
			w = fc_need("destination", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			if (fc_parse_addr_port("source", w, false, &d->src))
				return -1;
			if (d->src.family != d->addr.family) {
				fc_err("source: '%s' is not of the destination's address family",
				       w);
				return -1;
			}
		} else if (!strcmp(w, "dscp")) {
			w = fc_need("destination", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			if (fc_parse_u32("dscp", w, 0, 63, &v))
				return -1;
			d->dscp = v;
			d->has_dscp = true;
		} else if (!strcmp(w, "mtu")) {
			w = fc_need("destination", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			if (fc_parse_u32("mtu", w, 576, 65535, &d->mtu))
				return -1;
		} else if (!strcmp(w, "dev")) {
			w = fc_need("destination", argc, argv, &i);
			if (!w)
				return FC_PARSE_WORD;
			if (!*w || strlen(w) >= sizeof(d->dev)) {
				fc_err("dev: '%s' is not a device name (1-15 characters)",
				       w);
				return -1;
			}
			strcpy(d->dev, w);
		} else if (!strcmp(w, "anonymize")) {
			int err = fc_dest_anon(d, argc, argv, &i);

			if (err)
				return err;
		} else if (!strcmp(w, "aggregates")) {
			d->aggregates = true;
		} else {
			return fc_unknown("destination", w);
		}
	}
	return 0;
}

/*
 * Split one line, in place, into words separated by blanks; a '#' starts
 * a comment that runs to the end of the line.
 */
static int fc_conf_words(char *line, char ***argv)
{
	char **v = NULL, **nv;
	int n = 0, cap = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -1;
			}
			v = nv;
		}
		v[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	*argv = v;
	return n;
}

/*
 * asn load FILE | asn clear. A relative FILE names a file beside the
 * configuration file, wherever flowctl runs from (a unit's working
 * directory is /); standard input is the configuration's own.
 */
static int fc_conf_asn(struct fc_conf_op *op, const char *path, int argc,
		       char **argv)
{
	const char *slash = strrchr(path, '/');
	size_t dir;

	if (argc >= 2 && !strcmp(argv[1], "clear"))
		return argc == 2 ? 0 : fc_unknown("asn", argv[2]);
	if (argc < 2 || strcmp(argv[1], "load"))
		return fc_unknown("asn", argc < 2 ? "" : argv[1]);
	if (argc != 3)
		return fc_unknown("asn", argc < 3 ? "" : argv[3]);
	if (!strcmp(argv[2], "-")) {
		fc_err("asn load: '-' cannot be read from a file");
		return -1;
	}
	dir = argv[2][0] != '/' && slash ? (size_t)(slash - path) + 1 : 0;
	op->asn_path = malloc(dir + strlen(argv[2]) + 1);
	if (!op->asn_path) {
		fc_err("asn load: %s", strerror(ENOMEM));
		return -1;
	}
	memcpy(op->asn_path, path, dir);
	strcpy(op->asn_path + dir, argv[2]);
	return 0;
}

/* One line's words to an operation; messages say FILE:LINE. */
static int fc_conf_line(struct fc_conf_op *op, const char *path, int argc,
			char **argv)
{
	if (!strcmp(argv[0], "set")) {
		op->kind = FC_OP_SET;
		return fc_set_parse(&op->set, argc, argv);
	}
	if (!strcmp(argv[0], "destination")) {
		op->kind = FC_OP_DEST;
		return fc_dest_parse(&op->dest, argc, argv);
	}
	if (!strcmp(argv[0], "asn")) {
		op->kind = FC_OP_ASN;
		return fc_conf_asn(op, path, argc, argv);
	}
	fc_err("'%s' cannot be used in a file (set, destination add|del, asn load|clear)",
	       argv[0]);
	return -1;
}

int fc_conf_parse(struct fc_conf *conf, const char *path, char *text,
		  size_t len)
{
	unsigned int lineno = 0;
	char *line = text, *end = text + len, *nl;
	struct fc_conf_op *ops;
	char **argv;
	int argc;

	memset(conf, 0, sizeof(*conf));
	conf->path = path;
	nl = memchr(text, '\0', len);
	if (nl) {
		for (lineno = 1, line = text; line < nl; line++)
			lineno += *line == '\n';
		fc_err_at(path, lineno);
		fc_err("a NUL byte: not a text file");
		fc_err_at(NULL, 0);
		return -1;
	}
	while (line < end) {
		nl = memchr(line, '\n', end - line);
		if (nl)
			*nl = '\0';
		lineno++;
		argc = fc_conf_words(line, &argv);
		if (argc < 0) {
			fc_err("%s: %s", path, strerror(ENOMEM));
			goto err;
		}
		if (argc) {
			ops = realloc(conf->ops, (conf->n + 1) * sizeof(*ops));
			if (!ops) {
				free(argv);
				fc_err("%s: %s", path, strerror(ENOMEM));
				goto err;
			}
			conf->ops = ops;
			ops += conf->n;
			memset(ops, 0, sizeof(*ops));
			ops->line = lineno;
			fc_err_at(path, lineno);
			if (fc_conf_line(ops, path, argc, argv)) {
				free(argv);
				fc_err_at(NULL, 0);
				goto err;
			}
			fc_err_at(NULL, 0);
			conf->n++;
		}
		free(argv);
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
err:
	fc_conf_free(conf);
	return -1;
}

void fc_conf_free(struct fc_conf *conf)
{
	size_t k;

	for (k = 0; k < conf->n; k++)
		if (conf->ops[k].kind == FC_OP_ASN)
			free(conf->ops[k].asn_path);
	free(conf->ops);
	conf->ops = NULL;
	conf->n = 0;
}

/* Read PATH ("-": standard input) whole, then parse it. */
int fc_conf_load(struct fc_conf *conf, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *buf = NULL;
	size_t len = 0, n;
	int ret = -1;

	memset(conf, 0, sizeof(*conf));
	if (!f) {
		fc_err("%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(FC_CONF_MAX + 1);
	if (!buf) {
		errno = ENOMEM;
		fc_err("%s: %s", path, strerror(errno));
		goto out;
	}
	while ((n = fread(buf + len, 1, FC_CONF_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		fc_err("%s: %s", path, strerror(errno));
		goto out;
	}
	if (len > FC_CONF_MAX) {
		fc_err("%s: larger than %u bytes", path, FC_CONF_MAX);
		goto out;
	}
	buf[len] = '\0';
	ret = fc_conf_parse(conf, path, buf, len);
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return ret;
}
