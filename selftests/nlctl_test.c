// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcpark" generic netlink family, write side and access: who may do
 * what (an unprivileged process reads its own netns and is refused every
 * mutating command; a user namespace's root may change its own netns and
 * nothing else), netns isolation both ways, and what PARK, WAKE and KILL
 * do to real connections (KILL: RST to the peer, ECONNABORTED to the app,
 * a "killed" event).
 *
 * Each test runs in a netns of its own (unshare), on loopback.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "genl.h"

#define NOBODY 65534

FIXTURE(act) {
	struct genl g;
	struct endpoint ep;
	int lfd;
};

FIXTURE_SETUP(act)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, lo_up()) TH_LOG("lo up: %s", strerror(errno));
	ASSERT_EQ(0, genl_open(&self->g)) TH_LOG("family " TCPARK_GENL_NAME " not found");
	ASSERT_EQ(0, endpoint_init(&self->ep, -1, AF_INET, "127.0.0.1"));
	self->lfd = listen_on(&self->ep, 64);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, ulp_set(self->lfd, TCPARK_ULP_NAME));
}

FIXTURE_TEARDOWN(act)
{
	genl_close(&self->g);
}

/* A plain client and its child, which has the ULP from the listener. */
static int pair(struct __test_metadata *_metadata, FIXTURE_DATA(act) *self, int *cli)
{
	int child;

	*cli = connect_to(-1, AF_INET, &self->ep);
	ASSERT_LE(0, *cli) TH_LOG("connect: %s", strerror(errno));
	child = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, child) TH_LOG("accept: %s", strerror(errno));
	ASSERT_TRUE(ulp_is_tcpark(child));
	return child;
}

static uint64_t stat_of(struct __test_metadata *_metadata, struct genl *g, int attr)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct genl_msg buf;

	ASSERT_EQ(0, genl_stats(g, tb, &buf));
	ASSERT_NE(NULL, tb[attr]) TH_LOG("STATS lacks attribute %d", attr);
	return attr_len(tb[attr]) == 8 ? attr_u64(tb[attr]) : attr_u32(tb[attr]);
}

