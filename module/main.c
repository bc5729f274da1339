// SPDX-License-Identifier: GPL-2.0
/*
 * flowmeter: a NetFlow/IPFIX flow meter. Module init/exit and the load-time
 * parameters; everything per network namespace lives in netns.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/string.h>

#include "cache.h"

u32 fm_param_hook_mask = FM_HOOK_DEFAULT;

static const char * const fm_hook_names[] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
	[5] = "bridge",		/* FM_HOOK_BRIDGE */
};

/* "forward,output" -> BIT(NF_INET_FORWARD) | BIT(NF_INET_LOCAL_OUT) */
static int fm_hooks_parse(const char *val, u32 *mask)
{
	char buf[96], *p = buf, *word;
	u32 m = 0;
	int i;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	while ((word = strsep(&p, ",")) != NULL) {
		word = strim(word);
		if (!*word)
			continue;
		for (i = 0; i < ARRAY_SIZE(fm_hook_names); i++)
			if (!strcmp(word, fm_hook_names[i]))
				break;
		if (i == ARRAY_SIZE(fm_hook_names))
			return -EINVAL;
		m |= BIT(i);
	}
	if (!m)
		return -EINVAL;
	*mask = m;
	return 0;
}

static int fm_hooks_param_set(const char *val, const struct kernel_param *kp)
{
	return fm_hooks_parse(val, &fm_param_hook_mask);
}

static int fm_hooks_param_get(char *buf, const struct kernel_param *kp)
{
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(fm_hook_names); i++)
		if (fm_param_hook_mask & BIT(i))
			n += scnprintf(buf + n, PAGE_SIZE - n, "%s%s",
				       n ? "," : "", fm_hook_names[i]);
	n += scnprintf(buf + n, PAGE_SIZE - n, "\n");
	return n;
}

static const struct kernel_param_ops fm_hooks_param_ops = {
	.set = fm_hooks_param_set,
	.get = fm_hooks_param_get,
};
module_param_cb(hooks, &fm_hooks_param_ops, NULL, 0444);
MODULE_PARM_DESC(hooks, "hook points: prerouting,input,forward,output,postrouting,bridge (default forward)");

module_param_named(active_timeout, fm_cache_defaults.active_timeout, uint, 0444);
MODULE_PARM_DESC(active_timeout, "export long flows after this many seconds (default 1800)");
module_param_named(inactive_timeout, fm_cache_defaults.inactive_timeout, uint, 0444);
MODULE_PARM_DESC(inactive_timeout, "end flows idle for this many seconds (default 15)");
module_param_named(max_flows, fm_cache_defaults.max_flows, uint, 0444);
MODULE_PARM_DESC(max_flows, "flow cache size per netns, any CPU may fill it (default 262144)");
module_param_named(hash_size, fm_cache_defaults.hash_size, uint, 0444);
MODULE_PARM_DESC(hash_size, "hash buckets per CPU, rounded up to a power of 2 (default 0: max_flows / online CPUs; at most 4096 beyond the initial netns)");
module_param_named(netns_max_flows, fm_netns_max_flows, uint, 0444);
MODULE_PARM_DESC(netns_max_flows, "most max_flows (and hash_size by it) another netns may set without CAP_NET_ADMIN in the initial user namespace, and its default cap (default 65536)");
module_param_named(sampling_rate, fm_cache_defaults.sampling_rate, uint, 0444);
MODULE_PARM_DESC(sampling_rate, "meter 1 of N packets (default 1: all)");
module_param_named(flowlabel, fm_cache_defaults.flowlabel, byte, 0444);
MODULE_PARM_DESC(flowlabel, "1: the IPv6 flow label is part of the flow key");

static int fm_sampling_param_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "deterministic"))
		fm_cache_defaults.sampling_mode = FM_SAMPLING_DETERMINISTIC;
	else if (sysfs_streq(val, "random"))
		fm_cache_defaults.sampling_mode = FM_SAMPLING_RANDOM;
	else if (sysfs_streq(val, "hash"))
		fm_cache_defaults.sampling_mode = FM_SAMPLING_HASH;
	else
		return -EINVAL;
	return 0;
}

