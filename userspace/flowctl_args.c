// SPDX-License-Identifier: GPL-2.0
/*
 * Words on the command line to values. Every parser names the word it
 * refuses and what it expected, so the caller only has to exit.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

const char * const fc_hook_names[FC_NHOOKS] = {
	"prerouting", "input", "forward", "output", "postrouting", "bridge",
};

static const struct {
	const char *name;
	uint8_t proto;
} fc_protos[] = {
	{ "icmp", 1 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 },
	{ "esp", 50 }, { "ah", 51 }, { "icmpv6", 58 }, { "sctp", 132 },
};

static const char *fc_err_file;
static unsigned int fc_err_line;

void fc_err_at(const char *file, unsigned int line)
{
	fc_err_file = file;
	fc_err_line = line;
}

void fc_err(const char *fmt, ...)
{
	va_list ap;

	if (fc_err_file)
		fprintf(stderr, "%s:%u: ", fc_err_file, fc_err_line);
	else
		fputs("flowctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int fc_parse_u64(const char *what, const char *s, uint64_t min, uint64_t max,
		 uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s)) {
		fc_err("%s: '%s' is not a number", what, s);
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end) {
		fc_err("%s: '%s' is not a number", what, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		fc_err("%s: %s is out of range (%llu..%llu)", what, s,
		       (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int fc_parse_u32(const char *what, const char *s, uint32_t min, uint32_t max,
		 uint32_t *out)
{
	uint64_t v;

	if (fc_parse_u64(what, s, min, max, &v))
		return -1;
	*out = v;
	return 0;
}

int fc_parse_addr(const char *what, const char *s, struct fc_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	fc_err("%s: '%s' is not an IPv4 or IPv6 address", what, s);
	return -1;
}

/*
 * ADDR, ADDR:PORT, [ADDR6] or [ADDR6]:PORT; a bare IPv6 address is taken
 * whole when no port is needed, as its colons cannot hold one.
 */
int fc_parse_addr_port(const char *what, const char *s, bool need_port,
		       struct fc_addr *a)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *arg = s, *port = NULL, *colon;
	size_t len;

	if (*s == '[') {
		colon = strchr(s, ']');
		if (!colon || (colon[1] && colon[1] != ':'))
			goto bad;
		len = colon - s - 1;
		if (colon[1])
			port = colon + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') == colon) {
			len = colon - s;
			port = colon + 1;
		} else {
			len = strlen(s);
		}
	}
	if (len >= sizeof(host))
		goto bad;
	memcpy(host, s, len);
	host[len] = '\0';
	if (fc_parse_addr(what, host, a))
		return -1;
	if (port) {
		uint32_t p;

		if (fc_parse_u32(what, port, 1, 65535, &p))
			return -1;
		a->port = p;
	} else if (need_port) {
		fc_err("%s: '%s' has no port (ADDR:PORT, [ADDR6]:PORT)", what,
		       arg);
		return -1;
	}
	return 0;
bad:
	fc_err("%s: '%s' is not ADDR[:PORT] or [ADDR6][:PORT]", what, arg);
	return -1;
}

int fc_parse_proto(const char *s, uint8_t *proto)
{
	uint32_t v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fc_protos); i++) {
		if (!strcmp(s, fc_protos[i].name)) {
			*proto = fc_protos[i].proto;
			return 0;
		}
	}
	if (!isdigit((unsigned char)*s)) {
		fc_err("proto: '%s' is not tcp, udp, icmp, icmpv6, sctp, gre, esp, ah or a number",
		       s);
		return -1;
	}
	if (fc_parse_u32("proto", s, 0, 255, &v))
		return -1;
	*proto = v;
	return 0;
}

const char *fc_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fc_protos); i++)
		if (fc_protos[i].proto == proto)
			return fc_protos[i].name;
	return NULL;
}

