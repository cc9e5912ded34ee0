#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The parking limits, attacked (kmod/limits.c):
#  - an unprivileged user (nobody) opens connections to its own tcpark
#    listener and closes them: no more than net.tcpark.max_parked_per_uid
#    park, the rest close with an ordinary FIN and count as refused_limit;
#    another user still parks while nobody's quota is full;
#  - max_parked is exact when 4 threads park at once;
#  - the module-wide cap (max_parked_total) holds across two netns;
#  - the root of a user namespace (unshare -U -r -n) cannot raise
#    max_parked, max_parked_mem_mb or max_parked_per_uid above the init
#    netns's, neither by sysctl nor by tcparkctl set (EPERM), and a value
#    init lowers later bounds its parks too.
# PARK_LIMITS_PARTS="uid exact total userns" (the default) picks parts.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

NS_B=tcpark-b-$NS_SUFFIX
TOTAL=/sys/module/tcpark/parameters/max_parked_total
H2_PID=

cleanup_test()
{
	h2_end
	mass_end
	[ -z "$TOTAL0" ] || echo "$TOTAL0" >"$TOTAL"
	echo 1048576 >/proc/sys/net/tcpark/max_parked
	echo 256 >/proc/sys/net/tcpark/max_parked_mem_mb
	echo 65536 2>/dev/null >/proc/sys/net/tcpark/max_parked_per_uid
}

# A second park_mass next to lib's (commands on fd 5): h2_start ARGS...
h2_start()
{
	mkfifo "$TMP/h2in"
	: >"$TMP/h2out"
	echo "+ park_mass (2) $*"
	"$DIR/park_mass" "$@" <"$TMP/h2in" >"$TMP/h2out" 2>&1 &
	H2_PID=$!
	BG_PIDS="$BG_PIDS $H2_PID"
	exec 5>"$TMP/h2in"
	H2_LINES=0
	h2_wait
}

h2_wait()
{
	busywait 60000 eval '[ "$(wc -l <"$TMP/h2out")" -gt "$H2_LINES" ]' || {
		echo "  park_mass (2) silent:"; cat "$TMP/h2out"; return 1; }
	H2_LINES=$((H2_LINES + 1))
	sed -n "${H2_LINES}p" "$TMP/h2out" | grep -q '^ok' || {
		echo "  park_mass (2): $(sed -n "${H2_LINES}p" "$TMP/h2out")"; return 1; }
}

h2()
{
	echo "+ mass (2) $1"
	echo "$1" >&5 && h2_wait
}

h2_end()
{
	[ -n "$H2_PID" ] || return 0
	echo rst >&5 2>/dev/null
	echo exit >&5 2>/dev/null
	exec 5>&-
	wait "$H2_PID" 2>/dev/null
	H2_PID=
	rm -f "$TMP/h2in"
}

stat_in_is()	# NETNS NAME VALUE
{
	[ "$(stat "$2" "$1")" = "$3" ]
}

# stat_in NETNS NAME VALUE: wait until that counter of NETNS is VALUE.
stat_in()
{
	busywait 20000 stat_in_is "$@" && return 0
	echo "  $2 is $(stat "$2" "$1") in $1, want $3"
	return 1
}

# A namespace of its own where park_mass talks to itself over lo.
lo_netns()
{
	run "$IP" netns add "$1"
	NS_MADE="$NS_MADE $1"
	"$IP" -n "$1" link set lo up
	"$IP" -n "$1" addr add "$SRV_IP4/32" dev lo
	"$IP" -n "$1" addr add "$SRV_IP6/128" dev lo nodad
}

