// SPDX-License-Identifier: GPL-2.0
/*
 * Export configuration: a netns's destinations (added, removed, their
 * MTU, listed), its session settings (observation domain, template
 * refresh, flow sampling), what procfs shows of it, and the module
 * parameters that give the loading netns its first destinations. All of
 * it under the export mutex, like the data path in export.c, whose
 * held messages go out before a destination's session, buffer or life
 * changes (fm_dest_send_held()).
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

#define FM_REFRESH_MSGS	20	/* templates at least every 20 messages */

/* Load-time settings: see the module parameters at the end. */
static struct fm_dest_cfg fm_param_dests[FM_DEST_MAX];	/* addr, ifname */
static unsigned int fm_param_ndests;
static unsigned int fm_param_version = FM_ENC_IPFIX;
static unsigned int fm_param_domain = 1;
static unsigned int fm_param_refresh = 60;

/* A new netns's settings, before any request changes them. */
void fm_export_defaults(struct fm_export *fe)
{
	fe->domain_id = fm_param_domain;
	fe->refresh_sec = fm_param_refresh;
	fe->refresh_msgs = FM_REFRESH_MSGS;
	fe->fsamp_rate = 1;
	fe->fsamp_mode = FM_SAMPLING_DETERMINISTIC;
}

/* Has the netns a v5 destination (no biflows: netlink.c)? */
bool fm_export_has_nf5(struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d;
	bool any = false;

	mutex_lock(&fe->lock);
	list_for_each_entry(d, &fe->dests, list)
		any |= d->cfg.version == FM_ENC_NF5;
	mutex_unlock(&fe->lock);
	return any;
}

static bool fm_version_ok(unsigned int v)
{
	return v == FM_ENC_NF5 || v == FM_ENC_NF9 || v == FM_ENC_IPFIX;
}

static __be16 fm_sockaddr_port(const union fm_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in4.sin_port;
}

static bool fm_sockaddr_equal(const union fm_sockaddr *a,
			      const union fm_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family ||
	    fm_sockaddr_port(a) != fm_sockaddr_port(b))
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	return ipv6_addr_equal(&a->in6.sin6_addr, &b->in6.sin6_addr) &&
	       a->in6.sin6_scope_id == b->in6.sin6_scope_id;
}

static struct fm_dest *fm_dest_find(struct fm_export *fe,
				    const union fm_sockaddr *addr)
{
	struct fm_dest *d;

	lockdep_assert_held(&fe->lock);
	list_for_each_entry(d, &fe->dests, list)
		if (fm_sockaddr_equal(&d->cfg.addr, addr))
			return d;
	return NULL;
}

static int fm_mtu_check(unsigned int mtu, struct netlink_ext_ack *extack)
{
	if (mtu && (mtu < FM_MTU_MIN || mtu > FM_MTU_MAX)) {
		NL_SET_ERR_MSG_MOD(extack, "MTU must be 576..65535");
		return -EINVAL;
	}
	return 0;
}

/* The largest message: the MTU less the IP and UDP headers. */
static unsigned int fm_payload(const union fm_sockaddr *addr, unsigned int mtu)
{
	return mtu - (addr->sa.sa_family == AF_INET6 ? 48 : 28);
}

static int fm_dest_check(const struct fm_dest_cfg *c,
			 struct netlink_ext_ack *extack)
{
	int family = c->addr.sa.sa_family;

