#!/usr/bin/env bats
# la-mkfdt: the device tree blob crosvm gives a guest, and overlays on it.

bats_require_minimum_version 1.5.0
load mkfdt_helpers

A="--arch aarch64 --mem 1G --seed 0 --phys-bits 40"
R="--arch riscv64 --mem 512M --seed 0"

# ---- golden trees (dtc -I dtb -O dts text, --seed 0) -------------------------

@test "la-mkfdt: aarch64 with 1 vCPU: the tree of crosvm's create_fdt, no enable-method" {
	mk_golden aarch64-1cpu $A --cpus 1
}
@test "la-mkfdt: aarch64 with 4 vCPUs: GICv3 redistributors for 4 vCPUs, PPI masks 0xf00" {
	mk_golden aarch64-4cpu $A --cpus 4
}
@test "la-mkfdt: --gic v2 uses the cortex-a15-gic distributor and CPU interface" {
	mk_golden aarch64-4cpu-gicv2 $A --cpus 4 --gic v2
}
@test "la-mkfdt: --its adds /intc/msic and msi-parent; --no-pmu drops /pmu" {
	mk_golden aarch64-4cpu-its-nopmu $A --cpus 4 --its --no-pmu
}
@test "la-mkfdt: --nested uses smc and the GIC maintenance PPI; --psci 0.2 has one compatible" {
	mk_golden aarch64-nested-psci02 $A --cpus 2 --nested --psci 0.2
}
@test "la-mkfdt: --host-cpu-topology on the phone fixture: capacities and three clusters" {
	cd "$HC_FIX"
	mk_golden aarch64-host-topology $A --cpus 8 --host-cpu-topology --sysfs-root phone
}
@test "la-mkfdt: --virt-cpufreq=v2 with the host topology: OPP tables and qemu,virtual-cpufreq" {
	cd "$HC_FIX"
	mk_golden aarch64-virt-cpufreq-v2 $A --cpus 8 --host-cpu-topology --sysfs-root phone --virt-cpufreq=v2
}
@test "la-mkfdt: --cpu-capacity, --cpu-frequencies-khz, --cpu-clusters and --virt-cpufreq (v1)" {
	mk_golden aarch64-cpu-options $A --cpus 4 --cpu-capacity 0=512,1=512,2=1024,3=1024 \
		--cpu-frequencies-khz 0=500000:1000000,2=800000:1600000 --cpu-clusters '0-1;2-3' --virt-cpufreq
}
@test "la-mkfdt: aarch64 --kernel, --initrd, --cmdline, --earlycon and --swiotlb fill chosen, config and reserved-memory" {
	mk_arm64_image "$T/Image" 0x80000 0x1400000 0x1000000
	truncate -s 3M "$T/initrd"
	mk_golden aarch64-kernel-initrd $A --cpus 2 --kernel "$T/Image" --initrd "$T/initrd" \
		--cmdline 'root=/dev/vda ro' --earlycon 1 --swiotlb 64M
}
@test "la-mkfdt: riscv64 with 1 hart: IMSIC, APLIC and the PCI windows as 64-bit ranges" {
	mk_golden riscv64-1hart $R --cpus 1
}
@test "la-mkfdt: riscv64 with 4 harts, a raw kernel and an initrd 8-byte aligned after it" {
	truncate -s 1193046 "$T/rvkernel"
	truncate -s 3M "$T/initrd"
	mk_golden riscv64-4harts $R --cpus 4 --kernel "$T/rvkernel" --initrd "$T/initrd" --cmdline 'root=/dev/vda'
}
@test "la-mkfdt: riscv64 --irqchip plic: a PLIC instead of IMSIC and APLIC, UARTs and INTx wired to it" {
	mk_golden riscv64-2harts-plic $R --cpus 2 --irqchip plic --device virtio-blk
}
@test "la-mkfdt: x86_64 setup_data tree: config before chosen, initrd as high as it fits, reserved@a0000" {
	mk_bzimage "$T/bzImage" 0x200000 0 3
	truncate -s 3M "$T/initrd"
	mk_golden x86_64-initrd --arch x86_64 --mem 1G --seed 0 --kernel "$T/bzImage" --initrd "$T/initrd"
}

# ---- key properties (fdtget) --------------------------------------------------

