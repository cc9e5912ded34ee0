// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TCPARK socket options as an application sees them (uapi/linux/tcpark.h):
 * valid, boundary and invalid values of every option, wrong lengths, that a
 * refused call changes nothing, the netns defaults (net.tcpark.* sysctls)
 * before any set, inheritance from a listener to its children, TCPARK_PARK's
 * errors and TCPARK_INFO.
 *
 * sockopt_test [--server-netns PATH --client-netns PATH] [harness options]
 *
 * As ulp_test: server sockets live in the server netns, clients in the client
 * netns, joined by veth; without the paths both ends use loopback here. The
 * sysctls read and written are the server netns's; the tests that change
 * them put them back in the teardown.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "xfer.h"

static const char *server_netns, *client_netns;

#define EXPECT_ERRNO(err, call) do {					\
	int __ret = (call), __err = errno;				\
									\
	EXPECT_EQ(-1, __ret) TH_LOG("%s succeeded", #call);		\
	if (__ret == -1)						\
		EXPECT_EQ(err, __err) TH_LOG("%s: %s", #call, strerror(__err)); \
} while (0)

/* The settings in force on a socket, or a netns's defaults (pin: 0). */
struct settings {
	uint32_t idle_ms, mode, ka_interval_ms, ka_probes, pin;
};

static const char *const sysctl_names[] = {
	"idle_ms", "mode", "keepalive_interval_ms", "keepalive_probes",
};

FIXTURE(sockopt) {
	int srv_ns, cli_ns;
	struct endpoint srv;
	uint32_t saved[4];	/* the server netns's sysctls at setup */
	char why[256];
};

FIXTURE_VARIANT(sockopt) {
	int family;
	const char *srv_ip, *lo_ip;
};

FIXTURE_VARIANT_ADD(sockopt, ipv4) {
	.family = AF_INET,
	.srv_ip = "198.18.0.1",
	.lo_ip = "127.0.0.1",
};

FIXTURE_VARIANT_ADD(sockopt, ipv6) {
	.family = AF_INET6,
	.srv_ip = "fd00:7c::1",
	.lo_ip = "::1",
};

FIXTURE_SETUP(sockopt)
{
	const char *ip = server_netns ? variant->srv_ip : variant->lo_ip;
	size_t i;

	self->srv_ns = self->cli_ns = -1;
	if (server_netns) {
		self->srv_ns = netns_open(server_netns);
		ASSERT_LE(0, self->srv_ns) TH_LOG("%s: %s", server_netns, strerror(errno));
		self->cli_ns = netns_open(client_netns);
		ASSERT_LE(0, self->cli_ns) TH_LOG("%s: %s", client_netns, strerror(errno));
	}
	ASSERT_EQ(0, endpoint_init(&self->srv, self->srv_ns, variant->family, ip));
	for (i = 0; i < ARRAY_SIZE(sysctl_names); i++)
		ASSERT_EQ(0, sysctl_get(self->srv_ns, sysctl_names[i], &self->saved[i]))
			TH_LOG("net.tcpark.%s: %s", sysctl_names[i], strerror(errno));
}

FIXTURE_TEARDOWN(sockopt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sysctl_names); i++)
		EXPECT_EQ(0, sysctl_set_u32(self->srv_ns, sysctl_names[i], self->saved[i]))
			TH_LOG("restoring net.tcpark.%s: %s", sysctl_names[i], strerror(errno));
	if (self->srv_ns >= 0)
		close(self->srv_ns);
	if (self->cli_ns >= 0)
		close(self->cli_ns);
}

static void netns_defaults(struct __test_metadata *_metadata, int netns,
			   struct settings *s)
{
	uint32_t *v[] = { &s->idle_ms, &s->mode, &s->ka_interval_ms, &s->ka_probes };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sysctl_names); i++)
		ASSERT_EQ(0, sysctl_get(netns, sysctl_names[i], v[i]))
			TH_LOG("net.tcpark.%s: %s", sysctl_names[i], strerror(errno));
	s->pin = 0;
}

static void set_defaults(struct __test_metadata *_metadata, int netns,
			 const struct settings *s)
{
	uint32_t v[] = { s->idle_ms, s->mode, s->ka_interval_ms, s->ka_probes };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sysctl_names); i++)
		ASSERT_EQ(0, sysctl_set_u32(netns, sysctl_names[i], v[i]))
			TH_LOG("net.tcpark.%s = %u: %s", sysctl_names[i], v[i], strerror(errno));
}

