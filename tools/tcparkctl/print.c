// SPDX-License-Identifier: GPL-2.0
/*
 * How a socket (or a parked transient record), the stats, a command's
 * result and an event look. Each value goes through output.c once, with
 * its JSON key and its text form. A value the kernel did not send is left
 * out of JSON; in text it is "-" in a column the header names and in
 * uid:, and the other labelled cells (ka:, parks:, ...) are left out.
 * One pair is worked out here rather than sent: a parked record's
 * next_probe_in or expires_in, from its probe state.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "tcparkctl.h"

/* As ss(8) names them. */
static const char *const tcp_state_text[] = {
	[1] = "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2",
	"TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING",
	"NEW-SYN-RECV", "BOUND-INACTIVE",
};

static const char *const tcp_state_json[] = {
	[1] = "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2",
	"time_wait", "close", "close_wait", "last_ack", "listen", "closing",
	"new_syn_recv", "bound_inactive",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* "unknown_N" for a value newer than this tool; one buffer per caller. */
static const char *name_or_number(const char *const *names, size_t n,
				  uint32_t v, char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "unknown_%u", v);
	return buf;
}

const char *state_json_name(uint32_t state)
{
	static const char *const names[] = {
		[TCPARK_STATE_ACTIVE] = "active",
		[TCPARK_STATE_PARKED] = "parked",
	};
	static char buf[24];

	return name_or_number(names, ARRAY_SIZE(names), state, buf, sizeof(buf));
}

static const char *state_text_name(uint32_t state)
{
	static const char *const names[] = {
		[TCPARK_STATE_ACTIVE] = "ACTIVE",
		[TCPARK_STATE_PARKED] = "PARKED",
	};
	static char buf[24];

	return name_or_number(names, ARRAY_SIZE(names), state, buf, sizeof(buf));
}

const char *mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[TCPARK_MODE_PERSISTENT] = "persistent",
		[TCPARK_MODE_TRANSIENT] = "transient",
	};
	static char buf[24];

	return name_or_number(names, ARRAY_SIZE(names), mode, buf, sizeof(buf));
}

/* As ip -j writes it. */
static const char *family_name(uint32_t family)
{
	static char buf[24];

	if (family == AF_INET)
		return "inet";
	if (family == AF_INET6)
		return "inet6";
	snprintf(buf, sizeof(buf), "unknown_%u", family);
	return buf;
}

const char *event_name(uint32_t event)
{
	static const char *const names[] = {
		[TCPARK_EVENT_PARKED] = "parked",
		[TCPARK_EVENT_WOKEN] = "woken",
		[TCPARK_EVENT_REMAPPED] = "remapped",
		[TCPARK_EVENT_REACTIVATED] = "reactivated",
		[TCPARK_EVENT_EXPIRED] = "expired",
		[TCPARK_EVENT_KILLED] = "killed",
	};
	static char buf[24];

	return name_or_number(names, ARRAY_SIZE(names), event, buf, sizeof(buf));
}

static const char *reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[TCPARK_REASON_PEER_RESET] = "peer-reset",
		[TCPARK_REASON_PROBES] = "probes",
		[TCPARK_REASON_PEER_TIMEOUT] = "peer-timeout",
		[TCPARK_REASON_WAKE_TIMEOUT] = "wake-timeout",
		[TCPARK_REASON_KILL] = "kill",
		[TCPARK_REASON_NETNS_EXIT] = "netns-exit",
		[TCPARK_REASON_ICMP] = "icmp",
	};
	static char buf[24];

	return name_or_number(names, ARRAY_SIZE(names), reason, buf, sizeof(buf));
}

/*
 * 850ms, 1.5s, 42s, 5m30s, 5m, 2h5m, 3d4h: for people; JSON keeps the ms.
 * Truncated, not rounded, so "59s" never shows as "60s".
 */
