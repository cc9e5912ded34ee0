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

.PHONY: all deps module tools lint check check-debug demo bench dkms-check clean

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

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(REPO) clean; fi
	rm -rf $(REPO)/build
	@if [ -f $(REPO)/selftests/Makefile ]; then $(MAKE) -C $(REPO)/selftests clean; fi