@test "la-mkfdt: the done-when tree: 4 vCPUs, redistributors 0x3ff70000 + 0x80000, masks 0xf08/0xf04/0xf01" {
	run --separate-stderr la-mkfdt --arch aarch64 --mem 1G --cpus 4 --seed 0 -v -o "$T/t.dtb"
	assert_success
	assert_equal "$stderr" "la-mkfdt: aarch64, fdt end at 0xbfe00000 ($(stat -c %s "$T/t.dtb") bytes, limit 2097152), payload end 0x7fffffff"
	assert_equal "$(fdtget -t x "$T/t.dtb" /intc reg)" "0 3fff0000 0 10000 0 3ff70000 0 80000"
	assert_equal "$(fdtget -t x "$T/t.dtb" /timer interrupts)" "1 d f08 1 e f08 1 b f08 1 a f08"
	assert_equal "$(fdtget -t x "$T/t.dtb" /pmu interrupts)" "1 7 f04"
	assert_equal "$(fdtget -t x "$T/t.dtb" /vmwdt@3000 interrupts)" "1 f f01"
	assert_equal "$(fdtget "$T/t.dtb" /cpus/cpu@3 reg)" "3"
	assert_equal "$(fdtget "$T/t.dtb" /chosen bootargs)" "panic=-1 console=ttyS0"
}
@test "la-mkfdt: PPI masks saturate at 8 vCPUs; vCPU 16 is cpu@100 (KVM's default MPIDR)" {
	mk_dts t --arch aarch64 --cpus 17 --seed 0
	assert_equal "$(fdtget -t x "$T/t.dtb" /timer interrupts)" "1 d ff08 1 e ff08 1 b ff08 1 a ff08"
	assert_equal "$(fdtget -t x "$T/t.dtb" /cpus/cpu@100 reg)" "100"
	assert_equal "$(fdtget -t x "$T/t.dtb" /cpus/cpu@100 phandle)" "110"
}
@test "la-mkfdt: aarch64 PCI ranges: low pool 32-bit, high pool 64-bit prefetchable up to --phys-bits" {
	mk_dts t --arch aarch64 --mem 2G --seed 0 --phys-bits 36
	assert_equal "$(fdtget -t x "$T/t.dtb" /pci ranges)" \
		"2000000 0 2000000 0 2000000 0 2000000 43000000 1 40000000 1 40000000 e c0000000"
}
@test "la-mkfdt: riscv64 PCI ranges: every pool 64-bit, not prefetchable" {
	mk_dts t --arch riscv64 --mem 1G --seed 0
	assert_equal "$(fdtget -t x "$T/t.dtb" /pci ranges)" \
		"3000000 0 3000000 0 3000000 0 100000 3000000 0 c0000000 0 c0000000 ffff 40000000"
}
@test "la-mkfdt: --aia-ids and --aia-sources set the IMSIC and APLIC; --aia-sources 0 drops the APLIC" {
	mk_dts t --arch riscv64 --cpus 2 --seed 0 --aia-ids 63 --aia-sources 96 --timebase-frequency 24000000
	assert_equal "$(fdtget "$T/t.dtb" /imsics@0x8000000 riscv,num-ids)" "63"
	assert_equal "$(fdtget "$T/t.dtb" /aplic@0x8002000 riscv,num-sources)" "96"
	assert_equal "$(fdtget "$T/t.dtb" /cpus timebase-frequency)" "24000000"
	mk_dts u --arch riscv64 --seed 0 --aia-sources 0
	run ! grep -q aplic "$T/u.dts"
	# no APLIC: nothing is wired, the UARTs have no interrupts
	run ! grep -q 'interrupt-parent\|interrupts = ' "$T/u.dts"
}
@test "la-mkfdt: riscv64 --irqchip: aia (the default) has the AIA extensions in the ISA, plic has neither them nor MSIs" {
	mk_dts a --arch riscv64 --seed 0
	mk_dts b --arch riscv64 --seed 0 --irqchip aia
	cmp "$T/a.dtb" "$T/b.dtb"
	assert_equal "$(fdtget "$T/a.dtb" /cpus/cpu@0 riscv,isa)" "rv64imafdc_zicsr_zifencei_smaia_ssaia"
	assert_equal "$(fdtget "$T/a.dtb" /cpus/cpu@0 riscv,isa-base)" "rv64i"
	assert_equal "$(fdtget "$T/a.dtb" /cpus/cpu@0 riscv,isa-extensions)" "i m a f d c zicsr zifencei smaia ssaia"
	assert_equal "$(fdtget "$T/a.dtb" /U6_16550A@2f8 interrupts)" "2 1"
	assert_equal "$(fdtget "$T/a.dtb" /U6_16550A@2f8 interrupt-parent)" "2"
	# no interrupt-parent at the root: the harts' controllers are roots
	run ! fdtget "$T/a.dtb" / interrupt-parent
	mk_dts p --arch riscv64 --seed 0 --cpus 3 --irqchip plic
	assert_equal "$(fdtget "$T/p.dtb" /cpus/cpu@2 riscv,isa)" "rv64imafdc_zicsr_zifencei"
	assert_equal "$(fdtget "$T/p.dtb" /cpus/cpu@2 riscv,isa-extensions)" "i m a f d c zicsr zifencei"
	assert_equal "$(fdtget "$T/p.dtb" /plic@c000000 compatible)" "sifive,plic-1.0.0 riscv,plic0"
	assert_equal "$(fdtget "$T/p.dtb" /plic@c000000 interrupts-extended)" "4 9 5 9 6 9"
	assert_equal "$(fdtget "$T/p.dtb" /plic@c000000 riscv,ndev)" "1023"
	assert_equal "$(fdtget -tx "$T/p.dtb" /plic@c000000 reg)" "0 c000000 0 400000"
	assert_equal "$(fdtget "$T/p.dtb" /U6_16550A@3e8 interrupts)" "1"
	run ! grep -q 'imsics\|aplic\|msi-parent\|smaia' "$T/p.dts"
	# the PLIC's range is the one la-alloc grants
	run la-alloc --arch riscv64 --platform --json
	assert_equal "$(printf '%s' "$output" | jq -r '.grants[] | select(.name == "plic.mmio") | .start_hex')" 0xc000000
}
@test "la-mkfdt: --irqchip takes aia or plic, only on riscv64, and plic takes no --aia-* values" {
	mk_usage "la-mkfdt: --irqchip: 'apic': not aia or plic (riscv64), kernel or split (x86_64)" $R --irqchip apic
	mk_usage "la-mkfdt: --irqchip: 'split': not aia or plic (x86_64's irqchips are not the tree's)" $R --irqchip split
	mk_usage "la-mkfdt: --irqchip: 'plic': not used in the aarch64 device tree" $A --irqchip plic
	mk_usage "la-mkfdt: --aia-ids: '63': no AIA with --irqchip plic" $R --irqchip plic --aia-ids 63
	mk_usage "la-mkfdt: --aia-sources: '0': no AIA with --irqchip plic" $R --aia-sources 0 --irqchip plic
}
@test "la-mkfdt: --serial 2 makes two UARTs; --console 2 names ttyS1; stdout-path stays COM1" {
	mk_dts t $A --serial 2 --console 2
	run grep -c 'U6_16550A@[0-9a-f]* {' "$T/t.dts"
	assert_output 2
	assert_equal "$(fdtget "$T/t.dtb" /chosen bootargs)" "panic=-1 console=ttyS1"
	assert_equal "$(fdtget "$T/t.dtb" /chosen stdout-path)" "/U6_16550A@3f8"
}
@test "la-mkfdt: --serial 0 drops UARTs and stdout-path; --console 0 drops console=" {
	mk_dts t $A --serial 0 --console 0
	run grep -E 'U6_16550A|stdout-path' "$T/t.dts"
	assert_failure
	assert_equal "$(fdtget "$T/t.dtb" /chosen bootargs)" "panic=-1"
}
@test "la-mkfdt: --fdt-position start puts the kernel 2 MiB in; after-payload at the next 2 MiB boundary" {
	mk_arm64_image "$T/Image" 0x80000 0 0x300000
	run --separate-stderr la-mkfdt $A --kernel "$T/Image" --fdt-position start -v -o "$T/a.dtb"
	assert_success
	[[ "$stderr" == *"fdt start at 0x80000000"*"kernel 0x80280000+0x300000"* ]]
	run --separate-stderr la-mkfdt $A --kernel "$T/Image" --fdt-position after-payload -v -o "$T/b.dtb"
	[[ "$stderr" == *"fdt after-payload at 0x80400000"*"payload end 0x8037ffff"* ]]
	assert_equal "$(fdtget -t x "$T/b.dtb" /config kernel-address)" "80080000"
}
@test "la-mkfdt: riscv64 places the FDT at the next 4 MiB boundary after the initrd" {
	truncate -s 5M "$T/k"
	run --separate-stderr la-mkfdt $R --kernel "$T/k" -v -o "$T/t.dtb"
	[[ "$stderr" == *"fdt after-payload at 0x80800000"* ]]
}
@test "la-mkfdt: riscv64: after a riscv Image, the initrd goes past its image_size at the next 2 MiB (crosvm: 8 bytes after the file)" {
	# a 3 MiB Image whose header (RSC\x05 at 0x38) says it takes 5 MiB
	truncate -s 3M "$T/Image"
	put "$T/Image" 16 "$(le64 $((0x500000)))"
	put "$T/Image" 56 'RSC\x05'
	truncate -s 1M "$T/rd"
	mk_dts h $R --kernel "$T/Image" --initrd "$T/rd"
	assert_equal "$(fdtget -tx "$T/h.dtb" /chosen linux,initrd-start)" "0 80800000"
	# the older magic ("RISCV" at 0x30) too
	truncate -s 0 "$T/Image"; truncate -s 3M "$T/Image"
	put "$T/Image" 16 "$(le64 $((0x500000)))"
	put "$T/Image" 48 'RISCV\x00\x00\x00'
	mk_dts o $R --kernel "$T/Image" --initrd "$T/rd"
	assert_equal "$(fdtget -tx "$T/o.dtb" /chosen linux,initrd-start)" "0 80800000"
	# no header: 8 bytes after the file, as crosvm
	truncate -s 0 "$T/Image"; truncate -s 3000001 "$T/Image"
	mk_dts n $R --kernel "$T/Image" --initrd "$T/rd"
	assert_equal "$(fdtget -tx "$T/n.dtb" /chosen linux,initrd-start)" "0 804dc6c8"
}
@test "la-mkfdt: --seed makes kaslr-seed and rng-seed repeatable; without it they differ" {
	la-mkfdt $A --seed 7 -o "$T/a.dtb"
	la-mkfdt $A --seed 7 -o "$T/b.dtb"
	cmp "$T/a.dtb" "$T/b.dtb"
	la-mkfdt --arch aarch64 -o "$T/c.dtb"
	la-mkfdt --arch aarch64 -o "$T/d.dtb"
	[ "$(fdtget -t x "$T/c.dtb" /chosen kaslr-seed)" != "$(fdtget -t x "$T/d.dtb" /chosen kaslr-seed)" ]
	[ "$(fdtget -t bx "$T/c.dtb" /chosen rng-seed | wc -w)" -eq 256 ]
}
@test "la-mkfdt: the blob passes dtc's own parser and libfdt's fdt_check_full (every arch)" {
	for a in aarch64 riscv64 x86_64; do
		la-mkfdt --arch $a --seed 1 -o "$T/$a.dtb"
		dtc -q -I dtb -O dtb -o /dev/null "$T/$a.dtb"
	done
}
@test "la-mkfdt: the la-hostcpu --json pipeline gives the same tree as --host-cpu-topology" {
	cd "$HC_FIX"
	la-hostcpu --sysfs-root phone --json | la-mkfdt $A --cpus 8 --hostcpu - --virt-cpufreq >"$T/a.dtb"
	la-mkfdt $A --cpus 8 --host-cpu-topology --sysfs-root phone --virt-cpufreq >"$T/b.dtb"
	cmp "$T/a.dtb" "$T/b.dtb"
	assert_equal "$(fdtget "$T/a.dtb" /cpus/cpu@7 capacity-dmips-mhz)" 1024
}
@test "la-mkfdt: --hostcpu FILE from an x86 host without cpufreq: capacities, one cluster, no OPP" {
	(cd "$HC_FIX" && la-hostcpu --sysfs-root x86-nocpufreq --json) >"$T/h.json"
	mk_dts t $A --cpus 2 --hostcpu "$T/h.json"
	assert_equal "$(fdtget "$T/t.dtb" /cpus/cpu-map/cluster0/core1 cpu)" "257"
	run ! grep -q opp_table "$T/t.dts"
}
@test "la-mkfdt: -o writes the file; stdout on a terminal is refused with a hint" {
	la-mkfdt $A -o "$T/t.dtb"
	dtc -q -I dtb -O dts -o /dev/null "$T/t.dtb"
	run script -qec "$LA_BIN/la-mkfdt $A" /dev/null
	assert_failure 2
	assert_output --partial "la-mkfdt: refusing to write a binary device tree to a terminal; use -o FILE or pipe it into dtc -I dtb -O dts"
}
@test "la-mkfdt: --help lists every option" {
	run la-mkfdt --help
	assert_success
	for o in kernel initrd cmdline serial console earlycon gic its no-pmu psci nested \
		cpu-capacity cpu-frequencies-khz cpu-clusters virt-cpufreq host-cpu-topology \
		sysfs-root hostcpu irqchip aia-ids aia-sources timebase-frequency device overlay seed output verbose \
		arch mem cpus phys-bits fdt-position; do
		assert_output --partial -- "--$o"
	done
}

