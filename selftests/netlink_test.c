// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcpark" generic netlink family, read side and input validation:
 * a GET dump of 5,000 ULP sockets returns each exactly once over many
 * messages (also while sockets come and go), GET by cookie, dump filters
 * against what the sockets themselves say, STATS of a new netns (every
 * counter, the defaults the sysctls show), and malformed requests that
 * must be refused without breaking anything.
 *
 * Each test runs in a netns of its own (unshare), on loopback, so the
 * module's view of that netns holds exactly the test's sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common.h"
#include "genl.h"

FIXTURE(nl) {
	struct genl g;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET)) TH_LOG("unshare: %s", strerror(errno));
	ASSERT_EQ(0, lo_up()) TH_LOG("lo up: %s", strerror(errno));
	ASSERT_EQ(0, genl_open(&self->g)) TH_LOG("family " TCPARK_GENL_NAME " not found");
}

FIXTURE_TEARDOWN(nl)
{
	genl_close(&self->g);
}

static int listener_at(struct __test_metadata *_metadata, int family,
		       const char *ip, struct endpoint *ep)
{
	int fd;

	ASSERT_EQ(0, endpoint_init(ep, -1, family, ip));
	fd = listen_on(ep, 4096);
	ASSERT_LE(0, fd) TH_LOG("listen on %s: %s", ip, strerror(errno));
	ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	return fd;
}

/* A client with the ULP (bound to @src if given) and its accepted child. */
static void ulp_pair(struct __test_metadata *_metadata, int lfd, const struct endpoint *to,
		     int family, const char *src, int *cli, int *child)
{
	struct endpoint from;

	*cli = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, *cli) TH_LOG("socket: %s", strerror(errno));
	ASSERT_EQ(0, ulp_set(*cli, TCPARK_ULP_NAME)) TH_LOG("TCP_ULP: %s", strerror(errno));
	if (src) {
		ASSERT_EQ(0, endpoint_init(&from, -1, family, src));
		ASSERT_EQ(0, bind(*cli, (struct sockaddr *)&from.addr, from.addrlen))
			TH_LOG("bind %s: %s", src, strerror(errno));
	}
	ASSERT_EQ(0, connect(*cli, (const struct sockaddr *)&to->addr, to->addrlen))
		TH_LOG("connect: %s", strerror(errno));
	*child = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, *child) TH_LOG("accept: %s", strerror(errno));
}

static void rec(struct __test_metadata *_metadata, int fd, struct sock_rec *r)
{
	ASSERT_EQ(0, sock_rec_fill(fd, r)) TH_LOG("fd %d: %s", fd, strerror(errno));
}

static int by_cookie(const void *a, const void *b)
{
	const struct sock_rec *x = a, *y = b;

	return x->cookie < y->cookie ? -1 : x->cookie > y->cookie;
}

static struct sock_rec *find(struct sock_rec *r, size_t n, uint64_t cookie)
{
	struct sock_rec key = { .cookie = cookie };

	return bsearch(&key, r, n, sizeof(*r), by_cookie);
}

/* What the kernel said about a socket is what the socket says. */
static void expect_same(struct __test_metadata *_metadata, const struct nl_sock *s,
			const struct sock_rec *r)
{
	uint32_t v;

	EXPECT_EQ(0, s->missing) TH_LOG("cookie %llu: %d attributes missing",
					 (unsigned long long)s->cookie, s->missing);
	EXPECT_EQ(TCPARK_CMD_GET, s->cmd);
	EXPECT_EQ(r->cookie, s->cookie);
	EXPECT_EQ(TCPARK_STATE_ACTIVE, s->state);
	EXPECT_EQ(tcp_state(r->fd), (int)s->tcp_state);
	EXPECT_EQ(r->family, s->family);
	EXPECT_EQ(r->lport, s->lport);
	EXPECT_EQ(r->rport, s->rport);
	EXPECT_EQ(r->lalen, s->lalen);
	EXPECT_EQ(r->ralen, s->ralen);
	EXPECT_EQ(0, memcmp(r->laddr, s->laddr, r->lalen)) TH_LOG("local address");
	EXPECT_EQ(0, memcmp(r->raddr, s->raddr, r->ralen)) TH_LOG("remote address");
	EXPECT_EQ(getuid(), s->uid);
	ASSERT_EQ(0, opt_get_u32(r->fd, TCPARK_MODE, &v));
	EXPECT_EQ(v, s->mode);
	ASSERT_EQ(0, opt_get_u32(r->fd, TCPARK_IDLE_MS, &v));
	EXPECT_EQ(v, s->idle_ms);
	EXPECT_EQ(0, s->parks);
	EXPECT_EQ(0, s->wakes);
}

/* ---- 5,000 sockets ---------------------------------------------------- */

#define NPAIRS		2500
#define NCLOSE		500	/* pairs closed during the second dump */
#define NNEW		100	/* pairs opened during it */

struct churn {
	struct __test_metadata *md;
	struct nl_socks out;
	int lfd;
	struct endpoint *ep;
	int *cli, *child;	/* NPAIRS + NNEW each */
	uint64_t closed[2 * NCLOSE];
	bool done;
};

