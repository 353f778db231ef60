#!/bin/sh
# bench/inner.sh: the measurements of bench/boot.sh, run where /dev/kvm is
# (natively, or in the emulated host). Settings come from the environment:
#   B          folder with fw.bin, vmlinuz, guest.cpio (and la-vmrun's inputs)
#   VMRUN      la-vmrun to measure ("" when it is not built)
#   RUNS_FW    firmware runs per VMM (default 10)
#   RUNS_LINUX Linux boots per VMM (default 2)
#   PARTS      "fw" and/or "linux" (default both)
#   KERNEL_NAME  what $B/vmlinuz is, for the table
# Prints a table; each figure is the median over the runs.
B=${B:?}
RUNS_FW=${RUNS_FW:-10}
RUNS_LINUX=${RUNS_LINUX:-2}
PARTS=${PARTS:-fw linux}
GMEM=256M
X=la-bench-exec
log=${TMPDIR:-/tmp}/la-bench.$$
QEMU="qemu-system-x86_64 -accel kvm -nographic -no-reboot -nodefaults"

# median FIELD FILE: the median of FIELD=value over FILE's lines
median() {
	sed -n "s/.*$1=\\([-0-9.]*\\).*/\\1/p" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
# statuses FILE: the exit statuses seen, e.g. "32" or "0,1"
statuses() {
	sed -n 's/.*status=\([0-9]*\).*/\1/p' "$1" | sort -u | paste -sd, -
}
# runs N FILE CMD...: measure CMD N times, one result line each in FILE
runs() {
	n=$1 f=$2
	shift 2
	: >"$f"
	i=0
	while [ "$i" -lt "$n" ]; do
		"$@" >>"$f" 2>>"$f.err"
		i=$((i + 1))
	done
}

# fwrow LABEL FILE CMD...: measure CMD RUNS_FW times into FILE, print its row
fwrow() {
	label=$1 f=$2
	shift 2
	runs "$RUNS_FW" "$f" $X -- "$@"
	printf '    %-44s %10s %14s %8s\n' "$label" "$(median wall_ms "$f")" \
		"$(median maxrss_kib "$f")" "$(statuses "$f")"
}

fw() {
	echo "(a) firmware exec -> exit: median of $RUNS_FW runs (bench/fw.S: port 0xf4, then i8042 reset)"
	printf '    %-44s %10s %14s %8s\n' VMM wall_ms peak_rss_kib status
	if [ -n "$VMRUN" ]; then
		for ic in kernel split; do
			fwrow "la-vmrun --irqchip $ic --bios fw.bin" "$log.fw-la-$ic" \
				"$VMRUN" --irqchip "$ic" --bios "$B/fw.bin"
		done
	else
		printf '    %-44s %s\n' "la-vmrun --bios fw.bin" "not built"
	fi
	# the floors (bench/floor.c): la-vmrun's KVM objects, and the leanest
	if command -v la-bench-floor >/dev/null 2>&1; then
		for v in la split; do
			fwrow "floor: la-bench-floor $v" "$log.fw-floor-$v" la-bench-floor "$v" "$B/fw.bin"
		done
	else
		printf '    %-44s %s\n' "floor: la-bench-floor" "not on PATH"
	fi
	fwrow "qemu microvm isa-debug-exit@0xf4 -bios fw.bin" "$log.fw-q" \
		$QEMU -M microvm,x-option-roms=off -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-bios "$B/fw.bin"
	if command -v lkvm >/dev/null 2>&1; then
		fwrow "lkvm run --firmware" "$log.fw-k" lkvm run --firmware "$B/fw.bin"
	else
		printf '    %-44s %s\n' "lkvm run --firmware" "no lkvm on PATH"
	fi
}

# guest_uptime FILE: the guest's uptime when its /init started (from the logs)
guest_uptime() {
	for l in "$1".log.*; do
		sed -n 's/^la-guest: init \([0-9.]*\).*/uptime=\1/p' "$l"
	done >"$1.up"
	median uptime "$1.up"
}

linux() {
	append="quiet la.fate=poweroff la.sleep=2"
	# what la-vmrun puts before --cmdline (crosvm's order), so both kernels
	# see the same command line: earlycon prints the first lines before
	# "quiet" is parsed, one port exit per byte
	base="panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8"
	echo "(b) Linux ${KERNEL_NAME:-vmlinuz}, 1 vCPU, $GMEM: kernel start -> init marker, and (c) VMM memory while it runs"
	echo "    median of $RUNS_LINUX boots; guest_init_s = guest uptime at /init; vmm_kib = RSS minus guest RAM mappings (smaps, 1 s after the marker)"
	printf '    %-16s %12s %16s %10s %10s %14s %8s\n' VMM guest_init_s exec_to_init_ms vmm_kib rss_kib peak_rss_kib status
	for vmm in la-vmrun la-vmrun-split qemu-microvm; do
		f=$log.linux-$vmm
		: >"$f"
		rm -f "$f".log.*
		i=0
		while [ "$i" -lt "$RUNS_LINUX" ]; do
			case $vmm in
			la-vmrun | la-vmrun-split)
				[ -n "$VMRUN" ] || break
				ic=kernel
				[ "$vmm" = la-vmrun ] || ic=split
				$X --marker 'la-guest: init' --smaps-delay 1000 --guest-size 0xa0000 --guest-size 0x60000 \
					--log "$f.log.$i" -- "$VMRUN" --irqchip "$ic" --mem "$GMEM" --cpus 1 \
					--initrd "$B/guest.cpio" --cmdline "$append" "$B/vmlinuz" >>"$f" 2>>"$f.err" ;;
			qemu-microvm)
				$X --marker 'la-guest: init' --smaps-delay 1000 --log "$f.log.$i" -- \
					$QEMU -M microvm,x-option-roms=off,rtc=on -cpu host -smp 1 -m "$GMEM" \
					-serial stdio -kernel "$B/vmlinuz" -initrd "$B/guest.cpio" \
					-append "$base $append" >>"$f" 2>>"$f.err" ;;
			esac
			i=$((i + 1))
		done
		if [ ! -s "$f" ]; then
			printf '    %-16s %s\n' "$vmm" "not built"
			continue
		fi
		printf '    %-16s %12s %16s %10s %10s %14s %8s\n' "$vmm" "$(guest_uptime "$f")" \
			"$(median marker_ms "$f")" "$(median vmm_kib "$f")" "$(median rss_kib "$f")" \
			"$(median maxrss_kib "$f")" "$(statuses "$f")"
	done
}

for p in $PARTS; do
	$p
done
for f in "$log".*.err; do
	[ -s "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -n 5 "$f"; }
done
rm -f "$log".*
exit 0
