/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family: netlink.c (family, configuration, export
 * destinations, counters) and netlink_flow.c (flow dumps, top flows).
 */
#ifndef _FM_NETLINK_H
#define _FM_NETLINK_H

#include <net/genetlink.h>

#include "flowmeter.h"
#include "uapi_flowmeter.h"

extern struct genl_family fm_nl_family;

/*
 * An address attribute (4 or 16 bytes) into addr; *family (4 or 6) is
 * set from its length, or, if already set, must match it.
 */
int fm_nl_get_addr(const struct nlattr *a, u8 *family, u8 *addr,
		   struct netlink_ext_ack *extack);

extern const struct nla_policy fm_nl_flows_policy[FM_A_FLOW + 1];
extern const struct nla_policy fm_nl_top_policy[FM_A_TOP_PREFIX6 + 1];

int fm_nl_flows_dump(struct sk_buff *skb, struct netlink_callback *cb);
int fm_nl_top(struct sk_buff *skb, struct genl_info *info);

#endif /* _FM_NETLINK_H */
