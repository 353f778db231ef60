#!/bin/busybox sh
# /init of the L2 guest for the virtio-pci cases (tests/bats/vmrun_vm_pci.bats,
# vmrun_vm_pci_dt.bats), laid over build/vm/guest.cpio (x86_64) or
# guest-virtio-ARCH.cpio by tests/vm/mkguest-virtio.sh: loads Debian's virtio
# modules (/lib/modules/la/*.ko in order.txt's order, or the base's la.dep),
# prints "la-guest: KEY VALUE" lines for what the command line asks, then
# powers off:
#   la.vda=N        the first N bytes of /dev/vda (a marker), as text
#   la.vdb-write    write /dev/vdb (a read-only disk) past the guest's own
#                   read-only flag (blockdev --setrw), so the device answers:
#                   "vdb-write ok|fail"
#   la.vda-write=S  write S at byte 4096 of /dev/vda, sync: "vda-write ok|fail"
#   la.hwrng=N      read N bytes of /dev/hwrng: "hwrng N bytes" and the driver
#   la.hvc          a shell on /dev/hvc0 (virtio console) instead of powering off
#   la.ddread=MIB   read MIB MiB of /dev/vda with O_DIRECT, 1 MiB a read:
#                   "ddread MIB MiB in S s" (a measurement, not a check)
/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# the console may be hvc0, which exists only once virtio_console is in
out=/dev/ttyS0
[ -c /dev/console ] && echo >/dev/console 2>/dev/null && out=/dev/console
exec >"$out" 2>&1
echo "la-guest: init $(cut -d' ' -f1 /proc/uptime)"
if [ -s /lib/modules/la/order.txt ]; then
	while read -r m; do
		insmod "/lib/modules/la/$m" || echo "la-guest: insmod $m failed"
	done </lib/modules/la/order.txt
else
	# laid over guest-virtio-ARCH.cpio: its la.dep lines, in order
	d=/lib/modules/$(uname -r)
	for m in virtio_pci virtio_blk virtio_rng virtio_console; do
		for k in $(grep "^$m:" "$d/la.dep" | cut -d: -f2); do
			[ -e "/sys/module/$k/initstate" ] || insmod "$d/$k.ko" ||
				echo "la-guest: insmod $k failed"
		done
	done
fi
echo "la-guest: modules $(cut -d' ' -f1 /proc/uptime)"
# the devices' nodes appear asynchronously
i=0
while [ $i -lt 50 ] && ! [ -e /dev/vda -o -e /dev/hwrng -o -e /dev/hvc0 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.2
for d in /sys/bus/pci/devices/*; do
	echo "la-guest: pci ${d##*/} $(cat "$d/vendor"):$(cat "$d/device") irq $(cat "$d/irq") driver $(basename "$(readlink "$d/driver" 2>/dev/null)" 2>/dev/null)"
done
# each function's capability IDs (09 vendor, 11 MSI-X)
for d in /sys/bus/pci/devices/*; do
	ids="" cap=$(od -An -tu1 -j52 -N1 "$d/config" | tr -d ' ')
	while [ "${cap:-0}" -ne 0 ] && [ ${#ids} -lt 64 ]; do
		ids="$ids $(od -An -tx1 -j"$cap" -N1 "$d/config" | tr -d ' ')"
		cap=$(od -An -tu1 -j$((cap + 1)) -N1 "$d/config" | tr -d ' ')
	done
	echo "la-guest: caps ${d##*/}$ids"
done
fate=poweroff
# how each device interrupts: "la-guest: irq PCI-MSIX-0000:00:01.0 0-edge virtio0-config"
grep virtio /proc/interrupts | sed 's/^ *[0-9]*: *//; s/^[0-9 ]*//; s/  */ /g; s/^/la-guest: irq /'
for w in $(cat /proc/cmdline); do
	case $w in
	la.vda=*) echo "la-guest: vda $(head -c "${w#la.vda=}" /dev/vda)" ;;
	la.vda-write=*)
		if printf '%s' "${w#la.vda-write=}" | dd of=/dev/vda bs=1 seek=4096 conv=notrunc 2>/dev/null && sync; then
			echo "la-guest: vda-write ok"
		else
			echo "la-guest: vda-write fail"
		fi
		;;
	la.vdb-write)
		blockdev --setrw /dev/vdb
		if echo x | dd of=/dev/vdb bs=512 count=1 conv=sync,fsync oflag=direct 2>/dev/null; then
			echo "la-guest: vdb-write ok"
		else
			echo "la-guest: vdb-write fail"
		fi
		;;
	la.hwrng=*)
		n=$(head -c "${w#la.hwrng=}" /dev/hwrng | wc -c)
		echo "la-guest: hwrng $n bytes from $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)"
		;;
	la.hvc) fate=hvc ;;
	la.fate=reboot) fate=reboot ;;
	la.ddread=*)
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if=/dev/vda of=/dev/null bs=1M count="${w#la.ddread=}" iflag=direct 2>/dev/null
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "la-guest: ddread ${w#la.ddread=} MiB in $(awk "BEGIN { print $t1 - $t0 }") s"
		;;
	esac
done
for b in /sys/block/vd*; do
	[ -e "$b" ] && echo "la-guest: disk ${b##*/} $(cat "$b/size") sectors ro $(cat "$b/ro") serial $(cat "$b/serial" 2>/dev/null)"
done
if [ "$fate" = hvc ]; then
	echo "la-guest: hvc0 $([ -c /dev/hvc0 ] && echo present || echo absent)"
	setsid sh -c 'exec sh </dev/hvc0 >/dev/hvc0 2>&1'
fi
if [ "$fate" = reboot ]; then
	# without ACPI there is no S5 to power off through
	echo "la-guest: fate reboot"
	reboot -f
	sleep 10
fi
echo "la-guest: fate poweroff"
poweroff -f
sleep 10
