#!/usr/bin/env bats
# la-vmrun without KVM: options, files, limits and --explain. Booting is
# tested in vmrun-boot.bats (an emulated host with nested KVM).

load helpers
load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "la-vmrun: --help names every option" {
	run la-vmrun --help
	assert_success
	for o in --initrd --cmdline --fdt --dump-fdt --serial --debugcon --boot-timing \
		--no-acpi --explain --kvm-device --overlay --mem --cpus --bios --pci-ecam --pci-mem \
		--battery --hugepages --boot-timing-mark; do
		assert_output --partial -- "$o"
	done
	assert_output --partial "Exit status: 0 the guest powered off, 32 it reset"
	assert_output --partial "36 a vCPU stopped petting the aarch64"
}

@test "la-vmrun: --boot-timing-mark: an empty mark or one over 64 bytes is a usage error" {
	touch "$tmp/k"
	run la-vmrun --boot-timing-mark '' "$tmp/k"
	assert_failure 2
	assert_line --index 0 "la-vmrun: --boot-timing-mark: '' is empty"
	local long
	long=$(printf 'x%.0s' $(seq 65))
	run la-vmrun --boot-timing-mark "$long" "$tmp/k"
	assert_failure 2
	assert_line --index 0 "la-vmrun: --boot-timing-mark: '$long' is longer than 64 bytes"
}

@test "la-vmrun: no kernel is a usage error" {
	run la-vmrun
	assert_failure 2
	assert_output "la-vmrun: no kernel given (KERNEL or --bios FILE)"
}

@test "la-vmrun: a KERNEL and --bios together are a usage error" {
	run la-vmrun --bios "$FW" "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --bios: '$FW': cannot boot both a BIOS and KERNEL"
}

@test "la-vmrun: a BIOS boot takes no --initrd and no --fdt" {
	run la-vmrun --bios "$FW" --initrd "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --initrd: '$PROBE': a BIOS boot takes no initrd"
	run la-vmrun --bios "$FW" --fdt "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --fdt: '$PROBE': a BIOS boot takes no device tree"
}

@test "la-vmrun: a second KERNEL argument is a usage error" {
	run la-vmrun "$PROBE" "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: unexpected argument '$PROBE' (one KERNEL only: '$PROBE')"
	run la-vmrun --kernel "$PROBE" "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: unexpected argument '$PROBE' (one KERNEL only: '$PROBE')"
	run la-vmrun --kernel "$PROBE_ELF" --kernel "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --kernel: '$PROBE': KERNEL given twice ('$PROBE_ELF')"
}

@test "la-vmrun: the peers' short options: -c vCPUs, -m memory (bare MiB), -p command line; --kernel" {
	run la-vmrun -c 2 -m 512 -p quiet -p la.x=1 --explain --kernel "$PROBE"
	assert_success
	assert_line --partial '(2 CPUs)'
	assert_line --partial '0x000000001fffffff    511 MiB  guest-memory'
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0 quiet la\.x=1$'
	# --cmdline is --params' other name; --kernel is KERNEL
	[ "$(la-vmrun --params quiet --explain "$PROBE")" = "$(la-vmrun --cmdline quiet --explain --kernel "$PROBE")" ]
	run la-vmrun --help
	assert_output --regexp '-p, --params=STRING, --cmdline=STRING'
	assert_output --regexp '-c, --cpus=N'
	assert_output --regexp '-m, --mem=SIZE'
	assert_output --partial '--kernel=FILE'
	for o in '\-c ' '\-m ' '\-p ' '\-\-params' '\-\-kernel'; do
		grep -qF -- "$o" "$LA_TOP/man/la-vmrun.1" || fail "man page lacks $o"
	done
}

@test "la-vmrun: --serial takes N=file:PATH, null or stdout for COM1-4" {
	run la-vmrun --serial 5=null "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --serial: '5=null': not N=KIND with N from 1 to 4"
	run la-vmrun --serial 2=tty "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --serial: '2=tty': KIND is file:PATH, null or stdout"
	run la-vmrun --serial 2=file: "$PROBE"
	assert_failure 2
	run la-vmrun --serial 1=stdout --serial 2=stdout "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --serial: '2=stdout': COM1 is the console already ('1=stdout')"
}

@test "la-vmrun: --serial 2=stdout alone moves the console there (COM1 becomes null)" {
	run la-vmrun --explain --serial 2=stdout "$PROBE"
	assert_success
	assert_output --partial "panic=-1 console=ttyS1 earlycon=uart8250,io,0x2f8"
	[ "$output" = "$(la-vmrun --explain --serial 1=null --serial 2=stdout "$PROBE")" ]
	# an explicit COM1 stays as said
	run la-vmrun --explain --serial 1=file:"$tmp/com1" --serial 2=stdout "$PROBE"
	assert_success
}

@test "la-vmrun --help: --serial's keys, as crosvm's" {
	run la-vmrun --help
	assert_success
	for k in "type=stdout|file|sink|syslog|unix" "hardware=serial|virtio-console|" \
		"num=1-4" "path=FILE" console earlycon stdin "N=file:PATH|null|stdout"; do
		assert_output --partial -- "$k"
	done
}

@test "la-vmrun: --serial num=2,type=file,path=F,console makes COM2 the console (crosvm's --serial)" {
	run la-vmrun --explain --serial "num=2,type=file,path=$tmp/c2,console" "$PROBE"
	assert_success
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS1 earlycon=uart8250,io,0x2f8 pci=lastbus=0$'
	assert_line --regexp "^  COM1 +ttyS0 +sink$"
	assert_line --regexp "^  COM2 +ttyS1 +file $tmp/c2, console, earlycon$"
	# a dry run makes no file
	[ ! -e "$tmp/c2" ]
	# the long form says what the short form does: N=stdout is the console with standard input
	[ "$(la-vmrun --explain --serial 2=stdout "$PROBE")" = \
	  "$(la-vmrun --explain --serial num=2,type=stdout,console,stdin "$PROBE")" ]
	[ "$(la-vmrun --explain --debugcon "$tmp/d" "$PROBE")" = \
	  "$(la-vmrun --explain --serial hardware=debugcon,type=file,path="$tmp/d" "$PROBE")" ]
}

@test "la-vmrun: --serial defaults as crosvm: COM1 stdout, console and stdin unless an output is the console" {
	run la-vmrun --explain "$PROBE"
	assert_line --regexp "^  COM1 +ttyS0 +stdout, console, earlycon, standard input$"
	assert_line --regexp "^  COM4 +ttyS3 +sink$"
	# COM1 given, nothing the console: no console= (crosvm); no earlycon either
	run la-vmrun --explain --serial "type=file,path=$tmp/c1" "$PROBE"
	assert_success
	assert_line --regexp '^cmdline .*: panic=-1 pci=lastbus=0$'
	# COM2 given without console: COM1 is still the default console
	run la-vmrun --explain --serial "num=2,type=file,path=$tmp/c2" "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0$'
	# the short form keeps la's rule: COM1 given as N=KIND stays the console
	run la-vmrun --explain --serial 1=null "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0$'
}

