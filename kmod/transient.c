// SPDX-License-Identifier: GPL-2.0
/*
 * Transient parking: close() of an eligible connection keeps it as a
 * record and frees the socket without a FIN or an RST (docs/design.md §5).
 *
 * Under the socket lock: check eligibility, snapshot, publish the record,
 * then tcp_disconnect() in repair mode, which sends nothing. The lock is
 * never dropped in between: data could otherwise be acked by the socket
 * after the snapshot and then purged. A segment that arrives meanwhile is
 * backlogged and meets a CLOSEd socket, which discards it; the peer
 * retransmits to the record.
 */
#include <net/tcp.h>

#include "tcpark.h"
#include "trace.h"

/* @sk's 4-tuple as a record keeps it; also what a remap must produce. */
void tcpark_snapshot_key(const struct sock *sk, struct tcpark_key *key,
			 u8 *flags)
{
	memset(key, 0, sizeof(*key));
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(&sk->sk_v6_daddr)) {
		key->laddr = sk->sk_v6_rcv_saddr;
		key->raddr = sk->sk_v6_daddr;
		*flags |= TCPARK_REC_V6;
	} else {
		ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &key->laddr);
		ipv6_addr_set_v4mapped(sk->sk_daddr, &key->raddr);
	}
	key->lport = htons(sk->sk_num);
	key->rport = sk->sk_dport;
}

/*
 * TCPARK_KEEPALIVE in force now. Silence counts from the park: the
 * socket's own stamps (lrcvtime, rcv_tstamp) miss the peer's keepalives,
 * which TCP answers without taking them as acceptable, so a peer that
 * kept a quiet connection alive that way would look silent for as long
 * as the app held it, and a record could expire at its first look.
 */
static void tcpark_snapshot_probes(const struct sock *sk,
				   struct tcpark_record *rec)
{
	struct tcpark_settings s;

	tcpark_effective(sk, &s);
	rec->ka_interval_ms = s.ka_interval_ms;
	rec->ka_probes = min_t(u32, s.ka_probes, U8_MAX);
	rec->last_heard = tcp_jiffies32;
}

static void tcpark_snapshot(struct sock *sk, struct tcpark_record *rec)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_options_received *rx = &tp->rx_opt;

	tcpark_snapshot_key(sk, &rec->key, &rec->flags);
	rec->snd_nxt = tp->snd_nxt;
	rec->rcv_nxt = tp->rcv_nxt;
	/* In the peer's window units (record.h); max_window rounded up. */
	rec->snd_wnd = min_t(u32, tp->snd_wnd >> rx->snd_wscale, U16_MAX);
	rec->max_window = min_t(u32, DIV_ROUND_UP(tp->max_window,
						  1U << rx->snd_wscale), U16_MAX);
	rec->rcv_wnd = tp->rcv_wnd;
	rec->mss = rx->mss_clamp;
	if (rx->tstamp_ok) {
		rec->flags |= TCPARK_REC_TSTAMP;
		rec->ts_recent = rx->ts_recent;
		rec->ts_offset = tp->tsoffset;
	}
	if (tcpark_tp_usec_ts(tp))
		rec->flags |= TCPARK_REC_USEC_TS;
	if (rx->sack_ok)
		rec->flags |= TCPARK_REC_SACK;
	if (rx->wscale_ok) {
		rec->flags |= TCPARK_REC_WSCALE;
		rec->snd_wscale = rx->snd_wscale;
		rec->rcv_wscale = rx->rcv_wscale;
	}
	rec->srtt = min_t(u32, tp->srtt_us >> (3 + 7), U16_MAX);
	rec->cookie = tcpark_sock_cookie(sk);
	rec->oif = READ_ONCE(sk->sk_bound_dev_if);
	rec->mark = READ_ONCE(sk->sk_mark);
	rec->last_rx = tcp_jiffies32 - msecs_to_jiffies(tcpark_idle_age_ms(sk));
	tcpark_snapshot_probes(sk, rec);
}

/*
 * The record answers as a socket whose every byte was acked (rcv_wup ==
 * rcv_nxt, input.c): a delayed ACK still pending goes out now, as
 * tcp_send_ack() from the delack timer would. If it cannot (no memory),
 * the peer retransmits and the record acks the retransmission.
 */
static void tcpark_flush_ack(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (inet_csk(sk)->icsk_ack.pending & (ICSK_ACK_SCHED | ICSK_ACK_TIMER) ||
	    tp->rcv_nxt != tp->rcv_wup)
		tcpark_tcp_send_ack(sk);
}

/*
 * Under lock_sock(). 0: parked, the socket is now CLOSE and silent.
 * Counts the park or the reason it was refused. @reserved: the owner
 * whose limit units a deferred close (defer.c) already holds, which this
 * consumes either way; NULL: the socket's owner, reserved here.
 */
