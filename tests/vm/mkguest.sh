#!/bin/bash
# tests/vm/mkguest.sh [--modules KDIR] [--bin FILE]... OUT [ARCH]: build the
# L2 test guest's initramfs (uncompressed newc cpio): Debian's static
# busybox and tests/vm/guest-init.sh as /init. ARCH: x86_64 (default: this
# machine's busybox), aarch64 or riscv64 (the busybox tests/vm/kernels.sh
# fetched for that arch).
#   --modules KDIR  also carry the virtio modules (LA_VM_GUEST_MODULES in
#                   lib.sh: virtio_pci, _blk, _net, _console, _rng, vsock's
#                   virtio transport, ext4) and all they need, of the kernel
#                   unpacked in KDIR (a kernels.sh cache folder: kver and
#                   lib/modules/KVER with depmod's index), decompressed, as
#                   /lib/modules/KVER/NAME.ko, with /lib/modules/KVER/la.dep:
#                   one line "MOD: NAME..." per module a guest may ask for
#                   (what to insmod, in order; nothing when built in), and
#                   "virtio: NAME..." for all of them; also ramoops and
#                   pvpanic_pci (LA_VM_GUEST_EXTRA_MODULES, not in "virtio")
#                   where the kernel has them. Its /init loads them
#                   only when the command line says la.modules=... .
#   --bin FILE      also carry FILE as /bin/NAME (a static program for ARCH:
#                   la-vsock); repeatable
# Without options the archive is what it always was: no modules.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
die() {
	echo "mkguest: $*" >&2
	exit 1
}
kdir="" bins=()
while [ $# -gt 0 ]; do
	case $1 in
	--modules) kdir=${2:?--modules needs a folder}; shift 2 ;;
	--bin) bins+=("${2:?--bin needs a file}"); shift 2 ;;
	--) shift; break ;;
	-*) echo "mkguest: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: mkguest.sh [--modules KDIR] [--bin FILE]... OUT [ARCH]" >&2; exit 2; }
out=$1
case ${2:-x86_64} in
# --- aarch64 ---
aarch64) busybox=$(la_vm_busybox_aarch64) ;;
# --- end aarch64 ---
# --- riscv64 ---
riscv64) busybox=$(la_vm_busybox_riscv64) ;;
# --- end riscv64 ---
*) busybox=$(la_vm_busybox) ;;
esac
[ -n "$busybox" ] || die "no static busybox (Debian package busybox-static)"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -D -m 755 "$busybox" "$stage/bin/busybox"
install -D -m 755 "$here/guest-init.sh" "$stage/init"
mkdir -p "$stage/dev"
for b in "${bins[@]}"; do
	install -D -m 755 "$b" "$stage/bin/$(basename "$b")" 2>/dev/null || die "--bin: '$b': cannot copy"
done
if [ -n "$kdir" ]; then
	kver=$(cat "$kdir/kver" 2>/dev/null) || die "--modules: no $kdir/kver (a tests/vm/kernels.sh cache folder)"
	md=$stage/lib/modules/$kver
	mkdir -p "$md"
	all=""
	for m in $LA_VM_GUEST_MODULES; do
		paths=$(la_vm_module_deps "$kdir" "$kver" "$m" 2>"$stage/err") || die "$(head -n 1 "$stage/err")"
		names=""
		for p in $paths; do
			n=$(la_vm_ko_name "$p")
			if [ ! -e "$md/$n.ko" ]; then
				la_vm_ko_copy "$kdir/lib/modules/$kver/$p" "$md/$n.ko" || die "cannot unpack $p"
			fi
			names="$names $n"
			case " $all " in *" $n "*) ;; *) all="$all $n" ;; esac
		done
		echo "$m:$names" >>"$md/la.dep"
	done
	echo "virtio:$all" >>"$md/la.dep"
	for m in $LA_VM_GUEST_EXTRA_MODULES; do
		paths=$(la_vm_module_deps "$kdir" "$kver" "$m" 2>/dev/null) || continue
		names=""
		for p in $paths; do
			n=$(la_vm_ko_name "$p")
			[ -e "$md/$n.ko" ] || la_vm_ko_copy "$kdir/lib/modules/$kver/$p" "$md/$n.ko" ||
				die "cannot unpack $p"
			names="$names $n"
		done
		echo "$m:$names" >>"$md/la.dep"
	done
	rm -f "$stage/err"
fi
la_vm_cpio "$stage" "$out"
