#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Transient parking on the wire, IPv4, IPv6 and IPv4 to a dual-stack
# listener (see park_test.c): close() silent, keepalives answered with
# exact seq/ack/window/TS (30+ probes each), no timestamps, no window
# scaling, forged RST/SYN/ACK/PAWS/junk segments, kill, and closes that
# must stay TCP's (unread or unacked data); park_validate.sh runs the
# attacks on segment validation.
# Then the forge command line tool against a record (an in-window RST
# draws a challenge ACK, the exact one ends the record), and max_parked:
# closes beyond it are TCP's (FIN) and counted as refused for the limit.
# Afterwards no record may be left and the module must unload.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

CAP_PID=
cleanup_test()
{
	mass_end
	[ -z "$CAP_PID" ] || kill "$CAP_PID" 2>/dev/null
}

module_load
modprobe sch_netem 2>/dev/null || true
setup_hosts

log_test "park_test (ipv4, ipv6, ipv4mapped)" \
	"$DIR/park_test" --server-netns "$SRV_NETNS" --client-netns "$CLI_NETNS" -F netem -F remap \
	-T challenge_isolation -T challenge_ratelimit -T ts_poison -T straddle \
	-T delayed_ack_pending -T exthdr_wake -T reactivate_other_user \
	-T reactivate_reuseport_prog -T frag6_wake

echo "# forge, the command line tool"
mass_start
mass "connect 1 4"
mass park
log_test "one record" wait_stat parked 1
show=$(tcparkctl -n "$NS_SRV" -j show state parked)
lport=$(echo "$show" | sed -n 's/.*"local_port":\([0-9]*\).*/\1/p')
rport=$(echo "$show" | sed -n 's/.*"remote_port":\([0-9]*\).*/\1/p')
"$DIR/wirecap" -n "$NS_CLI" -i veth_cli -t 600 >"$MASS_DIR/wire" 2>"$MASS_DIR/wire.err" &
CAP_PID=$!
busywait 5000 grep -q ready "$MASS_DIR/wire.err"
forge()
{
	run "$DIR/forge" -n "$NS_CLI" -R "$NS_SRV" -s "$CLI_IP4" -S "$rport" \
		-d "$SRV_IP4" -D "$lport" "$@"
}
answers()
{
	grep -v '(out)' "$MASS_DIR/wire" | grep -c "$SRV_IP4:$lport > $CLI_IP4:$rport \[A\]"
}
log_test "forge: in-window RST" forge -f R -q rcv_nxt+100
log_test "challenge ACK on the wire" busywait 2000 eval '[ "$(answers)" = 1 ]'
log_test "record kept" stat_is parked 1
log_test "forge: exact RST" forge -f R -q rcv_nxt
log_test "record gone" wait_stat parked 0
sleep 0.3
log_test "no answer to the exact RST" eq "$(answers)" 1
kill "$CAP_PID" 2>/dev/null || true
CAP_PID=
mass rst
mass_end

echo "# max_parked: closes beyond the limit are TCP's own"
lim0=$(stat limit)
parks0=$(stat parks)
run tcparkctl -n "$NS_SRV" set max_parked 3
mass_start
mass "connect 5 6"
mass park
log_test "3 parked under max_parked 3" wait_stat parked 3
log_test "2 refused for the limit" eq "$(($(stat limit) - lim0))" 2
log_test "3 parks counted" eq "$(($(stat parks) - parks0))" 3
fin_seen()
{
	mass state >/dev/null && [ "$(reply_field estab)" = 3 ] &&
		[ "$(reply_field other)" = 2 ]
}
log_test "the other 2 clients got a FIN (CLOSE_WAIT)" busywait 5000 fin_seen
run tcparkctl -n "$NS_SRV" set max_parked 1048576
mass rst
mass_end

parked_now()
{
	tcparkctl -n "$NS_SRV" -j stats | sed -n 's/.*"parked":\([0-9]*\).*/\1/p'
}
log_test "no record left behind" busywait 5000 eval '[ "$(parked_now)" = 0 ]'
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