/* Every way to read the settings agrees with @want. */
static void expect_settings(struct __test_metadata *_metadata, int fd,
			    const struct settings *want, const char *what)
{
	struct tcpark_keepalive ka;
	struct tcpark_info info;
	uint32_t v;

	ASSERT_EQ(0, opt_get_u32(fd, TCPARK_IDLE_MS, &v)) TH_LOG("%s: %s", what, strerror(errno));
	EXPECT_EQ(want->idle_ms, v) TH_LOG("%s: TCPARK_IDLE_MS", what);
	ASSERT_EQ(0, opt_get_u32(fd, TCPARK_MODE, &v)) TH_LOG("%s: %s", what, strerror(errno));
	EXPECT_EQ(want->mode, v) TH_LOG("%s: TCPARK_MODE", what);
	ASSERT_EQ(0, opt_get_u32(fd, TCPARK_PIN, &v)) TH_LOG("%s: %s", what, strerror(errno));
	EXPECT_EQ(want->pin, v) TH_LOG("%s: TCPARK_PIN", what);
	ASSERT_EQ(0, opt_get_ka(fd, &ka)) TH_LOG("%s: %s", what, strerror(errno));
	EXPECT_EQ(want->ka_interval_ms, ka.interval_ms) TH_LOG("%s: ka interval", what);
	EXPECT_EQ(want->ka_probes, ka.probes) TH_LOG("%s: ka probes", what);

	ASSERT_EQ(0, tcpark_info(fd, &info)) TH_LOG("%s: TCPARK_INFO: %s", what, strerror(errno));
	EXPECT_EQ(want->idle_ms, info.tpi_idle_ms) TH_LOG("%s: tpi_idle_ms", what);
	EXPECT_EQ(want->mode, info.tpi_mode) TH_LOG("%s: tpi_mode", what);
	EXPECT_EQ(want->ka_interval_ms, info.tpi_ka_interval_ms) TH_LOG("%s: tpi_ka_interval_ms", what);
	EXPECT_EQ(want->ka_probes, info.tpi_ka_probes) TH_LOG("%s: tpi_ka_probes", what);
	EXPECT_EQ(want->pin ? TCPARK_F_PINNED : 0, info.tpi_flags & TCPARK_F_PINNED)
		TH_LOG("%s: TCPARK_F_PINNED in tpi_flags 0x%x", what, info.tpi_flags);
}

static void apply_settings(struct __test_metadata *_metadata, int fd,
			   const struct settings *s)
{
	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_IDLE_MS, s->idle_ms)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_MODE, s->mode)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, opt_set_ka(fd, s->ka_interval_ms, s->ka_probes)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_PIN, s->pin)) TH_LOG("%s", strerror(errno));
}

