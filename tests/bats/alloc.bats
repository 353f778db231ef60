#!/usr/bin/env bats
# la-alloc: crosvm's system allocator, per arch, and the requests made of it.

setup() {
	load alloc_helpers
}

X86="la-alloc --arch x86_64 --phys-bits 46"
ARM="la-alloc --arch aarch64 --phys-bits 40"
RV="la-alloc --arch riscv64 --phys-bits 48"

# --- golden outputs: the 'Done when' commands, text and JSON ---------------

@test "la-alloc: x86_64 8G golden: low MMIO with the ECAM window reserved, high MMIO after VCFG" {
	golden alloc/x86_64-8G.json la-alloc --arch x86_64 --mem 8G --phys-bits 46 --json
	golden alloc/x86_64-8G.txt la-alloc --arch x86_64 --mem 8G --phys-bits 46
}

@test "la-alloc: aarch64 2G golden with virtio-blk and virtio-net" {
	golden alloc/aarch64-2G-blk-net.txt la-alloc --arch aarch64 --mem 2G --phys-bits 40 \
		--device virtio-blk --device virtio-net
	golden alloc/aarch64-2G-blk-net.json la-alloc --arch aarch64 --mem 2G --phys-bits 40 \
		--device virtio-blk --device virtio-net --json
}

@test "la-alloc: riscv64 1G golden with a serial port and virtio-rng" {
	golden alloc/riscv64-1G-serial-rng.json la-alloc --arch riscv64 --mem 1G \
		--phys-bits 48 --device serial --device virtio-rng --json
}

@test "la-alloc: x86_64 golden with every device preset and pstore" {
	golden alloc/x86_64-2G-devices.txt $X86 --mem 2G --device serial --device serial \
		--device rtc --device i8042 --device debugcon --pstore 1M --device virtio-blk \
		--device virtio-net --device virtio-rng --device virtio-console --device virtio-vsock
}

@test "la-alloc: the aarch64 'Done when' command works without --phys-bits" {
	run --separate-stderr la-alloc --arch aarch64 --mem 2G --device virtio-blk --device virtio-net
	assert_success
	assert_line --regexp '^  virtio-blk0\.slot +pci +00:01\.0 '
	assert_line --regexp '^  virtio-net0\.bar0 +mmio +0x0000000002008000-0x000000000200ffff '
	assert_line --regexp '^  virtio-net0\.intx +irq +5 '
}

# --- per-arch configuration at several memory sizes --------------------------

@test "la-alloc: x86_64 config: io 0xc000-0xffff, low MMIO 0xd0000000-0xf7ffffff, first IRQ 9" {
	run jqa '[.config.io.start, .config.io.end, .config.low_mmio.start, .config.low_mmio.end,
		.config.first_irq, .config.platform_mmio, .config.reserved] | @tsv' $X86 --mem 8G
	assert_output "$(printf '49152\t65535\t3489660928\t4160749567\t9\t\t')"
}

@test "la-alloc: x86_64 high MMIO starts after the 128 MiB VCFG window at 512M, 2G, 4G and 8G" {
	for m in 512M:0x100000000 2G:0x100000000 4G:0x130000000 8G:0x230000000 16G:0x430000000; do
		vcfg=$(jqa .config.pcie_vcfg.start $X86 --mem ${m%%:*})
		high=$(jqa .config.high_mmio.start $X86 --mem ${m%%:*})
		assert_equal "$(hex "$vcfg")" "${m#*:}"
		assert_equal "$(hex "$high")" "$(printf '0x%x' $((${m#*:} + 0x8000000)))"
	done
}

@test "la-alloc: x86_64 VCFG is twice the ECAM size (--pci-ecam 0xe0000000,256M)" {
	run jqa '.config.pcie_vcfg.end - .config.pcie_vcfg.start + 1' $X86 --mem 1G \
		--pci-ecam 0xe0000000,256M
	assert_output $((512 << 20))
	run jqa '.grants[0] | "\(.name) \(.start) \(.end)"' $X86 --mem 1G --pci-ecam 0xe0000000,256M
	assert_output "pci-ecam $((0xe0000000)) $((0xefffffff))"
}

@test "la-alloc: x86_64 high MMIO ends at 2^phys_bits - 1, at most 2^46 - 1" {
	assert_equal "$(hex "$(jqa .config.high_mmio.end la-alloc --arch x86_64 --phys-bits 39)")" \
		0x7fffffffff
	assert_equal "$(hex "$(jqa .config.high_mmio.end la-alloc --arch x86_64 --phys-bits 52)")" \
		0x3fffffffffff
}

@test "la-alloc: x86_64 without --phys-bits asks the host (CPUID 0x80000008)" {
	run jqa .config.phys_bits_source la-alloc --arch x86_64
	case $(la_host_arch) in
	x86_64) assert_output --regexp '^(host CPUID 0x80000008|default .*)$' ;;
	*) assert_output 'default' ;;
	esac
}