/* Every cookie a GET dump returns, sorted; -errno on failure. */
static int dump_cookies(struct genl *g, uint64_t *out, int max)
{
	struct nl_socks s = { 0 };
	struct genl_msg m;
	int ret, i, n;

	msg_init(g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	ret = genl_collect(g, &m, &s);
	if (!ret && (s.malformed || (int)s.n > max))
		ret = -EBADMSG;
	n = ret ? ret : (int)s.n;
	for (i = 0; !ret && i < n; i++)
		out[i] = s.v[i].cookie;
	nl_socks_free(&s);
	return n;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* @got (@n of them, any order) is exactly the set @want. */
static void expect_cookies(struct __test_metadata *_metadata, uint64_t *got, int n,
			   uint64_t *want, int nwant, const char *what)
{
	int i;

	ASSERT_EQ(nwant, n) TH_LOG("%s: %d sockets, want %d", what, n, nwant);
	qsort(got, n, sizeof(*got), cmp_u64);
	qsort(want, nwant, sizeof(*want), cmp_u64);
	for (i = 0; i < n; i++)
		EXPECT_EQ(want[i], got[i]) TH_LOG("%s: cookie #%d", what, i);
}

static int simple(struct genl *g, uint8_t cmd, int attr, uint32_t val)
{
	struct genl_msg m;

	msg_init(g, &m, cmd, NLM_F_ACK);
	if (attr == TCPARK_A_COOKIE)
		msg_put_u64(&m, attr, val);
	else if (attr == TCPARK_A_LOCAL_PORT)
		msg_put_u16(&m, attr, val);
	else if (attr)
		msg_put_u32(&m, attr, val);
	return genl_talk(g, &m, NULL, NULL);
}

/* ---- an unprivileged process ------------------------------------------ */

struct unpriv {
	int uid, caps_ok, open;
	int ndump;
	uint64_t dump[16];
	int get, get_uid, stats, stats_sockets;
	int park, wake, kill, kill_filter, kill_none, set, set_bad;
	/* in a user namespace of its own, with a netns of its own */
	int userns, u_open, u_set, u_idle, u_ndump, u_get, u_kill, u_set_other;
};

static bool no_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	return !d[0].effective && !d[1].effective && !d[0].permitted && !d[1].permitted;
}

/* The child: drop to nobody with no capabilities, then try everything. */
static void unpriv_child(struct unpriv *res, uint64_t x_cookie, uint16_t x_port)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct genl_msg buf, m;
	struct nl_sock s;
	struct genl g;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		_exit(2);
	res->uid = getuid();
	res->caps_ok = no_caps();
	res->open = genl_open(&g);
	if (res->open)
		_exit(3);

	res->ndump = dump_cookies(&g, res->dump, 16);
	res->get = genl_get_cookie(&g, x_cookie, &s);
	res->get_uid = s.uid;
	res->stats = genl_stats(&g, tb, &buf);
	if (!res->stats && tb[TCPARK_A_STAT_SOCKETS])
		res->stats_sockets = attr_u64(tb[TCPARK_A_STAT_SOCKETS]);

	res->park = simple(&g, TCPARK_CMD_PARK, TCPARK_A_COOKIE, x_cookie);
	res->wake = simple(&g, TCPARK_CMD_WAKE, TCPARK_A_COOKIE, x_cookie);
	res->kill = simple(&g, TCPARK_CMD_KILL, TCPARK_A_COOKIE, x_cookie);
	res->kill_filter = simple(&g, TCPARK_CMD_KILL, TCPARK_A_LOCAL_PORT, x_port);
	res->kill_none = simple(&g, TCPARK_CMD_KILL, 0, 0);
	res->set = simple(&g, TCPARK_CMD_SET, TCPARK_A_IDLE_MS, 5000);
	res->set_bad = simple(&g, TCPARK_CMD_SET, TCPARK_A_IDLE_MS, 1);
	genl_close(&g);

	/* Root of a user namespace owns the netns it makes, and only that. */
	res->userns = unshare(CLONE_NEWUSER | CLONE_NEWNET) ? -errno : 0;
	if (res->userns)
		_exit(0);
	res->u_open = genl_open(&g);
	if (res->u_open)
		_exit(0);
	res->u_set = simple(&g, TCPARK_CMD_SET, TCPARK_A_IDLE_MS, 7000);
	if (!genl_stats(&g, tb, &buf) && tb[TCPARK_A_IDLE_MS])
		res->u_idle = attr_u32(tb[TCPARK_A_IDLE_MS]);
	res->u_ndump = dump_cookies(&g, res->dump, 16);
	res->u_get = genl_get_cookie(&g, x_cookie, &s);
	res->u_kill = simple(&g, TCPARK_CMD_KILL, TCPARK_A_COOKIE, x_cookie);
	msg_init(&g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_MODE, 2);
	res->u_set_other = genl_talk(&g, &m, NULL, NULL);
	_exit(0);
}

