/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transient records: what is left of a connection whose app closed it
 * while parked. Everything the module needs to answer the peer with
 * correct sequence numbers, window and timestamps, and to rebuild a full
 * socket later, in 128 bytes including the hash linkage.
 */
#ifndef _TCPARK_RECORD_H
#define _TCPARK_RECORD_H

#include <linux/rhashtable.h>
#include <net/ipv6.h>
#include <linux/uidgid.h>
#include <linux/tcpark.h>

/*
 * The 4-tuple, always in IPv6 form: an IPv4 address is stored v4-mapped
 * (::ffff:a.b.c.d), so a dual-stack socket's record is found by the
 * IPv4 hook as well. Ports in network order. The table hashes all of it;
 * a second index by the remote half lets connect() find a record by the
 * peer's address alone: in a lookup key, laddr :: and lport 0 match any
 * (no record has either).
 */
struct tcpark_key {
	struct in6_addr laddr;
	struct in6_addr raddr;
	__be16 lport;
	__be16 rport;
};

/* The key of our end @laddr:@lport talking to @raddr:@rport. */
static inline void tcpark_key_v4(struct tcpark_key *key, __be32 laddr,
				 __be16 lport, __be32 raddr, __be16 rport)
{
	memset(key, 0, sizeof(*key));
	ipv6_addr_set_v4mapped(laddr, &key->laddr);
	ipv6_addr_set_v4mapped(raddr, &key->raddr);
	key->lport = lport;
	key->rport = rport;
}

static inline void tcpark_key_v6(struct tcpark_key *key,
				 const struct in6_addr *laddr, __be16 lport,
				 const struct in6_addr *raddr, __be16 rport)
{
	memset(key, 0, sizeof(*key));
	key->laddr = *laddr;
	key->raddr = *raddr;
	key->lport = lport;
	key->rport = rport;
}

enum {
	TCPARK_REC_TSTAMP	= BIT(0),	/* timestamps negotiated */
	TCPARK_REC_SACK		= BIT(1),
	TCPARK_REC_WSCALE	= BIT(2),
	TCPARK_REC_USEC_TS	= BIT(3),	/* TSval in usec (6.7+) */
	TCPARK_REC_V6		= BIT(4),	/* native IPv6 connection */
	TCPARK_REC_WAKE_WAIT	= BIT(5),	/* data waits for a listener */
	TCPARK_REC_CLAIMED	= BIT(7),	/* being woken or removed */
};

/*
 * struct tcpark_record - a parked transient connection.
 * @snd_nxt: next sequence number we send (== snd_una: all was acked).
 * @rcv_nxt: next sequence number we expect from the peer.
 * @snd_wnd: the peer's window and @max_window (RFC 5961 §5) as its window
 *	field carries them, in units of 1 << @snd_wscale (what TCP keeps
 *	in bytes is always such a multiple but for a SYN's unscaled window):
 *	tcpark_rec_snd_wnd() and tcpark_rec_max_window() give bytes.
 * @last_oow_ack: the low 16 bits of tcp_jiffies32 at the last answer to
 *	a segment that was not acceptable, 0 for none: tp->last_oow_ack_time,
 *	the per-record rate limit of __tcp_oow_rate_limited() (input.c).
 *	16 bits span 65536 jiffies (65 s at HZ=1000), a hundred times the
 *	500 ms limit: one answer in a few hundred after a long quiet spell
 *	may be held back as if recent, which the peer's retransmission
 *	covers.
 * @rcv_wnd: the window we last advertised, in bytes.
 * @ts_recent: RFC 7323 TS.Recent.
 * @ts_offset: added to our clock to make TSval (tp->tsoffset).
 * @flags: TCPARK_REC_*; once published only CLAIMED and WAKE_WAIT
 *	change (atomically: tcpark_record_claim(), _wake_wait()).
 * @srtt: the connection's smoothed RTT in 128 us units (saturating):
 *	a woken socket starts from it, not from the TSecr of a segment sent
 *	before the park, which would make the parked time its RTT.
 * @last_rx: jiffies of the last acceptable segment from the peer (with
 *	timestamps: when TS.Recent was last stored, as ts_recent_stamp; a
 *	keepalive probe is not acceptable and refreshes neither), or of the
 *	first one that waits for a listener (TCPARK_REC_WAKE_WAIT). TS.Recent
 *	goes stale after TCPARK_PAWS_STALE_SEC of it (a record silent for
 *	longer than jiffies can span, ~198 days at HZ=250, would misjudge
 *	it; its NAT mapping is long gone by then).
 * @last_heard: jiffies of the last segment from the peer that the record
 *	took as a sign of life: an acceptable ACK (the answer to our probe
 *	among them) or the peer's own keepalive probe. The probe sweep
 *	(probe.c) counts silence from it; unlike @last_rx it moves for the
 *	peer's keepalives, which are not acceptable segments.
 * @ka_interval_ms, @ka_probes: TCPARK_KEEPALIVE in force at the park.
 * @probes_out: probes sent since @last_heard (probe.c writes it alone).
 * @oif: the socket's bound device (sk_bound_dev_if: SO_BINDTODEVICE, a
 *	VRF, a link-local peer's interface), 0 if none; answers are routed
 *	through it, and a remap must end up bound to it.
 * @mark: the socket's SO_MARK, for policy routing and netfilter.
 *
 * @node links it in the table by 4-tuple, which the hook looks up; @peer
 * in the index by remote address and port, which connect() walks. One
 * peer may have a record on each of many local ports: hashing only the
 * remote half would make that one chain, which rhashtable refuses past
 * 16 entries and every lookup would walk; the index's per-peer list does
 * not count as a chain. The index is only ever read under its lock
 * (tcpark_net.peers_lock), which its removals take too: once a record is
 * out of it, nobody can be walking @peer, so @rcu reuses those bytes.
 *
 * 128 bytes on x86-64, one slab slot (the cache has no constructor, so
 * SLUB keeps its free pointer inside the object); with its share of the
 * two bucket arrays (8 bytes per bucket each, 37-75% full) a parked
 * connection costs about 150 bytes.
 */
