#!/usr/bin/env bats
# la-vmrun's virtio-pci devices on aarch64 and riscv64: INTx through the
# tree's PCI interrupt-map, and on aarch64 with --its MSI-X through the GIC
# ITS. Debian's kernel of each arch with the virtio test guest
# (build/vm/guest-virtio-ARCH.cpio) and tests/vm/virtio-init.sh laid over
# it (mkguest-virtio.sh ARCH) reads a marker from /dev/vda and /dev/hwrng,
# and a read-only disk refuses writes; the same guest with its own init
# (guest-init.sh) pings the host over a tap, moves a file each way (both
# virtio-net backends) and 1 MiB each way over vsock, as
# vmrun_vm_virtio.bats does on x86_64. All in ONE boot of each arch's
# emulated host (run-in-l1.sh --arch ARCH, with L1's tun, vhost_net and
# vhost_vsock modules). Where something the emulated host needs is
# missing, the tests fail when CI=true and skip loudly elsewhere. Only in
# the plain pass of tests/run.sh.

load vmrun_vm_helpers

DT_TIMEOUT=300
# the guest's end of the network and the host's (la-tap in L1)
GUEST_IP=10.0.2.15/24
HOST_IP=10.0.2.1

# dt_l1_has ARCH MODULE: ARCH's L1 kernel has MODULE (a module or built
# in); else one line why not
dt_l1_has() {
	local k why
	k=$(la_vm_dt_kernel "$1" "${LA_L1_KERNEL:-}")
	why=$(la_vm_module_deps "$(dirname "$(dirname "$(readlink -f "$k")")")" "$(la_vm_kver "$k")" \
		"$2" 2>&1 >/dev/null) ||
		{ echo "${why:-module $2 not found}"; return 1; }
}

# dt_net_case CASE NETOPTS [VMRUNOPTS]: the guest (guest-init.sh) pings
# L1's la-tap0, gets $P/blob from L1's nc, puts 128 KiB to it (the case
# prints L1's sha256 of what came), as vmrun_vm_virtio.bats's net_case
dt_net_case() {
	local v="--mem 512M ${3:+$3 }--initrd \"\$P/virtio.cpio\""
	cat <<EOF
la-case $1 $DT_TIMEOUT sh -c 'timeout 200 nc -l -p 7001 <"\$P/blob" & mkfifo /tmp/hold-$1; timeout 200 nc -l -p 7002 <>/tmp/hold-$1 >/tmp/put-$1 & la-vmrun $v --net $2 --cmdline "quiet la.modules=virtio_pci,virtio_net la.ip=eth0,$GUEST_IP la.ping=$HOST_IP la.get=$HOST_IP:7001 la.put=$HOST_IP:7002:128 la.show=irqs" "\$P/vmlinuz"; s=\$?; wait; echo "host put bytes \$(wc -c </tmp/put-$1) sha256 \$(sha256sum </tmp/put-$1 | cut -d" " -f1)"; exit \$s'
EOF
}

# dt_vsock_case: one boot, both ways (an L2 boot costs 10-30 s here): the
# guest connects to L1's la-vsock listener (CID 2), then listens itself
# while L1 connects (CID 3, retrying until it does), 1 MiB each way each
# time; L1's two ends print as "host-listen: ..." and "host-connect: ..."
dt_vsock_case() {
	local v='--mem 512M --initrd "$P/virtio.cpio" --vsock 3'
	local m='quiet la.modules=virtio_pci,vmw_vsock_virtio_transport'
	cat <<EOF
la-case d-vsock $DT_TIMEOUT sh -c 'la-vsock -t 200 listen 5000 >/tmp/vsock.out & la-vmrun $v --cmdline "$m la.vsock=connect,2,5000 la.vsock=listen,5001" "\$P/vmlinuz" & g=\$!; la-vsock -w -t 200 connect 3 5001 >/tmp/vsock-in.out; wait \$g; s=\$?; wait; sed "s/^/host-listen: /" /tmp/vsock.out; sed "s/^/host-connect: /" /tmp/vsock-in.out; exit \$s'
EOF
}