static int listener(struct __test_metadata *_metadata, struct endpoint *ep)
{
	int fd = listen_on(ep, 16);

	ASSERT_LE(0, fd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	return fd;
}

/* A plain client in the client netns and its child (ULP from @lfd). */
static int accept_one(struct __test_metadata *_metadata, FIXTURE_DATA(sockopt) *self,
		      int lfd, int *cli)
{
	int child;

	*cli = connect_to(self->cli_ns, self->srv.family, &self->srv);
	ASSERT_LE(0, *cli) TH_LOG("connect: %s", strerror(errno));
	child = accept(lfd, NULL, NULL);
	ASSERT_LE(0, child) TH_LOG("accept: %s", strerror(errno));
	ASSERT_TRUE(ulp_is_tcpark(child));
	return child;
}

/* A ULP socket of each kind the options must work on. */
static void three_sockets(struct __test_metadata *_metadata, FIXTURE_DATA(sockopt) *self,
			  int fds[3], const char *names[3])
{
	int cli;

	fds[0] = listener(_metadata, &self->srv);
	names[0] = "listener";
	fds[1] = accept_one(_metadata, self, fds[0], &cli);
	names[1] = "accepted child";
	fds[2] = socket_in(self->srv_ns, self->srv.family, SOCK_STREAM);
	ASSERT_LE(0, fds[2]);
	ASSERT_EQ(0, ulp_set(fds[2], TCPARK_ULP_NAME));
	names[2] = "unconnected socket";
}

/* Nothing set yet: the netns's defaults, and they follow the sysctls. */
TEST_F(sockopt, netns_defaults)
{
	const struct settings other = { 4321, TCPARK_MODE_TRANSIENT, 2000, 9, 0 };
	struct settings def;
	const char *names[3];
	int fds[3], i;

	netns_defaults(_metadata, self->srv_ns, &def);
	three_sockets(_metadata, self, fds, names);
	for (i = 0; i < 3; i++)
		expect_settings(_metadata, fds[i], &def, names[i]);

	set_defaults(_metadata, self->srv_ns, &other);
	for (i = 0; i < 3; i++)
		expect_settings(_metadata, fds[i], &other, names[i]);

	/* A socket in another netns follows that netns's defaults. */
	if (self->cli_ns >= 0) {
		struct settings cdef;
		int fd = socket_in(self->cli_ns, self->srv.family, SOCK_STREAM);

		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME));
		netns_defaults(_metadata, self->cli_ns, &cdef);
		EXPECT_NE(other.idle_ms, cdef.idle_ms);
		expect_settings(_metadata, fd, &cdef, "socket in the client netns");
	}
}

struct u32_case {
	uint32_t val;
	int err;	/* 0: accepted */
};

/* Each value in turn; a refused one must leave the last accepted one. */
static void u32_cases(struct __test_metadata *_metadata, int fd, int opt,
		      const char *name, const struct u32_case *c, size_t n)
{
	uint32_t cur, v;
	size_t i;

	ASSERT_EQ(0, opt_get_u32(fd, opt, &cur));
	for (i = 0; i < n; i++) {
		if (c[i].err) {
			EXPECT_ERRNO(c[i].err, opt_set_u32(fd, opt, c[i].val));
		} else {
			EXPECT_EQ(0, opt_set_u32(fd, opt, c[i].val))
				TH_LOG("%s = %u: %s", name, c[i].val, strerror(errno));
			cur = c[i].val;
		}
		ASSERT_EQ(0, opt_get_u32(fd, opt, &v));
		EXPECT_EQ(cur, v) TH_LOG("%s after setting %u", name, c[i].val);
	}
}

TEST_F(sockopt, idle_ms)
{
	static const struct u32_case c[] = {
		{ 100, 0 }, { 1, EINVAL }, { 99, EINVAL },
		{ TCPARK_IDLE_MS_MAX, 0 }, { TCPARK_IDLE_MS_MAX + 1, EINVAL },
		{ 0, 0 }, { 0xffffffff, EINVAL }, { 0x80000000, EINVAL },
		{ 101, 0 }, { 0, 0 },
	};
	const char *names[3];
	int fds[3], i;

	ASSERT_EQ(100, TCPARK_IDLE_MS_MIN);
	ASSERT_EQ(7 * 24 * 3600 * 1000, TCPARK_IDLE_MS_MAX);
	three_sockets(_metadata, self, fds, names);
	for (i = 0; i < 3; i++)
		u32_cases(_metadata, fds[i], TCPARK_IDLE_MS, names[i], c, ARRAY_SIZE(c));
}

TEST_F(sockopt, mode)
{
	static const struct u32_case c[] = {
		{ TCPARK_MODE_TRANSIENT, 0 }, { 2, EINVAL },
		{ TCPARK_MODE_PERSISTENT, 0 }, { 0xffffffff, EINVAL }, { 3, EINVAL },
		{ TCPARK_MODE_TRANSIENT, 0 },
	};
	const char *names[3];
	int fds[3], i;

	three_sockets(_metadata, self, fds, names);
	for (i = 0; i < 3; i++)
		u32_cases(_metadata, fds[i], TCPARK_MODE, names[i], c, ARRAY_SIZE(c));
}

TEST_F(sockopt, pin)
{
	static const struct u32_case c[] = {
		{ 1, 0 }, { 2, EINVAL }, { 0, 0 }, { 0xffffffff, EINVAL }, { 1, 0 },
	};
	const char *names[3];
	int fds[3], i;

	three_sockets(_metadata, self, fds, names);
	for (i = 0; i < 3; i++)
		u32_cases(_metadata, fds[i], TCPARK_PIN, names[i], c, ARRAY_SIZE(c));
}

