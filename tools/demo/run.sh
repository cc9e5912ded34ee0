#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: the device-server pattern in a Debian 6.12 guest (QEMU).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# A fresh machine has no compiler, libmnl or QEMU yet (apt-get, as root).
"$repo/tools/deps.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/demo"
gcc -Wall -Wextra -O2 -static -I"$repo/uapi" -o "$tmp/demo/devices" "$repo/tools/demo/devices.c"
cp "$repo/tools/demo/demo.sh" "$tmp/demo/"
exec "$repo/tools/vm/run" --kernel "${TCPARK_DEMO_KERNEL:-6.12}" --add "$tmp/demo" -- sh /add/demo/demo.sh
