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

# require CMD REASON: skip loudly when a tool is missing, but fail in CI,
# where make deps must have installed it.
require() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -n "${CI:-}" ]; then
		fail "$1 is missing in CI: $2"
	fi
	skip "$1 is missing ($2)"
}
