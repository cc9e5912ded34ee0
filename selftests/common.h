/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tcpark selftest programs: sockets created inside a
 * given network namespace (a socket keeps the netns it was created in, so
 * one process can drive both ends of a veth pair), TCP state polling, and
 * the ULP and SOL_TCPARK socket options.
 */
#ifndef _TCPARK_SELFTEST_COMMON_H
#define _TCPARK_SELFTEST_COMMON_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <linux/tcpark.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif
#ifndef __noreturn
#define __noreturn __attribute__((__noreturn__))
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* One end of the test topology: a netns (-1: the current one) and an address. */
struct endpoint {
	int netns;
	int family;
	struct sockaddr_storage addr;	/* port 0 until a listener is bound */
	socklen_t addrlen;
};

int netns_open(const char *path);
int endpoint_init(struct endpoint *ep, int netns, int family, const char *ip);
int endpoint_port(const struct endpoint *ep);
void endpoint_set_port(struct endpoint *ep, int port);
int socket_in(int netns, int family, int type);
int listen_on(struct endpoint *ep, int backlog);
int connect_to(int netns, int family, const struct endpoint *ep);
int connect_nonblock(int netns, int family, const struct endpoint *ep);

int tcp_state(int fd);
int wait_tcp_state(int fd, int state, int timeout_ms);
int accept_queue_len(int listener);
int wait_accept_queue(int listener, int len, int timeout_ms);

int ulp_set(int fd, const char *name);
int ulp_get(int fd, char *name, size_t size);
bool ulp_is_tcpark(int fd);
int tcpark_info(int fd, struct tcpark_info *info);
uint64_t so_cookie(int fd);
void sleep_ms(int ms);
void close_reset(int fd);

/* SOL_TCPARK values; -1 with errno (EMSGSIZE: the kernel's optlen was off). */
int opt_get_u32(int fd, int opt, uint32_t *val);
int opt_set_u32(int fd, int opt, uint32_t val);
int opt_get_ka(int fd, struct tcpark_keepalive *ka);
int opt_set_ka(int fd, uint32_t interval_ms, uint32_t probes);

int lo_up(void);

/*
 * A local socket as tcpark's netlink describes it: the socket's family, and
 * addresses as 4 bytes for IPv4 and IPv4-mapped, else 16.
 */
struct sock_rec {
	int fd;
	uint64_t cookie;
	int family;
	uint16_t lport, rport;
	int lalen, ralen;
	uint8_t laddr[16], raddr[16];
};

int sock_rec_fill(int fd, struct sock_rec *r);

/* net.tcpark.NAME sysctls of a netns (-1: the current one). */
int sysctl_get(int netns, const char *name, uint32_t *val);
int sysctl_set(int netns, const char *name, const char *text);
int sysctl_set_u32(int netns, const char *name, uint32_t val);
/* Any /proc/sys file (full @path) of a netns. */
int ns_sysctl(int netns, const char *path, int val);

#endif
