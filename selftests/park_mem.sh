#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a parked connection costs, against an idle stock one.
#
# N connections (PARK_MEM_N, default 10000; half IPv4, half IPv6) between
# the two hosts of lib.sh, both ends held by fds:
#  stock:  plain TCP on both ends. Cost of one idle ESTABLISHED endpoint =
#          growth / 2N.
#  parked: the server listens with tcpark (transient), then closes every
#          connection: each becomes a record. The records are then killed
#          with the server's RSTs dropped by netem, so the clients stay and
#          only the records go. Cost of one parked connection = what went
#          away with the records / N.
# Memory is read three ways: slab objects in use (/proc/slabinfo, active
# objects x size, over all caches), kernel pages (meminfo Slab +
# VmallocUsed, where the hash table's buckets live) and MemFree; plus the
# tcpark_record cache's own object count.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

N=${PARK_MEM_N:-10000}
H=$((N / 2))

cleanup_test()
{
	mass_end
	"$TC" -n "$NS_SRV" qdisc del dev veth_srv root 2>/dev/null
}

module_load
modprobe sch_netem 2>/dev/null || true
setup_hosts

snap()
{
	settle
	eval "I$1=\$(slab_inuse) K$1=\$(kmem) F$1=\$(meminfo MemFree) V$1=\$(meminfo VmallocUsed)"
}

# buckets_ok BYTES N OBJSIZE: BYTES - N x OBJSIZE is 8 x the buckets of
# two tables (by 4-tuple, by peer) of N keys each, so 2 x a power of two
# in [4N/3, 8N/3) (only one power of two lies in such a range).
buckets_ok()
{
	b=$((($1 - $2 * $3) / 16))
	echo "  buckets: 2 x $b ($(($1 - $2 * $3)) B)"
	[ $(($1 - $2 * $3)) -eq $((b * 16)) ] && [ "$b" -gt 0 ] &&
		[ $((b & (b - 1))) -eq 0 ] &&
		[ $((3 * b)) -ge $((4 * $2)) ] && [ $((3 * b)) -lt $((8 * $2)) ]
}

echo "# stock: $N idle connections, plain TCP both ends"
snap 0
mass_start -P
t=$(date +%s)
mass "connect $H 4"
mass "connect $H 6"
echo "# $N connections in $(($(date +%s) - t)) s"
snap 1
mass rst
mass_end
stock_inuse=$(((I1 - I0) / (2 * N)))
stock_kmem=$(((K1 - K0) / (2 * N)))
stock_free=$(((F0 - F1) / (2 * N)))

echo "# parked: $N connections, then the server closes them all"
snap 2
o2=$(record_objects_exact)
mass_start
mass "connect $H 4"
mass "connect $H 6"
snap 3
mass park
log_test "parked $N" wait_stat parked "$N"
snap 4
o4=$(record_objects_exact)
log_test "clients all ESTABLISHED" wait_mass_state "$N" 0 0
# The module keeps its cache unmerged: the count is of records alone.
log_test "tcpark_record is a cache of its own" record_cache_alone
log_test "tcpark_record objects +$N" eq "$((o4 - o2))" "$N"
pbytes=$(stat parked_bytes)
objsize=$(cat "$SLAB_DIR/object_size" 2>/dev/null || echo 0)
slot=$(cat "$SLAB_DIR/slab_size" 2>/dev/null || echo 0)
log_test "record object size $objsize <= 128" le "$objsize" 128
# parked_bytes is records x object size + the bucket array. Both
# parts are checked exactly, not against slab-wide totals (other
# objects come and go meanwhile, and a bucket array above 8 KiB is
# a page allocation that neither Slab nor VmallocUsed shows):
#  - records: exactly N (counted above), object_size from sysfs;
#  - buckets: 8 B each, a power of two per table, both tables (by
#    4-tuple and by peer) hold N keys here. rhashtable grows when more
#    than 3/4 full and doubles: after settle() (its worker done),
#    N <= 3/4 size and the size it last doubled from was < N / (3/4),
#    so 4N/3 <= size < 8N/3 (N = 10000: 16384 exactly).
log_test "parked_bytes = $N x $objsize + 2 bucket arrays of 4N/3..8N/3 x 8 B" \
	buckets_ok "$pbytes" "$N" "$objsize"

# Only the records go: their RSTs never reach the clients.
run "$TC" -n "$NS_SRV" qdisc add dev veth_srv root netem loss 100%
run tcparkctl -n "$NS_SRV" kill state parked
log_test "records killed" wait_stat parked 0
log_test "tcpark_record objects back to $o2" wait_records "$o2"
snap 5
run "$TC" -n "$NS_SRV" qdisc del dev veth_srv root
log_test "clients still ESTABLISHED (RSTs dropped)" wait_mass_state "$N" 0 0

park_inuse=$(((I4 - I5) / N))
park_kmem=$(((K4 - K5) / N))
park_free=$(((F5 - F4) / N))
srv_inuse=$(((I3 - I4) / N + park_inuse))
if record_cache_alone; then alone="its own cache"; else alone="merged cache"; fi

echo "#"
echo "# bytes per connection ($N, kernel $(uname -r), tcpark_record: $alone,"
echo "# object size $(cat "$SLAB_DIR/object_size" 2>/dev/null), $(cat "$SLAB_DIR/objs_per_slab" 2>/dev/null) per slab)"
printf '# %-34s %10s %10s %10s\n' "" "slab objs" "slab+vmal" "MemFree"
printf '# %-34s %10d %10d %10d\n' "idle ESTABLISHED stock endpoint" \
	"$stock_inuse" "$stock_kmem" "$stock_free"
printf '# %-34s %10d %10d %10d\n' "parked transient connection" \
	"$park_inuse" "$park_kmem" "$park_free"
printf '# %-34s %10d\n' "server endpoint before park (ULP)" "$srv_inuse"
echo "# stock / parked (slab+vmalloc): $((stock_kmem / (park_kmem > 0 ? park_kmem : 1)))x"
echo "# the module's own parked_bytes: $((pbytes / N)) per record"
echo "#"

if debug_kernel; then
	echo "# debug kernel (KASAN/kmemleak): byte checks skipped"
else
	# Slab-wide deltas also move with unrelated objects (netlink skbs,
	# dentries) during the kill. /proc/slabinfo counts each object at its
	# slot size (slab_size: the object plus the free pointer that a cache
	# with a constructor keeps after it), so the bounds are over that:
	# 32 B x N = 320 KiB (objects) and ~80 B x N = 800 KiB (pages: 32
	# records a 4 KiB page) for the churn, 2.5x the most seen (120 KiB).
	log_test "parked: slab objects <= $slot + 32 B per connection" \
		le "$park_inuse" $((slot + 32))
	log_test "parked: slab+vmalloc pages <= 208 B per connection" le "$park_kmem" 208
	log_test "stock endpoint >= 2000 B (a socket, not a record)" le 2000 "$stock_inuse"
	log_test "stock >= 15x parked (slab+vmalloc)" le "$((15 * park_kmem))" "$stock_kmem"
fi

mass rst
mass_end
log_test "all ULP sockets released (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
