# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034 # variables here are for the tests
#
# Shared helpers for the tcpark selftests. POSIX sh: the VM runs busybox ash.
# Source it with  . "$(dirname "$0")/lib.sh"  after  set -e.
#
# setup_hosts builds two hosts, each its own network namespace:
#
#   +---------------------------+          +---------------------------+
#   | $NS_SRV  (server)         |          | $NS_CLI  (client)         |
#   |                           |   veth   |                           |
#   |   veth_srv  198.18.0.1/24 +----------+ veth_cli  198.18.0.2/24   |
#   |             fd00:7c::1/64 |          |           fd00:7c::2/64   |
#   +---------------------------+          +---------------------------+
#
# setup_nat_hosts puts a router between them instead, a third netns
# whose NAT rules are the test's (nat.sh): the server sees the devices
# only as the router's public address, which is CLI_IP4/CLI_IP6, as above.
#
#   +---------------------+      +-----------------------------+      +-------------------------+
#   | $NS_SRV  (server)   |      | $NS_RTR  (router)           |      | $NS_CLI  (devices)      |
#   |                     | veth |                             | veth |                         |
#   | veth_srv 198.18.0.1 +------+ veth_wan 198.18.0.2         |      |                         |
#   |          fd00:7c::1 |      |          fd00:7c::2         |      |                         |
#   |                     |      | veth_lan 198.19.0.1         +------+ veth_cli 198.19.0.2     |
#   |                     |      |          fd00:7d::1         |      |          fd00:7d::2     |
#   +---------------------+      +-----------------------------+      +-------------------------+
#
# The devices' default routes lead to the router, which forwards; the
# server has no route to the devices' network at all.
#
# Addresses come only from 198.18.0.0/15 (RFC 2544 benchmarking) and
# fd00::/8 (unique local). Namespaces are named tcpark-{srv,cli,rtr}-<pid>-<rand>
# and removed by cleanup (trap on EXIT) together with any process listed in
# BG_PIDS, the test's scratch directory TMP and whatever the test's own
# cleanup_test function does.

ksft_skip=4
RET=0
BG_PIDS=
DIR=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tcpark-test.XXXXXX") || exit 1

SRV_IP4=198.18.0.1
CLI_IP4=198.18.0.2
SRV_IP6=fd00:7c::1
CLI_IP6=fd00:7c::2
# setup_nat_hosts: the router's side of the devices' network, and a device.
LAN_IP4=198.19.0.1
DEV_IP4=198.19.0.2
LAN_IP6=fd00:7d::1
DEV_IP6=fd00:7d::2

NS_SUFFIX=$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
NS_SRV=tcpark-srv-$NS_SUFFIX
NS_CLI=tcpark-cli-$NS_SUFFIX
NS_RTR=tcpark-rtr-$NS_SUFFIX
NS_MADE=
SRV_NETNS=/run/netns/$NS_SRV	# paths for the C programs' setns()
CLI_NETNS=/run/netns/$NS_CLI

# Busybox's standalone shell runs its own applets before $PATH, and its
# ip/tc know nothing of netns: find the real iproute2 binaries by path.
find_iproute2()
{
	for d in /usr/sbin /sbin /usr/bin /bin /usr/local/sbin /usr/local/bin; do
		if [ -x "$d/$1" ] && "$d/$1" -V 2>&1 | grep -q iproute2; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}
IP=${IP:-$(find_iproute2 ip || true)}
TC=${TC:-$(find_iproute2 tc || true)}
SS=${SS:-$(find_iproute2 ss || true)}

# run CMD...: echo a command, then run it.
run()
{
	echo "+ $*"
	"$@"
}

# log_test DESCRIPTION CMD...: run one check, print its verdict; a failed
# check makes the script fail (exit $RET) but lets the next checks run.
log_test()
{
	_lt_desc=$1
	shift
	if "$@"; then
		printf 'TEST: %-58s [ OK ]\n' "$_lt_desc"
	else
		printf 'TEST: %-58s [FAIL]\n' "$_lt_desc"
		RET=1
	fi
}

# eq GOT WANT: a comparison that says what it got.
eq()
{
	[ "$1" = "$2" ] && return 0
	echo "  got '$1', want '$2'"
	return 1
}

