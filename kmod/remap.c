// SPDX-License-Identifier: GPL-2.0
/*
 * Remap (docs/design.md §11): connect() from a socket carrying the ULP to the
 * address of a parked peer becomes that connection, ESTABLISHED at once
 * and with nothing on the wire but one ACK.
 *
 * This is TCP repair mode (net/ipv4/tcp.c, TCP_REPAIR*) done from inside:
 * under the socket lock the socket takes the record's local address and
 * port (SK_FORCE_REUSE, as a repaired socket does next to the listener),
 * its sequence numbers, and connect() in repair mode goes straight to
 * ESTABLISHED without a SYN. connect() resets what it negotiates (MSS
 * clamp, window scale, timestamps, windows), so those are restored after
 * it from the record, as TCP_REPAIR_OPTIONS and TCP_REPAIR_WINDOW would.
 *
 * The record is claimed first, so that a reactivation of the same peer at
 * the same instant cannot also win, and stays in the table until the
 * socket is hashed: the peer's segments find one or the other.
 *
 * A remap takes only what it asked for: the record is consumed only once
 * connect() has made the socket ESTABLISHED on exactly the record's
 * 4-tuple and bound device. Anything else gives the claim back, leaves
 * the socket as it was and returns an error (see tcpark_remap_do()).
 */
#include <linux/capability.h>
#include <net/inet_hashtables.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include <net/transp_v6.h>

#include "tcpark.h"
#include "trace.h"

/*
 * The lookup key for connect(@uaddr) from @sk: the remote address and
 * port, and the local ones only where the socket is already bound. False
 * if this connect() cannot be a remap (then it is a plain one).
 */
static bool tcpark_remap_key(const struct sock *sk, const struct sockaddr *uaddr,
			     int addr_len, struct tcpark_key *key, bool *v6)
{
	memset(key, 0, sizeof(*key));
	if (sk->sk_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)uaddr;

		if (addr_len < SIN6_LEN_RFC2133 || sin6->sin6_family != AF_INET6)
			return false;
		key->raddr = sin6->sin6_addr;
		key->rport = sin6->sin6_port;
		*v6 = !ipv6_addr_v4mapped(&key->raddr);
		if (*v6)
			key->laddr = sk->sk_v6_rcv_saddr;
		else if (sk->sk_rcv_saddr)
			ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &key->laddr);
	} else {
		const struct sockaddr_in *sin = (const void *)uaddr;

		if (addr_len < sizeof(*sin) || sin->sin_family != AF_INET)
			return false;
		ipv6_addr_set_v4mapped(sin->sin_addr.s_addr, &key->raddr);
		key->rport = sin->sin_port;
		*v6 = false;
		if (sk->sk_rcv_saddr)
			ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &key->laddr);
	}
	key->lport = htons(sk->sk_num);
	return key->rport && !ipv6_addr_any(&key->raddr);
}

struct tcpark_remap_pick {
	kuid_t uid;
	bool v6;
	bool admin;
	bool own;	/* a record of ours was there, claimed or not */
	int err;	/* the strongest refusal so far */
};

/*
 * tcpark_pick_t, under the peer index's lock: a record we may claim. The
 * refusal kept is the most telling: the record is being taken right now
 * (-EADDRNOTAVAIL) over another user's (-EACCES) over none (-ENOENT).
 */
static bool tcpark_remap_may_take(struct tcpark_record *rec, void *arg)
{
	struct tcpark_remap_pick *p = arg;
	bool mine = uid_eq(rec->uid, p->uid);
	int err = 0;

	if (p->v6 != !!(rec->flags & TCPARK_REC_V6))
		return false;
	p->own |= mine;
	if (!mine && !p->admin)
		err = -EACCES;
	else if (!tcpark_record_claim(rec))
		err = -EADDRNOTAVAIL;
	if (err && (p->err == -ENOENT || err == -EADDRNOTAVAIL))
		p->err = err;
	return !err;
}

/* One pick under RCU; the record, claimed, is copied to @out. */
static struct tcpark_record *
tcpark_remap_pick_copy(struct net *net, const struct tcpark_key *key,
		       struct tcpark_remap_pick *p, struct tcpark_record *out)
{
	struct tcpark_record *rec;

	rcu_read_lock();
	rec = tcpark_record_pick(net, key, tcpark_remap_may_take, p);
	if (rec)
		*out = *rec;	/* claimed: nobody else frees it now */
	rcu_read_unlock();
	return rec;
}

