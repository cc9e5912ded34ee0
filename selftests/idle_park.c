// SPDX-License-Identifier: GPL-2.0
/*
 * The idle timer in transient mode: a connection quiet for TCPARK_IDLE_MS
 * parks while its app still holds the fd (blocked in poll/read). The app
 * sees end of stream (POLLIN|POLLRDHUP|POLLHUP, read() == 0, write()
 * EPIPE); the client notices nothing and its keepalives keep being
 * answered. Activity defers the park; unread data prevents it; persistent
 * mode does not park (not built yet).
 *
 * idle_park --server-netns PATH --client-netns PATH [harness options]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"

#define IDLE_MS 300

static const char *server_netns, *client_netns;

FIXTURE(idle) {
	int srv_ns, cli_ns;
	struct endpoint srv;
	int lfd, cli, child;
	long last_tx_ms;	/* just before the server's last send */
};

FIXTURE_VARIANT(idle) {
	int family;
	const char *srv_ip;
};

FIXTURE_VARIANT_ADD(idle, ipv4) {
	.family = AF_INET,
	.srv_ip = "198.18.0.1",
};

FIXTURE_VARIANT_ADD(idle, ipv6) {
	.family = AF_INET6,
	.srv_ip = "fd00:7c::1",
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_u32(int fd, int opt, __u32 val)
{
	return setsockopt(fd, SOL_TCPARK, opt, &val, sizeof(val));
}

/* A listener with the ULP in @mode and the idle timer, one accepted pair. */
static void make_pair(struct __test_metadata *_metadata, FIXTURE_DATA(idle) *self,
		      int family, __u32 mode)
{
	char b;

	self->lfd = listen_on(&self->srv, 16);
	ASSERT_LE(0, self->lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(self->lfd, TCPARK_ULP_NAME));
	ASSERT_EQ(0, set_u32(self->lfd, TCPARK_MODE, mode));
	ASSERT_EQ(0, set_u32(self->lfd, TCPARK_IDLE_MS, IDLE_MS));
	self->cli = connect_to(self->cli_ns, family, &self->srv);
	ASSERT_LE(0, self->cli) TH_LOG("connect: %s", strerror(errno));
	self->child = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->child);
	ASSERT_EQ(1, write(self->cli, "q", 1));
	ASSERT_EQ(1, read(self->child, &b, 1));
	self->last_tx_ms = now_ms();
	ASSERT_EQ(1, write(self->child, "a", 1));
	ASSERT_EQ(1, read(self->cli, &b, 1));
}

FIXTURE_SETUP(idle)
{
	if (!server_netns)
		SKIP(return, "needs --server-netns and --client-netns");
	self->srv_ns = netns_open(server_netns);
	self->cli_ns = netns_open(client_netns);
	ASSERT_LE(0, self->srv_ns);
	ASSERT_LE(0, self->cli_ns);
	ASSERT_EQ(0, endpoint_init(&self->srv, self->srv_ns, variant->family,
				   variant->srv_ip));
	self->lfd = self->cli = self->child = -1;
}

FIXTURE_TEARDOWN(idle)
{
	if (self->child >= 0)
		close(self->child);
	if (self->cli >= 0)
		close(self->cli);
	if (self->lfd >= 0)
		close(self->lfd);
	close(self->srv_ns);
	close(self->cli_ns);
}

/*
 * Wait for end of stream on @fd; returns the ms from @since to the wake-up,
 * -1 on timeout.
 */
static long wait_eof(int fd, int timeout_ms, short *revents, long since)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	*revents = p.revents;
	return now_ms() - since;
}

