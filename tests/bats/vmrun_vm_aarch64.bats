#!/usr/bin/env bats
# la-vmrun's aarch64 VMs: Debian's arm64 kernel (bookworm) with the busybox
# test initramfs (tests/vm/guest-init.sh), booted by the static aarch64
# la-vmrun (make cross ARCH=aarch64) inside an emulated arm64 host with
# nested KVM (tests/vm/run-in-l1.sh --arch aarch64: QEMU TCG virt with
# virtualization=on and a GICv3), all in ONE boot of it: setup_file runs
# the batch, each @test checks one case's saved results, against la-mkfdt,
# la-alloc and la-hostcpu where they say what the guest must see.
#
# Where something the emulated host needs is missing (qemu-system-aarch64,
# the arm64 kernel, the cross toolchain), the tests fail when CI=true and
# skip loudly elsewhere. Only in the plain pass of tests/run.sh.

load vmrun_vm_helpers

A64_TIMEOUT=240
A64_CROSS=$VM_BUILD/cross/aarch64/bin

# the cases, one la-case line each, $P = the payload folder; every L2 boot
# keeps its console quiet (each byte is an exit through two levels)
a64_cases() {
	local t=$A64_TIMEOUT
	local boot='la-vmrun --arch aarch64 --initrd "$P/guest.cpio"'
	cat <<EOF
la-case a-host 30 sh -c 'ls -l /dev/kvm && uname -m'
la-case a-1cpu $t $boot --mem 512M --cpus 1 --cmdline 'quiet la.dmesg=perfevents la.fate=poweroff' "\$P/vmlinuz"
la-case a-2cpu $t $boot --mem 512M --cpus 2 --its --cmdline 'quiet la.dmesg=stolen la.dmesg=ITS@ la.fate=poweroff' "\$P/vmlinuz"
la-case a-3g $t $boot --mem 3G --cpus 1 --cmdline 'quiet la.fate=poweroff' "\$P/vmlinuz"
la-case a-reboot $t $boot --mem 512M --no-pmu --cmdline 'quiet la.dmesg=perfevents la.fate=reboot' "\$P/vmlinuz"
la-case a-gicv2 30 $boot --mem 512M --gic v2 "\$P/vmlinuz"
la-case a-shell $t sh -c 'for i in \$(seq 80); do echo "echo typed-\\\$((6*7)); poweroff -f"; sleep 2; done | la-vmrun --arch aarch64 --initrd "\$P/guest.cpio" --mem 512M --cmdline "quiet la.fate=shell" "\$P/vmlinuz"'
la-case a-devmem $t $boot --mem 512M --cmdline 'quiet la.devmem=0x5000' "\$P/vmlinuz"
la-case a-overlay $t $boot --mem 512M --overlay "\$P/test.dtbo" --cmdline 'quiet la.dt=la-overlay-test' "\$P/vmlinuz"
la-case a-fdt $t sh -c 'la-mkfdt --arch aarch64 --mem 512M --kernel "\$P/vmlinuz" --initrd "\$P/guest.cpio" --cmdline "quiet la.fate=poweroff" | la-vmrun --arch aarch64 --mem 512M --fdt - --initrd "\$P/guest.cpio" "\$P/vmlinuz"'
la-case a-pipeline $t sh -c 'la-hostcpu --sysfs-root "\$P/phone" --json | la-mkfdt --arch aarch64 --cpus 8 --mem 512M --hostcpu - --kernel "\$P/vmlinuz" --initrd "\$P/guest.cpio" --cmdline "quiet la.show=cpus" | la-vmrun --arch aarch64 --cpus 8 --mem 512M --fdt - --initrd "\$P/guest.cpio" "\$P/vmlinuz"'
la-case a-crash 60 la-vmrun --arch aarch64 --mem 256M --bios "\$P/ldp.bin"
EOF
	# the device-tree probe guest (tests/guest-dt): what it was handed
	local probe='la-vmrun --arch aarch64 --mem 5G --cpus 2 --initrd "$P/rd"'
	cat <<EOF
la-case a-probe 60 $probe --cmdline probe.mode=poweroff "\$P/probe.Image"
la-case a-probe-elf 60 $probe --cmdline probe.mode=poweroff "\$P/probe.elf"
la-case a-probe-reboot 60 $probe --cmdline probe.mode=reboot "\$P/probe.Image"
la-case a-probe-mmio 60 $probe --cmdline probe.mode=mmio "\$P/probe.Image"
la-case a-probe-wait 60 sh -c 'printf x | $probe --cmdline probe.mode=wait "\$P/probe.Image"'
la-case a-probe-1100g 60 la-vmrun --arch aarch64 --mem 1100G --cmdline probe.mode=poweroff "\$P/probe.Image"
la-case a-probe-vmwdt 120 $probe --cmdline probe.mode=vmwdt "\$P/probe.Image"
la-case a-probe-vmwdt-off 60 $probe --cmdline probe.mode=vmwdt-off "\$P/probe.Image"
la-case a-probe-battery 60 $probe --battery type=goldfish --cmdline probe.mode=battery "\$P/probe.Image"
la-case a-probe-rtc 60 sh -c 'date +%s; $probe --cmdline probe.mode=rtc "\$P/probe.Image"; r=\$?; date +%s; exit \$r'
EOF
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(la_vm_missing_aarch64 | head -n 1)
	if [ -z "$m" ] && ! command -v aarch64-linux-gnu-gcc >/dev/null; then
		m="aarch64-linux-gnu-gcc not found (make deps installs the cross toolchains)"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		ARCH=aarch64 cross >"$t/cross.log" 2>&1; then
		m="make cross ARCH=aarch64 failed: $(tail -n 1 "$t/cross.log")"
	fi
	if [ -z "$m" ] && ! "$VM_TOP/tests/vm/mkguest.sh" "$p/guest.cpio" aarch64 2>"$t/mkguest.log"; then
		m="mkguest.sh aarch64 failed: $(tail -n 1 "$t/mkguest.log")"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/guest-dt/probe-aarch64.Image" "$VM_BUILD/guest-dt/probe-aarch64.elf" \
		"$VM_BUILD/tests/la-probe-dt-report" >"$t/probe.log" 2>&1; then
		m="the aarch64 probe guest did not build: $(tail -n 1 "$t/probe.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$(la_vm_l2_kernel_aarch64)" "$p/vmlinuz" || return 1
	cp -a "$VM_TOP/tests/fixtures/hostcpu/phone" "$p/phone" || return 1
	cp "$VM_BUILD/guest-dt/probe-aarch64.Image" "$p/probe.Image" || return 1
	cp "$VM_BUILD/guest-dt/probe-aarch64.elf" "$p/probe.elf" || return 1
	printf 'la-probe-initrd\n' >"$p/rd"
	# an overlay whose node the guest finds in /proc/device-tree
	printf '/dts-v1/;\n/plugin/;\n&{/} {\n\tla-overlay-test {\n\t\tcompatible = "la,overlay-test";\n\t};\n};\n' |
		dtc -q -@ -I dts -O dtb -o "$p/test.dtbo" - || return 1
	# a BIOS that loads a pair from MMIO nothing claims (0x5000): no valid
	# syndrome, so KVM cannot hand the access to the VMM
	#   mov x0, #0x5000; ldp x1, x2, [x0]; b .
	printf '\x00\x00\x8a\xd2\x01\x08\x40\xa9\x00\x00\x00\x14' >"$p/ldp.bin"
	a64_cases | la_vm_drop_cases la_vm_not_selected >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	local bins=(--bin "$A64_CROSS/la-vmrun" --bin "$A64_CROSS/la-mkfdt" --bin "$A64_CROSS/la-hostcpu")
	vm_run_l1 "$t" --arch aarch64 --smp 2 --mem 2G --timeout 900 --stall 180 \
		--payload "$p" "${bins[@]}"
}