@test "la-vmrun: --serial earlycon goes where it is said; said nowhere, on the console" {
	run la-vmrun --explain --serial num=3,earlycon "$PROBE"
	assert_success
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 earlycon=uart8250,io,0x3e8 pci=lastbus=0$'
	run la-vmrun --explain --serial num=1,type=stdout,console,stdin,earlycon=false "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 pci=lastbus=0$'
	run la-vmrun --explain --serial num=4,type=sink,console=true,earlycon=true "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS3 earlycon=uart8250,io,0x2e8 pci=lastbus=0$'
}

@test "la-vmrun: --serial hardware=virtio-console is the virtio console (hvc0), as --console virtio" {
	run la-vmrun --explain --serial hardware=virtio-console,type=stdout,console,stdin "$PROBE"
	assert_success
	assert_line --regexp '^cmdline .*: panic=-1 console=hvc0 pci=lastbus=0$'
	assert_line --regexp '^  the virtio console +hvc0 +stdout, console, standard input$'
	assert_line --regexp '^  virtio-console0 .* standard input and output \(hvc0\)$'
	assert_line --regexp "^  COM1 +ttyS0 +sink$"
	# not the console: hvc0 to a file, COM1 the default console
	run la-vmrun --explain --serial "hardware=virtio-console,type=file,path=$tmp/h" "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0$'
	assert_line --regexp "^  the virtio console +hvc0 +file $tmp/h$"
	assert_line --regexp '^  virtio-console0 .* hvc0, as serial \(--serial\) says$'
	# --console virtio: hvc0 on the console COM port's output, which keeps earlycon
	run la-vmrun --explain --console virtio "$PROBE"
	assert_line --regexp '^cmdline .*: panic=-1 console=hvc0 earlycon=uart8250,io,0x3f8 pci=lastbus=0$'
	assert_line --regexp "^  COM1 +ttyS0 +stdout, console, earlycon$"
}

@test "la-vmrun: --serial on aarch64 and riscv64: console= and earlycon=mmio follow, stdout-path stays COM1's" {
	for img in aarch64:probe-aarch64.Image riscv64:probe-riscv64.bin; do
		arch=${img%%:*} img="$LA_BUILD/guest-dt/${img#*:}"
		run la-vmrun --arch "$arch" --explain --serial num=2,type=sink,console --dump-fdt "$tmp/$arch.dtb" "$img"
		assert_success
		assert_line --regexp '^cmdline .*: panic=-1 console=ttyS1 earlycon=uart8250,mmio,0x2f8$'
		run la-vmrun --arch "$arch" --explain --serial num=3,type=sink,console,earlycon=false "$img"
		assert_line --regexp '^cmdline .*: panic=-1 console=ttyS2$'
	done
	# crosvm's aarch64 tree names COM1 whichever port is the console
	run dtc -I dtb -O dts "$tmp/aarch64.dtb"
	assert_output --partial 'stdout-path = "/U6_16550A@3f8";'
	run la-vmrun --arch aarch64 --explain --serial hardware=debugcon,type=sink "$LA_BUILD/guest-dt/probe-aarch64.Image"
	assert_failure 2
	assert_output "la-vmrun: --serial: 'hardware=debugcon,type=sink': the debug port 0x402 is x86_64's"
}

@test "la-vmrun: --explain --json says each serial output" {
	run la-vmrun --explain --json --serial "num=2,type=unix,path=$tmp/s" --serial hardware=debugcon,type=stdout "$PROBE"
	assert_success
	run jq -c '.serial[]' <<<"$output"
	assert_line --index 0 '{"hardware":"serial","num":1,"device":"ttyS0","type":"stdout","path":null,"console":true,"earlycon":true,"stdin":true}'
	assert_line --index 1 "{\"hardware\":\"serial\",\"num\":2,\"device\":\"ttyS1\",\"type\":\"unix\",\"path\":\"$tmp/s\",\"console\":false,\"earlycon\":false,\"stdin\":false}"
	assert_line --index 4 '{"hardware":"debugcon","num":1,"device":"port 0x402","type":"stdout","path":null,"console":false,"earlycon":false,"stdin":false}'
	# a dry run makes no socket
	[ ! -e "$tmp/s" ]
}

@test "la-vmrun: --serial refuses a bad key, value or combination, naming it" {
	err() { # err ARG... -- MESSAGE: la-vmrun with each --serial ARG fails 2 with MESSAGE
		local args=() m
		while [ "$1" != -- ]; do args+=(--serial "$1"); shift; done
		m=$2
		run la-vmrun --explain "${args[@]}" "$PROBE"
		assert_failure 2
		assert_output "la-vmrun: --serial: $m"
	}
	err type=tty -- "'type=tty': type= is stdout, file, sink, syslog or unix, not 'tty'"
	err hardware=uart -- "'hardware=uart': hardware= is serial, virtio-console or debugcon, not 'uart'"
	err speed=9600 -- "'speed=9600': unknown key 'speed' (type=, hardware=, num=, path=, console, earlycon, stdin)"
	err type=sink,type=stdout -- "'type=sink,type=stdout': type given twice"
	err num=0 -- "'num=0': num= is not a number from 1 (COM1) to 4 (COM4)"
	err num=5 -- "'num=5': num= is not a number from 1 (COM1) to 4 (COM4)"
	err num=x -- "'num=x': num= is not a number from 1 (COM1) to 4 (COM4)"
	err num= -- "'num=': num= needs a value"
	err hardware=virtio-console,num=2 -- "'hardware=virtio-console,num=2': num= is 1: la-vmrun has one virtio console"
	err type=file -- "'type=file': type=file needs path=FILE"
	err type=unix -- "'type=unix': type=unix needs path=SOCKET"
	err type=stdout,path=/x -- "'type=stdout,path=/x': path= is for type=file and type=unix, not type=stdout"
	err console=yes -- "'console=yes': console= is true or false"
	err hardware=virtio-console,earlycon -- "'hardware=virtio-console,earlycon': earlycon is a COM port's (hardware=serial): the kernel has no early virtio console"
	err hardware=debugcon,console -- "'hardware=debugcon,console': the debug port only writes: it cannot be the console nor take standard input"
	err type=unix,path=/x,stdin -- "'type=unix,path=/x,stdin': type=unix takes its input from the socket's client, not standard input"
	err num=2,console num=3,console -- "'num=3,console': COM2 is the console already ('num=2,console')"
	err num=2,earlycon num=3,earlycon -- "'num=3,earlycon': COM2 has earlycon already ('num=2,earlycon')"
	err num=2,stdin hardware=virtio-console,stdin -- "'hardware=virtio-console,stdin': standard input goes to COM2 already ('num=2,stdin')"
	err num=2 2=null -- "'2=null': COM2 is given already ('num=2')"
	err num=1,console hardware=virtio-console,console -- "'hardware=virtio-console,console': COM1 is the console already ('num=1,console')"
	run la-vmrun --explain --debugcon "$tmp/d" --serial hardware=debugcon "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --serial: 'hardware=debugcon': the debug port is given already ('$tmp/d')"
	run la-vmrun --explain --serial hardware=virtio-console --console virtio "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --console: 'virtio': the virtio console is given already ('hardware=virtio-console')"
	run la-vmrun --explain --serial num=1,type=unix,path=/x,console --console virtio "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --console: 'virtio': takes COM1's output, which is type=unix; give --serial hardware=virtio-console,... instead"
}

