// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_nl: random requests to the "tcpark" generic netlink family, as
 * root and then as nobody, in a netns of its own (unshare) on loopback.
 *
 * fuzz_nl [-v]     (FUZZ_SEED, FUZZ_SCALE: see fuzz.h)
 *
 * Every request asks for an ack (NLM_F_ACK) and carries a random command
 * (the six real ones, UNSPEC, EVENT, unknown numbers), random NLM_F_*
 * flags (dumps included), a random genl version, and 0..6 attributes of
 * random type, flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER), length and
 * nesting, with values taken from the edges of every range uapi gives
 * and the cookies of the netns's own sockets; a few have a truncated genl
 * header or a broken last attribute. Checked for each one:
 *  - the kernel answers (ack, error, or reply/dump then DONE) within 5 s;
 *  - the error is one the family can give (EINVAL, ERANGE, EOPNOTSUPP,
 *    ENOENT, EPERM, EBUSY, EALREADY, ENOTCONN);
 *  - every reply message parses with the sizes uapi gives its attributes,
 *    and none that nobody gets carries a sequence number or a window
 *    (SND_NXT, RCV_NXT, SND_WND, RCV_WND: CAP_NET_ADMIN only);
 *  - as nobody (a child that drops to uid/gid 65534 and opens its own
 *    socket), PARK, WAKE, KILL and SET never succeed nor draw a reply,
 *    and get EPERM whenever genetlink's own header checks let them
 *    through to its permission check (must_eperm()).
 * Afterwards (root in the parent): the sysctls are what they were before
 * nobody's turn, no park or kill was counted, the two records root parked
 * (IPv4 and IPv6) are still PARKED under their cookies, and each still
 * answers: the client's next data comes out of accept() (reactivation).
 * Root's own turn may change anything in the netns: the sysctls are put
 * back before nobody's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "fuzz.h"
#include "genl.h"

#define NOBODY		65534
#define REQ_MAX		2048

static int verbose;
/*
 * Half the requests are tame: known attribute types of the right size,
 * no attribute flags, clean NLM_F_* bits, so that they reach the
 * handlers (filters, SET values, cookies) rather than the policy.
 */
static bool tame;
static bool as_nobody;
static uint64_t cookies[16];
static int ncookies;

/*
 * Every net.tcpark.* sysctl, read from /proc/sys/net/tcpark: a list
 * written here missed max_parked_per_uid, which root's SET could lower
 * below the two records parked for nobody's turn.
 */
#define NSYSCTL		32
static char sysctls[NSYSCTL][256];
static size_t nsysctl;

struct tally {
	unsigned int sent, ok, replies, malformed, err[140];
	unsigned int fail, eperm, leaks;
};

/* ---- building a request -------------------------------------------- */

/* A u32 from the edges of the ranges in uapi and the sysctl table. */
static uint32_t edge_u32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 99, 100, 101, 255, 256, 999, 1000, 30000, 60000,
		3600000, 3600001, 86400000, 86400001, 604800000, 604800001,
		1048576, 1u << 20, (1u << 20) + 1, 1u << 30, (1u << 30) + 1,
		0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
	};

	if (fz_pct(25))
		return fz_u32();
	return v[fz_below(ARRAY_SIZE(v))];
}

static void fill_value(uint8_t *p, int type, int len)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	fz_bytes(p, len);
	if (len == 8) {
		v64 = ncookies && fz_pct(60) ? cookies[fz_below(ncookies)] :
		      fz_pct(20) ? 0 : fz_u64();
		memcpy(p, &v64, 8);
	} else if (len == 4 && type != TCPARK_A_LOCAL_ADDR &&
		   type != TCPARK_A_REMOTE_ADDR) {
		v32 = edge_u32();
		memcpy(p, &v32, 4);
	} else if (len == 4 || len == 16) {
		/* loopback, any, v4-mapped loopback, or noise */
		static const uint8_t lo6[16] = { [15] = 1 };
		static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
		static const uint8_t lo4[4] = { 127, 0, 0, 1 };

		switch (fz_below(4)) {
		case 0:
			memcpy(p, len == 4 ? lo4 : lo6, len);
			break;
		case 1:
			memset(p, 0, len);
			break;
		case 2:
			if (len == 16)
				memcpy(p, mapped, 16);
			break;
		}
	} else if (len == 2) {
		v16 = type == TCPARK_A_FAMILY && fz_pct(70) ?
		      (fz_pct(50) ? AF_INET : AF_INET6) : fz_u32();
		memcpy(p, &v16, 2);
	} else if (len == 1) {
		p[0] = fz_pct(70) ? fz_below(140) : fz_u32();
	}
}

