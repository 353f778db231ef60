#!/usr/bin/env bats
# la-vmrun's virtio-pci devices with a real guest (issue 15 item 4): Debian's
# cloud kernel with the virtio test initramfs (build/vm/guest-virtio-x86_64.cpio:
# guest-init.sh, the kernel's virtio modules, la-vsock; tests/vm/README.md,
# Virtio), booted by la-vmrun inside the emulated x86_64 host (L1), all in
# ONE boot of it: setup_file runs the batch, each @test checks one case.
# L1 gets the tun, vhost_vsock and vhost_net modules (run-in-l1.sh --module),
# la-tap makes the tap, la-vsock is the host's end of vsock, e2fsprogs reads
# the disk back (diskfile.sh).
#
# A device case runs once la-vmrun has the option (its --help names it);
# until then its test skips saying so, CI or not (a feature not there yet
# is no harness failure). What the emulated host needs and lacks fails when
# CI=true and skips elsewhere, as in the other VM suites. LA_VM_VIRTIO_QEMU=1
# adds the same checks with QEMU's devices (microvm, pcie=on) as the
# reference: they say whether a failure is the guest side's or la-vmrun's.
# Only in the plain pass of tests/run.sh, as the other VM suites.

load vmrun_vm_helpers

VIRTIO_TIMEOUT=300
# the guest's end of the network and the host's (la-tap in L1)
GUEST_IP=10.0.2.15/24
HOST_IP=10.0.2.1

# virtio_has OPTION: la-vmrun's --help names OPTION
virtio_has() {
	grep -q -- "$1" "$BATS_FILE_TMPDIR/vmrun-help" 2>/dev/null
}

# the guest's end of a tap la-vmrun makes, and the host's
NEW_GUEST_IP=10.0.3.15/24
NEW_HOST_IP=10.0.3.1

# net_case CASE NETOPTS: ping, a file from the host (nc), one to it
net_case() {
	local v='--mem 512M --initrd "$P/virtio.cpio"'
	cat <<EOF
la-case $1 $VIRTIO_TIMEOUT sh -c 'timeout 200 nc -l -p 7001 <"\$P/blob" & mkfifo /tmp/hold-$1; timeout 200 nc -l -p 7002 <>/tmp/hold-$1 >/tmp/put & la-vmrun $v --net $2 --cmdline "quiet la.modules=virtio_pci,virtio_net la.ip=eth0,$GUEST_IP la.ping=$HOST_IP la.get=$HOST_IP:7001 la.put=$HOST_IP:7002:128" "\$P/vmlinuz"; s=\$?; wait; echo "host put bytes \$(wc -c </tmp/put) sha256 \$(sha256sum </tmp/put | cut -d" " -f1)"; exit \$s'
EOF
}

# bench_case CASE NETOPTS: guest to host TCP throughput, 64 MiB of zeros
# through busybox nc into /dev/null (LA_VM_NET_BENCH=1; la-vmrun(1) has
# the numbers that chose the default backend)
bench_case() {
	local v='--mem 512M --initrd "$P/virtio.cpio"'
	cat <<EOF
la-case $1 $VIRTIO_TIMEOUT sh -c 'timeout 250 nc -l -p 7003 >/dev/null & la-vmrun $v --net $2 --cmdline "quiet la.modules=virtio_pci,virtio_net la.ip=eth0,$GUEST_IP la.send=$HOST_IP:7003:64" "\$P/vmlinuz"; s=\$?; wait; exit \$s'
EOF
}