@test "la-vmrun: --serial type=unix refuses a socket in use or another file, replaces a stale one, removes its own" {
	local fake="$LA_BUILD/tests/la-ctl-fake" sock="$tmp/live.sock" pid i
	[ -x "$fake" ] || fail "no $fake (make)"
	"$fake" "$sock" >"$tmp/fake.out" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		grep -q listening "$tmp/fake.out" 2>/dev/null && break
		sleep 0.1
	done
	run la-vmrun --kvm-device "$tmp/none" --serial "num=2,type=unix,path=$sock" "$PROBE"
	assert_failure 1
	assert_output --regexp "^la-vmrun: --serial: 'num=2,type=unix,path=$sock': $sock: .*in use"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	[ -S "$sock" ] # SIGKILL left it: stale now
	touch "$tmp/file"
	run la-vmrun --kvm-device "$tmp/none" --serial "num=2,type=unix,path=$tmp/file" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --serial: 'num=2,type=unix,path=$tmp/file': $tmp/file: not a socket; not replacing it"
	[ -f "$tmp/file" ]
	# a stale socket is replaced; the run (which KVM ends) removes what it made
	run la-vmrun --kvm-device "$tmp/none" --serial "num=2,type=unix,path=$sock" "$PROBE"
	assert_failure 1
	assert_output --partial "$tmp/none: No such file or directory"
	[ ! -e "$sock" ]
}

@test "la-vmrun --print-seccomp serial: the serial thread's allowlist" {
	run la-vmrun --print-seccomp serial
	assert_success
	assert_line --index 0 --regexp '^serial thread: [0-9]+ system calls$'
	for c in accept4 read sendto poll close connect; do
		assert_line "  $c"
	done
	assert_line "  socket if arg0 == 0x1 (AF_UNIX (syslog's /dev/log))"
	refute_line --partial "  openat"
	refute_line --partial "  bind"
}

@test "la-vmrun: --serial N=stdout moves the console and earlycon to that port" {
	run la-vmrun --explain --serial 1=null --serial 2=stdout "$PROBE"
	assert_success
	assert_output --partial "panic=-1 console=ttyS1 earlycon=uart8250,io,0x2f8"
}

@test "la-vmrun: --dump-fdt needs --fdt or --overlay on x86_64" {
	run la-vmrun --dump-fdt "$tmp/x.dtb" "$PROBE"
	assert_failure 2
	assert_output --partial "--dump-fdt: '$tmp/x.dtb': x86_64 guests get a device tree only from --fdt or --overlay"
}

@test "la-vmrun: a guest of another arch than the host's runs only as --explain" {
	[ "$(la_host_arch)" = x86_64 ] || skip "the host is $(la_host_arch)"
	run la-vmrun --arch aarch64 "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --arch: 'aarch64': KVM runs guests of this host's arch (x86_64) only; --explain (with --dump-fdt) shows the VM of any arch on any host"
}

@test "la-vmrun: VM options are checked as la-layout checks them" {
	run la-vmrun --mem 1.3K "$PROBE"
	assert_failure 2
	assert_output --partial "--mem: '1.3K'"
	run la-vmrun --cpus 255 "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --cpus: '255': x86_64 has 1 to 254 vCPUs"
}

@test "la-vmrun: a kernel that cannot be read fails with one line" {
	run la-vmrun "$tmp/nothing"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/nothing': No such file or directory"
	run la-vmrun "$tmp"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp': not a regular file"
	: >"$tmp/empty"
	run la-vmrun "$tmp/empty"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/empty': empty file"
}

@test "la-vmrun: a file that is not a kernel fails with one line" {
	head -c 8192 /dev/urandom >"$tmp/junk"
	printf 'plain text, no kernel here\n' >"$tmp/text"
	run la-vmrun --explain "$tmp/text"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/text': not a kernel image for this architecture"
	run la-vmrun "$tmp/junk"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
}

@test "la-vmrun: a bzImage shorter than its header says fails" {
	head -c 4096 "$PROBE" >"$tmp/short"
	run la-vmrun --explain "$tmp/short"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/short': bzImage: setup and system size exceed the file"
}

@test "la-vmrun: a command line over the kernel's limit fails" {
	long=$(printf 'x%.0s' $(seq 1 3000))
	run la-vmrun --explain --cmdline "$long" "$PROBE"
	assert_failure 1
	assert_output --regexp "^la-vmrun: --cmdline: command line is too long for this architecture \(3064 characters; this kernel takes [0-9]+\)$"
}

@test "la-vmrun: a command line character that is not printable ASCII fails" {
	run la-vmrun --explain --cmdline $'a\tb' "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --cmdline: command line must be printable ASCII"
}

@test "la-vmrun: --cmdline values are appended after panic=-1, console, earlycon and pci=lastbus=0" {
	run la-vmrun --explain --cmdline quiet --cmdline "la.x=1 y" "$PROBE"
	assert_success
	assert_output --partial "cmdline (at 0x20000, 78 characters): panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0 quiet la.x=1 y"
}

@test "la-vmrun: an initrd that does not fit guest memory fails" {
	truncate -s 300M "$tmp/big.cpio"
	run la-vmrun --explain --mem 256M --initrd "$tmp/big.cpio" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --initrd: '$tmp/big.cpio': initrd does not fit in guest memory after the kernel (314572800 bytes, 256M of guest memory)"
}

@test "la-vmrun: an empty or missing initrd fails" {
	: >"$tmp/empty.cpio"
	run la-vmrun --explain --initrd "$tmp/empty.cpio" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --initrd: '$tmp/empty.cpio': initrd is empty"
	run la-vmrun --explain --initrd "$tmp/none.cpio" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --initrd: '$tmp/none.cpio': No such file or directory"
}

@test "la-vmrun: the initrd goes as high as the kernel allows, page-aligned" {
	head -c 12345 /dev/urandom >"$tmp/i.cpio"
	run la-vmrun --explain --mem 512M --initrd "$tmp/i.cpio" "$PROBE"
	assert_success
	# probe.bzImage allows initrds anywhere below 4 GiB: the top of RAM
	assert_output --partial "initrd: '$tmp/i.cpio' at 0x1fffc000-0x1ffff038 (12345 bytes)"
}

@test "la-vmrun: missing /dev/kvm is one clear line, exit 1" {
	run la-vmrun --kvm-device "$tmp/kvm" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: $tmp/kvm: No such file or directory (no KVM on this host; see man la-vmrun)"
	if [ ! -e /dev/kvm ]; then
		run la-vmrun "$PROBE"
		assert_failure 1
		assert_output "la-vmrun: /dev/kvm: No such file or directory (no KVM on this host; see man la-vmrun)"
	fi
}

@test "la-vmrun: a device that is not KVM fails the API check" {
	run la-vmrun --kvm-device /dev/null "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: /dev/null: not a KVM device (KVM_GET_API_VERSION: Inappropriate ioctl for device)"
}

@test "la-vmrun: --explain prints the memory regions exactly as la-layout does" {
	for mem in 256M 8G; do
		la-layout --arch x86_64 --mem $mem | regions >"$tmp/layout"
		la-vmrun --explain --mem $mem "$PROBE" | regions >"$tmp/explain"
		run diff "$tmp/layout" "$tmp/explain"
		assert_success
		[ -s "$tmp/explain" ]
	done
}

