#!/bin/bash
# tests/vm/run-in-l1.sh: run a command inside an emulated x86_64 host (L1)
# that has a real /dev/kvm: QEMU in TCG mode emulates an EPYC CPU with SVM and
# NPT, boots a stock Debian kernel, loads kvm-amd and runs the command.
# With --arch aarch64 (or LA_L1_ARCH=aarch64) L1 is an arm64 host instead:
# QEMU's virt machine with virtualization=on and a GICv3, -cpu max, booting
# bookworm's arm64 kernel (KVM built in: no modules), one PL011 for the
# console and the command's output alike (the kernel's console is quieted;
# --interactive adds a 16550 on PCI for the terminal).
# With --arch riscv64, L1 is a riscv64 host: QEMU's virt machine with an
# rv64 CPU with the H extension, OpenSBI, trixie's riscv64 kernel (kvm.ko
# loaded from the initramfs), one 16550 for console and output alike.
#
# usage: run-in-l1.sh [options] -- CMD [ARG...]
#        run-in-l1.sh [options] --script FILE
#   --arch ARCH      x86_64 (default, or LA_L1_ARCH), aarch64 or riscv64
#   --smp N          L1 vCPUs (default 2)
#   --mem SIZE       L1 RAM, QEMU syntax (default 2G)
#   --timeout SECS   whole run, boot included (default 600)
#   --stall SECS     give up when L1 prints nothing for SECS seconds (default
#                    0: never); the emulated host has been seen to freeze
#                    under nested virtualization, where no timeout inside it
#                    can fire. A stall is a harness failure (exit 3) and
#                    leaves the file "stalled" in --out.
#   --bin PATH       copy an executable and the libraries ldd lists; it is
#                    on L1's PATH as /payload/bin/NAME (repeatable)
#   --file SRC[:DEST] copy a file to /payload/DEST (default: its name)
#   --payload DIR    copy DIR's contents under /payload (repeatable)
#   --module NAME    also load the L1 kernel's module NAME (and what it
#                    needs: modules.dep, softdeps) before the command, after
#                    KVM's: tun (la-tap), vhost_vsock, vhost_net,
#                    vsock_loopback... (repeatable; a base initramfs of its
#                    own, cached as the plain one)
#   --qemu           also copy qemu-system-x86_64 and its firmware into L1
#                    (x86_64 only)
#   --out DIR        keep console.log, output.log, status and the la-case
#                    results (NAME.out, NAME.err, NAME.status, NAME.seconds)
#                    in DIR (default: a temporary folder, removed)
#   --quiet          do not copy the command's output to standard output
#   --interactive    the command's standard input and output are this
#                    terminal (L1's third serial port on x86_64, a 16550 on
#                    PCI on aarch64 and riscv64; QEMU passes every byte,
#                    Ctrl-A and Ctrl-C too); no --timeout, no --stall
#
# The command runs as root in L1 under busybox sh, in /tmp, with /payload/bin
# first on PATH; `la-case NAME SECS CMD...` runs one case with a timeout,
# `la-tap NAME ADDR/PREFIX` makes a tap device (with --module tun).
# The L1 initramfs is cached in $LA_VM_CACHE (default <top>/build/vm) and
# rebuilt when its inputs change.
#
# Exit status: 0 the command succeeded; 1 it failed (its status is printed
# and written to DIR/status); 3 the harness failed (no QEMU, no kernel, L1 did
# not boot, KVM modules did not load, timeout); 2 usage.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/vm
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"

prog=run-in-l1
harness_fail() {
	echo "$prog: harness failed: $*" >&2
	exit 3
}
usage() {
	echo "$prog: $*" >&2
	echo "usage: $prog [--arch ARCH] [--smp N] [--mem SIZE] [--timeout SECS] [--stall SECS] [--bin PATH] [--file SRC[:DEST]] [--payload DIR] [--module NAME] [--qemu] [--out DIR] [--quiet] [--interactive] (-- CMD... | --script FILE)" >&2
	exit 2
}

arch=${LA_L1_ARCH:-x86_64} stall=0 smp=2 mem=2G timeout=600 out="" quiet=0 with_qemu=0 script="" interactive=0
bins=() files=() payloads=() l1_modules=()
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:?}; shift 2 ;;
	--smp) smp=${2:?}; shift 2 ;;
	--mem) mem=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--stall) stall=${2:?}; shift 2 ;;
	--bin) bins+=("${2:?}"); shift 2 ;;
	--file) files+=("${2:?}"); shift 2 ;;
	--payload) payloads+=("${2:?}"); shift 2 ;;
	--module) l1_modules+=("${2:?}"); shift 2 ;;
	--qemu) with_qemu=1; shift ;;
	--out) out=${2:?}; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--interactive) interactive=1; shift ;;
	--script) script=${2:?}; shift 2 ;;
	--) shift; break ;;
	*) usage "unknown option '$1'" ;;
	esac
