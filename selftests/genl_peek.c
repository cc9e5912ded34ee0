// SPDX-License-Identifier: GPL-2.0
/*
 * genl_peek dump | get COOKIE | join | events N
 *
 * What the "tcpark" family really hands the calling process, with no
 * tcparkctl in between to hide anything: run it as root, as nobody or as
 * a user namespace's root and compare.
 *   dump      a GET dump
 *   get       a GET by cookie (the doit path)
 *   join      join the events group: NETLINK_ADD_MEMBERSHIP, and bind()
 *             with the group in nl_groups when its id fits in 32 bits
 *   events N  join, print "joined", then the next N events (10 s each)
 * One line per message:
 *   msg cmd=C event=E state=S family=F cookie=N fields=a,b,...
 * fields lists which of a record's TCP state attributes were present.
 * join prints "join add=R bind=R" with R = 0 or -errno (bind=- when the
 * id is above 32). Exit 0 unless the request itself failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "genl.h"

static const struct {
	int attr;
	const char *name;
} fields[] = {
	{ TCPARK_A_SND_NXT, "snd_nxt" },
	{ TCPARK_A_RCV_NXT, "rcv_nxt" },
	{ TCPARK_A_SND_WND, "snd_wnd" },
	{ TCPARK_A_RCV_WND, "rcv_wnd" },
	{ TCPARK_A_MSS, "mss" },
	{ TCPARK_A_SND_WSCALE, "snd_wscale" },
	{ TCPARK_A_RCV_WSCALE, "rcv_wscale" },
	{ TCPARK_A_TCP_OPTIONS, "options" },
	{ TCPARK_A_IDLE_AGE_MS, "idle_age" },
	{ TCPARK_A_PEER_SILENT_MS, "peer_silent" },
	{ TCPARK_A_KA_ANSWERED, "ka_answered" },
	{ TCPARK_A_PROBES_OUT, "probes_out" },
};

static unsigned long long u(const struct nlattr *a)
{
	if (!a)
		return 0;
	switch (attr_len(a)) {
	case 8:
		return attr_u64(a);
	case 2:
		return attr_u16(a);
	default:
		return attr_u32(a);
	}
}

static int print_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *gh = NLMSG_DATA(nlh);
	const struct nlattr *tb[TCPARK_A_MAX + 1];
	const char *sep = "";
	size_t i;

	(void)data;
	if (genl_attrs(nlh, tb)) {
		printf("malformed\n");
		return 0;
	}
	printf("msg cmd=%u event=%llu state=%llu family=%llu cookie=%llu fields=",
	       gh->cmd, u(tb[TCPARK_A_EVENT]), u(tb[TCPARK_A_STATE]),
	       u(tb[TCPARK_A_FAMILY]), u(tb[TCPARK_A_COOKIE]));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!tb[fields[i].attr])
			continue;
		printf("%s%s", sep, fields[i].name);
		sep = ",";
	}
	printf("\n");
	fflush(stdout);
	return 0;
}

/* 0 or -errno for each way of joining; *bind_tried false if it could not. */
static int join(struct genl *g, int *bind_ret, int *bind_tried)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int add = 0;

	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &g->events, sizeof(g->events)))
		add = -errno;
	*bind_tried = g->events >= 1 && g->events <= 32;
	*bind_ret = 0;
	if (*bind_tried) {
		sa.nl_pid = g->portid;
		sa.nl_groups = 1U << (g->events - 1);
		if (bind(g->fd, (struct sockaddr *)&sa, sizeof(sa)))
			*bind_ret = -errno;
	}
	return add;
}

static int events(struct genl *g, int n)
{
	static char buf[16384] __attribute__((aligned(8)));
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	int b, tried;
	ssize_t len;

	if (join(g, &b, &tried)) {
		printf("join failed: %s\n", strerror(errno));
		return 1;
	}
	printf("joined\n");
	fflush(stdout);
	while (n > 0) {
		const struct nlmsghdr *nlh = (const void *)buf;

		if (poll(&p, 1, 10000) != 1) {
			printf("timeout\n");
			return 1;
		}
		len = recv(g->fd, buf, sizeof(buf), 0);
		if (len < 0)
			return 1;
		for (; NLMSG_OK(nlh, (size_t)len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type != g->family)
				continue;
			print_cb(nlh, NULL);
			n--;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct genl_msg m;
	struct genl g;
	int ret, b, tried, a;

	if (argc < 2)
		goto usage;
	ret = genl_open(&g);
	if (ret) {
		fprintf(stderr, "genl_open: %s\n", strerror(-ret));
		return 1;
	}
	if (!strcmp(argv[1], "dump")) {
		msg_init(&g, &m, TCPARK_CMD_GET, NLM_F_DUMP);
		ret = genl_talk(&g, &m, print_cb, NULL);
	} else if (!strcmp(argv[1], "get") && argc == 3) {
		msg_init(&g, &m, TCPARK_CMD_GET, NLM_F_ACK);
		msg_put_u64(&m, TCPARK_A_COOKIE, strtoull(argv[2], NULL, 0));
		ret = genl_talk(&g, &m, print_cb, NULL);
	} else if (!strcmp(argv[1], "join")) {
		a = join(&g, &b, &tried);
		printf("join add=%d bind=", a);
		if (tried)
			printf("%d\n", b);
		else
			printf("-\n");
		ret = 0;
	} else if (!strcmp(argv[1], "events") && argc == 3) {
		return events(&g, atoi(argv[2]));
	} else {
		goto usage;
	}
	if (ret)
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-ret));
	genl_close(&g);
	return ret ? 1 : 0;
usage:
	fprintf(stderr, "usage: genl_peek dump | get COOKIE | join | events N\n");
	return 64;
}
