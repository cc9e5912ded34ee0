// SPDX-License-Identifier: GPL-2.0
/*
 * Transient parking as the peer and the wire see it.
 *
 * park_test --server-netns PATH --client-netns PATH [harness options]
 *
 * park.sh passes the two netns of lib.sh's topology. The server side
 * listens with the tcpark ULP in TCPARK_MODE_TRANSIENT (TCPARK_IDLE_MS 0:
 * only close() parks); the client is plain TCP in the other netns. An
 * AF_PACKET socket on veth_cli records every segment the client sends and
 * receives; raw sockets in the client netns forge segments on the live
 * 4-tuple. The record's fields and the counters come from tcparkctl -j.
 *
 * Fixtures:
 *  park   (ipv4, ipv6, ipv4mapped = IPv4 client to a dual-stack [::]
 *         listener): silent close; ACK fields without timestamps / window
 *         scaling; forged RSTs (in window, outside, exact), SYNs, ACKs
 *         outside [snd_una - max_window, snd_nxt], PAWS, junk; the
 *         per-record limit on answers to junk (tcp_invalid_ratelimit, set
 *         to 0 for the other tests) and that one record's flood leaves
 *         another's answers alone; old segments that must not move
 *         TS.Recent; a straddling segment; a client reusing its port (RFC 5961
 *         §4 recovery); kill; closes that stay TCP's (SO_LINGER 0, unread
 *         data); a close with data in flight that parks once it is acked,
 *         and one whose ACKs never come (a FIN after tcp_fin_timeout). Tests that only exercise the hook on an
 *         IPv4 record are skipped for ipv4mapped: ipv4 covers them;
 *  ka30   one connection of each kind at once, 30+ keepalive probes each,
 *         every probe answered with exact fields;
 *  netem  the same (KEEPCNT 9, 30 s) with netem loss, duplication,
 *         reordering and delay on both veth ends once parked; run by
 *         park_netem.sh only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "pkt.h"
#include "xfer.h"

static const char *srv_path, *cli_path;

#define MAXPKTS 65536
static struct pkt pkts[MAXPKTS];
static int npkts;
static uint64_t t0;

/* The per-socket (and per-record) limit on answers to junk, ms. */
#define INVALID_RATELIMIT "/proc/sys/net/ipv4/tcp_invalid_ratelimit"

/* TSval vs wall clock: allowed drift, ms (+ 0.5% of the elapsed time). */
#define TS_TOL_MS 25

/* ---- small helpers --------------------------------------------------- */

static int tcp_info_of(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len);
}

static uint64_t stat_of(const char *name)
{
	uint64_t v = ~0ull;

	if (ctl_stat(srv_path, name, &v))
		return ~0ull;
	return v;
}

/* Everything the capture gets within @ms goes into pkts[]. */
static void drain(struct cap *cap, int ms)
{
	uint64_t end = now_ns() + ms * 1000000ull;
	int left;

	for (;;) {
		left = (int64_t)(end - now_ns()) / 1000000;
		if (left < 0)
			left = 0;
		if (npkts >= MAXPKTS)
			return;
		if (cap_next(cap, &pkts[npkts], left) != 1)
			return;
		npkts++;
	}
}

static void keepalive(int fd, int on, int idle, int intvl, int cnt)
{
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	if (!on)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* ---- one parked connection ------------------------------------------- */

struct conn {
	const char *name;
	int cli, srv, lfd;
	struct tcp_ep c, s;		/* client, server as on the wire */
	/* The client's view, from the capture, at the time of the park. */
	uint32_t snd_nxt, rcv_nxt;
	bool ts, ws;			/* negotiated: TS, window scaling */
	uint16_t last_win;		/* the server's last advertised window */
	uint32_t srv_tsval;		/* ... its last TSval, and when */
	uint64_t srv_ts_ns;
	uint32_t ts_recent;		/* the record's TS.Recent: the client's last TSval */
	uint64_t t_close;
	int idx_close;			/* first pkts[] index after the close */
	struct ctl_rec rec;
	/* answers seen */
	int probes, answered, unsolicited, bad, rst;
	uint32_t last_ans_tsval;
	int max_dev_ms;
};

struct side {
	int srv_ns, cli_ns;
	struct cap cap;
};

static void side_open(struct __test_metadata *_metadata, struct side *sd)
{
	sd->srv_ns = netns_open(srv_path);
	ASSERT_LE(0, sd->srv_ns) TH_LOG("%s: %s", srv_path, strerror(errno));
	sd->cli_ns = netns_open(cli_path);
	ASSERT_LE(0, sd->cli_ns) TH_LOG("%s: %s", cli_path, strerror(errno));
	/* The defaults, whatever an earlier test left behind. */
	ASSERT_EQ(0, ns_sysctl(sd->cli_ns, "/proc/sys/net/ipv4/tcp_timestamps", 1));
	ASSERT_EQ(0, ns_sysctl(sd->cli_ns, "/proc/sys/net/ipv4/tcp_window_scaling", 1));
	ASSERT_EQ(0, cap_open(&sd->cap, sd->cli_ns, "veth_cli"))
		TH_LOG("capture on veth_cli: %s", strerror(errno));
	npkts = 0;
	t0 = now_ns();
}

static void side_close(struct side *sd)
{
	if (sd->cli_ns >= 0) {
		ns_sysctl(sd->cli_ns, "/proc/sys/net/ipv4/tcp_timestamps", 1);
		ns_sysctl(sd->cli_ns, "/proc/sys/net/ipv4/tcp_window_scaling", 1);
	}
	cap_close(&sd->cap);
}

static void dump_conn(struct conn *c)
{
	char line[256];
	int i;

	for (i = 0; i < npkts; i++) {
		if (!pkt_on(&pkts[i], &c->c, &c->s))
			continue;
		pkt_print(&pkts[i], t0, line, sizeof(line));
		fprintf(stderr, "#   %s%s\n", i == c->idx_close ? "[close] " : "", line);
	}
}

/*
 * A transient-mode ULP listener in the server netns: @lfam/@lip where it
 * listens, @cfam/@cip what the client connects to.
 */
static void conn_listen_at(struct __test_metadata *_metadata, struct side *sd,
			   struct conn *c, const char *name, int lfam, const char *lip,
			   int port, int cfam, const char *cip, struct endpoint *cep)
{
	struct endpoint lep;
	__u32 mode = TCPARK_MODE_TRANSIENT, idle = 0;

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->cli = c->srv = c->lfd = -1;
	ASSERT_EQ(0, endpoint_init(&lep, sd->srv_ns, lfam, lip));
	endpoint_set_port(&lep, port);
	c->lfd = listen_on(&lep, 64);
	ASSERT_LE(0, c->lfd) TH_LOG("listen: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(c->lfd, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(c->lfd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)));
	ASSERT_EQ(0, setsockopt(c->lfd, SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle)));
	ASSERT_EQ(0, endpoint_init(cep, sd->cli_ns, cfam, cip));
	endpoint_set_port(cep, endpoint_port(&lep));
}

static void conn_listen(struct __test_metadata *_metadata, struct side *sd,
			struct conn *c, const char *name, int lfam, const char *lip,
			int cfam, const char *cip, struct endpoint *cep)
{
	conn_listen_at(_metadata, sd, c, name, lfam, lip, 0, cfam, cip, cep);
}

static bool both_quiet(int a, int b)
{
	struct tcp_info ta, tb;

	return !tcp_info_of(a, &ta) && !tcp_info_of(b, &tb) &&
	       !ta.tcpi_unacked && !tb.tcpi_unacked;
}

/* The client's sequence view and the server's last window/TSval so far. */
static void conn_track(struct conn *c, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		struct pkt *p = &pkts[i];

		if (!pkt_on(p, &c->c, &c->s))
			continue;
		if (pkt_from(p, &c->c)) {
			if ((p->flags & TH_SYN) || seq_after(pkt_end_seq(p), c->snd_nxt))
				c->snd_nxt = pkt_end_seq(p);
			if (p->has_ts)
				c->ts_recent = p->tsval;
			if (p->flags & TH_SYN)
				c->ws = p->wscale >= 0;
		} else {
			if ((p->flags & TH_SYN) || seq_after(pkt_end_seq(p), c->rcv_nxt))
				c->rcv_nxt = pkt_end_seq(p);
			c->last_win = p->win;
			if (p->has_ts) {
				c->srv_tsval = p->tsval;
				c->srv_ts_ns = p->ns;
			}
			if (p->flags & TH_SYN) {
				c->ts = p->has_ts;
				c->ws = c->ws && p->wscale >= 0;
			}
		}
	}
}

/*
 * Connect, exchange a little data both ways, wait until nothing is in
 * flight, then close the server's socket: it parks. With @do_close false
 * everything but the close.
 */
static void conn_open(struct __test_metadata *_metadata, struct side *sd,
		      struct conn *c, int cfam, const struct endpoint *cep,
		      bool do_close)
{
	char buf[256], why[128] = "";
	int i, from = npkts;
	bool syn = false, synack = false;

	c->cli = connect_to(sd->cli_ns, cfam, cep);
	ASSERT_LE(0, c->cli) TH_LOG("%s: connect: %s", c->name, strerror(errno));
	c->srv = accept(c->lfd, NULL, NULL);
	ASSERT_LE(0, c->srv) TH_LOG("%s: accept: %s", c->name, strerror(errno));
	ASSERT_EQ(0, sock_eps(c->cli, &c->c, &c->s));
	memset(buf, 'c', 100);
	ASSERT_EQ(100, write(c->cli, buf, 100));
	ASSERT_EQ(100, recv(c->srv, buf, 100, MSG_WAITALL));
	memset(buf, 's', 200);
	ASSERT_EQ(200, write(c->srv, buf, 200));
	ASSERT_EQ(200, recv(c->cli, buf, 200, MSG_WAITALL));
	for (i = 0; i < 300 && !both_quiet(c->cli, c->srv); i++)
		msleep(10);
	ASSERT_TRUE(both_quiet(c->cli, c->srv)) TH_LOG("%s: data still in flight", c->name);
	drain(&sd->cap, 100);
	conn_track(c, from, npkts);
	for (i = from; i < npkts; i++) {
		if (!pkt_on(&pkts[i], &c->c, &c->s))
			continue;
		syn |= pkts[i].flags == TH_SYN && pkt_from(&pkts[i], &c->c);
		synack |= pkts[i].flags == (TH_SYN | TH_ACK) && pkt_from(&pkts[i], &c->s);
	}
	if (!syn || !synack) {
		dump_conn(c);
		snprintf(why, sizeof(why), "handshake not captured");
	}
	ASSERT_STREQ("", why);
	if (!do_close)
		return;
	c->t_close = now_ns();
	c->idx_close = npkts;
	ASSERT_EQ(0, close(c->srv));
	c->srv = -1;
}

/* The parked record matching @c, its fields checked against the wire. */
static void conn_record(struct __test_metadata *_metadata, struct conn *c)
{
	int i;

	for (i = 0; i < 50 && ctl_find(srv_path, c->s.port, c->c.port, &c->rec); i++)
		msleep(20);
	ASSERT_LT(i, 50) TH_LOG("%s: no parked record for :%u -> :%u", c->name,
				c->s.port, c->c.port);
	EXPECT_STREQ("transient", c->rec.mode);
	EXPECT_STREQ(c->s.family == AF_INET ? "inet" : "inet6", c->rec.family);
	EXPECT_TRUE(c->rec.has_seq);
	EXPECT_EQ(c->rcv_nxt, c->rec.snd_nxt) TH_LOG("%s: record snd_nxt vs client rcv_nxt", c->name);
	EXPECT_EQ(c->snd_nxt, c->rec.rcv_nxt) TH_LOG("%s: record rcv_nxt vs client snd_nxt", c->name);
	EXPECT_EQ(c->last_win, c->rec.rcv_wnd >> c->rec.rcv_wscale)
		TH_LOG("%s: record rcv_wnd %u >> %d vs last window %u", c->name,
		       c->rec.rcv_wnd, c->rec.rcv_wscale, c->last_win);
	EXPECT_EQ(c->ts, c->rec.opt_ts);
	EXPECT_EQ(c->ws, c->rec.opt_wscale);
	if (!c->ws) {
		EXPECT_EQ(0, c->rec.snd_wscale);
		EXPECT_EQ(0, c->rec.rcv_wscale);
	}
}

/*
 * Close everything abortively: the server side first (SO_LINGER 0 is
 * never parked: an RST), then the client with an RST at its snd_nxt,
 * which is exactly what a parked record expects.
 */
static void conn_abort(struct conn *c)
{
	struct linger lg = { 1, 0 };

	if (c->srv >= 0) {
		setsockopt(c->srv, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->srv);
	}
	if (c->cli >= 0) {
		setsockopt(c->cli, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c->cli);
	}
	if (c->lfd >= 0)
		close(c->lfd);
	c->cli = c->srv = c->lfd = -1;
}

/*
 * Is @p a correct ACK from the record? @tsecr: the TSecr it must carry
 * (NULL: any). Logs what is wrong.
 */
static bool check_ack(struct __test_metadata *_metadata, struct conn *c,
		      const struct pkt *p, const uint32_t *tsecr)
{
	char line[256];
	bool ok = true;

	pkt_print(p, t0, line, sizeof(line));
#define CHK(cond, fmt, ...) do {					\
		if (!(cond)) {						\
			TH_LOG("%s: %s: " fmt, c->name, line, ##__VA_ARGS__); \
			ok = false;					\
		}							\
	} while (0)
	CHK(p->flags == TH_ACK, "flags, want ACK only");
	CHK(p->len == 0, "payload");
	CHK(p->seq == c->rcv_nxt, "seq, want %u (client rcv_nxt)", c->rcv_nxt);
	CHK(p->ack == c->snd_nxt, "ack, want %u (client snd_nxt)", c->snd_nxt);
	CHK(p->win == c->last_win, "window, want %u (last advertised)", c->last_win);
	CHK(!p->csum_known || p->csum_ok, "bad checksum");
	CHK(p->wscale < 0 && p->mss < 0 && !p->sack_perm, "unexpected options");
	if (c->ts) {
		CHK(p->has_ts, "no timestamp option");
		CHK(p->doff == 8, "doff %u, want 8", p->doff);
		if (p->has_ts) {
			int64_t ms = (int64_t)(p->ns - c->srv_ts_ns) / 1000000;
			int32_t dev = (int32_t)(p->tsval - c->srv_tsval) - (int32_t)ms;
			int tol = TS_TOL_MS + ms / 200;

			if (tsecr)
				CHK(p->tsecr == *tsecr, "TSecr, want %u", *tsecr);
			CHK(!c->last_ans_tsval || !seq_before(p->tsval, c->last_ans_tsval),
			    "TSval went back from %u", c->last_ans_tsval);
			CHK(seq_after(p->tsval, c->srv_tsval), "TSval not after the last before the park (%u)",
			    c->srv_tsval);
			CHK(dev <= tol && dev >= -tol,
			    "TSval %+d ms off the server's clock (%u + %lld ms)", dev,
			    c->srv_tsval, (long long)ms);
			if (abs(dev) > c->max_dev_ms)
				c->max_dev_ms = abs(dev);
			c->last_ans_tsval = p->tsval;
		}
	} else {
		CHK(!p->has_ts && p->doff == 5, "options on a connection without timestamps");
	}
#undef CHK
	return ok;
}

