#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcparkctl against a stand-in kernel (fake_kernel.so, LD_PRELOADed in
# place of libmnl's socket calls): command line, filters -> attributes,
# multi-datagram dumps, text and JSON output (sockets and parked transient
# records, their probe state; stats; event reasons), errors and exit
# status, and what an older module that lacks an attribute gets.
# Needs no module and no privilege. KTAP lines; non-zero exit on failure.
#
#   tests/run.sh [TCPARKCTL] [FAKE_KERNEL_SO]
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/tcparkctl.dyn}
fake=${2:-$here/fake_kernel.so}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

echo "TAP version 13"

ok() {		# ok DESCRIPTION
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {	# not_ok DESCRIPTION: shows the last command's output
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	sed 's/^/#   out: /' "$tmp/out"
	sed 's/^/#   err: /' "$tmp/err"
}

# tc [ENV=VAL...] -- ARGS...: run tcparkctl on the fake kernel; $rc, $tmp/out, $tmp/err
tc() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	: >"$tmp/log"
	env LD_PRELOAD="$fake" FAKE_LOG="$tmp/log" "${envs[@]}" "$bin" "$@" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
}

expect_rc() {	# expect_rc RC DESCRIPTION
	if [ "$rc" -eq "$1" ]; then ok "$2"; else not_ok "$2 (exit $rc, want $1)"; fi
}

expect() {	# expect DESCRIPTION TEST-COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

json_ok() {	# the output is one JSON value (or one per line with -l)
	if [ "${1:-}" = -l ]; then
		python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$tmp/out"
	else
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"
	fi 2>>"$tmp/err"
}

py() {		# py EXPR: EXPR over d = the JSON output must be true
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" \
		"$tmp/out" 2>>"$tmp/err"
}

has() { grep -qE -- "$1" "$tmp/$2"; }

# ---- module absent, command line ----
tc FAKE_ABSENT=1 -- show
expect_rc 2 "module absent: exit 2"
expect "module absent: says so" has 'tcpark: module not loaded \(modprobe tcpark\)' err

for args in "kill" "park" "wake" "show state foo" "show sport > :80" \
	    "show src 10.0.0.1:80" "set" "set idle_ms 5" "set mode fast" \
	    "set idle_ms 1000 idle_ms 2000" "frob" "stats now" "-x" "-4 -6 show" \
	    "show cookie 5 state parked" "show state parked or state active" \
	    "show dst 10.0.0.0/33" "show sport = :0" "park cookie 0" \
	    "show src 10.0.0.1 dst ::1" "kill cookie" "monitor all" "-s show"; do
	# shellcheck disable=SC2086
	tc -- $args
	expect_rc 64 "usage error: tcparkctl $args"
done
tc -- kill
expect "bare kill is refused with a reason" has 'refusing to kill every connection' err
expect "bare kill sends nothing" test ! -s "$tmp/log"

tc -- -h
expect_rc 0 "-h: exit 0"
expect "-h: usage on stdout" has '^Usage: tcparkctl' out

# ---- show ----
tc -- show
expect_rc 0 "show: exit 0"
expect "show: header and 5 rows" test "$(wc -l <"$tmp/out")" -eq 6
expect "show: header columns" has '^State +Mode +Local:Port +Peer:Port +Idle +Age +Cookie$' out
expect "show: a listener" has '^ACTIVE/LISTEN +persistent +10\.0\.0\.1:443 +0\.0\.0\.0:\* ' out
expect "show: IPv6 in brackets" has '^ACTIVE/ESTAB +transient +\[2001:db8::1\]:443 +\[2001:db8::4\]:40004 ' out
expect "show: parked, idle off, age" has '^PARKED/ESTAB +persistent +10\.0\.0\.1:443 +10\.1\.0\.3:40003 +30s +4\.1s +1003 ' out
expect "show: details" has 'uid:1000 +ka:25s/5 +parks:5 +wakes:2 +ka_answered:15 +ka_sent:10 +pinned,remapped$' out
expect "show: zero timers read off" has ' off +2\.7s +1002 +uid:1000 +ka:off/5 ' out
expect "show: a dump with no filter" has '^cmd=1 dump$' log

tc -- -H show
expect "-H: no header" test "$(wc -l <"$tmp/out")" -eq 5

tc -- -j
expect_rc 0 "show -j (the default command): exit 0"
expect "show -j: valid JSON" json_ok
expect "show -j: 5 sockets" py 'len(d) == 5'
expect "show -j: keys and types" py 'd[2] == {"cookie": 1003, "state": "parked", "tcp_state": "established",
	"mode": "persistent", "family": "inet", "local_addr": "10.0.0.1", "local_port": 443,
	"remote_addr": "10.1.0.3", "remote_port": 40003, "idle_ms": 30000, "idle_age_ms": 4110,
	"uid": 1000, "ka_interval_ms": 25000, "ka_probes": 5, "parks": 3, "wakes": 1,
	"ka_answered": 9, "ka_sent": 6, "flags": []}'
