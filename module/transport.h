/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The UDP transport of one destination: a kernel socket in the netns of
 * the exporter. Callers serialise the calls on one transport.
 */
#ifndef _FM_TRANSPORT_H
#define _FM_TRANSPORT_H

#include "export.h"

struct fm_transport {
	struct socket *sock;
	union fm_sockaddr peer;
	bool connected;
	bool stalled;		/* the last send found no room in time */
};

/* The ifindex of the device named name in net, or -ENODEV. */
int fm_transport_dev(struct net *net, const char *name,
		     struct netlink_ext_ack *extack);
/* Bound to cfg->ifindex if not 0, connected to the collector. */
int fm_transport_open(struct fm_transport *t, struct net *net,
		      const struct fm_dest_cfg *cfg,
		      struct netlink_ext_ack *extack);
void fm_transport_close(struct fm_transport *t);

/* 0 or -errno; waits FM_SEND_WAIT_MS at most for room (transport.c). */
int fm_transport_send(struct fm_transport *t, const void *buf,
		      unsigned int len);

/* -errno the network reported since the last call (ICMP), or 0. */
int fm_transport_error(struct fm_transport *t);

#endif /* _FM_TRANSPORT_H */
