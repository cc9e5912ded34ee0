// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_seg: forged segments against parked records, from the peer's side.
 *
 * fuzz_seg --server-netns PATH --client-netns PATH [-n CONNS] [-v]
 *          (FUZZ_SEED, FUZZ_SCALE: see fuzz.h)
 *
 * On lib.sh's two hosts: CONNS connections per family (default 4, every
 * other one without timestamps) from real client sockets to a transient
 * ULP listener on the server; the server closes each (a record), then the
 * listeners close, so that no data can reactivate a record and nothing
 * may legitimately end one but the peer's RST at exactly rcv_nxt.
 * net.tcpark.wake_timeout_ms is set to its maximum (an hour), so the only
 * RST the module may send (when held data finds no listener for that
 * long) cannot happen here either.
 *
 * Then a raw socket in the client netns sends random segments on the
 * records' 4-tuples: random flags, seq and ack near rcv_nxt/snd_nxt or
 * anywhere, window, urgent pointer, timestamps (near the peer's clock,
 * or anywhere), random and malformed TCP options, payload, data offset,
 * truncated segments and bad checksums. The fuzzer tracks which records
 * got a well-formed RST at exactly rcv_nxt (RFC 5961 §3.2); on half the
 * records it never sends one (they must all survive), on the others only
 * in the last quarter of the run. An AF_PACKET capture on veth_cli sees
 * every answer. Checked:
 *  - the server never sends an RST;
 *  - every segment from the server on a record's tuple is an ACK with
 *    seq = snd_nxt, ack = rcv_nxt and no payload (the record's, which
 *    nothing may move while parked) and a right checksum;
 *  - afterwards exactly the records that got their exact RST are gone,
 *    and each other one answers the peer coming back (a bare ACK, then a
 *    keepalive: seq = rcv_nxt - 1, ack = snd_nxt) with that ACK, echoing
 *    the keepalive's TSval: the fuzzer keeps the TSvals of segments that
 *    RFC 7323 lets into TS.Recent near the peer's clock and sends the
 *    final ones just after the latest of them (may_update_ts()), so an
 *    older TSecr means junk moved TS.Recent. Retried after 1.1 s, since
 *    answers to junk are rate-limited.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fuzz.h"
#include "pkt.h"

#define MAXCONN		32
#define TS_SPAN		(1u << 30)	/* "near" TSvals: ts0 +- this */
#define MAX_PAY		1400		/* fits veth's MTU with 60 + 40 bytes of headers */

struct fconn {
	int cli;
	struct tcp_ep c, s;	/* client, server */
	uint32_t rcv_nxt;	/* the record's: client snd_nxt */
	uint32_t snd_nxt;	/* the record's: client rcv_nxt */
	uint32_t rcv_wnd;	/* bytes the server last advertised */
	uint16_t cli_win;
	bool ts;
	uint32_t ts0;		/* the client's last TSval before the park */
	uint32_t ts_max;	/* the latest TS.Recent RFC 7323 allows now */
	uint32_t t_final;	/* the TSval of the final keepalive */
	bool final;		/* judge() looks for its answer */
	bool killable;		/* the fuzzer may end it with an exact RST */
	bool ended;		/* ... and did */
	/* seen */
	unsigned int sent, answers, exact_rst_bad;
	bool final_ok;
	uint32_t bad_tsecr;	/* a final answer's TSecr, when not t_final */
	bool tsecr_wrong;
};

/* What was sent, to name the segment behind a wrong TSecr. */
struct sent {
	uint8_t conn, flags, doff;
	bool well_formed, model;	/* ... and may_update_ts() */
	int32_t dseq, dack;		/* from rcv_nxt, snd_nxt */
	uint32_t tsval;
	uint16_t len;			/* TCP bytes */
};

static struct sent *sent_log;
static unsigned int nsent;
static struct fconn conns[MAXCONN];
static int nconns, verbose;
static const char *srv_path, *cli_path;
static int srv_ns, cli_ns;
static struct cap cap;
static uint64_t t0;
static unsigned int stray_rst, bad_answer, foreign, fails;

static const char *fam_str(const struct fconn *c)
{
	return c->c.family == AF_INET ? "IPv4" : "IPv6";
}

/* ---- the capture ------------------------------------------------------ */

static struct fconn *conn_of(const struct pkt *p)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (pkt_on(p, &conns[i].c, &conns[i].s))
			return &conns[i];
	return NULL;
}