# ---- overlays -----------------------------------------------------------------

@test "la-mkfdt: a plain overlay adds a node at the end and edits /chosen in place" {
	mk_ov plain
	mk_golden overlay-plain $A --overlay "$T/plain.dtbo"
}
@test "la-mkfdt: local references are offset above the base's largest phandle; intc resolves to 1" {
	mk_ov refs
	mk_golden overlay-refs $A --cpus 2 --overlay "$T/refs.dtbo"
	assert_equal "$(fdtget -t x "$T/out.dtb" /clk phandle)" "102"
	assert_equal "$(fdtget -t x "$T/out.dtb" /dev@1000 clocks)" "102"
	assert_equal "$(fdtget -t x "$T/out.dtb" /dev@1000 interrupt-parent)" "1"
	assert_equal "$(fdtget "$T/out.dtb" /__symbols__ dev1)" "/dev@2000"
}
@test "la-mkfdt: a fragment targeting a base label gets its target-path; its labels join __symbols__" {
	mk_ov label-target
	mk_dts t $A --overlay "$T/label-target.dtbo"
	assert_equal "$(fdtget "$T/t.dtb" /intc la,touched)" "1"
	assert_equal "$(fdtget "$T/t.dtb" /__symbols__ child)" "/intc/its-child"
}
@test "la-mkfdt: filter=dev0 applies exactly dev0 and the clock it references" {
	mk_ov refs
	mk_golden overlay-filtered $A --cpus 2 --overlay "$T/refs.dtbo,filter=dev0"
	run grep -E 'dev@2000|unrel|dev1 =|unrelated =' "$T/out.dts"
	assert_failure
}
@test "la-mkfdt: filter=dev1:unrelated keeps both labels and, through dev1, dev0 and its clock" {
	mk_ov refs
	mk_dts t $A --overlay "$T/refs.dtbo,filter=dev1:unrelated"
	for n in dev@1000 clk dev@2000 unrel; do fdtget "$T/t.dtb" /$n compatible; done
}
@test "la-mkfdt: an empty filter skips the overlay (crosvm's Some(empty))" {
	mk_ov refs
	la-mkfdt $A -o "$T/a.dtb"
	la-mkfdt $A --overlay "$T/refs.dtbo,filter=" -o "$T/b.dtb"
	cmp "$T/a.dtb" "$T/b.dtb"
}
@test "la-mkfdt: chained overlays: the second refers to a label the first added" {
	mk_ov plain
	mk_ov chain
	mk_golden overlay-chained $A --overlay "$T/plain.dtbo" --overlay "$T/chain.dtbo"
	assert_equal "$(fdtget -t x "$T/out.dtb" /user peer)" "$(fdtget -t x "$T/out.dtb" /extra-node phandle)"
}
@test "la-mkfdt: --psci and the COM port numbers are plain decimals, nothing strtoul would also take" {
	for v in " 1.0" "+1.0" "01.0" "1.-0" "1.0x" "1" "65536.0"; do
		run la-mkfdt $A --psci "$v" -o "$T/x"
		assert_failure 2
		assert_output "la-mkfdt: --psci: '$v': not a version MAJOR.MINOR, e.g. 1.0 or 0.2"
	done
	for v in "01" "+1" " 1" "0x1" "5"; do
		run la-mkfdt $A --serial "$v" -o "$T/x"
		assert_failure 2
		assert_output "la-mkfdt: --serial: '$v': not a whole number from 0 to 4"
	done
}
@test "la-mkfdt: a fragment whose target two labels of different nodes claim is refused, not a hang" {
	mk_ov twolabels
	mk_ov twotarget
	run timeout 20 la-mkfdt $A --overlay "$T/twolabels.dtbo" --overlay "$T/twotarget.dtbo" -o "$T/never.dtb"
	assert_failure 1
	assert_output "la-mkfdt: --overlay: '$T/twotarget.dtbo': an overlay fragment's target resolves to two nodes: /fragment@0: a (/n1) and b (/n2)"
	[ ! -e "$T/never.dtb" ]
	# two labels of one node agree: the fragment merges into /n1
	printf '/dts-v1/;\n/ { fragment@0 { target = <0xffffffff>; __overlay__ { x = <1>; }; };
		__fixups__ { a = "/fragment@0:target:0"; c = "/fragment@0:target:0"; }; };\n' |
		dtc -q -I dts -O dtb -o "$T/same.dtbo"
	run timeout 20 la-mkfdt $A --overlay "$T/twolabels.dtbo" --overlay "$T/same.dtbo" -o "$T/ok.dtb"
	assert_success
	assert_equal "$(fdtget "$T/ok.dtb" /n1 x)" 1
}
@test "la-mkfdt: overlays apply on riscv64 and x86_64 too (they create __symbols__)" {
	mk_ov plain
	mk_dts r $R --overlay "$T/plain.dtbo"
	assert_equal "$(fdtget "$T/r.dtb" /__symbols__ extra)" "/extra-node"
	mk_dts x --arch x86_64 --seed 0 --overlay "$T/plain.dtbo"
	assert_equal "$(fdtget "$T/x.dtb" /extra-node value)" "42"
}

