// SPDX-License-Identifier: GPL-2.0
/*
 * wirecap -n NETNS -i IFNAME [-t SECONDS]
 *
 * Print every TCP segment seen on IFNAME in NETNS, one line each (time,
 * addresses, flags as letters FSRPAUEC, seq, ack, window, length, TS),
 * until SIGTERM/SIGINT or SECONDS (default 60). Prints "ready" on stderr
 * once capturing. Unlike tcpdump it reads with a 16 MiB socket buffer and
 * flushes every line, so a burst is neither lost nor left unwritten.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkt.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *ifname = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t end, t0 = 0;
	int opt, secs = 60, nsfd = -1;
	char path[256], line[256];
	struct cap cap;
	struct pkt p;

	while ((opt = getopt(argc, argv, "n:i:t:")) != -1) {
		switch (opt) {
		case 'n':
			netns = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 't':
			secs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: wirecap -n NETNS -i IFNAME [-t SECONDS]\n");
			return 2;
		}
	}
	if (!ifname)
		return 2;
	if (netns) {
		snprintf(path, sizeof(path), strchr(netns, '/') ? "%s" : "/run/netns/%s", netns);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0) {
			perror(path);
			return 1;
		}
	}
	if (cap_open(&cap, nsfd, ifname)) {
		perror("wirecap: capture");
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	fprintf(stderr, "ready\n");
	end = now_ns() + secs * 1000000000ull;
	while (!stop && now_ns() < end) {
		int ret = cap_next(&cap, &p, 100);

		if (ret < 0 && errno != EINTR) {
			perror("wirecap");
			return 1;
		}
		if (ret != 1)
			continue;
		if (!t0)
			t0 = p.ns;
		pkt_print(&p, t0, line, sizeof(line));
		printf("%s\n", line);
	}
	/* Whatever is still queued. */
	while (cap_next(&cap, &p, 0) == 1) {
		pkt_print(&p, t0 ? t0 : p.ns, line, sizeof(line));
		printf("%s\n", line);
	}
	return 0;
}
