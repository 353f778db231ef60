#!/bin/sh
# bench/inner.sh: the measurements of bench/boot.sh (make bench), run where
# /dev/kvm is: in the emulated host, or natively (PARTS=fw). It prints raw
# results, one line per run, which bench/report.sh turns into the table and
# the timelines:
#   R PART CONFIG ROUND KEY=VALUE...   one run (la-bench-exec's line, and for
#                                      a Linux boot the guest's uptimes)
#   T CONFIG ROUND MS STEP             one la-vmrun --boot-timing line
#   # TEXT                             what went wrong (a run's console end)
# The rounds interleave: round i runs every configuration once, so a slow
# drift of the machine touches all of them alike.
# Settings come from the environment:
#   B          folder with fw.bin, vmlinuz, boot.cpio (the virtio test
#              initramfs with bench/virtio-guest.sh as /la-bench-init)
#   VMRUN      la-vmrun to measure ("" when it is not built)
#   RUNS_FW    firmware rounds (default 9)
#   RUNS_LINUX Linux rounds (default 7)
#   PARTS      "fw" and/or "linux" (default both)
#   WHERE      a word for the R lines' PART: fw-l1, fw-native... (default
#              the part's name)
B=${B:?}
RUNS_FW=${RUNS_FW:-9}
RUNS_LINUX=${RUNS_LINUX:-7}
PARTS=${PARTS:-fw linux}
GMEM=256M
X=la-bench-exec
T=${TMPDIR:-/tmp}/la-bench.$$
TAP=la-b0
HOST_IP=10.0.2.1
QEMU="qemu-system-x86_64 -accel kvm -nographic -no-reboot -nodefaults"
# what la-vmrun puts before --cmdline (crosvm's order), so both kernels see
# the same command line
BASE="panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0"
mkdir -p "$T"

# --- firmware: exec -> the firmware's reset ----------------------------------
# fw_one CONFIG ROUND: one run of CONFIG
fw_one() {
	c=$1 i=$2
	case $c in
	la-kernel | la-split)
		$X -- "$VMRUN" --irqchip "${c#la-}" --boot-timing --bios "$B/fw.bin" 2>"$T/bt" ;;
	floor-la | floor-split)
		$X -- la-bench-floor "${c#floor-}" "$B/fw.bin" 2>"$T/bt" ;;
	qemu-microvm)
		$X -- $QEMU -M microvm,x-option-roms=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-bios "$B/fw.bin" 2>"$T/bt" ;;
	lkvm)
		$X -- lkvm run --firmware "$B/fw.bin" 2>"$T/bt" ;;
	esac >"$T/r"
	echo "R ${WHERE:-fw} $c $i $(cat "$T/r")"
	timing "${WHERE:-fw}/$c" "$i" "$T/bt"
	grep -q 'status=[0-9]' "$T/r" || sed 's/^/# fw '"$c"': /' "$T/bt" | tail -n 3
}

# timing CONFIG ROUND FILE: FILE's --boot-timing lines as T lines
timing() {
	tr -d '\r' <"$3" | sed -n "s#^la-vmrun: boot-timing: *\\([0-9.]*\\) ms \\(.*\\)#T $1 $2 \\1 \\2#p"
}

fw() {
	configs="floor-split floor-la qemu-microvm"
	[ -n "$VMRUN" ] && configs="la-kernel la-split $configs"
	command -v lkvm >/dev/null 2>&1 && configs="$configs lkvm"
	command -v la-bench-floor >/dev/null 2>&1 || configs=$(echo "$configs" | sed 's/floor-[a-z]*//g')
	i=1
	while [ "$i" -le "$RUNS_FW" ]; do
		for c in $configs; do
			fw_one "$c" "$i"
		done
		i=$((i + 1))
	done
}

