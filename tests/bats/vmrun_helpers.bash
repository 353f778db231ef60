# Helpers for vmrun.bats: paths to the probe guest and scratch files.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

PATH="$LA_BIN:$PATH"
PROBE="$LA_BUILD/guest/probe.bzImage"
PROBE_ELF="$LA_BUILD/guest/probe.elf"
FW="$LA_BUILD/bench/fw.bin"

# the memory-region block of la-layout or la-vmrun --explain
regions() {
	awk '/^guest memory regions:/ { on = 1; next } on && /^$/ { exit } on' 
}

# "NAME RANGE" for each grant line (la-alloc and la-vmrun --explain)
grant_pairs() {
	awk '/^grants/ { on = 1; next } on && /^$/ { exit } on && $1 ~ /\./ { print $1, $3 }'
}
