/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What export.c, export_cfg.c and export_ifs.c share: the netns's export
 * state, its destinations and the interface-name table. Private to them.
 */
#ifndef _FM_EXPORT_PRIV_H
#define _FM_EXPORT_PRIV_H

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "enc.h"
#include "flowsamp.h"
#include "export.h"
#include "transport.h"

#define FM_FSAMP_CHUNK	32	/* records selected, sent on together */

struct fm_net;

/*
 * Interface names (options template 260). A host may have thousands of
 * interfaces (a container host's veths) of which flows cross a few: a
 * name goes out only for an ifindex that an exported record carries, on
 * a schedule of its own. The netns keeps the set of such ifindexes (the
 * table below); each destination a bitmap over its slots of the names it
 * owes: a new interface's name is owed at once, so that it goes out with
 * the next message, and every name again with each template refresh (a
 * collector that restarted learns them all) and after a rename. A
 * destination sends at most FM_IFNAME_RATE of them a second; the rest
 * stay owed for later calls.
 *
 * All of it is under the export mutex, in process context: the export
 * path notes the records' interfaces (two hash look-ups a record, fewer
 * when neighbours share them), the packet path never sees any of it.
 */

/*
 * Interfaces tracked per netns (16 KiB). Past that, an interface new to
 * the table gets no name record until a slot frees: a gone interface's
 * when its name is next looked up (sending it, or the rename check), an
 * idle one's (no exported record carried it for FM_IFS_IDLE seconds) at
 * a template refresh or, when the table is full, at most once a second
 * as a new interface shows up.
 */
#define FM_IFS_MAX	1024
#define FM_IFS_HASH	256	/* buckets; chains of 4 when full */
#define FM_IFS_IDLE	600	/* s without a record: the name stops going out */

/*
 * ifName records a destination sends per second at most: 64 of them (20
 * bytes each, IPFIX and v9) fill about one 1500-byte datagram, so
 * names never outweigh the flows, and the table's 1024 interfaces all go
 * out within 16 s, well inside the default 60 s template refresh.
 */
#define FM_IFNAME_RATE	64

/* Used slots checked for a rename per second: all of them within 16 s. */
#define FM_IFS_CHECK	64

struct fm_ifs {
	u16 head[FM_IFS_HASH];		/* slot + 1 of a chain's first, 0: none */
	struct fm_ifslot {
		u32 ifindex;
		u32 hash;		/* of the name last seen, 0: not yet */
		u32 seen;		/* s: last exported record with it */
		u16 next;		/* slot + 1 of the chain's next, 0: end */
	} slot[FM_IFS_MAX];
	DECLARE_BITMAP(used, FM_IFS_MAX);
	unsigned int check;		/* next slot of the rename check */
	unsigned long check_at;		/* jiffies: the last rename check */
	unsigned long expire_at;	/* jiffies: the last expiry when full */
	u64 untracked;			/* new interfaces the full table refused */
};

struct fm_dest {
	struct list_head list;
	struct fm_dest_cfg cfg;		/* mtu filled in */
	struct fm_transport tp;
	struct fm_enc_session sess;
	u8 *buf;			/* the message being built */
	unsigned int size;		/* its capacity: the UDP payload */
	/*
	 * Masking destinations only (cfg.anon on): the records of a call
	 * are copied here FM_ANON_CHUNK at a time and masked for it.
	 */
	struct fm_record *anon_buf;
	/*
	 * The message in buf, kept open between calls until it is full or
	 * fm_param_hold_ms old (export.c, "Holding messages").
	 */
	struct fm_enc_msg m;
	bool open;			/* m begun and not sent */
	unsigned int flows;		/* flow records in m */
	unsigned int nat_events;	/* NAT event records in m */
	unsigned long opened;		/* jiffies: m begun */
	struct fm_dest_stats st;
	DECLARE_BITMAP(owed, FM_IFS_MAX);	/* names of fm_ifs slots owed */
	unsigned int owed_pos;		/* where the next one is looked for */
	unsigned int names_left;	/* ifName records left this second */
	unsigned long names_at;		/* jiffies: that second began */
};

struct fm_aggc;

struct fm_export {
	struct mutex lock;		/* all of the below, and the dests */
	struct delayed_work hold_work;	/* sends the messages held too long */
	bool closing;			/* netns going: hold nothing more */
	struct list_head dests;
	unsigned int ndests;
	u32 domain_id;
	u32 refresh_sec;
	u32 refresh_msgs;
	struct fm_dest_stats gone;	/* of deleted destinations */
	struct fm_ifs *ifs;		/* from the first IPFIX/v9 destination */
	/*
	 * Flow sampling (flowsamp.h): 1 in fsamp_rate of the records handed
	 * over goes on to the destinations, by fsamp_mode. Those sent are
	 * copied into fsamp_buf (FM_FSAMP_CHUNK records, allocated when
	 * flow sampling is first turned on) and go out a chunk at a time.
	 */
	u32 fsamp_rate;			/* 1: every record */
	u8 fsamp_mode;			/* FM_SAMPLING_DETERMINISTIC or _RANDOM */
	struct fm_fsamp fsamp;
	struct fm_record *fsamp_buf;
	u64 records_observed;		/* records handed over to export */
	u64 records_selected;		/* ...of them, those flow sampling sent on */
	u64 nat_handed;			/* NAT events handed over */
	u64 nat_no_dest;		/* ...while no destination could take them */
	/*
	 * Routing fields on (route.c): each call's records are copied here
	 * FM_ROUTE_CHUNK at a time, their fields looked up once for every
	 * destination. NULL: off.
	 */
	struct fm_record *route_buf;
	/*
	 * Selectors on (per-interface sampling rates): the same, for the
	 * records' selectors, when routing fields are off. NULL: off.
	 */
	struct fm_record *sel_buf;
	/*
	 * Aggregation beside the main cache (aggcache.h), NULL: off. Its
	 * work sends the aggregates that timed out, every second while it
	 * holds any; fn for the timeouts.
	 */
	struct fm_aggc *aggc;
	struct delayed_work aggc_work;
	struct fm_net *fn;
};

#define FM_ROUTE_CHUNK	64

static inline bool fm_dest_names(const struct fm_dest *d)
{
	return d->cfg.version != FM_ENC_NF5;	/* v5 has no options data */
}

/* export.c, under fm_export.lock */
void fm_dest_stats_add(struct fm_dest_stats *sum,
		       const struct fm_dest_stats *s);
void fm_dest_send_held(struct fm_dest *d);
void fm_export_sum(struct fm_export *fe, struct fm_dest_stats *t);

/* export_cfg.c */
void fm_export_defaults(struct fm_export *fe);
int fm_export_load(struct fm_net *fn);
void fm_dest_free(struct fm_dest *d);

/* export_ifs.c, all under fm_export.lock */
u32 fm_ifs_hash(const char *name);
void fm_ifs_free(struct fm_export *fe, unsigned int i);
void fm_ifs_scan(struct fm_net *fn, const struct fm_record *recs,
		 unsigned int n);
void fm_ifs_refresh(struct fm_export *fe, struct fm_dest *d);

#endif /* _FM_EXPORT_PRIV_H */
