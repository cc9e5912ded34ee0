// SPDX-License-Identifier: GPL-2.0
/*
 * Filters written as for ss(8), narrowed to what the kernel can match:
 *
 *	state active|parked		mode persistent|transient
 *	sport = :PORT			dport = :PORT
 *	src ADDR[/PLEN]			dst ADDR[/PLEN]
 *	-4 | -6				cookie N (where allowed)
 *
 * src/sport are the local end, dst/dport the remote one, as in ss. Terms
 * AND together ("and" and "&&" may be written, nothing else joins terms).
 * Each is sent as the GET dump's filter attribute; the kernel matches.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "tcparkctl.h"

struct tokens {
	char	**v;
	int	n, cap;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int tokens_add(struct tokens *t, const char *s, size_t len)
{
	char *tok;

	if (t->n == t->cap) {
		char **v = realloc(t->v, (t->cap ? t->cap * 2 : 16) * sizeof(*v));

		if (!v)
			return -1;
		t->v = v;
		t->cap = t->cap ? t->cap * 2 : 16;
	}
	tok = strndup(s, len);
	if (!tok)
		return -1;
	t->v[t->n++] = tok;
	return 0;
}

static void tokens_free(struct tokens *t)
{
	while (t->n)
		free(t->v[--t->n]);
	free(t->v);
}

/*
 * Words split on white space (so one quoted 'sport = :443' works, as with
 * ss) and around runs of '=' (so 'sport=:443' does too).
 */
static int tokenize(int argc, char **argv, struct tokens *t)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *p = argv[i];

		while (*p) {
			size_t len = 0;

			if (isspace((unsigned char)*p)) {
				p++;
				continue;
			}
			if (*p == '=') {
				while (p[len] == '=')
					len++;
			} else {
				while (p[len] && p[len] != '=' &&
				       !isspace((unsigned char)p[len]))
					len++;
			}
			if (tokens_add(t, p, len) < 0)
				return -1;
			p += len;
		}
	}
	return 0;
}

static bool is_op_eq(const char *w)
{
	return !strcmp(w, "=") || !strcmp(w, "==") || !strcmp(w, "eq");
}

static bool is_op_other(const char *w)
{
	static const char *const ops[] = {
		"!", "<", ">", "<=", ">=", "ne", "neq", "lt", "gt", "le", "ge",
		"!=", "<=", "=>",
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(w, ops[i]))
			return true;
	return false;
}

/* "sport = :443", "sport :443", "sport == https" ... */
static int parse_port(struct tokens *t, int *i, uint16_t *port,
		      char *err, size_t errlen)
{
	const char *kw = t->v[*i], *val;
	struct servent *se;
	unsigned long n;
	char *end;

	if (*i + 1 >= t->n)
		return fail(err, errlen, "%s: missing port (%s = :PORT)", kw, kw);
	val = t->v[++*i];
	if (is_op_other(val))
		return fail(err, errlen, "%s %s: only '=' is supported for ports", kw, val);
	if (is_op_eq(val)) {
		if (*i + 1 >= t->n)
			return fail(err, errlen, "%s =: missing port", kw);
		val = t->v[++*i];
	}
	if (*val == ':')
		val++;
	if (!*val)
		return fail(err, errlen, "%s: missing port", kw);
	errno = 0;
	n = strtoul(val, &end, 10);
	if (isdigit((unsigned char)*val) && !*end) {
		if (errno || n < 1 || n > 65535)
			return fail(err, errlen, "%s: port '%s' out of range (1-65535)", kw, val);
		*port = n;
		return 0;
	}
	se = getservbyname(val, "tcp");
	if (!se)
		return fail(err, errlen, "%s: bad port '%s'", kw, val);
	*port = ntohs(se->s_port);
	return 0;
}