/* Pair keepalive probes and answers seen after the park (see struct conn). */
static void ka_tally(struct __test_metadata *_metadata, struct conn *c)
{
	const struct pkt *probe = NULL;
	int i;

	c->probes = c->answered = c->unsolicited = c->bad = c->rst = 0;
	c->last_ans_tsval = 0;
	for (i = c->idx_close; i < npkts; i++) {
		const struct pkt *p = &pkts[i];

		if (!pkt_on(p, &c->c, &c->s))
			continue;
		if (pkt_from(p, &c->c)) {
			if (p->flags == TH_ACK && !p->len && p->seq == c->snd_nxt - 1) {
				c->probes++;
				probe = p;
			}
			continue;
		}
		if (p->flags & TH_RST)
			c->rst++;
		/* A probe is not acceptable: its answer echoes TS.Recent. */
		if (!check_ack(_metadata, c, p, c->ts ? &c->ts_recent : NULL))
			c->bad++;
		if (probe)
			c->answered++;
		else
			c->unsolicited++;
		probe = NULL;
	}
}

/* Server segments on @c from pkts[@from] on. */
static int srv_pkts(struct conn *c, int from, const struct pkt **out, int max)
{
	int i, n = 0;

	for (i = from; i < npkts; i++)
		if (pkt_on(&pkts[i], &c->c, &c->s) && pkt_from(&pkts[i], &c->s)) {
			if (n < max)
				out[n] = &pkts[i];
			n++;
		}
	return n;
}

static void dump_from(int from)
{
	char line[256];
	int i;

	for (i = from; i < npkts; i++) {
		pkt_print(&pkts[i], t0, line, sizeof(line));
		fprintf(stderr, "#   %s\n", line);
	}
}

/*
 * The client's own keepalive still gets a correct answer: one probe, one
 * ACK (with KEEPIDLE 1 s), then keepalive off again. Its TSecr is
 * TS.Recent (c->ts_recent), not the probe's TSval: tcp_validate_incoming()
 * answers a probe as an old segment, which updates nothing.
 */
static void still_answered(struct __test_metadata *_metadata, struct side *sd,
			   struct conn *c)
{
	int from = npkts, i, probes = 0, acks = 0;
	const struct pkt *probe = NULL;
	uint64_t end = now_ns() + 5000000000ull;

	keepalive(c->cli, 1, 1, 1, 3);
	while (!acks && now_ns() < end) {
		drain(&sd->cap, 200);
		for (i = from; i < npkts; i++) {
			const struct pkt *p = &pkts[i];

			if (!pkt_on(p, &c->c, &c->s))
				continue;
			if (pkt_from(p, &c->c) && p->flags == TH_ACK && !p->len &&
			    p->seq == c->snd_nxt - 1) {
				probe = p;
				probes++;
			} else if (pkt_from(p, &c->s) && probe) {
				EXPECT_TRUE(check_ack(_metadata, c, p,
						      c->ts ? &c->ts_recent : NULL));
				acks++;
				break;
			}
		}
	}
	keepalive(c->cli, 0, 0, 0, 0);
	EXPECT_LT(0, probes) TH_LOG("%s: the client sent no keepalive probe", c->name);
	EXPECT_LT(0, acks) TH_LOG("%s: keepalive probe not answered", c->name);
	if (!acks)
		dump_from(from);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(c->cli));
}

/* ---- fixture park: one connection per test, three address kinds ------ */

FIXTURE(park) {
	struct side sd;
	struct conn c;
	struct endpoint cep;
	int raw;
};

FIXTURE_VARIANT(park) {
	bool same_as_ipv4;	/* after the park, exactly the ipv4 case */
	int lfam;
	const char *lip;
	int cfam;
	const char *cip;
};

FIXTURE_VARIANT_ADD(park, ipv4) {
	.lfam = AF_INET, .lip = "198.18.0.1", .cfam = AF_INET, .cip = "198.18.0.1",
};

FIXTURE_VARIANT_ADD(park, ipv6) {
	.lfam = AF_INET6, .lip = "fd00:7c::1", .cfam = AF_INET6, .cip = "fd00:7c::1",
};

/* A dual-stack listener's IPv4 child: an AF_INET6 socket, an IPv4 record. */
FIXTURE_VARIANT_ADD(park, ipv4mapped) {
	.same_as_ipv4 = true,
	.lfam = AF_INET6, .lip = "::", .cfam = AF_INET, .cip = "198.18.0.1",
};

static void park_fixture_init(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			      const FIXTURE_VARIANT(park) *variant)
{
	self->sd.srv_ns = self->sd.cli_ns = -1;
	self->sd.cap.fd = -1;
	self->c.cli = self->c.srv = self->c.lfd = -1;
	self->raw = -1;
	side_open(_metadata, &self->sd);
	/*
	 * Every answer counts here: no per-record rate limit (its own tests
	 * set the default, 500 ms, back).
	 */
	ASSERT_EQ(0, ns_sysctl(self->sd.srv_ns, INVALID_RATELIMIT, 0));
	self->raw = forge_socket(self->sd.cli_ns, variant->cfam);
	ASSERT_LE(0, self->raw) TH_LOG("raw socket: %s", strerror(errno));
	conn_listen(_metadata, &self->sd, &self->c, "park", variant->lfam, variant->lip,
		    variant->cfam, variant->cip, &self->cep);
}

static void park_fixture_fini(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self)
{
	char cmd[256];

	if (cli_path) {	/* a netem qdisc, if a test failed midway */
		snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev veth_cli root 2>/dev/null",
			 strrchr(cli_path, '/') + 1);
		if (system(cmd) < 0)
			TH_LOG("tc: %s", strerror(errno));
	}
	conn_abort(&self->c);
	if (self->raw >= 0)
		close(self->raw);
	if (self->sd.srv_ns >= 0) {
		ns_sysctl(self->sd.srv_ns, INVALID_RATELIMIT, 500);
		ns_sysctl(self->sd.srv_ns, "/proc/sys/net/ipv4/tcp_fin_timeout", 60);
	}
	side_close(&self->sd);
}

FIXTURE_SETUP(park)
{
	park_fixture_init(_metadata, self, variant);
}

FIXTURE_TEARDOWN(park)
{
	park_fixture_fini(_metadata, self);
}

static void park_one(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
		     const FIXTURE_VARIANT(park) *variant)
{
	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, true);
	conn_record(_metadata, &self->c);
}

/* A segment on the parked tuple, from the client's address and port. */
static struct forge forged(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct forge f = {
		.src = c->c, .dst = c->s, .flags = flags, .seq = seq, .ack = ack,
		.win = c->rec.snd_wscale ? 502 : 64000,
	};
	return f;
}

/*
 * A data segment from the device at @seq with @len bytes of @pay, its
 * ACK at the record's snd_nxt and the timestamps the device would put.
 */
static struct forge forged_data(struct conn *c, uint32_t seq, const uint8_t *pay, size_t len)
{
	struct forge f = forged(c, TH_ACK | TH_PSH, seq, c->rec.snd_nxt);

	f.payload = pay;
	f.paylen = len;
	f.ts = c->ts;
	f.tsval = c->ts_recent + 1;
	f.tsecr = c->srv_tsval;
	return f;
}

/*
 * Send @f and return how many segments the server sent on the tuple
 * within @ms; the first is in *@reply. With @want > 0, stop waiting
 * shortly after that many have arrived.
 */
static int forge_and_wait(struct __test_metadata *_metadata,
			  FIXTURE_DATA(park) *self, const struct forge *f, int ms,
			  int want, const struct pkt **reply)
{
	uint64_t end = now_ns() + ms * 1000000ull;
	const struct pkt *r[8];
	int from, n;

	drain(&self->sd.cap, 0);
	from = npkts;
	if (f->ip_extra && f->src.family == AF_INET) {
		/* A raw IP socket would fix the IPv4 total length. */
		uint8_t mac[6];
		int fd, ifindex;

		fd = forge_l2_socket(self->sd.cli_ns, "veth_cli", &ifindex);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, if_mac(self->sd.srv_ns, "veth_srv", mac));
		EXPECT_EQ(0, forge_send_l2(fd, ifindex, mac, f)) TH_LOG("forge: %s", strerror(errno));
		close(fd);
	} else {
		EXPECT_EQ(0, forge_send(self->raw, f)) TH_LOG("forge: %s", strerror(errno));
	}
	do {
		drain(&self->sd.cap, 20);
		n = srv_pkts(&self->c, from, r, 8);
	} while ((want <= 0 || n < want) && now_ns() < end);
	if (want > 0 && n >= want) {
		drain(&self->sd.cap, 50);
		n = srv_pkts(&self->c, from, r, 8);
	}
	if (reply)
		*reply = n ? r[0] : NULL;
	return n;
}

static bool parked(struct conn *c)
{
	struct ctl_rec r;

	return !ctl_find(srv_path, c->s.port, c->c.port, &r);
}

/* 1. close() sends nothing, the client stays ESTABLISHED, the socket is gone. */
TEST_F(park, silent_close)
{
	uint64_t parks = stat_of("parks"), nparked = stat_of("parked"), socks;
	const struct pkt *r[8];
	struct tcp_info ti;
	char cmd[256], out[256] = "";
	FILE *f;
	int n, i;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	socks = stat_of("sockets");	/* the child included */
	self->c.t_close = now_ns();
	self->c.idx_close = npkts;
	ASSERT_EQ(0, close(self->c.srv));
	self->c.srv = -1;
	conn_record(_metadata, &self->c);
	drain(&self->sd.cap, 1500);
	n = srv_pkts(&self->c, self->c.idx_close, r, 8);
	EXPECT_EQ(0, n) TH_LOG("the server sent %d segments after close()", n);
	if (n)
		dump_conn(&self->c);
	ASSERT_EQ(0, tcp_info_of(self->c.cli, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	EXPECT_EQ(0, ti.tcpi_unacked);
	EXPECT_EQ(0, ti.tcpi_retransmits);
	EXPECT_EQ(parks + 1, stat_of("parks"));
	EXPECT_EQ(nparked + 1, stat_of("parked"));
	EXPECT_STREQ("parked", self->c.rec.state);
	/* The socket itself is gone. */
	for (i = 0; i < 50 && stat_of("sockets") >= socks; i++)
		msleep(20);
	EXPECT_GT(socks, stat_of("sockets")) TH_LOG("the parked socket still carries the ULP");
	snprintf(cmd, sizeof(cmd), "ss -N %s -Htan 'sport = :%u and dport = :%u'",
		 strrchr(srv_path, '/') + 1, self->c.s.port, self->c.c.port);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	n = fread(out, 1, sizeof(out) - 1, f);
	pclose(f);
	EXPECT_EQ(0, n) TH_LOG("server netns still has a socket: %s", out);

	/* The client's RST at its snd_nxt ends the record, silently. */
	conn_abort(&self->c);
	for (i = 0; i < 50 && parked(&self->c); i++)
		msleep(20);
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(nparked, stat_of("parked"));
	drain(&self->sd.cap, 300);
	EXPECT_EQ(0, srv_pkts(&self->c, self->c.idx_close, r, 8));
}

/* 3. Without timestamps: ACKs carry no options, the rest is exact. */
TEST_F(park, no_timestamps)
{
	ASSERT_EQ(0, ns_sysctl(self->sd.cli_ns, "/proc/sys/net/ipv4/tcp_timestamps", 0));
	park_one(_metadata, self, variant);
	EXPECT_FALSE(self->c.ts);
	EXPECT_FALSE(self->c.rec.opt_ts);
	keepalive(self->c.cli, 1, 1, 1, 3);
	for (int i = 0; i < 60 && self->c.answered < 3; i++) {
		drain(&self->sd.cap, 100);
		ka_tally(_metadata, &self->c);
	}
	keepalive(self->c.cli, 0, 0, 0, 0);
	ka_tally(_metadata, &self->c);
	EXPECT_LE(3, self->c.answered);
	EXPECT_EQ(0, self->c.bad);
	EXPECT_EQ(0, self->c.unsolicited);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->c.cli));
	if (self->c.bad || self->c.answered < 3)
		dump_conn(&self->c);
}

/* 3. Without window scaling: the window is the unscaled last one. */
TEST_F(park, no_wscale)
{
	ASSERT_EQ(0, ns_sysctl(self->sd.cli_ns, "/proc/sys/net/ipv4/tcp_window_scaling", 0));
	park_one(_metadata, self, variant);
	EXPECT_FALSE(self->c.ws);
	EXPECT_FALSE(self->c.rec.opt_wscale);
	EXPECT_EQ(self->c.last_win, self->c.rec.rcv_wnd);
	keepalive(self->c.cli, 1, 1, 1, 3);
	for (int i = 0; i < 60 && self->c.answered < 3; i++) {
		drain(&self->sd.cap, 100);
		ka_tally(_metadata, &self->c);
	}
	keepalive(self->c.cli, 0, 0, 0, 0);
	ka_tally(_metadata, &self->c);
	EXPECT_LE(3, self->c.answered);
	EXPECT_EQ(0, self->c.bad);
	EXPECT_EQ(0, self->c.unsolicited);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->c.cli));
	if (self->c.bad || self->c.answered < 3)
		dump_conn(&self->c);
}

/* 4. RFC 5961 §3.2: an in-window RST that is not exact draws a challenge ACK. */
TEST_F(park, rst_in_window)
{
	uint32_t seqs[3], i;
	uint64_t ca;
	const struct pkt *r;
	struct forge f;

	park_one(_metadata, self, variant);
	seqs[0] = self->c.rec.rcv_nxt + 1;
	seqs[1] = self->c.rec.rcv_nxt + self->c.rec.rcv_wnd / 2;
	seqs[2] = self->c.rec.rcv_nxt + self->c.rec.rcv_wnd - 1;
	for (i = 0; i < 3; i++) {
		ca = stat_of("challenge_acks");
		f = forged(&self->c, i == 1 ? TH_RST | TH_ACK : TH_RST, seqs[i],
			   i == 1 ? self->c.rec.snd_nxt : 0);
		EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r))
			TH_LOG("RST at rcv_nxt + %u: want one challenge ACK",
			       seqs[i] - self->c.rec.rcv_nxt);
		if (r)
			EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
		EXPECT_EQ(ca + 1, stat_of("challenge_acks"));
		EXPECT_TRUE(parked(&self->c));
	}
	still_answered(_metadata, &self->sd, &self->c);
}

