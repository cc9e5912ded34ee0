// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP and ICMPv6 errors about a parked connection's segments (the hooks
 * of hook.c hand them here), checked as tcp_v4_err() and tcp_v6_err()
 * check them for a socket: the error must quote the 4-tuple and a
 * sequence number of ours (between(seq, snd_una, snd_nxt)); a record's
 * snd_una is its snd_nxt, and its probes go out one below
 * (tcp_xmit_probe_skb()), so those two are taken.
 *
 * TCP never aborts an established connection on an ICMP error: without
 * IP_RECVERR it keeps the error in sk_err_soft and reports it only when
 * its own retransmissions or keepalives time out. A record is only ever
 * probed, so the same rule gives: an error that answers one of its
 * probes (quoting snd_nxt - 1 while probes are out) and that
 * icmp_err_convert() or icmpv6_err_convert() calls fatal (port or
 * protocol unreachable, administratively prohibited) is that probe's
 * failure, and the record ends at once (reason icmp, no RST: the host
 * or the NAT in front of it said nobody is there) instead of after the
 * remaining probes. Every other valid error (soft codes, or about a
 * segment that was not a probe) is counted and left to the probes, as
 * sk_err_soft is. A blind sender must hit the one sequence number while
 * a probe is out, what an RST at rcv_nxt also takes. The packet goes on
 * to the stack in every case, which finds no socket and drops it as it
 * would have.
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

static void tcpark_icmp_common(struct net *net, struct sk_buff *skb,
			       const struct tcpark_key *key, u32 seq,
			       bool fatal, u8 pf, unsigned int off,
			       unsigned int hook)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	struct tcpark_record *rec;
	bool v6 = pf == NFPROTO_IPV6;

	rec = tcpark_record_lookup(net, key);
	if (!rec || v6 != !!(rec->flags & TCPARK_REC_V6))
		return;
	if (nf_checksum(skb, hook, off, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
			pf))
		return;
	/* LINUX_MIB_OUTOFWINDOWICMPS: not about anything we sent. */
	if (seq != rec->snd_nxt && seq != rec->snd_nxt - 1) {
		tcpark_stat_inc(tn, TCPARK_ST_ICMP_IGNORED);
		return;
	}
	if (!fatal || seq != rec->snd_nxt - 1 || !READ_ONCE(rec->probes_out)) {
		tcpark_stat_inc(tn, TCPARK_ST_ICMP_SOFT);
		return;
	}
	if (tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED,
			      TCPARK_REASON_ICMP, false))
		tcpark_stat_inc(tn, TCPARK_ST_EXPIRED_ICMP);
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
	} else if (ih->type == ICMP_TIME_EXCEEDED ||
		   ih->type == ICMP_PARAMETERPROB) {
		fatal = false;
	} else {
		return;
	}
	/* A datagram of ours, whose first fragment holds the TCP header. */
	iph = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    iph->protocol != IPPROTO_TCP || (iph->frag_off & htons(IP_OFFSET)))
		return;
	th = skb_header_pointer(skb, off + sizeof(_ih) + iph->ihl * 4,
				sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(net, th->source))
		return;
	/* It quotes what we sent: we are its source. */
	tcpark_key_v4(&key, iph->saddr, th->source, iph->daddr, th->dest);
	tcpark_icmp_common(net, skb, &key, ntohl(th->seq), fatal,
			   NFPROTO_IPV4, off, hook);
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
	bool fatal;
	int err;

	ih = skb_header_pointer(skb, off, sizeof(_ih), &_ih);
	if (!ih)
		return;
	/* Parameter problems are soft, as ICMP's for IPv4 are here. */
	if (ih->icmp6_type == ICMPV6_DEST_UNREACH)
		fatal = icmpv6_err_convert(ih->icmp6_type, ih->icmp6_code, &err);
	else if (ih->icmp6_type == ICMPV6_TIME_EXCEED ||
		 ih->icmp6_type == ICMPV6_PARAMPROB)
		fatal = false;
	else
		return;
	ip6h = skb_header_pointer(skb, off + sizeof(_ih), sizeof(_ip6h),
				  &_ip6h);
	/* We send no extension headers: TCP follows at once. */
	if (!ip6h || ip6h->version != 6 || ip6h->nexthdr != IPPROTO_TCP)
		return;
	th = skb_header_pointer(skb, off + sizeof(_ih) + sizeof(_ip6h),
				sizeof(_th), &_th);
	if (!th || !tcpark_port_maybe_parked(net, th->source))
		return;
	tcpark_key_v6(&key, &ip6h->saddr, th->source, &ip6h->daddr, th->dest);
	tcpark_icmp_common(net, skb, &key, ntohl(th->seq), fatal,
			   NFPROTO_IPV6, off, hook);
}
