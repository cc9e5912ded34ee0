// SPDX-License-Identifier: GPL-2.0
/*
 * wake_mass -s SERVER_NETNS -c CLIENT_NETNS mixed [-n CONNS] [-r ROUNDS] [-w WINDOW]
 *	[-t SECONDS] [-e NETEM]
 * wake_mass -s SERVER_NETNS -c CLIENT_NETNS race [-n ITERATIONS]
 *
 * Waking parked transient connections in bulk, on lib.sh's topology: two
 * listeners with the tcpark ULP (TCPARK_MODE_TRANSIENT, idle timer off) on
 * 198.18.0.1 and fd00:7c::1 in the server netns, plain clients in the
 * client netns.
 *
 * mixed: CONNS connections (IPv4 and IPv6 alternating) are parked by the
 * server's close(). Then netem (loss 10%, reorder 25%, delay 5 ms) goes on
 * both veth ends and ROUNDS rounds follow. Each round wakes every
 * connection once, in a shuffled order, at most WINDOW at a time: a
 * shuffled half by the client sending a request (the server accept()s it,
 * TCPARK_F_REACTIVATED, reads the request, answers), the other half by the
 * server connect()ing to the client's ip:port (a remap: getsockname() is
 * the original server ip:port, TCPARK_F_REMAPPED), sending a request that
 * the client reads on its original socket and answers. Every byte is
 * compared, each message has its own pseudo-random content and length
 * (1 to 3 segments). Once its peer's bytes are all acknowledged the server
 * closes the socket again: it parks for the next round. After each round
 * the counters must have moved by exactly the numbers of each kind. A
 * capture on veth_cli counts RSTs sent to the clients: there must be none,
 * and no client socket may see an error.
 *
 * race: one connection parked (IPv4 and IPv6 in turn), then, released by a
 * barrier at the same instant, a client thread sends a request and a
 * server thread connect()s to the client. Exactly one must win: connect()
 * succeeds and accept() never returns the connection, or accept() returns
 * it and connect() fails with EADDRNOTAVAIL (reactivation in flight) or
 * ECONNREFUSED (the record was gone: a plain connect to a port nobody
 * listens on). The winner reads the request byte-exact, its answer
 * reaches the client, then it parks again for the next iteration. Prints
 * how often each side won.
 *
 * -t: a wake not done within SECONDS (default 60) fails the round, with
 * both ends' TCP_INFO and the connection's last segments on veth_cli.
 * -e: other netem parameters, to try things.
 *
 * Every woken socket's first RTT estimate must be under a second (the
 * veth's RTT is a few ms): the RTO follows from it.
 *
 * Both end with the clients' abortive close (an RST at exactly the
 * record's rcv_nxt, which ends a record). The script checks what is left.
 * Exit status 0 when every check passed; each failure prints "FAIL: ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"
#include "pkt.h"
#include "xfer.h"

#define MAXMSG		6000	/* bytes: up to 5 segments of 1448 */
static const char *netem_args = "loss 10% reorder 25% delay 5ms";

static const char *srv_path, *cli_path;
static int sns, cns;
static int lfds[2] = { -1, -1 };
static struct endpoint leps[2];
static int failures;

#define fail(...) do {					\
	printf("FAIL: " __VA_ARGS__);			\
	printf("\n");					\
	failures++;					\
} while (0)

static uint64_t xs = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs >> 16;
}

/* The bytes of one message: its own stream per (connection, round, way). */
static void msg_fill(char *buf, size_t len, uint32_t conn, uint32_t round, int way)
{
	fill_random((uint8_t *)buf, len, 0x9e3779b97f4a7c15ULL ^ ((uint64_t)conn << 32) ^
		    ((uint64_t)round << 8) ^ (uint64_t)way);
}

static size_t msg_len(void)
{
	/* Mostly one segment, a third of them two to four. */
	return rnd() % 3 ? 1 + rnd() % 1400 : 1449 + rnd() % (MAXMSG - 1449);
}

static double ms_since(uint64_t t)
{
	return (now_ns() - t) / 1e6;
}

static const char *netns_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static uint64_t stat_of(const char *name)
{
	uint64_t v = 0;

	if (ctl_stat(srv_path, name, &v)) {
		fail("tcparkctl -j stats: no \"%s\"", name);
		return UINT64_MAX;
	}
	return v;
}

/* The counters the tests account for, read together. */
static const char *const stat_names[] = {
	"parked", "parks", "reactivated", "remapped", "wakes", "no_listener",
	"backlog", "expired", "drops", "ka_answered", "challenge_acks",
};

#define NSTATS (sizeof(stat_names) / sizeof(stat_names[0]))
enum { S_PARKED, S_PARKS, S_REACT, S_REMAP, S_WAKES, S_NOLIST, S_BACKLOG,
       S_EXPIRED, S_DROPS, S_KA, S_CHALLENGE };

struct stats {
	uint64_t v[NSTATS];
};

static void stats_read(struct stats *s)
{
	size_t i;

	for (i = 0; i < NSTATS; i++)
		s->v[i] = stat_of(stat_names[i]);
}