# the cases, one la-case line each, $P = the payload folder; every L2 boot
# keeps its console quiet
virtio_cases() {
	local t=$VIRTIO_TIMEOUT
	local v='--mem 512M --initrd "$P/virtio.cpio"'
	# the guest's modules load with no device at all
	cat <<EOF
la-case v-modules $t la-vmrun $v --cmdline 'quiet la.modules=virtio la.show=modules root=/dev/vda rootwait=1' "\$P/vmlinuz"
EOF
	if virtio_has --disk; then
		cat <<EOF
la-case v-disk $t la-vmrun $v --disk "\$P/disk.img" --disk "\$P/data.img,ro" --cmdline 'quiet la.modules=virtio_pci,virtio_blk root=/dev/vda la.write=/la/out:256 la.sha256=/blob la.sha256=/dev/vdb la.trywrite=/dev/vdb' "\$P/vmlinuz"
la-case v-diskfile 60 bash "\$P/diskfile.sh" "\$P/disk.img" /la/out
la-case v-disk-dev $t la-vmrun $v --disk "\$P/data.img,ro" --cmdline 'quiet la.modules=virtio_pci,virtio_blk la.trywrite=/dev/vda la.forcewrite=/dev/vda la.sha256=/dev/vda' "\$P/vmlinuz"
EOF
	fi
	if virtio_has --rng; then
		cat <<EOF
la-case v-rng $t la-vmrun $v --rng --cmdline 'quiet la.modules=virtio_pci,virtio_rng la.hwrng=64' "\$P/vmlinuz"
EOF
	fi
	if virtio_has --console; then
		cat <<EOF
la-case v-console $t sh -c 'for i in \$(seq 60); do echo "echo typed-\\\$((6*7)); poweroff -f"; sleep 2; done | la-vmrun $v --console virtio --cmdline "quiet la.modules=virtio_pci,virtio_console la.fate=shell" "\$P/vmlinuz"'
EOF
	fi
	if virtio_has --net; then
		echo "la-case v-tap 20 la-tap la-tap0 $HOST_IP/24"
		# the default backend (vhost-net: L1 has it), then each forced
		net_case v-net tap=la-tap0
		net_case v-net-user tap=la-tap0,vhost=off
		net_case v-net-vhost tap=la-tap0,vhost=on
		# the split irqchip (la's IOAPIC): the vhost-net default's irqfds
		net_case v-net-split 'tap=la-tap0 --irqchip split'
		# a tap la-vmrun makes (L1 runs it as root): L1 gives it an address
		# once la-vmrun has said its name, before the guest pings
		cat <<EOF
la-case v-net-new $t sh -c 'la-vmrun $v --net tap --cmdline "quiet la.modules=virtio_pci,virtio_net la.ip=eth0,$NEW_GUEST_IP la.ping=$NEW_HOST_IP" "\$P/vmlinuz" 2>/tmp/new.err & for i in \$(seq 100); do n=\$(sed -n "s/^la-vmrun: --net: made tap \\([^ ]*\\) .*/\\1/p" /tmp/new.err); [ -n "\$n" ] && break; sleep 0.1; done; ip addr add $NEW_HOST_IP/24 dev "\$n"; ip link set "\$n" up; wait \$!; s=\$?; cat /tmp/new.err >&2; echo "host tap \$n"; exit \$s'
EOF
		if [ "${LA_VM_NET_BENCH:-0}" = 1 ]; then
			bench_case v-bench-user tap=la-tap0,vhost=off
			bench_case v-bench-vhost tap=la-tap0,vhost=on
			bench_case v-bench-user2 tap=la-tap0,vhost=off
			bench_case v-bench-vhost2 tap=la-tap0,vhost=on
		fi
	fi
	if virtio_has --vsock; then
		cat <<EOF
la-case v-vsock $t sh -c 'la-vsock -t 200 listen 5000 >/tmp/vsock.out & la-vmrun $v --vsock 3 --cmdline "quiet la.modules=virtio_pci,vmw_vsock_virtio_transport la.vsock=connect,2,5000" "\$P/vmlinuz"; wait \$!; cat /tmp/vsock.out'
la-case v-vsock-in $t sh -c 'la-vmrun $v --vsock 3 --cmdline "quiet la.modules=virtio_pci,vmw_vsock_virtio_transport la.vsock=listen,5001" "\$P/vmlinuz" & la-vsock -w -t 200 connect 3 5001 >/tmp/vsock-in.out; wait \$!; cat /tmp/vsock-in.out'
EOF
	fi
	[ "${LA_VM_VIRTIO_QEMU:-0}" = 1 ] || return 0
	# the reference: QEMU's virtio-pci devices, the same guest and checks
	local q='qemu-system-x86_64 -accel kvm -M microvm,x-option-roms=off,rtc=on,pcie=on -cpu host -smp 1 -m 512M -nographic -no-reboot -nodefaults -serial stdio -kernel "$P/vmlinuz" -initrd "$P/virtio.cpio"'
	local a='console=ttyS0 quiet panic=-1'
	cat <<EOF
la-case q-disk $t $q -drive file="\$P/qdisk.img",if=none,id=d0,format=raw -device virtio-blk-pci,drive=d0 -drive file="\$P/data.img",if=none,id=d1,format=raw,readonly=on -device virtio-blk-pci,drive=d1 -append '$a la.modules=virtio_pci,virtio_blk root=/dev/vda la.write=/la/out:256 la.sha256=/blob la.sha256=/dev/vdb la.trywrite=/dev/vdb'
la-case q-diskfile 60 bash "\$P/diskfile.sh" "\$P/qdisk.img" /la/out
la-case q-rng $t $q -device virtio-rng-pci -append '$a la.modules=virtio_pci,virtio_rng la.hwrng=64'
la-case q-tap 20 la-tap la-qtap0 $HOST_IP/24
la-case q-net $t sh -c 'timeout 200 nc -l -p 7001 <"\$P/blob" & mkfifo /tmp/qhold; timeout 200 nc -l -p 7002 <>/tmp/qhold >/tmp/put & $q -netdev tap,id=n0,ifname=la-qtap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,romfile= -append "$a la.modules=virtio_pci,virtio_net la.ip=eth0,$GUEST_IP la.ping=$HOST_IP la.get=$HOST_IP:7001 la.put=$HOST_IP:7002:128"; wait; echo "host put bytes \$(wc -c </tmp/put) sha256 \$(sha256sum </tmp/put | cut -d" " -f1)"; la-tap -d la-qtap0'
la-case q-vsock $t sh -c 'la-vsock -t 200 listen 5000 >/tmp/qvsock.out & $q -device vhost-vsock-pci,guest-cid=3 -append "$a la.modules=virtio_pci,vmw_vsock_virtio_transport la.vsock=connect,2,5000"; wait \$!; cat /tmp/qvsock.out'
la-case q-vsock-in $t sh -c '$q -device vhost-vsock-pci,guest-cid=3 -append "$a la.modules=virtio_pci,vmw_vsock_virtio_transport la.vsock=listen,5001" & la-vsock -w -t 200 connect 3 5001 >/tmp/qvsock-in.out; wait \$!; cat /tmp/qvsock-in.out'
EOF
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p/data"
	m=$(vm_virtio_payload "$t" "$p")
	if [ -z "$m" ] && ! command -v mke2fs >/dev/null && ! [ -x /usr/sbin/mke2fs ]; then
		m="mke2fs not found (Debian package e2fsprogs)"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	"$VM_BIN/la-vmrun" --help >"$t/vmrun-help" 2>&1 || true
	cp "$VM_TOP/tests/vm/diskfile.sh" "$p/" || return 1
	# the disks: root (busybox, guest-init.sh as /sbin/init, a file) and a
	# data disk the guest gets read-only
	head -c 200000 /dev/urandom >"$p/data/blob"
	cp "$p/data/blob" "$p/blob"
	"$VM_TOP/tests/vm/mkdisk.sh" --size 16M "$p/disk.img" "$p/data" || return 1
	"$VM_TOP/tests/vm/mkdisk.sh" --data --size 4M "$p/data.img" "$p/data" || return 1
	[ "${LA_VM_VIRTIO_QEMU:-0}" != 1 ] || cp "$p/disk.img" "$p/qdisk.img"
	rm -rf "$p/data"
	virtio_cases | la_vm_drop_cases la_vm_not_selected >"$t/l1.sh"
	sed -i '1i P=${P:-/payload}; export P' "$t/l1.sh"
	local bins=(--bin "$VM_BIN/la-vmrun" --bin "$VM_BUILD/tests/x86_64/la-vsock" --bin /bin/bash)
	local e
	for e in debugfs dumpe2fs e2fsck; do
		bins+=(--bin "$(PATH=$PATH:/usr/sbin:/sbin command -v "$e")")
	done
	local extra=()
	[ "${LA_VM_VIRTIO_QEMU:-0}" != 1 ] || extra=(--qemu)
	vm_run_l1 "$t" --timeout 1200 --stall 240 "${extra[@]}" \
		--module tun --module vhost_vsock --module vhost_net --payload "$p" "${bins[@]}"
}

