// SPDX-License-Identifier: GPL-2.0
/*
 * Export: finished flow records become IPFIX, NetFlow v9 or v5 messages
 * to every destination (collector) of the netns; each destination gets
 * every record, or with flow sampling on every record it selects (the
 * same for all: fm_export_records()).
 *
 * Each destination is its own transport session: its own socket, encoder
 * session (sequence numbers, template schedule) and message buffer. One
 * mutex per netns serialises all of it: the cache's expiry works handing
 * over records, the control plane changing the configuration and procfs
 * reading the counters, all in process context. The packet path never
 * comes here.
 *
 * Holding messages. The cache's works hand records over a batch at a
 * time, often a few records a call; sending each call's partial last
 * message would make a busy meter send many small datagrams. So a
 * destination's last message stays open after the call, and the next
 * calls go on filling it, until it is full or export_hold_ms old
 * (100 ms by default; 0 sends at the end of every call, as before):
 * the export work (hold_work) sends whatever is held when the oldest
 * message's time is up, or when a flush has ended every flow
 * (fm_export_flush()). Every held message goes out before the netns's
 * sockets close (fm_export_stop(), from the netns's .pre_exit once the
 * cache handed over its last records) and before a destination changes
 * session, buffer or goes (fm_dest_send_held()). A message's header
 * gets the time it is sent at: the export time is never before a record
 * it carries ended.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "aggcache.h"
#include "cache.h"
#include "export_priv.h"
#include "route.h"

/* export_hold_ms, the module parameter at the end */
static unsigned int fm_param_hold_ms = 100;

/*
 * Uptime for v9 and v5 is the boot clock, the one records are stamped
 * with (fm_record); boot_ms is where the wall clock puts boot now, so it
 * follows the wall clock if that is stepped, and the uptimes do not.
 */
static void fm_export_clock(struct fm_enc_clock *clk)
{
	struct timespec64 ts;
	u64 ms, up;

	ktime_get_real_ts64(&ts);
	up = ktime_get_boottime_ns() / NSEC_PER_MSEC;
	ms = (u64)ts.tv_sec * MSEC_PER_SEC + ts.tv_nsec / NSEC_PER_MSEC;
	clk->unix_sec = (u32)ts.tv_sec;
	clk->unix_nsec = (u32)ts.tv_nsec;
	clk->boot_ms = ms - up;
	clk->uptime_ms = (u32)up;
}

void fm_dest_stats_add(struct fm_dest_stats *sum,
		       const struct fm_dest_stats *s)
{
	sum->packets += s->packets;
	sum->bytes += s->bytes;
	sum->records += s->records;
	sum->refused += s->refused;
	sum->not_sent += s->not_sent;
	sum->errors += s->errors;
	sum->nat_events += s->nat_events;
	sum->nat_lost += s->nat_lost;
}

static void fm_dest_error(struct fm_dest *d, int err)
{
	d->st.errors++;
	d->st.last_error = -err;
}

/* What one fm_export_records() call shares among its destinations. */
struct fm_batch {
	struct fm_net *fn;
	struct fm_enc_clock clk;
	bool netns_read;		/* the fields below are filled in */
	u64 ignored;			/* packets the meter could not take */
	u64 dropped;			/* finished flows the cache lost */
};

/* Counters for the options data, read once a call. */
static void fm_batch_read_netns(struct fm_batch *b)
{
	struct fm_stats s;
	unsigned int i;

	if (b->netns_read)
		return;
	b->netns_read = true;

	fm_stats_sum(b->fn, &s);
	b->ignored = s.pkts_dropped;
	for (i = 0; i < FM_PERR_MAX; i++)
		b->ignored += s.parse_err[i];
	b->dropped = s.records_dropped;
}

/* One call's work for one destination: d->m is the message built. */
struct fm_out {
	struct fm_batch *b;
	struct fm_dest *d;
	struct fm_enc_msg *m;		/* &d->m */
	/*
	 * 1 + the session's mode (enum fm_enc_mode) when the options data
	 * went out in this call, 0 before: they go again with the templates
	 * of another mode, whose options (selectors) differ.
	 */
	u8 opts_mode;
	bool names_sent;		/* so did the interface names owed */
};

