// SPDX-License-Identifier: GPL-2.0
/*
 * One function per command: build the request, print the replies, turn
 * the outcome into an exit status (tcparkctl(8), EXIT STATUS).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "tcparkctl.h"

static const char *cmd_word(uint8_t cmd)
{
	switch (cmd) {
	case TCPARK_CMD_PARK:
		return "park";
	case TCPARK_CMD_WAKE:
		return "wake";
	case TCPARK_CMD_KILL:
		return "kill";
	case TCPARK_CMD_SET:
		return "set";
	case TCPARK_CMD_STATS:
		return "stats";
	default:
		return "show";
	}
}

/*
 * "tcparkctl: WHAT: WHY" on stderr, WHY being @known if given, else the
 * kernel's extended ack message, else strerror; then the attribute the
 * kernel pointed at. Returns the exit status for it.
 */
static int report(struct tp_nl *nl, const char *what, int err,
		  const char *known)
{
	err = err < 0 ? -err : err;
	if (err == EPERM || err == EACCES) {
		fprintf(stderr, PROG ": permission denied: needs CAP_NET_ADMIN in this network namespace");
		if (nl->ext_msg[0])
			fprintf(stderr, " (%s)", nl->ext_msg);
		fputc('\n', stderr);
		return EXIT_NOPERM;
	}
	fprintf(stderr, PROG ": %s: %s", what,
		known ? known : nl->ext_msg[0] ? nl->ext_msg : strerror(err));
	if (known && nl->ext_msg[0])
		fprintf(stderr, " (%s)", nl->ext_msg);
	if (nl->ext_attr >= 0)
		fprintf(stderr, " [%s attribute %s]",
			nl->ext_missing ? "missing" : "bad",
			tp_attr_name(nl->ext_attr));
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int report_nl_error(struct tp_nl *nl, const char *what, int err)
{
	return report(nl, what, err, NULL);
}

static int write_error(void)
{
	fprintf(stderr, PROG ": writing output: %s\n", strerror(errno));
	return EXIT_FAIL;
}

/* ---- show ---- */

static int show_cb(uint8_t cmd, const struct nlattr **tb, void *data)
{
	unsigned long *n = data;

	if (cmd == TCPARK_CMD_EVENT)
		return 0;
	print_socket(tb, NULL);
	(*n)++;
	return 0;
}

int cmd_show(struct tp_nl *nl, const struct tp_filter *f, bool header)
{
	bool by_cookie = f->set & TPF_COOKIE;
	struct nlmsghdr *req;
	unsigned long n = 0;
	char what[48];
	int ret;

	req = tp_nl_request(nl, TCPARK_CMD_GET, !by_cookie);
	tp_filter_put(req, f);

	out_arr_open(NULL);
	out_table_begin();
	if (header)
		print_socket_header();
	ret = tp_nl_talk(nl, req, show_cb, &n);
	if (ret < 0)
		out_table_discard();
	else
		out_table_end();
	out_arr_close();
	if (out_flush() < 0)
		return write_error();

	if (ret == -ENOENT && by_cookie) {
		snprintf(what, sizeof(what), "cookie %llu",
			 (unsigned long long)f->cookie);
		return report(nl, what, ret, "no such connection");
	}
	if (ret < 0)
		return report(nl, "show", ret, NULL);
	if (n == 0 && tp_filter_has_terms(f)) {
		fprintf(stderr, PROG ": no connection matched the filter\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---- stats, set ---- */

static int stats_cb(uint8_t cmd, const struct nlattr **tb, void *data)
{
	bool *got = data;

	if (cmd == TCPARK_CMD_EVENT || *got)
		return 0;
	print_stats(tb);
	*got = true;
	return 0;
}

int cmd_stats(struct tp_nl *nl)
{
	struct nlmsghdr *req = tp_nl_request(nl, TCPARK_CMD_STATS, false);
	bool got = false;
	int ret;

	ret = tp_nl_talk(nl, req, stats_cb, &got);
	if (out_flush() < 0)
		return write_error();
	if (ret < 0)
		return report(nl, "stats", ret, NULL);
	if (!got) {
		fprintf(stderr, PROG ": stats: the kernel sent no reply\n");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int ignore_cb(uint8_t cmd, const struct nlattr **tb, void *data)
{
	(void)cmd;
	(void)tb;
	(void)data;
	return 0;
}

int cmd_set(struct tp_nl *nl, const struct tp_set *s)
{
	struct nlmsghdr *req = tp_nl_request(nl, TCPARK_CMD_SET, false);
	unsigned int type;
	int ret;

	for (type = 0; type <= TCPARK_A_MAX; type++)
		if (s->set[type])
			mnl_attr_put_u32(req, type, s->val[type]);
	ret = tp_nl_talk(nl, req, ignore_cb, NULL);
	if (ret < 0)
		return report(nl, "set", ret, NULL);
	return EXIT_OK;
}

/* ---- park, wake, kill ---- */

struct action_result {
	bool		got;
	uint32_t	matched, done;
};

static int action_cb(uint8_t cmd, const struct nlattr **tb, void *data)
{
	struct action_result *r = data;

	if (cmd == TCPARK_CMD_EVENT)
		return 0;
	if (tb[TCPARK_A_MATCHED]) {
		r->matched = tp_attr_uint(tb[TCPARK_A_MATCHED]);
		r->got = true;
	}
	if (tb[TCPARK_A_DONE]) {
		r->done = tp_attr_uint(tb[TCPARK_A_DONE]);
		r->got = true;
	}
	return 0;
}

static const char *cookie_error(uint8_t cmd, int err)
{
	switch (-err) {
	case ENOENT:
		return "no such connection";
	case EBUSY:
		return "not eligible to park (data in flight or unread, pinned, or not established)";
	case EALREADY:
		return cmd == TCPARK_CMD_PARK ? "already parked" : "already active";
	}
	return NULL;
}

int cmd_action(struct tp_nl *nl, uint8_t cmd, const struct tp_filter *f)
{
	bool by_cookie = f->set & TPF_COOKIE;
	struct action_result r = { false, 0, 0 };
	struct nlmsghdr *req;
	char what[48];
	int ret;

	req = tp_nl_request(nl, cmd, false);
	tp_filter_put(req, f);
	ret = tp_nl_talk(nl, req, action_cb, &r);
	if (ret < 0 && by_cookie) {
		snprintf(what, sizeof(what), "%s: cookie %llu", cmd_word(cmd),
			 (unsigned long long)f->cookie);
		return report(nl, what, ret, cookie_error(cmd, ret));
	}
	if (ret == -ENOENT) {
		r.got = true;	/* taken as "nothing matched" */
	} else if (ret < 0) {
		return report(nl, cmd_word(cmd), ret, NULL);
	}
	if (!r.got) {
		/* A cookie's success is its own answer; a filter's is not. */
		if (by_cookie) {
			r.matched = r.done = 1;
		} else {
			fprintf(stderr, PROG ": %s: the kernel's reply carried no counts\n",
				cmd_word(cmd));
			return EXIT_FAIL;
		}
	}
	print_result(r.matched, r.done);
	if (out_flush() < 0)
		return write_error();
	if (r.matched == 0) {
		fprintf(stderr, PROG ": %s: no connection matched the filter\n",
			cmd_word(cmd));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---- monitor ---- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int event_cb(uint8_t cmd, const struct nlattr **tb, void *data)
{
	(void)data;
	if (cmd != TCPARK_CMD_EVENT)
		return 0;
	print_socket(tb, tb[TCPARK_A_EVENT] ?
		     event_name(tp_attr_uint(tb[TCPARK_A_EVENT])) : "unknown");
	return out_flush() < 0 ? -errno : 0;
}

int cmd_monitor(struct tp_nl *nl)
{
	struct sigaction sa;
	int ret;

	/* One line per event even into a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = tp_nl_subscribe_events(nl);
	if (ret == -ENOENT) {
		fprintf(stderr, PROG ": monitor: the module has no \"%s\" group\n",
			TCPARK_GENL_MCGRP_EVENTS);
		return EXIT_FAIL;
	}
	/* The kernel refuses the group: its events carry sequence numbers. */
	if (ret == -EPERM || ret == -EACCES) {
		fprintf(stderr, PROG ": monitor: permission denied: events need CAP_NET_ADMIN in this network namespace (show works without it)\n");
		return EXIT_NOPERM;
	}
	if (ret < 0)
		return report(nl, "monitor", ret, NULL);

	/*
	 * No SA_RESTART, so a blocked recvmsg() returns EINTR and the loop
	 * ends; SA_RESETHAND, so a second ^C ends a process that missed the
	 * first between its check and recvmsg().
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = tp_nl_listen(nl, event_cb, NULL, &stop);
	if (ret < 0) {
		if (out_flush() < 0 || ret == -EPIPE)
			return write_error();
		return report(nl, "monitor", ret, NULL);
	}
	return EXIT_OK;
}
