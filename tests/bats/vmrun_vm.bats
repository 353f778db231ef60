#!/usr/bin/env bats
# la-vmrun's VM cases: the probe guest (tests/guest) and Debian's cloud
# kernel with a busybox initramfs (tests/vm/guest-init.sh), each checked
# against la-layout, la-alloc and la-mkfdt. Where /dev/kvm cannot run them
# (no /dev/kvm, or kvm_pvm for stock Linux), they run inside an emulated
# x86_64 host (tests/vm/run-in-l1.sh), all in ONE boot of it: setup_file runs
# the batch, each @test checks one case's saved results.
#
# Cases that need la-vmrun cannot run until build/bin/la-vmrun exists (the
# vmrun branch); like any case that cannot run, they fail when CI=true and
# skip with a reason elsewhere. LA_VM_FORCE_L1=1 runs every case in the
# emulated host even where /dev/kvm exists.

load vmrun_vm_helpers

VM_PROBE_TIMEOUT=60
VM_LINUX_TIMEOUT=300

# the cases of each group, one la-case line each, $P = the payload folder
vm_cases_harness() {
	cat <<'EOF'
la-case h-kvm 30 sh -c 'ls -l /dev/kvm && cat /proc/modules'
la-case h-status 10 sh -c 'echo out; echo err >&2; exit 7'
la-case h-timeout 2 sleep 30
la-case h-qemu-l2 300 qemu-system-x86_64 -accel kvm -M microvm,x-option-roms=off,rtc=on \
	-cpu host -smp 2 -m 256M -nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$P/vmlinuz" -initrd "$P/guest.cpio" \
	-append 'console=ttyS0 quiet panic=-1 la.fate=poweroff'
EOF
}

# cases that change the host they run on, so only ever in the emulated
# host, even where the probe runs natively: --hugepages sets the kernel's
# pool of 2 MiB pages (tests/vm/hugepages.sh)
vm_cases_l1_only() {
	vm_have_vmrun || return 0
	echo "la-case m-huge $VM_PROBE_TIMEOUT \"\$P/hugepages.sh\" la-vmrun --hugepages --mem 64M --cmdline probe.mode=wait \"\$P/probe.bzImage\""
}

# the native branch, once, inside the emulated host: its KVM is hardware
# KVM as far as the suites can tell (tests/vm/native-in-l1.sh)
vm_cases_native_in_l1() {
	vm_have_vmrun || return 0
	echo 'la-case n-native 1500 sh "$P/native/tree/tests/vm/native-in-l1.sh"'
}

vm_cases_probe() {
	local t=$VM_PROBE_TIMEOUT
	cat <<EOF
la-case p-512m-1 $t la-vmrun --mem 512M --cpus 1 --initrd "\$P/initrd.bin" --cmdline probe.mode=poweroff "\$P/probe.bzImage"
la-case p-4g-2 $t la-vmrun --mem 4G --cpus 2 --cmdline probe.mode=poweroff "\$P/probe.bzImage"
la-case p-5g-2 $t la-vmrun --mem 5G --cpus 2 --cmdline probe.mode=poweroff "\$P/probe.bzImage"
la-case p-elf $t la-vmrun --mem 256M --cmdline probe.mode=poweroff "\$P/probe.elf"
la-case p-reboot $t la-vmrun --mem 256M --cmdline probe.mode=reboot "\$P/probe.bzImage"
la-case p-triplefault $t la-vmrun --mem 256M --cmdline probe.mode=triplefault "\$P/probe.bzImage"
la-case p-post $t la-vmrun --mem 256M --boot-timing --boot-timing-mark 'probe: post' --cmdline probe.mode=post "\$P/probe.bzImage"
la-case p-no-acpi $t la-vmrun --mem 256M --no-acpi --cmdline probe.mode=poweroff "\$P/probe.bzImage"
la-case p-mmio $t la-vmrun --mem 256M --cmdline probe.mode=mmio "\$P/probe.bzImage"
la-case p-split $t la-vmrun --mem 256M --cpus 2 --irqchip split --cmdline probe.mode=poweroff "\$P/probe.bzImage"
EOF
	vm_have_mkfdt && cat <<EOF
la-case p-fdt $t sh -c 'la-vmrun --mem 512M --fdt - --cmdline probe.mode=poweroff "\$1" <"\$2"' sh "\$P/probe.bzImage" "\$P/x86.dtb"
la-case p-overlay $t la-vmrun --mem 512M --initrd "\$P/initrd.bin" --overlay "\$P/plain.dtbo" --cmdline probe.mode=poweroff "\$P/probe.bzImage"
EOF
	return 0
}

# the sandbox (issue 7): la-vmrun-hooks is the test build (tests/hooks/),
# where LA_TEST_FORBIDDEN=KIND makes that thread kind call socket(2)
vm_cases_sandbox() {
	local t=$VM_PROBE_TIMEOUT k
	local boot='--mem 256M --cmdline probe.mode=poweroff "$P/probe.bzImage"'
	cat <<EOF
la-case s-live $t "\$P/seccomp-live.sh" la-vmrun --mem 256M --cpus 2 --cmdline probe.mode=wait "\$P/probe.bzImage"
la-case s-live-nojail $t "\$P/seccomp-live.sh" la-vmrun --no-jail --seccomp off --mem 256M --cmdline probe.mode=wait "\$P/probe.bzImage"
la-case s-jail-open $t env LA_TEST_OPEN="\$P/probe.bzImage" la-vmrun-hooks --jail --seccomp off $boot
la-case s-log-vcpu $t sh -c 'LA_TEST_FORBIDDEN=vcpu la-vmrun-hooks --seccomp log $boot; s=\$?; dmesg | grep "type=1326" | grep "syscall=41 " | tail -n 1; exit \$s'
la-case s-kill-vcpu $t env LA_TEST_FORBIDDEN=vcpu la-vmrun-hooks --seccomp kill $boot
la-case s-off-vcpu $t env LA_TEST_FORBIDDEN=vcpu la-vmrun-hooks --seccomp off $boot
la-case s-tty-ok $t la-pty la-vmrun $boot
la-case s-tty-trap $t la-pty env LA_TEST_FORBIDDEN=vcpu la-vmrun-hooks $boot
la-case s-tty-kill $t la-pty env LA_TEST_FORBIDDEN=vcpu la-vmrun-hooks --seccomp kill $boot
EOF
	for k in main vcpu device virtio-rng; do
		cat <<EOF
la-case s-trap-$k $t env LA_TEST_FORBIDDEN=$k la-vmrun-hooks $boot
la-case s-errno-$k $t env LA_TEST_FORBIDDEN=$k la-vmrun-hooks --seccomp errno $boot
EOF
	done
}

