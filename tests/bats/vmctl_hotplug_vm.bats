#!/usr/bin/env bats
# PCI hot-plug in a running VM (la-vmrun --pci-hotplug-slots, la-vmctl add
# disk, add net and remove): the virtio test guest under Debian's cloud kernel, booted by
# la-vmrun inside the emulated x86_64 host (L1), in ONE boot of it: one
# case (tests/vm/hotplug-case.sh) prints a "hp: ..." line a check, each
# @test checks some. Only in the plain pass of tests/run.sh, as the other
# VM suites.

load vmrun_vm_helpers

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	m=$(vm_virtio_payload "$t" "$p")
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$VM_TOP/tests/vm/hotplug-case.sh" "$p/" || return 1
	echo 'la-case hp 500 sh "$P/hotplug-case.sh"' >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	vm_run_l1 "$t" --timeout 700 --stall 300 --payload "$p" --module tun \
		--bin "$VM_BIN/la-vmrun" --bin "$VM_BIN/la-vmctl" --bin "$VM_BUILD/tests/la-ctl-fake"
}

need() {
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir hp)" ] ||
		vm_cannot_run "hot-plug: $(cat "$BATS_FILE_TMPDIR/harness-error")"
	vm_case_status hp 0
}

@test "la-vmctl add disk: /dev/vdb appears in the guest with the host's marker, without any guest action, and takes its writes" {
	need
	assert_line --regexp '^hp: add rc 0 added virtio-blk-hp0 \(virtio-blk\) at 00:04\.0$'
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
	assert_line 'hp: remove rc 0 removed virtio-blk-hp0 (virtio-blk) from 00:04.0'
	assert_line 'hp: guest la-guest: hotplug /dev/vdb gone'
	assert_line 'hp: image host-marker-0042 written-by-guest'
	assert_line --regexp '^hp: again rc 0 added virtio-blk-hp0 \(virtio-blk\) at 00:04\.0$'
}

@test "la-vmctl add net: a virtio-net device on an L1 tap, eth0 in the guest without guest action; it pings L1 and L1 pings it" {
	need
	assert_line 'hp: disk out rc 0 removed virtio-blk-hp0 (virtio-blk) from 00:04.0'
	assert_line 'hp: la-tap: la-tap0 10.0.2.1/24 up'
	assert_line 'hp: net add rc 0 added virtio-net-hp0 (virtio-net) at 00:04.0: tap la-tap0, mac 52:54:00:12:34:56, userspace backend'
	assert_line 'hp: guest la-guest: hotplug eth0 appeared 52:54:00:12:34:56'
	assert_line 'hp: guest la-guest: hotplug eth0 ping 10.0.2.1 ok'
	assert_line 'hp: net l1 ping ok'
	assert_line --regexp '^hp: net list rc 0 virtio-net-hp0 +00:04\.0 .* tap la-tap0 \(mac 52:54:00:12:34:56, userspace\)$'
	assert_line 'hp: net threads 1'
}

@test "la-vmctl add net: vhost=on, no such tap, no descriptor and a tap in use get their errors" {
	need
	assert_line "hp: net vhost rc 1 la-vmctl: /tmp/hp.sock: add net: tap la-tap0: vhost=on: a hot-plugged network device has the userspace backend only (vhost=off, or no vhost=)"
	assert_line --regexp "^hp: net nosuch rc 1 la-vmctl: add net: 'la-nosuch': no such network interface"
	assert_line --regexp '^hp: net nofd \{"la-vmctl-schema":1,"ok":false,"code":"bad-request","error":"add net: tap la-tap0: no descriptor came with the request'
	assert_line --regexp "^hp: net busy rc 1 la-vmctl: add net: 'la-tap0': in use"
}

@test "la-vmctl remove: the guest releases the network device, eth0 goes, its thread stops, the tap is free again" {
	need
	assert_line 'hp: net remove rc 0 removed virtio-net-hp0 (virtio-net) from 00:04.0'
	assert_line 'hp: guest la-guest: hotplug eth0 gone'
	assert_line 'hp: net threads after 0'
	assert_line 'hp: net again rc 0 added virtio-net-hp0 (virtio-net) at 00:04.0: tap la-tap0, mac 52:54:00:00:00:07, userspace backend'
}

@test "la-vmctl stop: la-vmrun ends with 0" {
	need
	assert_line "hp: stop rc 0 stopping: la-vmrun exits 0"
	assert_line "hp: vmrun exit 0"
	refute_line --partial "hp: vmrun stderr la-vmrun: seccomp"
}
