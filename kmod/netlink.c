// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "tcpark" (uapi/linux/tcpark.h documents every
 * command and attribute). Portable recipe for 6.1 and 6.12: a plain
 * genl_ops array with a policy per command, strict validation from the
 * first command on (resv_start_op), netnsok. Everything acts on the
 * caller's netns; mutating commands need CAP_NET_ADMIN there, and so do a
 * record's sequence numbers and windows (tcpark_nl_may_see_seq()) and the
 * events group, which carries them.
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "nl.h"

enum { TCPARK_NL_MCGRP_EVENTS };

/*
 * Events carry records' sequence numbers: genl_bind() refuses the group
 * to anyone without CAP_NET_ADMIN in the netns's user namespace (as
 * sock_diag's destroy groups are refused), so there is one kind of event.
 */
static const struct genl_multicast_group tcpark_nl_mcgrps[] = {
	[TCPARK_NL_MCGRP_EVENTS] = { .name = TCPARK_GENL_MCGRP_EVENTS,
				     .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * A parked record's sequence numbers and windows are what a blind
 * attacker lacks to reset or inject into the connection: only a requester
 * with CAP_NET_ADMIN in the user namespace owning the netns sees them, as
 * only such a task may read them with TCP_REPAIR (tcp_can_repair_sock()).
 * netlink_ns_capable() checks both the socket's opener and the sender, as
 * GENL_UNS_ADMIN_PERM does for the mutating commands. MSS, window scales
 * and options stay public: ss(8) shows them to anyone.
 */
bool tcpark_nl_may_see_seq(const struct sk_buff *skb)
{
	return netlink_ns_capable(skb, sock_net(skb->sk)->user_ns,
				  CAP_NET_ADMIN);
}

/*
 * One policy per command (genl_ops.policy): output-only attributes are
 * absent, so strict parsing rejects them, and so an attribute a command
 * does not take. A command without one (STATS) rejects every attribute
 * (genl_policy_reject_all, from resv_start_op on, on 6.1 and 6.12).
 * ctrl's getpolicy shows each.
 */

/* GET, PARK, WAKE, KILL: a cookie, or a filter. */
static const struct nla_policy tcpark_nl_filter_policy[TCPARK_A_MAX + 1] = {
	[TCPARK_A_COOKIE]	= { .type = NLA_U64 },
	[TCPARK_A_STATE]	= NLA_POLICY_RANGE(NLA_U32, TCPARK_STATE_ACTIVE,
						   TCPARK_STATE_PARKED),
	[TCPARK_A_MODE]		= NLA_POLICY_MAX(NLA_U32, TCPARK_MODE_TRANSIENT),
	[TCPARK_A_FAMILY]	= { .type = NLA_U16 },
	[TCPARK_A_LOCAL_ADDR]	= NLA_POLICY_MIN_LEN(4),
	[TCPARK_A_LOCAL_PORT]	= { .type = NLA_U16 },
	[TCPARK_A_REMOTE_ADDR]	= NLA_POLICY_MIN_LEN(4),
	[TCPARK_A_REMOTE_PORT]	= { .type = NLA_U16 },
	[TCPARK_A_LOCAL_PREFIX]	= NLA_POLICY_MAX(NLA_U8, 128),
	[TCPARK_A_REMOTE_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
};

/*
 * SET: the uapi header's ranges. Where 0 is allowed below a minimum
 * (idle_ms, ka_interval_ms, peer_timeout_ms: 0 = off), the policy takes
 * 0..MAX and tcpark_nl_set_doit() the gap, with the sysctls' table.
 * Writable until init: 6.1's nla_policy points at a non-const range.
 */
static struct netlink_range_validation tcpark_nl_idle_range __ro_after_init = {
	.max = TCPARK_IDLE_MS_MAX };
static struct netlink_range_validation tcpark_nl_ka_interval_range __ro_after_init = {
	.max = TCPARK_KA_INTERVAL_MS_MAX };
static struct netlink_range_validation tcpark_nl_max_parked_range __ro_after_init = {
	.max = TCPARK_MAX_PARKED_MAX };
static struct netlink_range_validation tcpark_nl_mem_range __ro_after_init = {
	.max = TCPARK_MAX_PARKED_MEM_MB_MAX };
static struct netlink_range_validation tcpark_nl_wake_range __ro_after_init = {
	.min = TCPARK_WAKE_TIMEOUT_MS_MIN, .max = TCPARK_WAKE_TIMEOUT_MS_MAX };
static struct netlink_range_validation tcpark_nl_per_uid_range __ro_after_init = {
	.max = TCPARK_MAX_PARKED_PER_UID_MAX };
static struct netlink_range_validation tcpark_nl_peer_timeout_range __ro_after_init = {
	.max = TCPARK_PEER_TIMEOUT_MS_MAX };
static struct netlink_range_validation tcpark_nl_active_range __ro_after_init = {
	.max = TCPARK_ACTIVE_MAX };

static const struct nla_policy tcpark_nl_set_policy[TCPARK_A_MAX + 1] = {
	[TCPARK_A_IDLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_idle_range),
	[TCPARK_A_MODE] = NLA_POLICY_MAX(NLA_U32, TCPARK_MODE_TRANSIENT),
	[TCPARK_A_KA_INTERVAL_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_ka_interval_range),
	[TCPARK_A_KA_PROBES] = NLA_POLICY_MAX(NLA_U32, TCPARK_KA_PROBES_MAX),
	[TCPARK_A_MAX_PARKED] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_max_parked_range),
	[TCPARK_A_MAX_PARKED_MEM_MB] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_mem_range),
	[TCPARK_A_WAKE_TIMEOUT_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_wake_range),
	[TCPARK_A_MAX_PARKED_PER_UID] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_per_uid_range),
	[TCPARK_A_PEER_TIMEOUT_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_peer_timeout_range),
	[TCPARK_A_ACTIVE_HIGH] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_active_range),
	[TCPARK_A_ACTIVE_LOW] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &tcpark_nl_active_range),
};

