// SPDX-License-Identifier: GPL-2.0
/*
 * tcparkctl: show and control tcpark connections over generic netlink.
 *
 * The whole command line is checked before anything touches netlink, so
 * a mistyped command fails the same way with or without the module.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcparkctl.h"

#ifndef TCPARKCTL_VERSION
#define TCPARKCTL_VERSION "unknown"
#endif

enum command { C_SHOW, C_STATS, C_SET, C_PARK, C_WAKE, C_KILL, C_MONITOR };

static const struct {
	const char	*word;
	enum command	cmd;
} commands[] = {
	{ "show", C_SHOW }, { "stats", C_STATS }, { "set", C_SET },
	{ "park", C_PARK }, { "wake", C_WAKE }, { "kill", C_KILL },
	{ "monitor", C_MONITOR },
};

/*
 * Keys of "set", with the uapi header's ranges, which are the kernel's:
 * what passes here is what the kernel takes (but for the init netns's
 * limits on a container's).
 */
static const struct {
	const char	*key;
	unsigned int	attr;
	uint32_t	min, max;
	bool		zero_ok;
} set_keys[] = {
	{ "idle_ms", TCPARK_A_IDLE_MS, TCPARK_IDLE_MS_MIN, TCPARK_IDLE_MS_MAX, true },
	{ "mode", TCPARK_A_MODE, 0, 0, true },
	{ "ka_interval_ms", TCPARK_A_KA_INTERVAL_MS,
	  TCPARK_KA_INTERVAL_MS_MIN, TCPARK_KA_INTERVAL_MS_MAX, true },
	{ "ka_probes", TCPARK_A_KA_PROBES, 0, TCPARK_KA_PROBES_MAX, true },
	{ "max_parked", TCPARK_A_MAX_PARKED, 0, TCPARK_MAX_PARKED_MAX, true },
	{ "max_parked_mem_mb", TCPARK_A_MAX_PARKED_MEM_MB, 0,
	  TCPARK_MAX_PARKED_MEM_MB_MAX, true },
	{ "wake_timeout_ms", TCPARK_A_WAKE_TIMEOUT_MS,
	  TCPARK_WAKE_TIMEOUT_MS_MIN, TCPARK_WAKE_TIMEOUT_MS_MAX, false },
	{ "max_parked_per_uid", TCPARK_A_MAX_PARKED_PER_UID, 0,
	  TCPARK_MAX_PARKED_PER_UID_MAX, true },
	{ "peer_timeout_ms", TCPARK_A_PEER_TIMEOUT_MS,
	  TCPARK_PEER_TIMEOUT_MS_MIN, TCPARK_PEER_TIMEOUT_MS_MAX, true },
	{ "active_high", TCPARK_A_ACTIVE_HIGH, 0, TCPARK_ACTIVE_MAX, true },
	{ "active_low", TCPARK_A_ACTIVE_LOW, 0, TCPARK_ACTIVE_MAX, true },
};

static void usage(FILE *f)
{
	fputs(
"Usage: " PROG " [OPTIONS] [COMMAND [ARGS]]\n"
"\n"
"Commands:\n"
"  show [FILTER | cookie N]   list tcpark connections (the default command)\n"
"  stats                      counters, defaults and limits of the namespace\n"
"  set KEY VALUE ...          change the namespace's defaults and limits:\n"
"                               idle_ms N  mode persistent|transient\n"
"                               ka_interval_ms N  ka_probes N\n"
"                               max_parked N  max_parked_mem_mb N\n"
"                               wake_timeout_ms N  max_parked_per_uid N\n"
"                               peer_timeout_ms N (0 = never)\n"
"                               active_high N (0 = off)  active_low N\n"
"  park|wake|kill { cookie N | FILTER }\n"
"                             act on one connection, or on all that match\n"
"  monitor                    print events until interrupted\n"
"  help                       this text\n"
"\n"
"FILTER: terms ANDed; src/sport = local end, dst/dport = remote end\n"
"  state active|parked  mode persistent|transient  -4  -6\n"
"  sport = :PORT  dport = :PORT  src ADDR[/PLEN]  dst ADDR[/PLEN]\n"
"\n"
"Options:\n"
"  -j, --json          JSON output\n"
"  -p, --pretty        indented JSON output (implies -j)\n"
"  -n, --netns NETNS   act in network namespace NETNS (/run/netns/NETNS,\n"
"                      or a path such as /proc/PID/ns/net)\n"
"  -H, --no-header     no table header\n"
"  -4, -6              IPv4 or IPv6 connections only\n"
"  -s, --summary       the same as 'stats'\n"
"  -h, --help          this text\n"
"  -V, --version       version\n"
"\n"
"Exit status: 0 done, 1 failed or nothing matched, 2 module not loaded,\n"
"64 bad command line, 77 permission denied. See tcparkctl(8).\n", f);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n > UINT32_MAX)
		return -1;
	*v = n;
	return 0;
}

