/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel API differences between the supported kernels (6.1 and
 * 6.12), so that the other files read as if written for one.
 */
#ifndef _FM_COMPAT_H
#define _FM_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/* The attributes of a dump request, parsed by the genetlink core. */
static inline struct nlattr **fm_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

#endif /* _FM_COMPAT_H */
