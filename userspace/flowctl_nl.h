/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FLOWCTL_NL_H
#define _FLOWCTL_NL_H

#include <libmnl/libmnl.h>

#include "flowctl.h"

#define FC_NL_REQ_SIZE	65536	/* requests are small but for AS table chunks */
#define FC_NL_RECV_SIZE	32768	/* the largest dump message the kernel sends */

struct fc_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	char buf[FC_NL_REQ_SIZE];	/* the request being built */
};

int fc_nl_open(struct fc_nl *nl);
void fc_nl_close(struct fc_nl *nl);
struct nlmsghdr *fc_nl_req(struct fc_nl *nl, uint8_t cmd, uint16_t flags);
int fc_nl_run(struct fc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* Attribute tables: tb[type], types above max ignored, last one wins. */
void fc_nl_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
		     unsigned int max);
void fc_nl_nest_attrs(const struct nlattr *nest, const struct nlattr **tb,
		      unsigned int max);
uint64_t fc_nl_uint(const struct nlattr *a);

#endif /* _FLOWCTL_NL_H */