static int parse_set(int argc, char **argv, struct tp_set *s)
{
	int i;

	if (argc == 0)
		return usage_error("set: nothing to set");
	for (i = 0; i < argc; i += 2) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		size_t k;
		uint32_t v;

		for (k = 0; k < sizeof(set_keys) / sizeof(set_keys[0]); k++)
			if (!strcmp(key, set_keys[k].key))
				break;
		if (k == sizeof(set_keys) / sizeof(set_keys[0]))
			return usage_error("set: unknown key '%s'", key);
		if (!val)
			return usage_error("set: %s needs a value", key);
		if (s->set[set_keys[k].attr])
			return usage_error("set: %s given twice", key);

		if (set_keys[k].attr == TCPARK_A_MODE) {
			if (!strcmp(val, "persistent"))
				v = TCPARK_MODE_PERSISTENT;
			else if (!strcmp(val, "transient"))
				v = TCPARK_MODE_TRANSIENT;
			else
				return usage_error("set: mode is persistent or transient, not '%s'", val);
		} else if (parse_u32(val, &v) < 0) {
			return usage_error("set: %s: '%s' is not a number", key, val);
		} else if (!(v == 0 && set_keys[k].zero_ok) &&
			   (v < set_keys[k].min || v > set_keys[k].max)) {
			return usage_error("set: %s: %u is out of range (%s%u-%u)",
					   key, v,
					   set_keys[k].zero_ok && set_keys[k].min ? "0 or " : "",
					   set_keys[k].min, set_keys[k].max);
		}
		s->set[set_keys[k].attr] = true;
		s->val[set_keys[k].attr] = v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'n' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "summary", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, pretty = false, header = true, summary = false;
	struct tp_filter filter;
	struct tp_set set;
	const char *netns = NULL, *word;
	enum command cmd = C_SHOW;
	struct tp_nl nl;
	char err[256];
	char **operands;
	int opt, ret, nops = 0;
	size_t i;

	memset(&filter, 0, sizeof(filter));
	memset(&set, 0, sizeof(set));
	/*
	 * "-" first: operands come back in order as 1, so options may stand
	 * anywhere ("show src 10.0.0.0/8 -j", "show -4 ..."), as with ss.
	 */
	operands = calloc(argc + 1, sizeof(*operands));
	if (!operands)
		return EXIT_FAIL;
	while ((opt = getopt_long(argc, argv, "-jpn:H46shV", longopts, NULL)) != -1) {
		switch (opt) {
		case 1:
			operands[nops++] = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			pretty = true;
			break;
		case 'n':
			netns = optarg;
			break;
		case 'H':
			header = false;
			break;
		case '4':
		case '6':
			if ((filter.set & TPF_FAMILY) &&
			    filter.family != (opt == '4' ? AF_INET : AF_INET6))
				return usage_error("-4 and -6 exclude each other");
			filter.family = opt == '4' ? AF_INET : AF_INET6;
			filter.set |= TPF_FAMILY;
			break;
		case 's':
			summary = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " %s (generic netlink family \"%s\" version %d)\n",
			       TCPARKCTL_VERSION, TCPARK_GENL_NAME, TCPARK_GENL_VERSION);
			return EXIT_OK;
		default:
			fputc('\n', stderr);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* After "--" everything is an operand. */
	while (optind < argc)
		operands[nops++] = argv[optind++];
	word = nops ? operands[0] : NULL;
	if (word && !strcmp(word, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (word) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (!strcmp(word, commands[i].word))
				break;
		if (i == sizeof(commands) / sizeof(commands[0]))
			return usage_error("unknown command '%s'", word);
		cmd = commands[i].cmd;
	}
	if (summary) {
		if (word && cmd != C_STATS)
			return usage_error("-s is the 'stats' command; it takes no other command");
		cmd = C_STATS;
	}

	/* What follows the command word. */
	argc = word ? nops - 1 : 0;
	argv = operands + (word ? 1 : 0);
	switch (cmd) {
	case C_SHOW:
	case C_PARK:
	case C_WAKE:
	case C_KILL:
		if (tp_filter_parse(argc, argv, &filter, true, err, sizeof(err)) < 0)
			return usage_error("%s", err);
		if (cmd != C_SHOW && !filter.set)
			return usage_error("%s needs 'cookie N' or a filter%s", word,
					   cmd == C_KILL ? " (refusing to kill every connection)" : "");
		break;
	case C_SET:
		ret = parse_set(argc, argv, &set);
		if (ret)
			return ret;
		break;
	case C_STATS:
	case C_MONITOR:
		if (argc)
			return usage_error("%s takes no arguments ('%s')",
					   word ? word : "stats", argv[0]);
		break;
	}

	out_init(json, pretty);
	if (netns && tp_nl_enter_netns(netns, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_FAIL;
	}
	ret = tp_nl_open(&nl);
	if (ret == -ENOENT) {
		fprintf(stderr, PROG ": " TCPARK_GENL_NAME ": module not loaded (modprobe tcpark)\n");
		return EXIT_NOMODULE;
	}
	if (ret < 0) {
		fprintf(stderr, PROG ": generic netlink: %s\n", strerror(-ret));
		return EXIT_FAIL;
	}

	switch (cmd) {
	case C_SHOW:
		ret = cmd_show(&nl, &filter, header);
		break;
	case C_STATS:
		ret = cmd_stats(&nl);
		break;
	case C_SET:
		ret = cmd_set(&nl, &set);
		break;
	case C_PARK:
		ret = cmd_action(&nl, TCPARK_CMD_PARK, &filter);
		break;
	case C_WAKE:
		ret = cmd_action(&nl, TCPARK_CMD_WAKE, &filter);
		break;
	case C_KILL:
		ret = cmd_action(&nl, TCPARK_CMD_KILL, &filter);
		break;
	case C_MONITOR:
		ret = cmd_monitor(&nl);
		break;
	}
	tp_nl_close(&nl);
	free(operands);
	return ret;
}
