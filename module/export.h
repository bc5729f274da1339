/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Export configuration, per netns: the collectors (destinations) and the
 * settings they share. Used by the load-time module parameters and the
 * netlink control plane. Every call takes the netns's export mutex, so
 * process context only; a refusal returns -errno and says why in extack.
 */
#ifndef _FM_EXPORT_H
#define _FM_EXPORT_H

#include <linux/if.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/netlink.h>

#include "anon.h"
#include "flowmeter.h"

#define FM_DEST_MAX		8	/* destinations per netns */
#define FM_MTU_DEFAULT		1500
#define FM_MTU_MIN		576	/* room for every template and a record */
#define FM_MTU_MAX		65535

union fm_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
};

struct fm_dest_cfg {
	union fm_sockaddr addr;	/* collector address and port: the key */
	union fm_sockaddr src;	/* source address and/or port to bind to;
				 * family AF_UNSPEC: chosen by routing */
	u8 version;		/* 5, 9 or 10: enum fm_enc_version */
	u8 dscp;		/* 0..63, of the export packets */
	u16 mtu;		/* path MTU to the collector; 0: default */
	/*
	 * The device the socket is bound to: a VRF (l3mdev) master, whose
	 * table routes the export, or an interface; "" none (the netns's
	 * routing decides). Named at add, kept by ifindex from then on: a
	 * renamed device keeps the export, a gone one fails its sends,
	 * never moving them elsewhere.
	 */
	char ifname[IFNAMSIZ];
	int ifindex;		/* filled in at add; 0: not bound */
	/*
	 * Addresses as this destination gets them: prefix lengths per
	 * family, full (fm_anon_init()) unless it asks for anonymised
	 * records; set at add only.
	 */
	struct fm_anon anon;
	/*
	 * Receives aggregates (FM_DEST_A_AGGREGATES): those of the cache
	 * beside the main one, or the main cache's records when it runs
	 * masked; never single flows. Else it receives the main cache's.
	 */
	u8 aggregates;
};

struct fm_dest_stats {
	u64 packets;		/* export messages sent */
	u64 bytes;		/* their UDP payload bytes */
	u64 records;		/* flow records in them */
	u64 refused;		/* flow records the version cannot carry */
	u64 not_sent;		/* refused + records of messages not sent */
	u64 errors;		/* failed sends and errors the network reported */
	int last_error;		/* errno of the last error, 0 if none */
	u64 nat_events;		/* NAT event records in messages sent */
	u64 nat_lost;		/* ...in messages not sent, or that fit none */
};

struct fm_dest_info {
	struct fm_dest_cfg cfg;	/* mtu filled in; ifname: the bound device's
				 * name now, "" if it is gone */
	struct fm_dest_stats stats;
};

/* Settings shared by a netns's destinations. */
struct fm_export_cfg {
	u32 domain_id;		/* observation domain (IPFIX), source id (v9) */
	u32 refresh_sec;	/* templates every this many seconds... */
	u32 refresh_msgs;	/* ...or messages, whichever first; 0: never */
	unsigned int ndests;
	u32 flow_sampling_rate;	/* 1 in N finished records sent; 1: all */
	u8 flow_sampling_mode;	/* FM_SAMPLING_DETERMINISTIC or _RANDOM */
};

int fm_export_dest_add(struct fm_net *fn, const struct fm_dest_cfg *cfg,
		       struct netlink_ext_ack *extack);
int fm_export_dest_del(struct fm_net *fn, const union fm_sockaddr *addr,
		       struct netlink_ext_ack *extack);
int fm_export_dest_set_mtu(struct fm_net *fn, const union fm_sockaddr *addr,
			   unsigned int mtu, struct netlink_ext_ack *extack);

/*
 * Call cb for each destination, in the order they were added, from the
 * *pos-th on, until cb returns non-zero (e.g. a full dump skb); *pos is
 * then the one to resume from. Returns cb's last result. cb runs under the
 * export mutex: it must not call back into export.
 */
int fm_export_dest_walk(struct fm_net *fn, unsigned int *pos,
			int (*cb)(const struct fm_dest_info *di, void *arg),
			void *arg);

/* A new domain id starts new sessions: sequence numbers from 0. */
int fm_export_set_domain(struct fm_net *fn, u32 domain_id,
			 struct netlink_ext_ack *extack);
int fm_export_set_refresh(struct fm_net *fn, u32 sec, u32 msgs,
			  struct netlink_ext_ack *extack);
void fm_export_get_config(struct fm_net *fn, struct fm_export_cfg *cfg);
/*
 * Flow sampling of the finished records, before any destination: rate 1
 * sends every one; mode FM_SAMPLING_DETERMINISTIC or _RANDOM. A change
 * starts a new count (deterministic) and goes out with new templates.
 * It fails (-ENOMEM) only if fm_export_flow_sampling_prepare() with the
 * same rate was not called first, or failed.
 */
int fm_export_flow_sampling_prepare(struct fm_net *fn, u32 rate);
int fm_export_set_flow_sampling(struct fm_net *fn, u32 rate, u8 mode);
/*
 * NAT events handed over (natev.c), those no destination could take
 * (none but v5, or none at all), and the destinations' sent and lost
 * ones (each destination counts its own).
 */
struct fm_export_nat_stats {
	u64 handed;
	u64 no_dest;
	u64 sent;
	u64 lost;
};

void fm_export_nat_stats(struct fm_net *fn, struct fm_export_nat_stats *st);

/* Records handed over to export, and those flow sampling sent on. */
void fm_export_records_stats(struct fm_net *fn, u64 *observed, u64 *selected);

#endif /* _FM_EXPORT_H */