/* During setup: the client's sequence view and its last TSval. */
static void track(const struct pkt *p)
{
	struct fconn *c = conn_of(p);

	if (!c)
		return;
	if (pkt_from(p, &c->c)) {
		if ((p->flags & TH_SYN) || seq_after(pkt_end_seq(p), c->rcv_nxt))
			c->rcv_nxt = pkt_end_seq(p);
		if (p->has_ts)
			c->ts0 = p->tsval;
		c->cli_win = p->win;
	} else {
		if ((p->flags & TH_SYN) || seq_after(pkt_end_seq(p), c->snd_nxt))
			c->snd_nxt = pkt_end_seq(p);
		if (p->flags & TH_SYN)
			c->ts = p->has_ts;
	}
}

/* While fuzzing: judge every segment the server sent. */
static void judge(const struct pkt *p)
{
	struct fconn *c;
	char line[256];

	if (p->out)
		return;
	c = conn_of(p);
	pkt_print(p, t0, line, sizeof(line));
	if (p->flags & TH_RST) {
		if (stray_rst++ < 10)
			printf("# stray RST from the server: %s\n", line);
		return;
	}
	if (!c) {
		if (foreign++ < 10)
			printf("# segment from the server on no record's tuple: %s\n", line);
		return;
	}
	if (p->flags != TH_ACK || p->seq != c->snd_nxt || p->ack != c->rcv_nxt ||
	    p->len || (p->csum_known && !p->csum_ok) || p->has_ts != c->ts) {
		if (bad_answer++ < 10)
			printf("# wrong answer (want ACK seq %u ack %u%s): %s\n",
			       c->snd_nxt, c->rcv_nxt, c->ts ? " TS" : "", line);
		return;
	}
	c->answers++;
	if (!c->final)
		return;
	if (!c->ts || p->tsecr == c->t_final) {
		c->final_ok = true;
	} else {
		c->tsecr_wrong = true;
		c->bad_tsecr = p->tsecr;
	}
}

static void drain(int ms, void (*fn)(const struct pkt *p))
{
	uint64_t end = now_ns() + ms * 1000000ull;
	struct pkt p;
	int left;

	for (;;) {
		left = (int64_t)(end - now_ns()) / 1000000;
		if (cap_next(&cap, &p, left > 0 ? left : 0) != 1)
			return;
		fn(&p);
	}
}

/* ---- setup ---------------------------------------------------------- */

static bool quiet(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return !getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) && !ti.tcpi_unacked;
}

static int open_conn(int lfd, const struct endpoint *ep, int family, bool killable)
{
	struct fconn *c = &conns[nconns];
	char buf[256];
	int srv, i;

	memset(c, 0, sizeof(*c));
	c->cli = connect_to(cli_ns, family, ep);
	if (c->cli < 0)
		return -1;
	srv = accept(lfd, NULL, NULL);
	if (srv < 0 || sock_eps(c->cli, &c->c, &c->s))
		return -1;
	memset(buf, 'c', sizeof(buf));
	if (write(c->cli, buf, 100) != 100 || recv(srv, buf, 100, MSG_WAITALL) != 100 ||
	    write(srv, buf, 200) != 200 || recv(c->cli, buf, 200, MSG_WAITALL) != 200)
		return -1;
	for (i = 0; i < 300 && !(quiet(srv) && quiet(c->cli)); i++)
		msleep(10);
	nconns++;
	c->killable = killable;
	return close(srv);
}