@test "la-alloc: aarch64 config: platform MMIO is the 1 GiB after RAM, high MMIO to 2^40 - 1" {
	for m in 1G:0xc0000000 2G:0x100000000 4G:0x180000000; do
		run jqa '[.config.platform_mmio.start, .config.platform_mmio.end,
			.config.high_mmio.start, .config.high_mmio.end, .config.first_irq] | @tsv' \
			$ARM --mem ${m%%:*}
		p=${m#*:}
		assert_output "$(printf '%d\t%d\t%d\t%d\t4' $p $((p + 0x3fffffff)) $((p + 0x40000000)) \
			$((0xffffffffff)))"
	done
	run jqa '[.config.io, .config.low_mmio.start, .config.low_mmio.end] | @tsv' $ARM
	assert_output "$(printf '\t%d\t%d' 0x2000000 0x3ffffff)"
}

@test "la-alloc: aarch64 --pci-mem moves low MMIO" {
	run jqa '[.config.low_mmio.start, .config.low_mmio.end] | @tsv' $ARM --pci-mem 0x10000000,64M
	assert_output "$(printf '%d\t%d' 0x10000000 0x13ffffff)"
}

@test "la-alloc: riscv64 config: 1 MiB low MMIO at 0x3000000, high MMIO from the end of RAM" {
	for m in 1G:0xc0000000 4G:0x180000000; do
		run jqa '[.config.low_mmio.start, .config.low_mmio.end, .config.high_mmio.start,
			.config.high_mmio.end, .config.first_irq, .config.io] | @tsv' $RV --mem ${m%%:*}
		assert_output "$(printf '%d\t%d\t%d\t%d\t1\t' 0x3000000 0x30fffff ${m#*:} 0xffffffffffff)"
	done
}

@test "la-alloc: --phys-bits too small for RAM and platform MMIO is an error (exit 2)" {
	fails 2 "la-alloc: --phys-bits: '32': guest physical address space too small for memory and platform MMIO (aarch64, 4G of memory)" \
		la-alloc --arch aarch64 --mem 4G --phys-bits 32
	fails 2 "la-alloc: --phys-bits: '31' is not a number from 32 to 64" la-alloc --phys-bits 31
	fails 2 "la-alloc: --phys-bits: 'x' is not a number from 32 to 64" la-alloc --phys-bits x
}

# --- requests -----------------------------------------------------------------

@test "la-alloc: --mmio goes to low MMIO, page-aligned, first fit upward" {
	run jqa '.grants[1:] | map("\(.name) \(.start) \(.end) \(.tag)") | .[]' $X86 \
		--mmio a=16 --mmio b=4K
	assert_line --index 0 "a $((0xd0000000)) $((0xd000000f)) low mmio"
	assert_line --index 1 "b $((0xd0001000)) $((0xd0001fff)) low mmio"
}

@test "la-alloc: --mmio prefetchable goes to high MMIO; with max= to low" {
	run jqa '.grants[1:] | map("\(.name) \(.start) \(.tag)") | .[]' $X86 --mem 8G \
		--mmio a=1M,prefetchable --mmio b=1M,prefetchable,max=0xffffffff
	assert_line --index 0 "a $((0x238000000)) high mmio"
	assert_line --index 1 "b $((0xd0000000)) low mmio"
}

@test "la-alloc: --mmio prefetchable falls back to low MMIO when high MMIO is full" {
	run jqa '.grants[-1] | "\(.start) \(.tag)"' $X86 --mmio-range 0xd0000000-0xdfffffff \
		--mmio-range 0x108000000-0x108000fff --mmio a=4K,prefetchable --mmio b=4K,prefetchable
	assert_output "$((0xd0000000)) low mmio"
}

@test "la-alloc: --mmio top-down and align=" {
	run jqa '.grants[1:] | map("\(.name) \(.start)") | .[]' $X86 --mmio a=4K,top-down \
		--mmio b=4K,align=1M --mmio c=4K,top-down,align=64M
	assert_line --index 0 "a $((0xf3fff000))"
	assert_line --index 1 "b $((0xd0000000))"
	assert_line --index 2 "c $((0xf0000000))"
}

@test "la-alloc: --mmio max= below 0xffffffff cannot be met (exit 1)" {
	fails 1 "la-alloc: --mmio: 'a=4K,max=0x80000000': out of space (a limit below 0xffffffff cannot be guaranteed)" \
		$X86 --mmio a=4K,max=0x80000000
}

@test "la-alloc: --mmio with an alignment that is not a power of two (exit 1)" {
	fails 1 "la-alloc: --mmio: 'a=4K,align=0x3000': bad alignment (zero, not a power of two, or below the minimum)" \
		$X86 --mmio a=4K,align=0x3000
}

@test "la-alloc: --io grants are 0x400-aligned from 0xc000" {
	run jqa '.grants[1:] | map("\(.name) \(.start) \(.end) \(.kind)") | .[]' $X86 \
		--io pm=72,align=4 --io b=8
	assert_line --index 0 "pm $((0xc000)) $((0xc047)) io"
	assert_line --index 1 "b $((0xc400)) $((0xc407)) io"
}

@test "la-alloc: --io on aarch64 and riscv64 has no pool (exit 1)" {
	fails 1 "la-alloc: --io: 'a=8': this architecture has no such address pool (aarch64 has no IO ports)" \
		$ARM --io a=8
	fails 1 "la-alloc: --io: 'a=8': this architecture has no such address pool (riscv64 has no IO ports)" \
		$RV --io a=8
}

