#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcpark's LOCAL_IN hooks exist only in a netns that uses tcpark. kprobes
# count the calls of tcpark_hook_v4/v6 while TCP segments cross lo in one
# netns at a time (a connect() to a closed port: SYN, RST):
#  1. no tcpark socket anywhere: no call in either netns;
#  2. listeners with the ULP in the server netns: calls there, none in the
#     client netns; the listeners closed: none again;
#  3. two records (IPv4, IPv6) and no socket left: the records keep the
#     hooks, and a SYN to the IPv4 record's port is looked up in the table
#     (tcpark_record_lookup, another kprobe); that record killed, its
#     port's bit goes: no lookup for the next SYN; the IPv6 record reset
#     by its peer: no hook calls again.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

TR=/sys/kernel/tracing
[ -w "$TR/kprobe_events" ] || TR=/sys/kernel/debug/tracing
TRACING_ON=

cleanup_test()
{
	mass_end
	[ -d "$TR/events/tcpark_hh" ] || return 0
	echo 0 >"$TR/events/tcpark_hh/enable"
	echo "-:tcpark_hh/tcpark_hook4" >>"$TR/kprobe_events"
	echo "-:tcpark_hh/tcpark_hook6" >>"$TR/kprobe_events"
	echo "-:tcpark_hh/tcpark_lookup" >>"$TR/kprobe_events"
	[ -z "$TRACING_ON" ] || echo "$TRACING_ON" >"$TR/tracing_on"
}

module_load
setup_hosts

if ! echo "p:tcpark_hh/tcpark_hook4 tcpark:tcpark_hook_v4" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/tcpark_hook6 tcpark:tcpark_hook_v6" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/tcpark_lookup tcpark:tcpark_record_lookup" >>"$TR/kprobe_events"; then
	echo "SKIP: no kprobe events"
	exit $ksft_skip
fi
# Count hits without filling the trace buffer.
TRACING_ON=$(cat "$TR/tracing_on")
echo 0 >"$TR/tracing_on"
echo 1 >"$TR/events/tcpark_hh/enable"

hits()
{
	awk '$1 == "tcpark_hook4" || $1 == "tcpark_hook6" { n += $2 }
	     END { print n + 0 }' "$TR/kprobe_profile"
}

# poke NETNS: TCP over lo in NETNS only, IPv4 and IPv6; prints the calls.
poke()
{
	_p0=$(hits)
	"$IP" netns exec "$1" bash -c \
		'for a in 127.0.0.1 ::1; do (echo >/dev/tcp/$a/9) 2>/dev/null; done' || true
	echo $(($(hits) - _p0))
}

lookups()
{
	awk '$1 == "tcpark_lookup" { print $2 }' "$TR/kprobe_profile"
}

# syn_lookups NETNS PORT: a SYN to 127.0.0.1:PORT; prints the lookups.
syn_lookups()
{
	_s0=$(lookups)
	"$IP" netns exec "$1" bash -c "(echo >/dev/tcp/127.0.0.1/$2) 2>/dev/null" || true
	echo $(($(lookups) - _s0))
}

hooked()
{
	[ "$(poke "$1")" -gt 0 ]
}

unhooked()
{
	[ "$(poke "$1")" = 0 ]
}

# Going takes the module's linger (1 s): 10 s at most, by the clock (a
# poke is slow under TCG).
wait_unhooked()
{
	_wu_end=$(($(date +%s) + 10))
	while ! unhooked "$1"; do
		if [ "$(date +%s)" -ge "$_wu_end" ]; then
			echo "  $1 still calls the hook"
			return 1
		fi
		sleep 0.5
	done
}

echo "# 1. no tcpark socket"
log_test "no tcpark socket: no hook call in the server netns" eq "$(poke "$NS_SRV")" 0
log_test "no tcpark socket: no hook call in the client netns" eq "$(poke "$NS_CLI")" 0

echo "# 2. listeners with the ULP in the server netns"
mass_start
log_test "ULP listeners: hook called in the server netns" hooked "$NS_SRV"
log_test "ULP listeners: no hook call in the client netns" eq "$(poke "$NS_CLI")" 0
mass close-listeners
log_test "listeners closed: the hook goes" wait_unhooked "$NS_SRV"
mass_end

echo "# 3. records, no socket"
mass_start
port4=$(echo "$MASS_REPLY" | awk '{ print $4 }')
mass "connect 1 4"
mass "connect 1 6"
mass park
mass close-listeners
log_test "parked 2" wait_stat parked 2
sleep 2
log_test "records alone keep the hook" hooked "$NS_SRV"
log_test "records: no hook call in the client netns" eq "$(poke "$NS_CLI")" 0
log_test "SYN to the IPv4 record's port: looked up" \
	[ "$(syn_lookups "$NS_SRV" "$port4")" -gt 0 ]
run tcparkctl -n "$NS_SRV" -4 kill state parked
log_test "IPv4 record killed" wait_stat parked 1
log_test "its port's last record gone: no lookup" \
	eq "$(syn_lookups "$NS_SRV" "$port4")" 0
mass rst
log_test "IPv6 record reset by its peer" wait_stat parked 0
log_test "last record gone: the hook goes" wait_unhooked "$NS_SRV"
mass_end
exit $RET
