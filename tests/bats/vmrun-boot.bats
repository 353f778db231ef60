#!/usr/bin/env bats
# la-vmrun's console and firmware cases on KVM (the probe guest and Linux
# boot cases are in vmrun_vm.bats): a BIOS image at the reset vector,
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
	cp "$LA_BUILD/vm/guest.cpio" "$FW" "$pay/"
	if hardware_kvm; then
		mkdir -p "$BATS_FILE_TMPDIR/bin"
		ln -sf "$LA_TOP/tests/vm/la-case.sh" "$BATS_FILE_TMPDIR/bin/la-case"
		{ echo "P=$pay"; cases; } >"$BATS_FILE_TMPDIR/cases.sh"
		(cd "$BATS_FILE_TMPDIR" && PATH="$BATS_FILE_TMPDIR/bin:$LA_BIN:$PATH" \
			sh cases.sh) | tr -d '\r' | la_split_cases "$out"
	else
		{ echo "P=/payload"; cases; } >"$BATS_FILE_TMPDIR/cases.sh"
		# a frozen emulated host (run-in-l1.sh --stall) gets one more try
		for try in 1 2; do
			rm -f "$BATS_FILE_TMPDIR/l1.status"
			"$LA_TOP/tests/vm/run-in-l1.sh" --quiet --timeout 600 --stall 360 \
				--out "$out" --bin "$LA_BIN/la-vmrun" --payload "$pay" \
				--script "$BATS_FILE_TMPDIR/cases.sh" >"$BATS_FILE_TMPDIR/l1.log" 2>&1 ||
				echo "$?" >"$BATS_FILE_TMPDIR/l1.status"
			[ -e "$out/stalled" ] || break
		done
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

@test "la-vmrun: --bios starts a firmware at the reset vector; its i8042 reset gives 32" {
	case_result bios
	assert_equal "$status" 32
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
