// SPDX-License-Identifier: GPL-2.0
/*
 * Keepalive probes the module sends for parked records, and the expiry
 * of records whose peer went silent (docs/design.md, "Probes and
 * expiry").
 *
 * A record needs a look once its peer has been silent for its probe
 * interval (a probe is due, or the record expires) or for the netns's
 * peer_timeout_ms. A timer per record would cost 40 bytes and a wheel
 * linking every record 16, neither of which the 128-byte slot has; so one
 * work item per netns walks the table itself, bucket by bucket, and each
 * tick visits the share of the records that makes one whole pass per
 * period: half the shortest probe interval in use, or peer_timeout_ms / 16
 * if that is shorter. The share follows the time since the last tick,
 * not the tick's nominal length, so that a slow tick (a million records,
 * a busy CPU) does not stretch the period. Each record is seen at least
 * twice per interval, at a point of the pass its hash sets, which spreads
 * a million records' probes over the interval; a tick costs records x tick / period (what is
 * due, within a factor of two) and nothing at all with an empty table.
 *
 * Each visit decides from the record alone, as tcp_keepalive_timer()
 * does from the socket: silence = now - last_heard, due = silence /
 * interval probes should be out by now, probes_out went out. The peer's
 * answer to a probe moves last_heard and clears probes_out (input.c).
 * Records whose data waits for a listener are looked at too: they end
 * after wake_timeout_ms even if the peer stops retransmitting.
 */
#include <linux/log2.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "trace.h"

#define TCPARK_SWEEP_TICK_MS	100
/* Records visited between two reschedule points of a tick. */
#define TCPARK_SWEEP_BATCH	256
/* With records but nothing to probe or expire: look again this often. */
#define TCPARK_SWEEP_IDLE_MS	1000

static int tcpark_ka_class(u32 interval_ms)
{
	return min_t(int, ilog2(max_t(u32, interval_ms / 1000, 1)),
		     TCPARK_KA_CLASSES - 1);
}

/* 0: no record probes or waits, and peer_timeout_ms is 0. */
static u32 tcpark_sweep_period_ms(struct tcpark_net *tn)
{
	u32 timeout = READ_ONCE(tn->def.peer_timeout_ms) / 16;
	u32 period = 0;
	int c;

	for (c = 0; c < TCPARK_KA_CLASSES; c++) {
		if (atomic_read(&tn->sweep.ka_class[c])) {
			period = (1000U << c) / 2;
			break;
		}
	}
	if (timeout && (!period || timeout < period))
		period = timeout;
	/* Records whose data waits: see each twice per wake_timeout_ms. */
	timeout = READ_ONCE(tn->def.wake_timeout_ms) / 2;
	if (atomic_read(&tn->sweep.wake_waiting) &&
	    (!period || timeout < period))
		period = timeout;
	return period ? max_t(u32, period, TCPARK_SWEEP_TICK_MS) : 0;
}

static void tcpark_sweep_expire(struct net *net, struct tcpark_record *rec,
				enum tcpark_reason reason, enum tcpark_stat count)
{
	/* As tcp_keepalive_timer() giving up: an RST, in case it hears. */
	if (tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED, reason, true))
		tcpark_stat_inc(tcpark_pernet(net), count);
}

/*
 * Data waits for a listener (reactivate.c): the peer's retransmissions
 * of it end the record after wake_timeout_ms, and if they stop coming
 * (the device is gone) this does, as they would have.
 */
static void tcpark_sweep_waiting(struct net *net, struct tcpark_record *rec,
				 u32 now)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	u32 waited = tcpark_jiffies_since(now, READ_ONCE(rec->last_rx));

	if (jiffies_to_msecs(waited) >= READ_ONCE(tn->def.wake_timeout_ms))
		tcpark_sweep_expire(net, rec, TCPARK_REASON_WAKE_TIMEOUT,
				    TCPARK_ST_WAKE_EXPIRED);
}

