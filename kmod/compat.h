/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the Debian 6.1 and 6.12 kernels that tcpark
 * meets lives here; the .c files contain no version #if. Kbuild
 * force-includes this file, so it includes what it needs itself.
 *
 * Differences are detected from the headers' shapes, not from
 * LINUX_VERSION_CODE, because Debian backports change signatures inside
 * a stable series (docs/design.md §14): kmod/Kbuild greps the headers and
 * passes TCPARK_HAVE_* defines.
 */
#ifndef _TCPARK_COMPAT_H
#define _TCPARK_COMPAT_H

#include <linux/bpf-cgroup.h>
#include <linux/slab.h>
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

/*
 * A cache of its own, never merged with another of its size: slabinfo
 * then counts records and nothing else. SLAB_NO_MERGE came in 6.5;
 * before it, a cache with a usercopy region is never merged
 * (kmem_cache_create_usercopy() skips __kmem_cache_alias()), so 6.1 gets
 * one: [@useroffset, +@usersize), which must be a field userspace may
 * see anyway. A constructor would also stop the merge, but SLUB then
 * keeps the free pointer after the object (freeptr_outside_object()),
 * which grows a 128-byte object's slot by 8 bytes.
 */
static inline struct kmem_cache *
tcpark_cache_create_unmerged(const char *name, unsigned int size,
			     slab_flags_t flags, unsigned int useroffset,
			     unsigned int usersize)
{
#ifdef SLAB_NO_MERGE
	return kmem_cache_create(name, size, 0, flags | SLAB_NO_MERGE, NULL);
#else
	return kmem_cache_create_usercopy(name, size, 0, flags, useroffset,
					  usersize, NULL);
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

/*
 * Multicast group flags (GENL_MCAST_CAP_NET_ADMIN, checked by genl_bind())
 * came in 6.7 and were backported to 6.1.70; Debian's 6.1 and 6.12 both
 * have them. Without them the events group would hand records' sequence
 * numbers to any local user: refuse to build rather than leak.
 */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "tcpark needs GENL_MCAST_CAP_NET_ADMIN (Linux 6.7, or 6.1.70 and later)"
#endif

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

/*
 * How long TS.Recent stays valid without a refresh (tcp_paws_check()):
 * 24 days on 6.1 (RFC 7323 §5.5); 6.12 gives up after TCP_PAWS_WRAP
 * seconds, as a usec TSval clock wraps its half range in ~2147 s.
 */
#ifdef TCP_PAWS_WRAP
#define TCPARK_PAWS_STALE_SEC	TCP_PAWS_WRAP
#else
#define TCPARK_PAWS_STALE_SEC	TCP_PAWS_24DAYS
#endif

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
 * The cgroup BPF bind programs (BPF_CGROUP_INET{4,6}_BIND) as
 * BPF_CGROUP_RUN_PROG_INET_BIND_LOCK() runs them, for a caller that holds
 * the socket lock already; 6.7 added the address length. @flags gets
 * BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE if a program granted that.
 */
static inline int tcpark_cgroup_bind(struct sock *sk, struct sockaddr *uaddr,
				     int len, u32 *flags)
{
#ifdef CONFIG_CGROUP_BPF
	enum cgroup_bpf_attach_type atype;

	/* The static keys want constant indices. */
	if (sk->sk_family == AF_INET6) {
		if (!cgroup_bpf_enabled(CGROUP_INET6_BIND))
			return 0;
		atype = CGROUP_INET6_BIND;
	} else {
		if (!cgroup_bpf_enabled(CGROUP_INET4_BIND))
			return 0;
		atype = CGROUP_INET4_BIND;
	}
#ifdef TCPARK_HAVE_SOCK_ADDR_LEN
	return __cgroup_bpf_run_filter_sock_addr(sk, uaddr, &len, atype, NULL,
						 flags);
#else
	return __cgroup_bpf_run_filter_sock_addr(sk, uaddr, atype, NULL, flags);
#endif
#else
	return 0;
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
