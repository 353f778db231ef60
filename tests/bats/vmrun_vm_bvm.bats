#!/usr/bin/env bats
# A Linux guest that panics (issue 19): the virtio test guest under Debian's
# cloud kernel, booted by la-vmrun inside the emulated x86_64 host (L1), all
# cases in ONE boot of it. The guest loads ramoops (its ramoops.* parameters
# from la-vmrun --pstore's command line) and pvpanic-pci, panics (sysrq c,
# la.panic in tests/vm/guest-init.sh): pvpanic makes la-vmrun exit 34 though
# panic=-1 resets the guest, and the pstore file keeps the panic's log,
# which the next boot with the same file finds in /sys/fs/pstore (la.pstore).
# Without pvpanic the same panic is a reset (32). Only in the plain pass of
# tests/run.sh, as the other VM suites.

load vmrun_vm_helpers

VM_LINUX_TIMEOUT=300

vm_cases_bvm() {
	local t=$VM_LINUX_TIMEOUT
	local boot='--mem 512M --initrd "$P/virtio.cpio" "$P/vmlinuz"'
	cat <<EOF
la-case b-panic $t la-vmrun --pstore path=/tmp/ps.img,size=1M --cmdline 'la.modules=ramoops,pvpanic_pci la.panic' $boot
la-case b-file 10 sh -c 'wc -c </tmp/ps.img'
la-case b-pstore $t la-vmrun --pstore path=/tmp/ps.img,size=1M --cmdline 'la.modules=ramoops la.pstore' $boot
la-case b-nopvpanic $t la-vmrun --no-pvpanic --cmdline 'la.modules=pvpanic_pci la.panic' $boot
la-case b-wrongsize 10 la-vmrun --pstore path=/tmp/ps.img,size=2M $boot
EOF
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(vm_virtio_payload "$t" "$p")
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		vm_cases_bvm
	} >"$t/l1.sh"
	vm_run_l1 "$t" --timeout 1300 --stall 300 --payload "$p" --bin "$VM_BIN/la-vmrun"
}

need_case() {
	vm_need_case "$1"
}

@test "pvpanic: a guest that panics ends la-vmrun with status 34 and one line saying so, though panic=-1 resets it" {
	need_case b-panic
	vm_case_status b-panic 34
	assert_line --regexp '^la-guest: modules loaded .*ramoops.* pvpanic_pci'
	assert_line --regexp '^la-guest: panic pvpanic 0000:00:0[0-9a-f]\.0$'
	refute_line --partial 'la-guest: fate'
	run grep -c '^la-vmrun: guest panicked' <<<"$stderr"
	assert_output 1
	run grep '^la-vmrun: guest panicked' <<<"$stderr"
	assert_output --regexp '^la-vmrun: guest panicked \(pvpanic\), then reset \(.*\): exit status 34$'
}

@test "pstore: the missing file is made size= bytes long and the guest's ramoops takes the region" {
	need_case b-panic
	vm_case_status b-panic 34
	assert_output --partial 'ramoops.mem_address=0x108000000 ramoops.mem_size=0x100000'
	vm_case_status b-file 0
	assert_output 1048576
}

@test "pstore: the next boot with the same file finds the first boot's panic in /sys/fs/pstore" {
	need_case b-pstore
	vm_case_status b-pstore 0
	assert_line --regexp '^la-guest: pstore files .*dmesg-ramoops-0'
	assert_line --regexp '^la-guest: pstore .*sysrq triggered crash'
	assert_line 'la-guest: fate poweroff'
}

@test "pvpanic: --no-pvpanic: the same panic is a reset (32), the driver finds no device" {
	need_case b-nopvpanic
	vm_case_status b-nopvpanic 32
	assert_line 'la-guest: panic pvpanic none'
	refute_output --partial 'guest panicked'
	[[ "$stderr" != *"guest panicked"* ]] || fail "stderr: $stderr"
}

@test "pstore: a file of another size than size= is refused before the VM starts (exit 2)" {
	need_case b-wrongsize
	vm_case_status b-wrongsize 2
	[ "$stderr" = "la-vmrun: --pstore: '/tmp/ps.img': is 1048576 bytes, not size=2097152: give the size it has, or another file" ]
}
