// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink socket: family lookup, one request at a time, and
 * errors printed with the kernel's extended ack message when it sent one.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "flowctl_nl.h"
#include "uapi_flowmeter.h"

/* One request's callback, its data, and the error message, if any. */
struct fc_nl_run {
	mnl_cb_t cb;
	void *data;
	const char *msg;	/* NLMSGERR_ATTR_MSG, in the receive buffer */
};

static int fc_nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fc_nl_run *r = data;

	return r->cb ? r->cb(nlh, r->data) : MNL_CB_OK;
}

static int fc_nl_extack_cb(const struct nlattr *a, void *data)
{
	struct fc_nl_run *r = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		r->msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* NLMSG_ERROR: 0 is the ack that ends a request, anything else fails it. */
static int fc_nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_parse(nlh, off, fc_nl_extack_cb, data);
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* A dump's NLMSG_DONE carries its status too (and extack after it). */
static int fc_nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	int status = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(status))
		memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
	if (!status)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(status), fc_nl_extack_cb, data);
	errno = -status;
	return MNL_CB_ERROR;
}

static mnl_cb_t fc_nl_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = fc_nl_error_cb,
	[NLMSG_DONE] = fc_nl_done_cb,
};

struct nlmsghdr *fc_nl_req(struct fc_nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

/*
 * Send req and feed every reply to cb (if any) until the ack or the end
 * of the dump. On failure returns -1 with errno set and *msg the kernel's
 * message, if it sent one.
 */
static int fc_nl_talk(struct fc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		      void *data, const char **msg)
{
	static char buf[FC_NL_RECV_SIZE];
	struct fc_nl_run r = { .cb = cb, .data = data };
	int ret;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -1;
	do {
		ret = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret < 0)
			break;
		ret = mnl_cb_run2(buf, ret, req->nlmsg_seq, nl->portid,
				  fc_nl_data_cb, &r, fc_nl_ctl_cb,
				  NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	*msg = r.msg;
	return ret < 0 ? -1 : 0;
}

int fc_nl_run(struct fc_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	const char *msg;

	if (!fc_nl_talk(nl, req, cb, data, &msg))
		return 0;
	/* The genetlink core refuses unprivileged callers with no extack. */
	if (errno == EPERM && !(msg && *msg))
		fc_err("permission denied: needs CAP_NET_ADMIN in this network namespace (%s)",
		       strerror(errno));
	else if (msg && *msg)
		fc_err("%s (%s)", msg, strerror(errno));
	else
		fc_err("%s", strerror(errno));
	return -1;
}

static int fc_nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };
	struct fc_nl *nl = data;

	fc_nl_msg_attrs(nlh, tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID] &&
	    !mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16))
		nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	return MNL_CB_OK;
}

/* Open the socket, ask for extended acks, look the family up. */
int fc_nl_open(struct fc_nl *nl)
{
	struct nlmsghdr *nlh;
	const char *msg;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fc_err("netlink: %s", strerror(errno));
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Kernels without extended acks just send errors without a message. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->family = GENL_ID_CTRL;
	nlh = fc_nl_req(nl, CTRL_CMD_GETFAMILY, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, FM_GENL_NAME);
	nl->family = 0;
	if (fc_nl_talk(nl, nlh, fc_nl_family_cb, nl, &msg) || !nl->family) {
		if (errno == ENOENT)
			fc_err("the flowmeter module is not loaded (no generic netlink family \"%s\")",
			       FM_GENL_NAME);
		else
			fc_err("netlink: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void fc_nl_close(struct fc_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
}

struct fc_nl_attrs {
	const struct nlattr **tb;
	unsigned int max;
};

static int fc_nl_attr_cb(const struct nlattr *a, void *data)
{
	struct fc_nl_attrs *t = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

void fc_nl_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb,
		     unsigned int max)
{
	struct fc_nl_attrs t = { tb, max };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), fc_nl_attr_cb, &t);
}

void fc_nl_nest_attrs(const struct nlattr *nest, const struct nlattr **tb,
		      unsigned int max)
{
	struct fc_nl_attrs t = { tb, max };

	mnl_attr_parse_nested(nest, fc_nl_attr_cb, &t);
}

/* An unsigned integer attribute of any width the kernel chose. */
uint64_t fc_nl_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	}
	return 0;
}
