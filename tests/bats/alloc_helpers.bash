# Helpers for alloc.bats (named after the program to keep clear of a shared
# helpers.bash): load bats-support/bats-assert, find the programs, compare
# golden files.
load /usr/lib/bats/bats-support/load
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-assert/load

LA_TOP=${LA_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
LA_BIN=${LA_BIN:-$LA_TOP/build/bin}
PATH="$LA_BIN:$PATH"
GOLDEN=$LA_TOP/tests/golden

# alloc_golden NAME CMD...: run CMD and compare its standard output with
# tests/golden/NAME exactly. LA_UPDATE_GOLDEN=1 rewrites the file instead
# (review the diff before committing it).
alloc_golden() {
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

# jqa FILTER CMD...: run CMD (which must succeed) and print jq -r FILTER of
# its JSON output.
jqa() {
	local filter=$1
	shift
	"$@" --json | jq -r "$filter"
}

# hex N: a decimal number from JSON in 0x hex.
hex() {
	printf '0x%x\n' "$1"
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
