#!/bin/bash
# bench/virtio.sh [BUILD]: la-vmrun's virtio devices against QEMU's
# (microvm, pcie=on, virtio-blk-pci and virtio-net-pci), side by side in one
# emulated host (tests/vm/run-in-l1.sh: QEMU TCG with SVM, Debian's kernel
# with kvm-amd), the same guest for both (Debian's cloud kernel, 1 vCPU,
# 512 MiB, the virtio test initramfs with bench/virtio-guest.sh as its init),
# runs interleaved (la-vmrun, QEMU, la-vmrun, ...), each figure a median
# (make bench-virtio):
#   (a) boot: exec -> the guest's init marker with one disk (and one NIC
#       when la-vmrun has --net), and until its virtio modules have found them
#   (b) virtio-blk: fio in the guest (O_DIRECT, libaio) on /dev/vdX, SECS
#       seconds each after 1 s of ramp: sequential write and read (1 MiB,
#       iodepth 8), random read (4 KiB, iodepth 32); per caching mode:
#         writeback: a raw image on L1's tmpfs; la-vmrun --disk PATH
#                    (buffered) / QEMU cache=writeback,aio=threads
#         direct:    L1's brd ramdisk /dev/ram0 (tmpfs has no O_DIRECT on
#                    L1's 6.1); la-vmrun --disk PATH,direct / QEMU
#                    cache=none,aio=threads
#       Both disks hold the same random bytes; both VMMs get both disks.
#   (c) virtio-net: iperf3 -c from the guest to iperf3 -s in L1 over one tap
#       (L1's tun and vhost_net modules), guest -> host, Mbit/s; QEMU with
#       -netdev tap,vhost=$VHOST; la-vmrun with --net tap=NAME when its
#       --help names --net (and vhost= when it names that), else the table
#       says "la-vmrun: no --net yet"
#   (d) each VMM's memory: RSS minus guest RAM (smaps, as bench/boot.sh),
#       sampled in the guest's last second, after the workload
# A run whose VMM exits other than 0 (the table's status column) has the
# end of its guest's console printed after the tables.
# fio and iperf3 come from Debian (apt-get download, dpkg -x, no root
# install) with the shared libraries they need (this machine's, or
# downloaded when it lacks them), cached in BUILD/bench/virtio-tools;
# they reach the guest in an initramfs of their own, appended to the test
# one (boot runs (a) leave it out: it is ~90 MB).
# Environment: RUNS (5: boots per VMM and part), SECS (5: each fio job and
# iperf3), DISK_MB (256), CACHE ("writeback direct"), VHOST (off),
# PARTS ("boot io"), VMMS ("la-vmrun qemu": one alone for a diagnosis, no
# comparison), KEEP_LOGS (set: the end of each VMM's first guest
# console after the table), TIMEOUT (3000: the emulated host's, seconds).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) || exit 1
# shellcheck source=tests/vm/lib.sh
. "$top/tests/vm/lib.sh"
die() {
	echo "bench-virtio: $*" >&2
	exit 1
}

vmrun=$build/bin/la-vmrun
for f in "$vmrun" "$build/bench/la-bench-exec" "$build/vm/guest-virtio-x86_64.cpio"; do
	[ -e "$f" ] || die "$f missing (make bench-virtio builds it)"
done
l2=$(la_vm_l2_kernel)
[ -n "$l2" ] || die "no Debian cloud kernel in $(la_vm_kernels_dir) (make kernels)"
missing=$(la_vm_missing)
[ -z "$missing" ] || die "cannot start the emulated host: $missing"

# --- fio and iperf3 from Debian, with their libraries (cached) ------------
tools=$build/bench/virtio-tools

