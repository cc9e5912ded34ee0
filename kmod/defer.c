// SPDX-License-Identifier: GPL-2.0
/*
 * Deferred park on close() (docs/design.md, "Deferred park"). An event
 * loop that writes its reply and closes at once leaves data in flight,
 * and a connection parks only once the peer has acked everything. TCP's
 * close() would not wait either: it queues a FIN, orphans the socket and
 * returns, and the orphan finishes on TCP's timers. Here close() returns
 * at once as well, and the socket is orphaned as __tcp_close() orphans
 * it (a reference, sock_orphan(), counted in tcp_orphan_count), but it
 * stays ESTABLISHED and sends no FIN: it keeps retransmitting as TCP's
 * orphans do, and the idle timer (idle.c) looks at it about twice per
 * RTT. Once everything is acked it parks; if that has not happened by
 * tcp_fin_time() after the close (tcp_fin_timeout, 60 s by default, or
 * 3.5 RTO if longer: what an orphan in FIN_WAIT2 gets), or the peer
 * closed its side, or sent data nobody will read, it ends as TCP's close
 * would have: a FIN after the data, or an RST for unread data.
 *
 * Bounds: each deferred close holds the limit units of the park it waits
 * for (limits.c), so deferred closes and records together stay within
 * max_parked, max_parked_per_uid and max_parked_total; a waiting socket
 * costs a whole socket and its send queue, though, so at most
 * max_deferring (module parameter) wait at once in all namespaces, and
 * none starts under TCP memory pressure (what __tcp_close() checks with
 * tcp_check_oom(), not exported). TCP bounds its orphans as ever
 * (tcp_max_orphans, orphan retries, memory), and if it resets one of
 * these, its units go back (release).
 */
#include <linux/moduleparam.h>
#include <net/tcp.h>

#include "tcpark.h"

static unsigned int max_deferring = 4096;
module_param(max_deferring, uint, 0644);
MODULE_PARM_DESC(max_deferring,
		 "close()s waiting for their ACKs at once, all namespaces (0: none)");
static atomic_t tcpark_deferring_all = ATOMIC_INIT(0);

/*
 * How long until the timer looks again: about half an RTT (10 to 100
 * ms), doubling up to the RTO while nothing new is acked, so that a peer
 * that stops acking costs a timer per RTO, not one per jiffy.
 */
static u32 tcpark_defer_poll_ms(const struct sock *sk, struct tcpark_sock *ctx)
{
	u32 una = READ_ONCE(tcp_sk(sk)->snd_una);
	u32 base = clamp_t(u32, (tcp_sk(sk)->srtt_us >> 4) / USEC_PER_MSEC,
			   10, 100);
	u32 rto = max_t(u32, jiffies_to_msecs(inet_csk(sk)->icsk_rto), base);

	if (una != ctx->defer_una) {
		ctx->defer_una = una;
		ctx->defer_poll_ms = base;
	} else {
		ctx->defer_poll_ms = min(max(ctx->defer_poll_ms, base) * 2, rto);
	}
	return ctx->defer_poll_ms;
}

/* Room for one more waiting socket: the cap, and TCP's memory. */
static bool tcpark_defer_room(struct sock *sk)
{
	/* Set once TCP's memory passed tcp_mem[1] (sk_enter_memory_pressure). */
	if (tcp_under_memory_pressure(sk))
		return false;
	if (atomic_inc_return(&tcpark_deferring_all) <= READ_ONCE(max_deferring))
		return true;
	atomic_dec(&tcpark_deferring_all);
	return false;
}

/*
 * Under lock_sock(), from close() with data in flight (the app has
 * gone). 1: deferred, the caller drops its reference and returns; 0: not
 * eligible but for the data in flight (the caller's park counts why);
 * -ENOSPC: no limit unit left (counted), an ordinary close.
 */
int tcpark_defer_close(struct sock *sk, struct tcpark_sock *ctx)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(sk));
	kuid_t uid = sock_i_uid(sk);	/* the inode's: gone once orphaned */
	int reason;

	/*
	 * Kernel sockets: tcp_close() stops their timers synchronously, as
	 * they do not hold their netns. Repair mode closes silently anyway.
	 */
	if (!sk->sk_net_refcnt || tcp_sk(sk)->repair ||
	    tcpark_park_check_flight(sk, &reason, true))
		return 0;
	if (!tcpark_defer_room(sk)) {
		tcpark_count_refusal(sk, TCPARK_REFUSED_LIMIT);
		return -ENOBUFS;
	}
	if (!tcpark_limits_reserve(sock_net(sk), uid)) {
		atomic_dec(&tcpark_deferring_all);
		tcpark_count_refusal(sk, TCPARK_REFUSED_LIMIT);
		return -ENOSPC;
	}
	/* The idle timer's callback must not re-arm it for idle_ms. */
	sk_stop_timer_sync(sk, &ctx->idle_timer);
	ctx->defer_uid = uid;
	ctx->defer_until = jiffies + tcp_fin_time(sk);
	ctx->defer_una = tcp_sk(sk)->snd_una;
	ctx->defer_poll_ms = 0;
	/* Pairs with the timer's smp_load_acquire(): the fields above first. */
	smp_store_release(&ctx->deferred, true);
	atomic_inc(&tn->deferring);
	tcpark_stat_inc(tn, TCPARK_ST_DEFERRED);
	/* __tcp_close()'s adjudge_to_death, the state left as it is. */
	sock_hold(sk);
	sock_orphan(sk);
	this_cpu_inc(*sk->sk_prot->orphan_count);
	tcpark_idle_arm(sk, ctx, tcpark_defer_poll_ms(sk, ctx));
	return 1;
}

