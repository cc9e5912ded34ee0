// SPDX-License-Identifier: GPL-2.0
/*
 * The one writer behind both outputs, after iproute2's json_print.c:
 * every printer calls out_*() once per value with a JSON key and a text
 * format, so the two outputs cannot drift apart.
 *
 * JSON: objects and arrays nest; a top-level value ends with a newline
 * (monitor writes one object per line). Strings are escaped, numbers are
 * bare, u64 included.
 *
 * Text: values accumulate into the current cell; out_cell() ends a cell,
 * out_nl() a line. Outside a table the cells of a line are joined by one
 * space. Inside out_table_begin()/out_table_end() every cell but a line's
 * last is padded to its column's width, as ss does. The widths come from
 * the first TABLE_MEASURE_ROWS lines, which are held back; later lines
 * stream out (a wider cell widens its column from there on), so a dump
 * of a million sockets needs no more memory than one of a thousand.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcparkctl.h"

#define JSON_MAX_DEPTH	8
#define COLUMN_GAP	2

static bool json, pretty;
static int depth;
static bool first[JSON_MAX_DEPTH + 1];	/* nothing written yet at this level */
static bool in_array[JSON_MAX_DEPTH + 1];

#define TABLE_MEASURE_ROWS	4096

/* A line: @n cells, each NUL-terminated, one after the other in @buf. */
struct text_line {
	char	*buf;
	size_t	len, cap;
	size_t	n;
	bool	open;		/* text written since the last cell ended */
};

static struct text_line line;
static bool table, streaming;
static struct text_line *rows;
static size_t nrows;
static size_t *width, nwidth;

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(EXIT_FAIL);
	}
	return p;
}

void out_init(bool want_json, bool want_pretty)
{
	json = want_json || want_pretty;
	pretty = want_pretty;
}

bool out_json(void)
{
	return json;
}

/* ---- JSON ---- */

static void json_indent(void)
{
	int i;

	for (i = 0; i < depth; i++)
		fputs("    ", stdout);
}

static void json_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\b': fputs("\\b", stdout); break;
		case '\f': fputs("\\f", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

/* The separator, indentation and key in front of a value. */
static void json_member(const char *key)
{
	if (depth > 0) {
		if (!first[depth])
			putchar(',');
		first[depth] = false;
		if (pretty) {
			putchar('\n');
			json_indent();
		}
		if (!in_array[depth]) {
			json_string(key ? key : "");
			fputs(pretty ? ": " : ":", stdout);
		}
	}
}

static void json_open(const char *key, char c, bool array)
{
	if (depth >= JSON_MAX_DEPTH)
		abort();
	json_member(key);
	putchar(c);
	depth++;
	first[depth] = true;
	in_array[depth] = array;
}

static void json_close(char c)
{
	bool empty = first[depth];

	if (depth == 0)
		abort();
	depth--;
	if (pretty && !empty) {
		putchar('\n');
		json_indent();
	}
	putchar(c);
	if (depth == 0)
		putchar('\n');
}

void out_obj_open(const char *key)
{
	if (json)
		json_open(key, '{', false);
}

void out_obj_close(void)
{
	if (json)
		json_close('}');
}

void out_arr_open(const char *key)
{
	if (json)
		json_open(key, '[', true);
}

void out_arr_close(void)
{
	if (json)
		json_close(']');
}

/* ---- text ---- */

static void line_reserve(size_t more)
{
	if (line.len + more > line.cap) {
		line.cap = (line.len + more) * 2;
		line.buf = xrealloc(line.buf, line.cap);
	}
}

static void text_vappend(const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	line_reserve(n + 1);
	vsnprintf(line.buf + line.len, n + 1, fmt, ap);
	line.len += n;
	line.open = true;
}

static void text_append(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	text_vappend(fmt, ap);
	va_end(ap);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	text_vappend(fmt, ap);
	va_end(ap);
}

void out_cell(void)
{
	if (json)
		return;
	line_reserve(1);
	line.buf[line.len++] = '\0';
	line.n++;
	line.open = false;
}

static void measure(const struct text_line *l)
{
	const char *c = l->buf;
	size_t i;

	/* A line's last cell is never padded, so it sets no width. */
	if (l->n > nwidth + 1) {
		width = xrealloc(width, (l->n - 1) * sizeof(*width));
		memset(width + nwidth, 0, (l->n - 1 - nwidth) * sizeof(*width));
		nwidth = l->n - 1;
	}
	for (i = 0; i + 1 < l->n; i++) {
		size_t len = strlen(c);

		if (len > width[i])
			width[i] = len;
		c += len + 1;
	}
}

static void line_print(const struct text_line *l, bool aligned)
{
	const char *c = l->buf;
	size_t i;

	for (i = 0; i < l->n; i++) {
		size_t len = strlen(c);
		int pad = aligned ? COLUMN_GAP : 1;

		fputs(c, stdout);
		if (i + 1 == l->n)
			break;
		if (aligned && i < nwidth)
			pad += (int)(width[i] - len);
		printf("%*s", pad, "");
		c += len + 1;
	}
	putchar('\n');
}

static void table_flush(void)
{
	size_t r;

	for (r = 0; r < nrows; r++)
		measure(&rows[r]);
	for (r = 0; r < nrows; r++) {
		line_print(&rows[r], true);
		free(rows[r].buf);
	}
	nrows = 0;
}

void out_nl(void)
{
	if (json)
		return;
	if (line.open || line.n == 0)
		out_cell();
	if (!table) {
		line_print(&line, false);
	} else if (streaming) {
		measure(&line);
		line_print(&line, true);
	} else {
		if (!rows)
			rows = xrealloc(NULL, TABLE_MEASURE_ROWS * sizeof(*rows));
		rows[nrows] = line;
		rows[nrows].buf = xrealloc(NULL, line.len);
		memcpy(rows[nrows].buf, line.buf, line.len);
		if (++nrows == TABLE_MEASURE_ROWS) {
			table_flush();
			streaming = true;
		}
	}
	line.len = 0;
	line.n = 0;
	line.open = false;
}

void out_table_begin(void)
{
	table = !json;
	streaming = false;
}

static void table_reset(void)
{
	table = streaming = false;
	free(rows);
	free(width);
	rows = NULL;
	width = NULL;
	nwidth = 0;
}

void out_table_end(void)
{
	if (!table)
		return;
	table_flush();
	table_reset();
}

/* Drop the lines not printed yet (a failed request's header). */
void out_table_discard(void)
{
	size_t r;

	if (!table)
		return;
	for (r = 0; r < nrows; r++)
		free(rows[r].buf);
	nrows = 0;
	table_reset();
}

/* ---- values ---- */

void out_str(const char *key, const char *fmt, const char *val)
{
	if (json) {
		if (key) {
			json_member(key);
			json_string(val);
		}
	} else if (fmt) {
		text_append(fmt, val);
	}
}

void out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (json) {
		if (key) {
			json_member(key);
			printf("%llu", (unsigned long long)val);
		}
	} else if (fmt) {
		text_append(fmt, (unsigned long long)val);
	}
}

int out_flush(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
