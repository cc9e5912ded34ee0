#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Transient connections parked by the idle timer while the app holds the
# fd (idle_park.c), over veth between two namespaces, IPv4 and IPv6.
set -e
. "$(dirname "$0")/lib.sh"
require_root

module_load
setup_hosts

log_test "idle_park (IPv4, IPv6)" \
	"$DIR/idle_park" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS"

exit $RET
