// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel side, for testing tcparkctl on a host that
 * cannot load the module: an LD_PRELOAD library that replaces libmnl's
 * socket calls and answers requests the way uapi/linux/tcpark.h says the
 * family "tcpark" does. Replies are cut into datagrams of at most
 * FAKE_DGRAM bytes, so a dump of a few hundred sockets takes many reads,
 * as a real dump of thousands does.
 *
 * Environment:
 *	FAKE_ABSENT=1		the family is not registered (ENOENT)
 *	FAKE_SOCKETS=N		sockets the GET dump knows (default 5)
 *	FAKE_RECORDS=N		parked transient records it knows (default
 *				0), listed after the sockets as the kernel
 *				does; cookies 5001..5000+N
 *	FAKE_ERRNO=E		answer PARK/WAKE/KILL/SET with -E (and an
 *				extended ack pointing at the first attribute)
 *	FAKE_MATCHED=N		what a filtered PARK/WAKE/KILL matches (3)
 *	FAKE_NOMATCH_ENOENT=1	PARK/WAKE/KILL match nothing: ENOENT
 *	FAKE_EVENTS=N		events sent to a monitor before SIGINT (3)
 *	FAKE_EVENT_RECORDS=1	those events carry records, not sockets
 *	FAKE_UNPRIV=1		the caller lacks CAP_NET_ADMIN: records come
 *				without SND_NXT, RCV_NXT, SND_WND, RCV_WND
 *				and joining the events group is EPERM
 *	FAKE_OLD_STATS=1	STATS as a module from before the wake
 *				counters and wake_timeout_ms answers it
 *				(implies FAKE_OLD_PROBES for STATS)
 *	FAKE_OLD_PROBES=1	a module from before the probe state:
 *				records without KA_*, PROBES_OUT and
 *				PEER_SILENT_MS, events without REASON,
 *				STATS without STAT_PROBES_SENT,
 *				STAT_EXPIRED_*, STAT_PEER_RESETS and
 *				PEER_TIMEOUT_MS
 *	FAKE_LOG=FILE		each request, decoded, appended to FILE
 *
 * Only the GET dump's state, mode and family filters are applied; tests
 * read FAKE_LOG to see that every filter became the right attribute.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netinet/tcp.h>	/* TCP_ESTABLISHED, TCP_LISTEN */
#include <linux/tcpark.h>

#define FAKE_FAMILY_ID	0x1d
#define FAKE_GROUP_ID	9
#define FAKE_PORTID	4242
#define FAKE_DGRAM	4096
#define QUEUE_LEN	4096

struct mnl_socket {
	int	fd;
};

struct dgram {
	size_t	len;
	char	buf[FAKE_DGRAM];
};

static struct dgram *queue;
static int q_head, q_tail;		/* q_tail: the datagram being filled */
static bool subscribed;
static int events_sent;

static long env_num(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static void emit(const struct nlmsghdr *nlh)
{
	if (!queue)
		queue = calloc(QUEUE_LEN, sizeof(*queue));
	if (queue[q_tail].len + nlh->nlmsg_len > FAKE_DGRAM)
		q_tail++;
	if (q_tail >= QUEUE_LEN)
		abort();
	memcpy(queue[q_tail].buf + queue[q_tail].len, nlh, nlh->nlmsg_len);
	queue[q_tail].len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* Replies to a request end a datagram, as the kernel's do. */
static void flush_dgram(void)
{
	if (queue && queue[q_tail].len)
		q_tail++;
}

static struct nlmsghdr *reply(char *buf, const struct nlmsghdr *req,
			      uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = FAKE_FAMILY_ID;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	nlh->nlmsg_pid = req ? FAKE_PORTID : 0;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TCPARK_GENL_VERSION;
	return nlh;
}

static void ack(const struct nlmsghdr *req, int err, const char *msg,
		uint32_t offs)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (offs)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	emit(nlh);
	flush_dgram();
}

static void done(const struct nlmsghdr *req)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *err;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	*err = 0;
	emit(nlh);
	flush_dgram();
}

/* ---- the family ---- */