expect "show -j: flags, inet6" py 'd[4]["flags"] == ["pinned", "remapped"] and d[3]["family"] == "inet6"'
expect "show -j: the newer attribute is ignored" py 'all(len(s) == 19 for s in d)'

tc -- show -p
expect "show -p: valid JSON" json_ok
expect "show -p: indented" has '^    \{$' out

tc FAKE_SOCKETS=700 -- -j show
expect "show: 700 sockets over many reads (JSON)" py 'len(d) == 700 and d[699]["cookie"] == 1700'
tc FAKE_SOCKETS=700 -- -H show
expect "show: 700 sockets over many reads (text)" test "$(wc -l <"$tmp/out")" -eq 700

tc FAKE_SOCKETS=700 -- -j show -6 state parked
expect "show -6 state parked: filters sent and applied" py 'len(d) == 58 and all(s["state"] == "parked" and s["family"] == "inet6" for s in d)'

tc -- show state parked mode transient sport = :443 'dport = :40003' src 10.9.8.7/8 dst 10.1.0.0/16
expect "filter terms become attributes" has '^cmd=1 dump 3=2/4 5=1/4 7=10\.0\.0\.0 11=8/1 8=443/2 9=10\.1\.0\.0 12=16/1 10=40003/2$' log
tc -- show -6 dst 10.1.0.3
expect "-6 with an IPv4 dst is sent (IPv4-mapped peers)" has '^cmd=1 dump 6=10/2 9=10\.1\.0\.3$' log
tc -- show 'sport=:https' and dport eq 80 dst '[2001:db8::1]' src ::1/128 -6
expect "service names, eq, and, [v6], -6" has '^cmd=1 dump 6=10/2 7=::1 11=128/1 8=443/2 9=2001:db8::1 10=80/2$' log

tc FAKE_SOCKETS=2 -- show state parked
expect_rc 1 "show: a filter matching nothing exits 1"
expect "show: ... and says so" has 'no connection matched' err
tc FAKE_SOCKETS=0 -- show
expect_rc 0 "show: nothing at all, no filter: exit 0"

tc -- show cookie 1003
expect "show cookie: a doit" has '^cmd=1 2=1003/8$' log
expect "show cookie: one row" has '^PARKED/ESTAB .* 1003 ' out
tc -- show cookie 0x3e8
expect_rc 1 "show cookie (absent): exit 1"
expect "show cookie (absent): no such connection" has 'cookie 1000: no such connection' err

