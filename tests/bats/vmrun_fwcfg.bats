#!/usr/bin/env bats
# la-vmrun --fw-cfg without KVM (x86_64, crosvm-arch.md §3.6 step 8): the
# option's syntax and errors, the files it reads, the fw-cfg grant (as
# la-alloc --device fw-cfg has it) and the items --explain lists. The
# guest that reads the items is in vmrun_vm_bvm.bats (an emulated host);
# the device's registers and DMA in tests/unit/test_fwcfg.c.

load helpers
load vmrun_helpers

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "la-vmrun: --help names --fw-cfg and its syntax" {
	run la-vmrun --help
	assert_success
	assert_output --partial -- "--fw-cfg=name=opt/NAME,path=FILE|string=S"
}

@test "la-vmrun: --fw-cfg is the fw-cfg grant, IO ports 0x510-0x51b, as la-alloc --device fw-cfg has it" {
	la-vmrun --explain --fw-cfg name=opt/a,string=x "$PROBE" >"$tmp/x"
	run grep '^fw-cfg' <(grant_pairs <"$tmp/x")
	assert_output "fw-cfg.io 0x0000000000000510-0x000000000000051b"
	run bash -c "la-alloc --arch x86_64 --platform --device fw-cfg --json |
		jq -r '.grants[] | select(.name == \"fw-cfg.io\") | \"\(.kind) \(.start) \(.end)\"'"
	assert_output "io $((0x510)) $((0x51b))"
	# none without --fw-cfg
	run bash -c "la-vmrun --explain '$PROBE' | grep -c fw-cfg"
	assert_output 0
}

@test "la-vmrun: --explain lists the --fw-cfg items with their keys from 0x20, sizes and files" {
	printf 'abc\n' >"$tmp/f"
	run la-vmrun --explain --fw-cfg "name=opt/la/f,path=$tmp/f" \
		--fw-cfg "name=opt/la/s,string=a,b=c" "$PROBE"
	assert_success
	assert_line "fw_cfg items (IO port 0x510; signature QEMU, id 0x3, file directory at key 0x19):"
	assert_line --regexp "^  0x0020 opt/la/f +4 bytes  path $tmp/f\$"
	assert_line --regexp "^  0x0021 opt/la/s +5 bytes  string\$"
	run bash -c "la-vmrun --explain --json --fw-cfg 'name=opt/la/f,path=$tmp/f' \
		--fw-cfg name=bootorder,string=x '$PROBE' | jq -c .fw_cfg"
	assert_output "[{\"key\":32,\"name\":\"opt/la/f\",\"size\":4,\"path\":\"$tmp/f\"},{\"key\":33,\"name\":\"bootorder\",\"size\":1}]"
}

@test "la-vmrun: --fw-cfg needs name= and one of path= and string=, known options only" {
	fails 2 "la-vmrun: --fw-cfg: 'string=x': needs name= (name=opt/NAME,path=FILE|string=S)" \
		la-vmrun --explain --fw-cfg string=x "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/a': needs one of path=FILE and string=S" \
		la-vmrun --explain --fw-cfg name=opt/a "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/a,path=/x,string=y': needs one of path=FILE and string=S" \
		la-vmrun --explain --fw-cfg name=opt/a,path=/x,string=y "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/a,file=/x': unknown or repeated option 'file=/x' (name=opt/NAME,path=FILE|string=S)" \
		la-vmrun --explain --fw-cfg name=opt/a,file=/x "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/a,name=opt/b,string=x': unknown or repeated option 'name=opt/b' (name=opt/NAME,path=FILE|string=S)" \
		la-vmrun --explain --fw-cfg name=opt/a,name=opt/b,string=x "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=,string=x': needs name= (name=opt/NAME,path=FILE|string=S)" \
		la-vmrun --explain --fw-cfg name=,string=x "$PROBE"
}

@test "la-vmrun: --fw-cfg names start with opt/, are at most 55 bytes and are given once" {
	local n55 n56
	n55=opt/$(printf 'a%.0s' $(seq 51))
	n56=${n55}b
	fails 2 "la-vmrun: --fw-cfg: 'name=etc/acpi/tables,string=x': name= must start with opt/ (as opt/NAME: the names firmware reads are QEMU's and la-vmrun's own)" \
		la-vmrun --explain --fw-cfg name=etc/acpi/tables,string=x "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/,string=x': name= must start with opt/ (as opt/NAME: the names firmware reads are QEMU's and la-vmrun's own)" \
		la-vmrun --explain --fw-cfg name=opt/,string=x "$PROBE"
	fails 2 "la-vmrun: --fw-cfg: 'name=$n56,string=x': name= is 56 bytes long; fw_cfg names are at most 55" \
		la-vmrun --explain --fw-cfg "name=$n56,string=x" "$PROBE"
	run la-vmrun --explain --fw-cfg "name=$n55,string=x" "$PROBE"
	assert_success
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/a,string=y': name opt/a is given already ('name=opt/a,string=x')" \
		la-vmrun --explain --fw-cfg name=opt/a,string=x --fw-cfg name=opt/a,string=y "$PROBE"
}

@test "la-vmrun: --fw-cfg takes at most 64 items" {
	local args=() i
	for i in $(seq 64); do args+=(--fw-cfg "name=opt/$i,string=$i"); done
	run la-vmrun --explain "${args[@]}" "$PROBE"
	assert_success
	assert_line --regexp '^  0x005f opt/64 '
	fails 2 "la-vmrun: --fw-cfg: 'name=opt/65,string=x': at most 64 items" \
		la-vmrun --explain "${args[@]}" --fw-cfg name=opt/65,string=x "$PROBE"
}

@test "la-vmrun: --fw-cfg path= that is missing, a directory or over 16 MiB fails (exit 1) naming it" {
	fails 1 "la-vmrun: --fw-cfg: '$tmp/none': No such file or directory" \
		la-vmrun --explain --fw-cfg "name=opt/a,path=$tmp/none" "$PROBE"
	fails 1 "la-vmrun: --fw-cfg: '$tmp': not a regular file" \
		la-vmrun --explain --fw-cfg "name=opt/a,path=$tmp" "$PROBE"
	truncate -s 16M "$tmp/max"
	run la-vmrun --explain --fw-cfg "name=opt/a,path=$tmp/max" "$PROBE"
	assert_success
	assert_line --regexp '^  0x0020 opt/a +16777216 bytes'
	truncate -s $((16 * 1024 * 1024 + 1)) "$tmp/big"
	run --separate-stderr la-vmrun --explain --fw-cfg "name=opt/a,path=$tmp/big" "$PROBE"
	assert_failure 1
	[[ "$stderr" == "la-vmrun: --fw-cfg: '$tmp/big': "*"(16 MiB, la-vmrun's limit for an fw_cfg item)" ]] ||
		fail "stderr: $stderr"
}

@test "la-vmrun: --fw-cfg is x86_64's only (exit 2 on aarch64 and riscv64)" {
	for a in aarch64 riscv64; do
		fails 2 "la-vmrun: --fw-cfg: 'name=opt/a,string=x': fw_cfg is on x86_64 only (IO port 0x510), not $a" \
			la-vmrun --arch $a --explain --fw-cfg name=opt/a,string=x "$PROBE"
	done
}
