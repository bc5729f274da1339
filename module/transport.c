// SPDX-License-Identifier: GPL-2.0
/*
 * UDP transport to the collectors: one kernel socket per destination, in
 * the exporter's netns, connected to the collector so that the network's
 * ICMP errors (port unreachable: ECONNREFUSED) come back to it.
 *
 * Nothing here fails the exporter or blocks it for long: a collector
 * without a route stays unconnected and is connected again at each send
 * until routing finds it, and every error is returned to be counted.
 *
 * Back-pressure. A burst (a flush, a resize, an unload, a 1M-flow expiry)
 * can fill the socket's send buffer faster than the link drains it: the
 * sends then fail with EAGAIN and their records are lost. So a send waits
 * for room, as a blocking send does, but for FM_SEND_WAIT_MS at most
 * (sk_sndtimeo): while the link makes progress each message goes out,
 * only later. The work that sends waits meanwhile, and the records the
 * packet path ends pile up in its ring (cache_expire.c), which counts
 * what it cannot hold (records_dropped). A link that makes no progress
 * in that time is stalled: the following sends do not wait (MSG_DONTWAIT)
 * until one finds room again, so a dead link costs one wait, not one per
 * message. Drops inside a qdisc (an AQM, a full pfifo) are not seen here:
 * without IP_RECVERR the UDP layer reports them as sent.
 *
 * A destination bound to a device (SO_BINDTODEVICE semantics) routes by
 * that device alone: a VRF master's table (which needs an unreachable
 * default route, or a lookup missing it goes on to the later rules), or
 * the interface's routes (on-link if it has none). So a change in the
 * data plane's routes cannot move the export; if the device goes, routing
 * fails (ENODEV, ENETUNREACH) rather than falling back.
 *
 * A kernel socket holds no reference on its netns, so it must not outlive
 * it: fm_export_exit() closes every socket from the netns's pernet exit.
 */
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/sockptr.h>
#include <net/sock.h>

#include "transport.h"

/*
 * Room for a burst of messages in flight to a slow NIC (an unload flush
 * of a large cache), beyond which sends fail with EAGAIN and are counted.
 */
#define FM_SNDBUF	(1 << 20)
#define FM_SEND_WAIT_MS	50

static int fm_sockaddr_len(const union fm_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in4);
}

static int fm_transport_connect(struct fm_transport *t)
{
	int err;

	err = kernel_connect(t->sock, &t->peer.sa, fm_sockaddr_len(&t->peer), 0);
	t->connected = !err;
	return err;
}

static int fm_set_dscp(struct socket *sock, int family, u8 dscp)
{
	int val = dscp << 2;

	if (family == AF_INET6)
		return sock->ops->setsockopt(sock, SOL_IPV6, IPV6_TCLASS,
					     KERNEL_SOCKPTR(&val), sizeof(val));
	return sock->ops->setsockopt(sock, SOL_IP, IP_TOS,
				     KERNEL_SOCKPTR(&val), sizeof(val));
}

static void fm_set_sndbuf(struct sock *sk)
{
	lock_sock(sk);
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	WRITE_ONCE(sk->sk_sndbuf, FM_SNDBUF);
	WRITE_ONCE(sk->sk_sndtimeo, msecs_to_jiffies(FM_SEND_WAIT_MS));
	release_sock(sk);
}

int fm_transport_dev(struct net *net, const char *name,
		     struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	int ifindex = 0;

	rcu_read_lock();
	dev = dev_get_by_name_rcu(net, name);
	if (dev)
		ifindex = dev->ifindex;
	rcu_read_unlock();
	if (!ifindex) {
		NL_SET_ERR_MSG_MOD(extack, "no such device to bind to");
		return -ENODEV;
	}
	return ifindex;
}

int fm_transport_open(struct fm_transport *t, struct net *net,
		      const struct fm_dest_cfg *cfg,
		      struct netlink_ext_ack *extack)
{
	int family = cfg->addr.sa.sa_family;
	union fm_sockaddr src = cfg->src;
	struct socket *sock;
	int err;

	err = sock_create_kern(net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot create the export socket");
		return err;
	}
	err = fm_set_dscp(sock, family, cfg->dscp);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot set the DSCP");
		goto err;
	}
	/*
	 * The device first: the source address of a VRF's interface is
	 * local in the VRF's table only, where bind looks once bound.
	 */
	if (cfg->ifindex) {
		err = sock_bindtoindex(sock->sk, cfg->ifindex, true);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "cannot bind to the device");
			goto err;
		}
	}
	if (src.sa.sa_family != AF_UNSPEC) {
		err = kernel_bind(sock, &src.sa, fm_sockaddr_len(&src));
		if (err == -EADDRNOTAVAIL)
			NL_SET_ERR_MSG_MOD(extack, "source address is not local");
		else if (err == -EADDRINUSE)
			NL_SET_ERR_MSG_MOD(extack, "source port is in use");
		else if (err)
			NL_SET_ERR_MSG_MOD(extack, "cannot bind to the source");
		if (err)
			goto err;
	}
	fm_set_sndbuf(sock->sk);
	t->sock = sock;
	t->peer = cfg->addr;
	/* No route yet is no refusal: fm_transport_send() tries again. */
	fm_transport_connect(t);
	return 0;

err:
	sock_release(sock);
	return err;
}

void fm_transport_close(struct fm_transport *t)
{
	sock_release(t->sock);
	t->sock = NULL;
}

int fm_transport_send(struct fm_transport *t, const void *buf,
		      unsigned int len)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int ret;

	if (!t->connected) {
		ret = fm_transport_connect(t);
		if (ret)
			return ret;
	}
	if (t->stalled)
		msg.msg_flags |= MSG_DONTWAIT;
	ret = kernel_sendmsg(t->sock, &msg, &iov, 1, len);
	if (ret == -EAGAIN)
		t->stalled = true;
	else if (ret >= 0)
		t->stalled = false;
	return ret < 0 ? ret : 0;
}

/*
 * Reading the socket's pending error clears it, so that it is counted
 * once and does not fail the next send instead.
 */
int fm_transport_error(struct fm_transport *t)
{
	return sock_error(t->sock->sk);
}
