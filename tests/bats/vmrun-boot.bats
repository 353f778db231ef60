#!/usr/bin/env bats
# la-vmrun booting guests on KVM. Where /dev/kvm is hardware KVM the cases
# run directly; elsewhere they run in an emulated host (tests/vm/run-in-l1.sh:
# QEMU TCG with SVM, Debian's kernel with kvm-amd as L1). One run of all
# cases (setup_file), then one test per case. Without QEMU and the Debian
# kernels the file is skipped with the reason, and fails when $CI is set.

load vmrun_helpers

# the cases: NAME SECONDS COMMAND..., $P is the payload folder
cases() {
	cat <<'CASES'
K=$P/vmlinuz I=$P/guest.cpio
la-case probe 60 la-vmrun $P/probe.bzImage
la-case probe-elf 60 la-vmrun $P/probe.elf
la-case probe-smp4 60 la-vmrun --cpus 4 --mem 512M $P/probe.bzImage
la-case probe-reboot 60 la-vmrun --cmdline probe.mode=reboot $P/probe.bzImage
la-case probe-triple 60 la-vmrun --cmdline probe.mode=triplefault $P/probe.bzImage
la-case probe-post 60 la-vmrun --boot-timing --debugcon /tmp/dc --cmdline probe.mode=post $P/probe.bzImage
la-case bios 60 la-vmrun --bios $P/fw.bin
la-case linux-1cpu 300 la-vmrun --initrd $I --cmdline quiet $K
la-case linux-2cpu 300 la-vmrun --cpus 2 --mem 1G --initrd $I --cmdline quiet $K
la-case linux-5g 300 la-vmrun --mem 5G --initrd $I --cmdline quiet $K
la-case linux-reboot 300 la-vmrun --initrd $I --cmdline "quiet la.fate=reboot" $K
la-case linux-noacpi 300 la-vmrun --no-acpi --cpus 2 --initrd $I --cmdline "quiet la.fate=reboot" $K
la-case linux-fdt 300 sh -c "la-vmrun --fdt - --initrd $I --cmdline quiet $K < $P/test.dtb"
la-case linux-shell 300 sh -c "for i in \$(seq 120); do echo 'echo typed-\$((6*7)); poweroff -f'; sleep 2; done | la-vmrun --initrd $I --cmdline 'quiet la.fate=shell' $K"
la-case ctrl-a-x 120 sh -c "(sleep 8; printf '\\001x') | la-vmrun --initrd $I --cmdline 'quiet la.fate=shell' $K"
CASES
}

hardware_kvm() {
	[ -c /dev/kvm ] && [ ! -e /sys/module/kvm_pvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo
}

setup_file() {
	. "$LA_TOP/tests/vm/lib.sh"
	out=$BATS_FILE_TMPDIR/out
	pay=$BATS_FILE_TMPDIR/payload
	mkdir -p "$out" "$pay"
	l2=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n1)
	missing=$(la_vm_missing)
	[ -n "$l2" ] || missing="no /boot/vmlinuz-*-cloud-amd64 (Debian package linux-image-cloud-amd64)"
	if ! hardware_kvm && [ -n "$missing" ]; then
		echo "$missing" >"$BATS_FILE_TMPDIR/skip"
		return 0
	fi
	cp "$l2" "$pay/vmlinuz"
	cp "$LA_BUILD/vm/guest.cpio" "$PROBE" "$PROBE_ELF" "$FW" "$pay/"
	printf '/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; chosen { }; };\n' |
		dtc -I dts -O dtb -o "$pay/test.dtb"
	if hardware_kvm; then
		mkdir -p "$BATS_FILE_TMPDIR/bin"
		ln -sf "$LA_TOP/tests/vm/la-case.sh" "$BATS_FILE_TMPDIR/bin/la-case"
		{ echo "P=$pay"; cases; } >"$BATS_FILE_TMPDIR/cases.sh"
		(cd "$BATS_FILE_TMPDIR" && PATH="$BATS_FILE_TMPDIR/bin:$LA_BIN:$PATH" \
			sh cases.sh) | tr -d '\r' | la_split_cases "$out"
	else
		{ echo "P=/payload"; cases; } >"$BATS_FILE_TMPDIR/cases.sh"
		"$LA_TOP/tests/vm/run-in-l1.sh" --quiet --mem 3G --timeout 1500 --out "$out" \
			--bin "$LA_BIN/la-vmrun" --payload "$pay" --script "$BATS_FILE_TMPDIR/cases.sh" \
			>"$BATS_FILE_TMPDIR/l1.log" 2>&1
		echo $? >"$BATS_FILE_TMPDIR/l1.status"
	fi
}

# la_split_cases DIR: the la-case blocks on stdin into DIR/NAME.{out,err,status}
la_split_cases() {
	awk -v dir="$1" '
		/^@@case [^ ]+ start$/ { name = $2; next }
		/^@@case [^ ]+ status / { print $4 > (dir "/" $2 ".status"); name = ""; next }
		name != "" && /^o\|/ { print substr($0, 3) >> (dir "/" name ".out"); next }
		name != "" && /^e\|/ { print substr($0, 3) >> (dir "/" name ".err"); next }'
}

