// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "tcpark" (uapi/linux/tcpark.h documents every
 * command and attribute). Portable recipe for 6.1 and 6.12: a plain
 * genl_ops array, family-level policy and maxattr, strict validation from
 * the first command on (resv_start_op), netnsok. Everything acts on the
 * caller's netns; mutating commands need CAP_NET_ADMIN there, and so do a
 * record's sequence numbers and windows (tcpark_nl_may_see_seq()) and the
 * events group, which carries them.
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"

static struct genl_family tcpark_genl_family;

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
static bool tcpark_nl_may_see_seq(const struct sk_buff *skb)
{
	return netlink_ns_capable(skb, sock_net(skb->sk)->user_ns,
				  CAP_NET_ADMIN);
}

/* Output-only attributes are absent: strict parsing rejects them. */
static const struct nla_policy tcpark_nl_policy[TCPARK_A_MAX + 1] = {
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
	[TCPARK_A_IDLE_MS]	= { .type = NLA_U32 },
	[TCPARK_A_KA_INTERVAL_MS] = { .type = NLA_U32 },
	[TCPARK_A_KA_PROBES]	= { .type = NLA_U32 },
	[TCPARK_A_MAX_PARKED]	= { .type = NLA_U32 },
	[TCPARK_A_MAX_PARKED_MEM_MB] = { .type = NLA_U32 },
	[TCPARK_A_WAKE_TIMEOUT_MS] = { .type = NLA_U32 },
	[TCPARK_A_MAX_PARKED_PER_UID] = { .type = NLA_U32 },
	[TCPARK_A_PEER_TIMEOUT_MS] = { .type = NLA_U32 },
	[TCPARK_A_ACTIVE_HIGH]	= { .type = NLA_U32 },
	[TCPARK_A_ACTIVE_LOW]	= { .type = NLA_U32 },
};

/* ---- filters ---------------------------------------------------------- */

struct tcpark_addr_filter {
	bool set;
	bool v6;
	u8 plen;
	struct in6_addr addr;	/* an IPv4 address sits in s6_addr32[3] */
};

struct tcpark_filter {
	bool any;		/* at least one term was given */
	u64 cookie;		/* 0: none */
	u32 state, mode;	/* 0 / U32_MAX: none */
	u16 family, lport, rport;
	struct tcpark_addr_filter laddr, raddr;
};

static int tcpark_parse_addr(struct nlattr **tb, int a_addr, int a_plen,
			     struct tcpark_addr_filter *f,
			     struct netlink_ext_ack *extack)
{
	int len;

	if (!tb[a_addr])
		return tb[a_plen] ? -EINVAL : 0;
	len = nla_len(tb[a_addr]);
	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a_addr],
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	f->set = true;
	f->v6 = len == 16;
	f->plen = tb[a_plen] ? nla_get_u8(tb[a_plen]) : len * 8;
	if (f->plen > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a_plen], "prefix too long");
		return -EINVAL;
	}
	if (f->v6)
		nla_memcpy(&f->addr, tb[a_addr], 16);
	else
		f->addr.s6_addr32[3] = nla_get_in_addr(tb[a_addr]);
	return 0;
}