# --- Linux: exec -> init -> devices ready -> power-off -> exit ---------------
setup_linux() {
	dd if=/dev/zero of="$T/disk.img" bs=1M count=64 2>/dev/null
	la-tap "$TAP" "$HOST_IP/24" >/dev/null || echo "# linux: no tap: the NIC configurations will fail"
	# --hugepages: 2 MiB pages for the guest's RAM, and a few spare
	echo 160 >/proc/sys/vm/nr_hugepages 2>/dev/null
}

# linux_one CONFIG ROUND: one boot. CONFIG: la, la-split, la-huge or qemu;
# "+dev" adds one virtio disk and one virtio NIC (la-vmrun: virtio-pci, as
# crosvm; QEMU microvm: virtio-mmio, its own transport: no PCI bus)
linux_one() {
	c=$1 i=$2
	dev=${c#*+}
	[ "$dev" = "$c" ] && dev=""
	vmm=${c%%+*}
	append="quiet rdinit=/la-bench-init"
	mods=""
	if [ -n "$dev" ]; then
		case $vmm in qemu*) mods=virtio_mmio ;; *) mods=virtio_pci ;; esac
		append="$append la.modules=$mods,virtio_blk,virtio_net la.disks=1 la.ip=eth0,10.0.2.15/24"
	fi
	set -- --marker 'la-guest: init' --stamp 'ready=la-bench: ready' --stamp 'done=la-bench: done' \
		--smaps-at 'la-bench: sample' --log "$T/console"
	case $vmm in
	la*)
		o="--mem $GMEM --cpus 1"
		[ "$vmm" = la-split ] && o="$o --irqchip split"
		[ "$vmm" = la-huge ] && o="$o --hugepages"
		[ -n "$dev" ] && o="$o --disk $T/disk.img --net tap=$TAP"
		# shellcheck disable=SC2086 # the option list splits on purpose
		$X "$@" --guest-size 0xa0000 --guest-size 0x60000 -- "$VMRUN" $o \
			--boot-timing-mark 'la-guest: init' --initrd "$B/boot.cpio" --cmdline "$append" "$B/vmlinuz" >"$T/r" 2>"$T/bt" ;;
	qemu*)
		o=""
		[ -n "$dev" ] && o="-drive file=$T/disk.img,if=none,id=d0,format=raw,cache=writeback,aio=threads
			-device virtio-blk-device,drive=d0
			-netdev tap,id=n0,ifname=$TAP,script=no,downscript=no -device virtio-net-device,netdev=n0"
		# shellcheck disable=SC2086
		$X "$@" -- $QEMU -M microvm,x-option-roms=off,rtc=on -cpu host -smp 1 -m "$GMEM" \
			-serial stdio $o -kernel "$B/vmlinuz" -initrd "$B/boot.cpio" \
			-append "$BASE $append" >"$T/r" 2>"$T/bt" ;;
	esac
	echo "R linux $c $i $(cat "$T/r") init_s=$(sed -n 's/^la-guest: init \([0-9.]*\).*/\1/p' "$T/console" | head -n 1) ready_s=$(sed -n 's/^la-bench: ready \([0-9.]*\).*/\1/p' "$T/console" | head -n 1)"
	timing "$c" "$i" "$T/bt"
	bad=0
	grep -q 'status=0' "$T/r" || bad=1
	[ -z "$dev" ] || grep -q "la-bench: ready.* net eth0" "$T/console" || bad=1
	if [ "$bad" = 1 ]; then
		{
			echo "linux $c round $i: $(cat "$T/r")"
			tail -n 12 "$T/console"
			grep -v 'boot-timing' "$T/bt" | tail -n 5
		} | sed 's/^/# /'
	fi
}

linux() {
	setup_linux
	configs="qemu qemu+dev"
	[ -n "$VMRUN" ] && configs="la la-split $configs la+dev la-split+dev la-huge+dev"
	i=1
	while [ "$i" -le "$RUNS_LINUX" ]; do
		for c in $configs; do
			linux_one "$c" "$i"
		done
		i=$((i + 1))
	done
}

for p in $PARTS; do
	$p
done
rm -rf "$T"
exit 0
