// SPDX-License-Identifier: GPL-2.0
/*
 * What a parked transient connection does with a segment from its peer
 * (DESIGN.md §4): answer keepalives, absorb ACKs and window updates,
 * RFC 5961 for RST/SYN/ACK, RFC 7323 PAWS. Nothing here may draw an RST
 * from the stack: every segment that reaches a record is consumed.
 * Segments that need the app (data, FIN) go to reactivate.c, which hands
 * the connection to accept(); until that can happen they stay
 * unacknowledged, so the peer retransmits them and nothing is lost.
 */
#include <net/tcp.h>

#include "tcpark.h"

/* RFC 7323 §5.5: TS.Recent goes stale after 24 days idle. */
#define TCPARK_PAWS_IDLE	(24 * 24 * 60 * 60)

/* RFC 7323 §3.2: find TSopt; anything malformed just ends the scan. */
static void tcpark_parse_ts(const u8 *opt, int len, struct tcpark_seg *seg)
{
	while (len > 0) {
		u8 kind = opt[0], olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		olen = opt[1];
		if (olen < 2 || olen > len)
			return;
		if (kind == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP) {
			seg->has_ts = true;
			seg->tsval = get_unaligned_be32(opt + 2);
			seg->tsecr = get_unaligned_be32(opt + 6);
			return;
		}
		opt += olen;
		len -= olen;
	}
}

int tcpark_parse_seg(const struct sk_buff *skb, unsigned int thoff,
		     struct tcpark_seg *seg)
{
	u8 buf[60];
	const struct tcphdr *th;
	unsigned int thlen;

	th = skb_header_pointer(skb, thoff, sizeof(*th), buf);
	if (!th || th->doff < 5)
		return -EINVAL;
	thlen = th->doff * 4;
	if (skb->len < thoff + thlen)
		return -EINVAL;
	th = skb_header_pointer(skb, thoff, thlen, buf);
	if (!th)
		return -EINVAL;
	memset(seg, 0, sizeof(*seg));
	seg->flags = tcp_flag_byte(th);
	seg->seq = ntohl(th->seq);
	seg->ack = ntohl(th->ack_seq);
	seg->window = ntohs(th->window);
	seg->len = skb->len - thoff - thlen;
	seg->payload_off = thoff + thlen;
	seg->end_seq = seg->seq + seg->len + !!th->fin;
	tcpark_parse_ts((const u8 *)(th + 1), thlen - sizeof(*th), seg);
	return 0;
}

void tcpark_record_count_ka(struct net *net, struct tcpark_record *rec)
{
	u16 n = READ_ONCE(rec->ka_answered);

	if (n != U16_MAX)
		WRITE_ONCE(rec->ka_answered, n + 1);
	atomic64_inc(&tcpark_pernet(net)->stats.ka_answered);
}

static bool tcpark_challenge_allowed(struct net *net)
{
	return __ratelimit(&tcpark_pernet(net)->challenge_rs);
}

static void tcpark_challenge_ack(struct net *net, struct tcpark_record *rec)
{
	if (!tcpark_challenge_allowed(net))
		return;
	atomic64_inc(&tcpark_pernet(net)->stats.challenge_acks);
	tcpark_send_ack(net, rec);
}

/* RFC 7323 §5.3: a segment older than TS.Recent is a duplicate. */
static bool tcpark_paws_reject(const struct tcpark_record *rec,
			       const struct tcpark_seg *seg)
{
	if (!(rec->flags & TCPARK_REC_TSTAMP) || !seg->has_ts)
		return false;
	if ((s32)(seg->tsval - READ_ONCE(rec->ts_recent)) >= 0)
		return false;
	/* TS.Recent older than 24 days is invalid (§5.5). */
	return tcp_jiffies32 - READ_ONCE(rec->last_rx) <
	       (u32)TCPARK_PAWS_IDLE * HZ;
}

/*
 * An acceptable segment: refresh TS.Recent as tcp_replace_ts_recent()
 * does (only for segments not beyond rcv_nxt) and the idle clock.
 */
static void tcpark_update_ts(struct tcpark_record *rec,
			     const struct tcpark_seg *seg)
{
	if ((rec->flags & TCPARK_REC_TSTAMP) && seg->has_ts &&
	    !after(seg->seq, rec->rcv_nxt))
		WRITE_ONCE(rec->ts_recent, seg->tsval);
	WRITE_ONCE(rec->last_rx, tcp_jiffies32);
}

/* RFC 5961 §3.2: only the exact rcv_nxt resets the connection. */
static void tcpark_rx_rst(struct net *net, struct tcpark_record *rec,
			  const struct tcpark_seg *seg)
{
	if (seg->seq == rec->rcv_nxt) {
		tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED, false);
		return;
	}
	if (after(seg->seq, rec->rcv_nxt) &&
	    before(seg->seq, rec->rcv_nxt + max(rec->rcv_wnd, 1U)))
		tcpark_challenge_ack(net, rec);
}

/* An acceptable ACK: note the peer's window and timestamp. */
static void tcpark_absorb_ack(struct tcpark_record *rec,
			      const struct tcpark_seg *seg)
{
	u32 wnd = seg->window << rec->snd_wscale;

	tcpark_update_ts(rec, seg);
	if (seg->ack == rec->snd_nxt) {
		WRITE_ONCE(rec->snd_wnd, wnd);
		if (wnd > READ_ONCE(rec->max_window))
			WRITE_ONCE(rec->max_window, wnd);
	}
}

/*
 * Returns the netfilter verdict. Called under RCU with a record found
 * for the segment's 4-tuple and the checksum verified.
 */
unsigned int tcpark_rx(struct net *net, struct sk_buff *skb,
		       struct tcpark_record *rec, const struct tcpark_seg *seg)
{
	if (seg->flags & TCPHDR_RST) {
		tcpark_rx_rst(net, rec, seg);
		return NF_DROP;
	}
	/* RFC 5961 §4: any SYN on an established tuple. */
	if ((seg->flags & TCPHDR_SYN) || !(seg->flags & TCPHDR_ACK)) {
		if (seg->flags & TCPHDR_SYN)
			tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}
	if (tcpark_paws_reject(rec, seg)) {
		tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}
	/* RFC 5961 §5.2: ACK beyond what we sent, or far too old. */
	if (after(seg->ack, rec->snd_nxt)) {
		tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}
	if (before(seg->ack, rec->snd_nxt - READ_ONCE(rec->max_window))) {
		tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}

	if (seg->end_seq == seg->seq && seg->seq == rec->rcv_nxt) {
		tcpark_absorb_ack(rec, seg);	/* bare ACK, window update */
		return NF_DROP;
	}
	if (!after(seg->end_seq, rec->rcv_nxt)) {
		/* Keepalive (seq = rcv_nxt - 1) or old retransmission. */
		tcpark_update_ts(rec, seg);
		if (seg->seq == rec->rcv_nxt - 1)
			tcpark_record_count_ka(net, rec);
		tcpark_send_ack(net, rec);
		return NF_DROP;
	}
	if (after(seg->seq, rec->rcv_nxt)) {
		/* Beyond a hole: out of window for us; RFC 793 says ACK. */
		tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}
	/* New data or FIN for the app, in order: hand it to accept(). */
	if (seg->seq == rec->rcv_nxt && seg->ack == rec->snd_nxt)
		return tcpark_reactivate(net, skb, seg->payload_off, rec);
	/* Acking less than all we sent, which the peer already acked. */
	atomic64_inc(&tcpark_pernet(net)->stats.drops);
	return NF_DROP;
}
