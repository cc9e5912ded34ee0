#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck source-path=SCRIPTDIR
#
# Build the initramfs of the tcpark test VM, in two parts that the kernel
# unpacks one after the other (concatenated gzip'd cpio archives are a valid
# initramfs, later files replacing earlier ones):
#
#   initramfs.sh base KVER
#       The static part, cached per kernel ABI: busybox, dash, bash,
#       iproute2, tcpdump, kmod, nft, bpftool, the kernel's modules that
#       kernel.sh kept (veth, tun, sch_netem, nftables with NAT...), /init.
#       Prints the path of the .cpio.gz; rebuilt when these scripts, the
#       kernel folder or the host's packages (dpkg status) change.
#   initramfs.sh overlay KVER OUT [--module KO]... [--put SRC DEST]...
#       The per-run part, written to OUT: each KO as /lib/modules/NAME.ko
#       and in /lib/modules/ABI/extra/ with a fresh modules.dep (so modprobe
#       finds it), each SRC file or folder at DEST, plus the shared
#       libraries of any ELF program among them that the base lacks.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=lib.sh
. "$here/lib.sh"

usage() {
	vm_header >&2
	exit 2
}

# Programs from the host, copied with their shared libraries. Debian's
# busybox prefers its own applets to $PATH, in its shell and in every applet
# that runs another program (env, timeout, xargs, nsenter, ...): `timeout 5
# ip netns add x` would run busybox's ip, which has no netns. So the shell
# (/bin/sh) is dash and the program-running tools are the GNU/util-linux
# ones; busybox provides only what is left.
progs_required=(dash bash ip tc ss tcpdump kmod nft bpftool
	env timeout xargs find chroot nice nohup flock nsenter unshare setsid
	taskset ionice setpriv setarch)
progs_optional=(strace watch ethtool) # debugging aids, when the host has them
# kmod is modprobe & co. under these names (reads modules.dep.bin, like the
# real system); busybox's ip/tc links would shadow iproute2's.
kmod_names=(modprobe insmod rmmod lsmod modinfo depmod)
busybox_skip=(busybox ip ipneigh tc sh "${kmod_names[@]}")

# Where a host path goes in the guest. The guest has a merged /usr (bin, sbin,
# lib, lib64 are links into usr/), so /bin/x and /usr/bin/x are one file.
guest_path() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# plan_libs FILE: "file SRC DEST" lines for FILE's shared libraries and the
# loader, as ldd resolves them on the host. Prints nothing for static
# programs and non-programs.
plan_libs() {
	{ ldd "$1" 2>/dev/null || true; } | awk '
		$2 == "=>" && $3 == "not" { print "missing " $1; next }
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' |
		while read -r lib rest; do
			if [ "$lib" = missing ]; then
				vm_log "warning: $1 needs $rest, which the host lacks"
			else
				echo "file $lib $(guest_path "$lib")"
			fi
		done
}

# plan_prog NAME: copy the host's NAME (and its libraries) to the same place
# in the guest; if the host reaches it through a link (/usr/sbin/ip ->
# /bin/ip), make the same link.
plan_prog() {
	local src real gsrc greal
	src=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$1") || return 1
	real=$(readlink -f "$src")
	gsrc=$(guest_path "$(readlink -f "$(dirname "$src")")/$1")
	greal=$(guest_path "$real")
	echo "file $real $greal"
	[ "$gsrc" = "$greal" ] || echo "link $gsrc $greal"
	plan_libs "$real"
}

