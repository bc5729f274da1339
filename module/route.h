/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routing fields (route.c): next hop and prefix lengths from the netns's
 * FIB, AS numbers from its AS table, looked up at export, once per record
 * for all destinations.
 */
#ifndef _FM_ROUTE_H
#define _FM_ROUTE_H

#include <linux/netlink.h>
#include "asn.h"

struct fm_net;
struct fm_record;

/* Ranges of a family an AS table may hold (module parameter asn_max). */
extern unsigned int fm_param_asn_max;

void fm_route_records(struct fm_net *fn, struct fm_record *r, unsigned int n);

/* The AS table, under fn->conf_lock: see FM_CMD_ASN_BEGIN. */
int fm_asn_begin(struct fm_net *fn, u32 portid, u32 n4, u32 n6,
		 struct netlink_ext_ack *extack);
int fm_asn_add(struct fm_net *fn, u32 portid, const struct nlattr *r4,
	       const struct nlattr *r6, struct netlink_ext_ack *extack);
int fm_asn_commit(struct fm_net *fn, u32 portid,
		  struct netlink_ext_ack *extack);
void fm_asn_counts(struct fm_net *fn, u32 *n4, u32 *n6);
void fm_asn_free(struct fm_net *fn);

#endif /* _FM_ROUTE_H */