@test "la-vmrun: --explain grants are la-alloc --platform's, device for device" {
	# the VM's own devices, then the default virtio-rng (--rng) and
	# pvpanic (--pvpanic), last as crosvm has it
	la-alloc --arch x86_64 --mem 1G --phys-bits 40 --platform --device virtio-rng \
		--device pvpanic | grant_pairs >"$tmp/alloc"
	la-vmrun --explain --mem 1G --phys-bits 40 "$PROBE" | grant_pairs >"$tmp/explain"
	run diff "$tmp/alloc" "$tmp/explain"
	assert_success
	run grep -c . "$tmp/explain"
	assert_output 21
	# without ACPI there is no PM block
	la-vmrun --explain --no-acpi --mem 1G --phys-bits 40 "$PROBE" | grant_pairs >"$tmp/noacpi"
	run grep -c acpi-pm "$tmp/noacpi"
	assert_output 0
}

@test "la-vmrun: --explain shows the e820 map crosvm builds for 512M" {
	run la-vmrun --explain --mem 512M "$PROBE"
	assert_success
	assert_output --partial "e820 (6 entries):
  0x0000000000000000-0x000000000009ffff RAM
  0x00000000000a0000-0x00000000000fffff reserved
  0x0000000000100000-0x000000001fffffff RAM
  0x00000000f4000000-0x00000000f7ffffff reserved
  0x0000000100000000-0x0000000107ffffff reserved
  0x00000000feffc000-0x00000000feffffff reserved"
}

@test "la-vmrun: 8G of memory puts RAM above the PCI hole in e820" {
	run la-vmrun --explain --mem 8G "$PROBE"
	assert_success
	assert_output --partial "0x0000000100000000-0x000000022fffffff RAM"
	assert_output --partial "0x0000000230000000-0x0000000237ffffff reserved"
}

@test "la-vmrun: --explain names the image kind, entry and CPU mode" {
	run la-vmrun --explain "$PROBE"
	assert_output --partial "image: bzImage '$PROBE', loaded at 0x1ffc00-"
	assert_output --partial "entry 0x200200 in 64-bit long mode"
	run la-vmrun --explain "$PROBE_ELF"
	assert_success
	assert_output --regexp "image: ELF64 vmlinux '.*probe.elf', loaded at 0x[0-9a-f]+-0x[0-9a-f]+, entry 0x[0-9a-f]+ in 64-bit long mode"
	run la-vmrun --explain --bios "$FW"
	assert_success
	assert_output --partial "image: BIOS '$FW', loaded at 0xffff0000-0xffffffff, entry 0xfffffff0 in real mode at the reset vector"
	refute_output --partial "e820"
}

@test "la-vmrun: --explain lists the ACPI tables, and --no-acpi drops them" {
	run la-vmrun --explain --cpus 3 "$PROBE"
	assert_output --partial "MP floating pointer 0x9fff0, MP table 0x9e800 (3 CPUs)"
	assert_output --partial "ACPI RSDP 0xe0000 36 bytes"
	assert_output --partial "ACPI FACP 0xe01c0 276 bytes"
	assert_output --partial "ACPI APIC 0xe0300 80 bytes"
	assert_output --partial "ACPI MCFG 0xe0380 60 bytes"
	# crosvm's quirk: the table after MCFG is placed by the MADT's length
	assert_output --partial "ACPI XSDT 0xe0400 60 bytes"
	assert_output --partial "acpi-pm.io           io       0x000000000000c000-0x000000000000c047"
	run la-vmrun --explain --no-acpi "$PROBE"
	assert_success
	assert_output --partial "no ACPI (--no-acpi)"
	refute_output --partial "acpi-pm"
}

@test "la-vmrun: x86_64 --irqchip kernel|split (--split-irqchip): --explain names it and lists la's IOAPIC; bad values and other arches are usage errors" {
	run la-vmrun --explain "$PROBE"
	assert_success
	assert_line "irqchip: kernel (KVM's PIC, IOAPIC and LAPICs, and its PIT)"
	refute_output --partial "IOAPIC, la's"
	run la-vmrun --explain --irqchip kernel "$PROBE"
	assert_line "irqchip: kernel (KVM's PIC, IOAPIC and LAPICs, and its PIT)"
	for o in "--irqchip split" --split-irqchip "--split-irqchip --irqchip split"; do
		# shellcheck disable=SC2086
		run la-vmrun --explain $o "$PROBE"
		assert_success
		assert_line "irqchip: split (LAPICs in KVM; la's IOAPIC at 0xfec00000, 24 pins, as MSIs; no PIC, no PIT)"
		assert_line --regexp '^  ioapic +mmio +0x00000000fec00000-0x00000000fec00fff IOAPIC, la.s \(--irqchip split\)$'
	done
	run la-vmrun --explain --json --split-irqchip "$PROBE"
	assert_success
	[ "$(printf '%s' "$output" | jq -r .irqchip)" = split ] || fail "$output"
	run la-vmrun --explain --json "$PROBE"
	[ "$(printf '%s' "$output" | jq -r .irqchip)" = kernel ] || fail "$output"
	run la-vmrun --help
	assert_output --partial -- "--split-irqchip"
	assert_output --partial -- "aia|plic|kernel|split"
	fails 2 "la-vmrun: --irqchip: 'pic': not aia or plic (riscv64), kernel or split (x86_64)" \
		la-vmrun --explain --irqchip pic "$PROBE"
	fails 2 "la-vmrun: --irqchip: 'plic': not kernel or split (x86_64's irqchips)" \
		la-vmrun --explain --irqchip plic "$PROBE"
	fails 2 "la-vmrun: --irqchip: 'kernel': --split-irqchip asks for split" \
		la-vmrun --explain --split-irqchip --irqchip kernel "$PROBE"
	fails 2 "la-vmrun: --split-irqchip: x86_64's; aarch64 guests have no IOAPIC" \
		la-vmrun --arch aarch64 --explain --split-irqchip "$PROBE"
	fails 2 "la-vmrun: --irqchip: 'split': not aia or plic (x86_64's irqchips are not the tree's)" \
		la-vmrun --arch riscv64 --explain --irqchip split "$PROBE"
}

