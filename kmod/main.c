// SPDX-License-Identifier: GPL-2.0
/*
 * tcpark: park idle TCP connections out of the established hash.
 *
 * Module entry points. Each init step unwinds in reverse on failure, and
 * exit mirrors init.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/tcp.h>

#include "tcpark.h"

static int __init tcpark_init(void)
{
	int ret;

	tcpark_limits_init();
	ret = tcpark_records_init();
	if (ret < 0)
		goto err_records;

	ret = tcpark_pernet_init();
	if (ret < 0)
		goto err_pernet;

	ret = tcpark_netlink_init();
	if (ret < 0)
		goto err_netlink;

	ret = tcpark_ulp_register();
	if (ret < 0)
		goto err_ulp;

	pr_info("version %s loaded\n", TCPARK_VERSION);
	return 0;

err_ulp:
	tcpark_netlink_exit();
err_netlink:
	tcpark_pernet_exit();
err_pernet:
	tcpark_records_exit();
err_records:
	return ret;
}

static void __exit tcpark_exit(void)
{
	/*
	 * No socket can still use our protos here: each socket carrying the
	 * ULP holds a module reference until tcp_cleanup_ulp() drops it.
	 */
	tcpark_ulp_unregister();
	tcpark_idle_flush();
	tcpark_netlink_exit();
	tcpark_pernet_exit();
	tcpark_records_exit();
	pr_info("unloaded\n");
}

module_init(tcpark_init);
module_exit(tcpark_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Park idle TCP connections out of the established hash");
MODULE_AUTHOR("tcpark developers");
MODULE_VERSION(TCPARK_VERSION);
MODULE_ALIAS_TCP_ULP("tcpark");
MODULE_ALIAS_GENL_FAMILY(TCPARK_GENL_NAME);
