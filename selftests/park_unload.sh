#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Parked records end cleanly, and nothing leaks.
#  1. 20 park/unpark cycles of PARK_CYCLE_N connections (default 1000,
#     half IPv4, half IPv6): park = the server closes in transient mode;
#     unpark = "tcparkctl kill state parked" (odd cycles: the clients see
#     ECONNRESET) or the clients' own RSTs (even cycles). After each cycle
#     the tcpark_record objects, the ULP sockets and the module's
#     references are back to their baseline; after all of them slab memory
#     in use has grown by at most 256 KiB (20,000 leaked
#     records would be 2.2 MiB, leaked sockets far more).
#  2. rmmod with 200 records, under a flood of keepalives at one of them:
#     every client gets the module's RST (state CLOSE, ECONNRESET;
#     counted on the wire too), no splat, and the record cache
#     goes away with the module (unless the kernel merged it with another
#     cache of the same size: then only its objects go).
#  3. The server netns deleted with 200 records: they are freed, and
#     every client gets the module's RST (CLOSE, ECONNRESET). The module
#     sends them from its pernet .pre_exit, while the netns still has
#     its devices and routes (by .exit they were gone: the clients heard
#     nothing and stayed ESTABLISHED until their own keepalive gave up).
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

CYCLES=${PARK_CYCLES:-20}
N=${PARK_CYCLE_N:-1000}
H=$((N / 2))
CAP_PID=

cleanup_test()
{
	mass_end
	[ -z "$CAP_PID" ] || kill "$CAP_PID" 2>/dev/null
}

module_load
setup_hosts

echo "# 1. $CYCLES park/unpark cycles of $N connections"
mass_start
settle
base_objs=$(record_objects_exact)
base_inuse=$(slab_inuse)
cp /proc/slabinfo "$MASS_DIR/slabinfo.0"
base_socks=$(stat sockets)
base_refs=$(module_refcnt)
parks0=$(stat parks)
kills0=$(stat kills)
echo "# baseline: $base_objs records, $base_socks ULP sockets, refcnt $base_refs, slab in use $base_inuse"
t=$(date +%s)
i=1
while [ "$i" -le "$CYCLES" ]; do
	ok=1
	{ mass "connect $H 4" && mass "connect $H 6" && mass park; } >/dev/null || ok=0
	wait_stat parked "$N" || ok=0
	wait_records "$((base_objs + N))" || ok=0
	if [ $((i % 2)) = 1 ]; then
		how="tcparkctl kill"
		tcparkctl -n "$NS_SRV" kill state parked >/dev/null || ok=0
		wait_mass_state 0 "$N" "$N" || ok=0
		mass close-clients >/dev/null || ok=0
	else
		how="client RSTs"
		mass rst >/dev/null || ok=0
	fi
	wait_stat parked 0 || ok=0
	wait_records "$base_objs" || ok=0
	wait_stat sockets "$base_socks" || ok=0
	[ "$(module_refcnt)" = "$base_refs" ] || { echo "  refcnt $(module_refcnt)"; ok=0; }
	log_test "cycle $i ($how): records, sockets, refs back" [ "$ok" = 1 ]
	i=$((i + 1))
done
echo "# $CYCLES cycles in $(($(date +%s) - t)) s"
log_test "parks counted: $((CYCLES * N))" eq "$(($(stat parks) - parks0))" "$((CYCLES * N))"
log_test "kills counted: $(((CYCLES + 1) / 2 * N))" \
	eq "$(($(stat kills) - kills0))" "$(((CYCLES + 1) / 2 * N))"
settle
inuse=$(slab_inuse)
echo "# slab in use: $base_inuse -> $inuse ($((inuse - base_inuse)) bytes)"
cp /proc/slabinfo "$MASS_DIR/slabinfo.1"
slabinfo_diff "$MASS_DIR/slabinfo.0" "$MASS_DIR/slabinfo.1"
debug_kernel ||
	log_test "slab in use grew by at most 256 KiB" le "$((inuse - base_inuse))" 262144

echo "# 2. rmmod with 200 records"
mass "connect 100 4"
mass "connect 100 6"
mass park
log_test "200 parked" wait_stat parked 200
mass close-listeners
log_test "no ULP socket left (refcnt 0)" wait_refcnt 0
"$DIR/wirecap" -n "$NS_CLI" -i veth_cli -t 600 >"$MASS_DIR/wire" 2>"$MASS_DIR/wire.err" &
CAP_PID=$!
busywait 5000 grep -q ready "$MASS_DIR/wire.err"
if record_cache_alone; then alone=1; else alone=0; fi
# A flood of keepalives at one record while the module goes away.
show=$(tcparkctl -n "$NS_SRV" -4 -j show state parked)
lport=$(echo "$show" | sed -n 's/.*"local_port":\([0-9]*\).*/\1/p')
rport=$(echo "$show" | sed -n 's/.*"remote_port":\([0-9]*\).*/\1/p')
"$DIR/forge" -n "$NS_CLI" -R "$NS_SRV" -s "$CLI_IP4" -S "$rport" -d "$SRV_IP4" \
	-D "$lport" -f A -q rcv_nxt-1 -a snd_nxt -c 20000 >/dev/null 2>&1 &
FLOOD_PID=$!
sleep 0.3
if kill -0 "$FLOOD_PID" 2>/dev/null; then flood=running; else flood="already over"; fi
log_test "rmmod with records present (keepalive flood $flood)" rmmod tcpark
wait "$FLOOD_PID" || true
log_test "every client reset (CLOSE, ECONNRESET)" wait_mass_state 0 200 200
sleep 0.5
kill "$CAP_PID" 2>/dev/null || true
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=
# The module's RSTs are RST|ACK; the stack's answers to the rest of the
# flood (no socket any more) are bare RSTs.
rsts=$(grep -v '(out)' "$MASS_DIR/wire" | grep -c '\[RA\]' || true)
log_test "200 RST|ACKs on the wire" eq "$rsts" 200
if [ "$alone" = 1 ]; then
	log_test "tcpark_record cache gone" eval '[ ! -e "$SLAB_DIR/objects" ]'
else
	echo "# tcpark_record was merged into $(readlink "$SLAB_DIR") (slab_nomerge keeps it apart)"
fi
mass close-clients
mass_end
settle
inuse=$(slab_inuse)
echo "# slab in use: $base_inuse -> $inuse ($((inuse - base_inuse)) bytes)"
debug_kernel ||
	log_test "slab in use grew by at most 256 KiB" le "$((inuse - base_inuse))" 262144

echo "# 3. the server netns deleted with 200 records"
module_load
mass_start
mass "connect 100 4"
mass "connect 100 6"
mass park
log_test "200 parked" wait_stat parked 200
log_test "200 tcpark_record objects" wait_records 200
mass close-listeners
run "$IP" netns del "$NS_SRV"
NS_MADE=$NS_CLI
log_test "records freed with the netns" wait_records 0
log_test "module references back to 0" wait_refcnt 0
log_test "every client reset (CLOSE, ECONNRESET)" wait_mass_state 0 200 200
mass close-clients
mass_end
log_test "rmmod tcpark" rmmod tcpark

exit $RET
