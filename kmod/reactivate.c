// SPDX-License-Identifier: GPL-2.0
/*
 * Reactivation (docs/design.md §10): data or a FIN from the peer of a parked
 * transient connection becomes a new connection on the accept queue of the
 * listener it came from, with the segment's bytes readable.
 *
 * This mirrors tcp_get_cookie_sock(): a request sock carries the record's
 * sequence numbers and options, the listener's syn_recv_sock() creates the
 * child (SYN_RECV, hashed in the established table with a duplicate check)
 * and the child goes on the accept queue. The hook then lets the segment
 * go on (NF_ACCEPT): TCP finds the child, moves it to ESTABLISHED as for
 * the last ACK of a handshake, queues the data and ACKs it. The listener
 * is woken by the child's first sk_data_ready(), i.e. once the bytes (or
 * the FIN) are queued, so accept() hands out a socket with data to read.
 *
 * The record stays in the table, claimed, until the child is hashed: a
 * segment on another CPU then finds one or the other, never neither (the
 * stack would answer it with an RST).
 */
#include <linux/security.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "trace.h"

#ifdef CONFIG_TCP_MD5SIG
/* Listeners with MD5 keys are refused: the child never signs. */
static struct tcp_md5sig_key *tcpark_req_md5_lookup(const struct sock *sk,
						    const struct sock *addr_sk)
{
	return NULL;
}
#endif

/* tcp_create_openreq_child() asks the request's af_specific about MD5. */
static const struct tcp_request_sock_ops tcpark_req_ops = {
#ifdef CONFIG_TCP_MD5SIG
	.req_md5_lookup	= tcpark_req_md5_lookup,
#endif
};

/*
 * The listener a SYN for this 4-tuple would find now, or NULL. RCU.
 * As in tcp_v4_rcv()/tcp_v6_rcv(), skb->data is at the TCP header during
 * the lookup and @doff is that header's length: a reuseport group's
 * program (SO_ATTACH_REUSEPORT_[CE]BPF) sees what it sees for a SYN.
 */
static struct sock *tcpark_find_listener(struct net *net, struct sk_buff *skb,
					 const struct tcpark_seg *seg,
					 const struct tcpark_record *rec)
{
	struct inet_hashinfo *hinfo = net->ipv4.tcp_death_row.hashinfo;
	unsigned int doff = seg->payload_off - seg->thoff;
	const struct tcpark_key *k = &rec->key;
	struct sock *lsk;

	__skb_pull(skb, seg->thoff);
	if (rec->flags & TCPARK_REC_V6)
		lsk = inet6_lookup_listener(net, hinfo, skb, doff, &k->raddr,
					    k->rport, &k->laddr,
					    ntohs(k->lport), inet6_iif(skb),
					    inet6_sdif(skb));
	else
		lsk = __inet_lookup_listener(net, hinfo, skb, doff,
					     k->raddr.s6_addr32[3], k->rport,
					     k->laddr.s6_addr32[3],
					     ntohs(k->lport), inet_iif(skb),
					     inet_sdif(skb));
	__skb_push(skb, seg->thoff);
	return lsk;
}

/* Why @lsk cannot take the connection now; TCPARK_WAKE_OK if it can. */
static enum tcpark_wake_refusal
tcpark_listener_refuses(const struct sock *lsk, const struct tcpark_record *rec)
{
	if (!lsk || READ_ONCE(lsk->sk_state) != TCP_LISTEN ||
	    !tcpark_is_ours(lsk) || tcpark_sk_has_auth(lsk))
		return TCPARK_WAKE_NO_LISTENER;
	/*
	 * As for a remap: only the record's owner, or a listener opened with
	 * CAP_NET_ADMIN in the netns, takes the connection. Another user's
	 * listener on the port (the owner's server restarting) must not.
	 */
	if (!uid_eq(sock_i_uid((struct sock *)lsk), rec->uid) &&
	    !sk_net_capable(lsk, CAP_NET_ADMIN))
		return TCPARK_WAKE_NO_LISTENER;
	if (sk_acceptq_is_full(lsk))
		return TCPARK_WAKE_BACKLOG;
	return TCPARK_WAKE_OK;
}

/*
 * The request a SYN cookie would decode to, for the record's connection:
 * tcp_create_openreq_child() makes rcv_nxt = rcv_isn + 1 and
 * snd_nxt = snt_isn + 1, and copies options, windows and the TS offset.
 */