static void put_u64(struct nlmsghdr *nlh, int type, uint64_t v)
{
	/* As nla_put_u64_64bit() does on x86: a PAD first when misaligned. */
	if ((nlh->nlmsg_len + 4) % 8)
		mnl_attr_put(nlh, TCPARK_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void put_socket(struct nlmsghdr *nlh, int i)
{
	bool v6 = i % 4 == 0, listener = i == 1;
	uint8_t laddr[16] = { 0 }, raddr[16] = { 0 };

	if (v6) {
		inet_pton(AF_INET6, "2001:db8::1", laddr);
		inet_pton(AF_INET6, "2001:db8::", raddr);
		raddr[14] = i >> 8;
		raddr[15] = i;
	} else {
		inet_pton(AF_INET, "10.0.0.1", laddr);
		raddr[0] = 10;
		raddr[1] = 1;
		raddr[2] = i >> 8;
		raddr[3] = i;
	}
	if (listener)
		memset(raddr, 0, sizeof(raddr));
	put_u64(nlh, TCPARK_A_COOKIE, 1000 + i);
	mnl_attr_put_u32(nlh, TCPARK_A_STATE, i % 3 == 0 ? TCPARK_STATE_PARKED :
						       TCPARK_STATE_ACTIVE);
	mnl_attr_put_u32(nlh, TCPARK_A_TCP_STATE, listener ? TCP_LISTEN : TCP_ESTABLISHED);
	mnl_attr_put_u32(nlh, TCPARK_A_MODE, i % 2 ? TCPARK_MODE_PERSISTENT :
						     TCPARK_MODE_TRANSIENT);
	mnl_attr_put_u16(nlh, TCPARK_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	mnl_attr_put(nlh, TCPARK_A_LOCAL_ADDR, v6 ? 16 : 4, laddr);
	mnl_attr_put_u16(nlh, TCPARK_A_LOCAL_PORT, 443);
	mnl_attr_put(nlh, TCPARK_A_REMOTE_ADDR, v6 ? 16 : 4, raddr);
	mnl_attr_put_u16(nlh, TCPARK_A_REMOTE_PORT, listener ? 0 : 40000 + i);
	mnl_attr_put_u32(nlh, TCPARK_A_UID, 1000);
	mnl_attr_put_u32(nlh, TCPARK_A_IDLE_MS, i == 2 ? 0 : 30000);
	mnl_attr_put_u32(nlh, TCPARK_A_KA_INTERVAL_MS, i == 2 ? 0 : 25000);
	mnl_attr_put_u32(nlh, TCPARK_A_KA_PROBES, 5);
	mnl_attr_put_u32(nlh, TCPARK_A_FLAGS, i % 5 == 0 ?
			 TCPARK_F_PINNED | TCPARK_F_REMAPPED : 0);
	mnl_attr_put_u32(nlh, TCPARK_A_IDLE_AGE_MS, i * 1370);
	put_u64(nlh, TCPARK_A_PARKS, i);
	put_u64(nlh, TCPARK_A_WAKES, i / 2);
	put_u64(nlh, TCPARK_A_KA_ANSWERED, 3 * i);
	put_u64(nlh, TCPARK_A_KA_SENT, 2 * i);
	/* An attribute from a newer kernel: must be ignored. */
	mnl_attr_put_u32(nlh, TCPARK_A_MAX + 3, 7);
}

/*
 * A record's probe state, by i % 4: a probe due in 800 ms; no probes
 * (interval 0); all probes out, the end due in 500 ms; probes without
 * end (ka_probes 0), the next one overdue.
 */
static void put_probe_state(struct nlmsghdr *nlh, int i)
{
	static const struct {
		uint32_t interval, probes, out, silent;
	} ps[] = {
		{ 3000, 0, 2, 9800 },
		{ 1000, 3, 2, 2200 },
		{ 0, 0, 0, 5000 },
		{ 2000, 2, 2, 5500 },
	};

	if (env_num("FAKE_OLD_PROBES", 0))
		return;
	mnl_attr_put_u32(nlh, TCPARK_A_KA_INTERVAL_MS, ps[i % 4].interval);
	mnl_attr_put_u32(nlh, TCPARK_A_KA_PROBES, ps[i % 4].probes);
	mnl_attr_put_u32(nlh, TCPARK_A_PROBES_OUT, ps[i % 4].out);
	mnl_attr_put_u32(nlh, TCPARK_A_PEER_SILENT_MS, ps[i % 4].silent);
}

/*
 * A parked transient record, with what kmod/netlink.c tcpark_put_record()
 * sends: no IDLE_MS, FLAGS, PARKS, WAKES or KA_SENT, but the probe state
 * and the TCP state. Odd records are IPv4, even ones IPv6; the options
 * cycle through ts+sack+wscale, all four, sack alone (no window scaling:
 * shifts 0) and ts+wscale plus a bit newer than the tool.
 */
static void put_record(struct nlmsghdr *nlh, int i)
{
	static const uint32_t opts[] = {
		TCPARK_OPT_TIMESTAMPS | TCPARK_OPT_WSCALE | 0x20,
		TCPARK_OPT_TIMESTAMPS | TCPARK_OPT_SACK | TCPARK_OPT_WSCALE,
		TCPARK_OPT_TIMESTAMPS | TCPARK_OPT_SACK | TCPARK_OPT_WSCALE |
			TCPARK_OPT_USEC_TS,
		TCPARK_OPT_SACK,
	};
	bool v6 = i % 2 == 0, wscale = opts[i % 4] & TCPARK_OPT_WSCALE;
	uint8_t laddr[16] = { 0 }, raddr[16] = { 0 };

	if (v6) {
		inet_pton(AF_INET6, "2001:db8::1", laddr);
		inet_pton(AF_INET6, "2001:db8:2::", raddr);
		raddr[14] = i >> 8;
		raddr[15] = i;
	} else {
		inet_pton(AF_INET, "10.0.0.1", laddr);
		raddr[0] = 10;
		raddr[1] = 2;
		raddr[2] = i >> 8;
		raddr[3] = i;
	}
	put_u64(nlh, TCPARK_A_COOKIE, 5000 + i);
	mnl_attr_put_u32(nlh, TCPARK_A_STATE, TCPARK_STATE_PARKED);
	mnl_attr_put_u32(nlh, TCPARK_A_TCP_STATE, TCP_ESTABLISHED);
	mnl_attr_put_u32(nlh, TCPARK_A_MODE, TCPARK_MODE_TRANSIENT);
	mnl_attr_put_u16(nlh, TCPARK_A_FAMILY, v6 ? AF_INET6 : AF_INET);
	mnl_attr_put(nlh, TCPARK_A_LOCAL_ADDR, v6 ? 16 : 4, laddr);
	mnl_attr_put_u16(nlh, TCPARK_A_LOCAL_PORT, 443);
	mnl_attr_put(nlh, TCPARK_A_REMOTE_ADDR, v6 ? 16 : 4, raddr);
	mnl_attr_put_u16(nlh, TCPARK_A_REMOTE_PORT, 50000 + i);
	mnl_attr_put_u32(nlh, TCPARK_A_UID, 1000);
	mnl_attr_put_u32(nlh, TCPARK_A_IDLE_AGE_MS, i * 2500);
	put_u64(nlh, TCPARK_A_KA_ANSWERED, i);
	put_probe_state(nlh, i);
	/* Above 2^31, so a signed print would show. */
	if (!env_num("FAKE_UNPRIV", 0)) {
		mnl_attr_put_u32(nlh, TCPARK_A_SND_NXT, 0xdeadbeefU + i);
		mnl_attr_put_u32(nlh, TCPARK_A_RCV_NXT, 0x12345678U + i);
		mnl_attr_put_u32(nlh, TCPARK_A_SND_WND, 65535);
		mnl_attr_put_u32(nlh, TCPARK_A_RCV_WND, 64256);
	}
	mnl_attr_put_u16(nlh, TCPARK_A_MSS, v6 ? 1440 : 1460);
	mnl_attr_put_u8(nlh, TCPARK_A_SND_WSCALE, wscale ? 7 : 0);
	mnl_attr_put_u8(nlh, TCPARK_A_RCV_WSCALE, wscale ? 9 : 0);
	mnl_attr_put_u32(nlh, TCPARK_A_TCP_OPTIONS, opts[i % 4]);
	/* An attribute from a newer kernel: must be ignored. */
	mnl_attr_put_u32(nlh, TCPARK_A_MAX + 3, 7);
}

static const struct nlattr *find_attr(const struct nlmsghdr *req, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static uint64_t attr_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1: return mnl_attr_get_u8(a);
	case 2: return mnl_attr_get_u16(a);
	case 4: return mnl_attr_get_u32(a);
	default: return mnl_attr_get_u64(a);
	}
}

static void log_request(const struct nlmsghdr *req)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);
	const char *path = getenv("FAKE_LOG");
	const struct nlattr *a;
	FILE *f;

	if (!path || req->nlmsg_type != FAKE_FAMILY_ID)
		return;
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "cmd=%u%s", genl->cmd,
		req->nlmsg_flags & NLM_F_DUMP ? " dump" : "");
	mnl_attr_for_each(a, req, GENL_HDRLEN) {
		int type = mnl_attr_get_type(a);
		char buf[INET6_ADDRSTRLEN];

		if (type == TCPARK_A_LOCAL_ADDR || type == TCPARK_A_REMOTE_ADDR) {
			inet_ntop(mnl_attr_get_payload_len(a) == 16 ? AF_INET6 : AF_INET,
				  mnl_attr_get_payload(a), buf, sizeof(buf));
			fprintf(f, " %d=%s", type, buf);
		} else {
			fprintf(f, " %d=%llu/%u", type, (unsigned long long)attr_uint(a),
				mnl_attr_get_payload_len(a));
		}
	}
	fputc('\n', f);
	fclose(f);
}