@test "la-alloc: --irq hands out the lowest free IRQ from the arch's first IRQ" {
	assert_equal "$(jqa '.grants[-1].value' $X86 --irq a)" 9
	assert_equal "$(jqa '.grants[-1].value' $ARM --irq a)" 4
	assert_equal "$(jqa '.grants[-1].value' $RV --irq a)" 1
	run jqa '.grants[1:] | map("\(.name) \(.kind) \(.value)") | .[]' $X86 --irq a --irq b \
		--release a --irq c
	assert_line --index 0 "b irq 10"
	assert_line --index 1 "c irq 9"
}

@test "la-alloc: --gpe hands out GPEs from 0; the 257th is out of space" {
	run jqa '.grants[1] | "\(.kind) \(.value)"' $X86 --gpe g
	assert_output "gpe 0"
	args=()
	for i in $(seq 0 256); do args+=(--gpe "g$i"); done
	fails 1 "la-alloc: --gpe: 'g256': out of space" $X86 "${args[@]}"
}

@test "la-alloc: --irq runs out after 1023 (riscv64: 1023 IRQs from 1)" {
	args=()
	for i in $(seq 1 1024); do args+=(--irq "i$i"); done
	fails 1 "la-alloc: --irq: 'i1024': out of space" $RV "${args[@]}"
}

@test "la-alloc: --pci gives 00:01.0 first, whole devices before functions, bus= from 0" {
	run jqa '.grants[1:] | map("\(.name) \(.bus):\(.dev).\(.func)") | .[]' $X86 --pci a --pci b \
		--pci c,bus=1
	assert_line --index 0 "a 0:1.0"
	assert_line --index 1 "b 0:2.0"
	assert_line --index 2 "c 1:0.0"
	args=()
	for i in $(seq 1 32); do args+=(--pci "p$i"); done
	run jqa '.grants[-1] | "\(.dev).\(.func)"' $X86 "${args[@]}"
	assert_output "1.1"
}

@test "la-alloc: --at allocates exactly there, alignment not checked" {
	run jqa '.grants[1] | "\(.name) \(.kind) \(.start) \(.end) \(.tag)"' $X86 \
		--at a=0xd0000001-0xd0000002
	assert_output "a mmio $((0xd0000001)) $((0xd0000002)) low mmio"
}

@test "la-alloc: --at outside the MMIO pools is out of space (exit 1)" {
	fails 1 "la-alloc: --at: 'a=0x1000-0x1fff': out of space" $X86 --at a=0x1000-0x1fff
}

@test "la-alloc: --at on the ECAM window gives high MMIO's error, as crosvm's allocator set" {
	fails 1 "la-alloc: --at: 'a=0xf4000000-0xf4000fff': out of space" $X86 \
		--at a=0xf4000000-0xf4000fff
}

@test "la-alloc: --reserve-mmio reserves in every pool it touches" {
	run jqa '.grants | map("\(.name) \(.kind) \(.start) \(.end)") | .[]' $X86 --mem 1G \
		--mmio-range 0xd0000000-0xd0000fff --mmio-range 0x108000000-0x108000fff \
		--reserve-mmio 0xd0000800-0x108000800
	assert_line --index 0 "reserve1 reserve $((0xd0000800)) $((0xd0000fff))"
	assert_line --index 1 "reserve1 reserve $((0x108000000)) $((0x108000800))"
}

@test "la-alloc: --reserve-mmio over an allocation fails with the allocator's reason" {
	fails 1 "la-alloc: --reserve-mmio: '0xd0000000-0xd0000fff': out of space" $X86 \
		--mmio a=4K --reserve-mmio 0xd0000000-0xd0000fff
}

@test "la-alloc: --release gives a range back and free ranges coalesce" {
	run jqa '.free.low_mmio | map("\(.start)-\(.end)") | .[]' $X86 --mmio a=4K --mmio b=4K \
		--mmio c=4K --release b --release a
	assert_line --index 0 "$((0xd0000000))-$((0xd0001fff))"
	assert_line --index 1 "$((0xd0003000))-$((0xf3ffffff))"
	run jqa '.free.low_mmio | length' $X86 --mmio a=4K --mmio b=4K --release b --release a
	assert_output 1
}

@test "la-alloc: --release NAME of a device releases all its grants" {
	run jqa '[(.grants | length), .free.pci_bus0[0].start] | @tsv' $X86 --device virtio-blk \
		--release virtio-blk0
	assert_output "$(printf '1\t8')"
}

@test "la-alloc: --release of an unknown name (exit 1)" {
	fails 1 "la-alloc: --release: 'nope': no such allocation" $X86 --release nope
}

@test "la-alloc: --pstore carves the reserved region from the start of high MMIO" {
	run jqa '[.config.reserved.start, .config.reserved.end, .free.high_mmio[0].start,
		.config.high_mmio.start] | @tsv' $X86 --mem 8G --pstore 1M
	assert_output "$(printf '%d\t%d\t%d\t%d' 0x238000000 0x2380fffff 0x238100000 0x238000000)"
	run jqa '.grants[-1] | "\(.name) \(.kind) \(.start)"' $ARM --mem 1G --pstore 64K
	assert_output "pstore.ramoops reserve $((0x100000000))"
}