TEST_F(sockopt, keepalive)
{
	static const struct {
		uint32_t interval_ms, probes;
		int err;
	} c[] = {
		{ 0, 0, 0 }, { 1000, 0, 0 }, { 86400000, 255, 0 },
		{ 999, 1, EINVAL }, { 86400001, 1, EINVAL },
		/* A valid interval with bad probes must not half-apply. */
		{ 1000, 256, EINVAL }, { 0, 256, EINVAL }, { 1, 0, EINVAL },
		{ 0, 255, 0 },
		{ 5000, 0xffffffff, EINVAL }, { 0xffffffff, 3, EINVAL },
		{ 5000, 3, 0 },
		{ 86400001, 4, EINVAL }, { 999, 0, EINVAL },
	};
	struct tcpark_keepalive cur, ka;
	const char *names[3];
	int fds[3], i;
	size_t k;

	ASSERT_EQ(8, sizeof(struct tcpark_keepalive));
	three_sockets(_metadata, self, fds, names);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, opt_get_ka(fds[i], &cur));
		for (k = 0; k < ARRAY_SIZE(c); k++) {
			if (c[k].err) {
				EXPECT_ERRNO(c[k].err, opt_set_ka(fds[i], c[k].interval_ms,
								   c[k].probes));
			} else {
				EXPECT_EQ(0, opt_set_ka(fds[i], c[k].interval_ms, c[k].probes))
					TH_LOG("%s {%u, %u}: %s", names[i], c[k].interval_ms,
					       c[k].probes, strerror(errno));
				cur.interval_ms = c[k].interval_ms;
				cur.probes = c[k].probes;
			}
			ASSERT_EQ(0, opt_get_ka(fds[i], &ka));
			EXPECT_EQ(cur.interval_ms, ka.interval_ms)
				TH_LOG("%s after {%u, %u}", names[i], c[k].interval_ms, c[k].probes);
			EXPECT_EQ(cur.probes, ka.probes)
				TH_LOG("%s after {%u, %u}", names[i], c[k].interval_ms, c[k].probes);
		}
	}
}

/* Wrong lengths are refused whatever the bytes say, and change nothing. */
TEST_F(sockopt, optlen)
{
	static const int u32_opts[] = { TCPARK_IDLE_MS, TCPARK_MODE, TCPARK_PIN };
	static const unsigned int bad_u32[] = { 0, 1, 3, 5, 8 };
	static const unsigned int bad_ka[] = { 0, 4, 7, 9, 12, 16 };
	const struct settings s = { 5000, TCPARK_MODE_TRANSIENT, 3000, 7, 1 };
	unsigned char buf[32];
	uint32_t vals[8];
	socklen_t len;
	int fd, cli;
	size_t i, k;

	fd = listener(_metadata, &self->srv);
	fd = accept_one(_metadata, self, fd, &cli);
	apply_settings(_metadata, fd, &s);

	/* Valid values in every word of the buffer: only the length is wrong. */
	for (i = 0; i < ARRAY_SIZE(vals); i++)
		vals[i] = 1;
	for (k = 0; k < ARRAY_SIZE(u32_opts); k++)
		for (i = 0; i < ARRAY_SIZE(bad_u32); i++)
			EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_TCPARK, u32_opts[k], vals,
							bad_u32[i]));
	vals[0] = 2000;
	for (i = 0; i < ARRAY_SIZE(bad_ka); i++)
		EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, vals,
						bad_ka[i]));
	EXPECT_ERRNO(EFAULT, setsockopt(fd, SOL_TCPARK, TCPARK_IDLE_MS, NULL, 4));
	EXPECT_ERRNO(EFAULT, setsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, NULL, 8));
	expect_settings(_metadata, fd, &s, "after refused sets");

	/* getsockopt: too short is EINVAL; longer gets the value's size. */
	for (k = 0; k < ARRAY_SIZE(u32_opts); k++) {
		int lens[] = { 0, 1, 3, -1 };

		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			len = lens[i];
			EXPECT_ERRNO(EINVAL, getsockopt(fd, SOL_TCPARK, u32_opts[k], buf, &len));
		}
		memset(buf, 0xa5, sizeof(buf));
		len = sizeof(buf);
		ASSERT_EQ(0, getsockopt(fd, SOL_TCPARK, u32_opts[k], buf, &len));
		EXPECT_EQ(4, len);
		for (i = 4; i < sizeof(buf); i++)
			ASSERT_EQ(0xa5, buf[i]) TH_LOG("option %d: byte %zu written", u32_opts[k], i);
	}
	{
		int lens[] = { 0, 4, 7, -1 };

		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			len = lens[i];
			EXPECT_ERRNO(EINVAL, getsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, buf, &len));
		}
	}
	memset(buf, 0xa5, sizeof(buf));
	len = sizeof(buf);
	ASSERT_EQ(0, getsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, buf, &len));
	EXPECT_EQ(8, len);
	memcpy(vals, buf, 8);
	EXPECT_EQ(3000, vals[0]);
	EXPECT_EQ(7, vals[1]);
	EXPECT_EQ(0xa5, buf[8]);
	expect_settings(_metadata, fd, &s, "after the reads");
}