static void do_getfamily(const struct nlmsghdr *req)
{
	const struct nlattr *name = find_attr(req, CTRL_ATTR_FAMILY_NAME);
	char buf[512];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct nlattr *grps, *grp;

	if (env_num("FAKE_ABSENT", 0) || !name ||
	    strcmp(mnl_attr_get_str(name), TCPARK_GENL_NAME)) {
		ack(req, -ENOENT, NULL, 0);
		return;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPARK_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY_ID);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, TCPARK_GENL_VERSION);
	grps = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, TCPARK_GENL_MCGRP_EVENTS);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, FAKE_GROUP_ID);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, grps);
	emit(nlh);
	ack(req, 0, NULL, 0);
}

static void do_get(const struct nlmsghdr *req)
{
	const struct nlattr *cookie = find_attr(req, TCPARK_A_COOKIE);
	const struct nlattr *state = find_attr(req, TCPARK_A_STATE);
	const struct nlattr *mode = find_attr(req, TCPARK_A_MODE);
	const struct nlattr *family = find_attr(req, TCPARK_A_FAMILY);
	int i, n = env_num("FAKE_SOCKETS", 5), nrec = env_num("FAKE_RECORDS", 0);
	char buf[1024];

	if (!(req->nlmsg_flags & NLM_F_DUMP)) {
		i = cookie ? (int)(attr_uint(cookie) - 1000) : 0;
		if (i >= 1 && i <= n) {
			put_socket(reply(buf, req, TCPARK_CMD_GET, 0), i);
		} else if (i > 4000 && i <= 4000 + nrec) {
			put_record(reply(buf, req, TCPARK_CMD_GET, 0), i - 4000);
		} else {
			ack(req, -ENOENT, NULL, 0);
			return;
		}
		emit((struct nlmsghdr *)buf);
		ack(req, 0, NULL, 0);
		return;
	}
	for (i = 1; i <= n; i++) {
		uint32_t st = i % 3 == 0 ? TCPARK_STATE_PARKED : TCPARK_STATE_ACTIVE;
		uint32_t md = i % 2 ? TCPARK_MODE_PERSISTENT : TCPARK_MODE_TRANSIENT;
		uint16_t fam = i % 4 == 0 ? AF_INET6 : AF_INET;

		if (state && attr_uint(state) != st)
			continue;
		if (mode && attr_uint(mode) != md)
			continue;
		if (family && attr_uint(family) != fam)
			continue;
		put_socket(reply(buf, req, TCPARK_CMD_GET, NLM_F_MULTI), i);
		emit((struct nlmsghdr *)buf);
	}
	for (i = 1; i <= nrec; i++) {
		uint16_t fam = i % 2 == 0 ? AF_INET6 : AF_INET;

		if (state && attr_uint(state) != TCPARK_STATE_PARKED)
			continue;
		if (mode && attr_uint(mode) != TCPARK_MODE_TRANSIENT)
			continue;
		if (family && attr_uint(family) != fam)
			continue;
		put_record(reply(buf, req, TCPARK_CMD_GET, NLM_F_MULTI), i);
		emit((struct nlmsghdr *)buf);
	}
	done(req);
}