# need CASE: the case ran (or why it could not)
need() {
	la_vm_selected "$1" || skip "case $1 is not in LA_VM_ONLY"
	[ ! -s "$BATS_FILE_TMPDIR/harness-error" ] || [ -n "$(vm_case_dir "$1")" ] ||
		vm_cannot_run "virtio: $(cat "$BATS_FILE_TMPDIR/harness-error")"
}

# need_option OPTION CASE: la-vmrun has OPTION, and CASE ran
need_option() {
	[ -s "$BATS_FILE_TMPDIR/harness-error" ] || virtio_has "$1" ||
		skip "la-vmrun has no $1 yet"
	need "$2"
}

# need_qemu CASE: the QEMU reference cases were asked for
need_qemu() {
	[ "${LA_VM_VIRTIO_QEMU:-0}" = 1 ] || skip "the QEMU reference runs with LA_VM_VIRTIO_QEMU=1"
	need "$1"
}

# line_of PREFIX: the rest of the output line that starts with PREFIX
line_of() {
	sed -n "s/^$1//p" <<<"$output" | head -n 1
}

@test "virtio guest: its initramfs loads Debian's virtio modules when asked, before any device needs them" {
	need v-modules
	vm_case_status v-modules 0
	assert_line --regexp '^la-guest: modules loaded .*virtio_pci .*virtio_blk .*virtio_net .*virtio_console .*virtio_rng .*vmw_vsock_virtio_transport \([0-9.]+ s\)$'
	assert_line 'la-guest: module virtio_pci live'
	assert_line 'la-guest: module vmw_vsock_virtio_transport live'
	# root= with no disk: said, and the guest still powers off
	assert_line 'la-guest: root failed no /dev/vda after 1s'
	assert_line 'la-guest: fate poweroff'
}

