# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the tools/vm scripts. Sourced, not run.

# $(...) keeps set -e, so a failing step inside one is not silently ignored;
# and say which step failed rather than stop without a word.
shopt -s inherit_errexit
set -E
trap 'vm_err $?' ERR
vm_err() {
	# x=$(...) failing: the step inside has said why already.
	case $BASH_COMMAND in
	*=\$\(*) ;;
	*) vm_log "error: '$BASH_COMMAND' failed with status $1 (${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]})" ;;
	esac
	exit "${VM_DIE_STATUS:-$1}"
}

# Everything downloaded or generated lives here, outside the source tree, so
# that a fresh checkout, `git clean` or a second worktree reuse it.
TCPARK_CACHE=${TCPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcpark}

# Progress and errors go to stderr: stdout of these scripts is data (a path,
# an ABI name) or, for tools/vm/run, the guest's console.
vm_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
vm_die() { vm_log "error: $*"; exit "${VM_DIE_STATUS:-1}"; }

# apt-get install, as root, quietly. A stale package list is the usual cause of
# a failed install on a long-lived machine, so refresh it once and retry.
vm_apt_install() {
	[ "$(id -u)" = 0 ] || vm_die "need root to install: $* (run: apt-get install $*)"
	vm_log "installing $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "$@" >&2 || {
		vm_log "install failed; running apt-get update and retrying"
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends "$@" >&2
	}
}

vm_pkg_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

# vm_need PACKAGE... : install whichever of these packages are missing.
vm_need() {
	local p missing=()
	for p in "$@"; do
		vm_pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || vm_apt_install "${missing[@]}"
}

# vm_lock NAME: hold an exclusive lock until the calling process exits. Several
# runs (both kernels in parallel, say) may fill the same cache entry at once;
# the loser waits, then finds the entry done.
vm_lock() {
	local fd
	mkdir -p "$TCPARK_CACHE/locks"
	exec {fd}>"$TCPARK_CACHE/locks/$1.lock"
	flock "$fd"
}

# Print the comment block at the top of the running script: its usage text.
vm_header() {
	awk 'NR > 1 && !/^#/ { exit } /^#!|^# (SPDX|shellcheck)/ { next }
		{ sub(/^# ?/, "") } !text && $0 == "" { next } { text = 1; print }' "$0"
}

# KVER: 6.1 or 6.12 (Debian's kernels), or debug (the KASAN + lockdep +
# kmemleak 6.12 that tools/debug-kernel/build.sh builds, for make check-debug).
vm_check_kver() {
	case ${1:-} in
	6.1 | 6.12 | debug) ;;
	*) vm_die "kernel must be 6.1, 6.12 or debug, not '${1:-}'" ;;
	esac
}
