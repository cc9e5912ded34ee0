#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
#
# Debian kernels for tcpark: which one, its headers, its bootable image.
#
#   kernel.sh abi KVER      print the Debian ABI name, e.g. 6.1.0-56-amd64
#   kernel.sh headers KVER  install linux-headers-ABI if needed, print its KDIR
#   kernel.sh image KVER    fetch and unpack linux-image-ABI-unsigned into the
#                           cache, print that folder (vmlinuz, vmlinux if
#                           bootable by PVH, config-ABI, lib/modules/ABI with
#                           the modules the guest needs)
#
# KVER is 6.1 or 6.12. TCPARK_ABI_6_1 / TCPARK_ABI_6_12 override the ABI.
# TCPARK_VM_MODULES (default "veth tun sch_netem nf_defrag_ipv6 nf_tables
# nft_ct nft_chain_nat nft_masq crc32c_generic": nf_defrag_ipv6 for tcpark
# itself, the others for nat.sh's NAT router) lists the modules kept from
# the image, with whatever they depend on (nf_conntrack, nf_nat...).
#
# KVER may also be debug: the KASAN + lockdep + kmemleak kernel built from
# linux-source-6.12 by tools/debug-kernel/build.sh (built on first use, which
# takes minutes, then cached). abi is its `make kernelrelease`
# (6.12.N-tcpark-debug), headers its build tree, image a copy of its image in
# the same layout as above (no vmlinux: it has no PVH entry). Its image holds
# only the modules its config builds; TCPARK_VM_MODULES (default "veth tun
# sch_netem nf_defrag_ipv6": its config has no nftables, so nat.sh skips
# there) must be among them.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
. "$here/lib.sh"
debug_build=$here/../debug-kernel/build.sh

modules_base="veth tun sch_netem nf_defrag_ipv6"
# libcrc32c (nf_tables needs it) loads only with a crc32c: a soft
# dependency, which modules.dep does not list.
modules_nat="nf_tables nft_ct nft_chain_nat nft_masq crc32c_generic"
# The debug kernel's config builds no nftables: nat.sh skips there.
if [ "${2:-}" = debug ]; then
	modules_wanted=${TCPARK_VM_MODULES:-$modules_base}
else
	modules_wanted=${TCPARK_VM_MODULES:-$modules_base $modules_nat}
fi

usage() {
	vm_header >&2
	exit 2
}

# The ABI name comes from the meta-package (what `apt-get install
# linux-headers-amd64` would pick today), so both kernels move forward
# together with Debian's point releases.
cmd_abi() {
	local kver=$1 var meta abi
	if [ "$kver" = debug ]; then
		cat "$("$debug_build" image)/kernelrelease"
		return
	fi
	var=TCPARK_ABI_${kver//./_}
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return
	fi
	# apt-cache takes ~0.6 s here (images built from docker's Debian keep no
	# pkgcache.bin), once per VM run; remember the answer until the package
	# lists or the installed packages change.
	local memo=$TCPARK_CACHE/abi-$kver key
	key=$(stat -c %Y /var/lib/apt/lists /var/lib/dpkg/status 2>/dev/null | tr '\n' ' ') || true
	if [ -f "$memo" ] && [ "$(head -n 1 "$memo")" = "$key" ]; then
		sed -n 2p "$memo"
		return
	fi
	case $kver in
	6.1) meta=linux-headers-amd64 ;;
	6.12) meta=linux-headers-6.12-amd64 ;;
	esac
	# "Depends: linux-headers-6.1.0-56-amd64"; keep only the wanted series
	# (the grep anchors on "6.1." so 6.12 never matches 6.1).
	abi=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' |
		grep "^${kver//./\\.}\\." | sort -V | tail -n 1) || true
	if [ -z "$abi" ]; then
		# No package lists (offline, fresh container): use what is installed.
		abi=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-headers-*-amd64' 2>/dev/null |
			awk '$NF == "installed" { sub(/^linux-headers-/, "", $1); print $1 }' |
			grep "^${kver//./\\.}\\." | sort -V | tail -n 1) || true
	fi
	[ -n "$abi" ] || vm_die "cannot resolve the $kver ABI: no answer from 'apt-cache depends $meta'" \
		"and no linux-headers-$kver.*-amd64 installed (try apt-get update, or set $var)"
	mkdir -p "$TCPARK_CACHE"
	printf '%s\n%s\n' "$key" "$abi" >"$memo.$$" && mv "$memo.$$" "$memo"
	echo "$abi"
}

