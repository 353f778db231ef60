#!/usr/bin/env bats
# make cross: every program and unit test for aarch64 and riscv64, static,
# with the three libraries built from source for the target; run here under
# qemu-user. Only in the plain pass (run.sh): a cross build is not
# sanitized.

load helpers

LA_BUILD=${LA_BUILD:-$LA_TOP/build}

# cross ARCH: build it (the sysroot and objects are cached in the build)
cross() {
	require "$1-linux-gnu-gcc" "make deps installs the cross toolchains"
	require "qemu-$1-static" "make deps installs qemu-user-static"
	make -s -C "$LA_TOP" --no-print-directory BUILD="$LA_BUILD" ARCH="$1" cross
}

# same_output ARCH ARGS...: the program's output under qemu-user equals the
# native build's, byte for byte, exit status included
same_output() {
	local arch=$1 prog=$2 a b sa=0 sb=0
	shift 2
	a=$(qemu-$arch-static "$LA_BUILD/cross/$arch/bin/$prog" "$@" 2>&1) || sa=$?
	b=$("$LA_BUILD/bin/$prog" "$@" 2>&1) || sb=$?
	[ "$a" = "$b" ] && [ "$sa" = "$sb" ] ||
		fail "$prog $*: $arch (exit $sa) and native (exit $sb) differ:
$(diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -20)"
}

# units ARCH: every unit test under qemu-user but the sandbox's: qemu-user
# refuses seccomp filters (EINVAL, to keep its own system calls), so that
# one runs natively and in the emulated hosts; the others are told
# LA_TEST_QEMU_USER (test_ctl's server then takes no filter, test_vhost
# expects qemu's ENOSYS for the vhost ioctls it does not know); each has a
# time limit, so a test that waits forever fails instead of hanging
units() {
	local t out rc
	for t in "$LA_BUILD/cross/$1/tests"/test_*; do
		[ "$(basename "$t")" = test_sandbox ] && continue
		rc=0
		out=$(LA_TEST_QEMU_USER=1 timeout -k 5 300 qemu-"$1"-static "$t" 2>&1) || rc=$?
		[ "$rc" = 0 ] ||
			fail "$(basename "$t") under qemu-$1: exit $rc: $(grep -A3 '^not ok' <<<"$out" | head -20)"
		if grep -q '^not ok' <<<"$out"; then
			fail "$(basename "$t") under qemu-$1: $(grep -A3 '^not ok' <<<"$out" | head -20)"
		fi
	done
}

# suites ARCH: the bats suites of the pure programs (and of la-vmrun's
# device-tree dry runs) against the cross build
# under qemu-user, which must pass as the native build does. la-mkfdt and
# la-vmrun parse with --seccomp off there (qemu-user refuses filters, and
# both parse their inputs in a filtered child); la-mkfdt's five sandbox
# tests skip, and nothing else may.
suites() {
	local w=$BATS_TEST_TMPDIR/bin p f out
	mkdir -p "$w"
	for p in layout alloc hostcpu mkfdt vmrun; do
		printf '#!/bin/sh\nexec qemu-%s-static %s %s"$@"\n' "$1" \
			"$LA_BUILD/cross/$1/bin/la-$p" "$(case $p in mkfdt | vmrun) echo '--seccomp off ' ;; esac)" \
			>"$w/la-$p"
		chmod +x "$w/la-$p"
	done
	for f in layout alloc hostcpu mkfdt vmrun_dt; do
		out=$(LA_BIN=$w LA_HOST_ARCH=$1 LA_QEMU_USER=1 bats --tap "$LA_TOP/tests/bats/$f.bats" 2>&1) ||
			fail "$f.bats under qemu-$1: $(grep -A12 '^not ok' <<<"$out" | head -40)"
		[ "$(grep -c '# skip' <<<"$out")" = "$([ $f = mkfdt ] && echo 5 || echo 0)" ] ||
			fail "$f.bats under qemu-$1 skipped: $(grep '# skip' <<<"$out")"
	done
}

@test "make cross: ARCH must be aarch64 or riscv64" {
	run make -s -C "$LA_TOP" --no-print-directory BUILD="$LA_BUILD" ARCH=sparc cross
	assert_failure 2
	assert_output --partial "make cross: ARCH: 'sparc' is not aarch64 or riscv64"
}

@test "make cross ARCH=aarch64: static-pie programs whose unit tests pass and outputs match under qemu-user" {
	cross aarch64
	for p in la-alloc la-hostcpu la-layout la-mkfdt la-vmrun; do
		run file "$LA_BUILD/cross/aarch64/bin/$p"
		assert_output --partial "ARM aarch64"
		assert_output --partial "static-pie linked"
	done
	units aarch64
	same_output aarch64 la-layout --arch aarch64 --mem 4G --json
	same_output aarch64 la-alloc --arch aarch64 --phys-bits 40 --platform --device virtio-blk --json
	same_output aarch64 la-layout --mem 4Q
	same_output aarch64 la-hostcpu --sysfs-root "$LA_TOP/tests/fixtures/hostcpu/phone" --json
}

@test "make cross ARCH=aarch64: the la-layout, la-alloc, la-hostcpu, la-mkfdt and la-vmrun DT suites pass under qemu-user" {
	cross aarch64
	suites aarch64
}

@test "make cross ARCH=riscv64: the la-layout, la-alloc, la-hostcpu, la-mkfdt and la-vmrun DT suites pass under qemu-user" {
	cross riscv64
	suites riscv64
}

@test "make cross ARCH=riscv64: static programs whose unit tests pass and outputs match under qemu-user" {
	cross riscv64
	for p in la-alloc la-hostcpu la-layout la-mkfdt la-vmrun; do
		run file "$LA_BUILD/cross/riscv64/bin/$p"
		assert_output --partial "RISC-V"
		assert_output --partial "statically linked"
	done
	units riscv64
	same_output riscv64 la-layout --arch riscv64 --mem 1G --cpus 4 --json
	same_output riscv64 la-alloc --arch x86_64 --platform --phys-bits 46
	same_output riscv64 la-alloc --device floppy
}