/*
 * Finish d's open message, its header stamped with clk (now), and send
 * it if it holds anything. Under the export mutex.
 */
static void fm_dest_send(struct fm_dest *d, const struct fm_enc_clock *clk)
{
	struct fm_enc_msg *m = &d->m;
	unsigned int len;
	int err;

	if (!d->open)
		return;
	d->open = false;
	if (!m->nrec)
		return;		/* never finished: leaves no trace */
	fm_enc_restamp(m, clk);
	len = fm_enc_finish(m);
	err = fm_transport_error(&d->tp);
	if (err)
		fm_dest_error(d, err);
	err = fm_transport_send(&d->tp, d->buf, len);
	if (err) {
		fm_dest_error(d, err);
		d->st.not_sent += d->flows;
		d->st.nat_lost += d->nat_events;
	} else {
		d->st.packets++;
		d->st.bytes += len;
		d->st.records += d->flows;
		d->st.nat_events += d->nat_events;
	}
	d->flows = 0;
	d->nat_events = 0;
}

/* Send d's held message now: d's session, buffer or life changes. */
void fm_dest_send_held(struct fm_dest *d)
{
	struct fm_enc_clock clk;

	if (!d->open)
		return;
	fm_export_clock(&clk);
	fm_dest_send(d, &clk);
}

static void fm_out_send(struct fm_out *o)
{
	fm_dest_send(o->d, &o->b->clk);
}

static int fm_out_begin(struct fm_out *o);

/* Send the full message and begin the next one. */
static int fm_out_next(struct fm_out *o)
{
	fm_out_send(o);
	return fm_out_begin(o);
}

/*
 * Options record i: 0 sampling, 1 flow sampling (if on), 2 statistics,
 * 3 + k selector k (in selector mode)
 */
#define FM_OUT_OPTIONS (3 + FM_ENC_SEL_MAX)

static int fm_out_add_option(struct fm_out *o, unsigned int i)
{
	const struct fm_batch *b = o->b;
	const struct fm_dest *d = o->d;
	struct fm_enc_stats st;

	if (i == 0)
		return fm_enc_add_sampling(o->m);
	if (i == 1)
		return fm_enc_add_flowsamp(o->m);
	if (i > 2)
		return fm_enc_add_selector(o->m, i - 3);
	st.messages = d->st.packets;
	st.flows = d->st.records;
	st.ignored_packets = b->ignored;
	st.not_sent_flows = d->st.not_sent + b->dropped;
	return fm_enc_add_stats(o->m, &st);
}

/*
 * The options data follow the first message of a call that carries the
 * templates; a later one in the same call (a long burst) does not repeat
 * them. The interface names are owed again from here, and go out at
 * their own pace (fm_out_names()).
 */
static int fm_out_options(struct fm_out *o)
{
	unsigned int i;
	int err;

	o->opts_mode = 1 + o->m->s->mode;
	fm_batch_read_netns(o->b);
	fm_ifs_refresh(o->b->fn->exp, o->d);
	for (i = 0; i < FM_OUT_OPTIONS; i++) {
		if (fm_out_add_option(o, i) != FM_ENC_FULL)
			continue;
		err = fm_out_next(o);
		if (err)
			return err;
		fm_out_add_option(o, i);
	}
	return 0;
}

#define FM_IFNAME_BATCH	16	/* names copied out of one RCU section */

/*
 * The names the destination owes, while this second's FM_IFNAME_RATE
 * lasts; the rest wait for a later call. Once a call, in its first
 * message (after the options data if it carries the templates), so that
 * a new interface's name comes with the first records that carry it.
 * Names are copied out under RCU and encoded after: sending sleeps. A
 * name lost with a failed send goes out again at the next refresh.
 */
