// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "genl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define RX_SIZE (1 << 17)
static char rx[RX_SIZE] __attribute__((aligned(8)));
static int rx_timeout_ms = 5000;

#define NLA_DATA(a)	((void *)((char *)(a) + NLA_HDRLEN))

int genl_timeout(struct genl *g, int ms)
{
	(void)g;
	rx_timeout_ms = ms;
	return 0;
}

static int recv_one(struct genl *g)
{
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	ssize_t n;

	if (rx_timeout_ms > 0) {
		n = poll(&p, 1, rx_timeout_ms);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
	}
	n = recv(g->fd, rx, sizeof(rx), MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (n > (ssize_t)sizeof(rx))
		return -EMSGSIZE;
	return n;
}

void msg_init(struct genl *g, struct genl_msg *m, uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *gh;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = g->family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	m->nlh.nlmsg_seq = ++g->seq;
	gh = NLMSG_DATA(&m->nlh);
	gh->cmd = cmd;
	gh->version = TCPARK_GENL_VERSION;
}

void msg_put(struct genl_msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_ALIGN(m->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(NLA_DATA(a), data, len);
	memset((char *)NLA_DATA(a) + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = NLMSG_ALIGN(m->nlh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

void msg_put_u8(struct genl_msg *m, uint16_t type, uint8_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_u16(struct genl_msg *m, uint16_t type, uint16_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_u32(struct genl_msg *m, uint16_t type, uint32_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

void msg_put_u64(struct genl_msg *m, uint16_t type, uint64_t v)
{
	msg_put(m, type, &v, sizeof(v));
}

static void parse_ext_ack(struct genl *g, const struct nlmsghdr *nlh,
			  size_t off)
{
	const struct nlattr *a;
	size_t len = nlh->nlmsg_len;

	for (off = NLMSG_ALIGN(off); off + NLA_HDRLEN <= len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)nlh + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > len)
			return;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(g->ext_msg, sizeof(g->ext_msg), "%.*s",
				 (int)(a->nla_len - NLA_HDRLEN), (const char *)NLA_DATA(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (a->nla_len == NLA_HDRLEN + 4)
				g->ext_offs = *(const uint32_t *)NLA_DATA(a);
			break;
#ifdef NLMSGERR_ATTR_MISS_TYPE
		case NLMSGERR_ATTR_MISS_TYPE:
			if (a->nla_len == NLA_HDRLEN + 4)
				g->ext_miss = *(const uint32_t *)NLA_DATA(a);
			break;
#endif
		}
	}
}

int genl_talk_raw(struct genl *g, const void *req, size_t len, genl_cb cb, void *data)
{
	const struct nlmsghdr *r = req;
	uint32_t seq = len >= sizeof(*r) ? r->nlmsg_seq : 0;
	int n, ret;

	g->batches = 0;
	g->ext_msg[0] = '\0';
	g->ext_miss = g->ext_offs = -1;
	if (send(g->fd, req, len, 0) != (ssize_t)len)
		return -errno;
	for (;;) {
		const struct nlmsghdr *nlh;

		n = recv_one(g);
		if (n < 0)
			return n;
		g->batches++;
		for (nlh = (const struct nlmsghdr *)rx; NLMSG_OK(nlh, (unsigned int)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;	/* an event, or a stale answer */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				size_t off = NLMSG_HDRLEN + sizeof(*e);

				if (nlh->nlmsg_len < off)
					return -EBADMSG;
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
					if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
						off += e->msg.nlmsg_len - NLMSG_HDRLEN;
					parse_ext_ack(g, nlh, off);
				}
				return e->error;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
				if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
					parse_ext_ack(g, nlh, NLMSG_HDRLEN + sizeof(int));
				return err;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP)
				continue;
			if (cb) {
				ret = cb(nlh, data);
				if (ret)
					return ret;
			}
		}
		if (n)
			return -EBADMSG;	/* a message ran past the datagram */
	}
}

int genl_talk(struct genl *g, struct genl_msg *m, genl_cb cb, void *data)
{
	return genl_talk_raw(g, m, m->nlh.nlmsg_len, cb, data);
}

/* ---- family lookup ---- */

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct genl *g = data;
	const struct nlattr *a, *grp, *ga;
	int len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (a = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	     len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len), a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			g->family = *(const uint16_t *)NLA_DATA(a);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		for (grp = NLA_DATA(a); (const char *)grp < (const char *)a + a->nla_len;
		     grp = (const void *)((const char *)grp + NLA_ALIGN(grp->nla_len))) {
			const char *name = NULL;
			uint32_t id = 0;

			if (grp->nla_len < NLA_HDRLEN)
				break;
			for (ga = NLA_DATA(grp); (const char *)ga < (const char *)grp + grp->nla_len;
			     ga = (const void *)((const char *)ga + NLA_ALIGN(ga->nla_len))) {
				if (ga->nla_len < NLA_HDRLEN)
					break;
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = NLA_DATA(ga);
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					id = *(const uint32_t *)NLA_DATA(ga);
			}
			if (name && !strcmp(name, TCPARK_GENL_MCGRP_EVENTS))
				g->events = id;
		}
	}
	return 0;
}

int genl_open(struct genl *g)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	struct genl_msg m;
	int one = 1, ret;

	memset(g, 0, sizeof(*g));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (g->fd < 0)
		return -errno;
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(g->fd, (struct sockaddr *)&sa, &salen)) {
		ret = -errno;
		close(g->fd);
		return ret;
	}
	g->portid = sa.nl_pid;
	setsockopt(g->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	g->family = GENL_ID_CTRL;
	msg_init(g, &m, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	((struct genlmsghdr *)NLMSG_DATA(&m.nlh))->version = 1;
	msg_put(&m, CTRL_ATTR_FAMILY_NAME, TCPARK_GENL_NAME, sizeof(TCPARK_GENL_NAME));
	g->family = 0;
	ret = genl_talk(g, &m, family_cb, g);
	if (!ret && !g->family)
		ret = -ENOENT;
	if (ret) {
		close(g->fd);
		g->fd = -1;
	}
	return ret;
}

void genl_close(struct genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

/* ---- attributes ---- */

/* The payload length uapi/linux/tcpark.h gives each type (0: 4 or 16). */
int genl_attr_size(int type)
{
	switch (type) {
	case TCPARK_A_COOKIE:
	case TCPARK_A_PARKS ... TCPARK_A_KA_SENT:
	case TCPARK_A_STAT_SOCKETS ... TCPARK_A_STAT_INELIGIBLE:
	case TCPARK_A_STAT_REFUSED_STATE ... TCPARK_A_STAT_REFUSED_LIMIT:
	case TCPARK_A_STAT_REACTIVATED ... TCPARK_A_STAT_WAKE_EXPIRED:
	case TCPARK_A_STAT_PROBES_SENT ... TCPARK_A_STAT_DEFERRING:
	case TCPARK_A_STAT_PRESSURE_PARKS:
		return 8;
	case TCPARK_A_MSS:
	case TCPARK_A_FAMILY:
	case TCPARK_A_LOCAL_PORT:
	case TCPARK_A_REMOTE_PORT:
		return 2;
	case TCPARK_A_LOCAL_PREFIX:
	case TCPARK_A_REMOTE_PREFIX:
	case TCPARK_A_SND_WSCALE:
	case TCPARK_A_RCV_WSCALE:
		return 1;
	case TCPARK_A_LOCAL_ADDR:
	case TCPARK_A_REMOTE_ADDR:
		return 0;
	case TCPARK_A_PAD:
		return -1;
	default:
		return 4;
	}
}

int genl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	const struct nlattr *a;
	int len, size, type, i;

	for (i = 0; i <= TCPARK_A_MAX; i++)
		tb[i] = NULL;
	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return -1;
	len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	a = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	while (len > 0) {
		if (len < NLA_HDRLEN || a->nla_len < NLA_HDRLEN || a->nla_len > len)
			return -1;
		type = a->nla_type & NLA_TYPE_MASK;
		size = genl_attr_size(type);
		if (type > TCPARK_A_MAX || size < 0) {
			/* newer than this header, or padding */
		} else if (size ? attr_len(a) != size :
			   attr_len(a) != 4 && attr_len(a) != 16) {
			return -1;
		} else if (tb[type]) {
			return -1;	/* twice */
		} else {
			tb[type] = a;
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return 0;
}

const void *attr_data(const struct nlattr *a)
{
	return NLA_DATA(a);
}

int attr_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint64_t attr_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

uint32_t attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

uint16_t attr_u16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, NLA_DATA(a), sizeof(v));
	return v;
}

static int copy_cb(const struct nlmsghdr *nlh, void *data)
{
	struct genl_msg *buf = data;

	if (nlh->nlmsg_len > sizeof(buf->buf))
		return -EMSGSIZE;
	memcpy(buf->buf, nlh, nlh->nlmsg_len);
	return 0;
}

int genl_stats(struct genl *g, const struct nlattr **tb, struct genl_msg *buf)
{
	struct genl_msg m;
	int ret;

	memset(buf, 0, sizeof(*buf));
	msg_init(g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	ret = genl_talk(g, &m, copy_cb, buf);
	if (ret)
		return ret;
	if (!buf->nlh.nlmsg_len || genl_attrs(&buf->nlh, tb))
		return -EBADMSG;
	return 0;
}

/* ---- socket messages ---- */

int nl_sock_parse(const struct nlmsghdr *nlh, struct nl_sock *s)
{
	static const int want[] = {
		TCPARK_A_COOKIE, TCPARK_A_STATE, TCPARK_A_TCP_STATE, TCPARK_A_MODE,
		TCPARK_A_FAMILY, TCPARK_A_LOCAL_ADDR, TCPARK_A_LOCAL_PORT,
		TCPARK_A_REMOTE_ADDR, TCPARK_A_REMOTE_PORT, TCPARK_A_UID,
		TCPARK_A_IDLE_MS, TCPARK_A_KA_INTERVAL_MS, TCPARK_A_KA_PROBES,
		TCPARK_A_FLAGS, TCPARK_A_IDLE_AGE_MS, TCPARK_A_PARKS, TCPARK_A_WAKES,
		TCPARK_A_KA_ANSWERED, TCPARK_A_KA_SENT,
	};
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	size_t i;

	memset(s, 0, sizeof(*s));
	if (genl_attrs(nlh, tb))
		return -1;
	s->cmd = ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		s->missing += !tb[want[i]];
#define U(field, attr, get) if (tb[attr]) s->field = get(tb[attr])
	U(cookie, TCPARK_A_COOKIE, attr_u64);
	U(state, TCPARK_A_STATE, attr_u32);
	U(tcp_state, TCPARK_A_TCP_STATE, attr_u32);
	U(mode, TCPARK_A_MODE, attr_u32);
	U(uid, TCPARK_A_UID, attr_u32);
	U(idle_ms, TCPARK_A_IDLE_MS, attr_u32);
	U(ka_interval_ms, TCPARK_A_KA_INTERVAL_MS, attr_u32);
	U(ka_probes, TCPARK_A_KA_PROBES, attr_u32);
	U(flags, TCPARK_A_FLAGS, attr_u32);
	U(idle_age_ms, TCPARK_A_IDLE_AGE_MS, attr_u32);
	U(event, TCPARK_A_EVENT, attr_u32);
	U(family, TCPARK_A_FAMILY, attr_u16);
	U(lport, TCPARK_A_LOCAL_PORT, attr_u16);
	U(rport, TCPARK_A_REMOTE_PORT, attr_u16);
	U(parks, TCPARK_A_PARKS, attr_u64);
	U(wakes, TCPARK_A_WAKES, attr_u64);
	U(ka_answered, TCPARK_A_KA_ANSWERED, attr_u64);
	U(ka_sent, TCPARK_A_KA_SENT, attr_u64);
#undef U
	if (tb[TCPARK_A_LOCAL_ADDR]) {
		s->lalen = attr_len(tb[TCPARK_A_LOCAL_ADDR]);
		memcpy(s->laddr, attr_data(tb[TCPARK_A_LOCAL_ADDR]), s->lalen);
	}
	if (tb[TCPARK_A_REMOTE_ADDR]) {
		s->ralen = attr_len(tb[TCPARK_A_REMOTE_ADDR]);
		memcpy(s->raddr, attr_data(tb[TCPARK_A_REMOTE_ADDR]), s->ralen);
	}
	return 0;
}

int genl_collect_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_socks *out = data;

	out->intr += !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
	if (out->n == out->cap) {
		struct nl_sock *v;

		out->cap = out->cap ? out->cap * 2 : 256;
		v = realloc(out->v, out->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		out->v = v;
	}
	if (nl_sock_parse(nlh, &out->v[out->n]))
		out->malformed++;
	else
		out->n++;
	return 0;
}

int genl_collect(struct genl *g, struct genl_msg *req, struct nl_socks *out)
{
	return genl_talk(g, req, genl_collect_cb, out);
}

void nl_socks_free(struct nl_socks *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int genl_get_cookie(struct genl *g, uint64_t cookie, struct nl_sock *out)
{
	struct nl_socks got = { 0 };
	struct genl_msg m;
	int ret;

	msg_init(g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	msg_put_u64(&m, TCPARK_A_COOKIE, cookie);
	ret = genl_collect(g, &m, &got);
	if (!ret && (got.n != 1 || got.malformed))
		ret = -EBADMSG;
	if (!ret)
		*out = got.v[0];
	nl_socks_free(&got);
	return ret;
}

struct counts {
	uint32_t matched, done;
	int n;
};

static int counts_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct counts *c = data;

	if (genl_attrs(nlh, tb) || !tb[TCPARK_A_MATCHED] || !tb[TCPARK_A_DONE])
		return -EBADMSG;
	c->matched = attr_u32(tb[TCPARK_A_MATCHED]);
	c->done = attr_u32(tb[TCPARK_A_DONE]);
	c->n++;
	return 0;
}

int genl_act_cookie(struct genl *g, uint8_t cmd, uint64_t cookie,
		    uint32_t *matched, uint32_t *done)
{
	struct genl_msg m;

	msg_init(g, &m, cmd, NLM_F_ACK);
	msg_put_u64(&m, TCPARK_A_COOKIE, cookie);
	return genl_act_msg(g, &m, matched, done);
}

int genl_act_msg(struct genl *g, struct genl_msg *m, uint32_t *matched, uint32_t *done)
{
	struct counts c = { 0 };
	int ret;

	ret = genl_talk(g, m, counts_cb, &c);
	if (ret)
		return ret;
	if (c.n != 1)
		return -EBADMSG;
	if (matched)
		*matched = c.matched;
	if (done)
		*done = c.done;
	return 0;
}