static int tcpark_parse_filter(struct nlattr **tb, struct tcpark_filter *f,
			       struct netlink_ext_ack *extack)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->mode = U32_MAX;
	if (tb[TCPARK_A_COOKIE]) {
		f->cookie = nla_get_u64(tb[TCPARK_A_COOKIE]);
		/* It would be no filter at all: act on every match. */
		if (!f->cookie) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPARK_A_COOKIE],
					    "cookie 0 names no socket");
			return -EINVAL;
		}
	}
	if (tb[TCPARK_A_STATE])
		f->state = nla_get_u32(tb[TCPARK_A_STATE]);
	if (tb[TCPARK_A_MODE])
		f->mode = nla_get_u32(tb[TCPARK_A_MODE]);
	if (tb[TCPARK_A_FAMILY]) {
		f->family = nla_get_u16(tb[TCPARK_A_FAMILY]);
		if (f->family != AF_INET && f->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPARK_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	if (tb[TCPARK_A_LOCAL_PORT])
		f->lport = nla_get_u16(tb[TCPARK_A_LOCAL_PORT]);
	if (tb[TCPARK_A_REMOTE_PORT])
		f->rport = nla_get_u16(tb[TCPARK_A_REMOTE_PORT]);
	ret = tcpark_parse_addr(tb, TCPARK_A_LOCAL_ADDR, TCPARK_A_LOCAL_PREFIX,
				&f->laddr, extack);
	if (!ret)
		ret = tcpark_parse_addr(tb, TCPARK_A_REMOTE_ADDR,
					TCPARK_A_REMOTE_PREFIX, &f->raddr,
					extack);
	f->any = f->cookie || f->state || f->mode != U32_MAX || f->family ||
		 f->lport || f->rport || f->laddr.set || f->raddr.set;
	return ret;
}

/*
 * What filters look at, taken from a socket or a record. Addresses are
 * in IPv6 form with an IPv4 one in s6_addr32[3] (rest zero).
 */
struct tcpark_view {
	u64 cookie;
	u32 state;
	u32 mode;
	u16 family;
	u16 lport, rport;
	bool v6;
	struct in6_addr laddr, raddr;
};

/* The socket's address as a v6 address (IPv4 in s6_addr32[3]). */
static bool tcpark_sk_addr(const struct sock *sk, bool local,
			   struct in6_addr *a)
{
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(local ? &sk->sk_v6_rcv_saddr : &sk->sk_v6_daddr)) {
		*a = local ? sk->sk_v6_rcv_saddr : sk->sk_v6_daddr;
		return true;
	}
	memset(a, 0, sizeof(*a));
	a->s6_addr32[3] = local ? sk->sk_rcv_saddr : sk->sk_daddr;
	return false;
}

static void tcpark_view_sock(struct sock *sk, struct tcpark_view *v)
{
	struct tcpark_settings s;

	tcpark_effective(sk, &s);
	v->cookie = atomic64_read(&sk->sk_cookie);
	v->state = TCPARK_STATE_ACTIVE;
	v->mode = s.mode;
	v->family = sk->sk_family;
	v->lport = sk->sk_num;
	v->rport = ntohs(sk->sk_dport);
	v->v6 = tcpark_sk_addr(sk, true, &v->laddr);
	tcpark_sk_addr(sk, false, &v->raddr);
}

static void tcpark_rec_addr(const struct tcpark_record *rec,
			    const struct in6_addr *key, struct in6_addr *a)
{
	if (rec->flags & TCPARK_REC_V6) {
		*a = *key;
		return;
	}
	memset(a, 0, sizeof(*a));
	a->s6_addr32[3] = key->s6_addr32[3];
}

static void tcpark_view_record(const struct tcpark_record *rec,
			       struct tcpark_view *v)
{
	v->cookie = rec->cookie;
	v->state = TCPARK_STATE_PARKED;
	v->mode = TCPARK_MODE_TRANSIENT;
	v->v6 = rec->flags & TCPARK_REC_V6;
	v->family = v->v6 ? AF_INET6 : AF_INET;
	v->lport = ntohs(rec->key.lport);
	v->rport = ntohs(rec->key.rport);
	tcpark_rec_addr(rec, &rec->key.laddr, &v->laddr);
	tcpark_rec_addr(rec, &rec->key.raddr, &v->raddr);
}

static bool tcpark_addr_match(const struct in6_addr *a, bool v6,
			      const struct tcpark_addr_filter *f)
{
	if (!f->set)
		return true;
	if (v6 != f->v6)
		return false;
	if (v6)
		return ipv6_prefix_equal(a, &f->addr, f->plen);
	return !f->plen || !((a->s6_addr32[3] ^ f->addr.s6_addr32[3]) &
			     htonl(~0U << (32 - f->plen)));
}

