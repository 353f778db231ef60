#!/bin/bash
# bench/dt.sh ARCH [BUILD]: la-vmrun's aarch64 or riscv64 VM in that arch's
# emulated host (tests/vm/run-in-l1.sh --arch ARCH: QEMU TCG with the
# virtualization extensions, Debian's kernel with KVM), beside kvmtool when
# LKVM names a static lkvm binary for ARCH (else the table says "no peer"),
# in one run (make bench ARCH=ARCH):
#   (a) VMM exec -> exit with a payload that powers off at once (bench/fw-ARCH.S:
#       PSCI SYSTEM_OFF, SBI SRST), wall time and peak RSS: the VMM's own
#       start-up and tear-down
#   (b) Debian's kernel for ARCH, kernel start -> init marker, the same
#       kernel and initramfs for both VMMs, 1 vCPU, 256 MiB
#   (c) the VMM's own memory while that guest runs: RSS minus guest RAM
# Runs interleave (la-vmrun, peer, la-vmrun, ...); each figure is a median.
# Environment: RUNS_PROBE (9), RUNS_LINUX (5), LKVM.
# A static lkvm for ARCH from a kvmtool checkout, with the libfdt that
# `make cross ARCH=ARCH` built (LIBFDT_DIR wants fdt.h, libfdt.h,
# libfdt_env.h and libfdt.a in one folder):
#   make ARCH=arm64|riscv CROSS_COMPILE=ARCH-linux-gnu- LIBFDT_DIR=DIR lkvm-static
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-}
case $arch in
aarch64 | riscv64) ;;
*) echo "bench/dt.sh: ARCH: '$arch' is not aarch64 or riscv64" >&2; exit 2 ;;
esac
build=$(cd "${2:-$top/build}" && pwd) || exit 1
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

vmrun=$build/cross/$arch/bin/la-vmrun
case $arch in
aarch64) probe=$build/bench/fw-aarch64.Image ;;
riscv64) probe=$build/bench/fw-riscv64.bin ;;
esac
l2=$(la_vm_l2_kernel_"$arch")
initrd=$build/vm/guest-$arch.cpio
for f in "$vmrun" "$probe" "$l2" "$initrd"; do
	[ -n "$f" ] && [ -e "$f" ] ||
		{ echo "bench: ${f:-the $arch kernel} missing (make bench ARCH=$arch builds them)" >&2; exit 1; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# the exec timer, static for ARCH
"$arch-linux-gnu-gcc" -std=gnu11 -Wall -Wextra -Werror -O2 -static \
	-o "$stage/la-bench-exec" "$top/bench/exec.c" || exit 1
cp "$probe" "$stage/probe"
cp "$l2" "$stage/vmlinuz"
cp "$initrd" "$stage/guest.cpio"
bins=(--bin "$stage/la-bench-exec" --bin "$vmrun")
peer=""
if [ -n "${LKVM:-}" ]; then
	[ -x "$LKVM" ] || { echo "bench: LKVM: '$LKVM': not an executable" >&2; exit 1; }
	bins+=(--bin "$LKVM")
	peer=/payload/bin/$(basename "$LKVM")
fi
missing=$(la_vm_missing_"$arch")
[ -z "$missing" ] || { echo "bench: cannot start the $arch emulated host: $missing" >&2; exit 1; }
{
	echo "B=/payload VMRUN=/payload/bin/la-vmrun PEER='$peer' ARCH=$arch"
	echo "RUNS_PROBE=${RUNS_PROBE:-9} RUNS_LINUX=${RUNS_LINUX:-5}"
	echo "KERNEL_NAME=$(basename "$(dirname "$l2")")/$(basename "$l2")"
	echo "export B VMRUN PEER ARCH RUNS_PROBE RUNS_LINUX KERNEL_NAME"
	cat "$top/bench/inner-dt.sh"
} >"$stage/inner.sh"
echo "bench: $(date -u +%FT%TZ) on $(uname -m), $(nproc) CPUs; la-vmrun $arch: $vmrun; peer: ${LKVM:-no peer (LKVM=path to a static lkvm for $arch)}"
echo "== emulated $arch host: QEMU TCG, $(basename "$(la_vm_l1_kernel_"$arch")"); L1 /dev/kvm"
"$top/tests/vm/run-in-l1.sh" --arch "$arch" --smp 2 --mem 2G --timeout 1800 "${bins[@]}" \
	--file "$stage/probe:probe" --file "$stage/guest.cpio:guest.cpio" \
	--file "$stage/vmlinuz:vmlinuz" --script "$stage/inner.sh"
