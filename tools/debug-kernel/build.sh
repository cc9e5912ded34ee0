#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a small debug kernel for `make check-debug`: KASAN + lockdep +
# kmemleak, from Debian's linux-source-6.12 package, configured as
# `make allnoconfig` + the fragment next to this script (./config).
#
#   build.sh          build if needed; print the output directory
#   build.sh kdir     build if needed; print the kernel tree, usable as
#                     KDIR (make -C <kdir> M=<module dir> modules)
#   build.sh image    build if needed; print the image directory:
#                       vmlinuz                      the bzImage
#                       kernelrelease                `make kernelrelease`
#                       lib/modules/<release>/...    modules (uncompressed,
#                                                    depmod'ed)
#
# Output: ${TCPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcpark}/debug-kernel/
# <key>/{build,image,.complete}, where <key> hashes the source package
# version, ./config, this script and the compiler version, so any change to
# one of them gives a fresh build and nothing else does. Older keys are left
# alone (another checkout may still use them); delete them by hand.
# An interrupted build resumes where it stopped on the next call.
#
# Only stdout carries the answer; all progress and build output goes to
# stderr. Needs root only if packages must be installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
self=$here/$(basename "${BASH_SOURCE[0]}")
fragment=$here/config
cache=${TCPARK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcpark}
root=$cache/debug-kernel

log() { echo "debug-kernel: $*" >&2; }
die() { log "error: $*"; exit 1; }

what=${1:-build}
case $what in
build | kdir | image) ;;
*)
	echo "usage: $0 [build|kdir|image]" >&2
	exit 2
	;;
esac

# When run from a Makefile (make check-debug W=1 ...), the parent's command
# line variables and jobserver reach every sub-make through the environment,
# and a few variables are read by Kbuild from the environment too. Any of
# them would silently change this kernel (e.g. LOCALVERSION changes the
# release, W=1 the warnings), so drop them all.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL GNUMAKEFLAGS \
	ARCH CROSS_COMPILE LOCALVERSION KBUILD_OUTPUT KBUILD_EXTMOD \
	KBUILD_EXTRA_WARN KBUILD_CHECKSRC KCONFIG_CONFIG KCONFIG_ALLCONFIG

# --- Host packages -----------------------------------------------------------

# The kernel build needs flex/bison (Kconfig), bc (timeconst), libelf
# (objtool, ORC unwinder), libssl (sign-file, built even when unused);
# xz to unpack the source, kmod for depmod.
ensure_packages() {
	local pkgs=(gcc make libc6-dev flex bison bc libelf-dev libssl-dev
		    xz-utils kmod)
	local missing=() p
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]} (run as root, or install them)"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# The package lists may be stale or absent on a fresh machine: only
	# pay for `apt-get update` when the first attempt fails.
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || {
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
	}
}

# --- Source package ----------------------------------------------------------

