// SPDX-License-Identifier: GPL-2.0
/*
 * TCPARK_CMD_GET: one socket or record by cookie, or a dump of the
 * namespace's sockets and records that match a filter.
 */
#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "tcpark.h"
#include "nl.h"

/*
 * A dump lists sockets first (cb->args[0]: registry index to resume at;
 * taken one at a time with a reference, so no lock is held while filling
 * messages), then records (cb->args[1] != 0: an rhashtable walker kept
 * across calls, freed in .done). A walk may show a record twice if the
 * table resizes meanwhile. cb->args[2]: the requester may see sequence
 * numbers, decided once in .start for the whole dump (later parts run in
 * whichever task calls recvmsg()), and cb->args[3]: the filter, parsed
 * once.
 * Each part starts from the namespace's generation (tcpark_dump_gen()),
 * which every park, wake and socket attach or detach moves: a dump that
 * spans such a change says so with NLM_F_DUMP_INTR on its messages, as
 * rtnetlink's dumps do with dev_base_seq (checked once per part, on its
 * first message, which is enough for the reader to see).
 */
static int tcpark_dump_socks(struct sk_buff *skb, struct netlink_callback *cb,
			     const struct tcpark_filter *f)
{
	struct tcpark_net *tn = tcpark_pernet(sock_net(skb->sk));
	unsigned long index = cb->args[0];
	struct sock *sk;
	int ret = 0;

	while ((sk = tcpark_next_sock(tn, &index))) {
		ret = 0;
		if (tcpark_match_sock(sk, f))
			ret = tcpark_fill_sock(skb, sk,
					       NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI,
					       TCPARK_CMD_GET);
		sock_put(sk);
		if (ret == -EMSGSIZE)
			break;
		index++;
	}
	cb->args[0] = index;
	return ret == -EMSGSIZE ? ret : 0;
}

static int tcpark_dump_records(struct sk_buff *skb,
			       struct netlink_callback *cb,
			       const struct tcpark_filter *f)
{
	struct rhashtable_iter *iter = (void *)cb->args[1];
	struct tcpark_record *rec;
	int ret = 0;

	if (!iter) {
		iter = kmalloc(sizeof(*iter), GFP_KERNEL);
		if (!iter)
			return -ENOMEM;
		rhashtable_walk_enter(&tcpark_pernet(sock_net(skb->sk))->records,
				      iter);
		cb->args[1] = (long)iter;
	}
	rhashtable_walk_start(iter);
	while ((rec = rhashtable_walk_peek(iter))) {
		if (IS_ERR(rec)) {
			if (PTR_ERR(rec) != -EAGAIN)
				break;
			rhashtable_walk_next(iter);
			continue;
		}
		if (tcpark_match_record(rec, f)) {
			ret = tcpark_fill_record(skb, rec,
						 NETLINK_CB(cb->skb).portid,
						 cb->nlh->nlmsg_seq,
						 NLM_F_MULTI, cb->args[2]);
			if (ret)
				break;	/* peeked: resumes with this one */
		}
		rhashtable_walk_next(iter);
	}
	rhashtable_walk_stop(iter);
	return ret;
}

int tcpark_nl_get_start(struct netlink_callback *cb)
{
	cb->args[2] = tcpark_nl_may_see_seq(cb->skb);
	return 0;
}

/*
 * The filter, parsed by the first part of the dump (6.1 gives .start no
 * extack: its errors would lose their message) and kept until .done.
 */
static const struct tcpark_filter *tcpark_dump_filter(struct netlink_callback *cb)
{
	struct tcpark_filter *f = (void *)cb->args[3];
	int ret;

	if (f)
		return f;
	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return ERR_PTR(-ENOMEM);
	ret = tcpark_parse_filter(tcpark_dump_attrs(cb), f, cb->extack);
	if (ret) {
		kfree(f);
		return ERR_PTR(ret);
	}
	cb->args[3] = (long)f;
	return f;
}

int tcpark_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct tcpark_filter *f = tcpark_dump_filter(cb);
	int ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	/* Odd, never 0: 0 would be "no previous part" to the check. */
	cb->seq = tcpark_dump_gen(tcpark_pernet(sock_net(skb->sk))) * 2 + 1;
	ret = 0;
	if (cb->args[1] || !tcpark_dump_socks(skb, cb, f))
		ret = tcpark_dump_records(skb, cb, f);
	if (ret && ret != -EMSGSIZE)
		return ret;
	if (skb->len)
		nl_dump_check_consistent(cb, nlmsg_hdr(skb));
	return skb->len;
}

int tcpark_nl_get_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[1];

	kfree((void *)cb->args[3]);
	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

struct tcpark_walk_filter {
	const struct tcpark_filter *f;
	tcpark_walk_t fn;
	void *arg;
};

static int tcpark_walk_matching(struct net *net, struct tcpark_record *rec,
				void *arg)
{
	struct tcpark_walk_filter *w = arg;

	return tcpark_match_record(rec, w->f) ? w->fn(net, rec, w->arg) : 0;
}

/* tcpark_record_walk() over the records that match @f. */
int tcpark_walk_records(struct net *net, const struct tcpark_filter *f,
			tcpark_walk_t fn, void *arg)
{
	struct tcpark_walk_filter w = { .f = f, .fn = fn, .arg = arg };

	return tcpark_record_walk(net, tcpark_walk_matching, &w);
}

struct tcpark_get_arg {
	struct sk_buff *msg;
	struct genl_info *info;
	bool see_seq;
};

static int tcpark_get_record(struct net *net, struct tcpark_record *rec,
			     void *arg)
{
	struct tcpark_get_arg *a = arg;

	return tcpark_fill_record(a->msg, rec, a->info->snd_portid,
				  a->info->snd_seq, 0, a->see_seq) ?: 1;
}

/* The socket with this cookie in @net, referenced, or NULL. */
static struct sock *tcpark_find_cookie(struct net *net, u64 cookie)
{
	struct tcpark_net *tn = tcpark_pernet(net);
	unsigned long index = 0;
	struct sock *sk;

	while ((sk = tcpark_next_sock(tn, &index))) {
		if (atomic64_read(&sk->sk_cookie) == cookie)
			return sk;
		sock_put(sk);
		index++;
	}
	return NULL;
}

int tcpark_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpark_get_arg arg = {
		.info = info,
		.see_seq = tcpark_nl_may_see_seq(skb),
	};
	struct tcpark_filter f = { .mode = U32_MAX };
	struct sock *sk;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, TCPARK_A_COOKIE))
		return -EINVAL;
	f.cookie = nla_get_u64(info->attrs[TCPARK_A_COOKIE]);
	/*
	 * A socket nobody asked the cookie of still has 0, and as a filter
	 * 0 matches every record: it names nothing.
	 */
	if (!f.cookie) {
		NL_SET_ERR_MSG(info->extack, "cookie 0 names no socket");
		return -ENOENT;
	}
	arg.msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!arg.msg)
		return -ENOMEM;
	sk = tcpark_find_cookie(genl_info_net(info), f.cookie);
	if (sk) {
		ret = tcpark_fill_sock(arg.msg, sk, info->snd_portid,
				       info->snd_seq, 0, TCPARK_CMD_GET);
		sock_put(sk);
	} else {
		ret = tcpark_walk_records(genl_info_net(info), &f,
					  tcpark_get_record, &arg);
		ret = ret == 1 ? 0 : ret ?: -ENOENT;
	}
	if (ret) {
		if (ret == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "no tcpark socket with this cookie");
		nlmsg_free(arg.msg);
		return ret;
	}
	return genlmsg_reply(arg.msg, info);
}
