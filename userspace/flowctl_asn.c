// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl asn load: a BGP daemon's dump of "PREFIX ASN" lines -> the
 * kernel's AS table, sorted non-overlapping ranges (uapi struct fm_asn4,
 * fm_asn6). Nested prefixes are flattened here, the longest winning, so
 * that the kernel looks an address up with one binary search and checks
 * a table with one comparison per range. No libmnl: unit tested.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

typedef unsigned __int128 u128;

/* One prefix of the file, its addresses as numbers. */
struct fc_asn_pfx {
	u128 first, last;
	uint32_t asn;
	uint8_t plen;
	size_t line;		/* of equal prefixes, the later line wins */
};

struct fc_pfx_list {
	struct fc_asn_pfx *p;
	size_t n, cap;
};

static u128 fc_u128_of(const uint8_t *a, unsigned int len)
{
	u128 v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v = v << 8 | a[i];
	return v;
}

static void fc_u128_put(uint8_t *a, unsigned int len, u128 v)
{
	while (len--) {
		a[len] = (uint8_t)v;
		v >>= 8;
	}
}

static int fc_pfx_add(struct fc_pfx_list *l, const struct fc_asn_pfx *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		struct fc_asn_pfx *q = realloc(l->p, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		l->p = q;
		l->cap = cap;
	}
	l->p[l->n++] = *p;
	return 0;
}

/* "PREFIX[/LEN] [AS]ASN": 0 or -EINVAL with a message. */
static int fc_asn_line(char *s, size_t line, struct fc_pfx_list *l4,
		       struct fc_pfx_list *l6, const char *name)
{
	char *pfx = strtok(s, " \t"), *asw = strtok(NULL, " \t");
	char *slash, *end;
	struct fc_asn_pfx p = { .line = line };
	unsigned int bits, len;
	uint8_t a[16];
	unsigned long v;
	u128 host;
	bool v6;

	if (!asw || strtok(NULL, " \t")) {
		fc_err("%s:%zu: want PREFIX ASN", name, line);
		return -EINVAL;
	}
	slash = strchr(pfx, '/');
	if (slash)
		*slash++ = '\0';
	v6 = strchr(pfx, ':');
	bits = v6 ? 128 : 32;
	len = bits / 8;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, pfx, a) != 1) {
		fc_err("%s:%zu: '%s' is not an address", name, line, pfx);
		return -EINVAL;
	}
	p.plen = bits;
	if (slash) {
		errno = 0;
		v = strtoul(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || *end || v > bits) {
			fc_err("%s:%zu: prefix length '%s' is not 0..%u", name,
			       line, slash, bits);
			return -EINVAL;
		}
		p.plen = v;
	}
	if (!strncasecmp(asw, "AS", 2))
		asw += 2;
	errno = 0;
	v = strtoul(asw, &end, 10);
	if (!isdigit((unsigned char)*asw) || *end || errno || v > UINT32_MAX) {
		fc_err("%s:%zu: '%s' is not an AS number (0..4294967295)",
		       name, line, asw);
		return -EINVAL;
	}
	p.asn = v;
	p.first = fc_u128_of(a, len);
	/* the host part's bits; a shift by 128 would be undefined */
	host = bits - p.plen == 128 ? ~(u128)0 :
	       ((u128)1 << (bits - p.plen)) - 1;
	if (p.first & host) {
		fc_err("%s:%zu: %s/%u has bits set past its length", name,
		       line, pfx, p.plen);
		return -EINVAL;
	}
	p.last = p.first | host;
	if (fc_pfx_add(v6 ? l6 : l4, &p)) {
		fc_err("%s:%zu: out of memory", name, line);
		return -ENOMEM;
	}
	return 0;
}

