#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Waking parked transient connections in bulk (wake_mass.c has the detail):
#  1. mixed: 1,000 connections (IPv4 and IPv6) parked, then 3 rounds under
#     netem (loss 10%, reorder 25%, delay 5 ms on both veth ends) in which
#     each is woken in a shuffled order, half by the client's request
#     (accept()), half by the server's connect() (remap), every byte of
#     both messages compared, and parked again. The counters must move by
#     exactly the numbers of each kind, no RST may reach a client.
#  2. race: 1,000 times, a client's request and the server's connect() to
#     that client released at the same instant on a parked connection:
#     exactly one wins, with the request and its answer byte-exact.
# Both end with the clients' abortive close, which must end every record;
# then no tcpark_record object may be left and the module must unload.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

cleanup_test()
{
	"$TC" -n "$NS_SRV" qdisc del dev veth_srv root 2>/dev/null
	"$TC" -n "$NS_CLI" qdisc del dev veth_cli root 2>/dev/null
}

module_load
require_netem
setup_hosts
pin_neighbours

# A kernel report in the log so far (run_tests.sh searches it all again).
no_splat()
{
	! dmesg | grep -E 'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|lockdep|circular locking|inconsistent lock state|suspicious RCU|refcount_t:'
}

rec0=$(record_objects_exact)
echo "# tcpark_record objects in use before: $rec0"

echo "# 1. mixed wakes under netem"
log_test "1,000 connections, 3 rounds of mixed wakes under netem" \
	run "$DIR/wake_mass" -s "$SRV_NETNS" -c "$CLI_NETNS" mixed -n 1000 -r 3
log_test "no record left after the clients' RSTs" wait_stat parked 0
log_test "no kernel warning after the mixed wakes" no_splat

echo "# 2. request and connect() at the same instant"
# The client retransmits a request that lost to connect() after its RTO:
# 10 ms instead of 200 keeps 1,000 iterations short.
run "$IP" -n "$NS_CLI" route add "$SRV_IP4/32" dev veth_cli rto_min 10ms
run "$IP" -n "$NS_CLI" -6 route add "$SRV_IP6/128" dev veth_cli rto_min 10ms
log_test "1,000 races of request vs connect(), one winner each" \
	run "$DIR/wake_mass" -s "$SRV_NETNS" -c "$CLI_NETNS" race -n 1000
log_test "no record left after the race" wait_stat parked 0
if record_cache_alone; then
	log_test "tcpark_record objects back to $rec0" wait_records "$rec0"
else
	echo "# tcpark_record shares its slab cache: object count not checked"
fi
log_test "no kernel warning after the race" no_splat
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