static const char *fmt_ms(uint64_t ms, char *buf, size_t len)
{
	unsigned long long v = ms, hi, lo;
	const char *units;	/* of hi, of lo */

	if (v < 1000) {
		snprintf(buf, len, "%llums", v);
		return buf;
	}
	if (v < 10000 && v % 1000) {
		snprintf(buf, len, "%llu.%llus", v / 1000, v % 1000 / 100);
		return buf;
	}
	if (v < 60000) {
		snprintf(buf, len, "%llus", v / 1000);
		return buf;
	}
	if (v < 3600000) {
		hi = v / 60000;
		lo = v / 1000 % 60;
		units = "ms";
	} else if (v < 86400000) {
		hi = v / 3600000;
		lo = v / 60000 % 60;
		units = "hm";
	} else {
		hi = v / 86400000;
		lo = v / 3600000 % 24;
		units = "dh";
	}
	if (lo)
		snprintf(buf, len, "%llu%c%llu%c", hi, units[0], lo, units[1]);
	else
		snprintf(buf, len, "%llu%c", hi, units[0]);
	return buf;
}

/* Milliseconds: @key in JSON, @label and the duration in text. */
static void print_ms(uint64_t ms, const char *key, const char *label)
{
	char buf[32];

	out_text("%s", label);
	out_u64(key, NULL, ms);
	out_text("%s", fmt_ms(ms, buf, sizeof(buf)));
}

static void print_duration(const struct nlattr *a, const char *key,
			   const char *label, bool zero_is_off)
{
	if (!a) {
		out_text("%s-", label);
		return;
	}
	if (zero_is_off && !tp_attr_uint(a)) {
		out_text("%soff", label);
		out_u64(key, NULL, 0);
		return;
	}
	print_ms(tp_attr_uint(a), key, label);
}

static void print_count(const struct nlattr *a, const char *key,
			const char *label)
{
	out_text("%s", label);
	if (a)
		out_u64(key, "%llu", tp_attr_uint(a));
	else
		out_text("-");
}

/* "10.0.0.1:80", "[2001:db8::1]:443", "0.0.0.0:*" as ss writes them. */
static void print_endpoint(const struct nlattr *addr, const struct nlattr *port,
			   const char *addr_key, const char *port_key)
{
	char buf[INET6_ADDRSTRLEN];

	if (addr) {
		bool v6 = mnl_attr_get_payload_len(addr) == 16;

		inet_ntop(v6 ? AF_INET6 : AF_INET, mnl_attr_get_payload(addr), buf, sizeof(buf));
		out_str(addr_key, v6 ? "[%s]" : "%s", buf);
	} else {
		out_text("*");
	}
	out_text(":");
	if (port) {
		out_u64(port_key, NULL, tp_attr_uint(port));
		if (tp_attr_uint(port))
			out_text("%llu", (unsigned long long)tp_attr_uint(port));
		else
			out_text("*");
	} else {
		out_text("*");
	}
	out_cell();
}

/*
 * A bit set as words: names[bit] or, for a bit newer than this tool, its
 * hexadecimal value ("0x10"). JSON: an array of strings under @key. Text:
 * the words joined by @sep, leaving out the bits in @text_skip.
 */
static void print_bits(uint32_t bits, const char *key,
		       const char *const *names, size_t nnames,
		       uint32_t text_skip, const char *sep)
{
	bool any = false;
	uint32_t bit;

	out_arr_open(key);
	for (bit = 0; bit < 32; bit++) {
		uint32_t mask = 1U << bit;
		char buf[16];

		if (!(bits & mask))
			continue;
		if (bit < nnames && names[bit])
			snprintf(buf, sizeof(buf), "%s", names[bit]);
		else
			snprintf(buf, sizeof(buf), "0x%x", mask);
		out_str(key, NULL, buf);	/* key unused in an array */
		if (mask & text_skip)
			continue;
		out_text("%s%s", any ? sep : "", buf);
		any = true;
	}
	out_arr_close();
}

static void print_flags(const struct nlattr *a)
{
	static const char *const names[] = { "pinned", "reactivated", "remapped" };

	if (a)
		print_bits(tp_attr_uint(a), "flags", names, ARRAY_SIZE(names),
			   0, ",");
}

/*
 * The cells after Cookie. Each labelled value is its own cell, so the
 * columns of sockets line up; once a row carries a parked record's TCP
 * state (joined), the rest shares the row's last cell, which is never
 * padded, so a record in the table does not widen the sockets' columns.
 */
struct details {
	bool	joined;
	bool	started;
};

static void detail_next(struct details *d)
{
	if (!d->started)
		d->started = true;
	else if (d->joined)
		out_text(" ");
	else
		out_cell();
}

