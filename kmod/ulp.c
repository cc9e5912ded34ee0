// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcpark" TCP ULP: attaching to a socket swaps its sk_prot for a
 * module copy of tcp_prot / tcpv6_prot whose socket-option calls, close()
 * (transient parking) and connect() (remap) come here first. This mirrors net/tls/tls_main.c.
 *
 * Module references: tcp_set_ulp() takes one for the socket it attaches
 * to, our clone() takes one for each child a listener creates, and
 * tcp_cleanup_ulp() drops one per socket at destroy time, after our
 * release(). release() puts the kernel's own proto back, so nothing
 * touches module memory once the reference is gone.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <net/tcp.h>
#include <net/transp_v6.h>

#include "tcpark.h"

enum { TCPARK_V4, TCPARK_V6, TCPARK_NPROTS };

static struct proto tcpark_prots[TCPARK_NPROTS] __ro_after_init;

struct proto *tcpark_base_prot(const struct sock *sk)
{
	/* A v4-mapped IPv6 socket keeps tcpv6_prot: go by family. */
	return sk->sk_family == AF_INET6 ? &tcpv6_prot : &tcp_prot;
}

static struct proto *tcpark_prot(const struct sock *sk)
{
	return &tcpark_prots[sk->sk_family == AF_INET6 ? TCPARK_V6 : TCPARK_V4];
}

static void tcpark_build_prot(struct proto *prot, const struct proto *base)
{
	*prot = *base;
	prot->setsockopt = tcpark_setsockopt;
	prot->getsockopt = tcpark_getsockopt;
	prot->close = tcpark_close;
	prot->connect = tcpark_connect;
}

static bool tcpark_state_attachable(const struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_CLOSE:
	case TCP_LISTEN:
	case TCP_SYN_SENT:
	case TCP_ESTABLISHED:
		return true;
	default:
		/* A closing connection will never be parked. */
		return false;
	}
}

/* Publish @ctx on @sk and in the netns registry; @ctx->sk is set. */
static int tcpark_attach(struct sock *sk, struct tcpark_sock *ctx, gfp_t gfp)
{
	int ret;

	ctx->sk = sk;
	tcpark_idle_init(ctx);
	ret = tcpark_register_sock(ctx, gfp);
	if (ret < 0)
		return ret;
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, ctx);
	WRITE_ONCE(sk->sk_prot, tcpark_prot(sk));
	return 0;
}

bool tcpark_is_ours(const struct sock *sk)
{
	return READ_ONCE(sk->sk_prot) == tcpark_prot(sk);
}

/* Called by tcp_set_ulp() under lock_sock(). */
static int tcpark_ulp_init(struct sock *sk)
{
	struct tcpark_sock *ctx;
	int ret;

	if (!tcpark_state_attachable(sk))
		return -EINVAL;
	/*
	 * Somebody else (sockmap) already replaced the proto: stacking on
	 * it would lose their calls or ours.
	 */
	if (sk->sk_prot != tcpark_base_prot(sk))
		return -EBUSY;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ret = tcpark_attach(sk, ctx, GFP_KERNEL);
	if (ret < 0) {
		kfree(ctx);
		return ret;
	}
	tcpark_idle_update(sk);
	return 0;
}

/*
 * Called from tcp_cleanup_ulp() when the socket is destroyed; the module
 * reference is dropped right after we return.
 */
static void tcpark_ulp_release(struct sock *sk)
{
	struct tcpark_sock *ctx = tcpark_sk(sk);

	if (ctx) {
		tcpark_idle_stop(sk, ctx);
		tcpark_defer_release(sk, ctx);
		tcpark_reactivated_forget(sk, ctx);
	}
	WRITE_ONCE(sk->sk_prot, tcpark_base_prot(sk));
	rcu_assign_pointer(inet_csk(sk)->icsk_ulp_data, NULL);
	if (ctx) {
		tcpark_unregister_sock(ctx);
		kfree_rcu(ctx, rcu);
	}
}

/*
 * A listener's child, from inet_csk_clone_lock() in softirq under RCU.
 * A listener being destroyed on another CPU has already put back the
 * kernel's proto and cleared its context in release(): the child then
 * sees no parent context and goes on as plain TCP (no reference taken).
 * sk_clone_lock() copied the listener's sk_prot (ours), icsk_ulp_ops and
 * icsk_ulp_data; the child needs its own context and its own module
 * reference, and sk_prot_creator must name the kernel's proto because
 * sk_prot_free() reads it after our reference is gone.
 */
static void tcpark_ulp_clone(const struct request_sock *req,
			     struct sock *newsk, const gfp_t priority)
{
	const struct tcpark_sock *parent = tcpark_sk(newsk);
	struct tcpark_sock *ctx;

	newsk->sk_prot_creator = tcpark_base_prot(newsk);
	/*
	 * The parent context we read may belong to a listener whose release()
	 * and module_put() ran meanwhile: the module may be going away, so
	 * try_module_get(), not __module_get().
	 */
	if (!parent || !try_module_get(THIS_MODULE))
		goto plain;
	ctx = kzalloc(sizeof(*ctx), priority);
	if (ctx) {
		/* Settings pass to the child; counters start afresh. */
		ctx->set_mask = parent->set_mask;
		ctx->own = parent->own;
		if (tcpark_attach(newsk, ctx, priority) == 0) {
			tcpark_idle_update(newsk);
			return;
		}
		kfree(ctx);
	}
	module_put(THIS_MODULE);
plain:
	/* No module or no memory: the child goes on as plain TCP. */
	inet_csk(newsk)->icsk_ulp_ops = NULL;
	rcu_assign_pointer(inet_csk(newsk)->icsk_ulp_data, NULL);
	WRITE_ONCE(newsk->sk_prot, tcpark_base_prot(newsk));
}

static struct tcp_ulp_ops tcpark_ulp_ops __read_mostly = {
	.name	= TCPARK_ULP_NAME,
	.owner	= THIS_MODULE,
	.init	= tcpark_ulp_init,
	.release = tcpark_ulp_release,
	.clone	= tcpark_ulp_clone,
};

int tcpark_ulp_register(void)
{
	tcpark_build_prot(&tcpark_prots[TCPARK_V4], &tcp_prot);
	tcpark_build_prot(&tcpark_prots[TCPARK_V6], &tcpv6_prot);
	return tcp_register_ulp(&tcpark_ulp_ops);
}

void tcpark_ulp_unregister(void)
{
	tcp_unregister_ulp(&tcpark_ulp_ops);
}
