/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowmeter: per-netns state and the interfaces between the module's files.
 */
#ifndef _FLOWMETER_H
#define _FLOWMETER_H

#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>

#include "flow.h"
#include "parse.h"

#define FM_NAME "flowmeter"

/* Hook points (bit numbers are enum nf_inet_hooks) */
#define FM_HOOK_DEFAULT BIT(NF_INET_FORWARD)
#define FM_HOOK_ALL (BIT(NF_INET_PRE_ROUTING) | BIT(NF_INET_LOCAL_IN) | \
		     BIT(NF_INET_FORWARD) | BIT(NF_INET_LOCAL_OUT) | \
		     BIT(NF_INET_POST_ROUTING))
#define FM_NHOOKS 5

/*
 * Per-CPU counters. Only the owning CPU writes them, from the packet path
 * (softirq or BH-disabled) or its own expiry work (BH-disabled); readers
 * sum all CPUs under the u64_stats retry loop.
 */
struct fm_stats {
	u64 pkts_seen;
	u64 pkts_metered;
	u64 bytes_metered;
	u64 pkts_frag;
	u64 pkts_no_l4;
	u64 parse_err[FM_PERR_MAX];
	struct u64_stats_sync syncp;
};

/* One instance per network namespace. */
struct fm_net {
	struct net *net;
	struct fm_stats __percpu *stats;
	struct proc_dir_entry *proc_dir;
	u32 hook_mask;			/* BIT(NF_INET_*) hooked in this netns */
	unsigned int nops;
	struct nf_hook_ops ops[2 * FM_NHOOKS];
};

struct fm_net *fm_pernet(const struct net *net);

/* Load-time defaults (module parameters), main.c */
extern u32 fm_param_hook_mask;

/* hook.c */
int fm_hooks_register(struct fm_net *fn, u32 mask);
void fm_hooks_unregister(struct fm_net *fn);

/* netns.c */
int fm_netns_init(void);
void fm_netns_exit(void);
void fm_stats_sum(struct fm_net *fn, struct fm_stats *sum);

/* procfs.c */
int fm_proc_init(struct fm_net *fn);
void fm_proc_exit(struct fm_net *fn);

#endif /* _FLOWMETER_H */