# need CASE: the case ran (or why it could not)
need() {
	la_vm_selected "$1" || skip "case $1 is not in LA_VM_ONLY"
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir "$1")" ] ||
		vm_cannot_run "aarch64 emulated host: $(cat "$BATS_FILE_TMPDIR/harness-error")"
}

@test "aarch64 emulated host: L1 is an arm64 machine with /dev/kvm" {
	need a-host
	vm_case_status a-host 0
	assert_output --regexp '^c.* /dev/kvm'
	assert_line aarch64
}

@test "la-vmrun aarch64: Debian's arm64 kernel boots to init with 1 vCPU and powers off (exit 0)" {
	need a-1cpu
	vm_case_status a-1cpu 0
	assert_line 'la-guest: nproc 1'
	assert_line --regexp '^la-guest: cmdline panic=-1 console=ttyS0 .*quiet la\.dmesg=perfevents la\.fate=poweroff$'
	assert_line 'la-guest: ram 80000000-9fffffff'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun aarch64: the guest has KVM's PMUv3 where KVM offers it, none with --no-pmu" {
	need a-1cpu
	vm_case_status a-1cpu 0
	assert_line --regexp '^la-guest: dmesg hw perfevents: enabled with armv8_pmuv3 PMU driver, [0-9]+ counters available$'
	need a-reboot
	vm_case_status a-reboot 32
	refute_output --partial 'armv8_pmuv3'
}

