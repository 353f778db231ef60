#!/usr/bin/env bats
# la-vmrun's console and firmware cases on KVM (the probe guest and Linux
# boot cases are in vmrun_vm.bats): a BIOS image at the reset vector, the
# pflash probe (tests/guest/fw-pflash.S) erasing and programming a block of
# a --pflash image and a second run finding it there,
# standard input to the guest's shell, Ctrl-A x. Where /dev/kvm is hardware
# KVM the cases run directly; elsewhere in an emulated host
# (tests/vm/run-in-l1.sh). One run of all cases (setup_file), then one test
# per case. Without QEMU and the Debian kernels the tests skip with the
# reason, and fail when $CI is set.

load vmrun_helpers

# the cases: NAME SECONDS COMMAND..., $P is the payload folder
cases() {
	cat <<'CASES'
K=$P/vmlinuz I=$P/guest.cpio
la-case bios 60 la-vmrun --bios $P/fw.bin
la-case pflash-write 60 sh -c "dd if=/dev/zero of=pf.img bs=4096 count=16 2>/dev/null && la-vmrun --bios $P/fw-pflash.bin --pflash path=pf.img"
la-case pflash-file 10 sh -c "od -An -tx1 -j 4096 -N 8 pf.img; od -An -tx1 -j 8191 -N 3 pf.img"
la-case pflash-read 60 la-vmrun --bios $P/fw-pflash.bin --pflash path=pf.img,block_size=4096
la-case linux-shell 300 sh -c "for i in \$(seq 120); do echo 'echo typed-\$((6*7)); poweroff -f'; sleep 2; done | la-vmrun --initrd $I --cmdline 'quiet la.fate=shell' $K"
la-case ctrl-a-x 120 sh -c "(sleep 8; printf '\\001x') | la-vmrun --initrd $I --cmdline 'quiet la.fate=shell' $K"
CASES
}

hardware_kvm() {
	[ "$(la_vm_kvm_kind)" = hardware ]
}

setup_file() {
	. "$LA_TOP/tests/vm/lib.sh"
	out=$BATS_FILE_TMPDIR/out
	pay=$BATS_FILE_TMPDIR/payload
	mkdir -p "$out" "$pay"
	l2=$(la_vm_l2_kernel)
	missing=$(la_vm_missing)
	[ -n "$l2" ] || missing="no Debian cloud kernel in $(la_vm_kernels_dir) (make kernels)"
	if ! hardware_kvm && [ -n "$missing" ]; then
		echo "$missing" >"$BATS_FILE_TMPDIR/skip"
		return 0
	fi
	cp "$l2" "$pay/vmlinuz"
	cp "$LA_BUILD/vm/guest.cpio" "$FW" "$LA_BUILD/guest/fw-pflash.bin" "$pay/"
	if hardware_kvm; then
		mkdir -p "$BATS_FILE_TMPDIR/bin"
		ln -sf "$LA_TOP/tests/vm/la-case.sh" "$BATS_FILE_TMPDIR/bin/la-case"
		{ echo "P=$pay"; cases | la_vm_drop_cases la_vm_not_selected; } >"$BATS_FILE_TMPDIR/cases.sh"
		(cd "$BATS_FILE_TMPDIR" && PATH="$BATS_FILE_TMPDIR/bin:$LA_BIN:$PATH" \
			sh cases.sh) | tr -d '\r' | awk -v dir="$out" -f "$LA_TOP/tests/vm/split.awk"
	else
		{ echo "P=/payload"; cases | la_vm_drop_cases la_vm_not_selected; } >"$BATS_FILE_TMPDIR/cases.sh"
		# a frozen emulated host (run-in-l1.sh --stall) gets up to two more tries
		for try in 1 2 3; do
			rm -f "$BATS_FILE_TMPDIR/l1.status"
			"$LA_TOP/tests/vm/run-in-l1.sh" --quiet --timeout 600 --stall 360 \
				--out "$out" --bin "$LA_BIN/la-vmrun" --payload "$pay" \
				--script "$BATS_FILE_TMPDIR/cases.sh" >"$BATS_FILE_TMPDIR/l1.log" 2>&1 ||
				echo "$?" >"$BATS_FILE_TMPDIR/l1.status"
			[ -e "$out/stalled" ] || break
		done
	fi
}