# dt_run ARCH: build what ARCH's L1 needs and run its cases into
# $BATS_FILE_TMPDIR/ARCH (a reason in ARCH.missing when it cannot; in
# ARCH-net.missing or ARCH-vsock.missing when only those cases cannot)
dt_run() {
	local arch=$1 t=$BATS_FILE_TMPDIR m= p=$BATS_FILE_TMPDIR/payload-$1
	mkdir -p "$p"
	case $arch in
	aarch64) m=$(la_vm_dt_missing aarch64 arm64 qemu-system-arm | head -n 1) ;;
	*) m=$(la_vm_dt_missing riscv64 riscv64 qemu-system-misc | head -n 1) ;;
	esac
	if [ -z "$m" ] && ! command -v "$arch-linux-gnu-gcc" >/dev/null; then
		m="$arch-linux-gnu-gcc not found (make deps installs the cross toolchains)"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		ARCH="$arch" cross >"$t/$arch-cross.log" 2>&1; then
		m="make cross ARCH=$arch failed: $(tail -n 1 "$t/$arch-cross.log")"
	fi
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/vm/guest-virtio-$arch.cpio" >"$t/$arch-guest.log" 2>&1; then
		m="the $arch virtio guest did not build: $(tail -n 1 "$t/$arch-guest.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/$arch.missing"
		return 0
	fi
	if ! LA_BUILD=$VM_BUILD "$VM_TOP/tests/vm/mkguest-virtio.sh" "$p/pci.cpio" "$arch" \
		2>"$t/$arch-guest.log"; then
		echo "mkguest-virtio.sh $arch failed: $(tail -n 1 "$t/$arch-guest.log")" >"$t/$arch.missing"
		return 0
	fi
	cp -L "$(la_vm_dt_kernel "$arch")" "$p/vmlinuz"
	cp "$VM_BUILD/vm/guest-virtio-$arch.cpio" "$p/virtio.cpio"
	head -c 200000 /dev/urandom >"$p/blob"
	truncate -s 8M "$p/d1.img" "$p/d2.img"
	printf 'LA-DT-MARKER' | dd of="$p/d1.img" conv=notrunc status=none
	# L1's modules: tun for the tap and vhost_net for that backend, and
	# vhost_vsock (la-vmrun's vsock device and L1's AF_VSOCK); the cases
	# whose module L1 lacks do not run, and their tests say why
	local mods=() mod
	for mod in tun vhost_net; do
		m=$(dt_l1_has "$arch" "$mod") || echo "L1 ($arch): $m" >"$t/$arch-net.missing"
	done
	[ -e "$t/$arch-net.missing" ] || mods+=(--module tun --module vhost_net)
	if m=$(dt_l1_has "$arch" vhost_vsock); then
		mods+=(--module vhost_vsock)
	else
		echo "L1 ($arch): $m" >"$t/$arch-vsock.missing"
	fi
	local boot='--mem 512M --initrd "$P/pci.cpio"'
	{
		echo 'P=${P:-/payload}; export P'
		echo "la-case d-blk $DT_TIMEOUT la-vmrun $boot --disk \"\$P/d1.img\" --disk \"\$P/d2.img,ro\" --cmdline 'la.vda=12 la.vdb-write la.hwrng=32' \"\$P/vmlinuz\""
		[ "$arch" != aarch64 ] ||
			echo "la-case d-its $DT_TIMEOUT la-vmrun $boot --cpus 2 --its --disk \"\$P/d1.img\" --cmdline 'la.vda=12 la.hwrng=32' \"\$P/vmlinuz\""
		if [ ! -e "$t/$arch-net.missing" ]; then
			echo "la-case d-tap 20 la-tap la-tap0 $HOST_IP/24"
			dt_net_case d-net-user tap=la-tap0,vhost=off
			dt_net_case d-net-vhost tap=la-tap0,vhost=on
			# aarch64: the same on MSI-X through the ITS, default backend
			[ "$arch" != aarch64 ] || dt_net_case d-net-its tap=la-tap0 --its
		fi
		[ -e "$t/$arch-vsock.missing" ] || dt_vsock_case
	} >"$t/$arch.sh"
	local t0=$SECONDS
	vm_l1_tries "$t" "$arch" --arch "$arch" --timeout 1200 --stall 240 \
		"${mods[@]}" --payload "$p" --bin "$VM_BUILD/cross/$arch/bin/la-vmrun" \
		--bin "$VM_BUILD/tests/$arch/la-vsock" || true
	# the budget of make check: what each emulated host took, on the TAP
	echo "# $arch: the emulated host's cases in $((SECONDS - t0)) s" >&3
}