static void tcpark_fill_req(struct request_sock *req,
			    const struct tcpark_record *rec,
			    const struct sock *lsk, struct sk_buff *skb)
{
	struct inet_request_sock *ireq = inet_rsk(req);
	struct tcp_request_sock *treq = tcp_rsk(req);
	const struct tcpark_key *k = &rec->key;
	u32 clamp = READ_ONCE(tcp_sk(lsk)->window_clamp);

	/* inet_reqsk_alloc() leaves everything past request_sock as is. */
	memset((char *)req + sizeof(*req), 0,
	       req->rsk_ops->obj_size - sizeof(*req));
	req->mss = rec->mss;
	req->ts_recent = rec->ts_recent;
	req->num_retrans = 0;
	req->num_timeout = 0;
	req->rsk_rcv_wnd = rec->rcv_wnd;
	/* As tcp_select_initial_window(): 0 means as large as scaling allows. */
	req->rsk_window_clamp = max(clamp ?: U16_MAX << TCP_MAX_WSCALE,
				    rec->rcv_wnd);
	ireq->ir_num = ntohs(k->lport);
	ireq->ir_rmt_port = k->rport;
	ireq->ir_mark = inet_request_mark(lsk, skb);
	if (rec->flags & TCPARK_REC_V6) {
		ireq->ir_v6_loc_addr = k->laddr;
		ireq->ir_v6_rmt_addr = k->raddr;
		/* As tcp_v6_init_req(): link-local peers pin the interface. */
		ireq->ir_iif = lsk->sk_bound_dev_if;
		if (!ireq->ir_iif &&
		    ipv6_addr_type(&k->raddr) & IPV6_ADDR_LINKLOCAL)
			ireq->ir_iif = inet6_iif(skb);
	} else {
		ireq->ir_loc_addr = k->laddr.s6_addr32[3];
		ireq->ir_rmt_addr = k->raddr.s6_addr32[3];
		ireq->ir_iif = inet_request_bound_dev_if(lsk, skb);
	}
	ireq->tstamp_ok = !!(rec->flags & TCPARK_REC_TSTAMP);
	ireq->sack_ok = !!(rec->flags & TCPARK_REC_SACK);
	ireq->wscale_ok = !!(rec->flags & TCPARK_REC_WSCALE);
	ireq->snd_wscale = rec->snd_wscale;
	ireq->rcv_wscale = rec->rcv_wscale;
	treq->rcv_isn = rec->rcv_nxt - 1;
	treq->snt_isn = rec->snd_nxt - 1;
	treq->ts_off = rec->ts_offset;
	treq->txhash = net_tx_rndhash();
	treq->af_specific = &tcpark_req_ops;
	tcpark_req_set_usec_ts(treq, rec->flags & TCPARK_REC_USEC_TS);
}

/*
 * The child's first sk_data_ready(): the segment's data or FIN is queued,
 * so accept() may have it now. Runs once; then the original callback.
 */
static void tcpark_reactivated_ready(struct sock *sk)
{
	struct tcpark_sock *ctx = tcpark_sk(sk);
	void (*ready)(struct sock *sk) = ctx->saved_data_ready;
	void (*ours)(struct sock *sk) = tcpark_reactivated_ready;
	struct sock *parent = xchg(&ctx->wake_parent, NULL);

	try_cmpxchg(&sk->sk_data_ready, &ours, ready);
	ready(sk);
	if (parent) {
		parent->sk_data_ready(parent);
		sock_put(parent);
	}
}

/* The child is closing before its first data: forget the listener. */
void tcpark_reactivated_forget(struct sock *sk, struct tcpark_sock *ctx)
{
	void (*ours)(struct sock *sk) = tcpark_reactivated_ready;
	struct sock *parent = xchg(&ctx->wake_parent, NULL);

	if (parent) {
		try_cmpxchg(&sk->sk_data_ready, &ours, ctx->saved_data_ready);
		sock_put(parent);
	}
}

/*
 * A woken socket's RTT estimator starts from the connection's, as
 * tcp_rtt_estimator() does on a first sample. Without this, TCP takes the
 * waking segment's TSecr, an echo of a TSval from before the park, and
 * the RTO becomes as long as the park (up to TCP_RTO_MAX).
 */