/* 4. An RST outside the window: no answer, nothing changes. */
TEST_F(park, rst_out_of_window)
{
	uint32_t seqs[4], i;
	uint64_t ca, drops;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	seqs[0] = self->c.rec.rcv_nxt + self->c.rec.rcv_wnd + 1;
	seqs[1] = self->c.rec.rcv_nxt + 0x40000000;
	seqs[2] = self->c.rec.rcv_nxt - 1;
	seqs[3] = self->c.rec.rcv_nxt - 100000;
	ca = stat_of("challenge_acks");
	drops = stat_of("drops");
	for (i = 0; i < 4; i++) {
		f = forged(&self->c, i & 1 ? TH_RST | TH_ACK : TH_RST, seqs[i],
			   i & 1 ? self->c.rec.snd_nxt : 0);
		EXPECT_EQ(0, forge_and_wait(_metadata, self, &f, 200, 0, NULL))
			TH_LOG("RST at rcv_nxt %+d answered", (int32_t)(seqs[i] - self->c.rec.rcv_nxt));
		EXPECT_TRUE(parked(&self->c));
	}
	EXPECT_EQ(ca, stat_of("challenge_acks"));
	EXPECT_EQ(drops, stat_of("drops"));
	still_answered(_metadata, &self->sd, &self->c);
}

/* 4. The exact RST ends the record silently; the stack then owns the tuple. */
TEST_F(park, rst_exact)
{
	uint64_t nparked = stat_of("parked"), parks = stat_of("parks");
	const struct pkt *r[8];
	struct forge f;
	char buf[8];
	int i, n, from;

	park_one(_metadata, self, variant);
	EXPECT_EQ(nparked + 1, stat_of("parked"));
	f = forged(&self->c, variant->cfam == AF_INET6 ? TH_RST | TH_ACK : TH_RST,
		   self->c.rec.rcv_nxt, self->c.rec.snd_nxt);
	EXPECT_EQ(0, forge_and_wait(_metadata, self, &f, 300, 0, NULL));
	for (i = 0; i < 50 && parked(&self->c); i++)
		msleep(20);
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(nparked, stat_of("parked"));
	EXPECT_EQ(parks + 1, stat_of("parks"));

	/* Nothing answers for it now but TCP: the client's probe draws an RST. */
	from = npkts;
	keepalive(self->c.cli, 1, 1, 1, 3);
	for (i = 0; i < 40 && !srv_pkts(&self->c, from, r, 8); i++)
		drain(&self->sd.cap, 100);
	n = srv_pkts(&self->c, from, r, 8);
	ASSERT_LE(1, n) TH_LOG("the probe after the RST got no answer");
	EXPECT_EQ(TH_RST, r[0]->flags & TH_RST);
	EXPECT_EQ(self->c.rcv_nxt, r[0]->seq);
	for (i = 0; i < 50 && tcp_state(self->c.cli) != TCP_CLOSE; i++)
		msleep(20);
	EXPECT_EQ(TCP_CLOSE, tcp_state(self->c.cli));
	EXPECT_EQ(-1, recv(self->c.cli, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
}

/* 4. RFC 5961 §4: a SYN on the tuple draws a challenge ACK. */
TEST_F(park, syn)
{
	static const uint8_t synopt[] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7 };
	uint32_t seqs[3], i;
	uint64_t ca;
	const struct pkt *r;
	struct forge f;

	park_one(_metadata, self, variant);
	seqs[0] = self->c.rec.rcv_nxt - 1;
	seqs[1] = self->c.rec.rcv_nxt + 12345;
	seqs[2] = self->c.rec.rcv_nxt + 0x80000000u;
	for (i = 0; i < 3; i++) {
		ca = stat_of("challenge_acks");
		f = forged(&self->c, TH_SYN, seqs[i], 0);
		f.opt = synopt;
		f.optlen = sizeof(synopt);
		if (self->c.ts && i == 0) {
			f.ts = true;
			f.tsval = self->c.ts_recent + 10;
		}
		EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r));
		if (r)
			EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
		EXPECT_EQ(ca + 1, stat_of("challenge_acks"));
		EXPECT_TRUE(parked(&self->c));
	}
	/* SYN|ACK on the tuple: the same. */
	f = forged(&self->c, TH_SYN | TH_ACK, seqs[1], self->c.rec.snd_nxt);
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r));
	EXPECT_TRUE(parked(&self->c));
	still_answered(_metadata, &self->sd, &self->c);
}

/* RFC 5961 §5.2: an ACK for data never sent draws a challenge ACK. */
TEST_F(park, ack_beyond_snd_nxt)
{
	uint64_t ca;
	const struct pkt *r;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	ca = stat_of("challenge_acks");
	f = forged(&self->c, TH_ACK, self->c.rec.rcv_nxt, self->c.rec.snd_nxt + 1000);
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r))
		TH_LOG("ACK for data never sent: want a challenge ACK");
	if (r)
		EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
	EXPECT_EQ(ca + 1, stat_of("challenge_acks"));
	EXPECT_TRUE(parked(&self->c));
	still_answered(_metadata, &self->sd, &self->c);
}

/*
 * RFC 5961 §5.2: "All incoming segments whose ACK value doesn't satisfy
 * ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT) MUST be discarded and
 * an ACK sent back" -- the too-old side as well (Linux: tcp_ack() sends a
 * challenge ACK for it, drop reason TCP_TOO_OLD_ACK).
 */
TEST_F(park, ack_too_old)
{
	uint64_t ca;
	const struct pkt *r;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	ca = stat_of("challenge_acks");
	f = forged(&self->c, TH_ACK, self->c.rec.rcv_nxt, self->c.rec.snd_nxt - 0x40000000);
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r))
		TH_LOG("ACK far older than snd_una - max_window: want it discarded and an ACK sent back");
	if (r)
		EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
	EXPECT_EQ(ca + 1, stat_of("challenge_acks"));
	EXPECT_TRUE(parked(&self->c));
	still_answered(_metadata, &self->sd, &self->c);
}

/* RFC 7323 PAWS: an old TSval is answered and dropped; TS.Recent stays. */
TEST_F(park, paws)
{
	uint32_t newer;
	const struct pkt *r;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	if (!self->c.ts)
		SKIP(return, "no timestamps");
	f = forged(&self->c, TH_ACK, self->c.rec.rcv_nxt - 1, self->c.rec.snd_nxt);
	f.ts = true;
	f.tsval = self->c.ts_recent - 1000;
	f.tsecr = self->c.srv_tsval;
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r));
	if (r)	/* TSecr is still the client's last good TSval. */
		EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
	EXPECT_TRUE(parked(&self->c));

	/*
	 * A newer one is a keepalive: answered, but it is not acceptable
	 * (tcp_sequence()), so TS.Recent stays: the TSecr too.
	 */
	newer = self->c.ts_recent + 3;
	f.tsval = newer;
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r));
	if (r)
		EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
	still_answered(_metadata, &self->sd, &self->c);
}

struct junk {
	const char *what;
	int reply;		/* 0: none, 1: one ACK, -1: either */
	void (*make)(struct conn *c, struct forge *f);
};

static const uint8_t bad_ts_len[] = { 8, 3, 0, 0 };
static const uint8_t zero_len_opt[] = { 5, 0, 0, 0 };
static const uint8_t overlong_opt[] = { 2, 40, 0, 0 };

static void j_bad_csum(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->ts = c->ts;
	f->tsval = c->ts_recent + 1;
	f->bad_csum = true;
}

static void j_null(struct conn *c, struct forge *f)
{
	*f = forged(c, 0, c->rec.rcv_nxt, c->rec.snd_nxt);
}

static void j_fin_only(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_FIN, c->rec.rcv_nxt, 0);
}

static void j_psh_urg(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_PSH | TH_URG, c->rec.rcv_nxt, 0);
	f->urp = 1;
}

static void j_syn_fin(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_SYN | TH_FIN, c->rec.rcv_nxt + 99, 0);
}

static void j_xmas_out(struct conn *c, struct forge *f)
{
	*f = forged(c, 0xff, c->rec.rcv_nxt + 0x40000000, c->rec.snd_nxt);
}

static void j_doff15(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->doff = 15;		/* 60 bytes of header claimed, 20 sent */
}

static void j_doff4(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->doff = 4;
}

static void j_short(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->tcp_bytes = 12;	/* not even a TCP header */
}

static void j_ts_cut(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->ts = true;
	f->tsval = c->ts_recent + 1;
	f->tcp_bytes = 26;	/* doff says 8, the TS option is cut short */
}

static void j_bad_ts_len(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->opt = bad_ts_len;
	f->optlen = sizeof(bad_ts_len);
}

static void j_zero_len_opt(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->opt = zero_len_opt;
	f->optlen = sizeof(zero_len_opt);
}

static void j_overlong_opt(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->opt = overlong_opt;
	f->optlen = sizeof(overlong_opt);
}

static void j_ip_short(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->ip_extra = 100;	/* the IP header claims more than arrives */
}

/* Some stacks (Windows) send keepalives with one old byte. */
static void j_ka_1byte(struct conn *c, struct forge *f)
{
	*f = forged(c, TH_ACK, c->rec.rcv_nxt - 1, c->rec.snd_nxt);
	f->paylen = 1;
	f->ts = c->ts;
	f->tsval = c->ts_recent + 1;
}

static const struct junk junks[] = {
	{ "keepalive carrying one old byte", 1, j_ka_1byte },
	{ "keepalive with a bad checksum", 0, j_bad_csum },
	{ "no flags at all", 0, j_null },
	{ "FIN without ACK", 0, j_fin_only },
	{ "PSH|URG without ACK", 0, j_psh_urg },
	{ "SYN|FIN", 1, j_syn_fin },
	{ "all flags, seq far out of window", 0, j_xmas_out },
	{ "doff 15 on a 20-byte header", 0, j_doff15 },
	{ "doff 4", 0, j_doff4 },
	{ "12 bytes of TCP", 0, j_short },
	{ "TS option cut short", 0, j_ts_cut },
	{ "TS option of length 3", -1, j_bad_ts_len },
	{ "option of length 0", -1, j_zero_len_opt },
	{ "option longer than the header", -1, j_overlong_opt },
	{ "IP length beyond the packet", 0, j_ip_short },
};

static uint64_t xs;

static uint32_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs >> 16;
}

/* 4. Junk on the tuple: never an RST, the record stays, the peer is answered. */
TEST_F(park, junk)
{
	static uint8_t ropt[40];
	const struct pkt *r[8];
	int i, j, n, from, rst = 0;
	uint64_t seed;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	from = npkts;
	for (i = 0; i < (int)ARRAY_SIZE(junks); i++) {
		const struct pkt *reply;

		junks[i].make(&self->c, &f);
		n = forge_and_wait(_metadata, self, &f, 200, junks[i].reply, &reply);
		if (junks[i].reply >= 0)
			EXPECT_EQ(junks[i].reply, n) TH_LOG("%s: %d answers", junks[i].what, n);
		if (reply && (reply->flags & TH_RST))
			rst++;
		EXPECT_TRUE(parked(&self->c)) TH_LOG("%s: record gone", junks[i].what);
		TH_LOG("%-40s -> %d answer(s)", junks[i].what, n);
		/* Its one old byte ends at rcv_nxt: acceptable, TS.Recent moves. */
		if (junks[i].make == j_ka_1byte && self->c.ts)
			self->c.ts_recent = f.tsval;
	}

	/* Random segments on the tuple; never the one exact RST. */
	seed = now_ns();
	TH_LOG("random junk, seed %llu", (unsigned long long)seed);
	xs = seed | 1;
	for (i = 0; i < 400; i++) {
		f = forged(&self->c, rnd() & 0xff, rnd() % 3 ? self->c.rec.rcv_nxt + (int16_t)rnd() :
			   rnd() << 16 | rnd(), rnd() % 2 ? self->c.rec.snd_nxt + (int16_t)rnd() :
			   rnd() << 16 | rnd());
		if ((f.flags & TH_RST) && f.seq == self->c.rec.rcv_nxt)
			f.seq++;
		/* new data or FIN at rcv_nxt would be for the app: not junk */
		if (f.seq == self->c.rec.rcv_nxt)
			f.flags &= ~TH_FIN;
		f.win = rnd();
		f.ts = rnd() % 2;
		/* never newer than the client's clock: TS.Recent stays usable */
		f.tsval = self->c.ts_recent - rnd() % 30000;
		f.tsecr = rnd();
		f.optlen = rnd() % 16;
		for (j = 0; j < (int)f.optlen; j++)
			ropt[j] = rnd() % 4 ? rnd() % 10 : rnd();
		f.opt = ropt;
		f.paylen = rnd() % 3 ? 0 : rnd() % 64;
		if (f.paylen && f.seq == self->c.rec.rcv_nxt)
			f.seq -= f.paylen;	/* old data, not new */
		f.doff = rnd() % 8 ? 0 : rnd() % 16;
		f.bad_csum = !(rnd() % 8);
		EXPECT_EQ(0, forge_send(self->raw, &f));
		if (!(i % 50))
			drain(&self->sd.cap, 0);
	}
	drain(&self->sd.cap, 500);
	n = srv_pkts(&self->c, from, r, 0);
	for (i = from; i < npkts; i++)
		if (pkt_on(&pkts[i], &self->c.c, &self->c.s) &&
		    pkt_from(&pkts[i], &self->c.s) && (pkts[i].flags & TH_RST))
			rst++;
	EXPECT_EQ(0, rst) TH_LOG("the server sent %d RSTs", rst);
	TH_LOG("%d answers to all the junk", n);
	EXPECT_TRUE(parked(&self->c));
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->c.cli));
	still_answered(_metadata, &self->sd, &self->c);
}

/* Server segments on @c from pkts[@from] on, and the least gap between them. */
static int srv_gaps(struct conn *c, int from, uint64_t *gap_min)
{
	uint64_t prev = 0;
	int i, n = 0;

	*gap_min = ~0ull;
	for (i = from; i < npkts; i++) {
		if (!pkt_on(&pkts[i], &c->c, &c->s) || !pkt_from(&pkts[i], &c->s))
			continue;
		if (prev && pkts[i].ns - prev < *gap_min)
			*gap_min = pkts[i].ns - prev;
		prev = pkts[i].ns;
		n++;
	}
	return n;
}

/*
 * Answers to junk are limited per record as tcp_oow_rate_limited() limits
 * them per socket: at most one per net.ipv4.tcp_invalid_ratelimit (500 ms).
 */
TEST_F_TIMEOUT(park, challenge_ratelimit, 60)
{
	const int burst = 2000;
	uint64_t ca, t_send, gap;
	int i, acks, from;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	ASSERT_EQ(0, ns_sysctl(self->sd.srv_ns, INVALID_RATELIMIT, 500));
	drain(&self->sd.cap, 0);
	from = npkts;
	ca = stat_of("challenge_acks");
	f = forged(&self->c, TH_RST, 0, 0);
	t_send = now_ns();
	for (i = 0; i < burst; i++) {
		f.seq = self->c.rec.rcv_nxt + 1 + (i % 1000);
		EXPECT_EQ(0, forge_send(self->raw, &f));
	}
	t_send = now_ns() - t_send;
	drain(&self->sd.cap, 300);
	acks = srv_gaps(&self->c, from, &gap);
	TH_LOG("%d in-window RSTs in %llu ms: %d challenge ACKs, %llu ms apart at least",
	       burst, (unsigned long long)(t_send / 1000000), acks,
	       (unsigned long long)(acks > 1 ? gap / 1000000 : 0));
	EXPECT_LE(1, acks);
	EXPECT_GE(1 + (int)(t_send / 500000000ull) + 1, acks);
	if (acks > 1)	/* jiffies and capture timestamps: a little slack */
		EXPECT_LE(450000000ull, gap);
	EXPECT_EQ(ca + acks, stat_of("challenge_acks"));
	EXPECT_TRUE(parked(&self->c));
	still_answered(_metadata, &self->sd, &self->c);
}

