#!/bin/busybox sh
# /init of the emulated host (L1), put there by tests/vm/run-in-l1.sh.
# Loads the KVM modules listed in /lib/la-modules/order, runs /la/cmd.sh with
# its output on the second serial port (the runner's capture), then powers
# off. With /la/interactive (run-in-l1.sh --interactive) the command has the
# user's terminal as its standard input and output: the third serial port on
# x86_64, the 16550 on PCI (QEMU's pci-serial) on aarch64 and riscv64.
# Lines starting with "@@la-l1 " are the harness's own markers:
#   @@la-l1 init UPTIME            /init started
#   @@la-l1 harness-error REASON   the emulated host could not be set up
#   @@la-l1 begin UPTIME           the command starts
#   @@la-l1 exit STATUS UPTIME     the command ended with STATUS
/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/payload/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# bash's process substitution (bats uses it) needs /dev/fd
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mkdir -p /dev/pts && mount -t devpts -o ptmxmode=0666 devpts /dev/pts && { [ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx; }
mount -t tmpfs tmp /tmp

out=/dev/ttyS1
# --- aarch64: one UART (ttyAMA0) for the console and the capture; only
# emergencies reach the console from here on ---
if [ "$(uname -m)" = aarch64 ]; then
	out=/dev/ttyAMA0
	dmesg -n 1
fi
# --- end aarch64 ---
# --- riscv64: one UART (ttyS0) for the console and the capture ---
if [ "$(uname -m)" = riscv64 ]; then
	out=/dev/ttyS0
	dmesg -n 1
fi
# --- end riscv64 ---
stty -F "$out" raw -echo 2>/dev/null
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "@@la-l1 $*" >"$out"; }
die() {
	mark "harness-error $*"
	poweroff -f
	sleep 5
}

mark "init $(up)"
while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/la-modules/$m" 2>/tmp/insmod.err ||
		die "insmod $m failed: $(head -n1 /tmp/insmod.err)"
done </lib/la-modules/order
[ -c /dev/kvm ] || die "no /dev/kvm after loading the KVM modules"
# guests take anonymous mappings bigger than L1's RAM (--mem 5G in a 2G
# host); they touch little of it, so let the kernel overcommit
echo 1 >/proc/sys/vm/overcommit_memory
cd /tmp || die "no /tmp"
mark "begin $(up)"
if [ -e /la/interactive ]; then
	# aarch64, riscv64: the one ttyS* whose device is on PCI (the virt
	# machine's own UART is the capture; a PL011 as the terminal jams:
	# see tests/vm/README.md)
	term=/dev/ttyS2
	if [ "$out" != /dev/ttyS1 ]; then
		term=""
		for d in /sys/class/tty/ttyS*; do
			case $(readlink -f "$d/device") in
			*/pci0000:*) term=/dev/${d##*/} && break ;;
			esac
		done
		[ -n "$term" ] || die "no serial port on PCI for the terminal"
	fi
	# shellcheck disable=SC2094 # a terminal: read and written alike
	sh /la/cmd.sh <"$term" >"$term" 2>&1
else
	sh /la/cmd.sh >"$out" 2>&1 </dev/null
fi
st=$?
mark "exit $st $(up)"
poweroff -f
sleep 5
