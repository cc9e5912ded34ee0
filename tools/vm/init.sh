#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init (PID 1) of the tcpark test VM: set up a minimal system, run /cmd,
# report its exit status on the console, power off.
#
# This runs under busybox's shell, which prefers its own applets to $PATH:
# `ip` here is busybox's. That is fine for bringing lo up; /cmd runs under
# dash (/bin/sh), where PATH rules and `ip` is iproute2's.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=linux

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The initramfs has no /dev/console node (making one needs root on the
# host), so the kernel could not give us stdio: take it now.
exec 0</dev/console 1>/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
# `ip netns add` keeps its namespaces under /run/netns.
mkdir -p /run/netns /run/lock
# Handy for tests that look at tracepoints or kmemleak; absent is fine.
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

ip link set lo up
hostname tcpark-vm
# Tests open many sockets; the default of 1024 is too small for them.
ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null

# TCPARK_VM_NONCE: a random word per run, so a test printing the marker text
# cannot fake the result. TCPARK_VM_TTY=1: someone types at the console.
# shellcheck source=/dev/null
. /etc/tcpark-vm.env

cd /
# The command starts now: a guest that dies before this line never ran it
# (tools/vm/run boots it again).
echo "TCPARK-VM-START $TCPARK_VM_NONCE"
if [ "${TCPARK_VM_TTY:-0}" = 1 ]; then
	# cttyhack opens the real console (ttyS0) and makes it the controlling
	# tty of the new session setsid made: /dev/console cannot be one, and
	# without it a shell has no job control and ^C does nothing.
	setsid cttyhack /cmd
else
	# Nobody types: reading stdin must see EOF, not wait for ever.
	/cmd </dev/null
fi
rc=$?

echo
echo "TCPARK-VM-EXIT=$rc $TCPARK_VM_NONCE"
sync
# With QEMU's -no-reboot a reboot ends QEMU. If that ever fails, PID 1 must
# not exit (the kernel would panic), so fall back to sysrq, then wait.
reboot -f
echo b >/proc/sysrq-trigger
while :; do sleep 60; done