	if (family != AF_INET && family != AF_INET6) {
		NL_SET_ERR_MSG_MOD(extack, "collector address must be IPv4 or IPv6");
		return -EAFNOSUPPORT;
	}
	if (family == AF_INET ? !c->addr.in4.sin_addr.s_addr :
	    ipv6_addr_any(&c->addr.in6.sin6_addr)) {
		NL_SET_ERR_MSG_MOD(extack, "collector address is unspecified");
		return -EINVAL;
	}
	if (!fm_sockaddr_port(&c->addr)) {
		NL_SET_ERR_MSG_MOD(extack, "collector port is 0");
		return -EINVAL;
	}
	if (c->src.sa.sa_family != AF_UNSPEC && c->src.sa.sa_family != family) {
		NL_SET_ERR_MSG_MOD(extack, "source and collector address families differ");
		return -EINVAL;
	}
	if (!fm_version_ok(c->version)) {
		NL_SET_ERR_MSG_MOD(extack, "export version must be 5, 9 or 10");
		return -EINVAL;
	}
	if (strnlen(c->ifname, IFNAMSIZ) == IFNAMSIZ) {
		NL_SET_ERR_MSG_MOD(extack, "device name too long");
		return -EINVAL;
	}
	if (c->dscp > 63) {
		NL_SET_ERR_MSG_MOD(extack, "DSCP must be 0..63");
		return -EINVAL;
	}
	if (!fm_anon_valid(&c->anon)) {
		NL_SET_ERR_MSG_MOD(extack, "anonymisation prefix must be 0..32 (IPv4) or 0..128 (IPv6)");
		return -EINVAL;
	}
	if (c->version == FM_ENC_NF5 &&
	    (c->anon.src6 < 128 || c->anon.dst6 < 128)) {
		NL_SET_ERR_MSG_MOD(extack, "NetFlow v5 carries no IPv6 addresses to mask");
		return -EINVAL;
	}
	return fm_mtu_check(c->mtu, extack);
}

/* A new session: sequence numbers from 0, templates in the next message. */
static void fm_dest_session_init(struct fm_export *fe, struct fm_dest *d)
{
	fm_enc_session_init(&d->sess, d->cfg.version, fe->domain_id);
	d->sess.tmpl_refresh_sec = fe->refresh_sec;
	d->sess.tmpl_refresh_msgs = fe->refresh_msgs;
}

void fm_dest_free(struct fm_dest *d)
{
	fm_transport_close(&d->tp);
	memzero_explicit(&d->cfg.anon.key, sizeof(d->cfg.anon.key));
	kvfree(d->anon_buf);
	kvfree(d->buf);
	kfree(d);
}

int fm_export_dest_add(struct fm_net *fn, const struct fm_dest_cfg *cfg,
		       struct netlink_ext_ack *extack)
{
	struct fm_export *fe = fn->exp;
	struct fm_ifs *ifs = NULL;
	struct fm_dest *d;
	int err;

	err = fm_dest_check(cfg, extack);
	if (err)
		return err;
	/* The netns's interface table, charged to whoever wants names. */
	if (cfg->version != FM_ENC_NF5 && !READ_ONCE(fe->ifs)) {
		ifs = kvzalloc(sizeof(*ifs), GFP_KERNEL_ACCOUNT);
		if (!ifs)
			return -ENOMEM;
		ifs->check_at = jiffies - HZ;	/* both due now */
		ifs->expire_at = jiffies - HZ;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d) {
		kvfree(ifs);
		return -ENOMEM;
	}
	d->cfg = *cfg;
	d->cfg.ifindex = 0;
	if (!d->cfg.mtu)
		d->cfg.mtu = FM_MTU_DEFAULT;
	d->size = fm_payload(&cfg->addr, d->cfg.mtu);
	d->names_at = jiffies - HZ;	/* a second's names due now */
	d->buf = kvmalloc(d->size, GFP_KERNEL_ACCOUNT);
	if (!d->buf) {
		err = -ENOMEM;
		goto err_free;
	}
	/* Only a destination that masks pays for the copies (6 KiB). */
	if (fm_anon_on(&cfg->anon)) {
		d->anon_buf = kvmalloc_array(FM_ANON_CHUNK,
					     sizeof(*d->anon_buf),
					     GFP_KERNEL_ACCOUNT);
		if (!d->anon_buf) {
			err = -ENOMEM;
			goto err_free;
		}
	}

