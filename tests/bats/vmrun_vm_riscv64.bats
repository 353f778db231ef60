#!/usr/bin/env bats
# la-vmrun's riscv64 VMs: trixie's riscv64 kernel with the busybox test
# initramfs (tests/vm/guest-init.sh), booted by the static riscv64 la-vmrun
# (make cross ARCH=riscv64) inside an emulated riscv64 host with nested KVM
# (tests/vm/run-in-l1.sh --arch riscv64: QEMU TCG virt, rv64 with the H
# extension), all in ONE boot of it: setup_file runs the batch, each @test
# checks one case's saved results. That host's KVM offers no AIA, so every
# guest here gets la's userspace PLIC (the AIA path: tests/unit/test_rv_kvm.c).
#
# Where something the emulated host needs is missing (qemu-system-riscv64,
# the riscv64 kernel, the cross toolchain), the tests fail when CI=true and
# skip loudly elsewhere. Only in the plain pass of tests/run.sh.

load vmrun_vm_helpers

RV_TIMEOUT=120
RV_CROSS=$VM_BUILD/cross/riscv64/bin

# the cases, one la-case line each, $P = the payload folder; every L2 boot
# keeps its console quiet (each byte is an exit through two levels).
# tb: L1's own /cpus/timebase-frequency (a big-endian u32), in L1's sh
rv_cases() {
	local t=$RV_TIMEOUT
	local boot='la-vmrun --arch riscv64 --initrd "$P/guest.cpio"'
	local tb='$(od -An -tx1 /proc/device-tree/cpus/timebase-frequency | { read a b c d; echo $(((0x$a << 24) | (0x$b << 16) | (0x$c << 8) | 0x$d)); })'
	cat <<EOF
la-case r-host 30 sh -c 'ls -l /dev/kvm && uname -m'
la-case r-1cpu $t $boot --mem 512M --cpus 1 --cmdline 'quiet la.fate=poweroff' "\$P/Image"
la-case r-2cpu $t $boot --mem 512M --cpus 2 --cmdline 'quiet la.fate=poweroff' "\$P/Image"
la-case r-3g $t $boot --mem 3G --cpus 1 --cmdline 'quiet la.fate=poweroff' "\$P/Image"
la-case r-reboot $t $boot --mem 512M --cmdline 'quiet la.fate=reboot' "\$P/Image"
la-case r-shell $t sh -c 'for i in \$(seq 60); do echo "echo typed-\\\$((6*7)); poweroff -f"; sleep 2; done | la-vmrun --arch riscv64 --initrd "\$P/guest.cpio" --mem 512M --cmdline "quiet la.fate=shell" "\$P/Image"'
la-case r-overlay $t $boot --mem 512M --overlay "\$P/test.dtbo" --cmdline 'quiet la.dt=la-overlay-test' "\$P/Image"
la-case r-fdt $t sh -c 'la-mkfdt --arch riscv64 --mem 512M --irqchip plic --timebase-frequency $tb --kernel "\$P/Image" --initrd "\$P/guest.cpio" --cmdline "quiet la.fate=poweroff la.dt=plic@c000000" | la-vmrun --arch riscv64 --mem 512M --fdt - --initrd "\$P/guest.cpio" "\$P/Image"'
la-case r-dbcn $t sh -c 'la-mkfdt --arch riscv64 --mem 512M --irqchip plic --timebase-frequency $tb --kernel "\$P/Image" --initrd "\$P/guest.cpio" --cmdline "earlycon=sbi keep_bootcon quiet la.kmsg=dbcn-ok" | la-vmrun --arch riscv64 --mem 512M --fdt - --initrd "\$P/guest.cpio" "\$P/Image"'
la-case r-timebase $t sh -c 'echo "l1: timebase $tb"; $boot --mem 512M --cmdline "quiet la.show=timebase" "\$P/Image"'
la-case r-tb-bad 30 $boot --mem 512M --timebase-frequency 1234 "\$P/Image"
la-case r-aia 30 $boot --mem 512M --irqchip aia "\$P/Image"
EOF
	# the device-tree probe guest (tests/guest-dt): what it was handed
	local probe='la-vmrun --arch riscv64 --mem 5G --cpus 2 --irqchip plic --initrd "$P/rd"'
	cat <<EOF
la-case r-probe 60 $probe --cmdline probe.mode=poweroff "\$P/probe.bin"
la-case r-probe-reboot 60 $probe --cmdline probe.mode=reboot "\$P/probe.bin"
la-case r-probe-wait 60 sh -c 'printf x | $probe --cmdline probe.mode=wait "\$P/probe.bin"'
EOF
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(la_vm_missing_riscv64 | head -n 1)
	if [ -z "$m" ] && ! command -v riscv64-linux-gnu-gcc >/dev/null; then
		m="riscv64-linux-gnu-gcc not found (make deps installs the cross toolchains)"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		ARCH=riscv64 cross >"$t/cross.log" 2>&1; then
		m="make cross ARCH=riscv64 failed: $(tail -n 1 "$t/cross.log")"
	fi
	if [ -z "$m" ] && ! "$VM_TOP/tests/vm/mkguest.sh" "$p/guest.cpio" riscv64 2>"$t/mkguest.log"; then
		m="mkguest.sh riscv64 failed: $(tail -n 1 "$t/mkguest.log")"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/guest-dt/probe-riscv64.bin" "$VM_BUILD/tests/la-probe-dt-report" \
		>"$t/probe.log" 2>&1; then
		m="the riscv64 probe guest did not build: $(tail -n 1 "$t/probe.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$(la_vm_l2_kernel_riscv64)" "$p/Image" || return 1
	cp "$VM_BUILD/guest-dt/probe-riscv64.bin" "$p/probe.bin" || return 1
	printf 'la-probe-initrd\n' >"$p/rd"
	# an overlay whose node the guest finds in /proc/device-tree
	printf '/dts-v1/;\n/plugin/;\n&{/} {\n\tla-overlay-test {\n\t\tcompatible = "la,overlay-test";\n\t};\n};\n' |
		dtc -q -@ -I dts -O dtb -o "$p/test.dtbo" - || return 1
	rv_cases | la_vm_drop_cases la_vm_not_selected >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	local bins=(--bin "$RV_CROSS/la-vmrun" --bin "$RV_CROSS/la-mkfdt")
	vm_run_l1 "$t" --arch riscv64 --smp 2 --mem 2G --timeout 600 --stall 120 \
		--payload "$p" "${bins[@]}"
}

