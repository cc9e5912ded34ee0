#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload tcpark (modprobe, then insmod three times): the module
# appears in /sys/module with no references, the "tcpark" ULP attaches while
# it is loaded, and a socket that closed gives its reference back.
#
# Autoload: setsockopt(TCP_ULP, "tcpark") with the module absent makes the
# kernel call request_module("tcp-ulp-tcpark"), which modprobe resolves
# through the module's MODULE_ALIAS_TCP_ULP("tcpark") (modinfo alias
# "tcp-ulp-tcpark"). With kernel.modprobe pointing nowhere the same call
# fails with ENOENT: the ULP name is served by this module and nothing else.
set -e
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
require_root

ULP_SET="$DIR/ulp_set"
MODPROBE_SYSCTL=/proc/sys/kernel/modprobe
saved_modprobe=$(cat "$MODPROBE_SYSCTL")

cleanup_test()
{
	echo "$saved_modprobe" >"$MODPROBE_SYSCTL"
}

check_loaded()
{
	log_test "$1: /sys/module/tcpark exists" module_loaded
	log_test "$1: refcnt 0 with no socket" eq "$(module_refcnt)" 0
	log_test "$1: TCP_ULP \"tcpark\" attaches" "$ULP_SET"
	log_test "$1: refcnt 0 once that socket closed" busywait 5000 refcnt_is 0
}

check_unload()
{
	log_test "$1: rmmod tcpark" rmmod tcpark
	log_test "$1: /sys/module/tcpark gone" eval '! module_loaded'
}

has_ulp_alias()
{
	tr '\0' '\n' <"$TCPARK_KO" | grep -qx 'alias=tcp-ulp-tcpark'
}

echo "module file: ${TCPARK_KO:-not found}"
module_unload

log_test "modprobe tcpark" modprobe tcpark
check_loaded modprobe
check_unload modprobe

for i in 1 2 3; do
	log_test "insmod #$i" insmod "$TCPARK_KO"
	check_loaded "insmod #$i"
	check_unload "insmod #$i"
done

log_test "module carries alias tcp-ulp-tcpark" has_ulp_alias

# With autoload disabled the ULP is unknown.
echo >"$MODPROBE_SYSCTL"
log_test "no module, no autoload: TCP_ULP fails" eval '! "$ULP_SET"'
log_test "no module, no autoload: still not loaded" eval '! module_loaded'
cleanup_test

# Autoload through MODULE_ALIAS_TCP_ULP.
if "$ULP_SET"; then
	log_test "TCP_ULP \"tcpark\" autoloads the module" module_loaded
	check_loaded autoload
else
	log_test "TCP_ULP \"tcpark\" autoloads the module" false
	echo "kernel.modprobe is '$saved_modprobe'; modprobe tcp-ulp-tcpark by hand:"
	modprobe tcp-ulp-tcpark && echo "  works: only the kernel's request failed" ||
		echo "  fails too: this modprobe cannot resolve the alias"
fi
module_unload
log_test "unloaded at the end" eval '! module_loaded'

exit $RET