	mutex_lock(&fe->lock);
	if (fe->ndests == FM_DEST_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "too many destinations");
		err = -ENOSPC;
		goto err_unlock;
	}
	if (fm_dest_find(fe, &cfg->addr)) {
		NL_SET_ERR_MSG_MOD(extack, "destination exists");
		err = -EEXIST;
		goto err_unlock;
	}
	if (cfg->ifname[0]) {
		err = fm_transport_dev(fn->net, cfg->ifname, extack);
		if (err < 0)
			goto err_unlock;
		d->cfg.ifindex = err;
	}
	err = fm_transport_open(&d->tp, fn->net, &d->cfg, extack);
	if (err)
		goto err_unlock;
	fm_dest_session_init(fe, d);
	if (ifs && !fe->ifs) {
		WRITE_ONCE(fe->ifs, ifs);
		ifs = NULL;
	}
	list_add_tail(&d->list, &fe->dests);
	fe->ndests++;
	mutex_unlock(&fe->lock);
	kvfree(ifs);
	return 0;

err_unlock:
	mutex_unlock(&fe->lock);
err_free:
	memzero_explicit(&d->cfg.anon.key, sizeof(d->cfg.anon.key));
	kvfree(d->anon_buf);
	kvfree(d->buf);
	kfree(d);
	kvfree(ifs);
	return err;
}

int fm_export_dest_del(struct fm_net *fn, const union fm_sockaddr *addr,
		       struct netlink_ext_ack *extack)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d;

	mutex_lock(&fe->lock);
	d = fm_dest_find(fe, addr);
	if (d) {
		fm_dest_send_held(d);	/* its records, before it goes */
		list_del(&d->list);
		fe->ndests--;
		fm_dest_stats_add(&fe->gone, &d->st);
	}
	mutex_unlock(&fe->lock);
	if (!d) {
		NL_SET_ERR_MSG_MOD(extack, "no such destination");
		return -ENOENT;
	}
	fm_dest_free(d);
	return 0;
}

int fm_export_dest_set_mtu(struct fm_net *fn, const union fm_sockaddr *addr,
			   unsigned int mtu, struct netlink_ext_ack *extack)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d;
	unsigned int size;
	u8 *buf;
	int err;

	err = fm_mtu_check(mtu, extack);
	if (err)
		return err;
	if (!mtu)
		mtu = FM_MTU_DEFAULT;
	mutex_lock(&fe->lock);
	d = fm_dest_find(fe, addr);
	if (!d) {
		NL_SET_ERR_MSG_MOD(extack, "no such destination");
		err = -ENOENT;
		goto out;
	}
	size = fm_payload(addr, mtu);
	buf = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	fm_dest_send_held(d);	/* in the old buffer, at the old size */
	kvfree(d->buf);
	d->buf = buf;
	d->size = size;
	d->cfg.mtu = mtu;
out:
	mutex_unlock(&fe->lock);
	return err;
}

/* The bound device's name now (it may have been renamed), "" if gone. */
static void fm_dest_dev_name(struct net *net, int ifindex, char *name)
{
	struct net_device *dev;

	rcu_read_lock();
	dev = dev_get_by_index_rcu(net, ifindex);
	if (dev)
		strscpy(name, dev->name, IFNAMSIZ);
	else
		name[0] = '\0';
	rcu_read_unlock();
}

int fm_export_dest_walk(struct fm_net *fn, unsigned int *pos,
			int (*cb)(const struct fm_dest_info *di, void *arg),
			void *arg)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest_info di;
	struct fm_dest *d;
	unsigned int i = 0;
	int ret = 0;

	mutex_lock(&fe->lock);
	list_for_each_entry(d, &fe->dests, list) {
		if (i++ < *pos)
			continue;
		di.cfg = d->cfg;
		/* the key stays in the destination: no reader gets it */
		memzero_explicit(&di.cfg.anon.key, sizeof(di.cfg.anon.key));
		di.stats = d->st;
		if (d->cfg.ifindex)
			fm_dest_dev_name(fn->net, d->cfg.ifindex, di.cfg.ifname);
		ret = cb(&di, arg);
		if (ret)
			break;
		(*pos)++;
	}
	mutex_unlock(&fe->lock);
	return ret;
}

int fm_export_set_domain(struct fm_net *fn, u32 domain_id,
			 struct netlink_ext_ack *extack)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d;

	mutex_lock(&fe->lock);
	fe->domain_id = domain_id;
	list_for_each_entry(d, &fe->dests, list) {
		fm_dest_send_held(d);	/* in the old session */
		fm_dest_session_init(fe, d);
	}
	mutex_unlock(&fe->lock);
	return 0;
}