/* ---- events ----------------------------------------------------------- */

/*
 * Records end from the hooks (a peer's RST, a wake timeout) until module
 * exit unregisters them in tcpark_pernet_exit(), which runs after the
 * family is gone: its multicast group ids may by then belong to another
 * family. tcpark_netlink_exit() clears this and waits for the RCU
 * readers that may have seen it set.
 */
static bool tcpark_nl_live __read_mostly;

/* Under rcu_read_lock(): whether an event for @net has somewhere to go. */
static bool tcpark_nl_listening(struct net *net)
{
	return READ_ONCE(tcpark_nl_live) &&
	       genl_has_listeners(&tcpark_genl_family, net,
				  TCPARK_NL_MCGRP_EVENTS);
}

static void tcpark_notify_locked(struct sock *sk, enum tcpark_event event)
{
	struct net *net = sock_net(sk);
	struct sk_buff *msg;
	void *hdr;

	if (!tcpark_nl_listening(net))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &tcpark_genl_family, 0, TCPARK_CMD_EVENT);
	if (!hdr || nla_put_u32(msg, TCPARK_A_EVENT, event) ||
	    tcpark_put_sock(msg, sk, net->user_ns)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&tcpark_genl_family, net, msg, 0,
				TCPARK_NL_MCGRP_EVENTS, GFP_ATOMIC);
}

void tcpark_notify(struct sock *sk, enum tcpark_event event)
{
	rcu_read_lock();
	tcpark_notify_locked(sk, event);
	rcu_read_unlock();
}

static void tcpark_notify_record_locked(struct net *net,
					const struct tcpark_record *rec,
					enum tcpark_event event,
					enum tcpark_reason reason)
{
	struct sk_buff *msg;
	void *hdr;

	if (!tcpark_nl_listening(net))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &tcpark_genl_family, 0, TCPARK_CMD_EVENT);
	/* Every listener has CAP_NET_ADMIN: see tcpark_nl_mcgrps. */
	if (!hdr || nla_put_u32(msg, TCPARK_A_EVENT, event) ||
	    (reason && nla_put_u32(msg, TCPARK_A_REASON, reason)) ||
	    tcpark_put_record(msg, rec, net->user_ns, true)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&tcpark_genl_family, net, msg, 0,
				TCPARK_NL_MCGRP_EVENTS, GFP_ATOMIC);
}

void tcpark_notify_record(struct net *net, const struct tcpark_record *rec,
			  enum tcpark_event event, enum tcpark_reason reason)
{
	rcu_read_lock();
	tcpark_notify_record_locked(net, rec, event, reason);
	rcu_read_unlock();
}

static const struct genl_ops tcpark_nl_ops[] = {
	{
		.cmd	= TCPARK_CMD_GET,
		.policy	= tcpark_nl_filter_policy,
		.maxattr = TCPARK_A_MAX,
		.doit	= tcpark_nl_get_doit,
		.start	= tcpark_nl_get_start,
		.dumpit	= tcpark_nl_get_dumpit,
		.done	= tcpark_nl_get_done,
	},
	{
		.cmd	= TCPARK_CMD_STATS,
		.doit	= tcpark_nl_stats_doit,
	},
	{
		.cmd	= TCPARK_CMD_PARK,
		.policy	= tcpark_nl_filter_policy,
		.maxattr = TCPARK_A_MAX,
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_WAKE,
		.policy	= tcpark_nl_filter_policy,
		.maxattr = TCPARK_A_MAX,
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_KILL,
		.policy	= tcpark_nl_filter_policy,
		.maxattr = TCPARK_A_MAX,
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_SET,
		.policy	= tcpark_nl_set_policy,
		.maxattr = TCPARK_A_MAX,
		.doit	= tcpark_nl_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

struct genl_family tcpark_genl_family __ro_after_init = {
	.name		= TCPARK_GENL_NAME,
	.version	= TCPARK_GENL_VERSION,
	.maxattr	= TCPARK_A_MAX,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= tcpark_nl_ops,
	.n_ops		= ARRAY_SIZE(tcpark_nl_ops),
	.resv_start_op	= TCPARK_CMD_GET,
	.mcgrps		= tcpark_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tcpark_nl_mcgrps),
};

int tcpark_netlink_init(void)
{
	int ret = genl_register_family(&tcpark_genl_family);

	WRITE_ONCE(tcpark_nl_live, !ret);
	return ret;
}

void tcpark_netlink_exit(void)
{
	WRITE_ONCE(tcpark_nl_live, false);
	synchronize_rcu();
	genl_unregister_family(&tcpark_genl_family);
}
