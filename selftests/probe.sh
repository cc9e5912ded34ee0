#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Probes the module sends for parked records, and expiry (probe.c).
#  1. net.tcpark.keepalive_interval_ms 1000, probes 3: 40 records (IPv4
#     and IPv6) are probed; each probe on the client's wire is a bare ACK
#     at the record's snd_nxt - 1 acking its rcv_nxt; the clients' TCP
#     answers, so nothing expires and the records stay parked for 5 s,
#     five intervals past what three unanswered probes would allow.
#  2. The devices vanish (netem drops all the clients send): every
#     record expires after (probes + 1) x interval of silence, not before
#     2 s, with an RST; counted as expired_probes; the clients, once
#     they can hear again, are reset.
#  3. Probes off, net.tcpark.peer_timeout_ms 2000: peers that send their
#     own keepalive every second keep their records for 6 s, three
#     timeouts; once they fall silent (netem) the records expire
#     (expired_peer_timeout) and the peers are reset.
#  4. ICMP errors quoting a record's segment (forge -I), as tcp_v4_err()
#     and tcp_v6_err() judge them: one quoting a sequence number we never
#     sent is ignored; a soft one (host unreachable, time exceeded), or a
#     hard one (port unreachable) that does not answer a probe (no probe
#     out, or quoting our ACK) is counted and changes nothing; a hard one
#     answering a probe ends the record, reason icmp.
#  5. The local IPv4 address removed while probes run: the IPv4 records'
#     probes cannot leave, they expire as a vanished peer's (reason
#     probes); the IPv6 ones stay.
#  6. Data for a record whose listener is gone, sent once: the device
#     never retransmits it, and the record still ends after
#     wake_timeout_ms (reason wake-timeout), the device reset.
#  7. The server netns deleted while 200 records probe: all freed, every
#     client reset; then rmmod.
# The expiry events carry the reason (tcparkctl monitor).
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

CAP_PID=
MON_PID=
cleanup_test()
{
	mass_end
	[ -z "$CAP_PID" ] || kill "$CAP_PID" 2>/dev/null
	[ -z "$MON_PID" ] || kill "$MON_PID" 2>/dev/null
}

module_load
require_netem
setup_hosts




xstat_ge()
{
	[ "$(xstat "$1")" -ge "$2" ]
}

now_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

echo "# 1. probes answered"
srv_sysctl keepalive_interval_ms 1000
srv_sysctl keepalive_probes 3
sent0=$(xstat .counters.probes_sent)
mass_start
mass "connect 20 4"
mass "connect 20 6"
"$DIR/wirecap" -n "$NS_CLI" -i veth_cli -t 600 >"$MASS_DIR/wire" 2>"$MASS_DIR/wire.err" &
CAP_PID=$!
busywait 5000 grep -q ready "$MASS_DIR/wire.err"
mass park
log_test "40 parked" wait_stat parked 40
show=$(tcparkctl -n "$NS_SRV" -j show state parked)
log_test "every record probes every 1000 ms" \
	eq "$(echo "$show" | grep -o '"ka_interval_ms":1000[,}]' | wc -l)" 40
log_test "... with 3 probes" eq "$(echo "$show" | grep -o '"ka_probes":3[,}]' | wc -l)" 40
log_test "probes sent: at least 2 per record within 5 s" \
	busywait 8000 xstat_ge .counters.probes_sent $((sent0 + 80))
sleep 2
log_test "nothing expired" eq "$(xstat .expired.probes)" 0
log_test "all 40 still parked" stat_is parked 40
log_test "clients ESTABLISHED" wait_mass_state 40 0 0
# A probe on the wire: [A], no data, seq = snd_nxt - 1, ack = rcv_nxt.
# (-j show is one line: each sed takes the last record's field.)
rec=$(tcparkctl -n "$NS_SRV" -j show -4 state parked)
lport=$(echo "$rec" | sed -n 's/.*"local_port":\([0-9]*\).*/\1/p' | head -n 1)
rport=$(echo "$rec" | sed -n 's/.*"remote_port":\([0-9]*\).*/\1/p' | head -n 1)
snd=$(echo "$rec" | sed -n 's/.*"snd_nxt":\([0-9]*\).*/\1/p' | head -n 1)
rcv=$(echo "$rec" | sed -n 's/.*"rcv_nxt":\([0-9]*\).*/\1/p' | head -n 1)
probe="$SRV_IP4:$lport > $CLI_IP4:$rport \[A\] seq $(((snd - 1) & 0xffffffff)) ack $rcv win [0-9]* len 0"
log_test "a probe on the wire: seq snd_nxt - 1 ($((snd - 1))), ack rcv_nxt ($rcv)" \
	busywait 3000 grep -q "$probe" "$MASS_DIR/wire"
