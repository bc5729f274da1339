/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NAT event logging (RFC 8158), per netns: NAT44 and NAT66 session create
 * and delete events from conntrack, exported as records of their own
 * (natev.c).
 */
#ifndef _FM_NATEV_H
#define _FM_NATEV_H

#include <linux/netlink.h>
#include <linux/types.h>

struct fm_net;

/* Counters since NAT events were last switched on. */
struct fm_nat_stats {
	u64 created;		/* NAT44/66 session create events handed to export */
	u64 deleted;		/* ...delete events */
	u64 dropped;		/* events conntrack sent that we never received */
	u64 overruns;		/* times the receive queue overflowed */
	u64 skipped;		/* conntrack events without NAT: not logged */
	u64 malformed;		/* messages that did not parse: not logged */
	u64 ct_events;		/* net.netfilter.nf_conntrack_events now */
	u64 ct_source;		/* 1: nf_conntrack_netlink sends them now */
};

/*
 * Switch on (the netns's conntrack events go to export from now on) or
 * off. fm_nat_prepare() first, without locks (loads ctnetlink). Under
 * the netns's conf_lock, process context; refuses, saying why
 * in extack, when conntrack would send no events.
 */
void fm_nat_prepare(void);
int fm_nat_start(struct fm_net *fn, struct netlink_ext_ack *extack);
void fm_nat_stop(struct fm_net *fn);
bool fm_nat_on(struct fm_net *fn);
void fm_nat_get_stats(struct fm_net *fn, struct fm_nat_stats *st);

#endif /* _FM_NATEV_H */
