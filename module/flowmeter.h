/* SPDX-License-Identifier: GPL-2.0 */
/*
 * flowmeter: per-netns state and the interfaces between the module's files.
 */
#ifndef _FLOWMETER_H
#define _FLOWMETER_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/net_namespace.h>

#include "flow.h"
#include "iffilter.h"
#include "parse.h"

#define FM_NAME "flowmeter"

/*
 * Hook points (bit numbers are enum nf_inet_hooks), and bit 5: bridged
 * frames, the bridge family's forward hook (hook.c).
 */
#define FM_HOOK_DEFAULT BIT(NF_INET_FORWARD)
#define FM_HOOK_BRIDGE BIT(5)
#define FM_HOOK_ALL (BIT(NF_INET_PRE_ROUTING) | BIT(NF_INET_LOCAL_IN) | \
		     BIT(NF_INET_FORWARD) | BIT(NF_INET_LOCAL_OUT) | \
		     BIT(NF_INET_POST_ROUTING) | FM_HOOK_BRIDGE)
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
	u64 pkts_skipped;		/* left out by sampling */
	u64 pkts_filtered;		/* left out by the interface filter */
	u64 pkts_filtered_mark;		/* left out by the mark filter */
	u64 pkts_dropped;		/* their flow found no room: not metered */
	u64 parse_err[FM_PERR_MAX];
	u64 flows_created;
	u64 flows_expired[FM_END_RESOURCES + 1];	/* by end reason */
	u64 flows_nomem;		/* flows refused: allocation failed */
	u64 flows_dropped;		/* flows refused: no room (fm_evict_find) */
	u64 records_dropped;		/* finished, but export ring full */
	u64 flows_merged;		/* pieces merged into another CPU's record */
	u64 merge_incomplete;		/* records exported without all pieces */
	struct u64_stats_sync syncp;
};

struct fm_cache;	/* cache.c */
struct fm_hashkey;	/* hook.c */
struct fm_export;	/* export.c */
struct fm_asn_table;	/* route.c */
struct fm_nat;		/* natev.c */
struct fm_nat_event;	/* enc.h */
struct seq_file;

/* One instance per network namespace. */
struct fm_net {
	struct net *net;
	struct fm_stats __percpu *stats;
	struct fm_cache __rcu *cache;	/* replaced whole on a hash resize */
	struct fm_export *exp;
	struct proc_dir_entry *proc_dir;
	struct mutex conf_lock;		/* serialises configuration changes */
	struct fm_iffilter_rcu __rcu *iffilter;	/* NULL: every interface */
	u32 hook_mask;			/* BIT(NF_INET_*) hooked in this netns */
	u8 parse_opts;			/* FM_PARSE_*: the cache's, for the hook */
	u64 mark;			/* fm_mark_pack(): the mark filter, for the hook */
	struct fm_samplif_rcu __rcu *samplif;	/* NULL: the netns's rate only */
	struct fm_hashkey __rcu *hashkey;	/* sampling mode hash; never NULL */
	u32 top_n;			/* /proc/net/flowmeter/top: flows shown */
	u8 top_by;			/* enum fm_top_by: sort key */
	u8 top_agg;			/* enum fm_top_agg: flows or prefixes */
	u8 top_plen4, top_plen6;	/* their prefix lengths */
	struct mutex top_lock;		/* one top walk at a time (top.c) */
	unsigned long top_next;		/* jiffies: next top walk no sooner */
	unsigned int nops;
	struct nf_hook_ops ops[2 * FM_NHOOKS + 1];	/* + bridge */
	u64 agg;			/* fm_agg_pack(): the flow mask, for the hook */
	struct fm_agg agg_cfg;		/* the mask as set, on or off; conf_lock */
	u8 biflow;			/* RFC 5103 biflows, for the hook; conf_lock */
	struct fm_asn_table __rcu *asn;	/* the AS table; NULL: empty */
	struct fm_asn_table *asn_load;	/* one being loaded; conf_lock */
	u32 asn_load_portid;		/* by this netlink socket */
	struct fm_nat *nat;		/* NAT events; NULL: off; conf_lock */
};

struct fm_net *fm_pernet(const struct net *net);

