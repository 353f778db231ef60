#!/usr/bin/env bats
# Files every la program reads and writes (lib/fileio.c): outputs never
# replace what they do not own, inputs are checked before they are read.
# Device nodes are our own, made with mknod in the scratch folder.

load helpers
load vmrun_helpers

A="--arch aarch64 --mem 1G --seed 0"

setup() {
	tmp=$(mktemp -d)
	la-mkfdt $A -o "$tmp/want.dtb"
	printf '/dts-v1/;\n/ { model = "la"; };\n' | dtc -I dts -O dtb -o "$tmp/t.dtb"
}

teardown() {
	rm -rf "$tmp"
}

# own_node NAME: a character device with /dev/null's numbers, in $tmp
own_node() {
	[ "$(id -u)" = 0 ] || skip "mknod needs root"
	mknod "$tmp/$1" c 1 3
}

# ---- outputs ------------------------------------------------------------------

@test "files: la-mkfdt -o onto a device node writes through it; the node stays a device" {
	own_node null
	run la-mkfdt $A -o "$tmp/null"
	assert_success
	[ -c "$tmp/null" ]
	[ "$(stat -c %t:%T "$tmp/null")" = 1:3 ]
	[ -z "$(ls "$tmp" | grep '^null\.')" ] # no temporary file left
}

@test "files: la-mkfdt -o onto a FIFO: its reader gets the blob, the FIFO stays" {
	mkfifo "$tmp/fifo"
	timeout 10 cat "$tmp/fifo" >"$tmp/got.dtb" & # bounded: a bug must not hang the suite
	timeout 10 la-mkfdt $A -o "$tmp/fifo"
	wait
	[ -p "$tmp/fifo" ]
	cmp "$tmp/want.dtb" "$tmp/got.dtb"
}

@test "files: la-mkfdt -o onto a symlink writes its target; the link stays a link" {
	echo old >"$tmp/target.dtb"
	ln -s target.dtb "$tmp/link.dtb"
	la-mkfdt $A -o "$tmp/link.dtb"
	[ -L "$tmp/link.dtb" ]
	[ "$(readlink "$tmp/link.dtb")" = target.dtb ]
	cmp "$tmp/want.dtb" "$tmp/target.dtb"
	# a link to nothing yet creates its target
	ln -s made.dtb "$tmp/dangling"
	la-mkfdt $A -o "$tmp/dangling"
	[ -L "$tmp/dangling" ]
	cmp "$tmp/want.dtb" "$tmp/made.dtb"
}

@test "files: la-mkfdt -o - writes standard output, not a file named -" {
	cd "$tmp"
	la-mkfdt $A -o - >"$tmp/out.dtb"
	[ ! -e "$tmp/-" ]
	cmp "$tmp/want.dtb" "$tmp/out.dtb"
	run bash -c "la-mkfdt $A -o - | dtc -q -I dtb -O dts"
	assert_success
	assert_output --partial '/dts-v1/;'
	# /dev/stdout is a link to a pipe here: written through, not replaced
	run bash -c "la-mkfdt $A -o /dev/stdout | cmp - '$tmp/want.dtb'"
	assert_success
}

@test "files: la-mkfdt -o replaces an existing file whole, keeping its mode" {
	echo old >"$tmp/out.dtb"
	chmod 0640 "$tmp/out.dtb"
	ino=$(stat -c %i "$tmp/out.dtb")
	la-mkfdt $A -o "$tmp/out.dtb"
	[ "$(stat -c %a "$tmp/out.dtb")" = 640 ]
	[ "$(stat -c %i "$tmp/out.dtb")" != "$ino" ] # renamed over, not rewritten
	cmp "$tmp/want.dtb" "$tmp/out.dtb"
	# a new file: 0666 less the umask
	(umask 027 && la-mkfdt $A -o "$tmp/new.dtb")
	[ "$(stat -c %a "$tmp/new.dtb")" = 640 ]
}

@test "files: la-mkfdt -o onto a folder fails with one line and leaves it alone" {
	mkdir "$tmp/d"
	fails 1 "la-mkfdt: --output: '$tmp/d': Is a directory" la-mkfdt $A -o "$tmp/d"
	[ -d "$tmp/d" ]
	[ -z "$(ls -A "$tmp/d")" ]
}