/* From the timer, unlocked: worth taking the lock to finish it? */
bool tcpark_defer_due(struct sock *sk, struct tcpark_sock *ctx, u32 *rest_ms)
{
	*rest_ms = tcpark_defer_poll_ms(sk, ctx);
	return READ_ONCE(sk->sk_state) != TCP_ESTABLISHED ||
	       tcpark_all_acked(sk) ||
	       !skb_queue_empty_lockless(&sk->sk_receive_queue) ||
	       time_after_eq(jiffies, ctx->defer_until);
}

static void tcpark_defer_done(struct sock *sk, struct tcpark_sock *ctx)
{
	WRITE_ONCE(ctx->deferred, false);
	atomic_dec(&tcpark_pernet(sock_net(sk))->deferring);
	atomic_dec(&tcpark_deferring_all);
}

/*
 * TCP's close, late: RST if data came that nobody will read (as
 * __tcp_close() for unread data: a FIN alone is not data), else a FIN
 * after what is queued
 * (tcp_shutdown(), through the proto since 6.12 no longer exports it,
 * moves ESTABLISHED to FIN_WAIT1, CLOSE_WAIT to LAST_ACK); the orphan
 * then ends on TCP's own timers.
 */
static void tcpark_defer_tcp_close(struct sock *sk)
{
	bool unread = false;
	struct sk_buff *skb;

	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	while ((skb = __skb_dequeue(&sk->sk_receive_queue))) {
		u32 end_seq = TCP_SKB_CB(skb)->end_seq;

		if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
			end_seq--;
		if (after(end_seq, tcp_sk(sk)->copied_seq))
			unread = true;
		__kfree_skb(skb);
	}
	if (unread)
		tcp_disconnect(sk, 0);
	else
		tcpark_base_prot(sk)->shutdown(sk, SEND_SHUTDOWN);
}

/*
 * From the work item, under lock_sock(): park if everything is acked,
 * else, once the wait is over, close as TCP. A socket that parked (or
 * was reset) is CLOSE: destroyed here as __tcp_close() destroys an
 * orphan, which drops the reference tcpark_defer_close() took.
 */
void tcpark_defer_finish(struct sock *sk, struct tcpark_sock *ctx)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(sk));
	bool acked;
	u32 rest;

	if (!tcpark_defer_due(sk, ctx, &rest)) {
		tcpark_idle_arm(sk, ctx, rest);
		return;
	}
	tcpark_defer_done(sk, ctx);
	acked = sk->sk_state == TCP_ESTABLISHED && tcpark_all_acked(sk);
	/* The park takes the units, or gives them back if it cannot. */
	if (acked && !tcpark_park_transient(sk, &ctx->defer_uid)) {
		tcpark_stat_inc(tn, TCPARK_ST_DEFERRED_PARKED);
	} else {
		if (!acked)
			tcpark_limits_release(sock_net(sk), ctx->defer_uid);
		tcpark_stat_inc(tn, TCPARK_ST_DEFERRED_CLOSED);
		tcpark_defer_tcp_close(sk);
	}
	if (sk->sk_state != TCP_CLOSE)
		return;
	local_bh_disable();
	bh_lock_sock(sk);
	inet_csk_destroy_sock(sk);
	bh_unlock_sock(sk);
	local_bh_enable();
}

/*
 * From release(): TCP destroyed the orphan before it finished (the
 * peer's RST, retransmissions or memory given up): its units go back.
 */
void tcpark_defer_release(struct sock *sk, struct tcpark_sock *ctx)
{
	if (!ctx->deferred)
		return;
	tcpark_defer_done(sk, ctx);
	tcpark_limits_release(sock_net(sk), ctx->defer_uid);
	tcpark_stat_inc(tcpark_pernet(sock_net(sk)), TCPARK_ST_DEFERRED_CLOSED);
}
