/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpark internals shared between the module's files.
 */
#ifndef _TCPARK_H
#define _TCPARK_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sockptr.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/tcpark.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

#include "record.h"

/* The per-socket settings; the netns defaults have the same shape. */
struct tcpark_settings {
	u32 idle_ms;
	u32 mode;
	u32 ka_interval_ms;
	u32 ka_probes;
	u32 pin;
};

/* Bits of tcpark_sock.set_mask: settings the socket owns. */
enum {
	TCPARK_SET_IDLE		= BIT(0),
	TCPARK_SET_MODE		= BIT(1),
	TCPARK_SET_KEEPALIVE	= BIT(2),
	TCPARK_SET_PIN		= BIT(3),
};

/*
 * struct tcpark_sock - per-socket state, hung on icsk_ulp_data.
 * @sk: the socket.
 * @id: index in the netns registry; dumps walk it in this order.
 * @set_mask: which of @own were set on this socket or its listener;
 *	the others follow the netns defaults at the time they are used.
 * @rcu: freed with kfree_rcu(): a listener's context is read by
 *	tcpark_ulp_clone() in softirq while the listener may be closing
 *	on another CPU.
 */
struct tcpark_sock {
	struct sock *sk;
	u32 id;
	u32 set_mask;
	struct tcpark_settings own;
	u32 flags;
	u64 parks;
	u64 wakes;
	u64 ka_answered;
	u64 ka_sent;
	bool dead;			/* released: the timer stays off */
	/* Closed with data in flight, waiting for its ACKs (defer.c). */
	bool deferred;
	kuid_t defer_uid;		/* the owner, reserved for its park */
	unsigned long defer_until;	/* jiffies: then close as TCP */
	u32 defer_una;			/* snd_una at the last look */
	u32 defer_poll_ms;		/* the timer's interval now */
	/* Reactivated child: the listener to wake at its first data. */
	struct sock *wake_parent;
	void (*saved_data_ready)(struct sock *sk);
	struct timer_list idle_timer;
	struct rcu_head rcu;
};

/* Why a park was refused (counted per netns, TCPARK_A_STAT_REFUSED_*). */
enum tcpark_refusal {
	TCPARK_REFUSED_STATE,		/* not ESTABLISHED */
	TCPARK_REFUSED_UNACKED,		/* data in flight or unsent */
	TCPARK_REFUSED_UNREAD,		/* data the app has not read */
	TCPARK_REFUSED_AUTH,		/* MD5/AO signed */
	TCPARK_REFUSED_PINNED,
	TCPARK_REFUSED_LIMIT,		/* a limit of limits.c */
	TCPARK_REFUSED_MAX
};

/* Why data from a parked peer could not be handed to accept(). */
enum tcpark_wake_refusal {
	TCPARK_WAKE_OK,
	TCPARK_WAKE_NO_LISTENER,	/* none, not ours, or MD5/AO signed */
	TCPARK_WAKE_BACKLOG,		/* its accept queue is full */
};

/* Netns defaults (net.tcpark.* sysctls, TCPARK_CMD_SET) and limits. */
struct tcpark_defaults {
	struct tcpark_settings s;	/* pin is not a netns setting */
	u32 max_parked;
	u32 max_parked_mem_mb;
	u32 wake_timeout_ms;		/* then data nobody takes draws an RST */
	u32 max_parked_per_uid;
	u32 peer_timeout_ms;		/* a silent peer's record expires */
	u32 active_high;		/* pressure.c: park above this many */
	u32 active_low;			/* ... down to this many */
};

/*
 * Per-netns counters, per CPU, as the SNMP MIBs keep theirs (an enum
 * indexes them; readers fold the CPUs, snmp_fold_field()): the packet
 * paths that bump them run on every CPU at once. unsigned long: 64 bits
 * on the 64-bit kernels tcpark is built for (a 32-bit one would wrap
 * them at 2^32, as it wraps its MIBs).
 */