# need CASE: the case ran (or why it could not)
need() {
	la_vm_selected "$1" || skip "case $1 is not in LA_VM_ONLY"
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir "$1")" ] ||
		vm_cannot_run "riscv64 emulated host: $(cat "$BATS_FILE_TMPDIR/harness-error")"
}

@test "riscv64 emulated host: L1 is a riscv64 machine with /dev/kvm" {
	need r-host
	vm_case_status r-host 0
	assert_output --regexp '^c.* /dev/kvm'
	assert_line riscv64
}

@test "la-vmrun riscv64: trixie's riscv64 kernel boots to init with 1 vCPU and powers off (exit 0)" {
	need r-1cpu
	vm_case_status r-1cpu 0
	assert_line 'la-guest: nproc 1'
	assert_line --regexp '^la-guest: cmdline panic=-1 console=ttyS0 .*quiet la\.fate=poweroff$'
	assert_line 'la-guest: ram 80000000-9fffffff'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun riscv64: 2 vCPUs, the second started by the guest's SBI HSM (nproc 2)" {
	need r-2cpu
	vm_case_status r-2cpu 0
	assert_line 'la-guest: nproc 2'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun riscv64: 3G of RAM from 2 GiB crosses the 4 GiB line, one region as la-layout says" {
	need r-3g
	vm_case_status r-3g 0
	local want
	want=$("$VM_BIN/la-layout" --arch riscv64 --mem 3G --json |
		jq -r '.regions[] | select(.purpose == "guest-memory") | "\(.start_hex)-\(.end_hex)"') ||
		fail "la-layout"
	[ "$want" = "0x80000000-0x13fffffff" ] || fail "la-layout says $want"
	assert_line 'la-guest: ram 80000000-13fffffff'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun riscv64: a reboot (reboot -f, SBI SRST) exits 32" {
	need r-reboot
	vm_case_status r-reboot 32
	assert_line 'la-guest: fate reboot'
}

@test "la-vmrun riscv64: console input reaches the guest's shell through the UART's PLIC source" {
	need r-shell
	vm_case_status r-shell 0
	assert_line 'la-guest: fate shell'
	assert_output --partial 'typed-42'
}

