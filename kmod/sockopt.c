// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TCPARK socket options. Foreign levels go straight back to the
 * kernel's own TCP proto; one small function per option. Every value is
 * checked before anything changes (nothing half-applies).
 */
#include <linux/sock_diag.h>
#include <linux/uaccess.h>
#include <net/tcp.h>

#include "tcpark.h"

/*
 * The socket's SO_COOKIE. sock_gen_cookie() is an inline around the
 * unexported __sock_gen_cookie(); sock_diag_save_cookie() is exported on
 * both kernels and yields the same cookie.
 */
u64 tcpark_sock_cookie(struct sock *sk)
{
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	return (u64)cookie[1] << 32 | cookie[0];
}

/*
 * Settings in force: the socket's own where set, else the netns's. The
 * context is read under RCU: netlink may look at a socket whose release()
 * is running (kfree_rcu()).
 */
void tcpark_effective(const struct sock *sk, struct tcpark_settings *s)
{
	const struct tcpark_defaults *def = &tcpark_pernet(sock_net(sk))->def;
	const struct tcpark_sock *ctx;
	u32 mask;

	*s = def->s;
	s->pin = 0;
	rcu_read_lock();
	ctx = rcu_dereference(inet_csk(sk)->icsk_ulp_data);
	mask = ctx ? READ_ONCE(ctx->set_mask) : 0;
	if (mask & TCPARK_SET_IDLE)
		s->idle_ms = READ_ONCE(ctx->own.idle_ms);
	if (mask & TCPARK_SET_MODE)
		s->mode = READ_ONCE(ctx->own.mode);
	if (mask & TCPARK_SET_KEEPALIVE) {
		s->ka_interval_ms = READ_ONCE(ctx->own.ka_interval_ms);
		s->ka_probes = READ_ONCE(ctx->own.ka_probes);
	}
	if (mask & TCPARK_SET_PIN)
		s->pin = READ_ONCE(ctx->own.pin);
	rcu_read_unlock();
}

/* Time since the last segment either way (TCP's own bookkeeping). */
u32 tcpark_idle_age_ms(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u32 now = tcp_jiffies32, last;

	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return 0;
	last = READ_ONCE(inet_csk(sk)->icsk_ack.lrcvtime);
	if ((s32)(READ_ONCE(tp->rcv_tstamp) - last) > 0)
		last = READ_ONCE(tp->rcv_tstamp);
	if ((s32)(READ_ONCE(tp->lsndtime) - last) > 0)
		last = READ_ONCE(tp->lsndtime);
	return jiffies_to_msecs(now - last);
}

static void tcpark_fill_info(struct sock *sk, struct tcpark_info *info)
{
	const struct tcpark_sock *ctx = tcpark_sk(sk);
	struct tcpark_settings s;

	tcpark_effective(sk, &s);
	memset(info, 0, sizeof(*info));
	info->tpi_state = TCPARK_STATE_ACTIVE;
	info->tpi_tcp_state = READ_ONCE(sk->sk_state);
	info->tpi_cookie = tcpark_sock_cookie(sk);
	info->tpi_mode = s.mode;
	info->tpi_idle_ms = s.idle_ms;
	info->tpi_ka_interval_ms = s.ka_interval_ms;
	info->tpi_ka_probes = s.ka_probes;
	info->tpi_flags = READ_ONCE(ctx->flags) | (s.pin ? TCPARK_F_PINNED : 0);
	info->tpi_idle_age_ms = tcpark_idle_age_ms(sk);
	info->tpi_parks = READ_ONCE(ctx->parks);
	info->tpi_wakes = READ_ONCE(ctx->wakes);
	info->tpi_ka_answered = READ_ONCE(ctx->ka_answered);
	info->tpi_ka_sent = READ_ONCE(ctx->ka_sent);
}

/* Growth rule in uapi/linux/tcpark.h: copy what the caller has room for. */
static int tcpark_get_info(struct sock *sk, char __user *optval,
			   int __user *optlen)
{
	struct tcpark_info info;
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < TCPARK_INFO_MIN_LEN)
		return -EINVAL;
	len = min_t(int, len, sizeof(info));

	tcpark_fill_info(sk, &info);
	if (put_user(len, optlen) || copy_to_user(optval, &info, len))
		return -EFAULT;
	return 0;
}

static int tcpark_get_value(const void *val, int size, char __user *optval,
			    int __user *optlen)
{
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < size)
		return -EINVAL;
	if (put_user(size, optlen) || copy_to_user(optval, val, size))
		return -EFAULT;
	return 0;
}