# ---- parked transient records ----
# FAKE_RECORDS: records after the sockets, as tcpark_put_record() sends
# them: the probe state, the TCP state, and no idle_ms, flags, parks,
# wakes, ka_sent.
tc FAKE_RECORDS=4 -- show
expect_rc 0 "records: exit 0"
expect "records: header, 5 sockets, 4 records" test "$(wc -l <"$tmp/out")" -eq 10
expect "records: a record row" has '^PARKED/ESTAB +transient +10\.0\.0\.1:443 +10\.2\.0\.1:50001 +- +2\.5s +5001 +uid:1000 +snd_nxt:3735928560 rcv_nxt:305419897 wnd:65535/64256 mss:1460 wscale:7,9 ts sack ka:1s/3 probes_out:2 peer_silent:2\.2s next_probe_in:800ms ka_answered:1$' out
expect "records: IPv6, usec_ts" has '^PARKED/ESTAB +transient +\[2001:db8::1\]:443 +\[2001:db8:2::2\]:50002 +- +5s +5002 +uid:1000 +snd_nxt:3735928561 .* mss:1440 wscale:7,9 ts sack usec_ts ka:off/0 probes_out:0 peer_silent:5s ka_answered:2$' out
expect "records: no window scaling, no wscale:" has ' 5003 +uid:1000 +snd_nxt:3735928562 rcv_nxt:305419899 wnd:65535/64256 mss:1460 sack ka:2s/2 ' out
expect "records: an unknown option bit in hex" has ' mss:1440 wscale:7,9 ts 0x20 ka:3s/0 ' out
expect "records: no cells for what a record lacks" sh -c "! grep -E '^PARKED/ESTAB +transient .*(parks:|wakes:|ka_sent:|flags)' '$tmp/out'"
# Probe state: next probe once the silence reaches (probes_out + 1) intervals.
expect "records: next probe due (2 out, 1s, silent 2.2s)" has ' 5001 .* ka:1s/3 probes_out:2 peer_silent:2\.2s next_probe_in:800ms ka_answered:1$' out
expect "records: interval 0: no probe due" has ' 5002 .* ka:off/0 probes_out:0 peer_silent:5s ka_answered:2$' out
expect "records: all probes out: the end is due" has ' 5003 .* ka:2s/2 probes_out:2 peer_silent:5\.5s expires_in:500ms ka_answered:3$' out
expect "records: ka_probes 0, overdue: due now" has ' 5004 .* ka:3s/0 probes_out:2 peer_silent:9\.8s next_probe_in:0ms ka_answered:4$' out
expect "records: sockets show no probe state" sh -c "! grep -E '^ACTIVE.*(probes_out|peer_silent|next_probe_in|expires_in)' '$tmp/out'"
expect "records: socket columns not widened by them" has '^ACTIVE/LISTEN .* uid:1000  ka:25s/5  parks:1  wakes:0  ka_answered:3   ka_sent:2$' out
expect "records: socket rows unchanged" has 'uid:1000 +ka:25s/5 +parks:5 +wakes:2 +ka_answered:15 +ka_sent:10 +pinned,remapped$' out

tc FAKE_RECORDS=4 -- -j show
expect "records -j: valid JSON" json_ok
expect "records -j: 9 entries" py 'len(d) == 9'
expect "records -j: keys and types" py 'd[5] == {"cookie": 5001, "state": "parked", "tcp_state": "established",
	"mode": "transient", "family": "inet", "local_addr": "10.0.0.1", "local_port": 443,
	"remote_addr": "10.2.0.1", "remote_port": 50001, "idle_age_ms": 2500, "uid": 1000,
	"snd_nxt": 3735928560, "rcv_nxt": 305419897, "snd_wnd": 65535, "rcv_wnd": 64256,
	"mss": 1460, "snd_wscale": 7, "rcv_wscale": 9, "options": ["ts", "sack", "wscale"],
	"ka_interval_ms": 1000, "ka_probes": 3, "probes_out": 2, "peer_silent_ms": 2200,
	"next_probe_in_ms": 800, "ka_answered": 1}'
expect "records -j: options" py '[r["options"] for r in d[5:]] == [["ts", "sack", "wscale"],
	["ts", "sack", "wscale", "usec_ts"], ["sack"], ["ts", "wscale", "0x20"]]'
expect "records -j: shifts kept when not negotiated" py 'd[7]["snd_wscale"] == 0 and d[7]["rcv_wscale"] == 0'
expect "records -j: IPv6 record" py 'd[6]["family"] == "inet6" and d[6]["remote_addr"] == "2001:db8:2::2" and d[6]["mss"] == 1440'
new_keys='{"snd_nxt", "rcv_nxt", "snd_wnd", "rcv_wnd", "mss", "snd_wscale", "rcv_wscale", "options"}'
expect "records -j: sockets have none of the new keys" py "all(not (set(s) & $new_keys) for s in d[:5])"
expect "records -j: records lack the socket-only keys" py 'all(not (set(r) & {"idle_ms", "flags", "parks", "wakes", "ka_sent"}) for r in d[5:])'
expect "records -j: the newer attribute is ignored" py 'all(len(r) == 24 + ("next_probe_in_ms" in r or "expires_in_ms" in r) for r in d[5:])'
probe_keys='{"probes_out", "peer_silent_ms", "next_probe_in_ms", "expires_in_ms"}'
expect "records -j: sockets have no probe state" py "all(not (set(s) & $probe_keys) for s in d[:5])"
expect "records -j: probe state" py '[(r["ka_interval_ms"], r["ka_probes"], r["probes_out"], r["peer_silent_ms"]) for r in d[5:]] ==
	[(1000, 3, 2, 2200), (0, 0, 0, 5000), (2000, 2, 2, 5500), (3000, 0, 2, 9800)]'
