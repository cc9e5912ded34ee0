#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# net.tcpark.* sysctls: the documented defaults in every new netns (values
# from kmod/sysctl.c), the range of each (a refused write leaves the value),
# two namespaces isolated, a new netns starting from the defaults whatever
# init_net says, and tcparkctl set (TCPARK_CMD_SET) changing the same values
# and refusing out-of-range ones as a whole.
# shellcheck disable=SC2086 # $NOBODY (and $ALL) are word lists
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root
require_iproute2

NS_A=tcpark-a-$NS_SUFFIX
NS_B=tcpark-b-$NS_SUFFIX
NS_C=tcpark-c-$NS_SUFFIX
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"

# name default: kmod/sysctl.c, tcpark_defaults_init()
DEFAULTS="idle_ms=60000 mode=0 keepalive_interval_ms=0 keepalive_probes=5
max_parked=1048576 max_parked_mem_mb=256 wake_timeout_ms=30000
max_parked_per_uid=65536 peer_timeout_ms=7440000 active_high=0 active_low=0"

cleanup_test()
{
	for kv in $DEFAULTS; do
		echo "${kv#*=}" >"/proc/sys/net/tcpark/${kv%%=*}" 2>/dev/null
	done
}

# in_ns NS CMD...: run CMD in netns NS ("init": this one).
in_ns()
{
	_ns=$1
	shift
	if [ "$_ns" = init ]; then
		"$@"
	else
		"$IP" netns exec "$_ns" "$@"
	fi
}

sc_get()	# NS NAME
{
	in_ns "$1" cat "/proc/sys/net/tcpark/$2"
}

sc_put()	# NS NAME VALUE: the write's success
{
	in_ns "$1" sh -c 'printf "%s\n" "$1" >"$2"' - "$3" "/proc/sys/net/tcpark/$2" 2>/dev/null
}

# all_defaults NS: every sysctl at its default, and no other file.
all_defaults()
{
	_ok=0
	for kv in $DEFAULTS; do
		_v=$(sc_get "$1" "${kv%%=*}") || { echo "  no ${kv%%=*}"; _ok=1; continue; }
		eq "$_v" "${kv#*=}" || { echo "  (${kv%%=*} in $1)"; _ok=1; }
	done
	eq "$(in_ns "$1" ls /proc/sys/net/tcpark | sort | tr '\n' ' ')" \
	   "active_high active_low idle_ms keepalive_interval_ms keepalive_probes max_parked max_parked_mem_mb max_parked_per_uid mode peer_timeout_ms wake_timeout_ms " ||
		_ok=1
	return "$_ok"
}

# ranges NS NAME "GOOD..." "BAD...": each good value is taken, each bad one
# refused with the value left as it was.
ranges()
{
	_ok=0
	_cur=$(sc_get "$1" "$2")
	for _v in $3; do
		sc_put "$1" "$2" "$_v" || { echo "  $2 = $_v refused"; _ok=1; continue; }
		_cur=$_v
		eq "$(sc_get "$1" "$2")" "$_v" || _ok=1
	done
	for _v in $4; do
		if sc_put "$1" "$2" "$_v"; then
			echo "  $2 = $_v accepted"
			_ok=1
		fi
		eq "$(sc_get "$1" "$2")" "$_cur" || { echo "  ($2 after $_v)"; _ok=1; }
	done
	return "$_ok"
}

# Values that differ from the defaults, to tell the namespaces apart.
set_some()	# NS IDLE MODE
{
	sc_put "$1" idle_ms "$2" && sc_put "$1" mode "$3"
}

# ---- defaults ----
# A fresh module: init_net starts from the defaults too.
log_test "a fresh module (rmmod, modprobe)" eval 'module_unload && module_load'
for ns in "$NS_A" "$NS_B"; do
	run "$IP" netns add "$ns"
	NS_MADE="$NS_MADE $ns"
done
log_test "init_net: the eleven sysctls at their defaults" all_defaults init
log_test "new netns A: the eleven sysctls at their defaults" all_defaults "$NS_A"
log_test "new netns B: the eleven sysctls at their defaults" all_defaults "$NS_B"

# ---- ranges (in A; each list ends on the default) ----
log_test "idle_ms: 0, 100..604800000" ranges "$NS_A" idle_ms \
	"0 100 604800000 60000" "1 99 604800001 4294967295 4294967296 -1 abc 100x"
log_test "mode: 0, 1" ranges "$NS_A" mode "1 0" "2 3 4294967295 -1 transient"
log_test "keepalive_interval_ms: 0, 1000..86400000" ranges "$NS_A" keepalive_interval_ms \
	"1000 86400000 0" "1 999 86400001 4294967295"
log_test "keepalive_probes: 0..255" ranges "$NS_A" keepalive_probes \
	"0 255 5" "256 4294967295 -5"
