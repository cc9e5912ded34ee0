// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink over libmnl: the family "tcpark" resolved through
 * nlctrl (CTRL_CMD_GETFAMILY), requests answered by an ack, dumps that
 * run over many messages and reads until NLMSG_DONE, the "events"
 * multicast group, and the kernel's extended ack (message, offending
 * attribute) kept for the caller to report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "tcparkctl.h"

/*
 * A dump message is at most 32 KiB (netlink_dump() caps its skb there),
 * so a 64 KiB buffer never truncates one.
 */
#define RX_SIZE		65536
#define EVENTS_RCVBUF	(1 << 20)

/* JSON keys double as the attribute names in error messages. */
static const char *const attr_names[TCPARK_A_MAX + 1] = {
	[TCPARK_A_COOKIE]		= "cookie",
	[TCPARK_A_STATE]		= "state",
	[TCPARK_A_TCP_STATE]		= "tcp_state",
	[TCPARK_A_MODE]			= "mode",
	[TCPARK_A_FAMILY]		= "family",
	[TCPARK_A_LOCAL_ADDR]		= "local_addr",
	[TCPARK_A_LOCAL_PORT]		= "local_port",
	[TCPARK_A_REMOTE_ADDR]		= "remote_addr",
	[TCPARK_A_REMOTE_PORT]		= "remote_port",
	[TCPARK_A_LOCAL_PREFIX]		= "local_prefix",
	[TCPARK_A_REMOTE_PREFIX]	= "remote_prefix",
	[TCPARK_A_UID]			= "uid",
	[TCPARK_A_IDLE_MS]		= "idle_ms",
	[TCPARK_A_KA_INTERVAL_MS]	= "ka_interval_ms",
	[TCPARK_A_KA_PROBES]		= "ka_probes",
	[TCPARK_A_FLAGS]		= "flags",
	[TCPARK_A_IDLE_AGE_MS]		= "idle_age_ms",
	[TCPARK_A_PARKS]		= "parks",
	[TCPARK_A_WAKES]		= "wakes",
	[TCPARK_A_KA_ANSWERED]		= "ka_answered",
	[TCPARK_A_KA_SENT]		= "ka_sent",
	[TCPARK_A_MAX_PARKED]		= "max_parked",
	[TCPARK_A_MAX_PARKED_MEM_MB]	= "max_parked_mem_mb",
	[TCPARK_A_STAT_SOCKETS]		= "sockets",
	[TCPARK_A_STAT_PARKED]		= "parked",
	[TCPARK_A_STAT_PARKED_BYTES]	= "parked_bytes",
	[TCPARK_A_STAT_PARKS]		= "parks",
	[TCPARK_A_STAT_WAKES]		= "wakes",
	[TCPARK_A_STAT_KA_ANSWERED]	= "ka_answered",
	[TCPARK_A_STAT_CHALLENGE_ACKS]	= "challenge_acks",
	[TCPARK_A_STAT_DROPS]		= "drops",
	[TCPARK_A_STAT_KILLS]		= "kills",
	[TCPARK_A_STAT_INELIGIBLE]	= "ineligible",
	[TCPARK_A_MATCHED]		= "matched",
	[TCPARK_A_DONE]			= "done",
	[TCPARK_A_EVENT]		= "event",
	[TCPARK_A_SND_NXT]		= "snd_nxt",
	[TCPARK_A_RCV_NXT]		= "rcv_nxt",
	[TCPARK_A_SND_WND]		= "snd_wnd",
	[TCPARK_A_RCV_WND]		= "rcv_wnd",
	[TCPARK_A_MSS]			= "mss",
	[TCPARK_A_SND_WSCALE]		= "snd_wscale",
	[TCPARK_A_RCV_WSCALE]		= "rcv_wscale",
	[TCPARK_A_TCP_OPTIONS]		= "options",
	[TCPARK_A_STAT_REFUSED_STATE]	= "refused_state",
	[TCPARK_A_STAT_REFUSED_UNACKED]	= "refused_unacked",
	[TCPARK_A_STAT_REFUSED_UNREAD]	= "refused_unread",
	[TCPARK_A_STAT_REFUSED_AUTH]	= "refused_auth",
	[TCPARK_A_STAT_REFUSED_PINNED]	= "refused_pinned",
	[TCPARK_A_STAT_REFUSED_LIMIT]	= "refused_limit",
	[TCPARK_A_STAT_REACTIVATED]	= "reactivated",
	[TCPARK_A_STAT_REMAPPED]	= "remapped",
	[TCPARK_A_STAT_WAKE_NO_LISTENER] = "wake_no_listener",
	[TCPARK_A_STAT_WAKE_BACKLOG]	= "wake_backlog",
	[TCPARK_A_STAT_WAKE_EXPIRED]	= "wake_expired",
	[TCPARK_A_WAKE_TIMEOUT_MS]	= "wake_timeout_ms",
	[TCPARK_A_MAX_PARKED_PER_UID]	= "max_parked_per_uid",
	[TCPARK_A_PEER_TIMEOUT_MS]	= "peer_timeout_ms",
	[TCPARK_A_REASON]		= "reason",
	[TCPARK_A_PROBES_OUT]		= "probes_out",
	[TCPARK_A_PEER_SILENT_MS]	= "peer_silent_ms",
	[TCPARK_A_STAT_PROBES_SENT]	= "probes_sent",
	[TCPARK_A_STAT_EXPIRED_PROBES]	= "expired_probes",
	[TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT] = "expired_peer_timeout",
	[TCPARK_A_STAT_PEER_RESETS]	= "peer_resets",
	[TCPARK_A_STAT_EXPIRED_ICMP]	= "expired_icmp",
	[TCPARK_A_STAT_ICMP_SOFT]	= "icmp_soft",
	[TCPARK_A_STAT_ICMP_IGNORED]	= "icmp_ignored",
	[TCPARK_A_STAT_DEFERRED]	= "deferred",
	[TCPARK_A_STAT_DEFERRED_PARKED]	= "deferred_parked",
	[TCPARK_A_STAT_DEFERRED_CLOSED]	= "deferred_closed",
	[TCPARK_A_STAT_DEFERRING]	= "deferring",
	[TCPARK_A_ACTIVE_HIGH]		= "active_high",
	[TCPARK_A_ACTIVE_LOW]		= "active_low",
	[TCPARK_A_STAT_PRESSURE_PARKS]	= "pressure_parks",
};

