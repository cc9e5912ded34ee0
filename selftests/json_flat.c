// SPDX-License-Identifier: GPL-2.0
/*
 * json_flat [-l] < FILE
 *
 * A strict JSON (RFC 8259) checker that prints what it read as one
 * "PATH=VALUE" line per scalar, for shell tests without jq:
 *
 *	[{"cookie":12,"flags":["pinned"]}]  ->  [0].cookie=12
 *	                                        [0].flags[0]="pinned"
 *
 * Numbers are printed as written (a 64-bit cookie keeps every digit),
 * strings with their quotes and escapes as written, empty containers as
 * {} or []. -l reads JSON Lines (one value per non-empty line), each line
 * numbered like an array element. Refused: anything RFC 8259 does not
 * allow (trailing commas, leading zeros, bare words, control characters or
 * bad escapes in strings, invalid UTF-8, text after the value), and, as no
 * printer of ours may write them, duplicate keys in an object.
 * Exit status: 0 valid, 1 invalid (the reason on stderr), 2 usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH	64
#define MAX_KEYS	256	/* per object, for the duplicate check */

static const char *p, *start;
static char path[4096];

static __attribute__((noreturn)) void bad(const char *why)
{
	fprintf(stderr, "json_flat: offset %ld: %s\n", (long)(p - start), why);
	exit(1);
}

static void ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

static void emit(const char *tok, size_t len)
{
	printf("%s=%.*s\n", path, (int)len, tok);
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One UTF-8 sequence starting at p (not ASCII); advances p. */
static void utf8(void)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned int cp, n, i;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 1, cp = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 2, cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 3, cp = u[0] & 0x07;
	else
		bad("invalid UTF-8");
	for (i = 1; i <= n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			bad("invalid UTF-8");
		cp = cp << 6 | (u[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		bad("invalid UTF-8");
	p += n + 1;
}

/* A string token at p; returns its start, *len includes the quotes. */
static const char *string(size_t *len)
{
	const char *s = p;
	int i;

	if (*p != '"')
		bad("expected a string");
	p++;
	for (;;) {
		unsigned char c = *p;

		if (c == '"')
			break;
		if (c < 0x20)
			bad(c ? "control character in a string" : "unterminated string");
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (i = 1; i <= 4; i++)
					if (hex(p[i]) < 0)
						bad("bad \\u escape");
				p += 5;
			} else if (*p && strchr("\"\\/bfnrt", *p)) {
				p++;
			} else {
				bad("bad escape");
			}
		} else if (c >= 0x80) {
			utf8();
		} else {
			p++;
		}
	}
	p++;
	*len = p - s;
	return s;
}

static void number(void)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		bad("bad number");
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			bad("bad fraction");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			bad("bad exponent");
		while (*p >= '0' && *p <= '9')
			p++;
	}
	emit(s, p - s);
}

static void value(int depth);

static void object(int depth)
{
	size_t base = strlen(path), klen[MAX_KEYS], len;
	const char *keys[MAX_KEYS], *k;
	int n = 0, i;

	p++;
	ws();
	if (*p == '}') {
		p++;
		emit("{}", 2);
		return;
	}
	for (;;) {
		ws();
		k = string(&len);
		for (i = 0; i < n; i++)
			if (klen[i] == len && !memcmp(keys[i], k, len))
				bad("duplicate key");
		if (n == MAX_KEYS)
			bad("too many keys");
		keys[n] = k;
		klen[n++] = len;
		if (base + len + 2 >= sizeof(path))
			bad("too deep");
		/* Keys we print are plain words: drop the quotes. */
		snprintf(path + base, sizeof(path) - base, ".%.*s", (int)len - 2, k + 1);
		ws();
		if (*p != ':')
			bad("expected ':'");
		p++;
		value(depth + 1);
		path[base] = '\0';
		ws();
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}') {
			p++;
			return;
		}
		bad("expected ',' or '}'");
	}
}

static void array(int depth)
{
	size_t base = strlen(path);
	int i = 0;

	p++;
	ws();
	if (*p == ']') {
		p++;
		emit("[]", 2);
		return;
	}
	for (;; i++) {
		if (base + 16 >= sizeof(path))
			bad("too deep");
		snprintf(path + base, sizeof(path) - base, "[%d]", i);
		value(depth + 1);
		path[base] = '\0';
		ws();
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == ']') {
			p++;
			return;
		}
		bad("expected ',' or ']'");
	}
}

static void value(int depth)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, len;
	const char *s;

	if (depth > MAX_DEPTH)
		bad("nested too deep");
	ws();
	switch (*p) {
	case '{':
		object(depth);
		return;
	case '[':
		array(depth);
		return;
	case '"':
		s = string(&len);
		emit(s, len);
		return;
	}
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		number();
		return;
	}
	for (i = 0; i < 3; i++) {
		len = strlen(words[i]);
		if (!strncmp(p, words[i], len)) {
			emit(p, len);
			p += len;
			return;
		}
	}
	bad("expected a value");
}

int main(int argc, char **argv)
{
	bool lines = argc == 2 && !strcmp(argv[1], "-l");
	size_t len = 0, cap = 1 << 16, n;
	char *buf = malloc(cap);
	int i = 0;

	if (argc > 2 || (argc == 2 && !lines)) {
		fprintf(stderr, "usage: json_flat [-l] < FILE\n");
		return 2;
	}
	while (buf && (n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf)
		return 2;
	buf[len] = '\0';
	if (strlen(buf) != len) {
		p = start = buf + strlen(buf);
		bad("NUL byte in the input");
	}
	p = start = buf;
	if (!lines) {
		value(0);
		ws();
		if (*p)
			bad("text after the value");
		return 0;
	}
	/* One value per line: parse each line on its own. */
	while (*p) {
		char *eol = strchr(p, '\n');

		if (eol)
			*eol = '\0';
		ws();
		if (*p) {
			snprintf(path, sizeof(path), "[%d]", i++);
			value(0);
			ws();
			if (*p)
				bad("text after the value on its line");
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	return 0;
}
