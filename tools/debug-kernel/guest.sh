#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make check-debug` (tools/check-debug.sh boots the debug
# kernel with this script as /add/guest.sh). In the guest, in this order:
#
#   1. checks that this really is the debug kernel (KASAN initialised,
#      lockdep on, kmemleak answering), else all the rest proves nothing;
#   2. a kmemleak baseline: whatever leaked while booting is listed and then
#      cleared (echo clear), since no tcpark code has run yet;
#   3. /selftests/run_tests.sh [TEST...] (all tests by default), with a
#      marker in the kernel log when each test starts, so a report can be
#      pinned to the test that caused it, and each test's run time;
#   4. rmmod tcpark if a test left it loaded (its globals would hide leaks),
#      then kmemleak: scan, wait TCPARK_KMEMLEAK_WAIT s (default 6; kmemleak
#      leaves objects younger than 5 s alone), scan, read;
#   5. the whole kernel log since boot, read from /dev/kmsg (the selftests
#      clear the syslog buffer between tests; /dev/kmsg still has it all),
#      searched for KASAN, lockdep, RCU, UBSAN, kmemleak, BUG, WARNING, ...
#      reports. Each hit is shown with the log of the test it happened in.
#
# Output: the selftests' KTAP, then one "ok - ..."/"not ok - ..." line per
# step above. Exit status 0 only if everything passed.

# Kernel log lines that mean a bug. lockdep and RCU reports start with
# "WARNING: ...", KASAN's and the atomic-sleep check's with "BUG: ...", but
# the specific texts are listed too in case a report reaches the log in an
# unusual shape (e.g. a continuation line). "INFO: " covers RCU stalls,
# hung tasks and lockdep's "INFO: lockdep is turned off".
SPLATS='BUG: |WARNING: |KASAN|UBSAN|kmemleak|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|scheduling while atomic|bad unlock balance|held lock freed|lock held when returning|irq lock inversion|turning off the locking correctness validator|INFO: |Oops|general protection fault|kernel BUG at|Kernel panic|Call Trace:|refcount_t: |list_add corruption|list_del corruption|stack-protector|stack guard page'
# ...except these lines, printed by every boot of this kernel.
BENIGN='kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread'

KMEMLEAK=/sys/kernel/debug/kmemleak
MARK=tcpark-check-debug
failed=0

ok() { echo "ok - $*"; }
not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
}
# Write a line into the kernel log.
kmsg() { echo "$MARK: $*" >/dev/kmsg; }

# kmemleak_scan: one scan; fails if kmemleak refuses (it turns itself off
# for good after an internal error, and then finds nothing).
kmemleak_scan() { echo scan 2>/dev/null >"$KMEMLEAK"; }

# --- 1. Is this the debug kernel? ---------------------------------------------
[ -e "$KMEMLEAK" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
why=
dmesg | grep -q 'KernelAddressSanitizer initialized' || why="$why KASAN is not initialised;"
grep -Eq 'debug_locks: +1$' /proc/lockdep_stats 2>/dev/null ||
	why="$why lockdep is off (/proc/lockdep_stats: $(grep debug_locks /proc/lockdep_stats 2>&1));"
[ -r "$KMEMLEAK" ] || why="$why no $KMEMLEAK;"
if [ -z "$why" ]; then
	ok "debug kernel $(uname -r): KASAN, lockdep and kmemleak are on"
else
	not_ok "debug kernel $(uname -r):$why"
fi

# --- 2. kmemleak baseline -------------------------------------------------------
# Two scans 5 s apart: objects allocated in the last seconds of the boot are
# too young for the first one.
if kmemleak_scan && sleep 5 && kmemleak_scan; then
	if [ -s "$KMEMLEAK" ]; then
		echo "# kmemleak, before any test (boot; not tcpark's, cleared):"
		sed 's/^/#   /' "$KMEMLEAK"
	fi
	echo clear >"$KMEMLEAK"
fi

# --- 3. The selftests ---------------------------------------------------------
# kmemleak prints the frames of a module unloaded since as bare addresses,
# and the tests load and unload tcpark many times: note where its .text is
# each time (in the kernel log, read back below) so that check-debug.sh can
# name those frames.
(
	last=
	while :; do
		b=$(cat /sys/module/tcpark/sections/.text 2>/dev/null)
		if [ -n "$b" ] && [ "$b" != "$last" ]; then
			kmsg "tcpark .text at $b"
			last=$b
		fi
		sleep 0.2
	done
) &
watcher=$!
# run_tests.sh prints "# running T (...)" as each test starts and
# "ok N T"/"not ok N T" when it ends: pass its output through unchanged,
# and mark both in the kernel log.
start=$(date +%s)
{ /selftests/run_tests.sh "$@"; echo $? >/tmp/check-debug.rc; } 2>&1 |
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"# running "*)
			t=${line#\# running }
			t=${t%% *}
			kmsg "test $t starts"
			t0=$(date +%s)
			;;
		"ok "* | "not ok "*)
			kmsg "test ${t:-?} ends"
			echo "# ${t:-?}: $(($(date +%s) - ${t0:-$start})) s"
			;;
		esac
	done