/*
 * Probes go out at silence = interval, 2 x interval, ... one per visit
 * at most, each counted in probes_out (which input.c clears when the
 * peer is heard); once @ka_probes of them are out and (ka_probes + 1)
 * intervals have passed, the record expires, as tcp_keepalive_timer()
 * gives up at icsk_probes_out >= keepalive_probes. A sweep that falls
 * behind thus sends every probe before it gives up. With ka_probes 0 it
 * never does, and probes go on, one per interval.
 */
static void tcpark_sweep_visit(struct net *net, struct tcpark_record *rec,
			       u32 peer_timeout)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	u32 heard = READ_ONCE(rec->last_heard);
	u32 now = tcp_jiffies32;
	u32 silent = tcpark_jiffies_since(now, heard);
	u32 interval = msecs_to_jiffies(rec->ka_interval_ms);
	u8 flags = READ_ONCE(rec->flags), out;
	u32 due;

	if (flags & TCPARK_REC_CLAIMED)		/* being woken or ended */
		return;
	if (flags & TCPARK_REC_WAKE_WAIT) {
		smp_rmb();	/* last_rx: tcpark_record_wake_wait() */
		tcpark_sweep_waiting(net, rec, now);
		return;
	}
	if (peer_timeout && silent >= peer_timeout) {
		tcpark_sweep_expire(net, rec, TCPARK_REASON_PEER_TIMEOUT,
				    TCPARK_ST_EXPIRED_PEER_TIMEOUT);
		return;
	}
	if (!interval)
		return;
	due = silent / interval;
	out = READ_ONCE(rec->probes_out);
	if (!rec->ka_probes) {
		/* No limit: probes_out wraps and a probe per interval goes on. */
		if ((u8)due == out)
			return;
	} else if (out >= rec->ka_probes) {
		if (due > rec->ka_probes)
			tcpark_sweep_expire(net, rec, TCPARK_REASON_PROBES,
					    TCPARK_ST_EXPIRED_PROBES);
		return;
	} else if (due <= out) {
		return;
	}
	WRITE_ONCE(rec->probes_out, out + 1);
	if (!tcpark_send_probe(net, rec)) {
		tcpark_stat_inc(tn, TCPARK_ST_PROBES_SENT);
		trace_tcpark_probe_sent(net, rec, out + 1);
	}
}

/*
 * Visit up to @budget records, going on from where the last tick
 * stopped: on a record it has not visited yet, which
 * rhashtable_walk_peek() gives back (tcpark_record_walk() does the
 * same). A resize restarts the pass (-EAGAIN): records already visited
 * are visited again, which sends nothing twice (probes_out says what
 * went out), and the pass takes longer. At the end of the table the
 * pass is over, and the next tick starts one. Bottom halves are off for
 * each visit, as for a timer: it sends and may end the record, which
 * the input path does from softirq.
 */
static void tcpark_sweep_run(struct net *net, struct tcpark_net *tn,
			     u32 budget)
{
	u32 peer_timeout = msecs_to_jiffies(READ_ONCE(tn->def.peer_timeout_ms));
	struct rhashtable_iter *iter = &tn->sweep.iter;
	struct tcpark_record *rec;
	u32 n = 0;

	if (!tn->sweep.walking) {
		rhashtable_walk_enter(&tn->records, iter);
		tn->sweep.walking = true;
	}
	rhashtable_walk_start(iter);
	rec = rhashtable_walk_peek(iter);
	while (rec && n < budget) {
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) != -EAGAIN)
				break;
			rec = rhashtable_walk_next(iter);
			continue;
		}
		local_bh_disable();
		tcpark_sweep_visit(net, rec, peer_timeout);
		local_bh_enable();
		rec = rhashtable_walk_next(iter);
		if (!IS_ERR_OR_NULL(rec) && ++n % TCPARK_SWEEP_BATCH == 0) {
			rhashtable_walk_stop(iter);
			cond_resched();
			rhashtable_walk_start(iter);
			rec = rhashtable_walk_peek(iter);
		}
	}
	rhashtable_walk_stop(iter);
	if (IS_ERR_OR_NULL(rec)) {
		rhashtable_walk_exit(iter);
		tn->sweep.walking = false;
	}
}