@test "files: la-vmrun --dump-fdt onto a device node or a symlink: the same rule" {
	own_node null
	run la-vmrun --explain --fdt "$tmp/t.dtb" --dump-fdt "$tmp/null" "$PROBE"
	assert_success
	[ -c "$tmp/null" ]
	ln -s dumped.dtb "$tmp/dump.lnk"
	run la-vmrun --explain --fdt "$tmp/t.dtb" --dump-fdt "$tmp/dump.lnk" "$PROBE"
	assert_success
	[ -L "$tmp/dump.lnk" ]
	cmp "$tmp/t.dtb" "$tmp/dumped.dtb"
}

@test "files: la-vmrun --dump-fdt - writes the blob alone on standard output" {
	cd "$tmp"
	# no KVM here: the blob is written before the VM would start
	run --separate-stderr bash -c "la-vmrun --serial 1=null --fdt t.dtb --dump-fdt - \
		--kvm-device '$tmp/nokvm' '$PROBE' >'$tmp/out.dtb'"
	[ ! -e "$tmp/-" ]
	cmp "$tmp/t.dtb" "$tmp/out.dtb"
	dtc -q -I dtb -O dts "$tmp/out.dtb" | grep -q 'model = "la"'
	# standard output already taken: a usage error
	fails 2 "la-vmrun: --dump-fdt: '-': standard output carries --explain's text; give --dump-fdt FILE" \
		la-vmrun --explain --fdt t.dtb --dump-fdt - "$PROBE"
	fails 2 "la-vmrun: --dump-fdt: '-': standard output is COM1, the console; give --serial 1=null or 1=file:PATH, or --dump-fdt FILE" \
		la-vmrun --fdt t.dtb --dump-fdt - "$PROBE"
}

@test "files: la-vmrun --serial file: and --debugcon are written through, never replaced" {
	own_node null
	echo "an old log" >"$tmp/log"
	ino=$(stat -c %i "$tmp/log")
	ln -s com3.log "$tmp/com3.lnk"
	# no KVM here: the outputs are opened before the VM would start
	run la-vmrun --serial 2=file:"$tmp/log" --serial 3=file:"$tmp/com3.lnk" \
		--debugcon "$tmp/null" --kvm-device "$tmp/nokvm" "$PROBE"
	assert_failure 1
	[ "$(stat -c %i "$tmp/log")" = "$ino" ] # truncated in place
	[ ! -s "$tmp/log" ]
	[ -L "$tmp/com3.lnk" ]
	[ -f "$tmp/com3.log" ]
	[ -c "$tmp/null" ]
}

# ---- inputs -------------------------------------------------------------------

@test "files: la-vmrun refuses /dev/zero as KERNEL at once, without reading it" {
	fails 1 "la-vmrun: KERNEL: '/dev/zero': not a regular file" timeout 10 la-vmrun --explain /dev/zero
	fails 1 "la-vmrun: --fdt: '/dev/zero': not a regular file" \
		timeout 10 la-vmrun --explain --fdt /dev/zero "$PROBE"
	fails 1 "la-mkfdt: --overlay: '/dev/zero': not a regular file" \
		timeout 10 la-mkfdt $A --overlay /dev/zero -o "$tmp/x.dtb"
	fails 1 "la-mkfdt: --kernel: '/dev/zero': not a regular file" \
		timeout 10 la-mkfdt $A --kernel /dev/zero -o "$tmp/x.dtb"
}

@test "files: a FIFO with no writer as --initrd is refused: its size must be known" {
	mkfifo "$tmp/fifo"
	fails 1 "la-vmrun: --initrd: '$tmp/fifo': a pipe, not a regular file (its size must be known before it is placed)" \
		timeout 10 la-vmrun --explain --initrd "$tmp/fifo" "$PROBE"
	fails 1 "la-mkfdt: --initrd: '$tmp/fifo': a pipe, not a regular file (its size must be known before it is placed)" \
		timeout 10 la-mkfdt $A --initrd "$tmp/fifo" -o "$tmp/x.dtb"
}