/* Counter @i moved from @a to @b by exactly @want. */
static void stat_delta(const char *what, const struct stats *a,
		       const struct stats *b, int i, uint64_t want)
{
	if (b->v[i] - a->v[i] != want)
		fail("%s: \"%s\" went %llu -> %llu (+%lld), want +%llu", what,
		     stat_names[i], (unsigned long long)a->v[i],
		     (unsigned long long)b->v[i], (long long)(b->v[i] - a->v[i]),
		     (unsigned long long)want);
}

static bool parked_is(uint64_t n, int ms)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i <= ms; i += 50) {
		if (!ctl_stat(srv_path, "parked", &v) && v == n)
			return true;
		msleep(50);
	}
	fail("\"parked\" is %llu, want %llu", (unsigned long long)v,
	     (unsigned long long)n);
	return false;
}

static int netem(bool on)
{
	static const char *const devs[2] = { "veth_srv", "veth_cli" };
	const char *paths[2] = { srv_path, cli_path };
	char cmd[256];
	int i, ret = 0;

	for (i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "tc -n %s qdisc %s dev %s root%s%s",
			 netns_name(paths[i]), on ? "add" : "del", devs[i],
			 on ? " netem " : "", on ? netem_args : "");
		if (system(cmd))
			ret = -1;
	}
	return ret;
}