/* After the dump's first message: close some sockets, open others. */
static int churn_cb(const struct nlmsghdr *nlh, void *data)
{
	struct __test_metadata *_metadata;
	struct churn *c = data;
	int i;

	if (!c->done) {
		_metadata = c->md;
		c->done = true;
		for (i = NPAIRS - NCLOSE; i < NPAIRS; i++) {
			c->closed[2 * (i - (NPAIRS - NCLOSE))] = so_cookie(c->cli[i]);
			c->closed[2 * (i - (NPAIRS - NCLOSE)) + 1] = so_cookie(c->child[i]);
			close(c->cli[i]);
			close(c->child[i]);
		}
		for (i = NPAIRS; i < NPAIRS + NNEW; i++)
			ulp_pair(_metadata, c->lfd, c->ep, AF_INET, NULL, &c->cli[i], &c->child[i]);
	}
	return genl_collect_cb(nlh, &c->out);
}

TEST_F_TIMEOUT(nl, dump_5000, 600)
{
	size_t nsk = 2 * NPAIRS + 1, i, dups = 0, unknown = 0, absent = 0, wrong = 0;
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct nl_socks out = { 0 };
	struct sock_rec *r, *hit;
	int lfd, *cli, *child;
	struct genl_msg m, sbuf;
	struct endpoint ep;
	struct churn c;
	int *seen;

	r = calloc(2 * (NPAIRS + NNEW) + 1, sizeof(*r));
	cli = calloc(NPAIRS + NNEW, sizeof(int));
	child = calloc(NPAIRS + NNEW, sizeof(int));
	seen = calloc(2 * (NPAIRS + NNEW) + 1, sizeof(int));
	ASSERT_TRUE(r && cli && child && seen);

	lfd = listener_at(_metadata, AF_INET, "127.0.0.1", &ep);
	rec(_metadata, lfd, &r[0]);
	for (i = 0; i < NPAIRS; i++) {
		ulp_pair(_metadata, lfd, &ep, AF_INET, NULL, &cli[i], &child[i]);
		rec(_metadata, cli[i], &r[1 + 2 * i]);
		rec(_metadata, child[i], &r[2 + 2 * i]);
	}
	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	ASSERT_NE(NULL, tb[TCPARK_A_STAT_SOCKETS]);
	EXPECT_EQ(nsk, attr_u64(tb[TCPARK_A_STAT_SOCKETS]));

	/* A quiet dump: every socket once, nothing else. */
	qsort(r, nsk, sizeof(*r), by_cookie);
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	ASSERT_EQ(0, genl_collect(&self->g, &m, &out));
	TH_LOG("dump: %zu messages in %d datagrams", out.n, self->g.batches);
	EXPECT_EQ(0, out.malformed);
	EXPECT_LT(1, self->g.batches);
	for (i = 0; i < out.n; i++) {
		hit = find(r, nsk, out.v[i].cookie);
		if (!hit) {
			unknown++;
			continue;
		}
		if (seen[hit - r]++)
			dups++;
		if (out.v[i].missing || out.v[i].lport != hit->lport ||
		    out.v[i].rport != hit->rport || out.v[i].family != AF_INET ||
		    out.v[i].tcp_state != (hit->fd == lfd ? TCP_LISTEN : TCP_ESTABLISHED))
			wrong++;
	}
	for (i = 0; i < nsk; i++)
		absent += !seen[i];
	EXPECT_EQ(nsk, out.n);
	EXPECT_EQ(0, dups);
	EXPECT_EQ(0, unknown);
	EXPECT_EQ(0, absent);
	EXPECT_EQ(0, wrong) TH_LOG("messages whose ports, family or state are off");
	EXPECT_EQ(0, out.intr) TH_LOG("a quiet dump flagged NLM_F_DUMP_INTR");
	nl_socks_free(&out);

	/*
	 * Sockets come and go during the dump: none twice, every one open
	 * throughout exactly once, the new ones (attached after the dump
	 * began) at its end, the closed ones at most once; and the dump is
	 * marked inconsistent.
	 */
	memset(&c, 0, sizeof(c));
	c.md = _metadata;
	c.lfd = lfd;
	c.ep = &ep;
	c.cli = cli;
	c.child = child;
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	ASSERT_EQ(0, genl_talk(&self->g, &m, churn_cb, &c));
	ASSERT_TRUE(c.done);
	EXPECT_EQ(0, c.out.malformed);
	for (i = 0; i < NNEW; i++) {
		rec(_metadata, cli[NPAIRS + i], &r[nsk + 2 * i]);
		rec(_metadata, child[NPAIRS + i], &r[nsk + 2 * i + 1]);
	}
	memset(seen, 0, (nsk + 2 * NNEW) * sizeof(int));
	qsort(r, nsk + 2 * NNEW, sizeof(*r), by_cookie);
	dups = unknown = absent = 0;
	for (i = 0; i < c.out.n; i++) {
		hit = find(r, nsk + 2 * NNEW, c.out.v[i].cookie);
		if (!hit)
			unknown++;
		else if (seen[hit - r]++)
			dups++;
	}
	for (i = 0; i < nsk + 2 * NNEW; i++) {
		bool closed = false;
		int k;

		for (k = 0; k < 2 * NCLOSE && !closed; k++)
			closed = r[i].cookie == c.closed[k];
		if (!closed && !seen[i])
			absent++;
	}
	TH_LOG("dump with churn: %zu messages in %d datagrams", c.out.n, self->g.batches);
	EXPECT_EQ(0, dups);
	EXPECT_EQ(0, unknown);
	EXPECT_EQ(0, absent) TH_LOG("sockets open throughout (or new) missing");
	EXPECT_LE(nsk - 2 * NCLOSE + 2 * NNEW, c.out.n);
	EXPECT_GE(nsk + 2 * NNEW, c.out.n);
	/* It says so: the parts after the churn carry NLM_F_DUMP_INTR. */
	EXPECT_LT(0, c.out.intr) TH_LOG("a dump with churn not flagged NLM_F_DUMP_INTR");
	nl_socks_free(&c.out);
}