/* TCPARK_A_TCP_OPTIONS bits, as ss(8) writes the first two. */
static const char *const tcp_option_names[] = {
	"ts", "sack", "wscale", "usec_ts",
};

static bool has_tcp_state(const struct nlattr **tb)
{
	return tb[TCPARK_A_SND_NXT] || tb[TCPARK_A_RCV_NXT] ||
	       tb[TCPARK_A_SND_WND] || tb[TCPARK_A_RCV_WND] ||
	       tb[TCPARK_A_MSS] || tb[TCPARK_A_SND_WSCALE] ||
	       tb[TCPARK_A_RCV_WSCALE] || tb[TCPARK_A_TCP_OPTIONS];
}

/* Half of a pair: "-" in text if the kernel did not send it, JSON none. */
static void print_half(const struct nlattr *a, const char *key, bool text)
{
	if (a)
		out_u64(key, text ? "%llu" : NULL, tp_attr_uint(a));
	else if (text)
		out_text("-");
}

/*
 * A parked record's TCP state, compact as ss -i writes it:
 *	snd_nxt:N rcv_nxt:N wnd:SND/RCV mss:N wscale:SND,RCV ts sack
 * wscale:SND,RCV only when window scaling was negotiated (or the kernel
 * did not say); the option words then leave out "wscale". JSON has every
 * value sent, and "wscale" in the options.
 */
static void print_tcp_state(const struct nlattr **tb, struct details *d)
{
	const struct nlattr *opts = tb[TCPARK_A_TCP_OPTIONS];
	const struct nlattr *sws = tb[TCPARK_A_SND_WSCALE];
	const struct nlattr *rws = tb[TCPARK_A_RCV_WSCALE];
	uint32_t bits = opts ? tp_attr_uint(opts) : 0;
	uint32_t text_skip = 0;

	if (tb[TCPARK_A_SND_NXT]) {
		detail_next(d);
		out_u64("snd_nxt", "snd_nxt:%llu", tp_attr_uint(tb[TCPARK_A_SND_NXT]));
	}
	if (tb[TCPARK_A_RCV_NXT]) {
		detail_next(d);
		out_u64("rcv_nxt", "rcv_nxt:%llu", tp_attr_uint(tb[TCPARK_A_RCV_NXT]));
	}
	if (tb[TCPARK_A_SND_WND] || tb[TCPARK_A_RCV_WND]) {
		detail_next(d);
		out_text("wnd:");
		print_half(tb[TCPARK_A_SND_WND], "snd_wnd", true);
		out_text("/");
		print_half(tb[TCPARK_A_RCV_WND], "rcv_wnd", true);
	}
	if (tb[TCPARK_A_MSS]) {
		detail_next(d);
		out_u64("mss", "mss:%llu", tp_attr_uint(tb[TCPARK_A_MSS]));
	}
	if (sws || rws) {
		bool text = !opts || (bits & TCPARK_OPT_WSCALE);

		if (text) {
			detail_next(d);
			out_text("wscale:");
			text_skip = TCPARK_OPT_WSCALE;
		}
		print_half(sws, "snd_wscale", text);
		if (text)
			out_text(",");
		print_half(rws, "rcv_wscale", text);
	}
	if (opts) {
		if (bits & ~text_skip)
			detail_next(d);
		print_bits(bits, "options", tcp_option_names,
			   ARRAY_SIZE(tcp_option_names), text_skip, " ");
	}
}

/*
 * When a parked record's next probe is due, worked out as the uapi
 * header describes the schedule: once the peer's silence reaches
 * (probes_out + 1) intervals. If ka_probes (not 0) probes are out
 * already, that moment ends the record instead: expires_in. 0 when due
 * now (the sweep may send a probe up to half an interval late). Nothing
 * without an interval (no probes), or when the kernel did not send all
 * four values.
 */
