#!/usr/bin/env bats
# la-layout: the guest memory layout of each arch, as crosvm computes it.

setup() {
	load helpers
	BIOS=$BATS_TEST_TMPDIR/bios.bin
	head -c 65536 /dev/zero >"$BIOS"
}

# --- golden outputs: text and JSON ---------------------------------------

@test "la-layout: x86_64 golden layouts at 512M, 2G, 4G and 8G" {
	for m in 512M 2G 4G 8G; do
		golden layout/x86_64-$m.txt la-layout --arch x86_64 --mem $m
		golden layout/x86_64-$m.json la-layout --arch x86_64 --mem $m --json
	done
}

@test "la-layout: x86_64 golden layouts with a 64 KiB --bios" {
	for m in 512M 2G 4G 8G; do
		golden layout/x86_64-$m-bios.txt la-layout --arch x86_64 --mem $m --bios "$BIOS"
		golden layout/x86_64-$m-bios.json la-layout --arch x86_64 --mem $m --bios "$BIOS" --json
	done
}

@test "la-layout: aarch64 and riscv64 golden layouts at 1G and 4G" {
	for a in aarch64 riscv64; do
		for m in 1G 4G; do
			golden layout/$a-$m.txt la-layout --arch $a --mem $m
			golden layout/$a-$m.json la-layout --arch $a --mem $m --json
		done
	done
}

@test "la-layout: golden pVM firmware layouts (x86_64 4G, aarch64 1G)" {
	golden layout/x86_64-4G-protected.json la-layout --arch x86_64 --mem 4G --protection protected --json
	golden layout/aarch64-1G-protected.txt la-layout --arch aarch64 --mem 1G --protection protected
	golden layout/aarch64-1G-protected.json la-layout --arch aarch64 --mem 1G --protection protected --json
}

@test "la-layout: golden static swiotlb layout (aarch64 1G, 64M)" {
	golden layout/aarch64-1G-static-swiotlb.txt la-layout --arch aarch64 --mem 1G --swiotlb 64M --static-swiotlb
	golden layout/aarch64-1G-static-swiotlb.json la-layout --arch aarch64 --mem 1G --swiotlb 64M --static-swiotlb --json
}

# --- x86_64 rules (spec 3.2, 3.3) -----------------------------------------

regions() { jq -c '[.regions[] | [.start, .size, .purpose]]'; }

@test "la-layout: x86_64 512M is 640K RAM, 384K reserved, RAM from 1M to 512M" {
	run bash -c "la-layout --arch x86_64 --mem 512M --json | jq -c '[.regions[] | [.start, .size, .purpose]]'"
	assert_success
	assert_output '[[0,655360,"guest-memory"],[655360,393216,"reserved"],[1048576,535822336,"guest-memory"]]'
}

@test "la-layout: 8G on x86_64 splits RAM around the PCI hole" {
	run bash -c "la-layout --arch x86_64 --mem 8G --json | jq -r '.regions[] | \"\(.start) \(.size)\"'"
	assert_success
	# 0x100000 + 0xcff00000 below 4G, 0x130000000 from 4G: 8 GiB in all
	assert_line --index 2 "1048576 3488612352"
	assert_line --index 3 "4294967296 5100273664"
}

@test "la-layout: x86_64 default PCI windows: ECAM 0xf4000000-0xf7ffffff inside low MMIO 0xd0000000-0xf7ffffff" {
	run bash -c "la-layout --arch x86_64 --json | jq -c '.pci | map_values(del(.kind, .size, .start_hex, .end_hex, .size_hex))'"
	assert_output '{"config":{"start":4093640704,"end":4160749567},"low_mmio":{"start":3489660928,"end":4160749567}}'
}

@test "la-layout: x86_64 memory counts the first MiB (guest RAM = mem - 384 KiB)" {
	run bash -c "la-layout --arch x86_64 --mem 2G --json | jq '[.regions[] | select(.purpose == \"guest-memory\") | .size] | add'"
	assert_output $((2 * 1024 * 1024 * 1024 - 384 * 1024))
}

@test "la-layout: --bios adds a BIOS region ending at 4 GiB" {
	run bash -c "la-layout --arch x86_64 --bios '$BIOS' --json | jq -c '.regions[] | select(.purpose == \"bios\") | del(.end, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":4294901760,"size":65536,"purpose":"bios","align":0}'
	run la-layout --arch x86_64 --bios "$BIOS"
	assert_line --partial "reset_vector                 0xfffffff0"
}