done
[ -n "$script" ] || [ $# -gt 0 ] || usage "no command given"
case $smp in '' | *[!0-9]*) usage "--smp: '$smp': not a number" ;; esac
case $timeout in '' | *[!0-9]*) usage "--timeout: '$timeout': not a number" ;; esac
case $stall in '' | *[!0-9]*) usage "--stall: '$stall': not a number" ;; esac
case $arch in
x86_64 | aarch64 | riscv64) ;;
*) usage "--arch: '$arch': not x86_64, aarch64 or riscv64" ;;
esac
[ "$with_qemu" = 0 ] || [ "$arch" = x86_64 ] || usage "--qemu: x86_64 only"

cache=${LA_VM_CACHE:-$top/build/vm}
case $arch in
x86_64)
	missing=$(la_vm_missing)
	[ -z "$missing" ] || harness_fail "$(echo "$missing" | head -n1)"
	mkdir -p "$cache" || harness_fail "cannot create $cache"
	kernel=$(la_vm_l1_kernel)
	kver=$(la_vm_kver "$kernel")
	modules=$(la_vm_modules_in_order "$kver" kvm-amd) || harness_fail "cannot list the KVM modules of $kver"
	busybox=$(la_vm_busybox)
	qemu_bin=qemu-system-x86_64
	;;
# --- aarch64 ---
aarch64)
	missing=$(la_vm_missing_aarch64)
	[ -z "$missing" ] || harness_fail "$(echo "$missing" | head -n1)"
	mkdir -p "$cache" || harness_fail "cannot create $cache"
	kernel=$(la_vm_l1_kernel_aarch64)
	modules="" # KVM is built in
	busybox=$(la_vm_busybox_aarch64)
	qemu_bin=qemu-system-aarch64
	;;
# --- end aarch64 ---
# --- riscv64 ---
riscv64)
	missing=$(la_vm_missing_riscv64)
	[ -z "$missing" ] || harness_fail "$(echo "$missing" | head -n1)"
	mkdir -p "$cache" || harness_fail "cannot create $cache"
	kernel=$(la_vm_l1_kernel_riscv64)
	modules=$(la_vm_kvm_ko_riscv64) # depends on no other module
	busybox=$(la_vm_busybox_riscv64)
	qemu_bin=qemu-system-riscv64
	;;
# --- end riscv64 ---
esac

# --- --module: more of the L1 kernel's modules, after KVM's ----------------
extra=""
if [ ${#l1_modules[@]} -gt 0 ]; then
	kdir=$(dirname "$(dirname "$(readlink -f "$kernel")")")
	kver=$(la_vm_kver "$kernel")
	[ "$arch" != x86_64 ] || kdir=$(la_vm_modules_base "$kver")
	for m in "${l1_modules[@]}"; do
		paths=$(la_vm_module_deps "$kdir" "$kver" "$m" 2>&1) || harness_fail "--module: $paths"
		for p in $paths; do
			case " $modules $extra " in
			*"/$(basename "$p") "*) ;;
			*) extra="$extra $kdir/lib/modules/$kver/$p" ;;
			esac
		done
	done
fi

# --- the base initramfs: busybox, KVM modules, /init (cached) --------------
# shellcheck disable=SC2086
base_key=$(la_vm_hash "$busybox" "$here/l1-init.sh" "$here/la-case.sh" "$here/la-tap.sh" $modules $extra)
base=$cache/l1-base-$arch-$base_key.cpio
if [ ! -s "$base" ]; then
	stage=$(mktemp -d "$cache/stage.XXXXXX") || harness_fail "mktemp"
	install -D -m 755 "$busybox" "$stage/bin/busybox"
	install -D -m 755 "$here/l1-init.sh" "$stage/init"
	install -D -m 755 "$here/la-case.sh" "$stage/bin/la-case"
	install -D -m 755 "$here/la-tap.sh" "$stage/bin/la-tap"
	mkdir -p "$stage/lib/la-modules"
	: >"$stage/lib/la-modules/order" # none where KVM is built in
	for m in $modules; do
		cp "$m" "$stage/lib/la-modules/" || harness_fail "cannot copy $m"
		basename "$m" >>"$stage/lib/la-modules/order"
	done
	for m in $extra; do
		n=$(la_vm_ko_name "$m").ko
		la_vm_ko_copy "$m" "$stage/lib/la-modules/$n" || harness_fail "cannot unpack $m"
		echo "$n" >>"$stage/lib/la-modules/order"
	done
	la_vm_cpio "$stage" "$base" || harness_fail "cpio of the base initramfs failed"
	rm -rf "$stage"