/* ---- a mixed set: IPv4, IPv6, dual stack, two modes ------------------ */

struct mixed {
	struct sock_rec r[32];
	size_t n;
	uint16_t p1, p2, p3, p4;	/* the listeners' ports */
};

/*
 * L1 127.0.0.1:p1 with 2 children, L2 127.0.0.2:p2 (transient) with 1,
 * L3 [::1]:p3 with 2, L4 [::]:p4 with 1 IPv4 child (IPv4-mapped). IPv4
 * clients are bound to 127.0.0.3. Every socket has the ULP; one IPv6
 * client is transient too. 16 sockets.
 */
/*
 * A transient socket closed at exit parks, and its peer's FIN is then held
 * back by the record (until reactivation exists), leaving the peer socket
 * retransmitting for minutes. These tests are about the mode filter, not
 * parking: make their close abortive (SO_LINGER 0 is never parked).
 */
static void no_park_on_exit(struct __test_metadata *_metadata, int fd)
{
	struct linger lg = { 1, 0 };

	ASSERT_EQ(0, setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
}

static void build_mixed(struct __test_metadata *_metadata, struct mixed *mx)
{
	struct endpoint e1, e2, e3, e4, to4;
	int l1, l2, l3, l4, cli, child, i;

	memset(mx, 0, sizeof(*mx));
	l1 = listener_at(_metadata, AF_INET, "127.0.0.1", &e1);
	l2 = listener_at(_metadata, AF_INET, "127.0.0.2", &e2);
	l3 = listener_at(_metadata, AF_INET6, "::1", &e3);
	l4 = listener_at(_metadata, AF_INET6, "::", &e4);
	ASSERT_EQ(0, opt_set_u32(l2, TCPARK_MODE, TCPARK_MODE_TRANSIENT));
	rec(_metadata, l1, &mx->r[mx->n++]);
	rec(_metadata, l2, &mx->r[mx->n++]);
	rec(_metadata, l3, &mx->r[mx->n++]);
	rec(_metadata, l4, &mx->r[mx->n++]);
	mx->p1 = endpoint_port(&e1);
	mx->p2 = endpoint_port(&e2);
	mx->p3 = endpoint_port(&e3);
	mx->p4 = endpoint_port(&e4);

	for (i = 0; i < 2; i++) {
		ulp_pair(_metadata, l1, &e1, AF_INET, "127.0.0.3", &cli, &child);
		rec(_metadata, cli, &mx->r[mx->n++]);
		rec(_metadata, child, &mx->r[mx->n++]);
	}
	ulp_pair(_metadata, l2, &e2, AF_INET, "127.0.0.3", &cli, &child);
	no_park_on_exit(_metadata, child);
	rec(_metadata, cli, &mx->r[mx->n++]);
	rec(_metadata, child, &mx->r[mx->n++]);
	for (i = 0; i < 2; i++) {
		ulp_pair(_metadata, l3, &e3, AF_INET6, NULL, &cli, &child);
		if (i) {
			ASSERT_EQ(0, opt_set_u32(cli, TCPARK_MODE, TCPARK_MODE_TRANSIENT));
			no_park_on_exit(_metadata, cli);
		}
		rec(_metadata, cli, &mx->r[mx->n++]);
		rec(_metadata, child, &mx->r[mx->n++]);
	}
	ASSERT_EQ(0, endpoint_init(&to4, -1, AF_INET, "127.0.0.1"));
	endpoint_set_port(&to4, mx->p4);
	ulp_pair(_metadata, l4, &to4, AF_INET, "127.0.0.3", &cli, &child);
	rec(_metadata, cli, &mx->r[mx->n++]);
	rec(_metadata, child, &mx->r[mx->n++]);
	ASSERT_EQ(16, mx->n);
	qsort(mx->r, mx->n, sizeof(mx->r[0]), by_cookie);
}

TEST_F(nl, get_by_cookie)
{
	struct nl_sock s;
	struct mixed mx;
	uint64_t max = 0;
	size_t i;
	int fd;

	build_mixed(_metadata, &mx);
	for (i = 0; i < mx.n; i++) {
		ASSERT_EQ(0, genl_get_cookie(&self->g, mx.r[i].cookie, &s))
			TH_LOG("GET cookie %llu", (unsigned long long)mx.r[i].cookie);
		expect_same(_metadata, &s, &mx.r[i]);
		if (mx.r[i].cookie > max)
			max = mx.r[i].cookie;
	}
	EXPECT_EQ(-ENOENT, genl_get_cookie(&self->g, max + 1000, &s));
	EXPECT_EQ(-ENOENT, genl_get_cookie(&self->g, ~0ULL, &s));

	/*
	 * Cookie 0 names no socket, not even one whose cookie nobody has
	 * asked for yet (the kernel makes cookies lazily).
	 */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ulp_set(fd, TCPARK_ULP_NAME));
	EXPECT_EQ(-ENOENT, genl_get_cookie(&self->g, 0, &s))
		TH_LOG("cookie 0 returned a socket (cookie %llu)", (unsigned long long)s.cookie);
}

struct filter {
	const char *name;
	int family;		/* 0: none */
	uint16_t lport, rport;	/* 0: none */
	uint32_t state, mode;	/* 0 / -1: none */
	const char *laddr, *raddr;	/* NULL: none */
	int lplen, rplen;	/* -1: no prefix attribute */
	int want;		/* the expected count, worked out by hand */
};