expect "records -j: next probe or end, when due" py '[(r.get("next_probe_in_ms"), r.get("expires_in_ms")) for r in d[5:]] ==
	[(800, None), (None, None), (None, 500), (0, None)]'

tc FAKE_RECORDS=4 -- -p show state parked mode transient
expect "records -p: valid JSON" json_ok
expect "records: state parked mode transient lists only them" py '[r["cookie"] for r in d] == [5001, 5002, 5003, 5004]'
expect "records -p: options indented" has '^            "usec_ts"$' out
tc FAKE_RECORDS=4 -- -j show -6 state parked
expect "records: -6 applies to them" py '[r["cookie"] for r in d] == [5002, 5004]'
tc FAKE_RECORDS=4 -- show state active
expect "records: state active leaves them out" sh -c "! grep -q 'PARKED' '$tmp/out'"

tc FAKE_RECORDS=4 -- show cookie 5003
expect_rc 0 "record by cookie: exit 0"
expect "record by cookie: a doit" has '^cmd=1 2=5003/8$' log
expect "record by cookie: one row" has '^PARKED/ESTAB +transient .* 5003 +uid:1000 +snd_nxt:3735928562 .* sack ka:2s/2 probes_out:2 peer_silent:5\.5s expires_in:500ms ka_answered:3$' out

# Without CAP_NET_ADMIN the kernel leaves out the sequence numbers and
# windows: the rows simply lack them, with no error.
tc FAKE_RECORDS=4 FAKE_UNPRIV=1 -- show state parked mode transient
expect_rc 0 "records, unprivileged: exit 0"
expect "records, unprivileged: nothing on stderr" test ! -s "$tmp/err"
expect "records, unprivileged: a row without seq or wnd" has '^PARKED/ESTAB +transient +10\.0\.0\.1:443 +10\.2\.0\.1:50001 +- +2\.5s +5001 +uid:1000 +mss:1460 wscale:7,9 ts sack ka:1s/3 probes_out:2 peer_silent:2\.2s next_probe_in:800ms ka_answered:1$' out
expect "records, unprivileged: no row has them" sh -c "! grep -Eq 'snd_nxt|rcv_nxt|wnd:' '$tmp/out'"
tc FAKE_RECORDS=4 FAKE_UNPRIV=1 -- -j show state parked mode transient
expect "records -j, unprivileged: no seq or window keys" py 'len(d) == 4 and all(not (set(r) & {"snd_nxt", "rcv_nxt", "snd_wnd", "rcv_wnd"}) and r["mss"] for r in d)'

# A module from before the probe state: records without ka:, probes_out,
# peer_silent and so nothing due; the keys are left out, with no error.
tc FAKE_RECORDS=4 FAKE_OLD_PROBES=1 -- show state parked mode transient
expect_rc 0 "records, older module: exit 0"
expect "records, older module: nothing on stderr" test ! -s "$tmp/err"
expect "records, older module: the row as before" has '^PARKED/ESTAB +transient +10\.0\.0\.1:443 +10\.2\.0\.1:50001 +- +2\.5s +5001 +uid:1000 +snd_nxt:3735928560 rcv_nxt:305419897 wnd:65535/64256 mss:1460 wscale:7,9 ts sack ka_answered:1$' out
expect "records, older module: no probe state in any row" sh -c "! grep -Eq 'ka:|probes_out|peer_silent|next_probe_in|expires_in' '$tmp/out'"
tc FAKE_RECORDS=4 FAKE_OLD_PROBES=1 -- -j show state parked mode transient
expect "records -j, older module: probe keys left out" py "len(d) == 4 and all(not (set(r) & ($probe_keys | {'ka_interval_ms', 'ka_probes'})) and len(r) == 20 for r in d)"

