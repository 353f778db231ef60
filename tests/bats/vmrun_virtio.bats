#!/usr/bin/env bats
# la-vmrun's virtio devices without KVM: --disk, --net, --rng/--no-rng and
# --console virtio, their errors, what --explain says of them, and that
# la-alloc --device, la-mkfdt --device and la-vmrun give each device the
# same slot, BAR and IRQ. The guest's view is vmrun_vm_virtio.bats.

load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
	truncate -s 16M "$tmp/d1.img"
	truncate -s 8M "$tmp/d2.img"
	dt_kernels "$tmp" # an arm64 Image header, a riscv64 raw image
}

teardown() {
	[ -z "${holder:-}" ] || kill "$holder" 2>/dev/null || true
	rm -rf "$tmp"
}

# "NAME SLOT BAR IRQ" of each virtio device, from la-alloc's grants
alloc_virtio() {
	la-alloc "$@" | awk '/^grants/ { on = 1; next } on && /^$/ { exit }
		on && $1 ~ /^virtio/ { split($1, n, "."); v[n[1]] = v[n[1]] " " $3; if (!(n[1] in seen)) { seen[n[1]] = 1; order[++k] = n[1] } }
		END { for (i = 1; i <= k; i++) print order[i] v[order[i]] }'
}

# the same from la-vmrun --explain's grants
explain_virtio() {
	la-vmrun --explain "$@" | awk '/^grants/ { on = 1; next } on && /^$/ { exit }
		on && $1 ~ /^virtio/ { split($1, n, "."); v[n[1]] = v[n[1]] " " $3; if (!(n[1] in seen)) { seen[n[1]] = 1; order[++k] = n[1] } }
		END { for (i = 1; i <= k; i++) print order[i] v[order[i]] }'
}

@test "la-vmrun: a VM gets a virtio-rng by default, --no-rng none" {
	run la-vmrun --explain "$PROBE"
	assert_success
	assert_line --regexp '^  virtio-rng0 +00:01\.0  bar0 0xd0000000-0xd0007fff  irq 9   getrandom$'
	run la-vmrun --explain --no-rng "$PROBE"
	assert_success
	refute_output --partial virtio
	run la-vmrun --explain --no-rng --rng "$PROBE"
	assert_output --partial virtio-rng0
}

@test "la-vmrun --explain: each virtio device with its backing, slot, BAR and IRQ, text and JSON" {
	run la-vmrun --explain --disk "$tmp/d1.img,serial=sn1" --disk "$tmp/d2.img,ro,direct" \
		--console virtio "$PROBE"
	assert_success
	assert_line "virtio devices (PCI):"
	assert_line "  virtio-blk0      00:01.0  bar0 0xd0000000-0xd0007fff  irq 9   $tmp/d1.img (16777216 bytes, serial sn1)"
	assert_line "  virtio-blk1      00:02.0  bar0 0xd0008000-0xd000ffff  irq 10  $tmp/d2.img (8388608 bytes, ro, direct)"
	assert_line "  virtio-console0  00:03.0  bar0 0xd0010000-0xd0017fff  irq 11  standard input and output (hvc0)"
	assert_line "  virtio-rng0      00:04.0  bar0 0xd0018000-0xd001ffff  irq 12  getrandom"
	run bash -c "la-vmrun --explain --json --disk '$tmp/d2.img,ro' '$PROBE' | jq -c '.virtio_devices'"
	assert_success
	assert_output "[{\"name\":\"virtio-blk0\",\"type\":\"virtio-blk\",\"slot\":\"00:01.0\",\"bar0_start\":3489660928,\"bar0_end\":3489693695,\"irq\":9,\"backing\":{\"path\":\"$tmp/d2.img\",\"size\":8388608,\"ro\":true,\"direct\":false,\"serial\":\"\"}},{\"name\":\"virtio-rng0\",\"type\":\"virtio-rng\",\"slot\":\"00:02.0\",\"bar0_start\":3489693696,\"bar0_end\":3489726463,\"irq\":10,\"backing\":\"getrandom\"}]"
}

