/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family: netlink.c (family, configuration,
 * counters), netlink_dest.c (export destinations) and netlink_flow.c
 * (flow dumps, top flows).
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

/* An optional attribute's value into *v, which keeps its value without. */
static inline void fm_nl_get_u32(const struct nlattr *a, u32 *v)
{
	if (a)
		*v = nla_get_u32(a);
}

static inline void fm_nl_get_u8(const struct nlattr *a, u8 *v)
{
	if (a)
		*v = nla_get_u8(a);
}

extern const struct nla_policy fm_nl_flows_policy[FM_A_FLOW + 1];
extern const struct nla_policy fm_nl_top_policy[FM_A_TOP_PREFIX6 + 1];

int fm_nl_flows_dump(struct sk_buff *skb, struct netlink_callback *cb);
int fm_nl_top(struct sk_buff *skb, struct genl_info *info);

extern const struct nla_policy fm_nl_add_dest_policy[FM_A_DEST + 1];
extern const struct nla_policy fm_nl_del_dest_policy[FM_A_DEST + 1];

int fm_nl_add_dest(struct sk_buff *skb, struct genl_info *info);
int fm_nl_del_dest(struct sk_buff *skb, struct genl_info *info);
int fm_nl_get_dests(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _FM_NETLINK_H */