kill "$CAP_PID" 2>/dev/null || true
CAP_PID=

echo "# 2. the devices vanish"
tcparkctl -n "$NS_SRV" -j monitor >"$TMP/mon" 2>&1 &
MON_PID=$!
sleep 0.5
exp0=$(xstat .expired.probes)
run "$IP" netns exec "$NS_CLI" tc qdisc add dev veth_cli root netem loss 100%
t0=$(now_ms)
# When the first record went: by the end of the first look that saw it
# gone (tcparkctl is slow on a debug kernel: that only makes it later).
first=
while [ -z "$first" ] && [ $(($(now_ms) - t0)) -lt 15000 ]; do
	n=$(stat parked)
	[ "$n" -lt 40 ] && first=$(($(now_ms) - t0))
	[ -n "$first" ] || sleep 0.2
done
echo "# the first record expired by $first ms of silence"
# Its last answer came at most 1.5 intervals before the silence began.
log_test "none expired within 2 s of silence" eq "$((${first:-0} >= 2000))" 1
log_test "all 40 expired after probes + 1 intervals" busywait 15000 stat_is parked 0
t1=$(now_ms)
echo "# expired $((t1 - t0)) ms after the clients went silent (4000-5500 expected)"
log_test "40 counted as expired_probes" eq "$(($(xstat .expired.probes) - exp0))" 40
exp1=$(xstat .expired.probes)
run "$IP" netns exec "$NS_CLI" tc qdisc del dev veth_cli root
log_test "expiry events: reason probes" \
	busywait 3000 eval '[ "$(grep -c "\"reason\":\"probes\"" "$TMP/mon")" = 40 ]'
kill "$MON_PID" 2>/dev/null || true
MON_PID=
# The RSTs went out while the clients' replies were dropped, not their
# arrival: the clients got them (the qdisc is on their egress only).
log_test "the clients were reset (CLOSE, ECONNRESET)" wait_mass_state 0 40 40
mass_end

echo "# 3. peer_timeout_ms, probes off"
srv_sysctl keepalive_interval_ms 0
srv_sysctl peer_timeout_ms 2000
pt0=$(xstat .expired.peer_timeout)
mass_start
mass "connect 10 4"
mass "connect 10 6"
mass "keepalive 1"
mass park
log_test "20 parked" wait_stat parked 20
sleep 6
log_test "peers that send keepalives keep their records for 3 timeouts" \
	stat_is parked 20
log_test "none expired" eq "$(xstat .expired.peer_timeout)" "$pt0"
run "$IP" netns exec "$NS_CLI" tc qdisc add dev veth_cli root netem loss 100%
log_test "silent peers' records expire after peer_timeout_ms" \
	busywait 15000 stat_is parked 0
log_test "20 counted as expired_peer_timeout" \
	eq "$(($(xstat .expired.peer_timeout) - pt0))" 20
log_test "nothing counted as expired_probes" eq "$(xstat .expired.probes)" "$exp1"
run "$IP" netns exec "$NS_CLI" tc qdisc del dev veth_cli root
# Reset by the records' RSTs, or dead of their own unanswered keepalives.
none_estab()
{
	mass state >/dev/null && [ "$(reply_field estab)" = 0 ]
}
log_test "no client left ESTABLISHED" busywait 20000 none_estab
mass_end
srv_sysctl peer_timeout_ms 7440000