enum tcpark_stat {
	TCPARK_ST_PARKS,
	TCPARK_ST_WAKES,
	TCPARK_ST_KA_ANSWERED,
	TCPARK_ST_CHALLENGE_ACKS,
	TCPARK_ST_DROPS,
	TCPARK_ST_KILLS,
	TCPARK_ST_REFUSED,	/* + enum tcpark_refusal */
	TCPARK_ST_REACTIVATED = TCPARK_ST_REFUSED + TCPARK_REFUSED_MAX,
	TCPARK_ST_REMAPPED,
	TCPARK_ST_WAKE_NO_LISTENER,
	TCPARK_ST_WAKE_BACKLOG,
	TCPARK_ST_WAKE_EXPIRED,
	TCPARK_ST_PROBES_SENT,
	TCPARK_ST_EXPIRED_PROBES,
	TCPARK_ST_EXPIRED_PEER_TIMEOUT,
	TCPARK_ST_PEER_RESETS,
	TCPARK_ST_EXPIRED_ICMP,
	TCPARK_ST_ICMP_SOFT,
	TCPARK_ST_ICMP_IGNORED,
	TCPARK_ST_DEFERRED,
	TCPARK_ST_DEFERRED_PARKED,
	TCPARK_ST_DEFERRED_CLOSED,
	TCPARK_ST_PRESSURE_PARKS,
	TCPARK_ST_MAX
};

struct tcpark_stats {
	unsigned long v[TCPARK_ST_MAX];
};

/*
 * The probe sweep (probe.c): a walk of the table that visits every
 * record once per period, a share of them per tick, so that a tick
 * costs what is due rather than the whole table.
 * @ka_class: records probing every [2^c, 2^(c+1)) s, c = index; the
 *	shortest in use sets the period (half of it).
 * @wake_waiting: records whose data waits for a listener; while there
 *	are some, the period is at most half of wake_timeout_ms.
 */
#define TCPARK_KA_CLASSES	17	/* 2^16 s < TCPARK_KA_INTERVAL_MS_MAX */

struct tcpark_sweep {
	struct delayed_work work;
	struct rhashtable_iter iter;
	unsigned long last;		/* jiffies at the last tick */
	bool walking;			/* @iter entered */
	bool stopping;			/* netns going: do not rearm */
	atomic_t ka_class[TCPARK_KA_CLASSES];
	atomic_t wake_waiting;
};

/*
 * struct tcpark_net - per network namespace state.
 * @socks: registry of sockets carrying the ULP, id -> tcpark_sock;
 *	its lock is taken with BH off as sockets die in softirq.
 */
struct tcpark_net {
	struct tcpark_stats __percpu *stats;	/* read-mostly, as @def */
	struct tcpark_defaults def;
	struct ctl_table_header *sysctl;
	struct xarray socks;
	u32 next_id;
	atomic_long_t attached;
	atomic_t dump_gen;		/* moves with socks and records */
	struct rhashtable records;	/* the inactive table, by 4-tuple */
	struct rhltable peers;		/* the same records, by remote half */
	spinlock_t peers_lock;		/* peers: every read, every removal */
	unsigned long *ports;		/* local ports with records */
	struct xarray port_refs;	/* port -> its records (xa_mk_value) */
	atomic_t parked;		/* records, and parks reserving one */
	atomic_t deferring;		/* closed, waiting for ACKs (defer.c) */
	struct xarray uids;		/* kuid -> its parked, limits.c */
	/* LOCAL_IN hooks, registered while the netns has users (hook.c) */
	struct net *net;
	struct mutex hook_lock;		/* registration, hooked */
	struct delayed_work hook_work;
	atomic_t hook_users;		/* attached sockets + records */
	bool hooked;			/* under hook_lock; READ_ONCE() */
	bool hook_dying;
	struct tcpark_sweep sweep;
	struct delayed_work pressure;	/* pressure.c */
	bool pressure_stopping;
};

