// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * The netns this process started in, to come back to after a setns().
 * Opened at the first use, so a program that unshare()s first gets the
 * new one.
 */
static int home_netns(void)
{
	static int home = -1;

	if (home < 0)
		home = netns_open("/proc/self/ns/net");
	return home;
}

/* Create a socket inside @netns, then return to the netns we started in. */
int socket_in(int netns, int family, int type)
{
	int fd, err;

	if (netns < 0)
		return socket(family, type, 0);
	if (home_netns() < 0)
		return -1;
	if (setns(netns, CLONE_NEWNET))
		return -1;
	fd = socket(family, type, 0);
	err = errno;
	if (setns(home_netns(), CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = err;
	return fd;
}

/*
 * /proc/sys/net belongs to the netns of whoever opens it: open @path
 * inside @netns (-1: the current one), then come back.
 */
static int proc_open_in(int netns, const char *path, int flags)
{
	int fd, err;

	if (netns < 0)
		return open(path, flags | O_CLOEXEC);
	if (home_netns() < 0 || setns(netns, CLONE_NEWNET))
		return -1;
	fd = open(path, flags | O_CLOEXEC);
	err = errno;
	if (setns(home_netns(), CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	errno = err;
	return fd;
}

static int sysctl_open(int netns, const char *name, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/tcpark/%s", name);
	return proc_open_in(netns, path, flags);
}

/* Write @val to the /proc/sys file at @path of @netns; -1 on failure. */
int ns_sysctl(int netns, const char *path, int val)
{
	char buf[16];
	int fd, ret;

	fd = proc_open_in(netns, path, O_WRONLY);
	if (fd < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d\n", val);
	ret = write(fd, buf, strlen(buf)) > 0 ? 0 : -1;
	close(fd);
	return ret;
}

/* net.tcpark.@name in @netns; -1 with errno on failure. */
int sysctl_get(int netns, const char *name, uint32_t *val)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd;

	fd = sysctl_open(netns, name, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = n ? errno : ENODATA;
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v > UINT32_MAX) {
		errno = EPROTO;
		return -1;
	}
	*val = v;
	return 0;
}

/* Write @text to net.tcpark.@name in @netns; -1 with the write's errno. */
int sysctl_set(int netns, const char *name, const char *text)
{
	ssize_t n;
	int fd, err;

	fd = sysctl_open(netns, name, O_WRONLY);
	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	err = errno;
	close(fd);
	if (n != (ssize_t)strlen(text)) {
		errno = n < 0 ? err : EIO;
		return -1;
	}
	return 0;
}

int sysctl_set_u32(int netns, const char *name, uint32_t val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u\n", val);
	return sysctl_set(netns, name, buf);
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

void sleep_ms(int ms)
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

int opt_get_u32(int fd, int opt, uint32_t *val)
{
	socklen_t len = sizeof(*val);

	if (getsockopt(fd, SOL_TCPARK, opt, val, &len))
		return -1;
	if (len != sizeof(*val)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int opt_set_u32(int fd, int opt, uint32_t val)
{
	return setsockopt(fd, SOL_TCPARK, opt, &val, sizeof(val));
}

int opt_get_ka(int fd, struct tcpark_keepalive *ka)
{
	socklen_t len = sizeof(*ka);

	if (getsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, ka, &len))
		return -1;
	if (len != sizeof(*ka)) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int opt_set_ka(int fd, uint32_t interval_ms, uint32_t probes)
{
	struct tcpark_keepalive ka = { interval_ms, probes };

	return setsockopt(fd, SOL_TCPARK, TCPARK_KEEPALIVE, &ka, sizeof(ka));
}

/* Bring lo up in the current netns (a new netns has it down). */
int lo_up(void)
{
	struct ifreq ifr;
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* An address as the kernel's netlink reports it: IPv4-mapped as IPv4. */
static void rec_addr(const struct sockaddr_storage *ss, uint8_t *addr, int *len,
		     uint16_t *port)
{
	const struct sockaddr_in6 *sin6 = (const void *)ss;
	const struct sockaddr_in *sin = (const void *)ss;

	if (ss->ss_family == AF_INET) {
		memcpy(addr, &sin->sin_addr, 4);
		*len = 4;
		*port = ntohs(sin->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memcpy(addr, &sin6->sin6_addr.s6_addr[12], 4);
		*len = 4;
		*port = ntohs(sin6->sin6_port);
	} else {
		memcpy(addr, &sin6->sin6_addr, 16);
		*len = 16;
		*port = ntohs(sin6->sin6_port);
	}
}

int sock_rec_fill(int fd, struct sock_rec *r)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	r->family = ss.ss_family;
	rec_addr(&ss, r->laddr, &r->lalen, &r->lport);
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len)) {
		if (errno != ENOTCONN)
			return -1;
		/* A listener's peer: the unspecified address of its family. */
		memset(&ss, 0, sizeof(ss));
		ss.ss_family = r->family;
	}
	rec_addr(&ss, r->raddr, &r->ralen, &r->rport);
	r->cookie = so_cookie(fd);
	return r->cookie ? 0 : -1;
}

/* An abortive close: SO_LINGER 0 makes close() send an RST. */
void close_reset(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}