static void print_next_probe(const struct nlattr **tb, struct details *d)
{
	const struct nlattr *ival = tb[TCPARK_A_KA_INTERVAL_MS];
	const struct nlattr *probes = tb[TCPARK_A_KA_PROBES];
	const struct nlattr *out = tb[TCPARK_A_PROBES_OUT];
	const struct nlattr *silent = tb[TCPARK_A_PEER_SILENT_MS];
	uint64_t due, left;
	bool ends;

	if (!ival || !probes || !out || !silent || !tp_attr_uint(ival))
		return;
	due = (tp_attr_uint(out) + 1) * tp_attr_uint(ival);
	left = due > tp_attr_uint(silent) ? due - tp_attr_uint(silent) : 0;
	ends = tp_attr_uint(probes) && tp_attr_uint(out) >= tp_attr_uint(probes);
	detail_next(d);
	if (ends)
		print_ms(left, "expires_in_ms", "expires_in:");
	else
		print_ms(left, "next_probe_in_ms", "next_probe_in:");
}

/*
 * A parked record's probe state, after its ka: schedule: the probes
 * unanswered now, how long the peer has been silent, and when the next
 * probe (or the end) is due.
 */
static void print_probe_state(const struct nlattr **tb, struct details *d)
{
	const struct nlattr *a = tb[TCPARK_A_PROBES_OUT];

	if (a) {
		detail_next(d);
		out_u64("probes_out", "probes_out:%llu", tp_attr_uint(a));
	}
	a = tb[TCPARK_A_PEER_SILENT_MS];
	if (a) {
		detail_next(d);
		print_ms(tp_attr_uint(a), "peer_silent_ms", "peer_silent:");
	}
	print_next_probe(tb, d);
}

void print_socket_header(void)
{
	static const char *const cols[] = {
		"State", "Mode", "Local:Port", "Peer:Port", "Idle", "Age", "Cookie",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cols); i++) {
		out_text("%s", cols[i]);
		out_cell();
	}
	out_nl();
}

void print_socket(const struct nlattr **tb, const char *event)
{
	static const struct {
		int		attr;
		const char	*key;	/* JSON key and text label */
	} counters[] = {
		{ TCPARK_A_PARKS, "parks" },
		{ TCPARK_A_WAKES, "wakes" },
		{ TCPARK_A_KA_ANSWERED, "ka_answered" },
		{ TCPARK_A_KA_SENT, "ka_sent" },
	};
	struct details d = { false, false };
	const struct nlattr *a;
	bool labels = event != NULL;	/* a monitor line has no header */
	char buf[24];
	size_t i;

	out_obj_open(NULL);
	if (event) {
		out_str("event", "%-11s", event);
		out_cell();
	}
	/* Why an expired or killed connection ended. */
	if (event && tb[TCPARK_A_REASON]) {
		out_str("reason", "reason:%s",
			reason_name(tp_attr_uint(tb[TCPARK_A_REASON])));
		out_cell();
	}
	if (tb[TCPARK_A_COOKIE])
		out_u64("cookie", NULL, tp_attr_uint(tb[TCPARK_A_COOKIE]));

	a = tb[TCPARK_A_STATE];
	if (a) {
		out_str("state", NULL, state_json_name(tp_attr_uint(a)));
		out_text("%s", state_text_name(tp_attr_uint(a)));
	} else {
		out_text("-");
	}
	a = tb[TCPARK_A_TCP_STATE];
	if (a) {
		uint32_t st = tp_attr_uint(a);

		out_str("tcp_state", NULL, name_or_number(tcp_state_json,
			ARRAY_SIZE(tcp_state_json), st, buf, sizeof(buf)));
		out_text("/%s", name_or_number(tcp_state_text,
			ARRAY_SIZE(tcp_state_text), st, buf, sizeof(buf)));
	}
	out_cell();

	a = tb[TCPARK_A_MODE];
	if (a)
		out_str("mode", "%s", mode_name(tp_attr_uint(a)));
	else
		out_text("-");
	out_cell();

	a = tb[TCPARK_A_LOCAL_ADDR] ? tb[TCPARK_A_LOCAL_ADDR] : tb[TCPARK_A_REMOTE_ADDR];
	if (tb[TCPARK_A_FAMILY])
		out_str("family", NULL, family_name(tp_attr_uint(tb[TCPARK_A_FAMILY])));
	else if (a)
		out_str("family", NULL, mnl_attr_get_payload_len(a) == 16 ? "inet6" : "inet");

	print_endpoint(tb[TCPARK_A_LOCAL_ADDR], tb[TCPARK_A_LOCAL_PORT],
		       "local_addr", "local_port");
	print_endpoint(tb[TCPARK_A_REMOTE_ADDR], tb[TCPARK_A_REMOTE_PORT],
		       "remote_addr", "remote_port");

	print_duration(tb[TCPARK_A_IDLE_MS], "idle_ms", labels ? "idle:" : "", true);
	out_cell();
	print_duration(tb[TCPARK_A_IDLE_AGE_MS], "idle_age_ms", labels ? "age:" : "", false);
	out_cell();
	print_count(tb[TCPARK_A_COOKIE], NULL, labels ? "cookie:" : "");
	out_cell();

	print_count(tb[TCPARK_A_UID], "uid", "uid:");
	out_cell();

	/* Only what the kernel sent: a parked record has no parks:, wakes:, ... */
	d.joined = has_tcp_state(tb);
	if (d.joined)
		print_tcp_state(tb, &d);
	if (tb[TCPARK_A_KA_INTERVAL_MS] || tb[TCPARK_A_KA_PROBES]) {
		detail_next(&d);
		out_text("ka:");
		print_duration(tb[TCPARK_A_KA_INTERVAL_MS], "ka_interval_ms", "", true);
		print_count(tb[TCPARK_A_KA_PROBES], "ka_probes", "/");
	}
	print_probe_state(tb, &d);
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		if (!tb[counters[i].attr])
			continue;
		detail_next(&d);
		out_text("%s:", counters[i].key);
		out_u64(counters[i].key, "%llu", tp_attr_uint(tb[counters[i].attr]));
	}
	if (tb[TCPARK_A_FLAGS] && tp_attr_uint(tb[TCPARK_A_FLAGS]))
		detail_next(&d);
	print_flags(tb[TCPARK_A_FLAGS]);
	out_obj_close();
	out_nl();
}

