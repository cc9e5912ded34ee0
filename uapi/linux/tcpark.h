/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tcpark: park idle TCP connections out of the established hash.
 *
 * Socket interface:
 *	setsockopt(fd, IPPROTO_TCP, TCP_ULP, TCPARK_ULP_NAME, ...);
 *	setsockopt(fd, SOL_TCPARK, TCPARK_IDLE_MS, &ms, sizeof(__u32));
 *	getsockopt(fd, SOL_TCPARK, TCPARK_INFO, &info, &len);
 *
 * Set on a listener, the ULP and every option set on it pass to each
 * accepted child; the child may then override its own. An option never
 * set on the socket (or its listener) follows the network namespace's
 * default (sysctl net.tcpark.*), and getsockopt() returns what is in force.
 *
 * Errors: a value out of range or a wrong optlen gets EINVAL, an unknown
 * option ENOPROTOOPT; a failed call changes nothing.
 *
 * Remap: connect() from a socket with the ULP to the address of a parked
 * peer in the same netns becomes that connection (TCPARK_F_REMAPPED), if
 * it ends ESTABLISHED on exactly the record's 4-tuple and bound device.
 * Otherwise the record stays parked, the socket as it was, and connect()
 * fails with:
 *	EACCES		not the record's owner (the uid of the socket that
 *			parked it) and no CAP_NET_ADMIN in the netns; or an
 *			unbound socket, a port below ip_unprivileged_port_start
 *			and no CAP_NET_BIND_SERVICE, as bind() would say
 *	EPERM		(or another error) a cgroup BPF bind program refused
 *	EADDRINUSE	the socket is bound to the record's port on another
 *			(wildcard) address and got another source address, or
 *			a cgroup BPF bind program moved the address
 *	EINVAL		the socket is bound to another device (SO_BINDTODEVICE,
 *			a link-local scope id) than the record's
 *	EOPNOTSUPP	TCP_FASTOPEN_CONNECT or TCP_REPAIR is on
 *	EADDRNOTAVAIL	a reactivation or kill of the record is under way
 * A socket bound to another address or port asks for another tuple: a
 * plain connect(), as with no record at all.
 */
#ifndef _UAPI_LINUX_TCPARK_H
#define _UAPI_LINUX_TCPARK_H

#include <linux/types.h>

#define TCPARK_ULP_NAME		"tcpark"

/*
 * Private socket option level. The kernel's own SOL_* values are small
 * (SOL_IP 0 ... SOL_VSOCK 287 as of 6.12); 0x5450 ("TP") stays far clear of
 * that range, so a future kernel level cannot collide with it.
 */
#define SOL_TCPARK		0x5450

/* Option names at SOL_TCPARK; the numbers are fixed. */
#define TCPARK_IDLE_MS		1	/* __u32: quiet ms before parking, 0 = never by timer */
#define TCPARK_MODE		2	/* __u32: enum tcpark_mode */
#define TCPARK_KEEPALIVE	3	/* struct tcpark_keepalive */
#define TCPARK_PIN		4	/* __u32: 1 = never park, 0 = may park */
#define TCPARK_PARK		5	/* set only, optlen 0: park now or EBUSY */
#define TCPARK_INFO		6	/* get only: struct tcpark_info */

#define TCPARK_IDLE_MS_MIN	100		/* when not 0 */
#define TCPARK_IDLE_MS_MAX	604800000	/* 7 days */

enum tcpark_mode {
	TCPARK_MODE_PERSISTENT	= 0,	/* app keeps its fd; traffic wakes it */
	TCPARK_MODE_TRANSIENT	= 1,	/* close() parks instead of FIN */
};

/*
 * struct tcpark_keepalive - probes the module itself sends while parked.
 * @interval_ms: 0 = send none, only answer the peer's; else
 *	TCPARK_KA_INTERVAL_MS_MIN..TCPARK_KA_INTERVAL_MS_MAX. Once the peer
 *	has been silent for @interval_ms, a probe (seq = snd_nxt - 1, as
 *	TCP's keepalive) goes out, then one more per @interval_ms of
 *	silence; anything acceptable the peer sends, its answer included,
 *	starts the count again. A parked record is looked at every
 *	@interval_ms / 2 at most, so a probe leaves up to half an interval
 *	late.
 * @probes: unanswered probes before the peer is declared dead: after
 *	@probes + 1 intervals of silence the record ends, with an RST to
 *	the peer (TCPARK_EVENT_EXPIRED, reason TCPARK_REASON_PROBES);
 *	0 = never give up (probes only keep NAT mappings alive). At most
 *	TCPARK_KA_PROBES_MAX.
 */