@test "la-vmrun: --pci-hotplug-slots N: --explain shows the slots' grants, as la-alloc --pci-hotplug-slots N has them; x86_64 with ACPI only" {
	run la-vmrun --explain --pci-hotplug-slots 2 "$PROBE"
	assert_success
	assert_line --regexp '^  pci-hotplug0\.io +io +0x000000000000c400-0x000000000000c40f PCI hot-plug registers$'
	assert_line --regexp '^  pci-hotplug0\.gpe +gpe +0x0+-0x0+ PCI hot-plug GPE$'
	assert_line --regexp '^  hotplug-slot1\.slot +pci +00:04\.0 +hotplug-slot$'
	run la-vmrun --explain --json --pci-hotplug-slots 2 "$PROBE"
	assert_success
	local v a
	v=$(printf '%s' "$output" | jq -c '[.grants[] | select(.name | test("hotplug")) | del(.tag)]')
	run la-alloc --platform --device virtio-rng --device pvpanic --pci-hotplug-slots 2 --json
	a=$(printf '%s' "$output" | jq -c '[.grants[] | select(.name | test("hotplug")) | del(.tag)]')
	[ "$v" = "$a" ] || fail "la-vmrun $v la-alloc $a"
	fails 2 "la-vmrun: --pci-hotplug-slots: '0': not a number of slots from 1 to 16" \
		la-vmrun --explain --pci-hotplug-slots 0 "$PROBE"
	fails 2 "la-vmrun: --pci-hotplug-slots: '2': ACPI hot-plug needs the ACPI tables (not with --no-acpi)" \
		la-vmrun --explain --no-acpi --pci-hotplug-slots 2 "$PROBE"
	fails 2 "la-vmrun: --pci-hotplug-slots: '2': PCI hot-plug is x86_64's (ACPI); aarch64 guests have none" \
		la-vmrun --arch aarch64 --explain --pci-hotplug-slots 2 "$PROBE"
	fails 2 "la-vmrun: --pci-hotplug-slots: '1': PCI hot-plug is x86_64's (ACPI); riscv64 guests have none" \
		la-vmrun --arch riscv64 --explain --pci-hotplug-slots 1 "$PROBE"
}

@test "la-vmrun: --fdt - reads the DTB from standard input into setup_data" {
	printf '/dts-v1/;\n/ { #address-cells = <2>; chosen { x = <1>; }; };\n' |
		dtc -I dts -O dtb -o "$tmp/t.dtb"
	run sh -c "la-vmrun --explain --fdt - '$PROBE' <'$tmp/t.dtb'"
	assert_success
	assert_output --partial "0x20800 type 9 (RNG seed) 256 bytes
  0x20910 type 2 (DTB) 16384 bytes"
	assert_output --partial "device tree ('-', "
	assert_output --partial "    chosen"
}

@test "la-vmrun: --dump-fdt writes the DTB the guest gets" {
	printf '/dts-v1/;\n/ { model = "la"; };\n' | dtc -I dts -O dtb -o "$tmp/t.dtb"
	run la-vmrun --explain --fdt "$tmp/t.dtb" --dump-fdt "$tmp/out.dtb" "$PROBE"
	assert_success
	cmp "$tmp/t.dtb" "$tmp/out.dtb"
}

@test "la-vmrun: a --fdt that is not a DTB, or over 16 KiB, fails" {
	printf 'nope' >"$tmp/bad.dtb"
	run la-vmrun --explain --fdt "$tmp/bad.dtb" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --fdt: '$tmp/bad.dtb': not a valid device tree blob"
	{ printf '/dts-v1/;\n/ { big = [' ; head -c 20000 /dev/zero | od -An -tx1 -v | tr -d '\n'; printf '];\n};\n'; } |
		dtc -I dts -O dtb -o "$tmp/big.dtb"
	run la-vmrun --explain --fdt "$tmp/big.dtb" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --fdt: '$tmp/big.dtb': device tree larger than the 16 KiB setup_data limit"
}

@test "la-vmrun: a --fdt or --overlay of header version below 17 is refused, not a crash" {
	old_dtb "$tmp/v5.dtb"
	run la-vmrun --explain --fdt "$tmp/v5.dtb" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --fdt: '$tmp/v5.dtb': device tree blob version is below 17, which la reads (dtc writes 17)"
	run la-vmrun --explain --overlay "$tmp/v5.dtb" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --overlay: '$tmp/v5.dtb': device tree blob version is below 17, which la reads (dtc writes 17)"
	run la-vmrun --explain --arch aarch64 --fdt "$tmp/v5.dtb" "$PROBE"
	assert_failure 1
	assert_output --partial "version is below 17"
}

@test "la-vmrun: a --fdt whose property name lies past its strings is refused, never printed" {
	printf '/dts-v1/;\n/ { p = <1>; };\n' | dtc -q -I dts -O dtb -o "$tmp/t.dtb"
	# the property's name offset (struct + 16: node tag, name, prop tag, len)
	local s=$(( $(od -An -tu1 -j8 -N4 "$tmp/t.dtb" | awk '{ print ($1*256+$2)*65536+$3*256+$4 }') ))
	printf '\0\0\x10\0' | dd of="$tmp/t.dtb" bs=1 seek=$((s + 16)) conv=notrunc status=none
	run la-vmrun --explain --fdt "$tmp/t.dtb" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --fdt: '$tmp/t.dtb': not a valid device tree blob"
}

@test "la-vmrun: --fdt, --overlay and the kernel's header are parsed under the parser filter" {
	no_qemu_user
	local hooked=$LA_BUILD/tests/hooks/la-vmrun
	printf '/dts-v1/;\n/ { model = "la"; };\n' | dtc -I dts -O dtb -o "$tmp/t.dtb"
	ov plain
	run env LA_TEST_FORBIDDEN=parser "$hooked" --explain --fdt "$tmp/t.dtb" "$PROBE"
	assert_failure 40
	assert_output --regexp '^la-vmrun: seccomp: parser thread 0 made a forbidden system call: socket \(41\) '
	run env LA_TEST_FORBIDDEN=parser "$hooked" --explain --overlay "$tmp/plain.dtbo" "$PROBE"
	assert_failure 40
	assert_output --regexp '^la-vmrun: seccomp: parser thread 0 made a forbidden system call: socket \(41\) '
	run env LA_TEST_FORBIDDEN=parser "$hooked" --explain --arch aarch64 --seccomp kill "$PROBE"
	assert_failure 1
	assert_output 'la-vmrun: the parser process was killed by signal 31 (Bad system call)'
	# --seccomp off: no child, no filter
	run env LA_TEST_FORBIDDEN=parser "$hooked" --explain --seccomp off --overlay "$tmp/plain.dtbo" "$PROBE"
	assert_success
	assert_line --regexp '^la-test-hook: parser: socket\(AF_UNIX, SOCK_STREAM, 0\) returned [0-9]+$'
	# nothing to parse (x86_64, no tree): no child
	run env LA_TEST_FORBIDDEN=parser "$hooked" --explain "$PROBE"
	assert_success
}

@test "la-vmrun: a --fdt of fewer bytes than a header is refused" {
	for n in 0 1 3 39; do
		head -c "$n" /dev/zero >"$tmp/short.dtb"
		run la-vmrun --explain --fdt "$tmp/short.dtb" "$PROBE"
		assert_failure 1
		assert_output --regexp "^la-vmrun: --fdt: '$tmp/short.dtb': (device tree blob is truncated|not a valid device tree blob)\$"
	done
}

@test "la-vmrun: a Multiboot kernel whose load range passes 4 GiB says so" {
	# magic, flags (load addresses), checksum, header = load = 0xfffff800,
	# load end 0 (the whole 8 KiB file), bss end 0, entry 0xfffff900
	printf '\x02\xb0\xad\x1b\x00\x00\x01\x00\xfe\x4f\x51\xe4\x00\xf8\xff\xff\x00\xf8\xff\xff\0\0\0\0\0\0\0\0\x00\xf9\xff\xff' >"$tmp/mb"
	truncate -s 8K "$tmp/mb"
	run la-vmrun --explain "$tmp/mb"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/mb': Multiboot load range (file and bss) ends past 4 GiB, where Multiboot cannot load"
}

