// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors about a parked connection's segments: what
 * tcp_v4_err() and tcp_v6_err() do for a socket, for a record (the hooks
 * of hook.c hand them here). The error must quote a segment the record
 * could have sent, the 4-tuple and a sequence number of ours, as TCP
 * demands (between(seq, snd_una, snd_nxt)); a record's snd_una is its
 * snd_nxt, and its own probes go out one below (tcp_xmit_probe_skb()),
 * which is what an error is most likely about, so both are taken.
 *
 * An error icmp_err_convert() or icmpv6_err_convert() calls fatal (port
 * or protocol unreachable, administratively prohibited, ...) is a hard
 * error, as RFC 1122 4.2.3.9 lets TCP treat it: the record ends (no
 * RST: the peer's host said there is nobody to reset). Others (network
 * or host unreachable, time exceeded) are soft: TCP keeps them for when
 * its own timeout fires, and here the probes (probe.c) decide; they are
 * counted. The packet goes on to the stack in every case, which finds
 * no socket and drops it as it would have.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <net/icmp.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"

/* The first 8 bytes of the quoted TCP header: all RFC 792 promises. */
struct tcpark_quoted {
	__be16 source;
	__be16 dest;
	__be32 seq;
};

static void tcpark_icmp_common(struct net *net, const struct tcpark_key *key,
			       u32 seq, bool fatal, bool v6)
{
	struct tcpark_stats *st = &tcpark_pernet(net)->stats;
	struct tcpark_record *rec;

	rec = tcpark_record_lookup(net, key);
	if (!rec || v6 != !!(rec->flags & TCPARK_REC_V6))
		return;
	/* LINUX_MIB_OUTOFWINDOWICMPS: not about anything we sent. */
	if (seq != rec->snd_nxt && seq != rec->snd_nxt - 1) {
		atomic64_inc(&st->icmp_ignored);
		return;
	}
	if (!fatal) {
		atomic64_inc(&st->icmp_soft);
		return;
	}
	if (tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED,
			      TCPARK_REASON_ICMP, false))
		atomic64_inc(&st->expired_icmp);
}

/* Under RCU, LOCAL_IN; @skb is an ICMP message (not yet checksummed). */
void tcpark_icmp_v4(struct net *net, struct sk_buff *skb, unsigned int hook)
{
	unsigned int off = ip_hdrlen(skb);
	const struct tcpark_quoted *th;
	const struct icmphdr *ih;
	const struct iphdr *iph;
	struct tcpark_quoted _th;
	struct tcpark_key key;
	struct icmphdr _ih;
	struct iphdr _iph;
	bool fatal;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return;
	if (ih->type == ICMP_DEST_UNREACH) {
		/* PMTU discovery is the stack's business, not a failure. */
		if (ih->code == ICMP_FRAG_NEEDED || ih->code > NR_ICMP_UNREACH)
			return;
		fatal = icmp_err_convert[ih->code].fatal;
	} else if (ih->type == ICMP_TIME_EXCEEDED) {
		fatal = false;
	} else {
		return;
	}
	iph = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_iph), &_iph);
	if (!iph || iph->ihl < 5 || iph->protocol != IPPROTO_TCP)
		return;
	th = skb_header_pointer(skb, off + sizeof(_ih) + iph->ihl * 4,
				sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(net, th->source) ||
	    nf_checksum(skb, hook, off, IPPROTO_ICMP, NFPROTO_IPV4))
		return;
	/* It quotes what we sent: we are its source. */
	memset(&key, 0, sizeof(key));
	ipv6_addr_set_v4mapped(iph->saddr, &key.laddr);
	ipv6_addr_set_v4mapped(iph->daddr, &key.raddr);
	key.lport = th->source;
	key.rport = th->dest;
	tcpark_icmp_common(net, &key, ntohl(th->seq), fatal, false);
}

/* The same for ICMPv6 at @off (past any extension headers). */
void tcpark_icmp_v6(struct net *net, struct sk_buff *skb, unsigned int off,
		    unsigned int hook)
{
	const struct tcpark_quoted *th;
	const struct ipv6hdr *ip6h;
	const struct icmp6hdr *ih;
	struct tcpark_quoted _th;
	struct tcpark_key key;
	struct ipv6hdr _ip6h;
	struct icmp6hdr _ih;
	int err;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih || (ih->icmp6_type != ICMPV6_DEST_UNREACH &&
		    ih->icmp6_type != ICMPV6_TIME_EXCEED &&
		    ih->icmp6_type != ICMPV6_PARAMPROB))
		return;
	ip6h = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_ip6h),
				  &_ip6h);
	/* We send no extension headers: TCP follows at once. */
	if (!ip6h || ip6h->nexthdr != IPPROTO_TCP)
		return;
	th = skb_header_pointer(skb, off + sizeof(_ih) + sizeof(_ip6h),
				sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(net, th->source) ||
	    nf_checksum(skb, hook, off, IPPROTO_ICMPV6, NFPROTO_IPV6))
		return;
	memset(&key, 0, sizeof(key));
	key.laddr = ip6h->saddr;
	key.raddr = ip6h->daddr;
	key.lport = th->source;
	key.rport = th->dest;
	tcpark_icmp_common(net, &key, ntohl(th->seq),
			   icmpv6_err_convert(ih->icmp6_type, ih->icmp6_code,
					      &err), true);
}