@test "la-alloc: --pstore larger than high MMIO (exit 1)" {
	fails 1 "la-alloc: --pstore: '1T': out of space (larger than high MMIO)" \
		la-alloc --arch x86_64 --phys-bits 36 --mem 1G --pstore 1T
}

@test "la-alloc: --mmio-range restricts low and high MMIO to its windows" {
	run jqa '[.free.low_mmio[].start, .free.low_mmio[].end, (.free.high_mmio | length)] | @tsv' \
		$X86 --mmio-range 0xe0000000-0xe00fffff
	assert_output "$(printf '%d\t%d\t0' 0xe0000000 0xe00fffff)"
}

@test "la-alloc: requests run in command-line order" {
	run jqa '.grants | map(.name) | join(" ")' $X86 --irq z --mmio y=4K --device rtc --gpe x
	assert_output "pci-ecam z y rtc.io rtc.irq x"
}

# --- device presets -----------------------------------------------------------

@test "la-alloc: --device serial takes COM1 to COM4 in turn; the fifth is out of space" {
	run jqa '.grants[1:] | map("\(.name) \(.start // .value)") | .[]' $X86 --device serial \
		--device serial --device com4
	assert_line --index 0 "com1.io $((0x3f8))"
	assert_line --index 1 "com1.irq 4"
	assert_line --index 2 "com2.io $((0x2f8))"
	assert_line --index 3 "com2.irq 3"
	assert_line --index 4 "com4.io $((0x2e8))"
	fails 1 "la-alloc: --device: 'serial': out of space (COM1 to COM4 are in use)" $X86 \
		--device serial --device serial --device serial --device serial --device serial
}

@test "la-alloc: --device serial on aarch64 is MMIO with SPI 0/2, on riscv64 MMIO with source 1/2" {
	run jqa '.grants | map("\(.name) \(.kind) \(.start // .value)") | .[]' $ARM --device com2
	assert_output "com2.mmio mmio $((0x2f8))
com2.irq irq 2"
	run jqa '.grants | map("\(.name) \(.kind) \(.start // .value)") | .[]' $RV --device serial
	assert_output "com1.mmio mmio $((0x3f8))
com1.irq irq 1"
}

@test "la-alloc: --device rtc: x86 CMOS 0x70 IRQ 8, aarch64 PL030 0x2000 SPI 1, none on riscv64" {
	run jqa '.grants[1:] | map("\(.kind) \(.start // .value)") | .[]' $X86 --device rtc
	assert_output "io $((0x70))
irq 8"
	run jqa '.grants | map("\(.kind) \(.start // .value) \(.end // "")") | .[]' $ARM --device rtc
	assert_output "mmio $((0x2000)) $((0x2fff))
irq 1 "
	fails 1 "la-alloc: --device: 'rtc': riscv64 has no rtc" $RV --device rtc
}

@test "la-alloc: --device i8042 and debugcon are x86_64 only" {
	run jqa '.grants[1:] | map("\(.name) \(.start) \(.end)") | .[]' $X86 --device i8042 \
		--device debugcon
	assert_line --index 0 "i8042.io $((0x62)) $((0x64))"
	assert_line --index 1 "debugcon.io $((0x402)) $((0x402))"
	fails 1 "la-alloc: --device: 'i8042': aarch64 has no i8042" $ARM --device i8042
	fails 1 "la-alloc: --device: 'debugcon': riscv64 has no debugcon" $RV --device debugcon
}

@test "la-alloc: --device pstore,size= is --pstore" {
	run jqa '.grants[-1] | "\(.name) \(.start) \(.end)"' $X86 --mem 8G --device pstore,size=64K
	assert_output "pstore.ramoops $((0x238000000)) $((0x23800ffff))"
}

@test "la-alloc: --device virtio-* get a slot, a 32 KiB low-MMIO BAR and an INTx IRQ" {
	for t in virtio-blk virtio-net virtio-rng virtio-console virtio-vsock; do
		run jqa '.grants[1:] | map("\(.name) \(.kind) \(.dev // .start // "") \(.end // .value // "")") | .[]' \
			$X86 --device $t
		assert_line --index 0 "${t}0.slot pci 1 "
		assert_line --index 1 "${t}0.bar0 mmio $((0xd0000000)) $((0xd0007fff))"
		assert_line --index 2 "${t}0.intx irq  9"
	done
}

@test "la-alloc: x86_64 shares INTx IRQs after 4 devices (pool[dev_idx % 4])" {
	args=()
	for i in 1 2 3 4 5 6; do args+=(--device virtio-blk); done
	run jqa '.grants | map(select(.kind == "irq")) | map("\(.value) \(.tag)") | .[]' $X86 \
		"${args[@]}"
	assert_output "9 virtio-blk INTx
10 virtio-blk INTx
11 virtio-blk INTx
12 virtio-blk INTx
9 virtio-blk INTx (shared)
10 virtio-blk INTx (shared)"
}

@test "la-alloc: --device name= names the grants; a name in use is an existing allocation" {
	run jqa '.grants[1].name' $X86 --device virtio-net,name=eth0
	assert_output "eth0.slot"
	fails 1 "la-alloc: --device: 'virtio-blk,name=d': existing allocation (the name 'd' is in use)" \
		$X86 --device virtio-blk,name=d --device virtio-blk,name=d
	fails 1 "la-alloc: --mmio: 'a=4K': existing allocation (the name 'a' is in use)" \
		$X86 --mmio a=4K --mmio a=4K
}

