/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the Debian 6.1 and 6.12 kernels that tcpark
 * meets lives here; the .c files contain no version #if. Kbuild
 * force-includes this file, so it includes what it needs itself.
 *
 * Differences are detected from the headers' shapes, not from
 * LINUX_VERSION_CODE, because Debian backports change signatures inside
 * a stable series (DESIGN.md §9): kmod/Kbuild greps the headers and
 * passes TCPARK_HAVE_* defines.
 */
#ifndef _TCPARK_COMPAT_H
#define _TCPARK_COMPAT_H

#include <linux/sysctl.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/tcp.h>

/* 6.11 made proc_handler take a const table. */
#ifdef TCPARK_HAVE_CONST_CTL_TABLE
#define TCPARK_CTL_CONST const
#else
#define TCPARK_CTL_CONST
#endif

/*
 * 6.6 added register_net_sysctl_sz() (tables lose their sentinel) and made
 * register_net_sysctl() a macro that needs an array. Our tables are
 * kcalloc()ed with n entries plus a zeroed sentinel, which suits both.
 */
static inline struct ctl_table_header *
tcpark_register_net_sysctl(struct net *net, const char *path,
			   struct ctl_table *table, size_t n)
{
#ifdef TCPARK_HAVE_REGISTER_NET_SYSCTL_SZ
	return register_net_sysctl_sz(net, path, table, n);
#else
	return register_net_sysctl(net, path, table);
#endif
}

/* 6.7 moved a dump's parsed attributes into genl_dumpit_info.info. */
static inline struct nlattr **tcpark_dump_attrs(struct netlink_callback *cb)
{
#ifdef TCPARK_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* MD5 exists on both kernels as configured; TCP-AO came in 6.7. */
static inline bool tcpark_sk_has_auth(const struct sock *sk)
{
#ifdef CONFIG_TCP_MD5SIG
	if (rcu_access_pointer(tcp_sk(sk)->md5sig_info))
		return true;
#endif
#ifdef CONFIG_TCP_AO
	if (rcu_access_pointer(tcp_sk(sk)->ao_info))
		return true;
#endif
	return false;
}

/*
 * TSval clock: 6.7 added per-connection usec timestamps
 * (tp->tcp_usec_ts, tcp_clock_ts()); 6.1 has only the ms clock.
 */
static inline u32 tcpark_tcp_clock_ts(bool usec_ts)
{
#ifdef TCPARK_HAVE_TCP_CLOCK_TS
	return tcp_clock_ts(usec_ts);
#else
	return tcp_time_stamp_raw();
#endif
}

static inline bool tcpark_tp_usec_ts(const struct tcp_sock *tp)
{
#ifdef TCPARK_HAVE_TCP_CLOCK_TS
	return tp->tcp_usec_ts;
#else
	return false;
#endif
}

static inline void tcpark_tp_set_usec_ts(struct tcp_sock *tp, bool on)
{
#ifdef TCPARK_HAVE_TCP_CLOCK_TS
	tp->tcp_usec_ts = on;
#endif
}

/* The request-sock twin of tcp_usec_ts came with it. */
static inline void tcpark_req_set_usec_ts(struct tcp_request_sock *treq,
					  bool on)
{
#ifdef TCPARK_HAVE_TCP_CLOCK_TS
	treq->req_usec_ts = on;
#endif
}

/* 6.10 gave __tcp_send_ack() the flags to send with. */
static inline void tcpark_tcp_send_ack(struct sock *sk)
{
#ifdef TCPARK_HAVE_SEND_ACK_FLAGS
	__tcp_send_ack(sk, tcp_sk(sk)->rcv_nxt, 0);
#else
	__tcp_send_ack(sk, tcp_sk(sk)->rcv_nxt);
#endif
}

/*
 * The memory cgroup a socket's memory is charged to (NULL: none). 6.1
 * and 6.12 both keep it in sk->sk_memcg, set by mem_cgroup_sk_alloc();
 * later kernels hide it behind mem_cgroup_from_sk().
 */
static inline struct mem_cgroup *tcpark_sk_memcg(const struct sock *sk)
{
	return mem_cgroup_sockets_enabled ? READ_ONCE(sk->sk_memcg) : NULL;
}

#endif /* _TCPARK_COMPAT_H */
