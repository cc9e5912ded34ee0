#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The pressure policy (kmod/pressure.c): net.tcpark.active_high 50,
# active_low 30. 30 connections, 3 s of quiet, then 30 more: 60 active
# tcpark sockets pass active_high, and the 30 quietest (the first 30,
# quiet for 3 s; the others for less than 1 s) are parked, no more: the
# 30 left active are all the young ones, every client is still
# ESTABLISHED, pressure_parks counts 30. Then the parked limit is full
# (max_parked 35) and the policy wants more (active_high 10, active_low
# 0): 5 more park, the 35 records stay (nothing is evicted) and the
# refusal is counted as refused limit.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

module_load
setup_hosts



# The idle ages (ms) of the server's ESTABLISHED tcpark sockets, one a line.
active_ages()
{
	tcparkctl -n "$NS_SRV" -j show state active >"$TMP/show.json"
	json_flat_file "$TMP/show.json" "$TMP/show.flat"
	awk -F= '/\.tcp_state="established"$/ { split($1, k, "."); est[k[1]] = 1 }
		/\.idle_age_ms=/ { split($1, k, "."); age[k[1]] = $2 }
		END { for (i in est) print age[i] }' "$TMP/show.flat"
}

srv_sysctl active_high 50
srv_sysctl active_low 30
mass_start
now_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

mass "connect 30 4"
t1=$(now_ms)	# the first 30 have been quiet since before this
sleep 3
mass "connect 30 4"
log_test "60 connections past active_high 50: 30 parked" busywait 10000 stat_is parked 30
sleep 2
log_test "  no more than 30" stat_is parked 30
log_test "  counted as pressure_parks" eq "$(xstat .pressure.pressure_parks)" 30
old=$(($(now_ms) - t1))
active_ages >"$TMP/ages"
echo "# idle ages of the sockets left active (ms): $(sort -n "$TMP/ages" | tr '\n' ' ')"
echo "# the first 30 have been quiet for at least $old ms"
log_test "  30 left active" eq "$(wc -l <"$TMP/ages")" 30
log_test "  the young ones: none of the first 30 is still active" \
	eq "$(awk -v old="$old" '$1 >= old { n++ } END { print n + 0 }' "$TMP/ages")" 0
log_test "every client still ESTABLISHED" wait_mass_state 60 0 0

srv_sysctl max_parked 35
ref0=$(xstat .refused.limit)
srv_sysctl active_high 10
srv_sysctl active_low 0
log_test "the policy wants 30 more, the limit takes 5" busywait 10000 stat_is parked 35
sleep 2
log_test "  35 records stay: nothing evicted" stat_is parked 35
log_test "  pressure_parks 35" eq "$(xstat .pressure.pressure_parks)" 35
log_test "  the refusal counted (refused limit)" eval '[ "$(xstat .refused.limit)" -gt "$ref0" ]'
log_test "every client still ESTABLISHED" wait_mass_state 60 0 0

srv_sysctl active_high 0
srv_sysctl max_parked 1048576
mass rst
mass_end
log_test "no record left" wait_stat parked 0
exit $RET