static int fm_out_names(struct fm_out *o)
{
	struct fm_export *fe = o->b->fn->exp;
	struct fm_ifs *t = fe->ifs;
	struct fm_dest *d = o->d;
	struct {
		u32 ifindex;
		char name[IFNAMSIZ];
	} nm[FM_IFNAME_BATCH];
	struct net_device *dev;
	unsigned int i, k, n;
	int err;

	o->names_sent = true;
	if (!t || !fm_dest_names(d))
		return 0;
	if (time_after_eq(jiffies, d->names_at + HZ)) {
		d->names_at = jiffies;
		d->names_left = FM_IFNAME_RATE;
	}
	while (d->names_left) {
		n = 0;
		rcu_read_lock();
		while (n < min_t(unsigned int, FM_IFNAME_BATCH, d->names_left)) {
			i = find_next_bit(d->owed, FM_IFS_MAX, d->owed_pos);
			if (i == FM_IFS_MAX)
				i = find_first_bit(d->owed, FM_IFS_MAX);
			if (i == FM_IFS_MAX)
				break;
			d->owed_pos = i + 1;
			__clear_bit(i, d->owed);
			dev = dev_get_by_index_rcu(o->b->fn->net,
						   t->slot[i].ifindex);
			if (!dev) {
				fm_ifs_free(fe, i);
				continue;
			}
			nm[n].ifindex = t->slot[i].ifindex;
			strscpy(nm[n].name, dev->name, IFNAMSIZ);
			/* a rename seen here first is fm_ifs_check()'s */
			if (!t->slot[i].hash)
				t->slot[i].hash = fm_ifs_hash(nm[n].name);
			n++;
		}
		rcu_read_unlock();
		if (!n)
			break;
		d->names_left -= n;
		for (k = 0; k < n; k++) {
			if (fm_enc_add_ifname(o->m, nm[k].ifindex,
					      nm[k].name) != FM_ENC_FULL)
				continue;
			err = fm_out_next(o);
			if (err)
				return err;
			fm_enc_add_ifname(o->m, nm[k].ifindex, nm[k].name);
		}
	}
	return 0;
}

/* The minimum MTU leaves room for a message: this cannot fail in use. */
static int fm_out_begin(struct fm_out *o)
{
	struct fm_dest *d = o->d;
	int err;

	if (fm_enc_begin(o->m, &d->sess, d->buf, d->size, &o->b->clk))
		return -EMSGSIZE;
	d->open = true;
	d->opened = jiffies;
	if (o->m->tmpl && o->opts_mode != 1 + o->m->s->mode) {
		err = fm_out_options(o);
		if (err)
			return err;
	}
	if (!o->names_sent)
		return fm_out_names(o);
	return 0;
}

/*
 * The selectors' rates (fm_enc_set_selectors()): the netns's rate and
 * those of sampling-if, none without per-interface rates. Returns n.
 */
static unsigned int fm_selectors(struct fm_net *fn, u32 rate, u32 *sel)
{
	const struct fm_samplif_rcu *sr;
	unsigned int i, n = 0;

	BUILD_BUG_ON(FM_ENC_SEL_MAX != FM_IFF_MAX + 1);
	rcu_read_lock();
	sr = rcu_dereference(fn->samplif);
	if (sr && sr->s.ifs.n) {
		sel[0] = rate;
		for (i = 0; i < sr->s.ifs.n; i++)
			sel[1 + i] = sr->s.rate[i];
		n = 1 + sr->s.ifs.n;
	}
	rcu_read_unlock();
	return n;
}

