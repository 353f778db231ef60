# Helpers for tests/bats/mkfdt.bats.
load helpers

MK_GOLD=$LA_TOP/tests/golden/mkfdt
MK_FIX=$LA_TOP/tests/fixtures/mkfdt
HC_FIX=$LA_TOP/tests/fixtures/hostcpu
T=$BATS_TEST_TMPDIR

# mk_dts OUT ARGS...: run la-mkfdt ARGS (exit 0 required), keep the blob in
# $T/OUT.dtb and its `dtc -I dtb -O dts` text in $T/OUT.dts.
mk_dts() {
	local out=$1 rc=0
	shift
	la-mkfdt "$@" >"$T/$out.dtb" 2>"$T/$out.err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/$out.err"; echo "la-mkfdt exit $rc"; return 1; }
	dtc -q -I dtb -O dts -o "$T/$out.dts" "$T/$out.dtb"
}

# mk_golden GOLDEN ARGS...: the tree of la-mkfdt ARGS, as dts text, equals
# tests/golden/mkfdt/GOLDEN.dts. LA_UPDATE_GOLDEN=1 rewrites it instead (as
# golden does; review the diff before committing it).
mk_golden() {
	local g=$1
	shift
	mk_dts out "$@"
	[ "${LA_UPDATE_GOLDEN:-}" != 1 ] || cp "$T/out.dts" "$MK_GOLD/$g.dts"
	diff -u "$MK_GOLD/$g.dts" "$T/out.dts"
}

# le64 N: N as 8 little-endian bytes, printf escapes.
le64() {
	local n=$1 i s=''
	for i in 0 1 2 3 4 5 6 7; do
		s+=$(printf '\\x%02x' $(((n >> (8 * i)) & 255)))
	done
	printf '%s' "$s"
}

# put FILE OFFSET ESCAPES: write printf-escaped bytes at OFFSET.
put() {
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# mk_arm64_image FILE TEXT_OFFSET IMAGE_SIZE FILE_SIZE [FLAGS]: an arm64
# Image header (magic "ARM\x64" at 56) padded to FILE_SIZE bytes.
mk_arm64_image() {
	truncate -s $(($4)) "$1"
	put "$1" 8 "$(le64 "$2")"
	put "$1" 16 "$(le64 "$3")"
	put "$1" 24 "$(le64 "${5:-0}")"
	put "$1" 56 'ARM\x64'
}

# mk_bzimage FILE FILE_SIZE SETUP_SECTS XLOADFLAGS: an x86 boot protocol
# header ("HdrS" at 0x202, header up to 0x26c), syssize covering the rest.
mk_bzimage() {
	local sects=$3
	[ "$sects" -ne 0 ] || sects=4 # 0 means 4, as in the boot protocol
	local setup=$(( (sects + 1) * 512 ))
	truncate -s $(($2)) "$1"
	put "$1" $((0x1f1)) "$(printf '\\x%02x' "$3")"
	put "$1" $((0x1f4)) "$(le64 $(( ($2 - setup) / 16 )) | cut -c1-16)"
	put "$1" $((0x201)) '\x6a'
	put "$1" $((0x202)) 'HdrS'
	put "$1" $((0x236)) "$(printf '\\x%02x' "$4")"
}

# mk_ov NAME: compile tests/fixtures/mkfdt/NAME.dts with dtc -@ into $T/NAME.dtbo.
mk_ov() {
	dtc -q -@ -I dts -O dtb -o "$T/$1.dtbo" "$MK_FIX/$1.dts"
}
