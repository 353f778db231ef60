#!/bin/bash
# tests/vm/make-run.sh BUILD KERNEL MEM CPUS [ARCH]: what `make run` does.
# Boots KERNEL with the busybox initramfs (la.fate=shell) to a shell on this
# terminal. ARCH x86_64 (default): BUILD/bin/la-vmrun with BUILD/vm/guest.cpio,
# directly where /dev/kvm is hardware KVM; where it is missing or kvm_pvm
# (which cannot boot a stock kernel), the same la-vmrun command inside an
# emulated host with nested KVM (run-in-l1.sh --interactive), after one line
# saying why. ARCH aarch64 or riscv64: the static BUILD/cross/ARCH/bin/la-vmrun
# (make cross) with BUILD/vm/guest-ARCH.cpio, directly where this machine is
# ARCH with a usable /dev/kvm, else inside ARCH's emulated host
# (run-in-l1.sh --arch ARCH --interactive). Ctrl-A x ends the VM either way;
# the exit status is la-vmrun's (0 poweroff, 32 reboot, ...), or
# run-in-l1.sh's 3 when the emulated host fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

if [ $# -ne 4 ] && [ $# -ne 5 ]; then
	echo "usage: make-run.sh BUILD KERNEL MEM CPUS [ARCH]" >&2
	exit 2
fi
build=$1 kernel=$2 mem=$3 cpus=$4 arch=${5:-x86_64}
cmdline='quiet la.fate=shell'
case $arch in
x86_64)
	vmrun=$build/bin/la-vmrun initrd=$build/vm/guest.cpio
	archopt=() fetch="Debian's cloud kernel" missing_fn=la_vm_missing
	;;
aarch64 | riscv64)
	vmrun=$build/cross/$arch/bin/la-vmrun initrd=$build/vm/guest-$arch.cpio
	archopt=(--arch "$arch") fetch="Debian's $arch kernel" missing_fn=la_vm_missing_$arch
	;;
*)
	echo "make run: ARCH: '$arch' is not x86_64, aarch64 or riscv64" >&2
	exit 2
	;;
esac
[ -r "$kernel" ] || { echo "make run: '$kernel': no such kernel (make kernels fetches $fetch)" >&2; exit 1; }

if [ "$arch" = x86_64 ]; then
	case $(la_vm_kvm_kind) in
	hardware) native=1 ;;
	kvm_pvm) native=0 why="/dev/kvm is kvm_pvm, a software KVM that cannot boot a stock Linux kernel" ;;
	*) native=0 why="this machine has no usable /dev/kvm" ;;
	esac
elif [ "$(uname -m)" = "$arch" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	native=1
else
	native=0 why="this machine is not $arch with a usable /dev/kvm"
fi
if [ "$native" = 1 ]; then
	exec "$vmrun" "${archopt[@]}" --mem "$mem" --cpus "$cpus" --initrd "$initrd" \
		--cmdline "$cmdline" "$kernel"
fi
missing=$("$missing_fn" | head -n 1)
if [ -n "$missing" ]; then
	echo "make run: $why, and the emulated host cannot start: $missing" >&2
	exit 1
fi
host="an emulated host"
[ "$arch" = x86_64 ] || host="an emulated $arch host"
echo "make run: $why; booting it inside $host with nested KVM (QEMU TCG), which is slower: about a minute to the shell. Ctrl-A x ends the VM." >&2

smp=2
[ "$cpus" -le 2 ] 2>/dev/null || smp=$cpus
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
"$top/tests/vm/run-in-l1.sh" --arch "$arch" --interactive --quiet --smp "$smp" --out "$out" \
	--bin "$vmrun" --file "$kernel:vmlinuz" --file "$initrd:guest.cpio" -- \
	la-vmrun "${archopt[@]}" --mem "$mem" --cpus "$cpus" --initrd /payload/guest.cpio \
	--cmdline "$cmdline" /payload/vmlinuz 2>"$out/harness.err"
rc=$?
case $rc in
0) exit 0 ;;
1) exit "$(cat "$out/status" 2>/dev/null || echo 1)" ;;
*)
	cat "$out/harness.err" >&2
	exit "$rc"
	;;
esac