static bool tcpark_match(const struct tcpark_view *v,
			 const struct tcpark_filter *f)
{
	if (f->cookie && v->cookie != f->cookie)
		return false;
	if (f->state && f->state != v->state)
		return false;
	if (f->family && f->family != v->family)
		return false;
	if (f->lport && f->lport != v->lport)
		return false;
	if (f->rport && f->rport != v->rport)
		return false;
	if (f->mode != U32_MAX && f->mode != v->mode)
		return false;
	return tcpark_addr_match(&v->laddr, v->v6, &f->laddr) &&
	       tcpark_addr_match(&v->raddr, v->v6, &f->raddr);
}

static bool tcpark_match_sock(struct sock *sk, const struct tcpark_filter *f)
{
	struct tcpark_view v;

	tcpark_view_sock(sk, &v);
	return tcpark_match(&v, f);
}

static bool tcpark_match_record(const struct tcpark_record *rec,
				const struct tcpark_filter *f)
{
	struct tcpark_view v;

	tcpark_view_record(rec, &v);
	return tcpark_match(&v, f);
}

/* ---- socket messages -------------------------------------------------- */

static int tcpark_put_addr(struct sk_buff *skb, struct sock *sk, bool local)
{
	struct in6_addr a;

	if (tcpark_sk_addr(sk, local, &a))
		return nla_put_in6_addr(skb, local ? TCPARK_A_LOCAL_ADDR :
					TCPARK_A_REMOTE_ADDR, &a);
	return nla_put_in_addr(skb, local ? TCPARK_A_LOCAL_ADDR :
			       TCPARK_A_REMOTE_ADDR, a.s6_addr32[3]);
}

