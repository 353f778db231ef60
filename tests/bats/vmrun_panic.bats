#!/usr/bin/env bats
# la-vmrun's panic devices without KVM: --pstore (ramoops, crosvm-arch.md
# §1.5) and pvpanic on PCI, their options and errors, their grants in
# --explain (text and JSON) as la-alloc has them, and what the aarch64 and
# riscv64 trees and command lines say of them. The guest that panics is in
# vmrun_vm_bvm.bats (an emulated host).

load helpers
load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
	dt_kernels "$tmp"
}

teardown() {
	rm -rf "$tmp"
}

# kernel ARCH: the test kernel for ARCH
kernel() {
	case $1 in
	x86_64) echo "$PROBE" ;;
	aarch64) echo "$tmp/Image" ;;
	riscv64) echo "$tmp/rv" ;;
	esac
}

# grants_of PATTERN: "NAME RANGE" of the grants whose name matches
grants_of() {
	grant_pairs | grep -E "$1"
}

@test "la-vmrun: --help names --pstore, --pvpanic and --no-pvpanic, and exit status 34" {
	run la-vmrun --help
	assert_success
	for o in --pstore=path=FILE,size=SIZE --pvpanic --no-pvpanic; do
		assert_output --partial -- "$o"
	done
	assert_output --partial "34 it panicked (it said so"
}

@test "la-vmrun: --pstore takes path=FILE,size=SIZE, a non-zero multiple of 4 KiB, once" {
	local p=$tmp/ps
	fails 2 "la-vmrun: --pstore: 'size=1M': needs path=FILE and size=SIZE" \
		la-vmrun --explain --pstore size=1M "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p': needs path=FILE and size=SIZE" \
		la-vmrun --explain --pstore "path=$p" "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p,size=lots': size= is not a size (4096, 64K, 1M...)" \
		la-vmrun --explain --pstore "path=$p,size=lots" "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p,size=0': size= must be a non-zero multiple of 4 KiB (it is mapped as guest memory)" \
		la-vmrun --explain --pstore "path=$p,size=0" "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p,size=5000': size= must be a non-zero multiple of 4 KiB (it is mapped as guest memory)" \
		la-vmrun --explain --pstore "path=$p,size=5000" "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p,size=1M,ecc=on': unknown or repeated option 'ecc=on' (path=FILE,size=SIZE)" \
		la-vmrun --explain --pstore "path=$p,size=1M,ecc=on" "$PROBE"
	fails 2 "la-vmrun: --pstore: 'path=$p,size=1M': one pstore only ('path=$p,size=1M' given already)" \
		la-vmrun --explain --pstore "path=$p,size=1M" --pstore "path=$p,size=1M" "$PROBE"
}

@test "la-vmrun: --pstore refuses a file of another size and a directory; --explain makes no file" {
	run la-vmrun --explain --pstore "path=$tmp/new,size=64K" "$PROBE"
	assert_success
	[ ! -e "$tmp/new" ]
	truncate -s 8K "$tmp/small"
	fails 2 "la-vmrun: --pstore: '$tmp/small': is 8192 bytes, not size=65536: give the size it has, or another file" \
		la-vmrun --explain --pstore "path=$tmp/small,size=64K" "$PROBE"
	mkdir "$tmp/dir"
	fails 2 "la-vmrun: --pstore: '$tmp/dir': not a regular file" \
		la-vmrun --explain --pstore "path=$tmp/dir,size=64K" "$PROBE"
	# a file of the right size (or an empty one) is taken as it is
	truncate -s 64K "$tmp/right"
	run la-vmrun --explain --pstore "path=$tmp/right,size=64K" "$PROBE"
	assert_success
}