/* A comma-separated list of hook names to a mask of BIT(NF_INET_*). */
int fc_parse_hooks(const char *s, uint32_t *mask)
{
	const char *p = s;
	size_t len;
	int i;

	*mask = 0;
	for (;;) {
		len = strcspn(p, ",");
		for (i = 0; i < FC_NHOOKS; i++)
			if (strlen(fc_hook_names[i]) == len &&
			    !strncmp(p, fc_hook_names[i], len))
				break;
		if (i == FC_NHOOKS) {
			fc_err("hooks: '%.*s' is not one of prerouting, input, forward, output, postrouting, bridge",
			       (int)len, p);
			return -1;
		}
		*mask |= 1U << i;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int fc_parse_version(const char *s, uint8_t *version)
{
	if (!strcmp(s, "ipfix") || !strcmp(s, "10"))
		*version = 10;
	else if (!strcmp(s, "9"))
		*version = 9;
	else if (!strcmp(s, "5"))
		*version = 5;
	else {
		fc_err("version: '%s' is not ipfix, 10, 9 or 5", s);
		return -1;
	}
	return 0;
}

const char *fc_version_name(uint8_t version)
{
	switch (version) {
	case 10:
		return "ipfix";
	case 9:
		return "netflow9";
	case 5:
		return "netflow5";
	}
	return "unknown";
}

int fc_parse_onoff(const char *what, const char *s, bool *on)
{
	if (!strcmp(s, "on") || !strcmp(s, "off")) {
		*on = s[1] == 'n';
		return 0;
	}
	fc_err("%s: '%s' is not on or off", what, s);
	return -1;
}

/* A mark or mask: decimal, or hexadecimal after 0x, as nft and ip print them. */
static int fc_parse_mark_word(const char *what, const char *s, size_t len,
			      uint32_t *out)
{
	unsigned long long v = 0;
	unsigned int base = 10, digit;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		goto bad;
	for (; i < len; i++) {
		unsigned char ch = s[i];

		if (isdigit(ch))
			digit = ch - '0';
		else if (base == 16 && isxdigit(ch))
			digit = tolower(ch) - 'a' + 10;
		else
			goto bad;
		v = v * base + digit;
		if (v > UINT32_MAX) {
			fc_err("%s: '%.*s' is more than 32 bits", what, (int)len, s);
			return -1;
		}
	}
	*out = v;
	return 0;
bad:
	fc_err("%s: '%.*s' is not a number (decimal or 0x hexadecimal)", what,
	       (int)len, s);
	return -1;
}

/*
 * VALUE[/MASK] into a mark filter: packets whose mark & MASK == VALUE.
 * No mask: every bit (0xffffffff). VALUE may have no bit outside MASK.
 */
int fc_parse_mark(const char *s, uint32_t *value, uint32_t *mask)
{
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t v, m = UINT32_MAX;

	if (fc_parse_mark_word("mark", s, len, &v))
		return -1;
	if (slash && fc_parse_mark_word("mark mask", slash + 1,
					strlen(slash + 1), &m))
		return -1;
	if (!m) {
		fc_err("mark: mask 0 matches every packet: use 'mark all'");
		return -1;
	}
	if (v & ~m) {
		fc_err("mark: 0x%x has bits outside its mask 0x%x", v, m);
		return -1;
	}
	*value = v;
	*mask = m;
	return 0;
}

/*
 * A comma-separated list of interface names or prefixes ending in '*'
 * (1..15 characters each, at most FC_IFLIST_MAX) into l.
 */
int fc_parse_iflist(const char *what, const char *s, struct fc_iflist *l)
{
	const char *p = s;
	size_t len;

	l->n = 0;
	for (;;) {
		len = strcspn(p, ",");
		if (!len || len >= FC_IFNAMSIZ) {
			fc_err("%s: '%.*s' is not an interface name (1-15 characters)",
			       what, (int)len, p);
			return -1;
		}
		if (l->n == FC_IFLIST_MAX) {
			fc_err("%s: at most %d interfaces", what, FC_IFLIST_MAX);
			return -1;
		}
		memcpy(l->name[l->n], p, len);
		l->name[l->n++][len] = '\0';
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* ADDR or ADDR/LEN: an address and the bits of it that count. */
static int fc_parse_prefix(const char *what, const char *s, struct fc_addr *a,
			   uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	uint32_t len;

	if (strlen(s) >= sizeof(buf)) {
		fc_err("%s: '%s' is not an address or prefix", what, s);
		return -1;
	}
	snprintf(buf, sizeof(buf), "%.*s",
		 slash ? (int)(slash - s) : (int)strlen(s), s);
	if (fc_parse_addr(what, buf, a))
		return -1;
	len = a->family == AF_INET ? 32 : 128;
	if (slash && fc_parse_u32(what, slash + 1, 0, len, &len))
		return -1;
	*plen = len;
	return 0;
}

int fc_match_word(struct fc_match *m, const char *cmd, int argc, char **argv,
		  int *i)
{
	const char *w = argv[*i], *v;
	uint32_t n;

	if (strcmp(w, "src") && strcmp(w, "dst") && strcmp(w, "sport") &&
	    strcmp(w, "dport") && strcmp(w, "proto") && strcmp(w, "tos") &&
	    strcmp(w, "iif") && strcmp(w, "oif"))
		return 0;
	if (*i + 1 >= argc) {
		fc_err("%s: '%s' needs a value", cmd, w);
		return -1;
	}
	v = argv[++*i];
	if (!strcmp(w, "src"))
		return fc_parse_prefix(w, v, &m->src, &m->splen) ? -1 : 1;
	if (!strcmp(w, "dst"))
		return fc_parse_prefix(w, v, &m->dst, &m->dplen) ? -1 : 1;
	if (!strcmp(w, "proto")) {
		m->has_proto = true;
		return fc_parse_proto(v, &m->proto) ? -1 : 1;
	}
	if (!strcmp(w, "iif") || !strcmp(w, "oif")) {
		char *name = w[0] == 'i' ? m->iif : m->oif;

		if (!*v || strlen(v) >= sizeof(m->iif)) {
			fc_err("%s: '%s' is not an interface name", w, v);
			return -1;
		}
		strcpy(name, v);
		return 1;
	}
	if (fc_parse_u32(w, v, 0, strcmp(w, "tos") ? 65535 : 255, &n))
		return -1;
	if (!strcmp(w, "tos")) {
		m->tos = n;
		m->has_tos = true;
	} else if (!strcmp(w, "sport")) {
		m->sport = n;
		m->has_sport = true;
	} else {
		m->dport = n;
		m->has_dport = true;
	}
	return 1;
}

int fc_match_check(const struct fc_match *m, const char *cmd)
{
	if (m->src.family && m->dst.family && m->src.family != m->dst.family) {
		fc_err("%s: src and dst are of different address families", cmd);
		return -1;
	}
	return 0;
}
