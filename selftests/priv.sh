#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A parked record's sequence numbers and windows are for CAP_NET_ADMIN in
# the netns's user namespace only, as with TCP_REPAIR. With two IPv4 and
# two IPv6 records parked, the attack: nobody, and the root of a user
# namespace that does not own the netns (unshare -U -r), ask the family
# itself (genl_peek: a GET dump, a GET by cookie, joining the events
# group both ways) and through tcparkctl (-j show, show, monitor). They
# must see the records, their tuples, mss and options, but no snd_nxt,
# rcv_nxt, snd_wnd or rcv_wnd, nor the stamps and counts that forged
# segments move (idle age, peer silence, keepalives answered, probes
# out: they would tell which forged segment a record accepted), and be
# refused the events group (EPERM, tcparkctl exit 77); root still sees
# all of it, in replies and events.
# shellcheck disable=SC2086 # $NOBODY and $USERNS are word lists
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
USERNS="unshare -U -r"
PEEK=$DIR/genl_peek
EV_PID=
MON_PID=
cleanup_test()
{
	mass_end
	[ -z "$EV_PID" ] || kill "$EV_PID" 2>/dev/null
	[ -z "$MON_PID" ] || kill "$MON_PID" 2>/dev/null
}

# as WHO CMD...: CMD in the server netns as root, nobody or userns; $rc.
as()
{
	_who=$1
	shift
	case $_who in
	root) _pre= ;;
	nobody) _pre=$NOBODY ;;
	userns) _pre=$USERNS ;;
	esac
	rc=0
	"$IP" netns exec "$NS_SRV" $_pre "$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ ! -s "$TMP/err" ] || head -n 2 "$TMP/err" | sed 's/^/  stderr: /'
}

# Lines of genl_peek output for records (state 2); with the seq fields.
records()	{ grep -c "^msg .* state=2 " "$TMP/out" || true; }
records_fam()	{ grep -c "^msg .* state=2 family=$1 " "$TMP/out" || true; }
with_seq()	{ grep -Ec "^msg .*fields=.*(snd_nxt|rcv_nxt|snd_wnd|rcv_wnd)" "$TMP/out" || true; }
full_seq()	{ grep -c "^msg .*fields=snd_nxt,rcv_nxt,snd_wnd,rcv_wnd,mss" "$TMP/out" || true; }
with_mss()	{ grep -c "^msg .* state=2 .*fields=.*mss" "$TMP/out" || true; }
# Records with any of the stamps and counts; with all four.
with_stamps()	{ grep -Ec "^msg .* state=2 .*fields=.*(idle_age|peer_silent|ka_answered|probes_out)" "$TMP/out" || true; }
all_stamps()	{ grep -c "^msg .* state=2 .*fields=.*idle_age,peer_silent,ka_answered,probes_out" "$TMP/out" || true; }

# In tcparkctl's flattened JSON: keys that must not be there, and mss.
json_seq()	{ grep -Ec '^\[[0-9]+\]\.(snd_nxt|rcv_nxt|snd_wnd|rcv_wnd)=' "$1" || true; }
json_mss()	{ grep -Ec '^\[[0-9]+\]\.mss=' "$1" || true; }
json_stamps()	{ grep -Ec '^\[[0-9]+\]\.(idle_age_ms|peer_silent_ms|ka_answered|probes_out)=' "$1" || true; }

module_load
setup_hosts
mass_start
mass "connect 2 4"
mass "connect 2 6"
mass park
log_test "4 records parked (2 IPv4, 2 IPv6)" wait_stat parked 4

as root "$PEEK" dump
log_test "root: dump has the 4 records, 2 per family" eq \
	"$(records) $(records_fam 2) $(records_fam 10)" "4 2 2"
log_test "root: each with snd_nxt, rcv_nxt, snd_wnd, rcv_wnd" eq "$(full_seq)" 4
log_test "root: each with idle age, peer silence, ka_answered, probes_out" eq "$(all_stamps)" 4
C4=$(grep "^msg .* state=2 family=2 " "$TMP/out" | head -n 1 | sed 's/.*cookie=\([0-9]*\).*/\1/')
C6=$(grep "^msg .* state=2 family=10 " "$TMP/out" | head -n 1 | sed 's/.*cookie=\([0-9]*\).*/\1/')
for c in "$C4" "$C6"; do
	as root "$PEEK" get "$c"
	log_test "root: get cookie $c: the seq fields" eq "$rc $(full_seq)" "0 1"
done
# 0 is the cookie of every socket nobody asked it of: it names nothing
# (ENOENT). As a filter it matched every record, and GET answered with
# one of them.
as root "$PEEK" get 0
log_test "root: get cookie 0: ENOENT, no record" eval \
	'eq "$rc $(records)" "1 0" && grep -q "No such file" "$TMP/err"'