static int tcpark_put_counters(struct sk_buff *skb, const struct tcpark_sock *ctx)
{
	if (nla_put_u64_64bit(skb, TCPARK_A_PARKS, READ_ONCE(ctx->parks),
			      TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_WAKES, READ_ONCE(ctx->wakes),
			      TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_KA_ANSWERED,
			      READ_ONCE(ctx->ka_answered), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_KA_SENT, READ_ONCE(ctx->ka_sent),
			      TCPARK_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Settings, flags and counters; the context may be going away: RCU. */
static int tcpark_put_ctx(struct sk_buff *skb, struct sock *sk)
{
	const struct tcpark_sock *ctx;
	struct tcpark_settings s;
	int ret = -EMSGSIZE;

	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	if (!ctx) {
		rcu_read_unlock();
		return -ENOENT;
	}
	tcpark_effective(sk, &s);
	if (!nla_put_u32(skb, TCPARK_A_MODE, s.mode) &&
	    !nla_put_u32(skb, TCPARK_A_IDLE_MS, s.idle_ms) &&
	    !nla_put_u32(skb, TCPARK_A_KA_INTERVAL_MS, s.ka_interval_ms) &&
	    !nla_put_u32(skb, TCPARK_A_KA_PROBES, s.ka_probes) &&
	    !nla_put_u32(skb, TCPARK_A_FLAGS, READ_ONCE(ctx->flags) |
			 (s.pin ? TCPARK_F_PINNED : 0)) &&
	    !tcpark_put_counters(skb, ctx))
		ret = 0;
	rcu_read_unlock();
	return ret;
}

/* @ns: the user namespace the reader sees uids in. */
static int tcpark_put_sock(struct sk_buff *skb, struct sock *sk,
			   struct user_namespace *ns)
{
	uid_t uid = from_kuid_munged(ns, sock_i_uid(sk));

	if (nla_put_u64_64bit(skb, TCPARK_A_COOKIE, tcpark_sock_cookie(sk),
			      TCPARK_A_PAD) ||
	    nla_put_u32(skb, TCPARK_A_STATE, TCPARK_STATE_ACTIVE) ||
	    nla_put_u32(skb, TCPARK_A_TCP_STATE, READ_ONCE(sk->sk_state)) ||
	    nla_put_u16(skb, TCPARK_A_FAMILY, sk->sk_family) ||
	    tcpark_put_addr(skb, sk, true) ||
	    nla_put_u16(skb, TCPARK_A_LOCAL_PORT, sk->sk_num) ||
	    tcpark_put_addr(skb, sk, false) ||
	    nla_put_u16(skb, TCPARK_A_REMOTE_PORT, ntohs(sk->sk_dport)) ||
	    nla_put_u32(skb, TCPARK_A_UID, uid) ||
	    nla_put_u32(skb, TCPARK_A_IDLE_AGE_MS, tcpark_idle_age_ms(sk)))
		return -EMSGSIZE;
	return tcpark_put_ctx(skb, sk);
}

static int tcpark_fill_sock(struct sk_buff *skb, struct sock *sk, u32 portid,
			    u32 seq, int flags, u8 cmd)
{
	void *hdr;
	int ret;

	hdr = genlmsg_put(skb, portid, seq, &tcpark_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	ret = tcpark_put_sock(skb, sk, current_user_ns());
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tcpark_put_rec_addr(struct sk_buff *skb, int attr,
			       const struct tcpark_record *rec,
			       const struct in6_addr *a)
{
	if (rec->flags & TCPARK_REC_V6)
		return nla_put_in6_addr(skb, attr, a);
	return nla_put_in_addr(skb, attr, a->s6_addr32[3]);
}

/* @seq: include sequence numbers and windows (tcpark_nl_may_see_seq()). */
static int tcpark_put_record(struct sk_buff *skb,
			     const struct tcpark_record *rec,
			     struct user_namespace *ns, bool seq)
{
	u32 rx = READ_ONCE(rec->last_rx), heard = READ_ONCE(rec->last_heard);
	u32 now = tcp_jiffies32;
	bool v6 = rec->flags & TCPARK_REC_V6;

	if (nla_put_u64_64bit(skb, TCPARK_A_COOKIE, rec->cookie, TCPARK_A_PAD) ||
	    nla_put_u32(skb, TCPARK_A_STATE, TCPARK_STATE_PARKED) ||
	    nla_put_u32(skb, TCPARK_A_TCP_STATE, TCP_ESTABLISHED) ||
	    nla_put_u32(skb, TCPARK_A_MODE, TCPARK_MODE_TRANSIENT) ||
	    nla_put_u16(skb, TCPARK_A_FAMILY, v6 ? AF_INET6 : AF_INET) ||
	    tcpark_put_rec_addr(skb, TCPARK_A_LOCAL_ADDR, rec, &rec->key.laddr) ||
	    nla_put_u16(skb, TCPARK_A_LOCAL_PORT, ntohs(rec->key.lport)) ||
	    tcpark_put_rec_addr(skb, TCPARK_A_REMOTE_ADDR, rec, &rec->key.raddr) ||
	    nla_put_u16(skb, TCPARK_A_REMOTE_PORT, ntohs(rec->key.rport)) ||
	    nla_put_u32(skb, TCPARK_A_UID, from_kuid_munged(ns, rec->uid)) ||
	    nla_put_u32(skb, TCPARK_A_KA_INTERVAL_MS, rec->ka_interval_ms) ||
	    nla_put_u32(skb, TCPARK_A_KA_PROBES, rec->ka_probes))
		return -EMSGSIZE;
	/*
	 * What the record took from the peer moves these: to someone who
	 * forges segments for the tuple they would tell which ones were in
	 * the window, so they go with the sequence numbers.
	 */
	if (seq && (nla_put_u32(skb, TCPARK_A_SND_NXT, rec->snd_nxt) ||
		    nla_put_u32(skb, TCPARK_A_RCV_NXT, rec->rcv_nxt) ||
		    nla_put_u32(skb, TCPARK_A_SND_WND, tcpark_rec_snd_wnd(rec)) ||
		    nla_put_u32(skb, TCPARK_A_RCV_WND, rec->rcv_wnd) ||
		    nla_put_u32(skb, TCPARK_A_IDLE_AGE_MS,
				jiffies_to_msecs(tcpark_jiffies_since(now, rx))) ||
		    nla_put_u32(skb, TCPARK_A_PEER_SILENT_MS,
				jiffies_to_msecs(tcpark_jiffies_since(now, heard))) ||
		    nla_put_u64_64bit(skb, TCPARK_A_KA_ANSWERED,
				      READ_ONCE(rec->ka_answered), TCPARK_A_PAD) ||
		    nla_put_u32(skb, TCPARK_A_PROBES_OUT,
				READ_ONCE(rec->probes_out))))
		return -EMSGSIZE;
	if (nla_put_u16(skb, TCPARK_A_MSS, rec->mss) ||
	    nla_put_u8(skb, TCPARK_A_SND_WSCALE, rec->snd_wscale) ||
	    nla_put_u8(skb, TCPARK_A_RCV_WSCALE, rec->rcv_wscale) ||
	    nla_put_u32(skb, TCPARK_A_TCP_OPTIONS, rec->flags &
			(TCPARK_REC_TSTAMP | TCPARK_REC_SACK |
			 TCPARK_REC_WSCALE | TCPARK_REC_USEC_TS)))
		return -EMSGSIZE;
	return 0;
}

static int tcpark_fill_record(struct sk_buff *skb,
			      const struct tcpark_record *rec, u32 portid,
			      u32 seq, int flags, bool see_seq)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tcpark_genl_family, flags,
			  TCPARK_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (tcpark_put_record(skb, rec, current_user_ns(), see_seq)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* ---- GET -------------------------------------------------------------- */

/*
 * A dump lists sockets first (cb->args[0]: registry index to resume at;
 * taken one at a time with a reference, so no lock is held while filling
 * messages), then records (cb->args[1] != 0: an rhashtable walker kept
 * across calls, freed in .done). A walk may show a record twice if the
 * table resizes meanwhile. cb->args[2]: the requester may see sequence
 * numbers, decided once in .start for the whole dump (later parts run in
 * whichever task calls recvmsg()).
 */
static int tcpark_dump_socks(struct sk_buff *skb, struct netlink_callback *cb,
			     const struct tcpark_filter *f)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(skb->sk));
	unsigned long index = cb->args[0];
	struct sock *sk;
	int ret = 0;

	while ((sk = tcpark_next_sock(tn, &index))) {
		ret = 0;
		if (tcpark_match_sock(sk, f))
			ret = tcpark_fill_sock(skb, sk,
					       NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI,
					       TCPARK_CMD_GET);
		sock_put(sk);
		if (ret == -EMSGSIZE)
			break;
		index++;
	}
	cb->args[0] = index;
	return ret == -EMSGSIZE ? ret : 0;
}

static int tcpark_dump_records(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       const struct tcpark_filter *f)
{
	struct rhashtable_iter *iter = (void *)cb->args[1];
	struct tcpark_record *rec;
	int ret = 0;

	if (!iter) {
		iter = kmalloc(sizeof(*iter), GFP_KERNEL);
		if (!iter)
			return -ENOMEM;
		rhashtable_walk_enter(&tcpark_pernet(sock_net(skb->sk))->records,
				      iter);
		cb->args[1] = (long)iter;
	}
	rhashtable_walk_start(iter);
	while ((rec = rhashtable_walk_peek(iter))) {
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) != -EAGAIN)
				break;
			rhashtable_walk_next(iter);
			continue;
		}
		if (tcpark_match_record(rec, f)) {
			ret = tcpark_fill_record(skb, rec,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI, cb->args[2]);
			if (ret)
				break;	/* peeked: resumes with this one */
		}
		rhashtable_walk_next(iter);
	}
	rhashtable_walk_stop(iter);
	return ret;
}

static int tcpark_nl_get_start(struct netlink_callback *cb)
{
	cb->args[2] = tcpark_nl_may_see_seq(cb->skb);
	return 0;
}

static int tcpark_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tcpark_filter f;
	int ret;

	ret = tcpark_parse_filter(tcpark_dump_attrs(cb), &f, cb->extack);
	if (ret)
		return ret;
	if (!cb->args[1] && tcpark_dump_socks(skb, cb, &f))
		return skb->len;
	ret = tcpark_dump_records(skb, cb, &f);
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

static int tcpark_nl_get_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[1];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

struct tcpark_walk_filter {
	const struct tcpark_filter *f;
	tcpark_walk_t fn;
	void *arg;
};

static int tcpark_walk_matching(struct net *net, struct tcpark_record *rec,
				void *arg)
{
	struct tcpark_walk_filter *w = arg;

	return tcpark_match_record(rec, w->f) ? w->fn(net, rec, w->arg) : 0;
}

/* tcpark_record_walk() over the records that match @f. */
static int tcpark_walk_records(struct net *net, const struct tcpark_filter *f,
			       tcpark_walk_t fn, void *arg)
{
	struct tcpark_walk_filter w = { .f = f, .fn = fn, .arg = arg };

	return tcpark_record_walk(net, tcpark_walk_matching, &w);
}

struct tcpark_get_arg {
	struct sk_buff *msg;
	struct genl_info *info;
	bool see_seq;
};

static int tcpark_get_record(struct net *net, struct tcpark_record *rec,
			     void *arg)
{
	struct tcpark_get_arg *a = arg;

	return tcpark_fill_record(a->msg, rec, a->info->snd_portid,
				  a->info->snd_seq, 0, a->see_seq) ?: 1;
}

/* The socket with this cookie in @net, referenced, or NULL. */
static struct sock *tcpark_find_cookie(struct net *net, u64 cookie)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	unsigned long index = 0;
	struct sock *sk;

	while ((sk = tcpark_next_sock(tn, &index))) {
		if (atomic64_read(&sk->sk_cookie) == cookie)
			return sk;
		sock_put(sk);
		index++;
	}
	return NULL;
}

