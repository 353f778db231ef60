#!/usr/bin/env bats
# Nothing lost on a disk (issue 17 item 3): the virtio test guest under
# Debian's cloud kernel, booted by la-vmrun inside the emulated x86_64 host
# (L1), all cases in ONE boot of it. The guest's /init (la.blocks=) writes
# numbered 4 KiB blocks to /dev/vda with O_DIRECT and fdatasync (a FLUSH
# request) after each, and prints each number once its flush is done
# (tests/vm/blocks.c). tests/vm/disk-kill.sh then either kills la-vmrun with
# SIGKILL at a seeded pseudo-random moment, or lets the guest power itself
# off with its writes going on, and checks every block up to the last number
# the guest printed in the image. Both for the default disk (a file in L1's
# tmpfs, through the host's page cache) and for ,direct (L1's brd ramdisk:
# 6.1's tmpfs has no O_DIRECT).
#
# The seed: LA_DISK_SEED, else one from the clock; the TAP output says which
# ("# disk: seed S"), and LA_DISK_SEED=S runs the same kill points again.
# Only in the plain pass of tests/run.sh, as the other VM suites.

load vmrun_vm_helpers

DISK_TIMEOUT=300
# blocks the guest writes: far more than it does before the kill
DISK_COUNT=4096

# disk_cases SEED: the la-case lines, with kill points drawn from SEED
disk_cases() {
	local i k delay disk mode n=0
	RANDOM=$1
	# the image files: each case makes its own (tests/vm/disk-kill.sh)
	echo "la-case d-images 30 ls /dev/ram0 /dev/ram1 /dev/ram2"
	for i in kill1:/tmp/dk-kill1.img kill2:/dev/ram0,direct kill3:/tmp/dk-kill3.img \
		kill4:/dev/ram1,direct off1:/tmp/dk-off1.img off2:/dev/ram2,direct; do
		n=$((n + 1))
		disk=${i#*:}
		mode=kill
		[[ $i != off* ]] || mode=poweroff
		# the kill after block K's line: 4..67, then 0..499 ms more
		k=$((4 + RANDOM % 64))
		delay=$((RANDOM % 500))
		echo "la-case d-${i%%:*} $DISK_TIMEOUT sh \"\$P/disk-kill.sh\" $mode $disk $DISK_COUNT $((RANDOM * 32768 + RANDOM + n)) $k $delay"
	done
}

setup_file() {
	local t=$BATS_FILE_TMPDIR p=$BATS_FILE_TMPDIR/payload m seed
	mkdir -p "$p"
	seed=${LA_DISK_SEED:-$(($(date +%s%N) / 1000 % 1000000))}
	echo "# disk: seed $seed (LA_DISK_SEED=$seed repeats these kill points)" >&3
	echo "$seed" >"$t/seed"
	m=$(vm_virtio_payload "$t" "$p")
	if [ -z "$m" ] && ! make -s -C "$VM_TOP" --no-print-directory BUILD="$VM_BUILD" \
		"$VM_BUILD/tests/x86_64/la-blocks" >>"$t/make.log" 2>&1; then
		m="la-blocks did not build: $(tail -n 1 "$t/make.log")"
	fi
	if [ -n "$m" ]; then
		echo "$m" >"$t/harness-error"
		return 0
	fi
	cp "$VM_TOP/tests/vm/disk-kill.sh" "$p/" || return 1
	{
		echo 'P=${P:-/payload}; export P'
		vm_sanitizer_env
		disk_cases "$seed"
	} >"$t/l1.sh"
	vm_run_l1 "$t" --timeout 1500 --stall 300 --module brd --payload "$p" \
		--bin "$VM_BIN/la-vmrun" --bin "$VM_BUILD/tests/x86_64/la-blocks"
}

# need_case CASE: CASE ran, after the images were made
need_case() {
	vm_need_case "$1"
	vm_case_status d-images 0
}

# case_arg CASE N: the Nth word after disk-kill.sh in CASE's la-case line
case_arg() {
	sed -n "s/^la-case $1 .*disk-kill.sh\" //p" "$BATS_FILE_TMPDIR/l1.sh" | cut -d' ' -f"$2"
}

# check_blocks CASE VMRUN_STATUS: la-vmrun ended with VMRUN_STATUS, the
# guest flushed block K at least, and every block up to the last number it
# printed is intact in the image; sets $last
check_blocks() {
	local k
	need_case "$1"
	k=$(case_arg "$1" 5)
	vm_case_status "$1" 0
	assert_line --regexp '^la-guest: modules loaded .*virtio_blk'
	assert_line "disk: vmrun status $2"
	# the last block line the guest printed whole, as the check took it
	last=$(sed -n 's/^la-blocks: flushed \([0-9]*\) ok$/\1/p' <<<"$output" | tail -n 1)
	[ -n "$last" ] && [ "$last" -ge "$k" ] ||
		fail "the guest's last flushed block is '$last', not at least $k"
	assert_line "disk: last flushed $last"
	assert_line "la-blocks: check blocks 0..$last intact"
	echo "# $1 ($(case_arg "$1" 2)): block $k + $(case_arg "$1" 6) ms, last flushed $last, $case_seconds s" >&3
}

# check_kill CASE: killed mid-stream (before the guest had written all)
check_kill() {
	check_blocks "$1" 137
	refute_line --partial 'la-blocks: done'
	# (the shell that waited says Killed; la-vmrun itself nothing)
	[ -z "$(grep -vx Killed <<<"$stderr")" ] || fail "la-vmrun said: $stderr"
}

@test "disk: la-vmrun killed with SIGKILL at a seeded moment loses no block the guest saw flushed (default disk, kill point 1)" {
	check_kill d-kill1
}

@test "disk: la-vmrun killed with SIGKILL at a seeded moment loses no block the guest saw flushed (,direct, kill point 2)" {
	check_kill d-kill2
}

@test "disk: la-vmrun killed with SIGKILL at a seeded moment loses no block the guest saw flushed (default disk, kill point 3)" {
	check_kill d-kill3
}

@test "disk: la-vmrun killed with SIGKILL at a seeded moment loses no block the guest saw flushed (,direct, kill point 4)" {
	check_kill d-kill4
}

@test "disk: a guest that powers off with writes in flight: la-vmrun exits 0 and every block it saw flushed is in the image (default disk)" {
	check_blocks d-off1 0
	refute_line --partial 'la-blocks: done'
}

@test "disk: a guest that powers off with writes in flight: la-vmrun exits 0 and every block it saw flushed is in the image (,direct)" {
	check_blocks d-off2 0
	refute_line --partial 'la-blocks: done'
}
