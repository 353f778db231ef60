# la: one build. lib/ becomes build/lib/libla.a, then one program per cmd/
# folder (cmd/layout -> build/bin/la-layout), unit tests from tests/unit/.
#
#   make            build everything (into $(BUILD), default build/)
#   make deps       install the Debian packages the build and tests need
#   make kernels    fetch the guest kernels as files (into build/kernels)
#   make check      deps, kernels, build, unit + bats tests, then all again
#                   under ASan+UBSan (in build/san)
#   make demo       print the default layout of each arch
#   make install    PREFIX=/usr/local DESTDIR=... (install-strip, uninstall)
#   make fuzz       each libFuzzer target in tests/fuzz/ for FUZZ_SECONDS
#                   (default 60) over its corpus (clang, ASan+UBSan, in
#                   build/fuzz); make fuzz-check: replay the corpora and a
#                   short bounded run of each (part of make check)
#   make cross ARCH=aarch64|riscv64
#                   every program and unit test for ARCH, static, into
#                   $(BUILD)/cross/ARCH (run them with qemu-ARCH-static)

BUILD   ?= build
# one spelling of every target, however BUILD is given (make, the suites'
# BUILD=$PWD/build): the .d files name targets as they were built, and a
# relative and an absolute name would miss each other's header
# dependencies, leaving objects stale after a header changes
override BUILD := $(abspath $(BUILD))
PREFIX  ?= /usr/local
SAN     ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
VERSION := 0.1.0
# --version names the commit it was built from (and "-dirty" for a work tree
# with changes); build/version holds it, and the programs' main.o depend on
# it, so a new commit rebuilds just those
GIT_REV := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
GIT_DIRTY := $(if $(GIT_REV),$(shell git diff --quiet HEAD -- 2>/dev/null || echo -dirty))
FULL_VERSION := $(VERSION)$(if $(GIT_REV), (git $(GIT_REV)$(GIT_DIRTY)))
WFLAGS  := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
CPPFLAGS += -Ilib -MMD -MP
LDLIBS  := -Wl,--as-needed -lfdt -ljansson -lseccomp -lpthread

# a cross build (make cross): the target's libraries and a static link
ifneq ($(CROSS_SYSROOT),)
# -isystem: searched before /usr/include (the host's headers must not be
# used), and the libraries' headers are not held to our warnings
CPPFLAGS += -isystem $(CROSS_SYSROOT)/include
LDFLAGS += -L$(CROSS_SYSROOT)/lib $(CROSS_STATIC)
endif

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS  := -O1 -g $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

