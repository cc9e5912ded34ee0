#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest: kernel memory per idle connection, stock vs parked, IPv4
# and IPv6, N pairs each (park_mem.c says how). Prints one JSON line per
# family prefixed with "BENCH ".
set -e
. /selftests/lib.sh
n=${1:-5000}
here=$(dirname "$0")

module_load
setup_hosts
ulimit -n 1048576 2>/dev/null || true
for fam in 4 6; do
	echo "BENCH $("$here/park_mem" "$SRV_NETNS" "$CLI_NETNS" "$fam" "$n")"
done
