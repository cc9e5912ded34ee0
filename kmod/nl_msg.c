// SPDX-License-Identifier: GPL-2.0
/*
 * The messages that describe a tcpark socket or a parked record (GET
 * replies and dumps, events).
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "nl.h"

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
int tcpark_put_sock(struct sk_buff *skb, struct sock *sk,
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

int tcpark_fill_sock(struct sk_buff *skb, struct sock *sk, u32 portid, u32 seq,
		     int flags, u8 cmd)
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
int tcpark_put_record(struct sk_buff *skb, const struct tcpark_record *rec,
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

int tcpark_fill_record(struct sk_buff *skb, const struct tcpark_record *rec,
		       u32 portid, u32 seq, int flags, bool see_seq)
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
