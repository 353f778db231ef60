#!/usr/bin/env bats
# la-vmctl, and la-vmrun --control's socket, without a VM: usage errors, the
# man pages and --help, and the protocol against build/tests/la-ctl-fake
# (lib/ctl.c's server with a fake VM behind it: two vCPUs, a disk, an rng).
# The VM cases are in vmrun_vm_virtio.bats (an emulated host).

load helpers

FAKE=${LA_BUILD:-$LA_TOP/build}/tests/la-ctl-fake
PROBE=${LA_BUILD:-$LA_TOP/build}/guest/probe.bzImage

setup() {
	cd "$BATS_TEST_TMPDIR"
	[ -x "$FAKE" ] || fail "no $FAKE (make)"
}

teardown() {
	[ -z "${fake_pid:-}" ] || kill "$fake_pid" 2>/dev/null || true
}

# fake_start: la-ctl-fake on vm.sock, once it listens
fake_start() {
	"$FAKE" vm.sock >fake.out 2>&1 &
	fake_pid=$!
	local i
	for i in $(seq 50); do
		grep -q listening fake.out 2>/dev/null && return 0
		sleep 0.1
	done
	fail "la-ctl-fake did not start: $(cat fake.out)"
}

@test "la-vmctl: --help shows the commands, --json, --timeout and the exit statuses" {
	run la-vmctl --help
	assert_success
	for w in "SOCKET list|status|stop|suspend|resume" "SOCKET add disk PATH[,ro]" "SOCKET add net tap=NAME|tap[,mac=MAC][,vhost=on|off]" \
		"SOCKET remove ADDR" --json --timeout=SECS "Exit status: 0"; do
		assert_output --partial -- "$w"
	done
}

@test "la-vmctl: its man page and la-vmrun's document the commands and the protocol" {
	local w
	for w in list status stop "add disk" "add net" remove suspend resume json timeout "EXIT STATUS"; do
		grep -q -- "$w" "$LA_TOP/man/la-vmctl.1" || fail "la-vmctl.1 lacks $w"
	done
	for w in '.SH CONTROL SOCKET' 'la-vmctl-schema' too-long too-deep bad-request unknown-op \
		unsupported busy idle full no-device timeout failed state '.SH PCI HOT-PLUG' \
		'.SH SUSPEND' HYPE0001 PNP0D80 PNP0C0E '\-\-control'; do
		grep -qF -- "$w" "$LA_TOP/man/la-vmrun.1" || fail "la-vmrun.1 lacks $w"
	done
	run la-vmrun --help
	assert_output --partial "--control=PATH"
}

@test "la-vmctl: bad arguments are usage errors (exit 2) naming the argument" {
	run la-vmctl
	assert_failure 2
	assert_output --partial "la-vmctl: no SOCKET and COMMAND"
	run la-vmctl vm.sock
	assert_failure 2
	assert_output --partial "la-vmctl: no COMMAND (list, status, stop, add, remove, suspend, resume)"
	run la-vmctl vm.sock reboot
	assert_failure 2
	assert_output --partial "la-vmctl: 'reboot': not a command (list, status, stop, add, remove, suspend, resume)"
	run la-vmctl vm.sock status now
	assert_failure 2
	assert_output --partial "la-vmctl: unexpected argument 'now' after status"
	run la-vmctl vm.sock add cdrom x.iso
	assert_failure 2
	assert_output --partial "la-vmctl: add: give 'disk PATH[,ro]' or 'net tap=NAME'"
	run la-vmctl vm.sock add disk x.img,rw
	assert_failure 2
	assert_output --partial "la-vmctl: add disk: 'x.img,rw': unknown option 'rw'"
	run la-vmctl vm.sock add net eth0
	assert_failure 2
	assert_output --partial "la-vmctl: add net: 'eth0': unknown option 'eth0' (tap=NAME|tap[,mac=MAC][,vhost=on|off])"
	run la-vmctl vm.sock add net mac=52:54:00:00:00:01
	assert_failure 2
	assert_output --partial "la-vmctl: add net: 'mac=52:54:00:00:00:01': no tap (tap=NAME|tap[,mac=MAC][,vhost=on|off])"
	run la-vmctl vm.sock add net tap=a,tap
	assert_failure 2
	assert_output --partial "la-vmctl: add net: 'tap=a,tap': 'tap' given twice"
	run la-vmctl vm.sock add net tap=a,mac=52:54:00:00:00
	assert_failure 2
	assert_output --partial "la-vmctl: add net: 'tap=a,mac=52:54:00:00:00': mac=52:54:00:00:00: not a MAC address (six hex pairs: 52:54:00:12:34:56)"
	run la-vmctl vm.sock add net tap=a,mac=01:00:5e:00:00:01
	assert_failure 2
	assert_output --partial "a multicast or all-zero address; the guest needs a unicast one (first octet even)"
	run la-vmctl vm.sock add net tap=a,vhost=yes
	assert_failure 2
	assert_output --partial "la-vmctl: add net: 'tap=a,vhost=yes': vhost=yes: on or off"
	run la-vmctl vm.sock add net tap=a,vhost=on,vhost=off
	assert_failure 2
	assert_output --partial "'vhost' given twice"
	run la-vmctl vm.sock add net tap=a extra
	assert_failure 2
	assert_output --partial "la-vmctl: unexpected argument 'extra'"
	run la-vmctl vm.sock remove 0:5.0
	assert_failure 2
	assert_output --partial "la-vmctl: remove: '0:5.0': not a PCI address BB:DD.F"
	run la-vmctl --timeout 0 vm.sock status
	assert_failure 2
	assert_output --partial "la-vmctl: --timeout: '0': not a number of seconds from 1 to 86400"
}