@test "la-layout: --pci-ecam START,SIZE moves ECAM and the low MMIO window with it" {
	run bash -c "la-layout --arch x86_64 --pci-ecam 0xc0000000,256M --json | jq -c '.pci | map_values(del(.kind, .size, .start_hex, .end_hex, .size_hex))'"
	assert_success
	assert_output '{"config":{"start":3221225472,"end":3489660927},"low_mmio":{"start":3221225472,"end":4160749567}}'
}

@test "la-layout: --pci-ecam caps the size at 256 MiB" {
	run bash -c "la-layout --arch x86_64 --pci-ecam 0xe0000000,1G --json | jq -c '.pci.config | del(.kind, .size, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":3758096384,"end":4026531839}'
}

@test "la-layout: --pci-ecam START alone runs to 0xf7ffffff" {
	run bash -c "la-layout --arch x86_64 --pci-ecam 0xf0000000 --json | jq -c '.pci.config | del(.kind, .size, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":4026531840,"end":4160749567}'
}

@test "la-layout: --pci-mem START,SIZE sets the low MMIO window and where RAM below 4G stops" {
	run bash -c "la-layout --arch x86_64 --mem 4G --pci-mem 0xc0000000,512M --json | jq -c '(.pci.low_mmio | del(.kind, .size, .start_hex, .end_hex, .size_hex)), (.regions[2], .regions[3] | del(.end, .start_hex, .end_hex, .size_hex))'"
	assert_success
	assert_line --index 0 '{"start":3221225472,"end":3758096383}'
	assert_line --index 1 '{"start":1048576,"size":3220176896,"purpose":"guest-memory","align":0}'
	assert_line --index 2 '{"start":4294967296,"size":1073741824,"purpose":"guest-memory","align":0}'
}

@test "la-layout: x86_64 pVM firmware is carved out of RAM at 0x7fc00000" {
	run bash -c "la-layout --arch x86_64 --mem 4G --protection protected-with-custom-firmware --json | jq -c '[.regions[] | [.start, .size, .purpose]]'"
	assert_success
	assert_output '[[0,655360,"guest-memory"],[655360,393216,"reserved"],[1048576,2142240768,"guest-memory"],[2143289344,4194304,"protected-firmware"],[2147483648,1342177280,"guest-memory"],[4294967296,805306368,"guest-memory"]]'
}

@test "la-layout: unprotected-with-firmware also adds the pVM firmware window" {
	run bash -c "la-layout --arch x86_64 --protection unprotected-with-firmware --json | jq -c '.pvm_firmware | del(.kind, .size, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":2143289344,"end":2147483647}'
}

@test "la-layout: x86_64 fixed boot addresses" {
	run bash -c "la-layout --arch x86_64 --json | jq -c '.boot | [.zero_page, .cmdline, .kernel, .setup_data_start, .setup_data_end, .mptable, .acpi_rsdp, .smbios, .identity_map, .tss]'"
	assert_output '[28672,131072,2097152,133120,649216,649216,917504,983040,4278173696,4278177792]'
}

# --- aarch64 and riscv64 (spec 4.2, 4.3, 5.2) ----------------------------

@test "la-layout: aarch64 --mem 4G: RAM at 2 GiB, CAM 0x10000+16M, PCI mem 0x2000000+32M, FDT at the end" {
	run la-layout --arch aarch64 --mem 4G
	assert_success
	assert_line "  0x0000000080000000 0x000000017fffffff      4 GiB  guest-memory (host mapping aligned to 2 MiB)"
	assert_line --partial "pci cam                0x0000000000010000-0x000000000100ffff     16 MiB"
	assert_line --partial "pci mem                0x0000000002000000-0x0000000003ffffff     32 MiB"
	assert_line --partial "fdt_address                  0x17fe00000"
}

@test "la-layout: aarch64 --fdt-position start moves the payload 2 MiB up" {
	run bash -c "la-layout --arch aarch64 --fdt-position start --json | jq -c '[.boot.fdt_position, .boot.fdt_address, .boot.payload_address]'"
	assert_output '["start",2147483648,2149580800]'
}