@test "la-vmrun aarch64: --its gives the guest KVM's GICv3 ITS at 0x40000000" {
	need a-2cpu
	vm_case_status a-2cpu 0
	assert_line --regexp '^la-guest: dmesg ITS@0x0000000040000000: allocated [0-9]+ Devices '
}

@test "la-vmrun aarch64: --gic v2 where KVM offers only a GICv3 is refused (exit 2), before any guest runs" {
	need a-gicv2
	vm_case_status a-gicv2 2
	[ "$stderr" = "la-vmrun: --gic: 'v2': this KVM offers no GICv2" ] || fail "stderr: $stderr"
	assert_output ''
}

@test "la-vmrun aarch64: 2 vCPUs, the second started by the guest's PSCI CPU_ON (nproc 2)" {
	need a-2cpu
	vm_case_status a-2cpu 0
	assert_line 'la-guest: nproc 2'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun aarch64: the guest finds its stolen-time (pvtime) structures" {
	need a-2cpu
	vm_case_status a-2cpu 0
	assert_line 'la-guest: dmesg arm-pv: using stolen time PV'
}

@test "la-vmrun aarch64: 3G of RAM from 2 GiB crosses the 4 GiB line, one region as la-layout says" {
	need a-3g
	vm_case_status a-3g 0
	local want
	want=$("$VM_BIN/la-layout" --arch aarch64 --mem 3G --json |
		jq -r '.regions[] | select(.purpose == "guest-memory") | "\(.start_hex)-\(.end_hex)"') ||
		fail "la-layout"
	[ "$want" = "0x80000000-0x13fffffff" ] || fail "la-layout says $want"
	assert_line 'la-guest: ram 80000000-13fffffff'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun aarch64: PSCI SYSTEM_RESET (reboot -f) exits 32" {
	need a-reboot
	vm_case_status a-reboot 32
	assert_line 'la-guest: fate reboot'
}

@test "la-vmrun aarch64: console input reaches the guest's shell through the UART's SPI" {
	need a-shell
	vm_case_status a-shell 0
	assert_line 'la-guest: fate shell'
	assert_output --partial 'typed-42'
}

@test "la-vmrun aarch64: MMIO no device claims reads all ones in the guest and is said once" {
	need a-devmem
	vm_case_status a-devmem 0
	assert_line 'la-guest: devmem 0x5000 0xFFFFFFFF'
	[ "$(grep -c 'la-vmrun: note: the guest read 4 bytes at 0x5000' <<<"$stderr")" -eq 1 ] ||
		fail "stderr: $stderr"
}

@test "la-vmrun aarch64: an --overlay node is in the guest's /proc/device-tree" {
	need a-overlay
	vm_case_status a-overlay 0
	assert_line 'la-guest: dt la-overlay-test compatible la,overlay-test'
}

@test "la-vmrun aarch64: --fdt - boots la-mkfdt's tree" {
	need a-fdt
	vm_case_status a-fdt 0
	assert_line --regexp '^la-guest: cmdline panic=-1 console=ttyS0 .*quiet la\.fate=poweroff$'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun aarch64: la-hostcpu | la-mkfdt --hostcpu - | la-vmrun --fdt -: 8 vCPUs with the phone's capacities and clusters" {
	need a-pipeline
	vm_case_status a-pipeline 0
	assert_line 'la-guest: nproc 8'
	local i cap cl
	for i in 0 1 2 3 4 5 6 7; do
		case $i in
		[0-3]) cap=265 cl=0-3 ;;
		[4-6]) cap=622 cl=4-6 ;;
		7) cap=1024 cl=7 ;;
		esac
		assert_line --regexp "^la-guest: cpu$i capacity $cap cluster $cl "
	done
}

@test "la-vmrun aarch64: a guest access KVM cannot decode is a crash: exit 33, the registers on stderr" {
	need a-crash
	vm_case_status a-crash 33
	grep -q 'la-vmrun: guest crashed: .* on vCPU 0' <<<"$stderr" || fail "stderr: $stderr"
	grep -qE '^  pc +0x0000000080200004' <<<"$stderr" || fail "no pc on stderr: $stderr"
	grep -qE '^  x0 +0x0000000000005000' <<<"$stderr" || fail "no x0 on stderr: $stderr"
	grep -q 'esr_el1' <<<"$stderr" || fail "no esr_el1 on stderr: $stderr"
}