/* The fields of a TCP segment that matter to a record. */
struct tcpark_seg {
	u32 seq;
	u32 end_seq;		/* seq + SYN + payload + FIN (TCP_SKB_CB) */
	u32 ack;
	u32 window;		/* as sent, unscaled */
	u32 tsval;
	u32 tsecr;
	u32 len;		/* payload bytes */
	u32 thoff;		/* TCP header, from skb->data */
	u32 payload_off;	/* from skb->data */
	u8 flags;
	bool has_ts;
};

/* A u32 setting's valid range; @zero_ok allows 0 below @min ("off"). */
struct tcpark_range {
	u32 min;
	u32 max;
	bool zero_ok;
};

extern const struct tcpark_range tcpark_idle_range, tcpark_mode_range,
	tcpark_ka_interval_range, tcpark_ka_probes_range,
	tcpark_max_parked_range, tcpark_max_parked_mem_range,
	tcpark_wake_timeout_range, tcpark_max_parked_per_uid_range,
	tcpark_active_range,
	tcpark_peer_timeout_range;

static inline bool tcpark_in_range(const struct tcpark_range *r, u32 v)
{
	return (v == 0 && r->zero_ok) || (v >= r->min && v <= r->max);
}

static inline struct tcpark_sock *tcpark_sk(const struct sock *sk)
{
	return (__force struct tcpark_sock *)inet_csk(sk)->icsk_ulp_data;
}

/* pernet.c */
int tcpark_pernet_init(void);
void tcpark_pernet_exit(void);
struct tcpark_net *tcpark_pernet(const struct net *net);
int tcpark_register_sock(struct tcpark_sock *ctx, gfp_t gfp);
void tcpark_unregister_sock(struct tcpark_sock *ctx);
struct sock *tcpark_next_sock(struct tcpark_net *tn, unsigned long *index);

/* sysctl.c */
int tcpark_sysctl_register(struct net *net, struct tcpark_net *tn);
void tcpark_sysctl_unregister(struct tcpark_net *tn);
void tcpark_defaults_init(struct tcpark_defaults *def);

/* limits.c */
void tcpark_limits_init(void);
u32 tcpark_limit(struct net *net, size_t offset);
int tcpark_limit_check(struct net *net, size_t offset, u32 val);
void tcpark_limits_inherit(struct net *net, struct tcpark_defaults *def);
bool tcpark_limits_reserve(struct net *net, kuid_t uid);
void tcpark_limits_release(struct net *net, kuid_t uid);

/* ulp.c */
int tcpark_ulp_register(void);
void tcpark_ulp_unregister(void);
struct proto *tcpark_base_prot(const struct sock *sk);
bool tcpark_is_ours(const struct sock *sk);

/* sockopt.c */
int tcpark_setsockopt(struct sock *sk, int level, int optname,
		      sockptr_t optval, unsigned int optlen);
int tcpark_getsockopt(struct sock *sk, int level, int optname,
		      char __user *optval, int __user *optlen);
void tcpark_effective(const struct sock *sk, struct tcpark_settings *s);
u64 tcpark_sock_cookie(struct sock *sk);
u32 tcpark_idle_age_ms(const struct sock *sk);

/* park.c */
int tcpark_park_check(struct sock *sk, int *reason);
void tcpark_count_refusal(struct sock *sk, int reason);
int tcpark_park(struct sock *sk);
int tcpark_wake(struct sock *sk);
int tcpark_kill(struct sock *sk);

/* transient.c */
void tcpark_close(struct sock *sk, long timeout);
int tcpark_park_transient(struct sock *sk, const kuid_t *reserved);
int tcpark_park_check_flight(struct sock *sk, int *reason, bool in_flight_ok);

bool tcpark_all_acked(const struct sock *sk);

/* pressure.c */
void tcpark_pressure_init(struct tcpark_net *tn);
void tcpark_pressure_stop(struct tcpark_net *tn);
void tcpark_pressure_kick(struct tcpark_net *tn);
int tcpark_park_now(struct sock *sk);

