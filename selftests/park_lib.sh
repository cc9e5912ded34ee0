# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034
#
# Helpers for the parking tests that drive many connections with
# park_mass and measure kernel memory. Source after lib.sh.

MASS_DIR=
MASS_PID=
MASS_LINES=0
MASS_REPLY=

# lib.sh's, for a test with no other cleanup: stop park_mass.
cleanup_test()
{
	mass_end
}

# mass_start [-P] [-u UID]: start park_mass on lib.sh's topology (or on
# MASS_SRV/MASS_CLI netns paths), through $MASS_PREFIX if set (a command
# word list, e.g. one that enters a cgroup); commands go to fd 4.
mass_start()
{
	MASS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tcpark-mass.XXXXXX")
	mkfifo "$MASS_DIR/in"
	: >"$MASS_DIR/out"
	echo "+ park_mass $*"
	# shellcheck disable=SC2086 # MASS_PREFIX is a word list
	$MASS_PREFIX "$DIR/park_mass" -s "${MASS_SRV:-$SRV_NETNS}" \
		-c "${MASS_CLI:-$CLI_NETNS}" "$@" \
		<"$MASS_DIR/in" >"$MASS_DIR/out" 2>&1 &
	MASS_PID=$!
	BG_PIDS="$BG_PIDS $MASS_PID"
	exec 4>"$MASS_DIR/in"
	MASS_LINES=0
	mass_wait
}

# mass_wait [SECONDS]: the next reply line into MASS_REPLY; false on FAIL.
mass_wait()
{
	_mw_left=$((${1:-600} * 10))
	while [ "$(wc -l <"$MASS_DIR/out")" -le "$MASS_LINES" ]; do
		if ! kill -0 "$MASS_PID" 2>/dev/null || [ "$_mw_left" -le 0 ]; then
			MASS_REPLY="(park_mass gone or silent)"
			echo "  $MASS_REPLY; it said:"
			sed 's/^/    /' "$MASS_DIR/out"
			return 1
		fi
		sleep 0.1
		_mw_left=$((_mw_left - 1))
	done
	MASS_LINES=$((MASS_LINES + 1))
	MASS_REPLY=$(sed -n "${MASS_LINES}p" "$MASS_DIR/out")
	case "$MASS_REPLY" in
	ok*) return 0 ;;
	esac
	echo "  park_mass: $MASS_REPLY"
	return 1
}

# mass CMD: send a command, wait for its reply (in MASS_REPLY).
mass()
{
	echo "+ mass $1"
	echo "$1" >&4 || return 1
	mass_wait
}

# mass_batch CMD...: send all the commands at once, so that park_mass
# runs them back to back, then wait for every reply (MASS_REPLY: the last).
mass_batch()
{
	for _mb in "$@"; do
		echo "+ mass $_mb"
		echo "$_mb" >&4 || return 1
	done
	for _mb in "$@"; do
		mass_wait || return 1
	done
}

mass_end()
{
	[ -n "$MASS_PID" ] || return 0
	echo exit >&4 2>/dev/null
	exec 4>&-
	wait "$MASS_PID" 2>/dev/null
	MASS_PID=
	rm -rf "$MASS_DIR"
}

# The number after WORD in MASS_REPLY ("ok estab 5 close 0 ..." -> estab 5).
reply_field()
{
	echo "$MASS_REPLY" | awk -v w="$1" '{ for (i = 1; i < NF; i++) if ($i == w) print $(i + 1) }'
}

# mass_state_is ESTAB CLOSE RESET: the clients' states, as "state" counts them.
mass_state_is()
{
	mass state >/dev/null || return 1
	[ "$(reply_field estab)" = "$1" ] && [ "$(reply_field close)" = "$2" ] &&
		[ "$(reply_field reset)" = "$3" ]
}

# wait_mass_state ESTAB CLOSE RESET
wait_mass_state()
{
	busywait 20000 mass_state_is "$@" && return 0
	echo "  clients: $MASS_REPLY; want estab $1 close $2 reset $3"
	return 1
}

# srv_sysctl NAME VALUE: net.tcpark.NAME in the server netns.
srv_sysctl()
{
	run "$IP" netns exec "$NS_SRV" sysctl -qw "net.tcpark.$1=$2"
}