as root tcparkctl -j show state parked
json_flat_file "$TMP/out" "$TMP/flat" || true
log_test "root: tcparkctl -j show: 4 x 4 seq/window keys" eq "$(json_seq "$TMP/flat")" 16
log_test "root: tcparkctl -j show: 4 x 4 stamp/count keys" eq "$(json_stamps "$TMP/flat")" 16
as root "$PEEK" join
log_test "root: joins the events group" eval \
	'grep -Eq "^join add=0 bind=(0|-)$" "$TMP/out"'

for who in nobody userns; do
	as "$who" "$PEEK" dump
	log_test "$who: dump: exit 0, the 4 records, 2 per family" eq \
		"$rc $(records) $(records_fam 2) $(records_fam 10)" "0 4 2 2"
	log_test "$who: dump: no snd_nxt/rcv_nxt/snd_wnd/rcv_wnd" eq "$(with_seq)" 0
	log_test "$who: dump: no idle age/peer silence/ka_answered/probes_out" eq "$(with_stamps)" 0
	log_test "$who: dump: mss and options still there" eq "$(with_mss)" 4
	for c in "$C4" "$C6"; do
		as "$who" "$PEEK" get "$c"
		log_test "$who: get cookie $c: the record, no seq fields or stamps" eq \
			"$rc $(records) $(with_seq) $(with_stamps)" "0 1 0 0"
	done
	as "$who" "$PEEK" join
	log_test "$who: events group refused (EPERM), both ways" eval \
		'grep -Eq "^join add=-1 bind=(-1|-)$" "$TMP/out"'

	as "$who" tcparkctl -j show
	log_test "$who: tcparkctl -j show: exit 0, strict JSON" eval \
		'eq "$rc" 0 && json_flat_file "$TMP/out" "$TMP/flat"'
	log_test "$who: tcparkctl -j show: 4 parked, no seq keys, 4 mss" eq \
		"$(grep -c '^\[[0-9]*\]\.state="parked"$' "$TMP/flat") $(json_seq "$TMP/flat") $(json_mss "$TMP/flat")" \
		"4 0 4"
	as "$who" tcparkctl -j show state parked
	json_flat_file "$TMP/out" "$TMP/flat" || true
	log_test "$who: tcparkctl -j show state parked: no stamp or count keys" eq \
		"$(json_stamps "$TMP/flat")" 0
	as "$who" tcparkctl show state parked
	log_test "$who: tcparkctl show: exit 0, no error, no seq or wnd" eval \
		'eq "$rc" 0 && [ ! -s "$TMP/err" ] && eq "$(grep -c PARKED "$TMP/out")" 4 &&
		 ! grep -Eq "snd_nxt|rcv_nxt|wnd:" "$TMP/out"'
	# A monitor that is let in waits for events: timeout says 124.
	as "$who" timeout 5 tcparkctl monitor
	log_test "$who: tcparkctl monitor: exit 77, permission denied" eval \
		'eq "$rc" 77 && grep -q "permission denied" "$TMP/err"'
done

# Root's events carry everything: two more records, one per family.
"$IP" netns exec "$NS_SRV" "$PEEK" events 2 >"$TMP/ev" 2>&1 &
EV_PID=$!
"$IP" netns exec "$NS_SRV" tcparkctl -j monitor >"$TMP/mon" 2>"$TMP/mon.err" &
MON_PID=$!
log_test "root: genl_peek joined" busywait 5000 grep -q '^joined$' "$TMP/ev"
monitor_joined()
{
	[ "$("$IP" netns exec "$NS_SRV" awk -v p="$MON_PID" \
		'$2 == 16 && $3 == p && $4 != "00000000"' /proc/net/netlink | wc -l)" = 1 ]
}
busywait 5000 monitor_joined || sleep 2
mass "connect 1 4"
mass "connect 1 6"
mass park
log_test "6 records parked" wait_stat parked 6
rc=0
wait "$EV_PID" || rc=$?
EV_PID=
cp "$TMP/ev" "$TMP/out"
log_test "root: 2 parked events, IPv4 and IPv6, with seq fields" eq \
	"$rc $(grep -c '^msg cmd=7 event=1 state=2 ' "$TMP/out") $(records_fam 2) $(records_fam 10) $(full_seq)" \
	"0 2 1 1 2"
busywait 5000 eval '[ "$(wc -l <"$TMP/mon")" -ge 2 ]' || true
kill -INT "$MON_PID"
wait "$MON_PID" || true
MON_PID=
log_test "root: tcparkctl -j monitor: 2 parked events with snd_nxt" eval \
	'json_flat_file "$TMP/mon" "$TMP/monflat" -l &&
	 eq "$(grep -c "^\[[0-9]*\]\.event=\"parked\"$" "$TMP/monflat") $(json_seq "$TMP/monflat")" "2 8"'

mass rst
log_test "records gone after the clients' RSTs" wait_stat parked 0
mass_end
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