@test "files: a FIFO with no writer where a pipe will do reads as empty, never blocks" {
	mkfifo "$tmp/fifo"
	fails 1 "la-vmrun: KERNEL: '$tmp/fifo': empty file" timeout 10 la-vmrun --explain "$tmp/fifo"
	run timeout 10 la-mkfdt $A --hostcpu "$tmp/fifo" -o "$tmp/x.dtb"
	assert_failure 1
	assert_output --partial "la-mkfdt: --hostcpu: '$tmp/fifo': no usable host CPU topology"
}

@test "files: <(cat FILE) works as KERNEL, --fdt and --overlay" {
	run bash -c "la-vmrun --explain <(cat '$PROBE')"
	assert_success
	assert_output --partial "image: bzImage '/dev/fd/"
	run bash -c "la-vmrun --explain --fdt <(cat '$tmp/t.dtb') '$PROBE'"
	assert_success
	assert_output --regexp "device tree \('/dev/fd/[0-9]+', 94 bytes"
	ov plain
	la-mkfdt $A --overlay "$tmp/plain.dtbo" -o "$tmp/file.dtb"
	bash -c "la-mkfdt $A --overlay <(cat '$tmp/plain.dtbo') -o '$tmp/pipe.dtb'"
	cmp "$tmp/file.dtb" "$tmp/pipe.dtb"
}

@test "files: standard input over the limit is an error, never a truncation" {
	run --separate-stderr bash -c "head -c 17M /dev/zero | la-vmrun --explain --fdt - '$PROBE'"
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: --fdt: '-': larger than 16 MiB"
	run --separate-stderr bash -c "head -c 40M /dev/zero | la-vmrun --mem 32M --explain -"
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: KERNEL: '-': larger than 32 MiB (the guest memory, --mem)"
	run --separate-stderr bash -c "head -c 17M /dev/zero | la-mkfdt $A --overlay - -o '$tmp/x.dtb'"
	assert_failure 1
	assert_equal "$stderr" "la-mkfdt: --overlay: '-': larger than 16 MiB"
}

@test "files: an endless input fails fast at its limit, never reads on (KERNEL, --fdt, --overlay, --hostcpu)" {
	# timeout: a regression fails here instead of hanging
	run --separate-stderr timeout 60 bash -c "la-vmrun --mem 8G --explain - </dev/zero"
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: KERNEL: '-': larger than 1024 MiB (la-vmrun's limit for a kernel)"
	run --separate-stderr timeout 60 bash -c "yes | la-vmrun --explain -"
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: KERNEL: '-': larger than 256 MiB (the guest memory, --mem)"
	run --separate-stderr timeout 20 la-vmrun --explain /dev/zero
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: KERNEL: '/dev/zero': not a regular file"
	run --separate-stderr timeout 20 bash -c "la-vmrun --explain --fdt - '$PROBE' </dev/zero"
	assert_failure 1
	assert_equal "$stderr" "la-vmrun: --fdt: '-': larger than 16 MiB"
	run --separate-stderr timeout 20 bash -c "yes | la-mkfdt $A --overlay - -o '$tmp/x.dtb'"
	assert_failure 1
	assert_equal "$stderr" "la-mkfdt: --overlay: '-': larger than 16 MiB"
	run --separate-stderr timeout 20 bash -c "la-mkfdt $A --hostcpu - -o '$tmp/x.dtb' </dev/zero"
	assert_failure 1
	assert_equal "$stderr" "la-mkfdt: --hostcpu: '-': larger than 16 MiB"
}

@test "files: standard input is one input: KERNEL - and --fdt - together is a usage error" {
	fails 2 "la-vmrun: --fdt: '-': standard input is read by KERNEL already; only one input can be -" \
		la-vmrun --explain --fdt - - </dev/null
	ov plain
	fails 2 "la-vmrun: --overlay: '-': standard input is read by KERNEL already; only one input can be -" \
		la-vmrun --explain --overlay - - </dev/null
	fails 2 "la-mkfdt: --overlay: '-': standard input is read by --hostcpu already; only one input can be -" \
		la-mkfdt $A --hostcpu - --overlay - -o "$tmp/x.dtb" </dev/null
}

@test "files: KERNEL - reads standard input" {
	run bash -c "la-vmrun --explain - <'$PROBE'"
	assert_success
	assert_output --partial "image: bzImage '-'"
}
