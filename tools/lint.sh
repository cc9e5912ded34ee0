#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks on the kernel code, one KTAP line each:
#   checkpatch.pl (from Debian's linux-source-6.12) with codespell,
#   a fresh W=1 build with sparse (C=1) against each supported kernel,
#   where any compiler or sparse warning is a failure;
#   the YNL spec against the uapi header (tools/ynl-check.sh).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

report() {	# report OK|FAIL NAME LOGFILE
	if [ "$1" = OK ]; then
		echo "ok - $2"
	else
		sed 's/^/# /' "$3"
		echo "not ok - $2"
		fail=1
	fi
}

src=$("$repo/tools/linux-source.sh") || exit 1
(cd "$repo" && perl "$src/scripts/checkpatch.pl" --no-tree --codespell \
	--codespellfile /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt \
	--strict --terse -f kmod/*.c kmod/*.h uapi/linux/*.h) >"$tmp/cp.log" 2>&1
if grep -qE '(ERROR|WARNING|CHECK):' "$tmp/cp.log"; then
	report FAIL "checkpatch --strict" "$tmp/cp.log"
else
	report OK "checkpatch --strict"
fi

"$repo/tools/ynl-check.sh" || fail=1

for kver in 6.1 6.12; do
	kdir=$("$repo/tools/vm/kernel.sh" headers "$kver") || { fail=1; continue; }
	b=$tmp/build-$kver
	mkdir -p "$b"
	cp -r "$repo/Kbuild" "$repo/dkms.conf" "$repo/kmod" "$repo/uapi" "$b/"
	make -C "$kdir" M="$b" W=1 C=1 modules >"$tmp/w1-$kver.log" 2>&1
	rc=$?
	# Sparse and gcc both say "warning:"/"error:"; BTF skipping is not one.
	if [ $rc -ne 0 ] || grep -qE '(warning|error):' "$tmp/w1-$kver.log"; then
		report FAIL "W=1 C=1 build on $kver" "$tmp/w1-$kver.log"
	else
		report OK "W=1 C=1 build on $kver"
	fi
done
exit $fail
