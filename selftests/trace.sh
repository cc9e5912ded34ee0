#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tcpark tracepoints (kmod/trace.h) through tracefs, each checked
# against what the table and the wire did:
#  1. 2 IPv4 and 2 IPv6 connections park: four tcpark_park lines whose
#     cookies, addresses, ports and snd_nxt/rcv_nxt are the records'
#     (tcparkctl show); one netns cookie on every line.
#  2. The module's probes (keepalive_interval_ms 1000): tcpark_probe_sent
#     with probes_out=1 for each record; the clients' TCP keepalives:
#     tcpark_keepalive_answered for each.
#  3. A forged SYN on a parked tuple: tcpark_challenge_ack for that record.
#  4. A push to one device (connect(): tcpark_remap) and the other three
#     report (accept(): tcpark_reactivate), with the records' cookies.
#  5. max_parked 2 and the four park again: two tcpark_park, two
#     tcpark_park_refused reason=limit; the devices reset the two records:
#     tcpark_record_end event=expired reason=peer_reset.
# Skips on a kernel without ftrace (the debug kernel).
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

TR=/sys/kernel/tracing
cleanup_test()
{
	mass_end
	[ ! -d "$TR/events/tcpark" ] || echo 0 >"$TR/events/tcpark/enable"
	[ ! -f "$TR/trace" ] || echo >"$TR/trace"
}

module_load
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null || true
if [ ! -d "$TR/events/tcpark" ]; then
	echo "SKIP: no tcpark events in tracefs (a kernel without ftrace)"
	exit "$ksft_skip"
fi
setup_hosts

# lines EVENT: the trace's lines of tcpark_EVENT, fields only.
lines()
{
	sed -n "s/.* tcpark_$1: //p" "$TR/trace"
}

# count EVENT [PATTERN]
count()
{
	lines "$1" | grep -c -- "${2:-.}" || true
}

# field NAME: that field's values, one per line, from standard input.
field()
{
	grep -oE "(^| )$1=[^ ]*" | sed "s/^ *$1=//"
}

# The parked records as "cookie laddr raddr snd_nxt rcv_nxt", sorted;
# trace lines print IPv6 addresses as [addr]:port.
records()
{
	tcparkctl -n "$NS_SRV" -j show state parked >"$TMP/show.json" &&
		json_flat_file "$TMP/show.json" "$TMP/show.flat" || return 1
	awk -F= '/^\[[0-9]+\]\./ {
			i = substr($1, 2, index($1, "]") - 2)
			k = substr($1, index($1, "]") + 2)
			v = substr($0, length($1) + 2); gsub(/"/, "", v)
			f[i, k] = v; n = i + 1 > n ? i + 1 : n
		}
		END {
			for (i = 0; i < n; i++) {
				la = f[i, "local_addr"]; ra = f[i, "remote_addr"]
				if (la ~ /:/) { la = "[" la "]"; ra = "[" ra "]" }
				print f[i, "cookie"], la ":" f[i, "local_port"], \
					ra ":" f[i, "remote_port"], f[i, "snd_nxt"], f[i, "rcv_nxt"]
			}
		}' "$TMP/show.flat" | sort
}

traced()
{
	lines "$1" | awk '{
		for (i = 1; i <= NF; i++) { split($i, p, "="); f[p[1]] = substr($i, length(p[1]) + 2) }
		print f["cookie"], f["laddr"], f["raddr"], f["snd_nxt"], f["rcv_nxt"]
	}' | sort
}

echo >"$TR/trace"
echo 1 >"$TR/events/tcpark/enable"
srv_sysctl keepalive_interval_ms 1000
srv_sysctl keepalive_probes 3

echo "# 1. park"
mass_start
mass "connect 2 4"
mass "connect 2 6"
mass park
log_test "4 parked" wait_stat parked 4
records >"$TMP/recs"
traced park >"$TMP/parks"
echo "# records:"; sed 's/^/#   /' "$TMP/recs"
echo "# tcpark_park:"; sed 's/^/#   /' "$TMP/parks"
log_test "4 tcpark_park lines" eq "$(wc -l <"$TMP/parks")" 4
log_test "their cookies, addresses, ports, snd_nxt, rcv_nxt are the records'" \
	cmp -s "$TMP/recs" "$TMP/parks"
log_test "2 IPv4 (198.18.0.1), 2 IPv6 ([fd00:7c::1])" eq \
	"$(count park "laddr=$SRV_IP4:") $(count park "laddr=\[$SRV_IP6\]:")" "2 2"
log_test "one netns cookie, not 0" eq \
	"$(lines park | field netns | sort -u | grep -vc '^0$')" 1

echo "# 2. probes sent, keepalives answered"
log_test "tcpark_probe_sent probes_out=1 for each" busywait 5000 \
	eval '[ "$(lines probe_sent | grep " probes_out=1$" | field cookie | sort -u | wc -l)" = 4 ]'
mass "keepalive 1"
log_test "tcpark_keepalive_answered for each" busywait 8000 \
	eval '[ "$(lines keepalive_answered | field cookie | sort -u | wc -l)" = 4 ]'
log_test "... with the records' cookies" eq \
	"$(lines keepalive_answered | field cookie | sort -u | tr '\n' ' ')" \
	"$(cut -d' ' -f1 "$TMP/recs" | sort -u | tr '\n' ' ')"

echo "# 3. a challenge ACK"
rec=$(grep "198.18.0.1:" "$TMP/recs" | head -n 1)
cookie=${rec%% *}
lport=$(echo "$rec" | cut -d' ' -f2 | sed 's/.*://')
rport=$(echo "$rec" | cut -d' ' -f3 | sed 's/.*://')
run "$DIR/forge" -n "$NS_CLI" -s "$CLI_IP4" -S "$rport" -d "$SRV_IP4" \
	-D "$lport" -f S -q rcv_nxt -R "$NS_SRV"
log_test "tcpark_challenge_ack for that record" busywait 3000 \
	eval '[ "$(lines challenge_ack | field cookie)" = "$cookie" ]'

echo "# 4. remap and reactivate"
log_test "a push to one device" mass "push 0 1 5000"
log_test "the other three report" mass "report 5000"
log_test "one tcpark_remap" eq "$(count remap)" 1
log_test "three tcpark_reactivate" eq "$(count reactivate)" 3
log_test "their cookies are the four records'" eq \
	"$( (lines remap; lines reactivate) | field cookie | sort -u | tr '\n' ' ')" \
	"$(cut -d' ' -f1 "$TMP/recs" | sort -u | tr '\n' ' ')"

echo "# 5. refusals and ends"
srv_sysctl max_parked 2
echo >"$TR/trace"
mass park
log_test "2 parked" wait_stat parked 2
log_test "2 tcpark_park" eq "$(count park)" 2
log_test "2 tcpark_park_refused reason=limit" eq "$(count park_refused " reason=limit$")" 2
mass rst
log_test "no record left" wait_stat parked 0
log_test "2 tcpark_record_end event=expired reason=peer_reset" \
	eq "$(count record_end " event=expired reason=peer_reset$")" 2
log_test "... the records that parked" eq \
	"$(lines record_end | field cookie | sort | tr '\n' ' ')" \
	"$(lines park | field cookie | sort | tr '\n' ' ')"
srv_sysctl max_parked 1048576
mass_end

exit "$RET"
