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
#   la.pstore        mounts pstore on /sys/fs/pstore: "la-guest: pstore files
#                    NAME..." (or "none"), then "la-guest: pstore LINE" for
#                    each line of its records that names a panic or sysrq
#   la.panic         "la-guest: panic pvpanic BOUND" (the devices the
#                    pvpanic-pci driver took, or "none"), then panics the
#                    kernel (sysrq c): la-vmrun --pstore keeps its log, and
#                    pvpanic makes la-vmrun exit 34
#   la.fwcfg=NAME    "la-guest: fwcfg rev R" (the device's feature bitmap),
#                    then "la-guest: fwcfg NAME size N" and "la-guest: fwcfg
#                    NAME: LINE" per line of its bytes, from the qemu_fw_cfg
#                    driver's /sys/firmware/qemu_fw_cfg/by_name/NAME (or
#                    "la-guest: fwcfg NAME none (WHAT THERE IS)")
# The virtio pieces (an initramfs made with mkguest.sh --modules; nothing of
# this runs unless the command line asks):
#   la.modules=M[,M...]  insmod each M (a line of /lib/modules/KVER/la.dep:
#                    virtio_pci, virtio_blk, virtio_net, virtio_console,
#                    virtio_rng, vmw_vsock_virtio_transport, ext4, or
#                    "virtio" for all) after what it needs, in order, before
#                    anything else: "la-guest: modules loaded NAME... (S s)",
#                    or "la-guest: modules failed REASON"; a module's
#                    parameters come from the command line as modprobe
#                    takes them (ramoops.mem_size=...: mem_size=... for
#                    ramoops), also ramoops and pvpanic_pci where the
#                    initramfs has them
#   root=DEV         then mount DEV (rootfstype=, ro, rootwait=SECONDS: 10)
#                    on /newroot and switch_root to its init (init=, default
#                    /sbin/init): "la-guest: root DEV TYPE rw|ro"; or "la-guest:
#                    root failed REASON" and the fate below
#   la.show=modules  "la-guest: module NAME live|builtin|absent" for each
#                    module of la.dep's "virtio" line
#   la.show=irqs     "la-guest: irq CHIP HWIRQ TYPE NAME" for each virtio
#                    line of /proc/interrupts (as virtio-init.sh prints them:
#                    how each device interrupts, INTx or MSI-X)
#   la.ip=IFACE,ADDR/PREFIX  ip addr add and link up (waits for IFACE): "la-guest: ip IFACE ADDR"
#   la.ping=HOST     "la-guest: ping HOST ok" (or "failed"), 3 pings
#   la.get=HOST:PORT nc HOST PORT into /tmp/la-get: "la-guest: get HOST:PORT bytes N sha256 H"
#   la.put=HOST:PORT:KIB  KIB KiB of random data to nc HOST PORT: "la-guest: put
#                    HOST:PORT bytes N sha256 H" (the same line whether or not it got there)
#   la.send=HOST:PORT:MIB  MIB MiB of zeros to nc HOST PORT, timed until the
#                    host acknowledged the last byte: "la-guest: send
#                    HOST:PORT bytes N ms T" (a throughput measurement)
#   la.write=PATH:KIB  KIB KiB of random data into PATH, synced: "la-guest: write PATH bytes N sha256 H"
#   la.sha256=PATH   "la-guest: sha256 PATH H" (a file or a device: /dev/vdb)
#   la.trywrite=DEV  one 4 KiB block written to DEV with O_DIRECT and fsync:
#                    "la-guest: trywrite DEV refused REASON" or "... written"
#   la.forcewrite=DEV  the same after blockdev --setrw DEV (Linux 6.1 keeps
#                    a read-only flag its driver set above it, so with
#                    VIRTIO_BLK_F_RO the guest still refuses by itself)
#   la.hotplug=DEV   in the background, for PCI hot-plug: waits for block device
#                    DEV, "la-guest: hotplug DEV appeared FIRST16BYTES", writes
#                    "written-by-guest" at byte 4096 (synced): "... wrote", then
#                    waits for DEV to go: "la-guest: hotplug DEV gone"
#   la.hotplug=IFACE,ADDR/PREFIX,PEER  the same for a network device: waits
#                    for IFACE, "la-guest: hotplug IFACE appeared MAC", gives
#                    it ADDR, up, pings PEER: "... ping PEER ok" (or "failed:
#                    ..."), then waits for IFACE to go: "... gone"
#   la.hwrng=BYTES   "la-guest: hwrng CURRENT bytes N": BYTES read from /dev/hwrng
#   la.suspend=NN    in the background, for la-vmctl suspend/resume (the
#                    virtual PMC): enables the ACPI sleep button's wakeup
#                    ("la-guest: suspend wakeup enabled"), prints "la-guest:
#                    tick N" every 0.2 s, and on each sleep-button press (a
#                    new count of GPE NN, hex, in /sys/firmware/acpi/
#                    interrupts: no button driver needed) "la-guest: suspend
#                    request uptime U", echo freeze >/sys/power/state, then
#                    "la-guest: resumed ok|failed uptime U"
#   la.vsock=ARGS    /bin/la-vsock with ARGS, commas for spaces (listen,PORT or
#                    connect,CID,PORT), each output line as "la-guest: vsock LINE"
#   la.blocks=DEV,COUNT,SEED[,K]  /bin/la-blocks write: COUNT numbered blocks
#                    to DEV, each flushed before "la-blocks: flushed N ok" (with
#                    K: a power-off once block K is flushed, the writes going
#                    on; tests/bats/vmrun_vm_disk.bats)
# With console=hvc0 (la-vmrun --console virtio) hvc0 exists only once
# la.modules has loaded virtio_console: the lines printed until then are
# kept and replayed on hvc0, which is then /init's output and input (and
# la.fate=shell's terminal: cttyhack follows the active console).
# The same script is the init of a disk made by mkdisk.sh: there (its root
# is not the initramfs) it loads nothing and switches nowhere, prints
# "la-guest: disk DEV TYPE rw|ro" after the init line, and before a
# poweroff or reboot syncs and remounts its root read-only (the journal is
# then clean, so the host reads the image with debugfs).
/bin/busybox mkdir -p /proc /sys /dev /bin /sbin /usr/bin /usr/sbin /tmp 2>/dev/null
/bin/busybox --install -s 2>/dev/null
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
# console=hvc0 (la-vmrun --console virtio): hvc0 exists once virtio_console
# is in, and until then the kernel gave /init the UART, or no console at
# all: keep what is printed until la.modules has loaded it, then replay it
# on hvc0
early="" hvc=""
# (read, not cat: what every boot adds runs no process)
read -r la_cmdline </proc/cmdline
case " $la_cmdline " in *" console=hvc0 "*) hvc=/dev/hvc0 ;; esac
if [ ! -e /proc/$$/fd/1 ] || [ -n "$hvc" ]; then
	early=/tmp/la-early.log
	exec >"$early" 2>&1
