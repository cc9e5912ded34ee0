// SPDX-License-Identifier: GPL-2.0
/*
 * Segments the module sends for a parked connection: ACKs (answers to
 * keepalives, challenge ACKs) and RSTs. There is no socket, so this
 * mirrors nf_send_reset()/nf_send_reset6() (build the headers, route and
 * xfrm, ip_local_out()/ip6_local_out()) and adds the RFC 7323 timestamp option
 * TCP would put in every segment once negotiated.
 */
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>

#include "tcpark.h"

static __be16 tcpark_window(const struct tcpark_record *rec)
{
	/* The window we last advertised, never shrunk (RFC 7323 §2.4). */
	return htons(min_t(u32, rec->rcv_wnd >> rec->rcv_wscale, U16_MAX));
}

static struct tcphdr *tcpark_put_tcp(struct sk_buff *skb,
				     const struct tcpark_record *rec,
				     u32 seq, u8 flags)
{
	bool ts = rec->flags & TCPARK_REC_TSTAMP;
	int len = sizeof(struct tcphdr) + (ts ? TCPOLEN_TSTAMP_ALIGNED : 0);
	struct tcphdr *th = skb_push(skb, len);
	__be32 *opt = (__be32 *)(th + 1);

	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = rec->key.lport;
	th->dest = rec->key.rport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(rec->rcv_nxt);
	th->doff = len / 4;
	tcp_flag_byte(th) = flags;
	th->window = tcpark_window(rec);
	if (ts) {
		*opt++ = htonl((TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
			       (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		*opt++ = htonl(tcpark_tcp_clock_ts(rec->flags & TCPARK_REC_USEC_TS) +
			       rec->ts_offset);
		*opt = htonl(rec->ts_recent);
	}
	return th;
}

/*
 * Routed as the parked socket's own segments were, not as an anonymous
 * reset: its bound device (SO_BINDTODEVICE, VRF, a link-local peer's
 * interface) and its mark (policy routing) go into the flow, and the mark
 * onto the skb for netfilter. ip_route_output_key() includes the xfrm
 * lookup (ip_route_output_flow()).
 */
static int tcpark_out_v4(struct net *net, const struct tcpark_record *rec,
			 struct sk_buff *skb)
{
	__be32 saddr = rec->key.laddr.s6_addr32[3];
	__be32 daddr = rec->key.raddr.s6_addr32[3];
	struct tcphdr *th = tcp_hdr(skb);
	struct flowi4 fl4;
	struct iphdr *iph;
	struct rtable *rt;

	flowi4_init_output(&fl4, rec->oif, rec->mark, 0, RT_SCOPE_UNIVERSE,
			   IPPROTO_TCP, 0, daddr, saddr, rec->key.rport,
			   rec->key.lport, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return PTR_ERR(rt);
	}
	th->check = tcp_v4_check(skb->len, saddr, daddr,
				 csum_partial(th, skb->len, 0));
	skb_dst_set(skb, &rt->dst);
	iph = skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	memset(iph, 0, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb->protocol = htons(ETH_P_IP);
	return ip_local_out(net, NULL, skb);
}

/* The same for IPv6, with the xfrm lookup nf_send_reset6() makes. */
static int tcpark_out_v6(struct net *net, const struct tcpark_record *rec,
			 struct sk_buff *skb)
{
	struct tcphdr *th = tcp_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_oif = rec->oif,
		.flowi6_mark = rec->mark,
		.flowi6_proto = IPPROTO_TCP,
		.flowi6_uid = sock_net_uid(net, NULL),
		.daddr = rec->key.raddr,
		.saddr = rec->key.laddr,
		.fl6_dport = rec->key.rport,
		.fl6_sport = rec->key.lport,
	};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;

	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		int err = dst->error;

		dst_release(dst);
		kfree_skb(skb);
		return err;
	}
	dst = xfrm_lookup(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
	if (IS_ERR(dst)) {
		kfree_skb(skb);
		return PTR_ERR(dst);
	}
	th->check = csum_ipv6_magic(&fl6.saddr, &fl6.daddr, skb->len,
				    IPPROTO_TCP, csum_partial(th, skb->len, 0));
	skb_dst_set(skb, dst);
	ip6h = skb_push(skb, sizeof(*ip6h));
	skb_reset_network_header(skb);
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = fl6.saddr;
	ip6h->daddr = fl6.daddr;
	skb->protocol = htons(ETH_P_IPV6);
	return ip6_local_out(net, NULL, skb);
}

static int tcpark_send(struct net *net, const struct tcpark_record *rec,
		       u32 seq, u8 flags)
{
	struct sk_buff *skb = alloc_skb(MAX_TCP_HEADER, GFP_ATOMIC);

	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, MAX_TCP_HEADER);
	tcpark_put_tcp(skb, rec, seq, flags);
	skb->ip_summed = CHECKSUM_NONE;
	skb->mark = rec->mark;
	if (rec->flags & TCPARK_REC_V6)
		return tcpark_out_v6(net, rec, skb);
	return tcpark_out_v4(net, rec, skb);
}

/* seq = snd_nxt, ack = rcv_nxt, window and timestamps as TCP would. */
int tcpark_send_ack(struct net *net, const struct tcpark_record *rec)
{
	return tcpark_send(net, rec, rec->snd_nxt, TCPHDR_ACK);
}

/*
 * tcp_xmit_probe_skb() for TCP's keepalive timer: a bare ACK one below
 * snd_nxt (== snd_una), old data to the peer, which must answer it with
 * an ACK (RFC 9293 §3.8.4) unless it lost the connection: then an RST.
 */
int tcpark_send_probe(struct net *net, const struct tcpark_record *rec)
{
	return tcpark_send(net, rec, rec->snd_nxt - 1, TCPHDR_ACK);
}

/* As tcp_send_active_reset(): RST|ACK at snd_nxt, which the peer accepts. */
int tcpark_send_reset(struct net *net, const struct tcpark_record *rec)
{
	return tcpark_send(net, rec, rec->snd_nxt, TCPHDR_ACK | TCPHDR_RST);
}
