#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Seeded, bounded fuzzing of the module's three ways in:
#  fuzz_nl   the generic netlink family: random commands, flags, attribute
#            sets, lengths and nesting, as root and as nobody (EPERM for
#            PARK/WAKE/KILL/SET; the sysctls and a root record untouched);
#  fuzz_opt  every SOL_TCPARK option on unconnected, listening, connected
#            and accepted sockets and one without the ULP, IPv4 and IPv6,
#            with random optlen and values, against the documented errnos;
#  fuzz_seg  forged segments against parked records from the peer's netns
#            (IPv4, IPv6): no stray RST, every answer an exact ACK, no record
#            lost but to the peer's exact RST, all others still answering.
# The kernel log must stay clean (run_tests.sh checks it).
#
# FUZZ_SEED=N replays a run (each program prints its seed); FUZZ_SCALE
# (percent, default 100, 25 on a debug kernel) scales the iterations.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

if [ -z "$FUZZ_SCALE" ] && debug_kernel; then
	FUZZ_SCALE=25	# KASAN and lockdep under TCG: about 4x slower
fi
export FUZZ_SCALE=${FUZZ_SCALE:-100}
[ -z "$FUZZ_SEED" ] || export FUZZ_SEED
echo "# iterations at ${FUZZ_SCALE}%"

module_load
setup_hosts

timed()
{
	_t=$(date +%s)
	"$@"
	_rc=$?
	echo "# $1: $(($(date +%s) - _t)) s"
	return $_rc
}

log_test "fuzz_nl: netlink as root and as nobody" timed "$DIR/fuzz_nl"
log_test "fuzz_opt: SOL_TCPARK options" timed "$DIR/fuzz_opt"
log_test "fuzz_seg: forged segments at parked records" \
	timed "$DIR/fuzz_seg" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS"

parked_now()
{
	tcparkctl -n "$NS_SRV" -j stats | sed -n 's/.*"parked":\([0-9]*\).*/\1/p'
}
log_test "no record left behind" busywait 5000 eval '[ "$(parked_now)" = 0 ]'
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0

exit $RET