/* Follow the cache's sampling; a change goes out with new templates. */
static void fm_dest_sampling(struct fm_net *fn, struct fm_dest *d)
{
	const struct fm_export *fe = fn->exp;
	struct fm_enc_session *s = &d->sess;
	u32 sel[FM_ENC_SEL_MAX];
	unsigned int nsel;
	u32 rate;
	u8 mode;

	fm_cache_sampling(fn, &rate, &mode);
	nsel = fm_selectors(fn, rate, sel);
	if ((s->sampling_interval != rate || s->sampling_algo != mode) ||
	    (s->flow_interval != fe->fsamp_rate ||
	     s->flow_algo != fe->fsamp_mode) ||
	    s->nsel != nsel || memcmp(s->sel_rate, sel, nsel * sizeof(*sel)))
		fm_dest_send_held(d);	/* its options data say the old rates */
	fm_enc_set_sampling(s, mode, rate);
	fm_enc_set_flow_sampling(s, fe->fsamp_mode, fe->fsamp_rate);
	fm_enc_set_selectors(s, nsel, sel);
}

/*
 * Is d's open message to go now, at the end of a call: held long enough,
 * or holding is off? Else the hold work must come for it in time.
 */
static bool fm_dest_due(struct fm_export *fe, struct fm_dest *d)
{
	unsigned long hold = msecs_to_jiffies(min(READ_ONCE(fm_param_hold_ms),
						  1000U));

	if (!hold || fe->closing || time_after_eq(jiffies, d->opened + hold))
		return true;
	/* pending already: it comes for an older message, so in time */
	queue_delayed_work(system_wq, &fe->hold_work,
			   d->opened + hold - jiffies);
	return false;
}

/*
 * Encode recs[0..n) into o's messages, sending the full ones; *done: how
 * many were taken (encoded or refused) when it fails.
 */
static int fm_out_flows(struct fm_out *o, const struct fm_record *recs,
			unsigned int n, unsigned int *done)
{
	struct fm_dest *d = o->d;
	unsigned int i = 0, k;
	int ret;

	*done = 0;
	while (i < n) {
		k = fm_enc_add_flows(o->m, &recs[i], n - i);
		d->flows += k;
		i += k;
		*done = i;
		if (i == n)
			break;
		if (o->m->full) {	/* the next message takes recs[i] */
			if (fm_out_next(o))
				return -EMSGSIZE;
			continue;
		}
		ret = fm_enc_add_flow(o->m, &recs[i]);
		if (ret == FM_ENC_FULL) {
			if (fm_out_next(o))
				return -EMSGSIZE;
			ret = fm_enc_add_flow(o->m, &recs[i]);
		}
		if (ret == FM_ENC_OK) {
			d->flows++;
		} else {	/* FM_ENC_UNSUPPORTED: IPv6 flow on v5 */
			d->st.refused++;
			d->st.not_sent++;
		}
		*done = ++i;
	}
	return 0;
}

static void fm_dest_export(struct fm_batch *b, struct fm_dest *d,
			   const struct fm_record *recs, unsigned int n)
{
	struct fm_out o = { .b = b, .d = d, .m = &d->m };
	const struct fm_record *r;
	unsigned int i = 0, c, done;

	fm_dest_sampling(b->fn, d);
	/* a held message takes this call's names first, as a new one would */
	if (d->open ? fm_out_names(&o) : fm_out_begin(&o))
		goto err;
	while (i < n) {
		r = &recs[i];
		c = n - i;
		/*
		 * A masking destination encodes a masked copy: the cache's
		 * records go on, whole, to the next destination.
		 */
		if (d->anon_buf) {
			c = min_t(unsigned int, c, FM_ANON_CHUNK);
			memcpy(d->anon_buf, r, c * sizeof(*r));
			fm_anon_records(d->anon_buf, c, &d->cfg.anon);
			r = d->anon_buf;
		}
		if (fm_out_flows(&o, r, c, &done)) {
			i += done;
			goto err;
		}
		i += c;
	}
	if (fm_dest_due(b->fn->exp, d))
		fm_out_send(&o);
	return;
err:
	fm_dest_error(d, -EMSGSIZE);
	d->st.not_sent += n - i;
}

/*
 * NAT events into d's messages, as flow records go: the held message
 * takes them, full ones are sent, the last is held as long as records
 * are. An event that fits no message (an MTU too small for the
 * templates and an event together) is lost, and counted.
 */