@test "la-vmrun: --pstore is the reserved region at the start of high MMIO, as la-alloc --pstore has it, on every arch" {
	local arch
	for arch in x86_64 aarch64 riscv64; do
		la-alloc --arch $arch --platform --pstore 1M | grants_of '^pstore' >"$tmp/alloc"
		la-vmrun --arch $arch --explain --no-pvpanic --pstore "path=$tmp/p,size=1M" \
			"$(kernel $arch)" | grants_of '^pstore' >"$tmp/explain"
		[ -s "$tmp/explain" ] || fail "$arch: no pstore grant"
		run diff "$tmp/alloc" "$tmp/explain"
		assert_success
	done
	# x86_64, 256M: high MMIO starts after the VCFG window, at 0x108000000
	run la-vmrun --explain --pstore "path=$tmp/p,size=1M" "$PROBE"
	assert_line --regexp '^  pstore\.ramoops +reserve +0x0000000108000000-0x00000001080fffff ramoops \(pstore\)$'
	# PC00._CRS's high window (the --explain row high-mmio) starts after it
	assert_line --regexp '^  high-mmio +mmio +0x0000000108100000-'
	run la-vmrun --explain --json --pstore "path=$tmp/p,size=1M" "$PROBE"
	assert_success
	run jq -c '.grants[] | select(.name == "pstore.ramoops") | [.kind, .start_hex, .size_hex]' <<<"$output"
	assert_output '["reserve","0x108000000","0x100000"]'
	# too large for high MMIO
	fails 2 "la-vmrun: --pstore: 'path=$tmp/p,size=1T': $(la-alloc --arch riscv64 --phys-bits 36 --pstore 1T 2>&1 >/dev/null | sed 's/.*: //')" \
		la-vmrun --arch riscv64 --phys-bits 36 --explain --pstore "path=$tmp/p,size=1T" "$tmp/rv"
}

@test "la-vmrun: --pstore puts ramoops.mem_address and mem_size on the command line, after the user's (riscv64: first)" {
	run la-vmrun --explain -p quiet --pstore "path=$tmp/p,size=1M" "$PROBE"
	assert_success
	assert_output --partial "panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0 quiet ramoops.mem_address=0x108000000 ramoops.mem_size=0x100000"
	la-vmrun --arch aarch64 --explain -p quiet --pstore "path=$tmp/p,size=64K" \
		--dump-fdt "$tmp/a.dtb" "$tmp/Image" >/dev/null
	run fdtget "$tmp/a.dtb" /chosen bootargs
	assert_output "panic=-1 console=ttyS0 earlycon=uart8250,mmio,0x3f8 quiet ramoops.mem_address=0xd0000000 ramoops.mem_size=0x10000"
	# crosvm describes the region on the command line only: no reserved-memory node
	run fdtget -l "$tmp/a.dtb" /reserved-memory
	assert_failure
	la-vmrun --arch riscv64 --explain -p quiet --pstore "path=$tmp/p,size=64K" \
		--dump-fdt "$tmp/r.dtb" "$tmp/rv" >/dev/null
	run fdtget "$tmp/r.dtb" /chosen bootargs
	assert_output --regexp '^panic=-1 ramoops\.mem_address=0x[0-9a-f]+ ramoops\.mem_size=0x10000 console=ttyS0 earlycon=uart8250,mmio,0x3f8 quiet$'
	local rv
	rv=$(la-alloc --arch riscv64 --platform --pstore 64K --json |
		jq -r '.grants[] | select(.name == "pstore.ramoops") | .start_hex')
	assert_output --partial "ramoops.mem_address=$rv "
}

@test "la-vmrun: with --pstore the aarch64 and riscv64 PCI ranges' high window starts after it, as crosvm's mmio_pools" {
	la-vmrun --arch aarch64 --explain --seed 1 --dump-fdt "$tmp/a.dtb" "$tmp/Image" >/dev/null
	run fdtget -t x "$tmp/a.dtb" /pci ranges
	assert_output --partial "43000000 0 d0000000 0 d0000000 ff 30000000"
	la-vmrun --arch aarch64 --explain --seed 1 --pstore "path=$tmp/p,size=1M" \
		--dump-fdt "$tmp/a.dtb" "$tmp/Image" >/dev/null
	run fdtget -t x "$tmp/a.dtb" /pci ranges
	assert_output --partial "43000000 0 d0100000 0 d0100000 ff 2ff00000"
	la-vmrun --arch riscv64 --explain --seed 1 --pstore "path=$tmp/p,size=1M" \
		--dump-fdt "$tmp/r.dtb" "$tmp/rv" >/dev/null
	run fdtget -t x "$tmp/r.dtb" /pci ranges
	assert_output --partial "3000000 0 90100000 0 90100000 ffff 6ff00000"
}