fi

echo "la-guest: init $(cut -d' ' -f1 /proc/uptime)"
# on a disk (mkdisk.sh) rather than the initramfs: /tmp is a tmpfs, and a
# read-only root gets busybox's links there
disk=""
set --
while read -r m_dev m_dir m_type m_opts _; do
	[ "$m_dir" != / ] || set -- "$m_dev" "$m_type" "${m_opts%%,*}"
done </proc/mounts
case ${2:-rootfs} in
rootfs | ramfs | tmpfs) ;;
*)
	disk=$1
	echo "la-guest: disk $1 $2 $3"
	mount -t tmpfs tmp /tmp
	if [ ! -e /bin/sh ]; then
		mkdir -p /tmp/bin && /bin/busybox --install -s /tmp/bin
		export PATH=/tmp/bin:$PATH
	fi
	;;
esac
echo "la-guest: nproc $(nproc)"
echo "la-guest: memtotal_kib $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
echo "la-guest: cmdline $(cat /proc/cmdline)"
grep 'System RAM' /proc/iomem | sed 's/^ *\([0-9a-f]*-[0-9a-f]*\) : .*/la-guest: ram \1/'

# la_modparams K: module K's parameters on the command line (K.P=V: P=V),
# as modprobe passes them
la_modparams() {
	local w
	for w in $la_cmdline; do
		case $w in "$1".*=*) echo "${w#"$1".}" ;; esac
	done
}