/*
 * CVE-2016-5696, the attack: whoever has a parked connection of its own
 * floods another parked tuple with SYNs and in-window RSTs, then sends a
 * SYN on its own tuple. With one challenge ACK budget for all records
 * (1000 a second per netns) its own challenge ACK goes missing exactly
 * when the other tuple is parked and the RSTs fell in its window. Per
 * record, it comes every time, and the flooded tuple answers at most one
 * in 500 ms.
 */
TEST_F_TIMEOUT(park, challenge_isolation, 60)
{
	const int burst = 1500;
	struct endpoint own_ep;
	uint64_t t, gap;
	int i, from, own, victim;
	struct conn mine;
	struct forge f;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	conn_listen(_metadata, &self->sd, &mine, "own", variant->lfam, variant->lip,
		    variant->cfam, variant->cip, &own_ep);
	conn_open(_metadata, &self->sd, &mine, variant->cfam, &own_ep, true);
	conn_record(_metadata, &mine);
	ASSERT_EQ(0, ns_sysctl(self->sd.srv_ns, INVALID_RATELIMIT, 500));
	msleep(600);
	drain(&self->sd.cap, 0);
	from = npkts;
	t = now_ns();
	for (i = 0; i < burst; i++) {
		f = forged(&self->c, i & 1 ? TH_SYN : TH_RST,
			   self->c.rec.rcv_nxt + 1 + i % 1000, 0);
		EXPECT_EQ(0, forge_send(self->raw, &f));
	}
	f = forged(&mine, TH_SYN, mine.rec.rcv_nxt + 12345, 0);
	EXPECT_EQ(0, forge_send(self->raw, &f));
	t = now_ns() - t;
	drain(&self->sd.cap, 1000);
	own = srv_gaps(&mine, from, &gap);
	victim = srv_gaps(&self->c, from, &gap);
	TH_LOG("%d SYNs/RSTs at the other tuple in %llu ms: it answered %d; own SYN answered %d",
	       burst, (unsigned long long)(t / 1000000), victim, own);
	EXPECT_EQ(1, own) TH_LOG("no challenge ACK on the attacker's own tuple");
	EXPECT_GE(1 + (int)(t / 500000000ull) + 1, victim);
	EXPECT_TRUE(parked(&self->c));
	EXPECT_TRUE(parked(&mine));
	conn_abort(&mine);
}

/* tcparkctl kill: RST|ACK at snd_nxt, the client sees ECONNRESET. */
TEST_F(park, kill)
{
	uint64_t kills = stat_of("kills"), nparked = stat_of("parked");
	const struct pkt *r[8];
	char args[64], buf[8];
	int i, n;

	park_one(_metadata, self, variant);
	snprintf(args, sizeof(args), "kill cookie %llu", (unsigned long long)self->c.rec.cookie);
	EXPECT_EQ(0, ctl_run(srv_path, args));
	drain(&self->sd.cap, 300);
	n = srv_pkts(&self->c, self->c.idx_close, r, 8);
	ASSERT_EQ(1, n) TH_LOG("want exactly one RST, got %d segments", n);
	EXPECT_EQ(TH_RST | TH_ACK, r[0]->flags);
	EXPECT_EQ(self->c.rcv_nxt, r[0]->seq);
	EXPECT_EQ(self->c.snd_nxt, r[0]->ack);
	EXPECT_TRUE(!r[0]->csum_known || r[0]->csum_ok);
	for (i = 0; i < 50 && tcp_state(self->c.cli) != TCP_CLOSE; i++)
		msleep(20);
	EXPECT_EQ(TCP_CLOSE, tcp_state(self->c.cli));
	EXPECT_EQ(-1, recv(self->c.cli, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(kills + 1, stat_of("kills"));
	EXPECT_EQ(nparked, stat_of("parked"));
}

/*
 * RFC 5961 §4 recovery: the client lost its connection without a word
 * (a NAT device rebooting) and opens a new one from the same port. Its
 * SYN draws a challenge ACK, its stack answers that with an RST at
 * exactly the record's rcv_nxt, the record ends, and the retransmitted
 * SYN reaches the listener: connect() succeeds.
 */
TEST_F_TIMEOUT(park, syn_new_connection, 30)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	uint32_t old_rcv_nxt, old_snd_nxt;
	int one = 1, fd, i, acks = 0, rsts = 0, from;
	uint64_t t;
	char buf[8];

	park_one(_metadata, self, variant);
	old_rcv_nxt = self->c.rec.rcv_nxt;
	old_snd_nxt = self->c.rec.snd_nxt;
	/* The client forgets the connection silently (repair mode close). */
	ASSERT_EQ(0, getsockname(self->c.cli, (struct sockaddr *)&ss, &sslen));
	ASSERT_EQ(0, setsockopt(self->c.cli, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one)))
		TH_LOG("TCP_REPAIR: %s", strerror(errno));
	close(self->c.cli);
	self->c.cli = -1;
	drain(&self->sd.cap, 200);
	from = npkts;
	EXPECT_TRUE(parked(&self->c));

	fd = socket_in(self->sd.cli_ns, variant->cfam, SOCK_STREAM);
	ASSERT_LE(0, fd);
	self->c.cli = fd;
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, sslen)) TH_LOG("bind: %s", strerror(errno));
	t = now_ns();
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&self->cep.addr, self->cep.addrlen))
		TH_LOG("connect from the same port: %s", strerror(errno));
	t = (now_ns() - t) / 1000000;
	self->c.srv = accept(self->c.lfd, NULL, NULL);
	ASSERT_LE(0, self->c.srv);
	ASSERT_EQ(2, write(fd, "hi", 2));
	ASSERT_EQ(2, recv(self->c.srv, buf, 2, MSG_WAITALL));
	EXPECT_FALSE(parked(&self->c));
	drain(&self->sd.cap, 100);
	for (i = from; i < npkts; i++) {
		const struct pkt *p = &pkts[i];

		if (!pkt_on(p, &self->c.c, &self->c.s))
			continue;
		if (pkt_from(p, &self->c.s) && p->flags == TH_ACK && !acks) {
			acks++;
			EXPECT_EQ(old_snd_nxt, p->seq);
			EXPECT_EQ(old_rcv_nxt, p->ack);
		} else if (pkt_from(p, &self->c.c) && (p->flags & TH_RST)) {
			rsts++;
			EXPECT_EQ(old_rcv_nxt, p->seq) TH_LOG("the client's RST");
		}
	}
	TH_LOG("connect() took %llu ms", (unsigned long long)t);
	EXPECT_EQ(1, acks) TH_LOG("no challenge ACK for the new SYN");
	EXPECT_EQ(1, rsts) TH_LOG("no RST from the client's stack");
	if (acks != 1 || rsts != 1)
		dump_from(from);
}

/*
 * The server read the client's last bytes but its delayed ACK had not gone
 * out when it closed (pingpong mode, TCP_QUICKACK 0). The park sends that
 * ACK first: the client sees ack == its end at once and retransmits
 * nothing. (Parked without it, the record's rcv_wup would be behind
 * rcv_nxt and the client would retransmit after its RTO.)
 */
TEST_F(park, delayed_ack_pending)
{
	const struct pkt *r[16];
	struct tcp_info ti;
	char buf[16];
	int zero = 0, i, n, rexmit = 0, from;
	bool acked = false;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	ASSERT_EQ(0, setsockopt(self->c.srv, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof(zero)));
	from = npkts;
	ASSERT_EQ(10, write(self->c.cli, "0123456789", 10));
	ASSERT_EQ(10, recv(self->c.srv, buf, 10, MSG_WAITALL));
	drain(&self->sd.cap, 0);	/* what is queued: no time for the ACK timer */
	self->c.idx_close = npkts;
	close(self->c.srv);
	self->c.srv = -1;
	/* The client's 10 bytes were captured before the close: snd_nxt has them. */
	conn_track(&self->c, 0, self->c.idx_close);
	for (i = from; i < self->c.idx_close; i++)
		acked |= pkt_on(&pkts[i], &self->c.c, &self->c.s) &&
			 pkt_from(&pkts[i], &self->c.s) && pkts[i].ack == self->c.snd_nxt;
	if (acked)
		SKIP(return, "the delayed ACK went out before close(): nothing pending");
	for (i = 0; i < 300; i++) {
		if (!tcp_info_of(self->c.cli, &ti) && !ti.tcpi_unacked)
			break;
		drain(&self->sd.cap, 10);
	}
	drain(&self->sd.cap, 100);
	EXPECT_EQ(0, ti.tcpi_unacked) TH_LOG("the client's 10 bytes were never acknowledged");
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(self->c.cli));
	for (i = self->c.idx_close; i < npkts; i++)
		rexmit += pkt_on(&pkts[i], &self->c.c, &self->c.s) &&
			  pkt_from(&pkts[i], &self->c.c) && pkts[i].len;
	n = srv_pkts(&self->c, self->c.idx_close, r, 16);
	TH_LOG("%d retransmission(s) by the client, %d answer(s)", rexmit, n);
	ASSERT_LE(1, n) TH_LOG("nothing acknowledged the client's last bytes");
	EXPECT_EQ(TH_ACK, r[0]->flags);
	EXPECT_EQ(self->c.rcv_nxt, r[0]->seq);
	EXPECT_EQ(self->c.snd_nxt, r[0]->ack) TH_LOG("the peer must see ack == its end");
	EXPECT_EQ(0, rexmit) TH_LOG("the pending ACK was not sent at the park");
	if (rexmit || n != 1)
		dump_conn(&self->c);
	EXPECT_TRUE(parked(&self->c));
}

