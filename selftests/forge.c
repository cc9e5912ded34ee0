// SPDX-License-Identifier: GPL-2.0
/*
 * forge: send hand-made IPv4/IPv6 TCP segments from a raw socket, for
 * poking at parked connections from the peer's side; or ICMP errors
 * quoting such a segment.
 *
 * forge [-n NETNS] -s SRC -S SPORT -d DST -D DPORT [-f FLAGS] [-q SEQ]
 *       [-a ACK] [-w WIN] [-u URP] [-t TSVAL:TSECR] [-o HEX] [-l PAYLEN]
 *       [-O DOFF] [-T TCPBYTES] [-x] [-c COUNT] [-R SERVER_NETNS]
 *       [-I TYPE/CODE[/INFO] [-F OUTER_SRC]]
 *
 *  -n NETNS   send from this netns (a name under /run/netns or a path)
 *  -f FLAGS   letters F S R P A U E C, or a number (default A)
 *  -q, -a     sequence and ack numbers; with -R, also "rcv_nxt[+-N]" and
 *             "snd_nxt[+-N]" from the parked record that SRC:SPORT ->
 *             DST:DPORT reaches (read with tcparkctl in SERVER_NETNS:
 *             the record whose local port is DPORT, remote port SPORT;
 *             with -I, see there)
 *  -t         NOP NOP TS option
 *  -o HEX     more raw option bytes (padded with EOL to 32 bits)
 *  -l N       N bytes of payload
 *  -O DOFF    write this data offset instead of the right one
 *  -T N       send only the first N bytes of the TCP segment
 *  -x         wrong checksum
 *  -c N       send it N times
 *  -I T/C[/I] instead of the segment, an ICMP (IPv4) or ICMPv6 (IPv6) error
 *             of type T, code C that quotes it: the segment is built as
 *             above (IP header, TCP checksum, -x, -T ... as without -I)
 *             and quoted whole, or as much as fits 576 bytes of ICMP or
 *             1280 of ICMPv6 in all; the error goes the other way, from
 *             DST (or -F) to SRC, hop limit 64. So SRC:SPORT -> DST:DPORT
 *             describe a segment the far side sent us: for an error "from
 *             the device" about the server's segment, -s SERVER -S
 *             SERVER_PORT -d DEVICE -D DEVICE_PORT, run with -n in the
 *             device's netns. I sets the 4 bytes after the checksum (a
 *             number, host order); without it they are 0, except for an
 *             MTU of 1280 in ICMP 3/4 (fragmentation needed) and ICMPv6
 *             2/0 (packet too big). With -R the record is then the one
 *             whose local port is SPORT, remote port DPORT (the quoted
 *             segment is the server's own), or failing that the usual one
 *             (local DPORT, remote SPORT).
 *  -F ADDR    with -I, the error's source address instead of DST (an
 *             error from a router in between)
 * Exit status 0 if everything was sent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkt.h"

static struct ctl_rec rec;
static bool have_rec;

static uint32_t parse_num(const char *s)
{
	uint32_t base = 0;
	const char *rest = s;

	if (!strncmp(s, "rcv_nxt", 7) || !strncmp(s, "snd_nxt", 7)) {
		if (!have_rec) {
			fprintf(stderr, "forge: %s needs -R and a parked record\n", s);
			exit(2);
		}
		base = s[0] == 'r' ? rec.rcv_nxt : rec.snd_nxt;
		rest = s + 7;
		if (!*rest)
			return base;
	}
	return base + (uint32_t)strtoll(rest, NULL, 0);
}

static uint8_t parse_flags(const char *s)
{
	static const char names[] = "FSRPAUEC";
	uint8_t f = 0;
	const char *c;

	if (*s >= '0' && *s <= '9')
		return strtoul(s, NULL, 0);
	for (; *s; s++) {
		c = strchr(names, *s);
		if (!c) {
			fprintf(stderr, "forge: bad flag '%c'\n", *s);
			exit(2);
		}
		f |= 1 << (c - names);
	}
	return f;
}

/* -I TYPE/CODE[/INFO]; false if malformed. */
static bool parse_icmp(const char *s, struct forge_icmp *ic, bool *info)
{
	unsigned long v[3];
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		errno = 0;
		v[i] = strtoul(s, &end, 0);
		if (errno || (i < 2 && v[i] > 255) || v[i] > UINT32_MAX)
			return false;
		s = end;
		if (!*s)
			break;
		if (*s++ != '/' || i == 2)
			return false;
	}
	if (i < 1)
		return false;
	ic->type = v[0];
	ic->code = v[1];
	*info = i == 2;
	if (*info)
		ic->info = v[2];
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: forge [-n NETNS] -s SRC -S SPORT -d DST -D DPORT [-f FLAGS]\n"
		"  [-q SEQ] [-a ACK] [-w WIN] [-u URP] [-t TSVAL:TSECR] [-o HEX] [-l PAYLEN]\n"
		"  [-O DOFF] [-T TCPBYTES] [-x] [-c COUNT] [-R SERVER_NETNS]\n"
		"  [-I TYPE/CODE[/INFO] [-F OUTER_SRC]]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *src = NULL, *dst = NULL, *seq = "0", *ack = "0";
	const char *srv_ns = NULL, *outer = NULL;
	int sport = -1, dport = -1, count = 1, opt, fd, nsfd = -1;
	static uint8_t optbuf[40];
	struct forge f = { .flags = TH_ACK, .win = 1024 };
	struct forge_icmp ic = { 0 };
	bool icmp = false, icmp_info = false;
	struct tcp_ep outer_ep;
	char path[256];

	while ((opt = getopt(argc, argv, "n:s:S:d:D:f:q:a:w:u:t:o:l:O:T:xc:R:I:F:h")) != -1) {
		switch (opt) {
		case 'n':
			netns = optarg;
			break;
		case 's':
			src = optarg;
			break;
		case 'S':
			sport = atoi(optarg);
			break;
		case 'd':
			dst = optarg;
			break;
		case 'D':
			dport = atoi(optarg);
			break;
		case 'f':
			f.flags = parse_flags(optarg);
			break;
		case 'q':
			seq = optarg;
			break;
		case 'a':
			ack = optarg;
			break;
		case 'w':
			f.win = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			f.urp = strtoul(optarg, NULL, 0);
			break;
		case 't':
			f.ts = true;
			if (sscanf(optarg, "%u:%u", &f.tsval, &f.tsecr) != 2)
				usage();
			break;
		case 'o': {
			size_t i, n = strlen(optarg) / 2;

			if (n > sizeof(optbuf))
				usage();
			for (i = 0; i < n; i++)
				if (sscanf(optarg + 2 * i, "%2hhx", &optbuf[i]) != 1)
					usage();
			f.opt = optbuf;
			f.optlen = n;
			break;
		}
		case 'l':
			f.paylen = strtoul(optarg, NULL, 0);
			break;
		case 'O':
			f.doff = atoi(optarg);
			break;
		case 'T':
			f.tcp_bytes = strtoul(optarg, NULL, 0);
			break;
		case 'x':
			f.bad_csum = true;
			break;
		case 'c':
			count = atoi(optarg);
			break;
		case 'R':
			srv_ns = optarg;
			break;
		case 'I':
			if (!parse_icmp(optarg, &ic, &icmp_info)) {
				fprintf(stderr, "forge: -I TYPE/CODE[/INFO], not %s\n", optarg);
				usage();
			}
			icmp = true;
			break;
		case 'F':
			outer = optarg;
			break;
		default:
			usage();
		}
	}
	if (!src || !dst || sport < 0 || dport < 0 ||
	    ep_parse(&f.src, src, sport) || ep_parse(&f.dst, dst, dport) ||
	    f.src.family != f.dst.family)
		usage();
	if (outer) {
		if (!icmp || ep_parse(&outer_ep, outer, 0) ||
		    outer_ep.family != f.src.family)
			usage();
		ic.src = outer_ep.addr;
	}
	if (icmp && !icmp_info &&
	    ((f.src.family == AF_INET && ic.type == 3 && ic.code == 4) ||
	     (f.src.family == AF_INET6 && ic.type == 2 && ic.code == 0)))
		ic.info = 1280;
	/*
	 * The record's local port is the server's: DPORT when SRC is the
	 * peer; with -I, SRC is the server (the quoted segment is its own),
	 * so SPORT first.
	 */
	if (srv_ns)
		have_rec = (icmp && !ctl_find(srv_ns, sport, dport, &rec)) ||
			   !ctl_find(srv_ns, dport, sport, &rec);
	f.seq = parse_num(seq);
	f.ack = parse_num(ack);
	if (netns) {
		if (!strchr(netns, '/'))
			snprintf(path, sizeof(path), "/run/netns/%s", netns);
		else
			snprintf(path, sizeof(path), "%s", netns);
		nsfd = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0) {
			perror(path);
			return 1;
		}
	}
	fd = forge_socket(nsfd, f.src.family);
	if (fd < 0) {
		perror("forge: raw socket");
		return 1;
	}
	while (count-- > 0) {
		if (icmp ? forge_send_icmp(fd, &f, &ic) : forge_send(fd, &f)) {
			perror("forge: send");
			return 1;
		}
	}
	return 0;
}