static void do_stats(const struct nlmsghdr *req)
{
	char buf[1024];
	struct nlmsghdr *nlh = reply(buf, req, TCPARK_CMD_STATS, 0);

	put_u64(nlh, TCPARK_A_STAT_SOCKETS, 12);
	put_u64(nlh, TCPARK_A_STAT_PARKED, 10);
	put_u64(nlh, TCPARK_A_STAT_PARKED_BYTES, 1280);
	put_u64(nlh, TCPARK_A_STAT_PARKS, 31);
	put_u64(nlh, TCPARK_A_STAT_WAKES, 21);
	put_u64(nlh, TCPARK_A_STAT_KA_ANSWERED, 7);
	put_u64(nlh, TCPARK_A_STAT_CHALLENGE_ACKS, 1);
	put_u64(nlh, TCPARK_A_STAT_DROPS, 2);
	put_u64(nlh, TCPARK_A_STAT_KILLS, 3);
	put_u64(nlh, TCPARK_A_STAT_INELIGIBLE, 4);
	if (!env_num("FAKE_OLD_STATS", 0)) {
		put_u64(nlh, TCPARK_A_STAT_REACTIVATED, 5);
		put_u64(nlh, TCPARK_A_STAT_REMAPPED, 6);
		put_u64(nlh, TCPARK_A_STAT_WAKE_NO_LISTENER, 8);
		put_u64(nlh, TCPARK_A_STAT_WAKE_BACKLOG, 9);
		put_u64(nlh, TCPARK_A_STAT_WAKE_EXPIRED, 11);
	}
	mnl_attr_put_u32(nlh, TCPARK_A_IDLE_MS, 30000);
	mnl_attr_put_u32(nlh, TCPARK_A_MODE, TCPARK_MODE_TRANSIENT);
	mnl_attr_put_u32(nlh, TCPARK_A_KA_INTERVAL_MS, 0);
	mnl_attr_put_u32(nlh, TCPARK_A_KA_PROBES, 0);
	mnl_attr_put_u32(nlh, TCPARK_A_MAX_PARKED, 1000000);
	mnl_attr_put_u32(nlh, TCPARK_A_MAX_PARKED_MEM_MB, 256);
	if (!env_num("FAKE_OLD_STATS", 0))
		mnl_attr_put_u32(nlh, TCPARK_A_WAKE_TIMEOUT_MS, 45000);
	if (!env_num("FAKE_OLD_STATS", 0) && !env_num("FAKE_OLD_PROBES", 0)) {
		put_u64(nlh, TCPARK_A_STAT_PROBES_SENT, 40);
		put_u64(nlh, TCPARK_A_STAT_EXPIRED_PROBES, 13);
		put_u64(nlh, TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT, 14);
		put_u64(nlh, TCPARK_A_STAT_PEER_RESETS, 15);
		put_u64(nlh, TCPARK_A_STAT_EXPIRED_ICMP, 16);
		put_u64(nlh, TCPARK_A_STAT_ICMP_SOFT, 17);
		put_u64(nlh, TCPARK_A_STAT_ICMP_IGNORED, 18);
		mnl_attr_put_u32(nlh, TCPARK_A_PEER_TIMEOUT_MS, 600000);
	}
	if (!env_num("FAKE_OLD_STATS", 0) && !env_num("FAKE_OLD_DEFER", 0)) {
		put_u64(nlh, TCPARK_A_STAT_DEFERRED, 19);
		put_u64(nlh, TCPARK_A_STAT_DEFERRED_PARKED, 20);
		put_u64(nlh, TCPARK_A_STAT_DEFERRED_CLOSED, 21);
		put_u64(nlh, TCPARK_A_STAT_DEFERRING, 22);
		mnl_attr_put_u32(nlh, TCPARK_A_ACTIVE_HIGH, 5000);
		mnl_attr_put_u32(nlh, TCPARK_A_ACTIVE_LOW, 4000);
		put_u64(nlh, TCPARK_A_STAT_PRESSURE_PARKS, 23);
	}
	emit(nlh);
	ack(req, 0, NULL, 0);
}