int fm_export_set_refresh(struct fm_net *fn, u32 sec, u32 msgs,
			  struct netlink_ext_ack *extack)
{
	struct fm_export *fe = fn->exp;
	struct fm_dest *d;

	if (!sec && !msgs) {
		NL_SET_ERR_MSG_MOD(extack, "UDP needs a template refresh: seconds or packets must be non-zero");
		return -EINVAL;
	}
	mutex_lock(&fe->lock);
	fe->refresh_sec = sec;
	fe->refresh_msgs = msgs;
	list_for_each_entry(d, &fe->dests, list) {
		d->sess.tmpl_refresh_sec = sec;
		d->sess.tmpl_refresh_msgs = msgs;
		fm_enc_resend_templates(&d->sess);
	}
	mutex_unlock(&fe->lock);
	return 0;
}

void fm_export_get_config(struct fm_net *fn, struct fm_export_cfg *cfg)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	cfg->domain_id = fe->domain_id;
	cfg->refresh_sec = fe->refresh_sec;
	cfg->refresh_msgs = fe->refresh_msgs;
	cfg->ndests = fe->ndests;
	cfg->flow_sampling_rate = fe->fsamp_rate;
	cfg->flow_sampling_mode = fe->fsamp_mode;
	mutex_unlock(&fe->lock);
}

/*
 * The buffer flow sampling copies its records into, allocated before a
 * netlink request changes anything, so that setting the rate cannot fail.
 */
int fm_export_flow_sampling_prepare(struct fm_net *fn, u32 rate)
{
	struct fm_export *fe = fn->exp;
	struct fm_record *buf;

	if (rate <= 1 || READ_ONCE(fe->fsamp_buf))
		return 0;
	/* allocated outside the mutex, which the expiry works wait on */
	buf = kvmalloc_array(FM_FSAMP_CHUNK, sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&fe->lock);
	if (!fe->fsamp_buf) {
		WRITE_ONCE(fe->fsamp_buf, buf);
		buf = NULL;
	}
	mutex_unlock(&fe->lock);
	kvfree(buf);	/* another request's came first */
	return 0;
}

/* The netlink policy keeps rate and mode in range. */
int fm_export_set_flow_sampling(struct fm_net *fn, u32 rate, u8 mode)
{
	struct fm_export *fe = fn->exp;
	int err;

	err = fm_export_flow_sampling_prepare(fn, rate);
	if (err)
		return err;
	mutex_lock(&fe->lock);
	if (fe->fsamp_rate != rate || fe->fsamp_mode != mode) {
		fe->fsamp_rate = rate;
		fe->fsamp_mode = mode;
		fe->fsamp.skip = 0;	/* the next record is sent */
	}
	mutex_unlock(&fe->lock);
	return 0;
}

void fm_export_records_stats(struct fm_net *fn, u64 *observed, u64 *selected)
{
	struct fm_export *fe = fn->exp;

	mutex_lock(&fe->lock);
	*observed = fe->records_observed;
	*selected = fe->records_selected;
	mutex_unlock(&fe->lock);
}