cmd_headers() {
	local abi pkg kdir
	if [ "$1" = debug ]; then
		"$debug_build" kdir
		return
	fi
	abi=$(cmd_abi "$1")
	pkg=linux-headers-$abi
	kdir=/usr/src/linux-headers-$abi
	vm_pkg_installed "$pkg" || vm_apt_install "$pkg"
	[ -f "$kdir/Makefile" ] || vm_die "$pkg is installed but $kdir/Makefile is missing"
	echo "$kdir"
}

# Print the path of linux-image-ABI-unsigned's .deb, downloading it if no copy
# is in the cache. `apt-get download` needs no root; only the retry after a
# stale package list does (apt-get update).
find_or_fetch_deb() {
	local abi=$1 pkg deb opts=()
	pkg=linux-image-$abi-unsigned
	# As root, apt drops to user _apt, which cannot write into root's cache
	# and warns; say up front that it should not try.
	[ "$(id -u)" != 0 ] || opts=(-o APT::Sandbox::User=root)
	mkdir -p "$TCPARK_CACHE/deb"
	deb=$(find "$TCPARK_CACHE/deb" "$TCPARK_CACHE/src" -maxdepth 1 -name "${pkg}_*_amd64.deb" \
		2>/dev/null | sort -V | tail -n 1) || true # no src/ folder: fine
	if [ -z "$deb" ]; then
		vm_log "downloading $pkg"
		(cd "$TCPARK_CACHE/deb" && apt-get download -q "${opts[@]}" "$pkg" >&2) || {
			[ "$(id -u)" = 0 ] || vm_die "apt-get download $pkg failed (an apt-get update as root may help)"
			vm_log "download failed; running apt-get update and retrying"
			apt-get update -q >&2
			(cd "$TCPARK_CACHE/deb" && apt-get download -q "${opts[@]}" "$pkg" >&2)
		}
		deb=$(find "$TCPARK_CACHE/deb" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n 1)
	fi
	[ -n "$deb" ] || vm_die "no $pkg .deb after download"
	echo "$deb"
}

# Under TCG the kernel's own decompressor is slow: ~2 s of each boot for 6.1's
# xz image. Kernels with PVH entry (CONFIG_PVH) can be booted by QEMU as the
# plain ELF vmlinux, so unpack it once here, as scripts/extract-vmlinux does:
# find the compressed payload by its magic and decompress it (the trailing
# bytes make the decompressor complain; the ELF check decides).
extract_vmlinux() { # VMLINUZ OUT
	local magic tool offs off
	for magic in xz:$'\xfd7zXZ' zstd:$'\x28\xb5\x2f\xfd' gzip:$'\x1f\x8b\x08'; do
		tool=${magic%%:*}
		offs=$(LC_ALL=C grep -abo -F "${magic#*:}" "$1" | cut -d: -f1) || continue
		for off in $offs; do
			tail -c +$((off + 1)) "$1" | "$tool" -dcq 2>/dev/null >"$2" || true
			if cmp -s -n 4 "$2" <(printf '\177ELF'); then
				return 0
			fi
		done
	done
	rm -f "$2"
	return 1
}

# The debug kernel's image, copied under the name the other tools expect:
# initramfs.sh and run take the ABI from the folder's name. The stamp names
# the build it came from, so a rebuild (new config, new source) is noticed.
debug_image() {
	local img abi dir stamp m kdir
	img=$("$debug_build" image)
	kdir=$("$debug_build" kdir)
	abi=$(cat "$img/kernelrelease")
	dir=$TCPARK_CACHE/kernels/$abi
	stamp="debug: $img $(stat -c %Y "$img/vmlinuz"); modules: $modules_wanted"
	if [ -f "$dir/.complete" ] && grep -qxF "$stamp" "$dir/.complete"; then
		echo "$dir"
		return
	fi
	vm_lock "kernel-$abi"
	if [ -f "$dir/.complete" ] && grep -qxF "$stamp" "$dir/.complete"; then
		echo "$dir"
		return
	fi
	for m in $modules_wanted; do
		awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n);
			gsub(/-/, "_", n); if (n == m) { found = 1; exit } } END { exit !found }' \
			"$img/lib/modules/$abi/modules.dep" "$img/lib/modules/$abi/modules.builtin" ||
			vm_die "module $m is neither built nor built in by the debug kernel" \
				"(add CONFIG_...=m to tools/debug-kernel/config)"
	done
	mkdir -p "$TCPARK_CACHE/kernels"
	tmp=$(mktemp -d "$TCPARK_CACHE/kernels/.tmp.XXXXXX") # global: the trap runs after return
	trap 'rm -rf "$tmp"' EXIT
	chmod 755 "$tmp"
	# All of its modules: the config builds only the few the tests need.
	cp -R "$img/lib" "$img/vmlinuz" "$tmp/"
	cp "$kdir/.config" "$tmp/config-$abi"
	printf '%s\n' "$stamp" >"$tmp/.complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	vm_log "kernel $abi ready in $dir"
	echo "$dir"
}

