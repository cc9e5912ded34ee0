#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Devices behind a NAT stay reachable through the module's own keepalive
# probes, and are lost without them.
#
# Three netns (lib.sh's setup_nat_hosts): the server, a router and the
# devices. The router masquerades the devices' private addresses, IPv4
# and IPv6, behind its public ones (nftables), and forgets a flow idle for
# CT_TIMEOUT s (net.netfilter.nf_conntrack_tcp_timeout_established, in its
# netns). It never picks a flow up mid-stream (nf_conntrack_tcp_loose 0:
# a device's later segment cannot make a new mapping) and drops whatever
# matches no mapping, from either side (ct state invalid). The devices are
# plain TCP sockets without SO_KEEPALIVE: after the handshake they send
# nothing of their own.
#
# Each case: 10 connections (5 IPv4, 5 IPv6) parked by the server, left
# idle for 3 x CT_TIMEOUT while the router's mappings are looked at every
# second; then the server pushes to half of them (connect() remap, "push
# J"; the device answers "ack J") and every device that got no push
# reports (it writes, the server accept()s the reactivated connection and
# answers).
#  A. Probes on (net.tcpark.keepalive_interval_ms 1000, keepalive_probes
#     3): all 10 mappings are there, ESTABLISHED, at every look; the probes
#     and the devices' answers are all that crosses the router (its
#     counters match probes_sent); nothing expires on the server; then
#     every push and every report gets through and is answered, nothing is
#     left unacknowledged and the router drops nothing.
#  B. Probes off (keepalive_interval_ms 0), the same idle: not one packet
#     crosses the router and every mapping expires. The server's remap
#     connect() still succeeds (the records are parked), but no push
#     reaches a device and no report reaches the server (no accept(), the
#     records stay parked): the router drops both as matching no mapping
#     and makes no new one for them, and their bytes stay unacknowledged.
#     The devices are lost.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=park_lib.sh
. "$DIR/park_lib.sh"
require_root

CT_TIMEOUT=4			# s: the router's established TCP timeout
IDLE=$((3 * CT_TIMEOUT))	# s: how long the devices stay quiet
N4=5
N6=5
N=$((N4 + N6))
TALK_MS=4000			# push and report wait this long for answers

if ! command -v nft >/dev/null; then
	echo "SKIP: no nft"
	exit $ksft_skip
fi
for m in nf_tables nft_ct nft_chain_nat nft_masq; do
	if ! modprobe "$m" 2>/dev/null; then
		echo "SKIP: no $m module"
		exit $ksft_skip
	fi
done

t_start=$(awk '{ printf "%d\n", $1 }' /proc/uptime)
module_load
setup_nat_hosts

rtr()
{
	"$IP" netns exec "$NS_RTR" "$@"
}

# The router: masquerade out of veth_wan, forward only what a mapping
# covers (or a new flow from the devices: counted, since a segment picked
# up mid-stream would be one), drop what no mapping matches.
rtr nft -f - <<EOF
table inet tcpark_nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "veth_wan" masquerade
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid counter drop comment "fwd_invalid"
		ct state established ct direction original counter accept comment "dev_to_srv"
		ct state established ct direction reply counter accept comment "srv_to_dev"
		iifname "veth_lan" oifname "veth_wan" ct state new counter accept comment "new_flow"
	}
	chain input {
		type filter hook input priority filter; policy accept;
		ct state invalid counter drop comment "in_invalid"
	}
}
EOF
run rtr sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established=$CT_TIMEOUT
run rtr sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0
log_test "router: established timeout ${CT_TIMEOUT}s, loose 0" eq \
	"$(rtr sysctl -n net.netfilter.nf_conntrack_tcp_timeout_established) $(rtr sysctl -n net.netfilter.nf_conntrack_tcp_loose)" \
	"$CT_TIMEOUT 0"



now_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# router_counts: what the router's rules counted, in packets, in the
# order of the ruleset: fwd_invalid dev_to_srv srv_to_dev new_flow
# in_invalid (one listing: all are read at the same instant).
router_counts()
{
	rtr nft list table inet tcpark_nat | awk '
		/comment "/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s ", $(i + 1) }
		END { print "" }'
}

# counted NAME: one of them.
counted()
{
	# shellcheck disable=SC2046 # five numbers
	set -- "$1" $(router_counts)
	case $1 in
	fwd_invalid) echo "$2" ;;
	dev_to_srv) echo "$3" ;;
	srv_to_dev) echo "$4" ;;
	new_flow) echo "$5" ;;
	in_invalid) echo "$6" ;;
	esac
}

# The router's drop and new-flow counters now, as fi0, ii0 and nf0.
router_mark()
{
	fi0=$(counted fwd_invalid)
	ii0=$(counted in_invalid)
	nf0=$(counted new_flow)
}