# la_modules M,M...: insmod what each M's la.dep line lists, unless loaded
la_modules() {
	local d m k line loaded="" t0
	d=/lib/modules/$(uname -r)
	if [ ! -s "$d/la.dep" ]; then
		echo "la-guest: modules failed none for kernel $(uname -r) in this initramfs" \
			"(it has: $(ls /lib/modules 2>/dev/null | tr '\n' ' '))"
		return 1
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	for m in $(echo "$1" | tr ',' ' '); do
		line=$(grep "^$m:" "$d/la.dep") || {
			echo "la-guest: modules failed $m: not in $d/la.dep"
			return 1
		}
		for k in ${line#*:}; do
			[ ! -e "/sys/module/$k/initstate" ] || continue
			# shellcheck disable=SC2046 # one word per parameter
			insmod "$d/$k.ko" $(la_modparams "$k") 2>/tmp/insmod.err || {
				echo "la-guest: modules failed insmod $k: $(head -n 1 /tmp/insmod.err)"
				return 1
			}
			loaded="$loaded $k"
		done
	done
	echo "la-guest: modules loaded$loaded ($(awk -v a="$t0" '{ printf "%.2f", $1 - a }' /proc/uptime) s)"
}

# la_root DEV: mount DEV on /newroot and switch_root to its init; returns
# (after a "root failed" line) only when that cannot be done
la_root() {
	local i=0 opts=$rootmode
	while [ ! -b "$1" ]; do
		if [ "$i" -ge $((rootwait * 10)) ]; then
			echo "la-guest: root failed no $1 after ${rootwait}s"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	mkdir -p /newroot
	mount ${rootfstype:+-t "$rootfstype"} -o "$opts" "$1" /newroot 2>/tmp/mount.err || {
		echo "la-guest: root failed mount $1: $(head -n 1 /tmp/mount.err)"
		return 1
	}
	if [ ! -x "/newroot$newinit" ] && [ ! -L "/newroot$newinit" ]; then
		echo "la-guest: root failed no $newinit on $1"
		umount /newroot
		return 1
	fi
	echo "la-guest: root $1 $(awk '$2 == "/newroot" { print $3, substr($4, 1, 2) }' /proc/mounts)"
	umount /sys /proc
	mount --move /dev /newroot/dev 2>/dev/null || umount /dev
	exec switch_root /newroot "$newinit"
}

# the requests that come first: modules, then a root to switch to
mods="" root="" rootfstype="" rootmode=rw rootwait=10 newinit=/sbin/init
for w in $la_cmdline; do
	case $w in
	la.modules=*) mods="$mods,${w#la.modules=}" ;;
	root=*) root=${w#root=} ;;
	rootfstype=*) rootfstype=${w#rootfstype=} ;;
	ro) rootmode=ro ;;
	rootwait=*) rootwait=${w#rootwait=} ;;
	init=*) newinit=${w#init=} ;;
	esac
done
if [ -z "$disk" ]; then
	[ -z "$mods" ] || la_modules "$mods"
	if [ -n "$early" ]; then
		c=${hvc:-/dev/console}
		i=0
		while ! (: >"$c") 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		exec >"$c" 2>&1 <"$c"
		cat "$early"
	fi
	[ -z "$root" ] || la_root "$root"
fi

# la_tcp_drained PORT: nc leaves at the end of its input, its data maybe
# still queued: wait (10 s at most) until no socket to that port is
# established or has its FIN unacknowledged (01, 04, 0B in /proc/net/tcp),
# so a poweroff next cannot lose the tail
la_tcp_drained() {
	i=0
	while grep -qE ":$(printf '%04X' "$1") (01|04|0B) " /proc/net/tcp && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# la_sha256 FILE: its sha256, nothing else
# la_hp_wait true|false OP PATH: up to 300 s until test OP PATH is (true)
# or is not (false); returns whether it came to be
la_hp_wait() {
	i=0
	while [ "$i" -lt 3000 ]; do
		if test "$2" "$3"; then [ "$1" = false ] || return 0; else [ "$1" = true ] || return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
# la_hp_gone NAME OP PATH: a hot-plugged device going: "... gone" (or "stayed")
la_hp_gone() {
	la_hp_wait false "$2" "$3" && echo "la-guest: hotplug $1 gone" ||
		echo "la-guest: hotplug $1 stayed"
}
la_sha256() {
	sha256sum "$1" | cut -d' ' -f1
}

fate=poweroff
pause=0
for w in $(cat /proc/cmdline); do
	case $w in
	la.show=modules)
		line=$(grep '^virtio:' "/lib/modules/$(uname -r)/la.dep" 2>/dev/null)
		for k in ${line#*:}; do
			if [ -e "/sys/module/$k/initstate" ]; then
				echo "la-guest: module $k $(cat "/sys/module/$k/initstate")"
			elif [ -d "/sys/module/$k" ]; then
				echo "la-guest: module $k builtin"
			else
				echo "la-guest: module $k absent"
			fi
		done
		;;
	la.ip=*)
		set -- $(echo "${w#la.ip=}" | tr ',' ' ')
		i=0
		while [ ! -e "/sys/class/net/$1" ] && [ "$i" -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		ip link set lo up
		if ip addr add "$2" dev "$1" && ip link set "$1" up; then
			echo "la-guest: ip $1 $2"
		else
			echo "la-guest: ip $1 failed"
		fi
		;;
	la.ping=*)
		if ping -c 3 -W 2 "${w#la.ping=}" >/tmp/ping.out 2>&1; then
			echo "la-guest: ping ${w#la.ping=} ok"
		else
			echo "la-guest: ping ${w#la.ping=} failed: $(tail -n 1 /tmp/ping.out)"
		fi
		;;
	la.get=*)
		a=${w#la.get=}
		# stdin a fifo open for reading and writing: never at its end (at
		# the end of its input busybox nc stops reading the network)
		mkfifo /tmp/la-hold
		nc "${a%:*}" "${a##*:}" <>/tmp/la-hold >/tmp/la-get 2>/tmp/nc.err ||
			echo "la-guest: get $a failed: $(head -n 1 /tmp/nc.err)"
		echo "la-guest: get $a bytes $(wc -c </tmp/la-get) sha256 $(la_sha256 /tmp/la-get)"
		;;
	la.put=*)
		a=${w#la.put=}
		head -c $((${a##*:} * 1024)) /dev/urandom >/tmp/la-put
		echo "la-guest: put ${a%:*} bytes $(wc -c </tmp/la-put) sha256 $(la_sha256 /tmp/la-put)"
		a=${a%:*}
		nc "${a%:*}" "${a##*:}" </tmp/la-put 2>/tmp/nc.err ||
			echo "la-guest: put $a failed: $(head -n 1 /tmp/nc.err)"
		la_tcp_drained "${a##*:}"
		;;
	la.send=*)
		a=${w#la.send=}
		t0=$(cut -d' ' -f1 /proc/uptime)
		dd if=/dev/zero bs=65536 count=$((${a##*:} * 16)) 2>/dev/null |
			nc "${a%:*:*}" "$(echo "$a" | cut -d: -f2)" 2>/tmp/nc.err ||
			echo "la-guest: send ${a%:*} failed: $(head -n 1 /tmp/nc.err)"
		la_tcp_drained "$(echo "$a" | cut -d: -f2)"
		echo "la-guest: send ${a%:*} bytes $((${a##*:} * 1048576)) ms $(awk -v a="$t0" '{ printf "%d", ($1 - a) * 1000 }' /proc/uptime)"
		;;
	la.write=*)
		a=${w#la.write=}
		mkdir -p "$(dirname "${a%:*}")"
		head -c $((${a##*:} * 1024)) /dev/urandom >"${a%:*}" && sync
		echo "la-guest: write ${a%:*} bytes $(wc -c <"${a%:*}") sha256 $(la_sha256 "${a%:*}")"
		;;
	la.sha256=*) echo "la-guest: sha256 ${w#la.sha256=} $(la_sha256 "${w#la.sha256=}")" ;;
	la.trywrite=*)
		if dd if=/dev/zero of="${w#la.trywrite=}" bs=4096 count=1 oflag=direct conv=fsync \
			2>/tmp/dd.err; then
			echo "la-guest: trywrite ${w#la.trywrite=} written"
		else
			echo "la-guest: trywrite ${w#la.trywrite=} refused $(grep -v records /tmp/dd.err | head -n 1)"
		fi
		;;
	la.forcewrite=*)
		# past the guest's own read-only flag, so the device itself answers
		blockdev --setrw "${w#la.forcewrite=}" 2>/dev/null
		if dd if=/dev/zero of="${w#la.forcewrite=}" bs=4096 count=1 oflag=direct conv=fsync \
			2>/tmp/dd.err; then
			echo "la-guest: forcewrite ${w#la.forcewrite=} written"
		else
			echo "la-guest: forcewrite ${w#la.forcewrite=} refused $(grep -v records /tmp/dd.err | head -n 1)"
		fi
		;;
	la.hwrng=*)
		head -c "${w#la.hwrng=}" /dev/hwrng >/tmp/hwrng 2>/tmp/hwrng.err
		echo "la-guest: hwrng $(cat /sys/class/misc/hw_random/rng_current 2>/dev/null)" \
			"bytes $(wc -c </tmp/hwrng)"
		;;
	la.vsock=*)
		la-vsock $(echo "${w#la.vsock=}" | tr ',' ' ') 2>&1 | sed 's/^/la-guest: vsock /'
		;;
	la.suspend=*)
		(
			g=/sys/firmware/acpi/interrupts/gpe${w#la.suspend=}
			for b in /sys/bus/acpi/devices/PNP0C0E:*; do
				echo enabled >"$b/power/wakeup" 2>/dev/null
				echo "la-guest: suspend wakeup $(cat "$b/power/wakeup" 2>/dev/null)"
			done
			read -r n0 _ <"$g"
			t=0
			while sleep 0.2; do
				t=$((t + 1))
				echo "la-guest: tick $t"
				read -r n _ <"$g"
				[ "$n" != "$n0" ] || continue
				n0=$n
				echo "la-guest: suspend request uptime $(cut -d' ' -f1 /proc/uptime)"
				r=ok
				echo freeze >/sys/power/state || r=failed
				echo "la-guest: resumed $r uptime $(cut -d' ' -f1 /proc/uptime)"
			done
		) &
		;;
	la.blocks=*)
		set -- $(echo "${w#la.blocks=}" | tr ',' ' ')
		la-blocks write ${4:+-p "$4"} "$1" "$2" "$3"
		;;
	la.fate=*) fate=${w#la.fate=} ;;
	la.sleep=*) pause=${w#la.sleep=} ;;
	la.show=irqs)
		grep virtio /proc/interrupts |
			sed 's/^ *[0-9]*: *//; s/^[0-9 ]*//; s/  */ /g; s/^/la-guest: irq /'
		;;
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
	la.hotplug=*,*)
		# in the background (with la.sleep): a network device la-vmctl adds
		(
			set -- $(echo "${w#la.hotplug=}" | tr ',' ' ')
			if la_hp_wait true -e "/sys/class/net/$1"; then
				echo "la-guest: hotplug $1 appeared $(cat "/sys/class/net/$1/address")"
				ip link set lo up
				ip addr add "$2" dev "$1" && ip link set "$1" up
				if ping -c 3 -W 2 "$3" >/tmp/hp-ping.out 2>&1; then
					echo "la-guest: hotplug $1 ping $3 ok"
				else
					echo "la-guest: hotplug $1 ping $3 failed: $(tail -n 1 /tmp/hp-ping.out)"
				fi
				la_hp_gone "$1" -e "/sys/class/net/$1"
			else
				echo "la-guest: hotplug $1 never appeared"
			fi
		) &
		;;
	la.hotplug=*)
		# in the background (with la.sleep): a disk la-vmctl adds
		(
			d=${w#la.hotplug=}
			if la_hp_wait true -b "$d"; then
				echo "la-guest: hotplug $d appeared $(head -c 16 "$d")"
				echo written-by-guest | dd of="$d" bs=512 seek=8 conv=fsync 2>/dev/null &&
					echo "la-guest: hotplug $d wrote"
				la_hp_gone "$d" -b "$d"
			else
				echo "la-guest: hotplug $d never appeared"
			fi
		) &
		;;
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
	la.pstore)
		mkdir -p /sys/fs/pstore
		mount -t pstore pstore /sys/fs/pstore 2>/dev/null
		f=$(ls /sys/fs/pstore | tr '\n' ' ')
		f=${f% }
		echo "la-guest: pstore files ${f:-none}"
		cat /sys/fs/pstore/* 2>/dev/null | grep -iE 'panic|sysrq' | head -n 20 |
			sed 's/^/la-guest: pstore /'
		;;
	la.fwcfg=*)
		n=${w#la.fwcfg=}
		d=/sys/firmware/qemu_fw_cfg
		echo "la-guest: fwcfg rev $(cat $d/rev 2>/dev/null || echo none)"
		if [ -r "$d/by_name/$n/raw" ]; then
			echo "la-guest: fwcfg $n size $(cat "$d/by_name/$n/size")"
			sed "s|^|la-guest: fwcfg $n: |" "$d/by_name/$n/raw"
			echo
		else
			echo "la-guest: fwcfg $n none ($(ls -R $d/by_name 2>&1 | tr '\n' ' '))"
		fi
		;;
	la.panic)
		f=$(ls /sys/bus/pci/drivers/pvpanic-pci 2>/dev/null | grep : | tr '\n' ' ')
		f=${f% }
		echo "la-guest: panic pvpanic ${f:-none}"
		echo c >/proc/sysrq-trigger
		;;
	esac
done
[ "$pause" = 0 ] || sleep "$pause"
echo "la-guest: fate $fate"
# a disk's root: what was written reaches the image, and its journal is
# clean when the VM stops
if [ -n "$disk" ]; then
	sync
	mount -o remount,ro / 2>/dev/null || echo "la-guest: remount of / read-only failed"
fi
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
