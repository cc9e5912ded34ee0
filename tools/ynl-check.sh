#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: docs/netlink/tcpark.yaml, the family's YNL spec, against
# uapi/linux/tcpark.h, the reference. The kernel's own generator
# (tools/net/ynl/ynl-gen-c.py from Debian's linux-source-6.12, which also
# validates the spec against its schema) writes the uapi header the spec
# describes; every name it defines must exist in ours with the same value,
# and every attribute and command of ours must be in the spec.
# Prints KTAP "ok"/"not ok"; exit status 1 on a mismatch.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
src=$("$repo/tools/linux-source.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The generator wants a kernel tree around the spec (it looks for
# MAINTAINERS above it, and for the schemas next to specs/).
mkdir -p "$tmp/tree/Documentation/netlink/specs"
touch "$tmp/tree/MAINTAINERS"
cp "$src"/Documentation/netlink/genetlink*.yaml "$tmp/tree/Documentation/netlink/"
spec=$tmp/tree/Documentation/netlink/specs/tcpark.yaml
cp "$repo/docs/netlink/tcpark.yaml" "$spec"
if ! python3 "$src/tools/net/ynl/ynl-gen-c.py" --mode uapi --header \
	--spec "$spec" -o "$tmp/gen.h" </dev/null >"$tmp/gen.log" 2>&1; then
	sed 's/^/# /' "$tmp/gen.log"
	echo "not ok - YNL spec: ynl-gen-c.py refused it"
	exit 1
fi

# print.c for header $1: "NAME VALUE" for every name of the generated one.
names=$(grep -oE '\b_{0,2}TCPARK_[A-Z0-9_]+' "$tmp/gen.h" | sort -u)
printer() {
	{
		echo "#include <stdio.h>"
		echo "#include \"$1\""
		echo "int main(void) {"
		for n in $names; do
			if grep -qE "define $n[[:space:]]+\"" "$tmp/gen.h"; then
				echo "printf(\"$n %s\\n\", $n);"
			else
				echo "printf(\"$n %lld\\n\", (long long)($n));"
			fi
		done
		echo "return 0; }"
	} >"$tmp/p.c"
	gcc -I"$repo/uapi" -o "$tmp/p" "$tmp/p.c" && "$tmp/p"
}
fail=0
printer "$tmp/gen.h" >"$tmp/spec.txt"
if ! printer "$repo/uapi/linux/tcpark.h" >"$tmp/ours.txt" 2>"$tmp/cc.log"; then
	sed 's/^/# /' "$tmp/cc.log" | grep -E 'error' | head -20
	echo "not ok - YNL spec: names the uapi header lacks"
	exit 1
fi
if ! diff -u "$tmp/ours.txt" "$tmp/spec.txt" >"$tmp/diff"; then
	sed 's/^/# /' "$tmp/diff"
	fail=1
fi
for n in $(sed -n 's/^[[:space:]]*\(TCPARK_\(A\|CMD\)_[A-Z0-9_]*\).*/\1/p' \
	"$repo/uapi/linux/tcpark.h" | grep -v '_UNSPEC$' | sort -u); do
	grep -qw "$n" "$tmp/gen.h" || { echo "# not in the spec: $n"; fail=1; }
done
if [ "$fail" = 0 ]; then
	echo "ok - YNL spec matches uapi/linux/tcpark.h ($(wc -l <"$tmp/spec.txt") names)"
else
	echo "not ok - YNL spec and uapi/linux/tcpark.h differ"
fi
exit "$fail"
