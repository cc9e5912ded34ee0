// SPDX-License-Identifier: GPL-2.0
/*
 * The device-server pattern with tcpark, step by step:
 *
 *   1. listen with the tcpark ULP in transient mode;
 *   2. accept a device, read its message, reply, close(): the connection
 *      is parked, the device sees nothing and keeps its socket;
 *   3. the device speaks again: accept() returns the same connection,
 *      its message already readable;
 *   4. the server has news for the device: connect() to the device's
 *      ip:port takes the parked connection over (no handshake), and
 *      close() parks it again.
 *
 *   cc -I uapi -o device_server examples/device_server.c
 *   device_server PORT [NEWS]     (IPv4 and IPv6; messages are lines)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/tcpark.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Carry the ULP, and let close() park instead of sending a FIN. */
static int tcpark_transient(int fd)
{
	__u32 mode = TCPARK_MODE_TRANSIENT;

	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, TCPARK_ULP_NAME, sizeof(TCPARK_ULP_NAME)))
		return -1;
	return setsockopt(fd, SOL_TCPARK, TCPARK_MODE, &mode, sizeof(mode));
}

static struct tcpark_info info_of(int fd)
{
	struct tcpark_info info = { 0 };
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_TCPARK, TCPARK_INFO, &info, &len))
		die("TCPARK_INFO");
	return info;
}

/*
 * close() parks. With the reply still in flight it returns at once all
 * the same, and the connection parks once the device has acked it.
 */
static void park(int fd)
{
	close(fd);
}

/* A line from the device: its length, 0 at end of stream, -1 on error. */
static int read_line(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n = 0;

	while (got < size - 1 && (!got || buf[got - 1] != '\n')) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = 0;
	return n < 0 ? -1 : (int)got;
}

/* Accept a connection, new or back from parking, answer it, park it. */
static void serve_one(int lfd, struct sockaddr_in6 *dev)
{
	socklen_t len = sizeof(*dev);
	char msg[512], reply[600], ip[INET6_ADDRSTRLEN];
	struct tcpark_info info;
	int fd, n;

	fd = accept(lfd, (struct sockaddr *)dev, &len);
	if (fd < 0)
		die("accept");
	info = info_of(fd);
	printf("accepted %s %s, cookie %llu: ",
	       inet_ntop(AF_INET6, &dev->sin6_addr, ip, sizeof(ip)),
	       info.tpi_flags & TCPARK_F_REACTIVATED ? "reactivated" : "new",
	       (unsigned long long)info.tpi_cookie);
	n = read_line(fd, msg, sizeof(msg));
	if (n <= 0) {
		/* A FIN from a parked device comes back as end of stream. */
		printf("%s\n", n ? strerror(errno) : "end of stream");
		close(fd);	/* our FIN: the connection is over */
		return;
	}
	printf("%s", msg);
	n = snprintf(reply, sizeof(reply), "ack %s", msg);
	if (write(fd, reply, n) != n)
		die("write reply");
	park(fd);
}

/* connect() to a parked device is its connection again, at once. */
static void push(const struct sockaddr_in6 *dev, const char *news)
{
	char msg[512], ip[INET6_ADDRSTRLEN];
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct tcpark_info info;
	int n;

	/* With the ULP, connect() looks for a parked connection first. */
	if (fd < 0 || tcpark_transient(fd))
		die("push socket");
	if (connect(fd, (const struct sockaddr *)dev, sizeof(*dev)))
		die("connect to the device");
	info = info_of(fd);
	n = snprintf(msg, sizeof(msg), "%s\n", news);
	/* Not remapped: nothing was parked, this connect() made a new one. */
	printf("push to %s %s, cookie %llu: %s",
	       inet_ntop(AF_INET6, &dev->sin6_addr, ip, sizeof(ip)),
	       info.tpi_flags & TCPARK_F_REMAPPED ? "remapped" : "new",
	       (unsigned long long)info.tpi_cookie, msg);
	if (write(fd, msg, n) != n)
		die("write push");
	park(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 addr = { .sin6_family = AF_INET6 }, dev;
	int lfd, one = 1;

	addr.sin6_port = htons(argc > 1 ? atoi(argv[1]) : 0);
	if (!addr.sin6_port) {
		fprintf(stderr, "usage: %s PORT [NEWS]\n", argv[0]);
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* [::]:PORT takes IPv4 devices too, as ::ffff:a.b.c.d. */
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("socket");
	/* Set on the listener, the ULP and the mode pass to every child. */
	if (tcpark_transient(lfd))
		die("tcpark ULP (is the module loaded?)");
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 128))
		die("listen");
	printf("listening on port %s\n", argv[1]);

	serve_one(lfd, &dev);	/* a device reports in, then is parked */
	serve_one(lfd, &dev);	/* it reports again, out of parking */
	push(&dev, argc > 2 ? argv[2] : "set interval 300");
	close(lfd);		/* parked connections outlive the listener */
	return 0;
}
