#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# symbolize.sh KO LOG [NAME]: name the bare addresses in a check-debug log.
#
# kmemleak prints a backtrace when it is read, and by then the tests have
# unloaded the module that allocated the object: its frames come out as
# bare addresses ("0xffffffffa0018101"). tools/debug-kernel/guest.sh logs
# where NAME's .text was each time it was loaded ("# NAME .text at 0x...");
# with that and the .ko the frames get their names back (frames in
# .init.text cannot be: it is gone before anyone could note where it was).
# Only kmemleak's lines are read: the kernel log's own reports are printed
# while the module is loaded, with names. An address is
# matched against every load address seen, so a line is printed per
# plausible load (usually one: a module reloaded lands where it was).
# Prints nothing when there is nothing to name.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 KO LOG [NAME]" >&2; exit 2; }
ko=$1 log=$2 name=${3:-tcpark}
[ -f "$ko" ] && [ -f "$log" ] || exit 0

bases=$(tr -d '\r' <"$log" | sed -n "s/^# $name \.text at \(0x[0-9a-f]*\)$/\1/p" | sort -u)
addrs=$(tr -d '\r' <"$log" | grep -E '^# kmemleak: ' |
	grep -oE '(^|[ ?])0xffffffff[0-9a-f]{8}\b' | grep -oE '0x[0-9a-f]+' | sort -u) || true
[ -n "$bases" ] && [ -n "$addrs" ] || exit 0

# .text's section index and size, then its functions as "offset size name".
read -r idx size < <(readelf -SW "$ko" |
	sed -n 's/^ *\[ *\([0-9]*\)\] \.text *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1 \2/p')
[ -n "${idx:-}" ] || exit 0
syms=$(readelf -sW "$ko" | awk -v idx="$idx" '$7 == idx && $4 == "FUNC" { print $2, $3, $8 }')

out=()
for a in $addrs; do
	for b in $bases; do
		off=$((a - b))
		if [ "$off" -lt 0 ] || [ "$off" -ge $((16#$size)) ]; then
			continue
		fi
		sym='' best=-1
		while read -r v len fn; do
			v=$((16#$v))
			if [ "$v" -le "$off" ] && [ "$v" -gt "$best" ]; then
				best=$v
				sym=$(printf '%s+0x%x/0x%x' "$fn" $((off - v)) "$len")
			fi
		done <<<"$syms"
		out+=("#   $a = $name: ${sym:-.text+$(printf '0x%x' "$off")} (if $name's .text was at $b)")
	done
done
if [ ${#out[@]} -gt 0 ]; then
	echo "# bare addresses in the reports above, in $name ($ko):"
	printf '%s\n' "${out[@]}"
fi