# The whole base as a list of "file SRC DEST" / "link DEST TARGET" lines.
plan_base() {
	local kdir=$1 p d f name have
	echo "file $here/init.sh /init"
	echo "file $(readlink -f /bin/busybox) /usr/bin/busybox"
	for p in "${progs_required[@]}"; do
		plan_prog "$p" || vm_die "host program $p not found"
	done
	for p in "${progs_optional[@]}"; do
		plan_prog "$p" || vm_log "note: no $p on the host, the guest will lack it"
	done
	echo "link /usr/bin/sh /usr/bin/dash"
	for p in "${kmod_names[@]}"; do echo "link /usr/sbin/$p /usr/bin/kmod"; done
	# Data files the tools read: protocol/service names, iproute2's tables
	# and netem's delay distributions.
	for f in /etc/protocols /etc/services /etc/ethertypes; do
		[ ! -f "$f" ] || echo "file $f $f"
	done
	for d in /etc/iproute2 /usr/lib/*/tc /usr/lib/tc /usr/share/iproute2; do
		[ ! -d "$d" ] || find "$d" -type f
	done | sort | while read -r f; do echo "file $f $(guest_path "$f")"; done
	(cd "$kdir" && find lib -type f | sort) | while read -r f; do
		echo "file $kdir/$f /usr/$f"
	done
	# Every busybox applet not provided by a real program above.
	have=" $(plan_names) ${busybox_skip[*]} "
	busybox --list-full | while read -r p; do
		name=${p##*/}
		case $have in *" $name "*) continue ;; esac
		echo "link $(guest_path "/$p") /usr/bin/busybox"
	done
}
# Names of the programs planned so far (busybox must not shadow them).
plan_names() {
	local p
	for p in "${progs_required[@]}" "${progs_optional[@]}"; do printf '%s ' "$p"; done
}

# Carry out a plan in folder $1 (lines on stdin).
apply_plan() {
	local root=$1 kind a b
	while read -r kind a b; do
		case $kind in
		file)
			mkdir -p "$root$(dirname "$b")"
			cp -L --preserve=mode "$a" "$root$b"
			;;
		link)
			mkdir -p "$root$(dirname "$a")"
			ln -sfn "$b" "$root$a"
			;;
		esac
	done
}

# Files written rather than copied: just enough /etc for glibc and the tools.
# tcpdump drops root for user "tcpdump" after opening the interface, so that
# user must exist (or tests pass -Z root).
write_etc() {
	local root=$1
	cat >"$root/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		tcpdump:x:104:110::/nonexistent:/usr/sbin/nologin
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$root/etc/group" <<-'EOF'
		root:x:0:
		tcpdump:x:110:
		nogroup:x:65534:
	EOF
	printf '127.0.0.1\tlocalhost tcpark-vm\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
		>"$root/etc/hosts"
	# No DNS in the guest: look names up in files only, at once.
	printf 'passwd: files\ngroup: files\nhosts: files\nservices: files\nprotocols: files\n' \
		>"$root/etc/nsswitch.conf"
	echo tcpark-vm >"$root/etc/hostname"
	echo TCPARK_VM_NONCE=none >"$root/etc/tcpark-vm.env" # replaced per run
}

