// SPDX-License-Identifier: GPL-2.0
/*
 * What parking may take: the limits a park reserves against before its
 * record exists, and who may raise them.
 *
 * A park reserves one unit of each of, in this order:
 *  - max_parked_total (module parameter): all namespaces together;
 *  - the netns's max_parked;
 *  - the netns's max_parked_per_uid, for the uid owning the socket;
 * then checks max_parked_mem_mb. Each reservation is an increment that
 * cannot pass its limit (tcpark_inc_below()), so concurrent parks on
 * other sockets never overshoot: the limits are exact. The record gives
 * its units back when it leaves the table (tcpark_limits_release()).
 *
 * A netns owned by a user namespace other than the initial one (a
 * container) can hold no limit above the init netns's: raising one above
 * it gets EPERM, and a park uses the lower of the two, so lowering init's
 * later takes effect in every container at once.
 */
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <net/net_namespace.h>

#include "tcpark.h"

static atomic_t tcpark_parked_total = ATOMIC_INIT(0);

/*
 * Default: as many records as 1/16 of RAM holds at 128 bytes each (a 112
 * B record plus its share of the bucket array), e.g. 524288 with 1 GiB.
 * Set at load; writable by root of the initial namespace only.
 */
static unsigned int max_parked_total;
module_param(max_parked_total, uint, 0644);
MODULE_PARM_DESC(max_parked_total,
		 "records parked in all network namespaces together (default: 1/16 of RAM at 128 B each)");

void tcpark_limits_init(void)
{
	u64 pages = totalram_pages() / 16;

	if (!max_parked_total)
		max_parked_total = min_t(u64, (pages << PAGE_SHIFT) / 128,
					 INT_MAX);
}

/* Increment @v unless that would take it to @limit or above. */
static bool tcpark_inc_below(atomic_t *v, u32 limit)
{
	int cur = atomic_read(v);

	do {
		if ((u32)cur >= limit)
			return false;
	} while (!atomic_try_cmpxchg(v, &cur, cur + 1));
	return true;
}

static bool tcpark_netns_confined(const struct net *net)
{
	return net->user_ns != &init_user_ns;
}

static u32 tcpark_def_u32(const struct tcpark_defaults *def, size_t offset)
{
	return READ_ONCE(*(const u32 *)((const char *)def + offset));
}

static bool tcpark_is_limit(size_t offset)
{
	return offset == offsetof(struct tcpark_defaults, max_parked) ||
	       offset == offsetof(struct tcpark_defaults, max_parked_mem_mb) ||
	       offset == offsetof(struct tcpark_defaults, max_parked_per_uid);
}

/* The limit at @offset in struct tcpark_defaults that applies in @net. */
u32 tcpark_limit(struct net *net, size_t offset)
{
	u32 val = tcpark_def_u32(&tcpark_pernet(net)->def, offset);

	if (tcpark_netns_confined(net))
		val = min(val, tcpark_def_u32(&tcpark_pernet(&init_net)->def,
					      offset));
	return val;
}

/*
 * Sysctl write or TCPARK_CMD_SET of @val at @offset in @net's defaults:
 * a container cannot raise a limit above the init netns's.
 */
int tcpark_limit_check(struct net *net, size_t offset, u32 val)
{
	if (!tcpark_is_limit(offset) || !tcpark_netns_confined(net))
		return 0;
	if (val > tcpark_def_u32(&tcpark_pernet(&init_net)->def, offset))
		return -EPERM;
	return 0;
}

/* A new container netns starts at no more than the init netns allows. */
void tcpark_limits_inherit(struct net *net, struct tcpark_defaults *def)
{
	if (!tcpark_netns_confined(net))
		return;
	def->max_parked = tcpark_limit(net, offsetof(struct tcpark_defaults,
						     max_parked));
	def->max_parked_mem_mb =
		tcpark_limit(net, offsetof(struct tcpark_defaults,
					   max_parked_mem_mb));
	def->max_parked_per_uid =
		tcpark_limit(net, offsetof(struct tcpark_defaults,
					   max_parked_per_uid));
}

/*
 * Per-uid counts live in tn->uids as value entries (uid -> records). The
 * first record of a uid may need an xarray node: GFP_ATOMIC under the
 * lock (the count must not change between the test and the store), a
 * few hundred bytes once per uid.
 */
static bool tcpark_uid_reserve(struct tcpark_net *tn, kuid_t uid, u32 limit)
{
	unsigned long idx = __kuid_val(uid);
	unsigned long n;
	bool ok = false;

	xa_lock_bh(&tn->uids);
	n = xa_to_value(xa_load(&tn->uids, idx) ?: xa_mk_value(0));
	if (n < limit)
		ok = !xa_is_err(__xa_store(&tn->uids, idx, xa_mk_value(n + 1),
					   GFP_ATOMIC));
	xa_unlock_bh(&tn->uids);
	return ok;
}

/* Any context (records leave the table in softirq too). */
static void tcpark_uid_release(struct tcpark_net *tn, kuid_t uid)
{
	unsigned long idx = __kuid_val(uid);
	void *entry;

	xa_lock_bh(&tn->uids);
	entry = xa_load(&tn->uids, idx);
	if (WARN_ON_ONCE(!entry))
		goto out;
	if (xa_to_value(entry) <= 1)
		__xa_erase(&tn->uids, idx);
	else	/* replaces a value entry in place: allocates nothing */
		__xa_store(&tn->uids, idx, xa_mk_value(xa_to_value(entry) - 1),
			   GFP_ATOMIC);
out:
	xa_unlock_bh(&tn->uids);
}

static bool tcpark_mem_room(struct net *net)
{
	u64 mb = tcpark_limit(net, offsetof(struct tcpark_defaults,
					    max_parked_mem_mb));

	/* tn->parked already counts the record being reserved. */
	return tcpark_table_bytes(net) <= mb << 20;
}

/* Before the record is allocated; false: refused (TCPARK_REFUSED_LIMIT). */
bool tcpark_limits_reserve(struct net *net, kuid_t uid)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	if (!tcpark_inc_below(&tcpark_parked_total, READ_ONCE(max_parked_total)))
		return false;
	if (!tcpark_inc_below(&tn->parked,
			      tcpark_limit(net, offsetof(struct tcpark_defaults,
							 max_parked))))
		goto err_net;
	if (!tcpark_uid_reserve(tn, uid,
				tcpark_limit(net, offsetof(struct tcpark_defaults,
							   max_parked_per_uid))))
		goto err_uid;
	if (!tcpark_mem_room(net))
		goto err_mem;
	return true;

err_mem:
	tcpark_uid_release(tn, uid);
err_uid:
	atomic_dec(&tn->parked);
err_net:
	atomic_dec(&tcpark_parked_total);
	return false;
}

/* The record at @uid left the table (or was never inserted). */
void tcpark_limits_release(struct net *net, kuid_t uid)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	tcpark_uid_release(tn, uid);
	atomic_dec(&tn->parked);
	atomic_dec(&tcpark_parked_total);
}
