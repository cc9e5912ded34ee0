#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The README's example, examples/device_server.c, as published, run as the
# server of lib.sh's topology against a device (device.c), once over IPv4
# and once over IPv6 (the example listens on [::]):
#
#   device                           device_server (transient mode)
#   connect, "hello ..."      --->   accept (new), reply, close(): parked
#        (the device waits until tcparkctl shows the record)
#   "temperature ..."         --->   accept (reactivated), reply, parked
#                             <---   connect() to the device: remapped,
#                                    "set interval 300", close(): parked
#
# The device must read both replies and the push byte-exact on the socket
# it connected first and still be ESTABLISHED; the server must see one
# cookie throughout; stats must count one reactivation and one remap;
# `tcparkctl monitor` (JSON and text) must show parked, reactivated,
# parked, remapped, parked and, when the device leaves with an RST,
# expired, with that cookie and the connection's ports.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

CTL=$(command -v tcparkctl || true)
if [ -z "$CTL" ]; then
	echo "SKIP: no tcparkctl"
	exit $ksft_skip
fi
cleanup_test()
{
	exec 5>&- 2>/dev/null
}

module_load
setup_hosts

# stat PATH: a value of `tcparkctl -j stats` in the server netns
# (.parked, .counters.reactivated...).
stat()
{
	"$CTL" -n "$NS_SRV" -j stats >"$TMP/stats" &&
		json_flat_file "$TMP/stats" "$TMP/stats.flat" &&
		json_val "$TMP/stats.flat" "$1"
}

parked_is()
{
	[ "$(stat .parked)" = "$1" ]
}

# wait_parked N: until N records are parked, 10 s by the clock (each look
# runs tcparkctl, which busywait's sleep-time budget does not count).
wait_parked()
{
	_wp_end=$(($(date +%s) + 10))
	until parked_is "$1"; do
		[ "$(date +%s)" -lt "$_wp_end" ] || { echo "  parked: $(stat .parked)"; return 1; }
		sleep 0.1
	done
}

# Both monitors have joined the events group (generic netlink is 16).
subscribed()
{
	[ "$("$IP" netns exec "$NS_SRV" awk -v a="$MON" -v b="$MONT" \
		'$2 == 16 && ($3 == a || $3 == b) && $4 != "00000000"' \
		/proc/net/netlink | wc -l)" = 2 ]
}

# events FLAT COOKIE: the event names of COOKIE in order, one line.
events()
{
	awk -v c="$2" -F= '
		$1 ~ /^\[[0-9]+\]\.event$/ { ev[substr($1, 2, index($1, "]") - 2)] = $2 }
		$1 ~ /^\[[0-9]+\]\.cookie$/ && $2 == c { mine[substr($1, 2, index($1, "]") - 2)] = 1 }
		END { for (i = 0; i in ev; i++) if (i in mine) printf "%s ", ev[i] }' "$1" |
		tr -d '"' | sed 's/ $//'
}

# check_event FLAT EVENT KEY=VALUE...: the first EVENT line has these values.
check_event()
{
	_ce_i=$(json_index "$1" event "\"$2\"")
	[ -n "$_ce_i" ] || { echo "  no $2 event"; return 1; }
	_ce_flat=$1
	shift 2
	for kv in "$@"; do
		eq "$(json_val "$_ce_flat" "[$_ce_i].${kv%%=*}")" "${kv#*=}" || return 1
	done
}

# reap PID: its exit status in $REAPED once it ends, killed after 10 s.
reap()
{
	busywait 10000 eval '! kill -0 "$1" 2>/dev/null' || kill "$1" 2>/dev/null || true
	REAPED=0
	wait "$1" || REAPED=$?
}

