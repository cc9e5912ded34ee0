#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Parked connections under a bad network. One parked connection each of
# IPv4, IPv6 and IPv4 to a dual-stack listener; once they are parked,
# park_test (fixture netem) puts netem loss 20%, duplicate 5%, reorder 25%,
# delay 10 ms on both veth ends. The clients probe with KEEPIDLE 1,
# KEEPINTVL 1, KEEPCNT 9 and must stay ESTABLISHED for 30 s.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

module_load
require_netem
setup_hosts
pin_neighbours

log_test "30 s of keepalives under netem (ipv4, ipv6, ipv4mapped)" \
	"$DIR/park_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS" -f netem

parked_now()
{
	tcparkctl -n "$NS_SRV" -j stats | sed -n 's/.*"parked":\([0-9]*\).*/\1/p'
}
log_test "no record left behind" busywait 5000 eval '[ "$(parked_now)" = 0 ]'
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