const char *tp_attr_name(unsigned int type)
{
	if (type <= TCPARK_A_MAX && attr_names[type])
		return attr_names[type];
	return "unknown";
}

/* Integers are read by their length, so a u64 sent as 4 bytes still reads. */
uint64_t tp_attr_uint(const struct nlattr *a)
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

int tp_nl_enter_netns(const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd;

	/* A bare name is ip-netns(8)'s; a path (/proc/PID/ns/net) is taken as is. */
	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "network namespace \"%s\": %s: %s",
			 name, path, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		snprintf(err, errlen, "cannot enter network namespace \"%s\": %s",
			 name, errno == EPERM ?
			 "permission denied (needs CAP_SYS_ADMIN)" : strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static struct nlmsghdr *nl_put_header(struct tp_nl *nl, uint16_t type,
				      uint8_t cmd, uint8_t version,
				      uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->tx);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *tp_nl_request(struct tp_nl *nl, uint8_t cmd, bool dump)
{
	return nl_put_header(nl, nl->family_id, cmd, TCPARK_GENL_VERSION,
			     dump ? NLM_F_DUMP : NLM_F_ACK);
}

/* ---- extended ack ---- */

static int ext_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= NLMSGERR_ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* The type of the request's attribute at byte offset @off, or -1. */
static int attr_at_offset(const struct nlmsghdr *req, uint32_t off)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		uint32_t start = (const char *)a - (const char *)req;

		if (off >= start && off < start + a->nla_len)
			return mnl_attr_get_type(a);
	}
	return -1;
}

