#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcpark cannot be unloaded while a socket carries its ULP, and every
# socket gives its module reference back when it goes away.
#
# ulp_hold (server in $NS_SRV, clients in $NS_CLI, see lib.sh) holds a ULP
# listener with two connected children left in its accept queue and one
# accepted child: 4 references (tcp_set_ulp() takes the listener's, the
# ULP's clone() one per child). Then:
#  1. IPv4: rmmod fails, the module keeps working, the holder exits and the
#     count drops back to 0 (children included), rmmod succeeds;
#  2. IPv6: the server side closes while the clients stay connected: the
#     count drops to 0 with the peers still open, rmmod succeeds;
#  3. IPv4, ULP on the clients as well (7 references), holder killed.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpark-hold.XXXXXX")
HOLD_PID=

cleanup_test()
{
	exec 3>&-
	rm -rf "$WORK"
}

# A command to a holder that died must fail the checks, not kill the script.
trap '' PIPE

# hold_cmd COMMAND: send a command to ulp_hold.
hold_cmd()
{
	echo "$1" >&3 2>/dev/null || echo "  ulp_hold is gone"
}

# hold_start ARGS...: start ulp_hold; its commands go to fd 3.
hold_start()
{
	rm -f "$WORK/in" "$WORK/out"
	mkfifo "$WORK/in"
	echo "+ ulp_hold $*"
	"$DIR/ulp_hold" -s "$SRV_NETNS" -c "$CLI_NETNS" "$@" \
		<"$WORK/in" >"$WORK/out" 2>&1 &
	HOLD_PID=$!
	BG_PIDS=$HOLD_PID
	exec 3>"$WORK/in"
}

hold_says()
{
	grep -q "^$1" "$WORK/out"
}

# hold_wait TEXT: wait for a line from ulp_hold; show its output if none.
hold_wait()
{
	busywait 10000 hold_says "$1" && return 0
	echo "  ulp_hold said:"
	sed 's/^/    /' "$WORK/out"
	return 1
}

# hold_end [SIGNAL]: end ulp_hold by EOF on its stdin, or by SIGNAL.
hold_end()
{
	if [ -n "$1" ]; then
		echo "+ kill -$1 ulp_hold"
		kill "-$1" "$HOLD_PID"
	fi
	exec 3>&-
	hold_rc=0
	wait "$HOLD_PID" || hold_rc=$?
	BG_PIDS=
}

# The accept queue length iproute2's ss reports for the listener.
accept_queue()
{
	"$SS" -N "$NS_SRV" -Hltn | awk '{ print $2 }'
}

hold_ready()
{
	log_test "$1: ulp_hold ready" hold_wait ready
	refs=$(sed -n 's/^ready //p' "$WORK/out")
	log_test "$1: refcnt is $refs" eq "$(module_refcnt)" "$refs"
	if [ -n "$SS" ]; then
		log_test "$1: 2 children wait in the accept queue" \
			eq "$(accept_queue)" 2
	fi
}

setup_hosts

echo "# 1. rmmod while in use, then the holder exits"
module_load
hold_start
hold_ready ipv4
log_test "ipv4: rmmod refused" eval '! rmmod tcpark'
log_test "ipv4: module still loaded" module_loaded
log_test "ipv4: refcnt unchanged by the failed rmmod" eq "$(module_refcnt)" "$refs"
hold_cmd probe
log_test "ipv4: module still works (a new ULP connection)" hold_wait "probe ok"
log_test "ipv4: refcnt back to $refs after the probe closed" wait_refcnt "$refs"
hold_end
log_test "ipv4: ulp_hold exited cleanly" eq "$hold_rc" 0
log_test "ipv4: refcnt 0 after everything closed" wait_refcnt 0
log_test "ipv4: rmmod" rmmod tcpark

echo "# 2. the server side closes first, the peers stay connected"
module_load
hold_start -6
hold_ready ipv6
hold_cmd close-server
log_test "ipv6: server side closed" hold_wait "server closed"
log_test "ipv6: refcnt 0, clients still open" wait_refcnt 0
log_test "ipv6: rmmod with the clients still open" rmmod tcpark
hold_end
log_test "ipv6: ulp_hold exited cleanly" eq "$hold_rc" 0

echo "# 3. ULP on both ends, the holder killed"
module_load
hold_start -C
hold_ready "ipv4, client ULP"
hold_end KILL
log_test "ipv4, client ULP: refcnt 0 after SIGKILL" wait_refcnt 0
log_test "ipv4, client ULP: rmmod" rmmod tcpark

exit $RET