void tcpark_seed_rtt(struct sock *sk, const struct tcpark_record *rec)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u32 m = max_t(u32, rec->srtt, 1) << 7;	/* us */
	u32 rto_us;

	tp->srtt_us = m << 3;
	tp->mdev_us = m << 1;
	tp->rttvar_us = max(tp->mdev_us, tcp_rto_min_us(sk));
	tp->mdev_max_us = tp->rttvar_us;
	tp->rtt_seq = tp->snd_nxt;
	rto_us = m + tp->rttvar_us;
	inet_csk(sk)->icsk_rto = min(usecs_to_jiffies(rto_us), TCP_RTO_MAX);
}

/*
 * The child as the app will see it: the connection's cookie, the
 * reactivated flag, and a listener wake-up deferred to its first data.
 * False for a child that came out plain TCP (no memory for our context):
 * the caller wakes the listener once the child is queued.
 */
static bool tcpark_child_init(struct sock *child, struct sock *lsk,
			      const struct tcpark_record *rec)
{
	struct tcpark_sock *ctx = tcpark_is_ours(child) ? tcpark_sk(child) :
							  NULL;

	atomic64_set(&child->sk_cookie, rec->cookie);
	tcpark_seed_rtt(child, rec);
	if (!ctx)
		return false;
	ctx->flags |= TCPARK_F_REACTIVATED;
	ctx->wakes = 1;
	sock_hold(lsk);
	ctx->saved_data_ready = child->sk_data_ready;
	ctx->wake_parent = lsk;
	WRITE_ONCE(child->sk_data_ready, tcpark_reactivated_ready);
	return true;
}

/*
 * syn_recv_sock() reads the skb as tcp_v4_rcv()/tcp_v6_rcv() hand it on:
 * data and transport header at the TCP header (tcp_create_openreq_child()
 * takes the window from tcp_hdr() and last_seg_size from skb->len) and
 * TCP_SKB_CB() filled (tcp_v6_iif()). At LOCAL_IN the data is at the IP
 * header, an IPv6 packet's transport header may point at an extension
 * header, and cb holds IPCB()/IP6CB(). Present the skb that way for the
 * call, as tcp_v{4,6}_fill_cb() do, then put it back: the stack parses it
 * again once the hook returns NF_ACCEPT.
 */
static struct sock *tcpark_syn_recv_sock(struct sock *lsk, struct sk_buff *skb,
					 unsigned int thoff,
					 struct request_sock *req,
					 bool *own_req)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	u16 transport = skb->transport_header;
	char cb[sizeof(skb->cb)];
	const struct tcphdr *th;
	struct sock *child;

	if (!pskb_may_pull(skb, thoff + sizeof(*th)))
		return NULL;
	th = (const struct tcphdr *)(skb->data + thoff);
	memcpy(cb, skb->cb, sizeof(cb));
	if (skb->protocol == htons(ETH_P_IPV6))
		memmove(&tcb->header.h6, cb, sizeof(struct inet6_skb_parm));
	else
		memmove(&tcb->header.h4, cb, sizeof(struct inet_skb_parm));
	tcb->seq = ntohl(th->seq);
	tcb->ack_seq = ntohl(th->ack_seq);
	tcb->tcp_flags = tcp_flag_byte(th);
	skb_set_transport_header(skb, thoff);
	__skb_pull(skb, thoff);
	tcb->end_seq = tcb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	tcb->sacked = 0;
	child = inet_csk(lsk)->icsk_af_ops->syn_recv_sock(lsk, skb, req, NULL,
							  NULL, own_req, NULL);
	__skb_push(skb, thoff);
	skb->transport_header = transport;
	memcpy(skb->cb, cb, sizeof(cb));
	return child;
}

