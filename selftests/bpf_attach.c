// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_attach OBJ DIR
 *
 * Load every program of the BPF object OBJ (libbpf), attach each to what
 * its SEC() names (tracepoint/SYSTEM/EVENT), and pin each program's link
 * as DIR/link_PROG and each map as DIR/MAP, DIR being a folder on a bpffs
 * (made if missing). Then exit: the pinned links keep the programs
 * attached, until they are unlinked (rm -r DIR), which detaches them.
 * bpftool 7.1 (Debian bookworm) cannot attach a tracepoint program itself
 * (its "autoattach" came with 7.2). For trace_bpf.sh.
 * Prints "ok prog NAME id ID link PATH" per program, "ok map NAME PATH"
 * per map; exits 1 at the first failure, leaving any pins already made.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int libbpf_say(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_prog_info info;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	struct bpf_map *map;
	__u32 len;
	char path[4096];
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: bpf_attach OBJ DIR\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_say);
	if (mkdir(argv[2], 0700) && errno != EEXIST) {
		printf("FAIL: mkdir %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		printf("FAIL: open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("FAIL: load %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		link = bpf_program__attach(prog);
		if (!link) {
			printf("FAIL: attach %s: %s\n", bpf_program__name(prog),
			       strerror(errno));
			return 1;
		}
		snprintf(path, sizeof(path), "%s/link_%s", argv[2],
			 bpf_program__name(prog));
		err = bpf_link__pin(link, path);
		if (err) {
			printf("FAIL: pin %s: %s\n", path, strerror(-err));
			return 1;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		err = bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
		if (err) {
			printf("FAIL: info of %s: %s\n", bpf_program__name(prog),
			       strerror(errno));
			return 1;
		}
		printf("ok prog %s id %u link %s\n", bpf_program__name(prog),
		       info.id, path);
	}
	bpf_object__for_each_map(map, obj) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], bpf_map__name(map));
		err = bpf_map__pin(map, path);
		if (err) {
			printf("FAIL: pin %s: %s\n", path, strerror(-err));
			return 1;
		}
		printf("ok map %s %s\n", bpf_map__name(map), path);
	}
	/* The pins hold all that is needed; our fds go with us. */
	bpf_object__close(obj);
	return 0;
}
