// SPDX-License-Identifier: GPL-2.0
/*
 * park_mass -s SERVER_NETNS -c CLIENT_NETNS [-P|-R] [-u UID]
 *
 * Many connections at once, for the memory and leak tests. Two listeners
 * in the server netns, 198.18.0.1 and fd00:7c::1 (with the tcpark ULP in
 * TCPARK_MODE_TRANSIENT, idle timer off; -P: plain TCP), clients in the
 * client netns (plain TCP). -R reverses the roles: the clients carry the
 * ULP and park, the listeners and their children are plain, so that every
 * record has the same remote address and port. The "parkers" are the
 * server sockets (the clients with -R), the "peers" the other ends.
 * -u: once both netns are open and the listeners exist, drop to UID (and
 * gid UID, no groups, no capabilities): every connection is then made and
 * accepted by that user, who owns the sockets and their records.
 * Commands on stdin, one per line; each answers one line on stdout
 * starting with "ok" or "FAIL":
 *   connect N [4|6] open N more connections (IPv4 unless 6), both ends
 *                   held by fds (not after a park with -R)
 *   close-listeners close both listeners (the process then holds nothing
 *                   of the server netns but the accepted sockets)
 *   park [T]        close every held parker (transient: it parks),
 *                   from T threads at once (default 1), each its share
 *   idle MS         set TCPARK_IDLE_MS on every held parker: the idle
 *                   timer parks them while the fds stay open
 *   state           the peers' TCP states:
 *                   "ok estab E close C other O reset R" (R: ECONNRESET)
 *   keepalive S     TCP keepalive on every peer: a probe after S seconds
 *                   idle, then every S seconds, 3 unanswered ones kill it
 *   rst             close every peer with SO_LINGER 0 (an RST at its
 *                   snd_nxt: exactly what a parked record expects)
 *   close-clients   close every peer normally (FIN)
 *   abort-parkers   close every held parker with SO_LINGER 0 (an RST)
 *   push FROM TO MS the server speaks first (not with -R or -u): for the
 *                   accepted connections FROM .. TO-1 (in accept order),
 *                   a socket with the ULP in the server netns connect()s
 *                   to the peer address accept() gave (a remap, if the
 *                   connection is parked) and writes "push J"; each client
 *                   that receives one answers "ack J" on its socket; the
 *                   server reads the answers, for MS ms at most:
 *                   "ok push N remapped R delivered D acked A unacked U"
 *                   (R: TCPARK_F_REMAPPED, D: clients that got their
 *                   push, A: right answers the server read, U: push
 *                   sockets with bytes still unacknowledged)
 *   report MS       the device speaks first: every client that got no
 *                   push writes "report I"; for MS ms at most the server
 *                   accept()s from both listeners, reads each child's
 *                   report and answers "ack I", which the client reads:
 *                   "ok report S accepted N reactivated R acked A unacked U"
 *                   (R: TCPARK_F_REACTIVATED, A: clients that read their
 *                   answer, U: clients with bytes still unacknowledged)
 *                   The sockets of push and report stay held as parkers.
 *   exit (or EOF)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sockios.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static int *cli, *srv, ncli, nsrv, cap;
static char *was_reset;	/* sticky: recv() reports ECONNRESET once */
/* Each client's part in push and report. */
enum { TALK_NONE, TALK_DONE, TALK_FAILED, TALK_REPORTED };
static char *talked;
/*
 * Every peer accept() returned, as the server saw its address (the
 * device's public ip:port behind a NAT), in accept order.
 */
static struct sockaddr_storage *peer_addr;
static socklen_t *peer_len;
static int npeer;
static int lfds[2] = { -1, -1 }, lfd;
static const char *srv_path;
static struct endpoint eps[2], ep;
static bool reverse, dropped;
static __u32 mode = TCPARK_MODE_TRANSIENT, idle;

