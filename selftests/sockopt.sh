#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# SOL_TCPARK socket options between two hosts joined by veth (see lib.sh),
# over IPv4 and IPv6: sockopt_test drives both ends from one process and
# reads/writes the server netns's net.tcpark.* sysctls. Afterwards every
# ULP socket must have given its module reference back.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

module_load
setup_hosts

log_test "sockopt_test over veth (IPv4, IPv6)" \
	"$DIR/sockopt_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS"
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0

exit $RET