# part NAME: run that part (PARK_LIMITS_PARTS: a list; default all).
part()
{
	case " ${PARK_LIMITS_PARTS:-uid exact total userns} " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

module_load
setup_hosts
TOTAL0=$(cat "$TOTAL" 2>/dev/null || true)

if part uid; then
echo "# $(date +%s) per-uid quota: nobody parks 20 of 30, the other 10 close with a FIN"
lim0=$(stat limit)
# put NETNS NAME VALUE: a sysctl of NETNS
put()
{
	ip netns exec "$1" sh -c "echo $3 >/proc/sys/net/tcpark/$2"
}
log_test "sysctl max_parked_per_uid 20" put "$NS_SRV" max_parked_per_uid 20
log_test "tcparkctl stats shows it" \
	eval 'tcparkctl -n "$NS_SRV" -j stats | grep -q "\"max_parked_per_uid\":20"'
mass_start -u 65534
mass "connect 15 4"
mass "connect 15 6"
mass park
log_test "20 parked for uid 65534" wait_stat parked 20
log_test "10 refused for the limit" eq "$(($(stat limit) - lim0))" 10
fin_seen()
{
	mass state >/dev/null && [ "$(reply_field estab)" = 20 ] &&
		[ "$(reply_field other)" = 10 ] && [ "$(reply_field reset)" = 0 ]
}
log_test "the other 10 clients got a FIN (CLOSE_WAIT)" busywait 5000 fin_seen
log_test "the records belong to uid 65534" \
	eq "$(tcparkctl -n "$NS_SRV" show state parked | grep -c 'uid:65534')" 20

echo "# $(date +%s) another user parks while nobody's quota is full"
h2_start -s "$SRV_NETNS" -c "$CLI_NETNS" -u 65533
h2 "connect 5 4"
h2 park
log_test "uid 65533 parks its 5: 25 parked" wait_stat parked 25
log_test "  none refused" eq "$(($(stat limit) - lim0))" 10
h2_end
mass rst
mass_end
log_test "records gone" wait_stat parked 0

fi
if part exact; then
echo "# $(date +%s) max_parked is exact: 150 closes from 4 threads at once, max_parked 100"
log_test "sysctl max_parked_per_uid 1000" put "$NS_SRV" max_parked_per_uid 1000
run tcparkctl -n "$NS_SRV" set max_parked 100
lim0=$(stat limit)
mass_start
mass "connect 75 4"
mass "connect 75 6"
mass "park 4"
log_test "exactly 100 parked" wait_stat parked 100
log_test "exactly 50 refused" eq "$(($(stat limit) - lim0))" 50
mass rst
mass_end
log_test "records gone" wait_stat parked 0
run tcparkctl -n "$NS_SRV" set max_parked 1048576

fi
if part total; then
echo "# $(date +%s) max_parked_total 30 across two netns: 20 in one, then 10 of 20 in the other"
log_test "module parameter max_parked_total 30" eval "echo 30 >$TOTAL"
h2_start -s "$SRV_NETNS" -c "$CLI_NETNS"
h2 "connect 20 6"
h2 park
log_test "20 parked in the first netns" wait_stat parked 20
lo_netns "$NS_B"
MASS_SRV=/run/netns/$NS_B MASS_CLI=/run/netns/$NS_B mass_start
mass "connect 10 4"
mass "connect 10 6"
mass park
log_test "10 parked in the second" stat_in "$NS_B" parked 10
log_test "  10 refused there" eq "$(stat limit "$NS_B")" 10
log_test "  the first still has 20" eq "$(stat parked)" 20
h2_end
log_test "the first netns's records gone" wait_stat parked 0
mass "connect 10 4"
mass park
log_test "room again: 20 parked in the second" stat_in "$NS_B" parked 20
mass rst
mass_end
[ -z "$TOTAL0" ] || echo "$TOTAL0" >"$TOTAL"

fi
if part userns; then
echo "# $(date +%s) a user namespace's root cannot raise the limits above init's"
run sh -c 'echo 5000 >/proc/sys/net/tcpark/max_parked'
# Runs as root of a new user namespace with its own netns; prints
# "name=value" or "name=EPERM" / "set=rc" lines.
cat >"$TMP/userns.sh" <<'EOF'
d=/proc/sys/net/tcpark
w() { if echo "$2" 2>/dev/null >"$d/$1"; then echo "$1=$(cat "$d/$1")"; else echo "$1=refused"; fi; }
echo "start=$(cat $d/max_parked)"
w max_parked 6000
w max_parked_mem_mb 257
w max_parked_per_uid 65537
tcparkctl set max_parked 6000 >/dev/null 2>&1; echo "set=$?"
tcparkctl set max_parked_per_uid 65537 >/dev/null 2>&1; echo "set_uid=$?"
w max_parked 4000
ip link set lo up
ip addr add 198.18.0.1/32 dev lo
ip addr add fd00:7c::1/128 dev lo nodad
# Init lowers max_parked to 3 meanwhile (the parent waits for this file).
: >"$1/ready"
while [ ! -e "$1/lowered" ]; do sleep 0.1; done
# Stats while park_mass still holds the clients (their FINs would wake
# records into the listener).
{ printf 'connect 5 4\npark\n'; sleep 5; } |
	"$2/park_mass" -s /proc/self/ns/net -c /proc/self/ns/net >"$1/ns_mass" &
n=0
while ! grep -q '^ok park' "$1/ns_mass" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
cat "$1/ns_mass"
tcparkctl -j stats >"$1/ns_stats"
cat "$1/ns_stats"
for k in parked limit; do echo "$k=$(sed -n "s/.*\"$k\":\([0-9]*\).*/\1/p" "$1/ns_stats")"; done
wait
EOF
unshare -U -r -n sh "$TMP/userns.sh" "$TMP" "$DIR" >"$TMP/userns.out" 2>&1 &
UNS_PID=$!
BG_PIDS="$BG_PIDS $UNS_PID"
busywait 20000 test -e "$TMP/ready" || true
run sh -c 'echo 3 >/proc/sys/net/tcpark/max_parked'
: >"$TMP/lowered"
wait "$UNS_PID" || true
sed 's/^/#   /' "$TMP/userns.out"
got()
{
	sed -n "s/^$1=//p" "$TMP/userns.out"
}
log_test "a new container netns starts at init's max_parked (5000)" eq "$(got start)" 5000
log_test "sysctl max_parked 6000 > init's 5000: refused" eq "$(got max_parked | head -n 1)" refused
log_test "sysctl max_parked_mem_mb 257 > init's 256: refused" \
	eval 'grep -q "^max_parked_mem_mb=refused" "$TMP/userns.out"'
log_test "sysctl max_parked_per_uid 65537 > 65536: refused" \
	eval 'grep -q "^max_parked_per_uid=refused" "$TMP/userns.out"'
log_test "tcparkctl set max_parked 6000: EPERM (77)" eq "$(got set)" 77
log_test "tcparkctl set max_parked_per_uid 65537: EPERM (77)" eq "$(got set_uid)" 77
log_test "lowering is allowed (max_parked 4000)" eq "$(got max_parked | tail -n 1)" 4000
log_test "init lowered to 3 later: the container parks 3 of 5" eq "$(got parked)" 3
log_test "  2 refused for the limit" eq "$(got limit)" 2
run sh -c 'echo 1048576 >/proc/sys/net/tcpark/max_parked'
fi

exit $RET