/*
 * Find and claim the record; a copy goes to @out. -ENOENT: no record
 * (a plain connect follows), -EACCES: not the owner, -EADDRNOTAVAIL: a
 * reactivation or a kill has it right now.
 *
 * Who may take it: the uid that owned the parked socket, judged by the
 * owner of this socket as SO_REUSEPORT judges who may share a port
 * (inet_csk_bind_conflict()), or CAP_NET_ADMIN in the netns, which may
 * kill it anyway. Binding to its port is checked apart, as bind() would.
 * Of a peer's records (ports, users) an unbound socket gets its owner's
 * first; another user's only if there is none and it has the capability,
 * which is asked (and audited) only then.
 */
static int tcpark_remap_claim(struct sock *sk, const struct tcpark_key *key,
			      bool v6, struct tcpark_record **recp,
			      struct tcpark_record *out)
{
	struct tcpark_remap_pick p = {
		.uid = sock_i_uid(sk), .v6 = v6, .err = -ENOENT,
	};
	struct net *net = sock_net(sk);
	struct tcpark_record *rec;

	rec = tcpark_remap_pick_copy(net, key, &p, out);
	if (!rec && p.err == -EACCES && !p.own &&
	    ns_capable(net->user_ns, CAP_NET_ADMIN)) {
		p.admin = true;
		rec = tcpark_remap_pick_copy(net, key, &p, out);
	}
	*recp = rec;
	return rec ? 0 : p.err;
}

/* The record's local address on @sk, as bind() would set it. */
static void tcpark_remap_set_saddr(struct sock *sk, const struct tcpark_key *k)
{
	__be32 v4 = k->laddr.s6_addr32[3];

	if (sk->sk_family == AF_INET6) {
		sk->sk_v6_rcv_saddr = k->laddr;
		inet6_sk(sk)->saddr = k->laddr;
		if (!ipv6_addr_v4mapped(&k->laddr))
			v4 = LOOPBACK4_IPV6;
	}
	sk->sk_rcv_saddr = v4;
	inet_sk(sk)->inet_saddr = v4;
}

static void tcpark_remap_clear_saddr(struct sock *sk)
{
	if (sk->sk_family == AF_INET6) {
		sk->sk_v6_rcv_saddr = in6addr_any;
		inet6_sk(sk)->saddr = in6addr_any;
	}
	sk->sk_rcv_saddr = 0;
	inet_sk(sk)->inet_saddr = 0;
}

/* Bind an unbound @sk to the record's ip:port next to its listener. */
static int tcpark_remap_bind(struct sock *sk, const struct tcpark_key *k)
{
	u8 reuse = sk->sk_reuse;
	int ret;

	tcpark_remap_set_saddr(sk, k);
	sk->sk_reuse = SK_FORCE_REUSE;
	ret = sk->sk_prot->get_port(sk, ntohs(k->lport));
	sk->sk_reuse = reuse;
	if (ret) {
		tcpark_remap_clear_saddr(sk);
		return -EADDRINUSE;
	}
	inet_sk(sk)->inet_sport = k->lport;
	return 0;
}

/* A failed connect() leaves no trace of our bind(). */
static void tcpark_remap_unbind(struct sock *sk)
{
	if (inet_csk(sk)->icsk_bind_hash)
		inet_put_port(sk);
	inet_sk(sk)->inet_sport = 0;
	tcpark_remap_clear_saddr(sk);
}

/*
 * What connect() reset, back to what the connection negotiated: the
 * fields TCP_REPAIR_OPTIONS and TCP_REPAIR_WINDOW restore, plus the TS
 * state that tcp_create_openreq_child() would copy.
 */
