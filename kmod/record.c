// SPDX-License-Identifier: GPL-2.0
/*
 * The inactive table: per netns, an rhashtable of transient records keyed
 * by 4-tuple, looked up lock-free (RCU) from the netfilter hook, and an
 * rhltable of the same records keyed by remote address and port, for
 * connect() (remap.c), which knows no more than that of its peer.
 *
 * Two filters keep the cost on everything else near zero: a static key
 * that stays off while no record exists anywhere, and a per-netns bitmap
 * of local ports that have a record, tested before hashing. A port's bit
 * goes with its last record: port_refs counts them, for those ports only.
 * The bit is set before the record is published and cleared after it is
 * unlinked, both under the xarray's lock with the count, so it is never
 * clear while a record of that port can be found: the stack would reset
 * that connection.
 */
#include <linux/jhash.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/ipv6.h>

#include "tcpark.h"
#include "trace.h"

static struct kmem_cache *tcpark_record_cache __read_mostly;
static DEFINE_STATIC_KEY_DEFERRED_FALSE(tcpark_records_key, HZ);

/* The whole 4-tuple: struct tcpark_key has no padding (jhash2, memcmp). */
static const struct rhashtable_params tcpark_record_params = {
	.key_len		= sizeof(struct tcpark_key),
	.key_offset		= offsetof(struct tcpark_record, key),
	.head_offset		= offsetof(struct tcpark_record, node),
	.automatic_shrinking	= true,
};

/* The remote address and port: all connect() knows of a record. */
static u32 tcpark_peer_hash(const void *data, u32 len, u32 seed)
{
	const struct tcpark_key *key = data;

	return jhash_2words(jhash2((__force const u32 *)key->raddr.s6_addr32,
				   4, seed),
			    (__force u32)key->rport, seed);
}

static u32 tcpark_peer_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct tcpark_record *rec = data;

	return tcpark_peer_hash(&rec->key, len, seed);
}

static int tcpark_peer_cmp(struct rhashtable_compare_arg *arg,
			   const void *obj)
{
	const struct tcpark_key *want = arg->key;
	const struct tcpark_key *have = &((const struct tcpark_record *)obj)->key;

	return want->rport != have->rport ||
	       !ipv6_addr_equal(&want->raddr, &have->raddr);
}

static const struct rhashtable_params tcpark_peer_params = {
	.key_len		= sizeof(struct tcpark_key),
	.key_offset		= offsetof(struct tcpark_record, key),
	.head_offset		= offsetof(struct tcpark_record, peer),
	.automatic_shrinking	= true,
	.hashfn			= tcpark_peer_hash,
	.obj_hashfn		= tcpark_peer_obj_hash,
	.obj_cmpfn		= tcpark_peer_cmp,
};

bool tcpark_records_active(void)
{
	return static_branch_unlikely(&tcpark_records_key.key);
}

int tcpark_records_init(void)
{
	/* One 128-byte slab slot (record.h). */
	BUILD_BUG_ON(sizeof(struct tcpark_record) > 128);
	BUILD_BUG_ON(sizeof(struct tcpark_key) != 36);
	/*
	 * Charged to a memory cgroup: tcpark_record_alloc(). Unmerged, so
	 * that slabinfo's tcpark_record line counts records alone; on 6.1
	 * its usercopy region is the cookie, which GET shows anyway.
	 */
	tcpark_record_cache =
		tcpark_cache_create_unmerged("tcpark_record",
					     sizeof(struct tcpark_record),
					     SLAB_ACCOUNT,
					     offsetof(struct tcpark_record, cookie),
					     sizeof(u64));
	return tcpark_record_cache ? 0 : -ENOMEM;
}

void tcpark_records_exit(void)
{
	/* Records are freed with kfree_rcu-style callbacks: wait for them. */
	rcu_barrier();
	static_key_deferred_flush(&tcpark_records_key);
	kmem_cache_destroy(tcpark_record_cache);
}

/*
 * For a park of @sk, in process context under its lock: close() or the
 * idle work item. The record is charged to @sk's memory cgroup, as the
 * socket's own buffers are (mem_cgroup_sk_alloc() set sk_memcg when it
 * was created or accepted), not to whoever runs the park: a kworker for
 * the idle timer, which would charge nobody, or another process holding
 * the fd. With no sk_memcg (root cgroup, cgroup v1) current's applies.
 */
struct tcpark_record *tcpark_record_alloc(struct sock *sk)
{
	struct mem_cgroup *memcg = tcpark_sk_memcg(sk);
	struct mem_cgroup *old = NULL;
	struct tcpark_record *rec;

