// SPDX-License-Identifier: GPL-2.0
/*
 * What a parked transient connection does with a segment from its peer
 * (docs/design.md §8): answer keepalives, absorb ACKs and window updates,
 * RFC 5961 for RST/SYN/ACK, RFC 7323 PAWS. Nothing here may draw an RST
 * from the stack: every segment that reaches a record is consumed.
 * Segments that need the app (data, FIN) go to reactivate.c, which hands
 * the connection to accept(); until that can happen they stay
 * unacknowledged, so the peer retransmits them and nothing is lost.
 *
 * The checks run in the order of tcp_validate_incoming() and
 * tcp_rcv_established()'s slow path (RFC 793 §3.9, RFC 7323 §5.3):
 * PAWS, sequence acceptability, RST, SYN, ACK, then the data. A record
 * is an ESTABLISHED socket whose every byte was acked (rcv_wup ==
 * rcv_nxt: the park sends a pending ACK first), which makes the kernel's
 * tests simpler here.
 */
#include <net/tcp.h>

#include "tcpark.h"
#include "trace.h"

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
	seg->thoff = thoff;
	seg->payload_off = thoff + thlen;
	seg->end_seq = seg->seq + seg->len + !!th->fin + !!th->syn;
	tcpark_parse_ts((const u8 *)(th + 1), thlen - sizeof(*th), seg);
	return 0;
}

/*
 * The peer is alive: our probes start over (probe.c). As
 * tp->rcv_tstamp for TCP's keepalive timer, set by whatever the record
 * takes from the peer: acceptable ACKs and the peer's keepalives, both of
 * which need its sequence numbers.
 */
/*
 * A sign of life: the probe count starts again (icsk_probes_out = 0 in
 * tcp_ack()). The sweep (probe.c) may bump probes_out at the same moment
 * from a read before this; at worst the next silence gives up one probe
 * early, and still only after (ka_probes + 1) intervals of it.
 */
static void tcpark_heard(struct tcpark_record *rec)
{
	WRITE_ONCE(rec->last_heard, tcp_jiffies32);
	if (READ_ONCE(rec->probes_out))
		WRITE_ONCE(rec->probes_out, 0);
}

void tcpark_record_count_ka(struct net *net, struct tcpark_record *rec)
{
	u8 n = READ_ONCE(rec->ka_answered);

	if (n != U8_MAX)
		WRITE_ONCE(rec->ka_answered, n + 1);
	tcpark_heard(rec);
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_KA_ANSWERED);
	trace_tcpark_keepalive_answered(net, rec);
}

/*
 * __tcp_oow_rate_limited() with the record as the socket: one answer to
 * a segment that is not acceptable per net.ipv4.tcp_invalid_ratelimit
 * (500 ms by default) of this record, whatever other records receive. A
 * budget shared between records (as 6.1's per-netns challenge ACK limit)
 * lets whoever counts the answers on a record of its own learn whether
 * another tuple is parked and where its sequence numbers are
 * (CVE-2016-5696). The cmpxchg keeps it to one across CPUs.
 */
static bool tcpark_oow_rate_limited(struct net *net,
				    struct tcpark_record *rec)
{
	u16 now = (u16)tcp_jiffies32 ?: 1;	/* 0 is "never" (record.h) */
	u16 last = READ_ONCE(rec->last_oow_ack);
	u32 limit = READ_ONCE(net->ipv4.sysctl_tcp_invalid_ratelimit);

	/* A limit past 16 bits of jiffies is one answer per 65535. */
	if (last && (u16)(now - last) < min_t(u32, limit, U16_MAX))
		return true;
	return !try_cmpxchg(&rec->last_oow_ack, &last, now);
}

/* tcp_send_challenge_ack(): RFC 5961 §3.2, §4.2, §5.2; per record. */
static void tcpark_challenge_ack(struct net *net, struct tcpark_record *rec)
{
	if (tcpark_oow_rate_limited(net, rec))
		return;
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_CHALLENGE_ACKS);
	trace_tcpark_challenge_ack(net, rec);
	tcpark_send_ack(net, rec);
}