int tcpark_park_transient(struct sock *sk, const kuid_t *reserved)
{
	struct tcpark_record *rec, event;
	struct net *net = sock_net(sk);
	kuid_t uid = reserved ? *reserved : sock_i_uid(sk);
	int reason, ret;

	ret = tcpark_park_check(sk, &reason);
	if (!ret && !reserved && !tcpark_limits_reserve(net, uid)) {
		reason = TCPARK_REFUSED_LIMIT;
		ret = -ENOSPC;
	} else if (ret && reserved) {
		tcpark_limits_release(net, uid);
	}
	if (ret) {
		tcpark_count_refusal(sk, reason);
		return ret;
	}
	rec = tcpark_record_alloc(sk);
	if (!rec) {
		tcpark_limits_release(net, uid);
		return -ENOMEM;
	}
	tcpark_flush_ack(sk);
	tcpark_snapshot(sk, rec);
	rec->uid = uid;
	/*
	 * Once inserted, the record belongs to the table: an RST on another
	 * CPU may remove it and call_rcu() it at once, and nothing below is
	 * an RCU read-side section (tcp_disconnect() is long enough for a
	 * grace period with preemptible RCU). The PARKED event is built from
	 * this copy instead.
	 */
	event = *rec;
	ret = tcpark_record_insert(net, rec);
	if (ret) {
		tcpark_limits_release(net, uid);
		tcpark_record_free(rec);
		return ret;
	}
	tcp_sk(sk)->repair = 1;		/* tcp_disconnect(): no FIN, no RST */
	tcp_disconnect(sk, 0);
	tcp_sk(sk)->repair = 0;
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_PARKS);
	trace_tcpark_park(net, &event);
	/* An app that still holds the fd (idle timer) sees tpi_parks. */
	WRITE_ONCE(tcpark_sk(sk)->parks, tcpark_sk(sk)->parks + 1);
	tcpark_notify_record(net, &event, TCPARK_EVENT_PARKED,
			     TCPARK_REASON_NONE);
	return 0;
}

bool tcpark_all_acked(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return READ_ONCE(sk->sk_state) != TCP_ESTABLISHED ||
	       READ_ONCE(tp->snd_una) == READ_ONCE(tp->write_seq);
}

/*
 * SO_LINGER with a timeout asks close() to wait until the data is
 * delivered. TCP's close sends its FIN first and then waits; here close()
 * waits for the ACK of everything sent, so that the connection can then
 * park (no FIN). Under lock_sock(); sk_wait_event() drops it to sleep.
 * ACKs wake us through sk_write_space() (SOCK_NOSPACE asks for that, as
 * sk_stream_wait_memory() does); the short slices are a backstop.
 */
static void tcpark_linger_for_acks(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	unsigned long end = jiffies + timeo;

	add_wait_queue(sk_sleep(sk), &wait);
	while (!tcpark_all_acked(sk) && time_before(jiffies, end) &&
	       !signal_pending(current)) {
		long slice = min_t(long, end - jiffies, HZ / 20 ?: 1);

		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		sk_wait_event(sk, &slice, tcpark_all_acked(sk), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
}

/*
 * The close() of our proto: park instead of closing when the socket is in
 * transient mode and eligible; otherwise (or after parking) TCP's close.
 * SO_LINGER with a zero timeout asks for an abortive close (RST): that
 * request wins over parking; with a timeout, close() first waits for the
 * ACK of what was sent, up to that long. Without SO_LINGER, data still
 * in flight does not block close() either: the socket is orphaned as
 * TCP orphans it, and parks once the peer has acked everything (defer.c).
 */
void tcpark_close(struct sock *sk, long timeout)
{
	bool abort = sock_flag(sk, SOCK_LINGER) && !READ_ONCE(sk->sk_lingertime);
	struct tcpark_settings s;
	int deferred = 0;

	tcpark_effective(sk, &s);
	if (s.mode == TCPARK_MODE_TRANSIENT && !abort &&
	    READ_ONCE(sk->sk_state) == TCP_ESTABLISHED) {
		lock_sock(sk);
		if (timeout && sk->sk_socket)
			tcpark_linger_for_acks(sk, timeout);
		/* Not for SO_LINGER (an exiting task's close() passes 0). */
		else if (sk->sk_socket && !sock_flag(sk, SOCK_LINGER) &&
			 !tcpark_all_acked(sk))
			deferred = tcpark_defer_close(sk, tcpark_sk(sk));
		if (!deferred && sk->sk_state == TCP_ESTABLISHED)
			tcpark_park_transient(sk, NULL);
		release_sock(sk);
	}
	if (deferred > 0) {
		sock_put(sk);	/* the caller's, as tcp_close() drops it */
		return;
	}
	tcpark_base_prot(sk)->close(sk, timeout);
}