	if (memcg)
		old = set_active_memcg(memcg);
	rec = kmem_cache_zalloc(tcpark_record_cache, GFP_KERNEL_ACCOUNT);
	if (memcg)
		set_active_memcg(old);
	return rec;
}

static void tcpark_record_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(tcpark_record_cache,
			container_of(head, struct tcpark_record, rcu));
}

/* After tcpark_record_unlink(): the hook may still be reading it. */
void tcpark_record_free(struct tcpark_record *rec)
{
	call_rcu(&rec->rcu, tcpark_record_free_rcu);
}

int tcpark_table_init(struct tcpark_net *tn)
{
	int ret;

	tn->ports = bitmap_zalloc(65536, GFP_KERNEL);
	if (!tn->ports)
		return -ENOMEM;
	xa_init_flags(&tn->port_refs, XA_FLAGS_LOCK_BH);
	spin_lock_init(&tn->peers_lock);
	atomic_set(&tn->parked, 0);
	ret = rhashtable_init(&tn->records, &tcpark_record_params);
	if (ret)
		goto err_records;
	ret = rhltable_init(&tn->peers, &tcpark_peer_params);
	if (ret)
		goto err_peers;
	return 0;

err_peers:
	rhashtable_destroy(&tn->records);
err_records:
	bitmap_free(tn->ports);
	return ret;
}

/* Process context: one more record on @port; its bit is set. */
static int tcpark_port_get(struct tcpark_net *tn, u16 port)
{
	XA_STATE(xas, &tn->port_refs, port);
	unsigned long n;

	do {
		xas_lock_bh(&xas);
		n = xa_to_value(xas_load(&xas) ?: xa_mk_value(0));
		xas_store(&xas, xa_mk_value(n + 1));
		if (!xas_error(&xas))
			set_bit(port, tn->ports);
		xas_unlock_bh(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL));
	return xas_error(&xas);
}

/* Any context, after the record is unlinked: the last one clears the bit. */
static void tcpark_port_put(struct tcpark_net *tn, u16 port)
{
	XA_STATE(xas, &tn->port_refs, port);
	unsigned long n;

	xas_lock_bh(&xas);
	n = xa_to_value(xas_load(&xas));
	if (WARN_ON_ONCE(!n)) {
		xas_unlock_bh(&xas);
		return;
	}
	/* Lowering a count or erasing never allocates. */
	xas_store(&xas, n > 1 ? xa_mk_value(n - 1) : NULL);
	if (n == 1)
		clear_bit(port, tn->ports);
	xas_unlock_bh(&xas);
}

/* Into both indexes; -EEXIST if the 4-tuple is there already. */
static int tcpark_table_add(struct tcpark_net *tn, struct tcpark_record *rec)
{
	int ret;

	ret = rhashtable_lookup_insert_fast(&tn->records, &rec->node,
					    tcpark_record_params);
	if (ret)
		return ret;
	spin_lock_bh(&tn->peers_lock);
	ret = rhltable_insert_key(&tn->peers, &rec->key, &rec->peer,
				  tcpark_peer_params);
	spin_unlock_bh(&tn->peers_lock);
	if (ret)
		rhashtable_remove_fast(&tn->records, &rec->node,
				       tcpark_record_params);
	return ret;
}

/*
 * Process context (it may register the hooks): the first record anywhere
 * turns the static key on. The park reserved its place
 * (tcpark_limits_reserve()) before.
 */
int tcpark_record_insert(struct net *net, struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	u16 port = ntohs(rec->key.lport);
	int ret;

	ret = tcpark_hook_get(net);
	if (ret)
		return ret;
	ret = tcpark_port_get(tn, port);
	if (ret)
		goto err_port;
	static_branch_deferred_inc(&tcpark_records_key);
	/*
	 * The hook sees the record as soon as it is in the table by 4-tuple,
	 * before it is in the peer index: published claimed, nobody (an RST,
	 * a wake, a kill) can end it until it is in both.
	 */
	rec->flags |= TCPARK_REC_CLAIMED;
	ret = tcpark_table_add(tn, rec);
	if (ret)
		goto err_table;
	tcpark_sweep_add(net, rec);
	tcpark_dump_gen_bump(tn);
	tcpark_record_unclaim(rec);
	return 0;

err_table:
	static_branch_slow_dec_deferred(&tcpark_records_key);
	tcpark_port_put(tn, port);
err_port:
	tcpark_hook_put(net);
	return ret;
}

/*
 * Any context, under RCU or the table's ownership. Exactly one caller
 * claims a record: a waker (reactivation, remap), which keeps it in the
 * table until the new socket is hashed, or a remover (RST, kill). Only
 * the claimer unlinks it, or gives the claim back.
 */
