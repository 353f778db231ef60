#!/bin/bash
# tests/vm/mkguest-virtio.sh OUT [ARCH]: the L2 initramfs of the virtio-pci
# cases. x86_64 (default): the
# test guest (build/vm/guest.cpio, which must exist) with a second cpio laid
# over it: tests/vm/virtio-init.sh as /init and Debian's virtio modules
# (virtio_pci, virtio_blk, virtio-rng, virtio_console and what they need,
# in dependency order) from the cached x86_64 cloud kernel. aarch64,
# riscv64: build/vm/guest-virtio-ARCH.cpio (make) with virtio-init.sh as
# /init laid over it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
out=$1
arch=${2:-x86_64}
if [ "$arch" != x86_64 ]; then
	# the test guest with its modules already (make's guest-virtio-ARCH.cpio):
	# only /init laid over it
	base=${LA_BUILD:-$top/build}/vm/guest-virtio-$arch.cpio
	[ -f "$base" ] || { echo "mkguest-virtio: no $base (make $base)" >&2; exit 1; }
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	install -m 755 "$here/virtio-init.sh" "$stage/init"
	la_vm_cpio "$stage" "$stage.cpio"
	cat "$base" "$stage.cpio" >"$out.tmp.$$" && mv "$out.tmp.$$" "$out"
	rm -f "$stage.cpio"
	exit 0
fi
base=${LA_BUILD:-$top/build}/vm/guest.cpio
[ -f "$base" ] || { echo "mkguest-virtio: no $base (make)" >&2; exit 1; }
kver=$(la_vm_kver "$(la_vm_kernels_dir)/vmlinuz")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib/modules/la"
la_vm_modules_in_order "$kver" virtio_pci virtio_blk virtio-rng virtio_console |
	while read -r ko; do
		case $ko in
		*.xz) xz -dc "$ko" >"$stage/lib/modules/la/$(basename "$ko" .xz)" ;;
		*.zst) zstd -qdc "$ko" >"$stage/lib/modules/la/$(basename "$ko" .zst)" ;;
		*) cp "$ko" "$stage/lib/modules/la/" ;;
		esac
		basename "${ko%.xz}" | sed 's/\.zst$//' >>"$stage/lib/modules/la/order.txt"
	done
install -m 755 "$here/virtio-init.sh" "$stage/init"
la_vm_cpio "$stage" "$stage.cpio"
cat "$base" "$stage.cpio" >"$out.tmp.$$" && mv "$out.tmp.$$" "$out"
rm -f "$stage.cpio"
