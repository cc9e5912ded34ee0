/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the tcpark system (docs/design.md §3a): what happens to
 * parked records and to the sockets that park, for tracefs, perf and BPF
 * (bpftrace's tracepoint:tcpark:*). Every event carries the netns cookie,
 * the connection's socket cookie (a record keeps its socket's: the same
 * number `tcparkctl show` and the netlink events print) and the 4-tuple,
 * stored as include/trace/events/tcp.h stores it: a struct sockaddr_in or
 * sockaddr_in6 per end, printed with %pISpc; IPv4 connections (a record
 * keeps them v4-mapped) are stored as sockaddr_in.
 *
 * Tracefs is for the init user namespace's root only; the sequence
 * numbers here are what TCP's own tcp_probe event shows.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tcpark

#if !defined(_TCPARK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TCPARK_TRACE_H

#include <linux/tracepoint.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "record.h"
#include "tcpark.h"

#ifndef _TCPARK_TRACE_HELPERS
#define _TCPARK_TRACE_HELPERS
/* One end of a record's key as the sockaddr TCP's tracepoints store. */
static inline void tcpark_trace_addr(u8 *to, const struct in6_addr *addr,
				     __be16 port)
{
	if (ipv6_addr_v4mapped(addr)) {
		struct sockaddr_in *v4 = (void *)to;

		v4->sin_family = AF_INET;
		v4->sin_port = port;
		v4->sin_addr.s_addr = addr->s6_addr32[3];
	} else {
		struct sockaddr_in6 *v6 = (void *)to;

		v6->sin6_family = AF_INET6;
		v6->sin6_port = port;
		v6->sin6_addr = *addr;
	}
}

/* Both ends of @sk, v4-mapped IPv6 ones as IPv4. */
static inline void tcpark_trace_sk_addrs(u8 *laddr, u8 *raddr,
					 const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct in6_addr l, r;

	if (sk->sk_family == AF_INET6) {
		l = sk->sk_v6_rcv_saddr;
		r = sk->sk_v6_daddr;
	} else {
		ipv6_addr_set_v4mapped(inet->inet_saddr, &l);
		ipv6_addr_set_v4mapped(inet->inet_daddr, &r);
	}
	tcpark_trace_addr(laddr, &l, inet->inet_sport);
	tcpark_trace_addr(raddr, &r, inet->inet_dport);
}
#endif

/* The enum values for user space (perf, bpftrace), as tcp.h does it. */
TRACE_DEFINE_ENUM(TCPARK_EVENT_EXPIRED);
TRACE_DEFINE_ENUM(TCPARK_EVENT_KILLED);
TRACE_DEFINE_ENUM(TCPARK_REASON_NONE);
TRACE_DEFINE_ENUM(TCPARK_REASON_PEER_RESET);
TRACE_DEFINE_ENUM(TCPARK_REASON_PROBES);
TRACE_DEFINE_ENUM(TCPARK_REASON_PEER_TIMEOUT);
TRACE_DEFINE_ENUM(TCPARK_REASON_WAKE_TIMEOUT);
TRACE_DEFINE_ENUM(TCPARK_REASON_KILL);
TRACE_DEFINE_ENUM(TCPARK_REASON_NETNS_EXIT);
TRACE_DEFINE_ENUM(TCPARK_REASON_ICMP);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_STATE);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_UNACKED);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_UNREAD);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_AUTH);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_PINNED);
TRACE_DEFINE_ENUM(TCPARK_REFUSED_LIMIT);

/* A record's identity (netns, cookie, both ends) and its seqs. */
#define TCPARK_TRACE_REC_ASSIGN(net, rec)				\
	do {								\
		const struct tcpark_record *__r = (rec);		\
									\
		__entry->netns = (net)->net_cookie;			\
		__entry->cookie = __r->cookie;				\
		memset(__entry->laddr, 0, sizeof(__entry->laddr));	\
		memset(__entry->raddr, 0, sizeof(__entry->raddr));	\
		tcpark_trace_addr(__entry->laddr, &__r->key.laddr,	\
				  __r->key.lport);			\
		tcpark_trace_addr(__entry->raddr, &__r->key.raddr,	\
				  __r->key.rport);			\
		__entry->snd_nxt = __r->snd_nxt;			\
		__entry->rcv_nxt = __r->rcv_nxt;			\
	} while (0)

DECLARE_EVENT_CLASS(tcpark_record_class,
		    TP_PROTO(const struct net *net,
			     const struct tcpark_record *rec),
		    TP_ARGS(net, rec),
		    TP_STRUCT__entry(__field(u64, netns)
				     __field(u64, cookie)
				     __array(u8, laddr, sizeof(struct sockaddr_in6))
				     __array(u8, raddr, sizeof(struct sockaddr_in6))
				     __field(u32, snd_nxt)
				     __field(u32, rcv_nxt)),
		    TP_fast_assign(TCPARK_TRACE_REC_ASSIGN(net, rec);),
		    TP_printk("netns=%llu cookie=%llu laddr=%pISpc raddr=%pISpc snd_nxt=%u rcv_nxt=%u",
			      __entry->netns, __entry->cookie, __entry->laddr,
			      __entry->raddr, __entry->snd_nxt,
			      __entry->rcv_nxt)
);

/* The events of a record that carry nothing more. */
#define TCPARK_RECORD_EVENT(name)					\
	DEFINE_EVENT(tcpark_record_class, name,				\
		     TP_PROTO(const struct net *net,			\
			      const struct tcpark_record *rec),		\
		     TP_ARGS(net, rec))

