// SPDX-License-Identifier: GPL-2.0
/*
 * Filters of the tcpark family (GET dumps, PARK, WAKE, KILL): parsed
 * once per request, matched against a socket or a record through one
 * view of either.
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "nl.h"

static int tcpark_parse_addr(struct nlattr **tb, int a_addr, int a_plen,
			     struct tcpark_addr_filter *f,
			     struct netlink_ext_ack *extack)
{
	int len;

	if (!tb[a_addr])
		return tb[a_plen] ? -EINVAL : 0;
	len = nla_len(tb[a_addr]);
	if (len != 4 && len != 16) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a_addr],
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	f->set = true;
	f->v6 = len == 16;
	f->plen = tb[a_plen] ? nla_get_u8(tb[a_plen]) : len * 8;
	if (f->plen > len * 8) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a_plen], "prefix too long");
		return -EINVAL;
	}
	if (f->v6)
		nla_memcpy(&f->addr, tb[a_addr], 16);
	else
		f->addr.s6_addr32[3] = nla_get_in_addr(tb[a_addr]);
	return 0;
}

int tcpark_parse_filter(struct nlattr **tb, struct tcpark_filter *f,
			struct netlink_ext_ack *extack)
{
	int ret;

	memset(f, 0, sizeof(*f));
	f->mode = U32_MAX;
	if (tb[TCPARK_A_COOKIE]) {
		f->cookie = nla_get_u64(tb[TCPARK_A_COOKIE]);
		/* It would be no filter at all: act on every match. */
		if (!f->cookie) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPARK_A_COOKIE],
					    "cookie 0 names no socket");
			return -EINVAL;
		}
	}
	if (tb[TCPARK_A_STATE])
		f->state = nla_get_u32(tb[TCPARK_A_STATE]);
	if (tb[TCPARK_A_MODE])
		f->mode = nla_get_u32(tb[TCPARK_A_MODE]);
	if (tb[TCPARK_A_FAMILY]) {
		f->family = nla_get_u16(tb[TCPARK_A_FAMILY]);
		if (f->family != AF_INET && f->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPARK_A_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
	}
	if (tb[TCPARK_A_LOCAL_PORT])
		f->lport = nla_get_u16(tb[TCPARK_A_LOCAL_PORT]);
	if (tb[TCPARK_A_REMOTE_PORT])
		f->rport = nla_get_u16(tb[TCPARK_A_REMOTE_PORT]);
	ret = tcpark_parse_addr(tb, TCPARK_A_LOCAL_ADDR, TCPARK_A_LOCAL_PREFIX,
				&f->laddr, extack);
	if (!ret)
		ret = tcpark_parse_addr(tb, TCPARK_A_REMOTE_ADDR,
					TCPARK_A_REMOTE_PREFIX, &f->raddr,
					extack);
	f->any = f->cookie || f->state || f->mode != U32_MAX || f->family ||
		 f->lport || f->rport || f->laddr.set || f->raddr.set;
	return ret;
}

/*
 * What filters look at, taken from a socket or a record. Addresses are
 * in IPv6 form with an IPv4 one in s6_addr32[3] (rest zero).
 */
struct tcpark_view {
	u64 cookie;
	u32 state;
	u32 mode;
	u16 family;
	u16 lport, rport;
	bool v6;
	struct in6_addr laddr, raddr;
};

/* The socket's address as a v6 address (IPv4 in s6_addr32[3]). */
bool tcpark_sk_addr(const struct sock *sk, bool local, struct in6_addr *a)
{
	if (sk->sk_family == AF_INET6 &&
	    !ipv6_addr_v4mapped(local ? &sk->sk_v6_rcv_saddr : &sk->sk_v6_daddr)) {
		*a = local ? sk->sk_v6_rcv_saddr : sk->sk_v6_daddr;
		return true;
	}
	memset(a, 0, sizeof(*a));
	a->s6_addr32[3] = local ? sk->sk_rcv_saddr : sk->sk_daddr;
	return false;
}

static void tcpark_view_sock(struct sock *sk, struct tcpark_view *v)
{
	struct tcpark_settings s;

	tcpark_effective(sk, &s);
	v->cookie = atomic64_read(&sk->sk_cookie);
	v->state = TCPARK_STATE_ACTIVE;
	v->mode = s.mode;
	v->family = sk->sk_family;
	v->lport = sk->sk_num;
	v->rport = ntohs(sk->sk_dport);
	v->v6 = tcpark_sk_addr(sk, true, &v->laddr);
	tcpark_sk_addr(sk, false, &v->raddr);
}

static void tcpark_rec_addr(const struct tcpark_record *rec,
			    const struct in6_addr *key, struct in6_addr *a)
{
	if (rec->flags & TCPARK_REC_V6) {
		*a = *key;
		return;
	}
	memset(a, 0, sizeof(*a));
	a->s6_addr32[3] = key->s6_addr32[3];
}

static void tcpark_view_record(const struct tcpark_record *rec,
			       struct tcpark_view *v)
{
	v->cookie = rec->cookie;
	v->state = TCPARK_STATE_PARKED;
	v->mode = TCPARK_MODE_TRANSIENT;
	v->v6 = rec->flags & TCPARK_REC_V6;
	v->family = v->v6 ? AF_INET6 : AF_INET;
	v->lport = ntohs(rec->key.lport);
	v->rport = ntohs(rec->key.rport);
	tcpark_rec_addr(rec, &rec->key.laddr, &v->laddr);
	tcpark_rec_addr(rec, &rec->key.raddr, &v->raddr);
}

static bool tcpark_addr_match(const struct in6_addr *a, bool v6,
			      const struct tcpark_addr_filter *f)
{
	if (!f->set)
		return true;
	if (v6 != f->v6)
		return false;
	if (v6)
		return ipv6_prefix_equal(a, &f->addr, f->plen);
	return !f->plen || !((a->s6_addr32[3] ^ f->addr.s6_addr32[3]) &
			     htonl(~0U << (32 - f->plen)));
}

static bool tcpark_match(const struct tcpark_view *v,
			 const struct tcpark_filter *f)
{
	if (f->cookie && v->cookie != f->cookie)
		return false;
	if (f->state && f->state != v->state)
		return false;
	if (f->family && f->family != v->family)
		return false;
	if (f->lport && f->lport != v->lport)
		return false;
	if (f->rport && f->rport != v->rport)
		return false;
	if (f->mode != U32_MAX && f->mode != v->mode)
		return false;
	return tcpark_addr_match(&v->laddr, v->v6, &f->laddr) &&
	       tcpark_addr_match(&v->raddr, v->v6, &f->raddr);
}

bool tcpark_match_sock(struct sock *sk, const struct tcpark_filter *f)
{
	struct tcpark_view v;

	tcpark_view_sock(sk, &v);
	return tcpark_match(&v, f);
}

bool tcpark_match_record(const struct tcpark_record *rec,
			 const struct tcpark_filter *f)
{
	struct tcpark_view v;

	tcpark_view_record(rec, &v);
	return tcpark_match(&v, f);
}
