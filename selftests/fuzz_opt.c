// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_opt: random SOL_TCPARK setsockopt()/getsockopt() calls, checked
 * against what README.md "Socket options" and uapi/linux/tcpark.h promise.
 *
 * fuzz_opt [-v]     (FUZZ_SEED, FUZZ_SCALE: see fuzz.h)
 *
 * In a netns of its own, on loopback, for IPv4 and IPv6: a socket with
 * the ULP never connected, a ULP listener, a ULP client connected to it
 * and the child accept() gave it (which inherited the ULP), and a plain
 * TCP socket without it. Each call takes a random socket, option (the six
 * of uapi, 0, 7 and random numbers), optlen (the right one, 0..64, huge
 * ones up to 2^32-1), value (the edges of each range, or noise) and
 * sometimes a NULL optval. The oracle:
 *  - set: optlen that is not the option's size (0 for TCPARK_PARK), or
 *    a value out of range: EINVAL; an unknown option or TCPARK_INFO:
 *    ENOPROTOOPT; TCPARK_PARK: 0, EBUSY, ENOTCONN, EOPNOTSUPP or
 *    EALREADY; a NULL optval of the right size: EFAULT; else 0, and
 *    the next get returns the value. A failed set changes nothing.
 *  - get: optlen below the option's size (TCPARK_INFO: below 16):
 *    EINVAL; TCPARK_PARK or unknown: ENOPROTOOPT; else 0 with optlen
 *    the option's size (TCPARK_INFO: min(optlen, sizeof)), never more
 *    than was given, nothing written past it, and the value the last
 *    successful set left (TCPARK_INFO's settings fields too).
 *  - without the ULP: ENOPROTOOPT, but EOPNOTSUPP for an IPv4 get
 *    (no_ulp_errno()).
 * Settings include TCPARK_MODE_TRANSIENT with TCPARK_IDLE_MS 100, so the
 * connected sockets may be parked by the idle timer while the fuzzer
 * holds their fds: options keep working on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fuzz.h"

#define NOPT	7		/* options 0..6 */
#define BUFSZ	(2 << 20)	/* any optlen up to 1 MiB reads our memory */
#define CANARY	0xa5

enum { K_UNCONN, K_LISTEN, K_CLIENT, K_CHILD, K_PLAIN, K_MAX };
static const char *const kind_name[K_MAX] = {
	"unconnected", "listener", "client", "child", "plain (no ULP)",
};

struct fsock {
	int fd, family, kind;
	/* the model: what get must return */
	uint32_t idle, mode, pin, ka_int, ka_probes;
};

static struct fsock socks[2 * K_MAX];
static int nsocks, verbose;
static uint8_t optbuf[BUFSZ];
static unsigned int calls, fails, errs[140];

static int opt_size(int opt)
{
	switch (opt) {
	case TCPARK_IDLE_MS:
	case TCPARK_MODE:
	case TCPARK_PIN:
		return 4;
	case TCPARK_KEEPALIVE:
		return 8;
	default:
		return -1;
	}
}

static bool in_range(int opt, uint32_t a, uint32_t b)
{
	switch (opt) {
	case TCPARK_IDLE_MS:
		return !a || (a >= TCPARK_IDLE_MS_MIN && a <= TCPARK_IDLE_MS_MAX);
	case TCPARK_MODE:
		return a <= TCPARK_MODE_TRANSIENT;
	case TCPARK_PIN:
		return a <= 1;
	case TCPARK_KEEPALIVE:
		return (!a || (a >= TCPARK_KA_INTERVAL_MS_MIN &&
			       a <= TCPARK_KA_INTERVAL_MS_MAX)) &&
		       b <= TCPARK_KA_PROBES_MAX;
	}
	return false;
}

static uint32_t pick_value(int opt, bool second)
{
	static const uint32_t idle[] = { 0, 1, 99, 100, 101, 604800000, 604800001 };
	static const uint32_t ka[] = { 0, 1, 999, 1000, 86400000, 86400001 };
	static const uint32_t probes[] = { 0, 1, 5, 255, 256 };

	if (fz_pct(10))
		return fz_u32();
	switch (opt) {
	case TCPARK_IDLE_MS:
		return idle[fz_below(ARRAY_SIZE(idle))];
	case TCPARK_MODE:
	case TCPARK_PIN:
		return fz_below(3);
	case TCPARK_KEEPALIVE:
		return second ? probes[fz_below(ARRAY_SIZE(probes))] :
				ka[fz_below(ARRAY_SIZE(ka))];
	}
	return fz_u32();
}

static int pick_opt(void)
{
	if (fz_pct(90))
		return fz_below(NOPT + 1);
	return fz_pct(50) ? (int)fz_u32() : (int)fz_below(64);
}

static unsigned int pick_len(int opt)
{
	static const unsigned int huge[] = {
		65536, 1u << 20, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff,
	};

	switch (fz_below(10)) {
	case 0 ... 3:
		if (opt == TCPARK_PARK)
			return 0;
		if (opt == TCPARK_INFO)
			return sizeof(struct tcpark_info);
		return opt_size(opt) > 0 ? opt_size(opt) : 4;
	case 4 ... 8:
		return fz_below(65);
	default:
		return huge[fz_below(ARRAY_SIZE(huge))];
	}
}

static bool bad(struct fsock *s, const char *what, int opt, unsigned int len,
		int ret, int err, const char *want)
{
	printf("# %s %s, %s opt %d optlen %u: got %d (%s), want %s\n",
	       s->family == AF_INET ? "IPv4" : "IPv6", kind_name[s->kind],
	       what, opt, len, ret, ret ? strerrorname_np(err) : "0", want);
	fails++;
	return false;
}

static void count(int ret, int err)
{
	calls++;
	errs[ret ? (err < 140 ? err : 0) : 0]++;
}

/*
 * A socket without the ULP: the IP layer answers a level it does not know,
 * ENOPROTOOPT (ip_setsockopt(), ipv6_setsockopt(), ipv6_getsockopt()) but
 * EOPNOTSUPP for IPv4's get (do_ip_getsockopt()); a set with an optlen
 * above INT_MAX fails in the syscall first (EINVAL).
 */
static int no_ulp_errno(const struct fsock *s, bool set, unsigned int len)
{
	if (set)
		return (int)len < 0 ? EINVAL : ENOPROTOOPT;
	return s->family == AF_INET ? EOPNOTSUPP : ENOPROTOOPT;
}

/* TCPARK_PARK with optlen 0: parked, or not eligible, connected, built, or again. */
static bool park_outcome(int ret, int err)
{
	return !ret || err == EBUSY || err == ENOTCONN || err == EOPNOTSUPP ||
	       err == EALREADY;
}

static void fuzz_set(struct fsock *s)
{
	int opt = pick_opt(), size = opt_size(opt), ret, err, want;
	unsigned int len = pick_len(opt);
	uint32_t a = pick_value(opt, false), b = pick_value(opt, true);
	bool null = fz_pct(5);

	fz_bytes(optbuf, 64);
	memcpy(optbuf, &a, 4);
	memcpy(optbuf + 4, &b, 4);
	errno = 0;
	ret = setsockopt(s->fd, SOL_TCPARK, opt, null ? NULL : optbuf, len);
	err = errno;
	count(ret, err);
	if (verbose)
		printf("# set %d len %u %u/%u: %d %s\n", opt, len, a, b, ret,
		       ret ? strerrorname_np(err) : "");

	if (s->kind == K_PLAIN) {
		want = no_ulp_errno(s, true, len);
		if (!ret || err != want)
			bad(s, "set", opt, len, ret, err, strerrorname_np(want));
		return;
	}
	if ((int)len < 0) {
		want = EINVAL;
	} else if (opt == TCPARK_PARK) {
		/* -1: one of the outcomes README lists for TCPARK_PARK */
		want = len ? EINVAL : park_outcome(ret, err) ? 0 : -1;
		if (!want)
			return;
	} else if (size < 0) {
		want = ENOPROTOOPT;
	} else if (len != (unsigned int)size) {
		want = EINVAL;
	} else if (null) {
		want = EFAULT;
	} else if (!in_range(opt, a, b)) {
		want = EINVAL;
	} else {
		want = 0;
	}
	if (want == 0 ? ret != 0 : ret != -1 || err != want) {
		bad(s, "set", opt, len, ret, err,
		    want < 0 ? "0/EBUSY/ENOTCONN/EOPNOTSUPP/EALREADY" :
		    want ? strerrorname_np(want) : "0");
		return;
	}
	if (ret)
		return;
	switch (opt) {
	case TCPARK_IDLE_MS:
		s->idle = a;
		break;
	case TCPARK_MODE:
		s->mode = a;
		break;
	case TCPARK_PIN:
		s->pin = a;
		break;
	case TCPARK_KEEPALIVE:
		s->ka_int = a;
		s->ka_probes = b;
		break;
	}
}

/* The bytes get returned against the model. */
static void check_value(struct fsock *s, int opt, unsigned int got)
{
	struct tcpark_info info = { 0 };
	uint32_t v[2];
	bool ok = true;

	memcpy(v, optbuf, 8);
	switch (opt) {
	case TCPARK_IDLE_MS:
		ok = v[0] == s->idle;
		break;
	case TCPARK_MODE:
		ok = v[0] == s->mode;
		break;
	case TCPARK_PIN:
		ok = v[0] == s->pin;
		break;
	case TCPARK_KEEPALIVE:
		ok = v[0] == s->ka_int && v[1] == s->ka_probes;
		break;
	case TCPARK_INFO:
		memcpy(&info, optbuf, got);
		ok = info.tpi_state == TCPARK_STATE_ACTIVE ||
		     info.tpi_state == TCPARK_STATE_PARKED;
		if (got >= offsetof(struct tcpark_info, tpi_flags) + 4)
			ok = ok && info.tpi_mode == s->mode &&
			     info.tpi_idle_ms == s->idle &&
			     info.tpi_ka_interval_ms == s->ka_int &&
			     info.tpi_ka_probes == s->ka_probes &&
			     !!(info.tpi_flags & TCPARK_F_PINNED) == !!s->pin;
		break;
	}
	if (!ok) {
		printf("# %s %s get: opt %d returned %u/%u, the model says idle %u mode %u pin %u ka %u/%u\n",
		       s->family == AF_INET ? "IPv4" : "IPv6", kind_name[s->kind], opt,
		       v[0], v[1], s->idle, s->mode, s->pin, s->ka_int, s->ka_probes);
		fails++;
	}
}

static void fuzz_get(struct fsock *s)
{
	int opt = pick_opt(), size = opt_size(opt), ret, err, want;
	unsigned int len = pick_len(opt), want_len;
	socklen_t olen = len;
	bool null = fz_pct(5);
	size_t i, room;

	memset(optbuf, CANARY, 512);
	errno = 0;
	ret = getsockopt(s->fd, SOL_TCPARK, opt, null ? NULL : optbuf, &olen);
	err = errno;
	count(ret, err);
	if (verbose)
		printf("# get %d len %u: %d %s len %u\n", opt, len, ret,
		       ret ? strerrorname_np(err) : "", olen);

	if (s->kind == K_PLAIN) {
		want = no_ulp_errno(s, false, len);
		if (!ret || err != want)
			bad(s, "get", opt, len, ret, err, strerrorname_np(want));
		return;
	}
	if (opt == TCPARK_INFO) {
		size = TCPARK_INFO_MIN_LEN;
		want_len = (int)len < (int)sizeof(struct tcpark_info) ? len :
			   sizeof(struct tcpark_info);
	} else {
		want_len = size;
	}
	if (size < 0)
		want = ENOPROTOOPT;
	else if ((int)len < size)
		want = EINVAL;
	else if (null)
		want = EFAULT;
	else
		want = 0;
	if (want == 0 ? ret != 0 : ret != -1 || err != want) {
		bad(s, "get", opt, len, ret, err, want ? strerrorname_np(want) : "0");
		return;
	}
	if (ret)
		return;
	if (olen != want_len || olen > len) {
		printf("# get opt %d optlen %u: kernel says %u, want %u\n", opt, len,
		       olen, want_len);
		fails++;
		return;
	}
	room = len < 512 ? len : 512;
	for (i = olen; i < room; i++) {
		if (optbuf[i] != CANARY) {
			printf("# get opt %d optlen %u: byte %zu past the returned %u written\n",
			       opt, len, i, olen);
			fails++;
			return;
		}
	}
	check_value(s, opt, olen);
}

/* The settings in force on @s, read once before fuzzing. */
static int model_init(struct fsock *s)
{
	struct tcpark_keepalive ka;

	if (s->kind == K_PLAIN)
		return 0;
	if (opt_get_u32(s->fd, TCPARK_IDLE_MS, &s->idle) ||
	    opt_get_u32(s->fd, TCPARK_MODE, &s->mode) ||
	    opt_get_u32(s->fd, TCPARK_PIN, &s->pin) || opt_get_ka(s->fd, &ka))
		return -1;
	s->ka_int = ka.interval_ms;
	s->ka_probes = ka.probes;
	return 0;
}

static int add(int fd, int family, int kind)
{
	struct fsock *s = &socks[nsocks];

	if (fd < 0)
		return -1;
	s->fd = fd;
	s->family = family;
	s->kind = kind;
	if (model_init(s))
		return -1;
	nsocks++;
	return 0;
}

static int make_socks(int family)
{
	const char *ip = family == AF_INET ? "127.0.0.1" : "::1";
	struct endpoint ep;
	int u, l, c, a;

	u = socket(family, SOCK_STREAM, 0);
	if (u < 0 || ulp_set(u, TCPARK_ULP_NAME) || add(u, family, K_UNCONN))
		return -1;
	if (endpoint_init(&ep, -1, family, ip))
		return -1;
	l = listen_on(&ep, 16);
	if (l < 0 || ulp_set(l, TCPARK_ULP_NAME) || add(l, family, K_LISTEN))
		return -1;
	c = socket(family, SOCK_STREAM, 0);
	if (c < 0 || ulp_set(c, TCPARK_ULP_NAME) ||
	    connect(c, (struct sockaddr *)&ep.addr, ep.addrlen))
		return -1;
	a = accept(l, NULL, NULL);
	if (add(c, family, K_CLIENT) || add(a, family, K_CHILD))
		return -1;
	return add(socket(family, SOCK_STREAM, 0), family, K_PLAIN);
}

int main(int argc, char **argv)
{
	unsigned int iters = fuzz_iters(50000), i;
	int e;

	verbose = argc > 1 && !strcmp(argv[1], "-v");
	setvbuf(stdout, NULL, _IOLBF, 0);
	fuzz_seed("fuzz_opt");
	if (unshare(CLONE_NEWNET) || lo_up()) {
		printf("# unshare/lo: %s\n", strerror(errno));
		return 1;
	}
	if (make_socks(AF_INET) || make_socks(AF_INET6)) {
		printf("# sockets: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < iters && fails < 20; i++) {
		struct fsock *s = &socks[fz_below(nsocks)];

		if (fz_pct(50))
			fuzz_set(s);
		else
			fuzz_get(s);
	}
	printf("# fuzz_opt: %u calls on %d sockets, answers:", calls, nsocks);
	for (e = 0; e < 140; e++)
		if (errs[e])
			printf(" %s %u", e ? strerrorname_np(e) : "0", errs[e]);
	printf("; %u failed checks\n", fails);
	return fails ? 1 : 0;
}
