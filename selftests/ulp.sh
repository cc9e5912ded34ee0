#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tcpark ULP between two hosts joined by veth (see lib.sh), over IPv4
# and IPv6: ulp_test drives both ends from one process, creating server
# sockets in the server netns and client sockets in the client netns.
# Afterwards every ULP socket must have given its module reference back.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

module_load
setup_hosts

log_test "ulp_test over veth (IPv4, IPv6)" \
	"$DIR/ulp_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS"
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