static int setup(int per_family)
{
	static const char *const ip[2] = { "198.18.0.1", "fd00:7c::1" };
	__u32 mode = TCPARK_MODE_TRANSIENT, idle = 0;
	int lfd[2], f, i, family;
	struct endpoint lep, cep;
	struct ctl_rec rec;

	for (f = 0; f < 2; f++) {
		family = f ? AF_INET6 : AF_INET;
		if (endpoint_init(&lep, srv_ns, family, ip[f]))
			return -1;
		lfd[f] = listen_on(&lep, 64);
		if (lfd[f] < 0 || ulp_set(lfd[f], TCPARK_ULP_NAME) ||
		    setsockopt(lfd[f], SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
		    setsockopt(lfd[f], SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle)))
			return -1;
		cep = lep;
		cep.netns = cli_ns;
		for (i = 0; i < per_family; i++) {
			/* Every other connection without timestamps. */
			ns_sysctl(cli_ns, "/proc/sys/net/ipv4/tcp_timestamps", !(i % 2));
			/*
			 * Per family: with and without timestamps, each
			 * once killable and once not (i % 4 < 2).
			 */
			if (open_conn(lfd[f], &cep, family, i % 4 < 2))
				return -1;
		}
	}
	ns_sysctl(cli_ns, "/proc/sys/net/ipv4/tcp_timestamps", 1);
	/* No listener: data from the peer can only wait, never wake a record. */
	close(lfd[0]);
	close(lfd[1]);
	drain(200, track);
	for (i = 0; i < nconns; i++) {
		struct fconn *c = &conns[i];
		int tries;

		for (tries = 0; tries < 50 && ctl_find(srv_path, c->s.port, c->c.port, &rec);
		     tries++)
			msleep(20);
		if (tries == 50) {
			printf("# no record for %s :%u -> :%u\n", fam_str(c), c->s.port,
			       c->c.port);
			return -1;
		}
		/* The record must say what the wire said. */
		if (rec.has_seq && (rec.snd_nxt != c->snd_nxt || rec.rcv_nxt != c->rcv_nxt)) {
			printf("# record %u/%u, wire %u/%u\n", rec.snd_nxt, rec.rcv_nxt,
			       c->snd_nxt, c->rcv_nxt);
			return -1;
		}
		c->rcv_wnd = rec.rcv_wnd ? rec.rcv_wnd : 65535;
		if (!c->ts)
			c->ts0 = fz_u32();
		c->ts_max = c->ts0;
	}
	return 0;
}

/* ---- forging -------------------------------------------------------- */

static size_t random_opts(uint8_t *o, size_t room)
{
	size_t n = 0, len;
	uint8_t kind;

	while (n < room && !fz_pct(25)) {
		switch (fz_below(12)) {
		case 0:
			kind = TCPOPT_NOP;
			break;
		case 1:
			kind = TCPOPT_EOL;
			break;
		case 2:
			kind = TCPOPT_MAXSEG;
			break;
		case 3:
			kind = TCPOPT_WINDOW;
			break;
		case 4:
			kind = TCPOPT_SACK_PERMITTED;
			break;
		case 5:
			kind = TCPOPT_SACK;
			break;
		case 6:
			kind = TCPOPT_TIMESTAMP;
			break;
		case 7:
			kind = 19;	/* MD5 */
			break;
		case 8:
			kind = 29;	/* AO */
			break;
		case 9:
			kind = 30;	/* MPTCP */
			break;
		default:
			kind = fz_u32();
		}
		o[n++] = kind;
		if (kind <= 1 || n == room)
			continue;
		switch (fz_below(6)) {
		case 0:		/* a length that lies */
			len = fz_pct(50) ? fz_below(2) : 255;
			break;
		default:
			len = kind == TCPOPT_MAXSEG ? 4 : kind == TCPOPT_WINDOW ? 3 :
			      kind == TCPOPT_SACK_PERMITTED ? 2 :
			      kind == 19 ? 18 :
			      kind == TCPOPT_SACK ? 2 + 8 * (1 + fz_below(4)) :
			      2 + fz_below(12);
		}
		o[n++] = len;
		if (len > 2) {
			size_t body = len - 2 < room - n ? len - 2 : room - n;

			fz_bytes(o + n, body);
			n += body;
		}
	}
	return n;
}

static uint8_t pick_flags(void)
{
	switch (fz_below(100)) {
	case 0 ... 34:
		return TH_ACK;
	case 35 ... 44:
		return TH_ACK | TH_PSH;
	case 45 ... 54:
		return TH_RST;
	case 55 ... 59:
		return TH_RST | TH_ACK;
	case 60 ... 67:
		return TH_SYN;
	case 68 ... 71:
		return TH_SYN | TH_ACK;
	case 72 ... 79:
		return TH_FIN | TH_ACK;
	default:
		return fz_u32();
	}
}

static uint32_t pick_seq(const struct fconn *c)
{
	switch (fz_below(100)) {
	case 0 ... 19:
		return c->rcv_nxt;
	case 20 ... 34:
		return c->rcv_nxt - 1;
	case 35 ... 54:
		return c->rcv_nxt + fz_below(11) - 5;
	case 55 ... 69:
		return c->rcv_nxt + fz_below(2 * c->rcv_wnd + 1);
	case 70 ... 79:
		return c->rcv_nxt - fz_below(1 << 20);
	default:
		return fz_u32();
	}
}

static uint32_t pick_ack(const struct fconn *c)
{
	switch (fz_below(100)) {
	case 0 ... 39:
		return c->snd_nxt;
	case 40 ... 54:
		return c->snd_nxt + fz_below(7) - 3;
	case 55 ... 69:
		return c->snd_nxt - fz_below(1 << 17);
	default:
		return fz_u32();
	}
}