@test "la-layout: aarch64 --bios defaults the FDT to the start of RAM" {
	run bash -c "la-layout --arch aarch64 --bios '$BIOS' --json | jq -c '[.boot.fdt_position, (.regions | length)]'"
	assert_output '["start",1]'
}

@test "la-layout: aarch64 --fdt-position after-payload is a rule, not an address" {
	run bash -c "la-layout --arch aarch64 --fdt-position after-payload --json | jq -c '.boot.fdt_address'"
	assert_output '"after-payload"'
}

@test "la-layout: aarch64 --pci-cam and --pci-mem move the windows" {
	run bash -c "la-layout --arch aarch64 --pci-cam 0x20000000,16M --pci-mem 0x30000000 --json | jq -c '.pci | map_values(del(.kind, .size, .start_hex, .end_hex, .size_hex))'"
	assert_output '{"config":{"start":536870912,"end":553648127},"low_mmio":{"start":805306368,"end":838860799}}'
}

@test "la-layout: aarch64 pVM firmware sits below RAM, sorted first" {
	run bash -c "la-layout --arch aarch64 --mem 1G --protection protected --json | jq -c '[.regions[] | .purpose]'"
	assert_output '["protected-firmware","guest-memory"]'
}

@test "la-layout: aarch64 --swiotlb without --static-swiotlb keeps RAM whole" {
	run bash -c "la-layout --arch aarch64 --mem 1G --swiotlb 64M --json | jq -c '[.regions[] | [.start, .size]]'"
	assert_output '[[2147483648,1073741824]]'
}

@test "la-layout: aarch64 --static-swiotlb carves the pool from the end of RAM and moves the FDT below it" {
	run bash -c "la-layout --arch aarch64 --mem 1G --swiotlb 64M --static-swiotlb --json | jq -c '[.regions[] | [.start, .size, .purpose]], .boot.fdt_address'"
	assert_line --index 0 '[[2147483648,1006632960,"guest-memory"],[3154116608,67108864,"static-swiotlb"]]'
	assert_line --index 1 "$((0xbbe00000))"
}

@test "la-layout: a protected aarch64 VM has a 64M swiotlb by default" {
	run bash -c "la-layout --arch aarch64 --mem 1G --protection protected --static-swiotlb --json | jq -c '.regions[-1] | del(.end, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":3154116608,"size":67108864,"purpose":"static-swiotlb","align":0}'
}

@test "la-layout: riscv64: one RAM region at 2 GiB, kernel at 0x80200000, CAM fixed" {
	run bash -c "la-layout --arch riscv64 --mem 1G --json | jq -c '.regions, .pci, .boot.kernel, .boot.fdt_max_size, .boot.cmdline_max_size'"
	assert_line --index 0 '[{"start":2147483648,"end":3221225471,"size":1073741824,"start_hex":"0x80000000","end_hex":"0xbfffffff","size_hex":"0x40000000","purpose":"guest-memory","align":0}]'
	assert_line --index 1 '{"config":{"kind":"cam","start":65536,"end":16842751,"size":16777216,"start_hex":"0x10000","end_hex":"0x100ffff","size_hex":"0x1000000"}}'
	assert_line --index 2 2149580800
	assert_line --index 3 65536
	assert_line --index 4 1024
}

@test "la-layout: riscv64 accepts --fdt-position after-payload" {
	run la-layout --arch riscv64 --fdt-position after-payload
	assert_success
}

@test "la-layout: --cpus sizes the aarch64 GICv3 redistributors and the riscv64 APLIC address" {
	run bash -c "la-layout --arch aarch64 --cpus 4 --json | jq .boot.gic_redist"
	assert_output $((0x3fff0000 - 4 * 0x20000))
	run bash -c "la-layout --arch riscv64 --cpus 4 --json | jq .boot.aia_aplic"
	assert_output $((0x8000000 + 4 * 0x1000))
}

# --- defaults and options ------------------------------------------------

@test "la-layout: defaults are the host arch, 256M and 1 vCPU" {
	host=$(la_host_arch)
	run bash -c "la-layout --json | jq -c '[.arch, .memory_size, .cpus]'"
	assert_output "[\"$host\",268435456,1]"
}