@test "la-alloc: --device rtc twice overlaps the first (exit 1)" {
	fails 1 "la-alloc: --device: 'rtc,name=r2': existing allocation (rtc overlaps 'rtc.io')" \
		$X86 --device rtc --device rtc,name=r2
}

@test "la-alloc: riscv64 low MMIO holds 32 virtio BARs; the 33rd device fails" {
	args=()
	for i in $(seq 1 33); do args+=(--device virtio-rng); done
	fails 1 "la-alloc: --device: 'virtio-rng': out of space" $RV "${args[@]}"
}

# --- failures, --keep-going -----------------------------------------------------

@test "la-alloc: a request that cannot be met prints the grants so far, then fails" {
	run --separate-stderr $X86 --mmio a=4K --mmio big=1T --mmio c=4K
	assert_failure 1
	assert_equal "$stderr" "la-alloc: --mmio: 'big=1T': out of space"
	assert_line --regexp '^  a +mmio '
	refute_line --regexp '^  c +mmio '
	run --separate-stderr $X86 --mmio a=4K --mmio big=1T --json
	assert_failure 1
	assert_equal "$(jq -r '.grants[-1].name, .failures[0].error' <<<"$output")" "a
NOSPACE"
}

@test "la-alloc: --keep-going reports failures in the output and carries on (exit 1)" {
	run --separate-stderr $X86 --keep-going --mmio big=1T --mmio c=4K
	assert_failure 1
	assert_equal "$stderr" ""
	assert_line "failed:"
	assert_line "  --mmio 'big=1T': out of space"
	assert_line --regexp '^  c +mmio '
	run --separate-stderr $X86 --keep-going --mmio big=1T --io x=0 --json
	assert_equal "$(jq -r '.failures | map(.option + " " + .error) | .[]' <<<"$output")" \
		"--mmio NOSPACE
--io ALLOCSIZEZERO"
}

@test "la-alloc: a SIZE, START or END of any length is read whole, never cut" {
	local z=$(printf '0%.0s' $(seq 62)) zz=$(printf '0%.0s' $(seq 300))
	run $X86 --pool 0-0xffffffffff --alloc "a=${z}1G"
	assert_success
	assert_line --regexp '^  a +mmio +0x0000000000000000-0x000000003fffffff +1 GiB pool$'
	run $X86 --mmio "m=${zz}4K,align=${z}8K" --io "i=${zz}8" --reserve-mmio "${zz}3758096384-${zz}3758100479"
	assert_success
	assert_line --regexp '^  m +mmio +0x[0-9a-f]+-0x[0-9a-f]+ +4 KiB low mmio$'
	assert_line --regexp '^  i +io +0x[0-9a-f]+-0x[0-9a-f]+ +8 B io ports$'
	fails 2 "la-alloc: --mmio: 'a=${zz}x': SIZE '${zz}x' is not a size (use K, M, G or T)" $X86 --mmio "a=${zz}x"
	# the ,KEY=VALUE list has a limit, said as such
	fails 2 "la-alloc: --mmio: 'a=4K,align=${zz}8K': the ,KEY=VALUE list is longer than 255 characters" \
		$X86 --mmio "a=4K,align=${zz}8K"
	# a key or TYPE longer than any there is: refused as given
	local k=$(printf 'k%.0s' $(seq 40))
	fails 2 "la-alloc: --mmio: 'a=4K,${k}=1': unknown '${k}=1' (use align= prefetchable top-down max=)" \
		$X86 --mmio "a=4K,${k}=1"
	run $X86 --device "serial$(printf 'x%.0s' $(seq 40))"
	assert_failure 2
	assert_output --partial "unknown TYPE"
}

# --- malformed requests (exit 2) ------------------------------------------------

