#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install (as root, with apt-get) whatever `make check`, `make demo` and
# `make bench` need and the machine lacks. Already-installed packages cost
# one dpkg-query each.
set -euo pipefail

pkgs=(gcc make libc6-dev perl python3 git
      qemu-system-x86 busybox-static cpio kmod xz-utils
      iproute2 tcpdump sparse dkms codespell libmnl-dev
      nftables  # nft, for nat.sh's router in the VM
      clang libbpf-dev bpftool  # trace_bpf.sh: BPF object, loader, bpftool
      python3-yaml python3-jsonschema)  # the kernel's YNL generator (lint)
pkgs+=("$@")	# what one entry point alone needs (make deb: debhelper ...)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