TEST_F(act, unprivileged_and_netns)
{
	uint64_t xc[8], yc[8], got[16];
	int nx = 0, ny = 0, cli[4], child[4], xns, i, status, ylfd, ycli, ychild;
	uint32_t idle_before, matched, done;
	struct endpoint yep;
	struct unpriv *res;
	struct genl_msg m;
	struct genl gy;
	pid_t pid;

	/* netns X (the test's): the listener, two pairs, a ULP client. */
	xc[nx++] = so_cookie(self->lfd);
	for (i = 0; i < 2; i++) {
		child[i] = pair(_metadata, self, &cli[i]);
		xc[nx++] = so_cookie(child[i]);
	}
	cli[2] = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, ulp_set(cli[2], TCPARK_ULP_NAME));
	ASSERT_EQ(0, connect(cli[2], (struct sockaddr *)&self->ep.addr, self->ep.addrlen));
	xc[nx++] = so_cookie(cli[2]);
	child[2] = accept(self->lfd, NULL, NULL);
	xc[nx++] = so_cookie(child[2]);
	idle_before = stat_of(_metadata, &self->g, TCPARK_A_IDLE_MS);

	/* netns Y: a listener and a pair with the ULP at both ends. */
	xns = netns_open("/proc/self/ns/net");
	ASSERT_LE(0, xns);
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, lo_up());
	ASSERT_EQ(0, endpoint_init(&yep, -1, AF_INET, "127.0.0.1"));
	ylfd = listen_on(&yep, 16);
	ASSERT_LE(0, ylfd);
	ASSERT_EQ(0, ulp_set(ylfd, TCPARK_ULP_NAME));
	ycli = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, ulp_set(ycli, TCPARK_ULP_NAME));
	ASSERT_EQ(0, connect(ycli, (struct sockaddr *)&yep.addr, yep.addrlen));
	ychild = accept(ylfd, NULL, NULL);
	ASSERT_LE(0, ychild);
	yc[ny++] = so_cookie(ylfd);
	yc[ny++] = so_cookie(ycli);
	yc[ny++] = so_cookie(ychild);
	ASSERT_EQ(0, genl_open(&gy));
	ASSERT_EQ(0, setns(xns, CLONE_NEWNET));

	/* The unprivileged child, in X. */
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0x7f, sizeof(*res));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		unpriv_child(res, xc[1], endpoint_port(&self->ep));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("the child failed at step %d", WEXITSTATUS(status));

	EXPECT_EQ(NOBODY, res->uid);
	EXPECT_TRUE(res->caps_ok) TH_LOG("capabilities left after dropping to nobody");
	/* Reading works, and sees X only. */
	expect_cookies(_metadata, res->dump, res->ndump, xc, nx, "nobody's dump");
	EXPECT_EQ(0, res->get);
	EXPECT_EQ(0, res->get_uid) TH_LOG("the socket's owner is root");
	EXPECT_EQ(0, res->stats);
	EXPECT_EQ(nx, res->stats_sockets);
	/* Changing does not, whatever the request holds. */
	EXPECT_EQ(-EPERM, res->park);
	EXPECT_EQ(-EPERM, res->wake);
	EXPECT_EQ(-EPERM, res->kill);
	EXPECT_EQ(-EPERM, res->kill_filter);
	EXPECT_EQ(-EPERM, res->kill_none);
	EXPECT_EQ(-EPERM, res->set);
	EXPECT_EQ(-EPERM, res->set_bad);

	if (res->userns) {
		TH_LOG("no user namespace for nobody (%s): that part is skipped",
		       strerror(-res->userns));
	} else {
		EXPECT_EQ(0, res->u_open);
		EXPECT_EQ(0, res->u_set) TH_LOG("userns root: SET in its own netns");
		EXPECT_EQ(7000, res->u_idle);
		EXPECT_EQ(0, res->u_ndump);
		EXPECT_EQ(-ENOENT, res->u_get);
		EXPECT_EQ(-ENOENT, res->u_kill);
		EXPECT_EQ(-ERANGE, res->u_set_other);
	}

	/* Nothing happened to X. */
	EXPECT_EQ(idle_before, stat_of(_metadata, &self->g, TCPARK_A_IDLE_MS));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(TCP_ESTABLISHED, tcp_state(child[i]));

	/* Root in Y sees Y only, and cannot reach X's sockets. */
	i = dump_cookies(&gy, got, 16);
	expect_cookies(_metadata, got, i, yc, ny, "Y's dump");
	EXPECT_EQ(-ENOENT, genl_get_cookie(&gy, xc[1], &(struct nl_sock){ 0 }));
	EXPECT_EQ(-ENOENT, simple(&gy, TCPARK_CMD_KILL, TCPARK_A_COOKIE, xc[1]));
	/*
	 * "Kill everything" in Y: Y's two ends of one connection; the
	 * listener is refused, and the second end may be reset by the first's
	 * RST before its turn (loopback): then it is refused too.
	 */
	msg_init(&gy, &m, TCPARK_CMD_KILL, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_STATE, TCPARK_STATE_ACTIVE);
	matched = done = 99;
	EXPECT_EQ(0, genl_act_msg(&gy, &m, &matched, &done));
	EXPECT_EQ(ny, matched);
	EXPECT_LE(1, done);
	EXPECT_GE(2, done);
	EXPECT_EQ(TCP_CLOSE, tcp_state(ycli));
	EXPECT_EQ(TCP_CLOSE, tcp_state(ychild));
	EXPECT_EQ(done, stat_of(_metadata, &gy, TCPARK_A_STAT_KILLS));
	EXPECT_EQ(0, stat_of(_metadata, &self->g, TCPARK_A_STAT_KILLS));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(TCP_ESTABLISHED, tcp_state(child[i]));
	i = dump_cookies(&self->g, got, 16);
	expect_cookies(_metadata, got, i, xc, nx, "X's dump after all that");
	genl_close(&gy);
}

