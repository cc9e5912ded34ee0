// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk transfer in both directions at once: one sender and one receiver
 * thread per direction, each direction its own pseudo-random stream. The
 * receiver checks the content and that EOF follows the last byte.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "xfer.h"

struct direction {
	int from, to;
	size_t len;
	uint8_t *src, *dst;
	size_t sent, got;
	int send_err, recv_err;
	size_t extra;		/* bytes seen after len: must stay 0 */
};

void fill_random(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed;
	size_t i;

	for (i = 0; i < len; i++) {
		/* xorshift64 */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = x >> 24;
	}
}

static void *sender(void *arg)
{
	struct direction *d = arg;
	ssize_t n;

	while (d->sent < d->len) {
		n = send(d->from, d->src + d->sent, d->len - d->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			d->send_err = errno;
			return NULL;
		}
		d->sent += n;
	}
	if (shutdown(d->from, SHUT_WR))
		d->send_err = errno;
	return NULL;
}

static void *receiver(void *arg)
{
	struct direction *d = arg;
	uint8_t tail[256];
	ssize_t n;

	while (d->got < d->len) {
		n = recv(d->to, d->dst + d->got, d->len - d->got, 0);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			d->recv_err = n ? errno : EPIPE;
			return NULL;
		}
		d->got += n;
	}
	/* The sender shuts down after its last byte: EOF must come next. */
	while ((n = recv(d->to, tail, sizeof(tail), 0)) > 0)
		d->extra += n;
	if (n < 0)
		d->recv_err = errno;
	return NULL;
}

static int check(const struct direction *d, const char *name, char *why,
		 size_t whylen)
{
	size_t i;

	if (d->send_err || d->recv_err) {
		snprintf(why, whylen, "%s: send %s, recv %s (sent %zu got %zu)",
			 name, strerror(d->send_err), strerror(d->recv_err),
			 d->sent, d->got);
		return -1;
	}
	if (d->got != d->len || d->extra) {
		snprintf(why, whylen, "%s: got %zu bytes + %zu extra, want %zu",
			 name, d->got, d->extra, d->len);
		return -1;
	}
	if (memcmp(d->src, d->dst, d->len)) {
		for (i = 0; d->src[i] == d->dst[i]; i++)
			;
		snprintf(why, whylen, "%s: byte %zu differs: 0x%02x, want 0x%02x",
			 name, i, d->dst[i], d->src[i]);
		return -1;
	}
	return 0;
}

static int dir_init(struct direction *d, int from, int to, size_t len,
		    uint64_t seed)
{
	struct timeval tv = { .tv_sec = 120 };

	d->from = from;
	d->to = to;
	d->len = len;
	d->src = malloc(len);
	d->dst = calloc(1, len);
	if (!d->src || !d->dst)
		return -1;
	fill_random(d->src, len, seed);
	/* A lost segment must fail the test, not hang it. */
	return setsockopt(to, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

int xfer_both_ways(int a, int b, size_t len, char *why, size_t whylen)
{
	struct direction d[2];
	pthread_t th[4];
	int i, ret = -1;

	memset(d, 0, sizeof(d));
	if (dir_init(&d[0], a, b, len, 0x9e3779b97f4a7c15ULL) ||
	    dir_init(&d[1], b, a, len, 0xd1b54a32d192ed03ULL)) {
		snprintf(why, whylen, "setup: %s", strerror(errno));
		goto out;
	}
	for (i = 0; i < 2; i++) {
		if (pthread_create(&th[2 * i], NULL, receiver, &d[i]) ||
		    pthread_create(&th[2 * i + 1], NULL, sender, &d[i])) {
			fprintf(stderr, "pthread_create failed\n");
			abort();
		}
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	ret = check(&d[0], "a->b", why, whylen);
	if (!ret)
		ret = check(&d[1], "b->a", why, whylen);
out:
	for (i = 0; i < 2; i++) {
		free(d[i].src);
		free(d[i].dst);
	}
	return ret;
}

static int send_recv(int from, int to, const char *msg, char *why, size_t whylen)
{
	size_t len = strlen(msg), got = 0;
	char buf[64];
	ssize_t n;

	if (send(from, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
		snprintf(why, whylen, "send: %s", strerror(errno));
		return -1;
	}
	while (got < len) {
		n = recv(to, buf + got, len - got, 0);
		if (n <= 0) {
			snprintf(why, whylen, "recv: %s", n ? strerror(errno) : "EOF");
			return -1;
		}
		got += n;
	}
	if (memcmp(buf, msg, len)) {
		snprintf(why, whylen, "received '%.*s', want '%s'", (int)len, buf, msg);
		return -1;
	}
	return 0;
}

/* A short message each way. */
int exchange(int a, int b, char *why, size_t whylen)
{
	return send_recv(a, b, "tcpark ping", why, whylen) ?:
	       send_recv(b, a, "tcpark pong", why, whylen);
}
