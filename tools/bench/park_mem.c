// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel memory per idle connection, stock vs tcpark, measured in one run
 * (docs/design.md §15): N connection pairs over veth between a server and a
 * client network namespace.
 *
 *   stock:  N idle ESTABLISHED pairs, fds held. Both ends cost one
 *           endpoint: endpoint = growth / 2N, in live slab objects
 *           (/proc/slabinfo active_objs x size, exact) and in MemFree
 *           (everything, but noisy under a VM).
 *   tcpark: the same N pairs with the server in transient mode, then the
 *           server close()s its N sockets and they park. A parked
 *           connection keeps its tcpark_record slab object (growth of that
 *           cache / N) and a share of the table's bucket array, which is a
 *           page allocation that slabinfo does not show: that comes from
 *           `tcparkctl stats` (records + tbl->size * 8).
 *   Slab caches are shrunk before each reading, and all client sockets
 *   are created before any server socket, so freed sockets really show.
 *
 * park_mem SERVER_NETNS_PATH CLIENT_NETNS_PATH 4|6 N   -> one JSON line;
 * per-cache growth after parking (client endpoints + records) on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/tcpark.h>

#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/* MemFree and Slab (kB), and the bytes of live slab objects. */
struct mem { long free_kb, slab_kb; double obj_bytes; };

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * Freed objects leave their slab pages allocated until the cache is
 * shrunk: without this, freeing N sockets would not show in MemFree.
 */
static void write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0)
			fprintf(stderr, "park_mem: %s: %s\n", path, strerror(errno));
		close(fd);
	}
}

/* In-process, not through a shell: forks would show up in the slabs. */
static void shrink_slabs(void)
{
	char path[512];
	struct dirent *d;
	DIR *dir;

	write_file("/proc/sys/vm/drop_caches", "3");
	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		write_file(path, "1");
	}
	closedir(dir);
}

static struct mem meminfo(void)
{
	struct mem m = { 0, 0, 0 };
	char line[128];
	FILE *f;

	sleep(2);	/* RCU-deferred frees (sockets, records) settle */
	shrink_slabs();
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %ld kB", &m.free_kb);
		sscanf(line, "Slab: %ld kB", &m.slab_kb);
	}
	fclose(f);
	/* slabinfo 2.1: name active_objs num_objs objsize ... */
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		die("/proc/slabinfo");
	while (fgets(line, sizeof(line), f)) {
		long active, num, size;
		char name[64];

		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &num, &size) == 4)
			m.obj_bytes += (double)active * size;
	}
	fclose(f);
	return m;
}

static int socket_in(const char *ns, int family)
{
	int self = open("/proc/self/ns/net", O_RDONLY), fd = open(ns, O_RDONLY), s;

	if (self < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
		die("setns");
	s = socket(family, SOCK_STREAM, 0);
	if (s < 0 || setns(self, CLONE_NEWNET))
		die("socket");
	close(fd);
	close(self);
	return s;
}

static socklen_t server_addr(int v6, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (v6) {
		struct sockaddr_in6 *a = (void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, "fd00:7c::1", &a->sin6_addr);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (void *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	inet_pton(AF_INET, "198.18.0.1", &a->sin_addr);
	return sizeof(*a);
}

/*
 * N pairs; one byte each way so both ends have seen data. All client
 * sockets are created before any is connected, so the server's sockets
 * (allocated on accept) do not share slab pages with them and the pages
 * really come back when the server's sockets are freed.
 */
static void make_pairs(const char *sns, const char *cns, int v6, int port,
		       int n, int transient, int *cli, int *srv)
{
	int fam = v6 ? AF_INET6 : AF_INET, l, one = 1, i;
	struct sockaddr_storage ss;
	socklen_t sl = server_addr(v6, port, &ss);
	__u32 mode = TCPARK_MODE_TRANSIENT;
	char b;

	l = socket_in(sns, fam);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (transient && (setsockopt(l, IPPROTO_TCP, TCP_ULP, "tcpark", 7) ||
			  setsockopt(l, SOL_TCPARK, TCPARK_MODE, &mode, 4)))
		die("tcpark");
	if (bind(l, (void *)&ss, sl) || listen(l, 4096))
		die("listen");
	for (i = 0; i < n; i++)
		cli[i] = socket_in(cns, fam);
	for (i = 0; i < n; i++) {
		if (connect(cli[i], (void *)&ss, sl))
			die("connect");
		srv[i] = accept(l, NULL, NULL);
		if (srv[i] < 0)
			die("accept");
		if (write(cli[i], "p", 1) != 1 || read(srv[i], &b, 1) != 1 ||
		    write(srv[i], "p", 1) != 1 || read(cli[i], &b, 1) != 1)
			die("exchange");
	}
	close(l);
}

/* Abortive close: no TIME_WAIT left behind to blur the next phase. */
static void reset_all(int *fds, int n)
{
	struct linger lg = { 1, 0 };

	for (int i = 0; i < n; i++) {
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fds[i]);
	}
}

static double per(long before, long after, int n)
{
	return (after - before) * 1024.0 / n;
}

/* Which caches hold what a parked connection keeps: slabinfo b - a. */
#define MAX_CACHES 512
struct slabs { int n; char name[MAX_CACHES][40]; double bytes[MAX_CACHES]; };

static void slabs_read(struct slabs *s)
{
	char line[256];
	FILE *f = fopen("/proc/slabinfo", "r");
	long active, num, size;

	s->n = 0;
	while (f && fgets(line, sizeof(line), f) && s->n < MAX_CACHES)
		if (sscanf(line, "%39s %ld %ld %ld", s->name[s->n], &active, &num,
			   &size) == 4)
			s->bytes[s->n++] = (double)active * size;
	if (f)
		fclose(f);
}

static double slabs_delta(const struct slabs *a, const struct slabs *b,
			  const char *name)
{
	double before = 0, after = 0;
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->name[i], name))
			before = a->bytes[i];
	for (i = 0; i < b->n; i++)
		if (!strcmp(b->name[i], name))
			after = b->bytes[i];
	return after - before;
}