/* "10.0.0.0/8", "::1", "[2001:db8::1]", "[2001:db8::]/32" */
static int parse_prefix(const char *kw, const char *s, struct tp_prefix *p,
			char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *addr = buf, *slash, *end;
	unsigned int bits, i;
	unsigned long plen;

	if (strlen(s) >= sizeof(buf))
		return fail(err, errlen, "%s: bad address '%s'", kw, s);
	strcpy(buf, s);
	if (*addr == '[') {
		char *close = strchr(addr, ']');

		if (!close || (close[1] && close[1] != '/'))
			return fail(err, errlen, "%s: bad address '%s'", kw, s);
		*close = '\0';
		addr++;
		slash = close[1] ? close + 1 : NULL;
	} else {
		slash = strchr(addr, '/');
	}
	if (slash)
		*slash++ = '\0';

	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->family = AF_INET6;
		bits = 128;
	} else if (strchr(addr, '.') && strchr(addr, ':')) {
		return fail(err, errlen, "%s: bad address '%s' (write the port as %s = :PORT)",
			    kw, s, !strcmp(kw, "src") ? "sport" : "dport");
	} else {
		return fail(err, errlen, "%s: bad address '%s'", kw, s);
	}

	plen = bits;
	if (slash) {
		errno = 0;
		plen = strtoul(slash, &end, 10);
		if (!isdigit((unsigned char)*slash) || *end || errno || plen > bits)
			return fail(err, errlen, "%s: bad prefix length '/%s' (0-%u)",
				    kw, slash, bits);
		p->has_plen = true;
	}
	p->plen = plen;
	/* Clear host bits, as a route prefix is written. */
	for (i = 0; i < bits / 8; i++) {
		unsigned int keep = plen >= 8 * (i + 1) ? 8 :
				    plen > 8 * i ? plen - 8 * i : 0;

		p->addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = n;
	return 0;
}

/*
 * -4/-6 select the socket's family while addresses are matched as the
 * kernel shows them: an IPv6 socket with IPv4-mapped addresses has IPv4
 * ones. So "-6 dst 10.0.0.1" is a fair question; only a src and a dst of
 * different families can never match.
 */
static int check_families(const struct tp_filter *f, char *err, size_t errlen)
{
	if ((f->set & TPF_SRC) && (f->set & TPF_DST) &&
	    f->src.family != f->dst.family)
		return fail(err, errlen, "src and dst are of different address families");
	return 0;
}

static int parse_terms(struct tokens *t, struct tp_filter *f,
		       bool allow_cookie, char *err, size_t errlen)
{
	int i;

	for (i = 0; i < t->n; i++) {
		const char *w = t->v[i], *val = i + 1 < t->n ? t->v[i + 1] : NULL;
		unsigned int bit;

		if (!strcmp(w, "and") || !strcmp(w, "&&") || !strcmp(w, "&"))
			continue;
		if (!strcmp(w, "or") || !strcmp(w, "||") || !strcmp(w, "|") ||
		    !strcmp(w, "not") || !strcmp(w, "!") ||
		    !strcmp(w, "(") || !strcmp(w, ")"))
			return fail(err, errlen, "'%s': terms can only be ANDed", w);

		if (!strcmp(w, "-4") || !strcmp(w, "-6")) {
			uint16_t family = w[1] == '4' ? AF_INET : AF_INET6;

			if ((f->set & TPF_FAMILY) && f->family != family)
				return fail(err, errlen, "-4 and -6 exclude each other");
			f->family = family;
			f->set |= TPF_FAMILY;
			continue;
		} else if (!strcmp(w, "state")) {
			bit = TPF_STATE;
		} else if (!strcmp(w, "mode")) {
			bit = TPF_MODE;
		} else if (!strcmp(w, "sport")) {
			bit = TPF_SPORT;
		} else if (!strcmp(w, "dport")) {
			bit = TPF_DPORT;
		} else if (!strcmp(w, "src")) {
			bit = TPF_SRC;
		} else if (!strcmp(w, "dst")) {
			bit = TPF_DST;
		} else if (!strcmp(w, "cookie") && allow_cookie) {
			bit = TPF_COOKIE;
		} else {
			return fail(err, errlen, "unknown filter term '%s'", w);
		}
		if (f->set & bit)
			return fail(err, errlen, "'%s' given twice (terms are ANDed)", w);
		f->set |= bit;

		switch (bit) {
		case TPF_STATE:
			if (val && !strcasecmp(val, "active"))
				f->state = TCPARK_STATE_ACTIVE;
			else if (val && !strcasecmp(val, "parked"))
				f->state = TCPARK_STATE_PARKED;
			else
				return fail(err, errlen, "state: expected active or parked, not '%s'",
					    val ? val : "");
			i++;
			break;
		case TPF_MODE:
			if (val && !strcasecmp(val, "persistent"))
				f->mode = TCPARK_MODE_PERSISTENT;
			else if (val && !strcasecmp(val, "transient"))
				f->mode = TCPARK_MODE_TRANSIENT;
			else
				return fail(err, errlen, "mode: expected persistent or transient, not '%s'",
					    val ? val : "");
			i++;
			break;
		case TPF_SPORT:
		case TPF_DPORT:
			if (parse_port(t, &i, bit == TPF_SPORT ? &f->sport : &f->dport,
				       err, errlen) < 0)
				return -1;
			break;
		case TPF_SRC:
		case TPF_DST:
			if (!val)
				return fail(err, errlen, "%s: missing address", w);
			if (parse_prefix(w, val, bit == TPF_SRC ? &f->src : &f->dst,
					 err, errlen) < 0)
				return -1;
			i++;
			break;
		case TPF_COOKIE:
			if (!val || parse_u64(val, &f->cookie) < 0)
				return fail(err, errlen, "cookie: expected a number, not '%s'",
					    val ? val : "");
			if (!f->cookie)
				return fail(err, errlen, "cookie: 0 is no socket's cookie");
			i++;
			break;
		}
	}
	if ((f->set & TPF_COOKIE) && tp_filter_has_terms(f))
		return fail(err, errlen, "cookie selects one connection; it takes no other filter");
	return check_families(f, err, errlen);
}