static void tcpark_remap_restore(struct sock *sk, const struct tcpark_record *r)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_options_received *rx = &tp->rx_opt;
	bool ts = r->flags & TCPARK_REC_TSTAMP;
	u32 clamp;

	rx->mss_clamp = r->mss;
	rx->wscale_ok = !!(r->flags & TCPARK_REC_WSCALE);
	rx->snd_wscale = rx->wscale_ok ? r->snd_wscale : 0;
	rx->rcv_wscale = rx->wscale_ok ? r->rcv_wscale : 0;
	rx->sack_ok = r->flags & TCPARK_REC_SACK ? TCP_SACK_SEEN : 0;
	rx->tstamp_ok = ts;
	tp->tcp_header_len = sizeof(struct tcphdr) +
			     (ts ? TCPOLEN_TSTAMP_ALIGNED : 0);
	if (ts) {
		tp->advmss -= TCPOLEN_TSTAMP_ALIGNED;
		tp->tsoffset = r->ts_offset;
		rx->ts_recent = r->ts_recent;
		rx->ts_recent_stamp = ktime_get_seconds();
	}
	tcpark_tp_set_usec_ts(tp, r->flags & TCPARK_REC_USEC_TS);

	tcp_init_wl(tp, r->rcv_nxt - 1);
	tp->snd_wnd = tcpark_rec_snd_wnd(r);
	tp->max_window = tcpark_rec_max_window(r);
	tp->rcv_wnd = r->rcv_wnd;
	tp->rcv_wup = r->rcv_nxt;
	clamp = max(tp->window_clamp, r->rcv_wnd);
	WRITE_ONCE(tp->window_clamp, min(clamp, U16_MAX << rx->rcv_wscale));
	tp->rcv_ssthresh = min(max(tp->rcv_ssthresh, r->rcv_wnd),
			       tp->window_clamp);
	tp->pred_flags = 0;
	inet_csk(sk)->icsk_sync_mss(sk, inet_csk(sk)->icsk_pmtu_cookie);
	tcpark_seed_rtt(sk, r);
}

/* The record's local address as @sk's bind() would take it. */
union tcpark_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static int tcpark_remap_sockaddr(const struct sock *sk,
				 const struct tcpark_record *r,
				 union tcpark_sockaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (sk->sk_family == AF_INET6) {
		a->v6.sin6_family = AF_INET6;
		a->v6.sin6_port = r->key.lport;
		a->v6.sin6_addr = r->key.laddr;
		if (ipv6_addr_type(&r->key.laddr) & IPV6_ADDR_LINKLOCAL)
			a->v6.sin6_scope_id = r->oif;
		return sizeof(a->v6);
	}
	a->v4.sin_family = AF_INET;
	a->v4.sin_port = r->key.lport;
	a->v4.sin_addr.s_addr = r->key.laddr.s6_addr32[3];
	return sizeof(a->v4);
}

/*
 * The checks bind() makes that the forced bind would skip, in
 * inet_bind()'s order: the cgroup BPF bind programs (which may reject,
 * move the address, or waive the next check), then a privileged port
 * needs CAP_NET_BIND_SERVICE in the netns (__inet_bind(), __inet6_bind()).
 * The LSM socket_bind hook is not exported to modules; the LSM's
 * socket_connect hook has run for this connect().
 */
static int tcpark_remap_may_bind(struct sock *sk, const struct tcpark_record *r)
{
	struct net *net = sock_net(sk);
	union tcpark_sockaddr want, a;
	int len = tcpark_remap_sockaddr(sk, r, &want);
	u32 flags = 0;
	int ret;

	a = want;
	ret = tcpark_cgroup_bind(sk, &a.sa, len, &flags);
	if (ret)
		return ret;
	/* A program moved the bind elsewhere: not the record's tuple. */
	if (memcmp(&a, &want, sizeof(a)))
		return -EADDRINUSE;
	if (!(flags & BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE) &&
	    inet_port_requires_bind_service(net, ntohs(r->key.lport)) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;
	return 0;
}

/*
 * What a remap cannot honour, refused before the socket is touched: the
 * app's own TCP_REPAIR (it restores a connection itself) and
 * TCP_FASTOPEN_CONNECT (connect() would return in SYN_SENT and leave
 * the SYN to the first write), or a device other than the record's.
 */
static int tcpark_remap_refuse(const struct sock *sk,
			       const struct tcpark_record *r)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int oif = READ_ONCE(sk->sk_bound_dev_if);

	if (tp->repair || tp->fastopen_connect)
		return -EOPNOTSUPP;
	return oif && oif != r->oif ? -EINVAL : 0;
}

/*
 * After connect(): ESTABLISHED on exactly the record's 4-tuple and
 * device. A socket the app bound to a wildcard address gets its source
 * address from the route, which may be another one.
 */
static int tcpark_remap_check(const struct sock *sk,
			      const struct tcpark_record *r)
{
	struct tcpark_key key;
	u8 flags = 0;

	if (sk->sk_state != TCP_ESTABLISHED ||
	    sk->sk_bound_dev_if != r->oif)
		return -EINVAL;
	tcpark_snapshot_key(sk, &key, &flags);
	if (memcmp(&key, &r->key, sizeof(key)) ||
	    ((flags ^ r->flags) & TCPARK_REC_V6))
		return -EADDRINUSE;
	return 0;
}