@test "la-alloc: malformed requests exit 2 with one line naming the option" {
	fails 2 "la-alloc: --mmio: 'bad': not NAME=VALUE" $X86 --mmio bad
	fails 2 "la-alloc: --mmio: 'a=4K,foo': unknown 'foo' (use align= prefetchable top-down max=)" \
		$X86 --mmio a=4K,foo
	fails 2 "la-alloc: --mmio: 'a=4K,': an empty field between commas" $X86 --mmio a=4K,
	fails 2 "la-alloc: --mmio: 'a=4K,,top-down': an empty field between commas" $X86 \
		--mmio a=4K,,top-down
	fails 2 "la-alloc: --mmio: 'a=lots': SIZE 'lots' is not a size (use K, M, G or T)" \
		$X86 --mmio a=lots
	fails 2 "la-alloc: --io: '=8': missing NAME" $X86 --io =8
	fails 2 "la-alloc: --irq: 'a,b': takes only a NAME" $X86 --irq a,b
	fails 2 "la-alloc: --pci: 'a,bus=256': bus is not a number from 0 to 255" $X86 --pci a,bus=256
	fails 2 "la-alloc: --at: 'a=0x2000-0x1000': START is above END" $X86 --at a=0x2000-0x1000
	fails 2 "la-alloc: --reserve-mmio: '0x1000': not START-END (inclusive; numbers, 0x hex or K/M/G/T)" \
		$X86 --reserve-mmio 0x1000
	fails 2 "la-alloc: --mmio-range: '0-0x10000000000000000': a value is larger than 2^64-1" \
		$X86 --mmio-range 0-0x10000000000000000
	fails 2 "la-alloc: --pstore: '0': the pstore size must not be 0" $X86 --pstore 0
	fails 2 "la-alloc: --device: 'pstore': pstore needs size=SIZE" $X86 --device pstore
	fails 2 "la-alloc: --device: 'rtc,size=1M': only pstore and pflash take size=" $X86 --device rtc,size=1M
	fails 2 "la-alloc: --device: 'virtio-blk,name=a.b': a device name has no '.'" \
		$X86 --device virtio-blk,name=a.b
	fails 2 "la-alloc: --device: 'floppy': unknown TYPE (use serial, com1, com2, com3, com4, rtc, i8042, debugcon, pstore, virtio-blk, virtio-net, virtio-rng, virtio-console, virtio-vsock, pvpanic, fw-cfg, pflash, vmwdt, cpufreq, acpi-pm, post, plic, vpmc or battery)" \
		$X86 --device floppy
	fails 2 "la-alloc: --device: 'pstore,size=2M': a VM has one pstore region (already --pstore '1M')" \
		$X86 --pstore 1M --device pstore,size=2M
	long=$(printf 'x%.0s' $(seq 1 64))
	fails 2 "la-alloc: --irq: '$long': NAME is longer than 63 characters" $X86 --irq "$long"
	fails 2 "la-alloc: unexpected argument 'extra'" $X86 extra
}

@test "la-alloc: pool-mode and arch-mode options do not mix (exit 2)" {
	fails 2 "la-alloc: --alloc: 'a=1': needs --pool" $X86 --alloc a=1
	fails 2 "la-alloc: --min-align: '16': needs --pool" $X86 --min-align 16
	fails 2 "la-alloc: --preferred-align: '16': needs --pool" $X86 --preferred-align 16
	fails 2 "la-alloc: --mmio: 'a=1': not available with --pool" la-alloc --pool 0-0xfff --mmio a=1
	fails 2 "la-alloc: --device: 'rtc': not available with --pool" la-alloc --pool 0-0xfff \
		--device rtc
}

# --- pool mode ------------------------------------------------------------------

@test "la-alloc: --pool: first fit upward at the preferred alignment, then the minimum" {
	run jqa '.grants | map("\(.name) \(.start)") | .[]' la-alloc --pool 0x1000-0x1fff \
		--min-align 0x10 --preferred-align 0x1000 --alloc a=0x10 --alloc b=0x10
	assert_output "a $((0x1000))
b $((0x1010))"
}

@test "la-alloc: --pool: reverse is last fit downward; align= tries only that alignment" {
	run jqa '.grants | map("\(.name) \(.start)") | .[]' la-alloc --pool 0x1000-0x1fff \
		--pool 0x4000-0x4fff --alloc r=0x100,reverse --alloc s=0x10,align=0x800
	assert_output "r $((0x4f00))
s $((0x1000))"
	fails 1 "la-alloc: --alloc: 'x=0x10,align=0x2000': out of space" la-alloc \
		--pool 0x1000-0x1fff --alloc x=0x10,align=0x2000
}

@test "la-alloc: --pool: --at, --release and coalescing" {
	run jqa '.free.pool | map("\(.start)-\(.end)") | .[]' la-alloc --pool 0x1000-0x1fff \
		--at a=0x1100-0x11ff --at b=0x1200-0x12ff --release a
	assert_output "$((0x1000))-$((0x11ff))
$((0x1300))-$((0x1fff))"
	run jqa '.free.pool | length' la-alloc --pool 0x1000-0x1fff --at a=0x1100-0x11ff \
		--at b=0x1200-0x12ff --release a --release b
	assert_output 1
}

@test "la-alloc: --pool: --at over an allocation names it" {
	fails 1 "la-alloc: --at: 'b=0x1180-0x11ff': existing allocation (overlaps 'a')" la-alloc \
		--pool 0x1000-0x1fff --at a=0x1100-0x11ff --at b=0x1180-0x11ff
}

@test "la-alloc: --pool: ranges ending at 2^64-1" {
	run --separate-stderr la-alloc --pool 0xfffffffffffff000-0xffffffffffffffff \
		--alloc top=0x1000,reverse --json
	assert_success
	assert_output --partial '"start": 18446744073709547520,'
	assert_output --partial '"end": 18446744073709551615,'
	assert_output --partial '"pool": []'
	run --separate-stderr la-alloc --pool 0-0xffffffffffffffff --alloc all=0xffffffffffffffff
	assert_success
	assert_line --regexp '^  all +mmio +0x0000000000000000-0xfffffffffffffffe '
	assert_line --regexp '^  pool +0xffffffffffffffff-0xffffffffffffffff '
}