/* tcp_send_dupack() for a segment we drop unread: rate-limited too. */
static void tcpark_dupack(struct net *net, struct tcpark_record *rec)
{
	if (!tcpark_oow_rate_limited(net, rec))
		tcpark_send_ack(net, rec);
}

/*
 * The peer's keepalive probe: no data, one below rcv_nxt, acking all we
 * sent, past PAWS. Linux answers it from tcp_validate_incoming() (it is
 * "old" for tcp_sequence()) under the same rate limit as junk; here it
 * is answered every time, so that junk on a known 4-tuple cannot starve
 * the peer's probes: only who knows both sequence numbers can send it.
 */
static bool tcpark_is_probe(const struct tcpark_record *rec,
			    const struct tcpark_seg *seg)
{
	return seg->end_seq == seg->seq && seg->seq == rec->rcv_nxt - 1 &&
	       seg->ack == rec->snd_nxt && (seg->flags & TCPHDR_ACK) &&
	       !(seg->flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_FIN));
}

/*
 * tcp_paws_check(): TSval not older than TS.Recent by more than @win,
 * or TS.Recent stale (TCPARK_PAWS_STALE_SEC without a refresh) or unset.
 */
static bool tcpark_paws_ok(const struct tcpark_record *rec,
			   const struct tcpark_seg *seg, int win)
{
	u32 recent = READ_ONCE(rec->ts_recent);

	if ((s32)(recent - seg->tsval) <= win)
		return true;
	if (tcp_jiffies32 - READ_ONCE(rec->last_rx) >=
	    (u32)TCPARK_PAWS_STALE_SEC * HZ)
		return true;
	return !recent;
}

/*
 * tcp_paws_discard(), RFC 7323 §5.3 H1. tcp_disordered_ack()'s exception
 * for a reordered duplicate ACK is left out: such an ACK changes nothing
 * here, and it draws a rate-limited duplicate ACK instead of none.
 */
static bool tcpark_paws_discard(const struct tcpark_record *rec,
				const struct tcpark_seg *seg)
{
	return (rec->flags & TCPARK_REC_TSTAMP) && seg->has_ts &&
	       !tcpark_paws_ok(rec, seg, TCP_PAWS_WINDOW);
}

/*
 * tcp_sequence() with rcv_wup == rcv_nxt: the segment ends no earlier
 * than rcv_nxt and starts within the window. A keepalive probe ends
 * before it, so it is not acceptable: it is answered (its TSecr is
 * TS.Recent, as tcp_send_dupack() sends) but updates nothing.
 */
static bool tcpark_seq_acceptable(const struct tcpark_record *rec,
				  const struct tcpark_seg *seg)
{
	return !before(seg->end_seq, rec->rcv_nxt) &&
	       !after(seg->seq, rec->rcv_nxt + rec->rcv_wnd);
}

/*
 * tcp_replace_ts_recent() for an acceptable segment (RFC 7323 §4.3): the
 * TSval of a segment that starts at or before rcv_nxt (== rcv_wup), if
 * it is not older than TS.Recent. last_rx is its ts_recent_stamp.
 */
static void tcpark_replace_ts_recent(struct tcpark_record *rec,
				     const struct tcpark_seg *seg)
{
	bool ts = rec->flags & TCPARK_REC_TSTAMP;

	if (ts && !(seg->has_ts && !after(seg->seq, rec->rcv_nxt) &&
		    tcpark_paws_ok(rec, seg, 0)))
		return;
	if (ts)
		WRITE_ONCE(rec->ts_recent, seg->tsval);
	/* While data waits for a listener, last_rx is when that began. */
	if (!(READ_ONCE(rec->flags) & TCPARK_REC_WAKE_WAIT))
		WRITE_ONCE(rec->last_rx, tcp_jiffies32);
}

/* An acceptable ACK (tcp_ack()): TS.Recent, then the peer's window. */
static void tcpark_absorb_ack(struct tcpark_record *rec,
			      const struct tcpark_seg *seg)
{
	tcpark_heard(rec);
	tcpark_replace_ts_recent(rec, seg);
	if (seg->ack == rec->snd_nxt) {
		WRITE_ONCE(rec->snd_wnd, seg->window);
		if (seg->window > READ_ONCE(rec->max_window))
			WRITE_ONCE(rec->max_window, seg->window);
	}
}

