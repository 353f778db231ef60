#!/bin/bash
# bench/boot.sh [BUILD]: make bench. la-vmrun against QEMU microvm (and lkvm
# when it is on PATH) in one run, and the stage programs, in one table
# (bench/report.sh), with the boot timelines drawn as an SVG:
#   (1) the stage programs natively: la-layout, la-alloc, la-hostcpu,
#       la-mkfdt, each call exec -> exit, beside an exec of true(1)
#   (2) firmware exec -> exit: la-vmrun --bios fw.bin (--irqchip kernel and
#       split) vs qemu -M microvm -bios fw.bin (bench/fw.S: port 0xf4, then
#       the i8042 reset), and the floors: la-bench-floor (bench/floor.c)
#       creating la-vmrun's KVM objects (la) and the leanest platform
#       (split) and running the same firmware
#   (3) Linux: Debian's cloud kernel and the same initramfs for every VMM,
#       exec -> init -> devices ready -> power-off -> exit, guest uptime at
#       init, without devices and with one virtio disk and one NIC
#       (la-vmrun with each irqchip, with --hugepages; QEMU microvm with
#       virtio-mmio)
#   (4) the VMM's own memory while the guest runs: RSS minus guest RAM
# (2) and (3) run in the emulated host (tests/vm/run-in-l1.sh: QEMU TCG with
# SVM, kvm-amd), so every VMM meets the same /dev/kvm; where this machine
# has a usable /dev/kvm, (2) also runs natively.
# Environment: RUNS_STAGE (21), RUNS_FW (9), RUNS_LINUX (7), PARTS (stage
# fw linux). Output: the table on standard output; the raw results in
# BUILD/bench/results.txt, the timelines in BUILD/bench/boot-timeline.svg.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || exit 1
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
die() {
	echo "bench: $*" >&2
	exit 1
}

RUNS_STAGE=${RUNS_STAGE:-21}
RUNS_FW=${RUNS_FW:-9}
RUNS_LINUX=${RUNS_LINUX:-7}
PARTS=${PARTS:-stage fw linux}
vmrun=$build/bin/la-vmrun
[ -x "$vmrun" ] || vmrun=""
for f in "$build/bench/fw.bin" "$build/bench/la-bench-exec" "$build/vm/guest-virtio-x86_64.cpio"; do
	[ -e "$f" ] || die "$f missing (make bench builds it)"
done
out=$build/bench
raw=$out/results.txt
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# --- the run's header: machine and commit ------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
kvm=none
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	kvm=hardware
	[ -d /sys/module/kvm_pvm ] && kvm=kvm_pvm
fi
{
	echo "H date $(date -u +%FT%TZ)"
	echo "H machine $(uname -m), ${cpu:-unknown CPU}, $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r), /dev/kvm: $kvm"
	echo "H commit $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "H load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
} >"$raw"

# --- (1) the stage programs, natively ----------------------------------------
# stage_row NAME CMD...: RUNS_STAGE calls of CMD
stage_row() {
	local name=$1 i
	shift
	for ((i = 1; i <= RUNS_STAGE; i++)); do
		echo "R stage $name $i $("$build/bench/la-bench-exec" -- "$@")"
	done
}
if [[ " $PARTS " == *" stage "* ]]; then
	echo "bench: (1) the stage programs, $RUNS_STAGE calls each" >&2
	b=$build/bin
	"$b/la-hostcpu" --json >"$stage/hostcpu.json" 2>/dev/null
	{
		stage_row true true
		stage_row la-layout "$b/la-layout" --arch aarch64 --mem 4G
		stage_row la-alloc "$b/la-alloc" --arch x86_64 --mem 8G --device virtio-blk
		stage_row la-hostcpu "$b/la-hostcpu" --json
		stage_row la-mkfdt "$b/la-mkfdt" --arch aarch64 --cpus 4 -o "$stage/vm.dtb"
		stage_row la-mkfdt-hostcpu "$b/la-mkfdt" --arch aarch64 --cpus "$(nproc)" --hostcpu "$stage/hostcpu.json" \
			-o "$stage/vm2.dtb"
	} >>"$raw"