static int fm_sampling_param_get(char *buf, const struct kernel_param *kp)
{
	static const char *const names[] = {
		[FM_SAMPLING_DETERMINISTIC] = "deterministic",
		[FM_SAMPLING_RANDOM] = "random",
		[FM_SAMPLING_HASH] = "hash",
	};

	return sysfs_emit(buf, "%s\n", names[fm_cache_defaults.sampling_mode]);
}

static const struct kernel_param_ops fm_sampling_param_ops = {
	.set = fm_sampling_param_set,
	.get = fm_sampling_param_get,
};
module_param_cb(sampling_mode, &fm_sampling_param_ops, NULL, 0444);
MODULE_PARM_DESC(sampling_mode, "deterministic (1 of every N), random (probability 1/N) or hash (whole flows, 1/N by a keyed hash; random key per netns)");

/* interfaces=, exclude_interfaces=: comma-separated names or prefix* */
struct fm_iffilter fm_param_iffilter;

static int fm_iflist_param_set(const char *val, const struct kernel_param *kp)
{
	struct fm_iflist *dst = kp->arg, l = {};
	int err = fm_iflist_parse(&l, val);

	if (err) {
		pr_err("%s: '%s' is not a list of at most %u interface names or prefixes*\n",
		       kp->name, val, FM_IFF_MAX);
		return -EINVAL;
	}
	*dst = l;
	return 0;
}

static int fm_iflist_param_get(char *buf, const struct kernel_param *kp)
{
	int n = fm_iflist_format(kp->arg, buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

static const struct kernel_param_ops fm_iflist_param_ops = {
	.set = fm_iflist_param_set,
	.get = fm_iflist_param_get,
};
module_param_cb(interfaces, &fm_iflist_param_ops, &fm_param_iffilter.incl, 0444);
MODULE_PARM_DESC(interfaces, "meter only packets in or out of these interfaces (name or prefix*, comma-separated; default all)");
module_param_cb(exclude_interfaces, &fm_iflist_param_ops, &fm_param_iffilter.excl, 0444);
MODULE_PARM_DESC(exclude_interfaces, "never meter packets in or out of these interfaces (name or prefix*, comma-separated)");

static int fm_params_check(void)
{
	struct fm_cache_cfg *c = &fm_cache_defaults;

	if (!c->active_timeout || !c->inactive_timeout || !c->max_flows ||
	    !c->sampling_rate || c->active_timeout > FM_TIMEOUT_MAX ||
	    c->inactive_timeout > FM_TIMEOUT_MAX ||
	    c->max_flows > FM_MAX_FLOWS_MAX || c->hash_size > FM_HASH_SIZE_MAX ||
	    !fm_netns_max_flows || fm_netns_max_flows > FM_MAX_FLOWS_MAX) {
		pr_err("timeouts must be 1..%u s, max_flows and netns_max_flows 1..%u, hash_size 0..%u, sampling_rate >= 1\n",
		       FM_TIMEOUT_MAX, FM_MAX_FLOWS_MAX, FM_HASH_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static int __init fm_init(void)
{
	int err;

	err = fm_params_check();
	if (err)
		return err;
	err = fm_cache_module_init();
	if (err)
		return err;
	err = fm_netns_init();
	if (err)
		goto err_cache;
	err = fm_netlink_init();
	if (err)
		goto err_netns;
	pr_info("loaded\n");
	return 0;

err_netns:
	fm_netns_exit();
err_cache:
	fm_cache_module_exit();
	return err;
}

static void __exit fm_exit(void)
{
	fm_netlink_exit();
	fm_netns_exit();
	/* old AS tables freed by call_rcu(): the callback is ours */
	rcu_barrier();
	fm_cache_module_exit();
	pr_info("unloaded\n");
}

module_init(fm_init);
module_exit(fm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NetFlow/IPFIX flow meter with per-CPU lock-free flow cache");
MODULE_AUTHOR("flowmeter developers");
