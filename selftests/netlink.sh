#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The "tcpark" generic netlink family: netlink_test (dumps of 5,000 sockets,
# GET by cookie, filters, malformed requests) and nlctl_test (unprivileged
# access, netns isolation, PARK/WAKE/KILL and the events group). Both make
# network namespaces of their own. Afterwards every ULP socket must have
# given its module reference back, and the module must unload.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

module_load

log_test "netlink_test" "$DIR/netlink_test"
log_test "nlctl_test" "$DIR/nlctl_test"
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
