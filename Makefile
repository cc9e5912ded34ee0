# SPDX-License-Identifier: GPL-2.0
#
#   make                  module (kmod/tcpark.ko) + tools, against KDIR
#   make KVER=6.1|6.12    the same against Debian's linux-headers for that
#                         series (installed if missing), built out of place
#                         in build/KVER/ so both kernels can coexist
#   make KVER=debug       the same against the KASAN + lockdep + kmemleak 6.12
#                         of tools/debug-kernel/build.sh (built once, cached)
#   make check            static checks, DKMS build, selftests in VMs on both
#   make check-debug      the selftests on the debug kernel, then a kmemleak
#                         scan; any KASAN/lockdep/kmemleak report fails it
#   make lint             checkpatch, W=1 and sparse on both kernels, and
#                         the YNL spec against the uapi header
#   make demo | bench | clean
#
# The kernel side is always built by Kbuild (Kbuild, kmod/Kbuild).

KVER ?=
KDIR ?= /lib/modules/$(shell uname -r)/build
REPO := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ifneq ($(KVER),)
KDIR := $(shell $(REPO)/tools/vm/kernel.sh headers $(KVER))
MODDIR := $(REPO)/build/$(KVER)
else
MODDIR := $(REPO)
endif

PREFIX ?= /usr/local
DESTDIR ?=
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(REPO)/dkms.conf)

.PHONY: all deps module tools lint check check-debug demo bench dkms-check clean \
	install install-tcparkctl install-dkms-src deb deb-check

all: module tools

# What a fresh Debian machine lacks (apt-get as root); cheap when present.
deps:
	@$(REPO)/tools/deps.sh

module:
	@test -d "$(KDIR)" || { echo "tcpark: no kernel build dir '$(KDIR)'; set KDIR=... or KVER=6.1|6.12|debug" >&2; exit 1; }
ifneq ($(KVER),)
	@mkdir -p $(MODDIR)
	@cp -ru $(REPO)/Kbuild $(REPO)/dkms.conf $(REPO)/kmod $(REPO)/uapi $(MODDIR)/
endif
	$(MAKE) -C $(KDIR) M=$(MODDIR) $(if $(W),W=$(W)) $(if $(C),C=$(C)) modules

tools: deps
	@if [ -f $(REPO)/tools/tcparkctl/Makefile ]; then $(MAKE) -C $(REPO)/tools/tcparkctl; fi

lint:
	$(REPO)/tools/lint.sh

dkms-check:
	$(REPO)/tools/dkms-check.sh

check:
	$(REPO)/tools/check.sh

check-debug:
	$(REPO)/tools/check-debug.sh

demo:
	$(REPO)/tools/demo/run.sh

bench:
	$(REPO)/tools/bench/run.sh

# make install [DESTDIR=DIR] [PREFIX=/usr/local]: tcparkctl and its man
# page, the uapi header, the module's source in /usr/src/tcpark-VERSION;
# as root without DESTDIR, DKMS then builds and installs the module for
# the running kernel (and each later one of the 6.1 and 6.12 series).
install: install-tcparkctl install-dkms-src
ifeq ($(DESTDIR),)
	dkms add tcpark/$(VERSION) 2>/dev/null || true
	dkms build tcpark/$(VERSION) && dkms install tcpark/$(VERSION)
endif

install-tcparkctl: tools
	install -D -m 0755 $(REPO)/tools/tcparkctl/tcparkctl $(DESTDIR)$(PREFIX)/sbin/tcparkctl
	install -D -m 0644 $(REPO)/docs/tcparkctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/tcparkctl.8
	install -D -m 0644 $(REPO)/docs/tcpark.7 $(DESTDIR)$(PREFIX)/share/man/man7/tcpark.7
	install -D -m 0644 $(REPO)/uapi/linux/tcpark.h $(DESTDIR)$(PREFIX)/include/linux/tcpark.h

# DKMS builds from /usr/src/tcpark-VERSION whatever PREFIX is.
install-dkms-src:
	install -d $(DESTDIR)/usr/src/tcpark-$(VERSION)
	cp -r $(REPO)/Kbuild $(REPO)/dkms.conf $(REPO)/kmod $(REPO)/uapi \
		$(DESTDIR)/usr/src/tcpark-$(VERSION)/

# make deb: tcpark-dkms and tcparkctl packages (debhelper, dh-dkms) in
# build/deb/; make deb-check also runs lintian and installs both into a
# throwaway root.
deb: deps
	$(REPO)/tools/deb.sh build

deb-check: deps
	$(REPO)/tools/deb.sh check

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(REPO) clean; fi
	rm -rf $(REPO)/build
	@if [ -f $(REPO)/selftests/Makefile ]; then $(MAKE) -C $(REPO)/selftests clean; fi
