// SPDX-License-Identifier: GPL-2.0
/*
 * The device-server pattern with tcpark, for `make demo`: N devices
 * connect to a server, say hello and get an answer; the server close()s
 * each connection (transient mode parks it silently); the devices keep
 * their connections and their keepalives, and the server holds only
 * records. Runs both ends from one process (sockets keep the netns they
 * were created in).
 *
 * devices SERVER_NETNS_PATH DEVICE_NETNS_PATH N HOLD_SECONDS
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/tcpark.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

static int socket_in(const char *ns)
{
	int self = open("/proc/self/ns/net", O_RDONLY), fd = open(ns, O_RDONLY), s;

	if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		perror(ns);
		exit(1);
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	setns(self, CLONE_NEWNET);
	close(fd);
	close(self);
	return s;
}

static void keepalive(int fd)
{
	int one = 1, idle = 2, intvl = 2, cnt = 3;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

int main(int argc, char **argv)
{
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(8883) };
	struct rlimit rl = { 1 << 16, 1 << 16 };
	__u32 transient = TCPARK_MODE_TRANSIENT;
	int n, l, i, c, alive = 0, *dev;
	struct tcp_info ti;
	socklen_t len;
	char buf[16];

	if (argc != 5)
		return fprintf(stderr, "usage: devices SRV_NS DEV_NS N HOLD_S\n"), 64;
	n = atoi(argv[3]);
	setrlimit(RLIMIT_NOFILE, &rl);
	dev = calloc(n, sizeof(int));
	inet_pton(AF_INET, "198.18.0.1", &srv.sin_addr);

	l = socket_in(argv[1]);
	if (setsockopt(l, IPPROTO_TCP, TCP_ULP, "tcpark", sizeof("tcpark")) ||
	    setsockopt(l, SOL_TCPARK, TCPARK_MODE, &transient, sizeof(transient)) ||
	    bind(l, (void *)&srv, sizeof(srv)) || listen(l, 1024)) {
		perror("server");
		return 1;
	}
	printf("server: listening on 198.18.0.1:8883 with tcpark (transient mode)\n");
	for (i = 0; i < n; i++) {
		dev[i] = socket_in(argv[2]);
		if (connect(dev[i], (void *)&srv, sizeof(srv))) {
			perror("device connect");
			return 1;
		}
		keepalive(dev[i]);
		c = accept(l, NULL, NULL);
		if (write(dev[i], "hello", 5) != 5 || read(c, buf, 5) != 5 ||
		    write(c, "welcome", 7) != 7 || read(dev[i], buf, 7) != 7) {
			perror("exchange");
			return 1;
		}
		close(c);		/* parks: no FIN, no RST */
	}
	printf("server: %d devices said hello, got an answer, and were closed by the server\n", n);
	fflush(stdout);
	if (system("echo; echo '$ tcparkctl -n demo-srv stats'; tcparkctl -n demo-srv stats; "
		   "echo; echo '$ tcparkctl -n demo-srv show | head -4'; "
		   "tcparkctl -n demo-srv show | head -4"))
		fprintf(stderr, "tcparkctl failed\n");
	printf("\ndevices: holding their connections for %s s with keepalives every 2 s...\n",
	       argv[4]);
	fflush(stdout);
	/* Capture a few keepalive probes and the module's answers. */
	if (system("ip netns exec demo-dev timeout 5 tcpdump -l -n -i vdev -c 20000 "
		   "'tcp port 8883' 2>/dev/null >/tmp/ka.txt &"))
		fprintf(stderr, "tcpdump failed\n");
	sleep(atoi(argv[4]));
	for (i = 0; i < n; i++) {
		len = sizeof(ti);
		if (!getsockopt(dev[i], IPPROTO_TCP, TCP_INFO, &ti, &len) &&
		    ti.tcpi_state == 1 /* TCP_ESTABLISHED */)
			alive++;
	}
	printf("devices: %d of %d connections still ESTABLISHED; the server app holds none\n",
	       alive, n);
	return alive == n ? 0 : 1;
}