TEST_F(idle, blocked_app_sees_eof_client_stays)
{
	int one = 1, ka_idle = 1, ka_intvl = 1, ka_cnt = 2;
	struct tcpark_info info;
	short rev = 0;
	long took;
	char b;

	make_pair(_metadata, self, variant->family, TCPARK_MODE_TRANSIENT);
	took = wait_eof(self->child, 5000, &rev, self->last_tx_ms);
	ASSERT_NE(-1, took) TH_LOG("no end of stream within 5 s");
	/*
	 * The idle clock starts at the last segment, which is no earlier than
	 * the server's last send; slow kernels spend part of it in setup.
	 */
	EXPECT_GE(took, IDLE_MS - 10);
	/* The first wake-up may come from inside the park (state CLOSE). */
	EXPECT_EQ(POLLHUP, rev & POLLHUP);
	EXPECT_EQ(0, read(self->child, &b, 1));
	ASSERT_NE(-1, wait_eof(self->child, 0, &rev, 0));
	EXPECT_EQ(POLLIN | POLLRDHUP | POLLHUP, rev & (POLLIN | POLLRDHUP | POLLHUP));
	EXPECT_EQ(-1, send(self->child, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(0, tcpark_info(self->child, &info));
	EXPECT_EQ(TCP_CLOSE, (int)info.tpi_tcp_state);
	EXPECT_EQ(1, info.tpi_parks) TH_LOG("the park is counted on the socket");

	/* The client saw nothing and its keepalives are answered. */
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_KEEPALIVE, &one, 4));
	ASSERT_EQ(0, setsockopt(self->cli, IPPROTO_TCP, TCP_KEEPIDLE, &ka_idle, 4));
	ASSERT_EQ(0, setsockopt(self->cli, IPPROTO_TCP, TCP_KEEPINTVL, &ka_intvl, 4));
	ASSERT_EQ(0, setsockopt(self->cli, IPPROTO_TCP, TCP_KEEPCNT, &ka_cnt, 4));
	sleep(5);	/* unanswered, 1 + 2 probes would kill it in ~3 s */
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->cli));
}

/*
 * One round of traffic every IDLE_MS / 3 for 4 x IDLE_MS: 1 if it never
 * parked, 0 if a gap between two sends reached IDLE_MS (a loaded TCG
 * host can oversleep that long; a park after such a gap is correct, so
 * the round proves nothing), -1 if it parked although never idle.
 */
static int busy_round(FIXTURE_DATA(idle) *self)
{
	long start = now_ms(), last = self->last_tx_ms, t;
	char b;

	while (now_ms() - start < 4 * IDLE_MS) {
		usleep(IDLE_MS * 1000 / 3);
		t = now_ms();
		if (t - last >= IDLE_MS)
			return 0;
		if (write(self->cli, "t", 1) != 1 || read(self->child, &b, 1) != 1)
			return now_ms() - last >= IDLE_MS ? 0 : -1;
		last = t;
	}
	return 1;
}

TEST_F(idle, activity_defers_park)
{
	int try, ret = 0;
	short rev;

	for (try = 0; try < 5 && !ret; try++) {
		if (try) {
			close(self->child);
			close(self->cli);
			close(self->lfd);
			TH_LOG("round %d: a gap of %d ms or more, again", try, IDLE_MS);
		}
		make_pair(_metadata, self, variant->family, TCPARK_MODE_TRANSIENT);
		ret = busy_round(self);
	}
	ASSERT_EQ(1, ret) TH_LOG("parked while busy (or 5 rounds with gaps)");
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->child));
	EXPECT_NE(-1, wait_eof(self->child, 5000, &rev, 0));
}

TEST_F(idle, unread_data_is_not_parked)
{
	short rev;
	char b;

	make_pair(_metadata, self, variant->family, TCPARK_MODE_TRANSIENT);
	ASSERT_EQ(1, write(self->cli, "u", 1));
	usleep(IDLE_MS * 4 * 1000);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->child));
	ASSERT_NE(-1, wait_eof(self->child, 100, &rev, 0));
	EXPECT_EQ(0, rev & POLLRDHUP);
	EXPECT_EQ(1, read(self->child, &b, 1));
	EXPECT_EQ('u', b);
}

TEST_F(idle, persistent_mode_is_not_parked)
{
	short rev;

	make_pair(_metadata, self, variant->family, TCPARK_MODE_PERSISTENT);
	EXPECT_EQ(-1, wait_eof(self->child, 4 * IDLE_MS, &rev, 0));
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->child));
}

int main(int argc, char **argv)
{
	int i, j = 1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--server-netns") && i + 1 < argc)
			server_netns = argv[++i];
		else if (!strcmp(argv[i], "--client-netns") && i + 1 < argc)
			client_netns = argv[++i];
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return test_harness_run(j, argv);
}
