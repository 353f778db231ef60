#!/bin/bash
# tests/vm/mkguest.sh OUT [ARCH]: build the L2 test guest's initramfs
# (uncompressed newc cpio): Debian's static busybox and tests/vm/guest-init.sh
# as /init. ARCH: x86_64 (default: this machine's busybox), aarch64 or
# riscv64 (the busybox tests/vm/kernels.sh fetched for that arch).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
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
[ -n "$busybox" ] || { echo "mkguest: no static busybox (Debian package busybox-static)" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
install -D -m 755 "$busybox" "$stage/bin/busybox"
install -D -m 755 "$here/guest-init.sh" "$stage/init"
mkdir -p "$stage/dev"
la_vm_cpio "$stage" "$out"