# ---- overlay errors: one line naming the file, exit 1, nothing written --------

mk_ov_err() { # EXPECTED-LINE ARGS...
	local want=$1
	shift
	run la-mkfdt $A -o "$T/never.dtb" "$@"
	assert_failure 1
	assert_output "$want"
	[ ! -e "$T/never.dtb" ]
	[ -z "$(ls "$T" | grep never)" ]
}

@test "la-mkfdt: an overlay that is not a DTB is refused" {
	printf 'not a blob at all\n' >"$T/junk.bin"
	mk_ov_err "la-mkfdt: --overlay: '$T/junk.bin': not a valid device tree blob" --overlay "$T/junk.bin"
	# source (here after a comment) gets the dtc hint
	cp "$MK_FIX/plain.dts" "$T/plain.dts"
	mk_ov_err "la-mkfdt: --overlay: '$T/plain.dts': not a valid device tree blob: this is device tree source; compile it with dtc -@ -I dts -O dtb -o FILE.dtbo $T/plain.dts" --overlay "$T/plain.dts"
}
@test "la-mkfdt: an overlay of header version below 17 is refused, never parsed" {
	old_dtb "$T/v5.dtbo"
	[ "$(stat -c %s "$T/v5.dtbo")" = 72 ]
	mk_ov_err "la-mkfdt: --overlay: '$T/v5.dtbo': device tree blob version is below 17, which la reads (dtc writes 17)" \
		--overlay "$T/v5.dtbo"
}
@test "la-mkfdt: a truncated overlay is refused" {
	mk_ov refs
	head -c 200 "$T/refs.dtbo" >"$T/cut.dtbo"
	mk_ov_err "la-mkfdt: --overlay: '$T/cut.dtbo': device tree blob is truncated" --overlay "$T/cut.dtbo"
}
@test "la-mkfdt: an overlay with an unresolved fixup names the symbol" {
	mk_ov unresolved
	mk_ov_err "la-mkfdt: --overlay: '$T/unresolved.dtbo': unresolved fixup: symbol not in the base tree: no_such_label" \
		--overlay "$T/unresolved.dtbo"
}
@test "la-mkfdt: an overlay targeting a node the base lacks names the path" {
	mk_ov notarget
	mk_ov_err "la-mkfdt: --overlay: '$T/notarget.dtbo': overlay targets a node the base tree lacks: /no-such-node" \
		--overlay "$T/notarget.dtbo"
}
@test "la-mkfdt: a filter label the overlay does not define is named" {
	mk_ov refs
	mk_ov_err "la-mkfdt: --overlay: '$T/refs.dtbo,filter=dev0:nope': filter label is not defined in the overlay: nope" \
		--overlay "$T/refs.dtbo,filter=dev0:nope"
}
@test "la-mkfdt: a filter on an overlay built without -@ (no __symbols__) is refused" {
	dtc -q -I dts -O dtb -o "$T/nosym.dtbo" "$MK_FIX/plain.dts"
	mk_ov_err "la-mkfdt: --overlay: '$T/nosym.dtbo,filter=extra': overlay has no __symbols__ node: filter extra" \
		--overlay "$T/nosym.dtbo,filter=extra"
}
@test "la-mkfdt: a dangling local reference in a filtered overlay is refused" {
	mk_ov dangling
	mk_ov_err "la-mkfdt: --overlay: '$T/dangling.dtbo,filter=bad': dangling or invalid phandle reference: phandle 0x77 in ref" \
		--overlay "$T/dangling.dtbo,filter=bad"
}
@test "la-mkfdt: a tree over the arch's limit is refused: x86_64 0x4000, riscv64 64 KiB, aarch64 2 MiB" {
	for a in x86_64:16384:20000 riscv64:65536:70000 aarch64:2097152:2200000; do
		IFS=: read -r arch limit n <<<"$a"
		truncate -s "$n" "$T/blob.bin"
		printf '/dts-v1/;\n/plugin/;\n&{/} { big { data = /incbin/("%s"); }; };\n' "$T/blob.bin" >"$T/big.dts"
		dtc -q -@ -I dts -O dtb -o "$T/big.dtbo" "$T/big.dts"
		run la-mkfdt --arch "$arch" --seed 0 -o "$T/never.dtb" --overlay "$T/big.dtbo"
		assert_failure 1
		assert_output "la-mkfdt: --overlay: '$T/big.dtbo': device tree is larger than the architecture's limit ($limit bytes on $arch)"
		[ ! -e "$T/never.dtb" ]
	done
}
@test "la-mkfdt: a failing run leaves an existing -o file untouched" {
	mk_ov notarget
	echo keep >"$T/out.dtb"
	run la-mkfdt $A -o "$T/out.dtb" --overlay "$T/notarget.dtbo"
	assert_failure 1
	assert_equal "$(cat "$T/out.dtb")" keep
}
@test "la-mkfdt: a missing overlay file is named with the system's reason" {
	mk_ov_err "la-mkfdt: --overlay: '$T/none.dtbo': No such file or directory" --overlay "$T/none.dtbo"
}
@test "la-mkfdt: an overlay parameter other than filter= is refused (exit 2)" {
	run la-mkfdt $A --overlay "x.dtbo,foo=1"
	assert_failure 2
	assert_output "la-mkfdt: --overlay: 'x.dtbo,foo=1': unknown parameter 'foo=1' (use filter=L[:L...])"
}

