// SPDX-License-Identifier: GPL-2.0
/*
 * info_hold -s SERVER_NETNS -c CLIENT_NETNS
 *
 * Hold a few ULP sockets in the server netns for tcparkctl to look at, and
 * say what getsockopt() reports for each:
 *   l4  listener 198.18.0.1 (idle_ms 5000, keepalive 2000/3)
 *   a   its child: mode transient, pinned
 *   b   its child, as inherited
 *   l6  listener fd00:7c::1, nothing set (the netns defaults)
 *   c   its child
 * (the clients, in the client netns, have no ULP). Prints one line per
 * socket from TCPARK_INFO and the socket addresses:
 *   sock NAME cookie=N state=active|parked family=inet|inet6 laddr=A lport=P
 *        raddr=A rport=P
 *        tcp_state=listen|established mode=persistent|transient idle_ms=N
 *        ka_interval_ms=N ka_probes=N pinned=0|1
 * then "ready 5", and obeys commands on stdin, one per line:
 *   info         the sock lines again
 *   check NAME   how the child NAME and its client fare when read:
 *                "check NAME app=ERR peer=ERR", ERR an errno name, "data",
 *                "eof" or "quiet" (nothing to read within 3 s)
 *   ping NAME    data both ways over NAME: "ping NAME ok" or "... failed"
 *   exit (or EOF)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "xfer.h"

struct held {
	const char *name;
	int fd, peer;	/* peer: the client of a child, else -1 */
};

static struct held held[5];
static int nheld;

static __noreturn void fail(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void hold(const char *name, int fd, int peer)
{
	held[nheld].name = name;
	held[nheld].fd = fd;
	held[nheld].peer = peer;
	nheld++;
}

static void print_addr(const char *key, const struct sockaddr_storage *ss, const char *pkey)
{
	char buf[INET6_ADDRSTRLEN];
	const void *a;
	int port;

	if (ss->ss_family == AF_INET) {
		a = &((const struct sockaddr_in *)ss)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	inet_ntop(ss->ss_family, a, buf, sizeof(buf));
	printf(" %s=%s %s=%d", key, buf, pkey, port);
}

static void print_info(const struct held *h)
{
	struct sockaddr_storage ss;
	struct tcpark_info info;
	socklen_t len = sizeof(ss);

	if (tcpark_info(h->fd, &info))
		fail("TCPARK_INFO");
	if (getsockname(h->fd, (struct sockaddr *)&ss, &len))
		fail("getsockname");
	printf("sock %s cookie=%llu state=%s family=%s", h->name,
	       (unsigned long long)info.tpi_cookie,
	       info.tpi_state == TCPARK_STATE_ACTIVE ? "active" : "parked",
	       ss.ss_family == AF_INET ? "inet" : "inet6");
	print_addr("laddr", &ss, "lport");
	len = sizeof(ss);
	if (getpeername(h->fd, (struct sockaddr *)&ss, &len)) {
		printf(" raddr=%s rport=0", ss.ss_family == AF_INET ? "0.0.0.0" : "::");
	} else {
		print_addr("raddr", &ss, "rport");
	}
	printf(" tcp_state=%s mode=%s idle_ms=%u ka_interval_ms=%u ka_probes=%u pinned=%d\n",
	       info.tpi_tcp_state == TCP_LISTEN ? "listen" :
	       info.tpi_tcp_state == TCP_ESTABLISHED ? "established" : "other",
	       info.tpi_mode == TCPARK_MODE_TRANSIENT ? "transient" : "persistent",
	       info.tpi_idle_ms, info.tpi_ka_interval_ms, info.tpi_ka_probes,
	       !!(info.tpi_flags & TCPARK_F_PINNED));
}

static const char *read_outcome(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	static char err[32];
	char c;
	ssize_t n;

	if (poll(&p, 1, 3000) != 1)
		return "quiet";
	n = read(fd, &c, 1);
	if (n > 0)
		return "data";
	if (n == 0)
		return "eof";
	snprintf(err, sizeof(err), "%s", strerrorname_np(errno) ?: "unknown");
	return err;
}

static struct held *find(const char *name)
{
	int i;

	for (i = 0; i < nheld; i++)
		if (!strcmp(held[i].name, name))
			return &held[i];
	return NULL;
}

static int listener(struct endpoint *ep)
{
	int fd = listen_on(ep, 8);

	if (fd < 0 || ulp_set(fd, TCPARK_ULP_NAME))
		fail("listener");
	return fd;
}

static int child_of(int lfd, int cli_ns, const struct endpoint *ep, int *cli)
{
	int fd;

	*cli = connect_to(cli_ns, ep->family, ep);
	if (*cli < 0)
		fail("connect");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		fail("accept");
	return fd;
}

int main(int argc, char **argv)
{
	int srv_ns = -1, cli_ns = -1, opt, l4, l6, a, b, c, ca, cb, cc, i;
	struct endpoint e4, e6;
	char line[128], why[256];
	struct held *h;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "s:c:")) != -1) {
		if (opt == 's')
			srv_ns = netns_open(optarg);
		else if (opt == 'c')
			cli_ns = netns_open(optarg);
		else
			return 2;
	}
	if (srv_ns < 0 || cli_ns < 0) {
		fprintf(stderr, "usage: %s -s SERVER_NETNS -c CLIENT_NETNS\n", argv[0]);
		return 2;
	}
	if (endpoint_init(&e4, srv_ns, AF_INET, "198.18.0.1") ||
	    endpoint_init(&e6, srv_ns, AF_INET6, "fd00:7c::1"))
		fail("address");

	l4 = listener(&e4);
	if (opt_set_u32(l4, TCPARK_IDLE_MS, 5000) || opt_set_ka(l4, 2000, 3))
		fail("listener options");
	a = child_of(l4, cli_ns, &e4, &ca);
	if (opt_set_u32(a, TCPARK_MODE, TCPARK_MODE_TRANSIENT) || opt_set_u32(a, TCPARK_PIN, 1))
		fail("child options");
	b = child_of(l4, cli_ns, &e4, &cb);
	l6 = listener(&e6);
	c = child_of(l6, cli_ns, &e6, &cc);
	hold("l4", l4, -1);
	hold("a", a, ca);
	hold("b", b, cb);
	hold("l6", l6, -1);
	hold("c", c, cc);

	for (i = 0; i < nheld; i++)
		print_info(&held[i]);
	printf("ready %d\n", nheld);
	while (fgets(line, sizeof(line), stdin) && strcmp(line, "exit\n")) {
		char cmd[16], name[16];

		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "info")) {
			for (i = 0; i < nheld; i++)
				print_info(&held[i]);
			printf("info done\n");
		} else if (sscanf(line, "%15s %15s", cmd, name) == 2 &&
			   (h = find(name)) && h->peer >= 0) {
			if (!strcmp(cmd, "check")) {
				printf("check %s app=%s", name, read_outcome(h->fd));
				printf(" peer=%s\n", read_outcome(h->peer));
			} else if (!strcmp(cmd, "ping")) {
				printf("ping %s %s\n", name,
				       exchange(h->fd, h->peer, why, sizeof(why)) ? "failed" : "ok");
			} else {
				printf("unknown command: %s\n", line);
			}
		} else {
			printf("unknown command: %s\n", line);
		}
	}
	return 0;
}