static int tcpark_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpark_get_arg arg = {
		.info = info,
		.see_seq = tcpark_nl_may_see_seq(skb),
	};
	struct tcpark_filter f = { .mode = U32_MAX };
	struct sock *sk;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, TCPARK_A_COOKIE))
		return -EINVAL;
	f.cookie = nla_get_u64(info->attrs[TCPARK_A_COOKIE]);
	/*
	 * A socket nobody asked the cookie of still has 0, and as a filter
	 * 0 matches every record: it names nothing.
	 */
	if (!f.cookie) {
		NL_SET_ERR_MSG(info->extack, "cookie 0 names no socket");
		return -ENOENT;
	}
	arg.msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!arg.msg)
		return -ENOMEM;
	sk = tcpark_find_cookie(genl_info_net(info), f.cookie);
	if (sk) {
		ret = tcpark_fill_sock(arg.msg, sk, info->snd_portid,
				       info->snd_seq, 0, TCPARK_CMD_GET);
		sock_put(sk);
	} else {
		ret = tcpark_walk_records(genl_info_net(info), &f,
					  tcpark_get_record, &arg);
		ret = ret == 1 ? 0 : ret ?: -ENOENT;
	}
	if (ret) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "no tcpark socket with this cookie");
		nlmsg_free(arg.msg);
		return ret;
	}
	return genlmsg_reply(arg.msg, info);
}