# busywait TIMEOUT_MS CMD...: run CMD every 50 ms until it succeeds.
busywait()
{
	_bw_left=$1
	shift
	while :; do
		"$@" && return 0
		[ "$_bw_left" -gt 0 ] || return 1
		sleep 0.05
		_bw_left=$((_bw_left - 50))
	done
}

require_root()
{
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root"
		exit $ksft_skip
	fi
}

require_iproute2()
{
	if [ -z "$IP" ]; then
		echo "SKIP: iproute2's ip not found"
		exit $ksft_skip
	fi
}

# The module file for insmod (modprobe finds it by itself).
TCPARK_KO=${TCPARK_KO:-/lib/modules/tcpark.ko}
if [ ! -f "$TCPARK_KO" ]; then
	TCPARK_KO=$(find /lib/modules -name 'tcpark.ko*' 2>/dev/null | head -n 1)
fi

module_loaded()
{
	[ -d /sys/module/tcpark ]
}

module_refcnt()
{
	cat /sys/module/tcpark/refcnt 2>/dev/null || echo none
}

refcnt_is()
{
	[ "$(module_refcnt)" = "$1" ]
}

# wait_refcnt N: poll until the module's refcnt is N (10 s at most).
wait_refcnt()
{
	busywait 10000 refcnt_is "$1" && return 0
	echo "  refcnt is $(module_refcnt), want $1"
	return 1
}

module_load()
{
	module_loaded && return 0
	modprobe tcpark 2>/dev/null || insmod "$TCPARK_KO"
}

# Unload once the last socket with the ULP is gone (closing sockets may
# still hold the module for a few round trips).
module_unload()
{
	module_loaded || return 0
	wait_refcnt 0 || true
	rmmod tcpark
}

links_up()
{
	"$IP" -n "$NS_SRV" link show veth_srv | grep -q 'state UP' &&
		"$IP" -n "$NS_CLI" link show veth_cli | grep -q 'state UP'
}

setup_hosts()
{
	require_iproute2
	modprobe veth 2>/dev/null || true
	mkdir -p /run/netns
	run "$IP" netns add "$NS_SRV"
	NS_MADE="$NS_SRV"
	run "$IP" netns add "$NS_CLI"
	NS_MADE="$NS_MADE $NS_CLI"
	run "$IP" link add veth_srv netns "$NS_SRV" type veth \
		peer name veth_cli netns "$NS_CLI"
	run "$IP" -n "$NS_SRV" addr add "$SRV_IP4/24" dev veth_srv
	run "$IP" -n "$NS_SRV" addr add "$SRV_IP6/64" dev veth_srv nodad
	run "$IP" -n "$NS_CLI" addr add "$CLI_IP4/24" dev veth_cli
	run "$IP" -n "$NS_CLI" addr add "$CLI_IP6/64" dev veth_cli nodad
	for ns in "$NS_SRV" "$NS_CLI"; do
		"$IP" -n "$ns" link set lo up
	done
	run "$IP" -n "$NS_SRV" link set veth_srv up
	run "$IP" -n "$NS_CLI" link set veth_cli up
	busywait 5000 links_up
}

nat_links_up()
{
	"$IP" -n "$NS_SRV" link show veth_srv | grep -q 'state UP' &&
		"$IP" -n "$NS_RTR" link show veth_wan | grep -q 'state UP' &&
		"$IP" -n "$NS_RTR" link show veth_lan | grep -q 'state UP' &&
		"$IP" -n "$NS_CLI" link show veth_cli | grep -q 'state UP'
}

