#!/bin/sh
# native-in-l1.sh: inside the emulated host (L1), whose /dev/kvm is a real
# (nested) SVM KVM, run the VM suites as a machine with hardware KVM runs
# them: their native branch, which the machines without /dev/kvm never
# take otherwise. vmrun_vm.bats stages what it needs under /payload/native:
#   root/   bats-core, bats-support and bats-assert, copied to / (the
#           helpers load them from /usr/lib/bats)
#   tree/   the suites, tests/vm, the fixtures, and build/ with the guests
#           and links to the programs in /payload/bin
# LA_VM_ONLY picks the cases: the probe guest, the sandbox, one Linux boot,
# the BIOS and Ctrl-A x; the other tests skip. Prints bats' TAP, and each
# TAP line also straight to L1's output port as it comes (la-case prints a
# case's output at its end; the runner's stall watch wants to see life).
n=/payload/native
cp -a "$n/root/." / || exit 90
export LA_TOP=$n/tree
export LA_BUILD=$LA_TOP/build LA_BIN=$LA_TOP/build/bin
export LA_L2_KERNEL=/payload/vmlinuz
export LA_VM_ONLY="p-512m-1 p-fdt s-live s-live-nojail s-jail-open s-trap-main s-trap-vcpu s-trap-device s-trap-virtio-rng l-1cpu bios ctrl-a-x"
unset CI
echo "native-in-l1: /dev/kvm $(ls -l /dev/kvm | cut -c1), kvm_pvm $([ -d /sys/module/kvm_pvm ] && echo yes || echo no), svm $(grep -cw svm /proc/cpuinfo)"
{
	bats --tap --filter '^la-vmrun: ' "$LA_TOP/tests/bats/vmrun_vm.bats" \
		"$LA_TOP/tests/bats/vmrun-boot.bats" 2>&1
	echo "native-in-l1: bats status $?"
} | while IFS= read -r line; do
	printf '%s\n' "$line"
	printf 'native-in-l1 progress: %s\n' "$line" >/dev/ttyS1
done
