#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tcpark's LOCAL_IN hooks exist only in a netns that uses tcpark. kprobes
# record the calls of tcpark_hook_v4/v6 with the netns they ran for
# (nf_hook_state->net) while TCP segments cross lo in one netns at a time
# (a connect() to a closed port: SYN, RST). A call counts for a netns only
# if its net pointer is that netns's, learnt at the start from
# __inet{,6}_lookup_established(net, ...) while the netns pokes itself; so
# traffic of another netns in the same moment (IPv6 ND/MLD on the veth, a
# late segment of a peer) never counts:
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

PROBES="tcpark_hook4 tcpark_hook6 tcpark_lookup est4 est6"

cleanup_test()
{
	mass_end
	[ -d "$TR/events/tcpark_hh" ] || return 0
	echo 0 >"$TR/events/tcpark_hh/enable"
	for _p in $PROBES; do
		echo "-:tcpark_hh/$_p" >>"$TR/kprobe_events"
	done
	[ -z "$TRACING_ON" ] || echo "$TRACING_ON" >"$TR/tracing_on"
}

module_load
setup_hosts

# x86-64 and the kernels' struct nf_hook_state: net at offset 32 (u8 hook,
# u8 pf, in, out, sk, net), the same in 6.1 and 6.12.
[ "$(uname -m)" = x86_64 ] || { echo "SKIP: offsets for x86_64 only"; exit $ksft_skip; }
if ! echo "p:tcpark_hh/tcpark_hook4 tcpark:tcpark_hook_v4 net=+32(\$arg3):x64" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/tcpark_hook6 tcpark:tcpark_hook_v6 net=+32(\$arg3):x64" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/tcpark_lookup tcpark:tcpark_record_lookup net=\$arg1:x64" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/est4 __inet_lookup_established net=\$arg1:x64" >>"$TR/kprobe_events" ||
	! echo "p:tcpark_hh/est6 __inet6_lookup_established net=\$arg1:x64" >>"$TR/kprobe_events"; then
	echo "SKIP: no kprobe events"
	exit $ksft_skip
fi
TRACING_ON=$(cat "$TR/tracing_on")
echo 1 >"$TR/tracing_on"
# Armed once, before any TCP flows, and left armed: arming a kprobe patches
# the function's text, and under multi-threaded TCG a 6.1 guest locked up
# (soft lockup) when that happened while another vCPU ran TCP
# (docs/tcg-int3.md). The trace is cleared before each measurement.
echo 1 >"$TR/events/tcpark_hh/enable"

# count EVENTS NET: trace lines of EVENTS (a regex) for NET.
count()
{
	grep -E " ($1): .* net=$2\$" "$TR/trace" | wc -l
}

# send NETNS: TCP over lo in NETNS only, IPv4 and IPv6.
send()
{
	"$IP" netns exec "$1" bash -c \
		'for a in 127.0.0.1 ::1; do (echo >/dev/tcp/$a/9) 2>/dev/null; done' || true
}

# netptr NETNS: the struct net pointer of NETNS: the one most of the
# established-table lookups of its own poke name (its SYNs and RSTs).
netptr()
{
	echo >"$TR/trace"
	send "$1"
	sed -n 's/.* est[46]: .* net=\(0x[0-9a-f]*\)$/\1/p' "$TR/trace" | sort | uniq -c |
		sort -rn | awk 'NR == 1 { print $2 }'
}

# poke NETNS: the hook calls made for NETNS while it pokes itself.
poke()
{
	case $1 in
	"$NS_SRV") _n=$NET_SRV ;;
	*) _n=$NET_CLI ;;
	esac
	echo >"$TR/trace"
	send "$1"
	count "tcpark_hook4|tcpark_hook6" "$_n"
}

# syn_lookups NETNS PORT: a SYN to 127.0.0.1:PORT; prints the table
# lookups for the server netns.
syn_lookups()
{
	echo >"$TR/trace"
	"$IP" netns exec "$1" bash -c "(echo >/dev/tcp/127.0.0.1/$2) 2>/dev/null" || true
	count tcpark_lookup "$NET_SRV"
}

NET_SRV=$(netptr "$NS_SRV")
NET_CLI=$(netptr "$NS_CLI")
learnt()
{
	[ -n "$NET_SRV" ] && [ -n "$NET_CLI" ] && [ "$NET_SRV" != "$NET_CLI" ]
}
log_test "each netns's struct net learnt ($NET_SRV, $NET_CLI)" learnt

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