log_test "max_parked: 0..2^30" ranges "$NS_A" max_parked \
	"0 1073741824 1048576" "1073741825 4294967295"
log_test "max_parked_mem_mb: 0..2^20" ranges "$NS_A" max_parked_mem_mb \
	"0 1048576 256" "1048577 4294967295"
log_test "max_parked_per_uid: 0..2^30" ranges "$NS_A" max_parked_per_uid \
	"0 1073741824 65536" "1073741825 4294967295"
log_test "wake_timeout_ms: 100..3600000, not 0" ranges "$NS_A" wake_timeout_ms \
	"100 3600000 30000" "0 1 99 3600001 4294967295 -1 abc"
log_test "peer_timeout_ms: 0, 1000..2592000000" ranges "$NS_A" peer_timeout_ms \
	"0 1000 2592000000 7440000" "1 999 2592000001 4294967295 -1"
log_test "active_high: 0..2^30" ranges "$NS_A" active_high \
	"0 1073741824 0" "1073741825 4294967295 -1"
log_test "active_low: 0..2^30" ranges "$NS_A" active_low \
	"0 1073741824 0" "1073741825 4294967295 -1"
log_test "A back at the defaults after the range checks" all_defaults "$NS_A"
log_test "B untouched by A's writes" all_defaults "$NS_B"
log_test "init_net untouched by A's writes" all_defaults init

# ---- isolation ----
log_test "A: idle_ms 1234, mode 1" set_some "$NS_A" 1234 1
log_test "B still at the defaults" all_defaults "$NS_B"
log_test "init_net still at the defaults" all_defaults init
log_test "B: idle_ms 4321" sc_put "$NS_B" idle_ms 4321
log_test "A keeps idle_ms 1234" eq "$(sc_get "$NS_A" idle_ms)" 1234
log_test "A keeps mode 1" eq "$(sc_get "$NS_A" mode)" 1
log_test "B has mode 0" eq "$(sc_get "$NS_B" mode)" 0

# ---- a new netns starts from the defaults, not from init_net ----
log_test "init_net: idle_ms 2222, mode 1, keepalive_probes 9" \
	eval 'set_some init 2222 1 && sc_put init keepalive_probes 9'
run "$IP" netns add "$NS_C"
NS_MADE="$NS_MADE $NS_C"
log_test "new netns C after init_net changed: defaults" all_defaults "$NS_C"
log_test "init_net keeps its values" \
	eq "$(sc_get init idle_ms) $(sc_get init mode) $(sc_get init keepalive_probes)" "2222 1 9"

# ---- unprivileged ----
log_test "nobody reads A's idle_ms" eq "$(in_ns "$NS_A" $NOBODY cat /proc/sys/net/tcpark/idle_ms)" 1234
log_test "nobody cannot write A's idle_ms" eval \
	'! in_ns "$NS_A" $NOBODY sh -c "echo 5000 >/proc/sys/net/tcpark/idle_ms" 2>/dev/null'
log_test "A's idle_ms unchanged" eq "$(sc_get "$NS_A" idle_ms)" 1234

# ---- tcparkctl set: the same values through TCPARK_CMD_SET ----
# tcparkctl CMD... in A: output in $TMP/out, $TMP/err, status in $rc.
ctl()
{
	rc=0
	in_ns "$NS_A" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ ! -s "$TMP/err" ] || head -n 1 "$TMP/err" | sed 's/^/  stderr: /'
}

# A's eleven sysctls on one line, in DEFAULTS order.
a_values()
{
	for kv in $DEFAULTS; do printf '%s ' "$(sc_get "$NS_A" "${kv%%=*}")"; done
}

ctl tcparkctl set idle_ms 3000 mode transient ka_interval_ms 2000 ka_probes 7 \
	max_parked 100 max_parked_mem_mb 10 wake_timeout_ms 45000 max_parked_per_uid 50 \
	peer_timeout_ms 60000 active_high 500 active_low 400
log_test "tcparkctl set (all eleven): exit 0" eq "$rc" 0
log_test "tcparkctl set prints nothing" eq "$(cat "$TMP/out")" ""
log_test "the sysctls show the new values" eq "$(a_values)" "3000 1 2000 7 100 10 45000 50 60000 500 400 "
log_test "B untouched by A's set" eq "$(sc_get "$NS_B" idle_ms) $(sc_get "$NS_B" mode)" "4321 0"

ctl tcparkctl -n "$NS_B" set ka_probes 11
log_test "tcparkctl -n B set ka_probes 11" eq "$rc" 0
log_test "B's keepalive_probes is 11" eq "$(sc_get "$NS_B" keepalive_probes)" 11
log_test "A's keepalive_probes still 7" eq "$(sc_get "$NS_A" keepalive_probes)" 7

