#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that `dkms build` works for both supported kernels, the way a user
# runs it, without touching the machine's own DKMS tree: the source and
# the DKMS tree are temporary folders (--sourcetree/--dkmstree).
# Prints one KTAP line per kernel; exits non-zero if any build failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/src/tcpark-$version" "$tmp/tree"
cp -r "$repo/Kbuild" "$repo/dkms.conf" "$repo/kmod" "$repo/uapi" \
	"$tmp/src/tcpark-$version/"

fail=0
for kver in 6.1 6.12; do
	abi=$("$repo/tools/vm/kernel.sh" abi "$kver")
	"$repo/tools/vm/kernel.sh" headers "$kver" >/dev/null
	log=$tmp/dkms-$kver.log
	if dkms build -m tcpark -v "$version" -k "$abi" \
		--sourcetree "$tmp/src" --dkmstree "$tmp/tree" >"$log" 2>&1 &&
	   ls "$tmp/tree/tcpark/$version/$abi"/*/module/tcpark.ko* >/dev/null 2>&1; then
		echo "ok - dkms build tcpark/$version for $abi"
	else
		sed 's/^/# /' "$log"
		echo "not ok - dkms build tcpark/$version for $abi"
		fail=1
	fi
done
exit $fail