vm_cases_linux() {
	local t=$VM_LINUX_TIMEOUT
	cat <<EOF
la-case l-1cpu $t la-vmrun --mem 512M --cpus 1 --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=poweroff' "\$P/vmlinuz"
la-case l-2cpu $t la-vmrun --mem 512M --cpus 2 --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=poweroff' "\$P/vmlinuz"
la-case l-5g $t la-vmrun --mem 5G --cpus 1 --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=poweroff' "\$P/vmlinuz"
la-case l-reboot $t la-vmrun --mem 512M --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=reboot' "\$P/vmlinuz"
la-case l-split-1cpu $t la-vmrun --irqchip split --mem 512M --cpus 1 --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=poweroff la.dmesg=IOAPIC' "\$P/vmlinuz"
la-case l-split-2cpu $t la-vmrun --split-irqchip --mem 512M --cpus 2 --initrd "\$P/guest.cpio" --cmdline 'quiet la.fate=reboot la.dmesg=IOAPIC' "\$P/vmlinuz"
EOF
	vm_have_mkfdt && cat <<EOF
la-case l-fdt $t sh -c 'la-vmrun --mem 512M --fdt - --initrd "\$1" --cmdline "quiet la.fate=poweroff" "\$2" <"\$3"' sh "\$P/guest.cpio" "\$P/vmlinuz" "\$P/x86.dtb"
EOF
	return 0
}

# vm_script WHERE: the case script for the groups that run in WHERE
vm_script() {
	echo 'P=${P:-/payload}; export P'
	vm_sanitizer_env
	{
		[ "$1" = l1 ] && vm_cases_harness && vm_cases_l1_only
		[ "$(vm_where_probe)" = "$1" ] && vm_cases_probe && vm_cases_sandbox
		[ "$(vm_where_linux)" = "$1" ] && vm_cases_linux
		# last: it boots several guests of its own in this emulated host
		[ "$1" = l1 ] && vm_cases_native_in_l1
	} | la_vm_drop_cases la_vm_not_selected
	return 0
}

# vm_stage_native P: what tests/vm/native-in-l1.sh needs, under P/native:
# bats (root/, copied to L1's /), and a tree like this one (tree/) whose
# programs are the ones run-in-l1.sh --bin puts in /payload/bin
vm_stage_native() {
	local n=$1/native b
	mkdir -p "$n/root/usr/bin" "$n/root/usr/lib/bats" "$n/root/usr/libexec" \
		"$n/tree/tests/fixtures" "$n/tree/build/bin" "$n/tree/build/guest" \
		"$n/tree/build/vm" "$n/tree/build/bench" "$n/tree/build/tests/hooks" || return 1
	# bats-core from where this bats runs (its libexec folder is first on
	# PATH here, so not `command -v bats`)
	cp -a "$BATS_ROOT/bin/bats" "$n/root/usr/bin/" &&
		cp -a "$BATS_ROOT/lib/bats-core" "$n/root/usr/lib/" &&
		cp -a "$BATS_ROOT/libexec/bats-core" "$n/root/usr/libexec/" &&
		cp -a /usr/lib/bats/bats-support /usr/lib/bats/bats-assert "$n/root/usr/lib/bats/" &&
		cp -a "$VM_TOP/tests/bats" "$VM_TOP/tests/vm" "$n/tree/tests/" &&
		cp -a "$VM_TOP/tests/fixtures/mkfdt" "$n/tree/tests/fixtures/" &&
		cp "$VM_BUILD/guest/probe.bzImage" "$VM_BUILD/guest/probe.elf" "$VM_BUILD/guest/fw-pflash.bin" \
			"$n/tree/build/guest/" &&
		cp "$VM_BUILD/vm/guest.cpio" "$n/tree/build/vm/" &&
		cp "$VM_BUILD/bench/fw.bin" "$n/tree/build/bench/" || return 1
	for b in la-vmrun la-layout la-alloc la-mkfdt; do
		ln -s "/payload/bin/$b" "$n/tree/build/bin/$b"
	done
	ln -s /payload/bin/la-vmrun-hooks "$n/tree/build/tests/hooks/la-vmrun"
	ln -s /payload/bin/la-pty "$n/tree/build/tests/la-pty"
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload
	mkdir -p "$p" "$t/native" "$t/bin"
	cp "$VM_BUILD/guest/probe.bzImage" "$VM_BUILD/guest/probe.elf" "$VM_BUILD/vm/guest.cpio" "$p/" || return 1
	printf 'la-probe-initrd\n' >"$p/initrd.bin"
	cp "$VM_TOP/tests/vm/seccomp-live.sh" "$VM_TOP/tests/vm/hugepages.sh" \
		"$VM_TOP/tests/vm/probe-wait.sh" "$p/" || return 1
	if vm_have_vmrun; then
		cp "$VM_BUILD/tests/hooks/la-vmrun" "$t/bin/la-vmrun-hooks" || return 1
		cp "$VM_BUILD/tests/la-pty" "$t/bin/la-pty" || return 1
		ln -sf "$VM_TOP/tests/vm/seccomp-live.sh" "$t/bin/seccomp-live.sh"
	fi
	if vm_have_mkfdt; then
		"$VM_BIN/la-mkfdt" --arch x86_64 --mem 512M >"$p/x86.dtb" || return 1
		dtc -q -@ -I dts -O dtb -o "$p/plain.dtbo" "$VM_TOP/tests/fixtures/mkfdt/plain.dts" || return 1
	fi

	if [ -n "$(la_vm_missing)" ]; then
		la_vm_missing | head -n 1 >"$t/harness-error"
	else
		cp "$(la_vm_l2_kernel)" "$p/vmlinuz" || return 1
		vm_script l1 >"$t/l1.sh"
		local bins=()
		if vm_have_vmrun; then
			bins=(--bin "$VM_BIN/la-vmrun" --bin "$t/bin/la-vmrun-hooks" --bin "$t/bin/la-pty")
			# the native branch's run needs these too
			vm_stage_native "$p" || return 1
			bins+=(--bin "$VM_BIN/la-layout" --bin "$VM_BIN/la-alloc" --bin "$VM_BIN/la-mkfdt"
				--bin bash --bin jq --bin dtc)
		fi
		# (the emulated host freezes now and then: vm_run_l1 runs what it
		# did not finish in a fresh one)
		vm_run_l1 "$t" --qemu --timeout 2400 --stall 240 --payload "$p" "${bins[@]}"
	fi

	vm_script native >"$t/native.sh"
	if grep -q '^la-case' "$t/native.sh"; then
		ln -sf "$VM_TOP/tests/vm/la-case.sh" "$t/bin/la-case"
		cp "$(la_vm_l2_kernel)" "$p/vmlinuz" 2>/dev/null
		(cd "$t/native" && P=$p PATH=$t/bin:$VM_BIN:$PATH sh "$t/native.sh" 2>&1) |
			tr -d '\r' | awk -v dir="$t/native" -f "$VM_TOP/tests/vm/split.awk"
	fi
}