@test "la-alloc: --pool: size 0 and bad alignments" {
	fails 1 "la-alloc: --alloc: 'a=0': allocation size is zero" la-alloc --pool 0-0xfff --alloc a=0
	fails 2 "la-alloc: --min-align: '3': bad alignment (zero, not a power of two, or below the minimum)" \
		la-alloc --pool 0-0xfff --min-align 3
	fails 2 "la-alloc: --min-align: '0': bad alignment (zero, not a power of two, or below the minimum)" \
		la-alloc --pool 0-0xfff --min-align 0
	fails 2 "la-alloc: --preferred-align: '8': below --min-align" la-alloc --pool 0-0xfff \
		--min-align 16 --preferred-align 8
	fails 2 "la-alloc: --pool: address pools overlap" la-alloc --pool 0-0xfff --pool 0x800-0x17ff
}

@test "la-alloc: --pool text output shows the pools, grants and free ranges" {
	golden alloc/pool.txt la-alloc --pool 0x1000-0x1fff --pool 0x3000-0x3fff \
		--min-align 0x100 --alloc a=0x80 --alloc b=0x100,reverse --at c=0x3800-0x38ff
}

# --- help, JSON shape -----------------------------------------------------------

@test "la-alloc: --help documents every option" {
	run la-alloc --help
	assert_success
	for o in --mmio --io --irq --gpe --pci --at --reserve-mmio --release --pstore --mmio-range \
		--device --platform --pool --min-align --preferred-align --alloc --keep-going --json --phys-bits \
		--arch --mem; do
		assert_output --partial -- "$o"
	done
}

@test "la-alloc: JSON has config, grants and free; kinds are mmio, io, irq, gpe, pci, reserve" {
	run jqa '[(keys | sort | join(",")), (.config | keys | sort | join(",")),
		(.grants | map(.kind) | unique | join(","))] | .[]' $X86 --mmio a=4K --io b=8 --irq c \
		--gpe d --pci e --reserve-mmio 0xe0000000-0xe0000fff
	assert_line --index 0 "arch,config,failures,free,grants,memory_size,mode,schema"
	assert_line --index 1 "first_irq,high_mmio,io,low_mmio,pci_max_irqs,pcie_vcfg,phys_bits,phys_bits_source,platform_mmio,reserved"
	assert_line --index 2 "gpe,io,irq,mmio,pci,reserve"
}

@test "la-alloc: --help's examples are whole lines a user can paste, and they run" {
	local ex
	ex=$(la-alloc --help | sed -n '/^Examples:/,/^$/p' | sed -n 's/^  la-alloc //p')
	[ "$(wc -l <<<"$ex")" = 3 ] || fail "examples: $ex"
	while read -r line; do
		# shellcheck disable=SC2086
		run la-alloc $line
		assert_success
	done <<<"$ex"
}

# --- --platform: the devices build_vm creates, as la-mkfdt and la-vmrun have them

@test "la-alloc: --platform on aarch64 grants rtc, vmwdt, com1-4 and the cpufreq window in build_vm's order" {
	run $ARM --platform
	assert_success
	grants=$(printf '%s\n' "$output" | awk '/^grants:/ { on = 1; next } on && /^$/ { exit } on { print $1, $3 }')
	[ "$grants" = "rtc.mmio 0x0000000000002000-0x0000000000002fff
rtc.irq 1
vmwdt.mmio 0x0000000000003000-0x0000000000003fff
vmwdt.irq 15
com1.mmio 0x00000000000003f8-0x00000000000003ff
com1.irq 0
com2.mmio 0x00000000000002f8-0x00000000000002ff
com2.irq 2
com3.mmio 0x00000000000003e8-0x00000000000003ef
com3.irq 0
com4.mmio 0x00000000000002e8-0x00000000000002ef
com4.irq 2
cpufreq.mmio 0x0000000001040000-0x000000000104ffff" ] || fail "grants: $grants"
	assert_output --partial "PPI (per vCPU), edge (fixed)"
}

@test "la-alloc: --platform shows what the aarch64 tree has: vmwdt@3000, rtc@2000, the UARTs" {
	la-alloc --arch aarch64 --platform --json | jq -r '.grants[] | select(.kind == "mmio") |
		"\(.name | split(".")[0]) \(.start_hex) \(.size_hex)"' | sort >"$BATS_TEST_TMPDIR/alloc"
	la-mkfdt --arch aarch64 --seed 1 --cpu-frequencies-khz 0=1000 --virt-cpufreq=v2 |
		dtc -q -I dtb -O dts - >"$BATS_TEST_TMPDIR/tree"
	while read -r name start size; do
		case $name in
		com*) node="U6_16550A@${start#0x}" ;;
		cpufreq) node=cpufreq ;;
		*) node="$name@${start#0x}" ;;
		esac
		grep -q "^	$node {" "$BATS_TEST_TMPDIR/tree" || fail "no node $node in the tree"
	done <"$BATS_TEST_TMPDIR/alloc"
	run grep -c . "$BATS_TEST_TMPDIR/alloc"
	assert_output 7
	# the cpufreq registers the tree has sit at the start of the window
	run grep -A2 '^	cpufreq {' "$BATS_TEST_TMPDIR/tree"
	assert_output --partial "reg = <0x00 0x1040000 0x00 0x1000>;"
}