static int listeners_open(void)
{
	static const char *const ips[2] = { "198.18.0.1", "fd00:7c::1" };
	__u32 mode = TCPARK_MODE_TRANSIENT, idle = 0;
	int i;

	for (i = 0; i < 2; i++) {
		endpoint_init(&leps[i], sns, i ? AF_INET6 : AF_INET, ips[i]);
		lfds[i] = listen_on(&leps[i], 4096);
		if (lfds[i] < 0 || ulp_set(lfds[i], TCPARK_ULP_NAME) ||
		    setsockopt(lfds[i], SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
		    setsockopt(lfds[i], SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle)) ||
		    fcntl(lfds[i], F_SETFL, O_NONBLOCK)) {
			fail("listener on %s: %s", ips[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* One connection as both ends and the server's remap see it. */
struct wconn {
	int idx, li;			/* listener: 0 IPv4, 1 IPv6 */
	int cli, srv;			/* srv -1 while parked */
	struct sockaddr_storage caddr;	/* the client, for the server's connect() */
	socklen_t calen;
	uint16_t sport, cport;
	uint64_t cookie;
	/* this round */
	int kind;			/* WAKE_* */
	int state;			/* ST_* */
	bool dumped;			/* reported as stuck */
	uint64_t t_start;
	size_t req_len, rsp_len, req_sent, req_got, rsp_sent, rsp_got;
	char req[MAXMSG], rsp[MAXMSG], got[MAXMSG];
};

enum { WAKE_CLIENT, WAKE_SERVER };
enum { ST_PARKED, ST_REQ, ST_RSP, ST_CLOSING, ST_DONE };

static struct wconn *conns;
static int nconns;
static int *by_port[2];		/* client port -> index, per family */

/* Connect @n clients, accept each, note the cookie; not parked yet. */
static int conns_open(int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i;

	conns = calloc(n, sizeof(*conns));
	by_port[0] = calloc(65536, sizeof(int));
	by_port[1] = calloc(65536, sizeof(int));
	if (!conns || !by_port[0] || !by_port[1])
		return -1;
	for (i = 0; i < n; i++) {
		struct wconn *c = &conns[i];
		struct pollfd pfd;

		c->idx = i;
		c->li = i & 1;
		c->srv = -1;
		c->cli = connect_to(cns, leps[c->li].family, &leps[c->li]);
		if (c->cli < 0) {
			fail("connect %d: %s", i, strerror(errno));
			return -1;
		}
		pfd.fd = lfds[c->li];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5000) == 1)
			c->srv = accept4(lfds[c->li], NULL, NULL, SOCK_NONBLOCK);
		if (c->srv < 0) {
			fail("accept %d: %s", i, strerror(errno));
			return -1;
		}
		c->calen = sizeof(c->caddr);
		len = sizeof(ss);
		if (getsockname(c->cli, (struct sockaddr *)&c->caddr, &c->calen) ||
		    getpeername(c->cli, (struct sockaddr *)&ss, &len)) {
			fail("getsockname %d: %s", i, strerror(errno));
			return -1;
		}
		c->cport = ntohs(((struct sockaddr_in *)&c->caddr)->sin_port);
		c->sport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		c->cookie = so_cookie(c->srv);
		by_port[c->li][c->cport] = i;
		nconns++;
	}
	return 0;
}

/* Close every server socket: in transient mode each one parks. */
static void conns_park_all(void)
{
	int i;

	for (i = 0; i < nconns; i++) {
		if (conns[i].srv >= 0)
			close(conns[i].srv);
		conns[i].srv = -1;
	}
}

/* Abortive close of every client: an RST at the record's rcv_nxt. */
static void conns_reset_clients(void)
{
	struct linger lg = { 1, 0 };
	int i;

	for (i = 0; i < nconns; i++) {
		setsockopt(conns[i].cli, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(conns[i].cli);
		conns[i].cli = -1;
	}
}

/* Every client ESTABLISHED, no socket error (an RST would leave one). */
static int clients_healthy(const char *when, uint64_t *retrans)
{
	int i, bad = 0, err;
	struct tcp_info ti;
	socklen_t len;

	*retrans = 0;
	for (i = 0; i < nconns; i++) {
		len = sizeof(err);
		err = 0;
		getsockopt(conns[i].cli, SOL_SOCKET, SO_ERROR, &err, &len);
		len = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		getsockopt(conns[i].cli, IPPROTO_TCP, TCP_INFO, &ti, &len);
		*retrans += ti.tcpi_total_retrans;
		if (err || ti.tcpi_state != TCP_ESTABLISHED) {
			if (bad++ < 10)
				fail("%s: client %d (:%u) state %u error %s", when, i,
				     conns[i].cport, ti.tcpi_state, strerror(err));
		}
	}
	return bad ? -1 : 0;
}

/*
 * Woken sockets whose first RTT estimate is over a second (the veth RTT
 * is a few ms, 10 with netem's delay): their RTO is then far too long
 * and a lost segment stalls the connection that much.
 */
#define RTT_SANE_US	1000000
static int slow_rtt;
static uint32_t max_rtt_us, max_rto_us;

static void check_rtt(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return;
	if (ti.tcpi_rtt > RTT_SANE_US)
		slow_rtt++;
	if (ti.tcpi_rtt > max_rtt_us) {
		max_rtt_us = ti.tcpi_rtt;
		max_rto_us = ti.tcpi_rto;
	}
}

static void report_rtt(const char *what)
{
	printf("%s: woken sockets' first RTT estimate: max %u ms (RTO %u ms), %d over %d ms\n",
	       what, max_rtt_us / 1000, max_rto_us / 1000, slow_rtt, RTT_SANE_US / 1000);
	if (slow_rtt)
		fail("%d woken sockets started with an RTT estimate over %d ms (max %u ms, "
		     "RTO %u ms): a lost segment then stalls them for the RTO",
		     slow_rtt, RTT_SANE_US / 1000, max_rtt_us / 1000, max_rto_us / 1000);
}

/* The woken socket carries the record's identity and the right flag. */
static int check_woken(struct wconn *c, int fd, uint32_t flag)
{
	struct sockaddr_storage ss;
	struct tcpark_info info;
	socklen_t len = sizeof(ss);
	const char *how = flag == TCPARK_F_REMAPPED ? "remap" : "accept";

	if (tcpark_info(fd, &info)) {
		fail("conn %d: %s: TCPARK_INFO: %s", c->idx, how, strerror(errno));
		return -1;
	}
	if (!(info.tpi_flags & flag) || info.tpi_cookie != c->cookie ||
	    so_cookie(fd) != c->cookie) {
		fail("conn %d: %s: flags 0x%x cookie %llu/%llu, want flag 0x%x cookie %llu",
		     c->idx, how, info.tpi_flags, (unsigned long long)info.tpi_cookie,
		     (unsigned long long)so_cookie(fd), flag,
		     (unsigned long long)c->cookie);
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    ntohs(((struct sockaddr_in *)&ss)->sin_port) != c->sport ||
	    ss.ss_family != leps[c->li].family) {
		fail("conn %d: %s: local port %u family %d, want %u %d", c->idx, how,
		     ntohs(((struct sockaddr_in *)&ss)->sin_port), ss.ss_family,
		     c->sport, leps[c->li].family);
		return -1;
	}
	check_rtt(fd);
	return 0;
}

/* A ULP socket in the server netns, transient like the listener's children. */
static int remap_socket(int family)
{
	__u32 mode = TCPARK_MODE_TRANSIENT, idle = 0;
	int fd = socket_in(sns, family, SOCK_STREAM);

	if (fd < 0)
		return -1;
	if (ulp_set(fd, TCPARK_ULP_NAME) ||
	    setsockopt(fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
	    setsockopt(fd, SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Nothing unsent, unacked or unread: a close() of @fd parks. */
static bool quiet(int fd)
{
	int out = -1, in = -1;

	return !ioctl(fd, SIOCOUTQ, &out) && !ioctl(fd, SIOCINQ, &in) && !out && !in;
}

/* ---- mixed ----------------------------------------------------------- */

static int ep;			/* epoll */
static uint64_t bytes_c2s, bytes_s2c;
static int round_no;

enum { EV_CLI = 1, EV_SRV, EV_LST };

static void ep_add(int fd, int type, int idx)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = (uint64_t)type << 32 | (uint32_t)idx,
	};

	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		fail("epoll_ctl: %s", strerror(errno));
}

/* The fds of this round's requester and responder. */
static int req_from(const struct wconn *c)
{
	return c->kind == WAKE_CLIENT ? c->cli : c->srv;
}

static int rsp_from(const struct wconn *c)
{
	return c->kind == WAKE_CLIENT ? c->srv : c->cli;
}

static int send_more(struct wconn *c, int fd, const char *buf, size_t len, size_t *sent)
{
	ssize_t n;

	if (*sent == len || fd < 0)
		return 0;
	n = send(fd, buf + *sent, len - *sent, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN)
			return 0;
		fail("conn %d round %d: send on %s: %s", c->idx, round_no,
		     fd == c->cli ? "client" : "server", strerror(errno));
		return -1;
	}
	if (fd == c->cli)
		bytes_c2s += n;
	else
		bytes_s2c += n;
	*sent += n;
	return 0;
}

/* Start waking @c: the client speaks, or the server connect()s and speaks. */
static int wake_start(struct wconn *c)
{
	int err;

	c->state = ST_REQ;
	c->t_start = now_ns();
	c->req_len = msg_len();
	c->rsp_len = msg_len();
	c->req_sent = c->req_got = c->rsp_sent = c->rsp_got = 0;
	msg_fill(c->req, c->req_len, c->idx, round_no, c->kind == WAKE_CLIENT ? 'c' : 's');
	msg_fill(c->rsp, c->rsp_len, c->idx, round_no, c->kind == WAKE_CLIENT ? 's' : 'c');
	if (c->kind == WAKE_SERVER) {
		c->srv = remap_socket(leps[c->li].family);
		if (c->srv < 0) {
			fail("conn %d: remap socket: %s", c->idx, strerror(errno));
			return -1;
		}
		if (connect(c->srv, (struct sockaddr *)&c->caddr, c->calen)) {
			err = errno;
			fail("conn %d round %d: remap connect() to :%u: %s", c->idx,
			     round_no, c->cport, strerror(err));
			close(c->srv);
			c->srv = -1;
			return -1;
		}
		if (check_woken(c, c->srv, TCPARK_F_REMAPPED))
			return -1;
		fcntl(c->srv, F_SETFL, O_NONBLOCK);
		ep_add(c->srv, EV_SRV, c->idx);
	}
	return send_more(c, req_from(c), c->req, c->req_len, &c->req_sent);
}

/* Read what @fd has for @c's current message; compare as it comes. */
static int take(struct wconn *c, int fd)
{
	bool is_cli = fd == c->cli;
	const char *want;
	size_t len, *got;
	ssize_t n;
	char b;

	if (c->state == ST_REQ && fd == rsp_from(c)) {
		want = c->req;
		len = c->req_len;
		got = &c->req_got;
	} else if (c->state == ST_RSP && fd == req_from(c)) {
		want = c->rsp;
		len = c->rsp_len;
		got = &c->rsp_got;
	} else {
		n = recv(fd, &b, 1, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			return 0;
		fail("conn %d round %d: %s readable in state %d (recv %zd: %s)", c->idx,
		     round_no, is_cli ? "client" : "server", c->state, n,
		     n < 0 ? strerror(errno) : n ? "a byte" : "EOF");
		return -1;
	}
	n = recv(fd, c->got + *got, len - *got, MSG_DONTWAIT);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return 0;
		fail("conn %d round %d: recv on %s after %zu of %zu bytes: %s", c->idx,
		     round_no, is_cli ? "client" : "server", *got, len,
		     n ? strerror(errno) : "EOF");
		return -1;
	}
	if (memcmp(c->got + *got, want + *got, n)) {
		size_t i;

		for (i = 0; c->got[*got + i] == want[*got + i]; i++)
			;
		fail("conn %d round %d: %s byte %zu of %zu is 0x%02x, want 0x%02x",
		     c->idx, round_no, is_cli ? "client" : "server", *got + i, len,
		     (uint8_t)c->got[*got + i], (uint8_t)want[*got + i]);
		return -1;
	}
	*got += n;
	if (*got < len)
		return 0;
	if (c->state == ST_REQ) {
		c->state = ST_RSP;
		return send_more(c, rsp_from(c), c->rsp, c->rsp_len, &c->rsp_sent);
	}
	c->state = ST_CLOSING;
	return 0;
}

static int accept_all(int li)
{
	struct wconn *c;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, port;

	for (;;) {
		len = sizeof(ss);
		fd = accept4(lfds[li], (struct sockaddr *)&ss, &len, SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EAGAIN)
				return 0;
			fail("accept: %s", strerror(errno));
			return -1;
		}
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		c = &conns[by_port[li][port]];
		if (c->cport != port || c->kind != WAKE_CLIENT || c->state != ST_REQ ||
		    c->srv >= 0) {
			fail("round %d: accept() returned :%u (conn %d, %s, state %d)",
			     round_no, port, c->idx,
			     c->kind == WAKE_CLIENT ? "client wakes" : "server wakes",
			     c->state);
			close(fd);
			return -1;
		}
		c->srv = fd;
		if (check_woken(c, fd, TCPARK_F_REACTIVATED))
			return -1;
		ep_add(fd, EV_SRV, c->idx);
		if (take(c, fd))
			return -1;
	}
}

/*
 * Capture on veth_cli: RSTs that reach the clients, and the segments
 * themselves, to show a stuck connection's history.
 */
#define MAXPKTS		200000
static struct cap cap = { .fd = -1 };
static volatile int cap_stop;
static uint64_t cap_rsts, cap_pkts, cap_t0;
static struct pkt *pkts;

static void dump_wire(const struct wconn *c)
{
	uint64_t i, n = cap_pkts < MAXPKTS ? cap_pkts : MAXPKTS, shown = 0;
	char line[256];

	for (i = n; i-- > 0 && shown < 40;)
		shown += pkts[i].src.port == c->cport || pkts[i].dst.port == c->cport;
	printf("#   last %llu segments of :%u on veth_cli (ms since netem on):\n",
	       (unsigned long long)shown, c->cport);
	for (i++; i < n; i++) {
		if (pkts[i].src.port != c->cport && pkts[i].dst.port != c->cport)
			continue;
		pkt_print(&pkts[i], cap_t0, line, sizeof(line));
		printf("#   %s\n", line);
	}
}

static void tcp_info_str(int fd, char *buf, size_t len)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	int in = -1, out = -1;

	memset(&ti, 0, sizeof(ti));
	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl)) {
		snprintf(buf, len, "none");
		return;
	}
	ioctl(fd, SIOCINQ, &in);
	ioctl(fd, SIOCOUTQ, &out);
	snprintf(buf, len, "state %u inq %d outq %d unacked %u lost %u retrans %u/%u "
		 "backoff %u rto %u ms cwnd %u last data sent/recv, ack recv %u/%u/%u ms ago",
		 ti.tcpi_state, in, out, ti.tcpi_unacked, ti.tcpi_lost,
		 ti.tcpi_retrans, ti.tcpi_total_retrans, ti.tcpi_backoff,
		 ti.tcpi_rto / 1000, ti.tcpi_snd_cwnd, ti.tcpi_last_data_sent,
		 ti.tcpi_last_data_recv, ti.tcpi_last_ack_recv);
}

static void dump_stuck(struct wconn *c)
{
	static int dumped;
	char ci[256], si[256];

	if (c->dumped)
		return;
	c->dumped = true;
	tcp_info_str(c->cli, ci, sizeof(ci));
	tcp_info_str(c->srv, si, sizeof(si));
	fail("conn %d (%s :%u <- :%u) round %d: %s wake stuck in state %d after %.0f ms: "
	     "req %zu/%zu/%zu rsp %zu/%zu/%zu (sent/got/len)", c->idx,
	     c->li ? "v6" : "v4", c->sport, c->cport, round_no,
	     c->kind == WAKE_CLIENT ? "client" : "server", c->state, ms_since(c->t_start),
	     c->req_sent, c->req_got, c->req_len, c->rsp_sent, c->rsp_got, c->rsp_len);
	printf("#   client: %s\n#   server: %s\n", ci, si);
	if (pkts && dumped++ < 4)
		dump_wire(c);
}

/*
 * One round: every connection woken once, at most @window at a time,
 * then parked again. Returns the number of failures in it.
 */
static int mixed_round(int window, int timeout_ms, int *nkind)
{
	struct epoll_event evs[64];
	int *order, *active, nactive = 0, next = 0, done = 0, i, j, n, f0 = failures;
	uint64_t t0 = now_ns();

	order = calloc(nconns, sizeof(int));
	active = calloc(window, sizeof(int));
	if (!order || !active)
		return 1;
	/* A shuffled half of each kind, woken in another shuffled order. */
	for (i = 0; i < nconns; i++)
		order[i] = i;
	for (i = nconns - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		n = order[i];
		order[i] = order[j];
		order[j] = n;
	}
	nkind[0] = nkind[1] = 0;
	for (i = 0; i < nconns; i++) {
		conns[order[i]].kind = i < nconns / 2 ? WAKE_CLIENT : WAKE_SERVER;
		conns[order[i]].state = ST_PARKED;
		nkind[conns[order[i]].kind]++;
	}
	for (i = nconns - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		n = order[i];
		order[i] = order[j];
		order[j] = n;
	}

	while (done < nconns && failures == f0) {
		while (nactive < window && next < nconns) {
			struct wconn *c = &conns[order[next++]];

			active[nactive++] = c->idx;
			if (wake_start(c))
				goto out;
		}
		n = epoll_wait(ep, evs, 64, 5);
		for (i = 0; i < n && failures == f0; i++) {
			int type = evs[i].data.u64 >> 32, idx = (uint32_t)evs[i].data.u64;

			if (type == EV_LST)
				accept_all(idx);
			else
				take(&conns[idx], type == EV_CLI ? conns[idx].cli : conns[idx].srv);
		}
		for (i = 0; i < nactive && failures == f0; i++) {
			struct wconn *c = &conns[active[i]];

			if (c->state == ST_REQ)
				send_more(c, req_from(c), c->req, c->req_len, &c->req_sent);
			else if (c->state == ST_RSP)
				send_more(c, rsp_from(c), c->rsp, c->rsp_len, &c->rsp_sent);
			if (c->state == ST_CLOSING && quiet(c->srv)) {
				close(c->srv);	/* parks */
				c->srv = -1;
				c->state = ST_DONE;
			}
			if (c->state == ST_DONE) {
				done++;
				active[i--] = active[--nactive];
				continue;
			}
			if (ms_since(c->t_start) > timeout_ms)
				dump_stuck(c);
		}
	}
out:
	if (failures != f0) {
		for (i = 0; i < nactive; i++)
			if (conns[active[i]].state != ST_DONE && failures - f0 < 20)
				dump_stuck(&conns[active[i]]);
	}
	printf("round %d: %d woken by the client, %d by the server's connect(), "
	       "%d done in %.0f ms\n", round_no, nkind[WAKE_CLIENT], nkind[WAKE_SERVER],
	       done, ms_since(t0));
	free(order);
	free(active);
	return failures - f0;
}

static void *cap_thread(void *arg)
{
	struct pkt p;
	char line[256];

	(void)arg;
	while (!cap_stop) {
		if (cap_next(&cap, &p, 100) != 1)
			continue;
		if (cap_pkts < MAXPKTS)
			pkts[cap_pkts] = p;
		cap_pkts++;
		if (!p.out && (p.flags & TH_RST)) {
			if (cap_rsts++ < 10) {
				pkt_print(&p, 0, line, sizeof(line));
				printf("FAIL: RST to a client: %s\n", line);
			}
		}
	}
	return NULL;
}

static int mixed(int n, int rounds, int window, int timeout_ms)
{
	struct stats s0, s1, s2;
	uint64_t t0, retrans;
	int nkind[2], r, i;
	pthread_t th;

	printf("mixed: %d connections, %d rounds, %d wakes at a time\n", n, rounds, window);
	t0 = now_ns();
	if (listeners_open() || conns_open(n))
		return 1;
	printf("%d connections open in %.0f ms\n", n, ms_since(t0));
	stats_read(&s0);
	conns_park_all();
	if (!parked_is(s0.v[S_PARKED] + n, 5000))
		return 1;
	stats_read(&s1);
	stat_delta("initial park", &s0, &s1, S_PARKS, n);

	ep = epoll_create1(0);
	for (i = 0; i < 2; i++)
		ep_add(lfds[i], EV_LST, i);
	for (i = 0; i < nconns; i++) {
		fcntl(conns[i].cli, F_SETFL, O_NONBLOCK);
		ep_add(conns[i].cli, EV_CLI, i);
	}
	if (cap_open(&cap, cns, "veth_cli")) {
		fail("capture on veth_cli: %s", strerror(errno));
		return 1;
	}
	pkts = calloc(MAXPKTS, sizeof(*pkts));
	cap_t0 = now_ns();
	pthread_create(&th, NULL, cap_thread, NULL);
	if (netem(true)) {
		fail("tc qdisc add ... netem %s", netem_args);
		return 1;
	}
	printf("netem %s on veth_srv and veth_cli\n", netem_args);

	for (r = 1; r <= rounds && !failures; r++) {
		round_no = r;
		stats_read(&s1);
		if (mixed_round(window, timeout_ms, nkind))
			break;
		if (!parked_is(s1.v[S_PARKED], 10000))
			break;
		stats_read(&s2);
		stat_delta("round", &s1, &s2, S_REACT, nkind[WAKE_CLIENT]);
		stat_delta("round", &s1, &s2, S_REMAP, nkind[WAKE_SERVER]);
		stat_delta("round", &s1, &s2, S_WAKES, n);
		stat_delta("round", &s1, &s2, S_PARKS, n);
		stat_delta("round", &s1, &s2, S_NOLIST, 0);
		stat_delta("round", &s1, &s2, S_BACKLOG, 0);
		stat_delta("round", &s1, &s2, S_EXPIRED, 0);
		stat_delta("round", &s1, &s2, S_DROPS, 0);
		printf("round %d counters: reactivated +%llu remapped +%llu parks +%llu "
		       "drops +%llu ka_answered +%llu challenge_acks +%llu\n", r,
		       (unsigned long long)(s2.v[S_REACT] - s1.v[S_REACT]),
		       (unsigned long long)(s2.v[S_REMAP] - s1.v[S_REMAP]),
		       (unsigned long long)(s2.v[S_PARKS] - s1.v[S_PARKS]),
		       (unsigned long long)(s2.v[S_DROPS] - s1.v[S_DROPS]),
		       (unsigned long long)(s2.v[S_KA] - s1.v[S_KA]),
		       (unsigned long long)(s2.v[S_CHALLENGE] - s1.v[S_CHALLENGE]));
		clients_healthy("after the round", &retrans);
	}
	/* Let late retransmissions be answered before the capture stops. */
	msleep(500);
	cap_stop = 1;
	pthread_join(th, NULL);
	cap_close(&cap);
	if (netem(false))
		fail("tc qdisc del");
	clients_healthy("at the end", &retrans);
	report_rtt("mixed");
	printf("bytes client->server %llu, server->client %llu, all compared; "
	       "client retransmissions %llu\n", (unsigned long long)bytes_c2s,
	       (unsigned long long)bytes_s2c, (unsigned long long)retrans);
	printf("capture on veth_cli: %llu segments, %llu RST to the clients\n",
	       (unsigned long long)cap_pkts, (unsigned long long)cap_rsts);
	if (cap_rsts)
		fail("%llu RSTs reached the clients", (unsigned long long)cap_rsts);
	if (!failures)
		parked_is(s0.v[S_PARKED] + n, 5000);

	/* Abortive cleanup: each RST at exactly rcv_nxt ends its record. */
	conns_park_all();
	conns_reset_clients();
	parked_is(s0.v[S_PARKED], 10000);
	return failures ? 1 : 0;
}

/* ---- race ------------------------------------------------------------ */

struct race {
	pthread_barrier_t go, done;
	struct wconn *c;
	int sfd;		/* prepared remap socket */
	int conn_ret, conn_err;
	ssize_t sent;
	int send_err;
	bool stop;
};

static struct race rc;

static void *race_client(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_barrier_wait(&rc.go);
		if (rc.stop)
			return NULL;
		rc.sent = send(rc.c->cli, rc.c->req, rc.c->req_len, MSG_NOSIGNAL);
		rc.send_err = errno;
		pthread_barrier_wait(&rc.done);
	}
}

