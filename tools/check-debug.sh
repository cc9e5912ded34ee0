#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: the selftests on a KASAN + lockdep + kmemleak kernel.
#   1. build the debug kernel (tools/debug-kernel/build.sh: a 6.12 from
#      Debian's linux-source-6.12; minutes the first time, then cached until
#      its config or the source package changes)
#   2. build tcpark.ko against it (make KVER=debug module)
#   3. boot it (tools/vm/run --kernel debug) and run, in the same guest,
#      the whole selftest suite, a kmemleak scan and a search of the kernel
#      log for KASAN, lockdep, RCU, UBSAN, kmemleak, BUG and WARNING reports
#      (tools/debug-kernel/guest.sh); any report fails the run and is printed
#      with the part of the log it came from.
#   4. the same for park_unload.sh (rmmod and netns deletion with records)
#      in a second guest with single-threaded TCG (docs/tcg-int3.md).
# Each step prints KTAP "ok"/"not ok" lines; the last line is the total,
# "N passed, N failed". Exit status is non-zero on any failure.
# Logs stay in build/check-debug/.
#
# Environment:
#   TCPARK_VM_TIMEOUT      the guest's time limit, s (default 3600: KASAN and
#                          lockdep under TCG run the suite several times
#                          slower than make check does)
#   TCPARK_TEST_TIMEOUT    each selftest's time limit in the guest, s
#                          (default 900, three times selftests/settings':
#                          the debug kernel runs them about 2x slower)
#   TCPARK_KMEMLEAK_WAIT   s between the two kmemleak scans (default 6)
#   TCPARK_DEBUG_TESTS     run only these selftests (default: all)
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
logs=$repo/build/check-debug
mkdir -p "$logs"
passed=0
failed=0
summary=()

say() { echo "check-debug: $*" >&2; }
elapsed() { local t=$(($(date +%s) - $1)); echo "$((t / 60))m$((t % 60))s"; }

# tally NAME LOG RC: count the top-level KTAP results a step printed.
tally() {
	local name=$1 log=$2 rc=$3 ok bad
	ok=$(tr -d '\r' <"$log" | grep -cE '^ok ' || true)
	bad=$(tr -d '\r' <"$log" | grep -cE '^not ok ' || true)
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	summary+=("# $name: $ok passed, $bad failed")
}

# run_step NAME CMD...: run, show output as it comes, keep it, tally it.
run_step() {
	local name=$1 log=$logs/$1.log
	shift
	say "$name: $*"
	"$@" 2>&1 | tee "$log"
	tally "$name" "$log" "${PIPESTATUS[0]}"
}

finish() {
	printf '%s\n' "${summary[@]}"
	say "finished in $(elapsed "$start")"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

start=$(date +%s)
echo "TAP version 13"

# --- 1. the kernel ---------------------------------------------------------
t=$(date +%s)
say "debug kernel: tools/debug-kernel/build.sh (a first build takes minutes)"
# The compiler's output goes to the log only; build.sh's own progress lines
# (and its build time) to the terminal too.
: >"$logs/kernel.log"
if "$repo/tools/debug-kernel/build.sh" image 2> >(tee -a "$logs/kernel.log" |
	grep --line-buffered '^debug-kernel:' >&2) >/dev/null &&
	rel=$("$repo/tools/vm/kernel.sh" abi debug 2>>"$logs/kernel.log") &&
	"$repo/tools/vm/kernel.sh" image debug >/dev/null 2>>"$logs/kernel.log"; then
	echo "ok - debug kernel $rel (ready in $(elapsed "$t"))"
	passed=$((passed + 1))
	summary+=("# kernel: 1 passed, 0 failed")
else
	tail -n 40 "$logs/kernel.log" | sed 's/^/# /'
	echo "not ok - debug kernel build (full log: $logs/kernel.log)"
	failed=$((failed + 1))
	summary+=("# kernel: 0 passed, 1 failed")
	finish
fi
say "debug kernel ready in $(elapsed "$t")"

# --- 2. tcpark.ko ----------------------------------------------------------
# Built here rather than by tools/vm/run so that a compiler error or warning
# shows as its own result. A debug kernel differs from Debian's in more than
# its checks: e.g. with KASAN, x86 takes its checksum helpers from
# asm-generic, so a missing #include that Debian's headers forgive fails here.
t=$(date +%s)
say "tcpark.ko: make KVER=debug module"
if make -C "$repo" -s KVER=debug module >"$logs/module.log" 2>&1; then
	if grep -q 'warning:' "$logs/module.log"; then
		grep -B2 -A6 'warning:' "$logs/module.log" | sed 's/^/# /'
		echo "not ok - tcpark.ko builds against $rel, with warnings"
		failed=$((failed + 1))
		summary+=("# module: 0 passed, 1 failed")
	else
		echo "ok - tcpark.ko builds against $rel ($(elapsed "$t"))"
		passed=$((passed + 1))
		summary+=("# module: 1 passed, 0 failed")
	fi
else
	grep -B2 -A6 -E 'error|warning:' "$logs/module.log" | head -n 80 | sed 's/^/# /'
	echo "not ok - tcpark.ko does not build against $rel (full log: $logs/module.log)"
	failed=$((failed + 1))
	summary+=("# module: 0 passed, 1 failed")
	finish
fi

# --- 3. the selftests, kmemleak, the kernel log -----------------------------
# log_buf_len: the guest reads the whole kernel log since boot at the end; the
# default 128 KiB could drop the start of it.
t=$(date +%s)
# shellcheck disable=SC2086 # TCPARK_DEBUG_TESTS is a list of names
run_step selftests-debug "$repo/tools/vm/run" --kernel debug \
	--timeout "${TCPARK_VM_TIMEOUT:-3600}" --append log_buf_len=16M \
	--add "$repo/tools/debug-kernel/guest.sh" -- \
	env TCPARK_KMEMLEAK_WAIT="${TCPARK_KMEMLEAK_WAIT:-6}" \
	TCPARK_TEST_TIMEOUT="${TCPARK_TEST_TIMEOUT:-900}" \
	/add/guest.sh ${TCPARK_DEBUG_TESTS:-}
say "guest run (boot, selftests, kmemleak, log scan) took $(elapsed "$t")"
# park_unload.sh (rmmod and netns deletion with records) in a guest of its
# own with single-threaded TCG, as make check does (docs/tcg-int3.md).
if [ -z "${TCPARK_DEBUG_TESTS:-}" ]; then
	t=$(date +%s)
	TCPARK_VM_TCG_SINGLE=1 run_step selftests-debug-unload "$repo/tools/vm/run" \
		--kernel debug --timeout "${TCPARK_VM_TIMEOUT:-3600}" \
		--append log_buf_len=16M \
		--add "$repo/tools/debug-kernel/guest.sh" -- \
		env TCPARK_KMEMLEAK_WAIT="${TCPARK_KMEMLEAK_WAIT:-6}" \
		TCPARK_TEST_TIMEOUT="${TCPARK_TEST_TIMEOUT:-900}" \
		/add/guest.sh park_unload.sh
	say "park_unload guest run took $(elapsed "$t")"
fi
# kmemleak's frames in tcpark are bare addresses once it is unloaded.
for log in "$logs"/selftests-debug*.log; do
	"$repo/tools/debug-kernel/symbolize.sh" "$repo/build/debug/kmod/tcpark.ko" \
		"$log" | tee -a "$log"
done

finish
