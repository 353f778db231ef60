# Helpers for vmrun.bats: paths to the probe guest and scratch files.
load /usr/lib/bats/bats-support/load
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-assert/load

PATH="$LA_BIN:$PATH"
PROBE="$LA_BUILD/guest/probe.bzImage"
PROBE_ELF="$LA_BUILD/guest/probe.elf"
FW="$LA_BUILD/bench/fw.bin"

# dt_kernels DIR: DIR/Image, an arm64 Image header (magic "ARM\x64" at 56;
# text_offset 0x80000, image_size 0x200000) padded to 1 MiB, and DIR/rv, a
# riscv64 raw image: the kernels the aarch64 and riscv64 dry runs boot
dt_kernels() {
	truncate -s 1M "$1/Image"
	printf '\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00\x00\x00' |
		dd of="$1/Image" bs=1 seek=8 conv=notrunc status=none
	printf 'ARM\x64' | dd of="$1/Image" bs=1 seek=56 conv=notrunc status=none
	head -c 1200000 /dev/zero >"$1/rv"
}

# the memory-region block of la-layout or la-vmrun --explain
regions() {
	awk '/^guest memory regions:/ { on = 1; next } on && /^$/ { exit } on' 
}

# "NAME RANGE" for each grant line (la-alloc and la-vmrun --explain)
grant_pairs() {
	awk '/^grants/ { on = 1; next } on && /^$/ { exit } on && $1 ~ /\./ { print $1, $3 }'
}

# ov NAME: compile tests/fixtures/mkfdt/NAME.dts with dtc -@ into $tmp/NAME.dtbo
# (the overlays la-mkfdt's tests use)
ov() {
	dtc -q -@ -I dts -O dtb -o "$tmp/$1.dtbo" "$LA_TOP/tests/fixtures/mkfdt/$1.dts"
}

# same_error CMD1... -- CMD2...: both fail with the same status and, after
# the program name, the same one line
same_error() {
	local a=() b=() sa sb oa ob
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	oa=$("${a[@]}" 2>&1) && return 1
	sa=$?
	ob=$("${b[@]}" 2>&1) && return 1
	sb=$?
	[ "$sa" = "$sb" ] || { echo "status $sa vs $sb"; return 1; }
	[ "$(wc -l <<<"$oa")" = 1 ] || { echo "not one line: $oa"; return 1; }
	[ "${oa#*: }" = "${ob#*: }" ] || { echo "'$oa' vs '$ob'"; return 1; }
}