static bool prefix_match(const uint8_t *a, const uint8_t *p, int len, int plen)
{
	int i;

	if (plen < 0)
		plen = len * 8;
	for (i = 0; i < plen; i++)
		if ((a[i / 8] ^ p[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* The filter's address as netlink carries it: 4 or 16 bytes. */
static int addr_bytes(const char *s, uint8_t *out)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return -1;
}

static bool matches(const struct sock_rec *r, const struct filter *f)
{
	uint8_t a[16];
	uint32_t mode;
	int len;

	if (f->family && r->family != f->family)
		return false;
	if ((f->lport && r->lport != f->lport) || (f->rport && r->rport != f->rport))
		return false;
	if (f->state && f->state != TCPARK_STATE_ACTIVE)
		return false;
	if (f->mode != (uint32_t)-1 &&
	    (opt_get_u32(r->fd, TCPARK_MODE, &mode) || mode != f->mode))
		return false;
	if (f->laddr) {
		len = addr_bytes(f->laddr, a);
		if (len != r->lalen || !prefix_match(r->laddr, a, len, f->lplen))
			return false;
	}
	if (f->raddr) {
		len = addr_bytes(f->raddr, a);
		if (len != r->ralen || !prefix_match(r->raddr, a, len, f->rplen))
			return false;
	}
	return true;
}

static void check_filter(struct __test_metadata *_metadata, struct genl *g,
			 struct mixed *mx, const struct filter *f)
{
	struct nl_socks out = { 0 };
	int want = 0, got = 0, len;
	struct sock_rec *hit;
	struct genl_msg m;
	uint8_t a[16];
	size_t i, k;

	msg_init(g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	if (f->family)
		msg_put_u16(&m, TCPARK_A_FAMILY, f->family);
	if (f->lport)
		msg_put_u16(&m, TCPARK_A_LOCAL_PORT, f->lport);
	if (f->rport)
		msg_put_u16(&m, TCPARK_A_REMOTE_PORT, f->rport);
	if (f->state)
		msg_put_u32(&m, TCPARK_A_STATE, f->state);
	if (f->mode != (uint32_t)-1)
		msg_put_u32(&m, TCPARK_A_MODE, f->mode);
	if (f->laddr) {
		len = addr_bytes(f->laddr, a);
		ASSERT_LT(0, len);
		msg_put(&m, TCPARK_A_LOCAL_ADDR, a, len);
		if (f->lplen >= 0)
			msg_put_u8(&m, TCPARK_A_LOCAL_PREFIX, f->lplen);
	}
	if (f->raddr) {
		len = addr_bytes(f->raddr, a);
		ASSERT_LT(0, len);
		msg_put(&m, TCPARK_A_REMOTE_ADDR, a, len);
		if (f->rplen >= 0)
			msg_put_u8(&m, TCPARK_A_REMOTE_PREFIX, f->rplen);
	}
	ASSERT_EQ(0, genl_collect(g, &m, &out)) TH_LOG("%s", f->name);
	EXPECT_EQ(0, out.malformed);

	for (i = 0; i < mx->n; i++) {
		bool in = false;

		want += matches(&mx->r[i], f);
		for (k = 0; k < out.n; k++)
			if (out.v[k].cookie == mx->r[i].cookie) {
				EXPECT_FALSE(in) TH_LOG("%s: cookie %llu twice", f->name,
							(unsigned long long)mx->r[i].cookie);
				in = true;
			}
		EXPECT_EQ(matches(&mx->r[i], f), in)
			TH_LOG("%s: socket %zu (family %d, port %u -> %u)", f->name, i,
			       mx->r[i].family, mx->r[i].lport, mx->r[i].rport);
		got += in;
	}
	for (k = 0; k < out.n; k++) {
		hit = find(mx->r, mx->n, out.v[k].cookie);
		EXPECT_NE(NULL, hit) TH_LOG("%s: unknown cookie", f->name);
		if (hit)
			expect_same(_metadata, &out.v[k], hit);
	}
	EXPECT_EQ(want, got);
	EXPECT_EQ(f->want, want) TH_LOG("%s: the hand count disagrees", f->name);
	EXPECT_EQ((size_t)got, out.n) TH_LOG("%s", f->name);
	nl_socks_free(&out);
}

TEST_F(nl, dump_filters)
{
	struct mixed mx;
	size_t i;

	build_mixed(_metadata, &mx);
	{
		const struct filter f[] = {
			{ "none", 0, 0, 0, 0, -1, NULL, NULL, -1, -1, 16 },
			{ "lport p1", 0, mx.p1, 0, 0, -1, NULL, NULL, -1, -1, 3 },
			{ "rport p1", 0, 0, mx.p1, 0, -1, NULL, NULL, -1, -1, 2 },
			{ "lport p3", 0, mx.p3, 0, 0, -1, NULL, NULL, -1, -1, 3 },
			{ "lport p4", 0, mx.p4, 0, 0, -1, NULL, NULL, -1, -1, 2 },
			{ "family inet", AF_INET, 0, 0, 0, -1, NULL, NULL, -1, -1, 9 },
			{ "family inet6", AF_INET6, 0, 0, 0, -1, NULL, NULL, -1, -1, 7 },
			{ "src 127.0.0.2", 0, 0, 0, 0, -1, "127.0.0.2", NULL, -1, -1, 2 },
			{ "src 127.0.0.2/32", 0, 0, 0, 0, -1, "127.0.0.2", NULL, 32, -1, 2 },
			{ "src 127.0.0.0/30", 0, 0, 0, 0, -1, "127.0.0.0", NULL, 30, -1, 10 },
			{ "src 127.0.0.2/31", 0, 0, 0, 0, -1, "127.0.0.2", NULL, 31, -1, 6 },
			{ "src 127.0.0.1/8", 0, 0, 0, 0, -1, "127.0.0.1", NULL, 8, -1, 10 },
			{ "src 0.0.0.0/0", 0, 0, 0, 0, -1, "0.0.0.0", NULL, 0, -1, 10 },
			{ "src ::1", 0, 0, 0, 0, -1, "::1", NULL, -1, -1, 5 },
			{ "src ::/0", 0, 0, 0, 0, -1, "::", NULL, 0, -1, 6 },
			{ "dst 127.0.0.3", 0, 0, 0, 0, -1, NULL, "127.0.0.3", -1, -1, 4 },
			{ "dst ::1/128 dport p3", 0, 0, mx.p3, 0, -1, NULL, "::1", -1, 128, 2 },
			{ "dst ::/0", 0, 0, 0, 0, -1, NULL, "::", -1, 0, 6 },
			{ "-6 src 127.0.0.1", AF_INET6, 0, 0, 0, -1, "127.0.0.1", NULL, -1, -1, 1 },
			{ "-4 sport p1 dst 127.0.0.3", AF_INET, mx.p1, 0, 0, -1, NULL,
			  "127.0.0.3", 32, 32, 2 },
			{ "mode transient", 0, 0, 0, 0, TCPARK_MODE_TRANSIENT, NULL, NULL, -1, -1, 3 },
			{ "mode persistent", 0, 0, 0, 0, TCPARK_MODE_PERSISTENT, NULL, NULL, -1, -1, 13 },
			{ "mode transient sport p2", 0, mx.p2, 0, 0, TCPARK_MODE_TRANSIENT, NULL,
			  NULL, -1, -1, 2 },
			{ "state active", 0, 0, 0, TCPARK_STATE_ACTIVE, -1, NULL, NULL, -1, -1, 16 },
			{ "state parked", 0, 0, 0, TCPARK_STATE_PARKED, -1, NULL, NULL, -1, -1, 0 },
			{ "sport of nothing", 0, 1, 0, 0, -1, NULL, NULL, -1, -1, 0 },
		};

		for (i = 0; i < ARRAY_SIZE(f); i++)
			check_filter(_metadata, &self->g, &mx, &f[i]);
	}
}

/* ---- STATS ------------------------------------------------------------ */

/*
 * A new netns: every STAT_* counter there (genl_stats() checked its size),
 * the wake counters at 0, and the defaults and limits as its sysctls say.
 */
TEST_F(nl, stats_new_netns)
{
	static const struct {
		int attr;
		const char *sysctl;
	} settings[] = {
		{ TCPARK_A_IDLE_MS, "idle_ms" },
		{ TCPARK_A_MODE, "mode" },
		{ TCPARK_A_KA_INTERVAL_MS, "keepalive_interval_ms" },
		{ TCPARK_A_KA_PROBES, "keepalive_probes" },
		{ TCPARK_A_MAX_PARKED, "max_parked" },
		{ TCPARK_A_MAX_PARKED_MEM_MB, "max_parked_mem_mb" },
		{ TCPARK_A_WAKE_TIMEOUT_MS, "wake_timeout_ms" },
		{ TCPARK_A_MAX_PARKED_PER_UID, "max_parked_per_uid" },
		{ TCPARK_A_PEER_TIMEOUT_MS, "peer_timeout_ms" },
		{ TCPARK_A_ACTIVE_HIGH, "active_high" },
		{ TCPARK_A_ACTIVE_LOW, "active_low" },
	};
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct genl_msg sbuf;
	uint32_t v;
	size_t i;
	int a;

	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	for (a = TCPARK_A_STAT_SOCKETS; a <= TCPARK_A_STAT_INELIGIBLE; a++)
		EXPECT_NE(NULL, tb[a]) TH_LOG("no attribute %d", a);
	for (a = TCPARK_A_STAT_REFUSED_STATE; a <= TCPARK_A_STAT_WAKE_EXPIRED; a++) {
		EXPECT_NE(NULL, tb[a]) TH_LOG("no attribute %d", a);
		if (tb[a] && a >= TCPARK_A_STAT_REACTIVATED)
			EXPECT_EQ(0, attr_u64(tb[a])) TH_LOG("attribute %d", a);
	}
	for (a = TCPARK_A_STAT_PROBES_SENT; a <= TCPARK_A_STAT_DEFERRING; a++) {
		ASSERT_NE(NULL, tb[a]) TH_LOG("no attribute %d", a);
		EXPECT_EQ(0, attr_u64(tb[a])) TH_LOG("attribute %d", a);
	}
	ASSERT_NE(NULL, tb[TCPARK_A_STAT_PRESSURE_PARKS]);
	EXPECT_EQ(0, attr_u64(tb[TCPARK_A_STAT_PRESSURE_PARKS]));
	ASSERT_NE(NULL, tb[TCPARK_A_WAKE_TIMEOUT_MS]);
	EXPECT_EQ(30000, attr_u32(tb[TCPARK_A_WAKE_TIMEOUT_MS]));
	/* RFC 5382 REQ-5: 2 h 4 min. */
	ASSERT_NE(NULL, tb[TCPARK_A_PEER_TIMEOUT_MS]);
	EXPECT_EQ(7440000, attr_u32(tb[TCPARK_A_PEER_TIMEOUT_MS]));
	for (i = 0; i < ARRAY_SIZE(settings); i++) {
		ASSERT_NE(NULL, tb[settings[i].attr]) TH_LOG("no %s", settings[i].sysctl);
		ASSERT_EQ(0, sysctl_get(-1, settings[i].sysctl, &v))
			TH_LOG("net.tcpark.%s: %s", settings[i].sysctl, strerror(errno));
		EXPECT_EQ(v, attr_u32(tb[settings[i].attr])) TH_LOG("%s", settings[i].sysctl);
	}
}

/* ---- malformed requests ----------------------------------------------- */

/* @call's error is @err, and then the family still answers STATS. */
static void refused(struct __test_metadata *_metadata, struct genl *g, int err,
		    int ret, const char *what)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct genl_msg sbuf;

	EXPECT_EQ(-err, ret) TH_LOG("%s: got %d (%s), want -%d (%s); ext ack \"%s\"", what,
				     ret, strerror(-ret), err, strerror(err), g->ext_msg);
	ASSERT_EQ(0, genl_stats(g, tb, &sbuf)) TH_LOG("STATS after %s", what);
	EXPECT_NE(NULL, tb[TCPARK_A_STAT_SOCKETS]);
}

static int send_raw(struct genl *g, const void *buf, size_t len)
{
	return genl_talk_raw(g, buf, len, NULL, NULL);
}

static int send_msg(struct genl *g, struct genl_msg *m)
{
	return genl_talk(g, m, NULL, NULL);
}

/* A header the kernel cannot even read is dropped without an answer. */
TEST_F(nl, malformed_headers)
{
	struct genl_msg m;

	genl_timeout(&self->g, 300);

	/* Shorter than struct nlmsghdr. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	refused(_metadata, &self->g, ETIMEDOUT, send_raw(&self->g, &m, 8), "8-byte nlmsghdr");
	/* nlmsg_len below the header's own size. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	m.nlh.nlmsg_len = 12;
	refused(_metadata, &self->g, ETIMEDOUT, send_raw(&self->g, &m, 20), "nlmsg_len 12");
	/* nlmsg_len past what was sent. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	m.nlh.nlmsg_len = 64;
	refused(_metadata, &self->g, ETIMEDOUT, send_raw(&self->g, &m, 20), "nlmsg_len 64 of 20");

	genl_timeout(&self->g, 5000);
	/* No genlmsghdr, or half of one. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	m.nlh.nlmsg_len = NLMSG_HDRLEN;
	refused(_metadata, &self->g, EINVAL, send_raw(&self->g, &m, NLMSG_HDRLEN),
		"no genlmsghdr");
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + 2;
	refused(_metadata, &self->g, EINVAL, send_raw(&self->g, &m, NLMSG_HDRLEN + 2),
		"2-byte genlmsghdr, dump");
	/* A truncated attribute header after the genlmsghdr. */
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	msg_put_u64(&m, TCPARK_A_COOKIE, 1);
	m.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + 2;
	refused(_metadata, &self->g, EINVAL, send_raw(&self->g, &m, m.nlh.nlmsg_len),
		"2 bytes of nlattr");

	/* Unknown family id, unknown or notification-only commands. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_ACK);
	m.nlh.nlmsg_type = 0x7ff0;
	refused(_metadata, &self->g, ENOENT, send_msg(&self->g, &m), "unknown family id");
	msg_init(&self->g, &m, 99, NLM_F_ACK);
	refused(_metadata, &self->g, EOPNOTSUPP, send_msg(&self->g, &m), "command 99");
	msg_init(&self->g, &m, TCPARK_CMD_UNSPEC, NLM_F_ACK);
	refused(_metadata, &self->g, EOPNOTSUPP, send_msg(&self->g, &m), "command UNSPEC");
	msg_init(&self->g, &m, TCPARK_CMD_EVENT, NLM_F_ACK);
	refused(_metadata, &self->g, EOPNOTSUPP, send_msg(&self->g, &m), "command EVENT");
	/* Commands without a dump. */
	msg_init(&self->g, &m, TCPARK_CMD_STATS, NLM_F_DUMP);
	refused(_metadata, &self->g, EOPNOTSUPP, send_msg(&self->g, &m), "STATS dump");
	msg_init(&self->g, &m, TCPARK_CMD_KILL, NLM_F_DUMP);
	refused(_metadata, &self->g, EOPNOTSUPP, send_msg(&self->g, &m), "KILL dump");
}

/*
 * One bad attribute in a GET dump (a filter) and in a KILL (a filter too).
 * @doit: also in a GET by cookie, which uses no filter: only what the
 * policy itself refuses fails there.
 */
static void bad_attr_in(struct __test_metadata *_metadata, struct genl *g, int err,
			uint16_t type, const void *data, size_t len, const char *what,
			bool doit)
{
	struct genl_msg m;
	char buf[96];

	if (doit) {
		msg_init(g, &m, TCPARK_CMD_GET, NLM_F_ACK);
		msg_put_u64(&m, TCPARK_A_COOKIE, 1);
		msg_put(&m, type, data, len);
		snprintf(buf, sizeof(buf), "GET doit: %s", what);
		refused(_metadata, g, err, send_msg(g, &m), buf);
	}

	msg_init(g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	msg_put(&m, type, data, len);
	snprintf(buf, sizeof(buf), "GET dump: %s", what);
	refused(_metadata, g, err, send_msg(g, &m), buf);

	msg_init(g, &m, TCPARK_CMD_KILL, NLM_F_ACK);
	msg_put_u16(&m, TCPARK_A_LOCAL_PORT, 1);
	msg_put(&m, type, data, len);
	snprintf(buf, sizeof(buf), "KILL: %s", what);
	refused(_metadata, g, err, send_msg(g, &m), buf);
}

#define bad_attr(md, g, err, type, data, len, what) \
	bad_attr_in(md, g, err, type, data, len, what, true)
#define bad_filter(md, g, err, type, data, len, what) \
	bad_attr_in(md, g, err, type, data, len, what, false)

TEST_F(nl, malformed_attributes)
{
	const uint8_t big[64] = { 127, 0, 0, 1 };
	uint64_t u64 = 1;
	uint32_t u32 = 1;
	uint16_t u16 = AF_INET;
	uint8_t u8 = 8;
	struct genl_msg m;

	/* Unknown: past TCPARK_A_MAX, 0, and output-only ones. */
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_MAX + 1, &u32, 4, "type MAX+1");
	bad_attr(_metadata, &self->g, EINVAL, 0x3fff, &u32, 4, "type 0x3fff");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_UNSPEC, &u32, 4, "type UNSPEC");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_PARKS, &u64, 8, "PARKS (output only)");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_UID, &u32, 4, "UID (output only)");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_MATCHED, &u32, 4, "MATCHED (output only)");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_STAT_SOCKETS, &u64, 8,
		 "STAT_SOCKETS (output only)");

	/* Wrong sizes for the type. */
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_STATE, &u16, 2, "STATE as u16");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_STATE, &u64, 8, "STATE as u64");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_FAMILY, &u32, 4, "FAMILY as u32");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_LOCAL_PORT, &u32, 4, "LOCAL_PORT as u32");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_LOCAL_PREFIX, &u16, 2, "PREFIX as u16");
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_MODE, big, 0, "MODE empty");
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_LOCAL_ADDR, big, 3, "3-byte address");
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_REMOTE_ADDR, big, 0, "empty address");
	bad_filter(_metadata, &self->g, EINVAL, TCPARK_A_LOCAL_ADDR, big, 5, "5-byte address");
	bad_filter(_metadata, &self->g, EINVAL, TCPARK_A_REMOTE_ADDR, big, 17, "17-byte address");
	bad_filter(_metadata, &self->g, EINVAL, TCPARK_A_LOCAL_ADDR, big, sizeof(big),
		 "64-byte address");
	{
		struct genl_msg *m2 = calloc(1, sizeof(*m2));
		static uint8_t huge[4000];

		ASSERT_NE(NULL, m2);
		msg_init(&self->g, m2, TCPARK_CMD_GET, NLM_F_DUMP);
		msg_put(m2, TCPARK_A_LOCAL_ADDR, huge, sizeof(huge));
		refused(_metadata, &self->g, EINVAL, send_msg(&self->g, m2), "4000-byte address");
		free(m2);
	}

	/* Values out of the policy's range. */
	u32 = 3;
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_STATE, &u32, 4, "STATE 3");
	u32 = 0;
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_STATE, &u32, 4, "STATE 0");
	u32 = 2;
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_MODE, &u32, 4, "MODE 2");
	u8 = 129;
	bad_attr(_metadata, &self->g, ERANGE, TCPARK_A_LOCAL_PREFIX, &u8, 1, "prefix 129");
	u16 = AF_UNIX;
	bad_filter(_metadata, &self->g, EINVAL, TCPARK_A_FAMILY, &u16, 2, "FAMILY AF_UNIX");

	/* Filters that make no sense. */
	u8 = 8;
	bad_filter(_metadata, &self->g, EINVAL, TCPARK_A_REMOTE_PREFIX, &u8, 1,
		 "prefix without an address");
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
	msg_put(&m, TCPARK_A_LOCAL_ADDR, big, 4);
	msg_put_u8(&m, TCPARK_A_LOCAL_PREFIX, 33);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "IPv4 address /33");

	/* The nested flag on a plain attribute. */
	bad_attr(_metadata, &self->g, EINVAL, TCPARK_A_LOCAL_PORT | NLA_F_NESTED, &u16, 2,
		 "LOCAL_PORT with NLA_F_NESTED");

	/* An attribute longer than the message. */
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	msg_put_u64(&m, TCPARK_A_COOKIE, 1);
	((struct nlattr *)((char *)&m + NLMSG_LENGTH(GENL_HDRLEN)))->nla_len = 200;
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "nla_len past the end");
	/* A cookie too long. */
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	msg_put(&m, TCPARK_A_COOKIE, big, 16);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "16-byte cookie");
	/* The same attribute twice is allowed (the last one wins): not tested. */

	/* GET doit needs a cookie, and says which attribute is missing. */
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "GET doit without cookie");
#ifdef NLMSGERR_ATTR_MISS_TYPE
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	EXPECT_EQ(-EINVAL, send_msg(&self->g, &m));
	EXPECT_EQ(TCPARK_A_COOKIE, self->g.ext_miss);