/* With -R the clients park and the server's children are their peers. */
#define PARKERS		(reverse ? cli : srv)
#define NPARKERS	(reverse ? &ncli : &nsrv)
#define PEERS		(reverse ? srv : cli)
#define NPEERS		(reverse ? &nsrv : &ncli)

static int tcpark_on(int fd)
{
	return ulp_set(fd, TCPARK_ULP_NAME) ||
	       setsockopt(fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode)) ||
	       setsockopt(fd, SOL_TCPARK, TCPARK_IDLE_MS, &idle, sizeof(idle));
}

static double ms_since(const struct timespec *t)
{
	struct timespec n;

	clock_gettime(CLOCK_MONOTONIC, &n);
	return (n.tv_sec - t->tv_sec) * 1e3 + (n.tv_nsec - t->tv_nsec) / 1e6;
}

/* Room for @more connections on top of those the arrays hold. */
static void grow(int more)
{
	int have = ncli;

	if (nsrv > have)
		have = nsrv;
	if (npeer > have)
		have = npeer;
	if (have + more <= cap)
		return;
	cap = (have + more) * 2;
	cli = realloc(cli, cap * sizeof(int));
	srv = realloc(srv, cap * sizeof(int));
	was_reset = realloc(was_reset, cap);
	talked = realloc(talked, cap);
	peer_addr = realloc(peer_addr, cap * sizeof(*peer_addr));
	peer_len = realloc(peer_len, cap * sizeof(*peer_len));
	if (!cli || !srv || !was_reset || !talked || !peer_addr || !peer_len) {
		printf("FAIL: out of memory\n");
		exit(1);
	}
}

/* Accept until @want children are held or none is queued after a wait. */
static int accept_some(int want)
{
	int n = 0, tries = 0, fd;

	while (n < want) {
		peer_len[npeer] = sizeof(peer_addr[npeer]);
		fd = accept(lfd, (struct sockaddr *)&peer_addr[npeer], &peer_len[npeer]);
		if (fd < 0) {
			if (errno != EAGAIN || ++tries > 2000)
				return n;
			usleep(1000);
			continue;
		}
		npeer++;
		srv[nsrv++] = fd;
		n++;
	}
	return n;
}

static void do_connect(int n)
{
	struct timespec t;
	int i, batch_start = ncli, fd;

	grow(n);
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < n; i++) {
		fd = socket(ep.family, SOCK_STREAM, 0);
		if (fd >= 0 && reverse && tcpark_on(fd)) {
			printf("FAIL: tcpark on client %d: %s\n", ncli, strerror(errno));
			return;
		}
		if (fd < 0 || connect(fd, (struct sockaddr *)&ep.addr, ep.addrlen)) {
			printf("FAIL: connect %d: %s\n", ncli, strerror(errno));
			return;
		}
		was_reset[ncli] = 0;
		talked[ncli] = TALK_NONE;
		cli[ncli++] = fd;
		/* Keep the accept queue short. */
		if (ncli - batch_start == 500) {
			if (accept_some(500) != 500) {
				printf("FAIL: accept: %s\n", strerror(errno));
				return;
			}
			batch_start = ncli;
		}
	}
	if (accept_some(ncli - batch_start) != ncli - batch_start) {
		printf("FAIL: accept: %s (%d clients, %d accepted)\n", strerror(errno),
		       ncli, nsrv);
		return;
	}
	printf("ok connect %d total %d ms %.0f\n", n, ncli, ms_since(&t));
}

struct park_share {
	pthread_t thread;
	int *fds;
	int from, to;
};

static void *park_share(void *arg)
{
	struct park_share *p = arg;
	int i;

	for (i = p->from; i < p->to; i++)
		close(p->fds[i]);
	return NULL;
}

