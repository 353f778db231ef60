#!/bin/sh
# bench/inner-virtio.sh: the measurements of bench/virtio.sh, run in the
# emulated host (L1). Settings come from the environment:
#   B          folder with vmlinuz, guest.cpio (the virtio test initramfs),
#              init.cpio (bench/virtio-guest.sh as /la-bench-init),
#              tools.cpio (fio, iperf3, their libraries), iperf3/ (L1's)
#   VMRUN      la-vmrun
#   RUNS       boots per VMM and part (5)
#   SECS       seconds of each fio job and of iperf3 (5)
#   DISK_MB    size of each disk (256)
#   CACHE      "writeback" and/or "direct" (both)
#   VHOST      QEMU's -netdev tap,vhost= (off)
#   PARTS      "boot" and/or "io" (both)
#   VMMS       "la-vmrun" and/or "qemu" (both)
#   NET        1 when la-vmrun has --net; LAVHOST 1 when it takes vhost=
#   KERNEL_NAME  what $B/vmlinuz is, for the table; TOOLS fio's and iperf3's
#              versions
# Prints a table; each figure is the median over the runs.
B=${B:?}
RUNS=${RUNS:-5}
SECS=${SECS:-5}
DISK_MB=${DISK_MB:-256}
CACHE=${CACHE:-writeback direct}
VHOST=${VHOST:-off}
PARTS=${PARTS:-boot io}
VMMS=${VMMS:-la-vmrun qemu}
NET=${NET:-0}
GMEM=512M
X=la-bench-exec
T=/tmp/la-vbench
log=$T/log
TAP=la-vb0
HOST_IP=10.0.2.1
GUEST_IP=10.0.2.15/24
QEMU="qemu-system-x86_64 -accel kvm -nographic -no-reboot -nodefaults"
QEMU="$QEMU -M microvm,x-option-roms=off,rtc=on,pcie=on -cpu host -smp 1 -m $GMEM -serial stdio"
# what la-vmrun puts before --cmdline, so both kernels see the same line
BASE="panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8"
mkdir -p "$T"

# median FIELD FILE: the median of FIELD=value over FILE's lines
median() {
	sed 's/^/ /' "$2" | sed -n "s/.* $1=\\([-0-9.]*\\).*/\\1/p" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
# statuses FILE: the exit statuses seen, e.g. "0" or "0,1"
statuses() {
	sed -n 's/.*status=\([0-9]*\).*/\1/p' "$1" | sort -u | paste -sd, -
}
# ratio A B: A/B, two decimals ("-" when either is missing)
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}

# --- the host side: disks, tap, iperf3 -s ------------------------------------
setup() {
	cat "$B/guest.cpio" "$B/init.cpio" >"$T/boot.cpio"
	cat "$T/boot.cpio" "$B/tools.cpio" >"$T/io.cpio"
	# the same random bytes on both disks: reads never meet holes
	dd if=/dev/urandom of="$T/seed" bs=1M count=16 2>/dev/null
	i=0
	while [ "$i" -lt $((DISK_MB / 16)) ]; do
		cat "$T/seed"
		i=$((i + 1))
	done >"$T/disk.img"
	rm -f "$T/seed"
	case " $CACHE " in
	*" direct "*)
		rmmod brd 2>/dev/null
		insmod /lib/la-modules/brd.ko rd_nr=1 rd_size=$((DISK_MB * 1024)) ||
			{ echo "bench-virtio: cannot load brd with $DISK_MB MiB"; exit 1; }
		dd if="$T/disk.img" of=/dev/ram0 bs=1M 2>/dev/null ;;
	esac
	la-tap "$TAP" "$HOST_IP/24" >/dev/null || exit 1
	I=$B/iperf3
	"$I/lib/ld-linux-x86-64.so.2" --library-path "$I/lib" "$I/bin/iperf3" -s >"$T/iperf3-s.log" 2>&1 &
	iperf_pid=$!
}