/* Set @flag unless it or any of @unless is set; true if this set it. */
static bool tcpark_record_set_flag(struct tcpark_record *rec, u8 flag,
				   u8 unless)
{
	u8 old = READ_ONCE(rec->flags);

	do {
		if (old & (flag | unless))
			return false;
	} while (!try_cmpxchg(&rec->flags, &old, old | flag));
	return true;
}

bool tcpark_record_claim(struct tcpark_record *rec)
{
	return tcpark_record_set_flag(rec, TCPARK_REC_CLAIMED, 0);
}

/*
 * Its data waits for a listener from now on (reactivate.c); false if it
 * already did. last_rx becomes the start of the wait before the flag is
 * set (the cmpxchg orders them), so that the sweep, which reads them the
 * other way round, never takes an older stamp for it. Not once it is
 * claimed: its claimer unlinks it seeing the flags as they are then, and
 * the sweep's count of waiting records (probe.c) must agree.
 */
bool tcpark_record_wake_wait(struct net *net, struct tcpark_record *rec)
{
	const u8 busy = TCPARK_REC_WAKE_WAIT | TCPARK_REC_CLAIMED;

	if (READ_ONCE(rec->flags) & busy)
		return false;
	WRITE_ONCE(rec->last_rx, tcp_jiffies32);
	if (!tcpark_record_set_flag(rec, TCPARK_REC_WAKE_WAIT,
				    TCPARK_REC_CLAIMED))
		return false;
	tcpark_sweep_wake_wait(net);
	return true;
}

void tcpark_record_unclaim(struct tcpark_record *rec)
{
	u8 old = READ_ONCE(rec->flags);

	while (!try_cmpxchg(&rec->flags, &old, old & ~TCPARK_REC_CLAIMED))
		;
}

/* By the claimer; then tcpark_record_free() after its last use. */
void tcpark_record_unlink(struct net *net, struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	int ret;

	/* Under the lock its readers take: @rec->rcu may reuse @peer then. */
	spin_lock_bh(&tn->peers_lock);
	ret = rhltable_remove(&tn->peers, &rec->peer, tcpark_peer_params);
	spin_unlock_bh(&tn->peers_lock);
	if (WARN_ON_ONCE(ret) ||
	    WARN_ON_ONCE(rhashtable_remove_fast(&tn->records, &rec->node,
						tcpark_record_params)))
		return;
	tcpark_sweep_del(net, rec);
	tcpark_dump_gen_bump(tn);
	tcpark_limits_release(net, rec->uid);
	static_branch_slow_dec_deferred(&tcpark_records_key);
	tcpark_port_put(tn, ntohs(rec->key.lport));
	tcpark_hook_put(net);
}

/*
 * End a record (peer's RST, kill, wake timeout): claim, unlink, RST the
 * peer if @reset, report @event, free. False if somebody else has it.
 */
bool tcpark_record_end(struct net *net, struct tcpark_record *rec,
		       enum tcpark_event event, enum tcpark_reason reason,
		       bool reset)
{
	if (!tcpark_record_claim(rec))
		return false;
	tcpark_record_unlink(net, rec);
	if (reset)
		tcpark_send_reset(net, rec);
	trace_tcpark_record_end(net, rec, event, reason);
	tcpark_notify_record(net, rec, event, reason);
	tcpark_record_free(rec);
	return true;
}

/* A lookup key's laddr :: and lport 0 match any (struct tcpark_key). */
static bool tcpark_local_match(const struct tcpark_key *want,
			       const struct tcpark_key *have)
{
	return (!want->lport || want->lport == have->lport) &&
	       (ipv6_addr_any(&want->laddr) ||
		ipv6_addr_equal(&want->laddr, &have->laddr));
}

/*
 * Under rcu_read_lock(); @key is a full 4-tuple (the hook's): one hash
 * lookup.
 */
struct tcpark_record *tcpark_record_lookup(struct net *net,
					   const struct tcpark_key *key)
{
	return rhashtable_lookup(&tcpark_pernet(net)->records, key,
				 tcpark_record_params);
}

/*
 * Under rcu_read_lock(): the first record matching @key that @pick takes
 * (returns true; it may claim it), or NULL. A full 4-tuple is one hash
 * lookup; @key with wildcards (struct tcpark_key), as connect()'s from an
 * unbound socket, walks the peer's records under the index's lock, so a
 * peer with records on many ports, of many users, gives the caller the
 * one it may have, not the first one. @pick keeps its own refusals.
 */