/* SO_LINGER 0 asks for an abortive close: an RST, not a park. */
TEST_F(park, abortive_close)
{
	uint64_t parks = stat_of("parks"), inel = stat_of("ineligible");
	struct linger lg = { 1, 0 };
	const struct pkt *r[8];
	char buf[8];
	int i, n;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	self->c.idx_close = npkts;
	ASSERT_EQ(0, setsockopt(self->c.srv, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(self->c.srv);
	self->c.srv = -1;
	drain(&self->sd.cap, 300);
	n = srv_pkts(&self->c, self->c.idx_close, r, 8);
	ASSERT_EQ(1, n) TH_LOG("want one RST, got %d segments", n);
	EXPECT_EQ(TH_RST | TH_ACK, r[0]->flags);
	EXPECT_EQ(self->c.rcv_nxt, r[0]->seq);
	for (i = 0; i < 50 && tcp_state(self->c.cli) != TCP_CLOSE; i++)
		msleep(20);
	EXPECT_EQ(-1, recv(self->c.cli, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(parks, stat_of("parks"));
	EXPECT_EQ(inel, stat_of("ineligible"));
}

/* 8. Unread data on the server socket: TCP's close (RST), no record. */
TEST_F(park, ineligible_unread)
{
	uint64_t inel = stat_of("ineligible"), unread = stat_of("unread");
	uint64_t parks = stat_of("parks");
	const struct pkt *r[8];
	char buf[64];
	int i, n, avail = 0, rst = 0;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	ASSERT_EQ(50, write(self->c.cli, buf, 50));
	for (i = 0; i < 100 && avail < 50; i++) {
		msleep(10);
		ioctl(self->c.srv, FIONREAD, &avail);
	}
	ASSERT_EQ(50, avail);
	drain(&self->sd.cap, 50);
	conn_track(&self->c, 0, npkts);
	self->c.idx_close = npkts;
	close(self->c.srv);
	self->c.srv = -1;
	drain(&self->sd.cap, 500);
	n = srv_pkts(&self->c, self->c.idx_close, r, 8);
	for (i = 0; i < n && i < 8; i++) {
		EXPECT_FALSE(r[i]->flags & TH_FIN);
		if (!(r[i]->flags & TH_RST))
			continue;
		rst++;
		EXPECT_EQ(TH_RST | TH_ACK, r[i]->flags);
		EXPECT_EQ(self->c.rcv_nxt, r[i]->seq);
	}
	EXPECT_EQ(1, rst) TH_LOG("want TCP's one RST for unread data, %d segments", n);
	for (i = 0; i < 50 && tcp_state(self->c.cli) != TCP_CLOSE; i++)
		msleep(20);
	EXPECT_EQ(TCP_CLOSE, tcp_state(self->c.cli));
	EXPECT_EQ(-1, recv(self->c.cli, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(inel + 1, stat_of("ineligible"));
	EXPECT_EQ(unread + 1, stat_of("unread"));
	EXPECT_EQ(parks, stat_of("parks"));
	EXPECT_FALSE(parked(&self->c));
}

/*
 * The client's segments after the close ack at most @snd_nxt (a slow
 * kernel acks the reply in parts), and the last one all of it: the
 * record's snd_nxt is past the reply, the client's rcv_nxt.
 */
static void expect_acked_to(struct __test_metadata *_metadata,
			    struct conn *c, uint32_t snd_nxt)
{
	uint32_t last = snd_nxt - 1;
	int i;

	for (i = c->idx_close; i < npkts; i++)
		if (pkt_on(&pkts[i], &c->c, &c->s) && pkt_from(&pkts[i], &c->c)) {
			EXPECT_GE(0, (int32_t)(pkts[i].ack - snd_nxt));
			last = pkts[i].ack;
		}
	EXPECT_EQ(snd_nxt, last);
}

/*
 * After a close() that parked @c: the record is there, the client is still
 * ESTABLISHED, the server sent neither FIN nor RST since the close, and
 * the client acked up to the record's snd_nxt.
 */
static void expect_quiet_park(struct __test_metadata *_metadata,
			      struct side *sd, struct conn *c)
{
	struct tcp_info ti;
	int i, n = 0;

	ASSERT_EQ(0, ctl_find(srv_path, c->s.port, c->c.port, &c->rec));
	ASSERT_EQ(0, tcp_info_of(c->cli, &ti));
	EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
	drain(&sd->cap, 200);
	for (i = c->idx_close; i < npkts; i++)
		if (pkt_on(&pkts[i], &c->c, &c->s) && pkt_from(&pkts[i], &c->s))
			n += !!(pkts[i].flags & (TH_FIN | TH_RST));
	EXPECT_EQ(0, n) TH_LOG("FIN or RST from the server after close()");
	expect_acked_to(_metadata, c, c->rec.snd_nxt);
}

/*
 * 8. Data not yet acknowledged, no SO_LINGER (deferred park): close()
 * returns at once, nothing but the data leaves, the socket waits for the
 * client's ACKs (1.5 s away) as an orphan, counted as TCP counts them,
 * and then parks: the client gets every byte and stays ESTABLISHED, and
 * the record's snd_nxt is past the reply.
 */
TEST_F(park, deferred_parks_after_ack)
{
	uint64_t parks = stat_of("parks"), unacked = stat_of("unacked");
	uint64_t waited = stat_of("waited"), then = stat_of("then_parked");
	const char *ns = strrchr(cli_path, '/') + 1;
	static char buf[3000];
	struct tcp_info ti;
	char cmd[256];
	uint64_t took;
	int i;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc add dev veth_cli root netem delay 1500ms", ns);
	ASSERT_EQ(0, system(cmd));
	memset(buf, 'd', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->c.srv, buf, sizeof(buf)));
	ASSERT_EQ(0, tcp_info_of(self->c.srv, &ti));
	EXPECT_LT(0, ti.tcpi_unacked);
	self->c.idx_close = npkts;
	took = now_ns();
	EXPECT_EQ(0, close(self->c.srv));
	took = (now_ns() - took) / 1000000;
	self->c.srv = -1;
	TH_LOG("close() took %llu ms", (unsigned long long)took);
	EXPECT_GT(150, took) TH_LOG("close() waited for the ACK");
	/* Waiting now: an orphan of the server netns, not yet a record. */
	EXPECT_EQ(1, stat_of("waiting"));
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ((ssize_t)sizeof(buf), recv(self->c.cli, buf, sizeof(buf), MSG_WAITALL));
	for (i = 0; i < 200 && !parked(&self->c); i++)
		msleep(20);
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev veth_cli root", ns);
	EXPECT_EQ(0, system(cmd));
	ASSERT_TRUE(parked(&self->c));
	expect_quiet_park(_metadata, &self->sd, &self->c);
	EXPECT_EQ(parks + 1, stat_of("parks"));
	EXPECT_EQ(unacked, stat_of("unacked"));
	EXPECT_EQ(waited + 1, stat_of("waited"));
	EXPECT_EQ(then + 1, stat_of("then_parked"));
	EXPECT_EQ(0, stat_of("waiting"));
}

/*
 * 8b. The ACKs never come in time: the client's ACKs are all lost until
 * tcp_fin_time() after the close (tcp_fin_timeout 2 s here, or 3.5 RTO).
 * Then it ends as TCP's close would have: the data, then a FIN; no
 * record; counted as then_closed.
 */
TEST_F_TIMEOUT(park, deferred_gives_up, 40)
{
	uint64_t parks = stat_of("parks"), closed = stat_of("then_closed");
	const char *ns = strrchr(cli_path, '/') + 1;
	static char buf[3000];
	int i, n, got = 0, fin = 0;
	char cmd[256];
	uint64_t took;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	ASSERT_EQ(0, ns_sysctl(self->sd.srv_ns, "/proc/sys/net/ipv4/tcp_fin_timeout", 2));
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc add dev veth_cli root netem loss 100%%", ns);
	ASSERT_EQ(0, system(cmd));
	memset(buf, 'g', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->c.srv, buf, sizeof(buf)));
	self->c.idx_close = npkts;
	took = now_ns();
	EXPECT_EQ(0, close(self->c.srv));
	self->c.srv = -1;
	EXPECT_GT(150, (now_ns() - took) / 1000000);
	EXPECT_EQ(1, stat_of("waiting"));
	/* Past the bound, plus a few RTOs for the sweep of the timer. */
	for (i = 0; i < 150 && stat_of("waiting"); i++)
		msleep(50);
	took = (now_ns() - took) / 1000000;
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev veth_cli root", ns);
	EXPECT_EQ(0, system(cmd));
	TH_LOG("gave up %llu ms after close()", (unsigned long long)took);
	EXPECT_EQ(0, stat_of("waiting"));
	EXPECT_LE(1900, took) TH_LOG("gave up before tcp_fin_timeout");
	EXPECT_EQ(closed + 1, stat_of("then_closed"));
	while (got < (int)sizeof(buf) + 1) {
		n = recv(self->c.cli, buf, sizeof(buf), 0);
		if (n <= 0) {
			fin = n == 0;
			break;
		}
		got += n;
	}
	EXPECT_EQ((int)sizeof(buf), got);
	EXPECT_TRUE(fin) TH_LOG("no EOF after the data: %s", strerror(errno));
	drain(&self->sd.cap, 200);
	for (n = 0, i = self->c.idx_close; i < npkts; i++)
		if (pkt_on(&pkts[i], &self->c.c, &self->c.s) && pkt_from(&pkts[i], &self->c.s)) {
			EXPECT_FALSE(pkts[i].flags & TH_RST);
			n += !!(pkts[i].flags & TH_FIN);
		}
	EXPECT_LE(1, n) TH_LOG("no FIN from the server on the wire");
	EXPECT_EQ(parks, stat_of("parks"));
	EXPECT_FALSE(parked(&self->c));
}

/*
 * 8c. The client reads the reply and closes while the server's close
 * waits for the ACKs: its FIN usually arrives with them. TCP's close
 * would end with a FIN (LAST_ACK), and so does this one: no RST, no
 * record. (On a slow kernel the client's delayed ACK may leave before
 * its FIN: then the connection parks first, and the FIN wakes it
 * through accept(), where closing the child answers with a FIN too.)
 */
TEST_F_TIMEOUT(park, deferred_peer_fin, 40)
{
	uint64_t closed = stat_of("then_closed"), then = stat_of("then_parked");
	struct pollfd pfd;
	const char *ns = strrchr(cli_path, '/') + 1;
	static char buf[3000];
	int i, fin = 0, rst = 0;
	char cmd[256];

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc add dev veth_cli root netem delay 1000ms", ns);
	ASSERT_EQ(0, system(cmd));
	memset(buf, 'f', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->c.srv, buf, sizeof(buf)));
	self->c.idx_close = npkts;
	EXPECT_EQ(0, close(self->c.srv));
	self->c.srv = -1;
	EXPECT_EQ((ssize_t)sizeof(buf), recv(self->c.cli, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, close(self->c.cli));
	self->c.cli = -1;
	for (i = 0; i < 100 && stat_of("waiting"); i++)
		msleep(50);
	EXPECT_EQ(0, stat_of("waiting"));
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev veth_cli root", ns);
	EXPECT_EQ(0, system(cmd));
	EXPECT_EQ(closed + then + 1, stat_of("then_closed") + stat_of("then_parked"));
	if (stat_of("then_parked") != then) {
		pfd = (struct pollfd){ .fd = self->c.lfd, .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 5000)) TH_LOG("the FIN woke nothing");
		i = accept(self->c.lfd, NULL, NULL);
		ASSERT_LE(0, i);
		close(i);
	}
	drain(&self->sd.cap, 1500);
	for (i = self->c.idx_close; i < npkts; i++)
		if (pkt_on(&pkts[i], &self->c.c, &self->c.s) && pkt_from(&pkts[i], &self->c.s)) {
			rst += !!(pkts[i].flags & TH_RST);
			fin += !!(pkts[i].flags & TH_FIN);
		}
	EXPECT_EQ(0, rst) TH_LOG("the server reset a peer that only closed");
	EXPECT_LE(1, fin) TH_LOG("no FIN from the server");
	EXPECT_FALSE(parked(&self->c));
}

/*
 * SO_LINGER with a timeout: close() right after a reply waits for the
 * client's ACK (300 ms away), then parks: no FIN, and the record starts
 * after the reply.
 */
TEST_F(park, linger_parks_after_ack)
{
	uint64_t parks = stat_of("parks"), unacked = stat_of("unacked");
	const char *ns = strrchr(cli_path, '/') + 1;
	struct linger lg = { 1, 5 };
	static char buf[3000];
	char cmd[256];
	uint64_t took;
	int i;

	conn_open(_metadata, &self->sd, &self->c, variant->cfam, &self->cep, false);
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc add dev veth_cli root netem delay 300ms", ns);
	ASSERT_EQ(0, system(cmd));
	memset(buf, 'r', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), write(self->c.srv, buf, sizeof(buf)));
	ASSERT_EQ(0, setsockopt(self->c.srv, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	self->c.idx_close = npkts;
	took = now_ns();
	EXPECT_EQ(0, close(self->c.srv));
	took = (now_ns() - took) / 1000000;
	self->c.srv = -1;
	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc del dev veth_cli root", ns);
	EXPECT_EQ(0, system(cmd));
	TH_LOG("close() took %llu ms", (unsigned long long)took);
	EXPECT_LE(250, took) TH_LOG("close() did not wait for the ACK");
	EXPECT_GT(5000, took);
	EXPECT_EQ((ssize_t)sizeof(buf), recv(self->c.cli, buf, sizeof(buf), MSG_WAITALL));
	for (i = 0; i < 50 && !parked(&self->c); i++)
		msleep(20);
	ASSERT_TRUE(parked(&self->c));
	expect_quiet_park(_metadata, &self->sd, &self->c);
	EXPECT_EQ(parks + 1, stat_of("parks"));
	EXPECT_EQ(unacked, stat_of("unacked"));
}

/* ---- waking a record: accept() and connect() ------------------------- */

/* The client's address as @fam's connect() takes it (v4-mapped for v6). */
static socklen_t ep_sockaddr(const struct tcp_ep *ep, int fam,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(ep->port);
		memcpy(&sin->sin_addr, ep->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (void *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(ep->port);
	if (ep->family == AF_INET) {
		sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], ep->addr, 4);
	} else {
		memcpy(&sin6->sin6_addr, ep->addr, 16);
	}
	return sizeof(*sin6);
}

/* Segments the server sent after @from with any of @flags set. */
static int srv_sent(struct conn *c, int from, uint8_t flags)
{
	int i, n = 0;

	for (i = from; i < npkts; i++)
		if (pkt_on(&pkts[i], &c->c, &c->s) && pkt_from(&pkts[i], &c->s) &&
		    (pkts[i].flags & flags))
			n++;
	return n;
}

static void fill(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

/* A listener with the ULP in transient mode on the server's old port. */
/* A transient-mode tcpark listener on the server's address, @*lep's port. */
static int tcpark_listener(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			   const FIXTURE_VARIANT(park) *variant, struct endpoint *lep,
			   int port, int backlog)
{
	__u32 mode = TCPARK_MODE_TRANSIENT;
	int fd;

	if (endpoint_init(lep, self->sd.srv_ns, variant->lfam, variant->lip))
		return -1;
	endpoint_set_port(lep, port);
	fd = listen_on(lep, backlog);
	if (fd < 0 || ulp_set(fd, TCPARK_ULP_NAME) ||
	    setsockopt(fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode))) {
		TH_LOG("listener on :%d: %s", port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int relisten(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
		    const FIXTURE_VARIANT(park) *variant, int backlog)
{
	struct endpoint lep;

	return tcpark_listener(_metadata, self, variant, &lep, self->c.s.port, backlog);
}

/*
 * Accept the reactivated connection within @ms: it must come with @len
 * bytes already readable (checked with a non-blocking read at once), the
 * reactivated flag and the record's cookie. Returns the fd or -1.
 */
static int accept_woken(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			const char *want, size_t len, int ms)
{
	struct pollfd pfd = { .fd = self->c.lfd, .events = POLLIN };
	struct tcpark_info info;
	static char got[65536];
	struct tcp_ep l, r;
	ssize_t n;
	int fd;

	if (poll(&pfd, 1, ms) != 1) {
		TH_LOG("accept(): nothing within %d ms", ms);
		return -1;
	}
	fd = accept4(self->c.lfd, NULL, NULL, SOCK_NONBLOCK);
	if (fd < 0) {
		TH_LOG("accept: %s", strerror(errno));
		return -1;
	}
	n = recv(fd, got, sizeof(got), MSG_DONTWAIT);
	EXPECT_EQ((ssize_t)len, n) TH_LOG("readable at accept: %zd (%s)", n,
					   n < 0 ? strerror(errno) : "");
	if (n == (ssize_t)len && len)
		EXPECT_EQ(0, memcmp(want, got, len));
	EXPECT_EQ(0, tcpark_info(fd, &info));
	EXPECT_EQ(TCPARK_F_REACTIVATED, info.tpi_flags & TCPARK_F_REACTIVATED);
	EXPECT_EQ(self->c.rec.cookie, info.tpi_cookie);
	EXPECT_EQ(self->c.rec.cookie, so_cookie(fd));
	EXPECT_EQ(0, sock_eps(fd, &l, &r));
	EXPECT_EQ(self->c.s.port, l.port);
	EXPECT_EQ(self->c.c.port, r.port);
	return fd;
}

/*
 * The device-server round trip: the server closed (parked), the device
 * speaks 5 s later, accept() returns the connection with its message,
 * the server's reply reaches the device on its original socket.
 */
TEST_F_TIMEOUT(park, reactivate_accept, 40)
{
	uint64_t react = stat_of("reactivated"), nparked = stat_of("parked");
	static char msg[1000], reply[3000], got[3000];
	int fd, from;

	park_one(_metadata, self, variant);
	sleep(5);
	from = npkts;
	fill(msg, sizeof(msg), 1);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 5000);
	ASSERT_LE(0, fd);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(fd));
	fill(reply, sizeof(reply), 2);
	EXPECT_EQ((ssize_t)sizeof(reply), write(fd, reply, sizeof(reply)));
	EXPECT_EQ((ssize_t)sizeof(got), recv(self->c.cli, got, sizeof(got), MSG_WAITALL));
	EXPECT_EQ(0, memcmp(reply, got, sizeof(got)));
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(react + 1, stat_of("reactivated"));
	EXPECT_EQ(nparked, stat_of("parked"));
	drain(&self->sd.cap, 100);
	EXPECT_EQ(0, srv_sent(&self->c, from, TH_RST | TH_SYN));
	self->c.srv = fd;
}

/* A FIN from the device: accept() returns a connection at end of stream. */
TEST_F(park, reactivate_fin)
{
	char b;
	int fd;

	park_one(_metadata, self, variant);
	ASSERT_EQ(0, shutdown(self->c.cli, SHUT_WR));
	fd = accept_woken(_metadata, self, NULL, 0, 5000);
	ASSERT_LE(0, fd);
	EXPECT_EQ(TCP_CLOSE_WAIT, tcp_state(fd));
	EXPECT_EQ(0, read(fd, &b, 1));
	/* The app's close() finishes it: FIN to the device, EOF there. */
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, read(self->c.cli, &b, 1));
	EXPECT_FALSE(parked(&self->c));
}

/*
 * The listener is gone (app restart): the data stays unacknowledged, the
 * device retransmits; once a listener is back on the port the next
 * retransmission is accepted with the data intact.
 */
TEST_F_TIMEOUT(park, reactivate_listener_back, 40)
{
	uint64_t nol = stat_of("no_listener");
	static char msg[700];
	struct tcp_info ti;
	int fd;

	park_one(_metadata, self, variant);
	close(self->c.lfd);
	self->c.lfd = -1;
	fill(msg, sizeof(msg), 3);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	msleep(1000);
	ASSERT_EQ(0, tcp_info_of(self->c.cli, &ti));
	EXPECT_LT(0, ti.tcpi_unacked) TH_LOG("data acked with no listener");
	EXPECT_LT(0, ti.tcpi_total_retrans);
	EXPECT_LT(nol, stat_of("no_listener"));
	EXPECT_TRUE(parked(&self->c));
	self->c.lfd = relisten(_metadata, self, variant, 16);
	ASSERT_LE(0, self->c.lfd);
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 10000);
	ASSERT_LE(0, fd);
	self->c.srv = fd;
}

/*
 * Another user's listener on the parked connection's port (the owner's
 * server restarting) must not get the owner's device: the data is held
 * (no_listener) and the owner's own listener takes it afterwards.
 */
TEST_F_TIMEOUT(park, reactivate_other_user, 40)
{
	uint64_t nol = stat_of("no_listener");
	__u32 mode = TCPARK_MODE_TRANSIENT;
	static char msg[500];
	struct sockaddr_storage ss;
	int pfd[2], status, fd, one = 1;
	socklen_t len;
	pid_t pid;
	char b;

	park_one(_metadata, self, variant);
	close(self->c.lfd);
	self->c.lfd = -1;
	len = ep_sockaddr(&self->c.s, variant->lfam, &ss);
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct pollfd p = { .events = POLLIN };

		/* Into the server's netns as root, then nobody, no caps. */
		if (setns(self->sd.srv_ns, CLONE_NEWNET) || setgroups(0, NULL) ||
		    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(10);
		p.fd = socket(variant->lfam, SOCK_STREAM, 0);
		if (p.fd < 0 || setsockopt(p.fd, SOL_SOCKET, SO_REUSEADDR, &one, 4) ||
		    bind(p.fd, (struct sockaddr *)&ss, len) ||
		    ulp_set(p.fd, TCPARK_ULP_NAME) ||
		    setsockopt(p.fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
		    listen(p.fd, 16))
			_exit(11);
		if (write(pfd[1], "r", 1) != 1)
			_exit(12);
		_exit(poll(&p, 1, 3000) == 0 ? 0 : 1);
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &b, 1)) TH_LOG("nobody's listener did not start");
	close(pfd[0]);
	fill(msg, sizeof(msg), 9);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("exit %d: 1 = another user's listener got the device",
						 WEXITSTATUS(status));
	EXPECT_LT(nol, stat_of("no_listener"));
	EXPECT_TRUE(parked(&self->c));
	self->c.lfd = relisten(_metadata, self, variant, 16);
	ASSERT_LE(0, self->c.lfd);
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 10000);
	ASSERT_LE(0, fd);
	self->c.srv = fd;
}

/*
 * A reuseport group's BPF_PROG_TYPE_SK_REUSEPORT program reads the
 * segment from the TCP header on (struct sk_reuseport_md): SK_PASS only
 * when its first two bytes are @sport, the device's port. Returns the
 * program's fd or -1.
 */
static int reuseport_prog(uint16_t sport)
{
	struct bpf_insn insns[] = {
		/* r2 = data, r3 = data_end; bytes 0..1 must be there */
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 2, .src_reg = 1,
		  .off = offsetof(struct sk_reuseport_md, data) },
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 3, .src_reg = 1,
		  .off = offsetof(struct sk_reuseport_md, data_end) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 4, .src_reg = 2 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 4, .imm = 2 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 4, .src_reg = 3, .off = 4 },
		/* the source port, in network order as it lies in memory */
		{ .code = BPF_LDX | BPF_MEM | BPF_H, .dst_reg = 5, .src_reg = 2 },
		{ .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = 5, .off = 2, .imm = htons(sport) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = SK_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = SK_DROP },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SK_REUSEPORT;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uintptr_t)"GPL";
	return syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

/*
 * The device's data is offered to the listener as a SYN would be, so a
 * reuseport group's program judges it by its TCP header: one that wants
 * another source port holds it (no_listener), one that wants the device's
 * takes it. The program read the IP header where it expects the TCP one.
 */
TEST_F_TIMEOUT(park, reactivate_reuseport_prog, 40)
{
	uint64_t nol = stat_of("no_listener");
	__u32 mode = TCPARK_MODE_TRANSIENT;
	static char msg[300];
	struct sockaddr_storage ss;
	int one = 1, wrong, right, fd;
	socklen_t len;

	park_one(_metadata, self, variant);
	wrong = reuseport_prog(self->c.c.port + 1);
	if (wrong < 0 && errno == ENOSYS)	/* no such program can exist */
		SKIP(return, "no bpf() in this kernel (the debug kernel's config)");
	right = reuseport_prog(self->c.c.port);
	close(self->c.lfd);
	ASSERT_LE(0, wrong) TH_LOG("BPF_PROG_LOAD: %s", strerror(errno));
	ASSERT_LE(0, right);
	self->c.lfd = socket_in(self->sd.srv_ns, variant->lfam, SOCK_STREAM);
	ASSERT_LE(0, self->c.lfd);
	len = ep_sockaddr(&self->c.s, variant->lfam, &ss);
	ASSERT_EQ(0, setsockopt(self->c.lfd, SOL_SOCKET, SO_REUSEADDR, &one, 4));
	ASSERT_EQ(0, setsockopt(self->c.lfd, SOL_SOCKET, SO_REUSEPORT, &one, 4));
	ASSERT_EQ(0, bind(self->c.lfd, (struct sockaddr *)&ss, len)) TH_LOG("bind: %s",
									  strerror(errno));
	ASSERT_EQ(0, setsockopt(self->c.lfd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &wrong, 4))
		TH_LOG("SO_ATTACH_REUSEPORT_EBPF: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(self->c.lfd, TCPARK_ULP_NAME));
	ASSERT_EQ(0, setsockopt(self->c.lfd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)));
	ASSERT_EQ(0, listen(self->c.lfd, 16));
	fill(msg, sizeof(msg), 11);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 1500);
	EXPECT_EQ(-1, fd) TH_LOG("the program that wants port %u let it through",
				 self->c.c.port + 1);
	if (fd >= 0)
		close(fd);
	EXPECT_LT(nol, stat_of("no_listener"));
	EXPECT_TRUE(parked(&self->c));
	ASSERT_EQ(0, setsockopt(self->c.lfd, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &right, 4));
	/* The device retransmits (RTO backoff: a few seconds at most). */
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 15000);
	EXPECT_LE(0, fd) TH_LOG("the program that wants the device's port %u held it",
				self->c.c.port);
	if (fd >= 0)
		self->c.srv = fd;
	close(wrong);
	close(right);
}