/* Enclosing prefixes first; of equal ones, the earlier line first. */
static int fc_pfx_cmp(const void *x, const void *y)
{
	const struct fc_asn_pfx *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Ranges being built: neighbours of the same AS are joined. */
struct fc_rng_list {
	struct fc_asn_rng *r;
	size_t n, cap;
};

static int fc_rng_emit(struct fc_rng_list *l, u128 first, u128 last,
		       uint32_t asn)
{
	struct fc_asn_rng *prev = l->n ? &l->r[l->n - 1] : NULL;

	if (first > last)
		return 0;
	if (prev && prev->asn == asn && prev->last + 1 == first) {
		prev->last = last;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		struct fc_asn_rng *q = realloc(l->r, cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		l->r = q;
		l->cap = cap;
	}
	l->r[l->n].first = first;
	l->r[l->n].last = last;
	l->r[l->n].asn = asn;
	l->n++;
	return 0;
}

/*
 * Prefixes p[0..n) (any order) -> sorted, non-overlapping ranges, each
 * address in the range of its longest prefix. The stack holds at most one
 * prefix of each length (129), the same prefix twice taking one level. A sweep in address order
 * with the stack of the prefixes that hold the current address: the top
 * one owns it, up to where the next prefix starts or the top one ends.
 */
static int fc_asn_flatten(struct fc_asn_pfx *p, size_t n,
			  struct fc_asn_rng **out, size_t *nout)
{
	struct fc_asn_pfx *stack[129];
	struct fc_rng_list l = { 0 };
	unsigned int depth = 0;
	bool done = false;	/* the top address is owned: nothing after */
	u128 next = 0;		/* the first address not yet in a range */
	size_t i;
	int err = 0;

	if (n)
		qsort(p, n, sizeof(*p), fc_pfx_cmp);
	for (i = 0; i <= n && !err; i++) {
		/* the prefixes that end before p[i] (all, after the last) */
		while (depth && (i == n || stack[depth - 1]->last < p[i].first)) {
			struct fc_asn_pfx *t = stack[--depth];

			if (!done && next <= t->last)
				err = err ?: fc_rng_emit(&l, next, t->last, t->asn);
			if (t->last == ~(u128)0)
				done = true;
			else if (next <= t->last)
				next = t->last + 1;
		}
		if (i == n)
			break;
		/* the same prefix again: the later line's AS, one level */
		if (depth && stack[depth - 1]->first == p[i].first &&
		    stack[depth - 1]->plen == p[i].plen) {
			stack[depth - 1] = &p[i];
			continue;
		}
		if (depth && next < p[i].first)
			err = err ?: fc_rng_emit(&l, next, p[i].first - 1,
						 stack[depth - 1]->asn);
		next = p[i].first;
		stack[depth++] = &p[i];
	}
	if (err) {
		free(l.r);
		return err;
	}
	*out = l.r;
	*nout = l.n;
	return 0;
}

void fc_asn_table_free(struct fc_asn_table *t)
{
	free(t->v4);
	free(t->v6);
	memset(t, 0, sizeof(*t));
}

static int fc_asn_convert(struct fc_pfx_list *l, bool v6,
			  struct fc_asn_table *t)
{
	struct fc_asn_rng *r;
	size_t n, i;
	int err;

	err = fc_asn_flatten(l->p, l->n, &r, &n);
	if (err)
		return err;
	if (v6) {
		t->v6 = calloc(n ? n : 1, sizeof(*t->v6));
		for (i = 0; t->v6 && i < n; i++) {
			fc_u128_put(t->v6[i].first, 16, r[i].first);
			fc_u128_put(t->v6[i].last, 16, r[i].last);
			t->v6[i].asn = r[i].asn;
		}
		t->n6 = n;
		err = t->v6 ? 0 : -ENOMEM;
	} else {
		t->v4 = calloc(n ? n : 1, sizeof(*t->v4));
		for (i = 0; t->v4 && i < n; i++) {
			t->v4[i].first = htonl((uint32_t)r[i].first);
			t->v4[i].last = htonl((uint32_t)r[i].last);
			t->v4[i].asn = r[i].asn;
		}
		t->n4 = n;
		err = t->v4 ? 0 : -ENOMEM;
	}
	free(r);
	return err;
}

/*
 * Read a file of "PREFIX ASN" lines (IPv4 and IPv6, "#" comments, blank
 * lines) into t. FC_EXIT_OK, or FC_EXIT_USAGE with a message naming the
 * line, or FC_EXIT_ERR when out of memory.
 */
int fc_asn_read(FILE *f, const char *name, struct fc_asn_table *t)
{
	struct fc_pfx_list l4 = { 0 }, l6 = { 0 };
	char buf[512], *s, *hash;
	size_t line = 0, len;
	int err = 0;

	memset(t, 0, sizeof(*t));
	while (!err && fgets(buf, sizeof(buf), f)) {
		line++;
		len = strlen(buf);
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			fc_err("%s:%zu: line too long", name, line);
			err = -EINVAL;
			break;
		}
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		for (s = buf; isspace((unsigned char)*s); s++)
			;
		len = strlen(s);
		while (len && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		if (!*s)
			continue;
		err = fc_asn_line(s, line, &l4, &l6, name);
	}
	if (!err && ferror(f)) {
		fc_err("%s: %s", name, strerror(errno));
		err = -EIO;
	}
	if (!err)
		err = fc_asn_convert(&l4, false, t);
	if (!err)
		err = fc_asn_convert(&l6, true, t);
	free(l4.p);
	free(l6.p);
	if (!err)
		return FC_EXIT_OK;
	fc_asn_table_free(t);
	if (err == -ENOMEM) {
		fc_err("%s: out of memory", name);
		return FC_EXIT_ERR;
	}
	return err == -EIO ? FC_EXIT_ERR : FC_EXIT_USAGE;
}