@test "la-vmrun: pvpanic is on by default, last of the PCI devices, with la-alloc --device pvpanic's grants on every arch" {
	local arch
	for arch in x86_64 aarch64 riscv64; do
		la-alloc --arch $arch --platform --device virtio-rng --device pvpanic |
			grants_of '^(pvpanic|virtio)' >"$tmp/alloc"
		la-vmrun --arch $arch --explain "$(kernel $arch)" |
			grants_of '^(pvpanic|virtio)' >"$tmp/explain"
		run diff "$tmp/alloc" "$tmp/explain"
		assert_success
		run grep -c '^pvpanic\.' "$tmp/explain"
		assert_output 3
		la-vmrun --arch $arch --explain --no-pvpanic "$(kernel $arch)" |
			grants_of '^pvpanic' >"$tmp/none" || true
		[ ! -s "$tmp/none" ] || fail "$arch: --no-pvpanic still has $(cat "$tmp/none")"
	done
	run la-vmrun --explain "$PROBE"
	assert_line --regexp '^  pvpanic\.slot +pci +00:02\.0 +pvpanic$'
	assert_line --regexp '^  pvpanic\.bar0 +mmio +0x00000000d0008000-0x00000000d000800f pvpanic register BAR$'
	assert_line --regexp '^  pvpanic\.intx +irq +10 +pvpanic INTx$'
	run la-vmrun --explain --json "$PROBE"
	run jq -c '[.grants[] | select(.name | startswith("pvpanic")) | .kind]' <<<"$output"
	assert_output '["pci","mmio","irq"]'
	# the last --pvpanic or --no-pvpanic counts
	run la-vmrun --explain --no-pvpanic --pvpanic "$PROBE"
	assert_line --regexp '^  pvpanic\.slot '
}

@test "la-alloc: --device pvpanic is a PCI slot, a 16-byte BAR 0 from low MMIO and an INTx on every arch" {
	local arch
	for arch in x86_64 aarch64 riscv64; do
		run la-alloc --arch $arch --device pvpanic --json
		assert_success
		run jq -c '[.grants[] | select(.name | startswith("pvpanic")) | [.name, .kind, .size // .value // .dev]]' <<<"$output"
		assert_output --regexp '^\[\["pvpanic.slot","pci",1\],\["pvpanic.bar0","mmio",16\],\["pvpanic.intx","irq",[0-9]+\]\]$'
	done
}

@test "la-vmrun: pvpanic's INTA is in the aarch64 and riscv64 interrupt-map, as la-mkfdt --device pvpanic writes it" {
	local arch
	for arch in aarch64 riscv64; do
		la-vmrun --arch $arch --explain --seed 3 --dump-fdt "$tmp/v.dtb" "$(kernel $arch)" >/dev/null
		la-vmrun --arch $arch --explain --seed 3 --no-pvpanic --dump-fdt "$tmp/n.dtb" \
			"$(kernel $arch)" >/dev/null
		la-mkfdt --arch $arch --seed 3 --earlycon 1 --device virtio-rng --device pvpanic \
			--kernel "$(kernel $arch)" -o "$tmp/m.dtb"
		cmp "$tmp/v.dtb" "$tmp/m.dtb"
		# one entry more than without it: device 2 (0x1000 = 2 << 11), INTA
		[ "$(fdtget -t x "$tmp/v.dtb" /pci interrupt-map | wc -w)" -gt \
			"$(fdtget -t x "$tmp/n.dtb" /pci interrupt-map | wc -w)" ]
		run fdtget -t x "$tmp/v.dtb" /pci interrupt-map
		assert_output --regexp '(^| )1000 0 0 1 '
	done
}