#endif
	msg_init(&self->g, &m, TCPARK_CMD_GET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_COOKIE, 1);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "GET doit, u32 cookie");
}

/* STATS and the sysctl both say wake_timeout_ms is @want. */
static void expect_wake_timeout(struct __test_metadata *_metadata, struct genl *g,
				uint32_t want)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	struct genl_msg sbuf;
	uint32_t v;

	ASSERT_EQ(0, genl_stats(g, tb, &sbuf));
	ASSERT_NE(NULL, tb[TCPARK_A_WAKE_TIMEOUT_MS]);
	EXPECT_EQ(want, attr_u32(tb[TCPARK_A_WAKE_TIMEOUT_MS])) TH_LOG("STATS");
	ASSERT_EQ(0, sysctl_get(-1, "wake_timeout_ms", &v)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(want, v) TH_LOG("net.tcpark.wake_timeout_ms");
}

/* Commands that act need something to act on; SET checks everything first. */
TEST_F(nl, malformed_commands)
{
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	static const uint8_t cmds[] = { TCPARK_CMD_PARK, TCPARK_CMD_WAKE, TCPARK_CMD_KILL };
	uint32_t before[5];
	struct genl_msg m, sbuf;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		EXPECT_EQ(-EINVAL, send_msg(&self->g, &m));
		EXPECT_STRNE("", self->g.ext_msg) TH_LOG("no extended ack message");
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "no cookie, no filter");
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		msg_put_u64(&m, TCPARK_A_COOKIE, 0);
		refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "cookie 0");
		/* With a filter, cookie 0 was ignored: the act hit every match. */
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		msg_put_u64(&m, TCPARK_A_COOKIE, 0);
		msg_put_u16(&m, TCPARK_A_LOCAL_PORT, 1);
		refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "cookie 0 + a filter");
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		msg_put_u64(&m, TCPARK_A_COOKIE, 12345678);
		refused(_metadata, &self->g, ENOENT, send_msg(&self->g, &m), "unknown cookie");
		msg_init(&self->g, &m, cmds[i], NLM_F_ACK);
		msg_put_u16(&m, TCPARK_A_LOCAL_PORT, 1);
		refused(_metadata, &self->g, ENOENT, send_msg(&self->g, &m), "filter matching none");
	}

	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	before[0] = attr_u32(tb[TCPARK_A_IDLE_MS]);
	before[1] = attr_u32(tb[TCPARK_A_MODE]);
	before[2] = attr_u32(tb[TCPARK_A_KA_INTERVAL_MS]);
	before[3] = attr_u32(tb[TCPARK_A_KA_PROBES]);
	before[4] = attr_u32(tb[TCPARK_A_WAKE_TIMEOUT_MS]);

	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "SET nothing");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 99);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET idle 99");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 5000);
	msg_put_u32(&m, TCPARK_A_KA_PROBES, 256);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET idle 5000 + probes 256");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_KA_INTERVAL_MS, 2000);
	msg_put_u32(&m, TCPARK_A_MODE, 2);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET interval 2000 + mode 2");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_KA_PROBES, 9);
	msg_put_u32(&m, TCPARK_A_KA_INTERVAL_MS, 999);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET probes 9 + interval 999");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_MODE, 1);
	msg_put_u16(&m, TCPARK_A_IDLE_MS, 200);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "SET mode 1 + u16 idle");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 300);
	msg_put_u32(&m, TCPARK_A_MAX_PARKED, (1U << 30) + 1);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET idle 300 + max_parked");
	/*
	 * A value outside the uapi header's range: ERANGE, from the policy
	 * (NLA_POLICY_FULL_RANGE) or, for the gap below a minimum where 0 is
	 * allowed (idle 99, interval 999), from the handler.
	 * wake_timeout_ms: 100 .. 3600000, never 0 (data would wait forever).
	 */
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 0);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET wake_timeout 0");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 99);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m), "SET wake_timeout 99");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 300);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 3600001);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m),
		"SET idle 300 + wake_timeout 3600001");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 5000);
	msg_put_u32(&m, TCPARK_A_KA_PROBES, 256);
	refused(_metadata, &self->g, ERANGE, send_msg(&self->g, &m),
		"SET wake_timeout 5000 + probes 256");
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u16(&m, TCPARK_A_WAKE_TIMEOUT_MS, 5000);
	refused(_metadata, &self->g, EINVAL, send_msg(&self->g, &m), "SET u16 wake_timeout");

	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	EXPECT_EQ(before[0], attr_u32(tb[TCPARK_A_IDLE_MS]));
	EXPECT_EQ(before[1], attr_u32(tb[TCPARK_A_MODE]));
	EXPECT_EQ(before[2], attr_u32(tb[TCPARK_A_KA_INTERVAL_MS]));
	EXPECT_EQ(before[3], attr_u32(tb[TCPARK_A_KA_PROBES]));
	expect_wake_timeout(_metadata, &self->g, before[4]);

	/* And a valid one still works. */
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 300);
	msg_put_u32(&m, TCPARK_A_KA_PROBES, 255);
	ASSERT_EQ(0, send_msg(&self->g, &m));
	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	EXPECT_EQ(300, attr_u32(tb[TCPARK_A_IDLE_MS]));
	EXPECT_EQ(255, attr_u32(tb[TCPARK_A_KA_PROBES]));
	EXPECT_EQ(before[1], attr_u32(tb[TCPARK_A_MODE]));
	expect_wake_timeout(_metadata, &self->g, before[4]);

	/* wake_timeout_ms at both ends of its range, in STATS and the sysctl. */
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 100);
	ASSERT_EQ(0, send_msg(&self->g, &m));
	expect_wake_timeout(_metadata, &self->g, 100);
	msg_init(&self->g, &m, TCPARK_CMD_SET, NLM_F_ACK);
	msg_put_u32(&m, TCPARK_A_WAKE_TIMEOUT_MS, 3600000);
	msg_put_u32(&m, TCPARK_A_IDLE_MS, 400);
	ASSERT_EQ(0, send_msg(&self->g, &m));
	expect_wake_timeout(_metadata, &self->g, 3600000);
	ASSERT_EQ(0, genl_stats(&self->g, tb, &sbuf));
	EXPECT_EQ(400, attr_u32(tb[TCPARK_A_IDLE_MS]));
}

int main(int argc, char **argv)
{
	struct rlimit rl;

	/* 5,000+ sockets plus the new ones of the churn. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 16384) {
		rl.rlim_cur = rl.rlim_max < 16384 ? rl.rlim_max : 16384;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return test_harness_run(argc, argv);
}