# each test that needs la-vmrun, and a folder where its case ran
need_vmrun() {
	la_vm_selected "$1" || skip "case $1 is not in LA_VM_ONLY"
	vm_have_vmrun ||
		vm_cannot_run "la-vmrun is not built yet ($VM_BIN/la-vmrun; it comes from cmd/vmrun)"
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir "$1")" ] ||
		vm_cannot_run "emulated host: $(cat "$BATS_FILE_TMPDIR/harness-error")"
}

need_mkfdt() {
	vm_have_mkfdt ||
		vm_cannot_run "la-mkfdt is not built yet ($VM_BIN/la-mkfdt; it comes from cmd/mkfdt)"
}

need_l1() {
	local m
	m=$(la_vm_missing | head -n 1)
	[ -z "$m" ] || vm_cannot_run "emulated host: $m"
}

# ---- the emulated host itself ------------------------------------------------

@test "emulated host: L1 boots Debian's kernel, loads kvm-amd and has /dev/kvm" {
	need_l1
	vm_case_status h-kvm 0
	assert_output --regexp '^c.* /dev/kvm'
	assert_output --partial 'kvm_amd '
	assert_output --partial 'irqbypass '
}

@test "emulated host: a case's output, error output and status come back apart" {
	need_l1
	vm_case_status h-status 7
	assert_output out
	[ "$stderr" = err ]
}

@test "emulated host: a case that outlives its timeout is killed (status 137)" {
	need_l1
	vm_case_status h-timeout 137
}

@test "emulated host: nested KVM boots the cloud kernel with 2 vCPUs (QEMU microvm in L1)" {
	need_l1
	vm_case_status h-qemu-l2 0
	assert_line 'la-guest: nproc 2'
	assert_line 'la-guest: fate poweroff'
	assert_output --regexp 'la-guest: memtotal_kib [0-9]+'
}

@test "emulated host: run-in-l1.sh exits 1 with the status when the command fails" {
	need_l1
	run "$VM_TOP/tests/vm/run-in-l1.sh" --smp 1 --mem 512M --timeout 300 -- sh -c 'echo bye; exit 5'
	assert_failure 1
	assert_line bye
	assert_line 'run-in-l1: command failed with status 5'
}

@test "emulated host: run-in-l1.sh exits 3 (harness failed) when L1 cannot boot" {
	need_l1
	echo 'not a kernel' >"$BATS_TEST_TMPDIR/vmlinuz"
	run env LA_L1_KERNEL="$BATS_TEST_TMPDIR/vmlinuz" "$VM_TOP/tests/vm/run-in-l1.sh" --timeout 60 -- true
	assert_failure 3
	assert_output --partial 'run-in-l1: harness failed:'
}

@test "emulated host: run-in-l1.sh --stall gives up on an L1 that prints nothing (exit 3)" {
	need_l1
	run "$VM_TOP/tests/vm/run-in-l1.sh" --smp 1 --mem 512M --timeout 300 --stall 15 \
		--out "$BATS_TEST_TMPDIR/out" -- sh -c 'echo before; sleep 200; echo after'
	assert_failure 3
	assert_line before
	refute_line after
	assert_output --partial 'run-in-l1: harness failed: stalled: no output for 15s'
	[ -e "$BATS_TEST_TMPDIR/out/stalled" ]
}

@test "emulated host: run-in-l1.sh exits 2 on a usage error" {
	run "$VM_TOP/tests/vm/run-in-l1.sh" --smp x -- true
	assert_failure 2
	assert_line --index 0 "run-in-l1: --smp: 'x': not a number"
	run "$VM_TOP/tests/vm/run-in-l1.sh" --stall soon -- true
	assert_failure 2
	assert_line --index 0 "run-in-l1: --stall: 'soon': not a number"
	run "$VM_TOP/tests/vm/run-in-l1.sh"
	assert_failure 2
	assert_line --index 0 'run-in-l1: no command given'
}

# a stand-in for run-in-l1.sh: try N (counted in $BATS_TEST_TMPDIR/n) keeps
# its script as scriptN, "finishes" the cases named in $FAKE_DONE_N and,
# when $FAKE_STALL_N is set, freezes (the file "stalled", exit 3)
fake_l1() {
	cat >"$BATS_TEST_TMPDIR/fake-l1" <<'SH'
#!/bin/bash
while [ $# -gt 0 ]; do
	case $1 in --out) out=$2; shift ;; --script) script=$2; shift ;; esac
	shift
