#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcparkctl against the real module: with a few ULP sockets held by
# info_hold (which prints what getsockopt(TCPARK_INFO) says of each),
# `tcparkctl -j show` must be strict JSON carrying the same cookies, ports,
# addresses, modes and settings; the table lists them; filters select the
# right ones; `kill cookie N` resets that connection only and `monitor`
# reports it; errors exit as tcparkctl(8) documents (1 no such cookie,
# 64 bad usage, 77 not permitted, 2 module not loaded and not loadable).
# shellcheck disable=SC2086 # $NOBODY (and $ALL) are word lists
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
CTL=$(command -v tcparkctl || true)
if [ -z "$CTL" ]; then
	echo "SKIP: no tcparkctl"
	exit $ksft_skip
fi

MODPROBE_SYSCTL=/proc/sys/kernel/modprobe
saved_modprobe=$(cat "$MODPROBE_SYSCTL")

cleanup_test()
{
	exec 3>&- 2>/dev/null
	echo "$saved_modprobe" >"$MODPROBE_SYSCTL"
}

# ctl ARGS...: tcparkctl in the server netns; $rc, $TMP/out, $TMP/err.
ctl()
{
	rc=0
	"$IP" netns exec "$NS_SRV" "$CTL" "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ ! -s "$TMP/err" ] || head -n 2 "$TMP/err" | sed 's/^/  stderr: /'
}