struct tcpark_keepalive {
	__u32	interval_ms;
	__u32	probes;
};

#define TCPARK_KA_INTERVAL_MS_MIN	1000
#define TCPARK_KA_INTERVAL_MS_MAX	86400000	/* 1 day */
#define TCPARK_KA_PROBES_MAX		255

enum tcpark_state {
	TCPARK_STATE_ACTIVE	= 1,	/* in the established/listen hash */
	TCPARK_STATE_PARKED	= 2,	/* in the inactive table */
};

/* tpi_flags */
#define TCPARK_F_PINNED		0x1	/* TCPARK_PIN is 1 */
#define TCPARK_F_REACTIVATED	0x2	/* came back through accept() */
#define TCPARK_F_REMAPPED	0x4	/* came back through connect() */

/* TCPARK_A_TCP_OPTIONS: what the connection negotiated. */
#define TCPARK_OPT_TIMESTAMPS	0x1
#define TCPARK_OPT_SACK		0x2
#define TCPARK_OPT_WSCALE	0x4
#define TCPARK_OPT_USEC_TS	0x8

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
	__u32	tpi_state;		/* enum tcpark_state */
	__u32	tpi_tcp_state;		/* TCP_ESTABLISHED, TCP_LISTEN, ... */
	__u64	tpi_cookie;		/* the socket's SO_COOKIE */
	/* 0.2: settings in force and counters */
	__u32	tpi_mode;		/* enum tcpark_mode */
	__u32	tpi_idle_ms;
	__u32	tpi_ka_interval_ms;
	__u32	tpi_ka_probes;
	__u32	tpi_flags;		/* TCPARK_F_* */
	__u32	tpi_idle_age_ms;	/* since the last segment either way */
	__u64	tpi_parks;
	__u64	tpi_wakes;
	__u64	tpi_ka_answered;	/* peer keepalives the module answered */
	__u64	tpi_ka_sent;		/* probes the module sent */
};

#define TCPARK_INFO_MIN_LEN	16