static uint32_t pick_tsval(const struct fconn *c)
{
	switch (fz_below(100)) {
	case 0 ... 79:
		return c->ts0 + fz_below(2 * TS_SPAN) - TS_SPAN;
	case 80 ... 94:
		return c->ts0 + fz_below(10000);
	default:
		return fz_u32();
	}
}

/* The TCP header length @f has on the wire and as the receiver reads it. */
static size_t hdr_len(const struct forge *f)
{
	return 20 + ((((f->ts ? 12 : 0) + f->optlen) + 3) & ~3u);
}

static size_t tcp_len(const struct forge *f)
{
	size_t len = hdr_len(f) + f->paylen;

	return f->tcp_bytes && f->tcp_bytes < len ? f->tcp_bytes : len;
}

/* Would TCP (and so the module) even look at this segment? */
static bool well_formed(const struct forge *f)
{
	size_t doff = f->doff ? (size_t)f->doff * 4 : hdr_len(f);

	return !f->bad_csum && tcp_len(f) >= 20 && doff >= 20 && doff <= tcp_len(f);
}

/*
 * May @f move TS.Recent (RFC 7323 §4.3, §5.3; Linux: tcp_validate_incoming()
 * then tcp_ack() -> tcp_replace_ts_recent())? Only a well-formed ACK
 * without RST or SYN whose TSval passes PAWS, that is acceptable (RFC 793:
 * not all old, not beyond the window), with SEG.SEQ <= Last.ACK.sent and
 * an ACK of nothing unsent. A superset of that is fine here: it only
 * makes the final TSval later. The receiver sees the TS option only if
 * its data offset covers it (NOP NOP TS come first).
 */
static bool may_update_ts(const struct fconn *c, const struct forge *f)
{
	size_t doff = f->doff ? (size_t)f->doff * 4 : hdr_len(f);
	uint32_t end_seq;

	if (!c->ts || !f->ts || doff < 32 || !well_formed(f) ||
	    (f->flags & (TH_RST | TH_SYN)) || !(f->flags & TH_ACK))
		return false;
	end_seq = f->seq + (tcp_len(f) - doff) + !!(f->flags & TH_FIN);
	return !seq_before(end_seq, c->rcv_nxt) && !seq_after(f->seq, c->rcv_nxt) &&
	       !seq_after(f->ack, c->snd_nxt) && !seq_before(f->tsval, c->ts_max);
}

static void build(struct fconn *c, struct forge *f, uint8_t *opts, bool late)
{
	memset(f, 0, sizeof(*f));
	f->src = c->c;
	f->dst = c->s;
	f->flags = pick_flags();
	f->seq = pick_seq(c);
	f->ack = pick_ack(c);
	f->win = fz_pct(50) ? c->cli_win : fz_u32();
	f->urp = fz_pct(90) ? 0 : fz_u32();
	f->ts = fz_pct(c->ts ? 85 : 15);
	if (f->ts) {
		f->tsval = pick_tsval(c);
		f->tsecr = fz_u32();
	}
	if (fz_pct(20)) {
		f->optlen = random_opts(opts, 40 - (f->ts ? 12 : 0));
		f->opt = opts;
	}
	switch (fz_below(20)) {
	case 0 ... 13:
		break;
	case 14 ... 15:
		f->paylen = 1;
		break;
	case 16 ... 18:
		f->paylen = 1 + fz_below(MAX_PAY);
		break;
	default:
		f->paylen = fz_below(9);
	}
	if (fz_pct(5))
		f->doff = fz_below(16);
	f->bad_csum = fz_pct(5);
	if (fz_pct(3))
		f->tcp_bytes = 1 + fz_below(80);
	/*
	 * TSvals that RFC 7323 lets into TS.Recent stay near ts0, so that all
	 * of them compare in one order and a later one exists: the final
	 * keepalive's. Junk may carry any TSval (none of it may count).
	 */
	if (f->ts && (uint32_t)(f->tsval - c->ts0 + TS_SPAN) > 2 * TS_SPAN + 10000 &&
	    may_update_ts(c, f))
		f->tsval = c->ts0 + fz_below(2 * TS_SPAN) - TS_SPAN;
	/* The exact RST only where and when the fuzzer allows a record to end. */
	if ((f->flags & TH_RST) && f->seq == c->rcv_nxt && well_formed(f) &&
	    !(c->killable && late)) {
		if (fz_pct(50))
			f->seq += 1 + fz_below(100);
		else
			f->bad_csum = true;
	}
}