static void parse_ext_ack(struct tp_nl *nl, const struct nlmsghdr *req,
			  const void *tlv, size_t len)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { NULL };
	const struct nlattr *msg;

	if (mnl_attr_parse_payload(tlv, len, ext_attr_cb, tb) < 0)
		return;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg && mnl_attr_validate(msg, MNL_TYPE_NUL_STRING) == 0) {
		size_t n;

		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
			 mnl_attr_get_str(msg));
		n = strlen(nl->ext_msg);
		while (n && nl->ext_msg[n - 1] == '\n')
			nl->ext_msg[--n] = '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_OFFS], MNL_TYPE_U32) == 0)
		nl->ext_attr = attr_at_offset(req,
				mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]));
#ifdef NLMSGERR_ATTR_MISS_TYPE
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    mnl_attr_validate(tb[NLMSGERR_ATTR_MISS_TYPE], MNL_TYPE_U32) == 0) {
		nl->ext_attr = mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		nl->ext_missing = true;
	}
#endif
}

/* NLMSG_ERROR: 0 for an ack, else the negative errno. */
static int handle_error(struct tp_nl *nl, const struct nlmsghdr *req,
			const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);

	if (len < sizeof(*e))
		return -EBADMSG;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*e);

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		off = NLMSG_ALIGN(off);
		if (off < len)
			parse_ext_ack(nl, req, (const char *)e + off, len - off);
	}
	if (e->error == 0 && nl->ext_msg[0])
		fprintf(stderr, PROG ": warning: %s\n", nl->ext_msg);
	return e->error > 0 ? -e->error : e->error;
}

/* NLMSG_DONE: a dump's end, with the dump's error if it failed. */
static int handle_done(struct tp_nl *nl, const struct nlmsghdr *req,
		       const struct nlmsghdr *nlh)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	int err;

	if (len < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    NLMSG_ALIGN(sizeof(int)) < len)
		parse_ext_ack(nl, req,
			      (const char *)mnl_nlmsg_get_payload(nlh) +
			      NLMSG_ALIGN(sizeof(int)),
			      len - NLMSG_ALIGN(sizeof(int)));
	return err > 0 ? -err : err;
}

/* ---- request and reply ---- */

typedef int (*raw_cb)(const struct nlmsghdr *nlh, void *data);

static int talk_raw(struct tp_nl *nl, const struct nlmsghdr *req,
		    raw_cb cb, void *data)
{
	bool dump = req->nlmsg_flags & NLM_F_DUMP;

	nl->ext_msg[0] = '\0';
	nl->ext_attr = -1;
	nl->ext_missing = false;
	nl->dump_intr = false;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len, ret;

		n = mnl_socket_recvfrom(nl->sock, nl->rx, nl->rxlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			/* Anything not answering this request (an event) is skipped. */
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				return handle_error(nl, req, nlh);
			case NLMSG_DONE:
				if (!dump)
					continue;
				ret = handle_done(nl, req, nlh);
				if (nl->dump_intr)
					fprintf(stderr, PROG ": warning: the list changed while it was read; it may be inconsistent\n");
				return ret;
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			}
			ret = cb(nlh, data);
			if (ret < 0)
				return ret;
		}
	}
}

static int attr_cb(const struct nlattr *a, void *data)
{
	static bool warned[TCPARK_A_MAX + 1];
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	bool ok;

	/* Attributes newer than this tool are left alone. */
	if (type > TCPARK_A_MAX || type == TCPARK_A_UNSPEC || type == TCPARK_A_PAD)
		return MNL_CB_OK;
	if (type == TCPARK_A_LOCAL_ADDR || type == TCPARK_A_REMOTE_ADDR)
		ok = len == 4 || len == 16;
	else
		ok = len == 1 || len == 2 || len == 4 || len == 8;
	if (!ok) {
		if (!warned[type])
			fprintf(stderr, PROG ": warning: ignoring attribute %s of %u bytes\n",
				tp_attr_name(type), len);
		warned[type] = true;
		return MNL_CB_OK;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

struct talk_ctx {
	tp_msg_cb	cb;
	void		*data;
	uint16_t	family_id;
};

static int parse_genl(const struct nlmsghdr *nlh, const struct nlattr **tb,
		      uint8_t *cmd)
{
	const struct genlmsghdr *genl;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return -EBADMSG;
	genl = mnl_nlmsg_get_payload(nlh);
	*cmd = genl->cmd;
	if (mnl_attr_parse(nlh, GENL_HDRLEN, attr_cb, tb) < 0)
		return -EBADMSG;
	return 0;
}

static int talk_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1] = { NULL };
	struct talk_ctx *ctx = data;
	uint8_t cmd;
	int ret;

	if (nlh->nlmsg_type != ctx->family_id)
		return 0;
	ret = parse_genl(nlh, tb, &cmd);
	if (ret < 0)
		return ret;
	return ctx->cb(cmd, tb, ctx->data);
}

