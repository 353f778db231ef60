#!/usr/bin/env bats
# la-vmrun's virtio-pci devices on aarch64 and riscv64: INTx through the
# tree's PCI interrupt-map, and on aarch64 with --its MSI-X through the GIC
# ITS. Debian's kernel of each arch with the virtio test guest
# (build/vm/guest-virtio-ARCH.cpio) and tests/vm/virtio-init.sh laid over
# it (mkguest-virtio.sh ARCH) reads a marker from /dev/vda and /dev/hwrng,
# and a read-only disk refuses writes, in ONE boot of each arch's emulated
# host (run-in-l1.sh --arch ARCH). Where something the emulated host needs is
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
	if ! LA_BUILD=$VM_BUILD "$VM_TOP/tests/vm/mkguest-virtio.sh" "$p/pci.cpio" "$arch" \
		2>"$t/$arch-guest.log"; then
		echo "mkguest-virtio.sh $arch failed: $(tail -n 1 "$t/$arch-guest.log")" >"$t/$arch.missing"
		return 0
	fi
	cp -L "$(la_vm_dt_kernel "$arch")" "$p/vmlinuz"
	truncate -s 8M "$p/d1.img" "$p/d2.img"
	printf 'LA-DT-MARKER' | dd of="$p/d1.img" conv=notrunc status=none
	local boot='--mem 512M --initrd "$P/pci.cpio"'
	{
		echo 'P=${P:-/payload}; export P'
		echo "la-case d-blk $DT_TIMEOUT la-vmrun $boot --disk \"\$P/d1.img\" --disk \"\$P/d2.img,ro\" --cmdline 'la.vda=12 la.vdb-write la.hwrng=32' \"\$P/vmlinuz\""
		[ "$arch" != aarch64 ] ||
			echo "la-case d-its $DT_TIMEOUT la-vmrun $boot --cpus 2 --its --disk \"\$P/d1.img\" --cmdline 'la.vda=12 la.hwrng=32' \"\$P/vmlinuz\""
	} >"$t/$arch.sh"
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
	assert_line 'la-guest: vda LA-DT-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line --regexp '^la-guest: pci 0000:00:01\.0 0x1af4:0x1042 irq [0-9]+ driver virtio-pci$'
	# one INTx line per device, no MSI
	assert_line --regexp '^la-guest: irq .* virtio0$'
	refute_output --partial MSI
	assert_line 'la-guest: vdb-write fail'
	assert_line 'la-guest: disk vdb 16384 sectors ro 1 serial '
}

@test "aarch64: the guest reads a virtio disk and /dev/hwrng on INTx through the interrupt-map; a read-only disk refuses writes" {
	dt_blk aarch64
	# the MSI-X capability is there; without an ITS the guest cannot use it
	assert_line 'la-guest: caps 0000:00:01.0 09 09 09 09 09 11'
	assert_line 'la-guest: irq GICv3 36 Level virtio0'
}

@test "aarch64 --its: the guest's virtio drivers take MSI-X through the GIC ITS" {
	dt_case aarch64 d-its 0
	assert_line 'la-guest: vda LA-DT-MARKER'
	assert_line 'la-guest: irq ITS-MSI 16384 Edge virtio0-config'
	assert_line 'la-guest: irq ITS-MSI 16385 Edge virtio0-req.0'
	assert_line --regexp '^la-guest: irq ITS-MSI [0-9]+ Edge virtio1-input$'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
}

@test "riscv64: the guest reads a virtio disk and /dev/hwrng on INTx through the interrupt-map; a read-only disk refuses writes" {
	dt_blk riscv64
	# no MSI routes on riscv64 yet: no MSI-X capability
	assert_line 'la-guest: caps 0000:00:01.0 09 09 09 09 09'
}
