#!/usr/bin/env bats
# Sanitizers where the guest runs (issue 17 item 4): la-vmrun built with
# ASan+UBSan (make SAN=1, dynamically linked to libasan and libubsan, which
# run-in-l1.sh --bin copies with it) boots Debian's cloud kernel inside the
# emulated x86_64 host (L1) with every device once, each used by the guest
# (tests/vm/san-all.sh): disk, rng, virtio console, net on a tap, vsock,
# pstore, pvpanic and the control socket. Any sanitizer report on la-vmrun's
# standard error fails it (vm_case; reports exit 86).
#
# It runs in the sanitizer pass of tests/run.sh (make check's second pass,
# LA_SANITIZED=1, LA_BIN=build/san/bin) and not in the plain one; run by
# hand, it wants that build: LA_SANITIZED=1 LA_BIN=build/san/bin
# LA_BUILD=build/san. One L1 boot, one L2 boot.

load vmrun_vm_helpers

GUEST_IP=10.0.2.15/24
HOST_IP=10.0.2.1

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m
	mkdir -p "$p"
	if [ "${LA_SANITIZED:-0}" != 1 ]; then
		echo "not the sanitizer pass (LA_SANITIZED=1 with LA_BIN=build/san/bin)" >"$t/not-san"
		return 0
	fi
	m=$(vm_virtio_payload "$t" "$p")
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/tests/x86_64/la-blocks" "$VM_BUILD/tests/x86_64/la-vsock" >>"$t/make.log" 2>&1; then
		m="la-blocks or la-vsock did not build: $(tail -n 1 "$t/make.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$VM_TOP/tests/vm/san-all.sh" "$p/" || return 1
	head -c 200000 /dev/urandom >"$p/blob"
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		# the ASan runtime loads in L1 (its flags' help, no VM)
		echo 'la-case s-runtime 60 env ASAN_OPTIONS=help=1 la-vmrun --version'
		echo "la-case s-tap 20 la-tap la-tap0 $HOST_IP/24"
		echo 'la-case s-all 400 sh "$P/san-all.sh"'
	} >"$t/l1.sh"
	vm_run_l1 "$t" --timeout 900 --stall 300 --module tun --module vhost_vsock \
		--payload "$p" --bin "$VM_BIN/la-vmrun" --bin "$VM_BIN/la-vmctl" \
		--bin "$VM_BUILD/tests/x86_64/la-blocks" --bin "$VM_BUILD/tests/x86_64/la-vsock"
}

# need_case CASE: the sanitizer pass, a sanitized la-vmrun, and CASE ran
need_case() {
	[ ! -e "$BATS_FILE_TMPDIR/not-san" ] || skip "$(cat "$BATS_FILE_TMPDIR/not-san")"
	vm_need_case "$1"
	ldd "$VM_BIN/la-vmrun" 2>/dev/null | grep -q libasan ||
		fail "LA_SANITIZED=1 but $VM_BIN/la-vmrun is not linked to libasan (not make SAN=1's)"
}

@test "sanitized la-vmrun in the emulated host: its ASan runtime and libraries came along" {
	need_case s-runtime
	vm_case_status s-runtime 0
	[[ $output == "la-vmrun "* ]] || fail "no version line: $output"
	[[ $stderr == *"Available flags for AddressSanitizer"* ]] || fail "no ASan runtime: $stderr"
}

@test "sanitized la-vmrun boots Linux with every device, each used, and no sanitizer report (disk, rng, virtio console, net, vsock, pstore, pvpanic, control socket)" {
	need_case s-all
	vm_case_status s-tap 0
	# vm_case fails on any ASan, LSan or UBSan report in la-vmrun's stderr
	vm_case_status s-all 0
	# pvpanic's status (the guest panicked at the end), or what went wrong
	grep -qx 'san: vmrun status 34' <<<"$output" ||
		fail "la-vmrun did not end with 34: $(grep '^san: vmrun status' <<<"$output")
--- la-vmrun's stderr (last 30 lines)
$(tail -n 30 <<<"$stderr")"
	assert_line --regexp '^la-guest: modules loaded .*virtio_blk .*virtio_net .*virtio_console .*virtio_rng .*vmw_vsock_virtio_transport .*ramoops .*pvpanic_pci'
	# the control socket, while the guest ran
	assert_line --regexp '^san: status rc 0 state: running$'
	# the disk: 64 flushed blocks, read back in L1
	assert_line 'la-blocks: flushed 63 ok'
	assert_line 'san: la-blocks: check blocks 0..63 intact'
	assert_line --regexp '^la-guest: hwrng virtio_rng\.[0-9]+ bytes 64$'
	# the net through la-vmrun's own backend
	assert_line "la-guest: ip eth0 $GUEST_IP"
	assert_line "la-guest: ping $HOST_IP ok"
	assert_line "la-guest: get $HOST_IP:7001 bytes 200000 sha256 $(sha256sum <"$BATS_FILE_TMPDIR/payload/blob" | cut -d' ' -f1)"
	local put
	put=$(sed -n "s/^la-guest: put $HOST_IP:7002 //p" <<<"$output" | head -n 1)
	[ -n "$put" ] || fail "no la-guest: put line"
	assert_line "san: put $put"
	assert_line --regexp '^la-guest: vsock la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
	assert_line --regexp '^san: la-vsock: received 1048576 fnv1a64 [0-9a-f]{16} ok$'
	assert_line 'la-guest: pstore files none'
	assert_line --regexp '^la-guest: panic pvpanic 0000:00:[0-9a-f]{2}\.0$'
	assert_line 'san: pstore bytes 1048576'
	# pvpanic: the guest panicked, la-vmrun said so
	grep -q '^la-vmrun: guest panicked (pvpanic)' <<<"$stderr" || fail "stderr: $stderr"
	echo "# s-all: $case_seconds s" >&3
}