static void log_sent(struct fconn *c, const struct forge *f)
{
	struct sent *e = &sent_log[nsent++];

	e->conn = c - conns;
	e->flags = f->flags;
	e->doff = f->doff;
	e->well_formed = well_formed(f);
	e->model = may_update_ts(c, f);
	e->dseq = f->seq - c->rcv_nxt;
	e->dack = f->ack - c->snd_nxt;
	e->tsval = f->ts ? f->tsval : 0;
	e->len = tcp_len(f);
}

/* The segments that carried @tsval to @c. */
static void print_sent(const struct fconn *c, uint32_t tsval)
{
	unsigned int i;
	char fl[10];

	for (i = 0; i < nsent; i++) {
		const struct sent *e = &sent_log[i];

		if (&conns[e->conn] != c || e->tsval != tsval)
			continue;
		printf("#   segment %u: [%s] seq rcv_nxt%+d ack snd_nxt%+d TSval %u, %u TCP bytes%s%s%s\n",
		       i, pkt_flags_str(e->flags, fl), e->dseq, e->dack, e->tsval, e->len,
		       e->doff ? ", forged data offset" : "",
		       e->well_formed ? "" : ", malformed",
		       e->model ? ", acceptable" : ", not acceptable (RFC 793/7323)");
	}
}

static int fuzz(int fd4, int fd6, unsigned int iters)
{
	uint8_t opts[40];
	struct forge f;
	unsigned int i, sent = 0, ended = 0;

	sent_log = calloc(iters, sizeof(*sent_log));
	if (!sent_log)
		return -1;

	for (i = 0; i < iters; i++) {
		struct fconn *c = &conns[fz_below(nconns)];
		bool late = i >= iters / 4 * 3;

		if (c->ended)
			continue;	/* the stack, not the module, owns that tuple now */
		build(c, &f, opts, late);
		if (forge_send(c->c.family == AF_INET ? fd4 : fd6, &f)) {
			printf("# forge_send: %s\n", strerror(errno));
			return -1;
		}
		log_sent(c, &f);
		sent++;
		c->sent++;
		if (may_update_ts(c, &f))
			c->ts_max = f.tsval;
		if ((f.flags & TH_RST) && f.seq == c->rcv_nxt) {
			if (well_formed(&f)) {
				c->ended = true;
				ended++;
			} else {
				c->exact_rst_bad++;
			}
		}
		if (verbose) {
			char fl[10];

			printf("# %s :%u seq %+d ack %+d [%s] len %zu%s%s\n", fam_str(c),
			       c->c.port, (int)(f.seq - c->rcv_nxt), (int)(f.ack - c->snd_nxt),
			       pkt_flags_str(f.flags, fl), f.paylen, f.bad_csum ? " badsum" : "",
			       f.doff ? " doff" : "");
		}
		if (i % 64 == 63)
			drain(0, judge);
	}
	drain(300, judge);
	printf("# fuzz_seg: %u segments sent over %d records, %u records ended by the exact RST\n",
	       sent, nconns, ended);
	return 0;
}

/* ---- afterwards ------------------------------------------------------- */

static void check_records(void)
{
	struct ctl_rec rec;
	int i;

	for (i = 0; i < nconns; i++) {
		struct fconn *c = &conns[i];
		bool parked = !ctl_find(srv_path, c->s.port, c->c.port, &rec);

		if (parked == c->ended) {
			printf("# %s record :%u -> :%u %s (%u segments, %u malformed exact RSTs)\n",
			       fam_str(c), c->s.port, c->c.port,
			       parked ? "outlived the exact RST" : "lost: the peer never reset it",
			       c->sent, c->exact_rst_bad);
			fails++;
		}
	}
}

/*
 * The peer comes back: a bare ACK at rcv_nxt, then a keepalive as Linux
 * sends it (seq = snd_una - 1, no data), both with a TSval just after
 * every one RFC 7323 let into TS.Recent. The answer must be the ACK with
 * seq = snd_nxt, ack = rcv_nxt and, with timestamps, TSecr = that TSval:
 * anything older means TS.Recent was moved by a segment that was not
 * acceptable, and the peer's own segments now fail PAWS.
 */
