/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcparkctl: the declarations shared by its parts.
 *
 *	main.c		options, command line, dispatch, usage
 *	cmd.c		one function per command: request, reply, exit status
 *	print.c		how a socket, the stats and an event are shown
 *	filter.c	ss-like filter terms -> struct tp_filter -> attributes
 *	nl.c		generic netlink: family lookup, request/dump, events
 *	output.c	the one writer behind both text and JSON output
 */
#ifndef TCPARKCTL_H
#define TCPARKCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/tcpark.h>

struct nlattr;
struct nlmsghdr;
struct mnl_socket;

/* Exit status, documented in tcparkctl(8). */
#define EXIT_OK			0
#define EXIT_FAIL		1	/* the kernel refused, or nothing matched */
#define EXIT_NOMODULE		2	/* family "tcpark" is not registered */
#define EXIT_USAGE		64	/* EX_USAGE: bad command line */
#define EXIT_NOPERM		77	/* EX_NOPERM: needs CAP_NET_ADMIN */

#define PROG			"tcparkctl"

/* ---- filter.c ---- */

/* Which fields of struct tp_filter are set. */
#define TPF_COOKIE		(1U << 0)
#define TPF_STATE		(1U << 1)
#define TPF_MODE		(1U << 2)
#define TPF_FAMILY		(1U << 3)
#define TPF_SRC			(1U << 4)
#define TPF_DST			(1U << 5)
#define TPF_SPORT		(1U << 6)
#define TPF_DPORT		(1U << 7)

struct tp_prefix {
	uint16_t	family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* network order, host bits cleared */
	uint8_t		plen;
	bool		has_plen;	/* "/PLEN" was written */
};

struct tp_filter {
	unsigned int	set;		/* TPF_* */
	uint64_t	cookie;
	uint32_t	state;		/* enum tcpark_state */
	uint32_t	mode;		/* enum tcpark_mode */
	uint16_t	family;
	struct tp_prefix src, dst;
	uint16_t	sport, dport;
};

/*
 * Parse the words after a command into @f; a word may hold several
 * tokens ('sport = :443' quoted as one, as with ss). On error, writes a
 * message to @err and returns -1.
 */
int tp_filter_parse(int argc, char **argv, struct tp_filter *f,
		    bool allow_cookie, char *err, size_t errlen);
/* True when the filter selects by something other than the cookie. */
bool tp_filter_has_terms(const struct tp_filter *f);
void tp_filter_put(struct nlmsghdr *nlh, const struct tp_filter *f);

/* ---- nl.c ---- */

struct tp_nl {
	struct mnl_socket *sock;
	uint32_t	portid;
	uint32_t	seq;
	uint16_t	family_id;
	uint32_t	family_version;
	uint32_t	events_group;	/* 0 when the family has none */
	char		*rx;		/* receive buffer */
	size_t		rxlen;
	char		*tx;		/* the request being built */
	size_t		txlen;
	bool		dump_intr;	/* a dump said NLM_F_DUMP_INTR */
	/* what the kernel said with the last error or ack */
	char		ext_msg[256];	/* NLMSGERR_ATTR_MSG */
	int		ext_attr;	/* attribute type it pointed at, or -1 */
	bool		ext_missing;	/* ... because it was missing */
};

/*
 * A reply or event message, its attributes checked against their types
 * and indexed by TCPARK_A_*. Return 0 to go on, a negative errno to stop.
 */
typedef int (*tp_msg_cb)(uint8_t cmd, const struct nlattr **tb, void *data);

int tp_nl_enter_netns(const char *name, char *err, size_t errlen);
/* 0, or a negative errno: -ENOENT when the family is not registered. */
int tp_nl_open(struct tp_nl *nl);
void tp_nl_close(struct tp_nl *nl);
/* Start a request; NLM_F_REQUEST plus NLM_F_ACK or NLM_F_DUMP. */
struct nlmsghdr *tp_nl_request(struct tp_nl *nl, uint8_t cmd, bool dump);
/*
 * Send @req and feed every reply message to @cb until the ack (or
 * NLMSG_DONE for a dump, across as many reads as it takes). Returns 0 or
 * a negative errno (nl->ext_msg may explain it).
 */
int tp_nl_talk(struct tp_nl *nl, struct nlmsghdr *req, tp_msg_cb cb,
	       void *data);
int tp_nl_subscribe_events(struct tp_nl *nl);
/* Feed events to @cb until *@stop is set or an error. */
int tp_nl_listen(struct tp_nl *nl, tp_msg_cb cb, void *data,
		 volatile sig_atomic_t *stop);

uint64_t tp_attr_uint(const struct nlattr *a);
const char *tp_attr_name(unsigned int type);

/* ---- output.c ---- */

void out_init(bool json, bool pretty);
bool out_json(void);
void out_obj_open(const char *key);
void out_obj_close(void);
void out_arr_open(const char *key);
void out_arr_close(void);
/*
 * A value: @key names it in JSON (NULL: text only), @fmt shows it in
 * text (NULL: JSON only). In an array the key is not written, but must
 * still be non-NULL for the value to be.
 */
void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Text only: end a column, end a line. */
void out_cell(void);
void out_nl(void);
/* Text only: lines between these are buffered and printed in columns. */
void out_table_begin(void);
void out_table_end(void);
void out_table_discard(void);
/* Flush stdout; -1 with errno set if writing failed. */
int out_flush(void);

/* ---- print.c ---- */

void print_socket_header(void);
/* One socket; @event names the event for monitor lines, else NULL. */
void print_socket(const struct nlattr **tb, const char *event);
void print_stats(const struct nlattr **tb);
void print_result(uint32_t matched, uint32_t done);
const char *event_name(uint32_t event);
const char *state_json_name(uint32_t state);
const char *mode_name(uint32_t mode);

/* ---- cmd.c ---- */

struct tp_set {
	bool		set[TCPARK_A_MAX + 1];	/* by TCPARK_A_x: val[x] given */
	uint32_t	val[TCPARK_A_MAX + 1];
};

int cmd_show(struct tp_nl *nl, const struct tp_filter *f, bool header);
int cmd_stats(struct tp_nl *nl);
int cmd_set(struct tp_nl *nl, const struct tp_set *s);
int cmd_action(struct tp_nl *nl, uint8_t cmd, const struct tp_filter *f);
int cmd_monitor(struct tp_nl *nl);
int report_nl_error(struct tp_nl *nl, const char *what, int err);

#endif /* TCPARKCTL_H */
