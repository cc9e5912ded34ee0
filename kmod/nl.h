/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of the tcpark generic netlink family share: netlink.c
 * (family, policies, events), nl_filter.c, nl_msg.c, nl_get.c, nl_cmd.c.
 */
#ifndef _TCPARK_NL_H
#define _TCPARK_NL_H

#include <linux/in6.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "record.h"

struct user_namespace;

extern struct genl_family tcpark_genl_family;

struct tcpark_addr_filter {
	bool set;
	bool v6;
	u8 plen;
	struct in6_addr addr;	/* an IPv4 address sits in s6_addr32[3] */
};

struct tcpark_filter {
	bool any;		/* at least one term was given */
	u64 cookie;		/* 0: none */
	u32 state, mode;	/* 0 / U32_MAX: none */
	u16 family, lport, rport;
	struct tcpark_addr_filter laddr, raddr;
};

bool tcpark_nl_may_see_seq(const struct sk_buff *skb);

bool tcpark_sk_addr(const struct sock *sk, bool local, struct in6_addr *a);
int tcpark_parse_filter(struct nlattr **tb, struct tcpark_filter *f,
			struct netlink_ext_ack *extack);
bool tcpark_match_sock(struct sock *sk, const struct tcpark_filter *f);
bool tcpark_match_record(const struct tcpark_record *rec,
			 const struct tcpark_filter *f);

int tcpark_put_sock(struct sk_buff *skb, struct sock *sk,
		    struct user_namespace *ns);
int tcpark_fill_sock(struct sk_buff *skb, struct sock *sk, u32 portid,
		     u32 seq, int flags, u8 cmd);
int tcpark_put_record(struct sk_buff *skb, const struct tcpark_record *rec,
		      struct user_namespace *ns, bool seq);
int tcpark_fill_record(struct sk_buff *skb, const struct tcpark_record *rec,
		       u32 portid, u32 seq, int flags, bool see_seq);

int tcpark_walk_records(struct net *net, const struct tcpark_filter *f,
			tcpark_walk_t fn, void *arg);

int tcpark_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int tcpark_nl_get_start(struct netlink_callback *cb);
int tcpark_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int tcpark_nl_get_done(struct netlink_callback *cb);
int tcpark_nl_stats_doit(struct sk_buff *skb, struct genl_info *info);
int tcpark_nl_set_doit(struct sk_buff *skb, struct genl_info *info);
int tcpark_nl_act_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _TCPARK_NL_H */