int tp_filter_parse(int argc, char **argv, struct tp_filter *f,
		    bool allow_cookie, char *err, size_t errlen)
{
	struct tokens t = { NULL, 0, 0 };
	int ret;

	if (tokenize(argc, argv, &t) < 0) {
		tokens_free(&t);
		return fail(err, errlen, "out of memory");
	}
	ret = parse_terms(&t, f, allow_cookie, err, errlen);
	tokens_free(&t);
	return ret;
}

bool tp_filter_has_terms(const struct tp_filter *f)
{
	return f->set & ~TPF_COOKIE;
}

static void put_prefix(struct nlmsghdr *nlh, int addr_type, int plen_type,
		       const struct tp_prefix *p)
{
	mnl_attr_put(nlh, addr_type, p->family == AF_INET ? 4 : 16, p->addr);
	if (p->has_plen)
		mnl_attr_put_u8(nlh, plen_type, p->plen);
}

void tp_filter_put(struct nlmsghdr *nlh, const struct tp_filter *f)
{
	if (f->set & TPF_COOKIE)
		mnl_attr_put_u64(nlh, TCPARK_A_COOKIE, f->cookie);
	if (f->set & TPF_STATE)
		mnl_attr_put_u32(nlh, TCPARK_A_STATE, f->state);
	if (f->set & TPF_MODE)
		mnl_attr_put_u32(nlh, TCPARK_A_MODE, f->mode);
	if (f->set & TPF_FAMILY)
		mnl_attr_put_u16(nlh, TCPARK_A_FAMILY, f->family);
	if (f->set & TPF_SRC)
		put_prefix(nlh, TCPARK_A_LOCAL_ADDR, TCPARK_A_LOCAL_PREFIX, &f->src);
	if (f->set & TPF_SPORT)
		mnl_attr_put_u16(nlh, TCPARK_A_LOCAL_PORT, f->sport);
	if (f->set & TPF_DST)
		put_prefix(nlh, TCPARK_A_REMOTE_ADDR, TCPARK_A_REMOTE_PREFIX, &f->dst);
	if (f->set & TPF_DPORT)
		mnl_attr_put_u16(nlh, TCPARK_A_REMOTE_PORT, f->dport);
}