static void *race_server(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_barrier_wait(&rc.go);
		if (rc.stop)
			return NULL;
		rc.conn_ret = connect(rc.sfd, (struct sockaddr *)&rc.c->caddr, rc.c->calen);
		rc.conn_err = errno;
		pthread_barrier_wait(&rc.done);
	}
}

/* Read exactly @len bytes from @fd within @ms and compare. */
static int read_exact(int fd, const char *want, size_t len, char *buf, int ms,
		      const char *who, int it)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t end = now_ns() + ms * 1000000ULL;
	size_t got = 0, i;
	ssize_t n;

	while (got < len) {
		if (now_ns() > end) {
			fail("iteration %d: %s got %zu of %zu bytes in %d ms", it, who,
			     got, len, ms);
			return -1;
		}
		if (poll(&pfd, 1, 100) < 1)
			continue;
		n = recv(fd, buf + got, len - got, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			fail("iteration %d: %s recv after %zu of %zu bytes: %s", it, who,
			     got, len, n ? strerror(errno) : "EOF");
			return -1;
		}
		got += n;
	}
	if (memcmp(buf, want, len)) {
		for (i = 0; buf[i] == want[i]; i++)
			;
		fail("iteration %d: %s byte %zu of %zu is 0x%02x, want 0x%02x", it, who,
		     i, len, (uint8_t)buf[i], (uint8_t)want[i]);
		return -1;
	}
	return 0;
}