# ---- kernels and placement errors ---------------------------------------------

@test "la-mkfdt: a file that is not a kernel of the arch is refused" {
	head -c 4096 /dev/zero >"$T/zero"
	run la-mkfdt $A --kernel "$T/zero" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --kernel: '$T/zero': not a kernel image for this architecture (aarch64)"
	mk_arm64_image "$T/Image" 0x80000 0 0x1000
	run la-mkfdt --arch x86_64 --kernel "$T/Image" -o "$T/x"
	assert_output "la-mkfdt: --kernel: '$T/Image': not a kernel image for this architecture (x86_64)"
	run la-mkfdt --arch riscv64 --kernel "$T/Image" -o "$T/x"
	assert_output "la-mkfdt: --kernel: '$T/Image': not a kernel image for this architecture (riscv64)"
}
@test "la-mkfdt: a big-endian arm64 Image is refused" {
	mk_arm64_image "$T/Image" 0x80000 0 0x1000 1
	run la-mkfdt $A --kernel "$T/Image" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --kernel: '$T/Image': big-endian arm64 Image is not supported (aarch64)"
}
@test "la-mkfdt: a bzImage shorter than its setup and system size is refused (as la-vmrun)" {
	mk_bzimage "$T/bz" 0x10000 0 1
	truncate -s 4096 "$T/bz"
	run la-mkfdt --arch x86_64 --kernel "$T/bz" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --kernel: '$T/bz': bzImage: setup and system size exceed the file (x86_64)"
}
@test "la-mkfdt: an initrd that does not fit after the kernel is refused" {
	mk_arm64_image "$T/Image" 0x80000 0 0x1000
	truncate -s 300M "$T/initrd"
	run la-mkfdt --arch aarch64 --mem 256M --kernel "$T/Image" --initrd "$T/initrd" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --initrd: '$T/initrd': initrd does not fit in guest memory after the kernel"
}
@test "la-mkfdt: the FDT at the end of RAM must stay above the payload" {
	mk_arm64_image "$T/Image" 0x80000 0 0x1000
	truncate -s 239M "$T/initrd" # ends 1 MiB into the last 2 MiB block
	run la-mkfdt --arch aarch64 --mem 256M --kernel "$T/Image" --initrd "$T/initrd" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --mem: '256M': not enough memory for the device tree after the payload"
}
@test "la-mkfdt: an initrd with a BIOS is refused; x86_64 has no tree for a BIOS" {
	truncate -s 64K "$T/bios"
	truncate -s 1M "$T/initrd"
	run la-mkfdt $A --bios "$T/bios" --initrd "$T/initrd" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --initrd: '$T/initrd': an initrd needs a kernel, not a BIOS"
	run la-mkfdt --arch x86_64 --bios "$T/bios" -o "$T/x"
	assert_failure 2
	assert_output "la-mkfdt: --bios: '$T/bios': x86_64 has no device tree for a BIOS"
}
@test "la-mkfdt: a missing kernel or initrd file is named" {
	run la-mkfdt $A --kernel "$T/nope" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --kernel: '$T/nope': No such file or directory"
	run la-mkfdt $A --initrd "$T"
	assert_output "la-mkfdt: --initrd: '$T': not a regular file"
}
@test "la-mkfdt: --cmdline longer than the arch allows, or not printable ASCII, is refused" {
	run la-mkfdt $A --cmdline "$(head -c 2040 /dev/zero | tr '\0' x)"
	assert_failure 2
	assert_output "la-mkfdt: --cmdline: '$(head -c 2040 /dev/zero | tr '\0' x)': command line is too long for this architecture (at most 2047 characters on aarch64)"
	run la-mkfdt $R --cmdline "$(printf 'a\tb')"
	assert_failure 2
	assert_output --partial "command line must be printable ASCII"
}

