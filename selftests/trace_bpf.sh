#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A BPF program on the tcpark tracepoints (kmod/trace.h): tcpark_trace.bpf.c,
# built by the Makefile with clang -target bpf, attached by bpf_attach
# (libbpf; bookworm's bpftool 7.1 cannot attach a tracepoint itself) with
# its links and maps pinned under /sys/fs/bpf/, and seen through bpftool:
#  1. The object's hand-written contexts (its BTF: every field's name,
#     offset and size) are the tcpark_park and tcpark_record_end format
#     files' fields, so the programs read what the events store.
#  2. Attached: bpftool lists tcpark_park and tcpark_end as tracepoint
#     programs (the ids bpf_attach reported, each its pinned link's), and
#     the maps parks and ends.
#  3. 3 IPv4 and 2 IPv6 connections park: "parks" (bpftool -j map dump)
#     counts exactly 3 on the IPv4 listener's family and port (from the
#     sockaddr in laddr) and 2 on the IPv6 one's, the ports park_mass
#     listens on.
#  4. The clients reset them: "ends" holds exactly the five records'
#     cookies (tcparkctl show), each ended once, event=expired
#     reason=peer_reset (the numbers from the format file's print fmt).
#  5. The links unpinned, bpftool no longer lists the programs and a
#     further park and reset change neither map.
# Skips on a kernel without ftrace (the debug kernel).
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

TR=/sys/kernel/tracing
BPFFS=/sys/fs/bpf
PIN=$BPFFS/tcpark-test-$$
OBJ=$DIR/tcpark_trace.bpf.o
BPFFS_MOUNTED=
cleanup_test()
{
	mass_end
	rm -rf "$PIN"
	[ -z "$BPFFS_MOUNTED" ] || umount "$BPFFS"
}

module_load
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null || true
if [ ! -d "$TR/events/tcpark" ]; then
	echo "SKIP: no tcpark events in tracefs (a kernel without ftrace)"
	exit "$ksft_skip"
fi
if ! command -v bpftool >/dev/null || [ ! -f "$OBJ" ] || [ ! -x "$DIR/bpf_attach" ]; then
	echo "FAIL: bpftool, $OBJ or bpf_attach missing (tools/deps.sh, make -C selftests)"
	exit 1
fi
if ! grep -q " $BPFFS bpf " /proc/mounts; then
	run mount -t bpf bpf "$BPFFS"
	BPFFS_MOUNTED=1
fi
setup_hosts

# format_fields EVENT: "name offset size" of each field of tcpark_EVENT.
format_fields()
{
	awk -F';' '/^\tfield:/ {
		n = split($1, w, " "); name = w[n]; sub(/\[.*/, "", name)
		off = $2; sub(/.*:/, "", off); size = $3; sub(/.*:/, "", size)
		print name, off, size
	}' "$TR/events/tcpark/tcpark_$1/format" | sort
}

# btf_fields STRUCT: "name offset size" of each member of STRUCT in the
# object's BTF (bpftool's raw dump: sizes through typedefs and arrays).
btf_fields()
{
	bpftool btf dump file "$OBJ" format raw | awk -v want="$1" '
		function sz(t) {
			if (kind[t] == "TYPEDEF" || kind[t] == "CONST" || kind[t] == "VOLATILE")
				return sz(ref[t])
			if (kind[t] == "ARRAY")
				return nelem[t] * sz(ref[t])
			return size[t]
		}
		/^\[[0-9]+\] / {
			id = substr($1, 2, length($1) - 2); kind[id] = $2; cur = ""
			if ($2 == "STRUCT" && $3 == "\047" want "\047")
				cur = id
			for (i = 3; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == "size") size[id] = kv[2]
				if (kv[1] == "type_id") ref[id] = kv[2]
				if (kv[1] == "nr_elems") nelem[id] = kv[2]
			}
			next
		}
		cur != "" && /^\t\047/ {
			name = $1; gsub(/\047/, "", name)
			t = $2; sub(/type_id=/, "", t)
			b = $3; sub(/bits_offset=/, "", b)
			m++; mname[m] = name; mtype[m] = t; moff[m] = b / 8
		}
		END { for (i = 1; i <= m; i++) print mname[i], moff[i], sz(mtype[i]) }' | sort
}

# symbol EVENT FIELD NAME: NAME's number in tcpark_EVENT's print fmt.
symbol()
{
	sed -n 's/^print fmt: //p' "$TR/events/tcpark/tcpark_$1/format" |
		grep -o "__print_symbolic(REC->$2[^)]*)" |
		sed -n "s/.*{ *\([-0-9]*\), *\"$3\" *}.*/\1/p"
}

# dump MAP: the pinned map as "KEY... VALUE..." lines, sorted (its BTF
# fields, through bpftool -j and json_flat).
dump()
{
	bpftool -j map dump pinned "$PIN/$1" >"$TMP/$1.json" &&
		json_flat_file "$TMP/$1.json" "$TMP/$1.flat" || return 1
	case $1 in
	parks) want=".formatted.key.family .formatted.key.port .formatted.value" ;;
	ends) want=".formatted.key .formatted.value.count .formatted.value.event .formatted.value.reason" ;;
	esac
	awk -v want="$want" '
		/^\[/ { i = substr($1, 2, index($1, "]") - 2) + 0; if (i > max) max = i
		  p = substr($0, index($0, "]") + 1); k = substr(p, 1, index(p, "=") - 1)
		  v[i, k] = substr(p, index(p, "=") + 1); seen = 1 }
		END { if (!seen) exit
		      n = split(want, w, " ")
		      for (i = 0; i <= max; i++) {
			line = ""
			for (j = 1; j <= n; j++) line = line (j > 1 ? " " : "") v[i, w[j]]
			print line } }' "$TMP/$1.flat" | sort
}

