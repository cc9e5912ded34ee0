// SPDX-License-Identifier: GPL-2.0
/*
 * Parking decisions and the actions the control plane can take on a
 * socket. Moving a connection into the inactive table arrives with the
 * parking work; until then an eligible socket answers EOPNOTSUPP, so a
 * caller can already tell "not eligible" (EBUSY) from "not available".
 */
#include <net/tcp.h>

#include "tcpark.h"
#include "trace.h"

/*
 * docs/design.md §4: only a quiet ESTABLISHED connection may park — nothing
 * unacknowledged or unsent (snd_una == snd_nxt == write_seq), nothing
 * unread or out of order, no MD5/AO (the module could not sign its own
 * segments), not pinned. Caller holds the socket lock. On refusal,
 * *@reason says why (enum tcpark_refusal).
 */
int tcpark_park_check(struct sock *sk, int *reason)
{
	return tcpark_park_check_flight(sk, reason, false);
}

/*
 * The same; with @in_flight_ok, data sent or queued and not yet acked
 * does not stop it (a close() that can wait for the ACKs, defer.c).
 */
int tcpark_park_check_flight(struct sock *sk, int *reason, bool in_flight_ok)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct tcpark_settings s;

	*reason = TCPARK_REFUSED_STATE;
	if (sk->sk_state != TCP_ESTABLISHED)
		return -ENOTCONN;
	tcpark_effective(sk, &s);
	*reason = TCPARK_REFUSED_PINNED;
	if (s.pin)
		return -EBUSY;
	*reason = TCPARK_REFUSED_UNACKED;
	if (!in_flight_ok &&
	    (tp->snd_una != tp->snd_nxt || tp->write_seq != tp->snd_nxt))
		return -EBUSY;
	*reason = TCPARK_REFUSED_UNREAD;
	if (!skb_queue_empty(&sk->sk_receive_queue) ||
	    !RB_EMPTY_ROOT(&tp->out_of_order_queue) || tp->urg_data)
		return -EBUSY;
	*reason = TCPARK_REFUSED_AUTH;
	if (tcpark_sk_has_auth(sk))
		return -EBUSY;
	return 0;
}

void tcpark_count_refusal(struct sock *sk, int reason)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(sk));

	trace_tcpark_park_refused(sk, reason);
	tcpark_stat_inc(tn, TCPARK_ST_REFUSED + reason);
}

/* TCPARK_PARK and the PARK command. Caller holds the socket lock. */
int tcpark_park(struct sock *sk)
{
	struct tcpark_settings s;
	int reason, ret;

	ret = tcpark_park_check(sk, &reason);
	if (ret) {
		tcpark_count_refusal(sk, reason);
		return ret;
	}
	tcpark_effective(sk, &s);
	if (s.mode == TCPARK_MODE_TRANSIENT)
		return -EOPNOTSUPP;	/* parks on close(); see transient.c */
	return -EOPNOTSUPP;		/* persistent parking: not yet */
}

int tcpark_wake(struct sock *sk)
{
	/* Nothing is parked yet: every socket is active. */
	return -EALREADY;
}

/*
 * Reset the connection as `ss -K` does (tcp_abort(): RST to the peer,
 * ECONNABORTED to the app). Listeners are not connections: close them in
 * the app. Caller holds a reference, not the lock.
 */
int tcpark_kill(struct sock *sk)
{
	int state = READ_ONCE(sk->sk_state);
	int ret;

	if (state == TCP_LISTEN || state == TCP_CLOSE)
		return -EINVAL;
	tcpark_notify(sk, TCPARK_EVENT_KILLED);
	ret = tcp_abort(sk, ECONNABORTED);
	if (!ret)
		tcpark_stat_inc(tcpark_pernet(sock_net(sk)), TCPARK_ST_KILLS);
	return ret;
}