# mappings: "COUNT LEAST" for the router's ESTABLISHED TCP mappings to
# the server's listeners (ports LPORT4, LPORT6): how many, and the least
# time, in s, any of them has left before it expires ("-" if none).
mappings()
{
	rtr cat /proc/net/nf_conntrack | awk -v p4="$LPORT4" -v p6="$LPORT6" '
		$3 == "tcp" && $6 == "ESTABLISHED" {
			for (i = 7; i <= NF; i++)
				if ($i ~ /^dport=/) { d = substr($i, 7); break }
			if (d != p4 && d != p6)
				next
			n++
			if (least == "" || $5 + 0 < least)
				least = $5 + 0
		}
		END { printf "%d %s\n", n, least == "" ? "-" : least }'
}

mappings_are()
{
	[ "$(mappings | cut -d' ' -f1)" = "$1" ]
}

# all_are N LIST: LIST has words, each of them N.
all_are()
{
	[ -n "$2" ] && [ -z "$(echo "$2" | tr ' ' '\n' | grep -v -x -e '' -e "$1")" ] &&
		return 0
	echo "  got:$2"
	return 1
}

# within X LO HI, saying what it got
within()
{
	[ "$1" -ge "$2" ] && [ "$1" -le "$3" ] && return 0
	echo "  $1 not within $2 .. $3"
	return 1
}

gone_within()
{
	[ "$GONE_MS" != - ] && [ "$GONE_MS" -le "$1" ] && return 0
	echo "  none left at: $GONE_MS ms"
	return 1
}

# The fields after "ok WORD" in MASS_REPLY, by name ("ok push 5 remapped
# 5 ..." -> "push 5 remapped 5 ...").
talk_is()
{
	_ti=$(echo "$MASS_REPLY" | cut -d' ' -f2- | sed 's/ ms [0-9]*$//')
	eq "$_ti" "$1"
}

# nat_case A|B: connect and park (in one go: the mappings are fresh when
# the records start to count their silence), stay idle IDLE s from the
# park, looking at the router's mappings every second. Sets SEEN (the
# counts seen), LEAST (least time left on a mapping, s), GONE_MS (ms from
# the handshakes to the first look that found none, or -), IDLE_MS,
# PROBES (sent while idle), SRV_TO_DEV and DEV_TO_SRV (packets through
# the router while idle).
nat_case()
{
	# shellcheck disable=SC2119 # no options for park_mass
	mass_start
	LPORT4=$(echo "$MASS_REPLY" | awk '{ print $4 }')
	LPORT6=$(echo "$MASS_REPLY" | awk '{ print $5 }')
	t_conn=$(now_ms)
	mass_batch "connect $N4 4" "connect $N6 6" park
	t_park=$(now_ms)
	log_test "$1: $N connections parked" wait_stat parked $N
	log_test "$1: the router maps all $N" mappings_are $N

	# Probes counted before, and packets after, any probe sent
	# meanwhile: the router's count may only be higher.
	# shellcheck disable=SC2046 # four numbers
	set -- "$1" $(router_counts)
	i0=$4 o0=$3
	p0=$(xstat .counters.probes_sent)
	SEEN=''
	LEAST=''
	GONE_MS=-
	while [ $(($(now_ms) - t_park)) -lt $((IDLE * 1000)) ]; do
		sleep 1
		# shellcheck disable=SC2046 # two words
		set -- "$1" $(mappings)
		SEEN="$SEEN $2"
		if [ "$3" != - ] && { [ -z "$LEAST" ] || [ "$3" -lt "$LEAST" ]; }; then
			LEAST=$3
		fi
		if [ "$2" = 0 ] && [ "$GONE_MS" = - ]; then
			GONE_MS=$(($(now_ms) - t_conn))
		fi
	done
	IDLE_MS=$(($(now_ms) - t_park))
	PROBES=$(($(xstat .counters.probes_sent) - p0))
	# shellcheck disable=SC2046
	set -- "$1" $(router_counts)
	SRV_TO_DEV=$(($4 - i0))
	DEV_TO_SRV=$(($3 - o0))
	echo "# $1: idle ${IDLE_MS} ms from the park ($((t_park - t_conn)) ms after the first handshake), conntrack timeout ${CT_TIMEOUT} s"
	echo "# $1: mappings at each look:$SEEN; least time left on one: ${LEAST:--} s; none left at $GONE_MS ms after the first handshake"
	echo "# $1: probes sent $PROBES; packets through the router: server to devices $SRV_TO_DEV, devices to server $DEV_TO_SRV"
}

