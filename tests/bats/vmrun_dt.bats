#!/usr/bin/env bats
# la-vmrun for the device-tree arches (aarch64, riscv64) without KVM: the
# tree it builds is la-mkfdt's, byte for byte, from the same options; its
# --explain and --dump-fdt work on any host. Booting is in
# vmrun_vm_aarch64.bats and vmrun_vm_riscv64.bats (emulated hosts).

load helpers
load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
	dt_kernels "$tmp"
	head -c 300000 /dev/zero >"$tmp/rd"
}

teardown() {
	rm -rf "$tmp"
}

# same_tree ARCH KERNEL VMRUN-ARGS... -- MKFDT-ARGS...: la-vmrun's dumped
# tree equals la-mkfdt's for the same VM (la-mkfdt --earlycon 1: la-vmrun
# puts earlycon on the console; --device virtio-rng --device pvpanic:
# la-vmrun's default virtio-rng and pvpanic, in the /pci interrupt-map)
same_tree() {
	local arch=$1 k=$2 v=() m=()
	shift 2
	while [ "$1" != -- ]; do v+=("$1"); shift; done
	shift
	m=("$@")
	la-vmrun --arch "$arch" --explain "${v[@]}" --dump-fdt "$tmp/v.dtb" "$k" >"$tmp/explain" ||
		return 1
	la-mkfdt --arch "$arch" --earlycon 1 --device virtio-rng --device pvpanic --kernel "$k" \
		"${m[@]}" -o "$tmp/m.dtb" || return 1
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
}

@test "la-vmrun --dump-fdt: aarch64's tree is la-mkfdt's byte for byte given the same --seed" {
	same_tree aarch64 "$tmp/Image" --seed 7 -- --seed 7
	same_tree aarch64 "$tmp/Image" --seed 9 -m 3G -c 4 --initrd "$tmp/rd" -p quiet \
		--gic v2 --no-pmu --psci 0.2 --cpu-capacity 0=512,1=1024 -- \
		--seed 9 -m 3G -c 4 --initrd "$tmp/rd" --cmdline quiet --gic v2 --no-pmu \
		--psci 0.2 --cpu-capacity 0=512,1=1024
	same_tree aarch64 "$tmp/Image" --seed 1 --fdt-position start -- --seed 1 \
		--fdt-position start
	# another seed, another tree
	la-vmrun --arch aarch64 --explain --seed 2 --dump-fdt "$tmp/2.dtb" "$tmp/Image" >/dev/null
	! cmp -s "$tmp/2.dtb" "$tmp/m.dtb"
}

@test "la-vmrun --dump-fdt: riscv64's tree is la-mkfdt's byte for byte given the same --seed" {
	same_tree riscv64 "$tmp/rv" --seed 7 -- --seed 7
	same_tree riscv64 "$tmp/rv" --seed 3 -m 5G -c 2 --initrd "$tmp/rd" \
		--timebase-frequency 1000000 --aia-ids 127 -- --seed 3 -m 5G -c 2 \
		--initrd "$tmp/rd" --timebase-frequency 1000000 --aia-ids 127
}

@test "la-vmrun --dump-fdt: the la-hostcpu pipeline gives the tree la-mkfdt builds from it" {
	la-hostcpu --sysfs-root "$LA_TOP/tests/fixtures/hostcpu/phone" --json >"$tmp/h.json"
	la-hostcpu --sysfs-root "$LA_TOP/tests/fixtures/hostcpu/phone" --json |
		la-vmrun --arch aarch64 --cpus 8 --hostcpu - --seed 4 --explain \
			--dump-fdt "$tmp/v.dtb" "$tmp/Image" >/dev/null
	la-mkfdt --arch aarch64 --cpus 8 --hostcpu "$tmp/h.json" --seed 4 --earlycon 1 \
		--device virtio-rng --device pvpanic --kernel "$tmp/Image" -o "$tmp/m.dtb"
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
	run fdtget "$tmp/v.dtb" /cpus/cpu@7 capacity-dmips-mhz
	assert_output 1024
}

@test "la-vmrun --explain: an aarch64 VM's image, initrd, command line and tree on any host" {
	run la-vmrun --arch aarch64 --explain -m 1G --initrd "$tmp/rd" -p quiet "$tmp/Image"
	assert_success
	assert_output --partial "image: arm64 Image '$tmp/Image', loaded at 0x80080000-0x8017ffff, entry 0x80080000"
	assert_output --partial "initrd: '$tmp/rd' at 0x81000000-0x810493df (300000 bytes)"
	assert_output --partial "cmdline (/chosen/bootargs, 57 characters): panic=-1 console=ttyS0 earlycon=uart8250,mmio,0x3f8 quiet"
	assert_output --regexp "fdt: at 0xbfe00000-0xbfe0[0-9a-f]{4} \([0-9]+ bytes, --fdt-position end\); the boot vCPU gets its address in x0"
	assert_output --partial "pci-cam              reserve  0x0000000000010000-0x000000000100ffff"
	assert_output --partial "device tree (la-mkfdt's aarch64 tree with 0 overlays"
	assert_output --partial "    U6_16550A@3f8"
}

