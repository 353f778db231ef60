#!/bin/bash
# tests/vm/mkdisk.sh [--arch ARCH] [--size SIZE] [--data] OUT [DIR]: make the
# ext4 image OUT, without root (mke2fs -d), for a guest's virtio disk:
# DIR's files (if given) and, unless --data, what makes it bootable with
# root=/dev/vda: ARCH's static busybox as /bin/busybox (x86_64, default:
# this machine's; aarch64, riscv64: tests/vm/kernels.sh's) and
# tests/vm/guest-init.sh as /sbin/init, which there prints the usual
# "la-guest: ..." lines plus "la-guest: disk DEV ext4 rw" (the marker: it
# runs from the disk), does what the command line asks (la.write=PATH:KIB
# writes a file the host then reads back with diskfile.sh), syncs and
# remounts / read-only before it powers off. Files are owned by root, as
# on a real system. SIZE: mke2fs's syntax (default 32M). The test guest's
# initramfs (mkguest.sh --modules) mounts it and switches to it; the
# kernel alone cannot (virtio_blk is a module).
# Exit status: 0 ok, 1 failed (one line "mkdisk: ..."), 2 usage.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
die() {
	echo "mkdisk: $*" >&2
	exit 1
}
usage() {
	echo "mkdisk: $*" >&2
	echo "usage: mkdisk.sh [--arch ARCH] [--size SIZE] [--data] OUT [DIR]" >&2
	exit 2
}
arch=x86_64 size=32M data=0
while [ $# -gt 0 ]; do
	case $1 in
	--arch) arch=${2:-}; shift 2 || usage "--arch needs x86_64, aarch64 or riscv64" ;;
	--size) size=${2:-}; shift 2 || usage "--size needs a size" ;;
	--data) data=1; shift ;;
	--) shift; break ;;
	-*) usage "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || usage "OUT [DIR]"
out=$1 dir=${2:-}
[ -z "$dir" ] || [ -d "$dir" ] || die "'$dir': not a directory"
command -v mke2fs >/dev/null || die "mke2fs not found (Debian package e2fsprogs)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"
[ -z "$dir" ] || cp -a "$dir/." "$root/" || die "cannot copy $dir"
if [ "$data" = 0 ]; then
	case $arch in
	x86_64) busybox=$(la_vm_busybox) ;;
	aarch64 | riscv64) busybox=$(la_vm_dt_busybox "$arch") ;;
	*) usage "--arch: '$arch': not x86_64, aarch64 or riscv64" ;;
	esac
	[ -n "$busybox" ] || die "no static busybox for $arch (busybox-static; tests/vm/kernels.sh DIR $arch)"
	install -D -m 755 "$busybox" "$root/bin/busybox"
	install -D -m 755 "$here/guest-init.sh" "$root/sbin/init"
	mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/usr/bin" "$root/usr/sbin" "$root/la"
fi
rm -f "$out"
mke2fs -q -t ext4 -L la-disk -E root_owner=0:0 -d "$root" -F "$out" "$size" >"$stage/log" 2>&1 ||
	{ rm -f "$out"; die "mke2fs -d failed: $(tail -n 1 "$stage/log")"; }