/* defer.c */
int tcpark_defer_close(struct sock *sk, struct tcpark_sock *ctx);
bool tcpark_defer_due(struct sock *sk, struct tcpark_sock *ctx, u32 *rest_ms);
void tcpark_defer_finish(struct sock *sk, struct tcpark_sock *ctx);
void tcpark_defer_release(struct sock *sk, struct tcpark_sock *ctx);
void tcpark_snapshot_key(const struct sock *sk, struct tcpark_key *key,
			 u8 *flags);

/* idle.c */
void tcpark_idle_init(struct tcpark_sock *ctx);
void tcpark_idle_arm(struct sock *sk, struct tcpark_sock *ctx, u32 delay_ms);
void tcpark_idle_update(struct sock *sk);
void tcpark_idle_stop(struct sock *sk, struct tcpark_sock *ctx);
void tcpark_idle_flush(void);

/* input.c */
int tcpark_parse_seg(const struct sk_buff *skb, unsigned int thoff,
		     struct tcpark_seg *seg);
unsigned int tcpark_rx(struct net *net, struct sk_buff *skb,
		       struct tcpark_record *rec, const struct tcpark_seg *seg);

/* icmp.c */
void tcpark_icmp_v4(struct net *net, struct sk_buff *skb, unsigned int hook);
void tcpark_icmp_v6(struct net *net, struct sk_buff *skb, unsigned int off,
		    unsigned int hook);

/* reactivate.c */
unsigned int tcpark_reactivate(struct net *net, struct sk_buff *skb,
			       const struct tcpark_seg *seg,
			       struct tcpark_record *rec);
void tcpark_reactivated_forget(struct sock *sk, struct tcpark_sock *ctx);
void tcpark_seed_rtt(struct sock *sk, const struct tcpark_record *rec);

/* remap.c */
int tcpark_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len);
void tcpark_record_count_ka(struct net *net, struct tcpark_record *rec);

/* probe.c */
void tcpark_sweep_init(struct tcpark_net *tn);
void tcpark_sweep_stop(struct tcpark_net *tn);
void tcpark_sweep_add(struct net *net, const struct tcpark_record *rec);
void tcpark_sweep_del(struct net *net, const struct tcpark_record *rec);
void tcpark_sweep_wake_wait(struct net *net);

/* output.c */
int tcpark_send_ack(struct net *net, const struct tcpark_record *rec);
int tcpark_send_probe(struct net *net, const struct tcpark_record *rec);
int tcpark_send_reset(struct net *net, const struct tcpark_record *rec);

/* hook.c */
int tcpark_hook_get(struct net *net);
void tcpark_hook_get_atomic(struct net *net);
void tcpark_hook_put(struct net *net);
void tcpark_hook_net_init(struct net *net, struct tcpark_net *tn);
void tcpark_hook_net_exit(struct tcpark_net *tn);
void tcpark_hooks_hold_keys(void);
void tcpark_hooks_release_keys(void);

/* netlink.c */
int tcpark_netlink_init(void);
void tcpark_netlink_exit(void);
void tcpark_notify(struct sock *sk, enum tcpark_event event);
void tcpark_notify_record(struct net *net, const struct tcpark_record *rec,
			  enum tcpark_event event, enum tcpark_reason reason);

static inline void tcpark_stat_add(struct tcpark_net *tn, enum tcpark_stat i,
				   unsigned long n)
{
	this_cpu_add(tn->stats->v[i], n);
}

static inline void tcpark_stat_inc(struct tcpark_net *tn, enum tcpark_stat i)
{
	this_cpu_inc(tn->stats->v[i]);
}

u64 tcpark_stat_read(struct tcpark_net *tn, enum tcpark_stat i);

/* A GET dump that spans a change of this is marked NLM_F_DUMP_INTR. */
static inline u32 tcpark_dump_gen(struct tcpark_net *tn)
{
	return atomic_read(&tn->dump_gen);
}

static inline void tcpark_dump_gen_bump(struct tcpark_net *tn)
{
	atomic_inc(&tn->dump_gen);
}

#endif /* _TCPARK_H */
