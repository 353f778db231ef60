#!/bin/busybox sh
# shellcheck shell=dash
# bench/virtio-guest.sh: the init of bench/virtio.sh's L2 guest (rdinit=
# /la-bench-init), packed beside the virtio test initramfs (mkguest.sh
# --modules: busybox, the virtio modules and their la.dep). It does what
# the kernel command line asks, in this order, and prints one line each:
#   (always)                  "la-guest: init UPTIME": the boot-time marker
#   la.modules=M[,M...]       insmod each M of la.dep with what it needs
#   la.disks=N                wait (10 s at most) for N disks /dev/vd*
#   la.ip=IFACE,ADDR/PREFIX   wait for IFACE, address it, link up
#   (then)                    "la-bench: ready UPTIME disks D... net I"
#   la.fio=SECS               on each disk (named by its serial: the VMM's
#                             caching), fio with O_DIRECT and libaio:
#                             seqwrite, seqread (1 MiB, iodepth 8),
#                             randread (4 KiB, iodepth 32), each SECS
#                             seconds after 1 s of ramp:
#                             "la-bench: fio SERIAL JOB kib_s=K iops=N"
#   la.iperf=HOST,SECS        iperf3 -c HOST for SECS seconds (guest -> host):
#                             "la-bench: iperf mbit_s=M" (the receiver's)
#   (then)                    "la-bench: sample" (the host samples the VMM's
#                             memory), 1 s, "la-bench: done", poweroff -f
# fio and iperf3 come from Debian with their libraries (bench/virtio.sh puts
# them in /usr/bin and /lib: this initramfs has no other libc).
/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
echo "la-guest: init $(up)"

read -r cmdline </proc/cmdline
mods="" ndisks=0 ip="" fio="" iperf=""
for w in $cmdline; do
	case $w in
	la.modules=*) mods=${w#la.modules=} ;;
	la.disks=*) ndisks=${w#la.disks=} ;;
	la.ip=*) ip=${w#la.ip=} ;;
	la.fio=*) fio=${w#la.fio=} ;;
	la.iperf=*) iperf=${w#la.iperf=} ;;
	esac
done

# modules: what la.dep lists for each, in order, once
dep=/lib/modules/$(uname -r)/la.dep
for m in $(echo "$mods" | tr ',' ' '); do
	# shellcheck disable=SC2013 # a line of module names
	for k in $(sed -n "s/^$m://p" "$dep"); do
		[ -e "/sys/module/$k/initstate" ] || insmod "/lib/modules/$(uname -r)/$k.ko" ||
			echo "la-bench: insmod $k failed"
	done
done
# vds: how many virtio disks the guest has found
vds() {
	set -- /sys/block/vd*
	[ -e "$1" ] && echo $# || echo 0
}
i=0
while [ "$(vds)" -lt "$ndisks" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
iface=-
if [ -n "$ip" ]; then
	iface=${ip%%,*}
	i=0
	while [ ! -e "/sys/class/net/$iface" ] && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ip link set lo up
	ip addr add "${ip#*,}" dev "$iface" && ip link set "$iface" up || iface=failed
fi
disks=""
for d in /sys/block/vd*; do
	[ -e "$d" ] && disks="$disks ${d##*/}:$(cat "$d/serial" 2>/dev/null)"
done
echo "la-bench: ready $(up) disks${disks:- none} net $iface"

# la_fio DEV SERIAL JOB RW BS DEPTH: one fio job, its result line
la_fio() {
	timeout $((fio + 60)) fio --name="$3" --filename="$1" --rw="$4" --bs="$5" --iodepth="$6" --direct=1 \
		--ioengine=libaio --time_based --runtime="$fio" --ramp_time=1 \
		--minimal >/tmp/fio.out 2>/tmp/fio.err
	# terse v3: 6-8 read KiB, KiB/s, IOPS; 47-49 the same for writes
	awk -F';' -v s="$2" -v j="$3" -v w="$4" '{
		if (w ~ /write/) print "la-bench: fio " s " " j " kib_s=" $48 " iops=" $49
		else print "la-bench: fio " s " " j " kib_s=" $7 " iops=" $8 }' /tmp/fio.out
	[ -s /tmp/fio.out ] || echo "la-bench: fio $2 $3 failed: $(head -n 1 /tmp/fio.err)"
}
if [ -n "$fio" ]; then
	for d in $disks; do
		dev=/dev/${d%%:*} serial=${d#*:}
		la_fio "$dev" "${serial:-${d%%:*}}" seqwrite write 1M 8
		la_fio "$dev" "${serial:-${d%%:*}}" seqread read 1M 8
		la_fio "$dev" "${serial:-${d%%:*}}" randread randread 4k 32
	done
fi
if [ -n "$iperf" ] && [ "$iface" != failed ] && [ "$iface" != - ]; then
	timeout $((${iperf#*,} + 60)) iperf3 -c "${iperf%,*}" -t "${iperf#*,}" -f m >/tmp/iperf.out 2>&1
	m=$(awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") print $i }' /tmp/iperf.out)
	if [ -n "$m" ]; then
		echo "la-bench: iperf mbit_s=$m"
	else
		echo "la-bench: iperf failed: $(tail -n 1 /tmp/iperf.out)"
	fi
fi
echo "la-bench: sample"
sleep 1
echo "la-bench: done $(up)"
poweroff -f