# ---- option errors (exit 2) -----------------------------------------------------

mk_usage() { # EXPECTED-LINE ARGS...
	local want=$1
	shift
	run la-mkfdt "$@"
	assert_failure 2
	assert_output "$want"
}

@test "la-mkfdt: bad --gic, --psci, --serial, --console and --virt-cpufreq values" {
	mk_usage "la-mkfdt: --gic: 'v4': not v2 or v3" $A --gic v4
	mk_usage "la-mkfdt: --psci: '1': not a version MAJOR.MINOR, e.g. 1.0 or 0.2" $A --psci 1
	mk_usage "la-mkfdt: --serial: '5': not a whole number from 0 to 4" $A --serial 5
	mk_usage "la-mkfdt: --console: '2': COM2 is not present (--serial 1)" $A --serial 1 --console 2
	mk_usage "la-mkfdt: --virt-cpufreq: 'v3': not v1 or v2" $A --virt-cpufreq=v3
	mk_usage "la-mkfdt: --seed: 'x': not a whole number from 0 to 2^64-1" $A --seed x
}
@test "la-mkfdt: GICv2 combinations: --its, --nested and more than 8 vCPUs are refused" {
	mk_usage "la-mkfdt: --its: the GIC ITS needs GICv3" $A --gic v2 --its
	mk_usage "la-mkfdt: --nested: needs --gic v3" $A --gic v2 --nested
	mk_usage "la-mkfdt: --gic: 'v2': GICv2 supports at most 8 vCPUs" $A --gic v2 --cpus 9
}
@test "la-mkfdt: bad --cpu-capacity, --cpu-frequencies-khz and --cpu-clusters" {
	mk_usage "la-mkfdt: --cpu-capacity: '0:5': expected CPU=VALUE, comma-separated, decimal" $A --cpu-capacity 0:5
	mk_usage "la-mkfdt: --cpu-capacity: '4=1': vCPU id out of range (not below --cpus)" $A --cpus 4 --cpu-capacity 4=1
	mk_usage "la-mkfdt: --cpu-capacity: '0=1,0=2': CPU given twice" $A --cpu-capacity 0=1,0=2
	mk_usage "la-mkfdt: --cpu-capacity: '0=4294967296': value out of range" $A --cpu-capacity 0=4294967296
	mk_usage "la-mkfdt: --cpu-frequencies-khz: '0=1::2': expected CPU=KHZ:KHZ..., comma-separated" $A --cpu-frequencies-khz 0=1::2
	mk_usage "la-mkfdt: --cpu-clusters: '0;3-1': not a CPU list (N or A-B, comma-separated)" $A --cpus 4 --cpu-clusters '0;3-1'
	mk_usage "la-mkfdt: --cpu-clusters: '0-4': vCPU id out of range (not below --cpus)" $A --cpus 4 --cpu-clusters 0-4
}
@test "la-mkfdt: host topology conflicts: both sources, --sysfs-root alone, with --cpu-capacity" {
	mk_usage "la-mkfdt: --hostcpu: 'x.json': give --host-cpu-topology or --hostcpu, not both" $A --host-cpu-topology --hostcpu x.json
	mk_usage "la-mkfdt: --sysfs-root: 'd': needs --host-cpu-topology" $A --sysfs-root d
	mk_usage "la-mkfdt: --cpu-capacity: '0=1': the host topology gives capacities and clusters" $A --hostcpu x.json --cpu-capacity 0=1
}
@test "la-mkfdt: options another arch's tree has no use for are refused" {
	mk_usage "la-mkfdt: --gic: 'v2': not used in the riscv64 device tree" $R --gic v2
	mk_usage "la-mkfdt: --aia-ids: '5': not used in the aarch64 device tree" $A --aia-ids 5
	mk_usage "la-mkfdt: --cmdline: 'x': not used in the x86_64 device tree" --arch x86_64 --cmdline x
	mk_usage "la-mkfdt: --host-cpu-topology: not used in the x86_64 device tree" --arch x86_64 --host-cpu-topology
}
@test "la-mkfdt: --aia-ids 0 and 2048 are out of range" {
	mk_usage "la-mkfdt: --aia-ids: '2048': not a whole number from 0 to 2047" $R --aia-ids 2048
	run la-mkfdt $R --aia-ids 0 -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: cannot build the device tree: AIA IMSIC interrupt ids must be 1 to 2047"
}
@test "la-mkfdt: bad --hostcpu input: not JSON, a null capacity map, a missing file" {
	echo '{"online": [0]' >"$T/bad.json"
	run la-mkfdt $A --hostcpu "$T/bad.json" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --hostcpu: '$T/bad.json': no usable host CPU topology: line 2: '}' expected near end of file"
	echo '{"online":[0],"frequencies_khz":null,"max_freq_khz":null,"capacity":null,"clusters":[[0]],"errors":{"capacity":"cpu0/cpu_capacity: No such file or directory"}}' >"$T/nocap.json"
	run la-mkfdt $A --hostcpu "$T/nocap.json" -o "$T/x"
	assert_output "la-mkfdt: --hostcpu: '$T/nocap.json': no usable host CPU topology: capacity is null (cpu0/cpu_capacity: No such file or directory)"
	run la-mkfdt $A --hostcpu "$T/nofile.json" -o "$T/x"
	assert_output "la-mkfdt: --hostcpu: '$T/nofile.json': No such file or directory"
	echo '{"online":["a"]}' >"$T/t.json"
	run la-mkfdt $A --hostcpu "$T/t.json" -o "$T/x"
	assert_output "la-mkfdt: --hostcpu: '$T/t.json': no usable host CPU topology: online[0] is not a CPU id"
}
@test "la-mkfdt: --hostcpu: clusters that fill the table say so; keys naming one CPU twice are refused" {
	# 1025 ids in all: the 1025th is a valid id, but the table is full
	{ printf '{"online":[0],"capacity":{"0":1024},"clusters":[['; seq -s, 0 511; printf '],['; seq -s, 0 511; printf '],[0]]}'; } >"$T/full.json"
	run la-mkfdt $A --hostcpu "$T/full.json" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --hostcpu: '$T/full.json': no usable host CPU topology: clusters[2][0]: the clusters hold at most 1024 CPU ids, and are full"
	echo '{"online":[0],"capacity":{"0":512,"00":1024},"clusters":[[0]]}' >"$T/dup.json"
	run la-mkfdt $A --hostcpu "$T/dup.json" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --hostcpu: '$T/dup.json': no usable host CPU topology: capacity: keys \"0\" and \"00\" are the same CPU 0"
	echo '{"online":[0],"capacity":{"0":512},"max_freq_khz":{"1":5,"01":6},"clusters":[[0]]}' >"$T/dup2.json"
	run la-mkfdt $A --hostcpu "$T/dup2.json" -o "$T/x"
	assert_output "la-mkfdt: --hostcpu: '$T/dup2.json': no usable host CPU topology: max_freq_khz: keys \"1\" and \"01\" are the same CPU 1"
	echo '{"online":[0],"capacity":{"0":512},"frequencies_khz":{"000":[1],"0":[2]},"clusters":[[0]]}' >"$T/dup3.json"
	run la-mkfdt $A --hostcpu "$T/dup3.json" -o "$T/x"
	assert_output "la-mkfdt: --hostcpu: '$T/dup3.json': no usable host CPU topology: frequencies_khz: keys \"000\" and \"0\" are the same CPU 0"
}
@test "la-mkfdt: --virt-cpufreq with a host that has no frequency tables is refused" {
	cd "$HC_FIX"
	run la-mkfdt $A --cpus 2 --host-cpu-topology --sysfs-root x86-nocpufreq --virt-cpufreq -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --host-cpu-topology: 'x86-nocpufreq': no usable host CPU topology: frequencies_khz: x86-nocpufreq/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies: No such file or directory"
}
@test "la-mkfdt: the host topology needs as many vCPUs as online host CPUs (crosvm refuses the rest too)" {
	cd "$HC_FIX"
	run la-mkfdt $A --cpus 4 --host-cpu-topology --sysfs-root phone -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --host-cpu-topology: 'phone': no usable host CPU topology: 4 vCPUs (--cpus) but 8 online host CPUs: the host topology needs one vCPU per online CPU, as crosvm's"
	la-hostcpu --sysfs-root phone --json >"$T/h.json"
	run la-mkfdt $A --cpus 9 --hostcpu "$T/h.json" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --hostcpu: '$T/h.json': no usable host CPU topology: 9 vCPUs (--cpus) but 8 online host CPUs: the host topology needs one vCPU per online CPU, as crosvm's"
	[ ! -e "$T/x" ]
}
@test "la-mkfdt: --hostcpu JSON of another schema is refused; without one it is read as la-hostcpu/1" {
	cd "$HC_FIX"
	la-hostcpu --sysfs-root phone --json >"$T/h.json"
	jq '.schema = "la-hostcpu/2"' "$T/h.json" >"$T/h2.json"
	run la-mkfdt $A --cpus 8 --hostcpu "$T/h2.json" -o "$T/x"
	assert_failure 1
	assert_output "la-mkfdt: --hostcpu: '$T/h2.json': no usable host CPU topology: schema la-hostcpu/2 is not la-hostcpu/1"
	jq 'del(.schema)' "$T/h.json" >"$T/h0.json"
	la-mkfdt $A --cpus 8 --hostcpu "$T/h0.json" -o "$T/a.dtb"
	la-mkfdt $A --cpus 8 --hostcpu "$T/h.json" -o "$T/b.dtb"
	cmp "$T/a.dtb" "$T/b.dtb"
}
@test "la-mkfdt: an unexpected argument and bad shared VM options exit 2" {
	mk_usage "la-mkfdt: unexpected argument 'foo'" $A foo
	run la-mkfdt --arch aarch64 --mem 1X
	assert_failure 2
}