struct tcpark_record *tcpark_record_pick(struct net *net,
					 const struct tcpark_key *key,
					 tcpark_pick_t pick, void *arg)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	struct tcpark_record *rec, *found = NULL;
	struct rhlist_head *list, *pos;

	if (key->lport && !ipv6_addr_any(&key->laddr)) {
		rec = tcpark_record_lookup(net, key);
		return rec && pick(rec, arg) ? rec : NULL;
	}
	/* The lock keeps @peer a list link while we walk it (record.h). */
	spin_lock_bh(&tn->peers_lock);
	list = rhltable_lookup(&tn->peers, key, tcpark_peer_params);
	rhl_for_each_entry_rcu(rec, pos, list, peer) {
		if (tcpark_local_match(key, &rec->key) && pick(rec, arg)) {
			found = rec;
			break;
		}
	}
	spin_unlock_bh(&tn->peers_lock);
	return found;
}

/* Records walked under one RCU read section before a reschedule. */
#define TCPARK_WALK_BATCH	256

/*
 * Call @fn on every record of @net, under RCU (@fn must not sleep, and
 * may end the record); stop early when it returns non-zero, which is
 * returned. Process context: a million records would hold RCU for too
 * long, so every TCPARK_WALK_BATCH records the walk stops and reschedules.
 * It stops only once it stands on a record @fn has not seen yet, which
 * rhashtable_walk_start() finds again; had it stopped on one @fn just
 * ended, the walker could lose its place in the bucket.
 * A resize restarts the walk (-EAGAIN): @fn may then see a record twice.
 */
int tcpark_record_walk(struct net *net, tcpark_walk_t fn, void *arg)
{
	struct rhashtable_iter iter;
	struct tcpark_record *rec;
	unsigned int n = 0;
	int ret = 0;

	rhashtable_walk_enter(&tcpark_pernet(net)->records, &iter);
	rhashtable_walk_start(&iter);
	rec = rhashtable_walk_next(&iter);
	while (!ret && rec) {
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) != -EAGAIN)
				break;
			rec = rhashtable_walk_next(&iter);
			continue;
		}
		ret = fn(net, rec, arg);
		rec = rhashtable_walk_next(&iter);
		if (!ret && !IS_ERR_OR_NULL(rec) &&
		    ++n % TCPARK_WALK_BATCH == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
			rec = rhashtable_walk_peek(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return ret;
}

static int tcpark_record_reset(struct net *net, struct tcpark_record *rec,
			       void *arg)
{
	tcpark_record_end(net, rec, TCPARK_EVENT_KILLED,
			  TCPARK_REASON_NETNS_EXIT, true);
	return 0;
}

/*
 * Netns deletion or module unload (pernet .pre_exit): each peer gets an
 * RST while the netns's interfaces and routes are still there, which
 * they no longer are by .exit (default_device_exit_batch() comes first).
 * No record can be added now: a dying netns has no user socket left, and
 * rmmod has none that is ours.
 */
void tcpark_table_reset_all(struct net *net)
{
	tcpark_record_walk(net, tcpark_record_reset, NULL);
}

static u64 tcpark_buckets_bytes(const struct rhashtable *ht)
{
	const struct bucket_table *tbl;
	u64 bytes;

	rcu_read_lock();
	tbl = rcu_dereference(ht->tbl);
	bytes = (u64)tbl->size * sizeof(tbl->buckets[0]);
	rcu_read_unlock();
	return bytes;
}

/* Kernel memory the table holds: records and both bucket arrays. */
u64 tcpark_table_bytes(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	return tcpark_buckets_bytes(&tn->records) +
	       tcpark_buckets_bytes(&tn->peers.ht) +
	       (u64)atomic_read(&tn->parked) *
	       kmem_cache_size(tcpark_record_cache);
}

bool tcpark_port_maybe_parked(struct net *net, __be16 port)
{
	return test_bit(ntohs(port), tcpark_pernet(net)->ports);
}

static void tcpark_record_destroy(void *ptr, void *arg)
{
	struct tcpark_record *rec = ptr;
	struct net *net = arg;

	tcpark_send_reset(net, rec);
	tcpark_limits_release(net, rec->uid);
	static_branch_slow_dec_deferred(&tcpark_records_key);
	kmem_cache_free(tcpark_record_cache, rec);
}

/*
 * Netns exit or module unload, after the hooks are gone: .pre_exit has
 * ended every record (tcpark_table_reset_all()) but one a segment had
 * claimed at that instant; its peer gets an RST too (with no device left
 * in a dying netns it goes nowhere) and the record is freed.
 */
void tcpark_table_destroy(struct net *net, struct tcpark_net *tn)
{
	synchronize_rcu();
	rhltable_destroy(&tn->peers);
	rhashtable_free_and_destroy(&tn->records, tcpark_record_destroy, net);
	xa_destroy(&tn->port_refs);
	bitmap_free(tn->ports);
}