struct tcpark_record {
	struct rhash_head node;
	union {
		struct rhlist_head peer;	/* while in the table */
		struct rcu_head rcu;		/* once out of it */
	};
	struct tcpark_key key;
	u32 snd_nxt;
	u32 rcv_nxt;
	u16 snd_wnd;
	u16 max_window;
	u32 rcv_wnd;
	u32 ts_recent;
	u32 ts_offset;
	u32 last_rx;
	u64 cookie;
	u32 last_heard;
	kuid_t uid;
	u32 ka_interval_ms;
	int oif;
	u32 mark;
	u16 mss;
	u16 last_oow_ack;
	u16 srtt;
	u8 snd_wscale:4;
	u8 rcv_wscale:4;
	u8 flags;
	u8 ka_answered;		/* saturating */
	u8 ka_probes;
	u8 probes_out;
};

static inline u32 tcpark_rec_snd_wnd(const struct tcpark_record *rec)
{
	return (u32)READ_ONCE(rec->snd_wnd) << rec->snd_wscale;
}

static inline u32 tcpark_rec_max_window(const struct tcpark_record *rec)
{
	return (u32)READ_ONCE(rec->max_window) << rec->snd_wscale;
}

/*
 * Jiffies from @since to @now; 0 if @since is later, which it is when
 * the input path stamps a record on another CPU after @now was read (as
 * a plain u32 difference, that would be 49 days of silence at HZ=1000).
 */
static inline u32 tcpark_jiffies_since(u32 now, u32 since)
{
	s32 d = (s32)(now - since);

	return d > 0 ? d : 0;
}

struct net;
struct sock;
struct tcpark_net;

int tcpark_records_init(void);
void tcpark_records_exit(void);
int tcpark_table_init(struct tcpark_net *tn);
void tcpark_table_destroy(struct net *net, struct tcpark_net *tn);

struct tcpark_record *tcpark_record_alloc(struct sock *sk);
void tcpark_record_free(struct tcpark_record *rec);
int tcpark_record_insert(struct net *net, struct tcpark_record *rec);
bool tcpark_record_wake_wait(struct net *net, struct tcpark_record *rec);
bool tcpark_record_claim(struct tcpark_record *rec);
void tcpark_record_unclaim(struct tcpark_record *rec);
void tcpark_record_unlink(struct net *net, struct tcpark_record *rec);
bool tcpark_record_end(struct net *net, struct tcpark_record *rec,
		       enum tcpark_event event, enum tcpark_reason reason,
		       bool reset);
struct tcpark_record *tcpark_record_lookup(struct net *net,
					   const struct tcpark_key *key);
typedef bool (*tcpark_pick_t)(struct tcpark_record *rec, void *arg);
struct tcpark_record *tcpark_record_pick(struct net *net,
					 const struct tcpark_key *key,
					 tcpark_pick_t pick, void *arg);
typedef int (*tcpark_walk_t)(struct net *net, struct tcpark_record *rec,
			     void *arg);
int tcpark_record_walk(struct net *net, tcpark_walk_t fn, void *arg);
void tcpark_table_reset_all(struct net *net);
bool tcpark_port_maybe_parked(struct net *net, __be16 port);
u64 tcpark_table_bytes(struct net *net);
bool tcpark_records_active(void);

#endif /* _TCPARK_RECORD_H */