# ---- the parser sandbox: the inputs are parsed in a child process under the
# "parser" seccomp filter. build/tests/hooks/la-mkfdt is the test build,
# where LA_TEST_FORBIDDEN=parser makes the child call socket(2). The child
# runs only when there is a file to parse: these tests give an overlay.

MK_HOOKED=${LA_BUILD:-$LA_TOP/build}/tests/hooks/la-mkfdt

@test "la-mkfdt: a forbidden call while parsing ends la-mkfdt with 40, one line naming it, no output" {
	no_qemu_user
	mk_ov refs
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --arch aarch64 --cpus 2 --seed 1 \
		--overlay "$T/refs.dtbo" -o "$T/out.dtb"
	assert_failure 40
	assert_output --regexp '^la-mkfdt: seccomp: parser thread 0 made a forbidden system call: socket \(41\) args 0x1, 0x1, 0x0, '
	[ "${#lines[@]}" = 1 ]
	[ ! -e "$T/out.dtb" ]
}

@test "la-mkfdt: --seccomp errno fails the call with EPERM; the tree is the same" {
	no_qemu_user
	mk_ov refs
	la-mkfdt --arch aarch64 --cpus 2 --seed 3 --overlay "$T/refs.dtbo" -o "$T/plain.dtb"
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --seccomp errno --arch aarch64 --cpus 2 \
		--seed 3 --overlay "$T/refs.dtbo" -o "$T/errno.dtb"
	assert_success
	assert_output 'la-test-hook: parser: socket(AF_UNIX, SOCK_STREAM, 0) failed: Operation not permitted'
	cmp "$T/plain.dtb" "$T/errno.dtb"
}

@test "la-mkfdt: --seccomp off parses in-process with no filter; log lets the call through" {
	no_qemu_user
	mk_ov refs
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --seccomp off --arch aarch64 --cpus 2 --seed 1 \
		--overlay "$T/refs.dtbo" -o "$T/o.dtb"
	assert_success
	assert_output --regexp '^la-test-hook: parser: socket\(AF_UNIX, SOCK_STREAM, 0\) returned [0-9]+$'
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --seccomp log --arch aarch64 --cpus 2 --seed 1 \
		--overlay "$T/refs.dtbo" -o "$T/l.dtb"
	assert_success
	assert_output --regexp '^la-test-hook: parser: socket\(AF_UNIX, SOCK_STREAM, 0\) returned [0-9]+$'
	cmp "$T/o.dtb" "$T/l.dtb"
}

