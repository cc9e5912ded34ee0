// SPDX-License-Identifier: GPL-2.0
/*
 * ulp_set [NAME]: attach the TCP ULP NAME (default "tcpark") to a fresh
 * TCP socket and, for tcpark, read TCPARK_INFO back. Exit 0 on success.
 * setsockopt(TCP_ULP) loads the module on demand (MODULE_ALIAS_TCP_ULP).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : TCPARK_ULP_NAME;
	struct tcpark_info info;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (ulp_set(fd, name)) {
		printf("setsockopt(TCP_ULP, \"%s\"): %s\n", name, strerror(errno));
		return 1;
	}
	if (strcmp(name, TCPARK_ULP_NAME)) {
		printf("setsockopt(TCP_ULP, \"%s\"): ok\n", name);
		return 0;
	}
	if (!ulp_is_tcpark(fd) || tcpark_info(fd, &info)) {
		printf("TCP_ULP/TCPARK_INFO read back: %s\n", strerror(errno));
		return 1;
	}
	if (info.tpi_state != TCPARK_STATE_ACTIVE || info.tpi_cookie != so_cookie(fd)) {
		printf("TCPARK_INFO: state %u cookie %llu, want %u and %llu\n",
		       info.tpi_state, (unsigned long long)info.tpi_cookie,
		       TCPARK_STATE_ACTIVE, (unsigned long long)so_cookie(fd));
		return 1;
	}
	printf("setsockopt(TCP_ULP, \"%s\"): ok, TCPARK_INFO state %u\n",
	       name, info.tpi_state);
	return 0;
}