setup_file() {
	vm_have_vmrun || return 0
	dt_run aarch64
	dt_run riscv64
}

# dt_case ARCH NAME WANT: load ARCH's case NAME (status WANT)
dt_case() {
	local d=$BATS_FILE_TMPDIR/$1
	[ ! -e "$BATS_FILE_TMPDIR/$1.missing" ] || vm_cannot_run "$(cat "$BATS_FILE_TMPDIR/$1.missing")"
	[ -e "$d/$2.status" ] || vm_cannot_run "$1 case $2 did not run: $(tail -n 3 "$BATS_FILE_TMPDIR/$1.stderr" 2>/dev/null)"
	status=$(cat "$d/$2.status")
	output=$(cat "$d/$2.out")
	mapfile -t lines <<<"$output"
	[ "$status" = "$3" ] || fail "$1 $2: status $status, want $3
$(tail -n 30 <<<"$output")
$(tail -n 10 "$d/$2.err")"
}

dt_blk() {
	dt_case "$1" d-blk 0
	assert_line 'la-guest: vda LA-DT-MARKER'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
	assert_line --regexp '^la-guest: pci 0000:00:01\.0 0x1af4:0x1042 irq [0-9]+ driver virtio-pci$'
	# one INTx line per device, no MSI
	assert_line --regexp '^la-guest: irq .* virtio0$'
	refute_output --partial MSI
	assert_line 'la-guest: vdb-write fail'
	assert_line 'la-guest: disk vdb 16384 sectors ro 1 serial '
}

@test "aarch64: the guest reads a virtio disk and /dev/hwrng on INTx through the interrupt-map; a read-only disk refuses writes" {
	dt_blk aarch64
	# the MSI-X capability is there; without an ITS the guest cannot use it
	assert_line 'la-guest: caps 0000:00:01.0 09 09 09 09 09 11'
	assert_line 'la-guest: irq GICv3 36 Level virtio0'
}

@test "aarch64 --its: the guest's virtio drivers take MSI-X through the GIC ITS" {
	dt_case aarch64 d-its 0
	assert_line 'la-guest: vda LA-DT-MARKER'
	assert_line 'la-guest: irq ITS-MSI 16384 Edge virtio0-config'
	assert_line 'la-guest: irq ITS-MSI 16385 Edge virtio0-req.0'
	assert_line --regexp '^la-guest: irq ITS-MSI [0-9]+ Edge virtio1-input$'
	assert_line 'la-guest: hwrng 32 bytes from virtio_rng.0'
}

@test "riscv64: the guest reads a virtio disk and /dev/hwrng on INTx through the interrupt-map; a read-only disk refuses writes" {
	dt_blk riscv64
	# no MSI routes on riscv64 yet: no MSI-X capability
	assert_line 'la-guest: caps 0000:00:01.0 09 09 09 09 09'
}