# la_disks MODE...: la-vmrun's --disk options; q_disks: QEMU's
la_disks() {
	for m in "$@"; do
		case $m in
		writeback) printf ' --disk %s,serial=writeback' "$T/disk.img" ;;
		direct) printf ' --disk /dev/ram0,direct,serial=direct' ;;
		esac
	done
}
q_disks() {
	n=0
	for m in "$@"; do
		case $m in
		writeback) printf ' -drive file=%s,if=none,id=d%s,format=raw,cache=writeback,aio=threads' "$T/disk.img" "$n" ;;
		direct) printf ' -drive file=/dev/ram0,if=none,id=d%s,format=raw,cache=none,aio=threads' "$n" ;;
		esac
		printf ' -device virtio-blk-pci,drive=d%s,serial=%s' "$n" "$m"
		n=$((n + 1))
	done
}
la_net() {
	[ "$NET" = 1 ] || return 0
	printf ' --net tap=%s' "$TAP"
	[ "${LAVHOST:-0}" != 1 ] || printf ',vhost=%s' "$VHOST"
}
q_net() {
	[ "$NET" = 1 ] || [ "$1" = io ] || return 0
	printf ' -netdev tap,id=n0,ifname=%s,script=no,downscript=no,vhost=%s -device virtio-net-pci,netdev=n0,romfile=' \
		"$TAP" "$VHOST"
}

# one VMM PART I: one boot, its result line in $log.PART-VMM, its console in
# $log.PART-VMM.log.I. A boot run (PART boot) has one disk and one NIC when
# both VMMs have one; an io run has the disks of CACHE and QEMU's NIC always.
one() {
	vmm=$1 part=$2 i=$3
	f=$log.$part-$vmm
	if [ "$part" = boot ]; then
		disks=${CACHE%% *} initrd=$T/boot.cpio work=""
		nd=1
	else
		disks=$CACHE initrd=$T/io.cpio work="la.fio=$SECS"
		nd=$(echo "$disks" | wc -w)
	fi
	mods=virtio_pci,virtio_blk nic=""
	if [ "$NET" = 1 ] || { [ "$vmm" = qemu ] && [ "$part" = io ]; }; then
		mods=$mods,virtio_net nic="la.ip=eth0,$GUEST_IP"
		[ "$part" = boot ] || work="$work la.iperf=$HOST_IP,$SECS"
	fi
	append="quiet rdinit=/la-bench-init la.modules=$mods la.disks=$nd $nic $work"
	# shellcheck disable=SC2046,SC2086 # the option lists split on purpose
	case $vmm in
	la-vmrun)
		$X --marker 'la-guest: init' --smaps-at 'la-bench: sample' \
			--guest-size 0xa0000 --guest-size 0x60000 --log "$f.log.$i" -- \
			"$VMRUN" --mem "$GMEM" --cpus 1 --no-rng $(la_disks $disks) $(la_net) \
			--initrd "$initrd" --cmdline "$append" "$B/vmlinuz" >>"$f" 2>>"$f.err" ;;
	qemu)
		$X --marker 'la-guest: init' --smaps-at 'la-bench: sample' --log "$f.log.$i" -- \
			$QEMU $(q_disks $disks) $(q_net "$part") -kernel "$B/vmlinuz" -initrd "$initrd" \
			-append "$BASE $append" >>"$f" 2>>"$f.err" ;;
	esac
	st=$(tail -n 1 "$f" | sed -n 's/.*status=\([0-9]*\).*/\1/p')
	[ "$st" = 0 ] || {
		echo "--- $part $vmm run $((i + 1)): status ${st:-none}; the end of its console:"
		tail -n 20 "$f.log.$i"
	} >>"$log.failed"
}