# case NAME: load its status and output into $status, $output (stdout+stderr)
case_result() {
	local out=$BATS_FILE_TMPDIR/out
	[[ -z ${LA_VM_ONLY:-} || " $LA_VM_ONLY " == *" $1 "* ]] || skip "case $1 is not in LA_VM_ONLY"
	if [ -s "$BATS_FILE_TMPDIR/skip" ]; then
		[ -z "${CI:-}" ] || fail "cannot boot guests: $(cat "$BATS_FILE_TMPDIR/skip")"
		skip "cannot boot guests here: $(cat "$BATS_FILE_TMPDIR/skip")"
	fi
	[ -f "$out/$1.status" ] || fail "case $1 did not run: $(tail -n 5 "$BATS_FILE_TMPDIR/l1.log" 2>/dev/null)"
	status=$(cat "$out/$1.status")
	output=$(cat "$out/$1.out" "$out/$1.err" 2>/dev/null | tr -d '\r')
}

@test "la-vmrun: --bios starts a firmware at the reset vector; its i8042 reset gives 32" {
	case_result bios
	assert_equal "$status" 32
}

@test "la-vmrun: --pflash: a firmware erases a block and programs a marker with CFI commands; they reach the file" {
	case_result pflash-write
	[ "$status" = 32 ] || fail "status $status, want 32: $output"
	mapfile -t lines <<<"$output"
	assert_line 'pflash: before 00000000'
	assert_line 'pflash: cfi QRY'
	assert_line 'pflash: erase status 80'
	assert_line 'pflash: erased ffffffff ff'
	assert_line 'pflash: program status 80'
	assert_line 'pflash: bad program status 90'
	assert_line 'pflash: after 4c415046'
	case_result pflash-file
	assert_equal "$status" 0
	# the marker and the erased block in the file; the refused program
	# left 0x2001 and the next block alone
	assert_equal "$(tr -d ' \n' <<<"$output")" 4c415046ffffffffff0000
}

@test "la-vmrun: --pflash: the next run with the same file reads the marker back" {
	case_result pflash-read
	[ "$status" = 32 ] || fail "status $status, want 32: $output"
	mapfile -t lines <<<"$output"
	assert_line 'pflash: before 4c415046'
	assert_line 'pflash: marker found'
	refute_line --partial 'pflash: cfi'
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

# make run (tests/vm/make-run.sh) with its terminal replaced by a pipe that
# types the same line every 3 s until the shell runs it
@test "make run: boots a shell, natively on hardware KVM, else in an emulated host after one line saying why" {
	[[ -z ${LA_VM_ONLY:-} ]] || skip "not in an LA_VM_ONLY run"
	. "$LA_TOP/tests/vm/lib.sh"
	local kind missing
	kind=$(la_vm_kvm_kind)
	missing=$(la_vm_missing | head -n 1)
	if [ "$kind" != hardware ] && [ -n "$missing" ]; then
		[ -z "${CI:-}" ] || fail "cannot boot guests: $missing"
		skip "cannot boot guests here: $missing"
	fi
	run bash -c 'for i in $(seq 100); do echo "echo typed-\$((6*7)); poweroff -f"; sleep 3; done |
		timeout 600 "$1/tests/vm/make-run.sh" "$2" "$3" 512M 1' sh "$LA_TOP" "$LA_BUILD" "$(la_vm_l2_kernel)"
	assert_success
	output=$(tr -d '\r' <<<"$output")
	mapfile -t lines <<<"$output"
	assert_line 'la-guest: fate shell'
	assert_line --partial 'typed-42'
	if [ "$kind" = hardware ]; then
		refute_line --partial 'make run: '
	else
		assert_line --index 0 --regexp "^make run: (this machine has no usable /dev/kvm|/dev/kvm is kvm_pvm, a software KVM that cannot boot a stock Linux kernel); booting it inside an emulated host with nested KVM \(QEMU TCG\), which is slower: about a minute to the shell\. Ctrl-A x ends the VM\.$"
	fi
}

@test "make run: a kernel that is not there is one line and exit 1" {
	run "$LA_TOP/tests/vm/make-run.sh" "$LA_BUILD" /nonexistent/vmlinuz 512M 1
	assert_failure 1
	assert_output "make run: '/nonexistent/vmlinuz': no such kernel (make kernels fetches Debian's cloud kernel)"
	run "$LA_TOP/tests/vm/make-run.sh" "$LA_BUILD"
	assert_failure 2
	assert_output 'usage: make-run.sh BUILD KERNEL MEM CPUS [ARCH]'
}