@test "la-vmrun: x86_64's virtio devices get la-alloc --device's slot, BAR and IRQ" {
	alloc_virtio --arch x86_64 --mem 1G --platform --device virtio-blk --device virtio-blk \
		--device virtio-console --device virtio-rng >"$tmp/alloc"
	explain_virtio --mem 1G --disk "$tmp/d1.img" --disk "$tmp/d2.img" --console virtio \
		"$PROBE" >"$tmp/explain"
	run diff "$tmp/alloc" "$tmp/explain"
	assert_success
	run cat "$tmp/explain"
	assert_line "virtio-blk0 00:01.0 0x00000000d0000000-0x00000000d0007fff 9"
	assert_line "virtio-rng0 00:04.0 0x00000000d0018000-0x00000000d001ffff 12"
	# the fifth PCI device shares an IRQ (x86_64 has 4 for INTx), as in la-alloc
	truncate -s 1M "$tmp/d3.img" "$tmp/d4.img"
	alloc_virtio --arch x86_64 --platform --device virtio-blk --device virtio-blk \
		--device virtio-blk --device virtio-blk --device virtio-rng >"$tmp/alloc5"
	explain_virtio --disk "$tmp/d1.img" --disk "$tmp/d2.img" --disk "$tmp/d3.img" \
		--disk "$tmp/d4.img" "$PROBE" >"$tmp/explain5"
	run diff "$tmp/alloc5" "$tmp/explain5"
	assert_success
	run cat "$tmp/explain5"
	assert_line "virtio-rng0 00:05.0 0x00000000d0020000-0x00000000d0027fff 9"
}

@test "la-vmrun: aarch64's and riscv64's virtio devices (vsock too) are la-alloc's and la-mkfdt's, interrupt-map included" {
	local arch img
	for arch in aarch64 riscv64; do
		img=$tmp/Image
		[ $arch = aarch64 ] || img=$tmp/rv
		alloc_virtio --arch $arch --platform --device virtio-blk --device virtio-rng \
			--device virtio-vsock >"$tmp/alloc"
		explain_virtio --arch $arch --disk "$tmp/d1.img" --vsock 3 "$img" >"$tmp/explain"
		run diff "$tmp/alloc" "$tmp/explain"
		assert_success
		[ "$(wc -l <"$tmp/explain")" = 3 ]
		la-mkfdt --arch $arch --device virtio-blk --device virtio-rng --device virtio-vsock \
			--device pvpanic -o "$tmp/m.dtb"
		la-vmrun --arch $arch --explain --dump-fdt "$tmp/v.dtb" --disk "$tmp/d1.img" \
			--vsock 3 "$img" >/dev/null
		run fdtget -t x "$tmp/v.dtb" /pci interrupt-map
		assert_success
		[ -n "$output" ]
		[ "$output" = "$(fdtget -t x "$tmp/m.dtb" /pci interrupt-map)" ]
	done
}

@test "la-vmrun: the x86_64 DSDT routes each virtio device's INTA (_PRT) only when there is one" {
	# one Package(4) { dev << 16 | 0xffff, 0, 0, IRQ } per device
	local none one two
	none=$(la-vmrun --explain --no-rng "$PROBE" | awk '/ACPI DSDT/ { print $4 }')
	one=$(la-vmrun --explain "$PROBE" | awk '/ACPI DSDT/ { print $4 }')
	two=$(la-vmrun --explain --disk "$tmp/d1.img" "$PROBE" | awk '/ACPI DSDT/ { print $4 }')
	[ -n "$none" ] && [ "$one" -gt "$none" ] && [ "$two" -gt "$one" ] ||
		fail "DSDT sizes: $none, $one, $two"
}