@test "la-vmrun riscv64: an --overlay node is in the guest's /proc/device-tree" {
	need r-overlay
	vm_case_status r-overlay 0
	assert_line 'la-guest: dt la-overlay-test compatible la,overlay-test'
}

@test "la-vmrun riscv64: --fdt - boots la-mkfdt --irqchip plic's tree, and la-vmrun runs the PLIC it names" {
	need r-fdt
	vm_case_status r-fdt 0
	assert_line --regexp '^la-guest: cmdline panic=-1 console=ttyS0 .*quiet la\.fate=poweroff la\.dt=plic@c000000$'
	assert_line 'la-guest: dt plic@c000000 compatible sifive,plic-1.0.0riscv,plic0'
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun riscv64: the SBI debug console (earlycon=sbi, kept) writes to la-vmrun's console" {
	need r-dbcn
	vm_case_status r-dbcn 0
	assert_line 'la-guest: fate poweroff'
	# the kernel's line once through ttyS0 and once through SBI DBCN
	[ "$(grep -c '\] la-guest: kmsg dbcn-ok$' <<<"$output")" -eq 2 ] || fail "output: $output"
}

@test "la-vmrun riscv64: the guest's timebase-frequency is KVM's timer frequency (the host's)" {
	need r-timebase
	vm_case_status r-timebase 0
	local l1
	l1=$(sed -n 's/^l1: timebase //p' <<<"$output")
	[ -n "$l1" ] && [ "$l1" -gt 0 ] || fail "L1 said no timebase: $output"
	assert_line "la-guest: timebase $l1"
}

@test "la-vmrun riscv64: --timebase-frequency other than KVM's is refused (exit 2, naming it)" {
	need r-tb-bad
	vm_case_status r-tb-bad 2
	grep -q "la-vmrun: --timebase-frequency: '1234': this KVM's timer runs at [0-9]* Hz" <<<"$stderr" ||
		fail "stderr: $stderr"
}

@test "la-vmrun riscv64: --irqchip aia where KVM offers no AIA is refused (exit 2, naming it)" {
	need r-aia
	vm_case_status r-aia 2
	grep -q "la-vmrun: --irqchip: 'aia': this KVM offers no AIA" <<<"$stderr" ||
		fail "stderr: $stderr"
}

# rv_probe_expected MODE: the lines the probe must print about its tree:
# la-probe-dt-report (the probe's own walker, on the host) over the tree
# la-vmrun --explain --dump-fdt builds for the same options
rv_probe_expected() {
	local tmp=$BATS_TEST_TMPDIR
	printf 'la-probe-initrd\n' >"$tmp/rd"
	"$VM_BIN/la-vmrun" --arch riscv64 --explain --mem 5G --cpus 2 --irqchip plic \
		--initrd "$tmp/rd" --cmdline "probe.mode=$1" --dump-fdt "$tmp/p.dtb" \
		"$VM_BUILD/guest-dt/probe-riscv64.bin" >/dev/null || return 1
	"$VM_BUILD/tests/la-probe-dt-report" "$tmp/p.dtb"
}

@test "probe-dt on riscv64: the tree it gets in a1 is la-vmrun's (memory, PLIC, UARTs, bootargs, initrd, harts); SBI SRST shutdown exits 0" {
	need r-probe
	vm_case_status r-probe 0
	local want l
	want=$(rv_probe_expected poweroff) || fail "la-vmrun --explain --dump-fdt failed"
	[ "$(wc -l <<<"$want")" -ge 8 ] || fail "la-probe-dt-report said too little: $want"
	while IFS= read -r l; do
		assert_line "$l"
	done <<<"$want"
	assert_line 'probe: initrd-head la-probe-initrd.' # the newline as a dot
	assert_line 'probe: mode poweroff'
	assert_line 'probe: errors 0'
}

@test "probe-dt on riscv64: SBI SRST reboot exits 32" {
	need r-probe-reboot
	vm_case_status r-probe-reboot 32
	assert_line 'probe: mode reboot'
}

@test "probe-dt on riscv64: a byte on standard input reaches COM1's receive register" {
	need r-probe-wait
	vm_case_status r-probe-wait 0
	assert_line 'probe: input 0x78'
}