/*
 * The mark filter: a packet is metered if skb->mark & mask == value. One
 * u64, so that the hook reads value and mask with one READ_ONCE() and
 * never sees a value of one setting with the mask of another; written
 * with WRITE_ONCE() under conf_lock. 0 (mask 0): every packet.
 */
static inline u64 fm_mark_pack(u32 value, u32 mask)
{
	return (u64)mask << 32 | value;
}

static inline u32 fm_mark_value(u64 m)
{
	return (u32)m;
}

static inline u32 fm_mark_mask(u64 m)
{
	return (u32)(m >> 32);
}

/* Load-time defaults (module parameters), main.c */
extern u32 fm_param_hook_mask;
extern struct fm_iffilter fm_param_iffilter;

/* An interface filter as the packet path reads it. */
struct fm_iffilter_rcu {
	struct rcu_head rcu;
	struct fm_iffilter f;
};

/* Sampling rates by ingress interface, as the packet path reads them. */
struct fm_samplif_rcu {
	struct rcu_head rcu;
	struct fm_samplif s;
};

/* hook.c */
int fm_hooks_register(struct fm_net *fn, u32 mask);
void fm_hooks_unregister(struct fm_net *fn);
struct fm_iffilter_rcu *fm_iffilter_new(const struct fm_iffilter *f);
void fm_iffilter_install(struct fm_net *fn, struct fm_iffilter_rcu *ff);
void fm_iffilter_get(struct fm_net *fn, struct fm_iffilter *f);
void fm_iffilter_free(struct fm_net *fn);
struct fm_samplif_rcu *fm_samplif_new(const struct fm_samplif *s);
void fm_samplif_install(struct fm_net *fn, struct fm_samplif_rcu *sr);
void fm_samplif_get(struct fm_net *fn, struct fm_samplif *s);
void fm_samplif_free(struct fm_net *fn);
int fm_hashkey_init(struct fm_net *fn);
struct fm_hashkey *fm_hashkey_new(const u8 *bytes);
void fm_hashkey_install(struct fm_net *fn, struct fm_hashkey *hk);
void fm_hashkey_get(struct fm_net *fn, u8 *bytes);
void fm_hashkey_free(struct fm_net *fn);

/* netns.c */
int fm_netns_init(void);
void fm_netns_exit(void);
void fm_stats_sum(struct fm_net *fn, struct fm_stats *sum);

/*
 * export.c: turns finished flow records into export packets for every
 * destination of the netns. fm_export_records() is called in process
 * context (the cache's per-CPU expiry work, or teardown) with no lock held
 * and may sleep briefly; it never keeps a pointer to recs (the records
 * are encoded at once; the last message may be held open for more, see
 * "Holding messages" in export.c). fm_export_flush() sends what is held,
 * fm_export_stop() too and holds nothing more.
 */
int fm_export_init(struct fm_net *fn);
void fm_export_flush(struct fm_net *fn);
void fm_export_stop(struct fm_net *fn);
void fm_export_exit(struct fm_net *fn);
void fm_export_records(struct fm_net *fn, const struct fm_record *recs,
		       unsigned int n);
void fm_export_show(struct seq_file *m, struct fm_net *fn);
/*
 * NAT events (natev.c's work) to every IPFIX and v9 destination, in the
 * messages of the flow records; v5 has no fields for them. Process
 * context, takes the export mutex.
 */
void fm_export_nat(struct fm_net *fn, const struct fm_nat_event *evs,
		   unsigned int n);
/* ...and the total of events lost before them (FM_TMPL_NAT_LOST), likewise */
void fm_export_nat_lost(struct fm_net *fn, u64 lost, u64 time_ms);
struct fm_record *fm_export_route_buf(void);
struct fm_record *fm_export_set_selectors(struct fm_net *fn,
					  struct fm_record *buf);
struct fm_record *fm_export_set_routing(struct fm_net *fn,
					struct fm_record *buf);
bool fm_export_routing(struct fm_net *fn);
struct fm_aggc;
struct fm_aggc *fm_export_set_aggc(struct fm_net *fn, struct fm_aggc *ac);
bool fm_export_has_nf5(struct fm_net *fn);

/* netlink.c */
int fm_netlink_init(void);
void fm_netlink_exit(void);

/* procfs.c */
int fm_proc_init(struct fm_net *fn);
void fm_proc_exit(struct fm_net *fn);

#endif /* _FLOWMETER_H */