echo "# 4. ICMP errors about a record's segments"
# icmp FAMILY TYPE/CODE SEQ: from the client, about the last record of
# FAMILY (4 or 6) that -j show lists, quoting a segment of ours at SEQ.
icmp()
{
	_r=$(tcparkctl -n "$NS_SRV" -j show "-$1" state parked)
	_l=$(echo "$_r" | sed -n 's/.*"local_port":\([0-9]*\).*/\1/p')
	_p=$(echo "$_r" | sed -n 's/.*"remote_port":\([0-9]*\).*/\1/p')
	if [ "$1" = 4 ]; then _s=$SRV_IP4 _d=$CLI_IP4; else _s=$SRV_IP6 _d=$CLI_IP6; fi
	run "$DIR/forge" -n "$NS_CLI" -R "$NS_SRV" -s "$_s" -S "$_l" -d "$_d" -D "$_p" \
		-q "$3" -I "$2"
}
srv_sysctl keepalive_interval_ms 0
mass_start
mass "connect 2 4"
mass "connect 2 6"
mass park
log_test "4 parked, probes off" wait_stat parked 4
ig0=$(xstat .icmp.ignored)
so0=$(xstat .icmp.soft)
ex0=$(xstat .expired.icmp)
log_test "IPv4 port unreachable quoting snd_nxt + 1000 (forged)" icmp 4 3/3 snd_nxt+1000
log_test "IPv6 port unreachable quoting snd_nxt - 2 (forged)" icmp 6 1/4 snd_nxt-2
log_test "  both ignored" busywait 3000 eval '[ "$(xstat .icmp.ignored)" = $((ig0 + 2)) ]'
log_test "IPv4 host unreachable quoting snd_nxt - 1" icmp 4 3/1 snd_nxt-1
log_test "IPv6 time exceeded quoting our ACK (snd_nxt)" icmp 6 3/0 snd_nxt
# TCP keeps even a hard error on an established socket as a soft one
# (sk_err_soft); a record takes one only as the answer to a probe.
log_test "IPv4 port unreachable at snd_nxt - 1, no probe out" icmp 4 3/3 snd_nxt-1
log_test "IPv6 port unreachable quoting our ACK" icmp 6 1/4 snd_nxt
log_test "  all four soft: counted" busywait 3000 eval '[ "$(xstat .icmp.soft)" = $((so0 + 4)) ]'
log_test "  all 4 still parked" stat_is parked 4
log_test "  none expired" eq "$(xstat .expired.icmp)" "$ex0"
mass rst
mass_end
log_test "no record left" wait_stat parked 0

# Probes that the devices never see (lost on the server's egress).
srv_sysctl keepalive_interval_ms 1000
srv_sysctl keepalive_probes 10
mass_start
mass "connect 1 4"
mass "connect 1 6"
mass park
log_test "2 parked, probing" wait_stat parked 2
run "$IP" netns exec "$NS_SRV" tc qdisc add dev veth_srv root netem loss 100%
probes_out_both()
{
	[ "$(tcparkctl -n "$NS_SRV" -j show state parked |
		grep -o '"probes_out":[1-9]' | wc -l)" = 2 ]
}
log_test "  both have a probe out" busywait 5000 probes_out_both
tcparkctl -n "$NS_SRV" -j monitor >"$TMP/mon" 2>&1 &
MON_PID=$!
sleep 0.5
log_test "IPv4 port unreachable quoting our probe" icmp 4 3/3 snd_nxt-1
log_test "IPv6 port unreachable quoting our probe" icmp 6 1/4 snd_nxt-1
log_test "  both records ended" wait_stat parked 0
log_test "  counted as expired icmp" eq "$(xstat .expired.icmp)" $((ex0 + 2))
log_test "  expiry events: reason icmp" \
	busywait 3000 eval '[ "$(grep -c "\"reason\":\"icmp\"" "$TMP/mon")" = 2 ]'
log_test "  nothing ignored or soft on the way" \
	eq "$(xstat .icmp.ignored) $(xstat .icmp.soft)" "$((ig0 + 2)) $((so0 + 4))"