/*
 * Take back a connect() that made the wrong connection, in repair mode so
 * that nothing goes on the wire (as a transient park's tcp_disconnect()):
 * the socket leaves the hash, and keeps only the port and address the
 * app itself bound.
 */
static void tcpark_remap_undo(struct sock *sk, bool bound)
{
	tcpark_base_prot(sk)->disconnect(sk, 0);
	WRITE_ONCE(sk->sk_err, 0);
	if (!bound)
		tcpark_remap_unbind(sk);
}

/* Become the record's connection: bound, connected in repair mode. */
static int tcpark_remap_connect(struct sock *sk, struct sockaddr *uaddr,
				int addr_len, const struct tcpark_record *r,
				bool bound)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int ret;

	if (!bound) {
		ret = tcpark_remap_bind(sk, &r->key);
		if (ret)
			return ret;
	}
	/* As TCP_QUEUE_SEQ: tcp_connect_init() starts from these. */
	WRITE_ONCE(tp->write_seq, r->snd_nxt);
	WRITE_ONCE(tp->rcv_nxt, r->rcv_nxt);
	WRITE_ONCE(tp->copied_seq, r->rcv_nxt);
	ret = tcpark_base_prot(sk)->connect(sk, uaddr, addr_len);
	if (ret) {
		if (!bound)
			tcpark_remap_unbind(sk);
		return ret;
	}
	ret = tcpark_remap_check(sk, r);
	if (ret)
		tcpark_remap_undo(sk, bound);
	return ret;
}

/*
 * Claimed record, under lock_sock(): become its connection, or leave the
 * socket as it was. The socket takes the record's device if it has none,
 * as an accepted child takes its listener's or the SYN's interface.
 */
static int tcpark_remap_do(struct sock *sk, struct sockaddr *uaddr,
			   int addr_len, const struct tcpark_record *r)
{
	struct tcp_sock *tp = tcp_sk(sk);
	bool bound = sk->sk_num, set_oif = !sk->sk_bound_dev_if;
	int ret;

	ret = tcpark_remap_refuse(sk, r);
	if (!ret && !bound)
		ret = tcpark_remap_may_bind(sk, r);
	if (ret)
		return ret;
	tp->repair = 1;
	tp->repair_queue = TCP_NO_QUEUE;
	if (set_oif)
		WRITE_ONCE(sk->sk_bound_dev_if, r->oif);
	ret = tcpark_remap_connect(sk, uaddr, addr_len, r, bound);
	if (!ret) {
		tcpark_remap_restore(sk, r);
		atomic64_cmpxchg(&sk->sk_cookie, 0, r->cookie);
	}
	tp->repair = 0;
	if (ret) {
		if (set_oif)
			WRITE_ONCE(sk->sk_bound_dev_if, 0);
		/* A later plain connect() picks its own ISN. */
		WRITE_ONCE(tp->write_seq, 0);
	}
	return ret;
}

/*
 * The connect() of our proto, under lock_sock() with the socket CLOSE
 * (__inet_stream_connect()). No record for the address: TCP's connect.
 */
int tcpark_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct tcpark_record *rec, copy;
	struct net *net = sock_net(sk);
	struct tcpark_key key;
	bool v6;
	int ret;

	if (!tcpark_records_active() ||
	    !tcpark_remap_key(sk, uaddr, addr_len, &key, &v6))
		return tcpark_base_prot(sk)->connect(sk, uaddr, addr_len);
	ret = tcpark_remap_claim(sk, &key, v6, &rec, &copy);
	if (ret == -ENOENT)
		return tcpark_base_prot(sk)->connect(sk, uaddr, addr_len);
	if (ret)
		return ret;
	ret = tcpark_remap_do(sk, uaddr, addr_len, &copy);
	if (ret) {
		tcpark_record_unclaim(rec);
		return ret;
	}
	tcpark_record_unlink(net, rec);
	trace_tcpark_remap(net, &copy);
	tcpark_record_free(rec);
	tcpark_sk(sk)->flags |= TCPARK_F_REMAPPED;
	tcpark_sk(sk)->wakes++;
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_REMAPPED);
	tcpark_stat_inc(tcpark_pernet(net), TCPARK_ST_WAKES);
	tcpark_notify(sk, TCPARK_EVENT_REMAPPED);
	tcpark_tcp_send_ack(sk);
	return 0;
}