@test "la-vmrun --disk: syntax errors are usage errors naming the option" {
	run la-vmrun --explain --disk "$tmp/d1.img,rw" "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --disk: '$tmp/d1.img,rw': unknown option 'rw' (PATH[,ro][,serial=ID][,direct])"
	run la-vmrun --explain --disk ",ro" "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --disk: ',ro': no PATH"
	run la-vmrun --explain --disk "$tmp/d1.img,serial=123456789012345678901" "$PROBE"
	assert_failure 2
	assert_output --partial "serial= takes at most 20 printable characters"
	run la-vmrun --explain --console hvc "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --console: 'hvc': KIND is serial or virtio"
	local many=()
	for i in 1 2 3 4 5 6 7 8 9; do many+=(--disk "$tmp/d1.img,ro"); done
	run la-vmrun --explain "${many[@]}" "$PROBE"
	assert_failure 2
	assert_output --partial "at most 8 disks"
}

@test "la-vmrun --disk: a missing image is a usage error, a directory a failure" {
	run la-vmrun --explain --disk "$tmp/nope.img" "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --disk: '$tmp/nope.img': No such file or directory"
	run la-vmrun --explain --disk "$tmp,ro" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --disk: '$tmp': not a regular file"
}

@test "la-vmrun --disk: an image another process holds a lock on is refused (exit 1), read-only disks share" {
	# a POSIX record lock (python's fcntl.lockf) conflicts with our OFD lock
	python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+"); fcntl.lockf(f, fcntl.LOCK_EX); print("locked", flush=True); time.sleep(60)' \
		"$tmp/d1.img" >"$tmp/held" &
	holder=$!
	for i in $(seq 50); do grep -q locked "$tmp/held" && break; sleep 0.1; done
	run la-vmrun --explain --disk "$tmp/d1.img" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --disk: '$tmp/d1.img': in use: another process holds a lock on it (another VM's disk?)"
	run la-vmrun --explain --disk "$tmp/d1.img,ro" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --disk: '$tmp/d1.img': in use: another process holds a write lock on it"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	holder=
	# read locks share: one image read-only twice in one VM
	run la-vmrun --explain --disk "$tmp/d1.img,ro" --disk "$tmp/d1.img,ro" "$PROBE"
	assert_success
}

@test "la-vmrun --help and --print-seccomp know the devices and their thread kinds" {
	run la-vmrun --help
	assert_success
	assert_output --partial "--disk=PATH[,ro][,serial=ID][,direct]"
	assert_output --partial "--no-rng"
	assert_output --partial "--console=KIND"
	assert_output --partial "--net=tap=NAME|tap[,mac=MAC][,vhost=on|off]"
	for k in virtio-blk virtio-rng virtio-console virtio-net; do
		run la-vmrun --print-seccomp $k
		assert_success
		assert_line --index 0 --regexp "^$k thread: [0-9]+ system calls$"
		assert_line "  ppoll"
	done
	run la-vmrun --print-seccomp virtio-blk
	assert_line "  fdatasync"
	assert_line "  fallocate"
	run la-vmrun --print-seccomp virtio-rng
	assert_line "  getrandom"
	refute_line "  fdatasync"
	run la-vmrun --print-seccomp virtio-net
	assert_line "  readv"
	assert_line "  writev"
	assert_output --partial "(TUNSETOFFLOAD (the guest's offloads))"
	refute_line "  fdatasync"
	run la-vmrun --print-seccomp vcpu
	assert_output --partial "KVM_IOEVENTFD"
	assert_output --partial "KVM_SET_GSI_ROUTING"
	# and la-vmrun(1) has them, with a DEVICES section
	for o in '\-\-disk' '\-\-net' '\-\-rng' '\-\-no\-rng' '\-\-console' '.SH DEVICES' \
		virtio-console virtio-net la-vblk0 la-vnet0 la-vrng la-vcons 52:54:00:12:34:56; do
		grep -qF -- "$o" "$LA_TOP/man/la-vmrun.1" || fail "man page lacks $o"
	done
}

@test "la-vmrun --console virtio: console=hvc0 on x86_64, earlycon stays on the COM port" {
	run bash -c "la-vmrun --explain --console virtio '$PROBE' | grep '^cmdline'"
	assert_success
	assert_output --partial "panic=-1 console=hvc0 earlycon=uart8250,io,0x3f8"
	la-vmrun --arch aarch64 --explain --console virtio --dump-fdt "$tmp/a.dtb" "$tmp/Image" >/dev/null
	run fdtget "$tmp/a.dtb" /chosen bootargs
	assert_output --partial "console=hvc0"
}

@test "la-vmrun --vsock: CID or cid=CID, a virtio-vsock after the others, in --explain and its JSON" {
	run la-vmrun --explain --vsock 3 "$PROBE"
	assert_success
	assert_line "  virtio-vsock0    00:02.0  bar0 0xd0008000-0xd000ffff  irq 10  /dev/vhost-vsock, guest CID 3"
	run la-vmrun --explain --disk "$tmp/d1.img" --vsock cid=4294967294,device=/dev/vsock-x "$PROBE"
	assert_success
	assert_line "  virtio-vsock0    00:03.0  bar0 0xd0010000-0xd0017fff  irq 11  /dev/vsock-x, guest CID 4294967294"
	run bash -c "la-vmrun --explain --json --no-rng --vsock cid=7 '$PROBE' | jq -c '.virtio_devices'"
	assert_success
	assert_output '[{"name":"virtio-vsock0","type":"virtio-vsock","slot":"00:01.0","bar0_start":3489660928,"bar0_end":3489693695,"irq":9,"backing":{"device":"/dev/vhost-vsock","guest_cid":7}}]'
	# la-alloc --device virtio-vsock grants the same
	alloc_virtio --arch x86_64 --platform --device virtio-rng --device virtio-vsock >"$tmp/alloc"
	explain_virtio --vsock 3 "$PROBE" >"$tmp/explain"
	run diff "$tmp/alloc" "$tmp/explain"
	assert_success
}

@test "la-vmrun --vsock: a CID that is no guest's, a bad spelling or a second --vsock is a usage error" {
	local c
	for c in 0 1 2 4294967295; do
		run la-vmrun --explain --vsock $c "$PROBE"
		assert_failure 2
		assert_output "la-vmrun: --vsock: '$c' is not a guest's CID (3 to 4294967294: 0 is the hypervisor, 1 local, 2 the host, 4294967295 any)"
	done
	run la-vmrun --explain --vsock cid=2 "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --vsock: '2' is not a guest's CID"
	for c in abc -3 ' 3' 3x 99999999999999999999 4294967296x; do
		run la-vmrun --explain --vsock "$c" "$PROBE"
		assert_failure 2
		assert_output "la-vmrun: --vsock: '$c' is not a CID (a decimal number from 3 to 4294967294)"
	done
	run la-vmrun --explain --vsock 4294967296 "$PROBE"
	assert_failure 2
	assert_output --partial "'4294967296' is not a guest's CID"
	run la-vmrun --explain --vsock cid= "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --vsock: 'cid=': no CID ([cid=]CID[,device=PATH])"
	run la-vmrun --explain --vsock 3,port=4 "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --vsock: '3,port=4': unknown or repeated option 'port=4' ([cid=]CID[,device=PATH])"
	run la-vmrun --explain --vsock cid=3,cid=4 "$PROBE"
	assert_failure 2
	assert_output --partial "unknown or repeated option 'cid=4'"
	run la-vmrun --explain --vsock 3 --vsock 4 "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --vsock: '4': one vsock device only ('3' given already)"
}

@test "la-vmrun --vsock: no vhost-vsock device, or not one, fails the run (exit 1) before KVM" {
	run la-vmrun --kvm-device "$tmp/no-kvm" --vsock cid=3,device="$tmp/vhost-vsock" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --vsock: 'cid=3,device=$tmp/vhost-vsock': $tmp/vhost-vsock: No such file or directory (no vhost-vsock on this host: modprobe vhost_vsock)"
	run la-vmrun --kvm-device "$tmp/no-kvm" --vsock cid=3,device=/dev/null "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --vsock: 'cid=3,device=/dev/null': /dev/null: not a vhost device, or in use (Inappropriate ioctl for device)"
	# the dry run does not open it
	run la-vmrun --explain --vsock cid=3,device="$tmp/vhost-vsock" "$PROBE"
	assert_success
}

@test "la-vmrun --vsock: --help, the man page and --print-seccomp virtio-vsock (the vhost ioctls, no more)" {
	run la-vmrun --help
	assert_output --partial "--vsock=[cid=]CID[,device=PATH]"
	run la-vmrun --print-seccomp virtio-vsock
	assert_success
	assert_line --index 0 --regexp '^virtio-vsock thread: [0-9]+ system calls$'
	assert_line "  ppoll"
	assert_line "  read"
	local i
	for i in VHOST_SET_FEATURES VHOST_SET_MEM_TABLE VHOST_SET_VRING_NUM VHOST_SET_VRING_BASE \
		VHOST_SET_VRING_ADDR VHOST_SET_VRING_KICK VHOST_SET_VRING_CALL VHOST_VSOCK_SET_RUNNING \
		KVM_IRQ_LINE; do
		assert_output --partial "($i"
	done
	# owner and CID are set before the filters: not allowed after
	refute_output --partial VHOST_SET_OWNER
	refute_output --partial VHOST_VSOCK_SET_GUEST_CID
	refute_line "  openat"
	# every kind is listed without KIND
	run la-vmrun --print-seccomp
	assert_line --regexp '^virtio-vsock thread: '
	for o in '\-\-vsock' 'virtio-vsock0' 'la-vsock' 'VHOST_VSOCK_SET_RUNNING' 'modprobe vhost_vsock'; do
		grep -qF -- "$o" "$LA_TOP/man/la-vmrun.1" || fail "man page lacks $o"
	done
}

@test "la-vmrun --net: --explain shows each network device's slot, BAR, IRQ, tap, MAC and backend, text and JSON" {
	run la-vmrun --explain --disk "$tmp/d1.img" --net tap=la-tap0 --net tap,mac=02:00:00:00:00:01 \
		--net tap=la-tap1,vhost=off "$PROBE"
	assert_success
	assert_line "  virtio-blk0      00:01.0  bar0 0xd0000000-0xd0007fff  irq 9   $tmp/d1.img (16777216 bytes)"
	assert_line --regexp "^  virtio-net0      00:02\.0  bar0 0xd0008000-0xd000ffff  irq 10  tap la-tap0 \(mac 52:54:00:12:34:56, (userspace|vhost-net)\)$"
	assert_line --regexp "^  virtio-net1      00:03\.0  bar0 0xd0010000-0xd0017fff  irq 11  a new tap, the kernel names it tapN \(mac 02:00:00:00:00:01, (userspace|vhost-net)\)$"
	assert_line "  virtio-net2      00:04.0  bar0 0xd0018000-0xd001ffff  irq 12  tap la-tap1 (mac 52:54:00:12:34:58, userspace)"
	assert_line "  virtio-rng0      00:05.0  bar0 0xd0020000-0xd0027fff  irq 9   getrandom"
	# the peers' spellings say the same: crosvm's tap-name=, kvmtool's
	# mode=tap,tapif=,guest_mac=
	run bash -c "la-vmrun --explain --json --net tap-name=la-tap0,vhost=off --net mode=tap,tapif=t1,guest_mac=02:AB:00:00:00:01,vhost=off '$PROBE' | jq -c '[.virtio_devices[] | select(.type == \"virtio-net\") | .backing]'"
	assert_success
	assert_output '[{"tap":"la-tap0","create":false,"mac":"52:54:00:12:34:56","backend":"userspace"},{"tap":"t1","create":false,"mac":"02:ab:00:00:00:01","backend":"userspace"}]'
	run bash -c "la-vmrun --explain --json --net tap '$PROBE' | jq -c '.virtio_devices[0].backing | [.tap, .create]'"
	assert_output '[null,true]'
	run bash -c "la-vmrun --explain --json --net tap=a,vhost=on '$PROBE' | jq -r '.virtio_devices[0].backing.backend'"
	assert_output vhost-net
}

@test "la-vmrun --net: x86_64's network devices get la-alloc --device's slot, BAR and IRQ" {
	alloc_virtio --arch x86_64 --platform --device virtio-blk --device virtio-net \
		--device virtio-net --device virtio-rng >"$tmp/alloc"
	explain_virtio --disk "$tmp/d1.img" --net tap=a --net tap=b "$PROBE" >"$tmp/explain"
	run diff "$tmp/alloc" "$tmp/explain"
	assert_success
	run cat "$tmp/explain"
	assert_line "virtio-net1 00:03.0 0x00000000d0010000-0x00000000d0017fff 11"
}

@test "la-vmrun --net: syntax errors are usage errors naming the option" {
	local bad=(
		"tap=la-tap0,foo=1|unknown key 'foo' (tap=NAME|tap[,mac=MAC][,vhost=on|off])"
		"mac=02:00:00:00:00:01|no tap (tap=NAME|tap[,mac=MAC][,vhost=on|off])"
		"tap=a,mac=52:54:00:12:34|mac=52:54:00:12:34: not a MAC address (six hex pairs: 52:54:00:12:34:56)"
		"tap=a,mac=zz:54:00:12:34:56|mac=zz:54:00:12:34:56: not a MAC address"
		"tap=a,mac=01:00:5e:00:00:01|mac=01:00:5e:00:00:01: a multicast or all-zero address; the guest needs a unicast one (first octet even)"
		"tap=a,mac=00:00:00:00:00:00|mac=00:00:00:00:00:00: a multicast or all-zero address"
		"tap=a,tap|the tap given twice"
		"tap=a,tap-name=b|the tap given twice"
		"tap=abcdefghijklmnop|'abcdefghijklmnop' is not an interface name (1 to 15 characters, no '/', ':' or space)"
		"tap=a/b|'a/b' is not an interface name"
		"tap=|'' is not an interface name"
		"mode=user,tap=a|mode=user: la-vmrun's network is a tap only (mode=tap)"
		"tap=a,vhost=maybe|vhost=maybe: on or off"
	)
	local b
	for b in "${bad[@]}"; do
		run la-vmrun --explain --net "${b%%|*}" "$PROBE"
		assert_failure 2
		assert_output --partial "la-vmrun: --net: '${b%%|*}': ${b#*|}"
	done
	run la-vmrun --explain --net tap=a --net tap=a "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --net: 'tap=a': tap a is given to another --net already"
	run la-vmrun --explain --net tap=a --net tap=b --net tap=c --net tap=d --net tap=e "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --net: 'tap=e': at most 4 network devices"
}

@test "la-vmrun --net tap=NAME: a tap that is not there, or not a tap, fails the run (exit 1) naming it and why" {
	# before KVM is opened: no /dev/kvm needed
	run la-vmrun --net tap=la-nope0 "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --net: 'la-nope0': no such network interface (make the tap: ip tuntap add la-nope0 mode tap user \$USER)"
	if [ -r /dev/net/tun ] && [ -w /dev/net/tun ]; then
		run la-vmrun --net tap=lo "$PROBE"
		assert_failure 1
		assert_output "la-vmrun: --net: 'lo': not a tap (a tun device, a multi-queue tap or another kind of interface)"
	fi
}