static void fm_dest_export_nat(struct fm_batch *b, struct fm_dest *d,
			       const struct fm_nat_event *evs, unsigned int n)
{
	struct fm_out o = { .b = b, .d = d, .m = &d->m };
	unsigned int i;
	int ret;

	fm_dest_sampling(b->fn, d);
	if (d->open ? fm_out_names(&o) : fm_out_begin(&o))
		goto err;
	for (i = 0; i < n; i++) {
		ret = fm_enc_add_nat(o.m, &evs[i]);
		if (ret == FM_ENC_FULL) {
			if (fm_out_next(&o))
				goto err;
			ret = fm_enc_add_nat(o.m, &evs[i]);
		}
		if (ret == FM_ENC_OK)
			d->nat_events++;
		else
			d->st.nat_lost++;
	}
	if (fm_dest_due(b->fn->exp, d))
		fm_out_send(&o);
	return;
err:
	fm_dest_error(d, -EMSGSIZE);
	d->st.nat_lost += n - i;
}

void fm_export_nat(struct fm_net *fn, const struct fm_nat_event *evs,
		   unsigned int n)
{
	struct fm_export *fe = fn->exp;
	struct fm_batch b = { .fn = fn };
	bool taken = false;
	struct fm_dest *d;

	mutex_lock(&fe->lock);
	fm_export_clock(&b.clk);
	fe->nat_handed += n;
	list_for_each_entry(d, &fe->dests, list) {
		if (!fm_dest_names(d))	/* v5: no fields for them */
			continue;
		fm_dest_export_nat(&b, d, evs, n);
		taken = true;
	}
	if (!taken)
		fe->nat_no_dest += n;
	mutex_unlock(&fe->lock);
}

/* The lost-events options record into d's messages, as an event goes. */
static void fm_dest_export_nat_lost(struct fm_batch *b, struct fm_dest *d,
				    u64 lost, u64 time_ms)
{
	struct fm_out o = { .b = b, .d = d, .m = &d->m };

	fm_dest_sampling(b->fn, d);
	if (d->open ? fm_out_names(&o) : fm_out_begin(&o))
		goto err;
	if (fm_enc_add_nat_lost(o.m, lost, time_ms) == FM_ENC_FULL) {
		if (fm_out_next(&o))
			goto err;
		fm_enc_add_nat_lost(o.m, lost, time_ms);
	}
	if (fm_dest_due(b->fn->exp, d))
		fm_out_send(&o);
	return;
err:
	fm_dest_error(d, -EMSGSIZE);
}

/*
 * A destination that cannot take the record now gets the next total,
 * which includes this one.
 */
void fm_export_nat_lost(struct fm_net *fn, u64 lost, u64 time_ms)
{
	struct fm_export *fe = fn->exp;
	struct fm_batch b = { .fn = fn };
	struct fm_dest *d;

	mutex_lock(&fe->lock);
	fm_export_clock(&b.clk);
	list_for_each_entry(d, &fe->dests, list)
		if (fm_dest_names(d))
			fm_dest_export_nat_lost(&b, d, lost, time_ms);
	mutex_unlock(&fe->lock);
}

/* The counters of every destination, gone ones included. */
void fm_export_sum(struct fm_export *fe, struct fm_dest_stats *t)
{
	struct fm_dest *d;

	lockdep_assert_held(&fe->lock);
	*t = fe->gone;
	list_for_each_entry(d, &fe->dests, list)
		fm_dest_stats_add(t, &d->st);
}

void fm_export_nat_stats(struct fm_net *fn, struct fm_export_nat_stats *st)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest_stats t;

	mutex_lock(&fe->lock);
	fm_export_sum(fe, &t);
	st->handed = fe->nat_handed;
	st->no_dest = fe->nat_no_dest;
	st->sent = t.nat_events;
	st->lost = t.nat_lost;
	mutex_unlock(&fe->lock);
}

