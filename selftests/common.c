// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

int netns_open(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC);
}

int endpoint_init(struct endpoint *ep, int netns, int family, const char *ip)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ep->addr;

	memset(ep, 0, sizeof(*ep));
	ep->netns = netns;
	ep->family = family;
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		ep->addrlen = sizeof(*sin);
		return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6->sin6_family = AF_INET6;
	ep->addrlen = sizeof(*sin6);
	return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/* The port in host byte order. */
int endpoint_port(const struct endpoint *ep)
{
	if (ep->family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&ep->addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&ep->addr)->sin6_port);
}

void endpoint_set_port(struct endpoint *ep, int port)
{
	if (ep->family == AF_INET)
		((struct sockaddr_in *)&ep->addr)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)&ep->addr)->sin6_port = htons(port);
}

/* Create a socket inside @netns, then return to the netns we started in. */
int socket_in(int netns, int family, int type)
{
	static int home = -1;
	int fd, err;

	if (netns < 0)
		return socket(family, type, 0);
	if (home < 0) {
		home = netns_open("/proc/self/ns/net");
		if (home < 0)
			return -1;
	}
	if (setns(netns, CLONE_NEWNET))
		return -1;
	fd = socket(family, type, 0);
	err = errno;
	if (setns(home, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = err;
	return fd;
}

/* Listen on @ep's address with an ephemeral port, written back into @ep. */
int listen_on(struct endpoint *ep, int backlog)
{
	int fd, one = 1;

	fd = socket_in(ep->netns, ep->family, SOCK_STREAM);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ep->addr, ep->addrlen) ||
	    listen(fd, backlog) ||
	    getsockname(fd, (struct sockaddr *)&ep->addr, &ep->addrlen)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_flags(int netns, int family, const struct endpoint *ep,
			 bool nonblock)
{
	int fd;

	fd = socket_in(netns, family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0));
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&ep->addr, ep->addrlen) &&
	    !(nonblock && errno == EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A blocking TCP connect from @netns to @ep. */
int connect_to(int netns, int family, const struct endpoint *ep)
{
	return connect_flags(netns, family, ep, false);
}

/* A non-blocking connect: the socket may still be in SYN_SENT. */
int connect_nonblock(int netns, int family, const struct endpoint *ep)
{
	return connect_flags(netns, family, ep, true);
}

static int tcp_info_get(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len);
}

int tcp_state(int fd)
{
	struct tcp_info ti;

	return tcp_info_get(fd, &ti) ? -1 : ti.tcpi_state;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int wait_tcp_state(int fd, int state, int timeout_ms)
{
	int i;

	for (i = 0; i <= timeout_ms; i += 5) {
		if (tcp_state(fd) == state)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

/* For a listener TCP_INFO reports the accept queue length in tcpi_unacked. */
int accept_queue_len(int listener)
{
	struct tcp_info ti;

	return tcp_info_get(listener, &ti) ? -1 : (int)ti.tcpi_unacked;
}

int wait_accept_queue(int listener, int len, int timeout_ms)
{
	int i;

	for (i = 0; i <= timeout_ms; i += 5) {
		if (accept_queue_len(listener) == len)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

int ulp_set(int fd, const char *name)
{
	return setsockopt(fd, IPPROTO_TCP, TCP_ULP, name, strlen(name));
}

/* The ULP name, or "" for none; returns the length the kernel reported. */
int ulp_get(int fd, char *name, size_t size)
{
	socklen_t len = size - 1;

	memset(name, 0, size);
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len))
		return -1;
	return len;
}

bool ulp_is_tcpark(int fd)
{
	char name[32];

	return ulp_get(fd, name, sizeof(name)) >= 0 &&
	       !strcmp(name, TCPARK_ULP_NAME);
}

int tcpark_info(int fd, struct tcpark_info *info)
{
	socklen_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (getsockopt(fd, SOL_TCPARK, TCPARK_INFO, info, &len))
		return -1;
	if (len != sizeof(*info)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

uint64_t so_cookie(int fd)
{
	socklen_t len = sizeof(uint64_t);
	uint64_t cookie = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len))
		return 0;
	return cookie;
}
