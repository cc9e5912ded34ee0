// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcpark" TCP ULP as an application sees it: attaching, inheritance
 * by accepted children, SOL_TCPARK/TCPARK_INFO, errors, and data integrity.
 *
 * ulp_test [--server-netns PATH --client-netns PATH] [harness options]
 *
 * With the two netns paths (ulp.sh passes /run/netns/<name>), server
 * sockets are created in the server netns and client sockets in the client
 * netns, joined by veth (198.18.0.1/2, fd00:7c::1/2). Without them both ends
 * use loopback in the current netns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "xfer.h"

#define BULK_BYTES (8u << 20)

static const char *server_netns, *client_netns;

/* @call must fail with errno @err. */
#define EXPECT_ERRNO(err, call) do {					\
	int __ret = (call), __err = errno;				\
									\
	EXPECT_EQ(-1, __ret) TH_LOG("%s succeeded", #call);		\
	EXPECT_EQ(err, __err) TH_LOG("%s: %s", #call, strerror(__err));	\
} while (0)

FIXTURE(ulp) {
	int srv_ns, cli_ns;
	struct endpoint srv;	/* the server's address in this variant */
	char why[256];
};

FIXTURE_VARIANT(ulp) {
	int family;
	const char *srv_ip, *lo_ip;	/* with / without namespaces */
	const char *unreach_ip;		/* on the veth subnet, nobody there */
	int cross_family;		/* the other family ... */
	const char *cross_ip, *lo_cross_ip;	/* ... and the server in it */
};

FIXTURE_VARIANT_ADD(ulp, ipv4) {
	.family = AF_INET,
	.srv_ip = "198.18.0.1",
	.lo_ip = "127.0.0.1",
	.unreach_ip = "198.18.0.3",
	.cross_family = AF_INET6,
	.cross_ip = "::ffff:198.18.0.1",
	.lo_cross_ip = "::ffff:127.0.0.1",
};

FIXTURE_VARIANT_ADD(ulp, ipv6) {
	.family = AF_INET6,
	.srv_ip = "fd00:7c::1",
	.lo_ip = "::1",
	.unreach_ip = "fd00:7c::3",
	.cross_family = AF_INET,
	.cross_ip = "198.18.0.1",
	.lo_cross_ip = "127.0.0.1",
};

FIXTURE_SETUP(ulp)
{
	const char *ip = server_netns ? variant->srv_ip : variant->lo_ip;

	self->srv_ns = self->cli_ns = -1;
	if (server_netns) {
		self->srv_ns = netns_open(server_netns);
		ASSERT_LE(0, self->srv_ns) TH_LOG("%s: %s", server_netns, strerror(errno));
		self->cli_ns = netns_open(client_netns);
		ASSERT_LE(0, self->cli_ns) TH_LOG("%s: %s", client_netns, strerror(errno));
	}
	ASSERT_EQ(0, endpoint_init(&self->srv, self->srv_ns, variant->family, ip));
}

FIXTURE_TEARDOWN(ulp)
{
	if (self->srv_ns >= 0)
		close(self->srv_ns);
	if (self->cli_ns >= 0)
		close(self->cli_ns);
}

static int listener(struct __test_metadata *_metadata, struct endpoint *ep,
		    bool with_ulp)
{
	int fd = listen_on(ep, 16);

	ASSERT_LE(0, fd) TH_LOG("listen: %s", strerror(errno));
	if (with_ulp)
		ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	return fd;
}

/* Connect from the client netns to @ep and accept the child from @lfd. */
static void connect_pair(struct __test_metadata *_metadata, int cli_ns, int family,
			 const struct endpoint *ep, int lfd, int *cli, int *child)
{
	*cli = connect_to(cli_ns, family, ep);
	ASSERT_LE(0, *cli) TH_LOG("connect: %s", strerror(errno));
	*child = accept(lfd, NULL, NULL);
	ASSERT_LE(0, *child) TH_LOG("accept: %s", strerror(errno));
}

/* TCPARK_INFO (queried before SO_COOKIE, so the module must make the cookie). */
static uint64_t assert_info(struct __test_metadata *_metadata, int fd, int tcp_st)
{
	struct tcpark_info info;

	ASSERT_EQ(0, tcpark_info(fd, &info)) TH_LOG("TCPARK_INFO: %s", strerror(errno));
	EXPECT_EQ(TCPARK_STATE_ACTIVE, (int)info.tpi_state);
	EXPECT_EQ(tcp_st, (int)info.tpi_tcp_state);
	EXPECT_NE((uint64_t)0, info.tpi_cookie);
	EXPECT_EQ(so_cookie(fd), info.tpi_cookie);
	return info.tpi_cookie;
}

/*
 * No ULP: TCP_ULP reads back empty and SOL_TCPARK is a foreign level, which
 * TCP hands to the address family: IPv4 answers EOPNOTSUPP
 * (do_ip_getsockopt), IPv6 and v4-mapped sockets ENOPROTOOPT.
 */
static void assert_no_ulp(struct __test_metadata *_metadata, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct tcpark_info info;
	char name[32];

	EXPECT_EQ(0, ulp_get(fd, name, sizeof(name)));
	EXPECT_STREQ("", name);
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&ss, &sslen));
	EXPECT_ERRNO(ss.ss_family == AF_INET ? EOPNOTSUPP : ENOPROTOOPT,
		     tcpark_info(fd, &info));
}

