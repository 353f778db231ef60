#!/bin/busybox sh
# /init of the L2 test guest (Debian's cloud kernel booted by la-vmrun or
# QEMU). Prints what the guest sees, one "la-guest: KEY VALUE" line each,
# then ends as the kernel command line asks:
#   la.fate=poweroff (default)  poweroff -f (ACPI S5: la-vmrun exits 0)
#   la.fate=reboot              reboot -f   (la-vmrun exits 32)
#   la.fate=shell               an interactive shell on the console
# la.sleep=SECONDS waits that long first (the bench samples the VMM's memory
# while the guest runs). What else to print, asked on the command line:
#   la.show=cpus     "la-guest: cpuN capacity C cluster L package L" per CPU
#                    (cpu_capacity, topology/cluster_cpus_list, package_cpus_list)
#   la.dt=NODE       "la-guest: dt NODE compatible C" (or "absent"): a node
#                    of /proc/device-tree, as an overlay put it there
#   la.devmem=ADDR   "la-guest: devmem ADDR VALUE": a 32-bit read of ADDR
#   la.dmesg=WORD    "la-guest: dmesg LINE" for each kernel message with WORD
#                    (but the command line's)
#   la.show=timebase "la-guest: timebase HZ": /cpus/timebase-frequency of
#                    the tree (riscv64)
#   la.kmsg=WORD     "la-guest: kmsg WORD" through the kernel log at a level
#                    every console prints (riscv64: a kept SBI bootconsole)
/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null

echo "la-guest: init $(cut -d' ' -f1 /proc/uptime)"
echo "la-guest: nproc $(nproc)"
echo "la-guest: memtotal_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "la-guest: cmdline $(cat /proc/cmdline)"
grep 'System RAM' /proc/iomem | sed 's/^ *\([0-9a-f]*-[0-9a-f]*\) : .*/la-guest: ram \1/'
fate=poweroff
pause=0
for w in $(cat /proc/cmdline); do
	case $w in
	la.fate=*) fate=${w#la.fate=} ;;
	la.sleep=*) pause=${w#la.sleep=} ;;
	la.show=cpus)
		for c in /sys/devices/system/cpu/cpu[0-9]*; do
			echo "la-guest: ${c##*/} capacity $(cat "$c/cpu_capacity" 2>/dev/null)" \
				"cluster $(cat "$c/topology/cluster_cpus_list" 2>/dev/null)" \
				"package $(cat "$c/topology/package_cpus_list" 2>/dev/null)"
		done
		;;
	la.dt=*)
		n=/proc/device-tree/${w#la.dt=}
		if [ -d "$n" ]; then
			echo "la-guest: dt ${w#la.dt=} compatible $(tr -d '\0' <"$n/compatible")"
		else
			echo "la-guest: dt ${w#la.dt=} absent"
		fi
		;;
	la.devmem=*) echo "la-guest: devmem ${w#la.devmem=} $(devmem "${w#la.devmem=}" 32)" ;;
	la.dmesg=*)
		dmesg | sed 's/^\[[ 0-9.]*\] //' | grep -v '^Kernel command line: ' |
			grep -F -- "${w#la.dmesg=}" | sed 's/^/la-guest: dmesg /'
		;;
	# --- riscv64 ---
	la.show=timebase)
		# a big-endian u32; busybox od has no --endian
		set -- $(od -An -tx1 /proc/device-tree/cpus/timebase-frequency 2>/dev/null)
		echo "la-guest: timebase $(((0x${1:-0} << 24) | (0x${2:-0} << 16) | (0x${3:-0} << 8) | 0x${4:-0}))"
		;;
	la.kmsg=*) echo "<2>la-guest: kmsg ${w#la.kmsg=}" >/dev/kmsg ;;
	# --- end riscv64 ---
	esac
done
[ "$pause" = 0 ] || sleep "$pause"
echo "la-guest: fate $fate"
case $fate in
reboot) reboot -f ;;
shell)
	echo "la-guest: shell (poweroff -f or reboot -f to leave)"
	setsid cttyhack sh -l
	poweroff -f
	;;
*) poweroff -f ;;
esac
sleep 10