# case NAME: load its status and output into $status, $output (stdout+stderr)
case_result() {
	local out=$BATS_FILE_TMPDIR/out
	if [ -s "$BATS_FILE_TMPDIR/skip" ]; then
		[ -z "${CI:-}" ] || fail "cannot boot guests: $(cat "$BATS_FILE_TMPDIR/skip")"
		skip "cannot boot guests here: $(cat "$BATS_FILE_TMPDIR/skip")"
	fi
	[ -f "$out/$1.status" ] || fail "case $1 did not run: $(tail -n 5 "$BATS_FILE_TMPDIR/l1.log" 2>/dev/null)"
	status=$(cat "$out/$1.status")
	output=$(cat "$out/$1.out" "$out/$1.err" 2>/dev/null | tr -d '\r')
}

@test "la-vmrun: the probe guest finds consistent boot_params, e820, MP and ACPI tables, then powers off (0)" {
	case_result probe
	assert_equal "$status" 0
	assert_output --partial "probe: errors 0"
	assert_output --partial "probe: e820-entries 6"
	assert_output --partial "probe: acpi s5 5"
}

@test "la-vmrun: an ELF vmlinux boots in 64-bit mode" {
	case_result probe-elf
	assert_equal "$status" 0
	assert_output --partial "probe: errors 0"
}

@test "la-vmrun: --cpus 4: the MP table and the MADT list 4 CPUs" {
	case_result probe-smp4
	assert_equal "$status" 0
	assert_output --partial "probe: mp cpus 4"
	assert_output --partial "probe: acpi cpus 4"
}

@test "la-vmrun: an i8042 reset ends la-vmrun with 32" {
	case_result probe-reboot
	assert_equal "$status" 32
}

@test "la-vmrun: a triple fault ends la-vmrun with 33 and prints the registers" {
	case_result probe-triple
	assert_equal "$status" 33
	assert_output --partial "la-vmrun: guest crashed: triple fault (KVM_EXIT_SHUTDOWN) on vCPU 0"
	assert_output --partial "rip    0x"
}

@test "la-vmrun: --boot-timing prints POST codes, first output and power-off" {
	case_result probe-post
	assert_equal "$status" 0
	assert_output --regexp "la-vmrun: boot-timing: +[0-9.]+ ms first console output"
	assert_output --regexp "la-vmrun: boot-timing: +[0-9.]+ ms POST 0x10"
	assert_output --regexp "la-vmrun: boot-timing: +[0-9.]+ ms POST 0x1f"
	assert_output --regexp "la-vmrun: boot-timing: +[0-9.]+ ms power-off"
}

@test "la-vmrun: --bios starts a firmware at the reset vector; its i8042 reset gives 32" {
	case_result bios
	assert_equal "$status" 32
}

@test "la-vmrun: Debian's cloud kernel boots to init and powers off (0)" {
	case_result linux-1cpu
	assert_equal "$status" 0
	assert_output --partial "la-guest: nproc 1"
	assert_output --partial "la-guest: cmdline panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 quiet"
	assert_output --partial "la-guest: ram 00100000-0fffffff"
	assert_output --partial "reboot: Power down"
}

@test "la-vmrun: --cpus 2 gives the Linux guest 2 CPUs (through the MADT)" {
	case_result linux-2cpu
	assert_equal "$status" 0
	assert_output --partial "la-guest: nproc 2"
	assert_output --partial "la-guest: ram 00100000-3fffffff"
}

@test "la-vmrun: --mem 5G puts RAM above 4 GiB and the guest sees it" {
	case_result linux-5g
	assert_equal "$status" 0
	assert_output --partial "la-guest: ram 00100000-cfffffff"
	assert_output --partial "la-guest: ram 100000000-16fffffff"
}

@test "la-vmrun: a Linux reboot ends la-vmrun with 32" {
	case_result linux-reboot
	assert_equal "$status" 32
	assert_output --partial "la-guest: fate reboot"
}

@test "la-vmrun: --no-acpi boots on the MP table alone (the cloud kernel sees 1 CPU) and reboots (32)" {
	case_result linux-noacpi
	assert_equal "$status" 32
	assert_output --partial "la-guest: nproc 1"
}

@test "la-vmrun: --fdt - passes a DTB in setup_data and Linux still boots" {
	case_result linux-fdt
	assert_equal "$status" 0
	assert_output --partial "la-guest: fate poweroff"
}

@test "la-vmrun: standard input reaches the guest's shell through COM1 (RX interrupts)" {
	case_result linux-shell
	assert_equal "$status" 0
	assert_output --partial "la-guest: fate shell"
	assert_output --partial "typed-42"
}

@test "la-vmrun: Ctrl-A x on standard input ends the VM with 0" {
	case_result ctrl-a-x
	assert_equal "$status" 0
	refute_output --partial "reboot: Power down"
}