static void do_park(int threads)
{
	struct park_share p[16];
	struct timespec t;
	int i, n = *NPARKERS;

	if (threads < 1 || threads > 16)
		threads = 1;
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < threads; i++) {
		p[i].fds = PARKERS;
		p[i].from = n * i / threads;
		p[i].to = n * (i + 1) / threads;
		if (pthread_create(&p[i].thread, NULL, park_share, &p[i])) {
			printf("FAIL: pthread_create\n");
			exit(1);
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(p[i].thread, NULL);
	*NPARKERS = 0;
	printf("ok park %d ms %.0f\n", n, ms_since(&t));
}

static void do_idle(__u32 ms)
{
	int i;

	for (i = 0; i < *NPARKERS; i++)
		if (setsockopt(PARKERS[i], SOL_TCPARK, TCPARK_IDLE_MS, &ms, sizeof(ms))) {
			printf("FAIL: TCPARK_IDLE_MS: %s\n", strerror(errno));
			return;
		}
	printf("ok idle %u on %d\n", ms, *NPARKERS);
}

static int drop_to(uid_t uid)
{
	return setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	       setresuid(uid, uid, uid);
}

static void do_state(void)
{
	int i, estab = 0, closed = 0, other = 0, reset = 0;
	struct tcp_info ti;
	socklen_t len;
	char c;

	for (i = 0; i < *NPEERS; i++) {
		len = sizeof(ti);
		if (getsockopt(PEERS[i], IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			other++;
			continue;
		}
		if (ti.tcpi_state == TCP_ESTABLISHED)
			estab++;
		else if (ti.tcpi_state == TCP_CLOSE)
			closed++;
		else
			other++;
		if (recv(PEERS[i], &c, 1, MSG_DONTWAIT | MSG_PEEK) < 0 &&
		    errno == ECONNRESET)
			was_reset[i] = 1;
		reset += was_reset[i];
	}
	printf("ok estab %d close %d other %d reset %d\n", estab, closed, other, reset);
}

static void close_clients(bool rst)
{
	struct linger lg = { 1, 0 };
	int i, n = *NPEERS;

	for (i = 0; i < n; i++) {
		if (rst)
			setsockopt(PEERS[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(PEERS[i]);
	}
	*NPEERS = 0;
	npeer = 0;	/* their addresses mean nothing any more */
	printf("ok %s %d\n", rst ? "rst" : "close", n);
}

/*
 * Reset every held parker (SO_LINGER 0). A parker closed with bytes in
 * flight would otherwise wait for their ACK as an orphan (a deferred
 * park), up to tcp_fin_timeout and then TCP's orphan retries, keeping
 * the server netns and a module reference after the test.
 */
static void abort_parkers(void)
{
	struct linger lg = { 1, 0 };
	int i, n = *NPARKERS;

	for (i = 0; i < n; i++) {
		setsockopt(PARKERS[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(PARKERS[i]);
	}
	*NPARKERS = 0;
	printf("ok abort %d\n", n);
}

static void keepalive(int secs)
{
	int i, on = 1, cnt = 3;

	for (i = 0; i < *NPEERS; i++) {
		if (setsockopt(PEERS[i], SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) ||
		    setsockopt(PEERS[i], IPPROTO_TCP, TCP_KEEPIDLE, &secs, sizeof(secs)) ||
		    setsockopt(PEERS[i], IPPROTO_TCP, TCP_KEEPINTVL, &secs, sizeof(secs)) ||
		    setsockopt(PEERS[i], IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt))) {
			printf("FAIL: keepalive: %s\n", strerror(errno));
			return;
		}
	}
	printf("ok keepalive %d\n", *NPEERS);
}

/* Hold a server socket among the parkers (a later "park" closes it). */
static void hold_srv(int fd)
{
	grow(1);
	srv[nsrv++] = fd;
}

/*
 * A socket in the server netns: the process itself lives in the client's.
 * The netns is opened for this only, so that no fd held here keeps it
 * alive once it is deleted (probe.sh deletes it under park_mass's feet).
 */
static int srv_socket(int family)
{
	int fd = -1, err, sns, home;

	home = netns_open("/proc/self/ns/net");
	sns = netns_open(srv_path);
	if (home < 0 || sns < 0 || setns(sns, CLONE_NEWNET))
		goto out;
	fd = socket(family, SOCK_STREAM, 0);
	err = errno;
	if (setns(home, CLONE_NEWNET)) {
		printf("FAIL: back to the client netns: %s\n", strerror(errno));
		exit(1);
	}
	errno = err;
out:
	err = errno;
	if (home >= 0)
		close(home);
	if (sns >= 0)
		close(sns);
	errno = err;
	return fd;
}

/*
 * A message "WORD N\n" (short: it left in one write, so it arrives in one
 * segment): N; -2 while nothing is there yet; -1 for anything else (end
 * of stream, an error, other bytes).
 */
static int read_msg(int fd, const char *word)
{
	char buf[64], w[16];
	ssize_t n;
	int v;

	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -2;
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (buf[n - 1] != '\n' || sscanf(buf, "%15s %d", w, &v) != 2 ||
	    strcmp(w, word) || v < 0)
		return -1;
	return v;
}

static int send_msg(int fd, const char *word, int v)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%s %d\n", word, v);
	return send(fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) == n ? 0 : -1;
}

/* Bytes sent and not acknowledged yet. */
static bool unacked(int fd)
{
	int out = 0;

	return ioctl(fd, SIOCOUTQ, &out) || out > 0;
}

/* The clients that receive "push J" answer "ack J". */
static int clients_answer(const struct pollfd *p, const int *idx, int n)
{
	int k, v, delivered = 0;

	for (k = 0; k < n; k++) {
		if (!p[k].revents)
			continue;
		v = read_msg(cli[idx[k]], "push");
		if (v == -2)
			continue;
		if (v >= 0 && !send_msg(cli[idx[k]], "ack", v)) {
			talked[idx[k]] = TALK_DONE;
			delivered++;
		} else {
			talked[idx[k]] = TALK_FAILED;
		}
	}
	return delivered;
}

static void do_push(int from, int to, int ms)
{
	int j, i, k, n, v, fd, live = 0, remapped = 0, delivered = 0, acked = 0, left = 0;
	struct timeval tv = { 2, 0 };
	struct tcpark_info info;
	struct pollfd *p;
	struct timespec t;
	int *pfd, *idx;

	if (reverse || dropped || from < 0 || from > to || to > npeer) {
		printf("FAIL: push %d %d: not with -R or -u, or not that many peers (%d)\n",
		       from, to, npeer);
		return;
	}
	n = to - from;
	pfd = calloc(n + 1, sizeof(*pfd));
	idx = calloc(n + ncli + 1, sizeof(*idx));
	p = calloc(n + ncli + 1, sizeof(*p));
	if (!pfd || !idx || !p) {
		printf("FAIL: out of memory\n");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (j = 0; j < n; j++) {
		pfd[j] = -1;
		fd = srv_socket(peer_addr[from + j].ss_family);
		if (fd < 0 || tcpark_on(fd)) {
			printf("FAIL: push socket: %s\n", strerror(errno));
			exit(1);
		}
		/* Not remapped, it is a real connect(): let it end. */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&peer_addr[from + j], peer_len[from + j]) ||
		    send_msg(fd, "push", from + j)) {
			close(fd);
			continue;
		}
		if (!tcpark_info(fd, &info) && (info.tpi_flags & TCPARK_F_REMAPPED))
			remapped++;
		pfd[j] = fd;
		live++;
	}
	/* Clients answer what reaches them; the server reads the answers. */
	while (acked < live && ms_since(&t) < ms) {
		k = 0;
		for (i = 0; i < ncli; i++) {
			if (talked[i] != TALK_NONE)
				continue;
			p[k] = (struct pollfd){ .fd = cli[i], .events = POLLIN };
			idx[k++] = i;
		}
		i = k;
		for (j = 0; j < n; j++) {
			if (pfd[j] < 0)
				continue;
			p[k] = (struct pollfd){ .fd = pfd[j], .events = POLLIN };
			idx[k++] = j;
		}
		if (poll(p, k, 50) <= 0)
			continue;
		delivered += clients_answer(p, idx, i);
		for (; i < k; i++) {
			if (!p[i].revents)
				continue;
			j = idx[i];
			v = read_msg(pfd[j], "ack");
			if (v == -2)
				continue;
			acked += v == from + j;
			/* Read once: a wrong answer is not waited for again. */
			hold_srv(pfd[j]);
			left += unacked(pfd[j]);
			pfd[j] = -2;
		}
	}
	for (j = 0; j < n; j++) {
		if (pfd[j] < 0)
			continue;
		left += unacked(pfd[j]);
		hold_srv(pfd[j]);
	}
	printf("ok push %d remapped %d delivered %d acked %d unacked %d ms %.0f\n",
	       n, remapped, delivered, acked, left, ms_since(&t));
	free(pfd);
	free(idx);
	free(p);
}

static void do_report(int ms)
{
	int i, k, v, fd, nc = 0, sent = 0, accepted = 0, reactivated = 0, acked = 0, left = 0;
	struct tcpark_info info;
	struct timespec t;
	struct pollfd *p;
	int *child, *idx;
	char *mine;

	if (reverse || lfds[0] < 0) {
		printf("FAIL: report: not with -R, or the listeners are closed\n");
		return;
	}
	child = calloc(ncli + 1, sizeof(*child));
	idx = calloc(2 * ncli + 1, sizeof(*idx));
	p = calloc(2 * ncli + 1, sizeof(*p));
	mine = calloc(ncli + 1, 1);
	if (!child || !idx || !p || !mine) {
		printf("FAIL: out of memory\n");
		exit(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t);
	for (i = 0; i < ncli; i++) {
		if (talked[i] != TALK_NONE)
			continue;
		talked[i] = send_msg(cli[i], "report", i) ? TALK_FAILED : TALK_REPORTED;
		mine[i] = talked[i] == TALK_REPORTED;
		sent += mine[i];
	}
	while (acked < sent && ms_since(&t) < ms) {
		for (i = 0; i < 2; i++) {
			while (nc < ncli && (fd = accept(lfds[i], NULL, NULL)) >= 0) {
				accepted++;
				if (!tcpark_info(fd, &info) &&
				    (info.tpi_flags & TCPARK_F_REACTIVATED))
					reactivated++;
				hold_srv(fd);
				child[nc++] = fd;
			}
		}
		k = 0;
		for (i = 0; i < nc; i++) {
			if (child[i] < 0)
				continue;
			p[k] = (struct pollfd){ .fd = child[i], .events = POLLIN };
			idx[k++] = i;
		}
		v = k;
		for (i = 0; i < ncli; i++) {
			if (talked[i] != TALK_REPORTED)
				continue;
			p[k] = (struct pollfd){ .fd = cli[i], .events = POLLIN };
			idx[k++] = i;
		}
		if (poll(p, k, 50) <= 0)
			continue;
		/* The server answers each report once. */
		for (i = 0; i < v; i++) {
			if (!p[i].revents)
				continue;
			fd = read_msg(child[idx[i]], "report");
			if (fd == -2)
				continue;
			if (fd >= 0)
				send_msg(child[idx[i]], "ack", fd);
			child[idx[i]] = -1;
		}
		for (; i < k; i++) {
			if (!p[i].revents)
				continue;
			fd = read_msg(cli[idx[i]], "ack");
			if (fd == -2)
				continue;
			talked[idx[i]] = fd == idx[i] ? TALK_DONE : TALK_FAILED;
			acked += fd == idx[i];
		}
	}
	for (i = 0; i < ncli; i++) {
		if (!mine[i])
			continue;
		left += unacked(cli[i]);
		if (talked[i] == TALK_REPORTED)
			talked[i] = TALK_FAILED;
	}
	printf("ok report %d accepted %d reactivated %d acked %d unacked %d ms %.0f\n",
	       sent, accepted, reactivated, acked, left, ms_since(&t));
	free(child);
	free(idx);
	free(p);
	free(mine);
}

int main(int argc, char **argv)
{
	static const char *const ips[2] = { "198.18.0.1", "fd00:7c::1" };
	const char *cli_path = NULL;
	struct rlimit rl = { 1 << 20, 1 << 20 };
	bool plain = false;
	long uid = -1;
	__u32 ms;
	char line[128];
	int opt, sns, cns, i;

	while ((opt = getopt(argc, argv, "s:c:PRu:")) != -1) {
		switch (opt) {
		case 's':
			srv_path = optarg;
			break;
		case 'c':
			cli_path = optarg;
			break;
		case 'P':
			plain = true;
			break;
		case 'R':
			reverse = true;
			break;
		case 'u':
			uid = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: park_mass -s SRV_NETNS -c CLI_NETNS [-P|-R] [-u UID]\n");
			return 2;
		}
	}
	if (!srv_path || !cli_path)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max = 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sns = netns_open(srv_path);
	cns = netns_open(cli_path);
	if (sns < 0 || cns < 0) {
		printf("FAIL: netns: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < 2; i++) {
		endpoint_init(&eps[i], sns, i ? AF_INET6 : AF_INET, ips[i]);
		lfds[i] = listen_on(&eps[i], 4096);
		if (lfds[i] < 0) {
			printf("FAIL: listen: %s\n", strerror(errno));
			return 1;
		}
		if (!plain && !reverse && tcpark_on(lfds[i])) {
			printf("FAIL: tcpark on the listener: %s\n", strerror(errno));
			return 1;
		}
		fcntl(lfds[i], F_SETFL, O_NONBLOCK);
	}
	/* Every client socket from here on lives in the client netns. */
	if (setns(cns, CLONE_NEWNET)) {
		printf("FAIL: setns: %s\n", strerror(errno));
		return 1;
	}
	close(sns);
	close(cns);
	if (uid >= 0 && drop_to(uid)) {
		printf("FAIL: drop to uid %ld: %s\n", uid, strerror(errno));
		return 1;
	}
	dropped = uid >= 0;
	printf("ok ready ports %d %d\n", endpoint_port(&eps[0]), endpoint_port(&eps[1]));
	while (fgets(line, sizeof(line), stdin)) {
		int n, fam = 4, to, wait;

		if (sscanf(line, "connect %d %d", &n, &fam) >= 1) {
			i = fam == 6;
			if (lfds[i] < 0) {
				printf("FAIL: listeners closed\n");
				continue;
			}
			ep = eps[i];
			lfd = lfds[i];
			do_connect(n);
		} else if (!strncmp(line, "close-listeners", 15)) {
			for (i = 0; i < 2; i++) {
				if (lfds[i] >= 0)
					close(lfds[i]);
				lfds[i] = -1;
			}
			printf("ok listeners closed\n");
		} else if (sscanf(line, "idle %u", &ms) == 1) {
			do_idle(ms);
		} else if (sscanf(line, "push %d %d %d", &n, &to, &wait) == 3) {
			do_push(n, to, wait);
		} else if (sscanf(line, "report %d", &wait) == 1) {
			do_report(wait);
		} else if (!strncmp(line, "park", 4)) {
			n = 1;
			sscanf(line, "park %d", &n);
			do_park(n);
		} else if (!strncmp(line, "state", 5)) {
			do_state();
		} else if (sscanf(line, "keepalive %d", &n) == 1) {
			keepalive(n);
		} else if (!strncmp(line, "abort-parkers", 13)) {
			abort_parkers();
		} else if (!strncmp(line, "rst", 3)) {
			close_clients(true);
		} else if (!strncmp(line, "close-clients", 13)) {
			close_clients(false);
		} else if (!strncmp(line, "exit", 4)) {
			break;
		} else {
			printf("FAIL: unknown command %s", line);
		}
	}
	return 0;
}