TEST_F(ulp, listener)
{
	char name[32];
	int lfd;

	lfd = listener(_metadata, &self->srv, true);
	EXPECT_LT(0, ulp_get(lfd, name, sizeof(name)));
	EXPECT_STREQ(TCPARK_ULP_NAME, name);
	assert_info(_metadata, lfd, TCP_LISTEN);
}

TEST_F(ulp, connected_client)
{
	int lfd, cli, child;

	lfd = listener(_metadata, &self->srv, false);
	connect_pair(_metadata, self->cli_ns, variant->family, &self->srv, lfd, &cli, &child);
	ASSERT_EQ(0, ulp_set(cli, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	EXPECT_TRUE(ulp_is_tcpark(cli));
	assert_info(_metadata, cli, TCP_ESTABLISHED);
	assert_no_ulp(_metadata, child);
	ASSERT_EQ(0, exchange(cli, child, self->why, sizeof(self->why))) TH_LOG("%s", self->why);
}

TEST_F(ulp, info_optlen)
{
	unsigned char buf[sizeof(struct tcpark_info) + 32];
	struct tcpark_info *info = (void *)buf;
	int fd, lens[] = { 0, 4, TCPARK_INFO_MIN_LEN - 1, -1 };
	socklen_t len;
	size_t i;

	fd = listener(_metadata, &self->srv, true);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		len = lens[i];
		EXPECT_ERRNO(EINVAL, getsockopt(fd, SOL_TCPARK, TCPARK_INFO, buf, &len));
	}

	/* Larger than the struct: truncated to it, the rest untouched. */
	memset(buf, 0xa5, sizeof(buf));
	len = sizeof(buf);
	ASSERT_EQ(0, getsockopt(fd, SOL_TCPARK, TCPARK_INFO, buf, &len));
	EXPECT_EQ(sizeof(struct tcpark_info), len);
	EXPECT_EQ(TCP_LISTEN, (int)info->tpi_tcp_state);
	for (i = sizeof(struct tcpark_info); i < sizeof(buf); i++)
		ASSERT_EQ(0xa5, buf[i]) TH_LOG("byte %zu overwritten", i);

	/* Exactly the minimum: the fields of the first version. */
	len = TCPARK_INFO_MIN_LEN;
	ASSERT_EQ(0, getsockopt(fd, SOL_TCPARK, TCPARK_INFO, buf, &len));
	EXPECT_EQ(TCPARK_INFO_MIN_LEN, (int)len);
	EXPECT_EQ(TCPARK_STATE_ACTIVE, (int)info->tpi_state);
	EXPECT_EQ(so_cookie(fd), info->tpi_cookie);

	len = sizeof(buf);
	EXPECT_ERRNO(EFAULT, getsockopt(fd, SOL_TCPARK, TCPARK_INFO, (void *)8, &len));
	EXPECT_ERRNO(EFAULT, getsockopt(fd, SOL_TCPARK, TCPARK_INFO, buf, (void *)8));
}

TEST_F(ulp, unknown_options)
{
	int fd, names[] = { 0, 99, 0x7fff }, val = 1;
	struct tcpark_info info = { 0 };
	socklen_t len;
	size_t i;

	fd = listener(_metadata, &self->srv, true);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		len = sizeof(info);
		EXPECT_ERRNO(ENOPROTOOPT, getsockopt(fd, SOL_TCPARK, names[i], &info, &len));
		EXPECT_ERRNO(ENOPROTOOPT, setsockopt(fd, SOL_TCPARK, names[i], &val, sizeof(val)));
	}
	/* TCPARK_INFO is get-only. */
	EXPECT_ERRNO(ENOPROTOOPT, setsockopt(fd, SOL_TCPARK, TCPARK_INFO, &info, sizeof(info)));
}