@test "la-vmrun: --serial N is a plain decimal from 1 to 4, nothing strtoul would also take" {
	for n in " 1" "+1" "01" "-18446744073709551615" "0x1" "1 " "0" "5" ""; do
		run la-vmrun --explain --serial "$n=null" "$PROBE"
		assert_failure 2
		assert_output "la-vmrun: --serial: '$n=null': not N=KIND with N from 1 to 4"
	done
	run la-vmrun --explain --serial 4=null "$PROBE"
	assert_success
}

@test "la-vmrun: --explain needs no /dev/kvm and exits 0" {
	run la-vmrun --explain --kvm-device "$tmp/none" --cpus 2 --mem 5G "$PROBE"
	assert_success
	assert_output --partial "ACPI APIC"
}

# ---- the sandbox options (the filters at work: vmrun_vm.bats) ----

# seccomp_list ARGS: run la-vmrun ARGS (--print-seccomp ...) and drop what
# a sanitizer build adds (its own section, last)
seccomp_list() {
	run la-vmrun "$@"
	[ "$status" = 0 ] || return 0
	output=$(sed '/^every thread, in this sanitizer build only/,$d' <<<"$output")
	mapfile -t lines <<<"$output"
}

@test "la-vmrun: --help describes --seccomp, --print-seccomp, --jail and --no-jail and exit 40" {
	run la-vmrun --help
	assert_success
	for o in --seccomp=MODE --print-seccomp --jail --no-jail; do
		assert_output --partial -- "$o"
	done
	assert_output --partial "40 a la-vmrun thread made a"
}

@test "la-vmrun: --print-seccomp prints the allowlist of every thread kind and exits 0" {
	seccomp_list --print-seccomp
	assert_success
	for k in main vcpu device parser; do
		assert_line --regexp "^$k thread: [0-9]+ system calls$"
	done
	# calls are one a line, two spaces in; ioctl only with its requests
	assert_line --regexp '^  ioctl if arg1 == 0xae80 \(KVM_RUN\) \| '
	assert_line '  exit_group'
	refute_line --regexp '^  (socket|execve|open|openat|ptrace)$'
	# connect: the serial thread's alone (syslog(3) reconnecting, in the jail)
	[ "$(la-vmrun --print-seccomp | grep -c '^  connect$')" = 1 ]
}

@test "la-vmrun: --print-seccomp KIND prints one allowlist; --print-seccomp=KIND too" {
	seccomp_list --print-seccomp vcpu
	assert_success
	assert_line --index 0 --regexp '^vcpu thread: [0-9]+ system calls$'
	refute_line --regexp '^(main|device|parser) thread'
	assert_line --regexp '^  ioctl if .*KVM_RUN.*KVM_IRQ_LINE'
	seccomp_list --print-seccomp=device
	assert_success
	assert_line --index 0 --regexp '^device thread: [0-9]+ system calls$'
	assert_line '  read'
	refute_line '  mmap'
}

@test "la-vmrun: no thread of la-vmrun may map memory, open files or start programs" {
	seccomp_list --print-seccomp main
	assert_success
	refute_line --regexp '^  (mmap|mprotect|open|openat|execve|socket|clone|clone3)( |$)'
	seccomp_list --print-seccomp vcpu
	refute_line --regexp '^  (mmap|mprotect|open|openat|execve|socket|clone|clone3)( |$)'
	seccomp_list --print-seccomp device
	refute_line --regexp '^  (mmap|mprotect|open|openat|execve|socket|clone|clone3)( |$)'
}

@test "la-vmrun: the parser allowlist maps memory only without PROT_EXEC" {
	seccomp_list --print-seccomp parser
	assert_success
	assert_line '  mmap if arg2 & 0x4 == 0x0 (prot without PROT_EXEC)'
	assert_line '  mprotect if arg2 & 0x4 == 0x0 (prot without PROT_EXEC)'
}

@test "la-vmrun: --print-seccomp with an unknown kind, or two kinds, is a usage error" {
	run la-vmrun --print-seccomp gpu
	assert_failure 2
	assert_output "la-vmrun: --print-seccomp: 'gpu': not a thread kind (main, vcpu, device, parser, virtio-blk, virtio-rng, virtio-console, virtio-net, virtio-vsock, control or serial)"
	run la-vmrun --print-seccomp=vcpu main
	assert_failure 2
	assert_output --partial "la-vmrun: unexpected argument 'main' (--print-seccomp takes one KIND)"
}

@test "la-vmrun: --seccomp takes trap, kill, log, errno or off" {
	run la-vmrun --seccomp loud "$PROBE"
	assert_failure 2
	assert_output --partial "la-vmrun: --seccomp: 'loud': not a mode (trap, kill, log, errno or off)"
	for m in trap kill log errno off; do
		run la-vmrun --seccomp "$m" --explain "$PROBE"
		assert_success
	done
}

@test "la-vmrun: --jail and --no-jail are accepted; without /dev/kvm la-vmrun fails before jailing" {
	run la-vmrun --jail --kvm-device "$tmp/none" "$PROBE"
	assert_failure 1
	assert_output --partial "la-vmrun: $tmp/none: No such file or directory"
	refute_output --partial jail
	run la-vmrun --no-jail --explain "$PROBE"
	assert_success
}

@test "la-vmrun: only a sanitizer build adds its leak check's calls, in a section of their own" {
	run la-vmrun --print-seccomp
	assert_success
	if [ "${LA_SANITIZED:-0}" = 1 ]; then
		assert_line --regexp '^every thread, in this sanitizer build only: [0-9]+ system calls$'
		assert_line '  ptrace'
	else
		refute_output --partial 'sanitizer'
		refute_line '  ptrace'
	fi
}

# ---- --overlay: la-mkfdt's x86_64 tree with overlays, in setup_data ------------

@test "la-vmrun: --overlay gives the guest la-mkfdt's x86_64 tree with the overlay, byte for byte" {
	ov plain
	printf 'initrd' >"$tmp/initrd"
	run la-vmrun --explain --mem 512M --initrd "$tmp/initrd" --overlay "$tmp/plain.dtbo" \
		--dump-fdt "$tmp/v.dtb" "$PROBE"
	assert_success
	la-mkfdt --arch x86_64 --mem 512M --kernel "$PROBE" --initrd "$tmp/initrd" \
		--overlay "$tmp/plain.dtbo" -o "$tmp/m.dtb"
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
	# an ELF kernel, more memory, no initrd
	la-vmrun --explain --mem 5G --overlay "$tmp/plain.dtbo" --dump-fdt "$tmp/v.dtb" "$PROBE_ELF" >/dev/null
	la-mkfdt --arch x86_64 --mem 5G --kernel "$PROBE_ELF" --overlay "$tmp/plain.dtbo" -o "$tmp/m.dtb"
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
}