/* Nothing in either accept queue. */
static int accept_none(int it, const char *when)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < 2; i++) {
		len = sizeof(ss);
		fd = accept4(lfds[i], (struct sockaddr *)&ss, &len, SOCK_NONBLOCK);
		if (fd >= 0) {
			fail("iteration %d: %s accept() returned :%u", it, when,
			     ntohs(((struct sockaddr_in *)&ss)->sin_port));
			close(fd);
			return -1;
		}
	}
	return 0;
}

static int wait_quiet(int fd, int ms)
{
	int i;

	for (i = 0; i < ms; i += 2) {
		if (quiet(fd))
			return 0;
		msleep(2);
	}
	return -1;
}

static int race(int iterations)
{
	int won_accept = 0, won_connect = 0, notavail = 0, refused = 0, it;
	struct stats s0, s1, s2;
	uint64_t bytes = 0, t0;
	pthread_t thc, ths;

	printf("race: %d iterations of request vs connect() on a parked connection\n",
	       iterations);
	if (listeners_open() || conns_open(2))
		return 1;
	stats_read(&s0);
	conns_park_all();
	if (!parked_is(s0.v[S_PARKED] + 2, 5000))
		return 1;
	stats_read(&s1);
	pthread_barrier_init(&rc.go, NULL, 3);
	pthread_barrier_init(&rc.done, NULL, 3);
	pthread_create(&thc, NULL, race_client, NULL);
	pthread_create(&ths, NULL, race_server, NULL);
	t0 = now_ns();

	for (it = 0; it < iterations && !failures; it++) {
		struct wconn *c = &conns[it & 1];
		struct pollfd pfd;
		int fd = -1;

		round_no = it;
		if (tcp_state(c->cli) != TCP_ESTABLISHED) {
			fail("iteration %d: client :%u in state %d", it, c->cport,
			     tcp_state(c->cli));
			break;
		}
		c->req_len = msg_len();
		c->rsp_len = msg_len();
		msg_fill(c->req, c->req_len, c->idx, it, 'c');
		msg_fill(c->rsp, c->rsp_len, c->idx, it, 's');
		rc.c = c;
		rc.sfd = remap_socket(leps[c->li].family);
		if (rc.sfd < 0) {
			fail("remap socket: %s", strerror(errno));
			break;
		}
		pthread_barrier_wait(&rc.go);
		pthread_barrier_wait(&rc.done);
		if (rc.sent != (ssize_t)c->req_len) {
			fail("iteration %d: client send %zd of %zu: %s", it, rc.sent,
			     c->req_len, strerror(rc.send_err));
			close(rc.sfd);
			break;
		}
		bytes += c->req_len;
		if (!rc.conn_ret) {
			won_connect++;
			fd = rc.sfd;
			if (check_woken(c, fd, TCPARK_F_REMAPPED))
				break;
		} else {
			close(rc.sfd);
			if (rc.conn_err == EADDRNOTAVAIL) {
				notavail++;
			} else if (rc.conn_err == ECONNREFUSED) {
				refused++;
			} else {
				fail("iteration %d: connect() lost with %s, want EADDRNOTAVAIL or "
				     "ECONNREFUSED", it, strerror(rc.conn_err));
				break;
			}
			won_accept++;
			pfd.fd = lfds[c->li];
			pfd.events = POLLIN;
			if (poll(&pfd, 1, 10000) != 1) {
				fail("iteration %d: connect() failed (%s) but accept() has "
				     "nothing in 10 s", it, strerror(rc.conn_err));
				break;
			}
			fd = accept4(lfds[c->li], NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0) {
				fail("iteration %d: accept: %s", it, strerror(errno));
				break;
			}
			if (check_woken(c, fd, TCPARK_F_REACTIVATED)) {
				close(fd);
				break;
			}
		}
		if (read_exact(fd, c->req, c->req_len, c->got, 10000,
			       rc.conn_ret ? "accepted socket" : "remapped socket", it) ||
		    send(fd, c->rsp, c->rsp_len, MSG_NOSIGNAL) != (ssize_t)c->rsp_len ||
		    read_exact(c->cli, c->rsp, c->rsp_len, c->got, 10000, "client", it)) {
			close(fd);
			break;
		}
		bytes += c->rsp_len;
		if (accept_none(it, rc.conn_ret ? "after the accept," : "after connect() won,")) {
			close(fd);
			break;
		}
		if (wait_quiet(fd, 10000)) {
			fail("iteration %d: the winner's bytes not acked in 10 s", it);
			close(fd);
			break;
		}
		close(fd);	/* parks again */
	}
	rc.stop = true;
	pthread_barrier_wait(&rc.go);
	pthread_join(thc, NULL);
	pthread_join(ths, NULL);
	printf("race: %d iterations in %.0f ms: accept() won %d (connect() got "
	       "EADDRNOTAVAIL %d, ECONNREFUSED %d), connect() won %d; %llu bytes "
	       "compared\n", it, ms_since(t0), won_accept, notavail, refused,
	       won_connect, (unsigned long long)bytes);
	if (!failures && parked_is(s1.v[S_PARKED], 5000)) {
		stats_read(&s2);
		stat_delta("race", &s1, &s2, S_REACT, won_accept);
		stat_delta("race", &s1, &s2, S_REMAP, won_connect);
		stat_delta("race", &s1, &s2, S_WAKES, iterations);
		stat_delta("race", &s1, &s2, S_PARKS, iterations);
		stat_delta("race", &s1, &s2, S_NOLIST, 0);
		stat_delta("race", &s1, &s2, S_BACKLOG, 0);
		stat_delta("race", &s1, &s2, S_EXPIRED, 0);
		printf("race counters: reactivated +%llu remapped +%llu drops +%llu\n",
		       (unsigned long long)(s2.v[S_REACT] - s1.v[S_REACT]),
		       (unsigned long long)(s2.v[S_REMAP] - s1.v[S_REMAP]),
		       (unsigned long long)(s2.v[S_DROPS] - s1.v[S_DROPS]));
	}
	report_rtt("race");
	if (accept_none(it, "at the end,") == 0) {
		uint64_t retrans;

		clients_healthy("after the race", &retrans);
	}
	conns_park_all();
	conns_reset_clients();
	parked_is(s0.v[S_PARKED], 10000);
	return failures ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: wake_mass -s SRV_NETNS -c CLI_NETNS mixed [-n CONNS] "
		"[-r ROUNDS] [-w WINDOW] [-t SECONDS] [-e NETEM]\n"
		"       wake_mass -s SRV_NETNS -c CLI_NETNS race [-n ITERATIONS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 65536, 65536 };
	int opt, n = 1000, rounds = 3, window = 100, timeout_ms = 60000, ret;
	const char *mode;

	while ((opt = getopt(argc, argv, "s:c:n:r:w:t:e:")) != -1) {
		switch (opt) {
		case 's':
			srv_path = optarg;
			break;
		case 'c':
			cli_path = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'w':
			window = atoi(optarg);
			break;
		case 't':
			timeout_ms = atoi(optarg) * 1000;
			break;
		case 'e':
			netem_args = optarg;
			break;
		default:
			usage();
		}
	}
	if (!srv_path || !cli_path || optind != argc - 1 || n < 2 || window < 1)
		usage();
	mode = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	setrlimit(RLIMIT_NOFILE, &rl);
	xs ^= (uint64_t)getpid() << 20 ^ now_ns();
	sns = netns_open(srv_path);
	cns = netns_open(cli_path);
	if (sns < 0 || cns < 0) {
		printf("FAIL: netns: %s\n", strerror(errno));
		return 1;
	}
	if (!strcmp(mode, "mixed"))
		ret = mixed(n, rounds, window, timeout_ms);
	else if (!strcmp(mode, "race"))
		ret = race(n);
	else
		usage();
	printf("%s: %s (%d failures)\n", mode, ret ? "FAIL" : "ok", failures);
	return ret;
}