# a64_probe_expected MODE: the lines the probe must print about its tree:
# la-probe-dt-report (the probe's own walker, on the host) over the tree
# la-vmrun --explain --dump-fdt builds for the same options (all but the
# blob's size, which the host KVM's PMU changes)
a64_probe_expected() {
	local tmp=$BATS_TEST_TMPDIR
	printf 'la-probe-initrd\n' >"$tmp/rd"
	"$VM_BIN/la-vmrun" --arch aarch64 --explain --mem 5G --cpus 2 --initrd "$tmp/rd" \
		--cmdline "probe.mode=$1" --dump-fdt "$tmp/p.dtb" "$VM_BUILD/guest-dt/probe-aarch64.Image" \
		>/dev/null || return 1
	"$VM_BUILD/tests/la-probe-dt-report" "$tmp/p.dtb" | grep -v '^probe: fdt size '
}

# a64_probe_check MODE: the probe's tree was the one la-vmrun shows, and
# the probe runs at EL1 with the tree at the end of its 5 GiB
a64_probe_check() {
	local want l
	want=$(a64_probe_expected "$1") || fail "la-vmrun --explain --dump-fdt failed"
	[ "$(wc -l <<<"$want")" -ge 8 ] || fail "la-probe-dt-report said too little: $want"
	while IFS= read -r l; do
		assert_line "$l"
	done <<<"$want"
	assert_line 'probe: start el 1'
	assert_line 'probe: fdt-at 0x1bfe00000'
	assert_line 'probe: initrd-head la-probe-initrd.' # the newline as a dot
	assert_line "probe: mode $1"
}

@test "probe-dt on aarch64: the tree it gets in x0 is la-vmrun's (memory, GIC, UARTs, bootargs, initrd, cpus); PSCI SYSTEM_OFF exits 0" {
	need a-probe
	vm_case_status a-probe 0
	a64_probe_check poweroff
	assert_line 'probe: errors 0'
}

@test "probe-dt on aarch64: the same probe as an ELF boots the same way" {
	need a-probe-elf
	vm_case_status a-probe-elf 0
	a64_probe_check poweroff
	assert_line 'probe: errors 0'
}

@test "probe-dt on aarch64: PSCI SYSTEM_RESET exits 32" {
	need a-probe-reboot
	vm_case_status a-probe-reboot 32
	assert_line 'probe: mode reboot'
}

@test "probe-dt on aarch64: MMIO no device claims reads all ones, said once on stderr, the guest goes on" {
	need a-probe-mmio
	vm_case_status a-probe-mmio 0
	assert_line 'probe: mmio 0x20000000 read 0xffffffff'
	assert_line 'probe: errors 0'
	[ "$(grep -c 'MMIO no device claims' <<<"$stderr")" -eq 1 ] || fail "stderr: $stderr"
}

@test "probe-dt on aarch64: a byte on standard input reaches COM1's receive register" {
	need a-probe-wait
	vm_case_status a-probe-wait 0
	assert_line 'probe: input 0x78'
}

@test "probe-dt on aarch64: 1100G of RAM reaches past 2^40: the VM has the host KVM's largest IPA size" {
	need a-probe-1100g
	vm_case_status a-probe-1100g 0
	local want
	want=$("$VM_BIN/la-layout" --arch aarch64 --mem 1100G --json |
		jq -r '.regions[] | select(.purpose == "guest-memory") | "probe: memory \(.start_hex) \(.size_hex)"')
	[ "$want" = "probe: memory 0x80000000 0x11300000000" ] || fail "la-layout says $want"
	assert_line "$want"
	assert_line 'probe: errors 0'
}

# ---- the platform devices crosvm adds (Debian's arm64 kernel has none of
# their drivers: the probe drives them where the tree says they are)

@test "probe-dt on aarch64: a guest that enables the vCPU stall detector and stops petting it is reset: exit 36 (watchdog reset), one line on stderr" {
	need a-probe-vmwdt
	vm_case_status a-probe-vmwdt 36
	assert_line 'probe: device vmwdt vmwdt@3000 0x3000 0x1000'
	assert_line 'probe: vmwdt enabled status 1 load 10 current 10 freq 10'
	# eight pets a quarter second apart outlive the 1 s count
	for i in 1 2 3 4 5 6 7 8; do
		assert_line "probe: vmwdt pet $i"
	done
	assert_line --regexp '^probe: vmwdt petted status 1 load 10 current ([1-9]|10) freq 10$'
	assert_line 'probe: vmwdt no more pets'
	[ "$stderr" = "la-vmrun: watchdog reset: a vCPU stopped petting the stall detector (vmwdt): exit status 36" ] ||
		fail "stderr: $stderr"
}