@test "la-vmrun: --overlay is repeatable, in order, with filter= as in la-mkfdt" {
	ov plain
	ov chain
	la-vmrun --explain --overlay "$tmp/plain.dtbo,filter=extra" --overlay "$tmp/chain.dtbo" \
		--dump-fdt "$tmp/v.dtb" "$PROBE" >/dev/null
	la-mkfdt --arch x86_64 --kernel "$PROBE" --overlay "$tmp/plain.dtbo,filter=extra" \
		--overlay "$tmp/chain.dtbo" -o "$tmp/m.dtb"
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
	run fdtget "$tmp/v.dtb" /user compatible
	assert_output "la,user"
	# an empty filter skips the overlay, but the tree is still built
	la-vmrun --explain --overlay "$tmp/plain.dtbo,filter=" --dump-fdt "$tmp/v.dtb" "$PROBE" >/dev/null
	la-mkfdt --arch x86_64 --kernel "$PROBE" -o "$tmp/m.dtb"
	cmp "$tmp/v.dtb" "$tmp/m.dtb"
}

@test "la-vmrun: the overlaid tree's /config and /chosen are where the kernel and initrd load" {
	ov plain
	head -c 70000 /dev/zero >"$tmp/initrd"
	run la-vmrun --explain --mem 1G --initrd "$tmp/initrd" --overlay "$tmp/plain.dtbo" \
		--dump-fdt "$tmp/v.dtb" "$PROBE"
	assert_success
	assert_output --partial "image: bzImage '$PROBE', loaded at 0x$(fdtget -t x "$tmp/v.dtb" /config kernel-address)-"
	assert_output --partial "initrd: '$tmp/initrd' at 0x$(fdtget -t x "$tmp/v.dtb" /chosen linux,initrd-start | cut -d' ' -f2)-"
	assert_output --partial "0x20910 type 2 (DTB) 16384 bytes"
	assert_output --partial "device tree (la-mkfdt's x86_64 tree with 1 overlay, $(stat -c %s "$tmp/v.dtb") bytes, in setup_data padded to 16 KiB):"
	assert_output --partial "
    extra-node
      compatible (9 bytes)"
}

@test "la-vmrun: a malformed overlay is one line naming it, exit 1, as la-mkfdt says it" {
	ov notarget
	ov unresolved
	printf 'nope' >"$tmp/bad.dtbo"
	for f in bad.dtbo notarget.dtbo unresolved.dtbo none.dtbo; do
		same_error la-vmrun --explain --overlay "$tmp/$f" "$PROBE" -- \
			la-mkfdt --arch x86_64 --overlay "$tmp/$f" -o "$tmp/never.dtb"
	done
	run la-vmrun --explain --overlay "$tmp/bad.dtbo" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --overlay: '$tmp/bad.dtbo': not a valid device tree blob"
	run la-vmrun --explain --overlay "$tmp/notarget.dtbo" "$PROBE"
	assert_output "la-vmrun: --overlay: '$tmp/notarget.dtbo': overlay targets a node the base tree lacks: /no-such-node"
}

@test "la-vmrun: a fragment whose target two labels of different nodes claim is refused, not a hang" {
	ov twolabels
	ov twotarget
	run timeout 20 la-vmrun --explain --overlay "$tmp/twolabels.dtbo" --overlay "$tmp/twotarget.dtbo" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --overlay: '$tmp/twotarget.dtbo': an overlay fragment's target resolves to two nodes: /fragment@0: a (/n1) and b (/n2)"
}

@test "la-vmrun: a bad --overlay argument is a usage error, as in la-mkfdt" {
	for arg in "x.dtbo,bogus=1" "x.dtbo,filter=a::b" ",filter=a"; do
		same_error la-vmrun --explain --overlay "$arg" "$PROBE" -- \
			la-mkfdt --arch x86_64 --overlay "$arg"
	done
	run la-vmrun --overlay "x.dtbo,bogus=1" "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --overlay: 'x.dtbo,bogus=1': unknown parameter 'bogus=1' (use filter=L[:L...])"
}

@test "la-vmrun: --overlay takes no --fdt blob and no BIOS" {
	ov plain
	run la-vmrun --overlay "$tmp/plain.dtbo" --fdt "$tmp/plain.dtbo" "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --overlay: '$tmp/plain.dtbo': overlays apply to the tree la-vmrun builds, not to a --fdt blob (give --fdt or --overlay)"
	run la-vmrun --overlay "$tmp/plain.dtbo" --bios "$FW"
	assert_failure 2
	assert_output "la-vmrun: --overlay: '$tmp/plain.dtbo': a BIOS boot takes no device tree"
}

@test "la-vmrun: with --overlay, a kernel or initrd that cannot be placed fails as without it" {
	ov plain
	truncate -s 300M "$tmp/big.cpio"
	run la-vmrun --explain --mem 256M --initrd "$tmp/big.cpio" --overlay "$tmp/plain.dtbo" "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --initrd: '$tmp/big.cpio': initrd does not fit in guest memory after the kernel (314572800 bytes, 256M of guest memory)"
	printf 'not a kernel' >"$tmp/text"
	run la-vmrun --explain --overlay "$tmp/plain.dtbo" "$tmp/text"
	assert_failure 1
	assert_output "la-vmrun: KERNEL: '$tmp/text': not a kernel image for this architecture"
}

# ---- KVM hosts -----------------------------------------------------------------
# build/tests/hooks/la-vmrun reads LA_TEST_SYS_MODULE instead of /sys/module,
# so these run on any machine; --kvm-device makes the run stop right after.

# linux_bz FILE: the probe bzImage with a Linux kernel_version string
linux_bz() {
	cp "$PROBE" "$1"
	printf '\000\001' | dd of="$1" bs=1 seek=$((0x20e)) conv=notrunc 2>/dev/null
	printf '6.1.0-99-test (la@tests) #1 SMP\000' |
		dd of="$1" bs=1 seek=$((0x300)) conv=notrunc 2>/dev/null
}

@test "la-vmrun: on kvm_pvm it says once, before KVM, what a Linux kernel will do there" {
	local hooked=$LA_BUILD/tests/hooks/la-vmrun
	mkdir -p "$tmp/module/kvm_pvm" "$tmp/module/kvm"
	linux_bz "$tmp/linux.bz"
	run env LA_TEST_SYS_MODULE="$tmp/module" "$hooked" --kvm-device "$tmp/none" "$tmp/linux.bz"
	assert_failure 1
	assert_line --index 0 "la-vmrun: note: $tmp/none is kvm_pvm, a software KVM: Linux 6.1.0-99-test will run its kernel code in KVM's instruction emulator, very slowly, and most likely stop with a KVM internal error (exit 33); see KVM HOSTS in la-vmrun(1)"
	assert_line --index 1 "la-vmrun: $tmp/none: No such file or directory (no KVM on this host; see man la-vmrun)"
	[ "${#lines[@]}" = 2 ]
}

@test "la-vmrun: no kvm_pvm note for hardware KVM, for a bzImage that is not Linux, or for --explain" {
	local hooked=$LA_BUILD/tests/hooks/la-vmrun
	mkdir -p "$tmp/hw/kvm" "$tmp/pvm/kvm_pvm"
	linux_bz "$tmp/linux.bz"
	run env LA_TEST_SYS_MODULE="$tmp/hw" "$hooked" --kvm-device "$tmp/none" "$tmp/linux.bz"
	assert_failure 1
	refute_output --partial 'note:'
	# the probe guest's header has no kernel_version
	run env LA_TEST_SYS_MODULE="$tmp/pvm" "$hooked" --kvm-device "$tmp/none" "$PROBE"
	assert_failure 1
	refute_output --partial 'note:'
	run env LA_TEST_SYS_MODULE="$tmp/pvm" "$hooked" --explain "$tmp/linux.bz"
	assert_success
	refute_output --partial 'note:'
}