@test "la-layout: --mem takes a bare number as MiB (as QEMU, lkvm, crosvm), 0x hex bytes and K/M/G/T(iB)" {
	for m in 1024 0x40000000 1048576K 1024M 1G 1GiB 1gib 1024MiB 1.0G 1.000G; do
		run bash -c "la-layout --arch riscv64 --mem $m --json | jq .memory_size"
		assert_output 1073741824
	done
	run bash -c "la-layout --arch riscv64 --mem 1T --json | jq .memory_size"
	assert_output $((1 << 40))
	# -m is --mem, -c is --cpus (the peers' short options)
	run bash -c "la-layout --arch riscv64 -m 512 -c 3 --json | jq -c '[.memory_size, .cpus]'"
	assert_output "[$((512 << 20)),3]"
	# a bare number past 2^64 once in MiB is out of range, not wrapped
	run --separate-stderr la-layout --arch riscv64 --mem 17592186044416
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '17592186044416' is too large (more than 2^64-1)"
}

@test "la-layout: a decimal fraction of a unit is taken when it is whole bytes (1.5G)" {
	local m want
	for m in 1.5G:1610612736 0.25t:274877906944 4.5M:4718592 1.125g:1207959552; do
		want=${m#*:} m=${m%%:*}
		run bash -c "la-layout --arch riscv64 --mem $m --json | jq .memory_size"
		assert_output "$want"
	done
}

@test "la-layout: other sizes than --mem stay bytes when bare" {
	run bash -c "la-layout --arch aarch64 --pci-mem 33554432,33554432 --json | jq -c '.pci.low_mmio | del(.kind, .size, .start_hex, .end_hex, .size_hex)'"
	assert_output '{"start":33554432,"end":67108863}'
}

@test "la-layout: --json: one range shape (start, end, size, and each as 0x strings), a schema, the same keys on every arch" {
	local a
	for a in x86_64 aarch64 riscv64; do
		run bash -c "la-layout --arch $a --mem 4G --json | jq -c '[.schema, (.pci | keys), ([.regions[], .pci[] | (.end - .start + 1 == .size) and (.start_hex | ltrimstr(\"0x\")) != .start_hex] | all), ([.regions[], .pci[]] | map(keys - [\"kind\", \"purpose\", \"align\"]) | unique)]'"
		assert_success
		case $a in
		riscv64) assert_output '["la-layout/1",["config"],true,[["end","end_hex","size","size_hex","start","start_hex"]]]' ;;
		*) assert_output '["la-layout/1",["config","low_mmio"],true,[["end","end_hex","size","size_hex","start","start_hex"]]]' ;;
		esac
	done
	# the hex strings are exact where a double is not: 2^64 - 4096
	run bash -c "la-alloc --pool 0-0xffffffffffffffff --alloc a=0x1000,reverse --json | jq -r '.grants[0].start_hex, .grants[0].end_hex, .config.pools[0].size_hex'"
	assert_output $'0xfffffffffffff000\n0xffffffffffffffff\n0x10000000000000000'
}

@test "la-layout: --json regions are sorted by start and numbers are integers" {
	run bash -c "la-layout --arch x86_64 --mem 8G --bios '$BIOS' --protection protected --json | jq -e '[.regions[].start] as \$s | (\$s == (\$s | sort)) and ([.. | numbers] | all(. == floor))'"
	assert_success
	assert_output true
}

@test "la-layout: --help lists every option of the man page" {
	run la-layout --help
	assert_success
	for o in --arch --mem --cpus --pci-ecam --pci-cam --pci-mem --bios --protection --phys-bits \
		--swiotlb --static-swiotlb --fdt-position --json; do
		assert_output --partial -- "$o"
		grep -q -- "${o//-/\\\\-}" "$LA_TOP/man/la-layout.1" || fail "man page lacks $o"
	done
}

@test "la-layout: --version names the program" {
	run la-layout --version
	assert_success
	assert_output --regexp '^la-layout [0-9]+\.[0-9]+'
}

# --- errors: one line naming option, value and reason --------------------


@test "la-layout: --mem '4Q' is not a size (exit 2)" {
	run --separate-stderr la-layout --mem 4Q
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '4Q' is not a size (use K, M, G or T)"
	assert_output ""
}