echo "# A. probes on: keepalive_interval_ms 1000, keepalive_probes 3"
srv_sysctl keepalive_interval_ms 1000
srv_sysctl keepalive_probes 3
exp0=$(xstat .expired.probes)
nat_case A
log_test "A: all $N mappings there at every look" all_are "$N" "$SEEN"
log_test "A: probes sent: at least 4 per record" [ "$PROBES" -ge $((4 * N)) ]
# The records send only probes, the devices only answer them: every probe
# crossed the router (plus those sent between the two reads at either
# end, a probe a record at most each time) and came back answered (but
# for those still on their way).
log_test "A: server to devices: the probes ($SRV_TO_DEV, $PROBES sent)" \
	within "$SRV_TO_DEV" "$PROBES" $((PROBES + 2 * N))
log_test "A: devices to server: their answers ($DEV_TO_SRV)" \
	within "$DEV_TO_SRV" $((SRV_TO_DEV - N)) $((SRV_TO_DEV + N))
log_test "A: nothing expired, all $N still parked" \
	eq "$(xstat .expired.probes) $(stat parked)" "$exp0 $N"
re0=$(xstat .counters.reactivated)
rm0=$(xstat .counters.remapped)
router_mark
log_test "A: server pushes to $N4 (remap)" mass "push 0 $N4 $TALK_MS"
log_test "A:   remapped, delivered, answered" \
	talk_is "push $N4 remapped $N4 delivered $N4 acked $N4 unacked 0"
log_test "A: the other $N6 devices report (accept)" mass "report $TALK_MS"
log_test "A:   reactivated, answered" \
	talk_is "report $N6 accepted $N6 reactivated $N6 acked $N6 unacked 0"
log_test "A: counted as $N4 remapped, $N6 reactivated" \
	eq "$(($(xstat .counters.remapped) - rm0)) $(($(xstat .counters.reactivated) - re0))" "$N4 $N6"
log_test "A: nothing dropped at the router, no new flow" \
	eq "$(($(counted fwd_invalid) - fi0)) $(($(counted in_invalid) - ii0)) $(($(counted new_flow) - nf0))" \
	"0 0 0"
log_test "A: every device ESTABLISHED" wait_mass_state $N 0 0
log_test "A: no record left parked" stat_is parked 0
a_probes=$PROBES a_idle=$IDLE_MS a_least=$LEAST
mass rst
mass_end
log_test "A: devices gone, no record left" wait_stat parked 0

echo "# B. probes off: keepalive_interval_ms 0"
srv_sysctl keepalive_interval_ms 0
nat_case B
log_test "B: no probe sent" eq "$PROBES" 0
log_test "B: not one packet through the router while idle" \
	eq "$SRV_TO_DEV $DEV_TO_SRV" "0 0"
log_test "B: every mapping expired, within timeout + 3 s of the handshakes" \
	gone_within $(((CT_TIMEOUT + 3) * 1000))
log_test "B: all $N still parked on the server" stat_is parked $N
re0=$(xstat .counters.reactivated)
nl0=$(xstat .wake.no_listener)
router_mark
log_test "B: server pushes to $N4 (remap)" mass "push 0 $N4 $TALK_MS"
# connect() takes the record and returns at once: the server cannot tell.
log_test "B:   remapped, but not delivered, none acknowledged" \
	talk_is "push $N4 remapped $N4 delivered 0 acked 0 unacked $N4"
log_test "B: all $N devices report (none had a push)" mass "report $TALK_MS"
log_test "B:   none accepted, none acknowledged" \
	talk_is "report $N accepted 0 reactivated 0 acked 0 unacked $N"
log_test "B: the server never heard them" \
	eq "$(($(xstat .counters.reactivated) - re0)) $(($(xstat .wake.no_listener) - nl0)) $(stat parked)" \
	"0 0 $N6"
fi1=$(($(counted fwd_invalid) - fi0))
ii1=$(($(counted in_invalid) - ii0))
echo "# B: dropped at the router as matching no mapping: $ii1 from the server, $fi1 from the devices"
log_test "B: the router dropped the pushes (no mapping)" [ "$ii1" -ge "$N4" ]
log_test "B: the router dropped the reports (no mapping)" [ "$fi1" -ge "$N" ]
# (With nf_conntrack_tcp_loose 1 the router would take the devices'
# reports as new flows, and the server would accept them.)
log_test "B: and made no new flow for them" eq "$(($(counted new_flow) - nf0))" 0
# The push sockets hold unacknowledged bytes: closed normally they would
# wait for the ACKs (deferred park) past the end of the test.
mass abort-parkers
mass_end

echo "# conntrack timeout ${CT_TIMEOUT} s; idle A ${a_idle} ms, B ${IDLE_MS} ms;" \
	"probes sent A ${a_probes}, B ${PROBES}; least time left on a mapping A ${a_least} s;" \
	"B's mappings all gone ${GONE_MS} ms after the handshakes;" \
	"test time $(($(awk '{ printf "%d\n", $1 }' /proc/uptime) - t_start)) s"
exit $RET