TEST_F(sockopt, unknown_options)
{
	int fd, names[] = { 0, 7, 8, 100, 0x7fffffff, -1 };
	uint32_t val = 1;
	socklen_t len;
	size_t i;

	fd = listener(_metadata, &self->srv);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		len = sizeof(val);
		EXPECT_ERRNO(ENOPROTOOPT, getsockopt(fd, SOL_TCPARK, names[i], &val, &len));
		EXPECT_ERRNO(ENOPROTOOPT, setsockopt(fd, SOL_TCPARK, names[i], &val, sizeof(val)));
	}
	/* TCPARK_PARK is set-only, TCPARK_INFO get-only. */
	len = sizeof(val);
	EXPECT_ERRNO(ENOPROTOOPT, getsockopt(fd, SOL_TCPARK, TCPARK_PARK, &val, &len));
	EXPECT_ERRNO(ENOPROTOOPT, setsockopt(fd, SOL_TCPARK, TCPARK_INFO, &val, sizeof(val)));
}

static int park(int fd)
{
	return setsockopt(fd, SOL_TCPARK, TCPARK_PARK, NULL, 0);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/*
 * Parking itself is not implemented yet: an eligible connection answers
 * EOPNOTSUPP. When parking lands, that expectation must change to 0 (and
 * TCPARK_INFO must then say TCPARK_STATE_PARKED).
 */
#define PARK_ELIGIBLE_ERRNO EOPNOTSUPP

TEST_F(sockopt, park)
{
	int lfd, fd, cli, loose, flags;
	uint32_t v = 0;
	char c = 'x', big[65536];
	ssize_t n;

	lfd = listener(_metadata, &self->srv);
	fd = accept_one(_metadata, self, lfd, &cli);
	ASSERT_EQ(0, exchange(cli, fd, self->why, sizeof(self->why))) TH_LOG("%s", self->why);

	/* optlen must be 0, even with a buffer. */
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_TCPARK, TCPARK_PARK, &v, sizeof(v)));
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_TCPARK, TCPARK_PARK, &v, 1));
	EXPECT_ERRNO(EINVAL, setsockopt(fd, SOL_TCPARK, TCPARK_PARK, NULL, 4));

	/* Not a connection. */
	EXPECT_ERRNO(ENOTCONN, park(lfd));
	loose = socket_in(self->srv_ns, self->srv.family, SOCK_STREAM);
	ASSERT_LE(0, loose);
	ASSERT_EQ(0, ulp_set(loose, TCPARK_ULP_NAME));
	EXPECT_ERRNO(ENOTCONN, park(loose));

	/* Idle and eligible. */
	EXPECT_ERRNO(PARK_ELIGIBLE_ERRNO, park(fd));

	/* Unread data. */
	ASSERT_EQ(1, write(cli, &c, 1));
	ASSERT_TRUE(readable(fd, 5000));
	EXPECT_ERRNO(EBUSY, park(fd));
	ASSERT_EQ(1, read(fd, &c, 1));
	EXPECT_ERRNO(PARK_ELIGIBLE_ERRNO, park(fd));

	/* Pinned, and unpinned again. */
	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_PIN, 1));
	EXPECT_ERRNO(EBUSY, park(fd));
	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_PIN, 0));
	EXPECT_ERRNO(PARK_ELIGIBLE_ERRNO, park(fd));

	/* Pinned through the listener. */
	ASSERT_EQ(0, opt_set_u32(lfd, TCPARK_PIN, 1));
	{
		int cli2, fd2 = accept_one(_metadata, self, lfd, &cli2);

		EXPECT_ERRNO(EBUSY, park(fd2));
		ASSERT_EQ(0, opt_set_u32(fd2, TCPARK_PIN, 0));
		EXPECT_ERRNO(PARK_ELIGIBLE_ERRNO, park(fd2));
	}

	/* Unsent data: the peer does not read, our send queue fills up. */
	flags = fcntl(fd, F_GETFL);
	ASSERT_EQ(0, fcntl(fd, F_SETFL, flags | O_NONBLOCK));
	memset(big, 'y', sizeof(big));
	do {
		n = write(fd, big, sizeof(big));
	} while (n > 0);
	ASSERT_EQ(EAGAIN, errno);
	EXPECT_ERRNO(EBUSY, park(fd));

	/* The peer has closed: CLOSE_WAIT is not parkable. */
	{
		int cli3, fd3 = accept_one(_metadata, self, lfd, &cli3);

		ASSERT_EQ(0, opt_set_u32(fd3, TCPARK_PIN, 0));
		ASSERT_EQ(0, shutdown(cli3, SHUT_WR));
		ASSERT_EQ(0, wait_tcp_state(fd3, TCP_CLOSE_WAIT, 5000));
		EXPECT_ERRNO(ENOTCONN, park(fd3));
	}
}