/* A u32 option: exactly four bytes, within @range. */
static int tcpark_copy_u32(sockptr_t optval, unsigned int optlen,
			   const struct tcpark_range *range, u32 *val)
{
	if (optlen != sizeof(*val))
		return -EINVAL;
	if (copy_from_sockptr(val, optval, sizeof(*val)))
		return -EFAULT;
	return tcpark_in_range(range, *val) ? 0 : -EINVAL;
}

static int tcpark_copy_keepalive(sockptr_t optval, unsigned int optlen,
				 struct tcpark_keepalive *ka)
{
	if (optlen != sizeof(*ka))
		return -EINVAL;
	if (copy_from_sockptr(ka, optval, sizeof(*ka)))
		return -EFAULT;
	if (!tcpark_in_range(&tcpark_ka_interval_range, ka->interval_ms) ||
	    !tcpark_in_range(&tcpark_ka_probes_range, ka->probes))
		return -EINVAL;
	return 0;
}

static const struct tcpark_range tcpark_bool_range = { 0, 1, true };

/* Validate, then apply under the socket lock. */
static int tcpark_set_value(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen)
{
	struct tcpark_sock *ctx = tcpark_sk(sk);
	struct tcpark_keepalive ka;
	u32 val = 0, bit;
	int ret;

	switch (optname) {
	case TCPARK_IDLE_MS:
		ret = tcpark_copy_u32(optval, optlen, &tcpark_idle_range, &val);
		bit = TCPARK_SET_IDLE;
		break;
	case TCPARK_MODE:
		ret = tcpark_copy_u32(optval, optlen, &tcpark_mode_range, &val);
		bit = TCPARK_SET_MODE;
		break;
	case TCPARK_PIN:
		ret = tcpark_copy_u32(optval, optlen, &tcpark_bool_range, &val);
		bit = TCPARK_SET_PIN;
		break;
	case TCPARK_KEEPALIVE:
		ret = tcpark_copy_keepalive(optval, optlen, &ka);
		bit = TCPARK_SET_KEEPALIVE;
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (ret)
		return ret;

	lock_sock(sk);
	switch (optname) {
	case TCPARK_IDLE_MS:
		WRITE_ONCE(ctx->own.idle_ms, val);
		break;
	case TCPARK_MODE:
		WRITE_ONCE(ctx->own.mode, val);
		break;
	case TCPARK_PIN:
		WRITE_ONCE(ctx->own.pin, val);
		break;
	default:
		WRITE_ONCE(ctx->own.ka_interval_ms, ka.interval_ms);
		WRITE_ONCE(ctx->own.ka_probes, ka.probes);
	}
	WRITE_ONCE(ctx->set_mask, ctx->set_mask | bit);
	if (bit & (TCPARK_SET_IDLE | TCPARK_SET_MODE))
		tcpark_idle_update(sk);
	release_sock(sk);
	return 0;
}

int tcpark_setsockopt(struct sock *sk, int level, int optname,
		      sockptr_t optval, unsigned int optlen)
{
	int ret;

	if (level != SOL_TCPARK)
		return tcpark_base_prot(sk)->setsockopt(sk, level, optname,
							 optval, optlen);
	if (optname != TCPARK_PARK)
		return tcpark_set_value(sk, optname, optval, optlen);
	if (optlen != 0)
		return -EINVAL;
	lock_sock(sk);
	ret = tcpark_park(sk);
	release_sock(sk);
	return ret;
}

int tcpark_getsockopt(struct sock *sk, int level, int optname,
		      char __user *optval, int __user *optlen)
{
	struct tcpark_settings s;
	struct tcpark_keepalive ka;

	if (level != SOL_TCPARK)
		return tcpark_base_prot(sk)->getsockopt(sk, level, optname,
							 optval, optlen);
	tcpark_effective(sk, &s);
	switch (optname) {
	case TCPARK_INFO:
		return tcpark_get_info(sk, optval, optlen);
	case TCPARK_IDLE_MS:
		return tcpark_get_value(&s.idle_ms, sizeof(u32), optval, optlen);
	case TCPARK_MODE:
		return tcpark_get_value(&s.mode, sizeof(u32), optval, optlen);
	case TCPARK_PIN:
		return tcpark_get_value(&s.pin, sizeof(u32), optval, optlen);
	case TCPARK_KEEPALIVE:
		ka.interval_ms = s.ka_interval_ms;
		ka.probes = s.ka_probes;
		return tcpark_get_value(&ka, sizeof(ka), optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}