@test "la-mkfdt: --seccomp kill: the parser dies of SIGSYS and la-mkfdt says so (exit 1)" {
	no_qemu_user
	mk_ov refs
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --seccomp kill --arch aarch64 --cpus 2 --seed 1 \
		--overlay "$T/refs.dtbo" -o "$T/k.dtb"
	assert_failure 1
	assert_output 'la-mkfdt: the parser process was killed by signal 31 (Bad system call)'
	[ ! -e "$T/k.dtb" ]
}

@test "la-mkfdt: with no file to parse (no kernel, overlay, --hostcpu, host topology) no parser runs; the tree is the same" {
	no_qemu_user
	local a
	for a in x86_64 aarch64 riscv64; do
		run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --arch "$a" --cpus 2 --seed 1 -o "$T/n-$a.dtb"
		assert_success
		assert_output ''
		la-mkfdt --seccomp off --arch "$a" --cpus 2 --seed 1 -o "$T/off-$a.dtb"
		cmp "$T/n-$a.dtb" "$T/off-$a.dtb"
	done
	# each input brings the parser back: an initrd alone does not (its size only)
	head -c 4096 /dev/zero >"$T/rd"
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --arch aarch64 --initrd "$T/rd" -o "$T/rd.dtb"
	assert_success
	assert_output ''
	la-hostcpu --json >"$T/h.json"
	run env LA_TEST_FORBIDDEN=parser "$MK_HOOKED" --arch aarch64 --cpus "$(nproc)" \
		--hostcpu "$T/h.json" -o "$T/h.dtb"
	assert_failure 40
	assert_output --partial 'parser thread 0 made a forbidden system call: socket (41)'
}

@test "la-mkfdt: --seccomp takes trap, kill, log, errno or off" {
	run la-mkfdt --arch x86_64 --seccomp loud
	assert_failure 2
	assert_output "la-mkfdt: --seccomp: 'loud': not a mode (trap, kill, log, errno or off)"
	run la-mkfdt --help
	assert_output --partial -- '--seccomp=MODE'
}
@test "la-mkfdt: an --overlay that is device tree source says how to compile it" {
	printf '/dts-v1/;\n/plugin/;\n&{/} { x {}; };\n' >"$T/x.dts"
	run la-mkfdt --arch x86_64 --overlay "$T/x.dts" -o "$T/o.dtb"
	assert_failure 1
	assert_output "la-mkfdt: --overlay: '$T/x.dts': not a valid device tree blob: this is device tree source; compile it with dtc -@ -I dts -O dtb -o FILE.dtbo $T/x.dts"
	run la-vmrun --arch x86_64 --overlay "$T/x.dts" --explain "$LA_BUILD/guest/probe.bzImage"
	assert_failure 1
	assert_output "la-vmrun: --overlay: '$T/x.dts': not a valid device tree blob: this is device tree source; compile it with dtc -@ -I dts -O dtb -o FILE.dtbo $T/x.dts"
}

# --- --device: the platform's PCI devices fill the interrupt-map ------------

# imap OUT: the interrupt-map cells of /pci in $T/OUT.dts, one per line
imap() {
	sed -n 's/.*interrupt-map = <\(.*\)>;/\1/p' "$T/$1.dts" | tr ' ' '\n'
}

@test "la-mkfdt: without PCI devices the interrupt-map is empty, as crosvm's" {
	mk_dts arm --arch aarch64 --seed 1
	grep -q 'interrupt-map;' "$T/arm.dts"
	mk_dts rv --arch riscv64 --seed 1
	grep -q 'interrupt-map;' "$T/rv.dts"
}

@test "la-mkfdt: --device virtio-blk --device virtio-net: aarch64 interrupt-map entries from la-alloc's slots and INTx" {
	mk_dts arm --arch aarch64 --seed 1 --device virtio-blk --device virtio-net
	# per device: unit address, 0, 0, INTA, GIC phandle, 0, 0, SPI, IRQ, level high
	want=$(la-alloc --arch aarch64 --platform --device virtio-blk --device virtio-net --json |
		jq -r '[.grants[] | select(.kind == "pci" or (.name | endswith(".intx")))] |
			range(0; length; 2) as $i | .[$i:$i+2] |
			"\(.[0].dev * 2048) 0 0 1 1 0 0 0 \(.[1].value) 4"' | tr ' ' '\n')
	got=$(imap arm | xargs printf '%d\n')
	[ "$got" = "$want" ] || fail "interrupt-map: $got; want: $want"
	[ "$(imap arm | wc -l)" -eq 20 ]
}

@test "la-mkfdt: riscv64 interrupt-map entries go to the APLIC (two cells); with --aia-sources 0 the map is empty" {
	mk_dts rv --arch riscv64 --seed 1 --device virtio-rng
	irq=$(la-alloc --arch riscv64 --platform --device virtio-rng --json |
		jq -r '.grants[] | select(.name == "virtio-rng0.intx") | .value')
	[ "$(imap rv | xargs printf '%d ')" = "2048 0 0 1 2 $irq 4 " ]
	mk_dts rv0 --arch riscv64 --seed 1 --device virtio-rng --aia-sources 0
	grep -q 'interrupt-map;' "$T/rv0.dts"
}

@test "la-mkfdt: --device errors: an unknown TYPE, a device the arch lacks, a fixed range in use, x86_64" {
	run --separate-stderr la-mkfdt --arch aarch64 --device floppy
	assert_failure 2
	[[ "$stderr" == "la-mkfdt: --device: 'floppy': unknown TYPE (use com1, com2, "* ]] || fail "$stderr"
	fails 2 "la-mkfdt: --device: 'i8042': aarch64 has no i8042" \
		la-mkfdt --arch aarch64 --device i8042 -o "$T/x.dtb"
	fails 2 "la-mkfdt: --device: 'com1': existing allocation (overlaps 'com1.mmio')" \
		la-mkfdt --arch aarch64 --device com1 -o "$T/x.dtb"
	fails 2 "la-mkfdt: --device: 'virtio-blk': not used in the x86_64 device tree" \
		la-mkfdt --arch x86_64 --device virtio-blk -o "$T/x.dtb"
	[ ! -e "$T/x.dtb" ]
}

@test "la-mkfdt: an empty --initrd is said to be empty, on every arch (exit 1)" {
	local a
	: >"$T/empty"
	for a in x86_64 aarch64 riscv64; do
		run la-mkfdt --arch "$a" --initrd "$T/empty" -o "$T/e-$a.dtb"
		assert_failure 1
		assert_output "la-mkfdt: --initrd: '$T/empty': initrd is empty"
		[ ! -e "$T/e-$a.dtb" ]
	done
}