/* Claimed record, usable listener: build and queue the child. */
static int tcpark_spawn_child(struct sock *lsk, struct sk_buff *skb,
			      unsigned int thoff,
			      const struct tcpark_record *rec)
{
	struct request_sock *req;
	struct sock *child;
	bool own_req, deferred;

	req = inet_reqsk_alloc(lsk->sk_prot->rsk_prot, lsk, true);
	if (!req)
		return -ENOMEM;
	tcpark_fill_req(req, rec, lsk, skb);
	if (security_inet_conn_request(lsk, skb, req)) {
		__reqsk_free(req);
		return -EPERM;
	}
	/* NULL: backlog filled meanwhile, no route, or the tuple is taken. */
	child = tcpark_syn_recv_sock(lsk, skb, thoff, req, &own_req);
	if (!child) {
		__reqsk_free(req);
		return -EBUSY;
	}
	__acquire(&child->sk_lock.slock);	/* sk_clone_lock() took it */
	refcount_set(&req->rsk_refcnt, 1);
	sock_rps_save_rxhash(child, skb);
	deferred = tcpark_child_init(child, lsk, rec);
	/* A listener closing now disconnects the child: repair, no RST. */
	tcp_sk(child)->repair = 1;
	if (!inet_csk_reqsk_queue_add(lsk, req, child)) {
		bh_unlock_sock(child);
		sock_put(child);
		reqsk_put(req);
		return -ECONNABORTED;
	}
	tcp_sk(child)->repair = 0;
	bh_unlock_sock(child);
	sock_put(child);
	if (!deferred)
		lsk->sk_data_ready(lsk);
	return 0;
}

/*
 * Nobody can take the data: leave it unacknowledged (the peer retransmits)
 * and count why; after wake_timeout_ms of this, reset the peer.
 */
static unsigned int tcpark_wake_refused(struct net *net,
					struct tcpark_record *rec,
					enum tcpark_wake_refusal why)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	u32 waited;

	tcpark_stat_inc(tn, why == TCPARK_WAKE_BACKLOG ?
			    TCPARK_ST_WAKE_BACKLOG : TCPARK_ST_WAKE_NO_LISTENER);
	/*
	 * The clock starts at the first such segment. The peer sends nothing
	 * else meanwhile: its retransmissions are this data. If they stop
	 * (the device is gone), the sweep (probe.c) ends the record.
	 */
	if (tcpark_record_wake_wait(net, rec))
		return NF_DROP;
	waited = jiffies_to_msecs(tcp_jiffies32 - READ_ONCE(rec->last_rx));
	if (waited < READ_ONCE(tn->def.wake_timeout_ms))
		return NF_DROP;
	if (tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED,
			      TCPARK_REASON_WAKE_TIMEOUT, true))
		tcpark_stat_inc(tn, TCPARK_ST_WAKE_EXPIRED);
	return NF_DROP;
}

/*
 * From the hook, under RCU, for a segment with new data or FIN
 * (seq <= rcv_nxt < end_seq, ack == snd_nxt: another ACK would leave the
 * child in SYN_RECV and draw an RST from it). Bytes before rcv_nxt are
 * the child's to trim: tcp_data_queue() queues a "partial packet" and
 * tcp_recvmsg() starts at copied_seq == rcv_nxt. @seg: the segment as
 * parsed, its offsets from skb->data. Returns the verdict.
 */
unsigned int tcpark_reactivate(struct net *net, struct sk_buff *skb,
			       const struct tcpark_seg *seg,
			       struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	enum tcpark_wake_refusal why;
	struct sock *lsk;

	/*
	 * The headers linear, as TCP has them: an IPv6 extension header
	 * may not be yet (ipv6_skip_exthdr() reads through copies).
	 */
	if (!pskb_may_pull(skb, seg->payload_off)) {
		tcpark_stat_inc(tn, TCPARK_ST_DROPS);
		return NF_DROP;
	}
	lsk = tcpark_find_listener(net, skb, seg, rec);
	why = tcpark_listener_refuses(lsk, rec);
	if (why != TCPARK_WAKE_OK)
		return tcpark_wake_refused(net, rec, why);
	/* A remap or a kill has it: the peer retransmits to the outcome. */
	if (!tcpark_record_claim(rec))
		return NF_DROP;
	if (tcpark_spawn_child(lsk, skb, seg->thoff, rec)) {
		tcpark_record_unclaim(rec);
		tcpark_stat_inc(tn, TCPARK_ST_DROPS);
		return NF_DROP;
	}
	tcpark_record_unlink(net, rec);
	tcpark_stat_inc(tn, TCPARK_ST_REACTIVATED);
	tcpark_stat_inc(tn, TCPARK_ST_WAKES);
	trace_tcpark_reactivate(net, rec);
	tcpark_notify_record(net, rec, TCPARK_EVENT_REACTIVATED,
			     TCPARK_REASON_NONE);
	tcpark_record_free(rec);
	return NF_ACCEPT;
}
