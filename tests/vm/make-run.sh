#!/bin/bash
# tests/vm/make-run.sh BUILD KERNEL MEM CPUS: what `make run` does. Boots
# KERNEL with the busybox initramfs (BUILD/vm/guest.cpio, la.fate=shell) to
# a shell on this terminal: directly where /dev/kvm is hardware KVM; where
# it is missing or kvm_pvm (which cannot boot a stock kernel), the same
# la-vmrun command inside an emulated host with nested KVM
# (run-in-l1.sh --interactive), after one line saying why. Ctrl-A x ends
# the VM either way; the exit status is la-vmrun's (0 poweroff, 32 reboot,
# ...), or run-in-l1.sh's 3 when the emulated host fails.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"

if [ $# -ne 4 ]; then
	echo "usage: make-run.sh BUILD KERNEL MEM CPUS" >&2
	exit 2
fi
build=$1 kernel=$2 mem=$3 cpus=$4
vmrun=$build/bin/la-vmrun
initrd=$build/vm/guest.cpio
cmdline='quiet la.fate=shell'
[ -r "$kernel" ] || { echo "make run: '$kernel': no such kernel (make kernels fetches Debian's cloud kernel)" >&2; exit 1; }

case $(la_vm_kvm_kind) in
hardware)
	exec "$vmrun" --mem "$mem" --cpus "$cpus" --initrd "$initrd" --cmdline "$cmdline" "$kernel"
	;;
kvm_pvm) why="/dev/kvm is kvm_pvm, a software KVM that cannot boot a stock Linux kernel" ;;
*) why="this machine has no usable /dev/kvm" ;;
esac
missing=$(la_vm_missing | head -n 1)
if [ -n "$missing" ]; then
	echo "make run: $why, and the emulated host cannot start: $missing" >&2
	exit 1
fi
echo "make run: $why; booting it inside an emulated host with nested KVM (QEMU TCG), which is slower: about a minute to the shell. Ctrl-A x ends the VM." >&2

smp=2
[ "$cpus" -le 2 ] 2>/dev/null || smp=$cpus
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
"$top/tests/vm/run-in-l1.sh" --interactive --quiet --smp "$smp" --out "$out" \
	--bin "$vmrun" --file "$kernel:vmlinuz" --file "$initrd:guest.cpio" -- \
	la-vmrun --mem "$mem" --cpus "$cpus" --initrd /payload/guest.cpio \
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