cmd_image() {
	local abi dir deb stamp mods m line rel files
	if [ "$1" = debug ]; then
		debug_image
		return
	fi
	abi=$(cmd_abi "$1")
	dir=$TCPARK_CACHE/kernels/$abi
	# The marker records what the folder was made from; a different module
	# list means a different folder content.
	stamp="modules: $modules_wanted; vmlinux"
	if [ -f "$dir/.complete" ] && grep -qxF "$stamp" "$dir/.complete"; then
		echo "$dir"
		return
	fi
	vm_need kmod xz-utils zstd # depmod; .ko.xz; 6.1's xz and 6.12's zstd vmlinuz
	vm_lock "kernel-$abi"
	if [ -f "$dir/.complete" ] && grep -qxF "$stamp" "$dir/.complete"; then
		echo "$dir" # another run finished it while we waited for the lock
		return
	fi
	deb=$(find_or_fetch_deb "$abi")
	vm_log "unpacking $(basename "$deb")"
	mkdir -p "$TCPARK_CACHE/kernels"
	tmp=$(mktemp -d "$TCPARK_CACHE/kernels/.tmp.XXXXXX") # global: the trap runs after return
	trap 'rm -rf "$tmp"' EXIT

	# The package has no modules.dep (its postinst runs depmod), so unpack
	# every module and let depmod work out the dependencies: simpler and
	# surer than chasing `modinfo -F depends` by hand.
	mkdir "$tmp/deb" "$tmp/out"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp/deb" --wildcards "*/vmlinuz-$abi" "*/config-$abi" "*/modules/$abi/*"
	mods=$(find "$tmp/deb" -type d -path "*/modules/$abi" -print -quit)
	[ -n "$mods" ] || vm_die "no lib/modules/$abi in $deb"
	depmod -b "${mods%/lib/modules/"$abi"}" "$abi"

	cp "$(find "$tmp/deb" -name "vmlinuz-$abi")" "$tmp/out/vmlinuz"
	cp "$(find "$tmp/deb" -name "config-$abi")" "$tmp/out/config-$abi"
	if grep -qx CONFIG_PVH=y "$tmp/out/config-$abi"; then
		extract_vmlinux "$tmp/out/vmlinuz" "$tmp/out/vmlinux" ||
			vm_log "note: could not extract vmlinux; booting vmlinuz (slower)"
	fi
	mkdir -p "$tmp/out/lib/modules/$abi"
	cp "$mods"/modules.builtin "$mods"/modules.builtin.modinfo "$mods"/modules.order \
		"$tmp/out/lib/modules/$abi/"
	# modules.dep: "kernel/net/sched/sch_netem.ko.xz: dep.ko.xz ..." with
	# the whole dependency chain on the line, so one line per wanted module
	# is the closure.
	for m in $modules_wanted; do
		line=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n);
			gsub(/-/, "_", n); if (n == m) { print $0; exit } }' "$mods/modules.dep")
		[ -n "$line" ] || vm_die "module $m is not in $(basename "$deb") (built in?)"
		read -r -a files <<<"${line/:/ }"
		for rel in "${files[@]}"; do
			mkdir -p "$tmp/out/lib/modules/$abi/$(dirname "$rel")"
			case $rel in
			# Plain .ko: any insmod loads it (busybox's cannot
			# read .ko.xz) and the guest spends no time on xz.
			*.ko.xz) xz -dc "$mods/$rel" >"$tmp/out/lib/modules/$abi/${rel%.xz}" ;;
			*.ko) cp "$mods/$rel" "$tmp/out/lib/modules/$abi/$rel" ;;
			*) vm_die "unexpected module file $rel" ;;
			esac
		done
	done
	depmod -b "$tmp/out" "$abi"
	printf 'deb: %s\n%s\n' "$(basename "$deb")" "$stamp" >"$tmp/out/.complete"
	rm -rf "$dir"
	mv "$tmp/out" "$dir"
	vm_log "kernel $abi ready in $dir"
	echo "$dir"
}

[ $# -eq 2 ] || usage
vm_check_kver "$2"
case $1 in
abi) cmd_abi "$2" ;;
headers) cmd_headers "$2" ;;
image) cmd_image "$2" ;;
*) usage ;;
esac
