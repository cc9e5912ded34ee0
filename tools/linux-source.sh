#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print a folder holding the few files tcpark takes from Debian's
# linux-source-6.12 package: checkpatch.pl (and its data files), the
# kselftest harness headers, and the YNL generator with the netlink specs'
# schemas (tools/ynl-check.sh). Downloads and extracts them once into the
# cache (outside the source tree), again when this list changes; later
# calls only print the path.
set -euo pipefail

cache=${TCPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcpark}
dest=$cache/linux-source-6.12
want=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch
      tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
      tools/net/ynl Documentation/netlink)

if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.complete")" = "${want[*]}" ]; then
	echo "$dest"
	exit 0
fi

mkdir -p "$cache/deb"
cd "$cache/deb"
if ! ls linux-source-6.12_*.deb >/dev/null 2>&1; then
	echo "linux-source: downloading linux-source-6.12" >&2
	apt-get download linux-source-6.12 >&2 || {
		apt-get update >&2 && apt-get download linux-source-6.12 >&2
	}
fi
deb=$(ls linux-source-6.12_*.deb | sort -V | tail -1)
echo "linux-source: extracting checkpatch, kselftest headers and YNL from $deb" >&2
tmp=$(mktemp -d "$cache/src.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/linux-source-6.12.tar.xz'
tar -xJf "$tmp"/usr/src/linux-source-6.12.tar.xz -C "$tmp" \
	"${want[@]/#/linux-source-6.12/}"
rm -rf "$dest"
mv "$tmp/linux-source-6.12" "$dest"
echo "${want[*]}" >"$dest/.complete"
echo "$dest"
