#!/bin/bash
# bench/boot.sh [BUILD]: la-vmrun against QEMU microvm (and lkvm when it is
# on PATH), side by side, in one run (make bench):
#   (a) firmware exec -> exit, wall time and peak RSS: la-vmrun --bios fw.bin
#       (--irqchip kernel and split) vs qemu -M microvm,x-option-roms=off
#       -device isa-debug-exit,iobase=0xf4,iosize=0x04 -bios fw.bin
#       (isa-debug-exit defaults to port 0x501), and the floors beside them:
#       la-bench-floor (bench/floor.c) creating la-vmrun's KVM objects (la)
#       and the leanest platform (split), running the same firmware
#   (b) Debian's cloud kernel, kernel start -> init marker, same kernel and
#       initramfs for every VMM (la-vmrun with each irqchip)
#   (c) the VMM's own memory while that guest runs: RSS minus guest RAM
# Everything runs in the emulated host (tests/vm/run-in-l1.sh: QEMU TCG with
# SVM, Debian's kernel with kvm-amd), so both VMMs meet the same /dev/kvm;
# where this machine has a usable /dev/kvm, (a) also runs natively.
# Environment: RUNS_FW (10), RUNS_LINUX (2).
# The virtio devices (disk and network throughput, IOPS, boot with a disk
# and a NIC) have their own bench: bench/virtio.sh (make bench-virtio).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || exit 1
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

vmrun=$build/bin/la-vmrun
[ -x "$vmrun" ] || vmrun=""
for f in "$build/bench/fw.bin" "$build/bench/la-bench-exec" "$build/vm/guest.cpio"; do
	[ -e "$f" ] || { echo "bench: $f missing (make all)" >&2; exit 1; }
done
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$build/bench/fw.bin" "$build/vm/guest.cpio" "$stage/"
l2=$(la_vm_l2_kernel)
[ -n "$l2" ] || { echo "bench: no Debian cloud kernel in $(la_vm_kernels_dir) (make kernels)" >&2; exit 1; }
cp "$l2" "$stage/vmlinuz" || { echo "bench: cannot copy $l2" >&2; exit 1; }

echo "bench: $(date -u +%FT%TZ) on $(uname -m), $(nproc) CPUs; la-vmrun: ${vmrun:-not built}"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kind=hardware
	[ -d /sys/module/kvm_pvm ] && kind=kvm_pvm
	echo "== native /dev/kvm ($kind)"
	PATH=$build/bench:$PATH B=$stage VMRUN=$vmrun PARTS=fw KERNEL_NAME= RUNS_FW=${RUNS_FW:-10} sh "$top/bench/inner.sh"
else
	echo "== native: no usable /dev/kvm here, (a) runs in the emulated host only"
fi

missing=$(la_vm_missing)
if [ -n "$missing" ]; then
	echo "bench: cannot start the emulated host: $missing" >&2
	exit 1
fi
{
	echo "B=/payload VMRUN=${vmrun:+/payload/bin/la-vmrun} RUNS_FW=${RUNS_FW:-10} RUNS_LINUX=${RUNS_LINUX:-2}"
	echo "KERNEL_NAME=vmlinuz-$(la_vm_kver "$l2")"
	echo "export B VMRUN RUNS_FW RUNS_LINUX KERNEL_NAME"
	cat "$top/bench/inner.sh"
} >"$stage/inner.sh"
bins=(--bin "$build/bench/la-bench-exec")
[ -x "$build/bench/la-bench-floor" ] && bins+=(--bin "$build/bench/la-bench-floor")
[ -n "$vmrun" ] && bins+=(--bin "$vmrun")
echo "== emulated host: QEMU TCG -cpu EPYC,+svm,+npt, vmlinuz-$(la_vm_kver "$(la_vm_l1_kernel)"), kvm-amd; L1 /dev/kvm"
"$top/tests/vm/run-in-l1.sh" --qemu --smp 2 --mem 2G --timeout 1800 "${bins[@]}" \
	--file "$stage/fw.bin:fw.bin" --file "$stage/guest.cpio:guest.cpio" \
	--file "$stage/vmlinuz:vmlinuz" --script "$stage/inner.sh"