@test "la-vmctl: no socket, not a socket, nobody listening: exit 1 naming the socket" {
	run la-vmctl nothere.sock status
	assert_failure 1
	assert_output "la-vmctl: nothere.sock: no such socket"
	touch plain
	run la-vmctl plain status
	assert_failure 1
	assert_output "la-vmctl: plain: not a socket"
	fake_start
	kill -9 "$fake_pid"
	wait "$fake_pid" 2>/dev/null || true
	fake_pid=
	run la-vmctl vm.sock status
	assert_failure 1
	assert_output "la-vmctl: vm.sock: connection refused (no VM listens: a stale socket)"
}

@test "la-vmctl: status, list and their --json replies (la-vmctl-schema 1)" {
	fake_start
	run la-vmctl vm.sock status
	assert_success
	assert_line --index 0 "state: running"
	assert_line --index 1 "uptime: 12.345 s"
	assert_line --index 2 "arch: x86_64"
	assert_line --index 4 "vcpus: 2 (0 running, 1 running)"
	run la-vmctl vm.sock list
	assert_success
	assert_line --index 0 "virtio-blk0      00:01.0  bar0 0xc0000000-0xc0003fff  irq 5   root.img (1048576 bytes, ro)"
	assert_line --index 1 "virtio-rng0      00:02.0  bar0 0xc0004000-0xc0007fff  irq 6   getrandom"
	run la-vmctl --json vm.sock list
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ] || fail "not one line"
	[ "$(jq -r '."la-vmctl-schema", .ok, .devices[0].slot, .devices[1].name' <<<"$output" | tr '\n' ' ')" = \
		"1 true 00:01.0 virtio-rng0 " ] || fail "$output"
	run la-vmctl -j vm.sock status
	assert_success
	[ "$(jq -r '.state, .cpus, (.vcpus | length)' <<<"$output" | tr '\n' ' ')" = "running 2 2 " ]
}

@test "la-vmctl: add and remove are checked, then a VM without hot-plug slots says so (exit 1)" {
	fake_start
	run la-vmctl vm.sock add disk missing.img,ro
	assert_failure 1
	assert_output "la-vmctl: add disk: 'missing.img': No such file or directory"
	: >x.img
	run la-vmctl vm.sock add disk x.img,ro
	assert_failure 1
	assert_output "la-vmctl: vm.sock: add: this VM has no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)"
	# add net opens the tap before it asks (the VM's jail cannot)
	run la-vmctl vm.sock add net tap=la-nosuch0
	assert_failure 1
	assert_output "la-vmctl: add net: 'la-nosuch0': no such network interface (make the tap: ip tuntap add la-nosuch0 mode tap user \$USER)"
	run la-vmctl vm.sock add net tap=0123456789abcdefg
	assert_failure 1
	assert_output "la-vmctl: add net: '0123456789abcdefg': not an interface name (1 to 15 characters)"
	run --separate-stderr la-vmctl --json vm.sock remove 00:05.0
	assert_failure 1
	[ "$(jq -r '.ok, .code' <<<"$output" | tr '\n' ' ')" = "false unsupported " ] || fail "$output"
	[ "$stderr" = "la-vmctl: vm.sock: remove: this VM has no PCI hot-plug slots (la-vmrun --pci-hotplug-slots N)" ]
}

@test "la-vmctl: suspend and resume say the state the guest reached; the wrong state is exit 1" {
	fake_start
	run la-vmctl vm.sock resume
	assert_failure 1
	assert_output "la-vmctl: vm.sock: resume: the guest is not suspended"
	run la-vmctl vm.sock suspend
	assert_success
	assert_output "suspended"
	run la-vmctl vm.sock status
	assert_success
	assert_line --index 0 "state: suspended"
	assert_line --index 4 "vcpus: 2 (0 suspended, 1 suspended)"
	run --separate-stderr la-vmctl --json vm.sock suspend
	assert_failure 1
	[ "$(jq -r '.ok, .code' <<<"$output" | tr '\n' ' ')" = "false state " ] || fail "$output"
	[ "$stderr" = "la-vmctl: vm.sock: suspend: the guest is suspended already" ]
	run la-vmctl --json vm.sock resume
	assert_success
	assert_output '{"la-vmctl-schema":1,"ok":true,"op":"resume","state":"running"}'
	run la-vmctl vm.sock suspend now
	assert_failure 2
	assert_output --partial "la-vmctl: unexpected argument 'now' after suspend"
}