# check_disk CASE FILECASE: a boot from the disk, what it wrote is in the image
check_disk() {
	vm_case_status "$1" 0
	assert_line --regexp '^la-guest: modules loaded .*virtio_blk'
	assert_line 'la-guest: root /dev/vda ext4 rw'
	assert_line 'la-guest: disk /dev/vda ext4 rw'
	assert_line "la-guest: sha256 /blob $(sha256sum <"$BATS_FILE_TMPDIR/payload/blob" | cut -d' ' -f1)"
	assert_line "la-guest: sha256 /dev/vdb $(sha256sum <"$BATS_FILE_TMPDIR/payload/data.img" | cut -d' ' -f1)"
	assert_line --regexp '^la-guest: trywrite /dev/vdb refused '
	local wrote
	wrote=$(line_of 'la-guest: write ')
	[ -n "$wrote" ] || fail "no la-guest: write line"
	vm_case_status "$2" 0
	assert_output "$wrote"
}

@test "la-vmrun --disk: the guest boots from an ext4 disk (root=/dev/vda), a second one read-only, and what it wrote is in the image" {
	need_option --disk v-disk
	check_disk v-disk v-diskfile
}

# (Linux 6.1 keeps the read-only flag the driver set from VIRTIO_BLK_F_RO
# above blockdev --setrw: the guest refuses the write itself, so this checks
# the feature bit; the device's own refusal needs a guest that ignores it)
@test "la-vmrun --disk PATH,ro: the guest sees a read-only disk, even past blockdev --setrw, and reads it whole" {
	need_option --disk v-disk-dev
	vm_case_status v-disk-dev 0
	assert_line --regexp '^la-guest: trywrite /dev/vda refused '
	assert_line --regexp '^la-guest: forcewrite /dev/vda refused '
	assert_line "la-guest: sha256 /dev/vda $(sha256sum <"$BATS_FILE_TMPDIR/payload/data.img" | cut -d' ' -f1)"
}

@test "la-vmrun --console virtio: the guest's console is hvc0, where its shell reads what is typed" {
	need_option --console v-console
	vm_case_status v-console 0
	assert_line --regexp '^la-guest: modules loaded .*virtio_console'
	assert_line 'la-guest: fate shell'
	assert_output --partial 'typed-42'
}

@test "la-vmrun --rng: the guest reads /dev/hwrng from virtio_rng" {
	need_option --rng v-rng
	vm_case_status v-rng 0
	assert_line --regexp '^la-guest: hwrng virtio_rng\.[0-9]+ bytes 64$'
}

# check_net CASE: ping, a file each way, the same sha256 on both sides
check_net() {
	vm_case_status "$1" 0
	assert_line "la-guest: ip eth0 $GUEST_IP"
	assert_line "la-guest: ping $HOST_IP ok"
	assert_line "la-guest: get $HOST_IP:7001 bytes 200000 sha256 $(sha256sum <"$BATS_FILE_TMPDIR/payload/blob" | cut -d' ' -f1)"
	local put
	put=$(line_of "la-guest: put $HOST_IP:7002 ")
	[ -n "$put" ] || fail "no la-guest: put line"
	assert_line "host put $put"
}

