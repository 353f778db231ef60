#!/usr/bin/env bats
# la-vmrun --control and la-vmctl with a running VM: the busybox test guest
# (build/vm/guest.cpio, 2 vCPUs) under Debian's cloud kernel, booted by
# la-vmrun inside the emulated x86_64 host (L1), in ONE boot of it: one case
# (tests/vm/ctl-case.sh) prints a "ctl: ..." line a check, each @test
# checks some. Only in the plain pass of tests/run.sh, as the other VM
# suites.

load vmrun_vm_helpers

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(la_vm_missing | head -n 1)
	if [ -z "$m" ] && ! vm_have_vmrun; then
		m="la-vmrun is not built yet"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$(la_vm_l2_kernel)" "$p/vmlinuz" || return 1
	cp "$VM_BUILD/vm/guest.cpio" "$p/guest.cpio" || return 1
	cp "$VM_TOP/tests/vm/ctl-case.sh" "$p/" || return 1
	echo 'la-case ctl 400 sh "$P/ctl-case.sh"' >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	vm_run_l1 "$t" --timeout 600 --stall 240 --payload "$p" \
		--bin "$VM_BIN/la-vmrun" --bin "$VM_BIN/la-vmctl" --bin "$VM_BUILD/tests/la-ctl-fake"
}

need() {
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir ctl)" ] ||
		vm_cannot_run "control: $(cat "$BATS_FILE_TMPDIR/harness-error")"
	vm_case_status ctl 0
}

@test "la-vmrun --control: the socket is mode 0600; la-vmctl status says running, then with both vCPUs running" {
	need
	assert_line "ctl: mode 600"
	# asked at once: the vCPU threads may not have started yet
	assert_line --regexp '^ctl: status rc 0 state: running\|uptime: [0-9]+\.[0-9]{3} s\|arch: x86_64\|pid: [0-9]+\|vcpus: 2 \(0 (not started|running), 1 (not started|running)\)\|$'
	assert_line --regexp '^ctl: after rc 0 state: running\|uptime: [0-9]+\.[0-9]{3} s\|arch: x86_64\|pid: [0-9]+\|vcpus: 2 \(0 running, 1 running\)\|$'
}

@test "la-vmctl list: the VM's virtio devices with their PCI addresses, as --explain --json shows them" {
	need
	assert_line --regexp '^ctl: list rc 0 virtio-rng0 +00:[0-9a-f]{2}\.0  bar0 0x[0-9a-f]+-0x[0-9a-f]+  irq [0-9]+ +getrandom\|$'
	local json
	json=$(sed -n 's/^ctl: json //p' <<<"$output")
	[ "$(jq -r '."la-vmctl-schema", .ok, .op, .devices[0].type, .devices[0].backing' <<<"$json" |
		tr '\n' ' ')" = "1 true list virtio-rng getrandom " ] || fail "$json"
}

@test "la-vmrun --control: a second la-vmrun on the same path is refused while the first runs" {
	need
	assert_line "ctl: second rc 1 la-vmrun: --control: '/tmp/vm.sock': in use by a running VM"
}

@test "la-vmrun --control: malformed and too-long requests get errors, a client gone mid-request is fine, the VM runs on" {
	need
	assert_line --regexp '^ctl: malformed \{"la-vmctl-schema":1,"ok":false,"code":"bad-json","error":"not JSON: .*"\}$'
	assert_line 'ctl: toolong {"la-vmctl-schema":1,"ok":false,"code":"too-long","error":"request longer than 4096 bytes"}'
	assert_line "ctl: hangup done"
	assert_line "ctl: add rc 1 la-vmctl: /tmp/vm.sock: add: this VM has no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)"
	assert_line --regexp '^ctl: after rc 0 state: running\|'

	assert_line "ctl: still running"
}

@test "la-vmctl suspend: the guest enters s2idle, its tasks stop (no ticks), resume wakes it and its clock went on" {
	need
	# the guest never got so far: its console's end first, where a
	# failure's reader sees it
	! grep -q '^ctl: no wakeup line' <<<"$output" ||
		fail "$(grep '^ctl: no wakeup line' <<<"$output")"
	assert_line "ctl: guest la-guest: suspend wakeup enabled"
	assert_line "ctl: suspend rc 0 suspended"
	assert_line --regexp '^ctl: suspended status rc 0 state: suspended\|.*\|vcpus: 2 \(0 suspended, 1 suspended\)\|$'
	# the init's ticker (every 0.2 s while it runs) is frozen for those 3 s
	assert_line "ctl: ticks while suspended 0"
	assert_line "ctl: suspend again rc 1 la-vmctl: /tmp/vm.sock: suspend: the guest is suspended already (la-vmctl resume wakes it)"
	assert_line "ctl: resume rc 0 running"
	assert_line "ctl: resume again rc 1 la-vmctl: /tmp/vm.sock: resume: the guest is not suspended"
	assert_line --regexp '^ctl: resumed status rc 0 state: running\|.*\|vcpus: 2 \(0 running, 1 running\)\|$'
	local n up0 up1
	n=$(sed -n 's/^ctl: ticks after resume //p' <<<"$output")
	[ "${n:-0}" -gt 0 ] || fail "no ticks after resume: $n"
	# one request, one freeze each time: its uptime (the boot clock) went
	# on past the 3 s asleep
	[ "$(grep -c '^ctl: guest la-guest: suspend request' <<<"$output")" = 2 ] || fail "requests"
	[ "$(grep -c '^ctl: guest la-guest: resumed ok' <<<"$output")" = 2 ] || fail "resumes"
	up0=$(sed -n 's/^ctl: guest la-guest: suspend request uptime \([0-9]*\)\..*/\1/p' <<<"$output" | head -n 1)
	up1=$(sed -n 's/^ctl: guest la-guest: resumed ok uptime \([0-9]*\)\..*/\1/p' <<<"$output" | head -n 1)
	[ -n "$up0" ] && [ -n "$up1" ] && [ "$up1" -ge $((up0 + 3)) ] || fail "uptime $up0 -> $up1"
}

@test "la-vmctl suspend, a second time: the wake was lowered after the first resume, so the guest stays asleep again" {
	need
	assert_line "ctl: suspend 2 rc 0 suspended"
	assert_line "ctl: ticks while suspended 2 0"
	assert_line "ctl: resume 2 rc 0 running"
}

@test "la-vmctl stop: la-vmrun ends with Ctrl-A x's status (0) and its socket is gone" {
	need
	assert_line "ctl: stop rc 0 stopping: la-vmrun exits 0"
	assert_line "ctl: vmrun exit 0"
	assert_line "ctl: socket gone"
	refute_line --partial "ctl: vmrun stderr"
}