tc FAKE_SOCKETS=0 FAKE_RECORDS=700 -- -j show
expect "records: 700 over many reads (JSON)" py 'len(d) == 700 and d[699]["cookie"] == 5700 and d[699]["remote_addr"] == "2001:db8:2::2bc"'
tc FAKE_SOCKETS=0 FAKE_RECORDS=700 -- -H show
expect "records: 700 over many reads (text)" test "$(grep -c ' snd_nxt:' "$tmp/out")" -eq 700

# ---- stats ----
tc -- stats
expect_rc 0 "stats: exit 0"
expect "stats: text" has '^sockets 12 parked 10 parked_bytes 1280 \(1\.2 KiB\)$' out
expect "stats: defaults" has '^defaults: idle_ms 30000 mode transient ka_interval_ms 0 ka_probes 0$' out
expect "stats: counters" has '^counters: parks 31 wakes 21 ka_answered 7 challenge_acks 1 drops 2 kills 3 ineligible 4 reactivated 5 remapped 6 probes_sent 40$' out
expect "stats: wake" has '^wake: no_listener 8 backlog 9 expired 11$' out
expect "stats: expired, by reason" has '^expired: probes 13 peer_timeout 14 peer_reset 15 icmp 16$' out
expect "stats: icmp errors that ended nothing" has '^icmp: soft 17 ignored 18$' out
expect "stats: deferred closes" has '^deferred: waited 19 then_parked 20 then_closed 21 waiting 22$' out
expect "stats: pressure policy" has '^pressure: active_high 5000 active_low 4000 pressure_parks 23$' out
expect "stats: lines in order" test "$(cut -d: -f1 "$tmp/out" | sed 1d | tr '\n' ' ')" = "counters wake expired icmp deferred pressure defaults limits "
expect "stats: limits (the fake kernel has no per-uid quota)" has '^limits: max_parked 1000000 max_parked_mem_mb 256 wake_timeout_ms 45000 max_parked_per_uid - peer_timeout_ms 600000$' out
tc -- -s -j
expect "stats -j (-s): valid JSON" json_ok
expect "stats -j: layout" py 'd["sockets"] == 12 and d["counters"]["challenge_acks"] == 1 and d["defaults"]["mode"] == "transient" and d["limits"]["max_parked_mem_mb"] == 256'
expect "stats -j: reactivated, remapped in counters" py 'd["counters"]["reactivated"] == 5 and d["counters"]["remapped"] == 6'
expect "stats -j: wake" py 'd["wake"] == {"no_listener": 8, "backlog": 9, "expired": 11}'
expect "stats -j: wake_timeout_ms, peer_timeout_ms in limits" py 'd["limits"] == {"max_parked": 1000000, "max_parked_mem_mb": 256, "wake_timeout_ms": 45000, "peer_timeout_ms": 600000}'
expect "stats -j: probes_sent in counters" py 'd["counters"]["probes_sent"] == 40'
expect "stats -j: expired" py 'd["expired"] == {"probes": 13, "peer_timeout": 14, "peer_reset": 15, "icmp": 16}'
expect "stats -j: icmp" py 'd["icmp"] == {"soft": 17, "ignored": 18}'
expect "stats -j: pressure" py 'd["pressure"] == {"active_high": 5000, "active_low": 4000, "pressure_parks": 23}'
expect "stats -j: deferred" py 'd["deferred"] == {"waited": 19, "then_parked": 20, "then_closed": 21, "waiting": 22}'
tc FAKE_OLD_STATS=1 -- stats
expect_rc 0 "stats, older module: exit 0"
expect "stats, older module: counters it lacks read -" has '^counters: parks 31 .* ineligible 4 reactivated - remapped - probes_sent -$' out
expect "stats, older module: no wake line" sh -c "! grep -q '^wake:' '$tmp/out'"
expect "stats, older module: no expired line" sh -c "! grep -q '^expired:' '$tmp/out'"
expect "stats, older module: no deferred line" sh -c "! grep -q '^deferred:' '$tmp/out'"
expect "stats, older module: limits" has '^limits: max_parked 1000000 max_parked_mem_mb 256 wake_timeout_ms - max_parked_per_uid - peer_timeout_ms -$' out
tc FAKE_OLD_STATS=1 -- -j stats
expect "stats -j, older module: keys it lacks left out" py '"wake" not in d and "reactivated" not in d["counters"] and "wake_timeout_ms" not in d["limits"]'
tc FAKE_OLD_PROBES=1 -- stats
expect_rc 0 "stats, module without probe counters: exit 0"
expect "stats, module without probe counters: probes_sent reads -" has '^counters: parks 31 .* reactivated 5 remapped 6 probes_sent -$' out
expect "stats, module without probe counters: wake line, no expired line" sh -c "grep -q '^wake:' '$tmp/out' && ! grep -q '^expired:' '$tmp/out'"
expect "stats, module without probe counters: peer_timeout_ms reads -" has '^limits: .* wake_timeout_ms 45000 max_parked_per_uid - peer_timeout_ms -$' out
tc FAKE_OLD_PROBES=1 -- -j stats
expect "stats -j, module without probe counters: keys left out" py '"expired" not in d and "probes_sent" not in d["counters"] and "peer_timeout_ms" not in d["limits"] and d["limits"]["wake_timeout_ms"] == 45000'

