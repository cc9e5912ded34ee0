// SPDX-License-Identifier: GPL-2.0
/*
 * The idle timer: parks a transient-mode connection that has been quiet
 * for TCPARK_IDLE_MS even while its app still holds the fd (blocked in
 * read() or epoll). The app then sees the connection end as if the peer
 * had closed it: poll() reports EPOLLHUP (tcp_disconnect() wakes it) and
 * then EPOLLIN|EPOLLRDHUP, read() returns 0, write() fails with EPIPE.
 * The connection itself lives on in the record. Persistent mode ignores
 * the timer until persistent parking exists.
 *
 * Quiet time is TCP's own bookkeeping (tcpark_idle_age_ms()), so nothing
 * is added to the data path: the timer fires once per idle period, checks
 * the age, and re-arms for the rest. Parking needs the socket lock, which
 * a timer cannot take: the timer queues the socket (with a reference) to
 * a work item that takes it. A close() deferred until its data is acked
 * (defer.c) uses the same timer and work item.
 */
#include <linux/llist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/tcp.h>

#include "tcpark.h"

struct tcpark_idle_req {
	struct llist_node node;
	struct sock *sk;
};

static LLIST_HEAD(tcpark_idle_list);
static void tcpark_idle_work_fn(struct work_struct *work);
static DECLARE_WORK(tcpark_idle_work, tcpark_idle_work_fn);

void tcpark_idle_arm(struct sock *sk, struct tcpark_sock *ctx, u32 delay_ms)
{
	if (delay_ms && !READ_ONCE(ctx->dead))
		sk_reset_timer(sk, &ctx->idle_timer,
			       jiffies + msecs_to_jiffies(delay_ms));
}

/* (Re)start the timer from the settings in force; 0 ms stops nothing. */
void tcpark_idle_update(struct sock *sk)
{
	struct tcpark_settings s;

	tcpark_effective(sk, &s);
	tcpark_idle_arm(sk, tcpark_sk(sk), s.idle_ms);
}

static bool tcpark_idle_due(struct sock *sk, u32 *rest_ms)
{
	struct tcpark_settings s;
	u32 age;

	tcpark_effective(sk, &s);
	*rest_ms = s.idle_ms;
	if (!s.idle_ms || READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return false;
	age = tcpark_idle_age_ms(sk);
	if (age < s.idle_ms) {
		*rest_ms = s.idle_ms - age;
		return false;
	}
	return s.mode == TCPARK_MODE_TRANSIENT;
}

static void tcpark_idle_timer(struct timer_list *t)
{
	struct tcpark_sock *ctx = from_timer(ctx, t, idle_timer);
	struct sock *sk = ctx->sk;
	struct tcpark_idle_req *req;
	bool due;
	u32 rest;

	/* The same timer waits for a deferred close's ACKs (defer.c). */
	/* Pairs with tcpark_defer_close(): its deadline and owner are set. */
	if (smp_load_acquire(&ctx->deferred))
		due = tcpark_defer_due(sk, ctx, &rest);
	else
		due = tcpark_idle_due(sk, &rest);
	if (!due) {
		tcpark_idle_arm(sk, ctx, rest);
		goto out;
	}
	req = kmalloc(sizeof(*req), GFP_ATOMIC);
	if (!req) {
		tcpark_idle_arm(sk, ctx, rest);
		goto out;
	}
	sock_hold(sk);
	req->sk = sk;
	llist_add(&req->node, &tcpark_idle_list);
	schedule_work(&tcpark_idle_work);
out:
	sock_put(sk);		/* sk_reset_timer()'s reference */
}

/* The app's view after an idle park: end of stream, not an error. */
static void tcpark_idle_show_eof(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sk->sk_state_change(sk);
}

static void tcpark_idle_park(struct sock *sk)
{
	struct tcpark_sock *ctx;
	u32 rest;
	int ret;

	lock_sock(sk);
	/* Released since the timer fired: nothing to do. */
	if (!tcpark_is_ours(sk))
		goto out;
	ctx = tcpark_sk(sk);
	if (ctx->deferred) {
		tcpark_defer_finish(sk, ctx);
		goto out;
	}
	/* Closed, or busy again, since the timer fired. */
	if (!tcpark_idle_due(sk, &rest))
		goto out;
	ret = tcpark_park_transient(sk, NULL);
	if (ret)
		tcpark_idle_arm(sk, ctx, rest);	/* try again next period */
	else
		tcpark_idle_show_eof(sk);
out:
	release_sock(sk);
}

/*
 * Park @sk now if it is eligible, as the idle timer would (the pressure
 * policy, pressure.c); an ineligible socket is skipped, not counted as a
 * refusal: the policy only looks for eligible ones. 0 if parked.
 */
int tcpark_park_now(struct sock *sk)
{
	struct tcpark_settings s;
	int reason, ret = -EBUSY;

	lock_sock(sk);
	if (!tcpark_is_ours(sk) || tcpark_sk(sk)->deferred)
		goto out;
	tcpark_effective(sk, &s);
	if (s.mode != TCPARK_MODE_TRANSIENT || tcpark_park_check(sk, &reason))
		goto out;
	ret = tcpark_park_transient(sk, NULL);
	if (!ret)
		tcpark_idle_show_eof(sk);
out:
	release_sock(sk);
	return ret;
}

static void tcpark_idle_work_fn(struct work_struct *work)
{
	struct tcpark_idle_req *req, *next;
	struct llist_node *list = llist_del_all(&tcpark_idle_list);

	llist_for_each_entry_safe(req, next, list, node) {
		tcpark_idle_park(req->sk);
		sock_put(req->sk);
		kfree(req);
	}
}

void tcpark_idle_init(struct tcpark_sock *ctx)
{
	timer_setup(&ctx->idle_timer, tcpark_idle_timer, 0);
}

/* From release(): no timer may run or be pending once it returns. */
void tcpark_idle_stop(struct sock *sk, struct tcpark_sock *ctx)
{
	WRITE_ONCE(ctx->dead, true);
	sk_stop_timer_sync(sk, &ctx->idle_timer);
}

/* Module exit: queued requests hold socket references. */
void tcpark_idle_flush(void)
{
	flush_work(&tcpark_idle_work);
}