# prog_listed NAME ID: bpftool prog list shows tracepoint program NAME as ID.
prog_listed()
{
	bpftool prog list | grep -Eq "^$2: tracepoint +name $1 "
}

prog_gone()
{
	! bpftool prog show id "$1" >/dev/null 2>&1
}

echo "# 1. the object's contexts are the format files'"
for ev in park record_end; do
	format_fields "$ev" >"$TMP/format-$ev"
	btf_fields "tcpark_${ev}_ctx" >"$TMP/btf-$ev"
	echo "# tcpark_$ev (name offset size): $(tr '\n' ',' <"$TMP/format-$ev")"
	log_test "struct tcpark_${ev}_ctx is tcpark_$ev's format" \
		eval 'diff "$TMP/format-$ev" "$TMP/btf-$ev" && [ -s "$TMP/btf-$ev" ]'
done
EXPIRED=$(symbol record_end event expired)
PEER_RESET=$(symbol record_end reason peer_reset)
log_test "expired, peer_reset in the print fmt ($EXPIRED, $PEER_RESET)" \
	eval '[ -n "$EXPIRED" ] && [ -n "$PEER_RESET" ]'

echo "# 2. load and attach"
run "$DIR/bpf_attach" "$OBJ" "$PIN" | tee "$TMP/attach"
PARK_ID=$(sed -n 's/^ok prog tcpark_park id \([0-9]*\) .*/\1/p' "$TMP/attach")
END_ID=$(sed -n 's/^ok prog tcpark_end id \([0-9]*\) .*/\1/p' "$TMP/attach")
log_test "bpf_attach: two programs, two maps" eq \
	"$(grep -c '^ok ' "$TMP/attach") $(cd "$PIN" && echo * | tr '\n' ' ')" \
	"4 ends link_tcpark_end link_tcpark_park parks "
echo "# bpftool prog list:"
bpftool prog list | sed 's/^/#   /'
log_test "bpftool lists tracepoint program tcpark_park" prog_listed tcpark_park "$PARK_ID"
log_test "bpftool lists tracepoint program tcpark_end" prog_listed tcpark_end "$END_ID"
log_test "each pinned link holds its program" eval \
	'bpftool link show pinned "$PIN/link_tcpark_park" | grep -Eq " prog $PARK_ID( |\$)" &&
	 bpftool link show pinned "$PIN/link_tcpark_end" | grep -Eq " prog $END_ID( |\$)"'
log_test "bpftool lists hash maps parks and ends" eval \
	'[ "$(bpftool map list | grep -cE "^[0-9]+: hash +name (parks|ends) ")" = 2 ]'
log_test "both maps empty" eval \
	'p=$(dump parks) && e=$(dump ends) && eq "$p|$e" "|"'

echo "# 3. park"
mass_start
P4=$(reply_field ports)
P6=${MASS_REPLY##* }
mass "connect 3 4"
mass "connect 2 6"
mass park
log_test "5 parked" wait_stat parked 5
tcparkctl -n "$NS_SRV" -j show state parked >"$TMP/show.json"
json_flat_file "$TMP/show.json" "$TMP/show.flat"
sed -n 's/^\[[0-9]*\]\.cookie=//p' "$TMP/show.flat" | sort >"$TMP/cookies"
echo "# parks (family port count):"
dump parks | sed 's/^/#   /'
log_test "parks: 3 on AF_INET :$P4, 2 on AF_INET6 :$P6, nothing else" eq \
	"$(dump parks | tr '\n' ';')" "$(printf '10 %s 2\n2 %s 3\n' "$P6" "$P4" | sort | tr '\n' ';')"
log_test "ends: none yet" eval 'e=$(dump ends) && eq "$e" ""'

echo "# 4. reset"
mass rst
log_test "no record left" wait_stat parked 0
echo "# ends (cookie count event reason):"
dump ends | sed 's/^/#   /'
log_test "ends: the five records' cookies, each once, expired peer_reset" eq \
	"$(dump ends | tr '\n' ';')" \
	"$(sed "s/\$/ 1 $EXPIRED $PEER_RESET/" "$TMP/cookies" | tr '\n' ';')"
log_test "... five distinct cookies" eq "$(wc -l <"$TMP/cookies")" 5

echo "# 5. detach"
dump parks >"$TMP/parks-before"
dump ends >"$TMP/ends-before"
run rm -f "$PIN/link_tcpark_park" "$PIN/link_tcpark_end"
log_test "bpftool no longer lists the programs" busywait 5000 \
	eval 'prog_gone "$PARK_ID" && prog_gone "$END_ID"'
mass "connect 1 4"
mass park
log_test "1 parked" wait_stat parked 1
mass rst
log_test "none left" wait_stat parked 0
log_test "neither map counted them" eval \
	'dump parks | cmp -s - "$TMP/parks-before" && dump ends | cmp -s - "$TMP/ends-before"'
mass_end
run rm -r "$PIN"

exit "$RET"
