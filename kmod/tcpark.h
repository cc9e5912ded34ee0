/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpark internals shared between the module's files.
 */
#ifndef _TCPARK_H
#define _TCPARK_H

#include <linux/rcupdate.h>
#include <linux/sockptr.h>
#include <linux/tcpark.h>
#include <net/sock.h>
#include <net/inet_connection_sock.h>

/*
 * struct tcpark_sock - per-socket state, hung on icsk_ulp_data.
 * @rcu: freed with kfree_rcu(): a listener's context is read by
 *	tcpark_ulp_clone() in softirq while the listener may be closing
 *	on another CPU (see tcpark_ulp_release()).
 */
struct tcpark_sock {
	struct rcu_head rcu;
};

/* struct tcpark_net - per network namespace state. */
struct tcpark_net {
	atomic_long_t attached;		/* sockets carrying the ULP */
};

static inline struct tcpark_sock *tcpark_sk(const struct sock *sk)
{
	return (__force struct tcpark_sock *)inet_csk(sk)->icsk_ulp_data;
}

/* pernet.c */
int tcpark_pernet_init(void);
void tcpark_pernet_exit(void);
struct tcpark_net *tcpark_pernet(const struct net *net);

/* ulp.c */
int tcpark_ulp_register(void);
void tcpark_ulp_unregister(void);
struct proto *tcpark_base_prot(const struct sock *sk);

/* sockopt.c */
int tcpark_setsockopt(struct sock *sk, int level, int optname,
		      sockptr_t optval, unsigned int optlen);
int tcpark_getsockopt(struct sock *sk, int level, int optname,
		      char __user *optval, int __user *optlen);

#endif /* _TCPARK_H */