@test "la-vmrun --net tap=NAME: the guest pings the host over the tap and moves a file each way intact" {
	need_option --net v-tap
	vm_case_status v-tap 0
	check_net v-net
}

@test "la-vmrun --net tap=NAME,vhost=off: the userspace backend passes the same check" {
	need_option --net v-net-user
	check_net v-net-user
}

@test "la-vmrun --net tap=NAME,vhost=on: the vhost-net backend passes the same check" {
	need_option --net v-net-vhost
	check_net v-net-vhost
}

@test "la-vmrun --net tap=NAME --irqchip split: the same check with la's IOAPIC and KVM's LAPICs" {
	need_option --net v-net-split
	vm_case_status v-tap 0
	check_net v-net-split
}

@test "la-vmrun --net tap: la-vmrun makes a tap (as root), says its name, and the guest pings over it" {
	need_option --net v-net-new
	vm_case_status v-net-new 0
	assert_line "la-guest: ip eth0 $NEW_GUEST_IP"
	assert_line "la-guest: ping $NEW_HOST_IP ok"
	assert_line --regexp '^host tap tap[0-9]+$'
	grep -qE '^la-vmrun: --net: made tap tap[0-9]+ for virtio-net0 \(down, no address; it goes when la-vmrun exits\)$' <<<"$stderr" ||
		fail "no 'made tap' line on stderr: $stderr"
}

@test "la-vmrun --net: guest to host TCP throughput, userspace and vhost-net (LA_VM_NET_BENCH=1)" {
	[ "${LA_VM_NET_BENCH:-0}" = 1 ] || skip "the throughput measurement runs with LA_VM_NET_BENCH=1"
	local c
	for c in v-bench-user v-bench-vhost v-bench-user2 v-bench-vhost2; do
		need_option --net $c
		vm_case_status $c 0
		assert_line --regexp "^la-guest: send $HOST_IP:7003 bytes 67108864 ms [0-9]+$"
		echo "# $c: $(line_of "la-guest: send $HOST_IP:7003 ")" >&3
	done
}

# check_vsock CASE: 1 MiB each way over AF_VSOCK, both ends ok
check_vsock() {
	vm_case_status "$1" 0
	assert_line 'la-guest: vsock la-vsock: connected to 2:5000'
	assert_line --regexp '^la-guest: vsock la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
	assert_line --regexp '^la-vsock: peer 3:[0-9]+$'
	assert_line --regexp '^la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
}

@test "la-vmrun --vsock CID: the guest and the host move 1 MiB each way over AF_VSOCK" {
	need_option --vsock v-vsock
	check_vsock v-vsock
}

# check_vsock_in CASE: the host connected to the guest's listener
check_vsock_in() {
	vm_case_status "$1" 0
	assert_line 'la-guest: vsock la-vsock: listening on port 5001'
	assert_line --regexp '^la-guest: vsock la-vsock: peer 2:[0-9]+$'
	assert_line --regexp '^la-guest: vsock la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
	assert_line 'la-vsock: connected to 3:5001'
	assert_line --regexp '^la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
}

@test "la-vmrun --vsock CID: the host connects to a guest's listener (CID 3) and both move 1 MiB" {
	need_option --vsock v-vsock-in
	check_vsock_in v-vsock-in
}

@test "virtio reference (QEMU): disk, read-only disk and the data check" {
	need_qemu q-disk
	check_disk q-disk q-diskfile
}

@test "virtio reference (QEMU): rng" {
	need_qemu q-rng
	vm_case_status q-rng 0
	assert_line --regexp '^la-guest: hwrng virtio_rng\.[0-9]+ bytes 64$'
}

@test "virtio reference (QEMU): network over a tap" {
	need_qemu q-tap
	vm_case_status q-tap 0
	check_net q-net
}

@test "virtio reference (QEMU): vsock through vhost-vsock" {
	need_qemu q-vsock
	check_vsock q-vsock
}

@test "virtio reference (QEMU): vsock, the host connecting to the guest" {
	need_qemu q-vsock-in
	check_vsock_in q-vsock-in
}