/* A socket became this record (transient.c). */
TCPARK_RECORD_EVENT(tcpark_park);

/* The peer's keepalive probe answered by the record (input.c). */
TCPARK_RECORD_EVENT(tcpark_keepalive_answered);

/* RFC 5961's challenge ACK sent by the record (input.c). */
TCPARK_RECORD_EVENT(tcpark_challenge_ack);

/* The peer's data woke the record through the listener (reactivate.c). */
TCPARK_RECORD_EVENT(tcpark_reactivate);

/* A connect() took the record over (remap.c). */
TCPARK_RECORD_EVENT(tcpark_remap);

/* The module's own keepalive probe, @probes_out of them now (probe.c). */
TRACE_EVENT(tcpark_probe_sent,
	    TP_PROTO(const struct net *net, const struct tcpark_record *rec,
		     u8 probes_out),
	    TP_ARGS(net, rec, probes_out),
	    TP_STRUCT__entry(__field(u64, netns)
			     __field(u64, cookie)
			     __array(u8, laddr, sizeof(struct sockaddr_in6))
			     __array(u8, raddr, sizeof(struct sockaddr_in6))
			     __field(u32, snd_nxt)
			     __field(u32, rcv_nxt)
			     __field(u8, probes_out)),
	    TP_fast_assign(TCPARK_TRACE_REC_ASSIGN(net, rec);
			   __entry->probes_out = probes_out;),
	    TP_printk("netns=%llu cookie=%llu laddr=%pISpc raddr=%pISpc snd_nxt=%u rcv_nxt=%u probes_out=%u",
		      __entry->netns, __entry->cookie, __entry->laddr,
		      __entry->raddr, __entry->snd_nxt, __entry->rcv_nxt,
		      __entry->probes_out)
);

/* The record ended: expired (with its reason) or killed (record.c). */
TRACE_EVENT(tcpark_record_end,
	    TP_PROTO(const struct net *net, const struct tcpark_record *rec,
		     int event, int reason),
	    TP_ARGS(net, rec, event, reason),
	    TP_STRUCT__entry(__field(u64, netns)
			     __field(u64, cookie)
			     __array(u8, laddr, sizeof(struct sockaddr_in6))
			     __array(u8, raddr, sizeof(struct sockaddr_in6))
			     __field(u32, snd_nxt)
			     __field(u32, rcv_nxt)
			     __field(int, event)
			     __field(int, reason)),
	    TP_fast_assign(TCPARK_TRACE_REC_ASSIGN(net, rec);
			   __entry->event = event;
			   __entry->reason = reason;),
	    TP_printk("netns=%llu cookie=%llu laddr=%pISpc raddr=%pISpc snd_nxt=%u rcv_nxt=%u event=%s reason=%s",
		      __entry->netns, __entry->cookie, __entry->laddr,
		      __entry->raddr, __entry->snd_nxt, __entry->rcv_nxt,
		      __print_symbolic(__entry->event,
				       { TCPARK_EVENT_EXPIRED, "expired" },
				       { TCPARK_EVENT_KILLED, "killed" }),
		      __print_symbolic(__entry->reason,
				       { TCPARK_REASON_NONE, "none" },
				       { TCPARK_REASON_PEER_RESET, "peer_reset" },
				       { TCPARK_REASON_PROBES, "probes" },
				       { TCPARK_REASON_PEER_TIMEOUT, "peer_timeout" },
				       { TCPARK_REASON_WAKE_TIMEOUT, "wake_timeout" },
				       { TCPARK_REASON_KILL, "kill" },
				       { TCPARK_REASON_NETNS_EXIT, "netns_exit" },
				       { TCPARK_REASON_ICMP, "icmp" }))
);

/*
 * A socket that should have parked did not (park.c, transient.c,
 * defer.c): @reason is the refusal counted in `tcparkctl stats`.
 */
TRACE_EVENT(tcpark_park_refused,
	    TP_PROTO(struct sock *sk, int reason),
	    TP_ARGS(sk, reason),
	    TP_STRUCT__entry(__field(u64, netns)
			     __field(u64, cookie)
			     __array(u8, laddr, sizeof(struct sockaddr_in6))
			     __array(u8, raddr, sizeof(struct sockaddr_in6))
			     __field(int, reason)),
	    /*
	     * The cookie tcparkctl and the events print: made now if nobody
	     * asked yet, as sock_diag makes it for ss (locked, referenced).
	     */
	    TP_fast_assign(__entry->netns = sock_net(sk)->net_cookie;
			   __entry->cookie = tcpark_sock_cookie(sk);
			   memset(__entry->laddr, 0, sizeof(__entry->laddr));
			   memset(__entry->raddr, 0, sizeof(__entry->raddr));
			   tcpark_trace_sk_addrs(__entry->laddr,
						 __entry->raddr, sk);
			   __entry->reason = reason;),
	    TP_printk("netns=%llu cookie=%llu laddr=%pISpc raddr=%pISpc reason=%s",
		      __entry->netns, __entry->cookie, __entry->laddr,
		      __entry->raddr,
		      __print_symbolic(__entry->reason,
				       { TCPARK_REFUSED_STATE, "state" },
				       { TCPARK_REFUSED_UNACKED, "unacked" },
				       { TCPARK_REFUSED_UNREAD, "unread" },
				       { TCPARK_REFUSED_AUTH, "auth" },
				       { TCPARK_REFUSED_PINNED, "pinned" },
				       { TCPARK_REFUSED_LIMIT, "limit" }))
);

#endif /* _TCPARK_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