@test "la-vmrun --explain: a riscv64 VM's raw image and its tree after the payload" {
	run la-vmrun --arch riscv64 --explain --initrd "$tmp/rd" "$tmp/rv"
	assert_success
	assert_output --partial "image: raw image '$tmp/rv', loaded at 0x80200000-0x80324f7f, entry 0x80200000"
	assert_output --partial "fdt: at 0x80400000-"
	assert_output --partial "--fdt-position after-payload); the boot vCPU gets its address in a1"
}

@test "la-vmrun: a --cmdline longer than the arch takes is refused whole, never cut" {
	local long=$(printf 'x%.0s' $(seq 5000))
	run la-vmrun --arch aarch64 --explain -p "$long" "$tmp/Image"
	assert_failure 1
	assert_output "la-vmrun: --cmdline: command line is too long for this architecture (at most 2047 characters on aarch64)"
}

@test "la-vmrun --explain --json: the DT arches' image, initrd, cmdline and fdt members" {
	la-vmrun --arch aarch64 --explain --json --initrd "$tmp/rd" "$tmp/Image" >"$tmp/e.json"
	run jq -r '.schema, .image.kind, .image.entry, .initrd.start_hex, .cmdline.where, .fdt.position' "$tmp/e.json"
	assert_output "$(printf '%s\n' la-vmrun-explain/1 'arm64 Image' 2148007936 0x81000000 /chosen/bootargs end)"
	# its regions are la-layout's
	run jq -c .regions "$tmp/e.json"
	assert_output "$(la-layout --arch aarch64 --json | jq -c .regions)"
}

@test "la-vmrun --fdt: la-mkfdt's tree goes in as given (also from standard input)" {
	la-mkfdt --arch aarch64 --seed 5 --cpus 2 -o "$tmp/m.dtb"
	la-vmrun --arch aarch64 --cpus 2 --explain --fdt "$tmp/m.dtb" --dump-fdt "$tmp/v.dtb" \
		"$tmp/Image" >/dev/null
	cmp "$tmp/m.dtb" "$tmp/v.dtb"
	la-mkfdt --arch aarch64 --seed 5 --cpus 2 |
		la-vmrun --arch aarch64 --cpus 2 --explain --fdt - --dump-fdt "$tmp/v.dtb" \
			"$tmp/Image" >/dev/null
	cmp "$tmp/m.dtb" "$tmp/v.dtb"
	# a riscv64 tree is refused for an aarch64 VM
	la-mkfdt --arch riscv64 -o "$tmp/rv.dtb"
	run la-vmrun --arch aarch64 --explain --fdt "$tmp/rv.dtb" "$tmp/Image"
	assert_failure 1
	assert_output --partial "la-vmrun: --fdt: '$tmp/rv.dtb': a device tree for riscv64"
}

@test "la-vmrun --overlay: applied to the aarch64 tree as la-mkfdt applies it" {
	ov plain
	same_tree aarch64 "$tmp/Image" --seed 6 --overlay "$tmp/plain.dtbo" -- --seed 6 \
		--overlay "$tmp/plain.dtbo"
	run fdtget "$tmp/v.dtb" /extra-node compatible
	assert_output la,extra
}

@test "la-vmrun: the tree's options are refused where the arch's tree has no use for them" {
	fails 2 "la-vmrun: --gic: 'v2': not used in the x86_64 device tree" \
		la-vmrun --arch x86_64 --gic v2 --explain "$PROBE"
	fails 2 "la-vmrun: --timebase-frequency: '5': not used in the aarch64 device tree" \
		la-vmrun --arch aarch64 --timebase-frequency 5 --explain "$tmp/Image"
	fails 2 "la-vmrun: --its: the GIC ITS needs GICv3" \
		la-vmrun --arch aarch64 --gic v2 --its --explain "$tmp/Image"
	fails 2 "la-vmrun: --seed: 'x': not a whole number from 0 to 2^64-1" \
		la-vmrun --arch aarch64 --seed x --explain "$tmp/Image"
	fails 2 "la-vmrun: --no-acpi: aarch64 guests have no ACPI (their platform is the device tree)" \
		la-vmrun --arch aarch64 --no-acpi --explain "$tmp/Image"
	fails 2 "la-vmrun: --debugcon: '$tmp/d': the debug port 0x402 is x86_64's" \
		la-vmrun --arch riscv64 --debugcon "$tmp/d" --explain "$tmp/rv"
}

