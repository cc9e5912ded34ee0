#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Records are charged to the memory cgroup of the socket that parked them
# (kmod/record.c, tcpark_record_alloc()), whichever context parks it.
#
# The server (park_mass) runs in a child cgroup of cgroup v2 with the
# memory controller. 1,000 IPv4 connections park by close() (the app's
# own context), 1,000 IPv6 ones by the idle timer (a kworker, which
# charges nobody unless told whom to charge). Then, from outside the
# cgroup, `tcparkctl kill` frees each family's records in turn (their RSTs
# dropped by netem, so that the clients, in the cgroup too, keep their
# sockets and ports): the cgroup's memory.stat "slab" must fall by about
# 1,000 records each time.
#
# Arithmetic: a charged slab object costs its slab size (object + SLUB
# alignment, /sys/kernel/slab/tcpark_record/slab_size: 120 B here) plus
# the obj_cgroup pointer kept next to its slab (8 B): 1,000 x 128 B =
# 128,000 B. Slop: each CPU caches up to a page of slab stat updates
# before flushing them to the cgroup (memcg obj_stock), and the cgroup's
# counters are flushed every 2 s: +/- 16 KiB.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

N=1000
CGROOT=/sys/fs/cgroup
CG=$CGROOT/tcpark-$NS_SUFFIX
SLOP=16384

cleanup_test()
{
	mass_end
	"$TC" -n "$NS_SRV" qdisc del dev veth_srv root 2>/dev/null
	rmdir "$CG" 2>/dev/null
}

if debug_kernel; then
	echo "SKIP: KASAN and kmemleak change slab sizes"
	exit $ksft_skip
fi
# Mounted by an earlier run in this guest as "none": match the type.
if ! awk -v m="$CGROOT" '$2 == m && $3 == "cgroup2" { f = 1 } END { exit !f }' /proc/mounts; then
	mount -t cgroup2 none "$CGROOT" || { echo "SKIP: no cgroup2"; exit $ksft_skip; }
fi
grep -qw memory "$CGROOT/cgroup.controllers" || { echo "SKIP: no memory controller"; exit $ksft_skip; }
echo +memory >"$CGROOT/cgroup.subtree_control"
mkdir "$CG"

module_load
require_netem
setup_hosts

# park_mass enters the cgroup before it opens anything.
cat >"$TMP/cgexec" <<EOF
#!/bin/sh
echo \$\$ >"$CG/cgroup.procs" && exec "\$@"
EOF
chmod +x "$TMP/cgexec"

cg_slab()
{
	sleep 2.2	# the periodic memcg stats flush
	awk '$1 == "slab" { print $2 }' "$CG/memory.stat"
}

MASS_PREFIX=$TMP/cgexec mass_start
log_test "park_mass runs in the cgroup" eval 'grep -qx "$MASS_PID" "$CG/cgroup.procs"'

mass "connect $N 4"
mass park
log_test "$N IPv4 records parked by close()" wait_stat parked "$N"
mass "connect $N 6"
mass "idle 200"
log_test "$N IPv6 records parked by the idle timer" wait_stat parked $((2 * N))

size=$(cat "$SLAB_DIR/slab_size" 2>/dev/null || echo 120)
want=$((N * (size + 8)))
echo "# each record: slab_size $size + 8 B obj_cgroup pointer; $N records: $want B"

run "$TC" -n "$NS_SRV" qdisc add dev veth_srv root netem loss 100%
settle
s0=$(cg_slab)
run tcparkctl -n "$NS_SRV" kill -6 state parked >/dev/null
log_test "idle-timer records killed" wait_stat parked "$N"
settle
s1=$(cg_slab)
run tcparkctl -n "$NS_SRV" kill -4 state parked >/dev/null
log_test "close() records killed" wait_stat parked 0
settle
s2=$(cg_slab)

d6=$((s0 - s1))
d4=$((s1 - s2))
echo "# memory.stat slab: $s0 -> $s1 (-$d6) -> $s2 (-$d4); want -$want +/- $SLOP each"
log_test "idle-timer parks were charged to the cgroup: $d6 B" \
	le "$(abs $((d6 - want)))" "$SLOP"
log_test "close() parks were charged to the cgroup: $d4 B" \
	le "$(abs $((d4 - want)))" "$SLOP"

mass_end
exit $RET