@test "la-vmctl: stop gets the exit status; the server removes its socket" {
	fake_start
	run la-vmctl vm.sock stop
	assert_success
	assert_output "stopping: la-vmrun exits 0"
	wait "$fake_pid"
	fake_pid=
	[ ! -e vm.sock ] || fail "vm.sock left"
}

@test "la-vmctl: no reply within --timeout is exit 1" {
	# a socket that accepts (the kernel's backlog) but never answers: a
	# fake stopped with SIGSTOP
	fake_start
	kill -STOP "$fake_pid"
	run timeout 10 la-vmctl --timeout 1 vm.sock status
	kill -CONT "$fake_pid"
	assert_failure 1
	assert_output "la-vmctl: vm.sock: no reply within 1 s (--timeout)"
}

@test "la-vmrun --control: a live socket is refused, a file never replaced, a stale socket replaced and removed at exit" {
	fake_start
	run la-vmrun --control vm.sock --kvm-device /dev/null "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --control: 'vm.sock': in use by a running VM"
	run la-vmctl vm.sock status
	assert_success
	kill -9 "$fake_pid"
	wait "$fake_pid" 2>/dev/null || true
	fake_pid=
	[ -S vm.sock ]
	# replaced, then removed as la-vmrun fails at KVM (exit 1)
	run la-vmrun --control vm.sock --kvm-device /dev/null "$PROBE"
	assert_failure 1
	assert_output --partial "la-vmrun: /dev/null: not a KVM device"
	[ ! -e vm.sock ] || fail "vm.sock left"
	echo data >vm.sock
	run la-vmrun --control vm.sock --kvm-device /dev/null "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --control: 'vm.sock': not a socket; not replacing it"
	[ "$(cat vm.sock)" = data ]
	run la-vmrun --control "$(printf 'd%.0s' $(seq 120))" --kvm-device /dev/null "$PROBE"
	assert_failure 1
	assert_output --partial "longer than the 107 bytes a Unix socket path can have"
}

@test "la-vmrun --control --explain: no socket in a dry run; the virtual PMC --control brings, with la-alloc's grants" {
	local want got
	run la-vmrun --control x.sock --explain "$PROBE"
	assert_success
	[ ! -e x.sock ] || fail "a dry run made its socket"
	assert_line --regexp '^  vpmc\.io +io +0x000000000000c400-0x000000000000c40f virtual PMC registers$'
	assert_line --regexp '^  vpmc\.gpe +gpe +0x0+-0x0+ sleep button: suspend request$'
	# the same grants as la-alloc gives the VM's devices in the same order
	want=$(la-alloc --arch x86_64 --mem 256M --platform --device virtio-rng --device pvpanic \
		--device vpmc --json | jq -c '[.grants[] | select(.name | startswith("vpmc"))]')
	got=$(la-vmrun --control x.sock --explain --json "$PROBE" |
		jq -c '[.grants[] | select(.name | startswith("vpmc"))]')
	[ "$got" = "$want" ] || fail "la-vmrun: $got; la-alloc: $want"
	[ "$(jq length <<<"$got")" = 3 ]
	run la-vmrun --explain "$PROBE"
	assert_success
	refute_line --partial vpmc
}

@test "la-vmrun --control: the socket is mode 0600; SIGTERM during setup removes it" {
	# a FIFO as KERNEL, with a writer that writes nothing: la-vmrun blocks
	# reading it, its socket made
	mkfifo k
	sleep 30 >k &
	local writer=$!
	la-vmrun --control vm.sock k 2>err &
	local pid=$! i
	for i in $(seq 50); do [ -S vm.sock ] && break; sleep 0.1; done
	[ -S vm.sock ] || fail "no socket: $(cat err)"
	[ "$(stat -c %a vm.sock)" = 600 ]
	kill -TERM "$pid"
	wait "$pid" || true
	kill "$writer" 2>/dev/null || true
	[ ! -e vm.sock ] || fail "vm.sock left"
}

@test "la-vmrun --print-seccomp control: the control thread's allowlist" {
	run la-vmrun --print-seccomp control
	assert_success
	assert_line --index 0 --regexp '^control thread: [0-9]+ system calls$'
	for c in accept4 read sendto poll close brk; do
		assert_line "  $c"
	done
	assert_line "  unlinkat if arg0 & 0xfffffffffffffff8 == 0x3f8 (the --control and serial sockets' directories)"
	refute_line --partial "  socket"
	refute_line --partial "  openat"
}
