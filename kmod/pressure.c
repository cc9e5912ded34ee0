// SPDX-License-Identifier: GPL-2.0
/*
 * The pressure policy (docs/design.md, "Pressure parking"): when a
 * namespace's ESTABLISHED tcpark sockets pass net.tcpark.active_high, or
 * TCP is under memory pressure, park the quietest eligible transient
 * ones first, as the idle timer parks them (the app sees EOF), until
 * active_low are left. Under memory pressure alone, an eighth of them per
 * second, for as long as it lasts.
 *
 * "Quietest" is the time since the last segment either way
 * (tcpark_idle_age_ms()), in power-of-two classes of milliseconds: one
 * walk of the namespace's socket registry counts the active sockets and
 * how many eligible ones each class holds, which gives the youngest
 * class that must go; a second walk parks every candidate above it, a
 * third as many of that class as are still needed. No sorting, no
 * allocation, nothing on the data path: the work item wakes once a
 * second while the namespace has tcpark sockets, and a new one queues it.
 * A park this policy wants but the limits refuse is an ordinary refusal
 * (counted, the socket stays active); nothing parked is ever evicted.
 */
#include <net/tcp.h>

#include "tcpark.h"

#define TCPARK_PRESSURE_POLL_MS	1000
#define TCPARK_AGE_CLASSES	33	/* fls() of a u32 */

struct tcpark_pressure_scan {
	u32 active;
	u32 eligible[TCPARK_AGE_CLASSES];
};

/* Transient, ESTABLISHED, not pinned, not a deferred close's orphan. */
static bool tcpark_pressure_candidate(struct sock *sk)
{
	const struct tcpark_sock *ctx;
	struct tcpark_settings s;
	bool ok;

	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return false;
	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	ok = ctx && tcpark_is_ours(sk) && !READ_ONCE(ctx->deferred);
	rcu_read_unlock();
	if (!ok)
		return false;
	tcpark_effective(sk, &s);
	return s.mode == TCPARK_MODE_TRANSIENT && !s.pin;
}

static void tcpark_pressure_count(struct tcpark_net *tn,
				  struct tcpark_pressure_scan *scan)
{
	unsigned long index = 0;
	struct sock *sk;

	memset(scan, 0, sizeof(*scan));
	while ((sk = tcpark_next_sock(tn, &index))) {
		if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED) {
			scan->active++;
			if (tcpark_pressure_candidate(sk))
				scan->eligible[fls(tcpark_idle_age_ms(sk))]++;
		}
		sock_put(sk);
		index++;
		cond_resched();
	}
}

/*
 * Park up to @budget candidates whose age class is in [@lo, @hi]; stop
 * at the first park the limits refuse (counted once, not once per
 * candidate): *@full then says so.
 */
static u32 tcpark_pressure_park(struct tcpark_net *tn, int lo, int hi,
				u32 budget, bool *full)
{
	unsigned long index = 0;
	struct sock *sk;
	u32 done = 0;
	int c, ret;

	while (!*full && done < budget &&
	       (sk = tcpark_next_sock(tn, &index))) {
		if (tcpark_pressure_candidate(sk)) {
			c = fls(tcpark_idle_age_ms(sk));
			ret = c >= lo && c <= hi ? tcpark_park_now(sk) : -EBUSY;
			done += !ret;
			*full = ret == -ENOSPC;
		}
		sock_put(sk);
		index++;
		cond_resched();
	}
	tcpark_stat_add(tn, TCPARK_ST_PRESSURE_PARKS, done);
	return done;
}

/* How many to park now: 0 if neither limit nor memory asks for any. */
static u32 tcpark_pressure_want(struct tcpark_net *tn, u32 active)
{
	u32 high = READ_ONCE(tn->def.active_high);
	u32 low = min(READ_ONCE(tn->def.active_low), high);

	if (high && active > high)
		return active - low;
	if (READ_ONCE(tcp_memory_pressure))
		return max(active / 8, 1U);
	return 0;
}

static void tcpark_pressure_run(struct tcpark_net *tn)
{
	struct tcpark_pressure_scan scan;
	u32 want, above = 0;
	bool full = false;
	int c;

	tcpark_pressure_count(tn, &scan);
	want = tcpark_pressure_want(tn, scan.active);
	if (!want)
		return;
	/* The youngest class that must go, and how many above it. */
	for (c = TCPARK_AGE_CLASSES - 1; c > 0; c--) {
		if (above + scan.eligible[c] >= want)
			break;
		above += scan.eligible[c];
	}
	above = tcpark_pressure_park(tn, c + 1, TCPARK_AGE_CLASSES - 1, want,
				     &full);
	if (above < want)
		tcpark_pressure_park(tn, c, c, want - above, &full);
}

static void tcpark_pressure_work(struct work_struct *work)
{
	struct tcpark_net *tn = container_of(to_delayed_work(work),
					     struct tcpark_net, pressure);
	u32 high = READ_ONCE(tn->def.active_high);
	long attached = atomic_long_read(&tn->attached);

	/* The next socket to attach queues the work again. */
	if (!attached)
		return;
	if ((high && attached > high) || READ_ONCE(tcp_memory_pressure))
		tcpark_pressure_run(tn);
	if (!READ_ONCE(tn->pressure_stopping))
		queue_delayed_work(system_power_efficient_wq, &tn->pressure,
				   msecs_to_jiffies(TCPARK_PRESSURE_POLL_MS));
}

void tcpark_pressure_init(struct tcpark_net *tn)
{
	INIT_DELAYED_WORK(&tn->pressure, tcpark_pressure_work);
	tn->pressure_stopping = false;
}

/* A socket attached (any context): make sure the work looks soon. */
void tcpark_pressure_kick(struct tcpark_net *tn)
{
	if (!READ_ONCE(tn->pressure_stopping))
		queue_delayed_work(system_power_efficient_wq, &tn->pressure,
				   msecs_to_jiffies(TCPARK_PRESSURE_POLL_MS / 10));
}

/* pernet .pre_exit: no socket is left to park; no run after this. */
void tcpark_pressure_stop(struct tcpark_net *tn)
{
	WRITE_ONCE(tn->pressure_stopping, true);
	cancel_delayed_work_sync(&tn->pressure);
}