done
n=$(( $(cat "$FAKE_DIR/n" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$FAKE_DIR/n"
cp "$script" "$FAKE_DIR/script$n"
mkdir -p "$out"
done_var=FAKE_DONE_$n stall_var=FAKE_STALL_$n
for c in ${!done_var}; do echo "$c try $n" >"$out/$c.out"; : >"$out/$c.err"; echo 0 >"$out/$c.status"; echo 1 >"$out/$c.seconds"; done
if [ -n "${!stall_var:-}" ]; then
	echo 240 >"$out/stalled"
	echo "run-in-l1: harness failed: stalled (try $n)" >&2
	exit 3
fi
exit 0
SH
	chmod +x "$BATS_TEST_TMPDIR/fake-l1"
	export VM_RUN_IN_L1=$BATS_TEST_TMPDIR/fake-l1 FAKE_DIR=$BATS_TEST_TMPDIR
	mkdir -p "$BATS_TEST_TMPDIR/t"
	printf '%s\n' 'P=/payload' 'la-case tap 20 la-tap la-tap0 10.0.0.1/24' 'la-case a 30 true' \
		'la-case b 30 sh -c \' '	true' 'la-case c 30 true' >"$BATS_TEST_TMPDIR/t/l1.sh"
}

@test "emulated host: a frozen host's unfinished cases run again in a fresh one (la-tap too), their results joining the others" {
	fake_l1
	FAKE_DONE_1="tap a" FAKE_STALL_1=1 FAKE_DONE_2="tap b" FAKE_STALL_2=1 FAKE_DONE_3="tap c" \
		vm_run_l1 "$BATS_TEST_TMPDIR/t" --timeout 60 3>"$BATS_TEST_TMPDIR/tap"
	local t=$BATS_TEST_TMPDIR/t
	run cat "$BATS_TEST_TMPDIR/tap"
	assert_output "$(printf '%s\n' '# l1: the emulated host froze (run-in-l1: harness failed: stalled (try 1)), try 1 of 3' \
		'# l1: the emulated host froze (run-in-l1: harness failed: stalled (try 2)), try 2 of 3')"
	[ "$(cat "$BATS_TEST_TMPDIR/n")" = 3 ]
	[ "$(cat "$t/l1.rc")" = 0 ]
	[ ! -e "$t/harness-error" ]
	# the second try: the setup case and what the first did not finish
	run cat "$BATS_TEST_TMPDIR/script2"
	assert_output "$(printf '%s\n' 'P=/payload' 'la-case tap 20 la-tap la-tap0 10.0.0.1/24' \
		'la-case b 30 sh -c \' '	true' 'la-case c 30 true')"
	run cat "$BATS_TEST_TMPDIR/script3"
	assert_output "$(printf '%s\n' 'P=/payload' 'la-case tap 20 la-tap la-tap0 10.0.0.1/24' 'la-case c 30 true')"
	run cat "$t/l1/a.out" "$t/l1/b.out" "$t/l1/c.out" "$t/l1/tap.out"
	assert_output "$(printf '%s\n' 'a try 1' 'b try 2' 'c try 3' 'tap try 3')"
	run cat "$t/l1-stall2.stderr" "$t/l1-stall3.stderr"
	assert_output "$(printf '%s\n' 'run-in-l1: harness failed: stalled (try 1)' 'run-in-l1: harness failed: stalled (try 2)')"
}

@test "emulated host: three frozen hosts in a row are a harness failure (3), the last one's reason kept" {
	fake_l1
	FAKE_STALL_1=1 FAKE_STALL_2=1 FAKE_STALL_3=1 FAKE_DONE_1=a \
		vm_run_l1 "$BATS_TEST_TMPDIR/t" --timeout 60 3>/dev/null
	[ "$(cat "$BATS_TEST_TMPDIR/n")" = 3 ]
	[ "$(cat "$BATS_TEST_TMPDIR/t/l1.rc")" = 3 ]
	run cat "$BATS_TEST_TMPDIR/t/harness-error"
	assert_output 'run-in-l1: harness failed: stalled (try 3)'
	[ -e "$BATS_TEST_TMPDIR/t/l1/a.status" ]
	[ ! -e "$BATS_TEST_TMPDIR/t/l1/b.status" ]
	# a host that fails without freezing (a case's status, exit 1) is not tried again
	rm -f "$BATS_TEST_TMPDIR/n"
	printf '#!/bin/sh\necho 1 >>"$FAKE_DIR/n"\nexit 1\n' >"$BATS_TEST_TMPDIR/fake-l1"
	vm_run_l1 "$BATS_TEST_TMPDIR/t" --timeout 60
	[ "$(cat "$BATS_TEST_TMPDIR/n")" = 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/t/l1.rc")" = 1 ]
}

@test "native branch: in the emulated host (hardware KVM there) the VM suites boot the probe, Linux and the BIOS directly, and pass" {
	need_vmrun n-native
	vm_case_status n-native 0
	assert_line --regexp '^native-in-l1: /dev/kvm c, kvm_pvm no, svm [1-9]'
	assert_line 'native-in-l1: bats status 0'
	refute_line --regexp '^not ok '
	local t ran
	ran=$(grep -E '^ok [0-9]+ la-vmrun: ' <<<"$output" | grep -v ' # skip')
	for t in 'probe, --mem 512M --cpus 1: e820' '--fdt - puts' 'every la-vmrun thread has its name' \
		'--no-jail --seccomp off' '--jail leaves the process' 'a forbidden call in each thread kind' \
		'Linux, 1 vCPU, 512M' '--bios starts a firmware' 'Ctrl-A x on standard input'; do
		grep -qF -- "$t" <<<"$ran" || fail "not run natively: $t
$output"
	done
}

# ---- the probe guest, without la-vmrun -----------------------------------------

@test "probe guest: the bzImage header asks for the 64-bit boot protocol" {
	local f=$VM_BUILD/guest/probe.bzImage
	[ "$(dd if="$f" bs=1 skip=$((0x202)) count=4 2>/dev/null)" = HdrS ]
	[ "$(od -An -tu1 -j $((0x1f1)) -N1 "$f" | tr -d ' ')" = 1 ]          # setup_sects
	[ $(($(od -An -tu2 -j $((0x236)) -N2 "$f") & 1)) = 1 ]                # XLF_KERNEL_64
	[ "$(od -An -tx2 -j $((0x1fe)) -N2 "$f" | tr -d ' ')" = aa55 ]       # boot_flag
	local syssize
	syssize=$(od -An -tu4 -j $((0x1f4)) -N4 "$f" | tr -d ' ')
	[ $((1024 + syssize * 16)) -le "$(stat -c %s "$f")" ]
	# the payload (at 0x200000 once loaded) starts with startup_32 and has
	# startup_64 0x200 bytes in, at the 64-bit entry point
	run nm "$VM_BUILD/guest/probe.elf"
	assert_line --regexp '^0000000000200000 T startup_32$'
	assert_line --regexp '^0000000000200200 T startup_64$'
	cmp <(tail -c +1025 "$f" | head -c 4096) <(head -c 4096 "$VM_BUILD/guest/probe.bin")
}

@test "probe guest: the ELF variant enters at 0x200200 from one segment at 0x200000" {
	run readelf -lh "$VM_BUILD/guest/probe.elf"
	assert_output --regexp 'Class: +ELF64'
	assert_output --regexp 'Entry point address: +0x200200'
	assert_output --regexp 'LOAD +0x[0-9a-f]+ 0x0+200000 0x0+200000'
	[ "$(grep -c ' LOAD ' <<<"$output")" = 1 ]
}

@test "probe guest: no xrstor, cmpxchg16b or SSE, which KVM's emulator cannot run" {
	run objdump -d "$VM_BUILD/guest/probe.elf"
	assert_success
	refute_output --regexp 'xrstor|cmpxchg16b|%xmm'
}

# run the probe under QEMU TCG (no KVM): its setup code and 32-bit entry,
# against QEMU's and SeaBIOS's tables
qemu_probe() {
	command -v qemu-system-x86_64 >/dev/null || vm_cannot_run "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
	run timeout 120 qemu-system-x86_64 -accel tcg -M q35 -smp 2 -m 512M -nographic \
		-no-reboot -nodefaults -serial stdio -d cpu_reset -D "$BATS_TEST_TMPDIR/qemu.log" \
		-kernel "$VM_BUILD/guest/probe.bzImage" -initrd "$BATS_TEST_TMPDIR/initrd" \
		-append "probe.mode=$1 console=ttyS0" </dev/null
	output=$(tr -d '\r' <<<"$output")
}

@test "probe guest: under QEMU's -kernel (32-bit entry) it reports e820, MP, ACPI and CPUID" {
	printf 'la-probe-initrd\n' >"$BATS_TEST_TMPDIR/initrd"
	qemu_probe poweroff
	assert_success
	assert_line --regexp '^probe: start entry 32 boot_params 0x[0-9a-f]+$'
	assert_line 'probe: cmdline probe.mode=poweroff console=ttyS0'
	assert_line --regexp '^probe: e820 0x100000 0x[0-9a-f]+ 1$'
	assert_line --regexp "^probe: initrd 0x[0-9a-f]+ 0x10 fnv1a $(vm_fnv1a "$BATS_TEST_TMPDIR/initrd")\$"
	assert_line --regexp '^probe: mp fp 0x[0-9a-f]+ table 0x[0-9a-f]+ length 1 spec 4 checksum ok'
	assert_line --regexp '^probe: acpi rsdp 0x[0-9a-f]+ rev [0-9]+ oem BOCHS'
	assert_line 'probe: acpi cpus 2'
	assert_line --regexp '^probe: acpi mcfg 0x[0-9a-f]+ segment 0 bus 0-255$'
	assert_line --regexp '^probe: acpi fadt sci [0-9]+ .* pm1a_cnt 0x[0-9a-f]+ '
	assert_line --regexp '^probe: cpuid .* hypervisor 1 '
	assert_line 'probe: mode poweroff'
	assert_line 'probe: errors 0'
	refute_line --regexp '^probe: error '
}

@test "probe guest: probe.mode=reboot resets through the i8042 under QEMU" {
	printf 'x' >"$BATS_TEST_TMPDIR/initrd"
	qemu_probe reboot
	assert_success
	assert_line 'probe: mode reboot'
	assert_line 'probe: errors 0'
	refute_output --partial 'did not stop the VM'
}

@test "probe guest: probe.mode=triplefault triple-faults under QEMU" {
	printf 'x' >"$BATS_TEST_TMPDIR/initrd"
	qemu_probe triplefault
	assert_success
	assert_line 'probe: mode triplefault'
	refute_output --partial 'did not stop the VM'
	grep -q 'Triple fault' "$BATS_TEST_TMPDIR/qemu.log"
}

@test "probe guest: an unknown probe.mode is an error, then the probe powers off" {
	printf 'x' >"$BATS_TEST_TMPDIR/initrd"
	qemu_probe sideways
	assert_success
	assert_line 'probe: mode unknown'
	assert_line 'probe: error unknown probe.mode; powering off'
	assert_line 'probe: errors 1'
}

# ---- la-vmrun boots the probe ----------------------------------------------------

@test "la-vmrun: probe, --mem 512M --cpus 1: e820 is la-layout's regions, ECAM, la-alloc's VCFG, identity map" {
	need_vmrun p-512m-1
	vm_case_status p-512m-1 0
	[ "$(grep '^probe: e820 ' <<<"$output")" = "$(vm_expected_e820 512M)" ] ||
		fail "e820: got
$(grep '^probe: e820 ' <<<"$output")
want
$(vm_expected_e820 512M)"
	assert_line 'probe: errors 0'
}

@test "la-vmrun: probe, --mem 4G --cpus 2: e820 splits RAM around the PCI hole" {
	need_vmrun p-4g-2
	vm_case_status p-4g-2 0
	[ "$(grep '^probe: e820 ' <<<"$output")" = "$(vm_expected_e820 4G)" ] ||
		fail "e820: got $(grep '^probe: e820 ' <<<"$output"); want $(vm_expected_e820 4G)"
	assert_line 'probe: errors 0'
}

@test "la-vmrun: probe, --mem 5G --cpus 2: RAM above 4 GiB in e820" {
	need_vmrun p-5g-2
	vm_case_status p-5g-2 0
	[ "$(grep '^probe: e820 ' <<<"$output")" = "$(vm_expected_e820 5G)" ] ||
		fail "e820: got $(grep '^probe: e820 ' <<<"$output"); want $(vm_expected_e820 5G)"
	assert_line --regexp '^probe: e820 0x100000000 0x[0-9a-f]+ 1$'
	assert_line 'probe: errors 0'
}

@test "la-vmrun: probe gets boot_params at 0x7000, the cmdline at 0x20000 and the RNG seed at 0x20800" {
	need_vmrun p-512m-1
	vm_case_status p-512m-1 0
	assert_line 'probe: start entry 64 boot_params 0x7000'
	assert_line --regexp '^probe: boot_params 0x7000 header ok version 0x20f loader 0xff boot_flag 0xaa55 kernel_alignment 0x1000000 setup_data 0x20800$'
	assert_line --regexp '^probe: cmdline-ptr 0x20000 len [0-9]+$'
	# la-vmrun's own parameters first, then --cmdline
	assert_line --regexp '^probe: cmdline panic=-1 .*probe\.mode=poweroff$'
	assert_line --regexp '^probe: setup_data 0x20800 type 9 len 256 zero-bytes [0-9]+$'
	assert_line 'probe: setup_data-entries 1'
}

@test "la-vmrun: probe's initrd is intact and as high as allowed (page-aligned, below RAM's end)" {
	need_vmrun p-512m-1
	vm_case_status p-512m-1 0
	# 16 bytes; RAM below 4 GiB ends at 512M = 0x20000000
	assert_line "probe: initrd 0x1ffff000 0x10 fnv1a $(vm_fnv1a "$BATS_FILE_TMPDIR/payload/initrd.bin")"
}

@test "la-vmrun: probe finds the MP table at 0x9e800 with one processor per vCPU and the IOAPIC after them" {
	need_vmrun p-4g-2
	vm_case_status p-4g-2 0
	assert_line 'probe: mp fp 0x9fff0 table 0x9e800 length 1 spec 4 checksum ok features 0x0'
	assert_line --regexp '^probe: mp table 0x9e800 length [0-9]+ spec 4 checksum ok '
	assert_line 'probe: mp cpu apic 0 ver 0x14 flags 0x3 signature 0x600 features 0x201'
	assert_line 'probe: mp cpu apic 1 ver 0x14 flags 0x1 signature 0x600 features 0x201'
	assert_line 'probe: mp ioapic 3 ver 0x14 flags 0x1 addr 0xfec00000'
	assert_line 'probe: mp cpus 2'
}

@test "la-vmrun: probe finds ACPI at 0xe0000: checksums, a MADT entry per vCPU, MCFG on la-layout's ECAM" {
	need_vmrun p-4g-2
	vm_case_status p-4g-2 0
	local ecam
	ecam=$("$VM_BIN/la-layout" --arch x86_64 --mem 4G --json | jq -r '.pci.config | "\(.start) \(.size / 1048576 - 1)"')
	assert_line --regexp '^probe: acpi rsdp 0xe0000 rev 2 oem .* xchecksum ok xsdt 0x[0-9a-f]+$'
	assert_line --regexp '^probe: acpi table XSDT '
	assert_line --regexp '^probe: acpi table FACP 0x[0-9a-f]+ length 276 rev 6 checksum ok'
	assert_line --regexp '^probe: acpi table DSDT 0x[0-9a-f]+ length [0-9]+ rev 6 checksum ok'
	assert_line --regexp '^probe: acpi table APIC 0x[0-9a-f]+ length [0-9]+ rev 5 checksum ok'
	assert_line --regexp '^probe: acpi table MCFG 0x[0-9a-f]+ length 60 rev [0-9]+ checksum ok'
	assert_line 'probe: acpi madt cpu uid 0 apic 0 flags 0x1'
	assert_line 'probe: acpi madt cpu uid 1 apic 1 flags 0x1'
	assert_line 'probe: acpi madt ioapic 0 addr 0xfec00000 gsi_base 0'
	assert_line 'probe: acpi cpus 2'
	assert_line "probe: acpi mcfg $(vm_hex "${ecam% *}") segment 0 bus 0-${ecam#* }"
	refute_output --partial 'checksum bad'
	assert_line 'probe: errors 0'
}

@test "la-vmrun: the FADT's PM1 block is la-alloc's first I/O grant; SCI 5; reset through 0xcf9" {
	need_vmrun p-512m-1
	vm_case_status p-512m-1 0
	local pm
	pm=$("$VM_BIN/la-alloc" --arch x86_64 --mem 512M --io pm=72 --json | jq -r '.grants[] | select(.name == "pm") | .start')
	assert_line --regexp "^probe: acpi fadt sci 5 smi_cmd 0x0 pm1a_evt $(vm_hex "$pm") pm1a_cnt $(vm_hex $((pm + 4))) gpe0 $(vm_hex $((pm + 8))) pm1_evt_len 4 pm1_cnt_len 2 gpe0_len 64 .* reset 1:0xcf9:0x6 "
}

@test "la-vmrun: probe's CPUID has the hypervisor bit, KVM's signature and each vCPU count" {
	need_vmrun p-4g-2
	vm_case_status p-4g-2 0
	assert_line --regexp '^probe: cpuid vendor .* apic 0 logical 2 htt 1 hypervisor 1 '
	assert_line --regexp '^probe: cpuid hypervisor-id KVMKVMKVM'
}

@test "la-vmrun: probe booted as a 64-bit ELF gets the same boot_params" {
	need_vmrun p-elf
	vm_case_status p-elf 0
	assert_line 'probe: start entry 64 boot_params 0x7000'
	[ "$(grep '^probe: e820 ' <<<"$output")" = "$(vm_expected_e820 256M)" ]
	assert_line 'probe: errors 0'
}

@test "la-vmrun: the guest's ACPI poweroff exits 0" {
	need_vmrun p-512m-1
	vm_case_status p-512m-1 0
	assert_line 'probe: mode poweroff'
	refute_output --partial 'did not stop the VM'
}

@test "la-vmrun: a reset through the i8042 exits 32" {
	need_vmrun p-reboot
	vm_case_status p-reboot 32
	assert_line 'probe: mode reboot'
	refute_output --partial 'did not stop the VM'
}

@test "la-vmrun: a triple fault exits 33 and prints the vCPU registers on standard error" {
	need_vmrun p-triplefault
	vm_case_status p-triplefault 33
	assert_line 'probe: mode triplefault'
	grep -qi 'rip' <<<"$stderr" || fail "no registers on stderr: $stderr"
}

@test "la-vmrun: MMIO no device claims reads all ones, is said once on stderr, and the guest goes on" {
	need_vmrun p-mmio
	vm_case_status p-mmio 0
	assert_line 'probe: mmio 0xd0000000 reads 0xffffffff 0xffffffff'
	assert_line 'probe: errors 0'
	[ "$(grep -c 'MMIO no device claims' <<<"$stderr")" -eq 1 ] || fail "stderr: $stderr"
	grep -q 'la-vmrun: note: the guest read 4 bytes at 0xd0000000' <<<"$stderr" ||
		fail "stderr: $stderr"
}

@test "la-vmrun: --boot-timing prints each POST code the guest writes to port 0x80, and --boot-timing-mark when the console printed the mark" {
	need_vmrun p-post
	vm_case_status p-post 0
	assert_line 'probe: post 0x10-0x1f'
	local c all="$output
$stderr"
	for c in 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f; do
		grep -qiE "(0x)?$c\\b" <<<"$all" || fail "POST code 0x$c not in the --boot-timing output"
	done
	# the main thread's start-up steps in order, the teardown after them;
	# vCPU 0's steps and the virtio-rng thread's filter (their own threads)
	# and the guest's events once each
	local steps s
	steps=$(sed -n 's/^la-vmrun: boot-timing: *[0-9.]* ms \([^P].*\)\r*$/\1/p' <<<"$stderr")
	[ "$(grep -v -e '^vCPU 0' -e '^first console output$' -e '^power-off$' -e '^mark: ' \
		-e "^virtio-rng thread's seccomp filter loaded$" <<<"$steps" |
		paste -sd'|' -)" = "options parsed|files read|layout and grants|build_vm: payload, tables and tree in guest memory|KVM opened, capabilities checked|KVM_CREATE_VM|interrupt controller created|guest memory registered|devices on their buses|vCPUs created and configured|jail|console thread started, its seccomp filter loaded|vCPU threads started|main thread's seccomp filter loaded|fate decided, threads joined|vCPUs, VM and KVM closed|exit" ] ||
		fail "--boot-timing steps: $steps"
	for s in "vCPU 0's seccomp filter loaded" "vCPU 0's first KVM_RUN" "power-off" \
		"virtio-rng thread's seccomp filter loaded" "mark: probe: post"; do
		[ "$(grep -cxF "$s" <<<"$steps")" = 1 ] || fail "--boot-timing: '$s' not once: $steps"
	done
}

@test "la-vmrun: --hugepages: the guest's RAM takes exactly its 34 pages of the host's pool while it runs, none after; too small a pool fails at start" {
	need_vmrun m-huge
	vm_case_status m-huge 0
	assert_line "huge: taken before 0"
	assert_line "huge: taken while it runs 34"
	assert_line "huge: taken after 0"
	assert_line 'probe: got byte 0x78'
	assert_line "huge: small pool status 1"
	assert_line "huge: small pool says: la-vmrun: --hugepages: the guest's RAM needs 34 free 2 MiB huge pages, the host has 8 (raise /proc/sys/vm/nr_hugepages)"
}

@test "la-vmrun: --no-acpi leaves only the MP table; the probe cannot power off and resets (32)" {
	need_vmrun p-no-acpi
	vm_case_status p-no-acpi 32
	assert_line 'probe: acpi none'
	assert_line 'probe: mp cpus 1'
	assert_line --regexp '^probe: error poweroff through PM1a_CNT 0x0 did not stop the VM'
}

@test "la-vmrun: --fdt - puts la-mkfdt's DTB in setup_data after the RNG seed, padded to 16 KiB" {
	need_mkfdt
	need_vmrun p-fdt
	vm_case_status p-fdt 0
	assert_line --regexp '^probe: setup_data 0x20800 type 9 len 256 '
	assert_line "probe: setup_data 0x20910 type 2 len 16384 fdt-magic ok fdt-size $(stat -c %s "$BATS_FILE_TMPDIR/payload/x86.dtb")"
	assert_line 'probe: setup_data-entries 2'
	assert_line 'probe: errors 0'
}

@test "la-vmrun: --overlay puts la-mkfdt's x86_64 tree with the overlay in setup_data" {
	local p=$BATS_FILE_TMPDIR/payload size
	need_mkfdt
	need_vmrun p-overlay
	vm_case_status p-overlay 0
	size=$("$VM_BIN/la-mkfdt" --arch x86_64 --mem 512M --kernel "$p/probe.bzImage" \
		--initrd "$p/initrd.bin" --overlay "$p/plain.dtbo" | wc -c)
	# the overlaid tree, not the plain one of p-fdt
	[ "$size" -gt "$(stat -c %s "$p/x86.dtb")" ]
	assert_line --regexp '^probe: setup_data 0x20800 type 9 len 256 '
	assert_line "probe: setup_data 0x20910 type 2 len 16384 fdt-magic ok fdt-size $size"
	assert_line 'probe: setup_data-entries 2'
	assert_line 'probe: errors 0'
}

# ---- la-vmrun boots Linux (Debian's cloud kernel) ------------------------------

@test "la-vmrun: Linux, 1 vCPU, 512M: init sees la-layout's RAM and powers off (exit 0)" {
	need_vmrun l-1cpu
	vm_case_status l-1cpu 0
	assert_line 'la-guest: nproc 1'
	[ "$(vm_guest_ram)" = "$(vm_ram_lines 512M)" ] ||
		fail "RAM: got $(vm_guest_ram); want $(vm_ram_lines 512M)"
	local kib
	kib=$(sed -n 's/^la-guest: memtotal_kib //p' <<<"$output")
	[ "$kib" -gt $((512 * 1024 / 2)) ]
	[ "$kib" -le $((512 * 1024)) ]
	assert_line 'la-guest: fate poweroff'
}

@test "la-vmrun: Linux's command line is la-vmrun's own parameters, then --cmdline" {
	need_vmrun l-1cpu
	vm_case_status l-1cpu 0
	assert_line --regexp '^la-guest: cmdline .*panic=-1 .*console=ttyS0.* quiet la\.fate=poweroff$'
}

@test "la-vmrun: Linux with 2 vCPUs sees 2 CPUs (ACPI MADT: the cloud kernel has no MP-table parser)" {
	need_vmrun l-2cpu
	vm_case_status l-2cpu 0
	assert_line 'la-guest: nproc 2'
}

@test "la-vmrun: Linux with --mem 5G sees RAM above 4 GiB" {
	need_vmrun l-5g
	vm_case_status l-5g 0
	[ "$(vm_guest_ram)" = "$(vm_ram_lines 5G)" ] ||
		fail "RAM: got $(vm_guest_ram); want $(vm_ram_lines 5G)"
	assert_line --regexp '^la-guest: ram 100000000-'
}

@test "la-vmrun: Linux's reboot exits 32" {
	need_vmrun l-reboot
	vm_case_status l-reboot 32
	assert_line 'la-guest: fate reboot'
}

@test "la-vmrun: --irqchip split: the probe guest runs on 2 vCPUs and powers off" {
	need_vmrun p-split
	vm_case_status p-split 0
	assert_line 'probe: errors 0'
}

# (the MADT keeps PCAT_COMPAT: Linux 6.1.192 then skips its 8259 probe and
# masks a PIC that is not there through ports nobody claims; its interrupts
# go through the IOAPIC, la's here)
@test "la-vmrun: Linux on --irqchip split routes through la's IOAPIC (version 0x11, GSI 0-23) and powers off or reboots on 1 and 2 vCPUs" {
	local c
	for c in l-split-1cpu l-split-2cpu; do
		need_vmrun $c
		if [ $c = l-split-1cpu ]; then
			vm_case_status $c 0
			assert_line 'la-guest: nproc 1'
			assert_line 'la-guest: fate poweroff'
		else
			vm_case_status $c 32
			assert_line 'la-guest: nproc 2'
			assert_line 'la-guest: fate reboot'
		fi
		assert_line 'la-guest: dmesg IOAPIC[0]: apic_id 0, version 17, address 0xfec00000, GSI 0-23'
		assert_line 'la-guest: dmesg ACPI: Using IOAPIC for interrupt routing'
	done
}

@test "la-vmrun: Linux boots with --fdt - from la-mkfdt --arch x86_64 (kernel without OF ignores it)" {
	need_mkfdt
	need_vmrun l-fdt
	vm_case_status l-fdt 0
	assert_line 'la-guest: fate poweroff'
}

# ---- the sandbox (seccomp filters and the jail) --------------------------------
# Every case above ran under the default sandbox: --seccomp trap and the jail.

# la-vmrun's own threads, named la-vmrun, la-vcpuN, la-console and the
# virtio devices' (la-vrng: the default virtio-rng; la-vblkN, la-vcons),
# sorted; the kernel's own tasks in the process (KVM's NX huge-page
# recovery worker, kvm-nx-lpage-re, since Linux 6.13) are reported, not
# counted
VM_OWN='la-(vmrun|vcpu[0-9]+|console|vrng|vblk[0-9]+|vcons)'
vm_own_threads() {
	grep -E "^live: task $VM_OWN " <<<"$output" | LC_ALL=C sort
}
vm_report_other_tasks() {
	grep '^live: task ' <<<"$output" | grep -vE "^live: task $VM_OWN " |
		sed 's/^live: task /# a task of the kernel in la-vmrun: /' >&3
}

@test "la-vmrun: while a guest runs, every la-vmrun thread has its name and a seccomp filter (Seccomp: 2)" {
	need_vmrun s-live
	vm_case_status s-live 0
	assert_line 'probe: got byte 0x78'
	# main, the device (console input) thread, 2 vCPUs and the default
	# virtio-rng's thread; a thread that forgot its name would be a second
	# "la-vmrun"
	[ "$(vm_own_threads)" = "live: task la-console Seccomp: 2
live: task la-vcpu0 Seccomp: 2
live: task la-vcpu1 Seccomp: 2
live: task la-vmrun Seccomp: 2
live: task la-vrng Seccomp: 2" ] || fail "threads: $(grep '^live: task' <<<"$output")"
	vm_report_other_tasks
}

@test "la-vmrun: the default jail: no new privileges, no capabilities, new namespaces, empty root" {
	need_vmrun s-live
	vm_case_status s-live 0
	assert_line 'live: NoNewPrivs: 1'
	assert_line 'live: CapEff: 0000000000000000'
	assert_line 'live: mnt namespace new'
	assert_line 'live: ipc namespace new'
	assert_line 'live: uts namespace new'
	assert_line 'live: root entries 0'
	[ -z "$stderr" ] || fail "stderr: $stderr"
}

@test "la-vmrun: --no-jail --seccomp off leaves the process as it was" {
	need_vmrun s-live-nojail
	vm_case_status s-live-nojail 0
	[ "$(vm_own_threads)" = "live: task la-console Seccomp: 0
live: task la-vcpu0 Seccomp: 0
live: task la-vmrun Seccomp: 0
live: task la-vrng Seccomp: 0" ] || fail "threads: $(grep '^live: task' <<<"$output")"
	vm_report_other_tasks
	assert_line 'live: NoNewPrivs: 0'
	assert_line 'live: mnt namespace shared'
	refute_line 'live: root entries 0'
}

@test "la-vmrun: --jail leaves the process unable to open a file it had not opened" {
	need_vmrun s-jail-open
	vm_case_status s-jail-open 0
	assert_line 'probe: errors 0'
	# wherever the payload is (the emulated host's /payload or a folder here)
	grep -qxE 'la-test-hook: jailed: /.+/probe\.bzImage failed: No such file or directory' \
		<<<"$stderr" || fail "stderr: $stderr"
	grep -qx 'la-test-hook: jailed: create /la-jail-test failed: Read-only file system' \
		<<<"$stderr" || fail "stderr: $stderr"
}

@test "la-vmrun: a forbidden call in each thread kind ends the VM with 40 and one line naming it" {
	local k
	for k in main vcpu device virtio-rng; do
		need_vmrun "s-trap-$k"
		vm_case_status "s-trap-$k" 40
		[ "$(wc -l <<<"$stderr")" = 1 ] || fail "$k: stderr: $stderr"
		grep -qE "^la-vmrun: seccomp: $k thread 0 made a forbidden system call: socket \\(41\\) args 0x1, 0x1, 0x0, " \
			<<<"$stderr" || fail "$k: stderr: $stderr"
		# the main thread's filter comes last, once the vCPUs run
		[ "$k" = main ] || refute_line 'probe: errors 0'
	done
}

@test "la-vmrun: --seccomp errno fails a forbidden call with EPERM, in each thread kind" {
	local k
	for k in main vcpu device virtio-rng; do
		need_vmrun "s-errno-$k"
		vm_case_status "s-errno-$k" 0
		assert_line 'probe: errors 0'
		grep -qx "la-test-hook: $k: socket(AF_UNIX, SOCK_STREAM, 0) failed: Operation not permitted" \
			<<<"$stderr" || fail "$k: stderr: $stderr"
	done
}

@test "la-vmrun: --seccomp log lets a forbidden call through and the kernel logs it" {
	need_vmrun s-log-vcpu
	vm_case_status s-log-vcpu 0
	assert_line 'probe: errors 0'
	grep -qE '^la-test-hook: vcpu: socket\(AF_UNIX, SOCK_STREAM, 0\) returned [0-9]+$' \
		<<<"$stderr" || fail "stderr: $stderr"
	# the audit record: SECCOMP_RET_LOG is code 0x7ffc0000
	assert_line --regexp 'type=1326 .*comm="la-vcpu0".* syscall=41 .*code=0x7ffc0000'
}

@test "la-vmrun: --seccomp kill kills the process (SIGSYS)" {
	need_vmrun s-kill-vcpu
	vm_case_status s-kill-vcpu $((128 + 31))
	refute_line 'probe: errors 0'
}

@test "la-vmrun: --seccomp off lets the call through" {
	need_vmrun s-off-vcpu
	vm_case_status s-off-vcpu 0
	grep -qE '^la-test-hook: vcpu: socket\(AF_UNIX, SOCK_STREAM, 0\) returned [0-9]+$' \
		<<<"$stderr" || fail "stderr: $stderr"
}

@test "la-vmrun: on a terminal, la-vmrun makes it raw and leaves it as it found it" {
	need_vmrun s-tty-ok
	vm_case_status s-tty-ok 0
	assert_line --partial 'probe: errors 0'
	assert_line 'la-pty: status 0 icanon 1 echo 1'
}

@test "la-vmrun: a forbidden call (trap) restores the terminal before exiting 40" {
	need_vmrun s-tty-trap
	vm_case_status s-tty-trap 0
	assert_line --regexp '^la-vmrun: seccomp: vcpu thread 0 made a forbidden system call: socket \(41\) '
	assert_line 'la-pty: status 40 icanon 1 echo 1'
}

@test "la-vmrun: --seccomp kill cannot restore the terminal (as the man page says)" {
	need_vmrun s-tty-kill
	vm_case_status s-tty-kill 0
	assert_line 'la-pty: status 159 icanon 0 echo 0'
}