# ---- set ----
tc -- set idle_ms 1000 mode transient ka_interval_ms 0 ka_probes 9 max_parked 5 max_parked_mem_mb 64
expect_rc 0 "set: exit 0"
expect "set: attributes" has '^cmd=6 5=1/4 14=1000/4 15=0/4 16=9/4 23=5/4 24=64/4$' log
tc -- set wake_timeout_ms 120000 idle_ms 2000
expect_rc 0 "set wake_timeout_ms: exit 0"
expect "set wake_timeout_ms: attributes" has '^cmd=6 14=2000/4 57=120000/4$' log
# The uapi header's ranges, the kernel's: wake_timeout_ms is never 0.
for v in 0 99 3600001; do
	tc -- set wake_timeout_ms $v
	expect_rc 64 "set wake_timeout_ms $v: refused as the kernel would"
	expect "set wake_timeout_ms $v: says the range" has "^tcparkctl: set: wake_timeout_ms: $v is out of range \\(100-3600000\\)\$" err
done
tc -- set max_parked 0 ka_probes 0
expect_rc 0 "set max_parked 0 ka_probes 0: taken, as the kernel takes them"
tc -- set max_parked 1073741825
expect_rc 64 "set max_parked past 2^30: refused"
expect "set max_parked past 2^30: says the range" has '^tcparkctl: set: max_parked: 1073741825 is out of range \(0-1073741824\)$' err
tc FAKE_ERRNO=22 -- set wake_timeout_ms 100
expect_rc 1 "set wake_timeout_ms refused: exit 1"
expect "set wake_timeout_ms refused: the attribute is named" has '^tcparkctl: set: fake: refused \[bad attribute wake_timeout_ms\]$' err
for args in "set wake_timeout_ms" "set wake_timeout_ms 1s" "set wake_timeout_ms 4294967296" \
	    "set wake_timeout_ms 100 wake_timeout_ms 200"; do
	# shellcheck disable=SC2086
	tc -- $args
	expect_rc 64 "usage error: tcparkctl $args"
done
tc -- set peer_timeout_ms 600000
expect_rc 0 "set peer_timeout_ms: exit 0"
expect "set peer_timeout_ms: attribute" has '^cmd=6 59=600000/4$' log
tc -- set peer_timeout_ms 0 wake_timeout_ms 5000
expect_rc 0 "set peer_timeout_ms 0 (never): exit 0"
expect "set peer_timeout_ms 0: sent, with the others" has '^cmd=6 57=5000/4 59=0/4$' log
tc -- set peer_timeout_ms 1000 max_parked_per_uid 7
expect "set peer_timeout_ms at its minimum" has '^cmd=6 58=7/4 59=1000/4$' log
tc -- set peer_timeout_ms 2592000000
expect "set peer_timeout_ms at its maximum (30 days)" has '^cmd=6 59=2592000000/4$' log
tc FAKE_ERRNO=22 -- set peer_timeout_ms 60000
expect_rc 1 "set peer_timeout_ms refused: exit 1"
expect "set peer_timeout_ms refused: the attribute is named" has '^tcparkctl: set: fake: refused \[bad attribute peer_timeout_ms\]$' err
for args in "set peer_timeout_ms" "set peer_timeout_ms 999" "set peer_timeout_ms 2592000001" \
	    "set peer_timeout_ms 10m" "set peer_timeout_ms -1" "set peer_timeout_ms 1000 peer_timeout_ms 2000"; do
	# shellcheck disable=SC2086
	tc -- $args
	expect_rc 64 "usage error: tcparkctl $args"