# Print the path of a linux-source-6.12 .deb: the newest one already in the
# cache (tools/linux-source.sh keeps one in deb/, the VM tools in src/),
# else a fresh `apt-get download` into deb/.
source_deb() {
	local debs=() tmp
	shopt -s nullglob
	debs=("$cache"/deb/linux-source-6.12_*.deb "$cache"/src/linux-source-6.12_*.deb)
	shopt -u nullglob
	if [ ${#debs[@]} -eq 0 ]; then
		log "downloading linux-source-6.12"
		mkdir -p "$cache/deb"
		# Download into a scratch dir so an interrupted download never
		# leaves a truncated .deb where the glob above would find it.
		tmp=$(mktemp -d "$cache/deb/.download.XXXXXX")
		# (apt warns that it downloads "unsandboxed as root": the
		# cache under /root is out of user _apt's reach. Harmless.)
		(cd "$tmp" && { apt-get download linux-source-6.12 >&2 ||
			{ apt-get update -q >&2 &&
			  apt-get download linux-source-6.12 >&2; }; }) ||
			{ rm -rf "$tmp"; die "cannot download linux-source-6.12"; }
		mv "$tmp"/linux-source-6.12_*.deb "$cache/deb/"
		rm -rf "$tmp"
		debs=("$cache"/deb/linux-source-6.12_*.deb)
	fi
	printf '%s\n' "${debs[@]}" | sort -V | tail -n 1
}

# --- Configure + build -------------------------------------------------------

# Every line of the fragment must survive into .config. Kconfig drops a
# value without failing when a dependency is missing, and merge_config.sh
# only warns; a "debug kernel" without KASAN would pass every test.
verify_config() {
	local line sym bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF -- "$line" .config || {
				log "requested '$line', got '$(grep -E "^(# )?${line%%=*}[= ]" .config ||
					echo "${line%%=*} absent")'"
				bad=1
			}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			if grep -q "^$sym=" .config; then
				log "requested '$line', got '$(grep "^$sym=" .config)'"
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	[ $bad -eq 0 ] || die "config fragment not fully applied (see above); fix $fragment"
}

# Build a trivial out-of-tree module against the tree: proves the tree
# works as KDIR (headers, scripts, Module.symvers) before it is published.
check_kdir() {
	local tmp
	tmp=$(mktemp -d)
	cat >"$tmp/hello.c" <<-'EOF'
	#include <linux/module.h>
	static int __init hello_init(void) { return 0; }
	static void __exit hello_exit(void) { }
	module_init(hello_init);
	module_exit(hello_exit);
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := hello.o' >"$tmp/Kbuild"
	if ! make -C "$out/build" M="$tmp" modules >&2 || [ ! -f "$tmp/hello.ko" ]; then
		rm -rf "$tmp"
		die "an out-of-tree module does not build against $out/build"
	fi
	rm -rf "$tmp"
}

build() {
	local deb=$1 start=$SECONDS jobs rel t
	jobs=$(nproc)

	# Stages leave markers so that an interrupted run resumes where it
	# stopped (make itself is incremental) instead of starting over.
	if [ ! -f "$out/.extracted" ]; then
		rm -rf "$out"
		mkdir -p "$out"
		log "extracting $(basename "$deb")"
		# The .deb holds one big tarball; stream it instead of
		# storing a second copy.
		dpkg-deb --fsys-tarfile "$deb" |
			tar -xO --wildcards '*/usr/src/linux-source-6.12.tar.xz' |
			tar -xJ -C "$out"
		mv "$out/linux-source-6.12" "$out/build"
		touch "$out/.extracted"
	fi
	cd "$out/build"

	if [ ! -f "$out/.configured" ]; then
		# -n: start from allnoconfig, so only what the fragment asks
		# for (and its dependencies) gets built. A defconfig-based
		# debug kernel takes several times longer (GPU drivers...).
		log "configuring: allnoconfig + $fragment"
		scripts/kconfig/merge_config.sh -n "$fragment" >&2
		verify_config
		touch "$out/.configured"
	fi

	# `modules` also runs modpost, which writes Module.symvers: that and
	# the prepared scripts/ are what an out-of-tree module build needs.
	log "building bzImage + modules with -j$jobs (7-10 minutes on 2 cores)"
	t=$SECONDS
	make -j"$jobs" bzImage modules >&2
	t=$((SECONDS - t))
	log "make bzImage modules took $((t / 60))m$((t % 60))s"

	rel=$(make -s kernelrelease)
	rm -rf "$out/image"
	mkdir -p "$out/image"
	# Uncompressed .ko (the fragment leaves MODULE_COMPRESS off): busybox
	# insmod cannot read .ko.xz. modules_install also runs depmod.
	make modules_install INSTALL_MOD_PATH="$out/image" >&2
	# modules_install links lib/modules/<rel>/build to this tree; that
	# link means nothing inside a VM, and a `cp -rL` of image/ would drag
	# the whole tree along.
	rm -f "$out/image/lib/modules/$rel/build" "$out/image/lib/modules/$rel/source"
	cp arch/x86/boot/bzImage "$out/image/vmlinuz"
	echo "$rel" >"$out/image/kernelrelease"

	check_kdir
	touch "$out/.complete"
	t=$((SECONDS - start))
	log "done in $((t / 60))m$((t % 60))s: $rel in $out"
}

# --- Main --------------------------------------------------------------------

[ -f "$fragment" ] || die "no config fragment at $fragment"
# Before the key: it includes the compiler version. The kernel records the
# compiler it was configured with, and modules built later against the tree
# should use the same one, so a gcc update means a rebuild.
ensure_packages
deb=$(source_deb)
version=$(dpkg-deb -f "$deb" Version) || die "unreadable package $deb"
key=$({ echo "$version"; gcc --version | head -n 1
	sha256sum <"$fragment"; sha256sum <"$self"; } | sha256sum | cut -c1-16)
out=$root/$key

if [ ! -f "$out/.complete" ]; then
	mkdir -p "$root"
	# Two test runs started together must not build into the same tree:
	# the second waits, then finds .complete.
	exec 9>"$root/$key.lock"
	if ! flock -n 9; then
		log "another build of $key is running; waiting for it"
		flock 9
	fi
	if [ ! -f "$out/.complete" ]; then
		log "building linux-source-6.12 $version (key $key)"
		(build "$deb")
	fi
	exec 9>&-
fi

case $what in
build) echo "$out" ;;
kdir) echo "$out/build" ;;
image) echo "$out/image" ;;
esac