/* The listener's accept queue is full: held until there is room. */
TEST_F_TIMEOUT(park, reactivate_backlog_full, 40)
{
	uint64_t full = stat_of("backlog");
	struct linger lg = { 1, 0 };
	static char msg[500];
	struct tcp_info ti;
	int other, fd;

	park_one(_metadata, self, variant);
	ASSERT_EQ(0, listen(self->c.lfd, 0));
	other = connect_to(self->sd.cli_ns, variant->cfam, &self->cep);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, wait_accept_queue(self->c.lfd, 1, 2000));
	fill(msg, sizeof(msg), 4);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	msleep(1000);
	ASSERT_EQ(0, tcp_info_of(self->c.cli, &ti));
	EXPECT_LT(0, ti.tcpi_unacked);
	EXPECT_LT(full, stat_of("backlog"));
	EXPECT_TRUE(parked(&self->c));
	/* Room again; abortive closes, or the other one would park too. */
	fd = accept(self->c.lfd, NULL, NULL);
	ASSERT_LE(0, fd);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	setsockopt(other, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(other);
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 10000);
	ASSERT_LE(0, fd);
	self->c.srv = fd;
}

/* Nobody takes the data within wake_timeout_ms: the device gets an RST. */
TEST_F_TIMEOUT(park, reactivate_gives_up, 40)
{
	uint64_t expired = stat_of("expired");
	struct tcp_info ti;
	char b = 'x';
	int i, from;

	ASSERT_EQ(0, sysctl_set_u32(self->sd.srv_ns, "wake_timeout_ms", 2000));
	park_one(_metadata, self, variant);
	close(self->c.lfd);
	self->c.lfd = -1;
	from = npkts;
	ASSERT_EQ(1, write(self->c.cli, &b, 1));
	for (i = 0; i < 150 && tcp_state(self->c.cli) != TCP_CLOSE; i++)
		msleep(100);
	EXPECT_EQ(0, sysctl_set_u32(self->sd.srv_ns, "wake_timeout_ms", 30000));
	ASSERT_EQ(TCP_CLOSE, tcp_state(self->c.cli)) TH_LOG("no RST within 15 s");
	EXPECT_GE(i, 15) TH_LOG("reset after %d ms, before wake_timeout_ms", i * 100);
	EXPECT_EQ(-1, recv(self->c.cli, &b, 1, MSG_DONTWAIT));
	EXPECT_EQ(ECONNRESET, errno);
	ASSERT_EQ(0, tcp_info_of(self->c.cli, &ti));
	drain(&self->sd.cap, 100);
	EXPECT_EQ(1, srv_sent(&self->c, from, TH_RST));
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(expired + 1, stat_of("expired"));
}

/*
 * RFC 7323 §4.3 / tcp_replace_ts_recent(), the attack: only an acceptable
 * segment may set TS.Recent. A blind attacker who knows the 4-tuple and an
 * ACK inside max_window sends old segments (a keepalive look-alike, old
 * data) with a TSval far in the future. Had TS.Recent taken it, PAWS
 * would drop every real segment of the device for 24 days: its data would
 * never wake the connection. Each old segment draws a duplicate ACK whose
 * TSecr is still the client's TS.Recent.
 */
TEST_F_TIMEOUT(park, ts_poison, 40)
{
	static const uint32_t back[] = { 1, 1000, 100000 };
	static char msg[300];
	const struct pkt *r;
	struct forge f;
	unsigned int i;
	int fd;

	if (variant->same_as_ipv4)
		SKIP(return, "an IPv4 record like ipv4's: the same hook path");
	park_one(_metadata, self, variant);
	if (!self->c.ts)
		SKIP(return, "no timestamps");
	for (i = 0; i < ARRAY_SIZE(back); i++) {
		f = forged(&self->c, TH_ACK, self->c.rec.rcv_nxt - back[i],
			   self->c.rec.snd_nxt - 10);
		f.ts = true;
		f.tsval = self->c.ts_recent + 0x70000000u;
		f.tsecr = self->c.srv_tsval;
		f.paylen = i ? 10 : 0;
		EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 400, 1, &r))
			TH_LOG("old segment at rcv_nxt - %u: want a duplicate ACK", back[i]);
		if (r)
			EXPECT_TRUE(check_ack(_metadata, &self->c, r, &self->c.ts_recent));
	}
	EXPECT_TRUE(parked(&self->c));
	fill(msg, sizeof(msg), 4);
	ASSERT_EQ((ssize_t)sizeof(msg), write(self->c.cli, msg, sizeof(msg)));
	fd = accept_woken(_metadata, self, msg, sizeof(msg), 5000);
	ASSERT_LE(0, fd) TH_LOG("the device's data did not wake the connection");
	self->c.srv = fd;
	EXPECT_FALSE(parked(&self->c));
}

/*
 * A segment with old bytes and new (seq < rcv_nxt < end_seq), as a peer
 * sends when it repacketizes a retransmission with new data: acceptable,
 * acknowledged up to its end, and accept() returns the connection with
 * exactly the new bytes (tcp_data_queue() trims the old ones).
 */
TEST_F_TIMEOUT(park, straddle, 40)
{
	static uint8_t pay[40];
	const struct pkt *r;
	struct forge f;
	int fd;

	park_one(_metadata, self, variant);
	fill((char *)pay, sizeof(pay), 5);
	f = forged_data(&self->c, self->c.rec.rcv_nxt - 15, pay, sizeof(pay));
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 2000, 1, &r))
		TH_LOG("the straddling segment was not acknowledged");
	if (r) {
		EXPECT_EQ(TH_ACK, r->flags & (TH_ACK | TH_RST | TH_SYN));
		EXPECT_EQ(self->c.rec.rcv_nxt + 25, r->ack) TH_LOG("ack %u, want rcv_nxt + 25",
								  r->ack);
	}
	fd = accept_woken(_metadata, self, (char *)pay + 15, sizeof(pay) - 15, 5000);
	ASSERT_LE(0, fd) TH_LOG("the new bytes did not reach accept()");
	self->c.srv = fd;
	EXPECT_FALSE(parked(&self->c));
}

/* @len bytes of pattern @seed in @pay, as the device's next data. */
static struct forge forged_wake(struct conn *c, uint8_t *pay, size_t len, int seed)
{
	struct forge f;

	fill((char *)pay, len, seed);
	f = forged_data(c, c->rec.rcv_nxt, pay, len);
	f.win = 1000;
	return f;
}

/* accept() returns the woken connection with @pay, ESTABLISHED. */
static void woken_established(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			      const uint8_t *pay, size_t len)
{
	int fd = accept_woken(_metadata, self, (const char *)pay, len, 5000);

	ASSERT_LE(0, fd) TH_LOG("the bytes did not reach accept()");
	self->c.srv = fd;
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(fd));
}

/*
 * Data in two IPv6 fragments wakes the connection with every byte: the
 * module has nf_defrag_ipv6 reassemble them at PRE_ROUTING (as conntrack
 * does) while its hooks are there, so the hook sees the whole segment.
 * It took the first fragment for the whole segment before: its checksum
 * failed, it was dropped, and the data never arrived.
 */
TEST_F_TIMEOUT(park, frag6_wake, 40)
{
	static uint8_t pay[600];
	struct forge f;

	if (variant->cfam != AF_INET6 || variant->same_as_ipv4)
		SKIP(return, "IPv6 fragments");
	park_one(_metadata, self, variant);
	f = forged_wake(&self->c, pay, sizeof(pay), 8);
	ASSERT_EQ(0, forge_send_frag6(self->raw, &f, 256, htonl(0x7c0001)))
		TH_LOG("forge: %s", strerror(errno));
	woken_established(_metadata, self, pay, sizeof(pay));
}

/*
 * Data behind an IPv6 extension header wakes the connection like any
 * other: the hook finds the TCP header past it, and the child is built
 * from the skb as TCP would see it (its bytes, its ACK).
 */
TEST_F_TIMEOUT(park, exthdr_wake, 40)
{
	static uint8_t pay[300];
	const struct pkt *r;
	struct forge f;

	if (variant->cfam != AF_INET6 || variant->same_as_ipv4)
		SKIP(return, "IPv6 extension headers");
	park_one(_metadata, self, variant);
	f = forged_wake(&self->c, pay, sizeof(pay), 7);
	f.exthdr = 8;
	EXPECT_EQ(1, forge_and_wait(_metadata, self, &f, 2000, 1, &r))
		TH_LOG("the segment behind a Destination Options header was not acknowledged");
	if (r)
		EXPECT_EQ(self->c.rec.rcv_nxt + sizeof(pay), r->ack);
	woken_established(_metadata, self, pay, sizeof(pay));
}