done
tc -- set peer_timeout_ms 999
expect "set peer_timeout_ms out of range: the range is named" has "peer_timeout_ms: 999 is out of range \\(0 or 1000-2592000000\\)" err
expect "set peer_timeout_ms out of range: nothing sent" test ! -s "$tmp/log"
tc -- -h
expect "-h: lists peer_timeout_ms among the set keys" has '^ +peer_timeout_ms N' out

tc FAKE_ERRNO=22 -- set idle_ms 1000
expect_rc 1 "set refused: exit 1"
expect "set refused: extended ack and attribute" has '^tcparkctl: set: fake: refused \[bad attribute idle_ms\]$' err
tc FAKE_ERRNO=1 -- set idle_ms 1000
expect_rc 77 "set without CAP_NET_ADMIN: exit 77"
expect "set without CAP_NET_ADMIN: says so" has 'permission denied: needs CAP_NET_ADMIN in this network namespace' err

# ---- park, wake, kill ----
tc -- park cookie 1001
expect_rc 0 "park cookie: exit 0"
expect "park cookie: result" has '^matched 1, done 1$' out
expect "park cookie: request" has '^cmd=3 2=1001/8$' log
tc -- -j kill state parked dport = :40003
expect "kill filter -j: result" py 'd == {"matched": 3, "done": 2}'
expect "kill filter: request" has '^cmd=5 3=2/4 10=40003/2$' log
tc FAKE_MATCHED=0 -- wake mode transient
expect_rc 1 "wake, nothing matched: exit 1"
expect "wake, nothing matched: says so" has 'wake: no connection matched' err
tc FAKE_NOMATCH_ENOENT=1 -- -j kill mode transient
expect_rc 1 "kill, ENOENT for no match: exit 1"
expect "kill, ENOENT for no match: counts zero" py 'd == {"matched": 0, "done": 0}'
expect "kill, ENOENT for no match: says so" has 'kill: no connection matched' err
tc FAKE_ERRNO=16 -- park cookie 1002
expect_rc 1 "park, not eligible: exit 1"
expect "park, not eligible: says so" has 'park: cookie 1002: not eligible to park' err
tc FAKE_ERRNO=114 -- wake cookie 1002
expect "wake, already active: says so" has 'wake: cookie 1002: already active' err
tc FAKE_ERRNO=2 -- kill cookie 77
expect "kill cookie (absent): no such connection" has 'kill: cookie 77: no such connection' err
tc FAKE_ERRNO=1 -- kill -4
expect_rc 77 "kill without CAP_NET_ADMIN: exit 77"

# ---- monitor ----
tc FAKE_EVENTS=4 -- monitor
expect_rc 0 "monitor: ends on SIGINT with exit 0"
expect "monitor: one line per event" test "$(wc -l <"$tmp/out")" -eq 4
expect "monitor: event line" has '^parked +ACTIVE/LISTEN persistent 10\.0\.0\.1:443 0\.0\.0\.0:\* idle:30s age:1\.3s cookie:1001 ' out
tc FAKE_EVENTS=6 -- -j monitor
expect "monitor -j: one JSON object per line" json_ok -l
expect "monitor -j: event names" test "$(python3 -c 'import json,sys; print(" ".join(json.loads(l)["event"] for l in open(sys.argv[1])))' "$tmp/out")" = "parked woken expired killed remapped reactivated"
expect "monitor -j: a reason for expired and killed only" test "$(python3 -c 'import json,sys; print(" ".join(json.loads(l).get("reason", "-") for l in open(sys.argv[1])))' "$tmp/out")" = "- - probes kill - -"

