#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the guest: `make demo`. A server and a device network namespace joined
# by veth; 1,000 devices connect, the server answers and closes, tcpark
# keeps the connections for a fraction of the memory and answers the
# devices' keepalives itself.
set -e
here=$(dirname "$0")
modprobe tcpark
modprobe veth
ip netns add demo-srv
ip netns add demo-dev
ip link add srv netns demo-srv type veth peer name vdev netns demo-dev
ip -n demo-srv addr add 198.18.0.1/24 dev srv
ip -n demo-dev addr add 198.18.0.2/24 dev vdev
for ns in demo-srv demo-dev; do ip -n $ns link set lo up; done
ip -n demo-srv link set srv up
ip -n demo-dev link set vdev up

"$here/devices" /run/netns/demo-srv /run/netns/demo-dev "${DEMO_DEVICES:-1000}" 8
echo
echo "== one device's keepalive probes, answered by tcpark for its parked"
echo "== connection: ack, window and timestamps as the server's TCP had them"
port=$(head -n 1 /tmp/ka.txt | sed -E 's/.* 198\.18\.0\.2\.([0-9]+) .*/\1/')
grep -E "198\.18\.0\.2\.$port[ :]" /tmp/ka.txt | head -n 6
echo
echo "== the server side after the devices went away"
tcparkctl -n demo-srv stats
echo
echo "(The devices' FINs on exit woke their connections: each went back to the"
echo " server's listener as a connection at end of stream, counted as reactivated.)"
echo
echo "Each parked connection costs the server its record, not a socket:"
echo "see docs/bench-memory.md for stock vs tcpark measured side by side."