/* A socket of the server's netns with the ULP, connect()ed to the device. */
static int remap_to(FIXTURE_DATA(park) *self, const FIXTURE_VARIANT(park) *variant,
		    int netns, int *err)
{
	struct sockaddr_storage ss;
	socklen_t len = ep_sockaddr(&self->c.c, variant->lfam, &ss);
	int fd = socket_in(netns, variant->lfam, SOCK_STREAM);

	*err = 0;
	if (fd < 0 || ulp_set(fd, TCPARK_ULP_NAME)) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Server push: connect() to the parked device is that connection at
 * once, no SYN; 1 MB reaches the device on its original socket, its
 * answer reaches the new socket.
 */
TEST_F_TIMEOUT(park, remap_push, 60)
{
	uint64_t remapped = stat_of("remapped"), nparked = stat_of("parked");
	const size_t big = 1 << 20;
	struct tcpark_info info;
	struct tcp_ep l, r;
	char why[128] = "";
	uint64_t t;
	int fd, err, from;

	park_one(_metadata, self, variant);
	from = npkts;
	t = now_ns();
	fd = remap_to(self, variant, self->sd.srv_ns, &err);
	ASSERT_LE(0, fd) TH_LOG("connect: %s", strerror(err));
	TH_LOG("connect() took %llu us", (unsigned long long)(now_ns() - t) / 1000);
	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(fd));
	EXPECT_EQ(0, sock_eps(fd, &l, &r));
	EXPECT_EQ(self->c.s.port, l.port);
	EXPECT_EQ(0, memcmp(self->c.s.addr, l.addr, self->c.s.family == AF_INET ? 4 : 16));
	EXPECT_EQ(0, tcpark_info(fd, &info));
	EXPECT_EQ(TCPARK_F_REMAPPED, info.tpi_flags & TCPARK_F_REMAPPED);
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(remapped + 1, stat_of("remapped"));
	EXPECT_EQ(nparked, stat_of("parked"));
	EXPECT_EQ(0, xfer_both_ways(fd, self->c.cli, big, why, sizeof(why))) TH_LOG("%s", why);
	drain(&self->sd.cap, 100);
	EXPECT_EQ(0, srv_sent(&self->c, from, TH_SYN | TH_RST));
	self->c.srv = fd;
}

/* Another uid without CAP_NET_ADMIN: EACCES, the record untouched. */
TEST_F(park, remap_other_uid)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct ctl_rec after;
	int status, fd;
	pid_t pid;

	park_one(_metadata, self, variant);
	len = ep_sockaddr(&self->c.c, variant->lfam, &ss);
	fd = socket_in(self->sd.srv_ns, variant->lfam, SOCK_STREAM);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME));
	ASSERT_EQ(0, fchown(fd, 65534, 65534));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		if (!connect(fd, (struct sockaddr *)&ss, len))
			_exit(3);
		_exit(errno == EACCES ? 0 : 4);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("exit %d: 3 connected, 4 other errno",
						  WEXITSTATUS(status));
	close(fd);
	ASSERT_EQ(0, ctl_find(srv_path, self->c.s.port, self->c.c.port, &after));
	EXPECT_EQ(self->c.rec.snd_nxt, after.snd_nxt);
	EXPECT_EQ(self->c.rec.rcv_nxt, after.rcv_nxt);
	EXPECT_EQ(self->c.rec.cookie, after.cookie);
}

/* From another netns a connect() to the same address is a plain one. */
TEST_F(park, remap_other_netns)
{
	int fd, err;

	park_one(_metadata, self, variant);
	fd = remap_to(self, variant, self->sd.cli_ns, &err);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(ECONNREFUSED, err) TH_LOG("connect: %s", strerror(err));
	EXPECT_TRUE(parked(&self->c));
}

/* ---- fixture remap: connect()s that must not take the record --------- */

/*
 * remap.sh adds to lib.sh's topology, on the server side:
 *  - 198.18.0.3 and fd00:7c::3, which the route to the client prefers as
 *    source: a socket bound to a wildcard address gets them, not the
 *    record's address;
 *  - 198.18.0.7 and fd00:7c::7: segments from them reach the client only
 *    with mark REMAP_MARK (ip rule from it with fwmark -> table 100,
 *    without -> table 101, a blackhole);
 *  - fe80::7c:1 on veth_srv, fe80::7c:2 on veth_cli, and a veth pair
 *    vx0/vx1 whose fe80::/64 route (metric 1) wins any lookup that does
 *    not name the device.
 */
#define REMAP_MARK 0x2a

FIXTURE(remap) {
	FIXTURE_DATA(park) p;
};

FIXTURE_VARIANT(remap) {
	FIXTURE_VARIANT(park) p;
	const char *other_ip;			/* the server's other address */
	const char *mark_lip, *mark_cip;	/* listener, client's target */
	int priv_port;
};

FIXTURE_VARIANT_ADD(remap, ipv4) {
	.p = { .lfam = AF_INET, .lip = "198.18.0.1", .cfam = AF_INET, .cip = "198.18.0.1" },
	.other_ip = "198.18.0.3", .mark_lip = "198.18.0.7", .mark_cip = "198.18.0.7",
	.priv_port = 700,
};

FIXTURE_VARIANT_ADD(remap, ipv6) {
	.p = { .lfam = AF_INET6, .lip = "fd00:7c::1", .cfam = AF_INET6, .cip = "fd00:7c::1" },
	.other_ip = "fd00:7c::3", .mark_lip = "fd00:7c::7", .mark_cip = "fd00:7c::7",
	.priv_port = 701,
};

FIXTURE_VARIANT_ADD(remap, ipv4mapped) {
	.p = { .same_as_ipv4 = true, .lfam = AF_INET6, .lip = "::", .cfam = AF_INET,
	       .cip = "198.18.0.1" },
	.other_ip = "::ffff:198.18.0.3", .mark_lip = "::", .mark_cip = "198.18.0.7",
	.priv_port = 702,
};

FIXTURE_SETUP(remap)
{
	park_fixture_init(_metadata, &self->p, &variant->p);
}

FIXTURE_TEARDOWN(remap)
{
	park_fixture_fini(_metadata, &self->p);
}

/* An unbound socket of @fam with the ULP in the server netns. */
static int ulp_socket(FIXTURE_DATA(park) *self, int fam)
{
	int fd = socket_in(self->sd.srv_ns, fam, SOCK_STREAM);

	if (fd >= 0 && ulp_set(fd, TCPARK_ULP_NAME)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* connect() @fd to the parked client: 0 or the errno. */
static int connect_client(FIXTURE_DATA(park) *self, int fam, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = ep_sockaddr(&self->c.c, fam, &ss);

	return connect(fd, (struct sockaddr *)&ss, len) ? errno : 0;
}

/*
 * After a refused connect(): the record is parked as before (sequence
 * numbers, cookie), nothing went to the client on its tuple since @from,
 * and its keepalive is still answered with the exact fields.
 */
static void record_intact(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			  int from)
{
	struct ctl_rec after;

	ASSERT_EQ(0, ctl_find(srv_path, self->c.s.port, self->c.c.port, &after))
		TH_LOG("the record is gone");
	EXPECT_EQ(self->c.rec.snd_nxt, after.snd_nxt);
	EXPECT_EQ(self->c.rec.rcv_nxt, after.rcv_nxt);
	EXPECT_EQ(self->c.rec.cookie, after.cookie);
	drain(&self->sd.cap, 100);
	EXPECT_EQ(0, srv_sent(&self->c, from, 0xff)) TH_LOG("the refused connect() sent segments");
	still_answered(_metadata, &self->sd, &self->c);
}

/* @fd now is the connection: its tuple, and 64 KB both ways. */
static void is_remapped(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self, int fd)
{
	struct tcp_ep l, r;
	char why[128] = "";

	EXPECT_EQ(TCP_ESTABLISHED, tcp_state(fd));
	EXPECT_EQ(0, sock_eps(fd, &l, &r));
	EXPECT_TRUE(ep_eq(&self->c.s, &l));
	EXPECT_FALSE(parked(&self->c));
	EXPECT_EQ(0, xfer_both_ways(fd, self->c.cli, 65536, why, sizeof(why))) TH_LOG("%s", why);
	self->c.srv = fd;
}

/* The refusal's errno, the record intact, then a correct connect() takes it. */
static void refused_then_remap(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			       const FIXTURE_VARIANT(park) *variant, int err, int want,
			       int from)
{
	int fd;

	EXPECT_EQ(want, err) TH_LOG("connect(): %s, want %s", err ? strerror(err) : "0 (taken)",
				    strerror(want));
	record_intact(_metadata, self, from);
	fd = remap_to(self, variant, self->sd.srv_ns, &err);
	ASSERT_LE(0, fd) TH_LOG("the correct connect(): %s", strerror(err));
	is_remapped(_metadata, self, fd);
}

/* TCP_FASTOPEN_CONNECT would leave the socket in SYN_SENT: EOPNOTSUPP. */
TEST_F(remap, fastopen_connect)
{
	int fd, from, err, on = 1;

	if (variant->p.same_as_ipv4)
		SKIP(return, "refused before any address is looked at: ipv4 covers it");

	park_one(_metadata, &self->p, &variant->p);
	/* Client TFO on, without a cookie: connect() defers the SYN. */
	ASSERT_EQ(0, ns_sysctl(self->p.sd.srv_ns, "/proc/sys/net/ipv4/tcp_fastopen", 5));
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &on, sizeof(on)));
	from = npkts;
	err = connect_client(&self->p, variant->p.lfam, fd);
	if (!err)
		TH_LOG("taken, socket in state %d", tcp_state(fd));
	close(fd);
	EXPECT_EQ(0, ns_sysctl(self->p.sd.srv_ns, "/proc/sys/net/ipv4/tcp_fastopen", 1));
	refused_then_remap(_metadata, &self->p, &variant->p, err, EOPNOTSUPP, from);
}

/* A socket in the app's own TCP_REPAIR mode: EOPNOTSUPP. */
TEST_F(remap, repair_on)
{
	int fd, from, err, on = 1;

	if (variant->p.same_as_ipv4)
		SKIP(return, "refused before any address is looked at: ipv4 covers it");

	park_one(_metadata, &self->p, &variant->p);
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)));
	from = npkts;
	err = connect_client(&self->p, variant->p.lfam, fd);
	close(fd);
	refused_then_remap(_metadata, &self->p, &variant->p, err, EOPNOTSUPP, from);
}

/* Bound to a device the connection was not on: EINVAL. */
TEST_F(remap, other_device)
{
	int fd, from, err;

	if (variant->p.same_as_ipv4)
		SKIP(return, "refused before any address is looked at: ipv4 covers it");

	park_one(_metadata, &self->p, &variant->p);
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3));
	from = npkts;
	err = connect_client(&self->p, variant->p.lfam, fd);
	close(fd);
	refused_then_remap(_metadata, &self->p, &variant->p, err, EINVAL, from);
}

/*
 * Bound to the record's port on the wildcard address (its listener gone):
 * the route's source address is another one, so connect() would make a
 * connection on another tuple out of the record: EADDRINUSE, and the
 * socket keeps its own bind.
 */
TEST_F(remap, wildcard_bound)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct tcp_ep l;
	int fd, from, err, one = 1;

	park_one(_metadata, &self->p, &variant->p);
	close(self->p.c.lfd);
	self->p.c.lfd = -1;
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = variant->p.lfam;
	len = variant->p.lfam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (variant->p.lfam == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(self->p.c.s.port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(self->p.c.s.port);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ss, len)) TH_LOG("bind: %s", strerror(errno));
	from = npkts;
	err = connect_client(&self->p, variant->p.lfam, fd);
	if (!err && !sock_eps(fd, &l, &l))
		TH_LOG("taken with local port %u", l.port);
	len = sizeof(ss);
	EXPECT_EQ(0, getsockname(fd, (struct sockaddr *)&ss, &len));
	EXPECT_EQ(self->p.c.s.port, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	close(fd);
	refused_then_remap(_metadata, &self->p, &variant->p, err, EADDRINUSE, from);
}

/*
 * Bound to another address, or to another port of the record's: another
 * tuple, so a plain connect() (the client answers its SYN with an RST),
 * and the record stays.
 */
TEST_F(remap, other_address_or_port)
{
	struct endpoint ep;
	int fd, from, err, i;

	park_one(_metadata, &self->p, &variant->p);
	from = npkts;
	for (i = 0; i < 2; i++) {
		const char *ip = i ? variant->p.cip : variant->other_ip;

		if (variant->p.lfam == AF_INET6 && variant->p.cfam == AF_INET && i)
			ip = "::ffff:198.18.0.1";
		ASSERT_EQ(0, endpoint_init(&ep, self->p.sd.srv_ns, variant->p.lfam, ip));
		fd = ulp_socket(&self->p, variant->p.lfam);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, bind(fd, (struct sockaddr *)&ep.addr, ep.addrlen))
			TH_LOG("bind %s: %s", ip, strerror(errno));
		err = connect_client(&self->p, variant->p.lfam, fd);
		EXPECT_EQ(ECONNREFUSED, err) TH_LOG("bound to %s: %s", ip,
						    err ? strerror(err) : "connected");
		close(fd);
	}
	record_intact(_metadata, &self->p, from);
}

/* Only @mask's capabilities, effective and permitted (after setuid). */
static int caps_only(uint64_t mask)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)mask;
	d[1].effective = d[1].permitted = (uint32_t)(mask >> 32);
	return syscall(SYS_capset, &h, d);
}

