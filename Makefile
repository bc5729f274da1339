# SPDX-License-Identifier: GPL-2.0
#
# make                   module/flowmeter.ko (running kernel, or KDIR=...) + flowctl
# make check             unit lane + VM selftests on every supported kernel
# make modules-all       build the module for every supported kernel (W=1)
# make sparse            sparse (C=1) on every supported kernel
# make check-debug       selftests on a KASAN/lockdep/kmemleak kernel (scripts/check-debug)
#
# Supported kernels are the Debian 12 ones installed under /boot; see
# scripts/kernels. Per-kernel builds go to build/<kver>/.

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
	$(MAKE) -C /lib/modules/$*/build M=$(TOP)/build/$* W=1 modules 2>&1 | tee build/$*/build.log
	@! grep -E 'warning:|error:' build/$*/build.log

modules-all: $(foreach k,$(BUILD_KERNELS),build/$(k)/module/flowmeter.ko)

sparse: FORCE
	@set -e; for k in $(BUILD_KERNELS); do \
		mkdir -p build/sparse-$$k/module; ln -sf $(TOP)/Kbuild build/sparse-$$k/Kbuild; \
		for f in module/*; do ln -sf $(TOP)/$$f build/sparse-$$k/$$f; done; \
		$(MAKE) -C /lib/modules/$$k/build M=$(TOP)/build/sparse-$$k C=2 W=1 modules 2>&1 | tee build/sparse-$$k/log; \
		! grep -E 'warning:|error:' build/sparse-$$k/log; \
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

clean:
	$(MAKE) -C userspace clean
	rm -rf build .vm
	rm -f module/*.o module/*.ko module/*.mod* module/.*.cmd .*.cmd modules.order Module.symvers module/modules.order

demo:
	scripts/demo

.PHONY: demo all module flowctl modules-all sparse unit selftests check check-debug clean FORCE