int tp_nl_talk(struct tp_nl *nl, struct nlmsghdr *req, tp_msg_cb cb,
	       void *data)
{
	struct talk_ctx ctx = {
		.cb = cb, .data = data, .family_id = nl->family_id,
	};

	return talk_raw(nl, req, talk_cb, &ctx);
}

/* ---- family resolution ---- */

static int ctrl_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= CTRL_ATTR_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int mcgrp_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= CTRL_ATTR_MCAST_GRP_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { NULL };
	struct tp_nl *nl = data;
	const struct nlattr *grp;

	if (mnl_attr_parse(nlh, GENL_HDRLEN, ctrl_attr_cb, tb) < 0)
		return -EBADMSG;
	if (!tb[CTRL_ATTR_FAMILY_ID] ||
	    mnl_attr_validate(tb[CTRL_ATTR_FAMILY_ID], MNL_TYPE_U16) < 0)
		return -EBADMSG;
	nl->family_id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION] &&
	    mnl_attr_validate(tb[CTRL_ATTR_VERSION], MNL_TYPE_U32) == 0)
		nl->family_version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return 0;
	mnl_attr_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };

		if (mnl_attr_parse_nested(grp, mcgrp_attr_cb, g) < 0)
			continue;
		if (!g[CTRL_ATTR_MCAST_GRP_NAME] || !g[CTRL_ATTR_MCAST_GRP_ID] ||
		    mnl_attr_validate(g[CTRL_ATTR_MCAST_GRP_NAME], MNL_TYPE_NUL_STRING) ||
		    mnl_attr_validate(g[CTRL_ATTR_MCAST_GRP_ID], MNL_TYPE_U32))
			continue;
		if (!strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]),
			    TCPARK_GENL_MCGRP_EVENTS))
			nl->events_group = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return 0;
}

int tp_nl_open(struct tp_nl *nl)
{
	struct nlmsghdr *req;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->rxlen = RX_SIZE;
	nl->txlen = MNL_SOCKET_BUFFER_SIZE;
	nl->rx = malloc(nl->rxlen);
	nl->tx = calloc(1, nl->txlen);
	if (!nl->rx || !nl->tx) {
		tp_nl_close(nl);
		return -ENOMEM;
	}
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		tp_nl_close(nl);
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Best effort: older kernels lack these and still work. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));

	req = nl_put_header(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, TCPARK_GENL_NAME);
	ret = talk_raw(nl, req, family_cb, nl);
	if (ret == 0 && !nl->family_id)
		ret = -EBADMSG;
	if (ret < 0)
		tp_nl_close(nl);
	return ret;
}

void tp_nl_close(struct tp_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rx);
	free(nl->tx);
	nl->sock = NULL;
	nl->rx = nl->tx = NULL;
}

/* ---- events ---- */

int tp_nl_subscribe_events(struct tp_nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock);
	int size = EVENTS_RCVBUF;

	if (!nl->events_group)
		return -ENOENT;
	/* Room for bursts (a mass park); FORCE works for root only. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
				  &nl->events_group, sizeof(nl->events_group)) < 0)
		return -errno;
	return 0;
}

int tp_nl_listen(struct tp_nl *nl, tp_msg_cb cb, void *data,
		 volatile sig_atomic_t *stop)
{
	while (!*stop) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len, ret;

		n = mnl_socket_recvfrom(nl->sock, nl->rx, nl->rxlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, PROG ": events lost: receive buffer overrun\n");
				continue;
			}
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rx; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlattr *tb[TCPARK_A_MAX + 1] = { NULL };
			uint8_t cmd;

			if (nlh->nlmsg_type != nl->family_id)
				continue;
			if (parse_genl(nlh, tb, &cmd) < 0)
				continue;
			ret = cb(cmd, tb, data);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}