/* ---- STATS and SET ---------------------------------------------------- */

static int tcpark_put_stats(struct sk_buff *skb, struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	const struct tcpark_stats *st = &tn->stats;
	const struct tcpark_defaults *def = &tn->def;
	int i;

	if (nla_put_u64_64bit(skb, TCPARK_A_STAT_SOCKETS,
			      atomic_long_read(&tn->attached), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PARKED,
			      atomic_read(&tn->parked), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PARKED_BYTES,
			      tcpark_table_bytes(net), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PARKS,
			      atomic64_read(&st->parks), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_WAKES,
			      atomic64_read(&st->wakes), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_KA_ANSWERED,
			      atomic64_read(&st->ka_answered), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_CHALLENGE_ACKS,
			      atomic64_read(&st->challenge_acks), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DROPS,
			      atomic64_read(&st->drops), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_KILLS,
			      atomic64_read(&st->kills), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_INELIGIBLE,
			      atomic64_read(&st->ineligible), TCPARK_A_PAD))
		return -EMSGSIZE;
	for (i = 0; i < TCPARK_REFUSED_MAX; i++)
		if (nla_put_u64_64bit(skb, TCPARK_A_STAT_REFUSED_STATE + i,
				      atomic64_read(&st->refused[i]),
				      TCPARK_A_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TCPARK_A_STAT_REACTIVATED,
			      atomic64_read(&st->reactivated), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_REMAPPED,
			      atomic64_read(&st->remapped), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_WAKE_NO_LISTENER,
			      atomic64_read(&st->wake_no_listener), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_WAKE_BACKLOG,
			      atomic64_read(&st->wake_backlog), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_WAKE_EXPIRED,
			      atomic64_read(&st->wake_expired), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PROBES_SENT,
			      atomic64_read(&st->probes_sent), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_EXPIRED_PROBES,
			      atomic64_read(&st->expired_probes), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_EXPIRED_PEER_TIMEOUT,
			      atomic64_read(&st->expired_peer_timeout),
			      TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PEER_RESETS,
			      atomic64_read(&st->peer_resets), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_EXPIRED_ICMP,
			      atomic64_read(&st->expired_icmp), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_ICMP_SOFT,
			      atomic64_read(&st->icmp_soft), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_ICMP_IGNORED,
			      atomic64_read(&st->icmp_ignored), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DEFERRED,
			      atomic64_read(&st->deferred), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DEFERRED_PARKED,
			      atomic64_read(&st->deferred_parked), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DEFERRED_CLOSED,
			      atomic64_read(&st->deferred_closed), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_DEFERRING,
			      atomic_read(&tn->deferring), TCPARK_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPARK_A_STAT_PRESSURE_PARKS,
			      atomic64_read(&st->pressure_parks), TCPARK_A_PAD))
		return -EMSGSIZE;
	if (nla_put_u32(skb, TCPARK_A_IDLE_MS, READ_ONCE(def->s.idle_ms)) ||
	    nla_put_u32(skb, TCPARK_A_MODE, READ_ONCE(def->s.mode)) ||
	    nla_put_u32(skb, TCPARK_A_KA_INTERVAL_MS,
			READ_ONCE(def->s.ka_interval_ms)) ||
	    nla_put_u32(skb, TCPARK_A_KA_PROBES, READ_ONCE(def->s.ka_probes)) ||
	    nla_put_u32(skb, TCPARK_A_MAX_PARKED, READ_ONCE(def->max_parked)) ||
	    nla_put_u32(skb, TCPARK_A_MAX_PARKED_MEM_MB,
			READ_ONCE(def->max_parked_mem_mb)) ||
	    nla_put_u32(skb, TCPARK_A_WAKE_TIMEOUT_MS,
			READ_ONCE(def->wake_timeout_ms)) ||
	    nla_put_u32(skb, TCPARK_A_MAX_PARKED_PER_UID,
			READ_ONCE(def->max_parked_per_uid)) ||
	    nla_put_u32(skb, TCPARK_A_PEER_TIMEOUT_MS,
			READ_ONCE(def->peer_timeout_ms)) ||
	    nla_put_u32(skb, TCPARK_A_ACTIVE_HIGH,
			READ_ONCE(def->active_high)) ||
	    nla_put_u32(skb, TCPARK_A_ACTIVE_LOW, READ_ONCE(def->active_low)))
		return -EMSGSIZE;
	return 0;
}

static int tcpark_nl_stats_doit(struct sk_buff *skb, struct genl_info *info)
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

/*
 * All values are checked before any is applied, against the range and,
 * in a container's netns, the init netns's limits (as the sysctls are).
 */
static int tcpark_nl_set_doit(struct sk_buff *skb, struct genl_info *info)
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
		if (!tcpark_in_range(a->range, val)) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[a->attr],
					    "value out of range");
			return -EINVAL;
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
			WRITE_ONCE(*(u32 *)((char *)&tn->def + a->offset),
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
		atomic64_inc(&tcpark_pernet(net)->stats.kills);
		a->last = 0;
		a->done++;
	} else {
		a->last = -ENOENT;	/* somebody else took it */
	}
	return 0;
}

static int tcpark_nl_act_doit(struct sk_buff *skb, struct genl_info *info)
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
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_WAKE,
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_KILL,
		.doit	= tcpark_nl_act_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd	= TCPARK_CMD_SET,
		.doit	= tcpark_nl_set_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family tcpark_genl_family __ro_after_init = {
	.name		= TCPARK_GENL_NAME,
	.version	= TCPARK_GENL_VERSION,
	.maxattr	= TCPARK_A_MAX,
	.policy		= tcpark_nl_policy,
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
