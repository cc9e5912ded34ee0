// SPDX-License-Identifier: GPL-2.0
/*
 * TCPARK_CMD_STATS, SET, PARK, WAKE and KILL.
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "nl.h"

struct tcpark_set_attr {
	int attr;
	const struct tcpark_range *range;
	size_t offset;		/* in struct tcpark_defaults */
};

static const struct tcpark_set_attr tcpark_set_attrs[] = {
	{ TCPARK_A_IDLE_MS, &tcpark_idle_range,
	  offsetof(struct tcpark_defaults, s.idle_ms) },
	{ TCPARK_A_MODE, &tcpark_mode_range,
	  offsetof(struct tcpark_defaults, s.mode) },
	{ TCPARK_A_KA_INTERVAL_MS, &tcpark_ka_interval_range,
	  offsetof(struct tcpark_defaults, s.ka_interval_ms) },
	{ TCPARK_A_KA_PROBES, &tcpark_ka_probes_range,
	  offsetof(struct tcpark_defaults, s.ka_probes) },
	{ TCPARK_A_MAX_PARKED, &tcpark_max_parked_range,
	  offsetof(struct tcpark_defaults, max_parked) },
	{ TCPARK_A_MAX_PARKED_MEM_MB, &tcpark_max_parked_mem_range,
	  offsetof(struct tcpark_defaults, max_parked_mem_mb) },
	{ TCPARK_A_WAKE_TIMEOUT_MS, &tcpark_wake_timeout_range,
	  offsetof(struct tcpark_defaults, wake_timeout_ms) },
	{ TCPARK_A_MAX_PARKED_PER_UID, &tcpark_max_parked_per_uid_range,
	  offsetof(struct tcpark_defaults, max_parked_per_uid) },
	{ TCPARK_A_PEER_TIMEOUT_MS, &tcpark_peer_timeout_range,
	  offsetof(struct tcpark_defaults, peer_timeout_ms) },
	{ TCPARK_A_ACTIVE_HIGH, &tcpark_active_range,
	  offsetof(struct tcpark_defaults, active_high) },
	{ TCPARK_A_ACTIVE_LOW, &tcpark_active_range,
	  offsetof(struct tcpark_defaults, active_low) },
};

/* The counters' attributes, by enum tcpark_stat. */
static const u16 tcpark_stat_attrs[TCPARK_ST_MAX] = {
	[TCPARK_ST_PARKS]		= TCPARK_A_STAT_PARKS,
	[TCPARK_ST_WAKES]		= TCPARK_A_STAT_WAKES,
	[TCPARK_ST_KA_ANSWERED]		= TCPARK_A_STAT_KA_ANSWERED,
	[TCPARK_ST_CHALLENGE_ACKS]	= TCPARK_A_STAT_CHALLENGE_ACKS,
	[TCPARK_ST_DROPS]		= TCPARK_A_STAT_DROPS,
	[TCPARK_ST_KILLS]		= TCPARK_A_STAT_KILLS,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_STATE] = TCPARK_A_STAT_REFUSED_STATE,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_UNACKED] = TCPARK_A_STAT_REFUSED_UNACKED,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_UNREAD] = TCPARK_A_STAT_REFUSED_UNREAD,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_AUTH] = TCPARK_A_STAT_REFUSED_AUTH,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_PINNED] = TCPARK_A_STAT_REFUSED_PINNED,
	[TCPARK_ST_REFUSED + TCPARK_REFUSED_LIMIT] = TCPARK_A_STAT_REFUSED_LIMIT,
	[TCPARK_ST_REACTIVATED]		= TCPARK_A_STAT_REACTIVATED,
	[TCPARK_ST_REMAPPED]		= TCPARK_A_STAT_REMAPPED,
	[TCPARK_ST_WAKE_NO_LISTENER]	= TCPARK_A_STAT_WAKE_NO_LISTENER,
	[TCPARK_ST_WAKE_BACKLOG]	= TCPARK_A_STAT_WAKE_BACKLOG,
	[TCPARK_ST_WAKE_EXPIRED]	= TCPARK_A_STAT_WAKE_EXPIRED,
	[TCPARK_ST_PROBES_SENT]		= TCPARK_A_STAT_PROBES_SENT,
	[TCPARK_ST_EXPIRED_PROBES]	= TCPARK_A_STAT_EXPIRED_PROBES,
	[TCPARK_ST_EXPIRED_PEER_TIMEOUT] = TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT,
	[TCPARK_ST_PEER_RESETS]		= TCPARK_A_STAT_PEER_RESETS,
	[TCPARK_ST_EXPIRED_ICMP]	= TCPARK_A_STAT_EXPIRED_ICMP,
	[TCPARK_ST_ICMP_SOFT]		= TCPARK_A_STAT_ICMP_SOFT,
	[TCPARK_ST_ICMP_IGNORED]	= TCPARK_A_STAT_ICMP_IGNORED,
	[TCPARK_ST_DEFERRED]		= TCPARK_A_STAT_DEFERRED,
	[TCPARK_ST_DEFERRED_PARKED]	= TCPARK_A_STAT_DEFERRED_PARKED,
	[TCPARK_ST_DEFERRED_CLOSED]	= TCPARK_A_STAT_DEFERRED_CLOSED,
	[TCPARK_ST_PRESSURE_PARKS]	= TCPARK_A_STAT_PRESSURE_PARKS,
};