fi

# --- the payload for (2) and (3) -----------------------------------------------
p=$stage/p
mkdir -p "$p/init"
cp "$build/bench/fw.bin" "$p/" || die "cannot copy fw.bin"
l2=$(la_vm_l2_kernel)
[ -n "$l2" ] || die "no Debian cloud kernel in $(la_vm_kernels_dir) (make kernels)"
cp "$l2" "$p/vmlinuz" || die "cannot copy $l2"
install -m 755 "$top/bench/virtio-guest.sh" "$p/init/la-bench-init"
la_vm_cpio "$p/init" "$stage/init.cpio" || die "cpio of the guest's init failed"
rm -rf "$p/init"
cat "$build/vm/guest-virtio-x86_64.cpio" "$stage/init.cpio" >"$p/boot.cpio"
echo "H kernel vmlinuz-$(la_vm_kver "$l2") (Debian cloud), 1 vCPU, 256 MiB" >>"$raw"

# --- (2) natively, where a /dev/kvm runs the firmware ---------------------------
if [[ " $PARTS " == *" fw "* ]] && [ "$kvm" != none ]; then
	echo "bench: (2) firmware, natively ($kvm /dev/kvm), $RUNS_FW rounds" >&2
	PATH=$build/bench:$PATH B=$p VMRUN=$vmrun PARTS=fw WHERE=fw-native RUNS_FW=$RUNS_FW \
		sh "$top/bench/inner.sh" >>"$raw"
fi

# --- (2) and (3) in the emulated host ---------------------------------------------
inner=""
[[ " $PARTS " == *" fw "* ]] && inner="fw"
[[ " $PARTS " == *" linux "* ]] && inner="$inner linux"
if [ -n "$inner" ]; then
	missing=$(la_vm_missing)
	[ -z "$missing" ] || die "cannot start the emulated host: $missing"
	{
		echo "B=/payload VMRUN=${vmrun:+/payload/bin/la-vmrun} RUNS_FW=$RUNS_FW RUNS_LINUX=$RUNS_LINUX"
		echo "PARTS='$inner' WHERE=fw-l1"
		echo "export B VMRUN RUNS_FW RUNS_LINUX PARTS WHERE"
		cat "$top/bench/inner.sh"
	} >"$stage/inner.sh"
	bins=(--bin "$build/bench/la-bench-exec" --bin "$build/bench/la-bench-floor")
	[ -n "$vmrun" ] && bins+=(--bin "$vmrun")
	echo "H l1 QEMU TCG -cpu EPYC,+svm,+npt, 2 vCPUs, 2 GiB, vmlinuz-$(la_vm_kver "$(la_vm_l1_kernel)"), kvm-amd" >>"$raw"
	echo "bench: (2) firmware, $RUNS_FW rounds, and (3) Linux, $RUNS_LINUX rounds, in the emulated host" >&2
	# the emulated host has been seen to freeze (tests/vm/README.md): once
	# more from the start when it did (status 3: the harness failed)
	for try in 1 2; do
		rm -rf "$stage/l1"
		"$top/tests/vm/run-in-l1.sh" --qemu --smp 2 --mem 2G --timeout 1800 --stall 300 --module tun \
			--quiet --out "$stage/l1" "${bins[@]}" --payload "$p" --script "$stage/inner.sh"
		st=$?
		[ "$st" = 3 ] && [ "$try" = 1 ] || break
		echo "bench: the emulated host failed ($(cat "$stage/l1/stalled" 2>/dev/null || echo "status 3")): once more" >&2
		echo "# the emulated host failed in the first try, and ran again" >>"$raw"
	done
	grep -E '^(R|T|#) ' "$stage/l1/output.log" | tr -d '\r' >>"$raw"
	[ "$st" = 0 ] || echo "# the emulated host's run ended with status $st" >>"$raw"
fi
echo "H load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the end" >>"$raw"
"$top/bench/report.sh" "$raw" "$out/boot-timeline.svg"