@test "la-vmrun: a kernel for another arch, and two inputs on standard input, are refused" {
	run la-vmrun --arch aarch64 --explain "$tmp/rv"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/rv': not a kernel image for this architecture"
	run bash -c "la-hostcpu --sysfs-root '$LA_TOP/tests/fixtures/hostcpu/phone' --json |
		la-vmrun --arch aarch64 --cpus 8 --hostcpu - --fdt - --explain '$tmp/Image'"
	assert_failure 2
	assert_output --partial "standard input is read by --fdt already; only one input can be -"
}

@test "la-vmrun: a guest of another arch than the host's runs only as --explain (exit 1)" {
	local other=aarch64
	[ "$(la_host_arch)" != aarch64 ] || other=riscv64
	run la-vmrun --arch $other "$tmp/Image"
	assert_failure 1
	assert_output --partial "la-vmrun: --arch: '$other': KVM runs guests of this host's arch ($(la_host_arch)) only"
}

# ---- the aarch64 platform devices crosvm adds: the goldfish battery
# (--battery), the stall detector and the PL030 (their registers run in
# vmrun_vm_aarch64.bats and tests/unit/test_platdev.c)

@test "la-vmrun --battery: aarch64's goldfish_battery node is la-mkfdt --device battery's, byte for byte, in all three spellings" {
	same_tree aarch64 "$tmp/Image" --seed 3 --battery -- --seed 3 --device battery
	same_tree aarch64 "$tmp/Image" --seed 3 --battery type=goldfish -- --seed 3 --device battery
	same_tree aarch64 "$tmp/Image" --seed 3 --battery=type=goldfish -- --seed 3 --device battery
	dtc -q -I dtb -O dts "$tmp/v.dtb" >"$tmp/v.dts"
	run grep -A4 'goldfish_battery {' "$tmp/v.dts"
	assert_line --partial 'compatible = "google,goldfish-battery";'
	assert_line --partial 'interrupts = <0x00 0x03 0x04>;'
	# between the PL030 and the stall detector, as crosvm's create_fdt
	[ "$(grep -nE '(rtc@2000|goldfish_battery|vmwdt@3000) \{' "$tmp/v.dts" | cut -d'{' -f1 |
		tr -d ' \t' | cut -d: -f2 | tr '\n' ' ')" = "rtc@2000 goldfish_battery vmwdt@3000 " ]
	# and none without --battery
	la-vmrun --arch aarch64 --explain --seed 3 --dump-fdt "$tmp/n.dtb" "$tmp/Image" >/dev/null
	! dtc -q -I dtb -O dts "$tmp/n.dtb" | grep -q goldfish
}

@test "la-vmrun --battery: its grants are la-alloc's after the PCI devices (low MMIO, SPI 3), in --explain, its JSON and the tree" {
	la-alloc --arch aarch64 --mem 1G --platform --device virtio-rng --device pvpanic \
		--device battery | grant_pairs >"$tmp/alloc"
	la-vmrun --arch aarch64 --explain --mem 1G --battery "$tmp/Image" | grant_pairs >"$tmp/explain"
	run diff "$tmp/alloc" "$tmp/explain"
	assert_success
	run grep '^battery\.' "$tmp/explain"
	assert_output "battery.mmio 0x0000000002009000-0x0000000002009fff
battery.irq 3"
	local a v m
	a=$(la-alloc --arch aarch64 --mem 1G --platform --device virtio-rng --device pvpanic \
		--device battery --json | jq -c '[.grants[] | select(.name | startswith("battery.")) | del(.tag)]')
	v=$(la-vmrun --arch aarch64 --explain --json --mem 1G --battery "$tmp/Image" |
		jq -c '[.grants[] | select(.name | startswith("battery.")) | del(.tag)]')
	[ "$a" = "$v" ] || fail "la-alloc $a, la-vmrun $v"
	[ "$(jq -r '.[0].start_hex' <<<"$v")" = 0x2009000 ] || fail "battery.mmio: $v"
	[ "$(jq -r '.[1].value' <<<"$v")" = 3 ] || fail "battery.irq: $v"
	# the pvpanic BAR ends at 0x200800f: the battery is the next 4 KiB of low MMIO
	la-mkfdt --arch aarch64 --mem 1G --device virtio-rng --device pvpanic --device battery \
		-o "$tmp/m.dtb"
	run "$LA_BUILD/tests/la-probe-dt-report" "$tmp/m.dtb"
	assert_line 'probe: device battery goldfish_battery 0x2009000 0x1000'
	assert_line 'probe: device vmwdt vmwdt@3000 0x3000 0x1000'
	assert_line 'probe: device rtc rtc@2000 0x2000 0x1000'
}