/* A default or limit of @tn, by its offset in struct tcpark_defaults. */
static u32 *tcpark_def_field(struct tcpark_net *tn, size_t offset)
{
	return (u32 *)((char *)&tn->def + offset);
}

/* Gauges, counters, then the defaults and limits SET changes. */
static int tcpark_put_stats(struct sk_buff *skb, struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	u64 refused = 0;
	size_t i;

	for (i = 0; i < TCPARK_REFUSED_MAX; i++)
		refused += tcpark_stat_read(tn, TCPARK_ST_REFUSED + i);

	if (nla_put_u64_64bit(skb, TCPARK_A_STAT_SOCKETS,
			      atomic_long_read(&tn->attached), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PARKED,
			      atomic_read(&tn->parked), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PARKED_BYTES,
			      tcpark_table_bytes(net), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DEFERRING,
			      atomic_read(&tn->deferring), TCPARK_A_PAD) ||
	    /* Every refusal is one ineligible park: their sum. */
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_INELIGIBLE, refused,
			      TCPARK_A_PAD))
		return -EMSGSIZE;
	for (i = 0; i < TCPARK_ST_MAX; i++) {
		if (WARN_ON_ONCE(!tcpark_stat_attrs[i]))	/* one left out */
			continue;
		if (nla_put_u64_64bit(skb, tcpark_stat_attrs[i],
				      tcpark_stat_read(tn, i), TCPARK_A_PAD))
			return -EMSGSIZE;
	}
	for (i = 0; i < ARRAY_SIZE(tcpark_set_attrs); i++)
		if (nla_put_u32(skb, tcpark_set_attrs[i].attr,
				READ_ONCE(*tcpark_def_field(tn, tcpark_set_attrs[i].offset))))
			return -EMSGSIZE;
	return 0;
}

