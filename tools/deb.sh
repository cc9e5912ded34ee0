#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Debian packages of tcpark (debian/): tcpark-dkms (the module's source,
# built by DKMS on the machine it is installed on; dh-dkms) and tcparkctl
# (the CLI, its man page, the uapi header).
#   deb.sh build   dpkg-buildpackage -b in a copy of the tree; the .debs
#                  land in build/deb/
#   deb.sh check   build, then lintian (any error or warning fails), then
#                  both unpacked into a throwaway root with dpkg --root
#                  (its own dpkg database; no maintainer script runs, so
#                  no DKMS build on this host), and that root's tcparkctl
#                  asked for its --version; and `make install` into a
#                  DESTDIR. KTAP lines; exit 1 on failure.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/deb
"$repo/tools/deps.sh" debhelper dh-dkms lintian fakeroot pkgconf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() {
	rm -rf "$tmp/tcpark"
	mkdir "$tmp/tcpark"
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -cf -) | tar -xf - -C "$tmp/tcpark"
	(cd "$tmp/tcpark" && dpkg-buildpackage -us -uc -b >"$out.log" 2>&1) || {
		tail -40 "$out.log" >&2
		return 1
	}
	rm -rf "$out"
	mkdir -p "$out"
	mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out/"
	ls "$out"/*.deb
}

check() {
	local fail=0 root v
	if build >/dev/null; then
		echo "ok - dpkg-buildpackage: $(cd "$out" && echo *.deb)"
	else
		echo "not ok - dpkg-buildpackage"
		return 1
	fi
	if dpkg-deb -f "$out"/tcpark-dkms_*.deb Depends | grep -q '^dkms' &&
		dpkg-deb -I "$out"/tcpark-dkms_*.deb postinst | grep -q 'dkms'; then
		echo "ok - tcpark-dkms depends on dkms, its postinst builds the module"
	else
		echo "not ok - tcpark-dkms: no dkms dependency or postinst"
		fail=1
	fi
	if lintian --fail-on error,warning "$out"/*.changes >"$out/lintian.log" 2>&1; then
		echo "ok - lintian: no error or warning"
	else
		sed 's/^/# /' "$out/lintian.log"
		echo "not ok - lintian"
		fail=1
	fi
	root=$tmp/root
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
	if dpkg --root="$root" --force-depends \
		--unpack "$out"/*.deb >"$out/unpack.log" 2>&1 &&
		[ -f "$root/usr/src/tcpark-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")/dkms.conf" ] &&
		[ -f "$root/usr/share/man/man8/tcparkctl.8.gz" ] &&
		[ -f "$root/usr/share/man/man7/tcpark.7.gz" ] &&
		[ -f "$root/usr/include/linux/tcpark.h" ]; then
		echo "ok - unpacked into a throwaway root: module source, man pages, uapi header"
	else
		sed 's/^/# /' "$out/unpack.log"
		echo "not ok - unpacked into a throwaway root"
		fail=1
	fi
	if v=$("$root/usr/sbin/tcparkctl" --version 2>&1); then
		echo "ok - the root's tcparkctl --version: $v"
	else
		echo "# $v"
		echo "not ok - the root's tcparkctl --version"
		fail=1
	fi
	# make install into a DESTDIR: the same files, where PREFIX says.
	if make -s -C "$repo" install DESTDIR="$tmp/dest" PREFIX=/usr >"$out/install.log" 2>&1 &&
		[ -x "$tmp/dest/usr/sbin/tcparkctl" ] &&
		[ -f "$tmp/dest/usr/share/man/man8/tcparkctl.8" ] &&
		[ -f "$tmp/dest/usr/share/man/man7/tcpark.7" ] &&
		[ -f "$tmp/dest/usr/include/linux/tcpark.h" ] &&
		[ -f "$tmp/dest/usr/src/tcpark-$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")/kmod/Kbuild" ]; then
		echo "ok - make install DESTDIR=... PREFIX=/usr: tcparkctl, man page, header, DKMS source"
	else
		sed 's/^/# /' "$out/install.log"
		echo "not ok - make install DESTDIR=... PREFIX=/usr"
		fail=1
	fi
	return $fail
}

case ${1:-} in
build) build ;;
check) check ;;
*) echo "usage: deb.sh build|check" >&2; exit 64 ;;
esac
