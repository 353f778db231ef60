#!/usr/bin/env bats
# make run ARCH=aarch64|riscv64 (tests/vm/make-run.sh ... ARCH): that arch's
# Debian kernel booted to a shell by the static la-vmrun of make cross,
# inside the arch's emulated host (run-in-l1.sh --arch ARCH --interactive:
# the terminal is a 16550 on PCI in L1), on a pseudo-terminal that
# tests/vm/pty-type.sh types into from the start, as a user would: one L1
# boot per arch. Where something the emulated host needs is missing, the
# tests fail when CI=true and skip loudly elsewhere. Only in the plain pass
# of tests/run.sh.

load vmrun_vm_helpers

# run_dt ARCH: make run's script for ARCH on a pseudo-terminal, typed into;
# $status, $output (what the terminal showed), $timing
run_dt() {
	local arch=$1 m log=$BATS_TEST_TMPDIR/term.log
	m=$(la_vm_missing_"$arch" | head -n 1)
	if [ -z "$m" ] && ! command -v "$arch-linux-gnu-gcc" >/dev/null; then
		m="$arch-linux-gnu-gcc not found (make deps installs the cross toolchains)"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		ARCH="$arch" cross "$VM_BUILD/vm/guest-$arch.cpio" >"$BATS_TEST_TMPDIR/make.log" 2>&1; then
		m="make cross ARCH=$arch failed: $(tail -n 1 "$BATS_TEST_TMPDIR/make.log")"
	fi
	[ -z "$m" ] || vm_cannot_run "$arch emulated host: $m"
	run timeout -k 10 400 "$VM_TOP/tests/vm/pty-type.sh" "$log" \
		"$VM_TOP/tests/vm/make-run.sh" "$VM_BUILD" "$(la_vm_l2_kernel_"$arch")" 512M 1 "$arch"
	output=$(tr -d '\r' <"$log")
	mapfile -t lines <<<"$output"
	timing=$(cat "$log.timing")
}

# check_dt ARCH: the shell answered every command, Ctrl-A x ended it (0),
# after make run's one line saying where it boots
check_dt() {
	local arch=$1
	[ "$status" = 0 ] || fail "exit status $status; typing: $timing; terminal: $(tail -n 20 <<<"$output")"
	# the shell's answers (the echo of what was typed shows $((...)), not the
	# number): a line may carry the echo of what was typed after it
	assert_output --partial 'typed-42'
	assert_output --partial 'again-101'
	assert_output --partial 'again-201'
	assert_output --partial 'again-301'
	grep -q '^answer 3 after ' <<<"$timing" || fail "typing: $timing"
	grep -q '^ctrl-a x after ' <<<"$timing" || fail "typing: $timing"
	if [ "$(uname -m)" = "$arch" ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		refute_line --partial 'make run: '
	else
		assert_line "make run: this machine is not $arch with a usable /dev/kvm; booting it inside an emulated $arch host with nested KVM (QEMU TCG), which is slower: about a minute to the shell. Ctrl-A x ends the VM."
	fi
}

# assert_cmdline PREFIX: the guest's init printed its command line, which
# starts with PREFIX (la-vmrun's arch defaults) and ends with make run's
# "quiet la.fate=shell", and then "la-guest: fate shell". These lines comes while the typist is still typing
# ahead, so the terminal's echo of the typed text (whole or in pieces) may
# be spliced into it (seen once in CI on riscv64): the check is made on the
# terminal's text joined into one line, with every echoed typed line, the
# stray "))" lines of its echo and empty lines taken out.
assert_cmdline() {
	local prefix=$1 text
	# shellcheck disable=SC2016 # the typed text, literally
	text=$(sed -e 's/echo typed-\$((6\*7))//g' <<<"$output" | grep -F -v -x -e '))' -e '' |
		tr -d '\n')
	grep -qF "la-guest: cmdline ${prefix}" <<<"$text" ||
		fail "no 'la-guest: cmdline ${prefix}...' on the terminal: $(grep -F la-guest <<<"$output")"
	grep -qF 'quiet la.fate=shell' <<<"$text" ||
		fail "no 'quiet la.fate=shell' on the terminal: $(grep -F la-guest <<<"$output")"
	grep -qF 'la-guest: fate shell' <<<"$text" ||
		fail "no 'la-guest: fate shell' on the terminal: $(grep -F la-guest <<<"$output")"
}

@test "make run ARCH=aarch64: a shell in the emulated arm64 host; typeahead, then commands answered on a terminal, Ctrl-A x ends it (0)" {
	run_dt aarch64
	check_dt aarch64
	assert_cmdline 'panic=-1 console=ttyS0 '
}

@test "make run ARCH=riscv64: a shell in the emulated riscv64 host; typeahead, then commands answered on a terminal, Ctrl-A x ends it (0)" {
	run_dt riscv64
	check_dt riscv64
	assert_cmdline ''
}

@test "make run ARCH=...: the Makefile passes the arch, its kernel and the RUN_ knobs; another arch is one line and exit 2" {
	run make -s -n -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" run ARCH=riscv64 \
		RUN_KERNEL=/k/Image RUN_MEM=768M RUN_CPUS=3
	assert_success
	assert_line "tests/vm/make-run.sh $VM_BUILD /k/Image 768M 3 riscv64"
	run make -s -n -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" run ARCH=aarch64
	assert_success
	assert_line "tests/vm/make-run.sh $VM_BUILD ${LA_KERNELS:-$VM_BUILD/kernels}/aarch64/vmlinuz 1G 2 aarch64"
	run "$VM_TOP/tests/vm/make-run.sh" "$VM_BUILD" /nonexistent/Image 512M 1 aarch64
	assert_failure 1
	assert_output "make run: '/nonexistent/Image': no such kernel (make kernels fetches Debian's aarch64 kernel)"
	run "$VM_TOP/tests/vm/make-run.sh" "$VM_BUILD" /nonexistent/Image 512M 1 sparc
	assert_failure 2
	assert_output "make run: ARCH: 'sparc' is not x86_64, aarch64 or riscv64"
}
