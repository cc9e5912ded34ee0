#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the tcpark selftests and report KTAP. In the VM:
#	/selftests/run_tests.sh [TEST...]
# (default: all of them, in the order of TEST_PROGS in the Makefile).
# Each test runs under the time limit from ./settings (or
# $TCPARK_TEST_TIMEOUT seconds: make check-debug's kernel is slower), with
# dmesg cleared before it; a kernel warning, BUG or splat in dmesg
# afterwards fails it, and so does lockdep turning itself off.
# The last line is "# tcpark selftests: N passed, N failed"; the exit
# status is non-zero if any test failed.

ALL_TESTS="load_unload.sh ulp.sh rmmod_busy.sh sockopt.sh sysctl.sh netlink.sh
tcparkctl.sh park.sh park_validate.sh remap.sh priv.sh wake.sh idle_park.sh
park_netem.sh park_mem.sh park_chain.sh hook_netns.sh example.sh park_limits.sh
park_memcg.sh fuzz.sh nat.sh probe.sh pressure.sh trace.sh trace_bpf.sh"
# probe_scale.sh (50,000 records probed every second: rate, spread, CPU)
# takes minutes per kernel and runs by name.
# park_unload.sh (rmmod and netns deletion with records, 20 park cycles) is
# run by name, in a guest of its own with single-threaded TCG: rmmod under
# traffic patches ip_local_deliver(), which multi-threaded TCG gets wrong
# (docs/tcg-int3.md). tools/check.sh does that.
SPLATS='WARN|WARNING:|BUG:|Oops|general protection|Call Trace|kernel BUG|KASAN|UBSAN|kmemleak: [0-9]+ new suspected|kmemleak: .*disabled|lockdep|possible recursive|circular locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|scheduling while atomic|INFO: |refcount_t:|list_add corruption|list_del corruption'

cd "$(dirname "$0")" || exit 1
tests=${*:-$ALL_TESTS}
limit=$(sed -n 's/^timeout=//p' settings 2>/dev/null)
limit=${TCPARK_TEST_TIMEOUT:-${limit:-600}}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpark-ktap.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# 1 while lockdep (debug kernels only) is still checking.
lockdep_on() { grep -Eq 'debug_locks: +1$' /proc/lockdep_stats 2>/dev/null; }
locks=0
! lockdep_on || locks=1

set -- $tests
echo "TAP version 13"
echo "1..$#"

n=0
passed=0
failed=0
skipped=0
for t in "$@"; do
	n=$((n + 1))
	dmesg -c >/dev/null 2>&1
	if [ ! -f "./$t" ]; then
		echo "# $t: no such test"
		rc=127
	else
		echo "# running $t (time limit ${limit}s)"
		start=$(date +%s)
		# The braces keep the test's exit status past the pipe.
		{ timeout -k 10 "$limit" sh "./$t" 2>&1; echo $? >"$tmp/rc"; } |
			sed 's/^/# /'
		rc=$(cat "$tmp/rc")
		took=$(($(date +%s) - start))
		echo "# $t: ${took}s"
		if [ "$took" -ge "$limit" ]; then
			echo "# $t: stopped at the time limit (${limit}s)"
			rc=124
		fi
	fi
	why="exit=$rc"

	dmesg -c >"$tmp/dmesg" 2>&1
	if grep -Eq "$SPLATS" "$tmp/dmesg"; then
		echo "# $t: kernel log shows a warning or splat:"
		sed 's/^/# dmesg: /' "$tmp/dmesg"
		[ "$rc" != 0 ] || why="kernel warning"
		rc=1
	fi
	# A lockdep kernel checks nothing more after its first report (or
	# any taint, e.g. a KASAN report): say so once, where it happened.
	if [ "$locks" = 1 ] && ! lockdep_on; then
		echo "# $t: lockdep turned itself off; later tests go unchecked"
		[ "$rc" != 0 ] || why="lockdep off"
		rc=1
		locks=0
	fi

	if [ "$rc" = 0 ]; then
		echo "ok $n $t"
		passed=$((passed + 1))
	elif [ "$rc" = 4 ]; then
		echo "ok $n $t # SKIP"
		skipped=$((skipped + 1))
	else
		echo "not ok $n $t # $why"
		failed=$((failed + 1))
	fi
done

[ "$skipped" = 0 ] || echo "# tcpark selftests: $skipped skipped"
echo "# tcpark selftests: $passed passed, $failed failed"
[ "$failed" = 0 ]
