// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: defaults and limits (sysctls), counters,
 * and the registry of sockets carrying the ULP that netlink dumps walk.
 * A container's tcpark is its own.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "tcpark.h"

static unsigned int tcpark_net_id __read_mostly;

struct tcpark_net *tcpark_pernet(const struct net *net)
{
	return net_generic(net, tcpark_net_id);
}

/*
 * Ids are handed out cyclically so a dump that resumes at "last id + 1"
 * sees each socket once, in attach order; a socket attached during a dump
 * appears at its end.
 */
int tcpark_register_sock(struct tcpark_sock *ctx, gfp_t gfp)
{
	struct net *net = sock_net(ctx->sk);
	struct tcpark_net *tn = tcpark_pernet(net);
	int ret;

	/* setsockopt(TCP_ULP) registers the hooks, a softirq clone asks. */
	if (gfpflags_allow_blocking(gfp)) {
		ret = tcpark_hook_get(net);
		if (ret < 0)
			return ret;
	} else {
		tcpark_hook_get_atomic(net);
	}
	ret = xa_alloc_cyclic_bh(&tn->socks, &ctx->id, ctx, xa_limit_32b,
				 &tn->next_id, gfp);
	if (ret < 0) {
		tcpark_hook_put(net);
		return ret;
	}
	atomic_long_inc(&tn->attached);
	tcpark_dump_gen_bump(tn);
	tcpark_pressure_kick(tn);
	return 0;
}

void tcpark_unregister_sock(struct tcpark_sock *ctx)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(ctx->sk));

	xa_erase_bh(&tn->socks, ctx->id);
	atomic_long_dec(&tn->attached);
	tcpark_dump_gen_bump(tn);
	tcpark_hook_put(sock_net(ctx->sk));
}

/*
 * The next registered socket at or after *@index, with a reference held,
 * or NULL. A socket is unregistered (under the xarray lock) before it is
 * freed, so one found under the lock is still alive to sock_hold().
 */
struct sock *tcpark_next_sock(struct tcpark_net *tn, unsigned long *index)
{
	struct tcpark_sock *ctx;
	struct sock *sk = NULL;

	xa_lock_bh(&tn->socks);
	ctx = xa_find(&tn->socks, index, ULONG_MAX, XA_PRESENT);
	if (ctx) {
		sk = ctx->sk;
		sock_hold(sk);
	}
	xa_unlock_bh(&tn->socks);
	return sk;
}

static int __net_init tcpark_net_init(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	int ret;

	tn->stats = alloc_percpu(struct tcpark_stats);
	if (!tn->stats)
		return -ENOMEM;
	tcpark_defaults_init(&tn->def);
	tcpark_limits_inherit(net, &tn->def);
	xa_init_flags(&tn->socks, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
	xa_init_flags(&tn->uids, XA_FLAGS_LOCK_BH);
	atomic_long_set(&tn->attached, 0);

	tcpark_hook_net_init(net, tn);
	tcpark_sweep_init(tn);
	tcpark_pressure_init(tn);

	ret = tcpark_table_init(tn);
	if (ret < 0)
		goto err_table;
	ret = tcpark_sysctl_register(net, tn);
	if (ret < 0)
		goto err_sysctl;
	return 0;

err_sysctl:
	tcpark_table_destroy(net, tn);
err_table:
	tcpark_hook_net_exit(tn);
	xa_destroy(&tn->uids);
	free_percpu(tn->stats);
	return ret;
}

/* The netns still has its interfaces: the peers of its records hear. */
static void __net_exit tcpark_net_pre_exit(struct net *net)
{
	tcpark_sweep_stop(tcpark_pernet(net));
	tcpark_pressure_stop(tcpark_pernet(net));
	tcpark_table_reset_all(net);
}

static void __net_exit tcpark_net_exit(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	tcpark_sysctl_unregister(tn);
	tcpark_hook_net_exit(tn);
	tcpark_table_destroy(net, tn);
	/* Every socket holds a reference on its netns. */
	WARN_ON_ONCE(!xa_empty(&tn->socks));
	xa_destroy(&tn->socks);
	/* Each record gave its uid's count back as it was destroyed. */
	WARN_ON_ONCE(!xa_empty(&tn->uids));
	xa_destroy(&tn->uids);
	free_percpu(tn->stats);
}

/* A counter summed over the CPUs, as snmp_fold_field() sums a MIB's. */
u64 tcpark_stat_read(struct tcpark_net *tn, enum tcpark_stat i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(tn->stats, cpu)->v[i]);
	return sum;
}

static struct pernet_operations tcpark_net_ops = {
	.init = tcpark_net_init,
	.pre_exit = tcpark_net_pre_exit,
	.exit = tcpark_net_exit,
	.id   = &tcpark_net_id,
	.size = sizeof(struct tcpark_net),
};

int tcpark_pernet_init(void)
{
	int ret;

	tcpark_hooks_hold_keys();
	ret = register_pernet_subsys(&tcpark_net_ops);
	if (ret)
		tcpark_hooks_release_keys();
	return ret;
}

void tcpark_pernet_exit(void)
{
	unregister_pernet_subsys(&tcpark_net_ops);
	tcpark_hooks_release_keys();
}
