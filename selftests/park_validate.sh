#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# How a parked record validates segments, written as the attacks (see
# park_test.c), IPv4, IPv6 and IPv4 to a dual-stack listener:
#  - challenge_isolation: a flood of SYNs and in-window RSTs at one parked
#    tuple leaves another tuple's challenge ACK alone (CVE-2016-5696);
#  - challenge_ratelimit: one answer to junk per record per
#    net.ipv4.tcp_invalid_ratelimit (500 ms);
#  - ts_poison: old segments with a far-future TSval do not move TS.Recent,
#    so the device's next data still wakes the connection;
#  - straddle: old bytes + new in one segment: acked, and accept() gets
#    exactly the new bytes;
#  - delayed_ack_pending: a park with a delayed ACK pending sends it;
#  - exthdr_wake, frag6_wake: IPv6 data behind an extension header, or in
#    two fragments, wakes the connection with every byte;
#  - reactivate_other_user: another user's listener on the port does not
#    get the owner's device;
#  - reactivate_reuseport_prog: an SO_REUSEPORT group's SK_REUSEPORT
#    program judges a wake by its TCP header, as it judges a SYN.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

module_load
setup_hosts

log_test "park_test: segment validation (ipv4, ipv6, ipv4mapped)" \
	"$DIR/park_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS" \
	-F netem -F ka30 -t challenge_isolation -t challenge_ratelimit \
	-t ts_poison -t straddle -t delayed_ack_pending -t exthdr_wake \
	-t reactivate_other_user -t reactivate_reuseport_prog -t frag6_wake

log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