# hold_val NAME KEY: KEY=VALUE from info_hold's line for socket NAME.
hold_val()
{
	grep "^sock $1 " "$TMP/hold" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

hold_said()	# PATTERN: info_hold printed a line matching it
{
	grep -q "$1" "$TMP/hold"
}

# cookies_are FLAT NAME...: the JSON array holds exactly these sockets.
cookies_are()
{
	_want=$(for n in "$@"; do hold_val "$n" cookie; done | sort | tr '\n' ' ')
	_got=$(sed -n 's/^\[[0-9]*\]\.cookie=//p' "$1" | sort | tr '\n' ' ')
	eq "$_got" "$_want"
}

# same_as_info FLAT NAME: the JSON object for NAME says what getsockopt said.
same_as_info()
{
	_c=$(hold_val "$2" cookie)
	_i=$(json_index "$1" cookie "$_c")
	[ -n "$_i" ] || { echo "  cookie $_c ($2) not in the output"; return 1; }
	_ok=0
	for k in state family tcp_state mode; do
		eq "$(json_val "$1" "[$_i].$k")" "\"$(hold_val "$2" "$k")\"" || { echo "  ($2 $k)"; _ok=1; }
	done
	for pair in local_addr=laddr remote_addr=raddr; do
		eq "$(json_val "$1" "[$_i].${pair%%=*}")" "\"$(hold_val "$2" "${pair#*=}")\"" ||
			{ echo "  ($2 ${pair%%=*})"; _ok=1; }
	done
	for pair in local_port=lport remote_port=rport idle_ms=idle_ms \
		    ka_interval_ms=ka_interval_ms ka_probes=ka_probes; do
		eq "$(json_val "$1" "[$_i].${pair%%=*}")" "$(hold_val "$2" "${pair#*=}")" ||
			{ echo "  ($2 ${pair%%=*})"; _ok=1; }
	done
	eq "$(json_val "$1" "[$_i].uid")" 0 || _ok=1
	_pinned=0
	! grep -q "^\[$_i\]\.flags\[[0-9]*\]=\"pinned\"$" "$1" || _pinned=1
	eq "$_pinned" "$(hold_val "$2" pinned)" || { echo "  ($2 pinned)"; _ok=1; }
	for k in idle_age_ms parks wakes ka_answered ka_sent; do
		[ -n "$(json_val "$1" "[$_i].$k")" ] || { echo "  ($2: no $k)"; _ok=1; }
	done
	return "$_ok"
}

# show_json ARGS...: tcparkctl -j show ARGS into $TMP/flat; must be JSON.
show_json()
{
	ctl -j show "$@"
	json_flat_file "$TMP/out" "$TMP/flat"
}

module_load
setup_hosts

mkfifo "$TMP/cmd"
"$DIR/info_hold" -s "$SRV_NETNS" -c "$CLI_NETNS" <"$TMP/cmd" >"$TMP/hold" 2>&1 &
BG_PIDS="$BG_PIDS $!"
HOLD=$!
exec 3>"$TMP/cmd"
log_test "info_hold ready" busywait 10000 hold_said '^ready 5$'
if ! hold_said '^ready'; then
	cat "$TMP/hold"
	exit 1
fi
sed 's/^/  /' "$TMP/hold"
ALL="l4 a b l6 c"

# ---- JSON ----
show_json || true
log_test "-j show: exit 0" eq "$rc" 0
log_test "-j show: strict JSON, one array of 5" eval \
	'[ -s "$TMP/flat" ] && eq "$(sed -n "s/^\[\([0-9]*\)\]\.cookie=.*/\1/p" "$TMP/flat" | wc -l)" 5'
log_test "-j show: the cookies of the 5 sockets" cookies_are "$TMP/flat" $ALL
for n in $ALL; do
	log_test "-j show: $n as getsockopt(TCPARK_INFO) says" same_as_info "$TMP/flat" "$n"
done
ctl -p show
log_test "-p show: strict JSON too" json_flat_file "$TMP/out" "$TMP/flat"
log_test "-p show: the same sockets" cookies_are "$TMP/flat" $ALL
ctl -j stats
log_test "-j stats: strict JSON with sockets 5" eval \
	'json_flat_file "$TMP/out" "$TMP/flat" && eq "$(json_val "$TMP/flat" .sockets)" 5'
# Nothing was reactivated, remapped or held in this new netns yet.
stats_wake()
{
	_ok=0
	for k in counters.reactivated counters.remapped wake.no_listener \
		 wake.backlog wake.expired; do
		eq "$(json_val "$TMP/flat" ".$k")" 0 || { echo "  ($k)"; _ok=1; }
	done
	eq "$(json_val "$TMP/flat" .limits.wake_timeout_ms)" 30000 || _ok=1
	return "$_ok"
}
log_test "-j stats: wake counters 0, wake_timeout_ms 30000" stats_wake
ctl stats
log_test "stats: the wake line" grep -q '^wake: no_listener 0 backlog 0 expired 0$' "$TMP/out"
log_test "stats: wake_timeout_ms among the limits (max_parked_per_uid may follow)" grep -Eq '^limits: .* wake_timeout_ms 30000( |$)' "$TMP/out"

# ---- the table ----
ctl show
log_test "show: exit 0" eq "$rc" 0
log_test "show: a header" eval 'head -n 1 "$TMP/out" | grep -q "^State  *Mode  *Local:Port  *Peer:Port  *Idle  *Age  *Cookie"'
log_test "show: one line per socket" eq "$(wc -l <"$TMP/out")" 6
table_line()	# NAME: the line for NAME shows its cookie, state, mode and ports
{
	_l=$(grep -E "(^| )$(hold_val "$1" cookie)( |$)" "$TMP/out") || { echo "  no line for $1"; return 1; }
	case $(hold_val "$1" tcp_state) in
	listen) _st=ACTIVE/LISTEN ;;
	*) _st=ACTIVE/ESTAB ;;
	esac
	echo "$_l" | grep -q "^$_st  *$(hold_val "$1" mode) .*:$(hold_val "$1" lport) .*:$(hold_val "$1" rport) " ||
		echo "$_l" | grep -q "^$_st  *$(hold_val "$1" mode) .*:$(hold_val "$1" lport) .*:\* " ||
		{ echo "  line for $1: $_l"; return 1; }
}
for n in $ALL; do
	log_test "show: the line of $n" table_line "$n"
done
log_test "show: a's line says pinned" eval \
	'grep -E " $(hold_val a cookie)( |$)" "$TMP/out" | grep -q pinned'
ctl -H show
log_test "-H show: no header, 5 lines" eq "$(wc -l <"$TMP/out")" 5

# ---- filters ----
P4=$(hold_val l4 lport)
show_json sport = ":$P4" || true
log_test "show sport = :$P4: l4, a, b" cookies_are "$TMP/flat" l4 a b
show_json "sport = :$P4" || true
log_test "show 'sport = :$P4' (one word): l4, a, b" cookies_are "$TMP/flat" l4 a b
show_json dport = ":$(hold_val a rport)" || true
log_test "show dport = :<a's peer port>: a" cookies_are "$TMP/flat" a
show_json -6 || true
log_test "-6 show: l6, c" cookies_are "$TMP/flat" l6 c
show_json -4 sport = ":$P4" and mode persistent || true
log_test "-4 show sport = :$P4 and mode persistent: l4, b" cookies_are "$TMP/flat" l4 b
show_json src 198.18.0.0/24 || true
log_test "show src 198.18.0.0/24: l4, a, b" cookies_are "$TMP/flat" l4 a b
show_json dst "[$CLI_IP6]" || true
log_test "show dst [$CLI_IP6]: c" cookies_are "$TMP/flat" c
show_json mode transient || true
log_test "show mode transient: a" cookies_are "$TMP/flat" a
show_json cookie "$(hold_val b cookie)" || true
log_test "show cookie <b>: b" cookies_are "$TMP/flat" b
show_json state parked || true
log_test "show state parked: exit 1, an empty array" eval \
	'eq "$rc" 1 && eq "$(cat "$TMP/flat")" "=[]"'
ctl show sport = :1
log_test "show sport = :1: exit 1, says nothing matched" eval \
	'eq "$rc" 1 && grep -q "no connection matched" "$TMP/err"'

# ---- kill, monitor ----
"$IP" netns exec "$NS_SRV" "$CTL" -j monitor >"$TMP/mon" 2>"$TMP/mon.err" &
MON=$!
BG_PIDS="$BG_PIDS $MON"
"$IP" netns exec "$NS_SRV" "$CTL" monitor >"$TMP/mont" 2>&1 &
MONT=$!
BG_PIDS="$BG_PIDS $MONT"
# Subscribed once their netlink sockets have joined a group.
subscribed()
{
	[ "$("$IP" netns exec "$NS_SRV" awk -v a="$MON" -v b="$MONT" \
		'$2 == 16 && ($3 == a || $3 == b) && $4 != "00000000"' /proc/net/netlink | wc -l)" = 2 ]
}
busywait 5000 subscribed || sleep 2

A=$(hold_val a cookie)
ctl kill cookie "$A"
log_test "kill cookie <a>: exit 0" eq "$rc" 0
log_test "kill cookie <a>: matched 1, done 1" eq "$(cat "$TMP/out")" "matched 1, done 1"
echo "check a" >&3
echo "ping b" >&3
log_test "a: the app reads ECONNABORTED, the peer ECONNRESET" \
	busywait 10000 hold_said '^check a app=ECONNABORTED peer=ECONNRESET$'
log_test "b still carries data" busywait 10000 hold_said '^ping b ok$'
grep '^check\|^ping' "$TMP/hold" | sed 's/^/  /'
log_test "monitor -j: a line" busywait 5000 test -s "$TMP/mon"
sleep 0.2
log_test "monitor -j: JSON lines" json_flat_file "$TMP/mon" "$TMP/monflat" -l
log_test "monitor -j: one event, killed, for a" eval \
	'eq "$(json_val "$TMP/monflat" "[0].event") $(json_val "$TMP/monflat" "[0].cookie")" "\"killed\" $A" &&
	 eq "$(json_val "$TMP/monflat" "[1].event")" ""'
log_test "monitor -j: a's ports and mode" eval \
	'eq "$(json_val "$TMP/monflat" "[0].local_port") $(json_val "$TMP/monflat" "[0].remote_port") $(json_val "$TMP/monflat" "[0].mode")" \
	    "$P4 $(hold_val a rport) \"transient\""'
log_test "monitor: a killed line with a's cookie" eval \
	'grep -q "^killed .*cookie:$A" "$TMP/mont"'
kill -INT "$MON" "$MONT"
rc=0; wait "$MON" || rc=$?
log_test "monitor -j: exit 0 on SIGINT" eq "$rc" 0
rc=0; wait "$MONT" || rc=$?
log_test "monitor: exit 0 on SIGINT" eq "$rc" 0

ctl -j show
json_flat_file "$TMP/out" "$TMP/flat" || true
log_test "after the kill a shows tcp_state close" eq \
	"$(json_val "$TMP/flat" "[$(json_index "$TMP/flat" cookie "$A")].tcp_state")" '"close"'

# ---- errors ----
ctl kill cookie 987654321987
log_test "kill an unknown cookie: exit 1, no such connection" eval \
	'eq "$rc" 1 && grep -q "no such connection" "$TMP/err"'
ctl show cookie 987654321987
log_test "show an unknown cookie: exit 1" eq "$rc" 1
ctl kill
log_test "kill without a filter: exit 64" eq "$rc" 64
ctl frobnicate
log_test "unknown command: exit 64" eq "$rc" 64

B=$(hold_val b cookie)
for cmd in "kill cookie $B" "park cookie $B" "wake cookie $B" "kill sport = :$P4" "set idle_ms 5000" \
	   "set wake_timeout_ms 5000"; do
	rc=0
	"$IP" netns exec "$NS_SRV" $NOBODY "$CTL" $cmd >"$TMP/out" 2>"$TMP/err" || rc=$?
	log_test "as nobody: $cmd: exit 77, permission denied" eval \
		'eq "$rc" 77 && grep -q "permission denied" "$TMP/err"'
done
echo "ping b" >&3
log_test "b survived nobody's kill" busywait 10000 eval '[ "$(grep -c "^ping b ok$" "$TMP/hold")" = 2 ]'
rc=0
"$IP" netns exec "$NS_SRV" $NOBODY "$CTL" -j show >"$TMP/out" 2>"$TMP/err" || rc=$?
log_test "as nobody: -j show works and sees the 5" eval \
	'eq "$rc" 0 && json_flat_file "$TMP/out" "$TMP/flat" && cookies_are "$TMP/flat" $ALL'

# Module gone. The module carries MODULE_ALIAS_GENL_FAMILY("tcpark"): asking
# for the family loads it. Only when it cannot be loaded is the exit 2.
echo exit >&3
exec 3>&-
wait "$HOLD" || true
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark
ctl show
log_test "no module: show autoloads it (exit 0)" eval 'eq "$rc" 0 && module_loaded'
log_test "rmmod tcpark again" rmmod tcpark
echo >"$MODPROBE_SYSCTL"
ctl show
log_test "no module, no autoload: exit 2, says so" eval \
	'eq "$rc" 2 && grep -q "module not loaded" "$TMP/err"'
ctl -j stats
log_test "no module, no autoload: stats exits 2 too" eq "$rc" 2
log_test "still not loaded" eval '! module_loaded'
echo "$saved_modprobe" >"$MODPROBE_SYSCTL"

exit $RET