/* Other levels still reach TCP and IP through the module's proto. */
TEST_F(ulp, foreign_levels)
{
	int fd, val = 1, tos = 0x20;
	socklen_t len = sizeof(val);

	fd = listener(_metadata, &self->srv, true);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, sizeof(val)));
	val = 0;
	ASSERT_EQ(0, getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &val, &len));
	EXPECT_EQ(1, val);
	len = sizeof(val);
	if (variant->family == AF_INET) {
		ASSERT_EQ(0, setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)));
		val = 0;
		ASSERT_EQ(0, getsockopt(fd, IPPROTO_IP, IP_TOS, &val, &len));
	} else {
		ASSERT_EQ(0, setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)));
		val = 0;
		ASSERT_EQ(0, getsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &val, &len));
	}
	EXPECT_EQ(tos, val);
}

TEST_F(ulp, children_inherit)
{
	int lfd, cli[2], child[2], i;
	uint64_t lcookie, cookie[2];

	lfd = listener(_metadata, &self->srv, true);
	lcookie = assert_info(_metadata, lfd, TCP_LISTEN);
	for (i = 0; i < 2; i++) {
		connect_pair(_metadata, self->cli_ns, variant->family, &self->srv,
			     lfd, &cli[i], &child[i]);
		EXPECT_TRUE(ulp_is_tcpark(child[i]));
		cookie[i] = assert_info(_metadata, child[i], TCP_ESTABLISHED);
		EXPECT_NE(lcookie, cookie[i]);
		assert_no_ulp(_metadata, cli[i]);
		ASSERT_EQ(0, exchange(cli[i], child[i], self->why, sizeof(self->why)))
			TH_LOG("%s", self->why);
	}
	EXPECT_NE(cookie[0], cookie[1]);
	/* The listener is unchanged by its children. */
	EXPECT_EQ(lcookie, assert_info(_metadata, lfd, TCP_LISTEN));
}

TEST_F(ulp, children_of_plain_listener)
{
	int lfd, cli, child;

	lfd = listener(_metadata, &self->srv, false);
	connect_pair(_metadata, self->cli_ns, variant->family, &self->srv, lfd, &cli, &child);
	assert_no_ulp(_metadata, child);
	assert_no_ulp(_metadata, lfd);
}