# The server, a router and the devices (the second picture above). The
# router forwards both families; what it does to them is the test's.
setup_nat_hosts()
{
	require_iproute2
	modprobe veth 2>/dev/null || true
	mkdir -p /run/netns
	for ns in "$NS_SRV" "$NS_RTR" "$NS_CLI"; do
		run "$IP" netns add "$ns"
		NS_MADE="$NS_MADE $ns"
		"$IP" -n "$ns" link set lo up
	done
	run "$IP" link add veth_srv netns "$NS_SRV" type veth \
		peer name veth_wan netns "$NS_RTR"
	run "$IP" link add veth_lan netns "$NS_RTR" type veth \
		peer name veth_cli netns "$NS_CLI"
	run "$IP" -n "$NS_SRV" addr add "$SRV_IP4/24" dev veth_srv
	run "$IP" -n "$NS_SRV" addr add "$SRV_IP6/64" dev veth_srv nodad
	run "$IP" -n "$NS_RTR" addr add "$CLI_IP4/24" dev veth_wan
	run "$IP" -n "$NS_RTR" addr add "$CLI_IP6/64" dev veth_wan nodad
	run "$IP" -n "$NS_RTR" addr add "$LAN_IP4/24" dev veth_lan
	run "$IP" -n "$NS_RTR" addr add "$LAN_IP6/64" dev veth_lan nodad
	run "$IP" -n "$NS_CLI" addr add "$DEV_IP4/24" dev veth_cli
	run "$IP" -n "$NS_CLI" addr add "$DEV_IP6/64" dev veth_cli nodad
	run "$IP" netns exec "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
	run "$IP" netns exec "$NS_RTR" sysctl -qw net.ipv6.conf.all.forwarding=1
	run "$IP" -n "$NS_SRV" link set veth_srv up
	run "$IP" -n "$NS_RTR" link set veth_wan up
	run "$IP" -n "$NS_RTR" link set veth_lan up
	run "$IP" -n "$NS_CLI" link set veth_cli up
	run "$IP" -n "$NS_CLI" route add default via "$LAN_IP4"
	run "$IP" -n "$NS_CLI" -6 route add default via "$LAN_IP6"
	busywait 5000 nat_links_up
}

# require_netem: sch_netem loaded, or skip the test.
require_netem()
{
	if ! modprobe sch_netem 2>/dev/null && [ ! -d /sys/module/sch_netem ]; then
		echo "SKIP: no sch_netem"
		exit $ksft_skip
	fi
}

link_mac()
{
	"$IP" -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}

# Neighbours fixed (after setup_hosts), so that ARP and ND cannot fail
# under netem's loss: only TCP is put to the test.
pin_neighbours()
{
	_pn_srv=$(link_mac "$NS_SRV" veth_srv)
	_pn_cli=$(link_mac "$NS_CLI" veth_cli)
	run "$IP" -n "$NS_SRV" neigh replace "$CLI_IP4" lladdr "$_pn_cli" dev veth_srv nud permanent
	run "$IP" -n "$NS_SRV" neigh replace "$CLI_IP6" lladdr "$_pn_cli" dev veth_srv nud permanent
	run "$IP" -n "$NS_CLI" neigh replace "$SRV_IP4" lladdr "$_pn_srv" dev veth_cli nud permanent
	run "$IP" -n "$NS_CLI" neigh replace "$SRV_IP6" lladdr "$_pn_srv" dev veth_cli nud permanent
}

# A test redefines this (after sourcing lib.sh) to undo its own changes.
cleanup_test()
{
	:
}

cleanup()
{
	_rc=$?
	set +e
	cleanup_test
	for pid in $BG_PIDS; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in $NS_MADE; do
		"$IP" netns del "$ns"
	done
	rm -rf "$TMP"
	exit $_rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- JSON (json_flat, a strict checker built with the selftests) --------
JSON_FLAT=$DIR/json_flat

# json_flat_file IN OUT [-l]: IN must be strict JSON (-l: JSON Lines); OUT
# gets it as "PATH=VALUE" lines ([0].cookie=123, .defaults.idle_ms=100).
json_flat_file()
{
	"$JSON_FLAT" ${3:+"$3"} <"$1" >"$2" && return 0
	echo "  not valid JSON:"
	sed 's/^/  | /' "$1" | head -n 20
	return 1
}

# json_val FLAT PATH: the value at PATH ("" if absent); strings keep quotes.
json_val()
{
	awk -v k="$2=" 'index($0, k) == 1 { print substr($0, length(k) + 1) }' "$1"
}

# json_index FLAT KEY VALUE: the top-level array index of the element whose
# KEY is VALUE (the first one).
json_index()
{
	awk -v k="].$2=$3" '
		substr($0, 1, 1) == "[" && index($0, k) &&
		substr($0, index($0, k)) == k {
			print substr($0, 2, index($0, "]") - 2); exit
		}' "$1"
}