/* Send every held message. Under the export mutex. */
static void fm_export_send_held(struct fm_export *fe)
{
	struct fm_dest *d;

	lockdep_assert_held(&fe->lock);
	list_for_each_entry(d, &fe->dests, list)
		fm_dest_send_held(d);
}

static void fm_export_aggc_expire(struct fm_export *fe, bool all);

/* A message's time is up: send it, and any other held with it. */
static void fm_export_hold_work(struct work_struct *work)
{
	struct fm_export *fe = container_of(to_delayed_work(work),
					    struct fm_export, hold_work);

	mutex_lock(&fe->lock);
	fm_export_send_held(fe);
	mutex_unlock(&fe->lock);
}

/*
 * A flush (flowctl flush) ended every flow and the cache handed the
 * records over: send what is held now, so that the flush returns with
 * every record sent, not export_hold_ms later.
 */
void fm_export_flush(struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	fm_export_aggc_expire(fe, true);
	fm_export_send_held(fe);
	mutex_unlock(&fe->lock);
}

/*
 * The netns is going and its cache handed over its last records (its
 * .pre_exit: the devices are still there to send through): send what is
 * held, and hold nothing from now on. No hold work runs after this.
 */
void fm_export_stop(struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	fe->closing = true;
	fm_export_aggc_expire(fe, true);
	fm_export_send_held(fe);
	mutex_unlock(&fe->lock);
	/* closing: nothing queues them again once they are cancelled */
	cancel_delayed_work_sync(&fe->hold_work);
	cancel_delayed_work_sync(&fe->aggc_work);
}

/*
 * Which destinations take a call's records: those that ask for aggregates
 * take the aggregation cache's (aggc) and the main cache's when it runs
 * masked; the others take the main cache's.
 */
static bool fm_dest_takes(const struct fm_dest *d, bool aggc,
			  const struct fm_record *recs)
{
	if (d->cfg.aggregates)
		return aggc || (recs->key.kflags & FM_KF_AGG);
	return !aggc;
}

/*
 * The selector of each of the plain records r[0..n): the sampling-if
 * slot of its input interface, as the packet path found it by name
 * (fm_sample_slot()), else the netns's rate. Masked flows, biflows and
 * flows with L2 or post-NAT fields get none: their templates have no
 * field for it (export.rst). A record in flight across a change of
 * sampling-if gets the new table's.
 */
static void fm_select_records(struct fm_net *fn, struct fm_record *r,
			      unsigned int n)
{
	const struct fm_samplif_rcu *sr;
	const struct net_device *dev;
	int slot;

	rcu_read_lock();
	sr = rcu_dereference(fn->samplif);
	for (; sr && n; n--, r++) {
		if (r->key.kflags & (FM_KF_AGG | FM_KF_BI | FM_KF_L2 |
				     FM_KF_NAT))
			continue;
		slot = -1;
		dev = r->key.in_if ?
		      dev_get_by_index_rcu(fn->net, r->key.in_if) : NULL;
		if (dev)
			slot = fm_samplif_slot(&sr->s, dev->name);
		r->selector = slot + 2;
		r->rflags |= FM_RF_SEL;
	}
	rcu_read_unlock();
}

/* recs[0..n) to every destination that takes them. Under the export mutex. */
static void fm_export_dests(struct fm_batch *b, const struct fm_record *recs,
			    unsigned int n, bool aggc)
{
	struct fm_export *fe = b->fn->exp;
	struct fm_record *x;
	struct fm_dest *d;
	unsigned int i, c;

	if (!aggc)
		fe->records_selected += n;
	fm_ifs_scan(b->fn, recs, n);
	x = fe->route_buf ?: fe->sel_buf;
	if (!x) {
		list_for_each_entry(d, &fe->dests, list)
			if (fm_dest_takes(d, aggc, recs))
				fm_dest_export(b, d, recs, n);
		return;
	}
	/*
	 * Routing fields or selectors: looked up once a record, for every
	 * destination. Routed records carry no selector (export.rst).
	 */
	for (i = 0; i < n; i += c) {
		c = min_t(unsigned int, n - i, FM_ROUTE_CHUNK);
		memcpy(x, recs + i, c * sizeof(*recs));
		if (fe->route_buf)
			fm_route_records(b->fn, x, c);
		else
			fm_select_records(b->fn, x, c);
		list_for_each_entry(d, &fe->dests, list)
			if (fm_dest_takes(d, aggc, recs))
				fm_dest_export(b, d, x, c);
	}
}