/* The bucket array is a page allocation, not a slab object: ask tcpark. */
static double table_bytes(const char *netns_path)
{
	const char *name = strrchr(netns_path, '/');
	char cmd[512], out[4096];
	double bytes = -1;
	FILE *p;
	char *k;

	snprintf(cmd, sizeof(cmd), "tcparkctl -j -n %s stats", name ? name + 1 : netns_path);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(out, sizeof(out), p) && (k = strstr(out, "\"parked_bytes\":")))
		bytes = atof(k + strlen("\"parked_bytes\":"));
	pclose(p);
	return bytes;
}

static void slabs_diff(const struct slabs *a, const struct slabs *b, int n)
{
	for (int i = 0; i < b->n; i++)
		for (int j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i]) &&
			    (b->bytes[i] - a->bytes[j]) / n > 4)
				fprintf(stderr, "park_mem: %s +%.1f B/conn\n",
					b->name[i], (b->bytes[i] - a->bytes[j]) / n);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 1 << 20, 1 << 20 };
	struct mem a0, a1, b0, b1, b2;
	static struct slabs sa, sb;
	double ep_free, ep_obj, rec, table;
	int v6, n, *cli, *srv, i;

	if (argc != 5)
		return fprintf(stderr, "usage: park_mem SRV_NS CLI_NS 4|6 N\n"), 64;
	v6 = atoi(argv[3]) == 6;
	n = atoi(argv[4]);
	if (n <= 0 || setrlimit(RLIMIT_NOFILE, &rl))
		die("N / RLIMIT_NOFILE");
	cli = calloc(n, sizeof(int));
	srv = calloc(n, sizeof(int));
	if (!cli || !srv)
		die("calloc");

	/* Stock: both ends are idle ESTABLISHED endpoints. */
	a0 = meminfo();
	make_pairs(argv[1], argv[2], v6, 7100, n, 0, cli, srv);
	a1 = meminfo();
	ep_free = per(a1.free_kb, a0.free_kb, 2 * n);
	ep_obj = (a1.obj_bytes - a0.obj_bytes) / (2.0 * n);
	reset_all(srv, n);
	reset_all(cli, n);

	/* tcpark: the server parks; left are N client endpoints + N records. */
	b0 = meminfo();
	slabs_read(&sa);
	make_pairs(argv[1], argv[2], v6, 7200, n, 1, cli, srv);
	b1 = meminfo();
	for (i = 0; i < n; i++)
		close(srv[i]);
	b2 = meminfo();
	slabs_read(&sb);
	/* Minus the client endpoints, from a stock run of the same shape. */
	slabs_diff(&sa, &sb, n);
	rec = slabs_delta(&sa, &sb, "tcpark_record") / n;
	table = table_bytes(argv[1]) / n;
	printf("{\"family\":%d,\"n\":%d,"
	       "\"stock_endpoint_objects\":%.0f,\"stock_endpoint_memfree\":%.0f,"
	       "\"tcpark_active_extra_objects\":%.0f,"
	       "\"parked_record\":%.1f,\"parked_total\":%.1f,"
	       "\"parked_objects_all_caches\":%.0f}\n",
	       v6 ? 6 : 4, n, ep_obj, ep_free,
	       (b1.obj_bytes - b0.obj_bytes) / n - 2 * ep_obj,
	       rec, table,
	       (b2.obj_bytes - b0.obj_bytes) / n - ep_obj);
	reset_all(cli, n);
	return 0;
}
