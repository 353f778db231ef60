#!/usr/bin/env bats
# la-vmrun's virtio-pci devices on aarch64 and riscv64, INTx through the
# tree's PCI interrupt-map (no MSI there yet): Debian's kernel of each arch
# with the virtio test guest (build/vm/guest-virtio-ARCH.cpio, its modules
# loaded by la.modules=) reads a disk whole (sha256 equal to the host's)
# and /dev/hwrng, in ONE boot of each arch's emulated host
# (run-in-l1.sh --arch ARCH). Where something the emulated host needs is
# missing, the tests fail when CI=true and skip loudly elsewhere. Only in
# the plain pass of tests/run.sh.

load vmrun_vm_helpers

DT_TIMEOUT=300

# dt_run ARCH: build what ARCH's L1 needs and run its cases into
# $BATS_FILE_TMPDIR/ARCH (a reason in ARCH.missing when it cannot)
dt_run() {
	local arch=$1 t=$BATS_FILE_TMPDIR m= p=$BATS_FILE_TMPDIR/payload-$1
	mkdir -p "$p"
	case $arch in
	aarch64) m=$(la_vm_dt_missing aarch64 arm64 qemu-system-arm | head -n 1) ;;
	*) m=$(la_vm_dt_missing riscv64 riscv64 qemu-system-misc | head -n 1) ;;
	esac
	if [ -z "$m" ] && ! command -v "$arch-linux-gnu-gcc" >/dev/null; then
		m="$arch-linux-gnu-gcc not found (make deps installs the cross toolchains)"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		ARCH="$arch" cross >"$t/$arch-cross.log" 2>&1; then
		m="make cross ARCH=$arch failed: $(tail -n 1 "$t/$arch-cross.log")"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/vm/guest-virtio-$arch.cpio" >"$t/$arch-guest.log" 2>&1; then
		m="the $arch virtio guest did not build: $(tail -n 1 "$t/$arch-guest.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/$arch.missing"
		return 0
	fi
	cp "$VM_BUILD/vm/guest-virtio-$arch.cpio" "$p/virtio.cpio"
	cp -L "$(la_vm_dt_kernel "$arch")" "$p/vmlinuz"
	truncate -s 8M "$p/d1.img"
	printf 'LA-DT-MARKER' | dd of="$p/d1.img" conv=notrunc status=none
	sha256sum "$p/d1.img" | cut -d' ' -f1 >"$t/$arch.sha256"
	cat >"$t/$arch.sh" <<EOF
P=\${P:-/payload}; export P
la-case d-blk $DT_TIMEOUT la-vmrun --mem 512M --disk "\$P/d1.img" --initrd "\$P/virtio.cpio" --cmdline 'quiet la.modules=virtio_pci,virtio_blk,virtio_rng la.sha256=/dev/vda la.hwrng=32 la.dmesg=virtio' "\$P/vmlinuz"
la-case d-ro $DT_TIMEOUT la-vmrun --mem 512M --no-rng --disk "\$P/d1.img,ro" --initrd "\$P/virtio.cpio" --cmdline 'quiet la.modules=virtio_pci,virtio_blk la.forcewrite=/dev/vda' "\$P/vmlinuz"
EOF
	"$VM_TOP/tests/vm/run-in-l1.sh" --arch "$arch" --quiet --timeout 1200 --stall 240 \
		--payload "$p" --bin "$VM_BUILD/cross/$arch/bin/la-vmrun" --out "$t/$arch" \
		--script "$t/$arch.sh" 2>"$t/$arch.stderr" || true
}

setup_file() {
	vm_have_vmrun || return 0
	dt_run aarch64
	dt_run riscv64
}

# dt_case ARCH NAME WANT: load ARCH's case NAME (status WANT)
dt_case() {
	local d=$BATS_FILE_TMPDIR/$1
	[ ! -e "$BATS_FILE_TMPDIR/$1.missing" ] || vm_cannot_run "$(cat "$BATS_FILE_TMPDIR/$1.missing")"
	[ -e "$d/$2.status" ] || vm_cannot_run "$1 case $2 did not run: $(tail -n 3 "$BATS_FILE_TMPDIR/$1.stderr" 2>/dev/null)"
	status=$(cat "$d/$2.status")
	output=$(cat "$d/$2.out")
	mapfile -t lines <<<"$output"
	[ "$status" = "$3" ] || fail "$1 $2: status $status, want $3
$(tail -n 30 <<<"$output")
$(tail -n 10 "$d/$2.err")"
}

dt_blk() {
	dt_case "$1" d-blk 0
	assert_line "la-guest: sha256 /dev/vda $(cat "$BATS_FILE_TMPDIR/$1.sha256")"
	assert_line 'la-guest: hwrng virtio_rng.0 bytes 32'
	assert_line 'la-guest: dmesg virtio-pci 0000:00:01.0: enabling device (0000 -> 0002)'
	assert_line --regexp '^la-guest: dmesg virtio_blk virtio[0-9]: \[vda\] 16384 512-byte logical blocks'
}

dt_ro() {
	dt_case "$1" d-ro 0
	assert_line --regexp '^la-guest: forcewrite /dev/vda refused '
}

@test "aarch64: the guest reads a virtio disk whole and /dev/hwrng, on INTx through the interrupt-map" {
	dt_blk aarch64
}

@test "aarch64: a read-only virtio disk refuses writes" {
	dt_ro aarch64
}

@test "riscv64: the guest reads a virtio disk whole and /dev/hwrng, on INTx through the interrupt-map" {
	dt_blk riscv64
}

@test "riscv64: a read-only virtio disk refuses writes" {
	dt_ro riscv64
}
