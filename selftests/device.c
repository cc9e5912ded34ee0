// SPDX-License-Identifier: GPL-2.0
/*
 * The device of example.sh, for examples/device_server.c:
 *
 *	device ADDR PORT MSG...
 *
 * Connects to ADDR:PORT and prints "port N" (its own port). For each MSG
 * it waits for a line on stdin (the test's go-ahead), sends MSG as a line
 * and prints "reply: LINE" for the line that comes back. Then it prints
 * "push: LINE" for the next line the server sends, waits for stdin to
 * end and prints "open" if the connection is still ESTABLISHED with
 * nothing more to read, or what happened to it. Everything is read on the
 * one socket it connected first, which never sees a FIN or an RST while
 * the server parks it. It leaves with an RST (SO_LINGER 0), so that no
 * FIN of its own is left for the server's netns to handle.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A line from @fd byte by byte, so nothing after it is consumed. */
static int get_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size - 1) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return r < 0 ? -errno : -1;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = 0;
	return 0;
}

static void say(const char *what, int fd, char *buf, size_t size)
{
	int ret = get_line(fd, buf, size);

	if (ret)
		printf("%s: %s\n", what, ret == -1 ? "end of stream" : strerror(-ret));
	else
		printf("%s: %s", what, buf);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage srv = { 0 }, me;
	struct sockaddr_in6 *sin6 = (void *)&srv;
	struct sockaddr_in *sin = (void *)&srv;
	socklen_t len = sizeof(me), srvlen;
	struct linger lg = { 1, 0 };
	struct tcp_info ti;
	char buf[1024];
	int fd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ADDR PORT MSG...\n", argv[0]);
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (inet_pton(AF_INET, argv[1], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(argv[2]));
		srvlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[1], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(atoi(argv[2]));
		srvlen = sizeof(*sin6);
	} else {
		fprintf(stderr, "device: bad address %s\n", argv[1]);
		return 64;
	}
	fd = socket(srv.ss_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&srv, srvlen) ||
	    getsockname(fd, (struct sockaddr *)&me, &len)) {
		perror("device: connect");
		return 1;
	}
	printf("port %u\n", ntohs(((struct sockaddr_in *)&me)->sin_port));
	for (i = 3; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (!fgets(buf, sizeof(buf), stdin))
			return 1;
		if (send(fd, argv[i], n, MSG_NOSIGNAL) != (ssize_t)n ||
		    send(fd, "\n", 1, MSG_NOSIGNAL) != 1) {
			printf("send: %s\n", strerror(errno));
			return 1;
		}
		say("reply", fd, buf, sizeof(buf));
	}
	say("push", fd, buf, sizeof(buf));
	while (fgets(buf, sizeof(buf), stdin))
		;
	len = sizeof(ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		ti.tcpi_state = 0;
	if (ti.tcpi_state != 1 /* TCP_ESTABLISHED */)
		printf("state %u\n", ti.tcpi_state);
	else if (recv(fd, buf, 1, MSG_DONTWAIT) >= 0 || errno != EAGAIN)
		printf("unexpected: more to read, or %s\n", strerror(errno));
	else
		printf("open\n");
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	return 0;
}
