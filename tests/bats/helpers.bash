# Shared bats helpers: load bats-support/bats-assert and find the programs.
load /usr/lib/bats/bats-support/load
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-assert/load

LA_TOP=${LA_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
LA_BIN=${LA_BIN:-$LA_TOP/build/bin}
PATH="$LA_BIN:$PATH"
GOLDEN=$LA_TOP/tests/golden

# golden NAME CMD...: run CMD and compare its standard output with
# tests/golden/NAME exactly. LA_UPDATE_GOLDEN=1 rewrites the file instead
# (review the diff before committing it).
golden() {
	local name=$1
	shift
	run --separate-stderr "$@"
	assert_success
	if [ "${LA_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$GOLDEN/$name")"
		printf '%s\n' "$output" >"$GOLDEN/$name"
	fi
	[ -f "$GOLDEN/$name" ] || fail "no golden file $GOLDEN/$name"
	diff -u "$GOLDEN/$name" <(printf '%s\n' "$output") || fail "output differs from $name"
}

# la_host_arch: the arch the programs under test run on: this machine's, or
# the cross build's under qemu-user (tests/bats/cross.bats sets it)
la_host_arch() {
	echo "${LA_HOST_ARCH:-$(uname -m)}"
}

# no_qemu_user: the test needs what qemu-user cannot give a cross build
# (seccomp filters: qemu refuses them, to keep its own system calls); the
# native run has it
no_qemu_user() {
	[ -z "${LA_QEMU_USER:-}" ] || skip "qemu-user cannot load seccomp filters: the native run tests this"
}

# require CMD REASON: skip loudly when a tool is missing, but fail in CI,
# where make deps must have installed it.
require() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${CI:-}" ]; then
		fail "$1 is missing in CI: $2"
	fi
	skip "$1 is missing ($2)"
}

# fails STATUS MESSAGE CMD...: CMD exits with STATUS and prints exactly one
# line on stderr, MESSAGE.
fails() {
	local want=$1 msg=$2
	shift 2
	run --separate-stderr "$@"
	[ "$status" -eq "$want" ] || fail "exit status $status, want $want (stderr: $stderr)"
	[ "$stderr" = "$msg" ] || fail "stderr: '$stderr'; want '$msg'"
}

# old_dtb FILE: a 72-byte device tree blob of header version 5 (last
# compatible 0): an empty root node, which libfdt 1.6's fdt_check_full
# cannot walk (issue 17)
old_dtb() {
	printf '\xd0\x0d\xfe\xed\0\0\0\x48\0\0\0\x38\0\0\0\x48\0\0\0\x28\0\0\0\x05\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x10' >"$1"
	head -c 16 /dev/zero >>"$1"
	printf '\0\0\0\x01\0\0\0\0\0\0\0\x02\0\0\0\x09' >>"$1"
}