@test "probe-dt on aarch64: a disabled stall detector never resets; a vCPU the VM lacks has no registers" {
	need a-probe-vmwdt-off
	vm_case_status a-probe-vmwdt-off 0
	assert_line 'probe: vmwdt cpu5 status 0 load 0 current 0 freq 0'
	assert_line 'probe: vmwdt disabled status 0 load 10 current 10 freq 10'
	assert_line 'probe: vmwdt spun 2 s disabled'
	assert_line 'probe: errors 0'
}

@test "probe-dt on aarch64: --battery type=goldfish: the battery at la-alloc's grant reads crosvm's values (AC online, present, 50 %)" {
	need a-probe-battery
	vm_case_status a-probe-battery 0
	local a
	a=$("$VM_BIN/la-alloc" --arch aarch64 --mem 5G --platform --device virtio-rng \
		--device pvpanic --device battery --json |
		jq -r '.grants[] | select(.name == "battery.mmio") | .start_hex')
	[ -n "$a" ] || fail "la-alloc has no battery.mmio"
	assert_line "probe: device battery goldfish_battery $a 0x1000"
	assert_line 'probe: battery ac_online 1 status 0 health 0 present 1 capacity 50'
	assert_line 'probe: battery voltage 0 temp 0 cycles 0'
	assert_line 'probe: battery int_enable 3 int_status 0'
	# no register at 0x800, a byte read, a write to a read-only register
	assert_line 'probe: battery at 0x800 0x0 byte 0x0 capacity 50'
	assert_line 'probe: errors 0'
}

@test "probe-dt on aarch64: the PL030 counts the host's UTC seconds, takes a load, names itself (periph 0x41030)" {
	need a-probe-rtc
	vm_case_status a-probe-rtc 0
	local before after dr dr2
	before=$(head -n 1 <<<"$output")
	after=$(tail -n 1 <<<"$output")
	dr=$(sed -n 's/^probe: rtc dr \([0-9]*\)$/\1/p' <<<"$output")
	dr2=$(sed -n 's/^probe: rtc dr-after-2s \([0-9]*\)$/\1/p' <<<"$output")
	[ -n "$dr" ] && [ -n "$dr2" ] || fail "no counter lines: $output"
	[ "$dr" -ge "$before" ] && [ "$dr" -le "$after" ] || fail "dr $dr not in [$before, $after]"
	[ "$dr2" -gt "$dr" ] && [ "$dr2" -le "$after" ] || fail "dr after 2 s: $dr2 (dr $dr, end $after)"
	assert_line 'probe: rtc periphid 0x41030 cellid 0xb105f00d'
	assert_line --regexp '^probe: rtc loaded 10000000[0-9][0-9] match 1000000100 cr 1$'
	assert_line 'probe: errors 0'
}

# (--interactive works on every arch: make_run_dt.bats)
@test "aarch64 emulated host: run-in-l1.sh --arch takes x86_64, aarch64 or riscv64; --qemu is x86_64's (exit 2)" {
	run "$VM_TOP/tests/vm/run-in-l1.sh" --arch sparc -- true
	assert_failure 2
	assert_line --index 0 "run-in-l1: --arch: 'sparc': not x86_64, aarch64 or riscv64"
	run "$VM_TOP/tests/vm/run-in-l1.sh" --arch aarch64 --qemu -- true
	assert_failure 2
	assert_line --index 0 'run-in-l1: --qemu: x86_64 only'
}

@test "aarch64 emulated host: without the arm64 kernel run-in-l1.sh says how to fetch it (exit 3)" {
	run env LA_KERNELS="$BATS_TEST_TMPDIR/none" "$VM_TOP/tests/vm/run-in-l1.sh" --arch aarch64 -- true
	assert_failure 3
	if command -v qemu-system-aarch64 >/dev/null; then
		assert_output "run-in-l1: harness failed: no arm64 kernel in $BATS_TEST_TMPDIR/none/aarch64 (run make kernels, or tests/vm/kernels.sh $BATS_TEST_TMPDIR/none aarch64)"
	else
		assert_output 'run-in-l1: harness failed: qemu-system-aarch64 not found (Debian package qemu-system-arm)'
	fi
}
