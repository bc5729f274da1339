// SPDX-License-Identifier: GPL-2.0
/*
 * flowmeter: a NetFlow/IPFIX flow meter. Module init/exit and the load-time
 * parameters; everything per network namespace lives in netns.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>

#include "flowmeter.h"

u32 fm_param_hook_mask = FM_HOOK_DEFAULT;

static const char * const fm_hook_names[] = {
	[NF_INET_PRE_ROUTING] = "prerouting",
	[NF_INET_LOCAL_IN] = "input",
	[NF_INET_FORWARD] = "forward",
	[NF_INET_LOCAL_OUT] = "output",
	[NF_INET_POST_ROUTING] = "postrouting",
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
MODULE_PARM_DESC(hooks, "hook points: prerouting,input,forward,output,postrouting (default forward)");

static int __init fm_init(void)
{
	int err;

	err = fm_netns_init();
	if (err)
		return err;
	pr_info("loaded\n");
	return 0;
}

static void __exit fm_exit(void)
{
	fm_netns_exit();
	pr_info("unloaded\n");
}

module_init(fm_init);
module_exit(fm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("NetFlow/IPFIX flow meter with per-CPU lock-free flow cache");
MODULE_AUTHOR("flowmeter developers");