# Every reason: expired events cycle through them (and one newer than the tool).
tc FAKE_EVENTS=36 -- monitor
expect "monitor: expired reasons, text" test "$(sed -n 's/^expired \+reason:\([^ ]*\) .*/\1/p' "$tmp/out" | tr '\n' ' ')" = "probes peer-reset peer-timeout wake-timeout icmp unknown_42 "
expect "monitor: killed reason, text" test "$(grep -c '^killed \+reason:kill ' "$tmp/out")" -eq 6
expect "monitor: no reason on other events" sh -c "! grep -E '^(parked|woken|remapped|reactivated) .*reason:' '$tmp/out'"
expect "monitor: reason after the event name" has '^expired +reason:peer-timeout PARKED/ESTAB persistent 10\.0\.0\.1:443 10\.1\.0\.15:40015 idle:30s ' out
tc FAKE_EVENTS=36 -- -j monitor
expect "monitor -j: every reason" test "$(python3 -c 'import json,sys
print(" ".join(e["reason"] for e in map(json.loads, open(sys.argv[1])) if e["event"] in ("expired", "killed")))' "$tmp/out")" = "probes kill peer-reset kill peer-timeout kill wake-timeout kill icmp kill unknown_42 kill"

# A module from before the reasons: the events carry none, and print none.
tc FAKE_EVENTS=6 FAKE_OLD_PROBES=1 -- monitor
expect_rc 0 "monitor, older module: exit 0"
expect "monitor, older module: no reason" sh -c "grep -q '^expired ' '$tmp/out' && ! grep -q 'reason:' '$tmp/out'"
tc FAKE_EVENTS=6 FAKE_OLD_PROBES=1 -- -j monitor
expect "monitor -j, older module: no reason key" python3 -c 'import json,sys
e = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if len(e) == 6 and not any("reason" in x for x in e) else 1)' "$tmp/out"

tc FAKE_EVENTS=4 FAKE_EVENT_RECORDS=1 -- monitor
expect "monitor, records: one line per event" test "$(wc -l <"$tmp/out")" -eq 4
expect "monitor, records: event line" has '^parked +PARKED/ESTAB transient 10\.0\.0\.1:443 10\.2\.0\.1:50001 idle:- age:2\.5s cookie:5001 uid:1000 snd_nxt:3735928560 rcv_nxt:305419897 wnd:65535/64256 mss:1460 wscale:7,9 ts sack ka:1s/3 probes_out:2 peer_silent:2\.2s next_probe_in:800ms ka_answered:1$' out
expect "monitor, records: an expired record with its reason and probe state" has '^expired +reason:probes PARKED/ESTAB transient 10\.0\.0\.1:443 10\.2\.0\.3:50003 .* ka:2s/2 probes_out:2 peer_silent:5\.5s expires_in:500ms ka_answered:3$' out
tc FAKE_EVENTS=3 FAKE_EVENT_RECORDS=1 -- -j monitor
expect "monitor -j, records: one JSON object per line" json_ok -l
expect "monitor -j, records: event and TCP state" python3 -c 'import json,sys
e = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if [x["event"] for x in e] == ["parked", "woken", "expired"] and
	 e[0]["snd_nxt"] == 3735928560 and e[0]["options"] == ["ts", "sack", "wscale"] and
	 e[2]["options"] == ["sack"] and "ka_sent" not in e[0] and e[1]["mss"] == 1440 and
	 e[2]["reason"] == "probes" and e[2]["probes_out"] == 2 and e[2]["expires_in_ms"] == 500 and
	 "reason" not in e[0] and e[0]["peer_silent_ms"] == 2200 else 1)' "$tmp/out"

tc FAKE_UNPRIV=1 -- monitor
expect_rc 77 "monitor, events group refused (EPERM): exit 77"
expect "monitor, refused: says what it needs" has '^tcparkctl: monitor: permission denied: events need CAP_NET_ADMIN in this network namespace \(show works without it\)$' err
expect "monitor, refused: prints nothing" test ! -s "$tmp/out"

# ---- netns ----
tc -- -n tcparkctl-no-such-ns show
expect_rc 1 "-n missing namespace: exit 1"
expect "-n missing namespace: says so" has 'network namespace "tcparkctl-no-such-ns": /run/netns/tcparkctl-no-such-ns' err

echo "# $((n - failed)) passed, $failed failed"
echo "1..$n"
[ "$failed" -eq 0 ]