# xstat PATH: a value of the server netns's tcparkctl -j stats, by its
# flattened path (.expired.probes, .pressure.pressure_parks); uses $TMP.
xstat()
{
	tcparkctl -n "$NS_SRV" -j stats >"$TMP/stats.json" &&
		json_flat_file "$TMP/stats.json" "$TMP/stats.flat" &&
		json_val "$TMP/stats.flat" "$1"
}

# stat NAME [NETNS]: a counter from tcparkctl -j stats.
stat()
{
	tcparkctl -n "${2:-$NS_SRV}" -j stats |
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

stat_is()
{
	[ "$(stat "$1")" = "$2" ]
}

# wait_stat NAME VALUE
wait_stat()
{
	busywait 20000 stat_is "$1" "$2" && return 0
	echo "  $1 is $(stat "$1"), want $2"
	return 1
}

# Memory, in bytes, from /proc/meminfo.
meminfo()
{
	awk -v k="$1:" '$1 == k { print $2 * 1024 }' /proc/meminfo
}

# Kernel memory that parked records and sockets live in: slab plus
# vmalloc (the rhashtable's bucket array grows there).
kmem()
{
	echo $(($(meminfo Slab) + $(meminfo VmallocUsed)))
}

SLAB_DIR=/sys/kernel/slab/tcpark_record

# Objects in use in the tcpark_record cache (0 if there is none).
record_objects()
{
	if [ -r "$SLAB_DIR/objects" ]; then
		cut -d' ' -f1 "$SLAB_DIR/objects"
	else
		echo 0
	fi
}

# Is tcpark_record a cache of its own? (Without slab_nomerge the kernel
# may merge it with another cache of the same size: its counts then
# include the other cache's objects.)
record_cache_alone()
{
	[ -d "$SLAB_DIR" ] && [ "$(cat "$SLAB_DIR/aliases" 2>/dev/null)" = 0 ]
}

# Let freed memory come back: RCU callbacks, then the page and dentry
# caches, then the slab caches' per-CPU slabs (whose free objects
# /proc/slabinfo counts as active).
settle()
{
	sleep 1
	echo 3 >/proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f" 2>/dev/null
	done
	sleep 0.5
}

# slabinfo_diff BEFORE AFTER: caches whose bytes in use changed by more
# than 16 KiB (both files: copies of /proc/slabinfo).
slabinfo_diff()
{
	awk 'NR == FNR { if (FNR > 2) b[$1] = $2 * $4; next }
	     FNR > 2 { d = $2 * $4 - b[$1]; if (d > 16384 || d < -16384)
			printf "#   %-28s %+10d bytes\n", $1, d }' "$1" "$2"
}

# abs N
abs()
{
	if [ "$1" -lt 0 ]; then echo $((-$1)); else echo "$1"; fi
}

# debug_kernel: KASAN pads and quarantines objects and kmemleak tracks
# every one, so byte counts from such a kernel say nothing about tcpark.
debug_kernel()
{
	[ -e /sys/kernel/debug/kmemleak ] || [ -e /proc/lockdep_stats ]
}

# le A B (integers), saying what it compared
le()
{
	[ "$1" -le "$2" ] && return 0
	echo "  $1 > $2"
	return 1
}

# Bytes of slab objects in use, over every cache (/proc/slabinfo:
# active_objs x objsize). Unlike meminfo's Slab this does not depend on
# how the freed objects are spread over slab pages.
slab_inuse()
{
	awk 'NR > 2 { n += $2 * $4 } END { printf "%d\n", n }' /proc/slabinfo
}

# Exact count of tcpark_record objects in use: shrinking the cache first
# flushes the per-CPU slabs, whose free objects would count as used.
record_objects_exact()
{
	if [ -w "$SLAB_DIR/shrink" ]; then
		echo 1 >"$SLAB_DIR/shrink" 2>/dev/null
	fi
	record_objects
}

record_objects_are()
{
	[ "$(record_objects_exact)" = "$1" ]
}

# wait_records N: tcpark_record objects in use become exactly N (RCU frees).
wait_records()
{
	busywait 10000 record_objects_are "$1" && return 0
	echo "  tcpark_record objects: $(record_objects_exact), want $1"
	return 1
}
