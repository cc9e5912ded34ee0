/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tcpark: park idle TCP connections out of the established hash.
 *
 * Use:
 *	setsockopt(fd, IPPROTO_TCP, TCP_ULP, TCPARK_ULP_NAME, sizeof(...));
 *	getsockopt(fd, SOL_TCPARK, TCPARK_INFO, &info, &len);
 *
 * Set on a listener, the ULP (and its settings) passes to every accepted
 * child.
 */
#ifndef _UAPI_LINUX_TCPARK_H
#define _UAPI_LINUX_TCPARK_H

#include <linux/types.h>

#define TCPARK_ULP_NAME		"tcpark"

/*
 * Private socket option level. The kernel's own SOL_* values are small
 * (SOL_IP 0 ... SOL_VSOCK 287 as of 6.12); 0x5450 ("TP") stays far clear of
 * that range, so a future kernel level cannot collide with it, and
 * tcp_setsockopt() passes any level it does not know to the ULP's proto.
 */
#define SOL_TCPARK		0x5450

/*
 * Option names at SOL_TCPARK. Numbers are fixed; options 1-5
 * (IDLE_MS, MODE, KEEPALIVE, PIN, PARK) are reserved for the control plane.
 */
#define TCPARK_INFO		6	/* struct tcpark_info, get only */

enum tcpark_state {
	TCPARK_STATE_ACTIVE	= 1,	/* in the established/listen hash */
	TCPARK_STATE_PARKED	= 2,	/* in the inactive table */
};

/*
 * struct tcpark_info - what getsockopt(SOL_TCPARK, TCPARK_INFO) returns.
 *
 * Growth rule (as struct tcp_info): fields are only ever appended. The
 * kernel copies min(optlen, sizeof(struct tcpark_info)) bytes and writes
 * the number copied back to optlen, so a program built against an older
 * header keeps working and a newer one can tell which fields were filled.
 * An optlen below TCPARK_INFO_MIN_LEN gets EINVAL.
 */
struct tcpark_info {
	__u32	tpi_state;	/* enum tcpark_state */
	__u32	tpi_tcp_state;	/* TCP_ESTABLISHED, TCP_LISTEN, ... */
	__u64	tpi_cookie;	/* the socket's SO_COOKIE */
};

#define TCPARK_INFO_MIN_LEN	16

#endif /* _UAPI_LINUX_TCPARK_H */