# dt_need ARCH WHAT: ARCH's L1 has the modules of WHAT (net, vsock)
dt_need() {
	[ ! -e "$BATS_FILE_TMPDIR/$1.missing" ] || vm_cannot_run "$(cat "$BATS_FILE_TMPDIR/$1.missing")"
	[ ! -e "$BATS_FILE_TMPDIR/$1-$2.missing" ] || vm_cannot_run "$(cat "$BATS_FILE_TMPDIR/$1-$2.missing")"
}

# dt_net ARCH CASE: ping, a file each way, the same sha256 on both sides
# (vmrun_vm_virtio.bats's check_net)
dt_net() {
	dt_need "$1" net
	dt_case "$1" "$2" 0
	assert_line "la-guest: ip eth0 $GUEST_IP"
	assert_line "la-guest: ping $HOST_IP ok"
	assert_line "la-guest: get $HOST_IP:7001 bytes 200000 sha256 $(sha256sum <"$BATS_FILE_TMPDIR/payload-$1/blob" | cut -d' ' -f1)"
	local put
	put=$(sed -n "s/^la-guest: put $HOST_IP:7002 //p" <<<"$output" | head -n 1)
	[ -n "$put" ] || fail "no la-guest: put line"
	assert_line "host put $put"
}

# dt_net_intx ARCH CASE: dt_net, the network device on one INTx line
dt_net_intx() {
	dt_net "$1" "$2"
	assert_line --regexp '^la-guest: irq .* virtio[0-9]+$'
	refute_output --partial MSI
}

@test "aarch64 --net tap=NAME,vhost=off: the guest pings L1 over a tap and moves a file each way intact (userspace backend, INTx)" {
	dt_need aarch64 net
	dt_case aarch64 d-tap 0
	dt_net_intx aarch64 d-net-user
}

@test "aarch64 --net tap=NAME,vhost=on: the same through vhost-net" {
	dt_net_intx aarch64 d-net-vhost
}

@test "aarch64 --its --net tap=NAME: the same with the queues on MSI-X through the ITS" {
	dt_net aarch64 d-net-its
	assert_line --regexp '^la-guest: irq ITS-MSI [0-9]+ Edge virtio[0-9]+-input\.0$'
	assert_line --regexp '^la-guest: irq ITS-MSI [0-9]+ Edge virtio[0-9]+-output\.0$'
}

@test "riscv64 --net tap=NAME,vhost=off: the guest pings L1 over a tap and moves a file each way intact (userspace backend, INTx)" {
	dt_need riscv64 net
	dt_case riscv64 d-tap 0
	dt_net_intx riscv64 d-net-user
}

@test "riscv64 --net tap=NAME,vhost=on: the same through vhost-net" {
	dt_net_intx riscv64 d-net-vhost
}

# dt_vsock ARCH: the guest connected to L1 (CID 2), then L1 to the guest
# (CID 3), 1 MiB each way, every end ok (vmrun_vm_virtio.bats's
# check_vsock and check_vsock_in)
dt_vsock() {
	dt_need "$1" vsock
	dt_case "$1" d-vsock 0
	assert_line 'la-guest: vsock la-vsock: connected to 2:5000'
	assert_line 'la-guest: vsock la-vsock: listening on port 5001'
	assert_line --regexp '^la-guest: vsock la-vsock: peer 2:[0-9]+$'
	[ "$(grep -cE '^la-guest: vsock la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$' <<<"$output")" = 2 ] ||
		fail "the guest did not receive 1 MiB ok both times"
	assert_line --regexp '^host-listen: la-vsock: peer 3:[0-9]+$'
	assert_line --regexp '^host-listen: la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
	assert_line 'host-connect: la-vsock: connected to 3:5001'
	assert_line --regexp '^host-connect: la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
}

@test "aarch64 --vsock CID: the guest and L1 each connect to the other and move 1 MiB each way" {
	dt_vsock aarch64
}

@test "riscv64 --vsock CID: the guest and L1 each connect to the other and move 1 MiB each way" {
	dt_vsock riscv64
}
