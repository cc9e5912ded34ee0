// SPDX-License-Identifier: GPL-2.0
/*
 * How a socket, the stats, a command's result and an event look. Each
 * value goes through output.c once, with its JSON key and its text form;
 * a value the kernel did not send is left out of JSON and shown as "-".
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

static void print_duration(const struct nlattr *a, const char *key,
			   const char *label, bool zero_is_off)
{
	char buf[32];

	out_text("%s", label);
	if (!a) {
		out_text("-");
		return;
	}
	out_u64(key, NULL, tp_attr_uint(a));
	if (zero_is_off && !tp_attr_uint(a))
		out_text("off");
	else
		out_text("%s", fmt_ms(tp_attr_uint(a), buf, sizeof(buf)));
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

static void print_flags(const struct nlattr *a)
{
	static const char *const names[] = { "pinned", "reactivated", "remapped" };
	uint32_t flags, bit;
	bool sep = false;

	if (!a)
		return;
	flags = tp_attr_uint(a);
	out_arr_open("flags");
	for (bit = 0; bit < 32; bit++) {
		char buf[16];

		if (!(flags & (1U << bit)))
			continue;
		if (bit < ARRAY_SIZE(names))
			snprintf(buf, sizeof(buf), "%s", names[bit]);
		else
			snprintf(buf, sizeof(buf), "0x%x", 1U << bit);
		out_str("flag", sep ? ",%s" : "%s", buf);	/* key unused in an array */
		sep = true;
	}
	out_arr_close();
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
	const struct nlattr *a;
	bool labels = event != NULL;	/* a monitor line has no header */
	char buf[24];

	out_obj_open(NULL);
	if (event) {
		out_str("event", "%-11s", event);
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
	out_text("ka:");
	print_duration(tb[TCPARK_A_KA_INTERVAL_MS], "ka_interval_ms", "", true);
	print_count(tb[TCPARK_A_KA_PROBES], "ka_probes", "/");
	out_cell();
	print_count(tb[TCPARK_A_PARKS], "parks", "parks:");
	out_cell();
	print_count(tb[TCPARK_A_WAKES], "wakes", "wakes:");
	out_cell();
	print_count(tb[TCPARK_A_KA_ANSWERED], "ka_answered", "ka_answered:");
	out_cell();
	print_count(tb[TCPARK_A_KA_SENT], "ka_sent", "ka_sent:");
	out_cell();
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