# Pack folder $1 into gzip'd newc cpio $2, everything owned by root.
pack() {
	(cd "$1" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -"${3:-6}" >"$2"
}

cmd_base() {
	local kver=$1 kdir abi plan key out d stage
	# Result in $base (no subshell: it would lose the temporary-folder list).
	vm_need busybox-static iproute2 tcpdump kmod cpio nftables bpftool
	kdir=$("$here/kernel.sh" image "$kver")
	abi=$(basename "$kdir")
	# Cache key: these scripts, the kernel folder and the package database
	# (any install or upgrade touches it). Working out the full file list
	# takes a second of ldd, so it is done only when building.
	key=$({
		declare -p progs_required progs_optional
		stat -L -c '%n %s %Y' "$here/initramfs.sh" "$here/lib.sh" "$here/init.sh" \
			/var/lib/dpkg/status /bin/busybox "$kdir/.complete"
	} | sha256sum | cut -c1-16)
	d=$TCPARK_CACHE/initramfs
	out=$d/$abi-$key.cpio.gz
	base=$out
	[ ! -f "$out" ] || return 0
	vm_lock "initramfs-$abi"
	[ ! -f "$out" ] || return 0 # built by another run while we waited

	vm_log "building the base initramfs for $abi"
	plan=$(plan_base "$kdir")
	mkdir -p "$d"
	stage=$(mktemp -d "$d/.stage.XXXXXX")
	tmps+=("$stage" "$stage.files")
	mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/{dev,proc,sys,run,tmp,root,etc,mnt,var}
	chmod 1777 "$stage/tmp"
	ln -s usr/bin "$stage/bin"
	ln -s usr/sbin "$stage/sbin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	ln -s ../run "$stage/var/run"
	apply_plan "$stage" <<<"$plan"
	write_etc "$stage"
	(cd "$stage" && find . -mindepth 1 -printf '/%P\n' | sort) >"$stage.files"
	pack "$stage" "$out.tmp"
	# Older bases of this ABI are stale now.
	rm -f "$d/$abi"-*.cpio.gz "$d/$abi"-*.files
	mv "$stage.files" "${out%.cpio.gz}.files"
	mv "$out.tmp" "$out"
	vm_log "base initramfs: $out ($(du -h "$out" | cut -f1))"
}

cmd_overlay() {
	local kver=$1 out=$2 kdir abi list ko name m f stage
	shift 2
	kdir=$("$here/kernel.sh" image "$kver")
	abi=$(basename "$kdir")
	cmd_base "$kver"
	list=${base%.cpio.gz}.files
	stage=$(mktemp -d "${TMPDIR:-/tmp}/tcpark-overlay.XXXXXX")
	tmps+=("$stage")
	m=$stage/usr/lib/modules
	while [ $# -gt 0 ]; do
		case $1 in
		--module)
			ko=$2 name=$(basename "$2")
			[ -f "$ko" ] || vm_die "no module $ko"
			# A module built for the other kernel would only fail
			# later, in the guest, with a terse "Invalid format".
			case $(modinfo -F vermagic "$ko" 2>/dev/null) in
			"$abi "*) ;;
			*) vm_log "warning: $name was not built for $abi ($(modinfo -F vermagic "$ko" 2>/dev/null))" ;;
			esac
			mkdir -p "$m/$abi/extra"
			cp "$ko" "$m/$name"
			cp "$ko" "$m/$abi/extra/$name"
			shift 2
			;;
		--put)
			[ -e "$2" ] || vm_die "no such file: $2"
			mkdir -p "$stage$(dirname "$3")"
			cp -RL --preserve=mode,timestamps "$2" "$stage$3"
			shift 3
			;;
		*) usage ;;
		esac
	done
	if [ -d "$m/$abi/extra" ]; then
		# depmod needs the whole tree to resolve symbols; the base's own
		# modules are copied only for that, then dropped again.
		cp -R "$kdir/lib/modules/$abi/." "$m/$abi/"
		depmod -b "$stage/usr" "$abi"
		rm -rf "$m/$abi/kernel"
	fi
	# Shared libraries of the programs added (tcparkctl, test helpers,
	# anything passed with --add) that the base does not have already.
	find "$stage" -type f -perm -u+x | while read -r f; do
		if cmp -s -n 4 "$f" <(printf '\177ELF'); then plan_libs "$f"; fi
	done | sort -u | while read -r _ src dest; do
		grep -qxF "$dest" "$list" || echo "file $src $dest"
	done | apply_plan "$stage"
	pack "$stage" "$out" 1
}

# Temporary folders, removed however the script ends.
tmps=()
trap 'rm -rf "${tmps[@]}"' EXIT

[ $# -ge 2 ] || usage
vm_check_kver "$2"
case $1 in
base)
	[ $# -eq 2 ] || usage
	cmd_base "$2"
	echo "$base"
	;;
overlay) [ $# -ge 3 ] || usage; shift; cmd_overlay "$@" ;;
*) usage ;;
esac