static size_t put_attrs(uint8_t *buf, size_t room, int depth);

/* One attribute at @buf; its aligned length, 0 if it does not fit. */
static size_t put_attr(uint8_t *buf, size_t room, int depth)
{
	struct nlattr *a = (struct nlattr *)buf;
	int type, size, len;

	if (room < NLA_HDRLEN + 64)
		return 0;
	switch (tame ? 9 : fz_below(10)) {
	case 0:
		type = fz_below(1 << 14);
		break;
	case 1:
		type = TCPARK_A_MAX + 1 + fz_below(5);
		break;
	case 2:
		type = 0;
		break;
	default:
		type = 1 + fz_below(TCPARK_A_MAX);
	}
	a->nla_type = type;
	if (!tame && depth < 3 && fz_pct(10)) {
		a->nla_type |= NLA_F_NESTED;
		len = put_attrs(buf + NLA_HDRLEN, room - NLA_HDRLEN, depth + 1);
		a->nla_len = NLA_HDRLEN + len;
		return NLA_ALIGN(a->nla_len);
	}
	if (!tame && fz_pct(5))
		a->nla_type |= NLA_F_NET_BYTEORDER;
	size = type ? genl_attr_size(type) : -1;
	if (size == 0)
		size = fz_pct(50) ? 4 : 16;
	switch (tame ? 0 : fz_below(20)) {
	case 0 ... 11:
		len = size > 0 ? size : 0;
		break;
	case 12 ... 17:
		len = fz_below(21);
		break;
	default:
		len = fz_below(300);
	}
	if ((size_t)len + NLA_HDRLEN > room)
		len = room - NLA_HDRLEN;
	a->nla_len = NLA_HDRLEN + len;
	fill_value(buf + NLA_HDRLEN, type, len);
	memset(buf + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	return NLA_ALIGN(a->nla_len);
}

static size_t put_attrs(uint8_t *buf, size_t room, int depth)
{
	int n = fz_below(depth ? 4 : 7), i;
	size_t off = 0, len = 0;

	for (i = 0; i < n; i++) {
		len = put_attr(buf + off, room - off, depth);
		if (!len)
			break;
		off += len;
	}
	/* A broken last attribute: a length below the header, or past the end. */
	if (!tame && !depth && off && len && fz_pct(3)) {
		struct nlattr *last = (struct nlattr *)(buf + off - len);

		last->nla_len = fz_pct(50) ? fz_below(NLA_HDRLEN) : len + 4 + fz_below(64);
	}
	return off;
}

struct req {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[REQ_MAX];
	};
	bool full_hdr;		/* the genl header is all there */
	uint8_t cmd;
};

static void build_req(struct genl *g, struct req *r)
{
	struct genlmsghdr *gh;
	size_t len;

	memset(r, 0, sizeof(*r));
	tame = fz_pct(50);
	r->nlh.nlmsg_type = fz_pct(3) ? GENL_MIN_ID + fz_below(0x10000 - GENL_MIN_ID) :
				       g->family;
	r->nlh.nlmsg_flags = NLM_F_ACK;
	if (fz_pct(95))
		r->nlh.nlmsg_flags |= NLM_F_REQUEST;
	if (fz_pct(30))
		r->nlh.nlmsg_flags |= NLM_F_DUMP;
	if (!tame && fz_pct(20))
		r->nlh.nlmsg_flags |= fz_u32() & 0xfff0;
	r->nlh.nlmsg_seq = ++g->seq;
	gh = NLMSG_DATA(&r->nlh);
	r->cmd = fz_pct(90) ? fz_below(TCPARK_CMD_MAX + 2) : fz_u32();
	gh->cmd = r->cmd;
	gh->version = fz_pct(90) ? TCPARK_GENL_VERSION : fz_u32();
	if (!tame && fz_pct(5))
		gh->reserved = fz_u32();
	if (!tame && fz_pct(3)) {
		r->nlh.nlmsg_len = NLMSG_HDRLEN + fz_below(GENL_HDRLEN);
		r->full_hdr = false;
		return;
	}
	len = NLMSG_LENGTH(GENL_HDRLEN);
	len += put_attrs(r->buf + len, sizeof(r->buf) - len, 0);
	r->nlh.nlmsg_len = len;
	r->full_hdr = true;
}