# uptimes FILE: "init_s=U ready_s=V" per boot, from the consoles
uptimes() {
	for l in "$1".log.*; do
		[ -e "$l" ] || continue
		printf 'init_s=%s ready_s=%s\n' \
			"$(sed -n 's/^la-guest: init \([0-9.]*\).*/\1/p' "$l" | head -n 1)" \
			"$(sed -n 's/^la-bench: ready \([0-9.]*\).*/\1/p' "$l" | head -n 1)"
	done >"$1.up"
}

# results FILE: the workload's figures per boot, one line of KEY=VALUE each,
# in the order of the runs (an empty line for a boot that gave none)
results() {
	n=0
	while [ "$n" -lt "$RUNS" ]; do
		r=$(sed -n 's/^la-bench: fio \([a-z]*\) \([a-z]*\) kib_s=\([0-9.]*\) iops=\([0-9.]*\).*/\1_\2_kib_s=\3 \1_\2_iops=\4/p
			s/^la-bench: iperf mbit_s=\([0-9.]*\).*/net_mbit_s=\1/p' "$1.log.$n" 2>/dev/null | paste -sd' ' -)
		echo "$r"
		n=$((n + 1))
	done >"$1.res"
}
# failures FILE: the guests' own failure lines, once each
failures() {
	cat "$1".log.* 2>/dev/null | grep -E '^la-bench: .*(failed|insmod)' | sort -u | head -n 3 | sed 's/^/      /'
}

boot_table() {
	echo "(a) boot, ${KERNEL_NAME:-vmlinuz}, 1 vCPU, $GMEM, one disk (${CACHE%% *})$([ "$NET" = 1 ] && echo " and one NIC (tap, vhost=$VHOST)"): median of $RUNS boots"
	[ "$NET" = 1 ] || echo "    (no NIC: la-vmrun: no --net yet)"
	echo "    exec_to_init_ms: exec -> the guest's /init marker; init_s, ready_s: guest uptime at /init and once its virtio"
	echo "    modules have found the disk (and NIC); vmm_kib: RSS minus guest RAM at ready + the modules; status: exit statuses"
	printf '    %-10s %16s %8s %8s %9s %9s %13s %7s\n' VMM exec_to_init_ms init_s ready_s vmm_kib rss_kib peak_rss_kib status
	for vmm in la-vmrun qemu; do
		f=$log.boot-$vmm
		uptimes "$f"
		printf '    %-10s %16s %8s %8s %9s %9s %13s %7s\n' "$vmm" "$(median marker_ms "$f")" \
			"$(median init_s "$f.up")" "$(median ready_s "$f.up")" "$(median vmm_kib "$f")" \
			"$(median rss_kib "$f")" "$(median maxrss_kib "$f")" "$(statuses "$f")"
		failures "$f"
	done
}

# scaled KEY FILE SCALE: KEY's median, lowest and highest times SCALE
scaled() {
	sed 's/^/ /' "$2" | sed -n "s/.* $1=\\([-0-9.]*\\).*/\\1/p" | sort -n | awk -v s="$3" '
		{ v[NR] = $1 * s }
		END { if (NR) printf "%.1f %.0f-%.0f\n", v[int((NR + 1) / 2)], v[1], v[NR]; else print "- -" }'
}
# paired KEY: the median over the rounds of la-vmrun's KEY over QEMU's in
# the same round (the two boots next to each other in time: slow drifts in
# the machine's load cancel)
paired() {
	paste -d'|' "$log.io-la-vmrun.res" "$log.io-qemu.res" | awk -F'|' -v k="$1" '
		function val(s) {
			if (!match(" " s, " " k "=[0-9.]+"))
				return ""
			return substr(" " s, RSTART + length(k) + 2, RLENGTH - length(k) - 2)
		}
		{ a = val($1); b = val($2); if (a != "" && b != "" && b > 0) print a / b }' |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f\n", v[int((NR + 1) / 2)]; else print "-" }'
}
# io_row LABEL KEY SCALE: one metric, both VMMs: medians, their ratio, the
# median of the per-round ratios, the range of each (KEY times SCALE)
io_row() {
	set -- "$1" "$(scaled "$2" "$log.io-la-vmrun.res" "$3")" "$(scaled "$2" "$log.io-qemu.res" "$3")" "$2"
	printf '    %-28s %10s %10s %8s %8s %14s %14s\n' "$1" "${2% *}" "${3% *}" \
		"$(ratio "${2% *}" "${3% *}")" "$(paired "$4")" "${2#* }" "${3#* }"
}
io_head() {
	printf '    %-28s %10s %10s %8s %8s %14s %14s\n' metric la-vmrun qemu la/qemu paired \
		la-vmrun-range qemu-range
}

io_table() {
	results "$log.io-la-vmrun"
	results "$log.io-qemu"
	echo "(b) virtio-blk, fio in the guest (${TOOLS:-from Debian}): O_DIRECT, libaio, ${SECS} s per job after 1 s ramp, on a $DISK_MB MiB disk;"
	echo "    seq 1 MiB iodepth 8, rand 4 KiB iodepth 32: median of $RUNS boots (MB/s = 10^6 B/s)"
	echo "    la/qemu: the ratio of the medians; paired: the median of la-vmrun/QEMU within each round"
	echo "    writeback: raw file on L1 tmpfs, la-vmrun --disk PATH | QEMU cache=writeback,aio=threads"
	echo "    direct:    L1 brd /dev/ram0, la-vmrun --disk PATH,direct | QEMU cache=none,aio=threads"
	io_head
	for m in $CACHE; do
		io_row "$m seqwrite 1M MB/s" "${m}_seqwrite_kib_s" 0.001024
		io_row "$m seqread 1M MB/s" "${m}_seqread_kib_s" 0.001024
		io_row "$m randread 4K IOPS" "${m}_randread_iops" 1
	done
	echo "(c) virtio-net, iperf3 -c in the guest -> iperf3 -s in L1, ${SECS} s, tap, vhost=$VHOST: median of $RUNS boots"
	io_head
	if [ "$NET" = 1 ]; then
		io_row "TCP guest->host Mbit/s" net_mbit_s 1
	else
		printf '    %-28s %10s %10s %8s %8s %14s %14s\n' "TCP guest->host Mbit/s" "no --net" \
			"$(median net_mbit_s "$log.io-qemu.res")" - - - -
		echo "    la-vmrun: no --net yet"
	fi
	echo "(d) VMM memory after the workload (smaps in the guest's last second): median of $RUNS boots"
	printf '    %-10s %9s %9s %13s %7s\n' VMM vmm_kib rss_kib peak_rss_kib status
	for vmm in la-vmrun qemu; do
		f=$log.io-$vmm
		printf '    %-10s %9s %9s %13s %7s\n' "$vmm" "$(median vmm_kib "$f")" "$(median rss_kib "$f")" \
			"$(median maxrss_kib "$f")" "$(statuses "$f")"
		failures "$f"
	done
}

setup
for part in $PARTS; do
	: >"$log.$part-la-vmrun"
	: >"$log.$part-qemu"
done
i=0
while [ "$i" -lt "$RUNS" ]; do
	for part in $PARTS; do
		for vmm in $VMMS; do
			one "$vmm" "$part" "$i"
		done
	done
	echo "bench-virtio: round $((i + 1)) of $RUNS done at $(cut -d' ' -f1 /proc/uptime) s"
	i=$((i + 1))
done
for part in $PARTS; do
	case $part in
	boot) boot_table ;;
	io) io_table ;;
	esac
done
kill "$iperf_pid" 2>/dev/null
[ ! -s "$log.failed" ] || cat "$log.failed"
for f in "$log".*.err; do
	[ -s "$f" ] && { echo "--- $(basename "$f") (last lines)"; tail -n 5 "$f"; }
done
if [ -n "${KEEP_LOGS:-}" ]; then
	for f in "$log".*.log.0; do
		echo "--- $(basename "$f")"
		tail -n 25 "$f"
	done
fi
rm -rf "$T"
exit 0