/* 1023 B, 1.5 KiB, 12.0 MiB */
static const char *fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = b;
	int i = -1;

	if (b < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", v, unit[i]);
	return buf;
}

struct stat_field {
	int		attr;
	const char	*key;
};

static void print_fields(const struct nlattr **tb, const char *group,
			 const struct stat_field *f, size_t n)
{
	size_t i;

	out_obj_open(group);
	out_text("%s:", group);
	for (i = 0; i < n; i++) {
		const struct nlattr *a = tb[f[i].attr];

		out_text(" %s ", f[i].key);
		if (!a)
			out_text("-");
		else if (f[i].attr == TCPARK_A_MODE)
			out_str(f[i].key, "%s", mode_name(tp_attr_uint(a)));
		else
			out_u64(f[i].key, "%llu", tp_attr_uint(a));
	}
	out_obj_close();
	out_nl();
}

void print_stats(const struct nlattr **tb)
{
	static const struct stat_field counters[] = {
		{ TCPARK_A_STAT_PARKS, "parks" },
		{ TCPARK_A_STAT_WAKES, "wakes" },
		{ TCPARK_A_STAT_KA_ANSWERED, "ka_answered" },
		{ TCPARK_A_STAT_CHALLENGE_ACKS, "challenge_acks" },
		{ TCPARK_A_STAT_DROPS, "drops" },
		{ TCPARK_A_STAT_KILLS, "kills" },
		{ TCPARK_A_STAT_INELIGIBLE, "ineligible" },
		{ TCPARK_A_STAT_REACTIVATED, "reactivated" },
		{ TCPARK_A_STAT_REMAPPED, "remapped" },
		{ TCPARK_A_STAT_PROBES_SENT, "probes_sent" },
	};
	static const struct stat_field refused[] = {
		{ TCPARK_A_STAT_REFUSED_STATE, "state" },
		{ TCPARK_A_STAT_REFUSED_UNACKED, "unacked" },
		{ TCPARK_A_STAT_REFUSED_UNREAD, "unread" },
		{ TCPARK_A_STAT_REFUSED_AUTH, "auth" },
		{ TCPARK_A_STAT_REFUSED_PINNED, "pinned" },
		{ TCPARK_A_STAT_REFUSED_LIMIT, "limit" },
	};
	static const struct stat_field wake[] = {
		{ TCPARK_A_STAT_WAKE_NO_LISTENER, "no_listener" },
		{ TCPARK_A_STAT_WAKE_BACKLOG, "backlog" },
		{ TCPARK_A_STAT_WAKE_EXPIRED, "expired" },
	};
	/* Parked records ended, by reason (wake: and kills count two more). */
	static const struct stat_field expired[] = {
		{ TCPARK_A_STAT_EXPIRED_PROBES, "probes" },
		{ TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT, "peer_timeout" },
		{ TCPARK_A_STAT_PEER_RESETS, "peer_reset" },
		{ TCPARK_A_STAT_EXPIRED_ICMP, "icmp" },
	};
	/* ICMP errors about records' segments that ended nothing. */
	static const struct stat_field icmp[] = {
		{ TCPARK_A_STAT_ICMP_SOFT, "soft" },
		{ TCPARK_A_STAT_ICMP_IGNORED, "ignored" },
	};
	/* close()s that returned at once and waited for the peer's ACKs. */
	static const struct stat_field deferred[] = {
		{ TCPARK_A_STAT_DEFERRED, "waited" },
		{ TCPARK_A_STAT_DEFERRED_PARKED, "then_parked" },
		{ TCPARK_A_STAT_DEFERRED_CLOSED, "then_closed" },
		{ TCPARK_A_STAT_DEFERRING, "waiting" },
	};
	/* The pressure policy: its thresholds and what it parked. */
	static const struct stat_field pressure[] = {
		{ TCPARK_A_ACTIVE_HIGH, "active_high" },
		{ TCPARK_A_ACTIVE_LOW, "active_low" },
		{ TCPARK_A_STAT_PRESSURE_PARKS, "pressure_parks" },
	};
	static const struct stat_field defaults[] = {
		{ TCPARK_A_IDLE_MS, "idle_ms" },
		{ TCPARK_A_MODE, "mode" },
		{ TCPARK_A_KA_INTERVAL_MS, "ka_interval_ms" },
		{ TCPARK_A_KA_PROBES, "ka_probes" },
	};
	static const struct stat_field limits[] = {
		{ TCPARK_A_MAX_PARKED, "max_parked" },
		{ TCPARK_A_MAX_PARKED_MEM_MB, "max_parked_mem_mb" },
		{ TCPARK_A_WAKE_TIMEOUT_MS, "wake_timeout_ms" },
		{ TCPARK_A_MAX_PARKED_PER_UID, "max_parked_per_uid" },
		{ TCPARK_A_PEER_TIMEOUT_MS, "peer_timeout_ms" },
	};
	const struct nlattr *a;
	char buf[32];

	out_obj_open(NULL);
	print_count(tb[TCPARK_A_STAT_SOCKETS], "sockets", "sockets ");
	print_count(tb[TCPARK_A_STAT_PARKED], "parked", " parked ");
	a = tb[TCPARK_A_STAT_PARKED_BYTES];
	print_count(a, "parked_bytes", " parked_bytes ");
	if (a)
		out_text(" (%s)", fmt_bytes(tp_attr_uint(a), buf, sizeof(buf)));
	out_nl();
	print_fields(tb, "counters", counters, ARRAY_SIZE(counters));
	if (tb[TCPARK_A_STAT_REFUSED_STATE])
		print_fields(tb, "refused", refused, ARRAY_SIZE(refused));
	if (tb[TCPARK_A_STAT_WAKE_NO_LISTENER])
		print_fields(tb, "wake", wake, ARRAY_SIZE(wake));
	if (tb[TCPARK_A_STAT_EXPIRED_PROBES])
		print_fields(tb, "expired", expired, ARRAY_SIZE(expired));
	if (tb[TCPARK_A_STAT_ICMP_SOFT])
		print_fields(tb, "icmp", icmp, ARRAY_SIZE(icmp));
	if (tb[TCPARK_A_STAT_DEFERRED])
		print_fields(tb, "deferred", deferred, ARRAY_SIZE(deferred));
	if (tb[TCPARK_A_STAT_PRESSURE_PARKS])
		print_fields(tb, "pressure", pressure, ARRAY_SIZE(pressure));
	print_fields(tb, "defaults", defaults, ARRAY_SIZE(defaults));
	print_fields(tb, "limits", limits, ARRAY_SIZE(limits));
	out_obj_close();
}

void print_result(uint32_t matched, uint32_t done)
{
	out_obj_open(NULL);
	out_u64("matched", "matched %llu", matched);
	out_u64("done", ", done %llu", done);
	out_obj_close();
	out_nl();
}
