// SPDX-License-Identifier: GPL-2.0
/*
 * net.tcpark.* : per network namespace defaults and limits. Each netns
 * gets its own copy of the table pointing at its own tcpark_net, starting
 * from the defaults below. TCPARK_CMD_SET and setsockopt() check values
 * against the same ranges.
 */
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "tcpark.h"

const struct tcpark_range tcpark_idle_range = {
	TCPARK_IDLE_MS_MIN, TCPARK_IDLE_MS_MAX, true };
const struct tcpark_range tcpark_mode_range = {
	TCPARK_MODE_PERSISTENT, TCPARK_MODE_TRANSIENT, true };
const struct tcpark_range tcpark_ka_interval_range = {
	TCPARK_KA_INTERVAL_MS_MIN, TCPARK_KA_INTERVAL_MS_MAX, true };
const struct tcpark_range tcpark_ka_probes_range = {
	0, TCPARK_KA_PROBES_MAX, true };
/* 0 turns parking off in the netns. */
const struct tcpark_range tcpark_max_parked_range = {
	0, TCPARK_MAX_PARKED_MAX, true };
const struct tcpark_range tcpark_max_parked_mem_range = {
	0, TCPARK_MAX_PARKED_MEM_MB_MAX, true };
const struct tcpark_range tcpark_max_parked_per_uid_range = {
	0, TCPARK_MAX_PARKED_PER_UID_MAX, true };
const struct tcpark_range tcpark_peer_timeout_range = {
	TCPARK_PEER_TIMEOUT_MS_MIN, TCPARK_PEER_TIMEOUT_MS_MAX, true };
const struct tcpark_range tcpark_active_range = {
	0, TCPARK_ACTIVE_MAX, true };
/* Bounded: a record whose data nobody takes must not wait forever. */
const struct tcpark_range tcpark_wake_timeout_range = {
	TCPARK_WAKE_TIMEOUT_MS_MIN, TCPARK_WAKE_TIMEOUT_MS_MAX, false };

/*
 * Defaults for device servers: park after a minute of silence (devices
 * behind NAT typically send keepalives every 30-300 s, so a minute keeps
 * chatty ones active and parks the rest); persistent mode, because
 * transient changes what close() means and must be asked for; the module
 * sends no probes of its own (the device owns its keepalive schedule and
 * its battery) but gives up after 5 unanswered ones when asked to send
 * them; room for a million parked connections in 256 MiB. Data from a
 * parked peer that no listener takes (none, or its backlog is full) is
 * left unacknowledged for 30 s, long enough for an app restart, then the
 * peer gets an RST rather than retransmitting into silence. One uid may
 * hold 65536 records (1/16 of max_parked): enough for most servers, and
 * one local user cannot take a namespace's parking for itself; a server
 * that parks more for its uid raises it (README, "Security model").
 * A record whose peer has sent nothing for 2 h 4 min expires: RFC 5382
 * (REQ-5) lets a NAT drop an established TCP mapping idle that long, so
 * a device silent for longer can no longer be reached through it.
 */
void tcpark_defaults_init(struct tcpark_defaults *def)
{
	def->s.idle_ms = 60000;
	def->s.mode = TCPARK_MODE_PERSISTENT;
	def->s.ka_interval_ms = 0;
	def->s.ka_probes = 5;
	def->s.pin = 0;
	def->max_parked = 1U << 20;
	def->max_parked_mem_mb = 256;
	def->wake_timeout_ms = 30000;
	def->max_parked_per_uid = 65536;
	def->peer_timeout_ms = 124 * 60 * 1000;
}

/*
 * proc_douintvec() into a copy, then the range check and, for a limit in
 * a container's netns, tcpark_limit_check(); then the store. .extra2 is
 * the netns.
 */
static int tcpark_sysctl_u32(TCPARK_CTL_CONST struct ctl_table *table, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct tcpark_range *range = table->extra1;
	struct net *net = table->extra2;
	u32 *valp = table->data;
	u32 val = READ_ONCE(*valp);
	struct ctl_table tmp = {
		.data = &val,
		.maxlen = sizeof(val),
		.mode = table->mode,
	};
	int ret;

	ret = proc_douintvec(&tmp, write, buffer, lenp, ppos);
	if (ret || !write)
		return ret;
	if (!tcpark_in_range(range, val))
		return -EINVAL;
	ret = tcpark_limit_check(net, (char *)valp -
				 (char *)&tcpark_pernet(net)->def, val);
	if (ret)
		return ret;
	WRITE_ONCE(*valp, val);
	return 0;
}

#define TCPARK_SYSCTL(name, field, range) {		\
	.procname	= name,				\
	.data		= &init_defaults.field,		\
	.maxlen		= sizeof(u32),			\
	.mode		= 0644,				\
	.proc_handler	= tcpark_sysctl_u32,		\
	.extra1		= (void *)&(range),		\
}

/*
 * .data is rebased onto each netns's tcpark_net.def when copied, and
 * .extra2 becomes the netns.
 */
static struct tcpark_defaults init_defaults;

static struct ctl_table tcpark_sysctl_template[] = {
	TCPARK_SYSCTL("idle_ms", s.idle_ms, tcpark_idle_range),
	TCPARK_SYSCTL("mode", s.mode, tcpark_mode_range),
	TCPARK_SYSCTL("keepalive_interval_ms", s.ka_interval_ms,
		      tcpark_ka_interval_range),
	TCPARK_SYSCTL("keepalive_probes", s.ka_probes, tcpark_ka_probes_range),
	TCPARK_SYSCTL("max_parked", max_parked, tcpark_max_parked_range),
	TCPARK_SYSCTL("max_parked_mem_mb", max_parked_mem_mb,
		      tcpark_max_parked_mem_range),
	TCPARK_SYSCTL("max_parked_per_uid", max_parked_per_uid,
		      tcpark_max_parked_per_uid_range),
	TCPARK_SYSCTL("wake_timeout_ms", wake_timeout_ms,
		      tcpark_wake_timeout_range),
	TCPARK_SYSCTL("peer_timeout_ms", peer_timeout_ms,
		      tcpark_peer_timeout_range),
	TCPARK_SYSCTL("active_high", active_high, tcpark_active_range),
	TCPARK_SYSCTL("active_low", active_low, tcpark_active_range),
};

int tcpark_sysctl_register(struct net *net, struct tcpark_net *tn)
{
	size_t n = ARRAY_SIZE(tcpark_sysctl_template);
	struct ctl_table *table;
	size_t i;

	/* One more, zeroed: the sentinel 6.1 still needs. */
	table = kcalloc(n + 1, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	memcpy(table, tcpark_sysctl_template, sizeof(tcpark_sysctl_template));
	for (i = 0; i < n; i++) {
		table[i].data = (char *)&tn->def + ((char *)table[i].data -
						    (char *)&init_defaults);
		table[i].extra2 = net;
	}

	tn->sysctl = tcpark_register_net_sysctl(net, "net/tcpark", table, n);
	if (!tn->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void tcpark_sysctl_unregister(struct tcpark_net *tn)
{
	const struct ctl_table *table = tn->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(tn->sysctl);
	kfree(table);
}