static void tcpark_sweep_work(struct work_struct *work)
{
	struct tcpark_sweep *sw = container_of(to_delayed_work(work),
					       struct tcpark_sweep, work);
	struct tcpark_net *tn = container_of(sw, struct tcpark_net, sweep);
	u32 parked = atomic_read(&tn->parked);
	u32 period = tcpark_sweep_period_ms(tn);
	u32 next = TCPARK_SWEEP_IDLE_MS;
	unsigned long now = jiffies;
	u32 elapsed;

	if (!parked) {
		/* The next record's insert queues the work again. */
		sw->last = now;
		if (sw->walking) {
			rhashtable_walk_exit(&sw->iter);
			sw->walking = false;
		}
		return;
	}
	if (period) {
		/* From the last tick's start: its own run time counts. */
		elapsed = clamp_t(u32, jiffies_to_msecs(now - sw->last),
				  TCPARK_SWEEP_TICK_MS, period);
		tcpark_sweep_run(tn->net, tn, DIV_ROUND_UP_ULL((u64)parked *
				 elapsed, period));
		next = TCPARK_SWEEP_TICK_MS;
	}
	sw->last = now;
	if (!READ_ONCE(sw->stopping))
		queue_delayed_work(system_power_efficient_wq, &sw->work,
				   msecs_to_jiffies(next));
}

void tcpark_sweep_init(struct tcpark_net *tn)
{
	int c;

	INIT_DELAYED_WORK(&tn->sweep.work, tcpark_sweep_work);
	tn->sweep.last = jiffies;
	tn->sweep.walking = false;
	tn->sweep.stopping = false;
	for (c = 0; c < TCPARK_KA_CLASSES; c++)
		atomic_set(&tn->sweep.ka_class[c], 0);
	atomic_set(&tn->sweep.wake_waiting, 0);
}

/*
 * Netns deletion or rmmod (pernet .pre_exit), before the records are
 * reset: no visit runs after this, and the walker is off the table
 * before rhashtable_free_and_destroy().
 */
void tcpark_sweep_stop(struct tcpark_net *tn)
{
	WRITE_ONCE(tn->sweep.stopping, true);
	cancel_delayed_work_sync(&tn->sweep.work);
	if (tn->sweep.walking) {
		rhashtable_walk_exit(&tn->sweep.iter);
		tn->sweep.walking = false;
	}
}

/* A record is in the table: count its interval, make sure the work runs. */
void tcpark_sweep_add(struct net *net, const struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	if (rec->ka_interval_ms)
		atomic_inc(&tn->sweep.ka_class[tcpark_ka_class(rec->ka_interval_ms)]);
	/* pre_exit runs once no socket of the netns is left to park. */
	if (!WARN_ON_ONCE(READ_ONCE(tn->sweep.stopping)))
		queue_delayed_work(system_power_efficient_wq, &tn->sweep.work,
				   msecs_to_jiffies(TCPARK_SWEEP_TICK_MS));
}

/* By its claimer: its flags no longer change. */
void tcpark_sweep_del(struct net *net, const struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	if (rec->ka_interval_ms)
		atomic_dec(&tn->sweep.ka_class[tcpark_ka_class(rec->ka_interval_ms)]);
	if (READ_ONCE(rec->flags) & TCPARK_REC_WAKE_WAIT)
		atomic_dec(&tn->sweep.wake_waiting);
}

/* A record's data began to wait for a listener (tcpark_record_wake_wait()). */
void tcpark_sweep_wake_wait(struct net *net)
{
	atomic_inc(&tcpark_pernet(net)->sweep.wake_waiting);
}