@test "la-vmrun --battery: another type, another arch are refused (exit 2)" {
	fails 2 "la-vmrun: --battery: 'type=lithium': not a battery (type=goldfish is the one type)" \
		la-vmrun --arch aarch64 --explain --battery type=lithium "$tmp/Image"
	fails 2 "la-vmrun: --battery: 'goldfish': not a battery (type=goldfish is the one type)" \
		la-vmrun --arch aarch64 --explain --battery=goldfish "$tmp/Image"
	fails 2 "la-vmrun: --battery: the goldfish battery is aarch64's here (crosvm describes it in ACPI on x86_64; la-vmrun does not)" \
		la-vmrun --arch x86_64 --explain --battery "$LA_BUILD/guest/probe.bzImage"
	fails 2 "la-vmrun: --battery: the goldfish battery is aarch64's here (crosvm describes it in ACPI on x86_64; la-vmrun does not)" \
		la-vmrun --arch riscv64 --explain --battery type=goldfish "$tmp/rv"
	fails 1 "la-alloc: --device: 'battery': x86_64 has no battery" \
		la-alloc --arch x86_64 --platform --device battery
}

# ---- the DT probe guest's report (tests/guest-dt), run on the host over the
# tree la-vmrun dumps: the lines the guest prints from its memory in the VM
# suites, checked here against la-layout and la-alloc

@test "probe-dt report: la-vmrun's aarch64 tree has la-layout's memory and GIC and la-alloc's UARTs" {
	printf 'LA-PROBE-INITRD!' >"$tmp/rd"
	la-vmrun --arch aarch64 --explain -m 5G -c 2 --initrd "$tmp/rd" -p probe.mode=reboot \
		--dump-fdt "$tmp/v.dtb" "$LA_BUILD/guest-dt/probe-aarch64.Image" >/dev/null
	run "$LA_BUILD/tests/la-probe-dt-report" "$tmp/v.dtb"
	assert_success
	la-layout --arch aarch64 -m 5G --json >"$tmp/l.json"
	assert_line "probe: memory $(jq -r '.regions[0] | "\(.start_hex) \(.size_hex)"' "$tmp/l.json")"
	assert_line --regexp "^probe: intc intc arm,gic-v3 $(printf '0x%x' "$(jq .boot.gic_dist "$tmp/l.json")") 0x10000 0x[0-9a-f]+ 0x40000$"
	assert_line "probe: bootargs panic=-1 console=ttyS0 earlycon=uart8250,mmio,0x3f8 probe.mode=reboot"
	assert_line "probe: cpus 2"
	assert_line --regexp "^probe: initrd 0x81000000 0x81000010$"
	for u in com1 com2 com3 com4; do
		a=$(la-alloc --arch aarch64 --platform --json |
			jq -r --arg n "$u.mmio" '.grants[] | select(.name == $n) | .start_hex')
		assert_line "probe: uart U6_16550A@${a#0x} $a"
	done
}

@test "probe-dt report: la-vmrun's riscv64 tree has la-layout's memory and the AIA la-layout places" {
	la-vmrun --arch riscv64 --explain -m 5G --dump-fdt "$tmp/v.dtb" \
		"$LA_BUILD/guest-dt/probe-riscv64.bin" >/dev/null
	run "$LA_BUILD/tests/la-probe-dt-report" "$tmp/v.dtb"
	assert_success
	assert_line "probe: memory $(la-layout --arch riscv64 -m 5G --json | jq -r '.regions[0] | "\(.start_hex) \(.size_hex)"')"
	assert_line "probe: timebase 10000000"
	assert_line "probe: cpus 1"
}

@test "probe-dt report: a truncated or corrupt blob is an error line, not a crash" {
	la-mkfdt --arch aarch64 -o "$tmp/m.dtb"
	head -c 100 "$tmp/m.dtb" >"$tmp/short.dtb"
	run "$LA_BUILD/tests/la-probe-dt-report" "$tmp/short.dtb"
	assert_failure 1
	assert_output "probe: error fdt: header offsets outside the blob"
	# a property length past the structure block
	cp "$tmp/m.dtb" "$tmp/bad.dtb"
	off=$(( $(od -An -tu1 -j8 -N4 "$tmp/m.dtb" | awk '{print $1*16777216+$2*65536+$3*256+$4}') ))
	printf '\x00\x00\x00\x03\x7f\xff\xff\xff' | dd of="$tmp/bad.dtb" bs=1 seek=$((off + 8)) \
		conv=notrunc status=none
	run "$LA_BUILD/tests/la-probe-dt-report" "$tmp/bad.dtb"
	assert_failure 1
	assert_line "probe: error fdt: structure block ends early or is malformed"
	run "$LA_BUILD/tests/la-probe-dt-report" /dev/null
	assert_failure 1
	assert_output "probe: error fdt: no FDT header"
}
