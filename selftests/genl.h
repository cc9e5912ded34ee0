/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small raw generic netlink client for the tcpark family, no libmnl:
 * build a request byte by byte (so tests can also build broken ones),
 * send it, collect the replies up to the ack, the error or NLMSG_DONE,
 * and keep the extended ack the kernel attached.
 */
#ifndef _TCPARK_SELFTEST_GENL_H
#define _TCPARK_SELFTEST_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/tcpark.h>

struct genl {
	int fd;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* the id of "tcpark" */
	uint32_t events;	/* the id of its "events" group */
	/* about the last genl_talk() */
	int batches;		/* recv() calls that returned messages */
	char ext_msg[128];	/* NLMSGERR_ATTR_MSG */
	int ext_miss;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int ext_offs;		/* NLMSGERR_ATTR_OFFS, or -1 */
};

struct genl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	};
};

/* Open a socket in the current netns and resolve the family: 0 or -errno. */
int genl_open(struct genl *g);
void genl_close(struct genl *g);
/* Receive timeout for every recv on @g (0: none). */
int genl_timeout(struct genl *g, int ms);

/* A tcpark request: @cmd, flags NLM_F_REQUEST | @flags. */
void msg_init(struct genl *g, struct genl_msg *m, uint8_t cmd, uint16_t flags);
void msg_put(struct genl_msg *m, uint16_t type, const void *data, size_t len);
void msg_put_u8(struct genl_msg *m, uint16_t type, uint8_t v);
void msg_put_u16(struct genl_msg *m, uint16_t type, uint16_t v);
void msg_put_u32(struct genl_msg *m, uint16_t type, uint32_t v);
void msg_put_u64(struct genl_msg *m, uint16_t type, uint64_t v);

typedef int (*genl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Send @len bytes at @req (whose nlmsg_seq identifies the replies) and
 * read until the request is answered: @cb for each data message (a
 * non-zero return stops and is returned), then 0 for an ack or a complete
 * dump, -errno for an error. -ETIMEDOUT if nothing answers in time.
 */
int genl_talk_raw(struct genl *g, const void *req, size_t len, genl_cb cb, void *data);
int genl_talk(struct genl *g, struct genl_msg *m, genl_cb cb, void *data);

/*
 * The attributes of a tcpark message into tb[0..TCPARK_A_MAX] (later
 * types are skipped). -1 if the message or an attribute is malformed, or
 * an attribute's length is not the one uapi/linux/tcpark.h gives its type.
 */
int genl_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb);
/* The payload size uapi gives @type: 0 for 4 or 16 bytes, -1 for padding. */
int genl_attr_size(int type);
uint64_t attr_u64(const struct nlattr *a);
uint32_t attr_u32(const struct nlattr *a);
uint16_t attr_u16(const struct nlattr *a);
const void *attr_data(const struct nlattr *a);
int attr_len(const struct nlattr *a);

/* STATS into tb (the message is kept in @buf). */
int genl_stats(struct genl *g, const struct nlattr **tb, struct genl_msg *buf);

#endif

/* One socket message (GET reply, dump entry or EVENT), decoded. */
struct nl_sock {
	uint8_t cmd;
	uint64_t cookie;
	uint32_t state, tcp_state, mode, uid, idle_ms, ka_interval_ms, ka_probes;
	uint32_t flags, idle_age_ms, event;
	uint16_t family, lport, rport;
	int lalen, ralen;
	uint8_t laddr[16], raddr[16];
	uint64_t parks, wakes, ka_answered, ka_sent;
	int missing;		/* socket attributes uapi lists that were absent */
};

struct nl_socks {
	struct nl_sock *v;
	size_t n, cap;
	int malformed;		/* messages genl_attrs() refused */
	int intr;		/* messages flagged NLM_F_DUMP_INTR */
};

/* -1 if malformed; s->missing counts absent socket attributes. */
int nl_sock_parse(const struct nlmsghdr *nlh, struct nl_sock *s);
/* Send @req (a GET, usually NLM_F_DUMP) and append every reply to @out. */
int genl_collect(struct genl *g, struct genl_msg *req, struct nl_socks *out);
void nl_socks_free(struct nl_socks *s);
/* A genl_cb appending to the struct nl_socks at @data. */
int genl_collect_cb(const struct nlmsghdr *nlh, void *data);
/* GET doit by cookie: 0 and exactly one reply in @out, or -errno. */
int genl_get_cookie(struct genl *g, uint64_t cookie, struct nl_sock *out);
/* PARK/WAKE/KILL by cookie: -errno, or 0 with the reply's counts. */
int genl_act_cookie(struct genl *g, uint8_t cmd, uint64_t cookie,
		    uint32_t *matched, uint32_t *done);
/* The same for a request built by the caller (a filter). */
int genl_act_msg(struct genl *g, struct genl_msg *m, uint32_t *matched, uint32_t *done);