fi

# --- the payload (cached by content) ----------------------------------------
stage=$(mktemp -d "$cache/stage.XXXXXX") || harness_fail "mktemp"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/payload/bin"
for b in "${bins[@]}"; do
	p=$(command -v "$b") || harness_fail "--bin: '$b': not found"
	la_vm_copy_binary "$stage" "$p" "/payload/bin/$(basename "$p")" ||
		harness_fail "--bin: '$b': cannot copy"
done
for f in "${files[@]}"; do
	src=${f%%:*} dest=${f#*:}
	[ "$dest" != "$f" ] || dest=$(basename "$src")
	install -D -m 644 "$src" "$stage/payload/$dest" 2>/dev/null ||
		harness_fail "--file: '$src': cannot copy"
done
for d in "${payloads[@]}"; do
	[ -d "$d" ] || harness_fail "--payload: '$d': not a directory"
	cp -a "$d/." "$stage/payload/" || harness_fail "--payload: '$d': cannot copy"
done
if [ "$with_qemu" = 1 ]; then
	la_vm_copy_binary "$stage" "$(command -v qemu-system-x86_64)" /usr/bin/qemu-system-x86_64
	mkdir -p "$stage/usr/share/qemu" "$stage/usr/share/seabios"
	for f in qboot.rom bios-microvm.bin linuxboot_dma.bin kvmvapic.bin pvh.bin multiboot_dma.bin; do
		cp -a "/usr/share/qemu/$f" "$stage/usr/share/qemu/" 2>/dev/null
	done
	cp -a /usr/share/seabios/. "$stage/usr/share/seabios/" 2>/dev/null
	# the pc machine's ROMs are symlinks into seabios/ipxe: keep what resolves
	cp -aL /usr/share/qemu/bios-256k.bin /usr/share/qemu/vgabios-stdvga.bin \
		"$stage/usr/share/qemu/" 2>/dev/null
fi
payload_key=$(la_vm_hash "$stage")
payload=$cache/l1-payload-$payload_key.cpio
[ -s "$payload" ] || la_vm_cpio "$stage" "$payload" || harness_fail "cpio of the payload failed"
touch "$payload" "$base"
la_vm_prune "$cache/l1-payload-*.cpio" 6
la_vm_prune "$cache/l1-base-$arch-*.cpio" 3

# --- the command --------------------------------------------------------------
rm -rf "$stage"
mkdir -p "$stage/la"
if [ -n "$script" ]; then
	cp "$script" "$stage/la/cmd.sh" || harness_fail "--script: '$script': cannot read"
else
	{
		printf '%q ' "$@"
		echo
	} >"$stage/la/cmd.sh"
fi
[ "$interactive" = 0 ] || : >"$stage/la/interactive"
la_vm_cpio "$stage" "$stage.cpio" || harness_fail "cpio of the command failed"

# --- run ------------------------------------------------------------------
keep=1
if [ -z "$out" ]; then
	out=$(mktemp -d) || harness_fail "mktemp"
	keep=0
fi
mkdir -p "$out" || harness_fail "--out: '$out': cannot create"
trap 'rm -rf "$stage" "$stage.cpio"; [ $keep = 1 ] || rm -rf "$out"' EXIT
rm -f "$out"/*.out "$out"/*.err "$out"/*.status "$out"/*.seconds "$out/status" "$out/stalled"
# one initrd: the kernel unpacks concatenated cpio archives in turn
cat "$base" "$payload" "$stage.cpio" >"$out/l1.cpio" || harness_fail "cannot write $out/l1.cpio"

# the stall watch: no new output for $stall seconds ends QEMU
watch=""
if [ "$stall" -gt 0 ] && [ "$interactive" = 0 ]; then
	(
		last=-1 idle=0
		while sleep 5; do
			size=$(stat -c %s "$out/output.log" 2>/dev/null || echo 0)
			if [ "$size" = "$last" ]; then idle=$((idle + 5)); else idle=0 last=$size; fi
			if [ "$idle" -ge "$stall" ]; then
				echo "$idle" >"$out/stalled"
				pkill -KILL -f -- "^$qemu_bin .*-initrd $out/l1.cpio"
				exit 0
			fi
		done
	) &
	watch=$!
fi
case $arch in
x86_64)
	qemu=(qemu-system-x86_64
		-accel tcg,thread=multi -cpu EPYC,+svm,+npt -smp "$smp" -m "$mem"
		-nographic -no-reboot -nodefaults -vga none
		-serial "file:$out/console.log" -serial "file:$out/output.log"
		-kernel "$kernel" -initrd "$out/l1.cpio"
		-append "console=ttyS0 quiet panic=-1 rdinit=/init")
	;;
# --- aarch64 ---
aarch64)
	# one UART: the kernel's console and the command's output share it
	# (/init quiets the console); console.log is the same file
	ln -sf output.log "$out/console.log"
	qemu=(qemu-system-aarch64
		-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on
		-accel tcg,thread=multi -smp "$smp" -m "$mem"
		-nographic -no-reboot -nodefaults
		-kernel "$kernel" -initrd "$out/l1.cpio"
		-append "console=ttyAMA0 quiet panic=-1 rdinit=/init"
		-serial "file:$out/output.log")
	;;
# --- end aarch64 ---
# --- riscv64 ---
riscv64)
	# one UART, as on aarch64; OpenSBI (-bios default) below the kernel.
	# No Sstc: with it L1's KVM gives guests the stimecmp QEMU 7.2
	# emulates under H, and nested guests lost timer interrupts (3 of 15
	# boots hung, "rcu: timer wakeup didn't happen"); without it KVM
	# keeps the guests' timers itself (0 of 17)
	ln -sf output.log "$out/console.log"
	qemu=(qemu-system-riscv64
		-M virt -cpu rv64,h=true,sstc=false -accel tcg,thread=multi -smp "$smp" -m "$mem"
		-nographic -no-reboot -nodefaults -bios default
		-kernel "$kernel" -initrd "$out/l1.cpio"
		-append "console=ttyS0 quiet panic=-1 rdinit=/init"
		-serial "file:$out/output.log")
	;;
# --- end riscv64 ---
esac
t0=$(date +%s.%N)
if [ "$interactive" = 1 ]; then
	# this terminal, raw (QEMU sets it so and restores it); no mux, no
	# signals: Ctrl-A x and Ctrl-C reach the command in L1. x86_64: ttyS2.
	# aarch64, riscv64: the virt machine's one UART stays the capture and
	# the terminal is a 16550 on PCI (both kernels have 8250_pci built
	# in); a PL011 as the terminal jams for good on typeahead (README)
	term=(-serial chardev:la-term)
	[ "$arch" = x86_64 ] || term=(-device pci-serial,chardev=la-term)
	"${qemu[@]}" -chardev stdio,id=la-term,signal=off,mux=off "${term[@]}" \
		2>"$out/qemu.log"
else
	timeout -k 5 "$timeout" "${qemu[@]}" >"$out/qemu.log" 2>&1 </dev/null
fi
qst=$?
t1=$(date +%s.%N)
[ -z "$watch" ] || kill "$watch" 2>/dev/null
[ -z "$watch" ] || wait "$watch" 2>/dev/null
rm -f "$out/l1.cpio"
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >"$out/wall-seconds"

# split the output: harness markers, the command's output, la-case blocks
tr -d '\r' <"$out/output.log" | awk -v dir="$out" -f "$here/split.awk"
touch "$out/markers" "$out/command.log"
[ "$quiet" = 1 ] || cat "$out/command.log"

err=$(sed -n 's/^@@la-l1 harness-error //p' "$out/markers")
[ -z "$err" ] || harness_fail "$err (see $out/console.log)"
exit_line=$(grep '^@@la-l1 exit ' "$out/markers")
if [ -z "$exit_line" ] && [ -e "$out/stalled" ]; then
	harness_fail "stalled: no output for ${stall}s (console: $(tail -n 3 "$out/console.log" | tr '\n' ' '))"
fi
if [ -z "$exit_line" ]; then
	if [ "$qst" = 124 ] || [ "$qst" = 137 ]; then
		harness_fail "timed out after ${timeout}s (console: $(tail -n 3 "$out/console.log" | tr '\n' ' '))"
	fi
	grep -q '^@@la-l1 init' "$out/markers" ||
		harness_fail "L1 did not reach /init (qemu status $qst: $(tail -n 3 "$out/qemu.log" "$out/console.log" 2>/dev/null | tr '\n' ' '))"
	harness_fail "L1 stopped before the command ended (qemu status $qst; console: $(tail -n 3 "$out/console.log" | tr '\n' ' '))"
fi
read -r _ _ st _ <<<"$exit_line"
echo "$st" >"$out/status"
if [ "$st" != 0 ]; then
	echo "$prog: command failed with status $st" >&2
	exit 1
fi
exit 0
