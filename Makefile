# SPDX-License-Identifier: GPL-2.0
#
# make                   module/flowmeter.ko (running kernel, or KDIR=...) + flowctl
# make check             unit lane + VM selftests on every supported kernel
# make modules-all       build the module for every supported kernel (W=1)
# make sparse            sparse (C=1) on every supported kernel
# make install           module (KVER, default running) + depmod, flowctl,
#                        man page, systemd unit; DESTDIR, PREFIX honoured
# make dkms-install      source to /usr/src/flowmeter-VERSION, dkms build+install
# make debs              scripts/build-debs: flowmeter-dkms and flowctl .debs
# make bench             forwarding benchmark in a VM + hot-path instruction counts
#                        (Documentation/performance.rst; not part of make check)
# make check-debug       selftests on a KASAN/lockdep/kmemleak kernel (scripts/check-debug)
# make stress            200 unload/reload and 500 netns create/delete cycles under
#                        traffic on every CPU, 6.1 with 4 vCPUs (by hand; not in make check)
#
# Supported kernels are the Debian 12 ones installed under /boot; see
# scripts/kernels. Per-kernel builds go to build/<kver>/.

SHELL := /bin/bash
TOP := $(CURDIR)
KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
	  /lib/modules/$(firstword $(shell scripts/kernels build))/build)
KERNELS := $(shell scripts/kernels test)
BUILD_KERNELS := $(shell scripts/kernels build)

all: module flowctl

module:
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

flowctl:
	$(MAKE) -C userspace

# Out-of-tree builds per kernel in a tree of symlinks, so the builds
# for different kernels do not overwrite each other's objects.
build/%/module/flowmeter.ko: FORCE
	@mkdir -p build/$*/module
	@ln -sf $(TOP)/Kbuild build/$*/Kbuild
	@for f in module/*; do ln -sf $(TOP)/$$f build/$*/$$f; done
	@set -o pipefail; $(MAKE) -C /lib/modules/$*/build M=$(TOP)/build/$* W=1 modules 2>&1 | tee build/$*/build.log
	@! grep -iE 'warning:|error:|error ' build/$*/build.log

modules-all: $(foreach k,$(BUILD_KERNELS),build/$(k)/module/flowmeter.ko)

# C=2 checks every source, whether or not its object is up to date: in
# the per-kernel build trees of modules-all, sparse runs without a second
# compile.
sparse: modules-all
	@set -e; for k in $(BUILD_KERNELS); do \
		set -o pipefail; $(MAKE) -C /lib/modules/$$k/build M=$(TOP)/build/$$k C=2 W=1 modules 2>&1 | tee build/$$k/sparse.log; \
		! grep -iE 'warning:|error:|error ' build/$$k/sparse.log; \
	done

unit:
	$(MAKE) -C userspace check

selftests: modules-all flowctl
	@set -e; for k in $(KERNELS); do \
		echo "# === selftests on $$k"; \
		scripts/vm-run -k $$k selftests/run build/$$k/module/flowmeter.ko; \
	done

check:
	scripts/check

check-debug:
	scripts/check-debug

# The stress lane (Documentation/testing.rst): the two stress selftests
# at full counts on the first test kernel (6.1) with 4 vCPUs. The counts
# reach the guest in the command string; slab_nomerge keeps the flow slab
# caches apart, so that their object counts (and the caches' destruction
# at each unload, which warns on a leftover entry) are exact.
STRESS_KVER ?= $(firstword $(KERNELS))
STRESS_UNLOAD ?= 200
STRESS_NETNS ?= 500
stress: build/$(STRESS_KVER)/module/flowmeter.ko flowctl
	VM_APPEND=slab_nomerge scripts/vm-run -k $(STRESS_KVER) -s 4 -t 7200 \
		"FM_STRESS_UNLOAD=$(STRESS_UNLOAD) FM_STRESS_NETNS=$(STRESS_NETNS) \
		selftests/run build/$(STRESS_KVER)/module/flowmeter.ko \
		selftests/test_stress_unload.sh selftests/test_stress_netns.sh"

clean:
	$(MAKE) -C userspace clean
	rm -rf build .vm
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd .*.cmd modules.order Module.symvers module/modules.order

demo:
	scripts/demo

# Installing. The module goes to updates/ so it wins over any in-tree
# copy; depmod runs unless DESTDIR is given (packaging).
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DKMS_SRC := /usr/src/flowmeter-$(VERSION)

install: install-module install-flowctl

install-module: module
	install -D -m 644 module/flowmeter.ko \
		$(DESTDIR)/lib/modules/$(KVER)/updates/flowmeter.ko
	$(if $(DESTDIR),,depmod -a $(KVER))

install-flowctl: flowctl
	install -D -m 755 userspace/flowctl $(DESTDIR)$(SBINDIR)/flowctl
	install -D -m 644 Documentation/flowctl.8 $(DESTDIR)$(MANDIR)/man8/flowctl.8
	install -D -m 644 scripts/system/flowmeter.service \
		$(DESTDIR)$(UNITDIR)/flowmeter.service
	sed -i 's|/usr/sbin/flowctl|$(SBINDIR)/flowctl|' \
		$(DESTDIR)$(UNITDIR)/flowmeter.service
	[ -e $(DESTDIR)/etc/flowmeter.conf ] || \
		install -D -m 644 scripts/system/flowmeter.conf $(DESTDIR)/etc/flowmeter.conf

uninstall:
	rm -f $(DESTDIR)/lib/modules/$(KVER)/updates/flowmeter.ko \
		$(DESTDIR)$(SBINDIR)/flowctl $(DESTDIR)$(MANDIR)/man8/flowctl.8 \
		$(DESTDIR)$(UNITDIR)/flowmeter.service
	$(if $(DESTDIR),,depmod -a $(KVER))

# DKMS: builds and installs for the running kernel now, and for every
# kernel installed later.
dkms-install:
	install -d $(DESTDIR)$(DKMS_SRC)/module
	install -m 644 Kbuild dkms.conf $(DESTDIR)$(DKMS_SRC)/
	install -m 644 module/Kbuild module/*.c module/*.h $(DESTDIR)$(DKMS_SRC)/module/
	$(if $(DESTDIR),,dkms add -m flowmeter -v $(VERSION) || true)
	$(if $(DESTDIR),,dkms build -m flowmeter -v $(VERSION) -k $(KVER))
	$(if $(DESTDIR),,dkms install -m flowmeter -v $(VERSION) -k $(KVER))

dkms-uninstall:
	dkms remove -m flowmeter -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

debs:
	scripts/build-debs

bench:
	$(MAKE) -C userspace bench
	scripts/bench $(BENCH_ARGS)

.PHONY: bench demo stress all module flowctl modules-all sparse unit selftests check check-debug clean FORCE \
	install install-module install-flowctl uninstall dkms-install dkms-uninstall debs
