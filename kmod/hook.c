// SPDX-License-Identifier: GPL-2.0
/*
 * NF_INET_LOCAL_IN hooks (IPv4 and IPv6) that hand segments of parked
 * connections to input.c. They run after the filter table, so a firewall's
 * verdict still comes first, and before TCP looks for a socket that is no
 * longer there.
 *
 * They are registered only in a netns that uses tcpark: one with sockets
 * carrying the ULP or with records. Every other netns's packets never
 * reach nf_hook_slow() on our account. Within a hooked netns, while
 * nothing is parked anywhere they cost one patched-out branch; otherwise
 * a port bitmap test before any hashing. A hooked netns also has
 * nf_defrag_ipv6 (below): its IPv6 packets pass ipv6_defrag() at
 * PRE_ROUTING and LOCAL_OUT, which returns at once for a non-fragment,
 * and its fragments are reassembled there, as with conntrack loaded
 * (forwarded ones are fragmented again on the way out).
 */
#include <linux/jump_label.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"

/* A netns's last user gone, its hooks go this much later. */
#define TCPARK_HOOK_LINGER	HZ

/* Common part once the 4-tuple is known: find, verify, process. */
static unsigned int tcpark_hook_common(struct net *net, struct sk_buff *skb,
				       const struct tcpark_key *key,
				       unsigned int thoff, unsigned int hook,
				       u8 pf)
{
	bool v6 = pf == NFPROTO_IPV6;
	struct tcpark_record *rec;
	struct tcpark_seg seg;

	rec = tcpark_record_lookup(net, key);
	/* A v4-mapped address in an IPv6 header is not an IPv4 peer. */
	if (!rec || v6 != !!(rec->flags & TCPARK_REC_V6))
		return NF_ACCEPT;
	/* A segment TCP would have thrown away must not be answered. */
	if (nf_checksum(skb, hook, thoff, IPPROTO_TCP, pf) ||
	    tcpark_parse_seg(skb, thoff, &seg)) {
		tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_DROPS);
		return NF_DROP;
	}
	return tcpark_rx(net, skb, rec, &seg);
}

static unsigned int tcpark_hook_v4(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct iphdr *iph;
	const struct tcphdr *th;
	struct tcphdr _th;
	struct tcpark_key key;

	if (!tcpark_records_active())
		return NF_ACCEPT;
	iph = ip_hdr(skb);
	if (iph->protocol == IPPROTO_ICMP && !ip_is_fragment(iph)) {
		tcpark_icmp_v4(state->net, skb, state->hook);
		return NF_ACCEPT;
	}
	/* Early demux found a live socket: not ours. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) || skb->sk)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(state->net, th->dest))
		return NF_ACCEPT;
	/* Ours is the destination. */
	tcpark_key_v4(&key, iph->daddr, th->dest, iph->saddr, th->source);
	return tcpark_hook_common(state->net, skb, &key, ip_hdrlen(skb),
				  state->hook, NFPROTO_IPV4);
}

static unsigned int tcpark_hook_v6(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	const struct ipv6hdr *ip6h;
	const struct tcphdr *th;
	struct tcphdr _th;
	struct tcpark_key key;
	__be16 frag_off;
	u8 nexthdr;
	int thoff;

	if (!tcpark_records_active() || skb->sk)
		return NF_ACCEPT;
	ip6h = ipv6_hdr(skb);
	nexthdr = ip6h->nexthdr;
	thoff = sizeof(*ip6h);
	/* Walk extension headers only if there are some: TCP may follow. */
	if (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_ICMPV6) {
		if (!ipv6_ext_hdr(nexthdr))
			return NF_ACCEPT;
		thoff = ipv6_skip_exthdr(skb, thoff, &nexthdr, &frag_off);
		/*
		 * A fragment (offset or M set) is not a whole segment.
		 * nf_defrag_ipv6 lets some through unreassembled: one it
		 * cannot parse, one already tracked (loopback, NOTRACK).
		 */
		if (thoff < 0 || frag_off ||
		    (nexthdr != IPPROTO_TCP && nexthdr != IPPROTO_ICMPV6))
			return NF_ACCEPT;
	}
	if (nexthdr == IPPROTO_ICMPV6) {
		tcpark_icmp_v6(state->net, skb, thoff, state->hook);
		return NF_ACCEPT;
	}
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(state->net, th->dest))
		return NF_ACCEPT;
	tcpark_key_v6(&key, &ip6h->daddr, th->dest, &ip6h->saddr, th->source);
	return tcpark_hook_common(state->net, skb, &key, thoff, state->hook,
				  NFPROTO_IPV6);
}

