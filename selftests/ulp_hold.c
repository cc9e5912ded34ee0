// SPDX-License-Identifier: GPL-2.0
/*
 * ulp_hold [-6] [-C] [-s SERVER_NETNS -c CLIENT_NETNS]
 *
 * Hold sockets carrying the tcpark ULP: a listener with two connected but
 * unaccepted children in its accept queue, and one accepted child (the
 * clients are plain TCP unless -C puts the ULP on them too). Prints
 * "ready REFS", REFS being the module references these sockets must hold,
 * then obeys commands on stdin, one per line:
 *   probe         make and check one more ULP connection, then close it
 *   close-server  close the listener and the accepted child; the
 *                 unaccepted children go with the listener, clients stay
 *   exit (or EOF) close everything and exit
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define NCLIENTS 3

static int cli_ns = -1, family = AF_INET;
static struct endpoint srv;

static __noreturn void fail(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int ulp_client(bool with_ulp, const struct endpoint *ep)
{
	int fd = socket_in(cli_ns, family, SOCK_STREAM);

	if (fd < 0)
		fail("socket");
	if (with_ulp && ulp_set(fd, TCPARK_ULP_NAME))
		fail("client TCP_ULP");
	if (connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen))
		fail("connect");
	return fd;
}

static void check_ulp_sock(int fd, int tcp_st, const char *what)
{
	struct tcpark_info info;

	if (!ulp_is_tcpark(fd) || tcpark_info(fd, &info))
		fail(what);
	if (info.tpi_state != TCPARK_STATE_ACTIVE ||
	    (int)info.tpi_tcp_state != tcp_st || info.tpi_cookie != so_cookie(fd)) {
		errno = EPROTO;
		fail(what);
	}
}

/* One more full ULP connection on its own listener, then closed. */
static void probe_one_more(void)
{
	struct endpoint ep = srv;
	int lfd, cli, child;

	endpoint_set_port(&ep, 0);
	lfd = listen_on(&ep, 4);
	if (lfd < 0 || ulp_set(lfd, TCPARK_ULP_NAME))
		fail("listener for the probe");
	cli = ulp_client(false, &ep);
	child = accept(lfd, NULL, NULL);
	if (child < 0)
		fail("accept for the probe");
	check_ulp_sock(child, TCP_ESTABLISHED, "child for the probe");
	close(child);
	close(cli);
	close(lfd);
	printf("probe ok\n");
}

int main(int argc, char **argv)
{
	int lfd, acc, srv_ns = -1, opt, i;
	bool client_ulp = false;
	char line[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "6Cs:c:")) != -1) {
		switch (opt) {
		case '6':
			family = AF_INET6;
			break;
		case 'C':
			client_ulp = true;
			break;
		case 's':
			srv_ns = netns_open(optarg);
			if (srv_ns < 0)
				fail(optarg);
			break;
		case 'c':
			cli_ns = netns_open(optarg);
			if (cli_ns < 0)
				fail(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-6] [-C] [-s NETNS -c NETNS]\n", argv[0]);
			return 2;
		}
	}
	if (endpoint_init(&srv, srv_ns, family, family == AF_INET ?
			  (srv_ns < 0 ? "127.0.0.1" : "198.18.0.1") :
			  (srv_ns < 0 ? "::1" : "fd00:7c::1")))
		fail("address");

	lfd = listen_on(&srv, 16);
	if (lfd < 0 || ulp_set(lfd, TCPARK_ULP_NAME))
		fail("listener");
	/* The client sockets stay open until exit. */
	for (i = 0; i < NCLIENTS; i++)
		ulp_client(client_ulp, &srv);
	if (wait_accept_queue(lfd, NCLIENTS, 5000))
		fail("accept queue never filled");
	acc = accept(lfd, NULL, NULL);
	if (acc < 0)
		fail("accept");
	check_ulp_sock(acc, TCP_ESTABLISHED, "accepted child");
	check_ulp_sock(lfd, TCP_LISTEN, "listener");
	if (accept_queue_len(lfd) != NCLIENTS - 1)
		fail("accept queue");

	/* listener + every child (accepted or not) [+ clients] */
	printf("ready %d\n", 1 + NCLIENTS + (client_ulp ? NCLIENTS : 0));
	while (fgets(line, sizeof(line), stdin) && strcmp(line, "exit\n")) {
		if (!strcmp(line, "probe\n")) {
			probe_one_more();
		} else if (!strcmp(line, "close-server\n")) {
			close(acc);
			close(lfd);
			printf("server closed\n");
		} else {
			printf("unknown command: %s", line);
		}
	}
	return 0;
}
