# Helpers for alloc.bats, on top of the shared helpers.bash.
load helpers

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