/*
 * Generic netlink family TCPARK_GENL_NAME, version TCPARK_GENL_VERSION.
 * Every command acts on the caller's network namespace only. PARK, WAKE,
 * KILL and SET need CAP_NET_ADMIN in that namespace's user namespace.
 *
 * TCPARK_CMD_GET
 *	doit: TCPARK_A_COOKIE -> one TCPARK_CMD_GET message (socket attrs
 *	below), or ENOENT (also for cookie 0, which names no socket).
 *	dumpit, with optional filters: TCPARK_A_STATE, TCPARK_A_MODE,
 *	TCPARK_A_FAMILY, TCPARK_A_LOCAL_ADDR (+ TCPARK_A_LOCAL_PREFIX),
 *	TCPARK_A_LOCAL_PORT, TCPARK_A_REMOTE_ADDR (+ TCPARK_A_REMOTE_PREFIX),
 *	TCPARK_A_REMOTE_PORT -> one message per socket (a dump during which
 *	a socket attached or detached or a record came or went carries
 *	NLM_F_DUMP_INTR: it may miss or repeat one; parks churn on a busy
 *	server, so retry a bounded number of times, if at all):
 *		COOKIE, STATE, TCP_STATE, MODE, FAMILY, LOCAL_ADDR, LOCAL_PORT,
 *		REMOTE_ADDR, REMOTE_PORT, UID, IDLE_MS, KA_INTERVAL_MS,
 *		KA_PROBES, FLAGS, IDLE_AGE_MS, PARKS, WAKES, KA_ANSWERED,
 *		KA_SENT
 *	and for a parked transient record (state PARKED, mode TRANSIENT)
 *		COOKIE, STATE, TCP_STATE, MODE, FAMILY, addresses, ports, UID,
 *		KA_INTERVAL_MS, KA_PROBES (what the record probes with: the
 *		socket's TCPARK_KEEPALIVE at its park), MSS, SND_WSCALE,
 *		RCV_WSCALE, TCP_OPTIONS, and
 *		SND_NXT, RCV_NXT, SND_WND, RCV_WND, IDLE_AGE_MS (since the
 *		peer's last acceptable segment), PEER_SILENT_MS (since the
 *		peer last sent anything the record took: data, ACK,
 *		keepalive), KA_ANSWERED (the peer's keepalives answered,
 *		saturating at 255), PROBES_OUT (unanswered probes now)
 *	The second group goes only to a requester with CAP_NET_ADMIN in the
 *	netns's user namespace (as TCP_REPAIR): sequence numbers, and the
 *	stamps and counts that forged segments would move, which would tell
 *	their sender which ones the record accepted. Others get the first
 *	group, as ss(8) shows such things.
 * TCPARK_CMD_STATS -> STAT_* attributes (STAT_INELIGIBLE is the sum of
 *	the STAT_REFUSED_* reasons) and the namespace's defaults and
 *	limits (IDLE_MS, MODE, KA_INTERVAL_MS, KA_PROBES, MAX_PARKED,
 *	MAX_PARKED_MEM_MB, WAKE_TIMEOUT_MS, MAX_PARKED_PER_UID,
 *	PEER_TIMEOUT_MS, ACTIVE_HIGH, ACTIVE_LOW).
 * TCPARK_CMD_PARK, _WAKE, _KILL: TCPARK_A_COOKIE, or the GET filters (at
 *	least one; cookie 0 names no socket: EINVAL); the reply carries
 *	TCPARK_A_MATCHED and TCPARK_A_DONE. Nothing matched: ENOENT. With a
 *	cookie, the socket's error is the errno (EBUSY not eligible to park,
 *	EALREADY already in that state, EINVAL a listener for KILL).
 *	KILL resets the connection: the peer gets an RST, the app ECONNABORTED.
 * TCPARK_CMD_SET: any of IDLE_MS, MODE, KA_INTERVAL_MS, KA_PROBES,
 *	MAX_PARKED, MAX_PARKED_MEM_MB, WAKE_TIMEOUT_MS, MAX_PARKED_PER_UID,
 *	PEER_TIMEOUT_MS, ACTIVE_HIGH, ACTIVE_LOW;
 *	the same ranges as the sysctls (the constants above); a value
 *	outside its range gets ERANGE. All are checked before any is
 *	applied. In a netns of a user namespace other than the initial one,
 *	a limit (MAX_PARKED*) above the init netns's is refused: EPERM.
 * Multicast group TCPARK_GENL_MCGRP_EVENTS: TCPARK_CMD_EVENT messages with
 *	TCPARK_A_EVENT (enum tcpark_event) and the socket attributes, all of
 *	them; an EXPIRED or KILLED record's also carry TCPARK_A_REASON.
 *	Joining it needs CAP_NET_ADMIN in the netns's user namespace (EPERM
 *	otherwise).
 */
#define TCPARK_GENL_NAME		"tcpark"
#define TCPARK_GENL_VERSION		1
#define TCPARK_GENL_MCGRP_EVENTS	"events"

enum tcpark_cmd {
	TCPARK_CMD_UNSPEC,
	TCPARK_CMD_GET,
	TCPARK_CMD_STATS,
	TCPARK_CMD_PARK,
	TCPARK_CMD_WAKE,
	TCPARK_CMD_KILL,
	TCPARK_CMD_SET,
	TCPARK_CMD_EVENT,	/* notifications only */

	__TCPARK_CMD_MAX,
	TCPARK_CMD_MAX = __TCPARK_CMD_MAX - 1
};

enum tcpark_event {
	TCPARK_EVENT_PARKED	= 1,
	TCPARK_EVENT_WOKEN,
	TCPARK_EVENT_REMAPPED,
	TCPARK_EVENT_REACTIVATED,
	TCPARK_EVENT_EXPIRED,
	TCPARK_EVENT_KILLED,
};

/* TCPARK_A_REASON: why a parked record ended. */
enum tcpark_reason {
	TCPARK_REASON_NONE		= 0,	/* events other than EXPIRED */
	TCPARK_REASON_PEER_RESET	= 1,	/* the peer's RST at rcv_nxt */
	TCPARK_REASON_PROBES,		/* keepalive probes unanswered */
	TCPARK_REASON_PEER_TIMEOUT,	/* silent for peer_timeout_ms */
	TCPARK_REASON_WAKE_TIMEOUT,	/* its data found no listener */
	TCPARK_REASON_KILL,		/* TCPARK_CMD_KILL */
	TCPARK_REASON_NETNS_EXIT,	/* netns deleted or module unloaded */
	TCPARK_REASON_ICMP,		/* a hard ICMP error answering a probe */
};