void fm_export_show(struct seq_file *m, struct fm_net *fn)
{
	struct fm_export *fe = fn->exp;
	struct fm_aggc_stats as;
	struct fm_dest_stats t;
	struct fm_dest *d;

	mutex_lock(&fe->lock);
	fm_export_sum(fe, &t);
	seq_printf(m, "export_domain_id %u\n", fe->domain_id);
	seq_printf(m, "export_template_refresh_sec %u\n", fe->refresh_sec);
	seq_printf(m, "export_template_refresh_packets %u\n", fe->refresh_msgs);
	seq_printf(m, "export_destinations %u\n", fe->ndests);
	seq_printf(m, "export_flow_sampling_rate %u\n", fe->fsamp_rate);
	seq_printf(m, "export_flow_sampling_mode %s\n",
		   fe->fsamp_mode == FM_SAMPLING_RANDOM ?
		   "random" : "deterministic");
	seq_printf(m, "export_routing %u\n", !!fe->route_buf);
	memset(&as, 0, sizeof(as));
	if (fe->aggc)
		fm_aggc_stats(fe->aggc, &as);
	seq_printf(m, "export_aggregates_beside %u\n", !!fe->aggc);
	seq_printf(m, "export_aggregates_held %u\n", as.entries);
	seq_printf(m, "export_aggregates_folded %llu\n", as.folded);
	seq_printf(m, "export_aggregates_sent_on %llu\n", as.out);
	seq_printf(m, "export_aggregates_overflows %llu\n", as.overflows);
	seq_printf(m, "export_biflow %u\n", READ_ONCE(fn->biflow));
	seq_printf(m, "export_packets %llu\n", t.packets);
	seq_printf(m, "export_bytes %llu\n", t.bytes);
	seq_printf(m, "export_records %llu\n", t.records);
	seq_printf(m, "export_refused %llu\n", t.refused);
	seq_printf(m, "export_not_sent %llu\n", t.not_sent);
	seq_printf(m, "export_errors %llu\n", t.errors);
	seq_printf(m, "export_interfaces %u\n",
		   fe->ifs ? bitmap_weight(fe->ifs->used, FM_IFS_MAX) : 0);
	seq_printf(m, "export_interfaces_untracked %llu\n",
		   fe->ifs ? fe->ifs->untracked : 0);
	list_for_each_entry(d, &fe->dests, list)
		seq_printf(m, "destination %pISpc version %u mtu %u packets %llu bytes %llu records %llu refused %llu not_sent %llu errors %llu last_error %d nat_events %llu nat_lost %llu\n",
			   &d->cfg.addr, d->cfg.version, d->cfg.mtu,
			   d->st.packets, d->st.bytes, d->st.records,
			   d->st.refused, d->st.not_sent, d->st.errors,
			   d->st.last_error, d->st.nat_events,
			   d->st.nat_lost);
	list_for_each_entry(d, &fe->dests, list)
		if (d->cfg.aggregates)
			seq_printf(m, "destination %pISpc aggregates 1\n",
				   &d->cfg.addr);
	list_for_each_entry(d, &fe->dests, list)
		if (fm_anon_on(&d->cfg.anon))
			seq_printf(m, "destination %pISpc anon_src4 %u anon_dst4 %u anon_src6 %u anon_dst6 %u anon_keyed_src %u anon_keyed_dst %u\n",
				   &d->cfg.addr, d->cfg.anon.src4,
				   d->cfg.anon.dst4, d->cfg.anon.src6,
				   d->cfg.anon.dst6,
				   !!(d->cfg.anon.keyed & FM_ANON_KEYED_SRC),
				   !!(d->cfg.anon.keyed & FM_ANON_KEYED_DST));
	mutex_unlock(&fe->lock);
}


/*
 * Load-time destinations go to the netns the module is loaded from:
 * init_net, unless insmod runs in another one. Module init creates the
 * instances of all existing netns from the loading task; any later
 * instance is created by the task making its netns, which is not inside
 * it yet. So this is true for exactly one instance, at load.
 */
static bool fm_net_is_loader(const struct net *net)
{
	return net_eq(net, current->nsproxy->net_ns);
}

int fm_export_load(struct fm_net *fn)
{
	struct netlink_ext_ack extack = {};
	struct fm_dest_cfg cfg;
	unsigned int i;
	int err;

	if (!fm_net_is_loader(fn->net))
		return 0;
	for (i = 0; i < fm_param_ndests; i++) {
		cfg = fm_param_dests[i];
		cfg.version = fm_param_version;
		err = fm_export_dest_add(fn, &cfg, &extack);
		if (err) {
			pr_err("destination %pISpc%s%s: %s (%d)\n", &cfg.addr,
			       cfg.ifname[0] ? "%" : "", cfg.ifname,
			       extack._msg ? extack._msg : "error", err);
			return err;
		}
	}
	return 0;
}

/* Module parameters */