@test "la-vmrun: a KVM device it may not open: Permission denied names the group to join" {
	[ "$(id -u)" = 0 ] || skip "needs root to make a device node and run as nobody"
	# a node of our own in the scratch folder, group daemon, not for nobody
	chmod 755 "$tmp"
	mknod "$tmp/kvm" c 10 232
	chgrp daemon "$tmp/kvm"
	chmod 660 "$tmp/kvm"
	run su -s /bin/sh nobody -c "'$LA_BIN/la-vmrun' --kvm-device '$tmp/kvm' '$PROBE'"
	assert_failure 1
	assert_output "la-vmrun: $tmp/kvm: Permission denied (it is for group daemon: sudo usermod -aG daemon \$USER, then log in again)"
}

@test "la-vmrun: --help lists every arch's VM and tree options; one the arch does not take is refused by name" {
	run la-vmrun --help
	assert_success
	for o in --pci-ecam --pci-mem --bios --protection --phys-bits --pci-cam --swiotlb \
		--static-swiotlb --fdt-position --gic --no-pmu --psci --hostcpu --seed \
		--timebase-frequency --aia-ids; do
		assert_output --partial -- "$o"
	done
	run la-vmrun --swiotlb 4M "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --swiotlb: '4M': not supported on x86_64"
}

@test "la-vmrun: --fdt made for another arch is refused; a /memory that is not the VM's RAM gets a note" {
	la-mkfdt --arch aarch64 -o "$tmp/arm.dtb"
	run la-vmrun --fdt "$tmp/arm.dtb" --explain "$PROBE"
	assert_failure 1
	assert_output "la-vmrun: --fdt: '$tmp/arm.dtb': a device tree for aarch64 (/cpus/cpu@0 is arm,armv8), not for this x86_64 guest"
	la-mkfdt --arch riscv64 -o "$tmp/rv.dtb"
	run la-vmrun --fdt "$tmp/rv.dtb" --explain "$PROBE"
	assert_failure 1
	assert_output --partial "a device tree for riscv64 (/cpus/cpu@0 is riscv)"
	la-mkfdt --arch x86_64 --mem 256M -o "$tmp/x256.dtb"
	run --separate-stderr la-vmrun --mem 1G --fdt "$tmp/x256.dtb" --explain "$PROBE"
	assert_success
	assert_equal "$stderr" "la-vmrun: note: --fdt: '$tmp/x256.dtb': its /memory is not this VM's RAM (--mem 1G; la-mkfdt --arch x86_64 with the same --mem makes one that is)"
	# the same --mem on both sides: silent, also with RAM split around the PCI hole
	for m in 1G 8G; do
		run --separate-stderr bash -c "la-mkfdt --arch x86_64 --mem $m | la-vmrun --mem $m --fdt - --explain '$PROBE'"
		assert_success
		assert_equal "$stderr" ""
	done
}

@test "la-vmrun: --explain --json is the dry run as one document, in la-layout's and la-alloc's shapes" {
	printf 'x' >"$tmp/rd"
	ov plain
	run --separate-stderr bash -c "la-vmrun --explain --json -m 8G -c 2 --initrd '$tmp/rd' --overlay '$tmp/plain.dtbo' '$PROBE' >'$tmp/e.json'"
	assert_success
	run jq -r '.schema, .arch, .memory_size, .cpus, .image.kind, .initrd.size, .cmdline.text, ([.["e820"][].type] | join(",")), ([.setup_data[].what] | join(",")), (.device_tree.source), ([.device_tree.nodes[].path] | index("/extra-node") != null)' "$tmp/e.json"
	assert_output "la-vmrun-explain/1
x86_64
8589934592
2
bzImage
1
panic=-1 console=ttyS0 earlycon=uart8250,io,0x3f8 pci=lastbus=0
ram,reserved,ram,ram,reserved,reserved,reserved
rng-seed,dtb
--overlay
true"
	# the regions are la-layout's, byte for byte
	[ "$(jq -c .regions "$tmp/e.json")" = "$(la-layout --arch x86_64 --mem 8G --json | jq -c .regions)" ]
	# the grants are the text --explain's (which the tests above hold to la-alloc's)
	local n r text
	# (PCI slots, bus/dev/func in JSON, are compared in vmrun_virtio.bats)
	text=$(la-vmrun --explain -m 8G -c 2 "$PROBE" | grant_pairs | while read -r n r; do
		case $n in *.slot) continue ;; esac
		case $r in *-*) echo "$n $((${r%-*})) $((${r#*-}))" ;; *) echo "$n $r" ;; esac
	done)
	[ "$(jq -r '.grants[] | select(.name | contains(".")) | select(.kind != "pci") | "\(.name) \(if .kind == "irq" then .value else "\(.start) \(.end)" end)"' "$tmp/e.json")" = "$text" ] ||
		fail "grants differ: $text"
	[ "$(wc -l <<<"$text")" -gt 10 ]
	# every range has the one shape
	run jq -c '[.. | objects | select(has("start_hex")) | keys - ["name", "kind", "tag", "purpose", "align", "path", "entry", "mode", "type"]] | unique' "$tmp/e.json"
	assert_output '[["end","end_hex","size","size_hex","start","start_hex"]]'
	run la-vmrun --json "$PROBE"
	assert_failure 2
	assert_output "la-vmrun: --json: prints the --explain dry run; give --explain too"
	run bash -c "la-vmrun --explain -j --bios '$FW' | jq -c '[.image.kind, .[\"e820\"], .setup_data, .device_tree]'"
	assert_output '["BIOS",[],[],null]'
}

@test "la-vmrun: --explain says how guest RAM is backed: anonymous by default, hugetlbfs with --hugepages" {
	run la-vmrun --explain --mem 64M "$PROBE"
	assert_success
	assert_line "guest RAM backing: anonymous memory, each region of 2 MiB or more 2 MiB-aligned (transparent huge pages where the host has them)"
	run la-vmrun --explain --json --mem 64M "$PROBE"
	assert_success
	[ "$(jq -r .ram_backing <<<"$output")" = anonymous ]
	[ "$(jq -r 'has("ram_huge_pages")' <<<"$output")" = false ]
}

# --hugepages reserves the pages at start, --explain too (it builds the
# image in guest RAM): 64M is 34 pages (640 KiB, the reserved 384 KiB and
# [1 MiB, 64 MiB) each in whole 2 MiB pages). Which answer this host gives
# depends on its pool; each is checked for what it must say.
@test "la-vmrun: --hugepages needs the host's free 2 MiB pages, and says how many when there are too few" {
	local free
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	run la-vmrun --explain --hugepages --mem 64M "$PROBE"
	if [ "${free:-0}" -lt 34 ]; then
		assert_failure 1
		assert_output "la-vmrun: --hugepages: the guest's RAM needs 34 free 2 MiB huge pages, the host has ${free:-? 0} (raise /proc/sys/vm/nr_hugepages)"
	else
		assert_success
		assert_line "guest RAM backing: hugetlbfs, 34 pages of 2 MiB reserved at start (--hugepages)"
	fi
}
