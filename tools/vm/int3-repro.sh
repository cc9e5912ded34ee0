#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of docs/tcg-int3.md: load and unload tcpark N times (each
# registers and unregisters LOCAL_IN hooks, so the kernel patches the
# nf_hooks_needed static key in ip_local_deliver()) while a raw TCP flood
# runs through ip_local_deliver() on the other vCPU ("noflood": without).
#   tools/vm/run --kernel 6.12 --add tools/vm/int3-repro.sh -- \
#	/add/int3-repro.sh 100 [noflood]
cd /selftests || exit 1
# shellcheck source=/dev/null
. ./lib.sh
# shellcheck source=/dev/null
. ./park_lib.sh
setup_hosts
N=${1:-100}
[ "${2:-}" = noflood ] || ( while :; do ./forge -n "$NS_CLI" -s "$CLI_IP4" -S 40000 -d "$SRV_IP4" -D 9 -f A -c 20000 >/dev/null 2>&1 || break; done ) &
FP=$!; [ "${2:-}" = noflood ] && FP=
sleep 1
i=0
while [ $i -lt $N ]; do
	module_load
	rmmod tcpark
	i=$((i + 1))
done
[ -n "$FP" ] && kill $FP 2>/dev/null
echo "cycles=$i"
dmesg | grep -cE "Oops|int3" | sed 's/^/oops_lines=/'
dmesg | grep -E "Oops|RIP" | head -5