/* PARK, WAKE, KILL, SET */
static void do_change(const struct nlmsghdr *req, uint8_t cmd)
{
	int err = env_num("FAKE_ERRNO", 0);
	char buf[256];
	struct nlmsghdr *nlh;

	if (err) {
		const struct nlattr *first = mnl_nlmsg_get_payload_offset(req, GENL_HDRLEN);
		uint32_t offs = (const char *)first - (const char *)req;

		ack(req, -err, err == EPERM ? NULL : "fake: refused", offs);
		return;
	}
	/* What kmod/netlink.c does when a filter matches nothing. */
	if (cmd != TCPARK_CMD_SET && env_num("FAKE_NOMATCH_ENOENT", 0)) {
		ack(req, -ENOENT, "no matching tcpark socket", 0);
		return;
	}
	if (cmd != TCPARK_CMD_SET) {
		uint32_t m = find_attr(req, TCPARK_A_COOKIE) ? 1 : env_num("FAKE_MATCHED", 3);

		nlh = reply(buf, req, cmd, 0);
		mnl_attr_put_u32(nlh, TCPARK_A_MATCHED, m);
		mnl_attr_put_u32(nlh, TCPARK_A_DONE, m ? m - !find_attr(req, TCPARK_A_COOKIE) : 0);
		emit(nlh);
	}
	ack(req, 0, NULL, 0);
}