/* ---- talking -------------------------------------------------------- */

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct tally *t = data;

	t->replies++;
	if (genl_attrs(nlh, tb)) {
		t->malformed++;
		printf("# reply type %u len %u does not parse\n",
		       nlh->nlmsg_type, nlh->nlmsg_len);
		return 0;
	}
	/* Sequence numbers and windows are for CAP_NET_ADMIN (TCP_REPAIR's rule). */
	if (as_nobody && (tb[TCPARK_A_SND_NXT] || tb[TCPARK_A_RCV_NXT] ||
			  tb[TCPARK_A_SND_WND] || tb[TCPARK_A_RCV_WND]))
		t->leaks++;
	return 0;
}

static bool errno_expected(int err)
{
	switch (err) {
	case 0:
	case EINVAL:
	case ERANGE:
	case EOPNOTSUPP:
	case ENOENT:
	case EPERM:
	case EBUSY:
	case EALREADY:
	case ENOTCONN:
		return true;
	}
	return false;
}

static void dump_req(const char *why, const struct req *r, int ret)
{
	unsigned int i;

	printf("# %s: answer %d (%s) to cmd %u flags %#x len %u:\n#  ", why, ret,
	       ret < 0 ? strerror(-ret) : "-", r->cmd, r->nlh.nlmsg_flags,
	       r->nlh.nlmsg_len);
	for (i = 0; i < r->nlh.nlmsg_len && i < 256; i++)
		printf("%02x%s", r->buf[i], i % 32 == 31 ? "\n#  " : " ");
	printf("\n");
}

static bool privileged(uint8_t cmd)
{
	return cmd == TCPARK_CMD_PARK || cmd == TCPARK_CMD_WAKE ||
	       cmd == TCPARK_CMD_KILL || cmd == TCPARK_CMD_SET;
}

/*
 * A privileged command that genetlink hands to its permission check:
 * genl_family_rcv_msg() first refuses a short header, a reserved field or
 * NLM_F_* bits other than REQUEST, ACK, ECHO and DUMP (EINVAL,
 * genl_header_check()) and, on 6.12, a dump of a command that has none
 * (EOPNOTSUPP). Past those, nobody must get EPERM.
 */
static bool must_eperm(const struct genl *g, const struct req *r)
{
	const struct genlmsghdr *gh = NLMSG_DATA(&r->nlh);
	uint16_t flags = r->nlh.nlmsg_flags;

	if (!privileged(r->cmd) || r->nlh.nlmsg_type != g->family ||
	    !(flags & NLM_F_REQUEST) || !r->full_hdr || gh->reserved)
		return false;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		return false;
	return !(flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO));
}

/* @n random requests; failures counted in @t. */
static void fuzz(struct genl *g, unsigned int n, bool nobody, struct tally *t)
{
	struct req r;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		unsigned int malformed = t->malformed, replies = t->replies;

		build_req(g, &r);
		t->sent++;
		ret = genl_talk_raw(g, r.buf, r.nlh.nlmsg_len, reply_cb, t);
		if (ret == -ETIMEDOUT) {
			dump_req("no answer within 5 s", &r, ret);
			t->fail++;
			continue;
		}
		if (ret > 0 || !errno_expected(-ret)) {
			dump_req("unexpected answer", &r, ret);
			t->fail++;
			continue;
		}
		if (t->malformed != malformed) {
			dump_req("malformed reply", &r, ret);
			t->fail++;
		}
		t->err[-ret < 140 ? -ret : 0]++;
		if (!ret)
			t->ok++;
		if (nobody && privileged(r.cmd) && r.nlh.nlmsg_type == g->family &&
		    (r.nlh.nlmsg_flags & NLM_F_REQUEST) &&
		    (!ret || t->replies != replies)) {
			dump_req("nobody's privileged command not refused", &r, ret);
			t->fail++;
		} else if (nobody && must_eperm(g, &r)) {
			t->eperm++;
			if (ret != -EPERM) {
				dump_req("nobody not refused with EPERM", &r, ret);
				t->fail++;
			}
		}
		if (verbose)
			dump_req("sent", &r, ret);
	}
}

static void report(const char *who, const struct tally *t)
{
	int e;

	printf("# %s: %u requests, %u answered 0, %u reply messages, errors:",
	       who, t->sent, t->ok, t->replies);
	for (e = 1; e < 140; e++)
		if (t->err[e])
			printf(" %s %u", strerrorname_np(e) ?: "?", t->err[e]);
	printf("; %u failed checks", t->fail);
	if (t->eperm)
		printf("; %u privileged requests refused with EPERM", t->eperm);
	printf("\n");
}