rc=$(cat /tmp/check-debug.rc 2>/dev/null || echo 1)
echo "# selftests: $(($(date +%s) - start)) s"
if [ "$rc" = 0 ]; then
	ok "selftests (run_tests.sh)"
else
	not_ok "selftests (run_tests.sh exited with status $rc)"
fi
kmsg "selftests done"
kill $watcher

# --- 4. kmemleak ------------------------------------------------------------------
if [ -d /sys/module/tcpark ]; then
	echo "# tcpark is still loaded after the tests; rmmod tcpark"
	rmmod tcpark 2>&1 | sed 's/^/#   /'
fi
kmsg "kmemleak scan"
wait=${TCPARK_KMEMLEAK_WAIT:-6}
t0=$(date +%s)
# Network namespaces die in a workqueue and many objects are freed after an
# RCU grace period: the first scan also gives them time to go.
if kmemleak_scan && sleep "$wait" && kmemleak_scan; then
	leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "# kmemleak: 2 scans ${wait} s apart took $(($(date +%s) - t0)) s"
	if [ "$leaks" = 0 ]; then
		ok "kmemleak: no leaks"
	else
		echo "# kmemleak: $leaks unreferenced objects:"
		sed 's/^/# kmemleak: /' "$KMEMLEAK"
		not_ok "kmemleak: $leaks unreferenced objects"
	fi
else
	not_ok "kmemleak: 'echo scan > $KMEMLEAK' failed (kmemleak turned itself off? see the kernel log)"
fi

# --- 5. The kernel log ------------------------------------------------------------
# /dev/kmsg gives every record still in the buffer (tools/check-debug.sh
# makes it big enough for the whole run), whatever `dmesg -c` did; read up
# to a marker written now. Records look like "PRI,SEQ,USEC,FLAGS;TEXT",
# followed by " KEY=VALUE" lines; print them as dmesg would.
# (cat never sees an end of file: it is stopped once the marker is in.)
end="$MARK: end $$"
cat /dev/kmsg >/tmp/kmsg 2>/dev/null &
cat=$!
echo "$end" >/dev/kmsg
i=0
while ! grep -qF ";$end" /tmp/kmsg && [ $i -lt 300 ]; do
	sleep 0.2
	i=$((i + 1))
done
kill $cat
awk -v end="$end" '
	/^ / { next }
	{
		i = index($0, ";")
		split(substr($0, 1, i - 1), h, ",")
		text = substr($0, i + 1)
		if (NR == 1 && h[2] != 0)
			printf "[    0.000000] %s: the log lost its first %d records\n", "'"$MARK"'", h[2]
		# A record with several lines has them joined by "\x0a".
		n = split(text, part, /\\x0a/)
		for (i = 1; i <= n; i++)
			printf "[%5d.%06d] %s\n", h[3] / 1000000, h[3] % 1000000, part[i]
		if (text == end)
			exit
	}' /tmp/kmsg >/tmp/kernel.log
grep -qF "$end" /tmp/kernel.log || echo "# kernel log: could not read it all from /dev/kmsg"
sed -n "s/.*$MARK: \(tcpark .text at 0x[0-9a-f]*\)$/# \1/p" /tmp/kernel.log | sort -u
# One section per test (and "boot" before the first): the lines of a section
# with a hit are all printed, up to 400 of them.
if awk -v splats="$SPLATS" -v benign="$BENIGN" -v mark="$MARK: " '
	function flush() {
		if (hits) {
			printf "# kernel log: %d suspicious lines during %s:\n", hits, name
			for (i = 1; i <= n && i <= 400; i++)
				print "# dmesg: " sec[i]
			if (n > 400)
				printf "# dmesg: ... (%d more lines in the full log)\n", n - 400
			total += hits
		}
		n = 0
		hits = 0
	}
	BEGIN { name = "boot" }
	index($0, mark) {
		rest = substr($0, index($0, mark) + length(mark))
		if (rest ~ / starts$/) {
			flush()
			name = rest
			sub(/ starts$/, "", name)
		} else if (rest == "kmemleak scan") {
			flush()
			name = "the kmemleak scan after the tests"
		} else if (rest ~ /^test .* ends$/ || rest == "selftests done") {
			flush()
			name = "the end of " (rest == "selftests done" ? "the selftests" : substr(rest, 1, length(rest) - 5))
		}
	}
	{ sec[++n] = $0 }
	$0 ~ splats && $0 !~ benign && !index($0, mark) { hits++ }
	END { flush(); exit total > 0 }' /tmp/kernel.log; then
	ok "kernel log: no KASAN, lockdep, RCU, kmemleak, BUG or WARNING reports"
else
	not_ok "kernel log: bug reports (see above)"
fi
grep -Eq 'debug_locks: +1$' /proc/lockdep_stats ||
	echo "# lockdep turned itself off during the run: locking bugs after its first report went unchecked"

[ "$failed" = 0 ]
