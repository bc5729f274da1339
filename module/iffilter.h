/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interface filter: which packets a netns meters, by the names of the
 * interfaces they cross. Builds in the kernel and in userspace (tests).
 *
 * A packet is metered if the include list is empty or its input or output
 * interface matches an include pattern, and neither its input nor its
 * output interface matches an exclude pattern. A pattern is a name, or a
 * prefix ending in '*' ("veth*"; "*" alone matches every interface).
 */
#ifndef _FM_IFFILTER_H
#define _FM_IFFILTER_H

#include "fm_types.h"

#define FM_IFNAMSIZ	16	/* IFNAMSIZ */
#define FM_IFF_MAX	8	/* patterns per list */

struct fm_ifpat {
	char name[FM_IFNAMSIZ];	/* without the '*' */
	u8 len;
	bool prefix;
};

struct fm_iflist {
	u8 n;
	struct fm_ifpat pat[FM_IFF_MAX];
};

struct fm_iffilter {
	struct fm_iflist incl;
	struct fm_iflist excl;
};

int fm_iflist_add(struct fm_iflist *l, const char *name, size_t len);
int fm_iflist_parse(struct fm_iflist *l, const char *csv);
int fm_iflist_format(const struct fm_iflist *l, char *buf, size_t size);
void fm_ifpat_string(const struct fm_ifpat *p, char buf[FM_IFNAMSIZ + 1]);

static inline bool fm_iffilter_empty(const struct fm_iffilter *f)
{
	return !f->incl.n && !f->excl.n;
}

static inline bool fm_ifpat_match(const struct fm_ifpat *p, const char *dev)
{
	if (p->prefix)
		return !strncmp(dev, p->name, p->len);
	return !strncmp(dev, p->name, FM_IFNAMSIZ);
}

static inline bool fm_iflist_match(const struct fm_iflist *l, const char *dev)
{
	unsigned int i;

	if (!dev)
		return false;
	for (i = 0; i < l->n; i++)
		if (fm_ifpat_match(&l->pat[i], dev))
			return true;
	return false;
}

/* in, out: the interface names, NULL where the hook has none. */
static inline bool fm_iffilter_pass(const struct fm_iffilter *f,
				    const char *in, const char *out)
{
	if (f->incl.n && !fm_iflist_match(&f->incl, in) &&
	    !fm_iflist_match(&f->incl, out))
		return false;
	return !fm_iflist_match(&f->excl, in) && !fm_iflist_match(&f->excl, out);
}

/*
 * Sampling rates by ingress interface: the first pattern of ifs that the
 * packet's input interface matches gives its rate, rate[i]; a packet
 * without an input interface, or whose one matches none, has the netns's.
 */
struct fm_samplif {
	struct fm_iflist ifs;
	u32 rate[FM_IFF_MAX];		/* 1 of N packets, N >= 1 */
};

/* The slot of in's rate in s, or -1: the netns's rate. */
static inline int fm_samplif_slot(const struct fm_samplif *s, const char *in)
{
	unsigned int i;

	if (!in)
		return -1;
	for (i = 0; i < s->ifs.n; i++)
		if (fm_ifpat_match(&s->ifs.pat[i], in))
			return i;
	return -1;
}

#endif /* _FM_IFFILTER_H */
