#!/usr/bin/env bats
# A Linux guest that panics (issue 19): the virtio test guest under Debian's
# cloud kernel, booted by la-vmrun inside the emulated x86_64 host (L1), all
# cases in ONE boot of it. The guest loads ramoops (its ramoops.* parameters
# from la-vmrun --pstore's command line) and pvpanic-pci, panics (sysrq c,
# la.panic in tests/vm/guest-init.sh): pvpanic makes la-vmrun exit 34 though
# panic=-1 resets the guest, and the pstore file keeps the panic's log,
# which the next boot with the same file finds in /sys/fs/pstore (la.pstore).
# Without pvpanic the same panic is a reset (32). In the same boot, --serial
# (issue 19 item 7, tests/vm/serial-case.sh): a Unix socket serial a client
# attaches to, detaches from and attaches to again, a file with earlycon,
# syslog(3) into busybox syslogd. fw_cfg: the guest loads qemu_fw_cfg,
# which binds to la-vmrun's QEMU0002, and prints the --fw-cfg items from
# /sys/firmware/qemu_fw_cfg (la.fwcfg). Only in the plain pass of
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
la-case s-unix $t sh "\$P/serial-case.sh" unix $boot
la-case s-syslog 60 sh "\$P/serial-case.sh" syslog --mem 256M --cmdline probe.mode=poweroff "\$P/probe.bzImage"
la-case b-fwcfg $t la-vmrun --fw-cfg name=opt/la/file,path=\$P/fwcfg.txt --fw-cfg 'name=opt/la/string,string=hello, fw_cfg' --cmdline 'la.modules=qemu_fw_cfg la.fwcfg=opt/la/file la.fwcfg=opt/la/string' $boot
EOF
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(vm_virtio_payload "$t" "$p")
	# --serial's cases: the socket's client, the case script, the probe guest
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/tests/la-sercat" "$VM_BUILD/guest/probe.bzImage" >>"$t/make.log" 2>&1; then
		m="la-sercat or the probe guest did not build: $(tail -n 1 "$t/make.log")"
	fi
	[ -n "$m" ] || cp "$VM_TOP/tests/vm/serial-case.sh" "$VM_BUILD/guest/probe.bzImage" "$p/" ||
		m="cannot copy serial-case.sh and the probe guest"
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	printf 'first line of an fw_cfg file\nsecond, 4242\n' >"$p/fwcfg.txt"
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		vm_cases_bvm
	} >"$t/l1.sh"
	vm_run_l1 "$t" --timeout 1300 --stall 300 --payload "$p" --bin "$VM_BIN/la-vmrun" \
		--bin "$VM_BUILD/tests/la-sercat"
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

@test "serial: type=unix: a client attaches, reads the console, detaches; another types a line the guest runs" {
	need_case s-unix
	vm_case_status s-unix 0
	# the first client saw the guest from the start, its console on ttyS1 (COM2)
	assert_line --regexp '^la-guest: cmdline panic=-1 console=ttyS1 earlycon=uart8250,io,0x3f8 pci=lastbus=0 la\.fate=shell'
	assert_line --partial 'la-guest: fate shell'
	assert_line --regexp '^la-guest: shell \('
	assert_line 'serial-case: client 1 detached'
	refute_line --partial 'client 1 failed'
	# the second one typed a line the shell ran (42 is computed, not echoed)
	assert_line --regexp '^la-echo-42'
	refute_line --partial 'client 2 failed'
	assert_line 'serial-case: la-vmrun status 0'
	assert_line 'serial-case: socket removed'
}

@test "serial: type=file with earlycon: COM1's file has the kernel's early log" {
	need_case s-unix
	vm_case_status s-unix 0
	assert_line --regexp '^serial-case: com1 .*Linux version [0-9]'
}

@test "serial: type=syslog: the console's lines go to syslog(3), daemon.info, tagged ttyS0" {
	need_case s-syslog
	vm_case_status s-syslog 0
	assert_line 'serial-case: la-vmrun status 0'
	assert_line --regexp '^serial-case: syslog .*daemon\.info la-vmrun\[[0-9]+\]: ttyS0: probe: start '
}

@test "fw_cfg: the guest's qemu_fw_cfg driver finds the device (DMA in its id) and reads each --fw-cfg item, a file's and a string's" {
	need_case b-fwcfg
	vm_case_status b-fwcfg 0
	assert_line --regexp '^la-guest: modules loaded .*qemu_fw_cfg'
	run grep -c '^la-guest: fwcfg rev 3$' <<<"$output"
	assert_output 2
	vm_case_status b-fwcfg 0
	assert_line 'la-guest: fwcfg opt/la/file size 42'
	assert_line 'la-guest: fwcfg opt/la/file: first line of an fw_cfg file'
	assert_line 'la-guest: fwcfg opt/la/file: second, 4242'
	assert_line 'la-guest: fwcfg opt/la/string size 13'
	assert_line 'la-guest: fwcfg opt/la/string: hello, fw_cfg'
	assert_line 'la-guest: fate poweroff'
}