/* ---- PARK, WAKE, KILL on real connections ------------------------------ */

static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static int read_errno(int fd)
{
	char c;

	if (!readable(fd, 5000))
		return -ETIMEDOUT;
	return read(fd, &c, 1) < 0 ? errno : 0;
}

/* The next event on @ev (subscribed), or -errno. */
static int next_event(struct genl *ev, struct nl_sock *s)
{
	static char buf[16384] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh = (const void *)buf;
	ssize_t n;

	if (!readable(ev->fd, 5000))
		return -ETIMEDOUT;
	n = recv(ev->fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	if (!NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type != ev->family)
		return -EBADMSG;
	return nl_sock_parse(nlh, s) ? -EBADMSG : 0;
}

TEST_F(act, kill_wake_park)
{
	uint64_t lcookie, a1c, a2c, a3c, kills;
	struct endpoint ep = self->ep;
	int a1, a2, a3, c1, c2, c3, a4, c4;
	uint32_t matched, done, ineligible;
	struct nl_sock s;
	struct genl ev;
	char ch = 'x';

	a1 = pair(_metadata, self, &c1);
	a2 = pair(_metadata, self, &c2);
	a3 = pair(_metadata, self, &c3);
	lcookie = so_cookie(self->lfd);
	a1c = so_cookie(a1);
	a2c = so_cookie(a2);
	a3c = so_cookie(a3);

	ASSERT_EQ(0, genl_open(&ev));
	ASSERT_NE(0, ev.events) TH_LOG("no \"" TCPARK_GENL_MCGRP_EVENTS "\" group");
	ASSERT_EQ(0, setsockopt(ev.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&ev.events, sizeof(ev.events)));
	kills = stat_of(_metadata, &self->g, TCPARK_A_STAT_KILLS);

	/* KILL by cookie: RST to the peer, ECONNABORTED to the app, an event. */
	matched = done = 99;
	ASSERT_EQ(0, genl_act_cookie(&self->g, TCPARK_CMD_KILL, a1c, &matched, &done));
	EXPECT_EQ(1, matched);
	EXPECT_EQ(1, done);
	EXPECT_EQ(ECONNRESET, read_errno(c1));
	EXPECT_EQ(ECONNABORTED, read_errno(a1));
	EXPECT_EQ(TCP_CLOSE, tcp_state(a1));
	EXPECT_EQ(kills + 1, stat_of(_metadata, &self->g, TCPARK_A_STAT_KILLS));
	ASSERT_EQ(0, next_event(&ev, &s));
	EXPECT_EQ(TCPARK_CMD_EVENT, s.cmd);
	EXPECT_EQ(TCPARK_EVENT_KILLED, s.event);
	EXPECT_EQ(a1c, s.cookie);
	EXPECT_EQ(endpoint_port(&ep), s.lport);
	EXPECT_EQ(0, s.missing);
	/* The others are untouched. */
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(a2));
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(c3));

	/* Dead already, or a listener: not a connection to kill. */
	EXPECT_EQ(-EINVAL, genl_act_cookie(&self->g, TCPARK_CMD_KILL, a1c, NULL, NULL));
	EXPECT_EQ(-EINVAL, genl_act_cookie(&self->g, TCPARK_CMD_KILL, lcookie, NULL, NULL));
	a4 = pair(_metadata, self, &c4);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(a4)) TH_LOG("the listener still accepts");

	/* WAKE on an active connection; PARK, eligible or not. */
	EXPECT_EQ(-EALREADY, genl_act_cookie(&self->g, TCPARK_CMD_WAKE, a2c, NULL, NULL));
	/* Parking is not implemented yet: this must become 0 when it is. */
	EXPECT_EQ(-EOPNOTSUPP, genl_act_cookie(&self->g, TCPARK_CMD_PARK, a2c, NULL, NULL));
	ineligible = stat_of(_metadata, &self->g, TCPARK_A_STAT_INELIGIBLE);
	ASSERT_EQ(1, write(c2, &ch, 1));
	ASSERT_TRUE(readable(a2, 5000));
	EXPECT_EQ(-EBUSY, genl_act_cookie(&self->g, TCPARK_CMD_PARK, a2c, NULL, NULL));
	EXPECT_EQ(ineligible + 1, stat_of(_metadata, &self->g, TCPARK_A_STAT_INELIGIBLE));
	ASSERT_EQ(1, read(a2, &ch, 1));
	EXPECT_EQ(-ENOTCONN, genl_act_cookie(&self->g, TCPARK_CMD_PARK, lcookie, NULL, NULL));
	EXPECT_EQ(-ENOTCONN, genl_act_cookie(&self->g, TCPARK_CMD_PARK, a1c, NULL, NULL));

	/*
	 * By filter the answer is the counts, not the sockets' errors. The
	 * local port matches the listener, a2, a3 and a4; not a1: a reset
	 * socket gave its port back (local port 0 from then on, as in ss).
	 * The second KILL finds the listener only.
	 */
	{
		static const uint8_t cmds[] = {
			TCPARK_CMD_WAKE, TCPARK_CMD_PARK, TCPARK_CMD_KILL, TCPARK_CMD_KILL,
		};
		static const uint32_t want_matched[] = { 4, 4, 4, 1 };
		static const uint32_t want_done[] = { 0, 0, 3, 0 };
		struct genl_msg m;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(cmds); i++) {
			msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
			msg_put_u16(&m, TCPARK_A_LOCAL_PORT, endpoint_port(&ep));
			msg_put_u32(&m, TCPARK_A_STATE, TCPARK_STATE_ACTIVE);
			matched = done = 99;
			EXPECT_EQ(0, genl_act_msg(&self->g, &m, &matched, &done))
				TH_LOG("command %d by filter", cmds[i]);
			EXPECT_EQ(want_matched[i], matched) TH_LOG("command %d by filter", cmds[i]);
			EXPECT_EQ(want_done[i], done) TH_LOG("command %d by filter", cmds[i]);
		}
	}
	EXPECT_EQ(ECONNRESET, read_errno(c2));
	EXPECT_EQ(ECONNRESET, read_errno(c3));
	EXPECT_EQ(ECONNRESET, read_errno(c4));
	EXPECT_EQ(ECONNABORTED, read_errno(a3));
	EXPECT_EQ(kills + 4, stat_of(_metadata, &self->g, TCPARK_A_STAT_KILLS));
	{
		uint64_t want[] = { a2c, a3c, so_cookie(a4) }, seen[3];
		int i;

		for (i = 0; i < 3; i++) {
			ASSERT_EQ(0, next_event(&ev, &s));
			EXPECT_EQ(TCPARK_EVENT_KILLED, s.event);
			seen[i] = s.cookie;
		}
		expect_cookies(_metadata, seen, 3, want, 3, "killed events");
	}
	/* The listener survived it all. */
	EXPECT_EQ(TCP_LISTEN, tcp_state(self->lfd));
	genl_close(&ev);
}

int main(int argc, char **argv)
{
	return test_harness_run(argc, argv);
}
