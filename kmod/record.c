// SPDX-License-Identifier: GPL-2.0
/*
 * The inactive table: per netns, an rhashtable of transient records keyed
 * by 4-tuple, looked up lock-free (RCU) from the netfilter hook.
 *
 * Two filters keep the cost on everything else near zero: a static key
 * that stays off while no record exists anywhere, and a per-netns bitmap
 * of local ports that have (or had) a record, tested before hashing. Bits
 * are never cleared while the netns lives: a stale bit costs one lookup,
 * a wrongly cleared one would let the stack reset a parked connection.
 */
#include <linux/jhash.h>
#include <linux/jump_label_ratelimit.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/ipv6.h>

#include "tcpark.h"

static struct kmem_cache *tcpark_record_cache __read_mostly;
static DEFINE_STATIC_KEY_DEFERRED_FALSE(tcpark_records_key, HZ);

/* The remote address and port: all connect() knows of a record. */
static u32 tcpark_key_hash(const void *data, u32 len, u32 seed)
{
	const struct tcpark_key *key = data;

	return jhash_2words(jhash2((__force const u32 *)key->raddr.s6_addr32,
				   4, seed),
			    (__force u32)key->rport, seed);
}

static u32 tcpark_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct tcpark_record *rec = data;

	return tcpark_key_hash(&rec->key, len, seed);
}

/* 0 on a match; a lookup key's laddr :: and lport 0 match any. */
static int tcpark_obj_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct tcpark_key *want = arg->key;
	const struct tcpark_key *have = &((const struct tcpark_record *)obj)->key;

	if (want->rport != have->rport ||
	    !ipv6_addr_equal(&want->raddr, &have->raddr))
		return 1;
	if (want->lport && want->lport != have->lport)
		return 1;
	return !ipv6_addr_any(&want->laddr) &&
	       !ipv6_addr_equal(&want->laddr, &have->laddr);
}

static const struct rhashtable_params tcpark_record_params = {
	.key_len		= sizeof(struct tcpark_key),
	.key_offset		= offsetof(struct tcpark_record, key),
	.head_offset		= offsetof(struct tcpark_record, node),
	.automatic_shrinking	= true,
	.hashfn			= tcpark_key_hash,
	.obj_hashfn		= tcpark_obj_hash,
	.obj_cmpfn		= tcpark_obj_cmp,
};

bool tcpark_records_active(void)
{
	return static_branch_unlikely(&tcpark_records_key.key);
}

int tcpark_records_init(void)
{
	BUILD_BUG_ON(sizeof(struct tcpark_record) > 112);
	/* Charged to a memory cgroup: tcpark_record_alloc(). */
	tcpark_record_cache = kmem_cache_create("tcpark_record",
						sizeof(struct tcpark_record),
						0, SLAB_ACCOUNT, NULL);
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
	atomic_set(&tn->parked, 0);
	ret = rhashtable_init(&tn->records, &tcpark_record_params);
	if (ret)
		bitmap_free(tn->ports);
	return ret;
}

/*
 * Process context: the first record anywhere turns the static key on.
 * The park reserved its place (tcpark_limits_reserve()) before.
 */
int tcpark_record_insert(struct net *net, struct tcpark_record *rec)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	int ret;

	set_bit(ntohs(rec->key.lport), tn->ports);
	static_branch_deferred_inc(&tcpark_records_key);
	ret = rhashtable_lookup_insert_key(&tn->records, &rec->key,
					   &rec->node, tcpark_record_params);
	if (ret)
		static_branch_slow_dec_deferred(&tcpark_records_key);
	return ret;
}

/*
 * Any context, under RCU or the table's ownership. Exactly one caller
 * claims a record: a waker (reactivation, remap), which keeps it in the
 * table until the new socket is hashed, or a remover (RST, kill). Only
 * the claimer unlinks it, or gives the claim back.
 */
bool tcpark_record_set_flag(struct tcpark_record *rec, u8 flag)
{
	u8 old = READ_ONCE(rec->flags);

	do {
		if (old & flag)
			return false;
	} while (!try_cmpxchg(&rec->flags, &old, old | flag));
	return true;
}

bool tcpark_record_claim(struct tcpark_record *rec)
{
	return tcpark_record_set_flag(rec, TCPARK_REC_CLAIMED);
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

	if (WARN_ON_ONCE(rhashtable_remove_fast(&tn->records, &rec->node,
						tcpark_record_params)))
		return;
	tcpark_limits_release(net, rec->uid);
	static_branch_slow_dec_deferred(&tcpark_records_key);
}

/*
 * End a record (peer's RST, kill, wake timeout): claim, unlink, RST the
 * peer if @reset, report @event, free. False if somebody else has it.
 */
bool tcpark_record_end(struct net *net, struct tcpark_record *rec,
		       enum tcpark_event event, bool reset)
{
	if (!tcpark_record_claim(rec))
		return false;
	tcpark_record_unlink(net, rec);
	if (reset)
		tcpark_send_reset(net, rec);
	tcpark_notify_record(net, rec, event);
	tcpark_record_free(rec);
	return true;
}

/* Under rcu_read_lock(); @key may hold wildcards (see struct tcpark_key). */
struct tcpark_record *tcpark_record_lookup(struct net *net,
					   const struct tcpark_key *key)
{
	return rhashtable_lookup(&tcpark_pernet(net)->records, key,
				 tcpark_record_params);
}

/* Kernel memory the table holds: records and the bucket array. */
u64 tcpark_table_bytes(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	const struct bucket_table *tbl;
	u64 bytes;

	rcu_read_lock();
	tbl = rcu_dereference(tn->records.tbl);
	bytes = (u64)tbl->size * sizeof(tbl->buckets[0]);
	rcu_read_unlock();
	return bytes + (u64)atomic_read(&tn->parked) *
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
 * Netns exit or module unload, after the hooks are gone: the peer of each
 * record gets an RST (its connection would otherwise hang until its own
 * keepalive gave up) and the record is freed.
 */
void tcpark_table_destroy(struct net *net, struct tcpark_net *tn)
{
	synchronize_rcu();
	rhashtable_free_and_destroy(&tn->records, tcpark_record_destroy, net);
	bitmap_free(tn->ports);
}
