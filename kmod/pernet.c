// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state. Parked connections, defaults and limits
 * are all per netns: a container's tcpark is its own.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "tcpark.h"

static unsigned int tcpark_net_id __read_mostly;

struct tcpark_net *tcpark_pernet(const struct net *net)
{
	return net_generic(net, tcpark_net_id);
}

static int __net_init tcpark_net_init(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	atomic_long_set(&tn->attached, 0);
	return 0;
}

static void __net_exit tcpark_net_exit(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	/* Every socket holds a reference on its netns. */
	WARN_ON_ONCE(atomic_long_read(&tn->attached));
}

static struct pernet_operations tcpark_net_ops = {
	.init = tcpark_net_init,
	.exit = tcpark_net_exit,
	.id   = &tcpark_net_id,
	.size = sizeof(struct tcpark_net),
};

int tcpark_pernet_init(void)
{
	return register_pernet_subsys(&tcpark_net_ops);
}

void tcpark_pernet_exit(void)
{
	unregister_pernet_subsys(&tcpark_net_ops);
}