TEST_F(sockopt, info)
{
	const struct settings s = { 5000, TCPARK_MODE_TRANSIENT, 2000, 3, 1 };
	struct tcpark_info info;
	uint32_t age1, age2;
	int lfd, fd, cli;

	lfd = listener(_metadata, &self->srv);
	fd = accept_one(_metadata, self, lfd, &cli);
	apply_settings(_metadata, fd, &s);
	expect_settings(_metadata, fd, &s, "child");

	ASSERT_EQ(0, tcpark_info(fd, &info));
	EXPECT_EQ(TCPARK_STATE_ACTIVE, info.tpi_state);
	EXPECT_EQ(TCP_ESTABLISHED, info.tpi_tcp_state);
	EXPECT_EQ(so_cookie(fd), info.tpi_cookie);
	EXPECT_EQ(TCPARK_F_PINNED, info.tpi_flags);
	EXPECT_EQ(0, info.tpi_parks);
	EXPECT_EQ(0, info.tpi_wakes);
	EXPECT_EQ(0, info.tpi_ka_answered);
	EXPECT_EQ(0, info.tpi_ka_sent);

	ASSERT_EQ(0, opt_set_u32(fd, TCPARK_PIN, 0));
	ASSERT_EQ(0, tcpark_info(fd, &info));
	EXPECT_EQ(0, info.tpi_flags);

	/* A listener has no segments: age 0. */
	ASSERT_EQ(0, tcpark_info(lfd, &info));
	EXPECT_EQ(TCP_LISTEN, info.tpi_tcp_state);
	EXPECT_EQ(0, info.tpi_idle_age_ms);

	/* Idle age grows while nothing moves (let delayed ACKs pass first). */
	ASSERT_EQ(0, exchange(cli, fd, self->why, sizeof(self->why))) TH_LOG("%s", self->why);
	sleep_ms(500);
	ASSERT_EQ(0, tcpark_info(fd, &info));
	age1 = info.tpi_idle_age_ms;
	EXPECT_LE(250, age1);
	sleep_ms(300);
	ASSERT_EQ(0, tcpark_info(fd, &info));
	age2 = info.tpi_idle_age_ms;
	EXPECT_LE(250, age2 - age1) TH_LOG("idle age %u ms, then %u ms", age1, age2);
	EXPECT_GT(60000, age2);

	/* Traffic resets it. */
	ASSERT_EQ(0, exchange(cli, fd, self->why, sizeof(self->why))) TH_LOG("%s", self->why);
	ASSERT_EQ(0, tcpark_info(fd, &info));
	EXPECT_GT(age1, info.tpi_idle_age_ms) TH_LOG("idle age after traffic %u ms",
						      info.tpi_idle_age_ms);
}