/*
 * net.tcpark.active_high / active_low (TCPARK_A_ACTIVE_HIGH, _LOW): when
 * the namespace's ESTABLISHED tcpark sockets pass active_high (0 = never),
 * or TCP is under memory pressure, the quietest eligible transient ones
 * are parked, as the idle timer parks them, until active_low are left
 * (at most active_high). 0..TCPARK_ACTIVE_MAX.
 */
#define TCPARK_ACTIVE_MAX		1073741824U	/* 2^30 */

/* net.tcpark.peer_timeout_ms (and TCPARK_A_PEER_TIMEOUT_MS): 0 = never. */
#define TCPARK_PEER_TIMEOUT_MS_MIN	1000
#define TCPARK_PEER_TIMEOUT_MS_MAX	2592000000U	/* 30 days */

/*
 * The namespace's limits (sysctls, TCPARK_CMD_SET): max_parked,
 * max_parked_mem_mb and max_parked_per_uid 0..their MAX (max_parked 0:
 * no parking in the namespace); wake_timeout_ms MIN..MAX, never 0 (a
 * record whose data nobody takes must not wait forever). The values
 * above and these are the only ranges: the kernel and tcparkctl both
 * check against them.
 */
#define TCPARK_MAX_PARKED_MAX		1073741824U	/* 2^30 */
#define TCPARK_MAX_PARKED_MEM_MB_MAX	1048576U	/* 1 TiB */
#define TCPARK_MAX_PARKED_PER_UID_MAX	1073741824U
#define TCPARK_WAKE_TIMEOUT_MS_MIN	100
#define TCPARK_WAKE_TIMEOUT_MS_MAX	3600000		/* 1 hour */

