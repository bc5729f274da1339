// SPDX-License-Identifier: GPL-2.0
/*
 * Interface filter patterns: parsing and printing (see iffilter.h). Pure
 * code: also built in userspace for the unit tests and fuzzers.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#else
#include <errno.h>
#include <stdio.h>
#endif

#include "iffilter.h"

/*
 * Add the pattern name[0..len) to l: 1..15 characters that a Linux
 * interface name may hold (no '/', ':' or white space, not "." or ".."),
 * '*' only as the last one. -EINVAL for a bad name, -ENOSPC when l is
 * full, -EEXIST if l has it already.
 */
int fm_iflist_add(struct fm_iflist *l, const char *name, size_t len)
{
	struct fm_ifpat p = {};
	size_t i;

	if (!len || len >= FM_IFNAMSIZ)
		return -EINVAL;
	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '/' || c == ':' || c == ' ' || c == '\0' ||
		    (c >= '\t' && c <= '\r') || (c == '*' && i != len - 1))
			return -EINVAL;
	}
	p.prefix = name[len - 1] == '*';
	p.len = p.prefix ? len - 1 : len;
	memcpy(p.name, name, p.len);
	for (i = 0; i < l->n; i++)
		if (l->pat[i].prefix == p.prefix && l->pat[i].len == p.len &&
		    !memcmp(l->pat[i].name, p.name, p.len))
			return -EEXIST;
	if (l->n == FM_IFF_MAX)
		return -ENOSPC;
	l->pat[l->n++] = p;
	return 0;
}

/* A comma-separated list ("" for none) into an empty l. */
int fm_iflist_parse(struct fm_iflist *l, const char *csv)
{
	const char *s = csv;
	int err;

	if (!*s || !strcmp(s, "\n"))
		return 0;
	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);

		/* a trailing newline, as echo into a parameter gives */
		if (!end && len && s[len - 1] == '\n')
			len--;
		err = fm_iflist_add(l, s, len);
		if (err || !end)
			return err;
		s = end + 1;
	}
}

void fm_ifpat_string(const struct fm_ifpat *p, char buf[FM_IFNAMSIZ + 1])
{
	memcpy(buf, p->name, p->len);
	if (p->prefix)
		buf[p->len] = '*';
	buf[p->len + p->prefix] = '\0';
}

/* l as a comma-separated list; returns its length, as snprintf. */
int fm_iflist_format(const struct fm_iflist *l, char *buf, size_t size)
{
	char one[FM_IFNAMSIZ + 1];
	int n = 0;
	unsigned int i;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		fm_ifpat_string(&l->pat[i], one);
		n += snprintf(buf + min((size_t)n, size),
			      size - min((size_t)n, size), "%s%s",
			      i ? "," : "", one);
	}
	return n;
}
