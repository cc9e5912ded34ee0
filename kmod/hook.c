// SPDX-License-Identifier: GPL-2.0
/*
 * NF_INET_LOCAL_IN hooks (IPv4 and IPv6, every netns) that hand segments
 * of parked connections to input.c. They run after the filter table, so a
 * firewall's verdict still comes first, and before TCP looks for a socket
 * that is no longer there. While nothing is parked anywhere they cost one
 * patched-out branch; otherwise a port bitmap test before any hashing.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"

static void tcpark_key_v4(struct tcpark_key *key, const struct iphdr *iph,
			  const struct tcphdr *th)
{
	memset(key, 0, sizeof(*key));
	ipv6_addr_set_v4mapped(iph->daddr, &key->laddr);
	ipv6_addr_set_v4mapped(iph->saddr, &key->raddr);
	key->lport = th->dest;
	key->rport = th->source;
}

static void tcpark_key_v6(struct tcpark_key *key, const struct ipv6hdr *ip6h,
			  const struct tcphdr *th)
{
	memset(key, 0, sizeof(*key));
	key->laddr = ip6h->daddr;
	key->raddr = ip6h->saddr;
	key->lport = th->dest;
	key->rport = th->source;
}

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
		atomic64_inc(&tcpark_pernet(net)->stats.drops);
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
	/* Early demux found a live socket: not ours. */
	if (iph->protocol != IPPROTO_TCP || ip_is_fragment(iph) || skb->sk)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, ip_hdrlen(skb), sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(state->net, th->dest))
		return NF_ACCEPT;
	tcpark_key_v4(&key, iph, th);
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
	thoff = ipv6_skip_exthdr(skb, sizeof(*ip6h), &nexthdr, &frag_off);
	if (thoff < 0 || nexthdr != IPPROTO_TCP || (frag_off & htons(~0x7)))
		return NF_ACCEPT;
	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(state->net, th->dest))
		return NF_ACCEPT;
	tcpark_key_v6(&key, ip6h, th);
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

int tcpark_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, tcpark_nf_ops,
				     ARRAY_SIZE(tcpark_nf_ops));
}

void tcpark_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, tcpark_nf_ops, ARRAY_SIZE(tcpark_nf_ops));
}