static const struct nf_hook_ops tcpark_nf_ops[] = {
	{
		.hook		= tcpark_hook_v4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_FILTER + 1,
	},
	{
		.hook		= tcpark_hook_v6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP6_PRI_FILTER + 1,
	},
};

#if IS_ENABLED(CONFIG_IPV6) && !IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
#error "tcpark needs CONFIG_NF_DEFRAG_IPV6 (selected by NF_CONNTRACK) with IPv6"
#endif

/*
 * IPv6 reassembles fragments only after LOCAL_IN (ip6_input_finish() hands
 * them to the fragment protocol), unlike IPv4 (ip_local_deliver()), so the
 * hook would see a first fragment as if it were the segment. With
 * nf_defrag_ipv6 the netns reassembles at PRE_ROUTING, as conntrack and
 * TPROXY have it (nf_ct_netns_do_get()), and LOCAL_IN sees whole
 * segments; it is held exactly while the hooks are registered.
 */
static int tcpark_defrag6_get(struct net *net)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	return nf_defrag_ipv6_enable(net);
#else
	return 0;
#endif
}

static void tcpark_defrag6_put(struct net *net)
{
#if IS_ENABLED(CONFIG_NF_DEFRAG_IPV6)
	nf_defrag_ipv6_disable(net);
#endif
}

static int tcpark_hooks_register(struct net *net)
{
	int ret = tcpark_defrag6_get(net);

	if (ret)
		return ret;
	ret = nf_register_net_hooks(net, tcpark_nf_ops,
				    ARRAY_SIZE(tcpark_nf_ops));
	if (ret)
		tcpark_defrag6_put(net);
	return ret;
}

static void tcpark_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, tcpark_nf_ops, ARRAY_SIZE(tcpark_nf_ops));
	tcpark_defrag6_put(net);
}

/*
 * Registration follows the netns's users (sockets carrying the ULP and
 * records, tn->hook_users): the first one registers the hooks, the last
 * one going unregisters them TCPARK_HOOK_LINGER later from a work item.
 * nf_register_net_hooks() sleeps, so only process context registers: a
 * socket attached by setsockopt(TCP_ULP) and a record inserted (both under
 * lock_sock(), in a syscall or a work item) do it at once and may fail;
 * a child cloned in softirq asks the work item, as its listener normally
 * keeps the netns hooked anyway. A record therefore never exists in a
 * netns without the hooks, where the stack would reset its peer.
 *
 * tn->hooked is written under hook_lock and read without it. Dropping a
 * user and unregistering race as a store-buffer pair: tcpark_hook_get()
 * counts itself then reads tn->hooked, tcpark_hook_off() clears tn->hooked
 * then reads the count, each with a full barrier between; so either the
 * getter sees the hooks going and takes hook_lock, or they stay.
 */
static int tcpark_hook_on(struct tcpark_net *tn)
{
	int ret;

	lockdep_assert_held(&tn->hook_lock);
	if (tn->hooked)
		return 0;
	if (tn->hook_dying)
		return -ENODEV;
	ret = tcpark_hooks_register(tn->net);
	if (!ret)
		WRITE_ONCE(tn->hooked, true);
	return ret;
}

static void tcpark_hook_off(struct tcpark_net *tn)
{
	lockdep_assert_held(&tn->hook_lock);
	if (!tn->hooked)
		return;
	WRITE_ONCE(tn->hooked, false);
	smp_mb();	/* pairs with tcpark_hook_get() */
	if (atomic_read(&tn->hook_users)) {
		WRITE_ONCE(tn->hooked, true);
		return;
	}
	tcpark_hooks_unregister(tn->net);
}

