#!/usr/bin/env bats
# PCI hot-plug in a running VM (la-vmrun --pci-hotplug-slots, la-vmctl add
# and remove): the virtio test guest under Debian's cloud kernel, booted by
# la-vmrun inside the emulated x86_64 host (L1), in ONE boot of it: one
# case (tests/vm/hotplug-case.sh) prints a "hp: ..." line a check, each
# @test checks some. Only in the plain pass of tests/run.sh, as the other
# VM suites.

load vmrun_vm_helpers

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload rc m
	mkdir -p "$p"
	m=$(la_vm_missing | head -n 1)
	if [ -z "$m" ] && ! vm_have_vmrun; then
		m="la-vmrun is not built yet"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/vm/guest-virtio-x86_64.cpio" >"$t/make.log" 2>&1; then
		m="the virtio guest did not build: $(tail -n 1 "$t/make.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$(la_vm_l2_kernel)" "$p/vmlinuz" || return 1
	cp "$VM_BUILD/vm/guest-virtio-x86_64.cpio" "$p/virtio.cpio" || return 1
	cp "$VM_TOP/tests/vm/hotplug-case.sh" "$p/" || return 1
	echo 'la-case hp 500 sh "$P/hotplug-case.sh"' >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	rc=0
	"$VM_TOP/tests/vm/run-in-l1.sh" --quiet --timeout 700 --stall 300 --payload "$p" \
		--bin "$VM_BIN/la-vmrun" --bin "$VM_BIN/la-vmctl" --bin "$VM_BUILD/tests/la-ctl-fake" \
		--out "$t/l1" --script "$t/l1.sh" 2>"$t/l1.stderr" || rc=$?
	echo "$rc" >"$t/l1.rc"
	[ "$rc" != 3 ] || cat "$t/l1.stderr" >"$t/harness-error"
}

need() {
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir hp)" ] ||
		vm_cannot_run "hot-plug: $(cat "$BATS_FILE_TMPDIR/harness-error")"
	vm_case_status hp 0
}

@test "la-vmctl add disk: /dev/vdb appears in the guest with the host's marker, without any guest action, and takes its writes" {
	need
	assert_line --regexp '^hp: add rc 0 added virtio-blk-hp0 \(virtio-blk\) at 00:03\.0$'
	assert_line 'hp: guest la-guest: hotplug /dev/vdb appeared host-marker-0042'
	assert_line 'hp: guest la-guest: hotplug /dev/vdb wrote'
	assert_line --regexp '^hp: list rc 0 .*virtio-blk-hp0'
}

@test "la-vmctl: a full set of slots, an empty address, a malformed request, no descriptor and a client gone mid-request get their errors; the VM runs on" {
	need
	assert_line "hp: full rc 1 la-vmctl: /tmp/hp.sock: add disk: '/tmp/hp2.img': every PCI hot-plug slot holds a device"
	assert_line "hp: empty rc 1 la-vmctl: /tmp/hp.sock: remove: 00:1f.0: no hot-plugged device at that address"
	assert_line --regexp '^hp: malformed \{"la-vmctl-schema":1,"ok":false,"code":"bad-request",'
	assert_line --regexp '^hp: nofd \{"la-vmctl-schema":1,"ok":false,"code":"bad-request","error":"add disk: .*no descriptor came with the request'
	assert_line "hp: hangup done"
	assert_line "hp: status rc 0 state: running"
	assert_line "hp: still running"
}

@test "la-vmctl remove: the guest releases the disk, /dev/vdb goes, the image holds what it wrote; the slot takes a disk again" {
	need
	assert_line 'hp: remove rc 0 removed virtio-blk-hp0 (virtio-blk) from 00:03.0'
	assert_line 'hp: guest la-guest: hotplug /dev/vdb gone'
	assert_line 'hp: image host-marker-0042 written-by-guest'
	assert_line --regexp '^hp: again rc 0 added virtio-blk-hp0 \(virtio-blk\) at 00:03\.0$'
}

@test "la-vmctl stop: la-vmrun ends with 0" {
	need
	assert_line "hp: stop rc 0 stopping: la-vmrun exits 0"
	assert_line "hp: vmrun exit 0"
	refute_line --partial "hp: vmrun stderr la-vmrun: seccomp"
}