/* ---- the netns's sockets -------------------------------------------- */

struct parked {
	int family, lfd, cli;
	uint64_t cookie;
};

static int transient_listener(int family, struct endpoint *ep)
{
	__u32 mode = TCPARK_MODE_TRANSIENT, idle = 0;
	int fd;

	if (endpoint_init(ep, -1, family, family == AF_INET ? "127.0.0.1" : "::1"))
		return -1;
	fd = listen_on(ep, 16);
	if (fd < 0 || ulp_set(fd, TCPARK_ULP_NAME) ||
	    setsockopt(fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
	    setsockopt(fd, SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle)))
		return -1;
	return fd;
}

static bool quiet(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return !getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) && !ti.tcpi_unacked;
}

/* A connection through a transient listener, closed by the server: parked. */
static int park_one(int family, struct parked *p)
{
	struct endpoint ep;
	char buf[64] = "hello";
	int srv, i;

	p->lfd = transient_listener(family, &ep);
	if (p->lfd < 0)
		return -1;
	p->cli = connect_to(-1, family, &ep);
	srv = p->cli < 0 ? -1 : accept(p->lfd, NULL, NULL);
	if (srv < 0)
		return -1;
	p->cookie = so_cookie(srv);
	p->family = family;
	if (write(p->cli, buf, 5) != 5 || recv(srv, buf, 5, MSG_WAITALL) != 5 ||
	    write(srv, buf, 7) != 7 || recv(p->cli, buf, 7, MSG_WAITALL) != 7)
		return -1;
	for (i = 0; i < 300 && !(quiet(srv) && quiet(p->cli)); i++)
		sleep_ms(10);
	close(srv);
	return 0;
}

static int state_of(struct genl *g, uint64_t cookie)
{
	struct nl_sock s;
	int i, ret = -1;

	/* The park completes shortly after close(). */
	for (i = 0; i < 100; i++) {
		ret = genl_get_cookie(g, cookie, &s);
		if (!ret && s.state == TCPARK_STATE_PARKED)
			return s.state;
		sleep_ms(20);
	}
	return ret ? ret : (int)s.state;
}

/* The record wakes: the client's data comes out of accept() on the listener. */
static bool answers(struct parked *p)
{
	struct pollfd pfd = { .fd = p->lfd, .events = POLLIN };
	char buf[8];
	int fd;

	if (write(p->cli, "wake", 4) != 4 || poll(&pfd, 1, 5000) != 1)
		return false;
	fd = accept(p->lfd, NULL, NULL);
	if (fd < 0)
		return false;
	pfd.fd = fd;
	if (poll(&pfd, 1, 5000) != 1 || recv(fd, buf, 4, MSG_WAITALL) != 4 ||
	    memcmp(buf, "wake", 4)) {
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int sysctl_list(void)
{
	DIR *d = opendir("/proc/sys/net/tcpark");
	struct dirent *de;

	if (!d)
		return -1;
	while ((de = readdir(d)) && nsysctl < NSYSCTL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sysctls[nsysctl++], sizeof(sysctls[0]), "%s", de->d_name);
	}
	closedir(d);
	return nsysctl ? 0 : -1;
}

static void sysctl_snap(uint32_t *v)
{
	size_t i;

	for (i = 0; i < nsysctl; i++)
		if (sysctl_get(-1, sysctls[i], &v[i]))
			v[i] = ~0u;
}

static int sysctl_restore(const uint32_t *v)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nsysctl; i++)
		ret |= sysctl_set_u32(-1, sysctls[i], v[i]);
	return ret;
}

static uint64_t stat64(struct genl *g, int attr)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	static struct genl_msg buf;

	if (genl_stats(g, tb, &buf) || !tb[attr])
		return ~0ull;
	return attr_u64(tb[attr]);
}

/* Sockets for root's turn to aim at: a listener, a pair, a record. */
static void root_targets(void)
{
	struct sock_rec sr;
	struct endpoint ep;
	struct parked p;
	int lfd, cli, srv;

	if (!park_one(AF_INET6, &p))
		cookies[ncookies++] = p.cookie;
	lfd = transient_listener(AF_INET, &ep);
	if (lfd < 0)
		return;
	cookies[ncookies++] = so_cookie(lfd);
	cli = connect_to(-1, AF_INET, &ep);
	srv = cli < 0 ? -1 : accept(lfd, NULL, NULL);
	if (srv >= 0 && !sock_rec_fill(srv, &sr))
		cookies[ncookies++] = sr.cookie;
}