# every .c below lib/, at any depth: a new device or arch file needs no edit here
LIB_SRCS  := $(sort $(shell find lib -name '*.c'))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/lib/libla.a
TOOLS     := $(sort $(notdir $(wildcard cmd/*)))
BINS      := $(TOOLS:%=$(BUILD)/bin/la-%)
# the test builds: each program with tests/hooks/ (never installed)
HOOK_OBJ  := $(BUILD)/obj/tests/hooks/sandbox_hook.o
HOOK_TOOLS := mkfdt vmrun
HOOK_BINS := $(HOOK_TOOLS:%=$(BUILD)/tests/hooks/la-%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNITS     := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
MANS      := $(sort $(wildcard man/*.1))
# The kernels the VM tests and make run boot: Debian's cloud kernel package,
# unpacked (tests/vm/kernels.sh), never installed. One cache for all builds:
# the sanitizer pass (BUILD=build/san) and the tests find it in $LA_KERNELS.
KERNELS   ?= $(or $(LA_KERNELS),$(BUILD)/kernels)
export LA_KERNELS := $(abspath $(KERNELS))
KERNEL_X86 := $(KERNELS)/x86_64-cloud/vmlinuz

# make cross's toolchains, qemu-user and cmake (jansson's build)
CROSS_PACKAGES := gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu libc6-dev-arm64-cross \
	libc6-dev-riscv64-cross qemu-user-static cmake

# make fuzz's compiler and its libFuzzer and sanitizer runtimes
FUZZ_PACKAGES := clang libclang-rt-dev

# Debian packages for building and testing (make deps)
DEB_PACKAGES := gcc make libc6-dev libfdt-dev libjansson-dev libseccomp-dev \
	device-tree-compiler bats bats-assert bats-support jq valgrind \
	binutils qemu-system-x86 busybox-static cpio kmod $(CROSS_PACKAGES) \
	qemu-system-arm qemu-system-misc e2fsprogs xz-utils gnuplot-nox $(FUZZ_PACKAGES)

.PHONY: all deps kernels check test demo install install-strip uninstall clean guest bench bench-virtio run \
	cross programs fuzz fuzz-check fuzz-build
.SECONDARY:
all: $(LIB) $(BINS) $(HOOK_BINS) $(UNITS) guest

# The probe guest (tests/guest): freestanding x86_64 code that VMMs boot
# through the Linux boot protocol, as a bzImage and as an ELF; the bench
# firmware (bench/fw.S); the L2 test guest's initramfs (tests/vm). Built with
# their own flags: never sanitized, never PIE.
GUEST_CROSS   ?= $(if $(filter x86_64,$(shell uname -m)),,x86_64-linux-gnu-)
GUEST_CC      := $(GUEST_CROSS)gcc
GUEST_LD      := $(GUEST_CROSS)ld
GUEST_OBJCOPY := $(GUEST_CROSS)objcopy
GUEST_CFLAGS  := -std=gnu11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-pic \
	-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks -mno-red-zone -mgeneral-regs-only \
	-march=x86-64 -mcmodel=small
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 --no-warn-rwx-segments
GUEST         := $(BUILD)/guest
GUEST_OBJS    := $(GUEST)/entry.o $(GUEST)/main.o $(GUEST)/report.o $(GUEST)/hostile.o
GUEST_OUT     := $(GUEST)/probe.bzImage $(GUEST)/probe.elf $(BUILD)/bench/fw.bin \
	$(GUEST)/fw-pflash.bin \
	$(BUILD)/vm/guest.cpio $(BUILD)/bench/la-bench-exec $(BUILD)/bench/la-bench-floor \
	$(BUILD)/tests/la-pty $(BUILD)/tests/la-sercat
guest: $(GUEST_OUT)

$(GUEST)/%.o: tests/guest/%.c tests/guest/probe.h tests/guest/io.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
$(GUEST)/%.o: tests/guest/%.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -c -o $@ $<
$(GUEST)/probe.elf: $(GUEST_OBJS) tests/guest/probe.ld
	$(GUEST_LD) $(GUEST_LDFLAGS) -T tests/guest/probe.ld -o $@ $(GUEST_OBJS)
$(GUEST)/probe.bin: $(GUEST)/probe.elf
	$(GUEST_OBJCOPY) -O binary $< $@
$(GUEST)/probe.bzImage: tests/guest/setup.S $(GUEST)/probe.bin
	$(GUEST_CC) -c -Wa,-I$(GUEST) \
		-Wa,--defsym,PAYLOAD_SIZE=$$(stat -c %s $(GUEST)/probe.bin) -o $(GUEST)/setup.o $<
	$(GUEST_LD) -m elf_x86_64 -Ttext=0 -e 0 -o $(GUEST)/setup.elf $(GUEST)/setup.o
	$(GUEST_OBJCOPY) -O binary $(GUEST)/setup.elf $@
$(BUILD)/bench/fw.bin: bench/fw.S
	@mkdir -p $(@D)
	$(GUEST_CC) -c -o $(BUILD)/bench/fw.o $<
	$(GUEST_LD) -m elf_x86_64 -Ttext=0 -e 0 -o $(BUILD)/bench/fw.elf $(BUILD)/bench/fw.o
	$(GUEST_OBJCOPY) -O binary $(BUILD)/bench/fw.elf $@
# the pflash probe (tests/guest/fw-pflash.S): a --bios firmware, as fw.bin
$(GUEST)/fw-pflash.bin: tests/guest/fw-pflash.S
	@mkdir -p $(@D)
	$(GUEST_CC) -c -o $(GUEST)/fw-pflash.o $<
	$(GUEST_LD) -m elf_x86_64 -Ttext=0 -e 0 -o $(GUEST)/fw-pflash.elf $(GUEST)/fw-pflash.o
	$(GUEST_OBJCOPY) -O binary $(GUEST)/fw-pflash.elf $@
# the bench's exec timer: static, so it runs in the emulated host as is
$(BUILD)/bench/la-bench-exec: bench/exec.c
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
# the firmware run's floor (bench/floor.c): static too
$(BUILD)/bench/la-bench-floor: bench/floor.c
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
# the device-tree arches' bench payloads (bench/fw-ARCH.S): power off at once
$(BUILD)/bench/fw-aarch64.Image: bench/fw-aarch64.S
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none -o $@.elf $<
	aarch64-linux-gnu-objcopy -O binary $@.elf $@
$(BUILD)/bench/fw-riscv64.bin: bench/fw-riscv64.S
	@mkdir -p $(@D)
	riscv64-linux-gnu-gcc -nostdlib -static -Wl,-Ttext=0 -Wl,--build-id=none -o $@.elf $<
	riscv64-linux-gnu-objcopy -O binary $@.elf $@
# a terminal for la-vmrun in the emulated host (tests/vm/pty.c): static too
$(BUILD)/tests/la-pty: tests/vm/pty.c
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
# a client of --serial type=unix in the emulated host (tests/vm/sercat.c)
$(BUILD)/tests/la-sercat: tests/vm/sercat.c
	@mkdir -p $(@D)
	$(GUEST_CC) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
$(BUILD)/vm/guest.cpio: tests/vm/mkguest.sh tests/vm/guest-init.sh tests/vm/lib.sh
	@mkdir -p $(@D)
	tests/vm/mkguest.sh $@
# the same initramfs for an emulated aarch64 or riscv64 host's guests (bench)
$(BUILD)/vm/guest-%.cpio: tests/vm/mkguest.sh tests/vm/guest-init.sh tests/vm/lib.sh
	@mkdir -p $(@D)
	tests/vm/mkguest.sh $@ $*

# The virtio tests' guest, per arch: the same initramfs with the virtio
# modules of that arch's cached kernel (its kver: a new kernel rebuilds it;
# /init names a mismatch), la-vsock and la-blocks, static for that arch. Not in
# `all`: the kernels come first (make kernels; fetched here when missing).
# la.modules=... on the guest's command line loads them (tests/vm/README.md).
VSOCK_CC_x86_64  := $(GUEST_CC)
VSOCK_CC_aarch64 := aarch64-linux-gnu-gcc
VSOCK_CC_riscv64 := riscv64-linux-gnu-gcc
KDIR_x86_64  := $(KERNELS)/x86_64-cloud
KDIR_aarch64 := $(KERNELS)/aarch64
KDIR_riscv64 := $(KERNELS)/riscv64
$(BUILD)/tests/%/la-vsock: tests/vm/vsock.c
	@mkdir -p $(@D)
	$(VSOCK_CC_$*) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
# la-blocks (tests/vm/blocks.c): numbered, flushed blocks and their check
$(BUILD)/tests/%/la-blocks: tests/vm/blocks.c
	@mkdir -p $(@D)
	$(VSOCK_CC_$*) -std=gnu11 -Wall -Wextra -Werror -O2 -static -o $@ $<
$(KERNELS)/%/kver:
	tests/vm/kernels.sh $(KERNELS) $*
define guest_virtio_rule
$(BUILD)/vm/guest-virtio-$(1).cpio: tests/vm/mkguest.sh tests/vm/guest-init.sh tests/vm/lib.sh \
		$(KDIR_$(1))/kver $(BUILD)/tests/$(1)/la-vsock $(BUILD)/tests/$(1)/la-blocks
	@mkdir -p $$(@D)
	tests/vm/mkguest.sh --modules $(KDIR_$(1)) --bin $(BUILD)/tests/$(1)/la-vsock \
		--bin $(BUILD)/tests/$(1)/la-blocks $$@ $(1)
endef
$(foreach a,x86_64 aarch64 riscv64,$(eval $(call guest_virtio_rule,$(a))))

# The device-tree probe guest (tests/guest-dt), freestanding aarch64 and
# riscv64 code la-vmrun boots in the emulated hosts: an arm64 Image, the same
# code as an ELF (crosvm places ELF segments at RAM + their address), a
# riscv64 raw image; and its report over a blob, on the host.
GUEST_DT        := $(BUILD)/guest-dt
GUEST_DT_SRCS   := tests/guest-dt/main_dt.c tests/guest-dt/report_dt.c
GUEST_DT_DEPS   := $(GUEST_DT_SRCS) tests/guest-dt/probe_dt.h tests/guest-dt/probe_dt.ld
GUEST_DT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables --param=min-pagesize=0 \
	-nostdlib -static -no-pie -Wl,--no-warn-rwx-segments -Wl,--build-id=none \
	-T tests/guest-dt/probe_dt.ld
GUEST_DT_A64    := aarch64-linux-gnu-gcc $(GUEST_DT_CFLAGS) -mgeneral-regs-only -mstrict-align
GUEST_DT_RV     := riscv64-linux-gnu-gcc $(GUEST_DT_CFLAGS) -march=rv64imac -mabi=lp64 \
	-mcmodel=medany -mstrict-align
GUEST_DT_OUT    := $(GUEST_DT)/probe-aarch64.Image $(GUEST_DT)/probe-aarch64.elf \
	$(GUEST_DT)/probe-riscv64.bin $(BUILD)/tests/la-probe-dt-report
guest: $(GUEST_DT_OUT)

$(GUEST_DT)/probe-aarch64.Image: tests/guest-dt/aarch64.S $(GUEST_DT_DEPS)
	@mkdir -p $(@D)
	$(GUEST_DT_A64) -Wl,--defsym=LOAD_ADDR=0x80080000 -o $@.elf $< $(GUEST_DT_SRCS)
	aarch64-linux-gnu-objcopy -O binary $@.elf $@
$(GUEST_DT)/probe-aarch64.elf: tests/guest-dt/aarch64.S $(GUEST_DT_DEPS)
	@mkdir -p $(@D)
	$(GUEST_DT_A64) -Wl,--defsym=LOAD_ADDR=0x80000 -o $@ $< $(GUEST_DT_SRCS)
$(GUEST_DT)/probe-riscv64.bin: tests/guest-dt/riscv64.S $(GUEST_DT_DEPS)
	@mkdir -p $(@D)
	$(GUEST_DT_RV) -Wl,--defsym=LOAD_ADDR=0x80200000 -o $@.elf $< $(GUEST_DT_SRCS)
	riscv64-linux-gnu-objcopy -O binary $@.elf $@
$(BUILD)/tests/la-probe-dt-report: tests/guest-dt/host.c tests/guest-dt/report_dt.c \
		tests/guest-dt/probe_dt.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -Wall -Wextra -Werror -O2 -g -o $@ tests/guest-dt/host.c \
		tests/guest-dt/report_dt.c

# keep unit-test objects (make would delete them as intermediate files and
# rebuild them on the next run)
.SECONDARY: $(UNIT_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/guest/report.o $(HOOK_OBJ) \
	$(BUILD)/obj/tests/ctl/fake.o

# the probe's table walkers also run natively, in a unit test
$(BUILD)/tests/test_probe: $(BUILD)/obj/tests/guest/report.o
$(BUILD)/tests/test_x86boot: $(BUILD)/obj/tests/guest/report.o

# kernels: fetch Debian's x86_64 cloud kernel into $(KERNELS), bookworm's
# arm64 kernel with an arm64 busybox, and trixie's riscv64 kernel with its
# kvm.ko and a riscv64 busybox, each with its modules indexed (the virtio
# test guest's; once: does nothing when the cache is complete)
kernels:
	@tests/vm/kernels.sh $(KERNELS) x86_64-cloud aarch64 riscv64

# run: boot Debian's cloud kernel with the busybox initramfs to a shell on
# this terminal (Ctrl-A x quits): on this machine's /dev/kvm where it is
# hardware KVM, else inside an emulated host with nested KVM, after a line
# saying so (tests/vm/make-run.sh). make run ARCH=aarch64|riscv64: that
# arch's Debian kernel, booted by the static la-vmrun of make cross with
# guest-ARCH.cpio, inside that arch's emulated host (natively on such a
# machine with /dev/kvm). The kernel is fetched first unless RUN_KERNEL
# names another one.
RUN_ARCH   := $(or $(ARCH),x86_64)
RUN_KERNEL_DEFAULT := $(if $(filter x86_64,$(RUN_ARCH)),$(KERNEL_X86),$(KERNELS)/$(RUN_ARCH)/vmlinuz)
RUN_KERNEL ?= $(RUN_KERNEL_DEFAULT)
RUN_MEM    ?= 1G
RUN_CPUS   ?= 2
RUN_FETCH  := $(if $(filter $(RUN_KERNEL_DEFAULT),$(RUN_KERNEL)),kernels)
ifeq ($(RUN_ARCH),x86_64)
run: $(BUILD)/bin/la-vmrun $(BUILD)/vm/guest.cpio $(RUN_FETCH)
	@tests/vm/make-run.sh $(BUILD) $(RUN_KERNEL) $(RUN_MEM) $(RUN_CPUS)
else
# in turn: guest-ARCH.cpio takes ARCH's busybox from the kernels' cache
run: $(RUN_FETCH)
	@case "$(RUN_ARCH)" in aarch64 | riscv64) ;; \
	*) echo "make run: ARCH: '$(RUN_ARCH)' is not x86_64, aarch64 or riscv64" >&2; exit 2 ;; esac
	@$(MAKE) --no-print-directory cross ARCH=$(RUN_ARCH)
	@$(MAKE) -s --no-print-directory $(BUILD)/vm/guest-$(RUN_ARCH).cpio
	@tests/vm/make-run.sh $(BUILD) $(RUN_KERNEL) $(RUN_MEM) $(RUN_CPUS) $(RUN_ARCH)
endif

# bench: VMM start-up, boot and memory, side by side with QEMU, and the stage
# programs: one table and build/bench/boot-timeline.svg (bench/boot.sh,
# bench/report.sh; RUNS_STAGE=, RUNS_FW=, RUNS_LINUX=, PARTS=)
# make bench: x86_64 (bench/boot.sh); make bench ARCH=aarch64|riscv64: that
# arch's VM in its emulated host (bench/dt.sh)
# (the runs on lines of their own, without $(MAKE): make -n prints them)
ifneq ($(filter aarch64 riscv64,$(ARCH)),)
bench: all
	@$(MAKE) --no-print-directory cross ARCH=$(ARCH)
	@$(MAKE) --no-print-directory $(BUILD)/vm/guest-$(ARCH).cpio \
		$(BUILD)/bench/fw-$(if $(filter aarch64,$(ARCH)),aarch64.Image,riscv64.bin)
	bench/dt.sh $(ARCH) $(BUILD)
else
bench: all $(BUILD)/vm/guest-virtio-x86_64.cpio
	bench/boot.sh $(BUILD)
endif

# bench-virtio: la-vmrun's virtio-blk and virtio-net against QEMU's (fio,
# iperf3 from Debian in the guest), boot with a disk and a NIC, VMM memory
# (bench/virtio.sh; RUNS=, SECS=, CACHE=, VHOST=, PARTS=)
bench-virtio: all $(BUILD)/vm/guest-virtio-x86_64.cpio
	bench/virtio.sh $(BUILD)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# only the programs' main.c print the version
VERSION_FILE := $(BUILD)/version
$(shell mkdir -p $(BUILD) && { echo '$(FULL_VERSION)' | cmp -s - $(VERSION_FILE) || \
	echo '$(FULL_VERSION)' >$(VERSION_FILE); })
$(TOOLS:%=$(BUILD)/obj/cmd/%/main.o): $(VERSION_FILE)
$(TOOLS:%=$(BUILD)/obj/cmd/%/main.o): CPPFLAGS += '-DLA_VERSION="$(FULL_VERSION)"'

# q, not r: members are named by their file's base name, and several
# folders have a kvm.o or a devices.o (r would keep only the last)
$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) qcs $@ $^

# la-vmrun links statically (static-pie, so it keeps ASLR): exec to a running
# VM is what it is measured on, and the dynamic loader's library search and
# relocations were a third of a firmware boot's wall time in the emulated
# host. The sanitizer build stays dynamic.
ifeq ($(SAN)$(CROSS_SYSROOT),)
$(BUILD)/bin/la-vmrun $(BUILD)/tests/hooks/la-vmrun: LDFLAGS += -static-pie
endif

define tool_rule
$(BUILD)/bin/la-$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard cmd/$(1)/*.c))) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# the hook object comes first: its la_sandbox_test_hook() wins over the
# library's weak one
define hook_rule
$(BUILD)/tests/hooks/la-$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard cmd/$(1)/*.c))) $(HOOK_OBJ) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(HOOK_TOOLS),$(eval $(call hook_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# la-vmctl's tests without a VM: lib/ctl.c's server with a fake VM behind
# it (tests/ctl/fake.c; never installed)
CTL_FAKE := $(BUILD)/tests/la-ctl-fake
all: $(CTL_FAKE)
$(CTL_FAKE): $(BUILD)/obj/tests/ctl/fake.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# programs: the programs and unit tests only (what a cross build makes)
programs: $(BINS) $(UNITS)

# cross: the libraries from source for ARCH (tools/cross-sysroot.sh, cached
# in $(BUILD)/cross), then the programs, static (static-pie on aarch64;
# bookworm's riscv64 glibc cannot link static-pie)
cross:
	@case "$(ARCH)" in aarch64 | riscv64) ;; \
	*) echo "make cross: ARCH: '$(ARCH)' is not aarch64 or riscv64" >&2; exit 2 ;; esac
	@tests/deps.sh $(CROSS_PACKAGES)
	@tools/cross-sysroot.sh $(BUILD)/cross $(ARCH)
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/cross/$(ARCH) CC=$(ARCH)-linux-gnu-gcc \
		AR=$(ARCH)-linux-gnu-ar CROSS_SYSROOT=$(abspath $(BUILD)/cross/$(ARCH)/sysroot) \
		CROSS_STATIC=$(if $(filter aarch64,$(ARCH)),-static-pie,-static) programs

deps:
	@tests/deps.sh $(DEB_PACKAGES)

# test: the unit and bats suites against $(BUILD); prints one summary line
test: all
	@tests/run.sh $(BUILD) $(if $(filter 1,$(SAN)),san,plain)

check: deps
	@$(MAKE) --no-print-directory kernels
	@$(MAKE) --no-print-directory all >/dev/null
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 all >/dev/null
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san SAN=1 test
	@$(MAKE) --no-print-directory fuzz-check
	@tests/summary.sh $(BUILD)/results-plain $(BUILD)/san/results-san

# The fuzz targets (tests/fuzz/fuzz_*.c): lib/ again, built by clang with
# ASan+UBSan and libFuzzer's coverage (-fsanitize=fuzzer-no-link) into its
# own $(FUZZ_BUILD), each target linked with libFuzzer's main. Their seed
# corpora and dictionaries are in tests/fuzz/ (tests/fuzz/README.md).
FUZZ_CC      ?= clang
FUZZ_BUILD   := $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# clang's warnings that gcc does not give: a flexible struct inside a
# struct (KVM_SET_MSRS, gnu11 as gcc takes it), libseccomp's SCMP_CMP
# leaving fields to their zero
FUZZ_CFLAGS  := -O1 -g $(FUZZ_SANFLAGS) -fsanitize=fuzzer-no-link \
	-Wno-gnu-variable-sized-type-not-at-end -Wno-missing-field-initializers
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/bin/%)
FUZZ_LIB     := $(FUZZ_BUILD)/lib/libla.a
.SECONDARY: $(FUZZ_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WFLAGS) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<
$(FUZZ_LIB): $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) qcs $@ $^
$(FUZZ_BUILD)/bin/%: $(FUZZ_BUILD)/obj/tests/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_SANFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(FUZZ_LDEXTRA) $(LDLIBS)
# the command-line targets (fuzz_args_*.c): a program's main.c included
# with main renamed, its other files beside it, and its exits turned into
# returns to the fuzzer (tests/fuzz/fuzz_args.h)
$(FUZZ_BUILD)/bin/fuzz_args_%: FUZZ_LDEXTRA = -Wl,--wrap=exit,--wrap=argp_parse \
	-Wl,--wrap=argp_failure,--wrap=argp_error,--wrap=argp_state_help
$(FUZZ_BUILD)/bin/fuzz_args_vmrun: \
	$(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out cmd/vmrun/main.c,$(wildcard cmd/vmrun/*.c)))
$(FUZZ_BUILD)/bin/fuzz_args_alloc: \
	$(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(filter-out cmd/alloc/main.c,$(wildcard cmd/alloc/*.c)))

fuzz-build: $(FUZZ_BINS)

# fuzz-check: every corpus replayed, then each target a bounded number of
# runs from a fixed seed (tests/fuzz/run.sh); a crash fails make check
fuzz-check:
	@$(MAKE) --no-print-directory fuzz-build >/dev/null
	@tests/fuzz/run.sh check $(FUZZ_BUILD)

fuzz:
	@$(MAKE) --no-print-directory fuzz-build >/dev/null
	@tests/fuzz/run.sh long $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: $(BINS)
	@for a in x86_64 aarch64 riscv64; do \
		echo "== $(BUILD)/bin/la-layout --arch $$a"; \
		$(BUILD)/bin/la-layout --arch $$a || exit 1; echo; \
	done

install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(INSTALL_STRIP) $(BINS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man1/

# install-strip: the same, without debug symbols (as GNU's targets)
install-strip:
	@$(MAKE) --no-print-directory install INSTALL_STRIP=-s

# uninstall: what install put there, nothing else
uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(PREFIX)/bin/la-%) \
		$(MANS:man/%=$(DESTDIR)$(PREFIX)/share/man/man1/%)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
