// SPDX-License-Identifier: GPL-2.0
/*
 * SOL_TCPARK socket options. Foreign levels go straight back to the
 * kernel's own TCP proto; one small function per option.
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
static u64 tcpark_sock_cookie(struct sock *sk)
{
	u32 cookie[2];

	sock_diag_save_cookie(sk, cookie);
	return (u64)cookie[1] << 32 | cookie[0];
}

static void tcpark_fill_info(struct sock *sk, struct tcpark_info *info)
{
	memset(info, 0, sizeof(*info));
	info->tpi_state = TCPARK_STATE_ACTIVE;
	info->tpi_tcp_state = READ_ONCE(sk->sk_state);
	info->tpi_cookie = tcpark_sock_cookie(sk);
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

int tcpark_setsockopt(struct sock *sk, int level, int optname,
		      sockptr_t optval, unsigned int optlen)
{
	if (level != SOL_TCPARK)
		return tcpark_base_prot(sk)->setsockopt(sk, level, optname,
							 optval, optlen);
	/* TCPARK_INFO is read-only; nothing else is settable yet. */
	return -ENOPROTOOPT;
}

int tcpark_getsockopt(struct sock *sk, int level, int optname,
		      char __user *optval, int __user *optlen)
{
	if (level != SOL_TCPARK)
		return tcpark_base_prot(sk)->getsockopt(sk, level, optname,
							 optval, optlen);
	switch (optname) {
	case TCPARK_INFO:
		return tcpark_get_info(sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}