int tcpark_nl_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tcpark_genl_family, 0,
				TCPARK_CMD_STATS);
	if (!hdr || tcpark_put_stats(msg, genl_info_net(info))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * All values are checked before any is applied, against the range and,
 * in a container's netns, the init netns's limits (as the sysctls are).
 */
int tcpark_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct tcpark_net *tn = tcpark_pernet(net);
	const struct tcpark_set_attr *a;
	bool any = false;
	size_t i;
	u32 val;

	for (i = 0; i < ARRAY_SIZE(tcpark_set_attrs); i++) {
		a = &tcpark_set_attrs[i];
		if (!info->attrs[a->attr])
			continue;
		any = true;
		val = nla_get_u32(info->attrs[a->attr]);
		/* The policy's ERANGE, for the gap it cannot express. */
		if (!tcpark_in_range(a->range, val)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[a->attr],
					    "value out of range");
			return -ERANGE;
		}
		if (tcpark_limit_check(net, a->offset, val)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[a->attr],
					    "above the init netns's limit");
			return -EPERM;
		}
	}
	if (!any) {
		NL_SET_ERR_MSG(info->extack, "nothing to set");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(tcpark_set_attrs); i++) {
		a = &tcpark_set_attrs[i];
		if (info->attrs[a->attr])
			WRITE_ONCE(*tcpark_def_field(tn, a->offset),
				   nla_get_u32(info->attrs[a->attr]));
	}
	return 0;
}

/* ---- PARK, WAKE, KILL ------------------------------------------------- */

static int tcpark_act(struct sock *sk, u8 cmd)
{
	int ret;

	if (cmd == TCPARK_CMD_KILL)
		return tcpark_kill(sk);
	lock_sock(sk);
	if (!tcpark_is_ours(sk))
		ret = -ENOENT;		/* being destroyed */
	else if (cmd == TCPARK_CMD_PARK)
		ret = tcpark_park(sk);
	else
		ret = tcpark_wake(sk);
	release_sock(sk);
	return ret;
}

static int tcpark_reply_counts(struct genl_info *info, u32 matched, u32 done)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tcpark_genl_family, 0,
				info->genlhdr->cmd);
	if (!hdr || nla_put_u32(msg, TCPARK_A_MATCHED, matched) ||
	    nla_put_u32(msg, TCPARK_A_DONE, done)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct tcpark_act_arg {
	u8 cmd;
	u32 matched;
	u32 done;
	int last;
};

/* KILL: RST to the peer, record gone. PARK: it is. WAKE: only traffic. */
static int tcpark_act_record(struct net *net, struct tcpark_record *rec,
			     void *arg)
{
	struct tcpark_act_arg *a = arg;

	a->matched++;
	if (a->cmd == TCPARK_CMD_PARK) {
		a->last = -EALREADY;
	} else if (a->cmd == TCPARK_CMD_WAKE) {
		a->last = -EOPNOTSUPP;
	} else if (tcpark_record_end(net, rec, TCPARK_EVENT_KILLED,
				     TCPARK_REASON_KILL, true)) {
		tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_KILLS);
		a->last = 0;
		a->done++;
	} else {
		a->last = -ENOENT;	/* somebody else took it */
	}
	return 0;
}

int tcpark_nl_act_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpark_net *tn = tcpark_pernet(genl_info_net(info));
	struct tcpark_act_arg a = { .cmd = info->genlhdr->cmd };
	unsigned long index = 0;
	struct tcpark_filter f;
	struct sock *sk;
	int ret;

	ret = tcpark_parse_filter(info->attrs, &f, info->extack);
	if (ret)
		return ret;
	if (!f.any) {
		NL_SET_ERR_MSG(info->extack, "give a cookie or a filter");
		return -EINVAL;
	}
	while ((sk = tcpark_next_sock(tn, &index))) {
		if (tcpark_match_sock(sk, &f)) {
			a.matched++;
			a.last = tcpark_act(sk, a.cmd);
			a.done += !a.last;
		}
		sock_put(sk);
		index++;
		cond_resched();
	}
	tcpark_walk_records(genl_info_net(info), &f, tcpark_act_record, &a);
	if (!a.matched) {
		NL_SET_ERR_MSG(info->extack, "no matching tcpark socket");
		return -ENOENT;
	}
	/* By cookie there is one socket: its error is the answer. */
	if (f.cookie && a.last)
		return a.last;
	return tcpark_reply_counts(info, a.matched, a.done);
}