/* Aggregation beside the main cache (aggcache.h) */

static void fm_aggc_emit(void *arg, const struct fm_record *r, unsigned int n)
{
	fm_export_dests(arg, r, n, true);
}

static u64 fm_now_ms(void)
{
	return ktime_get_boottime_ns() / NSEC_PER_MSEC;
}

static void fm_export_aggc_fold(struct fm_export *fe, struct fm_batch *b,
				const struct fm_record *recs, unsigned int n)
{
	lockdep_assert_held(&fe->lock);
	fm_aggc_fold(fe->aggc, recs, n, fm_now_ms(), fm_aggc_emit, b);
	if (!fe->closing)
		queue_delayed_work(system_wq, &fe->aggc_work, HZ);
}

/* Send every aggregate on (all), or those the timeouts end. */
static void fm_export_aggc_expire(struct fm_export *fe, bool all)
{
	const struct fm_cache_cfg *cc = fm_cache_config(fe->fn);
	struct fm_batch b = { .fn = fe->fn };
	struct fm_aggc_stats st;

	lockdep_assert_held(&fe->lock);
	if (!fe->aggc)
		return;
	fm_export_clock(&b.clk);
	fm_aggc_expire(fe->aggc, fm_now_ms(),
		       (u64)READ_ONCE(cc->active_timeout) * MSEC_PER_SEC,
		       (u64)READ_ONCE(cc->inactive_timeout) * MSEC_PER_SEC,
		       all, fm_aggc_emit, &b);
	fm_aggc_stats(fe->aggc, &st);
	if (st.entries && !fe->closing)
		queue_delayed_work(system_wq, &fe->aggc_work, HZ);
}

static void fm_export_aggc_work(struct work_struct *work)
{
	struct fm_export *fe = container_of(to_delayed_work(work),
					    struct fm_export, aggc_work);

	mutex_lock(&fe->lock);
	fm_export_aggc_expire(fe, false);
	mutex_unlock(&fe->lock);
}

/*
 * Install ac (from fm_aggc_new(), or NULL: off) in place of the cache in
 * use, whose aggregates are sent on first, ended by force. Returns the
 * one to free, outside the lock: the old one, or ac if it has the mask
 * of the one in use (the aggregates go on).
 */
struct fm_aggc *fm_export_set_aggc(struct fm_net *fn, struct fm_aggc *ac)
{
	struct fm_export *fe = fn->exp;
	struct fm_aggc *old;

	mutex_lock(&fe->lock);
	old = fe->aggc;
	if (old && ac && fm_aggc_mask(old) == fm_aggc_mask(ac)) {
		mutex_unlock(&fe->lock);
		return ac;
	}
	fm_export_aggc_expire(fe, true);
	fe->aggc = ac;
	mutex_unlock(&fe->lock);
	return old;
}

/* Flow sampling: is the next record sent on? Under the export mutex. */
static bool fm_fsamp_keep(struct fm_export *fe)
{
	if (fe->fsamp_mode == FM_SAMPLING_RANDOM)
		return get_random_u32_below(fe->fsamp_rate) == 0;
	return fm_fsamp_pick(&fe->fsamp, fe->fsamp_rate);
}

/*
 * The records are final here (merged across CPUs, merge.c): flow
 * sampling picks among them, once for every destination, and the
 * interfaces whose names go out are those of the records sent.
 */
