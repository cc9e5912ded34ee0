#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Remap takes only what it asked for, and answers go where the parked
# socket's own segments went (park_test.c, fixture remap; IPv4, IPv6 and
# IPv4 to a dual-stack socket). Each connect() that cannot end
# ESTABLISHED on exactly the record's tuple and device is refused and
# leaves the record parked, its keepalives answered, for a correct
# connect() to take: TCP_FASTOPEN_CONNECT and TCP_REPAIR (EOPNOTSUPP),
# another device (EINVAL), the record's port bound on the wildcard address
# while the route picks another source (EADDRINUSE), another bound
# address or port (a plain connect()), a privileged port for a user with
# CAP_NET_ADMIN but not CAP_NET_BIND_SERVICE (EACCES). A link-local IPv6
# peer is answered through its interface although another interface's
# fe80::/64 route comes first, and SO_MARK stays with the record (only
# marked segments from 198.18.0.7 / fd00:7c::7 reach the client).
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

module_load
setup_hosts
pin_neighbours

S="$IP -n $NS_SRV"
# A second source address, preferred by the route to the client.
run $S addr add 198.18.0.3/32 dev veth_srv
run $S addr add fd00:7c::3/128 dev veth_srv nodad
run $S route replace "$CLI_IP4/32" dev veth_srv src 198.18.0.3
run $S -6 route replace "$CLI_IP6/128" dev veth_srv src fd00:7c::3
# From 198.18.0.7 / fd00:7c::7, only mark 0x2a finds a route. The debug
# kernel (tools/debug-kernel/config) has no policy routing: so_mark is
# left out there (first match wins in the harness: -T before -f).
run $S addr add 198.18.0.7/32 dev veth_srv
run $S addr add fd00:7c::7/128 dev veth_srv nodad
nomark=
if ! $S rule add from 198.18.0.7 fwmark 0x2b lookup 102 pref 99 2>/dev/null; then
	echo "# no policy routing in this kernel: so_mark skipped"
	nomark="-T so_mark"
else
	run $S rule del pref 99
fi
[ -n "$nomark" ] || for f in -4 -6; do
	from=198.18.0.7 net=198.18.0.0/24
	[ "$f" = -4 ] || from=fd00:7c::7 net=fd00:7c::/64
	run $S "$f" rule add from "$from" fwmark 0x2a lookup 100 pref 100
	run $S "$f" rule add from "$from" lookup 101 pref 101
	run $S "$f" route add "$net" dev veth_srv table 100
	run $S "$f" route add blackhole default table 101
done
# Link-local addresses, and an interface whose fe80::/64 route comes first.
run $S addr add fe80::7c:1/64 dev veth_srv nodad
run "$IP" -n "$NS_CLI" addr add fe80::7c:2/64 dev veth_cli nodad
run $S link add vx0 type veth peer name vx1
run $S link set vx0 up
run $S link set vx1 up
run $S -6 route add fe80::/64 dev vx0 metric 1

log_test "park_test -f remap (ipv4, ipv6, ipv4mapped)" \
	"$DIR/park_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS" $nomark -f remap

log_test "no record left behind" wait_stat parked 0
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
