#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: everything, on both supported kernels.
#   1. install what is missing (apt-get), fetch both kernels' headers/images
#   2. static checks (checkpatch, W=1 + sparse on 6.1 and 6.12)
#   3. `dkms build` against both kernels; the Debian packages (tools/deb.sh
#      check: dpkg-buildpackage, lintian, unpacked into a throwaway root)
#   4. the selftests in a 6.1 guest and a 6.12 guest (tools/vm/run)
# Each step prints KTAP "ok"/"not ok" lines; the last line is the total,
# "N passed, N failed". Exit status is non-zero on any failure.
# Logs stay in build/check/.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
logs=$repo/build/check
mkdir -p "$logs"
kernels=${TCPARK_KERNELS:-"6.1 6.12"}
passed=0
failed=0
summary=()

say() { echo "check: $*" >&2; }

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

start=$(date +%s)
say "installing missing packages"
"$repo/tools/deps.sh" || { say "dependency install failed"; echo "0 passed, 1 failed"; exit 1; }
for k in $kernels; do
	say "kernel $k: headers and image (downloaded once into the cache)"
	"$repo/tools/vm/kernel.sh" headers "$k" >/dev/null &&
		"$repo/tools/vm/kernel.sh" image "$k" >/dev/null ||
		{ say "cannot fetch kernel $k"; echo "0 passed, 1 failed"; exit 1; }
done
say "building tools and selftests"
make -C "$repo" -s tools && make -C "$repo/selftests" -s ||
	{ say "build failed"; echo "0 passed, 1 failed"; exit 1; }

echo "TAP version 13"
run_step lint "$repo/tools/lint.sh"
run_step tcparkctl make -s -C "$repo/tools/tcparkctl" check
run_step dkms "$repo/tools/dkms-check.sh"
run_step deb "$repo/tools/deb.sh" check
for k in $kernels; do
	run_step "selftests-$k" "$repo/tools/vm/run" --kernel "$k" \
		--timeout "${TCPARK_VM_TIMEOUT:-1500}" -- /selftests/run_tests.sh
	# rmmod under traffic patches ip_local_deliver()'s static key while
	# the other vCPU runs it: multi-threaded TCG trips on that (an int3
	# oops that real CPUs and KVM never see; docs/tcg-int3.md).
	TCPARK_VM_TCG_SINGLE=1 run_step "selftests-$k-unload" "$repo/tools/vm/run" \
		--kernel "$k" --timeout "${TCPARK_VM_TIMEOUT:-1500}" -- \
		/selftests/run_tests.sh park_unload.sh
done

printf '%s\n' "${summary[@]}"
say "finished in $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