enum tcpark_attr {
	TCPARK_A_UNSPEC,
	TCPARK_A_PAD,
	TCPARK_A_COOKIE,		/* u64 */
	TCPARK_A_STATE,			/* u32 enum tcpark_state */
	TCPARK_A_TCP_STATE,		/* u32 */
	TCPARK_A_MODE,			/* u32 enum tcpark_mode */
	TCPARK_A_FAMILY,		/* u16 AF_INET | AF_INET6 */
	TCPARK_A_LOCAL_ADDR,		/* binary, 4 or 16 bytes */
	TCPARK_A_LOCAL_PORT,		/* u16, host order */
	TCPARK_A_REMOTE_ADDR,		/* binary, 4 or 16 bytes */
	TCPARK_A_REMOTE_PORT,		/* u16, host order */
	TCPARK_A_LOCAL_PREFIX,		/* u8, filter prefix length */
	TCPARK_A_REMOTE_PREFIX,		/* u8, filter prefix length */
	TCPARK_A_UID,			/* u32, socket owner */
	TCPARK_A_IDLE_MS,		/* u32 */
	TCPARK_A_KA_INTERVAL_MS,	/* u32 */
	TCPARK_A_KA_PROBES,		/* u32 */
	TCPARK_A_FLAGS,			/* u32 TCPARK_F_* */
	TCPARK_A_IDLE_AGE_MS,		/* u32 */
	TCPARK_A_PARKS,			/* u64 */
	TCPARK_A_WAKES,			/* u64 */
	TCPARK_A_KA_ANSWERED,		/* u64 */
	TCPARK_A_KA_SENT,		/* u64 */
	TCPARK_A_MAX_PARKED,		/* u32 */
	TCPARK_A_MAX_PARKED_MEM_MB,	/* u32 */
	TCPARK_A_STAT_SOCKETS,		/* u64: sockets carrying the ULP */
	TCPARK_A_STAT_PARKED,		/* u64: connections parked now */
	TCPARK_A_STAT_PARKED_BYTES,	/* u64: memory they hold */
	TCPARK_A_STAT_PARKS,		/* u64: counters since the netns began */
	TCPARK_A_STAT_WAKES,		/* u64 */
	TCPARK_A_STAT_KA_ANSWERED,	/* u64 */
	TCPARK_A_STAT_CHALLENGE_ACKS,	/* u64 */
	TCPARK_A_STAT_DROPS,		/* u64 */
	TCPARK_A_STAT_KILLS,		/* u64 */
	TCPARK_A_STAT_INELIGIBLE,	/* u64: park attempts refused */
	TCPARK_A_MATCHED,		/* u32: sockets a command matched */
	TCPARK_A_DONE,			/* u32: ... and acted on */
	TCPARK_A_EVENT,			/* u32 enum tcpark_event */
	TCPARK_A_SND_NXT,		/* u32: parked records only */
	TCPARK_A_RCV_NXT,		/* u32 */
	TCPARK_A_SND_WND,		/* u32, bytes */
	TCPARK_A_RCV_WND,		/* u32, bytes */
	TCPARK_A_MSS,			/* u16 */
	TCPARK_A_SND_WSCALE,		/* u8 */
	TCPARK_A_RCV_WSCALE,		/* u8 */
	TCPARK_A_TCP_OPTIONS,		/* u32 TCPARK_OPT_* */
	TCPARK_A_STAT_REFUSED_STATE,	/* u64: parks refused: not ESTABLISHED */
	TCPARK_A_STAT_REFUSED_UNACKED,	/* u64: data in flight or unsent */
	TCPARK_A_STAT_REFUSED_UNREAD,	/* u64: data the app had not read */
	TCPARK_A_STAT_REFUSED_AUTH,	/* u64: MD5/AO signed */
	TCPARK_A_STAT_REFUSED_PINNED,	/* u64: TCPARK_PIN */
	TCPARK_A_STAT_REFUSED_LIMIT,	/* u64: max_parked / max_parked_mem_mb */
	TCPARK_A_STAT_REACTIVATED,	/* u64: records handed to accept() */
	TCPARK_A_STAT_REMAPPED,		/* u64: records taken by connect() */
	TCPARK_A_STAT_WAKE_NO_LISTENER,	/* u64: segments held: no listener */
	TCPARK_A_STAT_WAKE_BACKLOG,	/* u64: segments held: accept queue full */
	TCPARK_A_STAT_WAKE_EXPIRED,	/* u64: records reset after wake_timeout_ms */
	TCPARK_A_WAKE_TIMEOUT_MS,	/* u32: netns default, SET and STATS */
	TCPARK_A_MAX_PARKED_PER_UID,	/* u32: netns limit, SET and STATS */
	TCPARK_A_PEER_TIMEOUT_MS,	/* u32: netns default, SET and STATS */
	TCPARK_A_REASON,		/* u32 enum tcpark_reason, events */
	TCPARK_A_PROBES_OUT,		/* u32: a record's unanswered probes */
	TCPARK_A_PEER_SILENT_MS,	/* u32: since the peer last sent */
	TCPARK_A_STAT_PROBES_SENT,	/* u64: keepalive probes sent */
	TCPARK_A_STAT_EXPIRED_PROBES,	/* u64: records ended: no answer */
	TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT, /* u64: ... peer_timeout_ms */
	TCPARK_A_STAT_PEER_RESETS,	/* u64: ... the peer's RST */
	TCPARK_A_STAT_EXPIRED_ICMP,	/* u64: ... a hard ICMP error */
	TCPARK_A_STAT_ICMP_SOFT,	/* u64: soft ICMP errors (counted only) */
	TCPARK_A_STAT_ICMP_IGNORED,	/* u64: ICMP quoting a seq we never sent */
	TCPARK_A_STAT_DEFERRED,		/* u64: close()s that waited for ACKs */
	TCPARK_A_STAT_DEFERRED_PARKED,	/* u64: ... and then parked */
	TCPARK_A_STAT_DEFERRED_CLOSED,	/* u64: ... and then closed as TCP */
	TCPARK_A_STAT_DEFERRING,	/* u64: closed sockets waiting now */
	TCPARK_A_ACTIVE_HIGH,		/* u32: netns default, SET and STATS */
	TCPARK_A_ACTIVE_LOW,		/* u32: netns default, SET and STATS */
	TCPARK_A_STAT_PRESSURE_PARKS,	/* u64: parked by the pressure policy */

	__TCPARK_A_MAX,
	TCPARK_A_MAX = __TCPARK_A_MAX - 1
};

#endif /* _UAPI_LINUX_TCPARK_H */