TEST_F(ulp, before_connect)
{
	int lfd, cli, child;

	lfd = listener(_metadata, &self->srv, false);
	cli = socket_in(self->cli_ns, variant->family, SOCK_STREAM);
	ASSERT_LE(0, cli);
	ASSERT_EQ(0, ulp_set(cli, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	assert_info(_metadata, cli, TCP_CLOSE);
	ASSERT_EQ(0, connect(cli, (struct sockaddr *)&self->srv.addr, self->srv.addrlen))
		TH_LOG("connect: %s", strerror(errno));
	child = accept(lfd, NULL, NULL);
	ASSERT_LE(0, child);
	assert_info(_metadata, cli, TCP_ESTABLISHED);
	ASSERT_EQ(0, exchange(cli, child, self->why, sizeof(self->why))) TH_LOG("%s", self->why);
}

TEST_F(ulp, syn_sent)
{
	struct endpoint nobody;
	int cli;

	if (!server_netns)
		SKIP(return, "needs the veth topology");
	ASSERT_EQ(0, endpoint_init(&nobody, -1, variant->family, variant->unreach_ip));
	endpoint_set_port(&nobody, 9);
	/* Neighbour resolution for an absent host keeps the SYN pending. */
	cli = connect_nonblock(self->cli_ns, variant->family, &nobody);
	ASSERT_LE(0, cli) TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(TCP_SYN_SENT, tcp_state(cli));
	ASSERT_EQ(0, ulp_set(cli, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	assert_info(_metadata, cli, TCP_SYN_SENT);
}

TEST_F_TIMEOUT(ulp, bulk_both_ways, 300)
{
	struct tcpark_info info;
	int lfd, cli, child;
	uint64_t cookie;

	lfd = listener(_metadata, &self->srv, false);
	connect_pair(_metadata, self->cli_ns, variant->family, &self->srv, lfd, &cli, &child);
	ASSERT_EQ(0, ulp_set(cli, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(child, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	cookie = assert_info(_metadata, cli, TCP_ESTABLISHED);
	ASSERT_EQ(0, xfer_both_ways(cli, child, BULK_BYTES, self->why, sizeof(self->why)))
		TH_LOG("%s", self->why);
	/* Both sides have shut down; the ULP stays until close(). */
	ASSERT_EQ(0, tcpark_info(cli, &info));
	EXPECT_EQ(cookie, info.tpi_cookie);
	EXPECT_TRUE(ulp_is_tcpark(child));
}

TEST_F(ulp, errors)
{
	int udp, fd;

	udp = socket_in(self->cli_ns, variant->family, SOCK_DGRAM);
	ASSERT_LE(0, udp);
	EXPECT_ERRNO(ENOPROTOOPT, ulp_set(udp, TCPARK_ULP_NAME));

	fd = socket_in(self->cli_ns, variant->family, SOCK_STREAM);
	ASSERT_LE(0, fd);
	assert_no_ulp(_metadata, fd);
	EXPECT_ERRNO(ENOENT, ulp_set(fd, "tcpark_nope"));
	assert_no_ulp(_metadata, fd);
	ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME));
	EXPECT_ERRNO(EEXIST, ulp_set(fd, TCPARK_ULP_NAME));
	EXPECT_TRUE(ulp_is_tcpark(fd));
	assert_info(_metadata, fd, TCP_CLOSE);
}

/* Only CLOSE, LISTEN, SYN_SENT and ESTABLISHED sockets take the ULP. */
TEST_F(ulp, closing_states)
{
	int lfd, cli, child;

	lfd = listener(_metadata, &self->srv, false);

	/* The peer shut down its side: CLOSE_WAIT. */
	connect_pair(_metadata, self->cli_ns, variant->family, &self->srv, lfd, &cli, &child);
	ASSERT_EQ(0, shutdown(child, SHUT_WR));
	ASSERT_EQ(0, wait_tcp_state(cli, TCP_CLOSE_WAIT, 5000));
	EXPECT_ERRNO(EINVAL, ulp_set(cli, TCPARK_ULP_NAME));
	assert_no_ulp(_metadata, cli);

	/* The other end: FIN sent and acked, FIN_WAIT2. */
	ASSERT_EQ(0, wait_tcp_state(child, TCP_FIN_WAIT2, 5000));
	EXPECT_ERRNO(EINVAL, ulp_set(child, TCPARK_ULP_NAME));
	assert_no_ulp(_metadata, child);
}

/*
 * Dual stack. IPv6 variant: a [::] listener with the ULP serves an IPv4
 * client. IPv4 variant: an IPv6 client with the ULP connects to a v4-mapped
 * address. Either way IPV6_ADDRFORM, which would swap in tcp_prot under
 * the ULP, must be refused.
 */
TEST_F(ulp, dual_stack)
{
	const char *ip = server_netns ? variant->cross_ip : variant->lo_cross_ip;
	struct endpoint any, to;
	int lfd, cli, child, v6fd, v4 = AF_INET;

	if (variant->family == AF_INET6) {
		ASSERT_EQ(0, endpoint_init(&any, self->srv_ns, AF_INET6, "::"));
		lfd = listener(_metadata, &any, true);
		ASSERT_EQ(0, endpoint_init(&to, -1, AF_INET, ip));
		endpoint_set_port(&to, endpoint_port(&any));
		connect_pair(_metadata, self->cli_ns, AF_INET, &to, lfd, &cli, &child);
		v6fd = child;
	} else {
		lfd = listener(_metadata, &self->srv, true);
		ASSERT_EQ(0, endpoint_init(&to, -1, AF_INET6, ip));
		endpoint_set_port(&to, endpoint_port(&self->srv));
		cli = socket_in(self->cli_ns, AF_INET6, SOCK_STREAM);
		ASSERT_LE(0, cli);
		ASSERT_EQ(0, ulp_set(cli, TCPARK_ULP_NAME));
		ASSERT_EQ(0, connect(cli, (struct sockaddr *)&to.addr, to.addrlen))
			TH_LOG("connect: %s", strerror(errno));
		child = accept(lfd, NULL, NULL);
		ASSERT_LE(0, child);
		assert_info(_metadata, cli, TCP_ESTABLISHED);
		v6fd = cli;
	}
	EXPECT_TRUE(ulp_is_tcpark(child));
	EXPECT_NE(assert_info(_metadata, lfd, TCP_LISTEN),
		  assert_info(_metadata, child, TCP_ESTABLISHED));
	ASSERT_EQ(0, exchange(cli, child, self->why, sizeof(self->why))) TH_LOG("%s", self->why);

	EXPECT_ERRNO(EBUSY, setsockopt(v6fd, IPPROTO_IPV6, IPV6_ADDRFORM, &v4, sizeof(v4)));
	EXPECT_TRUE(ulp_is_tcpark(v6fd));
	assert_info(_metadata, v6fd, TCP_ESTABLISHED);
	ASSERT_EQ(0, exchange(cli, child, self->why, sizeof(self->why))) TH_LOG("%s", self->why);
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
