#!/usr/bin/env bats
# la-vmrun --pflash without KVM (x86_64, crosvm-arch.md §3.6 step 13): the
# option's syntax and errors, the image's size rules, and its grant below
# the BIOS at the top of 4 GiB, as la-alloc --device pflash,size= has it.
# The firmware that programs it and reads it back is in vmrun-boot.bats;
# the CFI state machine in tests/unit/test_pflash.c.

load helpers
load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
	truncate -s 64K "$tmp/pf.img"
}

teardown() {
	rm -rf "$tmp"
}

# pflash_grant ARGS...: "NAME RANGE" of the pflash grant la-vmrun --explain gives
pflash_grant() {
	la-vmrun --explain "$@" >"$tmp/x" || return 1
	grep '^pflash' <(grant_pairs <"$tmp/x")
}

@test "la-vmrun: --help names --pflash and its syntax" {
	run la-vmrun --help
	assert_success
	assert_output --partial -- "--pflash=path=FILE[,block_size=N]"
}

@test "la-vmrun: --pflash sits at the top of 4 GiB with a kernel, below the BIOS with --bios, as la-alloc has it" {
	run pflash_grant --pflash "path=$tmp/pf.img" "$PROBE"
	assert_output "pflash.mmio 0x00000000ffff0000-0x00000000ffffffff"
	run pflash_grant --pflash "path=$tmp/pf.img,block_size=64K" --bios "$FW"
	assert_output "pflash.mmio 0x00000000fffe0000-0x00000000fffeffff"
	run bash -c "la-alloc --arch x86_64 --bios '$FW' --device pflash,size=64K --json |
		jq -r '.grants[] | select(.name == \"pflash.mmio\") | \"\(.start) \(.end)\"'"
	assert_output "$((0xfffe0000)) $((0xfffeffff))"
	# none without --pflash
	run bash -c "la-vmrun --explain '$PROBE' | grep -c pflash"
	assert_output 0
}

@test "la-vmrun: --pflash needs path=, a power-of-two block_size=, known options, once" {
	fails 2 "la-vmrun: --pflash: 'block_size=4096': needs path=FILE (path=FILE[,block_size=N])" \
		la-vmrun --explain --pflash block_size=4096 "$PROBE"
	fails 2 "la-vmrun: --pflash: 'path=$tmp/pf.img,block_size=3000': block_size= is not a power of two (4096, 64K...)" \
		la-vmrun --explain --pflash "path=$tmp/pf.img,block_size=3000" "$PROBE"
	fails 2 "la-vmrun: --pflash: 'path=$tmp/pf.img,block_size=0': block_size= is not a power of two (4096, 64K...)" \
		la-vmrun --explain --pflash "path=$tmp/pf.img,block_size=0" "$PROBE"
	fails 2 "la-vmrun: --pflash: 'path=$tmp/pf.img,ro': unknown or repeated option 'ro' (path=FILE[,block_size=N])" \
		la-vmrun --explain --pflash "path=$tmp/pf.img,ro" "$PROBE"
	fails 2 "la-vmrun: --pflash: 'path=$tmp/pf.img': one pflash only ('path=$tmp/pf.img' given already)" \
		la-vmrun --explain --pflash "path=$tmp/pf.img" --pflash "path=$tmp/pf.img" "$PROBE"
	fails 2 "la-vmrun: --pflash: 'path=$tmp/pf.img': pflash is on x86_64 only, not aarch64" \
		la-vmrun --arch aarch64 --explain --pflash "path=$tmp/pf.img" "$PROBE"
}

@test "la-vmrun: --pflash's file: a multiple of block_size=, with the BIOS at most 16 MiB, a regular file that exists" {
	truncate -s 5000 "$tmp/odd.img"
	fails 2 "la-vmrun: --pflash: '$tmp/odd.img': is 5000 bytes, not a non-zero multiple of block_size=4096" \
		la-vmrun --explain --pflash "path=$tmp/odd.img" "$PROBE"
	fails 2 "la-vmrun: --pflash: '$tmp/pf.img': is 65536 bytes, not a non-zero multiple of block_size=131072" \
		la-vmrun --explain --pflash "path=$tmp/pf.img,block_size=128K" "$PROBE"
	truncate -s 0 "$tmp/empty.img"
	fails 2 "la-vmrun: --pflash: '$tmp/empty.img': is 0 bytes, not a non-zero multiple of block_size=4096" \
		la-vmrun --explain --pflash "path=$tmp/empty.img" "$PROBE"
	truncate -s 16M "$tmp/16m.img"
	run pflash_grant --pflash "path=$tmp/16m.img" "$PROBE"
	assert_output "pflash.mmio 0x00000000ff000000-0x00000000ffffffff"
	fails 2 "la-vmrun: --pflash: '$tmp/16m.img': is 16777216 bytes; with the BIOS's 65536 it is more than the 16 MiB below 4 GiB they share" \
		la-vmrun --explain --pflash "path=$tmp/16m.img" --bios "$FW"
	fails 1 "la-vmrun: --pflash: '$tmp/none': No such file or directory" \
		la-vmrun --explain --pflash "path=$tmp/none" "$PROBE"
	fails 2 "la-vmrun: --pflash: '$tmp': not a regular file" \
		la-vmrun --explain --pflash "path=$tmp" "$PROBE"
}

@test "la-alloc: --device pflash needs size=, a multiple of 4096 that fits below the BIOS" {
	fails 2 "la-alloc: --device: 'pflash': pflash needs size=SIZE (its image's bytes)" \
		la-alloc --arch x86_64 --device pflash
	run --separate-stderr la-alloc --arch x86_64 --device pflash,size=5000
	assert_failure
	assert_equal "$stderr" "la-alloc: --device: 'pflash,size=5000': value out of range (the size is not a multiple of 4096, the block size)"
	run --separate-stderr la-alloc --arch x86_64 --bios "$FW" --device pflash,size=16M
	assert_failure
	assert_equal "$stderr" "la-alloc: --device: 'pflash,size=16M': larger than the limit for this input (with the BIOS, more than the 16 MiB below 4 GiB)"
}