static void tcpark_hook_work(struct work_struct *work)
{
	struct tcpark_net *tn = container_of(to_delayed_work(work),
					     struct tcpark_net, hook_work);

	mutex_lock(&tn->hook_lock);
	if (!atomic_read(&tn->hook_users))
		tcpark_hook_off(tn);
	else if (tcpark_hook_on(tn) && !tn->hook_dying)
		queue_delayed_work(system_wq, &tn->hook_work, HZ);
	mutex_unlock(&tn->hook_lock);
}

/* Process context: one more user; 0 once the hooks are registered. */
int tcpark_hook_get(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	int ret;

	might_sleep();
	atomic_inc(&tn->hook_users);
	smp_mb__after_atomic();	/* pairs with tcpark_hook_off() */
	if (likely(READ_ONCE(tn->hooked)))
		return 0;
	mutex_lock(&tn->hook_lock);
	ret = tcpark_hook_on(tn);
	mutex_unlock(&tn->hook_lock);
	if (ret)
		tcpark_hook_put(net);
	return ret;
}

/* Any context: one more user; the hooks follow from the work item. */
void tcpark_hook_get_atomic(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	atomic_inc(&tn->hook_users);
	smp_mb__after_atomic();	/* pairs with tcpark_hook_off() */
	if (unlikely(!READ_ONCE(tn->hooked)))
		mod_delayed_work(system_wq, &tn->hook_work, 0);
}

/* Any context. */
void tcpark_hook_put(struct net *net)
{
	struct tcpark_net *tn = tcpark_pernet(net);

	if (atomic_dec_and_test(&tn->hook_users))
		queue_delayed_work(system_wq, &tn->hook_work,
				   TCPARK_HOOK_LINGER);
}

void tcpark_hook_net_init(struct net *net, struct tcpark_net *tn)
{
	tn->net = net;
	mutex_init(&tn->hook_lock);
	INIT_DELAYED_WORK(&tn->hook_work, tcpark_hook_work);
	atomic_set(&tn->hook_users, 0);
	tn->hooked = false;
	tn->hook_dying = false;
}

/*
 * Netns exit or module unload, before the table goes: no socket is left
 * (each holds its netns), so nothing but this can still get or put.
 */
void tcpark_hook_net_exit(struct tcpark_net *tn)
{
	mutex_lock(&tn->hook_lock);
	tn->hook_dying = true;
	if (tn->hooked) {
		WRITE_ONCE(tn->hooked, false);
		tcpark_hooks_unregister(tn->net);
	}
	mutex_unlock(&tn->hook_lock);
	cancel_delayed_work_sync(&tn->hook_work);
	mutex_destroy(&tn->hook_lock);
}

/*
 * NF_HOOK() tests a global static key per family and hook before it looks
 * at the netns's hooks; the first registration anywhere turns it on and
 * the last one off, each a text_poke_bp() of every call site with IPIs to
 * all CPUs. Holding the keys from load to unload keeps that at load and
 * unload (as when the hooks were registered in every netns), not at each
 * netns's first or last tcpark socket; a netns without hooks then costs
 * one NULL test in nf_hook(), as on any server with a firewall loaded
 * (docs/tcg-int3.md: patching under traffic trips multi-threaded TCG).
 */
void tcpark_hooks_hold_keys(void)
{
#ifdef CONFIG_JUMP_LABEL
	static_key_slow_inc(&nf_hooks_needed[NFPROTO_IPV4][NF_INET_LOCAL_IN]);
	static_key_slow_inc(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_LOCAL_IN]);
	/* nf_defrag_ipv6's, which come and go with ours */
	static_key_slow_inc(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_PRE_ROUTING]);
	static_key_slow_inc(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_LOCAL_OUT]);
#endif
}

void tcpark_hooks_release_keys(void)
{
#ifdef CONFIG_JUMP_LABEL
	static_key_slow_dec(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_LOCAL_OUT]);
	static_key_slow_dec(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_PRE_ROUTING]);
	static_key_slow_dec(&nf_hooks_needed[NFPROTO_IPV6][NF_INET_LOCAL_IN]);
	static_key_slow_dec(&nf_hooks_needed[NFPROTO_IPV4][NF_INET_LOCAL_IN]);
#endif
}