kill "$MON_PID" 2>/dev/null || true
MON_PID=
run "$IP" netns exec "$NS_SRV" tc qdisc del dev veth_srv root
mass rst
mass_end

echo "# 5. the local address goes, while probes run"
srv_sysctl keepalive_interval_ms 1000
srv_sysctl keepalive_probes 2
ex0=$(xstat .expired.probes)
mass_start
mass "connect 10 4"
mass "connect 10 6"
mass park
log_test "20 parked, probing" wait_stat parked 20
run "$IP" -n "$NS_SRV" addr del "$SRV_IP4/24" dev veth_srv
# Probes from an address the netns no longer has find no route: the
# IPv4 records hear nothing and expire as a vanished peer's would.
log_test "the 10 IPv4 records expire (probes + 1 intervals)" busywait 15000 stat_is parked 10
log_test "  as expired probes" eq "$(($(xstat .expired.probes) - ex0))" 10
sleep 1
log_test "  the IPv6 ones stay" stat_is parked 10
run "$IP" -n "$NS_SRV" addr add "$SRV_IP4/24" dev veth_srv
mass rst
mass_end
log_test "no record left" wait_stat parked 0

echo "# 6. data for a record with no listener, then the device goes"
srv_sysctl keepalive_interval_ms 0
# The debug kernel takes over a second for the tcparkctl and forge runs
# between the first segment and the look that both still wait.
if debug_kernel; then WT=4000; else WT=1000; fi
srv_sysctl wake_timeout_ms $WT
mass_start
mass "connect 1 4"
mass "connect 1 6"
mass park
log_test "2 parked, probes off" wait_stat parked 2
mass close-listeners
tcparkctl -n "$NS_SRV" -j monitor >"$TMP/mon" 2>&1 &
MON_PID=$!
sleep 0.5
wx0=$(xstat .wake.expired)
# One data segment each (forged from the device, never retransmitted):
# the record waits for a listener; nothing else arrives for it.
for f in 4 6; do
	_r=$(tcparkctl -n "$NS_SRV" -j show "-$f" state parked)
	_l=$(echo "$_r" | sed -n 's/.*"local_port":\([0-9]*\).*/\1/p')
	_p=$(echo "$_r" | sed -n 's/.*"remote_port":\([0-9]*\).*/\1/p')
	if [ "$f" = 4 ]; then _s=$CLI_IP4 _d=$SRV_IP4; else _s=$CLI_IP6 _d=$SRV_IP6; fi
	log_test "IPv$f data at rcv_nxt, no listener" run "$DIR/forge" -n "$NS_CLI" \
		-R "$NS_SRV" -s "$_s" -S "$_p" -d "$_d" -D "$_l" -f PA -q rcv_nxt -a snd_nxt -l 10
done
log_test "  both still parked, waiting" stat_is parked 2
log_test "  both end within wake_timeout_ms + its half" busywait $((WT * 4)) stat_is parked 0
log_test "  counted as wake expired" eq "$(($(xstat .wake.expired) - wx0))" 2
log_test "  expiry events: reason wake-timeout" \
	busywait 3000 eval '[ "$(grep -c "\"reason\":\"wake-timeout\"" "$TMP/mon")" = 2 ]'
kill "$MON_PID" 2>/dev/null || true
MON_PID=
log_test "  the clients were reset (CLOSE, ECONNRESET)" wait_mass_state 0 2 2
mass close-clients
mass_end
srv_sysctl wake_timeout_ms 30000
srv_sysctl keepalive_interval_ms 1000

echo "# 7. the server netns deleted, then rmmod, while probes run"
mass_start
mass "connect 100 4"
mass "connect 100 6"
mass park
log_test "200 parked, probing" wait_stat parked 200
mass close-listeners
sleep 1.5	# probes and answers under way
run "$IP" netns del "$NS_SRV"
NS_MADE=$NS_CLI
log_test "records freed with the netns" wait_records 0
log_test "every client reset (CLOSE, ECONNRESET)" wait_mass_state 0 200 200
mass close-clients
mass_end
log_test "no ULP socket left (refcnt 0)" wait_refcnt 0
log_test "rmmod tcpark" rmmod tcpark

exit $RET