@test "la-layout: sizes that are not whole bytes, signs, spaces, units like GB and empty sizes are refused" {
	for m in 1.3K 1.5 0x1.5G 1.G .5G 1.0000000001G -1 " 1G" 4GB 4GiBB 4Gi "" 0x G 12abc; do
		run --separate-stderr la-layout --arch riscv64 --mem "$m"
		assert_failure 2
		assert_equal "$stderr" "la-layout: --mem: '$m' is not a size (use K, M, G or T)"
	done
}

@test "la-layout: a size above 2^64-1 is refused, not wrapped" {
	run --separate-stderr la-layout --mem 18446744073709551616
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '18446744073709551616' is too large (more than 2^64-1)"
	run --separate-stderr la-layout --mem 16777216T
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '16777216T' is too large (more than 2^64-1)"
}

@test "la-layout: --mem 0 is too small" {
	run --separate-stderr la-layout --arch aarch64 --mem 0
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '0': memory too small for this architecture (aarch64)"
}

@test "la-layout: x86_64 needs more than 1 MiB" {
	run --separate-stderr la-layout --arch x86_64 --mem 1M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '1M': memory too small for this architecture (x86_64)"
	run la-layout --arch x86_64 --mem 1028K
	assert_success
}

@test "la-layout: aarch64 needs 2 MiB for the FDT, riscv64 4 MiB + 64 KiB" {
	run --separate-stderr la-layout --arch aarch64 --mem 1M
	assert_failure 2
	run la-layout --arch aarch64 --mem 2M
	assert_success
	run --separate-stderr la-layout --arch riscv64 --mem 4M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '4M': memory too small for this architecture (riscv64)"
	run la-layout --arch riscv64 --mem 4160K
	assert_success
}

@test "la-layout: memory must be a multiple of 4 KiB" {
	run --separate-stderr la-layout --arch x86_64 --mem 0x100001000001
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '0x100001000001': memory size is not a multiple of the 4 KiB page size (x86_64)"
}

@test "la-layout: memory that does not fit the address space is refused" {
	run --separate-stderr la-layout --arch x86_64 --mem 64T
	assert_failure 2
	assert_equal "$stderr" "la-layout: --mem: '64T': memory does not fit the architecture's address space (x86_64)"
	run --separate-stderr la-layout --arch aarch64 --mem 256T
	assert_failure 2
	run --separate-stderr la-layout --arch riscv64 --mem 256T
	assert_failure 2
	run la-layout --arch riscv64 --mem 254T
	assert_success
}

@test "la-layout: unknown --arch is refused" {
	run --separate-stderr la-layout --arch sparc64
	assert_failure 2
	assert_equal "$stderr" "la-layout: --arch: 'sparc64': unknown architecture (use x86_64, aarch64 or riscv64)"
}

@test "la-layout: --arch accepts the Debian names amd64 and arm64" {
	run bash -c "la-layout --arch amd64 --json | jq -r .arch; la-layout --arch arm64 --json | jq -r .arch"
	assert_output $'x86_64\naarch64'
}

@test "la-layout: --cpus must be 1 to the arch's maximum" {
	run --separate-stderr la-layout --arch x86_64 --cpus 0
	assert_failure 2
	assert_equal "$stderr" "la-layout: --cpus: '0': x86_64 has 1 to 254 vCPUs"
	run --separate-stderr la-layout --arch x86_64 --cpus 255
	assert_failure 2
	run --separate-stderr la-layout --arch riscv64 --cpus 253
	assert_failure 2
	run --separate-stderr la-layout --cpus two
	assert_failure 2
	assert_equal "$stderr" "la-layout: --cpus: 'two' is not a whole number"
}

@test "la-layout: --pci-ecam must be 1 MiB aligned and a multiple of its size" {
	run --separate-stderr la-layout --arch x86_64 --pci-ecam 0xf4100000,64M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-ecam: '0xf4100000,64M': PCI ECAM start must be a multiple of 1 MiB and of the window size (x86_64)"
	run --separate-stderr la-layout --arch x86_64 --pci-ecam 0xf0080000
	assert_failure 2
	# START alone: a misaligned start is blamed, not the size that follows from it
	for a in 0xf0080000 0xf4000001; do
		run --separate-stderr la-layout --arch x86_64 --pci-ecam $a
		assert_failure 2
		assert_equal "$stderr" "la-layout: --pci-ecam: '$a': PCI ECAM start must be a multiple of 1 MiB and of the window size (x86_64)"
	done
}

