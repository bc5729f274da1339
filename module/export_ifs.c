// SPDX-License-Identifier: GPL-2.0
/*
 * Interface-name tracking for export: the netns's bounded set of the
 * ifindexes that exported records carried (at most FM_IFS_MAX, idle ones
 * forgotten after FM_IFS_IDLE s, gone ones when next looked up) and each
 * destination's bitmap of the names it owes. Only the export path writes
 * it (noting a batch's interfaces, template refreshes, sending names) and
 * always under the netns's export mutex, in process context; the packet
 * path never sees it. The sending itself is export.c's fm_out_names().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/timekeeping.h>

#include "cache.h"
#include "export_priv.h"

static unsigned int fm_ifs_bucket(u32 ifindex)
{
	return hash_32(ifindex, ilog2(FM_IFS_HASH));
}

/* Never 0, which stands for "not yet". */
u32 fm_ifs_hash(const char *name)
{
	return jhash(name, strnlen(name, IFNAMSIZ), 0) | 1;
}

static int fm_ifs_find(const struct fm_ifs *t, u32 ifindex)
{
	unsigned int i = t->head[fm_ifs_bucket(ifindex)];

	while (i) {
		if (t->slot[i - 1].ifindex == ifindex)
			return i - 1;
		i = t->slot[i - 1].next;
	}
	return -1;
}

/* Every destination that sends names owes slot i's. */
static void fm_ifs_owe(struct fm_export *fe, unsigned int i)
{
	struct fm_dest *d;

	list_for_each_entry(d, &fe->dests, list)
		if (fm_dest_names(d))
			__set_bit(i, d->owed);
}

/* Forget slot i's interface: gone, or idle. */
void fm_ifs_free(struct fm_export *fe, unsigned int i)
{
	struct fm_ifs *t = fe->ifs;
	u16 *p = &t->head[fm_ifs_bucket(t->slot[i].ifindex)];
	struct fm_dest *d;

	while (*p != i + 1)
		p = &t->slot[*p - 1].next;
	*p = t->slot[i].next;
	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	__clear_bit(i, t->used);
	list_for_each_entry(d, &fe->dests, list)
		__clear_bit(i, d->owed);
}

/* Free the slots that no exported record carried for FM_IFS_IDLE s. */
static void fm_ifs_expire(struct fm_export *fe, u32 now)
{
	struct fm_ifs *t = fe->ifs;
	unsigned int i;

	for_each_set_bit(i, t->used, FM_IFS_MAX)
		if (now - t->slot[i].seen > FM_IFS_IDLE)
			fm_ifs_free(fe, i);
}

/* An exported record carries ifindex: its name is owed if it is new. */
static void fm_ifs_note(struct fm_export *fe, u32 ifindex, u32 now)
{
	struct fm_ifs *t = fe->ifs;
	unsigned int b, i;
	int s;

	if (!ifindex)
		return;
	s = fm_ifs_find(t, ifindex);
	if (s >= 0) {
		t->slot[s].seen = now;
		return;
	}
	i = find_first_zero_bit(t->used, FM_IFS_MAX);
	if (i == FM_IFS_MAX && time_after_eq(jiffies, t->expire_at + HZ)) {
		t->expire_at = jiffies;
		fm_ifs_expire(fe, now);
		i = find_first_zero_bit(t->used, FM_IFS_MAX);
	}
	if (i == FM_IFS_MAX) {
		t->untracked++;
		return;
	}
	b = fm_ifs_bucket(ifindex);
	t->slot[i].ifindex = ifindex;
	t->slot[i].hash = 0;
	t->slot[i].seen = now;
	t->slot[i].next = t->head[b];
	t->head[b] = i + 1;
	__set_bit(i, t->used);
	fm_ifs_owe(fe, i);
}

/*
 * Once a second, FM_IFS_CHECK of the used slots, round robin: a renamed
 * interface's name is owed again, a gone one's slot freed. Slots freed
 * under RCU are only memory of ours: nothing here sleeps.
 */
static void fm_ifs_check(struct fm_net *fn)
{
	struct fm_ifs *t = fn->exp->ifs;
	struct net_device *dev;
	char name[IFNAMSIZ];
	unsigned int i, n;
	u32 h;

	if (time_before(jiffies, t->check_at + HZ))
		return;
	t->check_at = jiffies;
	n = min_t(unsigned int, FM_IFS_CHECK,
		  bitmap_weight(t->used, FM_IFS_MAX));
	rcu_read_lock();
	while (n--) {
		i = find_next_bit(t->used, FM_IFS_MAX, t->check);
		if (i == FM_IFS_MAX)
			i = find_first_bit(t->used, FM_IFS_MAX);
		if (i == FM_IFS_MAX)
			break;
		t->check = i + 1;
		dev = dev_get_by_index_rcu(fn->net, t->slot[i].ifindex);
		if (!dev) {
			fm_ifs_free(fn->exp, i);
			continue;
		}
		strscpy(name, dev->name, IFNAMSIZ);
		h = fm_ifs_hash(name);
		if (t->slot[i].hash && t->slot[i].hash != h)
			fm_ifs_owe(fn->exp, i);
		t->slot[i].hash = h;
	}
	rcu_read_unlock();
}

/* The records' interfaces, before any destination encodes them. */
void fm_ifs_scan(struct fm_net *fn, const struct fm_record *recs,
		 unsigned int n)
{
	struct fm_export *fe = fn->exp;
	u32 now = (u32)ktime_get_seconds();
	u32 in = 0, out = 0;
	unsigned int i;

	if (!fe->ifs || list_empty(&fe->dests))
		return;
	for (i = 0; i < n; i++) {
		/* neighbours mostly share them: look up a change only */
		if (recs[i].key.in_if != in) {
			in = recs[i].key.in_if;
			fm_ifs_note(fe, in, now);
		}
		if (recs[i].key.out_if != out) {
			out = recs[i].key.out_if;
			fm_ifs_note(fe, out, now);
		}
	}
	fm_ifs_check(fn);
}

/* A template refresh: every name is owed again, idle ones forgotten. */
void fm_ifs_refresh(struct fm_export *fe, struct fm_dest *d)
{
	struct fm_ifs *t = fe->ifs;

	if (!t || !fm_dest_names(d))
		return;
	fm_ifs_expire(fe, (u32)ktime_get_seconds());
	bitmap_or(d->owed, d->owed, t->used, FM_IFS_MAX);
}