static void send_final(int fd4, int fd6, struct fconn *c)
{
	struct forge f = { 0 };
	int fd = c->c.family == AF_INET ? fd4 : fd6;

	f.src = c->c;
	f.dst = c->s;
	f.flags = TH_ACK;
	f.ack = c->snd_nxt;
	f.win = c->cli_win;
	f.ts = c->ts;
	f.tsval = c->t_final;
	f.seq = c->rcv_nxt;
	forge_send(fd, &f);
	f.seq = c->rcv_nxt - 1;
	forge_send(fd, &f);
}

static void final_keepalives(int fd4, int fd6)
{
	int round, i, left = 0;

	for (round = 0; round < 4; round++) {
		left = 0;
		msleep(1100);	/* past any rate limit the junk ran into */
		drain(0, judge);
		for (i = 0; i < nconns; i++) {
			struct fconn *c = &conns[i];

			if (c->ended || c->final_ok)
				continue;
			c->t_final = c->ts_max + 1000;
			c->final = true;
			send_final(fd4, fd6, c);
		}
		drain(500, judge);
		for (i = 0; i < nconns; i++)
			left += !conns[i].ended && !conns[i].final_ok;
		if (!left)
			break;
	}
	for (i = 0; i < nconns; i++) {
		struct fconn *c = &conns[i];

		if (c->ended || c->final_ok)
			continue;
		fails++;
		if (c->tsecr_wrong) {
			printf("# %s record :%u -> :%u: keepalive with TSval %u answered with TSecr %u: TS.Recent was moved by an unacceptable segment (RFC 7323 §5.3), the peer now fails PAWS; it came from:\n",
			       fam_str(c), c->s.port, c->c.port, c->t_final, c->bad_tsecr);
			print_sent(c, c->bad_tsecr);
		} else {
			printf("# %s record :%u -> :%u: no answer to a valid keepalive\n",
			       fam_str(c), c->s.port, c->c.port);
		}
	}
	if (!left) {
		int ts = 0;

		for (i = 0; i < nconns; i++)
			ts += !conns[i].ended && conns[i].ts;
		printf("# every surviving record answered the peer's keepalive (round %d; %d with timestamps, TSecr right)\n",
		       round + 1, ts);
	}
}

static void teardown(void)
{
	int i;

	/* The peers' own RSTs, at rcv_nxt: what ends the remaining records. */
	for (i = 0; i < nconns; i++)
		close_reset(conns[i].cli);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "server-netns", required_argument, NULL, 's' },
		{ "client-netns", required_argument, NULL, 'c' },
		{ 0 }
	};
	unsigned int iters = fuzz_iters(16000);
	uint32_t wake_timeout = 30000;
	int per_family = 4, fd4, fd6, opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt_long(argc, argv, "s:c:n:v", lopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			srv_path = optarg;
			break;
		case 'c':
			cli_path = optarg;
			break;
		case 'n':
			per_family = atoi(optarg);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return 2;
		}
	}
	if (!srv_path || !cli_path || per_family < 1 || 2 * per_family > MAXCONN) {
		fprintf(stderr, "usage: fuzz_seg --server-netns P --client-netns P [-n 1..16] [-v]\n");
		return 2;
	}
	fuzz_seed("fuzz_seg");
	t0 = now_ns();
	srv_ns = netns_open(srv_path);
	cli_ns = netns_open(cli_path);
	if (srv_ns < 0 || cli_ns < 0 || cap_open(&cap, cli_ns, "veth_cli")) {
		printf("# netns or capture: %s\n", strerror(errno));
		return 1;
	}
	sysctl_get(srv_ns, "wake_timeout_ms", &wake_timeout);
	if (sysctl_set_u32(srv_ns, "wake_timeout_ms", 3600000)) {
		printf("# wake_timeout_ms: %s\n", strerror(errno));
		return 1;
	}
	fd4 = forge_socket(cli_ns, AF_INET);
	fd6 = forge_socket(cli_ns, AF_INET6);
	if (fd4 < 0 || fd6 < 0 || setup(per_family)) {
		printf("# setup: %s\n", strerror(errno));
		return 1;
	}
	if (fuzz(fd4, fd6, iters))
		return 1;
	check_records();
	final_keepalives(fd4, fd6);
	drain(100, judge);
	if (stray_rst || bad_answer || foreign) {
		printf("# %u stray RSTs, %u wrong answers, %u segments on other tuples\n",
		       stray_rst, bad_answer, foreign);
		fails++;
	}
	teardown();
	sysctl_set_u32(srv_ns, "wake_timeout_ms", wake_timeout);
	printf("# fuzz_seg: %s\n", fails ? "FAIL" : "ok");
	return fails ? 1 : 0;
}