# round FAMILY SERVER_IP DEVICE_IP PORT
round()
{
	fam=$1 srv_ip=$2 dev_ip=$3 port=$4
	echo "# $fam: device $dev_ip -> device_server on port $port"
	react0=$(stat .counters.reactivated)
	remap0=$(stat .counters.remapped)

	"$IP" netns exec "$NS_SRV" "$CTL" -j monitor >"$TMP/mon" 2>"$TMP/mon.err" &
	MON=$!
	"$IP" netns exec "$NS_SRV" "$CTL" monitor >"$TMP/mont" 2>&1 &
	MONT=$!
	BG_PIDS="$BG_PIDS $MON $MONT"
	busywait 5000 subscribed || echo "  (monitors not seen subscribed; going on)"

	timeout 60 "$IP" netns exec "$NS_SRV" "$DIR/device_server" "$port" \
		>"$TMP/srv" 2>"$TMP/srv.err" &
	SRV=$!
	BG_PIDS="$BG_PIDS $SRV"
	log_test "$fam: device_server listening" busywait 5000 grep -q "^listening" "$TMP/srv"

	rm -f "$TMP/go"
	mkfifo "$TMP/go"
	timeout 60 "$IP" netns exec "$NS_CLI" "$DIR/device" "$srv_ip" "$port" \
		"hello from device 7" "temperature 21.5" <"$TMP/go" >"$TMP/dev" 2>&1 &
	DEV=$!
	BG_PIDS="$BG_PIDS $DEV"
	exec 5<>"$TMP/go"	# read-write: never SIGPIPE if the device is gone

	echo go >&5	# the first message, on a new connection
	log_test "$fam: the device got its reply" \
		busywait 10000 grep -q "^reply: ack hello" "$TMP/dev"
	log_test "$fam: the server parked it on close()" wait_parked 1
	sleep 1
	echo go >&5	# the second one, to the parked connection
	log_test "$fam: the device got the push" busywait 20000 grep -q "^push:" "$TMP/dev"
	reap "$SRV"
	log_test "$fam: device_server exit 0" eq "$REAPED" 0
	[ ! -s "$TMP/srv.err" ] || sed 's/^/  server stderr: /' "$TMP/srv.err"
	log_test "$fam: parked again after the push" wait_parked 1
	exec 5>&-	# the device checks its socket and leaves with an RST
	reap "$DEV"
	log_test "$fam: device exit 0" eq "$REAPED" 0

	dport=$(sed -n 's/^port //p' "$TMP/dev")
	printf '%s\n' "port $dport" "reply: ack hello from device 7" \
		"reply: ack temperature 21.5" "push: set interval 300" open >"$TMP/dev.want"
	log_test "$fam: device read replies and push byte-exact, still open" \
		cmp "$TMP/dev.want" "$TMP/dev"
	sed 's/^/  device: /' "$TMP/dev"

	cookie=$(sed -n '2s/.*, cookie \([0-9]*\):.*/\1/p' "$TMP/srv")
	srv_dev=$dev_ip
	[ "$fam" = ipv6 ] || srv_dev="::ffff:$dev_ip"
	printf '%s\n' "listening on port $port" \
		"accepted $srv_dev new, cookie $cookie: hello from device 7" \
		"accepted $srv_dev reactivated, cookie $cookie: temperature 21.5" \
		"push to $srv_dev remapped, cookie $cookie: set interval 300" >"$TMP/srv.want"
	log_test "$fam: server: new, reactivated, remapped, one cookie" \
		cmp "$TMP/srv.want" "$TMP/srv"
	sed 's/^/  server: /' "$TMP/srv"

	log_test "$fam: stats: reactivated +1" eq "$(stat .counters.reactivated)" $((react0 + 1))
	log_test "$fam: stats: remapped +1" eq "$(stat .counters.remapped)" $((remap0 + 1))

	log_test "$fam: record gone after the device's RST" wait_parked 0
	busywait 5000 grep -q '"expired"' "$TMP/mon" || true
	sleep 0.2
	kill -INT "$MON" "$MONT" 2>/dev/null || true
	wait "$MON" "$MONT" 2>/dev/null || true
	log_test "$fam: monitor -j: JSON lines" json_flat_file "$TMP/mon" "$TMP/mon.flat" -l
	log_test "$fam: monitor -j: the connection's events in order" eq \
		"$(events "$TMP/mon.flat" "$cookie")" \
		"parked reactivated parked remapped parked expired"
	log_test "$fam: monitor -j: reactivated, cookie and ports" check_event \
		"$TMP/mon.flat" reactivated cookie="$cookie" local_port="$port" \
		remote_port="$dport" "remote_addr=\"$dev_ip\""
	log_test "$fam: monitor -j: remapped, cookie, ports and flag" check_event \
		"$TMP/mon.flat" remapped cookie="$cookie" local_port="$port" \
		remote_port="$dport" "remote_addr=\"$dev_ip\"" \
		'flags[0]="remapped"' 'tcp_state="established"'
	log_test "$fam: monitor: reactivated and remapped lines with the cookie" eval \
		'grep -q "^reactivated .*:$port .*:$dport .*cookie:$cookie" "$TMP/mont" &&
		 grep -q "^remapped .*:$port .*:$dport .*cookie:$cookie .*remapped" "$TMP/mont"'
	sed 's/^/  monitor: /' "$TMP/mont"
}

round ipv4 "$SRV_IP4" "$CLI_IP4" 8883
round ipv6 "$SRV_IP6" "$CLI_IP6" 8884

exit $RET