void fm_export_records(struct fm_net *fn, const struct fm_record *recs,
		       unsigned int n)
{
	struct fm_export *fe = fn->exp;
	struct fm_batch b = { .fn = fn };
	unsigned int i, k = 0;

	mutex_lock(&fe->lock);
	fm_export_clock(&b.clk);
	fe->records_observed += n;
	/* every flow, before flow sampling: an aggregate sums them all */
	if (fe->aggc)
		fm_export_aggc_fold(fe, &b, recs, n);
	if (fe->fsamp_rate <= 1) {
		fm_export_dests(&b, recs, n, false);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!fm_fsamp_keep(fe))
			continue;
		fe->fsamp_buf[k++] = recs[i];
		if (k == FM_FSAMP_CHUNK) {
			fm_export_dests(&b, fe->fsamp_buf, k, false);
			k = 0;
		}
	}
	if (k)
		fm_export_dests(&b, fe->fsamp_buf, k, false);
out:
	mutex_unlock(&fe->lock);
}

/* The buffer of fm_export_set_routing(), allocated before its lock. */
struct fm_record *fm_export_route_buf(void)
{
	return kvmalloc_array(FM_ROUTE_CHUNK, sizeof(struct fm_record),
			      GFP_KERNEL_ACCOUNT);
}

/*
 * Routing fields on (buf from fm_export_route_buf()) or off (NULL).
 * Returns the buffer left unused, for kvfree(). The sessions follow the
 * records: the first of another kind switches their templates (ipfix.c).
 */
struct fm_record *fm_export_set_routing(struct fm_net *fn,
					struct fm_record *buf)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	if (!buf || !fe->route_buf)
		swap(buf, fe->route_buf);
	mutex_unlock(&fe->lock);
	return buf;
}

/*
 * Selectors on (buf from fm_export_route_buf()) or off (NULL), as
 * sampling-if rates are set or removed. Returns the buffer left unused.
 */
struct fm_record *fm_export_set_selectors(struct fm_net *fn,
					  struct fm_record *buf)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	if (!buf || !fe->sel_buf)
		swap(buf, fe->sel_buf);
	mutex_unlock(&fe->lock);
	return buf;
}

bool fm_export_routing(struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;
	bool on;

	mutex_lock(&fe->lock);
	on = fe->route_buf;
	mutex_unlock(&fe->lock);
	return on;
}

int fm_export_init(struct fm_net *fn)
{
	struct fm_export *fe;
	int err;

	fe = kzalloc(sizeof(*fe), GFP_KERNEL_ACCOUNT);
	if (!fe)
		return -ENOMEM;
	mutex_init(&fe->lock);
	INIT_DELAYED_WORK(&fe->hold_work, fm_export_hold_work);
	INIT_DELAYED_WORK(&fe->aggc_work, fm_export_aggc_work);
	fe->fn = fn;
	INIT_LIST_HEAD(&fe->dests);
	fm_export_defaults(fe);
	fn->exp = fe;
	err = fm_export_load(fn);
	if (err)
		fm_export_exit(fn);
	return err;
}

/*
 * Called from the netns's pernet exit once the hooks are gone and the
 * cache has handed over its last flows: nobody else can be in here, and
 * the sockets, which hold no reference on the netns, go with it. The
 * netns's .pre_exit sent what was held (fm_export_stop()); on a failed
 * init nothing was.
 */
void fm_export_exit(struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d, *tmp;

	cancel_delayed_work_sync(&fe->hold_work);
	cancel_delayed_work_sync(&fe->aggc_work);
	fm_aggc_free(fe->aggc);
	list_for_each_entry_safe(d, tmp, &fe->dests, list)
		fm_dest_free(d);
	kvfree(fe->ifs);
	kvfree(fe->fsamp_buf);
	kvfree(fe->route_buf);
	kvfree(fe->sel_buf);
	mutex_destroy(&fe->lock);
	kfree(fe);
	fn->exp = NULL;
}

module_param_named(export_hold_ms, fm_param_hold_ms, uint, 0644);
MODULE_PARM_DESC(export_hold_ms, "keep a partly filled export message open this long for more records (ms, default 100, at most 1000; 0: send at once)");