# stats reports what the sysctls say, including a sysctl write.
sc_put "$NS_A" keepalive_interval_ms 86400000
sc_put "$NS_A" wake_timeout_ms 1500
ctl tcparkctl -j stats
stats_match()
{
	json_flat_file "$TMP/out" "$TMP/flat" || return 1
	eq "$(json_val "$TMP/flat" .defaults.idle_ms) $(json_val "$TMP/flat" .defaults.mode)" \
	   "3000 \"transient\"" &&
	eq "$(json_val "$TMP/flat" .defaults.ka_interval_ms) $(json_val "$TMP/flat" .defaults.ka_probes)" \
	   "86400000 7" &&
	eq "$(json_val "$TMP/flat" .limits.max_parked) $(json_val "$TMP/flat" .limits.max_parked_mem_mb)" \
	   "100 10" &&
	eq "$(json_val "$TMP/flat" .limits.wake_timeout_ms)" 1500 &&
	eq "$(json_val "$TMP/flat" .limits.max_parked_per_uid)" 50 &&
	eq "$(json_val "$TMP/flat" .limits.peer_timeout_ms)" 60000 &&
	eq "$(json_val "$TMP/flat" .pressure.active_high) $(json_val "$TMP/flat" .pressure.active_low)" \
	   "500 400" &&
	eq "$(json_val "$TMP/flat" .sockets)" 0
}
log_test "tcparkctl -j stats: exit 0" eq "$rc" 0
log_test "tcparkctl -j stats: JSON with the sysctls' values" stats_match

# Refused as a whole: one bad value, nothing changes.
before=$(a_values)
ctl tcparkctl set idle_ms 5000 ka_probes 256
log_test "set idle_ms 5000 ka_probes 256: refused by tcparkctl (64)" eq "$rc" 64
log_test "  nothing changed" eq "$(a_values)" "$before"
# tcparkctl checks the uapi header's ranges, the kernel's (netlink_test
# sends such values itself: ERANGE).
ctl tcparkctl set idle_ms 5000 max_parked 1073741825
log_test "set idle_ms 5000 max_parked 2^30+1: refused by tcparkctl (64)" eq "$rc" 64
log_test "  the range is printed" grep -q 'max_parked: 1073741825 is out of range (0-1073741824)' "$TMP/err"
log_test "  nothing changed" eq "$(a_values)" "$before"
ctl tcparkctl set mode persistent max_parked_mem_mb 1048577
log_test "set mode persistent max_parked_mem_mb 2^20+1: refused (64)" eq "$rc" 64
log_test "  nothing changed" eq "$(a_values)" "$before"
ctl tcparkctl set idle_ms 99
log_test "set idle_ms 99: refused (64)" eq "$rc" 64
log_test "  nothing changed" eq "$(a_values)" "$before"
for bad in 0 99 3600001; do
	ctl tcparkctl set idle_ms 5000 wake_timeout_ms "$bad"
	log_test "set idle_ms 5000 wake_timeout_ms $bad: refused by tcparkctl (64)" eq "$rc" 64
	log_test "  the range is printed" grep -q "wake_timeout_ms: $bad is out of range (100-3600000)" "$TMP/err"
	log_test "  nothing changed" eq "$(a_values)" "$before"
done
ctl tcparkctl set wake_timeout_ms 3600000
log_test "set wake_timeout_ms 3600000: exit 0" eq "$rc" 0
log_test "  the sysctl says 3600000" eq "$(sc_get "$NS_A" wake_timeout_ms)" 3600000
ctl tcparkctl -j stats
log_test "  stats says 3600000" eval \
	'json_flat_file "$TMP/out" "$TMP/flat" && eq "$(json_val "$TMP/flat" .limits.wake_timeout_ms)" 3600000'
ctl tcparkctl set wake_timeout_ms 1500
log_test "set wake_timeout_ms 1500: back as before" eq "$(a_values)" "$before"

ctl $NOBODY tcparkctl set idle_ms 5000
log_test "set as nobody: permission denied (77)" eq "$rc" 77
log_test "  says so" grep -q 'permission denied' "$TMP/err"
log_test "  nothing changed" eq "$(a_values)" "$before"
ctl $NOBODY tcparkctl stats
log_test "stats as nobody: exit 0" eq "$rc" 0

ctl tcparkctl set idle_ms 60000 mode persistent ka_interval_ms 0 ka_probes 5 \
	max_parked 1048576 max_parked_mem_mb 256 wake_timeout_ms 30000 \
	max_parked_per_uid 65536 peer_timeout_ms 7440000 active_high 0 active_low 0
log_test "tcparkctl set back to the defaults" eq "$rc" 0
log_test "A at the defaults again" all_defaults "$NS_A"

exit $RET