/*
 * tcp_validate_incoming() up to step 4. True if the segment goes on to
 * the ACK and data steps; otherwise it was answered (or not) here.
 */
static bool tcpark_validate(struct net *net, struct tcpark_record *rec,
			    const struct tcpark_seg *seg)
{
	bool rst = seg->flags & TCPHDR_RST, syn = seg->flags & TCPHDR_SYN;

	/* RFC 7323 H1: PAWS first; an RST is judged without it. */
	if (!rst && tcpark_paws_discard(rec, seg)) {
		if (syn)
			tcpark_challenge_ack(net, rec);
		else
			tcpark_dupack(net, rec);
		return false;
	}
	/* Step 1: an unacceptable segment is answered, unless an RST. */
	if (!tcpark_seq_acceptable(rec, seg)) {
		if (rst)
			return false;
		if (syn) {
			tcpark_challenge_ack(net, rec);
		} else if (tcpark_is_probe(rec, seg)) {
			tcpark_record_count_ka(net, rec);
			tcpark_send_ack(net, rec);
		} else {
			tcpark_dupack(net, rec);
		}
		return false;
	}
	/* Step 2, RFC 5961 §3.2: only the exact rcv_nxt resets. */
	if (rst) {
		if (seg->seq == rec->rcv_nxt &&
		    tcpark_record_end(net, rec, TCPARK_EVENT_EXPIRED,
				      TCPARK_REASON_PEER_RESET, false))
			tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_PEER_RESETS);
		else
			tcpark_challenge_ack(net, rec);
		return false;
	}
	/* Step 4, RFC 5961 §4.2: any SYN on an established tuple. */
	if (syn) {
		tcpark_challenge_ack(net, rec);
		return false;
	}
	return true;
}

/*
 * Returns the netfilter verdict. Called under RCU with a record found
 * for the segment's 4-tuple and the checksum verified.
 */
unsigned int tcpark_rx(struct net *net, struct sk_buff *skb,
		       struct tcpark_record *rec, const struct tcpark_seg *seg)
{
	/* tcp_rcv_established(): none of ACK, RST, SYN is dropped. */
	if (!(seg->flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN)))
		return NF_DROP;
	if (!tcpark_validate(net, rec, seg))
		return NF_DROP;
	/*
	 * Step 5, RFC 5961 §5.2: an ACK beyond what we sent, or older than
	 * max_window. tcp_ack() drops the first silently; the RFC (and this)
	 * sends a challenge ACK for both.
	 */
	if (after(seg->ack, rec->snd_nxt) ||
	    before(seg->ack, rec->snd_nxt - tcpark_rec_max_window(rec))) {
		tcpark_challenge_ack(net, rec);
		return NF_DROP;
	}
	tcpark_absorb_ack(rec, seg);
	/* Step 7, the segment text (tcp_data_queue()). */
	if (seg->end_seq == seg->seq)
		return NF_DROP;		/* bare ACK, window update */
	if (seg->end_seq == rec->rcv_nxt) {
		/* Old bytes only (some stacks' keepalive): acked at once. */
		if (seg->seq == rec->rcv_nxt - 1)
			tcpark_record_count_ka(net, rec);
		tcpark_send_ack(net, rec);
		return NF_DROP;
	}
	if (after(seg->seq, rec->rcv_nxt)) {
		/* Beyond a hole: we cannot queue it; a dup ACK as TCP's. */
		tcpark_dupack(net, rec);
		return NF_DROP;
	}
	/*
	 * New data or FIN, from rcv_nxt or straddling it: hand it to
	 * accept(). The child trims the old bytes itself (tcp_data_queue(),
	 * "partial packet") and acks the rest.
	 */
	if (seg->ack == rec->snd_nxt)
		return tcpark_reactivate(net, skb, seg, rec);
	/* Acking less than all we sent, which the peer already acked. */
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_DROPS);
	return NF_DROP;
}