@test "la-alloc: --platform on riscv64 has the four UARTs with sources 1/2 and the PLIC; x86_64 ends with the ACPI PM block" {
	run $RV --platform --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '[.grants[].name] | join(" ")')" = \
		"com1.mmio com1.irq com2.mmio com2.irq com3.mmio com3.irq com4.mmio com4.irq plic.mmio" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "plic.mmio") | "\(.start_hex) \(.size_hex)"')" = "0xc000000 0x400000" ]
	# a PCI device's INTx does not share the UARTs' sources
	run $RV --platform --device virtio-rng --json
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "virtio-rng0.intx") | .value')" = 3 ]
	run $X86 --platform --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '[.grants[].name] | join(" ")')" = \
		"pci-ecam i8042.io rtc.io rtc.irq com1.io com1.irq com2.io com2.irq com3.io com3.irq com4.io com4.irq debugcon.io post.io acpi-pm.io acpi-pm.sci" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "acpi-pm.io") | .start_hex')" = 0xc000 ]
}

@test "la-alloc: --platform then --device: a second COM1 conflicts, serial finds none free, virtio gets slot 1" {
	run $ARM --platform --device com1
	assert_failure 1
	assert_line --partial "existing allocation (the name 'com1' is in use)"
	run $ARM --platform --device com1,name=uart
	assert_failure 1
	assert_line --partial "existing allocation (com1 overlaps 'com1.mmio')"
	run $ARM --platform --device serial
	assert_failure 1
	assert_line --partial "out of space (COM1 to COM4 are in use)"
	run $ARM --platform --device virtio-blk --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "virtio-blk0.slot") | .dev')" = 1 ]
}

@test "la-alloc: --platform with --pool is refused; vmwdt and cpufreq exist only on aarch64" {
	fails 2 "la-alloc: --platform: not available with --pool" \
		la-alloc --platform --pool 0x1000-0x1fff --alloc a=16
	run $X86 --device vmwdt
	assert_failure 1
	assert_line --partial "x86_64 has no vmwdt"
	run $RV --device cpufreq
	assert_failure 1
	assert_line --partial "riscv64 has no cpufreq"
	run $X86 --device acpi-pm --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "acpi-pm.io") | .start_hex')" = 0xc000 ]
}

@test "la-alloc: --pci-hotplug-slots N reserves the hot-plug controller and N slots, as la-vmrun --explain shows them" {
	run $X86 --platform --device virtio-blk --pci-hotplug-slots 2 --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '[.grants[].name] | .[-8:] | join(" ")')" = \
		"pci-hotplug0.io pci-hotplug0.gpe hotplug-slot0.slot hotplug-slot0.bar0 hotplug-slot0.intx hotplug-slot1.slot hotplug-slot1.bar0 hotplug-slot1.intx" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "pci-hotplug0.io") | "\(.start_hex) \(.size_hex)"')" = "0xc400 0x10" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "pci-hotplug0.gpe") | "\(.kind) \(.value)"')" = "gpe 0" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "hotplug-slot1.slot") | .dev')" = 3 ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "hotplug-slot1.bar0") | .size_hex')" = 0x8000 ]
	run $X86 --platform --device virtio-blk --pci-hotplug-slots 2
	assert_success
	assert_line --regexp '^  hotplug-slot0\.slot +pci +00:02\.0 +hotplug-slot$'
	assert_line --regexp '^  pci-hotplug0\.gpe +gpe +0 +PCI hot-plug GPE$'
}

@test "la-alloc: --device vpmc: the virtual PMC la-vmrun --control adds, its GPEs after the hot-plug controller's" {
	run $X86 --platform --pci-hotplug-slots 1 --device vpmc --json
	assert_success
	[ "$(printf '%s' "$output" | jq -r '[.grants[].name] | .[-3:] | join(" ")')" = "vpmc.io vpmc.gpe vpmc.wake" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "vpmc.io") | "\(.start_hex) \(.size_hex)"')" = "0xc800 0x10" ]
	[ "$(printf '%s' "$output" | jq -r '.grants[] | select(.kind == "gpe") | "\(.name)=\(.value)"' | tr '\n' ' ')" = \
		"pci-hotplug0.gpe=0 vpmc.gpe=1 vpmc.wake=2 " ]
	run $X86 --platform --device vpmc
	assert_success
	assert_line --regexp '^  vpmc\.gpe +gpe +0 +sleep button: suspend request$'
	assert_line --regexp '^  vpmc\.wake +gpe +1 +sleep button: wake \(_PRW\)$'
	run $ARM --device vpmc
	assert_failure 1
	assert_line --partial "aarch64 has no vpmc"
}

@test "la-alloc: --pci-hotplug-slots takes 1 to 16 slots, on x86_64 only" {
	fails 2 "la-alloc: --pci-hotplug-slots: '0': not a number of slots from 1 to 16" \
		la-alloc --pci-hotplug-slots 0
	fails 2 "la-alloc: --pci-hotplug-slots: '17': not a number of slots from 1 to 16" \
		la-alloc --pci-hotplug-slots 17
	fails 2 "la-alloc: --pci-hotplug-slots: '2': PCI hot-plug is x86_64's (ACPI); aarch64 guests have none" \
		la-alloc --arch aarch64 --pci-hotplug-slots 2
	fails 2 "la-alloc: --pci-hotplug-slots: '1': PCI hot-plug is x86_64's (ACPI); riscv64 guests have none" \
		la-alloc --arch riscv64 --pci-hotplug-slots 1
}