/* Set on the listener: every child starts with it, and may then differ. */
TEST_F(sockopt, inherit_from_listener)
{
	const struct settings ls = { 5000, TCPARK_MODE_TRANSIENT, 3000, 4, 1 };
	const struct settings own = { 7000, TCPARK_MODE_PERSISTENT, 0, 0, 0 };
	struct settings later = ls;
	int lfd, cli[4], child[4];

	lfd = listener(_metadata, &self->srv);
	apply_settings(_metadata, lfd, &ls);
	child[0] = accept_one(_metadata, self, lfd, &cli[0]);
	child[1] = accept_one(_metadata, self, lfd, &cli[1]);
	expect_settings(_metadata, child[0], &ls, "child 0");
	expect_settings(_metadata, child[1], &ls, "child 1");

	/* A child changes its own only. */
	apply_settings(_metadata, child[0], &own);
	expect_settings(_metadata, child[0], &own, "child 0 after its own set");
	expect_settings(_metadata, child[1], &ls, "child 1 after child 0's set");
	expect_settings(_metadata, lfd, &ls, "listener after child 0's set");
	child[2] = accept_one(_metadata, self, lfd, &cli[2]);
	expect_settings(_metadata, child[2], &ls, "child 2");

	/*
	 * The listener changes: children copied its settings when they were
	 * created, so only later ones see the change.
	 */
	later.idle_ms = 8000;
	ASSERT_EQ(0, opt_set_u32(lfd, TCPARK_IDLE_MS, later.idle_ms));
	child[3] = accept_one(_metadata, self, lfd, &cli[3]);
	expect_settings(_metadata, child[3], &later, "child 3");
	expect_settings(_metadata, child[1], &ls, "child 1 after the listener's change");
	expect_settings(_metadata, child[0], &own, "child 0 after the listener's change");
}

/*
 * What the listener did not set follows the netns default in force, even
 * one changed after the child was accepted; what it set does not.
 */
TEST_F(sockopt, inherit_unset_follows_netns)
{
	const struct settings other = { 4321, TCPARK_MODE_TRANSIENT, 2000, 9, 0 };
	struct settings def, want;
	int lfd, plain, cli, child, cli2, child_plain;

	netns_defaults(_metadata, self->srv_ns, &def);
	lfd = listener(_metadata, &self->srv);
	ASSERT_EQ(0, opt_set_u32(lfd, TCPARK_IDLE_MS, 5000));
	child = accept_one(_metadata, self, lfd, &cli);
	want = def;
	want.idle_ms = 5000;
	expect_settings(_metadata, child, &want, "child");

	/* A listener with nothing set at all. */
	endpoint_set_port(&self->srv, 0);
	plain = listener(_metadata, &self->srv);
	child_plain = accept_one(_metadata, self, plain, &cli2);
	expect_settings(_metadata, child_plain, &def, "child of the plain listener");

	set_defaults(_metadata, self->srv_ns, &other);
	want = other;
	want.idle_ms = 5000;
	expect_settings(_metadata, child, &want, "child after the sysctls changed");
	expect_settings(_metadata, lfd, &want, "listener after the sysctls changed");
	expect_settings(_metadata, child_plain, &other,
			"child of the plain listener after the sysctls changed");

	/* Setting the default's value explicitly pins it against later changes. */
	ASSERT_EQ(0, opt_set_u32(child_plain, TCPARK_MODE, other.mode));
	set_defaults(_metadata, self->srv_ns, &def);
	want = def;
	want.mode = other.mode;
	expect_settings(_metadata, child_plain, &want, "after its own set and the sysctls back");
}

int main(int argc, char **argv)
{
	while (argc > 2 && !strncmp(argv[1], "--", 2)) {
		if (!strcmp(argv[1], "--server-netns"))
			server_netns = argv[2];
		else if (!strcmp(argv[1], "--client-netns"))
			client_netns = argv[2];
		else
			break;
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (!server_netns != !client_netns) {
		fprintf(stderr, "%s: give both --server-netns and --client-netns, or neither\n",
			argv[0]);
		return KSFT_FAIL;
	}
	return test_harness_run(argc, argv);
}