@test "la-layout: --pci-ecam size must be a non-zero multiple of 1 MiB" {
	for s in 0 512K 0x180000; do
		run --separate-stderr la-layout --arch x86_64 --pci-ecam 0xf0000000,$s
		assert_failure 2
		assert_equal "$stderr" "la-layout: --pci-ecam: '0xf0000000,$s': PCI ECAM size must be a non-zero multiple of 1 MiB (x86_64)"
	done
}

@test "la-layout: --pci-ecam must end below 4 GiB" {
	run --separate-stderr la-layout --arch x86_64 --pci-ecam 0x100000000,64M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-ecam: '0x100000000,64M': PCI ECAM window must end below 4 GiB (x86_64)"
	run --separate-stderr la-layout --arch x86_64 --pci-ecam 0xf8000000
	assert_failure 2
}

@test "la-layout: --pci-cam size must be exactly 16 MiB" {
	run --separate-stderr la-layout --arch aarch64 --pci-cam 0x10000,8M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-cam: '0x10000,8M': PCI CAM size must be exactly 16 MiB (aarch64)"
}

@test "la-layout: --pci-cam at or above 2 GiB is refused" {
	run --separate-stderr la-layout --arch aarch64 --pci-cam 0x7f100000
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-cam: '0x7f100000': PCI CAM window must end below 2 GiB (aarch64)"
	run --separate-stderr la-layout --arch aarch64 --pci-cam 0xfffffffffff00000
	assert_failure 2
	run la-layout --arch aarch64 --pci-cam 0x7f000000
	assert_success
}

@test "la-layout: --pci-mem that is empty or overflows is refused" {
	run --separate-stderr la-layout --arch aarch64 --pci-mem 0xffffffffffff0000,1M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-mem: '0xffffffffffff0000,1M': PCI memory window is empty or overflows the address space (aarch64)"
	run --separate-stderr la-layout --arch x86_64 --pci-mem 0xc0000000,0
	assert_failure 2
}

@test "la-layout: x86_64 --pci-mem must lie between 1 MiB and 4 GiB" {
	run --separate-stderr la-layout --arch x86_64 --pci-mem 0x80000,1M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-mem: '0x80000,1M': PCI memory window below 4 GiB must start at or above 1 MiB and end below 4 GiB (x86_64)"
	run --separate-stderr la-layout --arch x86_64 --pci-mem 0xf0000000,1G
	assert_failure 2
}

@test "la-layout: a PCI window over the pVM firmware is refused" {
	run --separate-stderr la-layout --arch x86_64 --protection protected --pci-mem 0x70000000,512M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --protection: 'protected': PCI memory window overlaps the pVM firmware region (x86_64)"
	run la-layout --arch x86_64 --pci-mem 0x70000000,512M
	assert_success
}

@test "la-layout: riscv64 rejects --pci-mem, as crosvm does" {
	run --separate-stderr la-layout --arch riscv64 --pci-mem 0x3000000,1M
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-mem: '0x3000000,1M': not supported on riscv64"
}

@test "la-layout: options of other arches are refused by name" {
	run --separate-stderr la-layout --arch aarch64 --pci-ecam 0xf4000000
	assert_failure 2
	assert_equal "$stderr" "la-layout: --pci-ecam: '0xf4000000': not supported on aarch64"
	run --separate-stderr la-layout --arch x86_64 --pci-cam 0x10000
	assert_failure 2
	run --separate-stderr la-layout --arch x86_64 --fdt-position end
	assert_failure 2
	assert_equal "$stderr" "la-layout: --fdt-position: 'end': not supported on x86_64"
	run --separate-stderr la-layout --arch x86_64 --swiotlb 64M
	assert_failure 2
	run --separate-stderr la-layout --arch riscv64 --protection protected
	assert_failure 2
	assert_equal "$stderr" "la-layout: --protection: 'protected': not supported on riscv64"
	run --separate-stderr la-layout --arch riscv64 --bios "$BIOS"
	assert_failure 2
}

@test "la-layout: --arch after the options it governs still applies" {
	run --separate-stderr la-layout --pci-ecam 0xf4000000 --arch aarch64
	assert_failure 2
	run la-layout --pci-cam 0x10000 --arch aarch64
	assert_success
}