static void handle(const struct nlmsghdr *req)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(req);

	log_request(req);
	if (req->nlmsg_type == GENL_ID_CTRL) {
		do_getfamily(req);
		return;
	}
	switch (genl->cmd) {
	case TCPARK_CMD_GET:
		do_get(req);
		break;
	case TCPARK_CMD_STATS:
		do_stats(req);
		break;
	case TCPARK_CMD_PARK:
	case TCPARK_CMD_WAKE:
	case TCPARK_CMD_KILL:
	case TCPARK_CMD_SET:
		do_change(req, genl->cmd);
		break;
	default:
		ack(req, -EOPNOTSUPP, "unknown command", 0);
	}
}

/*
 * The reason of the @n-th event, of type @type: an expired one's cycles
 * through the five an expiry has and one newer than the tool (42), a
 * killed one's is kill; other events have none.
 */
static void put_reason(struct nlmsghdr *nlh, uint32_t type, int n)
{
	static const uint32_t expired[] = {
		TCPARK_REASON_PROBES, TCPARK_REASON_PEER_RESET,
		TCPARK_REASON_PEER_TIMEOUT, TCPARK_REASON_WAKE_TIMEOUT,
		TCPARK_REASON_ICMP, 42,
	};

	if (env_num("FAKE_OLD_PROBES", 0))
		return;
	if (type == TCPARK_EVENT_EXPIRED)
		mnl_attr_put_u32(nlh, TCPARK_A_REASON, expired[n / 6 % 6]);
	else if (type == TCPARK_EVENT_KILLED)
		mnl_attr_put_u32(nlh, TCPARK_A_REASON, TCPARK_REASON_KILL);
}

static void make_event(int n)
{
	static const uint32_t types[] = {
		TCPARK_EVENT_PARKED, TCPARK_EVENT_WOKEN, TCPARK_EVENT_EXPIRED,
		TCPARK_EVENT_KILLED, TCPARK_EVENT_REMAPPED, TCPARK_EVENT_REACTIVATED,
	};
	char buf[1024];
	struct nlmsghdr *nlh = reply(buf, NULL, TCPARK_CMD_EVENT, 0);

	mnl_attr_put_u32(nlh, TCPARK_A_EVENT, types[n % 6]);
	put_reason(nlh, types[n % 6], n);
	if (env_num("FAKE_EVENT_RECORDS", 0))
		put_record(nlh, n + 1);
	else
		put_socket(nlh, n + 1);
	emit(nlh);
	flush_dgram();
}

/* ---- libmnl's socket calls, replaced ---- */

struct mnl_socket *mnl_socket_open(int bus)
{
	struct mnl_socket *s;

	if (bus != NETLINK_GENERIC) {
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return s;
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl;
	(void)groups;
	(void)pid;
	return 0;
}

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return FAKE_PORTID;
}

int mnl_socket_get_fd(const struct mnl_socket *nl)
{
	return nl->fd;
}

int mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf,
			  socklen_t len)
{
	(void)nl;
	(void)len;
	if (type == NETLINK_ADD_MEMBERSHIP) {
		if (*(unsigned int *)buf != FAKE_GROUP_ID) {
			errno = EINVAL;
			return -1;
		}
		if (env_num("FAKE_UNPRIV", 0)) {
			errno = EPERM;
			return -1;
		}
		subscribed = true;
	}
	return 0;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *req,
			  size_t len)
{
	(void)nl;
	handle(req);
	return len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
			    size_t size)
{
	struct dgram *d;

	(void)nl;
	if ((!queue || q_head == q_tail) && subscribed) {
		if (events_sent < env_num("FAKE_EVENTS", 3)) {
			make_event(events_sent++);
		} else {
			raise(SIGINT);
			errno = EINTR;
			return -1;
		}
	}
	if (!queue || q_head == q_tail) {
		errno = EAGAIN;
		return -1;
	}
	d = &queue[q_head++];
	if (d->len > size) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(buf, d->buf, d->len);
	return d->len;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	close(nl->fd);
	free(nl);
	return 0;
}