/* Nobody's turn, in a child: its exit status is the number of failures. */
static int nobody_turn(unsigned int iters)
{
	struct tally t = { 0 };
	struct genl g;
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
			printf("# cannot become nobody: %s\n", strerror(errno));
			_exit(100);
		}
		/* The socket's opener is what netlink_ns_capable() checks. */
		if (genl_open(&g)) {
			printf("# nobody: family not found\n");
			_exit(100);
		}
		fz_u64();	/* not the parent's next numbers */
		as_nobody = true;
		fuzz(&g, iters, true, &t);
		if (t.leaks) {
			printf("# nobody got sequence numbers or windows of root's records in %u replies\n",
			       t.leaks);
			t.fail++;
		}
		report("nobody", &t);
		fflush(stdout);
		_exit(t.fail > 99 ? 99 : t.fail);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	unsigned int iters = fuzz_iters(5000);
	uint32_t before[NSYSCTL], after[NSYSCTL];
	uint64_t kills, parks, stat_parked;
	struct parked rec[2];
	struct tally t = { 0 };
	struct genl g;
	int fails = 0, i, ret;
	size_t k;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	setvbuf(stdout, NULL, _IOLBF, 0);
	fuzz_seed("fuzz_nl");
	if (unshare(CLONE_NEWNET) || lo_up()) {
		printf("# unshare/lo: %s\n", strerror(errno));
		return 1;
	}
	if (genl_open(&g)) {
		printf("# family " TCPARK_GENL_NAME " not found\n");
		return 1;
	}
	if (sysctl_list()) {
		printf("# no sysctls under /proc/sys/net/tcpark\n");
		return 1;
	}
	sysctl_snap(before);

	root_targets();
	fuzz(&g, iters, false, &t);
	report("root", &t);
	fails += t.fail;

	/* Root may have changed anything: defaults back, fresh records. */
	if (sysctl_restore(before)) {
		printf("# cannot restore the sysctls: %s\n", strerror(errno));
		return 1;
	}
	if (park_one(AF_INET, &rec[0]) || park_one(AF_INET6, &rec[1])) {
		printf("# cannot park: %s\n", strerror(errno));
		return 1;
	}
	ncookies = 0;
	for (i = 0; i < 2; i++) {
		ret = state_of(&g, rec[i].cookie);
		if (ret != TCPARK_STATE_PARKED) {
			printf("# record %d not parked before nobody's turn (%d)\n", i, ret);
			return 1;
		}
		cookies[ncookies++] = rec[i].cookie;
	}
	kills = stat64(&g, TCPARK_A_STAT_KILLS);
	parks = stat64(&g, TCPARK_A_STAT_PARKS);
	stat_parked = stat64(&g, TCPARK_A_STAT_PARKED);

	ret = nobody_turn(iters);
	if (ret) {
		printf("# nobody's turn: %d failed checks\n", ret);
		fails++;
	}

	sysctl_snap(after);
	for (k = 0; k < nsysctl; k++) {
		if (after[k] != before[k]) {
			printf("# net.tcpark.%s changed under nobody: %u -> %u\n",
			       sysctls[k], before[k], after[k]);
			fails++;
		}
	}
	if (stat64(&g, TCPARK_A_STAT_KILLS) != kills ||
	    stat64(&g, TCPARK_A_STAT_PARKS) != parks ||
	    stat64(&g, TCPARK_A_STAT_PARKED) != stat_parked) {
		printf("# counters moved under nobody (kills, parks or parked)\n");
		fails++;
	}
	for (i = 0; i < 2; i++) {
		const char *fam = rec[i].family == AF_INET ? "IPv4" : "IPv6";

		ret = state_of(&g, rec[i].cookie);
		if (ret != TCPARK_STATE_PARKED) {
			printf("# %s record %llu no longer parked (%d)\n", fam,
			       (unsigned long long)rec[i].cookie, ret);
			fails++;
		} else if (!answers(&rec[i])) {
			printf("# %s record %llu does not wake\n", fam,
			       (unsigned long long)rec[i].cookie);
			fails++;
		} else {
			printf("# %s record %llu still parked, woke on data\n", fam,
			       (unsigned long long)rec[i].cookie);
		}
	}
	genl_close(&g);
	printf("# fuzz_nl: %s\n", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}