/* connect() @fd as uid 65534 with the capabilities in @mask: 0 or errno. */
static int connect_as_nobody(FIXTURE_DATA(park) *self, int fam, int fd, uint64_t mask)
{
	int status, err;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (!pid) {
		if (prctl(PR_SET_KEEPCAPS, 1) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534) || caps_only(mask))
			_exit(255);
		err = connect_client(self, fam, fd);
		_exit(err > 254 ? 254 : err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * A record root parked on a privileged port: a user with CAP_NET_ADMIN
 * but not CAP_NET_BIND_SERVICE could not bind() that port, and cannot
 * take it by connect() either (EACCES); with both it can.
 */
/*
 * Root's parked connection from the device's address and port to another
 * listener of the server's (*@lfd2): the client socket bound next to the
 * fixture's, both SO_REUSEADDR. Returns the client's fd, or -1.
 */
static int park_same_peer(struct __test_metadata *_metadata, FIXTURE_DATA(park) *self,
			  const FIXTURE_VARIANT(park) *variant, int *lfd2)
{
	struct endpoint lep, tgt;
	struct sockaddr_storage ss;
	int cli, srv = -1, one = 1, i;
	struct ctl_rec rec;
	socklen_t len;
	char b = 'x';

	*lfd2 = tcpark_listener(_metadata, self, variant, &lep, 0, 4);
	if (*lfd2 < 0)
		return -1;
	cli = socket_in(self->sd.cli_ns, variant->cfam, SOCK_STREAM);
	len = ep_sockaddr(&self->c.c, variant->cfam, &ss);
	tgt = self->cep;
	endpoint_set_port(&tgt, endpoint_port(&lep));
	if (cli < 0 || setsockopt(self->c.cli, SOL_SOCKET, SO_REUSEADDR, &one, 4) ||
	    setsockopt(cli, SOL_SOCKET, SO_REUSEADDR, &one, 4) ||
	    bind(cli, (struct sockaddr *)&ss, len) ||
	    connect(cli, (struct sockaddr *)&tgt.addr, tgt.addrlen)) {
		TH_LOG("second connection from :%u: %s", self->c.c.port, strerror(errno));
		goto fail;
	}
	srv = accept(*lfd2, NULL, NULL);
	if (srv < 0 || write(cli, &b, 1) != 1 || recv(srv, &b, 1, MSG_WAITALL) != 1)
		goto fail;
	for (i = 0; i < 300 && !both_quiet(cli, srv); i++)
		msleep(10);
	close(srv);
	for (i = 0; i < 50 && ctl_find(srv_path, endpoint_port(&lep), self->c.c.port, &rec); i++)
		msleep(20);
	if (i < 50)
		return cli;
	srv = -1;
fail:
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	return -1;
}

/*
 * One device, two parked connections from the same address and port:
 * nobody's to the fixture's listener, then root's to another port, which
 * is now first in the device's list. Nobody's unbound connect() to the
 * device takes nobody's connection; it got EACCES for root's before.
 */
TEST_F(remap, peer_of_two_users)
{
	FIXTURE_DATA(park) *p = &self->p;
	int fd, err, cli2, lfd2;

	conn_open(_metadata, &p->sd, &p->c, variant->p.cfam, &p->cep, false);
	ASSERT_EQ(0, fchown(p->c.srv, 65534, 65534));
	ASSERT_EQ(0, close(p->c.srv));
	p->c.srv = -1;
	conn_record(_metadata, &p->c);
	cli2 = park_same_peer(_metadata, p, &variant->p, &lfd2);
	ASSERT_LE(0, cli2) TH_LOG("root's connection from the same port did not park");
	fd = ulp_socket(p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchown(fd, 65534, 65534));
	err = connect_as_nobody(p, variant->p.lfam, fd, 0);
	EXPECT_EQ(0, err) TH_LOG("connect() as nobody: %s", strerror(err));
	if (!err)
		is_remapped(_metadata, p, fd);
	else
		close(fd);
	close_reset(cli2);
	close(lfd2);
}

TEST_F(remap, privileged_port)
{
	uint64_t admin = 1ull << CAP_NET_ADMIN, nbs = 1ull << CAP_NET_BIND_SERVICE;
	int fd, from, err;

	conn_abort(&self->p.c);
	conn_listen_at(_metadata, &self->p.sd, &self->p.c, "privileged", variant->p.lfam,
		       variant->p.lip, variant->priv_port, variant->p.cfam, variant->p.cip,
		       &self->p.cep);
	park_one(_metadata, &self->p, &variant->p);
	ASSERT_GT(1024, self->p.c.s.port);
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchown(fd, 65534, 65534));
	from = npkts;
	err = connect_as_nobody(&self->p, variant->p.lfam, fd, admin);
	EXPECT_EQ(EACCES, err) TH_LOG("connect() as nobody with CAP_NET_ADMIN: %s",
				      err ? strerror(err) : "taken");
	if (err) {
		record_intact(_metadata, &self->p, from);
		err = connect_as_nobody(&self->p, variant->p.lfam, fd, admin | nbs);
		EXPECT_EQ(0, err) TH_LOG("with CAP_NET_BIND_SERVICE too: %s", strerror(err));
	}
	if (!err)
		is_remapped(_metadata, &self->p, fd);
	else
		close(fd);
}

static int ifindex_in(int netns, const char *name)
{
	int idx = 0, fd = forge_l2_socket(netns, name, &idx);

	if (fd >= 0)
		close(fd);
	return idx;
}

/*
 * A link-local IPv6 peer: the record keeps the interface, so its answers
 * leave through veth_srv although vx0's fe80::/64 route comes first; a
 * remap needs no scope id, one for another interface gets EINVAL.
 */
TEST_F(remap, link_local)
{
	struct sockaddr_in6 *sin6 = (void *)&self->p.cep.addr, *sa;
	struct sockaddr_storage ss;
	int fd, from, err;

	if (variant->p.lfam != AF_INET6 || variant->p.cfam != AF_INET6)
		SKIP(return, "IPv6 only");
	conn_abort(&self->p.c);
	conn_listen(_metadata, &self->p.sd, &self->p.c, "link-local", AF_INET6, "::",
		    AF_INET6, "fe80::7c:1", &self->p.cep);
	sin6->sin6_scope_id = ifindex_in(self->p.sd.cli_ns, "veth_cli");
	ASSERT_LT(0, sin6->sin6_scope_id);
	park_one(_metadata, &self->p, &variant->p);
	still_answered(_metadata, &self->p.sd, &self->p.c);

	fd = ulp_socket(&self->p, AF_INET6);
	ASSERT_LE(0, fd);
	ep_sockaddr(&self->p.c.c, AF_INET6, &ss);
	sa = (struct sockaddr_in6 *)&ss;
	sa->sin6_scope_id = ifindex_in(self->p.sd.srv_ns, "vx0");
	ASSERT_LT(0, sa->sin6_scope_id);
	from = npkts;
	err = connect(fd, (struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
	close(fd);
	refused_then_remap(_metadata, &self->p, &variant->p, err, EINVAL, from);
}

/*
 * SO_MARK on the listener, so on the parked connection: only marked
 * segments from the mark address reach the client, so its keepalive is
 * answered only if the record kept the mark. A remap from a socket with
 * the same mark carries on.
 */
TEST_F(remap, so_mark)
{
	int fd, err, mark = REMAP_MARK;

	conn_abort(&self->p.c);
	conn_listen(_metadata, &self->p.sd, &self->p.c, "mark", variant->p.lfam,
		    variant->mark_lip, variant->p.cfam, variant->mark_cip, &self->p.cep);
	ASSERT_EQ(0, setsockopt(self->p.c.lfd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)));
	park_one(_metadata, &self->p, &variant->p);
	still_answered(_metadata, &self->p.sd, &self->p.c);
	fd = ulp_socket(&self->p, variant->p.lfam);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)));
	err = connect_client(&self->p, variant->p.lfam, fd);
	ASSERT_EQ(0, err) TH_LOG("connect(): %s", strerror(err));
	is_remapped(_metadata, &self->p, fd);
}

/* ---- many probes, all address kinds at once -------------------------- */

static const struct {
	const char *name;
	int lfam;
	const char *lip;
	int cfam;
	const char *cip;
} kinds[] = {
	{ "ipv4", AF_INET, "198.18.0.1", AF_INET, "198.18.0.1" },
	{ "ipv6", AF_INET6, "fd00:7c::1", AF_INET6, "fd00:7c::1" },
	{ "ipv4mapped", AF_INET6, "::", AF_INET, "198.18.0.1" },
};

#define NKINDS 3

/*
 * Park one connection of each kind, turn on the client's keepalive
 * (1 s idle, 1 s interval, @cnt probes) and watch for @secs seconds.
 */
/* printf formats: the percent signs doubled */
#define NETEM "loss 20%% duplicate 5%% reorder 25%% delay 10ms"

static int netem(const char *path, const char *dev, bool on);
static bool netem_on(const char *path, const char *dev);

static void ka_run(struct __test_metadata *_metadata, struct side *sd,
		   struct conn *cs, int cnt, int secs, bool impair)
{
	struct endpoint cep;
	uint64_t ka0 = stat_of("ka_answered"), end;
	int k, estab_fail[NKINDS] = { 0 };

	for (k = 0; k < NKINDS; k++) {
		conn_listen(_metadata, sd, &cs[k], kinds[k].name, kinds[k].lfam,
			    kinds[k].lip, kinds[k].cfam, kinds[k].cip, &cep);
		conn_open(_metadata, sd, &cs[k], kinds[k].cfam, &cep, true);
	}
	for (k = 0; k < NKINDS; k++)
		conn_record(_metadata, &cs[k]);
	if (impair) {
		ASSERT_EQ(0, netem(srv_path, "veth_srv", true));
		ASSERT_EQ(0, netem(cli_path, "veth_cli", true));
		ASSERT_TRUE(netem_on(srv_path, "veth_srv"));
		ASSERT_TRUE(netem_on(cli_path, "veth_cli"));
		TH_LOG("netem " NETEM " on veth_srv and veth_cli");
	}
	for (k = 0; k < NKINDS; k++)
		keepalive(cs[k].cli, 1, 1, 1, cnt);
	end = now_ns() + secs * 1000000000ull;
	while (now_ns() < end) {
		drain(&sd->cap, 1000);
		for (k = 0; k < NKINDS; k++)
			if (tcp_state(cs[k].cli) != TCP_ESTABLISHED && !estab_fail[k]++)
				TH_LOG("%s: client left ESTABLISHED after %llu ms", cs[k].name,
				       (unsigned long long)((now_ns() - cs[k].t_close) / 1000000));
	}
	for (k = 0; k < NKINDS; k++)
		keepalive(cs[k].cli, 0, 0, 0, 0);
	drain(&sd->cap, 500);
	for (k = 0; k < NKINDS; k++) {
		struct tcp_info ti;
		struct ctl_rec rec;

		EXPECT_EQ(0, estab_fail[k]) TH_LOG("%s: client not ESTABLISHED", cs[k].name);
		EXPECT_EQ(0, tcp_info_of(cs[k].cli, &ti));
		EXPECT_EQ(TCP_ESTABLISHED, ti.tcpi_state);
		ASSERT_EQ(0, ctl_find(srv_path, cs[k].s.port, cs[k].c.port, &rec))
			TH_LOG("%s: record gone", cs[k].name);
		cs[k].rec.ka_answered = rec.ka_answered;
	}
	TH_LOG("ka_answered in the netns: +%llu",
	       (unsigned long long)(stat_of("ka_answered") - ka0));
}

FIXTURE(ka30) {
	struct side sd;
	struct conn cs[NKINDS];
};

FIXTURE_SETUP(ka30)
{
	self->sd.srv_ns = self->sd.cli_ns = -1;
	self->sd.cap.fd = -1;
	for (int k = 0; k < NKINDS; k++)
		self->cs[k].cli = self->cs[k].srv = self->cs[k].lfd = -1;
	side_open(_metadata, &self->sd);
}

FIXTURE_TEARDOWN(ka30)
{
	for (int k = 0; k < NKINDS; k++)
		conn_abort(&self->cs[k]);
	side_close(&self->sd);
}

/*
 * 2 + 3. 30+ keepalive probes per connection (KEEPIDLE 1, KEEPINTVL 1,
 * KEEPCNT 3): every one answered, with seq/ack/window/TS exact.
 */
TEST_F_TIMEOUT(ka30, every_probe_answered, 120)
{
	uint64_t ka0 = stat_of("ka_answered");
	int k, probes = 0;

	ka_run(_metadata, &self->sd, self->cs, 3, 33, false);
	for (k = 0; k < NKINDS; k++) {
		struct conn *c = &self->cs[k];

		ka_tally(_metadata, c);
		TH_LOG("%s: %d probes, %d answered, %d bad, %d unsolicited, record ka_answered %llu, TSval within %d ms",
		       c->name, c->probes, c->answered, c->bad, c->unsolicited,
		       (unsigned long long)c->rec.ka_answered, c->max_dev_ms);
		EXPECT_LE(30, c->probes);
		EXPECT_EQ(c->probes, c->answered);
		EXPECT_EQ(0, c->bad);
		EXPECT_EQ(0, c->unsolicited);
		EXPECT_EQ(0, c->rst);
		EXPECT_LE((uint64_t)c->probes, c->rec.ka_answered);
		probes += c->probes;
		if (c->bad || c->probes != c->answered)
			dump_conn(c);
	}
	EXPECT_LE(ka0 + probes, stat_of("ka_answered"));
}

/* ---- netem: the impairment on both veth ends once parked ------------ */

static int netem(const char *path, const char *dev, bool on)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), on ? "tc -n %s qdisc add dev %s root netem " NETEM :
		 "tc -n %s qdisc del dev %s root 2>/dev/null", strrchr(path, '/') + 1, dev);
	return system(cmd);
}

static bool netem_on(const char *path, const char *dev)
{
	char cmd[256], out[512] = "";
	FILE *f;

	snprintf(cmd, sizeof(cmd), "tc -n %s qdisc show dev %s", strrchr(path, '/') + 1, dev);
	f = popen(cmd, "r");
	if (!f)
		return false;
	if (!fread(out, 1, sizeof(out) - 1, f))
		out[0] = 0;
	pclose(f);
	return strstr(out, "netem") && strstr(out, "loss 20%") &&
	       strstr(out, "duplicate 5%") && strstr(out, "reorder 25%");
}

FIXTURE(netem) {
	struct side sd;
	struct conn cs[NKINDS];
};

FIXTURE_SETUP(netem)
{
	self->sd.srv_ns = self->sd.cli_ns = -1;
	self->sd.cap.fd = -1;
	for (int k = 0; k < NKINDS; k++)
		self->cs[k].cli = self->cs[k].srv = self->cs[k].lfd = -1;
	side_open(_metadata, &self->sd);
}

FIXTURE_TEARDOWN(netem)
{
	netem(srv_path, "veth_srv", false);
	netem(cli_path, "veth_cli", false);
	for (int k = 0; k < NKINDS; k++)
		conn_abort(&self->cs[k]);
	side_close(&self->sd);
}

/*
 * 5. Once the three connections are parked: loss 20%, duplicate 5%,
 * reorder 25%, delay 10 ms on both veth ends. With KEEPIDLE 1, KEEPINTVL
 * 1, KEEPCNT 9 the clients stay ESTABLISHED for 30 s, never see an RST,
 * and every answer that arrives is a correct ACK.
 */
TEST_F_TIMEOUT(netem, keepalive_30s, 150)
{
	int k;

	ka_run(_metadata, &self->sd, self->cs, 9, 30, true);
	for (k = 0; k < NKINDS; k++) {
		struct conn *c = &self->cs[k];
		int i, rst = 0, other = 0, acks = 0;

		ka_tally(_metadata, c);
		for (i = c->idx_close; i < npkts; i++) {
			const struct pkt *p = &pkts[i];

			if (!pkt_on(p, &c->c, &c->s) || !pkt_from(p, &c->s))
				continue;
			rst += !!(p->flags & TH_RST);
			other += p->flags != TH_ACK || p->seq != c->rcv_nxt ||
				 p->ack != c->snd_nxt || p->win != c->last_win;
			acks++;
		}
		TH_LOG("%s: %d probes seen leaving, %d ACKs arrived, record ka_answered %llu",
		       c->name, c->probes, acks, (unsigned long long)c->rec.ka_answered);
		EXPECT_LE(15, c->probes);
		EXPECT_LE(10, acks);
		EXPECT_EQ(0, rst);
		EXPECT_EQ(0, other);
		EXPECT_LE(10, c->rec.ka_answered);
	}
}

int main(int argc, char **argv)
{
	while (argc > 2 && !strncmp(argv[1], "--", 2)) {
		if (!strcmp(argv[1], "--server-netns"))
			srv_path = argv[2];
		else if (!strcmp(argv[1], "--client-netns"))
			cli_path = argv[2];
		else
			break;
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (!srv_path || !cli_path) {
		fprintf(stderr, "usage: %s --server-netns PATH --client-netns PATH [harness options]\n",
			argv[0]);
		return 2;
	}
	return test_harness_run(argc, argv);
}