@test "la-layout: riscv64 --fdt-position other than after-payload is refused" {
	run --separate-stderr la-layout --arch riscv64 --fdt-position end
	assert_failure 2
	assert_equal "$stderr" "la-layout: --fdt-position: 'end': FDT position not supported on this architecture (riscv64)"
	run --separate-stderr la-layout --arch aarch64 --fdt-position middle
	assert_failure 2
	assert_equal "$stderr" "la-layout: --fdt-position: 'middle' is not start, end or after-payload"
}

@test "la-layout: --protection takes the four crosvm modes only" {
	run --separate-stderr la-layout --arch x86_64 --protection secret
	assert_failure 2
	assert_equal "$stderr" "la-layout: --protection: 'secret' is not unprotected, protected, protected-with-custom-firmware or unprotected-with-firmware"
}

@test "la-layout: --swiotlb must be a 64 KiB multiple smaller than memory" {
	for s in 1000 0 1G 2G; do
		run --separate-stderr la-layout --arch aarch64 --mem 1G --swiotlb $s
		assert_failure 2
		assert_equal "$stderr" "la-layout: --swiotlb: '$s': swiotlb must be a non-zero multiple of 64 KiB, smaller than memory (aarch64)"
	done
}

@test "la-layout: --static-swiotlb needs a swiotlb size" {
	run --separate-stderr la-layout --arch aarch64 --static-swiotlb
	assert_failure 2
	assert_equal "$stderr" "la-layout: --static-swiotlb: needs --swiotlb SIZE (or a protected VM, whose default is 64M)"
}

@test "la-layout: --static-swiotlb needs 64 KiB aligned main memory" {
	run --separate-stderr la-layout --arch aarch64 --mem 0x40001000 --swiotlb 64M --static-swiotlb
	assert_failure 2
}

@test "la-layout: --bios that cannot be read exits 1 with the reason" {
	run --separate-stderr la-layout --arch x86_64 --bios /nonexistent/bios.bin
	assert_failure 1
	assert_equal "$stderr" "la-layout: --bios: '/nonexistent/bios.bin': No such file or directory"
	run --separate-stderr la-layout --arch x86_64 --bios /
	assert_failure 1
	assert_equal "$stderr" "la-layout: --bios: '/': not a regular file"
}

@test "la-layout: --bios must be a non-zero 4 KiB multiple of at most 16 MiB" {
	: >"$BATS_TEST_TMPDIR/empty.bin"
	head -c 1000 /dev/zero >"$BATS_TEST_TMPDIR/odd.bin"
	truncate -s 17M "$BATS_TEST_TMPDIR/big.bin"
	for f in empty odd big; do
		run --separate-stderr la-layout --arch x86_64 --bios "$BATS_TEST_TMPDIR/$f.bin"
		assert_failure 2
		assert_equal "$stderr" "la-layout: --bios: '$BATS_TEST_TMPDIR/$f.bin': BIOS image must be a non-zero multiple of 4 KiB, at most 16 MiB (x86_64)"
	done
}

@test "la-layout: unknown options and stray arguments are usage errors" {
	run --separate-stderr la-layout --bogus
	assert_failure 2
	run --separate-stderr la-layout extra
	assert_failure 2
	assert_equal "$stderr" "la-layout: unexpected argument 'extra'"
}

@test "la-layout: a full standard output is an error, not silent truncation" {
	[ -e /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c "la-layout --arch x86_64 >/dev/full"
	assert_failure 1
	assert_equal "$stderr" "la-layout: standard output: No space left on device"
}

@test "la-layout: --phys-bits checks the allocator's address space (aarch64: RAM + 1 GiB platform MMIO)" {
	run la-layout --arch aarch64 --mem 1G --phys-bits 32
	assert_success
	run --separate-stderr la-layout --arch aarch64 --mem 4G --phys-bits 32
	assert_failure 2
	assert_equal "$stderr" "la-layout: --phys-bits: '32': guest physical address space too small for memory and platform MMIO (aarch64, 4G of memory)"
	run --separate-stderr la-layout --arch aarch64 --phys-bits 31
	assert_failure 2
	assert_equal "$stderr" "la-layout: --phys-bits: '31' is not a number from 32 to 64"
}