/* "192.0.2.1:2055" or "[2001:db8::1]:4739" */
static int fm_sockaddr_parse(const char *s, union fm_sockaddr *a)
{
	const char *end;
	u16 port;

	memset(a, 0, sizeof(*a));
	if (*s == '[') {
		if (!in6_pton(s + 1, -1, a->in6.sin6_addr.s6_addr, ']', &end) ||
		    end[0] != ']')
			return -EINVAL;
		end++;
	} else if (!in4_pton(s, -1, (u8 *)&a->in4.sin_addr.s_addr, ':', &end)) {
		return -EINVAL;
	}
	if (*end != ':' || kstrtou16(end + 1, 10, &port) || !port)
		return -EINVAL;
	if (*s == '[') {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
	} else {
		a->in4.sin_family = AF_INET;
		a->in4.sin_port = htons(port);
	}
	return 0;
}

/*
 * The address, then optionally "%IFNAME": the device to bind to, as
 * ipt_NETFLOW writes it. s is left as it was.
 */
static int fm_param_dest_parse(char *s, struct fm_dest_cfg *c)
{
	char *dev = strchr(s, '%');
	int err;

	memset(c, 0, sizeof(*c));
	fm_anon_init(&c->anon);
	if (dev) {
		if (!dev[1] || strscpy(c->ifname, dev + 1, IFNAMSIZ) < 0)
			return -EINVAL;
		*dev = '\0';
	}
	err = fm_sockaddr_parse(s, &c->addr);
	if (dev)
		*dev = '%';
	return err;
}

static int fm_dests_param_set(const char *val, const struct kernel_param *kp)
{
	struct fm_dest_cfg dests[FM_DEST_MAX];
	char *buf, *p, *word;
	unsigned int n = 0;
	int err = 0;

	buf = kstrdup(val, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while ((word = strsep(&p, ",")) != NULL) {
		word = strim(word);
		if (!*word)
			continue;
		if (n == FM_DEST_MAX) {
			pr_err("destination: at most %d\n", FM_DEST_MAX);
			err = -EINVAL;
			break;
		}
		if (fm_param_dest_parse(word, &dests[n])) {
			pr_err("destination: \"%s\" is not ADDR:PORT or [ADDR6]:PORT, optionally with %%IFNAME\n",
			       word);
			err = -EINVAL;
			break;
		}
		n++;
	}
	kfree(buf);
	if (err)
		return err;
	memcpy(fm_param_dests, dests, n * sizeof(dests[0]));
	fm_param_ndests = n;
	return 0;
}

static int fm_dests_param_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < fm_param_ndests; i++)
		n += scnprintf(buf + n, PAGE_SIZE - n, "%s%pISpc%s%s",
			       i ? "," : "", &fm_param_dests[i].addr,
			       fm_param_dests[i].ifname[0] ? "%" : "",
			       fm_param_dests[i].ifname);
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops fm_dests_param_ops = {
	.set = fm_dests_param_set,
	.get = fm_dests_param_get,
};
module_param_cb(destination, &fm_dests_param_ops, NULL, 0444);
MODULE_PARM_DESC(destination, "collectors of the netns the module is loaded from (normally the initial one): ADDR:PORT or [ADDR6]:PORT, optionally %IFNAME (a VRF or interface to bind to), comma-separated");

static int fm_version_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 10, &v) || !fm_version_ok(v))
		return -EINVAL;
	fm_param_version = v;
	return 0;
}

static const struct kernel_param_ops fm_version_param_ops = {
	.set = fm_version_param_set,
	.get = param_get_uint,
};
module_param_cb(export_version, &fm_version_param_ops, &fm_param_version, 0444);
MODULE_PARM_DESC(export_version, "of the load-time destinations: 10 IPFIX (default), 9 NetFlow v9, 5 NetFlow v5");

module_param_named(domain_id, fm_param_domain, uint, 0444);
MODULE_PARM_DESC(domain_id, "IPFIX observation domain / v9 source id of every netns (default 1)");

module_param_named(template_refresh, fm_param_refresh, uint, 0444);
MODULE_PARM_DESC(template_refresh, "resend templates every this many seconds (default 60; also every 20 messages)");