# deb_lib_deps DEB: the library packages DEB depends on (first of each
# alternative), one a line
deb_lib_deps() {
	dpkg-deb -f "$1" Depends Pre-Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/:.*//; s/ //g' |
		grep '^lib' | sort -u
}
# host_has PKG: PKG is installed here (its libraries are on this machine)
host_has() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}
# copy_libs PROG... DEST: the libraries ldd lists for PROGs (the fetched
# ones first), each under the name ldd asked for, into DEST
copy_libs() {
	local dest=${*: -1} root=$tools/.root
	local path=$root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu
	mkdir -p "$dest"
	LD_LIBRARY_PATH=$path ldd "${@:1:$#-1}" >"$tools/.ldd" 2>&1 || return 1
	if grep -q 'not found' "$tools/.ldd"; then
		echo "bench-virtio: libraries not found: $(grep 'not found' "$tools/.ldd" | awk '{ print $1 }' | sort -u | tr '\n' ' ')" >&2
		return 1
	fi
	awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1, $1 }' "$tools/.ldd" |
		sort -u | while read -r name lib; do
			cp -L "$lib" "$dest/$(basename "$name")" || exit 1
		done
}
fetch_tools() {
	local debs=$tools/.debs want new d p
	[ -s "$tools/guest.cpio" ] && [ -x "$tools/l1/bin/iperf3" ] && return 0
	rm -rf "$tools"
	mkdir -p "$debs" "$tools/.root"
	echo "bench-virtio: fetching fio, iperf3 and the libraries this machine lacks (apt-get download) into $tools"
	want="fio iperf3 libiperf0"
	while [ -n "$want" ]; do
		# shellcheck disable=SC2086 # a list of package names
		(cd "$debs" && apt-get download -q $want 2>&1 | grep -v '^W: Download is performed unsandboxed') ||
			return 1
		new=""
		for d in "$debs"/*.deb; do
			for p in $(deb_lib_deps "$d"); do
				host_has "$p" && continue
				ls "$debs/${p}_"*.deb >/dev/null 2>&1 && continue
				case " $want $new " in *" $p "*) ;; *) new="$new $p" ;; esac
			done
		done
		want=$new
	done
	for d in "$debs"/*.deb; do
		dpkg -x "$d" "$tools/.root" || return 1
	done
	# the guest's tree: the programs in /usr/bin, the libraries where ld.so
	# looks by default, the loader where the programs name it
	local g=$tools/.guest
	install -D -m 755 "$tools/.root/usr/bin/fio" "$g/usr/bin/fio"
	install -D -m 755 "$tools/.root/usr/bin/iperf3" "$g/usr/bin/iperf3"
	copy_libs "$g/usr/bin/fio" "$g/usr/bin/iperf3" "$g/lib/x86_64-linux-gnu" || return 1
	mkdir -p "$g/lib64"
	mv "$g/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$g/lib64/"
	la_vm_cpio "$g" "$tools/guest.cpio" || return 1
	# L1's iperf3 -s: run through its own loader (lib/ld-linux-x86-64.so.2
	# --library-path lib bin/iperf3)
	install -D -m 755 "$tools/.root/usr/bin/iperf3" "$tools/l1/bin/iperf3"
	copy_libs "$tools/l1/bin/iperf3" "$tools/l1/lib" || return 1
	dpkg-deb -f "$debs"/fio_*.deb Package Version | paste -sd' ' - >"$tools/versions"
	dpkg-deb -f "$debs"/iperf3_*.deb Package Version | paste -sd' ' - >>"$tools/versions"
	rm -rf "$tools/.root" "$tools/.guest" "$tools/.ldd"
}
fetch_tools || { rm -rf "$tools"; die "could not fetch fio and iperf3"; }

# --- the payload -------------------------------------------------------------
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
p=$stage/p
mkdir -p "$p/init"
cp "$l2" "$p/vmlinuz" || die "cannot copy $l2"
cp "$build/vm/guest-virtio-x86_64.cpio" "$p/guest.cpio"
cp "$tools/guest.cpio" "$p/tools.cpio"
cp -a "$tools/l1" "$p/iperf3"
install -m 755 "$top/bench/virtio-guest.sh" "$p/init/la-bench-init"
la_vm_cpio "$p/init" "$p/init.cpio" || die "cpio of the guest's init failed"
rm -rf "$p/init"

"$vmrun" --help >"$stage/help" 2>&1
net=0 lavhost=0
grep -q -- '--net' "$stage/help" && net=1
grep -q -- 'vhost' "$stage/help" && lavhost=1
{
	echo "B=/payload VMRUN=/payload/bin/la-vmrun RUNS=${RUNS:-5} SECS=${SECS:-5} DISK_MB=${DISK_MB:-256}"
	echo "CACHE='${CACHE:-writeback direct}' VHOST=${VHOST:-off} PARTS='${PARTS:-boot io}' NET=$net LAVHOST=$lavhost"
	echo "KERNEL_NAME=vmlinuz-$(la_vm_kver "$l2")"
	echo "KEEP_LOGS=${KEEP_LOGS:-} VMMS='${VMMS:-la-vmrun qemu}'"
	echo "TOOLS='$(awk '{ print $2, $4 }' "$tools/versions" | paste -sd, - | sed 's/,/, /')'"
	echo "export B VMRUN RUNS SECS DISK_MB CACHE VHOST PARTS VMMS NET LAVHOST KERNEL_NAME KEEP_LOGS TOOLS"
	cat "$top/bench/inner-virtio.sh"
} >"$stage/inner.sh"
echo "bench-virtio: $(date -u +%FT%TZ) on $(uname -m), $(nproc) CPUs; la-vmrun $(git -C "$top" describe --always --dirty 2>/dev/null); $(paste -sd';' "$tools/versions")"
echo "== emulated host: QEMU TCG -cpu EPYC,+svm,+npt, 2 vCPUs, 3G, vmlinuz-$(la_vm_kver "$(la_vm_l1_kernel)"), kvm-amd; L1 /dev/kvm"
"$top/tests/vm/run-in-l1.sh" --qemu --smp 2 --mem 3G --timeout "${TIMEOUT:-3000}" --stall 300 \
	--module tun --module vhost_net --module brd \
	--bin "$build/bench/la-bench-exec" --bin "$vmrun" \
	--payload "$p" --script "$stage/inner.sh"
